"""Losses per run and Bayesmark's normalized score, with bootstrap confidence intervals.

Everything here is "lower is better": a maximized problem's values are negated
first (Bayesmark minimizes losses too). A run that failed as a whole found
nothing: its loss is ``+inf`` at every trial.

Bayesmark's "mean" score (its documentation, "How scoring works", and
``experiment_analysis.compute_aggregates``): for problem ``p``, with ``S`` the
best-so-far loss of a run after ``t`` trials,

- ``opt_p``: the global minimum, estimated as the best value any run of the
  experiment found (Bayesmark's own rule, minus its tiny float pad); unitune uses the
  known optimum instead when the problem has one and ``reference="auto"``;
- ``clip_p``: the median of all random-search evaluations of the problem (pooled over
  trials and runs; Bayesmark's order-statistic median ``x_(ceil(n/2))``), i.e. random
  search's median loss after one evaluation;
- the run's normalized score ``clip((S - opt_p) / (clip_p - opt_p), -1, 1)``: 0 at the
  optimum, 1 at random search's median first evaluation (or worse);
- the problem's score: the mean over runs; the overall score: the mean over problems;
  the leaderboard number ``100 x (1 - overall score)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "bootstrap_mean",
    "final_losses",
    "normalized_scores",
    "references",
    "score_table",
    "trial_losses",
]

KEYS = ["problem", "backend", "seed"]
#: Bayesmark's pad below the best value found (``experiment_baseline.PAD_FACTOR``), in float spacings.
PAD_FACTOR = 10000


def _signs(problems: pd.Series, directions: Mapping[str, str]) -> pd.Series:
    signs: pd.Series = problems.map(lambda p: -1.0 if directions.get(p) == "maximize" else 1.0)
    return signs


def trial_losses(trials: pd.DataFrame, failures: pd.DataFrame, directions: Mapping[str, str]) -> pd.DataFrame:
    """One row per (problem, backend, seed, trial): ``loss``, ``best``, ``raw`` and ``cum_time``; lower is better.

    ``best`` is the best value so far (negated when maximizing), ``loss`` the regret where the
    optimum is known, else ``best``; ``raw`` is the trial's own value in the same orientation. Before a first
    finished trial, and for failed trials, they are ``+inf``. A run listed in ``failures`` gets
    ``+inf`` rows on its problem's trial grid (``cum_time`` NaN).
    """
    import numpy as np
    import pandas as pd

    sign = _signs(trials["problem"], directions)
    loss = trials["regret"].where(trials["regret"].notna(), sign * trials["best_so_far"])
    out = trials[[*KEYS, "trial"]].copy()
    out["loss"] = loss.fillna(np.inf).astype(float)
    out["best"] = (sign * trials["best_so_far"]).fillna(np.inf).astype(float)
    out["raw"] = (sign * trials["value"]).fillna(np.inf).astype(float)
    out["cum_time"] = trials.get("cum_time", np.nan)
    extra = []
    for row in failures.itertuples(index=False):
        on_problem = trials.loc[trials["problem"] == row.problem, "trial"]
        n = int(on_problem.max()) + 1 if len(on_problem) else 1
        extra.append(
            pd.DataFrame(
                {"problem": row.problem, "backend": row.backend, "seed": row.seed, "trial": range(n)}
                | {"loss": np.inf, "best": np.inf, "raw": np.inf, "cum_time": np.nan}
            )
        )
    frame: pd.DataFrame = pd.concat([out, *extra], ignore_index=True) if extra else out.reset_index(drop=True)
    return frame


def final_losses(trials: pd.DataFrame, failures: pd.DataFrame, directions: Mapping[str, str]) -> pd.DataFrame:
    """One row per run (problem, backend, seed) with its final ``loss`` (``+inf`` for a failed run)."""
    losses = trial_losses(trials, failures, directions).sort_values("trial", kind="stable")
    last: pd.DataFrame = losses.groupby(KEYS, as_index=False).tail(1)[[*KEYS, "loss"]]
    out: pd.DataFrame = last.sort_values(KEYS, kind="stable").reset_index(drop=True)
    return out


def references(
    losses: pd.DataFrame,
    baseline: pd.DataFrame | None,
    optima: Mapping[str, float | None],
    directions: Mapping[str, str],
    reference: str = "auto",
) -> pd.DataFrame:
    """Per problem: ``opt`` (and where it comes from) and Bayesmark's ``clip`` from the random-search baseline.

    Args:
        losses: :func:`trial_losses` of the compared backends.
        baseline: :func:`trial_losses` of the random-search runs (None: no ``clip``, no score).
        optima: Known optimum per problem (in the problem's own direction).
        directions: ``"maximize"`` per maximized problem.
        reference: ``"auto"`` (the known optimum where there is one, else the best value found)
            or ``"best_found"`` (Bayesmark's rule everywhere).
    """
    import numpy as np
    import pandas as pd

    if reference not in ("auto", "best_found"):
        raise ValueError(f"reference must be 'auto' or 'best_found'; received {reference!r}")
    every = losses if baseline is None else pd.concat([losses, baseline], ignore_index=True)
    rows = []
    for problem in dict.fromkeys(losses["problem"]):
        sign = -1.0 if directions.get(problem) == "maximize" else 1.0
        optimum = optima.get(problem)
        if optimum is not None and reference == "auto":
            opt, source = sign * float(optimum), "known optimum"
        else:
            best = float(every.loc[every["problem"] == problem, "raw"].min())
            opt = best - PAD_FACTOR * float(np.spacing(max(np.nextafter(0, 1), abs(best))))
            source = "best value found (Bayesmark)"
        clip, n_random = math.nan, 0
        if baseline is not None:
            values = baseline.loc[baseline["problem"] == problem, "raw"].to_numpy()
            n_random = len(values)
            if n_random:
                clip = float(np.quantile(values, 0.5, method="inverted_cdf"))  # Bayesmark's x_(ceil(n/2))
        rows.append({"problem": problem, "opt": opt, "opt_source": source, "clip": clip, "random_evals": n_random})
    frame: pd.DataFrame = pd.DataFrame(rows, columns=["problem", "opt", "opt_source", "clip", "random_evals"])
    return frame


def normalized_scores(losses: pd.DataFrame, refs: pd.DataFrame) -> pd.DataFrame:
    """Bayesmark's clipped normalized score of every run after every trial (column ``score``).

    A problem whose ``clip`` is missing or not above ``opt`` gets NaN (random search's median
    evaluation is already optimal: the score would divide by zero or less).
    """
    import numpy as np

    ref = refs.set_index("problem")
    out: pd.DataFrame = losses[[*KEYS, "trial"]].copy()
    opt = losses["problem"].map(ref["opt"])
    clip = losses["problem"].map(ref["clip"])
    with np.errstate(invalid="ignore", divide="ignore"):
        score = ((losses["best"] - opt) / (clip - opt)).clip(-1.0, 1.0)
    out["score"] = score.where(clip > opt)
    return out


def bootstrap_mean(
    samples: list[np.ndarray], confidence: float = 0.95, n_resamples: int = 9999, seed: int = 0
) -> tuple[float, float, float]:
    """Mean over samples of each sample's mean, with a stratified percentile bootstrap interval.

    Each sample (one problem's runs) is resampled on its own (``scipy.stats.bootstrap`` with
    ``paired=False``). The interval is NaN when a sample has fewer than two values.

    Example:
        >>> import numpy as np
        >>> bootstrap_mean([np.array([0.2, 0.2, 0.2]), np.array([0.6, 0.6])])
        (0.4, 0.4, 0.4)
    """
    import numpy as np
    from scipy.stats import bootstrap

    point = float(np.mean([np.mean(s) for s in samples])) if samples else math.nan
    if not samples or min(len(s) for s in samples) < 2 or not all(np.isfinite(s).all() for s in samples):
        return point, math.nan, math.nan
    if all(np.ptp(s) == 0 for s in samples):  # every resample gives the point: no spread to estimate
        return point, point, point

    def statistic(*data: np.ndarray, axis: int) -> np.ndarray:
        means: np.ndarray = np.mean([np.mean(d, axis=axis) for d in data], axis=0)
        return means

    result = bootstrap(
        tuple(samples),
        statistic,
        n_resamples=n_resamples,
        vectorized=True,
        paired=False,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return point, float(result.confidence_interval.low), float(result.confidence_interval.high)


def score_table(scores: pd.DataFrame, confidence: float = 0.95, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Final-trial scores per (problem, backend) and per backend, with bootstrap intervals.

    Returns:
        ``(by_problem, overall)``. ``by_problem``: problem, backend, runs, score (mean over runs),
        ci_low, ci_high. ``overall``: backend, problems, runs, score (mean over problems of the
        problem scores: Bayesmark's "mean" score), ci_low, ci_high (runs resampled within each
        problem), leaderboard (``100 x (1 - score)``), leaderboard_low, leaderboard_high.
    """
    import pandas as pd

    last = scores.sort_values("trial", kind="stable").groupby(KEYS, as_index=False).tail(1)
    per_problem: list[dict[str, Any]] = []
    overall: list[dict[str, Any]] = []
    for backend, runs in last.groupby("backend", sort=True):
        samples = []
        for problem, group in runs.groupby("problem", sort=True):
            values = group["score"].to_numpy(dtype=float)
            point, low, high = bootstrap_mean([values], confidence, seed=seed)
            per_problem.append(
                {"problem": problem, "backend": backend, "runs": len(values), "score": point}
                | {"ci_low": low, "ci_high": high}
            )
            samples.append(values)
        point, low, high = bootstrap_mean(samples, confidence, seed=seed)
        overall.append(
            {"backend": backend, "problems": len(samples), "runs": sum(len(s) for s in samples), "score": point}
            | {"ci_low": low, "ci_high": high, "leaderboard": 100 * (1 - point)}
            | {"leaderboard_low": 100 * (1 - high), "leaderboard_high": 100 * (1 - low)}
        )
    by_problem = pd.DataFrame(per_problem, columns=["problem", "backend", "runs", "score", "ci_low", "ci_high"])
    columns = ["backend", "problems", "runs", "score", "ci_low", "ci_high"]
    table = pd.DataFrame(overall, columns=[*columns, "leaderboard", "leaderboard_low", "leaderboard_high"])
    return by_problem.sort_values(["problem", "backend"]).reset_index(drop=True), table
