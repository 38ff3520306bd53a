"""Diagnoses behind the misses in docs/performance.md: where unitune's extra time goes.

Run:  python benchmarks/diagnose.py           (~2-4 minutes)
      python benchmarks/diagnose.py --quick   (small sizes, a smoke test)

Sections (each prints a Markdown table):
  1  Optuna adapter: the public ``optuna.Study.tell`` returns ``copy.deepcopy`` of the finished
     FrozenTrial, which the adapter throws away; ``Study.optimize`` calls the internal
     ``_tell_with_warning`` instead. Time per call of each, and of the deepcopy alone.
  2  Cache pollution: unitune's O(1) helpers (``Space.decode``, ``study._unpack``) timed per call
     at the start and at the end of a long study, with optuna:random, with optuna:random plus a
     callback that walks every trial document three times per trial (what hyperopt's
     ``Trials.refresh`` does), and with hyperopt:rand.
  3  Hyperopt adapter: cost of one ``Trials.refresh()`` as the study grows, and how many the
     adapter and ``fmin`` make per trial.
  4  skopt:forest with pending trials (the parallel driver's pattern: 7 running, tell one, ask
     one) against the sequential pattern: milliseconds per tell and per ask.
  5  unitune alone: its per-trial time with a backend that does nothing (an adapter returning
     ready-made suggestions) and a constant objective, and the cost of ``Space.decode``.
  6  skopt:forest, 10 parameters, unitune vs forest_minimize: CPU time inside skopt's
     ``Optimizer.tell``/``ask`` (the same calls on both sides) and everything else, run by run.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

import unitune as ut
from unitune.study import _study as study_module


def per_call(fn: Callable[[int], Any], n: int) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t0) / n


def section_tell(args: argparse.Namespace) -> str:
    from optuna.study._tell import _tell_with_warning

    n, repeats = (200, 1) if args.quick else (2000, 3)
    rows = []
    for space in ("branin", "mixed10"):
        times: dict[str, list[float]] = {"public": [], "internal": [], "deepcopy": []}
        for _ in range(repeats):
            for mode in ("public", "internal"):
                study = ut.Study(c.unitune_space(space), backend="optuna:random", seed=0)
                adapter: Any = study.adapter
                tokens = [s.token for s in adapter.ask(n)]
                if mode == "public":

                    def tell(i: int, adapter: Any = adapter, tokens: list[Any] = tokens) -> None:
                        adapter.study.tell(adapter._trials.pop(tokens[i]), 1.0)
                else:

                    def tell(i: int, adapter: Any = adapter, tokens: list[Any] = tokens) -> None:
                        _tell_with_warning(adapter.study, adapter._trials.pop(tokens[i]), 1.0, suppress_warning=True)

                times[mode].append(per_call(tell, n))
            frozen = adapter.study.trials[-1]
            times["deepcopy"].append(per_call(lambda i, frozen=frozen: copy.deepcopy(frozen), n))
        public, internal, deep = (c.median(times[k]) * 1e6 for k in ("public", "internal", "deepcopy"))
        rows.append([c.SPACE_LABEL[space], public, internal, public - internal, deep])
    return c.table(
        ["space", "Study.tell us", "_tell_with_warning us", "difference us", "deepcopy(FrozenTrial) us"],
        rows,
        "1. Optuna: public Study.tell (what the adapter calls) vs what Study.optimize calls, per trial",
    )


def _timed_helpers(run: Callable[[], None], k: int) -> list[float]:
    """Median us per call of Space.decode and study._unpack over the first and the last k calls."""
    samples: dict[str, list[float]] = {"decode": [], "unpack": []}
    decode, unpack = ut.Space.decode, study_module._unpack

    def timed_decode(self: ut.Space, raw: Any) -> Any:
        t0 = time.perf_counter()
        out = decode(self, raw)
        samples["decode"].append(time.perf_counter() - t0)
        return out

    def timed_unpack(value: Any) -> Any:
        t0 = time.perf_counter()
        out = unpack(value)
        samples["unpack"].append(time.perf_counter() - t0)
        return out

    ut.Space.decode = timed_decode  # type: ignore[method-assign]
    study_module._unpack = timed_unpack
    try:
        run()
    finally:
        ut.Space.decode = decode  # type: ignore[method-assign]
        study_module._unpack = unpack
    out = []
    for key in ("decode", "unpack"):
        xs = samples[key]
        out += [c.median(xs[:k]) * 1e6, c.median(xs[-k:]) * 1e6]
    return out


def section_cache(args: argparse.Namespace) -> str:
    n = 1000 if args.quick else 5000
    k = n // 10
    space = c.unitune_space("branin")

    def optuna_run() -> None:
        ut.minimize(c.branin_objective, space, backend="optuna:random", seed=0, n_trials=n)

    def walking_run() -> None:
        docs: list[dict[str, Any]] = []

        def walk(study: ut.Study, trial: ut.Trial) -> None:  # what Trials.refresh does, three times a trial
            docs.append({"tid": trial.number, "state": 2, "misc": {"vals": {"x0": [1.0]}}, "result": {"loss": 1.0}})
            for _ in range(3):
                sum(1 for d in docs if d["state"] == 2 and d["misc"]["vals"])

        ut.minimize(c.branin_objective, space, backend="optuna:random", seed=0, n_trials=n, callbacks=[walk])

    def hyperopt_run() -> None:
        ut.minimize(c.branin_objective, space, backend="hyperopt:rand", seed=0, n_trials=n)

    rows = []
    for label, run in [
        ("optuna:random", optuna_run),
        ("optuna:random + O(n) walk of trial dicts per trial", walking_run),
        ("hyperopt:rand", hyperopt_run),
    ]:
        d0, d1, u0, u1 = _timed_helpers(run, k)
        rows.append([label, d0, d1, d1 / d0, u0, u1, u1 / u0])
    return c.table(
        ["study", f"decode first {k} us", f"decode last {k} us", "growth", f"_unpack first {k} us",
         f"_unpack last {k} us", "growth"],
        rows,
        f"2. unitune's O(1) helpers slow down when the backend walks all trials between them ({n} trials, medians)",
    )  # fmt: skip


def section_refresh(args: argparse.Namespace) -> str:
    import hyperopt
    import numpy as np
    from hyperopt import Trials, fmin, hp, rand

    sizes = [500, 2000] if args.quick else [1000, 5000, 20000]
    rows = []
    for n in sizes:
        study = ut.Study(c.unitune_space("branin"), backend="hyperopt:rand", seed=0)
        study.optimize(c.branin_objective, n)
        trials = study.adapter._trials  # type: ignore[attr-defined]
        rows.append([n, c.median([per_call(lambda i, t=trials: t.refresh(), 5) for _ in range(3)]) * 1e6])
    out = c.table(["trials in the study", "one Trials.refresh() us"], rows, "3. Hyperopt: Trials.refresh() cost")

    calls = {"n": 0}
    original = hyperopt.base.Trials.refresh

    def counting(self: Any) -> None:
        calls["n"] += 1
        original(self)

    hyperopt.base.Trials.refresh = counting
    try:
        m = 100
        ut.minimize(c.branin_objective, c.unitune_space("branin"), backend="hyperopt:rand", seed=0, n_trials=m)
        adapter_calls, calls["n"] = calls["n"], 0
        space = {"x0": hp.uniform("x0", -5.0, 10.0), "x1": hp.uniform("x1", 0.0, 15.0)}
        fmin(c.branin_objective, space, algo=rand.suggest, max_evals=m, trials=Trials(),
             rstate=np.random.default_rng(0), show_progressbar=False)  # fmt: skip
        fmin_calls = calls["n"]
    finally:
        hyperopt.base.Trials.refresh = original
    out += "\n" + c.table(
        ["program", "Trials.refresh() calls per trial", "other O(n) scans per trial"],
        [
            ["unitune hyperopt adapter", adapter_calls / m, "0"],
            ["hyperopt fmin", fmin_calls / m, "count_by_state_unsynced x2, serial_evaluate x1"],
        ],
        "3. Hyperopt: refreshes per trial (100-trial study)",
    )
    return out


def section_skopt(args: argparse.Namespace) -> str:
    warm, k = (11, 2) if args.quick else (30, 8)
    options = {"n_points": 500} if args.quick else {}  # --quick: a cheaper acquisition, same pattern
    space = c.unitune_space("branin")
    rows = []
    for label in ("sequential (1 running)", "parallel pattern (7 running)"):
        study = ut.Study(space, backend="skopt:forest", seed=0, backend_options=options)
        for _ in range(warm):
            t = study.ask()
            study.tell(t, c.branin_objective(t.params))
        asks, tells = [], []
        if label.startswith("sequential"):
            for _ in range(k):
                t0 = time.perf_counter()
                t = study.ask()
                asks.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                study.tell(t, c.branin_objective(t.params))
                tells.append(time.perf_counter() - t0)
        else:
            running = study.ask(8)
            for _ in range(k):
                t = running.pop(0)
                t0 = time.perf_counter()
                study.tell(t, c.branin_objective(t.params))
                tells.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                running.append(study.ask())
                asks.append(time.perf_counter() - t0)
        tell, ask = statistics.median(tells) * 1e3, statistics.median(asks) * 1e3
        rows.append([label, warm, tell, ask, tell + ask])
    return c.table(
        ["pattern", "finished trials before", "tell ms", "ask ms", "per trial ms"],
        rows,
        "4. skopt:forest: model fits per trial, sequential vs with pending trials (medians)",
    )


def _alone(space: str, n: int, repeats: int) -> list[Any]:
    """unitune's per-trial times (us) for one space, with an adapter that returns ready-made suggestions."""
    from unitune.adapters._base import Suggestion

    source = ut.Study(c.unitune_space(space), backend="optuna:random", seed=0)
    raws = [s.raw for s in source.adapter.ask(n)]

    class NoBackend:
        def __init__(self) -> None:
            self.i = -1

        def ask(self, k: int) -> list[Suggestion]:
            self.i += 1
            return [Suggestion(self.i, raws[self.i % n])]

        def tell(self, token: Any, loss: Any) -> None:
            pass

    def fresh() -> ut.Study:
        study = ut.Study(c.unitune_space(space), backend="optuna:random", seed=0)
        study.adapter = NoBackend()  # type: ignore[assignment]
        return study

    asktell, optimize, overhead = [], [], []
    for _ in range(repeats):
        study = fresh()
        t0 = time.perf_counter()
        for _ in range(n):
            study.tell(study.ask(), 1.0)
        asktell.append((time.perf_counter() - t0) / n)
        overhead.append(study.overhead / n)
        study = fresh()
        t0 = time.perf_counter()
        study.optimize(lambda config: 1.0, n)
        optimize.append((time.perf_counter() - t0) / n)
    decode = c.median([per_call(lambda i: source.space.decode(raws[i]), n) for _ in range(repeats)])
    return [c.SPACE_LABEL[space], *(c.median(x) * 1e6 for x in (asktell, overhead, optimize)), decode * 1e6]


