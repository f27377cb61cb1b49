"""Utilities (acquisition functions) with the original's names, computed by the compiled core.

Each utility scores candidate points (`compute_values(batch)`, larger is better) and tells the core's
optimizer which acquisition it is (`acquisition`), so the default maximizer optimizes it with gradients.
A user-defined utility (a BaseUtility subclass returned by a `utility_gen` callable) has no compiled
counterpart and is maximized by the Monte-Carlo maximizer over `compute_values`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
import numpy.typing as npt

from hypercore import _core
from hyperengine.bayesian.model import GaussianProcessModel


class BaseUtility(ABC):
    """An acquisition function over the model's posterior, to be maximized."""

    #: the compiled acquisition ('pi' | 'ei' | 'ucb') the core optimizer maximizes; None: Monte-Carlo only
    acquisition: str | None = None

    def __init__(self, model: GaussianProcessModel) -> None:
        self.model = model

    @abstractmethod
    def compute_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Utility (m,) of each unit-cube point (the GP's inputs, not the user's units) of batch (m, d)."""

    def epsilon(self) -> float:
        """The PI/EI improvement margin in raw units."""
        return 0.0

    def beta(self) -> float:
        """The UCB weight."""
        return 0.0

    def _compiled(self) -> _core.Acquisition:
        assert self.acquisition is not None
        model = self.model
        incumbent = model.best_value if model.size else 0.0
        threshold = model.standardize(incumbent + self.epsilon()) if model.size else self.epsilon()
        return _core.Acquisition(self.acquisition, threshold, self.beta())

    def _compiled_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        mean, variance = self.model.predict(batch, standardized=True)
        sigma = np.sqrt(np.maximum(variance, 1e-24))
        return np.asarray(self._compiled().value(mean, sigma))


class _ImprovementUtility(BaseUtility):
    """A compiled utility measuring improvement over best + epsilon (epsilon in the values' units)."""

    def __init__(self, model: GaussianProcessModel, epsilon: float = 0.0) -> None:
        super().__init__(model)
        self._epsilon = _finite(f"{self.acquisition}_epsilon", epsilon)

    def compute_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        return self._compiled_values(batch)

    def epsilon(self) -> float:
        return self._epsilon


class ProbabilityOfImprovement(_ImprovementUtility):
    """P(f(x) > best + epsilon) (Kushner 1964): exploitative."""

    acquisition = "pi"


class ExpectedImprovement(_ImprovementUtility):
    """E[max(f(x) - best - epsilon, 0)] (Mockus et al. 1978), optimized in log space."""

    acquisition = "ei"


class UpperConfidenceBound(BaseUtility):
    """mean + beta * stdev with the original's schedule beta = sqrt(2 log(d n^2 pi^2 / (6 delta)))."""

    acquisition = "ucb"

    def __init__(self, model: GaussianProcessModel, delta: float = 0.5) -> None:
        super().__init__(model)
        if not (0.0 < delta < 1.0):
            raise ValueError(f"ucb_delta must be in (0, 1), got {delta!r}")
        self._delta = delta

    def compute_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        return self._compiled_values(batch)

    def beta(self) -> float:
        return float(_core.ucb_beta(max(1, self.model.dim), max(1, self.model.size), self._delta))


class RandomPoint(BaseUtility):
    """Pure random search: every point is as good as another."""

    def __init__(self, model: GaussianProcessModel, seed: int | None = None) -> None:
        super().__init__(model)
        self._rng = np.random.default_rng(seed)

    def compute_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        return np.asarray(self._rng.random(np.atleast_2d(batch).shape[0]), dtype=np.float64)


def _finite(name: str, value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)
