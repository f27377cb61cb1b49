"""Large studies: the subset GP against the exact GP on the same data, determinism, bulk imports (the same
state as one by one), random search without a model, and the core's subset selection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_storage import shared_url
from hypercore import _core
from hyperengine import create_study, spec
from hyperengine.bayesian import GaussianProcessModel
from hyperengine.bayesian.kernel import make_kernel
from hyperengine.bayesian.random_strategy import RandomStrategy
from hyperengine.bayesian.subset_model import EXACT_LIMIT, SUBSET_SIZE
from hyperengine.storage import json_file

OPTIMUM = np.array([0.3, 0.7, 0.45])


def bowl(X: np.ndarray) -> np.ndarray:
    """A smooth objective to maximize on the unit cube, largest (0) at OPTIMUM, with a ripple."""
    X = np.atleast_2d(X)
    return -np.sum((X - OPTIMUM) ** 2, axis=1) + 0.05 * np.sin(6.0 * X[:, 0])


def study_like_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Half uniform, half concentrated around the optimum: the points an optimizer piles up."""
    rng = np.random.default_rng(seed)
    uniform = rng.random((n // 2, 3))
    local = np.clip(OPTIMUM + 0.08 * rng.standard_normal((n - n // 2, 3)), 0.0, 1.0)
    X = rng.permutation(np.vstack([uniform, local]))
    return X, bowl(X)


def model(exact_limit: int = 1000, subset_size: int = 512, seed: int = 3) -> GaussianProcessModel:
    return GaussianProcessModel(3, make_kernel("matern52"), seed=seed, exact_limit=exact_limit,
                                subset_size=subset_size)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return study_like_data(900, seed=1)


# -- the subset GP against the exact GP ----------------------------------------------------------------------
def test_past_the_limit_the_gp_holds_a_subset_and_suggests_where_the_exact_gp_does(data: Any) -> None:
    X, y = data
    exact, subset = model(), model(exact_limit=400, subset_size=300)
    exact.add_batch(X, y)
    subset.add_batch(X, y)
    assert exact.exact and exact.gp.size == len(y)
    assert not subset.exact and 300 <= subset.gp.size < len(y)
    # The posterior mean near the incumbent, where the acquisition looks, agrees within a few percent of the
    # values' spread (both models see the dense data there).
    rng = np.random.default_rng(0)
    near = np.clip(exact.best_point + 0.05 * rng.standard_normal((200, 3)), 0.0, 1.0)
    mean_exact, _ = exact.predict(near)
    mean_subset, _ = subset.predict(near)
    assert np.max(np.abs(mean_exact - mean_subset)) < 0.05 * np.ptp(y)
    # EI suggestions land together: within 0.1 of each other (unit cube), and as good on the objective as the
    # exact GP's within 1% of the values' spread.
    for seed in range(3):
        point_exact = exact.suggest("ei", 1, None, 0.0, 0.0, "kriging_believer", seed)[0]
        point_subset = subset.suggest("ei", 1, None, 0.0, 0.0, "kriging_believer", seed)[0]
        assert np.linalg.norm(point_exact - point_subset) < 0.1
        assert bowl(point_subset)[0] > bowl(point_exact)[0] - 0.01 * np.ptp(y)


def test_the_subset_follows_new_points_and_is_selected_again(data: Any) -> None:
    X, y = data
    subset = model(exact_limit=400, subset_size=300)
    subset.add_batch(X[:500], y[:500])
    first = subset.gp.size
    for row, value in zip(X[500:530], y[500:530], strict=True):
        subset.add(row, float(value))
    assert subset.gp.size == first + 30  # new points extend the factor
    subset.add_batch(X[530:], y[530:])  # more than the slack: selected again, back to the subset size
    assert subset.gp.size == 300
    assert np.max(subset.gp.targets) == pytest.approx(np.max(subset._transform(y)))  # the best one is kept


def test_the_subset_model_carries_extra_noise_and_a_callable_prior_mean(data: Any) -> None:
    X, y = data
    noisy = model(exact_limit=200, subset_size=150)
    noise = np.where(np.arange(len(y)) % 3 == 0, 0.01, 0.0)
    noisy.add_batch(X[:400], y[:400], noise[:400])
    extra = noisy.gp.extra_noise
    kept = noisy._subset.kept  # type: ignore[union-attr]
    assert len(kept) == 150 and np.count_nonzero(extra) == np.count_nonzero(noise[kept]) > 0
    offset = GaussianProcessModel(3, make_kernel("matern52"), prior_mean=lambda v: float(np.median(v)),
                                  exact_limit=200, subset_size=150)
    offset.add_batch(X[:400], y[:400])
    mean, _ = offset.predict(X[:5])
    assert np.all(np.isfinite(mean)) and offset.gp.prior_mean == "zero"


def test_subset_suggestions_are_deterministic_and_batches_spread(data: Any) -> None:
    X, y = data
    first, second = model(exact_limit=400, subset_size=300), model(exact_limit=400, subset_size=300)
    first.add_batch(X, y)
    for row, value in zip(X, y, strict=True):
        second.add(row, float(value))
    batch = first.suggest("ei", 4, X[:2], 0.0, 0.0, "kriging_believer", 7)
    assert np.array_equal(batch, second.suggest("ei", 4, X[:2], 0.0, 0.0, "kriging_believer", 7))
    assert len({tuple(np.round(p, 6)) for p in batch}) == 4
    fantasy = first.fantasized(batch[:1])
    assert fantasy.size == first.size + 1 and fantasy.gp.size == first.gp.size + 1


# -- bulk imports ---------------------------------------------------------------------------------------------
def test_add_batch_reaches_the_state_of_adding_one_by_one(data: Any) -> None:
    X, y = data
    bulk, single = model(), model()
    bulk.add_batch(X[:120], y[:120])
    for row, value in zip(X[:120], y[:120], strict=True):
        single.add(row, float(value))
    np.testing.assert_array_equal(bulk.gp.inputs, single.gp.inputs)
    np.testing.assert_allclose(bulk.gp.targets, single.gp.targets, rtol=1e-12, atol=1e-12)
    # The fits start from the same theta on data equal to rounding; L-BFGS stops within its tolerance of the optimum.
    np.testing.assert_allclose(bulk.gp.log_params, single.gp.log_params, rtol=1e-4, atol=1e-6)
    bulk.gp.log_params = single.gp.log_params  # at the same theta, the same factor
    np.testing.assert_allclose(bulk.gp.cholesky_factor(), single.gp.cholesky_factor(), atol=1e-8)


@settings(max_examples=12, deadline=None)
@given(n=st.integers(2, 90), cuts=st.lists(st.integers(0, 90), max_size=4), seed=st.integers(0, 1000))
def test_add_batch_in_any_chunks_equals_adding_one_by_one_across_the_limit(n: int, cuts: list[int],
                                                                           seed: int) -> None:
    X, y = study_like_data(n, seed)
    chunked, single = model(exact_limit=40, subset_size=25), model(exact_limit=40, subset_size=25)
    bounds = [0, *sorted(c for c in cuts if c < n), n]
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        chunked.add_batch(X[start:end], y[start:end])
    for row, value in zip(X, y, strict=True):
        single.add(row, float(value))
    assert chunked.size == single.size == n and chunked.exact == single.exact == (n <= 40)
    np.testing.assert_array_equal(chunked.gp.inputs, single.gp.inputs)
    np.testing.assert_allclose(chunked.gp.targets, single.gp.targets, rtol=1e-9, atol=1e-9)


def test_add_batch_refuses_bad_rows_and_records_nothing(data: Any) -> None:
    X, y = data
    bulk = model()
    with pytest.raises(ValueError, match="values must be finite"):
        bulk.add_batch(X[:3], [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="3 points, 2 values"):
        bulk.add_batch(X[:3], y[:2])
    with pytest.raises(ValueError, match="coordinates"):
        bulk.add_batch(X[:3, :2], y[:3])
    assert bulk.size == 0 and bulk.gp.size == 0


def space() -> dict[str, Any]:
    return {"a": spec.uniform(-1.0, 1.0), "b": spec.randint(0, 8), "c": spec.choice(["x", "y", "z"])}


def rows(n: int, seed: int) -> list[tuple[dict[str, Any], float]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        params = {"a": float(rng.uniform(-1, 1)), "b": int(rng.integers(0, 8)), "c": str(rng.choice(["x", "y", "z"]))}
        out.append((params, (params["a"] - 0.2) ** 2 + abs(params["b"] - 3) + (params["c"] != "y")))
    return out


def test_study_add_trials_equals_add_trial_one_by_one(tmp_path: Path) -> None:
    known = rows(60, seed=2)
    bulk = create_study(space(), direction="minimize", seed=4, storage=tmp_path / "bulk.json")
    single = create_study(space(), direction="minimize", seed=4)
    added = bulk.add_trials(known)
    for params, value in known:
        single.add_trial(params, value)
    assert [t.number for t in added] == list(range(60))
    assert [(t.params, t.value, t.state) for t in bulk.trials] == [(t.params, t.value, t.state) for t in single.trials]
    assert bulk.best_value == single.best_value
    np.testing.assert_array_equal(bulk.strategy.points, single.strategy.points)
    assert bulk.strategy.values == single.strategy.values
    asked, expected = bulk.ask().params, single.ask().params  # equal up to the factor's rounding
    assert asked == pytest.approx(expected, abs=1e-6) and asked["c"] == expected["c"]
    bulk.close()  # a JSON study file has one writer at a time
    resumed = create_study(space(), direction="minimize", seed=4, storage=tmp_path / "bulk.json")
    assert resumed.strategy.values == bulk.strategy.values  # resumed in one batch, the same record


def test_study_add_trials_writes_a_json_study_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One rewrite of the file for the whole import, not two per row (10,000 rows took minutes that way).
    writes: list[int] = []
    write = json_file.atomic_write_json

    def counted(path: Path, payload: Any, **options: Any) -> None:
        writes.append(len(payload["trials"]))
        write(path, payload, **options)

    study = create_study(space(), direction="minimize", seed=4, storage=tmp_path / "bulk.json")
    monkeypatch.setattr(json_file, "atomic_write_json", counted)
    known = rows(40, seed=5)
    study.add_trials(known)
    assert writes == [40]
    study.close()
    resumed = create_study(space(), direction="minimize", seed=4, storage=tmp_path / "bulk.json")
    assert [(t.number, t.state.name, t.params, t.value) for t in resumed.trials] == [
        (number, "COMPLETE", params, value) for number, (params, value) in enumerate(known)]


@pytest.fixture(params=["sqlite", "postgres"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from shared_url(request.param, tmp_path)


def test_study_add_trials_on_a_shared_store_numbers_after_what_is_there(shared_store: str) -> None:
    # The import is one transaction appended after the trials already stored; a second study on the store
    # reads the same trials and feeds them to its model.
    study = create_study(space(), direction="minimize", seed=4, storage=shared_store)
    first = study.ask()
    study.tell(first, 9.0)
    known = rows(30, seed=6)
    added = study.add_trials(known)
    assert [t.number for t in added] == list(range(1, 31))
    other = create_study(space(), direction="minimize", seed=4, storage=shared_store, load_if_exists=True)
    assert [(t.state.name, t.params, t.value) for t in other.trials[1:]] == [
        ("COMPLETE", params, value) for params, value in known]
    assert other.strategy.iteration == study.strategy.iteration == 31
    assert other.best_value == study.best_value == min(value for _, value in known)
    study.close()
    other.close()


def test_study_add_trials_checks_every_row_first() -> None:
    study = create_study(space(), seed=0)
    good = rows(3, seed=0)
    with pytest.raises(ValueError, match="row 1: value must be a finite number"):
        study.add_trials([good[0], (good[1][0], float("nan")), good[2]])
    with pytest.raises(ValueError, match="row 2"):
        study.add_trials([good[0], good[1], ({"a": 5.0, "b": 1, "c": "x"}, 1.0)])
    with pytest.raises(ValueError, match="row 0 is not a"):
        study.add_trials([good[0][0]])  # type: ignore[list-item]
    assert study.trials == [] and study.strategy.iteration == 0
    assert study.add_trials([]) == []


def test_a_study_imported_past_the_limit_asks_from_the_subset_model() -> None:
    study = create_study(space(), direction="minimize", seed=2)
    study.add_trials(rows(EXACT_LIMIT + 100, seed=3))
    model = study.strategy.model  # type: ignore[attr-defined]
    assert not model.exact and model.gp.size == SUBSET_SIZE
    trials = study.ask(2)
    assert len(trials) == 2 and trials[0].params != trials[1].params
    study.tell(trials[0], 0.5)
    assert model.size == EXACT_LIMIT + 101 and model.gp.size == SUBSET_SIZE + 1


# -- random search has no model --------------------------------------------------------------------------------
def test_random_strategy_fits_nothing_and_is_reproducible(tmp_path: Path) -> None:
    def trace(seed: int, storage: Path | None = None) -> list[dict[str, Any]]:
        study = create_study(space(), strategy="random", seed=seed, storage=storage)
        study.optimize(lambda p: p["a"] ** 2 + p["b"], n_trials=30)
        return [t.params for t in study.trials]

    study = create_study(space(), strategy="random", seed=1)
    assert isinstance(study.strategy, RandomStrategy) and not hasattr(study.strategy, "model")
    study.add_trials(rows(50, seed=1))
    assert study.strategy.iteration == 50 and len(study.ask(3)) == 3
    assert trace(3, tmp_path / "r3.json") == trace(3) != trace(4)
    resumed = create_study(space(), strategy="random", seed=3, storage=tmp_path / "r3.json")
    assert resumed.strategy.iteration == 30


# -- the core's selection ----------------------------------------------------------------------------------
def test_select_subset_keeps_the_best_and_its_neighbours() -> None:
    X, y = study_like_data(1000, seed=6)
    scales = np.array([0.2, 0.2, 0.2])
    kept = _core.select_subset(X, y, scales, 100, 9)
    assert len(kept) == 100 and np.all(np.diff(kept) > 0)
    assert set(np.argsort(-y, kind="stable")[:25]) <= set(kept.tolist())
    distance = np.sum(((X - X[np.argmax(y)]) / scales) ** 2, axis=1)
    assert set(np.argsort(distance, kind="stable")[:50]) <= set(kept.tolist())
    np.testing.assert_array_equal(kept, _core.select_subset(X, y, scales, 100, 9))
    np.testing.assert_array_equal(_core.select_subset(X[:50], y[:50], scales, 100), np.arange(50))
    with pytest.raises(ValueError, match="length_scales"):
        _core.select_subset(X, y, -scales, 100)
    with pytest.raises(ValueError, match="size"):
        _core.select_subset(X, y, scales, 0)


def test_bad_limits_and_parameters_random_search_does_not_take_are_refused() -> None:
    with pytest.raises(ValueError, match="exact_limit must be an integer of at least 2"):
        create_study(space(), exact_limit=1)
    with pytest.raises(ValueError, match="subset_size must be between 2 and exact_limit"):
        GaussianProcessModel(3, make_kernel("matern52"), exact_limit=100, subset_size=200)
    with pytest.raises(TypeError, match="burn_in"):
        create_study(space(), strategy="random", burn_in=3)
