"""Check that TensorFlow is there, quietly, with an error that names the extra to install.

The binding's modules call ``require_tensorflow()`` before ``import tensorflow`` / ``import keras``, so a
missing TensorFlow gives one clear message instead of a bare ModuleNotFoundError.
"""

from __future__ import annotations

import importlib
import os

INSTALL_HINT = "install it with: pip install 'hyperengine[tensorflow]'"


def require_tensorflow() -> None:
    """Import TensorFlow and Keras, or raise an ImportError that names the extra to install."""
    # Hide TensorFlow's C++ INFO and WARNING lines (device set-up chatter); errors still print. A value the
    # user already set wins.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name in ("tensorflow", "keras"):
        try:
            importlib.import_module(name)
        except ImportError as error:
            raise ImportError(
                f"hyperengine.tensorflow needs the {name!r} package, which is missing; {INSTALL_HINT}"
            ) from error
