"""Strategies: propose points in the sampler's units and learn from their values (larger is better, as in the
original). The GP works on the unit cube; the sampler's domain (hyperengine.bayesian.domain) maps between them."""

from __future__ import annotations

import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from hyperengine.bayesian.domain import SamplerDomain
from hyperengine.bayesian.initial_design import default_burn_in, initial_design
from hyperengine.bayesian.kernel import KernelGen, make_kernel
from hyperengine.bayesian.maximizer import CoreMaximizer, Maximizer, MonteCarloMaximizer
from hyperengine.bayesian.model import Encoder, GaussianProcessModel, PriorMeanGen
from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.session import Session, load_session, save_session, session_path
from hyperengine.bayesian.subset_model import EXACT_LIMIT, SUBSET_SIZE
from hyperengine.bayesian.utility import (
    BaseUtility,
    ExpectedImprovement,
    ProbabilityOfImprovement,
    RandomPoint,
    UpperConfidenceBound,
)
from hyperengine.persistence import CorruptStateError
from hyperengine.spec.dimension import Dimension, DimensionKind

log = logging.getLogger("hyperengine")

UtilityGen = str | Callable[..., BaseUtility]
FANTASIES = ("kriging_believer", "constant_liar_min", "constant_liar_mean", "constant_liar_max")


def checked_value(value: object) -> float:
    """A told value as a float: a number, or a one-element array (a 1-D objective's f(x), as the original took).

    Anything else (None, NaN, inf, a string, several numbers) is a ValueError naming `value`.
    """
    try:
        array = np.asarray(value)
    except ValueError:  # a ragged sequence
        array = np.asarray(None)
    real = np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating) or array.dtype == np.bool_
    if not real or array.size != 1 or not math.isfinite(float(array.reshape(-1)[0])):
        raise ValueError(f"add_point: value must be a finite number, got {value!r}")
    return float(array.reshape(-1)[0])


