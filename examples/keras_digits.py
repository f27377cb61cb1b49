"""Tune a Keras MLP on scikit-learn's digits with learning-curve early stopping (the `hyperengine demo`).

The search space, the model and the study live in `hyperengine/demo.py` (so the installed `hyperengine demo`
command runs the same code); read it alongside this script. Run:

    python examples/keras_digits.py --trials 15 --epochs 10
"""

from __future__ import annotations

import argparse
from typing import Any

from hyperengine import demo


def main(trials: int = 15, epochs: int = 10, seed: int = 0, verbose: bool = True) -> Any:
    """Run the study; returns it (``study.best_params``, ``study.best_value``, ``study.trials``)."""
    return demo.main(trials=trials, epochs=epochs, seed=seed, verbose=verbose)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=15)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    main(arguments.trials, arguments.epochs, arguments.seed)
