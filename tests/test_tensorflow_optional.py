"""TensorFlow is optional: importing hyperengine never loads it, and its absence gives a helpful error.

These tests run without TensorFlow installed (each in a fresh interpreter).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import hyperengine


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports the same hyperengine as this one."""
    package_root = str(Path(hyperengine.__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path},
    )


def test_importing_hyperengine_does_not_import_tensorflow() -> None:
    code = (
        "import sys, hyperengine, hyperengine.model, hyperengine.tensorflow, hyperengine.demo\n"
        "hyperengine.tensorflow.seed_everything(1)\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'tensorflow was imported'\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_a_missing_tensorflow_names_the_extra_to_install() -> None:
    code = "import sys\nsys.modules['tensorflow'] = None\nfrom hyperengine.tensorflow import KerasSolver\n"
    result = run_python(code)
    assert result.returncode != 0
    assert "pip install 'hyperengine[tensorflow]'" in result.stderr
