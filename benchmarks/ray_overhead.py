"""Ray Tune overhead per trial: HyperengineSearch against Tune's BasicVariantGenerator, in the same run.

    python -m benchmarks.ray_overhead --trials 60 --repeats 2

A trivial trainable (one report of a closed-form value over 4 parameters) isolates what the searcher adds:
for each searcher, the wall time of a `Tuner.fit()` of `trials` trials (max_concurrent_trials=2, a local Ray
with 2 CPUs) divided by `trials`, and the time spent inside the searcher's own calls (suggest,
on_trial_result, on_trial_complete). Medians over repeats, run alternately so load changes hit both.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import ray
from ray import tune
from ray.tune.search import BasicVariantGenerator, Searcher

from hyperengine.integration.ray import HyperengineSearch

SPACE = {"x": tune.uniform(-2, 2), "y": tune.loguniform(1e-3, 1), "n": tune.randint(1, 9), "c": tune.choice("abc")}


def trainable(config: dict[str, Any]) -> None:
    tune.report({"loss": config["x"] ** 2 + config["y"] + config["n"] / 8 + (config["c"] != "b")})


class Timed(Searcher):
    """Wraps a searcher and sums the seconds spent in its calls."""

    def __init__(self, inner: Any) -> None:
        super().__init__(metric="loss", mode="min")
        self.inner, self.seconds = inner, 0.0

    def _timed(self, name: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return getattr(self.inner, name)(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict[str, Any],
                              **spec: Any) -> bool:
        return bool(self._timed("set_search_properties", metric, mode, config, **spec))

    def set_max_concurrency(self, max_concurrent: int) -> bool:
        return bool(self._timed("set_max_concurrency", max_concurrent))

    def suggest(self, trial_id: str) -> Any:
        return self._timed("suggest", trial_id)

    def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
        self._timed("on_trial_result", trial_id, result)

    def on_trial_complete(self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False) -> None:
        self._timed("on_trial_complete", trial_id, result, error)


def one_run(searcher: str, trials: int, seed: int) -> dict[str, float]:
    if searcher == "hyperengine":
        timed: Searcher | None = Timed(HyperengineSearch(seed=seed))
        search_alg: Any = timed
    else:
        timed, search_alg = None, BasicVariantGenerator(random_state=seed)
    with tempfile.TemporaryDirectory() as folder:
        config = tune.TuneConfig(search_alg=search_alg, metric="loss", mode="min", num_samples=trials,
                                 max_concurrent_trials=2, reuse_actors=True)
        started = time.perf_counter()
        tune.Tuner(trainable, param_space=SPACE, tune_config=config,
                   run_config=tune.RunConfig(storage_path=folder, verbose=0)).fit()
        wall = time.perf_counter() - started
    inside = timed.seconds if isinstance(timed, Timed) else float("nan")
    return {"wall_per_trial": wall / trials, "searcher_per_trial": inside / trials}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ray_overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        runs: dict[str, list[dict[str, float]]] = {"basic": [], "hyperengine": []}
        for repeat in range(args.repeats):
            for searcher in runs:
                runs[searcher].append(one_run(searcher, args.trials, repeat))
    finally:
        ray.shutdown()
    summary = {searcher: {key: statistics.median(run[key] for run in results) for key in results[0]}
               for searcher, results in runs.items()}
    summary["overhead_per_trial"] = {
        "seconds": summary["hyperengine"]["wall_per_trial"] - summary["basic"]["wall_per_trial"],
        "ratio": summary["hyperengine"]["wall_per_trial"] / summary["basic"]["wall_per_trial"]}
    print(json.dumps({"trials": args.trials, "repeats": args.repeats, **summary}, indent=2))


if __name__ == "__main__":
    main()
