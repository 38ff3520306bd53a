"""Parallel efficiency: 64 trials of a 0.25 s sleeping objective, 8 trials in flight.

Run:  python benchmarks/parallel.py            (full: ~6 minutes on a quiet 2-core machine)
      python benchmarks/parallel.py --quick    (8 trials of 0.02 s, one run of each row)

pyperf's options work as usual (-o results.json, -q, --affinity, ...), except its -p/-n/-w,
--fast and --rigorous: the number of runs is set per row (see --repeats).

Efficiency is wall time / ideal time, ideal = trials * sleep / 8 = 2 s (target <= 1.25).
pyperf (see ``_harness.py``) times each row in fresh worker processes, after a warm-up study
in the same process unless said otherwise. For each backend (optuna = optuna:tpe, hyperopt =
hyperopt:tpe, skopt:forest) and each way to run trials:

* threads:   ``executor=ThreadPoolExecutor(8)`` (the pool's 8 workers set the trials in flight);
* processes: ``n_jobs=8``: unitune's own loky pool. Cold: the first study of a process whose
  pool was shut down (8 worker processes start; no warm-up, the backend is imported before);
  warm: the pool started by the warm-up study is reused. The worker start-up is cold - warm;
* dask:      ``distributed.LocalCluster(n_workers=2, threads_per_worker=4)`` = 8 slots, and
  ``executor=client.get_executor(), n_jobs=8``. This machine has 2 cores; sleeping objectives
  do not need cores, so 2 worker processes (one per core) with 4 threads each give 8 slots
  without 8 interpreters competing for 2 cores. The cluster start-up and the first study on a
  fresh cluster are timed separately, and one row runs without ``n_jobs`` to show how many
  trials unitune keeps in flight then.

Each trial returns its start and end (wall clock, ``time.time()``, shared by the processes of
one machine) as trial attributes, from which we report the largest and the mean number of
trials in flight; the time the study spends in the backend's ask/tell (main thread, serial)
is the sum of ``Trial.suggest_time`` (ask) and of ``Trial.tell_time`` (tell). A reference row runs the same
objective with Optuna's own ``study.optimize(n_jobs=8)`` (threads).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import functools
import math
import os
import time
from collections.abc import Callable
from typing import Any

import _common as c
import native
from _harness import Facts, Harness, Measured

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


def in_flight(spans: list[tuple[float, float]]) -> tuple[int, float]:
    """Largest and mean number of objectives running at once, from their (start, end) times."""
    if not spans:
        return 0, float("nan")
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    now = peak = 0
    for _, d in events:
        now += d
        peak = max(peak, now)
    busy = sum(e - s for s, e in spans)
    return peak, busy / (max(e for _, e in spans) - min(s for s, _ in spans))


class Setup:
    """The row's budget (trials, sleep, seed) and what each run needs: imports, pools, a Dask cluster."""

    def __init__(self, trials: int, sleep: float, seed: int) -> None:
        self.trials, self.sleep, self.seed = trials, sleep, seed
        self._dask: tuple[Any, Any] | None = None

    def study(self, backend: str, **kwargs: Any) -> Facts:
        """One timed study; the facts a row reports besides its wall time."""
        c.import_backend(backend)
        t0 = time.perf_counter()
        study = ut.minimize(Sleeper(self.sleep), SPACE, backend=backend, seed=self.seed, n_trials=self.trials, **kwargs)
        wall = time.perf_counter() - t0
        spans = [(t.user_attrs["start"], t.user_attrs["end"]) for t in study.trials if "start" in t.user_attrs]
        peak, mean = in_flight(spans)
        return {
            "time": wall,
            "peak": peak,
            "mean": mean,
            "ask": sum(t.suggest_time for t in study.trials),
            "tell": sum(t.tell_time for t in study.trials),
            "overhead": study.overhead,
        }

    def threads(self, backend: str) -> Facts:
        with cf.ThreadPoolExecutor(K) as pool:
            return self.study(backend, executor=pool)

    def cold_pool(self, backend: str) -> Facts:
        from loky import get_reusable_executor

        get_reusable_executor(max_workers=K, timeout=60).shutdown(wait=True, kill_workers=True)
        return self.study(backend, n_jobs=K)

    def start_dask(self) -> tuple[Any, Any]:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=4, processes=True, dashboard_address=":0")
        client = Client(cluster)
        client.wait_for_workers(2)
        return cluster, client

    def dask(self, backend: str, **kwargs: Any) -> Facts:
        """A study on this process's cluster (started by the first call, closed at exit)."""
        if self._dask is None:
            self._dask = self.start_dask()
            atexit.register(lambda d=self._dask: (d[1].close(), d[0].close()))
        return self.study(backend, executor=self._dask[1].get_executor(), **kwargs)

    def dask_start(self) -> Facts:
        t0 = time.perf_counter()
        cluster, client = self.start_dask()
        elapsed = time.perf_counter() - t0
        client.close()
        cluster.close()
        return {"time": elapsed}

    def dask_first(self, backend: str) -> Facts:
        """The first study on a fresh cluster (its workers import unitune and the objective then)."""
        cluster, client = self.start_dask()
        try:
            return self.study(backend, executor=client.get_executor(), n_jobs=K)
        finally:
            client.close()
            cluster.close()

    def native_threads(self) -> Facts:
        """Optuna's own ``study.optimize(n_jobs=8)`` on the same objective (the reference row)."""
        spans = []

        def objective(config: dict[str, Any]) -> float:
            out = sleeper(config, self.sleep)
            spans.append((out["start"], out["end"]))
            return out["value"]

        c.import_backend("optuna:tpe")
        c.quiet_optuna()
        import optuna

        t0 = time.perf_counter()
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=self.seed))
        study.optimize(lambda trial: objective(native.optuna_branin(trial)), n_trials=self.trials, n_jobs=K)
        wall = time.perf_counter() - t0
        peak, mean = in_flight(spans)
        nan = float("nan")
        return {"time": wall, "peak": peak, "mean": mean, "ask": nan, "tell": nan, "overhead": nan}


