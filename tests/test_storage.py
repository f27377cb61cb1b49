"""One storage test suite, run against every backend: in memory, one JSON file (where a single process and a
single study apply), SQLite and PostgreSQL (real server, under .ci/with-postgres). The contract of
python/hyperengine/storage/base.py, then the Study on top of it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import hyperengine
from helpers_storage import backend_url, fresh_postgres_schema
from hyperengine import spec
from hyperengine.storage import (
    BaseStorage,
    DuplicateStudyError,
    FrozenTrial,
    InMemoryStorage,
    ProposalConflictError,
    StaleTrialError,
    TrialNotRunningError,
    TrialState,
    UnknownStudyError,
    get_storage,
)
from hyperengine.study import create_study, load_study

BACKENDS = ["memory", "json", "sqlite", "postgres"]
DIMENSIONS = [{"name": "x", "kind": "continuous", "levels": None}]


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """What `storage=` is given: an InMemoryStorage object (so a reopened study sees the same memory), a path
    or a URL."""
    kind = request.param
    if kind == "memory":
        yield InMemoryStorage()
    elif kind == "postgres":
        yield from fresh_postgres_schema()
    else:
        yield backend_url(kind, tmp_path)


@pytest.fixture
def storage(location: Any) -> Iterator[BaseStorage]:
    store = get_storage(location)
    yield store
    store.close()


def is_json(store: Any) -> bool:
    return isinstance(store, (str, Path)) and str(store).endswith(".json") or type(store).__name__ == "JsonFileStorage"


def space() -> dict[str, Any]:
    return {"x": spec.uniform(-2.0, 2.0), "units": spec.choice([8, 16, 32])}


def objective(params: dict[str, Any]) -> float:
    return (params["x"] - 0.5) ** 2 + abs(params["units"] - 16) / 8


# -- the storage contract -------------------------------------------------------------------------------------
def test_studies_are_created_loaded_listed_and_deleted(storage: BaseStorage) -> None:
    record = storage.create_study("a", "minimize", DIMENSIONS, b"spec")
    assert storage.load_study("a") == record and record.direction == "minimize" and record.space == b"spec"
    with pytest.raises(DuplicateStudyError, match="'a' exists"):
        storage.create_study("a", "maximize", DIMENSIONS, None)
    with pytest.raises(UnknownStudyError, match="no study named 'b'"):
        storage.load_study("b")
    if not is_json(storage):  # a JSON file holds one study
        storage.create_study("b", "maximize", DIMENSIONS, None)
        assert [r.name for r in storage.list_studies()] == ["a", "b"]
    trial = storage.create_trial(record.study_id, "w", [0.5], {"x": 0.0})
    storage.finish_trial(record.study_id, trial.number, TrialState.COMPLETE, 2.0, 0.0, None)
    storage.create_trial(record.study_id, "w", [0.25], None)
    summary = storage.study_summaries()[0]
    assert summary.name == "a" and dict(summary.counts) == {"running": 1, "complete": 1, "pruned": 0, "failed": 0}
    assert summary.best_value == 2.0 and summary.n_trials == 2 and summary.last_activity is not None
    storage.delete_study("a")
    with pytest.raises(UnknownStudyError):
        storage.load_study("a")
    with pytest.raises(UnknownStudyError):
        storage.delete_study("a")


def test_numbers_are_unique_and_an_enqueued_config_is_claimed_once(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    storage.enqueue_trial(study, [0.1], {"x": -1.6})
    storage.enqueue_trial(study, [0.9], None)
    assert storage.count_enqueued(study) == 2
    first = storage.claim_enqueued(study, "w1")
    plain = storage.create_trial(study, "w2", [0.5], None)
    second = storage.claim_enqueued(study, "w2")
    assert storage.claim_enqueued(study, "w1") is None and storage.count_enqueued(study) == 0
    assert first is not None and second is not None
    assert [first.number, plain.number, second.number] == [0, 1, 2]
    assert first.params == {"x": -1.6} and first.worker == "w1" and first.state is TrialState.RUNNING
    assert second.params is None and second.point.tolist() == [0.9]
    assert [t.number for t in storage.get_trials(study)] == [0, 1, 2]


def test_only_a_running_trial_is_told_and_reported(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    trial = storage.create_trial(study, "w", [0.5], None)
    storage.append_intermediate(study, trial.number, 0, 0.25)
    storage.append_intermediate(study, trial.number, 1, 0.5)
    storage.append_intermediate(study, trial.number, 1, 0.75)  # a step reported again replaces its value
    told = storage.finish_trial(study, trial.number, TrialState.PRUNED, 0.8, 0.01, None)
    assert told.state is TrialState.PRUNED and told.value == 0.8 and told.noise == 0.01
    assert told.intermediate_values == {0: 0.25, 1: 0.75} and told.datetime_complete is not None
    with pytest.raises(TrialNotRunningError, match="trial 0 is already pruned"):
        storage.finish_trial(study, trial.number, TrialState.COMPLETE, 1.0, 0.0, None)
    with pytest.raises(TrialNotRunningError, match="report\\(\\) needs a running trial"):
        storage.append_intermediate(study, trial.number, 2, 1.0)
    (stored,) = storage.get_trials(study)
    assert stored.value == 0.8 and stored.intermediate_values == {0: 0.25, 1: 0.75}
    assert storage.get_trials(study, states=["complete"]) == []


def test_steps_are_written_in_batches_and_with_the_result(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    trial = storage.create_trial(study, "w", [0.5], None)
    storage.append_intermediates(study, trial.number, [(0, 0.1), (1, 0.2)])
    storage.append_intermediates(study, trial.number, [(1, 0.3), (2, 0.4)])  # step 1 again: replaced
    told = storage.finish_trial(study, trial.number, TrialState.COMPLETE, 0.6, 0.0, None, [(3, 0.5), (2, 0.45)])
    assert told.intermediate_values == {0: 0.1, 1: 0.3, 2: 0.45, 3: 0.5} and told.value == 0.6
    assert storage.get_trials(study)[0].intermediate_values == told.intermediate_values
    with pytest.raises(TrialNotRunningError):
        storage.append_intermediates(study, trial.number, [(4, 0.7)])
    other = storage.create_trial(study, "w", [0.25], None)
    storage.finish_trial(study, other.number, TrialState.FAILED, None, 0.0, "boom")
    with pytest.raises(TrialNotRunningError):  # a told trial takes no more steps, not even with a second tell
        storage.finish_trial(study, other.number, TrialState.COMPLETE, 1.0, 0.0, None, [(0, 1.0)])
    assert storage.get_trials(study)[1].intermediate_values == {}


def test_a_long_batch_with_a_step_repeated_inside_it_keeps_the_last_value(storage: BaseStorage) -> None:
    """More steps than one INSERT statement carries, and a step twice in one batch (the last one counts)."""
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    trial = storage.create_trial(study, "w", [0.5], None)
    curve = [(step, step / 1000) for step in range(250)] + [(7, -1.0), (249, -2.0)]
    storage.append_intermediates(study, trial.number, curve)
    expected = dict(curve)
    told = storage.finish_trial(study, trial.number, TrialState.COMPLETE, 0.6, 0.0, None,
                                [(step, 1.0) for step in range(240, 260)] + [(255, 2.0)])
    expected.update({step: 1.0 for step in range(240, 260)} | {255: 2.0})
    assert told.intermediate_values == expected and len(expected) == 260
    assert storage.get_trials(study)[0].intermediate_values == expected
    other = storage.create_trial(study, "w", [0.25], None)  # a tell with no earlier reports
    told = storage.finish_trial(study, other.number, TrialState.PRUNED, 0.1, 0.0, None, [(0, 0.3), (0, 0.2)])
    assert told.intermediate_values == {0: 0.2} == storage.get_trials(study)[1].intermediate_values


def test_a_reader_that_knows_its_own_writes_is_answered_without_them(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    start = storage.trials_since(study, 0).version
    mine = storage.create_trial(study, "me", [0.1], None)
    told = storage.finish_trial(study, mine.number, TrialState.COMPLETE, 1.0, 0.0, None)
    known = {v for v in (mine.version, told.version) if v is not None}
    changes = storage.trials_since(study, start, known)
    assert changes.version > start
    if known:  # a backend that reports versions may skip what the reader wrote itself
        assert len(known) == 2 and changes.trials == []
    else:
        assert [t.number for t in changes.trials] == [0]
    theirs = storage.create_trial(study, "other", [0.9], None)  # a write the reader did not make: always read
    assert [t.number for t in storage.trials_since(study, start, known).trials][-1] == theirs.number


def test_trials_since_returns_only_what_changed(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    a = storage.create_trial(study, "w", [0.1], None)
    b = storage.create_trial(study, "w", [0.2], None)
    first = storage.trials_since(study, 0)
    assert [t.number for t in first.trials] == [0, 1]
    assert storage.trials_since(study, first.version).trials == []
    storage.append_intermediate(study, b.number, 0, 3.0)
    changes = storage.trials_since(study, first.version)
    assert [(t.number, t.intermediate_values) for t in changes.trials] == [(1, {0: 3.0})]
    storage.finish_trial(study, a.number, TrialState.COMPLETE, 1.0, 0.0, None)
    latest = storage.trials_since(study, changes.version)
    assert [(t.number, t.state) for t in latest.trials] == [(0, TrialState.COMPLETE)]
    assert latest.version > changes.version > first.version


def test_a_trial_without_heartbeat_fails_is_retried_and_a_late_tell_keeps_its_value(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    alive = storage.create_trial(study, "alive", [0.1], None)
    dead = storage.create_trial(study, "dead", [0.7], {"x": 0.8})
    assert storage.fail_stale_trials(study, grace=60.0, retry_failed=1) == []
    time.sleep(0.3)
    storage.heartbeat(study, [alive.number])
    assert storage.fail_stale_trials(study, grace=0.2, retry_failed=1) == [dead.number]
    failed = storage.get_trials(study, states=["failed"])
    assert [t.number for t in failed] == [dead.number]
    assert failed[0].error is not None and failed[0].error.startswith("heartbeat:") and "dead" in failed[0].error
    retry = storage.claim_enqueued(study, "other")
    assert retry is not None and retry.retry_of == dead.number and retry.point.tolist() == [0.7]
    assert retry.params == {"x": 0.8}
    with pytest.raises(StaleTrialError, match="kept as the trial's late_value"):
        storage.finish_trial(study, dead.number, TrialState.COMPLETE, 4.5, 0.0, None)
    late = storage.get_trials(study, states=["failed"])[0]
    assert late.late_value == 4.5 and late.value is None
    time.sleep(0.3)  # the retry goes stale too: retry_failed=1 allows no second retry of the same trial
    storage.heartbeat(study, [alive.number])
    assert storage.fail_stale_trials(study, grace=0.2, retry_failed=1) == [retry.number]
    assert storage.claim_enqueued(study, "other") is None
    assert storage.get_trials(study, states=["running"])[0].number == alive.number


def test_a_returned_trial_is_a_read_only_snapshot(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    trial = storage.create_trial(study, "w", [0.5], {"x": [1, 2]})
    with pytest.raises(AttributeError, match="read-only snapshot"):
        trial.value = 3.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        trial.point[0] = 0.0
    trial.params["x"].append(3)
    trial.intermediate_values[0] = 1.0
    assert trial.params == {"x": [1, 2]} and trial.intermediate_values == {}
    assert storage.get_trials(study)[0].params == {"x": [1, 2]}


def test_a_told_trial_keeps_the_params_it_was_started_with_in_any_order_of_encoding(storage: BaseStorage) -> None:
    """storable() keeps its last encoding for the create_trial that follows, and a SQL store's tell reuses what
    its ask stored: neither may mix up two trials' params, nor share them with a caller."""
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    first, second = storage.storable({"x": [1, 2]}), storage.storable({"x": [3]})  # `first` is not the last one
    one = storage.create_trial(study, "w", [0.25], first)
    two = storage.create_trial(study, "w", [0.75], second)
    told_two = storage.finish_trial(study, two.number, TrialState.COMPLETE, 2.0, 0.0, None, [(0, 1.5)])
    told_one = storage.finish_trial(study, one.number, TrialState.COMPLETE, 1.0, 0.0, None)
    told_one.params["x"].append(9)
    assert (told_one.params, told_two.params) == ({"x": [1, 2]}, {"x": [3]})
    assert told_two.point.tolist() == [0.75] and told_two.intermediate_values == {0: 1.5}
    assert [(t.params, t.point.tolist()) for t in storage.get_trials(study)] == [({"x": [1, 2]}, [0.25]),
                                                                                 ({"x": [3]}, [0.75])]


