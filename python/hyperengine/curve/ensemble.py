"""EnsembleCurvePredictor: a probabilistic model of the curve itself, no past curves needed.

After Domhan, Springenberg and Hutter (IJCAI 2015): parametric families (pow3, pow4, log-linear, exp3,
vapor pressure, MMF, Janoschek, Weibull, Hill) each plus Gaussian noise, under their prior: bounded
parameters, the curve must not decrease overall and (for accuracies) must end at or below the top of
`value_range`. Each family is fitted by Levenberg-Marquardt, then a Metropolis chain samples its parameters
and noise; both loops are compiled (`hypercore._curves`). Unlike Domhan et al., who sample one weighted
sum of all families jointly, the families are combined as a Bayesian model average with BIC weights: a
3-4 parameter chain mixes within a few thousand steps (milliseconds), while the joint 35-dimensional chain
stayed overconfident at the same cost (tested: 7 standard deviations off on a synthetic exp3 curve).
The weighted draws at the horizon, plus noise, are the predictive distribution of the final value; the
stop rule is P(final > best so far) < stop_probability.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from hypercore import _curves
from hyperengine.curve.base import CurvePredictor
from hyperengine.curve.families import FAMILIES, FAMILY_BY_NAME, CurveFamily
from hyperengine.curve.fit import fit_family
from hyperengine.curve.linear import LinearCurvePredictor
from hyperengine.curve.posterior import CurvePosterior
from hyperengine.curve.validation import CurveLike, as_curve, as_value


class EnsembleCurvePredictor(CurvePredictor):
    """Extrapolates a running curve to its final epoch with a sampled ensemble of parametric curves.

    `max_epochs`: the epoch whose value is predicted (the horizon); None takes the longest finished curve,
    so then predictions start after the first finished curve. `value_range`: (low, high) of the metric,
    (0, 1) for accuracies; the final value is kept at or below `high`. None: unbounded metric, scaled by
    the curve's own range. `stop_probability`: stop when P(final > best so far) is below it, never before
    `min_input_size` epochs (the rule is asked after every epoch; see docs/curves.md for the trade-off).
    `families`: names from `hyperengine.curve.families` (default: all).
    `min_noise`: floor of the noise level, in metric units (validation accuracy jitters by about 0.5 %
    between epochs; without a floor, a 3-point curve is fitted exactly and the prediction is overconfident).
    `n_samples`, `n_burn`, `thin`: chain length per family (n_burn + n_samples * thin steps); `seed`:
    makes every prediction reproducible. `burn_in`: finished curves needed before predicting (default 0).
    `past_weight`, `past_burn_in`: what past curves teach. Once `past_burn_in` finished curves can predict
    a k-epoch prefix, the predictive distribution is a mixture: weight `past_weight` for the Gaussian of a
    LinearCurvePredictor over the finished curves, the rest for the ensemble. 0 turns it off.
    """

    def __init__(self, max_epochs: int | None = None, min_input_size: int = 3, stop_probability: float = 0.05,
                 value_range: tuple[float, float] | None = (0.0, 1.0), *,
                 families: Sequence[str] | None = None, n_samples: int = 200, n_burn: int = 1000,
                 thin: int = 5, min_noise: float = 0.005, seed: int = 0, burn_in: int = 0,
                 past_weight: float = 0.5, past_burn_in: int = 10,
                 io_save_dir: str | os.PathLike[str] | None = None,
                 io_load_dir: str | os.PathLike[str] | None = None) -> None:
        if min_input_size < 2:
            raise ValueError(f"min_input_size must be >= 2 to fit a curve, got {min_input_size}")
        super().__init__(burn_in=burn_in, min_input_size=min_input_size, io_save_dir=io_save_dir,
                         io_load_dir=io_load_dir)
        if max_epochs is not None and max_epochs < 2:
            raise ValueError(f"max_epochs must be >= 2, got {max_epochs}")
        if not 0.0 < stop_probability < 1.0:
            raise ValueError(f"stop_probability must be in (0, 1), got {stop_probability}")
        if value_range is not None:
            low, high = (as_value(v, "value_range") for v in value_range)
            if not low < high:
                raise ValueError(f"value_range must be (low, high) with low < high, got {value_range}")
            value_range = (low, high)
        names = [family.name for family in FAMILIES] if families is None else list(families)
        unknown = sorted(set(names) - set(FAMILY_BY_NAME))
        if unknown or not names:
            raise ValueError(f"unknown or no curve families {unknown}; known: {sorted(FAMILY_BY_NAME)}")
        if n_samples < 1 or n_burn < 0 or thin < 1:
            raise ValueError("n_samples must be >= 1, n_burn >= 0 and thin >= 1")
        if not min_noise > 0:
            raise ValueError(f"min_noise must be > 0, got {min_noise}")
        if not 0.0 <= past_weight < 1.0:
            raise ValueError(f"past_weight must be in [0, 1), got {past_weight}")
        self._min_noise = float(min_noise)
        self._past_weight = float(past_weight)
        self._past = LinearCurvePredictor(burn_in=past_burn_in, min_input_size=min_input_size)
        self._past._store = self._store  # one set of finished curves, shared
        self._max_epochs = max_epochs
        self._stop_probability = float(stop_probability)
        self._value_range = value_range
        self._families: tuple[CurveFamily, ...] = tuple(FAMILY_BY_NAME[name] for name in dict.fromkeys(names))
        self._n_samples, self._n_burn, self._thin, self._seed = n_samples, n_burn, thin, seed
        self._cache: tuple[tuple[tuple[float, ...], int], CurvePosterior | None] | None = None

    @property
    def stop_probability(self) -> float:
        return self._stop_probability

    @property
    def value_range(self) -> tuple[float, float] | None:
        """(low, high) of the metric as this predictor sees it, None when unbounded."""
        return self._value_range

    @property
    def horizon(self) -> int | None:
        """The epoch predicted: max_epochs, else the longest finished curve, None if neither exists."""
        if self._max_epochs is not None:
            return self._max_epochs
        return self.curve_length or None

    def _data_changed(self) -> None:
        self._cache = None
        self._past._store = self._store  # load() replaces the store
        self._past._data_changed()

    def _scale(self, array: npt.NDArray[np.float64]) -> tuple[float, float, float]:
        """(offset, scale, upper bound in scaled units) mapping the metric to roughly [0, 1]."""
        if self._value_range is not None:
            low, high = self._value_range
            return low, high - low, 1.0
        spread = float(np.ptp(array))
        return float(np.min(array)), spread if spread > 0 else max(abs(float(array[0])), 1.0), np.inf

    def posterior(self, curve: CurveLike) -> CurvePosterior | None:
        """Samples of the final value of a running curve, None when it cannot predict yet."""
        array = as_curve(curve)
        horizon = self.horizon
        if array.size < self._min_input_size or horizon is None or self.curves_number < self._burn_in:
            return None
        key = (tuple(array.tolist()), horizon)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        if array.size >= horizon:
            posterior: CurvePosterior | None = CurvePosterior(np.array([array[horizon - 1]]), np.zeros(1),
                                                               np.ones(1))
        else:
            posterior = self._curve_posterior(array, horizon)
            past = self._past.predictive(array) if self._past_weight > 0 else None
            if posterior is not None and past is not None:
                posterior = CurvePosterior(np.append(posterior.final, past[0]),
                                           np.append(posterior.sigma, past[1]),
                                           np.append((1 - self._past_weight) * posterior.weights,
                                                     self._past_weight))
        self._cache = (key, posterior)
        return posterior

    def _curve_posterior(self, array: npt.NDArray[np.float64], horizon: int) -> CurvePosterior | None:
        """The ensemble's weighted draws from this curve alone (depends on nothing else: cacheable)."""
        offset, scale, y_upper = self._scale(array)
        y = (array - offset) / scale
        t = np.arange(1, array.size + 1, dtype=np.float64) / horizon
        fits = [(family, fit) for family in self._families if (fit := fit_family(family, t, y)) is not None]
        if not fits:
            return None
        sigma_low = min(self._min_noise / scale, 0.5)
        finals, sigmas, log_weights = [], [], []
        for family, (params, sse) in fits:
            final, sigma = np.empty(self._n_samples), np.empty(self._n_samples)
            seed = (self._seed * 1_000_003 + array.size * 101 + family.id) % 2**63
            rate = _curves.sample_ensemble(
                t, y, np.array([family.id], dtype=np.intc), np.array([0, params.size], dtype=np.intc), params,
                np.array(family.lower), np.array(family.upper), np.zeros(1),
                float(np.log(max(np.sqrt(sse / y.size), sigma_low))), sigma_low, y_upper,
                self._n_burn, self._n_samples, self._thin, seed, final, sigma)
            if np.isfinite(rate):
                finals.append(final)
                sigmas.append(sigma)
                # BIC-style evidence of the family; the noise floor keeps exact fits (n <= params) finite
                log_weights.append(-0.5 * y.size * np.log(sse / y.size + sigma_low**2)
                                   - 0.5 * params.size * np.log(y.size))
        if not finals:
            return None
        family_weights = np.exp(np.array(log_weights) - max(log_weights))
        family_weights /= family_weights.sum()
        weights = np.repeat(family_weights / self._n_samples, self._n_samples)
        return CurvePosterior(offset + scale * np.concatenate(finals), scale * np.concatenate(sigmas), weights)

    def predictive(self, curve: CurveLike) -> tuple[float, float] | None:
        posterior = self.posterior(curve)
        return None if posterior is None else posterior.mean_std()

    def prob_exceeds(self, curve: CurveLike, threshold: float) -> float | None:
        """P(final > threshold), averaged over the posterior samples (not the Gaussian summary)."""
        threshold = as_value(threshold, "threshold")
        posterior = self.posterior(curve)
        return None if posterior is None else posterior.prob_exceeds(threshold)

    def should_stop(self, curve: CurveLike, best_so_far: float | None) -> bool:
        """P(final > best_so_far) < stop_probability; False once the run reached the horizon (finished)."""
        horizon = self.horizon
        if best_so_far is None or (horizon is not None and len(as_curve(curve)) >= horizon):
            return False
        probability = self.prob_exceeds(curve, as_value(best_so_far, "best_so_far"))
        return probability is not None and probability < self._stop_probability
