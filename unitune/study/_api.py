"""minimize(), maximize() and optimize() (several objectives): build a Study and run an objective in one call."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from unitune._keywords import suggest_keywords
from unitune.study._constraints import ConstraintsLike
from unitune.study._study import Objective, Study
from unitune.study._trial import Trial

if TYPE_CHECKING:
    import concurrent.futures

    import pandas as pd

    from unitune.space import SpaceLike

__all__ = ["maximize", "minimize", "optimize"]


@suggest_keywords
def minimize(
    objective: Objective,
    space: SpaceLike,
    *,
    backend: str = "optuna",
    n_trials: int | None = None,
    timeout: float | None = None,
    constraints: ConstraintsLike | None = None,
    seed: int | None = None,
    backend_options: Mapping[str, Any] | None = None,
    storage: Any = None,
    study_name: str | None = None,
    load_if_exists: bool = False,
    warm_start: Study | pd.DataFrame | None = None,
    allow_changes: bool = False,
    pruner: Any = None,
    n_jobs: int = 1,
    executor: concurrent.futures.Executor | None = None,
    catch: type[BaseException] | tuple[type[BaseException], ...] = (),
    callbacks: Sequence[Callable[[Study, Trial], None]] = (),
    progress: bool = False,
) -> Study:
    """Minimize ``objective`` over ``space``; returns the finished :class:`Study`.

    Takes the arguments of :class:`Study` (``backend``, ``constraints``, ``seed``, ``storage``, ``pruner``,
    ...) and of :meth:`Study.optimize` (``n_trials``, ``timeout``, ``n_jobs``, ...). With a
    ``storage``, ``n_trials`` is the total the stored study should reach, across
    every worker that runs it: re-running the same command after a crash finishes
    it, and N processes running it share the work (see ``docs/many-workers.md``).

    Example:
        >>> import unitune as ut
        >>> study = ut.minimize(lambda c: abs(c["n"] - 2), {"n": ut.Int(0, 5)},
        ...                     backend="hyperopt", n_trials=15, seed=0)
        >>> study.best_params
        {'n': 2}
    """
    study = Study(
        space,
        backend=backend,
        direction="minimize",
        constraints=constraints,
        seed=seed,
        backend_options=backend_options,
        storage=storage,
        study_name=study_name,
        load_if_exists=load_if_exists,
        warm_start=warm_start,
        allow_changes=allow_changes,
        pruner=pruner,
    )
    return _optimize(study, objective, n_trials, timeout, n_jobs, executor, catch, callbacks, progress)


@suggest_keywords
def maximize(
    objective: Objective,
    space: SpaceLike,
    *,
    backend: str = "optuna",
    n_trials: int | None = None,
    timeout: float | None = None,
    constraints: ConstraintsLike | None = None,
    seed: int | None = None,
    backend_options: Mapping[str, Any] | None = None,
    storage: Any = None,
    study_name: str | None = None,
    load_if_exists: bool = False,
    warm_start: Study | pd.DataFrame | None = None,
    allow_changes: bool = False,
    pruner: Any = None,
    n_jobs: int = 1,
    executor: concurrent.futures.Executor | None = None,
    catch: type[BaseException] | tuple[type[BaseException], ...] = (),
    callbacks: Sequence[Callable[[Study, Trial], None]] = (),
    progress: bool = False,
) -> Study:
    """Maximize ``objective`` over ``space``; the arguments are those of :func:`minimize`.

    Example:
        >>> import unitune as ut
        >>> ut.maximize(lambda c: -abs(c["n"] - 2), {"n": ut.Int(0, 5)},
        ...             backend="optuna:random", n_trials=15, seed=0).best_value
        0.0
    """
    study = Study(
        space,
        backend=backend,
        direction="maximize",
        constraints=constraints,
        seed=seed,
        backend_options=backend_options,
        storage=storage,
        study_name=study_name,
        load_if_exists=load_if_exists,
        warm_start=warm_start,
        allow_changes=allow_changes,
        pruner=pruner,
    )
    return _optimize(study, objective, n_trials, timeout, n_jobs, executor, catch, callbacks, progress)


@suggest_keywords
def optimize(
    objective: Objective,
    space: SpaceLike,
    *,
    directions: Sequence[str],
    objectives: Sequence[str] | None = None,
    backend: str = "optuna",
    n_trials: int | None = None,
    timeout: float | None = None,
    constraints: ConstraintsLike | None = None,
    seed: int | None = None,
    backend_options: Mapping[str, Any] | None = None,
    storage: Any = None,
    study_name: str | None = None,
    load_if_exists: bool = False,
    warm_start: Study | pd.DataFrame | None = None,
    allow_changes: bool = False,
    n_jobs: int = 1,
    executor: concurrent.futures.Executor | None = None,
    catch: type[BaseException] | tuple[type[BaseException], ...] = (),
    callbacks: Sequence[Callable[[Study, Trial], None]] = (),
    progress: bool = False,
) -> Study:
    """Optimize several objectives at once (one direction each); returns the finished :class:`Study`.

    The objective returns one number per direction (a sequence), or a dict holding the names
    given by ``objectives``. ``study.best_trials`` is the Pareto front. The other arguments are
    those of :func:`minimize`.

    Example:
        >>> import unitune as ut
        >>> study = ut.optimize(lambda c: (c["x"], (c["x"] - 1) ** 2), {"x": ut.Float(0, 2)},
        ...                     directions=["minimize", "minimize"], backend="optuna:random", n_trials=20, seed=0)
        >>> front = study.best_trials  # the Pareto front: every trial is matched or beaten by one of them
        >>> all(any(f.values[0] <= t.values[0] and f.values[1] <= t.values[1] for f in front) for t in study.trials)
        True
    """
    study = Study(
        space,
        backend=backend,
        directions=directions,
        objectives=objectives,
        constraints=constraints,
        seed=seed,
        backend_options=backend_options,
        storage=storage,
        study_name=study_name,
        load_if_exists=load_if_exists,
        warm_start=warm_start,
        allow_changes=allow_changes,
    )
    return _optimize(study, objective, n_trials, timeout, n_jobs, executor, catch, callbacks, progress)


def _optimize(
    study: Study,
    objective: Objective,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    executor: concurrent.futures.Executor | None,
    catch: type[BaseException] | tuple[type[BaseException], ...],
    callbacks: Sequence[Callable[[Study, Trial], None]],
    progress: bool,
) -> Study:
    sync = study._sync
    if sync is not None:  # a stored study: n_trials is its total, across workers (study/_sync.py)
        sync.total = n_trials
    try:
        return study.optimize(
            objective,
            n_trials,
            timeout=timeout,
            n_jobs=n_jobs,
            executor=executor,
            catch=catch,
            callbacks=callbacks,
            progress=progress,
        )
    finally:
        if sync is not None:
            sync.total = None
