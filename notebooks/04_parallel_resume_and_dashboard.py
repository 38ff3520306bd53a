# %% [markdown]
# # 04 · Parallel trials, Dask, storage, resuming, dashboards and failures
#
# Real tuning jobs run for hours, on several cores or machines, and sometimes crash. This notebook shows
#
# 1. running trials in parallel worker processes (`n_jobs`),
# 2. running them on a Dask cluster (`executor=client.get_executor()`),
# 3. recording a study durably in SQLite (`storage="sqlite:///..."`) and resuming it after an interruption,
# 4. warm-starting one backend with another backend's trials,
# 5. reading the record with Optuna's own tools (`optuna.load_study`, `optuna.visualization`,
#    optuna-dashboard), whatever backend produced it,
# 6. what happens when the objective fails.
#
# Everything is written into a temporary folder, which is removed at the end.

# %%
# %matplotlib inline
import logging
import os
import shutil
import tempfile
import time
import warnings

import matplotlib.pyplot as plt
import pandas as pd

import unitune as ut

workdir = tempfile.mkdtemp(prefix="unitune-notebook-")
url = "sqlite:///" + os.path.join(workdir, "runs.db")

# %% [markdown]
# The objective sleeps 0.3 s to stand in for a training run:

# %%
space = {"x": ut.Float(-5, 5), "y": ut.Float(-5, 5), "kind": ut.Categorical(["a", "b"])}


def train(config):
    time.sleep(0.3)  # stands in for a training run
    x, y = config["x"], config["y"]
    return (x - 1) ** 2 + (y + 2) ** 2 + (0.5 if config["kind"] == "b" else 0.0)


# %% [markdown]
# ## 1. Parallel trials with `n_jobs`
#
# `n_jobs=2` keeps two trials in flight in two local worker processes. Ask and tell stay in this
# process; only the objective goes to the workers, and a new trial is asked as soon as one finishes.
# Functions defined in a notebook, lambdas and closures work (they are pickled by value).
# The first parallel run also pays for starting the worker processes.

# %%
for n_jobs in [1, 2]:
    start = time.perf_counter()
    study = ut.minimize(train, space, backend="optuna", n_trials=24, n_jobs=n_jobs, seed=0)
    seconds = time.perf_counter() - start
    print(f"n_jobs={n_jobs}: {len(study.trials)} trials in {seconds:.1f} s, best {study.best_value:.3f}")

# %% [markdown]
# While trials are in flight, the backend proposes new ones without knowing their results: see the
# `pending` column of `ut.backends()`. Optuna's TPE steers new proposals away from the running ones with
# its constant liar (on by default from Optuna 5; with Optuna 4 pass `backend_options={"constant_liar":
# True}`); scikit-optimize uses its constant-liar strategy and Hyperopt's TPE treats running trials as
# bad ones.
#
# ## 2. A Dask cluster
#
# `executor=` takes any `concurrent.futures.Executor`. A Dask client's executor sends the trials to the
# cluster's workers: a `LocalCluster` here, a cluster over many machines (SLURM, Kubernetes, ...) in
# the same way.

# %%
from distributed import Client, LocalCluster

with (
    LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
    Client(cluster) as client,
):
    start = time.perf_counter()
    executor = client.get_executor()
    study = ut.minimize(
        train,
        space,
        backend="hyperopt",
        n_trials=24,
        executor=executor,
        n_jobs=2,
        seed=0,
        backend_options={"n_startup_jobs": 8},  # 20 random start-up trials by default
    )
    print(f"{len(study.trials)} trials on Dask in {time.perf_counter() - start:.1f} s, best {study.best_value:.3f}")


# %% [markdown]
# ## 3. Durable storage and resuming
#
# Every study, whatever its backend, is recorded as an Optuna study: in memory by default, durably with
# `storage=` (an Optuna URL such as `sqlite:///runs.db`, a journal-file path, or a storage object).
#
# With `load_if_exists=True`, running **the same command again** continues the study: `n_trials` is then
# the study's *total*, the finished trials are replayed into the backend, and a trial that the
# interruption left running is run again with the same parameters.
#
# To simulate a job that dies after 8 of its 20 trials, a callback stops the first run early:


# %%
def objective(config):  # the same function, without the sleep
    x, y = config["x"], config["y"]
    return (x - 1) ** 2 + (y + 2) ** 2 + (0.5 if config["kind"] == "b" else 0.0)


def tune(callbacks=()):
    return ut.minimize(
        objective,
        space,
        backend="optuna",
        n_trials=20,
        seed=0,
        storage=url,
        study_name="tpe",
        load_if_exists=True,
        callbacks=callbacks,
    )


def crash_after_8(study, trial):
    if len(study.trials) >= 8:
        study.stop()


first = tune(callbacks=[crash_after_8])
print("first run:", len(first.trials), "trials")
second = tune()  # the very same command, after the "crash"
print("after resuming:", len(second.trials), "trials, best", round(second.best_value, 4))

# %% [markdown]
# ## 4. Warm start from another backend
#
# `warm_start=` tells another study's finished trials (any backend, or its `trials_dataframe()`) to a new
# study before its first ask. Here scikit-optimize's Gaussian process starts from the 20 Optuna trials, so
# it fits its model from the first trial on, instead of spending its first 10 trials on random points
# (the options make it maximize the acquisition function over 500 random candidates, which is fast):

