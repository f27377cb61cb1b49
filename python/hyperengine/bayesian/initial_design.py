"""The burn-in: a space-filling design (an optimized Latin hypercube) instead of plain random points."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import qmc


def initial_design(count: int, dim: int, seed: int) -> npt.NDArray[np.float64]:
    """(count, dim) points of a Latin hypercube whose centred discrepancy was minimized, deterministic in seed.

    Each coordinate is stratified into `count` bins, one point per bin, so even a few points cover every
    coordinate's range; random-CD optimization then spreads the points in the joint space.
    """
    if count <= 0 or dim == 0:
        return np.empty((max(count, 0), dim))
    if count == 1:
        return np.full((1, dim), 0.5)
    sampler = qmc.LatinHypercube(d=dim, optimization="random-cd", rng=np.random.default_rng(seed))
    return np.asarray(sampler.random(count), dtype=np.float64)


def default_burn_in(dim: int) -> int:
    """The number of design points before the GP takes over: d + 6, at most 10.

    The first fit estimates d + 2 hyper-parameters, so it gets a few points more than that; with fewer (4 in
    2-D) the fitted length scales describe the global trend only and EI can settle on a boundary point it
    cannot see past (Branin: one seed in ten stuck at regret 1.5 for 50 steps). 10 is Optuna's GPSampler's.
    """
    return int(min(10, dim + 6))
