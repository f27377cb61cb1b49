"""The 2-D picture: the GP's mean over two parameters as filled contours, its standard deviation beside it.

The other coordinates are held at the best trial where both parameters are active; cells of the grid where
either parameter is inactive (a conditional parameter outside its option) are left blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from hyperengine.study.prediction import MIN_OBSERVATIONS, predict_points
from hyperengine.visualization.canvas import panels
from hyperengine.visualization.parameters import ParameterAxis, find_axes, parameter_axes
from hyperengine.visualization.style import BEST, TRIALS, objective_label
from hyperengine.visualization.trials import best_trial_where_active, require_trials, valued_trials

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study

Array = npt.NDArray[np.float64]

CONTOUR_RESOLUTION = 60


@dataclass(frozen=True)
class GPSurface:
    """The posterior over two parameters: unit-cube `points` (ny, nx, d), the plot coordinates `x` [nx] and
    `y` [ny], and `mean`, `std` (ny, nx) in the user's units (NaN where a parameter is inactive)."""

    points: Array
    x: Array
    y: Array
    mean: Array
    std: Array


def gp_surface(study: Study, params: Sequence[str], resolution: int = CONTOUR_RESOLUTION) -> GPSurface:
    """The GP's mean and std on a grid over the two named parameters, through the best trial."""
    first, second = _two_axes(study, params)
    reference = best_trial_where_active(study, [first.index, second.index], "plot_gp_contour").point
    units_x, units_y = first.grid(resolution), second.grid(resolution)
    points = np.repeat(reference[None, None, :], units_y.size, axis=0).repeat(units_x.size, axis=1)
    points[:, :, first.index] = units_x[None, :]
    points[:, :, second.index] = units_y[:, None]
    flat = points.reshape(-1, reference.size)
    mean, std = predict_points(study, flat, "plot_gp_contour")
    active = np.array([study.parsed_spec.active(p)[[first.index, second.index]].all() for p in flat])
    mean, std = np.where(active, mean, np.nan), np.where(active, std, np.nan)
    shape = (units_y.size, units_x.size)
    return GPSurface(points, first.coordinates(units_x), second.coordinates(units_y), mean.reshape(shape),
                     std.reshape(shape))


def plot_gp_contour(study: Study, params: Sequence[str] | None = None, fig: Figure | None = None,
                    resolution: int = CONTOUR_RESOLUTION) -> Figure:
    """The GP mean (left) and standard deviation (right) over `params` (two names; default: the first two
    parameters), the trials where both are active on top and the best one marked."""
    require_trials(study, "plot_gp_contour", MIN_OBSERVATIONS)
    if params is None:
        names = [axis.name for axis in parameter_axes(study.parsed_spec)]
        if len(names) < 2:
            raise ValueError(f"plot_gp_contour needs a spec with two parameters, this one has {names}")
        params = names[:2]
    first, second = _two_axes(study, params)
    surface = gp_surface(study, params, resolution)
    fig, (left, right) = panels(fig, 2, 2, panel_size=(5.0, 4.2))
    shown = [t for t in valued_trials(study) if study.parsed_spec.active(t.point)[[first.index, second.index]].all()]
    best = best_trial_where_active(study, [first.index, second.index], "plot_gp_contour")
    for ax, values, title, colormap in ((left, surface.mean, f"GP mean: {objective_label(study)}", "viridis"),
                                        (right, surface.std, "GP standard deviation", "magma")):
        _fill(ax, first, second, surface, values, colormap, fig)
        ax.scatter(first.coordinates([t.point[first.index] for t in shown]),
                   second.coordinates([t.point[second.index] for t in shown]),
                   s=14, color=TRIALS, edgecolors="white", linewidths=0.4, zorder=3, label="trials")
        ax.scatter(first.coordinates(best.point[first.index]), second.coordinates(best.point[second.index]),
                   marker="*", s=180, color=BEST, edgecolors="black", linewidths=0.6, zorder=4, label="best trial")
        first.style(ax, "x")
        second.style(ax, "y")
        ax.set_title(title)
    left.legend(fontsize="small", loc="best")
    return fig


def _two_axes(study: Study, params: Sequence[str]) -> tuple[ParameterAxis, ParameterAxis]:
    if isinstance(params, str) or len(params) != 2 or params[0] == params[1]:
        raise ValueError(f"plot_gp_contour: params must name two different parameters, got {params!r}")
    first, second = find_axes(parameter_axes(study.parsed_spec), params, "plot_gp_contour: params")
    return first, second


def _fill(ax: Axes, first: ParameterAxis, second: ParameterAxis, surface: GPSurface, values: Array,
          colormap: str, fig: Figure) -> None:
    """Filled contours when both parameters are continuous, else one cell per level."""
    masked = np.ma.masked_invalid(values)
    if first.is_discrete or second.is_discrete or not np.isfinite(values).any():
        fig.colorbar(ax.pcolormesh(surface.x, surface.y, masked, cmap=colormap, shading="nearest"), ax=ax)
    else:
        fig.colorbar(ax.contourf(surface.x, surface.y, masked, levels=20, cmap=colormap), ax=ax)
