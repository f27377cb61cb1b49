"""One evaluation of the objective, as its worker holds it: a live handle that writes through the study.

`study.ask()` returns a Trial: report() and should_stop() go to the study (and its storage), and its state,
value and intermediate values are those of the latest snapshot the study has of it. They are read-only:
only tell() finishes a trial. What `study.trials` returns are FrozenTrial snapshots.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from hyperengine.storage.frozen import FrozenTrial, TrialState

if TYPE_CHECKING:
    from hyperengine.study.study import Study


class TrialPruned(Exception):
    """Raise inside an objective to stop a trial early (after trial.should_stop() said so)."""


class Trial:
    """A trial this process asked for. `params` is the instantiated spec; `point` its unit-cube coordinates."""

    def __init__(self, study: Study | None, snapshot: FrozenTrial, params: Any) -> None:
        self._study = study
        self._snapshot = snapshot
        self.params = params
        self.stop_requested = False

    @property
    def number(self) -> int:
        return self._snapshot.number

    @property
    def point(self) -> npt.NDArray[np.float64]:
        return self._snapshot.point

    @property
    def state(self) -> TrialState:
        return self._snapshot.state

    @property
    def value(self) -> float | None:
        return self._snapshot.value

    @property
    def noise(self) -> float:
        return self._snapshot.noise

    @property
    def error(self) -> str | None:
        return self._snapshot.error

    @property
    def intermediate_values(self) -> dict[int, float]:
        """{step: value} of every report() (a copy)."""
        return self._snapshot.intermediate_values

    @property
    def datetime_start(self) -> datetime:
        return self._snapshot.datetime_start

    @property
    def datetime_complete(self) -> datetime | None:
        return self._snapshot.datetime_complete

    @property
    def worker(self) -> str | None:
        return self._snapshot.worker

    @property
    def late_value(self) -> float | None:
        return self._snapshot.late_value

    @property
    def duration(self) -> timedelta | None:
        """Wall time from ask to tell, None while running."""
        return self._snapshot.duration

    @property
    def curve(self) -> list[float]:
        """The intermediate values in step order."""
        return self._snapshot.curve

    def snapshot(self) -> FrozenTrial:
        """The trial as last written or read (read-only)."""
        return self._snapshot

    def report(self, value: float, step: int) -> None:
        """Record an intermediate value (e.g. validation accuracy after epoch `step`): one row in the storage."""
        if self._study is None:
            raise ValueError(f"trial {self.number} belongs to no study; report() needs one")
        self._study._report(self, value, step)

    def should_stop(self) -> bool:
        """True when the study's curve predictor says this run will not beat the best one (any worker's)."""
        if self._study is None:
            return False
        if self._study._should_stop(self):
            self.stop_requested = True
        return self.stop_requested

    def __eq__(self, other: object) -> bool:
        """Equal to a snapshot (or handle) of the same trial in the same state."""
        if isinstance(other, Trial):
            return self is other or self._snapshot == other._snapshot
        if isinstance(other, FrozenTrial):
            return self._snapshot == other
        return NotImplemented

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"Trial(number={self.number}, state={self.state.value}, value={self.value}, params={self.params!r})"


__all__ = ["FrozenTrial", "Trial", "TrialPruned", "TrialState"]
