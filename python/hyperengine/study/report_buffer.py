"""Reports on their way to the storage: one write for a fast loop's many steps instead of one per step.

A report is written at once when its trial's reports were last written at least `interval` seconds ago (a
real training loop, one epoch per second or slower: every report is visible to other workers and the
dashboard as it happens); otherwise it waits for the next such report, the heartbeat, or the tell, whose
transaction writes it with the result. A process killed before then loses only the waiting reports of a
trial that then fails for its missed heartbeat anyway.

Thread-safety: the main thread adds and tells, the heartbeat thread flushes; one lock orders them, and is
held across the storage write, so a flush never writes steps of a trial that a tell has finished.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from hyperengine.storage.base import BaseStorage
from hyperengine.storage.errors import StorageError, TrialNotRunningError

log = logging.getLogger("hyperengine")
Steps = list[tuple[int, float]]


class ReportBuffer:
    """Unwritten (step, value) reports per trial number of one study, and when each trial last wrote."""

    def __init__(self, storage: BaseStorage, study_id: int, interval: float) -> None:
        self._storage = storage
        self._study_id = study_id
        self._interval = interval
        self._lock = threading.Lock()
        self._unwritten: dict[int, Steps] = {}
        self._written_at: dict[int, float] = {}  # time.monotonic() of the trial's last write (or its start)

    def started(self, number: int) -> None:
        """Trial `number` was asked for now: its first reports within `interval` wait."""
        with self._lock:
            self._written_at.setdefault(number, time.monotonic())

    def add(self, number: int, step: int, value: float) -> int | None:
        """Take a report; write it (with any waiting ones) when the trial's last write is old enough. The
        study version of that write, if one was made and the storage says."""
        with self._lock:
            self._unwritten.setdefault(number, []).append((step, value))
            if time.monotonic() - self._written_at.get(number, float("-inf")) >= self._interval:
                return self._write(number)
            return None

    def pending(self, number: int) -> Steps:
        """The reports of trial `number` not written yet (a copy)."""
        with self._lock:
            return list(self._unwritten.get(number, ()))

    def flush(self) -> None:
        """Write every waiting report (the heartbeat, close). A trial no longer running drops its reports."""
        with self._lock:
            for number in list(self._unwritten):
                try:
                    self._write(number)
                except TrialNotRunningError as finished:
                    log.warning("reports of trial %d not written: %s", number, finished)
                except (StorageError, OSError) as failure:  # kept: the next flush or the tell writes them
                    log.warning("reports of trial %d not written yet: %s", number, failure)

    @contextmanager
    def finishing(self, number: int) -> Iterator[Steps]:
        """The waiting reports of trial `number` for the write that finishes it; kept if that write fails for
        a reason other than the trial not running (a lock held too long: the next tell writes them)."""
        with self._lock, self._taking(number) as steps:
            yield steps
        self._written_at.pop(number, None)

    def _write(self, number: int) -> int | None:
        with self._taking(number) as steps:
            if not steps:
                return None
            version = self._storage.append_intermediates(self._study_id, number, steps)
        self._written_at[number] = time.monotonic()
        return version

    @contextmanager
    def _taking(self, number: int) -> Iterator[Steps]:
        """Trial `number`'s waiting reports, taken for one write (the lock held): dropped with the trial's
        write time when it is not running any more, put back in front of newer ones when the write fails."""
        steps = self._unwritten.pop(number, [])
        try:
            yield steps
        except TrialNotRunningError:
            self._written_at.pop(number, None)
            raise
        except BaseException:
            if steps:
                self._unwritten[number] = steps + self._unwritten.get(number, [])
            raise
