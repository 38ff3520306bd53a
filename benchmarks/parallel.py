"""Parallel efficiency: 64 trials of a 0.25 s sleeping objective, 8 trials in flight.

Run:  python benchmarks/parallel.py            (full: ~3-5 minutes)
      python benchmarks/parallel.py --quick    (8 trials of 0.02 s, one repeat)

Efficiency is wall time / ideal time, ideal = trials * sleep / 8 = 2 s (target <= 1.25).
For each backend (optuna = optuna:tpe, hyperopt = hyperopt:tpe, skopt:forest) and each way to
run trials:

* threads:   ``executor=ThreadPoolExecutor(8)`` (the pool's 8 workers set the trials in flight);
* processes: ``n_jobs=8``: unitune's own loky pool. The first call after the pool was shut
  down (cold: 8 worker processes start) and a second call right after (warm) are timed; the
  worker start-up is cold - warm;
* dask:      ``distributed.LocalCluster(n_workers=2, threads_per_worker=4)`` = 8 slots, and
  ``executor=client.get_executor(), n_jobs=8``. This machine has 2 cores; sleeping objectives
  do not need cores, so 2 worker processes (one per core) with 4 threads each give 8 slots
  without 8 interpreters competing for 2 cores. The cluster start-up is reported separately,
  and one row runs without ``n_jobs`` to show how many trials unitune keeps in flight then.

Each trial returns its start and end (wall clock, ``time.time()``, shared by the processes of
one machine) as trial attributes, from which we report the largest and the mean number of
trials in flight; the time the study spends in the backend's ask/tell (main thread, serial)
is the sum of ``Trial.suggest_time`` (ask) and of ``Trial.tell_time`` (tell). A reference row runs the same
objective with Optuna's own ``study.optimize(n_jobs=8)`` (threads).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

import unitune as ut

TARGET = 1.25
K = 8
BACKENDS = ["optuna", "hyperopt", "skopt:forest"]
SPACE = {"x0": ut.Float(-5.0, 10.0), "x1": ut.Float(0.0, 15.0)}


def sleeper(config: dict[str, Any], seconds: float) -> dict[str, float]:
    start = time.time()
    time.sleep(seconds)
    x0, x1 = config["x0"], config["x1"]  # Branin
    b, cc, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    value = (x1 - b * x0**2 + cc * x0 - 6) ** 2 + 10 * (1 - t) * math.cos(x0) + 10
    return {"value": value, "start": start, "end": time.time()}


class Sleeper:
    """Picklable objective (a module-level class: pickled by reference in workers, by value from __main__)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, config: dict[str, Any]) -> dict[str, float]:
        return sleeper(config, self.seconds)


def in_flight(study: ut.Study) -> tuple[int, float]:
    """Largest and mean number of objectives running at once (from the trials' start/end attributes)."""
    spans = [(t.user_attrs["start"], t.user_attrs["end"]) for t in study.trials if "start" in t.user_attrs]
    if not spans:
        return 0, float("nan")
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    now = peak = 0
    for _, d in events:
        now += d
        peak = max(peak, now)
    busy = sum(e - s for s, e in spans)
    return peak, busy / (max(e for _, e in spans) - min(s for s, _ in spans))


def measure(backend: str, args: argparse.Namespace, **kwargs: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    study = ut.minimize(Sleeper(args.sleep), SPACE, backend=backend, seed=args.seed, n_trials=args.trials, **kwargs)
    wall = time.perf_counter() - t0
    peak, mean = in_flight(study)
    asks = sum(t.suggest_time for t in study.trials)
    tells = sum(t.tell_time for t in study.trials)
    return {
        "wall": wall,
        "peak": peak,
        "mean": mean,
        "ask": asks,
        "tell": tells,
        "overhead": study.overhead,
        "n": len(study.trials),
    }


def native_optuna_threads(args: argparse.Namespace) -> dict[str, Any]:
    import optuna

    c.quiet_optuna()
    spans = []

    def objective(trial: optuna.Trial) -> float:
        out = sleeper(
            {"x0": trial.suggest_float("x0", -5.0, 10.0), "x1": trial.suggest_float("x1", 0.0, 15.0)}, args.sleep
        )
        spans.append((out["start"], out["end"]))
        return out["value"]

    t0 = time.perf_counter()
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=args.seed))
    study.optimize(objective, n_trials=args.trials, n_jobs=K)
    wall = time.perf_counter() - t0
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    now = peak = 0
    for _, d in events:
        now += d
        peak = max(peak, now)
    mean = sum(e - s for s, e in spans) / (max(e for _, e in spans) - min(s for s, _ in spans))
    return {
        "wall": wall,
        "peak": peak,
        "mean": mean,
        "ask": float("nan"),
        "tell": float("nan"),
        "overhead": float("nan"),
        "n": len(study.trials),
    }


def shutdown_loky() -> None:
    from loky import get_reusable_executor

    get_reusable_executor(max_workers=K, timeout=60).shutdown(wait=True, kill_workers=True)


