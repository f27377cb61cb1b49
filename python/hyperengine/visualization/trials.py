"""What the plots read from a study: its trials with a value, the best one, and clear errors when there
are too few."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from hyperengine.storage.frozen import FrozenTrial
from hyperengine.study.prediction import direction_sign
from hyperengine.study.trial import TrialState

if TYPE_CHECKING:
    from hyperengine.study.study import Study

VALUED_STATES = (TrialState.COMPLETE, TrialState.PRUNED)


def valued_trials(study: Study) -> list[FrozenTrial]:
    """Complete trials and pruned ones with a predicted value: the trials the GP learned from."""
    return [t for t in study.trials if t.state in VALUED_STATES and t.value is not None]


def require_trials(study: Study, what: str, minimum: int = 1) -> list[FrozenTrial]:
    """The valued trials, or a ValueError naming the plot when there are fewer than `minimum`."""
    trials = valued_trials(study)
    if len(trials) < minimum:
        have = "no trial" if not trials else f"{len(trials)} trial" + ("s" if len(trials) > 1 else "")
        raise ValueError(f"{what} needs at least {minimum} trial{'s' if minimum > 1 else ''} with a value; "
                         f"the study has {have} with a value ({len(study.trials)} in all)")
    return trials


def best_trial_where_active(study: Study, indices: Sequence[int], what: str) -> FrozenTrial:
    """The best trial at which every coordinate in `indices` is active (complete trials before pruned ones)."""
    sign = direction_sign(study)
    candidates = [t for t in valued_trials(study) if study.parsed_spec.active(t.point)[list(indices)].all()]
    if not candidates:
        names = [study.parsed_spec.get_names()[i] for i in indices]
        raise ValueError(f"{what}: no trial with a value has all of {names} active")
    return max(candidates, key=lambda t: (t.state is TrialState.COMPLETE, sign * float(t.value)))  # type: ignore[arg-type]


def active_mask(study: Study, trials: Sequence[FrozenTrial]) -> npt.NDArray[np.bool_]:
    """(n, d): which coordinates of each trial influence its configuration."""
    size = study.parsed_spec.size()
    return np.array([study.parsed_spec.active(t.point) for t in trials], dtype=bool).reshape(len(trials), size)


def values_of(trials: Sequence[FrozenTrial]) -> npt.NDArray[np.float64]:
    """[n]: the values of valued trials, as told."""
    return np.array([float(t.value) for t in trials if t.value is not None], dtype=np.float64)
