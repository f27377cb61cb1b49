"""What the optimizer sees of one unit-cube coordinate: its name, kind and number of levels."""

from __future__ import annotations

import enum
from dataclasses import dataclass

MAX_LEVELS = 2**31 - 1
"""The most levels a discrete dimension can have: the compiled core counts levels in 32-bit integers."""


class DimensionKind(enum.Enum):
    """How a unit-cube coordinate is decoded.

    CONTINUOUS: a real value (uniform, normal). INTEGER: ordered levels (randint, a choice over a range).
    CATEGORICAL: unordered levels (random_bool, a choice over strings or structures).
    """

    CONTINUOUS = "continuous"
    INTEGER = "integer"
    CATEGORICAL = "categorical"


@dataclass(frozen=True)
class Dimension:
    """One coordinate of the unit cube.

    ``levels`` is the number of values of an INTEGER or CATEGORICAL dimension (0 for CONTINUOUS). A discrete
    dimension with k levels decodes the coordinate u as the level ``min(floor(u * k), k - 1)``.
    """

    name: str
    kind: DimensionKind
    levels: int

    @property
    def is_discrete(self) -> bool:
        """True for INTEGER and CATEGORICAL dimensions."""
        return self.kind is not DimensionKind.CONTINUOUS
