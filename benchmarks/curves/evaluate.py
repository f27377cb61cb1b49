"""Measure the learning-curve predictors on the real curves of benchmarks/data/curves.json.

(a) Prediction error of the final value (the last epoch's validation accuracy) after k epochs, on a
    seeded held-out half of the curves. LinearCurvePredictor learns from the other half;
    EnsembleCurvePredictor alone (past_weight=0) needs no past curves; "ensemble+past" is its default,
    mixed with the linear model over the other half. "last value" is the naive baseline.
(b) Simulated tuning: per data set, every curve is one trial, replayed in a seeded random order. After each
    epoch the predictor may stop the trial (against the best final value of the finished trials); a
    stopped trial costs the epochs it ran. Compared with running every trial to the end: epochs spent and
    the best final accuracy found.

    python benchmarks/curves/evaluate.py        # writes benchmarks/curves/results.json and prints it
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hyperengine.curve import CurvePredictor, EnsembleCurvePredictor, LinearCurvePredictor
from hyperengine.curve.posterior import CurvePosterior

Array = npt.NDArray[np.float64]


def load(path: Path) -> tuple[Array, list[str]]:
    records = json.loads(path.read_text())["curves"]
    return np.array([r["curve"] for r in records]), [r["dataset"] for r in records]


def prediction_errors(curves: Array, ks: list[int], seed: int, samples: int) -> dict[str, Any]:
    """MAE, median error, +-2 std coverage and time per call of each predictor after k epochs."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(curves))
    train, test = curves[order[: len(curves) // 2]], curves[order[len(curves) // 2:]]
    linear = LinearCurvePredictor(burn_in=10, min_input_size=2)
    for curve in train:
        linear.add_curve(curve)
    alone = EnsembleCurvePredictor(max_epochs=curves.shape[1], min_input_size=2, n_samples=samples,
                                   past_weight=0.0)
    mixed = EnsembleCurvePredictor(max_epochs=curves.shape[1], min_input_size=2, n_samples=samples)
    for curve in train:
        mixed.add_curve(curve)
    results: dict[str, Any] = {}
    for k in ks:
        row: dict[str, Any] = {}
        for name, predictor in (("linear", linear), ("ensemble", alone), ("ensemble+past", mixed)):
            errors, z, seconds = [], [], []
            for curve in test:
                start = time.perf_counter()
                mean, std = predictor.predictive(curve[:k]) or (np.nan, np.nan)
                seconds.append(time.perf_counter() - start)
                errors.append(abs(mean - curve[-1]))
                z.append((curve[-1] - mean) / std)
            row[name] = {"mae": float(np.mean(errors)), "median": float(np.median(errors)),
                         "coverage_2std": float(np.mean(np.abs(z) < 2)),
                         "ms_per_call": 1e3 * float(np.median(seconds))}
        row["last_value"] = {"mae": float(np.mean(np.abs(test[:, k - 1] - test[:, -1])))}
        results[str(k)] = row
    return results


def replay(curves: Array, order: npt.NDArray[np.intp],
           stop: Callable[[int, int, float | None], bool] | None,
           on_finish: Callable[[Array], None] | None = None, min_epochs: int = 3) -> dict[str, Any]:
    """One simulated tuning run; stop(curve index, epochs seen, best so far) decides early stopping."""
    best: float | None = None
    epochs = 0
    best_stopped = False
    true_best = int(np.argmax(curves[:, -1]))
    for index in order:
        length = curves.shape[1]
        ran = length
        if stop is not None:
            for seen in range(min_epochs, length):
                if stop(int(index), seen, best):
                    ran = seen
                    break
        epochs += ran
        if ran < length:
            best_stopped = best_stopped or curves[index, -1] >= curves[true_best, -1]
            continue
        final = float(curves[index, -1])
        best = final if best is None else max(best, final)
        if on_finish is not None:
            on_finish(curves[index])
    return {"epochs": epochs, "best_final": best, "best_stopped": best_stopped}


class MemoEnsemble(EnsembleCurvePredictor):
    """The ensemble predictor with an unbounded memo of its per-curve part, shared across replays.

    That part depends only on the curve prefix (it is seeded), so the memo changes no decision; it only
    avoids recomputing the same prefixes for every seed.
    """

    def __init__(self, memo: dict[tuple[float, ...], CurvePosterior | None], **params: Any) -> None:
        super().__init__(**params)
        self._memo = memo

    def _curve_posterior(self, array: Array, horizon: int) -> CurvePosterior | None:
        key = tuple(array.tolist())
        if key not in self._memo:
            self._memo[key] = super()._curve_posterior(array, horizon)
        return self._memo[key]


def tuning(curves: Array, datasets: list[str], seeds: int, samples: int, stop_probability: float,
           min_epochs: int) -> dict[str, Any]:
    """Simulated tuning runs per data set and seed: no stopping, the linear and the ensemble predictors."""
    names = np.array(datasets)
    out: dict[str, Any] = {}
    for dataset in dict.fromkeys(datasets):
        subset = curves[names == dataset]
        memo: dict[tuple[float, ...], CurvePosterior | None] = {}
        runs: dict[str, list[dict[str, Any]]] = {"none": [], "linear": [], "ensemble": [], "ensemble+past": []}
        for seed in range(seeds):
            order = np.random.default_rng(seed).permutation(len(subset))
            runs["none"].append(replay(subset, order, None))
            predictors: dict[str, CurvePredictor] = {
                "linear": LinearCurvePredictor(burn_in=10, min_input_size=min_epochs),
                "ensemble": MemoEnsemble(memo, max_epochs=subset.shape[1], min_input_size=min_epochs,
                                         stop_probability=stop_probability, n_samples=samples, past_weight=0.0),
                "ensemble+past": MemoEnsemble(memo, max_epochs=subset.shape[1], min_input_size=min_epochs,
                                              stop_probability=stop_probability, n_samples=samples)}
            for name, predictor in predictors.items():

                def stop(index: int, seen: int, best: float | None, data: Array = subset,
                         chosen: CurvePredictor = predictor) -> bool:
                    return chosen.should_stop(data[index, :seen], best)

                runs[name].append(replay(subset, order, stop, predictor.add_curve, min_epochs))
        full = runs["none"][0]["epochs"]
        out[dataset] = {
            name: {"epochs_mean": float(np.mean([r["epochs"] for r in rs])),
                   "epoch_saving_factor": full / float(np.mean([r["epochs"] for r in rs])),
                   "best_final_mean": float(np.mean([r["best_final"] for r in rs])),
                   "best_final_min": float(np.min([r["best_final"] for r in rs])),
                   "runs_where_a_best_curve_was_stopped": int(sum(r["best_stopped"] for r in rs))}
            for name, rs in runs.items()}
        out[dataset]["trials"] = len(subset)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).parents[1]
    parser.add_argument("--data", type=Path, default=root / "data" / "curves.json")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.json")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--samples", type=int, default=200, help="ensemble draws per family")
    parser.add_argument("--stop-probability", type=float, default=0.05)
    parser.add_argument("--min-epochs", type=int, default=3)
    args = parser.parse_args()
    curves, datasets = load(args.data)
    start = time.perf_counter()
    report = {
        "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
        "prediction": prediction_errors(curves, [3, 5, 10], seed=0, samples=args.samples),
        "tuning": tuning(curves, datasets, args.seeds, args.samples, args.stop_probability, args.min_epochs),
    }
    report["seconds"] = time.perf_counter() - start
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
