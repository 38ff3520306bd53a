"""Tests across problems (Demšar 2006): one score per (problem, backend), Friedman, Nemenyi, Wilcoxon with Holm.

The unit of analysis is the problem: seeds are aggregated into one score per
(problem, backend) first, so N is the number of problems, never problems x seeds.

Edge-case policy (each decision is written into :attr:`AcrossProblems.notes`):

- Incomplete blocks: a problem on which a backend has no score at all (not run) is
  dropped from every test; a failed run is not missing, it counts as a loss of ``+inf``.
- Too few problems: a test runs only if its smallest attainable p-value (exact
  permutation distribution) is below ``alpha``: ``(k!)^(1-N)`` for Friedman (and its
  Nemenyi post-hoc), ``2^(1-N)`` for the signed-rank test. Otherwise it is skipped
  with a note and the average ranks are reported alone.
- Two backends: Friedman and Nemenyi add nothing to one paired test; only the
  Wilcoxon signed-rank test across problems runs.
- Nemenyi results count as significant only when the Friedman test rejects
  (Demšar 2006, section 3.2.2); the Wilcoxon-Holm pairs control the family-wise
  error on their own (Benavoli et al. 2016) and are not gated.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AcrossProblems", "across_problems", "critical_difference"]

OMNIBUS_COLUMNS = ["statistic", "value", "df", "p_value", "decides"]
NEMENYI_COLUMNS = ["backend_a", "backend_b", "rank_a", "rank_b", "rank_diff", "p_value", "significant"]
WILCOXON_COLUMNS = ["backend_a", "backend_b", "n", "wins_a", "ties", "losses_a", "statistic", "p_value", "p_holm"]


@dataclass
class AcrossProblems:
    """Friedman's test, its post-hoc tests and the average ranks, over one score per (problem, backend).

    Attributes:
        unit: What one observation is (the score per (problem, backend)).
        scores: The block matrix used: problems x backends, lower is better (complete blocks only).
        ranks: Average rank per backend over the problems (1 = best), ascending.
        omnibus: Friedman's statistics: Demšar's chi2_F (no tie correction), scipy's
            tie-corrected chi2, and the Iman-Davenport F_F of each; ``decides`` marks the one
            whose p-value is the omnibus decision (the tie-corrected F_F).
        nemenyi: Every pair: average ranks, their difference, the Nemenyi p-value
            (scikit-posthocs) and ``significant`` (p < alpha and Friedman rejected).
        wilcoxon: Every pair: signed-rank test over the problems, wins/ties/losses, Holm-adjusted.
        cd: Nemenyi's critical difference of average ranks at ``alpha`` (NaN when not computed).
        alpha: The significance level.
        rejected: Whether the Friedman test rejects "all backends are equivalent".
        notes: The edge-case decisions taken (skipped tests and why, dropped problems).
    """

    unit: str
    scores: pd.DataFrame
    ranks: pd.Series
    omnibus: pd.DataFrame
    nemenyi: pd.DataFrame
    wilcoxon: pd.DataFrame
    cd: float
    alpha: float
    rejected: bool
    notes: list[str] = field(default_factory=list)


def critical_difference(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi's critical difference of average ranks, ``q_alpha * sqrt(k (k + 1) / (6 N))``.

    ``q_alpha`` is the studentized range quantile divided by ``sqrt(2)`` (scipy.stats.studentized_range).

    Example:
        >>> round(critical_difference(4, 14), 2)   # Demšar (2006), section 3.2.4
        1.25
    """
    import numpy as np
    from scipy.stats import studentized_range

    q_alpha = float(studentized_range.ppf(1 - alpha, k, np.inf)) / math.sqrt(2)
    return q_alpha * math.sqrt(k * (k + 1) / (6 * n))


def _omnibus(ranks: Any, values: Any) -> tuple[pd.DataFrame, float]:
    """Friedman's chi2_F (Demšar's equation), scipy's tie-corrected chi2, and Iman-Davenport's F_F of each."""
    import pandas as pd
    from scipy.stats import chi2, f, friedmanchisquare

    n, k = ranks.shape
    mean_ranks = ranks.mean(axis=0)
    chi2_f = 12 * n / (k * (k + 1)) * (float((mean_ranks**2).sum()) - k * (k + 1) ** 2 / 4)
    corrected = float(friedmanchisquare(*values.T).statistic)

    def iman_davenport(statistic: float) -> tuple[float, float]:
        denominator = n * (k - 1) - statistic
        if denominator <= 0:  # every problem ranks the backends alike: F_F is unbounded
            return math.inf, 0.0
        value = (n - 1) * statistic / denominator
        return value, float(f.sf(value, k - 1, (k - 1) * (n - 1)))

    ff, ff_p = iman_davenport(chi2_f)
    ffc, ffc_p = iman_davenport(corrected)
    df_f = f"{k - 1}, {(k - 1) * (n - 1)}"
    df = str(k - 1)
    rows = [
        ("Friedman chi2_F (Demšar 2006, no tie correction)", chi2_f, df, float(chi2.sf(chi2_f, k - 1)), False),
        ("Friedman chi2 (tie-corrected, scipy)", corrected, df, float(chi2.sf(corrected, k - 1)), False),
        ("Iman-Davenport F_F from chi2_F (Demšar 2006)", ff, df_f, ff_p, False),
        ("Iman-Davenport F_F from the tie-corrected chi2", ffc, df_f, ffc_p, True),
    ]
    return pd.DataFrame(rows, columns=OMNIBUS_COLUMNS), ffc_p


