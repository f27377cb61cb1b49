"""Store overhead and multi-worker throughput (docs/benchmarks.md, "Study storage").

  python -m benchmarks.store overhead      # one loop, every store: seconds and the ratio to in-memory
  python -m benchmarks.store throughput    # 1, 2, 4, 8, 16 worker processes on one SQLite study, 50 ms objective

The overhead loop is what a training script does: ask, report 10 epochs, tell; random strategy (so the
proposal costs nothing and the store is what is measured), then 400 trials of the GP strategy. Optuna's stores
run the same loop (ask, 10 x report, tell, RandomSampler): its in-memory storage, RDB on SQLite and
JournalFileBackend. All in one run, so the ratios compare peers measured on the same machine state.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hyperengine import create_study, spec

SPACE = {"lr": spec.uniform(-5.0, -1.0), "width": spec.choice([16, 32, 64, 128]), "dropout": spec.uniform(0, 0.5)}
EPOCHS = 10


def curve(params: dict[str, Any], epoch: int) -> float:
    return (1 - abs(params["lr"] + 3) / 4) * (1 - 0.5 ** (epoch + 1)) * (1 - params["dropout"] / 2)


def hyperengine_loop(storage: Any, n_trials: int, strategy: str) -> float:
    """Seconds for n_trials of ask / 10 reports / tell on a fresh study in `storage`."""
    study = create_study(SPACE, storage=storage, study_name="bench", strategy=strategy, seed=0)
    started = time.perf_counter()
    for _ in range(n_trials):
        trial = study.ask()
        for epoch in range(EPOCHS):
            trial.report(curve(trial.params, epoch), step=epoch)
        study.tell(trial, curve(trial.params, EPOCHS))
    elapsed = time.perf_counter() - started
    study.close()
    return elapsed


def optuna_loop(storage: Any, n_trials: int) -> float:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=0), direction="maximize")
    started = time.perf_counter()
    for _ in range(n_trials):
        trial = study.ask()
        params = {"lr": trial.suggest_float("lr", -5.0, -1.0),
                  "width": trial.suggest_categorical("width", [16, 32, 64, 128]),
                  "dropout": trial.suggest_float("dropout", 0.0, 0.5)}
        for epoch in range(EPOCHS):
            trial.report(curve(params, epoch), step=epoch)
        study.tell(trial, curve(params, EPOCHS))
    return time.perf_counter() - started


def optuna_journal(folder: Path) -> Any:
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(folder / "journal.log")))


def overhead(sizes: tuple[int, ...] = (1000, 10_000), gp_trials: int = 400, optuna_up_to: int = 1000,
             json_up_to: int = 0) -> dict[str, Any]:
    """Seconds of the loop per store and size (the JSON file only up to json_up_to trials: it rewrites the
    whole file twice per trial, 82 s at 1000 on an idle machine per issue 13)."""
    results: dict[str, Any] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            results[f"random {n}"] = _one_size(n, Path(folder), json_up_to, optuna_up_to)
    with tempfile.TemporaryDirectory() as folder:
        timings = {"hyperengine memory": hyperengine_loop(None, gp_trials, "bayesian"),
                   "hyperengine sqlite": hyperengine_loop(f"sqlite:///{Path(folder) / 'g.db'}", gp_trials, "bayesian")}
    results[f"gp {gp_trials}"] = timings
    print(json.dumps({f"gp {gp_trials}": timings}), flush=True)
    return results


def _one_size(n: int, base: Path, json_up_to: int, optuna_up_to: int) -> dict[str, float]:
    """The random-strategy loop at n trials on every store (files under `base`), printed as they finish."""
    runs: dict[str, Callable[[], float]] = {
        "hyperengine memory": lambda: hyperengine_loop(None, n, "random"),
        "hyperengine sqlite": lambda: hyperengine_loop(f"sqlite:///{base / 'h.db'}", n, "random"),
    }
    if n <= json_up_to:
        runs["hyperengine json file"] = lambda: hyperengine_loop(base / "h.json", n, "random")
    if n <= optuna_up_to:
        runs["optuna memory"] = lambda: optuna_loop(None, n)
        runs["optuna rdb sqlite"] = lambda: optuna_loop(f"sqlite:///{base / 'o.db'}", n)
        runs["optuna journal file"] = lambda: optuna_loop(optuna_journal(base), n)
    timings = {}
    for name, run in runs.items():
        timings[name] = run()
        print(f"random {n} {name}: {timings[name]:.2f} s", flush=True)
    return timings


def _worker(url: str, n_trials: int, ready: Any, go: Any) -> None:
    study = create_study(SPACE, storage=url, study_name="bench", strategy="random", load_if_exists=True)
    ready.release()
    go.wait()
    for _ in range(n_trials):
        trial = study.ask()
        time.sleep(0.05)  # the objective
        study.tell(trial, curve(trial.params, EPOCHS))
    study.close()


def throughput(workers: tuple[int, ...] = (1, 2, 4, 8, 16), trials_per_worker: int = 40) -> dict[str, Any]:
    """Trials per second of n processes on one SQLite study (random strategy, 50 ms objective)."""
    context = multiprocessing.get_context("spawn")
    results: dict[str, Any] = {}
    for n in workers:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 't.db'}"
            create_study(SPACE, storage=url, study_name="bench", strategy="random").close()
            ready, go = context.Semaphore(0), context.Event()
            processes = [context.Process(target=_worker, args=(url, trials_per_worker, ready, go)) for _ in range(n)]
            for process in processes:
                process.start()
            for _ in processes:
                ready.acquire()
            started = time.perf_counter()
            go.set()
            for process in processes:
                process.join()
            elapsed = time.perf_counter() - started
        results[str(n)] = {"seconds": elapsed, "trials_per_second": n * trials_per_worker / elapsed}
    single = results["1"]["trials_per_second"]
    for n, result in results.items():
        result["of_ideal_linear"] = result["trials_per_second"] / (int(n) * single)
    print(json.dumps(results), flush=True)
    return results


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    command = sys.argv[1] if len(sys.argv) > 1 else "overhead"
    sizes = tuple(int(size) for size in sys.argv[2:]) or (1000, 10_000)
    outcome = overhead(sizes) if command == "overhead" else throughput()
    Path("benchmarks/results/store").mkdir(parents=True, exist_ok=True)
    Path(f"benchmarks/results/store/{command}.json").write_text(json.dumps(outcome, indent=1) + "\n")
