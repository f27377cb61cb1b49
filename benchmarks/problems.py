"""Test problems to minimize, with known optima: the standard global-optimization functions and a mixed space.

A problem is a list of parameters (continuous, integer or categorical) and a function of a dict of their
values. Every adapter builds its own search space from the same list, so no peer sees a unit-cube rescaling
that another does not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Params = dict[str, Any]


@dataclass(frozen=True)
class Param:
    """One parameter: kind 'float' (low..high), 'int' (low..high inclusive) or 'cat' (one of choices)."""

    name: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A function to minimize over `params`; `optimum` is its known global minimum value."""

    name: str
    params: tuple[Param, ...]
    function: Callable[[Params], float]
    optimum: float

    def __call__(self, values: Params) -> float:
        return float(self.function(values))

    @property
    def dim(self) -> int:
        return len(self.params)

    def random_params(self, rng: np.random.Generator) -> Params:
        """A uniform draw (integers and categories uniform over their levels)."""
        values: Params = {}
        for p in self.params:
            if p.kind == "float":
                values[p.name] = float(rng.uniform(p.low, p.high))
            elif p.kind == "int":
                values[p.name] = int(rng.integers(int(p.low), int(p.high) + 1))
            else:
                values[p.name] = str(p.choices[int(rng.integers(len(p.choices)))])
        return values


def _vector(values: Params, count: int) -> npt.NDArray[np.float64]:
    return np.array([float(values[f"x{i}"]) for i in range(count)])


def _box(count: int, low: float, high: float) -> tuple[Param, ...]:
    return tuple(Param(f"x{i}", "float", low, high) for i in range(count))


def branin(values: Params) -> float:
    x1, x2 = float(values["x0"]), float(values["x1"])
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_HARTMANN_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                        [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_HARTMANN_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                               [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
_HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(values: Params) -> float:
    x = _vector(values, 6)
    return float(-_HARTMANN_ALPHA @ np.exp(-np.sum(_HARTMANN_A * (x - _HARTMANN_P) ** 2, axis=1)))


def ackley(x: npt.NDArray[np.float64]) -> float:
    d = len(x)
    return float(-20 * np.exp(-0.2 * np.sqrt(np.sum(x**2) / d)) - np.exp(np.sum(np.cos(2 * np.pi * x)) / d)
                 + 20 + math.e)


def rosenbrock(x: npt.NDArray[np.float64]) -> float:
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def levy(x: npt.NDArray[np.float64]) -> float:
    w = 1 + (x - 1) / 4
    middle = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
    last = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return float(np.sin(np.pi * w[0]) ** 2 + middle + last)


def styblinski_tang(x: npt.NDArray[np.float64]) -> float:
    return float(np.sum(x**4 - 16 * x**2 + 5 * x) / 2)


STYBLINSKI_TANG_ARGMIN = -2.903534027771178

# The mixed space: 4 continuous coordinates, 2 integers and 2 categories. The categories shift the continuous
# optimum and add an offset; the integers add an ordered bowl with a small ripple. Minimum 0 at
# kernel='rbf', solver='adam', units=11, layers=3, x = the rbf shift.
_MIXED_KERNELS = ("linear", "poly", "rbf", "sigmoid")
_MIXED_SOLVERS = ("sgd", "adam", "lbfgs")
_MIXED_SHIFTS = {"linear": (0.8, 0.2, 0.6, 0.3), "poly": (0.25, 0.75, 0.3, 0.7),
                 "rbf": (0.35, 0.6, 0.15, 0.85), "sigmoid": (0.6, 0.4, 0.8, 0.1)}
_MIXED_OFFSETS = {("linear", "sgd"): 1.2, ("linear", "adam"): 0.9, ("linear", "lbfgs"): 1.0,
                  ("poly", "sgd"): 0.8, ("poly", "adam"): 0.5, ("poly", "lbfgs"): 0.7,
                  ("rbf", "sgd"): 0.6, ("rbf", "adam"): 0.0, ("rbf", "lbfgs"): 0.3,
                  ("sigmoid", "sgd"): 1.5, ("sigmoid", "adam"): 1.1, ("sigmoid", "lbfgs"): 1.3}


def mixed_terms(values: Params) -> tuple[float, float, float]:
    """The mixed function's three terms: continuous (the bowl around the kernel's shift plus a ripple along x0,
    whose side basins one period away sit at 4/9), discrete (the integers) and the categories' offset."""
    x = _vector(values, 4)
    kernel, solver = str(values["kernel"]), str(values["solver"])
    shift = np.array(_MIXED_SHIFTS[kernel])
    continuous = 4.0 * float(np.sum((x - shift) ** 2)) + 0.3 * (1 - math.cos(6 * math.pi * float(x[0] - shift[0])))
    units, layers = int(values["units"]), int(values["layers"])
    discrete = 0.02 * (units - 11) ** 2 + 0.15 * (layers - 3) ** 2 + 0.05 * abs(math.sin(units - 11))
    return continuous, discrete, _MIXED_OFFSETS[(kernel, solver)]


def mixed(values: Params) -> float:
    return sum(mixed_terms(values))


def _mixed_params() -> tuple[Param, ...]:
    return _box(4, 0.0, 1.0) + (Param("units", "int", 1, 16), Param("layers", "int", 1, 6),
                                Param("kernel", "cat", choices=_MIXED_KERNELS),
                                Param("solver", "cat", choices=_MIXED_SOLVERS))


def _on_vector(function: Callable[[npt.NDArray[np.float64]], float], count: int) -> Callable[[Params], float]:
    return lambda values: function(_vector(values, count))


PROBLEMS: dict[str, Problem] = {problem.name: problem for problem in (
    Problem("branin", (Param("x0", "float", -5, 10), Param("x1", "float", 0, 15)), branin, 0.397887357729738),
    Problem("hartmann6", _box(6, 0, 1), hartmann6, -3.322368011415515),
    Problem("ackley5", _box(5, -32.768, 32.768), _on_vector(ackley, 5), 0.0),
    Problem("rosenbrock4", _box(4, -5, 10), _on_vector(rosenbrock, 4), 0.0),
    Problem("levy10", _box(10, -10, 10), _on_vector(levy, 10), 0.0),
    Problem("styblinski_tang8", _box(8, -5, 5), _on_vector(styblinski_tang, 8),
            8 * styblinski_tang(np.array([STYBLINSKI_TANG_ARGMIN]))),
    Problem("mixed", _mixed_params(), mixed, 0.0),
)}


def problem_names(names: Sequence[str] | None = None) -> list[str]:
    """The requested problem names, checked; all of them by default."""
    if not names:
        return list(PROBLEMS)
    unknown = sorted(set(names) - set(PROBLEMS))
    if unknown:
        raise ValueError(f"unknown problems {unknown}; known: {sorted(PROBLEMS)}")
    return list(names)
