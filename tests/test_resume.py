"""Resuming: the strategy's io_save_dir / io_load_dir session and the study's storage file round-trip; a
damaged or foreign file is a CorruptStateError and is left byte for byte as it was; a study killed with
SIGKILL mid-run loses no completed trial."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyperengine import CorruptStateError, spec
from hyperengine.bayesian import BayesianStrategy, DefaultSampler
from hyperengine.storage import StorageError
from hyperengine.study import TrialState, create_study, load_study


def space() -> dict[str, Any]:
    return {"x": spec.uniform(-2.0, 2.0), "units": spec.choice([8, 16, 32])}


def objective(params: dict[str, Any]) -> float:
    return (params["x"] - 0.5) ** 2 + abs(params["units"] - 16) / 8


def sampler_of(dim: int) -> DefaultSampler:
    sampler = DefaultSampler(seed=0)
    sampler.add_uniform(dim)
    return sampler


# -- the strategy's session -------------------------------------------------------------------------------------
def test_io_save_dir_and_io_load_dir_round_trip(tmp_path: Path) -> None:
    first = BayesianStrategy(sampler_of(2), io_save_dir=str(tmp_path), seed=0)
    for _ in range(6):
        point = first.next_proposal()
        first.add_point(point, -float(np.sum(point**2)))
    saved = json.loads((tmp_path / "strategy-session.json").read_text())
    assert saved["format"] == "hyperengine.strategy-session" and len(saved["values"]) == 6

    resumed = BayesianStrategy(sampler_of(2), io_load_dir=str(tmp_path), io_save_dir=str(tmp_path), seed=0)
    assert resumed.iteration == 6 and resumed.values == first.values
    np.testing.assert_array_equal(np.array(resumed.points), np.array(first.points))
    assert resumed.model.size == 6  # the GP sees the loaded points
    mean, _ = resumed.model.predict(np.array(first.points))
    np.testing.assert_allclose(mean, first.values, atol=0.05)
    point = resumed.next_proposal()
    resumed.add_point(point, 0.0)
    assert len(json.loads((tmp_path / "strategy-session.json").read_text())["values"]) == 7


def test_a_saved_session_is_never_overwritten_silently(tmp_path: Path) -> None:
    first = BayesianStrategy(sampler_of(2), io_save_dir=str(tmp_path))
    first.add_point([0.1, 0.2], 1.0)
    before = (tmp_path / "strategy-session.json").read_bytes()
    with pytest.raises(CorruptStateError, match="already holds a session; pass io_load_dir"):
        BayesianStrategy(sampler_of(2), io_save_dir=str(tmp_path))
    assert (tmp_path / "strategy-session.json").read_bytes() == before


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\xff garbage", "not valid JSON"),
    (b'{"format": "hyperengine.strategy-session", "version": 1, "dim": 2, "poi', "not valid JSON"),
    (b'{"format": "hyperengine.strategy-session", "version": 9, "dim": 2}', "version 9 is not supported"),
    (b'{"format": "hyperengine.study", "version": 1}', "not a 'hyperengine.strategy-session' file"),
    ((b'{"format": "hyperengine.strategy-session", "version": 1, "dim": 3, "names": null, "points": [],'
     b' "values": [], "noise": []}'), "3 dimensions, this one has 2"),
    ((b'{"format": "hyperengine.strategy-session", "version": 1, "dim": 2, "names": null,'
     b' "points": [[0.1, 0.2]], "values": [], "noise": []}'), "1 points but 0 values"),
])
def test_a_damaged_session_is_a_clear_error_and_is_kept(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "strategy-session.json"
    path.write_bytes(content)
    with pytest.raises(CorruptStateError, match=message):
        BayesianStrategy(sampler_of(2), io_load_dir=str(tmp_path), io_save_dir=str(tmp_path))
    assert path.read_bytes() == content


# -- the study's storage ----------------------------------------------------------------------------------------
def test_storage_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "study.json"
    study = create_study(space(), direction="minimize", seed=0, storage=path)
    study.optimize(objective, n_trials=6)
    trial = study.ask()
    trial.report(0.5, step=0)
    study.tell(trial, None)  # a failed one is kept too
    with pytest.raises(StorageError, match="in use by pid"):  # one writer at a time
        create_study(space(), direction="minimize", seed=0, storage=path)
    study.close()
    resumed = create_study(space(), direction="minimize", seed=0, storage=path)
    assert len(resumed.trials) == 7
    for old, new in zip(study.trials, resumed.trials, strict=True):
        assert (old.number, old.state, old.value, old.params, old.error) == \
            (new.number, new.state, new.value, new.params, new.error)
        np.testing.assert_array_equal(old.point, new.point)
        assert old.datetime_start == new.datetime_start and old.datetime_complete == new.datetime_complete
    assert resumed.trials[6].intermediate_values == {0: 0.5}
    assert resumed.best_params == study.best_params
    assert resumed.strategy.iteration == 6  # the failed trial is not fed to the GP
    resumed.optimize(objective, n_trials=2)
    assert [t.number for t in resumed.trials] == list(range(9))
    assert len(json.loads(path.read_text())["trials"]) == 9


def write_study_file(path: Path, **changes: Any) -> bytes:
    study = create_study(space(), seed=0, storage=path)
    study.optimize(objective, n_trials=3)
    study.close()
    payload = json.loads(path.read_text())
    payload.update(changes)
    path.write_text(json.dumps(payload))
    return path.read_bytes()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "version", "format", "spec", "direction",
                                    "record", "fields"])
def test_a_damaged_or_foreign_study_file_is_a_clear_error_and_is_kept(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "study.json"
    other_space: dict[str, Any] = space()
    direction = "maximize"
    if damage == "garbage":
        path.write_bytes(os.urandom(64) + b"\xff")
        message = "not valid JSON"
    elif damage == "truncated":
        write_study_file(path)
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
        message = "not valid JSON"
    elif damage == "empty":
        path.write_bytes(b"")
        message = "not valid JSON"
    elif damage == "version":
        write_study_file(path, version=2)
        message = "version 2 is not supported"
    elif damage == "format":
        write_study_file(path, format="something.else")
        message = "not a 'hyperengine.study' file"
    elif damage == "spec":
        write_study_file(path)
        other_space = {"x": spec.uniform(-2.0, 2.0), "units": spec.choice([8, 16, 32, 64])}
        message = "saved for another spec"
    elif damage == "direction":
        write_study_file(path)
        direction = "minimize"
        message = "saved with direction 'maximize'"
    elif damage == "fields":
        payload = json.loads(write_study_file(path))
        del payload["trials"][2]["intermediate_values"]
        path.write_text(json.dumps(payload))
        message = "trial record 2 is malformed"
    else:
        payload = json.loads(write_study_file(path))
        payload["trials"][1]["point"] = [0.5]
        path.write_text(json.dumps(payload))
        message = "trial record 1 has an invalid point"
    before = path.read_bytes()
    # another spec or direction is a mismatch (a ValueError saying what differs), the rest a damaged file
    expected = ValueError if damage in ("spec", "direction") else CorruptStateError
    with pytest.raises(expected, match=message):
        create_study(other_space, direction=direction, seed=0, storage=path)
    assert path.read_bytes() == before


def damage_record(payload: dict[str, Any], damage: str) -> str:
    """The JSON text of `payload` with trial record 1 damaged as `damage` says."""
    record = payload["trials"][1]
    if damage == "nan-token":
        record["value"] = "__nan__"
        return json.dumps(payload).replace('"__nan__"', "NaN")
    if damage == "point-outside":
        record["point"] = [1.5, record["point"][1]]
    elif damage == "negative-noise":
        record["noise"] = -1.0
    elif damage == "boolean-value":
        record["value"] = True
    elif damage == "params-contradict-point":
        record["params"] = {**record["params"], "units": 8 if record["params"]["units"] != 8 else 32}
    return json.dumps(payload)


@pytest.mark.parametrize(("damage", "message"), [
    ("nan-token", r"not valid JSON \(the token NaN is not JSON\)"),
    ("point-outside", r"trial record 1 has an invalid point \(not 2 numbers in \[0, 1\]\)"),
    ("negative-noise", r"trial record 1 has an invalid noise \(not a finite variance >= 0\): -1.0"),
    ("boolean-value", "trial record 1 has a value that is not a finite number: True"),
    ("params-contradict-point", "trial record 1 has params .* that contradict its point"),
])
def test_a_damaged_trial_record_is_a_corrupt_state_error_naming_the_file(tmp_path: Path, damage: str,
                                                                         message: str) -> None:
    path = tmp_path / "study.json"
    path.write_text(damage_record(json.loads(write_study_file(path)), damage))
    before = path.read_bytes()
    with pytest.raises(CorruptStateError, match=f"^{re.escape(str(path))}: {message}"):
        create_study(space(), seed=0, storage=path)
    assert path.read_bytes() == before


def load_outcome(path: Path) -> str:
    """'loaded' (the study opened and was closed again), 'corrupt' (CorruptStateError) or 'refused' (a ValueError
    naming the file: a well-formed file holding another study, say a changed study name); anything else raises."""
    try:
        study = load_study("default", storage=path)
    except CorruptStateError:
        return "corrupt"
    except ValueError as error:
        assert str(path) in str(error)
        return "refused"
    study.close()
    return "loaded"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400))
def test_random_bytes_as_a_study_file_are_a_corrupt_state_error_and_are_kept(tmp_path: Path,
                                                                            content: bytes) -> None:
    path = tmp_path / "random.json"
    path.write_bytes(content)
    assert load_outcome(path) == "corrupt"
    assert path.read_bytes() == content


@pytest.fixture(name="saved_study", scope="module")
def fixture_saved_study(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a small saved study (3 trials) to damage."""
    return write_study_file(tmp_path_factory.mktemp("saved") / "study.json")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_saved_study_with_random_bytes_changed_loads_or_is_refused_and_kept(
        tmp_path: Path, saved_study: bytes, data: st.DataObject) -> None:
    content = bytearray(saved_study)
    for _ in range(data.draw(st.integers(1, 4), label="changes")):
        content[data.draw(st.integers(0, len(content) - 1), label="at")] = data.draw(st.integers(0, 255))
    path = tmp_path / "changed.json"
    path.write_bytes(bytes(content))
    if load_outcome(path) != "loaded":
        assert path.read_bytes() == content


