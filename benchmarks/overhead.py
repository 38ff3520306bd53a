"""How much does unitune add on top of hand-written Optuna / Hyperopt / scikit-optimize code?

Run:  python benchmarks/overhead.py            (full budgets: ~13 minutes on a quiet 2-core machine)
      python benchmarks/overhead.py --quick    (tiny budgets, a smoke test)
      python benchmarks/overhead.py --sections a,c --trials 5000 --repeats 7

Sections (each prints a Markdown table):
  a  whole-study time, unitune / native, same space, seed and budget, interleaved repeats
  b  unitune's own time per trial (three ways, see below)
  c  growth of unitune's own per-trial time over a long study (optuna:random, hyperopt:rand)
  d  durable record: SQLite and journal-file storage, unitune / native Optuna with that storage
  e  `import unitune` time and the heavy modules it pulls in

Method. For every row, unitune (``unitune.minimize``) and the hand-written native program
(see ``_common.py``) run with the same space, seed and budget, alternately (U N, N U, U N, ...)
in the same process, after one untimed warm-up pair; times are ``time.perf_counter`` of the
whole study (space construction included on both sides); we report the median over repeats
and the ratio of medians (and of minimums, which is less sensitive to other processes). Both
programs must find the same best value (same trajectory), which the ``same`` column checks.
Optuna's logging is set to WARNING for the native runs and left at its default for unitune's.

unitune's own time per trial (b) is measured three ways:
  * ``study.overhead / n``: unitune's own bookkeeping counter (the parts of ``Study.ask`` after
    the backend's ask and of ``Study.tell`` before the backend's tell);
  * instrumented: (whole unitune time - sum of Trial.suggest_time - sum of Trial.tell_time -
    time inside the objective) / n, i.e. everything that is not the backend's ask/tell or the
    objective: Study construction, the driver loop, the record, decoding, ...;
  * difference: (median unitune time - median native time) / n. This one also charges unitune
    for work hidden inside the adapter's ask/tell (and credits it where the adapter does less
    than the native loop); for model-based rows it is within the run-to-run noise.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

import unitune as ut

TARGET_MODEL, TARGET_RANDOM, TARGET_US, TARGET_GROWTH, TARGET_RECORD = 1.05, 1.10, 50.0, 1.2, 1.10
RANDOM = {"optuna:random", "hyperopt:rand"}


def run_unitune(backend: str, space: str, n: int, seed: int, **kwargs: Any) -> dict[str, Any]:
    objective = c.Timed(c.OBJECTIVES[space])
    c.default_optuna_logging()
    cpu0, t0 = time.process_time(), time.perf_counter()
    study = ut.minimize(objective, c.unitune_space(space), backend=backend, seed=seed, n_trials=n, **kwargs)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    trials = study.trials
    backend_time = sum(t.suggest_time + t.tell_time for t in trials)
    return {
        "time": elapsed,
        "cpu": cpu,
        "best": study.best_value,
        "overhead": study.overhead,
        "backend": backend_time,
        "objective": objective.total,
        "residual": elapsed - backend_time - objective.total,
    }


def run_native(backend: str, space: str, n: int, seed: int) -> dict[str, Any]:
    objective = c.Timed(c.OBJECTIVES[space])
    cpu0, t0 = time.process_time(), time.perf_counter()
    best = c.native_run(backend, space, n, seed, objective)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"time": elapsed, "cpu": cpu, "best": best, "objective": objective.total}


def study_init_time(backend: str, space: str, seed: int, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ut.Study(c.unitune_space(space), backend=backend, seed=seed)
        times.append(time.perf_counter() - t0)
    return c.median(times)


def pairs(
    run_u: Any, run_n: Any, repeats: int, warm_up: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Interleaved repeats: U N, N U, U N, ... (after one untimed warm-up pair)."""
    if warm_up:
        run_u(), run_n()
    us, ns = [], []
    for r in range(repeats):
        gc.collect()
        if r % 2 == 0:
            us.append(run_u())
            ns.append(run_n())
        else:
            ns.append(run_n())
            us.append(run_u())
    return us, ns


# --------------------------------------------------------------------------------------------- (a), (b)


def _ab_rows(args: argparse.Namespace) -> list[tuple[str, str, int]]:
    if args.quick:
        rows = [(b, "branin", 20) for b in ("optuna:tpe", "optuna:random", "hyperopt:tpe", "hyperopt:rand")]
        rows += [(b, "mixed10", 20) for b in ("optuna:random", "hyperopt:rand")]
        rows += [("skopt:gp", "branin", 11), ("skopt:forest", "branin", 11)]
        return rows
    rows = [
        (b, s, 200)
        for b in ("optuna:tpe", "optuna:random", "hyperopt:tpe", "hyperopt:rand")
        for s in ("branin", "mixed10")
    ]
    rows += [("skopt:gp", s, 30) for s in ("branin", "mixed10")]
    rows += [("skopt:forest", s, 100) for s in ("branin", "mixed10")]
    return rows


