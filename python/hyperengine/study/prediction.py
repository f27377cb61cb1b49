"""What a study's Gaussian process believes, in the user's units and direction.

The study feeds its strategy "larger is better" values (sign-flipped for minimization) at unit-cube points,
and the GP sees them warped by its output transform. `GaussianProcessModel.predict` already undoes the warp
(the median of the warped posterior and the delta-method variance); this module undoes the sign and maps
configurations to points, so `study.predict` answers in the units the user told.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from hyperengine.bayesian.model import GaussianProcessModel
from hyperengine.bayesian.strategy import BayesianStrategy
from hyperengine.study.trial import TrialState

if TYPE_CHECKING:
    from hyperengine.study.study import Study

Array = npt.NDArray[np.float64]

MIN_OBSERVATIONS = 2  # one point fixes the GP's mean but not its length scales: nothing worth showing


def direction_sign(study: Study) -> float:
    """+1 for a study that maximizes, -1 for one that minimizes (the strategy always maximizes)."""
    return 1.0 if study.direction == "maximize" else -1.0


def study_model(study: Study, what: str = "the GP's prediction") -> GaussianProcessModel:
    """The study's GP, or a ValueError saying why there is nothing to predict with yet."""
    strategy = study.strategy
    if not isinstance(strategy, BayesianStrategy):
        raise ValueError(f"{what} needs a study whose strategy has a GP (BayesianStrategy or a subclass), "
                         f"this one has a {type(strategy).__name__}")
    model = strategy.model
    if model.size < MIN_OBSERVATIONS:
        raise ValueError(f"{what} needs at least {MIN_OBSERVATIONS} trials with a value, the study has "
                         f"{model.size}")
    return model


def predict_points(study: Study, points: npt.ArrayLike, what: str = "the GP's prediction") -> tuple[Array, Array]:
    """(mean [m], std [m]) of the objective at unit-cube points (m, d), in the user's units and direction."""
    model = study_model(study, what)
    rows = np.atleast_2d(np.asarray(points, dtype=np.float64))
    size = study.parsed_spec.size()
    if rows.ndim != 2 or rows.shape[1] != size:
        raise ValueError(f"points must have shape (m, {size}), got {np.shape(points)}")
    if not np.all(np.isfinite(rows)) or np.any((rows < 0.0) | (rows > 1.0)):
        raise ValueError("points must be finite unit-cube coordinates in [0, 1]")
    mean, variance = model.predict(rows)
    return direction_sign(study) * np.asarray(mean), np.sqrt(np.maximum(np.asarray(variance), 0.0))


def predict_params(study: Study, params_list: Sequence[Any]) -> tuple[Array, Array]:
    """(mean [m], std [m]) of the objective at m configurations shaped like the spec's instances."""
    if isinstance(params_list, str | bytes) or not isinstance(params_list, Sequence):
        raise TypeError(f"predict: params_list must be a list of configurations, got {type(params_list).__name__}")
    if not params_list:
        raise ValueError("predict: params_list is empty")
    points = np.array([study.parsed_spec.to_unit(params) for params in params_list], dtype=np.float64)
    return predict_points(study, points.reshape(len(params_list), study.parsed_spec.size()), "predict")


def next_point(study: Study) -> Array:
    """The unit-cube point the study would propose next, asked of a copy of its strategy (the study is not
    changed: no trial is created and the strategy's own design and random state do not move)."""
    running = [trial.point for trial in study.trials if trial.state is TrialState.RUNNING]
    # The strategy's encoder is a method of the study: the memo keeps it bound to this study, not a copy.
    strategy = copy.deepcopy(study.strategy, {id(study): study})
    pending = np.array(running).reshape(-1, study.parsed_spec.size()) if running else None
    return np.clip(np.asarray(strategy.next_proposals(1, pending=pending)[0], dtype=np.float64), 0.0, 1.0)
