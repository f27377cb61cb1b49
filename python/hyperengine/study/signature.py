"""Whether a user callable wants the trial too: func(params) or func(params, trial)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def takes_trial(func: Callable[..., Any], through_varargs: bool) -> bool:
    """True when func requires a second positional argument or names it `trial`; an optional second
    parameter (e.g. `Solver(params, verbose=False)`) keeps its default. With `through_varargs`, *args counts
    as taking it too."""
    kinds: set[inspect._ParameterKind] = {inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD}
    if through_varargs:
        kinds.add(inspect.Parameter.VAR_POSITIONAL)
    try:
        parameters = [p for p in inspect.signature(func).parameters.values() if p.kind in kinds]
    except (TypeError, ValueError):
        return False
    if through_varargs and parameters and parameters[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return True
    return len(parameters) >= 2 and (parameters[1].kind is inspect.Parameter.VAR_POSITIONAL
                                     or parameters[1].default is inspect.Parameter.empty
                                     or parameters[1].name == "trial")
