"""Every use of Optuna's private API or version-specific behaviour, in one place.

Each entry names the Optuna versions it was checked on; ``tests/test_compat.py``
has a test per entry that fails, naming the installed Optuna version, when the
internal changes.

* :func:`tell_without_copy`: ``optuna.study._tell._tell_with_warning`` is what
  ``Study.optimize`` calls to finish a trial. The public ``Study.tell`` calls
  it too, then deep-copies the trial it returns, which unitune never reads.
  Checked on Optuna 4.0-5.0; falls back to the public ``Study.tell``.
* :func:`qmc_samples_categoricals`: ``QMCSampler`` samples categorical
  parameters itself from Optuna 5 on (before, with its independent sampler).
  Not a private API, a change of behaviour between versions; read from the
  installed version.
* :func:`distribution_conflict`: ``optuna.distributions.check_distribution_compatibility``,
  the rule Optuna's storages apply when a parameter is recorded again in a study
  (same kind, same log scale, same choices); documented as not meant for users.
  Checked on Optuna 4.0-5.0.
* :data:`STORAGE_LOGGERS`: the names of the loggers of Optuna's storage modules,
  which announce every study they create at INFO ("A new study created ..."),
  silenced for unitune's own calls only (:func:`unitune._quiet.quiet`). Module
  paths, so private. Checked on Optuna 4.0-5.0.
* :func:`heartbeat_interval`: ``optuna.storages._heartbeat.is_heartbeat_enabled``
  (a private module) says whether a storage records heartbeats; the interval
  is its public ``get_heartbeat_interval()``, the grace period the attribute
  ``grace_period`` of ``RDBStorage`` (behind ``_CachedStorage._backend``).
  Checked on Optuna 4.0-5.0.
* :func:`retry_callback` and :func:`rdb_with_heartbeat`: the retry of stale
  trials is ``RetryHeartbeatStaleTrialCallback`` and ``RDBStorage``'s keyword
  ``heartbeat_stale_trial_callback`` from Optuna 4.9 on, ``RetryFailedTrialCallback``
  and ``failed_trial_callback`` before. Both experimental (their warning is
  silenced locally). Checked on Optuna 4.0-5.0.
* :func:`journal_with_heartbeat`: a ``JournalStorage`` that also implements
  ``optuna.storages._heartbeat.BaseHeartbeat`` (private module; its abstract
  ``_get_stale_trial_ids`` is private too), so that ``fail_stale_trials`` and
  the retry callback work on a journal file as on an RDB. Optuna's journal has
  no heartbeat table: the heartbeat is a trial system attribute holding the
  writer's clock (``time.time()``). Checked on Optuna 4.0-5.0.
* :data:`CONSTRAINTS_KEY`, :func:`constraint_attrs`, :func:`trial_constraints`: the
  trial system attribute ``"constraints"`` (a list of floats) where Optuna keeps
  constraint values, the format ``constraints_func`` writes
  (``optuna.samplers._base._process_constraints_after_trial``) and every Optuna
  since 3.0 reads (Optuna 5 also reads ``"constraints:<name>"`` keys, and
  ``FrozenTrial.constraints`` became public there). The record writes it so that
  Optuna's tools (``best_trials``, ``plot_pareto_front``, the dashboard) see
  feasibility, and adapters add resumed trials with it. Checked on Optuna 4.5 and 5.0.
* :func:`tells_constraints_by_trial`: Optuna 5 has the public ``Trial.set_constraint``
  and its samplers read a trial's constraints whatever set them; before, a sampler
  used constraints only through its ``constraints_func`` (deprecated in Optuna 5).
  A change of API between versions, read from the installed one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

__all__ = [
    "CHECKED",
    "CONSTRAINTS_KEY",
    "HEARTBEAT_KEY",
    "STORAGE_LOGGERS",
    "constraint_attrs",
    "distribution_conflict",
    "heartbeat_interval",
    "journal_with_heartbeat",
    "qmc_samples_categoricals",
    "rdb_with_heartbeat",
    "retry_callback",
    "tell_without_copy",
    "tells_constraints_by_trial",
    "trial_constraints",
]

#: Optuna versions the entries above were checked on.
CHECKED = "4.0-5.0"

#: Loggers of Optuna's storages (in memory, RDB, journal) and of the RDB's schema migrations.
STORAGE_LOGGERS = (
    "optuna.storages._in_memory",
    "optuna.storages._rdb.storage",
    "optuna.storages.journal._storage",
    "alembic.runtime.migration",
)


@functools.cache
def _private_tell() -> Callable[..., Any] | None:
    try:
        from optuna.study._tell import _tell_with_warning
    except ImportError:  # a future Optuna without it: the public tell (tests/test_compat.py fails first)
        return None
    return _tell_with_warning


def tell_without_copy(
    study: optuna.Study,
    trial: optuna.Trial,
    values: Sequence[float] | None,
    state: optuna.trial.TrialState,
) -> None:
    """Finish ``trial`` as ``Study.tell`` does, without the deep copy of the trial it returns."""
    tell = _private_tell()
    if tell is None:
        study.tell(trial, values, state=state)
    else:
        tell(study, trial, values, state=state, suppress_warning=True)


@functools.cache
def qmc_samples_categoricals() -> bool:
    """Whether ``QMCSampler`` samples categoricals itself (Optuna >= 5) rather than independently."""
    import optuna
    from packaging.version import Version

    return Version(optuna.__version__) >= Version("5")


def distribution_conflict(
    old: optuna.distributions.BaseDistribution, new: optuna.distributions.BaseDistribution
) -> str | None:
    """Why Optuna's storage refuses to record ``new`` where ``old`` was recorded (None: it accepts it)."""
    from optuna.distributions import check_distribution_compatibility

    try:
        check_distribution_compatibility(old, new)
    except ValueError as error:
        return str(error)
    return None


