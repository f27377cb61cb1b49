"""In-memory labelled data sets that hand out mini-batches, and the train/validation/test division."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray


class DataSet:
    """A labelled data set held in memory as two numpy arrays that share their first axis.

    ``next_batch`` walks through the rows in mini-batches; the last batch of an epoch may be smaller.
    With ``shuffle=True`` the row order is re-drawn at the start of every epoch from ``seed``, so two data
    sets built with the same seed hand out the same batches. The counters (``step``, ``epochs_completed``,
    ``just_completed``) drive the solver's training loop.
    """

    def __init__(self, x: ArrayLike, y: ArrayLike, *, shuffle: bool = True, seed: int | None = None) -> None:
        x_array = np.asarray(x)
        y_array = np.asarray(y)
        if x_array.ndim == 0 or y_array.ndim == 0:
            raise ValueError("DataSet: x and y must be arrays with one row per example, not scalars")
        if x_array.shape[0] != y_array.shape[0]:
            raise ValueError(
                f"DataSet: x has {x_array.shape[0]} rows but y has {y_array.shape[0]}; they must match"
            )
        if x_array.shape[0] == 0:
            raise ValueError("DataSet: x and y are empty; a data set needs at least one row")
        self._x = x_array
        self._y = y_array
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order: NDArray[np.intp] = np.arange(self.size)
        self.reset_counters()

    @property
    def x(self) -> np.ndarray:
        """The inputs, shape (size, ...), in their original order."""
        return self._x

    @property
    def y(self) -> np.ndarray:
        """The labels, shape (size, ...), in their original order."""
        return self._y

    @property
    def size(self) -> int:
        """The number of rows."""
        return int(self._x.shape[0])

    @property
    def step(self) -> int:
        """The number of batches handed out since the last reset."""
        return self._step

    @property
    def index_in_epoch(self) -> int:
        """The number of rows of the current epoch already handed out."""
        return self._index_in_epoch

    @property
    def index(self) -> int:
        """The number of rows handed out since the last reset, over all epochs."""
        return self._epochs_completed * self.size + self._index_in_epoch

    @property
    def epochs_completed(self) -> int:
        """The number of full passes over the data since the last reset."""
        return self._epochs_completed

    @property
    def just_completed(self) -> bool:
        """Whether the last batch closed an epoch."""
        return self._just_completed

    def reset_counters(self) -> None:
        """Start again from the first epoch (the random stream goes on, so the next order is a new one)."""
        self._step = 0
        self._epochs_completed = 0
        self._index_in_epoch = 0
        self._just_completed = False

    def next_batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``batch_size`` rows as ``(x, y)``; fewer at the end of an epoch."""
        if batch_size < 1:
            raise ValueError(f"DataSet.next_batch: batch_size must be a positive integer, got {batch_size}")
        if self._index_in_epoch == 0 and self._shuffle:
            self._order = self._rng.permutation(self.size)
        start = self._index_in_epoch
        end = min(start + batch_size, self.size)
        rows = self._order[start:end]
        self._step += 1
        self._just_completed = end == self.size
        if self._just_completed:
            self._epochs_completed += 1
            self._index_in_epoch = 0
        else:
            self._index_in_epoch = end
        return self._x[rows], self._y[rows]


def merge_data_sets(
    data_sets: Sequence[DataSet], *, shuffle: bool = True, seed: int | None = None
) -> DataSet:
    """One data set holding the rows of all ``data_sets`` in order (e.g. train + validation for a final fit)."""
    if not data_sets:
        raise ValueError("merge_data_sets: needs at least one data set")
    x = np.concatenate([data_set.x for data_set in data_sets], axis=0)
    y = np.concatenate([data_set.y for data_set in data_sets], axis=0)
    return DataSet(x, y, shuffle=shuffle, seed=seed)


class Data:
    """The standard division of a problem's data: a training, a validation and an optional test set."""

    def __init__(self, train: DataSet, validation: DataSet, test: DataSet | None = None) -> None:
        for name, value in (("train", train), ("validation", validation)):
            if not isinstance(value, DataSet):
                raise TypeError(f"Data: {name} must be a DataSet, got {type(value).__name__}")
        if test is not None and not isinstance(test, DataSet):
            raise TypeError(f"Data: test must be a DataSet or None, got {type(test).__name__}")
        self.train = train
        self.validation = validation
        self.test = test

    def reset_counters(self) -> None:
        """Reset the batch counters of every set."""
        self.train.reset_counters()
        self.validation.reset_counters()
        if self.test is not None:
            self.test.reset_counters()
