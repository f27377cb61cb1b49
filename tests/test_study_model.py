"""Model-based test of the study on its storages: random sequences of ask / enqueue / report / tell with hostile
values, checked after every step against a plain model of what the study must contain (hypothesis stateful)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from hyperengine import create_study, spec
from hyperengine.storage import TrialState

HOSTILE = st.one_of(st.none(), st.booleans(), st.just("0.5"), st.just(math.nan), st.just(math.inf),
                    st.just(-math.inf), st.floats(-1e6, 1e6, allow_nan=False), st.integers(-1000, 1000))


def expected_value(value: Any) -> float | None:
    """What a tell of `value` must record: a finite real number, else None (a failed trial)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


class StudyMachine(RuleBasedStateMachine):
    backend = "memory"
    running = Bundle("running")

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        storage = None if self.backend == "memory" else f"sqlite:///{Path(self.folder.name) / 's.db'}"
        self.study = create_study({"x": spec.uniform(0.0, 1.0), "k": spec.choice([1, 2, 3])}, storage=storage,
                                  study_name="m", direction="minimize", strategy="random", seed=0)
        self.model: dict[int, dict[str, Any]] = {}  # number -> state, value, intermediate values
        self.queue: list[dict[str, Any]] = []

    def teardown(self) -> None:
        self.study.close()
        self.folder.cleanup()

    @rule(target=running)
    def ask(self) -> Any:
        trial = self.study.ask()
        assert trial.number == len(self.model) and trial.state is TrialState.RUNNING
        if self.queue:
            assert trial.params == self.queue.pop(0)
        self.model[trial.number] = {"state": TrialState.RUNNING, "value": None, "steps": {}}
        return trial

    @rule(x=st.floats(0.0, 1.0), k=st.sampled_from([1, 2, 3]))
    def enqueue(self, x: float, k: int) -> None:
        self.study.enqueue({"x": x, "k": k})
        self.queue.append({"x": x, "k": k})

    @rule(trial=running, value=HOSTILE, step=st.integers(-2, 5))
    def report(self, trial: Any, value: Any, step: int) -> None:
        entry = self.model[trial.number]
        valid = expected_value(value) is not None and step >= 0 and not isinstance(step, bool)
        if entry["state"] is not TrialState.RUNNING or not valid:
            with pytest.raises(ValueError):
                trial.report(value, step=step)
            return
        trial.report(value, step=step)
        entry["steps"][step] = float(value)

    @rule(trial=running, value=HOSTILE, state=st.sampled_from([None, "complete", "pruned", "failed"]))
    def tell(self, trial: Any, value: Any, state: str | None) -> None:
        entry = self.model[trial.number]
        if entry["state"] is not TrialState.RUNNING:
            # refused: as told already, or first for the value itself (a failed trial with a value, say)
            with pytest.raises(ValueError, match="already|a failed trial has no value|pruned trial's value"):
                self.study.tell(trial, value, state=state)
            return
        number = expected_value(value)
        if state == "failed" and value is not None:  # a failure has no result: refused, nothing changes
            with pytest.raises(ValueError, match="a failed trial has no value"):
                self.study.tell(trial, value, state=state)
            return
        if state == "pruned" and value is not None and number is None:
            with pytest.raises(ValueError, match="pruned trial's value"):
                self.study.tell(trial, value, state=state)
            return
        self.study.tell(trial, value, state=state)
        if state == "failed" or (state in (None, "complete") and number is None):
            entry["state"], entry["value"] = TrialState.FAILED, None
        else:
            entry["state"] = TrialState(state or "complete")
            entry["value"] = number

    @invariant()
    def the_study_holds_the_model(self) -> None:
        trials = self.study.trials
        assert [t.number for t in trials] == list(range(len(self.model)))
        for trial in trials:
            entry = self.model[trial.number]
            assert (trial.state, trial.value, trial.intermediate_values) == \
                (entry["state"], entry["value"], entry["steps"])
        complete = [e["value"] for e in self.model.values() if e["state"] is TrialState.COMPLETE]
        if complete:
            assert self.study.best_value == min(complete)
        fed = sum(e["state"] in (TrialState.COMPLETE, TrialState.PRUNED) and e["value"] is not None
                  for e in self.model.values())
        assert self.study.strategy.iteration == fed


class SqliteStudyMachine(StudyMachine):
    backend = "sqlite"


SETTINGS = settings(max_examples=20, stateful_step_count=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
TestStudyInMemory = StudyMachine.TestCase
TestStudyInMemory.settings = SETTINGS
TestStudyOnSqlite = SqliteStudyMachine.TestCase
TestStudyOnSqlite.settings = SETTINGS
