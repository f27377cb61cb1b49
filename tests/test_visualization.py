"""hyperengine.visualization on real studies (Agg backend): every picture renders, and what it draws is what
the GP believes (study.predict along a slice, the GP mean on a contour grid, Sobol shares of known functions)."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import hyperengine  # noqa: E402
from hyperengine import spec, visualization  # noqa: E402
from hyperengine.study.prediction import next_point  # noqa: E402
from hyperengine.visualization.history import best_so_far  # noqa: E402
from hyperengine.visualization.parameters import parameter_axes  # noqa: E402
from hyperengine.visualization.timeline import lanes  # noqa: E402

MIXED_SPACE = {
    "lr": 10 ** spec.uniform(-4, -1),
    "units": spec.quniform(16, 64, 16),
    "activation": spec.choice(["relu", "tanh", "elu"]),
    "optimizer": spec.choice([{"name": "sgd", "momentum": spec.uniform(0.0, 0.99)}, {"name": "adam"}]),
}


def mixed_objective(params: dict[str, Any]) -> float:
    momentum = params["optimizer"].get("momentum", 0.5)
    return (-(math.log10(params["lr"]) + 2.5) ** 2 - (params["units"] - 48) ** 2 / 500
            + (0.3 if params["activation"] == "tanh" else 0.0) - (momentum - 0.9) ** 2)


def x_sin_x(params: dict[str, float]) -> float:
    return params["x"] * math.sin(params["x"])


def rational(params: dict[str, float]) -> float:
    x, y = params["x"], params["y"]
    return (x + y) / ((x - 1) ** 2 - math.sin(y) + 2)


def with_curve(trial: hyperengine.Trial, final: float, steps: int = 5) -> None:
    for step in range(steps):
        trial.report(final * (1 - math.exp(-(step + 1))), step)


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def continuous() -> hyperengine.Study:
    study = hyperengine.create_study({"x": spec.uniform(0, 9), "y": spec.uniform(0, 9)}, seed=0)
    study.optimize(rational, n_trials=18)
    return study


@pytest.fixture(scope="module")
def mixed() -> hyperengine.Study:
    study = hyperengine.create_study(MIXED_SPACE, direction="maximize", seed=1)
    for _ in range(16):
        trial = study.ask()
        value = mixed_objective(trial.params)
        with_curve(trial, value)
        if trial.number % 5 == 4:  # a stopped run: its predicted final value, with that variance
            study.tell(trial, value, state="pruned", noise=0.04)
        else:
            study.tell(trial, value)
    study.tell(study.ask(), None)  # a failed trial
    study.ask()  # a running one
    return study


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[hyperengine.Study]:
    path = tmp_path_factory.mktemp("stored") / "sine.json"
    writer = hyperengine.create_study({"x": spec.uniform(-10, 10)}, direction="minimize", seed=2, storage=path)
    writer.optimize(x_sin_x, n_trials=8)
    for _ in range(2):
        trial = writer.ask()
        with_curve(trial, x_sin_x(trial.params))
        writer.tell(trial, x_sin_x(trial.params))
    writer.ask()  # left running: the reloaded study records it failed
    writer.close()  # a JSON study file has one writer at a time
    reloaded = hyperengine.create_study({"x": spec.uniform(-10, 10)}, direction="minimize", seed=2, storage=path)
    yield reloaded
    reloaded.close()


STUDIES = ("continuous", "mixed", "stored")
PLOTS: dict[str, Callable[[hyperengine.Study], Figure]] = {
    "history": visualization.plot_optimization_history,
    "slice": visualization.plot_gp_slice,
    "contour": visualization.plot_gp_contour,
    "importances": visualization.plot_param_importances,
    "curves": visualization.plot_intermediate_values,
    "parallel": visualization.plot_parallel_coordinate,
    "timeline": visualization.plot_timeline,
}


def axis_labels(figure: Figure) -> set[str]:
    return {label for ax in figure.axes for label in (ax.get_xlabel(), ax.get_ylabel()) if label}


@pytest.mark.parametrize("which", STUDIES)
@pytest.mark.parametrize("kind", sorted(PLOTS))
def test_every_plot_renders_on_every_kind_of_study(which: str, kind: str, request: pytest.FixtureRequest) -> None:
    study: hyperengine.Study = request.getfixturevalue(which)
    if kind == "contour" and study.parsed_spec.size() < 2:
        with pytest.raises(ValueError, match="two parameters"):
            PLOTS[kind](study)
        return
    if kind == "curves" and which == "continuous":
        with pytest.raises(ValueError, match="no trial reported intermediate values"):
            PLOTS[kind](study)
        return
    figure = PLOTS[kind](study)
    assert isinstance(figure, Figure) and figure.axes
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
    names = {axis.name for axis in parameter_axes(study.parsed_spec)}
    if kind in ("slice", "contour"):
        assert axis_labels(figure) & names  # axes are named after the spec's parameters
    if kind == "parallel":
        ticks = {tick.get_text() for tick in figure.axes[0].get_xticklabels()}
        assert names <= ticks


def test_acquisition_renders_for_a_one_parameter_space(stored: hyperengine.Study) -> None:
    figure = visualization.plot_acquisition(stored, "ucb")
    top, bottom = figure.axes[:2]
    assert top.get_xlabel() == bottom.get_xlabel() == "x"
    proposal = float(parameter_axes(stored.parsed_spec)[0].coordinates(next_point(stored)[0])[0])
    assert any(np.allclose(line.get_xdata(), proposal) for line in bottom.get_lines())


def test_acquisition_refuses_more_than_one_parameter(continuous: hyperengine.Study) -> None:
    with pytest.raises(ValueError, match="one-parameter space"):
        visualization.plot_acquisition(continuous)
    with pytest.raises(ValueError, match="acquisition must be one of"):
        visualization.plot_acquisition(continuous, "lcb")


def test_the_slice_line_is_study_predict_along_the_slice(continuous: hyperengine.Study) -> None:
    figure = visualization.plot_gp_slice(continuous, params=["x"])
    line = next(line for line in figure.axes[0].get_lines() if line.get_label() == "GP mean")
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    best = continuous.best_params
    mean, std = continuous.predict([{"x": float(value), "y": best["y"]} for value in x])
    np.testing.assert_allclose(y, mean, rtol=1e-9, atol=1e-9)
    assert x[0] == 0 and x[-1] == 9 and np.all(std >= 0)


def test_a_log_slice_is_study_predict_at_those_learning_rates(mixed: hyperengine.Study) -> None:
    figure = visualization.plot_gp_slice(mixed, params=["lr"])
    line = next(line for line in figure.axes[0].get_lines() if line.get_label() == "GP mean")
    x = np.asarray(line.get_xdata())
    best = next(t for t in mixed.trials if t.state == "complete" and t.value == mixed.best_value).params
    mean, _ = mixed.predict([{**best, "lr": float(value)} for value in x])
    np.testing.assert_allclose(np.asarray(line.get_ydata()), mean, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose([x[0], x[-1]], [1e-4, 1e-1])
    assert np.allclose(np.diff(np.log10(x)), np.log10(x[1] / x[0]))  # evenly spaced on the log axis


def test_the_contour_grid_is_the_gp_mean_on_the_grid(continuous: hyperengine.Study) -> None:
    surface = visualization.gp_surface(continuous, ("x", "y"), resolution=12)
    configs = [{"x": float(x), "y": float(y)} for y in surface.y for x in surface.x]
    mean, std = continuous.predict(configs)
    np.testing.assert_allclose(surface.mean.ravel(), mean, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(surface.std.ravel(), std, rtol=1e-9, atol=1e-9)
    figure = visualization.plot_gp_contour(continuous, ("x", "y"), resolution=12)
    contour = next(c for c in figure.axes[0].collections if isinstance(c, ContourSet))
    assert contour.levels[0] <= mean.min() and contour.levels[-1] >= mean.max()
    assert figure.axes[0].get_xlabel() == "x" and figure.axes[0].get_ylabel() == "y"


def test_a_discrete_contour_draws_the_mean_cell_by_cell(mixed: hyperengine.Study) -> None:
    surface = visualization.gp_surface(mixed, ("lr", "units"), resolution=9)
    figure = visualization.plot_gp_contour(mixed, ("lr", "units"), resolution=9)
    mesh = next(c for c in figure.axes[0].collections if isinstance(c, QuadMesh))
    np.testing.assert_allclose(np.asarray(mesh.get_array()).ravel(), surface.mean.ravel())
    assert figure.axes[0].get_xscale() == "log"
    np.testing.assert_allclose(surface.y, [16, 32, 48, 64])


def test_a_conditional_parameter_is_drawn_only_where_it_is_active(mixed: hyperengine.Study) -> None:
    surface = visualization.gp_surface(mixed, ("optimizer", "optimizer-0-momentum"), resolution=10)
    assert np.all(np.isfinite(surface.mean[:, 0])) and np.all(np.isnan(surface.mean[:, 1]))  # sgd | adam
    figure = visualization.plot_gp_slice(mixed, params=["optimizer-0-momentum"])
    active = [t for t in mixed.trials if t.value is not None and t.params["optimizer"]["name"] == "sgd"]
    dots = next(c for c in figure.axes[0].collections if c.get_label() == "trials")
    assert len(dots.get_offsets()) == len(active)


def test_axes_follow_the_spec_log_scales_and_category_names(mixed: hyperengine.Study) -> None:
    figure = visualization.plot_gp_slice(mixed, params=["lr", "activation", "units"])
    lr, activation, units = figure.axes[:3]
    assert lr.get_xscale() == "log" and lr.get_xlabel() == "lr"
    assert [t.get_text() for t in activation.get_xticklabels()] == ["relu", "tanh", "elu"]
    assert units.get_xscale() == "linear"
    with pytest.raises(ValueError, match="unknown parameter"):
        visualization.plot_gp_slice(mixed, params=["dropout"])


def test_importances_rank_the_only_parameter_that_matters_first() -> None:
    study = hyperengine.create_study({"x": spec.uniform(0, 1), "y": spec.uniform(0, 1), "z": spec.randint(0, 5)},
                                     direction="minimize", seed=3)
    study.optimize(lambda p: (p["x"] - 0.3) ** 2, n_trials=24)
    importances = visualization.param_importances(study)
    assert list(importances)[0] == "x"
    assert importances["y"] < 0.05 and importances["z"] < 0.05
    assert math.isclose(sum(importances.values()), 1.0)


def test_importances_of_an_additive_function_are_its_variance_shares() -> None:
    # f = 2x + y on the unit square: Var(2x) = 4/12, Var(y) = 1/12, no interaction -> shares 0.8 and 0.2.
    study = hyperengine.create_study({"x": spec.uniform(0, 1), "y": spec.uniform(0, 1)}, seed=4,
                                     utility_gen="rand", burn_in=0)  # random points, fed to the GP
    study.optimize(lambda p: 2 * p["x"] + p["y"], n_trials=30)
    importances = visualization.param_importances(study)
    assert importances["x"] == pytest.approx(0.8, abs=0.04) and importances["y"] == pytest.approx(0.2, abs=0.04)
    figure = visualization.plot_param_importances(study)
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert any("length scale" in text for text in texts)


def test_predict_answers_in_the_users_units_and_direction(stored: hyperengine.Study) -> None:
    trials = [t for t in stored.trials if t.state == "complete"]
    mean, std = stored.predict([t.params for t in trials])
    told = np.array([t.value for t in trials])
    assert np.max(np.abs(mean - told)) < 0.05 * np.ptp(told)  # the GP interpolates the told values
    assert np.all(std < 0.2 * np.ptp(told))
    with pytest.raises(TypeError, match="list of configurations"):
        stored.predict({"x": 1.0})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="outside"):
        stored.predict([{"x": 20.0}])


def test_next_point_is_what_the_study_asks_next_and_changes_nothing(continuous: hyperengine.Study) -> None:
    study = hyperengine.create_study({"x": spec.uniform(0, 9), "y": spec.uniform(0, 9)}, seed=5)
    study.optimize(rational, n_trials=12)
    predicted = next_point(study)
    assert len(study.trials) == 12
    np.testing.assert_allclose(study.ask().point, predicted)


@pytest.mark.parametrize("kind", sorted(PLOTS) + ["acquisition"])
def test_an_empty_study_gives_a_clear_message(kind: str) -> None:
    study = hyperengine.create_study({"x": spec.uniform(0, 1)})
    draw = visualization.plot_acquisition if kind == "acquisition" else PLOTS[kind]
    with pytest.raises(ValueError, match="no trial|two parameters|at least"):
        draw(study)


@pytest.mark.parametrize("draw", [visualization.plot_gp_slice, visualization.plot_param_importances,
                                  visualization.plot_acquisition, visualization.param_importances])
def test_a_one_trial_study_is_too_little_for_the_gp(draw: Callable[[hyperengine.Study], Any]) -> None:
    study = hyperengine.create_study({"x": spec.uniform(0, 1)})
    study.add_trial({"x": 0.5}, 1.0)
    with pytest.raises(ValueError, match="at least 2 trials with a value; the study has 1 trial"):
        draw(study)
    with pytest.raises(ValueError, match="at least 2 trials"):
        study.predict([{"x": 0.2}])


def test_a_one_trial_study_still_has_a_history_and_a_timeline() -> None:
    study = hyperengine.create_study({"x": spec.uniform(0, 1), "c": spec.choice(["a", "b"])})
    study.add_trial({"x": 0.5, "c": "b"}, 1.0)
    for draw in (visualization.plot_optimization_history, visualization.plot_timeline,
                 visualization.plot_parallel_coordinate):
        assert isinstance(draw(study), Figure)


def test_history_of_several_studies_shows_their_mean_best_so_far() -> None:
    studies = []
    for seed in range(3):
        study = hyperengine.create_study({"x": spec.uniform(-10, 10)}, direction="minimize", seed=seed)
        study.optimize(x_sin_x, n_trials=8 + seed)
        studies.append(study)
    figure = visualization.plot_optimization_history(studies)
    line = next(line for line in figure.axes[0].get_lines() if str(line.get_label()).startswith("mean best"))
    curves = [best_so_far(s) for s in studies]
    expected = [np.mean([c[k] for c in curves if k < c.size]) for k in range(10)]
    np.testing.assert_allclose(np.asarray(line.get_ydata()), expected)
    assert all(np.all(np.diff(c) <= 0) for c in curves)  # minimizing: the best so far never rises
    maximizing = hyperengine.create_study({"x": spec.uniform(0, 1)})
    maximizing.add_trial({"x": 0.5}, 1.0)
    with pytest.raises(ValueError, match="mix directions"):
        visualization.plot_optimization_history([studies[0], maximizing])


def test_stopped_runs_show_their_predicted_final_value_and_interval(mixed: hyperengine.Study) -> None:
    figure = visualization.plot_intermediate_values(mixed)
    pruned = [t for t in mixed.trials if t.state == "pruned"]
    bars = [c for c in figure.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == len(pruned) and pruned
    for container, trial in zip(bars, pruned, strict=True):
        (x, y), = container.lines[0].get_xydata()
        assert y == pytest.approx(trial.value) and x == 4  # at the last step a complete run reached
        segment = container.lines[2][0].get_segments()[0]
        assert segment[1][1] - segment[0][1] == pytest.approx(4 * math.sqrt(trial.noise))


def test_lanes_show_how_many_trials_ran_at_once() -> None:
    t0 = datetime(2026, 1, 1)

    def at(seconds: float) -> datetime:
        return t0 + timedelta(seconds=seconds)

    intervals = [(at(0), at(10)), (at(1), at(3)), (at(2), at(5)), (at(4), at(6)), (at(10), at(12))]
    assert lanes(intervals) == [0, 1, 2, 1, 0]
    study = hyperengine.create_study({"x": spec.uniform(0, 1)}, seed=0)
    batch = study.ask(3)
    for trial in batch:
        study.tell(trial, trial.params["x"])
    figure = visualization.plot_timeline(study)
    assert [tick for tick in figure.axes[0].get_yticks()] == [0, 1, 2]


def test_the_timeline_gives_each_worker_its_own_lanes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    space = {"x": spec.uniform(0, 1)}
    first = hyperengine.create_study(space, storage=url, study_name="s", load_if_exists=True, seed=0)
    second = hyperengine.create_study(space, storage=url, study_name="s", load_if_exists=True, seed=1)
    pair = first.ask(2)  # two at once on the first worker, one on the second while they run
    alone = second.ask()
    for trial in pair:
        first.tell(trial, trial.params["x"])
    second.tell(alone, None)  # a failure
    later = first.ask()
    first.tell(later, later.params["x"])
    reader = hyperengine.load_study("s", url)
    figure = visualization.plot_timeline(reader)
    ax = figure.axes[0]
    by_number = {trial.number: trial for trial in reader.trials}
    workers = [by_number[k].worker for k in sorted(by_number)]
    assert len(set(workers)) == 2 and None not in workers
    assert [label.get_text() for label in ax.get_yticklabels()] == [workers[0], "", workers[alone.number]]
    rows = {round(bar.get_x() * 1e6): round(bar.get_y() + bar.get_height() / 2) for bar in ax.patches}
    origin = min(t.datetime_start for t in reader.trials)
    row_of = {k: rows[round((t.datetime_start - origin).total_seconds() * 1e6)] for k, t in by_number.items()}
    assert sorted([row_of[pair[0].number], row_of[pair[1].number]]) == [0, 1]  # the first worker's two lanes
    assert row_of[later.number] == 0 and row_of[alone.number] == 2  # the second worker's band, above
    for study in (reader, second, first):
        study.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), min_size=1, max_size=25))
def test_lanes_never_overlap_and_are_as_few_as_the_busiest_moment(spans: list[tuple[int, int]]) -> None:
    t0 = datetime(2026, 1, 1)
    intervals = [(t0 + timedelta(seconds=start), t0 + timedelta(seconds=start + length)) for start, length in spans]
    lane_of = lanes(intervals)
    for i, (start_i, end_i) in enumerate(intervals):
        for j, (start_j, end_j) in enumerate(intervals[:i]):
            if start_i < end_j and start_j < end_i:
                assert lane_of[i] != lane_of[j]
    busiest = max(sum(start <= moment < end for start, end in intervals) for moment, _ in intervals)
    assert max(lane_of) + 1 == busiest


def test_a_given_axes_or_figure_is_drawn_into(continuous: hyperengine.Study) -> None:
    figure, ax = plt.subplots()
    assert visualization.plot_optimization_history(continuous, ax=ax) is figure
    assert ax.get_title() == "Optimization history"
    other = plt.figure()
    assert visualization.plot_gp_contour(continuous, fig=other) is other and len(other.axes) == 4


def test_matplotlib_is_imported_lazily_with_a_message_naming_the_extra(tmp_path: Path) -> None:
    script = ("import sys\nimport hyperengine\nassert 'matplotlib' not in sys.modules\n"
              "sys.modules['matplotlib'] = None\n"
              "try:\n    import hyperengine.visualization\nexcept ImportError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            check=True, cwd=tmp_path)
    assert "pip install 'hyperengine[plot]'" in result.stdout
