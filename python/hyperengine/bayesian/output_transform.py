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
    """T(y) = yeo_johnson((y - mean) / std; lam), refitted on every call to fit()."""

    def __init__(self) -> None:
        self.mean, self.std, self.lam = 0.0, 1.0, 1.0

    def fit(self, values: Array) -> YeoJohnsonTransform:
        """Fit the standardization and the exponent to the observed values (identity below MIN_POINTS)."""
        values = np.asarray(values, dtype=np.float64)
        spread = float(values.std()) if values.size else 0.0
        self.mean = float(values.mean()) if values.size else 0.0
        self.std = spread if spread > 0 else 1.0
        self.lam = 1.0
        if values.size >= MIN_POINTS and spread > 0:
            z = (values - self.mean) / self.std
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = optimize.minimize_scalar(lambda lam: -_log_likelihood(z, lam), bounds=LAMBDA_BOUNDS,
                                                  method="bounded", options={"xatol": 1e-4})
            if np.isfinite(result.x):
                self.lam = float(result.x)
        return self

    def __call__(self, values: Array | float) -> Array:
        return _yeo_johnson((np.asarray(values, dtype=np.float64) - self.mean) / self.std, self.lam)

    def inverse(self, transformed: Array | float) -> Array:
        t = np.asarray(transformed, dtype=np.float64)
        lam = self.lam
        z = np.empty_like(t)
        positive = t >= 0
        tp, tn = t[positive], t[~positive]
        with np.errstate(over="ignore", invalid="ignore"):
            z[positive] = np.expm1(tp) if lam == 0 else np.maximum(lam * tp + 1.0, 0.0) ** (1.0 / lam) - 1.0
            z[~positive] = (-np.expm1(-tn) if lam == 2
                            else 1.0 - np.maximum(1.0 - (2.0 - lam) * tn, 0.0) ** (1.0 / (2.0 - lam)))
        return z * self.std + self.mean

    def derivative(self, values: Array | float) -> Array:
        """dT/dy, to carry an observation-noise variance through the transform (delta method)."""
        z = (np.asarray(values, dtype=np.float64) - self.mean) / self.std
        slope = np.where(z >= 0, (np.abs(z) + 1.0) ** (self.lam - 1.0), (np.abs(z) + 1.0) ** (1.0 - self.lam))
        return slope / self.std


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
