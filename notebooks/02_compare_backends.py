# %% [markdown]
# # 02 · Comparing optimizers side by side
#
# Which optimizer should you use for your problem? One run per optimizer does not tell: the
# differences between seeds are often larger than those between optimizers. `ut.compare` runs every
# (problem, backend, seed) with the same budget and gives
#
# * a summary table (final best value, regret, ranks, area under the convergence curve, cost per trial),
# * statistical tests between backends (per problem and across problems) and Bayesmark's normalized score,
# * convergence plots,
# * every trial in one long-form `DataFrame` for your own analysis.
#
# The budgets below are tiny (25 trials, 5 seeds) so that the notebook runs in well under a minute;
# use more trials and at least 10 seeds for conclusions you want to publish.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

import unitune as ut

print(ut.problems.names())

# %% [markdown]
# ## 1. Bundled problems
#
# `ut.problems` holds classic test functions on their standard domains (with known optima), a mixed-type
# and a conditional problem, and scikit-learn tuning tasks on bundled datasets. A `Problem` is a space,
# an objective, and optionally the optimum and a minimizer:

# %%
for name in ["branin", "hartmann3"]:
    problem = ut.problems.get(name)
    print(f"{problem.name}: optimum {problem.optimum:.5f}, space {problem.space}")
    print(f"    value at the known minimizer: {problem(problem.minimizer):.5f}")

# %% [markdown]
# ## 2. Run the comparison
#
# Three backends with their default algorithms for Optuna and Hyperopt (both TPE) and
# scikit-optimize's random-forest surrogate (`skopt:forest`, told to score 500 random candidates per
# trial to stay fast). `backend_options` maps each backend string to its options. `n_jobs=2` runs the
# 30 runs in two worker processes.

# %%
BACKENDS = ["optuna", "hyperopt", "skopt:forest"]
# Hyperopt's TPE starts with 20 random trials (ut.backends(), column "startup"): 10 here, so that its model runs
OPTIONS = {"hyperopt": {"n_startup_jobs": 10}, "skopt:forest": {"n_points": 500}}

cmp = ut.compare(
    ["branin", "hartmann3"],
    backends=BACKENDS,
    n_trials=40,
    seeds=range(5),
    backend_options=OPTIONS,
    n_jobs=2,
)
cmp

# %% [markdown]
# ## 3. Summary and tests
#
# `summary()`: per problem and backend, the final best value (mean, median, IQR), the regret
# (distance to the known optimum), the mean rank within the problem across seeds (`rank_mean`) and
# across all problems (`rank_overall`), the AUC (mean regret over the trials: lower means it got
# good early), the backend's own seconds per trial and unitune's overhead in microseconds per trial.

# %%
cmp.summary()

# %% [markdown]
# Seeds are not data sets. On one problem, runs with different seeds are independent samples:
# `within_problems()` compares every pair of backends by a two-sided Mann-Whitney U test on the final
# regrets, Holm-corrected over the pairs of the problem, with the Vargha-Delaney A12 (the probability
# that a run of `backend_a` ends lower than a run of `backend_b`; 0.5 is no effect).

# %%
columns = ["problem", "backend_a", "backend_b", "median_a", "median_b", "p_holm", "a12", "effect"]
cmp.within_problems()[columns]

# %% [markdown]
# Over several problems, `across_problems()` first makes one score per (problem, backend), the mean over
# the seeds of Bayesmark's normalized score, then runs Friedman's test and Nemenyi and Wilcoxon-Holm
# post-hoc tests over the problems (Demšar 2006). With two problems no such test can reach 0.05: the
# notes say so and the average ranks are reported alone. `cmp.cd_diagram()` draws them.

# %%
across = cmp.across_problems()
print(across.unit)
print(*across.notes, sep="\n")
across.ranks

# %% [markdown]
# `scores()`: Bayesmark's normalized score after the whole budget, 0 at the optimum and 1 at the median
# of one random evaluation; `compare` ran 5 seeds of random search (`optuna:random`) for it. The
# leaderboard number is Bayesmark's `100 x (1 - score)`; intervals are bootstrap CIs. `pairwise()`,
# every (problem, seed) pair pooled into one signed-rank test, is kept for reference only.
# `cmp.report("comparison.html")` writes all of this, with figures, as one HTML page and a Markdown twin.

# %%
cmp.scores()

