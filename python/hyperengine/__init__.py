"""hyperengine: Bayesian hyper-parameter optimization with a compiled Gaussian-process core.

    from hyperengine import spec
    import hyperengine

    space = {"lr": 10 ** spec.uniform(-4, -1), "units": spec.choice([32, 64, 128])}
    study = hyperengine.create_study(space, direction="maximize", seed=0)
    study.optimize(lambda params: train(params), n_trials=30)

TensorFlow is never imported here: `hyperengine.tensorflow` needs the `tensorflow` extra.
"""

from typing import TYPE_CHECKING, Any

from hyperengine import spec
from hyperengine.bayesian import BayesianPortfolioStrategy, BayesianStrategy, DefaultSampler
from hyperengine.curve import CurvePredictor, EnsembleCurvePredictor, LinearCurvePredictor
from hyperengine.model import BaseRunner, BaseSolver, Data, DataSet
from hyperengine.persistence import CorruptStateError
from hyperengine.spec import ParsedSpec, SpecError
from hyperengine.study import (
    FrozenTrial,
    Study,
    Trial,
    TrialPruned,
    TrialState,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    list_studies,
    load_study,
)
from hyperengine.tuner import HyperTuner

if TYPE_CHECKING:
    from hyperengine.tensorflow import (  # noqa: F401 (resolved lazily by __getattr__)
        KerasSolver,
        TensorflowRunner,
        TensorflowSolver,
        TrialCallback,
    )

__version__ = "0.2.0"

# The original exposed its TensorFlow binding at the top level (hype.TensorflowRunner, ...). These names stay
# there, loaded on first use, so `import hyperengine` (and `from hyperengine import *`, which leaves them out)
# still never imports TensorFlow.
_TENSORFLOW_NAMES = ("KerasSolver", "TensorflowRunner", "TensorflowSolver", "TrialCallback")


def __getattr__(name: str) -> Any:
    if name in _TENSORFLOW_NAMES:
        from hyperengine import tensorflow

        return getattr(tensorflow, name)
    raise AttributeError(f"module 'hyperengine' has no attribute {name!r}")


__all__ = [
    "BaseRunner",
    "BaseSolver",
    "BayesianPortfolioStrategy",
    "BayesianStrategy",
    "CorruptStateError",
    "CurvePredictor",
    "Data",
    "DataSet",
    "DefaultSampler",
    "EnsembleCurvePredictor",
    "FrozenTrial",
    "HyperTuner",
    "LinearCurvePredictor",
    "ParsedSpec",
    "SpecError",
    "Study",
    "Trial",
    "TrialPruned",
    "TrialState",
    "__version__",
    "copy_study",
    "create_study",
    "delete_study",
    "get_all_study_names",
    "list_studies",
    "load_study",
    "spec",
]
