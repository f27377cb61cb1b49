"""Behaviour of the search-space DSL: parsing, names, encoding contract, activity, inversion, errors."""

from __future__ import annotations

import copy
import math
import pickle
from typing import Any

import numpy as np
import pytest
from scipy import stats

from hyperengine import spec
from hyperengine.spec import Dimension, DimensionKind, ParsedSpec, SpecError


def original_example() -> dict[str, Any]:
    """The example spec of the original project description."""
    return {
        "optimizer": {
            "learning_rate": 10 ** spec.uniform(-3, -1),
            "epsilon": 1e-8,
        },
        "conv": {
            "filters": [
                [3, 3, spec.choice(range(32, 48))],
                [3, 3, spec.choice(range(64, 96))],
                [3, 3, spec.choice(range(128, 192))],
            ],
            "activation": spec.choice(["relu", "prelu", "elu"]),
            "down_sample": {"size": [2, 2], "pooling": spec.choice(["max_pool", "avg_pool"])},
            "residual": spec.random_bool(),
            "dropout": spec.uniform(0.75, 1.0),
        },
    }


# --- the original example -------------------------------------------------------------------------------


def test_original_example_parses_with_path_names_and_kinds() -> None:
    parsed = ParsedSpec(original_example())
    assert parsed.size() == 8
    assert parsed.get_names() == {
        0: "optimizer-learning_rate",
        1: "conv-filters-0-2",
        2: "conv-filters-1-2",
        3: "conv-filters-2-2",
        4: "conv-activation",
        5: "conv-down_sample-pooling",
        6: "conv-residual",
        7: "conv-dropout",
    }
    kinds = [(d.kind, d.levels) for d in parsed.dimensions()]
    assert kinds == [
        (DimensionKind.CONTINUOUS, 0),
        (DimensionKind.INTEGER, 16),
        (DimensionKind.INTEGER, 32),
        (DimensionKind.INTEGER, 64),
        (DimensionKind.CATEGORICAL, 3),
        (DimensionKind.CATEGORICAL, 2),
        (DimensionKind.CATEGORICAL, 2),
        (DimensionKind.CONTINUOUS, 0),
    ]


def test_original_example_instantiates_every_node_and_keeps_constants() -> None:
    space = original_example()
    parsed = ParsedSpec(space)
    config = parsed.instantiate([0.5, 0.0, 1.0, 0.5, 0.99, 0.25, 0.75, 0.2])
    assert config["optimizer"]["learning_rate"] == pytest.approx(0.01)
    assert config["optimizer"]["epsilon"] == 1e-8
    assert config["conv"]["filters"] == [[3, 3, 32], [3, 3, 95], [3, 3, 160]]
    assert config["conv"]["activation"] == "elu"
    assert config["conv"]["down_sample"] == {"size": [2, 2], "pooling": "max_pool"}
    assert config["conv"]["residual"] is True
    assert config["conv"]["dropout"] == pytest.approx(0.8)
    # A deep copy: mutating the config leaves the spec alone.
    config["conv"]["down_sample"]["size"].append(7)
    assert space["conv"]["down_sample"]["size"] == [2, 2]


def test_original_example_round_trips_through_to_unit() -> None:
    parsed = ParsedSpec(original_example())
    point = np.random.default_rng(3).random(parsed.size())
    config = parsed.instantiate(point)
    again = parsed.instantiate(parsed.to_unit(config))
    assert again["optimizer"]["learning_rate"] == pytest.approx(config["optimizer"]["learning_rate"])
    again["optimizer"]["learning_rate"] = config["optimizer"]["learning_rate"]
    assert again == config


# --- the encoding contract ------------------------------------------------------------------------------


@pytest.mark.parametrize("u", [0.0, 0.1, 0.5, 0.999, 1.0])
def test_uniform_maps_linearly(u: float) -> None:
    assert ParsedSpec(spec.uniform(-2.0, 6.0)).instantiate([u]) == -2.0 + u * 8.0


