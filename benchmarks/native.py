"""The hand-written native programs: what a user of each library writes by hand for a space.

They are the reference of "same seed, same trajectory": with a seed, a unitune run makes exactly
the suggestions that these programs make. ``tests/test_adapter_*.py`` assert it (pytest puts this
folder on ``sys.path``) and the benchmarks time unitune against them, checking it again.

Each program uses the native expressions that unitune's adapters report (``unitune.explain``):

* Optuna: define-by-run ``trial.suggest_float/suggest_int(..., log=..., step=...)`` and
  ``trial.suggest_categorical`` over the real choices, run by ``create_study(...).optimize``;
* Hyperopt: ``hp.uniform``, ``hp.loguniform(key, log(low), log(high))``, ints as
  ``scope.int(hp.quniform(key, low - 0.5, high + 0.5, 1))`` (``hp.qloguniform`` on the logs for a
  log int), a step as ``low + step * k`` over ``k``, ``hp.choice`` over the real choices, run by
  ``fmin(..., rstate=np.random.default_rng(seed))``;
* scikit-optimize: ``Real(low, high[, prior="log-uniform"])``, ints as ``Real(low - 0.5, high + 0.5)``
  rounded, ``Categorical`` over the real choices, run by ``gp_minimize`` / ``forest_minimize`` / ...
  or an ``Optimizer`` ask/tell loop.

The spaces: ``branin`` and ``mixed10`` are the benchmarks' (``benchmarks/_common.py`` writes them
for unitune); ``mixed`` and ``conditional`` are those of the adapter tests (each test file writes
them for unitune; the scikit-optimize tests have their own ``mixed``). The backends are imported
inside the functions, so that importing this module costs nothing.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

Config = dict[str, Any]
Objective = Callable[[Config], float]

MIXED10_OPTIMIZERS = ["sgd", "adam", "rmsprop"]
MIXED10_ACTIVATIONS = ["relu", "tanh", "gelu", "silu"]
ACTS = ["relu", "tanh", None]  # the adapter tests' Categorical (None is a choice like any other)
SKOPT_ACTS = ["relu", "tanh", "sigmoid"]


def _int(value: float, low: int, high: int) -> int:
    """A rounded float, kept within bounds (what one writes by hand after ``Real(low - 0.5, high + 0.5)``)."""
    return int(min(max(round(value), low), high))


# -- Optuna ---------------------------------------------------------------------------------------


def optuna_samplers() -> dict[str, Any]:
    """unitune's Optuna algorithm names -> sampler classes (``grid`` takes a hand-made ``GridSampler``)."""
    import optuna

    return {
        "tpe": optuna.samplers.TPESampler,
        "random": optuna.samplers.RandomSampler,
        "cmaes": optuna.samplers.CmaEsSampler,
        "qmc": optuna.samplers.QMCSampler,
        "nsga2": optuna.samplers.NSGAIISampler,
    }


def optuna_branin(trial: optuna.Trial) -> Config:
    return {"x0": trial.suggest_float("x0", -5.0, 10.0), "x1": trial.suggest_float("x1", 0.0, 15.0)}


def optuna_mixed10(trial: optuna.Trial) -> Config:
    return {
        "a": trial.suggest_float("a", -5.0, 5.0),
        "b": trial.suggest_float("b", 0.0, 1.0),
        "c": trial.suggest_float("c", -2.0, 2.0),
        "lr": trial.suggest_float("lr", 1e-5, 1e-1, log=True),
        "wd": trial.suggest_float("wd", 1e-6, 1e-2, log=True),
        "layers": trial.suggest_int("layers", 1, 8),
        "units": trial.suggest_int("units", 16, 256),
        "batch": trial.suggest_int("batch", 8, 1024, log=True),
        "opt": trial.suggest_categorical("opt", MIXED10_OPTIMIZERS),
        "act": trial.suggest_categorical("act", MIXED10_ACTIVATIONS),
    }


def optuna_mixed(trial: optuna.Trial) -> Config:
    """The Optuna tests' MIXED by hand: the real choices, in the order of MIXED.params."""
    return {
        "x": trial.suggest_float("x", -2.0, 3.0),
        "lr": trial.suggest_float("lr", 1e-5, 1e-1, log=True),
        "n": trial.suggest_int("n", 1, 10),
        "m": trial.suggest_int("m", 1, 100, log=True),
        "batch": trial.suggest_int("batch", 32, 256, step=32),
        "frac": trial.suggest_float("frac", 0.0, 1.0, step=0.1),
        "act": trial.suggest_categorical("act", ACTS),
        "epochs": 5,
    }