# %% [markdown]
# For a paper, `cmp.to_markdown()` gives the summary as a Markdown table and `cmp.to_csv(path)` writes
# every trial.
#
# ## 4. Convergence plot
#
# `cmp.plot()` returns a matplotlib `Figure`: one panel per problem, the median regret per backend with
# its interquartile band over the seeds (log scale, since the optima are known).

# %%
cmp.plot()

# %% [markdown]
# ## 5. Your own analysis on the long-form trials table
#
# `cmp.trials` has one row per trial of every run: problem, backend, seed, trial, state, value,
# best_so_far, regret and timings. Two examples.
#
# **Regret at several budgets** (median over seeds): which backend is ahead early, which one late?

# %%
trials = cmp.trials
trials.head()

# %%
budgets = [5, 10, 15, 20, 25]
at_budget = trials[trials["trial"].isin([b - 1 for b in budgets])].assign(budget=lambda t: t["trial"] + 1)
at_budget.pivot_table(index=["problem", "backend"], columns="budget", values="regret", aggfunc="median")

# %% [markdown]
# **Time to target**: how many runs got within 0.5 of the optimum within the budget, and how many trials
# they needed (median).

# %%
target = 0.5
reached = trials[trials["regret"] <= target]
first_hit = reached.groupby(["problem", "backend", "seed"])["trial"].min() + 1
runs = trials.groupby(["problem", "backend"])["seed"].nunique().rename("runs")
time_to_target = first_hit.groupby(["problem", "backend"]).agg(reached="count", median_trials="median")
pd.concat([runs, time_to_target], axis=1).fillna({"reached": 0}).astype({"reached": int})

# %% [markdown]
# **The optimizers' own cost**: seconds each backend spent proposing and learning per trial (median).
# Model-based optimizers cost more per trial; whether that matters depends on how long your objective
# takes.

# %%
cost = trials.groupby("backend")[["suggest_time", "eval_time"]].median() * 1000
cost.rename(columns=lambda c: c.replace("_time", " ms per trial"))


# %% [markdown]
# ## 6. A problem of your own
#
# A `Problem` bundles a space, an objective, and (optionally) the optimum, which enables regret. Its
# space can use every element, conditional branches included. Here a toy learning-rate schedule whose
# best configuration we know: a cosine schedule with a peak learning rate of 1e-3 and 3 warm-up epochs.
#
# For parallel runs, the objective is sent to worker processes; functions defined in a notebook work
# (they are pickled by value).


# %%
def schedule_loss(config):
    """Made-up validation loss of a learning-rate schedule; its minimum is 0."""
    loss = (np.log10(config["peak_lr"]) + 3) ** 2 + 0.02 * (config["warmup"] - 3) ** 2
    schedule = config["schedule"]
    if schedule["kind"] == "step":
        loss += 0.1 + 0.2 * abs(schedule["gamma"] - 0.5)
    elif schedule["kind"] == "cosine":
        loss += 0.05 * schedule["restarts"]
    else:  # constant
        loss += 0.3
    return float(loss)


schedule = ut.problems.Problem(
    "lr-schedule",
    {
        "peak_lr": ut.Float(1e-5, 1e-1, log=True),
        "warmup": ut.Int(0, 10),
        "schedule": {
            "kind": ut.Conditional(
                {
                    "constant": {},
                    "step": {"gamma": ut.Float(0.1, 0.9)},
                    "cosine": {"restarts": ut.Int(0, 3)},
                }
            )
        },
    },
    schedule_loss,
    optimum=0.0,
    minimizer={"peak_lr": 1e-3, "warmup": 3, "schedule": {"kind": "cosine", "restarts": 0}},
)
print("value at the minimizer:", schedule(schedule.minimizer))

mine = ut.compare(
    schedule,
    backends=["optuna", "optuna:random", "hyperopt"],
    n_trials=40,
    seeds=range(5),
    backend_options={"hyperopt": {"n_startup_jobs": 10}},
    n_jobs=2,
)
mine.summary()[["backend", "best_median", "regret_median", "rank_mean", "auc"]]

# %% [markdown]
# Random search is the baseline every optimizer should beat. A bare objective works too:
# `ut.compare(objective, space, optimum=..., direction="maximize")`.

# %%
fig = mine.plot()
fig.suptitle("A user-defined problem with a conditional space")
fig