@pytest.mark.parametrize("u", [0.0, 1e-15, 0.025, 0.5, 0.9, 1.0])
def test_normal_is_the_clipped_inverse_cdf(u: float) -> None:
    clipped = min(max(u, 1e-12), 1 - 1e-12)
    expected = 3.0 + 2.0 * stats.norm.ppf(clipped)
    assert ParsedSpec(spec.normal(3.0, 2.0)).instantiate([u]) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("k", [1, 2, 3, 7, 10])
def test_discrete_index_is_floor_of_u_times_k_capped(k: int) -> None:
    parsed = ParsedSpec(spec.choice([f"option{i}" for i in range(k)]))
    for u in np.linspace(0.0, 1.0, 101):
        index = min(math.floor(u * k), k - 1)
        assert parsed.instantiate([u]) == f"option{index}"


# --- dimension kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node", "kind", "levels"),
    [
        (spec.uniform(0, 1), DimensionKind.CONTINUOUS, 0),
        (spec.normal(), DimensionKind.CONTINUOUS, 0),
        (spec.loguniform(1e-4, 1.0), DimensionKind.CONTINUOUS, 0),
        (spec.choice(range(0, 100, 10)), DimensionKind.INTEGER, 10),
        (spec.choice([1, 5, 9]), DimensionKind.INTEGER, 3),
        (spec.choice([np.int64(2), np.int64(4)]), DimensionKind.INTEGER, 2),
        (spec.choice([5, 1]), DimensionKind.CATEGORICAL, 2),
        (spec.choice([1, 1, 2]), DimensionKind.CATEGORICAL, 3),
        (spec.choice([0.5, 1.5]), DimensionKind.CATEGORICAL, 2),
        (spec.choice([False, True]), DimensionKind.CATEGORICAL, 2),
        (spec.choice(["a", "b", "c"]), DimensionKind.CATEGORICAL, 3),
        (spec.random_bool(), DimensionKind.CATEGORICAL, 2),
        (spec.random_bit(), DimensionKind.CATEGORICAL, 2),
        (spec.random_int(6), DimensionKind.INTEGER, 6),
        (spec.randint(-2, 3), DimensionKind.INTEGER, 5),
        (spec.quniform(0, 10, 2), DimensionKind.INTEGER, 6),
        (spec.quniform(0.0, 1.0, 0.25), DimensionKind.INTEGER, 5),
    ],
)
def test_dimension_kind_and_levels(node: spec.BaseNode, kind: DimensionKind, levels: int) -> None:
    assert ParsedSpec({"x": node}).dimensions() == [Dimension("x", kind, levels)]


def test_dimension_is_frozen() -> None:
    dimension = Dimension("x", DimensionKind.INTEGER, 3)
    with pytest.raises(AttributeError):
        dimension.levels = 4  # type: ignore[misc]
    assert dimension.is_discrete and not Dimension("y", DimensionKind.CONTINUOUS, 0).is_discrete


def test_integer_sugar_values() -> None:
    assert [ParsedSpec(spec.randint(-2, 3)).instantiate([u]) for u in (0, 0.2, 0.5, 1)] == [-2, -1, 0, 2]
    assert [ParsedSpec(spec.random_int(3)).instantiate([u]) for u in (0, 0.5, 1)] == [0, 1, 2]
    assert [ParsedSpec(spec.random_bit()).instantiate([u]) for u in (0, 1)] == [0, 1]
    assert [ParsedSpec(spec.random_bool()).instantiate([u]) for u in (0, 1)] == [False, True]
    values = [ParsedSpec(spec.quniform(4, 12, 4)).instantiate([u]) for u in (0, 0.5, 1)]
    assert values == [4, 8, 12] and all(isinstance(v, int) for v in values)
    assert ParsedSpec(spec.quniform(0.5, 1.0, 0.25)).instantiate([0.5]) == pytest.approx(0.75)


