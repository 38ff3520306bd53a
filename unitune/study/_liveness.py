"""Which worker runs a trial, whether it is still alive, and its heartbeats.

Every trial a worker records carries the worker's identity as the trial system
attribute ``unitune:worker``: host name, process id, the process's start time
and, on Linux, the boot id and the PID namespace. A worker that opens a stored
study can then tell, for a RUNNING trial recorded on the same machine, whether
the process that ran it is gone (:func:`gone`): it exited, the machine
rebooted, or its process id now belongs to another process. A trial recorded
on another machine, or in another PID namespace, cannot be judged that way: its
liveness is its heartbeat (:class:`Heartbeat`), read by Optuna's
``fail_stale_trials``.

Claims (taking over a trial, popping a WAITING one) are serialized between the
workers of one machine by a lock file (:func:`claim_lock`): SQLite (one machine
by nature) has no row locks, and Optuna's check-then-write on it is not atomic.

Example:
    >>> me = identity()
    >>> gone(me), gone({"host": "another-machine", "pid": 1})
    (False, False)
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import filelock
    import optuna

__all__ = ["WORKER_KEY", "Heartbeat", "claim_lock", "gone", "identity"]

logger = logging.getLogger("unitune")

#: The trial system attribute naming the worker that runs (or ran) the trial.
WORKER_KEY = "unitune:worker"


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _started(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), None where unknown."""
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may hold spaces and parentheses
    return fields[19] if len(fields) > 19 else None


def _pid_namespace() -> str | None:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


@functools.cache
def _machine() -> dict[str, Any]:
    return {"host": socket.gethostname(), "boot": _read("/proc/sys/kernel/random/boot_id"), "ns": _pid_namespace()}


def identity() -> dict[str, Any]:
    """This worker: host, pid, process start time, boot id and PID namespace (None where unknown)."""
    return {**_machine(), "pid": os.getpid(), "started": _started(os.getpid())}


def gone(worker: Mapping[str, Any] | None) -> bool:
    """Whether the worker that recorded a trial is certainly gone (False when it cannot be told).

    It is gone when it ran on this machine (same host name) and the machine has
    rebooted since (another boot id), or when it ran in this PID namespace and its
    process exited or its process id belongs to a process started later.
    """
    if not isinstance(worker, Mapping) or sys.platform == "win32":  # Windows: os.kill(pid, 0) would kill
        return False
    here = _machine()
    if worker.get("host") != here["host"]:
        return False
    if worker.get("boot") and here["boot"] and worker["boot"] != here["boot"]:
        return True
    if worker.get("ns") != here["ns"] or not isinstance(worker.get("pid"), int):
        return False
    pid = int(worker["pid"])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        pass
    started = worker.get("started")
    return started is not None and _started(pid) not in (None, started)


def claim_lock(study_name: str) -> filelock.BaseFileLock:
    """The lock serializing claims on this study between the workers of this machine."""
    import filelock

    digest = hashlib.sha1(study_name.encode()).hexdigest()[:16]
    return filelock.FileLock(os.path.join(tempfile.gettempdir(), f"unitune-{digest}.lock"))


class Heartbeat:
    """Records a heartbeat for each trial this worker runs, every ``interval`` seconds, from one thread.

    Optuna's ``study.optimize`` starts a thread per trial; a worker with ``n_jobs`` trials
    in flight needs one thread for all of them. A new trial's first heartbeat is recorded by
    the thread too (off the ask), unless the caller needs it at once. The thread ends when no
    trial is tracked.

    Args:
        storage: A storage with heartbeats (``record_heartbeat(trial_id)``).
        interval: Seconds between two heartbeats.
    """

    def __init__(self, storage: optuna.storages.BaseStorage, interval: float) -> None:
        self.storage = storage
        self.interval = interval
        self._ids: set[int] = set()
        self._fresh: set[int] = set()  # tracked, not beaten yet
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def _beat(self, trial_id: int) -> None:
        try:
            self.storage.record_heartbeat(trial_id)  # type: ignore[attr-defined]
        except Exception as error:  # the trial finished meanwhile, the database is busy: next time
            logger.debug("heartbeat of trial id %d not recorded: %s", trial_id, error)

    def track(self, trial_id: int, *, now: bool = False) -> None:
        """Record heartbeats of a trial every ``interval`` seconds until :meth:`untrack`.

        Args:
            trial_id: The trial's storage id.
            now: Record the first one before returning (a trial taken over or popped, whose
                last heartbeat is old), else from the thread, at once.
        """
        if now:
            self._beat(trial_id)
        with self._lock:
            self._ids.add(trial_id)
            if not now:
                self._fresh.add(trial_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="unitune-heartbeat", daemon=True)
                self._thread.start()
        self._wake.set()

    def untrack(self, trial_id: int) -> None:
        """Stop the heartbeats of a trial (it finished)."""
        with self._lock:
            self._ids.discard(trial_id)
            self._fresh.discard(trial_id)

    def _run(self) -> None:
        due = time.monotonic()
        while True:
            self._wake.wait(max(0.0, due - time.monotonic()))
            self._wake.clear()
            with self._lock:
                if not self._ids:
                    self._thread = None
                    return
                every = time.monotonic() >= due
                ids = sorted(self._ids if every else self._fresh)
                self._fresh.clear()
            for trial_id in ids:
                self._beat(trial_id)
            if every:
                due = time.monotonic() + self.interval
