"""Running an objective: the sequential loop, the choice of the parallel one, and interrupts.

Ask and tell stay in the calling thread; only the objective runs elsewhere
(:mod:`unitune.study._pool` for executors). The driver uses only the public
:class:`~unitune.Study` calls: ``ask``, ``tell``, ``stop_requested``, ``running``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from unitune.exceptions import StudyInterrupted
from unitune.study._handle import LocalHandle, takes_trial
from unitune.study._loop import Loop

if TYPE_CHECKING:
    import concurrent.futures as cf

    from unitune.study._study import Objective, Study
    from unitune.study._trial import Trial

__all__ = ["run"]

logger = logging.getLogger("unitune")


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
    loop = Loop(study, n_trials, timeout, catch, callbacks, progress)
    with_trial = takes_trial(objective)  # objective(config, trial): it gets a handle to report and prune
    try:
        if n_jobs == 1 and executor is None:
            _sequential(loop, objective, with_trial)
        else:
            from unitune.study._pool import parallel

            parallel(loop, objective, n_jobs, executor, with_trial=with_trial)
    except KeyboardInterrupt as interrupt:  # Ctrl-C anywhere: keep every finished trial, mark the running ones
        running = study.running
        for trial in running:
            study.tell(trial, state="failed", error="interrupted (KeyboardInterrupt)")
        message = (
            f"interrupted: {len(running)} running trial(s) recorded as failed, {len(study.trials)} finished trial(s) "
            "kept in error.study"
        )
        raise StudyInterrupted(study, message) from interrupt
    finally:
        loop.close()


def _sequential(loop: Loop, objective: Objective, with_trial: bool) -> None:
    while loop.may_ask():
        trial = loop.ask()
        if trial is None:
            return
        try:
            config = loop.study.config_for(trial)
            result = objective(config, LocalHandle(trial)) if with_trial else objective(config)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            loop.finish(trial, error=error)
        else:
            loop.finish(trial, result)
