"""When each trial ran: one bar per trial from ask to tell, on lanes that show how many ran at once.

Trials do not record their worker, so the lanes are reconstructed: each trial takes the lowest lane that
is free when it starts (the greedy colouring of an interval graph, which uses as many lanes as the largest
number of trials running together). Running trials extend to now; bars are coloured by state.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from hyperengine.study.trial import TrialState
from hyperengine.visualization.canvas import single_axes
from hyperengine.visualization.style import STATE_COLORS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study


def lanes(intervals: list[tuple[datetime, datetime]]) -> list[int]:
    """The lane of each (start, end) interval: the lowest one whose previous interval has ended."""
    order = sorted(range(len(intervals)), key=lambda k: intervals[k][0])
    ends: list[datetime] = []
    lane_of = [0] * len(intervals)
    for k in order:
        start, end = intervals[k]
        free = next((lane for lane, busy_until in enumerate(ends) if busy_until <= start), None)
        if free is None:
            ends.append(end)
            free = len(ends) - 1
        else:
            ends[free] = end
        lane_of[k] = free
    return lane_of


def plot_timeline(study: Study, ax: Axes | None = None) -> Figure:
    """Each trial's lifetime as a bar on its lane, coloured by state (failed runs stand out in red)."""
    if not study.trials:
        raise ValueError("plot_timeline: the study has no trials yet")
    now = datetime.now()
    intervals = [(t.datetime_start, t.datetime_complete or now) for t in study.trials]
    lane_of = lanes(intervals)
    fig, ax = single_axes(ax)
    origin = min(start for start, _ in intervals)
    labelled: set[str] = set()
    for trial, (start, end), lane in zip(study.trials, intervals, lane_of, strict=True):
        state = trial.state.value
        ax.barh(lane, (end - start).total_seconds(), left=(start - origin).total_seconds(), height=0.8,
                color=STATE_COLORS[state], edgecolor="white", linewidth=0.5,
                label=state if state not in labelled else None)
        labelled.add(state)
    ax.set_yticks(range(max(lane_of) + 1))
    ax.set_ylabel("lane (trials running at once)")
    ax.set_xlabel(f"seconds since the first trial started ({origin:%Y-%m-%d %H:%M:%S})")
    running = sum(t.state is TrialState.RUNNING for t in study.trials)
    ax.set_title("Trial timeline" + (f" ({running} running)" if running else ""))
    ax.legend(fontsize="small")
    return fig
