"""study.importance(): Optuna's evaluators on the record of any backend's study, one table per branch."""

from __future__ import annotations

import math
import warnings
from typing import Any

import optuna
import pytest

import unitune as ut

SPACE = {"x": ut.Float(-2, 2), "y": ut.Float(0, 10), "n": ut.Int(1, 100), "unused": ut.Float(-1, 1)}


def three_and_one(c: dict[str, Any]) -> float:
    """x, y and n matter about as much each; ``unused`` does not matter at all."""
    return abs(c["x"] - 0.3) + abs(c["y"] - 6) / 2.5 + abs(c["n"] - 30) / 30 + 0 * c["unused"]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["optuna", "hyperopt", "skopt:forest"])
def test_a_parameter_that_does_not_matter_ranks_last_on_every_backend(backend: str) -> None:
    study = ut.minimize(three_and_one, SPACE, backend=backend, n_trials=60, seed=0)
    table = study.importance()
    assert table["parameter"].tolist()[-1] == "unused", table
    assert set(table["parameter"]) == set(SPACE)
    assert table["method"].unique().tolist() == ["fANOVA"]  # the default evaluator
    assert table["trials"].unique().tolist() == [60]
    assert math.isclose(table["importance"].sum(), 1.0, rel_tol=1e-9)
    assert table["importance"].is_monotonic_decreasing


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["optuna", "hyperopt"])
def test_across_seeds_the_parameter_that_does_not_matter_has_the_least_importance(backend: str) -> None:
    # One seed of TPE (optuna, seed 1) ranks "unused" second: an adaptive sampler narrows every parameter
    # over time, "unused" too, so its values correlate with the study's progress. Over seeds it is last.
    last, shares = 0, {key: 0.0 for key in SPACE}
    for seed in range(5):
        table = ut.minimize(three_and_one, SPACE, backend=backend, n_trials=60, seed=seed).importance()
        last += table["parameter"].tolist()[-1] == "unused"
        for key, value in zip(table["parameter"], table["importance"], strict=True):
            shares[key] += value / 5
    assert last >= 4, shares
    assert min(shares, key=lambda k: shares[k]) == "unused", shares


@pytest.mark.parametrize(
    ("name", "evaluator"),
    [
        ("fanova", lambda: optuna.importance.FanovaImportanceEvaluator(seed=3)),
        ("ped-anova", lambda: optuna.importance.PedAnovaImportanceEvaluator()),
        ("mdi", lambda: optuna.importance.MeanDecreaseImpurityImportanceEvaluator(seed=3)),
    ],
)
def test_without_conditionals_each_evaluator_gives_what_optuna_gives_on_the_record(name: str, evaluator: Any) -> None:
    study = ut.minimize(three_and_one, SPACE, backend="hyperopt", n_trials=30, seed=1)
    table = study.importance(evaluator=name, seed=3)
    with warnings.catch_warnings():  # PED-ANOVA is experimental in some Optuna versions
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        expected = optuna.importance.get_param_importances(study.optuna_study, evaluator=evaluator())
    assert dict(zip(table["parameter"], table["importance"], strict=True)) == pytest.approx(expected)
    assert list(table["parameter"]) == list(expected)  # most important first, with the right names


def test_an_evaluator_object_is_used_as_it_is() -> None:
    study = ut.minimize(three_and_one, SPACE, backend="optuna:random", n_trials=20, seed=0)
    table = study.importance(evaluator=optuna.importance.MeanDecreaseImpurityImportanceEvaluator(seed=0))
    assert table["method"].unique().tolist() == ["MeanDecreaseImpurityImportanceEvaluator"]


CONDITIONAL = {
    "lr": ut.Float(1e-4, 1e-1, log=True),
    "model": ut.Conditional(
        {
            "tree": {"depth": ut.Int(1, 10), "criterion": ut.Categorical(["gini", "entropy"])},
            "linear": {
                "alpha": ut.Float(0.0, 1.0),
                "solver": ut.Conditional({"sgd": {"momentum": ut.Float(0, 1)}, "lbfgs": {}}),
            },
        }
    ),
}


