"""Make docs/choosing.md, the measured comparisons behind the README's "Which optimizer?" table.

    python docs/make_decision_table.py --run all --jobs 2    # run the questions not cached yet, write docs/choosing.md
    python docs/make_decision_table.py --run mixed           # one question (see QUESTIONS for the names)
    python docs/make_decision_table.py                       # write docs/choosing.md from the cached runs
    python docs/make_decision_table.py --quick --out DIR     # a tiny smoke run of every question, written to DIR

Each question is one `ut.compare` (two for the larger budget; the parallel question drives
`ut.Study` with several trials in flight). Its Comparison is cached (pickled) in
`bench-out/choosing/`, so questions run one at a time, in the background, and the page is
written from whatever has finished. Every model-based algorithm starts with 10 random trials:
Optuna's TPE and scikit-optimize's models by default, Hyperopt's TPE through
`n_startup_jobs=10` (its default is 20). scikit-optimize's GP samples its acquisition
function at 1000 points instead of its default L-BFGS search from 10000 (`acq_optimizer`,
`n_points`): the same model, a cheaper proposal.
"""

from __future__ import annotations

import argparse
import collections
import functools
import math
import os
import pickle
import platform
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

import unitune as ut
from unitune.report import markdown

HERE = Path(__file__).parent
CACHE = HERE.parent / "bench-out" / "choosing"
BACKENDS = ["optuna:tpe", "optuna:cmaes", "hyperopt:tpe", "skopt:gp", "skopt:forest"]
OPTIONS = {"hyperopt:tpe": {"n_startup_jobs": 10}, "skopt:gp": {"acq_optimizer": "sampling", "n_points": 1000}}
STARTUP = 10  # random start-up trials of every model-based algorithm above (CMA-ES: 1)
IN_FLIGHT = 4  # trials in flight in the parallel question


# -- a conditional scikit-learn problem: which model, and its own parameters ---------------------------------------

MODEL_SPACE = {
    "model": ut.Conditional(
        {
            "svm": {"C": ut.Float(1e-2, 1e3, log=True), "gamma": ut.Float(1e-5, 1e1, log=True)},
            "knn": {"n_neighbors": ut.Int(1, 50), "weights": ut.Categorical(["uniform", "distance"])},
            "tree": {
                "max_depth": ut.Int(1, 20),
                "min_samples_leaf": ut.Int(1, 32, log=True),
                "criterion": ut.Categorical(["gini", "entropy"]),
            },
            "logistic": {"C": ut.Float(1e-3, 1e3, log=True)},
        }
    )
}


@functools.cache
def _dataset(name: str) -> tuple[Any, Any]:
    from sklearn import datasets

    loaded = getattr(datasets, f"load_{name}")(return_X_y=True)
    return loaded[0], loaded[1]


class ModelChoice:
    """Five-fold cross-validated error (1 - accuracy) of the model a conditional space picks, features standardized."""

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset

    def __call__(self, config: dict[str, Any]) -> float:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_score
        from sklearn.neighbors import KNeighborsClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC
        from sklearn.tree import DecisionTreeClassifier

        kind = config["model"]
        if kind == "svm":
            model: Any = SVC(C=config["C"], gamma=config["gamma"])
        elif kind == "knn":
            model = KNeighborsClassifier(n_neighbors=config["n_neighbors"], weights=config["weights"])
        elif kind == "tree":
            model = DecisionTreeClassifier(
                max_depth=config["max_depth"],
                min_samples_leaf=config["min_samples_leaf"],
                criterion=config["criterion"],
                random_state=0,
            )
        else:
            model = LogisticRegression(C=config["C"], max_iter=2000)
        x, y = _dataset(self.dataset)
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        return 1.0 - float(cross_val_score(make_pipeline(StandardScaler(), model), x, y, cv=folds).mean())


