"""Where studies live: one storage interface (BaseStorage) and its backends, chosen by URL.

    storage = get_storage("sqlite:///runs/study.db")   # or "postgresql://...", a .json path, None (memory)
"""

from __future__ import annotations

import os

from hyperengine.storage.base import BaseStorage
from hyperengine.storage.errors import (
    CorruptStateError,
    DuplicateStudyError,
    SchemaVersionError,
    StaleTrialError,
    StorageError,
    StorageLockedError,
    TrialNotRunningError,
    UnknownStudyError,
)
from hyperengine.storage.frozen import FrozenTrial, StudyRecord, StudySummary, TrialChanges, TrialState
from hyperengine.storage.in_memory import InMemoryStorage

StorageLike = BaseStorage | str | os.PathLike[str] | None


def get_storage(storage: StorageLike) -> BaseStorage:
    """The storage for a URL: None -> in memory; a BaseStorage is returned as is."""
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if not isinstance(storage, (str, os.PathLike)):
        raise TypeError(f"storage must be a URL, a path, a BaseStorage or None, got {type(storage).__name__}")
    raise ValueError(f"storage: unsupported URL {os.fspath(storage)!r}")


__all__ = ["BaseStorage", "CorruptStateError", "DuplicateStudyError", "FrozenTrial", "InMemoryStorage",
           "SchemaVersionError", "StaleTrialError", "StorageError", "StorageLike", "StorageLockedError",
           "StudyRecord", "StudySummary", "TrialChanges", "TrialNotRunningError", "TrialState", "UnknownStudyError",
           "get_storage"]
