"""Pruning: unitune's cost per report + should_prune next to native Optuna's, and what pruning saves on each backend.

Run:  python benchmarks/pruning.py                 (both sections; a: under a minute; b: 62 min of CPU)
      python benchmarks/pruning.py --quick         (tiny budgets, a smoke test)
      python benchmarks/pruning.py --sections a --repeats 9
      python benchmarks/pruning.py --sections b --seeds 10 --trials 30 --jobs 2 --csv pruning.csv

Sections (each prints a Markdown table):
  a  cost per ``report`` + ``should_prune`` pair: unitune (``objective(config, trial)``) and the
     hand-written Optuna program (``trial.report`` / ``trial.should_prune``), same pruner, same
     sampler (optuna:tpe, seed 0), same storage, same curves. Only the pair is timed (the objective
     adds the time of the two calls around each step), so the sampler's cost does not dilute it.
     The two run alternately (U N, N U, ...) in the same process after a warm-up pair; we report
     the median per-pair cost over repeats and their ratio. Target: at most 1.10x. unitune writes
     each report to its record (an Optuna storage) on the hot path, as Optuna does.
  b  steps saved and final quality with and without pruning on the problems with steps
     (``sgd_digits``, ``mlp_breast_cancer``, ``boosting_breast_cancer``, ``learning_curve``),
     for optuna:tpe, hyperopt:tpe and skopt:gp, through ``unitune.compare(pruner=[None, ...])``:
     ``steps_saved`` (fraction of the unpruned run's steps), ``quality_cost`` (final regret, or
     validation error, of the pruned run minus the unpruned one's, same number of trials) and
     ``quality_cost_equal_steps`` (against the unpruned run when it had spent as many steps),
     mean over seeds. Above 0, pruning cost quality.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c
import optuna

import unitune as ut

TARGET_RATIO = 1.10
STEPS = 20


def curve(x: float, rate: float, step: int) -> float:
    return (x - 1.0) ** 2 + 4.0 * math.exp(-rate * (step + 1))


def pruners() -> dict[str, Any]:
    return {
        "median": lambda: optuna.pruners.MedianPruner(n_startup_trials=5),
        "asha": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
        "hyperband": lambda: optuna.pruners.HyperbandPruner(min_resource=1, max_resource=STEPS, reduction_factor=3),
    }


def native(make_pruner: Any, n_trials: int, storage: Any) -> tuple[float, int]:
    spent, pairs = 0.0, 0

    def objective(trial: optuna.Trial) -> float:
        nonlocal spent, pairs
        x, rate = trial.suggest_float("x", -3.0, 3.0), trial.suggest_float("rate", 0.05, 1.0, log=True)
        for step in range(STEPS):
            value = curve(x, rate, step)
            t0 = time.perf_counter()
            trial.report(value, step)
            prune = trial.should_prune()
            spent += time.perf_counter() - t0
            pairs += 1
            if prune:
                raise optuna.TrialPruned()
        return curve(x, rate, STEPS - 1)

    study = optuna.create_study(
        study_name="bench", sampler=optuna.samplers.TPESampler(seed=0), pruner=make_pruner(), storage=storage()
    )
    study.optimize(objective, n_trials=n_trials)
    return spent, pairs


def unitune(make_pruner: Any, n_trials: int, storage: Any) -> tuple[float, int]:
    spent, pairs = 0.0, 0

    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        nonlocal spent, pairs
        for step in range(STEPS):
            value = curve(config["x"], config["rate"], step)
            t0 = time.perf_counter()
            trial.report(value, step)
            prune = trial.should_prune()
            spent += time.perf_counter() - t0
            pairs += 1
            if prune:
                raise ut.TrialPruned()
        return curve(config["x"], config["rate"], STEPS - 1)

    space = {"x": ut.Float(-3.0, 3.0), "rate": ut.Float(0.05, 1.0, log=True)}
    ut.minimize(
        objective,
        space,
        backend="optuna:tpe",
        seed=0,
        pruner=make_pruner(),
        study_name="bench",
        storage=storage(),
        n_trials=n_trials,
    )
    return spent, pairs


def section_a(args: argparse.Namespace) -> str:
    c.quiet_optuna()
    n_trials = 20 if args.quick else args.trials_a
    repeats = 2 if args.quick else args.repeats
    storages = {"memory": lambda: None, "journal file": lambda: _journal()}
    rows = []
    for storage_name, storage in storages.items():
        for name, make in pruners().items():
            per = {"unitune": [], "native": []}  # type: dict[str, list[float]]
            same = []
            unitune(make, 5, storage), native(make, 5, storage)  # warm-up pair
            for r in range(repeats):
                order = [("unitune", unitune), ("native", native)]
                results = {}
                for label, fn in order if r % 2 == 0 else reversed(order):
                    spent, pairs = fn(make, n_trials, storage)
                    per[label].append(spent / pairs * 1e6)
                    results[label] = pairs
                same.append(results["unitune"] == results["native"])  # the same decisions, hence the same pairs
            u, n = statistics.median(per["unitune"]), statistics.median(per["native"])
            ratio = u / n
            verdict = c.verdict(ratio, TARGET_RATIO)
            rows.append([storage_name, name, n_trials, u, n, ratio, "yes" if all(same) else "NO", verdict])
    return c.table(
        ["storage", "pruner", "trials", "unitune us/pair", "native us/pair", "ratio", "same", f"<= {TARGET_RATIO}x"],
        rows,
        title="(a) Cost per report + should_prune (optuna:tpe, 20 steps a trial)",
    )


def _journal() -> Any:
    import tempfile

    from optuna.storages.journal import JournalFileBackend, JournalStorage

    folder = tempfile.mkdtemp(prefix="unitune-bench-")
    return JournalStorage(JournalFileBackend(str(Path(folder) / "journal.log")))


def section_b(args: argparse.Namespace) -> str:
    names = ["sgd_digits", "mlp_breast_cancer", "boosting_breast_cancer", "learning_curve"]
    names = names[-1:] if args.quick else names
    backends = ["optuna:tpe", "hyperopt:tpe"] if args.quick else ["optuna:tpe", "hyperopt:tpe", "skopt:gp"]
    seeds = range(2 if args.quick else args.seeds)
    n_trials = 8 if args.quick else args.trials
    variants = [None, "median", "asha", "hyperband"]
    t0 = time.perf_counter()
    cmp = ut.compare(names, backends=backends, n_trials=n_trials, seeds=seeds, n_jobs=args.jobs, pruner=variants)
    wall = time.perf_counter() - t0
    if args.csv:
        cmp.to_csv(args.csv)
    summary = cmp.summary()
    summary = summary[summary["backend"].str.contains("+", regex=False)]
    rows = [
        [
            r.problem,
            r.backend,
            r.runs,
            r.steps,
            r.steps_saved,
            r.quality_cost,
            r.quality_cost_equal_steps,
        ]
        for r in summary.itertuples()
    ]
    title = (
        f"(b) Pruning against no pruning: {n_trials} trials, {len(seeds)} seeds, mean over seeds "
        f"(quality: regret when the optimum is known, else validation error; {wall:.0f} s)"
    )
    if cmp.failures.shape[0]:
        print(cmp.failures.to_string(), file=sys.stderr)
    return c.table(
        ["problem", "backend+pruner", "runs", "steps", "steps saved", "quality cost", "quality cost, equal steps"],
        rows,
        title=title,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny budgets (a smoke test)")
    parser.add_argument("--sections", default="a,b", help="comma-separated among a,b")
    parser.add_argument("--repeats", type=int, default=7, help="repeats of each pair in section a")
    parser.add_argument("--trials-a", type=int, default=100, help="trials per study in section a")
    parser.add_argument("--trials", type=int, default=30, help="trials per run in section b")
    parser.add_argument("--seeds", type=int, default=10, help="seeds in section b")
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel in section b")
    parser.add_argument("--csv", default="", help="write section b's trials table here")
    args = parser.parse_args()
    print(f"Machine: {c.machine()}", flush=True)
    for section in args.sections.split(","):
        print({"a": section_a, "b": section_b}[section.strip()](args), flush=True)


if __name__ == "__main__":
    main()
