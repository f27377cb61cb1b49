"""The peers, by name. Each is imported lazily, so a missing optional peer only fails when it is asked for."""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.adapters.base import Adapter
from benchmarks.problems import Problem

# name -> (module, class, keyword arguments)
PEERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "hyperengine": ("hyperengine_study", "HyperengineAdapter", {}),
    "hyperengine-ucb": ("hyperengine_study", "HyperengineAdapter", {"utility_gen": "ucb"}),
    "hyperengine-portfolio": ("hyperengine_study", "HyperengineAdapter", {"strategy": "portfolio"}),
    "hyperengine-nowarp": ("hyperengine_study", "HyperengineAdapter", {"output_transform": None}),
    "optuna-gp": ("optuna_samplers", "OptunaAdapter", {"sampler": "gp"}),
    "optuna-tpe": ("optuna_samplers", "OptunaAdapter", {"sampler": "tpe"}),
    "optuna-hyperengine": ("optuna_samplers", "OptunaAdapter", {"sampler": "hyperengine"}),
    "skopt-gp": ("skopt_gp", "SkoptAdapter", {}),
    "bayes-opt": ("bayes_opt_gp", "BayesOptAdapter", {}),
    "random": ("random_search", "RandomSearchAdapter", {}),
}

# the distribution (import) name of the library behind each peer, for the recorded versions
LIBRARIES: dict[str, str] = {
    "hyperengine": "hyperengine", "optuna": "optuna", "skopt": "scikit-optimize",
    "bayes": "bayesian-optimization", "random": "numpy",
}


def make_adapter(peer: str, problem: Problem, seed: int) -> Adapter:
    """A fresh optimizer for one run."""
    module_name, class_name, kwargs = PEERS[peer]
    module = importlib.import_module(f"benchmarks.adapters.{module_name}")
    factory: Callable[..., Adapter] = getattr(module, class_name)
    return factory(problem, seed, **kwargs)


def select_peers(only: Sequence[str] | None) -> list[str]:
    """Peers named in `only`, in PEERS order; shell-style patterns select several ('hyperengine*')."""
    if not only:
        return list(PEERS)
    unknown = [pattern for pattern in only if not fnmatch.filter(PEERS, pattern)]
    if unknown:
        raise ValueError(f"unknown peers {unknown}; known: {list(PEERS)}")
    return [peer for peer in PEERS if any(fnmatch.fnmatchcase(peer, pattern) for pattern in only)]
