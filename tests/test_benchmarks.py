"""Smoke test of the benchmark scripts: each runs with ``--quick`` and prints its tables.

No timing is asserted (the numbers depend on the machine and its load); the scripts run at
the same time, in their own interpreters (they mostly wait on worker start-ups, sleeps and
disks), to keep the test around a minute. What is asserted: every table is printed with its
rows, and no unitune run left the native program's trajectory.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"

SCRIPTS = {
    "overhead.py": {
        "(a) Whole-study time": 8,
        "(b) unitune's own time per trial": 8,
        "(c) Growth": 10,
        "(d) Durable record": 4,
        "(e) Import time": 4,
    },
    "parallel.py": {"Parallel efficiency": 14, "Start-up costs": 4},
    "workers.py": {"(a) Speed-up of K workers": 1, "(b) Per-ask sync cost": 1},
    "narrowing.py": {"Final regret": 3, "Narrowed against broad": 6},
    "pruning.py": {"(a) Cost per report + should_prune": 1, "(b) Pruning against no pruning": 1},
}
PYPERF = {"overhead.py", "parallel.py"}  # the scripts on the pyperf harness (they write its results with -o)


def tables(out: str) -> dict[str, list[list[str]]]:
    """The Markdown tables of a script's output: title -> rows, the header first (cells stripped)."""
    found: dict[str, list[list[str]]] = {}
    title = None
    for line in out.splitlines():
        if line.startswith("### "):
            title = line[4:]
            found[title] = []
        elif title is not None and line.startswith("|") and not line.startswith("|-"):
            found[title].append([cell.strip() for cell in line.strip("|").split("|")])
    return found


@pytest.mark.slow
def test_benchmark_scripts_run_quick(tmp_path: Path) -> None:
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(BENCHMARKS / name), "--quick"]
            + (["-o", str(tmp_path / f"{name}.json")] if name in PYPERF else []),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in SCRIPTS
    }
    outputs = {}
    try:
        for name, proc in procs.items():
            outputs[name] = proc.communicate(timeout=600)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
    for name, (out, err) in outputs.items():
        assert procs[name].returncode == 0, f"{name} --quick failed:\n{err[-3000:]}"
        printed = tables(out)
        for title, n_rows in SCRIPTS[name].items():
            matches = [rows for t, rows in printed.items() if t.startswith(title)]
            assert matches, f"{name} --quick printed no table {title!r}:\n{out[-3000:]}"
            assert len(matches[0]) >= 1 + n_rows, f"{name}: table {title!r} has fewer than {n_rows} rows:\n{out}"
        checked = [row[-1] for rows in printed.values() if rows[0][-1] == "same trajectory" for row in rows[1:]]
        assert len(checked) == (12 if name == "overhead.py" else 0), out  # every row of (a) and (d)
        assert set(checked) <= {"yes"} and "did not see the same losses" not in err, (
            f"{name}: unitune and the native program did not follow the same trajectory:\n{out}\n{err[-3000:]}"
        )
        if name in PYPERF:
            assert (tmp_path / f"{name}.json").stat().st_size > 0  # pyperf wrote its results