#: The trial system attribute holding a journal trial's last heartbeat (seconds since the epoch).
HEARTBEAT_KEY = "unitune:heartbeat"


def heartbeat_interval(storage: optuna.storages.BaseStorage) -> tuple[int, int] | None:
    """The storage's heartbeat interval and grace period in seconds, or None when it records no heartbeats.

    The grace period is the ``grace_period`` of the RDB storage (behind Optuna's cache,
    ``_CachedStorage._backend``) or of the journal storage; None there means twice the interval.
    """
    from optuna.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled

    if not is_heartbeat_enabled(storage):
        return None
    assert isinstance(storage, BaseHeartbeat)
    interval = storage.get_heartbeat_interval()
    assert interval is not None
    owner = storage if hasattr(storage, "grace_period") else getattr(storage, "_backend", storage)
    grace = getattr(owner, "grace_period", None)
    return interval, int(grace or 2 * interval)


def retry_callback(max_retry: int | None) -> Callable[[optuna.Study, optuna.trial.FrozenTrial], None]:
    """Optuna's callback that re-creates a stale trial as WAITING (at most ``max_retry`` times per trial)."""
    import warnings

    import optuna

    cls = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None) or optuna.storages.RetryFailedTrialCallback
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        callback: Callable[[optuna.Study, optuna.trial.FrozenTrial], None] = cls(max_retry=max_retry)
    return callback


def rdb_with_heartbeat(
    url: str, interval: int, grace: int | None, callback: Callable[..., None] | None
) -> optuna.storages.RDBStorage:
    """``RDBStorage(url)`` recording heartbeats every ``interval`` s, failing trials silent for ``grace`` s."""
    import inspect
    import warnings

    import optuna

    name = "heartbeat_stale_trial_callback"
    if name not in inspect.signature(optuna.storages.RDBStorage).parameters:  # Optuna < 4.9
        name = "failed_trial_callback"
    kwargs: dict[str, Any] = {"heartbeat_interval": interval, "grace_period": grace, name: callback}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(url, **kwargs)


def journal_with_heartbeat(
    path: str, interval: int, grace: int | None, callback: Callable[..., None] | None
) -> optuna.storages.BaseStorage:
    """A journal-file storage whose running trials record heartbeats (see the module docstring)."""
    from optuna.storages.journal import JournalFileBackend

    cls = _journal_class()
    storage: optuna.storages.BaseStorage = cls(JournalFileBackend(path), interval, grace, callback)
    return storage


def _journal_class() -> type[Any]:
    cls = globals().get("_HeartbeatJournalStorage")
    if cls is not None:
        return cls  # type: ignore[no-any-return]
    import time

    from optuna.storages._heartbeat import BaseHeartbeat
    from optuna.storages.journal import JournalStorage
    from optuna.trial import TrialState

    class _HeartbeatJournalStorage(JournalStorage, BaseHeartbeat):
        def __init__(self, backend: Any, interval: int, grace: int | None, callback: Any) -> None:
            super().__init__(backend)
            self.heartbeat_interval = interval
            self.grace_period = grace
            self.heartbeat_stale_trial_callback = callback

        def record_heartbeat(self, trial_id: int) -> None:
            self.set_trial_system_attr(trial_id, HEARTBEAT_KEY, time.time())

        def _get_stale_trial_ids(self, study_id: int) -> list[int]:
            grace = self.grace_period or 2 * self.heartbeat_interval
            now = time.time()
            running = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,))
            return [
                t._trial_id
                for t in running
                if HEARTBEAT_KEY in t.system_attrs and now - float(t.system_attrs[HEARTBEAT_KEY]) > grace
            ]

        def get_heartbeat_interval(self) -> int | None:
            return self.heartbeat_interval

        def get_heartbeat_stale_trial_callback(self) -> Any:
            return self.heartbeat_stale_trial_callback

        def get_failed_trial_callback(self) -> Any:  # its name before Optuna 4.9
            return self.heartbeat_stale_trial_callback

    _HeartbeatJournalStorage.__module__ = __name__
    _HeartbeatJournalStorage.__qualname__ = "_HeartbeatJournalStorage"
    globals()["_HeartbeatJournalStorage"] = _HeartbeatJournalStorage
    return _HeartbeatJournalStorage


def __getattr__(name: str) -> Any:
    """Let pickle find the lazily built ``_HeartbeatJournalStorage``."""
    if name == "_HeartbeatJournalStorage":
        return _journal_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The trial system attribute holding its constraint values (a list), as ``constraints_func`` records them.
CONSTRAINTS_KEY = "constraints"


def constraint_attrs(values: Sequence[float]) -> dict[str, list[float]]:
    """The system attributes that record a trial's constraint values where Optuna reads them."""
    return {CONSTRAINTS_KEY: [float(v) for v in values]}


def trial_constraints(trial: optuna.trial.FrozenTrial) -> tuple[float, ...] | None:
    """The constraint values recorded for a trial, in order (None: none recorded)."""
    public = getattr(trial, "constraints", None)  # Optuna >= 5: a dict, names in the order they were set
    if isinstance(public, dict):
        return tuple(float(v) for v in public.values()) if public else None
    stored = trial.system_attrs.get(CONSTRAINTS_KEY)
    return None if stored is None else tuple(float(v) for v in stored)


@functools.cache
def tells_constraints_by_trial() -> bool:
    """Whether ``optuna.Trial.set_constraint`` exists (Optuna >= 5): samplers read constraints without a function."""
    import optuna

    return hasattr(optuna.trial.Trial, "set_constraint")