def section_ab(args: argparse.Namespace) -> str:
    rows = [r for r in _ab_rows(args) if not args.rows or any(f in r[0] for f in args.rows.split(","))]
    table_a, table_b = [], []
    for backend, space, n in rows:
        repeats = args.repeats or (1 if args.quick else (3 if backend.startswith("skopt") else 7))
        us, ns = pairs(
            lambda backend=backend, space=space, n=n: run_unitune(backend, space, n, args.seed),
            lambda backend=backend, space=space, n=n: run_native(backend, space, n, args.seed),
            repeats,
            warm_up=not args.quick,
        )
        tu, tn = c.median([u["time"] for u in us]), c.median([x["time"] for x in ns])
        ratio, ratio_min = tu / tn, min(u["time"] for u in us) / min(x["time"] for x in ns)
        ratio_cpu = c.median([u["cpu"] for u in us]) / c.median([x["cpu"] for x in ns])
        spread = max(x["time"] for x in ns) / min(x["time"] for x in ns)
        target = TARGET_RANDOM if backend in RANDOM else TARGET_MODEL
        same = all(c.check_same(f"{backend} {space}", u["best"], x["best"]) == "" for u, x in zip(us, ns, strict=True))
        table_a.append(
            [
                backend,
                c.SPACE_LABEL[space],
                n,
                repeats,
                tu,
                tn,
                ratio,
                ratio_min,
                ratio_cpu,
                spread,
                f"<= {target}",
                c.verdict(ratio, target),
                "yes" if same else "NO",
            ]
        )
        init = study_init_time(backend, space, args.seed)
        own = c.median([u["overhead"] for u in us]) / n * 1e6
        residual = c.median([u["residual"] for u in us]) / n * 1e6
        diff = (tu - tn) / n * 1e6
        table_b.append(
            [
                backend,
                c.SPACE_LABEL[space],
                n,
                own,
                residual,
                (c.median([u["residual"] for u in us]) - init) / n * 1e6,
                diff,
                init * 1e3,
                c.median([u["backend"] for u in us]) / n * 1e6,
                c.verdict(residual, TARGET_US),
                c.verdict(diff, TARGET_US),
            ]
        )
        print(
            f"  [a] {backend:14s} {space:8s} n={n:3d}: unitune {tu:.3f}s native {tn:.3f}s ratio {ratio:.3f}",
            file=sys.stderr,
            flush=True,
        )
    out = c.table(
        [
            "backend",
            "space",
            "trials",
            "repeats",
            "unitune s (median)",
            "native s (median)",
            "ratio (median)",
            "ratio (min)",
            "CPU-time ratio (median)",
            "native max/min",
            "target",
            "verdict",
            "same trajectory",
        ],
        table_a,
        "(a) Whole-study time, unitune / native",
    )
    out += "\n" + c.table(
        [
            "backend",
            "space",
            "trials",
            "study.overhead/n us",
            "instrumented/n us",
            "instrumented - Study() us",
            "(U - N)/n us",
            "Study() ms",
            "backend ask+tell/n us",
            "verdict (instr.)",
            "verdict (U - N)",
        ],
        table_b,
        f"(b) unitune's own time per trial, microseconds (target <= {TARGET_US:.0f} us)",
    )
    return out


# --------------------------------------------------------------------------------------------- (c)


def _segment(xs: list[float], first: bool, k: int) -> list[float]:
    return xs[:k] if first else xs[-k:]


def _trimmed_mean(xs: list[float], keep: float = 0.95) -> float:
    """Mean of the smallest 95%: drops the trials during which the OS ran another process."""
    kept = sorted(xs)[: max(1, int(len(xs) * keep))]
    return sum(kept) / len(kept)


def growth_unitune(backend: str, n: int, seed: int) -> dict[str, list[float]]:
    """Per-trial times of a unitune study, split into backend (ask/tell), objective and unitune's own."""
    objective = c.Timed(c.OBJECTIVES["branin"])
    marks: list[tuple[float, float, float, float]] = []

    def callback(study: ut.Study, trial: ut.Trial) -> None:
        marks.append((time.perf_counter(), trial.suggest_time + trial.tell_time, objective.total, study.overhead))

    study = ut.Study(c.unitune_space("branin"), backend=backend, seed=seed)
    marks.append((time.perf_counter(), 0.0, 0.0, 0.0))
    study.optimize(objective, n, callbacks=[callback])
    steps = list(itertools.pairwise(marks))
    cycle = [b[0] - a[0] for a, b in steps]
    backend_t = [b[1] for _, b in steps]
    obj = [b[2] - a[2] for a, b in steps]
    counter = [b[3] - a[3] for a, b in steps]
    own = [cy - bk - ob for cy, bk, ob in zip(cycle, backend_t, obj, strict=True)]
    return {"cycle": cycle, "backend": backend_t, "own": own, "counter": counter}


