"""Trial: one evaluation of the objective, as a study keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from unitune.adapters import TrialState

__all__ = ["Trial", "TrialState"]


@dataclass(slots=True)
class Trial:
    """One evaluation of the objective.

    Attributes:
        number: Position in the study (0, 1, ...), as in the record.
        params: The nested configuration the objective receives.
        state: A :class:`~unitune.TrialState`: ``"running"``, ``"complete"``, ``"failed"`` or
            ``"pruned"`` (it compares equal to those strings).
        value: The objective's value (None unless complete, and None in a study with several objectives).
        error: Why the trial failed, if it did.
        user_attrs: Extra entries of a dict returned by the objective.
        intermediate: ``{step: value}`` reported during the trial (pruning).
        suggest_time: Seconds the backend spent proposing this trial (its share of the ask).
        tell_time: Seconds the backend spent taking the result in (model fits often happen here).
        duration: Seconds from ask to tell.
        values: One value per objective (None unless complete); ``(value,)`` with one objective.
        constraints: The constraint values of a complete trial of a study with constraints (each ``<= 0``
            when satisfied), else None.

    Example:
        >>> import unitune as ut
        >>> study = ut.minimize(lambda c: c["n"], {"n": ut.Int(0, 3)}, backend="optuna:random", n_trials=2, seed=0)
        >>> trial = study.trials[0]
        >>> trial.number, trial.state == "complete", trial.value == trial.params["n"]
        (0, True, True)
    """

    number: int
    params: dict[str, Any]
    state: TrialState = TrialState.RUNNING
    value: float | None = None
    error: str | None = None
    user_attrs: dict[str, Any] = field(default_factory=dict)
    intermediate: dict[int, float] = field(default_factory=dict)
    suggest_time: float = 0.0
    tell_time: float = 0.0
    duration: float | None = None
    values: tuple[float, ...] | None = None
    constraints: tuple[float, ...] | None = None
    raw: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _token: Any = field(default=None, init=False, repr=False)
    _record_id: int = field(default=-1, init=False, repr=False)
    _started: float = field(default=0.0, init=False, repr=False)

    @property
    def feasible(self) -> bool:
        """Whether every constraint value is ``<= 0`` (a trial without constraint values is feasible)."""
        return all(c <= 0 for c in self.constraints or ())
