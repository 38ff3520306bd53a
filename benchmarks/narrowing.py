"""Start broad, then narrow: is it better than one broad study of the same budget?

Run:  nice -n 10 python benchmarks/narrowing.py            (8 problems, 10 seeds, 100 trials; ~30 min on 2 cores)
      python benchmarks/narrowing.py --quick                 (3 problems, 2 seeds, 30 trials)

For each problem and seed, the same total budget of N trials is spent three ways:

* ``broad TPE``: one study of N trials with ``optuna:tpe`` on the problem's space;
* ``random -> narrowed TPE``: 40% of N with ``optuna:random``, then ``study.narrow()`` (the
  defaults: the top 20% of the trials, 10% margin) and ``study.continue_narrowed(backend=
  "optuna:tpe")`` for the other 60% (warm-started with the trials inside the narrowed space);
* ``TPE -> narrowed TPE``: the same with ``optuna:tpe`` for the broad 40%.

Reported per problem: the median (and interquartile range) over seeds of the final regret, the
best value of all N trials minus the known optimum (every problem here is minimized); how often
each narrowed arm ends better / worse than the broad study of the same seed; how often the
narrowed space still contains a known optimum; and the median volume the narrowed space keeps
(the chance that a uniform draw from the original space lands in it, see ``Narrowing.volume``).

Known optima: the synthetic functions' (Branin's three minimizers, the others' one); for the
scikit-learn tasks (a deterministic cross-validation loss) the best point of a dense grid over
their space, or the best value any run found if lower, and every grid point that ties with it as
"an optimum".
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import unitune as ut

BRANIN_MINIMIZERS = [{"x0": -math.pi, "x1": 12.275}, {"x0": math.pi, "x1": 2.275}, {"x0": 9.42478, "x1": 2.475}]
ARMS = ("broad TPE", "random -> narrowed TPE", "TPE -> narrowed TPE")
BROAD_SHARE = 0.4


@dataclass
class Target:
    """A problem with its optimum value and the configurations that reach it."""

    name: str
    space: ut.Space
    objective: Callable[[dict[str, Any]], float]
    optimum: float
    optima: list[dict[str, Any]]


def grid_optimum(problem: ut.problems.Problem, points: int) -> tuple[float, list[dict[str, Any]]]:
    """The best value of a grid of ``points`` values per continuous parameter, and the configs that tie with it."""
    space = ut.Space(problem.space)
    axes: dict[str, list[Any]] = {}
    for p in space.params:
        prim = p.primitive
        if prim.kind == "choice" or prim.kind == "int":
            axes[p.name] = [p.element.decode(v) for v in prim.values()]
        elif prim.log:
            axes[p.name] = list(np.geomspace(prim.low, prim.high, points))
        else:
            axes[p.name] = list(np.linspace(prim.low, prim.high, points))
    names = list(axes)
    configs = [space.unflatten(dict(zip(names, values, strict=True))) for values in _product(axes)]
    values = [problem(c) for c in configs]
    best = min(values)
    return best, [c for c, v in zip(configs, values, strict=True) if v <= best + 1e-12]


def _product(axes: Mapping[str, list[Any]]) -> list[tuple[Any, ...]]:
    import itertools

    return list(itertools.product(*axes.values()))


def targets(quick: bool) -> list[Target]:
    out = []
    synthetic = ["branin", "hartmann6", "rosenbrock2d", "levy2d", "mixed", "conditional"]
    sklearn = ["sklearn:ridge:diabetes", "sklearn:svm:breast_cancer"]
    if quick:
        synthetic, sklearn = ["branin", "conditional"], ["sklearn:ridge:diabetes"]
    for name in synthetic:
        p = ut.problems.get(name)
        assert p.optimum is not None and p.minimizer is not None and p.direction == "minimize"
        optima = BRANIN_MINIMIZERS if name == "branin" else [dict(p.minimizer)]
        out.append(Target(name, ut.Space(p.space), p.objective, p.optimum, optima))
    for name in sklearn:
        p = ut.problems.get(name)
        points = 12 if quick else (200 if len(ut.Space(p.space)) == 1 else 30)
        t0 = time.perf_counter()
        best, optima = grid_optimum(p, points)
        print(f"# {name}: grid optimum {best:.6g} ({len(optima)} tied point(s), {time.perf_counter() - t0:.0f} s)")
        out.append(Target(name, ut.Space(p.space), p.objective, best, optima))
    return out


def contains(space: ut.Space, optima: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a configuration of ``optima`` fits ``space`` (a value outside a bound does not)."""
    for config in optima:
        try:
            space.encode(config)
        except ut.ConfigError:
            continue
        return True
    return False


