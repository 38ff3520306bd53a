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
from unitune.compare._multi import aim, check_problem, rescore, study_aims
from unitune.exceptions import ArgumentError, ArgumentTypeError, UnituneWarning, argument_error
from unitune.problems import Problem, get

if TYPE_CHECKING:
    import concurrent.futures as cf

    import pandas as pd
    from matplotlib.figure import Figure

    from unitune.report._table import Table

__all__ = ["Comparison", "compare"]

logger = logging.getLogger("unitune")

#: Columns of :attr:`Comparison.trials` that depend on the machine's speed, not on the run.
TIMING_COLUMNS = ("suggest_time", "eval_time", "overhead", "wall_time")


def _as_problems(objective_or_problems: Any, space: Any, direction: str, optimum: float | None) -> list[Problem]:
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


def _run_one(run: _Run) -> list[dict[str, Any]]:
    """One optimization run; returns one row per trial (module level, so it pickles into workers)."""
    from unitune.study import Study

    study = Study(
        run.problem.space,
        backend=run.backend,
        seed=run.seed,
        backend_options=run.options,
        **study_aims(run.problem),  # direction(s), constraints
    )
    eval_times: dict[int, float] = {}
    ends: dict[int, float] = {}
    start = time.perf_counter()

    def timed(config: dict[str, Any]) -> Any:
        t0 = time.perf_counter()
        try:
            return run.problem(config)
        finally:
            eval_times[len(eval_times)] = time.perf_counter() - t0

    def on_trial(study: Study, trial: Any) -> None:
        ends[trial.number] = time.perf_counter() - start

    study.optimize(
        timed, run.n_trials, callbacks=[on_trial], catch=Exception
    )  # a failing configuration: a failed trial
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
                "backend": run.backend,
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
            }
        )
    if run.problem.directions is not None or run.problem.constraints is not None:
        rescore(run.problem, study, rows)  # hypervolume, or feasible trials only (compare/_multi.py)
    return rows


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
    progress: bool = False,
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
        progress: Show a progress bar over the runs.

    Returns:
        A :class:`Comparison`. A run that raises is reported in ``Comparison.failures``, not fatal.

    Example:
        >>> import unitune as ut
        >>> cmp = ut.compare(lambda c: (c["x"] - 1) ** 2, {"x": ut.Float(-3, 3)}, optimum=0.0,
        ...                  backends=["optuna:random", "skopt:random"], n_trials=4, seeds=[0, 1])
        >>> sorted(cmp.final()["backend"].unique())
        ['optuna:random', 'skopt:random']
    """
    problems = _as_problems(objective_or_problems, space, direction, optimum)
    seeds = _seeds(seeds)
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise argument_error("n_trials", "must be an int >= 1 (trials per run)", n_trials, "pass e.g. n_trials=50")
    options = dict(backend_options or {})
    runs = [_Run(p, b, s, n_trials, options.get(b, {})) for p in problems for b in backends for s in seeds]
    from unitune.adapters import parse_backend

    for backend in backends:
        parse_backend(backend)  # unknown names fail before anything runs
        _warn_startup(backend, options.get(backend, {}), n_trials)
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(runs), desc="compare", unit="run")

    def collect(run: _Run, get_rows: Callable[[], list[dict[str, Any]]]) -> None:
        try:
            rows.extend(get_rows())
        except Exception as error:
            logger.warning("run %s / %s / seed %d failed: %s", run.problem.name, run.backend, run.seed, error)
            failures.append(
                {
                    "problem": run.problem.name,
                    "backend": run.backend,
                    "seed": run.seed,
                    "error": f"{type(error).__name__}: {error}",
                }
            )
        if bar is not None:
            bar.update(1)

    if n_jobs == 1 and executor is None:
        for run in runs:
            collect(run, lambda run=run: _run_one(run))  # type: ignore[misc]
    else:
        if executor is None:
            from loky import get_reusable_executor

            executor = get_reusable_executor(max_workers=n_jobs, timeout=60)
        futures = {executor.submit(_run_one, run): run for run in runs}
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            collect(futures[future], future.result)
    if bar is not None:
        bar.close()
    optima = {p.name: aim(p)[0] for p in problems}
    return Comparison(_frame(rows), _failure_frame(failures), optima, {p.name: aim(p)[1] for p in problems})


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    columns = ["problem", "backend", "seed", "trial", "state", "value", "best_so_far", "regret", *TIMING_COLUMNS]
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


class Comparison:
    """The results of :func:`compare`.

    Attributes:
        trials: Long-form DataFrame, one row per trial: problem, backend, seed, trial, state,
            value, best_so_far, regret (NaN when the optimum is unknown), feasible (problems with
            constraints: their best values count feasible trials only; problems with several
            objectives are scored by hypervolume, see ``docs/multi-objective.md``), suggest_time (the
            backend's cost: its ask and tell), eval_time (the objective's), overhead (unitune's own, per trial)
            and wall_time (since the run started).
        failures: Runs that raised: problem, backend, seed, error.
        optima: Known optimum per problem (None when unknown).
        directions: ``"minimize"`` or ``"maximize"`` per problem (missing: minimize); ranks and
            tests of a problem without a known optimum compare best values in this direction.

    Example:
        >>> import unitune as ut
        >>> cmp = ut.compare("branin", backends=["hyperopt:rand"], n_trials=3, seeds=[0])
        >>> len(cmp.trials), cmp.optima["branin"] > 0.39
        (3, True)
    """

    def __init__(
        self,
        trials: pd.DataFrame,
        failures: pd.DataFrame,
        optima: Mapping[str, float | None],
        directions: Mapping[str, str] | None = None,
    ) -> None:
        self.trials = trials
        self.failures = failures
        self.optima = dict(optima)
        self.directions = dict(directions or {})

    def __repr__(self) -> str:
        runs = self.trials.groupby(["problem", "backend", "seed"]).ngroups if len(self.trials) else 0
        return f"Comparison({runs} runs, {len(self.trials)} trials, {len(self.failures)} failed runs)"

    def final(self) -> pd.DataFrame:
        """One row per run: the final best value (and regret) after the whole budget."""
        from unitune.compare._stats import final

        return final(self.trials, self.directions)

    def summary(self) -> Table:
        """Per problem and backend: final best (mean, median, IQR), regret, ranks, AUC and costs.

        Columns: problem, backend, runs, best_mean, best_median, best_iqr, regret_mean,
        regret_median, rank_mean (within the problem, across seeds), rank_overall (the
        backend's mean rank across all problems and seeds), auc (mean best-so-far — or
        regret when the optimum is known — over the trials: lower is better when
        minimizing), suggest_time (backend seconds per trial), overhead_us (unitune's own
        microseconds per trial), failed_runs.
        """
        from unitune.compare._stats import summary
        from unitune.report._table import as_table

        return as_table(summary(self.trials, self.failures, self.directions))

    def feasibility(self) -> pd.DataFrame:
        """Per problem with constraints and backend: feasible fraction, runs without a feasible trial, best values."""
        from unitune.compare._multi import feasibility

        return feasibility(self.trials)

    def pairwise(self, alpha: float = 0.05) -> pd.DataFrame:
        """For each pair of backends: wins/ties/losses and a paired Wilcoxon signed-rank test, Holm-corrected.

        Runs are paired by (problem, seed) on their final best value.
        """
        from unitune.compare._stats import pairwise

        return pairwise(self.trials, alpha=alpha, directions=self.directions)

    def plot(self, *, log: bool | None = None) -> Figure:
        """Convergence curves: median and IQR band of the best so far per backend, one panel per problem.

        The y axis shows regret on a log scale when the optimum is known (``log=None``).
        """
        from unitune.compare._plots import convergence

        return convergence(self.trials, log=log)

    def to_markdown(self, digits: int = 4) -> str:
        """The summary as a Markdown table."""
        from unitune.report import markdown

        return markdown(self.summary(), digits=digits)

    def to_csv(self, path: Any) -> None:
        """Write the long-form trials table to ``path``."""
        self.trials.to_csv(path, index=False)


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
