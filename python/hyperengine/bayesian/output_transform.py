"""A monotone warping of the observed values before the GP sees them.

Objectives are often heavy-tailed: a few very bad configurations (a diverged run, a loss of 1e4) dominate
the variance, the standardized values of all the good ones crowd together, and the GP fits the outliers
instead of the region that matters. A Yeo-Johnson power transform of the standardized values, with its
exponent fitted by maximum likelihood (Yeo & Johnson, Biometrika 2000), makes them closer to Gaussian;
being monotone, it keeps the order of the values, so the best point stays the best (the same idea as
HEBO's output warping, Cowen-Rivers et al., JAIR 2022).
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
from scipy import optimize

Array = npt.NDArray[np.float64]

MIN_POINTS = 8  # fewer values than this cannot pin down an exponent: the identity is used
LAMBDA_BOUNDS = (0.0, 2.0)


class YeoJohnsonTransform:
    """T(y) = yeo_johnson((y - mean) / std; lam), refitted on every call to fit(); safe for any finite y."""

    def __init__(self) -> None:
        # The standardization is kept as (mean, std) of the values divided by `scale`, their largest magnitude:
        # values up to the largest double (1e308) then neither overflow the variance (y**2) nor the differences
        # y - mean, and the standardized values are computed as (y / scale - mean) / std.
        self.scale, self._scaled_mean, self._scaled_std, self.lam = 1.0, 0.0, 1.0, 1.0

    @property
    def mean(self) -> float:
        """The mean of the fitted values."""
        return self._scaled_mean * self.scale

    @property
    def std(self) -> float:
        """The standard deviation of the fitted values (1 when they do not vary)."""
        return self._scaled_std * self.scale

    def fit(self, values: Array) -> YeoJohnsonTransform:
        """Fit the standardization and the exponent to the observed values (identity below MIN_POINTS)."""
        values = np.asarray(values, dtype=np.float64)
        magnitude = float(np.max(np.abs(values))) if values.size else 0.0
        self.scale = magnitude if magnitude > 0 else 1.0
        scaled = values / self.scale
        spread = float(scaled.std()) if values.size else 0.0
        self._scaled_mean = float(scaled.mean()) if values.size else 0.0
        self._scaled_std = spread
        if not spread > 0:  # constant values: a shift only, in raw units (1 / scale overflows for tiny scales)
            self._scaled_mean, self._scaled_std, self.scale = self._scaled_mean * self.scale, 1.0, 1.0
        self.lam = 1.0
        if values.size >= MIN_POINTS and spread > 0:
            z = self._standardized(values)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = optimize.minimize_scalar(lambda lam: -_log_likelihood(z, lam), bounds=LAMBDA_BOUNDS,
                                                  method="bounded", options={"xatol": 1e-4})
            if np.isfinite(result.x):
                self.lam = float(result.x)
        return self

    def _standardized(self, values: Array | float) -> Array:
        return (np.asarray(values, dtype=np.float64) / self.scale - self._scaled_mean) / self._scaled_std

    def __call__(self, values: Array | float) -> Array:
        return _yeo_johnson(self._standardized(values), self.lam)

    def inverse(self, transformed: Array | float) -> Array:
        """The value whose transform is `transformed`; beyond the range of doubles, the largest double."""
        t = np.asarray(transformed, dtype=np.float64)
        lam = self.lam
        z = np.empty_like(t)
        positive = t >= 0
        tp, tn = t[positive], t[~positive]
        with np.errstate(over="ignore", invalid="ignore"):
            z[positive] = np.expm1(tp) if lam == 0 else np.maximum(lam * tp + 1.0, 0.0) ** (1.0 / lam) - 1.0
            z[~positive] = (-np.expm1(-tn) if lam == 2
                            else 1.0 - np.maximum(1.0 - (2.0 - lam) * tn, 0.0) ** (1.0 / (2.0 - lam)))
            value = (z * self._scaled_std + self._scaled_mean) * self.scale
        largest = np.finfo(np.float64).max
        return np.clip(value, -largest, largest)

    def slope(self, values: Array | float) -> Array:
        """dT/dz, the slope of the transform in standardized units z = (y - mean) / std."""
        z = self._standardized(values)
        return np.where(z >= 0, (np.abs(z) + 1.0) ** (self.lam - 1.0), (np.abs(z) + 1.0) ** (1.0 - self.lam))

    def derivative(self, values: Array | float) -> Array:
        """dT/dy, to carry an observation-noise variance through the transform (delta method)."""
        return self.slope(values) / self._scaled_std / self.scale


def _yeo_johnson(z: Array, lam: float) -> Array:
    """The Yeo-Johnson transform of z with exponent lam."""
    out = np.empty_like(z)
    positive = z >= 0
    zp, zn = z[positive], z[~positive]
    out[positive] = np.log1p(zp) if lam == 0 else ((zp + 1.0) ** lam - 1.0) / lam
    out[~positive] = -np.log1p(-zn) if lam == 2 else -((1.0 - zn) ** (2.0 - lam) - 1.0) / (2.0 - lam)
    return out


def _log_likelihood(z: Array, lam: float) -> float:
    """The Gaussian profile log likelihood of exponent lam (Yeo & Johnson 2000, eq. 3.1): plain numpy, since
    scipy.stats.yeojohnson_llf's argument checking costs a millisecond per call and a fit takes ~20 calls."""
    transformed = _yeo_johnson(z, lam)
    variance = float(transformed.var())
    if not variance > 0:
        return -np.inf
    return -0.5 * z.size * np.log(variance) + (lam - 1.0) * float(np.sum(np.sign(z) * np.log1p(np.abs(z))))