def growth_native(backend: str, n: int, seed: int) -> list[float]:
    """Per-trial cycle of the native program: time between consecutive objective calls."""
    stamps: list[float] = []

    def objective(config: dict[str, Any]) -> float:
        stamps.append(time.perf_counter())
        return c.branin_objective(config)

    c.native_run(backend, "branin", n, seed, objective)
    return [b - a for a, b in itertools.pairwise(stamps)]


def section_c(args: argparse.Namespace) -> str:
    """Growth of the per-trial times; unitune's studies are repeated and the median growth is the verdict.

    The machine's speed drifts by up to +-50% over seconds (other processes, CPU frequency): within
    one study, unitune's own time and the backend's move together. So each unitune study runs
    ``repeats`` times (default 3) and the growth of each is shown; the verdict is their median.
    """
    n = args.trials or (2000 if args.quick else 20000)
    k = max(1, min(1000, n // 10))
    repeats = args.repeats or (1 if args.quick else 3)
    rows = []
    for backend in ("optuna:random", "hyperopt:rand"):
        t0 = time.perf_counter()
        runs = [growth_unitune(backend, n, args.seed) for _ in range(repeats)]
        t1 = time.perf_counter()
        # hyperopt's fmin scans every trial several times per iteration (quadratic in total):
        # its 20,000-trial run would take most of an hour, so the native context row is shorter
        n_native = n if backend.startswith("optuna") else min(n, args.native_trials)
        nat = growth_native(backend, n_native, args.seed)
        t2 = time.perf_counter()
        series = [
            ("unitune own (instrumented)", [u["own"] for u in runs]),
            ("unitune own (study.overhead)", [u["counter"] for u in runs]),
            ("unitune backend ask+tell", [u["backend"] for u in runs]),
            ("unitune whole trial", [u["cycle"] for u in runs]),
            (f"native whole trial ({n_native} trials, once)", [nat]),
        ]
        for label, per_run in series:
            firsts = [_trimmed_mean(_segment(xs, True, k)) * 1e6 for xs in per_run]
            lasts = [_trimmed_mean(_segment(xs, False, k)) * 1e6 for xs in per_run]
            growths = [last / first for first, last in zip(firsts, lasts, strict=True)]
            own = label.startswith("unitune own")
            rows.append(
                [
                    backend,
                    label,
                    c.median(firsts),
                    c.median(lasts),
                    " ".join(f"{g:.2f}" for g in growths),
                    c.median(growths),
                    c.verdict(c.median(growths), TARGET_GROWTH) if own else "",
                ]
            )
        print(
            f"  [c] {backend}: unitune {t1 - t0:.1f}s for {repeats} x {n} trials, native {t2 - t1:.1f}s for {n_native}",
            file=sys.stderr,
            flush=True,
        )
    return c.table(
        [
            "backend",
            "per-trial time",
            f"first {k} us",
            f"last {k} us",
            "growth of each run",
            "growth (median)",
            "verdict",
        ],
        rows,
        f"(c) Growth over {n} trials of Branin: last {k} / first {k} trials, trimmed means (the fastest 95%), "
        f"{repeats} unitune runs (target: unitune own, median growth <= {TARGET_GROWTH})",
    )


# --------------------------------------------------------------------------------------------- (d)


def section_d(args: argparse.Namespace) -> str:
    n = 20 if args.quick else 200
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**9))

        def storage_for(kind: str, who: str) -> tuple[Any, Any]:
            i = next(counter)
            if kind == "sqlite":
                url = f"sqlite:///{tmp}/{who}{i}.db"
                return url, url
            from optuna.storages.journal import JournalFileBackend, JournalStorage

            path = f"{tmp}/{who}{i}.log"
            return path, lambda: JournalStorage(JournalFileBackend(path))

        for kind in ("sqlite", "journal"):
            for backend in ("optuna:random", "optuna:tpe"):
                algorithm = backend.split(":")[1]

                def run_u(kind: str = kind, backend: str = backend) -> dict[str, Any]:
                    storage, _ = storage_for(kind, "u")
                    return run_unitune(backend, "branin", n, args.seed, storage=storage)

                def run_n(kind: str = kind, algorithm: str = algorithm) -> dict[str, Any]:
                    _, storage = storage_for(kind, "n")
                    objective = c.Timed(c.branin_objective)
                    t0 = time.perf_counter()
                    store = storage() if callable(storage) else storage
                    best = c.native_optuna("branin", algorithm, n, args.seed, objective, storage=store)
                    return {"time": time.perf_counter() - t0, "best": best}

                repeats = args.repeats or (1 if args.quick else (3 if kind == "sqlite" else 7))
                us, ns = pairs(run_u, run_n, repeats, warm_up=not args.quick)
                tu, tn = c.median([u["time"] for u in us]), c.median([x["time"] for x in ns])
                same = all(
                    c.check_same(f"{backend} {kind}", u["best"], x["best"]) == "" for u, x in zip(us, ns, strict=True)
                )
                rows.append(
                    [
                        kind,
                        backend,
                        n,
                        repeats,
                        tu,
                        tn,
                        tu / n * 1e3,
                        tn / n * 1e3,
                        tu / tn,
                        min(u["time"] for u in us) / min(x["time"] for x in ns),
                        c.verdict(tu / tn, TARGET_RECORD),
                        "yes" if same else "NO",
                    ]
                )
                print(f"  [d] {kind} {backend}: unitune {tu:.3f}s native {tn:.3f}s", file=sys.stderr, flush=True)
    return c.table(
        [
            "storage",
            "backend",
            "trials",
            "repeats",
            "unitune s",
            "native s",
            "unitune ms/trial",
            "native ms/trial",
            "ratio (median)",
            "ratio (min)",
            f"verdict (<= {TARGET_RECORD})",
            "same trajectory",
        ],
        rows,
        "(d) Durable record, Branin: unitune / native Optuna with the same storage",
    )


