"""Statistics of a comparison: final results, summary, paired tests with Holm correction."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["final", "holm", "markdown", "pairwise", "summary"]


def final(trials: pd.DataFrame) -> pd.DataFrame:
    """One row per (problem, backend, seed): final best, final regret, rank within (problem, seed)."""
    keys = ["problem", "backend", "seed"]
    last = trials.sort_values("trial").groupby(keys, as_index=False).tail(1)
    out = last[[*keys, "best_so_far", "regret"]].rename(columns={"best_so_far": "best"}).reset_index(drop=True)
    # rank by regret when known (direction-free), else by best value (assumed to be minimized)
    score = out["regret"].where(out["regret"].notna(), out["best"])
    out["rank"] = score.groupby([out["problem"], out["seed"]]).rank(method="average")
    result: pd.DataFrame = out
    return result


def summary(trials: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """Per problem and backend: see :meth:`unitune.compare.Comparison.summary`."""
    import pandas as pd

    ends = final(trials)
    rows = []
    overall = ends.groupby("backend")["rank"].mean()
    for (problem, backend), group in ends.groupby(["problem", "backend"], sort=True):
        runs = trials[(trials["problem"] == problem) & (trials["backend"] == backend)]
        curve = runs["regret"] if runs["regret"].notna().all() else runs["best_so_far"]
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
    frame: pd.DataFrame = pd.DataFrame(rows)
    return frame


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1).

    Example:
        >>> holm([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        value = p_values[i]
        running = max(running, min(1.0, (len(p_values) - rank) * value)) if not math.isnan(value) else running
        adjusted[i] = round(running, 12) if not math.isnan(value) else math.nan
    return adjusted


def pairwise(trials: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Paired comparison of every two backends over (problem, seed) blocks."""
    import pandas as pd
    from scipy.stats import wilcoxon

    ends = final(trials)
    ends["score"] = ends["regret"].where(ends["regret"].notna(), ends["best"])
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
    table_out: pd.DataFrame = frame
    return table_out


def markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    """A DataFrame as a GitHub Markdown table (no extra dependency).

    Example:
        >>> import pandas as pd
        >>> print(markdown(pd.DataFrame({"a": [1.23456], "b": ["x"]}), digits=2))
        | a | b |
        |---|---|
        | 1.2 | x |
    """

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:.{digits}g}"
        return str(value)

    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])
