"""hypercore._core.GaussianProcess and kernels against numpy references.

The reference kernel is written here in numpy from the closed forms (ARD RBF / Matern 5/2, categorical
coordinates by Hamming distance, the sum-and-product kernel of mixed spaces), so the C++ kernel, the
incremental Cholesky factor and the posterior are all checked against an independent dense computation:
np.linalg.solve / np.linalg.cholesky of the full matrix.
"""

import pickle

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hypercore import _core

Array = npt.NDArray[np.float64]
KINDS = ["continuous", "integer", "categorical"]


def make_space(kinds: list[str], levels: list[int]) -> _core.Space:
    """A Space from kind names and level counts (0 for continuous coordinates)."""
    return _core.Space(kinds, levels)


def canonical(kinds: list[str], levels: list[int], X: Array) -> Array:
    """Bin centres (floor(u k) + 0.5) / k for discrete coordinates, clipping for continuous ones (numpy)."""
    out = np.clip(X, 0.0, 1.0).copy()
    for j, (kind, k) in enumerate(zip(kinds, levels, strict=True)):
        if kind != "continuous":
            out[:, j] = (np.minimum(np.floor(out[:, j] * k), k - 1) + 0.5) / k
    return out


def reference_kernel(name: str, kinds: list[str], theta: Array, A: Array, B: Array) -> Array:
    """k(A_i, B_j) = s2 f(r2), r2 = sum_j delta_j^2 / l_j^2, delta_j = [a != b] for categorical coordinates; a
    space mixing categories with other coordinates gets s2 (f(r2_x) + f(r2_h) + f(r2_x) f(r2_h)) / 3, r2_x and
    r2_h the non-categorical and categorical parts of r2."""
    d = A.shape[1]
    inverse_sq = np.exp(-2.0 * theta[:d])
    delta = A[:, None, :] - B[None, :, :]
    categorical = np.array([kind == "categorical" for kind in kinds])
    sq = np.where(categorical, (delta != 0.0).astype(float), delta**2) * inverse_sq
    s2 = np.exp(theta[d])

    def profile(r2: Array) -> Array:
        if name == "rbf":
            return np.exp(-0.5 * r2)
        r = np.sqrt(r2)
        return (1.0 + np.sqrt(5.0) * r + 5.0 / 3.0 * r2) * np.exp(-np.sqrt(5.0) * r)

    if categorical.all() or not categorical.any():
        return s2 * profile(sq.sum(axis=2))
    fx, fh = profile(sq[:, :, ~categorical].sum(axis=2)), profile(sq[:, :, categorical].sum(axis=2))
    return s2 * (fx + fh + fx * fh) / 3.0


def smooth(X: Array) -> Array:
    """A smooth objective on the unit cube."""
    return (np.sin(3.0 * X + np.arange(X.shape[1])) - (X - 0.4) ** 2).sum(axis=1)


def fixed_gp(
    kinds: list[str], levels: list[int], kernel: str, theta: Array, X: Array, y: Array
) -> _core.GaussianProcess:
    """A GP with hyper-parameters theta [d + 2], filled point by point."""
    gp = _core.GaussianProcess(make_space(kinds, levels), kernel=kernel)
    gp.log_params = theta
    for x, value in zip(X, y, strict=True):
        gp.add(np.ascontiguousarray(x), float(value))
    return gp


def theta_of(d: int, length: float, signal: float, noise: float) -> Array:
    return np.array([np.log(length)] * d + [np.log(signal), np.log(noise)])