def conditional_objective(c: dict[str, Any]) -> float:
    value = math.log10(c["lr"]) ** 2 / 10
    if c["model"] == "tree":
        return value + (c["depth"] - 4) ** 2 / 10
    value += 1 + (c["alpha"] - 0.2) ** 2
    return value + (c["momentum"] - 0.9) ** 2 if c["solver"] == "sgd" else value + 0.5


@pytest.mark.parametrize("backend", ["optuna:random", "hyperopt:rand", "skopt:random"])
def test_a_conditional_space_gets_one_table_per_branch_and_each_label_a_row(backend: str) -> None:
    study = ut.minimize(conditional_objective, CONDITIONAL, backend=backend, n_trials=60, seed=0)
    table = study.importance()
    branches = list(dict.fromkeys(table["branch"]))
    assert branches == [
        "all trials",
        "model=tree",
        "model=linear",
        "model=linear, solver=sgd",
        "model=linear, solver=lbfgs",
    ]
    rows = {b: set(group["parameter"]) for b, group in table.groupby("branch", sort=False)}
    assert rows["all trials"] == {"lr", "model"}  # the Conditional's label is a row of its own
    assert rows["model=tree"] == {"lr", "depth", "criterion"}
    assert rows["model=linear"] == {"lr", "alpha", "solver"}  # the nested label, too
    assert rows["model=linear, solver=sgd"] == {"lr", "alpha", "momentum"}
    assert rows["model=linear, solver=lbfgs"] == {"lr", "alpha"}
    counts = {b: int(group["trials"].iloc[0]) for b, group in table.groupby("branch", sort=False)}
    chosen = [t.params["model"] for t in study.trials]
    assert counts["all trials"] == 60
    assert counts["model=tree"] == chosen.count("tree") and counts["model=linear"] == chosen.count("linear")
    solver = [t.params["solver"] for t in study.trials if t.params["model"] == "linear"]
    assert counts["model=linear, solver=sgd"] == solver.count("sgd")
    for branch, group in table.groupby("branch", sort=False):
        assert math.isclose(group["importance"].sum(), 1.0, rel_tol=1e-9), branch
    tree = table[table["branch"] == "model=tree"]
    assert tree["parameter"].iloc[0] == "depth"  # depth matters most among the trees


def test_failed_and_pruned_trials_are_left_out_and_said_so() -> None:
    study = ut.Study(SPACE, backend="hyperopt", seed=0)
    for i in range(30):
        trial = study.ask()
        if i % 10 == 3:
            study.tell(trial, state="failed", error="diverged")
        elif i % 10 == 6:
            study.tell(trial, state="pruned")
        else:
            study.tell(trial, three_and_one(trial.params))
    study.tell(study.ask(), math.nan)  # a NaN is a failed trial, with the reason
    study.ask()  # running
    table = study.importance()
    assert table["trials"].unique().tolist() == [24]
    assert table.attrs["left_out"] == {"failed": 4, "pruned": 3, "running": 1, "not finite": 0}
    assert "Left out: 4 failed, 3 pruned, 1 running" in table.attrs["caption"]
    assert "24 complete trial(s)" in table.attrs["caption"]
    clean = ut.minimize(three_and_one, SPACE, backend="optuna:random", n_trials=5, seed=0).importance()
    assert "No trial left out" in clean.attrs["caption"]


def test_target_picks_the_number_to_explain() -> None:
    study = ut.maximize(lambda c: -three_and_one(c), SPACE, backend="optuna:random", n_trials=40, seed=2)
    default = study.importance()
    by_index = study.importance(target=0)  # the objective, negated to a loss: same importances for fANOVA
    assert by_index["importance"].tolist() == pytest.approx(default["importance"].tolist())
    only_x = study.importance(target=lambda t: (t.params["x"] - 0.3) ** 2)  # a callable of an Optuna trial
    assert only_x["parameter"].iloc[0] == "x" and only_x["importance"].iloc[0] > 0.9


