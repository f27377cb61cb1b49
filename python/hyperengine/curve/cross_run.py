"""CrossRunCurvePredictor: what the other runs say a curve that looks like this one ends with.

For a running curve of k epochs, the finished runs that are at least k epochs long are the data: each
gives features x_j of its k-epoch prefix (last, best, mean and first value, mean epoch-to-epoch change)
and its gain y_j = final_j - value_j(epoch k). A locally weighted linear regression (Cleveland 1979;
Gaussian kernel of bandwidth h on x, ridge on the slopes so that it shrinks toward "no further gain")
predicts the gain of the running curve; h comes from a grid by leave-one-out squared error, one h per k.
The predictive distribution is heteroscedastic and non-Gaussian: a mixture over the finished runs of
N(prediction + e_j, s^2), with e_j run j's leave-one-out residual and weight its kernel weight at the
running curve (mixed with equal weights as the neighbourhood gets thin), so a slow starter inherits the
wide spread of the slow starters seen so far. Everything is scaled by the spread of the finished runs'
finals, so accuracies, losses (given as -loss) and any other metric behave the same.

Stopped runs' partial curves (`add_partial_curve`) also teach it: a run stopped after m epochs is, for
every k < m, a data point whose final is this predictor's own prediction from its m epochs (a chained,
freeze-thaw-like use of the partial curve, Swersky et al. 2014), weighted by `partial_weight`.

The stop rule (`should_stop`, `win_probability`) asks for an improvement, not a tie: P(final > best + margin),
the margin by default half the metric's resolution (the smallest step between the values seen: 1/n for an
accuracy on n validation samples, ~0 for a continuous loss). A run tied with the best at a ceiling (accuracy
1.0, see `ceiling`) cannot win and is stopped; a run whose current value is already above best + margin is
never stopped (successive halving would promote it too).
"""

from __future__ import annotations

import math
import os

import numpy as np
import numpy.typing as npt

from hyperengine.curve.base import CurvePredictor
from hyperengine.curve.posterior import CurvePosterior
from hyperengine.curve.validation import CurveLike, as_curve, as_value

_BANDWIDTHS = (0.05, 0.1, 0.2, 0.4, 0.8, math.inf)  # in units of the finals' spread; inf = a global ridge fit
_RIDGE = 0.1  # on the slopes, in scaled units: the gain's regression shrinks toward a constant gain
_PSEUDO_RUNS = 2.0  # equal-weight pseudo-runs mixed in, so a one-neighbour neighbourhood is not trusted alone


