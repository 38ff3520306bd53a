"""Figures of a comparison (matplotlib Figures, without pyplot's global state)."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from unitune.compare._across import AcrossProblems

__all__ = ["cd_diagram", "convergence", "ecdf_figure", "lines_figure", "suggest_time_figure"]

#: Regret below this is drawn at this value: a log axis cannot show an exact 0.
FLOOR = 1e-12


def _panels(count: int, width: float = 4.5, height: float = 3.4) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure

    cols = min(3, max(1, count))
    rows = math.ceil(count / cols) if count else 1
    figure = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = list(figure.subplots(rows, cols, squeeze=False).ravel())
    for ax in axes[count:]:
        ax.set_visible(False)
    return figure, axes


def _time_curves(runs: pd.DataFrame, column: str, grid: np.ndarray) -> np.ndarray:
    """Per run (rows of the result), the value of ``column`` at each time of ``grid`` (NaN before its first trial)."""
    import numpy as np

    curves = []
    for _, run in runs.groupby("seed", sort=True):
        run = run.sort_values("trial")
        times = run["cum_time"].to_numpy(float)
        values = run[column].to_numpy(float)
        index = np.searchsorted(times, grid, side="right") - 1
        curves.append(np.where(index >= 0, values[np.clip(index, 0, None)], np.nan))
    return np.array(curves)


def convergence(trials: pd.DataFrame, *, log: bool | None = None, x: str = "trial") -> Figure:
    """One panel per problem: median best-so-far (or regret) per backend with an IQR band.

    ``x="trial"`` puts trials on the x axis; ``x="time"`` the run's cumulative suggestion +
    evaluation time (seconds, log axis), so a backend's cost per suggestion shows.
    """
    import numpy as np

    if x not in ("trial", "time"):
        raise ValueError(f"x must be 'trial' or 'time'; received {x!r}")
    problems = list(dict.fromkeys(trials["problem"]))
    figure, axes = _panels(len(problems))
    for ax, problem in zip(axes, problems, strict=False):
        data = trials[trials["problem"] == problem]
        use_regret = bool(data["regret"].notna().any())  # optimum known (failed first trials leave NaN)
        column = "regret" if use_regret else "best_so_far"
        positive = data["cum_time"][data["cum_time"] > 0]
        grid = np.geomspace(positive.min(), positive.max(), 200) if x == "time" and len(positive) else np.array([])
        for backend, runs in data.groupby("backend", sort=True):
            if x == "trial":
                curves = runs.pivot_table(index="trial", columns="seed", values=column).to_numpy().T
                xs = np.arange(curves.shape[1]) + 1
            else:
                curves, xs = _time_curves(runs, column, grid), grid
            with warnings.catch_warnings():  # all-NaN columns before any run's first trial
                warnings.simplefilter("ignore", RuntimeWarning)
                median = np.nanmedian(curves, axis=0)
                low, high = np.nanquantile(curves, 0.25, axis=0), np.nanquantile(curves, 0.75, axis=0)
            if use_regret:
                median, low, high = (v.clip(min=FLOOR) for v in (median, low, high))
            (line,) = ax.plot(xs, median, label=str(backend), linewidth=1.6)
            ax.fill_between(xs, low, high, alpha=0.2, color=line.get_color(), linewidth=0)
        if log if log is not None else use_regret:
            ax.set_yscale("log")
        if x == "time":
            ax.set_xscale("log")
        ax.set_title(f"{problem} ({data['seed'].nunique()} seeds)")
        ax.set_xlabel("trial" if x == "trial" else "suggestion + evaluation time (s)")
        ax.set_ylabel("regret (median, IQR)" if use_regret else "best so far (median, IQR)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return figure


def cd_diagram(result: AcrossProblems) -> Figure:
    """Demšar's critical-difference diagram: average ranks, the CD bar, and bars joining backends not told apart.

    Drawn by ``scikit_posthocs.critical_difference_diagram`` from the Nemenyi p-values (a pair
    is joined when it is not significant, i.e. when its rank difference is below the CD, or when
    Friedman's test does not reject). Without a Friedman test (too few problems or backends)
    it shows the average ranks alone.
    """
    import pandas as pd
    from matplotlib.figure import Figure

    ranks = result.ranks
    figure = Figure(figsize=(7.0, 1.0 + 0.5 * (len(ranks) + 1)), layout="constrained")  # room above the axis
    ax = figure.subplots()
    if result.nemenyi.empty:
        sig = pd.DataFrame(0.0, index=ranks.index, columns=ranks.index)  # no test: nothing joined
        title = "average ranks (no Friedman/Nemenyi test: see notes)"
        cd = None
    else:
        sig = pd.DataFrame(1.0, index=ranks.index, columns=ranks.index)
        for row in result.nemenyi.itertuples(index=False):
            p = row.p_value if result.rejected else 1.0
            sig.loc[row.backend_a, row.backend_b] = sig.loc[row.backend_b, row.backend_a] = p
        title = f"average ranks over {len(result.scores)} problems; Nemenyi CD at alpha={result.alpha}"
        cd = result.cd
    import scikit_posthocs

    artists = scikit_posthocs.critical_difference_diagram(
        ranks,
        sig,
        cd=cd,
        alpha=result.alpha,
        ax=ax,
        label_fmt_left="{label} ({rank:.2f})",
        label_fmt_right="({rank:.2f}) {label}",
    )
    ax.set_title(title, fontsize="medium", pad=24)
    _fit_texts(figure, ax, artists["labels"])
    return figure


def _fit_texts(figure: Figure, ax: Axes, texts: list[Any]) -> None:
    """Widen the x limits so that labels drawn in data coordinates beside the axis stay inside the figure."""
    figure.draw_without_rendering()
    inverse = ax.transData.inverted()
    left, right = ax.get_xlim()
    for text in texts:
        box = text.get_window_extent().transformed(inverse)
        left, right = min(left, box.x0), max(right, box.x1)
    span = right - left
    ax.set_xlim(left - 0.02 * span, right + 0.02 * span)


def lines_figure(frame: pd.DataFrame, *, x: str, y: str, xlabel: str, ylabel: str, title: str, **kw: Any) -> Figure:
    """One line per backend of ``frame[y]`` against ``frame[x]`` (rank over time, normalized score over time)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = figure.subplots()
    for backend, group in frame.groupby("backend", sort=True):
        ax.plot(group[x], group[y], label=str(backend), linewidth=1.6, **kw)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return figure


def ecdf_figure(curves: dict[str, pd.DataFrame], targets: str) -> Figure:
    """Side by side, one panel per axis (``{"trials": ecdf, "time": ecdf}``): the runtime ECDF of each backend."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.2 * len(curves), 3.8), layout="constrained")
    axes = figure.subplots(1, len(curves), squeeze=False).ravel()
    for ax, (axis, frame) in zip(axes, curves.items(), strict=True):
        for backend, group in frame.groupby("backend", sort=True):
            ax.step(group["budget"], group["fraction"], where="post", label=str(backend), linewidth=1.6)
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("trials" if axis == "trials" else "suggestion + evaluation time (s)")
        ax.set_ylabel("fraction of (problem, seed, target) reached")
        ax.set_title(f"runtime ECDF, {targets}", fontsize="medium")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return figure


def suggest_time_figure(trials: pd.DataFrame) -> Figure:
    """Seconds per suggestion (the backend's ask + tell), one box per backend, one panel per problem, log axis."""
    problems = list(dict.fromkeys(trials["problem"]))
    figure, axes = _panels(len(problems), width=4.2, height=3.2)
    for ax, problem in zip(axes, problems, strict=False):
        data = trials[trials["problem"] == problem]
        groups = [(str(b), g["suggest_time"].dropna().clip(lower=1e-7).to_numpy()) for b, g in data.groupby("backend")]
        ax.boxplot([g for _, g in groups], tick_labels=[b for b, _ in groups], showfliers=False)
        ax.set_yscale("log")
        ax.set_title(problem)
        ax.set_ylabel("seconds per suggestion")
        ax.tick_params(axis="x", labelrotation=20)
        ax.grid(alpha=0.3, axis="y")
    return figure
