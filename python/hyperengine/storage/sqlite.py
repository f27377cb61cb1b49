"""SQLite through Python's sqlite3: WAL mode, BEGIN IMMEDIATE writes, a busy timeout.

WAL lets readers run while one writer commits; it needs the database on a local filesystem (its shared-memory
index does not work over NFS/SMB): workers on several machines use PostgreSQL. synchronous=NORMAL keeps every
committed transaction across a process crash (SIGKILL); only a power loss may drop the last few.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from hyperengine.storage.dialect import Dialect
from hyperengine.storage.errors import CorruptStateError, StorageLockedError

WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024


class SqliteDialect(Dialect):
    """A SQLite database file."""

    def __init__(self, path: str | Path, timeout: float) -> None:
        self.path = Path(path)
        self.timeout = timeout

    @property
    def location(self) -> str:
        return str(self.path)

    def connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise ValueError(f"storage: {self.path} is a directory, not a SQLite database file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        # 1 KiB pages for a new file (no effect on an existing one): a commit writes every page it touched to the
        # WAL and a trial's rows are small, so a tell costs ~15 % less than with 4 KiB (docs/benchmarks.md)
        connection.execute("PRAGMA page_size = 1024")
        return connection

    def configure(self, connection: Any) -> None:
        """WAL and synchronous=NORMAL, set only once the file is known to be a hyperengine store (switching the
        journal mode writes the file's header)."""
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        # a checkpoint (two fsyncs, ~4 ms) when the WAL reaches SQLite's default 4 MiB, counted in this file's
        # pages: the default 1000 pages is 1 MiB of 1 KiB pages, a checkpoint every ~140 commits of a trial loop
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        connection.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_BYTES // page_size}")

    def data_version(self, connection: Any) -> int:
        """PRAGMA data_version: changes when another connection (of any process) commits, not for this one's."""
        return int(connection.execute("PRAGMA data_version").fetchone()[0])

    def begin_write(self, cursor: Any) -> None:
        cursor.execute("BEGIN IMMEDIATE")

    def begin_read(self, cursor: Any) -> None:
        """Nothing: each SELECT reads one committed state, and SQLStorage reads the version first, so a change
        committed between two SELECTs is read again next time, never missed (a BEGIN/COMMIT pair per read
        would double the cost of the many small reads an ask makes)."""

    def commit(self, connection: Any, cursor: Any) -> None:
        if connection.in_transaction:
            cursor.execute("COMMIT")

    def rollback(self, connection: Any, cursor: Any) -> None:
        if connection.in_transaction:
            cursor.execute("ROLLBACK")

    def table_names(self, cursor: Any) -> set[str]:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in cursor.fetchall()}

    def translate(self, error: Exception) -> Exception | None:
        message = str(error)
        if isinstance(error, sqlite3.OperationalError) and "locked" in message:
            return StorageLockedError(f"{self.path}: locked by another process for longer than the busy timeout "
                                      f"({self.timeout:g} s): {message}")
        if isinstance(error, sqlite3.DatabaseError) and ("not a database" in message or "malformed" in message):
            return CorruptStateError(f"{self.path}: not a readable SQLite database ({message}); left untouched")
        return None

    def is_unique_violation(self, error: Exception) -> bool:
        return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
