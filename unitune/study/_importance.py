"""Parameter importance of a study: Optuna's evaluators on its record, one table per branch.

Every study's record is an Optuna study, whatever its backend, so Optuna's
importance evaluators read Hyperopt and scikit-optimize runs as well as Optuna's:

* ``"fanova"`` (the default): fANOVA (Hutter et al. 2014) on a random forest fitted to the
  complete trials: the share of the objective's variance each parameter explains over the
  whole space. Seeded with the study's seed.
* ``"ped-anova"``: PED-ANOVA (Watanabe et al. 2023), Optuna 5's default: how differently a
  parameter is distributed in the top 10 % of the trials than in all of them. Fast; it
  measures importance *where the study sampled*, so a parameter the backend already
  settled on (a categorical it keeps choosing) scores low, and a categorical with few
  choices scores lower than a number (its divergence is bounded by its number of values).
* ``"mdi"``: mean decrease impurity of a random forest (scikit-learn), seeded.
* or any ``optuna.importance.BaseImportanceEvaluator`` object.

fANOVA and mean decrease impurity use only the trials where every listed parameter is
active, so a conditional space gets one table per *branch*: all trials (the parameters
active in every trial, a ``Conditional``'s label being one of them), then each branch of
each ``Conditional`` (the trials that chose it; the parameters active in all of them).
The importances of a branch sum to 1. Failed, pruned and running trials are left out
(the table's caption says how many); so are complete trials whose target is not finite.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from unitune._quiet import quiet
from unitune.adapters._optuna_compat import STORAGE_LOGGERS
from unitune.exceptions import ArgumentError, ArgumentTypeError, argument_error
from unitune.space import Condition, Space

if TYPE_CHECKING:
    import optuna

    from unitune.report._table import Table
    from unitune.study._study import Study

__all__ = [
    "ALL",
    "EVALUATORS",
    "Target",
    "TargetLike",
    "branch_name",
    "branches",
    "directions_of",
    "importance",
    "resolve_target",
]

#: Evaluator names and what the table calls them.
EVALUATORS = {"fanova": "fANOVA", "ped-anova": "PED-ANOVA", "mdi": "mean decrease impurity"}
#: The name of the branch that holds every trial.
ALL = "all trials"

Target = Callable[["optuna.trial.FrozenTrial"], float]
#: What ``target=`` takes: an objective's index or name, or a function of a trial (see :func:`resolve_target`).
TargetLike = Target | int | str


def branch_name(conditions: tuple[Condition, ...]) -> str:
    """``"optimizer.kind=adam"`` for a branch (nested ones joined with ``", "``), :data:`ALL` for the root."""
    return ", ".join(f"{c.name}={c.label}" for c in conditions) or ALL


def branches(space: Space) -> list[tuple[tuple[Condition, ...], list[str]]]:
    """Every branch of ``space`` (the root first) with the keys of the parameters active in all its trials.

    A branch's own ``Conditional`` labels are fixed in it, so they are not listed.

    Example:
        >>> import unitune as ut
        >>> space = ut.Space({"lr": ut.Float(0, 1), "k": ut.Conditional({"a": {"x": ut.Int(0, 3)}, "b": {}})})
        >>> [(branch_name(c), keys) for c, keys in branches(space)]
        [('all trials', ['lr', 'k']), ('k=a', ['lr', 'x']), ('k=b', ['lr'])]
    """
    found: list[tuple[Condition, ...]] = [()]
    for p in space.params:
        for j in range(1, len(p.conditions) + 1):
            if p.conditions[:j] not in found:
                found.append(p.conditions[:j])
        if p.branching and p.primitive.labels is not None:
            for index, label in enumerate(p.primitive.labels):
                found.append((*p.conditions, Condition(p.key, p.name, label, index)))
    out = []
    for conditions in found:
        fixed = {c.key for c in conditions}
        keys = [p.key for p in space.params if set(p.conditions) <= set(conditions) and p.key not in fixed]
        out.append((conditions, keys))
    return out


def _evaluator(evaluator: Any, seed: int) -> tuple[optuna.importance.BaseImportanceEvaluator, str]:
    import optuna

    if isinstance(evaluator, optuna.importance.BaseImportanceEvaluator):
        return evaluator, type(evaluator).__name__
    if not isinstance(evaluator, str):
        raise argument_error(
            "evaluator",
            "must be a name or an optuna.importance evaluator",
            evaluator,
            f"use one of {list(EVALUATORS)}",
            kind=ArgumentTypeError,
        )
    name = evaluator.lower().replace("_", "-")
    with quiet(warning_types=(optuna.exceptions.ExperimentalWarning,)):
        if name == "fanova":
            return optuna.importance.FanovaImportanceEvaluator(seed=seed), EVALUATORS[name]
        if name in ("ped-anova", "pedanova"):
            return optuna.importance.PedAnovaImportanceEvaluator(), EVALUATORS["ped-anova"]
        if name in ("mdi", "mean-decrease-impurity"):
            return optuna.importance.MeanDecreaseImpurityImportanceEvaluator(seed=seed), EVALUATORS["mdi"]
    raise argument_error("evaluator", f"must be one of {list(EVALUATORS)}", evaluator, "pick one of those names")


def _finite(trial: optuna.trial.FrozenTrial, target: Target | None) -> bool:
    if target is None:
        return all(math.isfinite(v) for v in trial.values or ())
    try:
        return math.isfinite(float(target(trial)))
    except (TypeError, ValueError):
        return False


def usable_trials(record: optuna.Study, target: Target | None) -> tuple[list[optuna.trial.FrozenTrial], dict[str, int]]:
    """The complete trials of the record with a finite target, and how many of each kind were left out."""
    left = {"failed": 0, "pruned": 0, "running": 0, "not finite": 0}
    used = []
    for trial in record.get_trials(deepcopy=False):
        state = trial.state.name
        if state == "COMPLETE":
            if _finite(trial, target):
                used.append(trial)
            else:
                left["not finite"] += 1
        elif state == "FAIL":
            left["failed"] += 1
        elif state == "PRUNED":
            left["pruned"] += 1
        else:
            left["running"] += 1
    return used, left


def resolve_target(study: Study, target: Any) -> Target | None:
    """The number importance explains and narrowing ranks by, as a function of an Optuna ``FrozenTrial``.

    ``None`` is the study's value (one objective only); an ``int`` is the index of an objective and
    a ``str`` its name (``objectives=``): both give a loss, the value negated where it is maximized,
    so lower is better; a callable is used as it is (lower is better, as for Optuna's PED-ANOVA).

    Raises:
        ArgumentError: for several objectives without ``target``, or an unknown index or name.
    """
    directions = directions_of(study)
    names = list(getattr(study, "objectives", None) or [])
    hint = "target=0 (the first objective)" + (f" or target={names[0]!r}" if names else "")
    if target is None:
        if len(directions) > 1:
            raise ArgumentError(
                f"the study has {len(directions)} objectives, so target= must say which one to explain and rank "
                f"by; received none. Fix: pass {hint}, or a function of an optuna FrozenTrial returning a loss"
            )
        return None
    if callable(target):
        return cast("Target", target)
    index = names.index(target) if isinstance(target, str) and target in names else target
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(directions):
        raise argument_error(
            "target",
            f"must be an objective's index (0..{len(directions) - 1}), one of its names {names}, or a function "
            "of an optuna FrozenTrial",
            target,
            f"pass {hint}",
            kind=ArgumentError if isinstance(target, (str, int)) else ArgumentTypeError,
        )
    sign = 1.0 if directions[index] == "minimize" else -1.0
    return functools.partial(_loss, index, sign)


def _loss(index: int, sign: float, trial: optuna.trial.FrozenTrial) -> float:
    return sign * float(trial.values[index])


def directions_of(study: Study) -> list[str]:
    """The study's direction per objective (``study.directions`` where a study has several)."""
    found = getattr(study, "directions", None)
    return list(found) if found else [study.direction]


def importance(
    study: Study,
    *,
    evaluator: Any = "fanova",
    target: TargetLike | None = None,
    seed: int | None = None,
) -> Table:
    """The importance of each parameter, one table per branch (see the module docstring).

    Returns:
        A :class:`~unitune.report._table.Table` with columns ``branch``, ``parameter`` (its key),
        ``importance`` (sums to 1 in each branch; NaN where a branch has fewer than 2 trials),
        ``method`` and ``trials`` (the trials of the branch that were used); ``attrs["left_out"]``
        counts the trials left out and ``attrs["caption"]`` says it.
    """
    import pandas as pd

    from unitune.report._table import as_table

    record = study.optuna_study
    loss = resolve_target(study, target)
    chosen, method = _evaluator(evaluator, (study.seed or 0) if seed is None else seed)
    used, left = usable_trials(record, loss)
    rows: list[dict[str, Any]] = []
    for conditions, keys in branches(study.space):
        members = [t for t in used if all(t.params.get(c.key) == c.label for c in conditions)]
        keys = [k for k in keys if members and all(k in t.params for t in members)]
        if not keys or (conditions and not members):
            continue
        scores = _evaluate(record, members, keys, conditions, chosen, loss) if len(members) >= 2 else {}
        for key in sorted(keys, key=lambda k: -scores.get(k, -1.0)):
            rows.append(
                {
                    "branch": branch_name(conditions),
                    "parameter": key,
                    "importance": float(scores.get(key, math.nan)),
                    "method": method,
                    "trials": len(members),
                }
            )
    columns = ["branch", "parameter", "importance", "method", "trials"]
    table = as_table(pd.DataFrame(rows, columns=columns))
    out = [f"{n} {kind}" for kind, n in left.items() if n]
    table.attrs["left_out"] = left
    table.attrs["caption"] = (
        f"{method} importance from {len(used)} complete trial(s) on the record; each branch's importances sum to 1. "
        + (f"Left out: {', '.join(out)} (importance reads complete trials only)." if out else "No trial left out.")
    )
    return table


def _evaluate(
    record: optuna.Study,
    members: list[optuna.trial.FrozenTrial],
    keys: list[str],
    conditions: tuple[Condition, ...],
    evaluator: optuna.importance.BaseImportanceEvaluator,
    target: Target | None,
) -> dict[str, float]:
    """Normalized importances of ``keys`` over ``members``, in a study of their own (a branch's trials only).

    The branch's own labels are the same in every member, so they are left out of that study.
    """
    import optuna

    reference = members[-1].distributions  # a study continued with another range: the current one
    same = [t for t in members if all(t.distributions.get(k) == reference.get(k) for k in keys)]
    with quiet(*STORAGE_LOGGERS, warning_types=(UserWarning, optuna.exceptions.ExperimentalWarning)):
        sub = optuna.create_study(directions=record.directions)
        sub.add_trials(
            [
                optuna.trial.create_trial(
                    state=optuna.trial.TrialState.COMPLETE,
                    values=t.values,
                    params={k: t.params[k] for k in keys},
                    distributions={k: t.distributions[k] for k in keys},
                    user_attrs=t.user_attrs,
                    system_attrs=t.system_attrs,
                    intermediate_values=t.intermediate_values,
                )
                for t in same
            ]
        )
        # params=None: the sub-study holds exactly the branch's parameters. (Passing params= makes Optuna 5's
        # mean decrease impurity name the importances in the order of params= while it computes them in the
        # order of the trials' distributions: wrong names whenever the two orders differ.)
        result = optuna.importance.get_param_importances(sub, evaluator=evaluator, target=target)
    return {k: float(v) for k, v in result.items()}
