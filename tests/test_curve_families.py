"""The compiled curve families (hypercore._curves) against closed-form numpy references, and their LM fit."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hypercore import _curves
from hyperengine.curve.families import FAMILIES, FAMILY_BY_NAME, CurveFamily
from hyperengine.curve.fit import family_values, fit_family

T = np.arange(1, 21, dtype=np.float64) / 40.0


def reference(name: str, p: npt.NDArray[np.float64], t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The formulas of Domhan et al. (2015), table 1, written directly in numpy."""
    if name == "pow3":
        return p[0] - p[1] * t ** -p[2]
    if name == "pow4":
        return p[0] - (np.exp(p[1]) * t + p[2]) ** -p[3]
    if name == "log_linear":
        return p[0] + p[1] * np.log(t)
    if name == "exp3":
        return p[0] - p[1] * np.exp(-np.exp(p[2]) * t)
    if name == "vapor_pressure":
        return np.exp(p[0] + p[1] / t + p[2] * np.log(t))
    if name == "mmf":
        return p[0] - (p[0] - p[1]) / (1 + (np.exp(p[2]) * t) ** p[3])
    if name == "janoschek":
        return p[0] - (p[0] - p[1]) * np.exp(-np.exp(p[2]) * t ** p[3])
    if name == "weibull":
        return p[0] - (p[0] - p[1]) * np.exp(-((np.exp(p[2]) * t) ** p[3]))
    assert name == "hill"
    return p[0] * t ** p[1] / (np.exp(p[2]) ** p[1] + t ** p[1])


def test_table_matches_the_compiled_module() -> None:
    assert [family.id for family in FAMILIES] == list(range(_curves.n_families()))
    for family in FAMILIES:
        size = _curves.n_params(family.id)
        assert size == len(family.parameters) == len(family.lower) == len(family.upper)
        assert np.all(np.array(family.lower) < np.array(family.upper))
        guess = family.guess(0.2, 0.8)
        assert np.all((guess >= family.lower) & (guess <= family.upper))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_values_match_the_closed_form(family: CurveFamily) -> None:
    rng = np.random.default_rng(family.id)
    lower, upper = np.array(family.lower), np.array(family.upper)
    for _ in range(20):
        params = lower + (upper - lower) * rng.uniform(0.1, 0.9, size=lower.size)
        t = np.append(T, 1.0)
        np.testing.assert_allclose(family_values(family, params, t), reference(family.name, params, t),
                                   rtol=1e-12, atol=1e-12)


def test_bad_shapes_and_ids_raise() -> None:
    out = np.empty(T.size)
    with pytest.raises(ValueError, match="unknown curve family"):
        _curves.evaluate(_curves.n_families(), np.zeros(3), T, out)
    with pytest.raises(ValueError, match="Invalid shape: params"):
        _curves.evaluate(0, np.zeros(4), T, out)
    with pytest.raises(ValueError, match="Invalid shape: out"):
        _curves.evaluate(0, np.zeros(3), T, np.empty(3))


@pytest.mark.parametrize(("name", "params"), [
    ("exp3", [0.9, 0.6, np.log(8.0)]),
    ("pow3", [0.95, 0.1, 0.5]),
    ("log_linear", [0.9, 0.12]),
    ("weibull", [0.92, 0.3, np.log(6.0), 1.3]),
])
def test_fit_recovers_noise_free_parameters(name: str, params: list[float]) -> None:
    family = FAMILY_BY_NAME[name]
    truth = np.array(params)
    y = reference(name, truth, T)
    fit = fit_family(family, T, y, max_iterations=500)
    assert fit is not None
    fitted, sse = fit
    assert sse < 1e-12
    np.testing.assert_allclose(fitted, truth, rtol=1e-3, atol=1e-3)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(FAMILIES), st.lists(st.floats(0.0, 1.0), min_size=3, max_size=30))
def test_fit_never_ends_worse_than_its_start(family: CurveFamily, values: list[float]) -> None:
    y = np.array(values)
    t = np.arange(1, y.size + 1) / 40.0
    start = family.guess(float(y[0]), float(y[-1]))
    start_sse = float(np.sum((family_values(family, start, t) - y) ** 2))
    fit = fit_family(family, t, y)
    if fit is not None:
        params, sse = fit
        assert np.all((params >= family.lower) & (params <= family.upper))
        assert sse <= start_sse + 1e-12
        assert sse == pytest.approx(float(np.sum((family_values(family, params, t) - y) ** 2)))
