"""What differs between the SQL databases: connecting, the write transaction, the DDL types, error mapping.

SQLStorage (sql.py) is written once in DB-API 2.0 terms with `?` placeholders; a Dialect adapts it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from hyperengine.storage.schema import Types


class Dialect(ABC):
    """One database's connection and quirks."""

    #: the DDL types (auto-increment integer primary key, double, byte string, clustered-table suffix)
    types = Types("INTEGER PRIMARY KEY", "REAL", "BLOB", " WITHOUT ROWID")
    #: True when a database holding unrelated tables must be refused (a file that is someone else's)
    refuse_foreign_tables: bool = True

    @property
    @abstractmethod
    def location(self) -> str:
        """The file or server named in messages."""

    @abstractmethod
    def connect(self) -> Any:
        """A DB-API connection, configured (timeouts, WAL, ...)."""

    def sql(self, statement: str) -> str:
        """The statement in this driver's placeholder style (written with `?`)."""
        return statement

    def configure(self, connection: Any) -> None:
        """Settings applied once the database is known to be a hyperengine store (nothing by default)."""

    def lock_schema(self, cursor: Any) -> None:
        """Serialize schema creation by processes opening an empty database at once (SQLite: BEGIN IMMEDIATE
        does already)."""

    def data_version(self, connection: Any) -> int | None:
        """A number that stays the same while no other connection commits to the database (this connection's
        own commits leave it too), or None when the database does not tell (every read then asks)."""
        return None

    @abstractmethod
    def begin_write(self, cursor: Any) -> None:
        """Start a write transaction that holds the write lock until commit (short, one step of the contract)."""

    @abstractmethod
    def begin_read(self, cursor: Any) -> None:
        """Start a read transaction (one consistent view)."""

    @abstractmethod
    def commit(self, connection: Any, cursor: Any) -> None:
        """End the transaction, keeping its changes."""

    @abstractmethod
    def rollback(self, connection: Any, cursor: Any) -> None:
        """End the transaction, dropping its changes."""

    @abstractmethod
    def table_names(self, cursor: Any) -> set[str]:
        """The tables in the database (its current schema)."""

    @abstractmethod
    def translate(self, error: Exception) -> Exception | None:
        """The hyperengine error for a driver error (locked, corrupt, unique violation), or None to re-raise."""

    @abstractmethod
    def is_unique_violation(self, error: Exception) -> bool:
        """True for a UNIQUE constraint failure (a study name taken by a concurrent create)."""
