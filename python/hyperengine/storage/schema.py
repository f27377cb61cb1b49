"""The relational schema of the SQL backends (SQLite and PostgreSQL share it), and its version.

The version lives in its own one-row table. A database of a newer version is refused (naming both versions);
an older one is refused too until `hyperengine storage upgrade URL` runs the steps in MIGRATIONS on it.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
TABLES = ("hyperengine_schema", "studies", "trials", "intermediate", "queue")

# {version v: the statements that turn a version v-1 database into version v}; empty while only v1 exists.
MIGRATIONS: dict[int, list[str]] = {}


def create_statements(pk: str, real: str, blob: str) -> list[str]:
    """The DDL of the current version, given the dialect's auto-increment key, float and bytes types."""
    return [
        "CREATE TABLE hyperengine_schema (version INTEGER NOT NULL)",
        f"""CREATE TABLE studies (
            id {pk}, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL, dimensions TEXT NOT NULL, space {blob},
            created {real} NOT NULL, last_activity {real}, version BIGINT NOT NULL DEFAULT 0,
            next_number BIGINT NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE trials (
            id {pk}, study_id BIGINT NOT NULL REFERENCES studies (id), number BIGINT NOT NULL, state TEXT NOT NULL,
            point TEXT NOT NULL, params TEXT, value {real}, noise {real} NOT NULL DEFAULT 0, error TEXT,
            worker TEXT, datetime_start {real} NOT NULL, datetime_complete {real}, heartbeat {real},
            changed BIGINT NOT NULL, late_value {real}, retry_of BIGINT, UNIQUE (study_id, number))""",
        "CREATE INDEX trials_by_change ON trials (study_id, changed)",
        "CREATE INDEX trials_by_state ON trials (study_id, state)",
        f"""CREATE TABLE intermediate (
            trial_id BIGINT NOT NULL REFERENCES trials (id), step BIGINT NOT NULL, value {real} NOT NULL,
            PRIMARY KEY (trial_id, step))""",
        f"""CREATE TABLE queue (
            id {pk}, study_id BIGINT NOT NULL REFERENCES studies (id), point TEXT NOT NULL, params TEXT,
            retry_of BIGINT)""",
        "CREATE INDEX queue_by_study ON queue (study_id, id)",
        f"INSERT INTO hyperengine_schema (version) VALUES ({SCHEMA_VERSION})",
    ]