def test_loguniform_is_ten_to_a_uniform_exponent() -> None:
    parsed = ParsedSpec({"lr": spec.loguniform(1e-4, 1e-1)})
    assert parsed.instantiate([0.0])["lr"] == pytest.approx(1e-4)
    assert parsed.instantiate([1 / 3])["lr"] == pytest.approx(1e-3)
    assert parsed.instantiate([1.0])["lr"] == pytest.approx(1e-1)


# --- distributions --------------------------------------------------------------------------------------


def _draws(node: spec.BaseNode, n: int, seed: int) -> np.ndarray:
    parsed = ParsedSpec(node)
    return np.array([parsed.instantiate(p) for p in parsed.sample(n, seed)])


def test_ten_to_a_uniform_is_log_uniform() -> None:
    exponents = np.log10(_draws(10 ** spec.uniform(-3, -1), 3000, seed=11))
    assert stats.kstest(exponents, stats.uniform(loc=-3, scale=2).cdf).pvalue > 1e-3
    # The plain uniform over the same range is not log-uniform: the same test rejects it.
    plain = np.log10(_draws(spec.uniform(0.001, 0.1), 3000, seed=11))
    assert stats.kstest(plain, stats.uniform(loc=-3, scale=2).cdf).pvalue < 1e-9


def test_normal_draws_are_normal() -> None:
    draws = _draws(spec.normal(2.0, 0.5), 3000, seed=5)
    assert stats.kstest(draws, stats.norm(loc=2.0, scale=0.5).cdf).pvalue > 1e-3
    assert stats.kstest(draws, stats.norm(loc=2.0, scale=0.7).cdf).pvalue < 1e-9


def test_get_instance_is_a_seeded_random_draw() -> None:
    space = {"a": spec.uniform(0, 1), "b": spec.choice(["x", "y", "z"])}
    first = spec.get_instance(space, rng=42)
    assert first == spec.get_instance(space, rng=np.random.default_rng(42))
    assert 0 <= first["a"] <= 1 and first["b"] in {"x", "y", "z"}
    assert len({spec.get_instance(space)["a"] for _ in range(5)}) == 5


def test_sample_shape_and_range() -> None:
    points = ParsedSpec(original_example()).sample(50, rng=1)
    assert points.shape == (50, 8) and points.min() >= 0 and points.max() < 1
    with pytest.raises(ValueError, match="n must be >= 0"):
        ParsedSpec(original_example()).sample(-1)


# --- names ----------------------------------------------------------------------------------------------


def test_name_override_and_path_names() -> None:
    class Model:
        def __init__(self) -> None:
            self.width = spec.randint(8, 64)
            self.depth = spec.randint(1, 4, name="n_layers")

    space = {"model": Model(), "pair": (spec.uniform(), spec.normal(name="noise")), 7: spec.random_bit()}
    assert ParsedSpec(space).get_names() == {0: "model-width", 1: "n_layers", 2: "pair-0", 3: "noise", 4: "7"}


def test_names_through_merges_choices_and_the_root() -> None:
    a, b = spec.uniform(), spec.uniform()
    assert ParsedSpec({"x": a * b}).get_names() == {0: "x-0", 1: "x-1"}
    assert ParsedSpec({"x": 2 * spec.exp(a)}).get_names() == {0: "x"}
    assert ParsedSpec({"x": spec.merge([a, b], max, name="top")}).get_names() == {0: "top-0", 1: "top-1"}
    nested = spec.choice(["relu", {"kind": "leaky", "alpha": spec.uniform(0, 0.3)}])
    assert ParsedSpec({"act": nested}).get_names() == {0: "act", 1: "act-1-alpha"}
    assert ParsedSpec(spec.uniform()).get_names() == {0: "uniform"}
    assert ParsedSpec([spec.normal(), spec.choice(["a", "b"])]).get_names() == {0: "0", 1: "1"}