def section_alone(args: argparse.Namespace) -> str:
    n, repeats = (300, 1) if args.quick else (3000, 5)
    return c.table(
        ["space", "Study.ask + Study.tell us", "study.overhead/n us", "Study.optimize us/trial", "Space.decode us"],
        [_alone(space, n, repeats) for space in ("branin", "mixed10")],
        "5. unitune alone: per trial with a backend that does nothing (medians)",
    )


def section_forest(args: argparse.Namespace) -> str:
    from skopt import Optimizer

    n, pairs = (11, 1) if args.quick else (100, 3)
    inside = {"tell": 0.0, "ask": 0.0}
    tell, ask = Optimizer.tell, Optimizer.ask

    def timed_tell(self: Any, *a: Any, **k: Any) -> Any:
        t0 = time.process_time()
        try:
            return tell(self, *a, **k)
        finally:
            inside["tell"] += time.process_time() - t0

    def timed_ask(self: Any, *a: Any, **k: Any) -> Any:
        t0 = time.process_time()
        try:
            return ask(self, *a, **k)
        finally:
            inside["ask"] += time.process_time() - t0

    def run_u() -> None:
        ut.minimize(c.mixed_objective, c.unitune_space("mixed10"), backend="skopt:forest", seed=0, n_trials=n)

    def run_n() -> None:
        c.native_run("skopt:forest", "mixed10", n, 0, c.mixed_objective)

    rows = []
    Optimizer.tell, Optimizer.ask = timed_tell, timed_ask  # type: ignore[method-assign]
    try:
        for r in range(pairs):
            for who, run in [("unitune", run_u), ("native", run_n)][:: 1 if r % 2 == 0 else -1]:
                inside["tell"] = inside["ask"] = 0.0
                t0 = time.process_time()
                run()
                total = time.process_time() - t0
                rest = total - inside["tell"] - inside["ask"]
                rows.append([r + 1, who, total, inside["tell"], inside["ask"], rest, rest / n * 1e3])
    finally:
        Optimizer.tell, Optimizer.ask = tell, ask  # type: ignore[method-assign]
    return c.table(
        ["pair", "program", "CPU s", "in Optimizer.tell s", "in Optimizer.ask s", "everything else s",
         "everything else ms/trial"],
        rows,
        f"6. skopt:forest, 10 parameters, {n} trials: where the CPU time goes, run by run",
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--sections", default="1,2,3,4,5,6")
    args = parser.parse_args()
    c.silence_loggers()
    c.quiet_optuna()
    print(f"# unitune diagnoses{' (--quick)' if args.quick else ''}\n")
    print(f"Machine: {c.machine()}\n")
    chosen = {s.strip() for s in args.sections.split(",")}
    for name, fn in [
        ("1", section_tell),
        ("2", section_cache),
        ("3", section_refresh),
        ("4", section_skopt),
        ("5", section_alone),
        ("6", section_forest),
    ]:
        if name in chosen:
            print(fn(args), flush=True)


if __name__ == "__main__":
    main()
