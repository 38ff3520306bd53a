"""Pruning: Optuna's pruners over the study's record, for every backend.

The record of every study is an Optuna study, so Optuna's pruners (median,
percentile, successive halving, Hyperband, Wilcoxon, patient, threshold) work
on Hyperopt and scikit-optimize runs as they do on Optuna's: a reported value
is written to the record (``Record.report``, what ``optuna.Trial.report``
writes), and a pruning decision is the pruner's ``prune(study, frozen_trial)``
on the record's live ``optuna.Study`` — the public pruner call Optuna's own
``Trial.should_prune`` makes. unitune never re-implements a pruner.

Example:
    >>> type(resolve_pruner("median")).__name__
    'MedianPruner'
    >>> resolve_pruner(None) is None
    True
"""

from __future__ import annotations

import copy
import difflib
import inspect
import math
import numbers
import sys
import warnings
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ArgumentError, ArgumentTypeError, StudyError, TrialPruned, UnituneWarning

if TYPE_CHECKING:
    import optuna

    from unitune.study._record import Record
    from unitune.study._trial import Trial

__all__ = ["PRUNERS", "Pruning", "check_report", "is_pruned", "pruner_name", "resolve_pruner"]

#: Short names of Optuna's pruners (``pruner="asha"``) -> the class in ``optuna.pruners``.
PRUNERS: dict[str, str] = {
    "median": "MedianPruner",
    "percentile": "PercentilePruner",
    "asha": "SuccessiveHalvingPruner",
    "successive_halving": "SuccessiveHalvingPruner",
    "hyperband": "HyperbandPruner",
    "wilcoxon": "WilcoxonPruner",
    "patient": "PatientPruner",
    "threshold": "ThresholdPruner",
    "nop": "NopPruner",
}
_SHORT = {cls: name for name, cls in reversed(PRUNERS.items())}  # class -> its first short name


def resolve_pruner(pruner: Any, *, n_objectives: int = 1) -> optuna.pruners.BasePruner | None:
    """The Optuna pruner for ``pruner=``: None, a short name (see :data:`PRUNERS`) or a pruner object.

    Checked before any backend is called. Optuna cannot prune a study of several objectives
    (its ``Trial.report`` raises there), so a pruner with ``n_objectives > 1`` is refused.

    Raises:
        ArgumentError: for an unknown name, a pruner that needs arguments, or several objectives.
        ArgumentTypeError: for anything that is not a name or an ``optuna.pruners.BasePruner``.

    Example:
        >>> resolve_pruner("percentile")
        Traceback (most recent call last):
        ...
        unitune.exceptions.ArgumentError: pruner='percentile' needs arguments ...
    """
    if pruner is None:
        return None
    if n_objectives > 1:
        raise ArgumentError(
            f"pruner= works with one objective only (Optuna's pruners read one intermediate value per step); "
            f"received pruner={pruner!r} with {n_objectives} objectives. Fix: drop pruner=, or optimize one objective"
        )
    import optuna

    if isinstance(pruner, str):
        return _from_name(pruner)
    if isinstance(pruner, type) and issubclass(pruner, optuna.pruners.BasePruner):
        raise ArgumentTypeError(
            f"pruner must be a pruner object, not a class; received {pruner.__name__}. "
            f"Fix: pass {pruner.__name__}(...) (an instance)"
        )
    if not isinstance(pruner, optuna.pruners.BasePruner):
        raise ArgumentTypeError(
            f"pruner must be None, a short name ({', '.join(PRUNERS)}) or an optuna.pruners.BasePruner; "
            f"received {pruner!r} ({type(pruner).__name__}). Fix: pass e.g. pruner='median' or "
            "pruner=optuna.pruners.HyperbandPruner()"
        )
    return pruner