def test_taken_automatic_names_get_a_suffix_and_explicit_duplicates_fail() -> None:
    space = {"a-b": spec.uniform(), "a": {"b": spec.uniform()}, "c": spec.uniform(name="a-b")}
    assert ParsedSpec(space).get_names() == {0: "a-b~2", 1: "a-b~3", 2: "a-b"}
    with pytest.raises(SpecError, match=r"two dimensions are named 'lr'.*|at spec\['y'\]"):
        ParsedSpec({"x": spec.uniform(name="lr"), "y": spec.uniform(name="lr")})


def test_names_and_order_are_deterministic() -> None:
    first = ParsedSpec(original_example())
    second = ParsedSpec(original_example())
    assert first.get_names() == second.get_names() and first.dimensions() == second.dimensions()


# --- one node, one dimension ----------------------------------------------------------------------------


def test_a_node_reached_twice_is_one_dimension() -> None:
    width = spec.randint(1, 100)
    shared = [spec.uniform(0, 1)]
    space = {"encoder": width, "decoder": width, "sum": width + width, "l1": shared, "l2": shared}
    parsed = ParsedSpec(space)
    assert parsed.size() == 2
    config = parsed.instantiate([0.5, 0.25])
    assert config["encoder"] == config["decoder"] == 50 and config["sum"] == 100
    assert config["l1"] is config["l2"] and config["l1"] == [0.25]


# --- conditional spaces ---------------------------------------------------------------------------------


def conditional_space() -> dict[str, Any]:
    return {
        "optimizer": spec.choice(
            [
                {"name": "sgd", "lr": spec.loguniform(1e-3, 1e-1), "momentum": spec.uniform(0.0, 0.99)},
                {"name": "adam", "lr": spec.loguniform(1e-4, 1e-2)},
                {"name": "fixed"},
            ]
        ),
        "layers": spec.choice(
            [
                [spec.randint(16, 64)],
                [spec.randint(16, 64), spec.choice(["relu", spec.choice(["elu", "selu"])])],
            ]
        ),
    }


def test_conditional_space_dimensions_and_values() -> None:
    parsed = ParsedSpec(conditional_space())
    assert parsed.get_names() == {
        0: "optimizer",
        1: "optimizer-0-lr",
        2: "optimizer-0-momentum",
        3: "optimizer-1-lr",
        4: "layers",
        5: "layers-0-0",
        6: "layers-1-0",
        7: "layers-1-1",
        8: "layers-1-1-1",
    }
    config = parsed.instantiate([0.5, 0.0, 0.0, 0.5, 0.9, 0.0, 0.0, 0.9, 0.9])
    assert config == {"optimizer": {"name": "adam", "lr": pytest.approx(1e-3)}, "layers": [16, "selu"]}


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ([0.1, 0, 0, 0, 0.1, 0, 0, 0, 0], [1, 1, 1, 0, 1, 1, 0, 0, 0]),
        ([0.5, 0, 0, 0, 0.9, 0, 0, 0.1, 0], [1, 0, 0, 1, 1, 0, 1, 1, 0]),
        ([0.9, 0, 0, 0, 0.9, 0, 0, 0.9, 0], [1, 0, 0, 0, 1, 0, 1, 1, 1]),
    ],
)
def test_active_mask_follows_the_chosen_options(point: list[float], expected: list[int]) -> None:
    parsed = ParsedSpec(conditional_space())
    mask = parsed.active(point)
    assert mask.dtype == bool and mask.tolist() == [bool(e) for e in expected]
    # Inactive coordinates do not change the configuration.
    moved = np.where(mask, point, 0.77)
    assert parsed.instantiate(moved) == parsed.instantiate(point)


def test_a_node_in_a_chosen_and_a_rejected_option_is_active() -> None:
    shared = spec.uniform()
    parsed = ParsedSpec({"c": spec.choice([shared, "none"]), "also": [shared]})
    assert parsed.active([0.9, 0.3]).tolist() == [True, True]


