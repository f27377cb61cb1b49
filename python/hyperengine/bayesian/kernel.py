"""Kernels as the strategies name them: thin descriptions of the compiled kernels of hypercore.

A kernel is computed in C++; this module says which one and with which starting hyper-parameters. A new
kernel is one C++ class (see cpp/include/hypercore/kernel.hpp) plus one subclass here naming it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from hypercore import _core


class BaseKernel:
    """A compiled stationary ARD kernel k(a, b) = s2 f(r2), named by `name`."""

    name: str = ""

    def initial_log_params(self, dim: int) -> npt.NDArray[np.float64] | None:
        """Starting (log length scales [dim], log signal variance) for the first fit; None: the core's default."""
        return None

    def compute(self, batch_x: npt.ArrayLike, batch_y: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The kernel matrix (n1, n2) between two batches of unit-cube points, at the initial parameters."""
        a = np.ascontiguousarray(np.atleast_2d(batch_x), dtype=np.float64)
        b = np.ascontiguousarray(np.atleast_2d(batch_y), dtype=np.float64)
        if a.shape[1] != b.shape[1]:
            raise ValueError(f"compute: batches have {a.shape[1]} and {b.shape[1]} coordinates")
        kernel = _compiled_kernel(self.name, _core.Space(a.shape[1]))
        initial = self.initial_log_params(a.shape[1])
        if initial is not None:
            kernel.log_params = initial
        return np.asarray(kernel.matrix(a, b))


class RadialBasisFunction(BaseKernel):
    """The original's RBF kernel exp(-gamma |x - y|^2); gamma sets the starting length scale 1/sqrt(2 gamma),
    which is then fitted to the data."""

    name = "rbf"

    def __init__(self, gamma: float = 0.5) -> None:
        if not (math.isfinite(gamma) and gamma > 0):
            raise ValueError(f"rbf_gamma must be a positive number, got {gamma!r}")
        self.gamma = gamma

    def initial_log_params(self, dim: int) -> npt.NDArray[np.float64]:
        log_length = -0.5 * math.log(2.0 * self.gamma)
        return np.append(np.full(dim, log_length), 0.0)


class Matern52(BaseKernel):
    """The Matern 5/2 kernel, the default: less smooth than the RBF, better for real objectives."""

    name = "matern52"


def _compiled_kernel(name: str, space: _core.Space) -> _core.Kernel:
    if name == "rbf":
        return _core.RBFKernel(space)
    if name == "matern52":
        return _core.Matern52Kernel(space)
    raise ValueError(f"kernel {name!r} is not a compiled kernel; expected 'rbf' or 'matern52'")


KernelGen = str | Callable[..., BaseKernel]


def make_kernel(kernel_gen: KernelGen, rbf_gamma: float | None = None) -> BaseKernel:
    """'rbf' | 'matern52' | a callable returning a BaseKernel -> the kernel to use."""
    if kernel_gen == "rbf":
        return RadialBasisFunction(0.5 if rbf_gamma is None else rbf_gamma)
    if kernel_gen == "matern52":
        return Matern52()
    if callable(kernel_gen):
        kernel = kernel_gen()
        if not isinstance(kernel, BaseKernel):
            raise ValueError(f"kernel_gen must return a BaseKernel, got {type(kernel).__name__}")
        return kernel
    raise ValueError(f"kernel_gen must be 'rbf', 'matern52' or a callable, got {kernel_gen!r}")
