"""Views over time: mean rank per trial, and ECDFs of runtimes to targets (COCO's data profiles).

Both take :func:`unitune.compare._scores.trial_losses` rows (lower is better,
``+inf`` before a first result and for failed runs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["COCO_TARGETS", "ecdf", "rank_over_time", "runtimes"]

#: COCO's default precision targets for bbob: 51 values, 10^2 down to 10^-8, log-spaced.
COCO_TARGETS = tuple(10.0 ** (2 - i / 5) for i in range(51))


def _grid(losses: pd.DataFrame, value: str) -> pd.DataFrame:
    """Runs as columns, trials as rows, the last value carried forward past a run's end."""
    wide = losses.pivot_table(index="trial", columns=["problem", "backend", "seed"], values=value, aggfunc="first")
    filled: pd.DataFrame = wide.ffill()
    return filled


def rank_over_time(losses: pd.DataFrame) -> pd.DataFrame:
    """Mean rank of each backend after each trial, across problems and seeds.

    After trial ``t``, the backends' best-so-far losses are ranked within each (problem,
    seed) block (1 = best, ties averaged, no result yet or a failed run = ``+inf``); the mean
    over the blocks is the backend's mean rank. Seed ``i`` of every backend forms one block:
    seeds do not pair runs in any deeper sense, so this view is descriptive, not a test.

    Returns:
        Columns trial (0-based), backend, rank, blocks (the (problem, seed) blocks averaged).

    Example:
        >>> import pandas as pd
        >>> rows = pd.DataFrame({"problem": "p", "seed": 0, "trial": [0, 1, 0, 1],
        ...                      "backend": ["a", "a", "b", "b"], "loss": [3.0, 1.0, 2.0, 2.0]})
        >>> rank_over_time(rows).pivot(index="trial", columns="backend", values="rank")
        backend    a    b
        trial
        0        2.0  1.0
        1        1.0  2.0
    """
    wide = _grid(losses, "loss")
    long = wide.stack(["problem", "backend", "seed"], future_stack=True).rename("loss").reset_index()
    long["loss"] = long["loss"].fillna(float("inf"))
    long["rank"] = long.groupby(["trial", "problem", "seed"])["loss"].rank(method="average")
    table = long.groupby(["trial", "backend"], as_index=False).agg(rank=("rank", "mean"), blocks=("rank", "size"))
    out: pd.DataFrame = table.sort_values(["trial", "backend"]).reset_index(drop=True)
    return out


def runtimes(losses: pd.DataFrame, precision: pd.Series, targets: Sequence[float]) -> pd.DataFrame:
    """For every (problem, backend, seed, target): the trials and the time it took to reach the target.

    Args:
        losses: Trial rows with ``cum_time``.
        precision: Per row, the distance to the problem's reference (COCO's ``f - f_opt``).
        targets: Precision targets; a target is reached at the first trial with ``precision <= target``.

    Returns:
        Columns problem, backend, seed, target, evals (trials used, 1-based; ``inf`` if never
        reached), time (``cum_time`` then; ``inf`` if never reached).
    """
    import numpy as np
    import pandas as pd

    frame = losses[["problem", "backend", "seed", "trial", "cum_time"]].assign(precision=precision.to_numpy())
    frame = frame.sort_values(["problem", "backend", "seed", "trial"], kind="stable")
    rows = []
    goal = np.asarray(targets, dtype=float)
    for (problem, backend, seed), run in frame.groupby(["problem", "backend", "seed"], sort=True):
        values = run["precision"].to_numpy(float)
        reached = values[:, None] <= goal[None, :]  # trials x targets
        hit = reached.any(axis=0)
        first = reached.argmax(axis=0)
        evals = np.where(hit, run["trial"].to_numpy()[first] + 1, np.inf)
        times = np.where(hit, run["cum_time"].to_numpy(float)[first], np.inf)
        rows.append(
            pd.DataFrame({"problem": problem, "backend": backend, "seed": seed, "target": goal, "evals": evals}).assign(
                time=times
            )
        )
    columns = ["problem", "backend", "seed", "target", "evals", "time"]
    out: pd.DataFrame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    return out


def ecdf(reached: pd.DataFrame, budgets: np.ndarray | Sequence[float], by: str = "evals") -> pd.DataFrame:
    """COCO's runtime ECDF: per backend, the fraction of (problem, seed, target) triples reached within each budget.

    Args:
        reached: :func:`runtimes` rows.
        budgets: Budgets on the ``by`` axis (trials, or seconds of suggestion + evaluation time).
        by: ``"evals"`` or ``"time"``.

    Returns:
        Columns backend, budget, fraction, pairs (the number of (problem, seed, target) triples).

    Example:
        >>> import pandas as pd
        >>> reached = pd.DataFrame({"backend": "a", "evals": [1.0, 3.0, float("inf"), 2.0]})
        >>> ecdf(reached, [1, 2, 3])["fraction"].tolist()
        [0.25, 0.5, 0.75]
    """
    import numpy as np
    import pandas as pd

    grid = np.asarray(budgets, dtype=float)
    parts = []
    for backend, group in reached.groupby("backend", sort=True):
        values = np.sort(group[by].to_numpy(float))
        fraction = np.searchsorted(values, grid, side="right") / len(values)
        parts.append(pd.DataFrame({"backend": backend, "budget": grid, "fraction": fraction, "pairs": len(values)}))
    columns = ["backend", "budget", "fraction", "pairs"]
    out: pd.DataFrame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return out
