"""A study saved as one JSON file, rewritten atomically after every ask and tell.

Format (version 1): {"format": "hyperengine.study", "version": 1, "direction": "maximize"|"minimize",
"dimensions": [{"name", "kind", "levels"}], "trials": [{"number", "state", "point", "params", "value",
"noise", "error", "intermediate_values": {step: value}, "datetime_start", "datetime_complete"}]}.
"params" is kept when it is JSON data, else null (it is then re-instantiated from "point").
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from hyperengine.persistence import CorruptStateError, atomic_write_json, read_json
from hyperengine.spec.dimension import Dimension
from hyperengine.study.trial import Trial, TrialState

FILE_FORMAT = "hyperengine.study"
FILE_VERSION = 1


def _json_params(params: Any) -> Any:
    try:
        json.dumps(params, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return params


def trial_record(trial: Trial) -> dict[str, Any]:
    return {
        "number": trial.number, "state": trial.state.value, "point": trial.point.tolist(),
        "params": _json_params(trial.params), "value": trial.value, "noise": trial.noise, "error": trial.error,
        "intermediate_values": {str(step): value for step, value in trial.intermediate_values.items()},
        "datetime_start": trial.datetime_start.isoformat(),
        "datetime_complete": trial.datetime_complete.isoformat() if trial.datetime_complete else None,
    }


def dimension_records(dimensions: list[Dimension]) -> list[dict[str, Any]]:
    return [{"name": dim.name, "kind": dim.kind.value, "levels": dim.levels} for dim in dimensions]


class JsonStudyStorage:
    """Saves and loads a study's trials at `path`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.exists()

    def save(self, direction: str, dimensions: list[Dimension], trials: list[Trial]) -> None:
        atomic_write_json(self.path, {
            "format": FILE_FORMAT, "version": FILE_VERSION, "direction": direction,
            "dimensions": dimension_records(dimensions), "trials": [trial_record(t) for t in trials]})

    def load(self, direction: str, dimensions: list[Dimension]) -> list[dict[str, Any]]:
        """The saved trial records, after checking the file belongs to this spec and direction."""
        payload = read_json(self.path, FILE_FORMAT, FILE_VERSION)
        if payload.get("dimensions") != dimension_records(dimensions):
            raise CorruptStateError(f"{self.path}: saved for another spec (its dimensions differ from this one's)")
        if payload.get("direction") != direction:
            raise CorruptStateError(
                f"{self.path}: saved with direction {payload.get('direction')!r}, this study is {direction!r}")
        records = payload.get("trials")
        if not isinstance(records, list):
            raise CorruptStateError(f"{self.path}: 'trials' is not a list")
        for index, record in enumerate(records):
            _check_record(self.path, index, record, len(dimensions))
        return records


def _check_record(path: Path, index: int, record: Any, dim: int) -> None:
    try:
        point = np.asarray(record["point"], dtype=np.float64)
        state = TrialState(record["state"])
        value = record["value"]
        datetime.fromisoformat(record["datetime_start"])
        if record["datetime_complete"]:
            datetime.fromisoformat(record["datetime_complete"])
        for step, intermediate in record["intermediate_values"].items():
            int(step), float(intermediate)
        float(record.get("noise") or 0.0)
        missing = {"params", "error"} - set(record)
        if missing:
            raise KeyError(", ".join(sorted(missing)))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise CorruptStateError(f"{path}: trial record {index} is malformed ({error})") from error
    if point.shape != (dim,) or not np.all(np.isfinite(point)):
        raise CorruptStateError(f"{path}: trial record {index} has an invalid point")
    if state is TrialState.COMPLETE and not isinstance(value, (int, float)):
        raise CorruptStateError(f"{path}: complete trial record {index} has no numeric value")