class BaseStrategy(ABC):
    """Keeps the observed points and values, persists them (io_save_dir / io_load_dir), proposes new points."""

    def __init__(self, sampler: DefaultSampler, io_save_dir: str | None = None, io_load_dir: str | None = None,
                 names: Sequence[str] | None = None) -> None:
        self._sampler = sampler
        self._dim = sampler.dim
        self._domain = SamplerDomain.learn(sampler)
        self._names = list(names) if names is not None else None
        self._points: list[npt.NDArray[np.float64]] = []
        self._values: list[float] = []
        self._noise: list[float] = []
        self._io_save_dir = io_save_dir
        loaded = load_session(io_load_dir, self._dim, self._names) if io_load_dir else None
        if io_save_dir and session_path(io_save_dir).exists() and (
                io_load_dir is None or session_path(io_save_dir) != session_path(io_load_dir)):
            # Never overwrite a saved session silently: it is either resumed or kept.
            raise CorruptStateError(
                f"{session_path(io_save_dir)} already holds a session; pass io_load_dir={io_save_dir!r} to resume "
                "it, or choose another io_save_dir")
        self._loaded = loaded

    def _replay_loaded(self) -> None:
        """Feed a loaded session to the strategy (called by subclasses once their model exists)."""
        if self._loaded is None:
            return
        if self._loaded.values:
            self._record_batch(np.asarray(self._loaded.points, dtype=np.float64).reshape(-1, self._dim),
                               np.asarray(self._loaded.values), np.asarray(self._loaded.noise))
        log.info("Loaded %d points from a saved session", len(self._loaded.values))
        self._loaded = None

    @property
    def points(self) -> list[npt.NDArray[np.generic]]:
        """The observed points, in the sampler's units."""
        return [self._domain.typed(point) for point in self._points]

    @property
    def values(self) -> list[float]:
        """Their values."""
        return list(self._values)

    @property
    def iteration(self) -> int:
        """The number of points observed so far."""
        return len(self._values)

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def domain(self) -> SamplerDomain:
        """The sampler's support and its map to the GP's unit cube."""
        return self._domain

    def next_proposal(self) -> npt.NDArray[np.generic]:
        """The next point to evaluate, in the sampler's units."""
        return self.next_proposals(1)[0]

    @abstractmethod
    def next_proposals(self, count: int, pending: npt.ArrayLike | None = None) -> npt.NDArray[np.generic]:
        """(count, d) points to evaluate in parallel; `pending` (p, d) are being evaluated already (user units)."""

    def add_point(self, point: npt.ArrayLike, value: float | npt.ArrayLike, noise: float = 0.0) -> None:
        """Record the value of a point in the sampler's units (larger is better); `noise` is an extra noise
        variance (raw units). A point outside the support is modelled at its nearest point of the support.
        `value` is a number or a one-element array (a 1-D objective's `f(x)`)."""
        x = np.array(point, dtype=np.float64).reshape(-1)
        if x.size != self._dim:
            raise ValueError(f"add_point: point has {x.size} coordinates, the space has {self._dim}")
        if not np.all(np.isfinite(x)):
            raise ValueError("add_point: point contains NaN or inf")
        self._record(x, checked_value(value), float(noise))
        if self._io_save_dir:
            save_session(self._io_save_dir, Session(self._dim, self._names, [p.tolist() for p in self._points],
                                                    list(self._values), list(self._noise)))

    def add_points(self, points: npt.ArrayLike, values: npt.ArrayLike, noise: npt.ArrayLike | None = None) -> None:
        """Record k values at once (a bulk import): as add_point one by one, with the model updated once.
        Imported values are nobody's proposal: a subclass's add_point (e.g. a portfolio's scores) is not called."""
        x = np.asarray(points, dtype=np.float64)
        y = np.asarray(values, dtype=np.float64).reshape(-1)
        extra = np.zeros(len(y)) if noise is None else np.asarray(noise, dtype=np.float64).reshape(-1)
        if x.ndim != 2 or x.shape != (len(y), self._dim) or len(extra) != len(y):
            raise ValueError(f"add_points: expected ({len(y)}, {self._dim}) points and {len(y)} noises, got "
                             f"{x.shape} and {len(extra)}")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError("add_points: points and values must be finite")
        if not np.all(np.isfinite(extra) & (extra >= 0)):
            raise ValueError("add_points: noise must be finite non-negative variances")
        if not len(y):
            return
        self._record_batch(x, y, extra)
        if self._io_save_dir:
            save_session(self._io_save_dir, Session(self._dim, self._names, [p.tolist() for p in self._points],
                                                    list(self._values), list(self._noise)))

    def _record(self, point: npt.NDArray[np.float64], value: float, noise: float) -> None:
        self._points.append(point)
        self._values.append(value)
        self._noise.append(noise)

    def _record_batch(self, points: npt.NDArray[np.float64], values: npt.NDArray[np.float64],
                      noise: npt.NDArray[np.float64]) -> None:
        """Record k points; strategies with a model override this to update it once."""
        for point, value, extra in zip(points, values, noise, strict=True):
            BaseStrategy._record(self, point.copy(), float(value), float(extra))

    def _pending_array(self, pending: npt.ArrayLike | None) -> npt.NDArray[np.float64]:
        """Pending user points (p, d) as cube positions."""
        if pending is None:
            return np.empty((0, self._dim))
        rows = np.asarray(pending, dtype=np.float64).reshape(-1, self._dim)
        if not np.all(np.isfinite(rows)):
            raise ValueError("pending points contain NaN or inf")
        return self._domain.to_cube(rows).reshape(-1, self._dim)