def row(mode: str, backend: str, runs: list[dict[str, Any]], ideal: float, extra: str = "") -> list[Any]:
    wall = c.median([r["wall"] for r in runs])
    eff = wall / ideal
    return [
        mode,
        backend,
        len(runs),
        wall,
        eff,
        c.verdict(eff, TARGET),
        max(r["peak"] for r in runs),
        c.median([r["mean"] for r in runs]),
        c.median([r["ask"] for r in runs]),
        c.median([r["tell"] for r in runs]),
        c.median([r["overhead"] for r in runs]) * 1e3,
        extra,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 trials of 0.02 s, one repeat")
    parser.add_argument("--repeats", type=int, default=0, help="repeats per row (default 3; 1 with --quick)")
    parser.add_argument("--modes", default="threads,processes,dask")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.trials, args.sleep = (8, 0.02) if args.quick else (64, 0.25)
    repeats = args.repeats or (1 if args.quick else 3)
    modes = {m.strip() for m in args.modes.split(",")}
    ideal = args.trials * args.sleep / K
    c.silence_loggers()
    print(f"# unitune parallel benchmark{' (--quick)' if args.quick else ''}\n")
    print(f"Machine: {c.machine()}")
    print(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{args.trials} trials x {args.sleep} s sleep, {K} in flight: ideal wall time {ideal:.2f} s; "
        f"median of {repeats} repeats\n"
    )
    rows: list[list[Any]] = []
    startup: list[list[Any]] = []
    for backend in BACKENDS:  # warm-up: import each backend once, outside the timed runs
        ut.minimize(lambda cfg: 0.0, SPACE, backend=backend, seed=args.seed, n_trials=2)

    if "threads" in modes:
        runs: dict[str, list[dict[str, Any]]] = {b: [] for b in [*BACKENDS, "native"]}
        for _ in range(repeats):
            for backend in BACKENDS:
                with cf.ThreadPoolExecutor(K) as pool:
                    runs[backend].append(measure(backend, args, executor=pool))
            runs["native"].append(native_optuna_threads(args))
        for backend in BACKENDS:
            rows.append(row("threads", backend, runs[backend], ideal))
        rows.append(row("threads", "native optuna:tpe", runs["native"], ideal, "study.optimize(n_jobs=8), reference"))
        print("  threads done", file=sys.stderr, flush=True)

    if "processes" in modes:
        cold: dict[str, list[dict[str, Any]]] = {b: [] for b in BACKENDS}
        warm: dict[str, list[dict[str, Any]]] = {b: [] for b in BACKENDS}
        for _ in range(repeats):
            for backend in BACKENDS:
                shutdown_loky()
                cold[backend].append(measure(backend, args, n_jobs=K))
                warm[backend].append(measure(backend, args, n_jobs=K))
        for backend in BACKENDS:
            rows.append(row("processes, cold pool", backend, cold[backend], ideal))
            rows.append(row("processes, warm pool", backend, warm[backend], ideal))
            if backend == "skopt:forest":  # its wall time is its model fits, which vary more than the start-up
                continue
            start = c.median([a["wall"] - b["wall"] for a, b in zip(cold[backend], warm[backend], strict=True)])
            startup.append(["loky pool, 8 workers (cold - warm)", backend, start])
        shutdown_loky()
        print("  processes done", file=sys.stderr, flush=True)

    if "dask" in modes:
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=4, processes=True, dashboard_address=None)
        client = Client(cluster)
        client.wait_for_workers(2)
        startup.append(["dask LocalCluster(2 workers x 4 threads) + Client", "-", time.perf_counter() - t0])
        try:
            executor = client.get_executor()
            runs = {b: [] for b in BACKENDS}
            unset: list[dict[str, Any]] = []
            first = measure("optuna", args, executor=executor, n_jobs=K)  # first use: workers import unitune etc.
            startup.append(
                [
                    "dask: extra wall time of the first study on the fresh cluster (first - median)",
                    "optuna",
                    first["wall"],
                ]
            )
            for _ in range(repeats):
                for backend in BACKENDS:
                    runs[backend].append(measure(backend, args, executor=executor, n_jobs=K))
            unset.append(measure("optuna", args, executor=executor))
            for backend in BACKENDS:
                rows.append(row("dask, n_jobs=8", backend, runs[backend], ideal))
            rows.append(
                row(
                    "dask, n_jobs unset",
                    "optuna",
                    unset,
                    ideal,
                    "no n_jobs: unitune keeps as many trials in flight as the cluster has threads",
                )
            )
            startup[-1][2] -= c.median([r["wall"] for r in runs["optuna"]])
        finally:
            client.close()
            cluster.close()
        print("  dask done", file=sys.stderr, flush=True)

    print(
        c.table(
            [
                "mode",
                "backend",
                "repeats",
                "wall s (median)",
                "wall / ideal",
                f"verdict (<= {TARGET})",
                "max in flight",
                "mean in flight",
                "backend ask s",
                "backend tell s",
                "study.overhead ms",
                "note",
            ],
            rows,
            f"Parallel efficiency: {args.trials} trials x {args.sleep} s, {K} in flight (ideal {ideal:.2f} s)",
        )
    )
    if startup:
        print(c.table(["start-up", "backend", "seconds"], startup, "Start-up costs (not in the rows above)"))
    print(f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
