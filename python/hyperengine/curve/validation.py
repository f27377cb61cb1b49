"""Turning user input into a checked learning curve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

CurveLike: TypeAlias = Sequence[float] | npt.NDArray[np.floating[Any]]


def as_curve(curve: CurveLike, *, allow_empty: bool = True, name: str = "curve") -> npt.NDArray[np.float64]:
    """Return `curve` as a 1-D float64 array (values per epoch), or raise ValueError naming the problem."""
    try:
        array = np.array(curve, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a sequence of numbers (one per epoch): {error}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one value per epoch), got shape {array.shape}")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} is empty: a learning curve needs at least one epoch")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise ValueError(f"{name} has NaN or infinite values at epoch index {bad.tolist()}")
    return array


def as_value(value: float, name: str = "value") -> float:
    """Return `value` as a finite float, or raise ValueError."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result
