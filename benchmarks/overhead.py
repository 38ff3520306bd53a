"""How much does unitune add on top of hand-written Optuna / Hyperopt / scikit-optimize code?

Run:  python benchmarks/overhead.py            (full budgets: ~15 minutes on a quiet 2-core machine)
      python benchmarks/overhead.py --quick    (tiny budgets, a smoke test)
      python benchmarks/overhead.py --sections a --rows skopt:forest --repeats 7 -o forest.json

pyperf's options work as usual (-o results.json, -q, --affinity, ...), except its -p/-n/-w,
--fast and --rigorous: the number of runs is set per row (see --repeats).

Sections (each prints a Markdown table):
  a  whole-study time, unitune / native, same space, seed and budget
  b  unitune's own time per trial (from the runs of a, three ways, see below)
  c  growth of unitune's own per-trial time over a long study (optuna:random, hyperopt:rand)
  d  durable record: SQLite and journal-file storage, unitune / native Optuna with that storage
  e  `import unitune` time and the heavy modules it pulls in

Method. pyperf (see ``_harness.py``) times every run in fresh worker processes: for each row,
unitune (``unitune.Study(...).optimize``, what ``unitune.minimize`` does) and the hand-written
native program (``native.py``) run with the same space, seed and budget, in alternating
processes (U N, N U, ...), each process with a warm-up run first (none for the skopt rows,
whose runs take 5-30 s: the libraries are imported before the measured run instead). A value is
``time.perf_counter`` around the whole study (space and ``Study`` construction included on both
sides); we report the median over the values, the ratio of medians and the spread of the native
values (max/min), which says how far a ratio can be trusted. Every measured run of unitune must
see the losses of the native program, trial by trial (same trajectory), which the ``same
trajectory`` column checks. Optuna's logging is set to WARNING for the native runs and left at its
default for unitune's.

unitune's own time per trial (b) is measured three ways, on the unitune runs of (a):
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

import functools
import gc
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

import _common as c
from _harness import Facts, Harness, check_same_trajectory

import unitune as ut

TARGET_MODEL, TARGET_RANDOM, TARGET_US, TARGET_GROWTH, TARGET_RECORD = 1.05, 1.10, 50.0, 1.2, 1.10
RANDOM = {"optuna:random", "hyperopt:rand"}


def run_unitune(backend: str, space: str, n: int, seed: int, storage: str | None = None) -> Facts:
    """One unitune study (``storage``: None, "sqlite" or "journal", a fresh file each run)."""
    objective = c.Recorder(c.OBJECTIVES[space])
    c.import_backend(backend)
    c.default_optuna_logging()
    with c.fresh_storage(storage) as location:
        gc.collect()
        cpu0, t0 = time.process_time(), time.perf_counter()
        study = ut.Study(c.unitune_space(space), backend=backend, seed=seed, storage=location)
        t1 = time.perf_counter()
        study.optimize(objective, n)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        backend_time = sum(t.suggest_time + t.tell_time for t in study.trials)  # reads the record: before it goes
    return {
        "time": elapsed,
        "cpu": cpu,
        "init": t1 - t0,
        "losses": objective.losses,
        "overhead": study.overhead,
        "backend": backend_time,
        "residual": elapsed - backend_time - objective.total,
    }


def run_native(backend: str, space: str, n: int, seed: int, storage: str | None = None) -> Facts:
    """The native program for the same study (a fresh storage of the same kind)."""
    objective = c.Recorder(c.OBJECTIVES[space])
    c.import_backend(backend)
    with c.fresh_storage(storage) as location:
        gc.collect()
        cpu0, t0 = time.process_time(), time.perf_counter()
        c.native_run(backend, space, objective, n, seed, storage=c.optuna_storage(location))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"time": elapsed, "cpu": cpu, "losses": objective.losses}


# --------------------------------------------------------------------------------------------- (a), (b)


def _ab_rows(args: Any) -> list[tuple[str, str, int]]:
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


def section_ab(h: Harness) -> str | None:
    args = h.args
    rows = [r for r in _ab_rows(args) if not args.rows or any(f in r[0] for f in args.rows.split(","))]
    results = []
    for backend, space, n in rows:
        # skopt: 5-30 s per study; no warm-up run, the libraries are imported before the measured one
        heavy = backend.startswith("skopt")
        budget = dict(processes=3, values=1, warmups=0) if heavy else dict(processes=4, values=2, warmups=1)
        runs = {
            "unitune": functools.partial(run_unitune, backend, space, n, args.seed),
            "native": functools.partial(run_native, backend, space, n, args.seed),
        }
        results.append((backend, space, n, h.pair(f"a {backend} {space}", runs, **budget)))
    if h.is_worker:
        return None
    table_a, table_b = [], []
    for backend, space, n, pair in results:
        u, x = pair["unitune"], pair["native"]
        tu, tn = u.median, x.median
        target = TARGET_RANDOM if backend in RANDOM else TARGET_MODEL
        same = check_same_trajectory(f"{backend} {space}", u.facts, x.facts)
        table_a.append(
            [backend, c.SPACE_LABEL[space], n, f"{u.n} + {x.n}", tu, tn, tu / tn, u.fact("cpu") / x.fact("cpu"),
             x.spread(), f"<= {target}", c.verdict(tu / tn, target), "yes" if same else "NO"]
        )  # fmt: skip
        residual = u.fact("residual") / n * 1e6
        diff = (tu - tn) / n * 1e6
        table_b.append(
            [backend, c.SPACE_LABEL[space], n, u.fact("overhead") / n * 1e6, residual,
             (u.fact("residual") - u.fact("init")) / n * 1e6, diff, u.fact("init") * 1e3,
             u.fact("backend") / n * 1e6, c.verdict(residual, TARGET_US), c.verdict(diff, TARGET_US)]
        )  # fmt: skip
    out = c.table(
        ["backend", "space", "trials", "runs (U + N)", "unitune s (median)", "native s (median)", "ratio (median)",
         "CPU-time ratio (median)", "native max/min", "target", "verdict", "same trajectory"],
        table_a,
        "(a) Whole-study time, unitune / native",
    )  # fmt: skip
    out += "\n" + c.table(
        ["backend", "space", "trials", "study.overhead/n us", "instrumented/n us", "instrumented - Study() us",
         "(U - N)/n us", "Study() ms", "backend ask+tell/n us", "verdict (instr.)", "verdict (U - N)"],
        table_b,
        f"(b) unitune's own time per trial, microseconds (target <= {TARGET_US:.0f} us)",
    )  # fmt: skip
    return out


# --------------------------------------------------------------------------------------------- (c)


def _segment(xs: list[float], first: bool, k: int) -> list[float]:
    return xs[:k] if first else xs[-k:]


def _trimmed_mean(xs: list[float], keep: float = 0.95) -> float:
    """Mean of the smallest 95%: drops the trials during which the OS ran another process."""
    kept = sorted(xs)[: max(1, int(len(xs) * keep))]
    return sum(kept) / len(kept)


def _first_last(series: dict[str, list[float]], k: int) -> Facts:
    """Trimmed means (us) of the first and the last k per-trial times of each series."""
    return {
        f"{key} {end}": _trimmed_mean(_segment(xs, end == "first", k)) * 1e6
        for key, xs in series.items()
        for end in ("first", "last")
    }


def growth_unitune(backend: str, n: int, k: int, seed: int) -> Facts:
    """A long unitune study; per-trial times split into backend (ask/tell), objective and unitune's own."""
    objective = c.Recorder(c.branin_objective)
    marks: list[tuple[float, float, float, float]] = []

    def callback(study: ut.Study, trial: ut.Trial) -> None:
        marks.append((time.perf_counter(), trial.suggest_time + trial.tell_time, objective.total, study.overhead))

    c.import_backend(backend)
    study = ut.Study(c.unitune_space("branin"), backend=backend, seed=seed)
    marks.append((time.perf_counter(), 0.0, 0.0, 0.0))
    study.optimize(objective, n, callbacks=[callback])
    steps = list(itertools.pairwise(marks))
    cycle = [b[0] - a[0] for a, b in steps]
    backend_t = [b[1] for _, b in steps]
    obj = [b[2] - a[2] for a, b in steps]
    own = [cy - bk - ob for cy, bk, ob in zip(cycle, backend_t, obj, strict=True)]
    counter = [b[3] - a[3] for a, b in steps]
    series = {"own": own, "counter": counter, "backend": backend_t, "cycle": cycle}
    return {"time": marks[-1][0] - marks[0][0], **_first_last(series, k)}


