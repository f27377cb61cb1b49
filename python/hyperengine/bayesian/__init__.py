"""Bayesian optimization strategies on the compiled Gaussian-process core (the original's
`hyperengine.bayesian` names, done with fitted kernels, gradients and discrete-aware search)."""

from hyperengine.bayesian.kernel import BaseKernel, Matern52, RadialBasisFunction
from hyperengine.bayesian.maximizer import CoreMaximizer, MonteCarloMaximizer
from hyperengine.bayesian.model import GaussianProcessModel
from hyperengine.bayesian.portfolio import BayesianPortfolioStrategy
from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.strategy import BaseStrategy, BayesianStrategy
from hyperengine.bayesian.utility import (
    BaseUtility,
    ExpectedImprovement,
    ProbabilityOfImprovement,
    RandomPoint,
    UpperConfidenceBound,
)

__all__ = [
    "BaseKernel",
    "BaseStrategy",
    "BaseUtility",
    "BayesianPortfolioStrategy",
    "BayesianStrategy",
    "CoreMaximizer",
    "DefaultSampler",
    "ExpectedImprovement",
    "GaussianProcessModel",
    "Matern52",
    "MonteCarloMaximizer",
    "ProbabilityOfImprovement",
    "RadialBasisFunction",
    "RandomPoint",
    "UpperConfidenceBound",
]
