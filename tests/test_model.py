"""The framework-agnostic training layer: DataSet batching, reducers, the curve monitor, BaseSolver, ModelIO."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits

from helpers_training import RecordingTrial
from hyperengine.model import (
    BaseRunner,
    BaseSolver,
    CurveMonitor,
    Data,
    DataSet,
    ModelIO,
    expand_save_dir,
    merge_data_sets,
    resolve_reducer,
)
from hyperengine.model.curve_monitor import updated_epochs


class SoftmaxRunner(BaseRunner):
    """Multinomial logistic regression trained by plain SGD in numpy: a real, fast model for the loop."""

    def __init__(self, n_features: int, n_classes: int, learning_rate: float, seed: int = 0) -> None:
        self._shape = (n_features, n_classes)
        self._learning_rate = learning_rate
        self._seed = seed
        self.batches_seen = 0

    def init(self, **kwargs: Any) -> None:
        self.w = np.random.default_rng(self._seed).normal(0.0, 0.01, self._shape)
        self.b = np.zeros(self._shape[1])

    def _probabilities(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.w + self.b
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def run_batch(self, batch_x: np.ndarray, batch_y: np.ndarray) -> None:
        self.batches_seen += 1
        gradient = self._probabilities(batch_x)
        gradient[np.arange(len(batch_y)), batch_y] -= 1.0
        gradient /= len(batch_y)
        self.w -= self._learning_rate * batch_x.T @ gradient
        self.b -= self._learning_rate * gradient.sum(axis=0)

    def evaluate(self, batch_x: np.ndarray, batch_y: np.ndarray) -> dict[str, Any]:
        probabilities = self._probabilities(batch_x)
        loss = -np.log(probabilities[np.arange(len(batch_y)), batch_y] + 1e-12).mean()
        accuracy = (probabilities.argmax(axis=1) == batch_y).mean()
        return {"accuracy": float(accuracy), "loss": float(loss)}

    def model_size(self) -> int:
        return self._shape[0] * self._shape[1] + self._shape[1]


@pytest.fixture(scope="module")
def digits() -> Data:
    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    return Data(
        DataSet(x[:1000], y[:1000], seed=0),
        DataSet(x[1000:1400], y[1000:1400], shuffle=False),
        DataSet(x[1400:], y[1400:], shuffle=False),
    )


def make_solver(data: Data, **params: Any) -> tuple[BaseSolver, SoftmaxRunner]:
    runner = SoftmaxRunner(64, 10, learning_rate=params.pop("learning_rate", 0.5))
    params.setdefault("batch_size", 50)
    return BaseSolver(runner, data, **params), runner


# --- DataSet -------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 60), batch_size=st.integers(1, 25), epochs=st.integers(1, 3), seed=st.integers(0, 99)
)
def test_each_epoch_hands_out_every_row_exactly_once(
    size: int, batch_size: int, epochs: int, seed: int
) -> None:
    x = np.arange(size * 2).reshape(size, 2)
    data_set = DataSet(x, np.arange(size), seed=seed)
    for epoch in range(epochs):
        seen: list[int] = []
        while True:
            batch_x, batch_y = data_set.next_batch(batch_size)
            np.testing.assert_array_equal(batch_x[:, 0], 2 * batch_y)  # rows stay paired with labels
            seen.extend(batch_y.tolist())
            if data_set.just_completed:
                break
        assert sorted(seen) == list(range(size))
        assert data_set.epochs_completed == epoch + 1
        assert data_set.index == (epoch + 1) * size
    assert data_set.step == epochs * math.ceil(size / batch_size)


def test_last_batch_of_an_epoch_is_partial_and_order_is_fixed_without_shuffle() -> None:
    data_set = DataSet(np.arange(10), np.arange(10), shuffle=False)
    sizes = [len(data_set.next_batch(4)[0]) for _ in range(3)]
    assert sizes == [4, 4, 2]
    np.testing.assert_array_equal(data_set.next_batch(4)[1], [0, 1, 2, 3])


def test_shuffle_is_reproducible_with_a_seed_and_differs_between_epochs() -> None:
    first, second = (
        DataSet(np.arange(50), np.arange(50), seed=7),
        DataSet(np.arange(50), np.arange(50), seed=7),
    )
    epoch_1 = first.next_batch(50)[1]
    np.testing.assert_array_equal(epoch_1, second.next_batch(50)[1])
    assert not np.array_equal(epoch_1, first.next_batch(50)[1])


def test_reset_counters_starts_a_new_epoch() -> None:
    data_set = DataSet(np.arange(10), np.arange(10))
    data_set.next_batch(4)
    data_set.reset_counters()
    assert (data_set.step, data_set.index, data_set.epochs_completed, data_set.just_completed) == (
        0,
        0,
        0,
        False,
    )


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [(np.zeros((3, 2)), np.zeros(4), "x has 3 rows but y has 4"), (np.zeros((0, 2)), np.zeros(0), "empty")],
)
def test_data_set_rejects_bad_arrays(x: np.ndarray, y: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DataSet(x, y)


def test_next_batch_rejects_a_non_positive_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        DataSet(np.arange(3), np.arange(3)).next_batch(0)


def test_merge_data_sets_keeps_rows_in_order() -> None:
    merged = merge_data_sets([DataSet([1, 2], [3, 4]), DataSet([5], [6])])
    np.testing.assert_array_equal(merged.x, [1, 2, 5])
    np.testing.assert_array_equal(merged.y, [3, 4, 6])


def test_data_requires_data_sets() -> None:
    with pytest.raises(TypeError, match="validation must be a DataSet, got tuple"):
        Data(DataSet([1], [1]), ([1], [1]))  # type: ignore[arg-type]


# --- reducers and the curve monitor -------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30))
def test_reducer_presets_match_numpy(curve: list[float]) -> None:
    assert resolve_reducer("max")(curve) == np.max(curve)
    assert resolve_reducer("min")(curve) == np.min(curve)
    assert resolve_reducer("avg")(curve) == pytest.approx(np.mean(curve), rel=1e-9, abs=1e-6)
    assert resolve_reducer("last")(curve) == curve[-1]


def test_reducer_of_an_empty_curve_is_nan_and_unknown_names_are_rejected() -> None:
    assert math.isnan(resolve_reducer("max")([]))
    with pytest.raises(ValueError, match="unknown reducer 'median'"):
        resolve_reducer("median")


def test_monitor_reports_each_value_with_its_position_and_tracks_the_best() -> None:
    trial = RecordingTrial()
    monitor = CurveMonitor(trial=trial)
    for value in (0.2, 0.5, 0.4):
        assert not monitor.record(value)
    assert trial.reports == [(0.2, 0), (0.5, 1), (0.4, 2)]
    assert monitor.best == 0.5 and not monitor.stopped_early


def test_monitor_minimize_tracks_the_smallest_value() -> None:
    monitor = CurveMonitor(direction="minimize")
    for value in (3.0, 1.0, 2.0):
        monitor.record(value)
    assert monitor.best == 1.0 and monitor.is_better(0.5) and not monitor.is_better(1.5)


def test_monitor_stops_on_the_stop_condition_then_on_the_trial() -> None:
    by_condition = CurveMonitor(stop_condition=lambda curve: len(curve) >= 2)
    assert [by_condition.record(v) for v in (0.1, 0.2)] == [False, True]
    assert by_condition.stop_reason == "stop_condition"
    by_trial = CurveMonitor(trial=RecordingTrial(stop_after=3))
    assert [by_trial.record(v) for v in (0.1, 0.2, 0.3)] == [False, False, True]
    assert by_trial.stop_reason == "trial.should_stop"


def test_monitor_stops_on_a_non_finite_value_without_recording_it() -> None:
    trial = RecordingTrial()
    monitor = CurveMonitor(trial=trial)
    monitor.record(0.3)
    assert monitor.record(float("nan"))
    assert monitor.curve == [0.3] and trial.reports == [(0.3, 0)]
    assert monitor.stop_reason is not None and "non-finite" in monitor.stop_reason


def test_monitor_rejects_an_object_that_is_not_a_trial() -> None:
    with pytest.raises(TypeError, match="report\\(value, step\\) and should_stop"):
        CurveMonitor(trial=object())  # type: ignore[arg-type]


def test_dynamic_epochs_gets_the_curve_the_best_or_both() -> None:
    curve = [0.1, 0.6, 0.5]

    def by_curve(curve: Sequence[float]) -> int:
        return len(curve) + 10

    def by_best(max_acc: float) -> int:
        return 20 if max_acc > 0.55 else 5

    assert updated_epochs(by_curve, curve, 0.6, 3) == 13
    assert updated_epochs(by_best, curve, 0.6, 3) == 20
    assert updated_epochs(lambda c, best: None, curve, 0.6, 3) == 3
    with pytest.raises(TypeError, match="dynamic_epochs must take"):
        updated_epochs(lambda: 3, curve, 0.6, 3)
    with pytest.raises(ValueError, match="dynamic_epochs returned -1"):
        updated_epochs(lambda c, b: -1, curve, 0.6, 3)


# --- BaseSolver ---------------------------------------------------------------------------------------


def test_solver_learns_digits_and_returns_the_best_validation_accuracy(digits: Data) -> None:
    trial = RecordingTrial()
    solver, _ = make_solver(digits, epochs=4, trial=trial, evaluate_test=True)
    score = solver.train()
    assert len(solver.curve) == 4
    assert score == max(solver.curve) > 0.85
    assert [step for _, step in trial.reports] == [0, 1, 2, 3]
    assert solver.test_result is not None and solver.test_result["accuracy"] > 0.8
    assert not solver.stopped_early


def test_solver_stops_on_stop_condition_and_trial(digits: Data) -> None:
    solver, runner = make_solver(digits, epochs=5, stop_condition=lambda curve: len(curve) == 2)
    solver.train()
    assert len(solver.curve) == 2 and solver.stopped_early
    assert runner.batches_seen == 2 * 20
    pruned, _ = make_solver(digits, epochs=5, trial=RecordingTrial(stop_after=1))
    pruned.train()
    assert len(pruned.curve) == 1


def test_solver_reducers_and_dynamic_epochs(digits: Data) -> None:
    solver, _ = make_solver(digits, epochs=2, reducer="avg", dynamic_epochs=lambda curve: 3)
    score = solver.train()
    assert len(solver.curve) == 3
    assert score == pytest.approx(np.mean(solver.curve))


def test_chunked_evaluation_equals_whole_set_evaluation(digits: Data) -> None:
    whole, runner = make_solver(digits, epochs=1)
    whole.train()
    chunked = BaseSolver(runner, digits, eval_batch_size=128)  # 400 rows: chunks of 128, 128, 128, 16
    whole_result = whole.evaluate(digits.validation)
    chunked_result = chunked.evaluate(digits.validation)
    assert chunked_result["accuracy"] == pytest.approx(whole_result["accuracy"], abs=1e-12)
    assert chunked_result["loss"] == pytest.approx(whole_result["loss"], rel=1e-12)


def test_step_based_evaluation_when_not_flexible(digits: Data) -> None:
    solver, _ = make_solver(digits, epochs=2, eval_flexible=False, eval_validation_every=7)
    solver.train()
    assert len(solver.curve) == (2 * 20) // 7


def test_augmentation_is_applied_to_training_batches(digits: Data) -> None:
    seen_shapes: list[tuple[int, ...]] = []

    def flip(batch_x: np.ndarray) -> np.ndarray:
        seen_shapes.append(batch_x.shape)
        return batch_x.reshape(-1, 8, 8)[:, :, ::-1].reshape(-1, 64)

    solver, _ = make_solver(digits, epochs=1, augmentation=flip)
    solver.train()
    assert len(seen_shapes) == 20 and seen_shapes[0] == (50, 64)


def test_on_best_accuracy_fires_on_strict_improvements(digits: Data) -> None:
    class RecordingSolver(BaseSolver):
        best_values: ClassVar[list[float]] = []

        def on_best_accuracy(self, accuracy: float, eval_result: dict[str, Any]) -> None:
            self.best_values.append(accuracy)

    solver = RecordingSolver(SoftmaxRunner(64, 10, 0.5), digits, batch_size=50, epochs=4)
    solver.train()
    running_max = np.maximum.accumulate(solver.curve)
    expected = [value for i, value in enumerate(solver.curve) if i == 0 or value > running_max[i - 1]]
    assert solver.best_values == expected


def test_solver_rejects_bad_configuration(digits: Data) -> None:
    runner = SoftmaxRunner(64, 10, 0.1)
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        BaseSolver(runner, digits, epochs=0)
    with pytest.raises(ValueError, match="evaluate_test=True but data.test is None"):
        BaseSolver(runner, Data(digits.train, digits.validation), evaluate_test=True)
    with pytest.raises(TypeError, match="data must be a hyperengine.model.Data"):
        BaseSolver(runner, (digits.train, digits.validation))  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="without the metric 'f1'"):
        BaseSolver(runner, digits, metric="f1", batch_size=500).train()


# --- ModelIO ------------------------------------------------------------------------------------------


def test_save_dir_template_is_expanded_once() -> None:
    path = expand_save_dir("zoo/run-{date}-{random_id}")
    assert re.fullmatch(r"zoo/run-\d{4}-\d{2}-\d{2}-\d{6}-[0-9a-f]{8}", path.as_posix())
    assert expand_save_dir("zoo/{random_id}") != expand_save_dir("zoo/{random_id}")
    with pytest.raises(ValueError, match="the only fields are \\{date\\} and \\{random_id\\}"):
        expand_save_dir("zoo/{trial}")


def test_results_and_hyper_params_round_trip(tmp_path: Path) -> None:
    io = ModelIO(save_dir=tmp_path / "best-{random_id}", save_accuracy_limit=0.9)
    assert io.should_save(0.95) and not io.should_save(0.5)
    assert io.should_save(0.5, "minimize") and not io.should_save(0.95, "minimize")  # a loss at most the limit
    assert ModelIO(save_dir=tmp_path).should_save(-1e9)  # no limit: every new best is saved
    params = {"lr": np.float64(0.01), "layers": (np.int64(32), 16), "activation": "relu"}
    io.save_hyper_params(params)
    io.save_results({"validation_accuracy": np.float32(0.96)})
    assert io.save_dir is not None and io.save_dir.parent == tmp_path
    loader = ModelIO(load_dir=io.save_dir)
    assert loader.load_hyper_params() == {"lr": 0.01, "layers": [32, 16], "activation": "relu"}
    assert loader.load_results()["validation_accuracy"] == pytest.approx(0.96)
    assert json.loads((io.save_dir / "results.json").read_text())["validation_accuracy"] == pytest.approx(
        0.96
    )


def test_model_io_without_directories_saves_nothing_and_loads_nothing(tmp_path: Path) -> None:
    io = ModelIO()
    assert not io.should_save(1.0) and io.load_results() == {}
    with pytest.raises(ValueError, match="no save_dir was given"):
        io.save_results({"a": 1})
    with pytest.raises(FileNotFoundError, match="load_dir .* does not exist"):
        ModelIO(load_dir=tmp_path / "missing")
