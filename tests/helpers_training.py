"""A stand-in trial for the solver tests: what a solver reports to and asks of a study's trial."""

from __future__ import annotations


class RecordingTrial:
    """A minimal trial: keeps what it was told and asks to stop after ``stop_after`` reports."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.reports: list[tuple[float, int]] = []
        self._stop_after = stop_after

    def report(self, value: float, step: int) -> None:
        self.reports.append((value, step))

    def should_stop(self) -> bool:
        return self._stop_after is not None and len(self.reports) >= self._stop_after
