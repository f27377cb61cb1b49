"""Latency: the seconds one optimizer step (ask + tell) takes after n observations (d = 6, Hartmann-6's box).

For each n: feed n uniformly random points with their values through the peer's bulk import path (timed apart
as `import`: hyperengine's study.add_trials, Optuna's study.add_trials), then time a window of consecutive
ask/tell steps, as a user's loop would run them:
  cold      the first step: whatever the peer does on first use of the data (hyperengine fits its GP
            hyper-parameters from scratch; skopt fits inside tell; Optuna's GPSampler fits on every ask).
  steady    the median of the following steps: the peer's own refit policy decides what is recomputed.
  amortized (cold + (W - 1) * mean of the later steps) / W with W = max(3, n / 16): hyperengine refits once
            per n / 16 new points (its adaptive policy), so this is what a long-running loop pays per step on
            average, one refit included (in-loop refits warm-start; the cold fit does not, so this errs high).
  first ask the cold step's ask alone: how long a study resumed or imported with n results takes to suggest.
  rss       the growth of the process's resident memory over the import and the window (MiB, /proc/self/statm):
            what the peer's state at n observations holds, whatever the allocator kept from earlier runs aside.
A window stops early once `window_budget` seconds were spent after the cold step (after at least two
steps); the amortized formula keeps the cold step's weight at 1 / W regardless. A repeat is a fresh feed with another
seed; medians over repeats are reported. A peer is not run at a larger n once one of its steps took more
than `limit` seconds, or once its slowest step, scaled by (n_next / n)^2 (the least a GP step grows by),
would (skopt's untimed import alone costs more than a step there). The file is rewritten after every n.
"""

from __future__ import annotations

import functools
import logging
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.adapters import make_adapter
from benchmarks.machine import environment
from benchmarks.problems import PROBLEMS
from benchmarks.storage import read_json, write_json

log = logging.getLogger("benchmarks")

PROBLEM = "hartmann6"


