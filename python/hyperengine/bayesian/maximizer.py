"""Maximizers of a utility over the unit cube.

CoreMaximizer (the default) hands the compiled acquisition to hypercore's optimizer: quasi-random
candidates, gradient refinement, discrete search, fantasized batches. MonteCarloMaximizer is the original's
method, kept for custom utilities and parity: score a large random batch (plus tweaks of the best point) and
take the argmax.
"""

from __future__ import annotations

import copy
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hyperengine.bayesian.domain import SamplerDomain
from hyperengine.bayesian.model import GaussianProcessModel
from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.utility import BaseUtility


class Maximizer(Protocol):
    def propose(self, model: GaussianProcessModel, utility: BaseUtility, count: int,
                pending: npt.NDArray[np.float64] | None, seed: int) -> npt.NDArray[np.float64]:
        """(count, d) points maximizing the utility, diverse when count > 1."""


class CoreMaximizer:
    """The compiled acquisition optimizer (gradients, discrete dimensions, fantasized batches)."""

    def __init__(self, fantasy: str = "kriging_believer") -> None:
        self.fantasy = fantasy

    def propose(self, model: GaussianProcessModel, utility: BaseUtility, count: int,
                pending: npt.NDArray[np.float64] | None, seed: int) -> npt.NDArray[np.float64]:
        if utility.acquisition is None:
            raise ValueError(f"{type(utility).__name__} has no compiled acquisition; use maximizer_gen='mc'")
        return model.suggest(utility.acquisition, count, pending, utility.epsilon(), utility.beta(),
                             self.fantasy, seed)


class MonteCarloMaximizer:
    """The original's maximizer: the best of `batch_size` sampled candidates.

    The candidates are the sampler's draws, mapped to the cube by `domain` (None: the sampler draws the cube).
    A `tweak_probability` share of them are Gaussian tweaks of the best observed point (scale 0.05 of each
    coordinate's support), and each of their coordinates is redrawn uniformly on the cube (the generator's own
    spread) with `flip_probability` (useful for discrete coordinates). A batch of several points is chosen
    greedily, each point added to the model as a believed observation.
    """

    def __init__(self, sampler: DefaultSampler, batch_size: int = 100_000, tweak_probability: float = 0.1,
                 flip_probability: float = 0.1, domain: SamplerDomain | None = None) -> None:
        if batch_size < 1:
            raise ValueError(f"mc_batch_size must be positive, got {batch_size}")
        for name, probability in (("mc_tweak_probability", tweak_probability),
                                  ("mc_flip_probability", flip_probability)):
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {probability}")
        self.sampler = sampler
        self.domain = domain
        self.batch_size = batch_size
        self.tweak_probability = tweak_probability
        self.flip_probability = flip_probability

    def propose(self, model: GaussianProcessModel, utility: BaseUtility, count: int,
                pending: npt.NDArray[np.float64] | None, seed: int) -> npt.NDArray[np.float64]:
        rng = np.random.default_rng(seed)
        chosen: list[npt.NDArray[np.float64]] = []
        believed = model.fantasized(pending) if pending is not None and len(pending) else model
        for index in range(count):
            scorer = copy.copy(utility)
            scorer.model = believed
            candidates = self._candidates(believed, rng)
            best = candidates[int(np.argmax(scorer.compute_values(candidates)))]
            chosen.append(best)
            if index + 1 < count:
                believed = believed.fantasized(best[None, :])
        return np.array(chosen)

    def _candidates(self, model: GaussianProcessModel, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        candidates = self.sampler.sample(self.batch_size)
        if self.domain is not None:
            candidates = self.domain.to_cube(candidates).reshape(candidates.shape)
        tweaks = int(self.tweak_probability * self.batch_size)
        if model.size and tweaks:
            best = model.best_point
            tweaked = np.clip(best + 0.05 * rng.standard_normal((tweaks, best.size)), 0.0, 1.0)
            flips = rng.random(tweaked.shape) < self.flip_probability
            tweaked[flips] = rng.random(int(flips.sum()))
            candidates[:tweaks] = tweaked
        return candidates
