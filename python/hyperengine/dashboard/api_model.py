"""The GP's view of a study for the dashboard: a slice per parameter and the parameter importances.

The same computations as `hyperengine.visualization` (gp_slice, param_importances), sent as JSON. Each study is
loaded once and kept: every request only reads the trials told since the last one (the study's incremental
sync), and the answer is recomputed only when the set of finished trials changed.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from hyperengine.storage import BaseStorage, TrialState

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


class ModelViews:
    """Per study: the loaded Study, and the last answer with the number of finished trials it was made from."""

    def __init__(self, storage: BaseStorage) -> None:
        self._storage = storage
        self._studies: dict[str, Any] = {}
        self._answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def model(self, name: str) -> dict[str, Any]:
        """{"slices": [...], "importances": {name: share}, "note": str}; a note alone when there is no model yet."""
        with self._lock:
            study = self.study(name)
            trials = study.trials
            finished = sum(1 for trial in trials if trial.state in FINISHED and trial.value is not None)
            cached = self._answers.get(name)
            if cached is not None and cached[0] == finished:
                return cached[1]
            try:
                answer = _model_of(study, trials)
            except ValueError as reason:  # too few trials, or a strategy without a GP: say so on the page
                answer = {"slices": [], "importances": {}, "note": str(reason)}
            self._answers[name] = (finished, answer)
            return answer

    def study(self, name: str) -> Any:
        """The Study this view keeps for `name` (loaded on first use)."""
        study = self._studies.get(name)
        if study is None:
            from hyperengine.study.studies import load_study

            study = self._studies[name] = load_study(name, self._storage)
        return study


def _model_of(study: Any, trials: list[Any]) -> dict[str, Any]:
    from hyperengine.visualization.importance import param_importances
    from hyperengine.visualization.parameters import parameter_axes
    from hyperengine.visualization.slice import gp_slice

    axes = parameter_axes(study.parsed_spec)
    finished = [(trial.point, trial.value) for trial in trials if trial.state in FINISHED and trial.value is not None]
    points = np.array([point for point, _ in finished]).reshape(-1, study.parsed_spec.size())
    values = [float(value) for _, value in finished]
    slices = []
    for axis in axes:
        data = gp_slice(study, axis)
        active = [study.parsed_spec.active(point)[axis.index] for point in points]
        coordinates = axis.coordinates(points[:, axis.index]) if len(points) else np.empty(0)
        slices.append({
            "param": axis.name,
            "kind": "categorical" if axis.is_categorical else ("discrete" if axis.is_discrete else "continuous"),
            "log": axis.log_scale,
            "x": _labels(axis, data.coordinates),
            "mean": data.mean.tolist(),
            "std": data.std.tolist(),
            "points": {"x": _labels(axis, coordinates[active]),
                       "y": [value for value, shown in zip(values, active, strict=True) if shown]},
        })
    importances = param_importances(study)
    return {"slices": slices, "importances": dict(sorted(importances.items(), key=lambda item: item[1])),
            "note": f"GP on {len(values)} finished trials; the other parameters held at the best trial"}


def _labels(axis: Any, coordinates: np.ndarray) -> list[Any]:
    """Plot coordinates as the page's x values: category names for a categorical axis."""
    if axis.is_categorical:
        return [axis.labels[int(c)] for c in coordinates]
    return [float(c) for c in coordinates]
