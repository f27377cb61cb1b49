"""Check that matplotlib is there, with an error that names the extra to install.

Every plotting module calls ``require_matplotlib()`` before importing matplotlib, so a missing matplotlib
gives one clear message instead of a bare ModuleNotFoundError. `import hyperengine` never imports it.
"""

from __future__ import annotations

import importlib

INSTALL_HINT = "install it with: pip install 'hyperengine[plot]'"


def require_matplotlib() -> None:
    """Import matplotlib, or raise an ImportError that names the extra to install."""
    try:
        importlib.import_module("matplotlib")
    except ImportError as error:
        raise ImportError(f"hyperengine.visualization needs the 'matplotlib' package, which is missing; "
                          f"{INSTALL_HINT}") from error
