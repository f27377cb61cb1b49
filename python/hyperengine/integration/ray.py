"""hyperengine inside Ray Tune: a searcher backed by a hyperengine study, and a curve-predictor scheduler.

    from ray import tune
    from hyperengine.integration.ray import HyperengineSearch, HyperengineScheduler

    tuner = tune.Tuner(train, param_space={"lr": tune.loguniform(1e-4, 1e-1), "depth": tune.randint(2, 9)},
                       tune_config=tune.TuneConfig(search_alg=HyperengineSearch(seed=0), metric="score",
                                                   mode="max", num_samples=30, max_concurrent_trials=2))

The searcher's record is a normal hyperengine study: concurrent suggestions come from one `ask(n)`, with the
running trials fantasized (Ray issue #14770: without that, concurrent search degrades to random search);
intermediate results are reported to the trial; a trial stopped early by a scheduler is told as pruned
with the curve predictor's predicted final value and its variance.
"""

from __future__ import annotations

import logging
import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from hyperengine.curve.base import CurvePredictor
from hyperengine.curve.ensemble import EnsembleCurvePredictor
from hyperengine.spec import choice, loguniform, quniform, randint, uniform
from hyperengine.study.study import Study, create_study
from hyperengine.study.trial import Trial, TrialState

try:
    from ray.tune.schedulers import FIFOScheduler, TrialScheduler
    from ray.tune.search import Searcher
    from ray.tune.search.sample import Categorical, Domain, Float, Function, Integer, LogUniform, Quantized, Uniform
    from ray.tune.search.variant_generator import parse_spec_vars
    from ray.tune.utils.util import flatten_dict, unflatten_dict
except ImportError as missing:  # pragma: no cover - exercised only without the extra
    raise ImportError('hyperengine.integration.ray needs Ray Tune: pip install "hyperengine[ray]"') from missing

log = logging.getLogger("hyperengine")

ITERATION = "training_iteration"
Rounding = Callable[[float], Any]


def convert_search_space(param_space: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Rounding]]:
    """A Tune param_space as a flat hyperengine spec ("/"-joined keys) and the rounding applied to some values.

    Log-scale integers and quantized log floats are modelled as continuous log-uniform coordinates and rounded
    when handed to Tune, so the GP keeps their log scale. Constants are left to Tune; grid_search, sample_from
    and randn cannot be modelled and are refused.
    """
    _, domains, grids = parse_spec_vars(param_space)
    if grids:
        raise ValueError(f"param_space[{'/'.join(grids[0][0])!r}]: tune.grid_search cannot be searched by "
                         "HyperengineSearch; use tune.choice")
    space: dict[str, Any] = {}
    rounding: dict[str, Rounding] = {}
    for path, domain in domains:
        if any("/" in str(part) for part in path):
            raise ValueError(f"param_space key path {path}: '/' joins nested keys, so keys cannot contain it")
        key = "/".join(str(part) for part in path)
        space[key], round_value = _node(key, domain)
        if round_value is not None:
            rounding[key] = round_value
    return space, rounding


def _node(key: str, domain: Domain) -> tuple[Any, Rounding | None]:
    """The spec node of one Tune domain, with its rounding (None when the node's values are Tune's)."""
    sampler = domain.get_sampler()
    step = sampler.q if isinstance(sampler, Quantized) else None
    base = sampler.sampler if isinstance(sampler, Quantized) else sampler
    if isinstance(domain, Categorical) and isinstance(base, Uniform):
        return choice(list(domain.categories)), None
    if isinstance(domain, Float) and isinstance(base, Uniform):
        if step is None:
            return uniform(domain.lower, domain.upper), None
        low, high = math.ceil(domain.lower / step) * step, math.floor(domain.upper / step) * step
        return (quniform(low, high, step), None) if high > low else (choice([low]), None)
    if isinstance(domain, Float) and isinstance(base, LogUniform):
        if step is None:
            return loguniform(domain.lower, domain.upper), None
        return loguniform(domain.lower, domain.upper), _quantizer(domain.lower, domain.upper, step, float)
    if isinstance(domain, Integer) and isinstance(base, Uniform):
        if step is None or step == 1:
            return randint(domain.lower, domain.upper), None
        levels = list(range(math.ceil(domain.lower / step) * int(step), domain.upper + 1, int(step)))
        return choice(levels), None
    if isinstance(domain, Integer) and isinstance(base, LogUniform):
        if step is None or step == 1:  # upper exclusive, as in Tune
            if domain.upper - 1 <= domain.lower:
                return choice([domain.lower]), None
            return loguniform(domain.lower, domain.upper - 1), _quantizer(domain.lower, domain.upper - 1, 1, int)
        return loguniform(domain.lower, domain.upper), _quantizer(domain.lower, domain.upper, step, int)
    kind = "tune.sample_from" if isinstance(domain, Function) else f"{type(domain).__name__}({base})"
    raise ValueError(f"param_space[{key!r}]: {kind} cannot be searched by HyperengineSearch (supported: uniform, "
                     "loguniform, quniform, qloguniform, randint, qrandint, lograndint, qlograndint, choice)")


