"""Shared pieces of the benchmark scripts: spaces, objectives, hand-written native programs, tables.

Every native program here is what a user would write by hand for the same space, using the
native expressions that unitune's adapters report (``unitune.explain``):

* Optuna: ``trial.suggest_float/suggest_int(..., log=...)``, categoricals suggested as indices;
* Hyperopt: ``hp.uniform``, ``hp.loguniform(key, log(lo), log(hi))``, ints as
  ``hp.quniform(key, lo - 0.5, hi + 0.5, 1)`` (``hp.qloguniform`` on the logs for a log int),
  categoricals as ``hp.choice(key, [0, 1, ...])``;
* scikit-optimize: ``Real(lo, hi[, prior="log-uniform"])``, ints as ``Real(lo - 0.5, hi + 0.5)``
  rounded, categoricals as ``Categorical([0, 1, ...])``.

So, for one seed, unitune and the native program propose the same trials and fit the same
models; :func:`check_same` verifies that on the best value of each pair of runs.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import unitune as ut

# --------------------------------------------------------------------------------------------
# Objectives: cheap (a few microseconds), so that the measured time is the tuning machinery's.
# --------------------------------------------------------------------------------------------

OPTIMIZERS = ["sgd", "adam", "rmsprop"]
ACTIVATIONS = ["relu", "tanh", "gelu", "silu"]
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


class Timed:
    """Wraps an objective and adds up the seconds spent inside it (costs ~0.3 us a call)."""

    def __init__(self, fn: Callable[[dict[str, Any]], float]) -> None:
        self.fn, self.total, self.calls = fn, 0.0, 0

    def __call__(self, config: dict[str, Any]) -> float:
        t0 = time.perf_counter()
        try:
            return self.fn(config)
        finally:
            self.total += time.perf_counter() - t0
            self.calls += 1


def _clip_int(v: float, lo: int, hi: int) -> int:
    return int(min(max(round(v), lo), hi))


# --------------------------------------------------------------------------------------------
# Hand-written native programs. Each returns (best value, native result object).
# --------------------------------------------------------------------------------------------


def quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def default_optuna_logging() -> None:
    """Optuna's default verbosity (INFO): unitune is measured as a user gets it."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.INFO)


def optuna_sampler(algorithm: str, seed: int) -> Any:
    import optuna

    if algorithm == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def native_optuna(space: str, algorithm: str, n: int, seed: int, objective: Callable, storage: Any = None) -> float:
    import optuna

    quiet_optuna()
    if space == "branin":

        def fn(trial: optuna.Trial) -> float:
            return objective({"x0": trial.suggest_float("x0", -5.0, 10.0), "x1": trial.suggest_float("x1", 0.0, 15.0)})
    else:

        def fn(trial: optuna.Trial) -> float:
            return objective(
                {
                    "a": trial.suggest_float("a", -5.0, 5.0),
                    "b": trial.suggest_float("b", 0.0, 1.0),
                    "c": trial.suggest_float("c", -2.0, 2.0),
                    "lr": trial.suggest_float("lr", 1e-5, 1e-1, log=True),
                    "wd": trial.suggest_float("wd", 1e-6, 1e-2, log=True),
                    "layers": trial.suggest_int("layers", 1, 8),
                    "units": trial.suggest_int("units", 16, 256),
                    "batch": trial.suggest_int("batch", 8, 1024, log=True),
                    "opt": OPTIMIZERS[trial.suggest_categorical("opt", [0, 1, 2])],
                    "act": ACTIVATIONS[trial.suggest_categorical("act", [0, 1, 2, 3])],
                }
            )

    study = optuna.create_study(sampler=optuna_sampler(algorithm, seed), storage=storage)
    study.optimize(fn, n_trials=n)
    return study.best_value


