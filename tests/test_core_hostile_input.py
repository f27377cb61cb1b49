"""Hostile input into every binding of hypercore._core ends in ValueError or LinAlgError, never a crash or
another exception: uninitialized objects (`Cls.__new__(Cls)`), lists instead of arrays, and hypothesis-drawn
arrays (any dtype, shape, layout, NaN/inf/huge values) and parameters into each function."""

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hypercore import _core


def uninitialized(cls: type) -> Any:
    """An instance made by `__new__` alone, as pickling does before `__setstate__`."""
    return cls.__new__(cls)


def fitted_gp(dim: int = 2) -> _core.GaussianProcess:
    rng = np.random.default_rng(0)
    gp = _core.GaussianProcess(_core.Space(dim))
    X = rng.random((8, dim))
    gp.add_batch(X, X.sum(axis=1))
    return gp


GP_CALLS: dict[str, Callable[[_core.GaussianProcess], object]] = {
    "len": len,
    "size": lambda gp: gp.size,
    "dim": lambda gp: gp.dim,
    "space": lambda gp: gp.space,
    "log_params": lambda gp: gp.log_params,
    "inputs": lambda gp: gp.inputs,
    "add": lambda gp: gp.add(np.zeros(2), 1.0),
    "add_batch": lambda gp: gp.add_batch(np.zeros((1, 2)), np.zeros(1)),
    "set_targets": lambda gp: gp.set_targets(np.zeros(0)),
    "predict": lambda gp: gp.predict(np.zeros((1, 2))),
    "predict_with_gradient": lambda gp: gp.predict_with_gradient(np.zeros(2)),
    "fit": lambda gp: gp.fit(),
    "maybe_refit": lambda gp: gp.maybe_refit(),
    "should_refit": lambda gp: gp.should_refit(),
    "log_marginal_likelihood": lambda gp: gp.log_marginal_likelihood(),
    "cholesky_factor": lambda gp: gp.cholesky_factor(),
    "truncate": lambda gp: gp.truncate(0),
    "copy": lambda gp: gp.copy(),
    "pickle": pickle.dumps,
    "suggest": _core.suggest,
}


@pytest.mark.parametrize("name", list(GP_CALLS))
def test_an_uninitialized_gp_is_refused_by_every_method(name: str) -> None:
    with pytest.raises(ValueError, match="GaussianProcess: the object is uninitialized"):
        GP_CALLS[name](uninitialized(_core.GaussianProcess))


def test_uninitialized_spaces_kernels_and_acquisitions_are_refused() -> None:
    A = np.zeros((2, 2))
    with pytest.raises(ValueError, match="Space: the object is uninitialized"):
        _core.GaussianProcess(uninitialized(_core.Space))
    with pytest.raises(ValueError, match="Space: the object is uninitialized"):
        _core.RBFKernel(uninitialized(_core.Space))
    with pytest.raises(ValueError, match="Space: the object is uninitialized"):
        uninitialized(_core.Space).canonicalize(A)
    for kernel_class in (_core.RBFKernel, _core.Matern52Kernel):
        with pytest.raises(ValueError, match="the object is uninitialized"):
            uninitialized(kernel_class).matrix(A, A)
    with pytest.raises(ValueError, match="Acquisition: the object is uninitialized"):
        uninitialized(_core.Acquisition).value(np.zeros(1), np.ones(1))


def test_pickling_still_builds_objects_from_new() -> None:
    gp = fitted_gp()
    copy = pickle.loads(pickle.dumps(gp))
    np.testing.assert_array_equal(copy.inputs, gp.inputs)
    np.testing.assert_array_equal(copy.predict(np.full((3, 2), 0.3))[0], gp.predict(np.full((3, 2), 0.3))[0])
    assert pickle.loads(pickle.dumps(_core.Space(["integer"], [4]))).levels == [4]


