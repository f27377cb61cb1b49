"""Spec nodes: the base class with operator overloading, and the merge node that combines values.

A node stands for a value that is only known once a unit-cube point is chosen. Leaf nodes (see
``leaves.py``) each own one coordinate; a ``MergeNode`` computes its value from its inputs, which may be
nodes, constants or structures holding nodes. Operators on nodes (``10 ** uniform(-3, -1)``) build merge
nodes. A merge node may carry an ``Inverse`` so that ``ParsedSpec.to_unit`` can map a value back through it.
"""

from __future__ import annotations

import contextvars
import copy
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

# Set while the parser checks that it found every node: a node deep-copied then was missed by the walk.
copy_guard: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "hyperengine_spec_copy_guard", default=False
)


class HiddenNodeError(Exception):
    """A node was reached by copy.deepcopy where the spec walker does not look (a set, a dict key...)."""


class BaseNode:
    """Any value of the search space that depends on the unit-cube point.

    ``name`` overrides the automatic path-based name. ``problem`` says why the node is invalid; the parser
    raises it as a SpecError together with the node's path (construction never raises, so the path is known).
    """

    # Make numpy scalars defer to our reflected operators instead of building object arrays.
    __array_ufunc__ = None

    def __init__(self, name: str | None = None, problem: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            problem = problem or f"name must be a string, got {name!r}"
            name = None
        self.name = name
        self.problem = problem

    @property
    def label(self) -> str:
        """A short description used in names and messages."""
        return type(self).__name__

    def __repr__(self) -> str:
        return self.label if self.name is None else f"{self.label}[name={self.name!r}]"

    def __deepcopy__(self, memo: dict[int, Any]) -> BaseNode:
        if copy_guard.get():
            raise HiddenNodeError(repr(self))
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return clone

    # Binary operators, node on the left.
    def __add__(self, other: Any) -> MergeNode:
        return binary("add", self, other)

    def __sub__(self, other: Any) -> MergeNode:
        return binary("sub", self, other)

    def __mul__(self, other: Any) -> MergeNode:
        return binary("mul", self, other)

    def __truediv__(self, other: Any) -> MergeNode:
        return binary("truediv", self, other)

    def __floordiv__(self, other: Any) -> MergeNode:
        return binary("floordiv", self, other)

    def __mod__(self, other: Any) -> MergeNode:
        return binary("mod", self, other)

    def __pow__(self, other: Any) -> MergeNode:
        return binary("pow", self, other)

    def __and__(self, other: Any) -> MergeNode:
        return binary("and", self, other)

    def __or__(self, other: Any) -> MergeNode:
        return binary("or", self, other)

    def __xor__(self, other: Any) -> MergeNode:
        return binary("xor", self, other)

    def __lshift__(self, other: Any) -> MergeNode:
        return binary("lshift", self, other)

    def __rshift__(self, other: Any) -> MergeNode:
        return binary("rshift", self, other)

    # Binary operators, node on the right.
    def __radd__(self, other: Any) -> MergeNode:
        return binary("add", other, self)

    def __rsub__(self, other: Any) -> MergeNode:
        return binary("sub", other, self)

    def __rmul__(self, other: Any) -> MergeNode:
        return binary("mul", other, self)

    def __rtruediv__(self, other: Any) -> MergeNode:
        return binary("truediv", other, self)

    def __rfloordiv__(self, other: Any) -> MergeNode:
        return binary("floordiv", other, self)

    def __rmod__(self, other: Any) -> MergeNode:
        return binary("mod", other, self)

    def __rpow__(self, other: Any) -> MergeNode:
        return binary("pow", other, self)

    def __rand__(self, other: Any) -> MergeNode:
        return binary("and", other, self)

    def __ror__(self, other: Any) -> MergeNode:
        return binary("or", other, self)

    def __rxor__(self, other: Any) -> MergeNode:
        return binary("xor", other, self)

    def __rlshift__(self, other: Any) -> MergeNode:
        return binary("lshift", other, self)

    def __rrshift__(self, other: Any) -> MergeNode:
        return binary("rshift", other, self)

    # Unary operators.
    def __neg__(self) -> MergeNode:
        return MergeNode(operator.neg, (self,), label="neg", inverse=Inverse(0, _negated))

    def __pos__(self) -> MergeNode:
        return MergeNode(operator.pos, (self,), label="pos", inverse=Inverse(0, _unchanged))

    def __abs__(self) -> MergeNode:
        return MergeNode(abs, (self,), label="abs", inverse=Inverse(0, _abs_candidates))

    def __invert__(self) -> MergeNode:
        return MergeNode(operator.invert, (self,), label="invert", inverse=Inverse(0, _inverted))


@dataclass(frozen=True)
class Inverse:
    """How to recover input ``input_index`` of a merge node from its value, all other inputs being constant.

    ``candidates(value)`` returns the possible input values, most natural first (``x ** 2 == 4`` gives
    ``(2, -2)``); it raises ValueError, ArithmeticError or TypeError when the value cannot be produced.
    """

    input_index: int
    candidates: Callable[[Any], tuple[Any, ...]]


class MergeNode(BaseNode):
    """The value ``function(*inputs)`` with every node in the inputs replaced by its value.

    Inputs that contain nodes are instantiated (deep-copied with nodes replaced); constant inputs are passed
    as they are. With ``name=`` the leaves reached through this node are named after it.
    """

    def __init__(
        self,
        function: Callable[..., Any],
        inputs: Sequence[Any],
        name: str | None = None,
        label: str = "merge",
        inverse: Inverse | None = None,
        problem: str | None = None,
    ) -> None:
        if problem is None and not callable(function):
            problem = f"merge needs a callable function, got {function!r}"
        super().__init__(name, problem)
        self.function = function
        self.inputs = tuple(inputs)
        self._label = label
        self.inverse = inverse

    @property
    def label(self) -> str:
        return self._label

    def combine(self, values: Sequence[Any]) -> Any:
        """Apply the function to the instantiated inputs."""
        return self.function(*values)


# The inverses are module-level functions (or partials of them), never anonymous functions, so that a spec
# pickles: a study store keeps the spec with the study, and load_study reads it back.
def _negated(value: Any) -> tuple[Any, ...]:
    return (-value,)


def _unchanged(value: Any) -> tuple[Any, ...]:
    return (value,)


def _inverted(value: Any) -> tuple[Any, ...]:
    return (~value,)


def _minus(value: Any, constant: Any) -> tuple[Any, ...]:
    return (value - constant,)


def _plus(value: Any, constant: Any) -> tuple[Any, ...]:
    return (value + constant,)


def _subtracted_from(value: Any, constant: Any) -> tuple[Any, ...]:
    return (constant - value,)


def _divided(value: Any, constant: Any) -> tuple[Any, ...]:
    return (value / constant,)


def _times(value: Any, constant: Any) -> tuple[Any, ...]:
    return (value * constant,)


def _divides(value: Any, constant: Any) -> tuple[Any, ...]:
    return (constant / value,)


def _xored(value: Any, constant: Any) -> tuple[Any, ...]:
    return (value ^ constant,)


def _abs_candidates(value: Any) -> tuple[Any, ...]:
    if value < 0:
        raise ValueError(f"abs(x) cannot be {value!r}")
    return (value, -value) if value else (value,)


def _root(value: Any, exponent: Any) -> tuple[Any, ...]:
    """Solve x ** exponent == value for x (both roots for an even integer exponent)."""
    if exponent == 0:
        raise ValueError("x ** 0 does not depend on x")
    if value < 0:
        if float(exponent).is_integer() and int(exponent) % 2 == 1:
            return (-((-value) ** (1.0 / exponent)),)
        raise ValueError(f"x ** {exponent!r} cannot be negative")
    root = value ** (1.0 / exponent)
    if float(exponent).is_integer() and int(exponent) % 2 == 0 and root:
        return (root, -root)
    return (root,)


def _log_base(value: Any, base: Any) -> tuple[Any, ...]:
    """Solve base ** x == value for x."""
    if base <= 0 or base == 1:
        raise ValueError(f"{base!r} ** x cannot be inverted")
    if base == 10:
        return (math.log10(value),)
    if base == 2:
        return (math.log2(value),)
    return (math.log(value) / math.log(base),)


def _unshift(value: Any, shift: Any) -> tuple[Any, ...]:
    """Solve x << shift == value for x."""
    result = value >> shift
    if result << shift != value:
        raise ValueError(f"{value!r} is not a multiple of 2 ** {shift!r}")
    return (result,)


# Inverse of one side given the value v and the other (constant) side c: left side, then right side.
_Solver = Callable[[Any, Any], tuple[Any, ...]]
_BINARY: dict[str, tuple[Callable[[Any, Any], Any], _Solver | None, _Solver | None]] = {
    "add": (operator.add, _minus, _minus),
    "sub": (operator.sub, _plus, _subtracted_from),
    "mul": (operator.mul, _divided, _divided),
    "truediv": (operator.truediv, _times, _divides),
    "floordiv": (operator.floordiv, None, None),
    "mod": (operator.mod, None, None),
    "pow": (operator.pow, _root, _log_base),
    "and": (operator.and_, None, None),
    "or": (operator.or_, None, None),
    "xor": (operator.xor, _xored, _xored),
    "lshift": (operator.lshift, _unshift, None),
    "rshift": (operator.rshift, None, None),
}


def binary(op: str, left: Any, right: Any) -> MergeNode:
    """The merge node for ``left <op> right``, invertible on one side when the other side is a constant."""
    return MergeNode(_BINARY[op][0], (left, right), label=op, inverse=binary_inverse(op, left, right))


def binary_inverse(op: str, left: Any, right: Any) -> Inverse | None:
    """How to solve ``left <op> right == value`` for the side that is a node, if it can be done."""
    _, solve_left, solve_right = _BINARY[op]
    if isinstance(left, BaseNode) and not isinstance(right, BaseNode) and solve_left is not None:
        return Inverse(0, _bind(solve_left, right))
    if isinstance(right, BaseNode) and not isinstance(left, BaseNode) and solve_right is not None:
        return Inverse(1, _bind(solve_right, left))
    return None


def _solve_with(solver: _Solver, constant: Any, value: Any) -> tuple[Any, ...]:
    return solver(value, constant)


def _bind(solver: _Solver, constant: Any) -> Callable[[Any], tuple[Any, ...]]:
    return partial(_solve_with, solver, constant)
