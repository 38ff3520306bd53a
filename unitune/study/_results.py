"""What a study found: its trials, best trials and values, its record as an Optuna study and a table.

:class:`Results` is the read side of :class:`~unitune.Study` (its base class): every
property reads the study's trials, first brought in step with a shared record when
other workers write to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from unitune.adapters import TrialState
from unitune.exceptions import NoCompleteTrialError, StudyError
from unitune.study._objectives import best_of, best_trials, value_columns

if TYPE_CHECKING:
    import optuna

    from unitune.report._table import Table
    from unitune.space import Space
    from unitune.study._constraints import Constraints
    from unitune.study._record import Record
    from unitune.study._sync import Sync
    from unitune.study._trial import Trial

__all__ = ["Results"]


class Results:
    """The results of a study (the base class of :class:`~unitune.Study`, which sets these attributes)."""

    space: Space
    backend: str
    directions: list[str]
    objectives: list[str] | None
    _constraints: Constraints | None
    _record: Record
    _sync: Sync | None
    _trials: list[Trial]
    _running: dict[int, Trial]

    @property
    def study_name(self) -> str:
        """The name of the study in its record (and storage)."""
        return self._record.study_name

    @property
    def resumed(self) -> bool:
        """Whether this study continues a stored one (``load_if_exists=True`` found it)."""
        return self._record.loaded

    def _refresh(self) -> None:
        if self._sync is not None:
            self._sync.refresh()

    @property
    def trials(self) -> list[Trial]:
        """Finished trials (complete, failed and pruned), in the order they finished.

        A study over a shared storage reads it first: the trials of every worker.
        """
        self._refresh()
        return list(self._trials)

    @property
    def running(self) -> list[Trial]:
        """Trials asked and not told yet."""
        return list(self._running.values())

    @property
    def direction(self) -> str:
        """The direction of a study with one objective (``directions`` lists them for several).

        Raises:
            StudyError: for a study with several objectives.
        """
        if len(self.directions) > 1:
            raise StudyError(
                f"a study with {len(self.directions)} objectives has no single direction; "
                f"its directions are {self.directions} (study.directions)"
            )
        return self.directions[0]

    @property
    def best_trials(self) -> list[Trial]:
        """The Pareto front: complete (and feasible) trials that no other dominates, by number (ties all kept).

        With one objective, the trials with the best value. Empty when no trial qualifies.
        """
        self._refresh()
        return best_trials(self._trials, self.directions)

    @property
    def best_trial(self) -> Trial:
        """The complete trial with the best value (a feasible one, in a study with constraints).

        Raises:
            StudyError: in a study with several objectives (see :attr:`best_trials`).
            NoCompleteTrialError: if no trial has completed (or none is feasible).
        """
        if len(self.directions) > 1:
            raise StudyError(
                f"a study with {len(self.directions)} objectives has no single best trial: its best trials are "
                "the Pareto front. Fix: use study.best_trials (and each trial's values)"
            )
        self._refresh()
        done = [t for t in self._trials if t.state is TrialState.COMPLETE and t.value is not None]
        if not done:
            raise NoCompleteTrialError("no trial has completed yet, so there is no best trial")
        feasible = [t for t in done if t.feasible]
        if not feasible:
            raise NoCompleteTrialError(
                f"none of the {len(done)} complete trial(s) is feasible (every constraint value <= 0), "
                "so there is no best trial yet"
            )
        return best_of(feasible, self.directions[0])

    @property
    def best_params(self) -> dict[str, Any]:
        """The configuration of the best trial."""
        return self.best_trial.params

    @property
    def best_value(self) -> float:
        """The value of the best trial."""
        value = self.best_trial.value
        assert value is not None  # best_trial holds complete trials only
        return value

    @property
    def optuna_study(self) -> optuna.Study:
        """The record as a live ``optuna.Study`` (``optuna.visualization`` works on any backend).

        Built once, on first access, and kept in step with every later trial.
        """
        return self._record.optuna_study()

    def trials_dataframe(self) -> Table:
        """One row per finished trial: number, state, value, last_step, timings, ``params_<flat name>``.

        ``last_step`` is the last step the trial reported (where a pruned trial stopped; NaN if none);
        parameters are NaN where inactive.

        Example:
            >>> import unitune as ut
            >>> study = ut.minimize(lambda c: c["x"], {"x": ut.Int(0, 3)}, backend="optuna:random", n_trials=3)
            >>> list(study.trials_dataframe().columns)
            ['number', 'state', 'value', 'last_step', 'duration', 'suggest_time', 'tell_time', 'error', 'params_x']
        """
        from unitune.study._frame import trials_dataframe

        self._refresh()
        constraints = None if self._constraints is None else (self._constraints.names or [])
        columns = value_columns(self.directions, self.objectives)
        return trials_dataframe(self.space, self._trials, columns, constraints)

    def __repr__(self) -> str:
        aim = f"direction={self.directions[0]!r}" if len(self.directions) == 1 else f"directions={self.directions!r}"
        return f"Study(backend={self.backend!r}, {aim}, trials={len(self._trials)})"
