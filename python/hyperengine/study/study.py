"""The ask/tell study: a spec, a strategy and the record of every trial.

    study = hyperengine.create_study(space, direction="minimize", seed=0)
    trial = study.ask()                   # trial.params: the instantiated spec
    study.tell(trial, objective(trial.params))
    study.optimize(objective, n_trials=50)

Values are turned into "larger is better" before they reach the strategy, so every strategy maximizes.
"""

from __future__ import annotations

import copy
import logging
import math
import numbers
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from hypercore import _core
from hyperengine.bayesian.portfolio import BayesianPortfolioStrategy
from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.strategy import BaseStrategy, BayesianStrategy
from hyperengine.curve.base import CurvePredictor
from hyperengine.persistence import CorruptStateError
from hyperengine.spec.parsed import ParsedSpec
from hyperengine.study.progress import ProgressBar
from hyperengine.study.signature import takes_trial
from hyperengine.study.storage import JsonStudyStorage
from hyperengine.study.trial import Trial, TrialPruned, TrialState

log = logging.getLogger("hyperengine")

DIRECTIONS = ("maximize", "minimize")
STRATEGIES = ("bayesian", "portfolio", "random")
Objective = Callable[..., Any]


class Study:
    """Trials of one search space, proposed by a strategy. See create_study for the parameters."""

    def __init__(self, space: Any, direction: str = "maximize", strategy: str | BaseStrategy = "bayesian",
                 seed: int | None = None, curve_predictor: CurvePredictor | None = None,
                 storage: str | os.PathLike[str] | None = None, **strategy_params: Any) -> None:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
        _check_seed(seed)
        self._parsed = space if isinstance(space, ParsedSpec) else ParsedSpec(space)
        if self._parsed.size() == 0:
            raise ValueError(f"space: a spec with at least one search dimension (spec.uniform, spec.choice, ...) is "
                             f"needed, got {space!r}")
        self._direction = direction
        self._sign = 1.0 if direction == "maximize" else -1.0
        self._dimensions = self._parsed.dimensions()
        self._strategy = self._make_strategy(strategy, seed, strategy_params)
        self._curve_predictor = curve_predictor
        self._trials: list[Trial] = []
        self._queue: deque[Any] = deque()
        self._storage = JsonStudyStorage(storage) if storage is not None else None
        if self._storage is not None and self._storage.exists():
            self._restore(self._storage.load(direction, self._dimensions))

    # -- construction ---------------------------------------------------------------------------------------
    def _make_strategy(self, strategy: str | BaseStrategy, seed: int | None,
                       params: dict[str, Any]) -> BaseStrategy:
        if isinstance(strategy, BaseStrategy):
            if params:
                raise ValueError(f"strategy parameters {sorted(params)} given with a strategy instance")
            if strategy.dim != self._parsed.size():
                raise ValueError(f"the strategy has {strategy.dim} dimensions, the spec has {self._parsed.size()}")
            return strategy
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES} or a BaseStrategy, got {strategy!r}")
        sampler = DefaultSampler(seed=seed)
        sampler.add_uniform(self._parsed.size())
        common: dict[str, Any] = {
            "dimensions": self._dimensions, "encode": self._encode, "seed": seed,
            "names": [dim.name for dim in self._dimensions]}
        if strategy == "random":
            return BayesianStrategy(sampler, utility_gen="rand", burn_in=0, **common, **params)
        if strategy == "portfolio":
            return BayesianPortfolioStrategy(sampler, **common, **params)
        return BayesianStrategy(sampler, **common, **params)

    def _encode(self, point: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The GP input of a point: inactive coordinates of a conditional space fixed at 0.5."""
        active = self._parsed.active(point)
        if active.all():
            return point
        encoded = point.copy()
        encoded[~active] = 0.5
        return encoded

    def _restore(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            point = np.asarray(record["point"], dtype=np.float64)
            params = record["params"] if record["params"] is not None else self._parsed.instantiate(point)
            trial = Trial(number=len(self._trials), params=params, point=point, _study=self)
            trial.state = TrialState(record["state"])
            trial.value = record["value"]
            trial.noise = float(record.get("noise") or 0.0)
            trial.error = record["error"]
            trial.intermediate_values = {int(k): float(v) for k, v in record["intermediate_values"].items()}
            trial.datetime_start = datetime.fromisoformat(record["datetime_start"])
            if record["datetime_complete"]:
                trial.datetime_complete = datetime.fromisoformat(record["datetime_complete"])
            if trial.state is TrialState.RUNNING:
                # The process that asked for it ended before telling: its result is lost, not its record.
                trial.state = TrialState.FAILED
                trial.error = "interrupted: the process ended before the trial was told"
            self._trials.append(trial)
            self._feed(trial)
        log.info("Resumed %d trials from %s", len(self._trials), self._storage.path if self._storage else "")

    # -- properties -----------------------------------------------------------------------------------------
    @property
    def direction(self) -> str:
        return self._direction

    @property
    def parsed_spec(self) -> ParsedSpec:
        return self._parsed

    @property
    def strategy(self) -> BaseStrategy:
        return self._strategy

    @property
    def curve_predictor(self) -> CurvePredictor | None:
        return self._curve_predictor

    @property
    def trials(self) -> list[Trial]:
        """Every trial, in the order they were asked."""
        return list(self._trials)

    @property
    def best_trial(self) -> Trial:
        """The complete trial with the best value."""
        complete = [t for t in self._trials if t.state is TrialState.COMPLETE]
        if not complete:
            raise ValueError("no trial is complete yet")
        return max(complete, key=lambda t: self._sign * float(t.value))  # type: ignore[arg-type]

    @property
    def best_value(self) -> float:
        return float(self.best_trial.value)  # type: ignore[arg-type]

    @property
    def best_params(self) -> Any:
        return self.best_trial.params

    # -- ask / tell -----------------------------------------------------------------------------------------
    def ask(self, n: int | None = None) -> Any:
        """A new trial, or a list of n trials to evaluate in parallel (diverse: the running ones are fantasized)."""
        count = 1 if n is None else n
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"ask: n must be a positive integer, got {n!r}")
        trials: list[Trial] = []
        while self._queue and len(trials) < count:
            params = self._queue.popleft()
            trials.append(self._new_trial(self._parsed.to_unit(params), params))
        remaining = count - len(trials)
        if remaining:
            running = [t.point for t in self._trials if t.state is TrialState.RUNNING]
            pending = np.array(running + [t.point for t in trials]).reshape(-1, self._parsed.size())
            for point in self._strategy.next_proposals(remaining, pending=pending if len(pending) else None):
                point = np.clip(np.asarray(point, dtype=np.float64), 0.0, 1.0)
                trials.append(self._new_trial(point, self._parsed.instantiate(point)))
        self._save()
        return trials[0] if n is None else trials

    def _new_trial(self, point: npt.NDArray[np.float64], params: Any) -> Trial:
        trial = Trial(number=len(self._trials), params=params, point=point, _study=self)
        self._trials.append(trial)
        return trial

    def tell(self, trial: Trial | int, value: float | None = None, state: str | TrialState | None = None,
             error: str | None = None, noise: float = 0.0) -> Trial:
        """Finish a trial. A NaN/inf/None value, or state='failed', records it as failed (never fed to the GP);
        state='pruned' with a value (the predicted final one, `noise` its variance) feeds the GP with that noise.
        `trial` is a Trial or a trial number (0 .. len(trials) - 1). state='failed' takes no value (ValueError:
        a failure has no result), and a pruned trial's value is a finite number or None.
        """
        trial = self._told_trial(trial)
        if trial._study is not self:
            raise ValueError(f"trial {trial.number} does not belong to this study")
        if trial.state is not TrialState.RUNNING:
            raise ValueError(f"trial {trial.number} is already {trial.state.value}")
        if not (math.isfinite(noise) and noise >= 0):
            raise ValueError(f"tell: noise must be a finite non-negative variance, got {noise!r}")
        target = TrialState(state) if state is not None else TrialState.COMPLETE
        if target is TrialState.RUNNING:
            raise ValueError("tell: state cannot be 'running'")
        numeric = _as_number(value)
        if target is TrialState.FAILED and value is not None:
            raise ValueError(f"tell: a failed trial has no value, got value={value!r} with state='failed' (give "
                             f"state='complete' for a result, or no value for a failure)")
        if target is TrialState.PRUNED and value is not None and numeric is None:
            raise ValueError(f"tell: a pruned trial's value (its predicted final value) must be a finite number or "
                             f"None, got {value!r}")
        trial.datetime_complete = datetime.now()
        if target is TrialState.FAILED or (target is TrialState.COMPLETE and numeric is None):
            trial.state = TrialState.FAILED
            trial.error = error or f"the objective returned {value!r}, not a finite number"
            log.warning("Trial %d failed: %s", trial.number, trial.error)
        else:
            trial.state = target
            trial.value = numeric
            trial.noise = noise
            trial.error = error
        self._feed(trial)
        if (trial.state is TrialState.COMPLETE and trial.value is not None and self._curve_predictor is not None
                and trial.intermediate_values):
            self._curve_predictor.add_curve([self._sign * v for v in trial.curve], self._sign * trial.value)
        self._save()
        return trial

    def _told_trial(self, trial: Any) -> Trial:
        """The Trial that tell() was given, or the one with that number."""
        if isinstance(trial, Trial):
            return trial
        if isinstance(trial, bool) or not isinstance(trial, numbers.Integral):
            raise TypeError(f"tell: trial must be a Trial or a trial number, got {type(trial).__name__} {trial!r}")
        number = int(trial)
        if not 0 <= number < len(self._trials):
            raise ValueError(f"tell: there is no trial number {trial} in this study (its trials are numbered 0 to "
                             f"{len(self._trials) - 1})" if self._trials else
                             f"tell: there is no trial number {trial}: the study has no trials yet")
        return self._trials[number]

    def _feed(self, trial: Trial) -> None:
        """Give a finished trial with a value to the strategy (as a value to maximize)."""
        if trial.state in (TrialState.COMPLETE, TrialState.PRUNED) and trial.value is not None:
            try:
                self._strategy.add_point(trial.point, self._sign * trial.value, trial.noise)
            except _core.LinAlgError as failure:  # the GP keeps its previous points; the trial stays recorded
                log.warning("Trial %d could not be added to the GP: %s", trial.number, failure)

    def _should_stop(self, trial: Trial) -> bool:
        if self._curve_predictor is None or not trial.intermediate_values:
            return False
        best = [self._sign * t.value for t in self._trials if t.state is TrialState.COMPLETE and t.value is not None]
        curve = self._oriented_curve(trial)
        return bool(self._curve_predictor.should_stop(curve, max(best) if best else None))

    def _oriented_curve(self, trial: Trial) -> list[float]:
        """The trial's curve as the predictor sees it (larger is better), checked against its value range."""
        curve = [self._sign * v for v in trial.curve]
        bounds = getattr(self._curve_predictor, "value_range", None)
        if bounds is not None and not all(bounds[0] <= v <= bounds[1] for v in curve):
            hint = (" For direction='minimize' the predictor sees -value: give it value_range=(-high, -low), or None "
                    "for an unbounded metric." if self._sign < 0 else "")
            raise ValueError(f"trial {trial.number}: reported values fall outside the curve predictor's value_range "
                             f"{tuple(bounds)}.{hint}")
        return curve

    def _pruned_value(self, trial: Trial) -> tuple[float | None, float]:
        """The predicted final value of a stopped trial and its variance, or (None, 0) without a prediction."""
        if self._curve_predictor is None or not trial.intermediate_values:
            return None, 0.0
        prediction = self._curve_predictor.predictive(self._oriented_curve(trial))
        if prediction is None:
            return None, 0.0
        mean, stdev = prediction
        return self._sign * mean, stdev**2

    def enqueue(self, params: Any) -> None:
        """Evaluate these hyper-parameters next (a configuration shaped like the spec's instances)."""
        self._parsed.to_unit(params)  # validates now rather than at ask time
        self._queue.append(copy.deepcopy(params))

    def add_trial(self, params: Any, value: float) -> Trial:
        """Import a known result (warm start): a complete trial with these hyper-parameters and value."""
        numeric = _as_number(value)
        if numeric is None:
            raise ValueError(f"add_trial: value must be a finite number, got {value!r}")
        trial = self._new_trial(self._parsed.to_unit(params), copy.deepcopy(params))
        return self.tell(trial, numeric)

    def _save(self) -> None:
        if self._storage is not None:
            self._storage.save(self._direction, self._dimensions, self._trials)

    # -- the loop -------------------------------------------------------------------------------------------
    def optimize(self, func: Objective, n_trials: int | None = None, timeout: float | None = None,
                 catch: Iterable[type[BaseException]] | type[BaseException] = (Exception,),
                 callbacks: Sequence[Callable[[Study, Trial], None]] = (),
                 show_progress_bar: bool = False) -> None:
        """Run func(params) (or func(params, trial)) for n_trials trials or until timeout seconds have passed.

        A trial whose func raises one of `catch` is recorded as failed and the study goes on; other
        exceptions are recorded, then re-raised. TrialPruned, or returning after trial.should_stop() said
        True, records the trial as pruned with the curve predictor's predicted final value.
        """
        if n_trials is None and timeout is None:
            raise ValueError("optimize: give n_trials, timeout or both")
        if n_trials is not None and (isinstance(n_trials, bool) or not isinstance(n_trials, numbers.Integral)):
            raise TypeError(f"optimize: n_trials must be an int, got {type(n_trials).__name__} {n_trials!r}")
        if n_trials is not None and n_trials < 0:
            raise ValueError(f"optimize: n_trials must be non-negative, got {n_trials}")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)):
            raise TypeError(f"optimize: timeout must be a number of seconds, got {type(timeout).__name__}")
        if timeout is not None and not timeout > 0:
            raise ValueError(f"optimize: timeout must be a positive number of seconds, got {timeout!r}")
        caught = tuple(catch) if isinstance(catch, Iterable) else (catch,)
        wrong = [kind for kind in caught if not (isinstance(kind, type) and issubclass(kind, BaseException))]
        if wrong:
            raise TypeError(f"optimize: catch must hold exception classes, got {wrong[0]!r}")
        call = _objective_caller(func)
        started = time.monotonic()
        done = 0
        with ProgressBar(n_trials, timeout, enabled=show_progress_bar) as progress:
            while n_trials is None or done < n_trials:
                if timeout is not None and time.monotonic() - started >= timeout:
                    break
                trial = self.ask()
                self._run(call, trial, caught)
                done += 1
                progress.update(self, trial)
                for callback in callbacks:
                    callback(self, trial)

    def _run(self, call: Callable[[Trial], Any], trial: Trial, caught: tuple[type[BaseException], ...]) -> None:
        try:
            value = call(trial)
        except TrialPruned:
            self._finish_pruned(trial)
            return
        except BaseException as failure:
            self.tell(trial, state=TrialState.FAILED,
                      error="".join(traceback.format_exception_only(type(failure), failure)).strip())
            if not isinstance(failure, caught):
                raise
            return
        if trial.stop_requested and _as_number(value) is not None:
            self._finish_pruned(trial)  # the objective returned early because should_stop() said so
            return
        self.tell(trial, value)

    def _finish_pruned(self, trial: Trial) -> None:
        value, variance = self._pruned_value(trial)
        self.tell(trial, value, state=TrialState.PRUNED, noise=variance,
                  error=None if value is not None else "stopped early without a prediction")


