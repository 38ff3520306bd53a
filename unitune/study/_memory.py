"""The default in-memory record: plain Python objects until an Optuna study is needed.

A study that is never inspected pays nothing for its record and never imports
Optuna. The first call that needs an Optuna study (``study.optuna_study``, a
pruner) replays every trial so far into a :class:`~unitune.study._record.StorageRecord`
over Optuna's ``InMemoryStorage``; from then on every call goes to it, so the
live study stays in step and is never rebuilt.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unitune._quiet import quiet_tqdm_auto
from unitune.adapters import TrialState
from unitune.study._record import StorageRecord

if TYPE_CHECKING:
    import optuna

    from unitune.space import Space

__all__ = ["MemoryRecord"]


@dataclass(slots=True)
class _Entry:
    """A trial of the in-memory record."""

    raw: dict[str, Any]
    started: datetime.datetime
    state: TrialState = TrialState.RUNNING
    values: list[float] | None = None
    error: str | None = None
    user_attrs: dict[str, Any] = field(default_factory=dict)
    intermediate: dict[int, float] = field(default_factory=dict)
    constraints: list[float] | None = None


class MemoryRecord:
    """The record of a study without storage (see the module docstring).

    Args:
        space: The search space.
        study_name: The study's name (None: a fresh unique name).
        directions: ``"minimize"``/``"maximize"`` per objective.
        attrs: Study-level attributes, stored once the record is live.
    """

    loaded = False

    def __init__(
        self,
        space: Space,
        *,
        study_name: str | None = None,
        directions: Sequence[str] = ("minimize",),
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        self.space = space
        self.study_name = study_name or f"unitune-{uuid.uuid4().hex[:12]}"
        self._directions = tuple(directions)
        self._attrs = dict(attrs or {})
        self._entries: list[_Entry] = []
        self._live: StorageRecord | None = None

    @property
    def live(self) -> bool:
        """Whether the record is an Optuna study already."""
        return self._live is not None

    def optuna_study(self) -> optuna.Study:
        """The live Optuna study, built from the trials so far on the first call."""
        return self._go_live().optuna_study()

    def _go_live(self) -> StorageRecord:
        if self._live is not None:
            return self._live
        quiet_tqdm_auto()
        import optuna

        record = StorageRecord(  # built completely before it replaces the plain entries
            self.space,
            storage=optuna.storages.InMemoryStorage(),
            study_name=self.study_name,
            directions=self._directions,
            attrs=self._attrs,
        )
        for index, entry in enumerate(self._entries):
            trial_id, _ = record.start(entry.raw, entry.started)
            if trial_id != index:  # a fresh InMemoryStorage numbers its trials 0, 1, ...
                raise RuntimeError(f"in-memory record out of step: trial {index} got id {trial_id}")
            for step, value in entry.intermediate.items():
                record.report(trial_id, step, value)
            if entry.state is not TrialState.RUNNING:
                record.finish(
                    trial_id,
                    entry.state,
                    entry.values,
                    error=entry.error,
                    user_attrs=entry.user_attrs,
                    constraints=entry.constraints,
                )
        self._live = record
        self._entries = []
        return record

    def start(self, raw: Mapping[str, Any], started: datetime.datetime | None = None) -> tuple[int, int]:
        """Record a RUNNING trial; returns ``(trial_id, number)`` (equal here)."""
        if self._live is not None:
            return self._live.start(raw, started)
        self._entries.append(_Entry(dict(raw), started or datetime.datetime.now()))
        return len(self._entries) - 1, len(self._entries) - 1

    def report(self, trial_id: int, step: int, value: float) -> None:
        """Record an intermediate value of a running trial."""
        if self._live is not None:
            self._live.report(trial_id, step, value)
        else:
            self._entries[trial_id].intermediate[step] = value

    def finish(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None,
        *,
        error: str | None = None,
        user_attrs: Mapping[str, Any] | None = None,
        constraints: Sequence[float] | None = None,
    ) -> None:
        """Finish a recorded trial."""
        if self._live is not None:
            self._live.finish(trial_id, state, values, error=error, user_attrs=user_attrs, constraints=constraints)
            return
        entry = self._entries[trial_id]
        entry.state, entry.error, entry.user_attrs = state, error, dict(user_attrs or {})
        entry.constraints = None if constraints is None else list(constraints)
        valued = state in (TrialState.COMPLETE, TrialState.PRUNED)
        entry.values = list(values) if valued and values is not None else None

    def trials(self) -> list[optuna.trial.FrozenTrial]:
        """An in-memory record is never loaded: nothing to resume."""
        return []

    def raw_of(self, trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
        """The raw assignment of a recorded trial (once live)."""
        return self._go_live().raw_of(trial)

    def conflicts(self) -> list[str]:
        """An in-memory record holds only its own trials."""
        return []

    def stored_directions(self) -> list[str]:
        """An in-memory record stores nothing before it runs: its own directions."""
        return list(self._directions)

    def stored_attrs(self) -> dict[str, Any]:
        """The attributes given at creation."""
        return dict(self._attrs)

    def set_attrs(self, attrs: Mapping[str, Any]) -> None:
        """Replace attributes (stored once the record is live)."""
        self._attrs.update(attrs)
        if self._live is not None:
            self._live.set_attrs(attrs)

    def trial_id(self, number: int) -> int:
        """The id of the trial with this number (once live)."""
        return self._go_live().trial_id(number)

    def frozen_trial(self, trial_id: int) -> optuna.trial.FrozenTrial:
        """The recorded trial as Optuna's pruners read it (once live)."""
        return self._go_live().frozen_trial(trial_id)
