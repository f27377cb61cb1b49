"""One command for the whole suite: `python -m benchmarks.run [--quick] [--only PEER ...] [--part ...]`.

`--only 'hyperengine*'` re-runs hyperengine and its variants only (quote the pattern for the shell).

Full: latency at n = 25 .. 10000 and quality on every problem, 10 seeds x 100 evaluations, results in
benchmarks/results/. --quick: small sizes and budgets, results in benchmarks/results/quick/ (a few minutes).
Results already on disk are kept: quality runs resume, latency files are rewritten per peer. The report
(tables in report.md, PNG plots) is rebuilt from every result file present, whichever peers were re-run.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.adapters import PEERS, select_peers
from benchmarks.latency import run_latency
from benchmarks.problems import problem_names
from benchmarks.quality import run_quality
from benchmarks.report import write_report

RESULTS = Path(__file__).resolve().parent / "results"
PARTS = ("latency", "quality", "report")


@dataclass(frozen=True)
class Budget:
    """Sizes and budgets of one mode."""

    sizes: tuple[int, ...]
    repeats: int
    steps: int
    seeds: int
    evaluations: int
    problems: tuple[str, ...]


FULL = Budget(sizes=(25, 50, 100, 200, 400, 1000, 2000, 5000, 10000), repeats=3, steps=3, seeds=10, evaluations=100,
              problems=())
QUICK = Budget(sizes=(25, 50, 100), repeats=1, steps=2, seeds=2, evaluations=30,
               problems=("branin", "hartmann6", "mixed"))


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small budgets (a few minutes)")
    parser.add_argument("--only", nargs="+", metavar="PEER",
                        help=f"these peers, or patterns such as 'hyperengine*'; known: {', '.join(PEERS)}")
    parser.add_argument("--part", nargs="+", choices=PARTS, default=list(PARTS), help="which parts to run")
    parser.add_argument("--problems", nargs="+", help="quality problems (default: all, or a few with --quick)")
    parser.add_argument("--seeds", type=int, help="quality seeds 0..N-1")
    parser.add_argument("--evaluations", type=int, help="evaluations per quality run")
    parser.add_argument("--sizes", nargs="+", type=int, help="latency: numbers of observations")
    parser.add_argument("--workers", type=int, default=2, help="quality: parallel processes")
    parser.add_argument("--limit", type=float, default=60.0,
                        help="latency: seconds per step past which a peer is not run at larger n")
    parser.add_argument("--budget", type=float, default=40.0,
                        help="latency: seconds per n past which no more repeats are started")
    parser.add_argument("--window-budget", type=float, default=20.0,
                        help="latency: seconds per timed window past which it stops (after two steps)")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="quality: optimizer seconds after which a run stops (kept, marked truncated)")
    parser.add_argument("--out", type=Path, help="results folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    budget = QUICK if args.quick else FULL
    out: Path = args.out or (RESULTS / "quick" if args.quick else RESULTS)
    peers = select_peers(args.only)
    problems = problem_names(args.problems or list(budget.problems))
    seeds = list(range(args.seeds if args.seeds is not None else budget.seeds))
    evaluations = args.evaluations or budget.evaluations
    if "latency" in args.part:
        run_latency(peers, list(args.sizes or budget.sizes), out, budget.repeats, budget.steps, args.limit,
                    args.budget, args.window_budget)
    if "quality" in args.part:
        run_quality(peers, problems, seeds, evaluations, out, args.workers, args.timeout)
    if "report" in args.part:
        write_report(out, evaluations)


if __name__ == "__main__":
    main()
