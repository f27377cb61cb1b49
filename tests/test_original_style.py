"""The original's strategy tests, in its own style: a DefaultSampler whose generators draw from the user's box,
a start point told first, and the global maximum asked for within delta in the original's step budgets.

One try per seed (the original retried every case 4 times with growing Monte-Carlo batches); every case must
pass for seeds 0, 1 and 2. The generators use np.random as the original's did, so np.random is seeded too.
The reference maxima are closed forms or dense grids (computed once per module).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from hyperengine.bayesian import BayesianPortfolioStrategy, BayesianStrategy, DefaultSampler

#: a function of points (..., d) in the user's units, vectorized so a dense grid gives its reference maximum
Objective = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


def square(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Two maxima at the box's ends (100 at x = +-10)."""
    return np.asarray(x[..., 0], dtype=np.float64) ** 2


def sines(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Periodic, three peaks on [2.7, 7.5]; the top, 1.899599 at x = 5.145735 (the classic minimum, negated)."""
    return -(np.sin(x[..., 0]) + np.sin(10.0 * x[..., 0] / 3.0))


def growing_wave(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """x sin x plus a ripple on [-12, 16]: several peaks growing with |x|."""
    return x[..., 0] * np.sin(x[..., 0]) + 0.5 * np.cos(3.0 * x[..., 0])


def log_wave(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Irregular: its oscillation slows as |x| grows, on [-10, 10]."""
    return x[..., 0] * np.sin(np.log(np.abs(x[..., 0]) + 1.0)) + 0.1 * x[..., 0]


def three_bumps(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Three Gaussian peaks of heights 1, 1.4 and 0.8 on [0, 9]^2."""
    def peak(centre: list[float], width: float) -> npt.NDArray[np.float64]:
        return np.exp(-np.sum((x - centre) ** 2, axis=-1) / width)
    return peak([2.0, 7.0], 3.0) + 1.4 * peak([7.0, 2.5], 2.5) + 0.8 * peak([4.5, 4.5], 2.0)


def ripple(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Periodic in both coordinates with a weak trend, on [-10, 15]^2."""
    return np.cos(x[..., 0] / 2.0) + np.cos(x[..., 1] / 3.0) - ((x[..., 0] - 2.0) ** 2 + (x[..., 1] - 4.0) ** 2) / 100.0


CENTRE_4 = np.array([1.0, -2.0, 3.0, 0.5])


def bowl_4(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A bowl with a cosine along one axis on [-5, 5]^4: the top, 0, at CENTRE_4."""
    return -np.sum((x - CENTRE_4) ** 2, axis=-1) + np.cos(x[..., 0] - CENTRE_4[0]) - 1.0


CENTRE_10 = np.linspace(-0.45, 0.45, 10)


def bowl_10(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A bowl on [-1, 1]^10: the top, 0, at CENTRE_10."""
    return -np.sum((x - CENTRE_10) ** 2, axis=-1)


def mixed(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(0..10)^3 x (0..1): integer parabolas and a sine; the top, 1, at (3, 7, 5, pi / 12)."""
    a, b, c, d = (x[..., j] for j in range(4))
    return -(a - 3) ** 2 - 0.5 * (b - 7) ** 2 - (c - 5) ** 2 / 3.0 + np.sin(6.0 * d)


def choice_and_box(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A choice of five scales and a box [-3, 3]: the top, 0, at (4, 1)."""
    return -(np.log2(x[..., 0]) - 2.0) ** 2 - (x[..., 1] - 1.0) ** 2


@cache
def grid_maximum(name: str, low: tuple[float, ...], high: tuple[float, ...], count: int) -> float:
    """The maximum of CASES[name]'s function over a dense grid of the box (the reference of a case)."""
    f = next(case.f for case in CASES if case.name == name)
    axes = [np.linspace(lo, hi, count) for lo, hi in zip(low, high, strict=True)]
    mesh = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, len(low))
    return float(np.max(f(mesh)))


@dataclass(frozen=True)
class Case:
    """One case: the sampler's generators, the function, the budget, delta and the reference maximum."""

    name: str
    generators: Callable[[DefaultSampler], None]
    f: Objective
    budget: int
    delta: float
    maximum: Callable[[], float]
    start: tuple[float, ...] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    portfolio: bool = False


def _add(*funcs: Callable[[], object]) -> Callable[[DefaultSampler], None]:
    def generators(sampler: DefaultSampler) -> None:
        for func in funcs:
            sampler.add(func)
    return generators


CASES = [
    Case("square", _add(lambda: np.random.uniform(-10, 10)), square, 10, 1.0, lambda: 100.0, start=(5.0,)),
    Case("square-ucb", _add(lambda: np.random.uniform(-10, 10)), square, 10, 1.0, lambda: 100.0, start=(5.0,),
         params={"utility_gen": "ucb"}),
    Case("sines", _add(lambda: np.random.uniform(2.7, 7.5)), sines, 15, 0.01, lambda: 1.899599),
    Case("growing-wave", _add(lambda: np.random.uniform(-12, 16)), growing_wave, 30, 0.1,
         lambda: grid_maximum("growing-wave", (-12.0,), (16.0,), 200_001)),
    Case("log-wave", _add(lambda: np.random.uniform(-10, 10)), log_wave, 20, 0.05,
         lambda: grid_maximum("log-wave", (-10.0,), (10.0,), 200_001), start=(1.0,)),
    Case("three-bumps", _add(lambda: np.random.uniform((0, 0), (9, 9))), three_bumps, 30, 0.02,
         lambda: grid_maximum("three-bumps", (0.0, 0.0), (9.0, 9.0), 901), start=(1.0, 1.0)),
    Case("ripple", _add(lambda: np.random.uniform(-10, 15), lambda: np.random.uniform(-10, 15)), ripple, 40, 0.05,
         lambda: grid_maximum("ripple", (-10.0, -10.0), (15.0, 15.0), 1001)),
    Case("bowl-4", _add(lambda: np.random.uniform(-5, 5, size=4)), bowl_4, 40, 0.1, lambda: 0.0,
         start=(0.0, 0.0, 0.0, 0.0)),
    Case("bowl-4-portfolio", _add(lambda: np.random.uniform(-5, 5, size=4)), bowl_4, 40, 0.1, lambda: 0.0,
         start=(0.0, 0.0, 0.0, 0.0), portfolio=True),
    Case("bowl-10", _add(lambda: np.random.uniform(-1, 1, size=10)), bowl_10, 50, 0.1, lambda: 0.0),
    Case("mixed-int", _add(lambda: np.random.randint(0, 11, size=3), lambda: np.random.uniform(0, 1)), mixed, 40,
         0.05, lambda: 1.0, start=(5.0, 5.0, 5.0, 0.5), params={"burn_in": 12}),
    Case("choice", _add(lambda: np.random.choice([0.5, 1.0, 2.0, 4.0, 8.0]), lambda: np.random.uniform(-3, 3)),
         choice_and_box, 20, 0.01, lambda: 0.0),
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_finds_the_global_maximum(case: Case, seed: int) -> None:
    np.random.seed(seed)  # the generators draw from np.random, as the original's did
    sampler = DefaultSampler(seed=seed)
    case.generators(sampler)
    kind = BayesianPortfolioStrategy if case.portfolio else BayesianStrategy
    strategy = kind(sampler, seed=seed, **case.params)
    if case.start is not None:
        strategy.add_point(np.array(case.start), float(case.f(np.array(case.start))))
    low, high = strategy.domain.bounds.T
    for _ in range(case.budget):
        x = strategy.next_proposal()
        assert x.shape == (sampler.dim,) and np.all((x >= low) & (x <= high))
        strategy.add_point(x, float(case.f(np.asarray(x, dtype=np.float64))))
    best = max(strategy.values)
    assert best >= case.maximum() - case.delta, f"{case.name}: best {best} after {case.budget} proposals"
