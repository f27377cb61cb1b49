"""The portfolio strategy: a different utility each step, chosen at random by fixed or learned odds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.strategy import BayesianStrategy, UtilityGen, checked_value
from hyperengine.bayesian.utility import BaseUtility


class BayesianPortfolioStrategy(BayesianStrategy):
    """Bayesian optimization with a portfolio of utilities (Hoffman, Brochu & de Freitas 2011, in spirit).

    Each proposal picks one of `methods` ('ucb', 'ei', 'pi', 'rand' or callables). With `probabilities` the
    odds are fixed; otherwise they are a softmax of scores, each method's score moving towards how good the
    values it proposed turned out: score <- alpha * (value - mean) / stdev + (1 - alpha) * score, the mean and
    stdev taken over the values seen before. All other parameters are BayesianStrategy's.
    """

    def __init__(self, sampler: DefaultSampler, methods: Sequence[UtilityGen] = ("ucb", "ei", "pi"),
                 probabilities: Sequence[float] | None = None, alpha: float = 0.5, **params: Any) -> None:
        if not methods:
            raise ValueError("methods must name at least one utility")
        if probabilities is not None:
            odds = np.asarray(probabilities, dtype=np.float64)
            if odds.shape != (len(methods),) or np.any(odds < 0) or not np.isclose(odds.sum(), 1.0):
                raise ValueError("probabilities must be non-negative, one per method, and sum to 1, "
                                 f"got {probabilities!r}")
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self._methods = list(methods)
        self._probabilities = None if probabilities is None else np.asarray(probabilities, dtype=np.float64)
        self._alpha = alpha
        self._scores = np.zeros(len(self._methods))
        self._proposed_by: dict[bytes, int] = {}
        super().__init__(sampler, **params)
        self._utilities: list[BaseUtility] = [self._make_utility(method) for method in self._methods]
        self._rng = np.random.default_rng(self._seed)

    @property
    def methods(self) -> list[UtilityGen]:
        return list(self._methods)

    @property
    def scores(self) -> npt.NDArray[np.float64]:
        """The learned score of each method."""
        return self._scores.copy()

    @property
    def probabilities(self) -> npt.NDArray[np.float64]:
        """The current odds of each method."""
        if self._probabilities is not None:
            return self._probabilities.copy()
        weights = np.exp(self._scores - self._scores.max())
        return weights / weights.sum()

    def next_proposals(self, count: int, pending: npt.ArrayLike | None = None) -> npt.NDArray[np.generic]:
        method = int(self._rng.choice(len(self._methods), p=self.probabilities))
        from_design = min(count, max(self._burn_in - max(self._issued, self.iteration), 0))
        points = self._propose(self._utilities[method], count, pending)
        for point in points[from_design:]:  # burn-in design points are nobody's proposal: they earn no score
            self._proposed_by[np.asarray(point, dtype=np.float64).tobytes()] = method
        return points

    def add_point(self, point: npt.ArrayLike, value: float | npt.ArrayLike, noise: float = 0.0) -> None:
        """BayesianStrategy.add_point, and the proposing utility's score moved by how good the value is."""
        key = np.asarray(point, dtype=np.float64).reshape(-1).tobytes()
        previous = np.asarray(self._values)
        super().add_point(point, value, noise)
        # after the point is accepted: a refused one (NaN value) keeps its proposer for the corrected retry
        method = self._proposed_by.pop(key, None)
        if method is not None and previous.size >= 2:
            spread = previous.std() or 1.0
            reward = (checked_value(value) - previous.mean()) / spread
            self._scores[method] = self._alpha * reward + (1.0 - self._alpha) * self._scores[method]