class _LocalFit:
    """The data and leave-one-out residuals for one prefix length k (scaled units), at its bandwidth."""

    def __init__(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                 weight: npt.NDArray[np.float64]) -> None:
        self.x, self.y, self.weight = x, y, weight
        best: tuple[float, float, npt.NDArray[np.float64]] | None = None
        for bandwidth in _BANDWIDTHS:
            residuals = y - _loo_predictions(x, y, weight, bandwidth)
            score = float(weight @ residuals**2)
            if best is None or score < best[0] - 1e-12:
                best = (score, bandwidth, residuals)
        assert best is not None
        _, self.bandwidth, self.residuals = best

    def kernel(self, point: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """(n,) kernel weights of the data at `point` (times the data's own weights)."""
        if math.isinf(self.bandwidth):
            return self.weight.copy()
        squared = np.sum((self.x - point) ** 2, axis=1) / self.bandwidth**2
        return self.weight * np.exp(-0.5 * (squared - squared.min()))

    def predict(self, point: npt.NDArray[np.float64], kernel: npt.NDArray[np.float64]) -> float:
        """The local fit's gain at `point`, kept within the gains of its neighbours (no wild extrapolation
        when the point lies outside the data: a flat run among rising ones)."""
        gain = float(_weighted_ridge(self.x, self.y, kernel) @ np.append(1.0, point))
        near = kernel > 1e-3 * kernel.max()
        return float(np.clip(gain, self.y[near].min(), self.y[near].max()))


def _weighted_ridge(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                    w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(p + 1,) intercept and slopes of sum_j w_j (y_j - b0 - x_j b)^2 + _RIDGE |b|^2."""
    design = np.column_stack([np.ones(len(x)), x])
    gram = design.T @ (design * w[:, None]) + np.diag([1e-9] + [_RIDGE] * x.shape[1])
    return np.asarray(np.linalg.solve(gram, design.T @ (w * y)), dtype=np.float64)


def _loo_predictions(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], weight: npt.NDArray[np.float64],
                     bandwidth: float) -> npt.NDArray[np.float64]:
    """(n,) each point's prediction by the local fit at its own x with itself left out (batched solves)."""
    n, p = x.shape
    design = np.column_stack([np.ones(n), x])
    if math.isinf(bandwidth):
        kernels = np.ones((n, n))
    else:
        squared = np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=2) / bandwidth**2
        np.fill_diagonal(squared, np.inf)
        kernels = np.exp(-0.5 * (squared - np.min(squared, axis=1, keepdims=True)))
    kernels = kernels * weight[None, :]
    np.fill_diagonal(kernels, 0.0)
    grams = np.einsum("ji,ia,ib->jab", kernels, design, design) + np.diag([1e-9] + [_RIDGE] * p)
    rhs = np.einsum("ji,ia,i->ja", kernels, design, y)
    coefficients = np.linalg.solve(grams, rhs[:, :, None])[:, :, 0]
    return np.einsum("ja,ja->j", coefficients, design)


class CrossRunCurvePredictor(CurvePredictor):
    """Predicts a running curve's final value from the finished (and stopped) runs at the same epoch.

    `max_epochs`: the horizon; a curve that long is finished. None: the longest finished curve.
    `min_curves`: finished runs at least k epochs long needed to predict a k-epoch prefix (default 2).
    `min_input_size`: epochs before any prediction (default 1: from the first epoch on).
    `min_noise`: floor of each mixture
    component's std, as a fraction of the finals' spread (validation accuracy jitters between epochs).
    `partial_weight`: the weight of a stopped run's partial curve as a data point (0 turns it off).
    `stop_probability`: `should_stop` stops when P(final > best so far + margin) < it (see StoppingRule).
    `margin`: the improvement that counts (None: half the resolution of the values seen, see the module).
    """

    def __init__(self, max_epochs: int | None = None, min_input_size: int = 1, stop_probability: float = 0.05, *,
                 min_curves: int = 2, min_noise: float = 0.02, partial_weight: float = 1.0,
                 margin: float | None = None,
                 io_save_dir: str | os.PathLike[str] | None = None,
                 io_load_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__(burn_in=min_curves, min_input_size=min_input_size, io_save_dir=io_save_dir,
                         io_load_dir=io_load_dir)
        if max_epochs is not None and max_epochs < 2:
            raise ValueError(f"max_epochs must be >= 2, got {max_epochs}")
        if min_curves < 2:
            raise ValueError(f"min_curves must be >= 2 (a leave-one-out fit needs two runs), got {min_curves}")
        if not 0.0 < stop_probability < 1.0:
            raise ValueError(f"stop_probability must be in (0, 1), got {stop_probability}")
        if not min_noise > 0:
            raise ValueError(f"min_noise must be > 0, got {min_noise}")
        if not 0.0 <= partial_weight <= 1.0:
            raise ValueError(f"partial_weight must be in [0, 1], got {partial_weight}")
        if margin is not None and not (math.isfinite(margin) and margin >= 0):
            raise ValueError(f"margin must be a finite number >= 0 or None, got {margin!r}")
        self._max_epochs = max_epochs
        self._stop_probability = float(stop_probability)
        self._min_noise = float(min_noise)
        self._partial_weight = float(partial_weight)
        self._margin = None if margin is None else float(margin)
        self._partial: list[npt.NDArray[np.float64]] = []
        self._fits: dict[int, _LocalFit | None] = {}
        self._scale_cache: float | None = None
        self._summary_cache: tuple[float, float | None] | None = None

    @property
    def stop_probability(self) -> float:
        return self._stop_probability

    @property
    def horizon(self) -> int | None:
        """The epoch predicted: max_epochs, else the longest finished curve, None if neither exists."""
        return self._max_epochs if self._max_epochs is not None else (self.curve_length or None)

    @property
    def partial_curves(self) -> tuple[npt.NDArray[np.float64], ...]:
        """The stopped runs' partial curves learned from, oldest first."""
        return tuple(curve.copy() for curve in self._partial)

    def add_partial_curve(self, curve: CurveLike) -> None:
        """Learn from a run that was stopped early: its epochs so far (NaN/inf refused, nothing stored)."""
        array = as_curve(curve, allow_empty=False)
        self._partial.append(array)
        self._data_changed()

    def _data_changed(self) -> None:
        self._fits.clear()
        self._scale_cache = None
        self._summary_cache = None

    @property
    def resolution(self) -> float:
        """The smallest positive step between the values of all curves seen (0 with fewer than two values)."""
        return self._value_summary()[0]

    def _value_summary(self) -> tuple[float, float | None]:
        """(resolution, ceiling) of the values of every curve seen, cached until the data change."""
        if self._summary_cache is None:
            curves = [*self._store.curves, *self._partial]
            values = np.unique(np.concatenate(curves)) if curves else np.empty(0)
            steps = np.diff(values)
            steps = steps[steps > 1e-12 * max(1.0, float(np.abs(values).max(initial=0.0)))]  # not float rounding
            bounded = values.size > 0 and values[-1] == 1.0 and values[0] >= 0.0
            self._summary_cache = (float(steps.min()) if steps.size else 0.0, 1.0 if bounded else None)
        return self._summary_cache

    @property
    def margin(self) -> float:
        """The improvement over the best final that counts as winning (given, or half the resolution)."""
        return self._margin if self._margin is not None else 0.5 * self.resolution

    @property
    def ceiling(self) -> float | None:
        """1.0 once a curve has reached it with every value seen in [0, 1] (an accuracy-like metric at its
        bound: nothing can beat a run at 1.0), else None (no known upper bound)."""
        return self._value_summary()[1]

    def win_probability(self, curve: CurveLike, best_so_far: float, *,
                        posterior: CurvePosterior | None = None) -> float | None:
        """P(final > best_so_far + margin) under the mixture: 1.0 while the run's current value is already above
        that (it leads; successive halving would promote it too), 0.0 when that is above the ceiling, None
        without a prediction. `posterior`: the curve's own, when the caller has computed it already."""
        array = as_curve(curve, allow_empty=False)
        threshold = as_value(best_so_far, "best_so_far") + self.margin
        if array[-1] > threshold:
            return 1.0
        if posterior is None:
            posterior = self._posterior(array)
        if posterior is None:
            return None
        ceiling = self.ceiling
        return 0.0 if ceiling is not None and threshold > ceiling else posterior.prob_exceeds(threshold)

    def _scale(self) -> float:
        """The spread of the finished finals (the unit of every distance and noise level here)."""
        if self._scale_cache is None:
            values = self.values
            spread = float(np.std(values)) if values.size > 1 else 0.0
            top = float(np.max(np.abs(values))) if values.size else 1.0
            self._scale_cache = spread if spread > 1e-9 * max(top, 1.0) else max(top, 1.0) * 1e-3
        return self._scale_cache

    @staticmethod
    def _features(prefix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """(..., 5) what the kernel compares: last, best, mean and first value, and mean epoch-to-epoch change.

        The mean absolute change tells a noisy, oscillating run (large steps, final value a lottery) from a
        smooth one at the same level; best and mean tell a run that fell back from one still climbing.
        """
        steps = np.abs(np.diff(prefix, axis=-1)).mean(axis=-1) if prefix.shape[-1] > 1 else 0.0 * prefix[..., 0]
        return np.stack([prefix[..., -1], prefix.max(axis=-1), prefix.mean(axis=-1), prefix[..., 0], steps], axis=-1)

    def _fit(self, k: int) -> _LocalFit | None:
        """The local fit for k-epoch prefixes, None while fewer than min_curves finished runs are that long."""
        if k not in self._fits:
            x_rows, y_rows, weights = [], [], []
            prefixes, finals = self._store.prefixes(k)
            if len(finals) < self._burn_in:
                self._fits[k] = None
                return None
            x_rows.append(prefixes)
            y_rows.append(finals)
            weights.append(np.ones(len(finals)))
            if self._partial_weight > 0:
                longer = [c for c in self._partial if c.size > k]
                chained = [(c[:k], summary[0]) for c in longer if (summary := self._predict_from(c)) is not None]
                if chained:
                    x_rows.append(np.stack([c for c, _ in chained]))
                    y_rows.append(np.array([m for _, m in chained]))
                    weights.append(np.full(len(chained), self._partial_weight))
            prefix, final = np.concatenate(x_rows), np.concatenate(y_rows)
            scale = self._scale()
            x = self._features(prefix) / scale
            self._fits[k] = _LocalFit(x, (final - prefix[:, -1]) / scale, np.concatenate(weights))
        return self._fits[k]

    def _predict_from(self, array: npt.NDArray[np.float64]) -> tuple[float, float] | None:
        posterior = self._posterior(array)
        return None if posterior is None else posterior.mean_std()

    def posterior(self, curve: CurveLike) -> CurvePosterior | None:
        """The predictive mixture of the final value, None when it cannot predict yet."""
        return self._posterior(as_curve(curve))

    def _posterior(self, array: npt.NDArray[np.float64]) -> CurvePosterior | None:
        horizon = self.horizon
        if array.size < self._min_input_size or horizon is None:
            return None
        if array.size >= horizon:
            return CurvePosterior(np.array([array[horizon - 1]]), np.zeros(1), np.ones(1))
        fit = self._fit(array.size)
        if fit is None:
            return None
        scale = self._scale()
        point = self._features(array) / scale
        kernel = fit.kernel(point)
        total = float(kernel.sum())
        if total <= 0:
            kernel, total = fit.weight.copy(), float(fit.weight.sum())
        mean = fit.predict(point, kernel)
        effective = total**2 / float(kernel @ kernel)
        trust = effective / (effective + _PSEUDO_RUNS)
        weights = trust * kernel / total + (1 - trust) * fit.weight / fit.weight.sum()
        spread = math.sqrt(float(weights @ fit.residuals**2))
        # each component a kernel-density bump: Silverman's bandwidth of the residuals, above the noise floor
        bump = max(self._min_noise, 1.06 * spread * effective ** (-0.2))
        finals = array[-1] + scale * (mean + fit.residuals)
        return CurvePosterior(finals, np.full(finals.size, scale * bump), weights)

    def predictive(self, curve: CurveLike) -> tuple[float, float] | None:
        posterior = self.posterior(curve)
        return None if posterior is None else posterior.mean_std()

    def prob_exceeds(self, curve: CurveLike, threshold: float) -> float | None:
        """P(final > threshold) under the mixture (not its Gaussian summary)."""
        threshold = as_value(threshold, "threshold")
        posterior = self.posterior(curve)
        return None if posterior is None else posterior.prob_exceeds(threshold)

    def should_stop(self, curve: CurveLike, best_so_far: float | None) -> bool:
        """P(final > best_so_far + margin) < stop_probability; False without a prediction, once at the horizon
        or while the run leads (see win_probability)."""
        if best_so_far is None:
            return False
        probability = self.win_probability(curve, best_so_far)
        return probability is not None and probability < self._stop_probability
