"""Reports on a shared storage: a fast loop's steps share one write (report_interval), yet nothing reported is
lost and this process always sees its own reports; a slow loop's reports are visible to other workers at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers_storage import shared_url
from hyperengine import create_study, load_study, spec
from hyperengine.curve import LinearCurvePredictor
from hyperengine.storage import StaleTrialError, get_storage

SPACE = {"x": spec.uniform(0.0, 1.0)}


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from shared_url(request.param, tmp_path)


def stored_curve(url: str, number: int) -> dict[int, float]:
    """Trial `number`'s intermediate values as another process would read them (its own connection)."""
    storage = get_storage(url)
    try:
        record = storage.load_study("s")
        return storage.get_trials(record.study_id)[number].intermediate_values
    finally:
        storage.close()


def test_a_fast_loop_writes_its_curve_with_the_result(url: str) -> None:
    study = create_study(SPACE, storage=url, study_name="s", report_interval=3600, strategy="random")
    trial = study.ask()
    for step in range(5):
        trial.report(0.1 * step, step)
    assert stored_curve(url, 0) == {}  # waiting: one write for the whole curve
    assert trial.intermediate_values == {step: 0.1 * step for step in range(5)}
    assert study.trials[0].intermediate_values == trial.intermediate_values  # this process sees its reports
    study.tell(trial, 0.5)
    assert stored_curve(url, 0) == {step: 0.1 * step for step in range(5)}
    assert study.trials[0].intermediate_values == stored_curve(url, 0)
    study.close()


def test_a_slow_loop_is_visible_as_it_reports(url: str) -> None:
    study = create_study(SPACE, storage=url, study_name="s", report_interval=0, strategy="random")
    trial = study.ask()
    trial.report(0.25, 0)
    assert stored_curve(url, 0) == {0: 0.25}
    trial.report(0.5, 1)
    assert stored_curve(url, 0) == {0: 0.25, 1: 0.5}
    study.tell(trial, 0.5)
    study.close()


def test_waiting_reports_reach_the_storage_with_the_heartbeat_and_on_close(url: str) -> None:
    study = create_study(SPACE, storage=url, study_name="s", report_interval=3600, heartbeat_grace=0.4,
                         strategy="random")
    trial = study.ask()
    trial.report(0.75, 0)
    deadline = time.monotonic() + 60  # a beat every 0.1 s flushes it; the deadline only bounds a broken flush
    while stored_curve(url, 0) != {0: 0.75}:
        assert time.monotonic() < deadline, "the heartbeat never wrote the waiting report"
        time.sleep(0.05)
    trial.report(0.8, 1)
    study.close()  # the trial stays running (its worker stops), its last report is written
    assert stored_curve(url, 0) == {0: 0.75, 1: 0.8}


def test_should_stop_sees_the_waiting_reports(url: str) -> None:
    study = create_study(SPACE, storage=url, study_name="s", report_interval=3600, strategy="random",
                         curve_predictor=LinearCurvePredictor(burn_in=3, min_input_size=2))
    for _ in range(4):  # finished curves for the predictor, rising to 0.9
        done = study.ask()
        for step in range(6):
            done.report(0.9 * (step + 1) / 6, step)
        study.tell(done, 0.9)
    trial = study.ask()
    trial.report(0.01, 0)
    trial.report(0.01, 1)
    assert trial.should_stop()  # a flat, low curve: stopped from reports that are still waiting
    assert stored_curve(url, trial.number) == {}
    study.tell(trial, state="pruned")
    assert stored_curve(url, trial.number) == {0: 0.01, 1: 0.01}
    study.close()


def test_a_trial_failed_for_its_heartbeat_keeps_its_late_value(url: str) -> None:
    worker = create_study(SPACE, storage=url, study_name="s", report_interval=3600, heartbeat_grace=3600,
                          strategy="random")  # beats every 15 minutes: to a worker with a short grace, it stalled
    trial = worker.ask()
    trial.report(0.5, 0)
    time.sleep(0.5)
    other = load_study("s", url, heartbeat_grace=0.3)
    other.tell(other.ask(), 1.0)  # its ask fails the stale trial
    with pytest.raises(StaleTrialError):
        worker.tell(trial, 0.7)
    (stale,) = other.get_trials(states=["failed"])
    assert stale.number == trial.number and stale.late_value == 0.7 and stale.error.startswith("heartbeat:")
    for study in (worker, other):
        study.close()
