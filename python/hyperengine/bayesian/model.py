"""The surrogate a strategy queries: the compiled Gaussian process fed with the strategy's observations.

It owns the hypercore GP, keeps the raw observations to rebuild it when needed (a prior mean that moves),
maps unit-cube points to GP inputs (inactive coordinates of a conditional space to a fixed value, so they are
ignored rather than random) and refits hyper-parameters by the core's policy. Past `exact_limit` observations
the GP is fitted on a selected subset of them (bayesian/subset_model.py), so a step stays cheap at any n.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from hypercore import _core
from hyperengine.bayesian.kernel import BaseKernel
from hyperengine.bayesian.output_transform import YeoJohnsonTransform
from hyperengine.bayesian.subset_model import EXACT_LIMIT, SUBSET_SIZE, SubsetGaussianProcess
from hyperengine.spec.dimension import Dimension, DimensionKind

PriorMeanGen = str | Callable[[npt.NDArray[np.float64]], float]
Encoder = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]

_DEFAULT_NOISE_VARIANCE = 1e-4


def compiled_space(dimensions: Sequence[Dimension] | int) -> _core.Space:
    """The core's view of a list of spec dimensions (or of `n` continuous ones)."""
    if isinstance(dimensions, int):
        return _core.Space(dimensions)
    return _core.Space([dim.kind.value for dim in dimensions],
                       [dim.levels if dim.kind is not DimensionKind.CONTINUOUS else 0 for dim in dimensions])


