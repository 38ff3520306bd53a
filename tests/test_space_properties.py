"""Property-based tests of the search-space language over randomly generated valid spaces."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from unitune import Categorical, Conditional, ConfigError, Float, Int, Space

NAMES = list("abcdef")
LABELS = ["p", "q", "r", "long label"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

primitives = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
)


def _key(value: Any) -> tuple[type, Any]:
    return (type(value), value)


@st.composite
def floats(draw: st.DrawFn, finite: bool) -> Float:
    kind = draw(st.sampled_from(["step"] if finite else ["plain", "log", "step"]))
    if kind == "plain":
        low = draw(st.floats(-1e3, 1e3))
        return Float(low, low + draw(st.floats(0, 1e3)))
    if kind == "log":
        low = draw(st.floats(1e-6, 1e3))
        return Float(low, low * draw(st.floats(1, 1e4)), log=True)
    low = draw(st.one_of(st.integers(-50, 50), st.floats(-100, 100)))
    step = draw(st.sampled_from([0.1, 0.25, 0.3, 0.5, 1, 2.5, 1e-3]))
    n = draw(st.integers(0, 3 if finite else 20))
    return Float(low, low + n * step, step=step)


@st.composite
def ints(draw: st.DrawFn, finite: bool) -> Int:
    width = 3 if finite else 1000
    kind = draw(st.sampled_from(["plain", "log", "step"]))
    if kind == "log":
        low = draw(st.integers(1, 100))
        return Int(low, low + draw(st.integers(0, width)), log=True)
    low = draw(st.integers(-1000, 1000))
    if kind == "plain":
        return Int(low, low + draw(st.integers(0, width)))
    step = draw(st.integers(1, 5))
    return Int(low, low + draw(st.integers(0, 3 if finite else 20)) * step, step=step)


def leaves(finite: bool) -> st.SearchStrategy[Any]:
    return st.one_of(
        floats(finite),
        ints(finite),
        st.lists(primitives, min_size=1, max_size=3 if finite else 5, unique_by=_key).map(Categorical),
        primitives,  # a constant
        st.lists(primitives, max_size=3),  # a list constant
    )


@st.composite
def namespaces(draw: st.DrawFn, depth: int, finite: bool, taken: frozenset[str]) -> tuple[dict[str, Any], set[str]]:
    """A mapping whose names (with those of its Conditionals' branches) avoid ``taken``; and those names."""
    mapping: dict[str, Any] = {}
    used = set(taken)
    for _ in range(draw(st.integers(0, 3))):
        available = [n for n in NAMES if n not in used]
        if not available:
            break
        name = draw(st.sampled_from(available))
        used.add(name)
        kind = draw(st.sampled_from(["leaf", "leaf", "dict", "conditional"] if depth < 2 else ["leaf"]))
        if kind == "leaf":
            mapping[name] = draw(leaves(finite))
        elif kind == "dict":  # a fresh namespace
            mapping[name] = draw(namespaces(depth + 1, finite, frozenset()))[0]
        else:
            labels = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=3, unique=True))
            branches, inside = {}, set()
            outside = frozenset(used)
            for label in labels:  # branches avoid the names outside, and may reuse each other's
                branches[label], names = draw(namespaces(depth + 1, finite, outside))
                inside |= names
            used |= inside  # later siblings avoid every branch's names
            mapping[name] = Conditional(branches)
    return mapping, used - taken


def spaces(finite: bool = False) -> st.SearchStrategy[Space]:
    return namespaces(0, finite, frozenset()).map(lambda pair: Space(pair[0]))


def count(mapping: dict[str, Any]) -> int:
    """Number of configurations, computed from the elements (product over a dict, sum over branches)."""
    total = 1
    for value in mapping.values():
        if isinstance(value, Float):
            assert value.step is not None
            total *= round((value.high - value.low) / value.step) + 1
        elif isinstance(value, Int):
            total *= (value.high - value.low) // value.step + 1
        elif isinstance(value, Categorical):
            total *= len(value.choices)
        elif isinstance(value, Conditional):
            total *= sum(count(dict(branch)) for branch in value.branches.values())
        elif isinstance(value, dict):
            total *= count(value)
    return total


def canonical(config: Any) -> str:
    return json.dumps(config, sort_keys=True)


