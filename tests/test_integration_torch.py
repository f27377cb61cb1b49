"""hyperengine.integration.torch on CPU: the plain loop and the Lightning callback report each epoch and stop
a run the curve predictor gives up on, which the study records as pruned with a predicted value."""

from __future__ import annotations

import logging
from typing import Any

import pytest

pytest.importorskip("torch")

import torch
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

import hyperengine
from hyperengine import spec
from hyperengine.curve import EnsembleCurvePredictor
from hyperengine.integration.torch import run_epochs
from test_examples import check_study, load_example

logging.getLogger("hyperengine").setLevel(logging.ERROR)
EPOCHS = 6
LIGHTNING_WARNINGS = [  # about this small CPU setup, not about the callback under test
    pytest.mark.filterwarnings("ignore::lightning.fabric.utilities.warnings.PossibleUserWarning"),
    pytest.mark.filterwarnings("ignore:.*does not have many workers.*"),
    pytest.mark.filterwarnings("ignore:.*LeafSpec.*:FutureWarning"),  # lightning 2.6 on torch 2.13's pytree
]


def quiet_lightning(test: Any) -> Any:
    """The test with Lightning's warnings about the setup (few loader workers, small batches) ignored."""
    for mark in LIGHTNING_WARNINGS:
        test = mark(test)
    return test


def digits(count: int | None = None) -> TensorDataset:
    """scikit-learn's digits (the first `count`) as float pixels in [0, 1] and integer labels."""
    x, y = load_digits(return_X_y=True)
    return TensorDataset(torch.tensor(x[:count] / 16.0, dtype=torch.float32), torch.tensor(y[:count]))


def cpu_trainer(lightning: Any, callback: Any, **options: Any) -> Any:
    """A Lightning Trainer on the CPU with the callback, and no logger, checkpoints, progress bar or summary."""
    return lightning.Trainer(callbacks=[callback], logger=False, enable_checkpointing=False, enable_progress_bar=False,
                             enable_model_summary=False, accelerator="cpu", **options)


def test_the_digits_example_tunes_a_network() -> None:
    study = load_example("torch_digits").main(trials=3, epochs=3, verbose=False)
    check_study(study, 3, 0.5)


def test_run_epochs_stops_a_hopeless_run_and_the_study_prunes_it() -> None:
    curves = {0.1: [0.5, 0.6, 0.7, 0.8, 0.9, 0.92], 0.2: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]}
    study = hyperengine.create_study({"rate": spec.choice([0.1, 0.2])},
                                     curve_predictor=EnsembleCurvePredictor(max_epochs=EPOCHS))
    study.enqueue({"rate": 0.1})
    study.enqueue({"rate": 0.2})
    trained: list[int] = []

    def objective(params: dict[str, Any], trial: hyperengine.Trial) -> float:
        curve = run_epochs(trial, 6, trained.append, lambda epoch: curves[params["rate"]][epoch])
        return max(curve)

    study.optimize(objective, n_trials=2)
    first, second = study.trials
    assert first.state == "complete" and first.curve == curves[0.1]
    assert second.state == "pruned" and len(second.curve) == 3 and second.value is not None and second.value < 0.5
    assert trained == list(range(6)) + list(range(3))


def test_run_epochs_rejects_a_bad_epoch_count() -> None:
    with pytest.raises(ValueError, match="epochs"):
        run_epochs(None, 0, print, float)


@quiet_lightning
def test_the_lightning_callback_reports_and_stops_the_trainer() -> None:
    lightning = pytest.importorskip("lightning")
    from hyperengine.integration.torch import LightningTrialCallback

    train, val = torch.utils.data.random_split(digits(), [1200, 597], generator=torch.Generator().manual_seed(0))

    class Classifier(lightning.LightningModule):  # type: ignore[misc]
        def __init__(self, lr: float) -> None:
            super().__init__()
            self.lr = lr
            self.net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))

        def training_step(self, batch: Any, index: int) -> Any:
            inputs, labels = batch
            return torch.nn.functional.cross_entropy(self.net(inputs), labels)

        def validation_step(self, batch: Any, index: int) -> None:
            inputs, labels = batch
            self.log("val_acc", (self.net(inputs).argmax(dim=1) == labels).float().mean())

        def configure_optimizers(self) -> Any:
            return torch.optim.SGD(self.parameters(), lr=self.lr)

    study = hyperengine.create_study({"lr": spec.choice([0.5, 0.0])},
                                     curve_predictor=EnsembleCurvePredictor(max_epochs=EPOCHS))
    study.enqueue({"lr": 0.5})
    study.enqueue({"lr": 0.0})  # never learns: its accuracy stays at chance level
    epochs_run = []

    def objective(params: dict[str, Any], trial: hyperengine.Trial) -> float:
        torch.manual_seed(0)
        callback = LightningTrialCallback(trial, monitor="val_acc")
        trainer = cpu_trainer(lightning, callback, max_epochs=EPOCHS)
        trainer.fit(Classifier(params["lr"]), DataLoader(train, batch_size=64, shuffle=True),
                    DataLoader(val, batch_size=256))
        epochs_run.append(trainer.current_epoch)
        return max(callback.curve)

    study.optimize(objective, n_trials=2, catch=())
    good, stuck = study.trials
    assert good.state == "complete" and len(good.curve) == EPOCHS and good.value > 0.8
    assert stuck.state == "pruned" and len(stuck.curve) == 3 and stuck.value is not None and stuck.value < 0.5
    assert epochs_run == [EPOCHS, 3]


@quiet_lightning
def test_the_lightning_callback_names_the_logged_metrics_when_its_monitor_is_missing() -> None:
    lightning = pytest.importorskip("lightning")
    from hyperengine.integration.torch import LightningTrialCallback

    data = digits(200)

    class Logged(lightning.LightningModule):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.net = torch.nn.Linear(64, 10)

        def training_step(self, batch: Any, index: int) -> Any:
            return torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])

        def validation_step(self, batch: Any, index: int) -> None:
            self.log("val_loss", torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1]))

        def configure_optimizers(self) -> Any:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    study = hyperengine.create_study({"lr": spec.uniform(0.0, 1.0)})
    callback = LightningTrialCallback(study.ask(), monitor="val_acc")
    trainer = cpu_trainer(lightning, callback, max_epochs=1, num_sanity_val_steps=0)
    with pytest.raises(KeyError, match=r"'val_acc' is not a logged metric \['val_loss'\]"):
        trainer.fit(Logged(), DataLoader(data, batch_size=50), DataLoader(data, batch_size=100))
    assert callback.curve == []
