"""A study saved as one JSON file (the 0.1 format), rewritten atomically after every ask and tell.

For one process only: the file is locked (an flock on PATH.lock) while a storage holds it, and a second
writer is refused with StorageError rather than silently overwriting the first one's trials. Many workers
use sqlite:/// or postgresql://. A report() is saved with the next ask or tell (not rewritten per step).

Format (version 1): {"format": "hyperengine.study", "version": 1, "direction": "maximize"|"minimize",
"study_name": str (optional), "space": the pickled spec in base64 or null (optional),
"dimensions": [{"name", "kind", "levels"}], "trials": [{"number", "state",
"point", "params", "value", "noise", "error", "intermediate_values": {step: value}, "datetime_start",
"datetime_complete"}], "queue": [{"point", "params"}] (optional)}. "params" is kept when it is JSON data,
else null (it is then re-instantiated from "point"). A trial RUNNING in the file was interrupted: it loads
as FAILED.
"""

from __future__ import annotations

import base64
import json
import math
import os
import weakref
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from hyperengine.persistence import CorruptStateError, atomic_write_json
from hyperengine.storage.errors import DuplicateStudyError, StorageError
from hyperengine.storage.frozen import FrozenTrial, StudyRecord, TrialState
from hyperengine.storage.in_memory import InMemoryStorage, _StudyData

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: the second-writer check is skipped
    fcntl = None  # type: ignore[assignment]

FILE_FORMAT = "hyperengine.study"
FILE_VERSION = 1
DEFAULT_NAME = "default"
INTERRUPTED = "interrupted: the process ended before the trial was told"


class JsonFileStorage(InMemoryStorage):
    """One study in one JSON file, held in memory and saved after every change (except report steps)."""

    stores_objects = False

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.is_dir():
            raise ValueError(f"storage: {self.path} is a directory, not a JSON study file")
        self._lock_file = self._acquire()
        # a storage dropped without close() releases the file when collected (quietly, not a ResourceWarning)
        self._release = weakref.finalize(self, _close_quietly, self._lock_file)
        self._loading = True
        self._unsaved = False
        try:
            if self.path.exists():
                self._load()
        except BaseException:
            self.close()
            raise
        self._loading = False

    @property
    def url(self) -> str:
        return str(self.path)

    def _acquire(self) -> IO[str] | None:
        """Lock PATH.lock for this process (refusing a second writer); None where flock does not exist."""
        if fcntl is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        stream = open(self.path.with_name(self.path.name + ".lock"), "a+", encoding="utf-8")
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            stream.seek(0)
            holder = stream.read().strip() or "another process"
            stream.close()
            raise StorageError(f"{self.path}: in use by {holder}; a JSON study file has one writer at a time "
                               "(use sqlite:///PATH for several workers)") from error
        stream.seek(0)
        stream.truncate()
        stream.write(f"pid {os.getpid()}")
        stream.flush()
        return stream

    def close(self) -> None:
        """Save the reports not saved yet, then release the file."""
        if self._unsaved and self._release.alive:
            with self._lock:
                self._changed()
        self._release()  # closing the lock file releases the flock

    def create_study(self, name: str, direction: str, dimensions: list[dict[str, Any]],
                     space: bytes | None) -> StudyRecord:
        with self._lock:
            if self._studies and name not in self._studies:
                raise DuplicateStudyError(f"{self.path} holds the study {next(iter(self._studies))!r}; a JSON file "
                                          f"holds one study (use sqlite:///PATH for several)")
            return super().create_study(name, direction, dimensions, space)

    def append_intermediate(self, study_id: int, number: int, step: int, value: float) -> None:
        self._loading = True  # saved with the next ask or tell (or close), not rewritten per step
        try:
            super().append_intermediate(study_id, number, step, value)
            self._unsaved = True
        finally:
            self._loading = False

    # -- the file -------------------------------------------------------------------------------------------
    def _changed(self) -> None:
        if self._loading:
            return
        self._unsaved = False
        if not self._studies:
            self.path.unlink(missing_ok=True)
            return
        data = next(iter(self._studies.values()))
        atomic_write_json(self.path, {
            "format": FILE_FORMAT, "version": FILE_VERSION, "study_name": data.record.name,
            "direction": data.record.direction, "dimensions": data.record.dimensions,
            "space": base64.b64encode(data.record.space).decode("ascii") if data.record.space else None,
            "trials": [_trial_record(t) for t in data.trials],
            "queue": [{"point": q.point, "params": q.params} for q in data.queue]})

    def _load(self) -> None:
        payload = _read(self.path)
        direction = payload.get("direction")
        dimensions = payload.get("dimensions")
        name = payload.get("study_name", DEFAULT_NAME)
        if direction not in ("maximize", "minimize") or not isinstance(dimensions, list) or not isinstance(name, str):
            raise CorruptStateError(f"{self.path}: 'direction', 'dimensions' or 'study_name' is missing or invalid")
        records = payload.get("trials")
        if not isinstance(records, list):
            raise CorruptStateError(f"{self.path}: 'trials' is not a list")
        trials = [_parse_record(self.path, index, record, len(dimensions)) for index, record in enumerate(records)]
        queue = payload.get("queue", [])
        if not isinstance(queue, list):
            raise CorruptStateError(f"{self.path}: 'queue' is not a list")
        try:
            space = base64.b64decode(payload["space"], validate=True) if payload.get("space") else None
        except (TypeError, ValueError) as error:
            raise CorruptStateError(f"{self.path}: 'space' is not base64 data ({error})") from error
        record = super().create_study(name, direction, dimensions, space)
        data: _StudyData = self._by_id[record.study_id]
        for trial in trials:
            data.trials.append(trial)
            self._bump(data, trial.number)
        for index, item in enumerate(queue):
            if not isinstance(item, dict) or "point" not in item:
                raise CorruptStateError(f"{self.path}: queue entry {index} is malformed")
            self.enqueue_trial(record.study_id, _unit_point(self.path, f"queue entry {index}", item["point"],
                                                            len(dimensions)), item.get("params"))


