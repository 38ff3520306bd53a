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
    "STORAGE_LOGGERS",
    "constraint_attrs",
    "distribution_conflict",
    "qmc_samples_categoricals",
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
