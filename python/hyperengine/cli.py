"""The `hyperengine` command: `demo`, `tune FILE.py` (one worker of a study; start several on one storage),
`studies URL`, `trials URL NAME`, `storage upgrade URL`, `storage copy SOURCE TARGET`, `plot URL STUDY` and
`dashboard URL`."""

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
    tune.add_argument("--storage", default=None, help="a storage URL (sqlite:///PATH, postgresql://...): the "
                      "study is resumed when it exists, and several `tune` processes on it are workers of one study")
    tune.add_argument("--study-name", default=None, help="the study's name in the storage (default: 'default')")
    tune.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    plot = commands.add_parser("plot", help="draw a picture of a stored study (needs the 'plot' extra)",
                               description="Draw one picture of the study STUDY kept at URL and save it to FILE "
                               "(.png, .svg or .pdf). See docs/visualization.md.")
    plot.add_argument("url", help="where the study is kept: sqlite:///PATH, postgresql://..., or a JSON file")
    plot.add_argument("study", help="the study's name in the storage")
    plot.add_argument("--kind", choices=sorted(PLOT_KINDS), default="history")
    plot.add_argument("-o", "--output", type=Path, required=True, help="the file to write: .png, .svg or .pdf")
    plot.add_argument("--params", default=None,
                      help="comma-separated parameter names (slice, contour: two, parallel)")
    plot.add_argument("--space", type=Path, default=None,
                      help="a Python file defining `space`, to show the parameters in their own units")

    studies = commands.add_parser("studies", help="list the studies of a storage")
    studies.add_argument("url")

    trials = commands.add_parser("trials", help="export the trials of a study")
    trials.add_argument("url")
    trials.add_argument("name")
    trials.add_argument("--format", choices=("csv", "json"), default="csv")

    storage = commands.add_parser("storage", help="maintain a storage")
    storage_commands = storage.add_subparsers(dest="storage_command", required=True)
    upgrade = storage_commands.add_parser("upgrade", help="upgrade a database to this version's schema")
    upgrade.add_argument("url")
    copy = storage_commands.add_parser(
        "copy", help="copy studies into another storage (e.g. a JSON study file into SQLite)",
        description="Copies each study of SOURCE (or only --study) with its trials, curves and queue into TARGET.")
    copy.add_argument("source", help="the storage to read: a JSON study file, sqlite:///PATH, postgresql://...")
    copy.add_argument("target", help="the storage to write (created if missing): sqlite:///PATH, postgresql://...")
    copy.add_argument("--study", default=None, help="copy only this study (default: every study of SOURCE)")
    copy.add_argument("--to-name", default=None, help="the copied study's name in TARGET (with --study)")

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
    if args.command == "plot":
        return _plot(args)
    if args.command in ("studies", "trials", "storage"):
        from hyperengine.storage_cli import run_storage_command

        return run_storage_command(args)
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
    if args.storage and args.save_dir:
        print("hyperengine tune: give --storage or --save-dir, not both", file=sys.stderr)
        return 2
    storage = args.storage or (args.save_dir / "study.json" if args.save_dir else None)
    study = hyperengine.create_study(space, direction=getattr(module, "direction", "maximize"), seed=args.seed,
                                     storage=storage, study_name=args.study_name, load_if_exists=True,
                                     **getattr(module, "strategy_params", {}))
    done = len(study.trials)
    if done:
        print(f"resuming {done} trials from {storage}")
    study.optimize(objective, n_trials=args.trials, timeout=args.timeout, show_progress_bar=not args.no_progress)
    _report(study)
    study.close()
    return 0


PLOT_KINDS = {"history": "plot_optimization_history", "slice": "plot_gp_slice", "contour": "plot_gp_contour",
              "importances": "plot_param_importances", "curves": "plot_intermediate_values",
              "parallel": "plot_parallel_coordinate", "timeline": "plot_timeline"}
PLOT_FORMATS = (".png", ".svg", ".pdf")


def _plot(args: argparse.Namespace) -> int:
    if args.output.suffix.lower() not in PLOT_FORMATS:
        print(f"hyperengine plot: -o must end in {', '.join(PLOT_FORMATS)}, got {args.output}", file=sys.stderr)
        return 2
    try:
        from hyperengine import visualization
    except ImportError as error:
        print(f"hyperengine plot: {error}", file=sys.stderr)
        return 2
    import matplotlib.pyplot as plt

    try:
        study = _load_study_for_cli(args.url, args.study, space_file=args.space)
    except (ValueError, OSError) as error:
        print(f"hyperengine plot: {error}", file=sys.stderr)
        return 2
    try:
        draw = getattr(visualization, PLOT_KINDS[args.kind])
        options = {"params": args.params.split(",")} if args.params and args.kind in ("slice", "contour",
                                                                                      "parallel") else {}
        figure = draw(study, **options)
    except ValueError as error:
        print(f"hyperengine plot: {error}", file=sys.stderr)
        return 2
    finally:
        study.close()
    figure.savefig(args.output, dpi=120)
    plt.close(figure)
    print(f"wrote {args.output}")
    return 0


def _load_study_for_cli(url: str, name: str, space_file: Path | None = None) -> Any:
    """The study `name` kept at `url` (any storage URL), for `hyperengine plot`. Its stored spec gives the
    parameters their units; `space_file` (a Python file defining `space`) stands in for a spec that could not
    be stored, and without either each parameter is shown as its unit-cube coordinate under its name."""
    from hyperengine.storage import open_existing

    space = getattr(_load(space_file), "space", None) if space_file is not None else None
    if space_file is not None and space is None:
        raise ValueError(f"{space_file} does not define `space`")
    storage = open_existing(url)
    try:
        record = storage.load_study(name)
    except KeyError as unknown:  # UnknownStudyError
        storage.close()
        raise ValueError(unknown.args[0]) from None
    if space is None and record.space is None:
        space = {dimension["name"]: _stand_in(dimension) for dimension in record.dimensions}
    return hyperengine.load_study(name, storage, space=space)


def _stand_in(record: dict[str, Any]) -> Any:
    """A spec node with the stored dimension's name, kind and levels (its values are unit coordinates)."""
    if record["kind"] == "continuous":
        return hyperengine.spec.uniform(0.0, 1.0, name=record["name"])
    return hyperengine.spec.ChoiceNode(range(int(record["levels"])), name=record["name"],
                                       ordinal=record["kind"] == "integer")


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