def test_a_trial_started_by_one_connection_is_told_by_another_with_its_stored_params(location: Any) -> None:
    if is_json(location):
        pytest.skip("a JSON file has one process: one connection")
    asker, teller = get_storage(location), get_storage(location)
    study = asker.create_study("s", "maximize", DIMENSIONS, None).study_id
    started = asker.create_trial(study, "w", [0.5], asker.storable({"lr": 0.1}))
    told = teller.finish_trial(study, started.number, TrialState.COMPLETE, 1.0, 0.0, None, [(0, 0.5)])
    assert told.params == {"lr": 0.1} and told.point.tolist() == [0.5] and told.intermediate_values == {0: 0.5}
    with pytest.raises(TrialNotRunningError):  # the asker's own record of the trial does not make it tellable
        asker.finish_trial(study, started.number, TrialState.COMPLETE, 2.0, 0.0, None)
    assert [t.value for t in asker.get_trials(study)] == [1.0]
    asker.close()
    teller.close()


# -- the study on the storage ---------------------------------------------------------------------------------
def test_a_study_is_resumed_by_name_with_its_space(location: Any) -> None:
    study = create_study(space(), storage=location, study_name="s", direction="minimize", seed=0)
    study.optimize(objective, n_trials=6)
    running = study.ask()
    running.report(0.5, step=0)
    values, best = [t.value for t in study.trials[:6]], study.best_value
    study.close()
    resumed = load_study("s", location)  # space and direction from the storage
    assert resumed.direction == "minimize" and resumed.parsed_spec.size() == 2
    trials = resumed.trials
    assert [t.number for t in trials] == list(range(7))
    assert trials[6].intermediate_values == {0: 0.5}
    assert [t.value for t in trials[:6]] == values
    assert resumed.strategy.iteration == 6 and resumed.best_value == best
    resumed.optimize(objective, n_trials=2)
    assert [t.number for t in resumed.trials] == list(range(9))
    resumed.close()


