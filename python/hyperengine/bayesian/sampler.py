"""The original's DefaultSampler: draws candidate points of the unit cube, one generator per coordinate."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt


class DefaultSampler:
    """Draws points coordinate by coordinate.

    `add(func)` appends a coordinate drawn by `func(size) -> array (size,)` (or `func()` for one value), and
    `add_uniform(n)` appends n uniform coordinates. `sample(size)` returns a (size, dim) float64 array.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._generators: list[Callable[[int], npt.NDArray[np.float64]]] = []
        self._rng = np.random.default_rng(seed)

    @property
    def dim(self) -> int:
        """The number of coordinates."""
        return len(self._generators)

    def add(self, func: Callable[..., object]) -> None:
        """Append a coordinate drawn by func(size) (vectorized) or func() (one value per call)."""
        if not callable(func):
            raise TypeError(f"DefaultSampler.add expects a callable, got {type(func).__name__}")

        def draw(size: int) -> npt.NDArray[np.float64]:
            try:
                values = np.asarray(func(size), dtype=np.float64)
            except TypeError:
                values = np.array([func() for _ in range(size)], dtype=np.float64)
            if values.shape != (size,):
                values = np.array([func() for _ in range(size)], dtype=np.float64)
            return values

        self._generators.append(draw)

    def add_uniform(self, size: int) -> None:
        """Append `size` coordinates uniform on [0, 1]."""
        if size < 0:
            raise ValueError(f"add_uniform: size must be non-negative, got {size}")
        for _ in range(size):
            self._generators.append(lambda n: self._rng.random(n))

    def sample(self, size: int) -> npt.NDArray[np.float64]:
        """(size, dim) candidate points."""
        if size < 1:
            raise ValueError(f"sample: size must be positive, got {size}")
        if not self._generators:
            return np.empty((size, 0))
        return np.column_stack([generate(size) for generate in self._generators])
