"""Parsing: walk a spec once, find its nodes, number the leaf dimensions, name them, validate everything.

The walk is depth-first in container order (dict insertion order), so the same spec always gives the same
dimensions in the same order. A node object reached twice is visited once: it is one dimension.

For every context that is instantiated by a deep copy (the spec root, each choice option, each merge input
that holds nodes) the graph records the nodes it holds directly ("refs"); evaluating those refs first and
then deep-copying the context with a memo {id(node): value} replaces every node by its value.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hyperengine.spec.errors import SpecError
from hyperengine.spec.leaves import ChoiceNode, LeafNode
from hyperengine.spec.nodes import BaseNode, HiddenNodeError, MergeNode, copy_guard
from hyperengine.spec.structure import Path, Segment, children, is_container, join_name, render_path

Refs = tuple[BaseNode, ...]


@dataclass
class SpecGraph:
    """The parsed form of a spec: leaves in dimension order, their names, and the refs of every context."""

    root: Any
    leaves: list[LeafNode] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    leaf_index: dict[int, int] = field(default_factory=dict)
    paths: dict[int, Path] = field(default_factory=dict)
    root_refs: Refs = ()
    option_refs: dict[int, tuple[Refs, ...]] = field(default_factory=dict)
    input_refs: dict[int, tuple[Refs, ...]] = field(default_factory=dict)
    container_refs: dict[int, Refs] = field(default_factory=dict)

    def refs_of(self, obj: Any) -> Refs:
        """The nodes held directly by ``obj`` (itself when it is a node)."""
        if isinstance(obj, BaseNode):
            return (obj,)
        return self.container_refs.get(id(obj), ())

    def path_of(self, node: BaseNode) -> str:
        """The access path where ``node`` was first reached."""
        return render_path(self.paths[id(node)])


def build_graph(spec: Any) -> SpecGraph:
    """Parse ``spec``; raise SpecError with the offending path for any invalid part."""
    return _Builder(spec).build()


class _Builder:
    def __init__(self, spec: Any) -> None:
        self.graph = SpecGraph(root=spec)
        self.nodes: list[BaseNode] = []
        self.done: set[int] = set()
        self.nodes_in_progress: set[int] = set()
        self.container_stack: list[int] = []
        self.cyclic: set[int] = set()
        self.explicit: list[bool] = []
        self.copied_contexts: list[tuple[Any, Path]] = [(spec, ())]

    def build(self) -> SpecGraph:
        self.graph.root_refs = self.refs(self.graph.root, (), "")
        self.assign_names()
        self.check_copies()
        return self.graph

    def refs(self, obj: Any, path: Path, prefix: str) -> Refs:
        """Visit ``obj`` and return the nodes it holds directly (not through other nodes)."""
        if isinstance(obj, BaseNode):
            self.visit(obj, path, prefix)
            return (obj,)
        if not is_container(obj):
            return ()
        key = id(obj)
        if key in self.graph.container_refs:
            return self.graph.container_refs[key]
        if key in self.container_stack:
            # A reference cycle: the outer visit of this container collects its nodes; the containers on
            # the cycle are not memoized since their refs seen from here are incomplete.
            self.cyclic.update(self.container_stack[self.container_stack.index(key) :])
            return ()
        self.container_stack.append(key)
        found: dict[int, BaseNode] = {}
        for segment, child in children(obj):
            for node in self.refs(child, (*path, segment), join_name(prefix, segment.label)):
                found.setdefault(id(node), node)
        self.container_stack.pop()
        result = tuple(found.values())
        if key not in self.cyclic:
            self.graph.container_refs[key] = result
        return result

    def visit(self, node: BaseNode, path: Path, prefix: str) -> None:
        key = id(node)
        if key in self.done:
            return
        if key in self.nodes_in_progress:
            raise SpecError(
                "the node contains itself (a reference cycle through a choice or merge)", render_path(path)
            )
        if node.problem is not None:
            raise SpecError(node.problem, render_path(path))
        self.nodes_in_progress.add(key)
        self.graph.paths[key] = path
        self.nodes.append(node)
        own = node.name if node.name is not None else prefix
        if isinstance(node, LeafNode):
            self.graph.leaf_index[key] = len(self.graph.leaves)
            self.graph.leaves.append(node)
            self.graph.names.append(own or node.label.split("(")[0])
            self.explicit.append(node.name is not None)
        if isinstance(node, ChoiceNode) and not isinstance(node.options, range):
            option_refs = []
            for index, option in enumerate(node.options):
                option_path = (*path, Segment("option", index, str(index)))
                option_refs.append(self.refs(option, option_path, join_name(own, str(index))))
                self.copied_contexts.append((option, option_path))
            self.graph.option_refs[key] = tuple(option_refs)
        if isinstance(node, MergeNode):
            with_nodes = [index for index, item in enumerate(node.inputs) if contains_nodes(item)]
            input_refs = []
            for index, item in enumerate(node.inputs):
                input_path = (*path, Segment("input", index, str(index)))
                input_prefix = join_name(own, str(index)) if len(with_nodes) > 1 else own
                input_refs.append(self.refs(item, input_path, input_prefix))
                if index in with_nodes and not isinstance(item, BaseNode):
                    self.copied_contexts.append((item, input_path))
            self.graph.input_refs[key] = tuple(input_refs)
        self.nodes_in_progress.discard(key)
        self.done.add(key)

    def assign_names(self) -> None:
        """Explicit names must be unique; an automatic name that is taken gets a '~2', '~3'... suffix."""
        names = self.graph.names
        taken: set[str] = set()
        for index, name in enumerate(names):
            if self.explicit[index]:
                if name in taken:
                    raise SpecError(
                        f"two dimensions are named {name!r}", self.graph.path_of(self.graph.leaves[index])
                    )
                taken.add(name)
        for index, name in enumerate(names):
            if not self.explicit[index]:
                unique, suffix = name, 2
                while unique in taken:
                    unique, suffix = f"{name}~{suffix}", suffix + 1
                names[index] = unique
                taken.add(unique)

    def check_copies(self) -> None:
        """Deep-copy every instantiated context once, with the nodes stubbed out, to fail now and not later.

        This finds objects that cannot be deep-copied and nodes hidden where the walker does not look.
        """
        stubs: dict[int, Any] = {id(node): None for node in self.nodes}
        token = copy_guard.set(True)
        try:
            for context, path in self.copied_contexts:
                try:
                    copy.deepcopy(context, dict(stubs))
                except Exception:  # noqa: BLE001 - a user object's copy may raise anything; reported below
                    where, error, culprit = _locate_copy_failure(context, path, stubs)
                    if isinstance(error, HiddenNodeError):
                        raise SpecError(
                            f"a spec node ({error}) is hidden inside a {type(culprit).__name__} where the parser"
                            " does not look (sets, dict keys and __slots__ are not walked)",
                            render_path(where),
                        ) from None
                    raise SpecError(
                        f"the spec must be deep-copyable: {type(error).__name__}: {error}", render_path(where)
                    ) from error
        finally:
            copy_guard.reset(token)


def contains_nodes(obj: Any, seen: set[int] | None = None) -> bool:
    """True when ``obj`` is a node or a container holding one at any depth."""
    if isinstance(obj, BaseNode):
        return True
    seen = set() if seen is None else seen
    if not is_container(obj) or id(obj) in seen:
        return False
    seen.add(id(obj))
    return any(contains_nodes(child, seen) for _, child in children(obj))


def _locate_copy_failure(obj: Any, path: Path, stubs: dict[int, Any]) -> tuple[Path, Exception, Any]:
    """The deepest part of ``obj`` whose deep copy fails: its path, the error and the object."""
    for segment, child in children(obj):
        try:
            copy.deepcopy(child, dict(stubs))
        except Exception:  # noqa: BLE001 - same as in check_copies
            return _locate_copy_failure(child, (*path, segment), stubs)
    try:
        copy.deepcopy(obj, dict(stubs))
    except Exception as error:  # noqa: BLE001 - same as in check_copies
        return path, error, obj
    raise AssertionError("a deep copy failed once and then succeeded")
