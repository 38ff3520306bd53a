"""Fidelity: with a seed, unitune's optuna:tpe with an Optuna pruner makes exactly the trials, the intermediate values
and the pruning decisions of the same hand-written Optuna program (``study.optimize`` with ``trial.report`` and
``trial.should_prune``). One test per pruner family; Hyperband with the same study name on both sides (it picks a
trial's bracket from a hash of the study name and the trial number)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import optuna
import pytest

import unitune as ut

STEPS = 12
SPACE = {"x": ut.Float(-3.0, 3.0), "rate": ut.Float(0.05, 1.0, log=True)}


def curve(x: float, rate: float, step: int) -> float:
    """A learning curve: slow learners start worse; the final value is (x - 1)^2 (+ what remains)."""
    return (x - 1.0) ** 2 + 4.0 * math.exp(-rate * (step + 1)) + 0.05 * math.sin(step + 3 * x)


def native_run(pruner: optuna.pruners.BasePruner, n_trials: int, name: str, direction: str) -> tuple[Any, list[Any]]:
    """The hand-written Optuna program."""
    sign = 1.0 if direction == "minimize" else -1.0
    decisions: list[tuple[int, int, bool]] = []

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -3.0, 3.0)
        rate = trial.suggest_float("rate", 0.05, 1.0, log=True)
        for step in range(STEPS):
            trial.report(sign * curve(x, rate, step), step)
            prune = trial.should_prune()
            decisions.append((trial.number, step, prune))
            if prune:
                raise optuna.TrialPruned()
        return sign * curve(x, rate, STEPS - 1)

    study = optuna.create_study(
        study_name=name, direction=direction, sampler=optuna.samplers.TPESampler(seed=0), pruner=pruner
    )
    study.optimize(objective, n_trials=n_trials)
    return study, decisions


def unitune_run(
    pruner: optuna.pruners.BasePruner, n_trials: int, name: str | None, direction: str
) -> tuple[ut.Study, list[Any]]:
    """The same with unitune (optuna:tpe, seed 0)."""
    sign = 1.0 if direction == "minimize" else -1.0
    decisions: list[tuple[int, int, bool]] = []

    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        for step in range(STEPS):
            trial.report(sign * curve(config["x"], config["rate"], step), step)
            prune = trial.should_prune()
            decisions.append((trial.number, step, prune))
            if prune:
                raise ut.TrialPruned()
        return sign * curve(config["x"], config["rate"], STEPS - 1)

    run = ut.minimize if direction == "minimize" else ut.maximize
    study = run(objective, SPACE, backend="optuna:tpe", seed=0, pruner=pruner, study_name=name, n_trials=n_trials)
    return study, decisions


def recorded(trials: list[optuna.trial.FrozenTrial]) -> list[tuple[Any, ...]]:
    return [(t.number, t.state, t.params, t.intermediate_values, t.values) for t in trials]


def experimental(make: Callable[[], optuna.pruners.BasePruner]) -> optuna.pruners.BasePruner:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return make()


PRUNERS: dict[str, Callable[[], optuna.pruners.BasePruner]] = {
    "median": lambda: optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
    "percentile": lambda: optuna.pruners.PercentilePruner(40.0, n_startup_trials=3),
    "successive_halving": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
    "hyperband": lambda: optuna.pruners.HyperbandPruner(min_resource=1, max_resource=STEPS, reduction_factor=2),
    "wilcoxon": lambda: experimental(lambda: optuna.pruners.WilcoxonPruner(p_threshold=0.2, n_startup_steps=2)),
    "patient": lambda: experimental(
        lambda: optuna.pruners.PatientPruner(optuna.pruners.MedianPruner(n_startup_trials=3), patience=1)
    ),
    "threshold": lambda: optuna.pruners.ThresholdPruner(upper=6.0, n_warmup_steps=2),
    "nop": lambda: optuna.pruners.NopPruner(),
}


@pytest.mark.parametrize("family", sorted(PRUNERS))
def test_optuna_tpe_with_each_pruner_is_the_hand_written_program(family: str) -> None:
    name = f"fidelity-{family}"  # Hyperband hashes the study name: the same on both sides
    native, native_decisions = native_run(PRUNERS[family](), 30, name, "minimize")
    pruner = PRUNERS[family]()
    study, decisions = unitune_run(pruner, 30, name, "minimize")
    assert study.optuna_study.pruner is pruner and study.adapter.study.pruner is pruner
    assert study.adapter.study.study_name == study.study_name == name  # the sampler's study: the native one's
    assert decisions == native_decisions
    assert recorded(study.optuna_study.trials) == recorded(native.trials)
    states = [str(t.state) for t in sorted(study.trials, key=lambda t: t.number)]
    assert states == [t.state.name.lower() for t in native.trials]
    if family != "nop":
        assert "pruned" in states, f"{family} pruned nothing: the test would not tell pruning apart"
    # the backend's own study got the pruned trials with their intermediate values, as native Optuna's did
    assert [(t.state, t.intermediate_values) for t in study.adapter.study.trials] == [
        (t.state, t.intermediate_values) for t in native.trials
    ]


def test_maximize_prunes_as_optuna_does() -> None:
    native, native_decisions = native_run(optuna.pruners.MedianPruner(n_startup_trials=3), 25, "max", "maximize")
    study, decisions = unitune_run(optuna.pruners.MedianPruner(n_startup_trials=3), 25, "max", "maximize")
    assert decisions == native_decisions and any(d[2] for d in decisions)
    assert recorded(study.optuna_study.trials) == recorded(native.trials)


def test_a_seeded_study_has_a_deterministic_name_so_hyperband_repeats_itself() -> None:
    runs = [unitune_run(PRUNERS["hyperband"](), 20, None, "minimize") for _ in range(2)]
    assert runs[0][0].study_name == runs[1][0].study_name == "unitune-seed-0"
    assert runs[0][1] == runs[1][1]
    _, native_decisions = native_run(PRUNERS["hyperband"](), 20, "unitune-seed-0", "minimize")
    assert runs[0][1] == native_decisions
    _, elsewhere = native_run(PRUNERS["hyperband"](), 20, "another-name", "minimize")
    assert elsewhere != native_decisions  # the name decides the brackets: this test can tell