def model_choice(dataset: str) -> ut.problems.Problem:
    return ut.problems.Problem(
        f"model_choice:{dataset}",
        MODEL_SPACE,
        ModelChoice(dataset),
        description="SVM, k-NN, decision tree or logistic regression, each with its own parameters",
    )


# -- the questions --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One question of the decision table: the problems, backends and budget that answer it."""

    key: str
    title: str
    asks: str
    problems: Callable[[], list[Any]]
    n_trials: int
    seeds: int
    backends: Sequence[str] = tuple(BACKENDS)
    expensive: Sequence[str] = ()  # problems on which skopt:gp also runs (all when empty)


def _bbob(functions: Sequence[int], dimensions: Sequence[int]) -> list[Any]:
    return ut.problems.suite("bbob", functions=list(functions), dimensions=list(dimensions), instances=1)


SMALL = [
    "branin",
    "six_hump_camel",
    "goldstein_price",
    "hartmann3",
    "hartmann6",
    "rosenbrock2d",
    "rastrigin2d",
    "levy2d",
    "ackley5d",
    "levy5d",
    "rosenbrock5d",
    "styblinski_tang5d",
]
MIXED = [
    "sklearn:random_forest_mixed:wine",
    "sklearn:random_forest_mixed:breast_cancer",
    "mixed",
    *(f"bayesmark:{m}:{d}:acc" for m in ("dt", "knn") for d in ("wine", "breast_cancer", "iris")),
]

QUESTIONS = {
    q.key: q
    for q in [
        Question(
            "small-budget",
            "Small budget, few continuous parameters",
            "About 30 trials on 2 to 6 continuous parameters",
            lambda: list(SMALL),
            n_trials=30,
            seeds=4,
        ),
        Question(
            "large-budget",
            "Larger budget, more parameters",
            "100 trials on 5 and 10 continuous parameters (COCO's BBOB functions)",
            lambda: _bbob([1, 8, 10, 15, 21], [5, 10]),
            n_trials=100,
            seeds=3,
            expensive=("bbob_f001_i01_d05", "bbob_f008_i01_d05", "bbob_f015_i01_d05"),
        ),
        Question(
            "mixed",
            "Mixed integer and categorical parameters",
            "40 trials on scikit-learn tuning problems with integer, real and categorical parameters",
            lambda: list(MIXED),
            n_trials=40,
            seeds=4,
        ),
        Question(
            "conditional",
            "Conditional spaces",
            "40 trials on spaces whose parameters depend on a choice: native (Optuna, Hyperopt) or flattened (skopt)",
            lambda: ["conditional", model_choice("wine")],
            n_trials=40,
            seeds=5,
        ),
    ]
}
PARALLEL = "parallel"
COST = "cost"
ORDER = ["small-budget", "mixed", "conditional", PARALLEL, "large-budget"]  # the order --run all runs them


def _name(problem: Any) -> str:
    return problem if isinstance(problem, str) else problem.name


def _shrink(question: Question) -> Question:
    """The --quick version of a question: its first cheap problem, 2 seeds, 5 trials."""
    first = [p for p in question.problems() if "random_forest" not in _name(p)][:1]
    return Question(question.key, question.title, question.asks, lambda: first, n_trials=5, seeds=2)


# -- running ------------------------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    libraries = ["unitune", "optuna", "hyperopt", "scikit-optimize", "scikit-learn", "coco-experiment"]
    return {
        "cpus": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "versions": {name: version(name) for name in libraries},
        "load_before": os.getloadavg()[0],
    }


def _finish(cmp: ut.Comparison, start: float, machine: dict[str, Any]) -> ut.Comparison:
    cmp.setup.update(machine, wall_seconds=time.time() - start, load_after=os.getloadavg()[0])
    return cmp


