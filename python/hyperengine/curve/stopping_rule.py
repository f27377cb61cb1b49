"""The default early-stopping rule: stop a run when the other runs say it will not beat the best finished one.

    from hyperengine.curve.stopping_rule import should_stop
    should_stop(curve, finished=[...], stopped=[...], direction="maximize")   # -> bool

One small, stateless interface for every caller (the study's trial.should_stop(), the Keras callback through
it, an Optuna pruner, a Ray Tune stopper): the running curve, the curves of the finished runs (their last
value is their final), the partial curves of the runs stopped so far, and the direction. The rule is
P(final > best finished final + margin) < stop_probability under CrossRunCurvePredictor's predictive mixture
(margin: half the metric's resolution, so a tie is not a win; a run already above it is never stopped), which
compares the run with the others at the same epoch (as successive halving does) but through its predicted
final value and its uncertainty, not its current value. A caller that keeps a predictor between calls (the
study) gets the same decisions from `StoppingRule.decide_with`, without refitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hyperengine.curve.cross_run import CrossRunCurvePredictor
from hyperengine.curve.validation import CurveLike, as_curve

DIRECTIONS = ("maximize", "minimize")


@dataclass(frozen=True)
class StopDecision:
    """Why a run is stopped or not: P(final beats the best finished final), the predicted final and its std.

    `probability`, `mean` and `std` are None when no prediction is possible yet (too few finished runs, or
    the run reached the horizon); `mean` is in the caller's direction (a loss stays a loss).
    """

    stop: bool
    probability: float | None = None
    mean: float | None = None
    std: float | None = None


class StoppingRule:
    """P(final > best finished final + margin) < `stop_probability`, never before `min_epochs` epochs.

    `max_epochs`: the horizon (None: the longest finished run). `min_curves`: finished runs needed before
    any stop (before that, nothing is stopped). `margin`: None for half the metric's resolution. Other keyword
    arguments go to CrossRunCurvePredictor.
    """

    def __init__(self, stop_probability: float = 0.05, *, min_epochs: int = 1, min_curves: int = 2,
                 max_epochs: int | None = None, partial_weight: float = 1.0, min_noise: float = 0.02,
                 margin: float | None = None) -> None:
        if min_epochs < 1:
            raise ValueError(f"min_epochs must be >= 1, got {min_epochs}")
        self.stop_probability = stop_probability
        self.min_epochs = int(min_epochs)
        self._max_epochs, self._min_curves = max_epochs, min_curves
        self._partial_weight, self._min_noise, self._margin = partial_weight, min_noise, margin
        self.predictor()  # checks the arguments now, not at the first call

    def predictor(self) -> CrossRunCurvePredictor:
        """A fresh, empty predictor with this rule's settings (larger is better)."""
        return CrossRunCurvePredictor(self._max_epochs, self.min_epochs, self.stop_probability,
                                      min_curves=self._min_curves, partial_weight=self._partial_weight,
                                      min_noise=self._min_noise, margin=self._margin)

    def decide(self, curve: CurveLike, finished: Sequence[CurveLike], stopped: Sequence[CurveLike] = (),
               direction: str = "maximize") -> StopDecision:
        """The decision for `curve` given the other runs' curves (see the module docstring)."""
        sign = _sign(direction)
        predictor = self.predictor()
        for index, other in enumerate(finished):
            predictor.add_curve(sign * as_curve(other, allow_empty=False, name=f"finished[{index}]"))
        for index, other in enumerate(stopped):
            predictor.add_partial_curve(sign * as_curve(other, allow_empty=False, name=f"stopped[{index}]"))
        return self.decide_with(predictor, curve, direction)

    def decide_with(self, predictor: CrossRunCurvePredictor, curve: CurveLike,
                    direction: str = "maximize") -> StopDecision:
        """The decision from a predictor that already holds the other runs (oriented: larger is better)."""
        sign = _sign(direction)
        array = sign * as_curve(curve)
        best = predictor.best_value()
        horizon = predictor.horizon
        if best is None or array.size < self.min_epochs or (horizon is not None and array.size >= horizon):
            return StopDecision(stop=False)
        posterior = predictor.posterior(array)
        if posterior is None:
            return StopDecision(stop=False)
        probability = predictor.win_probability(array, best, posterior=posterior)
        if probability is None:
            return StopDecision(stop=False)
        mean, std = posterior.mean_std()
        return StopDecision(stop=probability < self.stop_probability, probability=probability,
                            mean=sign * mean, std=std)

    def should_stop(self, curve: CurveLike, finished: Sequence[CurveLike], stopped: Sequence[CurveLike] = (),
                    direction: str = "maximize") -> bool:
        return self.decide(curve, finished, stopped, direction).stop


def _sign(direction: str) -> float:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
    return 1.0 if direction == "maximize" else -1.0


def should_stop(curve: CurveLike, finished: Sequence[CurveLike], stopped: Sequence[CurveLike] = (),
                direction: str = "maximize", *, stop_probability: float = 0.05,
                max_epochs: int | None = None) -> bool:
    """The default rule in one call: stop `curve`? (other runs: finished curves, stopped partial curves)."""
    return StoppingRule(stop_probability, max_epochs=max_epochs).should_stop(curve, finished, stopped, direction)