MIXED_KINDS = ["continuous", "integer", "categorical", "continuous"]
MIXED_LEVELS = [0, 6, 3, 0]


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_posterior_equals_a_dense_numpy_reference(kernel: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((40, 4))
    y = smooth(X)
    theta = theta_of(4, 0.45, 1.3, 1e-4)
    gp = fixed_gp(MIXED_KINDS, MIXED_LEVELS, kernel, theta, X, y)
    Xc = canonical(MIXED_KINDS, MIXED_LEVELS, X)
    np.testing.assert_array_equal(gp.inputs, Xc)

    K = reference_kernel(kernel, MIXED_KINDS, theta, Xc, Xc) + (gp.noise_variance + gp.jitter) * np.eye(40)
    offset, scale = y.mean(), y.std()
    Xq = rng.random((30, 4))
    Qc = canonical(MIXED_KINDS, MIXED_LEVELS, Xq)
    Ks = reference_kernel(kernel, MIXED_KINDS, theta, Xc, Qc)
    expected_mean = offset + scale * Ks.T @ np.linalg.solve(K, (y - offset) / scale)
    expected_variance = scale**2 * (np.exp(theta[4]) - np.einsum("ij,ij->j", Ks, np.linalg.solve(K, Ks)))
    mean, variance = gp.predict(Xq)
    np.testing.assert_allclose(mean, expected_mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(variance, expected_variance, rtol=0, atol=1e-8)
    assert gp.y_offset == pytest.approx(offset) and gp.y_scale == pytest.approx(scale)


def test_extra_noise_follows_the_scale_of_the_observations() -> None:
    """Extra noise is a raw-unit variance: once the y scale moves, the GP must still equal a dense reference
    whose diagonal holds extra / scale^2 for the scale of all the data (not the scale when it was added)."""
    rng = np.random.default_rng(3)
    kinds, levels = ["continuous"] * 2, [0, 0]
    X = rng.random((12, 2))
    y = smooth(X)
    extra = np.where(np.arange(12) % 3 == 0, 0.05, 0.0)
    theta = theta_of(2, 0.5, 1.0, 1e-4)
    gp = _core.GaussianProcess(make_space(kinds, levels))
    gp.log_params = theta
    for x, value, noise in zip(X, y, extra, strict=True):
        gp.add(np.ascontiguousarray(x), float(value), float(noise))
    gp.add(np.array([0.5, 0.5]), 40.0)  # the scale grows about tenfold
    X = np.vstack([X, [0.5, 0.5]])
    y = np.append(y, 40.0)
    extra = np.append(extra, 0.0)

    offset, scale = y.mean(), y.std()
    K = reference_kernel("matern52", kinds, theta, X, X)
    K += np.diag(gp.noise_variance + gp.jitter + extra / scale**2)
    Xq = rng.random((10, 2))
    Ks = reference_kernel("matern52", kinds, theta, X, Xq)
    expected_mean = offset + scale * Ks.T @ np.linalg.solve(K, (y - offset) / scale)
    mean, _ = gp.predict(Xq)
    np.testing.assert_allclose(mean, expected_mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(gp.extra_noise, extra)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 25),
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=4),
    kernel=st.sampled_from(["rbf", "matern52"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_incremental_cholesky_equals_numpy_cholesky_for_any_insertion_order(
    n: int, kinds: list[str], kernel: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    d = len(kinds)
    levels = [0 if kind == "continuous" else int(rng.integers(2, 8)) for kind in kinds]
    # continuous coordinates keep the points apart; all-discrete spaces may repeat points, hence the noise
    theta = np.concatenate([np.log(rng.uniform(0.2, 2.0, d)), [np.log(rng.uniform(0.5, 2.0)), np.log(1e-3)]])
    X = rng.random((n, d))
    order = rng.permutation(n)
    gp = fixed_gp(kinds, levels, kernel, theta, X[order], smooth(X[order]))
    Xc = canonical(kinds, levels, X[order])
    K = reference_kernel(kernel, kinds, theta, Xc, Xc) + (gp.noise_variance + gp.jitter) * np.eye(n)
    np.testing.assert_allclose(gp.cholesky_factor(), np.linalg.cholesky(K), rtol=0, atol=1e-10)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_kernel_matrix_and_gradients_match_references(kernel: str) -> None:
    rng = np.random.default_rng(1)
    space = make_space(MIXED_KINDS, MIXED_LEVELS)
    k = _core.RBFKernel(space) if kernel == "rbf" else _core.Matern52Kernel(space)
    theta = np.log(np.array([0.3, 0.7, 1.5, 0.25, 2.0]))
    k.log_params = theta
    A = canonical(MIXED_KINDS, MIXED_LEVELS, rng.random((7, 4)))
    B = canonical(MIXED_KINDS, MIXED_LEVELS, rng.random((5, 4)))
    np.testing.assert_allclose(k.matrix(A, B), reference_kernel(kernel, MIXED_KINDS, theta, A, B), rtol=1e-13)

    h = 1e-6
    for x in A:
        gradient = k.gradient_x(x, B)
        for j, kind in enumerate(MIXED_KINDS):
            if kind != "continuous":
                assert np.all(gradient[:, j] == 0.0)
                continue
            step = np.zeros(4)
            step[j] = h
            numeric = (k.matrix((x + step)[None, :], B) - k.matrix((x - step)[None, :], B))[0] / (2 * h)
            np.testing.assert_allclose(gradient[:, j], numeric, atol=1e-7)
    for a in A[:3]:
        for b in B[:3]:
            numeric = np.empty(5)
            for j in range(5):
                step = np.zeros(5)
                step[j] = h
                plus = reference_kernel(kernel, MIXED_KINDS, theta + step, a[None], b[None])[0, 0]
                minus = reference_kernel(kernel, MIXED_KINDS, theta - step, a[None], b[None])[0, 0]
                numeric[j] = (plus - minus) / (2 * h)
            np.testing.assert_allclose(k.gradient_params(a, b), numeric, atol=1e-7)


def test_log_marginal_likelihood_and_its_gradient() -> None:
    rng = np.random.default_rng(2)
    X = rng.random((30, 4))
    y = smooth(X)
    theta = theta_of(4, 0.5, 1.0, 1e-3)
    gp = fixed_gp(MIXED_KINDS, MIXED_LEVELS, "matern52", theta, X, y)
    Xc = canonical(MIXED_KINDS, MIXED_LEVELS, X)
    ys = (y - y.mean()) / y.std()
    K = reference_kernel("matern52", MIXED_KINDS, theta, Xc, Xc) + gp.noise_variance * np.eye(30)
    _, log_det = np.linalg.slogdet(K)
    expected = -0.5 * ys @ np.linalg.solve(K, ys) - 0.5 * log_det - 15.0 * np.log(2 * np.pi)
    assert gp.log_marginal_likelihood() == pytest.approx(expected, abs=1e-9)

    probe = np.log(np.array([0.3, 0.8, 1.4, 0.6, 1.5, 2e-3]))
    value, gradient = gp.log_marginal_likelihood(probe)
    h = 1e-5
    numeric = np.array(
        [
            (gp.log_marginal_likelihood(probe + h * e)[0] - gp.log_marginal_likelihood(probe - h * e)[0])
            / (2 * h)
            for e in np.eye(6)
        ]
    )
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-6)
    prior, prior_gradient = gp.log_prior(probe)
    numeric_prior = np.array(
        [(gp.log_prior(probe + h * e)[0] - gp.log_prior(probe - h * e)[0]) / (2 * h) for e in np.eye(6)]
    )
    np.testing.assert_allclose(prior_gradient, numeric_prior, atol=1e-8)
    assert np.isfinite(value) and np.isfinite(prior)


def test_fit_improves_the_objective_and_is_seeded() -> None:
    rng = np.random.default_rng(3)
    X = rng.random((40, 3))
    start = theta_of(3, 3.0, 0.3, 1e-1)
    gp = fixed_gp(["continuous"] * 3, [0] * 3, "matern52", start, X, smooth(X))
    before = gp.log_marginal_likelihood() + gp.log_prior(start)[0]
    result = gp.fit(seed=4)
    assert result["log_likelihood"] > before
    np.testing.assert_array_equal(gp.log_params, result["theta"])
    lower, upper = gp.log_param_bounds
    assert np.all(result["theta"] >= lower) and np.all(result["theta"] <= upper)
    again = fixed_gp(["continuous"] * 3, [0] * 3, "matern52", start, X, smooth(X))
    np.testing.assert_array_equal(again.fit(seed=4)["theta"], result["theta"])


def test_pickling_round_trips_a_gp() -> None:
    rng = np.random.default_rng(5)
    X = rng.random((25, 4))
    gp = _core.GaussianProcess(make_space(MIXED_KINDS, MIXED_LEVELS), kernel="rbf", prior_mean="max")
    gp.add_batch(X, smooth(X), extra_noise=rng.uniform(0.0, 0.01, 25))
    gp.fit(seed=1)
    clone = pickle.loads(pickle.dumps(gp))
    Xq = rng.random((20, 4))
    for a, b in zip(gp.predict(Xq), clone.predict(Xq), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(clone.log_params, gp.log_params)
    np.testing.assert_array_equal(clone.inputs, gp.inputs)
    np.testing.assert_array_equal(clone.extra_noise, gp.extra_noise)
    assert (clone.kernel_name, clone.prior_mean, clone.space.kinds) == ("rbf", "max", MIXED_KINDS)
    copied = gp.copy()
    copied.add(np.full(4, 0.5), 1.0)
    assert len(copied) == 26 and len(gp) == 25


def test_one_dimensional_gp_keeps_two_dimensional_shapes() -> None:
    gp = _core.GaussianProcess(_core.Space(1))
    gp.add_batch(np.array([[0.1], [0.6]]), np.array([1.0, 2.0]))
    assert gp.inputs.shape == (2, 1)
    points, scores = _core.suggest(gp, seed=1)
    assert points.shape == (1, 1) and scores.shape == (1,)
    assert pickle.loads(pickle.dumps(gp)).inputs.shape == (2, 1)
    single = _core.GaussianProcess(_core.Space(2))
    single.add(np.array([0.5, 0.5]), 1.0)
    assert single.cholesky_factor().shape == (1, 1)


def test_duplicates_and_constant_values_stay_finite() -> None:
    gp = _core.GaussianProcess(_core.Space(2), noise_variance=1e-300, fixed_noise=True)
    x = np.array([0.3, 0.7])
    for value in (1.0, 1.0, 1.0, 1.0):
        gp.add(x, value)
    gp.add(np.array([0.9, 0.1]), 1.0)
    assert gp.jitter > 0.0
    mean, variance = gp.predict(np.random.default_rng(6).random((10, 2)))
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(variance)) and np.all(variance > 0)
    np.testing.assert_allclose(mean, 1.0)


def test_unrepairable_factorization_raises_lin_alg_error() -> None:
    assert issubclass(_core.LinAlgError, ArithmeticError)
    gp = _core.GaussianProcess(_core.Space(2))
    gp.add_batch(np.array([[0.1, 0.2], [0.5, 0.5], [0.9, 0.3]]), np.array([1.0, 2.0, 0.5]))
    before = gp.log_params
    with pytest.raises(_core.LinAlgError, match="not a positive finite number"):
        gp.log_params = np.array([0.0, 0.0, 800.0, -5.0])  # e^800: the signal variance overflows
    with pytest.raises(_core.LinAlgError, match="not positive definite"):
        gp.log_params = np.array([-400.0, 0.0, 0.0, -5.0])  # 1 / l^2 overflows: k(x, x) is NaN
    np.testing.assert_array_equal(gp.log_params, before)
    assert np.all(np.isfinite(gp.predict(np.array([[0.4, 0.4]]))[0]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs_raise_value_error(bad: float) -> None:
    gp = _core.GaussianProcess(_core.Space(2))
    with pytest.raises(ValueError, match="x"):
        gp.add(np.array([0.5, bad]), 1.0)
    with pytest.raises(ValueError, match="y"):
        gp.add(np.array([0.5, 0.5]), bad)
    with pytest.raises(ValueError, match="X"):
        gp.add_batch(np.array([[0.5, bad]]), np.array([1.0]))
    with pytest.raises(ValueError, match="X"):
        gp.predict(np.array([[bad, 0.5]]))
    with pytest.raises(ValueError, match="theta"):
        gp.log_params = np.array([0.0, bad, 0.0, -5.0])
    with pytest.raises(ValueError, match="pending"):
        _core.suggest(gp, pending=np.array([[0.5, bad]]))
    assert len(gp) == 0


def test_bad_names_raise_value_error() -> None:
    with pytest.raises(ValueError, match="kernel"):
        _core.GaussianProcess(_core.Space(2), kernel="linear")
    with pytest.raises(ValueError, match="prior_mean"):
        _core.GaussianProcess(_core.Space(2), prior_mean="median")
    with pytest.raises(ValueError, match="kinds"):
        _core.Space(["continuous", "ordinal"], [0, 3])
    with pytest.raises(ValueError, match="noise_variance"):
        _core.GaussianProcess(_core.Space(2), noise_variance=0.0)
