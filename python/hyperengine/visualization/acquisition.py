"""For a one-parameter space: the GP posterior above, the acquisition function below, and the point the
study proposes next. The acquisition (EI, PI or UCB) is computed by the compiled core on the study's GP, in
its standardized units; it is what the optimizer maximizes once the initial design is spent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hyperengine.bayesian.utility import (
    BaseUtility,
    ExpectedImprovement,
    ProbabilityOfImprovement,
    UpperConfidenceBound,
)
from hyperengine.study.prediction import MIN_OBSERVATIONS, next_point, study_model
from hyperengine.visualization.canvas import panels
from hyperengine.visualization.parameters import SLICE_RESOLUTION, parameter_axes
from hyperengine.visualization.slice import gp_slice
from hyperengine.visualization.style import MEAN, NEXT, TRIALS, objective_label
from hyperengine.visualization.trials import require_trials, values_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study

ACQUISITIONS = {"ei": ("expected improvement", ExpectedImprovement),
                "pi": ("probability of improvement", ProbabilityOfImprovement),
                "ucb": ("upper confidence bound", UpperConfidenceBound)}


def plot_acquisition(study: Study, acquisition: str = "ei", fig: Figure | None = None,
                     resolution: int = SLICE_RESOLUTION) -> Figure:
    """Two panels for a 1-D space: the GP mean +-1/+-2 std with the trials, and `acquisition` ('ei', 'pi'
    or 'ucb') along the parameter; the next proposal is marked on both."""
    if acquisition not in ACQUISITIONS:
        raise ValueError(f"plot_acquisition: acquisition must be one of {list(ACQUISITIONS)}, got {acquisition!r}")
    axes_of_spec = parameter_axes(study.parsed_spec)
    if len(axes_of_spec) != 1:
        raise ValueError(f"plot_acquisition needs a one-parameter space, this one has {len(axes_of_spec)} "
                         "(use plot_gp_slice for more)")
    trials = require_trials(study, "plot_acquisition", MIN_OBSERVATIONS)
    axis = axes_of_spec[0]
    data = gp_slice(study, axis, resolution)
    title, utility_class = ACQUISITIONS[acquisition]
    utility: BaseUtility = utility_class(study_model(study, "plot_acquisition"))
    scores = utility.compute_values(data.points)
    proposal = float(axis.coordinates(next_point(study)[0])[0])
    fig, (top, bottom) = panels(fig, 2, 1, panel_size=(6.4, 3.0))
    x = data.coordinates
    if axis.is_discrete:
        top.errorbar(x, data.mean, yerr=2 * data.std, fmt="o", color=MEAN, capsize=4, label="GP mean ±2 std")
        bottom.bar(x, scores, color=NEXT, alpha=0.6, width=0.6)
    else:
        top.fill_between(x, data.mean - 2 * data.std, data.mean + 2 * data.std, color=MEAN, alpha=0.12, lw=0,
                         label="±2 std")
        top.fill_between(x, data.mean - data.std, data.mean + data.std, color=MEAN, alpha=0.25, lw=0,
                         label="±1 std")
        top.plot(x, data.mean, color=MEAN, lw=2, label="GP mean")
        bottom.plot(x, scores, color=NEXT, lw=1.5)
        bottom.fill_between(x, 0.0, scores, color=NEXT, alpha=0.2, lw=0)
    top.scatter(axis.coordinates([t.point[0] for t in trials]), values_of(trials), s=16, color=TRIALS,
                zorder=3, label="trials")
    for ax in (top, bottom):
        ax.axvline(proposal, color=NEXT, linestyle="--", lw=1, label="next proposal" if ax is top else None)
        axis.style(ax, "x")
    top.set_ylabel(objective_label(study))
    top.legend(fontsize="small")
    bottom.set_ylabel(f"{acquisition.upper()} (standardized)")
    bottom.set_title(f"Acquisition: {title}")
    top.set_title("GP posterior")
    return fig
