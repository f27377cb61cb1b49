"""A discrete dimension has at most 2**31 - 1 levels (the compiled core counts them in 32-bit integers): a larger
randint or choice is a SpecError naming the node, and one at the limit works."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hyperengine
from hyperengine import spec
from hyperengine.spec.dimension import MAX_LEVELS
from hyperengine.spec.errors import SpecError
from hyperengine.spec.leaves import _option_count


@pytest.mark.parametrize("node", [spec.randint(0, 10**12), spec.choice(range(10**20)), spec.randint(-(2**31), 2**31)])
def test_too_many_levels_is_a_spec_error_naming_the_node(node: object) -> None:
    with pytest.raises(SpecError, match=r"spec\['width'\].*at most 2147483647"):
        hyperengine.create_study({"width": node})


def test_the_largest_range_works() -> None:
    study = hyperengine.create_study({"width": spec.randint(0, MAX_LEVELS)}, seed=0)
    for _ in range(3):
        trial = study.ask()
        assert 0 <= trial.params["width"] < MAX_LEVELS
        study.tell(trial, float(trial.params["width"]))


@settings(max_examples=200, deadline=None)
@given(start=st.integers(-50, 50), stop=st.integers(-50, 50), step=st.integers(-7, 7).filter(bool))
def test_option_count_is_the_length_of_the_range(start: int, stop: int, step: int) -> None:
    assert _option_count(range(start, stop, step)) == len(range(start, stop, step))
