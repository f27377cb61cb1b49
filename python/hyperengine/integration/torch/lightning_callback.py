"""A PyTorch Lightning callback that reports a logged metric to a trial each validation epoch and stops the
trainer when the trial should stop."""

from __future__ import annotations

from typing import Any

from hyperengine.integration._require import require

require("lightning", "torch", "hyperengine.integration.torch.LightningTrialCallback")

from lightning.pytorch import Callback

from hyperengine.model.curve_monitor import CurveMonitor, Direction, TrialLike


class LightningTrialCallback(Callback):  # type: ignore[misc]  # lightning is untyped here
    """After each validation epoch (not the sanity check), ``trial.report(trainer.callback_metrics[monitor],
    step)`` with step the 0-based validation epoch; sets ``trainer.should_stop`` when ``trial.should_stop()``
    is true or the value is not finite. Returned from ``study.optimize``'s objective after such a stop, the
    trial is recorded as pruned with the predicted final value."""

    def __init__(self, trial: TrialLike, monitor: str = "val_acc", direction: Direction = "maximize") -> None:
        super().__init__()
        self.monitor = monitor
        self.curve_monitor = CurveMonitor(trial=trial, direction=direction)

    @property
    def curve(self) -> list[float]:
        """The monitored value after each validation epoch so far."""
        return self.curve_monitor.curve

    @property
    def stopped_early(self) -> bool:
        return self.curve_monitor.stopped_early

    def on_validation_epoch_end(self, trainer: Any, pl_module: Any) -> None:
        if trainer.sanity_checking:
            return
        metrics = trainer.callback_metrics
        if self.monitor not in metrics:
            raise KeyError(f"LightningTrialCallback: {self.monitor!r} is not a logged metric {sorted(metrics)}; "
                           f"log it in validation_step with self.log({self.monitor!r}, value)")
        stop = self.curve_monitor.record(float(metrics[self.monitor]))
        if trainer.strategy.reduce_boolean_decision(stop, all=False):
            trainer.should_stop = True
