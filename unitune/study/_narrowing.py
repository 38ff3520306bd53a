"""Narrowing a study's space to its best trials.

Good practice in tuning is to start broad, narrow the space from preliminary
results, and continue there. :func:`narrow` takes the top ``quantile`` of the
complete trials and fits the space to them with
:func:`unitune.space.narrow_space` (the bounding box of Perrone et al. 2019,
widened by a margin); ``Study.continue_narrowed`` starts a new study on the
narrowed space, on any backend, warm-started with the trials that lie inside it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unitune.adapters import TrialState
from unitune.exceptions import ArgumentTypeError, ConfigError, StudyError, argument_error
from unitune.space import Narrowing, Space, describe, narrow_space
from unitune.study._importance import Target, TargetLike, branch_name, directions_of, resolve_target

if TYPE_CHECKING:
    import optuna

    from unitune.report._table import Table
    from unitune.study._study import Study
    from unitune.study._trial import Trial

__all__ = ["NarrowedSpace", "Options", "narrow", "ranked"]

REFERENCE = "Perrone et al. 2019, Learning search spaces for Bayesian optimization (NeurIPS)"


class NarrowedSpace(Space):
    """A :class:`~unitune.Space` fitted to the best trials of a study, which says how it was made.

    It is a Space in every way (it serializes with ``to_dict``, any study takes it); the
    attributes below describe the narrowing.

    Attributes:
        explanation: A table with one row per parameter of the original space: its range
            before and after, what the top trials hold, the share of the range kept, how many
            of the study's complete trials lie inside the new range, and why.
        kept: How many of the study's complete trials are configurations of this space
            (those a study continued in it is warm-started with).
        complete: How many complete trials the study had.
        top: How many of them were the top trials the space is fitted to.
        volume: The share of the original space's volume kept (see :class:`unitune.space.Narrowing`).
    """

    __slots__ = ("complete", "explanation", "kept", "top", "volume")

    def __init__(self, narrowing: Narrowing, explanation: Table, complete: int, top: int) -> None:
        super().__init__(narrowing.space)
        self.explanation = explanation
        self.kept = narrowing.inside
        self.complete = complete
        self.top = top
        self.volume = narrowing.volume


def _check(quantile: Any, margin: Any, min_trials: Any, fix_unimportant: Any) -> None:
    def number(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise argument_error(name, "must be a number", value, f"pass e.g. {name}=0.2", kind=ArgumentTypeError)
        return float(value)

    if not 0 < number("quantile", quantile) <= 1:
        raise argument_error("quantile", "must be in (0, 1]", quantile, "0.2 fits the space to the best 20% of trials")
    if not 0 <= number("margin", margin) < math.inf:
        raise argument_error("margin", "must be a finite number >= 0", margin, "0.1 widens by 10% of each range")
    if isinstance(min_trials, bool) or not isinstance(min_trials, numbers.Integral) or min_trials < 1:
        raise argument_error("min_trials", "must be an int >= 1", min_trials, "pass e.g. min_trials=20")
    if fix_unimportant is not None and not 0 < number("fix_unimportant", fix_unimportant) < 1:
        raise argument_error(
            "fix_unimportant", "must be None or a share in (0, 1)", fix_unimportant, "0.05 fixes parameters below 5%"
        )


def _raw(space: Space, trial: Trial) -> dict[str, Any] | None:
    try:
        return space.encode(trial.params)
    except ConfigError:  # recorded under another space (a study continued with allow_changes)
        return None


def ranked(study: Study, target: TargetLike | None) -> tuple[list[Trial], list[Trial]]:
    """``(complete trials best first, every complete trial)``: ranked by value, or by ``target`` (lower is better).

    In a study with constraints, feasible trials come before infeasible ones.
    """
    complete = [t for t in study.trials if t.state is TrialState.COMPLETE]
    loss = resolve_target(study, target)
    if loss is not None:
        frozen = {t.number: t for t in study.optuna_study.get_trials(deepcopy=False)}
        losses = {t.number: _call(loss, frozen[t.number]) for t in complete if t.number in frozen}
    else:
        sign = 1.0 if directions_of(study)[0] == "minimize" else -1.0
        losses = {t.number: sign * float(t.value) for t in complete if t.value is not None}
    usable = [t for t in complete if math.isfinite(losses.get(t.number, math.nan))]
    # a study with constraints: feasible trials first (every constraint value <= 0), as its best trials are
    return sorted(usable, key=lambda t: (not getattr(t, "feasible", True), losses[t.number], t.number)), complete


def _call(loss: Target, trial: optuna.trial.FrozenTrial) -> float:
    try:
        return float(loss(trial))
    except (TypeError, ValueError, IndexError):
        return math.nan


@dataclass(frozen=True)
class Options:
    """The options of :meth:`unitune.Study.narrow` (checked when made)."""

    quantile: float
    margin: float
    min_trials: int
    fix_unimportant: float | None
    target: TargetLike | None
    evaluator: Any

    def __post_init__(self) -> None:
        _check(self.quantile, self.margin, self.min_trials, self.fix_unimportant)


def narrow(study: Study, options: Options) -> NarrowedSpace:
    """The study's space fitted to its top trials (see :meth:`unitune.Study.narrow`)."""
    quantile, margin, min_trials, target = options.quantile, options.margin, options.min_trials, options.target
    fix_unimportant, evaluator = options.fix_unimportant, options.evaluator
    best_first, complete = ranked(study, target)
    if len(best_first) < min_trials:
        others: dict[str, int] = {}
        for t in study.trials:
            if t not in best_first:
                kind = str(t.state) if t.state is not TrialState.COMPLETE else "without a finite value"
                others[kind] = others.get(kind, 0) + 1
        also = ", ".join(f"{n} {kind}" for kind, n in others.items())
        raise StudyError(
            f"narrowing needs at least min_trials={min_trials} complete trials with a finite value; the study has "
            f"{len(best_first)}" + (f" (and {also})" if also else "") + ". Fix: run more trials first, or pass a "
            "smaller min_trials"
        )
    space = study.space
    n_top = max(1, math.ceil(quantile * len(best_first)))
    top = [raw for raw in (_raw(space, t) for t in best_first[:n_top]) if raw is not None]
    if not top:
        raise StudyError("none of the top trials is a configuration of the study's space, so it cannot be narrowed")
    fix = _unimportant(study, top[0], fix_unimportant, target, evaluator) if fix_unimportant is not None else {}
    every = [raw for raw in (_raw(space, t) for t in complete) if raw is not None]
    narrowing = narrow_space(space, top, margin=margin, fix=fix, trials=every)
    best = best_first[0]
    table = _explanation(narrowing, quantile, margin, len(best_first), n_top, len(every))
    value = "" if best.value is None else f", best value {best.value:.6g}"
    fixed = [c.key for c in narrowing.changes if c.fixed]
    table.attrs["caption"] = (
        f"Fitted to the top {quantile:.0%} of {len(best_first)} complete trials ({n_top} trials{value}, trial "
        f"{best.number}): each range is the bounding box of the top trials ({REFERENCE}), widened on each side by "
        f"{margin:.0%} of its original width, never wider than before; categoricals and branches keep what the top "
        f"trials chose. {narrowing.inside} of the {len(every)} complete trials lie inside the narrowed space: a study "
        "continued in it is warm-started with them, the others are left out on purpose. Volume kept: "
        f"{narrowing.volume:.3g} of the original"
        + (f" (not counting {len(fixed)} fixed parameter(s): {', '.join(fixed)})." if fixed else ".")
    )
    return NarrowedSpace(narrowing, table, len(every), n_top)


