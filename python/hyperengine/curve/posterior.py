"""CurvePosterior: weighted draws of a running curve's final value, as the ensemble predictor makes them."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr


class CurvePosterior:
    """Weighted draws of the final value: the noise-free value at the horizon and the noise level.

    The predicted observation is final + N(0, sigma^2) per draw, a Gaussian mixture with the given weights.
    Shapes: final, sigma, weights (n_draws,); the weights are non-negative and sum to 1.
    """

    def __init__(self, final: npt.NDArray[np.float64], sigma: npt.NDArray[np.float64],
                 weights: npt.NDArray[np.float64]) -> None:
        if not final.shape == sigma.shape == weights.shape or final.ndim != 1 or final.size == 0:
            raise ValueError("Invalid shape: final, sigma and weights must be equal, non-empty (n,) arrays")
        if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
            raise ValueError("weights must be non-negative and sum to 1")
        self.final = final
        self.sigma = sigma
        self.weights = weights

    def mean_std(self) -> tuple[float, float]:
        """Mean and standard deviation of the mixture (law of total variance)."""
        mean = float(self.weights @ self.final)
        variance = float(self.weights @ ((self.final - mean) ** 2 + self.sigma**2))
        return mean, float(np.sqrt(variance))

    def quantile(self, q: float) -> float:
        """The q-quantile of the observed final value (bisection on the mixture's CDF, to 1e-9 of its range)."""
        if not 0.0 < q < 1.0:
            raise ValueError(f"q must be in (0, 1), got {q}")
        low = float(np.min(self.final - 9.0 * self.sigma)) - 1e-12
        high = float(np.max(self.final + 9.0 * self.sigma)) + 1e-12
        tolerance = 1e-9 * max(high - low, 1e-12)
        while high - low > tolerance:
            middle = 0.5 * (low + high)
            if self.prob_exceeds(middle) > 1.0 - q:
                low = middle
            else:
                high = middle
        return 0.5 * (low + high)

    def prob_exceeds(self, threshold: float) -> float:
        """P(observed final value > threshold) under the mixture."""
        noisy = self.sigma > 0
        exceed = (self.final > threshold).astype(np.float64)
        exceed[noisy] = ndtr((self.final[noisy] - threshold) / self.sigma[noisy])
        return float(self.weights @ exceed)
