"""The training loop for TF1-style graphs: ``BaseSolver`` with a session, checkpoints and model I/O."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from ..model.base_solver import Augmentation, BaseSolver
from ..model.data_set import Data
from ..model.reducers import Reducer
from ._import import require_tensorflow
from .model_io import TensorflowModelIO
from .tensorflow_runner import TensorflowRunner

require_tensorflow()

import tensorflow as tf


class TensorflowSolver(BaseSolver):
    """Trains a ``tf.Graph`` (or a ``TensorflowRunner``) with the ``BaseSolver`` loop in its own
    ``tf.compat.v1.Session``; eager execution stays on for the rest of the process.

    Model I/O as in the original: with ``save_dir`` (``{date}``/``{random_id}`` templates allowed), each new
    best validation accuracy that reaches ``save_accuracy_limit`` saves a checkpoint, ``hyper_params.json``
    and ``results.json``; with ``load_dir`` the variables are restored after initialization (to fine-tune)
    and the saved accuracy must be beaten before saving again. ``evaluate_test`` restores the best saved
    checkpoint first. The other keyword arguments are those of ``BaseSolver`` (epochs, batch_size, trial...).
    """

    def __init__(
        self,
        data: Data,
        model: Any = None,
        hyper_params: Any = None,
        augmentation: Augmentation | None = None,
        model_io: TensorflowModelIO | None = None,
        reducer: str | Reducer | None = None,
        *,
        save_dir: str | os.PathLike[str] | None = None,
        load_dir: str | os.PathLike[str] | None = None,
        save_accuracy_limit: float | None = None,
        **params: Any,
    ) -> None:
        runner = model if isinstance(model, TensorflowRunner) else TensorflowRunner(model)
        if model_io is not None and (
            save_dir is not None or load_dir is not None or save_accuracy_limit is not None
        ):
            raise ValueError("give either model_io or save_dir/load_dir/save_accuracy_limit, not both")
        super().__init__(runner, data, hyper_params, augmentation, reducer, **params)
        self._graph = runner.graph
        self.model_io = model_io or TensorflowModelIO(save_dir, load_dir, save_accuracy_limit)
        self._session: Any = None
        self._saved = False

    def create_session(self) -> contextlib.AbstractContextManager[Any]:
        self._session = tf.compat.v1.Session(graph=self._graph)
        self._saved = False
        return self._session  # type: ignore[no-any-return]

    def init_session(self, session: Any) -> float | None:
        if self.model_io.save_dir is not None or self.model_io.load_dir is not None:
            self.model_io.prepare(session)
        if not self.model_io.load_session(session):
            return None
        accuracy = self.model_io.load_results().get("validation_accuracy")
        return None if accuracy is None else float(accuracy)

    def on_best_accuracy(self, accuracy: float, eval_result: dict[str, Any]) -> None:
        if not self.model_io.should_save(accuracy, self.monitor.direction):
            return
        results = {
            f"validation_{key}": value for key, value in eval_result.items() if isinstance(value, float)
        }
        results.update(validation_accuracy=accuracy, model_size=self._runner.model_size())
        self.model_io.save_results(results)
        self.model_io.save_hyper_params(self.hyper_params)
        self.model_io.save_session(self._session)
        self._saved = True

    def evaluate_test(self) -> dict[str, Any]:
        if self._saved:
            self.model_io.load_session(self._session, self.model_io.save_dir)
        result = super().evaluate_test()
        if self._saved:
            saved = self.model_io.load_results(self.model_io.save_dir)
            saved.update({f"test_{key}": value for key, value in result.items() if isinstance(value, float)})
            self.model_io.save_results(saved)
        return result
