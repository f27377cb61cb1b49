"""Type stubs for hypercore._core, the pybind11 extension over the C++ Gaussian-process core.

Names are plain strings, checked at run time (ValueError otherwise): dimension kinds 'continuous' | 'integer' |
'categorical'; kernels 'rbf' | 'matern52'; prior means 'mean' | 'max' | 'zero'; acquisitions 'pi' | 'ei' |
'ucb'; fantasies 'kriging_believer' | 'constant_liar_min' | 'constant_liar_mean' | 'constant_liar_max'.

Arrays cross the boundary without copies: inputs must be C-contiguous float64 arrays of the documented shape,
anything else (a list, another dtype or layout) raises ValueError naming the argument. Shapes: n observations,
m query points, d dimensions. An object made by `Cls.__new__(Cls)` without `__init__` is refused with ValueError
by every method and function it reaches.

Threads: a GaussianProcess may be shared by Python threads. Each has a lock that every method and `suggest`
hold for the whole call, waiting for it and computing with the GIL released. Kernels and Acquisitions hold the
GIL throughout.
"""

from typing import TypeAlias, TypedDict, overload

import numpy as np
import numpy.typing as npt

_Array: TypeAlias = npt.NDArray[np.float64]

class LinAlgError(ArithmeticError):
    """A linear-algebra failure that could not be repaired (the kernel matrix is singular)."""

class _FitResult(TypedDict):
    theta: _Array
    log_likelihood: float
    evaluations: int

class Space:
    """The unit cube as the GP sees it: each coordinate continuous, integer or categorical."""

    @overload
    def __init__(self, dim: int) -> None: ...
    @overload
    def __init__(self, kinds: list[str], levels: list[int]) -> None: ...
    @property
    def size(self) -> int: ...
    @property
    def kinds(self) -> list[str]: ...
    @property
    def levels(self) -> list[int]: ...
    def canonicalize(self, X: _Array) -> _Array:
        """X (n, d) -> its canonical values (bin centres for discrete coordinates)."""
    def __getstate__(self) -> tuple[list[str], list[int]]: ...
    def __setstate__(self, state: tuple[list[str], list[int]], /) -> None: ...

class Kernel:
    """A stationary ARD kernel k(a, b) = s2 f(r2); theta = (log l [d], log s2). Not constructible itself."""

    @property
    def name(self) -> str: ...
    @property
    def dim(self) -> int: ...
    @property
    def log_params(self) -> _Array: ...
    @log_params.setter
    def log_params(self, theta: _Array, /) -> None: ...
    def matrix(self, A: _Array, B: _Array) -> _Array:
        """K (n1, n2) = k(A_i, B_j) for A (n1, d), B (n2, d) (canonical inputs)."""
    def gradient_x(self, x: _Array, B: _Array) -> _Array:
        """(n, d): d k(x, B_i) / dx (zero for discrete coordinates)."""
    def gradient_params(self, a: _Array, b: _Array) -> _Array:
        """[d + 1]: d k(a, b) / d theta."""

class RBFKernel(Kernel):
    """Squared exponential kernel: f(r2) = exp(-r2 / 2)."""

    def __init__(self, space: Space) -> None: ...

class Matern52Kernel(Kernel):
    """Matern 5/2 kernel."""

    def __init__(self, space: Space) -> None: ...

