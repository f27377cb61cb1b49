"""The original BayesianStrategy API: every parameter, the proposal/observation loop, utilities against their
closed forms (scipy) on the model's posterior, the DefaultSampler and the space-filling burn-in."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from scipy import linalg, stats
from scipy.stats import norm

from hyperengine.bayesian import (
    BaseKernel,
    BaseUtility,
    BayesianStrategy,
    DefaultSampler,
    ExpectedImprovement,
    GaussianProcessModel,
    Matern52,
    ProbabilityOfImprovement,
    RadialBasisFunction,
    RandomPoint,
    UpperConfidenceBound,
)


def sampler_of(dim: int, seed: int = 0) -> DefaultSampler:
    sampler = DefaultSampler(seed=seed)
    sampler.add_uniform(dim)
    return sampler


def bowl(point: npt.NDArray[np.float64]) -> float:
    """A smooth 2-D objective with its maximum 0 at (0.3, 0.6)."""
    return -float((point[0] - 0.3) ** 2 + 2.0 * (point[1] - 0.6) ** 2)


def run(strategy: BayesianStrategy, steps: int) -> None:
    for _ in range(steps):
        point = strategy.next_proposal()
        strategy.add_point(point, bowl(point))


class MeanUtility(BaseUtility):
    """A user-defined utility: the posterior mean (no compiled counterpart)."""

    def __init__(self, model: GaussianProcessModel, **params: float) -> None:
        super().__init__(model)
        self.params = params
        self.batch_sizes: list[int] = []  # shared with the copies the Monte-Carlo maximizer makes

    def compute_values(self, batch: npt.ArrayLike) -> npt.NDArray[np.float64]:
        self.batch_sizes.append(len(np.atleast_2d(batch)))
        return self.model.predict(batch)[0]


# -- the loop ---------------------------------------------------------------------------------------------------
def test_next_proposal_add_point_iteration_points_values() -> None:
    strategy = BayesianStrategy(sampler_of(2), seed=0)
    assert strategy.iteration == 0 and strategy.points == [] and strategy.values == []
    observed = []
    for _ in range(8):
        point = strategy.next_proposal()
        assert point.shape == (2,) and np.all((point >= 0) & (point <= 1))
        strategy.add_point(point, bowl(point))
        observed.append((point, bowl(point)))
    assert strategy.iteration == 8
    np.testing.assert_array_equal(np.array(strategy.points), np.array([p for p, _ in observed]))
    assert strategy.values == [v for _, v in observed]
    assert strategy.model.size == 8


def test_same_seed_same_proposals_other_seed_other_proposals() -> None:
    def trace(seed: int) -> npt.NDArray[np.float64]:
        strategy = BayesianStrategy(sampler_of(2, seed), seed=seed)
        run(strategy, 9)
        return np.array(strategy.points)

    np.testing.assert_array_equal(trace(3), trace(3))
    assert not np.allclose(trace(3), trace(4))


def test_add_point_rejects_bad_points_and_values() -> None:
    strategy = BayesianStrategy(sampler_of(2), seed=0)
    with pytest.raises(ValueError, match="3 coordinates, the space has 2"):
        strategy.add_point([0.1, 0.2, 0.3], 1.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        strategy.add_point([0.1, math.nan], 1.0)
    for value in (math.nan, math.inf, None):
        with pytest.raises(ValueError, match="finite number"):
            strategy.add_point([0.1, 0.2], value)  # type: ignore[arg-type]
    assert strategy.iteration == 0 and strategy.model.size == 0
    with pytest.raises(ValueError, match="count must be at least 1"):
        strategy.next_proposals(0)
    with pytest.raises(ValueError, match="pending points contain NaN"):
        strategy.next_proposals(1, pending=[[math.nan, 0.5]])


@pytest.mark.parametrize(("params", "message"), [
    ({"utility_gen": "lcb"}, "utility_gen must be"),
    ({"utility_gen": lambda model, **kw: object()}, "must return a BaseUtility"),
    ({"burn_in": -1}, "burn_in must be non-negative"),
    ({"mu_prior_gen": "min"}, "mu_prior_gen must be"),
    ({"kernel_gen": "linear"}, "kernel_gen must be"),
    ({"kernel_gen": lambda: "rbf"}, "kernel_gen must return a BaseKernel"),
    ({"kernel_gen": "rbf", "rbf_gamma": 0.0}, "rbf_gamma must be a positive number"),
    ({"noise_sigma": 0.0}, "noise_sigma must be a positive number"),
    ({"noise_sigma": math.inf}, "noise_sigma must be a positive number"),
    ({"ucb_delta": 1.5}, "ucb_delta must be in"),
    ({"ucb_delta": 0.0}, "ucb_delta must be in"),
    ({"pi_epsilon": math.nan}, "pi_epsilon must be finite"),
    ({"ei_epsilon": math.inf}, "ei_epsilon must be finite"),
    ({"maximizer_gen": "lbfgs"}, "maximizer_gen must be 'core' or 'mc'"),
    ({"maximizer_gen": "mc", "mc_batch_size": 0}, "mc_batch_size must be positive"),
    ({"maximizer_gen": "mc", "mc_tweak_probability": 1.5}, "mc_tweak_probability must be in"),
    ({"maximizer_gen": "mc", "mc_flip_probability": -0.1}, "mc_flip_probability must be in"),
    ({"fantasy": "optimist"}, "fantasy must be one of"),
])
def test_invalid_parameters_are_named(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BayesianStrategy(sampler_of(2), **params)  # type: ignore[arg-type]


def test_an_unknown_parameter_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'ucb_detla'"):
        BayesianStrategy(sampler_of(2), ucb_detla=0.1)  # type: ignore[call-arg]


# -- each parameter has its effect ------------------------------------------------------------------------------
@pytest.mark.parametrize(("utility_gen", "kind"), [
    ("ei", ExpectedImprovement), ("pi", ProbabilityOfImprovement), ("ucb", UpperConfidenceBound),
    ("rand", RandomPoint)])
def test_utility_gen_names(utility_gen: str, kind: type[BaseUtility]) -> None:
    strategy = BayesianStrategy(sampler_of(2), utility_gen=utility_gen, seed=1)
    assert isinstance(strategy._utility, kind)
    run(strategy, 7)  # past the burn-in: the utility proposes
    assert strategy.iteration == 7


def test_rand_utility_proposes_the_samplers_points() -> None:
    """'rand' after the burn-in is pure random search over the sampler's candidates."""
    sampler = DefaultSampler(seed=0)
    sampler.add(lambda size: np.full(size, 0.25))
    sampler.add_uniform(1)
    strategy = BayesianStrategy(sampler, utility_gen="rand", burn_in=2, seed=0)
    run(strategy, 2)
    for _ in range(4):
        point = strategy.next_proposal()
        assert point[0] == 0.25
        strategy.add_point(point, bowl(point))