# --- to_unit --------------------------------------------------------------------------------------------


def test_to_unit_maps_discrete_values_to_bin_centres_and_inactive_to_half() -> None:
    parsed = ParsedSpec(conditional_space())
    unit = parsed.to_unit({"optimizer": {"name": "fixed"}, "layers": [20, "elu"]})
    assert unit.tolist() == pytest.approx([5 / 6, 0.5, 0.5, 0.5, 0.75, 0.5, 4.5 / 48, 0.75, 0.25])


def test_to_unit_inverts_arithmetic_and_math_helpers() -> None:
    u = spec.uniform(1.0, 2.0)
    for node, value in [
        (3 * u + 1, 5.5),
        (1 - u, -0.5),
        (u / 4, 0.375),
        (2 / u, 4 / 3),
        (u**2, 2.25),
        (2**u, 2**1.5),
        (-u, -1.5),
        (+u, 1.5),
        (abs(-u), 1.5),
        (spec.exp(u), math.exp(1.5)),
        (spec.log(u, 2), math.log2(1.5)),
        (spec.log10(u), math.log10(1.5)),
        (spec.sqrt(u), math.sqrt(1.5)),
        (spec.pow(u, 3), 1.5**3),
        (spec.expm1(u), math.expm1(1.5)),
        (spec.log1p(u), math.log1p(1.5)),
        (spec.atan(u), math.atan(1.5)),
        (spec.sinh(u), math.sinh(1.5)),
        (spec.ldexp(u, 3), 12.0),
        (spec.frexp(u), math.frexp(1.5)),
        (spec.log(u), math.log(1.5)),
        (spec.tanh(u), math.tanh(1.5)),
        (spec.asinh(u), math.asinh(1.5)),
        (spec.acosh(u), math.acosh(1.5)),
    ]:
        assert ParsedSpec(node).to_unit(value) == pytest.approx([0.5]), node
    v = spec.uniform(-2.0, -1.0)
    assert ParsedSpec(v**2).to_unit(2.25) == pytest.approx([0.5])  # the negative root is the one in range
    bits = spec.randint(0, 16)
    assert ParsedSpec((bits ^ 5) << 2).to_unit((9 ^ 5) << 2) == pytest.approx([9.5 / 16])
    assert ParsedSpec(~bits).to_unit(~3) == pytest.approx([3.5 / 16])


def test_to_unit_of_nested_objects_and_named_dicts() -> None:
    class Config:
        def __init__(self) -> None:
            self.lr = spec.loguniform(1e-4, 1.0)
            self.opts = spec.new(beta=spec.uniform(0.5, 1.0), name="adam")

    parsed = ParsedSpec(Config())
    config = parsed.instantiate([0.25, 0.5])
    assert isinstance(config, Config) and isinstance(config.opts, spec.NamedDict)
    assert config.lr == pytest.approx(1e-3) and config.opts.beta == 0.75 and config.opts.name == "adam"
    assert parsed.to_unit(config) == pytest.approx([0.25, 0.5])
    assert parsed.to_unit({"lr": 1e-3, "opts": {"beta": 0.75}}) == pytest.approx([0.25, 0.5])


