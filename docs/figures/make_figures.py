"""Draw the figures of docs/visualization.md from real studies: `python docs/figures/make_figures.py [DIR]`.

Every study is seeded, so the pictures are reproducible; PNGs go to DIR (default: this folder).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import hyperengine  # noqa: E402
from hyperengine import spec, visualization  # noqa: E402
from hyperengine.curve import EnsembleCurvePredictor  # noqa: E402

DPI = 80
MIXED_SPACE = {
    "learning_rate": 10 ** spec.uniform(-4, -1),
    "units": spec.quniform(32, 256, 32),
    "activation": spec.choice(["relu", "tanh", "elu"]),
    "optimizer": spec.choice([{"name": "sgd", "momentum": spec.uniform(0.0, 0.99)}, {"name": "adam"}]),
    "dropout": spec.uniform(0.0, 0.5),  # the objective below ignores it
}


def x_sin_x(params: dict[str, float]) -> float:
    """The original's 1-D picture: f(x) = x sin(x) on [-10, 10]."""
    return params["x"] * math.sin(params["x"])


def rational(params: dict[str, float]) -> float:
    """The original's 2-D picture: (x + y) / ((x - 1)^2 - sin(y) + 2) on [0, 9]^2."""
    x, y = params["x"], params["y"]
    return (x + y) / ((x - 1) ** 2 - math.sin(y) + 2)


def validation_accuracy(params: dict[str, Any]) -> float:
    """A made-up accuracy surface over MIXED_SPACE: best near lr 3e-3, 160 units, tanh, sgd with momentum 0.9."""
    momentum = params["optimizer"].get("momentum", 0.85)
    return (0.95 - 0.04 * (math.log10(params["learning_rate"]) + 2.5) ** 2 - ((params["units"] - 160) / 400) ** 2
            + (0.02 if params["activation"] == "tanh" else 0.0) - 0.05 * (momentum - 0.9) ** 2)


def sine_study(trials: int, seed: int = 0) -> hyperengine.Study:
    study = hyperengine.create_study({"x": spec.uniform(-10, 10)}, direction="maximize", seed=seed)
    study.optimize(x_sin_x, n_trials=trials)
    return study


def rational_study(trials: int, seed: int = 0) -> hyperengine.Study:
    study = hyperengine.create_study({"x": spec.uniform(0, 9), "y": spec.uniform(0, 9)}, direction="maximize",
                                     seed=seed)
    study.optimize(rational, n_trials=trials)
    return study


def mixed_study(trials: int) -> hyperengine.Study:
    study = hyperengine.create_study(MIXED_SPACE, direction="maximize", seed=0)
    study.optimize(validation_accuracy, n_trials=trials)
    return study


def curves_study(trials: int) -> hyperengine.Study:
    """Learning curves that rise towards validation_accuracy; the ensemble predictor stops the hopeless ones."""
    epochs = 20
    study = hyperengine.create_study(MIXED_SPACE, direction="maximize", seed=1,
                                     curve_predictor=EnsembleCurvePredictor(max_epochs=epochs, seed=0))

    def train(params: dict[str, Any], trial: hyperengine.Trial) -> float:
        final = validation_accuracy(params)
        speed = 2.0 + 10.0 * (math.log10(params["learning_rate"]) + 4) / 3
        accuracy = 0.0
        for epoch in range(epochs):
            accuracy = 0.1 + (final - 0.1) * (1 - math.exp(-(epoch + 1) / speed))
            trial.report(accuracy, epoch)
            if trial.should_stop():
                break
        return accuracy

    study.optimize(train, n_trials=trials)
    return study


def timeline_study() -> hyperengine.Study:
    """Batches of three trials run side by side, with a failure, to show the lanes."""
    study = hyperengine.create_study({"x": spec.uniform(-10, 10)}, direction="maximize", seed=3)
    for _ in range(4):
        batch = study.ask(3)
        for index, trial in enumerate(batch):
            time.sleep(0.05 + 0.05 * index)
            value = x_sin_x(trial.params)
            study.tell(trial, None if trial.number == 5 else value)
    return study


FIGURES: dict[str, Callable[[], Figure]] = {
    "slice_x_sin_x": lambda: visualization.plot_gp_slice(sine_study(12)),
    "acquisition_x_sin_x": lambda: visualization.plot_acquisition(sine_study(12)),
    "contour_rational": lambda: visualization.plot_gp_contour(rational_study(30)),
    "history_seeds": lambda: visualization.plot_optimization_history([rational_study(25, seed) for seed in range(5)]),
    "slice_mixed": lambda: visualization.plot_gp_slice(mixed_study(30)),
    "importances": lambda: visualization.plot_param_importances(mixed_study(30)),
    "parallel": lambda: visualization.plot_parallel_coordinate(mixed_study(30)),
    "curves": lambda: visualization.plot_intermediate_values(curves_study(24)),
    "timeline": lambda: visualization.plot_timeline(timeline_study()),
}


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, draw in FIGURES.items():
        figure = draw()
        figure.savefig(folder / f"{name}.png", dpi=DPI)
        plt.close(figure)
        print(f"wrote {folder / name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
