"""Math helpers that work on nodes and constants alike (``spec.log(spec.uniform(1, 2))``).

Called with constants only, a helper returns the plain result (``spec.exp(0.0) == 1.0``); with nodes it
returns a merge node. One-to-one helpers carry an inverse so that ``ParsedSpec.to_unit`` can go back
through them; sin, cos, tan, cosh, atan2, min_ and max_ are not one-to-one and have none.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from hyperengine.spec.graph import contains_nodes
from hyperengine.spec.nodes import Inverse, MergeNode, binary_inverse

_Candidates = Callable[[Any], tuple[Any, ...]]


def _lift(
    function: Callable[..., Any], label: str, args: tuple[Any, ...], inverse: Inverse | None = None
) -> Any:
    """The plain result when no argument holds a node, else a merge node over the arguments."""
    if not any(contains_nodes(arg) for arg in args):
        return function(*args)
    return MergeNode(function, args, label=label, inverse=inverse)


def _one(function: Callable[[Any], Any], label: str, x: Any, candidates: _Candidates | None) -> Any:
    return _lift(function, label, (x,), None if candidates is None else Inverse(0, candidates))


class _Through:
    """The inverse ``value -> (function(value),)``: a picklable object, so that specs pickle (stored studies)."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __call__(self, value: Any) -> tuple[Any, ...]:
        return (self.function(value),)


def _power_of(base: Any, value: Any) -> tuple[Any, ...]:
    return (base**value,)


def _ten_to(value: Any) -> tuple[Any, ...]:
    return (10.0**value,)


def _unfrexp(value: Any) -> tuple[Any, ...]:
    return (math.ldexp(*value),)


def _unldexp(exponent: Any, value: Any) -> tuple[Any, ...]:
    return (math.ldexp(value, -exponent),)


def _nonnegative_square(value: Any) -> tuple[Any, ...]:
    if value < 0:
        raise ValueError(f"sqrt(x) cannot be {value!r}")
    return (value * value,)


def exp(x: Any) -> Any:
    """e ** x."""
    return _one(math.exp, "exp", x, _Through(math.log))


def expm1(x: Any) -> Any:
    """e ** x - 1, accurate near 0."""
    return _one(math.expm1, "expm1", x, _Through(math.log1p))


def log(x: Any, base: Any = None) -> Any:
    """Natural logarithm, or the logarithm in ``base``."""
    if base is None:
        return _one(math.log, "log", x, _Through(math.exp))
    inverse = None if contains_nodes(base) else Inverse(0, partial(_power_of, base))
    return _lift(math.log, "log", (x, base), inverse)


def log1p(x: Any) -> Any:
    """log(1 + x), accurate near 0."""
    return _one(math.log1p, "log1p", x, _Through(math.expm1))


def log10(x: Any) -> Any:
    """Base-10 logarithm."""
    return _one(math.log10, "log10", x, _ten_to)


def sqrt(x: Any) -> Any:
    """Square root."""
    return _one(math.sqrt, "sqrt", x, _nonnegative_square)


def pow(x: Any, y: Any) -> Any:
    """x ** y as floats (math.pow); invertible in x for a constant y and in y for a constant x."""
    return _lift(math.pow, "pow", (x, y), binary_inverse("pow", x, y))


def sin(x: Any) -> Any:
    """Sine (not invertible by to_unit)."""
    return _one(math.sin, "sin", x, None)


def cos(x: Any) -> Any:
    """Cosine (not invertible by to_unit)."""
    return _one(math.cos, "cos", x, None)


def tan(x: Any) -> Any:
    """Tangent (not invertible by to_unit)."""
    return _one(math.tan, "tan", x, None)


def sinh(x: Any) -> Any:
    """Hyperbolic sine."""
    return _one(math.sinh, "sinh", x, _Through(math.asinh))


def cosh(x: Any) -> Any:
    """Hyperbolic cosine (not invertible by to_unit)."""
    return _one(math.cosh, "cosh", x, None)


def tanh(x: Any) -> Any:
    """Hyperbolic tangent."""
    return _one(math.tanh, "tanh", x, _Through(math.atanh))


def asin(x: Any) -> Any:
    """Arc sine."""
    return _one(math.asin, "asin", x, _Through(math.sin))


def acos(x: Any) -> Any:
    """Arc cosine."""
    return _one(math.acos, "acos", x, _Through(math.cos))


def atan(x: Any) -> Any:
    """Arc tangent."""
    return _one(math.atan, "atan", x, _Through(math.tan))


def atan2(y: Any, x: Any) -> Any:
    """The angle of the point (x, y) (not invertible by to_unit)."""
    return _lift(math.atan2, "atan2", (y, x))


def asinh(x: Any) -> Any:
    """Inverse hyperbolic sine."""
    return _one(math.asinh, "asinh", x, _Through(math.sinh))


def acosh(x: Any) -> Any:
    """Inverse hyperbolic cosine."""
    return _one(math.acosh, "acosh", x, _Through(math.cosh))


def atanh(x: Any) -> Any:
    """Inverse hyperbolic tangent."""
    return _one(math.atanh, "atanh", x, _Through(math.tanh))


def frexp(x: Any) -> Any:
    """The pair (mantissa, exponent) with x == mantissa * 2 ** exponent."""
    return _one(math.frexp, "frexp", x, _unfrexp)


def ldexp(x: Any, i: Any) -> Any:
    """x * 2 ** i; invertible in x for a constant i."""
    inverse = None if contains_nodes(i) else Inverse(0, partial(_unldexp, i))
    return _lift(math.ldexp, "ldexp", (x, i), inverse)


def min_(*items: Any) -> Any:
    """The smallest item, with Python's ``min`` rules (one iterable argument, or several values)."""
    return _lift(min, "min", items)


def max_(*items: Any) -> Any:
    """The largest item, with Python's ``max`` rules (one iterable argument, or several values)."""
    return _lift(max, "max", items)
