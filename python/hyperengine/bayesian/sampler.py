"""The original's DefaultSampler: the domain of a low-level strategy, one generator per group of coordinates.

A generator draws values in the user's own units (`lambda: np.random.uniform(-10, 10)`); the strategies learn
their search box from its draws (hyperengine.bayesian.domain). `add_uniform` coordinates are [0, 1] exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_PROBE = 3  # the size a generator is first called with, to tell a vectorized one from a one-value-per-call one


@dataclass(frozen=True)
class GeneratorBlock:
    """One `add` or `add_uniform` coordinate group: `generate(size)` returns a (size, width) array.

    `unit` marks an add_uniform coordinate, known to be uniform on [0, 1] without drawing it.
    """

    generate: Callable[[int], npt.NDArray[np.generic]]
    width: int
    unit: bool


class DefaultSampler:
    """Draws points coordinate group by coordinate group.

    `add(func)` appends the coordinates drawn by `func()` (one value, or a vector of k values: k coordinates)
    or by a vectorized `func(size) -> array (size,)`; `add_uniform(n)` appends n coordinates uniform on [0, 1].
    `sample(size)` returns a (size, dim) float64 array.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._blocks: list[GeneratorBlock] = []
        self._rng = np.random.default_rng(seed)

    @property
    def dim(self) -> int:
        """The number of coordinates."""
        return sum(block.width for block in self._blocks)

    @property
    def blocks(self) -> list[GeneratorBlock]:
        """The coordinate groups, in order."""
        return list(self._blocks)

    def add(self, func: Callable[..., object]) -> None:
        """Append the coordinates of func: func(size) when vectorized, else func() once per point.

        func is called once here to learn how many coordinates it gives (a scalar: one; a vector: its length).
        """
        if not callable(func):
            raise TypeError(f"DefaultSampler.add expects a callable, got {type(func).__name__}")
        vectorized = _vectorized_width(func)
        if vectorized is not None:
            self._blocks.append(GeneratorBlock(_vectorized_draw(func, vectorized), vectorized, unit=False))
            return
        width = _one_value_shape(func, np.asarray(func()))
        self._blocks.append(GeneratorBlock(_per_call_draw(func, width), width, unit=False))

    def add_uniform(self, size: int) -> None:
        """Append `size` coordinates uniform on [0, 1]."""
        if size < 0:
            raise ValueError(f"add_uniform: size must be non-negative, got {size}")
        for _ in range(size):
            self._blocks.append(GeneratorBlock(lambda n: self._rng.random(n)[:, None], 1, unit=True))

    def sample(self, size: int) -> npt.NDArray[np.float64]:
        """(size, dim) candidate points."""
        if size < 1:
            raise ValueError(f"sample: size must be positive, got {size}")
        if not self._blocks:
            return np.empty((size, 0))
        return np.hstack([np.asarray(block.generate(size), dtype=np.float64) for block in self._blocks])


def _vectorized_width(func: Callable[..., object]) -> int | None:
    """The width of a generator answering func(size) with (size,) or (size, k) values; None if it does not."""
    try:
        probe = np.asarray(func(_PROBE))
    except TypeError:
        return None
    if probe.ndim in (1, 2) and probe.shape[0] == _PROBE and probe.size > 0:
        return 1 if probe.ndim == 1 else int(probe.shape[1])
    return None


def _one_value_shape(func: Callable[..., object], value: npt.NDArray[np.generic]) -> int:
    if value.ndim > 1 or value.size == 0:
        raise ValueError(f"DefaultSampler.add: {func!r}() returned an array of shape {value.shape}; a generator "
                         "returns one value or a flat vector of values")
    if not (np.issubdtype(value.dtype, np.number) or value.dtype == np.bool_):
        raise TypeError(f"DefaultSampler.add: {func!r}() returned {value.dtype} values; the strategies need "
                        "numbers (map a choice of labels to its index)")
    return int(value.size)


def _vectorized_draw(func: Callable[..., object], width: int) -> Callable[[int], npt.NDArray[np.generic]]:
    def draw(size: int) -> npt.NDArray[np.generic]:
        values = np.asarray(func(size))
        if values.shape not in ((size,), (size, width)):
            raise ValueError(f"DefaultSampler: {func!r}({size}) returned shape {values.shape}, expected {(size,)}")
        return values.reshape(size, width)
    return draw


def _per_call_draw(func: Callable[..., object], width: int) -> Callable[[int], npt.NDArray[np.generic]]:
    def draw(size: int) -> npt.NDArray[np.generic]:
        values = np.array([np.asarray(func()).reshape(-1) for _ in range(size)])
        if values.shape != (size, width):
            raise ValueError(f"DefaultSampler: {func!r}() returned {values.shape[1:]} values, then another count; "
                             f"it gave {width} at first")
        return values
    return draw
