"""The interface every learning-curve predictor shares, so the solver, the tuner and the study accept any.

Curves are values to maximize (e.g. validation accuracy), one per epoch, and may have any length.
A predictor learns from finished curves (`add_curve`) and, from the first epochs of a running curve,
predicts its final value: `predict` (expected, error), `predictive` (a Gaussian summary), `prob_exceeds`,
and the stop rule `should_stop`. `stop_condition()` and `result_metric()` wrap these as the callables the
original HyperEngine solver used.
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hyperengine.curve.store import FILE_NAME, CurveStore
from hyperengine.curve.validation import CurveLike, as_curve, as_value


class CurvePredictor(ABC):
    """Predicts a learning curve's final value from its first epochs; decides when to stop a run early.

    `burn_in`: finished curves needed before predicting. `min_input_size`: epochs of a running curve
    needed before predicting (and before any stop). `io_load_dir`: a folder whose `curves.json` (if present)
    is loaded at construction; `io_save_dir`: a folder where `curves.json` is rewritten atomically after
    every added curve. A damaged file raises ValueError at construction, before anything is written.
    """

    def __init__(self, *, burn_in: int, min_input_size: int,
                 io_save_dir: str | os.PathLike[str] | None = None,
                 io_load_dir: str | os.PathLike[str] | None = None) -> None:
        if burn_in < 0:
            raise ValueError(f"burn_in must be >= 0, got {burn_in}")
        if min_input_size < 1:
            raise ValueError(f"min_input_size must be >= 1, got {min_input_size}")
        self._burn_in = int(burn_in)
        self._min_input_size = int(min_input_size)
        self._io_save_dir = None if io_save_dir is None else Path(io_save_dir)
        self._store = CurveStore()
        self._stopped: set[tuple[float, ...]] = set()
        if io_load_dir is not None and (Path(io_load_dir) / FILE_NAME).exists():
            self._store = CurveStore.load(Path(io_load_dir) / FILE_NAME)

    # ---- the data --------------------------------------------------------------------------------

    @property
    def burn_in(self) -> int:
        return self._burn_in

    @property
    def min_input_size(self) -> int:
        return self._min_input_size

    @property
    def curves_number(self) -> int:
        """Number of finished curves learned from."""
        return len(self._store)

    @property
    def curve_length(self) -> int:
        """Epochs of the longest finished curve (curves may differ in length), 0 before any."""
        return self._store.max_length

    @property
    def curves(self) -> tuple[npt.NDArray[np.float64], ...]:
        """The finished curves, oldest first."""
        return self._store.curves

    @property
    def values(self) -> npt.NDArray[np.float64]:
        """(curves_number,) the value recorded with each finished curve."""
        return self._store.values

    def best_value(self) -> float | None:
        """The best value among the finished curves, None before any."""
        return float(np.max(self._store.values)) if len(self._store) else None

    def add_curve(self, curve: CurveLike, value: float | None = None) -> None:
        """Learn from a finished curve; `value` is its final (reduced) value, by default its last value."""
        self._store.add(curve, value)
        self._data_changed()
        if self._io_save_dir is not None:
            self.save(self._io_save_dir / FILE_NAME)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the finished curves to a JSON file, atomically (temporary file + rename)."""
        self._store.save(path)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Replace the finished curves with those of a file written by `save` (ValueError if damaged)."""
        self._store = CurveStore.load(path)
        self._data_changed()

    def _data_changed(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """Hook: the finished curves changed (subclasses drop their caches)."""

    # ---- predictions -----------------------------------------------------------------------------

    @abstractmethod
    def predictive(self, curve: CurveLike) -> tuple[float, float] | None:
        """(mean, std) of a Gaussian summary of the curve's final value, None when it cannot predict yet."""

    def predict(self, curve: CurveLike) -> tuple[float, float] | None:
        """(expected final value, error), None when it cannot predict yet. Error: two predictive stds."""
        summary = self.predictive(curve)
        return None if summary is None else (summary[0], 2.0 * summary[1])

    def prob_exceeds(self, curve: CurveLike, threshold: float) -> float | None:
        """P(final value > threshold) under the Gaussian summary, None when it cannot predict yet."""
        threshold = as_value(threshold, "threshold")
        summary = self.predictive(curve)
        if summary is None:
            return None
        mean, std = summary
        if std <= 0.0:
            return 1.0 if mean > threshold else 0.0
        return 0.5 * math.erfc((threshold - mean) / (std * math.sqrt(2.0)))

    @abstractmethod
    def should_stop(self, curve: CurveLike, best_so_far: float | None) -> bool:
        """True when the running `curve` is not worth finishing, given the best final value so far."""

    # ---- the original solver's callables ---------------------------------------------------------

    def stop_condition(self) -> Callable[[CurveLike], bool]:
        """A callable for a training loop: stop this curve now? (against the best finished value)."""

        def condition(curve: CurveLike) -> bool:
            array = as_curve(curve)
            stop = self.should_stop(array, self.best_value())
            if stop:
                self._stopped.add(tuple(array.tolist()))
            return stop

        return condition

    def result_metric(self) -> Callable[[CurveLike], float]:
        """A callable reducing a run's curve to its result, as the original solver did.

        A curve that `stop_condition()` stopped gets its predicted final value (its max if no prediction
        is possible); a finished curve is learned from with its max as value, and that max is returned.
        """

        def metric(curve: CurveLike) -> float:
            array = as_curve(curve, allow_empty=False)
            key = tuple(array.tolist())
            if key in self._stopped:
                self._stopped.discard(key)
                prediction = self.predict(array)
                return float(np.max(array)) if prediction is None else prediction[0]
            result = float(np.max(array))
            self.add_curve(array, result)
            return result

        return metric