def row(mode: str, backend: str, m: Measured, ideal: float, note: str = "") -> list[Any]:
    eff = m.median / ideal
    return [mode, backend, m.n, m.median, eff, c.verdict(eff, TARGET), max(f["peak"] for f in m.facts),
            m.fact("mean"), m.fact("ask"), m.fact("tell"), m.fact("overhead") * 1e3, note]  # fmt: skip


def main() -> None:
    h = Harness(__doc__ or "")
    h.option("--modes", default="threads,processes,dask", help="comma-separated among threads,processes,dask")
    args = h.parse()
    trials, sleep = (8, 0.02) if args.quick else (64, 0.25)
    setup = Setup(trials, sleep, args.seed)
    ideal = trials * sleep / K
    modes = {m.strip() for m in args.modes.split(",")}
    c.silence_loggers()
    if not h.is_worker:
        print(f"# unitune parallel benchmark{' (--quick)' if args.quick else ''}\n")
        print(f"Machine: {c.machine()}")
        print(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{trials} trials x {sleep} s sleep, {K} in flight: ideal wall time {ideal:.2f} s\n", flush=True)

    def bench(name: str, run: Callable[[], Facts], processes: int = 1, values: int = 3, warmups: int = 1) -> Any:
        return h.bench(name, run, processes=processes, values=values, warmups=warmups)

    rows: list[list[Any]] = []
    startup: list[list[Any]] = []
    if "threads" in modes:
        threads = {b: bench(f"threads {b}", functools.partial(setup.threads, b)) for b in BACKENDS}
        reference = bench("threads native optuna:tpe", setup.native_threads)
        if not h.is_worker:
            rows += [row("threads", b, threads[b], ideal) for b in BACKENDS]
            rows.append(row("threads", "native optuna:tpe", reference, ideal, "study.optimize(n_jobs=8), reference"))
    if "processes" in modes:
        cold = {b: bench(f"processes cold {b}", functools.partial(setup.cold_pool, b), 3, 1, 0) for b in BACKENDS}
        warm = {b: bench(f"processes warm {b}", functools.partial(setup.study, b, n_jobs=K)) for b in BACKENDS}
        if not h.is_worker:
            for b in BACKENDS:
                rows += [row("processes, cold pool", b, cold[b], ideal), row("processes, warm pool", b, warm[b], ideal)]
                if b != "skopt:forest":  # its wall time is its model fits, which vary more than the start-up
                    startup.append(["loky pool, 8 workers (cold - warm)", b, cold[b].median - warm[b].median])
    if "dask" in modes:
        start = bench("dask cluster start-up", setup.dask_start, 1, 3, 0)
        first = bench("dask first study", functools.partial(setup.dask_first, "optuna"), 1, 3, 0)
        dask = {b: bench(f"dask {b}", functools.partial(setup.dask, b, n_jobs=K)) for b in BACKENDS}
        unset = bench("dask optuna n_jobs unset", functools.partial(setup.dask, "optuna"), 1, 1, 1)
        if not h.is_worker:
            rows += [row("dask, n_jobs=8", b, dask[b], ideal) for b in BACKENDS]
            note = "no n_jobs: unitune keeps as many trials in flight as the cluster has threads"
            rows.append(row("dask, n_jobs unset", "optuna", unset, ideal, note))
            startup.append(["dask LocalCluster(2 workers x 4 threads) + Client", "-", start.median])
            extra = first.median - dask["optuna"].median
            startup.append(["dask: first study on a fresh cluster - median study", "optuna", extra])
    if h.is_worker:
        return
    headers = ["mode", "backend", "runs", "wall s (median)", "wall / ideal", f"verdict (<= {TARGET})"]
    headers += ["max in flight", "mean in flight", "backend ask s", "backend tell s", "study.overhead ms", "note"]
    title = f"Parallel efficiency: {trials} trials x {sleep} s, {K} in flight (ideal {ideal:.2f} s)"
    print("\n" + c.table(headers, rows, title))
    if startup:
        print(c.table(["start-up", "backend", "seconds"], startup, "Start-up costs (not in the rows above)"))
    print(f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
