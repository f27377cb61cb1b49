"""The original's tuning loop: HyperTuner(spec, solver_generator, **strategy_params).tune(), on a study."""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from hyperengine.study.progress import ProgressBar
from hyperengine.study.signature import takes_trial
from hyperengine.study.study import Study
from hyperengine.study.trial import Trial, TrialState

log = logging.getLogger("hyperengine")


class Solver(Protocol):
    def train(self) -> float: ...


class HyperTuner:
    """Asks the strategy for hyper-parameters, builds a solver with solver_generator(params) (or
    solver_generator(params, trial), to report epochs and stop early), trains it (train() returns the score to
    maximize), tells the result, logs the top 5 and calls solver.terminate().

    strategy_params: 'strategy' ('bayesian' | 'portfolio' | 'random'), 'max_points' (trials to run, default
    unlimited), 'timeout' (the original's pause in seconds between trials), 'time_budget' (stop after this many
    seconds), 'progress' (a progress bar, default True), 'seed', 'curve_predictor', 'storage'; everything else
    goes to the strategy (utility_gen, burn_in, io_save_dir, ...).
    """

    def __init__(self, hyper_params_spec: Any, solver_generator: Any, **strategy_params: Any) -> None:
        params = dict(strategy_params)
        self._max_points: int | None = params.pop("max_points", None)
        self._pause: float = params.pop("timeout", 0) or 0
        self._time_budget: float | None = params.pop("time_budget", None)
        self._progress: bool = params.pop("progress", True)
        self._solver_generator = solver_generator
        self._pass_trial = takes_trial(solver_generator, through_varargs=False)
        self._study = Study(hyper_params_spec, direction="maximize", strategy=params.pop("strategy", "bayesian"),
                            **params)

    @property
    def study(self) -> Study:
        return self._study

    def tune(self) -> Study:
        """Run until max_points trials are done or the time budget is spent (forever if neither is set)."""
        log.info("Start hyper tuner")
        started = time.monotonic()
        count = 0
        with ProgressBar(self._max_points, self._time_budget, enabled=self._progress) as progress:
            while self._max_points is None or count < self._max_points:
                if self._time_budget is not None and time.monotonic() - started >= self._time_budget:
                    break
                trial = self._study.ask()
                self._run(trial)
                count += 1
                progress.update(self._study, trial)
                self._log_top()
                if self._pause:
                    time.sleep(self._pause)
        return self._study

    def _run(self, trial: Trial) -> None:
        log.info("Trial %d: %s", trial.number, trial.params)
        solver = None
        try:
            generator = self._solver_generator
            solver = generator(trial.params, trial) if self._pass_trial else generator(trial.params)
            value = solver.train()
        except Exception as failure:  # a failed trial is recorded and the tuning goes on
            log.exception("Trial %d failed", trial.number)
            self._study.tell(trial, state=TrialState.FAILED, error=f"{type(failure).__name__}: {failure}")
            return
        finally:
            terminate = getattr(solver, "terminate", None)
            if callable(terminate):
                terminate()
        self._study.tell(trial, value)

    def _log_top(self, count: int = 5) -> None:
        complete = [t for t in self._study.trials if t.state is TrialState.COMPLETE]
        top = sorted(complete, key=lambda t: t.value, reverse=True)[:count]  # type: ignore[arg-type,return-value]
        if top:
            lines = "\n".join(f"  {t.value:.6f} <- {t.params}" for t in top)
            log.info("Top %d of %d trials:\n%s", len(top), len(self._study.trials), lines)
