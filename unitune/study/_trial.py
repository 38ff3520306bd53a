"""Trial: one evaluation of the objective, as a study keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from unitune.adapters import TrialState
from unitune.study._pruning import not_running

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

    Between ``ask`` and ``tell``, :meth:`report` and :meth:`should_prune` work as Optuna's.

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
    _pruning: Any = field(default=None, init=False, repr=False, compare=False)  # the study's, while running

    @property
    def last_step(self) -> int | None:
        """The last step the trial reported (where a pruned trial stopped), or None.

        Example:
            >>> Trial(0, {}, intermediate={0: 0.9, 4: 0.5}).last_step
            4
        """
        return max(self.intermediate) if self.intermediate else None

    def report(self, value: float, step: int) -> None:
        """Report an intermediate value at ``step`` (as ``optuna.Trial.report``), for a running trial.

        Example:
            >>> import unitune as ut
            >>> study = ut.Study({"x": ut.Float(0, 1)}, pruner="median")
            >>> trial = study.ask()
            >>> trial.report(0.7, step=0)
            >>> trial.should_prune(), trial.intermediate
            (False, {0: 0.7})
        """
        if self._pruning is None:
            raise not_running(self.number)
        self._pruning.report(self, value, step)

    def should_prune(self) -> bool:
        """Whether the study's pruner stops this trial now, given every trial's reports so far."""
        if self._pruning is None:
            raise not_running(self.number)
        return bool(self._pruning.should_prune(self))

    @property
    def feasible(self) -> bool:
        """Whether every constraint value is ``<= 0`` (a trial without constraint values is feasible)."""
        return all(c <= 0 for c in self.constraints or ())
