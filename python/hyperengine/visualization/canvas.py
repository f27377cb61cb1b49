"""Where a plot draws: the caller's axes or figure when given, else a new pyplot figure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyperengine.visualization._import import require_matplotlib

require_matplotlib()

import matplotlib.pyplot as plt  # noqa: E402 (after the check that names the extra)
from matplotlib.figure import Figure as MplFigure  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def single_axes(ax: Axes | None, size: tuple[float, float] = (6.4, 4.2)) -> tuple[Figure, Axes]:
    """(figure, axes) to draw one panel in: `ax` and its figure, or a new figure with one axes."""
    if ax is not None:
        return root_figure(ax), ax
    figure = plt.figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def root_figure(ax: Axes) -> Figure:
    """The figure `ax` is drawn in (the outer one when it sits in a subfigure)."""
    figure = ax.get_figure()
    while figure is not None and not isinstance(figure, MplFigure):
        figure = figure.get_figure()
    if figure is None:
        raise ValueError("ax must belong to a figure")
    return figure


def panels(fig: Figure | None, count: int, columns: int, panel_size: tuple[float, float] = (4.0, 3.2)
           ) -> tuple[Figure, list[Axes]]:
    """(figure, axes) for `count` panels on a grid of `columns`: in `fig` (cleared first) or a new figure."""
    rows = -(-count // columns)
    columns = min(columns, count)
    if fig is None:
        fig = plt.figure(figsize=(panel_size[0] * columns, panel_size[1] * rows), layout="constrained")
    else:
        fig.clear()
    grid = fig.subplots(rows, columns, squeeze=False)
    axes = list(grid.ravel())
    for extra in axes[count:]:
        extra.remove()
    return fig, axes[:count]
