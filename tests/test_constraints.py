"""Constraints on every backend: best trials are feasible ones, values are checked, the record shows feasibility."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import unitune as ut
from unitune.adapters import backend_names
from unitune.adapters._optuna_compat import trial_constraints

optuna = pytest.importorskip("optuna")

SPACE = {"x": ut.Float(0, 1), "y": ut.Float(0, 1)}
GRID = {"x": ut.Float(0, 1, step=0.1), "y": ut.Float(0, 1, step=0.1)}


def budget(config: dict[str, Any], result: Any) -> list[float]:
    """x + y <= 1: the better half of the square is infeasible."""
    return [config["x"] + config["y"] - 1.0]


def options(backend: str) -> dict[str, Any] | None:
    return {
        "optuna:tpe": {"n_startup_trials": 6},
        "optuna:cmaes": {"n_startup_trials": 2},
        "optuna:nsga2": {"population_size": 6},
        "optuna:nsga3": {"population_size": 6},
        "hyperopt:tpe": {"n_startup_jobs": 6},
        "skopt:gp": {"n_initial_points": 6, "n_points": 200, "n_restarts_optimizer": 1},
        "skopt:forest": {"n_initial_points": 6, "n_points": 200},
        "skopt:et": {"n_initial_points": 6, "n_points": 200},
        "skopt:gbrt": {"n_initial_points": 6, "n_points": 200},
    }.get(backend)


@pytest.mark.filterwarnings("ignore:Constraints have been set, but CmaEsSampler")  # Optuna's, as by hand
@pytest.mark.parametrize("backend", backend_names())
def test_best_trial_is_the_best_feasible_one_on_every_backend(backend: str) -> None:
    space = GRID if backend == "optuna:grid" else SPACE
    study = ut.maximize(lambda c: c["x"] + 2 * c["y"], space, constraints=budget, backend=backend, n_trials=20,
                        seed=0, backend_options=options(backend))  # fmt: skip
    complete = [t for t in study.trials if t.state == "complete"]
    feasible = [t for t in complete if t.constraints[0] <= 0]
    assert feasible and len(feasible) < len(complete)  # both kinds: the check below can fail
    best = study.best_trial
    assert best.feasible and best.value == max(t.value for t in feasible)
    assert any(t.value > best.value for t in complete if not t.feasible)  # a better, infeasible trial was passed
    assert [t.number for t in study.best_trials] == [t.number for t in feasible if t.value == best.value]
    assert study.optuna_study.best_trial.number == best.number  # Optuna reads the recorded constraints too


@pytest.mark.parametrize("backend", ["optuna:nsga2", "optuna:tpe", "hyperopt:tpe", "skopt:forest", "optuna:random"])
def test_best_trials_of_several_objectives_are_feasible(backend: str) -> None:
    study = ut.optimize(lambda c: (c["x"], c["y"]), SPACE, directions=["maximize", "maximize"], constraints=budget,
                        backend=backend, n_trials=20, seed=0, backend_options=options(backend))  # fmt: skip
    front = study.best_trials
    assert front and all(t.feasible for t in front)
    assert any(not t.feasible for t in study.trials)
    assert sorted(t.number for t in study.optuna_study.best_trials) == [t.number for t in front]


def test_constraints_named_in_a_dict_result_and_given_to_tell() -> None:
    def objective(config: dict[str, Any]) -> dict[str, float]:
        return {"value": config["x"], "memory_excess": config["x"] - 0.5, "time_excess": -1.0}

    study = ut.minimize(objective, SPACE, constraints=["memory_excess", "time_excess"], backend="optuna:random",
                        n_trials=8, seed=0)  # fmt: skip
    trial = study.trials[0]
    assert trial.constraints == (trial.params["x"] - 0.5, -1.0)
    frame = study.trials_dataframe()
    assert list(frame.columns[frame.columns.get_loc("feasible") :][:3]) == [
        "feasible", "constraints_memory_excess", "constraints_time_excess"
    ]  # fmt: skip
    assert frame["feasible"].tolist() == [t.params["x"] <= 0.5 for t in study.trials]
    assert frame["user_attrs_memory_excess"].tolist() == [t.constraints[0] for t in study.trials]

    ask_tell = ut.Study(SPACE, constraints="memory", backend="hyperopt", seed=0)
    trial = ask_tell.ask()
    ask_tell.tell(trial, 0.3, constraints=[2.0])
    assert trial.constraints == (2.0,) and not trial.feasible
    with pytest.raises(ut.NoCompleteTrialError, match=r"none of the 1 complete trial.*is feasible"):
        _ = ask_tell.best_trial
    assert ask_tell.best_trials == []
    with pytest.raises(ut.ArgumentError, match=r"tell\(constraints=...\) needs a study with constraints"):
        unconstrained = ut.Study(SPACE)
        unconstrained.tell(unconstrained.ask(), 1.0, constraints=[0.0])


BAD = [
    (lambda c, r: [math.nan], r"constraint 0 from the constraints function must be a number \(not NaN\)"),
    (lambda c, r: ["big"], r"constraint 0 .* received 'big'"),
    (lambda c, r: None, r"must give a sequence of constraint values"),
    (lambda c, r: 1 / 0, r"the constraints function raised ZeroDivisionError"),
    (["memory"], r"constraints \['memory'\] are read from the objective's dict result; it returned 0.5"),
]


@pytest.mark.parametrize(("constraints", "message"), BAD)
def test_bad_constraint_values_are_clear_errors(constraints: Any, message: str) -> None:
    with pytest.raises(ut.ObjectiveError, match=message):
        ut.minimize(lambda c: 0.5, SPACE, constraints=constraints, n_trials=2)
    study = ut.Study(SPACE, constraints=["a", "b"])
    with pytest.raises(ut.ObjectiveError, match=r"gave 1 constraint value\(s\) for the 2 constraints \['a', 'b'\]"):
        study.tell(study.ask(), 1.0, constraints=[0.0])


@pytest.mark.parametrize("constraints", [3, [], [1, 2], ["a", "a"]])
def test_constraints_that_are_neither_a_function_nor_names_are_refused(constraints: Any) -> None:
    with pytest.raises(ut.ArgumentError, match="constraints must"):
        ut.Study(SPACE, constraints=constraints)


def test_constraints_survive_storage_and_resume(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    kwargs: dict[str, Any] = {"constraints": budget, "backend": "skopt:forest", "storage": url, "study_name": "c",
                              "seed": 0, "backend_options": options("skopt:forest")}  # fmt: skip
    first = ut.maximize(lambda c: c["x"] + 2 * c["y"], SPACE, n_trials=8, **kwargs)
    loaded = optuna.load_study(study_name="c", storage=url)
    assert [trial_constraints(t) for t in loaded.trials] == [t.constraints for t in first.trials]
    before = [t.constraints for t in first.trials]  # (a stored study sees later trials)
    resumed = ut.maximize(lambda c: c["x"] + 2 * c["y"], SPACE, n_trials=12, load_if_exists=True, **kwargs)
    assert [t.constraints for t in resumed.trials[:8]] == before
    assert resumed.best_trial.feasible and len(resumed.trials) == 12
