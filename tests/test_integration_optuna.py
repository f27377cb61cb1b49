"""HyperengineSampler and HyperenginePruner in real Optuna studies: every distribution kind, threads, an SQLite
storage shared by two processes, enqueued, failed and pruned trials, and Optuna's sampler contract."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution  # noqa: E402
from optuna.trial import TrialState  # noqa: E402

from hyperengine.integration.optuna import HyperenginePruner, HyperengineSampler  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)

DISTRIBUTIONS = {
    "x": FloatDistribution(-5.0, 5.0),
    "lr": FloatDistribution(1e-4, 1.0, log=True),
    "frac": FloatDistribution(0.0, 1.0, step=0.1),
    "units": IntDistribution(1, 512, log=True),
    "depth": IntDistribution(2, 12),
    "even": IntDistribution(0, 10, step=2),
    "act": CategoricalDistribution(["relu", "tanh", None]),
}


def mixed_objective(trial: optuna.Trial) -> float:
    """Minimum 0 at x=1, lr=0.01, frac=0.3, units=64, depth=4, even=6, act='tanh'."""
    x = trial.suggest_float("x", -5.0, 5.0)
    lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
    frac = trial.suggest_float("frac", 0.0, 1.0, step=0.1)
    units = trial.suggest_int("units", 1, 512, log=True)
    depth = trial.suggest_int("depth", 2, 12)
    even = trial.suggest_int("even", 0, 10, step=2)
    act = trial.suggest_categorical("act", ["relu", "tanh", None])
    return ((x - 1) ** 2 + math.log10(lr / 0.01) ** 2 + (frac - 0.3) ** 2 + math.log2(units / 64) ** 2 / 10
            + (depth - 4) ** 2 / 10 + (even - 6) ** 2 / 10 + (act != "tanh"))


def curved_objective(trial: optuna.Trial) -> float:
    """mixed_objective reached by a decreasing learning curve of 10 steps, cut when the pruner says so."""
    final = mixed_objective(trial)
    for step in range(1, 11):
        trial.report(final + 3.0 * math.exp(-step / 2), step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return final + 3.0 * math.exp(-5.0)


def assert_inside(trial: optuna.trial.FrozenTrial) -> None:
    for name, value in trial.params.items():
        distribution = DISTRIBUTIONS[name]
        assert distribution._contains(distribution.to_internal_repr(value)), (name, value)
        if isinstance(distribution, IntDistribution):
            assert type(value) is int, (name, value)
        if isinstance(distribution, FloatDistribution):
            assert type(value) is float, (name, value)


def test_every_distribution_kind_beats_random_search() -> None:
    def best(sampler: optuna.samplers.BaseSampler) -> float:
        study = optuna.create_study(sampler=sampler)
        study.optimize(mixed_objective, n_trials=40)
        for trial in study.trials:
            assert_inside(trial)
        return study.best_value

    ours = [best(HyperengineSampler(seed=seed)) for seed in range(3)]
    random = [best(optuna.samplers.RandomSampler(seed=seed)) for seed in range(3)]
    assert sum(ours) < sum(random), (ours, random)


def test_the_same_seed_gives_the_same_trials() -> None:
    def params(seed: int) -> list[dict[str, object]]:
        study = optuna.create_study(sampler=HyperengineSampler(seed=seed))
        study.optimize(mixed_objective, n_trials=15)
        return [trial.params for trial in study.trials]

    assert params(3) == params(3)
    assert params(3) != params(4)


def test_relative_sampling_covers_the_intersection_space_and_define_by_run_falls_back() -> None:
    sampler = HyperengineSampler(seed=0, n_startup_trials=3)
    study = optuna.create_study(sampler=sampler, direction="maximize")

    def objective(trial: optuna.Trial) -> float:
        kind = trial.suggest_categorical("kind", ["a", "b"])
        x = trial.suggest_float("x", 0.0, 1.0)
        extra = trial.suggest_float(f"only_{kind}", 0.0, 1.0)  # in one branch only: define-by-run
        return x + (kind == "b") + 0.1 * extra

    study.optimize(objective, n_trials=20)
    space = sampler.infer_relative_search_space(study, study.trials[-1])
    assert set(space) == {"kind", "x"}
    assert study.best_value > 1.8
    assert sum(trial.params["kind"] == "b" for trial in study.trials[10:]) >= 7


def test_threads_see_each_other_running_trials_as_pending() -> None:
    study = optuna.create_study(sampler=HyperengineSampler(seed=0, n_startup_trials=4))
    study.optimize(mixed_objective, n_trials=24, n_jobs=2)
    assert len(study.trials) == 24 and all(t.state == TrialState.COMPLETE for t in study.trials)
    assert len({tuple(sorted(map(str, t.params.values()))) for t in study.trials}) == 24
    for trial in study.trials:
        assert_inside(trial)


def test_sampler_and_pruner_together_in_two_threads() -> None:
    study = optuna.create_study(sampler=HyperengineSampler(seed=0, n_startup_trials=4), pruner=HyperenginePruner())
    study.optimize(curved_objective, n_trials=24, n_jobs=2)
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert len(pruned) + len(complete) == 24 and pruned and complete
    assert all(len(t.intermediate_values) < 10 for t in pruned)
    for trial in study.trials:
        assert_inside(trial)
    # (which trials it cuts is checked by test_pruner_stops_hopeless_learning_curves; threads make it vary here)


def test_the_surrogate_is_kept_and_learns_each_trial_once() -> None:
    """The GP is updated incrementally from the study, not rebuilt at every trial."""
    sampler = HyperengineSampler(seed=0, n_startup_trials=3)
    study = optuna.create_study(sampler=sampler)
    study.optimize(mixed_objective, n_trials=8)
    surrogate = sampler._surrogate
    assert surrogate is not None and len(surrogate.strategy.points) == 7  # the 8th trial's ask saw 7 finished
    study.optimize(mixed_objective, n_trials=6)
    assert sampler._surrogate is surrogate and len(surrogate.strategy.points) == 13
    assert surrogate.strategy.values == [-t.value for t in study.trials[:13]]  # minimized: stored negated


def test_running_trials_are_pending_points() -> None:
    """Two trials asked before either is told get different parameters (the first is fantasized)."""
    study = optuna.create_study(sampler=HyperengineSampler(seed=0, n_startup_trials=2))
    for _ in range(6):
        trial = study.ask(DISTRIBUTIONS)
        study.tell(trial, mixed_objective(trial))
    first, second = study.ask(DISTRIBUTIONS), study.ask(DISTRIBUTIONS)
    assert first.params != second.params


WORKER = """
import sys, optuna
sys.path.insert(0, {tests!r})
from test_integration_optuna import {objective}
from hyperengine.integration.optuna import HyperenginePruner, HyperengineSampler
optuna.logging.set_verbosity(optuna.logging.WARNING)
pruner = HyperenginePruner() if {prune!r} else None
study = optuna.load_study(study_name="shared", storage={url!r}, sampler=HyperengineSampler(seed={seed}),
                          pruner=pruner)
