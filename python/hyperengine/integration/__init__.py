"""Bridges to the libraries users already tune with, each behind its own extra and imported on demand.

    from hyperengine.integration.sklearn import HyperengineSearchCV     # pip install "hyperengine[sklearn]"
    from hyperengine.integration.torch import run_epochs, LightningTrialCallback  # "hyperengine[torch]"
    from hyperengine.integration.optuna import HyperengineSampler, HyperenginePruner  # "hyperengine[optuna]"
    from hyperengine.integration.ray import HyperengineSearch, HyperengineScheduler   # "hyperengine[ray]"

Importing this package imports none of those libraries; each submodule checks for its own and names the
extra to install when it is missing.
"""