def test_a_damaged_pickled_spec_is_a_corrupt_state_error(tmp_path: Path) -> None:
    """A changed byte in the pickled spec can still unpickle, as a node missing an attribute (hypothesis found
    'problem' renamed): that is a damaged file, not an AttributeError from deep inside the spec."""
    path = tmp_path / "study.json"
    payload = json.loads(write_study_file(path))
    pickled = base64.b64decode(payload["space"])
    assert b"problem" in pickled
    payload["space"] = base64.b64encode(pickled.replace(b"problem", b"problex")).decode()
    path.write_text(json.dumps(payload))
    before = path.read_bytes()
    with pytest.raises(CorruptStateError, match=f"^{re.escape(str(path))}: the stored spec of study 'default' "
                                                "cannot be unpickled as a spec"):
        load_study("default", storage=path)
    assert path.read_bytes() == before


# -- SIGKILL mid-study ------------------------------------------------------------------------------------------
CHILD = """
import time, sys
from hyperengine import create_study, spec

def objective(params):
    time.sleep(0.15)
    return (params["x"] - 0.5) ** 2 + abs(params["units"] - 16) / 8

space = {"x": spec.uniform(-2.0, 2.0), "units": spec.choice([8, 16, 32])}
study = create_study(space, direction="minimize", seed=0, storage=sys.argv[1])
study.optimize(objective, n_trials=1000)
"""


