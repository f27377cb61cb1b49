"""Optuna's GPSampler and TPESampler, and hyperengine's HyperengineSampler inside Optuna, driven through
Study.ask(distributions) / Study.tell."""

from __future__ import annotations

from collections.abc import Sequence

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution

from benchmarks.adapters.base import Adapter
from benchmarks.problems import Param, Params, Problem

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _distribution(param: Param) -> BaseDistribution:
    if param.kind == "float":
        return FloatDistribution(param.low, param.high)
    if param.kind == "int":
        return IntDistribution(int(param.low), int(param.high))
    return CategoricalDistribution(list(param.choices))


class OptunaAdapter(Adapter):
    """An in-memory Optuna study with sampler 'gp' (GPSampler), 'tpe' (TPESampler) or 'hyperengine'
    (hyperengine.integration.optuna.HyperengineSampler), default settings."""

    def __init__(self, problem: Problem, seed: int, sampler: str = "gp") -> None:
        super().__init__(problem, seed)
        if sampler == "gp":
            chosen: optuna.samplers.BaseSampler = optuna.samplers.GPSampler(seed=seed)
        elif sampler == "tpe":
            chosen = optuna.samplers.TPESampler(seed=seed)
        elif sampler == "hyperengine":
            from hyperengine.integration.optuna import HyperengineSampler

            chosen = HyperengineSampler(seed=seed)
        else:
            raise ValueError(f"sampler must be 'gp', 'tpe' or 'hyperengine', got {sampler!r}")
        self._study = optuna.create_study(direction="minimize", sampler=chosen)
        self._distributions = {param.name: _distribution(param) for param in problem.params}
        self._trial: optuna.trial.Trial | None = None

    def ask(self) -> Params:
        self._trial = self._study.ask(self._distributions)
        return dict(self._trial.params)

    def tell(self, value: float) -> None:
        if self._trial is None:
            raise RuntimeError("tell() before ask()")
        self._study.tell(self._trial, value)
        self._trial = None

    def observe(self, history: Sequence[tuple[Params, float]]) -> None:
        self._study.add_trials([
            optuna.trial.create_trial(params=params, distributions=self._distributions, value=value)
            for params, value in history])
