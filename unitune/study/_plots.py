"""The figures of a study's report (matplotlib): optimization history, slice plots, importance.

Figures are built as ``matplotlib.figure.Figure`` objects, never through pyplot, so
nothing global changes and no window opens.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from unitune.space import Space
    from unitune.study._trial import Trial

__all__ = ["history", "importance_bars", "slices", "values_of"]

_MAX_SLICES = 30  # slice plots drawn at most (the first parameters of the space)


def values_of(trial: Trial) -> list[float] | None:
    """The objective values of a complete trial (one per objective), None otherwise."""
    values = getattr(trial, "values", None)
    if values is not None:
        return [float(v) for v in values]
    return None if trial.value is None or str(trial.state) != "complete" else [float(trial.value)]


def history(trials: Sequence[Trial], directions: Sequence[str], names: Sequence[str] | None = None) -> Figure:
    """Each complete trial's value by trial number, the best so far as a step line, failed trials marked."""
    from matplotlib.figure import Figure

    n = len(directions)
    figure = Figure(figsize=(7.5, 3.2 * n), layout="constrained")
    axes = figure.subplots(n, 1, squeeze=False)[:, 0]
    ordered = sorted(trials, key=lambda t: t.number)
    for i, (ax, direction) in enumerate(zip(axes, directions, strict=True)):
        done = [(t.number, values_of(t)) for t in ordered]
        points = [(number, v[i]) for number, v in done if v is not None]
        label = names[i] if names else ("objective" if n == 1 else f"objective {i}")
        if points:
            xs, ys = zip(*points, strict=True)
            ax.scatter(xs, ys, s=14, color="#4477aa", alpha=0.7, label="complete trial")
            pick = min if direction == "minimize" else max
            best, steps = [], None
            for y in ys:
                steps = y if steps is None else pick(steps, y)
                best.append(steps)
            ax.step(xs, best, where="post", color="#cc3311", label=f"best so far ({direction})")
        others = [t.number for t in ordered if str(t.state) in ("failed", "pruned")]
        if others:
            ax.scatter(others, [0] * len(others), marker="x", color="#999999", transform=ax.get_xaxis_transform())
            ax.plot([], [], "x", color="#999999", label="failed or pruned")
        ax.set_xlabel("trial")
        ax.set_ylabel(label)
        ax.legend(loc="best", fontsize="small")
        ax.grid(alpha=0.3)
    return figure


def slices(space: Space, trials: Sequence[Trial], direction: str, objective: int = 0) -> Figure:
    """One panel per parameter: each complete trial's value against the parameter's, coloured by trial number."""
    from matplotlib.figure import Figure

    params = list(space.params)[:_MAX_SLICES]
    cols = min(3, max(1, len(params)))
    rows = max(1, math.ceil(len(params) / cols))
    figure = Figure(figsize=(3.4 * cols, 2.7 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    complete = [(t, values_of(t)) for t in trials]
    done = [(t, v[objective]) for t, v in complete if v is not None]
    last = max((t.number for t, _ in done), default=1) or 1
    for ax, p in zip(axes, params, strict=False):
        xs: list[Any] = []
        ys, colours = [], []
        for trial, value in done:
            raw = trial.raw or _encode(space, trial)
            if raw is None or p.key not in raw:
                continue
            xs.append(raw[p.key])
            ys.append(value)
            colours.append(trial.number / last)
        prim = p.primitive
        if prim.kind == "choice":
            ax.set_xticks(range(len(prim.options)))
            names = prim.labels or [_short(o) for o in prim.options]
            ax.set_xticklabels(names, rotation=30 if len(prim.options) > 3 else 0, fontsize="small")
            ax.set_xlim(-0.5, len(prim.options) - 0.5)
        elif prim.log:
            ax.set_xscale("log")
        if xs:
            ax.scatter(xs, ys, c=colours, cmap="viridis", vmin=0, vmax=1, s=12, alpha=0.8)
        ax.set_title(p.key, fontsize="medium")
        ax.grid(alpha=0.3)
    for ax in axes[len(params) :]:
        ax.set_visible(False)
    figure.supylabel(f"objective ({direction})")
    return figure


def importance_bars(table: pd.DataFrame) -> Figure:
    """A horizontal bar chart of the importances, one panel per branch (at most six)."""
    from matplotlib.figure import Figure

    groups = list(table.groupby("branch", sort=False))[:6]
    figure = Figure(figsize=(7.5, 0.5 + sum(0.32 * len(g) + 0.6 for _, g in groups)), layout="constrained")
    axes = figure.subplots(len(groups), 1, squeeze=False)[:, 0]
    for ax, (branch, group) in zip(axes, groups, strict=True):
        ordered = group.iloc[::-1]
        ax.barh(ordered["parameter"].astype(str), ordered["importance"].fillna(0.0), color="#4477aa")
        ax.set_xlim(0, 1)
        ax.set_title(f"{branch} ({int(group['trials'].iloc[0])} trials)", fontsize="medium", loc="left")
        ax.grid(alpha=0.3, axis="x")
    axes[-1].set_xlabel(f"importance ({table['method'].iloc[0]})")
    return figure


def _encode(space: Space, trial: Trial) -> dict[str, Any] | None:
    try:
        return space.encode(trial.params)
    except ValueError:
        return None


def _short(option: Any) -> str:
    text = repr(option) if not isinstance(option, str) else option
    return text if len(text) <= 14 else text[:12] + ".."
