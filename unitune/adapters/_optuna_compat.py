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
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

__all__ = ["CHECKED", "STORAGE_LOGGERS", "distribution_conflict", "qmc_samples_categoricals", "tell_without_copy"]

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