class BayesianStrategy(BaseStrategy):
    """Bayesian optimization: a space-filling burn-in, then the compiled GP and acquisition optimizer.

    Parameters (the original's, plus what the core adds):
      utility_gen: 'ei' (default, log-EI), 'pi', 'ucb', 'rand', or a callable(model, **kw) -> BaseUtility.
      burn_in: design points before the GP (default: d + 6, at most 10).
      mu_prior_gen: the GP's prior mean: 'fitted' (default: the constant of highest likelihood, which counts a
        cluster of nearby points once) | 'mean' | 'max' | callable(values) -> float.
      kernel_gen: 'matern52' (default) | 'rbf' | callable() -> BaseKernel; rbf_gamma: the RBF's initial gamma.
      noise_sigma: a fixed observation noise (standardized units); None fits it.
      ucb_delta, pi_epsilon, ei_epsilon: the utilities' parameters (epsilons in the values' units).
      maximizer_gen: 'core' (default) | 'mc' (the original's Monte Carlo, with mc_batch_size,
        mc_tweak_probability, mc_flip_probability); a utility without a compiled acquisition (a callable's)
        is always maximized by Monte Carlo.
      fantasy: how pending points are imagined for batches: 'kriging_believer' | 'constant_liar_min|mean|max'.
      dimensions: the spec's dimension kinds (integers and categories are modelled as such); encode: maps a
        point to the GP input (inactive coordinates fixed); seed: makes every proposal reproducible.
      io_save_dir / io_load_dir: save the session after every point / resume it.
      output_transform: 'yeo-johnson' (default) warps the values monotonically before the GP sees them, so a
        few outliers do not flatten the rest; None models them as they are.
      exact_limit: the GP holds every observation up to this many (default 1000); past it, an exact GP on a
        selected subset (the best points, the incumbent's neighbours, a random share), so steps stay fast.
    """

    def __init__(self, sampler: DefaultSampler, utility_gen: UtilityGen = "ei", burn_in: int | None = None,
                 mu_prior_gen: PriorMeanGen = "fitted", kernel_gen: KernelGen = "matern52",
                 maximizer_gen: str = "core", noise_sigma: float | None = None,
                 fantasy: str = "kriging_believer", dimensions: Sequence[Dimension] | None = None,
                 encode: Encoder | None = None, seed: int | None = None, refit_every: int = 0,
                 io_save_dir: str | None = None, io_load_dir: str | None = None,
                 names: Sequence[str] | None = None, rbf_gamma: float | None = None, ucb_delta: float = 0.5,
                 pi_epsilon: float = 0.0, ei_epsilon: float = 0.0, mc_batch_size: int = 100_000,
                 mc_tweak_probability: float = 0.1, mc_flip_probability: float = 0.1,
                 output_transform: str | None = "yeo-johnson", exact_limit: int = EXACT_LIMIT) -> None:
        super().__init__(sampler, io_save_dir=io_save_dir, io_load_dir=io_load_dir, names=names)
        if dimensions is not None and len(dimensions) != self._dim:
            raise ValueError(f"dimensions has {len(dimensions)} entries, the sampler has {self._dim} coordinates")
        if burn_in is not None and burn_in < 0:
            raise ValueError(f"burn_in must be non-negative, got {burn_in}")
        if not 0.0 < ucb_delta < 1.0:
            raise ValueError(f"ucb_delta must be in (0, 1), got {ucb_delta!r}")
        for name, epsilon in (("pi_epsilon", pi_epsilon), ("ei_epsilon", ei_epsilon)):
            if not math.isfinite(epsilon):
                raise ValueError(f"{name} must be finite, got {epsilon!r}")
        if fantasy not in FANTASIES:
            raise ValueError(f"fantasy must be one of {FANTASIES}, got {fantasy!r}")
        self._seed = int(np.random.SeedSequence(seed).generate_state(1)[0])
        self._burn_in = default_burn_in(self._dim) if burn_in is None else burn_in
        self._design = initial_design(self._burn_in, self._dim, self._seed)
        self._issued = 0  # proposals handed out, to walk through the design
        self._utility_params = {"ucb_delta": ucb_delta, "pi_epsilon": pi_epsilon, "ei_epsilon": ei_epsilon}
        if dimensions is None and not all(dim.kind is DimensionKind.CONTINUOUS for dim in self._domain.dimensions()):
            dimensions = self._domain.dimensions()  # the sampler's discrete generators, modelled as such
        self._model = GaussianProcessModel(dimensions if dimensions is not None else self._dim,
                                           make_kernel(kernel_gen, rbf_gamma), noise_sigma=noise_sigma,
                                           prior_mean=mu_prior_gen, encode=encode, refit_every=refit_every,
                                           seed=self._seed, output_transform=output_transform,
                                           exact_limit=exact_limit, subset_size=min(SUBSET_SIZE, exact_limit))
        self._utility_gen = utility_gen
        self._utility = self._make_utility(utility_gen)
        self._maximizer: Maximizer
        # A utility without a compiled acquisition (a user's callable) is always maximized by Monte Carlo.
        self._mc_maximizer = MonteCarloMaximizer(sampler, mc_batch_size, mc_tweak_probability, mc_flip_probability,
                                                 self._domain)
        if maximizer_gen == "core":
            self._maximizer = CoreMaximizer(fantasy)
        elif maximizer_gen == "mc":
            self._maximizer = self._mc_maximizer
        else:
            raise ValueError(f"maximizer_gen must be 'core' or 'mc', got {maximizer_gen!r}")
        self._replay_loaded()

    @property
    def model(self) -> GaussianProcessModel:
        """The GP surrogate."""
        return self._model

    @property
    def burn_in(self) -> int:
        return self._burn_in

    def _make_utility(self, utility_gen: UtilityGen) -> BaseUtility:
        params = self._utility_params
        if utility_gen == "ei":
            return ExpectedImprovement(self._model, params["ei_epsilon"])
        if utility_gen == "pi":
            return ProbabilityOfImprovement(self._model, params["pi_epsilon"])
        if utility_gen == "ucb":
            return UpperConfidenceBound(self._model, params["ucb_delta"])
        if utility_gen == "rand":
            return RandomPoint(self._model, self._seed)
        if callable(utility_gen):
            utility = utility_gen(self._model, **params)
            if not isinstance(utility, BaseUtility):
                raise ValueError(f"utility_gen must return a BaseUtility, got {type(utility).__name__}")
            return utility
        raise ValueError(f"utility_gen must be 'pi', 'ei', 'ucb', 'rand' or a callable, got {utility_gen!r}")

    def _record(self, point: npt.NDArray[np.float64], value: float, noise: float) -> None:
        super()._record(point, value, noise)
        self._model.add(self._domain.to_cube(point)[0], value, noise)

    def _record_batch(self, points: npt.NDArray[np.float64], values: npt.NDArray[np.float64],
                      noise: npt.NDArray[np.float64]) -> None:
        # the model first: an invalid point leaves nothing recorded
        self._model.add_batch(self._domain.to_cube(points), values, noise)
        super()._record_batch(points, values, noise)

    def next_proposals(self, count: int, pending: npt.ArrayLike | None = None) -> npt.NDArray[np.generic]:
        return self._propose(self._utility, count, pending)

    def _propose(self, utility: BaseUtility, count: int, pending: npt.ArrayLike | None
                 ) -> npt.NDArray[np.generic]:
        """count proposals in user units: the design's next points, then the utility's (all found in the cube)."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        pending_rows = self._pending_array(pending)
        if self._dim == 0:
            return np.empty((count, 0))
        start = max(self._issued, self.iteration)
        from_design = self._design[start:start + count]
        self._issued = start + count
        proposals = [from_design]
        remaining = count - len(from_design)
        if remaining:
            seed = (self._seed + 7919 * self._issued) % 2**63
            if isinstance(utility, RandomPoint) or self.iteration < 2:
                # The sampler's own draws, clipped to the support (an unbounded tail's draws beyond its cut).
                proposals.append(self._domain.to_cube(self._sampler.sample(remaining)))
            else:
                known_pending = np.vstack([pending_rows, from_design]) if len(from_design) else pending_rows
                maximizer = self._maximizer if utility.acquisition is not None else self._mc_maximizer
                proposals.append(maximizer.propose(self._model, utility, remaining, known_pending, seed))
        return self._domain.from_cube(np.vstack(proposals))
