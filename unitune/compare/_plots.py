"""Convergence plots of a comparison (matplotlib, without pyplot's global state)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["convergence"]


def convergence(trials: pd.DataFrame, *, log: bool | None = None) -> Figure:
    """One panel per problem: median best-so-far (or regret) per backend with an IQR band."""
    from matplotlib.figure import Figure

    problems = list(dict.fromkeys(trials["problem"]))
    cols = min(3, max(1, len(problems)))
    rows = math.ceil(len(problems) / cols) if problems else 1
    figure = Figure(figsize=(4.5 * cols, 3.4 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for ax, problem in zip(axes, problems, strict=False):
        data = trials[trials["problem"] == problem]
        use_regret = bool(data["regret"].notna().any())  # optimum known (failed first trials leave NaN)
        column = "regret" if use_regret else "best_so_far"
        for backend, runs in data.groupby("backend", sort=True):
            curves = runs.pivot_table(index="trial", columns="seed", values=column)
            x = curves.index.to_numpy() + 1
            median = curves.median(axis=1).to_numpy()
            low, high = curves.quantile(0.25, axis=1).to_numpy(), curves.quantile(0.75, axis=1).to_numpy()
            if use_regret:  # a log axis cannot show an exact 0
                floor = 1e-12
                median, low, high = (v.clip(min=floor) for v in (median, low, high))
            (line,) = ax.plot(x, median, label=str(backend), linewidth=1.6)
            ax.fill_between(x, low, high, alpha=0.2, color=line.get_color(), linewidth=0)
        if log if log is not None else use_regret:
            ax.set_yscale("log")
        n_seeds = data["seed"].nunique()
        ax.set_title(f"{problem} ({n_seeds} seeds)")
        ax.set_xlabel("trial")
        ax.set_ylabel("regret (median, IQR)" if use_regret else "best so far (median, IQR)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    for ax in axes[len(problems) :]:
        ax.set_visible(False)
    return figure
