"""The `hyperengine` command: `hyperengine demo` and `hyperengine tune FILE.py`."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import hyperengine


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hyperengine", description="Bayesian hyper-parameter optimization.")
    parser.add_argument("--version", action="version", version=f"hyperengine {hyperengine.__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every trial (the 'hyperengine' logger)")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="tune a small Keras network on scikit-learn's digits data")
    demo.add_argument("--trials", type=int, default=12, help="number of trials (default: 12)")
    demo.add_argument("--epochs", type=int, default=10, help="epochs per trial (default: 10)")
    demo.add_argument("--seed", type=int, default=0)

    tune = commands.add_parser("tune", help="run a study defined in a Python file", description=(
        "FILE.py defines `space` (a spec) and `objective(params)` or `objective(params, trial)` returning the "
        "score; optionally `direction` ('maximize' default, or 'minimize') and `strategy_params` (a dict)."))
    tune.add_argument("file", type=Path)
    tune.add_argument("--trials", type=int, default=30, help="number of trials (default: 30)")
    tune.add_argument("--timeout", type=float, default=None, help="stop after this many seconds")
    tune.add_argument("--seed", type=int, default=None)
    tune.add_argument("--save-dir", type=Path, default=None,
                      help="keep the study in SAVE_DIR/study.json and resume it when it exists")
    tune.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    dashboard = commands.add_parser("dashboard", help="serve a live, read-only web page of a study store",
                                    description="Lists the studies of URL and shows each one live in a browser.")
    dashboard.add_argument("url", help="the store: sqlite:///PATH, postgresql://..., or a JSON study file")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    dashboard.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)")
    dashboard.add_argument("--token", default=None,
                           help="a secret every request must carry (?token=...); required off loopback")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "demo":
        from hyperengine.demo import main as run_demo

        run_demo(trials=args.trials, epochs=args.epochs, seed=args.seed)
        return 0
    if args.command == "dashboard":
        return _dashboard(args)
    return _tune(args)


def _tune(args: argparse.Namespace) -> int:
    module = _load(args.file)
    space = getattr(module, "space", None)
    objective = getattr(module, "objective", None)
    if space is None or not callable(objective):
        print(f"{args.file}: define `space` (a spec) and a callable `objective`", file=sys.stderr)
        return 2
    storage = args.save_dir / "study.json" if args.save_dir else None
    study = hyperengine.create_study(space, direction=getattr(module, "direction", "maximize"), seed=args.seed,
                                     storage=storage, **getattr(module, "strategy_params", {}))
    done = len(study.trials)
    if done:
        print(f"resuming {done} trials from {storage}")
    study.optimize(objective, n_trials=args.trials, timeout=args.timeout, show_progress_bar=not args.no_progress)
    _report(study)
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    from hyperengine.dashboard import serve

    try:
        serve(args.url, host=args.host, port=args.port, token=args.token)
    except (ValueError, ImportError, OSError) as problem:
        print(f"hyperengine dashboard: {problem}", file=sys.stderr)
        return 2
    return 0


def _load(path: Path) -> ModuleType:
    if not path.is_file():
        raise SystemExit(f"hyperengine tune: {path} is not a file")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"hyperengine tune: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(study: Any) -> None:
    states: dict[str, int] = {}
    for trial in study.trials:
        states[trial.state.value] = states.get(trial.state.value, 0) + 1
    print("trials: " + ", ".join(f"{count} {state}" for state, count in sorted(states.items())))
    try:
        print(f"best value: {study.best_value:.6g}")
        print(f"best params: {study.best_params}")
    except ValueError:
        print("no trial completed")


if __name__ == "__main__":
    raise SystemExit(main())