def _close_quietly(stream: IO[str] | None) -> None:
    if stream is not None:
        stream.close()


def _read(path: Path) -> dict[str, Any]:
    """The file's payload; CorruptStateError for anything that is not strict JSON of this format and version."""

    def refuse(token: str) -> None:
        raise ValueError(f"the token {token} is not JSON")

    try:
        payload = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    except (ValueError, UnicodeDecodeError) as error:
        raise CorruptStateError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
        raise CorruptStateError(f"{path}: not a {FILE_FORMAT!r} file")
    if payload.get("version") != FILE_VERSION:
        raise CorruptStateError(f"{path}: {FILE_FORMAT!r} version {payload.get('version')!r} is not supported "
                                f"(expected {FILE_VERSION})")
    return payload


def _trial_record(trial: FrozenTrial) -> dict[str, Any]:
    return {
        "number": trial.number, "state": trial.state.value, "point": trial.point.tolist(),
        "params": trial.params, "value": trial.value, "noise": trial.noise, "error": trial.error,
        "intermediate_values": {str(step): value for step, value in trial.intermediate_values.items()},
        "datetime_start": trial.datetime_start.isoformat(),
        "datetime_complete": trial.datetime_complete.isoformat() if trial.datetime_complete else None,
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _unit_point(path: Path, where: str, raw: Any, dim: int) -> list[float]:
    if (not isinstance(raw, list) or len(raw) != dim or not all(_is_number(x) for x in raw)
            or not all(0.0 <= x <= 1.0 for x in raw)):
        raise CorruptStateError(f"{path}: {where} has an invalid point (not {dim} numbers in [0, 1]): {raw!r}")
    return [float(x) for x in raw]


def _parse_record(path: Path, index: int, record: Any, dim: int) -> FrozenTrial:
    """One saved trial, every field checked; CorruptStateError naming the file and the record otherwise."""
    where = f"trial record {index}"
    if not isinstance(record, dict):
        raise CorruptStateError(f"{path}: {where} is malformed (not an object)")
    missing = {"number", "state", "point", "params", "value", "error", "intermediate_values", "datetime_start",
               "datetime_complete"} - set(record)
    if missing:
        raise CorruptStateError(f"{path}: {where} is malformed (missing {', '.join(sorted(missing))})")
    try:
        state = TrialState(record["state"])
        start = datetime.fromisoformat(record["datetime_start"])
        complete = datetime.fromisoformat(record["datetime_complete"]) if record["datetime_complete"] else None
        steps = {int(step): value for step, value in record["intermediate_values"].items()}
    except (TypeError, ValueError, AttributeError) as error:
        raise CorruptStateError(f"{path}: {where} is malformed ({error})") from error
    if record["number"] != index:
        raise CorruptStateError(f"{path}: {where} has number {record['number']!r}, expected {index}")
    point = _unit_point(path, where, record["point"], dim)
    value, noise = record["value"], record.get("noise") or 0.0
    if value is not None and not _is_number(value):
        raise CorruptStateError(f"{path}: {where} has a value that is not a finite number: {value!r}")
    if state is TrialState.COMPLETE and value is None:
        raise CorruptStateError(f"{path}: complete {where} has no numeric value")
    if not _is_number(noise) or noise < 0:
        raise CorruptStateError(f"{path}: {where} has an invalid noise (not a finite variance >= 0): {noise!r}")
    if not all(_is_number(v) for v in steps.values()):
        raise CorruptStateError(f"{path}: {where} has an intermediate value that is not a finite number")
    if record["error"] is not None and not isinstance(record["error"], str):
        raise CorruptStateError(f"{path}: {where} has an error that is not text")
    message = record["error"]
    if state is TrialState.RUNNING:  # the process that asked for it ended before telling
        state, message = TrialState.FAILED, INTERRUPTED
    return FrozenTrial(index, state, record["params"], point, value=value, noise=float(noise), error=message,
                       intermediate_values={k: float(v) for k, v in steps.items()}, datetime_start=start,
                       datetime_complete=complete)
