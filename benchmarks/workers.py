"""Many workers, one study: speed-up of 1, 2 and 4 worker processes, and the per-ask sync cost.

Run:  python benchmarks/workers.py                         (full: SQLite and a throw-away PostgreSQL, ~6 minutes)
      python benchmarks/workers.py --postgres URL          (an existing PostgreSQL database instead)
      python benchmarks/workers.py --quick                 (SQLite, 8 trials of 0.02 s, 1 and 2 workers)

(a) Speed-up. K worker processes run the same study (64 trials of a 0.25 s sleeping objective,
    optuna:tpe and hyperopt:tpe) on one storage: ``ut.minimize(..., storage=URL, study_name=N,
    load_if_exists=True, n_trials=64)``. Native Optuna runs the same objective the way Optuna's
    documentation shows: ``optuna.load_study(...).optimize(objective, callbacks=[MaxTrialsCallback(64)])``
    in each of K processes. Wall time is from the first worker's start (after its imports) to the
    last worker's end (``time.time()``, one machine); speed-up is the wall of 1 worker / wall of K.
    Ideal: K (the objective sleeps, it needs no core).
(b) Per-ask sync cost. A worker opens a study holding N finished trials (N = 100, 5,000); another
    process' progress is simulated by adding one finished trial to the storage before each ask;
    we time what the worker does before its backend's ask (lock, failing stale trials, reading
    the record, telling the new trial): ``Sync._claim(0)``, median of 50.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

WORKER = textwrap.dedent(
    """
    import json, sys, time
    import optuna
    import unitune as ut

    mode, storage, name, trials, sleep, out = sys.argv[1:7]
    trials, sleep = int(trials), float(sleep)
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(config):
        time.sleep(sleep)
        return (config["x"] - 0.3) ** 2 + (config["y"] + 0.2) ** 2

    start = time.time()
    if mode == "native":
        study = optuna.create_study(study_name=name, storage=storage, load_if_exists=True,
                                    sampler=optuna.samplers.TPESampler(constant_liar=True))
        callback = optuna.study.MaxTrialsCallback(trials, states=None)
        study.optimize(lambda t: objective({"x": t.suggest_float("x", -1, 1), "y": t.suggest_float("y", -1, 1)}),
                       callbacks=[callback])
    else:
        space = {"x": ut.Float(-1.0, 1.0), "y": ut.Float(-1.0, 1.0)}
        ut.minimize(objective, space, backend=mode, n_trials=trials, storage=storage, study_name=name,
                    load_if_exists=True)
    with open(out, "w") as f:
        json.dump({"start": start, "end": time.time()}, f)
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server on a free loopback port (as the ``postgres`` user when run as root)."""
    user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="unitune-pg-"))
    if user:
        shutil.chown(folder, user="postgres")
    port, data = _free_port(), folder / "data"
    subprocess.run(
        [*user, "initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    pg_ctl = [*user, "pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w"]
    subprocess.run([*pg_ctl, "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def run_workers(mode: str, storage: str, k: int, trials: int, sleep: float, folder: Path) -> float:
    script = folder / "worker.py"
    script.write_text(WORKER)
    name = f"b-{uuid.uuid4().hex[:8]}"
    if "://" in storage:  # create the study (and the tables) before the workers start, as a user would
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        optuna.create_study(study_name=name, storage=storage)
    outs = [folder / f"{name}-{i}.json" for i in range(k)]
    procs = [
        subprocess.Popen([sys.executable, str(script), mode, storage, name, str(trials), str(sleep), str(out)])
        for out in outs
    ]
    for proc in procs:
        if proc.wait(timeout=1200):
            raise RuntimeError(f"a {mode} worker failed")
    times = [json.loads(out.read_text()) for out in outs]
    return max(t["end"] for t in times) - min(t["start"] for t in times)


def speedup_table(storages: dict[str, str], ks: list[int], trials: int, sleep: float, folder: Path) -> None:
    print(f"\n### (a) Speed-up of K workers on one study ({trials} trials of a {sleep} s objective)\n")
    print("| storage | run by | wall 1 worker (s) | " + " | ".join(f"speed-up {k}" for k in ks[1:]) + " |")
    print("|---|---|---:|" + "---:|" * (len(ks) - 1))
    for label, storage in storages.items():
        for mode in ("optuna:tpe", "hyperopt:tpe", "native"):
            walls = {k: run_workers(mode, storage, k, trials, sleep, folder) for k in ks}
            who = "native Optuna (TPE, constant liar)" if mode == "native" else f"unitune {mode}"
            cells = " | ".join(f"{walls[ks[0]] / walls[k]:.2f}" for k in ks[1:])
            print(f"| {label} | {who} | {walls[ks[0]]:.1f} | {cells} |", flush=True)


def sync_cost(storage: str, n: int, repeats: int = 50) -> tuple[float, float]:
    """Median seconds of one worker's sync before an ask, and of its whole ask, with ``n`` recorded trials."""
    import optuna

    import unitune as ut

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    name = f"s-{uuid.uuid4().hex[:8]}"
    native = optuna.create_study(study_name=name, storage=storage)
    dists = {"x": optuna.distributions.FloatDistribution(-1, 1), "y": optuna.distributions.FloatDistribution(-1, 1)}

    def finished(i: int) -> optuna.trial.FrozenTrial:
        x, y = (i % 997) / 997 * 2 - 1, (i % 991) / 991 * 2 - 1
        return optuna.trial.create_trial(params={"x": x, "y": y}, distributions=dists, value=x * x + y * y)

    native.add_trials([finished(i) for i in range(n)])
    space = {"x": ut.Float(-1.0, 1.0), "y": ut.Float(-1.0, 1.0)}
    study = ut.Study(space, backend="optuna:tpe", storage=storage, study_name=name, load_if_exists=True)
    sync = study._sync
    assert sync is not None
    syncs, asks = [], []
    for i in range(repeats):
        native.add_trial(finished(n + i))  # another worker's progress
        t0 = time.perf_counter()
        sync._claim(0)
        syncs.append(time.perf_counter() - t0)
        native.add_trial(finished(n + repeats + i))
        t0 = time.perf_counter()
        trial = study.ask()
        asks.append(time.perf_counter() - t0)
        study.tell(trial, 0.5)
    return statistics.median(syncs), statistics.median(asks)


def sync_table(storages: dict[str, str], sizes: list[int]) -> None:
    print("\n### (b) Per-ask sync cost (median of 50; one new trial from another worker per ask)\n")
    print("| storage | recorded trials | sync before the ask (ms) | whole ask, optuna:tpe (ms) |")
    print("|---|---:|---:|---:|")
    for label, storage in storages.items():
        for n in sizes:
            sync, ask = sync_cost(storage, n)
            print(f"| {label} | {n:,} | {sync * 1e3:.2f} | {ask * 1e3:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="SQLite only, 8 trials of 0.02 s, 1 and 2 workers")
    parser.add_argument("--postgres", default=None, help="an existing PostgreSQL URL (default: start one)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="unitune-workers-"))
    storages = {"SQLite": f"sqlite:///{folder / 'bench.db'}"}
    print(f"## Many workers, one study ({os.cpu_count()} cores)")
    try:
        if args.quick:
            speedup_table(storages, [1, 2], 8, 0.02, folder)
            sync_table(storages, [100])
            return
        with nullcontext(args.postgres) if args.postgres else throwaway_postgres() as url:
            storages["PostgreSQL"] = url
            speedup_table(storages, [1, 2, 4], 64, 0.25, folder)
            sync_table(storages, [100, 5000])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
