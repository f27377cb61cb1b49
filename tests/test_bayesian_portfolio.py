"""BayesianPortfolioStrategy: fixed odds are respected; learned odds move towards the method whose proposals
turn out better (score <- alpha * standardized reward + (1 - alpha) * score)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from hyperengine.bayesian import BaseUtility, BayesianPortfolioStrategy, DefaultSampler, GaussianProcessModel


def sampler_of(dim: int, seed: int = 0) -> DefaultSampler:
    sampler = DefaultSampler(seed=seed)
    sampler.add_uniform(dim)
    return sampler


class Directional(BaseUtility):
    """Prefers large (sign=+1) or small (sign=-1) first coordinates; counts the proposals it made."""

    def __init__(self, model: GaussianProcessModel, sign: float) -> None:
        super().__init__(model)
        self.sign = sign
        self.calls: list[int] = []  # shared with the copies the Monte-Carlo maximizer makes

    @property
    def calls_made(self) -> int:
        return len(self.calls)

    def compute_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        self.calls.append(1)
        return self.sign * np.atleast_2d(batch)[:, 0]


def directional_methods() -> tuple[list[Directional], list[object]]:
    made: list[Directional] = []

    def generator(sign: float) -> object:
        def make(model: GaussianProcessModel, **params: float) -> Directional:
            made.append(Directional(model, sign))
            return made[-1]
        return make

    return made, [generator(+1.0), generator(-1.0)]


def run_directional(probabilities: list[float] | None, steps: int, seed: int = 0
                    ) -> tuple[BayesianPortfolioStrategy, list[Directional], list[int]]:
    """The objective is the first coordinate: the '+' utility proposes good points, the '-' one bad ones."""
    made, methods = directional_methods()
    strategy = BayesianPortfolioStrategy(sampler_of(2, seed), methods=methods, probabilities=probabilities,
                                         burn_in=4, mc_batch_size=200, seed=seed)
    good, bad = made
    chosen = []
    for _ in range(steps):
        before = (good.calls_made, bad.calls_made)
        point = strategy.next_proposal()
        if strategy.iteration >= 4:
            chosen.append(0 if good.calls_made > before[0] else 1)
        strategy.add_point(point, float(point[0]))
    return strategy, made, chosen


def test_learned_odds_favour_the_method_that_proposes_better_points() -> None:
    strategy, _, chosen = run_directional(None, steps=40)
    scores = strategy.scores
    assert scores[0] > 0 > scores[1]
    assert strategy.probabilities[0] > 0.75
    assert strategy.probabilities.sum() == pytest.approx(1.0)
    late = chosen[len(chosen) // 2:]
    assert sum(1 for method in late if method == 0) > 0.7 * len(late)


def test_scores_follow_the_documented_update() -> None:
    """The score of the method that proposed a point moves by alpha * (value - mean) / stdev."""
    strategy, made, _ = run_directional(None, steps=8)
    good, bad = made
    before_scores = strategy.scores
    before_values = np.array(strategy.values)
    counts = (good.calls_made, bad.calls_made)
    point = strategy.next_proposal()
    method = 0 if good.calls_made > counts[0] else 1
    value = float(point[0])
    strategy.add_point(point, value)
    expected = before_scores.copy()
    reward = (value - before_values.mean()) / before_values.std()
    expected[method] = 0.5 * reward + 0.5 * before_scores[method]
    np.testing.assert_allclose(strategy.scores, expected, rtol=1e-12)
    weights = np.exp(expected - expected.max())
    np.testing.assert_allclose(strategy.probabilities, weights / weights.sum(), rtol=1e-12)


def test_points_not_proposed_by_the_portfolio_do_not_move_scores() -> None:
    strategy = BayesianPortfolioStrategy(sampler_of(2), seed=0)
    for point in np.random.default_rng(0).random((6, 2)):
        strategy.add_point(point, float(point.sum()))
    np.testing.assert_array_equal(strategy.scores, np.zeros(3))


def test_fixed_probabilities_are_respected() -> None:
    strategy, made, chosen = run_directional([0.8, 0.2], steps=84)
    assert len(chosen) == 80
    share = sum(1 for method in chosen if method == 0) / len(chosen)
    # Binomial(80, 0.8): standard deviation 0.045 in share; 4 standard deviations either side.
    assert abs(share - 0.8) < 4 * math.sqrt(0.8 * 0.2 / 80)
    np.testing.assert_array_equal(strategy.probabilities, [0.8, 0.2])  # the odds never learn
    _, made, chosen = run_directional([0.0, 1.0], steps=14)
    assert made[0].calls_made == 0 and chosen == [1] * 10


def test_default_methods_and_real_utilities() -> None:
    strategy = BayesianPortfolioStrategy(sampler_of(2), seed=0)
    assert strategy.methods == ["ucb", "ei", "pi"]
    np.testing.assert_allclose(strategy.probabilities, [1 / 3] * 3)
    for _ in range(10):
        point = strategy.next_proposal()
        strategy.add_point(point, -float(np.sum((point - 0.4) ** 2)))
    assert np.count_nonzero(strategy.scores) > 0


@pytest.mark.parametrize(("params", "message"), [
    ({"methods": []}, "at least one utility"),
    ({"methods": ["ei", "ucb"], "probabilities": [0.5, 0.4]}, "sum to 1"),
    ({"methods": ["ei", "ucb"], "probabilities": [1.0]}, "one per method"),
    ({"methods": ["ei", "ucb"], "probabilities": [1.5, -0.5]}, "non-negative"),
    ({"alpha": 0.0}, "alpha must be in"),
    ({"methods": ["ei", "lcb"]}, "utility_gen must be"),
])
def test_invalid_portfolio_parameters(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BayesianPortfolioStrategy(sampler_of(2), **params)  # type: ignore[arg-type]


def test_burn_in_points_earn_no_method_a_score() -> None:
    """The space-filling design is not any method's proposal, so its values must not move the odds."""
    strategy = BayesianPortfolioStrategy(sampler_of(2), burn_in=6, seed=0)
    for _ in range(6):
        point = strategy.next_proposal()
        strategy.add_point(point, float(point[0]))
    np.testing.assert_array_equal(strategy.scores, np.zeros(3))