def test_bad_target_and_evaluator_name_the_option_and_the_fix() -> None:
    study = ut.minimize(three_and_one, SPACE, backend="optuna:random", n_trials=5, seed=0)
    with pytest.raises(ut.ArgumentError, match=r"target.*objective's index \(0\.\.0\).*Fix: pass target=0"):
        study.importance(target=3)
    with pytest.raises(ut.ArgumentTypeError, match="target"):
        study.importance(target=1.5)  # type: ignore[arg-type]
    with pytest.raises(ut.ArgumentError, match=r"evaluator.*one of \['fanova', 'ped-anova', 'mdi'\]"):
        study.importance(evaluator="shap")
    with pytest.raises(ut.ArgumentTypeError, match="evaluator"):
        study.importance(evaluator=3)
    with pytest.raises(TypeError, match="evaluater"):
        study.importance(evaluater="mdi")  # type: ignore[call-arg]


def test_a_study_without_complete_trials_has_an_empty_table() -> None:
    study = ut.Study(SPACE, seed=0)
    study.tell(study.ask(), state="failed")
    table = study.importance()
    assert table.empty and table.attrs["left_out"]["failed"] == 1


def stepped(c: dict[str, Any], trial: Any) -> float:
    """An objective that reports a value per step, so that a pruner can stop it."""
    value = math.inf
    for step in range(5):
        value = three_and_one(c) + (5 - step) * 0.1
        trial.report(value, step)
        if trial.should_prune():
            raise ut.TrialPruned()
    return value


def test_trials_a_pruner_stopped_are_left_out_on_every_backend_and_said_so() -> None:
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    for backend in ["optuna", "hyperopt", "skopt:random"]:
        study = ut.minimize(stepped, SPACE, backend=backend, n_trials=30, seed=0, pruner=pruner)
        pruned = sum(str(t.state) == "pruned" for t in study.trials)
        assert 0 < pruned < 30, backend
        table = study.importance()
        assert table["trials"].unique().tolist() == [30 - pruned], backend
        assert table.attrs["left_out"]["pruned"] == pruned
        assert f"Left out: {pruned} pruned" in table.attrs["caption"]
        with pytest.raises(ut.StudyError, match=rf"has {30 - pruned} \(and {pruned} pruned\)"):
            study.narrow(min_trials=30)
        narrowed = study.narrow(min_trials=5)
        assert narrowed.complete == 30 - pruned  # pruned trials are not fitted to, nor warm-started with


def two_objectives(c: dict[str, Any]) -> dict[str, float]:
    return {"error": abs(c["x"] - 0.3) + 0 * c["unused"], "size": abs(c["y"] - 6) / 2.5}


def two_objective_study(backend: str, directions: list[str], n_trials: int) -> ut.Study:
    names = ["error", "size"]
    return ut.optimize(
        two_objectives, SPACE, directions=directions, objectives=names, backend=backend, n_trials=n_trials, seed=0
    )


def test_several_objectives_need_target_and_take_an_index_a_name_or_a_function() -> None:
    study = two_objective_study("hyperopt", directions=["minimize", "maximize"], n_trials=40)
    with pytest.raises(ut.ArgumentError, match=r"2 objectives, so target=.*Fix: pass target=0 .* or target='error'"):
        study.importance()
    by_name, by_index = study.importance(target="error"), study.importance(target=0)
    assert by_name["parameter"].iloc[0] == "x" and by_name["importance"].tolist() == by_index["importance"].tolist()
    size = study.importance(target="size")
    assert size["parameter"].iloc[0] == "y"
    by_function = study.importance(target=lambda t: t.values[1])
    assert by_function["importance"].tolist() == pytest.approx(size["importance"].tolist())  # fANOVA: sign-free
    with pytest.raises(ut.ArgumentError, match=r"one of its names \['error', 'size'\]"):
        study.importance(target="accuracy")
    with pytest.raises(ut.ArgumentError, match=r"index \(0\.\.1\)"):
        study.importance(target=2)
