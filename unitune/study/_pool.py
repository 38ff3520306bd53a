"""The parallel loop: ``k`` trials in flight on any ``concurrent.futures.Executor``.

A new trial is asked as soon as any running one finishes (``FIRST_COMPLETED``).
A worker process that dies takes its in-flight trials with it: those are
*suspects*, run again one at a time on a fresh pool, so the trial that killed
the worker fails alone and the others complete.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from unitune.exceptions import StudyError
from unitune.study._channel import open_channel
from unitune.study._checks import check_picklable
from unitune.study._handle import Pruned, TrialHandle, call_with_trial
from unitune.study._loop import Loop, describe, is_worker_death

if TYPE_CHECKING:
    from unitune.study._study import Objective
    from unitune.study._trial import Trial

__all__ = ["parallel"]


def _call(objective: Callable[..., Any], params: dict[str, Any], handle: TrialHandle | None = None) -> Any:
    return objective(params) if handle is None else call_with_trial(objective, params, handle)


def _call_pickled(payload: bytes, params: dict[str, Any], handle: TrialHandle | None = None) -> Any:
    import cloudpickle

    return _call(cloudpickle.loads(payload), params, handle)


def _workers(executor: cf.Executor) -> int:
    """Trials to keep in flight on a foreign executor: its worker (or Dask thread) count."""
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor: the cluster's threads
    if client is not None and hasattr(client, "nthreads"):
        with contextlib.suppress(Exception):
            return max(1, int(sum(client.nthreads().values())))
    for attr in ("_max_workers", "max_workers"):
        value = getattr(executor, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    return os.cpu_count() or 1


class _Pool:
    """The executor, how a trial is submitted to it, and its replacement after a worker died."""

    def __init__(self, objective: Objective, n_jobs: int, executor: cf.Executor | None, with_trial: bool) -> None:
        self.own = executor is None
        self.n_jobs = n_jobs
        self.executor = self._local() if executor is None else executor
        self.size = n_jobs if n_jobs > 1 else _workers(self.executor)
        self.objective = objective
        self.payload: bytes | None = None
        if not isinstance(self.executor, cf.ThreadPoolExecutor):  # processes: refuse what cannot travel, now
            check_picklable(objective)
        if isinstance(self.executor, cf.ProcessPoolExecutor):  # pickle cannot send lambdas; cloudpickle can
            import cloudpickle

            self.payload = cloudpickle.dumps(objective)
        # objective(config, trial): reports and pruning questions come back through a channel (study/_channel.py)
        self.channel = open_channel(self.executor) if with_trial else None

    def _local(self, *, fresh: bool = False) -> cf.Executor:
        from loky import get_reusable_executor

        executor: cf.Executor = get_reusable_executor(max_workers=self.n_jobs, timeout=60, reuse=not fresh)
        return executor

    def _send(self, trial: Trial, config: dict[str, Any]) -> cf.Future[Any]:
        handle = None if self.channel is None else self.channel.handle(trial)
        if self.payload is not None:
            return self.executor.submit(_call_pickled, self.payload, config, handle)
        return self.executor.submit(_call, self.objective, config, handle)

    def wait(self, futures: dict[cf.Future[Any], Trial]) -> set[cf.Future[Any]]:
        """The futures done once at least one is (serving the trials' reports meanwhile)."""
        if self.channel is None:
            return cf.wait(futures, return_when=cf.FIRST_COMPLETED)[0]
        return self.channel.wait(futures)

    def done(self, trial: Trial) -> None:
        """``trial`` is over: its later messages are ignored."""
        if self.channel is not None:
            self.channel.release(trial)

    def close(self) -> None:
        """Close the channel of the trials' reports."""
        if self.channel is not None:
            self.channel.close()

    def replace(self) -> None:
        """A fresh local pool after a worker died (a foreign executor is the caller's to manage)."""
        if self.own:
            self.executor = self._local(fresh=True)

    def submit(self, trial: Trial, config: dict[str, Any]) -> cf.Future[Any]:
        """Submit ``trial`` with its config; a worker that died since the last wait gets our pool replaced once."""
        try:
            return self._send(trial, config)
        except BaseException as error:
            if not (self.own and is_worker_death(error)):
                raise
            self.replace()
            return self._send(trial, config)


class _Flight:
    """The trials in flight and the suspects (in flight when a worker died) waiting to run again alone."""

    def __init__(self, loop: Loop, pool: _Pool) -> None:
        self.loop = loop
        self.pool = pool
        self.running: dict[cf.Future[Any], Trial] = {}
        self.suspects: list[Trial] = []
        self.retried: set[int] = set()

    def limit(self) -> int:
        """Trials in flight at once: one while a suspect runs, else the pool's size."""
        alone = self.suspects or any(t.number in self.retried for t in self.running.values())
        return 1 if alone else self.pool.size

    def next_trial(self) -> Trial | None:
        """A suspect to run again, else a new trial if the budget allows."""
        if self.suspects:
            trial = self.suspects.pop(0)
            self.retried.add(trial.number)
            return trial
        return self.loop.ask() if self.loop.may_ask() else None

    def fill(self) -> None:
        """Submit trials until the limit; a broken executor fails the trial and stops the study."""
        while len(self.running) < self.limit():
            trial = self.next_trial()
            if trial is None:
                return
            try:
                self.running[self.pool.submit(trial, self.loop.study.config_for(trial))] = trial
            except BaseException as error:
                self.loop.study.tell(trial, state="failed", error=describe(error))
                raise StudyError(f"the executor cannot run trials any more: {describe(error)}") from error

    def collect(self) -> None:
        """Wait for the first trial to finish and tell every finished one."""
        done = self.pool.wait(self.running)
        for future in done:
            trial = self.running.pop(future)
            self.pool.done(trial)
            try:
                result = future.result()
            except BaseException as error:
                if is_worker_death(error) and trial.number not in self.retried:
                    self.suspects.append(trial)
                    self.pool.replace()
                    continue
                self.loop.finish(trial, error=error)
            else:
                self.loop.finish(trial, result)

    def keep_finished(self) -> None:
        """After Ctrl-C: tell the trials that finished, cancel the rest (the caller marks them)."""
        for future, trial in self.running.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                with contextlib.suppress(Exception):
                    result = future.result()
                    if isinstance(result, Pruned):
                        self.loop.study.tell(trial, state="pruned")
                    else:
                        self.loop.study.tell(trial, result)
            else:
                future.cancel()

    def cancel(self) -> None:
        """After an error that stops the study: cancel and fail every trial in flight."""
        for future, trial in self.running.items():
            future.cancel()
            self.loop.study.tell(trial, state="failed", error="cancelled: the study stopped on another trial's error")


def parallel(
    loop: Loop, objective: Objective, n_jobs: int, executor: cf.Executor | None, *, with_trial: bool = False
) -> None:
    """Run ``loop``'s trials with ``n_jobs`` in flight on ``executor`` (default: local loky processes).

    ``with_trial``: the objective takes ``(config, trial)`` and gets a handle to report and prune.
    """
    pool = _Pool(objective, n_jobs, executor, with_trial)
    flight = _Flight(loop, pool)
    try:
        while True:
            flight.fill()
            if not flight.running:
                return
            flight.collect()
    except KeyboardInterrupt:
        flight.keep_finished()
        raise
    except BaseException:
        flight.cancel()
        raise
    finally:
        pool.close()
