"""One GaussianProcess shared by Python threads: each call sees the model between two mutations, never a torn
one. A writer adds points one by one while readers predict; every prediction must equal, bit for bit, the
prediction of the model after some number of additions (computed afterwards, single-threaded)."""

import threading

import numpy as np

from hypercore import _core

POINTS, QUERIES, READERS = 200, 500, 2


def test_add_and_predict_from_threads_see_whole_models() -> None:
    rng = np.random.default_rng(0)
    X, Xq = rng.random((POINTS, 3)), rng.random((QUERIES, 3))
    y = np.sin(4 * X).sum(axis=1)
    shared = _core.GaussianProcess(_core.Space(3))
    seen: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(READERS)]
    writer_done = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(POINTS):
                shared.add(X[i], y[i])
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)
        finally:
            writer_done.set()

    def read(out: list[tuple[np.ndarray, np.ndarray]]) -> None:
        try:
            while not writer_done.is_set():
                out.append(shared.predict(Xq))
            out.append(shared.predict(Xq))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read, args=(out,)) for out in seen]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(shared) == POINTS

    reference = _core.GaussianProcess(_core.Space(3))
    prefixes = [reference.predict(Xq)]
    for i in range(POINTS):
        reference.add(X[i], y[i])
        prefixes.append(reference.predict(Xq))

    def prefix_of(prediction: tuple[np.ndarray, np.ndarray]) -> int:
        matches = [k for k, (mean, variance) in enumerate(prefixes)
                   if np.array_equal(mean, prediction[0]) and np.array_equal(variance, prediction[1])]
        assert matches, "a prediction matches no model the writer went through"
        return matches[0]

    for out in seen:
        sizes = [prefix_of(prediction) for prediction in out]
        assert sizes == sorted(sizes)  # a reader never sees the model go back
        assert sizes[-1] == POINTS


def test_fit_in_one_thread_and_reads_in_another() -> None:
    rng = np.random.default_rng(1)
    X = rng.random((120, 2))
    shared = _core.GaussianProcess(_core.Space(2))
    shared.add_batch(X, np.cos(5 * X).sum(axis=1))
    before = shared.log_params
    fitted: list[dict[str, object]] = []
    fitter = threading.Thread(target=lambda: fitted.append(shared.fit(seed=0)))
    fitter.start()
    thetas = []
    while fitter.is_alive():
        thetas.append(shared.log_params)
    fitter.join()
    after = shared.log_params
    np.testing.assert_array_equal(after, fitted[0]["theta"])
    # each read saw theta before the fit or after it, nothing in between
    assert all(np.array_equal(theta, before) or np.array_equal(theta, after) for theta in thetas)
