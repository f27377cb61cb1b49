"""Train a Keras 3 model built from hyper-parameters, report its validation curve and return its score."""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..model.curve_monitor import Direction, DynamicEpochs, StopCondition, TrialLike, updated_epochs
from ..model.reducers import Reducer, resolve_reducer
from ._import import require_tensorflow
from .keras_callback import TrialCallback, infer_direction
from .keras_data import AugmentedBatches, KerasData, Source
from .model_io import KerasModelIO
from .seeding import seed_everything

require_tensorflow()

import keras

logger = logging.getLogger(__name__)


def _positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class _SolverCallback(TrialCallback):
    """The solver's own callback: the trial/stop rules of ``TrialCallback`` plus saving and dynamic epochs."""

    def __init__(self, solver: KerasSolver, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._solver = solver
        self.epochs_seen = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        super().on_epoch_end(epoch, logs)
        self.epochs_seen = epoch + 1
        self._solver.update_epochs(self)

    def on_improvement(self, epoch: int, value: float, logs: dict[str, Any]) -> None:
        self._solver.save_if_worth_it(epoch, value, logs)


class KerasSolver:
    """Builds a Keras model with ``build_model(hyper_params)``, fits it, and returns ``reducer(curve)`` where the
    curve holds ``monitor`` (default 'val_accuracy') after every epoch.

    - ``data``: a ``hyperengine.model.Data``, a dict with 'train', 'validation' and optional 'test', or a
      tuple ``(train, validation[, test])``; each part is ``(x, y)`` numpy arrays, a ``DataSet`` or a batched
      ``tf.data.Dataset``.
    - ``build_model`` returns a compiled model, or an uncompiled one plus ``compile={...}`` (the keyword
      arguments of ``model.compile``). Compile with the metric you monitor (``metrics=['accuracy']``).
    - Early stopping: ``stop_condition(curve)`` (e.g. ``LinearCurvePredictor.stop_condition()``) and
      ``trial.should_stop()`` of a hyperengine trial, which also receives ``trial.report(value, epoch)``.
    - ``dynamic_epochs(curve | best | (curve, best)) -> int`` changes the epoch budget while training.
    - Model I/O: with ``save_dir`` (``{date}``/``{random_id}`` templates allowed), the best model is saved as
      ``model.keras`` with ``hyper_params.json`` and ``results.json`` whenever the monitored value improves
      and reaches ``save_accuracy_limit``; with ``load_dir`` the built model starts from saved weights (to
      fine-tune) and must beat the saved result before it is saved again.
    - ``evaluate_test``: evaluate the test data at the end, on the best saved model when one was saved.
    - ``seed``: seeds Python, numpy, TensorFlow and Keras before the model is built.

    After ``train()``: ``model``, ``curve``, ``best``, ``stopped_early``, ``stop_reason``, ``test_result``.
    """

    def __init__(
        self,
        build_model: Callable[[Any], Any],
        data: Any,
        hyper_params: Any = None,
        *,
        compile: Mapping[str, Any] | None = None,
        epochs: int = 10,
        batch_size: int = 32,
        eval_batch_size: int | None = None,
        evaluate_test: bool = False,
        augmentation: Callable[[Any], Any] | None = None,
        reducer: str | Reducer | None = None,
        monitor: str = "val_accuracy",
        direction: Direction | None = None,
        stop_condition: StopCondition | None = None,
        dynamic_epochs: DynamicEpochs | None = None,
        trial: TrialLike | None = None,
        callbacks: Sequence[Any] = (),
        save_dir: str | os.PathLike[str] | None = None,
        load_dir: str | os.PathLike[str] | None = None,
        save_accuracy_limit: float | None = None,
        model_io: KerasModelIO | None = None,
        seed: int | None = None,
        verbose: int = 0,
    ) -> None:
        if not callable(build_model):
            raise TypeError(
                f"build_model must be a callable(hyper_params) -> keras.Model, got {build_model!r}"
            )
        self._build_model = build_model
        self._data = KerasData.of(data)
        if evaluate_test and self._data.test is None:
            raise ValueError("evaluate_test=True but the data has no test part")
        if augmentation is not None and not isinstance(self._data.train, tuple):
            raise ValueError(
                "augmentation works on (x, y) arrays; with a tf.data.Dataset, map the augmentation into the dataset"
            )
        if model_io is not None and (
            save_dir is not None or load_dir is not None or save_accuracy_limit is not None
        ):
            raise ValueError("give either model_io or save_dir/load_dir/save_accuracy_limit, not both")
        self.hyper_params = hyper_params
        self._compile = dict(compile) if compile is not None else None
        self.epochs = _positive_int("epochs", epochs)
        self._batch_size = _positive_int("batch_size", batch_size)
        self._eval_batch_size = (
            None if eval_batch_size is None else _positive_int("eval_batch_size", eval_batch_size)
        )
        self._evaluate_test = evaluate_test
        self._augmentation = augmentation
        self._monitor = monitor
        self._direction: Direction = direction or infer_direction(monitor)
        self._reducer = resolve_reducer(reducer or ("max" if self._direction == "maximize" else "min"))
        self._stop_condition = stop_condition
        self._dynamic_epochs = dynamic_epochs
        self._trial = trial
        self._callbacks = list(callbacks)
        self.model_io = model_io or KerasModelIO(save_dir, load_dir, save_accuracy_limit)
        self._seed = seed
        self._verbose = verbose
        self.model: Any = None
        self._callback: _SolverCallback | None = None
        self._saved = False
        self.test_result: dict[str, float] | None = None

    @property
    def curve(self) -> list[float]:
        """The monitored validation value after each epoch of the last ``train()``."""
        return self._callback.curve if self._callback is not None else []

    @property
    def best(self) -> float | None:
        """The best monitored value of the last ``train()`` (or of the loaded model, if it was not beaten)."""
        return self._callback.best if self._callback is not None else None

    @property
    def stopped_early(self) -> bool:
        """Whether a stop rule cut the last ``train()`` short."""
        return self._callback is not None and self._callback.stopped_early

    @property
    def stop_reason(self) -> str | None:
        """Which stop rule fired, or None."""
        return self._callback.curve_monitor.stop_reason if self._callback is not None else None

    def train(self) -> float:
        """Build, (load,) fit and (test-)evaluate the model; return the reduced validation curve."""
        if self._seed is not None:
            seed_everything(self._seed)
        model = self._make_model()
        initial_best = None
        if self.model_io.load_weights(model):
            initial_best = self.model_io.load_results().get(self._monitor)
            logger.info("loaded weights from %s (%s=%s)", self.model_io.load_dir, self._monitor, initial_best)
        self._saved = False
        self._callback = _SolverCallback(
            self,
            trial=self._trial,
            monitor=self._monitor,
            stop_condition=self._stop_condition,
            direction=self._direction,
            initial_best=initial_best,
        )
        self._fit(model)
        if self._evaluate_test:
            self.test_result = self._evaluate_test_data(model)
        return self._reducer(self.curve)

    def terminate(self) -> None:
        """Drop the trained model so its memory can be freed (``HyperTuner`` calls this after each trial)."""
        self.model = None

    def _make_model(self) -> Any:
        model = self._build_model(self.hyper_params)
        if not isinstance(model, keras.Model):
            raise TypeError(f"build_model must return a keras.Model, got {type(model).__name__}")
        if self._compile is not None:
            model.compile(**self._compile)
        elif not model.compiled:
            raise ValueError(
                "build_model returned an uncompiled model: compile it there or pass compile={...}"
            )
        self.model = model
        return model

    def _fit(self, model: Any) -> None:
        """Fit until the epoch budget is spent; a budget raised by ``dynamic_epochs`` resumes the fit."""
        assert self._callback is not None
        callback = self._callback
        train_arguments = self._train_arguments()
        validation: Source = self._data.validation
        while True:
            target = self.epochs
            model.fit(
                **train_arguments,
                validation_data=validation,
                validation_batch_size=self._eval_batch_size if isinstance(validation, tuple) else None,
                initial_epoch=callback.epochs_seen,
                epochs=target,
                callbacks=[callback, *self._callbacks],
                verbose=self._verbose,
            )
            if callback.stopped_early or callback.epochs_seen < target or self.epochs <= callback.epochs_seen:
                break
        if callback.stopped_early:
            logger.info("training stopped early after %d epochs: %s", callback.epochs_seen, self.stop_reason)

    def _train_arguments(self) -> dict[str, Any]:
        train = self._data.train
        if not isinstance(train, tuple):
            return {"x": train, "shuffle": False}  # a tf.data.Dataset shuffles itself
        x, y = train
        if self._augmentation is not None:
            batches = AugmentedBatches(x, y, self._batch_size, self._augmentation, seed=self._seed)
            return {"x": batches, "shuffle": False}  # the batches are shuffled each epoch
        return {"x": x, "y": y, "batch_size": self._batch_size, "shuffle": True}

    def update_epochs(self, callback: _SolverCallback) -> None:
        """Apply ``dynamic_epochs`` after an epoch; stop the fit when the new budget is already spent."""
        if self._dynamic_epochs is None or not callback.curve or callback.best is None:
            return
        self.epochs = updated_epochs(self._dynamic_epochs, callback.curve, callback.best, self.epochs)
        if callback.epochs_seen >= self.epochs:
            callback.model.stop_training = True

    def save_if_worth_it(self, epoch: int, value: float, logs: Mapping[str, Any]) -> None:
        """Save the model, its hyper-parameters and results when the new best value is good enough."""
        if not self.model_io.should_save(value, self._direction):
            return
        path = self.model_io.save_model(self.model)
        self.model_io.save_hyper_params(self.hyper_params)
        results = {key: float(item) for key, item in logs.items() if isinstance(item, numbers.Real)}
        results.update(
            {self._monitor: value, "epoch": epoch + 1, "model_size": int(self.model.count_params())}
        )
        self.model_io.save_results(results)
        self._saved = True
        logger.info("saved the model with %s=%.4f to %s", self._monitor, value, path)

    def _evaluate_test_data(self, model: Any) -> dict[str, float]:
        test = self._data.test
        assert test is not None
        if self._saved:
            self.model_io.load_weights(model, self.model_io.save_dir)
        if isinstance(test, tuple):
            result = model.evaluate(
                test[0], test[1], batch_size=self._eval_batch_size, return_dict=True, verbose=0
            )
        else:
            result = model.evaluate(test, return_dict=True, verbose=0)
        result = {key: float(value) for key, value in result.items()}
        if self._saved:
            saved = self.model_io.load_results(self.model_io.save_dir)
            saved.update({f"test_{key}": value for key, value in result.items()})
            self.model_io.save_results(saved)
        logger.info("test %s", result)
        return result
