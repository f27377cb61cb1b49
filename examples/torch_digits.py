"""Tune a small PyTorch network on scikit-learn's digits (CPU): learning rate and width, early-stopped runs.

Each epoch's validation accuracy goes to the trial through run_epochs; the curve predictor stops runs that
cannot beat the best one, and study.optimize records them as pruned with their predicted final accuracy. Run:

    python examples/torch_digits.py --trials 10 --epochs 8
"""

from __future__ import annotations

import argparse
from typing import Any

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

import hyperengine
from hyperengine import spec
from hyperengine.curve import LinearCurvePredictor
from hyperengine.integration.torch import accuracy, run_epochs

SPACE = {"lr": 10 ** spec.uniform(-4, -0.5), "hidden": spec.choice([16, 32, 64])}


def loaders(seed: int) -> tuple[DataLoader[Any], DataLoader[Any]]:
    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x / 16.0, y, test_size=0.3, random_state=seed)
    tensors = [torch.tensor(a, dtype=torch.float32) for a in (x_train, x_val)]
    train = TensorDataset(tensors[0], torch.tensor(y_train))
    val = TensorDataset(tensors[1], torch.tensor(y_val))
    return DataLoader(train, batch_size=64, shuffle=True), DataLoader(val, batch_size=256)


def main(trials: int = 10, epochs: int = 8, seed: int = 0, verbose: bool = True) -> Any:
    """Run the study; returns it."""
    torch.manual_seed(seed)
    train, val = loaders(seed)
    study = hyperengine.create_study(SPACE, direction="maximize", seed=seed,
                                     curve_predictor=LinearCurvePredictor(burn_in=2))

    def objective(params: dict[str, Any], trial: hyperengine.Trial) -> float:
        model = torch.nn.Sequential(torch.nn.Linear(64, params["hidden"]), torch.nn.ReLU(),
                                    torch.nn.Linear(params["hidden"], 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=params["lr"])

        def train_epoch(epoch: int) -> None:
            for inputs, labels in train:
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(inputs), labels).backward()
                optimizer.step()

        curve = run_epochs(trial, epochs, train_epoch, lambda epoch: accuracy(model, val))
        if verbose:
            print(f"trial {trial.number}: lr={params['lr']:.2g} hidden={params['hidden']} "
                  f"epochs={len(curve)} best val_accuracy={max(curve):.4f}")
        return max(curve)

    study.optimize(objective, n_trials=trials)
    if verbose:
        print(f"best: val_accuracy={study.best_value:.4f} {study.best_params}")
    return study


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    main(arguments.trials, arguments.epochs, arguments.seed)
