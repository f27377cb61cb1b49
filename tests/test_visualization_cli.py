"""`hyperengine plot URL STUDY --kind ... -o FILE` on a stored study (a JSON file; the storage suite covers others)."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import hyperengine  # noqa: E402
from hyperengine import spec  # noqa: E402
from hyperengine.cli import PLOT_KINDS, _load_study_for_cli, main  # noqa: E402
from hyperengine.storage import TrialState  # noqa: E402

SPACE_FILE = textwrap.dedent("""
    from hyperengine import spec

    space = {"lr": 10 ** spec.uniform(-4, -1), "layers": spec.randint(1, 4), "act": spec.choice(["relu", "tanh"])}
""")
MAGIC = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    (folder / "space.py").write_text(SPACE_FILE)
    space = {"lr": 10 ** spec.uniform(-4, -1), "layers": spec.randint(1, 4), "act": spec.choice(["relu", "tanh"])}
    study = hyperengine.create_study(space, direction="minimize", seed=0, storage=folder / "mnist.json",
                                     study_name="mnist")
    for _ in range(12):
        trial = study.ask()
        loss = (math.log10(trial.params["lr"]) + 2) ** 2 + 0.1 * trial.params["layers"]
        for step in range(4):
            trial.report(loss + 1.0 / (step + 1), step)
        study.tell(trial, loss)
    study.close()
    return folder / "mnist.json"


@pytest.mark.parametrize("kind", sorted(PLOT_KINDS))
def test_every_kind_is_written(kind: str, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suffix = {"history": ".svg", "timeline": ".pdf"}.get(kind, ".png")
    output = tmp_path / f"{kind}{suffix}"
    before = saved.read_bytes()
    assert main(["plot", str(saved), "mnist", "--kind", kind, "-o", str(output)]) == 0
    assert saved.read_bytes() == before  # drawing never writes to the study
    assert output.read_bytes().startswith(MAGIC[suffix])
    assert f"wrote {output}" in capsys.readouterr().out


def test_the_stored_spec_gives_the_parameters_their_units(saved: Path) -> None:
    study = _load_study_for_cli(str(saved), "mnist")
    assert [d.name for d in study.parsed_spec.dimensions()] == ["lr", "layers", "act"]
    assert study.direction == "minimize" and len(study.trials) == 12
    assert 1e-4 <= study.best_params["lr"] <= 0.1
    study.close()


def test_without_a_stored_spec_the_parameters_are_unit_coordinates_with_their_names(tmp_path: Path) -> None:
    from hyperengine.storage import get_storage

    storage = get_storage(f"sqlite:///{tmp_path / 'raw.db'}")
    dimensions = [{"name": "lr", "kind": "continuous", "levels": 0}, {"name": "act", "kind": "categorical",
                                                                       "levels": 2}]
    record = storage.create_study("raw", "maximize", dimensions, None)  # a spec that could not be pickled
    for point in ([0.2, 0.25], [0.7, 0.75], [0.4, 0.25]):
        trial = storage.create_trial(record.study_id, "w", point, None)
        storage.finish_trial(record.study_id, trial.number, TrialState.COMPLETE, sum(point), 0.0, None)
    storage.close()
    study = _load_study_for_cli(f"sqlite:///{tmp_path / 'raw.db'}", "raw")
    assert [d.name for d in study.parsed_spec.dimensions()] == ["lr", "act"]
    assert study.best_params["lr"] == pytest.approx(0.7)
    study.close()


def test_the_space_file_gives_the_parameters_their_units(saved: Path) -> None:
    study = _load_study_for_cli(str(saved), "mnist", space_file=saved.parent / "space.py")
    assert 1e-4 <= study.best_params["lr"] <= 0.1
    mean, _ = study.predict([study.best_params])
    assert mean[0] == pytest.approx(study.best_value, abs=0.1)
    study.close()


def test_bad_requests_get_a_message_and_exit_code_2(saved: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", str(saved), "other", "-o", str(tmp_path / "a.png")]) == 2
    assert "no study named 'other'" in capsys.readouterr().err
    assert main(["plot", str(saved), "mnist", "-o", str(tmp_path / "a.jpg")]) == 2
    assert "-o must end in .png, .svg, .pdf" in capsys.readouterr().err
    assert main(["plot", str(tmp_path / "missing.json"), "missing", "-o", str(tmp_path / "a.png")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["plot", str(saved), "mnist", "--kind", "slice", "--params", "depth", "-o",
                 str(tmp_path / "a.png")]) == 2
    assert "unknown parameter(s) ['depth']" in capsys.readouterr().err
    assert not (tmp_path / "a.png").exists()
