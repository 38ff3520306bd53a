"""Unit tests of the search-space language: elements, Space, validation, serialization, grids."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np
import pytest
import yaml

import unitune as ut
from unitune import (
    Categorical,
    Conditional,
    ConfigError,
    Float,
    Int,
    Space,
    SpaceError,
    SpaceTypeError,
    UnituneError,
)


class Estimator:
    """Something shaped like a scikit-learn estimator (compares by identity)."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def get_params(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Unhashable:
    __hash__ = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unhashable)


def check_error(error: BaseException, *fragments: str) -> None:
    message = str(error)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# -- elements ------------------------------------------------------------------------------------


def test_element_fields_and_defaults() -> None:
    f = Float(1e-5, 0.1)
    assert (f.low, f.high, f.log, f.step) == (1e-5, 0.1, False, None)
    i = Int(1, 10)
    assert (i.low, i.high, i.log, i.step) == (1, 10, False, 1)
    assert Categorical(x for x in "ab").choices == ("a", "b")
    assert Conditional({"a": {}, "b": {"x": 1}}).labels == ("a", "b")


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: Float(0, 1, True), id="Float-log"),
        pytest.param(lambda: Float(0, 1, False, 0.5), id="Float-step"),
        pytest.param(lambda: Int(1, 9, True), id="Int-log"),
        pytest.param(lambda: Int(1, 9, False, 2), id="Int-step"),
    ],
)
def test_flags_are_keyword_only(build: Any) -> None:
    with pytest.raises(TypeError):
        build()


@pytest.mark.parametrize(
    ("element", "field", "value"),
    [
        (Float(0, 1), "low", 0.5),
        (Float(0, 1), "log", True),
        (Int(0, 4), "step", 2),
        (Categorical(["a", "b"]), "choices", ("c",)),
        (Conditional({"a": {}}), "branches", {}),
    ],
    ids=["Float.low", "Float.log", "Int.step", "Categorical.choices", "Conditional.branches"],
)
def test_elements_are_frozen(element: Any, field: str, value: Any) -> None:
    before = getattr(element, field)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(element, field, value)
    assert getattr(element, field) == before


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Float(0, 1), Float(0.0, 1.0)),
        (Float(1e-5, 0.1, log=True), Float(1e-5, 0.1, log=True)),
        (Float(0, 1, step=0.25), Float(0, 1, step=0.25)),
        (Int(32, 256, step=32), Int(32, 256, step=32)),
        (Int(1, 100, log=True), Int(1, 100, log=True)),
        (Categorical(["relu", None, (1, 2)]), Categorical(("relu", None, (1, 2)))),
        (Categorical([[1, 2], {"a": 1}]), Categorical([[1, 2], {"a": 1}])),  # unhashable choices
        (
            Conditional({"adam": {"b1": Float(0.8, 0.99)}, "sgd": {}}),
            Conditional({"adam": {"b1": Float(0.8, 0.99)}, "sgd": {}}),
        ),
    ],
    ids=[
        "Float",
        "Float-log",
        "Float-step",
        "Int-step",
        "Int-log",
        "Categorical",
        "Categorical-unhashable",
        "Conditional",
    ],
)
def test_equal_elements_hash_equal(a: Any, b: Any) -> None:
    assert a is not b
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert {a: "x"}[b] == "x"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Float(0, 1), Float(0, 2)),
        (Float(1, 2), Float(1, 2, log=True)),
        (Float(0, 1), Float(0, 1, step=0.5)),
        (Float(0, 1), Int(0, 1)),
        (Int(0, 4), Int(0, 4, step=2)),
        (Categorical([1]), Categorical([True])),
        (Categorical([1]), Categorical([1.0])),
        (Categorical(["a", "b"]), Categorical(["b", "a"])),
        (Categorical([Estimator()]), Categorical([Estimator()])),
        (Conditional({"a": {}}), Conditional({"b": {}})),
        (Conditional({"a": {}, "b": {}}), Conditional({"b": {}, "a": {}})),  # label order gives the raw indices
        (Conditional({"a": {"x": Int(0, 1)}}), Conditional({"a": {"x": Int(0, 2)}})),
    ],
)
def test_different_elements_are_not_equal(a: Any, b: Any) -> None:
    assert a != b
    assert len({a, b}) == 2


@pytest.mark.parametrize(
    ("element", "text"),
    [
        (Float(1e-5, 1e-1, log=True), "Float(1e-05, 0.1, log=True)"),
        (Float(0, 1, step=0.25), "Float(0, 1, step=0.25)"),
        (Float(-1.5, 2.5), "Float(-1.5, 2.5)"),
        (Int(32, 256, step=32), "Int(32, 256, step=32)"),
        (Int(1, 100, log=True), "Int(1, 100, log=True)"),
        (Int(0, 3), "Int(0, 3)"),
        (Categorical(["relu", "tanh", None]), "Categorical(['relu', 'tanh', None])"),
        (Categorical([(1, 2), True]), "Categorical([(1, 2), True])"),
        (
            Conditional({"adam": {"beta1": Float(0.8, 0.999)}, "sgd": {}}),
            "Conditional({'adam': {'beta1': Float(0.8, 0.999)}, 'sgd': {}})",
        ),
    ],
)
def test_repr_is_readable_and_evaluable(element: Any, text: str) -> None:
    assert repr(element) == text
    namespace = {"Float": Float, "Int": Int, "Categorical": Categorical, "Conditional": Conditional}
    assert eval(text, namespace) == element


