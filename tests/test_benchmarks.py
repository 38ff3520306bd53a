"""Smoke test of the benchmark scripts: each runs with ``--quick`` and prints its tables.

No timing is asserted (the numbers depend on the machine and its load); the scripts run at
the same time, in their own interpreters (they mostly wait on sleeps, disks and worker
start-ups), to keep the test under a minute.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"

SCRIPTS = {
    "overhead.py": [
        "(a) Whole-study time",
        "(b) unitune's own time per trial",
        "(c) Growth",
        "(d) Durable record",
        "(e) Import time",
    ],
    "parallel.py": ["Parallel efficiency", "Start-up costs"],
    "pruning.py": ["(a) Cost per report + should_prune", "(b) Pruning against no pruning"],
    "diagnose.py": [
        "1. Optuna",
        "2. unitune's O(1) helpers",
        "3. Hyperopt",
        "4. skopt:forest",
        "5. unitune alone",
        "6. skopt:forest",
    ],
}


@pytest.mark.slow
def test_benchmark_scripts_run_quick() -> None:
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(BENCHMARKS / name), "--quick"],
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
            outputs[name] = proc.communicate(timeout=300)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
    for name, (out, err) in outputs.items():
        assert procs[name].returncode == 0, f"{name} --quick failed:\n{err[-3000:]}"
        for title in SCRIPTS[name]:
            assert title in out, f"{name} --quick printed no table {title!r}:\n{out[-3000:]}"
        rows = [line for line in out.splitlines() if line.startswith("|") and not line.startswith("|-")]
        assert len(rows) >= 2 * len(SCRIPTS[name]), f"{name}: too few table rows:\n{out}"
        assert "NO" not in [cell.strip() for line in rows for cell in line.split("|")], (
            f"{name}: unitune and the native program did not follow the same trajectory:\n{out}"
        )