@pytest.mark.parametrize(
    ("space", "config", "message"),
    [
        ({"a": spec.uniform(0, 1)}, {"a": 1.5}, r"at spec\['a'\]: uniform\(0, 1\): 1.5 is outside \[0, 1\]"),
        ({"a": spec.uniform(0, 1)}, {"a": "x"}, r"at spec\['a'\]: .*expected a finite number"),
        ({"a": spec.uniform(0, 1)}, {"b": 0.5}, r"at spec\['a'\]: the configuration has nothing here"),
        ({"a": [spec.uniform()]}, {"a": [0.1, 0.2]}, r"at spec\['a'\]: expected a sequence of length 1"),
        ({"a": spec.choice(["x", "y"])}, {"a": "z"}, r"at spec\['a'\]: 'z' is not among the options"),
        ({"a": spec.randint(0, 4)}, {"a": 4}, r"at spec\['a'\]: .*4 is not among the options"),
        ({"a": spec.randint(0, 4)}, {"a": 1.5}, r"at spec\['a'\]: .*expected an integer"),
        (
            {"a": spec.quniform(0, 1, 0.25)},
            {"a": 0.3},
            r"at spec\['a'\]<input 1><input 1>: .*expected an int",
        ),
        ({"a": spec.uniform(0, 1, transform=math.exp)}, {"a": 1.0}, r"at spec\['a'\]: .*cannot be inverted"),
        ({"a": spec.choice([1, 2], transform=str)}, {"a": "1"}, r"at spec\['a'\]: .*has a transform"),
        ({"a": spec.uniform() * spec.uniform()}, {"a": 0.2}, r"at spec\['a'\]: mul combines several nodes"),
        (
            {"a": spec.merge([spec.uniform()], abs)},
            {"a": 0.2},
            r"at spec\['a'\]: merge\(abs\) cannot be inverted",
        ),
        ({"a": spec.sin(spec.uniform())}, {"a": 0.2}, r"at spec\['a'\]: sin cannot be inverted"),
        ({"a": spec.uniform() // 2}, {"a": 0.0}, r"at spec\['a'\]: floordiv cannot be inverted"),
        ({"a": spec.loguniform(1, 10)}, {"a": -1.0}, r"at spec\['a'\]: pow cannot produce -1.0"),
        (
            {"a": spec.choice([{"w": spec.uniform(0, 1)}, "none"])},
            {"a": {"w": 3.0}},
            r"at spec\['a'\]: .* is not among the options .*spec\['a'\]<option 0>\['w'\].*3.0 is outside",
        ),
    ],
)
def test_to_unit_errors_name_the_path(space: Any, config: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        ParsedSpec(space).to_unit(config)


def test_to_unit_uses_constants_to_tell_choice_options_apart() -> None:
    parsed = ParsedSpec(
        spec.choice([{"kind": "lin", "w": spec.uniform()}, {"kind": "log", "w": spec.uniform()}])
    )
    assert parsed.to_unit({"kind": "log", "w": 0.2}) == pytest.approx([0.75, 0.5, 0.2])
    assert parsed.to_unit({"kind": "lin", "w": 0.2}) == pytest.approx([0.25, 0.2, 0.5])
    with pytest.raises(SpecError, match=r"<option 1>\['kind'\]: expected 'log', got 'exp'"):
        parsed.to_unit({"kind": "exp", "w": 0.2})
    with pytest.raises(SpecError, match=r"<option 0>: expected a mapping with keys \['kind', 'w'\]"):
        parsed.to_unit({"kind": "lin", "w": 0.2, "extra": 1})


def test_to_unit_skips_merges_of_constants() -> None:
    parsed = ParsedSpec({"c": spec.merge([2, 3], max), "u": spec.uniform()})
    assert parsed.instantiate([0.4]) == {"c": 3, "u": 0.4}
    assert parsed.to_unit({"c": 3, "u": 0.4}) == pytest.approx([0.4])


def test_to_unit_rejects_a_node_reached_twice_with_different_values() -> None:
    u = spec.uniform()
    with pytest.raises(
        SpecError, match=r"at spec\['b'\]: dimension 'a' is reached twice with different values"
    ):
        ParsedSpec({"a": u, "b": u}).to_unit({"a": 0.2, "b": 0.3})
    assert ParsedSpec({"a": u, "b": u}).to_unit({"a": 0.2, "b": 0.2}) == pytest.approx([0.2])


# --- invalid specs --------------------------------------------------------------------------------------


class Uncopyable:
    def __deepcopy__(self, memo: dict[int, Any]) -> Uncopyable:
        raise TypeError("no copies of this, please")


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"a": {"b": spec.choice([])}}, r"at spec\['a'\]\['b'\]: choice needs at least one option"),
        ({"a": spec.choice("abc")}, r"at spec\['a'\]: choice needs an ordered sequence .* got str"),
        ({"a": spec.choice({1, 2})}, r"at spec\['a'\]: choice needs an ordered sequence .* got set"),
        ({"a": [spec.uniform(1, 1)]}, r"at spec\['a'\]\[0\]: uniform needs start < end, got start=1, end=1"),
        ({"a": spec.uniform(2, 1)}, r"at spec\['a'\]: uniform needs start < end"),
        ({"a": spec.uniform(0, math.inf)}, r"at spec\['a'\]: end must be finite"),
        ({"a": spec.uniform(math.nan, 1)}, r"at spec\['a'\]: start must be finite"),
        ({"a": spec.uniform("0", 1)}, r"at spec\['a'\]: start must be a real number"),
        ({"a": spec.uniform(0, 1, transform=3)}, r"at spec\['a'\]: transform must be callable"),
        ({"a": spec.normal(0, 0)}, r"at spec\['a'\]: normal needs stdev > 0, got 0"),
        ({"a": spec.normal(0, -1)}, r"at spec\['a'\]: normal needs stdev > 0"),
        ({"a": spec.merge([spec.uniform()], 42)}, r"at spec\['a'\]: merge needs a callable function, got 42"),
        ({"a": spec.merge(3, max)}, r"at spec\['a'\]: merge needs a list or tuple of nodes"),
        ({"a": spec.randint(5, 5)}, r"at spec\['a'\]: randint needs high > low, got low=5, high=5"),
        ({"a": spec.randint(0, 2.5)}, r"at spec\['a'\]: randint needs integer bounds"),
        ({"a": spec.random_int(0)}, r"at spec\['a'\]: random_int needs a positive integer n, got 0"),
        ({"a": spec.quniform(0, 1, 0)}, r"at spec\['a'\]: quniform needs q > 0, got q=0"),
        ({"a": spec.quniform(1, 1, 0.1)}, r"at spec\['a'\]: quniform needs low < high"),
        ({"a": spec.loguniform(0, 1)}, r"at spec\['a'\]: loguniform needs 0 < low < high"),
        ({"a": spec.uniform(name=3)}, r"at spec\['a'\]: name must be a string, got 3"),
        ({"a": spec.choice([1, spec.normal(0, 0)])}, r"at spec\['a'\]<option 1>: normal needs stdev > 0"),
        ({"a": 2 * spec.uniform(1, 0)}, r"at spec\['a'\]<input 1>: uniform needs start < end"),
        (
            {"a": [1, {"b": Uncopyable()}]},
            r"at spec\['a'\]\[1\]\['b'\]: the spec must be deep-copyable: TypeError",
        ),
        (
            {"a": {spec.uniform(), 2}},
            r"at spec\['a'\]: a spec node \(uniform\(0.0, 1.0\)\) is hidden inside a set",
        ),
        ({"a": {spec.uniform(): 2}}, r"at spec\['a'\]: a spec node .* is hidden inside a dict"),
    ],
)
def test_invalid_specs_raise_spec_error_with_the_path(space: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        ParsedSpec(space)
    assert isinstance(caught.value, ValueError) and caught.value.path.startswith("spec")


def test_a_node_that_contains_itself_is_refused() -> None:
    holder: dict[str, Any] = {}
    node = spec.choice(["leaf", holder])
    holder["again"] = node
    with pytest.raises(SpecError, match=r"at spec\['a'\]<option 1>\['again'\]: the node contains itself"):
        ParsedSpec({"a": node})


def test_reference_cycles_without_nodes_in_the_loop_are_fine() -> None:
    box: dict[str, Any] = {"x": spec.uniform()}
    box["self"] = box
    parsed = ParsedSpec({"box": box, "same": box})
    config = parsed.instantiate([0.5])
    assert (
        config["box"]["x"] == 0.5
        and config["box"]["self"] is config["box"]
        and config["same"] is config["box"]
    )


def test_a_very_deep_spec_is_a_clear_error_and_merge_is_the_flat_way() -> None:
    nodes = [spec.uniform() for _ in range(2000)]
    with pytest.raises(SpecError, match="nested too deeply .* spec.merge"):
        ParsedSpec(sum(nodes))
    flat = ParsedSpec(spec.merge(nodes, lambda *values: sum(values)))
    assert flat.size() == 2000 and flat.instantiate(np.full(2000, 0.5)) == pytest.approx(1000.0)


# --- points ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ([0.5], r"point must have shape \(2,\), got shape \(1,\)"),
        ([[0.5, 0.5]], r"point must have shape \(2,\), got shape \(1, 2\)"),
        ([0.5, math.nan], r"point\[1\] is NaN"),
        ([1.5, 0.5], r"point\[0\] = 1.5 is outside \[0, 1\]"),
        ([0.5, -0.1], r"point\[1\] = -0.1 is outside \[0, 1\]"),
        (["a", 0.5], r"point must be a sequence of floats"),
    ],
)
def test_bad_points_raise_value_error(point: Any, message: str) -> None:
    parsed = ParsedSpec([spec.uniform(), spec.uniform()])
    for method in (parsed.instantiate, parsed.active):
        with pytest.raises(ValueError, match=message):
            method(point)


