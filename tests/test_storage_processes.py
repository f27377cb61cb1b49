"""Many processes on one study, for real: 8 workers x 25 trials on SQLite and on PostgreSQL, a worker SIGKILLed
inside its transactions, resuming after SIGKILL, a corrupt or foreign database, a newer schema, and a lock held
by another process for longer than the busy timeout (a clear error, not a hang)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from helpers_storage import shared_url
from hyperengine import CorruptStateError, create_study, load_study, spec
from hyperengine.storage import SchemaVersionError, StorageLockedError, TrialState, get_storage
from hyperengine.storage.schema import SCHEMA_VERSION

WORKER = Path(__file__).with_name("storage_worker.py")
GRACE = 2.0  # seconds without heartbeat before a trial fails (short for the test's time; a beat every 0.5 s)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from shared_url(request.param, tmp_path)


STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def reap_workers() -> Iterator[None]:
    """Kill and wait for every worker a test started, even when the test failed before waiting for it."""
    yield
    while STARTED:
        worker = STARTED.pop()
        if worker.returncode is None:  # not waited for yet
            worker.kill()
            worker.communicate()


def start_worker(url: str, name: str, n_trials: int, log: Path, kill_at: str | None = None) -> subprocess.Popen[bytes]:
    environment = dict(os.environ, HYPERENGINE_TEST_GRACE=str(GRACE),
                       PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parents[1] / "python"),
                                                                 os.environ.get("PYTHONPATH")])))
    arguments = [sys.executable, str(WORKER), url, name, str(n_trials), str(log)] + ([kill_at] if kill_at else [])
    worker = subprocess.Popen(arguments, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    STARTED.append(worker)
    return worker


def wait(worker: subprocess.Popen[bytes], timeout: float = 600) -> tuple[int, str]:
    try:
        _, stderr = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        _, stderr = worker.communicate()
    return worker.returncode, stderr.decode()


def told_values(logs: list[Path]) -> dict[int, list[float]]:
    """number -> the values workers were told to have stored (from every worker's log)."""
    told: dict[int, list[float]] = {}
    for log in logs:
        if log.exists():
            for line in log.read_text().splitlines():
                number, value = line.split()
                told.setdefault(int(number), []).append(float(value))
    return told


def check_study(url: str, name: str, told: dict[int, list[float]]) -> list[object]:
    """No number twice, none told twice, every told value stored, proposals distinct; the trials."""
    storage = get_storage(url)
    record = storage.load_study(name)
    trials = storage.get_trials(record.study_id)
    storage.close()
    numbers = [t.number for t in trials]
    assert numbers == list(range(len(trials)))  # unique, dense: a killed transaction leaves no gap
    assert all(len(values) == 1 for values in told.values()), "a trial was told twice"
    for number, (value,) in told.items():
        assert trials[number].state is TrialState.COMPLETE and trials[number].value == value
    points = np.array([t.point for t in trials])
    gaps = np.abs(points[:, None, :] - points[None, :, :]).max(axis=-1)[np.triu_indices(len(points), 1)]
    assert gaps.min() > 1e-9, "two workers evaluated the same configuration"
    return trials  # type: ignore[return-value]


@pytest.mark.slow
def test_eight_workers_share_one_study(url: str, tmp_path: Path) -> None:
    logs = [tmp_path / f"worker{i}.log" for i in range(8)]
    workers = [start_worker(url, "shared", 25, log) for log in logs]
    results = [wait(worker) for worker in workers]
    assert all(code == 0 for code, _ in results), [error for _, error in results]
    told = told_values(logs)
    assert len(told) == 200
    trials = check_study(url, "shared", told)
    assert len(trials) == 200 and len({t.worker for t in trials}) == 8  # type: ignore[attr-defined]
    study = load_study("shared", url)
    assert study.strategy.iteration == 200 and len(study.trials[0].intermediate_values) == 4
    study.close()


@pytest.mark.slow
def test_sixteen_sqlite_workers_never_see_database_is_locked(tmp_path: Path) -> None:
    """16 processes on one SQLite file (8 per core here): every write waits its turn in BEGIN IMMEDIATE."""
    url = f"sqlite:///{tmp_path / 'study.db'}"
    logs = [tmp_path / f"worker{i}.log" for i in range(16)]
    workers = [start_worker(url, "sixteen", 6, log) for log in logs]
    results = [wait(worker) for worker in workers]
    assert all(code == 0 for code, _ in results), [error for _, error in results]
    assert not any("locked" in error for _, error in results)
    told = told_values(logs)
    assert len(told) == 96
    trials = check_study(url, "sixteen", told)
    assert len({t.worker for t in trials}) == 16  # type: ignore[attr-defined]


@pytest.mark.parametrize("phase", ["ask", "report", "tell"])
def test_a_worker_killed_inside_a_transaction_loses_nothing_and_its_trial_fails(phase: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    logs = [tmp_path / f"worker{i}.log" for i in range(3)]
    killed = start_worker(url, "s", 10, logs[0], kill_at=phase)
    others = [start_worker(url, "s", 6, log) for log in logs[1:]]
    assert wait(killed)[0] == -signal.SIGKILL
    results = [wait(worker) for worker in others]
    assert all(code == 0 for code, _ in results), [error for _, error in results]
    told = told_values(logs)
    assert len(told_values(logs[:1])) == 2  # the killed worker told two trials before dying on its third
    time.sleep(GRACE * 1.5)
    survivor = load_study("s", url, heartbeat_grace=GRACE)
    survivor.tell(survivor.ask(), 0.0)  # its ask fails the killed worker's stale trial
    check_study(url, "s", told)
    failed = survivor.get_trials(states=["failed"])
    if phase == "ask":  # killed inside create_trial: the transaction rolled back, no trial was left running
        assert failed == []
    else:
        assert len(failed) == 1 and failed[0].error is not None and failed[0].error.startswith("heartbeat:")
        assert failed[0].number not in told
    assert survivor.get_trials(states=["running"]) == []
    survivor.close()


def test_resume_after_sigkill_of_the_only_worker(url: str, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    worker = start_worker(url, "s", 1000, log)
    deadline = time.monotonic() + 120
    while len(told_values([log])) < 5:
        assert worker.poll() is None and time.monotonic() < deadline, "the worker made no progress"
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    assert wait(worker)[0] == -signal.SIGKILL
    told = told_values([log])
    time.sleep(GRACE * 1.5)
    resumed = load_study("s", url, heartbeat_grace=GRACE)
    before = len(resumed.trials)
    complete = len(resumed.get_trials(states=["complete"]))
    assert complete >= len(told) and resumed.strategy.iteration == complete
    resumed.optimize(lambda params: params["dropout"], n_trials=3)
    assert [t.number for t in resumed.trials] == list(range(before + 3))
    assert resumed.get_trials(states=["running"]) == []  # the killed one failed after the grace period
    check_study(url, "s", told)
    resumed.close()


# -- damaged, foreign, newer, locked --------------------------------------------------------------------------
SPACE = {"x": spec.uniform(0.0, 1.0)}


@pytest.mark.parametrize("content", [b"", os.urandom(4096), b"SQLite format 3\x00" + os.urandom(4000)])
def test_a_corrupt_sqlite_file_is_a_clear_error_and_is_left_as_it_was(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "study.db"
    path.write_bytes(content)
    if not content:
        create_study(SPACE, storage=f"sqlite:///{path}").close()  # an empty file is a new database
        return
    with pytest.raises(CorruptStateError, match=str(path)):
        create_study(SPACE, storage=f"sqlite:///{path}")
    assert path.read_bytes() == content


def test_a_foreign_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    before = path.read_bytes()
    with pytest.raises(CorruptStateError, match="not a hyperengine store.*invoices"):
        create_study(SPACE, storage=f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_a_newer_schema_is_refused_naming_both_versions(url: str) -> None:
    create_study(SPACE, storage=url, study_name="s").close()
    storage = get_storage(url)
    with storage._transaction(write=True) as cursor:  # type: ignore[attr-defined]
        cursor.execute("UPDATE hyperengine_schema SET version = 7")
    storage.close()
    newer = f"schema version 7, newer than this hyperengine's version {SCHEMA_VERSION}"
    with pytest.raises(SchemaVersionError, match=newer):
        load_study("s", url)
    from hyperengine.cli import main

    assert main(["storage", "upgrade", url]) == 1


def _as_version_1(url: str) -> None:
    """Turn a current store into the layout hyperengine 0.2's first release wrote (schema version 1): no
    `reported` column, an index on (study_id, state), and the intermediate values in a row-id table."""
    storage = get_storage(url)
    sqlite = url.startswith("sqlite")
    with storage._transaction(write=True) as cursor:  # type: ignore[attr-defined]
        cursor.execute("ALTER TABLE trials DROP COLUMN reported")
        cursor.execute("CREATE INDEX trials_by_state ON trials (study_id, state)")
        if sqlite:
            cursor.execute("""CREATE TABLE intermediate_v1 (
                trial_id BIGINT NOT NULL REFERENCES trials (id), step BIGINT NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (trial_id, step))""")
            cursor.execute("INSERT INTO intermediate_v1 SELECT trial_id, step, value FROM intermediate")
            cursor.execute("DROP TABLE intermediate")
            cursor.execute("ALTER TABLE intermediate_v1 RENAME TO intermediate")
        cursor.execute("UPDATE hyperengine_schema SET version = 1")
    storage.close()


def test_a_version_1_store_is_refused_until_upgraded_and_keeps_every_trial_and_curve(url: str) -> None:
    study = create_study(SPACE, storage=url, study_name="s", seed=0)
    for number in range(6):
        trial = study.ask()
        for step in range(number):  # trial 0 has no curve; the last one reports after the upgrade
            trial.report(float(number + step), step)
        if number < 5:
            study.tell(trial, float(number))
    study.close()
    before = {t.number: (t.state, t.value, t.params, t.intermediate_values) for t in load_study("s", url).trials}
    _as_version_1(url)

    with pytest.raises(SchemaVersionError, match=r"version 1 is older .* run `hyperengine storage upgrade"):
        load_study("s", url)
    from hyperengine.cli import main

    assert main(["storage", "upgrade", url]) == 0
    assert get_storage(url).schema_version() == SCHEMA_VERSION
    upgraded = load_study("s", url)
    assert {t.number: (t.state, t.value, t.params, t.intermediate_values) for t in upgraded.trials} == before
    running = upgraded.trials[5]
    assert running.state == TrialState.RUNNING and len(running.intermediate_values) == 5
    resumed = upgraded.running_trial(5)
    resumed.report(10.0, 5)
    upgraded.tell(resumed, 5.0)  # the tell reads back the five steps reported before the upgrade
    assert load_study("s", url).trials[5].intermediate_values == {s: 5.0 + s for s in range(6)}
    assert main(["storage", "upgrade", url]) == 0  # a current store: nothing to do


LOCKER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""

PG_LOCKER = """
import sys, time, psycopg
connection = psycopg.connect(sys.argv[1])
connection.execute("SELECT id FROM studies FOR UPDATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_lock_held_longer_than_the_busy_timeout_is_a_clear_error(url: str, tmp_path: Path) -> None:
    study = create_study(SPACE, storage=url, study_name="s", busy_timeout=0.3)
    trial = study.ask()
    trial.report(0.5, step=0)  # waits for the tell's write
    script = tmp_path / "locker.py"
    script.write_text(textwrap.dedent(LOCKER if url.startswith("sqlite") else PG_LOCKER))
    target = url[len("sqlite:///"):] if url.startswith("sqlite") else url
    locker = subprocess.Popen([sys.executable, str(script), target, "30"], stdout=subprocess.PIPE)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == b"locked"
        with pytest.raises(StorageLockedError, match="longer than the busy timeout \\(0.3 s\\)"):
            study.tell(trial, 1.0)
    finally:
        locker.kill()
        locker.wait()
        if locker.stdout:
            locker.stdout.close()
    study.tell(trial, 1.0)  # nothing was recorded by the refused tell: it goes through now, with the report
    assert study.best_value == 1.0
    study.close()
    storage = get_storage(url)
    (stored,) = storage.get_trials(storage.load_study("s").study_id)
    storage.close()
    assert stored.value == 1.0 and stored.intermediate_values == {0: 0.5}
