"""ParsedSpec: the unit-cube view of a spec (size, names, dimensions) and the map from points to configs."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from hyperengine.spec.dimension import Dimension
from hyperengine.spec.errors import SpecError
from hyperengine.spec.graph import Refs, SpecGraph, build_graph
from hyperengine.spec.inversion import config_to_unit
from hyperengine.spec.leaves import ChoiceNode, NormalNode, UniformNode
from hyperengine.spec.nodes import BaseNode, HiddenNodeError, MergeNode, copy_guard

RandomState = np.random.Generator | int | None

_TOO_DEEP = (
    "the spec is nested too deeply for Python's recursion limit (e.g. a sum of hundreds of nodes built with +);"
    " combine many nodes in one step with spec.merge(nodes, function) instead"
)


class ParsedSpec:
    """A search space parsed from any nesting of dicts, lists, tuples and plain objects holding spec nodes.

    Each leaf node (uniform, normal, choice...) owns one coordinate of the unit cube [0, 1]^size, numbered
    in the order the nodes are first reached (dict insertion order). The spec must not be mutated after it
    is parsed.
    """

    def __init__(self, spec: Any) -> None:
        try:
            self._graph: SpecGraph = build_graph(spec)
        except RecursionError:
            raise SpecError(_TOO_DEEP) from None

    @property
    def spec(self) -> Any:
        """The spec this object was parsed from."""
        return self._graph.root

    def size(self) -> int:
        """Number of unit-cube dimensions."""
        return len(self._graph.leaves)

    def get_names(self) -> dict[int, str]:
        """Dimension index -> name (the path of the node, e.g. ``optimizer-learning_rate``, or its name=)."""
        return dict(enumerate(self._graph.names))

    def dimensions(self) -> list[Dimension]:
        """Name, kind and number of levels of every dimension, in index order."""
        return [
            Dimension(name, leaf.kind, leaf.levels)
            for name, leaf in zip(self._graph.names, self._graph.leaves, strict=True)
        ]

    def instantiate(self, point: Sequence[float] | npt.ArrayLike) -> Any:
        """A deep copy of the spec with every node replaced by its value at ``point`` (shape[size])."""
        unit = self._validate(point)
        memo: dict[int, Any] = {}
        token = copy_guard.set(True)
        try:
            for node in self._graph.root_refs:
                self._evaluate(node, unit, memo)
            return copy.deepcopy(self._graph.root, memo)
        except HiddenNodeError as error:
            raise RuntimeError(f"spec node {error} was not found by the parser") from None
        except RecursionError:
            raise SpecError(_TOO_DEEP) from None
        finally:
            copy_guard.reset(token)

    def active(self, point: Sequence[float] | npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """shape[size] booleans: the dimensions that influence ``instantiate(point)``.

        Dimensions inside the options of a choice that are not chosen at ``point`` are inactive.
        """
        unit = self._validate(point)
        mask = np.zeros(self.size(), dtype=bool)
        seen: set[int] = set()
        pending: list[BaseNode] = list(self._graph.root_refs)
        while pending:
            node = pending.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            index = self._graph.leaf_index.get(id(node))
            if index is not None:
                mask[index] = True
            if isinstance(node, ChoiceNode) and id(node) in self._graph.option_refs:
                assert index is not None
                pending.extend(self._graph.option_refs[id(node)][node.index(float(unit[index]))])
            elif isinstance(node, MergeNode):
                for refs in self._graph.input_refs[id(node)]:
                    pending.extend(refs)
        return mask

    def to_unit(self, config: Any) -> npt.NDArray[np.float64]:
        """shape[size]: a unit-cube point that instantiates to ``config`` (a structure like instantiate's).

        Discrete dimensions map to the centre of their bin, inactive ones to 0.5. Raises SpecError naming the
        path when a value is out of range, not among the options, or the node's transform is not invertible.
        """
        try:
            return config_to_unit(self._graph, config)
        except RecursionError:
            raise SpecError(_TOO_DEEP) from None

    def sample(self, n: int, rng: RandomState = None) -> npt.NDArray[np.float64]:
        """shape[n, size]: n points drawn uniformly from the unit cube."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        return np.random.default_rng(rng).random((n, self.size()))

    def __repr__(self) -> str:
        return f"ParsedSpec(size={self.size()}, names={self._graph.names!r})"

    def _validate(self, point: Sequence[float] | npt.ArrayLike) -> npt.NDArray[np.float64]:
        try:
            unit = np.asarray(point, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"point must be a sequence of floats: {error}") from None
        if unit.ndim != 1 or unit.shape[0] != self.size():
            raise ValueError(f"point must have shape ({self.size()},), got shape {unit.shape}")
        bad = np.flatnonzero(np.isnan(unit))
        if bad.size:
            raise ValueError(f"point[{bad[0]}] is NaN")
        bad = np.flatnonzero((unit < 0.0) | (unit > 1.0))
        if bad.size:
            raise ValueError(f"point[{bad[0]}] = {float(unit[bad[0]])!r} is outside [0, 1]")
        return unit

    def _evaluate(self, node: BaseNode, unit: npt.NDArray[np.float64], memo: dict[int, Any]) -> Any:
        """The value of ``node`` at ``unit``, cached in ``memo`` (which doubles as the deep-copy memo)."""
        key = id(node)
        if key in memo:
            return memo[key]
        graph = self._graph
        value: Any
        if isinstance(node, UniformNode | NormalNode):
            value = node.decode(float(unit[graph.leaf_index[key]]))
        elif isinstance(node, ChoiceNode):
            index = node.index(float(unit[graph.leaf_index[key]]))
            if isinstance(node.options, range):
                value = node.options[index]
            else:
                option, refs = node.options[index], graph.option_refs[key][index]
                value = self._instantiate_part(option, refs, unit, memo, copy_constant=True)
            if node.transform is not None:
                value = node.transform(value)
        elif isinstance(node, MergeNode):
            value = node.combine(
                [
                    self._instantiate_part(item, refs, unit, memo, copy_constant=False)
                    for item, refs in zip(node.inputs, graph.input_refs[key], strict=True)
                ]
            )
        else:
            raise TypeError(f"unknown spec node type {type(node).__name__}")
        memo[key] = value
        return value

    def _instantiate_part(
        self, part: Any, refs: Refs, unit: npt.NDArray[np.float64], memo: dict[int, Any], copy_constant: bool
    ) -> Any:
        """A choice option or merge input with its nodes replaced (a constant merge input is passed as is)."""
        if isinstance(part, BaseNode):
            return self._evaluate(part, unit, memo)
        if not refs and not copy_constant:
            return part
        for node in refs:
            self._evaluate(node, unit, memo)
        return copy.deepcopy(part, memo)


def get_instance(spec: Any, rng: RandomState = None) -> Any:
    """One random configuration of ``spec`` (a uniform random point of its unit cube, instantiated)."""
    parsed = ParsedSpec(spec)
    return parsed.instantiate(parsed.sample(1, rng)[0])
