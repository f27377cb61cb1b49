"""What a result was measured on: the machine and the versions of every library involved."""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

DISTRIBUTIONS = ("hyperengine", "optuna", "torch", "greenlet", "scikit-optimize", "bayesian-optimization",
                 "scikit-learn", "scipy", "numpy", "matplotlib")


def versions() -> dict[str, str | None]:
    """Installed version of each library (None when absent)."""
    found: dict[str, str | None] = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _cpu_model() -> str:
    try:
        output = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in output.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    """CPU model, core count, memory, OS and Python."""
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "memory_gib": _memory_gib(),
            "platform": platform.platform(), "python": platform.python_version()}


def hyperengine_commit() -> str | None:
    """The commit of the working tree the benchmarks run from ('+dirty' when it has changes), if a git one."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        changes = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}+dirty" if changes else commit


def hyperengine_installed() -> str | None:
    """When the installed compiled core was built (UTC): the tree's commit says little about an older wheel."""
    spec = importlib.util.find_spec("hypercore._core")
    if spec is None or spec.origin is None:
        return None
    return datetime.fromtimestamp(os.path.getmtime(spec.origin), tz=UTC).isoformat(timespec="seconds")


def environment() -> dict[str, Any]:
    """Machine, versions, the hyperengine commit and install time, stored in every results file."""
    return {"machine": machine(), "versions": versions(), "commit": hyperengine_commit(),
            "hyperengine_installed": hyperengine_installed()}