def test_a_spec_without_nodes_is_a_zero_dimensional_constant() -> None:
    parsed = ParsedSpec({"a": [1, 2]})
    assert parsed.size() == 0 and parsed.instantiate([]) == {"a": [1, 2]}
    assert parsed.to_unit({"a": [1, 2]}).shape == (0,)


# --- NamedDict ------------------------------------------------------------------------------------------


def test_named_dict_attribute_and_item_access() -> None:
    d = spec.new({"a": 1}, b=2)
    assert d.a == 1 and d["b"] == 2 and d.missing is None
    d.c = 3
    assert d["c"] == 3 and d == {"a": 1, "b": 2, "c": 3}
    del d.a
    assert "a" not in d
    with pytest.raises(AttributeError):
        del d.a
    assert spec.new(a=1) == spec.NamedDict(a=1) and repr(spec.new(a=1)) == "NamedDict({'a': 1})"
    assert pickle.loads(pickle.dumps(d)) == d and isinstance(copy.deepcopy(d), spec.NamedDict)


def test_named_dict_spec_instantiates_to_named_dict() -> None:
    parsed = ParsedSpec(spec.new(lr=spec.uniform(0, 2), layers=spec.new(n=spec.randint(1, 3))))
    config = parsed.instantiate([0.5, 0.9])
    assert isinstance(config, spec.NamedDict) and config.lr == 1.0 and config.layers.n == 2


# --- operators and helpers outside of a spec ------------------------------------------------------------


def test_helpers_on_constants_return_plain_values() -> None:
    assert (
        spec.exp(0.0) == 1.0 and spec.log(8, 2) == 3.0 and spec.min_(3, 1, 2) == 1 and spec.max_([4, 5]) == 5
    )
    assert spec.frexp(8.0) == (0.5, 4) and spec.atan2(1.0, 1.0) == pytest.approx(math.pi / 4)


def test_numpy_scalars_defer_to_node_operators() -> None:
    node = np.float64(2.0) * spec.uniform(0, 1)
    assert isinstance(node, spec.MergeNode) and ParsedSpec(node).instantiate([0.25]) == 0.5


def test_user_can_still_deep_copy_a_spec() -> None:
    space = original_example()
    clone = copy.deepcopy(space)
    assert ParsedSpec(clone).get_names() == ParsedSpec(space).get_names()