def _combine(parts: Sequence[ut.Comparison], setup: dict[str, Any], baseline: pd.DataFrame | None) -> ut.Comparison:
    """One Comparison from several (their runs side by side; one random-search baseline)."""
    trials = pd.concat([c.trials for c in parts], ignore_index=True)
    failures = pd.concat([c.failures for c in parts], ignore_index=True)
    optima = {k: v for c in parts for k, v in c.optima.items()}
    directions = {k: v for c in parts for k, v in c.directions.items()}
    return ut.Comparison(trials, failures, optima, directions, baseline=baseline, setup=setup)


def _subset(cmp: ut.Comparison, backends: Sequence[str]) -> ut.Comparison:
    """The runs of some backends only (same baseline and setup)."""
    trials = cmp.trials[cmp.trials["backend"].isin(backends)].reset_index(drop=True)
    failures = cmp.failures[cmp.failures["backend"].isin(backends)].reset_index(drop=True)
    setup = dict(cmp.setup, backends=list(backends))
    return ut.Comparison(trials, failures, cmp.optima, cmp.directions, baseline=cmp.baseline, setup=setup)


def run_question(question: Question, jobs: int) -> ut.Comparison:
    """The question's comparison; skopt:gp only on its ``expensive`` problems when those are named."""
    start, machine = time.time(), _machine()
    problems = question.problems()
    cheap = [b for b in question.backends if b != "skopt:gp" or not question.expensive]
    common = {"n_trials": question.n_trials, "seeds": question.seeds, "n_jobs": jobs, "progress": True}
    cmp = ut.compare(problems, backends=cheap, backend_options=OPTIONS, **common)
    if not question.expensive or "skopt:gp" not in question.backends:
        return _finish(cmp, start, machine)
    chosen = [p for p in problems if _name(p) in question.expensive]
    gp = ut.compare(chosen, backends=["skopt:gp"], backend_options=OPTIONS, baseline=None, **common)
    setup = dict(cmp.setup, call=f"{cmp.setup['call']}\n{gp.setup['call']}", gp_problems=list(question.expensive))
    both = _combine([cmp, gp], setup, cmp.baseline)
    return _finish(both, start, machine)


def _in_flight(problem: Any, backend: str, seed: int, n_trials: int, k: int) -> list[dict[str, Any]]:
    """One run with ``k`` trials in flight: the oldest is told before each new ask (k workers of equal speed)."""
    problem = ut.problems.get(problem) if isinstance(problem, str) else problem
    study = ut.Study(
        problem.space, backend=backend, direction=problem.direction, seed=seed, backend_options=OPTIONS.get(backend, {})
    )
    queue: collections.deque[ut.Trial] = collections.deque()
    evals, start, asked = {}, time.perf_counter(), 0
    while asked < n_trials or queue:
        while len(queue) < k and asked < n_trials:
            queue.append(study.ask())
            asked += 1
        trial = queue.popleft()
        t0 = time.perf_counter()
        try:
            value = problem(study.config_for(trial))
        except Exception as error:
            study.tell(trial, state="failed", error=repr(error))
        else:
            study.tell(trial, value)
        evals[trial.number] = time.perf_counter() - t0
    sign = 1.0 if problem.direction == "minimize" else -1.0
    rows, best = [], math.inf
    for trial in sorted(study.trials, key=lambda t: t.number):
        if trial.value is not None:
            best = min(best, sign * trial.value)
        so_far = sign * best if math.isfinite(best) else math.nan
        regret = (
            max(0.0, sign * (so_far - problem.optimum)) if problem.optimum is not None and best < math.inf else math.nan
        )
        rows.append(
            {
                "problem": problem.name,
                "backend": f"{backend} (k={k})",
                "seed": seed,
                "trial": trial.number,
                "state": trial.state,
                "value": math.nan if trial.value is None else trial.value,
                "best_so_far": so_far,
                "regret": regret,
                "suggest_time": trial.suggest_time + trial.tell_time,
                "eval_time": evals[trial.number],
                "overhead": study.overhead / len(study.trials),
                "wall_time": time.perf_counter() - start,
            }
        )
    return rows


