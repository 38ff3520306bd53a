"""The budget and the bookkeeping shared by the sequential and the parallel loop: asks, tells, failures."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ObjectiveError, StudyError
from unitune.study._handle import Pruned
from unitune.study._pruning import is_pruned

if TYPE_CHECKING:
    from unitune.study._study import Study
    from unitune.study._trial import Trial

__all__ = ["Loop", "describe", "is_worker_death"]

logger = logging.getLogger("unitune")


def is_worker_death(error: BaseException) -> bool:
    """Whether ``error`` says that the process running a trial died (not that the trial raised)."""
    return isinstance(error, _worker_deaths())


def _worker_deaths() -> tuple[type[BaseException], ...]:
    """The exception classes executors raise when a worker dies (loky's and Dask's only once they are in use)."""
    import sys
    from concurrent.futures import BrokenExecutor  # loky's TerminatedWorkerError is one too

    classes: list[type[BaseException]] = [BrokenExecutor]
    if "loky" in sys.modules:
        from loky.process_executor import ShutdownExecutorError

        classes.append(ShutdownExecutorError)
    if "distributed" in sys.modules:
        from distributed.scheduler import KilledWorker

        classes.append(KilledWorker)
    return tuple(classes)


def describe(error: BaseException) -> str:
    """How a trial's failure is recorded."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (KeyboardInterrupt)"
    if is_worker_death(error):
        return f"the worker process died while running this trial ({type(error).__name__})"
    return f"{type(error).__name__}: {error}"


class Loop:
    """The budget and the bookkeeping shared by the sequential and the parallel loop."""

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
        self._bar_context: contextlib.AbstractContextManager[Any] | None = None
        if progress:
            from unitune.study._progress import progress_bar

            self._bar_context = progress_bar(n_trials, study.backend)
            self.bar = self._bar_context.__enter__()

    def may_ask(self) -> bool:
        """Whether the budget, the clock and the study allow another trial."""
        if self.study.stop_requested or self.exhausted:
            return False
        if self.n_trials is not None and self.asked >= self.n_trials:
            return False
        return self.deadline is None or time.monotonic() < self.deadline

    def ask(self) -> Trial | None:
        """The next trial, or None when the backend has nothing left (a finished grid)."""
        trials = self.study.ask(1)
        if not trials:
            self.exhausted = True
            return None
        self.asked += 1
        return trials[0]

    def finish(self, trial: Trial, result: Any = None, error: BaseException | None = None) -> None:
        """Tell the outcome; raise if it must stop the study (after recording it).

        A trial that raised ``TrialPruned`` (unitune's or Optuna's) is pruned, never failed, whatever ``catch`` is.
        """
        if (error is not None and is_pruned(error)) or isinstance(result, Pruned):
            self.study.tell(trial, state="pruned")
        elif error is not None:
            self.study.tell(trial, state="failed", error=describe(error))
            logger.debug("trial %d failed with %r", trial.number, trial.params, exc_info=error)
            if not isinstance(error, self.catch) and not is_worker_death(error):
                self._after(trial)
                raise error
            logger.warning("trial %d failed: %s", trial.number, describe(error))
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
        """Close the progress bar (and give logging back)."""
        if self._bar_context is not None:
            self._bar_context.__exit__(None, None, None)
            self._bar_context = None
