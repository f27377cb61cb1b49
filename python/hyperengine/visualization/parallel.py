"""Every trial at once: one vertical axis per parameter and one for the objective, a line per trial.

Each axis is scaled to its parameter's range (a log range for 10 ** uniform, category positions for a
choice), lines are coloured by the objective, and a conditional parameter is left out of the lines of the
trials where it is inactive (the line breaks there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from hyperengine.study.prediction import direction_sign
from hyperengine.visualization.canvas import single_axes
from hyperengine.visualization.parameters import ParameterAxis, find_axes, parameter_axes
from hyperengine.visualization.style import objective_label
from hyperengine.visualization.trials import active_mask, require_trials

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study

Array = npt.NDArray[np.float64]


def plot_parallel_coordinate(study: Study, params: Sequence[str] | None = None, ax: Axes | None = None) -> Figure:
    """Parallel coordinates of the trials with a value over `params` (default: all) and the objective."""
    import matplotlib as mpl

    trials = require_trials(study, "plot_parallel_coordinate")
    chosen = find_axes(parameter_axes(study.parsed_spec), params, "plot_parallel_coordinate: params")
    values = np.array([float(t.value) for t in trials])  # type: ignore[arg-type]
    active = active_mask(study, trials)
    columns = [_scaled(axis, np.array([t.point[axis.index] for t in trials]), active[:, axis.index])
               for axis in chosen]
    columns.append(_normalized(values))
    table = np.column_stack(columns)
    fig, ax = single_axes(ax, size=(max(6.4, 1.3 * len(columns)), 4.2))
    colormap = mpl.colormaps["viridis" if study.direction == "maximize" else "viridis_r"]
    norm = mpl.colors.Normalize(float(values.min()), float(values.max()))
    x = np.arange(len(columns))
    for row, value in sorted(zip(table, values, strict=True), key=lambda item: item[1] * direction_sign(study)):
        ax.plot(x, row, color=colormap(norm(value)), lw=1, alpha=0.75)
    for position, axis in enumerate(chosen):
        ax.axvline(position, color="black", lw=0.8)
        for height, text in _tick_labels(axis):
            ax.annotate(text, (position, height), xytext=(3, 0), textcoords="offset points", fontsize="x-small",
                        va="center")
    ax.axvline(len(chosen), color="black", lw=0.8)
    for height, value in ((0.0, values.min()), (1.0, values.max())):
        ax.annotate(f"{value:.3g}", (len(chosen), height), xytext=(3, 0), textcoords="offset points",
                    fontsize="x-small", va="center")
    ax.set_xticks(x)
    ax.set_xticklabels([axis.name for axis in chosen] + [objective_label(study)], rotation=20, ha="right")
    ax.set_yticks([])
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlim(-0.2, len(chosen) + 0.5)
    fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=colormap), ax=ax, label=objective_label(study))
    ax.set_title("Parallel coordinates (best trials drawn last)")
    return fig


def _scaled(axis: ParameterAxis, units: Array, active: npt.NDArray[np.bool_]) -> Array:
    """The trials' positions on a [0, 1] axis for this parameter, NaN where it is inactive."""
    low, high = axis.span()
    coordinates = axis.coordinates(units)
    if axis.log_scale:
        coordinates, low, high = np.log10(coordinates), np.log10(low), np.log10(high)
    scaled = (coordinates - low) / (high - low) if high > low else np.full(units.size, 0.5)
    return np.where(active, np.clip(scaled, 0.0, 1.0), np.nan)


def _normalized(values: Array) -> Array:
    spread = float(values.max() - values.min())
    return (values - values.min()) / spread if spread > 0 else np.full(values.size, 0.5)


def _tick_labels(axis: ParameterAxis) -> list[tuple[float, str]]:
    """(height in [0, 1], text) of the labels along a parameter's axis: its ends, or its categories."""
    if axis.is_categorical:
        count = max(axis.levels - 1, 1)
        return [(k / count, label) for k, label in enumerate(axis.labels)]
    low, high = axis.span()
    return [(0.0, f"{low:.3g}"), (1.0, f"{high:.3g}")]