def _check_seed(seed: Any) -> None:
    """A seed is None or an integer in [0, 2**63) (numpy's generators and the compiled core take it)."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be between 0 and 2**63 - 1, got {seed}")


def _as_number(value: Any) -> float | None:
    """A finite float, or None for None/NaN/inf/non-numbers."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _objective_caller(func: Objective) -> Callable[[Trial], Any]:
    """func(params) or func(params, trial) (see takes_trial; *args takes the trial too)."""
    if takes_trial(func, through_varargs=True):
        return lambda trial: func(trial.params, trial)
    return lambda trial: func(trial.params)


def create_study(space: Any, direction: str = "maximize", strategy: str | BaseStrategy = "bayesian",
                 seed: int | None = None, curve_predictor: CurvePredictor | None = None,
                 storage: str | os.PathLike[str] | None = None, **strategy_params: Any) -> Study:
    """A study over `space` (a spec). direction: 'maximize' | 'minimize'. strategy: 'bayesian' (default),
    'portfolio', 'random' or a BaseStrategy; strategy_params go to it (utility_gen, burn_in, kernel_gen, ...).
    seed makes the proposals reproducible. curve_predictor enables trial.should_stop(). storage: a JSON file
    saved after every ask and tell; an existing one is resumed (an error if it belongs to another spec).
    """
    return Study(space, direction=direction, strategy=strategy, seed=seed, curve_predictor=curve_predictor,
                 storage=storage, **strategy_params)


__all__ = ["CorruptStateError", "Study", "TrialPruned", "create_study"]
