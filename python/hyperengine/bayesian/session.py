"""The original's io_save_dir / io_load_dir: a strategy's points and values saved after every point."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hyperengine.persistence import CorruptStateError, atomic_write_json, read_json

FILE_NAME = "strategy-session.json"
FILE_FORMAT = "hyperengine.strategy-session"
FILE_VERSION = 1


@dataclass
class Session:
    """What a strategy has learned: points in the sampler's units, their values (maximized) and noise variances."""

    dim: int
    names: list[str] | None = None
    points: list[list[float]] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    noise: list[float] = field(default_factory=list)


def session_path(directory: str | os.PathLike[str]) -> Path:
    return Path(directory) / FILE_NAME


def save_session(directory: str | os.PathLike[str], session: Session) -> None:
    """Atomically write the session into `directory`."""
    atomic_write_json(session_path(directory), {
        "format": FILE_FORMAT, "version": FILE_VERSION, "dim": session.dim, "names": session.names,
        "points": session.points, "values": session.values, "noise": session.noise})


def load_session(directory: str | os.PathLike[str], dim: int, names: list[str] | None) -> Session:
    """Read a saved session, checking it belongs to a space of the same dimension (and names, when known)."""
    path = session_path(directory)
    payload = read_json(path, FILE_FORMAT, FILE_VERSION)
    if payload.get("dim") != dim:
        raise CorruptStateError(
            f"{path}: saved for a space of {payload.get('dim')} dimensions, this one has {dim} (another spec?)")
    saved_names = payload.get("names")
    if names is not None and saved_names is not None and list(saved_names) != list(names):
        raise CorruptStateError(f"{path}: saved for another spec (dimensions {saved_names}, expected {names})")
    try:
        points = np.asarray(payload["points"], dtype=np.float64).reshape(-1, dim)
        values = np.asarray(payload["values"], dtype=np.float64)
        noise = np.asarray(payload.get("noise", [0.0] * len(values)), dtype=np.float64)
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptStateError(f"{path}: malformed points or values ({error})") from error
    if not (len(points) == len(values) == len(noise)):
        raise CorruptStateError(f"{path}: {len(points)} points but {len(values)} values and {len(noise)} noises")
    if not (np.all(np.isfinite(points)) and np.all(np.isfinite(values)) and np.all(noise >= 0)):
        raise CorruptStateError(f"{path}: non-finite points or values")
    return Session(dim, names, points.tolist(), values.tolist(), noise.tolist())
