"""How a spec is walked: which objects are containers, their children, and how paths are written.

Containers are dicts (any ``dict`` subclass, e.g. NamedDict), lists, tuples (namedtuples by field name) and
plain objects with a ``__dict__`` (their attributes). Everything else is an atomic constant. Sets, dict
keys and ``__slots__`` are not looked into; the parser refuses a spec that hides a node there.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

SegmentKind = Literal["key", "index", "attr", "option", "input"]

_NOT_WALKED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


@dataclass(frozen=True)
class Segment:
    """One step of a path: a dict key, a sequence index, an attribute, a choice option or a merge input."""

    kind: SegmentKind
    key: Any
    label: str

    def render(self) -> str:
        """The step as it reads in an access path (used in error messages)."""
        if self.kind == "key":
            return f"[{self.key!r}]"
        if self.kind == "index":
            return f"[{self.key}]"
        if self.kind == "attr":
            return f".{self.key}"
        return f"<{self.kind} {self.key}>"


Path = tuple[Segment, ...]


def render_path(path: Path) -> str:
    """``spec['conv']['filters'][0]<option 1>.alpha``-style text for messages."""
    return "spec" + "".join(segment.render() for segment in path)


def is_container(obj: Any) -> bool:
    """True for the objects whose children the walker visits."""
    if isinstance(obj, dict | list | tuple):
        return True
    return hasattr(obj, "__dict__") and not isinstance(obj, _NOT_WALKED)


def children(obj: Any) -> Iterator[tuple[Segment, Any]]:
    """The children of a container in a stable order (dict insertion order, index order, attribute order)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield Segment("key", key, str(key)), value
    elif isinstance(obj, tuple) and hasattr(obj, "_fields"):
        for index, (field, value) in enumerate(zip(obj._fields, obj, strict=True)):
            yield Segment("index", index, field), value
    elif isinstance(obj, list | tuple):
        for index, value in enumerate(obj):
            yield Segment("index", index, str(index)), value
    elif is_container(obj):
        for attr, value in vars(obj).items():
            yield Segment("attr", attr, attr), value


def join_name(prefix: str, label: str) -> str:
    """Names are path labels joined by '-': ``optimizer-learning_rate``."""
    return f"{prefix}-{label}" if prefix else label