def test_a_different_space_or_direction_or_an_unasked_resume_is_refused(location: Any) -> None:
    create_study(space(), storage=location, study_name="s", direction="minimize").close()
    if not is_json(location):
        with pytest.raises(DuplicateStudyError, match="pass load_if_exists=True"):
            create_study(space(), storage=location, study_name="s")
    with pytest.raises(DuplicateStudyError, match="exists"):
        create_study(space(), storage=location, study_name="s", load_if_exists=False)
    other = {"x": spec.uniform(-2.0, 2.0), "units": spec.choice([8, 16, 32, 64])}
    with pytest.raises(ValueError, match="another spec \\(dimension 1: stored .*'levels': 3.*'levels': 4"):
        create_study(other, storage=location, study_name="s", load_if_exists=True)
    with pytest.raises(ValueError, match="saved with direction 'minimize', this study is 'maximize'"):
        create_study(space(), storage=location, study_name="s", load_if_exists=True, direction="maximize")
    with pytest.raises(ValueError, match="no study named 'nope'"):
        load_study("nope", location)
    create_study(space(), storage=location, study_name="s", load_if_exists=True, direction="minimize").close()


def test_a_spec_with_lambdas_is_stored_and_one_that_cannot_be_pickled_needs_its_space(location: Any) -> None:
    with_lambda = {"lr": 10 ** spec.uniform(-3, -1), "x": spec.uniform(0.0, 1.0, transform=lambda v: v * 2)}
    study = create_study(with_lambda, storage=location, study_name="s")
    study.tell(study.ask(), 1.0)
    study.close()
    resumed = load_study("s", location)  # cloudpickle stored the lambdas by value
    assert resumed.parsed_spec.instantiate([0.5, 0.5]) == {"lr": pytest.approx(0.01), "x": 1.0}
    resumed.close()
    if is_json(location):
        return
    lock = threading.Lock()
    unpicklable = {"x": spec.uniform(0.0, 1.0, transform=lambda v: v if lock else v)}  # a lock: no pickle can
    study = create_study(unpicklable, storage=location, study_name="locked")
    study.tell(study.ask(), 1.0)
    study.close()
    with pytest.raises(ValueError, match="could not be pickled.*pass the space"):
        load_study("locked", location)
    resumed = load_study("locked", location, space=unpicklable)
    assert len(resumed.trials) == 1 and 0.0 <= resumed.trials[0].params["x"] <= 1.0
    resumed.close()


