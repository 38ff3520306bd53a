"""The neutral transform: every element reduces once to a Primitive, which is all that backends and the record see.

A toy element defined here, and nowhere in unitune, is sampled by every backend without any change to the adapters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import optuna
import pytest
from hypothesis import given
from hypothesis import strategies as st

import unitune as ut
from unitune.adapters import backend_names
from unitune.space import Element, Primitive, parameter_error


@dataclass(frozen=True, repr=False)
class PowerOfTwo(Element):
    """A toy element: ``2**k`` for ``k`` in ``low..high`` (an integer range underneath)."""

    low: int
    high: int
    type_name: ClassVar[str] = "power_of_two"
    fields: ClassVar[tuple[frozenset[str], frozenset[str]]] = (frozenset({"low", "high"}), frozenset())

    def __repr__(self) -> str:
        return f"PowerOfTwo({self.low}, {self.high})"

    def _check(self, path: str) -> None:
        if not 0 <= self.low <= self.high:
            raise parameter_error(path, "PowerOfTwo needs 0 <= low <= high", repr(self), "swap the bounds")

    def primitive(self) -> Primitive:
        return Primitive("int", self.low, self.high)

    def decode(self, raw: Any) -> int:
        return int(2 ** self.primitive().snap(raw))

    def encode(self, value: Any) -> int:
        if not isinstance(value, int) or value < 1 or value & (value - 1):
            raise ValueError(f"{value!r} is not a power of two")
        return self.primitive().encode(value.bit_length() - 1)

    def problem(self, value: Any) -> str | None:
        try:
            self.encode(value)
        except ValueError as error:
            return str(error)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"type": "power_of_two", "low": self.low, "high": self.high}


TOY = {"batch": PowerOfTwo(4, 9), "x": ut.Float(0.0, 1.0)}
POWERS = {2**k for k in range(4, 10)}


def objective(config: Mapping[str, Any]) -> float:
    return abs(math.log2(config["batch"]) - 7) + config["x"]


@pytest.mark.parametrize("backend", [b for b in backend_names() if not b.endswith(":grid")])
def test_every_backend_samples_the_toy_element(backend: str) -> None:
    options = (
        {"n_initial_points": 3, "n_points": 200} if backend.startswith("skopt") and "random" not in backend else {}
    )
    study = ut.minimize(objective, TOY, backend=backend, n_trials=8, seed=0, backend_options=options)
    batches = [t.params["batch"] for t in study.trials]
    assert set(batches) <= POWERS and all(type(b) is int for b in batches)
    assert len(set(batches)) > 1


def test_grid_enumerates_the_toy_element() -> None:
    study = ut.minimize(lambda c: c["batch"], {"batch": PowerOfTwo(0, 3)}, backend="optuna:grid", n_trials=10)
    assert sorted(t.params["batch"] for t in study.trials) == [1, 2, 4, 8]


def test_the_record_stores_the_toy_element_as_its_primitive_and_resumes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'toy.db'}"
    first = ut.minimize(objective, TOY, backend="hyperopt", n_trials=4, seed=0, storage=url, study_name="toy")
    recorded = optuna.load_study(study_name="toy", storage=url).trials
    assert [2 ** t.params["batch"] for t in recorded] == [t.params["batch"] for t in first.trials]
    again = ut.minimize(objective, TOY, backend="hyperopt", n_trials=6, seed=0, storage=url, study_name="toy",
                        load_if_exists=True)  # fmt: skip
    assert len(again.trials) == 6 and {t.params["batch"] for t in again.trials} <= POWERS


def test_explain_space_tools_and_serialization_know_the_toy_element() -> None:
    space = ut.Space(TOY)
    rows = ut.explain(space, "hyperopt").set_index("param")
    assert rows.loc["batch", "native"] == "hp.quniform('batch', 3.5, 9.5, 1)"
    assert rows.loc["batch", "element"] == "PowerOfTwo(4, 9)"
    assert space.sample(np.random.default_rng(0))["batch"] in POWERS
    assert space.encode({"batch": 64, "x": 0.5}) == {"batch": 6, "x": 0.5}
    assert ut.Space.from_dict(space.to_dict()) == space
    with pytest.raises(ut.ConfigError, match="'batch': 48 is not a power of two"):
        space.validate({"batch": 48, "x": 0.5})
    with pytest.raises(ut.SpaceError, match="parameter 'batch': PowerOfTwo needs"):
        ut.Space({"batch": PowerOfTwo(5, 2)})


# -- the primitive -------------------------------------------------------------------------------------------------


def test_intervals_of_the_backends_that_sample_and_round() -> None:
    assert ut.Int(0, 2).primitive().interval == (-0.5, 2.5)
    assert ut.Int(32, 256, step=32).primitive().interval == (-0.5, 7.5)
    assert ut.Float(0.0, 1.0, step=0.25).primitive().interval == (-0.5, 4.5)
    assert ut.Float(1e-3, 1.0, log=True).primitive().interval == (1e-3, 1.0)
    assert ut.Categorical(["a", "b", "c"]).primitive().interval == (-0.5, 2.5)


def test_snap_rounds_like_the_backends_and_clips() -> None:
    assert ut.Int(1, 4).primitive().snap(4.5) == 4 and ut.Int(1, 4).primitive().snap(0.5) == 1
    assert ut.Int(0, 10).primitive().snap(2.5) == 2  # round half to even, as round() and the backends
    assert ut.Int(0, 2**70).primitive().snap(2**70 - 1) == 2**70 - 1  # exact above 2**53
    assert ut.Float(0.0, 1.0, step=0.1).primitive().snap(0.30000000000000004) == 0.3
    assert ut.Float(-1.0, 1.0).primitive().snap(7) == 1.0
    assert ut.Categorical(["a", "b"]).primitive().snap(1.2) == 1


def test_choice_encode_finds_the_very_object_first() -> None:
    same_a, same_b = [1], [1]
    prim = ut.Categorical([same_a, same_b]).primitive()
    assert prim.encode(same_b) == 1 and prim.encode([1]) == 0
    with pytest.raises(ValueError, match="is not one of"):
        prim.encode([2])


@st.composite
def primitives(draw: st.DrawFn) -> Primitive:
    kind = draw(st.sampled_from(["real-step", "int", "int-step", "choice"]))
    low = draw(st.integers(-50, 50))
    n = draw(st.integers(0, 30))
    if kind == "choice":
        return ut.Categorical(list(range(n + 1))).primitive()
    if kind == "real-step":
        step = draw(st.sampled_from([0.1, 0.25, 0.5, 2.0]))
        return ut.Float(float(low), low + n * step, step=step).primitive()
    step = 1 if kind == "int" else draw(st.integers(2, 7))
    return ut.Int(low, low + n * step, step=step).primitive()


@given(primitives())
def test_every_value_has_a_coordinate_and_comes_back_from_it(prim: Primitive) -> None:
    lo, hi = prim.interval
    for value in prim.values():
        x = prim.to_coordinate(value)
        assert lo < x < hi
        assert prim.from_coordinate(x) == value and type(prim.from_coordinate(x)) is type(value)
        assert prim.snap(value) == value and prim.problem(value) is None