def _wilcoxon(matrix: pd.DataFrame, alpha: float) -> pd.DataFrame:
    import numpy as np
    import pandas as pd
    from scipy.stats import wilcoxon

    from unitune.compare._stats import holm

    rows = []
    for a, b in itertools.combinations(matrix.columns, 2):
        x, y = matrix[a].to_numpy(float), matrix[b].to_numpy(float)
        both_inf = np.isinf(x) & np.isinf(y) & (np.sign(x) == np.sign(y))
        diff = np.where(both_inf, 0.0, x - y)
        wins, losses = int((diff < 0).sum()), int((diff > 0).sum())
        statistic, p_value = math.nan, 1.0
        if wins + losses:
            result = wilcoxon(diff, zero_method="zsplit")
            statistic, p_value = float(result.statistic), float(result.pvalue)
        rows.append((a, b, len(diff), wins, len(diff) - wins - losses, losses, statistic, p_value))
    frame: pd.DataFrame = pd.DataFrame(rows, columns=WILCOXON_COLUMNS[:-1])
    frame["p_holm"] = holm(list(frame["p_value"]))
    frame["significant"] = frame["p_holm"] < alpha
    return frame


def across_problems(
    scores: pd.DataFrame, alpha: float = 0.05, unit: str = "one score per (problem, backend)"
) -> AcrossProblems:
    """Friedman + Nemenyi + Wilcoxon-Holm over a (problems x backends) matrix of scores, lower is better.

    Args:
        scores: One row per problem (block), one column per backend; NaN where a backend has no score.
        alpha: Significance level (also the CD's).
        unit: What one score is, for the tables.

    Example:
        >>> import pandas as pd
        >>> table = pd.DataFrame({"a": [1.0, 2.0, 1.0], "b": [3.0, 1.0, 2.0], "c": [2.0, 3.0, 3.0]})
        >>> result = across_problems(table)
        >>> result.ranks.round(3).to_dict()
        {'a': 1.333, 'b': 2.0, 'c': 2.667}
        >>> len(result.omnibus), result.rejected
        (4, False)
        >>> result.notes[-1].startswith("Wilcoxon signed-rank across problems skipped")
        True
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import rankdata

    notes: list[str] = []
    incomplete = scores.index[scores.isna().any(axis=1)]
    if len(incomplete):
        notes.append(
            f"Dropped {len(incomplete)} problem(s) where a backend has no score (incomplete blocks): "
            + ", ".join(map(str, incomplete))
        )
    matrix = scores.drop(index=incomplete)
    n, k = matrix.shape
    values = matrix.to_numpy(float)
    ranks = rankdata(values, axis=1, method="average") if n else np.empty((0, k))
    mean_ranks = pd.Series(ranks.mean(axis=0) if n else np.full(k, np.nan), index=matrix.columns, name="rank")
    omnibus = pd.DataFrame(columns=OMNIBUS_COLUMNS)
    nemenyi = pd.DataFrame(columns=NEMENYI_COLUMNS)
    wilcoxon = pd.DataFrame(columns=[*WILCOXON_COLUMNS, "significant"])
    cd, rejected = math.nan, False
    if k < 2:
        notes.append("Fewer than two backends: nothing to compare.")
    elif k == 2:
        notes.append(
            "Two backends: Friedman and Nemenyi add nothing to one paired test; Wilcoxon across problems only."
        )
    elif math.factorial(k) ** (1 - n) >= alpha:
        notes.append(
            f"Friedman and Nemenyi skipped: with N={n} problems and k={k} backends the smallest attainable "
            f"p-value, (k!)^(1-N) = {math.factorial(k) ** (1 - n):.3g}, is not below alpha={alpha}; "
            "average ranks only."
        )
    else:
        omnibus, p_value = _omnibus(ranks, values)
        rejected = bool(p_value < alpha)
        import scikit_posthocs

        p_values = scikit_posthocs.posthoc_nemenyi_friedman(pd.DataFrame(values, columns=matrix.columns))
        cd = critical_difference(k, n, alpha)
        rows = []
        for a, b in itertools.combinations(matrix.columns, 2):
            p = float(p_values.loc[a, b])
            diff = abs(float(mean_ranks[a]) - float(mean_ranks[b]))
            rows.append((a, b, float(mean_ranks[a]), float(mean_ranks[b]), diff, p, bool(rejected and p < alpha)))
        nemenyi = pd.DataFrame(rows, columns=NEMENYI_COLUMNS)
        if not rejected:
            notes.append(f"Friedman's test does not reject at alpha={alpha}: no Nemenyi pair counts as significant.")
    if k >= 2:
        if 2.0 ** (1 - n) >= alpha:
            notes.append(
                f"Wilcoxon signed-rank across problems skipped: with N={n} problems its smallest attainable "
                f"p-value, 2^(1-N) = {2.0 ** (1 - n):.3g}, is not below alpha={alpha}."
            )
        else:
            wilcoxon = _wilcoxon(matrix, alpha)
    return AcrossProblems(
        unit, matrix, mean_ranks.sort_values(), omnibus, nemenyi, wilcoxon, cd, alpha, rejected, notes
    )
