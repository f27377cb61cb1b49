"""HyperengineSearchCV on real data: search quality against RandomizedSearchCV, GridSearchCV-shaped results,
pipelines, parallel batches, failing fits, cloning and pickling, and scikit-learn's own estimator checks."""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from hyperengine import spec
from hyperengine.integration.sklearn import HyperengineSearchCV

logging.getLogger("hyperengine").setLevel(logging.ERROR)  # failed trials log a warning each; tested below


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    return x[:600] / 16.0, y[:600]


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(x), y  # scaled, so that LogisticRegression converges


@pytest.mark.slow
@pytest.mark.parametrize("data", ["digits", "cancer"])
def test_the_gp_finds_better_scores_than_random_search_on_average(data: str, request: pytest.FixtureRequest) -> None:
    """SVC on digits and on breast cancer, C and gamma log-uniform over wide ranges (most of the square scores
    poorly); the same n_iter, cv and seeds for both searches."""
    x, y = request.getfixturevalue(data)
    ours, theirs = [], []
    for seed in range(8):
        space = {"C": 10 ** spec.uniform(-3, 5), "gamma": 10 ** spec.uniform(-8, 3)}
        ours.append(HyperengineSearchCV(SVC(), space, n_iter=12, cv=3, random_state=seed, burn_in=4)
                    .fit(x, y).best_score_)
        distributions = {"C": loguniform(1e-3, 1e5), "gamma": loguniform(1e-8, 1e3)}
        theirs.append(RandomizedSearchCV(SVC(), distributions, n_iter=12, cv=3, random_state=seed)
                      .fit(x, y).best_score_)
    assert np.mean(ours) > np.mean(theirs)


def test_cv_results_have_grid_search_keys_dtypes_and_scores(cancer: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = cancer
    grid = {"C": [0.01, 1.0, 100.0], "fit_intercept": [True, False]}
    estimator = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression())])
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    options = {"scoring": scoring, "refit": "bal", "return_train_score": True, "cv": 3}
    reference = GridSearchCV(estimator, {f"lr__{k}": v for k, v in grid.items()}, **options).fit(x, y)
    space = {f"lr__{k}": spec.choice(v) for k, v in grid.items()}
    search = HyperengineSearchCV(estimator, space, n_iter=5, random_state=0, **options).fit(x, y)
    ours, theirs = search.cv_results_, reference.cv_results_
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        assert type(ours[key]) is type(value), key
        if isinstance(value, np.ndarray):
            assert ours[key].dtype == value.dtype and ours[key].shape == (5,), key
    for index, params in enumerate(ours["params"]):  # every candidate scored exactly as GridSearchCV scores it
        twin = theirs["params"].index(params)
        for key in ("mean_test_acc", "mean_test_bal", "split2_test_bal", "mean_train_acc"):
            assert ours[key][index] == theirs[key][twin], key
    assert search.best_index_ == int(np.argmin(ours["rank_test_bal"]))
    assert search.best_score_ == ours["mean_test_bal"][search.best_index_]
    values = [trial.value for trial in search.study_.trials]
    assert values == list(ours["mean_test_bal"])  # the study is guided by refit's metric


