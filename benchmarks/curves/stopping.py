"""Early stopping on real learning curves: hyperengine's default rule against Optuna's pruners (issue 15).

Every rule sees each run epoch by epoch and may stop it. The pick is the best finished run by its last value;
regret = best last value of all runs - last value of the pick; cost = epochs spent / epochs of all runs.
Optuna's MedianPruner, SuccessiveHalvingPruner and HyperbandPruner (defaults) run through `trial.report` /
`trial.should_prune` on an ask/tell study; hyperengine through `trial.report` / `trial.should_stop` on
`create_study(..., pruner="curve")`, a stopped trial told with state="pruned" (so its predicted final goes to
the GP and its partial curve to the predictor).

(a) replay: per data set, all its runs (MLP and SGD) in `--orders` seeded random orders.
(b) GP loop: per data set and model, the hyperengine GP chooses `--trials` runs from the recorded pool (its
    proposal snapped to the nearest unused recorded point of the same space), so later runs tend to be
    better; each rule drives its own loop (pruned runs reach the GP with the pruner's value: the predicted
    final for hyperengine, the last reported value for Optuna's pruners, as Optuna's samplers use it).
(c) the trade-off of hyperengine's rule as its stop_probability varies, in the replay.

    python -m benchmarks.curves.stopping           # -> benchmarks/curves/stopping_results.json
    python -m benchmarks.curves.stopping --smoke   # a tiny run (the test suite's)
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import optuna

import hyperengine
from benchmarks.curves.record_curves import SPACES
from hyperengine import spec
from hyperengine.curve.cross_run import CrossRunCurvePredictor

Array = npt.NDArray[np.float64]
PRUNERS: dict[str, Callable[[], optuna.pruners.BasePruner]] = {
    "optuna-median": optuna.pruners.MedianPruner,
    "optuna-sha": optuna.pruners.SuccessiveHalvingPruner,
    "optuna-hyperband": optuna.pruners.HyperbandPruner,
}
THRESHOLDS = (0.01, 0.05, 0.1, 0.2)


class Runner(Protocol):
    """One rule's handle on one run: report an epoch, ask whether to stop, finish."""

    def step(self, value: float, epoch: int) -> bool: ...

    def finish(self, final: float | None) -> float | None: ...


class OptunaRunner:
    """A run on an Optuna ask/tell study with a pruner; `finish(None)` tells it pruned."""

    def __init__(self, study: optuna.Study) -> None:
        self.study, self.trial = study, study.ask()

    def step(self, value: float, epoch: int) -> bool:
        self.trial.report(value, epoch)
        return bool(self.trial.should_prune())

    def finish(self, final: float | None) -> float | None:
        if final is None:
            self.study.tell(self.trial, state=optuna.trial.TrialState.PRUNED)
        else:
            self.study.tell(self.trial, final)
        return None


class HyperengineRunner:
    """A run on a hyperengine study with pruner="curve"; `finish(None)` tells it pruned (predicted final)."""

    def __init__(self, study: hyperengine.Study, trial: Any = None) -> None:
        self.study, self.trial = study, study.ask() if trial is None else trial

    def step(self, value: float, epoch: int) -> bool:
        self.trial.report(value, epoch)
        return bool(self.trial.should_stop())

    def finish(self, final: float | None) -> float | None:
        told = self.study.tell(self.trial, final, state="pruned" if final is None else None)
        return told.value


def run_curve(runner: Runner, curve: Array) -> tuple[int, bool]:
    """Replay one curve through a rule: (epochs spent, finished)."""
    for epoch, value in enumerate(curve, start=1):
        if runner.step(float(value), epoch) and epoch < len(curve):
            runner.finish(None)
            return epoch, False
    runner.finish(float(curve[-1]))
    return len(curve), True


def summary(curves: Array, spent: int, finished: list[int], best: float) -> dict[str, float]:
    """Regret of the pick (best finished by last value) and the share of epochs spent."""
    pick = max(float(curves[i, -1]) for i in finished)
    return {"regret": best - pick, "cost": spent / curves.size}