study.optimize({objective}, n_trials=12)
"""


@pytest.mark.parametrize("prune", [False, True], ids=["sampler", "sampler-and-pruner"])
def test_two_processes_share_one_sqlite_storage(tmp_path: Path, prune: bool) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="shared", storage=url)
    tests = str(Path(__file__).resolve().parent)
    objective = "curved_objective" if prune else "mixed_objective"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER.format(tests=tests, url=url, seed=seed,
                                                                      objective=objective, prune=prune)])
               for seed in (0, 1)]
    for worker in workers:
        assert worker.wait(timeout=300) == 0
    study = optuna.load_study(study_name="shared", storage=url)
    states = [t.state for t in study.trials]
    assert len(study.trials) == 24 and states.count(TrialState.COMPLETE) + states.count(TrialState.PRUNED) == 24
    assert states.count(TrialState.PRUNED) > 0 if prune else states.count(TrialState.COMPLETE) == 24
    assert study.best_value < (3.0 + 3.0 * math.exp(-5.0) if prune else 3.0)


def test_enqueued_failed_and_pruned_trials() -> None:
    study = optuna.create_study(sampler=HyperengineSampler(seed=0, n_startup_trials=3), direction="maximize")
    study.enqueue_trial({"x": 0.25, "n": 3})

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        n = trial.suggest_int("n", 1, 5)
        if trial.number % 5 == 4:
            raise RuntimeError("a failing trial")
        if trial.number % 5 == 3:
            for step in range(3):
                trial.report(x * step / 3, step)
            raise optuna.TrialPruned()
        for step in range(4):
            trial.report(x * n * step / 3, step)
        return x * n

    study.optimize(objective, n_trials=20, catch=(RuntimeError,))
    assert study.trials[0].params == {"x": 0.25, "n": 3}
    states = [trial.state for trial in study.trials]
    assert states.count(TrialState.FAIL) == 4 and states.count(TrialState.PRUNED) == 4
    assert study.best_value > 4.5


def test_pruner_stops_hopeless_learning_curves() -> None:
    """Curves saturating at x: once a few have finished, the clearly worse ones are stopped early."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0), pruner=HyperenginePruner(),
                                direction="maximize")

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        value = 0.0
        for step in range(1, 16):
            value = x * (1 - math.exp(-step / 3))
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study.optimize(objective, n_trials=20)
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert pruned and complete
    assert max(t.params["x"] for t in pruned) < study.best_params["x"]
    assert all(len(t.intermediate_values) < 15 for t in pruned)


def test_sampler_and_pruner_pickle_and_keep_working() -> None:
    sampler, pruner = HyperengineSampler(seed=0, n_startup_trials=2), HyperenginePruner()
    study = optuna.create_study(sampler=sampler, pruner=pruner)
    study.optimize(mixed_objective, n_trials=5)
    study.sampler = pickle.loads(pickle.dumps(sampler))
    study.pruner = pickle.loads(pickle.dumps(pruner))
    study.optimize(mixed_objective, n_trials=5)
    assert len(study.trials) == 10 and all(t.state == TrialState.COMPLETE for t in study.trials)


def test_reseed_rng_changes_the_next_proposals() -> None:
    def proposals(reseed: bool) -> list[dict[str, object]]:
        sampler = HyperengineSampler(seed=0, n_startup_trials=2)
        study = optuna.create_study(sampler=sampler)
        study.optimize(mixed_objective, n_trials=4)
        if reseed:
            sampler.reseed_rng()
        study.optimize(mixed_objective, n_trials=4)
        return [trial.params for trial in study.trials]

    plain, reseeded = proposals(False), proposals(True)
    assert plain[:4] == reseeded[:4] and plain[4:] != reseeded[4:]


def test_multi_objective_and_constraints_are_refused() -> None:
    study = optuna.create_study(sampler=HyperengineSampler(seed=0), directions=["minimize", "minimize"])
    with pytest.raises(ValueError, match="2 objectives"):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=1)
    with pytest.raises(ValueError, match="constraints_func"):
        HyperengineSampler(constraints_func=lambda trial: [0.0])
    with pytest.raises(ValueError, match="n_startup_trials"):
        HyperengineSampler(n_startup_trials=-1)
    with pytest.raises(ValueError, match="utility_gen"):
        HyperengineSampler(utility_gen="nope")
