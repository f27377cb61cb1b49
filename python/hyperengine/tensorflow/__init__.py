"""The TensorFlow binding: a Keras 3 solver and callback, the TF1-style graph runner/solver, model I/O.

TensorFlow is an optional extra (``pip install 'hyperengine[tensorflow]'``). Importing this package does not
import TensorFlow; each name is loaded on first use, and a missing TensorFlow then raises an ImportError that
names the extra. ``seed_everything`` works without TensorFlow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .keras_callback import TrialCallback
    from .keras_solver import KerasSolver
    from .model_io import KerasModelIO, TensorflowModelIO
    from .seeding import seed_everything
    from .tensorflow_runner import TensorflowRunner
    from .tensorflow_solver import TensorflowSolver

_EXPORTS = {
    "KerasModelIO": "model_io",
    "KerasSolver": "keras_solver",
    "TensorflowModelIO": "model_io",
    "TensorflowRunner": "tensorflow_runner",
    "TensorflowSolver": "tensorflow_solver",
    "TrialCallback": "keras_callback",
    "seed_everything": "seeding",
}

__all__ = [
    "KerasModelIO",
    "KerasSolver",
    "TensorflowModelIO",
    "TensorflowRunner",
    "TensorflowSolver",
    "TrialCallback",
    "seed_everything",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
    return getattr(module, name)


def __dir__() -> list[str]:
    return __all__
