"""The studies of a storage: load one, delete one, copy one to another storage, list them (names, or summaries
with counts)."""

from __future__ import annotations

import os
from typing import Any

from hyperengine.storage import (
    DEFAULT_BUSY_TIMEOUT,
    BaseStorage,
    StorageLike,
    StudySummary,
    get_storage,
    open_existing,
)
from hyperengine.storage.errors import DuplicateStudyError
from hyperengine.study.study import Study


def load_study(study_name: str, storage: StorageLike, space: Any = None, **study_params: Any) -> Study:
    """The stored study `study_name` (its space and direction come from the storage; pass `space` when the
    spec could not be stored, e.g. it holds lambdas). study_params: strategy, seed, curve_predictor,
    heartbeat_grace, retry_failed, busy_timeout, report_interval and strategy parameters, as for create_study."""
    if "direction" in study_params and study_params["direction"] is None:
        del study_params["direction"]
    return Study(space, storage=storage, study_name=study_name, load_if_exists=True, **study_params)


def delete_study(study_name: str, storage: StorageLike, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
    """Remove a study, its trials and its queue from the storage (UnknownStudyError when absent)."""
    store = get_storage(storage, busy_timeout)
    try:
        store.delete_study(study_name)
    finally:
        if store is not storage:
            store.close()


def copy_study(from_study_name: str, from_storage: StorageLike, to_storage: StorageLike,
               to_study_name: str | None = None, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> int:
    """Copy a study (its space, direction, every trial with its curve, times and worker, and its queue) into
    another storage, e.g. a JSON study file into SQLite. The numbers stay the same; a trial still RUNNING in
    the source arrives FAILED. The trials are written in one transaction; a name that exists in the target is
    refused (unless it is an empty study of the same space and direction). The number of trials copied."""
    source = (open_existing(from_storage, busy_timeout) if isinstance(from_storage, str | os.PathLike)
              else get_storage(from_storage, busy_timeout))  # a mistyped source is an error, not a new file
    try:
        target = get_storage(to_storage, busy_timeout)
        try:
            return _copy(source, target, from_study_name, to_study_name or from_study_name)
        finally:
            if target is not to_storage:
                target.close()
    finally:
        if source is not from_storage:
            source.close()


def _copy(source: BaseStorage, target: BaseStorage, name: str, new_name: str) -> int:
    record = source.load_study(name)
    trials = source.get_trials(record.study_id)
    queue = source.get_enqueued(record.study_id)
    try:
        copied = target.create_study(new_name, record.direction, record.dimensions, record.space)
    except DuplicateStudyError:
        copied = target.load_study(new_name)
        if ((copied.direction, copied.dimensions) != (record.direction, record.dimensions)
                or target.get_trials(copied.study_id) or target.count_enqueued(copied.study_id)):
            raise DuplicateStudyError(f"copy_study: {target.url} already holds a study named {new_name!r} (give "
                                      "to_study_name, or delete it first)") from None
    target.import_trials(copied.study_id, [t.replace(params=target.storable(t.params)) for t in trials])
    for point, params in queue:
        target.enqueue_trial(copied.study_id, point, target.storable(params))
    return len(trials)


def get_all_study_names(storage: StorageLike, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> list[str]:
    """The names of the storage's studies, in the order they were created."""
    return [summary.name for summary in list_studies(storage, busy_timeout)]


def list_studies(storage: StorageLike, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> list[StudySummary]:
    """Each study's name, direction, trials per state, best value, last activity and queue length."""
    store = get_storage(storage, busy_timeout)
    try:
        return store.study_summaries()
    finally:
        if store is not storage:
            store.close()
