"""The record of a study: an Optuna study, whatever the backend.

Every trial unitune runs is written to an Optuna storage — in memory by
default, or durable (``sqlite:///runs.db``, PostgreSQL, a journal file) — so
``optuna.load_study``, optuna-dashboard, ``optuna.visualization`` and Optuna's
pruners read Hyperopt and scikit-optimize runs as well as Optuna's. A trial
enters the record as RUNNING when it is asked, gets its intermediate values as
they are reported, and is finished when it is told.

Two implementations share one protocol, :class:`Record`:
:class:`StorageRecord` writes through an Optuna storage; the default
:class:`~unitune.study._memory.MemoryRecord` keeps plain Python objects and
becomes a live in-memory Optuna study the first time one is needed (a pruner,
``study.optuna_study``), then stays in step with every later trial.

Parameters are recorded under their unique key with the Optuna distribution of
their primitive. Choices that Optuna cannot store (estimators, tuples, mixed
types) are recorded as readable labels ``"<index>: <repr>"``, never pickled.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from unitune._quiet import quiet, quiet_tqdm_auto
from unitune.adapters import TrialState
from unitune.adapters._optuna_compat import STORAGE_LOGGERS, constraint_attrs
from unitune.exceptions import StudyError

if TYPE_CHECKING:
    import optuna

    from unitune.space import Primitive, Space

__all__ = ["Record", "StorageRecord", "choice_labels", "label_index", "open_storage"]

_LABEL_MAX = 80
_ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+")  # a memory address: another in every run
_VALUED = (TrialState.COMPLETE, TrialState.PRUNED)  # states whose trials have values in an Optuna record


class Record(Protocol):
    """What a study needs from its record (see the module docstring)."""

    study_name: str
    loaded: bool  # True when an existing stored study was opened

    def start(self, raw: Mapping[str, Any], started: datetime.datetime | None = None) -> tuple[int, int]:
        """Record a RUNNING trial with these raw parameters; returns ``(trial_id, number)``."""
        ...

    def report(self, trial_id: int, step: int, value: float) -> None:
        """Record an intermediate value of a running trial."""
        ...

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
        """Finish a recorded trial (``values`` as the objective returned them, and constraint values, if complete)."""
        ...

    def trials(self) -> list[optuna.trial.FrozenTrial]:
        """Every trial of a stored record (an in-memory record is never loaded: it starts empty)."""
        ...

    def raw_of(self, trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
        """The raw assignment of a recorded trial."""
        ...

    def trial_id(self, number: int) -> int:
        """The storage's id of the recorded trial with this number."""
        ...

    def stored_directions(self) -> list[str]:
        """The directions the stored study was created with (``"minimize"``/``"maximize"``)."""
        ...

    def conflicts(self) -> list[str]:
        """Parameters the stored study recorded in a way Optuna's storage cannot record them now."""
        ...

    def stored_attrs(self) -> dict[str, Any]:
        """The study attributes unitune stored (backend, seed, space, signature), without their prefix."""
        ...

    def set_attrs(self, attrs: Mapping[str, Any]) -> None:
        """Store study attributes (replacing those of the same name)."""
        ...

    def optuna_study(self) -> optuna.Study:
        """The record as a live ``optuna.Study`` (the same object on every call)."""
        ...

    def frozen_trial(self, trial_id: int) -> optuna.trial.FrozenTrial:
        """The recorded trial as Optuna's pruners read it (its storage's ``get_trial``)."""
        ...


def choice_labels(prim: Primitive) -> list[Any]:
    """What the record stores for each option of a choice: the option when Optuna can, else ``"i: repr"``.

    Example:
        >>> from unitune import Categorical
        >>> choice_labels(Categorical(["a", None]).primitive())
        ['a', None]
        >>> choice_labels(Categorical([(1, 2), 3]).primitive())
        ['0: (1, 2)', '1: 3']
    """
    options = prim.options
    kinds = {type(c) for c in options if c is not None}
    nan = any(isinstance(c, float) and math.isnan(c) for c in options)
    if len(kinds) <= 1 and kinds <= {str, int, float, bool} and not nan:
        return list(options)
    return [f"{i}: {_short(c)}" for i, c in enumerate(options)]


def label_index(labels: Sequence[Any], value: Any, options: Sequence[Any] = ()) -> int:
    """The index of a recorded choice: its label, or the index a ``"i: repr"`` label starts with.

    A label's ``repr`` part may differ between runs (a function's memory address), so the
    index is read. A missing value (None, NaN) is the option None or NaN when there is one.

    Raises:
        ValueError: if ``value`` is no label of these choices.

    Example:
        >>> label_index(["0: <function relu at 0x7f01>", "1: 3"], "0: <function relu at 0x7f99>")
        0
    """
    if value in labels:
        return list(labels).index(value)
    if isinstance(value, str):
        head, sep, _ = value.partition(": ")
        if sep and head.isdigit() and int(head) < len(labels) and str(labels[int(head)]).startswith(head + ": "):
            return int(head)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        for i, option in enumerate(options):
            if option is None or (isinstance(option, float) and math.isnan(option)):
                return i
    raise ValueError(f"{value!r} is not one of the recorded choices {list(labels)!r}")


