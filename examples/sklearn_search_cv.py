"""HyperengineSearchCV, the drop-in for RandomizedSearchCV: tune a scaled SVC pipeline on breast cancer data.

Two alternative spaces (a linear and an RBF kernel), log-uniform C and gamma, 5-fold accuracy, candidates
evaluated two at a time. Run:

    python examples/sklearn_search_cv.py --n-iter 20
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hyperengine import spec
from hyperengine.integration.sklearn import HyperengineSearchCV

SPACE = [
    {"svc__kernel": "linear", "svc__C": 10 ** spec.uniform(-3, 2)},
    {"svc__kernel": "rbf", "svc__C": 10 ** spec.uniform(-2, 3), "svc__gamma": 10 ** spec.uniform(-4, 0)},
]


def main(n_iter: int = 20, seed: int = 0, verbose: bool = True) -> HyperengineSearchCV:
    """Fit the search; returns it."""
    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    pipeline = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    search = HyperengineSearchCV(pipeline, SPACE, n_iter=n_iter, cv=5, n_jobs=2, random_state=seed)
    search.fit(x_train, y_train)
    if verbose:
        print(f"best cv accuracy {search.best_score_:.4f} with {search.best_params_}")
        print(f"test accuracy {search.score(x_test, y_test):.4f}")
    return search


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-iter", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    main(arguments.n_iter, arguments.seed)
