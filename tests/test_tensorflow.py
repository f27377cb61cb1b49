"""The TensorFlow binding: KerasSolver, TrialCallback, the TF1 graph runner/solver, model I/O, seeding.

Every model here is tiny (digits, one hidden layer, 1-4 epochs) so the file stays fast on 2 CPU cores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits

from helpers_training import RecordingTrial
from hyperengine.model import Data, DataSet

pytestmark = pytest.mark.tensorflow
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from hyperengine.tensorflow import (  # noqa: E402 (after the importorskip guard)
    KerasModelIO,
    KerasSolver,
    TensorflowRunner,
    TensorflowSolver,
    TrialCallback,
    seed_everything,
)

v1 = tf.compat.v1


@pytest.fixture(scope="module")
def digits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    return {
        "train": (x[:1100], y[:1100]),
        "validation": (x[1100:1450], y[1100:1450]),
        "test": (x[1450:], y[1450:]),
    }


def build_mlp(params: dict[str, Any]) -> Any:
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(params.get("units", 32), activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(params.get("learning_rate", 0.01)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


# --- KerasSolver --------------------------------------------------------------------------------------


def test_keras_solver_trains_reports_every_epoch_and_returns_the_best(digits: dict[str, Any]) -> None:
    trial = RecordingTrial()
    solver = KerasSolver(build_mlp, digits, {"units": 32}, epochs=3, trial=trial, evaluate_test=True, seed=0)
    score = solver.train()
    assert len(solver.curve) == 3 and score == max(solver.curve) > 0.85
    assert [step for _, step in trial.reports] == [0, 1, 2]
    assert [value for value, _ in trial.reports] == solver.curve
    assert solver.test_result is not None and solver.test_result["accuracy"] > 0.8
    assert not solver.stopped_early
    solver.terminate()
    assert solver.model is None


def test_the_same_seed_gives_the_same_curve(digits: dict[str, Any]) -> None:
    curves = [KerasSolver(build_mlp, digits, {}, epochs=1, seed=3).train() for _ in range(2)]
    other = KerasSolver(build_mlp, digits, {}, epochs=1, seed=4).train()
    assert curves[0] == curves[1]
    assert other != curves[0]


def test_uncompiled_model_with_a_compile_spec_and_tf_data_input(digits: dict[str, Any]) -> None:
    def build(params: dict[str, Any]) -> Any:
        return keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])

    data = {
        name: tf.data.Dataset.from_tensor_slices(arrays).batch(64)
        for name, arrays in digits.items()
        if name != "test"
    }
    compile_spec = {
        "optimizer": keras.optimizers.Adam(0.02),
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
    }
    solver = KerasSolver(build, data, compile=compile_spec, epochs=2, seed=0)
    assert solver.train() > 0.5
    with pytest.raises(ValueError, match="uncompiled model: compile it there or pass compile"):
        KerasSolver(build, digits, epochs=1).train()
    with pytest.raises(ValueError, match="map the augmentation into the dataset"):
        KerasSolver(build, data, augmentation=lambda x: x)


def test_data_as_hyperengine_data_and_bad_data_shapes(digits: dict[str, Any]) -> None:
    data = Data(DataSet(*digits["train"]), DataSet(*digits["validation"]))
    assert KerasSolver(build_mlp, data, {}, epochs=1, seed=0).train() > 0.5
    with pytest.raises(ValueError, match="data mapping needs 'train', 'validation'"):
        KerasSolver(build_mlp, {"train": digits["train"]})
    with pytest.raises(ValueError, match="validation: x and y must be arrays with the same number of rows"):
        KerasSolver(build_mlp, (digits["train"], (digits["validation"][0], digits["validation"][1][:5])))
    with pytest.raises(TypeError, match="build_model must return a keras.Model, got dict"):
        KerasSolver(lambda params: {}, digits, epochs=1).train()


def test_stop_condition_and_trial_stop_the_fit(digits: dict[str, Any]) -> None:
    solver = KerasSolver(build_mlp, digits, {}, epochs=4, stop_condition=lambda curve: len(curve) >= 2)
    solver.train()
    assert len(solver.curve) == 2 and solver.stop_reason == "stop_condition"
    pruned = KerasSolver(build_mlp, digits, {}, epochs=4, trial=RecordingTrial(stop_after=1))
    pruned.train()
    assert len(pruned.curve) == 1 and pruned.stop_reason == "trial.should_stop"


def test_dynamic_epochs_extends_and_shortens_the_fit(digits: dict[str, Any]) -> None:
    longer = KerasSolver(build_mlp, digits, {}, epochs=1, dynamic_epochs=lambda curve: 3)
    longer.train()
    assert len(longer.curve) == 3
    shorter = KerasSolver(build_mlp, digits, {}, epochs=4, dynamic_epochs=lambda curve: 2)
    shorter.train()
    assert len(shorter.curve) == 2 and not shorter.stopped_early


def test_augmentation_sees_every_training_batch(digits: dict[str, Any]) -> None:
    sizes: list[int] = []

    def noise(batch_x: np.ndarray) -> np.ndarray:
        sizes.append(len(batch_x))
        return batch_x + np.float32(0.01)

    KerasSolver(build_mlp, digits, {}, epochs=1, batch_size=100, augmentation=noise, seed=0).train()
    assert sum(sizes) >= 1100 and max(sizes) == 100


def test_minimizing_the_validation_loss(digits: dict[str, Any]) -> None:
    solver = KerasSolver(build_mlp, digits, {}, epochs=2, monitor="val_loss", seed=0)
    assert solver.train() == min(solver.curve)


# --- model I/O ----------------------------------------------------------------------------------------


def test_best_keras_model_is_saved_and_loaded_back(digits: dict[str, Any], tmp_path: Path) -> None:
    params = {"units": 16, "learning_rate": 0.01}
    solver = KerasSolver(
        build_mlp, digits, params, epochs=3, save_dir=tmp_path / "zoo-{random_id}", evaluate_test=True, seed=1
    )
    score = solver.train()
    save_dir = solver.model_io.save_dir
    assert save_dir is not None and save_dir.parent == tmp_path
    results = json.loads((save_dir / "results.json").read_text())
    assert results["val_accuracy"] == pytest.approx(score)
    assert results["model_size"] == 64 * 16 + 16 + 16 * 10 + 10
    assert json.loads((save_dir / "hyper_params.json").read_text()) == params

    loaded = keras.models.load_model(save_dir / "model.keras")
    x_val, y_val = digits["validation"]
    assert loaded.evaluate(x_val, y_val, return_dict=True, verbose=0)["accuracy"] == pytest.approx(
        score, abs=1e-6
    )
    x_test, y_test = digits["test"]
    test_accuracy = loaded.evaluate(x_test, y_test, return_dict=True, verbose=0)["accuracy"]
    assert solver.test_result is not None and solver.test_result["accuracy"] == pytest.approx(test_accuracy)
    assert results["test_accuracy"] == pytest.approx(test_accuracy)

    fresh = build_mlp(params)
    assert KerasModelIO(load_dir=save_dir).load_weights(fresh)
    assert fresh.evaluate(x_val, y_val, return_dict=True, verbose=0)["accuracy"] == pytest.approx(
        score, abs=1e-6
    )


def test_fine_tuning_starts_from_the_loaded_model_and_must_beat_it(
    digits: dict[str, Any], tmp_path: Path
) -> None:
    first = KerasSolver(build_mlp, digits, {"units": 16}, epochs=2, save_dir=tmp_path / "first", seed=0)
    first.train()
    frozen = {
        "units": 16,
        "learning_rate": 1e-9,
    }  # no learning: the fine-tuned run stays at the loaded accuracy
    second = KerasSolver(
        build_mlp, digits, frozen, epochs=1, load_dir=tmp_path / "first", save_dir=tmp_path / "second"
    )
    second.train()
    assert second.curve[0] == pytest.approx(first.best, abs=1e-6)
    assert not (tmp_path / "second").exists()  # it did not beat the loaded result, so nothing was saved


def test_save_accuracy_limit_keeps_weak_models_out(digits: dict[str, Any], tmp_path: Path) -> None:
    KerasSolver(build_mlp, digits, {}, epochs=1, save_dir=tmp_path / "weak", save_accuracy_limit=1.01).train()
    assert not (tmp_path / "weak").exists()


# --- TrialCallback in the user's own fit --------------------------------------------------------------


def test_trial_callback_in_a_user_fit_loop(digits: dict[str, Any]) -> None:
    trial = RecordingTrial(stop_after=2)
    callback = TrialCallback(trial, monitor="val_accuracy")
    model = build_mlp({})
    history = model.fit(
        *digits["train"], validation_data=digits["validation"], epochs=5, callbacks=[callback], verbose=0
    )
    assert len(history.history["val_accuracy"]) == 2
    assert callback.curve == pytest.approx(history.history["val_accuracy"])
    assert [step for _, step in trial.reports] == [0, 1] and callback.stopped_early


def test_trial_callback_names_a_missing_metric(digits: dict[str, Any]) -> None:
    model = build_mlp({})
    with pytest.raises(KeyError, match="'val_accuracy' is not in the epoch logs"):
        model.fit(*digits["train"], epochs=1, callbacks=[TrialCallback()], verbose=0)


# --- TF1-style graphs ---------------------------------------------------------------------------------


def softmax_graph(learning_rate: float) -> Any:
    """A TF1 softmax regression with the agreed tensor names."""
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 64], name="input")
        y = v1.placeholder(tf.int64, [None], name="label")
        w = v1.get_variable("w", [64, 10], initializer=v1.zeros_initializer())
        b = v1.get_variable("b", [10], initializer=v1.zeros_initializer())
        logits = tf.matmul(x, w) + b
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss"
        )
        tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32), name="accuracy")
        v1.train.GradientDescentOptimizer(learning_rate).minimize(loss, name="minimize")
    return graph


@pytest.fixture
def digits_data(digits: dict[str, Any]) -> Data:
    return Data(*(DataSet(*digits[name], seed=0) for name in ("train", "validation", "test")))


def test_tensorflow_solver_trains_a_graph_without_leaving_graph_mode_on(digits_data: Data) -> None:
    trial = RecordingTrial()
    solver = TensorflowSolver(
        digits_data, softmax_graph(0.5), epochs=3, batch_size=50, trial=trial, evaluate_test=True
    )
    score = solver.train()
    assert len(solver.curve) == 3 and score == max(solver.curve) > 0.85
    assert len(trial.reports) == 3
    assert solver.test_result is not None and solver.test_result["accuracy"] > 0.8
    assert tf.executing_eagerly()


def test_runner_finds_tensors_by_name_and_explains_missing_ones() -> None:
    runner = TensorflowRunner(softmax_graph(0.1))
    assert runner.model_size() == 64 * 10 + 10
    graph = tf.Graph()
    with graph.as_default():
        v1.placeholder(tf.float32, [None, 2], name="features")
    with pytest.raises(ValueError, match="no tensor named 'input' \\(the input\\); add name='input'"):
        TensorflowRunner(graph)
    with pytest.raises(TypeError, match="model must be a tf.Graph"):
        TensorflowRunner("graph")


def test_extra_feed_values_follow_the_mode() -> None:
    graph = tf.Graph()
    with graph.as_default():
        v1.placeholder(tf.float32, [None, 1], name="input")
        v1.placeholder(tf.float32, [None], name="label")
        keep = v1.placeholder_with_default(1.0, [], name="keep")
        w = v1.get_variable("w", [], initializer=v1.zeros_initializer())
        tf.identity(keep + 0.0 * w, name="accuracy")
        v1.train.GradientDescentOptimizer(0.1).minimize(w * keep, name="minimize")
    batch = (np.zeros((2, 1)), np.zeros(2))
    train_only = TensorflowRunner(graph, extra_feed={"keep": {"train": 0.5}})
    both = TensorflowRunner(graph, extra_feed={keep: {"train": 0.5, "test": 0.25}})
    with v1.Session(graph=graph) as session:
        train_only.init(session=session)
        both.init(session=session)
        train_only.run_batch(*batch)
        assert session.run(w) == pytest.approx(-0.05)  # trained with keep = 0.5: w -= 0.1 * 0.5
        assert train_only.evaluate(*batch) == {"accuracy": 1.0}  # 'test' not given: the default is used
        assert both.evaluate(*batch) == {"accuracy": 0.25}


def test_tensorflow_checkpoint_is_saved_and_fine_tuned(digits_data: Data, tmp_path: Path) -> None:
    first = TensorflowSolver(
        digits_data, softmax_graph(0.5), {"lr": 0.5}, epochs=2, batch_size=50, save_dir=tmp_path / "{date}"
    )
    score = first.train()
    save_dir = first.model_io.save_dir
    assert save_dir is not None
    assert json.loads((save_dir / "results.json").read_text())["validation_accuracy"] == pytest.approx(score)
    assert json.loads((save_dir / "hyper_params.json").read_text()) == {"lr": 0.5}
    second = TensorflowSolver(digits_data, softmax_graph(1e-12), epochs=1, batch_size=50, load_dir=save_dir)
    second.train()
    assert second.curve[0] == pytest.approx(score, abs=1e-6)


# --- seeding and the optional import --------------------------------------------------------------------


def test_seed_everything_makes_every_generator_repeat() -> None:
    import random

    def draw() -> tuple[float, float, float]:
        return random.random(), float(np.random.rand()), float(tf.random.uniform([]))

    seed_everything(11)
    first = draw()
    seed_everything(11)
    assert draw() == first
    with pytest.raises(ValueError, match="seed must be an integer in \\[0, 2\\*\\*32\\)"):
        seed_everything(-1)


def test_the_original_top_level_names_reach_the_binding() -> None:
    """`hype.TensorflowRunner` and friends, as the original exposed them, resolve lazily to the binding."""
    import hyperengine
    import hyperengine.tensorflow as binding

    assert hyperengine.TensorflowRunner is binding.TensorflowRunner
    assert hyperengine.TensorflowSolver is binding.TensorflowSolver
    assert hyperengine.KerasSolver is binding.KerasSolver
    assert hyperengine.DataSet is not None and hyperengine.BaseSolver is not None
    with pytest.raises(AttributeError, match="no attribute 'Tensorflow'"):
        hyperengine.Tensorflow  # noqa: B018 (the access itself is the test)
