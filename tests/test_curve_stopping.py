"""The default stopping rule (issue 15): decisions on constructed and real curves, calibration, the study hook,
direction and scale invariance, bad input, and the stopping benchmark's smoke run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy.stats import norm

import hyperengine
from hyperengine import spec
from hyperengine.curve.cross_run import CrossRunCurvePredictor
from hyperengine.curve.posterior import CurvePosterior
from hyperengine.curve.stopping_rule import StoppingRule, should_stop

ROOT = Path(__file__).parents[1]
REAL = ROOT / "benchmarks" / "data" / "curves_partial_fit.json"


def real_curves(dataset: str | None = None) -> npt.NDArray[np.float64]:
    records = json.loads(REAL.read_text())["curves"]
    return np.array([r["curve"] for r in records if dataset is None or r["dataset"] == dataset])


def rising(level: float, rate: float, epochs: int = 20, noise: float = 0.005, seed: int = 0) -> npt.NDArray[np.float64]:
    """An exp3-shaped accuracy curve with a little jitter."""
    t = np.arange(1, epochs + 1)
    jitter = np.random.default_rng(seed).normal(0.0, noise, epochs)
    return level - (level - 0.1) * np.exp(-rate * t) + jitter


FINISHED = [rising(0.85 + 0.02 * i, 0.3 + 0.05 * i, seed=i) for i in range(6)]


def test_an_obviously_bad_run_is_stopped_and_a_run_like_the_best_is_not() -> None:
    bad = np.full(20, 0.1) + np.random.default_rng(9).normal(0.0, 0.005, 20)
    decision = StoppingRule().decide(bad[:3], FINISHED)
    assert decision.stop and decision.probability is not None and decision.probability < 0.05
    assert decision.mean is not None and decision.mean < min(c[-1] for c in FINISHED)
    best = FINISHED[-1]
    for k in range(1, 20):
        assert not should_stop(best[:k] + 0.01, FINISHED)


def test_nothing_is_stopped_before_min_curves_finished_runs_or_at_the_horizon() -> None:
    bad = np.full(20, 0.1)
    assert not should_stop(bad[:5], FINISHED[:1])  # 1 < min_curves = 2
    assert should_stop(bad[:5], FINISHED[:2])
    assert not should_stop(bad, FINISHED)  # 20 epochs: the run is finished


def test_decisions_do_not_depend_on_direction_or_the_metric_scale() -> None:
    rng = np.random.default_rng(4)
    others = [rising(rng.uniform(0.5, 0.95), rng.uniform(0.1, 1.0), seed=i) for i in range(12)]
    stopped = [rising(0.3, 0.5, seed=99)[:4]]
    rule = StoppingRule()
    for candidate in (rising(0.6, 0.2, seed=50), rising(0.9, 0.4, seed=51), rising(0.4, 1.0, seed=52)):
        for k in (1, 3, 8):
            plain = rule.decide(candidate[:k], others, stopped)
            loss = rule.decide(-(3.0 * candidate[:k] + 5.0), [-(3.0 * c + 5.0) for c in others],
                               [-(3.0 * c + 5.0) for c in stopped], direction="minimize")
            assert plain.stop == loss.stop
            if plain.probability is not None:
                assert loss.probability == pytest.approx(plain.probability, abs=1e-6)
                assert loss.mean == pytest.approx(-(3.0 * plain.mean + 5.0), rel=1e-6)  # type: ignore[operator]


def test_the_eventual_best_run_of_real_curves_is_never_stopped() -> None:
    # digits: 120 runs, the best final (0.98) reached by 2 of them. On breast_cancer the single best run (a
    # slow starter) is stopped in both orders: docs/curves.md reports that regret.
    for dataset in ("digits",):
        curves = real_curves(dataset)
        best = int(np.argmax(curves[:, -1]))
        for seed in range(2):
            predictor = CrossRunCurvePredictor()
            order = np.random.default_rng(seed).permutation(len(curves))
            stopped_at = {}
            for index in order:
                curve = curves[index]
                for k in range(1, curve.size):
                    if predictor.should_stop(curve[:k], predictor.best_value()):
                        predictor.add_partial_curve(curve[:k])
                        stopped_at[int(index)] = k
                        break
                else:
                    predictor.add_curve(curve)
            assert best not in stopped_at
            assert len(stopped_at) > len(curves) // 2  # and the rule does stop most runs


def test_the_90_percent_intervals_cover_about_90_percent_of_held_out_finals() -> None:
    curves = real_curves()
    order = np.random.default_rng(0).permutation(len(curves))
    train, test = curves[order[:240]], curves[order[240:]]
    predictor = CrossRunCurvePredictor(max_epochs=30)
    for curve in train:
        predictor.add_curve(curve)
    for k in (1, 5, 10):
        inside = []
        for curve in test:
            posterior = predictor.posterior(curve[:k])
            assert posterior is not None
            inside.append(posterior.quantile(0.05) <= curve[-1] <= posterior.quantile(0.95))
        assert 0.82 <= np.mean(inside) <= 0.98, (k, np.mean(inside))


def test_the_mixture_quantile_of_one_gaussian_is_scipys() -> None:
    posterior = CurvePosterior(np.array([0.7]), np.array([0.05]), np.array([1.0]))
    for q in (0.05, 0.5, 0.95):
        assert posterior.quantile(q) == pytest.approx(norm.ppf(q, 0.7, 0.05), abs=1e-7)
    with pytest.raises(ValueError, match="q must be in"):
        posterior.quantile(1.0)


def test_runs_of_any_length_and_runs_that_stopped_on_their_own() -> None:
    predictor, stricter = CrossRunCurvePredictor(), CrossRunCurvePredictor(min_curves=3)
    for index, curve in enumerate(FINISHED):
        predictor.add_curve(curve[: 12 + index])  # runs of 12 to 17 epochs that ended on their own
        stricter.add_curve(curve[: 12 + index])
    assert predictor.horizon == 17
    assert predictor.predictive(FINISHED[0][:12]) is not None
    assert predictor.predictive(FINISHED[0][:16]) is not None  # 2 finished runs are 16 epochs long: min_curves
    assert stricter.predictive(FINISHED[0][:16]) is None


def test_nan_or_infinite_values_are_refused_and_leave_the_predictor_as_it_was() -> None:
    with pytest.raises(ValueError, match=r"curve has NaN or infinite values at epoch index \[1\]"):
        should_stop([0.5, float("nan")], FINISHED)
    with pytest.raises(ValueError, match=r"finished\[1\] has NaN"):
        should_stop([0.5], [FINISHED[0], [0.2, float("inf")]])
    predictor = CrossRunCurvePredictor()
    for curve in FINISHED:
        predictor.add_curve(curve)
    before = predictor.predictive(FINISHED[0][:4])
    with pytest.raises(ValueError, match="NaN or infinite"):
        predictor.add_partial_curve([0.3, float("nan")])
    assert predictor.partial_curves == () and predictor.predictive(FINISHED[0][:4]) == before
    with pytest.raises(ValueError, match="direction must be"):
        should_stop([0.5], FINISHED, direction="up")


def test_stopped_partial_curves_are_data() -> None:
    predictor = CrossRunCurvePredictor()
    for curve in FINISHED[:3]:
        predictor.add_curve(curve)
    before = predictor.predictive(FINISHED[4][:2])
    predictor.add_partial_curve(np.full(8, 0.3))
    assert predictor.predictive(FINISHED[4][:2]) != before
    assert len(predictor.partial_curves) == 1


def test_study_pruner_curve_stops_a_bad_trial_and_tells_its_predicted_final_and_variance() -> None:
    study = hyperengine.create_study({"x": spec.uniform()}, strategy="random", seed=0, pruner="curve")
    for curve in FINISHED:
        trial = study.ask()
        for epoch, value in enumerate(curve):
            trial.report(float(value), epoch)
            assert not trial.should_stop()
        study.tell(trial, float(curve[-1]))
    trial = study.ask()
    stopped = False
    for epoch, value in enumerate(np.full(20, 0.12)):
        trial.report(float(value), epoch)
        if trial.should_stop():
            stopped = True
            break
    assert stopped and len(trial.curve) < 20
    told = study.tell(trial, state="pruned")
    assert told.state.value == "pruned" and told.noise > 0
    assert told.value is not None and told.value < min(c[-1] for c in FINISHED)
    predictor = study.curve_predictor
    assert isinstance(predictor, CrossRunCurvePredictor) and len(predictor.partial_curves) == 1


def test_study_pruner_curve_minimizes_losses_through_optimize() -> None:
    losses = [10.0 - 8.0 * c for c in FINISHED] + [np.full(20, 9.5)]
    study = hyperengine.create_study({"i": spec.choice(list(range(len(losses))))}, direction="minimize",
                                     strategy="random", seed=0, pruner="curve")
    for index in range(len(losses)):
        study.enqueue({"i": index})

    def objective(params: dict[str, int], trial: hyperengine.Trial) -> float:
        curve = losses[params["i"]]
        for epoch, value in enumerate(curve):
            trial.report(float(value), epoch)
            if trial.should_stop():
                break
        return float(curve[len(trial.curve) - 1])

    study.optimize(objective, n_trials=len(losses))
    states = [t.state.value for t in study.trials]
    assert states[-1] == "pruned" and states.count("pruned") == 1
    assert study.trials[-1].value is not None and study.trials[-1].value > 5.0
    assert study.best_value == pytest.approx(float(losses[5][-1]))


def test_create_study_pruner_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="pruner must be 'curve' or None"):
        hyperengine.create_study({"x": spec.uniform()}, pruner="median")
    with pytest.raises(ValueError, match="not both"):
        hyperengine.create_study({"x": spec.uniform()}, pruner="curve", curve_predictor=CrossRunCurvePredictor())


def test_the_stopping_benchmark_smoke_run_compares_every_rule() -> None:
    pytest.importorskip("optuna")
    pytest.importorskip("sklearn")
    from benchmarks.curves.stopping import main

    report = main(["--smoke"])
    rules = {"none", "optuna-median", "optuna-sha", "optuna-hyperband", "hyperengine"}
    for table in (*report["replay"].values(), *report["gp_loop"].values()):
        assert rules <= set(table)
        assert table["none"]["cost"] == 1.0 and table["none"]["regret"] == 0.0
        for rule in rules:
            assert 0.0 < table[rule]["cost"] <= 1.0 and table[rule]["regret"] >= 0.0
    assert report["tradeoff"]


def quantized(curve: npt.NDArray[np.float64], samples: int) -> npt.NDArray[np.float64]:
    """An accuracy on `samples` validation samples: a multiple of 1/samples in [0, 1]."""
    return np.clip(np.round(curve * samples), 0, samples) / samples


def test_the_margin_is_half_the_metric_resolution_and_a_tie_at_the_ceiling_is_stopped() -> None:
    finished = [quantized(rising(0.9 + 0.02 * i, 0.5, seed=i), 45) for i in range(5)]
    predictor = CrossRunCurvePredictor()
    for curve in finished:
        predictor.add_curve(curve)
    assert predictor.resolution == pytest.approx(1 / 45)
    assert predictor.margin == pytest.approx(0.5 / 45)
    assert predictor.ceiling == (1.0 if max(c.max() for c in finished) == 1.0 else None)
    at_ceiling = np.ones(20)
    at_ceiling[:3] = (0.8, 0.9, 0.95)
    predictor.add_curve(quantized(at_ceiling, 45))
    assert predictor.ceiling == 1.0 and predictor.best_value() == 1.0
    # a run that climbs as fast as the one that ended at 1.0 can at best tie it: stopped
    follower = quantized(at_ceiling, 45)[:3]
    assert predictor.win_probability(follower, 1.0) == 0.0 and predictor.should_stop(follower, 1.0)
    assert CrossRunCurvePredictor(margin=0.5).margin == 0.5
    with pytest.raises(ValueError, match="margin must be a finite number >= 0"):
        CrossRunCurvePredictor(margin=-0.1)


def test_a_run_already_above_the_best_final_is_never_stopped() -> None:
    predictor = CrossRunCurvePredictor()
    for curve in FINISHED:
        predictor.add_curve(curve)
    best = predictor.best_value()
    assert best is not None
    # a curve that falls back every epoch (neighbours say: it loses) but is above the best right now
    leader = np.linspace(best + 0.05, 0.2, 20)[:2]
    assert predictor.win_probability(leader, best) == 1.0
    assert not predictor.should_stop(leader, best)
    assert not StoppingRule().decide(leader, FINISHED).stop


def test_a_continuous_loss_has_no_ceiling_and_a_tiny_margin() -> None:
    losses = [-(2.0 - c) for c in FINISHED]  # a loss around 1.1, seen negated
    predictor = CrossRunCurvePredictor()
    for curve in losses:
        predictor.add_curve(curve)
    assert predictor.ceiling is None
    assert 0.0 < predictor.margin < 1e-3
