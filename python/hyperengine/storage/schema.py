"""The relational schema of the SQL backends (SQLite and PostgreSQL share it), and its version.

The version lives in its own one-row table. A database of a newer version is refused (naming both versions);
an older one is refused too until `hyperengine storage upgrade URL` runs the steps of `migrations` on it.

Version 2 (from 1): a trial row counts the report writes made before its tell (`reported`), so a tell of a
trial with none builds the curve from the steps it writes itself instead of reading them back; and on SQLite
the intermediate values are one clustered b-tree (WITHOUT ROWID) instead of a table and its key's index, one
page fewer per commit (docs/benchmarks.md, "Study storage").
"""

from __future__ import annotations

from typing import NamedTuple

SCHEMA_VERSION = 2
TABLES = ("hyperengine_schema", "studies", "trials", "intermediate", "queue")


class Types(NamedTuple):
    """A dialect's DDL: auto-increment integer primary key, double, byte string, and the suffix of a table
    stored in its primary key's order ("" where every table is)."""

    pk: str
    real: str
    blob: str
    clustered: str


def _intermediate(types: Types, name: str = "intermediate") -> str:
    return f"""CREATE TABLE {name} (
            trial_id BIGINT NOT NULL REFERENCES trials (id), step BIGINT NOT NULL, value {types.real} NOT NULL,
            PRIMARY KEY (trial_id, step)){types.clustered}"""


def create_statements(types: Types) -> list[str]:
    """The DDL of the current version."""
    return [
        "CREATE TABLE hyperengine_schema (version INTEGER NOT NULL)",
        f"""CREATE TABLE studies (
            id {types.pk}, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL, dimensions TEXT NOT NULL,
            space {types.blob}, created {types.real} NOT NULL, last_activity {types.real},
            version BIGINT NOT NULL DEFAULT 0, next_number BIGINT NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE trials (
            id {types.pk}, study_id BIGINT NOT NULL REFERENCES studies (id), number BIGINT NOT NULL,
            state TEXT NOT NULL, point TEXT NOT NULL, params TEXT, value {types.real},
            noise {types.real} NOT NULL DEFAULT 0, error TEXT, worker TEXT, datetime_start {types.real} NOT NULL,
            datetime_complete {types.real}, heartbeat {types.real}, changed BIGINT NOT NULL, late_value {types.real},
            retry_of BIGINT, reported BIGINT NOT NULL DEFAULT 0, UNIQUE (study_id, number))""",
        "CREATE INDEX trials_by_change ON trials (study_id, changed)",
        _intermediate(types),
        f"""CREATE TABLE queue (
            id {types.pk}, study_id BIGINT NOT NULL REFERENCES studies (id), point TEXT NOT NULL, params TEXT,
            retry_of BIGINT)""",
        "CREATE INDEX queue_by_study ON queue (study_id, id)",
        f"INSERT INTO hyperengine_schema (version) VALUES ({SCHEMA_VERSION})",
    ]


def migrations(version: int, types: Types) -> list[str]:
    """The statements that turn a database of version `version - 1` into version `version`."""
    if version == 2:
        steps = ["DROP INDEX trials_by_state", "ALTER TABLE trials ADD COLUMN reported BIGINT NOT NULL DEFAULT 0",
                 "UPDATE trials SET reported = (SELECT COUNT(*) FROM intermediate i WHERE i.trial_id = trials.id)"]
        if types.clustered:
            steps += [_intermediate(types, "intermediate_v2"),
                      "INSERT INTO intermediate_v2 (trial_id, step, value) SELECT trial_id, step, value "
                      "FROM intermediate",
                      "DROP TABLE intermediate",
                      "ALTER TABLE intermediate_v2 RENAME TO intermediate"]
        return steps
    raise ValueError(f"no migration to schema version {version}")
