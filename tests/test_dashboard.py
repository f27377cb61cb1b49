"""The dashboard's JSON API, served by the real server over a real SQLite store written by a real study."""

from __future__ import annotations

import json
import logging
import shutil
import signal
import socket
import struct
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import hyperengine
from hyperengine import spec

pytest.importorskip("plotly")
from hyperengine.dashboard import DashboardServer  # noqa: E402

MARKUP = "<img src=x onerror=alert(1)>"
SPACE = {"lr": 10 ** spec.uniform(-4, -1), "units": spec.choice([16, 32, 64]), "tag": spec.choice([MARKUP, "plain"])}


def objective(params: dict[str, Any]) -> float:
    return -(np.log10(params["lr"]) + 2.5) ** 2 + params["units"] / 64


def make_study(url: str, name: str = "demo", trials: int = 8) -> hyperengine.Study:
    study = hyperengine.create_study(SPACE, storage=url, study_name=name, seed=0)
    for _ in range(trials):
        trial = study.ask()
        for step in range(3):
            trial.report(objective(trial.params) * (step + 1) / 3, step)
        study.tell(trial, objective(trial.params))
    failed = study.ask()
    study.tell(failed, state="failed", error="CUDA out of memory <b>bold</b>")
    return study


def get(server: DashboardServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(server.url.rstrip("/") + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            kind = response.headers["Content-Type"]
            return response.status, json.loads(body) if kind.startswith("application/json") else body
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'runs.db'}"


@pytest.fixture
def server(store: str) -> Iterator[DashboardServer]:
    make_study(store).close()
    running = DashboardServer(store, port=0)
    running.start()
    yield running
    running.stop()


def test_root_lists_the_studies_with_counts_and_best_value(server: DashboardServer, store: str) -> None:
    status, payload = get(server, "/api/studies")
    assert status == 200
    (row,) = payload["studies"]
    assert row["name"] == "demo" and row["direction"] == "maximize"
    assert row["counts"] == {"complete": 8, "pruned": 0, "running": 0, "failed": 1}
    study = hyperengine.load_study("demo", store)
    assert row["best_value"] == pytest.approx(study.best_value)
    study.close()


def test_study_trials_are_flat_rows_and_polling_returns_only_what_changed(server: DashboardServer,
                                                                          store: str) -> None:
    status, first = get(server, "/api/studies/demo?after=0")
    assert status == 200 and len(first["trials"]) == 9
    row = first["trials"][0]
    assert set(row["params"]) == {"lr", "units", "tag"}
    assert [step for step, _ in row["intermediate"]] == [0, 1, 2]
    assert first["trials"][-1]["state"] == "failed" and "<b>bold</b>" in first["trials"][-1]["error"]

    _, unchanged = get(server, f"/api/studies/demo?after={first['version']}")
    assert unchanged["trials"] == [] and unchanged["version"] == first["version"]

    study = hyperengine.load_study("demo", store)
    trial = study.ask()
    study.tell(trial, 0.5)
    study.close()
    _, changed = get(server, f"/api/studies/demo?after={first['version']}")
    assert [t["number"] for t in changed["trials"]] == [9]
    assert changed["trials"][0]["value"] == 0.5 and changed["version"] > first["version"]


def test_model_answers_a_slice_per_parameter_and_importances(server: DashboardServer, store: str) -> None:
    status, model = get(server, "/api/studies/demo/model")
    assert status == 200, model
    assert {s["param"] for s in model["slices"]} == set(model["importances"]) and len(model["slices"]) == 3
    from hyperengine.visualization import gp_slice
    from hyperengine.visualization.parameters import parameter_axes

    study = server.models.study("demo")  # the study the server answered from: the same GP
    axis = parameter_axes(study.parsed_spec)[0]
    reference = gp_slice(study, axis)
    sent = next(s for s in model["slices"] if s["param"] == axis.name)
    np.testing.assert_allclose(sent["mean"], reference.mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sent["std"], reference.std, rtol=1e-9, atol=1e-12)
    assert sum(model["importances"].values()) == pytest.approx(1.0)
    from hyperengine.visualization import param_importances

    expected = param_importances(study)
    assert set(model["importances"]) == set(expected)
    for name, share in expected.items():
        assert model["importances"][name] == pytest.approx(share, rel=1e-9, abs=1e-12)
    categorical = next(s for s in model["slices"] if s["param"] == "tag")
    assert categorical["kind"] == "categorical" and len(categorical["x"]) == 2 and "plain" in categorical["x"]
    assert any(label.startswith("<img") for label in categorical["x"])  # the raw text, shortened for the axis


def test_a_study_without_enough_trials_gets_a_note_not_an_error(store: str) -> None:
    make_study(store, name="young", trials=1).close()
    running = DashboardServer(store, port=0)
    running.start()
    try:
        status, model = get(running, "/api/studies/young/model")
    finally:
        running.stop()
    assert status == 200 and model["slices"] == [] and "at least" in model["note"]


def test_errors_are_json_with_the_right_status(server: DashboardServer) -> None:
    assert get(server, "/api/studies/nope")[0] == 404
    assert get(server, "/api/studies/nope/model")[0] == 404
    status, payload = get(server, "/api/studies/demo?after=-3")
    assert status == 400 and "after" in payload["error"]
    assert get(server, "/static/../server.py")[0] == 404
    assert get(server, "/static/%2e%2e%2fserver.py")[0] == 404
    assert get(server, "/static/api.py")[0] == 404


def test_a_client_leaving_mid_answer_is_no_error(server: DashboardServer, capfd: pytest.CaptureFixture[str],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    host, port = server.server_address[:2]
    for _ in range(3):  # plotly's bundle is megabytes: the reset lands while the server is still sending it
        client = socket.create_connection((str(host), port), timeout=120)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
        client.sendall(b"GET /static/plotly.min.js HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert client.recv(12).startswith(b"HTTP/1.0 200")
        client.close()
    assert get(server, "/api/studies")[0] == 200  # still serving
    assert "Traceback" not in capfd.readouterr().err
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []


def test_it_is_read_only(server: DashboardServer) -> None:
    request = urllib.request.Request(server.url + "api/studies", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=120)
    assert refused.value.code == 405
    refused.value.close()


def test_pages_and_scripts_come_from_the_package_with_a_strict_policy(server: DashboardServer) -> None:
    for path in ("/", "/studies/demo", "/static/study.js", "/static/plotly.min.js"):
        with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=30) as response:
            assert response.status == 200
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    with urllib.request.urlopen(server.url + "studies/demo", timeout=30) as response:
        page = response.read().decode()
    assert "http://" not in page and "https://" not in page  # no CDN: every script is served from here


def test_a_token_guards_every_request(store: str) -> None:
    make_study(store, trials=2).close()
    running = DashboardServer(store, port=0, token="s3cret-token")
    running.start()
    try:
        assert get(running, "/api/studies")[0] == 401
        assert get(running, "/api/studies?token=wrong-token")[0] == 401
        assert get(running, "/api/studies?token=s3cret-token")[0] == 200
        assert get(running, "/api/studies", {"X-Hyperengine-Token": "s3cret-token"})[0] == 200
    finally:
        running.stop()


def test_binding_off_loopback_needs_a_token_and_a_missing_store_is_refused(store: str, tmp_path: Path) -> None:
    make_study(store, trials=1).close()
    with pytest.raises(ValueError, match="token"):
        DashboardServer(store, host="0.0.0.0", port=0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        DashboardServer(f"sqlite:///{tmp_path / 'typo.db'}", port=0)
    assert not (tmp_path / "typo.db").exists()
    with pytest.raises(ValueError, match="port"):
        DashboardServer(store, port=70000)


def dashboard_command(*args: str) -> list[str]:
    """`hyperengine dashboard ...` as a user runs it: the installed entry point, else the module."""
    command = shutil.which("hyperengine")
    return [*([command] if command else [sys.executable, "-m", "hyperengine.cli"]), "dashboard", *args]


def test_the_command_serves_the_store_until_interrupted(store: str) -> None:
    make_study(store, trials=2).close()
    process = subprocess.Popen(dashboard_command(store, "--port", "0"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # "hyperengine dashboard on http://127.0.0.1:PORT/"
        assert banner.startswith("hyperengine dashboard on http://127.0.0.1:"), banner + process.stderr.read()
        url = banner.split(" on ", 1)[1].strip()
        with urllib.request.urlopen(url + "api/studies", timeout=120) as response:
            assert [row["name"] for row in json.loads(response.read())["studies"]] == ["demo"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=120) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_the_command_refuses_another_address_without_a_token(store: str) -> None:
    make_study(store, trials=1).close()
    refused = subprocess.run(dashboard_command(store, "--host", "0.0.0.0", "--port", "0"), capture_output=True,
                             text=True, timeout=600, check=False)
    assert refused.returncode == 2 and "--token" in refused.stderr and not refused.stdout
