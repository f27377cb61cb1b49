"""The `hyperengine` command, run as a user would: a real subprocess of the installed entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hyperengine.storage.schema import SCHEMA_VERSION

STUDY_FILE = textwrap.dedent("""
    from hyperengine import spec

    space = {"x": spec.uniform(-5, 5), "y": spec.randint(0, 10)}
    direction = "minimize"

    def objective(params):
        return (params["x"] - 1) ** 2 + (params["y"] - 3) ** 2
""")


def _hyperengine(*args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("hyperengine")
    prefix = [command] if command else [sys.executable, "-m", "hyperengine.cli"]
    return subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=600, check=False)


def test_tune_runs_a_study_file_and_resumes_it(tmp_path: Path) -> None:
    study_file = tmp_path / "quadratic.py"
    study_file.write_text(STUDY_FILE)
    save_dir = tmp_path / "runs"

    first = _hyperengine("tune", str(study_file), "--trials", "20", "--seed", "3", "--save-dir", str(save_dir),
                         "--no-progress")
    assert first.returncode == 0, first.stderr
    assert "trials: 20 complete" in first.stdout
    best = float(first.stdout.split("best value:")[1].split()[0])
    assert best < 0.5  # a 2-D quadratic (one integer coordinate) is solved in 20 trials

    saved = json.loads((save_dir / "study.json").read_text())
    assert len(saved["trials"]) == 20

    second = _hyperengine("tune", str(study_file), "--trials", "5", "--save-dir", str(save_dir), "--no-progress")
    assert second.returncode == 0, second.stderr
    assert "resuming 20 trials" in second.stdout
    assert "trials: 25 complete" in second.stdout


def test_tune_rejects_a_file_without_space_or_objective(tmp_path: Path) -> None:
    study_file = tmp_path / "empty.py"
    study_file.write_text("x = 1\n")
    result = _hyperengine("tune", str(study_file), "--trials", "1")
    assert result.returncode == 2
    assert "define `space`" in result.stderr


def test_version() -> None:
    result = _hyperengine("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("hyperengine ")


@pytest.mark.tensorflow
def test_demo_runs_a_real_keras_tuning_job() -> None:
    pytest.importorskip("tensorflow")
    result = _hyperengine("demo", "--trials", "3", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    assert "best configuration retrained: test_accuracy=" in result.stdout
    accuracy = float(result.stdout.split("test_accuracy=")[1].split()[0])
    assert accuracy > 0.5  # ten digit classes: chance is 0.1


def test_four_tune_workers_share_one_study_and_the_storage_commands_report_it(tmp_path: Path) -> None:
    study_file = tmp_path / "quadratic.py"
    study_file.write_text(STUDY_FILE)
    url = f"sqlite:///{tmp_path / 'runs' / 'study.db'}"
    command = shutil.which("hyperengine")
    prefix = [command] if command else [sys.executable, "-m", "hyperengine.cli"]
    workers = [subprocess.Popen([*prefix, "tune", str(study_file), "--storage", url, "--study-name", "quad",
                                 "--trials", "6", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(4)]
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=600)
        assert worker.returncode == 0, stderr
    listing = _hyperengine("studies", url)
    assert listing.returncode == 0, listing.stderr
    header, row = listing.stdout.splitlines()
    assert header.split()[:7] == ["name", "direction", "running", "complete", "pruned", "failed", "enqueued"]
    assert row.split()[:7] == ["quad", "minimize", "0", "24", "0", "0", "0"]

    exported = _hyperengine("trials", url, "quad", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    trials = json.loads(exported.stdout)
    assert [t["number"] for t in trials] == list(range(24)) and len({t["worker"] for t in trials}) == 4
    assert float(row.split()[7]) == pytest.approx(min(t["value"] for t in trials), rel=1e-5)
    table = _hyperengine("trials", url, "quad", "--format", "csv")
    lines = table.stdout.splitlines()
    assert lines[0].startswith("number,state,value") and "params_x" in lines[0] and len(lines) == 25

    upgrade = _hyperengine("storage", "upgrade", url)
    assert upgrade.returncode == 0 and f"schema version {SCHEMA_VERSION} is current" in upgrade.stdout
    missing = _hyperengine("trials", url, "nope")
    assert missing.returncode == 1 and "no study named 'nope'" in missing.stderr