# -- properties ---------------------------------------------------------------------------------------------


@SETTINGS
@given(spaces(), st.integers(0, 2**32 - 1))
def test_every_sample_validates_and_is_reproducible(space: Space, seed: int) -> None:
    config = space.sample(seed)
    space.validate(config)
    assert space.sample(seed) == config
    assert space.active(config) <= set(space.names)
    assert set(space.flatten(config)) >= space.active(config)


@SETTINGS
@given(spaces(), st.integers(0, 2**32 - 1), st.data())
def test_dropping_an_active_parameter_fails_validation(space: Space, seed: int, data: st.DataObject) -> None:
    config = space.sample(seed)
    active = sorted(space.active(config))
    assume(active)
    name = data.draw(st.sampled_from(active))
    flat = space.flatten(config)
    del flat[name]
    broken = space.unflatten(flat)
    with pytest.raises(ConfigError, match=re.escape(f"{name!r}: missing")):
        space.validate(broken)


@SETTINGS
@given(spaces(), st.integers(0, 2**32 - 1))
def test_unflatten_inverts_flatten(space: Space, seed: int) -> None:
    config = space.sample(seed)
    flat = space.flatten(config)
    assert all(isinstance(k, str) for k in flat)
    assert space.unflatten(flat) == config


@SETTINGS
@given(spaces(), st.integers(0, 2**32 - 1))
def test_decode_inverts_encode(space: Space, seed: int) -> None:
    config = space.sample(seed)
    raw = space.encode(config)
    assert set(raw) == set(space.active_keys(raw))
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw.values())
    assert space.decode(raw) == config
    assert space.encode(space.decode(raw)) == raw


@SETTINGS
@given(spaces())
def test_to_dict_round_trips_through_json_and_yaml(space: Space) -> None:
    data = space.to_dict()
    via_json = Space.from_dict(json.loads(json.dumps(data)))
    assert via_json == space
    assert via_json.param_keys == space.param_keys
    via_yaml = Space.from_dict(yaml.safe_load(yaml.safe_dump(data, sort_keys=False)))
    assert via_yaml == space
    assert via_yaml.param_keys == space.param_keys
    assert via_yaml.sample(0) == space.sample(0)


@SETTINGS
@given(spaces(finite=True))
def test_grid_of_a_finite_space(space: Space) -> None:
    size = space.grid_size()
    assume(size <= 500)
    assert size == count(dict(space.mapping))
    grid = list(space.grid())
    assert len(grid) == size
    assert len({canonical(c) for c in grid}) == size
    for config in grid:
        space.validate(config)
        assert space.decode(space.encode(config)) == config


@SETTINGS
@given(spaces(finite=True), st.integers(0, 2**32 - 1))
def test_samples_of_a_finite_space_are_grid_points(space: Space, seed: int) -> None:
    assume(space.grid_size() <= 500)
    assert canonical(space.sample(seed)) in {canonical(c) for c in space.grid()}


def test_the_strategy_covers_the_language() -> None:
    """The generated spaces really contain every element kind, nesting, and reused names."""
    seen: set[str] = set()

    def walk(mapping: Any, depth: int) -> None:
        for value in mapping.values():
            if isinstance(value, Float):
                seen.add("float-log" if value.log else "float-step" if value.step is not None else "float")
            elif isinstance(value, Int):
                seen.add("int-log" if value.log else "int-step" if value.step != 1 else "int")
            elif isinstance(value, Categorical):
                seen.add("categorical")
            elif isinstance(value, Conditional):
                seen.add("conditional" if depth == 0 else "nested-conditional")
                for branch in value.branches.values():
                    walk(branch, depth + 1)
            elif isinstance(value, dict):
                seen.add("dict")
                walk(value, depth)
            else:
                seen.add("constant")

    @settings(max_examples=200, deadline=None, database=None)
    @given(spaces())
    def collect(space: Space) -> None:
        walk(space.mapping, 0)
        if len(space.param_keys) > len(space.names):
            seen.add("reused-name")

    collect()
    expected = {"float", "float-log", "float-step", "int", "int-log", "int-step", "categorical", "constant"}
    assert expected | {"dict", "conditional", "nested-conditional", "reused-name"} <= seen