@pytest.mark.parametrize("maximizer_gen", ["core", "mc"])
def test_a_callable_utility_gets_the_parameters_and_is_maximized(maximizer_gen: str) -> None:
    """utility_gen(model, **params) is the original's hook; its utility has no compiled acquisition, so it is
    maximized over compute_values by Monte Carlo whatever maximizer_gen says."""
    made: list[MeanUtility] = []

    def utility_gen(model: GaussianProcessModel, **params: float) -> MeanUtility:
        made.append(MeanUtility(model, **params))
        return made[-1]

    strategy = BayesianStrategy(sampler_of(2), utility_gen=utility_gen, maximizer_gen=maximizer_gen,
                                mc_batch_size=4000, burn_in=6, ucb_delta=0.3, seed=0)
    assert made[0].params == {"ucb_delta": 0.3, "pi_epsilon": 0.0, "ei_epsilon": 0.0}
    run(strategy, 14)
    assert made[0].batch_sizes and set(made[0].batch_sizes) == {4000}  # mc_batch_size candidates each time
    # Maximizing the posterior mean of a bowl converges on its top.
    assert max(strategy.values) > -0.01


def test_mc_maximizer_parameters() -> None:
    """mc_tweak_probability=0: every candidate comes from the sampler (here a constant first coordinate);
    mc_tweak_probability=1 without flips: every candidate is a small tweak of the best point."""
    sampler = DefaultSampler(seed=0)
    sampler.add(lambda: 0.75)  # a one-value-per-call generator
    sampler.add_uniform(1)
    plain = BayesianStrategy(sampler, maximizer_gen="mc", mc_batch_size=64, mc_tweak_probability=0.0,
                             burn_in=3, seed=0)
    run(plain, 3)
    for _ in range(3):
        point = plain.next_proposal()
        assert point[0] == 0.75
        plain.add_point(point, bowl(point))

    tweaked = BayesianStrategy(sampler_of(2), maximizer_gen="mc", mc_batch_size=64, mc_tweak_probability=1.0,
                               mc_flip_probability=0.0, burn_in=4, seed=0)
    run(tweaked, 6)
    best = tweaked.points[int(np.argmax(tweaked.values))]
    point = tweaked.next_proposal()
    assert np.max(np.abs(point - best)) < 0.05 * 6  # a Gaussian tweak of scale 0.05, not a fresh draw


