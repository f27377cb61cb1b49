"""hyperengine: Bayesian hyper-parameter optimization with a compiled Gaussian-process core."""

__version__ = "0.2.0"
