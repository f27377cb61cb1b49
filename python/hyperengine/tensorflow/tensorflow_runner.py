"""The TF1-style graph binding: find a model's tensors by name and feed it batches through a session."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..model.base_runner import BaseRunner
from ._import import require_tensorflow

require_tensorflow()

import tensorflow as tf

v1 = tf.compat.v1


class TensorflowRunner(BaseRunner):
    """Runs a ``tf.Graph`` built with ``tf.compat.v1`` whose tensors carry agreed names.

    - ``input`` and ``label``: the placeholders fed with ``batch_x`` and ``batch_y`` (required);
    - ``mode``: an optional string placeholder fed 'train' or 'test' (for dropout, batch norm...);
    - ``loss`` and ``accuracy``: optional scalar tensors that ``evaluate`` reports;
    - ``train``: the training op (``optimizer.minimize(loss, name='minimize')``) (required);
    - an op named 'initializer', if the graph has one, initializes the variables instead of
      ``global_variables_initializer``.

    ``extra_feed`` maps more placeholders (tensors or names) to values, or to ``{'train': v, 'test': w}``
    for a value that depends on the mode (e.g. a keep probability); a mode missing from such a dict is not
    fed, so a ``placeholder_with_default`` keeps its default.
    ``model`` is the graph; None means the current default graph (for code that disabled eager execution).
    """

    def __init__(
        self,
        model: Any = None,
        extra_feed: Mapping[Any, Any] | None = None,
        input: str = "input",
        label: str = "label",
        mode: str = "mode",
        loss: str = "loss",
        accuracy: str = "accuracy",
        train: str = "minimize",
    ) -> None:
        graph = model if model is not None else v1.get_default_graph()
        if not isinstance(graph, tf.Graph):
            raise TypeError(
                f"model must be a tf.Graph or None (the default graph), got {type(graph).__name__}"
            )
        self.graph = graph
        self._x = self._tensor(input, "input", required=True)
        self._y = self._tensor(label, "label", required=True)
        self._mode = self._tensor(mode, "mode", required=False)
        self._loss = self._tensor(loss, "loss", required=False)
        self._accuracy = self._tensor(accuracy, "accuracy", required=False)
        self._train = self._operation(train, "train")
        self._extra_feed = {self._feed_key(key): value for key, value in (extra_feed or {}).items()}
        with graph.as_default():
            self._initializer = self._find_operation("initializer") or v1.global_variables_initializer()
        self._session: Any = None

    def _tensor(self, name: str, role: str, *, required: bool) -> Any:
        try:
            return self.graph.get_tensor_by_name(f"{name}:0")
        except (KeyError, ValueError):
            if not required:
                return None
            raise ValueError(
                f"TensorflowRunner: the graph has no tensor named {name!r} (the {role}); "
                f"add name={name!r} where it is defined, or pass {role}='<its name>'"
            ) from None

    def _find_operation(self, name: str) -> Any:
        try:
            return self.graph.get_operation_by_name(name)
        except (KeyError, ValueError):
            return None

    def _operation(self, name: str, role: str) -> Any:
        operation = self._find_operation(name)
        if operation is None:
            raise ValueError(
                f"TensorflowRunner: the graph has no op named {name!r} (the {role} op); "
                f"use optimizer.minimize(loss, name={name!r}) or pass {role}='<its name>'"
            )
        return operation

    def _feed_key(self, key: Any) -> Any:
        return self._tensor(key, "extra_feed entry", required=True) if isinstance(key, str) else key

    def init(self, **kwargs: Any) -> None:
        """Initialize the variables in ``session`` (the solver passes ``session=``)."""
        self._session = kwargs["session"]
        self._session.run(self._initializer)

    def _feed(self, batch_x: np.ndarray, batch_y: np.ndarray, mode: str) -> dict[Any, Any]:
        feed: dict[Any, Any] = {self._x: batch_x, self._y: batch_y}
        if self._mode is not None:
            feed[self._mode] = mode
        for key, value in self._extra_feed.items():
            if not isinstance(value, Mapping):
                feed[key] = value
            elif mode in value:
                feed[key] = value[
                    mode
                ]  # a per-mode value; a mode it leaves out is not fed (the default applies)
        return feed

    def run_batch(self, batch_x: np.ndarray, batch_y: np.ndarray) -> None:
        self._session.run(self._train, feed_dict=self._feed(batch_x, batch_y, "train"))

    def evaluate(self, batch_x: np.ndarray, batch_y: np.ndarray) -> dict[str, Any]:
        fetches = {
            name: tensor
            for name, tensor in (("loss", self._loss), ("accuracy", self._accuracy))
            if tensor is not None
        }
        if not fetches:
            return {}
        values = self._session.run(fetches, feed_dict=self._feed(batch_x, batch_y, "test"))
        return {name: float(value) for name, value in values.items()}

    def model_size(self) -> int:
        """The number of trainable scalars in the graph."""
        variables = self.graph.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES)
        return sum(math.prod(variable.shape.as_list()) for variable in variables)
