"""The benchmarks' harness: pyperf times, repeats and summarizes; each measured run also records facts.

pyperf (the benchmark runner of the CPython project) runs every benchmark in fresh worker
processes, discards warm-up runs, collects the values and computes their statistics; its
command-line options (``-o results.json``, ``--affinity``, ``-v``, ...) work on every script
here, and its tools read the results (``python -m pyperf stats|hist|compare_to results.json``).

A benchmark is a function ``run() -> dict`` that measures one whole run (a study, a parallel
study, ...) and returns ``{"time": seconds, **facts}``: ``time`` is the value pyperf keeps
(``Runner.bench_time_func``), the facts are what the tables need besides (the losses of every
trial, to check the trajectory; unitune's own counters; trials in flight). Workers append the
facts to a JSON-lines file that the parent reads back after pyperf is done, keeping those of the
measured runs (not the warm-ups), so every table reports exactly the runs pyperf timed.

The number of worker processes, values per process and warm-ups is chosen per benchmark by the
script (``bench(..., processes=, values=, warmups=)``), because a whole skopt study takes 20 s
and an Optuna one 30 ms; ``--quick`` makes it one process with one value and no warm-up,
``--repeats N`` N processes with one value each. pyperf's own ``-p/-n/-w`` are overridden.
``pair`` measures two programs of one row (unitune and the native program) in alternating
processes, one pyperf benchmark per process, so that the machine's drift lands on both.
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyperf

Facts = dict[str, Any]


@dataclass
class Measured:
    """One benchmark as the parent sees it: pyperf's results and the facts of their measured runs."""

    benches: list[pyperf.Benchmark]
    facts: list[Facts]

    @property
    def values(self) -> list[float]:
        return [v for bench in self.benches for v in bench.get_values()]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def n(self) -> int:
        return len(self.values)

    def spread(self) -> float:
        """max / min of the values: how far a ratio between two benchmarks can be trusted."""
        return max(self.values) / min(self.values)

    def fact(self, key: str) -> float:
        """The median of one fact over the measured runs."""
        return statistics.median(f[key] for f in self.facts) if self.facts else float("nan")


