"""Property tests: node arithmetic and helpers agree with plain Python; to_unit inverts instantiate."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperengine import spec
from hyperengine.spec import DimensionKind, ParsedSpec

# Per-test settings (not a profile, which would change every other test module's settings too).
fast = settings(deadline=None, max_examples=60)

units = st.floats(min_value=0.0, max_value=1.0)

FLOAT_OPS: list[Callable[[Any, Any], Any]] = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.floordiv,
    operator.mod,
    operator.pow,
]
INT_OPS: list[Callable[[Any, Any], Any]] = [
    operator.and_,
    operator.or_,
    operator.xor,
    operator.lshift,
    operator.rshift,
]


def outcome(function: Callable[[], Any]) -> Any:
    """The value, or the type of the exception raised (so errors must agree too)."""
    try:
        return function()
    except (ArithmeticError, ValueError, TypeError) as error:
        return type(error)


def same(left: Any, right: Any) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12) or (
            math.isnan(left) and math.isnan(right)
        )
    return bool(left == right)


@pytest.mark.parametrize("op", FLOAT_OPS, ids=lambda op: op.__name__)
@fast
@given(u=units, w=units, constant=st.floats(min_value=-4, max_value=4).filter(lambda c: c != 0))
def test_float_operators_match_python(
    op: Callable[[Any, Any], Any], u: float, w: float, constant: float
) -> None:
    a, b = spec.uniform(0.5, 3.0), spec.uniform(-2.0, 2.0)
    x, y = 0.5 + u * 2.5, -2.0 + w * 4.0
    for node, expected in [
        (op(a, b), outcome(lambda: op(x, y))),
        (op(a, constant), outcome(lambda: op(x, constant))),
        (op(constant, b), outcome(lambda: op(constant, y))),
    ]:
        parsed = ParsedSpec({"v": node})
        point = [u, w][: parsed.size()] if node.inputs[0] is a else [w]
        assert same(outcome(lambda p=parsed, q=point: p.instantiate(q)["v"]), expected)


@pytest.mark.parametrize("op", INT_OPS, ids=lambda op: op.__name__)
@fast
@given(u=units, w=units, constant=st.integers(min_value=0, max_value=6))
def test_integer_operators_match_python(
    op: Callable[[Any, Any], Any], u: float, w: float, constant: int
) -> None:
    a, b = spec.randint(-50, 50), spec.randint(0, 8)
    x, y = -50 + min(math.floor(u * 100), 99), min(math.floor(w * 8), 7)
    assert ParsedSpec(op(a, b)).instantiate([u, w]) == op(x, y)
    assert ParsedSpec(op(a, constant)).instantiate([u]) == op(x, constant)
    assert ParsedSpec(op(constant, b)).instantiate([w]) == op(constant, y)


@fast
@given(u=units)
def test_unary_operators_match_python(u: float) -> None:
    x = -1.0 + 3.0 * u
    node = spec.uniform(-1.0, 2.0)
    assert ParsedSpec(-node).instantiate([u]) == -x
    assert ParsedSpec(+node).instantiate([u]) == +x
    assert ParsedSpec(abs(node)).instantiate([u]) == abs(x)
    assert ParsedSpec(~spec.randint(-8, 8)).instantiate([u]) == ~(-8 + min(math.floor(u * 16), 15))


HELPERS: list[tuple[Callable[..., Any], Callable[..., Any], list[tuple[float, float]]]] = [
    (spec.exp, math.exp, [(-5, 5)]),
    (spec.expm1, math.expm1, [(-5, 5)]),
    (spec.log, math.log, [(0.1, 10)]),
    (spec.log, math.log, [(0.1, 10), (1.5, 10)]),
    (spec.log1p, math.log1p, [(-0.5, 5)]),
    (spec.log10, math.log10, [(0.1, 10)]),
    (spec.sqrt, math.sqrt, [(0, 9)]),
    (spec.pow, math.pow, [(0.1, 3), (-2, 2)]),
    (spec.sin, math.sin, [(-3, 3)]),
    (spec.cos, math.cos, [(-3, 3)]),
    (spec.tan, math.tan, [(-1.5, 1.5)]),
    (spec.sinh, math.sinh, [(-3, 3)]),
    (spec.cosh, math.cosh, [(-3, 3)]),
    (spec.tanh, math.tanh, [(-3, 3)]),
    (spec.asin, math.asin, [(-1, 1)]),
    (spec.acos, math.acos, [(-1, 1)]),
    (spec.atan, math.atan, [(-10, 10)]),
    (spec.atan2, math.atan2, [(-1, 1), (-1, 1)]),
    (spec.asinh, math.asinh, [(-10, 10)]),
    (spec.acosh, math.acosh, [(1, 10)]),
    (spec.atanh, math.atanh, [(-0.99, 0.99)]),
    (spec.frexp, math.frexp, [(-100, 100)]),
    (spec.min_, min, [(0, 1), (0, 2), (-1, 3)]),
    (spec.max_, max, [(0, 1), (0, 2), (-1, 3)]),
]


@pytest.mark.parametrize(("helper", "reference", "ranges"), HELPERS, ids=lambda h: getattr(h, "__name__", ""))
@fast
@given(data=st.data())
def test_math_helpers_match_the_math_module(
    helper: Callable[..., Any],
    reference: Callable[..., Any],
    ranges: list[tuple[float, float]],
    data: st.DataObject,
) -> None:
    point = [data.draw(units) for _ in ranges]
    values = [low + u * (high - low) for u, (low, high) in zip(point, ranges, strict=True)]
    nodes = [spec.uniform(low, high) for low, high in ranges]
    expected = outcome(lambda: reference(*values))
    assert same(outcome(lambda: ParsedSpec(helper(*nodes)).instantiate(point)), expected)
    # Mixed: the first argument a node, the others constants.
    mixed = outcome(lambda: ParsedSpec(helper(nodes[0], *values[1:])).instantiate(point[:1]))
    assert same(mixed, expected)


@fast
@given(u=units, w=units)
def test_ldexp_matches_math(u: float, w: float) -> None:
    x, i = -3.0 + 6.0 * u, -4 + min(math.floor(w * 9), 8)
    assert ParsedSpec(spec.ldexp(spec.uniform(-3.0, 3.0), spec.randint(-4, 5))).instantiate(
        [u, w]
    ) == math.ldexp(x, i)


# --- to_unit inverts instantiate ------------------------------------------------------------------------


def _shared_pair() -> Any:
    node = spec.uniform(2.0, 4.0)
    return {"first": node, "twice": [node, node * 3]}


RECIPES: list[Callable[[], Any]] = [
    lambda: spec.uniform(-3, 5),
    lambda: spec.loguniform(1e-5, 1e2),
    lambda: 10 ** spec.uniform(-3, -1),
    lambda: spec.normal(1.0, 2.0),
    lambda: spec.randint(-5, 20),
    lambda: spec.quniform(0.5, 3.0, 0.25),
    lambda: spec.quniform(8, 64, 8),
    lambda: spec.choice(["a", "b", "c"]),
    lambda: spec.choice([[1, 2], (3,), {"x": None}]),
    lambda: spec.random_bool(),
    lambda: spec.random_bit(),
    lambda: spec.random_int(7),
    lambda: 3 * spec.uniform(1, 2) - 7,
    lambda: 1 / (2 + spec.uniform(0, 1)),
    lambda: spec.exp(spec.uniform(-2, 2)),
    lambda: spec.log(spec.uniform(1, 5), 3),
    lambda: spec.sqrt(spec.uniform(0, 4)),
    lambda: 2 ** spec.randint(0, 10),
    lambda: -(spec.normal() ** 3),
    lambda: spec.uniform(-1, -0.5) ** 2,
    lambda: spec.choice([spec.randint(1, 5), 10 + spec.randint(0, 5)]),
    lambda: spec.choice(
        [{"kind": "lin", "w": spec.uniform(0, 1)}, {"kind": "log", "w": spec.loguniform(1e-3, 1)}, "off"]
    ),
    lambda: spec.choice(
        ["none", spec.choice(["elu", spec.new(name="leaky", alpha=spec.uniform(0.01, 0.3))])]
    ),
    _shared_pair,
]


def close(left: Any, right: Any) -> bool:
    """Structural equality with float tolerance."""
    if isinstance(left, dict):
        return (
            isinstance(right, dict)
            and left.keys() == right.keys()
            and all(close(left[k], right[k]) for k in left)
        )
    if isinstance(left, list | tuple):
        return type(left) is type(right) and len(left) == len(right) and all(map(close, left, right))
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)
    return type(left) is type(right) and bool(left == right)


@fast
@given(data=st.data(), picks=st.lists(st.integers(0, len(RECIPES) - 1), min_size=1, max_size=6))
def test_to_unit_then_instantiate_gives_the_same_config(data: st.DataObject, picks: list[int]) -> None:
    space = {f"p{i}": RECIPES[pick]() for i, pick in enumerate(picks)}
    parsed = ParsedSpec(space)
    point = [data.draw(units) for _ in range(parsed.size())]
    config = parsed.instantiate(point)
    unit = parsed.to_unit(config)
    assert unit.shape == (parsed.size(),) and ((unit >= 0) & (unit <= 1)).all()
    assert close(parsed.instantiate(unit), config)
    active = parsed.active(point)
    assert (parsed.active(unit) == active).all()
    for index, dimension in enumerate(parsed.dimensions()):
        if not active[index]:
            assert unit[index] == 0.5
        elif dimension.kind is not DimensionKind.CONTINUOUS:
            level = min(math.floor(point[index] * dimension.levels), dimension.levels - 1)
            assert unit[index] == pytest.approx((level + 0.5) / dimension.levels)


@fast
@given(data=st.data(), picks=st.lists(st.integers(0, len(RECIPES) - 1), min_size=1, max_size=6))
def test_inactive_coordinates_do_not_change_the_config(data: st.DataObject, picks: list[int]) -> None:
    parsed = ParsedSpec([RECIPES[pick]() for pick in picks])
    point = [data.draw(units) for _ in range(parsed.size())]
    other = [data.draw(units) for _ in range(parsed.size())]
    mask = parsed.active(point)
    mixed = [p if keep else o for p, o, keep in zip(point, other, mask, strict=True)]
    assert parsed.instantiate(mixed) == parsed.instantiate(point)
