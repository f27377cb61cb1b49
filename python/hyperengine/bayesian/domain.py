"""The map between a DefaultSampler's own units and the unit cube the GP works on, learned from its draws.

Each coordinate gets one of three maps (see docs/api.md, "The sampler is the domain"):
  identity: an `add_uniform` coordinate, [0, 1] already (nothing is drawn: a Study's proposals are unchanged);
  levels:   a generator with few distinct values (np.random.randint, np.random.choice([...])): level k of L
            sorted values sits at the cube's (k + 1/2) / L, the core's discrete encoding (spec.dimension);
  knots:    a continuous generator: a monotone piecewise-linear map through (value, u) knots: the two ends of
            the draws when they pass a Kolmogorov-Smirnov test of uniformity (a box: the map is linear), else
            the draws' quantiles, so the cube is spread as the generator spreads its values (10 ** uniform(a, b)
            is searched on its exponent). A tail that looks unbounded (np.random.normal) is cut at the
            TAIL_QUANTILE of the draws. Integer-valued generators with many values round to integers.
Proposals are clipped to the support by construction (u in [0, 1] maps inside it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.spec.dimension import Dimension, DimensionKind

DRAWS = 10_000  # draws per generator: the range of a uniform box is then known to 1/10,000 of its width
MAX_LEVELS = 64  # at most this many distinct values (each drawn often) make a discrete coordinate
QUANTILE_KNOTS = 64  # segments of a non-uniform generator's quantile map
TAIL_QUANTILE = 0.001  # where an unbounded-looking tail is cut
KS_CRITICAL = 1.63  # the Kolmogorov-Smirnov 1 % critical value, times 1 / sqrt(n)
TAIL_RATIO = 0.5  # (extreme - q[0.999]) / (q[0.999] - q[0.99]) above which a tail looks unbounded (uniform: 0.11)


@dataclass(frozen=True)
class CoordinateMap:
    """How one coordinate goes to the cube and back.

    kind: 'identity' | 'levels' | 'knots'. levels: the sorted values of a discrete coordinate. knots_x, knots_u:
    increasing user values and their cube positions (u from 0 to 1). integer: values are whole numbers.
    """

    kind: str
    levels: npt.NDArray[np.float64] | None = None
    knots_x: npt.NDArray[np.float64] | None = None
    knots_u: npt.NDArray[np.float64] | None = None
    integer: bool = False

    @property
    def bounds(self) -> tuple[float, float]:
        """The support's ends in user units."""
        if self.kind == "identity":
            return 0.0, 1.0
        values = self.levels if self.kind == "levels" else self.knots_x
        assert values is not None
        return float(values[0]), float(values[-1])

    def to_cube(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Cube positions (m,) of user values (m,); values outside the support go to its nearest end."""
        if self.kind == "identity":
            return x
        if self.kind == "levels":
            assert self.levels is not None
            return (self._nearest_level(x) + 0.5) / self.levels.size
        assert self.knots_x is not None and self.knots_u is not None
        if self.knots_x.size == 1:
            return np.full(x.shape, 0.5)
        return np.interp(x, self.knots_x, self.knots_u)

    def from_cube(self, u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """User values (m,) of cube positions (m,), always inside the support."""
        if self.kind == "identity":
            return u
        if self.kind == "levels":
            assert self.levels is not None
            count = self.levels.size
            index = np.minimum(np.floor(np.clip(u, 0.0, 1.0) * count), count - 1).astype(np.int64)
            return self.levels[index]
        assert self.knots_x is not None and self.knots_u is not None
        x = np.interp(u, self.knots_u, self.knots_x) if self.knots_x.size > 1 else np.full(u.shape, self.knots_x[0])
        if self.integer:
            x = np.clip(np.round(x), np.ceil(self.knots_x[0]), np.floor(self.knots_x[-1]))
        return x

    def dimension(self, name: str) -> Dimension:
        """The kind the GP gives this coordinate."""
        if self.kind == "levels":
            assert self.levels is not None
            return Dimension(name, DimensionKind.INTEGER, int(self.levels.size))
        return Dimension(name, DimensionKind.CONTINUOUS, 0)

    def _nearest_level(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        assert self.levels is not None
        right = np.clip(np.searchsorted(self.levels, x), 1, max(self.levels.size - 1, 1))
        left = right - 1
        if self.levels.size == 1:
            return np.zeros(x.shape, dtype=np.int64)
        closer_left = np.abs(x - self.levels[left]) <= np.abs(self.levels[right] - x)
        return np.where(closer_left, left, right).astype(np.int64)


def learn_coordinate(draws: npt.NDArray[np.generic]) -> CoordinateMap:
    """The map of one generated coordinate from its draws (n,)."""
    values = np.asarray(draws, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("DefaultSampler: a generator returned NaN or inf; its values must be finite numbers")
    integral = bool(np.issubdtype(draws.dtype, np.integer) or draws.dtype == np.bool_)
    distinct = np.unique(values)
    if distinct.size <= MAX_LEVELS and values.size >= 10 * distinct.size:
        return CoordinateMap("levels", levels=distinct, integer=integral)
    whole = integral or bool(np.all(values == np.round(values)))
    lo, hi = float(distinct[0]), float(distinct[-1])
    if _looks_uniform(values, lo, hi):
        return CoordinateMap("knots", knots_x=np.array([lo, hi]), knots_u=np.array([0.0, 1.0]), integer=whole)
    ends = [TAIL_QUANTILE if _tail_looks_unbounded(-values) else 0.0,
            1.0 - TAIL_QUANTILE if _tail_looks_unbounded(values) else 1.0]
    knots_u = np.linspace(0.0, 1.0, QUANTILE_KNOTS + 1)
    knots_x = np.quantile(values, ends[0] + knots_u * (ends[1] - ends[0]))
    knots_x, first = np.unique(knots_x, return_index=True)  # an atom of the distribution: one knot
    return CoordinateMap("knots", knots_x=knots_x, knots_u=_stretch(knots_u[first]), integer=whole)


def _stretch(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Knot positions rescaled to run from 0 to 1 (after merged duplicates)."""
    if u.size == 1:
        return np.array([0.5])
    return (u - u[0]) / (u[-1] - u[0])


def _looks_uniform(values: npt.NDArray[np.float64], lo: float, hi: float) -> bool:
    """Kolmogorov-Smirnov: are the draws uniform on [lo, hi] at the 1 % level?"""
    if hi == lo:
        return True
    ordered = np.sort(values)
    n = ordered.size
    cdf = (ordered - lo) / (hi - lo)
    steps = np.arange(1, n + 1) / n
    statistic = max(float(np.max(steps - cdf)), float(np.max(cdf - (steps - 1.0 / n))))
    return statistic < KS_CRITICAL / np.sqrt(n)


def _tail_looks_unbounded(values: npt.NDArray[np.float64]) -> bool:
    """Does the upper tail reach far past its high quantiles (a normal's: ratio ~1; a box's: ~0.1)?"""
    q99, q999 = np.quantile(values, [0.99, 1.0 - TAIL_QUANTILE])
    spread = q999 - q99
    return bool(spread > 0 and (values.max() - q999) / spread > TAIL_RATIO)


class SamplerDomain:
    """A sampler's support and its map to the unit cube, coordinate by coordinate (identity for add_uniform)."""

    def __init__(self, maps: list[CoordinateMap], integer_points: bool) -> None:
        self.maps = maps
        #: proposals are int64 arrays when every coordinate's generator gives integers, float64 otherwise
        self.dtype: type[np.generic] = np.int64 if integer_points and maps else np.float64

    @classmethod
    def learn(cls, sampler: DefaultSampler, draws: int = DRAWS) -> SamplerDomain:
        """Draw each generator `draws` times (add_uniform coordinates are not drawn) and learn its map."""
        maps: list[CoordinateMap] = []
        for block in sampler.blocks:
            if block.unit:
                maps.append(CoordinateMap("identity"))
                continue
            values = np.asarray(block.generate(draws))
            maps.extend(learn_coordinate(values[:, column]) for column in range(block.width))
        integer_points = all(m.integer for m in maps)
        return cls(maps, integer_points)

    @property
    def is_identity(self) -> bool:
        """True when every coordinate is an add_uniform one: user units are the cube."""
        return all(m.kind == "identity" for m in self.maps)

    @property
    def bounds(self) -> npt.NDArray[np.float64]:
        """(d, 2) the support's ends per coordinate, in user units."""
        return np.array([m.bounds for m in self.maps]).reshape(-1, 2)

    def dimensions(self) -> list[Dimension]:
        """The GP's view of each coordinate (discrete ones as integer levels)."""
        return [m.dimension(f"x{index}") for index, m in enumerate(self.maps)]

    def to_cube(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """(m, d) cube positions of user points (m, d)."""
        rows = np.atleast_2d(np.asarray(points, dtype=np.float64))
        if self.is_identity:
            return rows
        return np.column_stack([m.to_cube(rows[:, j]) for j, m in enumerate(self.maps)]).reshape(rows.shape)

    def from_cube(self, cube: npt.ArrayLike) -> npt.NDArray[np.generic]:
        """(m, d) user points of cube positions (m, d), inside the support, of the domain's dtype."""
        rows = np.atleast_2d(np.asarray(cube, dtype=np.float64))
        if self.is_identity:
            return rows
        points = np.column_stack([m.from_cube(rows[:, j]) for j, m in enumerate(self.maps)]).reshape(rows.shape)
        return points.astype(self.dtype)

    def typed(self, point: npt.NDArray[np.float64]) -> npt.NDArray[np.generic]:
        """A user point in the domain's dtype when that loses nothing (a told 2.5 on an integer domain stays)."""
        if self.dtype is np.int64 and np.all(point == np.round(point)):
            return point.astype(np.int64)
        return point
