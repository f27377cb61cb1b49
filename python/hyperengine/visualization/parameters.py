"""How each unit-cube coordinate is shown on a plot axis: in the spec's own units, under its own name.

A coordinate is plotted as the value the user wrote, not as the unit cube: `10 ** spec.uniform(-4, -1)` as
the learning rate on a log axis, `spec.quniform(16, 64, 16)` as 16, 32, 48, 64, a choice of strings as its
category names. The value is found by following the chain of one-input operators above the leaf (`10 ** u`,
`low + q * steps`); a leaf that feeds several places, or a merge of several nodes, is shown as the leaf.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from hyperengine.spec.dimension import DimensionKind
from hyperengine.spec.graph import SpecGraph
from hyperengine.spec.leaves import ChoiceNode, LeafNode, NormalNode, UniformNode
from hyperengine.spec.nodes import BaseNode, MergeNode
from hyperengine.spec.parsed import ParsedSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Array = npt.NDArray[np.float64]

SLICE_RESOLUTION = 200
NORMAL_SPAN = 0.001
_LABEL_LENGTH = 18
_EXPONENTIAL_LABELS = ("exp",)


@dataclass(frozen=True)
class ParameterAxis:
    """One coordinate as a plot shows it.

    `values` (numeric dimensions) are the displayed values of the levels (discrete) or of a fine grid
    (continuous); `labels` (categorical dimensions) are the category names, plotted at positions 0..k-1.
    """

    index: int
    name: str
    kind: DimensionKind
    levels: int
    log_scale: bool
    labels: tuple[str, ...]
    _chain: tuple[tuple[MergeNode, int], ...]
    _leaf: LeafNode

    @property
    def is_categorical(self) -> bool:
        return self.kind is DimensionKind.CATEGORICAL

    @property
    def is_discrete(self) -> bool:
        return self.kind is not DimensionKind.CONTINUOUS

    def grid(self, resolution: int = SLICE_RESOLUTION) -> Array:
        """Unit coordinates to evaluate along this axis: the level centres, or `resolution` evenly spaced."""
        if self.is_discrete:
            return (np.arange(self.levels) + 0.5) / self.levels
        low, high = self.unit_range
        return np.linspace(low, high, resolution)

    @property
    def unit_range(self) -> tuple[float, float]:
        """The unit coordinates a plot spans: the whole cube, but the central 99.8 % of a normal (whose
        ends are +-7 standard deviations away)."""
        return (NORMAL_SPAN, 1.0 - NORMAL_SPAN) if isinstance(self._leaf, NormalNode) else (0.0, 1.0)

    def span(self) -> tuple[float, float]:
        """(lowest, highest) plot coordinate of this axis."""
        ends = self.coordinates(self.grid()[[0, -1]])
        return float(ends.min()), float(ends.max())

    def coordinates(self, units: npt.ArrayLike) -> Array:
        """Where unit coordinates land on the plot: the displayed value, or the category position."""
        flat = np.atleast_1d(np.asarray(units, dtype=np.float64))
        if self.is_categorical:
            return np.minimum(np.floor(flat * self.levels), self.levels - 1).astype(np.float64)
        return np.array([self._display(float(u)) for u in flat], dtype=np.float64)

    def style(self, ax: Axes, which: str = "x") -> None:
        """Name the axis, and make it logarithmic or categorical as the parameter is."""
        set_label, set_scale = (ax.set_xlabel, ax.set_xscale) if which == "x" else (ax.set_ylabel, ax.set_yscale)
        set_label(self.name)
        if self.log_scale:
            set_scale("log")
        if self.is_categorical:
            set_ticks, set_ticklabels = ((ax.set_xticks, ax.set_xticklabels) if which == "x"
                                         else (ax.set_yticks, ax.set_yticklabels))
            set_ticks(range(self.levels))
            set_ticklabels(self.labels, rotation=30 if which == "x" and len(self.labels) > 3 else 0)

    def _display(self, unit: float) -> float:
        for value in (_through_chain(_leaf_value(self._leaf, unit), self._chain), _leaf_value(self._leaf, unit)):
            if _is_real(value):
                return float(value)
        return unit  # a value that is not a number (a transform's output): the unit coordinate stands in


def parameter_axes(parsed: ParsedSpec) -> list[ParameterAxis]:
    """A ParameterAxis per coordinate, in index order."""
    graph: SpecGraph = parsed._graph  # the parsed graph is the only place the chain above a leaf is known
    parents = _single_parents(graph)
    axes = []
    for index, (dimension, leaf) in enumerate(zip(parsed.dimensions(), graph.leaves, strict=True)):
        chain = _chain_above(leaf, parents)
        if not all(_is_real(_through_chain(_leaf_value(leaf, u), chain)) for u in (0.0, 0.5, 1.0)):
            chain = ()
        labels = _category_labels(leaf) if dimension.kind is DimensionKind.CATEGORICAL else ()
        log_scale = dimension.kind is DimensionKind.CONTINUOUS and _is_exponential(chain) and all(
            _through_chain(_leaf_value(leaf, u), chain) > 0 for u in (0.0, 0.5, 1.0))
        axes.append(ParameterAxis(index, dimension.name, dimension.kind, dimension.levels, log_scale, labels,
                                  chain, leaf))
    return axes


def find_axes(axes: Sequence[ParameterAxis], names: Sequence[str] | None, argument: str) -> list[ParameterAxis]:
    """The axes named by `names` (all when None), or a ValueError naming the unknown ones."""
    if names is None:
        return list(axes)
    if isinstance(names, str):
        names = [names]
    by_name = {axis.name: axis for axis in axes}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ValueError(f"{argument}: unknown parameter(s) {unknown}; the spec's parameters are {list(by_name)}")
    return [by_name[name] for name in names]


def _single_parents(graph: SpecGraph) -> dict[int, tuple[MergeNode, int]]:
    """For each node whose only user is a one-input operator: that operator and the input it is."""
    nodes: dict[int, BaseNode] = {}
    for refs in [graph.root_refs, *[r for options in graph.option_refs.values() for r in options],
                 *[r for inputs in graph.input_refs.values() for r in inputs]]:
        nodes.update({id(node): node for node in refs})
    contexts: list[tuple[MergeNode | None, int, tuple[BaseNode, ...]]] = [(None, 0, graph.root_refs)]
    for node in nodes.values():
        if isinstance(node, ChoiceNode) and id(node) in graph.option_refs:
            contexts.extend((None, 0, refs) for refs in graph.option_refs[id(node)])
        if isinstance(node, MergeNode):
            contexts.extend((node, position, refs) for position, refs in enumerate(graph.input_refs[id(node)]))
    users: dict[int, list[tuple[MergeNode | None, int]]] = {}
    for owner, position, refs in contexts:
        for node in refs:
            users.setdefault(id(node), []).append((owner, position))
    parents: dict[int, tuple[MergeNode, int]] = {}
    for key, uses in users.items():
        owner, position = uses[0]
        if (len(uses) == 1 and owner is not None and owner.inputs[position] is nodes[key]
                and sum(1 for refs in graph.input_refs[id(owner)] if refs) == 1):
            parents[key] = (owner, position)
    return parents


def _chain_above(leaf: LeafNode, parents: dict[int, tuple[MergeNode, int]]) -> tuple[tuple[MergeNode, int], ...]:
    chain: list[tuple[MergeNode, int]] = []
    node: BaseNode = leaf
    while (parent := parents.get(id(node))) is not None:
        chain.append(parent)
        node = parent[0]
    return tuple(chain)


def _leaf_value(leaf: LeafNode, unit: float) -> Any:
    if isinstance(leaf, UniformNode | NormalNode):
        return leaf.decode(unit)
    assert isinstance(leaf, ChoiceNode)
    value = leaf.options[leaf.index(unit)]
    return value if leaf.transform is None or isinstance(value, BaseNode) else leaf.transform(value)


def _through_chain(value: Any, chain: tuple[tuple[MergeNode, int], ...]) -> Any:
    for merge, position in chain:
        try:
            value = merge.combine([value if k == position else item for k, item in enumerate(merge.inputs)])
        except (ArithmeticError, TypeError, ValueError):
            return math.nan
    return value


def _is_exponential(chain: tuple[tuple[MergeNode, int], ...]) -> bool:
    """True when the chain raises a constant base to the leaf (10 ** u, loguniform) or takes exp(u)."""
    for merge, position in chain:
        if merge.label == "pow" and position == 1 and _is_real(merge.inputs[0]) and merge.inputs[0] > 0:
            return True
        if merge.label in _EXPONENTIAL_LABELS:
            return True
    return False


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _category_labels(leaf: LeafNode) -> tuple[str, ...]:
    assert isinstance(leaf, ChoiceNode)
    return tuple(_short_label(option, index) for index, option in enumerate(leaf.options))


def _short_label(option: Any, index: int) -> str:
    """A category's name: the option itself when it is a constant, or a string that names a structure."""
    if isinstance(option, str | numbers.Number):
        text = str(option)
    elif isinstance(option, Mapping):
        names = [value for value in option.values() if isinstance(value, str)]
        text = names[0] if names else f"option {index}"
    else:
        text = f"option {index}"
    return text if len(text) <= _LABEL_LENGTH else text[:_LABEL_LENGTH - 1] + "…"
