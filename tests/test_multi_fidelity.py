"""Several objectives and constraints on Optuna: a seeded unitune run makes exactly the trials of hand-written Optuna.

The hand-written programs are what an Optuna user writes: ``create_study(directions=...)`` with the
sampler, ``study.optimize``, and constraints through the sampler's ``constraints_func`` reading a
user attribute the objective sets (the way that works on every Optuna since 3.0) or, from Optuna 5,
``trial.set_constraint``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

import unitune as ut
from unitune.adapters._optuna_compat import trial_constraints

optuna = pytest.importorskip("optuna")

SPACE = ut.Space(
    {"x": ut.Float(0.0, 1.0), "y": ut.Float(-2.0, 2.0), "n": ut.Int(1, 8), "act": ut.Categorical(["a", "b"])}
)


def native(trial: optuna.Trial) -> dict[str, Any]:
    return {
        "x": trial.suggest_float("x", 0.0, 1.0),
        "y": trial.suggest_float("y", -2.0, 2.0),
        "n": trial.suggest_int("n", 1, 8),
        "act": trial.suggest_categorical("act", ["a", "b"]),
    }


def two(c: dict[str, Any]) -> tuple[float, float]:
    """A loss to minimize and a score to maximize."""
    bonus = 0.3 if c["act"] == "a" else 0.0
    return c["x"] ** 2 + 0.1 * c["n"], math.sin(3 * c["y"]) + bonus - (1 - c["x"]) ** 2


def constraint(c: dict[str, Any]) -> list[float]:
    return [c["x"] + c["y"] - 0.5, 0.2 - c["x"]]


def hand_written(
    sampler_cls: Any, options: dict[str, Any], directions: list[str], n_trials: int, constrained: bool, style: str
) -> list[dict[str, Any]]:
    kwargs = {"seed": 0, **options}
    if constrained and style == "constraints_func":
        kwargs["constraints_func"] = lambda frozen: frozen.user_attrs["c"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental / deprecated arguments
        sampler = sampler_cls(**kwargs)
    study = optuna.create_study(directions=directions, sampler=sampler)

    def objective(trial: optuna.Trial) -> Any:
        config = native(trial)
        if constrained:
            values = constraint(config)
            if style == "constraints_func":
                trial.set_user_attr("c", values)
            else:
                for i, value in enumerate(values):
                    trial.set_constraint(str(i), value)
        result = two(config)
        return result if len(directions) == 2 else result[0]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study.optimize(objective, n_trials=n_trials)
    return [t.params for t in study.trials]


CASES = [
    ("nsga2", optuna.samplers.NSGAIISampler, {"population_size": 10}, 2, False, 40),
    ("tpe", optuna.samplers.TPESampler, {"n_startup_trials": 8}, 2, False, 30),
    ("tpe", optuna.samplers.TPESampler, {"n_startup_trials": 8}, 1, True, 30),
    ("tpe", optuna.samplers.TPESampler, {"n_startup_trials": 8}, 2, True, 30),
    ("nsga2", optuna.samplers.NSGAIISampler, {"population_size": 10}, 2, True, 40),
    ("nsga3", optuna.samplers.NSGAIIISampler, {"population_size": 10}, 2, False, 40),
]


@pytest.mark.parametrize(("algorithm", "sampler_cls", "options", "k", "constrained", "n_trials"), CASES)
def test_seeded_runs_make_the_trials_of_hand_written_optuna(
    algorithm: str, sampler_cls: Any, options: dict[str, Any], k: int, constrained: bool, n_trials: int
) -> None:
    directions = ["minimize", "maximize"][:k]
    kwargs: dict[str, Any] = {"constraints": lambda config, result: constraint(config)} if constrained else {}
    if k == 2:
        study = ut.optimize(
            two, SPACE, directions=directions, backend=f"optuna:{algorithm}", backend_options=options,
            n_trials=n_trials, seed=0, **kwargs,
        )  # fmt: skip
    else:
        study = ut.minimize(
            lambda c: two(c)[0], SPACE, backend=f"optuna:{algorithm}", backend_options=options, n_trials=n_trials,
            seed=0, **kwargs,
        )  # fmt: skip
    ours = [t.params for t in study.trials]
    expected = hand_written(sampler_cls, options, directions, n_trials, constrained, "constraints_func")
    assert ours == expected
    if constrained:  # constraints did steer the run: without them, another trajectory
        assert any(not t.feasible for t in study.trials) and any(t.feasible for t in study.trials)
        free = ut.Study(SPACE, backend=f"optuna:{algorithm}", backend_options=options, seed=0, directions=directions)
        free.optimize(lambda c: two(c) if k == 2 else two(c)[0], n_trials)
        assert [t.params for t in free.trials] != ours


@pytest.mark.skipif(not hasattr(optuna.trial.Trial, "set_constraint"), reason="Trial.set_constraint: Optuna >= 5")
def test_constraints_set_on_the_trial_make_the_same_run_as_constraints_func() -> None:
    options = {"n_startup_trials": 8}
    by_trial = hand_written(optuna.samplers.TPESampler, options, ["minimize"], 25, True, "set_constraint")
    by_function = hand_written(optuna.samplers.TPESampler, options, ["minimize"], 25, True, "constraints_func")
    assert by_trial == by_function
    ours = ut.minimize(
        lambda c: two(c)[0], SPACE, backend="optuna:tpe", backend_options=options, n_trials=25, seed=0,
        constraints=lambda config, result: constraint(config),
    )  # fmt: skip
    assert [t.params for t in ours.trials] == by_trial


def test_the_record_holds_what_optuna_would_hold() -> None:
    study = ut.optimize(
        two, SPACE, directions=["minimize", "maximize"], objectives=["loss", "score"], backend="optuna:tpe",
        constraints=lambda config, result: constraint(config), n_trials=15, seed=1,
    )  # fmt: skip
    record = study.optuna_study
    assert record.directions == [optuna.study.StudyDirection.MINIMIZE, optuna.study.StudyDirection.MAXIMIZE]
    assert record.metric_names == ["loss", "score"]
    for ours, frozen in zip(study.trials, record.trials, strict=True):
        assert tuple(frozen.values) == ours.values
        assert trial_constraints(frozen) == ours.constraints
    assert [t.number for t in record.best_trials] == [t.number for t in study.best_trials]
