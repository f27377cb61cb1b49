"""bayesian-optimization (bayes_opt) with its default acquisition, driven by suggest() / register().

bayes_opt maximizes, so values are negated on the way in.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from bayes_opt import BayesianOptimization

from benchmarks.adapters.base import Adapter
from benchmarks.problems import Param, Params, Problem


def _bounds(param: Param) -> Any:
    if param.kind == "float":
        return (param.low, param.high)
    if param.kind == "int":
        return (int(param.low), int(param.high), int)
    return list(param.choices)


class BayesOptAdapter(Adapter):
    """BayesianOptimization(f=None, pbounds, random_state=seed), silent."""

    def __init__(self, problem: Problem, seed: int) -> None:
        super().__init__(problem, seed)
        with warnings.catch_warnings():  # "Non-float parameters are experimental": the mixed space uses them
            warnings.filterwarnings("ignore", "Non-float parameters", UserWarning)
            self._optimizer = BayesianOptimization(f=None, pbounds={p.name: _bounds(p) for p in problem.params},
                                                   random_state=seed, verbose=0, allow_duplicate_points=True)
        self._params: Params | None = None

    def ask(self) -> Params:
        suggestion = self._optimizer.suggest()
        self._params = {name: _plain(value) for name, value in suggestion.items()}
        return dict(self._params)

    def tell(self, value: float) -> None:
        if self._params is None:
            raise RuntimeError("tell() before ask()")
        self._optimizer.register(params=self._params, target=-value)
        self._params = None

    def observe(self, history: Sequence[tuple[Params, float]]) -> None:
        for params, value in history:
            self._optimizer.register(params=params, target=-value)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
