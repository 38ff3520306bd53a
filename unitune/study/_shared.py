"""shared_storage(): an Optuna storage for many workers, with heartbeats and the retry of abandoned trials."""

from __future__ import annotations

import numbers
import time
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ArgumentTypeError, argument_error

if TYPE_CHECKING:
    import optuna

__all__ = ["HEARTBEAT_INTERVAL", "shared_storage"]

#: Seconds between two heartbeats of a running trial, for a storage opened from a URL or a path.
HEARTBEAT_INTERVAL = 60
_ATTEMPTS = 5  # to open a database whose tables another worker is creating


def _check(name: str, value: Any, low: int, example: str, *, none: bool) -> None:
    """Refuse a non-int or an int below ``low`` for ``name``, naming the rule and an example."""
    if value is None and none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        rule = "must be an int" + (" or None" if none else "")
        raise argument_error(name, rule, value, f"pass e.g. {name}={example}", kind=ArgumentTypeError)
    if value < low:
        raise argument_error(name, f"must be >= {low}", value, f"pass e.g. {name}={example}")


def shared_storage(
    storage: str,
    *,
    heartbeat_interval: int = HEARTBEAT_INTERVAL,
    grace_period: int | None = None,
    max_retry: int | None = 1,
) -> optuna.storages.BaseStorage:
    """An Optuna storage for several workers: running trials record heartbeats, abandoned ones run again.

    A study's ``storage=`` given as a URL or a path is opened this way with the
    defaults; call it to choose other values. A trial whose worker stops recording
    heartbeats for ``grace_period`` seconds is failed by the next worker that asks,
    and re-created as WAITING with the same parameters (Optuna's
    ``RetryHeartbeatStaleTrialCallback``); the next worker to ask runs it first.

    Args:
        storage: A database URL (``"postgresql://user@host/db"``, ``"sqlite:///runs.db"``:
            Optuna's ``RDBStorage`` and its heartbeat table) or the path of a journal file
            (the heartbeat is a trial attribute holding the worker's clock: keep the
            machines' clocks in step).
        heartbeat_interval: Seconds between two heartbeats of a running trial.
        grace_period: Seconds without heartbeat after which a trial is abandoned
            (None: twice the interval).
        max_retry: How many times one trial is re-created (None: without limit;
            0: abandoned trials stay failed).

    Returns:
        The storage, to pass as ``storage=`` (or to ``optuna.load_study``).

    Example:
        >>> import tempfile, os, unitune as ut
        >>> from unitune.study import shared_storage
        >>> path = os.path.join(tempfile.mkdtemp(), "journal.log")
        >>> storage = shared_storage(path, heartbeat_interval=5)
        >>> storage.get_heartbeat_interval()
        5
    """
    from unitune.adapters._optuna_compat import journal_with_heartbeat, rdb_with_heartbeat, retry_callback

    if not isinstance(storage, str):
        raise argument_error(
            "storage",
            "must be a database URL or a journal-file path",
            storage,
            "pass e.g. 'postgresql://user@host/db' (a storage object is used as it is: pass it to the study)",
            kind=ArgumentTypeError,
        )
    _check("heartbeat_interval", heartbeat_interval, 1, "60", none=False)
    _check("grace_period", grace_period, 1, "120", none=True)
    _check("max_retry", max_retry, 0, "3", none=True)
    callback = None if max_retry == 0 else retry_callback(max_retry)
    if "://" not in storage:
        return journal_with_heartbeat(storage, heartbeat_interval, grace_period, callback)
    import random

    from sqlalchemy.exc import SQLAlchemyError

    for attempt in range(_ATTEMPTS):
        try:
            return rdb_with_heartbeat(storage, heartbeat_interval, grace_period, callback)
        except SQLAlchemyError:  # workers starting together on a new database race to create its tables
            if attempt == _ATTEMPTS - 1:
                raise
            time.sleep(0.1 * (attempt + 1) * (1 + random.random()))
    raise AssertionError("unreachable")