class Harness:
    """A ``pyperf.Runner`` with the scripts' own options, per-benchmark budgets and the facts file."""

    def __init__(self, description: str) -> None:
        self._forwarded: list[tuple[str, str, bool]] = []
        self.runner = pyperf.Runner(loops=1, add_cmdline_args=self._worker_args)
        self.runner.argparser.description = description
        self.runner.argparser.formatter_class = argparse.RawDescriptionHelpFormatter
        self.option("--quick", action="store_true", help="tiny budgets, one run of each benchmark (a smoke test)")
        self.option("--repeats", type=int, default=0, help="measured runs per benchmark (default: set per benchmark)")
        self.option("--seed", type=int, default=0, help="seed of every study (default 0)")
        self.runner.argparser.add_argument("--facts", help=argparse.SUPPRESS)
        self.args: argparse.Namespace

    def option(self, flag: str, **kwargs: Any) -> None:
        """Add an option of the script; it is passed on to pyperf's worker processes."""
        action = self.runner.argparser.add_argument(flag, **kwargs)
        self._forwarded.append((flag, action.dest, kwargs.get("action") == "store_true"))

    def parse(self) -> argparse.Namespace:
        self.args = self.runner.parse_args()
        if self.args.facts is None:
            fd, self.args.facts = tempfile.mkstemp(prefix="unitune-bench-", suffix=".jsonl")
            os.close(fd)
            atexit.register(os.remove, self.args.facts)
        return self.args

    @property
    def is_worker(self) -> bool:
        """True in pyperf's worker processes: they run benchmarks and print nothing of their own."""
        return bool(self.args.worker)

    def _worker_args(self, cmd: list[str], args: argparse.Namespace) -> None:
        for flag, dest, is_flag in self._forwarded:
            value = getattr(args, dest)
            if is_flag:
                cmd.extend([flag] if value else [])
            else:
                cmd.extend([flag, str(value)])
        cmd.extend(["--facts", args.facts])

    def _budget(self, processes: int, values: int, warmups: int) -> None:
        if self.is_worker:
            return  # a worker gets its budget on its command line
        if self.args.quick:
            processes, values, warmups = 1, 1, 0
        # pyperf reads these from its arguments for each benchmark it starts
        self.args.processes, self.args.values, self.args.warmups = processes, values, warmups

    def bench(
        self, name: str, run: Callable[[], Facts], *, processes: int, values: int, warmups: int = 1
    ) -> Measured | None:
        """Time ``run`` with pyperf; in the parent, the result and the facts of the measured runs (else None)."""
        if self.args.repeats:
            processes, values = self.args.repeats, 1
        return self._bench(name, run, processes, values, warmups)

    def _bench(self, name: str, run: Callable[[], Facts], processes: int, values: int, warmups: int) -> Measured | None:
        self._budget(processes, values, warmups)

        def time_func(loops: int) -> float:
            total = 0.0
            for _ in range(loops):
                facts = run()
                total += facts["time"]
                with open(self.args.facts, "a") as f:
                    f.write(json.dumps({"bench": name, **facts}) + "\n")
            return total

        bench = self.runner.bench_time_func(name, time_func)
        if bench is None or self.is_worker:
            return None
        return Measured([bench], self._measured_facts(name, bench))

    def pair(
        self, name: str, runs: dict[str, Callable[[], Facts]], *, processes: int, values: int, warmups: int = 1
    ) -> dict[str, Measured] | None:
        """Benchmark two programs of one row in alternating worker processes (A B, B A, A B, ...).

        The machine's speed drifts over minutes (other processes, CPU frequency); alternating the
        processes of the two programs puts the drift on both. Each process is one pyperf benchmark
        (``"<name> <program> <k>"``); the result is their union.
        """
        rounds = 1 if self.args.quick else (self.args.repeats or processes)
        values = 1 if self.args.repeats else values
        parts: dict[str, list[Measured]] = {label: [] for label in runs}
        for k in range(rounds):
            for label in list(runs)[:: 1 if k % 2 == 0 else -1]:
                measured = self._bench(f"{name} {label} {k + 1}", runs[label], 1, values, warmups)
                if measured is not None:
                    parts[label].append(measured)
        if self.is_worker:
            return None
        return {
            label: Measured([b for m in ms for b in m.benches], [f for m in ms for f in m.facts])
            for label, ms in parts.items()
        }

    def command(
        self, name: str, command: Sequence[str], *, processes: int, values: int, warmups: int = 1
    ) -> pyperf.Benchmark | None:
        """Time a command in fresh processes (pyperf's ``bench_command``); the result in the parent."""
        if self.args.repeats:
            processes, values = self.args.repeats, 1
        self._budget(processes, values, warmups)
        bench = self.runner.bench_command(name, list(command))
        return None if self.is_worker else bench

    def _measured_facts(self, name: str, bench: pyperf.Benchmark) -> list[Facts]:
        """The facts of the measured runs, in the order they ran: each process's warm-ups, then its values."""
        with open(self.args.facts) as f:
            recorded = [r for r in map(json.loads, f) if r["bench"] == name]
        out, i = [], 0
        for run in bench.get_runs():
            loops = run.get_loops()
            i += len(run.warmups) * loops
            out += recorded[i : i + len(run.values) * loops]
            i += len(run.values) * loops
        if i != len(recorded):
            raise RuntimeError(f"{name}: {len(recorded)} runs recorded facts, pyperf timed {i} (warm-ups included)")
        return out


def check_same_trajectory(label: str, runs: Sequence[Facts], reference: Sequence[Facts]) -> bool:
    """Did every run see the losses of the reference's first run, trial by trial? A warning on stderr if not."""
    if not reference:
        return False
    expected = reference[0]["losses"]
    for run in [*runs, *reference]:
        losses = run["losses"]
        same = len(losses) == len(expected) and all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(losses, expected, strict=True)
        )
        if not same:
            print(f"WARNING {label}: unitune and the native program did not see the same losses", file=sys.stderr)
            return False
    return True
