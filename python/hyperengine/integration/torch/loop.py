"""A plain PyTorch training loop tied to a trial: report each epoch's validation value, stop when told to."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hyperengine.integration._require import require

torch = require("torch", "torch", "hyperengine.integration.torch")

from hyperengine.model.curve_monitor import CurveMonitor, Direction, TrialLike


def run_epochs(trial: TrialLike | None, epochs: int, train_epoch: Callable[[int], Any],
               evaluate: Callable[[int], float], direction: Direction = "maximize") -> list[float]:
    """Per epoch: ``train_epoch(epoch)``, then ``evaluate(epoch)`` reported as ``trial.report(value, epoch)``.
    Stops after the epoch where ``trial.should_stop()`` is true or the value is not finite; returns the curve
    (``max(curve)`` is the usual objective value, ``min`` for direction='minimize')."""
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"run_epochs: epochs must be a positive integer, got {epochs!r}")
    monitor = CurveMonitor(trial=trial, direction=direction)
    for epoch in range(epochs):
        train_epoch(epoch)
        if monitor.record(float(evaluate(epoch))):
            break
    return monitor.curve


def accuracy(model: Any, batches: Iterable[tuple[Any, Any]]) -> float:
    """The fraction of examples whose arg-max output is the label, over (inputs, labels) batches, evaluated
    without gradients in eval mode (the model's mode is restored)."""
    was_training = model.training
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in batches:
            correct += int((model(inputs).argmax(dim=1) == labels).sum())
            total += len(labels)
    model.train(was_training)
    if total == 0:
        raise ValueError("accuracy: the batches hold no example")
    return correct / total