class GaussianProcessModel:
    """A GP over the unit cube, observations in raw units (to be maximized).

    exact_limit: up to this many observations the GP holds all of them; past it, an exact GP on subset_size
    of them (the best, the incumbent's neighbours and a random share, see subset_model.py).
    """

    def __init__(self, dimensions: Sequence[Dimension] | int, kernel: BaseKernel,
                 noise_sigma: float | None = None, prior_mean: PriorMeanGen = "fitted",
                 encode: Encoder | None = None, refit_every: int = 0, seed: int = 0,
                 output_transform: str | None = "yeo-johnson", exact_limit: int = EXACT_LIMIT,
                 subset_size: int = SUBSET_SIZE) -> None:
        if isinstance(exact_limit, bool) or not isinstance(exact_limit, int) or exact_limit < 2:
            raise ValueError(f"exact_limit must be an integer of at least 2, got {exact_limit!r}")
        if not (2 <= subset_size <= exact_limit):
            raise ValueError(f"subset_size must be between 2 and exact_limit ({exact_limit}), got {subset_size}")
        if noise_sigma is not None and not (np.isfinite(noise_sigma) and noise_sigma > 0):
            raise ValueError(f"noise_sigma must be a positive number, got {noise_sigma!r}")
        if not (callable(prior_mean) or prior_mean in ("mean", "max", "fitted")):
            raise ValueError(f"mu_prior_gen must be 'mean', 'max', 'fitted' or a callable, got {prior_mean!r}")
        if output_transform not in ("yeo-johnson", None):
            raise ValueError(f"output_transform must be 'yeo-johnson' or None, got {output_transform!r}")
        self._space = compiled_space(dimensions)
        self._kernel = kernel
        self._noise_sigma = noise_sigma
        self._prior_mean = prior_mean
        self._encode = encode
        self._refit_every = refit_every
        self._seed = seed
        self._inputs: list[npt.NDArray[np.float64]] = []
        self._values: list[float] = []
        self._noise: list[float] = []
        self._offset = 0.0  # the callable prior mean, subtracted before the GP sees the values
        # A callable prior mean is in the values' own units, so it excludes warping them.
        self._transform = (YeoJohnsonTransform() if output_transform == "yeo-johnson" and not callable(prior_mean)
                           else None)
        self._gp = self._new_gp()
        self._exact_limit = exact_limit
        self._subset_size = subset_size
        self._subset: SubsetGaussianProcess | None = None  # past exact_limit observations
        self._transform_fitted_at = 0  # observations at the subset model's last output-transform fit

    @property
    def dim(self) -> int:
        return int(self._space.size)

    @property
    def size(self) -> int:
        return len(self._values)

    @property
    def best_value(self) -> float:
        """The largest observed value (raw units); -inf with no data."""
        return max(self._values, default=-np.inf)

    @property
    def best_point(self) -> npt.NDArray[np.float64]:
        """The GP input of the best observation."""
        if not self._values:
            raise ValueError("the model has no observations")
        return self._inputs[int(np.argmax(self._values))].copy()

    def fantasized(self, points: npt.ArrayLike) -> GaussianProcessModel:
        """A copy of the model with `points` added at their posterior means (the kriging believer)."""
        clone = copy.copy(self)
        clone._gp = self._gp.copy()
        clone._subset = None if self._subset is None else self._subset.copy()
        clone._transform = copy.copy(self._transform)
        clone._inputs, clone._values, clone._noise = list(self._inputs), list(self._values), list(self._noise)
        for point in np.atleast_2d(np.asarray(points, dtype=np.float64)):
            mean, _ = clone.predict(point[None, :])
            clone.add(point, float(mean[0]))
        return clone

    @property
    def exact(self) -> bool:
        """Whether the GP holds every observation (False past exact_limit: it holds a selected subset)."""
        return self._subset is None

    @property
    def gp(self) -> _core.GaussianProcess:
        """The compiled GP, refitted first if its policy asks for it."""
        if self._subset is not None:
            if self._subset.stale:
                self._refit_output_transform()
            return self._subset.gp(self._warp)
        # Random restarts matter while the data are few; past 100 points the warm start carries the fit.
        restarts = 2 if self.size < 100 else 1
        self._gp.maybe_refit(every=self._refit_every, restarts=restarts, seed=self._seed + self.size)
        return self._gp

    def encode(self, point: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The GP input of a unit-cube point (C-contiguous float64)."""
        x = np.array(point, dtype=np.float64).reshape(-1)
        if x.size != self.dim:
            raise ValueError(f"point has {x.size} coordinates, the space has {self.dim}")
        if not np.all(np.isfinite(x)):
            raise ValueError("point contains NaN or inf")
        if self._encode is not None:
            x = np.ascontiguousarray(self._encode(x), dtype=np.float64)
        return x

    def add(self, point: npt.ArrayLike, value: float, noise: float = 0.0) -> None:
        """Record an observation; `noise` is an extra observation-noise variance in raw units."""
        x = self.encode(point)
        if not np.isfinite(value):
            raise ValueError(f"value must be finite, got {value!r}")
        if not (np.isfinite(noise) and noise >= 0):
            raise ValueError(f"noise must be a finite non-negative variance, got {noise!r}")
        self._inputs.append(x)
        self._values.append(float(value))
        self._noise.append(float(noise))
        if self._subset is not None or self.size > self._exact_limit:
            self._extend_subset(x[None, :], np.array([float(value)]), np.array([float(noise)]))
        elif callable(self._prior_mean):
            self._rebuild()
        elif self._transform is None:
            self._gp.add(x, float(value), float(noise))
        else:
            # The transform is refitted to all values, this one included (so that it is within the transform's
            # range, even near the largest double); the factor does not depend on the values, so re-targeting is
            # O(n^2). The extra noise goes through the transform's slope at this value (delta method), in
            # standardized units (no 0 * inf for huge values).
            self._transform.fit(np.asarray(self._values))
            slope = self._transform.slope(value)[()]
            self._gp.add(x, float(self._transform(value)[()]), float(noise * slope**2))
            self._gp.set_targets(self._transform(np.asarray(self._values)))

    def add_batch(self, points: npt.ArrayLike, values: npt.ArrayLike, noise: npt.ArrayLike | None = None) -> None:
        """Record k observations at once: the state add() one by one reaches, with the factor extended once
        and the output transform refitted once (checked first: nothing is recorded if one is invalid)."""
        rows = np.atleast_2d(np.asarray(points, dtype=np.float64))
        targets = np.asarray(values, dtype=np.float64).reshape(-1)
        extra = np.zeros(len(targets)) if noise is None else np.asarray(noise, dtype=np.float64).reshape(-1)
        if not (len(rows) == len(targets) == len(extra)):
            raise ValueError(f"add_batch: {len(rows)} points, {len(targets)} values and {len(extra)} noises")
        if not np.all(np.isfinite(targets)):
            raise ValueError("add_batch: values must be finite")
        if not np.all(np.isfinite(extra) & (extra >= 0)):
            raise ValueError("add_batch: noise must be finite non-negative variances")
        X = np.array([self.encode(row) for row in rows]).reshape(len(targets), self.dim)
        if not len(targets):
            return
        self._inputs.extend(X)
        self._values.extend(targets.tolist())
        self._noise.extend(extra.tolist())
        if self._subset is not None or self.size > self._exact_limit:
            self._extend_subset(X, targets, extra)
        elif callable(self._prior_mean):
            self._rebuild()
        elif self._transform is None:
            self._gp.add_batch(np.ascontiguousarray(X), targets, extra)
        else:
            self._transform.fit(np.asarray(self._values))
            gp_targets, gp_noise = self._warp(targets, extra)
            self._gp.add_batch(np.ascontiguousarray(X), gp_targets, gp_noise)
            self._gp.set_targets(self._transform(np.asarray(self._values)))

    def _extend_subset(self, X: npt.NDArray[np.float64], values: npt.NDArray[np.float64],
                       noise: npt.NDArray[np.float64]) -> None:
        """Past exact_limit: record in the subset model (switching to it first, with the fitted theta)."""
        if self._subset is None:
            earlier = self.size - len(values)
            self._subset = SubsetGaussianProcess(self.dim, self._new_gp, self._gp.log_params, self._seed,
                                                 self._subset_size, refit_every=self._refit_every)
            self._subset.extend(np.asarray(self._inputs[:earlier]).reshape(-1, self.dim),
                                np.asarray(self._values[:earlier]), np.asarray(self._noise[:earlier]))
            self._gp = self._new_gp()  # the exact GP's factor is not needed any more
        self._subset.extend(X, values, noise)

    def _refit_output_transform(self) -> None:
        """Refit what maps values to GP targets to every value (the subset model's tells leave it to the ask).

        The Yeo-Johnson fit costs O(n) a likelihood evaluation (30 ms at n = 10,000) and moves by O(1/n) with
        one more value, so it is refitted once the values grew by 1/128 since its last fit."""
        if callable(self._prior_mean):
            self._offset = float(self._prior_mean(np.asarray(self._values)))
            if not np.isfinite(self._offset):
                raise ValueError(f"mu_prior_gen returned {self._offset!r}; it must return a finite number")
        elif self._transform is not None and self.size - self._transform_fitted_at >= max(1, self.size // 128):
            self._transform.fit(np.asarray(self._values))
            self._transform_fitted_at = self.size

    def _warp(self, values: npt.NDArray[np.float64], noise: npt.NDArray[np.float64]
              ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """GP targets and extra noise of raw values and noise variances, by the output transform as it is now."""
        if callable(self._prior_mean):
            return values - self._offset, noise
        if self._transform is None:
            return values, noise
        slope = self._transform.slope(values)  # in standardized units: no 0 * inf for values near the largest double
        return self._transform(values), noise * slope**2

    def predict(self, points: npt.ArrayLike, standardized: bool = False
                ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Posterior mean and variance (raw units unless standardized) at points (m, d)."""
        X = np.ascontiguousarray(np.atleast_2d(np.asarray(points, dtype=np.float64)))
        if self._encode is not None:
            X = np.ascontiguousarray(np.array([self._encode(row) for row in X], dtype=np.float64).reshape(X.shape))
        mean, variance = self.gp.predict(X, standardized=standardized)
        if not standardized:
            if self._transform is not None:  # back to the values' units: the median, and the delta method
                mean = self._transform.inverse(mean)
                variance = variance / np.maximum(self._transform.derivative(mean), 1e-300) ** 2
            mean = mean + self._offset
        return mean, variance

    def suggest(self, acquisition: str, count: int, pending: npt.ArrayLike | None, epsilon: float, beta: float,
                fantasy: str, seed: int) -> npt.NDArray[np.float64]:
        """`count` unit-cube points maximizing the acquisition, pending points fantasized first."""
        pending_rows = None
        rows = np.empty((0, self.dim)) if pending is None else np.atleast_2d(np.asarray(pending, dtype=np.float64))
        if rows.size:
            pending_rows = np.ascontiguousarray([self.encode(row) for row in rows])
        if self._transform is not None and epsilon and self.size:  # the margin in the GP's units
            best = self.best_value
            epsilon = float(self._transform(best + epsilon)[()] - self._transform(best)[()])
        points, _ = _core.suggest(self.gp, acquisition, count=count, pending=pending_rows, epsilon=epsilon,
                                  beta=beta, fantasy=fantasy, seed=seed)
        return np.asarray(points)

    def standardize(self, value: float) -> float:
        """A raw value in the GP's standardized units."""
        gp = self._gp if self._subset is None else self.gp
        target = value - self._offset if self._transform is None else float(self._transform(value)[()])
        return (target - gp.y_offset) / gp.y_scale

    def _new_gp(self) -> _core.GaussianProcess:
        fixed = self._noise_sigma is not None
        noise_variance = _DEFAULT_NOISE_VARIANCE if self._noise_sigma is None else self._noise_sigma**2
        prior = "zero" if callable(self._prior_mean) else self._prior_mean
        gp = _core.GaussianProcess(self._space, self._kernel.name, noise_variance, fixed, prior)
        initial = self._kernel.initial_log_params(self.dim)
        if initial is not None:
            gp.log_params = np.append(initial, np.log(noise_variance))
        return gp

    def _rebuild(self) -> None:
        """Rebuild the GP with the callable prior mean re-evaluated (keeping the fitted hyper-parameters)."""
        assert callable(self._prior_mean)
        values = np.array(self._values)
        self._offset = float(self._prior_mean(values))
        if not np.isfinite(self._offset):
            raise ValueError(f"mu_prior_gen returned {self._offset!r}; it must return a finite number")
        theta = self._gp.log_params
        gp = self._new_gp()
        gp.log_params = theta
        gp.add_batch(np.ascontiguousarray(self._inputs), values - self._offset, np.array(self._noise))
        self._gp = gp