# -- categorical choices are arbitrary objects ------------------------------------------------------


def test_categorical_returns_the_very_choice_objects() -> None:
    choices = [None, (1, 2), {"depth": 3}, Estimator(0.1), Estimator(0.2), Unhashable(), [1, 2], np.array([1.0, 2.0])]
    space = Space({"model": Categorical(choices)})
    seen: set[int] = set()
    for seed in range(200):
        config = space.sample(seed)
        space.validate(config)
        value = config["model"]
        index = next(i for i, c in enumerate(choices) if c is value)
        seen.add(index)
        assert space.encode(config) == {"model": index}
        assert space.decode(space.encode(config))["model"] is value
    assert seen == set(range(len(choices)))
    grid = [c["model"] for c in space.grid()]
    assert len(grid) == len(choices)
    assert all(g is c for g, c in zip(grid, choices, strict=True))
    assert space.decode({"model": 3})["model"] is choices[3]


def test_categorical_encode_prefers_identity_over_equality() -> None:
    first, second = [1, 2], [1, 2]
    space = Space({"x": Categorical([first, second])})
    assert space.encode({"x": second}) == {"x": 1}
    assert space.encode({"x": first}) == {"x": 0}
    assert space.encode({"x": [1, 2]}) == {"x": 0}  # an equal copy maps to the first equal choice
    with pytest.raises(ConfigError, match="not one of"):
        space.encode({"x": [2, 1]})


def test_categorical_distinguishes_bool_int_and_float() -> None:
    space = Space({"x": Categorical([1, True, 1.0])})
    assert [space.encode({"x": v})["x"] for v in (1, True, 1.0)] == [0, 1, 2]
    decoded = [space.decode({"x": i})["x"] for i in range(3)]
    assert [type(v) for v in decoded] == [int, bool, float]


def test_categorical_dict_choice_validates() -> None:
    choice = {"kernel": "rbf", "C": 1.0}
    space = Space({"svm": Categorical([choice, None])})
    space.validate({"svm": choice})
    assert space.flatten({"svm": choice}) == {"svm": choice}
    with pytest.raises(ConfigError, match="'svm'"):
        space.validate({"svm": {"kernel": "linear"}})


# -- Space basics ---------------------------------------------------------------------------------------


def nested_space() -> Space:
    return Space(
        {
            "lr": Float(1e-5, 1e-1, log=True),
            "model": {"layers": Int(1, 4), "act": Categorical(["relu", "tanh"]), "dropout": 0.1},
            "optimizer": {
                "kind": Conditional(
                    {
                        "adam": {"beta1": Float(0.8, 0.999), "eps": Float(1e-8, 1e-6, log=True)},
                        "sgd": {
                            "momentum": Float(0.0, 0.9, step=0.1),
                            "nesterov": Conditional({"yes": {"damping": Int(0, 3)}, "no": {}}),
                        },
                        "rmsprop": {"beta1": Float(0.5, 0.9)},
                    }
                ),
            },
            "epochs": 10,
        }
    )


def test_names_are_flat_dotted_in_order() -> None:
    space = nested_space()
    assert space.names == (
        "lr",
        "model.layers",
        "model.act",
        "optimizer.kind",
        "optimizer.beta1",
        "optimizer.eps",
        "optimizer.momentum",
        "optimizer.nesterov",
        "optimizer.damping",
    )
    assert len(space) == 10  # beta1 appears once per branch


def test_reused_names_get_unique_keys_but_one_name() -> None:
    space = nested_space()
    keys = space.param_keys
    assert len(set(keys)) == len(keys) == len(space.params)
    beta_keys = [p.key for p in space.params if p.name == "optimizer.beta1"]
    assert len(beta_keys) == 2
    assert all(k != "optimizer.beta1" for k in beta_keys)
    assert any("adam" in k for k in beta_keys)
    assert any("rmsprop" in k for k in beta_keys)
    assert space.param("optimizer.eps").name == "optimizer.eps"  # a name used once keeps its name as key
    assert space.param(beta_keys[0]).element == Float(0.8, 0.999)
    assert space.param(beta_keys[1]).element == Float(0.5, 0.9)


def test_plain_values_are_constants_and_dicts_nest() -> None:
    space = Space({"a": {"b": {"c": Int(0, 2)}, "const": [1, 2]}, "s": "text", "n": None, "e": {}})
    assert space.names == ("a.b.c",)
    config = space.sample(0)
    assert config == {"a": {"b": {"c": config["a"]["b"]["c"]}, "const": [1, 2]}, "s": "text", "n": None, "e": {}}
    assert set(space.flatten(config)) == {"a.b.c", "a.const", "s", "n"}


def test_space_accepts_a_space_and_nested_spaces() -> None:
    inner = Space({"x": Float(0, 1)})
    assert Space(inner) == inner
    space = Space({"model": inner, "c": 1})
    assert space.names == ("model.x",)
    assert Space.from_dict(json.loads(json.dumps(space.to_dict()))) == space


def test_space_equality_and_hash() -> None:
    assert nested_space() == nested_space()
    assert hash(nested_space()) == hash(nested_space())
    assert Space({"x": Float(0, 1)}) != Space({"x": Float(0, 2)})
    assert Space({"x": Float(0, 1), "c": 1}) != Space({"x": Float(0, 1), "c": 2})
    assert Space({"x": Float(0, 1)}) != {"x": Float(0, 1)}


