"""Running the runs of a comparison: in this process, in local worker processes, or on any executor (Dask).

The driver keeps at most a bounded number of runs in flight and, with a storage,
nothing of a finished run but its name: the runs' trials stream to the storage,
and the comparison is read back from it at the end. Without a storage each run
sends back its small trials table (never its Study). A progress bar over the runs
shows the time left.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unitune.compare._rows import run_frame
from unitune.compare._run import Run, RunResult, run_one
from unitune.exceptions import UnituneWarning

if TYPE_CHECKING:
    import concurrent.futures as cf

    import pandas as pd

    from unitune.compare._store import ComparisonStore

__all__ = ["Results", "Task", "execute"]

logger = logging.getLogger("unitune")

#: Runs in flight on an executor given by the caller (whose size unitune does not know).
EXECUTOR_WINDOW = 256


@dataclass(frozen=True)
class Task:
    """A run, and whether it is one of the extra random-search baseline runs."""

    run: Run
    baseline: bool = False


@dataclass
class Results:
    """What the driver keeps: per run, its rows (without a storage) or nothing; the failed runs."""

    rows: list[pd.DataFrame] = field(default_factory=list)
    baseline_rows: list[pd.DataFrame] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    baseline_failures: list[dict[str, Any]] = field(default_factory=list)


def execute(
    tasks: list[Task], n_jobs: int, executor: cf.Executor | None, progress: bool, store: ComparisonStore | None
) -> Results:
    """Run every task (with a storage: every task whose run is not done yet)."""
    results = Results()
    todo = tasks
    if store is not None:
        done = store.done()
        todo = [t for t in tasks if t.run.name not in done]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc="compare", unit="run", smoothing=0.05)
    spec = None if store is None else store.spec

    def collect(task: Task, result: Callable[[], RunResult]) -> None:
        _collect(task, result, results, store)
        if bar is not None:
            bar.update(1)
            failed = len(results.failures) + len(results.baseline_failures)
            if failed:
                bar.set_postfix(failed=failed, refresh=False)

    try:
        if n_jobs == 1 and executor is None:
            for task in todo:
                collect(task, lambda task=task: run_one(task.run, spec))  # type: ignore[misc]
        else:
            renew = None
            if executor is None:  # ours: a worker that died (memory) breaks it; the next runs get a new one
                from loky import get_reusable_executor

                def renew() -> cf.Executor:
                    fresh: cf.Executor = get_reusable_executor(max_workers=n_jobs, timeout=60)
                    return fresh

                executor = renew()
            window = 4 * n_jobs if renew is not None else EXECUTOR_WINDOW
            for task, future in _bounded(executor, iter(todo), window, spec, renew):
                collect(task, future.result)
    finally:
        if bar is not None:
            bar.close()
    return results


def _bounded(
    executor: cf.Executor,
    tasks: Iterator[Task],
    window: int,
    spec: Any,
    renew: Callable[[], cf.Executor] | None,
) -> Iterator[tuple[Task, cf.Future[RunResult]]]:
    """Submit at most ``window`` runs at a time; yield each with its future as it finishes.

    ``renew`` gives a working executor again when ``executor`` is broken (a worker died).
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    flight: dict[cf.Future[RunResult], Task] = {}
    while True:
        while len(flight) < window:
            task = next(tasks, None)
            if task is None:
                break
            try:
                future = executor.submit(run_one, task.run, spec)
            except Exception:
                if renew is None:
                    raise
                executor = renew()
                future = executor.submit(run_one, task.run, spec)
            flight[future] = task
        if not flight:
            return
        finished, _ = wait(flight, return_when=FIRST_COMPLETED)
        for future in finished:
            yield flight.pop(future), future


def _collect(task: Task, result: Callable[[], RunResult], results: Results, store: ComparisonStore | None) -> None:
    run = task.run
    try:
        got = result()
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        logger.warning("run %s / %s / seed %d failed: %s", run.problem.name, run.backend, run.seed, message)
        failure = {"problem": run.problem.name, "backend": run.backend, "seed": run.seed, "error": message}
        (results.baseline_failures if task.baseline else results.failures).append(failure)
        if store is not None:
            store.failed(run.name, message)
        return
    if got.rows is not None:
        (results.baseline_rows if task.baseline else results.rows).append(run_frame(got.rows))
    if store is not None:
        store.succeeded(run.name)
    if got.continued is not None and got.continued["mode"] == "reseeded":
        warnings.warn(
            f"run {run.name!r} was interrupted and could not be continued exactly: {got.continued['reason']}. It was "
            "continued with the backend reseeded (Study's resume); the comparison's setup records it "
            "('continued_runs')",
            UnituneWarning,
            stacklevel=2,
        )
