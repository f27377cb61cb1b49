"""Quality: the best value found after each evaluation, per peer, problem and seed.

Each (peer, problem) pair has its own file out/quality/<peer>/<problem>.json, rewritten after every seed,
so a run can be stopped at any time and resumed: seeds already there (with enough evaluations) are skipped.
Tasks are ordered seed by seed, so whatever was run is balanced over peers and problems.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.adapters import make_adapter
from benchmarks.machine import environment
from benchmarks.problems import PROBLEMS
from benchmarks.storage import read_json, write_json

log = logging.getLogger("benchmarks")


def optimize(peer: str, problem_name: str, seed: int, evaluations: int, timeout: float) -> dict[str, Any]:
    """One run: every value in evaluation order, and the optimizer's own seconds (objective excluded).

    A run whose optimizer time passes `timeout` seconds stops there and is marked truncated: its values count
    for the checkpoints it reached.
    """
    problem = PROBLEMS[problem_name]
    adapter = make_adapter(peer, problem, seed)
    values: list[float] = []
    overhead = 0.0
    for _ in range(evaluations):
        if overhead > timeout:
            break
        started = time.perf_counter()
        params = adapter.ask()
        overhead += time.perf_counter() - started
        value = problem(params)
        started = time.perf_counter()
        adapter.tell(value)
        overhead += time.perf_counter() - started
        values.append(value)
    return {"values": values, "optimizer_seconds": overhead, "truncated": len(values) < evaluations}


def result_path(out: Path, peer: str, problem_name: str) -> Path:
    return out / "quality" / peer / f"{problem_name}.json"


def done_seeds(out: Path, peer: str, problem_name: str, evaluations: int) -> set[int]:
    """Seeds of this pair already run with at least `evaluations` evaluations, or stopped by the timeout."""
    payload = read_json(result_path(out, peer, problem_name))
    if payload is None:
        return set()
    return {int(seed) for seed, run in payload["runs"].items()
            if len(run["values"]) >= evaluations or run.get("truncated")}


def _task(args: tuple[str, str, int, int, float]) -> tuple[str, str, int, dict[str, Any]]:
    peer, problem_name, seed, evaluations, timeout = args
    return peer, problem_name, seed, optimize(peer, problem_name, seed, evaluations, timeout)


def _limit_threads() -> None:
    """One thread per worker process for the BLAS and torch pools, so that workers don't fight for cores."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


def run_quality(peers: list[str], problems: list[str], seeds: list[int], evaluations: int, out: Path,
                workers: int, timeout: float) -> None:
    """Run every missing (peer, problem, seed), `workers` processes at a time, saving after each run."""
    tasks = [(peer, name, seed, evaluations, timeout) for seed in seeds for peer in peers for name in problems
             if seed not in done_seeds(out, peer, name, evaluations)]
    log.info("quality: %d runs to do", len(tasks))
    if not tasks:
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_limit_threads, maxtasksperchild=20) as pool:
        for peer, name, seed, run in pool.imap_unordered(_task, tasks):
            _store(out, peer, name, seed, evaluations, run)
            best = float(np.min(run["values"])) - PROBLEMS[name].optimum
            log.info("quality %s %s seed %d: regret %.4g after %d, %.1f s", peer, name, seed, best,
                     len(run["values"]), run["optimizer_seconds"])


def _store(out: Path, peer: str, problem_name: str, seed: int, evaluations: int, run: dict[str, Any]) -> None:
    path = result_path(out, peer, problem_name)
    payload = read_json(path) or {"peer": peer, "problem": problem_name,
                                  "optimum": PROBLEMS[problem_name].optimum, "runs": {}}
    payload["runs"][str(seed)] = {**run, "evaluations": evaluations}
    payload.update(environment())
    write_json(path, payload)


def load_quality(out: Path, peers: list[str], problems: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """peer -> problem -> payload, for the files present."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for peer in peers:
        for name in problems:
            payload = read_json(result_path(out, peer, name))
            if payload is not None:
                found.setdefault(peer, {})[name] = payload
    return found