def growth_native(backend: str, n: int, k: int, seed: int) -> Facts:
    """The native program's per-trial cycle: the time between consecutive objective calls."""
    stamps: list[float] = []

    def objective(config: dict[str, Any]) -> float:
        stamps.append(time.perf_counter())
        return c.branin_objective(config)

    c.import_backend(backend)
    c.native_run(backend, "branin", objective, n, seed)
    return {"time": stamps[-1] - stamps[0], **_first_last({"cycle": [b - a for a, b in itertools.pairwise(stamps)]}, k)}


def section_c(h: Harness) -> str | None:
    """Growth of the per-trial times: the verdict is the median growth over several unitune studies.

    The machine's speed drifts by up to +-50% over seconds (other processes, CPU frequency): within
    one study, unitune's own time and the backend's move together. So the unitune study runs in 3
    worker processes (one study each) and the growth of each is shown; the verdict is their median.
    """
    args = h.args
    n = args.trials or (2000 if args.quick else 20000)
    k = max(1, min(1000, n // 10))
    results = []
    for backend in ("optuna:random", "hyperopt:rand"):
        # hyperopt's fmin scans every trial several times per iteration (quadratic in total):
        # its 20,000-trial run would take most of an hour, so the native context row is shorter
        n_native = n if backend.startswith("optuna") else min(n, args.native_trials)
        u = h.bench(f"c {backend} unitune", functools.partial(growth_unitune, backend, n, k, args.seed),
                    processes=3, values=1, warmups=0)  # fmt: skip
        x = h.bench(f"c {backend} native", functools.partial(growth_native, backend, n_native, k, args.seed),
                    processes=1, values=1, warmups=0)  # fmt: skip
        results.append((backend, n_native, u, x))
    if h.is_worker:
        return None
    rows = []
    for backend, n_native, u, x in results:
        series = [
            ("unitune own (instrumented)", u, "own"),
            ("unitune own (study.overhead)", u, "counter"),
            ("unitune backend ask+tell", u, "backend"),
            ("unitune whole trial", u, "cycle"),
            (f"native whole trial ({n_native} trials)", x, "cycle"),
        ]
        for label, measured, key in series:
            firsts = [f[f"{key} first"] for f in measured.facts]
            lasts = [f[f"{key} last"] for f in measured.facts]
            growths = [last / first for first, last in zip(firsts, lasts, strict=True)]
            median_growth = statistics.median(growths)
            rows.append(
                [backend, label, measured.n, measured.fact(f"{key} first"), measured.fact(f"{key} last"),
                 " ".join(f"{g:.2f}" for g in growths), median_growth,
                 c.verdict(median_growth, TARGET_GROWTH) if label.startswith("unitune own") else ""]
            )  # fmt: skip
    return c.table(
        ["backend", "per-trial time", "studies", f"first {k} us", f"last {k} us", "growth of each study",
         "growth (median)", "verdict"],
        rows,
        f"(c) Growth over {n} trials of Branin: last {k} / first {k} trials, trimmed means (the fastest 95%) "
        f"(target: unitune own, median growth <= {TARGET_GROWTH})",
    )  # fmt: skip


# --------------------------------------------------------------------------------------------- (d)


def section_d(h: Harness) -> str | None:
    args = h.args
    n = 20 if args.quick else 200
    results = []
    for kind in ("sqlite", "journal"):
        for backend in ("optuna:random", "optuna:tpe"):
            runs = {
                "unitune": functools.partial(run_unitune, backend, "branin", n, args.seed, kind),
                "native": functools.partial(run_native, backend, "branin", n, args.seed, kind),
            }
            budget = dict(processes=3, values=1) if kind == "sqlite" else dict(processes=4, values=2)
            results.append((kind, backend, h.pair(f"d {kind} {backend}", runs, **budget, warmups=1)))
    if h.is_worker:
        return None
    rows = []
    for kind, backend, pair in results:
        u, x = pair["unitune"], pair["native"]
        same = check_same_trajectory(f"{backend} {kind}", u.facts, x.facts)
        rows.append(
            [kind, backend, n, f"{u.n} + {x.n}", u.median, x.median, u.median / n * 1e3, x.median / n * 1e3,
             u.median / x.median, x.spread(), c.verdict(u.median / x.median, TARGET_RECORD), "yes" if same else "NO"]
        )  # fmt: skip
    return c.table(
        ["storage", "backend", "trials", "runs (U + N)", "unitune s", "native s", "unitune ms/trial",
         "native ms/trial", "ratio (median)", "native max/min", f"verdict (<= {TARGET_RECORD})", "same trajectory"],
        rows,
        "(d) Durable record, Branin: unitune / native Optuna with the same storage",
    )  # fmt: skip


# --------------------------------------------------------------------------------------------- (e)

HEAVY = ["optuna", "hyperopt", "skopt", "sklearn", "matplotlib", "dask", "distributed", "scipy", "pandas",
         "sqlalchemy", "numpy", "alembic", "loky", "cloudpickle", "tqdm"]  # fmt: skip
STATEMENTS = ["pass", "import numpy", "import pandas", "import unitune"]


def section_e(h: Harness) -> str | None:
    benches = [
        h.command(f"e python -c {s!r}", [sys.executable, "-c", s], processes=3, values=3, warmups=1) for s in STATEMENTS
    ]
    if h.is_worker:
        return None
    medians = [float(b.median()) for b in benches]
    rows = [
        [f'python -c "{s}"', b.get_nvalue(), m * 1e3, (m - medians[0]) * 1e3, min(b.get_values()) * 1e3]
        for s, b, m in zip(STATEMENTS, benches, medians, strict=True)
    ]
    out = c.table(
        ["command", "interpreters", "median ms", "median - bare interpreter ms", "min ms"],
        rows,
        "(e) Import time in fresh interpreters (pyperf bench_command)",
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
    h = Harness(__doc__ or "")
    h.option("--sections", default="a,c,d,e", help="comma-separated among a,b,c,d,e (a includes b)")
    h.option("--rows", default="", help="(a)/(b): only backends containing one of these, e.g. optuna,hyperopt")
    h.option("--trials", type=int, default=0, help="trials of the growth study (default 20000; 2000 quick)")
    h.option("--native-trials", type=int, default=5000, help="cap of the native hyperopt growth run (default 5000)")
    args = h.parse()
    c.silence_loggers()
    sections = {s.strip() for s in args.sections.split(",")}
    if not h.is_worker:
        print(f"# unitune overhead benchmark{' (--quick)' if args.quick else ''}\n")
        print(f"Machine: {c.machine()}")
        print(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n", flush=True)
    t0 = time.perf_counter()
    for name, fn in [("a", section_ab), ("c", section_c), ("d", section_d), ("e", section_e)]:
        if name in sections or (name == "a" and "b" in sections):
            out = fn(h)
            if out is not None:
                print("\n" + out, flush=True)
    if not h.is_worker:
        print(
            f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"total {time.perf_counter() - t0:.0f} s"
        )


if __name__ == "__main__":
    main()
