"""scikit-optimize's Optimizer with its default GP surrogate (gp_hedge acquisition, 10 random initial points).

skopt fits the GP and optimizes the acquisition inside tell(); ask() returns the point computed then.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import skopt
from skopt.space import Categorical, Dimension, Integer, Real

from benchmarks.adapters.base import Adapter
from benchmarks.problems import Param, Params, Problem


def _dimension(param: Param) -> Dimension:
    if param.kind == "float":
        return Real(param.low, param.high, name=param.name)
    if param.kind == "int":
        return Integer(int(param.low), int(param.high), name=param.name)
    return Categorical(list(param.choices), name=param.name)


class SkoptAdapter(Adapter):
    """skopt.Optimizer(base_estimator='GP'), seeded."""

    def __init__(self, problem: Problem, seed: int) -> None:
        super().__init__(problem, seed)
        self._names = [param.name for param in problem.params]
        self._optimizer = skopt.Optimizer([_dimension(param) for param in problem.params], base_estimator="GP",
                                          random_state=seed)
        self._point: list[Any] | None = None

    def ask(self) -> Params:
        self._point = self._optimizer.ask()
        return {name: _plain(value) for name, value in zip(self._names, self._point, strict=True)}

    def tell(self, value: float) -> None:
        if self._point is None:
            raise RuntimeError("tell() before ask()")
        self._optimizer.tell(self._point, value)
        self._point = None

    def observe(self, history: Sequence[tuple[Params, float]]) -> None:
        points = [[params[name] for name in self._names] for params, _ in history]
        self._optimizer.tell(points, [value for _, value in history])


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so every peer hands the objective the same types."""
    return value.item() if hasattr(value, "item") else value
