# %% [markdown]
# # 01 · Quickstart: one search space, three optimizers
#
# `unitune` lets you write a search space and an objective **once** and run them with
# [Optuna](https://optuna.org), [Hyperopt](https://hyperopt.github.io/hyperopt/) or
# [scikit-optimize](https://scikit-optimize.github.io) by changing one argument.
# This notebook covers:
#
# 1. the search-space language (`Float`, `Int`, `Categorical`, `Conditional`, constants, nesting),
# 2. `ut.minimize` with one backend, then with several,
# 3. a plot of the optimization history,
# 4. the results as a pandas `DataFrame`,
# 5. the ask/tell loop of `ut.Study`,
# 6. `ut.explain` (how each library receives your space) and `ut.backends()` (what each can do).
#
# Everything runs in a few seconds on a laptop.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import pandas as pd

import unitune as ut

print("unitune", ut.__version__)

# %% [markdown]
# ## 1. A search space is a plain dict
#
# * `ut.Float(low, high, log=False)` and `ut.Int(low, high, log=False, step=1)`: bounds are **inclusive**.
# * `ut.Categorical([...])`: the choices can be any Python objects (`None`, tuples, estimators, ...);
#   the objective receives the very object.
# * `ut.Conditional({label: branch, ...})`: the key receives the chosen label and the chosen
#   branch's entries are merged into the same dict. Parameters of the other branches do not exist
#   in that trial.
# * plain dicts nest, and anything that is not an element is a **constant** passed through unchanged.
#
# Here is the space of a small neural network:

# %%
space = {
    "lr": ut.Float(1e-5, 1e-1, log=True),
    "layers": ut.Int(1, 4),
    "units": ut.Int(16, 1024, log=True),
    "batch": ut.Int(32, 256, step=32),
    "act": ut.Categorical(["relu", "tanh", None]),  # any Python objects
    "optimizer": {  # plain nesting is kept
        "kind": ut.Conditional(
            {
                "adam": {"beta1": ut.Float(0.8, 0.999)},
                "sgd": {"momentum": ut.Float(0.0, 0.99), "nesterov": ut.Categorical([True, False])},
            }
        ),
    },
    "epochs": 10,  # a constant
}

s = ut.Space(space)
print("parameters:", s.names)
for seed in range(3):
    print(s.sample(seed))

# %% [markdown]
# Parameters get flat dotted names (`optimizer.beta1`), which is how they appear in tables and in
# the stored record; the objective always receives the nested dict. A configuration holds only the
# parameters of the active branch (`beta1` for Adam, `momentum` and `nesterov` for SGD).
#
# Invalid spaces fail at once, naming the parameter, the rule and the fix:

# %%
try:
    ut.Space({"model": {"depth": ut.Int(1, 10, step=4)}})
except ut.SpaceError as error:
    print(error)


# %% [markdown]
# ## 2. An objective and `ut.minimize`
#
# An objective takes the nested configuration and returns a number. To keep the notebook fast, this
# one is a cheap stand-in for "train the network, return the validation loss": it is smallest
# for a learning rate near 3e-3, two layers of about 128 units, ReLU and Adam with `beta1 = 0.9`.


# %%
def validation_loss(config):
    """A cheap stand-in for training a network; lower is better."""
    loss = (math.log10(config["lr"]) + 2.5) ** 2
    loss += 0.1 * abs(config["layers"] - 2)
    loss += 0.05 * abs(math.log2(config["units"] / 128))
    loss += 0.02 * abs(config["batch"] - 64) / 32
    loss += {"relu": 0.0, "tanh": 0.1, None: 0.3}[config["act"]]
    optimizer = config["optimizer"]
    if optimizer["kind"] == "adam":
        loss += 5 * (optimizer["beta1"] - 0.9) ** 2
    else:
        loss += 0.3 * (1 - optimizer["momentum"]) + (0.0 if optimizer["nesterov"] else 0.05)
    return loss


study = ut.minimize(validation_loss, space, backend="optuna", n_trials=40, seed=0)
print(study)
print(f"best loss {study.best_value:.4f} in trial {study.best_trial.number}")
study.best_params

# %% [markdown]
# `study.best_params` is the nested configuration, constants included, exactly as the objective
# received it. `ut.maximize` is the same for scores (higher is better).
#
# ## 3. One argument switches the backend
#
# `backend` is `"optuna"`, `"hyperopt"`, `"skopt"` (each with its default algorithm) or
# `"library:algorithm"`. `backend_options` goes to the native algorithm: here it makes
# scikit-optimize's random-forest surrogate score 500 random candidates per trial instead of
# 10 000, which keeps this notebook fast. With the same `seed`, every run is reproducible.
#
# Model-based algorithms begin with a **random start-up phase**: with the same seed, Optuna's TPE
# makes exactly its random sampler's first 10 trials, Hyperopt's TPE its random search's first 20.
# `ut.backends()` names each phase and the option that sets it; a budget well above it lets the
# models work (here 60 trials).

# %%
ut.backends().set_index("backend").loc[["optuna:tpe", "hyperopt:tpe", "skopt:forest"], ["startup"]]

