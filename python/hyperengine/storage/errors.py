"""The errors a storage raises: each says what was refused and why, naming the study, trial or file."""

from __future__ import annotations

from hyperengine.persistence import CorruptStateError


class StorageError(RuntimeError):
    """A storage operation that could not be done (the stored state is unchanged)."""


class DuplicateStudyError(StorageError, ValueError):
    """create_study with a name that exists (and load_if_exists=False)."""


class UnknownStudyError(StorageError, KeyError):
    """A study name the storage does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class TrialNotRunningError(StorageError, ValueError):
    """A write (tell, report, heartbeat) to a trial that is no longer RUNNING: it was told already, or failed
    for a missed heartbeat. A value told late is kept on the trial as `late_value`."""


class StaleTrialError(TrialNotRunningError):
    """tell() of a trial the study failed because its worker stopped beating; the value is kept as late_value."""


class ProposalConflictError(StorageError):
    """create_trial(distinct_from=...) refused: another worker started a trial at (nearly) that point since."""


class StorageLockedError(StorageError):
    """The database stayed locked by another process for longer than the busy timeout."""


class SchemaVersionError(StorageError):
    """The database was written by another schema version (newer: refused; older: needs `storage upgrade`)."""


__all__ = ["CorruptStateError", "DuplicateStudyError", "ProposalConflictError", "SchemaVersionError",
           "StaleTrialError", "StorageError", "StorageLockedError", "TrialNotRunningError", "UnknownStudyError"]