def saved_states(path: Path) -> list[str]:
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError):
        return []  # not written yet (every write is atomic, so never half-written)
    return [record["state"] for record in payload["trials"]]


def test_sigkill_mid_study_loses_no_completed_trial(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD))
    path = tmp_path / "study.json"
    child = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:  # until 5 trials are complete and the next one is running (its objective sleeps 0.15 s)
            states = saved_states(path)
            if states.count("complete") >= 5 and states[-1] == "running":
                break
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else "child ended"
            assert time.monotonic() < deadline, "the child study made no progress"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    saved = json.loads(path.read_text())
    saved_complete = [r for r in saved["trials"] if r["state"] == "complete"]
    assert len(saved_complete) >= 5

    resumed = create_study(space(), direction="minimize", seed=0, storage=path)
    complete = [t for t in resumed.trials if t.state is TrialState.COMPLETE]
    assert [(t.number, t.value) for t in complete] == [(r["number"], r["value"]) for r in saved_complete]
    interrupted = [t for t in resumed.trials if t.state is TrialState.FAILED]
    assert len(interrupted) == 1 and interrupted[0].number == len(resumed.trials) - 1
    assert "interrupted" in (interrupted[0].error or "")
    assert resumed.strategy.iteration == len(complete)
    resumed.optimize(objective, n_trials=3)
    assert len(resumed.trials) == len(saved["trials"]) + 3
    assert sum(t.state is TrialState.COMPLETE for t in resumed.trials) == len(complete) + 3
    reloaded = json.loads(path.read_text())
    assert [r["state"] for r in reloaded["trials"]][: len(saved["trials"])][-1] == "failed"
