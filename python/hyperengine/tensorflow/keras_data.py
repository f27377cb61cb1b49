"""The data forms the Keras solver accepts, normalized to what ``keras.Model.fit`` takes."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.data_set import Data, DataSet
from ._import import require_tensorflow

require_tensorflow()

import keras
import tensorflow as tf

Arrays = tuple[np.ndarray, np.ndarray]
Source = Arrays | Any  # (x, y) arrays or a tf.data.Dataset of batches


def as_source(name: str, value: Any) -> Source:
    """``value`` as ``(x, y)`` numpy arrays, or as is when it is a ``tf.data.Dataset``."""
    if isinstance(value, tf.data.Dataset):
        return value
    if isinstance(value, DataSet):
        return value.x, value.y
    if isinstance(value, tuple | list) and len(value) == 2:
        x, y = np.asarray(value[0]), np.asarray(value[1])
        if x.ndim == 0 or y.ndim == 0 or x.shape[0] != y.shape[0]:
            raise ValueError(
                f"{name}: x and y must be arrays with the same number of rows, got {x.shape} and {y.shape}"
            )
        return x, y
    raise TypeError(
        f"{name} must be (x, y) arrays, a hyperengine DataSet or a tf.data.Dataset, got {type(value).__name__}"
    )


@dataclass(frozen=True)
class KerasData:
    """Training, validation and optional test data, each as ``(x, y)`` arrays or a batched tf.data.Dataset."""

    train: Source
    validation: Source
    test: Source | None = None

    @classmethod
    def of(cls, data: Any) -> KerasData:
        """Accepts a ``hyperengine.model.Data``, a mapping with 'train', 'validation' and optional 'test', or a
        sequence ``(train, validation[, test])``; each part as in ``as_source``."""
        if isinstance(data, KerasData):
            return data
        if isinstance(data, Data):
            parts = [data.train, data.validation, data.test]
        elif isinstance(data, Mapping):
            unknown = set(data) - {"train", "validation", "test"}
            if unknown or "train" not in data or "validation" not in data:
                raise ValueError(
                    f"data mapping needs 'train', 'validation' and optionally 'test'; got {sorted(data)}"
                )
            parts = [data["train"], data["validation"], data.get("test")]
        elif isinstance(data, tuple | list) and len(data) in (2, 3):
            parts = [*data, None][:3]
        else:
            raise TypeError(
                "data must be a hyperengine Data, a dict with 'train'/'validation'/'test' or a tuple "
                f"(train, validation[, test]); got {type(data).__name__}"
            )
        test = None if parts[2] is None else as_source("test", parts[2])
        return cls(as_source("train", parts[0]), as_source("validation", parts[1]), test)


class AugmentedBatches(keras.utils.PyDataset):  # type: ignore[misc]  # keras is untyped
    """Shuffled mini-batches of in-memory arrays with ``augmentation(batch_x)`` applied to each batch
    (an augmentation that returns None works in place on the batch copy)."""

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        augmentation: Callable[[np.ndarray], np.ndarray | None],
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self._x, self._y = x, y
        self._batch_size = batch_size
        self._augmentation = augmentation
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(x))

    def __len__(self) -> int:
        return math.ceil(len(self._x) / self._batch_size)

    def __getitem__(self, index: int) -> Arrays:
        rows = self._order[index * self._batch_size : (index + 1) * self._batch_size]
        batch_x = self._x[rows]
        augmented = self._augmentation(batch_x)
        return (batch_x if augmented is None else augmented), self._y[rows]

    def on_epoch_end(self) -> None:
        self._order = self._rng.permutation(len(self._x))
