"""The user-facing constructors of spec nodes: uniform, normal, choice and their sugar.

Constructors never raise: an invalid argument is recorded on the node and raised by ``ParsedSpec`` as a
SpecError that names the node's path in the spec.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from hyperengine.spec.dimension import MAX_LEVELS
from hyperengine.spec.leaves import ChoiceNode, NormalNode, UniformNode
from hyperengine.spec.nodes import BaseNode, MergeNode, binary


def uniform(
    start: float = 0.0,
    end: float = 1.0,
    transform: Callable[[float], Any] | None = None,
    name: str | None = None,
) -> UniformNode:
    """A real value spread evenly over [start, end] (CONTINUOUS), passed through ``transform`` if given."""
    return UniformNode(start, end, transform, name)


def normal(mean: float = 0.0, stdev: float = 1.0, name: str | None = None) -> NormalNode:
    """A normally distributed real value (CONTINUOUS): mean + stdev * Phi^-1(u)."""
    return NormalNode(mean, stdev, name)


def choice(
    array: Iterable[Any], transform: Callable[[Any], Any] | None = None, name: str | None = None
) -> ChoiceNode:
    """One of the options in ``array``; options may hold nodes (a conditional space).

    INTEGER over a ``range`` or strictly increasing integers, CATEGORICAL otherwise.
    """
    return ChoiceNode(array, transform, name)


def random_bool(name: str | None = None) -> ChoiceNode:
    """False or True (CATEGORICAL, 2 levels)."""
    return ChoiceNode((False, True), name=name, ordinal=False)


def random_bit(name: str | None = None) -> ChoiceNode:
    """0 or 1 (CATEGORICAL, 2 levels)."""
    return ChoiceNode((0, 1), name=name, ordinal=False)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def random_int(n: int, name: str | None = None) -> ChoiceNode:
    """An integer in 0 .. n-1 (INTEGER, n levels)."""
    if not _is_int(n) or n < 1:
        return _invalid_choice(f"random_int needs a positive integer n, got {n!r}", name)
    return ChoiceNode(range(int(n)), name=name)


def randint(low: int, high: int, name: str | None = None) -> ChoiceNode:
    """An integer in low .. high-1, like numpy's ``integers(low, high)`` (INTEGER, high - low levels)."""
    if not (_is_int(low) and _is_int(high)):
        return _invalid_choice(f"randint needs integer bounds, got low={low!r}, high={high!r}", name)
    if high <= low:
        return _invalid_choice(f"randint needs high > low, got low={low!r}, high={high!r}", name)
    if high - low > MAX_LEVELS:
        return _invalid_choice(f"randint spans {high - low} integers (low={low!r}, high={high!r}), at most "
                               f"{MAX_LEVELS} (2**31 - 1) are supported", name)
    return ChoiceNode(range(int(low), int(high)), name=name)


def _invalid_choice(problem: str, name: str | None) -> ChoiceNode:
    node = ChoiceNode((None,), name=name)
    node.problem = problem
    return node


def _bounds_problem(what: str, *values: Any) -> str | None:
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            return f"{what} needs finite real numbers, got {value!r}"
    return None


def loguniform(low: float, high: float, name: str | None = None) -> MergeNode:
    """A log-uniform value in [low, high]: ``10 ** uniform(log10(low), log10(high))``.

    The dimension (named after this node) is the exponent, so the optimizer works on the log scale.
    """
    problem = _bounds_problem("loguniform", low, high)
    if problem is None and not 0 < low < high:
        problem = f"loguniform needs 0 < low < high, got low={low!r}, high={high!r}"
    exponent = (
        UniformNode(0.0, 1.0, name=name)
        if problem
        else UniformNode(math.log10(low), math.log10(high), name=name)
    )
    node = binary("pow", 10.0, exponent)
    node.problem = problem
    return node


def quniform(low: float, high: float, q: float, name: str | None = None) -> MergeNode:
    """One of low, low + q, low + 2q, ... up to high (INTEGER: the dimension is the step index).

    Integer ``low`` and ``q`` give integer values. The grid starts at ``low`` (unlike hyperopt's, which
    rounds to multiples of q).
    """
    problem = _bounds_problem("quniform", low, high, q)
    if problem is None and q <= 0:
        problem = f"quniform needs q > 0, got q={q!r}"
    if problem is None and not low < high:
        problem = f"quniform needs low < high, got low={low!r}, high={high!r}"
    steps = (
        ChoiceNode(range(1), name=name)
        if problem
        else ChoiceNode(range(int((high - low) / q + 1e-9) + 1), name=name)
    )
    node = binary("add", low, binary("mul", q, steps))
    node.problem = problem
    return node


def merge(nodes: Any, function: Callable[..., Any], name: str | None = None) -> MergeNode:
    """``function(*values)`` of the instantiated ``nodes`` (a list or tuple of nodes, constants or structures).

    Not invertible by ``to_unit``.
    """
    if isinstance(nodes, BaseNode):
        inputs: tuple[Any, ...] = (nodes,)
    elif isinstance(nodes, list | tuple):
        inputs = tuple(nodes)
    else:
        return MergeNode(
            function, (), name=name, problem=f"merge needs a list or tuple of nodes, got {nodes!r}"
        )
    label = f"merge({getattr(function, '__name__', 'function')})"
    return MergeNode(function, inputs, name=name, label=label)