def run_parallel(sequential: ut.Comparison, jobs: int, k: int = IN_FLIGHT) -> ut.Comparison:
    """The sequential runs of ``sequential`` (relabelled k=1) beside the same runs with ``k`` trials in flight."""
    start, machine = time.time(), _machine()
    n_trials = int(sequential.setup["n_trials"])
    seeds = list(sequential.setup["seeds"])
    problems = list(sequential.setup["problems"])
    backends = list(sequential.setup["backends"])
    tasks = [(p, b, s, n_trials, k) for p in problems for b in backends for s in seeds]
    if jobs == 1:
        results = [_in_flight(*task) for task in tasks]
    else:
        from loky import get_reusable_executor

        executor = get_reusable_executor(max_workers=jobs, timeout=60)
        results = list(executor.map(_in_flight, *zip(*tasks, strict=True)))
    parallel = pd.DataFrame([row for rows in results for row in rows])
    ones = sequential.trials.assign(backend=sequential.trials["backend"] + " (k=1)")
    trials = pd.concat([ones, parallel], ignore_index=True).drop(columns="cum_time")
    setup = dict(sequential.setup)
    setup.update(
        backends=sorted(trials["backend"].unique()),
        call=f"{sequential.setup['call']}  # k=1\n"
        f"# k={k}: for each (problem, backend, seed) of that call, ut.Study(...) with {k} trials in flight "
        "(ask until k are pending, tell the oldest, repeat)",
        in_flight=k,
    )
    cmp = ut.Comparison(
        trials,
        sequential.failures,
        sequential.optima,
        sequential.directions,
        baseline=sequential.baseline,
        setup=setup,
    )
    return _finish(cmp, start, machine)


def run(key: str, cache: Path, jobs: int, quick: bool) -> ut.Comparison:
    print(f"== {key}", flush=True)
    if key == PARALLEL:
        sequential = load(cache, "small-budget") or run("small-budget", cache, jobs, quick)
        if quick:  # the quick smoke run: the parallel runner on one problem and two backends
            sequential = _subset(sequential, ["optuna:tpe", "skopt:gp"])
        cmp = run_parallel(sequential, jobs, k=2 if quick else IN_FLIGHT)
    else:
        question = _shrink(QUESTIONS[key]) if quick else QUESTIONS[key]
        cmp = run_question(question, jobs)
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{key}.pkl", "wb") as file:
        pickle.dump(cmp, file)
    return cmp


def load(cache: Path, key: str) -> ut.Comparison | None:
    path = cache / f"{key}.pkl"
    if not path.exists():
        return None
    with open(path, "rb") as file:
        cmp: ut.Comparison = pickle.load(file)
    return cmp


# -- writing ------------------------------------------------------------------------------------------------------


