"""Regret past the exact GP's limit: the subset model against an exact GP on the same imported data.

    python -m benchmarks.subset_quality --problems hartmann6 ackley5 --seeds 3 --imported 1500 --steps 40

Each run imports `imported` uniformly random results (study.add_trials), then takes `steps` ask/tell steps;
the regret is the best value after them minus the optimum. `subset` is the default study (an exact GP on 512
selected points past 1000 observations), `exact` the same study with exact_limit above the run's size. Both
see the same imported points (the same seed); the seconds are the mean ask + tell of a step.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

import numpy as np

from benchmarks.adapters.hyperengine_study import HyperengineAdapter
from benchmarks.problems import PROBLEMS


def run(problem_name: str, seed: int, imported: int, steps: int, exact: bool) -> tuple[float, float]:
    """(regret, mean seconds per step) of one run."""
    problem = PROBLEMS[problem_name]
    rng = np.random.default_rng(10_000 + seed)
    history = [(params, problem(params)) for params in (problem.random_params(rng) for _ in range(imported))]
    options = {"exact_limit": imported + steps + 1} if exact else {}
    adapter = HyperengineAdapter(problem, seed, **options)
    adapter.observe(history)
    best = min(value for _, value in history)
    started = time.perf_counter()
    for _ in range(steps):
        value = problem(adapter.ask())
        adapter.tell(value)
        best = min(best, value)
    return best - problem.optimum, (time.perf_counter() - started) / steps


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=["hartmann6"])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    parser.add_argument("--imported", type=int, default=1500)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args(argv)
    print(f"imported {args.imported} random results, then {args.steps} steps; regret mean ± s.e. over "
          f"{args.seeds} seeds, seconds per step\n")
    print("| problem | subset regret | exact regret | subset s/step | exact s/step |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in args.problems:
        cells = []
        seconds = []
        for exact in (False, True):
            runs = [run(name, seed, args.imported, args.steps, exact) for seed in range(args.seeds)]
            regrets = [r for r, _ in runs]
            error = statistics.stdev(regrets) / len(regrets) ** 0.5 if len(regrets) > 1 else 0.0
            cells.append(f"{statistics.fmean(regrets):.3g} ± {error:.2g}")
            seconds.append(f"{statistics.fmean(s for _, s in runs):.3f}")
        print(f"| {name} | {cells[0]} | {cells[1]} | {seconds[0]} | {seconds[1]} |", flush=True)


if __name__ == "__main__":
    main()