def _unimportant(
    study: Study, best: Mapping[str, Any], threshold: float, target: TargetLike | None, evaluator: Any
) -> dict[str, tuple[Any, str]]:
    """``{key: (the best trial's raw value, why)}`` for each parameter whose importance is below ``threshold``."""
    from unitune.study._importance import importance

    table = importance(study, evaluator=evaluator, target=target)
    scores: dict[tuple[str, str], tuple[float, str]] = {
        (str(b), str(k)): (float(v), str(m))
        for b, k, v, m in zip(table["branch"], table["parameter"], table["importance"], table["method"], strict=True)
    }
    fix = {}
    for p in study.space.params:
        found = scores.get((branch_name(p.conditions), p.key))
        if found is None or p.key not in best or not found[0] < threshold:  # NaN: too few trials to judge
            continue
        why = f"fixed to the best trial's value: {found[1]} importance {found[0]:.3f} < {threshold}"
        fix[p.key] = (best[p.key], why)
    return fix


def _explanation(narrowing: Narrowing, quantile: float, margin: float, complete: int, n_top: int, every: int) -> Table:
    import pandas as pd

    from unitune.report._table import as_table

    rows = [
        {
            "parameter": c.key,
            "before": describe(c.before),
            "after": describe(c.after),
            "top trials": c.seen,
            "range kept": c.fraction,
            "trials inside": f"{c.inside}/{c.active}",
            "why": c.why,
        }
        for c in narrowing.changes
    ]
    table = as_table(pd.DataFrame(rows, columns=list(rows[0]) if rows else ["parameter"]))
    table.attrs.update(
        {"quantile": quantile, "margin": margin, "complete": complete, "top": n_top, "kept": narrowing.inside}
    )
    table.attrs["trials"] = every
    return table
