"""The ask/tell Study: trials and their states, batches, directions, enqueue, warm start, optimize and its
failure handling, reproducibility, discrete and conditional spaces, and bad inputs."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
import pytest

import hyperengine
from hyperengine import spec
from hyperengine.study import Study, Trial, TrialState, create_study


def quadratic_space() -> dict[str, Any]:
    return {"x": spec.uniform(-2.0, 2.0), "y": spec.uniform(-2.0, 2.0)}


def quadratic(params: dict[str, float]) -> float:
    """Minimum 0 at (0.5, -1)."""
    return (params["x"] - 0.5) ** 2 + (params["y"] + 1.0) ** 2


# -- ask / tell -------------------------------------------------------------------------------------------------
def test_ask_tell_best_and_trials() -> None:
    study = create_study(quadratic_space(), direction="minimize", seed=0)
    for _ in range(12):
        trial = study.ask()
        assert trial.state is TrialState.RUNNING and trial.duration is None
        assert set(trial.params) == {"x", "y"} and trial.point.shape == (2,)
        assert study.parsed_spec.instantiate(trial.point) == trial.params
        study.tell(trial, quadratic(trial.params))
    trials = study.trials
    assert [t.number for t in trials] == list(range(12))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    assert all(t.datetime_complete is not None and t.duration is not None and t.duration.total_seconds() >= 0
               for t in trials)
    best = min(trials, key=lambda t: t.value)  # type: ignore[arg-type,return-value]
    assert study.best_trial is best
    assert study.best_value == best.value and study.best_params == best.params
    assert study.strategy.iteration == 12  # every value reached the GP


def test_tell_by_number_and_the_durations_are_measured() -> None:
    study = create_study(quadratic_space(), seed=0)
    trial = study.ask()
    time.sleep(0.02)
    told = study.tell(trial.number, 1.5)
    assert told is trial and trial.value == 1.5
    assert trial.duration is not None and trial.duration.total_seconds() >= 0.02


def test_best_is_an_error_before_any_complete_trial() -> None:
    study = create_study(quadratic_space(), seed=0)
    with pytest.raises(ValueError, match="no trial is complete"):
        _ = study.best_value
    study.tell(study.ask(), None)
    with pytest.raises(ValueError, match="no trial is complete"):
        _ = study.best_params


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_direction(direction: str) -> None:
    """The same objective, minimized or maximized: the best trial moves to the right end, and the GP learns
    the right way round (late trials are better than the burn-in)."""
    study = create_study(quadratic_space(), direction=direction, seed=1)
    study.optimize(quadratic, n_trials=20)
    values = [t.value for t in study.trials]
    assert study.direction == direction
    if direction == "minimize":
        assert study.best_value == min(values) and study.best_value < 0.05
    else:
        assert study.best_value == max(values) and study.best_value > 15.0  # corner (-2, 2): 6.25 + 9


def test_ask_n_gives_distinct_points_that_differ_from_the_running_ones() -> None:
    study = create_study(quadratic_space(), direction="minimize", seed=0)
    told = study.strategy.burn_in + 2  # past the burn-in, so the GP proposes the batches
    for _ in range(told):
        trial = study.ask()
        study.tell(trial, quadratic(trial.params))
    running = study.ask(2)
    batch = study.ask(4)
    assert isinstance(batch, list) and len(batch) == 4
    points = np.array([t.point for t in running + batch])
    distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    # the core never proposes within 1e-4 (max-norm) of an observed or fantasized point
    assert distances[np.triu_indices(6, 1)].min() > 1e-4
    assert [t.number for t in batch] == list(range(told + 2, told + 6))
    for trial in running + batch:
        study.tell(trial, quadratic(trial.params))
    assert study.strategy.iteration == told + 6


def test_enqueued_params_come_next() -> None:
    study = create_study(quadratic_space(), direction="minimize", seed=0)
    study.enqueue({"x": 0.5, "y": -1.0})
    study.enqueue({"x": -1.0, "y": 1.0})
    first, second, third = study.ask(3)
    assert first.params == {"x": 0.5, "y": -1.0} and second.params == {"x": -1.0, "y": 1.0}
    np.testing.assert_allclose(first.point, [0.625, 0.25])
    assert third.params not in (first.params, second.params)
    study.tell(first, quadratic(first.params))
    assert study.best_params == {"x": 0.5, "y": -1.0} and study.best_value == 0.0
    with pytest.raises(hyperengine.SpecError):
        study.enqueue({"x": 0.5})  # not shaped like the spec


def test_add_trial_warm_starts_the_gp() -> None:
    """Imported results are complete trials the GP sees: after importing a grid, the first proposal already
    goes near the minimum instead of into the burn-in design."""
    study = create_study(quadratic_space(), direction="minimize", seed=0, burn_in=0)
    for x in np.linspace(-2, 2, 5):
        for y in np.linspace(-2, 2, 5):
            trial = study.add_trial({"x": float(x), "y": float(y)}, quadratic({"x": x, "y": y}))
            assert trial.state is TrialState.COMPLETE
    assert study.strategy.iteration == 25
    proposal = study.ask()
    assert quadratic(proposal.params) < 0.3
    with pytest.raises(ValueError, match="finite number"):
        study.add_trial({"x": 0.0, "y": 0.0}, math.nan)


# -- optimize -------------------------------------------------------------------------------------------------
def test_optimize_with_n_trials_finds_the_minimum() -> None:
    study = create_study(quadratic_space(), direction="minimize", seed=0)
    study.optimize(quadratic, n_trials=25)
    assert len(study.trials) == 25
    assert study.best_value < 0.01
    assert study.best_params["x"] == pytest.approx(0.5, abs=0.1)
    assert study.best_params["y"] == pytest.approx(-1.0, abs=0.1)


def test_optimize_with_a_timeout_stops() -> None:
    study = create_study(quadratic_space(), direction="minimize", seed=0)

    def slow(params: dict[str, float]) -> float:
        time.sleep(0.05)
        return quadratic(params)

    study.optimize(slow, timeout=0.3)
    assert 1 <= len(study.trials) < 1000
    assert all(t.state is TrialState.COMPLETE for t in study.trials)
    study.optimize(slow, n_trials=2, timeout=60)  # both given: whichever comes first
    with pytest.raises(ValueError, match="n_trials, timeout or both"):
        study.optimize(slow)
    with pytest.raises(ValueError, match="non-negative"):
        study.optimize(slow, n_trials=-1)


def test_the_objective_may_take_the_trial() -> None:
    seen: list[Trial] = []

    def objective(params: dict[str, float], trial: Trial) -> float:
        seen.append(trial)
        trial.report(quadratic(params) + 1.0, step=0)
        return quadratic(params)

    study = create_study(quadratic_space(), direction="minimize", seed=0)
    study.optimize(objective, n_trials=3)
    assert seen == study.trials
    assert all(t.intermediate_values == {0: t.value + 1.0} for t in seen)  # type: ignore[operator]


@pytest.mark.parametrize(("returned", "message"), [
    (math.nan, "returned nan"), (math.inf, "returned inf"), (None, "returned None"), ("high", "returned 'high'")])
def test_a_bad_value_is_a_failed_trial_never_fed_to_the_gp(returned: object, message: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    study = create_study(quadratic_space(), direction="minimize", seed=0)
    calls = []

    def objective(params: dict[str, float]) -> object:
        calls.append(params)
        return returned if len(calls) == 2 else quadratic(params)

    with caplog.at_level(logging.WARNING, logger="hyperengine"):
        study.optimize(objective, n_trials=5)
    failed = study.trials[1]
    assert failed.state is TrialState.FAILED and failed.value is None
    assert message in (failed.error or "")
    assert [t.state for t in study.trials].count(TrialState.COMPLETE) == 4
    assert study.strategy.iteration == 4
    assert not any(np.array_equal(failed.point, point) for point in study.strategy.points)
    assert "Trial 1 failed" in caplog.text


def test_a_raising_objective_is_recorded_and_the_study_goes_on() -> None:
    study = create_study(quadratic_space(), direction="minimize", seed=0)

    def objective(params: dict[str, float]) -> float:
        if params["x"] > 0:
            raise RuntimeError(f"diverged at x={params['x']:.3f}")
        return quadratic(params)

    study.optimize(objective, n_trials=12)
    failed = [t for t in study.trials if t.state is TrialState.FAILED]
    complete = [t for t in study.trials if t.state is TrialState.COMPLETE]
    assert failed and complete and len(study.trials) == 12
    assert all((t.error or "").startswith("RuntimeError: diverged at x=") for t in failed)
    assert study.strategy.iteration == len(complete)
    assert all(t.params["x"] <= 0 for t in complete)


def test_catch_empty_re_raises_after_recording() -> None:
    study = create_study(quadratic_space(), seed=0)

    def objective(params: dict[str, float]) -> float:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        study.optimize(objective, n_trials=5, catch=())
    assert len(study.trials) == 1 and study.trials[0].state is TrialState.FAILED
    assert "KeyError" in (study.trials[0].error or "")
    with pytest.raises(ZeroDivisionError):
        study.optimize(lambda params: 1 / 0, n_trials=3, catch=(KeyError,))
    study.optimize(lambda params: 1 / 0, n_trials=2, catch=ZeroDivisionError)
    assert len(study.trials) == 4


def test_callbacks_and_the_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[int] = []
    study = create_study(quadratic_space(), direction="minimize", seed=0)
    study.optimize(quadratic, n_trials=3, callbacks=[lambda s, t: seen.append(t.number)], show_progress_bar=True)
    assert seen == [0, 1, 2]
    assert "3/3" in capsys.readouterr().err
    study.optimize(quadratic, n_trials=2)
    assert "2/2" not in capsys.readouterr().err


def test_same_seed_same_trials() -> None:
    def trace(seed: int, strategy: str) -> list[dict[str, float]]:
        study = create_study(quadratic_space(), direction="minimize", seed=seed, strategy=strategy)
        study.optimize(quadratic, n_trials=8)
        return [t.params for t in study.trials]

    for strategy in ("bayesian", "portfolio", "random"):
        assert trace(4, strategy) == trace(4, strategy)
    assert trace(4, "bayesian") != trace(5, "bayesian")


# -- discrete and conditional spaces ----------------------------------------------------------------------------
def test_discrete_dimensions_give_valid_values_and_are_optimized() -> None:
    space = {"units": spec.choice([16, 32, 64, 128]), "act": spec.choice(["relu", "tanh", "sigmoid"]),
             "depth": spec.randint(1, 6), "lr": spec.uniform(0.0, 1.0)}
    score = {"relu": 0.0, "tanh": 1.0, "sigmoid": 3.0}

    def objective(params: dict[str, Any]) -> float:
        return abs(params["units"] - 64) / 16 + score[params["act"]] + abs(params["depth"] - 4) \
            + (params["lr"] - 0.3) ** 2

    study = create_study(space, direction="minimize", seed=0)
    study.optimize(objective, n_trials=30)
    for trial in study.trials:
        assert trial.params["units"] in (16, 32, 64, 128) and trial.params["act"] in score
        assert trial.params["depth"] in range(1, 6)
    best = study.best_params
    assert (best["units"], best["act"], best["depth"]) == (64, "relu", 4)
    assert study.best_value < 0.5  # any other discrete choice costs at least 1; lr costs at most 0.49


def test_conditional_space_inactive_dimensions_do_not_matter() -> None:
    """The GP input of a point fixes the coordinates its branch does not use, so two points differing only
    there are the same point to the model."""
    space = {"opt": spec.choice([{"kind": "sgd", "lr": spec.uniform(0.0, 1.0)},
                                 {"kind": "adam", "beta": spec.uniform(0.0, 1.0)}])}

    def objective(params: dict[str, Any]) -> float:
        opt = params["opt"]
        return (opt["lr"] - 0.2) ** 2 if opt["kind"] == "sgd" else 0.5 + (opt["beta"] - 0.7) ** 2

    study = create_study(space, direction="minimize", seed=0)
    study.optimize(objective, n_trials=20)
    assert study.best_params["opt"]["kind"] == "sgd" and study.best_value < 0.01
    trial = study.trials[-1]
    inactive = ~study.parsed_spec.active(trial.point)
    assert inactive.sum() == 1
    moved = trial.point.copy()
    moved[inactive] = 1.0 - moved[inactive]
    model = study.strategy.model  # type: ignore[attr-defined]
    np.testing.assert_array_equal(model.encode(trial.point), model.encode(moved))
    np.testing.assert_array_equal(model.predict(trial.point[None])[0], model.predict(moved[None])[0])


# -- bad inputs -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("params", "error", "message"), [
    ({"direction": "maximise"}, ValueError, "direction must be 'maximize' or 'minimize'"),
    ({"strategy": "grid"}, ValueError, "strategy must be one of"),
    ({"utility_gen": "lcb"}, ValueError, "utility_gen must be"),
    ({"burn_in": -2}, ValueError, "burn_in must be non-negative"),
    ({"bogus": 1}, TypeError, "bogus"),
])
def test_invalid_study_arguments(params: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        create_study(quadratic_space(), **params)


def test_a_strategy_instance_must_fit_the_spec() -> None:
    sampler = hyperengine.DefaultSampler(seed=0)
    sampler.add_uniform(3)
    with pytest.raises(ValueError, match="3 dimensions, the spec has 2"):
        Study(quadratic_space(), strategy=hyperengine.BayesianStrategy(sampler))
    sampler2 = hyperengine.DefaultSampler(seed=0)
    sampler2.add_uniform(2)
    with pytest.raises(ValueError, match="given with a strategy instance"):
        Study(quadratic_space(), strategy=hyperengine.BayesianStrategy(sampler2), burn_in=3)
    study = Study(quadratic_space(), strategy=hyperengine.BayesianStrategy(sampler2, utility_gen="ucb"))
    study.optimize(quadratic, n_trials=3)
    assert study.strategy.iteration == 3


def test_tell_errors() -> None:
    study = create_study(quadratic_space(), seed=0)
    other = create_study(quadratic_space(), seed=0)
    trial = study.ask()
    with pytest.raises(ValueError, match="does not belong to this study"):
        other.tell(trial, 1.0)
    with pytest.raises(ValueError, match="noise must be a finite non-negative"):
        study.tell(trial, 1.0, noise=-1.0)
    with pytest.raises(ValueError, match="cannot be 'running'"):
        study.tell(trial, 1.0, state="running")
    with pytest.raises(ValueError, match="'done' is not a valid TrialState"):
        study.tell(trial, 1.0, state="done")
    study.tell(trial, 1.0)
    with pytest.raises(ValueError, match="trial 0 is already complete"):
        study.tell(trial, 2.0)
    assert trial.value == 1.0 and study.strategy.iteration == 1
    with pytest.raises(ValueError, match="report\\(\\) needs a running trial"):
        trial.report(0.5, step=1)
    with pytest.raises(ValueError, match="no trial number 5"):
        study.tell(5, 1.0)


def test_ask_and_report_errors() -> None:
    study = create_study(quadratic_space(), seed=0)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            study.ask(bad)  # type: ignore[arg-type]
    trial = study.ask()
    with pytest.raises(ValueError, match="step must be a non-negative integer"):
        trial.report(0.5, step=-1)
    with pytest.raises(ValueError, match="finite number"):
        trial.report(math.nan, step=0)
    assert trial.should_stop() is False  # no curve predictor: never stops


def test_the_strategy_rejects_wrong_length_and_nan_points() -> None:
    study = create_study(quadratic_space(), seed=0)
    with pytest.raises(ValueError, match="3 coordinates, the space has 2"):
        study.strategy.add_point([0.1, 0.2, 0.3], 1.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        study.strategy.add_point([math.nan, 0.2], 1.0)
    assert study.strategy.iteration == 0


def test_objective_forms_by_signature() -> None:
    """func(params, trial) and func(*args) get the trial; an optional second parameter keeps its default."""
    got: dict[str, Any] = {}

    def scaled(params: dict[str, float], scale: float = 2.0) -> float:
        got["scale"] = scale
        return scale * quadratic(params)

    def with_args(*args: Any) -> float:
        got["args"] = len(args)
        return quadratic(args[0])

    def named(params: dict[str, float], trial: Trial | None = None) -> float:
        got["trial"] = trial
        return quadratic(params)

    study = create_study(quadratic_space(), seed=0)
    study.optimize(scaled, n_trials=1)
    study.optimize(with_args, n_trials=1)
    study.optimize(named, n_trials=1)
    assert got == {"scale": 2.0, "args": 2, "trial": study.trials[2]}
    assert all(t.state is TrialState.COMPLETE for t in study.trials)