class GaussianProcess:
    """A Gaussian-process model that owns its data and the Cholesky factor of its kernel matrix.

    Safe to share between threads: a lock per GP, taken with the GIL released.
    """

    def __init__(
        self,
        space: Space,
        kernel: str = "matern52",
        noise_variance: float = 0.0001,
        fixed_noise: bool = False,
        prior_mean: str = "mean",  # "mean" | "max" | "zero" | "fitted"
    ) -> None: ...
    @property
    def dim(self) -> int: ...
    @property
    def size(self) -> int: ...
    def __len__(self) -> int: ...
    @property
    def space(self) -> Space: ...
    @property
    def kernel_name(self) -> str: ...
    @property
    def prior_mean(self) -> str: ...
    @property
    def log_params(self) -> _Array:
        """theta [d + 2]; setting it refactorizes (O(n^3))."""
    @log_params.setter
    def log_params(self, theta: _Array, /) -> None: ...
    @property
    def log_param_bounds(self) -> tuple[_Array, _Array]: ...
    @property
    def noise_variance(self) -> float: ...
    @property
    def fixed_noise(self) -> bool: ...
    @property
    def jitter(self) -> float: ...
    @property
    def inputs(self) -> _Array:
        """(n, d) canonical inputs (a copy)."""
    @property
    def targets(self) -> _Array: ...
    @property
    def standardized_targets(self) -> _Array: ...
    @property
    def extra_noise(self) -> _Array: ...
    @property
    def y_offset(self) -> float: ...
    @property
    def y_scale(self) -> float: ...
    def cholesky_factor(self) -> _Array:
        """The lower Cholesky factor (n, n) of the kernel matrix (a copy)."""
    def add(self, x: _Array, y: float, extra_noise: float = 0.0) -> None:
        """Adds x [d] with value y; extra_noise is an observation-noise variance in raw units. O(n^2)."""
    def set_targets(self, y: _Array) -> None:
        """Replaces the observed values y [n] (the factor is kept: O(n^2))."""
    def add_batch(self, X: _Array, y: _Array, extra_noise: _Array | None = None) -> None:
        """Adds X (n, d) with values y [n] (and extra noise [n])."""
    def predict(
        self,
        X: _Array,
        mean: _Array | None = None,
        variance: _Array | None = None,
        standardized: bool = False,
        threads: int = 0,
    ) -> tuple[_Array, _Array]:
        """Posterior mean [m] and variance [m] at X (m, d), written into `mean` / `variance` when given."""
    def predict_with_gradient(self, x: _Array) -> tuple[float, float, _Array, _Array]:
        """Standardized (mean, variance, dmean [d], dvariance [d]) at x [d]."""
    @overload
    def log_marginal_likelihood(self, theta: None = None) -> float: ...
    @overload
    def log_marginal_likelihood(self, theta: _Array) -> tuple[float, _Array]: ...
    def log_prior(self, theta: _Array) -> tuple[float, _Array]: ...
    def fit(
        self,
        restarts: int = 2,
        max_iterations: int = 60,
        max_points: int = 200,
        seed: int = 0,
        threads: int = 0,
    ) -> _FitResult:
        """Fits theta by maximizing log marginal likelihood + log prior; O(m^3) per step."""
    def should_refit(self, every: int = 0, lml_drop: float = 0.25) -> bool: ...
    def maybe_refit(
        self,
        every: int = 0,
        lml_drop: float = 0.25,
        restarts: int = 2,
        max_iterations: int = 60,
        max_points: int = 200,
        seed: int = 0,
        threads: int = 0,
    ) -> bool:
        """Fits when the refit policy says so (every k points, or when the likelihood per point degrades)."""
    def truncate(self, n: int) -> None:
        """Drops every point after the first n."""
    def copy(self) -> GaussianProcess: ...
    def __getstate__(self) -> tuple[object, ...]: ...
    def __setstate__(self, state: tuple[object, ...], /) -> None: ...

class Acquisition:
    """An acquisition on a standardized posterior N(mu, sigma^2), for maximization."""

    def __init__(self, kind: str, threshold: float = 0.0, beta: float = 2.0) -> None: ...
    def value(self, mu: _Array, sigma: _Array) -> _Array:
        """Acquisition values [m] for mu [m], sigma [m]."""
    def score(self, mu: _Array, sigma: _Array) -> tuple[_Array, _Array, _Array]:
        """(score [m], d score / d mu [m], d score / d sigma [m])."""

def ucb_beta(dim: int, n: int, delta: float) -> float:
    """The UCB weight sqrt(2 log(d n^2 pi^2 / (6 delta)))."""

def suggest(
    gp: GaussianProcess,
    acquisition: str = "ei",
    count: int = 1,
    pending: _Array | None = None,
    epsilon: float = 0.0,
    beta: float = 2.0,
    fantasy: str = "kriging_believer",
    seed: int = 0,
    num_candidates: int = 0,
    num_local_candidates: int = 0,
    num_starts: int = 8,
    max_iterations: int = 50,
    max_exhaustive_levels: int = 32,
    threads: int = 0,
) -> tuple[_Array, _Array]:
    """Maximizes the acquisition over the unit cube; returns (points (count, d), scores [count])."""

def select_subset(
    X: _Array, y: _Array, length_scales: _Array, size: int, seed: int = 0
) -> npt.NDArray[np.int64]:
    """Indices (ascending) of at most `size` rows of X (n, d) to fit an exact GP on: the size / 4 largest values
    y [n], the size / 2 nearest the best point in the length-scale metric, the rest drawn at random (seeded)."""
