"""Error and calibration of the final-value prediction after k epochs: CrossRunCurvePredictor vs the original
LinearCurvePredictor, on both curve sets (issue 15).

Per data set of a curve file, a seeded half of the curves is learned from and the other half predicted from
its first k epochs. Error: mean absolute error of the point prediction (the linear model's expected value;
the cross-run mixture's median, the point forecast for absolute error, and its mean). Coverage: share of
held-out finals inside the central 90 % interval (5 % and 95 % quantiles of the mixture; the linear model's
Gaussian mean +- 1.645 std).

    python -m benchmarks.curves.prediction      # -> benchmarks/curves/prediction_results.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hyperengine.curve import LinearCurvePredictor
from hyperengine.curve.cross_run import CrossRunCurvePredictor

Array = npt.NDArray[np.float64]
Z90 = 1.6448536269514722


def evaluate(curves: Array, ks: tuple[int, ...], seed: int = 0) -> dict[str, Any]:
    """Errors and 90 % coverage of both predictors after each k, learned on a seeded half."""
    order = np.random.default_rng(seed).permutation(len(curves))
    train, test = curves[order[: len(curves) // 2]], curves[order[len(curves) // 2:]]
    linear = LinearCurvePredictor(burn_in=10, min_input_size=1)
    cross = CrossRunCurvePredictor(max_epochs=curves.shape[1])
    for curve in train:
        linear.add_curve(curve)
        cross.add_curve(curve)
    finals = test[:, -1]
    out: dict[str, Any] = {"train": len(train), "test": len(test)}
    for k in ks:
        gaussian = np.array([linear.predictive(curve[:k]) for curve in test])
        posteriors = [cross.posterior(curve[:k]) for curve in test]
        assert all(p is not None for p in posteriors)
        median = np.array([p.quantile(0.5) for p in posteriors if p is not None])
        mean = np.array([p.mean_std()[0] for p in posteriors if p is not None])
        low = np.array([p.quantile(0.05) for p in posteriors if p is not None])
        high = np.array([p.quantile(0.95) for p in posteriors if p is not None])
        linear_mae = float(np.mean(np.abs(gaussian[:, 0] - finals)))
        cross_mae = float(np.mean(np.abs(median - finals)))
        out[str(k)] = {
            "linear_mae": linear_mae, "cross_run_mae_median": cross_mae,
            "cross_run_mae_mean": float(np.mean(np.abs(mean - finals))), "ratio": cross_mae / linear_mae,
            "linear_coverage90": float(np.mean(np.abs(finals - gaussian[:, 0]) <= Z90 * gaussian[:, 1])),
            "cross_run_coverage90": float(np.mean((low <= finals) & (finals <= high))),
            "cross_run_interval_width": float(np.mean(high - low))}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data = Path(__file__).parents[1] / "data"
    parser.add_argument("--data", type=Path, nargs="+",
                        default=[data / "curves_partial_fit.json", data / "curves.json"])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "prediction_results.json")
    parser.add_argument("--k", type=int, nargs="+", default=[1, 3, 5, 10])
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    for path in args.data:
        records = json.loads(path.read_text())["curves"]
        names = [r["dataset"] for r in records]
        every = np.array([r["curve"] for r in records])
        sets = {name: every[np.array(names) == name] for name in dict.fromkeys(names)} | {"all": every}
        report[path.name] = {name: evaluate(curves, tuple(args.k)) for name, curves in sets.items()}
    args.out.write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
