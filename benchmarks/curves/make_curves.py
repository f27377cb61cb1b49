"""Build the learning-curve data set: real validation-accuracy curves recorded epoch by epoch on this machine.

Each curve is one scikit-learn model (SGDClassifier, Perceptron or MLPClassifier) trained with `partial_fit`,
one pass over the shuffled training split per epoch, on a bundled data set (digits or breast cancer, offline),
under one random hyper-parameter setting. The validation accuracy after every epoch is the curve.
Everything is seeded, so the same command rebuilds the same file.

    python benchmarks/curves/make_curves.py                      # -> benchmarks/data/curves.json
    python benchmarks/curves/make_curves.py --small tests/data/curves_small.json
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

DATASETS: dict[str, Callable[..., Any]] = {"digits": load_digits, "breast_cancer": load_breast_cancer}
MODEL_SHARE = {"sgd": 0.45, "perceptron": 0.15, "mlp": 0.40}


def log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    """10**U(low, high), rounded to 3 significant digits so the params stay readable in the json."""
    return float(f"{10 ** rng.uniform(low, high):.3g}")


def draw_params(model: str, rng: np.random.Generator) -> dict[str, Any]:
    """One random hyper-parameter setting of `model` (wide ranges: good, mediocre and hopeless runs)."""
    if model == "sgd":
        return {
            "loss": str(rng.choice(["hinge", "log_loss", "modified_huber", "perceptron", "squared_hinge"])),
            "penalty": str(rng.choice(["l2", "l1", "elasticnet"])),
            "alpha": log_uniform(rng, -6, -1),
            "learning_rate": str(rng.choice(["optimal", "constant", "invscaling", "adaptive"])),
            "eta0": log_uniform(rng, -5, -0.5),
            "scale": bool(rng.random() < 0.7),
        }
    if model == "perceptron":
        return {
            "penalty": str(rng.choice(["l2", "l1", "elasticnet"])),
            "alpha": log_uniform(rng, -6, -2),
            "eta0": log_uniform(rng, -4, 0),
            "scale": bool(rng.random() < 0.7),
        }
    return {
        "hidden": int(rng.choice([4, 8, 16, 32, 64])),
        "activation": str(rng.choice(["relu", "tanh", "logistic"])),
        "solver": str(rng.choice(["adam", "sgd"])),
        "learning_rate_init": log_uniform(rng, -4.5, -1),
        "alpha": log_uniform(rng, -6, -1),
        "batch_size": int(rng.choice([16, 64, 256])),
        "scale": True,
    }


def build_model(model: str, params: dict[str, Any], seed: int) -> Any:
    """The scikit-learn estimator for one setting (the `scale` flag is handled by the caller)."""
    kw = {k: v for k, v in params.items() if k != "scale"}
    if model == "sgd":
        return SGDClassifier(random_state=seed, **kw)
    if model == "perceptron":
        return Perceptron(random_state=seed, **kw)
    return MLPClassifier(
        hidden_layer_sizes=(kw.pop("hidden"),), random_state=seed, momentum=0.9, **kw)


def record_curve(dataset: str, model: str, params: dict[str, Any], epochs: int, seed: int) -> list[float]:
    """Train epoch by epoch with partial_fit and return the validation accuracy after each epoch."""
    x, y = DATASETS[dataset](return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    if params["scale"]:
        scaler = StandardScaler().fit(x_train)
        x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    estimator = build_model(model, params, seed)
    classes = np.unique(y)
    order_rng = np.random.default_rng(seed)
    curve = []
    for _ in range(epochs):
        order = order_rng.permutation(len(x_train))
        estimator.partial_fit(x_train[order], y_train[order], classes=classes)
        curve.append(round(float(estimator.score(x_val, y_val)), 6))
    return curve


def build(n_curves: int, epochs: int, seed: int) -> list[dict[str, Any]]:
    """`n_curves` curves, half per data set, models drawn by MODEL_SHARE, all from one seeded generator."""
    rng = np.random.default_rng(seed)
    models = list(MODEL_SHARE)
    shares = np.array(list(MODEL_SHARE.values()))
    records = []
    for index in range(n_curves):
        dataset = list(DATASETS)[index % len(DATASETS)]
        model = str(rng.choice(models, p=shares))
        params = draw_params(model, rng)
        run_seed = int(rng.integers(2**31))
        with warnings.catch_warnings():
            # Unscaled data and huge step sizes overflow on purpose: such hopeless runs are part of the data.
            warnings.simplefilter("ignore", category=RuntimeWarning)
            warnings.simplefilter("ignore", category=ConvergenceWarning)
            curve = record_curve(dataset, model, params, epochs, run_seed)
        records.append({"id": index, "dataset": dataset, "model": model, "seed": run_seed,
                        "params": params, "curve": curve})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--curves", type=int, default=240, help="number of curves (default 240)")
    parser.add_argument("--epochs", type=int, default=40, help="epochs per curve (default 40)")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "data" / "curves.json")
    parser.add_argument("--small", type=Path, default=None,
                        help="also write a 40-curve subset (every 6th curve) here, for the tests")
    args = parser.parse_args()
    start = time.perf_counter()
    records = build(args.curves, args.epochs, args.seed)
    header = {
        "description": "validation accuracy per epoch of scikit-learn partial_fit runs "
                       "(benchmarks/curves/make_curves.py)",
        "command": f"python benchmarks/curves/make_curves.py --curves {args.curves} --epochs {args.epochs} "
                   f"--seed {args.seed}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**header, "curves": records}, separators=(",", ":")))
    if args.small is not None:
        args.small.parent.mkdir(parents=True, exist_ok=True)
        small = {**header, "subset": "every 6th curve of benchmarks/data/curves.json", "curves": records[::6]}
        args.small.write_text(json.dumps(small, separators=(",", ":")))
    print(f"{len(records)} curves x {args.epochs} epochs in {time.perf_counter() - start:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
