"""Thousands of runs: one ``compare(..., storage=...)`` over many cheap runs, its time and the driver's memory.

Run:  python benchmarks/many_runs.py                 (2,200 runs of 10 trials, 2 worker processes, SQLite)
      python benchmarks/many_runs.py --seeds 5       (220 runs: the same, ten times fewer)

The runs: the 22 problems of the ``synthetic`` suite x ``optuna:random`` and ``hyperopt:rand`` x
``--seeds`` seeds, 10 trials each, no extra baseline (random search is compared). Each
configuration is measured in a fresh process (``python many_runs.py --one ...``):

(a) the comparison from an empty storage: wall time, runs per second, and the driver's peak
    resident memory above what it held after its imports (``ru_maxrss``; the worker processes
    are not counted: they hold one run at a time);
(b) the same call again: every run is loaded from the storage (the time of a resumed call that
    has nothing left to run), and ``Comparison.load`` alone.

The driver keeps a bounded window of runs in flight and nothing of a finished run; what grows
with the number of runs is the final trials table only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one(storage: str, seeds: int, jobs: int) -> dict[str, float]:
    import resource

    import unitune as ut

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux

    problems = ut.problems.suite("synthetic")
    kwargs = {"backends": ["optuna:random", "hyperopt:rand"], "n_trials": 10, "seeds": seeds, "baseline": None}
    start_mb = peak_mb()
    t0 = time.perf_counter()
    cmp = ut.compare(problems, storage=storage, n_jobs=jobs, **kwargs)
    first = time.perf_counter() - t0
    first_mb = peak_mb() - start_mb
    t0 = time.perf_counter()
    again = ut.compare(problems, storage=storage, n_jobs=jobs, **kwargs)
    second = time.perf_counter() - t0
    t0 = time.perf_counter()
    ut.Comparison.load(storage)
    load = time.perf_counter() - t0
    assert again.trials.drop(columns=["cum_time"]).equals(cmp.trials.drop(columns=["cum_time"]))
    runs = len(problems) * 2 * seeds
    return {
        "runs": runs,
        "trials": len(cmp.trials),
        "wall_s": first,
        "runs_per_s": runs / first,
        "driver_peak_mb_above_start": first_mb,
        "table_mb": cmp.trials.memory_usage(deep=True).sum() / 2**20,
        "again_s": second,
        "load_s": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # a storage: measure in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.seeds, args.jobs)))
        return
    with tempfile.TemporaryDirectory() as folder:
        storage = f"sqlite:///{Path(folder) / 'many.db'}"
        command = [sys.executable, __file__, "--one", storage, "--seeds", str(args.seeds), "--jobs", str(args.jobs)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    for key, value in result.items():
        print(f"{key:28s} {value:.3f}" if isinstance(value, float) else f"{key:28s} {value}")


if __name__ == "__main__":
    main()
