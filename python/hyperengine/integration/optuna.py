"""hyperengine inside Optuna: a sampler driven by the compiled GP and a pruner driven by the curve predictor.

    import optuna
    from hyperengine.integration.optuna import HyperengineSampler, HyperenginePruner

    study = optuna.create_study(sampler=HyperengineSampler(seed=0), pruner=HyperenginePruner())

The sampler works on Optuna's intersection search space: each distribution becomes one unit-cube coordinate
of the GP (a float a continuous one, on the log scale when `log=True`; a stepped float or an int an integer
one with one level per value, a log int a continuous log-scale one rounded back; a categorical a categorical
one). Parameters outside that space (define-by-run) come from an independent sampler. The surrogate is kept
between trials and only the trials it has not seen yet are added, so a trial costs one GP update plus one
acquisition search, not a rebuild.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.strategy import BayesianStrategy
from hyperengine.curve.base import CurvePredictor
from hyperengine.curve.ensemble import EnsembleCurvePredictor
from hyperengine.spec.dimension import Dimension, DimensionKind

try:
    import optuna
    from optuna.distributions import (
        BaseDistribution,
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )
    from optuna.pruners import BasePruner
    from optuna.samplers import BaseSampler, RandomSampler
    from optuna.search_space import IntersectionSearchSpace
    from optuna.trial import FrozenTrial, TrialState
except ImportError as missing:  # pragma: no cover - exercised only without the extra
    raise ImportError('hyperengine.integration.optuna needs Optuna: pip install "hyperengine[optuna]"') from missing

if TYPE_CHECKING:
    from optuna.study import Study

# The unit-cube point a running trial was given, so other workers (threads or processes on one storage) see
# it as pending before its parameters are all set.
_POINT_ATTR = "hyperengine:point"


@dataclass(frozen=True)
class _Coordinate:
    """How one Optuna distribution maps to a unit-cube coordinate and back."""

    name: str
    distribution: BaseDistribution

    def dimension(self) -> Dimension:
        dist = self.distribution
        if isinstance(dist, CategoricalDistribution):
            return Dimension(self.name, DimensionKind.CATEGORICAL, len(dist.choices))
        if isinstance(dist, IntDistribution) and not dist.log:
            return Dimension(self.name, DimensionKind.INTEGER, (dist.high - dist.low) // dist.step + 1)
        if isinstance(dist, FloatDistribution) and dist.step is not None:
            return Dimension(self.name, DimensionKind.INTEGER, self._float_levels())
        return Dimension(self.name, DimensionKind.CONTINUOUS, 0)

    def _float_levels(self) -> int:
        dist = self.distribution
        assert isinstance(dist, FloatDistribution) and dist.step is not None
        return int(round((dist.high - dist.low) / dist.step)) + 1

    def _log_bounds(self) -> tuple[float, float]:
        """The log-scale interval of a log distribution (an int's widened by half a step on each side)."""
        dist = self.distribution
        assert isinstance(dist, FloatDistribution | IntDistribution)
        if isinstance(dist, IntDistribution):
            return math.log(dist.low - 0.5 if dist.low > 0.5 else dist.low), math.log(dist.high + 0.5)
        return math.log(dist.low), math.log(dist.high)

    def encode(self, value: Any) -> float:
        """The coordinate of an external value: discrete levels at their centres."""
        dist = self.distribution
        if isinstance(dist, CategoricalDistribution):
            return (dist.to_internal_repr(value) + 0.5) / len(dist.choices)
        assert isinstance(dist, FloatDistribution | IntDistribution)
        if dist.low == dist.high:
            return 0.5
        kind = self.dimension().kind
        if kind is DimensionKind.INTEGER:
            levels = self.dimension().levels
            step = dist.step if dist.step is not None else 1
            return (round((value - dist.low) / step) + 0.5) / levels
        if dist.log:
            low, high = self._log_bounds()
            return float(np.clip((math.log(value) - low) / (high - low), 0.0, 1.0))
        return float((value - dist.low) / (dist.high - dist.low))

    def decode(self, unit: float) -> Any:
        """The external value at a coordinate: always inside the distribution, an int for an int."""
        dist = self.distribution
        unit = float(np.clip(unit, 0.0, 1.0))
        if isinstance(dist, CategoricalDistribution):
            return dist.choices[min(int(unit * len(dist.choices)), len(dist.choices) - 1)]
        assert isinstance(dist, FloatDistribution | IntDistribution)
        kind = self.dimension().kind
        if kind is DimensionKind.INTEGER:
            levels = self.dimension().levels
            level = min(int(unit * levels), levels - 1)
            if isinstance(dist, IntDistribution):
                return int(dist.low + level * dist.step)
            return float(min(dist.low + level * dist.step, dist.high))  # type: ignore[operator]
        if dist.log:
            low, high = self._log_bounds()
            value = math.exp(low + unit * (high - low))
        else:
            value = dist.low + unit * (dist.high - dist.low)
        if isinstance(dist, IntDistribution):
            return int(min(max(round(value), dist.low), dist.high))
        return float(min(max(value, dist.low), dist.high))


@dataclass
class _Surrogate:
    """The strategy of one study and one search space, with the trials it has learned from."""

    study: str
    space: dict[str, BaseDistribution]
    coordinates: list[_Coordinate]
    strategy: BayesianStrategy
    curves: CurvePredictor
    seen: set[int] = field(default_factory=set)

    def point(self, params: dict[str, Any]) -> npt.NDArray[np.float64]:
        return np.array([coordinate.encode(params[coordinate.name]) for coordinate in self.coordinates])

    def params(self, point: npt.NDArray[np.float64]) -> dict[str, Any]:
        return {coordinate.name: coordinate.decode(unit) for coordinate, unit in zip(self.coordinates, point,
                                                                                     strict=True)}


class HyperengineSampler(BaseSampler):
    """An Optuna sampler proposing by hyperengine's Bayesian strategy (compiled GP, log-EI by default).

    seed: makes a sequential study reproducible. n_startup_trials: space-filling design points before the GP
    (default: the strategy's burn-in, d + 6 at most 10). strategy_params go to BayesianStrategy (utility_gen,
    kernel_gen, fantasy, output_transform, ...). independent_sampler: for define-by-run parameters outside the
    intersection search space (default RandomSampler(seed)). A pruned trial with intermediate values is learned
    from with the curve predictor's prediction of its final value (its variance as noise); a failed trial, or
    a pruned one without a prediction, is not. Single-objective studies only; Optuna's `constraints_func` is
    not supported (both refused with a ValueError).
    """

    def __init__(self, seed: int | None = None, n_startup_trials: int | None = None, *,
                 independent_sampler: BaseSampler | None = None, **strategy_params: Any) -> None:
        if "constraints_func" in strategy_params:
            raise ValueError("constraints_func: HyperengineSampler does not support constrained optimization")
        if n_startup_trials is not None and (isinstance(n_startup_trials, bool)
                                             or not isinstance(n_startup_trials, int) or n_startup_trials < 0):
            raise ValueError(f"n_startup_trials must be a non-negative integer or None, got {n_startup_trials!r}")
        for reserved in ("dimensions", "encode", "seed", "names", "burn_in", "io_save_dir", "io_load_dir"):
            if reserved in strategy_params:
                raise ValueError(f"{reserved}: set by HyperengineSampler, not a strategy parameter to pass")
        self._seed = seed
        self._n_startup_trials = n_startup_trials
        self._strategy_params = strategy_params
        self._independent = independent_sampler if independent_sampler is not None else RandomSampler(seed=seed)
        self._search_space = IntersectionSearchSpace()
        self._surrogate: _Surrogate | None = None
        self._lock = threading.Lock()
        BayesianStrategy(_unit_sampler(1, seed), **strategy_params)  # a bad strategy parameter fails here

    # -- pickling: the compiled GP is rebuilt from the study on the next trial ---------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_surrogate"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # -- the BaseSampler contract ------------------------------------------------------------------------------
    def reseed_rng(self) -> None:
        with self._lock:
            self._seed = int(np.random.SeedSequence().generate_state(1)[0])
            self._surrogate = None
        self._independent.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        _check_single_objective(study)
        return {name: dist for name, dist in self._search_space.calculate(study).items() if not dist.single()}

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        if not search_space:
            return {}
        with self._lock:
            surrogate = self._current(study, search_space)
            self._learn(study, surrogate)
            pending = self._pending(study, trial, surrogate)
            point = surrogate.strategy.next_proposals(1, pending=pending if len(pending) else None)[0]
            point = np.clip(np.asarray(point, dtype=np.float64), 0.0, 1.0)
            # stored before the lock is released, so the next thread's proposal already sees this one as pending
            study._storage.set_trial_system_attr(
                trial._trial_id, _POINT_ATTR, json.dumps({"names": list(search_space), "point": point.tolist()}))
        return surrogate.params(point)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        _check_single_objective(study)
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        self._independent.after_trial(study, trial, state, values)

    # -- the surrogate -----------------------------------------------------------------------------------------
    def _current(self, study: Study, space: dict[str, BaseDistribution]) -> _Surrogate:
        """The surrogate of this study and space: kept while they stay the same, rebuilt when either changes."""
        current = self._surrogate
        if current is not None and current.study == study.study_name and current.space == space:
            return current
        coordinates = [_Coordinate(name, dist) for name, dist in space.items()]
        dimensions = [coordinate.dimension() for coordinate in coordinates]
        strategy = BayesianStrategy(_unit_sampler(len(dimensions), self._seed), dimensions=dimensions,
                                    seed=self._seed, names=list(space), burn_in=self._n_startup_trials,
                                    **self._strategy_params)
        curves = EnsembleCurvePredictor(value_range=None, seed=self._seed or 0)
        self._surrogate = _Surrogate(study.study_name, dict(space), coordinates, strategy, curves)
        return self._surrogate

    def _learn(self, study: Study, surrogate: _Surrogate) -> None:
        """Add the finished trials the surrogate has not seen: complete ones, then pruned ones (predicted)."""
        sign = 1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1.0
        finished = study._get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED,
                                                             TrialState.FAIL))
        fresh = [t for t in finished if t.number not in surrogate.seen]
        for trial in sorted(fresh, key=lambda t: t.state != TrialState.COMPLETE):
            surrogate.seen.add(trial.number)
            if not surrogate.space.keys() <= trial.params.keys():
                continue
            if trial.state == TrialState.COMPLETE and trial.value is not None and math.isfinite(trial.value):
                curve = _oriented_curve(trial, sign)
                if curve:
                    surrogate.curves.add_curve(curve, sign * trial.value)
                surrogate.strategy.add_point(surrogate.point(trial.params), sign * trial.value)
            elif trial.state == TrialState.PRUNED and trial.intermediate_values:
                prediction = surrogate.curves.predictive(_oriented_curve(trial, sign))
                if prediction is not None:
                    mean, stdev = prediction
                    surrogate.strategy.add_point(surrogate.point(trial.params), mean, stdev**2)

    def _pending(self, study: Study, current: FrozenTrial, surrogate: _Surrogate) -> npt.NDArray[np.float64]:
        """(p, d) unit-cube points of the other running trials, from their parameters or their stored point."""
        names = list(surrogate.space)
        rows = []
        for trial in study._get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if trial.number == current.number:
                continue
            if surrogate.space.keys() <= trial.params.keys():
                rows.append(surrogate.point(trial.params))
            elif _POINT_ATTR in trial.system_attrs:
                stored = json.loads(trial.system_attrs[_POINT_ATTR])
                if stored["names"] == names:
                    rows.append(np.asarray(stored["point"], dtype=np.float64))
        return np.array(rows).reshape(-1, len(names))


