"""HyperTuner, the original tuning loop: solvers built from the spec's instances, trained, terminated, their
scores maximized, the top 5 logged, failures recorded without stopping the tuning."""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

import pytest

from hyperengine import HyperTuner, spec
from hyperengine.bayesian import BayesianPortfolioStrategy, BayesianStrategy
from hyperengine.study import Trial, TrialState


class Solver:
    """Scores 1 - (x - 0.7)^2 - (units - 64)^2 / 4096; remembers what was called."""

    instances: ClassVar[list[Solver]] = []

    def __init__(self, params: Any, fail: bool = False) -> None:
        self.params = params
        self.fail = fail
        self.trained = False
        self.terminated = False
        Solver.instances.append(self)

    def train(self) -> float:
        self.trained = True
        if self.fail:
            raise RuntimeError("out of memory")
        return 1.0 - (self.params.x - 0.7) ** 2 - (self.params.units - 64) ** 2 / 4096

    def terminate(self) -> None:
        self.terminated = True


@pytest.fixture(autouse=True)
def fresh_solvers() -> None:
    Solver.instances = []


def hyper_params_spec() -> Any:
    return spec.new(x=spec.uniform(0.0, 1.0), units=spec.choice([16, 32, 64, 128]))


@pytest.mark.parametrize(("strategy", "kind"), [("bayesian", BayesianStrategy),
                                                ("portfolio", BayesianPortfolioStrategy)])
def test_tune_runs_max_points_and_maximizes(strategy: str, kind: type) -> None:
    tuner = HyperTuner(hyper_params_spec(), Solver, strategy=strategy, max_points=16, progress=False, seed=0)
    assert isinstance(tuner.study.strategy, kind)
    study = tuner.tune()
    assert study is tuner.study and len(study.trials) == 16 == len(Solver.instances)
    assert all(s.trained and s.terminated for s in Solver.instances)
    assert study.direction == "maximize"
    assert study.best_params.units == 64 and study.best_params.x == pytest.approx(0.7, abs=0.1)
    assert study.best_value > 0.99


def test_strategy_params_reach_the_strategy() -> None:
    tuner = HyperTuner(hyper_params_spec(), Solver, utility_gen="ucb", burn_in=3, kernel_gen="rbf",
                       max_points=4, progress=False, seed=0)
    assert tuner.study.strategy.burn_in == 3  # type: ignore[attr-defined]
    assert tuner.study.strategy.model.gp.kernel_name == "rbf"  # type: ignore[attr-defined]
    tuner.tune()
    with pytest.raises(ValueError, match="utility_gen must be"):
        HyperTuner(hyper_params_spec(), Solver, utility_gen="bogus")
    with pytest.raises(ValueError, match="strategy must be one of"):
        HyperTuner(hyper_params_spec(), Solver, strategy="grid")


def test_the_top_5_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hyperengine"):
        study = HyperTuner(hyper_params_spec(), Solver, max_points=7, progress=False, seed=0).tune()
    tops = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Top ")]
    assert len(tops) == 7 and tops[0].startswith("Top 1 of 1 trials") and tops[-1].startswith("Top 5 of 7 trials")
    logged = [float(v) for v in re.findall(r"^  (-?\d+\.\d+) <- ", tops[-1], flags=re.MULTILINE)]
    best5 = sorted((t.value for t in study.trials), reverse=True)[:5]  # type: ignore[arg-type]
    assert logged == pytest.approx(best5, abs=1e-6)
    assert "Start hyper tuner" in caplog.text


def test_a_failing_solver_is_recorded_and_tuning_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    def generator(params: Any) -> Solver:
        return Solver(params, fail=len(Solver.instances) in (1, 3))

    with caplog.at_level(logging.INFO, logger="hyperengine"):
        study = HyperTuner(hyper_params_spec(), generator, max_points=6, progress=False, seed=0).tune()
    states = [t.state for t in study.trials]
    assert states.count(TrialState.FAILED) == 2 and states[1] is states[3] is TrialState.FAILED
    assert study.trials[1].error == "RuntimeError: out of memory"
    assert all(s.terminated for s in Solver.instances)  # terminate() even after a failure
    assert study.strategy.iteration == 4
    assert "Trial 1 failed" in caplog.text and "out of memory" in caplog.text


def test_a_failing_generator_is_recorded_too() -> None:
    calls = []

    def generator(params: Any) -> Solver:
        calls.append(params)
        if len(calls) == 1:
            raise ValueError("cannot build this model")
        return Solver(params)

    study = HyperTuner(hyper_params_spec(), generator, max_points=3, progress=False, seed=0).tune()
    assert study.trials[0].state is TrialState.FAILED and "cannot build" in (study.trials[0].error or "")
    assert [t.state for t in study.trials[1:]] == [TrialState.COMPLETE] * 2


def test_the_generator_may_take_the_trial() -> None:
    seen: list[Trial] = []

    def generator(params: Any, trial: Trial) -> Solver:
        seen.append(trial)
        trial.report(0.1, step=0)
        return Solver(params)

    study = HyperTuner(hyper_params_spec(), generator, max_points=3, progress=False, seed=0).tune()
    assert seen == study.trials and all(t.intermediate_values == {0: 0.1} for t in seen)


def test_progress_bar_on_and_off(capsys: pytest.CaptureFixture[str]) -> None:
    HyperTuner(hyper_params_spec(), Solver, max_points=3, seed=0).tune()  # on by default
    assert "3/3" in capsys.readouterr().err
    HyperTuner(hyper_params_spec(), Solver, max_points=3, progress=False, seed=0).tune()
    assert "3/3" not in capsys.readouterr().err


def test_a_time_budget_stops_an_unbounded_tuning() -> None:
    study = HyperTuner(hyper_params_spec(), Solver, time_budget=0.2, progress=False, seed=0).tune()
    assert len(study.trials) >= 1
    assert all(t.state is TrialState.COMPLETE for t in study.trials)


def test_an_optional_second_parameter_is_not_given_the_trial() -> None:
    """A solver class Solver(params, fail=False) used directly as the generator keeps its default; a second
    parameter named `trial` gets the trial even with a default."""
    study = HyperTuner(hyper_params_spec(), Solver, max_points=2, progress=False, seed=0).tune()
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2
    seen: list[Trial | None] = []

    def generator(params: Any, trial: Trial | None = None) -> Solver:
        seen.append(trial)
        return Solver(params)

    study = HyperTuner(hyper_params_spec(), generator, max_points=2, progress=False, seed=0).tune()
    assert seen == study.trials
