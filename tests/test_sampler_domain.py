"""The sampler is the domain: the map learned from a DefaultSampler's draws, proposals inside its support for
every utility, the shapes and dtypes of mixed generators, sessions in user units, and bad points refused."""

from __future__ import annotations

import tempfile

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperengine.bayesian import BaseUtility, BayesianPortfolioStrategy, BayesianStrategy, DefaultSampler
from hyperengine.bayesian.domain import TAIL_QUANTILE, SamplerDomain, learn_coordinate
from hyperengine.spec.dimension import DimensionKind


def mixed_sampler(seed: int = 0) -> DefaultSampler:
    """randint (a vector of 3), a box, a choice of floats, a normal and an add_uniform coordinate."""
    np.random.seed(seed)
    sampler = DefaultSampler(seed=seed)
    sampler.add(lambda: np.random.randint(0, 11, size=3))
    sampler.add(lambda: np.random.uniform(-12, 16))
    sampler.add(lambda: np.random.choice([0.1, 1.0, 10.0]))
    sampler.add(lambda: np.random.normal(2.0, 0.5))
    sampler.add_uniform(1)
    return sampler


def objective(x: npt.NDArray[np.generic]) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(-np.sum((x[:3] - 4) ** 2) - (x[3] - 3.0) ** 2 - np.log10(x[4]) ** 2 - (x[5] - 2) ** 2 - x[6])


class HalfUtility(BaseUtility):
    """A user's utility: prefers the middle of the cube (maximized by Monte Carlo)."""

    def compute_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        return -np.sum((np.atleast_2d(np.asarray(batch)) - 0.5) ** 2, axis=1)


# -- the map ----------------------------------------------------------------------------------------------------
def test_a_box_is_mapped_linearly_onto_the_cube() -> None:
    rng = np.random.default_rng(0)
    coordinate = learn_coordinate(rng.uniform(-10, 15, 10_000))
    lo, hi = coordinate.bounds
    assert -10 < lo < -9.99 and 14.99 < hi < 15  # the range of the draws: inside the support, within 1/10,000
    x = np.array([lo, 0.0, 2.5, hi])
    np.testing.assert_allclose(coordinate.to_cube(x), (x - lo) / (hi - lo))
    np.testing.assert_allclose(coordinate.from_cube(coordinate.to_cube(x)), x)
    assert coordinate.dimension("x").kind is DimensionKind.CONTINUOUS


def test_a_log_uniform_generator_is_searched_on_its_exponent() -> None:
    """Not uniform, so the map follows the draws' quantiles: u = 1/2 is the median, 10^-3, not the mean."""
    rng = np.random.default_rng(1)
    coordinate = learn_coordinate(10 ** rng.uniform(-5, -1, 10_000))
    assert coordinate.kind == "knots" and coordinate.knots_x is not None and coordinate.knots_x.size > 2
    middle = coordinate.from_cube(np.array([0.25, 0.5, 0.75]))
    np.testing.assert_allclose(np.log10(middle), [-4.0, -3.0, -2.0], atol=0.05)
    lo, hi = coordinate.bounds
    assert 1e-5 <= lo < 1.01e-5 and 0.099 < hi <= 0.1  # a bounded tail is kept whole


def test_an_unbounded_generator_is_cut_at_its_tail_quantiles() -> None:
    """np.random.normal: both tails look unbounded, so the support is the 0.1 % .. 99.9 % quantile range."""
    rng = np.random.default_rng(2)
    draws = rng.normal(2.0, 0.5, 10_000)
    coordinate = learn_coordinate(draws)
    lo, hi = coordinate.bounds
    np.testing.assert_allclose([lo, hi], np.quantile(draws, [TAIL_QUANTILE, 1 - TAIL_QUANTILE]))
    assert draws.min() < lo < 2.0 - 2.9 * 0.5 and 2.0 + 2.9 * 0.5 < hi < draws.max()
    far = coordinate.from_cube(coordinate.to_cube(np.array([-50.0, 50.0])))
    np.testing.assert_allclose(far, [lo, hi])  # clipped to the support


def test_discrete_generators_become_levels() -> None:
    rng = np.random.default_rng(3)
    integers = learn_coordinate(rng.integers(0, 11, 10_000))
    assert integers.kind == "levels" and integers.integer
    assert integers.dimension("x").kind is DimensionKind.INTEGER and integers.dimension("x").levels == 11
    np.testing.assert_array_equal(integers.to_cube(np.arange(11.0)), (np.arange(11) + 0.5) / 11)
    np.testing.assert_array_equal(integers.from_cube(np.linspace(0, 1, 23)), np.floor(np.linspace(0, 1, 23) * 11)
                                  .clip(0, 10))
    choices = learn_coordinate(rng.choice([0.1, 1.0, 10.0], 10_000))
    assert choices.kind == "levels" and not choices.integer
    np.testing.assert_array_equal(choices.from_cube(np.array([0.0, 0.5, 1.0])), [0.1, 1.0, 10.0])
    np.testing.assert_array_equal(choices.from_cube(choices.to_cube(np.array([0.2, 4.0, 99.0]))), [0.1, 1.0, 10.0])
    many = learn_coordinate(rng.integers(-500, 501, 10_000))  # too many values for levels: rounded instead
    assert many.kind == "knots" and many.integer
    assert np.all(many.from_cube(rng.random(100)) % 1 == 0)