class HyperenginePruner(BasePruner):
    """Prunes a trial when hyperengine's curve predictor gives it little chance to beat the best trial.

    curve_predictor: any CurvePredictor (default: an EnsembleCurvePredictor for an unbounded metric, which
    predicts from a trial's own curve and, after a few finished trials, from theirs too). It learns from
    the complete trials that reported intermediate values. n_warmup_steps: never prune before this many
    reported steps (on top of the predictor's own min_input_size). Use one pruner per study: what it learned
    from one study's curves is not forgotten in the next.
    """

    def __init__(self, curve_predictor: CurvePredictor | None = None, n_warmup_steps: int = 0) -> None:
        if isinstance(n_warmup_steps, bool) or not isinstance(n_warmup_steps, int) or n_warmup_steps < 0:
            raise ValueError(f"n_warmup_steps must be a non-negative integer, got {n_warmup_steps!r}")
        self._predictor = curve_predictor if curve_predictor is not None else EnsembleCurvePredictor(value_range=None)
        self._n_warmup_steps = n_warmup_steps
        self._seen: set[tuple[str, int]] = set()  # (study, trial number) of the curves learned from
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def curve_predictor(self) -> CurvePredictor:
        return self._predictor

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        _check_single_objective(study)
        if len(trial.intermediate_values) <= self._n_warmup_steps:
            return False
        sign = 1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1.0
        with self._lock:
            best: float | None = None
            for finished in study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
                if finished.value is None or not math.isfinite(finished.value):
                    continue
                best = sign * finished.value if best is None else max(best, sign * finished.value)
                if (study.study_name, finished.number) not in self._seen:
                    self._seen.add((study.study_name, finished.number))
                    curve = _oriented_curve(finished, sign)
                    if curve:
                        self._predictor.add_curve(curve, sign * finished.value)
            return bool(self._predictor.should_stop(_oriented_curve(trial, sign), best))


def _oriented_curve(trial: FrozenTrial, sign: float) -> list[float]:
    """A trial's intermediate values in step order, as values to maximize (non-finite ones left out)."""
    return [sign * value for _, value in sorted(trial.intermediate_values.items()) if math.isfinite(value)]


def _unit_sampler(dim: int, seed: int | None) -> DefaultSampler:
    sampler = DefaultSampler(seed=seed)
    sampler.add_uniform(dim)
    return sampler


def _check_single_objective(study: Study) -> None:
    if len(study.directions) > 1:
        raise ValueError(f"study has {len(study.directions)} objectives: hyperengine's Optuna integration "
                         "supports single-objective studies only")


__all__ = ["HyperenginePruner", "HyperengineSampler"]