def test_inside_a_pipeline_the_refit_estimator_answers_every_delegated_method(
        cancer: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = cancer
    pipeline = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    space = {"svc__C": 10 ** spec.uniform(-2, 3), "svc__gamma": 10 ** spec.uniform(-4, 0)}
    search = HyperengineSearchCV(pipeline, space, n_iter=6, cv=3, random_state=1).fit(x, y)
    best = search.best_estimator_
    assert best.named_steps["svc"].C == search.best_params_["svc__C"]
    np.testing.assert_array_equal(search.predict(x), best.predict(x))
    np.testing.assert_array_equal(search.decision_function(x), best.decision_function(x))
    assert search.score(x, y) == best.score(x, y) and search.best_score_ > 0.9
    proba = HyperengineSearchCV(LogisticRegression(max_iter=5000), {"C": 10 ** spec.uniform(-3, 1)}, n_iter=3,
                                cv=3, random_state=0).fit(x, y)
    np.testing.assert_allclose(proba.predict_proba(x), proba.best_estimator_.predict_proba(x))


def test_transform_is_delegated_and_integer_parameters_stay_integers(
        digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, _ = digits
    search = HyperengineSearchCV(PCA(), {"n_components": spec.randint(2, 20)}, n_iter=4, cv=3, random_state=0)
    search.fit(x)
    assert isinstance(search.best_params_["n_components"], int)
    assert search.transform(x).shape == (len(x), search.best_params_["n_components"])


def test_alternative_spaces_mask_the_parameters_they_lack(cancer: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = cancer
    space = [{"svc__kernel": "linear", "svc__C": 10 ** spec.uniform(-3, 1)},
             {"svc__kernel": "rbf", "svc__C": 10 ** spec.uniform(-1, 3), "svc__gamma": 10 ** spec.uniform(-4, 0)}]
    pipeline = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    results = HyperengineSearchCV(pipeline, space, n_iter=8, cv=3, random_state=0).fit(x, y).cv_results_
    kernels = [params["svc__kernel"] for params in results["params"]]
    assert set(kernels) == {"linear", "rbf"}
    np.testing.assert_array_equal(results["param_svc__gamma"].mask, [k == "linear" for k in kernels])


def test_n_jobs_evaluates_diverse_batches_with_the_scores_of_a_sequential_run(
        digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = digits
    space = {"C": 10 ** spec.uniform(-2, 3), "gamma": 10 ** spec.uniform(-4, 0)}
    search = HyperengineSearchCV(SVC(), space, n_iter=6, cv=3, n_jobs=2, random_state=0, burn_in=2).fit(x, y)
    results = search.cv_results_
    trials = search.study_.trials
    assert [t.state for t in trials] == ["complete"] * 6
    for first, second in zip(trials[0::2], trials[1::2], strict=True):  # each asked pair is two distinct points
        assert np.abs(first.point - second.point).max() > 1e-3
    for index in (0, 5):
        params = results["params"][index]
        expected = cross_val_score(SVC(**params), x, y, cv=3).mean()
        assert results["mean_test_score"][index] == pytest.approx(expected, abs=1e-12)


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite:UserWarning")
@pytest.mark.parametrize(("n_jobs", "error_score"), [(None, np.nan), (2, 0.0)])
def test_a_failing_region_fails_its_trials_and_never_feeds_the_gp(
        digits: tuple[np.ndarray, np.ndarray], n_jobs: int | None, error_score: float) -> None:
    x, y = digits
    space = {"gamma": spec.uniform(-0.05, 0.1)}  # SVC refuses a negative gamma
    search = HyperengineSearchCV(SVC(), space, n_iter=8, cv=3, n_jobs=n_jobs, random_state=0,
                                 error_score=error_score, burn_in=4)
    with pytest.warns(FitFailedWarning):
        search.fit(x, y)
    trials = search.study_.trials
    failed = [trial for trial in trials if trial.state == "failed"]
    assert [t.params["gamma"] < 0 for t in trials] == [t.state == "failed" for t in trials]
    assert 0 < len(failed) < 8 and search.best_params_["gamma"] > 0
    assert len(search.study_.strategy.points) == 8 - len(failed)  # failed trials never reach the GP
    assert all("InvalidParameterError" in trial.error for trial in failed)
    gammas = np.array([params["gamma"] for params in search.cv_results_["params"]])
    scores = search.cv_results_["mean_test_score"]
    if n_jobs is None:  # a lone failing candidate: scikit-learn records no batch whose every fit failed
        assert len(gammas) == 8 - len(failed) and np.all(gammas > 0)
    else:  # a failing candidate next to a working one scores error_score
        assert np.any(gammas < 0) and np.all(scores[gammas < 0] == error_score)


def test_error_score_raise_raises_and_records_the_failed_trial(digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = digits
    search = HyperengineSearchCV(SVC(), {"gamma": spec.uniform(-0.05, -0.01)}, n_iter=2, cv=3,
                                 error_score="raise", random_state=0)
    with pytest.raises(ValueError, match="gamma"):
        search.fit(x, y)


def test_every_candidate_failing_raises(digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = digits
    search = HyperengineSearchCV(SVC(), {"gamma": spec.uniform(-0.05, -0.01)}, n_iter=2, cv=3, random_state=0)
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError, match="fits failed"):
        search.fit(x, y)


def test_clone_get_set_params_and_pickle_round_trip(cancer: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = cancer
    space = {"C": 10 ** spec.uniform(-3, 1)}
    search = HyperengineSearchCV(LogisticRegression(max_iter=5000), space, n_iter=3, cv=3, random_state=0,
                                 burn_in=2, utility_gen="ucb")
    twin = clone(search)
    assert twin.get_params(deep=False).keys() == search.get_params(deep=False).keys()
    assert twin.get_params()["burn_in"] == 2 and twin.param_space.keys() == space.keys()
    twin.set_params(burn_in=1, n_iter=2, estimator__C=3.0)
    assert twin.get_params()["burn_in"] == 1 and twin.n_iter == 2 and search.get_params()["burn_in"] == 2
    search.fit(x, y)
    assert search.study_.strategy.burn_in == 2
    assert not hasattr(clone(search), "best_estimator_")
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(x), search.predict(x))
    assert restored.best_params_ == search.best_params_ and not hasattr(restored, "study_")


def test_the_same_random_state_gives_the_same_search(cancer: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = cancer
    space = {"C": 10 ** spec.uniform(-3, 1)}
    runs = [HyperengineSearchCV(LogisticRegression(max_iter=5000), space, n_iter=4, cv=3, random_state=7,
                                burn_in=2).fit(x, y).cv_results_["params"] for _ in range(2)]
    assert runs[0] == runs[1]


def test_storage_saves_and_resumes_the_study(cancer: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    x, y = cancer
    space = {"C": 10 ** spec.uniform(-3, 1)}
    path = tmp_path / "search.json"
    first = HyperengineSearchCV(LogisticRegression(max_iter=5000), space, n_iter=3, cv=3, random_state=0,
                                storage=path).fit(x, y)
    assert path.exists()
    told = [t.value for t in first.study_.trials]
    first.study_.close()  # a JSON study file has one writer at a time
    second = HyperengineSearchCV(LogisticRegression(max_iter=5000), space, n_iter=2, cv=3, random_state=0,
                                 storage=path).fit(x, y)
    assert len(second.study_.trials) == 5 and len(second.cv_results_["params"]) == 2
    assert [t.value for t in second.study_.trials[:3]] == told
    second.study_.close()


def test_a_search_on_a_database_resumes_its_study(cancer: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    x, y = cancer
    url = f"sqlite:///{tmp_path / 'search.db'}"
    options = {"n_iter": 2, "cv": 3, "random_state": 0, "storage": url, "study_name": "logreg"}
    first = HyperengineSearchCV(LogisticRegression(max_iter=5000), {"C": 10 ** spec.uniform(-3, 1)}, **options)
    first.fit(x, y)
    second = HyperengineSearchCV(LogisticRegression(max_iter=5000), {"C": 10 ** spec.uniform(-3, 1)}, **options)
    second.fit(x, y)
    assert len(second.study_.trials) == 4 and second.study_.study_name == "logreg"


@pytest.mark.parametrize(("space", "error", "message"), [
    ({"Cee": spec.uniform(0, 1)}, ValueError, "'Cee' is not a parameter of LogisticRegression"),
    ({"C": loguniform(1e-3, 1)}, TypeError, "scipy distribution"),
    ([], TypeError, "non-empty list"),
    ([{"C": spec.uniform(0, 1)}, {}], TypeError, r"param_space\[1\]"),
])
def test_a_bad_param_space_is_named(cancer: tuple[np.ndarray, np.ndarray], space: object, error: type,
                                    message: str) -> None:
    x, y = cancer
    with pytest.raises(error, match=message):
        HyperengineSearchCV(LogisticRegression(), space, n_iter=2).fit(x, y)  # type: ignore[arg-type]


def test_strategy_params_cannot_override_the_seed(cancer: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = cancer
    with pytest.raises(ValueError, match="seed"):
        HyperengineSearchCV(LogisticRegression(), {"C": spec.uniform(0.1, 1)}, seed=3).fit(x, y)


def test_importing_the_integration_package_imports_no_framework() -> None:
    code = ("import sys, hyperengine.integration; "
            "print(sorted({'sklearn', 'torch', 'lightning', 'ray', 'optuna'} & set(sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout == "[]\n"


# scikit-learn's own conformance suite. The one expected failure fails identically for
# RandomizedSearchCV(Ridge()): Ridge takes a 2-D y natively, so the search raises no DataConversionWarning.
@parametrize_with_checks(
    [HyperengineSearchCV(LogisticRegression(), {"C": 10 ** spec.uniform(-2, 2)}, n_iter=2, cv=2, random_state=0),
     HyperengineSearchCV(Ridge(), {"alpha": 10 ** spec.uniform(-2, 2)}, n_iter=2, cv=2, random_state=0)],
    expected_failed_checks=lambda search: (
        {"check_supervised_y_2d": "Ridge takes a 2-D y natively (RandomizedSearchCV fails the same way)"}
        if isinstance(search.estimator, Ridge) else {}),
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning")  # checks feeding NaN on purpose
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite:UserWarning")
@pytest.mark.filterwarnings("ignore:Scoring failed:UserWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")  # the y=inf check's splitter
def test_scikit_learn_estimator_checks(estimator: HyperengineSearchCV, check: object) -> None:
    check(estimator)  # type: ignore[operator]


def test_the_search_cv_example_finds_a_good_pipeline() -> None:
    from test_examples import load_example

    search = load_example("sklearn_search_cv").main(n_iter=4, verbose=False)
    assert search.best_score_ > 0.9 and len(search.cv_results_["params"]) == 4
