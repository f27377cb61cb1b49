"""The ``hyperengine demo``: tune a small Keras network on scikit-learn's bundled digits (no download).

The study searches the learning rate (log-uniform), the hidden layer sizes, the activation and the dropout;
each trial reports its validation accuracy after every epoch, and a learning-curve predictor stops trials
that will not beat the best one. At the end the best configuration is trained once more and evaluated on
the held-out test set. Needs the extras ``tensorflow`` and ``examples`` (scikit-learn).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tqdm import tqdm

from hyperengine import spec

SPACE: dict[str, Any] = {
    "learning_rate": 10 ** spec.uniform(-4, -1),
    "hidden": [spec.choice([16, 32, 64, 128]), spec.choice([0, 16, 32, 64])],
    "activation": spec.choice(["relu", "elu", "tanh"]),
    "dropout": spec.uniform(0.0, 0.5),
}


def load_digits_data(seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Digits (1797 8x8 images, 10 classes) scaled to [0, 1] and split 1000 / 400 / 397 after a shuffle."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError("the demo needs scikit-learn: pip install 'hyperengine[examples]'") from error
    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(x))
    x = (x[order] / 16.0).astype("float32")
    y = y[order]
    return {
        "train": (x[:1000], y[:1000]),
        "validation": (x[1000:1400], y[1000:1400]),
        "test": (x[1400:], y[1400:]),
    }


def build_model(params: dict[str, Any]) -> Any:
    """A compiled MLP for 64 inputs and 10 classes: hidden layers of ``params['hidden']`` units (0 = no layer)."""
    import keras

    layers: list[Any] = [keras.Input((64,))]
    for units in params["hidden"]:
        if units:
            layers += [
                keras.layers.Dense(units, activation=params["activation"]),
                keras.layers.Dropout(params["dropout"]),
            ]
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.Adam(params["learning_rate"]),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _describe(params: dict[str, Any]) -> str:
    return (
        f"lr={params['learning_rate']:.2e} hidden={list(params['hidden'])} "
        f"activation={params['activation']} dropout={params['dropout']:.2f}"
    )


def main(trials: int = 15, epochs: int = 10, seed: int = 0, verbose: bool = True) -> Any:
    """Run the demo study and return it; prints one line per trial and the final test accuracy."""
    import hyperengine
    from hyperengine.curve import LinearCurvePredictor
    from hyperengine.tensorflow import KerasSolver

    data = load_digits_data(seed)
    predictor = LinearCurvePredictor(burn_in=3, min_input_size=max(1, epochs // 3))
    study = hyperengine.create_study(SPACE, direction="maximize", seed=seed, curve_predictor=predictor)

    def objective(params: dict[str, Any], trial: Any) -> float:
        solver = KerasSolver(
            build_model, data, params, epochs=epochs, batch_size=64, trial=trial, seed=seed + trial.number
        )
        score = solver.train()
        if verbose:
            stopped = f" (stopped after {len(solver.curve)} epochs)" if solver.stopped_early else ""
            tqdm.write(f"trial {trial.number:2d}: val_accuracy={score:.4f}{stopped}  {_describe(params)}")
        return score

    study.optimize(objective, n_trials=trials, show_progress_bar=verbose)
    final = KerasSolver(
        build_model, data, study.best_params, epochs=epochs, batch_size=64, evaluate_test=True, seed=seed
    )
    final.train()
    if verbose:
        assert final.test_result is not None
        print(f"best: val_accuracy={study.best_value:.4f}  {_describe(study.best_params)}")
        print(f"best configuration retrained: test_accuracy={final.test_result['accuracy']:.4f}", flush=True)
    return study
