"""Every example runs end to end with a tiny budget, and its search actually finds a decent model."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_study(study: object, trials: int, floor: float) -> None:
    finished = [trial for trial in study.trials if trial.state in ("complete", "pruned")]  # type: ignore[attr-defined]
    assert len(study.trials) == trials and finished  # type: ignore[attr-defined]
    assert math.isfinite(study.best_value) and study.best_value > floor  # type: ignore[attr-defined]


def test_sklearn_ask_tell() -> None:
    pytest.importorskip("sklearn")
    study = load_example("sklearn_ask_tell").main(trials=6, verbose=False)
    check_study(study, 6, 0.9)
    assert set(study.best_params) == {"C", "gamma"}


@pytest.mark.tensorflow
def test_keras_digits_demo(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tensorflow")
    study = load_example("keras_digits").main(trials=3, epochs=2)
    check_study(study, 3, 0.5)
    output = capsys.readouterr().out
    assert output.count("trial ") == 3 and "test_accuracy=" in output


@pytest.mark.tensorflow
def test_keras_cnn_nested_spec() -> None:
    pytest.importorskip("tensorflow")
    study = load_example("keras_cnn_nested_spec").main(trials=2, epochs=2, verbose=False)
    check_study(study, 2, 0.3)
    conv = study.best_params["conv"]
    assert len(conv["filters"]) == 3 and all(len(layer) == 3 for layer in conv["filters"])
    assert conv["down_sample"]["size"] == [2, 2] and study.best_params["optimizer"]["epsilon"] == 1e-8


@pytest.mark.tensorflow
def test_tf1_graph() -> None:
    pytest.importorskip("tensorflow")
    study = load_example("tf1_graph").main(trials=3, epochs=2, verbose=False)
    check_study(study, 3, 0.5)
