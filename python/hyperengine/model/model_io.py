"""Where a trained model, its hyper-parameters and its results live on disk.

``ModelIO`` handles the framework-agnostic part (directories, the ``{date}``/``{random_id}`` template, the
JSON files); the framework bindings add the model itself (a Keras ``.keras`` file, a TF checkpoint).
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from pathlib import Path
from typing import Any

from .curve_monitor import Direction

RESULTS_FILE = "results.json"
HYPER_PARAMS_FILE = "hyper_params.json"


def expand_save_dir(template: str | os.PathLike[str]) -> Path:
    """The directory named by ``template`` with ``{date}`` (local time, to the second) and ``{random_id}``
    (8 hex digits, independent of any seeding) filled in; e.g. ``'zoo/digits-{date}-{random_id}'``."""
    fields = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d-%H%M%S"),
        "random_id": uuid.uuid4().hex[:8],
    }
    try:
        return Path(os.fspath(template).format_map(fields))
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"save_dir template {os.fspath(template)!r} is invalid ({error!r}); "
            "the only fields are {date} and {random_id}"
        ) from error


def _to_json(value: Any) -> Any:
    """JSON form of the values hyper-parameters hold: numpy scalars and arrays, paths, plain objects."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "__dict__"):
        return {key: item for key, item in vars(value).items() if not key.startswith("_")}
    raise TypeError(f"cannot save a value of type {type(value).__name__} as JSON")


class ModelIO:
    """Saves results and hyper-parameters under ``save_dir`` and reads them back from ``load_dir``.

    ``save_dir`` may hold the ``{date}`` and ``{random_id}`` template fields; it is expanded once, when the
    ModelIO is made, so one training run writes to one directory. Nothing is saved unless ``save_dir`` is
    given and a run's validation value reaches ``save_accuracy_limit`` when one is set (see ``should_save``).
    """

    def __init__(
        self,
        save_dir: str | os.PathLike[str] | None = None,
        load_dir: str | os.PathLike[str] | None = None,
        save_accuracy_limit: float | None = None,
    ) -> None:
        self.save_dir: Path | None = expand_save_dir(save_dir) if save_dir is not None else None
        self.load_dir: Path | None = Path(load_dir) if load_dir is not None else None
        if self.load_dir is not None and not self.load_dir.is_dir():
            raise FileNotFoundError(f"load_dir {self.load_dir} does not exist or is not a directory")
        self.save_accuracy_limit = None if save_accuracy_limit is None else float(save_accuracy_limit)

    def should_save(self, value: float, direction: Direction = "maximize") -> bool:
        """Whether a model with this validation value is worth saving: there is a ``save_dir`` and the value
        reaches ``save_accuracy_limit`` (at least it when maximizing, at most it when minimizing)."""
        if self.save_dir is None:
            return False
        if self.save_accuracy_limit is None:
            return True
        return (
            value >= self.save_accuracy_limit
            if direction == "maximize"
            else value <= self.save_accuracy_limit
        )

    def _target(self, directory: Path | None) -> Path:
        target = directory if directory is not None else self.save_dir
        if target is None:
            raise ValueError("ModelIO: no save_dir was given, so there is nowhere to save")
        target.mkdir(parents=True, exist_ok=True)
        return target

    def save_results(self, results: dict[str, Any], directory: Path | None = None) -> Path:
        """Write ``results`` (accuracy, loss, model size...) to ``results.json``; returns the file."""
        path = self._target(directory) / RESULTS_FILE
        path.write_text(json.dumps(results, default=_to_json, indent=2, sort_keys=True))
        return path

    def save_hyper_params(self, hyper_params: Any, directory: Path | None = None) -> Path:
        """Write the hyper-parameters to ``hyper_params.json``; returns the file."""
        path = self._target(directory) / HYPER_PARAMS_FILE
        path.write_text(json.dumps(hyper_params, default=_to_json, indent=2, sort_keys=True))
        return path

    def load_results(self, directory: Path | None = None) -> dict[str, Any]:
        """The saved results from ``directory`` (default ``load_dir``); empty when there are none."""
        return self._load(directory, RESULTS_FILE)

    def load_hyper_params(self, directory: Path | None = None) -> dict[str, Any]:
        """The saved hyper-parameters from ``directory`` (default ``load_dir``); empty when there are none."""
        return self._load(directory, HYPER_PARAMS_FILE)

    def _load(self, directory: Path | None, filename: str) -> dict[str, Any]:
        source = directory if directory is not None else self.load_dir
        if source is None or not (source / filename).exists():
            return {}
        loaded = json.loads((source / filename).read_text())
        if not isinstance(loaded, dict):
            raise TypeError(f"{source / filename} does not hold a JSON object")
        return loaded
