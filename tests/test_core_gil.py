"""Long calls into hypercore._core release the GIL, checked without a timing threshold: with a switch interval far
longer than the test, the interpreter never takes the GIL from the calling thread, so a second Python thread can
run only when a call releases it. That thread sets an event as soon as it runs; the control (a call that holds the
GIL) shows the event cannot be set otherwise.

The calls repeat until the witness has run, not a fixed number of times: a release window is short (a copy of
the model takes ~20 us) and on a busy machine the OS may not schedule the witness inside one for hundreds of
calls (200 fixed attempts failed 18 times in 30 under a load of 7 on 2 cores). The deadline only bounds a build
whose calls hold the GIL, where the witness can never run."""

import sys
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from hypercore import _core

DEADLINE = 60.0  # seconds of calls before concluding the witness cannot run (it typically runs within ms)
CONTROL_SECONDS = 1.0  # how long the GIL-holding control keeps calling (the witness can never run there)


@pytest.fixture(name="no_forced_switch")
def fixture_no_forced_switch() -> Iterator[None]:
    """An hour-long switch interval: the GIL changes hands only when its holder releases it."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(3600.0)
    yield
    sys.setswitchinterval(previous)


def other_thread_ran_during(call: Callable[[], object], seconds: float) -> bool:
    """Whether a second Python thread, released right before the calls, ran while `call` was repeated for up to
    `seconds` (stopping as soon as it has)."""
    call()  # a first call may import modules (pybind11 looks numpy's API up lazily), and importing releases the GIL
    go, ran = threading.Event(), threading.Event()

    def witness() -> None:
        go.wait()
        ran.set()

    thread = threading.Thread(target=witness)
    thread.start()  # waits (GIL released) until the witness has started; it then blocks in go.wait()
    go.set()  # the witness is runnable now, but needs the GIL to set `ran`
    deadline = time.monotonic() + seconds  # reading the clock holds the GIL: only `call` can let the witness in
    while not ran.is_set() and time.monotonic() < deadline:
        call()
    witnessed = ran.is_set()
    thread.join()  # blocks, so the witness gets the GIL and finishes
    return witnessed


@pytest.fixture(name="gp")
def fixture_gp() -> _core.GaussianProcess:
    rng = np.random.default_rng(0)
    X = rng.random((300, 4))
    gp = _core.GaussianProcess(_core.Space(4))
    gp.add_batch(X, np.sin(3 * X).sum(axis=1))
    return gp


@pytest.mark.usefixtures("no_forced_switch")
def test_a_call_holding_the_gil_never_lets_the_witness_run() -> None:
    kernel = _core.Matern52Kernel(_core.Space(4))
    A = np.random.default_rng(1).random((200, 4))
    assert not other_thread_ran_during(lambda: kernel.matrix(A, A), CONTROL_SECONDS)


@pytest.mark.usefixtures("no_forced_switch")
@pytest.mark.parametrize("name", ["add_batch", "fit", "suggest", "predict", "copy"])
def test_long_and_locking_calls_release_the_gil(gp: _core.GaussianProcess, name: str) -> None:
    rng = np.random.default_rng(2)
    X, Xq = rng.random((50, 4)), rng.random((2000, 4))
    calls: dict[str, Callable[[], object]] = {
        "add_batch": lambda: gp.copy().add_batch(X, X.sum(axis=1)),
        "fit": lambda: gp.fit(max_points=60, restarts=0, max_iterations=5, seed=0),
        "suggest": lambda: _core.suggest(gp, seed=0, num_starts=1),
        "predict": lambda: gp.predict(Xq),
        "copy": gp.copy,
    }
    assert other_thread_ran_during(calls[name], DEADLINE)
