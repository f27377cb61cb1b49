"""NamedDict: a dict whose items are also attributes, for specs and configurations written as objects."""

from __future__ import annotations

from typing import Any


class NamedDict(dict[str, Any]):
    """A dict with attribute access: ``d.lr`` is ``d['lr']``, and a missing attribute is None.

    Being a dict, it is walked like one in a spec, and instantiating a spec keeps the NamedDict type.
    """

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"NamedDict({dict.__repr__(self)})"


def new(mapping: dict[str, Any] | None = None, **kwargs: Any) -> NamedDict:
    """A NamedDict from a dict and/or keyword arguments (keywords win on a clash)."""
    result = NamedDict(mapping or {})
    result.update(kwargs)
    return result
