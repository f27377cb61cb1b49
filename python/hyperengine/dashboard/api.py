"""What the dashboard's JSON API answers, computed from a storage (no HTTP here, so it is tested directly).

Every answer is JSON data. Trials are sent as flat rows: their params flattened to "a.b.0" paths, so the page can
sort, filter and plot them without knowing the spec. A study's page polls `study(name, after=version)` and gets
only the trials changed since the version it already holds.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from hyperengine.storage import BaseStorage, FrozenTrial, StudySummary


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def flatten_params(params: Any, prefix: str = "") -> dict[str, Any]:
    """{"a.b": leaf} for every leaf of nested dicts, lists and tuples; leaves that are not JSON scalars as text."""
    if isinstance(params, dict):
        items: list[tuple[str, Any]] = [(str(key), value) for key, value in params.items()]
    elif isinstance(params, (list, tuple)):
        items = [(str(index), value) for index, value in enumerate(params)]
    else:
        if params is None or isinstance(params, (bool, int, str)):
            return {prefix or "value": params}
        if isinstance(params, float):
            return {prefix or "value": _number(params)}
        return {prefix or "value": str(params)}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat.update(flatten_params(value, f"{prefix}.{key}" if prefix else key))
    return flat


def trial_row(trial: FrozenTrial) -> dict[str, Any]:
    """One trial as the page shows it."""
    duration = trial.duration
    return {
        "number": trial.number,
        "state": trial.state.value,
        "value": _number(trial.value),
        "noise": _number(trial.noise),
        "error": trial.error,
        "worker": trial.worker,
        "params": flatten_params(trial.params),
        "intermediate": [[step, _number(value)] for step, value in trial.intermediate_values.items()],
        "start": _time(trial.datetime_start),
        "complete": _time(trial.datetime_complete),
        "duration": duration.total_seconds() if duration is not None else None,
        "late_value": _number(trial.late_value),
    }


def summary_row(summary: StudySummary) -> dict[str, Any]:
    return {"name": summary.name, "direction": summary.direction, "counts": dict(summary.counts),
            "n_trials": summary.n_trials, "best_value": _number(summary.best_value),
            "last_activity": _time(summary.last_activity), "enqueued": summary.enqueued}


def studies(storage: BaseStorage) -> dict[str, Any]:
    """The root page's list: every study with its counts per state, best value and last activity."""
    return {"studies": [summary_row(summary) for summary in storage.study_summaries()]}


def study(storage: BaseStorage, name: str, after: int = 0) -> dict[str, Any]:
    """A study's header and the trials changed after storage version `after` (all of them for 0).
    UnknownStudyError when there is no such study."""
    record = storage.load_study(name)
    changes = storage.trials_since(record.study_id, after)
    return {"name": record.name, "direction": record.direction, "created": _time(record.created),
            "dimensions": record.dimensions, "version": changes.version,
            "trials": [trial_row(trial) for trial in changes.trials]}
