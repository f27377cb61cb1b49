"""A spec (the structure of nodes, before parsing) pickles, for joblib workers and pickled scikit-learn
searches: the copy instantiates and inverts alike."""

from __future__ import annotations

import pickle

import numpy as np

from hyperengine import spec


def every_invertible_node() -> dict[str, object]:
    u = spec.uniform(0.1, 0.9)
    return {
        "pow": 10 ** spec.uniform(-3, 3), "add": u + 1, "rsub": 1 - spec.uniform(0, 1), "mul": 2 * spec.uniform(0, 1),
        "div": 1 / spec.uniform(1, 2), "neg": -spec.uniform(0, 1), "pos": +spec.uniform(0, 1),
        "xor": spec.randint(0, 8) ^ 3, "invert": ~spec.randint(0, 8), "exp": spec.exp(spec.uniform(0, 1)),
        "expm1": spec.expm1(spec.uniform(0, 1)), "log": spec.log(spec.uniform(1, 2)),
        "log2": spec.log(spec.uniform(1, 2), 2), "log1p": spec.log1p(spec.uniform(0, 1)),
        "log10": spec.log10(spec.uniform(1, 10)), "sinh": spec.sinh(spec.uniform(0, 1)),
        "tanh": spec.tanh(spec.uniform(0, 1)), "asin": spec.asin(spec.uniform(0, 1)),
        "acos": spec.acos(spec.uniform(0, 1)), "atan": spec.atan(spec.uniform(0, 1)),
        "asinh": spec.asinh(spec.uniform(0, 1)), "acosh": spec.acosh(spec.uniform(1, 2)),
        "atanh": spec.atanh(spec.uniform(0, 0.9)), "ldexp": spec.ldexp(spec.uniform(0, 1), 3),
        "choice": spec.choice([{"a": spec.uniform(0, 1)}, {"b": spec.choice(["x", "y"])}]),
    }


def test_a_pickled_spec_instantiates_and_inverts_like_the_original() -> None:
    space = every_invertible_node()
    original, copy = spec.ParsedSpec(space), spec.ParsedSpec(pickle.loads(pickle.dumps(space)))
    rng = np.random.default_rng(0)
    for _ in range(20):
        point = rng.uniform(size=original.size())
        params = original.instantiate(point)
        assert copy.instantiate(point) == params
        np.testing.assert_allclose(copy.to_unit(params), original.to_unit(params), atol=1e-12)
