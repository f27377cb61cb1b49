"""Pruning in a Study with real curve predictors: trial.report / trial.should_stop, TrialPruned and the
return-after-should_stop path; a pruned trial is told with its predicted final value and that prediction's
variance as observation noise, so the GP still learns from it, trusting it less."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from hyperengine import spec
from hyperengine.curve import EnsembleCurvePredictor, LinearCurvePredictor
from hyperengine.study import Trial, TrialPruned, TrialState, create_study

EPOCHS = 12


def final_accuracy(params: dict[str, float]) -> float:
    """Best 0.95 at lr = 0.3."""
    return 0.95 - 0.8 * (params["lr"] - 0.3) ** 2


def accuracy_curve(params: dict[str, float]) -> list[float]:
    """A saturating learning curve ending at final_accuracy, with a small deterministic wiggle."""
    final = final_accuracy(params)
    return [final * (1.0 - math.exp(-(epoch + 1) / 3.0)) / (1.0 - math.exp(-EPOCHS / 3.0))
            + 0.002 * math.sin(13.0 * final * epoch) for epoch in range(EPOCHS)]


def raising_objective(params: dict[str, float], trial: Trial) -> float:
    curve = accuracy_curve(params)
    for epoch, value in enumerate(curve):
        trial.report(value, step=epoch)
        if trial.should_stop():
            raise TrialPruned()
    return curve[-1]


def returning_objective(params: dict[str, float], trial: Trial) -> float:
    """The original solver's way: stop training and return the curve's last value."""
    curve = accuracy_curve(params)
    for epoch, value in enumerate(curve):
        trial.report(value, step=epoch)
        if trial.should_stop():
            return value
    return curve[-1]


def run_study(objective: Any, predictor: Any, n_trials: int = 24, seed: int = 0) -> Any:
    """Random proposals (the 'rand' utility: the GP would soon propose only good runs, leaving nothing to prune),
    the values still fed to the GP."""
    study = create_study({"lr": spec.uniform(0.0, 1.0)}, direction="maximize", utility_gen="rand", burn_in=0,
                         seed=seed, curve_predictor=predictor)
    study.optimize(objective, n_trials=n_trials)
    return study


@pytest.mark.parametrize("objective", [raising_objective, returning_objective], ids=["raise", "return"])
def test_linear_predictor_prunes_and_tells_the_prediction_with_noise(objective: Any) -> None:
    predictor = LinearCurvePredictor(burn_in=4, min_input_size=3)
    study = run_study(objective, predictor)
    pruned = [t for t in study.trials if t.state is TrialState.PRUNED]
    complete = [t for t in study.trials if t.state is TrialState.COMPLETE]
    assert pruned, "no trial was pruned: the curve predictor was not used"
    assert len(complete) >= 4 and predictor.curves_number == len(complete)  # full curves teach the predictor
    for trial in pruned:
        assert len(trial.intermediate_values) < EPOCHS
        _, stdev = predictor.predictive(trial.curve)  # type: ignore[misc]
        # The prediction depends only on the curve and the finished curves seen before; later curves
        # refine it, so compare to the truth rather than to today's prediction.
        assert trial.value == pytest.approx(final_accuracy(trial.params), abs=0.02)
        assert trial.noise > 0 and math.isfinite(trial.noise)
        assert trial.noise == pytest.approx(stdev**2, rel=1.0)
        assert trial.value < study.best_value  # pruned because it would not beat the best
    # Every complete and pruned trial reached the GP, pruned ones with their noise.
    assert study.strategy.iteration == len(complete) + len(pruned)
    extra = np.asarray(study.strategy.model.gp.extra_noise)
    assert np.count_nonzero(extra) == len(pruned)


def test_pruned_value_and_noise_equal_the_predictors_at_the_time() -> None:
    """The value told for a pruned trial is exactly predictive(curve) when it stopped."""
    predictor = LinearCurvePredictor(burn_in=3, min_input_size=3)
    study = create_study({"lr": spec.uniform(0.0, 1.0)}, seed=0, curve_predictor=predictor)
    for lr in (0.3, 0.6, 0.1, 0.75, 0.45):  # a 3-epoch regression (3 features) needs 5 curves
        study.enqueue({"lr": lr})
    study.optimize(raising_objective, n_trials=5)
    assert predictor.curves_number == 5
    study.enqueue({"lr": 0.95})
    expected = predictor.predictive(accuracy_curve({"lr": 0.95})[:3])
    study.optimize(raising_objective, n_trials=1)
    trial = study.trials[-1]
    assert trial.state is TrialState.PRUNED and len(trial.curve) == 3
    assert expected is not None
    assert trial.value == pytest.approx(expected[0], rel=1e-12)
    assert trial.noise == pytest.approx(expected[1] ** 2, rel=1e-12)


def test_minimize_prunes_with_the_sign_handled() -> None:
    """A loss to minimize: the predictor works on negated values, the trial keeps the loss itself."""
    predictor = LinearCurvePredictor(burn_in=3, min_input_size=3)
    study = create_study({"lr": spec.uniform(0.0, 1.0)}, direction="minimize", seed=0, curve_predictor=predictor)

    def loss(params: dict[str, float], trial: Trial) -> float:
        curve = [1.0 - value for value in accuracy_curve(params)]
        for epoch, value in enumerate(curve):
            trial.report(value, step=epoch)
            if trial.should_stop():
                raise TrialPruned()
        return curve[-1]

    for lr in (0.3, 0.6, 0.1, 0.75, 0.45):  # spread: the regression must not extrapolate
        study.enqueue({"lr": lr})
    study.enqueue({"lr": 0.9})
    study.optimize(loss, n_trials=6)
    trial = study.trials[-1]
    assert trial.state is TrialState.PRUNED
    assert trial.value == pytest.approx(1.0 - final_accuracy({"lr": 0.9}), abs=0.02)
    assert trial.value > study.best_value


def test_without_a_prediction_a_stopped_trial_is_pruned_without_value() -> None:
    """TrialPruned before the predictor can predict: pruned, no value, never fed to the GP."""
    study = create_study({"lr": spec.uniform(0.0, 1.0)}, seed=0, curve_predictor=LinearCurvePredictor(burn_in=3))

    def objective(params: dict[str, float], trial: Trial) -> float:
        trial.report(0.5, step=0)
        raise TrialPruned()

    study.optimize(objective, n_trials=2)
    assert all(t.state is TrialState.PRUNED and t.value is None for t in study.trials)
    assert all(t.error == "stopped early without a prediction" for t in study.trials)
    assert study.strategy.iteration == 0


def test_ensemble_predictor_prunes_hopeless_runs() -> None:
    predictor = EnsembleCurvePredictor(max_epochs=EPOCHS, min_input_size=4, n_samples=60, n_burn=200, seed=0)
    study = create_study({"lr": spec.uniform(0.0, 1.0)}, seed=0, curve_predictor=predictor)
    for lr in (0.3, 0.29):
        study.enqueue({"lr": lr})
    study.enqueue({"lr": 1.0})  # final accuracy 0.558, far below 0.95
    study.optimize(raising_objective, n_trials=3)
    hopeless = study.trials[-1]
    assert hopeless.state is TrialState.PRUNED
    assert len(hopeless.curve) < EPOCHS
    assert hopeless.value is not None and hopeless.value < 0.8
    assert study.strategy.iteration == 3


def test_a_minimized_metric_outside_the_predictors_range_is_a_clear_error() -> None:
    """The ensemble's default value_range is (0, 1) (accuracies); a minimized loss reaches it negated, so
    asking should_stop names the range and the fix, instead of extrapolating nonsense."""
    predictor = EnsembleCurvePredictor(max_epochs=EPOCHS, min_input_size=2, n_samples=20, n_burn=50)
    study = create_study({"lr": spec.uniform(0.0, 1.0)}, direction="minimize", seed=0, curve_predictor=predictor)
    trial = study.ask()
    trial.report(0.8, step=0)
    with pytest.raises(ValueError, match=r"value_range=\(-high, -low\)"):
        trial.should_stop()

    fitting = EnsembleCurvePredictor(max_epochs=EPOCHS, min_input_size=2, n_samples=20, n_burn=50,
                                     value_range=(-1.0, 0.0))
    study = create_study({"lr": spec.uniform(0.0, 1.0)}, direction="minimize", seed=0, curve_predictor=fitting)
    trial = study.ask()
    trial.report(0.8, step=0)
    assert trial.should_stop() is False
