"""The inverse map: from a configuration back to a unit-cube point (to import known results, warm starts).

The spec and the configuration are walked side by side. At a leaf the value is encoded; at a choice the
first matching option is taken (an option holding nodes matches when the value can be inverted through
it); at a merge node the value goes back through its ``Inverse`` to the one input that holds nodes.
Dimensions that the configuration never reaches (inside options not chosen) are set to 0.5.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from hyperengine.spec.errors import SpecError
from hyperengine.spec.graph import SpecGraph, contains_nodes
from hyperengine.spec.leaves import ChoiceNode, NormalNode, UniformNode
from hyperengine.spec.nodes import BaseNode, MergeNode
from hyperengine.spec.structure import Path, Segment, children, is_container, render_path

_UNIT_TOLERANCE = 1e-9
_SOLVE_ERRORS = (ValueError, ArithmeticError, TypeError)


def config_to_unit(graph: SpecGraph, config: Any) -> npt.NDArray[np.float64]:
    """shape[size]: the unit-cube point of ``config``; SpecError with the path when there is none."""
    inverter = _Inverter(graph, {})
    inverter.structure(graph.root, config, ())
    point = np.full(len(graph.leaves), 0.5)
    for index, unit in inverter.units.items():
        point[index] = unit
    return point


def _equal(left: Any, right: Any) -> bool:
    """Equality that also works for numpy arrays and never raises."""
    if left is right:
        return True
    try:
        result = left == right
        if isinstance(result, np.ndarray):
            return bool(np.shape(left) == np.shape(right) and result.all())
        return bool(result)
    except (ValueError, TypeError):
        return False


def _child(value: Any, segment: Segment, path: Path) -> Any:
    """The part of the configuration at ``segment``."""
    where = render_path((*path, segment))
    try:
        if segment.kind == "attr" and not isinstance(value, Mapping):
            return getattr(value, segment.key)
        return value[segment.key]
    except (KeyError, IndexError, AttributeError, TypeError):
        raise SpecError(f"the configuration has nothing here (in a {type(value).__name__})", where) from None


class _Inverter:
    def __init__(self, graph: SpecGraph, units: dict[int, float]) -> None:
        self.graph = graph
        self.units = units
        self.walking: set[int] = set()

    def fork(self) -> _Inverter:
        return _Inverter(self.graph, dict(self.units))

    def structure(self, part: Any, value: Any, path: Path, strict: bool = False) -> None:
        """Invert every node inside the spec part ``part`` against the configuration part ``value``.

        ``strict`` (inside a choice option) also requires the constants to match, since they tell the
        options apart; elsewhere constants in the configuration are not checked.
        """
        if isinstance(part, BaseNode):
            self.node(part, value, path)
            return
        if not is_container(part) or id(part) in self.walking:
            if strict and not _equal(part, value):
                raise SpecError(f"expected {part!r}, got {value!r}", render_path(path))
            return
        if isinstance(part, list | tuple) and (
            not isinstance(value, Sequence) or isinstance(value, str) or len(value) != len(part)
        ):
            raise SpecError(f"expected a sequence of length {len(part)}, got {value!r}", render_path(path))
        if (
            strict
            and isinstance(part, dict)
            and (not isinstance(value, Mapping) or value.keys() != part.keys())
        ):
            raise SpecError(f"expected a mapping with keys {list(part)}, got {value!r}", render_path(path))
        self.walking.add(id(part))
        for segment, child in children(part):
            if strict or self.has_nodes(child):
                self.structure(child, _child(value, segment, path), (*path, segment), strict)
        self.walking.discard(id(part))

    def has_nodes(self, part: Any) -> bool:
        """True when the spec part holds a node (constants in the configuration are not checked)."""
        if isinstance(part, BaseNode):
            return True
        if id(part) in self.graph.container_refs:
            return bool(self.graph.container_refs[id(part)])
        return contains_nodes(part)

    def node(self, node: BaseNode, value: Any, path: Path) -> None:
        where = render_path(path)
        if isinstance(node, UniformNode | NormalNode):
            try:
                unit = node.encode(value)
            except ValueError as error:
                raise SpecError(f"{node.label}: {error}", where) from None
            self.assign(node, unit, where)
        elif isinstance(node, ChoiceNode):
            self.assign(node, node.unit_of_index(self.choose(node, value, path)), where)
        elif isinstance(node, MergeNode):
            self.merge(node, value, path)
        else:
            raise SpecError(f"cannot invert a {type(node).__name__}", where)

    def choose(self, node: ChoiceNode, value: Any, path: Path) -> int:
        """The index of the first option that yields ``value`` (its nodes' units recorded)."""
        where = render_path(path)
        if node.transform is not None:
            raise SpecError(f"{node.label} has a transform, which cannot be inverted", where)
        if isinstance(node.options, range):
            try:
                return node.range_index(value)
            except ValueError as error:
                raise SpecError(f"{node.label}: {error}", where) from None
        reasons: list[str] = []
        for index, (option, refs) in enumerate(
            zip(node.options, self.graph.option_refs[id(node)], strict=True)
        ):
            if not refs:
                if _equal(option, value):
                    return index
                continue
            trial = self.fork()
            try:
                trial.structure(option, value, (*path, Segment("option", index, str(index))), strict=True)
            except SpecError as error:
                reasons.append(str(error))
                continue
            self.units = trial.units
            return index
        detail = f" ({'; '.join(reasons)})" if reasons else ""
        raise SpecError(f"{value!r} is not among the options of {node.label}{detail}", where)

    def merge(self, node: MergeNode, value: Any, path: Path) -> None:
        where = render_path(path)
        inverse = node.inverse
        with_nodes = [index for index, refs in enumerate(self.graph.input_refs[id(node)]) if refs]
        if not with_nodes:
            return  # a merge of constants does not depend on the point
        if len(with_nodes) > 1 or (inverse is not None and with_nodes != [inverse.input_index]):
            raise SpecError(f"{node.label} combines several nodes and cannot be inverted", where)
        if inverse is None:
            raise SpecError(f"{node.label} cannot be inverted (not one-to-one, or a user function)", where)
        try:
            candidates = inverse.candidates(value)
        except _SOLVE_ERRORS as error:
            raise SpecError(f"{node.label} cannot produce {value!r}: {error}", where) from None
        input_path = (*path, Segment("input", inverse.input_index, str(inverse.input_index)))
        first_error: SpecError | None = None
        for candidate in candidates:
            trial = self.fork()
            try:
                trial.structure(node.inputs[inverse.input_index], candidate, input_path)
            except SpecError as error:
                first_error = first_error or error
                continue
            self.units = trial.units
            return
        assert first_error is not None
        raise first_error

    def assign(self, node: BaseNode, unit: float, where: str) -> None:
        index = self.graph.leaf_index[id(node)]
        previous = self.units.get(index)
        if previous is not None and abs(previous - unit) > _UNIT_TOLERANCE:
            raise SpecError(
                f"dimension {self.graph.names[index]!r} is reached twice with different values", where
            )
        self.units[index] = unit
