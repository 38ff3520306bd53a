"""Statistics of a comparison: final results, summary, paired tests with Holm correction."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["final", "holm", "pairwise", "summary"]


def _score(ends: pd.DataFrame, directions: Mapping[str, str] | None) -> pd.Series:
    """Lower is better: the regret when known (direction-free), else the best value, negated when maximizing."""
    directions = directions or {}
    sign = ends["problem"].map(lambda p: -1.0 if directions.get(p) == "maximize" else 1.0)
    score: pd.Series = ends["regret"].where(ends["regret"].notna(), sign * ends["best"])
    return score


def final(trials: pd.DataFrame, directions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per (problem, backend, seed): final best, final regret, rank within (problem, seed).

    ``directions`` maps a problem to ``"maximize"`` or ``"minimize"`` (the default), for ranking
    problems whose optimum, hence regret, is unknown.
    """
    keys = ["problem", "backend", "seed"]
    last = trials.sort_values("trial").groupby(keys, as_index=False).tail(1)
    out = last[[*keys, "best_so_far", "regret"]].rename(columns={"best_so_far": "best"}).reset_index(drop=True)
    score = _score(out, directions)
    out["rank"] = score.groupby([out["problem"], out["seed"]]).rank(method="average")
    result: pd.DataFrame = out
    return result


def summary(trials: pd.DataFrame, failures: pd.DataFrame, directions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per problem and backend: see :meth:`unitune.compare.Comparison.summary`."""
    import pandas as pd

    ends = final(trials, directions)
    rows = []
    overall = ends.groupby("backend")["rank"].mean()
    for (problem, backend), group in ends.groupby(["problem", "backend"], sort=True):
        runs = trials[(trials["problem"] == problem) & (trials["backend"] == backend)]
        # regret whenever the problem's optimum is known, even if a run's first trials failed (NaN)
        known = bool(trials.loc[trials["problem"] == problem, "regret"].notna().any())
        curve = runs["regret"] if known else runs["best_so_far"]
        q1, q3 = group["best"].quantile([0.25, 0.75])
        rows.append(
            {
                "problem": problem,
                "backend": backend,
                "runs": len(group),
                "best_mean": group["best"].mean(),
                "best_median": group["best"].median(),
                "best_iqr": q3 - q1,
                "regret_mean": group["regret"].mean(),
                "regret_median": group["regret"].median(),
                "rank_mean": group["rank"].mean(),
                "rank_overall": overall.loc[backend],  # type: ignore[call-overload]
                "auc": curve.groupby(runs["seed"]).mean().mean(),
                "suggest_time": runs["suggest_time"].mean(),
                "overhead_us": runs["overhead"].mean() * 1e6,
                "failed_runs": int(((failures["problem"] == problem) & (failures["backend"] == backend)).sum()),
            }
        )
    done = {(row["problem"], row["backend"]) for row in rows}
    for (problem, backend), group in failures.groupby(["problem", "backend"], sort=True):
        if (problem, backend) not in done:  # every run failed: still a row, so the failures show
            rank = overall.get(backend, math.nan)
            rows.append(
                {"problem": problem, "backend": backend, "runs": 0, "rank_overall": rank, "failed_runs": len(group)}
            )
    frame: pd.DataFrame = pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)
    frame = frame.sort_values(["problem", "backend"], kind="stable").reset_index(drop=True)
    return frame


_SUMMARY_COLUMNS = [
    "problem",
    "backend",
    "runs",
    "best_mean",
    "best_median",
    "best_iqr",
    "regret_mean",
    "regret_median",
    "rank_mean",
    "rank_overall",
    "auc",
    "suggest_time",
    "overhead_us",
    "failed_runs",
]


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1).

    Example:
        >>> holm([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
        >>> holm([0.04, float("nan"), 0.01, 0.03])
        [0.06, nan, 0.03, 0.06]
    """
    # NaN p-values (no test) stay NaN and do not count as tests; sorting must not see them
    order = sorted((i for i, p in enumerate(p_values) if not math.isnan(p)), key=lambda i: p_values[i])
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p_values[i]))
        adjusted[i] = round(running, 12)
    return adjusted


#: The ``unit`` of every row of :func:`pairwise`: it pools seeds and problems, which are not independent data sets.
POOLED = "pooled (problem, seed) pairs"


def pairwise(trials: pd.DataFrame, alpha: float = 0.05, directions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Paired comparison of every two backends over POOLED (problem, seed) blocks (column ``unit`` says so).

    Scores are the final regret, or the final best value (negated when maximizing) when the optimum is unknown.
    Seeds are not independent data sets and problems with large regret dominate: see
    :func:`unitune.compare._across.across_problems` and :func:`unitune.compare._within.within_problems`.
    """
    import pandas as pd
    from scipy.stats import wilcoxon

    ends = final(trials, directions)
    ends["score"] = _score(ends, directions)
    table = ends.pivot_table(index=["problem", "seed"], columns="backend", values="score")
    rows: list[dict[str, Any]] = []
    for a, b in itertools.combinations(sorted(table.columns), 2):
        pair = table[[a, b]].dropna()
        diff = pair[a] - pair[b]
        wins, losses = int((diff < 0).sum()), int((diff > 0).sum())
        statistic, p_value = math.nan, math.nan
        if (diff != 0).any():
            result = wilcoxon(pair[a], pair[b], zero_method="zsplit")
            statistic, p_value = float(result.statistic), float(result.pvalue)
        elif len(diff):
            p_value = 1.0
        rows.append(
            {
                "backend_a": a,
                "backend_b": b,
                "n": len(pair),
                "wins_a": wins,
                "ties": len(pair) - wins - losses,
                "losses_a": losses,
                "median_diff": float(diff.median()) if len(diff) else math.nan,
                "statistic": statistic,
                "p_value": p_value,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["backend_a", "backend_b", "n", "wins_a", "ties", "losses_a", "median_diff", "statistic", "p_value"],
    )
    frame["p_holm"] = holm(list(frame["p_value"]))
    frame["significant"] = frame["p_holm"] < alpha
    frame["unit"] = POOLED
    table_out: pd.DataFrame = frame
    return table_out
