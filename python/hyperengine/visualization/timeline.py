"""When each trial ran: one bar per trial from ask to tell, per worker, on lanes that show how many ran at once.

Each trial records the worker (process) that asked for it, so the trials are grouped by worker, the workers
in the order they started their first trial. Within a worker (which runs several trials at once after
`study.ask(n)`), each trial takes the lowest lane that is free when it starts (the greedy colouring of an
interval graph, which uses as many lanes as the largest number of that worker's trials running together).
A storage that keeps no worker (a JSON study file) shows its trials as one worker. Running trials extend to
now; bars are coloured by state.
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

    from hyperengine.storage.frozen import FrozenTrial
    from hyperengine.study.study import Study

UNKNOWN_WORKER = "unrecorded worker"


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


def worker_rows(trials: list[FrozenTrial], now: datetime) -> tuple[list[int], list[tuple[str, int]]]:
    """(the row of each trial, [(worker, its first row)]): each worker's lanes stacked one above the other."""
    workers: dict[str, list[int]] = {}
    for k in sorted(range(len(trials)), key=lambda k: trials[k].datetime_start):
        workers.setdefault(trials[k].worker or UNKNOWN_WORKER, []).append(k)
    row_of = [0] * len(trials)
    bands: list[tuple[str, int]] = []
    first = 0
    for worker, members in workers.items():
        lane_of = lanes([(trials[k].datetime_start, trials[k].datetime_complete or now) for k in members])
        for k, lane in zip(members, lane_of, strict=True):
            row_of[k] = first + lane
        bands.append((worker, first))
        first += max(lane_of) + 1
    return row_of, bands


def plot_timeline(study: Study, ax: Axes | None = None) -> Figure:
    """Each trial's lifetime as a bar on its worker's lanes, coloured by state (failed runs stand out in red)."""
    if not study.trials:
        raise ValueError("plot_timeline: the study has no trials yet")
    now = datetime.now()
    trials = list(study.trials)
    row_of, bands = worker_rows(trials, now)
    fig, ax = single_axes(ax)
    origin = min(t.datetime_start for t in trials)
    labelled: set[str] = set()
    for trial, row in zip(trials, row_of, strict=True):
        state = trial.state.value
        end = trial.datetime_complete or now
        ax.barh(row, (end - trial.datetime_start).total_seconds(), left=(trial.datetime_start - origin).total_seconds(),
                height=0.8, color=STATE_COLORS[state], edgecolor="white", linewidth=0.5,
                label=state if state not in labelled else None)
        labelled.add(state)
    ax.set_yticks(range(max(row_of) + 1))
    if len(bands) > 1:
        starts = {first: worker for worker, first in bands}
        ax.set_yticklabels([starts.get(row, "") for row in range(max(row_of) + 1)], fontsize="x-small")
        for _, first in bands[1:]:
            ax.axhline(first - 0.5, color="black", lw=0.6)
        ax.set_ylabel(f"worker, then its lanes ({len(bands)} workers)")
    else:
        ax.set_ylabel("lane (trials running at once)")
    ax.set_xlabel(f"seconds since the first trial started ({origin:%Y-%m-%d %H:%M:%S})")
    running = sum(t.state is TrialState.RUNNING for t in trials)
    ax.set_title("Trial timeline" + (f" ({running} running)" if running else ""))
    ax.legend(fontsize="small")
    return fig
