"""compare() and Comparison: every (problem, backend, seed) run on the same budget."""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unitune._keywords import suggest_keywords
from unitune.compare._comparison import TIMING_COLUMNS, Comparison
from unitune.compare._fidelity import (
    STEP_COLUMNS,
    add_cumulative_steps,
    fresh_pruner,
    pruner_variants,
    reports,
    step_columns,
    with_trial,
)
from unitune.compare._multi import aim, check_problem, rescore, study_aims
from unitune.exceptions import ArgumentError, ArgumentTypeError, UnituneWarning, argument_error

if TYPE_CHECKING:
    import concurrent.futures as cf

    import pandas as pd

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


@dataclass(frozen=True)
class _Run:
    problem: Problem
    backend: str
    seed: int
    n_trials: int
    options: Mapping[str, Any] = field(default_factory=dict)
    pruner: Any = None  # pruning (compare/_fidelity.py): the pruner and the run's label, "backend+pruner"
    label: str = ""


def _run_one(run: _Run) -> list[dict[str, Any]]:
    """One optimization run; returns one row per trial (module level, so it pickles into workers)."""
    from unitune.study import Study

    study = Study(
        run.problem.space,
        backend=run.backend,
        seed=run.seed,
        backend_options=run.options,
        pruner=fresh_pruner(run.pruner),
        **study_aims(run.problem),  # direction(s), constraints
    )
    eval_times: dict[int, float] = {}
    ends: dict[int, float] = {}
    start = time.perf_counter()

    def timed(config: dict[str, Any], trial: Any = None) -> Any:
        t0 = time.perf_counter()
        try:
            return run.problem(config, trial)
        finally:
            eval_times[len(eval_times)] = time.perf_counter() - t0

    def on_trial(study: Study, trial: Any) -> None:
        ends[trial.number] = time.perf_counter() - start

    objective = with_trial(timed) if reports(run.problem) else timed
    study.optimize(objective, run.n_trials, callbacks=[on_trial], catch=Exception)  # a failing configuration: failed
    overhead = study.overhead / max(1, len(study.trials))
    sign = 1.0 if run.problem.direction == "minimize" else -1.0
    best = math.inf
    rows = []
    for i, trial in enumerate(sorted(study.trials, key=lambda t: t.number)):
        if trial.value is not None:
            best = min(best, sign * trial.value)
        best_so_far = sign * best if math.isfinite(best) else math.nan
        regret = math.nan
        if run.problem.optimum is not None and math.isfinite(best):
            regret = max(0.0, sign * (best_so_far - run.problem.optimum))
        rows.append(
            {
                "problem": run.problem.name,
                "backend": run.label or run.backend,
                "seed": run.seed,
                "trial": i,
                "state": trial.state,
                "value": math.nan if trial.value is None else trial.value,
                "best_so_far": best_so_far,
                "regret": regret,
                "suggest_time": trial.suggest_time + trial.tell_time,
                "eval_time": eval_times.get(i, math.nan),
                "overhead": overhead,
                "wall_time": ends.get(trial.number, math.nan),
                **step_columns(trial),
            }
        )
    if run.problem.directions is not None or run.problem.constraints is not None:
        rescore(run.problem, study, rows)  # hypervolume, or feasible trials only (compare/_multi.py)
    return add_cumulative_steps(rows)


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
        progress: Show a progress bar over the runs.
        pruner: Prune the runs' trials: a pruner (a short name such as ``"asha"`` or an Optuna
            pruner object), or several — a list (None for no pruning) or ``{label: pruner}`` —
            each run with every backend. A pruned run's backend is labelled ``"backend+pruner"``
            (e.g. ``"hyperopt:tpe+asha"``); ``pruner=[None, "asha"]`` compares each backend with
            and without pruning. The trials table counts steps (``steps``, ``cumulative_steps``)
            and the summary says how many steps pruning saved and what it cost (docs/pruning.md).
            The baseline runs are not pruned.

    Returns:
        A :class:`Comparison`. A run that raises is reported in ``Comparison.failures``, not fatal.

    Example:
        >>> import unitune as ut
        >>> cmp = ut.compare(lambda c: (c["x"] - 1) ** 2, {"x": ut.Float(-3, 3)}, optimum=0.0,
        ...                  backends=["optuna:random", "skopt:random"], n_trials=4, seeds=[0, 1])
        >>> sorted(cmp.final()["backend"].unique()), cmp.setup["baseline"]
        (['optuna:random', 'skopt:random'], 'optuna:random')
    """
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
        _Run(p, b, s, n_trials, options.get(b, {}), pruned, f"{b}+{suffix}" if suffix else b)
        for p in problems
        for b in backends
        for suffix, pruned in pruners
        for s in seeds
    ]
    extra = baseline is not None and baseline not in {run.label for run in runs}
    baseline_runs = []
    if baseline is not None and extra:
        baseline_runs = [_Run(p, baseline, s, n_trials, options.get(baseline, {})) for p in problems for s in seeds]
    setup = _setup(problems, backends, options, n_trials, seeds, baseline, extra, n_jobs)
    rows, failures, baseline_rows, baseline_failures = _execute(runs, baseline_runs, n_jobs, executor, progress)
    if baseline_failures:
        setup["baseline_failed_runs"] = len(baseline_failures)
    optima = {p.name: aim(p)[0] for p in problems}
    directions = {p.name: aim(p)[1] for p in problems}
    trials = _frame(rows)
    reference = None
    if baseline is not None:
        reference = _frame(baseline_rows) if extra else trials[trials["backend"] == baseline].reset_index(drop=True)
    return Comparison(trials, _failure_frame(failures), optima, directions, baseline=reference, setup=setup)


def _execute(
    runs: list[_Run], baseline_runs: list[_Run], n_jobs: int, executor: cf.Executor | None, progress: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Every run, in this process or in workers: (rows, failures) of the compared runs, then of the baseline's."""
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    baseline_rows: list[dict[str, Any]] = []
    baseline_failures: list[dict[str, Any]] = []
    tasks = [(run, False) for run in runs] + [(run, True) for run in baseline_runs]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc="compare", unit="run")

    def collect(run: _Run, is_baseline: bool, get_rows: Callable[[], list[dict[str, Any]]]) -> None:
        try:
            (baseline_rows if is_baseline else rows).extend(get_rows())
        except Exception as error:
            logger.warning(
                "run %s / %s / seed %d failed: %s", run.problem.name, run.label or run.backend, run.seed, error
            )
            (baseline_failures if is_baseline else failures).append(
                {
                    "problem": run.problem.name,
                    "backend": run.label or run.backend,
                    "seed": run.seed,
                    "error": f"{type(error).__name__}: {error}",
                }
            )
        if bar is not None:
            bar.update(1)

    if n_jobs == 1 and executor is None:
        for run, is_baseline in tasks:
            collect(run, is_baseline, lambda run=run: _run_one(run))  # type: ignore[misc]
    else:
        if executor is None:
            from loky import get_reusable_executor

            executor = get_reusable_executor(max_workers=n_jobs, timeout=60)
        futures = {executor.submit(_run_one, run): (run, is_baseline) for run, is_baseline in tasks}
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            collect(*futures[future], future.result)
    if bar is not None:
        bar.close()
    return rows, failures, baseline_rows, baseline_failures


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


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    columns = ["problem", "backend", "seed", "trial", "state", "value", "best_so_far", "regret", *TIMING_COLUMNS[:-1]]
    columns += list(STEP_COLUMNS)
    if any("feasible" in row for row in rows):
        columns.insert(columns.index("regret") + 1, "feasible")
    frame = pd.DataFrame(rows, columns=columns)
    ordered: pd.DataFrame = frame.sort_values(["problem", "backend", "seed", "trial"], kind="stable")
    reset: pd.DataFrame = ordered.reset_index(drop=True)
    return reset


def _failure_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame: pd.DataFrame = pd.DataFrame(rows, columns=["problem", "backend", "seed", "error"])
    return frame


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
