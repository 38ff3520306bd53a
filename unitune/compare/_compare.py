"""compare(): every (problem, backend, seed) run on the same budget, in memory or in a storage."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from unitune._keywords import suggest_keywords
from unitune.compare._comparison import TIMING_COLUMNS, Comparison
from unitune.compare._multi import aim, check_problem
from unitune.exceptions import ArgumentError, ArgumentTypeError, UnituneWarning, argument_error

if TYPE_CHECKING:
    import concurrent.futures as cf

    from unitune.compare._execute import Task
    from unitune.problems import Problem

__all__ = ["TIMING_COLUMNS", "Comparison", "compare"]

logger = logging.getLogger("unitune")


def _as_problems(objective_or_problems: Any, space: Any, direction: str, optimum: float | None) -> list[Problem]:
    from unitune.problems import Problem, get  # here: import unitune stays light

    items = objective_or_problems
    if isinstance(items, (str, Problem)) or callable(items):
        items = [items]
    problems = []
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
        elif isinstance(item, str):
            problems.append(get(item))
        elif callable(item):
            if space is None:
                raise ArgumentError(
                    "compare(objective, space): an objective needs its space; received space=None. Fix: pass space=..."
                )
            name = getattr(item, "__name__", "objective")
            problems.append(Problem(name, space, item, optimum=optimum, direction=direction))
        else:
            raise argument_error(
                "objective_or_problems",
                "must be an objective, a Problem, a problem name or a list of those",
                item,
                "pass e.g. 'branin' or [problem, 'hartmann6']",
                kind=ArgumentTypeError,
            )
    for problem in problems:
        check_problem(problem)
    names = [p.name for p in problems]
    if len(set(names)) != len(names):
        raise argument_error("problem names", "must be distinct", names, "give each Problem its own name")
    return problems


@suggest_keywords
def compare(
    objective_or_problems: Callable[[dict[str, Any]], float] | Problem | str | Iterable[Any],
    space: Any = None,
    *,
    backends: Sequence[str] = ("optuna", "hyperopt", "skopt"),
    n_trials: int = 50,
    seeds: int | Iterable[int] = range(5),
    n_jobs: int = 1,
    executor: cf.Executor | None = None,
    direction: str = "minimize",
    optimum: float | None = None,
    backend_options: Mapping[str, Mapping[str, Any]] | None = None,
    baseline: str | None = "optuna:random",
    progress: bool = False,
    pruner: Any = None,
    storage: Any = None,
) -> Comparison:
    """Run every (problem, backend, seed) with the same budget and collect the results.

    Args:
        objective_or_problems: An objective (with ``space``), a :class:`~unitune.problems.Problem`,
            a problem name such as ``"branin"`` (see :func:`unitune.problems.names`), or a list of those.
        space: The search space of a bare objective.
        backends: Backend strings, e.g. ``["optuna", "hyperopt:tpe", "skopt:gp"]``.
        n_trials: Trials per run.
        seeds: One run per seed and backend (an int ``n`` means seeds ``0 .. n-1``, as ``unitune bench --seeds n``).
        n_jobs: Runs in parallel, in local worker processes.
        executor: Any ``concurrent.futures.Executor`` for the runs (e.g. Dask's).
        direction: Direction of a bare objective.
        optimum: Known optimum of a bare objective (enables regret).
        backend_options: ``{backend: options}`` passed to the native algorithms.
        baseline: The random search behind Bayesmark's normalized score: a backend string, run
            with the same seeds and budget (and its ``backend_options``) unless it is one of
            ``backends``, whose runs are then reused. ``None``: no extra runs and no normalized score.
        progress: Show a progress bar over the runs, with the time left.
        pruner: Prune the runs' trials: a pruner (a short name such as ``"asha"`` or an Optuna
            pruner object), or several — a list (None for no pruning) or ``{label: pruner}`` —
            each run with every backend. A pruned run's backend is labelled ``"backend+pruner"``
            (e.g. ``"hyperopt:tpe+asha"``); ``pruner=[None, "asha"]`` compares each backend with
            and without pruning. The trials table counts steps (``steps``, ``cumulative_steps``)
            and the summary says how many steps pruning saved and what it cost (docs/pruning.md).
            The baseline runs are not pruned.
        storage: Where the runs are kept, so that the comparison survives a kill and scales to
            thousands of runs: an Optuna storage URL (``"sqlite:///bench.db"``, PostgreSQL), a
            journal-file path, or an Optuna storage object. Each run is a study of that storage;
            calling ``compare`` again with the same arguments loads the finished runs, runs the
            missing ones and continues an interrupted run exactly as if it had not stopped (see
            ``docs/comparing.md``). :meth:`Comparison.load` reads it back.

    Returns:
        A :class:`Comparison`. A run that raises is reported in ``Comparison.failures``, not fatal
        (with a storage, it is run again by the next call).

    Example:
        >>> import unitune as ut
        >>> cmp = ut.compare(lambda c: (c["x"] - 1) ** 2, {"x": ut.Float(-3, 3)}, optimum=0.0,
        ...                  backends=["optuna:random", "skopt:random"], n_trials=4, seeds=[0, 1])
        >>> sorted(cmp.final()["backend"].unique()), cmp.setup["baseline"]
        (['optuna:random', 'skopt:random'], 'optuna:random')
    """
    from unitune.compare._execute import Task, execute  # the run machinery: imported when compare() runs
    from unitune.compare._fidelity import pruner_variants
    from unitune.compare._rows import failure_frame, trials_frame
    from unitune.compare._run import Run

    problems = _as_problems(objective_or_problems, space, direction, optimum)
    seeds = _seeds(seeds)
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise argument_error("n_trials", "must be an int >= 1 (trials per run)", n_trials, "pass e.g. n_trials=50")
    options = dict(backend_options or {})
    pruners = pruner_variants(pruner)  # [(label suffix, pruner)], checked before anything runs
    from unitune.adapters import parse_backend

    for backend in [*backends, *([baseline] if baseline else [])]:
        parse_backend(backend)  # unknown names fail before anything runs
    for backend in backends:
        _warn_startup(backend, options.get(backend, {}), n_trials)
    runs = [
        Run(p, b, s, n_trials, options.get(b, {}), pruned, f"{b}+{suffix}" if suffix else b)
        for p in problems
        for b in backends
        for suffix, pruned in pruners
        for s in seeds
    ]
    labels = list(dict.fromkeys(run.label for run in runs))
    extra = baseline is not None and baseline not in labels
    tasks = [Task(run) for run in runs]
    if baseline is not None and extra:
        base = [Run(p, baseline, s, n_trials, options.get(baseline, {})) for p in problems for s in seeds]
        tasks += [Task(run, baseline=True) for run in base]
    setup = _setup(problems, backends, options, n_trials, seeds, baseline, extra, n_jobs)
    if storage is not None:  # the runs stream to the storage; the comparison is read back from it
        return _stored(storage, {**setup, "labels": labels}, tasks, n_jobs, executor, progress)
    results = execute(tasks, n_jobs, executor, progress, None)
    if results.baseline_failures:
        setup["baseline_failed_runs"] = len(results.baseline_failures)
    optima = {p.name: aim(p)[0] for p in problems}
    directions = {p.name: aim(p)[1] for p in problems}
    trials = trials_frame(results.rows)
    reference = None
    if baseline is not None:
        own = trials[trials["backend"] == baseline].reset_index(drop=True)
        reference = trials_frame(results.baseline_rows) if extra else own
    return Comparison(trials, failure_frame(results.failures), optima, directions, baseline=reference, setup=setup)


def _stored(
    storage: Any, setup: dict[str, Any], tasks: list[Task], n_jobs: int, executor: cf.Executor | None, progress: bool
) -> Comparison:
    """Run the runs that the storage does not hold finished, then read the whole comparison from it."""
    from unitune.compare._execute import execute
    from unitune.compare._store import ComparisonStore, display
    from unitune.study._checks import check_storage

    check_storage(storage)
    if (n_jobs != 1 or executor is not None) and type(storage).__name__ == "InMemoryStorage":
        raise argument_error(
            "storage",
            "must be shared with the worker processes; an in-memory storage object is not",
            storage,
            "pass a URL such as 'sqlite:///bench.db' or a journal-file path",
        )
    store = ComparisonStore(storage)
    store.begin({**setup, "storage": display(storage), "baseline_extra": any(t.baseline for t in tasks)})
    execute(tasks, n_jobs, executor, progress, store)
    return Comparison.load(storage)


def _setup(
    problems: list[Problem],
    backends: Sequence[str],
    options: Mapping[str, Any],
    n_trials: int,
    seeds: list[int],
    baseline: str | None,
    extra: bool,
    n_jobs: int,
) -> dict[str, Any]:
    """What a report needs to say how the comparison was made, the call included."""
    names = [p.name for p in problems]
    call = (
        f"compare({names!r}, backends={list(backends)!r}, n_trials={n_trials}, seeds={seeds!r}, "
        f"n_jobs={n_jobs}, baseline={baseline!r}" + (f", backend_options={dict(options)!r}" if options else "") + ")"
    )
    if baseline is None:
        source = "none: no normalized score"
    elif extra:
        source = f"{baseline}, run with seeds {seeds} and {n_trials} trials for the normalized score"
    else:
        source = f"{baseline}, one of the compared backends (its runs are reused)"
    return {
        "problems": names,
        "optima": {p.name: aim(p)[0] for p in problems},
        "directions": {p.name: aim(p)[1] for p in problems},
        "backends": list(backends),
        "backend_options": {b: dict(options.get(b, {})) for b in backends},
        "n_trials": n_trials,
        "seeds": seeds,
        "baseline": baseline,
        "baseline_source": source,
        "call": call,
    }


def _seeds(seeds: int | Iterable[int]) -> list[int]:
    """The seeds of a comparison: ``range(n)`` for an int ``n``, else each seed checked."""
    from unitune.study._checks import check_count, check_seed

    if isinstance(seeds, Iterable) and not isinstance(seeds, (str, bytes)):
        checked = [check_seed(s) for s in seeds]
        if not checked or None in checked:
            raise argument_error("seeds", "must name at least one seed, each an int", seeds, "pass e.g. seeds=10")
        return [int(s) for s in checked if s is not None]
    return list(range(check_count("seeds", seeds, minimum=1)))


def _warn_startup(backend: str, options: Mapping[str, Any], n_trials: int) -> None:
    """Warn when most of each run of a model-based algorithm would be its random start-up phase."""
    from unitune.adapters import get_adapter_class, parse_backend

    library, algorithm = parse_backend(backend)
    startup = get_adapter_class(library).startup(algorithm, options)
    if startup is not None and n_trials < 2 * startup.trials:
        warnings.warn(
            f"{backend}: its start-up phase is the {startup}; with n_trials={n_trials}, at most "
            f"{max(0, n_trials - startup.trials)} trials of each run are model-based. "
            f"Fix: n_trials >= {2 * startup.trials}, "
            f"or backend_options={{{backend!r}: {{{startup.option!r}: {max(1, n_trials // 4)}}}}}",
            UnituneWarning,
            stacklevel=4,  # the caller of compare(), past its keyword check
        )
