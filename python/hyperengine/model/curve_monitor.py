"""The learning curve of one training run: records each evaluation, reports it, and decides when to stop.

Every solver (the numpy loop of ``BaseSolver``, the Keras solver, the standalone Keras callback) feeds its
validation values through one ``CurveMonitor``, so the stop rules behave the same in every framework.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, runtime_checkable

Direction = Literal["maximize", "minimize"]
StopCondition = Callable[[Sequence[float]], bool]
DynamicEpochs = Callable[..., int | None]


@runtime_checkable
class TrialLike(Protocol):
    """What a solver needs from a trial: a sink for intermediate values and a pruning signal."""

    def report(self, value: float, step: int) -> None: ...

    def should_stop(self) -> bool: ...


class CurveMonitor:
    """Tracks the curve of one run and applies the stop rules in order: a non-finite value, the
    ``stop_condition(curve)``, then the ``trial.should_stop()`` of a hyperengine trial.

    Values are reported to the trial with ``step`` = the 0-based position in the curve.
    """

    def __init__(
        self,
        *,
        trial: TrialLike | None = None,
        stop_condition: StopCondition | None = None,
        direction: Direction = "maximize",
        initial_best: float | None = None,
    ) -> None:
        if direction not in ("maximize", "minimize"):
            raise ValueError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
        if trial is not None and not isinstance(trial, TrialLike):
            raise TypeError(
                f"trial must have report(value, step) and should_stop(), got {type(trial).__name__}"
            )
        if stop_condition is not None and not callable(stop_condition):
            raise TypeError(f"stop_condition must be a callable(curve) -> bool, got {stop_condition!r}")
        self.trial = trial
        self.stop_condition = stop_condition
        self.direction: Direction = direction
        self.best: float | None = initial_best
        self.curve: list[float] = []
        self.stop_reason: str | None = None

    @property
    def stopped_early(self) -> bool:
        """Whether a stop rule fired (the run did not go through all its epochs)."""
        return self.stop_reason is not None

    def is_better(self, value: float) -> bool:
        """Whether ``value`` beats the best value seen so far (or loaded from a saved model)."""
        if self.best is None:
            return True
        return value > self.best if self.direction == "maximize" else value < self.best

    def record(self, value: float) -> bool:
        """Add one evaluation; return True when the run should stop now.

        A NaN or infinite value (a diverged model) is not added to the curve and stops the run.
        """
        value = float(value)
        if not math.isfinite(value):
            self.stop_reason = f"non-finite value {value} after {len(self.curve)} evaluations"
            return True
        self.curve.append(value)
        if self.is_better(value):
            self.best = value
        if self.trial is not None:
            self.trial.report(value, len(self.curve) - 1)
        if self.stop_condition is not None and self.stop_condition(self.curve):
            self.stop_reason = "stop_condition"
            return True
        if self.trial is not None and self.trial.should_stop():
            self.stop_reason = "trial.should_stop"
            return True
        return False


def updated_epochs(dynamic_epochs: DynamicEpochs, curve: Sequence[float], best: float, epochs: int) -> int:
    """The new epoch budget from a ``dynamic_epochs`` callable, as in the original solver.

    The callable takes either the curve (a single parameter named ``curve`` or ``history``), the best value
    so far (a single parameter of any other name), or both ``(curve, best)``. It returns the new number of
    epochs, or None / 0 to keep the current one.
    """
    parameters = list(inspect.signature(dynamic_epochs).parameters.values())
    variadic = any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)
    if variadic or len(parameters) == 2:
        new_epochs = dynamic_epochs(curve, best)
    elif len(parameters) == 1:
        new_epochs = dynamic_epochs(curve if parameters[0].name in ("curve", "history") else best)
    else:
        raise TypeError(
            "dynamic_epochs must take (curve), (best) or (curve, best); "
            f"got a callable with parameters {[p.name for p in parameters]}"
        )
    if not new_epochs:
        return epochs
    if not isinstance(new_epochs, int) or new_epochs < 0:
        raise ValueError(f"dynamic_epochs returned {new_epochs!r}; expected a positive int or None")
    return new_epochs
