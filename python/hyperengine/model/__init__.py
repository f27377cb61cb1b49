"""The framework-agnostic training layer: data sets, the runner/solver loop, curves, model I/O."""

from .base_runner import BaseRunner
from .base_solver import BaseSolver
from .curve_monitor import CurveMonitor, TrialLike
from .data_set import Data, DataSet, merge_data_sets
from .model_io import ModelIO, expand_save_dir
from .reducers import REDUCERS, resolve_reducer

__all__ = [
    "REDUCERS",
    "BaseRunner",
    "BaseSolver",
    "CurveMonitor",
    "Data",
    "DataSet",
    "ModelIO",
    "TrialLike",
    "expand_save_dir",
    "merge_data_sets",
    "resolve_reducer",
]