def test_space_of_a_non_mapping_is_a_type_error() -> None:
    with pytest.raises(SpaceTypeError, match="dict"):
        Space([Float(0, 1)])


# -- bounds are inclusive --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "inside", "outside"),
    [
        (Float(0.5, 2.0), [0.5, 2.0, 1], [0.4999, 2.0001]),
        (Float(1e-3, 1.0, log=True), [1e-3, 1.0], [9e-4, 1.01]),
        (Float(0.0, 1.0, step=0.25), [0.0, 0.25, 1.0], [-0.25, 1.25]),
        (Int(1, 3), [1, 3], [0, 4]),
        (Int(2, 10, step=4), [2, 6, 10], [-2, 14]),
        (Int(1, 100, log=True), [1, 100], [0, 101]),
    ],
)
def test_bounds_are_inclusive(element: Any, inside: list[Any], outside: list[Any]) -> None:
    space = Space({"x": element})
    for value in inside:
        space.validate({"x": value})
    for value in outside:
        with pytest.raises(ConfigError, match="outside"):
            space.validate({"x": value})


@pytest.mark.parametrize(
    ("element", "values"),
    [
        (Int(1, 3), [1, 2, 3]),
        (Int(0, 9, step=3), [0, 3, 6, 9]),
        (Float(0, 1, step=0.25), [0.0, 0.25, 0.5, 0.75, 1.0]),
        (Float(0, 0.3, step=0.1), [0.0, 0.1, 0.2, 0.3]),
        (Float(0, 0.9, step=0.1), [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
        (Float(-1.05, 0.45, step=0.25), [-1.05, -0.8, -0.55, -0.3, -0.05, 0.2, 0.45]),
        (Float(0, 1e-5, step=2.5e-6), [0.0, 2.5e-6, 5e-6, 7.5e-6, 1e-5]),
        (Float(2.0, 2.0), [2.0]),
        (Categorical(["a", None]), ["a", None]),
    ],
)
def test_grid_reaches_both_bounds(element: Any, values: list[Any]) -> None:
    space = Space({"x": element})
    grid = [c["x"] for c in space.grid()]
    assert grid == values  # exactly: 0.3, not 0.30000000000000004
    assert space.grid_size() == len(values)
    for config in space.grid():
        assert space.decode(space.encode(config)) == config


def test_sample_stays_within_bounds() -> None:
    space = Space(
        {
            "a": Float(-1, 1),
            "b": Float(1e-4, 1e-2, log=True),
            "c": Float(0, 1, step=0.1),
            "d": Int(-3, 3),
            "e": Int(1, 1000, log=True),
            "f": Int(10, 50, step=10),
        }
    )
    for seed in range(300):
        config = space.sample(seed)
        space.validate(config)
        assert -1 <= config["a"] <= 1
        assert 1e-4 <= config["b"] <= 1e-2
        assert type(config["d"]) is int
        assert type(config["e"]) is int
        assert type(config["c"]) is float
        assert config["f"] in (10, 20, 30, 40, 50)


# -- conditionals -------------------------------------------------------------------------------------


def test_conditional_key_takes_the_label_and_the_branch_merges() -> None:
    space = nested_space()
    by_kind: dict[str, dict[str, Any]] = {}
    for seed in range(200):
        config = space.sample(seed)
        by_kind.setdefault(config["optimizer"]["kind"], config)
    assert set(by_kind) == {"adam", "sgd", "rmsprop"}
    assert set(by_kind["adam"]["optimizer"]) == {"kind", "beta1", "eps"}
    assert set(by_kind["rmsprop"]["optimizer"]) == {"kind", "beta1"}
    assert 0.5 <= by_kind["rmsprop"]["optimizer"]["beta1"] <= 0.9
    sgd = by_kind["sgd"]["optimizer"]
    assert sgd["nesterov"] in ("yes", "no")
    assert set(sgd) == (
        {"kind", "momentum", "nesterov", "damping"} if sgd["nesterov"] == "yes" else {"kind", "momentum", "nesterov"}
    )


def test_is_active_and_active() -> None:
    space = nested_space()
    sgd = {
        "lr": 0.01,
        "model": {"layers": 2, "act": "relu", "dropout": 0.1},
        "optimizer": {"kind": "sgd", "momentum": 0.5, "nesterov": "yes", "damping": 1},
        "epochs": 10,
    }
    space.validate(sgd)
    assert space.active(sgd) == {
        "lr",
        "model.layers",
        "model.act",
        "optimizer.kind",
        "optimizer.momentum",
        "optimizer.nesterov",
        "optimizer.damping",
    }
    assert space.is_active("optimizer.damping", sgd)
    assert not space.is_active("optimizer.beta1", sgd)
    assert not space.is_active("optimizer.eps", sgd)
    rms = {**sgd, "optimizer": {"kind": "rmsprop", "beta1": 0.7}}
    space.validate(rms)
    assert space.is_active("optimizer.beta1", rms)
    assert not space.is_active("optimizer.damping", rms)
    with pytest.raises(KeyError, match="nope"):
        space.is_active("nope", sgd)
    with pytest.raises(KeyError):
        space.is_active("epochs", sgd)  # a constant is not a parameter


def test_active_with_the_label_missing() -> None:
    space = Space({"k": Conditional({"a": {"x": Int(0, 1)}, "b": {}}), "y": Int(0, 1)})
    assert space.active({"y": 0}) == {"k", "y"}
    assert not space.is_active("x", {"y": 0})


def test_conditional_branches_nest_three_deep() -> None:
    space = Space(
        {
            "a": Conditional(
                {"p": {"b": Conditional({"q": {"c": Conditional({"r": {"leaf": Int(0, 1)}, "s": {}})}})}, "t": {}}
            )
        }
    )
    assert space.names == ("a", "b", "c", "leaf")
    deep = {"a": "p", "b": "q", "c": "r", "leaf": 1}
    space.validate(deep)
    assert space.active(deep) == {"a", "b", "c", "leaf"}
    assert space.active({"a": "t"}) == {"a"}
    assert list(space.grid()) == [
        {"a": "p", "b": "q", "c": "r", "leaf": 0},
        {"a": "p", "b": "q", "c": "r", "leaf": 1},
        {"a": "p", "b": "q", "c": "s"},
        {"a": "t"},
    ]
    assert space.grid_size() == 4


def test_branches_may_reuse_names() -> None:
    space = Space(
        {
            "k": Conditional(
                {
                    "a": {"x": Float(0, 1), "m": {"y": Int(0, 2)}},
                    "b": {"x": Int(5, 6), "m": {"y": Categorical(["u", "v"])}},
                    "c": {"sub": Conditional({"p": {"x": Int(0, 9)}, "q": {"x": 3}})},
                }
            )
        }
    )
    assert space.names == ("k", "x", "m.y", "sub")
    assert len(set(space.param_keys)) == len(space.param_keys) == 7  # branch q's x is a constant
    assert "x[k=c,sub=p]" in space.param_keys
    assert {p.name for p in space.params} == set(space.names)
    space.validate({"k": "b", "x": 6, "m": {"y": "v"}})
    space.validate({"k": "c", "sub": "q", "x": 3})
    with pytest.raises(ConfigError, match="'x'"):
        space.validate({"k": "b", "x": 0.5, "m": {"y": "v"}})  # branch a's x, but branch b is chosen
    with pytest.raises(SpaceError, match="'x'"):  # branch a's x is a Float without step
        space.grid_size()


def test_a_nested_dict_in_a_branch_is_a_new_namespace() -> None:
    space = Space({"x": 1, "m": {"y": 2}, "k": Conditional({"a": {"n": {"x": Int(0, 1)}}})})
    assert space.names == ("k", "n.x")


@pytest.mark.parametrize(
    ("mapping", "clash"),
    [
        pytest.param({"model": {"x": 1, "k": Conditional({"a": {"x": Float(0, 1)}, "b": {}})}}, "'x'", id="sibling"),
        pytest.param(
            {"model": {"k": Conditional({"a": {"y": 1}}), "x": Int(0, 1), "j": Conditional({"b": {"k": 2}})}},
            "'k'",
            id="sibling-is-the-other-conditional",
        ),
        pytest.param(
            {"model": {"k1": Conditional({"a": {"x": 1}}), "k2": Conditional({"b": {"x": Int(0, 1)}})}},
            "'x'",
            id="other-conditional-branch",
        ),
        pytest.param(
            {"model": {"k": Conditional({"a": {"x": 1, "j": Conditional({"p": {"x": Int(0, 1)}})}})}},
            "'x'",
            id="nested-branch-vs-outer-branch",
        ),
        pytest.param(
            {"model": {"x": 1, "k": Conditional({"a": {"j": Conditional({"p": {"x": Int(0, 1)}})}})}},
            "'x'",
            id="nested-branch-vs-outer-sibling",
        ),
        pytest.param({"model": {"k": Conditional({"a": {"k": 1}})}}, "'k'", id="branch-redefines-its-key"),
    ],
)
def test_branch_entry_colliding_with_a_sibling_is_an_error(mapping: dict[str, Any], clash: str) -> None:
    with pytest.raises(SpaceError) as info:
        Space(mapping)
    check_error(info.value, "collides", clash, "model.", "Fix:")


# -- flatten / unflatten ---------------------------------------------------------------------------------


def test_flatten_and_unflatten() -> None:
    space = nested_space()
    config = {
        "lr": 0.01,
        "model": {"layers": 2, "act": "relu", "dropout": 0.1},
        "optimizer": {"kind": "adam", "beta1": 0.9, "eps": 1e-7},
        "epochs": 10,
    }
    flat = space.flatten(config)
    assert flat == {
        "lr": 0.01,
        "model.layers": 2,
        "model.act": "relu",
        "model.dropout": 0.1,
        "optimizer.kind": "adam",
        "optimizer.beta1": 0.9,
        "optimizer.eps": 1e-7,
        "epochs": 10,
    }
    assert space.unflatten(flat) == config
    # a flat value of an inactive branch is dropped when nesting
    assert space.unflatten({**flat, "optimizer.momentum": 0.3}) == config


# -- validate --------------------------------------------------------------------------------------------


def valid_config() -> dict[str, Any]:
    return {
        "lr": 0.01,
        "model": {"layers": 2, "act": "relu", "dropout": 0.1},
        "optimizer": {"kind": "sgd", "momentum": 0.3, "nesterov": "no"},
        "epochs": 10,
    }


def with_change(path: str, value: Any, delete: bool = False) -> dict[str, Any]:
    config = json.loads(json.dumps(valid_config()))
    *parents, leaf = path.split(".")
    node = config
    for part in parents:
        node = node[part]
    if delete:
        del node[leaf]
    else:
        node[leaf] = value
    return config


def test_a_valid_config_validates() -> None:
    nested_space().validate(valid_config())


@pytest.mark.parametrize(
    ("config", "fragments"),
    [
        pytest.param(with_change("model.layers", None, delete=True), ["'model.layers'", "missing"], id="missing"),
        pytest.param(with_change("model.extra", 1), ["'model.extra'", "not an active parameter"], id="unknown"),
        pytest.param(with_change("lr", 0.5), ["'lr'", "0.5", "outside", "Float(1e-05, 0.1, log=True)"], id="range"),
        pytest.param(with_change("model.layers", 5), ["'model.layers'", "outside"], id="int-range"),
        pytest.param(with_change("lr", "0.01"), ["'lr'", "expected a number", "str"], id="type-str"),
        pytest.param(with_change("lr", True), ["'lr'", "expected a number", "bool"], id="type-bool"),
        pytest.param(with_change("model.layers", 2.0), ["'model.layers'", "expected an int"], id="type-float-for-int"),
        pytest.param(
            with_change("optimizer.momentum", 0.35), ["'optimizer.momentum'", "not on the grid"], id="off-grid"
        ),
        pytest.param(with_change("model.act", "gelu"), ["'model.act'", "'gelu'", "not one of", "'relu'"], id="choice"),
        pytest.param(
            with_change("optimizer.kind", "adagrad"), ["'optimizer.kind'", "not one of the labels"], id="label"
        ),
        pytest.param(
            with_change("optimizer.beta1", 0.9), ["'optimizer.beta1'", "not an active parameter"], id="inactive"
        ),
        pytest.param(with_change("epochs", 11), ["'epochs'", "constant is 10", "11"], id="constant"),
        pytest.param(with_change("model", 3), ["'model'", "expected a dict"], id="not-a-dict"),
    ],
)
def test_validate_says_what_is_wrong(config: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        nested_space().validate(config)
    check_error(info.value, *fragments)
    assert isinstance(info.value, ValueError)


def test_validate_lists_every_problem() -> None:
    config = {"lr": 2.0, "model": {"layers": 0, "act": "relu"}, "optimizer": {"kind": "sgd", "nesterov": "no"}}
    with pytest.raises(ConfigError) as info:
        nested_space().validate(config)
    message = str(info.value)
    for fragment in ["'lr'", "'model.layers'", "'model.dropout'", "'optimizer.momentum'", "'epochs'"]:
        assert fragment in message
    assert message.count("\n  - ") == 5


def test_validate_with_a_missing_label_lists_every_problem() -> None:
    space = Space({"k": Conditional({"a": {"x": Int(0, 1)}}), "y": Int(0, 1), "c": 1})
    with pytest.raises(ConfigError) as info:
        space.validate({"y": 7})
    check_error(info.value, "'k': missing", "'y': 7 is outside", "'c': missing")


def test_validate_rejects_a_non_mapping() -> None:
    with pytest.raises(ConfigError, match="dict"):
        nested_space().validate([1, 2])


def test_huge_ints_are_exact() -> None:
    big = 2**62
    space = Space({"n": Int(0, big, step=2)})
    config = {"n": big - 2}
    space.validate(config)
    assert space.decode(space.encode(config)) == config
    with pytest.raises(ConfigError, match="outside"):
        space.validate({"n": big + 2})
    with pytest.raises(ConfigError, match="not on the grid"):
        space.validate({"n": big - 1})


# -- serialization ------------------------------------------------------------------------------------


def test_to_dict_format() -> None:
    space = Space(
        {
            "lr": Float(1e-5, 0.1, log=True),
            "m": Float(0, 1, step=0.5),
            "layers": Int(1, 4),
            "units": Int(32, 256, step=32),
            "n": Int(1, 100, log=True),
            "act": Categorical(["relu", None, 1.5, True]),
            "opt": {"kind": Conditional({"adam": {"beta1": Float(0.8, 0.999)}, "sgd": {}})},
            "epochs": 10,
        }
    )
    assert space.to_dict() == {
        "lr": {"type": "float", "low": 1e-5, "high": 0.1, "log": True},
        "m": {"type": "float", "low": 0.0, "high": 1.0, "step": 0.5},
        "layers": {"type": "int", "low": 1, "high": 4},
        "units": {"type": "int", "low": 32, "high": 256, "step": 32},
        "n": {"type": "int", "low": 1, "high": 100, "log": True},
        "act": {"type": "categorical", "choices": ["relu", None, 1.5, True]},
        "opt": {
            "kind": {
                "type": "conditional",
                "branches": {"adam": {"beta1": {"type": "float", "low": 0.8, "high": 0.999}}, "sgd": {}},
            }
        },
        "epochs": {"type": "constant", "value": 10},
    }


def test_to_dict_round_trips_through_json_and_yaml() -> None:
    space = nested_space()
    data = space.to_dict()
    via_json = Space.from_dict(json.loads(json.dumps(data)))
    # sort_keys=False: yaml.safe_dump sorts keys by default, which reorders names and Conditional labels
    via_yaml = Space.from_dict(yaml.safe_load(yaml.safe_dump(data, sort_keys=False)))
    assert via_json == space
    assert via_yaml == space
    assert via_yaml.param_keys == space.param_keys
    assert via_yaml.sample(3) == space.sample(3)


def test_from_dict_accepts_plain_constants_and_hand_written_yaml() -> None:
    text = """
    lr: {type: float, low: 1.0e-5, high: 0.1, log: true}
    act: {type: categorical, choices: [relu, tanh, null]}
    optimizer:
      kind: {type: conditional, branches: {adam: {beta1: {type: float, low: 0.8, high: 0.999}}, sgd: {}}}
    epochs: 10
    """
    space = Space.from_dict(yaml.safe_load(text))
    assert space == Space(
        {
            "lr": Float(1e-5, 0.1, log=True),
            "act": Categorical(["relu", "tanh", None]),
            "optimizer": {"kind": Conditional({"adam": {"beta1": Float(0.8, 0.999)}, "sgd": {}})},
            "epochs": 10,
        }
    )


@pytest.mark.parametrize(
    ("data", "error", "fragments"),
    [
        pytest.param(
            {"model": {"lr": {"type": "flaot", "low": 0, "high": 1}}},
            SpaceError,
            ["'model.lr'", "unknown type 'flaot'", "Fix:", "did you mean 'float'"],
            id="typo",
        ),
        pytest.param(
            {"model": {"lr": {"type": "zzzzzz"}}}, SpaceError, ["'model.lr'", "'zzzzzz'", "'categorical'"], id="unknown"
        ),
        pytest.param(
            {"model": {"lr": {"type": "float", "low": 0}}}, SpaceError, ["'model.lr'", "'high'", "Fix:"], id="missing"
        ),
        pytest.param(
            {"model": {"lr": {"type": "float", "low": 0, "high": 1, "lg": True}}},
            SpaceError,
            ["'model.lr'", "'lg'", "Fix:"],
            id="unknown-field",
        ),
        pytest.param(
            {"model": {"lr": {"type": "float", "low": 0, "high": 1, "log": "yes"}}},
            SpaceTypeError,
            ["'model.lr'", "log", "'yes'", "Fix:"],
            id="bad-value",
        ),
        pytest.param(
            {"model": {"k": {"type": "conditional", "branches": ["a"]}}},
            SpaceTypeError,
            ["'model.k'", "branches"],
            id="branches-not-a-mapping",
        ),
        pytest.param(
            {"model": {"k": {"type": "conditional", "branches": {"a": {"x": {"type": "int", "low": 1}}}}}},
            SpaceError,
            ["model.k", "x", "'high'"],
            id="inside-a-branch",
        ),
    ],
)
def test_from_dict_errors(data: dict[str, Any], error: type[Exception], fragments: list[str]) -> None:
    with pytest.raises(error) as info:
        Space.from_dict(data)
    check_error(info.value, *fragments)


# -- sampling ---------------------------------------------------------------------------------------------


def test_sample_is_seeded() -> None:
    space = nested_space()
    assert space.sample(42) == space.sample(42)
    assert space.sample(np.random.default_rng(7)) == space.sample(np.random.default_rng(7))
    assert space.sample(7) == space.sample(np.random.default_rng(7))
    samples = [space.sample(seed) for seed in range(20)]
    assert len({json.dumps(s, sort_keys=True) for s in samples}) == 20
    gen = np.random.default_rng(0)
    assert space.sample(gen) != space.sample(gen)  # a generator advances


def test_sample_follows_the_reference_distributions() -> None:
    space = Space({"u": Float(0, 10), "g": Float(1e-4, 1.0, log=True), "i": Int(1, 4), "c": Categorical(list("abc"))})
    gen = np.random.default_rng(0)
    samples = [space.sample(gen) for _ in range(4000)]
    assert np.mean([s["u"] for s in samples]) == pytest.approx(5.0, abs=0.3)
    assert np.median([math.log10(s["g"]) for s in samples]) == pytest.approx(-2.0, abs=0.2)
    counts = np.bincount([s["i"] for s in samples], minlength=5)[1:]
    assert counts.min() > 850
    assert {s["c"] for s in samples} == {"a", "b", "c"}


def test_sample_int_log_favours_small_values() -> None:
    space = Space({"n": Int(1, 1000, log=True)})
    values = [space.sample(seed)["n"] for seed in range(2000)]
    small = sum(v <= 31 for v in values) / len(values)  # about half the log-range
    assert 0.4 < small < 0.6
    assert min(values) == 1


# -- grid ------------------------------------------------------------------------------------------------


def test_grid_enumerates_a_finite_space() -> None:
    space = Space(
        {
            "a": Int(0, 1),
            "b": Categorical(["x", None]),
            "k": Conditional({"p": {"f": Float(0, 1, step=0.5)}, "q": {}}),
            "c": "const",
        }
    )
    grid = list(space.grid())
    assert space.grid_size() == len(grid) == 2 * 2 * (3 + 1)
    assert grid[:4] == [
        {"a": 0, "b": "x", "k": "p", "f": 0.0, "c": "const"},
        {"a": 0, "b": "x", "k": "p", "f": 0.5, "c": "const"},
        {"a": 0, "b": "x", "k": "p", "f": 1.0, "c": "const"},
        {"a": 0, "b": "x", "k": "q", "c": "const"},
    ]
    for config in grid:
        space.validate(config)
    assert len({json.dumps(c, sort_keys=True) for c in grid}) == len(grid)


def test_grid_of_a_space_without_parameters() -> None:
    space = Space({"c": 1, "d": {"e": 2}})
    assert list(space.grid()) == [{"c": 1, "d": {"e": 2}}]
    assert space.grid_size() == 1


@pytest.mark.parametrize(
    "mapping",
    [
        {"model": {"lr": Float(1e-5, 1e-1, log=True)}, "n": Int(0, 2)},
        {"model": {"lr": Float(0, 1)}},
        {"k": Conditional({"a": {}, "b": {"model": {"lr": Float(0, 1)}}})},
    ],
)
def test_grid_of_an_infinite_space_names_the_parameter(mapping: dict[str, Any]) -> None:
    space = Space(mapping)
    with pytest.raises(SpaceError) as info:
        list(space.grid())
    check_error(info.value, "'model.lr'", "finite", "Fix:", "step")
    with pytest.raises(SpaceError, match=r"'model\.lr'"):
        space.grid_size()


def test_grid_size_without_enumerating() -> None:
    space = Space({f"x{i}": Int(0, 9) for i in range(12)})
    assert space.grid_size() == 10**12


# -- encode / decode ---------------------------------------------------------------------------------------


def test_encode_decode_raw_form() -> None:
    space = nested_space()
    config = {
        "lr": 0.01,
        "model": {"layers": 2, "act": "tanh", "dropout": 0.1},
        "optimizer": {"kind": "sgd", "momentum": 0.3, "nesterov": "yes", "damping": 2},
        "epochs": 10,
    }
    raw = space.encode(config)
    assert raw == {
        "lr": 0.01,
        "model.layers": 2,
        "model.act": 1,
        "optimizer.kind": 1,
        "optimizer.momentum": 0.3,
        "optimizer.nesterov": 0,
        "optimizer.damping": 2,
    }
    assert space.decode(raw) == config
    rms = {**config, "optimizer": {"kind": "rmsprop", "beta1": 0.6}}
    raw = space.encode(rms)
    key = next(k for k in space.param_keys if k.startswith("optimizer.beta1") and "rmsprop" in k)
    assert raw[key] == 0.6
    assert space.decode(raw) == rms


def test_decode_snaps_clips_and_returns_python_types() -> None:
    space = Space(
        {"i": Int(0, 10, step=2), "f": Float(0, 1, step=0.25), "g": Float(-1, 1), "c": Categorical(["a", "b"])}
    )
    config = space.decode({"i": np.float64(4.9), "f": 0.3, "g": 1.5, "c": np.int64(1)})
    assert config == {"i": 4, "f": 0.25, "g": 1.0, "c": "b"}
    assert [type(config[k]) for k in "ifg"] == [int, float, float]
    assert space.decode({"i": -3, "f": 7.0, "g": -9, "c": 0}) == {"i": 0, "f": 1.0, "g": -1.0, "c": "a"}


def test_decode_ignores_raw_values_of_inactive_branches() -> None:
    space = Space({"k": Conditional({"a": {"x": Int(0, 3)}, "b": {}})})
    assert space.decode({"k": 1, "x": 2}) == {"k": "b"}
    assert space.active_keys({"k": 1, "x": 2}) == ["k"]
    assert space.active_keys({"k": 0}) == ["k", "x"]


def test_encode_rejects_an_invalid_config() -> None:
    with pytest.raises(ConfigError, match=r"'model\.layers'"):
        nested_space().encode(with_change("model.layers", 9))


# -- bad spaces fail at construction --------------------------------------------------------------------------

BAD_ELEMENTS = [
    pytest.param(
        Float(1.0, 0.1), SpaceError, ["low <= high", "low=1.0, high=0.1", "Float(0.1, 1.0)"], id="float-low>high"
    ),
    pytest.param(Int(5, 1), SpaceError, ["low <= high", "low=5, high=1", "Int(1, 5)"], id="int-low>high"),
    pytest.param(Float(0, 1, log=True), SpaceError, ["log=True needs low > 0", "low=0"], id="float-log-low0"),
    pytest.param(Float(-1, 1, log=True), SpaceError, ["log=True needs low > 0", "low=-1"], id="float-log-negative"),
    pytest.param(Int(0, 10, log=True), SpaceError, ["log=True needs low > 0", "low=0"], id="int-log-low0"),
    pytest.param(Float(0, 1, step=0), SpaceError, ["step must be > 0", "step=0"], id="float-step0"),
    pytest.param(Float(0, 1, step=-0.5), SpaceError, ["step must be > 0", "step=-0.5"], id="float-step-negative"),
    pytest.param(Int(0, 10, step=0), SpaceError, ["step must be > 0", "step=0"], id="int-step0"),
    pytest.param(Int(0, 10, step=3), SpaceError, ["step must divide", "Int(0, 10, step=3)", "high=9"], id="int-step"),
    pytest.param(
        Float(0, 1, step=0.3), SpaceError, ["step must divide", "Float(0, 1, step=0.3)", "high=0.9"], id="float-step"
    ),
    pytest.param(Float(1, 2, log=True, step=0.5), SpaceError, ["both step and log", "Float(1, 2"], id="float-step+log"),
    pytest.param(Int(1, 9, log=True, step=2), SpaceError, ["both step and log", "Int(1, 9"], id="int-step+log"),
    pytest.param(Float(math.nan, 1), SpaceError, ["finite", "nan"], id="float-nan"),
    pytest.param(Int(0, math.nan), SpaceError, ["finite", "nan"], id="int-nan"),
    pytest.param(Float(0, math.inf), SpaceError, ["finite", "inf"], id="float-inf"),
    pytest.param(Float(-math.inf, 0), SpaceError, ["finite", "-inf"], id="float-neg-inf"),
    pytest.param(Int(1.5, 3), SpaceTypeError, ["must be an integer", "low=1.5"], id="int-non-integer"),
    pytest.param(Int(0, 6, step=1.5), SpaceTypeError, ["must be an integer", "step=1.5"], id="int-step-non-integer"),
    pytest.param(Float(True, 2), SpaceTypeError, ["must be a number", "True (bool)"], id="float-bool-low"),
    pytest.param(Int(0, True), SpaceTypeError, ["must be a number", "True (bool)"], id="int-bool-high"),
    pytest.param(Float("0", 1), SpaceTypeError, ["must be a number", "'0' (str)"], id="float-str-low"),
    pytest.param(Float(0, 1, log="yes"), SpaceTypeError, ["log must be True or False", "'yes'"], id="log-yes"),
    pytest.param(Int(1, 9, log=1), SpaceTypeError, ["log must be True or False", "1"], id="log-int"),
    pytest.param(Categorical([]), SpaceError, ["at least one choice", "[]"], id="categorical-empty"),
    pytest.param(Categorical("abc"), SpaceTypeError, ["list or tuple", "'abc' (str)"], id="categorical-string"),
    pytest.param(Categorical(["a", "b", "a"]), SpaceError, ["distinct", "'a'"], id="categorical-duplicate"),
    pytest.param(Categorical([1, 2, 1]), SpaceError, ["distinct", "1"], id="categorical-duplicate-int"),
    pytest.param(Categorical([None, None]), SpaceError, ["distinct", "None"], id="categorical-duplicate-none"),
    pytest.param(Conditional({}), SpaceError, ["at least one branch", "{}"], id="conditional-empty"),
    pytest.param(
        Conditional({1: {}}), SpaceTypeError, ["labels must be non-empty strings", "1"], id="conditional-int-label"
    ),
    pytest.param(
        Conditional({"": {}}), SpaceTypeError, ["labels must be non-empty strings", "''"], id="conditional-empty-label"
    ),
    pytest.param(
        Conditional({"a": 3}),
        SpaceTypeError,
        ["branch 'a' must be a dict", "3 (int)"],
        id="conditional-branch-not-dict",
    ),
    pytest.param(
        Conditional(["a", "b"]), SpaceTypeError, ["dict of {label: sub-space}", "['a', 'b']"], id="conditional-list"
    ),
]


@pytest.mark.parametrize(("element", "error", "fragments"), BAD_ELEMENTS)
def test_bad_element_fails_at_construction(element: Any, error: type[SpaceError], fragments: list[str]) -> None:
    with pytest.raises(error) as info:
        Space({"model": {"lr": element}})
    assert type(info.value) is error
    check_error(info.value, "parameter 'model.lr'", "received", "Fix:", *fragments)


@pytest.mark.parametrize(
    ("mapping", "error", "fragments"),
    [
        pytest.param(
            {"model": {1: Float(0, 1)}}, SpaceTypeError, ["'model'", "must be strings", "1"], id="non-string-key"
        ),
        pytest.param({"model": {"": Float(0, 1)}}, SpaceError, ["'model.", "non-empty", "''"], id="empty-key"),
        pytest.param(
            {"model": {"a.b": Float(0, 1)}}, SpaceError, ["'model.a.b'", "no '.'", "nest dicts"], id="dotted-key"
        ),
        pytest.param(
            {"model": {"lr": [Float(0, 1), Float(1, 2)]}},
            SpaceTypeError,
            ["'model.lr'", "inside lists"],
            id="list-constant",
        ),
        pytest.param(
            {"model": {"lr": (1, Int(0, 1))}}, SpaceTypeError, ["'model.lr'", "inside lists"], id="tuple-constant"
        ),
        pytest.param(
            {"model": {"lr": 1, "k": Conditional({"a": {"lr": Float(0, 1)}})}},
            SpaceError,
            ["'model.k'", "'lr'", "collides", "'model.lr'"],
            id="branch-collides-with-sibling",
        ),
        pytest.param(
            {"model": {"k": Conditional({"a": {"x": Float(1, 0)}})}},
            SpaceError,
            ["'model.x'", "low <= high"],
            id="bad-element-inside-a-branch",
        ),
    ],
)
def test_bad_space_fails_at_construction(mapping: Any, error: type[SpaceError], fragments: list[str]) -> None:
    with pytest.raises(error) as info:
        Space(mapping)
    assert type(info.value) is error
    check_error(info.value, "parameter ", "received", "Fix:", *fragments)


def test_exception_classes() -> None:
    assert issubclass(SpaceError, ValueError)
    assert issubclass(SpaceError, UnituneError)
    assert issubclass(SpaceTypeError, SpaceError)
    assert issubclass(SpaceTypeError, TypeError)
    assert issubclass(ConfigError, ValueError)
    assert not issubclass(SpaceError, TypeError)
    with pytest.raises(ValueError):
        Space({"x": Float(1, 0)})
    with pytest.raises(TypeError):
        Space({"x": Float(True, 2)})
    assert ut.SpaceError is SpaceError
