"""Long calls into hypercore._core release the GIL: a pure-Python loop in another thread keeps counting while
fit(), suggest(), predict() and add_batch() run on a large GP. Progress is measured in loop iterations made
during each call (never in wall-clock time)."""

import sys
import threading
from collections.abc import Callable, Iterator
from typing import Self

import numpy as np
import pytest

from hypercore import _core


class Counter:
    """Counts iterations of a pure-Python loop on a background thread until stopped."""

    def __init__(self) -> None:
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.count += 1

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(name="short_switch_interval")
def fixture_short_switch_interval() -> Iterator[None]:
    """A short switch interval, so that a call holding the GIL cannot lend the counter a full 5 ms slice."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(previous)


@pytest.mark.usefixtures("short_switch_interval")
def test_long_calls_let_another_python_thread_run() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((400, 4))
    y = np.sin(3 * X).sum(axis=1)
    Xq = rng.random((4000, 4))
    gp = _core.GaussianProcess(_core.Space(4))
    calls: dict[str, Callable[[], object]] = {
        "add_batch": lambda: gp.add_batch(X, y),
        "fit": lambda: gp.fit(max_points=100, restarts=1, seed=0),
        "suggest": lambda: _core.suggest(gp, seed=0),
        "predict": lambda: gp.predict(Xq),
    }
    progress: dict[str, int] = {}
    with Counter() as counter:
        before = counter.count
        progress["control"] = counter.count - before  # no call: the window itself lends the counter nothing
        for name, call in calls.items():
            before = counter.count
            call()
            progress[name] = counter.count - before
    assert progress.pop("control") == 0
    assert all(made > 0 for made in progress.values()), progress
