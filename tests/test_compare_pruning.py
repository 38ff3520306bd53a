"""compare(..., pruner=...): pruned and unpruned runs of each backend, their steps, and what pruning saved and cost."""

from __future__ import annotations

from typing import Any

import matplotlib
import optuna
import pytest

import unitune as ut

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def comparison() -> ut.Comparison:
    return ut.compare(
        "learning_curve",
        backends=["optuna:tpe", "hyperopt:tpe", "skopt:gp"],
        n_trials=12,
        seeds=[0, 1],
        pruner=[None, "asha"],
        backend_options={  # past the start-up phases within 12 trials
            "optuna:tpe": {"n_startup_trials": 4},
            "hyperopt:tpe": {"n_startup_jobs": 4},
            "skopt:gp": {"n_initial_points": 4},
        },
    )


def test_each_backend_runs_with_and_without_the_pruner(comparison: ut.Comparison) -> None:
    trials = comparison.trials
    labels = sorted(trials["backend"].unique())
    assert labels == ["hyperopt:tpe", "hyperopt:tpe+asha", "optuna:tpe", "optuna:tpe+asha", "skopt:gp", "skopt:gp+asha"]
    assert len(trials) == 6 * 2 * 12 and comparison.failures.empty
    pruned = trials[trials["backend"].str.endswith("+asha")]
    assert (pruned["state"] == "pruned").any()
    assert (trials.loc[~trials.index.isin(pruned.index), "state"] == "complete").all()


def test_steps_are_counted_per_trial_and_cumulated_per_run(comparison: ut.Comparison) -> None:
    trials = comparison.trials
    steps = ut.problems.get("learning_curve").steps
    assert (trials["steps"] == trials["last_step"] + 1).all()
    assert (trials.loc[trials["state"] == "complete", "steps"] == steps).all()
    assert (trials.loc[trials["state"] == "pruned", "steps"] < steps).all()
    for _, run in trials.groupby(["backend", "seed"]):
        run = run.sort_values("trial")
        assert run["cumulative_steps"].tolist() == run["steps"].cumsum().tolist()


def test_the_summary_says_what_pruning_saved_and_cost(comparison: ut.Comparison) -> None:
    summary = comparison.summary().set_index("backend")
    trials = comparison.trials
    for backend in ("optuna:tpe", "hyperopt:tpe", "skopt:gp"):
        pruned, whole = summary.loc[f"{backend}+asha"], summary.loc[backend]
        assert whole["steps"] == 12 * 50 and pd_isna(whole["steps_saved"])
        ends = trials[trials["backend"] == f"{backend}+asha"].groupby("seed")["cumulative_steps"].max()
        assert pruned["steps"] == ends.mean()
        assert pruned["steps_saved"] == pytest.approx((1 - ends / (12 * 50)).mean())
        finals = comparison.final().set_index(["backend", "seed"])["regret"]
        expected = (finals.loc[f"{backend}+asha"] - finals.loc[backend]).mean()
        assert pruned["quality_cost"] == pytest.approx(expected)
        assert not pd_isna(pruned["quality_cost_equal_steps"])


def pd_isna(value: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_without_pruners_the_summary_is_unchanged() -> None:
    cmp = ut.compare("branin", backends=["optuna:random"], n_trials=3, seeds=[0])
    assert "steps_saved" not in cmp.summary().columns
    assert (cmp.trials["steps"] == 1).all() and cmp.trials["cumulative_steps"].tolist() == [1, 2, 3]


def test_pruners_are_checked_before_anything_runs() -> None:
    calls: list[int] = []

    def objective(config: dict[str, Any]) -> float:
        calls.append(1)
        return config["x"]

    space = {"x": ut.Float(0, 1)}
    with pytest.raises(ut.ArgumentError, match="did you mean 'median'"):
        ut.compare(objective, space, backends=["optuna"], n_trials=2, seeds=[0], pruner=[None, "medain"])
    with pytest.raises(ut.ArgumentError, match="distinct"):
        ut.compare(objective, space, backends=["optuna"], n_trials=2, seeds=[0], pruner=["median", "median"])
    assert calls == []


class Counting(optuna.pruners.MedianPruner):
    def __init__(self) -> None:
        super().__init__(n_startup_trials=2)
        self.calls = 0

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        self.calls += 1
        return super().prune(study, trial)


def test_pruner_objects_get_a_fresh_copy_per_run_and_labels_from_a_dict() -> None:
    pruner = Counting()
    cmp = ut.compare("learning_curve", backends=["optuna:random"], n_trials=6, seeds=[0, 1], pruner={"m2": pruner})
    assert set(cmp.trials["backend"]) == {"optuna:random+m2"} and (cmp.trials["state"] == "pruned").any()
    assert pruner.calls == 0  # every run pruned with its own copy


def test_plot_steps_draws_a_panel_per_problem(comparison: ut.Comparison) -> None:
    fig = comparison.plot_steps()
    (ax,) = fig.axes
    assert ax.get_xlabel() == "cumulative steps" and len(ax.get_lines()) == 6
