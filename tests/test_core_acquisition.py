"""hypercore._core.Acquisition and ucb_beta against scipy.stats.norm closed forms and finite differences."""

import numpy as np
import pytest
from scipy.stats import norm

from hypercore import _core

MU = np.linspace(-3.0, 3.0, 25)
SIGMA = np.geomspace(1e-3, 5.0, 25)


@pytest.mark.parametrize("threshold", [-1.0, 0.0, 0.8])
def test_values_match_scipy_closed_forms(threshold: float) -> None:
    mu, sigma = (a.ravel().copy() for a in np.meshgrid(MU, SIGMA))
    z = (mu - threshold) / sigma
    pi = _core.Acquisition("pi", threshold=threshold).value(mu, sigma)
    ei = _core.Acquisition("ei", threshold=threshold).value(mu, sigma)
    ucb = _core.Acquisition("ucb", threshold=threshold, beta=1.7).value(mu, sigma)
    np.testing.assert_allclose(pi, norm.cdf(z), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(ei, sigma * (z * norm.cdf(z) + norm.pdf(z)), rtol=1e-9, atol=1e-14)
    # to rounding: mu + beta sigma may be one fused multiply-add (exact product) where it nearly cancels
    np.testing.assert_allclose(ucb, mu + 1.7 * sigma, rtol=1e-15, atol=1e-15)


def test_scores_are_log_pi_log_ei_and_ucb() -> None:
    mu, sigma = (a.ravel().copy() for a in np.meshgrid(MU, np.geomspace(0.05, 5.0, 10)))
    z = (mu - 0.5) / sigma
    keep = z > -20  # where the values themselves are still normal doubles
    score, _, _ = _core.Acquisition("pi", threshold=0.5).score(mu, sigma)
    np.testing.assert_allclose(score[keep], norm.logcdf(z[keep]), rtol=1e-12, atol=1e-15)
    score, _, _ = _core.Acquisition("ei", threshold=0.5).score(mu, sigma)
    ei = sigma[keep] * (z[keep] * norm.cdf(z[keep]) + norm.pdf(z[keep]))
    np.testing.assert_allclose(score[keep], np.log(ei), rtol=1e-9, atol=1e-15)  # atol: log EI near 0


def test_log_ei_is_finite_and_increasing_far_below_the_threshold() -> None:
    mu = np.linspace(-1e4, 1.0, 200_001)
    sigma = np.ones_like(mu)
    for kind in ("pi", "ei"):
        score, dmu, _ = _core.Acquisition(kind, threshold=1.0).score(mu, sigma)
        assert np.all(np.isfinite(score)) and np.all(np.isfinite(dmu))
        assert np.all(np.diff(score) > 0)
        assert np.all(dmu > 0)
    score, _, _ = _core.Acquisition("pi", threshold=0.0).score(np.array([-40.0]), np.array([1.0]))
    assert score[0] == pytest.approx(norm.logcdf(-40.0), rel=1e-13)


@pytest.mark.parametrize("kind", ["pi", "ei", "ucb"])
def test_score_gradients_match_central_differences(kind: str) -> None:
    acquisition = _core.Acquisition(kind, threshold=0.8, beta=1.3)
    mu, sigma = (a.ravel().copy() for a in np.meshgrid([-40.0, -5.0, -1.0, 0.0, 0.8, 2.0], [0.1, 0.5, 2.0]))
    _, dmu, dsigma = acquisition.score(mu, sigma)
    h = 1e-6
    numeric_mu = (acquisition.score(mu + h, sigma)[0] - acquisition.score(mu - h, sigma)[0]) / (2 * h)
    numeric_sigma = (acquisition.score(mu, sigma + h)[0] - acquisition.score(mu, sigma - h)[0]) / (2 * h)
    np.testing.assert_allclose(dmu, numeric_mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dsigma, numeric_sigma, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("dim", "n", "delta"), [(1, 1, 0.1), (3, 10, 0.05), (10, 500, 0.5), (2, 0, 0.1)])
def test_ucb_beta_formula(dim: int, n: int, delta: float) -> None:
    count = max(n, 1)
    expected = np.sqrt(2.0 * np.log(dim * count**2 * np.pi**2 / (6.0 * delta)))
    assert _core.ucb_beta(dim, n, delta) == pytest.approx(expected, rel=1e-14)


def test_bad_acquisition_arguments_raise_value_error() -> None:
    with pytest.raises(ValueError, match="delta"):
        _core.ucb_beta(2, 5, 1.5)
    with pytest.raises(ValueError, match="acquisition"):
        _core.Acquisition("thompson")
    with pytest.raises(ValueError, match="beta"):
        _core.Acquisition("ucb", beta=-1.0)
    with pytest.raises(ValueError, match="sigma"):
        _core.Acquisition("ei").value(np.array([0.0]), np.array([0.0]))
    with pytest.raises(ValueError, match="sigma"):
        _core.Acquisition("ei").score(np.array([0.0, 1.0]), np.array([1.0]))
