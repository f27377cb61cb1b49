"""The original's 1-D picture: the GP posterior along each parameter through the best trial.

For each parameter, the others are held at the best trial where that parameter is active (so a
conditional parameter is sliced inside the option that uses it). The mean is drawn with bands of one and two
standard deviations, the trials where the parameter is active as dots, and the next proposal as a line.
Discrete parameters get a point with error bars per level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from hyperengine.study.prediction import MIN_OBSERVATIONS, next_point, predict_points
from hyperengine.visualization.canvas import panels
from hyperengine.visualization.parameters import SLICE_RESOLUTION, ParameterAxis, find_axes, parameter_axes
from hyperengine.visualization.style import BEST, MEAN, NEXT, TRIALS, objective_label
from hyperengine.visualization.trials import best_trial_where_active, require_trials, values_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GPSlice:
    """The posterior along one parameter: unit-cube `points` (m, d), their plot `coordinates` [m], the
    `mean` and `std` [m] in the user's units, and the `reference` point the other coordinates come from."""

    points: Array
    coordinates: Array
    mean: Array
    std: Array
    reference: Array


def gp_slice(study: Study, axis: ParameterAxis, resolution: int = SLICE_RESOLUTION) -> GPSlice:
    """The GP's mean and std along `axis`, the other coordinates at the best trial where it is active."""
    reference = best_trial_where_active(study, [axis.index], "plot_gp_slice").point
    units = axis.grid(resolution)
    points = np.repeat(reference[None, :], units.size, axis=0)
    points[:, axis.index] = units
    mean, std = predict_points(study, points, "plot_gp_slice")
    return GPSlice(points, axis.coordinates(units), mean, std, reference.copy())


def plot_gp_slice(study: Study, params: Sequence[str] | None = None, fig: Figure | None = None,
                  resolution: int = SLICE_RESOLUTION, columns: int = 3) -> Figure:
    """One panel per parameter (all of them, or those named in `params`): the GP mean +-1 and +-2 std along
    it through the best trial, the trials, and the next proposal. Needs at least two trials with a value."""
    trials = require_trials(study, "plot_gp_slice", MIN_OBSERVATIONS)
    chosen = find_axes(parameter_axes(study.parsed_spec), params, "plot_gp_slice: params")
    if not chosen:
        raise ValueError("plot_gp_slice: the spec has no parameters to slice")
    proposal = next_point(study)
    proposal_active = study.parsed_spec.active(proposal)
    fig, axes = panels(fig, len(chosen), columns)
    for axis, ax in zip(chosen, axes, strict=True):
        data = gp_slice(study, axis, resolution)
        _draw_posterior(ax, axis, data)
        shown = [t for t in trials if study.parsed_spec.active(t.point)[axis.index]]
        if shown:
            ax.scatter(axis.coordinates([t.point[axis.index] for t in shown]), values_of(shown),
                       s=16, color=TRIALS, zorder=3, label="trials")
        best = best_trial_where_active(study, [axis.index], "plot_gp_slice")
        ax.scatter(axis.coordinates(best.point[axis.index]), values_of([best]), marker="*", s=140, color=BEST,
                   edgecolors="black", linewidths=0.5, zorder=4, label="best trial")
        if proposal_active[axis.index]:
            ax.axvline(float(axis.coordinates(proposal[axis.index])[0]), color=NEXT, linestyle="--", lw=1,
                       label="next proposal")
        axis.style(ax, "x")
        ax.set_ylabel(objective_label(study))
    axes[0].legend(fontsize="small")
    fig.suptitle("GP posterior through the best trial")
    return fig


def _draw_posterior(ax: Axes, axis: ParameterAxis, data: GPSlice) -> None:
    x, mean, std = data.coordinates, data.mean, data.std
    if axis.is_discrete:
        ax.errorbar(x, mean, yerr=2 * std, fmt="none", ecolor=MEAN, alpha=0.35, capsize=4, lw=1)
        ax.errorbar(x, mean, yerr=std, fmt="o", color=MEAN, capsize=4, lw=2, label="GP mean, ±1/±2 std")
        return
    ax.fill_between(x, mean - 2 * std, mean + 2 * std, color=MEAN, alpha=0.12, lw=0, label="±2 std")
    ax.fill_between(x, mean - std, mean + std, color=MEAN, alpha=0.25, lw=0, label="±1 std")
    ax.plot(x, mean, color=MEAN, lw=2, label="GP mean")
