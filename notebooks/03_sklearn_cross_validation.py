# %% [markdown]
# # 03 · scikit-learn: one `SearchCV` for every backend
#
# `unitune.sklearn.SearchCV` is a scikit-learn estimator (a subclass of scikit-learn's `BaseSearchCV`,
# like `GridSearchCV` and `RandomizedSearchCV`) whose candidates come from any unitune backend. So
# `cv_results_`, `best_estimator_`, pipelines, multi-metric scoring and nested cross-validation work as
# you know them. This notebook:
#
# 1. tunes a `Pipeline` (scaling + SVC) on the breast-cancer dataset,
# 2. reads `cv_results_` as a `DataFrame`,
# 3. lets a conditional space choose the estimator together with its own hyperparameters,
# 4. compares backends on exactly the same cross-validation splits,
# 5. estimates the generalization of the whole search with nested cross-validation,
# 6. accepts scikit-learn-style `param_distributions` (lists and `scipy.stats`) and `param_grid`.

# %%
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import pandas as pd
from scipy import stats
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

import unitune as ut
from unitune.sklearn import SearchCV

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)  # the same 5 splits for every search
print(X_train.shape, X_test.shape)

# %% [markdown]
# ## 1. A pipeline with scaling and an SVC
#
# The space's keys are scikit-learn parameter names (`svc__C` for the parameter `C` of the step `svc`).
# `random_state` seeds the backend; `n_trials` is the number of candidates.

# %%
pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
space = {
    "svc__C": ut.Float(1e-2, 1e3, log=True),
    "svc__gamma": ut.Float(1e-5, 1e0, log=True),
}

search = SearchCV(pipe, space, backend="optuna", n_trials=25, cv=cv, random_state=0)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"cross-validated accuracy {search.best_score_:.4f}, test accuracy {search.score(X_test, y_test):.4f}")

# %% [markdown]
# ## 2. `cv_results_` as a DataFrame
#
# One row per candidate, in the order the backend proposed them, with the same keys as `GridSearchCV`.

# %%
results = pd.DataFrame(search.cv_results_)
columns = ["param_svc__C", "param_svc__gamma", "mean_test_score", "std_test_score", "rank_test_score"]
results.sort_values("rank_test_score")[columns].head()

# %%
fig, ax = plt.subplots(figsize=(5.5, 4))
points = ax.scatter(
    results["param_svc__C"].astype(float),
    results["param_svc__gamma"].astype(float),
    c=results["mean_test_score"],
    cmap="viridis",
    s=40,
)
ax.set(xscale="log", yscale="log", xlabel="C", ylabel="gamma", title="Candidates proposed by Optuna (TPE)")
fig.colorbar(points, label="mean CV accuracy")
plt.show()

# %% [markdown]
# ## 3. A conditional space that chooses the estimator
#
# Keys starting with `_` are **pseudo parameters**: sampled and recorded, but not passed to the
# estimator. A `Conditional` under such a key picks a branch; each branch sets the pipeline step `clf`
# to an estimator (a constant, cloned for every candidate) and samples that estimator's own
# hyperparameters. Branches may reuse names (`clf__C` means different things for the SVC and the logistic
# regression). Categorical choices can be objects too: here the scaling step is either a
# `StandardScaler` or a `MinMaxScaler`.

# %%
model_pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
model_space = {
    "scale": ut.Categorical([StandardScaler(), MinMaxScaler()]),
    "_model": ut.Conditional(
        {
            "svm": {
                "clf": SVC(),
                "clf__C": ut.Float(1e-2, 1e3, log=True),
                "clf__gamma": ut.Float(1e-5, 1e0, log=True),
            },
            "logreg": {
                "clf": LogisticRegression(solver="liblinear"),
                "clf__C": ut.Float(1e-3, 1e2, log=True),
            },
            "forest": {
                "clf": RandomForestClassifier(n_estimators=30, random_state=0),
                "clf__max_depth": ut.Int(2, 12),
                "clf__max_features": ut.Float(0.1, 1.0),
            },
        }
    ),
}

# Hyperopt's TPE starts with 20 random candidates by default (ut.backends(), column "startup"): 8 here
search = SearchCV(
    model_pipe,
    model_space,
    backend="hyperopt",
    n_trials=20,
    cv=cv,
    random_state=0,
    backend_options={"n_startup_jobs": 8},
)
search.fit(X_train, y_train)
print("best model:", search.study_.best_params["_model"])
print("best parameters:", search.best_params_)
print(f"cross-validated accuracy {search.best_score_:.4f}, test accuracy {search.score(X_test, y_test):.4f}")

