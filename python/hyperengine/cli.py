"""The `hyperengine` command: `hyperengine demo`, `hyperengine tune FILE.py` and `hyperengine plot URL STUDY`."""

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

    plot = commands.add_parser("plot", help="draw a picture of a stored study (needs the 'plot' extra)",
                               description="Draw one picture of the study STUDY kept at URL and save it to FILE "
                               "(.png, .svg or .pdf). See docs/visualization.md.")
    plot.add_argument("url", help="where the study is kept (a study JSON file)")
    plot.add_argument("study", help="the study's name (a JSON file holds one study, named after the file)")
    plot.add_argument("--kind", choices=sorted(PLOT_KINDS), default="history")
    plot.add_argument("-o", "--output", type=Path, required=True, help="the file to write: .png, .svg or .pdf")
    plot.add_argument("--params", default=None,
                      help="comma-separated parameter names (slice, contour: two, parallel)")
    plot.add_argument("--space", type=Path, default=None,
                      help="a Python file defining `space`, to show the parameters in their own units")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "demo":
        from hyperengine.demo import main as run_demo

        run_demo(trials=args.trials, epochs=args.epochs, seed=args.seed)
        return 0
    if args.command == "plot":
        return _plot(args)
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
        draw = getattr(visualization, PLOT_KINDS[args.kind])
        options = {"params": args.params.split(",")} if args.params and args.kind in ("slice", "contour",
                                                                                      "parallel") else {}
        figure = draw(study, **options)
    except (ValueError, FileNotFoundError) as error:
        print(f"hyperengine plot: {error}", file=sys.stderr)
        return 2
    figure.savefig(args.output, dpi=120)
    plt.close(figure)
    print(f"wrote {args.output}")
    return 0


def _load_study_for_cli(url: str, name: str, space_file: Path | None = None) -> Any:
    """The study `name` kept at `url`, for `hyperengine plot`: today a study JSON file (one study per file,
    named after it). The file does not hold the spec: `space_file` (a Python file defining `space`) gives the
    parameters their own units; without it each parameter is shown as its unit-cube coordinate."""
    from hyperengine.persistence import read_json
    from hyperengine.study.storage import FILE_FORMAT, FILE_VERSION

    path = Path(url)
    if not path.is_file():
        raise FileNotFoundError(f"{url} is not a study file")
    if name != path.stem:
        raise ValueError(f"{url} holds one study, named {path.stem!r} after the file, not {name!r}")
    payload = read_json(path, FILE_FORMAT, FILE_VERSION)
    space = getattr(_load(space_file), "space", None) if space_file is not None else None
    if space_file is not None and space is None:
        raise ValueError(f"{space_file} does not define `space`")
    if space is None:
        space = {record["name"]: _stand_in(record) for record in payload.get("dimensions", [])}
    return hyperengine.create_study(space, direction=payload.get("direction", "maximize"), storage=path)


def _stand_in(record: dict[str, Any]) -> Any:
    """A spec node with the stored dimension's name, kind and levels (its values are unit coordinates)."""
    if record["kind"] == "continuous":
        return hyperengine.spec.uniform(0.0, 1.0, name=record["name"])
    return hyperengine.spec.ChoiceNode(range(int(record["levels"])), name=record["name"],
                                       ordinal=record["kind"] == "integer")


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