def _same_index(stored: Any, label: Any) -> bool:
    """Whether two ``"i: repr"`` labels name the same index (or two labels are equal)."""
    if stored == label:
        return True
    a, b = str(stored).partition(": "), str(label).partition(": ")
    return bool(a[1] and b[1] and a[0].isdigit() and a[0] == b[0])


def _short(value: Any) -> str:
    text = _ADDRESS.sub("", " ".join(repr(value).split()))
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 3] + "..."


def open_storage(storage: Any) -> optuna.storages.BaseStorage:
    """An Optuna storage from None (memory), a URL, a journal-file path or a storage object."""
    quiet_tqdm_auto()
    import optuna

    if storage is None:
        return optuna.storages.InMemoryStorage()
    if isinstance(storage, str) and "://" not in storage:
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        return JournalStorage(JournalFileBackend(storage))
    with quiet(*STORAGE_LOGGERS):
        return optuna.storages.get_storage(storage)


class StorageRecord:
    """A record written through an Optuna storage.

    Args:
        space: The search space (parameters are recorded under their keys).
        storage: An Optuna storage URL, a journal-file path or a storage object.
        study_name: Name of the study in the storage (None: a fresh unique name).
        load_if_exists: Continue a study of that name instead of failing.
        directions: ``"minimize"``/``"maximize"`` per objective; values are recorded as returned.
        attrs: Study-level user attributes (backend, seed, space) to store, prefixed ``unitune.``;
            ``attrs["objectives"]`` (names of several objectives) also become Optuna's metric names.
    """

    def __init__(
        self,
        space: Space,
        *,
        storage: Any,
        study_name: str | None = None,
        load_if_exists: bool = False,
        directions: Sequence[str] = ("minimize",),
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        quiet_tqdm_auto()
        import optuna

        from unitune.adapters._optuna_space import distribution

        self.space = space
        self._labels = {p.key: choice_labels(p.primitive) for p in space.params if p.primitive.kind == "choice"}
        self._dists = {p.key: distribution(p.primitive, self._labels.get(p.key)) for p in space.params}
        if isinstance(storage, str):  # many workers may share it: heartbeats (see shared_storage)
            from unitune.study._shared import shared_storage

            with quiet(*STORAGE_LOGGERS):
                storage = shared_storage(storage)
        self.storage = open_storage(storage)
        self._states = {
            TrialState.COMPLETE: optuna.trial.TrialState.COMPLETE,
            TrialState.FAILED: optuna.trial.TrialState.FAIL,
            TrialState.PRUNED: optuna.trial.TrialState.PRUNED,
        }
        native = [optuna.study.StudyDirection[d.upper()] for d in directions]
        self.loaded = False
        with quiet(*STORAGE_LOGGERS):
            try:
                self.study_id = self.storage.create_new_study(native, study_name)
            except optuna.exceptions.DuplicatedStudyError:
                self.study_id = self.storage.get_study_id_from_name(study_name)  # type: ignore[arg-type]
                if not load_if_exists:
                    count = len(self.storage.get_all_trials(self.study_id, deepcopy=False))
                    raise StudyError(
                        f"the storage already holds a study named {study_name!r}, with {count} trial(s). "
                        "Fix: pass load_if_exists=True to continue it, or choose another study_name"
                    ) from None
                self.loaded = True
        self.study_name: str = self.storage.get_study_name_from_id(self.study_id)
        self._stored: dict[str, optuna.distributions.BaseDistribution] = {}
        if self.loaded:
            self._adopt_stored_labels()
        self._study: optuna.Study | None = None
        if not self.loaded:
            self.set_attrs(attrs or {})
            names = (attrs or {}).get("objectives")
            if names and len(names) == len(native):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                    self.optuna_study().set_metric_names(list(names))  # plots and the dashboard name the axes

    def optuna_study(self) -> optuna.Study:
        """The record as a live ``optuna.Study``, built once: it reads the storage on every access."""
        if self._study is None:
            import optuna

            self._study = optuna.Study(study_name=self.study_name, storage=self.storage)
        return self._study

    def frozen_trial(self, trial_id: int) -> optuna.trial.FrozenTrial:
        """The recorded trial, read from the storage (``BaseStorage.get_trial``)."""
        return self.storage.get_trial(trial_id)

    def start(
        self,
        raw: Mapping[str, Any],
        started: datetime.datetime | None = None,
        *,
        system_attrs: Mapping[str, Any] | None = None,
    ) -> tuple[int, int]:
        """Record a RUNNING trial with these raw parameters; returns ``(trial_id, number)``."""
        from optuna.trial import FrozenTrial
        from optuna.trial import TrialState as OptunaState

        params = {key: self._external(key, value) for key, value in raw.items()}
        template = FrozenTrial(
            number=-1,
            state=OptunaState.RUNNING,
            value=None,
            datetime_start=started or datetime.datetime.now(),
            datetime_complete=None,
            params=params,
            distributions={key: self._dists[key] for key in params},
            user_attrs={},
            system_attrs=dict(system_attrs or {}),
            intermediate_values={},
            trial_id=-1,
        )
        trial_id = self.storage.create_new_trial(self.study_id, template_trial=template)
        return trial_id, self.storage.get_trial_number_from_id(trial_id)

    def set_params(self, trial_id: int, raw: Mapping[str, Any]) -> None:
        """Record the raw parameters of a trial started without them."""
        for key, value in raw.items():
            dist = self._dists[key]
            self.storage.set_trial_param(trial_id, key, dist.to_internal_repr(self._external(key, value)), dist)

    def report(self, trial_id: int, step: int, value: float) -> None:
        """Record an intermediate value (what ``optuna.Trial.report`` writes)."""
        self.storage.set_trial_intermediate_value(trial_id, step, value)

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
        """Finish a recorded trial: COMPLETE with ``values`` (and constraint values), FAIL with ``error``, or PRUNED.

        A pruned trial's ``values`` are its last reported value, as Optuna records it.
        """
        for key, attr in (user_attrs or {}).items():
            self.storage.set_trial_user_attr(trial_id, key, _jsonable(attr))
        if constraints is not None:  # where Optuna keeps them: best_trials, plots and the dashboard see feasibility
            for key, attr in constraint_attrs(constraints).items():
                self.storage.set_trial_system_attr(trial_id, key, attr)
        if error is not None:
            self.storage.set_trial_system_attr(trial_id, "fail_reason", error)
        done = list(values) if state in _VALUED and values is not None else None
        self.storage.set_trial_state_values(trial_id, self._states[state], done)

    def trials(self) -> list[optuna.trial.FrozenTrial]:
        """Every trial in the storage's study."""
        return self.storage.get_all_trials(self.study_id, deepcopy=False)

    def raw_of(self, trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
        """The raw assignment of a recorded trial (labels back to indices)."""
        raw: dict[str, Any] = {}
        for key, value in trial.params.items():
            labels = self._labels.get(key)
            raw[key] = value if labels is None else label_index(labels, value)
        return raw

    def trial_id(self, number: int) -> int:
        """The storage's id of the trial with this number."""
        return self.storage.get_trial_id_from_study_id_trial_number(self.study_id, number)

    def _adopt_stored_labels(self) -> None:
        """Record choices with the labels already stored when only their ``repr`` part differs.

        A label ``"i: repr"`` may change between runs (an object's repr); the index does not,
        and Optuna's storage accepts a categorical parameter only with the choices it first had.
        """
        for trial in self.trials():
            for key, dist in trial.distributions.items():
                self._stored.setdefault(key, dist)
        for key, labels in self._labels.items():
            old = getattr(self._stored.get(key), "choices", None)
            if (
                old is not None
                and len(old) == len(labels)
                and all(_same_index(a, b) for a, b in zip(old, labels, strict=True))
            ):
                self._labels[key] = list(old)
                self._dists[key] = self._stored[key]

    def conflicts(self) -> list[str]:
        """Parameters recorded in a way Optuna's storage refuses to record them now (kind, log scale, choices)."""
        from unitune.adapters._optuna_compat import distribution_conflict

        out = []
        for key, old in self._stored.items():
            problem = None if key not in self._dists else distribution_conflict(old, self._dists[key])
            if problem:
                out.append(f"parameter {key!r}: {problem.rstrip('.')} (recorded as {old}, now {self._dists[key]})")
        return out

    def stored_directions(self) -> list[str]:
        """The directions the stored study was created with."""
        return [d.name.lower() for d in self.storage.get_study_directions(self.study_id)]

    def stored_attrs(self) -> dict[str, Any]:
        """The study attributes unitune stored, without their ``unitune.`` prefix."""
        attrs = self.storage.get_study_user_attrs(self.study_id)
        return {k[len("unitune.") :]: v for k, v in attrs.items() if k.startswith("unitune.")}

    def set_attrs(self, attrs: Mapping[str, Any]) -> None:
        """Store study attributes, prefixed ``unitune.``."""
        for key, value in attrs.items():
            self.storage.set_study_user_attr(self.study_id, f"unitune.{key}", _jsonable(value))

    def _external(self, key: str, value: Any) -> Any:
        labels = self._labels.get(key)
        return value if labels is None else labels[int(value)]


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value
