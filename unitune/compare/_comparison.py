"""Comparison: the results of compare() and every statistic, score, view and report over them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from unitune.compare._across import AcrossProblems
    from unitune.report import ReportFiles
    from unitune.report._table import Table

__all__ = ["Comparison"]

#: Columns of :attr:`Comparison.trials` that depend on the machine's speed, not on the run.
TIMING_COLUMNS = ("suggest_time", "eval_time", "overhead", "wall_time", "cum_time")


def with_cum_time(trials: pd.DataFrame) -> pd.DataFrame:
    """Add ``cum_time`` (if missing): per run, the running sum of suggestion + evaluation time in seconds."""
    if "cum_time" in trials.columns:
        return trials
    spent = trials["suggest_time"].astype(float).fillna(0.0) + trials["eval_time"].astype(float).fillna(0.0)
    ordered = trials.assign(spent=spent).sort_values(["problem", "backend", "seed", "trial"], kind="stable")
    cumulative = ordered.groupby(["problem", "backend", "seed"])["spent"].cumsum()
    out: pd.DataFrame = trials.copy()
    at = list(out.columns).index("wall_time") + 1 if "wall_time" in out.columns else len(out.columns)
    out.insert(at, "cum_time", cumulative.reindex(trials.index).astype(float))  # beside the other timings
    return out


class Comparison:
    """The results of :func:`compare`, and the statistics, scores, views and report over them.

    Attributes:
        trials: Long-form DataFrame, one row per trial: problem, backend, seed, trial, state,
            value, best_so_far, regret (NaN when the optimum is unknown), feasible (problems with
            constraints: their best values count feasible trials only; problems with several
            objectives are scored by hypervolume, see ``docs/multi-objective.md``), suggest_time (the
            backend's cost: its ask and tell), eval_time (the objective's), overhead (unitune's own,
            per trial), wall_time (since the run started), cum_time (the run's suggestion +
            evaluation time so far); last_step (the last step a trial reported, where a pruned
            trial stopped), steps (steps it ran: ``last_step + 1``, or 1 when it reported none) and
            cumulative_steps (the run's steps so far: best_so_far against it compares pruned runs fairly).
        failures: Runs that raised: problem, backend, seed, error.
        optima: Known optimum per problem (None when unknown).
        directions: ``"minimize"`` or ``"maximize"`` per problem (missing: minimize); ranks and
            tests of a problem without a known optimum compare best values in this direction.
        baseline: The random-search runs behind the normalized score (same columns as ``trials``),
            or None. When the baseline backend is one of the compared backends, these are its runs.
        setup: How the comparison was made: problems, backends and their options, n_trials, seeds,
            the baseline and the exact call (shown by :meth:`report`).

    Example:
        >>> import unitune as ut
        >>> cmp = ut.compare("branin", backends=["hyperopt:rand"], n_trials=3, seeds=[0], baseline=None)
        >>> len(cmp.trials), cmp.optima["branin"] > 0.39
        (3, True)
    """

    def __init__(
        self,
        trials: pd.DataFrame,
        failures: pd.DataFrame,
        optima: Mapping[str, float | None],
        directions: Mapping[str, str] | None = None,
        *,
        baseline: pd.DataFrame | None = None,
        setup: Mapping[str, Any] | None = None,
    ) -> None:
        self.trials = with_cum_time(trials)
        self.failures = failures
        self.optima = dict(optima)
        self.directions = dict(directions or {})
        self.baseline = None if baseline is None else with_cum_time(baseline)
        self.setup = dict(setup or {})

    @classmethod
    def load(cls, storage: Any) -> Comparison:
        """The comparison that ``compare(..., storage=storage)`` (or ``unitune bench --storage``) wrote.

        Its finished runs (trials, failures, baseline runs), optima, directions and setup, so
        that every statistic, figure and :meth:`report` works as on the comparison just run.
        Runs not finished yet are left out, with a warning that says how many.

        Args:
            storage: The storage URL, journal-file path or Optuna storage object.

        Example:
            >>> import optuna, unitune as ut
            >>> storage = optuna.storages.InMemoryStorage()
            >>> cmp = ut.compare("branin", backends=["optuna:random"], n_trials=3, seeds=[0, 1], storage=storage)
            >>> loaded = ut.Comparison.load(storage)
            >>> loaded.trials["value"].equals(cmp.trials["value"]), len(loaded.trials)
            (True, 6)
        """
        from unitune.compare._store import load

        return cls(**load(storage))

    def __repr__(self) -> str:
        runs = self.trials.groupby(["problem", "backend", "seed"]).ngroups if len(self.trials) else 0
        return f"Comparison({runs} runs, {len(self.trials)} trials, {len(self.failures)} failed runs)"

    # -- per run ---------------------------------------------------------------------------------

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
        microseconds per trial), failed_runs. When some runs were pruned (``compare(pruner=...)``):
        steps (mean steps per run), steps_saved (the mean fraction of the steps of the same backend
        without pruning that pruning saved, paired by seed), quality_cost (mean final regret, or
        best value minimized, of the pruned run minus the unpruned one's: above 0, pruning cost
        quality) and quality_cost_equal_steps (the same against the unpruned run after as many steps).
        """
        from unitune.compare._fidelity import with_pruning
        from unitune.compare._stats import summary
        from unitune.report._table import as_table

        table = summary(self.trials, self.failures, self.directions)
        return as_table(with_pruning(table, self.trials, self.directions))  # pruning columns when some runs pruned

    def feasibility(self) -> pd.DataFrame:
        """Per problem with constraints and backend: feasible fraction, runs without a feasible trial, best values."""
        from unitune.compare._multi import feasibility

        return feasibility(self.trials)

    def losses(self) -> pd.DataFrame:
        """Every trial of every run as a loss (lower is better; ``+inf`` before a result and for failed runs).

        Columns problem, backend, seed, trial, loss (regret where the optimum is known, else the
        best value so far, negated when maximizing), best, raw, cum_time.
        """
        from unitune.compare._scores import trial_losses

        return trial_losses(self.trials, self.failures, self.directions)

    def final_losses(self) -> pd.DataFrame:
        """One row per run, failed runs included (``+inf``): problem, backend, seed, loss."""
        from unitune.compare._scores import final_losses

        return final_losses(self.trials, self.failures, self.directions)

    # -- normalized score --------------------------------------------------------------------------

    def references(self, reference: str = "auto") -> pd.DataFrame:
        """Per problem, the two ends of Bayesmark's normalized score: ``opt`` and ``clip`` (see :meth:`normalized`)."""
        from unitune.compare._scores import references, trial_losses

        baseline = None if self.baseline is None else trial_losses(self.baseline, _no_failures(), self.directions)
        return references(self.losses(), baseline, self.optima, self.directions, reference)

    def normalized(self, reference: str = "auto", *, include_baseline: bool = False) -> pd.DataFrame:
        """Bayesmark's normalized score of every run after every trial: 0 at the optimum, 1 at random search's median.

        ``score = clip((S - opt) / (clip - opt), -1, 1)`` with ``S`` the run's best loss so far,
        ``opt`` the known optimum (``reference="auto"``) or, as Bayesmark does, the best value any
        run found (``reference="best_found"``, always used when the optimum is unknown), and
        ``clip`` the median of all evaluations of the random-search baseline on the problem.
        Scores are NaN without a baseline. ``include_baseline`` adds the baseline's own runs
        (when it is not a compared backend) with ``baseline`` True.
        """
        from unitune.compare._scores import normalized_scores, trial_losses

        refs = self.references(reference)
        scores = normalized_scores(self.losses(), refs).assign(baseline=False)
        name = self.setup.get("baseline")
        if include_baseline and self.baseline is not None and name not in set(self.trials["backend"]):
            extra = normalized_scores(trial_losses(self.baseline, _no_failures(), self.directions), refs)
            scores = _concat([scores, extra.assign(baseline=True)])
        out: pd.DataFrame = scores
        return out

    def scores(self, confidence: float = 0.95, reference: str = "auto", *, by_problem: bool = False) -> pd.DataFrame:
        """Bayesmark's "mean" score after the whole budget, with percentile-bootstrap intervals.

        Per backend (``by_problem=False``): score (mean over problems of the mean over runs of the
        normalized score; lower is better), ci_low, ci_high (runs resampled within each problem),
        and Bayesmark's leaderboard number ``100 x (1 - score)`` with its interval (higher is
        better). The baseline's own runs are a row too (``baseline`` True) when it is not a
        compared backend. ``by_problem=True``: the per-problem means and intervals.
        """
        from unitune.compare._scores import score_table

        scores = self.normalized(reference, include_baseline=True)
        per_problem, overall = score_table(scores, confidence)
        flags = scores.groupby("backend")["baseline"].first()
        table = per_problem if by_problem else overall
        out: pd.DataFrame = table.assign(baseline=table["backend"].map(flags).astype(bool))
        return out

    # -- statistics ------------------------------------------------------------------------------------

    def blocks(self) -> tuple[pd.DataFrame, str]:
        """The score per (problem, backend) that the tests across problems use, and its description.

        With a baseline on every problem: the mean normalized score over the seeds after the whole
        budget (commensurable across problems). Otherwise: the median final loss over the seeds
        (regret, or best value); a failed run counts as ``+inf`` (normalized score 1).
        """
        from unitune.compare._scores import KEYS

        seeds = sorted(self.trials["seed"].unique().tolist())
        scores = self.normalized()
        if len(scores) and scores["score"].notna().all():
            last = scores.sort_values("trial", kind="stable").groupby(KEYS).tail(1)
            matrix = last.pivot_table(index="problem", columns="backend", values="score", aggfunc="mean")
            unit = f"mean normalized score (Bayesmark) over {len(seeds)} seeds after the whole budget"
        else:
            final = self.final_losses()
            matrix = final.pivot_table(index="problem", columns="backend", values="loss", aggfunc="median")
            unit = f"median final loss (regret, or best value) over {len(seeds)} seeds"
        matrix.columns.name, matrix.index.name = None, "problem"
        return matrix, "one score per (problem, backend): " + unit

    def across_problems(self, alpha: float = 0.05) -> AcrossProblems:
        """Friedman's test, Nemenyi and Wilcoxon-Holm post-hoc tests and average ranks over the problems.

        The unit of analysis is the problem (see :meth:`blocks`); N is the number of problems.
        See :mod:`unitune.compare._across` for the edge-case policy.
        """
        from unitune.compare._across import across_problems

        matrix, unit = self.blocks()
        return across_problems(matrix, alpha=alpha, unit=unit)

    def within_problems(self, alpha: float = 0.05) -> pd.DataFrame:
        """Per problem and pair of backends: two-sided Mann-Whitney U on final losses, Holm per problem, A12.

        The unit of analysis is the run: runs with different seeds are independent. Notes on
        pairs that could not be tested are in ``table.attrs["notes"]``.
        """
        from unitune.compare._within import within_problems

        table, notes = within_problems(self.final_losses(), alpha)
        table.attrs["notes"] = notes
        return table

    def medians(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per (problem, backend): median final loss over the runs and its percentile-bootstrap interval."""
        from unitune.compare._within import median_ci

        return median_ci(self.final_losses(), confidence)

    def pairwise(self, alpha: float = 0.05) -> pd.DataFrame:
        """POOLED (problem, seed) pairs: wins/ties/losses and a Wilcoxon signed-rank test, Holm-corrected.

        Runs are paired by (problem, seed) on their final best value. Seeds are not independent
        data sets and problems of large regret dominate: prefer :meth:`across_problems` (several
        problems) and :meth:`within_problems` (one problem). Kept for reference.
        """
        from unitune.compare._stats import pairwise

        return pairwise(self.trials, alpha=alpha, directions=self.directions)

    # -- views -------------------------------------------------------------------------------------------

    def rank_over_time(self) -> pd.DataFrame:
        """Mean rank of each backend after each trial, over (problem, seed) blocks (descriptive)."""
        from unitune.compare._views import rank_over_time

        return rank_over_time(self.losses())

    def runtimes(self, targets: Sequence[float] | None = None, reference: str = "auto") -> pd.DataFrame:
        """Trials and time each run needed to reach each precision target (COCO's runtimes).

        Precision is COCO's ``f - f_opt``: the regret, or the distance to the best value found when
        the optimum is unknown. Default targets: COCO's 51 targets from 1e2 to 1e-8.
        """
        from unitune.compare._views import COCO_TARGETS, runtimes

        losses = self.losses()
        opt = losses["problem"].map(self.references(reference).set_index("problem")["opt"])
        return runtimes(losses, losses["best"] - opt, COCO_TARGETS if targets is None else targets)

    def ecdf(self, targets: Sequence[float] | None = None, x: str = "trials") -> pd.DataFrame:
        """COCO's runtime ECDF: fraction of (problem, seed, target) triples reached within each budget.

        ``x="trials"``: budgets 1..n_trials; ``x="time"``: 100 log-spaced seconds of suggestion +
        evaluation time.
        """
        import numpy as np

        from unitune.compare._views import ecdf

        reached = self.runtimes(targets)
        if x == "trials":
            return ecdf(reached, np.arange(1, int(self.trials["trial"].max()) + 2), by="evals")
        if x != "time":
            raise ValueError(f"x must be 'trials' or 'time'; received {x!r}")
        times = self.trials["cum_time"][self.trials["cum_time"] > 0]
        grid = np.geomspace(times.min(), times.max(), 100) if len(times) else np.array([1.0])
        return ecdf(reached, grid, by="time")

    # -- figures -------------------------------------------------------------------------------------------

    def plot(self, *, log: bool | None = None, x: str = "trial") -> Figure:
        """Convergence curves: median and IQR band of the best so far per backend, one panel per problem.

        The y axis shows regret on a log scale when the optimum is known (``log=None``);
        ``x="time"`` puts the suggestion + evaluation time on the x axis instead of trials.
        """
        from unitune.compare._plots import convergence

        return convergence(self.trials, log=log, x=x)

    def plot_steps(self, *, log: bool | None = None) -> Figure:
        """Best so far (regret when known) against cumulative steps: pruned and unpruned runs on one axis."""
        from unitune.compare._fidelity import steps_plot

        return steps_plot(self.trials, log=log)

    def cd_diagram(self, alpha: float = 0.05) -> Figure:
        """The critical-difference diagram of :meth:`across_problems`."""
        from unitune.compare._plots import cd_diagram

        return cd_diagram(self.across_problems(alpha))

    def plot_ranks(self) -> Figure:
        """Mean rank over trials per backend (1 = best)."""
        from unitune.compare._plots import lines_figure

        frame = self.rank_over_time().assign(trial=lambda f: f["trial"] + 1)
        figure = lines_figure(
            frame,
            x="trial",
            y="rank",
            xlabel="trial",
            ylabel="mean rank (1 = best)",
            title="mean rank over (problem, seed) blocks",
        )
        figure.axes[0].invert_yaxis()
        return figure

    def plot_scores(self, reference: str = "auto") -> Figure:
        """Bayesmark's mean normalized score over trials per backend (and the baseline), mean over problems."""
        from unitune.compare._plots import lines_figure

        scores = self.normalized(reference, include_baseline=True)
        per_problem = scores.groupby(["backend", "problem", "trial"], as_index=False)["score"].mean()
        frame = per_problem.groupby(["backend", "trial"], as_index=False)["score"].mean()
        frame["trial"] += 1
        return lines_figure(
            frame,
            x="trial",
            y="score",
            xlabel="trial",
            ylabel="normalized score (0 = optimum, 1 = random median)",
            title="Bayesmark mean normalized score, mean over problems",
        )

    def plot_ecdf(self, targets: Sequence[float] | None = None) -> Figure:
        """Runtime ECDFs (COCO) against trials and against suggestion + evaluation time."""
        from unitune.compare._plots import ecdf_figure
        from unitune.compare._views import COCO_TARGETS

        goal = list(COCO_TARGETS if targets is None else targets)
        label = f"{len(goal)} precision targets from {max(goal):g} to {min(goal):g}"
        return ecdf_figure({"trials": self.ecdf(targets, "trials"), "time": self.ecdf(targets, "time")}, label)

    def plot_suggest_time(self) -> Figure:
        """Seconds per suggestion per backend (box plots, log axis), one panel per problem."""
        from unitune.compare._plots import suggest_time_figure

        return suggest_time_figure(self.trials)

    # -- output ----------------------------------------------------------------------------------------------

    def to_markdown(self, digits: int = 4) -> str:
        """The summary as a Markdown table."""
        from unitune.report import markdown

        return markdown(self.summary(), digits=digits)

    def to_csv(self, path: Any) -> None:
        """Write the long-form trials table to ``path``."""
        self.trials.to_csv(path, index=False)

    def report(self, path: str | Path, alpha: float = 0.05) -> ReportFiles:
        """Write the comparison report: one self-contained HTML page and its Markdown twin with PNGs beside it.

        Args:
            path: A ``.html`` file, or a folder (``report.html`` in it).
            alpha: Significance level of every test.

        Returns:
            The files written (``.html``, ``.markdown``, ``.images``).
        """
        from unitune.compare._report import build

        return build(self, alpha).write(path)


def _no_failures() -> pd.DataFrame:
    import pandas as pd

    frame: pd.DataFrame = pd.DataFrame(columns=["problem", "backend", "seed", "error"])
    return frame


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    return pd.concat(frames, ignore_index=True)
