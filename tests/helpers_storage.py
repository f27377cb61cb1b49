"""Storage URLs for the backend-parametrized tests: a fresh store per test on every backend.

PostgreSQL runs for real when HYPERENGINE_TEST_POSTGRES_URL is set (.ci/with-postgres sets it); each test gets
its own schema (search_path in the URL), dropped afterwards. Without the variable those tests are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "HYPERENGINE_TEST_POSTGRES_URL"
SKIP_POSTGRES = f"{POSTGRES_ENV} is not set: run under .ci/with-postgres for the PostgreSQL backend"


def postgres_base() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):  # CI runs the suite under .ci/with-postgres: a missing server is a failure there
            pytest.fail(SKIP_POSTGRES)
        pytest.skip(SKIP_POSTGRES)
    return url


def postgres_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def fresh_postgres_schema() -> Iterator[str]:
    """A URL whose tables live in a new schema, dropped afterwards."""
    import psycopg

    base = postgres_base()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield postgres_url(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def shared_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A shared store's URL for a fixture parametrized over "sqlite" and "postgres" (a fresh schema)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'study.db'}"
    else:
        yield from fresh_postgres_schema()


def backend_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'study.db'}"
    if kind == "json":
        return str(tmp_path / "study.json")
    raise ValueError(kind)
