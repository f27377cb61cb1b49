"""Zero-copy array passing in hypercore._core: outputs written into the caller's arrays, and every array that
cannot be viewed as-is (wrong dtype, order, shape, read-only) refused with a ValueError naming the argument."""

import numpy as np
import pytest

from hypercore import _core


@pytest.fixture(name="gp")
def fixture_gp() -> _core.GaussianProcess:
    rng = np.random.default_rng(0)
    gp = _core.GaussianProcess(_core.Space(3))
    X = rng.random((20, 3))
    gp.add_batch(X, np.sin(X).sum(axis=1))
    return gp


def test_predict_writes_into_the_callers_arrays(gp: _core.GaussianProcess) -> None:
    Xq = np.random.default_rng(1).random((50, 3))
    out_mean = np.full(50, np.nan)
    out_variance = np.full(50, np.nan)
    mean, variance = gp.predict(Xq, mean=out_mean, variance=out_variance)
    assert mean is out_mean and variance is out_variance
    assert np.shares_memory(mean, out_mean) and np.shares_memory(variance, out_variance)
    fresh_mean, fresh_variance = gp.predict(Xq)
    np.testing.assert_array_equal(out_mean, fresh_mean)
    np.testing.assert_array_equal(out_variance, fresh_variance)
    # a view into a larger buffer is written in place too
    block = np.zeros((2, 50))
    gp.predict(Xq, mean=block[0], variance=block[1])
    np.testing.assert_array_equal(block[0], fresh_mean)


@pytest.mark.parametrize(
    ("name", "array", "message"),
    [
        ("mean", np.zeros(10, dtype=np.float32), "float64"),
        ("mean", np.zeros(20)[::2], "C-contiguous"),
        ("mean", np.zeros(11), "shape"),
        ("mean", np.zeros((10, 1)), "dimensions"),
        ("variance", np.zeros(9), "shape"),
        ("variance", np.zeros(10, dtype=np.int64), "float64"),
    ],
)
def test_bad_output_arrays_raise_value_error_naming_them(
    gp: _core.GaussianProcess, name: str, array: np.ndarray, message: str
) -> None:
    Xq = np.random.default_rng(2).random((10, 3))
    with pytest.raises(ValueError, match=f"^{name}: .*{message}"):
        gp.predict(Xq, **{name: array})


def test_read_only_output_is_refused(gp: _core.GaussianProcess) -> None:
    out = np.zeros(4)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="^mean: .*read-only"):
        gp.predict(np.full((4, 3), 0.5), mean=out)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.full((4, 3), 0.5, dtype=np.float32), "float64"),
        (np.asfortranarray(np.random.default_rng(3).random((4, 3))), "C-contiguous"),
        (np.full((4, 2), 0.5), "shape"),
        (np.full(3, 0.5), "dimensions"),
        (np.full((4, 3), 0.5).astype(">f8"), "float64"),
    ],
)
def test_bad_input_arrays_raise_value_error_naming_them(
    gp: _core.GaussianProcess, X: np.ndarray, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^X: .*{message}"):
        gp.predict(X)
    with pytest.raises(ValueError, match=f"^X: .*{message}"):
        gp.add_batch(X, np.zeros(X.shape[0] if X.ndim else 1))


def test_other_arguments_are_checked_by_name(gp: _core.GaussianProcess) -> None:
    with pytest.raises(ValueError, match="^x: "):
        gp.add(np.full(3, 0.5, dtype=np.float32), 1.0)
    with pytest.raises(ValueError, match="^x: .*shape"):
        gp.add(np.full(4, 0.5), 1.0)
    with pytest.raises(ValueError, match="^y: .*shape"):
        gp.add_batch(np.full((2, 3), 0.5), np.zeros(3))
    with pytest.raises(ValueError, match="^extra_noise: .*shape"):
        gp.add_batch(np.full((2, 3), 0.5), np.zeros(2), extra_noise=np.zeros(1))
    with pytest.raises(ValueError, match="^theta: .*shape"):
        gp.log_params = np.zeros(4)
    with pytest.raises(ValueError, match="^pending: .*shape"):
        _core.suggest(gp, pending=np.full((1, 2), 0.5))
    with pytest.raises(ValueError, match="^B: .*shape"):
        _core.RBFKernel(_core.Space(3)).matrix(np.zeros((2, 3)), np.zeros((2, 4)))
    assert len(gp) == 20  # nothing was added by the refused calls


def test_results_have_documented_shapes(gp: _core.GaussianProcess) -> None:
    assert gp.inputs.shape == (20, 3) and gp.targets.shape == (20,)
    assert gp.cholesky_factor().shape == (20, 20)
    assert gp.log_params.shape == (5,)
    kernel = _core.Matern52Kernel(_core.Space(3))
    assert kernel.matrix(np.zeros((4, 3)), np.zeros((1, 3))).shape == (4, 1)
    assert kernel.gradient_x(np.zeros(3), np.zeros((2, 3))).shape == (2, 3)
    assert kernel.gradient_params(np.zeros(3), np.ones(3)).shape == (4,)
    mean, variance, dmean, dvariance = gp.predict_with_gradient(np.full(3, 0.5))
    assert isinstance(mean, float) and variance > 0 and dmean.shape == (3,) and dvariance.shape == (3,)
