"""Saving and loading the model itself: a Keras ``.keras`` file or a TF1 checkpoint, next to the JSON files of
``hyperengine.model.ModelIO`` (hyper-parameters and results)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model.model_io import ModelIO
from ._import import require_tensorflow

require_tensorflow()

import keras
import tensorflow as tf

KERAS_MODEL_FILE = "model.keras"
CHECKPOINT_PREFIX = "session.ckpt"


class KerasModelIO(ModelIO):
    """Model I/O for Keras 3: the whole model (architecture, weights, optimizer state) in ``model.keras``."""

    def save_model(self, model: Any, directory: Path | None = None) -> Path:
        """Save ``model`` to ``<directory or save_dir>/model.keras``; returns the file."""
        path = self._target(directory) / KERAS_MODEL_FILE
        model.save(path)
        return path

    def saved_model_path(self, directory: Path | None = None) -> Path | None:
        """The model file in ``directory`` (default ``load_dir``), or None when there is none."""
        source = directory if directory is not None else self.load_dir
        if source is None or not (source / KERAS_MODEL_FILE).exists():
            return None
        return source / KERAS_MODEL_FILE

    def load_weights(self, model: Any, directory: Path | None = None) -> bool:
        """Copy the weights saved in ``directory`` (default ``load_dir``) into ``model``, which must have the
        same architecture; its own compile settings (optimizer, learning rate) are kept, which is what
        fine-tuning with new hyper-parameters needs. Returns whether there was a model to load."""
        path = self.saved_model_path(directory)
        if path is None:
            return False
        saved = keras.models.load_model(path, compile=False)
        try:
            model.set_weights(saved.get_weights())
        except ValueError as error:
            raise ValueError(
                f"the model saved in {path} does not have the architecture of the model built"
            ) from error
        return True


class TensorflowModelIO(ModelIO):
    """Model I/O for TF1-style graphs: the variables of the session's graph in a ``session.ckpt`` checkpoint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._savers: dict[int, Any] = {}

    def _saver(self, session: Any) -> Any:
        """One Saver per graph, made in that graph (after its variables), never in the global default graph."""
        graph = session.graph
        if id(graph) not in self._savers:
            with graph.as_default():
                self._savers[id(graph)] = tf.compat.v1.train.Saver()
        return self._savers[id(graph)]

    def prepare(self, session: Any) -> None:
        """Build the Saver's ops before training starts (call when ``save_dir`` or ``load_dir`` is set)."""
        self._saver(session)

    def save_session(self, session: Any, directory: Path | None = None) -> Path:
        """Save the session's variables; returns the checkpoint prefix."""
        prefix = self._target(directory) / CHECKPOINT_PREFIX
        self._saver(session).save(session, str(prefix))
        return prefix

    def load_session(self, session: Any, directory: Path | None = None) -> bool:
        """Restore the variables saved in ``directory`` (default ``load_dir``); returns whether there were any."""
        source = directory if directory is not None else self.load_dir
        if source is None or tf.train.latest_checkpoint(str(source)) is None:
            return False
        self._saver(session).restore(session, str(source / CHECKPOINT_PREFIX))
        return True
