"""Learning curves: every trial's intermediate values, and for each stopped run the final value its curve
predictor expected, with the interval (two standard deviations) the study told the GP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hyperengine.study.trial import TrialState
from hyperengine.visualization.canvas import single_axes
from hyperengine.visualization.style import STATE_COLORS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study


def plot_intermediate_values(study: Study, ax: Axes | None = None) -> Figure:
    """The reported values against the step, coloured by state; a stopped run's predicted final value is
    drawn at the last step a complete run reached, with error bars of +-2 std, joined to its last report."""
    reported = [t for t in study.trials if t.intermediate_values]
    if not reported:
        raise ValueError(f"plot_intermediate_values: no trial reported intermediate values (trial.report); "
                         f"the study has {len(study.trials)} trials")
    complete_steps = [max(t.intermediate_values) for t in reported if t.state is TrialState.COMPLETE]
    final_step = max(complete_steps) if complete_steps else max(max(t.intermediate_values) for t in reported) + 1
    fig, ax = single_axes(ax)
    labelled: set[str] = set()
    for trial in reported:
        steps = sorted(trial.intermediate_values)
        state = trial.state.value
        ax.plot(steps, trial.curve, color=STATE_COLORS[state], lw=1, alpha=0.8,
                label=f"{state} runs" if state not in labelled else None)
        labelled.add(state)
        if trial.state is TrialState.PRUNED and trial.value is not None:
            interval = 2.0 * float(np.sqrt(trial.noise))
            ax.plot([steps[-1], final_step], [trial.curve[-1], trial.value], color=STATE_COLORS[state], lw=0.8,
                    linestyle=":")
            ax.errorbar([final_step], [trial.value], yerr=[interval], fmt="o", ms=4, color=STATE_COLORS[state],
                        capsize=3, lw=1, label="predicted final ±2 std" if "predicted" not in labelled else None)
            labelled.add("predicted")
    ax.set_xlabel("step")
    ax.set_ylabel(f"intermediate value ({study.direction})")
    ax.legend(fontsize="small")
    ax.set_title("Learning curves")
    return fig
