"""Leaf nodes: each owns one unit-cube coordinate and decodes it (the encoding contract with the core).

- UniformNode: u -> start + u * (end - start), then the optional transform.
- NormalNode: u clipped to [1e-12, 1 - 1e-12] -> mean + stdev * Phi^-1(u) (``scipy.special.ndtri`` is the
  function behind ``scipy.stats.norm.ppf``, without its per-call overhead).
- ChoiceNode with k options: u -> option ``min(floor(u * k), k - 1)``, then the optional transform.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scipy import special

from hyperengine.spec.dimension import MAX_LEVELS, DimensionKind
from hyperengine.spec.nodes import BaseNode

NORMAL_CLIP = 1e-12


class LeafNode(BaseNode):
    """A node that owns exactly one coordinate of the unit cube."""

    kind: DimensionKind = DimensionKind.CONTINUOUS

    @property
    def levels(self) -> int:
        """Number of discrete values (0 for a continuous leaf)."""
        return 0


def _real_problem(what: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"{what} must be a real number, got {value!r}"
    if not math.isfinite(value):
        return f"{what} must be finite, got {value!r}"
    return None


def _transform_problem(transform: Any) -> str | None:
    if transform is not None and not callable(transform):
        return f"transform must be callable or None, got {transform!r}"
    return None


class UniformNode(LeafNode):
    """A real value spread evenly over [start, end], optionally passed through ``transform``."""

    def __init__(
        self,
        start: Any = 0.0,
        end: Any = 1.0,
        transform: Callable[[float], Any] | None = None,
        name: str | None = None,
    ) -> None:
        problem = _real_problem("start", start) or _real_problem("end", end) or _transform_problem(transform)
        if problem is None and not start < end:
            problem = f"uniform needs start < end, got start={start!r}, end={end!r}"
        super().__init__(name, problem)
        self.start = start
        self.end = end
        self.transform = transform

    @property
    def label(self) -> str:
        return f"uniform({self.start!r}, {self.end!r})"

    def decode(self, unit: float) -> Any:
        """The value at coordinate ``unit``."""
        value = self.start + unit * (self.end - self.start)
        return value if self.transform is None else self.transform(value)

    def encode(self, value: Any) -> float:
        """The coordinate of ``value``; ValueError when it is out of range or there is a transform."""
        if self.transform is not None:
            raise ValueError("a uniform with a transform cannot be inverted")
        if _real_problem("value", value) is not None:
            raise ValueError(f"expected a finite number, got {value!r}")
        unit = (value - self.start) / (self.end - self.start)
        if not -1e-9 <= unit <= 1 + 1e-9:
            raise ValueError(f"{value!r} is outside [{self.start!r}, {self.end!r}]")
        return min(max(float(unit), 0.0), 1.0)


class NormalNode(LeafNode):
    """A normally distributed real value: the inverse normal CDF of the coordinate."""

    def __init__(self, mean: Any = 0.0, stdev: Any = 1.0, name: str | None = None) -> None:
        problem = _real_problem("mean", mean) or _real_problem("stdev", stdev)
        if problem is None and stdev <= 0:
            problem = f"normal needs stdev > 0, got {stdev!r}"
        super().__init__(name, problem)
        self.mean = mean
        self.stdev = stdev

    @property
    def label(self) -> str:
        return f"normal({self.mean!r}, {self.stdev!r})"

    def decode(self, unit: float) -> float:
        """The value at coordinate ``unit``."""
        clipped = min(max(unit, NORMAL_CLIP), 1.0 - NORMAL_CLIP)
        return float(self.mean + self.stdev * special.ndtri(clipped))

    def encode(self, value: Any) -> float:
        """The coordinate of ``value`` (the normal CDF)."""
        if _real_problem("value", value) is not None:
            raise ValueError(f"expected a finite number, got {value!r}")
        unit = float(special.ndtr((value - self.mean) / self.stdev))
        return min(max(unit, NORMAL_CLIP), 1.0 - NORMAL_CLIP)


def _is_increasing_ints(items: tuple[Any, ...]) -> bool:
    if not all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in items):
        return False
    return all(a < b for a, b in itertools.pairwise(items))


def _option_count(items: range | tuple[Any, ...]) -> int:
    """How many options there are (a range can be too long for len(), which must fit in a C ssize_t)."""
    if isinstance(items, range):
        return max(0, (items.stop - items.start + items.step - (1 if items.step > 0 else -1)) // items.step)
    return len(items)


class ChoiceNode(LeafNode):
    """One of a list of options; options may be constants, nodes or structures holding nodes.

    The dimension is INTEGER when the options are a ``range`` or strictly increasing integers (unless
    ``ordinal=False``), else CATEGORICAL. Nodes inside the options not chosen are inactive.
    """

    def __init__(
        self,
        options: Iterable[Any],
        transform: Callable[[Any], Any] | None = None,
        name: str | None = None,
        ordinal: bool | None = None,
    ) -> None:
        problem = _transform_problem(transform)
        items: range | tuple[Any, ...] = ()
        if isinstance(options, range):
            items = options
        elif isinstance(options, str | bytes | Mapping | set | frozenset) or not isinstance(
            options, Iterable
        ):
            problem = problem or (
                f"choice needs an ordered sequence of options (list, tuple, range), got {type(options).__name__}"
            )
        else:
            items = tuple(options)
        count = _option_count(items)
        if problem is None and count == 0:
            problem = "choice needs at least one option, got none"
        if problem is None and count > MAX_LEVELS:
            problem = f"choice has {count} options, at most {MAX_LEVELS} (2**31 - 1) are supported"
        super().__init__(name, problem)
        self.options = items
        self.transform = transform
        if ordinal is None:
            ordinal = isinstance(items, range) or _is_increasing_ints(items)
        self.kind = DimensionKind.INTEGER if ordinal else DimensionKind.CATEGORICAL

    @property
    def label(self) -> str:
        shown = repr(self.options) if len(self.options) <= 4 else f"{len(self.options)} options"
        return f"choice({shown})"

    @property
    def levels(self) -> int:
        return len(self.options)

    def index(self, unit: float) -> int:
        """The option chosen at coordinate ``unit``: min(floor(unit * k), k - 1)."""
        k = len(self.options)
        return min(math.floor(unit * k), k - 1)

    def unit_of_index(self, index: int) -> float:
        """The centre of option ``index``'s bin."""
        return (index + 0.5) / len(self.options)

    def range_index(self, value: Any) -> int:
        """The option of a range choice equal to ``value`` (an integer, or a float within 1e-9 of one)."""
        assert isinstance(self.options, range)
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"expected an integer, got {value!r}")
        if isinstance(value, numbers.Integral):
            nearest = int(value)
        else:
            number = float(value)
            nearest = round(number)
            if abs(number - nearest) > 1e-9 * max(1.0, abs(number)):
                raise ValueError(f"expected an integer, got {value!r}")
        if nearest not in self.options:
            raise ValueError(f"{value!r} is not among the options {self.options!r}")
        return self.options.index(nearest)