@pytest.mark.parametrize(
    ("call", "argument", "got"),
    [
        (lambda gp: gp.fit(seed=-1), "seed", "-1 \\(int\\)"),
        (lambda gp: gp.fit(seed=2**64), "seed", "18446744073709551616"),
        (lambda gp: gp.fit(restarts=2.5), "restarts", "2.5 \\(float\\)"),
        (lambda gp: gp.truncate(True), "n", "True \\(bool\\)"),
        (lambda gp: gp.predict(np.zeros((1, 2)), threads=None), "threads", "None"),
        (lambda gp: _core.suggest(gp, count=2**40), "count", "1099511627776"),
        (lambda gp: _core.ucb_beta("2", 3, 0.1), "dim", "'2' \\(str\\)"),
        (lambda gp: _core.select_subset(np.zeros((2, 2)), np.zeros(2), np.ones(2), 1, -3), "seed", "-3"),
    ],
)
def test_a_whole_number_argument_out_of_range_or_of_another_type_names_the_argument(
    call: Callable[[_core.GaussianProcess], object], argument: str, got: str
) -> None:
    gp = fitted_gp()
    with pytest.raises(ValueError, match=f"^{argument}: expected an integer in \\[.*\\], got {got}"):
        call(gp)
    assert len(gp) == len(fitted_gp())  # nothing recorded is lost


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda gp: gp.add([0.1, 0.2], 1.0), "x"),
        (lambda gp: gp.add_batch([[0.1, 0.2]], np.zeros(1)), "X"),
        (lambda gp: gp.add_batch(np.zeros((1, 2)), [1.0]), "y"),
        (lambda gp: gp.predict([[0.1, 0.2]]), "X"),
        (lambda gp: gp.predict(np.zeros((1, 2)), mean=[0.0]), "mean"),
        (lambda gp: gp.set_targets(list(range(8))), "y"),
        (lambda gp: _core.suggest(gp, pending=[[0.5, 0.5]]), "pending"),
        (lambda gp: _core.Matern52Kernel(_core.Space(2)).matrix([[0, 0]], np.zeros((1, 2))), "A"),
        (lambda gp: _core.Acquisition("ei").value([0.0], np.ones(1)), "mu"),
        (lambda gp: _core.select_subset([[0.1, 0.2]], np.ones(1), np.ones(2), 1), "X"),
        (lambda gp: _core.select_subset(np.zeros((1, 2)), np.ones(1), [1.0, 1.0], 1), "length_scales"),
    ],
)
def test_a_list_instead_of_an_array_names_the_argument(
    call: Callable[[_core.GaussianProcess], object], argument: str
) -> None:
    with pytest.raises(ValueError, match=f"^{argument}: expected a float64 numpy array, got list"):
        call(fitted_gp())


# -- hypothesis: random arrays and parameters into every binding ---------------------------------------------------

hostile_floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1e308, -1e308, 1e-308, 0.0])
# small counts, or whole-number arguments no C++ int holds / that are no integer at all (each a ValueError)
small_ints = st.integers(-5, 300) | st.sampled_from([-2**63, 2**31, 2**64, 2**70, 2.5, True, None, "3"])
seeds = st.integers(0, 2**64 - 1) | st.sampled_from([-1, 2**64, 1.0, False])


@st.composite
def arrays(draw: st.DrawFn, dims: int, width: int) -> object:
    """Mostly well-formed float64 arrays of the expected rank and width, else anything array-like or not."""
    kind = draw(st.sampled_from(["good", "good", "good", "shape", "dtype", "strided", "list", "none"]))
    rows = draw(st.integers(0, 6))
    shape = (rows,) if dims == 1 else (rows, width)
    if kind == "shape":
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    if kind == "dtype":
        return draw(hnp.arrays(draw(st.sampled_from([np.float32, np.int64, np.bool_, np.complex128])), shape))
    if kind == "list":
        return draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1))).tolist()
    if kind == "none":
        return None
    unit = draw(st.booleans())
    elements = st.floats(0, 1) if unit else hostile_floats
    array = draw(hnp.arrays(np.float64, shape, elements=elements))
    if kind == "strided" and array.ndim >= 1:
        array = np.repeat(array, 2, axis=0)[::2]
    return array


@st.composite
def gps(draw: st.DrawFn) -> _core.GaussianProcess:
    dim = draw(st.integers(1, 3))
    kinds = draw(st.lists(st.sampled_from(["continuous", "integer", "categorical"]), min_size=dim, max_size=dim))
    levels = [0 if kind == "continuous" else draw(st.integers(1, 5)) for kind in kinds]
    gp = _core.GaussianProcess(_core.Space(kinds, levels), draw(st.sampled_from(["rbf", "matern52"])),
                               draw(st.sampled_from([1e-6, 1e-4, 0.1])), draw(st.booleans()),
                               draw(st.sampled_from(["mean", "max", "zero", "fitted"])))
    n = draw(st.integers(0, 12))
    X = draw(hnp.arrays(np.float64, (n, dim), elements=st.floats(0, 1)))
    y = draw(hnp.arrays(np.float64, n, elements=st.floats(-1e6, 1e6) | st.sampled_from([1e150, -1e150])))
    try:
        gp.add_batch(X, y)
    except _core.LinAlgError:
        pass
    return gp


