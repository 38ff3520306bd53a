"""Tests within one problem: runs with different seeds are independent samples.

Per problem and pair of backends: a two-sided Mann-Whitney U test on the final
losses of the runs (scipy.stats.mannwhitneyu), Holm's adjustment across the pairs
of that problem, and the Vargha-Delaney A12 effect size. Per (problem, backend):
the median final loss with a percentile-bootstrap confidence interval
(scipy.stats.bootstrap). A failed run is a loss of ``+inf``.

A pair is tested only if the smallest attainable two-sided p-value of the exact
test, ``2 / C(n_a + n_b, n_a)``, is below ``alpha``; otherwise it gets NaN and a note.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["a12_magnitude", "median_ci", "within_problems"]

COLUMNS = [
    "problem",
    "backend_a",
    "backend_b",
    "n_a",
    "n_b",
    "median_a",
    "median_b",
    "U",
    "p_value",
    "p_holm",
    "a12",
    "effect",
    "significant",
]


def a12_magnitude(a12: float) -> str:
    """Vargha and Delaney's (2000) labels: A12 (or 1 - A12) from 0.56 small, 0.64 medium, 0.71 large.

    Example:
        >>> [a12_magnitude(v) for v in (0.5, 0.6, 0.3, 0.9)]
        ['negligible', 'small', 'medium', 'large']
    """
    if math.isnan(a12):
        return ""
    stronger = round(max(a12, 1 - a12), 12)  # thresholds 0.56, 0.64, 0.71 on either side of 0.5
    if stronger >= 0.71:
        return "large"
    if stronger >= 0.64:
        return "medium"
    if stronger >= 0.56:
        return "small"
    return "negligible"


def within_problems(final: pd.DataFrame, alpha: float = 0.05) -> tuple[pd.DataFrame, list[str]]:
    """Mann-Whitney U, Holm within each problem and A12 for every pair of backends on every problem.

    Args:
        final: One row per run: problem, backend, seed, loss (lower is better).
        alpha: Significance level of the Holm-adjusted p-values.

    Returns:
        ``(table, notes)``. ``a12`` is the probability that a run of ``backend_a`` ends with a lower
        loss than a run of ``backend_b`` (ties count half): 0.5 is no effect, 1 is "a always better".
        It is computed from scipy's U statistic: ``A12 = 1 - U / (n_a n_b)``.

    Example:
        >>> import pandas as pd
        >>> runs = pd.DataFrame({"problem": "p", "backend": ["a"] * 4 + ["b"] * 4, "seed": [0, 1, 2, 3] * 2,
        ...                      "loss": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]})
        >>> table, notes = within_problems(runs)
        >>> print(table[["U", "p_value", "a12", "effect"]].round(4).to_string(index=False))
          U  p_value  a12 effect
        0.0   0.0286  1.0  large
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import mannwhitneyu

    from unitune.compare._stats import holm

    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for key, runs in final.groupby("problem", sort=True):
        problem = str(key)
        samples = {str(b): g["loss"].to_numpy(float) for b, g in runs.groupby("backend", sort=True)}
        start = len(rows)
        for a, b in itertools.combinations(samples, 2):
            x, y = samples[a], samples[b]
            u, p = math.nan, math.nan
            smallest = 2 / math.comb(len(x) + len(y), len(x))
            if smallest >= alpha:
                notes.append(
                    f"{problem}: {a} vs {b} not tested: with {len(x)} and {len(y)} runs the smallest attainable "
                    f"p-value, 2/C({len(x) + len(y)},{len(x)}) = {smallest:.3g}, is not below alpha={alpha}."
                )
            else:
                result = mannwhitneyu(x, y, alternative="two-sided")
                u, p = float(result.statistic), float(result.pvalue)
            if not math.isnan(u):
                a12 = 1 - u / (len(x) * len(y))
            else:  # still describe the effect: count the pairs
                a12 = float(np.mean([(xi < yi) + 0.5 * (xi == yi) for xi in x for yi in y]))
            rows.append(
                {"problem": problem, "backend_a": a, "backend_b": b, "n_a": len(x), "n_b": len(y)}
                | {"median_a": float(np.median(x)), "median_b": float(np.median(y)), "U": u, "p_value": p}
                | {"a12": a12, "effect": a12_magnitude(a12)}
            )
        adjusted = holm([r["p_value"] for r in rows[start:]])
        for row, p_holm in zip(rows[start:], adjusted, strict=True):
            row["p_holm"] = p_holm
            row["significant"] = bool(p_holm < alpha)
    return pd.DataFrame(rows, columns=COLUMNS), notes


def median_ci(final: pd.DataFrame, confidence: float = 0.95, n_resamples: int = 9999, seed: int = 0) -> pd.DataFrame:
    """Per (problem, backend): runs, median final loss and its percentile-bootstrap interval.

    Example:
        >>> import pandas as pd
        >>> runs = pd.DataFrame({"problem": "p", "backend": "a", "seed": range(3), "loss": [2.0, 2.0, 2.0]})
        >>> median_ci(runs).loc[0, ["median", "ci_low", "ci_high"]].tolist()
        [2.0, 2.0, 2.0]
    """
    import pandas as pd

    rows = []
    for (problem, backend), group in final.groupby(["problem", "backend"], sort=True):
        values = group["loss"].to_numpy(float)
        median, low, high = _bootstrap_median(values, confidence, n_resamples, seed)
        rows.append((problem, backend, len(values), median, low, high))
    table: pd.DataFrame = pd.DataFrame(rows, columns=["problem", "backend", "runs", "median", "ci_low", "ci_high"])
    return table


def _bootstrap_median(values: np.ndarray, confidence: float, n_resamples: int, seed: int) -> tuple[float, float, float]:
    import numpy as np
    from scipy.stats import bootstrap

    median = float(np.median(values)) if len(values) else math.nan
    if len(values) < 2:
        return median, math.nan, math.nan
    if np.all(values == values[0]):  # every resample has the same median (all +inf included)
        return median, median, median
    # the median's percentile interval depends on the order of the values only: a failed run's +inf
    # gets a finite stand-in above every other value, and any bound above them all is +inf again
    top = float(values[np.isfinite(values)].max())
    data = np.where(np.isposinf(values), top + 1.0, values)
    result = bootstrap(
        (data,),
        np.median,
        n_resamples=n_resamples,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    low, high = (float(v) for v in (result.confidence_interval.low, result.confidence_interval.high))
    return median, (math.inf if low > top else low), (math.inf if high > top else high)
