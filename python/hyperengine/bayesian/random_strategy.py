"""Random search: every proposal drawn by the sampler, no model (O(1) per trial at any number of trials)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.strategy import BaseStrategy


class RandomStrategy(BaseStrategy):
    """Proposes the sampler's draws; records the values (and saves them with io_save_dir) but fits nothing.

    A Bayesian strategy with utility_gen='rand' proposes the same kind of points but still feeds its GP
    (a portfolio needs it for its other utilities); this one is what study strategy='random' runs.
    """

    def __init__(self, sampler: DefaultSampler, io_save_dir: str | None = None, io_load_dir: str | None = None,
                 names: Sequence[str] | None = None) -> None:
        super().__init__(sampler, io_save_dir=io_save_dir, io_load_dir=io_load_dir, names=names)
        self._replay_loaded()

    def next_proposals(self, count: int, pending: npt.ArrayLike | None = None) -> npt.NDArray[np.float64]:
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        self._pending_array(pending)  # checked like the other strategies', though random search ignores it
        if self._dim == 0:
            return np.empty((count, 0))
        return self._sampler.sample(count)
