"""A Keras callback that reports each epoch to a hyperengine trial and stops training when told to."""

from __future__ import annotations

import math
from typing import Any

from ..model.curve_monitor import CurveMonitor, Direction, StopCondition, TrialLike
from ._import import require_tensorflow

require_tensorflow()

import keras


def infer_direction(monitor: str) -> Direction:
    """'minimize' for a loss or error metric, 'maximize' otherwise (as Keras' ``mode='auto'``)."""
    name = monitor.removeprefix("val_")
    return "minimize" if "loss" in name or "error" in name else "maximize"


class TrialCallback(keras.callbacks.Callback):  # type: ignore[misc]  # keras is untyped
    """Reports ``logs[monitor]`` after every epoch to ``trial.report(value, epoch)`` and sets
    ``model.stop_training`` when ``trial.should_stop()`` or ``stop_condition(curve)`` is true, or the value is
    not finite. For users who keep their own ``model.fit`` loop::

        callback = TrialCallback(trial, monitor="val_accuracy")
        model.fit(x, y, validation_data=(xv, yv), epochs=20, callbacks=[callback])
        return max(callback.curve)

    ``direction`` ('maximize' | 'minimize') decides what "best" means; by default it is inferred from the
    metric name (losses and errors are minimized).
    """

    def __init__(
        self,
        trial: TrialLike | None = None,
        monitor: str = "val_accuracy",
        *,
        stop_condition: StopCondition | None = None,
        direction: Direction | None = None,
        initial_best: float | None = None,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.curve_monitor = CurveMonitor(
            trial=trial,
            stop_condition=stop_condition,
            direction=direction or infer_direction(monitor),
            initial_best=initial_best,
        )

    @property
    def curve(self) -> list[float]:
        """The monitored value after each epoch so far."""
        return self.curve_monitor.curve

    @property
    def best(self) -> float | None:
        """The best monitored value so far."""
        return self.curve_monitor.best

    @property
    def stopped_early(self) -> bool:
        """Whether this callback stopped the training."""
        return self.curve_monitor.stopped_early

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(
                f"TrialCallback: the metric {self.monitor!r} is not in the epoch logs {sorted(logs)}; "
                "pass validation data to fit() and compile the model with the metric (e.g. metrics=['accuracy'])"
            )
        value = float(logs[self.monitor])
        improved = math.isfinite(value) and self.curve_monitor.is_better(value)
        if self.curve_monitor.record(value):
            self.model.stop_training = True
        if improved:
            self.on_improvement(epoch, value, logs)

    def on_improvement(self, epoch: int, value: float, logs: dict[str, Any]) -> None:
        """Called when the monitored value beats the best so far (a hook for subclasses)."""
