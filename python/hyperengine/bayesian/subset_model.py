"""The surrogate of a large study: an exact GP on a selected subset of the observations.

Past `EXACT_LIMIT` observations an exact GP costs O(n^2) memory and O(n^2) per step, and its suggestions
hardly change with one more point. The model then keeps every observation in flat arrays (O(n d)) and fits
the exact GP on `SUBSET_SIZE` of them, chosen by hypercore's `select_subset`: the best values, the nearest
neighbours of the incumbent in the length-scale metric (a TuRBO-style trust region, Eriksson et al.,
NeurIPS 2019) and a seeded random share of the rest (a subset-of-data approximation, Rasmussen & Williams
2006, sec. 8.3.3). New observations extend that GP's factor until `SUBSET_SLACK` of them arrived, then the
subset is selected again around the current incumbent; hyper-parameters carry over and are refitted once per
n / 16 new points. Telling is O(1): the work happens once, at the next ask.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from hypercore import _core

Array = npt.NDArray[np.float64]
#: (values [k], extra noise [k], raw units) -> (GP targets [k], GP extra noise [k]), the output transform
Warp = Callable[[Array, Array], tuple[Array, Array]]

EXACT_LIMIT = 1000  # up to this many observations the GP is exact on all of them
SUBSET_SIZE = 512   # the points an exact GP is fitted on past EXACT_LIMIT (a 512-point step costs ~20 ms)
SUBSET_SLACK = 128  # new points added to that GP's factor before the subset is selected again


class SubsetGaussianProcess:
    """Every observation in growing arrays, and an exact GP on the selected ones, brought up to date lazily."""

    def __init__(self, dim: int, new_gp: Callable[[], _core.GaussianProcess], theta: Array, seed: int,
                 size: int = SUBSET_SIZE, slack: int = SUBSET_SLACK, refit_every: int = 0) -> None:
        if size < 2 or slack < 1:
            raise ValueError(f"subset size must be at least 2 and slack at least 1, got {size} and {slack}")
        self._new_gp = new_gp
        self._theta = np.array(theta, dtype=np.float64)
        self._seed = seed
        self._size = size
        self._slack = slack
        self._refit_every = refit_every  # 0: once per n / 16 new points (at least 32), else every this many
        self._inputs = np.empty((0, dim))
        self._values = np.empty(0)
        self._noise = np.empty(0)
        self._count = 0
        self._kept = np.empty(0, dtype=np.int64)  # indices the GP holds, in the order it holds them
        self._gp: _core.GaussianProcess | None = None
        self._selected_at = 0  # observations when the subset was last selected
        self._synced_at = -1   # observations when the GP was last brought up to date
        self._fitted_at = -1   # observations at the last hyper-parameter fit (-1: not fitted since the switch)

    @property
    def size(self) -> int:
        return self._count

    @property
    def kept(self) -> npt.NDArray[np.int64]:
        """The indices of the observations the GP is fitted on (a copy)."""
        return self._kept.copy()

    def extend(self, inputs: Array, values: Array, noise: Array) -> None:
        """Record observations (k, d), [k], [k]: O(k d) amortized, nothing is fitted."""
        k = len(values)
        if self._count + k > len(self._values):
            capacity = max(self._count + k, 2 * len(self._values), 1024)
            grown = np.empty((capacity, self._inputs.shape[1]))
            grown[:self._count] = self._inputs[:self._count]
            self._inputs = grown
            self._values = np.resize(self._values, capacity)
            self._noise = np.resize(self._noise, capacity)
        self._inputs[self._count:self._count + k] = inputs
        self._values[self._count:self._count + k] = values
        self._noise[self._count:self._count + k] = noise
        self._count += k

    @property
    def stale(self) -> bool:
        """Whether observations arrived since the GP was last brought up to date (gp() will do work)."""
        return self._gp is None or self._synced_at != self._count

    def gp(self, warp: Warp) -> _core.GaussianProcess:
        """The exact GP on the kept points, with every observation so far accounted for and targets warped."""
        n = self._count
        if not self.stale:
            assert self._gp is not None
            return self._gp
        if self._gp is None or n - self._selected_at > self._slack:
            self._select(warp)
        else:
            new = np.arange(self._synced_at, n)
            targets, noise = warp(self._values[new], self._noise[new])
            self._gp.add_batch(np.ascontiguousarray(self._inputs[new]), targets, noise)
            self._kept = np.concatenate([self._kept, new])
        assert self._gp is not None
        self._gp.set_targets(warp(self._values[self._kept], self._noise[self._kept])[0])
        every = self._refit_every if self._refit_every > 0 else max(32, n // 16)
        if self._fitted_at < 0 or n - self._fitted_at >= every:
            self._gp.fit(restarts=1, seed=self._seed + n)
            self._theta = self._gp.log_params
            self._fitted_at = n
        self._synced_at = n
        return self._gp

    def _select(self, warp: Warp) -> None:
        """Select the subset around the current incumbent and factorize the GP on it once."""
        n = self._count
        if self._gp is not None:
            self._theta = self._gp.log_params
        dim = self._inputs.shape[1]
        length_scales = np.exp(self._theta[:dim])
        X = np.ascontiguousarray(self._inputs[:n])
        self._kept = _core.select_subset(X, np.ascontiguousarray(self._values[:n]), length_scales, self._size,
                                         self._seed + n)
        gp = self._new_gp()
        gp.log_params = self._theta
        targets, noise = warp(self._values[self._kept], self._noise[self._kept])
        gp.add_batch(np.ascontiguousarray(X[self._kept]), targets, noise)
        self._gp = gp
        self._selected_at = n

    def copy(self) -> SubsetGaussianProcess:
        """An independent copy (its arrays and GP too), for fantasies."""
        clone = copy.copy(self)
        clone._inputs, clone._values, clone._noise = self._inputs.copy(), self._values.copy(), self._noise.copy()
        clone._kept = self._kept.copy()
        clone._gp = None if self._gp is None else self._gp.copy()
        return clone
