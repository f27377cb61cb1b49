"""The ask/tell study: trials, their states, the storages they live in and the optimize loop."""

from hyperengine.storage.frozen import FrozenTrial
from hyperengine.study.studies import copy_study, delete_study, get_all_study_names, list_studies, load_study
from hyperengine.study.study import Study, create_study
from hyperengine.study.trial import Trial, TrialPruned, TrialState

__all__ = ["FrozenTrial", "Study", "Trial", "TrialPruned", "TrialState", "copy_study", "create_study", "delete_study",
           "get_all_study_names", "list_studies", "load_study"]
