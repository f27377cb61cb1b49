"""A tqdm progress bar for study.optimize: trials done, best value so far, seconds per trial."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from tqdm import tqdm

if TYPE_CHECKING:
    from hyperengine.study.study import Study
    from hyperengine.study.trial import Trial


class ProgressBar:
    """Shows progress when enabled; a no-op otherwise."""

    def __init__(self, n_trials: int | None, timeout: float | None, enabled: bool) -> None:
        self._bar = tqdm(total=n_trials, unit="trial", dynamic_ncols=True) if enabled else None
        self._timeout = timeout

    def __enter__(self) -> ProgressBar:
        return self

    def update(self, study: Study, trial: Trial) -> None:
        if self._bar is None:
            return
        postfix = {"state": trial.state.value}
        try:
            postfix["best"] = f"{study.best_value:.6g}"
        except ValueError:
            postfix["best"] = "-"
        if trial.duration is not None:
            postfix["s/trial"] = f"{trial.duration.total_seconds():.2f}"
        self._bar.set_postfix(postfix)
        self._bar.update(1)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.close()