# %%
gp = {"acq_optimizer": "sampling", "n_points": 500}
cold = ut.minimize(objective, space, backend="skopt:gp", n_trials=10, seed=0, backend_options=gp)
warm = ut.minimize(
    objective,
    space,
    backend="skopt:gp",
    n_trials=10,
    seed=0,
    backend_options=gp,
    warm_start=second,
    storage=url,
    study_name="gp-warm",
)
print(f"cold start: best of 10 trials {cold.best_value:.4f}")
print(f"warm start: best of 10 trials {warm.best_value:.4f}  (the Optuna study's best: {second.best_value:.4f})")

# %% [markdown]
# ## 5. Reading the record with Optuna's tools
#
# The SQLite file is an ordinary Optuna storage: `optuna.load_study` reads it, whichever backend
# proposed the trials. unitune stores the backend, seed and space as study attributes.

# %%
import optuna

for summary in optuna.get_all_study_summaries(url):
    attrs = summary.user_attrs
    print(f"{summary.study_name:12s} {summary.n_trials:3d} trials  backend={attrs['unitune.backend']}")

record = optuna.load_study(study_name="tpe", storage=url)
record.trials_dataframe()[["number", "value", "state", "params_x", "params_y", "params_kind"]].tail()

# %% [markdown]
# So `optuna.visualization` works on every backend's record. The matplotlib variant renders statically
# (the plotly variant `optuna.visualization.plot_optimization_history` is interactive):

# %%
from optuna.visualization.matplotlib import plot_optimization_history

studies = [optuna.load_study(study_name=name, storage=url) for name in ["tpe", "gp-warm"]]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    ax = plot_optimization_history(studies)
ax.set_yscale("log")
ax.figure.set_size_inches(8, 4)
plt.show()


# %% [markdown]
# ### optuna-dashboard
#
# For a live web view of a running study (Hyperopt and scikit-optimize studies included), install
# [optuna-dashboard](https://github.com/optuna/optuna-dashboard) and point it at the storage:
#
# ```bash
# pip install optuna-dashboard
# optuna-dashboard sqlite:///runs.db        # then open http://127.0.0.1:8080
# ```
#
# From the command line, `unitune show sqlite:///runs.db --study-name tpe` prints a summary of a study.
#
# ## 6. Failing trials
#
# Objectives fail: a training run diverges, a configuration runs out of memory. An exception of a type
# listed in `catch=` makes a **failed trial**: it is recorded with its error, told to the backend (each its
# own way: see the `failures` column of `ut.backends()`), and the study goes on. Returning NaN or infinity
# also fails the trial. By default `catch=()`, as in Optuna: any other exception is a bug (below).
#
# This objective "diverges" for large `x` and returns NaN for very small `y`. unitune logs every failed
# trial as a warning of the `"unitune"` logger; the first line silences them to keep the output short.


# %%
def fragile(config):
    if config["x"] > 3:
        raise FloatingPointError("training diverged")
    if config["y"] < -4.5:
        return float("nan")
    return objective(config)


logging.getLogger("unitune").setLevel(logging.ERROR)

rows = []
for backend in ["optuna", "hyperopt", "skopt:forest"]:
    options = {"n_points": 500} if backend == "skopt:forest" else None
    study = ut.minimize(
        fragile, space, backend=backend, n_trials=30, seed=0, backend_options=options, catch=(FloatingPointError,)
    )
    states = study.trials_dataframe()["state"].value_counts()
    rows.append({"backend": backend, **states.to_dict(), "best": study.best_value})
pd.DataFrame(rows).fillna(0)

# %% [markdown]
# Every backend kept going. How each one learns from failures differs (`ut.backends()`, column
# `failures`), and it shows in how often each returned to the failing region: Optuna's samplers learn
# from complete trials only, so TPE does not learn to avoid it; Hyperopt's TPE ranks failed trials as
# infinitely bad; scikit-optimize, which has no failed state, is told the worst loss seen so far. If a
# region is known to fail, leave it out of the space, or return a large finite penalty.
#
# The failed trials keep their parameters and the reason (here those of the last study, scikit-optimize):

# %%
frame = study.trials_dataframe()
frame.loc[frame["state"] == "failed", ["number", "params_x", "params_y", "error"]].head()


# %% [markdown]
# An exception that is not in `catch` is a bug rather than a bad configuration: the trial is recorded as
# failed, then the exception stops the study and propagates with its traceback, so you see it at once. The
# trials finished before are kept.


# %%
def buggy(config):
    if config["kind"] == "b":
        return objective(config) + config["penalty"]  # a bug: the space has no "penalty"
    return objective(config)


study = ut.Study(space, backend="optuna", seed=4)
try:
    study.optimize(buggy, n_trials=20, catch=(FloatingPointError,))
except KeyError as error:
    print("stopped by", repr(error))
print(len(study.trials), "finished trials:", [t.state for t in study.trials])

# %% [markdown]
# Finally, remove the temporary folder with the SQLite file:

# %%
shutil.rmtree(workdir)