# %% [markdown]
# `search.study_` is the `ut.Study` behind the search: its trials hold the full configurations, pseudo
# parameters included, so you can see how the backend split its budget between the models:

# %%
trials = search.study_.trials_dataframe()
trials.groupby("params__model")["value"].agg(["count", "max", "median"])

# %% [markdown]
# ## 4. Comparing backends on the same cross-validation splits
#
# The splitter has a fixed `random_state`, so every search below scores its candidates on exactly the
# same five folds: differences come from the optimizers, not from the splits. (For conclusions, repeat
# with several `random_state`s of the searches, or use `ut.compare` with
# `ut.problems.sklearn_task`, see notebook 02.)

# %%
rows = []
STARTUP = {"optuna": {"n_startup_trials": 8}, "hyperopt": {"n_startup_jobs": 8}}  # so that 20 candidates use the models
for backend in ["optuna:random", "optuna", "hyperopt", "skopt:forest"]:
    options = {"n_points": 500, "n_initial_points": 8} if backend == "skopt:forest" else STARTUP.get(backend)
    start = time.perf_counter()
    search = SearchCV(
        model_pipe, model_space, backend=backend, n_trials=20, cv=cv, random_state=0, backend_options=options
    )
    search.fit(X_train, y_train)
    rows.append(
        {
            "backend": backend,
            "best model": search.study_.best_params["_model"],
            "cv accuracy": search.best_score_,
            "test accuracy": search.score(X_test, y_test),
            "seconds": time.perf_counter() - start,
        }
    )
pd.DataFrame(rows).round(4)

# %% [markdown]
# ## 5. Nested cross-validation
#
# The best cross-validated score of a search is optimistically biased: it was selected among many.
# Because `SearchCV` is an ordinary estimator, `cross_val_score` runs the whole search inside each outer
# fold and scores it on data the search never saw.

# %%
inner = SearchCV(
    pipe, space, backend="hyperopt", n_trials=15, cv=3, random_state=0, backend_options={"n_startup_jobs": 5}
)
outer = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
scores = cross_val_score(inner, X, y, cv=outer)
print("outer-fold accuracies:", scores.round(4))
print(f"nested CV accuracy: {scores.mean():.4f} ± {scores.std():.4f}")

# %% [markdown]
# ## 6. scikit-learn-style `param_distributions` and `param_grid`
#
# Existing `RandomizedSearchCV` code keeps its `param_distributions`: lists become `Categorical`,
# `scipy.stats.loguniform(a, b)` becomes `Float(a, b, log=True)`, `uniform(loc, scale)` becomes
# `Float(loc, loc + scale)` and `randint(low, high)` becomes `Int(low, high - 1)` (scipy excludes `high`).
# Unitune elements may be mixed in. Then any backend searches it:

# %%
param_distributions = {
    "svc__C": stats.loguniform(1e-2, 1e3),
    "svc__gamma": stats.loguniform(1e-5, 1e0),
    "svc__kernel": ["rbf", "sigmoid"],
    "svc__class_weight": [None, "balanced"],
}
search = SearchCV(
    pipe,
    param_distributions,
    backend="hyperopt",
    n_trials=20,
    cv=cv,
    random_state=0,
    backend_options={"n_startup_jobs": 8},
)
search.fit(X_train, y_train)
print(search.best_params_, round(search.best_score_, 4))
search.study_.space

# %% [markdown]
# A list of dicts (as in `GridSearchCV`) becomes a `Conditional` over the pseudo parameter `_grid`. With
# `backend="optuna:grid"`, `SearchCV` evaluates exactly the candidates of `GridSearchCV` (in another
# order), so a grid search can be swapped for a model-based search by changing one argument:

# %%
param_grid = [
    {"svc__kernel": ["linear"], "svc__C": [0.1, 1, 10]},
    {"svc__kernel": ["rbf"], "svc__C": [0.1, 1, 10], "svc__gamma": [1e-3, 1e-2]},
]
grid = SearchCV(pipe, param_grid, backend="optuna:grid", n_trials=100, cv=cv, random_state=0)
grid.fit(X_train, y_train)
reference = GridSearchCV(pipe, param_grid, cv=cv).fit(X_train, y_train)


def candidates(params):
    return sorted(sorted(p.items()) for p in params)


print("candidates evaluated:", len(grid.cv_results_["params"]))
same = candidates(grid.cv_results_["params"]) == candidates(reference.cv_results_["params"])
print("same candidates as GridSearchCV:", same)
print("same best score:", grid.best_score_ == reference.best_score_)
