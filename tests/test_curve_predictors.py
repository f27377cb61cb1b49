"""Both curve predictors: synthetic recovery, real-curve stop rule, different lengths, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from hyperengine.curve import CurvePredictor, EnsembleCurvePredictor, LinearCurvePredictor

DATA = Path(__file__).parent / "data" / "curves_small.json"


def real_curves(dataset: str) -> npt.NDArray[np.float64]:
    records = json.loads(DATA.read_text())["curves"]
    return np.array([r["curve"] for r in records if r["dataset"] == dataset])


def exp3(t: npt.NDArray[np.float64], c: float, a: float, rate: float) -> npt.NDArray[np.float64]:
    return c - a * np.exp(-rate * t)


# ---- LinearCurvePredictor --------------------------------------------------------------------------

def test_linear_recovers_an_exact_linear_relation_like_numpy_lstsq() -> None:
    rng = np.random.default_rng(3)
    predictor = LinearCurvePredictor(burn_in=5, min_input_size=2, max_features=2)
    curves = rng.uniform(0.2, 0.8, size=(30, 12))
    finals = 0.1 + 0.5 * curves[:, 5] + 0.3 * curves[:, 0]  # depends on the two epochs it uses at k = 6
    for curve, final in zip(curves, finals, strict=True):
        predictor.add_curve(curve, final)
    new = rng.uniform(0.2, 0.8, size=12)
    expected, error = predictor.predict(new[:6]) or (np.nan, np.nan)
    assert expected == pytest.approx(0.1 + 0.5 * new[5] + 0.3 * new[0], abs=1e-5)
    assert error < 1e-5
    design = np.column_stack([np.ones(30), curves[:, [0, 5]]])
    coefficients = np.linalg.lstsq(design, finals, rcond=None)[0]
    assert expected == pytest.approx(coefficients @ [1.0, new[0], new[5]], abs=1e-5)


def test_linear_burn_in_min_input_size_and_longer_than_every_past_curve() -> None:
    predictor = LinearCurvePredictor(burn_in=4, min_input_size=3, max_features=1)
    for index in range(3):
        predictor.add_curve(np.linspace(0.1, 0.5 + 0.1 * index, 10))
    assert predictor.predict([0.1, 0.2, 0.3]) is None  # 3 curves < burn_in
    predictor.add_curve(np.linspace(0.1, 0.9, 10))
    assert predictor.predict([0.1, 0.2]) is None  # 2 epochs < min_input_size
    assert predictor.predict([0.1, 0.2, 0.3]) is not None
    assert predictor.predict(np.linspace(0.1, 0.9, 11)) is None  # no past curve is 11 epochs long


def test_linear_mixes_past_curves_of_different_lengths() -> None:
    rng = np.random.default_rng(5)
    predictor = LinearCurvePredictor(burn_in=8, min_input_size=3)
    for index in range(20):
        length = 6 + index % 7  # runs of 6 to 12 epochs (stopped early, dynamic epochs)
        level = rng.uniform(0.5, 0.9)
        curve = level * (1 - np.exp(-np.arange(1, length + 1) / 2.0))
        predictor.add_curve(curve, level)
    assert predictor.curves_number == 20 and predictor.curve_length == 12
    level = 0.7
    curve = level * (1 - np.exp(-np.arange(1, 13) / 2.0))
    for k in (3, 6, 9):  # fewer past curves qualify as k grows
        expected, _ = predictor.predict(curve[:k]) or (np.nan, np.nan)
        assert expected == pytest.approx(level, abs=1e-3)


def test_linear_stop_rule_follows_value_limit_or_the_best_so_far() -> None:
    predictor = LinearCurvePredictor(burn_in=5, min_input_size=2, max_features=1)
    for level in np.linspace(0.3, 0.9, 10):
        predictor.add_curve([level / 2, level], level)  # the value equals the epoch-2 value exactly
    running = [0.1, 0.2]  # predicted final 0.2, error ~ 0
    assert predictor.should_stop(running, None)  # 0.2 < best finished value 0.9
    assert predictor.should_stop(running, 0.5)
    assert not predictor.should_stop(running, 0.15)
    assert not predictor.should_stop(running[:1], 0.5)  # fewer than min_input_size epochs
    limited = LinearCurvePredictor(burn_in=5, min_input_size=2, max_features=1, value_limit=0.15)
    for curve, value in zip(predictor.curves, predictor.values, strict=True):
        limited.add_curve(curve, value)
    assert not limited.should_stop(running, 0.99)  # 0.2 >= value_limit 0.15, whatever the best


# ---- EnsembleCurvePredictor ------------------------------------------------------------------------

@pytest.mark.parametrize(("c", "a", "rate"), [(0.9, 0.6, 6.0), (0.75, 0.5, 3.0), (0.95, 0.3, 12.0)])
def test_ensemble_recovers_the_final_value_of_a_synthetic_curve(c: float, a: float, rate: float) -> None:
    rng = np.random.default_rng(int(100 * c))
    epochs = 40
    t = np.arange(1, epochs + 1) / epochs
    noise = 0.005
    curve = exp3(t, c, a, rate) + noise * rng.normal(size=epochs)
    truth = exp3(np.array([1.0]), c, a, rate)[0]
    predictor = EnsembleCurvePredictor(max_epochs=epochs, seed=1)
    mean, std = predictor.predictive(curve[:20]) or (np.nan, np.nan)  # half the run seen
    assert abs(mean - truth) < 0.02
    assert abs(mean - truth) < 3 * std
    assert std < 0.04


def test_ensemble_predictive_summary_matches_its_samples_and_is_reproducible() -> None:
    curve = exp3(np.arange(1, 9) / 30.0, 0.9, 0.5, 5.0)
    predictor = EnsembleCurvePredictor(max_epochs=30, seed=7)
    posterior = predictor.posterior(curve)
    assert posterior is not None and posterior.final.size == 200 * 9  # 200 draws per family
    assert posterior.weights.sum() == pytest.approx(1.0)
    mean, std = predictor.predictive(curve) or (np.nan, np.nan)
    draws = np.random.default_rng(0).choice(posterior.final.size, size=400_000, p=posterior.weights)
    observed = posterior.final[draws] + posterior.sigma[draws] * np.random.default_rng(1).normal(size=draws.size)
    assert mean == pytest.approx(np.mean(observed), abs=5e-4)
    assert std == pytest.approx(np.std(observed), rel=1e-2)
    assert predictor.prob_exceeds(curve, mean) == pytest.approx(np.mean(observed > mean), abs=5e-3)
    assert np.all(posterior.final <= 1.0 + 0.01)  # value_range (0, 1): accuracies end at or below 1
    again = EnsembleCurvePredictor(max_epochs=30, seed=7).predictive(list(curve))
    assert again == (mean, std)
    low, high = predictor.prob_exceeds(curve, mean - 3 * std), predictor.prob_exceeds(curve, mean + 3 * std)
    assert low is not None and high is not None and low > 0.9 and high < 0.1


def test_ensemble_horizon_comes_from_max_epochs_or_the_longest_past_curve() -> None:
    predictor = EnsembleCurvePredictor()
    assert predictor.horizon is None and predictor.predict([0.1, 0.3, 0.4]) is None
    predictor.add_curve(np.linspace(0.1, 0.8, 25))
    predictor.add_curve(np.linspace(0.1, 0.7, 20))  # different lengths are fine
    assert predictor.horizon == 25 and predictor.predict([0.1, 0.3, 0.4]) is not None
    finished = np.linspace(0.2, 0.9, 25)
    assert predictor.predictive(finished) == (pytest.approx(0.9), 0.0)
    assert predictor.predictive(np.append(finished, 0.1)) == (pytest.approx(0.9), 0.0)


@pytest.mark.parametrize("kind", ["linear", "ensemble"])
def test_the_stop_rule_never_stops_the_eventual_best_real_curve(kind: str) -> None:
    """Replay recorded digits curves in a fixed seeded order, asking the stop rule after every epoch."""
    curves = real_curves("digits")[:, :20]
    predictor: CurvePredictor = (LinearCurvePredictor(burn_in=3) if kind == "linear"
                                 else EnsembleCurvePredictor(max_epochs=20, past_burn_in=3))
    order = np.random.default_rng(0).permutation(len(curves))
    best_index = int(np.argmax(curves[:, -1]))
    best: float | None = None
    stopped = []
    for index in order:
        curve = curves[index]
        stop_at = next((k for k in range(3, curve.size) if predictor.should_stop(curve[:k], best)), None)
        if stop_at is not None:
            stopped.append(index)
            continue
        predictor.add_curve(curve)
        best = curve[-1] if best is None else max(best, curve[-1])
    assert best_index not in stopped
    assert best == curves[best_index, -1]
    assert len(stopped) >= 3  # and it does stop hopeless runs: the test is not vacuous


@pytest.mark.parametrize("predictor", [LinearCurvePredictor(burn_in=1), EnsembleCurvePredictor(max_epochs=9)],
                         ids=["linear", "ensemble"])
def test_bad_input_is_a_clear_value_error(predictor: CurvePredictor) -> None:
    with pytest.raises(ValueError, match=r"NaN or infinite values at epoch index \[1\]"):
        predictor.add_curve([0.1, float("nan"), 0.3])
    with pytest.raises(ValueError, match="NaN or infinite"):
        predictor.predict([0.1, 0.2, float("inf")])
    with pytest.raises(ValueError, match="one-dimensional"):
        predictor.should_stop([[0.1, 0.2], [0.3, 0.4]], 0.5)
    with pytest.raises(ValueError, match="sequence of numbers"):
        predictor.add_curve(["a", "b"])
    with pytest.raises(ValueError, match="empty"):
        predictor.add_curve([])
    with pytest.raises(ValueError, match="value must be finite"):
        predictor.add_curve([0.1, 0.2], float("nan"))
    with pytest.raises(ValueError, match="threshold must be finite"):
        predictor.prob_exceeds([0.1, 0.2, 0.3], float("nan"))


def test_bad_parameters_are_rejected() -> None:
    with pytest.raises(ValueError, match="stop_probability"):
        EnsembleCurvePredictor(stop_probability=1.5)
    with pytest.raises(ValueError, match="unknown or no curve families"):
        EnsembleCurvePredictor(families=["pow3", "sigmoid"])
    with pytest.raises(ValueError, match="value_range"):
        EnsembleCurvePredictor(value_range=(1.0, 0.0))
    with pytest.raises(ValueError, match="burn_in"):
        LinearCurvePredictor(burn_in=0)


def test_stop_condition_and_result_metric_follow_the_original_solver_protocol() -> None:
    predictor = EnsembleCurvePredictor(max_epochs=20, min_input_size=3)
    condition, metric = predictor.stop_condition(), predictor.result_metric()
    good = list(exp3(np.arange(1, 21) / 20.0, 0.95, 0.5, 5.0))
    assert not condition(good[:5])  # nothing finished yet: no best value to beat
    assert metric(good) == pytest.approx(max(good))  # a finished run is learned from, reduced by max
    assert predictor.curves_number == 1 and predictor.values[0] == pytest.approx(max(good))
    hopeless = list(exp3(np.arange(1, 21) / 20.0, 0.3, 0.2, 5.0))
    stopped_at = next(k for k in range(3, 20) if condition(hopeless[:k]))
    result = metric(hopeless[:stopped_at])
    expected, _ = predictor.predict(hopeless[:stopped_at]) or (np.nan, np.nan)
    assert result == pytest.approx(expected) and result < 0.5
    assert predictor.curves_number == 1  # a stopped run is not a finished curve


def test_ensemble_mixes_in_the_linear_model_of_past_curves_once_it_can_predict() -> None:
    curves = real_curves("digits")
    alone = EnsembleCurvePredictor(max_epochs=40, past_weight=0.0)
    mixed = EnsembleCurvePredictor(max_epochs=40, past_weight=0.3, past_burn_in=10)
    linear = LinearCurvePredictor(burn_in=10)
    running = curves[0, :6]
    for curve in curves[1:10]:
        mixed.add_curve(curve)
        linear.add_curve(curve)
    assert mixed.predictive(running) == alone.predictive(running)  # 9 past curves < past_burn_in
    mixed.add_curve(curves[10])
    linear.add_curve(curves[10])
    own, past = alone.posterior(running), linear.predictive(running)
    posterior = mixed.posterior(running)
    assert own is not None and past is not None and posterior is not None
    assert posterior.weights[-1] == pytest.approx(0.3) and posterior.final[-1] == past[0]
    mean, _ = mixed.predictive(running) or (np.nan, np.nan)
    assert mean == pytest.approx(0.7 * (own.weights @ own.final) + 0.3 * past[0])
