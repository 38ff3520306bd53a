"""Problems with several objectives and with constraints, and how compare() scores their runs."""

from __future__ import annotations

import math
import pickle
from typing import Any

import moocore
import numpy as np
import pytest

import unitune as ut
from unitune.compare._multi import hypervolume

MULTI = ["zdt1", "zdt2", "zdt3", "dtlz2"]
CONSTRAINED = ["constrained_branin", "gardner1", "gardner2", "gramacy"]


@pytest.mark.parametrize("name", MULTI)
def test_fronts_are_attained_and_their_hypervolume_is_right(name: str) -> None:
    problem = ut.problems.get(f"{name}_5d")
    m = problem.n_objectives
    rng = np.random.default_rng(0)
    for _ in range(20):  # points with the distance variables at their optimum lie on the true front
        x = rng.random(5)
        if name == "dtlz2":
            x[m - 1 :] = 0.5
            assert math.isclose(float(np.linalg.norm(problem({f"x{i}": v for i, v in enumerate(x)}))), 1.0)
        else:
            x[1:] = 0.0
            f1, f2 = problem({f"x{i}": v for i, v in enumerate(x)})
            assert f1 == x[0] and f2 == pytest.approx({"zdt1": 1 - math.sqrt(f1), "zdt2": 1 - f1**2}.get(
                name, 1 - math.sqrt(f1) - f1 * math.sin(10 * math.pi * f1)))  # fmt: skip
    front = np.asarray(problem.front(40_000 if name == "dtlz2" else 200_001))
    assert moocore.is_nondominated(front, keep_weakly=True).all()
    measured = moocore.hypervolume(front, ref=problem.reference_point)
    assert problem.front_hypervolume == pytest.approx(measured, rel=5e-3 if name == "dtlz2" else 1e-6)
    assert problem.front_hypervolume > measured or name != "dtlz2"  # a sample of the sphere covers less
    random_points = [problem({f"x{i}": v for i, v in enumerate(rng.random(5))}) for _ in range(200)]
    assert 0 < hypervolume(random_points, problem) < problem.front_hypervolume


@pytest.mark.parametrize("name", CONSTRAINED)
def test_constrained_optima_are_feasible_and_no_grid_point_beats_them(name: str) -> None:
    problem = ut.problems.get(name)
    assert problem.constraints is not None and problem.optimum is not None and problem.minimizer is not None
    assert all(c <= 1e-9 for c in problem.constraints(dict(problem.minimizer)))
    assert problem(problem.minimizer) == pytest.approx(problem.optimum, abs=1e-9)
    (lo0, hi0), (lo1, hi1) = ((p.low, p.high) for p in problem.space.values())
    best = math.inf
    for x0 in np.linspace(lo0, hi0, 301):
        for x1 in np.linspace(lo1, hi1, 301):
            config = {"x0": float(x0), "x1": float(x1)}
            if all(c <= 0 for c in problem.constraints(config)):
                best = min(best, problem(config))
    assert problem.optimum <= best < problem.optimum + 0.05  # the grid comes close, never below
    free = min(problem({"x0": float(a), "x1": float(b)}) for a in np.linspace(lo0, hi0, 61)
               for b in np.linspace(lo1, hi1, 61))  # fmt: skip
    assert (free < problem.optimum - 1e-3) == (name in ("gardner2", "gramacy"))  # their constraint is active


def test_problems_pickle_and_are_listed() -> None:
    for name in [*MULTI, *CONSTRAINED]:
        assert name in ut.problems.names()
        problem = ut.problems.get(name)
        assert pickle.loads(pickle.dumps(problem)).name == name
    assert ut.problems.get("zdt2").space.keys() == {f"x{i}" for i in range(30)}
    assert len(ut.problems.get("dtlz2").space) == 12


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"directions": ("minimize",)}, "two or more objectives"),
        ({"directions": ("minimize", "up")}, "'minimize' or 'maximize'"),
        ({"directions": ("minimize", "minimize"), "reference_point": (1.0,)}, "one coordinate per objective"),
    ],
)
def test_problem_checks_its_objectives(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ut.ArgumentError, match=message):
        ut.problems.Problem("p", {"x": ut.Float(0, 1)}, lambda c: (1, 2), **kwargs)


def test_compare_scores_several_objectives_by_hypervolume_regret() -> None:
    cmp = ut.compare(["zdt1_5d", "dtlz2_5d"], backends=["optuna:random", "hyperopt:rand"], n_trials=15, seeds=[0, 1])
    trials = cmp.trials
    assert cmp.directions == {"zdt1_5d": "maximize", "dtlz2_5d": "maximize"}
    assert cmp.optima["zdt1_5d"] == pytest.approx(121 - 1 / 3)
    for (problem_name, _, _), run in trials.groupby(["problem", "backend", "seed"]):
        problem = ut.problems.get(problem_name)
        assert (run["best_so_far"].diff().dropna() >= 0).all()  # a front never loses hypervolume
        assert np.allclose(run["regret"], problem.front_hypervolume - run["best_so_far"])
        assert (run["value"] <= run["best_so_far"] + 1e-12).all()
    study = ut.optimize(ut.problems.get("zdt1_5d").objective, ut.problems.get("zdt1_5d").space,
                        directions=["minimize", "minimize"], backend="optuna:random", n_trials=15, seed=0)  # fmt: skip
    run = trials[(trials.problem == "zdt1_5d") & (trials.backend == "optuna:random") & (trials.seed == 0)]
    assert run["best_so_far"].iloc[-1] == pytest.approx(
        moocore.hypervolume(np.array([t.values for t in study.trials]), ref=[11, 11])
    )
    summary = cmp.summary().set_index(["problem", "backend"])
    assert summary.loc[("zdt1_5d", "optuna:random"), "regret_median"] > 0
    assert set(cmp.final()["rank"]) <= {1.0, 1.5, 2.0}


def test_compare_scores_constrained_runs_by_feasible_trials() -> None:
    options = {"optuna:tpe": {"n_startup_trials": 5}, "hyperopt:tpe": {"n_startup_jobs": 5}}
    cmp = ut.compare(["gardner2", "branin"], backends=list(options), n_trials=20, seeds=[0, 1], backend_options=options)
    trials = cmp.trials
    constrained = trials[trials.problem == "gardner2"]
    assert constrained["feasible"].notna().all() and trials[trials.problem == "branin"]["feasible"].isna().all()
    for _, run in constrained.groupby(["backend", "seed"]):
        feasible = run[run["feasible"].astype(bool)]
        expected = feasible["value"].cummin().reindex(run.index).ffill()
        assert np.allclose(run["best_so_far"], expected, equal_nan=True)
    table = cmp.feasibility()
    assert list(table["problem"].unique()) == ["gardner2"] and (table["runs"] == 2).all()
    share = constrained["feasible"].astype(float).groupby([constrained.backend, constrained.seed]).mean()
    assert np.allclose(table.set_index("backend")["feasible_fraction"], share.groupby("backend").mean())
    assert share.max() > 0 and table["runs_without_feasible"].sum() == (share == 0).sum()


def test_compare_refuses_several_objectives_without_a_reference_point() -> None:
    problem = ut.problems.Problem("two", {"x": ut.Float(0, 1)}, lambda c: (c["x"], 1 - c["x"]),
                                  directions=("minimize", "minimize"))  # fmt: skip
    with pytest.raises(ut.ArgumentError, match="no reference_point"):
        ut.compare(problem, backends=["optuna:random"], n_trials=2, seeds=[0])
