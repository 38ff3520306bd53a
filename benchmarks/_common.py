"""Shared pieces of the benchmark scripts: spaces, objectives, the native runs, tables, the machine.

The hand-written native programs are in ``native.py`` (shared with the tests); :func:`native_run`
runs the one that matches a unitune backend and space here. For one seed, unitune and the native
program propose the same trials and fit the same models; the scripts check it on the losses of
every measured run (``_harness.check_same_trajectory``).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import native

import unitune as ut

# --------------------------------------------------------------------------------------------
# Objectives: cheap (a few microseconds), so that the measured time is the tuning machinery's.
# --------------------------------------------------------------------------------------------

OPTIMIZERS, ACTIVATIONS = native.MIXED10_OPTIMIZERS, native.MIXED10_ACTIVATIONS
_OPT_COST = {"sgd": 1.0, "adam": 0.0, "rmsprop": 0.5}
_ACT_COST = {"relu": 0.0, "tanh": 0.7, "gelu": 0.2, "silu": 0.4}


def branin_objective(c: dict[str, Any]) -> float:
    x0, x1 = c["x0"], c["x1"]
    b, cc, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x1 - b * x0**2 + cc * x0 - 6) ** 2 + 10 * (1 - t) * math.cos(x0) + 10


def mixed_objective(c: dict[str, Any]) -> float:
    return (
        (c["a"] - 1.0) ** 2
        + (c["b"] - 0.3) ** 2
        + c["c"] ** 2
        + (math.log10(c["lr"]) + 3.0) ** 2
        + 0.1 * (math.log10(c["wd"]) + 4.0) ** 2
        + 0.1 * (c["layers"] - 3) ** 2
        + ((c["units"] - 128) / 64.0) ** 2
        + 0.1 * (math.log2(c["batch"]) - 5.0) ** 2
        + _OPT_COST[c["opt"]]
        + _ACT_COST[c["act"]]
    )


def unitune_space(name: str) -> dict[str, Any]:
    if name == "branin":
        return {"x0": ut.Float(-5.0, 10.0), "x1": ut.Float(0.0, 15.0)}
    return {
        "a": ut.Float(-5.0, 5.0),
        "b": ut.Float(0.0, 1.0),
        "c": ut.Float(-2.0, 2.0),
        "lr": ut.Float(1e-5, 1e-1, log=True),
        "wd": ut.Float(1e-6, 1e-2, log=True),
        "layers": ut.Int(1, 8),
        "units": ut.Int(16, 256),
        "batch": ut.Int(8, 1024, log=True),
        "opt": ut.Categorical(OPTIMIZERS),
        "act": ut.Categorical(ACTIVATIONS),
    }


OBJECTIVES: dict[str, Callable[[dict[str, Any]], float]] = {"branin": branin_objective, "mixed10": mixed_objective}
SPACE_LABEL = {"branin": "Branin (2 floats)", "mixed10": "mixed, 10 params"}


class Recorder:
    """Wraps an objective; keeps the loss of every call and the seconds spent inside (~0.3 us a call)."""

    def __init__(self, fn: Callable[[dict[str, Any]], float]) -> None:
        self.fn, self.total, self.losses = fn, 0.0, []

    def __call__(self, config: dict[str, Any]) -> float:
        t0 = time.perf_counter()
        try:
            loss = self.fn(config)
        finally:
            self.total += time.perf_counter() - t0
        self.losses.append(loss)
        return loss


def quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def default_optuna_logging() -> None:
    """Optuna's default verbosity (INFO): unitune is measured as a user gets it."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.INFO)


def import_backend(backend: str) -> None:
    """Import the backend's library (and its models), so that no measured run pays for it."""
    library = backend.split(":")[0]
    for module in {"optuna": ["optuna"], "hyperopt": ["hyperopt"], "skopt": ["skopt", "sklearn.ensemble"]}[library]:
        importlib.import_module(module)


@contextlib.contextmanager
def fresh_storage(kind: str | None) -> Iterator[str | None]:
    """A new record for one run, in a temporary folder: an SQLite URL, a journal file's path, or None."""
    if kind is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="unitune-bench-") as folder:
        yield f"sqlite:///{folder}/study.db" if kind == "sqlite" else f"{folder}/journal.log"


def optuna_storage(location: str | None) -> Any:
    """What a native Optuna program passes as ``storage=``: an URL as is, a ``JournalStorage`` for a file."""
    if location is None or "://" in location:
        return location
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    return JournalStorage(JournalFileBackend(location))


def native_run(backend: str, space: str, objective: Callable, n: int, seed: int, storage: Any = None) -> None:
    """The hand-written native program (``native.py``) for a unitune backend and one of the spaces here."""
    library, algorithm = backend.split(":")
    if library == "optuna":
        quiet_optuna()
        program = {"branin": native.optuna_branin, "mixed10": native.optuna_mixed10}[space]
        native.run_optuna(algorithm, program, objective, n, seed, storage=storage)
    elif library == "hyperopt":
        hspace = {"branin": native.hyperopt_branin, "mixed10": native.hyperopt_mixed10}[space]()
        native.run_hyperopt(algorithm, hspace, objective, n, seed)
    else:
        from skopt import forest_minimize, gp_minimize

        dims, to_config = {
            "branin": (native.skopt_branin_dims, native.skopt_branin_config),
            "mixed10": (native.skopt_mixed10_dims, native.skopt_mixed10_config),
        }[space]
        if algorithm == "gp":
            native.run_skopt(gp_minimize, dims(), to_config, objective, n, seed)
        else:
            native.run_skopt(forest_minimize, dims(), to_config, objective, n, seed, base_estimator="RF")


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> str:
    """A GitHub-flavoured Markdown table (also readable in a terminal)."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = []
    if title:
        lines += [f"### {title}", ""]
    lines.append("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return "\n".join(lines) + "\n"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "n/a"
        if abs(v) >= 100:
            return f"{v:.0f}"
        if abs(v) >= 10:
            return f"{v:.1f}"
        return f"{v:.3f}"
    return str(v)


def verdict(value: float, target: float) -> str:
    if math.isnan(value):
        return "n/a"
    return "ok" if value <= target else "MISSED"


def machine() -> str:
    """One line about the machine and the library versions."""
    from importlib.metadata import version

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    libs = ["unitune", "optuna", "hyperopt", "scikit-optimize", "scikit-learn", "numpy", "scipy"]
    libs += ["loky", "dask", "distributed", "SQLAlchemy", "pyperf"]
    vers = []
    for lib in libs:
        with contextlib.suppress(Exception):
            vers.append(f"{lib} {version(lib)}")
    return (
        f"{platform.system()} {platform.machine()}, nproc={os.cpu_count()}, {cpu}; "
        f"Python {platform.python_version()}; " + ", ".join(vers) + f"; {unitune_revision()}"
    )


def unitune_revision() -> str:
    """The git commit of the measured unitune checkout, and whether its files differ from it."""
    root = Path(ut.__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "unitune"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return "unitune commit unknown"
    if head.returncode != 0:
        return "unitune commit unknown"
    changed = len(dirty.stdout.splitlines())
    return f"unitune commit {head.stdout.strip()}" + (
        f" + {changed} uncommitted file(s) in unitune/" if changed else ""
    )


def silence_loggers() -> None:
    logging.getLogger("hyperopt").setLevel(logging.WARNING)
