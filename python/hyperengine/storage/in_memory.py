"""The in-memory storage: one process, the default when no storage is given. A lock makes it thread safe
(the heartbeat thread and the user's threads may call it at once)."""

from __future__ import annotations

import bisect
import copy
import threading
import time
from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hyperengine.storage.base import BaseStorage
from hyperengine.storage.errors import (
    DuplicateStudyError,
    ProposalConflictError,
    StaleTrialError,
    TrialNotRunningError,
    UnknownStudyError,
)
from hyperengine.storage.frozen import FrozenTrial, StudyRecord, TrialChanges, TrialState

STALE_PREFIX = "heartbeat:"  # the error of a trial failed for a missed heartbeat starts with this
IMPORTED_RUNNING = "running in the study it was copied from (its worker cannot finish it here)"


@dataclass
class _Queued:
    point: list[float]
    params: Any
    retry_of: int | None


@dataclass
class _StudyData:
    record: StudyRecord
    trials: list[FrozenTrial] = field(default_factory=list)
    heartbeats: dict[int, float] = field(default_factory=dict)  # number -> time of the last beat, RUNNING only
    queue: deque[_Queued] = field(default_factory=deque)
    version: int = 0
    log_versions: list[int] = field(default_factory=list)  # the change log, sorted: version[i] changed number[i]
    log_numbers: list[int] = field(default_factory=list)


