"""Where studies live: one storage interface (BaseStorage) and its backends, chosen by URL.

    storage = get_storage("sqlite:///runs/study.db")   # or "postgresql://...", a .json path, None (memory)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from hyperengine.storage.base import BaseStorage
from hyperengine.storage.errors import (
    CorruptStateError,
    DuplicateStudyError,
    ProposalConflictError,
    SchemaVersionError,
    StaleTrialError,
    StorageError,
    StorageLockedError,
    TrialNotRunningError,
    UnknownStudyError,
)
from hyperengine.storage.frozen import FrozenTrial, StudyRecord, StudySummary, TrialChanges, TrialState
from hyperengine.storage.in_memory import InMemoryStorage

if TYPE_CHECKING:
    from hyperengine.storage.sql import SQLStorage

StorageLike = BaseStorage | str | os.PathLike[str] | None


DEFAULT_BUSY_TIMEOUT = 30.0


def get_storage(storage: StorageLike, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> BaseStorage:
    """The storage for a URL: None -> in memory; `sqlite:///relative/path` or `sqlite:////absolute/path`;
    `postgresql://...`; any other path -> one JSON file (single process). A BaseStorage is returned as is.
    busy_timeout: seconds a write waits for another process's lock before StorageLockedError."""
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if not isinstance(storage, (str, os.PathLike)):
        raise TypeError(f"storage must be a URL, a path, a BaseStorage or None, got {type(storage).__name__}")
    url = os.fspath(storage)
    if url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        return _database(url, busy_timeout)
    if url.endswith(".json") or "://" not in url:
        from hyperengine.storage.json_file import JsonFileStorage

        return JsonFileStorage(url)
    raise ValueError(f"storage: unsupported URL {url!r} (use sqlite:///PATH, postgresql://..., a .json path or None)")


def _database(url: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, check_version: bool = True) -> SQLStorage:
    """The SQL storage of a sqlite:/// or postgresql:// URL (check_version=False: for `storage upgrade`)."""
    from hyperengine.storage.sql import SQLStorage  # noqa: F811 (the runtime import of the TYPE_CHECKING name)

    if url.startswith("sqlite:///"):
        from hyperengine.storage.sqlite import SqliteDialect

        return SQLStorage(url, SqliteDialect(url[len("sqlite:///"):], timeout=busy_timeout), check_version)
    from hyperengine.storage.postgres import PostgresDialect

    return SQLStorage(url, PostgresDialect(url, timeout=busy_timeout), check_version)


def open_existing(storage: str | os.PathLike[str], busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> BaseStorage:
    """The storage at a URL that must already exist (readers: plots, the dashboard, the CLI's listings), so a
    mistyped path is an error rather than a new empty file. FileNotFoundError naming the path."""
    url = os.fspath(storage)
    path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else (None if "://" in url else url)
    if path is not None and not os.path.isfile(path):
        raise FileNotFoundError(f"storage: {path} does not exist")
    return get_storage(url, busy_timeout)


__all__ = ["BaseStorage", "CorruptStateError", "DuplicateStudyError", "FrozenTrial", "InMemoryStorage",
           "ProposalConflictError",
           "SchemaVersionError", "StaleTrialError", "StorageError", "StorageLike", "StorageLockedError",
           "StudyRecord", "StudySummary", "TrialChanges", "TrialNotRunningError", "TrialState", "UnknownStudyError",
           "get_storage", "open_existing"]
