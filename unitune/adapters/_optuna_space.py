"""A primitive as Optuna sees it: its distribution, and the ``trial.suggest_*`` call that samples it.

The Optuna adapter suggests through these calls (define-by-run, in the order of the
space) and the study's record builds its distributions with :func:`distribution`
(choices stored as their labels), so both use one translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

    from unitune.space import Condition, Param, Primitive

__all__ = ["distribution", "native_expression", "suggest_call"]


def distribution(prim: Primitive, categories: Sequence[Any] | None = None) -> optuna.distributions.BaseDistribution:
    """The Optuna distribution of a primitive (a choice lists ``categories``, by default :attr:`Primitive.categories`).

    Example:
        >>> from unitune import Int
        >>> distribution(Int(32, 256, step=32).primitive())
        IntDistribution(high=256, log=False, low=32, step=32)
    """
    from optuna import distributions as d

    if prim.kind == "choice":
        return d.CategoricalDistribution(list(prim.categories if categories is None else categories))
    if prim.kind == "int":
        return d.IntDistribution(int(prim.low), int(prim.high), log=prim.log, step=int(prim.step or 1))
    step = None if prim.step is None else float(prim.step)
    return d.FloatDistribution(float(prim.low), float(prim.high), log=prim.log, step=step)


def suggest_call(p: Param) -> tuple[str, tuple[Condition, ...], str, tuple[Any, ...], dict[str, Any]]:
    """(key, conditions, trial method, positional arguments, keywords) that suggest ``p``, worked out once.

    A choice with labels (a Conditional) suggests the labels and keeps the index.

    Example:
        >>> from unitune import Int, Space
        >>> suggest_call(Space({"n": Int(1, 9, log=True)}).param("n"))
        ('n', (), 'suggest_int', (1, 9), {'log': True, 'step': 1})
    """
    prim = p.primitive
    if prim.kind == "real":
        step = None if prim.step is None else float(prim.step)
        return (
            p.key,
            p.conditions,
            "suggest_float",
            (float(prim.low), float(prim.high)),
            {"log": prim.log, "step": step},
        )
    if prim.kind == "int":
        args = (int(prim.low), int(prim.high))
        return p.key, p.conditions, "suggest_int", args, {"log": prim.log, "step": int(prim.step or 1)}
    method = "suggest_categorical" if prim.labels is None else "suggest_label"
    return p.key, p.conditions, method, (prim.categories,), {}


def native_expression(p: Param) -> str:
    """The ``trial.suggest_*`` call that samples ``p`` in hand-written Optuna code."""
    key, _, method, args, kwargs = suggest_call(p)
    method = "suggest_categorical" if method == "suggest_label" else method
    if method == "suggest_categorical":
        return f"trial.{method}({key!r}, {args[0]!r})"
    extra = ", log=True" if kwargs["log"] else (f", step={p.primitive.step!r}" if p.primitive.stepped else "")
    return f"trial.{method}({key!r}, {args[0]!r}, {args[1]!r}{extra})"
