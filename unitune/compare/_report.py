"""The comparison report: a :class:`unitune.report.Document` filled from a Comparison."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from unitune.compare._comparison import Comparison
    from unitune.report import Document

__all__ = ["SECTIONS", "build"]

KEYS = ["problem", "backend", "seed"]

#: The report's sections, in order.
SECTIONS = (
    "Setup",
    "Normalized scores",
    "Statistics across problems",
    "Statistics per problem",
    "Rank over time",
    "ECDF of runtimes to targets",
    "Convergence per problem",
    "Time per suggestion",
    "Failures",
    "Pooled pairs (for reference only)",
)

_LIBRARIES = ("optuna", "hyperopt", "scikit-optimize", "scikit-learn", "numpy", "scipy", "pandas", "scikit-posthocs")


def _kv(items: dict[str, object]) -> pd.DataFrame:
    import pandas as pd

    frame: pd.DataFrame = pd.DataFrame({"item": list(items), "value": [str(v) for v in items.values()]})
    return frame


def _setup(doc: Document, cmp: Comparison) -> None:
    from unitune.report import environment

    setup = cmp.setup
    trials = cmp.trials
    seeds = sorted(trials["seed"].unique().tolist()) if len(trials) else setup.get("seeds", [])
    doc.section(SECTIONS[0])
    problems = setup.get("problems") or list(dict.fromkeys(trials["problem"]))
    backends = setup.get("backends") or sorted(trials["backend"].unique())
    doc.table(
        _kv(
            {
                "problems": ", ".join(
                    f"{p} (optimum {cmp.optima.get(p)}, {cmp.directions.get(p, 'minimize')})" for p in problems
                ),
                "backends": ", ".join(backends),
                "backend options": setup.get("backend_options", {}),
                "seeds": f"{len(seeds)}: {seeds}",
                "trials per run": setup.get("n_trials", int(trials["trial"].max()) + 1 if len(trials) else 0),
                "random-search baseline": setup.get("baseline_source", "not recorded"),
                "runs": f"{trials.groupby(KEYS).ngroups} finished, {len(cmp.failures)} failed",
                **_durable(setup),
            }
        ),
        caption="What was compared",
    )
    if "command" in setup:
        doc.text("The command:")
        doc.code(str(setup["command"]))
    if "call" in setup:
        doc.text("The call:")
        doc.code(str(setup["call"]))
    doc.table(_kv(dict(environment(_LIBRARIES))), caption="Versions and machine")


def _durable(setup: dict[str, object]) -> dict[str, object]:
    """The setup rows of a comparison kept in a storage: where, and how interrupted runs were continued."""
    out: dict[str, object] = {}
    if "storage" in setup:
        out["storage"] = setup["storage"]
    if setup.get("missing_runs"):
        out["runs not finished (left out)"] = setup["missing_runs"]
    continued = setup.get("continued_runs")
    if isinstance(continued, list) and continued:
        replayed = sum(1 for c in continued if c.get("mode") == "replayed")
        reseeded = [c for c in continued if c.get("mode") != "replayed"]
        text = f"{replayed} continued exactly (the seeded backend replayed the recorded trials)"
        if reseeded:
            runs = "; ".join(f"{c['problem']} / {c['backend']} / seed {c['seed']}: {c.get('reason')}" for c in reseeded)
            text += f", {len(reseeded)} reseeded (not deterministic): {runs}"
        out["interrupted runs"] = text
    return out


def _scores(doc: Document, cmp: Comparison) -> None:
    doc.section(SECTIONS[1])
    scores = cmp.scores()
    if cmp.baseline is None or scores["score"].isna().all():
        doc.text("No random-search baseline was run (`baseline=None`), so there is no normalized score.")
        return
    doc.text(
        'Bayesmark\'s normalized score, its "mean" variant: per run, the best loss so far S is mapped to '
        "clip((S - opt) / (clip - opt), -1, 1), where opt is the known optimum (or, where unknown, the best value "
        "any run found: Bayesmark's rule) and clip is the median of all evaluations of the random-search baseline "
        "(random search's median loss after one evaluation). 0 is the optimum, 1 is no better than one random "
        "evaluation. A problem's score is the mean over its runs, the overall score the mean over problems, and "
        "Bayesmark's leaderboard number is 100 x (1 - score). Intervals: 95 % percentile bootstrap, runs resampled "
        "within each problem. The baseline row is random search itself."
    )
    doc.table(
        scores,
        caption="Mean normalized score after the whole budget (lower is better; leaderboard: higher). "
        "Unit: one run's score, averaged over the runs of a problem, then over the problems",
    )
    doc.table(cmp.scores(by_problem=True), caption="Per problem: mean normalized score. Unit: one run")
    doc.table(cmp.references(), caption="The two ends of the score per problem")
    doc.figure(cmp.plot_scores(), "scores", "Mean normalized score over trials (mean over problems)")


def _across(doc: Document, cmp: Comparison, alpha: float) -> None:
    import pandas as pd

    doc.section(SECTIONS[2])
    result = cmp.across_problems(alpha)
    doc.text(
        f"Unit of analysis: {result.unit}. N = {len(result.scores)} problems, k = {result.scores.shape[1]} "
        f"backends. Friedman's test, then Nemenyi's post-hoc test (significant only if Friedman rejects) and "
        f"Wilcoxon signed-rank tests across problems with Holm's correction; alpha = {alpha}."
    )
    if result.notes:
        doc.items(result.notes)
    unit = "Unit: one score per (problem, backend)"
    doc.table(result.scores.reset_index(), caption=f"The scores tested (lower is better). {unit}")
    ranks = pd.DataFrame({"backend": result.ranks.index, "average rank": result.ranks.to_numpy()})
    doc.table(ranks, caption=f"Average rank over the problems (1 = best). {unit}")
    if not result.omnibus.empty:
        verdict = "rejects" if result.rejected else "does not reject"
        caption = f"Friedman's test ({verdict} equivalence); `decides` marks the decision. {unit}, N = problems"
        doc.table(result.omnibus, caption=caption)
        caption = f"Nemenyi post-hoc (scikit-posthocs); critical difference CD = {result.cd:.3g}. {unit}"
        doc.table(result.nemenyi, caption=caption)
    if not result.wilcoxon.empty:
        doc.table(result.wilcoxon, caption=f"Wilcoxon signed-rank across problems, Holm-adjusted. {unit}")
    doc.figure(cmp.cd_diagram(alpha), "cd", "Critical-difference diagram (Demšar 2006)")


def _within(doc: Document, cmp: Comparison, alpha: float) -> None:
    doc.section(SECTIONS[3])
    table = cmp.within_problems(alpha)
    doc.text(
        "Unit of analysis: the run (runs with different seeds are independent). Per problem and pair: two-sided "
        "Mann-Whitney U test on the final losses (regret, or best value), Holm's correction across the pairs of the "
        f"problem (alpha = {alpha}), and the Vargha-Delaney A12: the probability that a run of backend_a ends "
        "lower than a run of backend_b (0.5: no effect). A failed run counts as +inf."
    )
    notes = table.attrs.get("notes", [])
    if notes:
        doc.items(notes)
    doc.table(table, caption="Mann-Whitney U per problem, Holm-adjusted, with A12. Unit: one run (its final loss)")
    caption = "Median final loss with a 95 % percentile-bootstrap interval. Unit: one run (its final loss)"
    doc.table(cmp.medians(), caption=caption)


def _views(doc: Document, cmp: Comparison) -> None:
    from unitune.compare._views import COCO_TARGETS

    doc.section(SECTIONS[4])
    doc.text(
        "After each trial, the backends' best losses are ranked within each (problem, seed) block; the mean over "
        "the blocks is drawn. Descriptive: seeds do not pair runs."
    )
    doc.figure(cmp.plot_ranks(), "ranks", "Mean rank over trials")
    doc.section(SECTIONS[5])
    doc.text(
        f"COCO's runtime ECDF: the fraction of (problem, seed, target) triples whose target was reached within a "
        f"budget, for {len(COCO_TARGETS)} precision targets from 1e2 to 1e-8 on f - f_opt (the regret; where the "
        "optimum is unknown, the distance to the best value found). Left: trials; right: suggestion + evaluation time."
    )
    doc.figure(cmp.plot_ecdf(), "ecdf", "Runtime ECDF over trials and over time")
    doc.section(SECTIONS[6])
    doc.figure(cmp.plot(), "convergence", "Median and IQR of the regret (or best value) over trials")
    doc.figure(cmp.plot(x="time"), "convergence-time", "The same over suggestion + evaluation time")


def _time(doc: Document, cmp: Comparison) -> None:
    doc.section(SECTIONS[7])
    trials = cmp.trials
    groups = trials.groupby(["problem", "backend"], as_index=False)
    table = groups.agg(
        suggest_median=("suggest_time", "median"),
        suggest_mean=("suggest_time", "mean"),
        eval_median=("eval_time", "median"),
        overhead_us=("overhead", "mean"),
    )
    table["overhead_us"] *= 1e6
    runs = trials.groupby(["problem", "backend", "seed"])["cum_time"].max().groupby(["problem", "backend"])
    table["run_seconds_median"] = runs.median().to_numpy()
    doc.text("Seconds per suggestion (the backend's ask + tell), per evaluation, and per run (their sum).")
    doc.table(table, caption="Time per suggestion and per run")
    doc.figure(cmp.plot_suggest_time(), "suggest-time", "Seconds per suggestion")


def build(cmp: Comparison, alpha: float = 0.05) -> Document:
    """The report of a comparison, every section of :data:`SECTIONS` in order."""
    from unitune.report import Document

    doc = Document("unitune comparison report")
    _setup(doc, cmp)
    _scores(doc, cmp)
    _across(doc, cmp, alpha)
    _within(doc, cmp, alpha)
    _views(doc, cmp)
    _time(doc, cmp)
    doc.section(SECTIONS[8])
    if len(cmp.failures):
        doc.table(cmp.failures, caption="Runs that raised (each counts as a loss of +inf)")
    else:
        doc.text("No run failed.")
    doc.section(SECTIONS[9])
    doc.text(
        "Every (problem, seed) pair pooled into one Wilcoxon signed-rank test per pair of backends, Holm-adjusted. "
        "Seeds are not independent data sets and problems with large regret dominate, so this table is not a "
        "valid test across problems; it is kept because earlier versions reported it."
    )
    doc.table(cmp.pairwise(alpha), caption="Unit: pooled (problem, seed) pairs (not a valid unit of analysis)")
    return doc
