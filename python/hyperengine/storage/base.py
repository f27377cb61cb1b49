"""The storage contract every backend implements: studies, an enqueue queue, trials and their heartbeats.

What a backend guarantees, whatever it is (in memory, one JSON file, SQLite, PostgreSQL):

- Each method is one atomic step: it happens wholly or not at all, and concurrent callers (threads, or
  processes for the shared backends) see each other's steps in one order.
- Trial numbers are unique in a study, from 0 upward, in the order trials were created.
- An enqueued configuration is claimed by exactly one `claim_enqueued` call.
- `finish_trial` changes only a RUNNING trial: a trial is told once. Telling a trial that was failed for a
  missed heartbeat keeps the value on the trial (`late_value`) and raises StaleTrialError.
- `append_intermediate` adds (or replaces) one step of a RUNNING trial; nothing else of the trial is rewritten.
  `append_intermediates` adds several steps in one write, and `finish_trial` writes the last ones with the
  result (a study batches a fast loop's reports so: see Study's report_interval).
- Every change to a study's trials gives the study a new, larger version, and the trial that changed records it:
  `trials_since(study_id, v)` returns each trial changed after version v (in its latest state, with its
  intermediate values) and the version it brings the reader to. A reader that passes back that version reads
  only what changed since (no full reload).
- What a storage returns is a snapshot (FrozenTrial, StudyRecord): changing it changes nothing stored.

Values are as the user told them (not sign-flipped for minimization); points are unit-cube coordinates; params
are JSON data (or any object for a backend whose `stores_objects` is True) or None, meaning "instantiate the
spec at the point". Times are the writer's clock (time.time()): workers on several machines need synchronized
clocks (NTP) for heartbeats to mean anything.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from types import MappingProxyType
from typing import Any

from hyperengine.storage.frozen import FrozenTrial, StudyRecord, StudySummary, TrialChanges, TrialState


class BaseStorage(ABC):
    """Where studies live. See the module docstring for the contract; docs/storage.md for the backends."""

    #: True when several processes may use the same store at once (heartbeats then matter).
    shared: bool = False
    #: True when params may be any Python object (kept as is); False when they must be JSON data.
    stores_objects: bool = False
    #: (data, its JSON text) of the last storable() call; read and replaced whole, so safe across threads
    _last_encoded: tuple[Any, str] | None = None

    @property
    @abstractmethod
    def url(self) -> str:
        """The URL (or path) this storage was opened with, for messages and for other workers."""

    def storable(self, params: Any) -> Any:
        """params as this backend keeps them: as is (stores_objects), else the JSON data that reads back equal
        (a copy, as a reader of the store gets it), else None (a reader then instantiates the spec at the trial's
        point)."""
        if self.stores_objects:
            return params
        try:
            text = json.dumps(params, allow_nan=False)
            data = json.loads(text)
        except (TypeError, ValueError):
            return None
        if data != params:
            return None
        self._last_encoded = (data, text)  # the create_trial that usually follows need not encode data again
        return data

    def encoded_params(self, params: Any) -> str | None:
        """JSON data params as stored text (None stays None): the text storable() made when params is the data
        it last returned (one encoding per ask), else a new encoding."""
        if params is None:
            return None
        last = self._last_encoded
        if last is not None and last[0] is params:
            return last[1]
        return json.dumps(params, allow_nan=False)

    # -- studies --------------------------------------------------------------------------------------------
    @abstractmethod
    def create_study(self, name: str, direction: str, dimensions: list[dict[str, Any]],
                     space: bytes | None) -> StudyRecord:
        """A new empty study. DuplicateStudyError when the name exists."""

    @abstractmethod
    def load_study(self, name: str) -> StudyRecord:
        """The stored study of that name. UnknownStudyError when there is none."""

    @abstractmethod
    def delete_study(self, name: str) -> None:
        """Remove the study, its trials, their intermediate values and its queue. UnknownStudyError if absent."""

    @abstractmethod
    def list_studies(self) -> list[StudyRecord]:
        """Every study, in the order they were created."""

    def study_summaries(self) -> list[StudySummary]:
        """Counts per state, best value, last activity and queue length of every study."""
        summaries = []
        for record in self.list_studies():
            trials = self.trials_since(record.study_id, 0).trials
            counts = {state.value: 0 for state in TrialState}
            for trial in trials:
                counts[trial.state.value] += 1
            values = [t.value for t in trials if t.state is TrialState.COMPLETE and t.value is not None]
            best = (max(values) if record.direction == "maximize" else min(values)) if values else None
            times = [t.datetime_complete or t.datetime_start for t in trials]
            summaries.append(StudySummary(record.name, record.direction, MappingProxyType(counts), best,
                                          max(times) if times else None, self.count_enqueued(record.study_id)))
        return summaries

    # -- the queue ------------------------------------------------------------------------------------------
    @abstractmethod
    def enqueue_trial(self, study_id: int, point: Sequence[float], params: Any, retry_of: int | None = None) -> None:
        """Queue a configuration (its unit point and params) to be evaluated by the next asking worker."""

    @abstractmethod
    def count_enqueued(self, study_id: int) -> int:
        """How many queued configurations nobody has claimed yet."""

    @abstractmethod
    def claim_enqueued(self, study_id: int, worker: str) -> FrozenTrial | None:
        """The oldest unclaimed queued configuration as a new RUNNING trial of `worker`, or None when the queue
        is empty. Claimed exactly once, whatever the number of concurrent callers."""

    # -- trials ---------------------------------------------------------------------------------------------
    @abstractmethod
    def get_enqueued(self, study_id: int) -> list[tuple[list[float], Any]]:
        """The (point, params) of the enqueued configurations, in claiming order (read only: copy_study)."""

    @abstractmethod
    def import_trials(self, study_id: int, trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
        """Append finished trials as they are (state, value, noise, error, params, point, intermediate values,
        times, worker, late value), numbered after the study's trials in their order; a RUNNING one arrives
        FAILED (its worker is not there to finish it). One atomic step; the stored snapshots. (copy_study)"""

    @abstractmethod
    def create_trial(self, study_id: int, worker: str, point: Sequence[float], params: Any,
                     distinct_from: int | None = None, gap: float = 0.0) -> FrozenTrial:
        """A new RUNNING trial with the next number, its heartbeat set to now. With `distinct_from`, atomically
        refused (ProposalConflictError) when a trial of another worker numbered distinct_from or more (one the
        proposer had not seen) lies within `gap` (max-norm) of the point: concurrent proposals stay distinct.
        `params` is what `storable` returned; the store keeps it (the caller does not change it afterwards)."""

    @abstractmethod
    def finish_trial(self, study_id: int, number: int, state: TrialState, value: float | None, noise: float,
                     error: str | None, intermediate: Sequence[tuple[int, float]] = ()) -> FrozenTrial:
        """Tell a RUNNING trial (state COMPLETE, PRUNED or FAILED), its (step, value) `intermediate` values not
        written yet recorded in the same step. TrialNotRunningError when it is not running; StaleTrialError
        (value kept as late_value, `intermediate` dropped) when it was failed for a missed heartbeat."""

    @abstractmethod
    def append_intermediate(self, study_id: int, number: int, step: int, value: float) -> None:
        """Record one intermediate value of a RUNNING trial (a step reported again replaces the earlier value)."""

    def append_intermediates(self, study_id: int, number: int, values: Sequence[tuple[int, float]]) -> int | None:
        """Record (step, value) pairs of a RUNNING trial; a backend with transactions writes them in one and
        returns the study version of that write (None: the backend does not say)."""
        for step, value in values:
            self.append_intermediate(study_id, number, step, value)
        return None

    @abstractmethod
    def heartbeat(self, study_id: int, numbers: Iterable[int]) -> None:
        """Mark these RUNNING trials alive now (finished ones are ignored)."""

    @abstractmethod
    def fail_stale_trials(self, study_id: int, grace: float, retry_failed: int = 0) -> list[int]:
        """Fail every RUNNING trial whose last heartbeat is older than `grace` seconds, with the reason, and
        re-enqueue its configuration while fewer than `retry_failed` retries of it exist. The failed numbers."""

    @abstractmethod
    def trials_since(self, study_id: int, version: int, known: Collection[int] = ()) -> TrialChanges:
        """Every trial changed after `version`, in number order, and the study's current version. `known`: the
        versions of writes the caller made itself and holds the results of (FrozenTrial.version); when every
        change since `version` is one of them, a backend may answer with no trials without reading them."""

    def get_trials(self, study_id: int, states: Iterable[TrialState | str] | None = None) -> list[FrozenTrial]:
        """Every trial of the study (only those in `states` when given), in number order."""
        trials = self.trials_since(study_id, 0).trials
        if states is None:
            return trials
        wanted = {TrialState(state) for state in states}
        return [t for t in trials if t.state in wanted]

    def close(self) -> None:
        """Release connections and locks (the storage is unusable afterwards)."""