def slug(title: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def seconds(trials: pd.DataFrame, by: str = "backend") -> pd.DataFrame:
    """Median seconds per suggestion (the backend's ask + tell) during the start-up phase and after it."""
    frame = trials.assign(phase=(trials["trial"] >= STARTUP).map({False: "start-up", True: "model"}))
    table = frame.pivot_table(index=by, columns="phase", values="suggest_time", aggfunc="median")
    table = table.reindex(columns=["start-up", "model"]).rename(
        columns={"start-up": f"median s, trials 1-{STARTUP}", "model": f"median s, trials {STARTUP + 1}+"}
    )
    table["max s"] = frame.groupby(by)["suggest_time"].max()
    return table.sort_values(table.columns[1]).reset_index()


def _evidence(cmp: ut.Comparison, alpha: float = 0.05) -> str:
    """One sentence: the best score and how strong the evidence across the problems is."""
    scores = cmp.scores()
    own = scores[~scores["baseline"]].sort_values("score")
    best = own.iloc[0]
    order = ", ".join(f"{r.backend} {r.score:.2f}" for r in own.itertuples())
    head = f"Mean normalized scores (lower is better): {order}."
    across = cmp.across_problems(alpha)
    n = len(across.scores)
    parts = []
    if len(across.omnibus):
        decides = across.omnibus[across.omnibus["decides"]].iloc[0]
        verb = "rejects" if across.rejected else "does not reject"
        parts.append(f"Friedman's test over the N={n} problems {verb} equivalence (p = {decides.p_value:.2g})")
    beats, ties = [], []
    wil = across.wilcoxon
    for row in wil.itertuples():
        winner, loser = (row.backend_a, row.backend_b) if row.wins_a >= row.losses_a else (row.backend_b, row.backend_a)
        if best.backend in (row.backend_a, row.backend_b):
            other = loser if winner == best.backend else winner
            (beats if row.significant and winner == best.backend else ties).append(
                f"{other} (p_holm = {row.p_holm:.2g})"
            )
    if len(wil):
        if beats:
            parts.append(f"{best.backend} is significantly better than " + ", ".join(beats) + " (Wilcoxon-Holm)")
        if ties:
            parts.append("not significantly different from " + ", ".join(ties))
    if not len(across.omnibus) and not len(wil):
        parts.append(f"ranks only: with N={n} problems no test across problems can reach alpha = {alpha}")
    elif not beats:
        parts.append(f"no pair involving {best.backend} is significant: the order is ranks only")
    return head + " " + "; ".join(parts) + "."


def section(title: str, asks: str, cmp: ut.Comparison, notes: str = "") -> str:
    setup = cmp.setup
    problems = setup["problems"]
    gp = setup.get("gp_problems")
    lines = [
        f"## {title}",
        "",
        f"{asks}. Problems ({len(problems)}): {', '.join(f'`{p}`' for p in problems)}. "
        f"Backends: {', '.join(f'`{b}`' for b in setup['backends'])}"
        + (f" (`skopt:gp` on {', '.join(f'`{p}`' for p in gp)} only)" if gp else "")
        + f"; {setup['n_trials']} trials, seeds {setup['seeds']}; baseline: {setup['baseline_source']}. "
        f"Wall time {setup['wall_seconds'] / 60:.0f} min on {setup['cpus']} cores "
        f"(load average {setup['load_before']:.0f} before, {setup['load_after']:.0f} after).",
        "",
        "```python",
        setup["call"],
        "```",
    ]
    if notes:
        lines += ["", notes]
    scores = cmp.scores()[["backend", "problems", "runs", "score", "ci_low", "ci_high", "baseline"]]
    by_problem = cmp.scores(by_problem=True).pivot_table(index="problem", columns="backend", values="score")
    across = cmp.across_problems()
    ranks = across.ranks.rename("average rank").rename_axis("backend").reset_index()
    lines += [
        "",
        "**Normalized score** (Bayesmark's mean score: 0 = the optimum or the best value any run found, "
        "1 = random search's median evaluation; mean over the problems of the mean over the runs; "
        "95 % bootstrap CI; lower is better):",
        "",
        markdown(scores.sort_values("score"), digits=3),
        "",
        f"**Across problems** ({across.unit}; N = {len(across.scores)} problems): average ranks, "
        "Friedman's test, and the Wilcoxon signed-rank test of every pair over the problems with Holm's correction.",
        "",
        markdown(ranks, digits=3),
    ]
    if len(across.omnibus):
        lines += ["", markdown(across.omnibus, digits=3), "", f"Nemenyi's critical difference: {across.cd:.2f}."]
    if len(across.wilcoxon):
        lines += ["", markdown(across.wilcoxon, digits=3)]
    if across.notes:
        lines += ["", *(f"- {note}" for note in across.notes)]
    within = cmp.within_problems()
    tally = _tally(within)
    lines += [
        "",
        "**Per problem** (unit: one run; two-sided Mann-Whitney U on the final losses, Holm over the pairs of "
        "each problem, Vargha-Delaney A12): significant wins and losses of each backend, over all problems.",
        "",
        markdown(tally, digits=3),
        "",
        "<details><summary>Normalized score per problem, and every per-problem test</summary>",
        "",
        markdown(by_problem.reset_index(), digits=2),
        "",
        markdown(within, digits=3),
        *(["", *(f"- {n}" for n in within.attrs.get("notes", []))] if within.attrs.get("notes") else []),
        "",
        "</details>",
        "",
        "**Seconds per suggestion** (the backend's ask + tell, median over every trial of every run):",
        "",
        markdown(seconds(cmp.trials), digits=3),
        "",
        f"**Conclusion.** {_evidence(cmp)}",
    ]
    return "\n".join(lines)


def _tally(within: pd.DataFrame) -> pd.DataFrame:
    """Per backend: pairs tested, and significant wins / losses (A12 > 0.5 means backend_a ends lower)."""
    rows: dict[str, list[int]] = {}
    for row in within.itertuples():
        for name in (row.backend_a, row.backend_b):
            rows.setdefault(name, [0, 0, 0])
        if not (isinstance(row.p_holm, float) and not math.isnan(row.p_holm)):
            continue
        rows[row.backend_a][0] += 1
        rows[row.backend_b][0] += 1
        if row.significant:
            winner, loser = (row.backend_a, row.backend_b) if row.a12 > 0.5 else (row.backend_b, row.backend_a)
            rows[winner][1] += 1
            rows[loser][2] += 1
    frame = pd.DataFrame(
        [(name, *counts) for name, counts in rows.items()], columns=["backend", "pairs tested", "wins", "losses"]
    )
    return frame.sort_values(["wins", "losses"], ascending=[False, True]).reset_index(drop=True)


def parallel_section(cmp: ut.Comparison) -> str:
    k = cmp.setup["in_flight"]
    names = sorted({b.rsplit(" (k=", 1)[0] for b in cmp.trials["backend"]})
    scores = cmp.scores().set_index("backend")
    rows = []
    for name in names:
        one, many = f"{name} (k=1)", f"{name} (k={k})"
        pair = _subset(cmp, [one, many])
        wil = pair.across_problems().wilcoxon
        within = pair.within_problems()
        tested = within[within["p_holm"].notna()]
        rows.append(
            {
                "backend": name,
                "score k=1": scores.loc[one, "score"],
                "CI k=1": _ci(scores.loc[one]),
                f"score k={k}": scores.loc[many, "score"],
                f"CI k={k}": _ci(scores.loc[many]),
                "problems k=1 better": int(wil["wins_a"].iloc[0]) if len(wil) else math.nan,
                f"problems k={k} better": int(wil["losses_a"].iloc[0]) if len(wil) else math.nan,
                "Wilcoxon p": float(wil["p_value"].iloc[0]) if len(wil) else math.nan,
                "problems with a significant difference (Mann-Whitney)": int(tested["significant"].sum()),
            }
        )
    table = pd.DataFrame(rows)
    lines = [
        "## Parallel workers",
        "",
        f"The small-budget runs again, with {k} trials in flight: for every (problem, backend, seed) of the "
        f"[small-budget comparison](#{slug(QUESTIONS['small-budget'].title)}), a `ut.Study` is asked until {k} "
        "trials are pending, then the oldest is told and the next asked, as with "
        f"{k} workers of equal speed whose evaluations take longer than a suggestion (the state the parallel driver, "
        "`n_jobs` or `executor=`, gives the backend). Each backend handles the pending trials its own way "
        "(`ut.backends()`, column `pending`): Optuna's TPE with its constant liar, Hyperopt's TPE by counting "
        "them as trials of infinite loss, scikit-optimize by a constant liar at the best loss so far (`cl_min`), "
        f"CMA-ES not at all. k=1 is the sequential run. Wall time of the k={k} runs "
        f"{cmp.setup['wall_seconds'] / 60:.0f} min.",
        "",
        "```python",
        cmp.setup["call"],
        "```",
        "",
        f"**k=1 against k={k}, per backend.** Scores are normalized scores (as above; lower is better). "
        "The Wilcoxon signed-rank test pairs the two runs' mean normalized score over the problems "
        f"(unit: the problem, N = {len(cmp.setup['problems'])}; one test per backend, not corrected across backends); "
        "the last column counts problems where the two differ by a Mann-Whitney U test on the runs' final losses.",
        "",
        markdown(table, digits=3),
        "",
        "**Seconds per suggestion** (ask + tell; with trials pending, scikit-optimize fits a liar model at each ask):",
        "",
        markdown(seconds(cmp.trials), digits=3),
        "",
        f"**Conclusion.** {_parallel_evidence(table, k)}",
    ]
    return "\n".join(lines)


def _ci(row: pd.Series) -> str:
    return f"{row['ci_low']:.2f}-{row['ci_high']:.2f}"


def _parallel_evidence(table: pd.DataFrame, k: int) -> str:
    parts = []
    for row in table.to_dict("records"):
        change = row[f"score k={k}"] - row["score k=1"]
        p = row["Wilcoxon p"]
        if math.isnan(p):
            strength = "untested: too few problems"
        else:
            strength = f"p = {p:.2g}, " + ("significant" if p < 0.05 else "not significant")
        parts.append(f"{row['backend']} {change:+.2f} ({strength})")
    return (
        f"Change of the mean normalized score from k=1 to k={k} (positive: worse with {k} in flight): "
        + "; ".join(parts)
        + "."
    )


def cost_section(found: dict[str, ut.Comparison]) -> str:
    frames = []
    for key, cmp in found.items():
        trials = cmp.trials
        if key == PARALLEL:
            trials = trials[~trials["backend"].str.endswith("(k=1)")]
        trials = trials.assign(question=key, backend=trials["backend"].str.replace(r" \(k=\d+\)", "", regex=True))
        frames.append(trials)
    trials = pd.concat(frames, ignore_index=True)
    buckets = pd.cut(trials["trial"] + 1, [0, 10, 30, 60, 100], labels=["1-10", "11-30", "31-60", "61-100"])
    growth = trials.assign(trials=buckets).pivot_table(
        index="backend", columns="trials", values="suggest_time", aggfunc="median", observed=True
    )
    per_question = trials.pivot_table(index="backend", columns="question", values="suggest_time", aggfunc="median")
    lines = [
        "## Cost per suggestion",
        "",
        "Seconds the backend spends per trial (its ask + tell), over every run above (the parallel question's "
        "k=4 runs included): the median per block of trials, and per question. Every model-based algorithm "
        f"samples its first {STARTUP} trials at random (CMA-ES: 1), so trials 1-{STARTUP} cost almost nothing. "
        "The machine was shared and heavily loaded (see the load averages above): the absolute seconds are "
        "inflated, the ratios between backends are what to read.",
        "",
        markdown(growth.sort_values(growth.columns[-1]).reset_index(), digits=3),
        "",
        markdown(per_question.sort_values(per_question.columns[0]).reset_index(), digits=3),
        "",
        "With its defaults (L-BFGS on the acquisition function from 10000 points), scikit-optimize's GP costs more: "
        "3.2 s per suggestion on Branin and 11.9 s on Hartmann 6 over 50 trials "
        "([compare.md](compare.md), the mean over every trial); the runs above give it "
        '`acq_optimizer="sampling", n_points=1000`.',
        "",
        f"**Conclusion.** {_cost_evidence(growth)}",
    ]
    return "\n".join(lines)


def _cost_evidence(growth: pd.DataFrame) -> str:
    last = growth.columns[-1]
    model = growth[growth.columns[1]] if len(growth.columns) > 1 else growth[last]
    cheap = model.nsmallest(1).index[0]
    ratios = ", ".join(f"{b} {v / model[cheap]:.0f}x" for b, v in model.sort_values().items() if b != cheap)
    return (
        f"Measured, not tested: after the start-up phase the cheapest backend is {cheap} "
        f"({model[cheap]:.3g} s per suggestion); the others cost, relative to it: {ratios}."
    )


HEADER = """# Choosing an optimizer: the measurements

The README's [Which optimizer?](../README.md#which-optimizer) table is read off this page. Each
section is one `ut.compare` (the exact call is shown) over problems that share a trait, with
every model-based algorithm given its random start-up phase of {startup} trials (Optuna's TPE and
scikit-optimize's models by default; Hyperopt's TPE through `n_startup_jobs=10`, its default is 20)
and scikit-optimize's GP told to sample its acquisition function at 1000 points
(`acq_optimizer="sampling", n_points=1000`) to keep it affordable. Statistics as in
[comparing.md](comparing.md): the normalized score is Bayesmark's mean score against random search
(`optuna:random`, same seeds and budget); across problems the unit of analysis is the problem
(one mean normalized score per problem and backend), within a problem it is the run. A test whose
smallest attainable p-value cannot reach alpha = 0.05 is skipped and said so ("ranks only").
Budgets stay small because each run was made on a shared 2-core machine; where few problems or seeds
leave a difference untested or not significant, the conclusion says so.

Made by `python docs/make_decision_table.py --run all --jobs 2` ({versions}; {machine}).
"""


def write(found: dict[str, ut.Comparison], path: Path) -> str:
    any_setup = next(iter(found.values())).setup
    versions = ", ".join(f"{k} {v}" for k, v in any_setup["versions"].items())
    text = [HEADER.format(startup=STARTUP, versions=versions, machine=any_setup["machine"]).strip()]
    contents = [f"- [{QUESTIONS[k].title}](#{slug(QUESTIONS[k].title)})" for k in QUESTIONS if k in found]
    contents += ["- [Cost per suggestion](#cost-per-suggestion)"]
    contents += ["- [Parallel workers](#parallel-workers)"] if PARALLEL in found else []
    text.append("\n".join(contents))
    for key, question in QUESTIONS.items():
        if key in found:
            text.append(section(question.title, question.asks, found[key]))
    text.append(cost_section(found))
    if PARALLEL in found:
        text.append(parallel_section(found[PARALLEL]))
    out = "\n\n".join(text) + "\n"
    path.write_text(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", nargs="*", default=[], help=f"questions to (re)run: {', '.join(ORDER)} or all")
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (worker processes)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where each question's Comparison is pickled")
    parser.add_argument("--out", type=Path, default=HERE / "choosing.md", help="the page to write")
    parser.add_argument("--quick", action="store_true", help="a tiny run of every question (smoke test)")
    args = parser.parse_args()
    keys = ORDER if args.quick or "all" in args.run else args.run
    unknown = sorted(set(keys) - set(ORDER))
    if unknown:
        parser.error(f"unknown question(s) {unknown}; choose from {ORDER} or all")
    if args.quick and args.out.suffix != ".md":
        args.out.mkdir(parents=True, exist_ok=True)
        args.cache, args.out = args.out / "cache", args.out / "choosing.md"
    for key in keys:
        if "all" in args.run and not args.quick and load(args.cache, key) is not None:
            continue  # --run all: only what is missing
        with warnings.catch_warnings():
            if args.quick:  # 5 trials are all start-up: compare() says so, rightly
                warnings.simplefilter("ignore", ut.UnituneWarning)
            run(key, args.cache, args.jobs, args.quick)
    found = {key: cmp for key in ORDER if (cmp := load(args.cache, key)) is not None}
    if not found:
        parser.error(f"nothing cached in {args.cache}: run a question first (--run all)")
    write(found, args.out)
    print(f"wrote {args.out} ({', '.join(found)})")


if __name__ == "__main__":
    main()
