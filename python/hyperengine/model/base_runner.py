"""The runner: the thin layer between a solver's training loop and one machine-learning model."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np


class BaseRunner(ABC):
    """Feeds batches to one model: build it, initialize it, train on a batch, evaluate a batch.

    Subclasses implement ``run_batch`` and ``evaluate``; the other hooks default to doing nothing.
    ``evaluate`` returns a dict with (some of) the keys 'accuracy', 'loss' and 'data' (anything the
    model wants to keep, e.g. misclassified rows).
    """

    def build_model(self, **kwargs: Any) -> None:
        """Build the model (the solver passes framework objects such as ``session=``)."""

    def init(self, **kwargs: Any) -> None:
        """Initialize the model's state (weights) before the first batch."""

    @abstractmethod
    def run_batch(self, batch_x: np.ndarray, batch_y: np.ndarray) -> None:
        """Train on one batch."""

    @abstractmethod
    def evaluate(self, batch_x: np.ndarray, batch_y: np.ndarray) -> dict[str, Any]:
        """Evaluate one batch without training: ``{'accuracy': ..., 'loss': ..., 'data': ...}``."""

    def model_size(self) -> int:
        """The number of trainable scalars in the model (0 when the runner cannot tell)."""
        return 0

    def terminate(self) -> None:
        """Release the model's resources after training."""
