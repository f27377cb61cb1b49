"""Curve data persistence: round trips, io_save_dir / io_load_dir, atomic writes, damaged files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hyperengine.curve import EnsembleCurvePredictor, LinearCurvePredictor
from hyperengine.curve.store import FILE_NAME, CurveStore

CURVES = [[0.1, 0.5, 0.7, 0.8], [0.2, 0.3], [0.05, 0.4, 0.6, 0.7, 0.75, 0.1 + 1e-17 * 3]]


def test_round_trip_keeps_curves_of_different_lengths_and_values_exactly(tmp_path: Path) -> None:
    predictor = LinearCurvePredictor(burn_in=2)
    for index, curve in enumerate(CURVES):
        predictor.add_curve(curve, None if index == 0 else 1.0 / 3.0 + index)
    predictor.save(tmp_path / "c.json")
    other = LinearCurvePredictor(burn_in=2)
    other.load(tmp_path / "c.json")
    assert other.curves_number == 3 and other.curve_length == 6
    for mine, theirs in zip(predictor.curves, other.curves, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(other.values, [0.8, 1.0 / 3.0 + 1, 1.0 / 3.0 + 2])


def test_io_save_dir_rewrites_after_every_curve_and_io_load_dir_reloads(tmp_path: Path) -> None:
    saving = EnsembleCurvePredictor(max_epochs=10, io_save_dir=tmp_path)
    saving.add_curve(CURVES[0])
    assert len(json.loads((tmp_path / FILE_NAME).read_text())["curves"]) == 1
    saving.add_curve(CURVES[1], 0.5)
    assert json.loads((tmp_path / FILE_NAME).read_text())["values"] == [0.8, 0.5]
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temporary file left behind
    loaded = LinearCurvePredictor(io_load_dir=tmp_path)
    assert loaded.curves_number == 2 and loaded.best_value() == 0.8


def test_missing_file_in_io_load_dir_starts_empty(tmp_path: Path) -> None:
    assert LinearCurvePredictor(io_load_dir=tmp_path / "nothing-yet").curves_number == 0


@pytest.mark.parametrize(("content", "message"), [
    ('{"format": "hyperengine.curves", "version": 1, "curves": [[0.1, 0.2]', "corrupt"),
    ('{"format": "something-else"}', "not a hyperengine curve file"),
    ('{"format": "hyperengine.curves", "version": 99, "curves": [], "values": []}', "version 99"),
    ('{"format": "hyperengine.curves", "version": 1, "curves": [[0.1]], "values": []}', "same length"),
    ('{"format": "hyperengine.curves", "version": 1, "curves": [["x"]], "values": [1.0]}', "at curve 0"),
    ('{"format": "hyperengine.curves", "version": 1, "curves": [[]], "values": [1.0]}', "empty"),
])
def test_damaged_file_is_a_clear_error_and_is_not_overwritten(tmp_path: Path, content: str,
                                                              message: str) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as info:
        LinearCurvePredictor(io_load_dir=tmp_path, io_save_dir=tmp_path)
    assert str(path) in str(info.value)
    assert path.read_text() == content


def test_failed_save_leaves_the_old_file_intact(tmp_path: Path) -> None:
    store = CurveStore()
    store.add([0.1, 0.2])
    store.save(tmp_path / "c.json")
    before = (tmp_path / "c.json").read_bytes()
    store.add([0.3, 0.4])
    store._values[-1] = object()  # type: ignore[call-overload]  # not JSON-serializable: the dump fails
    with pytest.raises(TypeError):
        store.save(tmp_path / "c.json")
    assert (tmp_path / "c.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_loading_a_missing_file_explicitly_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        LinearCurvePredictor().load(tmp_path / "absent.json")
