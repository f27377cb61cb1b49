"""The original README's nested search space driving a small Keras CNN on scikit-learn's digits.

The spec nests dictionaries and lists: optimizer settings, per-layer filter counts, the activation, the
down-sampling method, residual connections and the dropout keep-probability. The filter ranges are those of
the README divided by four, because the digits are 8x8 images and the example must run on a laptop CPU.
Run:

    python examples/keras_cnn_nested_spec.py --trials 10 --epochs 5
"""

from __future__ import annotations

import argparse
from typing import Any

import hyperengine
from hyperengine import spec
from hyperengine.demo import load_digits_data
from hyperengine.tensorflow import KerasSolver

SPACE = {
    "optimizer": {
        "learning_rate": 10 ** spec.uniform(-3, -1),  # log-uniform over [0.001, 0.1]
        "epsilon": 1e-8,  # constants pass through
    },
    "conv": {
        "filters": [
            [3, 3, spec.choice(range(8, 12))],
            [3, 3, spec.choice(range(16, 24))],
            [3, 3, spec.choice(range(32, 48))],
        ],
        "activation": spec.choice(["relu", "prelu", "elu"]),
        "down_sample": {"size": [2, 2], "pooling": spec.choice(["max_pool", "avg_pool"])},
        "residual": spec.random_bool(),
        "dropout": spec.uniform(0.75, 1.0),  # the keep probability, as in the original
    },
}


def build_cnn(params: dict[str, Any]) -> Any:
    """Conv blocks of ``[height, width, filters]``, each optionally residual, then down-sampled."""
    import keras

    conv = params["conv"]
    pooling = {"max_pool": keras.layers.MaxPooling2D, "avg_pool": keras.layers.AveragePooling2D}
    inputs = keras.Input((8, 8, 1))
    x = inputs
    for height, width, filters in conv["filters"]:
        y = keras.layers.Conv2D(filters, (height, width), padding="same")(x)
        y = (
            keras.layers.PReLU()(y)
            if conv["activation"] == "prelu"
            else keras.layers.Activation(conv["activation"])(y)
        )
        if conv["residual"]:
            y = keras.layers.Add()(
                [y, keras.layers.Conv2D(filters, 1)(x)]
            )  # a 1x1 projection matches channels
        x = pooling[conv["down_sample"]["pooling"]](pool_size=tuple(conv["down_sample"]["size"]))(y)
        x = keras.layers.Dropout(1.0 - conv["dropout"])(x)
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    optimizer = keras.optimizers.Adam(
        params["optimizer"]["learning_rate"], epsilon=params["optimizer"]["epsilon"]
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main(trials: int = 10, epochs: int = 5, seed: int = 0, verbose: bool = True) -> Any:
    """Run the study; returns it."""
    data = {name: (x.reshape(-1, 8, 8, 1), y) for name, (x, y) in load_digits_data(seed).items()}
    study = hyperengine.create_study(SPACE, direction="maximize", seed=seed)

    def objective(params: dict[str, Any], trial: Any) -> float:
        solver = KerasSolver(
            build_cnn, data, params, epochs=epochs, batch_size=64, trial=trial, seed=seed + trial.number
        )
        score = solver.train()
        if verbose:
            conv = params["conv"]
            print(
                f"trial {trial.number:2d}: val_accuracy={score:.4f}  lr={params['optimizer']['learning_rate']:.2e} "
                f"filters={[f[2] for f in conv['filters']]} {conv['activation']} {conv['down_sample']['pooling']} "
                f"residual={conv['residual']} keep={conv['dropout']:.2f}",
                flush=True,
            )
        return score

    study.optimize(objective, n_trials=trials)
    if verbose:
        print(f"best: val_accuracy={study.best_value:.4f}")
    return study


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    main(arguments.trials, arguments.epochs, arguments.seed)