def _quantizer(low: float, high: float, step: float, cast: type) -> Rounding:
    """Rounds to the nearest multiple of step inside [low, high] (Tune's quantization), as cast."""
    first, last = math.ceil(low / step) * step, math.floor(high / step) * step

    def quantize(value: float) -> Any:
        return cast(min(max(round(value / step) * step, first), last))

    return quantize


class HyperengineSearch(Searcher):
    """A Tune searcher proposing by a hyperengine study (Bayesian strategy, compiled GP).

    space: a hyperengine spec, or None to take Tune's param_space (see convert_search_space). metric, mode:
    as for any searcher (or from TuneConfig). points_to_evaluate: configurations to run first. seed: makes
    the proposals reproducible. storage (and any future study option) and strategy_params go to create_study,
    so the record can be a study file any hyperengine tool reads. curve_predictor: predicts the final value of
    a trial a scheduler stopped (default: EnsembleCurvePredictor for an unbounded metric). A trial that ran
    fewer iterations than the longest one so far was stopped by a scheduler (Tune marks the last result
    `done` either way) and is told as pruned with that prediction.
    """

    def __init__(self, space: Any = None, metric: str | None = None, mode: str | None = None,
                 points_to_evaluate: list[dict[str, Any]] | None = None, seed: int | None = None,
                 curve_predictor: CurvePredictor | None = None, **strategy_params: Any) -> None:
        if mode not in (None, "min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        super().__init__(metric=metric, mode=mode)
        self._space = space
        self._rounding: dict[str, Rounding] = {}
        self._points = [dict(flatten_dict(point, prevent_delimiter=True)) for point in points_to_evaluate or []]
        self._seed = seed
        self._curve_predictor = curve_predictor
        self._study_params = strategy_params
        self._study: Study | None = None
        self._max_concurrent = 1
        self._live: dict[str, int] = {}  # Tune trial id -> study trial number
        self._ready: list[Trial] = []  # asked in a batch, not handed to Tune yet
        self._horizon = 0  # the most iterations any trial has reported
        if space is not None:
            self._space, self._rounding = self._as_spec(space)
            if metric is not None and mode is not None:
                self._setup()

    @staticmethod
    def _as_spec(space: Any) -> tuple[Any, dict[str, Rounding]]:
        return convert_search_space(space) if isinstance(space, dict) and _has_domains(space) else (space, {})

    @property
    def study(self) -> Study:
        """The hyperengine study behind the searcher (exists once the space, metric and mode are known)."""
        if self._study is None:
            raise RuntimeError("HyperengineSearch: the search space, metric and mode are not set yet")
        return self._study

    def _setup(self) -> None:
        predictor = self._curve_predictor or EnsembleCurvePredictor(value_range=None, seed=self._seed or 0)
        self._study = create_study(self._space, direction="maximize" if self._mode == "max" else "minimize",
                                   seed=self._seed, curve_predictor=predictor, **self._study_params)
        if self._study.trials:  # resumed from storage: the trials Tune re-runs are reopened when they report
            log.info("HyperengineSearch resumed %d trials from storage", len(self._study.trials))

    # -- Searcher ----------------------------------------------------------------------------------------------
    def set_search_properties(self, metric: str | None, mode: str | None, config: dict[str, Any],
                              **spec: Any) -> bool:
        if self._study is not None or (self._space is not None and config and _has_domains(config)):
            return False
        if metric:
            self._metric = metric
        if mode:
            if mode not in ("min", "max"):
                raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
            self._mode = mode
        if self._space is None:
            self._space, self._rounding = convert_search_space(config)
        if self._metric is None or self._mode is None:
            raise ValueError("HyperengineSearch needs metric and mode (in the searcher or in TuneConfig)")
        self._setup()
        return True

    def set_max_concurrency(self, max_concurrent: int) -> bool:
        self._max_concurrent = max(1, int(max_concurrent))
        return True

    def suggest(self, trial_id: str) -> dict[str, Any] | None:
        study = self.study
        if self._points:
            study.enqueue(self._points.pop(0))
            trial = study.ask()
        else:
            if not self._ready:
                free = self._max_concurrent - len(self._live)
                self._ready = study.ask(max(1, free))
            trial = self._ready.pop(0)
        self._live[trial_id] = trial.number
        return self._config(trial.params)

    def _config(self, params: dict[str, Any]) -> dict[str, Any]:
        flat = {key: self._rounding[key](value) if key in self._rounding else value for key, value in params.items()}
        return unflatten_dict(flat)

    def _running(self, trial_id: str) -> Trial | None:
        """The study trial of a Tune trial; None for an id it never suggested (tolerated after a restore)."""
        number = self._live.get(trial_id)
        if number is None:
            log.debug("HyperengineSearch: unknown trial id %s ignored", trial_id)
            return None
        snapshot = self.study.trials[number]
        if snapshot.state is not TrialState.RUNNING:  # interrupted, recorded as failed, and re-run by Tune
            self.study.enqueue(snapshot.params)
            trial = self.study.ask()
            self._live[trial_id] = trial.number
            return trial
        return self.study.running_trial(number)

    def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
        trial = self._running(trial_id)
        value, step = _metric_value(result, self._metric), result.get(ITERATION)
        if trial is None or value is None or not isinstance(step, int):
            return
        self._horizon = max(self._horizon, step)
        trial.report(value, step)

    def on_trial_complete(self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False) -> None:
        trial = self._running(trial_id)
        self._live.pop(trial_id, None)
        if trial is None:
            return
        if error or result is None:
            self.study.tell(trial, state=TrialState.FAILED, error="the Tune trial raised an error" if error
                            else "the Tune trial ended without a result")
            return
        value, step = _metric_value(result, self._metric), result.get(ITERATION)
        if value is not None and isinstance(step, int):
            if step not in trial.intermediate_values:  # the last result reaches only on_trial_complete
                trial.report(value, step)
            self._horizon = max(self._horizon, step)
        # Tune marks a result `done` whether the trial ended or a scheduler stopped it: the length tells them apart
        stopped_early = isinstance(step, int) and step < self._horizon
        if stopped_early and trial.intermediate_values:
            self._tell_pruned(trial)
        else:
            self.study.tell(trial, value)

    def _tell_pruned(self, trial: Trial) -> None:
        """A trial a scheduler stopped: its predicted final value and variance, not its low-fidelity value."""
        study = self.study
        predictor = study.curve_predictor
        sign = 1.0 if study.direction == "maximize" else -1.0
        prediction = predictor.predictive([sign * v for v in trial.curve]) if predictor is not None else None
        if prediction is None:
            study.tell(trial, state=TrialState.PRUNED, error="stopped early without a prediction")
            return
        mean, stdev = prediction
        study.tell(trial, sign * mean, state=TrialState.PRUNED, noise=stdev**2)

    # -- checkpoints: the study's trials, replayed into a fresh GP on restore ----------------------------------
    def get_state(self) -> dict[str, Any]:
        trials = [] if self._study is None else [
            (t.params, t.state.value, t.value, t.noise, t.error, dict(t.intermediate_values))
            for t in self._study.trials]
        return {"space": self._space, "rounding": self._rounding, "metric": self._metric, "mode": self._mode,
                "points": self._points, "seed": self._seed, "curve_predictor": self._curve_predictor,
                "study_params": self._study_params, "max_concurrent": self._max_concurrent,
                "live": dict(self._live), "horizon": self._horizon, "trials": trials,
                "ready": [t.number for t in self._ready]}

    def set_state(self, state: dict[str, Any]) -> None:
        self._space, self._rounding = state["space"], state["rounding"]
        self._metric, self._mode = state["metric"], state["mode"]
        self._points, self._seed = state["points"], state["seed"]
        self._curve_predictor, self._study_params = state["curve_predictor"], state["study_params"]
        self._max_concurrent, self._live, self._horizon = state["max_concurrent"], state["live"], state["horizon"]
        self._study, self._ready = None, []
        if self._space is None or self._metric is None or self._mode is None:
            return
        self._setup()
        if not self.study.trials:
            self._replay(state["trials"])
        trials = self.study.trials
        self._ready = [self.study.running_trial(n) for n in state["ready"] if n < len(trials)
                       and trials[n].state is TrialState.RUNNING]

    def _replay(self, trials: list[tuple[Any, ...]]) -> None:
        study = self.study
        for params, state, value, noise, error, curve in trials:
            study.enqueue(params)
            trial = study.ask()
            for step, intermediate in sorted(curve.items()):
                trial.report(intermediate, int(step))
            if state != TrialState.RUNNING.value:
                study.tell(trial, value, state=state, noise=noise, error=error)

    def __getstate__(self) -> dict[str, Any]:
        return self.get_state()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.set_state(state)

    def save(self, checkpoint_path: str) -> None:
        from ray import cloudpickle  # the spec may hold lambdas (merge nodes), which pickle cannot write

        with open(checkpoint_path, "wb") as file:
            cloudpickle.dump(self.get_state(), file)

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "rb") as file:
            self.set_state(pickle.load(file))