def test_mu_prior_gen_sets_the_gp_prior_mean() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]  # smooth in the point: the GP interpolates them
    points = np.linspace(0.0, 0.4, 5)[:, None]
    offsets = {"mean": np.mean(values), "max": np.max(values)}
    for prior, offset in offsets.items():  # on the values as they are (the output transform off)
        strategy = BayesianStrategy(sampler_of(1), mu_prior_gen=prior, seed=0, output_transform=None)
        for point, value in zip(points, values, strict=True):
            strategy.add_point(point, value)
        assert strategy.model.gp.prior_mean == prior
        assert strategy.model.gp.y_offset == pytest.approx(offset)
    # 'fitted' (the default): the generalized-least-squares constant (1' K^-1 y) / (1' K^-1 1)
    fitted = BayesianStrategy(sampler_of(1), seed=0, output_transform=None)
    for point, value in zip(points, values, strict=True):
        fitted.add_point(point, value)
    factor = fitted.model.gp.cholesky_factor()
    ones = linalg.solve_triangular(factor, np.ones(5), lower=True)
    whitened = linalg.solve_triangular(factor, np.asarray(values), lower=True)
    assert fitted.model.gp.prior_mean == "fitted"
    assert fitted.model.gp.y_offset == pytest.approx(ones @ whitened / (ones @ ones))
    seen: list[npt.NDArray[np.float64]] = []

    def prior_gen(observed: npt.NDArray[np.float64]) -> float:
        seen.append(observed.copy())
        return float(np.min(observed)) - 7.0

    strategy = BayesianStrategy(sampler_of(1), mu_prior_gen=prior_gen, seed=0)
    for point, value in zip(points, values, strict=True):
        strategy.add_point(point, value)
    np.testing.assert_array_equal(seen[-1], values)
    # The callable's value is subtracted before the GP sees the data, and added back to predictions.
    np.testing.assert_allclose(strategy.model.gp.targets, np.array(values) - (1.0 - 7.0))
    mean, _ = strategy.model.predict(points)
    np.testing.assert_allclose(mean, values, atol=0.2)


