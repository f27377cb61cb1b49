"""The error raised for an invalid search-space spec or a configuration that does not fit it."""

from __future__ import annotations


class SpecError(ValueError):
    """An invalid spec (found when it is parsed) or a value that cannot be mapped back to the unit cube.

    ``path`` is where the problem is, written as an access path from the spec root, e.g.
    ``spec['optimizer']['learning_rate']`` ("" when the problem is not tied to one place).
    """

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"at {path}: {message}" if path else message)
        self.path = path
        self.problem = message