def _from_name(name: str) -> optuna.pruners.BasePruner:
    import optuna

    key = name.strip().lower().replace("-", "_")
    if key not in PRUNERS:
        close = difflib.get_close_matches(key, list(PRUNERS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ArgumentError(
            f"pruner={name!r} is no pruner name. Fix: {hint}use one of {', '.join(PRUNERS)}, "
            "or pass an optuna.pruners object"
        )
    cls = getattr(optuna.pruners, PRUNERS[key])
    required = [
        p.name
        for p in inspect.signature(cls).parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    try:
        if required:
            raise TypeError(f"missing required argument(s): {', '.join(required)}")
        with warnings.catch_warnings():  # WilcoxonPruner is experimental: that is Optuna's note, not the user's
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            made: optuna.pruners.BasePruner = cls()
    except (TypeError, ValueError) as error:
        example = {"percentile": "PercentilePruner(25.0)", "patient": "PatientPruner(MedianPruner(), patience=3)"}
        raise ArgumentError(
            f"pruner={name!r} needs arguments ({error}). "
            f"Fix: pass the pruner object, e.g. optuna.pruners.{example.get(key, cls.__name__ + '(lower=0.0)')}"
        ) from None
    return made


def pruner_name(pruner: Any) -> str:
    """A short label of a pruner (its short name, else its class name); ``"none"`` for None.

    Example:
        >>> pruner_name("ASHA"), pruner_name(None), pruner_name(resolve_pruner("hyperband"))
        ('asha', 'none', 'hyperband')
    """
    if pruner is None:
        return "none"
    if isinstance(pruner, str):
        return pruner.strip().lower().replace("-", "_")
    cls = type(pruner).__name__
    return _SHORT.get(cls, cls)


def is_pruned(error: BaseException) -> bool:
    """Whether ``error`` ends a trial as pruned: ``unitune.TrialPruned`` or ``optuna.TrialPruned``.

    Optuna is not imported for this: an ``optuna.TrialPruned`` exists only once Optuna is.
    """
    if isinstance(error, TrialPruned):
        return True
    optuna = sys.modules.get("optuna")
    return optuna is not None and isinstance(error, optuna.TrialPruned)


def check_report(value: Any, step: Any) -> tuple[float, int]:
    """``(float(value), int(step))`` for ``report(value, step)``, with Optuna's rules: a float, a step >= 0.

    Raises:
        ArgumentTypeError: if the value is no number or the step no integer.
        ArgumentError: if the step is negative.

    Example:
        >>> check_report(0.5, 3)
        (0.5, 3)
    """
    if type(value) is not float:
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ArgumentTypeError(
                f"report(value, step): value must be a number; received {value!r} ({type(value).__name__}). "
                "Fix: report a float, e.g. trial.report(loss, epoch)"
            ) from None
    if type(step) is not int:
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise ArgumentTypeError(
                f"report(value, step): step must be an int; received {step!r} ({type(step).__name__}). "
                "Fix: pass the epoch or iteration number, e.g. trial.report(loss, epoch)"
            )
        step = int(step)
    if step < 0:
        raise ArgumentError(f"report(value, step): step must be >= 0; received {step}. Fix: count steps from 0")
    return value, step


def warn_repeated(number: int, step: int) -> None:
    """Optuna's rule for a step reported twice: the first value is kept, with a warning."""
    warnings.warn(
        f"trial {number}: step {step} was already reported; the first value is kept (as in Optuna)",
        UnituneWarning,
        stacklevel=3,
    )


class Pruning:
    """A study's intermediate values and pruning decisions, over its record.

    Args:
        record: The study's record (made live when a pruner is set: the pruner reads its Optuna study).
        pruner: The resolved pruner, or None (reports are recorded, nothing is pruned).
    """

    def __init__(self, record: Record, pruner: optuna.pruners.BasePruner | None) -> None:
        self.record = record
        self.pruner = pruner
        self._study: optuna.Study | None = None
        if pruner is not None:
            self._study = record.optuna_study()
            self._study.pruner = pruner  # what optuna.create_study(pruner=...) sets

    def report(self, trial: Trial, value: Any, step: Any) -> None:
        """Record ``value`` at ``step`` for a running trial (a step already reported keeps its first value)."""
        value, step = check_report(value, step)
        if step in trial.intermediate:
            warn_repeated(trial.number, step)
            return
        trial.intermediate[step] = value
        self.record.report(trial._record_id, step, value)

    def should_prune(self, trial: Trial) -> bool:
        """The pruner's decision on the trial's reports so far (never without a pruner)."""
        if self._study is None or self.pruner is None:
            return False
        frozen = self.record.frozen_trial(trial._record_id)
        if len(frozen.intermediate_values) != len(trial.intermediate):  # a trial run again after a crash:
            frozen = copy.copy(frozen)  # its record still holds the dead run's steps; the pruner reads this run's
            frozen.intermediate_values = dict(trial.intermediate)
        return bool(self.pruner.prune(self._study, frozen))


def last_finite(intermediate: dict[int, float]) -> list[float] | None:
    """What a pruned trial's value is in the record, as in Optuna: its last reported value if finite."""
    if not intermediate:
        return None
    last = intermediate[max(intermediate)]
    return [last] if math.isfinite(last) else None


def not_running(number: int) -> StudyError:
    """The error for report/should_prune on a trial that is not running."""
    return StudyError(
        f"trial {number} is not running (already told, or never asked): report() and should_prune() work "
        "between ask() and tell()"
    )