def test_output_transform_warps_the_values_monotonically_and_maps_predictions_back() -> None:
    """The default Yeo-Johnson warping: the GP's targets equal scipy's yeojohnson of the standardized values
    with the maximum-likelihood exponent; the order of the values is kept; raw predictions come back in the
    values' units."""
    rng = np.random.default_rng(4)
    points = rng.random((30, 2))
    values = -np.exp(4.0 * points.sum(axis=1))  # heavy left tail: a few very bad values
    strategy = BayesianStrategy(sampler_of(2), seed=0, burn_in=0)
    for point, value in zip(points, values, strict=True):
        strategy.add_point(point, value)
    z = (values - values.mean()) / values.std()
    lam = float(np.clip(stats.yeojohnson_normmax(z), 0.0, 2.0))  # the exponent is kept within [0, 2]
    expected = stats.yeojohnson(z, lmbda=lam)
    targets = strategy.model.gp.targets
    assert lam > 1.0  # a left tail is compressed by an exponent above 1
    np.testing.assert_allclose(targets, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(np.argsort(targets), np.argsort(values))
    mean, _ = strategy.model.predict(points)
    np.testing.assert_allclose(mean, values, rtol=0.05)

    plain = BayesianStrategy(sampler_of(2), seed=0, burn_in=0, output_transform=None)
    for point, value in zip(points, values, strict=True):
        plain.add_point(point, value)
    np.testing.assert_array_equal(plain.model.gp.targets, values)
    with pytest.raises(ValueError, match="output_transform"):
        BayesianStrategy(sampler_of(2), output_transform="log")


def test_kernel_gen_and_rbf_gamma() -> None:
    assert BayesianStrategy(sampler_of(2)).model.gp.kernel_name == "matern52"
    rbf = BayesianStrategy(sampler_of(2), kernel_gen="rbf", rbf_gamma=8.0)
    assert rbf.model.gp.kernel_name == "rbf"
    # gamma sets the starting length scale 1 / sqrt(2 gamma) (then fitted to data).
    np.testing.assert_allclose(np.exp(rbf.model.gp.log_params[:2]), 0.25)

    class ShortRbf(RadialBasisFunction):
        pass

    custom = BayesianStrategy(sampler_of(2), kernel_gen=lambda: ShortRbf(50.0))
    np.testing.assert_allclose(np.exp(custom.model.gp.log_params[:2]), 0.1)
    assert isinstance(Matern52(), BaseKernel)


def test_kernel_compute_matches_the_closed_form() -> None:
    """RadialBasisFunction(gamma).compute is the original's exp(-gamma |x - y|^2) before any fitting."""
    rng = np.random.default_rng(0)
    a, b = rng.random((4, 3)), rng.random((5, 3))
    squared = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    np.testing.assert_allclose(RadialBasisFunction(2.0).compute(a, b), np.exp(-2.0 * squared), rtol=1e-10)
    with pytest.raises(ValueError, match="3 and 2 coordinates"):
        RadialBasisFunction().compute(a, b[:, :2])


def test_noise_sigma_fixes_the_noise() -> None:
    strategy = BayesianStrategy(sampler_of(2), noise_sigma=0.1, seed=0)
    run(strategy, 8)
    assert strategy.model.gp.fixed_noise
    assert strategy.model.gp.noise_variance == pytest.approx(0.01)
    fitted = BayesianStrategy(sampler_of(2), seed=0)
    run(fitted, 8)
    assert not fitted.model.gp.fixed_noise


# -- utilities against their closed forms -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def fitted_model() -> GaussianProcessModel:
    """A model on the raw values (no output warping), so the utilities can be checked in raw units."""
    strategy = BayesianStrategy(sampler_of(2), seed=5, output_transform=None)
    run(strategy, 10)
    return strategy.model


def test_utilities_match_scipy_closed_forms(fitted_model: GaussianProcessModel) -> None:
    model = fitted_model
    batch = np.random.default_rng(1).random((40, 2))
    mean, variance = model.predict(batch)  # raw units
    sigma = np.sqrt(variance)
    best = model.best_value
    for epsilon in (0.0, 0.05):
        tau = best + epsilon
        z = (mean - tau) / sigma
        pi = ProbabilityOfImprovement(model, epsilon).compute_values(batch)
        np.testing.assert_allclose(pi, norm.cdf(z), rtol=1e-7, atol=1e-12)
        # EI is computed in the GP's standardized units: raw EI divided by the output scale.
        ei = ExpectedImprovement(model, epsilon).compute_values(batch)
        raw_ei = (mean - tau) * norm.cdf(z) + sigma * norm.pdf(z)
        np.testing.assert_allclose(ei * model.gp.y_scale, raw_ei, rtol=1e-6, atol=1e-12)
    delta = 0.2
    beta = math.sqrt(2.0 * math.log(model.dim * model.size**2 * math.pi**2 / (6.0 * delta)))
    ucb = UpperConfidenceBound(model, delta)
    assert ucb.beta() == pytest.approx(beta)
    std_mean, std_variance = model.predict(batch, standardized=True)
    np.testing.assert_allclose(ucb.compute_values(batch), std_mean + beta * np.sqrt(std_variance), rtol=1e-10)
    np.testing.assert_allclose(std_mean * model.gp.y_scale + model.gp.y_offset, mean, rtol=1e-10)


def test_random_point_utility_is_uniform_noise(fitted_model: GaussianProcessModel) -> None:
    values = RandomPoint(fitted_model, seed=0).compute_values(np.zeros((500, 2)))
    assert values.shape == (500,) and 0.4 < values.mean() < 0.6 and len(set(values.tolist())) == 500


# -- the sampler ------------------------------------------------------------------------------------------------
def test_default_sampler_add_add_uniform_sample() -> None:
    sampler = DefaultSampler(seed=0)
    assert sampler.dim == 0 and sampler.sample(3).shape == (3, 0)
    sampler.add(lambda size: np.linspace(0.0, 1.0, size))  # vectorized
    sampler.add(lambda: 0.5)  # one value per call
    sampler.add_uniform(2)
    assert sampler.dim == 4
    batch = sampler.sample(1000)
    assert batch.shape == (1000, 4) and batch.dtype == np.float64
    np.testing.assert_array_equal(batch[:, 0], np.linspace(0.0, 1.0, 1000))
    assert np.all(batch[:, 1] == 0.5)
    assert np.all((batch[:, 2:] >= 0) & (batch[:, 2:] < 1))
    assert abs(batch[:, 2:].mean() - 0.5) < 0.05 and abs(np.corrcoef(batch[:, 2], batch[:, 3])[0, 1]) < 0.1
    np.testing.assert_array_equal(sampler_of(2, seed=7).sample(5), sampler_of(2, seed=7).sample(5))
    assert not np.allclose(sampler_of(2, seed=7).sample(5), sampler_of(2, seed=8).sample(5))


def test_default_sampler_errors() -> None:
    sampler = DefaultSampler()
    with pytest.raises(TypeError, match="expects a callable"):
        sampler.add(0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        sampler.add_uniform(-1)
    with pytest.raises(ValueError, match="size must be positive"):
        sampler.sample(0)


# -- the burn-in ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("dim", "burn_in"), [(1, 5), (3, 7), (6, 10)])
def test_burn_in_is_a_latin_hypercube(dim: int, burn_in: int) -> None:
    """Every coordinate's [0, 1] is cut into burn_in bins and each bin holds exactly one burn-in point."""
    strategy = BayesianStrategy(sampler_of(dim), burn_in=burn_in, seed=2)
    points = np.array([strategy.next_proposal() for _ in range(burn_in)])  # asked before any value is told
    bins = np.floor(points * burn_in).astype(int)
    for coordinate in range(dim):
        assert sorted(bins[:, coordinate]) == list(range(burn_in))
    assert strategy.burn_in == burn_in


def test_burn_in_batches_walk_through_the_design() -> None:
    strategy = BayesianStrategy(sampler_of(2), burn_in=6, seed=0)
    first = strategy.next_proposals(4)
    second = strategy.next_proposals(2)
    design = np.vstack([first, second])
    assert len({tuple(row) for row in design}) == 6
    assert sorted(np.floor(design[:, 0] * 6).astype(int)) == list(range(6))


def test_default_burn_in_grows_with_the_dimension() -> None:
    assert [BayesianStrategy(sampler_of(d)).burn_in for d in (1, 2, 3, 5, 8)] == [7, 8, 9, 10, 10]


def test_burn_in_zero_starts_from_the_sampler() -> None:
    strategy = BayesianStrategy(sampler_of(2), burn_in=0, seed=0)
    run(strategy, 4)
    assert strategy.iteration == 4