def test_changing_a_returned_trial_changes_nothing_and_allows_no_second_tell(location: Any) -> None:
    study = create_study(space(), storage=location, study_name="s", direction="minimize", seed=0)
    study.optimize(objective, n_trials=4)
    best = study.best_trial
    snapshot = study.trials[0]
    with pytest.raises(AttributeError):
        snapshot.value = -1e9  # type: ignore[misc]
    with pytest.raises(AttributeError):
        snapshot.state = TrialState.RUNNING  # type: ignore[misc]
    snapshot.params["x"] = 99.0
    assert study.best_trial == best and study.trials[0].params["x"] != 99.0
    with pytest.raises(ValueError, match="trial 0 is already complete"):
        study.tell(snapshot, 1.0)
    assert study.strategy.iteration == 4
    assert isinstance(study.get_trials(states=["complete"])[0], FrozenTrial)
    study.close()


def test_a_late_tell_after_the_grace_period_is_an_error_that_keeps_the_value(location: Any) -> None:
    if is_json(location):
        pytest.skip("a JSON file has one process: no heartbeats")
    slow = create_study(space(), storage=location, study_name="s", heartbeat_grace=0.3, seed=0)
    other = load_study("s", location, heartbeat_grace=0.3, retry_failed=1)
    trial = slow.ask()
    slow._heartbeat.stop()  # type: ignore[union-attr]  # this worker hangs: its heartbeats stop
    time.sleep(0.6)
    retry = other.ask()  # fails the stale trial and claims its re-enqueued configuration
    assert retry.number == 1 and np.array_equal(retry.point, trial.point)
    with pytest.raises(StaleTrialError, match="sent no heartbeat.*late_value"):
        slow.tell(trial, 3.0)
    failed = other.get_trials(states=["failed"])
    assert [(t.number, t.late_value) for t in failed] == [(0, 3.0)]
    other.tell(retry, 2.0)
    assert other.best_value == 2.0 and other.strategy.iteration == 1
    other.close()
    slow.close()