class HyperengineScheduler(FIFOScheduler):
    """A Tune scheduler stopping trials by hyperengine's curve predictor; works with any searcher.

    A trial is stopped when the predictor gives its final value little chance to beat the best finished
    trial (see EnsembleCurvePredictor.should_stop). metric, mode: or from TuneConfig. curve_predictor: any
    CurvePredictor (default: EnsembleCurvePredictor for an unbounded metric). It learns from every trial
    that finishes its run; a trial it stopped is not learned from (Tune marks the stopped trial's last result
    `done` too, but its curve is not a finished one).
    """

    def __init__(self, metric: str | None = None, mode: str | None = None,
                 curve_predictor: CurvePredictor | None = None) -> None:
        if mode not in (None, "min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        super().__init__()
        self._metric = metric
        self._mode = mode
        self._predictor = curve_predictor if curve_predictor is not None else EnsembleCurvePredictor(value_range=None)
        self._curves: dict[str, list[float]] = {}
        self._stopped: set[str] = set()  # ids of the trials this scheduler stopped, until Tune completes them
        self._best: float | None = None

    @property
    def curve_predictor(self) -> CurvePredictor:
        return self._predictor

    def set_search_properties(self, metric: str | None, mode: str | None, **spec: Any) -> bool:
        if (self._metric and metric and metric != self._metric) or (self._mode and mode and mode != self._mode):
            return False
        self._metric = self._metric or metric
        self._mode = self._mode or mode
        return True

    def _sign(self) -> float:
        if self._metric is None or self._mode is None:
            raise ValueError("HyperengineScheduler needs metric and mode (in the scheduler or in TuneConfig)")
        return 1.0 if self._mode == "max" else -1.0

    def on_trial_result(self, tune_controller: Any, trial: Any, result: dict[str, Any]) -> str:
        sign = self._sign()
        value = _metric_value(result, self._metric)
        if value is None:
            return TrialScheduler.CONTINUE
        curve = self._curves.setdefault(trial.trial_id, [])
        curve.append(sign * value)
        if self._predictor.should_stop(curve, self._best):
            self._stopped.add(trial.trial_id)
            return TrialScheduler.STOP
        return TrialScheduler.CONTINUE

    def on_trial_complete(self, tune_controller: Any, trial: Any, result: dict[str, Any]) -> None:
        curve = self._curves.pop(trial.trial_id, [])
        if trial.trial_id in self._stopped:  # Tune sets `done` on the result a STOP decision came from
            self._stopped.discard(trial.trial_id)
            return
        value = _metric_value(result, self._metric)
        if curve and value is not None and result.get("done", False):
            self._predictor.add_curve(curve, self._sign() * value)
            self._best = self._sign() * value if self._best is None else max(self._best, self._sign() * value)

    def on_trial_remove(self, tune_controller: Any, trial: Any) -> None:
        self._curves.pop(trial.trial_id, None)
        self._stopped.discard(trial.trial_id)

    def on_trial_error(self, tune_controller: Any, trial: Any) -> None:
        self._curves.pop(trial.trial_id, None)
        self._stopped.discard(trial.trial_id)


def _metric_value(result: dict[str, Any], metric: str | None) -> float | None:
    """The metric in a Tune result as a finite float, None when missing or not finite."""
    if metric is None or metric not in result:
        return None
    try:
        value = float(result[metric])
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def _has_domains(config: Any) -> bool:
    """True when a (nested) dict holds Tune domains or grid searches, i.e. is a Tune param_space."""
    if isinstance(config, Domain):
        return True
    if isinstance(config, dict):
        return "grid_search" in config or any(_has_domains(value) for value in config.values())
    return False


__all__ = ["HyperengineScheduler", "HyperengineSearch", "convert_search_space"]
