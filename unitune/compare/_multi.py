"""Scores of comparison runs with several objectives (hypervolume) and with constraints (best feasible value).

A run with several objectives is scored by the hypervolume of the front it found,
computed by moocore up to the problem's stated ``reference_point``: the rows of
:attr:`~unitune.Comparison.trials` hold, per trial, ``value`` = the hypervolume of that
trial's own point, ``best_so_far`` = the hypervolume of every complete (feasible) trial
so far, and ``regret`` = the true front's hypervolume (``Problem.front_hypervolume``) minus
``best_so_far``. The problem's direction in the comparison is ``"maximize"`` and its
optimum the true hypervolume, so statistics, ranks and plots read it like any single
score. A run with constraints keeps its values, but ``best_so_far`` and ``regret`` count
feasible trials only, and the rows say whether each trial was ``feasible``;
:func:`feasibility` sums that up per problem and backend.

Example:
    >>> import unitune as ut
    >>> problem = ut.problems.get("zdt1_5d")
    >>> round(hypervolume([(0.0, 1.0), (1.0, 0.0)], problem), 3), aim(problem)
    (120.0, (120.66666666666667, 'maximize'))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from unitune.problems import Problem
    from unitune.study import Trial

__all__ = ["aim", "check_problem", "feasibility", "hypervolume", "rescore", "study_aims"]


def check_problem(problem: Problem) -> None:
    """Refuse, before any run, a problem with several objectives and no reference point."""
    if problem.directions is not None and problem.reference_point is None:
        raise ArgumentError(
            f"problem {problem.name!r} has {len(problem.directions)} objectives but no reference_point: compare() "
            "scores such runs by the hypervolume up to it. Fix: give Problem(..., reference_point=(...)) (worse than "
            "every point of the front that counts), and front_hypervolume= for regrets"
        )


def aim(problem: Problem) -> tuple[float | None, str]:
    """The optimum and direction of a problem's score: its true hypervolume (maximized) with several objectives."""
    if problem.directions is not None:
        return problem.front_hypervolume, "maximize"
    return problem.optimum, problem.direction


def study_aims(problem: Problem) -> dict[str, Any]:
    """The Study arguments of a problem: its direction(s), and its constraints as a function of the configuration."""
    aims: dict[str, Any] = (
        {"direction": problem.direction} if problem.directions is None else {"directions": list(problem.directions)}
    )
    if problem.constraints is not None:
        aims["constraints"] = _OnConfig(problem.constraints)
    return aims


class _OnConfig:
    """``constraints(config, result)`` from a problem's ``constraints(config)``."""

    def __init__(self, constraints: Any) -> None:
        self.constraints = constraints

    def __call__(self, config: dict[str, Any], result: Any) -> Sequence[float]:
        values: Sequence[float] = self.constraints(config)
        return values


def hypervolume(points: Sequence[Sequence[float]], problem: Problem) -> float:
    """The hypervolume of ``points`` (objective values) up to the problem's reference point (0 for none)."""
    import moocore
    import numpy as np

    assert problem.directions is not None and problem.reference_point is not None
    maximise = [d == "maximize" for d in problem.directions]
    ref = np.asarray(problem.reference_point, dtype=float)
    data = np.asarray(points, dtype=float).reshape(-1, len(ref))
    better = np.where(maximise, data > ref, data < ref).all(axis=1)  # only points inside the reference box count
    return float(moocore.hypervolume(data[better], ref=ref, maximise=maximise)) if better.any() else 0.0


def rescore(problem: Problem, trials: Sequence[Trial], rows: list[dict[str, Any]]) -> None:
    """Rewrite the scores of a run's rows (one per trial, by number): hypervolume or best feasible value.

    ``trials`` are the run's trials (a study's, or those read back from a storage).
    """
    trials = sorted(trials, key=lambda t: t.number)
    optimum, direction = aim(problem)
    sign = 1.0 if direction == "minimize" else -1.0
    best, front = math.inf, list[tuple[float, ...]]()
    for row, trial in zip(rows, trials, strict=True):
        complete = trial.state == "complete" and trial.values is not None
        row["feasible"] = trial.feasible if complete and problem.constraints is not None else None
        if problem.directions is not None:
            row["value"] = hypervolume([trial.values], problem) if complete else math.nan  # type: ignore[list-item]
            if complete and trial.feasible:
                front.append(trial.values)  # type: ignore[arg-type]
                best = -hypervolume(front, problem)
        elif complete and trial.feasible:
            best = min(best, sign * float(trial.values[0]))  # type: ignore[index]
        row["best_so_far"] = sign * best if math.isfinite(best) else math.nan
        row["regret"] = math.nan
        if optimum is not None and math.isfinite(best):
            row["regret"] = max(0.0, sign * (row["best_so_far"] - optimum))


def feasibility(trials: pd.DataFrame) -> pd.DataFrame:
    """Per problem and backend with constraints: feasible fraction of complete trials, and best feasible values.

    Columns: problem, backend, runs, feasible_fraction (mean over runs of the share of complete
    trials that are feasible), runs_without_feasible, best_median (median over runs of the final best
    feasible value), regret_median.
    """
    import pandas as pd

    columns = ["problem", "backend", "runs", "feasible_fraction", "runs_without_feasible", "best_median"]
    columns.append("regret_median")
    rows: list[dict[str, Any]] = []
    if "feasible" not in trials.columns:
        empty: pd.DataFrame = pd.DataFrame(rows, columns=columns)
        return empty
    constrained = trials[trials["feasible"].notna()]
    for (problem, backend), group in trials.groupby(["problem", "backend"], sort=True):
        if problem not in set(constrained["problem"]):
            continue
        runs = group.groupby("seed")
        done = group[group["feasible"].notna()]
        share = done.groupby("seed")["feasible"].apply(lambda s: float(s.astype(bool).mean()))
        last = runs.tail(1)
        rows.append(
            {
                "problem": problem,
                "backend": backend,
                "runs": runs.ngroups,
                "feasible_fraction": share.reindex(runs.groups.keys()).fillna(0.0).mean(),
                "runs_without_feasible": int(last["best_so_far"].isna().sum()),
                "best_median": last["best_so_far"].median(),
                "regret_median": last["regret"].median(),
            }
        )
    frame: pd.DataFrame = pd.DataFrame(rows, columns=columns)
    return frame