def test_heartbeats_keep_a_slow_trial_alive_between_ask_and_tell(location: Any) -> None:
    if is_json(location):
        pytest.skip("a JSON file has one process: no heartbeats")
    worker = create_study(space(), storage=location, study_name="s", heartbeat_grace=0.3, seed=0)
    watcher = load_study("s", location, heartbeat_grace=0.3)
    trial = worker.ask()
    time.sleep(0.9)  # three grace periods without any call: only the heartbeat thread beats
    watcher.ask()
    assert watcher.get_trials(states=["failed"]) == []
    worker.tell(trial, 1.0)
    assert [t.state for t in watcher.trials][0] is TrialState.COMPLETE
    watcher.close()
    worker.close()


def test_list_and_delete_studies(location: Any) -> None:
    create_study(space(), storage=location, study_name="one", direction="minimize").close()
    if not is_json(location):
        study = create_study(space(), storage=location, study_name="two")
        study.optimize(objective, n_trials=2)
        study.close()
        assert hyperengine.get_all_study_names(location) == ["one", "two"]
        summary = hyperengine.list_studies(location)[1]
        assert summary.counts["complete"] == 2 and summary.direction == "maximize"
        hyperengine.delete_study("two", location)
    assert hyperengine.get_all_study_names(location) == ["one"]


def test_a_proposal_another_worker_started_meanwhile_is_refused(storage: BaseStorage) -> None:
    study = storage.create_study("s", "maximize", DIMENSIONS, None).study_id
    storage.create_trial(study, "w1", [0.5], None)
    seen = 1  # w2 proposed having seen trial 0 only
    storage.create_trial(study, "w1", [0.30004], None)
    with pytest.raises(ProposalConflictError, match="trial 1 of another worker"):
        storage.create_trial(study, "w2", [0.3], None, distinct_from=seen, gap=1e-4)
    assert storage.create_trial(study, "w2", [0.5], None, distinct_from=seen, gap=1e-4).number == 2  # seen: fine
    assert storage.create_trial(study, "w1", [0.3], None, distinct_from=seen, gap=1e-4).number == 3  # its own


