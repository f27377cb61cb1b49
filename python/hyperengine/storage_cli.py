"""`hyperengine studies URL`, `hyperengine trials URL NAME --format csv|json`, `hyperengine storage upgrade URL`,
`hyperengine storage copy SOURCE TARGET [--study NAME] [--to-name NAME]`."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from hyperengine.storage import StorageError, _database, get_storage, open_existing
from hyperengine.storage.frozen import FrozenTrial
from hyperengine.study.dataframe import flatten


def run_storage_command(args: argparse.Namespace) -> int:
    """Run one of the storage commands; 1 with the message on stderr when the storage refuses."""
    try:
        if args.command == "studies":
            return _studies(args.url)
        if args.command == "trials":
            return _trials(args.url, args.name, args.format)
        if args.storage_command == "copy":
            return _copy(args.source, args.target, args.study, args.to_name)
        return _upgrade(args.url)
    except (StorageError, ValueError, KeyError, OSError) as error:
        print(f"hyperengine {args.command}: {error}", file=sys.stderr)
        return 1


def _studies(url: str) -> int:
    storage = get_storage(url)
    try:
        summaries = storage.study_summaries()
    finally:
        storage.close()
    header = ("name", "direction", "running", "complete", "pruned", "failed", "enqueued", "best", "last activity")
    rows: list[tuple[str, ...]] = [header]
    for s in summaries:
        rows.append((s.name, s.direction, *(str(s.counts[state]) for state in ("running", "complete", "pruned",
                                                                                 "failed")), str(s.enqueued),
                     "-" if s.best_value is None else f"{s.best_value:.6g}",
                     "-" if s.last_activity is None else s.last_activity.isoformat(timespec="seconds")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _record(trial: FrozenTrial) -> dict[str, Any]:
    return {"number": trial.number, "state": trial.state.value, "value": trial.value, "params": trial.params,
            "datetime_start": trial.datetime_start.isoformat(),
            "datetime_complete": trial.datetime_complete.isoformat() if trial.datetime_complete else None,
            "duration_seconds": trial.duration.total_seconds() if trial.duration else None,
            "worker": trial.worker, "error": trial.error, "late_value": trial.late_value,
            "retry_of": trial.retry_of, "intermediate_values": trial.intermediate_values}


def _trials(url: str, name: str, file_format: str) -> int:
    """Every trial of the study, straight from the storage (params are null where they were not JSON data)."""
    storage = get_storage(url)
    try:
        trials = storage.get_trials(storage.load_study(name).study_id)
    finally:
        storage.close()
    records = [_record(trial) for trial in trials]
    if file_format == "json":
        json.dump(records, sys.stdout, indent=1)
        print()
        return 0
    rows = []
    for record in records:
        row = {key: value for key, value in record.items() if key not in ("params", "intermediate_values")}
        row.update(flatten(record["params"]))
        row["intermediate_values"] = json.dumps(record["intermediate_values"])
        rows.append(row)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns) or ["number"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return 0


def _copy(source: str, target: str, study: str | None, to_name: str | None) -> int:
    """Copy one study or every study of `source` into `target`; one line per study copied."""
    from hyperengine.study.studies import copy_study

    if to_name is not None and study is None:
        raise ValueError("--to-name needs --study (the one study to rename)")
    names = [study] if study is not None else [record.name for record in _listed(source)]
    for name in names:
        count = copy_study(name, source, target, to_study_name=to_name)
        print(f"copied study {name!r} ({count} trials) from {source} to {target}"
              + (f" as {to_name!r}" if to_name else ""))
    return 0


def _listed(url: str) -> list[Any]:
    storage = open_existing(url)
    try:
        return storage.list_studies()
    finally:
        storage.close()


def _upgrade(url: str) -> int:
    """Run the schema migrations of a database; a JSON study file has no schema to upgrade."""
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        print(f"{url}: not a database URL (sqlite:///PATH or postgresql://...): nothing to upgrade")
        return 0
    database = _database(url, check_version=False)
    try:
        old, new = database.upgrade()
    finally:
        database.close()
    print(f"{url}: schema version {old}" + (" is current" if old == new else f" upgraded to {new}"))
    return 0
