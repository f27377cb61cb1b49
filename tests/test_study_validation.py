"""Bad arguments to create_study, tell and optimize are refused at once with an error naming the argument,
and nothing already recorded changes."""

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hyperengine
from hyperengine import spec
from hyperengine.study.trial import TrialState

SPACE = {"x": spec.uniform(0, 1)}


@pytest.mark.parametrize("space", [42, None, {}, {"a": 1}, [1, "b"]])
def test_a_space_without_search_dimensions_is_refused(space: Any) -> None:
    with pytest.raises(ValueError, match="^space: .*search dimension"):
        hyperengine.create_study(space)


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (2**64, ValueError), (1.5, TypeError),
                                             ("0", TypeError), (True, TypeError)])
def test_a_bad_seed_is_refused_naming_seed(seed: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="^seed "):
        hyperengine.create_study(SPACE, seed=seed)


def study_with_one_running_trial() -> hyperengine.Study:
    study = hyperengine.create_study(SPACE, seed=0)
    study.tell(study.ask(), 0.5)
    study.ask()
    return study


def record(study: hyperengine.Study) -> list[tuple[Any, ...]]:
    return [(t.number, t.state, t.value, t.error) for t in study.trials]


@pytest.mark.parametrize(("trial", "error", "message"), [
    (-1, ValueError, "no trial number -1"), (7, ValueError, "no trial number 7"),
    ("0", TypeError, "trial must be a Trial or a trial number"), (None, TypeError, "trial must be"),
    (True, TypeError, "trial must be"), (1.0, TypeError, "trial must be"),
])
def test_tell_refuses_an_unknown_trial(trial: Any, error: type[Exception], message: str) -> None:
    study = study_with_one_running_trial()
    before = record(study)
    with pytest.raises(error, match=f"^tell: .*{message}"):
        study.tell(trial, 1.0)
    assert record(study) == before


@pytest.mark.parametrize(("value", "state", "message"), [
    (1.0, "failed", "a failed trial has no value"), (float("nan"), "failed", "a failed trial has no value"),
    (float("nan"), "pruned", "a pruned trial's value"), (float("inf"), "pruned", "a pruned trial's value"),
    ("x", "pruned", "a pruned trial's value"),
])
def test_tell_refuses_values_that_contradict_the_state(value: Any, state: str, message: str) -> None:
    study = study_with_one_running_trial()
    before = record(study)
    with pytest.raises(ValueError, match=f"^tell: {message}"):
        study.tell(1, value, state=state)
    assert record(study) == before
    study.tell(1, state="failed", error="out of memory")  # the trial can still be told properly
    assert study.trials[1].state is TrialState.FAILED and study.trials[1].value is None
    assert study.trials[1].error == "out of memory"


def test_tell_by_number_tells_that_trial() -> None:
    study = study_with_one_running_trial()
    study.tell(1, 0.25)
    assert study.trials[1].value == 0.25 and study.trials[1].state is TrialState.COMPLETE


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"n_trials": 2.5}, TypeError, "n_trials must be an int"),
    ({"n_trials": True}, TypeError, "n_trials must be an int"),
    ({"n_trials": -1}, ValueError, "n_trials must be non-negative"),
    ({"timeout": -1}, ValueError, "timeout must be a positive"),
    ({"timeout": 0}, ValueError, "timeout must be a positive"),
    ({"timeout": math.nan}, ValueError, "timeout must be a positive"),
    ({"timeout": "10"}, TypeError, "timeout must be a number"),
    ({"n_trials": 1, "catch": [ValueError, "x"]}, TypeError, "catch must hold exception classes, got 'x'"),
    ({"n_trials": 1, "catch": "ValueError"}, TypeError, "catch must hold exception classes"),
    ({"n_trials": 1, "catch": [int]}, TypeError, "catch must hold exception classes"),
])
def test_optimize_refuses_bad_arguments_before_running(kwargs: dict[str, Any], error: type[Exception],
                                                       message: str) -> None:
    study = hyperengine.create_study(SPACE, seed=0)
    calls: list[Any] = []
    with pytest.raises(error, match=f"^optimize: {message}"):
        study.optimize(calls.append, **kwargs)
    assert calls == [] and study.trials == []


@settings(max_examples=60, deadline=None)
@given(number=st.integers(-10**6, 10**6))
def test_only_the_numbers_of_running_trials_can_be_told(number: int) -> None:
    study = study_with_one_running_trial()
    if number == 1:
        assert study.tell(number, 0.1).state is TrialState.COMPLETE
    elif number == 0:
        with pytest.raises(ValueError, match="already complete"):
            study.tell(number, 0.1)
    else:
        with pytest.raises(ValueError, match=f"no trial number {number}"):
            study.tell(number, 0.1)
