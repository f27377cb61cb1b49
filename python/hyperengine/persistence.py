"""Atomic JSON files with a format name and version: what every saved state of hyperengine is written as."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class CorruptStateError(ValueError):
    """A saved state that cannot be read back: not JSON, another format or version, or inconsistent content."""


def atomic_write_json(path: str | os.PathLike[str], payload: dict[str, Any], compact: bool = False) -> None:
    """Write `payload` to `path` so a reader never sees a half-written file: a temporary file in the same
    folder, flushed to disk, then renamed over the target. `compact` drops the indentation (large arrays)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            if compact:
                json.dump(payload, stream, allow_nan=False, separators=(",", ":"))
            else:
                json.dump(payload, stream, allow_nan=False, indent=1)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json(path: str | os.PathLike[str], file_format: str, version: int) -> dict[str, Any]:
    """Read a file written by atomic_write_json, checking its format name and version."""
    try:
        with open(path, encoding="utf-8") as stream:
            payload = json.load(stream)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptStateError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(payload, dict) or payload.get("format") != file_format:
        raise CorruptStateError(f"{path}: not a {file_format!r} file")
    if payload.get("version") != version:
        raise CorruptStateError(
            f"{path}: {file_format!r} version {payload.get('version')!r} is not supported (expected {version})")
    return payload
