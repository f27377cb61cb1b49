"""The finished learning curves a predictor learns from, and their atomic persistence as JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hyperengine.curve.validation import CurveLike, as_curve, as_value
from hyperengine.persistence import atomic_write_json

FILE_FORMAT = "hyperengine.curves"
FILE_VERSION = 1
FILE_NAME = "curves.json"  # the file inside io_save_dir / io_load_dir


class CurveStore:
    """Finished curves (any lengths) with the value each run reported, e.g. its final accuracy."""

    def __init__(self) -> None:
        self._curves: list[npt.NDArray[np.float64]] = []
        self._values: list[float] = []

    def __len__(self) -> int:
        return len(self._curves)

    @property
    def curves(self) -> tuple[npt.NDArray[np.float64], ...]:
        """The stored curves, oldest first (read-only copies)."""
        return tuple(curve.copy() for curve in self._curves)

    @property
    def values(self) -> npt.NDArray[np.float64]:
        """(n_curves,) the value of each stored curve."""
        return np.array(self._values, dtype=np.float64)

    @property
    def max_length(self) -> int:
        """The longest stored curve's number of epochs, 0 when empty."""
        return max((curve.size for curve in self._curves), default=0)

    def add(self, curve: CurveLike, value: float | None = None) -> None:
        """Store a finished curve; `value` defaults to the curve's last value."""
        array = as_curve(curve, allow_empty=False)
        self._curves.append(array)
        self._values.append(float(array[-1]) if value is None else as_value(value))

    def prefixes(self, length: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(m, length) first `length` epochs of the m curves at least that long, and their (m,) values."""
        rows = [i for i, curve in enumerate(self._curves) if curve.size >= length]
        if not rows:
            return np.empty((0, length)), np.empty(0)
        return (np.stack([self._curves[i][:length] for i in rows]),
                np.array([self._values[i] for i in rows], dtype=np.float64))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write all curves to `path` atomically: a temporary file in the same folder, then a rename."""
        atomic_write_json(path, {"format": FILE_FORMAT, "version": FILE_VERSION,
                                 "curves": [curve.tolist() for curve in self._curves],
                                 "values": list(self._values)}, compact=True)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CurveStore:
        """Read a file written by `save`; a missing, damaged or foreign file raises ValueError naming it."""
        source = Path(path)
        try:
            payload = json.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"curve file {source} does not exist") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"curve file {source} is unreadable or corrupt: {error}") from None
        if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
            raise ValueError(f"curve file {source} is not a hyperengine curve file (format {FILE_FORMAT!r})")
        if payload.get("version") != FILE_VERSION:
            raise ValueError(f"curve file {source} has version {payload.get('version')!r}, "
                             f"this hyperengine reads version {FILE_VERSION}")
        curves, values = payload.get("curves"), payload.get("values")
        if not isinstance(curves, list) or not isinstance(values, list) or len(curves) != len(values):
            raise ValueError(f"curve file {source} is corrupt: 'curves' and 'values' must be lists "
                             "of the same length")
        store = cls()
        for index, (curve, value) in enumerate(zip(curves, values, strict=True)):
            try:
                store.add(curve, value)
            except ValueError as error:
                raise ValueError(f"curve file {source} is corrupt at curve {index}: {error}") from None
        return store
