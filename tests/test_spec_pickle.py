"""Specs pickle (a study store keeps the spec with the study): every operator and helper survives a round trip."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperengine import spec
from hyperengine.spec import ParsedSpec

u = spec.uniform
BUILDERS: dict[str, Any] = {
    "pow_base": lambda: 10 ** u(-4, -1), "pow_exponent": lambda: u(1, 2) ** 2, "neg": lambda: -u(),
    "pos": lambda: +u(), "abs": lambda: abs(u(-1, 1)), "invert": lambda: ~spec.choice([1, 2, 3]),
    "add": lambda: u() + 1, "radd": lambda: 1 + u(), "sub": lambda: u() - 2, "rsub": lambda: 2 - u(),
    "mul": lambda: 3 * u(), "div": lambda: u(1, 2) / 4, "rdiv": lambda: 4 / u(1, 2),
    "xor": lambda: spec.choice([1, 2]) ^ 4, "lshift": lambda: spec.choice([1, 2]) << 2,
    "exp": lambda: spec.exp(u()), "expm1": lambda: spec.expm1(u()), "log": lambda: spec.log(u(1, 2)),
    "log_base": lambda: spec.log(u(1, 2), 3), "log1p": lambda: spec.log1p(u()), "log10": lambda: spec.log10(u(1, 9)),
    "sqrt": lambda: spec.sqrt(u(1, 4)), "sinh": lambda: spec.sinh(u()), "tanh": lambda: spec.tanh(u()),
    "asin": lambda: spec.asin(u()), "acos": lambda: spec.acos(u()), "atan": lambda: spec.atan(u()),
    "asinh": lambda: spec.asinh(u()), "acosh": lambda: spec.acosh(u(1, 2)), "atanh": lambda: spec.atanh(u(0, 0.9)),
    "frexp": lambda: spec.frexp(u(1, 2)), "ldexp": lambda: spec.ldexp(u(1, 2), 3),
    "nested": lambda: {"a": [10 ** u(-3, -1), spec.choice([u(0, 1) * 2, "off"])], "b": spec.normal(0, 2)},
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_a_pickled_spec_instantiates_and_inverts_like_the_original(name: str) -> None:
    original = {"x": BUILDERS[name](), "y": u(-5, 5)}
    copy = pickle.loads(pickle.dumps(original))
    parsed, reloaded = ParsedSpec(original), ParsedSpec(copy)
    assert reloaded.dimensions() == parsed.dimensions()
    for point in np.random.default_rng(0).uniform(0.05, 0.95, size=(5, parsed.size())):
        instance = parsed.instantiate(point)
        assert reloaded.instantiate(point) == instance
        np.testing.assert_allclose(reloaded.to_unit(instance), parsed.to_unit(instance))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(sorted(BUILDERS)), min_size=1, max_size=4), st.floats(0.05, 0.95))
def test_specs_of_several_parts_round_trip(names: list[str], unit: float) -> None:
    original = [BUILDERS[name]() for name in names]
    parsed, reloaded = ParsedSpec(original), ParsedSpec(pickle.loads(pickle.dumps(original)))
    point = np.full(parsed.size(), unit)
    assert reloaded.instantiate(point) == parsed.instantiate(point)
