"""The contract every peer implements: one small ask/tell object per optimization run (minimization)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from benchmarks.problems import Params, Problem


class Adapter(ABC):
    """Drives one optimizer on one problem: ask() proposes parameters, tell(value) reports the last ones."""

    def __init__(self, problem: Problem, seed: int) -> None:
        self.problem = problem
        self.seed = seed

    @abstractmethod
    def ask(self) -> Params:
        """The next parameters to evaluate (a dict keyed by the problem's parameter names)."""

    @abstractmethod
    def tell(self, value: float) -> None:
        """The value (to minimize) of the parameters returned by the last ask()."""

    @abstractmethod
    def observe(self, history: Sequence[tuple[Params, float]]) -> None:
        """Import evaluated points without asking for them (latency runs start from n observations)."""
