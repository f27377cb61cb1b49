"""A worker process of the multi-process storage tests: runs N trials of a real objective on a shared study.

    python storage_worker.py URL STUDY N_TRIALS LOG [KILL_AT]

After each tell returns, it appends "number value" to LOG (flushed and fsynced): the values the storage was
told to have stored. KILL_AT (SQLite only) is ask|report|tell: the worker SIGKILLs itself inside the storage
transaction that creates a trial, appends an intermediate value (reports written one by one for this), or
finishes a trial with its last reports (on its third trial).
"""

from __future__ import annotations

import math
import os
import signal
import sys
import time

from hyperengine import create_study, spec

STATEMENTS = {"ask": "INSERT INTO trials", "report": "INSERT INTO intermediate", "tell": "UPDATE trials SET state"}
SPACE = {"lr": 10 ** spec.uniform(-4, -1), "width": spec.choice([16, 32, 64, 128]), "dropout": spec.uniform(0, 0.5)}


def objective(params: dict[str, float], trial: object) -> float:
    """A training-like curve: accuracy after each of 4 epochs, reported; best near lr=1e-2, width 64."""
    quality = math.exp(-(math.log10(params["lr"]) + 2) ** 2) * (1 - abs(math.log2(params["width"]) - 6) / 4)
    quality *= 1 - (params["dropout"] - 0.2) ** 2
    value = 0.0
    for epoch in range(4):
        value = quality * (1 - math.exp(-(epoch + 1) / 2))
        trial.report(value, step=epoch)  # type: ignore[attr-defined]
        time.sleep(0.005)
    return value


def main() -> None:
    url, name, n_trials, log_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    kill_at = sys.argv[5] if len(sys.argv) > 5 else None
    grace = float(os.environ.get("HYPERENGINE_TEST_GRACE", "2"))
    study = create_study(SPACE, storage=url, study_name=name, load_if_exists=True, direction="maximize",
                         heartbeat_grace=grace, busy_timeout=60,
                         report_interval=0 if kill_at == "report" else None)  # "report": each its own write
    if kill_at is not None:
        told = [0]
        needle = STATEMENTS[kill_at]

        def trace(statement: str) -> None:
            if needle in statement and told[0] >= 2:
                os.kill(os.getpid(), signal.SIGKILL)

        study.storage._connection.set_trace_callback(trace)  # type: ignore[attr-defined]
    with open(log_path, "a", encoding="utf-8") as log:
        for index in range(n_trials):
            trial = study.ask()
            value = objective(trial.params, trial)
            study.tell(trial, value)
            log.write(f"{trial.number} {value!r}\n")
            log.flush()
            os.fsync(log.fileno())
            if kill_at is not None:
                told[0] = index + 1
    study.close()


if __name__ == "__main__":
    main()