@settings(max_examples=40, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6), st.integers(0, 2**31))
def test_every_cube_point_maps_inside_the_support_and_back(low: float, width: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    coordinate = learn_coordinate(rng.uniform(low, low + width, 2_000))
    lo, hi = coordinate.bounds
    u = np.concatenate([[0.0, 1.0], rng.random(50)])
    x = coordinate.from_cube(u)
    assert np.all((x >= lo) & (x <= hi))
    roundoff = 8 * np.finfo(np.float64).eps * max(abs(lo), abs(hi)) / (hi - lo)  # of x in a narrow, far box
    np.testing.assert_allclose(coordinate.to_cube(x), u, atol=1e-9 + roundoff)


def test_add_uniform_is_the_identity_and_draws_nothing() -> None:
    """A Study's sampler: no generator is called, the sampler's stream is untouched, points are unchanged."""
    sampler = DefaultSampler(seed=4)
    sampler.add_uniform(3)
    domain = SamplerDomain.learn(sampler)
    assert domain.is_identity and domain.dtype is np.float64
    np.testing.assert_array_equal(sampler.sample(5), _fresh_uniform_sample(4, 3, 5))  # nothing drawn by learn
    points = np.array([[0.1, 0.5, 0.9], [0.0, 1.0, 0.3]])
    np.testing.assert_array_equal(domain.to_cube(points), points)
    np.testing.assert_array_equal(domain.from_cube(points), points)


def _fresh_uniform_sample(seed: int, dim: int, size: int) -> npt.NDArray[np.float64]:
    sampler = DefaultSampler(seed=seed)
    sampler.add_uniform(dim)
    return sampler.sample(size)


def test_a_vector_generator_gives_several_coordinates() -> None:
    sampler = DefaultSampler()
    sampler.add(lambda: np.random.uniform((0, -5), (9, 5)))
    sampler.add(lambda size: np.linspace(0.0, 1.0, size))  # vectorized
    assert sampler.dim == 3 and sampler.sample(7).shape == (7, 3)
    bounds = SamplerDomain.learn(sampler).bounds
    np.testing.assert_allclose(bounds, [[0, 9], [-5, 5], [0, 1]], atol=0.01)


def test_generator_errors_name_the_problem() -> None:
    sampler = DefaultSampler()
    with pytest.raises(ValueError, match="flat vector"):
        sampler.add(lambda: np.zeros((2, 2)))
    with pytest.raises(TypeError, match="numbers"):
        sampler.add(lambda: np.random.choice(["relu", "tanh"]))
    sampler.add(lambda: np.random.uniform(-1, 1) if np.random.random() < 0.99 else np.nan)
    with pytest.raises(ValueError, match="NaN or inf"):
        BayesianStrategy(sampler)


# -- proposals ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("utility_gen", ["ei", "pi", "ucb", "rand", lambda model, **params: HalfUtility(model)])
def test_every_utility_proposes_inside_the_support_with_the_generators_types(utility_gen: object) -> None:
    sampler = mixed_sampler()
    strategy = BayesianStrategy(sampler, utility_gen=utility_gen, burn_in=4, mc_batch_size=500, seed=0)
    low, high = strategy.domain.bounds.T
    for _ in range(9):
        x = strategy.next_proposal()
        assert x.shape == (7,) and x.dtype == np.float64 and np.all((x >= low) & (x <= high))
        assert np.all(x[:3] == np.round(x[:3])) and x[4] in (0.1, 1.0, 10.0)
        strategy.add_point(x, objective(x))
    assert all(point.shape == (7,) for point in strategy.points)


def test_the_portfolio_and_batches_propose_inside_the_support() -> None:
    strategy = BayesianPortfolioStrategy(mixed_sampler(1), methods=["ucb", "ei", "pi", "rand"], burn_in=4, seed=1)
    low, high = strategy.domain.bounds.T
    for _ in range(4):
        batch = strategy.next_proposals(2, pending=[[4, 4, 4, 3.0, 1.0, 2.0, 0.5]])
        assert batch.shape == (2, 7) and np.all((batch >= low) & (batch <= high))
        for x in batch:
            strategy.add_point(x, objective(x))
    assert strategy.iteration == 8


def test_integer_generators_give_integer_points() -> None:
    np.random.seed(0)
    sampler = DefaultSampler()
    sampler.add(lambda: np.random.randint(0, 11, size=2))
    sampler.add(lambda: np.random.choice([1, 2, 4, 8]))
    strategy = BayesianStrategy(sampler, burn_in=4, seed=0)
    for _ in range(6):
        x = strategy.next_proposal()
        assert x.dtype == np.int64 and x.shape == (3,) and x[2] in (1, 2, 4, 8)
        strategy.add_point(x, -float((x[0] - 3) ** 2 + (x[1] - 7) ** 2 + (x[2] - 4) ** 2))
    assert strategy.points[0].dtype == np.int64
    strategy.add_point([2.5, 3, 4], -1.0)  # a told point between levels is kept as told
    assert strategy.points[-1].dtype == np.float64 and strategy.points[-1][0] == 2.5


def test_mc_tweaks_keep_their_meaning_in_user_units() -> None:
    """A tweak moves each coordinate by ~0.05 of its support: on [-100, 100], steps of about 10, not 0.05."""
    np.random.seed(0)
    sampler = DefaultSampler()
    sampler.add(lambda: np.random.uniform(-100, 100, size=2))
    strategy = BayesianStrategy(sampler, maximizer_gen="mc", mc_batch_size=64, mc_tweak_probability=1.0,
                                mc_flip_probability=0.0, burn_in=5, seed=0)
    for _ in range(5):
        x = strategy.next_proposal()
        strategy.add_point(x, -float(np.sum(x**2)))
    best = strategy.points[int(np.argmax(strategy.values))]
    step = np.abs(strategy.next_proposal() - best)
    assert np.max(step) < 0.05 * 200 * 6 and np.max(step) > 0.05


# -- told points, sessions, bad values --------------------------------------------------------------------------
def test_told_points_and_sessions_are_in_user_units() -> None:
    session = tempfile.mkdtemp()
    saving = BayesianStrategy(mixed_sampler(), io_save_dir=session, burn_in=4, seed=0)
    told = np.array([4, 4, 4, 3.0, 1.0, 2.0, 0.5])
    saving.add_point(told, objective(told))
    for _ in range(4):
        x = saving.next_proposal()
        saving.add_point(x, objective(x))
    np.testing.assert_array_equal(saving.points[0], told)
    resumed = BayesianStrategy(mixed_sampler(), io_load_dir=session, io_save_dir=session, burn_in=4, seed=0)
    assert resumed.values == saving.values
    for mine, theirs in zip(resumed.points, saving.points, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_allclose(resumed.model.best_point, saving.model.best_point)  # the same cube positions


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_non_finite_value_is_refused_and_nothing_is_lost(value: float) -> None:
    np.random.seed(0)
    sampler = DefaultSampler()
    sampler.add(lambda: np.random.uniform(-10, 10))
    strategy = BayesianStrategy(sampler, seed=0)
    strategy.add_point(np.array([5.0]), 25.0)
    x = strategy.next_proposal()
    with pytest.raises(ValueError, match="value must be a finite number"):
        strategy.add_point(x, value)
    with pytest.raises(ValueError, match="NaN or inf"):
        strategy.add_point([float("nan")], 1.0)
    assert strategy.values == [25.0] and strategy.model.size == 1
    np.testing.assert_array_equal(strategy.points[0], [5.0])


def test_a_one_dimensional_objectives_array_value_is_taken_as_the_original_took_it() -> None:
    """The original's tests tell `add_point(x, f(x))`: for a 1-D domain f(x) is a (1,) array, not a float."""
    np.random.seed(0)
    sampler = DefaultSampler()
    sampler.add(lambda: np.random.uniform(-10, 10))
    strategy = BayesianStrategy(sampler, seed=0)
    start = np.array([5.0])
    strategy.add_point(start, start**2)
    for _ in range(3):
        x = strategy.next_proposal()
        strategy.add_point(x, x**2)
    assert strategy.values[0] == 25.0 and all(isinstance(value, float) for value in strategy.values)
    assert strategy.values[1:] == [float(point[0] ** 2) for point in strategy.points[1:]]
    for bad in (np.array([1.0, 2.0]), "3", [1, [2, 3]], 1 + 2j):
        with pytest.raises(ValueError, match="add_point: value must be a finite number"):
            strategy.add_point(start, bad)  # type: ignore[arg-type]
    assert strategy.iteration == 4


def test_a_refused_value_keeps_the_portfolio_proposers_credit() -> None:
    """A NaN told for a portfolio's proposal is refused; the corrected retry still scores the utility."""
    np.random.seed(0)
    sampler = DefaultSampler()
    sampler.add(lambda: np.random.uniform(-10, 10))
    strategy = BayesianPortfolioStrategy(sampler, methods=["ei"], probabilities=[1.0], burn_in=3, seed=0)
    for _ in range(3):
        x = strategy.next_proposal()
        strategy.add_point(x, -float(x[0] ** 2))
    x = strategy.next_proposal()  # past the burn-in: the 'ei' utility's proposal
    with pytest.raises(ValueError, match="value must be a finite number"):
        strategy.add_point(x, float("nan"))
    assert strategy.iteration == 3 and strategy.scores[0] == 0.0
    strategy.add_point(x, 50.0)  # far above the three before: a positive reward
    assert strategy.iteration == 4 and strategy.scores[0] > 0.0
