"""hypercore._core.suggest: batches of distinct points, determinism under a seed, pending points avoided,
discrete coordinates returned at bin centres, and the maximum of an acquisition surface found."""

import numpy as np
import pytest

from hypercore import _core


def smooth(X: np.ndarray) -> np.ndarray:
    """A smooth objective on the unit cube."""
    return (np.sin(3.0 * X + np.arange(X.shape[1])) - 2.0 * (X - 0.4) ** 2).sum(axis=1)


def filled_gp(
    space: _core.Space, n: int, seed: int, length_scale: float | None = None
) -> _core.GaussianProcess:
    """A GP on n random points: fitted, or with the given length scales (unit signal, 1e-4 noise)."""
    rng = np.random.default_rng(seed)
    gp = _core.GaussianProcess(space)
    X = space.canonicalize(rng.random((n, space.size)))
    gp.add_batch(X, smooth(X))
    if length_scale is None:
        gp.fit(seed=seed)
    else:
        gp.log_params = np.array([np.log(length_scale)] * space.size + [0.0, np.log(1e-4)])
    return gp


@pytest.mark.parametrize("acquisition", ["ei", "pi", "ucb"])
@pytest.mark.parametrize("fantasy", ["kriging_believer", "constant_liar_min", "constant_liar_max"])
def test_batch_suggestions_are_distinct_and_unobserved(acquisition: str, fantasy: str) -> None:
    gp = filled_gp(_core.Space(3), 25, 0, length_scale=0.3)
    points, scores = _core.suggest(gp, acquisition=acquisition, count=5, fantasy=fantasy, seed=3)
    assert points.shape == (5, 3) and scores.shape == (5,)
    assert np.all(np.isfinite(scores))
    assert np.all((points >= 0.0) & (points <= 1.0))
    distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    # PI rewards the probability, not the size, of an improvement: with a liar at the incumbent (z ~ 0 next
    # to each fantasy) its batches stay distinct but may crowd within ~1e-4 of each other
    separation = 1e-9 if acquisition == "pi" else 1e-3
    assert np.all(distances[np.triu_indices(5, 1)] > separation)
    to_data = np.linalg.norm(points[:, None, :] - gp.inputs[None, :, :], axis=2)
    assert np.all(to_data > 1e-9)
    assert len(gp) == 25  # fantasies never touch the caller's GP


def test_the_same_seed_gives_the_same_suggestions() -> None:
    gp = filled_gp(_core.Space(4), 30, 1)
    first = _core.suggest(gp, count=3, seed=11)
    second = _core.suggest(gp, count=3, seed=11)
    single_thread = _core.suggest(gp, count=3, seed=11, threads=1)
    for a, b, c in zip(first, second, single_thread, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_pending_points_are_avoided() -> None:
    gp = filled_gp(_core.Space(2), 20, 2, length_scale=0.3)
    (first,), (first_score,) = _core.suggest(gp, seed=5)
    (second,), (second_score,) = _core.suggest(gp, seed=5, pending=first[None, :].copy())
    assert np.linalg.norm(second - first) > 1e-2
    assert second_score < first_score  # the best spot is taken: what is left is worth less


def test_discrete_coordinates_come_back_as_bin_centres() -> None:
    levels = [0, 7, 3, 100]
    space = _core.Space(["continuous", "integer", "categorical", "integer"], levels)
    gp = filled_gp(space, 25, 3)
    points, _ = _core.suggest(gp, count=4, seed=7)
    for j in (1, 2, 3):
        k = levels[j]
        centres = (np.minimum(np.floor(points[:, j] * k), k - 1) + 0.5) / k
        np.testing.assert_array_equal(points[:, j], centres)


def test_suggestion_reaches_the_maximum_of_the_acquisition_surface() -> None:
    gp = filled_gp(_core.Space(2), 15, 4)
    # UCB with beta = 0 is the posterior mean: its maximum over a fine grid is a known target
    points, scores = _core.suggest(gp, acquisition="ucb", beta=0.0, seed=9)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 301), np.linspace(0, 1, 301)), axis=-1).reshape(-1, 2)
    mean, _ = gp.predict(grid, standardized=True)
    assert scores[0] >= mean.max() - 1e-6
    best_mean, _ = gp.predict(points, standardized=True)
    assert best_mean[0] == pytest.approx(scores[0], abs=1e-12)


def test_bad_suggest_arguments_raise_value_error() -> None:
    gp = filled_gp(_core.Space(2), 5, 5)
    with pytest.raises(ValueError, match="count"):
        _core.suggest(gp, count=0)
    with pytest.raises(ValueError, match="fantasy"):
        _core.suggest(gp, fantasy="optimist")
    with pytest.raises(ValueError, match="acquisition"):
        _core.suggest(gp, acquisition="kg")
    with pytest.raises(ValueError, match="num_starts"):
        _core.suggest(gp, num_starts=0)