@contextmanager
def quiet() -> Iterator[None]:
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("hyperengine").setLevel(logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(level)


def make_runner(rule: str, seed: int) -> Callable[[], Runner]:
    """A factory of runs for one replay: one study per replay, one trial per run."""
    if rule in PRUNERS:
        study = optuna.create_study(direction="maximize", pruner=PRUNERS[rule](),
                                    sampler=optuna.samplers.RandomSampler(seed=seed))
        return lambda: OptunaRunner(study)
    probability = float(rule.split("@")[1]) if "@" in rule else 0.05
    he_study = hyperengine.create_study({"x": spec.uniform()}, strategy="random", seed=seed,
                                        curve_predictor=CrossRunCurvePredictor(stop_probability=probability))
    return lambda: HyperengineRunner(he_study)


def replay(curves: Array, order: npt.NDArray[np.intp], rule: str, seed: int) -> dict[str, float]:
    """One tuning run in a fixed order; rule 'none' runs everything to the end."""
    spent, finished = 0, []
    new_run = make_runner(rule, seed) if rule != "none" else None
    for index in order:
        if new_run is None:
            epochs, done = curves.shape[1], True
        else:
            epochs, done = run_curve(new_run(), curves[index])
        spent += epochs
        if done:
            finished.append(int(index))
    return summary(curves, spent, finished, float(curves[:, -1].max()))


def gp_loop(records: list[dict[str, Any]], space: dict[str, Any], rule: str, trials: int,
            seed: int) -> dict[str, float]:
    """The GP chooses `trials` runs from the pool; the rule stops them; pruned runs are told to the GP."""
    curves = np.array([r["curve"] for r in records])
    points = np.array([r["point"] for r in records])
    unused = np.ones(len(records), dtype=bool)
    predictor = CrossRunCurvePredictor() if rule == "hyperengine" else None
    study = hyperengine.create_study(space, seed=seed, curve_predictor=predictor)
    optuna_study = (optuna.create_study(direction="maximize", pruner=PRUNERS[rule](),
                                        sampler=optuna.samplers.RandomSampler(seed=seed))
                    if rule in PRUNERS else None)
    spent, finished = 0, []
    for _ in range(trials):
        trial = study.ask()
        distance = np.where(unused, np.sum((points - trial.point) ** 2, axis=1), np.inf)
        index = int(np.argmin(distance))
        unused[index] = False
        curve = curves[index]
        if rule == "none":
            epochs, done = len(curve), True
            study.tell(trial, float(curve[-1]))
        elif optuna_study is not None:
            epochs, done = run_curve(OptunaRunner(optuna_study), curve)
            for epoch, value in enumerate(curve[:epochs], start=1):
                trial.report(float(value), epoch)
            study.tell(trial, float(curve[epochs - 1]), state=None if done else "pruned")
        else:
            epochs, done = run_curve(HyperengineRunner(study, trial), curve)
        spent += epochs
        if done:
            finished.append(index)
    pick = max(float(curves[i, -1]) for i in finished)
    return {"regret": float(curves[:, -1].max()) - pick, "cost": spent / curves[~unused].size}


def mean_table(rows: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {rule: {"cost": float(np.mean([r["cost"] for r in rs])),
                   "regret": float(np.mean([r["regret"] for r in rs])),
                   "regret_max": float(np.max([r["regret"] for r in rs])),
                   "zero_regret_share": float(np.mean([r["regret"] <= 1e-12 for r in rs]))}
            for rule, rs in rows.items()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).parents[1]
    parser.add_argument("--data", type=Path, default=root / "data" / "curves_partial_fit.json")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "stopping_results.json")
    parser.add_argument("--orders", type=int, default=5, help="random orders per data set (replay)")
    parser.add_argument("--gp-seeds", type=int, default=2, help="GP loops per data set and model")
    parser.add_argument("--trials", type=int, default=30, help="runs chosen by the GP per loop")
    parser.add_argument("--datasets", nargs="+", default=None, help="only these data sets (default: all)")
    parser.add_argument("--smoke", action="store_true", help="tiny: 2 data sets, 12 runs, 1 order, 6 GP trials")
    args = parser.parse_args(argv)
    payload = json.loads(args.data.read_text())
    records: list[dict[str, Any]] = payload["curves"]
    datasets = args.datasets or list(dict.fromkeys(r["dataset"] for r in records))
    orders, gp_seeds, trials, thresholds = args.orders, args.gp_seeds, args.trials, THRESHOLDS
    if args.smoke:
        datasets, orders, gp_seeds, trials, thresholds = datasets[:2], 1, 1, 6, (0.05,)
    rules = ["none", *PRUNERS, "hyperengine"]
    start = time.perf_counter()
    report: dict[str, Any] = {"data": str(args.data.name), "replay": {}, "gp_loop": {}, "tradeoff": {}}
    with quiet():
        for dataset in datasets:
            subset = [r for r in records if r["dataset"] == dataset]
            if args.smoke:
                subset = subset[::len(subset) // 12][:12]
            curves = np.array([r["curve"] for r in subset])
            rows: dict[str, list[dict[str, float]]] = {rule: [] for rule in rules}
            trade: dict[str, list[dict[str, float]]] = {f"hyperengine@{p}": [] for p in thresholds}
            for seed in range(orders):
                order = np.random.default_rng(seed).permutation(len(curves))
                for rule in rules:
                    rows[rule].append(replay(curves, order, rule, seed))
                for name in trade:
                    trade[name].append(replay(curves, order, name, seed))
            report["replay"][dataset] = {"runs": len(curves), **mean_table(rows)}
            report["tradeoff"][dataset] = mean_table(trade)
            for model, space in SPACES.items():
                pool = [r for r in subset if r["model"] == model]
                if len(pool) < trials or gp_seeds < 1:
                    continue
                gp_rows: dict[str, list[dict[str, float]]] = {rule: [] for rule in rules}
                for seed in range(gp_seeds):
                    for rule in rules:
                        gp_rows[rule].append(gp_loop(pool, space, rule, trials, seed))
                report["gp_loop"][f"{dataset}/{model}"] = {"pool": len(pool), "trials": trials,
                                                           **mean_table(gp_rows)}
            print(f"{dataset}: {time.perf_counter() - start:.0f} s", flush=True)
    report["seconds"] = time.perf_counter() - start
    if not args.smoke:
        args.out.write_text(json.dumps(report, indent=1))
    return report

if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
