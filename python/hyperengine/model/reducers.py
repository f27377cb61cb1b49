"""Reducers: how a learning curve (one value per evaluation) becomes the single score of a trial."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Curve = Sequence[float]
Reducer = Callable[[Curve], float]


def _max(curve: Curve) -> float:
    return max(curve) if curve else math.nan


def _min(curve: Curve) -> float:
    return min(curve) if curve else math.nan


def _avg(curve: Curve) -> float:
    return sum(curve) / len(curve) if curve else math.nan


def _last(curve: Curve) -> float:
    return curve[-1] if curve else math.nan


REDUCERS: dict[str, Reducer] = {"max": _max, "min": _min, "avg": _avg, "last": _last}


def resolve_reducer(reducer: str | Reducer) -> Reducer:
    """The reducer function for a preset name ('max', 'min', 'avg', 'last') or a callable(curve) -> float.

    The presets give NaN for an empty curve (a run that never produced a finite value), which a study
    records as a failed trial.
    """
    if callable(reducer):
        return reducer
    if isinstance(reducer, str) and reducer in REDUCERS:
        return REDUCERS[reducer]
    raise ValueError(
        f"unknown reducer {reducer!r}: use one of {sorted(REDUCERS)} or a callable(curve) -> float"
    )
