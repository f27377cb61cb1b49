"""Import an optional library or raise an ImportError that names the hyperengine extra providing it."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str, needed_by: str) -> ModuleType:
    """The imported `module`, or an ImportError telling the user to install hyperengine[extra]."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{needed_by} needs the {module!r} package, which is missing; "
            f"install it with: pip install 'hyperengine[{extra}]'"
        ) from error
