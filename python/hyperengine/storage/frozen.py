"""What a storage hands back: read-only snapshots of trials and studies.

A snapshot is a copy taken at read time. Changing what it returns (its params, its intermediate values) never
changes the study: the study writes through the storage only (tell, report, heartbeat).
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt


class TrialState(enum.StrEnum):
    """RUNNING: asked, not told yet. COMPLETE: has a value. PRUNED: stopped early (its value, if any, is the
    predicted final one). FAILED: raised, returned NaN/inf/None, or its worker stopped beating; never fed to
    the GP."""

    RUNNING = "running"
    COMPLETE = "complete"
    PRUNED = "pruned"
    FAILED = "failed"

    def is_finished(self) -> bool:
        return self is not TrialState.RUNNING


class FrozenTrial:
    """One trial as stored at the moment it was read. Every attribute is read-only; `params` and
    `intermediate_values` return fresh copies, `point` a read-only array."""

    __slots__ = ("_number", "_state", "_params", "_point", "_value", "_noise", "_error", "_intermediate",
                 "_datetime_start", "_datetime_complete", "_worker", "_late_value", "_retry_of", "_version")
    _number: int
    _state: TrialState
    _params: Any
    _point: npt.NDArray[np.float64]
    _value: float | None
    _noise: float
    _error: str | None
    _intermediate: dict[int, float]
    _datetime_start: datetime
    _datetime_complete: datetime | None
    _worker: str | None
    _late_value: float | None
    _retry_of: int | None
    _version: int | None

    def __init__(self, number: int, state: TrialState, params: Any, point: npt.ArrayLike, value: float | None = None,
                 noise: float = 0.0, error: str | None = None, intermediate_values: dict[int, float] | None = None,
                 datetime_start: datetime | None = None, datetime_complete: datetime | None = None,
                 worker: str | None = None, late_value: float | None = None, retry_of: int | None = None,
                 version: int | None = None) -> None:
        if isinstance(point, np.ndarray) and point.dtype == np.float64 and not point.flags.writeable:
            array = point  # another snapshot's read-only point: shared, never copied
        else:
            array = np.array(point, dtype=np.float64)
            array.flags.writeable = False
        values = intermediate_values or {}
        steps = list(values)
        assign = object.__setattr__  # __setattr__ refuses every assignment: a snapshot is read-only
        assign(self, "_number", int(number))
        assign(self, "_state", TrialState(state))
        assign(self, "_params", params)
        assign(self, "_point", array)
        assign(self, "_value", None if value is None else float(value))
        assign(self, "_noise", float(noise))
        assign(self, "_error", error)
        assign(self, "_intermediate", dict(values) if steps == sorted(steps) else dict(sorted(values.items())))
        assign(self, "_datetime_start", datetime_start or datetime.now())
        assign(self, "_datetime_complete", datetime_complete)
        assign(self, "_worker", worker)
        assign(self, "_late_value", late_value)
        assign(self, "_retry_of", retry_of)
        assign(self, "_version", version)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a FrozenTrial is a read-only snapshot: cannot set {name!r} (tell the study instead)")

    def __setstate__(self, state: tuple[None, dict[str, Any]]) -> None:
        """Unpickling and copying: the slots as pickled (the default would go through __setattr__)."""
        for name, value in state[1].items():
            if name == "_point":  # an unpickled array is writeable again
                value.flags.writeable = False
            object.__setattr__(self, name, value)

    number = property(lambda self: self._number, doc="Unique in its study, from 0, in the order of asking.")
    state = property(lambda self: self._state)
    point = property(lambda self: self._point, doc="The unit-cube coordinates (a read-only array).")
    value = property(lambda self: self._value)
    noise = property(lambda self: self._noise, doc="The variance of a pruned trial's predicted value.")
    error = property(lambda self: self._error)
    datetime_start = property(lambda self: self._datetime_start)
    datetime_complete = property(lambda self: self._datetime_complete)
    worker = property(lambda self: self._worker, doc="Which process asked for it (host:pid:id).")
    late_value = property(lambda self: self._late_value,
                          doc="A value told after the trial had been failed for a missed heartbeat.")
    retry_of = property(lambda self: self._retry_of, doc="The failed trial this one re-runs (retry_failed).")
    version = property(lambda self: self._version, doc="The study version of the write that returned this snapshot "
                       "(None when the backend does not say): a reader that made the write need not read it back.")

    @property
    def params(self) -> Any:
        """The instantiated spec (a copy: changing it changes nothing stored)."""
        return copy.deepcopy(self._params)

    @property
    def intermediate_values(self) -> dict[int, float]:
        """{step: value} of every report(), in step order (a copy)."""
        return dict(self._intermediate)

    @property
    def curve(self) -> list[float]:
        """The intermediate values in step order."""
        return list(self._intermediate.values())

    @property
    def duration(self) -> timedelta | None:
        """Wall time from ask to tell, None while running."""
        return None if self._datetime_complete is None else self._datetime_complete - self._datetime_start

    def with_intermediate(self, step: int, value: float) -> FrozenTrial:
        """This snapshot with one more (or one replaced) intermediate value."""
        return self.with_intermediates([(step, value)])

    def with_intermediates(self, values: Iterable[tuple[int, float]]) -> FrozenTrial:
        """This snapshot with more (or replaced) intermediate values, (step, value) pairs."""
        curve = dict(self._intermediate)
        curve.update((int(step), float(value)) for step, value in values)
        return self.replace(intermediate_values=curve)

    def replace(self, **changes: Any) -> FrozenTrial:
        """A new snapshot with some fields changed (what a storage uses to build the next version)."""
        fields = {"number": self._number, "state": self._state, "params": self._params, "point": self._point,
                  "value": self._value, "noise": self._noise, "error": self._error,
                  "intermediate_values": self._intermediate, "datetime_start": self._datetime_start,
                  "datetime_complete": self._datetime_complete, "worker": self._worker,
                  "late_value": self._late_value, "retry_of": self._retry_of, "version": None}
        fields.update(changes)
        return FrozenTrial(**fields)

    def __repr__(self) -> str:
        return (f"FrozenTrial(number={self._number}, state={self._state.value}, value={self._value}, "
                f"params={self._params!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return (self._number, self._state, self._value, self._noise, self._error, self._intermediate,
                self._late_value, self._params) == (other._number, other._state, other._value, other._noise,
                                                    other._error, other._intermediate, other._late_value,
                                                    other._params) and bool(np.array_equal(self._point, other._point))

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class StudyRecord:
    """A study as stored: its name, direction and the search space's fingerprint.

    `dimensions` ([{"name", "kind", "levels"}]) identifies the space; `space` is the pickled spec when it could
    be pickled (a spec with lambdas cannot: then load_study needs the space passed again)."""

    study_id: int
    name: str
    direction: str
    dimensions: list[dict[str, Any]]
    space: bytes | None = None
    created: datetime = field(default_factory=datetime.now)


@dataclass(frozen=True)
class StudySummary:
    """Counts per state, best value and last activity of one study (what `hyperengine studies` prints)."""

    name: str
    direction: str
    counts: MappingProxyType[str, int]
    best_value: float | None
    last_activity: datetime | None
    enqueued: int = 0

    @property
    def n_trials(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TrialChanges:
    """The trials changed since a version (each in its latest state) and the version they bring the reader to."""

    trials: list[FrozenTrial]
    version: int
