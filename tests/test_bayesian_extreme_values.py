"""Finite values anywhere in the range of doubles, up to 1.7e308 of either sign, go through the output transform
and the GP: a study keeps asking and telling, and the transform stays finite, monotone and invertible."""

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import hyperengine
from hypercore import _core
from hyperengine import spec
from hyperengine.bayesian.kernel import Matern52
from hyperengine.bayesian.model import GaussianProcessModel
from hyperengine.bayesian.output_transform import YeoJohnsonTransform

LARGEST = float(np.finfo(np.float64).max)


@pytest.mark.parametrize("extreme", [1e155, -1e155, 1e300, LARGEST, -LARGEST])
def test_a_study_with_huge_values_keeps_asking_and_telling(extreme: float) -> None:
    study = hyperengine.create_study({"x": spec.uniform(0, 1), "y": spec.uniform(0, 1)}, seed=0)
    values = []
    for i in range(16):
        trial = study.ask()
        x = trial.params["x"]
        # one extreme value, a few more of the same magnitude, and ordinary values around them
        value = extreme if i == 3 else (extreme * (0.25 + 0.5 * x) if i in (7, 11) else x - trial.params["y"])
        study.tell(trial, value)
        values.append(value)
    assert all(trial.state == "complete" for trial in study.trials)
    assert study.best_value == max(values)
    study.ask(3)  # a batch still works (fantasies go through the inverse transform)


@settings(max_examples=200, deadline=None)
@example(values=np.array([2.2250738585e-309]))  # constant values at a subnormal scale (1 / scale overflows)
@given(values=hnp.arrays(np.float64, st.integers(1, 30),
                         elements=st.floats(-LARGEST, LARGEST) | st.sampled_from([LARGEST, -LARGEST, 1e155])))
def test_the_transform_of_any_finite_values_is_finite_and_monotone(values: np.ndarray) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        transform = YeoJohnsonTransform().fit(values)
        transformed = transform(values)
        slopes = transform.slope(values)
    assert np.isfinite(transformed).all() and np.isfinite(slopes).all() and (slopes > 0).all()
    order = np.argsort(values, kind="stable")
    assert (np.diff(transformed[order]) >= 0).all()
    recovered = transform.inverse(transformed)
    assert np.isfinite(recovered).all()
    scale = float(np.max(np.abs(values)))
    for value, back in zip(values, recovered, strict=True):
        assert math.isclose(value, back, rel_tol=1e-6, abs_tol=1e-9 * scale)


@pytest.mark.parametrize("extreme", [1e155, LARGEST])
def test_the_gp_without_output_transform_standardizes_huge_values(extreme: float) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((12, 2))
    unit = np.sin(5 * X).sum(axis=1)
    unit /= np.abs(unit).max()
    reference = _core.GaussianProcess(_core.Space(2), prior_mean="fitted")
    reference.add_batch(X, unit)
    huge = _core.GaussianProcess(_core.Space(2), prior_mean="fitted")
    huge.add_batch(X, unit * extreme)
    assert math.isfinite(huge.y_scale) and math.isfinite(huge.y_offset)
    Xq = rng.random((5, 2))
    for expected, got in zip(reference.predict(Xq, standardized=True), huge.predict(Xq, standardized=True),
                             strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    model = GaussianProcessModel(2, Matern52(), output_transform=None)
    for x, value in zip(X, unit * extreme, strict=True):
        model.add(x, float(value))
    assert model.suggest("ei", 2, None, 0.0, 2.0, "kriging_believer", 0).shape == (2, 2)