def native_hyperopt(space: str, algorithm: str, n: int, seed: int, objective: Callable) -> float:
    import numpy as np
    from hyperopt import Trials, fmin, hp, rand, tpe

    if space == "branin":
        hspace = {"x0": hp.uniform("x0", -5.0, 10.0), "x1": hp.uniform("x1", 0.0, 15.0)}
        fn = objective
    else:
        hspace = {
            "a": hp.uniform("a", -5.0, 5.0),
            "b": hp.uniform("b", 0.0, 1.0),
            "c": hp.uniform("c", -2.0, 2.0),
            "lr": hp.loguniform("lr", math.log(1e-5), math.log(1e-1)),
            "wd": hp.loguniform("wd", math.log(1e-6), math.log(1e-2)),
            "layers": hp.quniform("layers", 0.5, 8.5, 1),
            "units": hp.quniform("units", 15.5, 256.5, 1),
            "batch": hp.qloguniform("batch", math.log(7.5), math.log(1024.5), 1),
            "opt": hp.choice("opt", [0, 1, 2]),
            "act": hp.choice("act", [0, 1, 2, 3]),
        }

        def fn(c: dict[str, Any]) -> float:
            return objective(
                {
                    "a": c["a"],
                    "b": c["b"],
                    "c": c["c"],
                    "lr": c["lr"],
                    "wd": c["wd"],
                    "layers": _clip_int(c["layers"], 1, 8),
                    "units": _clip_int(c["units"], 16, 256),
                    "batch": _clip_int(c["batch"], 8, 1024),
                    "opt": OPTIMIZERS[c["opt"]],
                    "act": ACTIVATIONS[c["act"]],
                }
            )

    trials = Trials()
    algo = tpe.suggest if algorithm == "tpe" else rand.suggest
    fmin(fn, hspace, algo=algo, max_evals=n, trials=trials, rstate=np.random.default_rng(seed), show_progressbar=False)
    return float(min(trials.losses()))


def native_skopt(space: str, algorithm: str, n: int, seed: int, objective: Callable) -> float:
    from skopt import forest_minimize, gp_minimize
    from skopt.space import Categorical, Real

    if space == "branin":
        dims = [Real(-5.0, 10.0, name="x0"), Real(0.0, 15.0, name="x1")]

        def fn(x: list[Any]) -> float:
            return objective({"x0": float(x[0]), "x1": float(x[1])})
    else:
        dims = [
            Real(-5.0, 5.0, name="a"),
            Real(0.0, 1.0, name="b"),
            Real(-2.0, 2.0, name="c"),
            Real(1e-5, 1e-1, prior="log-uniform", name="lr"),
            Real(1e-6, 1e-2, prior="log-uniform", name="wd"),
            Real(0.5, 8.5, name="layers"),
            Real(15.5, 256.5, name="units"),
            Real(7.5, 1024.5, prior="log-uniform", name="batch"),
            Categorical([0, 1, 2], name="opt"),
            Categorical([0, 1, 2, 3], name="act"),
        ]

        def fn(x: list[Any]) -> float:
            return objective(
                {
                    "a": float(x[0]),
                    "b": float(x[1]),
                    "c": float(x[2]),
                    "lr": float(x[3]),
                    "wd": float(x[4]),
                    "layers": _clip_int(x[5], 1, 8),
                    "units": _clip_int(x[6], 16, 256),
                    "batch": _clip_int(x[7], 8, 1024),
                    "opt": OPTIMIZERS[int(x[8])],
                    "act": ACTIVATIONS[int(x[9])],
                }
            )

    if algorithm == "gp":
        result = gp_minimize(fn, dims, n_calls=n, random_state=seed)
    else:
        result = forest_minimize(fn, dims, base_estimator="RF", n_calls=n, random_state=seed)
    return float(result.fun)


def native_run(backend: str, space: str, n: int, seed: int, objective: Callable) -> float:
    library, algorithm = backend.split(":")
    if library == "optuna":
        return native_optuna(space, algorithm, n, seed, objective)
    if library == "hyperopt":
        return native_hyperopt(space, algorithm, n, seed, objective)
    return native_skopt(space, algorithm, n, seed, objective)


def check_same(label: str, a: float, b: float) -> str:
    """'' when unitune and the native program found the same best value, else a warning."""
    if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
        return ""
    msg = f"WARNING {label}: unitune best {a!r} != native best {b!r} (not the same trajectory)"
    print(msg, file=sys.stderr)
    return "differs"


# --------------------------------------------------------------------------------------------
# Statistics and tables
# --------------------------------------------------------------------------------------------


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


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


@dataclass
class Stopwatch:
    start: float = 0.0

    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.elapsed = time.perf_counter() - self.start


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
    libs += ["loky", "dask", "distributed", "SQLAlchemy"]
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


def run_python(code: str) -> float:
    """Wall time of ``python -c code`` in a fresh interpreter."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t0
