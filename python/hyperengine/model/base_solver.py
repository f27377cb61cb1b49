"""The framework-agnostic training loop: batches, per-epoch validation, early stopping, the final score."""

from __future__ import annotations

import contextlib
import logging
import math
import numbers
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .base_runner import BaseRunner
from .curve_monitor import CurveMonitor, Direction, DynamicEpochs, StopCondition, TrialLike, updated_epochs
from .data_set import Data, DataSet
from .reducers import Reducer, resolve_reducer

logger = logging.getLogger(__name__)

Augmentation = Callable[[np.ndarray], np.ndarray | None]


def _positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _weighted_mean(results: list[dict[str, Any]], sizes: list[int]) -> dict[str, Any]:
    """Merge per-chunk evaluations: numeric entries are averaged weighted by chunk size, others listed."""
    merged: dict[str, Any] = {}
    total = sum(sizes)
    for key in results[0]:
        values = [result.get(key) for result in results]
        numeric = [float(value) for value in values if isinstance(value, numbers.Real)]
        if len(numeric) == len(values):
            merged[key] = sum(v * n for v, n in zip(numeric, sizes, strict=True)) / total
        else:
            merged[key] = values
    return merged


class BaseSolver:
    """Trains one model through a ``BaseRunner`` and returns its score, as the original ``BaseSolver``.

    ``train()`` loops over training batches (optionally ``augmentation(batch_x)``), evaluates the validation
    set at the end of every epoch (or every ``eval_validation_every`` steps when ``eval_flexible=False``),
    tracks the curve of ``metric`` (default 'accuracy'), applies ``dynamic_epochs`` and the stop rules
    (``stop_condition(curve)``, ``trial.should_stop()``), evaluates the test set at the end when
    ``evaluate_test``, and returns ``reducer(curve)``: 'max' (default when maximizing), 'min' (default when
    minimizing), 'avg', 'last' or a callable(curve) -> float.

    Give ``trial`` (anything with ``report(value, step)`` and ``should_stop()``, e.g. a hyperengine trial)
    to report each validation value and stop when the study's learning-curve predictor says so.
    Subclasses hook in through ``create_session``, ``init_session`` and ``on_best_accuracy``.
    """

    def __init__(
        self,
        runner: BaseRunner,
        data: Data,
        hyper_params: Any = None,
        augmentation: Augmentation | None = None,
        reducer: str | Reducer | None = None,
        *,
        epochs: int = 1,
        batch_size: int = 16,
        eval_batch_size: int | None = None,
        eval_flexible: bool = True,
        eval_train_every: int = 10,
        eval_validation_every: int = 100,
        evaluate_test: bool = False,
        stop_condition: StopCondition | None = None,
        dynamic_epochs: DynamicEpochs | None = None,
        trial: TrialLike | None = None,
        metric: str = "accuracy",
        direction: Direction = "maximize",
    ) -> None:
        if not isinstance(runner, BaseRunner):
            raise TypeError(f"runner must be a BaseRunner, got {type(runner).__name__}")
        if not isinstance(data, Data):
            raise TypeError(f"data must be a hyperengine.model.Data, got {type(data).__name__}")
        if evaluate_test and data.test is None:
            raise ValueError("evaluate_test=True but data.test is None")
        if augmentation is not None and not callable(augmentation):
            raise TypeError(f"augmentation must be a callable(batch_x) -> batch_x, got {augmentation!r}")
        self._runner = runner
        self._data = data
        self.hyper_params = hyper_params
        self._augmentation = augmentation
        self._reducer = resolve_reducer(reducer or ("max" if direction == "maximize" else "min"))
        self.epochs = _positive_int("epochs", epochs)
        self._batch_size = _positive_int("batch_size", batch_size)
        self._eval_batch_size = (
            None if eval_batch_size is None else _positive_int("eval_batch_size", eval_batch_size)
        )
        self._eval_flexible = eval_flexible
        self._eval_train_every = _positive_int("eval_train_every", eval_train_every)
        self._eval_validation_every = _positive_int("eval_validation_every", eval_validation_every)
        self._evaluate_test_set = evaluate_test
        self._dynamic_epochs = dynamic_epochs
        self._metric = metric
        self.monitor = CurveMonitor(trial=trial, stop_condition=stop_condition, direction=direction)
        self.test_result: dict[str, Any] | None = None

    @property
    def curve(self) -> list[float]:
        """The validation values of the last ``train()``, one per evaluation."""
        return self.monitor.curve

    @property
    def stopped_early(self) -> bool:
        """Whether the last ``train()`` was cut short by a stop rule."""
        return self.monitor.stopped_early

    def create_session(self) -> contextlib.AbstractContextManager[Any]:
        """A context that holds the framework session for the whole run (none by default)."""
        return contextlib.nullcontext()

    def init_session(self, session: Any) -> float | None:
        """Prepare the model after initialization (e.g. load saved weights); return the validation value
        of a loaded model, which the run must beat before ``on_best_accuracy`` fires, or None."""
        return None

    def on_best_accuracy(self, accuracy: float, eval_result: dict[str, Any]) -> None:
        """Called each time the validation value improves (e.g. to save the model)."""

    def terminate(self) -> None:
        """Release the runner's resources; call once after the last ``train()``."""
        self._runner.terminate()

    def augment(self, batch_x: np.ndarray) -> np.ndarray:
        """Apply the augmentation to one training batch (an augmentation returning None works in place)."""
        if self._augmentation is None:
            return batch_x
        augmented = self._augmentation(batch_x)
        return batch_x if augmented is None else augmented

    def train(self) -> float:
        """Run the training loop and return the reduced validation curve."""
        self._data.reset_counters()
        train_set = self._data.train
        with self.create_session() as session:
            self._runner.build_model(session=session)
            self._runner.init(session=session)
            self.monitor.curve = []
            self.monitor.stop_reason = None
            self.monitor.best = self.init_session(session)
            while train_set.epochs_completed < self.epochs:
                batch_x, batch_y = train_set.next_batch(self._batch_size)
                batch_x = self.augment(batch_x)
                self._runner.run_batch(batch_x, batch_y)
                if self._train_evaluation_due() and logger.isEnabledFor(logging.INFO):
                    self._log("train", self._runner.evaluate(batch_x, batch_y), improved=False)
                if self._validation_due() and self._validate():
                    logger.info("training stopped early: %s", self.monitor.stop_reason)
                    break
            if self._evaluate_test_set:
                self.test_result = self.evaluate_test()
        return self._reducer(self.monitor.curve)

    def evaluate_test(self) -> dict[str, Any]:
        """Evaluate the test set with the current model."""
        assert self._data.test is not None
        result = self.evaluate(self._data.test)
        logger.info("test %s", _format(result))
        return result

    def evaluate(self, data_set: DataSet) -> dict[str, Any]:
        """Evaluate a whole data set, in chunks of ``eval_batch_size`` rows when given."""
        chunk = self._eval_batch_size or data_set.size
        if chunk >= data_set.size:
            return self._runner.evaluate(data_set.x, data_set.y)
        ranges = list(batches(data_set.size, chunk))
        results = [
            self._runner.evaluate(data_set.x[start:stop], data_set.y[start:stop]) for start, stop in ranges
        ]
        return _weighted_mean(results, [stop - start for start, stop in ranges])

    def _train_evaluation_due(self) -> bool:
        return not self._eval_flexible and self._data.train.step % self._eval_train_every == 0

    def _validation_due(self) -> bool:
        if self._eval_flexible:
            return self._data.train.just_completed
        return self._data.train.step % self._eval_validation_every == 0

    def _validate(self) -> bool:
        """Evaluate the validation set, record the value; True when training must stop."""
        result = self.evaluate(self._data.validation)
        if self._metric not in result:
            raise KeyError(
                f"the runner's evaluate() returned {sorted(result)} without the metric {self._metric!r}"
            )
        value = float(result[self._metric])
        improved = math.isfinite(value) and self.monitor.is_better(value)
        self._log("validation", result, improved)
        stop = self.monitor.record(value)
        if improved:
            self.on_best_accuracy(value, result)
        if self._dynamic_epochs is not None and self.monitor.curve:
            best = self.monitor.best if self.monitor.best is not None else value
            self.epochs = updated_epochs(self._dynamic_epochs, self.monitor.curve, best, self.epochs)
        return stop

    def _log(self, name: str, result: dict[str, Any], improved: bool) -> None:
        train_set = self._data.train
        logger.info(
            "epoch %d, step %d: %s %s%s",
            train_set.epochs_completed,
            train_set.step,
            name,
            _format(result),
            " *" if improved else "",
        )


def _format(result: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value:.4f}" for key, value in result.items() if isinstance(value, numbers.Real))


def batches(size: int, batch_size: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` row ranges that cover ``size`` rows in chunks of ``batch_size``."""
    for start in range(0, size, batch_size):
        yield start, min(start + batch_size, size)
