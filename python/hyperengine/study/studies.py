"""The studies of a storage: load one, delete one, list them (names, or summaries with counts)."""

from __future__ import annotations

from typing import Any

from hyperengine.storage import DEFAULT_BUSY_TIMEOUT, StorageLike, StudySummary, get_storage
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
