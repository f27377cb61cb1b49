"""hyperengine through its public ask/tell Study; the strategy and its parameters are chosen per peer name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import hyperengine
from benchmarks.adapters.base import Adapter
from benchmarks.problems import Param, Params, Problem
from hyperengine import spec
from hyperengine.study.trial import Trial


def _node(param: Param) -> Any:
    if param.kind == "float":
        return spec.uniform(param.low, param.high)
    if param.kind == "int":
        return spec.randint(int(param.low), int(param.high) + 1)
    return spec.choice(list(param.choices))


class HyperengineAdapter(Adapter):
    """A hyperengine study; `strategy` and `strategy_params` go to hyperengine.create_study."""

    def __init__(self, problem: Problem, seed: int, strategy: str = "bayesian", **strategy_params: Any) -> None:
        super().__init__(problem, seed)
        space = {param.name: _node(param) for param in problem.params}
        self._study = hyperengine.create_study(space, direction="minimize", strategy=strategy, seed=seed,
                                               **strategy_params)
        self._trial: Trial | None = None

    def ask(self) -> Params:
        self._trial = self._study.ask()
        return dict(self._trial.params)

    def tell(self, value: float) -> None:
        if self._trial is None:
            raise RuntimeError("tell() before ask()")
        self._study.tell(self._trial, value)
        self._trial = None

    def observe(self, history: Sequence[tuple[Params, float]]) -> None:
        self._study.add_trials(history)
