"""Least-squares fit of one parametric family to a scaled curve: the sampler's starting point."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hypercore import _curves
from hyperengine.curve.families import CurveFamily


def family_values(family: CurveFamily, params: npt.NDArray[np.float64],
                  t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(n,) values of `family` with `params` at positions t (n,)."""
    out = np.empty(len(t))
    _curves.evaluate(family.id, np.ascontiguousarray(params, dtype=np.float64),
                     np.ascontiguousarray(t, dtype=np.float64), out)
    return out


def fit_family(family: CurveFamily, t: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
               max_iterations: int = 100) -> tuple[npt.NDArray[np.float64], float] | None:
    """Box-bounded Levenberg-Marquardt fit of `family` to (t, y), from its starting guess.

    Returns (params, sum of squared residuals), or None when no finite fit was found.
    """
    params = family.guess(float(y[0]), float(y[-1]))
    sse = _curves.fit_family(family.id, np.ascontiguousarray(t, dtype=np.float64),
                             np.ascontiguousarray(y, dtype=np.float64), params,
                             np.array(family.lower), np.array(family.upper), max_iterations)
    return (params, sse) if np.isfinite(sse) else None