# --------------------------------------------------------------------------------------------- (e)

HEAVY = [
    "optuna",
    "hyperopt",
    "skopt",
    "sklearn",
    "matplotlib",
    "dask",
    "distributed",
    "scipy",
    "pandas",
    "sqlalchemy",
    "numpy",
    "alembic",
    "loky",
    "cloudpickle",
    "tqdm",
]


def section_e(args: argparse.Namespace) -> str:
    repeats = 3 if args.quick else 9
    statements = ["pass", "import numpy", "import pandas", "import unitune"]
    times: dict[str, list[float]] = {s: [] for s in statements}
    for _ in range(repeats):  # interleaved
        for s in statements:
            times[s].append(c.run_python(s))
    base = c.median(times["pass"])
    rows = [
        [f'python -c "{s}"', c.median(times[s]) * 1e3, (c.median(times[s]) - base) * 1e3, min(times[s]) * 1e3]
        for s in statements
    ]
    out = c.table(
        ["command", "median ms", "median - bare interpreter ms", "min ms"],
        rows,
        f"(e) Import time, median of {repeats} fresh interpreters",
    )
    code = (
        f"import json, sys, unitune; heavy = {HEAVY!r}; "
        "print(json.dumps([[m for m in heavy if m in sys.modules], len(sys.modules)]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    pulled_list, total = json.loads(result.strip().splitlines()[-1])
    pulled = ", ".join(pulled_list)
    out += f"\nHeavy modules in sys.modules after `import unitune`: {pulled or 'none'} ({total} modules in all)\n"
    out += f"Checked: {', '.join(HEAVY)}\n"
    # where the time goes: -X importtime, cumulative microseconds of the biggest top-level imports
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import unitune"], capture_output=True, text=True, check=True
    ).stderr
    top: dict[str, int] = {}
    for line in err.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(3)) <= 3:  # unitune's own modules and what they import directly
            top[m.group(4)] = max(top.get(m.group(4), 0), int(m.group(2)))
    biggest = sorted(top.items(), key=lambda kv: -kv[1])[:10]
    out += "\n" + c.table(
        ["module (-X importtime, depth <= 2)", "cumulative ms"],
        [[name, us / 1e3] for name, us in biggest],
        "(e) Biggest imports under `import unitune` (one run)",
    )
    return out


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny budgets (a smoke test)")
    parser.add_argument("--sections", default="a,c,d,e", help="comma-separated among a,b,c,d,e (a includes b)")
    parser.add_argument(
        "--repeats", type=int, default=0, help="repeats per row (default: 7, 3 for skopt and for (c); 1 quick)"
    )
    parser.add_argument("--trials", type=int, default=0, help="trials of the growth study (default 20000; 2000 quick)")
    parser.add_argument(
        "--native-trials", type=int, default=5000, help="cap of the native hyperopt growth run (default 5000)"
    )
    parser.add_argument(
        "--rows", default="", help="(a)/(b): only backends containing one of these, e.g. optuna,hyperopt"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    c.silence_loggers()
    sections = {s.strip() for s in args.sections.split(",")}
    print(f"# unitune overhead benchmark{' (--quick)' if args.quick else ''}\n")
    print(f"Machine: {c.machine()}")
    print(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    t0 = time.perf_counter()
    for name, fn in [("a", section_ab), ("c", section_c), ("d", section_d), ("e", section_e)]:
        if name in sections or (name == "a" and "b" in sections):
            print(fn(args), flush=True)
    print(
        f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; total {time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
