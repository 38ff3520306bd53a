"""compare() and Comparison: every (problem, backend, seed) run on the same budget."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unitune.compare._fidelity import (
    STEP_COLUMNS,
    add_cumulative_steps,
    fresh_pruner,
    pruner_variants,
    reports,
    step_columns,
    with_pruning,
    with_trial,
)
from unitune.exceptions import ArgumentError, ArgumentTypeError, argument_error
from unitune.problems import Problem, get

if TYPE_CHECKING:
    import concurrent.futures as cf

    import pandas as pd
    from matplotlib.figure import Figure

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
        direction=run.problem.direction,
        seed=run.seed,
        backend_options=run.options,
        pruner=fresh_pruner(run.pruner),
    )
    eval_times: dict[int, float] = {}
    ends: dict[int, float] = {}
    start = time.perf_counter()

    def timed(config: dict[str, Any], trial: Any = None) -> float:
        t0 = time.perf_counter()
        try:
            return run.problem(config, trial)
        finally:
            eval_times[len(eval_times)] = time.perf_counter() - t0

    def on_trial(study: Study, trial: Any) -> None:
        ends[trial.number] = time.perf_counter() - start

    objective = with_trial(timed) if reports(run.problem) else timed
    study.optimize(objective, run.n_trials, callbacks=[on_trial])
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
    return add_cumulative_steps(rows)


def compare(
    objective_or_problems: Callable[[dict[str, Any]], float] | Problem | str | Iterable[Any],
    space: Any = None,
    *,
    backends: Sequence[str] = ("optuna", "hyperopt", "skopt"),
    n_trials: int = 50,
    seeds: Iterable[int] = range(5),
    n_jobs: int = 1,
    executor: cf.Executor | None = None,
    direction: str = "minimize",
    optimum: float | None = None,
    backend_options: Mapping[str, Mapping[str, Any]] | None = None,
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
        seeds: One run per seed and backend; seeds pair the runs for the statistics.
        n_jobs: Runs in parallel, in local worker processes.
        executor: Any ``concurrent.futures.Executor`` for the runs (e.g. Dask's).
        direction: Direction of a bare objective.
        optimum: Known optimum of a bare objective (enables regret).
        backend_options: ``{backend: options}`` passed to the native algorithms.
        progress: Show a progress bar over the runs.
        pruner: Prune the runs' trials: a pruner (a short name such as ``"asha"`` or an Optuna
            pruner object), or several — a list (None for no pruning) or ``{label: pruner}`` —
            each run with every backend. A pruned run's backend is labelled ``"backend+pruner"``
            (e.g. ``"hyperopt:tpe+asha"``); ``pruner=[None, "asha"]`` compares each backend with
            and without pruning. The trials table counts steps (``steps``, ``cumulative_steps``)
            and the summary says how many steps pruning saved and what it cost (docs/pruning.md).

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
    seeds = list(seeds)
    options = dict(backend_options or {})
    pruners = pruner_variants(pruner)  # [(label suffix, pruner)], checked before anything runs
    runs = [
        _Run(p, b, s, n_trials, options.get(b, {}), pruned, f"{b}+{suffix}" if suffix else b)
        for p in problems
        for b in backends
        for suffix, pruned in pruners
        for s in seeds
    ]
    from unitune.adapters import parse_backend

    for backend in backends:
        parse_backend(backend)  # unknown names fail before anything runs
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
            logger.warning("run %s / %s / seed %d failed: %s", run.problem.name, run.label, run.seed, error)
            failures.append(
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
    optima = {p.name: p.optimum for p in problems}
    return Comparison(_frame(rows), _failure_frame(failures), optima, {p.name: p.direction for p in problems})


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    columns = ["problem", "backend", "seed", "trial", "state", "value", "best_so_far", "regret", *TIMING_COLUMNS]
    columns += list(STEP_COLUMNS)
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
            value, best_so_far, regret (NaN when the optimum is unknown), suggest_time (the
            backend's cost: its ask and tell), eval_time (the objective's), overhead (unitune's own, per trial)
            and wall_time (since the run started); last_step (the last step a trial reported, where a pruned
            trial stopped), steps (steps it ran: ``last_step + 1``, or 1 when it reported none) and
            cumulative_steps (the run's steps so far: best_so_far against it compares pruned runs fairly).
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

    def summary(self) -> pd.DataFrame:
        """Per problem and backend: final best (mean, median, IQR), regret, ranks, AUC and costs.

        Columns: problem, backend, runs, best_mean, best_median, best_iqr, regret_mean,
        regret_median, rank_mean (within the problem, across seeds), rank_overall (the
        backend's mean rank across all problems and seeds), auc (mean best-so-far — or
        regret when the optimum is known — over the trials: lower is better when
        minimizing), suggest_time (backend seconds per trial), overhead_us (unitune's own
        microseconds per trial), failed_runs. When some runs were pruned (``compare(pruner=...)``):
        steps (mean steps per run), steps_saved (the mean fraction of the steps of the same backend
        without pruning that pruning saved, paired by seed), quality_cost (mean final regret, or
        best value minimized, of the pruned run minus the unpruned one's: above 0, pruning cost
        quality) and quality_cost_equal_steps (the same against the unpruned run after as many steps).
        """
        from unitune.compare._stats import summary

        table = summary(self.trials, self.failures, self.directions)
        return with_pruning(table, self.trials, self.directions)  # the pruning columns, when some runs pruned

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

    def plot_steps(self, *, log: bool | None = None) -> Figure:
        """Best so far (regret when known) against cumulative steps: pruned and unpruned runs on one axis."""
        from unitune.compare._fidelity import steps_plot

        return steps_plot(self.trials, log=log)

    def to_markdown(self, digits: int = 4) -> str:
        """The summary as a Markdown table."""
        from unitune.report import markdown

        return markdown(self.summary(), digits=digits)

    def to_csv(self, path: Any) -> None:
        """Write the long-form trials table to ``path``."""
        self.trials.to_csv(path, index=False)
