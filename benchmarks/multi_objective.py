"""How well does each backend find Pareto fronts and constrained optima? (numbers for docs/multi-objective.md)

Run:  python benchmarks/multi_objective.py              (100 trials, 10 seeds, 2 processes: about 30 min
                                                         of CPU, nearly all of it skopt:gp)
      python benchmarks/multi_objective.py --quick      (a smoke test)
      python benchmarks/multi_objective.py --trials 200 --seeds 5 --jobs 4 --out results.csv
      python benchmarks/multi_objective.py --backends skopt:gp --storage sqlite:///mo.db   (kill it, run it
                                                         again: finished runs are kept)

With several processes, give each one BLAS thread (``OMP_NUM_THREADS=1``): scikit-optimize's GP
on two cores with threaded BLAS in every process ran about three times slower.

Part 1, several objectives: ZDT1 and DTLZ2 in 5 variables (``"zdt1_5d"``, ``"dtlz2_5d"``), every
backend with its default options, ``unitune.compare`` with the same seeds and budget. The score
is the hypervolume of the front found after the budget, divided by the true front's
hypervolume, both up to the problem's reference point ((11, 11) for ZDT1, (1.1, 1.1, 1.1) for
DTLZ2): 1 is the whole true front. Hyperopt and scikit-optimize reach several objectives
through ParEGO (a fallback, see ``unitune.backends()``).

Part 2, constraints: the constrained problems (``constrained_branin``, ``gardner1``,
``gardner2``, ``gramacy``), the same backends; the score is the best feasible value after
the budget (its regret to the known constrained optimum), and the share of feasible trials.
Hyperopt and scikit-optimize reach constraints through the feasibility penalty.

Each table gives the median over seeds and the interquartile range.
"""

from __future__ import annotations

import argparse
import time
import warnings

import unitune as ut

BACKENDS = ["optuna:nsga2", "optuna:tpe", "hyperopt:tpe", "skopt:gp", "optuna:random"]
MULTI = ["zdt1_5d", "dtlz2_5d"]
CONSTRAINED = ["constrained_branin", "gardner1", "gardner2", "gramacy"]


def quartiles(series: object) -> str:
    q1, median, q3 = series.quantile([0.25, 0.5, 0.75])  # type: ignore[attr-defined]
    return f"{median:.4g} [{q1:.4g}, {q3:.4g}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated (default: all five)")
    parser.add_argument("--problems", default=",".join(MULTI + CONSTRAINED), help="comma-separated (default: all six)")
    parser.add_argument("--storage", default=None, help="keep every run in this storage: run again to go on")
    parser.add_argument("--out", default=None, help="write the long-form trials table (CSV) here")
    parser.add_argument("--quick", action="store_true", help="8 trials, 2 seeds, cheap skopt options")
    args = parser.parse_args()
    trials, seeds = (8, 2) if args.quick else (args.trials, args.seeds)
    options = {"skopt:gp": {"n_points": 200, "n_restarts_optimizer": 1}} if args.quick else {}
    warnings.simplefilter("ignore")  # start-up warnings of short --quick runs; Optuna's experimental notes
    started = time.perf_counter()
    backends = args.backends.split(",")
    multi = [name for name in MULTI if name in args.problems.split(",")]
    constrained = [name for name in CONSTRAINED if name in args.problems.split(",")]
    seed_range = range(args.first_seed, args.first_seed + seeds)
    cmp = ut.compare([*multi, *constrained], backends=backends, n_trials=trials, seeds=seed_range,
                     n_jobs=args.jobs, backend_options=options, storage=args.storage)  # fmt: skip
    elapsed = time.perf_counter() - started
    if args.out:
        cmp.to_csv(args.out)
    final = cmp.final()
    print(f"## Several objectives: hypervolume / true front's hypervolume after {trials} trials, {seeds} seeds\n")
    print("median [Q1, Q3]\n")
    print("| backend | " + " | ".join(multi) + " |")
    print("|---|" + "---|" * len(multi))
    for backend in backends:
        cells = []
        for name in multi:
            rows = final[(final.problem == name) & (final.backend == backend)]
            cells.append(quartiles(rows["best"] / cmp.optima[name]) if len(rows) else "failed")
        print(f"| {backend} | " + " | ".join(cells) + " |")
    print(f"\n## Constraints: best feasible value after {trials} trials, {seeds} seeds (optimum in the header)\n")
    print("median [Q1, Q3]; feasible share of trials; runs without a feasible trial\n")
    print("| backend | " + " | ".join(f"{n} ({cmp.optima[n]:.6g})" for n in constrained) + " |")
    print("|---|" + "---|" * len(constrained))
    table = cmp.feasibility().set_index(["problem", "backend"]) if constrained else None
    for backend in backends:
        cells = []
        for name in constrained:
            rows = final[(final.problem == name) & (final.backend == backend)]
            share = table.loc[(name, backend)]
            cells.append(
                f"{quartiles(rows['best'])}; {share.feasible_fraction:.2f}; {int(share.runs_without_feasible)}"
            )
        print(f"| {backend} | " + " | ".join(cells) + " |")
    if len(cmp.failures):
        print("\nFailed runs:\n")
        print(cmp.failures.to_string(index=False))
    print(f"\n({len(final)} runs in {elapsed / 60:.1f} min with {args.jobs} processes)")


if __name__ == "__main__":
    main()