def call_binding(data: st.DataObject, gp: _core.GaussianProcess) -> object:
    d, draw = gp.dim, data.draw
    name = draw(st.sampled_from([
        "add", "add_batch", "set_targets", "predict", "predict_with_gradient", "log_params", "log_marginal_likelihood",
        "log_prior", "fit", "maybe_refit", "truncate", "suggest", "kernel", "acquisition", "ucb_beta", "canonicalize",
        "select_subset",
    ]), label="binding")
    if name == "add":
        return gp.add(draw(arrays(1, d)), draw(hostile_floats), draw(hostile_floats))
    if name == "add_batch":
        return gp.add_batch(draw(arrays(2, d)), draw(arrays(1, 0)), draw(arrays(1, 0)))
    if name == "set_targets":
        return gp.set_targets(draw(arrays(1, 0)))
    if name == "predict":
        return gp.predict(draw(arrays(2, d)), standardized=draw(st.booleans()), threads=draw(small_ints))
    if name == "predict_with_gradient":
        return gp.predict_with_gradient(draw(arrays(1, d)))
    if name == "log_params":
        gp.log_params = draw(arrays(1, d + 2))
        return gp.log_params
    if name == "log_marginal_likelihood":
        return gp.log_marginal_likelihood(draw(arrays(1, d + 2)))
    if name == "log_prior":
        return gp.log_prior(draw(arrays(1, d + 2)))
    if name == "fit":
        return gp.fit(draw(small_ints), draw(small_ints), draw(small_ints), draw(seeds), 1)
    if name == "maybe_refit":
        return gp.maybe_refit(draw(small_ints), draw(hostile_floats), draw(small_ints), draw(small_ints),
                              draw(small_ints), 0, 1)
    if name == "truncate":
        return gp.truncate(draw(small_ints))
    if name == "suggest":
        return _core.suggest(gp, draw(st.sampled_from(["ei", "pi", "ucb", "xx"])), draw(st.integers(-1, 3)),
                             draw(arrays(2, d)), draw(hostile_floats), draw(hostile_floats),
                             draw(st.sampled_from(["kriging_believer", "constant_liar_max", "xx"])),
                             draw(seeds), draw(small_ints), draw(small_ints),
                             draw(st.integers(-1, 4)), draw(st.integers(-1, 20)), draw(small_ints), 1)
    if name == "kernel":
        kernel = _core.Matern52Kernel(gp.space) if draw(st.booleans()) else _core.RBFKernel(gp.space)
        kernel.log_params = draw(arrays(1, d + 1))
        return (kernel.matrix(draw(arrays(2, d)), draw(arrays(2, d))),
                kernel.gradient_x(draw(arrays(1, d)), draw(arrays(2, d))),
                kernel.gradient_params(draw(arrays(1, d)), draw(arrays(1, d))))
    if name == "acquisition":
        acquisition = _core.Acquisition(draw(st.sampled_from(["ei", "pi", "ucb", "xx"])), draw(hostile_floats),
                                        draw(hostile_floats))
        return acquisition.value(draw(arrays(1, 0)), draw(arrays(1, 0))), acquisition.score(
            draw(arrays(1, 0)), draw(arrays(1, 0)))
    if name == "select_subset":
        return _core.select_subset(draw(arrays(2, d)), draw(arrays(1, 0)), draw(arrays(1, d)),
                                   draw(st.integers(-1, 8)), draw(seeds))
    if name == "ucb_beta":
        return _core.ucb_beta(draw(small_ints), draw(small_ints), draw(hostile_floats))
    return gp.space.canonicalize(draw(arrays(2, d)))


@settings(max_examples=300, deadline=None)
@given(gp=gps(), data=st.data())
def test_random_input_into_any_binding_raises_only_value_or_lin_alg_errors(
    gp: _core.GaussianProcess, data: st.DataObject
) -> None:
    for _ in range(3):
        try:
            call_binding(data, gp)
        except (ValueError, _core.LinAlgError):
            pass
    # whatever was refused, the GP is still whole: its data can be read and predicted from
    assert gp.inputs.shape == (len(gp), gp.dim)
    assert np.isfinite(gp.targets).all()
    gp.predict(np.full((2, gp.dim), 0.5))
