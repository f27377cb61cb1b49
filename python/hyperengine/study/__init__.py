"""The ask/tell study: trials, their states, persistence and the optimize loop."""

from hyperengine.study.study import Study, create_study
from hyperengine.study.trial import Trial, TrialPruned, TrialState

__all__ = ["Study", "Trial", "TrialPruned", "TrialState", "create_study"]
