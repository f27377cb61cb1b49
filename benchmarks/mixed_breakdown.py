"""Where a peer's regret on the mixed space comes from: for each seed, the best point's three terms.

    python -m benchmarks.mixed_breakdown hyperengine optuna-gp --seeds 10 --evaluations 60

A wrong category shows as an offset of 0.3 or more, the ripple's side basin as a continuous term near 4/9.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from benchmarks.adapters import make_adapter, select_peers
from benchmarks.problems import PROBLEMS, Params, mixed_terms


def best_point(peer: str, seed: int, evaluations: int) -> Params:
    """The best parameters one seeded run of `peer` found on the mixed space."""
    problem = PROBLEMS["mixed"]
    adapter = make_adapter(peer, problem, seed)
    best_value, best_params = float("inf"), {}
    for _ in range(evaluations):
        params = adapter.ask()
        value = problem(params)
        adapter.tell(value)
        if value < best_value:
            best_value, best_params = value, params
    return best_params


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("peers", nargs="+", metavar="PEER")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1")
    parser.add_argument("--evaluations", type=int, default=60)
    args = parser.parse_args(argv)
    for peer in select_peers(args.peers):
        print(f"{peer}: regret = continuous + discrete + offset, best point after {args.evaluations} evaluations")
        for seed in range(args.seeds):
            params = best_point(peer, seed, args.evaluations)
            continuous, discrete, offset = mixed_terms(params)
            print(f"  seed {seed}: {continuous + discrete + offset:.3f} = {continuous:.3f} + {discrete:.3f} + "
                  f"{offset:.2f}  ({params['kernel']}, {params['solver']})")


if __name__ == "__main__":
    main()