def optuna_conditional(trial: optuna.Trial) -> Config:
    """Define-by-run by hand: the label first, then only the chosen branch (a reused name gets its key)."""
    x = trial.suggest_float("x", 0.0, 1.0)
    kind = trial.suggest_categorical("opt.kind", ["adam", "sgd", "none"])
    opt: Config = {"kind": kind}
    if kind == "adam":
        opt["lr"] = trial.suggest_float("opt.lr[kind=adam]", 1e-4, 1e-1, log=True)
        opt["beta"] = trial.suggest_float("opt.beta", 0.8, 0.999)
    elif kind == "sgd":
        opt["lr"] = trial.suggest_float("opt.lr[kind=sgd]", 1e-3, 1.0, log=True)
        opt["nesterov"] = trial.suggest_categorical("opt.nesterov", [True, False])
        opt["sched"] = trial.suggest_categorical("opt.sched", ["step", "cosine", "none"])
        if opt["sched"] == "step":
            opt["gamma"] = trial.suggest_float("opt.gamma", 0.1, 0.9, step=0.1)
        elif opt["sched"] == "cosine":
            opt["t_max"] = trial.suggest_int("opt.t_max", 10, 100, log=True)
    return {"x": x, "opt": opt, "units": trial.suggest_int("units", 16, 128, step=16)}


def run_optuna(
    algorithm: str,
    program: Callable[[optuna.Trial], Config],
    objective: Objective,
    n_trials: int,
    seed: int,
    storage: Any = None,
    **options: Any,
) -> list[Config]:
    """``optuna.create_study(sampler=<Sampler>(seed=seed, **options)).optimize(...)``; the configurations it tried.

    For ``"grid"``, pass the hand-made ``optuna.samplers.GridSampler`` as ``sampler=``.
    """
    import optuna

    configs: list[Config] = []

    def fn(trial: optuna.Trial) -> float:
        configs.append(program(trial))
        return float(objective(configs[-1]))

    if algorithm == "grid":
        sampler = options.pop("sampler")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler = optuna_samplers()[algorithm](seed=seed, **options)
    optuna.create_study(sampler=sampler, storage=storage).optimize(fn, n_trials=n_trials)
    return configs


# -- Hyperopt -------------------------------------------------------------------------------------


def hyperopt_branin() -> Config:
    from hyperopt import hp

    return {"x0": hp.uniform("x0", -5.0, 10.0), "x1": hp.uniform("x1", 0.0, 15.0)}


def hyperopt_mixed10() -> Config:
    from hyperopt import hp
    from hyperopt.pyll import scope

    return {
        "a": hp.uniform("a", -5.0, 5.0),
        "b": hp.uniform("b", 0.0, 1.0),
        "c": hp.uniform("c", -2.0, 2.0),
        "lr": hp.loguniform("lr", math.log(1e-5), math.log(1e-1)),
        "wd": hp.loguniform("wd", math.log(1e-6), math.log(1e-2)),
        "layers": scope.int(hp.quniform("layers", 0.5, 8.5, 1)),
        "units": scope.int(hp.quniform("units", 15.5, 256.5, 1)),
        "batch": scope.int(hp.qloguniform("batch", math.log(7.5), math.log(1024.5), 1)),
        "opt": hp.choice("opt", MIXED10_OPTIMIZERS),
        "act": hp.choice("act", MIXED10_ACTIVATIONS),
    }


def hyperopt_mixed() -> Config:
    """The Hyperopt tests' MIXED by hand (real choices, ints, grids)."""
    from hyperopt import hp
    from hyperopt.pyll import scope

    return {
        "x": hp.uniform("x", -2.0, 3.0),
        "lr": hp.loguniform("lr", math.log(1e-4), math.log(1.0)),
        "n": scope.int(hp.quniform("n", 0.5, 10.5, 1)),
        "m": scope.int(hp.qloguniform("m", math.log(0.5), math.log(100.5), 1)),
        "batch": 32 + 32 * scope.int(hp.quniform("batch", -0.5, 7.5, 1)),
        "frac": 0.25 * hp.quniform("frac", -0.5, 4.5, 1),
        "act": hp.choice("act", ACTS),
        "epochs": 5,
    }


