"""PyTorch training runs reporting to a hyperengine trial (extra: pip install "hyperengine[torch]").

    curve = run_epochs(trial, epochs, train_epoch, lambda epoch: accuracy(model, val_loader))
    trainer = lightning.Trainer(callbacks=[LightningTrialCallback(trial, monitor="val_acc")])

Run them inside ``study.optimize(objective)``: an objective that returns after the trial asked to stop is
recorded as pruned, with the curve predictor's predicted final value. The Lightning callback is loaded on
first use, so the plain loop needs only torch.
"""

from typing import TYPE_CHECKING, Any

from hyperengine.integration.torch.loop import accuracy, run_epochs

if TYPE_CHECKING:
    from hyperengine.integration.torch.lightning_callback import LightningTrialCallback  # noqa: F401


def __getattr__(name: str) -> Any:
    if name == "LightningTrialCallback":
        from hyperengine.integration.torch.lightning_callback import LightningTrialCallback

        return LightningTrialCallback
    raise AttributeError(f"module 'hyperengine.integration.torch' has no attribute {name!r}")


__all__ = ["LightningTrialCallback", "accuracy", "run_epochs"]