def window_length(n: int, minimum: int) -> int:
    """Steps timed after n observations: one hyperengine refit interval (n / 16), at least `minimum`."""
    return max(minimum, n // 16)


def resident_mib() -> float:
    """The process's resident memory now, in MiB (Linux: /proc/self/statm; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure_once(peer: str, n: int, seed: int, steps: int, window_budget: float,
                 limit: float) -> dict[str, list[float]]:
    """Ask and tell seconds of up to `steps` consecutive steps after n random observations, the import's
    seconds and the resident memory it and the window added."""
    problem = PROBLEMS[PROBLEM]
    rng = np.random.default_rng(seed)
    history = [(params, problem(params)) for params in (problem.random_params(rng) for _ in range(n))]
    resident_before = resident_mib()
    adapter = make_adapter(peer, problem, seed)
    started = time.perf_counter()
    adapter.observe(history)
    timings: dict[str, list[float]] = {"ask": [], "tell": [], "import": [time.perf_counter() - started]}
    window_start = 0.0
    for step in range(steps):
        started = time.perf_counter()
        params = adapter.ask()
        asked = time.perf_counter()
        value = problem(params)
        told = time.perf_counter()
        adapter.tell(value)
        finished = time.perf_counter()
        timings["ask"].append(asked - started)
        timings["tell"].append(finished - told)
        if step == 0:
            window_start = finished
        if finished - started > limit or (step >= 1 and finished - window_start > window_budget):
            break
    timings["rss_mib"] = [resident_mib() - resident_before]
    return timings


def measure_peer(peer: str, sizes: list[int], repeats: int, minimum_steps: int, limit: float, budget: float,
                 window_budget: float, save: Callable[[dict[str, Any]], None]) -> None:
    """Timings per n, saved after each; repeats stop once `budget` seconds were spent at one n."""
    per_n: dict[str, Any] = {}
    skipped: list[int] = []
    slowest, previous = 0.0, 0
    for n in sizes:
        if skipped or slowest > limit or (previous and slowest * (n / previous) ** 2 > limit):
            skipped.append(n)
            save({"sizes": per_n, "skipped_sizes": skipped, "limit_seconds": limit})
            continue
        runs: list[dict[str, list[float]]] = []
        spent_from = time.perf_counter()
        for repeat in range(repeats):
            runs.append(measure_once(peer, n, 1000 * n + repeat, window_length(n, minimum_steps),
                                     window_budget, limit))
            if time.perf_counter() - spent_from > budget:
                break
        summary = summarize(runs, window_length(n, minimum_steps))
        per_n[str(n)] = summary
        slowest = max(a + t for run in runs for a, t in zip(run["ask"], run["tell"], strict=True))
        previous = n
        save({"sizes": per_n, "skipped_sizes": skipped, "limit_seconds": limit})
        log.info("latency %s n=%d: cold %.4f s, steady %s s, amortized %.4f s (%d repeats, %d steps)", peer, n,
                 summary["cold_step"], summary["steady_step"], summary["amortized_step"], len(runs),
                 len(runs[0]["ask"]))


def amortized(steps: list[float], window: int) -> float:
    """Mean step over a window of `window` steps: the cold one, then the later ones at their mean."""
    if len(steps) < 2:
        return steps[0]
    return (steps[0] + (window - 1) * statistics.fmean(steps[1:])) / window


def summarize(runs: list[dict[str, list[float]]], window: int) -> dict[str, Any]:
    """Medians over repeats of the cold, steady and amortized step, and of ask and tell apart."""
    steps = [[a + t for a, t in zip(run["ask"], run["tell"], strict=True)] for run in runs]
    steady = [s for run_steps in steps for s in run_steps[1:]]
    return {
        "repeats": len(runs),
        "window": window,
        "cold_step": statistics.median(run_steps[0] for run_steps in steps),
        "steady_step": statistics.median(steady) if steady else None,
        "amortized_step": statistics.median(amortized(run_steps, window) for run_steps in steps),
        "ask": statistics.median(t for run in runs for t in run["ask"]),
        "tell": statistics.median(t for run in runs for t in run["tell"]),
        "first_ask": statistics.median(run["ask"][0] for run in runs),
        "import": _median_of(runs, "import"),
        "rss_mib": _median_of(runs, "rss_mib"),
        "raw": runs,
    }


def _median_of(runs: list[dict[str, list[float]]], key: str) -> float | None:
    """The median over repeats of a once-per-run measurement (None in files written before it was recorded)."""
    values = [run[key][0] for run in runs if run.get(key)]
    return statistics.median(values) if values else None


def run_latency(peers: list[str], sizes: list[int], out: Path, repeats: int, minimum_steps: int, limit: float,
                budget: float, window_budget: float) -> None:
    """Measure each peer into out/latency/<peer>.json (rewritten when the peer is re-run)."""
    for peer in peers:
        log.info("latency: %s", peer)
        header = {"peer": peer, "problem": PROBLEM, "dim": PROBLEMS[PROBLEM].dim, "repeats": repeats,
                  "minimum_steps": minimum_steps, "window_budget_seconds": window_budget, **environment()}
        measure_peer(peer, sizes, repeats, minimum_steps, limit, budget, window_budget,
                     functools.partial(_save, out / "latency" / f"{peer}.json", header))


def _save(path: Path, header: dict[str, Any], result: dict[str, Any]) -> None:
    write_json(path, {**header, **result})


def load_latency(out: Path, peers: list[str]) -> dict[str, dict[str, Any]]:
    """The latency results present for these peers, summarized again from their raw timings."""
    found: dict[str, dict[str, Any]] = {}
    for peer in peers:
        payload = read_json(out / "latency" / f"{peer}.json")
        if payload is None:
            continue
        minimum = int(payload.get("minimum_steps", 3))
        payload["sizes"] = {n: summarize(entry["raw"], window_length(int(n), minimum))
                            for n, entry in payload["sizes"].items()}
        found[peer] = payload
    return found
