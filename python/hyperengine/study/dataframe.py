"""study.trials_dataframe(): the trials as a pandas DataFrame (pandas is the optional `pandas` extra)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hyperengine.spec.parsed import ParsedSpec
from hyperengine.storage.frozen import FrozenTrial


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as error:
        raise ImportError("trials_dataframe() needs pandas: pip install 'hyperengine[pandas]'") from error
    return pandas


def flatten(params: Any, prefix: str = "params") -> dict[str, Any]:
    """Nested dicts/lists of params as columns named like the spec's dimensions: params_optimizer-lr."""
    if isinstance(params, Mapping):
        items: list[tuple[str, Any]] = [(str(key), value) for key, value in params.items()]
    elif isinstance(params, (list, tuple)):
        items = [(str(index), value) for index, value in enumerate(params)]
    else:
        return {prefix: params}
    columns: dict[str, Any] = {}
    separator = "_" if prefix == "params" else "-"
    for key, value in items:
        columns.update(flatten(value, f"{prefix}{separator}{key}"))
    return columns


def trials_dataframe(trials: list[FrozenTrial], parsed: ParsedSpec) -> Any:
    """One row per trial: number, state, value, timings, worker, error, late_value, retry_of, the params (one
    column per leaf) and the intermediate values ({step: value})."""
    pandas = _pandas()
    rows = []
    for trial in trials:
        row: dict[str, Any] = {
            "number": trial.number, "state": trial.state.value, "value": trial.value,
            "datetime_start": trial.datetime_start, "datetime_complete": trial.datetime_complete,
            "duration": trial.duration, "worker": trial.worker, "error": trial.error,
            "late_value": trial.late_value, "retry_of": trial.retry_of,
        }
        row.update(flatten(trial.params))
        row["intermediate_values"] = trial.intermediate_values
        rows.append(row)
    return pandas.DataFrame(rows)
