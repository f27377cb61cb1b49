"""One evaluation of the objective: its hyper-parameters, state, value, intermediate values and timings."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from hyperengine.study.study import Study


class TrialState(enum.StrEnum):
    """RUNNING: asked, not told yet. COMPLETE: has a value. PRUNED: stopped early (its value, if any, is the
    predicted final one). FAILED: raised or returned NaN/inf/None; never fed to the GP."""

    RUNNING = "running"
    COMPLETE = "complete"
    PRUNED = "pruned"
    FAILED = "failed"

    def is_finished(self) -> bool:
        return self is not TrialState.RUNNING


class TrialPruned(Exception):
    """Raise inside an objective to stop a trial early (after trial.should_stop() said so)."""


@dataclass(eq=False)
class Trial:
    """A trial of a study. `params` is the instantiated spec; `point` its unit-cube coordinates."""

    number: int
    params: Any
    point: npt.NDArray[np.float64]
    state: TrialState = TrialState.RUNNING
    value: float | None = None
    noise: float = 0.0
    error: str | None = None
    intermediate_values: dict[int, float] = field(default_factory=dict)
    datetime_start: datetime = field(default_factory=datetime.now)
    datetime_complete: datetime | None = None
    stop_requested: bool = False
    _study: Study | None = field(default=None, repr=False)

    @property
    def duration(self) -> timedelta | None:
        """Wall time from ask to tell, None while running."""
        return None if self.datetime_complete is None else self.datetime_complete - self.datetime_start

    def report(self, value: float, step: int) -> None:
        """Record an intermediate value (e.g. validation accuracy after epoch `step`)."""
        if self.state is not TrialState.RUNNING:
            raise ValueError(f"trial {self.number} is {self.state.value}; report() needs a running trial")
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"report: step must be a non-negative integer, got {step!r}")
        if value is None or not math.isfinite(value):
            raise ValueError(f"report: value must be a finite number, got {value!r}")
        self.intermediate_values[int(step)] = float(value)

    @property
    def curve(self) -> list[float]:
        """The intermediate values in step order."""
        return [self.intermediate_values[step] for step in sorted(self.intermediate_values)]

    def should_stop(self) -> bool:
        """True when the study's curve predictor says this run will not beat the best one."""
        if self._study is None:
            return False
        if self._study._should_stop(self):
            self.stop_requested = True
        return self.stop_requested
