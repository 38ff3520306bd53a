"""Pruning in a comparison: runs with and without pruners, and their cost in steps.

``compare(..., pruner=...)`` runs every backend with each pruner asked for; a pruned
run's backend is labelled ``"backend+pruner"`` (``"hyperopt:tpe+asha"``), so the
statistics, ranks and plots treat it as an optimizer of its own, paired by seed with
the unpruned one. Trials count their steps (``steps``: ``last_step + 1``, or 1 for a
trial that reported none) and each run its ``cumulative_steps``: the best so far
against cumulative steps compares a pruned and an unpruned run fairly, and the
summary says how many steps pruning saved and what it cost in final quality.

Example:
    >>> [suffix for suffix, _ in pruner_variants([None, "asha"])]
    ['', 'asha']
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ArgumentError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from unitune.problems import Problem

__all__ = [
    "STEP_COLUMNS",
    "add_cumulative_steps",
    "fresh_pruner",
    "pruner_variants",
    "reports",
    "step_columns",
    "steps_plot",
    "with_pruning",
    "with_trial",
]

#: Columns of :attr:`Comparison.trials` about steps.
STEP_COLUMNS = ("last_step", "steps", "cumulative_steps")
_PRUNING_COLUMNS = ("steps", "steps_saved", "quality_cost")


def pruner_variants(pruner: Any) -> list[tuple[str, Any]]:
    """``[(label suffix, pruner)]`` for ``compare(pruner=...)``; the suffix is ``""`` for no pruning.

    Every pruner is checked here, before any run (a short name, an Optuna pruner, or None).

    Raises:
        ArgumentError: for a bad pruner or two pruners with the same label.
    """
    from unitune.study._pruning import pruner_name, resolve_pruner

    if isinstance(pruner, Mapping):
        items = [(str(label), p) for label, p in pruner.items()]
    elif isinstance(pruner, (list, tuple)):
        items = [("" if p is None else pruner_name(p), p) for p in pruner]
    else:
        items = [("" if pruner is None else pruner_name(pruner), pruner)]
    for label, p in items:
        resolve_pruner(p)
        if "+" in label:
            raise ArgumentError(f"pruner labels must not contain '+'; received {label!r}. Fix: rename it")
    labels = [label for label, _ in items]
    if not items or len(set(labels)) != len(labels):
        raise ArgumentError(
            f"compare(pruner=...) needs distinct pruners; received labels {labels}. "
            "Fix: pass a dict {label: pruner}, e.g. {'asha3': SuccessiveHalvingPruner(reduction_factor=3)}"
        )
    return items


def fresh_pruner(pruner: Any) -> Any:
    """A copy of a pruner object for one run (pruners keep state per study, e.g. Hyperband's brackets)."""
    return pruner if pruner is None or isinstance(pruner, str) else copy.deepcopy(pruner)


def reports(problem: Problem) -> bool:
    """Whether a problem's objective reports steps (it has a step budget, or takes ``(config, trial)``)."""
    from unitune.study._handle import takes_trial

    return problem.steps is not None or takes_trial(problem.objective)


def with_trial(timed: Callable[[dict[str, Any], Any], float]) -> Callable[[dict[str, Any], Any], float]:
    """An objective ``(config, trial)`` (so the study passes a trial handle) around ``timed``."""

    def objective(config: dict[str, Any], trial: Any) -> float:
        return timed(config, trial)

    return objective


def step_columns(trial: Any) -> dict[str, Any]:
    """``last_step`` and ``steps`` of a finished trial (a trial that reported nothing is one step)."""
    last = trial.last_step
    return {"last_step": math.nan if last is None else last, "steps": 1 if last is None else last + 1}


def add_cumulative_steps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``cumulative_steps`` of one run's rows, in trial order."""
    total = 0
    for row in rows:
        total += row["steps"]
        row["cumulative_steps"] = total
    return rows


def with_pruning(table: pd.DataFrame, trials: pd.DataFrame, directions: Mapping[str, str]) -> pd.DataFrame:
    """The summary with the pruning columns when some runs were pruned (labels ``"backend+pruner"``).

    ``steps``: mean steps per run. For a label ``"backend+pruner"`` whose ``"backend"`` ran too,
    paired by seed: ``steps_saved``, the mean fraction of the unpruned run's steps that pruning
    saved; ``quality_cost``, the mean final score (regret when the optimum is known, else the best
    value, minimized) of the pruned run minus the unpruned one's, after the same number of trials;
    ``quality_cost_equal_steps``, the same against the unpruned run's score when it had spent as
    many steps as the pruned run. Above 0, pruning cost quality; below 0, it paid off.
    """
    labels = trials["backend"].astype(str)
    if not len(trials) or not labels.str.contains("+", regex=False).any():
        return table
    keys = ["problem", "backend", "seed"]
    scored = trials[[*keys, "trial", "cumulative_steps"]].copy()
    sign = trials["problem"].map(lambda p: -1.0 if directions.get(p) == "maximize" else 1.0)
    scored["score"] = trials["regret"].where(trials["regret"].notna(), sign * trials["best_so_far"])
    scored["base"] = labels.str.split("+").str[0]
    runs = scored.sort_values("trial").groupby(keys, as_index=False).tail(1)  # each run's end
    runs = runs.rename(columns={"cumulative_steps": "steps"})
    unpruned = scored[scored["backend"] == scored["base"]]
    ends = runs[runs["backend"] == runs["base"]].rename(columns={"steps": "base_steps", "score": "base_score"})
    runs = runs.merge(ends[["problem", "base", "seed", "base_steps", "base_score"]], on=["problem", "base", "seed"])
    pruned = runs["backend"] != runs["base"]
    runs["steps_saved"] = (1.0 - runs["steps"] / runs["base_steps"]).where(pruned)
    runs["quality_cost"] = (runs["score"] - runs["base_score"]).where(pruned)
    same = [_score_at(unpruned, row.problem, row.base, row.seed, row.steps) for row in runs.itertuples()]
    runs["quality_cost_equal_steps"] = (runs["score"] - same).where(pruned)
    every = scored.groupby(keys, as_index=False)["cumulative_steps"].max()
    every = every.groupby(["problem", "backend"], as_index=False)["cumulative_steps"].mean()
    columns = ["steps_saved", "quality_cost", "quality_cost_equal_steps"]
    paired = runs.groupby(["problem", "backend"], as_index=False)[columns].mean()
    added = every.rename(columns={"cumulative_steps": "steps"}).merge(paired, on=["problem", "backend"], how="left")
    out: pd.DataFrame = table.merge(added, on=["problem", "backend"], how="left")
    return out


def _score_at(unpruned: pd.DataFrame, problem: Any, base: Any, seed: Any, steps: Any) -> float:
    """The unpruned run's score once it had spent ``steps`` steps (NaN before its first trial ended)."""
    run = unpruned[(unpruned["problem"] == problem) & (unpruned["backend"] == base) & (unpruned["seed"] == seed)]
    spent = run[run["cumulative_steps"] <= steps].sort_values("cumulative_steps")
    return float(spent["score"].iloc[-1]) if len(spent) else math.nan


def steps_plot(trials: pd.DataFrame, *, log: bool | None = None) -> Figure:
    """Best so far (regret when known) against cumulative steps: median and IQR per backend, a panel per problem.

    A label's curve ends where its shortest run ends (a pruned run spends fewer steps).
    """
    import matplotlib.pyplot as plt
    import numpy as np

    problems = sorted(trials["problem"].unique())
    fig, axes = plt.subplots(1, len(problems), figsize=(5 * len(problems), 3.6), squeeze=False)
    for ax, problem in zip(axes[0], problems, strict=True):
        part = trials[trials["problem"] == problem]
        known = bool(part["regret"].notna().any())
        column = "regret" if known else "best_so_far"
        grid = np.linspace(0, float(part["cumulative_steps"].max()), 200)
        for label, runs in part.groupby("backend", sort=True):
            curves, end = [], math.inf
            for _, run in runs.groupby("seed"):
                run = run.sort_values("trial")
                spent = run["cumulative_steps"].to_numpy(dtype=float)
                at = np.searchsorted(spent, grid, side="right") - 1
                values = run[column].to_numpy(dtype=float)
                curves.append(np.where(at >= 0, values[np.clip(at, 0, None)], np.nan))
                end = min(end, spent[-1])
            keep = grid <= end
            stack = np.vstack(curves)[:, keep]
            with warnings.catch_warnings():  # "All-NaN slice": steps before a run's first complete trial
                warnings.simplefilter("ignore", RuntimeWarning)
                median = np.nanmedian(stack, axis=0)
                q1, q3 = np.nanpercentile(stack, [25, 75], axis=0)
            ax.plot(grid[keep], median, label=str(label))
            ax.fill_between(grid[keep], q1, q3, alpha=0.2)
        ax.set_title(problem)
        ax.set_xlabel("cumulative steps")
        ax.set_ylabel(column.replace("_", " "))
        if log if log is not None else known:
            ax.set_yscale("log")
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
