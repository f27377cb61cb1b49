"""Random search: independent uniform draws (integers and categories uniform over their levels)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from benchmarks.adapters.base import Adapter
from benchmarks.problems import Params, Problem


class RandomSearchAdapter(Adapter):
    """Uniform sampling with numpy's default generator, seeded."""

    def __init__(self, problem: Problem, seed: int) -> None:
        super().__init__(problem, seed)
        self._rng = np.random.default_rng(seed)

    def ask(self) -> Params:
        return self.problem.random_params(self._rng)

    def tell(self, value: float) -> None:
        """Random search learns nothing."""

    def observe(self, history: Sequence[tuple[Params, float]]) -> None:
        """Random search learns nothing."""
