"""hyperengine: Bayesian hyper-parameter optimization with a compiled Gaussian-process core.

    from hyperengine import spec
    import hyperengine

    space = {"lr": 10 ** spec.uniform(-4, -1), "units": spec.choice([32, 64, 128])}
    study = hyperengine.create_study(space, direction="maximize", seed=0)
    study.optimize(lambda params: train(params), n_trials=30)

TensorFlow is never imported here: `hyperengine.tensorflow` needs the `tensorflow` extra.
"""

from hyperengine import spec
from hyperengine.bayesian import BayesianPortfolioStrategy, BayesianStrategy, DefaultSampler
from hyperengine.curve import CurvePredictor, EnsembleCurvePredictor, LinearCurvePredictor
from hyperengine.persistence import CorruptStateError
from hyperengine.spec import ParsedSpec, SpecError
from hyperengine.study import Study, Trial, TrialPruned, TrialState, create_study
from hyperengine.tuner import HyperTuner

__version__ = "0.2.0"

__all__ = [
    "BayesianPortfolioStrategy",
    "BayesianStrategy",
    "CorruptStateError",
    "CurvePredictor",
    "DefaultSampler",
    "EnsembleCurvePredictor",
    "HyperTuner",
    "LinearCurvePredictor",
    "ParsedSpec",
    "SpecError",
    "Study",
    "Trial",
    "TrialPruned",
    "TrialState",
    "__version__",
    "create_study",
    "spec",
]
