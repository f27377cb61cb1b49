"""Standard test functions for the optimizers, written on the unit cube (the strategies' native space).

Every objective is to be maximized and knows its maximum, so a test can measure the regret
(maximum - best value found). `random_search_regrets` is the baseline every strategy must beat.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Objective:
    """f(u) on [0, 1]^dim, its maximum value, and the pi_epsilon (about 1% of its range) PI needs to explore."""

    name: str
    dim: int
    func: Callable[[npt.NDArray[np.float64]], float]
    maximum: float
    pi_epsilon: float = 0.0
    argmax: tuple[float, ...] = field(default=())

    def __call__(self, point: npt.ArrayLike) -> float:
        return float(self.func(np.asarray(point, dtype=np.float64)))


def _x_sin_x(u: npt.NDArray[np.float64]) -> float:
    x = -10.0 + 20.0 * u[0]
    return float(x * math.sin(x))


def _rational_2d(u: npt.NDArray[np.float64]) -> float:
    x, y = 9.0 * u[0], 9.0 * u[1]
    return (x + y) / ((x - 1.0) ** 2 - math.sin(y) + 2.0)


_ELLIPSOID_WEIGHTS = np.array([1.0, 2.0, 4.0, 8.0])
_ELLIPSOID_CENTER = np.array([0.3, 0.7, 0.4, 0.6])
_SPHERE_CENTER = np.linspace(0.2, 0.8, 10)


def _ellipsoid_4d(u: npt.NDArray[np.float64]) -> float:
    return -float(np.sum(_ELLIPSOID_WEIGHTS * (u - _ELLIPSOID_CENTER) ** 2))


def _sphere_10d(u: npt.NDArray[np.float64]) -> float:
    return -float(np.sum((u - _SPHERE_CENTER) ** 2))


#: x sin(x) on [-10, 10]: two symmetric global maxima 7.9167 at x = +-7.9787, local ones in between.
X_SIN_X = Objective("x*sin(x)", 1, _x_sin_x, 7.916727371587782, argmax=((7.978665706906757 + 10) / 20,))
#: (x + y) / ((x - 1)^2 - sin(y) + 2) on [0, 9]^2: a narrow ridge along x ~ 1, the maximum 8.938 at y ~ 9.
RATIONAL_2D = Objective("(x+y)/((x-1)^2-sin(y)+2)", 2, _rational_2d, 8.937952048643083, pi_epsilon=0.1)
#: A shifted, anisotropic (weights 1, 2, 4, 8) quadratic in 4-D: the length scales differ per coordinate.
ELLIPSOID_4D = Objective("ellipsoid-4d", 4, _ellipsoid_4d, 0.0, pi_epsilon=0.01,
                         argmax=tuple(_ELLIPSOID_CENTER.tolist()))
#: A sphere in 10-D centred off the cube's centre (0.2 .. 0.8).
SPHERE_10D = Objective("sphere-10d", 10, _sphere_10d, 0.0, pi_epsilon=0.01, argmax=tuple(_SPHERE_CENTER.tolist()))


def random_search_regrets(objective: Objective, budget: int, seeds: range) -> npt.NDArray[np.float64]:
    """The regret of uniform random search with `budget` evaluations, one per seed."""
    regrets = []
    for seed in seeds:
        points = np.random.default_rng(seed).random((budget, objective.dim))
        regrets.append(objective.maximum - max(objective(point) for point in points))
    return np.array(regrets)