# %%
backends = ["optuna", "optuna:random", "hyperopt", "skopt:forest"]
studies = {}
for backend in backends:
    options = {"n_points": 500} if backend == "skopt:forest" else None
    studies[backend] = ut.minimize(
        validation_loss, space, backend=backend, n_trials=60, seed=0, backend_options=options
    )
    print(f"{backend:14s} best loss {studies[backend].best_value:.4f}")

# %% [markdown]
# ## 4. Plot the optimization history
#
# Every study gives its trials as a `DataFrame` (next section), so a convergence plot is a few lines of
# matplotlib. Left: each trial of the Optuna (TPE) run and its best value so far. Right: the best value
# so far of every backend.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")

frame = studies["optuna"].trials_dataframe().sort_values("number")
left.scatter(frame["number"] + 1, frame["value"], s=14, alpha=0.6, label="trial")
left.step(frame["number"] + 1, frame["value"].cummin(), where="post", color="C3", label="best so far")
left.set(title="optuna (TPE): every trial", xlabel="trial", ylabel="validation loss", yscale="log")
left.legend()

for backend, run in studies.items():
    frame = run.trials_dataframe().sort_values("number")
    right.step(frame["number"] + 1, frame["value"].cummin(), where="post", label=backend)
right.set(title="best so far, one run per backend", xlabel="trial", ylabel="validation loss", yscale="log")
right.legend()
plt.show()

# %% [markdown]
# One seed per backend says little about which optimizer is better: notebook
# `02_compare_backends` runs several seeds and tests the differences.
#
# ## 5. The trials as a DataFrame
#
# `trials_dataframe()` has one row per finished trial: number, state, value, timings and one
# `params_<flat name>` column per parameter (NaN where a parameter was inactive).

# %%
frame = study.trials_dataframe()
frame.head()

# %% [markdown]
# It is a plain pandas `DataFrame`, e.g. how the TPE run split its trials between the two optimizers:

# %%
frame.groupby("params_optimizer.kind")["value"].agg(["count", "min", "median"])

# %% [markdown]
# ## 6. Ask and tell
#
# Research code often needs to own the loop (to train several models at once, to log to an
# experiment tracker, ...). `ut.Study` gives the ask/tell interface of every backend:
#
# * `study.ask()` proposes one trial; `study.ask(n)` proposes `n` **pending** trials at once, which each
#   backend handles its own way (scikit-optimize with its constant-liar strategy);
# * `study.tell(trial, value)` reports the result; a dict with the number under `"value"` also stores
#   the other entries as trial attributes; `state="failed"` reports a failure.
#
# Here with scikit-optimize's random-forest surrogate, starting from 5 random points instead of 10
# (`skopt:gp`, its Gaussian process, works the same way but is slower to fit).

# %%
forest_options = {"n_initial_points": 5, "n_points": 500}
loop = ut.Study(space, backend="skopt:forest", direction="minimize", seed=0, backend_options=forest_options)

for _ in range(8):
    trial = loop.ask()
    loss = validation_loss(trial.params)
    loop.tell(trial, {"value": loss, "note": "sequential"})  # extra entries become trial attributes

batch = loop.ask(3)  # three pending trials, e.g. for three GPUs
for trial in batch:
    loop.tell(trial, {"value": validation_loss(trial.params), "note": "batch"})

print(loop, "best trial:", loop.best_trial.number, "best loss:", round(loop.best_value, 4))
[(t.number, t.state, round(t.value, 3), t.user_attrs["note"]) for t in loop.trials[-4:]]

# %% [markdown]
# ## 7. How each backend receives the space: `ut.explain`
#
# Translating a space between libraries is where results quietly go wrong (for instance an integer
# in `[1, 4]` given to Hyperopt as `hp.quniform(1, 4, 1)` draws the end points half as often).
# `ut.explain(space, backend)` shows, per parameter, the native expression that unitune uses and
# how faithful it is: `exact`, `flattened` (scikit-optimize has no conditional spaces: every branch is
# sampled, only the active parameters reach the objective), `approximated` or `fallback`.

# %%
ut.explain(space, "hyperopt")

# %% [markdown]
# Side by side, the native expression of each library and the fidelity of a few algorithms:

# %%
native = pd.DataFrame({b: ut.explain(space, b).set_index("param")["native"] for b in ["optuna", "skopt"]})
fidelity = pd.DataFrame(
    {f"{b} fidelity": ut.explain(space, b).set_index("param")["fidelity"] for b in ["optuna:cmaes", "skopt"]}
)
native.join(fidelity)

# %% [markdown]
# ## 8. What each backend can do: `ut.backends()`
#
# Every `library:algorithm` with its capabilities: whether conditional spaces are native or flattened,
# whether it proposes batches natively, how it treats pending trials (parallel runs) and failures.

# %%
ut.backends()[["backend", "description", "default", "conditional", "batch", "failures"]]

# %% [markdown]
# ## Next
#
# * `02_compare_backends`: benchmark optimizers on the same problems with several seeds and paired tests.
# * `03_sklearn_cross_validation`: `unitune.sklearn.SearchCV`, a drop-in for `GridSearchCV` on any backend.
# * `04_parallel_resume_and_dashboard`: parallel and Dask trials, SQLite storage, resuming,
#   warm starts, optuna-dashboard and failing trials.
