"""Record the issue-15 learning-curve set: scikit-learn partial_fit runs on four bundled data sets, 30 epochs.

Per data set (digits, breast_cancer, wine, iris) and model (MLPClassifier, SGDClassifier), `--runs` random
points of the model's search space (`SPACES`, a hyperengine spec) are trained epoch by epoch with
`partial_fit` (one shuffled pass over the training split per epoch); the validation accuracy after each
epoch is the curve. Each record keeps its unit-cube point, so a benchmark can let the GP choose runs from
this pool (benchmarks/curves/pool.py). Seeded: the same command rebuilds the same file.

    python benchmarks/curves/record_curves.py      # -> benchmarks/data/curves_partial_fit.json
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
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from hyperengine import spec

DATASETS: dict[str, Callable[..., Any]] = {"digits": load_digits, "breast_cancer": load_breast_cancer,
                                           "wine": load_wine, "iris": load_iris}

SPACES: dict[str, dict[str, Any]] = {
    "mlp": {"learning_rate_init": 10 ** spec.uniform(-4.5, -0.5), "alpha": 10 ** spec.uniform(-6, -1),
            "hidden": spec.choice([4, 8, 16, 32, 64, 128]), "batch_size": spec.choice([16, 32, 64, 128, 256]),
            "solver": spec.choice(["adam", "sgd"]), "activation": spec.choice(["relu", "tanh", "logistic"])},
    "sgd": {"loss": spec.choice(["hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron"]),
            "penalty": spec.choice(["l2", "l1", "elasticnet"]), "alpha": 10 ** spec.uniform(-7, -1),
            "learning_rate": spec.choice(["optimal", "constant", "invscaling", "adaptive"]),
            "eta0": 10 ** spec.uniform(-5, 0), "scale": spec.choice([False, True])},
}


def build_model(model: str, params: dict[str, Any], seed: int) -> Any:
    """The estimator for one point of SPACES[model]."""
    if model == "mlp":
        kw = {k: v for k, v in params.items() if k != "hidden"}
        return MLPClassifier(hidden_layer_sizes=(params["hidden"],), momentum=0.9, random_state=seed, **kw)
    return SGDClassifier(random_state=seed, **{k: v for k, v in params.items() if k != "scale"})


def record_curve(dataset: str, model: str, params: dict[str, Any], epochs: int, seed: int) -> list[float]:
    """Train epoch by epoch with partial_fit; the validation accuracy after each epoch."""
    x, y = DATASETS[dataset](return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    if params.get("scale", True):
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


def build(runs: int, epochs: int, seed: int) -> list[dict[str, Any]]:
    """`runs` curves per (data set, model), each at a uniformly drawn unit point of the model's space."""
    rng = np.random.default_rng(seed)
    records: list[dict[str, Any]] = []
    for dataset in DATASETS:
        for model, space in SPACES.items():
            parsed = spec.ParsedSpec(space)
            for _ in range(runs):
                point = rng.random(parsed.size())
                params = parsed.instantiate(point)
                run_seed = int(rng.integers(2**31))
                with warnings.catch_warnings():
                    # Unscaled data and huge steps overflow on purpose: hopeless runs are part of the data.
                    warnings.simplefilter("ignore", category=RuntimeWarning)
                    warnings.simplefilter("ignore", category=ConvergenceWarning)
                    warnings.simplefilter("ignore", category=UserWarning)  # batch_size clipped on iris
                    curve = record_curve(dataset, model, params, epochs, run_seed)
                records.append({"id": len(records), "dataset": dataset, "model": model, "seed": run_seed,
                                "point": [round(float(u), 6) for u in point], "params": params, "curve": curve})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60, help="curves per data set and model (default 60)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "data" / "curves_partial_fit.json")
    args = parser.parse_args()
    start = time.perf_counter()
    records = build(args.runs, args.epochs, args.seed)
    header = {"description": "validation accuracy per epoch of scikit-learn partial_fit runs at random points "
                             "of SPACES (benchmarks/curves/record_curves.py)",
              "command": f"python benchmarks/curves/record_curves.py --runs {args.runs} --epochs {args.epochs} "
                         f"--seed {args.seed}"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**header, "curves": records}, separators=(",", ":")))
    print(f"{len(records)} curves x {args.epochs} epochs in {time.perf_counter() - start:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
