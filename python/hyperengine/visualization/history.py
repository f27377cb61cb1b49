"""How the search went: each trial's value and the best so far; for several studies (seeds), the mean of
their best-so-far curves with one standard deviation around it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from hyperengine.study.prediction import direction_sign
from hyperengine.study.trial import TrialState
from hyperengine.visualization.canvas import single_axes
from hyperengine.visualization.style import MEAN, STATE_COLORS, objective_label
from hyperengine.visualization.trials import require_trials, values_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study


def best_so_far(study: Study) -> npt.NDArray[np.float64]:
    """[n trials]: the best complete value among trials 0..k, NaN before the first complete one."""
    sign = direction_sign(study)
    best, curve = -np.inf, []
    for trial in study.trials:
        if trial.state is TrialState.COMPLETE and trial.value is not None:
            best = max(best, sign * float(trial.value))
        curve.append(sign * best if np.isfinite(best) else np.nan)
    return np.array(curve, dtype=np.float64)


def plot_optimization_history(study: Study | Sequence[Study], ax: Axes | None = None,
                              labels: Sequence[str] | None = None) -> Figure:
    """One study: its trials' values (pruned ones hollow: predicted) and the best so far. Several studies
    (e.g. seeds of one search, same direction): each best-so-far curve thin, their mean and +-1 std."""
    studies = [study] if not isinstance(study, Sequence) else list(study)
    if not studies:
        raise ValueError("plot_optimization_history: give a study or a non-empty list of studies")
    directions = {s.direction for s in studies}
    if len(directions) > 1:
        raise ValueError(f"plot_optimization_history: the studies mix directions {sorted(directions)}")
    if labels is not None and len(labels) != len(studies):
        raise ValueError(f"plot_optimization_history: {len(labels)} labels for {len(studies)} studies")
    for index, one in enumerate(studies):
        require_trials(one, f"plot_optimization_history (study {index})" if len(studies) > 1
                       else "plot_optimization_history")
    fig, ax = single_axes(ax)
    if len(studies) == 1:
        _one_study(ax, studies[0])
    else:
        _several_studies(ax, studies, labels)
    ax.set_xlabel("trial")
    ax.set_ylabel(objective_label(studies[0]))
    ax.legend(fontsize="small")
    ax.set_title("Optimization history")
    return fig


def _one_study(ax: Axes, study: Study) -> None:
    for state, face in ((TrialState.COMPLETE, STATE_COLORS["complete"]), (TrialState.PRUNED, "none")):
        shown = [t for t in study.trials if t.state is state and t.value is not None]
        if shown:
            ax.scatter([t.number for t in shown], values_of(shown), s=18, facecolors=face,
                       edgecolors=STATE_COLORS[state.value], label=f"{state.value} trials", zorder=3)
    curve = best_so_far(study)
    ax.step(np.arange(curve.size), curve, where="post", color="black", lw=1.5, label="best so far")


def _several_studies(ax: Axes, studies: Sequence[Study], labels: Sequence[str] | None) -> None:
    curves = [best_so_far(s) for s in studies]
    length = max(c.size for c in curves)
    table = np.full((len(curves), length), np.nan)
    for row, curve in zip(table, curves, strict=True):
        row[:curve.size] = curve
    for index, curve in enumerate(curves):
        ax.step(np.arange(curve.size), curve, where="post", color="gray", lw=0.6, alpha=0.6,
                label=labels[index] if labels is not None else ("each study" if index == 0 else None))
    counted = np.isfinite(table).sum(axis=0)
    steps = np.flatnonzero(counted > 0)
    mean = np.array([np.nanmean(table[:, k]) for k in steps])
    spread = np.array([np.nanstd(table[:, k]) for k in steps])
    ax.fill_between(steps, mean - spread, mean + spread, step="post", color=MEAN, alpha=0.25, lw=0,
                    label="±1 std over studies")
    ax.step(steps, mean, where="post", color=MEAN, lw=2, label=f"mean best so far ({len(studies)} studies)")