def hyperopt_conditional() -> Config:
    """The Hyperopt tests' COND by hand: one ``hp.choice`` over the branches' dicts."""
    from hyperopt import hp

    return {
        "x": hp.uniform("x", 0.0, 1.0),
        "opt": hp.choice(
            "opt.kind",
            [
                {
                    "kind": "adam",
                    "beta": hp.uniform("opt.beta", 0.8, 0.999),
                    "eps": hp.loguniform("opt.eps", math.log(1e-8), math.log(1e-4)),
                },
                {
                    "kind": "sgd",
                    "momentum": hp.uniform("opt.momentum", 0.0, 1.0),
                    "nesterov": hp.choice("opt.nesterov", [True, False]),
                },
                {"kind": "none"},
            ],
        ),
    }


def run_hyperopt(algorithm: str, space: Config, objective: Objective, n_trials: int, seed: int) -> list[Config]:
    """``fmin(objective, space, algo=<algorithm>.suggest, rstate=np.random.default_rng(seed))``; the configurations."""
    import numpy as np
    from hyperopt import Trials, anneal, fmin, rand, tpe

    algo = {"tpe": tpe.suggest, "rand": rand.suggest, "anneal": anneal.suggest}[algorithm]
    configs: list[Config] = []

    def fn(config: Config) -> float:
        configs.append(config)
        return float(objective(config))

    fmin(fn, space, algo=algo, max_evals=n_trials, trials=Trials(), rstate=np.random.default_rng(seed),
         show_progressbar=False)  # fmt: skip
    return configs


# -- scikit-optimize ------------------------------------------------------------------------------
# A program is a list of dimensions and the function from a point to the configuration.


def skopt_branin_dims() -> list[Any]:
    from skopt.space import Real

    return [Real(-5.0, 10.0), Real(0.0, 15.0)]


def skopt_branin_config(x: list[Any]) -> Config:
    return {"x0": float(x[0]), "x1": float(x[1])}


def skopt_mixed10_dims() -> list[Any]:
    from skopt.space import Categorical, Real

    return [
        Real(-5.0, 5.0),
        Real(0.0, 1.0),
        Real(-2.0, 2.0),
        Real(1e-5, 1e-1, prior="log-uniform"),
        Real(1e-6, 1e-2, prior="log-uniform"),
        Real(0.5, 8.5),
        Real(15.5, 256.5),
        Real(7.5, 1024.5, prior="log-uniform"),
        Categorical(MIXED10_OPTIMIZERS),
        Categorical(MIXED10_ACTIVATIONS),
    ]


def skopt_mixed10_config(x: list[Any]) -> Config:
    return {
        "a": float(x[0]),
        "b": float(x[1]),
        "c": float(x[2]),
        "lr": float(x[3]),
        "wd": float(x[4]),
        "layers": _int(x[5], 1, 8),
        "units": _int(x[6], 16, 256),
        "batch": _int(x[7], 8, 1024),
        "opt": x[8],
        "act": x[9],
    }


def skopt_mixed_dims() -> list[Any]:
    """The scikit-optimize tests' MIXED by hand: the native expressions explain() reports, with the real strings."""
    from skopt.space import Categorical, Real

    return [Real(-5.0, 5.0), Real(1e-4, 1.0, prior="log-uniform"), Real(-0.5, 2.5), Categorical(SKOPT_ACTS)]


def skopt_mixed_config(x: list[Any]) -> Config:
    return {"x": x[0], "lr": x[1], "n": _int(x[2], 0, 2), "act": x[3]}


def run_skopt(
    minimize: Callable[..., Any],
    dims: list[Any],
    to_config: Callable[[list[Any]], Config],
    objective: Objective,
    n_calls: int,
    seed: int,
    **kwargs: Any,
) -> list[Config]:
    """``minimize(fn, dims, n_calls=n_calls, random_state=seed, **kwargs)``; the configurations it tried."""
    configs: list[Config] = []

    def fn(x: list[Any]) -> float:
        configs.append(to_config(x))
        return float(objective(configs[-1]))

    minimize(fn, dims, n_calls=n_calls, random_state=seed, **kwargs)
    return configs


def run_skopt_optimizer(
    dims: list[Any], to_config: Callable[[list[Any]], Config], objective: Objective, n: int, seed: int, **kwargs: Any
) -> list[Config]:
    """The ``skopt.Optimizer(dims, random_state=seed, **kwargs)`` ask/tell loop; the configurations."""
    from skopt import Optimizer

    opt = Optimizer(dims, random_state=seed, **kwargs)
    configs = []
    for _ in range(n):
        x = opt.ask()
        configs.append(to_config(x))
        opt.tell(x, float(objective(configs[-1])))
    return configs
