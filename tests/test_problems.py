"""Tests for unitune.problems: optima, registry, validation, pickling."""

from __future__ import annotations

import itertools
import math
import os
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from unitune import problems
from unitune.problems import Problem
from unitune.space import Conditional

SYNTHETIC = [
    problems.branin(),
    problems.hartmann3(),
    problems.hartmann6(),
    problems.six_hump_camel(),
    problems.goldstein_price(),
    *(f(2) for f in (problems.rosenbrock, problems.ackley, problems.rastrigin)),
    *(f(2) for f in (problems.styblinski_tang, problems.levy)),
    *(f(5) for f in (problems.rosenbrock, problems.ackley, problems.rastrigin)),
    *(f(5) for f in (problems.styblinski_tang, problems.levy)),
    problems.levy(1),
]
IDS = [p.name for p in SYNTHETIC]

# Rounded values from the Virtual Library of Simulation Experiments.
LITERATURE = {
    "branin": 0.397887,
    "hartmann3": -3.86278,
    "hartmann6": -3.32237,
    "six_hump_camel": -1.0316,
    "goldstein_price": 3.0,
    "rosenbrock2d": 0.0,
    "ackley2d": 0.0,
    "rastrigin2d": 0.0,
    "styblinski_tang2d": -39.16617 * 2,
    "levy2d": 0.0,
}


