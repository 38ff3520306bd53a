"""Same meaning on every backend: each backend's random algorithm samples what the space says.

A few thousand draws per backend through the public ask/tell API, with a fixed
seed (so the tests are deterministic), checked with chi-square and
Kolmogorov-Smirnov tests against the distribution the space defines.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

import unitune as ut

RANDOM = ["optuna:random", "hyperopt:rand", "skopt:random"]
N = 3000


class Opaque:
    """An unhashable object with no useful equality: only identity can find it again."""

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        raise AssertionError("compared by ==; choices must come back by identity")


CHOICES = ["a", None, (1, 2), {"k": [1]}, Opaque()]
SPACE = ut.Space(
    {
        "i3": ut.Int(0, 2),
        "i5": ut.Int(1, 5),
        "ilog": ut.Int(1, 100, log=True),
        "istep": ut.Int(10, 50, step=10),
        "fstep": ut.Float(-1.0, 1.0, step=0.5),
        "flog": ut.Float(1e-3, 10.0, log=True),
        "f": ut.Float(-2.0, 3.0),
        "cat": ut.Categorical(CHOICES),
        "branch": ut.Conditional({"a": {"p": ut.Int(0, 1)}, "b": {"q": ut.Float(0, 1)}, "c": {}}),
    }
)


def draws(backend: str, seed: int = 0) -> list[dict[str, Any]]:
    study = ut.Study(SPACE, backend=backend, seed=seed)
    configs = []
    for trial in study.ask(N):
        configs.append(trial.params)
        study.tell(trial, 0.0)
    return configs


@pytest.fixture(scope="module", params=RANDOM)
def sample(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, draws(request.param)


def uniform_ok(values: list[Any], support: list[Any]) -> None:
    counts = [sum(1 for v in values if v == s and type(v) is type(s)) for s in support]
    assert sum(counts) == len(values), f"values outside {support}"
    assert stats.chisquare(counts).pvalue > 0.001, counts


def test_int_is_uniform_with_inclusive_bounds(sample: tuple[str, list[dict[str, Any]]]) -> None:
    _, configs = sample
    values = [c["i3"] for c in configs]
    uniform_ok(values, [0, 1, 2])
    for k in (0, 1, 2):
        assert 0.30 <= values.count(k) / N <= 0.364, (k, values.count(k))  # peers: 25/50/25 %
    uniform_ok([c["i5"] for c in configs], [1, 2, 3, 4, 5])


def test_int_log_is_optunas_rounded_log_uniform(sample: tuple[str, list[dict[str, Any]]]) -> None:
    _, configs = sample
    lo, hi = math.log(0.5), math.log(100.5)
    edges = [0.5, 1.5, 2.5, 4.5, 8.5, 16.5, 32.5, 64.5, 100.5]  # integers 1, 2, 3-4, 5-8, ..., 65-100
    expected = np.diff([(math.log(e) - lo) / (hi - lo) for e in edges]) * N
    observed, _ = np.histogram([c["ilog"] for c in configs], bins=edges)
    assert stats.chisquare(observed, expected).pvalue > 0.001, observed
    values = [c["ilog"] for c in configs]
    assert min(values) == 1 and 90 <= max(values) <= 100


def test_steps_give_exactly_the_grid(sample: tuple[str, list[dict[str, Any]]]) -> None:
    _, configs = sample
    uniform_ok([c["istep"] for c in configs], [10, 20, 30, 40, 50])
    uniform_ok([c["fstep"] for c in configs], [-1.0, -0.5, 0.0, 0.5, 1.0])


def test_float_log_is_log_uniform_and_float_uniform(sample: tuple[str, list[dict[str, Any]]]) -> None:
    _, configs = sample
    logs = np.log10([c["flog"] for c in configs])
    assert stats.kstest(logs, stats.uniform(loc=-3, scale=4).cdf).pvalue > 0.001
    assert stats.kstest([c["f"] for c in configs], stats.uniform(loc=-2, scale=5).cdf).pvalue > 0.001
    assert all(1e-3 <= c["flog"] <= 10.0 and -2.0 <= c["f"] <= 3.0 for c in configs)


def test_categorical_choices_are_equally_likely_and_the_very_objects(
    sample: tuple[str, list[dict[str, Any]]],
) -> None:
    _, configs = sample
    positions = []
    for c in configs:
        matches = [i for i, choice in enumerate(CHOICES) if c["cat"] is choice]
        assert len(matches) == 1
        positions.append(matches[0])
    assert stats.chisquare(np.bincount(positions, minlength=len(CHOICES))).pvalue > 0.001


def test_values_are_python_types_never_numpy(sample: tuple[str, list[dict[str, Any]]]) -> None:
    _, configs = sample
    for c in configs:
        assert all(type(c[k]) is int for k in ("i3", "i5", "ilog", "istep"))
        assert all(type(c[k]) is float for k in ("fstep", "flog", "f"))
        assert type(c["branch"]) is str


def test_conditional_gives_exactly_the_active_branch(sample: tuple[str, list[dict[str, Any]]]) -> None:
    _, configs = sample
    labels = [c["branch"] for c in configs]
    uniform_ok(labels, ["a", "b", "c"])
    for c in configs:
        extra = set(c) - {"i3", "i5", "ilog", "istep", "fstep", "flog", "f", "cat", "branch"}
        assert extra == {"a": {"p"}, "b": {"q"}, "c": set()}[c["branch"]]
        SPACE.validate(c)


@pytest.mark.parametrize("backend", RANDOM)
def test_same_seed_same_draws_other_seed_other_draws(backend: str) -> None:
    def first(seed: int) -> list[str]:
        study = ut.Study(SPACE, backend=backend, seed=seed)
        return [repr(sorted((k, v) for k, v in t.params.items() if k != "cat")) for t in study.ask(20)]

    assert first(5) == first(5)
    assert first(5) != first(6)
