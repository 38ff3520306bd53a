"""The record of a study: an Optuna study, whatever the backend.

Every trial unitune runs is written to an Optuna storage — in memory by
default, or durable (``sqlite:///runs.db``, PostgreSQL, a journal file) — so
``optuna.load_study``, optuna-dashboard and ``optuna.visualization`` read
Hyperopt and scikit-optimize runs as well as Optuna's. A trial enters the
record as RUNNING when it is asked and is finished when it is told.

The default in-memory record is kept as plain Python objects and becomes an
Optuna study only when asked for (:meth:`Record.optuna_study`), so a study
that is never inspected pays nothing for it and never imports Optuna.

Parameters are recorded under their unique key with an Optuna distribution.
Categorical choices that Optuna cannot store (estimators, tuples, mixed
types) are recorded as readable labels ``"<index>: <repr>"``, never pickled.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unitune._quiet import quiet
from unitune.space._elements import Categorical, Conditional, Float, Int

if TYPE_CHECKING:
    import optuna

    from unitune.space import Space

__all__ = ["Record", "choice_labels", "open_storage"]

_STORAGE_LOGGERS = ("optuna.storages._in_memory", "optuna.storages._rdb.storage", "optuna.storages.journal._storage")
_LABEL_MAX = 80


def choice_labels(element: Categorical) -> list[Any]:
    """What the record stores for each choice: the choice itself when Optuna can, else ``"i: repr"``.

    Example:
        >>> choice_labels(Categorical(["a", None]))
        ['a', None]
        >>> choice_labels(Categorical([(1, 2), 3]))
        ['0: (1, 2)', '1: 3']
    """
    kinds = {type(c) for c in element.choices if c is not None}
    nan = any(isinstance(c, float) and math.isnan(c) for c in element.choices)
    if len(kinds) <= 1 and kinds <= {str, int, float, bool} and not nan:
        return list(element.choices)
    return [f"{i}: {_short(c)}" for i, c in enumerate(element.choices)]


def _short(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 3] + "..."


def open_storage(storage: Any) -> optuna.storages.BaseStorage:
    """An Optuna storage from None (memory), a URL, a journal-file path or a storage object."""
    import optuna

    if storage is None:
        return optuna.storages.InMemoryStorage()
    if isinstance(storage, str) and "://" not in storage:
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        return JournalStorage(JournalFileBackend(storage))
    with quiet("optuna.storages._rdb.storage", "alembic.runtime.migration"):
        return optuna.storages.get_storage(storage)


class Record:
    """One Optuna study holding every trial of a unitune study.

    Args:
        space: The search space (parameters are recorded under their keys).
        storage: None, an Optuna storage URL, a journal-file path or a storage object.
        study_name: Name of the study in the storage (None: a fresh unique name).
        load_if_exists: Continue a study of that name instead of failing.
        direction: ``"minimize"`` or ``"maximize"``; values are recorded as returned.
        attrs: Study-level user attributes (backend, seed, space) to store.
    """

    def __init__(
        self,
        space: Space,
        *,
        storage: Any = None,
        study_name: str | None = None,
        load_if_exists: bool = False,
        direction: str = "minimize",
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        self.space = space
        self.direction = direction
        self.attrs = dict(attrs or {})
        self._labels = {p.key: choice_labels(p.element) for p in space.params if isinstance(p.element, Categorical)}
        self.loaded = False
        self._memory: list[_Entry] | None = None
        if storage is None:  # plain Python objects until an Optuna study is asked for
            import uuid

            self._memory = []
            self.study_name = study_name or f"unitune-{uuid.uuid4().hex[:12]}"
            return
        self._open(storage, study_name, load_if_exists)

    def _open(self, storage: Any, study_name: str | None, load_if_exists: bool) -> None:
        import optuna

        self.storage = open_storage(storage)
        self._dists = {p.key: _distribution(p.element) for p in self.space.params}
        direction = self.direction
        opt_direction = (
            optuna.study.StudyDirection.MAXIMIZE if direction == "maximize" else (optuna.study.StudyDirection.MINIMIZE)
        )
        self.loaded = False
        with quiet(*_STORAGE_LOGGERS):
            try:
                self.study_id = self.storage.create_new_study([opt_direction], study_name)
            except optuna.exceptions.DuplicatedStudyError:
                if not load_if_exists:
                    raise
                self.study_id = self.storage.get_study_id_from_name(study_name)  # type: ignore[arg-type]
                self.loaded = True
        self.study_name = self.storage.get_study_name_from_id(self.study_id)
        if not self.loaded:
            for key, value in self.attrs.items():
                self.storage.set_study_user_attr(self.study_id, f"unitune.{key}", _jsonable(value))

    def optuna_study(self) -> optuna.Study:
        """The record as an ``optuna.Study`` (for ``optuna.visualization`` and friends).

        For the in-memory record this is a snapshot made now, holding every trial so far.
        """
        import optuna

        if self._memory is not None:
            entries = self._memory
            self._memory = None
            self._open(optuna.storages.InMemoryStorage(), self.study_name, False)
            for entry in entries:
                trial_id, _ = self.start(entry.raw, entry.started)
                if entry.state != "running":
                    self.finish(trial_id, entry.value, error=entry.error, user_attrs=entry.user_attrs)
            study = optuna.load_study(study_name=self.study_name, storage=self.storage)
            self._memory = entries
            return study
        return optuna.load_study(study_name=self.study_name, storage=self.storage)

    def start(self, raw: Mapping[str, Any], started: datetime.datetime | None = None) -> tuple[int, int]:
        """Record a RUNNING trial with these raw parameters; returns ``(trial_id, number)``."""
        if self._memory is not None:
            self._memory.append(_Entry(dict(raw), started or datetime.datetime.now()))
            return len(self._memory) - 1, len(self._memory) - 1
        from optuna.trial import FrozenTrial, TrialState

        params = {key: self._external(key, value) for key, value in raw.items()}
        template = FrozenTrial(
            number=-1,
            state=TrialState.RUNNING,
            value=None,
            datetime_start=started or datetime.datetime.now(),
            datetime_complete=None,
            params=params,
            distributions={key: self._dists[key] for key in params},
            user_attrs={},
            system_attrs={},
            intermediate_values={},
            trial_id=-1,
        )
        trial_id = self.storage.create_new_trial(self.study_id, template_trial=template)
        return trial_id, self.storage.get_trial_number_from_id(trial_id)

    def finish(
        self,
        trial_id: int,
        value: float | None,
        *,
        error: str | None = None,
        user_attrs: Mapping[str, Any] | None = None,
        system_attrs: Mapping[str, Any] | None = None,
    ) -> None:
        """Finish a recorded trial: COMPLETE with ``value``, or FAIL (``value`` None) with ``error``."""
        if self._memory is not None:
            entry = self._memory[trial_id]
            entry.state = "failed" if value is None else "complete"
            entry.value, entry.error, entry.user_attrs = value, error, dict(user_attrs or {})
            return
        from optuna.trial import TrialState

        for key, attr in (user_attrs or {}).items():
            self.storage.set_trial_user_attr(trial_id, key, _jsonable(attr))
        for key, attr in (system_attrs or {}).items():
            self.storage.set_trial_system_attr(trial_id, key, _jsonable(attr))
        if error is not None:
            self.storage.set_trial_system_attr(trial_id, "fail_reason", error)
        if value is None:
            self.storage.set_trial_state_values(trial_id, TrialState.FAIL)
        else:
            self.storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [value])

    def trials(self) -> list[optuna.trial.FrozenTrial]:
        """Every trial in a stored record (the in-memory record is never loaded: it starts empty)."""
        if self._memory is not None:
            return []
        return self.storage.get_all_trials(self.study_id, deepcopy=False)

    def raw_of(self, trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
        """The raw assignment of a recorded trial (labels back to indices)."""
        raw: dict[str, Any] = {}
        for key, value in trial.params.items():
            element = self.space.param(key).element
            if isinstance(element, Categorical):
                raw[key] = self._labels[key].index(value)
            elif isinstance(element, Conditional):
                raw[key] = element.labels.index(value)
            else:
                raw[key] = value
        return raw

    def _external(self, key: str, value: Any) -> Any:
        element = self.space.param(key).element
        if isinstance(element, Categorical):
            return self._labels[key][int(value)]
        if isinstance(element, Conditional):
            return element.labels[int(value)]
        return value


@dataclass(slots=True)
class _Entry:
    """A trial of the in-memory record."""

    raw: dict[str, Any]
    started: datetime.datetime
    state: str = "running"
    value: float | None = None
    error: str | None = None
    user_attrs: dict[str, Any] = field(default_factory=dict)


def _distribution(element: Any) -> optuna.distributions.BaseDistribution:
    from optuna import distributions as d

    if isinstance(element, Float):
        step = None if element.step is None else float(element.step)
        return d.FloatDistribution(float(element.low), float(element.high), log=element.log, step=step)
    if isinstance(element, Int):
        return d.IntDistribution(int(element.low), int(element.high), log=element.log, step=int(element.step))
    if isinstance(element, Categorical):
        return d.CategoricalDistribution(choice_labels(element))
    return d.CategoricalDistribution(list(element.labels))


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value
