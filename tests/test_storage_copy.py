"""copy_study and `hyperengine storage copy`: a study moves between storages (a JSON file into SQLite, SQLite
into PostgreSQL, ...) with every trial as it was, and goes on there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers_storage import fresh_postgres_schema
from hyperengine import copy_study, create_study, load_study, spec
from hyperengine.storage import DuplicateStudyError, InMemoryStorage, TrialState, get_storage

SPACE = {"lr": 10 ** spec.uniform(-4, -1), "layers": spec.choice([1, 2, 3])}


def hyperengine(*args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("hyperengine")
    prefix = [command] if command else [sys.executable, "-m", "hyperengine.cli"]
    return subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=600, check=False)


def fill(study: Any) -> None:
    """Trials in every state: complete with curves, pruned, failed, one left running, one enqueued."""
    for index in range(6):
        trial = study.ask()
        for step in range(3):
            trial.report(0.1 * (step + 1) + index / 100, step)
        if index == 2:
            study.tell(trial, 0.2, state="pruned")
        elif index == 4:
            study.tell(trial, state="failed", error="out of memory")
        else:
            study.tell(trial, 0.5 + index / 100)
    study.ask()  # still running when copied
    study.enqueue({"lr": 0.01, "layers": 2})


def same_trials(copied: list[Any], original: list[Any], workers: bool = True) -> None:
    """Equal trials (the worker too, unless the target is a JSON file, which does not keep it)."""
    assert [t.number for t in copied] == [t.number for t in original]
    for new, old in zip(copied, original, strict=True):
        if old.state is TrialState.RUNNING:
            assert new.state is TrialState.FAILED and "copied from" in new.error
            continue
        assert (new.state, new.value, new.error, new.intermediate_values) == (
            old.state, old.value, old.error, old.intermediate_values)
        assert new.worker == (old.worker if workers else None)
        assert new.params == old.params and new.point.tolist() == old.point.tolist()
        assert abs((new.datetime_start - old.datetime_start).total_seconds()) < 1e-3
        if old.datetime_complete is None:  # a JSON file's interrupted trial
            assert new.datetime_complete is None
        else:
            assert abs((new.datetime_complete - old.datetime_complete).total_seconds()) < 1e-3


@pytest.fixture(params=["sqlite", "postgres", "json"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres":
        yield from fresh_postgres_schema()
    elif request.param == "json":
        yield str(tmp_path / "copy.json")
    else:
        yield f"sqlite:///{tmp_path / 'copy.db'}"


def test_a_json_study_file_moves_to_sqlite_from_the_command_line_and_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "study.json"
    study = create_study(SPACE, storage=source, direction="maximize", seed=1)
    fill(study)
    study.close()
    reopened = load_study("default", source)  # as the file keeps them (no worker; the running one interrupted)
    original = reopened.trials
    reopened.close()
    url = f"sqlite:///{tmp_path / 'study.db'}"
    result = hyperengine("storage", "copy", str(source), url)
    assert result.returncode == 0, result.stderr
    assert "copied study 'default' (7 trials)" in result.stdout
    moved = load_study("default", url)  # the space came with it
    same_trials(moved.trials, original)
    assert moved.strategy.iteration == 5 and moved.best_value == original[5].value  # complete + pruned fed
    queued = moved.ask()
    assert queued.number == 7 and queued.params == {"lr": 0.01, "layers": 2}  # the queue came too
    moved.tell(queued, 0.9)
    moved.optimize(lambda params: -abs(params["lr"] - 0.01), n_trials=2)
    assert [t.number for t in moved.trials] == list(range(10)) and moved.best_value == 0.9
    moved.close()


def test_a_study_copies_into_every_backend(target: str) -> None:
    memory = InMemoryStorage()
    study = create_study(SPACE, storage=memory, study_name="s", direction="minimize")
    fill(study)
    assert copy_study("s", memory, target) == 7
    copied = load_study("s", target, space=SPACE)
    same_trials(copied.trials, study.trials, workers=not target.endswith(".json"))
    assert copied.direction == "minimize" and copied.storage.get_enqueued(copied._record.study_id)[0][1] == {
        "lr": 0.01, "layers": 2}
    copied.close()


def test_a_copy_never_overwrites_a_study(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    other = f"sqlite:///{tmp_path / 'b.db'}"
    first = create_study(SPACE, storage=url, study_name="s")
    fill(first)
    first.close()
    existing = create_study(SPACE, storage=other, study_name="s")
    existing.tell(existing.ask(), 1.0)
    existing.close()
    with pytest.raises(DuplicateStudyError, match="already holds a study named 's'"):
        copy_study("s", url, other)
    storage = get_storage(other)
    assert len(storage.get_trials(storage.load_study("s").study_id)) == 1  # nothing was added
    storage.close()
    assert copy_study("s", url, other, to_study_name="s2") == 7  # under another name it goes in beside it
    assert [len(load_study(name, other).trials) for name in ("s", "s2")] == [1, 7]


def test_the_command_names_what_is_wrong(tmp_path: Path) -> None:
    missing = hyperengine("storage", "copy", str(tmp_path / "nothing.json"), f"sqlite:///{tmp_path / 'x.db'}")
    assert missing.returncode == 1 and "nothing.json does not exist" in missing.stderr
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "nothing.json").exists()
    rename = hyperengine("storage", "copy", str(tmp_path / "a.json"), f"sqlite:///{tmp_path / 'x.db'}",
                         "--to-name", "b")
    assert rename.returncode == 1 and "--to-name needs --study" in rename.stderr
