"""HyperengineSearchCV: scikit-learn's RandomizedSearchCV interface, with a hyperengine study choosing candidates.

    from hyperengine import spec
    from hyperengine.integration.sklearn import HyperengineSearchCV

    search = HyperengineSearchCV(SVC(), {"C": 10 ** spec.uniform(-2, 3), "gamma": 10 ** spec.uniform(-5, -1)},
                                 n_iter=30, cv=3, random_state=0).fit(x, y)
    search.best_params_, search.best_score_, search.cv_results_, search.study_

scikit-learn's BaseSearchCV does the cross-validation, the refit, `cv_results_` and the delegated methods; this
module only decides which candidates to evaluate (`_run_search`): it asks the study for a batch, has scikit-learn
score it, and tells the study each candidate's mean test score.
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from hyperengine.integration._require import require

require("sklearn", "sklearn", "hyperengine.integration.sklearn")

from joblib import effective_n_jobs
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import check_random_state

from hyperengine import spec
from hyperengine.study import Study, Trial, TrialState, create_study

# create_study arguments that the search sets itself; a user's **strategy_params cannot override them.
_RESERVED = ("space", "direction", "seed", "curve_predictor")


class HyperengineSearchCV(BaseSearchCV):  # type: ignore[misc]  # scikit-learn is untyped
    """Cross-validated search over `param_space`, the candidates proposed by a Gaussian-process study.

    param_space: a dict of hyperengine spec nodes (``10 ** spec.uniform(-3, 3)``, ``spec.choice([...])``) or
    constants, keyed by parameter names of `estimator` (``"svc__C"`` inside a Pipeline); or a list of such
    dicts, alternatives the study chooses between (e.g. one space per kernel). n_iter: candidates evaluated.
    n_jobs: candidates and folds run in parallel with joblib; each batch of `n_jobs` candidates comes from
    ``study.ask(n_jobs)``, so parallel candidates are spread out. A candidate whose fit fails scores
    `error_score` (scikit-learn warns) and is told to the study as failed, never fed to the GP;
    ``error_score="raise"`` raises instead. A batch whose every fit fails is left out of cv_results_
    (scikit-learn refuses to record it) with a FitFailedWarning; its trials are failed in study_.
    random_state seeds the study. storage / study_name go to create_study (save and resume the study).
    **strategy_params go to create_study as well: ``strategy=`` ('bayesian', 'portfolio', 'random'),
    ``utility_gen=``, ``burn_in=``, ...

    The other parameters and every fitted attribute (best_params_, best_score_, best_estimator_, best_index_,
    cv_results_, refit_time_, multimetric_, scorer_, n_splits_) mean what they mean in RandomizedSearchCV.
    `study_` is the study behind the search; it is not pickled with the search (save it with storage=).
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **BaseSearchCV._parameter_constraints,
        "param_space": [dict, list],
        "n_iter": [numbers.Integral],
        "random_state": ["random_state"],
        "storage": [str, os.PathLike, None],
        "study_name": [str, None],
    }

    def __init__(self, estimator: Any, param_space: Mapping[str, Any] | Sequence[Mapping[str, Any]],
                 n_iter: int = 50, scoring: Any = None, cv: Any = None, n_jobs: int | None = None,
                 refit: bool | str | Any = True, random_state: Any = None, error_score: Any = np.nan,
                 return_train_score: bool = False, verbose: int = 0, *,
                 storage: str | os.PathLike[str] | None = None, study_name: str | None = None,
                 **strategy_params: Any) -> None:
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit, cv=cv,
                         verbose=verbose, pre_dispatch="2*n_jobs", error_score=error_score,
                         return_train_score=return_train_score)
        self.param_space = param_space
        self.n_iter = n_iter
        self.random_state = random_state
        self.storage = storage
        self.study_name = study_name
        self._strategy_params = dict(strategy_params)

    # -- parameters: the named ones plus **strategy_params, so clone() and set_params() keep them --------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params: dict[str, Any] = super().get_params(deep=deep)
        params.update(self._strategy_params)
        return params

    def set_params(self, **params: Any) -> HyperengineSearchCV:
        for name in [name for name in params if name in self._strategy_params]:
            self._strategy_params[name] = params.pop(name)
        super().set_params(**params)
        return self

    def __getstate__(self) -> dict[str, Any]:
        """The pickled state: everything but the study, which holds the compiled GP."""
        state: dict[str, Any] = super().__getstate__()
        state.pop("study_", None)
        return state

    # -- the search -----------------------------------------------------------------------------------------
    def _run_search(self, evaluate_candidates: Any) -> None:
        """Ask the study for batches of candidates until n_iter are evaluated, telling it each mean score."""
        if isinstance(self.n_iter, bool) or self.n_iter < 1:
            raise ValueError(f"n_iter must be a positive integer, got {self.n_iter!r}")
        study = self._create_study()
        folds = _FrozenSplits(self._checked_cv_orig)
        batch_size = max(1, effective_n_jobs(self.n_jobs))
        evaluated = recorded = 0
        metric: str | None = None
        every_fit_failed: ValueError | None = None
        while evaluated < self.n_iter:
            trials: list[Trial] = study.ask(min(batch_size, self.n_iter - evaluated))
            evaluated += len(trials)
            try:
                results = evaluate_candidates([dict(trial.params) for trial in trials], cv=folds)
            except ValueError as failure:
                if self.error_score == "raise" or "fits failed" not in str(failure):
                    _tell_failed(study, trials, failure)
                    raise
                # scikit-learn refuses a batch whose every fit failed: it stays out of cv_results_, its trials fail
                _tell_failed(study, trials, failure)
                warnings.warn(f"every fit of {len(trials)} candidate(s) failed; they are left out of cv_results_ "
                              f"(see study_.trials): {str(failure).strip().splitlines()[-1]}", FitFailedWarning,
                              stacklevel=2)
                every_fit_failed = failure
                continue
            except BaseException as failure:  # error_score="raise", an interrupt: the trials are recorded
                _tell_failed(study, trials, failure)
                raise
            metric = metric or self._guiding_metric(results)
            for offset, trial in enumerate(trials):
                self._tell(study, trial, results, recorded + offset, metric)
            recorded += len(trials)
        self.study_ = study
        if recorded == 0 and every_fit_failed is not None:
            raise every_fit_failed

    def _create_study(self) -> Study:
        reserved = sorted(set(_RESERVED) & set(self._strategy_params))
        if reserved:
            raise ValueError(f"HyperengineSearchCV sets {reserved} itself (the seed comes from random_state)")
        options = dict(self._strategy_params)
        if self.study_name is not None:
            options["study_name"] = self.study_name
        if self.storage is not None:
            options.setdefault("load_if_exists", True)  # a stored search resumes (a database refuses by default)
        return create_study(self._search_space(), direction="maximize", seed=self._seed(), storage=self.storage,
                            **options)

    def _search_space(self) -> Any:
        """The hyperengine spec: the dict itself, or a choice between the alternative dicts."""
        spaces = [self.param_space] if isinstance(self.param_space, Mapping) else self.param_space
        if isinstance(spaces, (str, bytes)) or not isinstance(spaces, Sequence) or not spaces:
            raise TypeError(f"param_space must be a dict of spec nodes or a non-empty list of them, "
                            f"got {self.param_space!r}")
        valid = self.estimator.get_params(deep=True)
        for index, space in enumerate(spaces):
            where = "param_space" if isinstance(self.param_space, Mapping) else f"param_space[{index}]"
            if not isinstance(space, Mapping) or not space:
                raise TypeError(f"{where} must be a non-empty dict of spec nodes, got {space!r}")
            for name, value in space.items():
                if not isinstance(name, str) or name not in valid:
                    raise ValueError(f"{where}: {name!r} is not a parameter of {type(self.estimator).__name__} "
                                     f"(its parameters: {sorted(valid)})")
                if hasattr(value, "rvs"):
                    raise TypeError(f"{where}[{name!r}] is a scipy distribution; give a hyperengine spec node, "
                                    "e.g. 10 ** spec.uniform(-3, 3) for a log-uniform value")
        if len(spaces) == 1:
            return dict(spaces[0])
        return spec.choice([dict(space) for space in spaces])

    def _seed(self) -> int | None:
        if self.random_state is None or isinstance(self.random_state, numbers.Integral):
            return None if self.random_state is None else int(self.random_state)
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _guiding_metric(self, results: Mapping[str, Any]) -> str:
        """The cv_results_ key the study maximizes: refit's metric when it names one, else the first metric."""
        if isinstance(self.refit, str) and f"mean_test_{self.refit}" in results:
            return f"mean_test_{self.refit}"
        if "mean_test_score" in results:
            return "mean_test_score"
        return next(key for key in results if key.startswith("mean_test_"))

    def _tell(self, study: Study, trial: Trial, results: Mapping[str, Any], index: int, metric: str) -> None:
        """A candidate whose fit failed on any fold is a failed trial, whatever error_score it scored."""
        folds = self._split_fit_errors[index * self.n_splits_:(index + 1) * self.n_splits_]
        errors = [error for error in folds if error is not None]
        if errors:
            last_line = errors[0].strip().splitlines()[-1]
            study.tell(trial, state=TrialState.FAILED,
                       error=f"fit failed on {len(errors)} of {self.n_splits_} folds: {last_line}")
        else:
            study.tell(trial, float(results[metric][index]))  # NaN (a failed scorer) is recorded as failed

    def _format_results(self, candidate_params: list[dict[str, Any]], n_splits: int, out: list[dict[str, Any]],
                        more_results: dict[str, list[Any]] | None = None) -> dict[str, Any]:
        """scikit-learn's cv_results_, keeping each fit's error (candidate-major) to tell failed trials."""
        self._split_fit_errors = [result.get("fit_error") for result in out]
        results: dict[str, Any] = super()._format_results(candidate_params, n_splits, out, more_results)
        return results


def _tell_failed(study: Study, trials: list[Trial], failure: BaseException) -> None:
    for trial in trials:
        study.tell(trial, state=TrialState.FAILED, error=f"{type(failure).__name__}: {failure}".strip())


class _FrozenSplits:
    """The folds of `cv` computed once and replayed, so every batch of candidates is scored on the same folds
    (a shuffling splitter without an int random_state would otherwise give each batch new ones)."""

    def __init__(self, cv: Any) -> None:
        self._cv = cv
        self._folds: list[tuple[Any, Any]] | None = None

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:  # noqa: N803 (sklearn's names)
        return int(self._cv.get_n_splits(X, y, groups))

    def split(self, X: Any, y: Any = None, **params: Any) -> Iterator[tuple[Any, Any]]:  # noqa: N803
        if self._folds is None:
            self._folds = list(self._cv.split(X, y, **params))
        return iter(self._folds)


__all__ = ["HyperengineSearchCV"]
