"""How a study's search space is stored with it: a fingerprint to compare, and the spec pickled when it can be.

The fingerprint is the list of dimensions ({"name", "kind", "levels"} per unit-cube coordinate): two specs with
the same fingerprint propose and store the same points. The spec itself is stored pickled (so load_study needs
no space) unless it cannot be pickled: specs holding lambdas (`transform=lambda ...`, `merge(..., lambda ...)`)
cannot, and then the loader passes the space again, which is checked against the fingerprint.
"""

from __future__ import annotations

import math
import pickle
from typing import Any

from hyperengine.spec.dimension import Dimension


def fingerprint(dimensions: list[Dimension]) -> list[dict[str, Any]]:
    """The stored identity of a space: its dimensions as JSON data."""
    return [{"name": dim.name, "kind": dim.kind.value, "levels": dim.levels} for dim in dimensions]


def pickled(space: Any) -> bytes | None:
    """The spec pickled, or None when it holds something pickle refuses (lambdas, local functions)."""
    try:
        return pickle.dumps(space, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def difference(stored: list[dict[str, Any]], given: list[dict[str, Any]]) -> str | None:
    """What differs between two fingerprints, in words, or None when they are equal."""
    if stored == given:
        return None
    if len(stored) != len(given):
        return f"the stored space has {len(stored)} dimensions, this one {len(given)}"
    for index, (old, new) in enumerate(zip(stored, given, strict=True)):
        if old != new:
            return f"dimension {index}: stored {old}, given {new}"
    return "the dimensions differ"


def same_params(stored: Any, instantiated: Any) -> bool:
    """True when stored params are the spec instantiated at the stored point: equal, floats to 1e-9 relative
    (a JSON round trip keeps floats exactly; an enqueued configuration may differ from the instance in the
    last bits), and a list where JSON turned a tuple into one."""
    if isinstance(stored, bool) or isinstance(instantiated, bool):
        return stored is instantiated or stored == instantiated and type(stored) is type(instantiated)
    if isinstance(stored, (int, float)) and isinstance(instantiated, (int, float)):
        return math.isclose(stored, instantiated, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(stored, dict) and isinstance(instantiated, dict):
        return stored.keys() == instantiated.keys() and all(same_params(stored[k], instantiated[k]) for k in stored)
    if isinstance(stored, (list, tuple)) and isinstance(instantiated, (list, tuple)):
        return len(stored) == len(instantiated) and all(map(same_params, stored, instantiated))
    return bool(stored == instantiated)
