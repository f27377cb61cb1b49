"""The SQL storage: one code path for SQLite and PostgreSQL (a Dialect adapts connection and quirks).

Every contract step is one short transaction: writes take the write lock first (SQLite `BEGIN IMMEDIATE`;
PostgreSQL the study's row, locked by the `UPDATE studies` that gives the step its version), so trial numbers,
queue claims and tells are serialized per study and committed in version order. Reads use the version first:
trials committed after it are read again on the next call, never missed.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import weakref
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from hyperengine.storage.base import BaseStorage
from hyperengine.storage.dialect import Dialect
from hyperengine.storage.errors import (
    CorruptStateError,
    DuplicateStudyError,
    ProposalConflictError,
    SchemaVersionError,
    TrialNotRunningError,
    UnknownStudyError,
)
from hyperengine.storage.frozen import FrozenTrial, StudyRecord, StudySummary, TrialChanges, TrialState
from hyperengine.storage.in_memory import IMPORTED_RUNNING, STALE_PREFIX, _not_running, stale_reason, within
from hyperengine.storage.schema import SCHEMA_VERSION, TABLES, create_statements, migrations

INSERT_ROWS = 100  # steps per INSERT statement: 300 parameters, under every SQLite build's limit (999 before 3.32)
TRIAL_COLUMNS = ("id, number, state, point, params, value, noise, error, worker, datetime_start, "
                 "datetime_complete, late_value, retry_of")


class SQLStorage(BaseStorage):
    """Studies in a SQL database (see sqlite.py and postgres.py for the two dialects)."""

    shared = True

    def __init__(self, url: str, dialect: Dialect, check_version: bool = True) -> None:
        self._url = url
        self._dialect = dialect
        self._lock = threading.RLock()
        self._connection = dialect.connect()
        # a storage dropped without close() closes its connection when collected (quietly, no ResourceWarning)
        self._finalizer = weakref.finalize(self, self._connection.close)
        self._statements: dict[str, str] = {}
        # what this connection last saw of a study, valid while the dialect's data_version() is the same (no
        # other connection committed since): {study id: (data version, study version)}, kept up to date by this
        # connection's own writes; and {study id: data version} of the studies whose queue was seen empty
        self._seen_versions: dict[int, tuple[int, int]] = {}
        self._seen_empty_queues: dict[int, int] = {}
        # the trials this connection started and has not told: {(study id, number): (point and params as stored
        # text, then as the ask's snapshot holds them)}; a tell whose row still holds that text reuses the data
        # instead of decoding the row's JSON (a read-only point array, and params only snapshots share)
        self._started: dict[tuple[int, int], _Started] = {}
        try:
            self._prepare(check_version)
            try:
                dialect.configure(self._connection)
            except Exception as error:
                raise dialect.translate(error) or error from error
        except BaseException:
            self._connection.close()
            raise

    @property
    def url(self) -> str:
        return self._url

    # -- transactions ---------------------------------------------------------------------------------------
    def _sql(self, statement: str) -> str:
        converted = self._statements.get(statement)
        if converted is None:
            converted = self._statements[statement] = self._dialect.sql(statement)
        return converted

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[_Cursor]:
        with self._lock:
            cursor = self._connection.cursor()
            try:
                try:
                    (self._dialect.begin_write if write else self._dialect.begin_read)(cursor)
                    yield _Cursor(cursor, self._sql)
                    self._dialect.commit(self._connection, cursor)
                except BaseException:
                    self._forget_seen()  # a version, queue or trial start the rolled back writes saw never happened
                    self._dialect.rollback(self._connection, cursor)
                    raise
            except Exception as error:
                translated = self._dialect.translate(error)
                if translated is not None:
                    raise translated from error
                raise
            finally:
                cursor.close()

    def _data_version(self) -> int | None:
        """The dialect's data_version(): unchanged while no other connection commits (None: not known)."""
        try:
            return self._dialect.data_version(self._connection)
        except Exception as error:
            raise self._dialect.translate(error) or error from error

    def _forget_seen(self) -> None:
        self._seen_versions.clear()
        self._seen_empty_queues.clear()
        self._started.clear()

    def _prepare(self, check_version: bool) -> None:
        """Create the schema in an empty database; refuse a foreign, newer or (unless upgrading) older one."""
        with self._transaction(write=True) as cursor:
            self._dialect.lock_schema(cursor.raw)
            tables = self._dialect.table_names(cursor.raw)
            ours = tables & set(TABLES)
            if not ours:
                if tables and self._dialect.refuse_foreign_tables:
                    raise CorruptStateError(f"{self._dialect.location}: not a hyperengine store (it holds the "
                                            f"tables {', '.join(sorted(tables))}); left untouched")
                for statement in create_statements(self._dialect.types):
                    cursor.execute(statement)
                return
            if "hyperengine_schema" not in tables or ours != set(TABLES):
                raise CorruptStateError(f"{self._dialect.location}: a damaged hyperengine store (tables present: "
                                        f"{', '.join(sorted(ours))}; expected {', '.join(TABLES)}); left untouched")
            version = self._read_version(cursor)
        if check_version and version != SCHEMA_VERSION:
            raise _version_error(self._dialect.location, version, self._url)

    def _read_version(self, cursor: _Cursor) -> int:
        rows = cursor.execute("SELECT version FROM hyperengine_schema").fetchall()
        if len(rows) != 1 or not isinstance(rows[0][0], int):
            raise CorruptStateError(f"{self._dialect.location}: the schema version table holds {rows!r}")
        return int(rows[0][0])

    def schema_version(self) -> int:
        """The schema version of the database."""
        with self._transaction(write=False) as cursor:
            return self._read_version(cursor)

    def upgrade(self) -> tuple[int, int]:
        """Run the migrations from the database's version to the current one: (old, new) versions."""
        with self._transaction(write=True) as cursor:
            old = self._read_version(cursor)
            if old < 1:
                raise CorruptStateError(f"{self._dialect.location}: schema version {old} was never written by "
                                        "hyperengine")
            if old > SCHEMA_VERSION:
                raise _version_error(self._dialect.location, old, self._url)
            for version in range(old + 1, SCHEMA_VERSION + 1):
                for statement in migrations(version, self._dialect.types):
                    cursor.execute(statement)
            cursor.execute("UPDATE hyperengine_schema SET version = ?", (SCHEMA_VERSION,))
        return old, SCHEMA_VERSION

    # -- studies --------------------------------------------------------------------------------------------
    def create_study(self, name: str, direction: str, dimensions: list[dict[str, Any]],
                     space: bytes | None) -> StudyRecord:
        created = time.time()
        try:
            with self._transaction(write=True) as cursor:
                if cursor.execute("SELECT id FROM studies WHERE name = ?", (name,)).fetchone() is not None:
                    raise DuplicateStudyError(f"a study named {name!r} exists in {self._url}")
                row = cursor.execute(
                    "INSERT INTO studies (name, direction, dimensions, space, created, last_activity) "
                    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (name, direction, json.dumps(dimensions), space, created, created)).fetchone()
        except Exception as error:
            if self._dialect.is_unique_violation(error):
                raise DuplicateStudyError(f"a study named {name!r} exists in {self._url}") from error
            raise
        return StudyRecord(int(row[0]), name, direction, dimensions, space, datetime.fromtimestamp(created))

    def load_study(self, name: str) -> StudyRecord:
        with self._transaction(write=False) as cursor:
            row = cursor.execute("SELECT id, name, direction, dimensions, space, created FROM studies "
                                 "WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise UnknownStudyError(f"no study named {name!r} in {self._url}")
        return self._study_record(row)

    def delete_study(self, name: str) -> None:
        with self._transaction(write=True) as cursor:
            row = cursor.execute("SELECT id FROM studies WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise UnknownStudyError(f"no study named {name!r} in {self._url}")
            cursor.execute("DELETE FROM intermediate WHERE trial_id IN (SELECT id FROM trials WHERE study_id = ?)",
                           (row[0],))
            cursor.execute("DELETE FROM trials WHERE study_id = ?", (row[0],))
            cursor.execute("DELETE FROM queue WHERE study_id = ?", (row[0],))
            cursor.execute("DELETE FROM studies WHERE id = ?", (row[0],))
            self._forget_seen()

    def list_studies(self) -> list[StudyRecord]:
        with self._transaction(write=False) as cursor:
            rows = cursor.execute("SELECT id, name, direction, dimensions, space, created FROM studies "
                                  "ORDER BY id").fetchall()
        return [self._study_record(row) for row in rows]

    def _study_record(self, row: Sequence[Any]) -> StudyRecord:
        try:
            dimensions = json.loads(row[3])
        except (TypeError, ValueError) as error:
            raise CorruptStateError(f"{self._dialect.location}: study {row[1]!r} has unreadable dimensions") from error
        space = bytes(row[4]) if row[4] is not None else None
        return StudyRecord(int(row[0]), row[1], row[2], dimensions, space, datetime.fromtimestamp(row[5]))

    def study_summaries(self) -> list[StudySummary]:
        with self._transaction(write=False) as cursor:
            studies = cursor.execute("SELECT id, name, direction, last_activity FROM studies ORDER BY id").fetchall()
            counts = cursor.execute("SELECT study_id, state, COUNT(*) FROM trials GROUP BY study_id, state").fetchall()
            bests = cursor.execute("SELECT study_id, MIN(value), MAX(value) FROM trials WHERE state = 'complete' "
                                   "GROUP BY study_id").fetchall()
            queued = cursor.execute("SELECT study_id, COUNT(*) FROM queue GROUP BY study_id").fetchall()
        per_study: dict[int, dict[str, int]] = {row[0]: {s.value: 0 for s in TrialState} for row in studies}
        for study_id, state, count in counts:
            per_study[study_id][state] = int(count)
        best = {row[0]: (row[1], row[2]) for row in bests}
        waiting = {row[0]: int(row[1]) for row in queued}
        summaries = []
        for study_id, name, direction, last in studies:
            low, high = best.get(study_id, (None, None))
            summaries.append(StudySummary(name, direction, MappingProxyType(per_study[study_id]),
                                          high if direction == "maximize" else low,
                                          datetime.fromtimestamp(last) if last is not None else None,
                                          waiting.get(study_id, 0)))
        return summaries

    # -- the queue ------------------------------------------------------------------------------------------
    def enqueue_trial(self, study_id: int, point: Sequence[float], params: Any, retry_of: int | None = None) -> None:
        with self._transaction(write=True) as cursor:
            self._bump(cursor, study_id)
            self._insert_queued(cursor, study_id, _dump_point(point), self.encoded_params(params), retry_of)

    def _insert_queued(self, cursor: _Cursor, study_id: int, point: str, params: str | None,
                       retry_of: int | None) -> None:
        """Queue a configuration; the study's queue is no longer known to be empty."""
        cursor.execute("INSERT INTO queue (study_id, point, params, retry_of) VALUES (?, ?, ?, ?)",
                       (study_id, point, params, retry_of))
        self._seen_empty_queues.pop(study_id, None)

    def count_enqueued(self, study_id: int) -> int:
        with self._transaction(write=False) as cursor:
            return int(cursor.execute("SELECT COUNT(*) FROM queue WHERE study_id = ?", (study_id,)).fetchone()[0])

    def claim_enqueued(self, study_id: int, worker: str) -> FrozenTrial | None:
        with self._lock:  # a cheap look first: most asks find the queue empty, and still empty
            stamp = self._data_version()
            if stamp is not None and self._seen_empty_queues.get(study_id) == stamp:
                return None
            with self._transaction(write=False) as cursor:
                if cursor.execute("SELECT 1 FROM queue WHERE study_id = ? LIMIT 1", (study_id,)).fetchone() is None:
                    if stamp is not None:
                        self._seen_empty_queues[study_id] = stamp
                    return None
        with self._transaction(write=True) as cursor:
            cursor.execute("UPDATE studies SET last_activity = last_activity WHERE id = ?", (study_id,))  # row lock
            row = cursor.execute("SELECT id, point, params, retry_of FROM queue WHERE study_id = ? ORDER BY id "
                                 "LIMIT 1", (study_id,)).fetchone()
            if row is None:  # claimed by another worker since the look
                return None
            version, number = self._bump(cursor, study_id, new_trial=True)
            cursor.execute("DELETE FROM queue WHERE id = ?", (row[0],))
            return self._insert_trial(cursor, study_id, version, number, worker, row[1], row[2], row[3],
                                      json.loads(row[1]), _load_params(row[2]))

    def get_enqueued(self, study_id: int) -> list[tuple[list[float], Any]]:
        with self._transaction(write=False) as cursor:
            rows = cursor.execute("SELECT point, params FROM queue WHERE study_id = ? ORDER BY id",
                                  (study_id,)).fetchall()
        return [(json.loads(point), _load_params(params)) for point, params in rows]

    # -- trials ---------------------------------------------------------------------------------------------
    def import_trials(self, study_id: int, trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
        numbers = []
        with self._transaction(write=True) as cursor:
            for trial in trials:
                state, error = (trial.state, trial.error) if trial.state.is_finished() else (
                    TrialState.FAILED, IMPORTED_RUNNING)
                complete = trial.datetime_complete.timestamp() if trial.datetime_complete else (
                    None if trial.state.is_finished() else time.time())
                version, number = self._bump(cursor, study_id, new_trial=True)
                trial_id = cursor.execute(
                    "INSERT INTO trials (study_id, number, state, point, params, value, noise, error, worker, "
                    "datetime_start, datetime_complete, changed, late_value, reported) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (study_id, number, state.value, _dump_point(trial.point.tolist()),
                     self.encoded_params(trial.params), trial.value, trial.noise, error, trial.worker,
                     trial.datetime_start.timestamp(), complete, version, trial.late_value,
                     len(trial.intermediate_values))).fetchone()[0]
                self._insert_intermediate(cursor, trial_id, list(trial.intermediate_values.items()))
                numbers.append(number)
            if not numbers:
                return []
            return self._read_trials(cursor, "t.study_id = ? AND t.number >= ?", (study_id, numbers[0]))

    def create_trial(self, study_id: int, worker: str, point: Sequence[float], params: Any,
                     distinct_from: int | None = None, gap: float = 0.0) -> FrozenTrial:
        with self._transaction(write=True) as cursor:
            version, number = self._bump(cursor, study_id, new_trial=True)  # also the study row's lock (PostgreSQL)
            if distinct_from is not None and distinct_from < number:  # else no trial was started unseen
                unseen = cursor.execute("SELECT number, point FROM trials WHERE study_id = ? AND number >= ? "
                                        "AND worker <> ?", (study_id, distinct_from, worker)).fetchall()
                for other, stored in unseen:
                    if within(point, json.loads(stored), gap):
                        raise ProposalConflictError(f"trial {other} of another worker was started at {stored}")
            return self._insert_trial(cursor, study_id, version, number, worker, _dump_point(point),
                                      self.encoded_params(params), None, point, params)

    def _insert_trial(self, cursor: _Cursor, study_id: int, version: int, number: int, worker: str, point: str,
                      params: str | None, retry_of: int | None, point_data: Sequence[float], params_data: Any
                      ) -> FrozenTrial:
        """Insert a running trial (point and params as stored text) and return its snapshot, built from the same
        values as data (storable() data, the store's own copy: no JSON read back)."""
        now = time.time()
        cursor.execute("INSERT INTO trials (study_id, number, state, point, params, worker, datetime_start, "
                       "heartbeat, changed, retry_of) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                       (study_id, number, point, params, worker, now, now, version, retry_of))
        snapshot = FrozenTrial(number, TrialState.RUNNING, params_data, point_data,
                               datetime_start=datetime.fromtimestamp(now), worker=worker, retry_of=retry_of,
                               version=version)
        self._started[study_id, number] = _Started(point, params, snapshot.point, params_data)
        return snapshot

    def finish_trial(self, study_id: int, number: int, state: TrialState, value: float | None, noise: float,
                     error: str | None, intermediate: Sequence[tuple[int, float]] = ()) -> FrozenTrial:
        with self._transaction(write=True) as cursor:
            failure = self._finish(cursor, study_id, number, state, value, noise, error, intermediate)
            if isinstance(failure, FrozenTrial):
                return failure
        raise failure  # after the commit: a late value is kept

    def _finish(self, cursor: _Cursor, study_id: int, number: int, state: TrialState, value: float | None,
                noise: float, error: str | None, intermediate: Sequence[tuple[int, float]] = ()
                ) -> FrozenTrial | TrialNotRunningError:
        """The told trial (its last `intermediate` steps written with it), or the error to raise once the
        transaction (which may keep a late value) commits."""
        version, _ = self._bump(cursor, study_id)
        started = self._started.pop((study_id, number), None)
        now = time.time()
        told = cursor.execute(
            f"UPDATE trials SET state = ?, value = ?, noise = ?, error = ?, datetime_complete = ?, changed = ?, "
            f"heartbeat = NULL WHERE study_id = ? AND number = ? AND state = 'running' RETURNING {TRIAL_COLUMNS}, "
            "reported", (state.value, value, noise, error, now, version, study_id, number)).fetchone()
        if told is not None:
            steps = self._insert_intermediate(cursor, told[0], intermediate)
            if told[-1]:  # reports were written before the tell: the curve is read back whole
                steps = {int(step): float(step_value) for step, step_value in cursor.execute(
                    "SELECT step, value FROM intermediate WHERE trial_id = ?", (told[0],)).fetchall()}
            if started is not None and started.point_text == told[3] and started.params_text == told[4]:
                return self._trial_from_row(told, steps, version, started)
            return self._trial_from_row(told, steps, version)
        current = self._read_trials(cursor, "t.study_id = ? AND t.number = ?", (study_id, number))
        if not current:
            raise TrialNotRunningError(f"study {study_id} has no trial {number}")
        trial = current[0]
        stale = trial.state is TrialState.FAILED and (trial.error or "").startswith(STALE_PREFIX)
        if stale and value is not None and trial.late_value is None:
            cursor.execute("UPDATE trials SET late_value = ?, changed = ? WHERE study_id = ? AND number = ?",
                           (value, version, study_id, number))
        return _not_running(trial, value, stale)

    def append_intermediate(self, study_id: int, number: int, step: int, value: float) -> None:
        self.append_intermediates(study_id, number, [(step, value)])

    def append_intermediates(self, study_id: int, number: int, values: Sequence[tuple[int, float]]) -> int | None:
        if not values:
            return None
        with self._transaction(write=True) as cursor:
            version, _ = self._bump(cursor, study_id)
            updated = cursor.execute("UPDATE trials SET changed = ?, heartbeat = ?, reported = reported + 1 "
                                     "WHERE study_id = ? AND number = ? AND state = 'running' RETURNING id",
                                     (version, time.time(), study_id, number)).fetchone()
            if updated is None:
                row = cursor.execute("SELECT state FROM trials WHERE study_id = ? AND number = ?",
                                     (study_id, number)).fetchone()
                state = "missing" if row is None else row[0]
                raise TrialNotRunningError(f"trial {number} is {state}; report() needs a running trial")
            self._insert_intermediate(cursor, updated[0], values)
        return version

    def _insert_intermediate(self, cursor: _Cursor, trial_id: int, values: Sequence[tuple[int, float]]
                             ) -> dict[int, float]:
        """Write steps of the trial with row id `trial_id` (a step written again replaces its value) in one
        statement per INSERT_ROWS steps: {step: value} of what was written."""
        steps = {int(step): float(value) for step, value in values}  # a step given twice: its last value, once
        rows = list(steps.items())  # (PostgreSQL refuses a statement that updates one row twice)
        for start in range(0, len(rows), INSERT_ROWS):
            chunk = rows[start:start + INSERT_ROWS]
            cursor.execute(_insert_steps_statement(len(chunk)),
                           [field for step, value in chunk for field in (trial_id, step, value)])
        return steps

    def heartbeat(self, study_id: int, numbers: Iterable[int]) -> None:
        alive = list(numbers)
        if not alive:
            return
        with self._transaction(write=True) as cursor:
            now = time.time()
            cursor.executemany("UPDATE trials SET heartbeat = ? WHERE study_id = ? AND number = ? "
                               "AND state = 'running'", [(now, study_id, n) for n in alive])

    def fail_stale_trials(self, study_id: int, grace: float, retry_failed: int = 0) -> list[int]:
        limit = time.time() - grace
        query = "SELECT number FROM trials WHERE study_id = ? AND state = 'running' AND heartbeat < ?"
        with self._transaction(write=False) as cursor:  # a cheap look first: usually nothing is stale
            if not cursor.execute(query, (study_id, limit)).fetchall():
                return []
        with self._transaction(write=True) as cursor:
            version, _ = self._bump(cursor, study_id)
            rows = cursor.execute("SELECT number, worker, heartbeat, point, params, retry_of FROM trials "
                                  "WHERE study_id = ? AND state = 'running' AND heartbeat < ? ORDER BY number",
                                  (study_id, limit)).fetchall()
            now = time.time()
            for number, worker, beat, point, params, retry_of in rows:
                cursor.execute("UPDATE trials SET state = 'failed', error = ?, datetime_complete = ?, changed = ?, "
                               "heartbeat = NULL WHERE study_id = ? AND number = ?",
                               (stale_reason(worker, beat, grace), now, version, study_id, number))
                root = retry_of if retry_of is not None else number
                retries = cursor.execute(
                    "SELECT (SELECT COUNT(*) FROM trials WHERE study_id = ? AND retry_of = ?) + "
                    "(SELECT COUNT(*) FROM queue WHERE study_id = ? AND retry_of = ?)",
                    (study_id, root, study_id, root)).fetchone()[0]
                if retries < retry_failed:
                    self._insert_queued(cursor, study_id, point, params, root)
            return [int(row[0]) for row in rows]

    def trials_since(self, study_id: int, version: int, known: Collection[int] = ()) -> TrialChanges:
        with self._lock:
            stamp = self._data_version()  # before the version is read: a commit after it is seen next time
            seen = self._seen_versions.get(study_id)
            if stamp is not None and seen is not None and seen[0] == stamp and _up_to_date(seen[1], version, known):
                return TrialChanges([], seen[1])  # no other connection committed, and this one's writes are known
            with self._transaction(write=False) as cursor:
                row = cursor.execute("SELECT version FROM studies WHERE id = ?", (study_id,)).fetchone()
                if row is None:
                    raise UnknownStudyError(f"no study with id {study_id} in {self._url} (deleted?)")
                current = int(row[0])
                if stamp is not None:
                    self._seen_versions[study_id] = (stamp, current)
                if _up_to_date(current, version, known):
                    return TrialChanges([], current)
                trials = self._read_trials(cursor, "t.study_id = ? AND t.changed > ?", (study_id, version))
        return TrialChanges(trials, current)

    def _read_trials(self, cursor: _Cursor, where: str, arguments: tuple[Any, ...]) -> list[FrozenTrial]:
        rows = cursor.execute(f"SELECT {TRIAL_COLUMNS.replace('id, ', 't.id, ', 1)} FROM trials t WHERE {where} "
                              "ORDER BY t.number", arguments).fetchall()
        if not rows:
            return []
        curves: dict[int, dict[int, float]] = {row[0]: {} for row in rows}
        for trial_id, step, value in cursor.execute(
                f"SELECT i.trial_id, i.step, i.value FROM intermediate i JOIN trials t ON t.id = i.trial_id "
                f"WHERE {where}", arguments).fetchall():
            if trial_id in curves:  # a trial changed between the two reads is read again next time
                curves[trial_id][int(step)] = float(value)
        return [self._trial_from_row(row, curves[row[0]]) for row in rows]

    def _trial_from_row(self, row: Sequence[Any], curve: dict[int, float], version: int | None = None,
                        started: _Started | None = None) -> FrozenTrial:
        """A snapshot from a row of TRIAL_COLUMNS and its intermediate values (its point and params those of
        `started`, the same stored text, when given); CorruptStateError if unreadable."""
        try:
            if started is not None:
                params, point = started.params, started.point
            else:
                params, point = _load_params(row[4]), json.loads(row[3])
            return FrozenTrial(
                number=row[1], state=TrialState(row[2]), params=params, point=point,
                value=row[5], noise=row[6], error=row[7], intermediate_values=curve,
                datetime_start=datetime.fromtimestamp(row[9]),
                datetime_complete=datetime.fromtimestamp(row[10]) if row[10] is not None else None,
                worker=row[8], late_value=row[11], retry_of=row[12], version=version)
        except (TypeError, ValueError) as error:
            raise CorruptStateError(f"{self._dialect.location}: trial {row[1]} is unreadable ({error})") from error

    def _bump(self, cursor: _Cursor, study_id: int, new_trial: bool = False) -> tuple[int, int]:
        """Give the study its next version (and, for a new trial, take the next number): (version, number)."""
        row = cursor.execute(
            "UPDATE studies SET version = version + 1, next_number = next_number + ?, last_activity = ? "
            "WHERE id = ? RETURNING version, next_number", (1 if new_trial else 0, time.time(), study_id)).fetchone()
        if row is None:
            raise UnknownStudyError(f"no study with id {study_id} in {self._url} (deleted?)")
        seen = self._seen_versions.get(study_id)
        if seen is not None:  # this connection's own write: the data version stays (another's changes it)
            self._seen_versions[study_id] = (seen[0], int(row[0]))
        return int(row[0]), int(row[1]) - 1

    def close(self) -> None:
        with self._lock:
            self._finalizer()


class _Started(NamedTuple):
    """A trial this connection started: its point and params as stored text and as data."""

    point_text: str
    params_text: str | None
    point: Any
    params: Any


class _Cursor:
    """A DB-API cursor whose execute() takes `?` statements and returns itself (for chaining fetches)."""

    def __init__(self, raw: Any, sql: Any) -> None:
        self.raw = raw
        self._sql = sql

    def execute(self, statement: str, arguments: Sequence[Any] = ()) -> Any:
        self.raw.execute(self._sql(statement), arguments)
        return self.raw

    def executemany(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        self.raw.executemany(self._sql(statement), rows)


def _up_to_date(current: int, version: int, known: Collection[int]) -> bool:
    """True when a reader at `version` that absorbed the writes `known` has seen every change up to `current`."""
    return current == version or (current - version <= len(known)
                                  and all(v in known for v in range(version + 1, current + 1)))


def _version_error(location: str, version: int, url: str) -> SchemaVersionError:
    if version > SCHEMA_VERSION:
        return SchemaVersionError(f"{location}: written with store schema version {version}, newer than this "
                                  f"hyperengine's version {SCHEMA_VERSION}: upgrade hyperengine to open it")
    return SchemaVersionError(f"{location}: store schema version {version} is older than this hyperengine's "
                              f"version {SCHEMA_VERSION}: run `hyperengine storage upgrade {url}`")


@functools.cache
def _insert_steps_statement(rows: int) -> str:
    """One INSERT of `rows` intermediate steps: a multi-row VALUES costs about half of executemany's row-by-row
    statements (docs/benchmarks.md, "Study storage")."""
    return (f"INSERT INTO intermediate (trial_id, step, value) VALUES {', '.join(['(?, ?, ?)'] * rows)} "
            "ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value")


def _dump_point(point: Sequence[float]) -> str:
    return json.dumps([float(x) for x in point])


def _load_params(text: str | None) -> Any:
    return None if text is None else json.loads(text)
