"""The optimization loop: sequential, or parallel through any ``concurrent.futures.Executor``.

Ask and tell stay in the calling thread; only the objective goes to the
executor. A new trial is asked as soon as any running one finishes
(``FIRST_COMPLETED``), so ``k`` trials stay in flight. A worker process that
dies takes its in-flight trials with it; those are run again one at a time,
so the trial that killed the worker fails alone and the others complete.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ObjectiveError, StudyError

if TYPE_CHECKING:
    from unitune.study._study import Objective, Study, Trial

__all__ = ["run"]

logger = logging.getLogger("unitune")

_WORKER_DEATH = (
    "BrokenProcessPool",
    "BrokenExecutor",
    "TerminatedWorkerError",
    "KilledWorker",
    "ShutdownExecutorError",
)


def _call(objective: Callable[[dict[str, Any]], Any], params: dict[str, Any]) -> Any:
    return objective(params)


def _call_pickled(payload: bytes, params: dict[str, Any]) -> Any:
    import cloudpickle

    return cloudpickle.loads(payload)(params)


def _is_worker_death(error: BaseException) -> bool:
    return any(cls.__name__ in _WORKER_DEATH for cls in type(error).__mro__)


def _describe(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (KeyboardInterrupt)"
    if _is_worker_death(error):
        return f"the worker process died while running this trial ({type(error).__name__})"
    return f"{type(error).__name__}: {error}"


class _Loop:
    """State shared by the sequential and the parallel loop."""

    def __init__(
        self,
        study: Study,
        n_trials: int | None,
        timeout: float | None,
        catch: type[BaseException] | tuple[type[BaseException], ...],
        callbacks: Sequence[Callable[[Study, Trial], None]],
        progress: bool,
    ) -> None:
        self.study = study
        self.n_trials = n_trials
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.catch = catch
        self.callbacks = callbacks
        self.asked = 0
        self.exhausted = False
        self.bar: Any = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=n_trials, desc=study.backend, unit="trial")

    def may_ask(self) -> bool:
        if self.study._stop or self.exhausted:
            return False
        if self.n_trials is not None and self.asked >= self.n_trials:
            return False
        return self.deadline is None or time.monotonic() < self.deadline

    def ask(self) -> Trial | None:
        trials = self.study._ask(1)
        if not trials:
            self.exhausted = True
            return None
        self.asked += 1
        return trials[0]

    def finish(self, trial: Trial, result: Any = None, error: BaseException | None = None) -> None:
        """Tell the outcome; raise if it must stop the study (after recording it)."""
        if error is not None:
            self.study.tell(trial, state="failed", error=_describe(error))
            logger.warning("trial %d failed: %s", trial.number, _describe(error))
            if not isinstance(error, self.catch) and not _is_worker_death(error):
                self._after(trial)
                raise error
        else:
            try:
                self.study.tell(trial, result)
            except ObjectiveError as bad:
                self.study.tell(trial, state="failed", error=str(bad))
                raise
            if trial.state == "failed":
                logger.warning("trial %d failed: %s", trial.number, trial.error)
        self._after(trial)

    def _after(self, trial: Trial) -> None:
        for callback in self.callbacks:
            callback(self.study, trial)
        if self.bar is not None:
            self.bar.update(1)
            with contextlib.suppress(StudyError):  # no complete trial yet
                self.bar.set_postfix(best=self.study.best_value, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run(
    study: Study,
    objective: Objective,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    executor: cf.Executor | None,
    catch: type[BaseException] | tuple[type[BaseException], ...],
    callbacks: Sequence[Callable[[Study, Trial], None]],
    progress: bool,
) -> None:
    """Run trials of ``objective`` in ``study`` until the budget, the timeout or ``study.stop()``."""
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive int or -1 (all cores); received {n_jobs!r}")
    loop = _Loop(study, n_trials, timeout, catch, callbacks, progress)
    try:
        if n_jobs == 1 and executor is None:
            _sequential(loop, objective)
        else:
            _parallel(loop, objective, n_jobs, executor)
    except KeyboardInterrupt:  # Ctrl-C anywhere: keep every finished trial, mark the running ones
        running = list(study._running.values())
        for trial in running:
            study.tell(trial, state="failed", error="interrupted (KeyboardInterrupt)")
        logger.warning(
            "interrupted: %d running trials recorded as failed; %d trials kept", len(running), len(study.trials)
        )
    finally:
        loop.close()


def _sequential(loop: _Loop, objective: Objective) -> None:
    while loop.may_ask():
        trial = loop.ask()
        if trial is None:
            return
        try:
            result = objective(trial.params)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            loop.finish(trial, error=error)
        else:
            loop.finish(trial, result)


def _workers(executor: cf.Executor) -> int:
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor: the cluster's threads
    if client is not None and hasattr(client, "nthreads"):
        with contextlib.suppress(Exception):
            return max(1, int(sum(client.nthreads().values())))
    for attr in ("_max_workers", "max_workers"):
        value = getattr(executor, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    return os.cpu_count() or 1


def _local_executor(n_jobs: int, *, fresh: bool = False) -> cf.Executor:
    from loky import get_reusable_executor

    executor: cf.Executor = get_reusable_executor(max_workers=n_jobs, timeout=60, reuse=not fresh)
    return executor


def _parallel(loop: _Loop, objective: Objective, n_jobs: int, executor: cf.Executor | None) -> None:
    own = executor is None
    pool = _local_executor(n_jobs) if executor is None else executor
    k = n_jobs if n_jobs > 1 else _workers(pool)
    submit: Callable[[Trial], cf.Future[Any]]
    if isinstance(pool, cf.ProcessPoolExecutor):  # pickle cannot send lambdas and closures; cloudpickle can
        import cloudpickle

        payload = cloudpickle.dumps(objective)

        def submit(trial: Trial) -> cf.Future[Any]:
            return pool.submit(_call_pickled, payload, trial.params)
    else:

        def submit(trial: Trial) -> cf.Future[Any]:
            return pool.submit(_call, objective, trial.params)

    running: dict[cf.Future[Any], Trial] = {}
    suspects: list[Trial] = []  # in flight when a worker died: run again, one at a time
    retried: set[int] = set()
    try:
        while True:
            limit = 1 if suspects or any(t.number in retried for t in running.values()) else k
            while len(running) < limit:
                if suspects:
                    trial = suspects.pop(0)
                    retried.add(trial.number)
                elif loop.may_ask():
                    next_trial = loop.ask()
                    if next_trial is None:
                        break
                    trial = next_trial
                else:
                    break
                try:
                    try:
                        future = submit(trial)
                    except BaseException as error:  # a worker died since the last wait: a fresh pool
                        if not (own and _is_worker_death(error)):
                            raise
                        pool = _local_executor(n_jobs, fresh=True)
                        future = submit(trial)
                    running[future] = trial
                except BaseException as error:  # the executor itself is broken or shut down
                    loop.study.tell(trial, state="failed", error=_describe(error))
                    raise StudyError(f"the executor cannot run trials any more: {_describe(error)}") from error
            if not running:
                return
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                trial = running.pop(future)
                try:
                    result = future.result()
                except BaseException as error:
                    if _is_worker_death(error) and trial.number not in retried:
                        suspects.append(trial)
                        if own:
                            pool = _local_executor(n_jobs, fresh=True)
                        continue
                    loop.finish(trial, error=error)
                else:
                    loop.finish(trial, result)
    except KeyboardInterrupt:  # keep what already finished; run() marks the rest
        for future, trial in running.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                with contextlib.suppress(Exception):
                    loop.study.tell(trial, future.result())
            else:
                future.cancel()
        raise
    except BaseException:
        for future, trial in running.items():
            future.cancel()
            loop.study.tell(trial, state="failed", error="cancelled: the study stopped on another trial's error")
        raise