def test_an_ask_a_rival_worker_keeps_beating_to_its_point_still_gets_a_distinct_one(location: Any) -> None:
    """A real second connection starts a trial at exactly the point the asker is about to create, five times in a
    row: three model proposals are refused, then the refused point is moved (locally) until it is free."""
    if is_json(location):
        pytest.skip("a JSON file has one process: one connection")
    asker, rival = get_storage(location), get_storage(location)
    study = create_study({"x": spec.uniform(-1.0, 1.0), "y": spec.uniform(-1.0, 1.0)}, storage=asker,
                         study_name="race", direction="minimize", seed=3)
    study.optimize(lambda p: p["x"] ** 2 + p["y"] ** 2, n_trials=6)
    rivals: list[list[float]] = []
    attempts: list[list[float]] = []
    create, rival_create = asker.create_trial, rival.create_trial  # one object in memory: both before patching

    def beaten_to_it(study_id: int, worker: str, point: Any, params: Any, **check: Any) -> FrozenTrial:
        attempts.append(list(point))
        if len(rivals) < hyperengine.study.study.MAX_PROPOSAL_CONFLICTS + 2:  # the rival commits first
            rivals.append(list(point))
            rival_create(study_id, "rival", point, None)
        return create(study_id, worker, point, params, **check)

    asker.create_trial = beaten_to_it  # type: ignore[method-assign]
    try:
        trial = study.ask()
        # five refusals by the rival; a nudge may also land within the gap of the rival's trial at the point it
        # moved from (a real conflict, refused by the store like the rival's), so possibly a few more attempts
        nudges = len(attempts) - hyperengine.study.study.MAX_PROPOSAL_CONFLICTS
        assert len(attempts) >= len(rivals) + 1 == 6
        gap = hyperengine.study.study.PROPOSAL_GAP
        assert all(np.abs(trial.point - np.array(taken)).max() > gap for taken in rivals)
        # the nudges stay near the last model proposal: steps of at most 4, 8, 16, ... gaps from it
        assert np.abs(np.array(attempts[3:]) - np.array(attempts[2])).max() <= 4 * (2**nudges - 1) * gap
        numbers = [t.number for t in study.trials]
        assert numbers == list(range(6 + len(rivals) + 1)) and trial.number == numbers[-1]
        study.tell(trial, 0.5)
    finally:
        study.close()
        rival.close()


def test_a_connection_sees_every_commit_of_another_and_forgets_what_it_rolled_back(location: Any) -> None:
    """The reads a database store skips while no other connection committed (SQLite's data_version)."""
    if isinstance(location, InMemoryStorage) or is_json(location):
        pytest.skip("one process's store: no other connection")
    reader, writer = get_storage(location), get_storage(location)
    try:
        study = reader.create_study("s", "maximize", DIMENSIONS, None).study_id
        start = reader.trials_since(study, 0).version
        assert reader.claim_enqueued(study, "reader") is None  # the queue seen empty
        theirs = writer.create_trial(study, "writer", [0.5], None)
        changes = reader.trials_since(study, start)
        assert [t.number for t in changes.trials] == [theirs.number]
        writer.enqueue_trial(study, [0.25], None)
        claimed = reader.claim_enqueued(study, "reader")
        assert claimed is not None and claimed.point.tolist() == [0.25]
        # the writer's enqueue is a version the reader did not write: read, though the claim is its own
        assert [t.number for t in reader.trials_since(study, changes.version, {claimed.version}).trials] == [1]
        assert reader.trials_since(study, claimed.version).trials == []
        with pytest.raises(ProposalConflictError):  # the reader's write is rolled back, its version with it
            reader.create_trial(study, "reader", [0.5], None, distinct_from=0, gap=1e-4)
        latest = reader.trials_since(study, start)
        assert latest.version == claimed.version and [t.number for t in latest.trials] == [0, 1]
        assert writer.create_trial(study, "writer", [0.9], None).version == latest.version + 1
        assert [t.number for t in reader.trials_since(study, latest.version).trials] == [2]
        writer.delete_study("s")
        with pytest.raises(UnknownStudyError):
            reader.trials_since(study, 0)
    finally:
        reader.close()
        writer.close()
