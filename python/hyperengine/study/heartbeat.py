"""The heartbeat thread: while this process has RUNNING trials in a shared storage, beat for them.

One thread per study object, started by ask() and ending when none of its trials runs any more; so a worker
that trains between ask() and tell() (no optimize loop) keeps its trials alive, and a worker that dies stops
beating: after the grace period any other worker's ask() fails its trials with the reason.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from hyperengine.storage.base import BaseStorage
from hyperengine.storage.errors import StorageError

log = logging.getLogger("hyperengine")


class Heartbeat:
    """Beats every `interval` seconds for the numbers `running()` returns, while it returns any; each beat
    first calls `flush()` (the reports waiting to be written)."""

    def __init__(self, storage: BaseStorage, study_id: int, interval: float, running: Callable[[], list[int]],
                 flush: Callable[[], None]) -> None:
        self._storage = storage
        self._study_id = study_id
        self._interval = interval
        self._running = running
        self._flush = flush
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def ensure_running(self) -> None:
        """Start the thread unless it runs (call after creating a trial)."""
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._beat, name="hyperengine-heartbeat", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """End the thread (the study is closed); its trials then go stale unless told."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            with self._lock:
                numbers = self._running()
                if not numbers:
                    self._thread = None
                    return
            self._flush()
            try:
                self._storage.heartbeat(self._study_id, numbers)
            except (StorageError, OSError) as failure:  # a busy database: the next beat retries
                log.warning("heartbeat for trials %s failed: %s", numbers, failure)