def _bounds(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    elements = [problem.space[f"x{i}"] for i in range(len(problem.space))]
    return np.array([e.low for e in elements]), np.array([e.high for e in elements])


def _vec_config(x: np.ndarray) -> dict[str, Any]:
    return {f"x{i}": float(v) for i, v in enumerate(x)}


@pytest.mark.parametrize("problem", SYNTHETIC, ids=IDS)
def test_minimizer_attains_optimum(problem: Problem) -> None:
    assert problem.optimum is not None and problem.minimizer is not None
    assert problem(problem.minimizer) == pytest.approx(problem.optimum, abs=1e-9)
    assert problem.direction == "minimize"
    assert sorted(problem.minimizer) == sorted(problem.space)
    low, high = _bounds(problem)
    xstar = np.array([problem.minimizer[f"x{i}"] for i in range(len(low))])
    assert np.all(low <= xstar) and np.all(xstar <= high)


@pytest.mark.parametrize("problem", SYNTHETIC, ids=IDS)
def test_random_samples_never_beat_optimum(problem: Problem) -> None:
    low, high = _bounds(problem)
    rng = np.random.default_rng(12345)
    samples = rng.uniform(low, high, size=(2000, len(low)))
    values = np.array([problem(_vec_config(x)) for x in samples])
    assert np.all(np.isfinite(values))
    assert problem.optimum is not None
    assert values.min() >= problem.optimum - 1e-12


@pytest.mark.parametrize(("name", "value"), sorted(LITERATURE.items()))
def test_optimum_matches_literature(name: str, value: float) -> None:
    problem = problems.get(name)
    assert problem.optimum == pytest.approx(value, abs=1e-4)


def test_standard_domains() -> None:
    domains: dict[str, tuple[list[float], list[float]]] = {
        "branin": ([-5, 0], [10, 15]),
        "six_hump_camel": ([-3, -2], [3, 2]),
        "goldstein_price": ([-2, -2], [2, 2]),
        "hartmann6": ([0] * 6, [1] * 6),
        "ackley2d": ([-32.768] * 2, [32.768] * 2),
        "rastrigin2d": ([-5.12] * 2, [5.12] * 2),
        "rosenbrock2d": ([-5] * 2, [10] * 2),
        "levy2d": ([-10] * 2, [10] * 2),
        "styblinski_tang2d": ([-5] * 2, [5] * 2),
    }
    for name, (low, high) in domains.items():
        got_low, got_high = _bounds(problems.get(name))
        np.testing.assert_allclose(got_low, low)
        np.testing.assert_allclose(got_high, high)


def test_branin_has_three_minimizers() -> None:
    problem = problems.branin()
    for x in [(-math.pi, 12.275), (math.pi, 2.275), (3 * math.pi, 2.475)]:
        assert problem(_vec_config(np.array(x))) == pytest.approx(problem.optimum)


def test_scalable_dimensions_and_bad_dim() -> None:
    problem = problems.styblinski_tang(7)
    assert problem.name == "styblinski_tang7d"
    assert sorted(problem.space) == sorted(f"x{i}" for i in range(7))
    assert problem.optimum == pytest.approx(-39.16617 * 7, abs=1e-4)
    with pytest.raises(ValueError, match="dim >= 2"):
        problems.rosenbrock(1)
    with pytest.raises(ValueError, match="dim"):
        problems.ackley(0)


def _mixed_config(x0: float, x1: float, n_layers: int, lr: float, batch: int, opt: str) -> dict[str, Any]:
    train = {"lr": lr, "batch_size": batch}
    return {"x0": x0, "x1": x1, "n_layers": n_layers, "train": train, "optimizer": opt}


def test_mixed_optimum() -> None:
    problem = problems.mixed()
    space = problem.space
    assert problem(problem.minimizer or {}) == pytest.approx(0.0, abs=1e-12)
    assert problem.optimum == 0.0
    # Exhaustive over the discrete part, continuous part at its optimum.
    best = problem.minimizer or {}
    n_layers = range(space["n_layers"].low, space["n_layers"].high + 1)
    batch = space["train"]["batch_size"]
    grid = itertools.product(n_layers, range(batch.low, batch.high + 1), ["sgd", "adam", "rmsprop"])
    for n, b, opt in grid:
        value = problem(_mixed_config(1.0, -2.0, n, 1e-3, b, opt))
        discrete = (n, b, opt)
        wanted = (best["n_layers"], best["train"]["batch_size"], best["optimizer"])
        assert value >= 0.0 and (value > 0.0 or discrete == wanted)
    # Random search over everything, within the space bounds.
    rng = np.random.default_rng(0)
    lr = space["train"]["lr"]
    for _ in range(2000):
        config = _mixed_config(
            rng.uniform(space["x0"].low, space["x0"].high),
            rng.uniform(space["x1"].low, space["x1"].high),
            int(rng.integers(space["n_layers"].low, space["n_layers"].high + 1)),
            math.exp(rng.uniform(math.log(lr.low), math.log(lr.high))),
            int(rng.integers(batch.low, batch.high + 1)),
            str(rng.choice(["sgd", "adam", "rmsprop"])),
        )
        assert problem(config) > 0.0


def test_conditional_optimum() -> None:
    problem = problems.conditional()
    assert isinstance(problem.space["kind"], Conditional)
    assert problem.minimizer == {"kind": "a", "p": 0.5, "q": 2, "shared": 0.25}
    assert problem(problem.minimizer) == pytest.approx(0.0, abs=1e-12)
    shared = np.linspace(-1.0, 1.0, 41)
    branch_a = [
        problem({"kind": "a", "p": p, "q": q, "shared": s})
        for p in np.linspace(-2.0, 2.0, 41)
        for q in range(6)
        for s in shared
    ]
    branch_b = [
        problem({"kind": "b", "r": r, "kernel": k, "shared": s})
        for r in np.logspace(-3, 1, 41)
        for k in ("linear", "rbf")
        for s in shared
    ]
    assert min(branch_a) == pytest.approx(0.0, abs=1e-12)
    assert min(branch_b) == pytest.approx(0.5, abs=1e-12)
    rng = np.random.default_rng(1)
    for _ in range(2000):
        s = rng.uniform(-1, 1)
        if rng.random() < 0.5:
            config = {"kind": "a", "p": rng.uniform(-2, 2), "q": int(rng.integers(6))}
        else:
            r, kernel = 10 ** rng.uniform(-3, 1), str(rng.choice(["linear", "rbf"]))
            config = {"kind": "b", "r": r, "kernel": kernel}
        assert problem({**config, "shared": s}) > 0.0


SKLEARN_CASES = [
    ("knn", "iris", {"n_neighbors": 7, "weights": "distance"}),
    ("logistic", "wine", {"C": 0.5}),
    ("ridge", "diabetes", {"alpha": 3.0}),
]


@pytest.mark.parametrize(("model", "dataset", "config"), SKLEARN_CASES)
def test_sklearn_task_runs_and_is_deterministic(model: str, dataset: str, config: dict[str, Any]) -> None:
    problem = problems.sklearn_task(model, dataset, cv=3)
    assert problem.name == f"sklearn:{model}:{dataset}"
    assert problem.direction == "minimize" and problem.optimum is None
    assert sorted(problem.space) == sorted(config)
    first = problem(config)
    assert math.isfinite(first)
    assert problem(config) == first
    clone = pickle.loads(pickle.dumps(problems.sklearn_task(model, dataset, cv=3)))
    assert clone(config) == first
    if dataset == "diabetes":
        assert 1000.0 < first < 10000.0  # MSE in original target units
    else:
        assert 0.0 <= first < 0.2  # 1 - accuracy


def test_sklearn_seed_changes_folds() -> None:
    config = {"n_neighbors": 15, "weights": "uniform"}
    a = problems.sklearn_task("knn", "wine", cv=3, seed=0)(config)
    b = problems.sklearn_task("knn", "wine", cv=3, seed=1)(config)
    assert a != b


def test_sklearn_task_catalogue_and_errors() -> None:
    assert set(problems.SKLEARN_MODELS) >= {"svm", "knn", "mlp", "logistic", "ridge"}
    assert "diabetes" in problems.SKLEARN_DATASETS
    for model, dataset in itertools.product(problems.SKLEARN_MODELS, problems.SKLEARN_DATASETS):
        regression = dataset == "diabetes"
        mismatch = model in (("ridge",), ("logistic", "random_forest_mixed"))[regression]
        if mismatch:
            with pytest.raises(ValueError, match="instead"):
                problems.sklearn_task(model, dataset)
        else:
            assert problems.sklearn_task(model, dataset).space
    with pytest.raises(ValueError, match="Did you mean 'svm'"):
        problems.sklearn_task("svn", "iris")
    with pytest.raises(ValueError, match="Did you mean 'digits'"):
        problems.sklearn_task("svm", "digit")
    with pytest.raises(ValueError, match="cv"):
        problems.sklearn_task("svm", "iris", cv=1)
    svm = problems.sklearn_task("svm", "iris").space
    assert (svm["C"].low, svm["C"].high) == (1e-3, 1e3)


def test_registry_lookup() -> None:
    for name in problems.names():
        assert problems.get(name).name == name
    assert problems.get("rosenbrock").name == "rosenbrock2d"
    assert problems.get("Rosenbrock5d").name == "rosenbrock5d"
    assert len(problems.get("ackley10d").space) == 10
    assert problems.get("styblinski-tang3d").name == "styblinski_tang3d"
    assert sorted(problems.get("sklearn:svm:iris").space) == ["C", "gamma"]
    for required in ("branin", "hartmann3", "hartmann6", "mixed", "conditional"):
        assert required in problems.names()


def test_registry_errors() -> None:
    with pytest.raises(ValueError, match="Did you mean 'branin'") as info:
        problems.get("branni")
    assert "hartmann6" in str(info.value)  # lists the known names
    with pytest.raises(ValueError, match="Unknown problem"):
        problems.get("no-such-problem")
    with pytest.raises(ValueError, match="sklearn:MODEL:DATASET"):
        problems.get("sklearn:svm")
    with pytest.raises(ValueError, match="Did you mean 'knn'"):
        problems.get("sklearn:kn:iris")
    with pytest.raises(ValueError, match="dim"):
        problems.get("rosenbrock1d")


def _double(config: dict[str, Any]) -> float:
    return 2.0 * float(config["x"])


def test_problem_validation_and_call() -> None:
    with pytest.raises(ValueError, match=r"direction.*'minimize' or 'maximize'"):
        Problem("p", {}, _double, direction="min")
    with pytest.raises(TypeError, match="objective must be callable"):
        Problem("p", {}, 3.0)  # type: ignore[arg-type]
    problem = Problem("p", {}, _double, direction="maximize", optimum=2.0)
    assert problem({"x": 1}) == 2.0 and isinstance(problem({"x": 1}), float)
    assert pickle.loads(pickle.dumps(problem))({"x": 3}) == 6.0


@pytest.mark.parametrize("name", problems.names())
def test_builtin_problems_pickle(name: str) -> None:
    problem = problems.get(name)
    clone = pickle.loads(pickle.dumps(problem))
    assert clone.name == problem.name and clone.optimum == problem.optimum
    if problem.minimizer is not None:
        assert clone(problem.minimizer) == problem(problem.minimizer)


def test_import_does_not_load_sklearn() -> None:
    code = "import sys, unitune.problems; sys.exit('sklearn' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0