class InMemoryStorage(BaseStorage):
    """Studies held in this process's memory; gone when it ends."""

    stores_objects = True

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._studies: dict[str, _StudyData] = {}
        self._by_id: dict[int, _StudyData] = {}
        self._next_id = 1

    @property
    def url(self) -> str:
        return ":memory:"

    # -- studies --------------------------------------------------------------------------------------------
    def create_study(self, name: str, direction: str, dimensions: list[dict[str, Any]],
                     space: bytes | None) -> StudyRecord:
        with self._lock:
            if name in self._studies:
                raise DuplicateStudyError(f"a study named {name!r} exists in {self.url}")
            record = StudyRecord(self._next_id, name, direction, copy.deepcopy(dimensions), space)
            self._next_id += 1
            self._studies[name] = self._by_id[record.study_id] = _StudyData(record)
            self._changed()
            return record

    def load_study(self, name: str) -> StudyRecord:
        with self._lock:
            if name not in self._studies:
                raise UnknownStudyError(f"no study named {name!r} in {self.url}")
            return self._studies[name].record

    def delete_study(self, name: str) -> None:
        with self._lock:
            data = self._studies.pop(name, None)
            if data is None:
                raise UnknownStudyError(f"no study named {name!r} in {self.url}")
            del self._by_id[data.record.study_id]
            self._changed()

    def list_studies(self) -> list[StudyRecord]:
        with self._lock:
            return [data.record for data in self._studies.values()]

    # -- the queue ------------------------------------------------------------------------------------------
    def enqueue_trial(self, study_id: int, point: Sequence[float], params: Any, retry_of: int | None = None) -> None:
        with self._lock:
            self._study(study_id).queue.append(_Queued(list(point), copy.deepcopy(params), retry_of))
            self._changed()

    def count_enqueued(self, study_id: int) -> int:
        with self._lock:
            return len(self._study(study_id).queue)

    def claim_enqueued(self, study_id: int, worker: str) -> FrozenTrial | None:
        with self._lock:
            data = self._study(study_id)
            if not data.queue:
                return None
            queued = data.queue.popleft()
            return self._add_trial(data, worker, queued.point, queued.params, queued.retry_of)

    def get_enqueued(self, study_id: int) -> list[tuple[list[float], Any]]:
        with self._lock:
            return [(list(q.point), copy.deepcopy(q.params)) for q in self._study(study_id).queue]

    # -- trials ---------------------------------------------------------------------------------------------
    def import_trials(self, study_id: int, trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
        with self._lock:
            data = self._study(study_id)
            stored = []
            for trial in trials:
                state, error = (trial.state, trial.error) if trial.state.is_finished() else (
                    TrialState.FAILED, IMPORTED_RUNNING)
                copied = trial.replace(number=len(data.trials), state=state, error=error,
                                       params=copy.deepcopy(trial.params), retry_of=None,
                                       datetime_complete=trial.datetime_complete or (
                                           None if trial.state.is_finished() else datetime.now()))
                data.trials.append(copied)
                self._bump(data, copied.number)
                stored.append(copied)
            self._changed()
            return stored

    def create_trial(self, study_id: int, worker: str, point: Sequence[float], params: Any,
                     distinct_from: int | None = None, gap: float = 0.0) -> FrozenTrial:
        with self._lock:
            data = self._study(study_id)
            for other in data.trials[distinct_from:] if distinct_from is not None else ():
                if other.worker != worker and within(point, other.point, gap):
                    raise ProposalConflictError(f"trial {other.number} of another worker was started at "
                                                f"{other.point.tolist()}")
            return self._add_trial(data, worker, point, copy.deepcopy(params), None)

    def _add_trial(self, data: _StudyData, worker: str, point: Sequence[float], params: Any,
                   retry_of: int | None) -> FrozenTrial:
        trial = FrozenTrial(len(data.trials), TrialState.RUNNING, params, point, worker=worker, retry_of=retry_of)
        data.trials.append(trial)
        data.heartbeats[trial.number] = time.time()
        self._bump(data, trial.number)
        self._changed()
        return trial

    def finish_trial(self, study_id: int, number: int, state: TrialState, value: float | None, noise: float,
                     error: str | None, intermediate: Sequence[tuple[int, float]] = ()) -> FrozenTrial:
        with self._lock:
            data = self._study(study_id)
            trial = self._trial(data, number)
            if trial.state is not TrialState.RUNNING:
                stale = trial.state is TrialState.FAILED and (trial.error or "").startswith(STALE_PREFIX)
                if stale and value is not None and trial.late_value is None:
                    data.trials[number] = trial.replace(late_value=value)
                    self._bump(data, number)
                    self._changed()
                raise _not_running(trial, value, stale)
            if intermediate:
                trial = trial.with_intermediates(intermediate)
            finished = trial.replace(state=state, value=value, noise=noise, error=error,
                                     datetime_complete=datetime.now())
            data.trials[number] = finished
            data.heartbeats.pop(number, None)
            self._bump(data, number)
            self._changed()
            return finished

    def append_intermediate(self, study_id: int, number: int, step: int, value: float) -> None:
        with self._lock:
            data = self._study(study_id)
            trial = self._trial(data, number)
            if trial.state is not TrialState.RUNNING:
                raise TrialNotRunningError(f"trial {number} is {trial.state.value}; report() needs a running trial")
            data.trials[number] = trial.with_intermediate(int(step), float(value))
            data.heartbeats[number] = time.time()
            self._bump(data, number)
            self._changed()

    def heartbeat(self, study_id: int, numbers: Iterable[int]) -> None:
        with self._lock:
            data = self._study(study_id)
            now = time.time()
            for number in numbers:
                if number in data.heartbeats:
                    data.heartbeats[number] = now

    def fail_stale_trials(self, study_id: int, grace: float, retry_failed: int = 0) -> list[int]:
        with self._lock:
            data = self._study(study_id)
            limit = time.time() - grace
            stale = sorted(number for number, beat in data.heartbeats.items() if beat < limit)
            for number in stale:
                trial = data.trials[number]
                data.trials[number] = trial.replace(
                    state=TrialState.FAILED, datetime_complete=datetime.now(),
                    error=stale_reason(trial.worker, data.heartbeats.pop(number), grace))
                self._bump(data, number)
                root = trial.retry_of if trial.retry_of is not None else number
                retries = sum(t.retry_of == root for t in data.trials) + sum(q.retry_of == root for q in data.queue)
                if retries < retry_failed:
                    data.queue.append(_Queued(list(trial.point), trial.params, root))
            if stale:
                self._changed()
            return stale

    def trials_since(self, study_id: int, version: int, known: Collection[int] = ()) -> TrialChanges:
        with self._lock:
            data = self._study(study_id)
            start = bisect.bisect_right(data.log_versions, version)
            numbers = sorted(set(data.log_numbers[start:]))
            return TrialChanges([data.trials[n] for n in numbers], data.version)

    # -- helpers --------------------------------------------------------------------------------------------
    def _study(self, study_id: int) -> _StudyData:
        data = self._by_id.get(study_id)
        if data is None:
            raise UnknownStudyError(f"no study with id {study_id} in {self.url} (deleted?)")
        return data

    @staticmethod
    def _trial(data: _StudyData, number: int) -> FrozenTrial:
        if not 0 <= number < len(data.trials):
            raise TrialNotRunningError(f"study {data.record.name!r} has no trial {number}")
        return data.trials[number]

    @staticmethod
    def _bump(data: _StudyData, number: int) -> None:
        data.version += 1
        data.log_versions.append(data.version)
        data.log_numbers.append(number)

    def _changed(self) -> None:
        """Called after every change, under the lock (a persisting subclass saves here)."""


def within(point: Sequence[float], other: Sequence[float], gap: float) -> bool:
    """True when two points are at most `gap` apart in max-norm."""
    return max((abs(a - b) for a, b in zip(point, other, strict=True)), default=0.0) <= gap


def stale_reason(worker: str | None, last_beat: float, grace: float) -> str:
    """The error of a trial failed because its worker stopped beating."""
    when = datetime.fromtimestamp(last_beat).isoformat(timespec="seconds")
    return f"{STALE_PREFIX} worker {worker} sent no heartbeat since {when} (grace period {grace:g} s)"


def _not_running(trial: FrozenTrial, value: float | None, stale: bool) -> TrialNotRunningError:
    if stale:
        kept = f"; the value {value!r} is kept as the trial's late_value" if value is not None else ""
        return StaleTrialError(f"trial {trial.number} was failed ({trial.error}){kept}")
    return TrialNotRunningError(f"trial {trial.number} is already {trial.state.value}")