def run(target: Target, arm: str, n: int, seed: int) -> dict[str, Any]:
    if arm == "broad TPE":
        study = ut.minimize(target.objective, target.space, backend="optuna:tpe", n_trials=n, seed=seed)
        return {"best": study.best_value, "inside": None, "volume": None, "kept": None}
    first = round(BROAD_SHARE * n)
    broad = ut.minimize(
        target.objective,
        target.space,
        backend="optuna:random" if arm.startswith("random") else "optuna:tpe",
        n_trials=first,
        seed=seed,
    )
    narrowed = broad.narrow(min_trials=min(20, first))
    fine = broad.continue_narrowed(narrowed, backend="optuna:tpe", seed=seed + 1000)
    fine.optimize(target.objective, n_trials=n - first)
    return {
        "best": min(broad.best_value, fine.best_value),
        "inside": contains(narrowed, target.optima),
        "volume": narrowed.volume,
        "kept": narrowed.kept,
    }


def _fmt(values: Sequence[float]) -> str:
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return f"{med:.3g} [{q1:.3g}, {q3:.3g}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 problems, 2 seeds, 30 trials (a smoke run)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..S-1 (default: 10; --quick: 2)")
    parser.add_argument("--trials", type=int, default=None, help="total budget N per run (default: 100; --quick: 30)")
    args = parser.parse_args()
    seeds = range(args.seeds or (2 if args.quick else 10))
    n = args.trials or (30 if args.quick else 100)
    warnings.simplefilter("ignore", ut.UnituneWarning)
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    t0 = time.perf_counter()
    problems = targets(args.quick)
    for target in problems:
        for arm in ARMS:
            results[target.name, arm] = [run(target, arm, n, seed) for seed in seeds]
        target.optimum = min(target.optimum, *(r["best"] for arm in ARMS for r in results[target.name, arm]))
        print(f"# {target.name} done ({time.perf_counter() - t0:.0f} s)", flush=True)

    print(f"\n### Final regret, same budget ({n} trials; narrowed arms: {BROAD_SHARE:.0%} broad, then narrowed)\n")
    print("Median [IQR] over seeds of the best value minus the known optimum (lower is better).\n")
    print("| problem | " + " | ".join(ARMS) + " |")
    print("|---|" + "---:|" * len(ARMS))
    for target in problems:
        cells = [_fmt([r["best"] - target.optimum for r in results[target.name, arm]]) for arm in ARMS]
        print(f"| {target.name} | " + " | ".join(cells) + " |")

    print(f"\n### Narrowed against broad, per seed ({len(seeds)} seeds)\n")
    print("Better / worse: the narrowed arm's final regret below / above the broad study's of the same seed")
    print("(within 1e-9: a tie). Optimum inside: the narrowed space still holds a known optimum.\n")
    print(
        "| problem | arm | better | worse | optimum inside | volume kept (median [IQR]) | broad trials kept (median) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for target in problems:
        broad = [r["best"] for r in results[target.name, ARMS[0]]]
        for arm in ARMS[1:]:
            rows = results[target.name, arm]
            better = sum(r["best"] < b - 1e-9 for r, b in zip(rows, broad, strict=True))
            worse = sum(r["best"] > b + 1e-9 for r, b in zip(rows, broad, strict=True))
            inside = sum(bool(r["inside"]) for r in rows)
            kept = statistics.median(r["kept"] for r in rows)
            volume = _fmt([r["volume"] for r in rows])
            print(
                f"| {target.name} | {arm} | {better}/{len(rows)} | {worse}/{len(rows)} | {inside}/{len(rows)} "
                f"| {volume} | {kept:g} of {round(BROAD_SHARE * n)} |"
            )
    print(f"\n# total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
