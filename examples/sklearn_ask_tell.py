"""Tune a scikit-learn model (no TensorFlow) with the ask/tell interface of a hyperengine study.

An RBF support-vector classifier on the digits: C and gamma on log scales, scored by 3-fold cross-validated
accuracy. The loop is explicit: ask for a trial, evaluate its parameters, tell the score back. Run:

    python examples/sklearn_ask_tell.py --trials 20
"""

from __future__ import annotations

import argparse
from typing import Any

from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC

import hyperengine
from hyperengine import spec

SPACE = {
    "C": 10 ** spec.uniform(-2, 3),
    "gamma": 10 ** spec.uniform(-5, -1),
}


def main(trials: int = 20, seed: int = 0, verbose: bool = True) -> Any:
    """Run the study; returns it."""
    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    study = hyperengine.create_study(SPACE, direction="maximize", seed=seed)
    for _ in range(trials):
        trial = study.ask()
        params = trial.params
        score = float(cross_val_score(SVC(C=params["C"], gamma=params["gamma"]), x, y, cv=3).mean())
        study.tell(trial, score)
        if verbose:
            print(
                f"trial {trial.number:2d}: accuracy={score:.4f}  C={params['C']:.3g} gamma={params['gamma']:.3g}"
            )
    if verbose:
        print(f"best: accuracy={study.best_value:.4f}  {study.best_params}")
    return study


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    main(arguments.trials, arguments.seed)
