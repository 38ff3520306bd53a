# %% [markdown]
# # 05 · Learning from a study: start broad, narrow, continue, document
#
# Good practice in tuning is to start with a broad space, narrow it from the first results, and
# document what was done. unitune does each step after a run of any backend:
#
# 1. a **broad** random search over a space that chooses the model and its hyperparameters,
# 2. **importance**: which parameters matter, one table per branch of the model choice,
# 3. **narrow**: a new space fitted to the best trials, which explains itself,
# 4. **continue** in the narrowed space with another backend, warm-started with the trials inside it,
# 5. a **report** that documents the tuning (one HTML page, and Markdown with its figures).
#
# The task: classify the scikit-learn digits (8x8 images of handwritten digits), 3-fold
# cross-validated accuracy, maximized. See `docs/learning.md` for the rules behind each step.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
from IPython.display import Image, display
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

import unitune as ut

X, y = load_digits(return_X_y=True)
X, y = X[:900], y[:900]  # a subset keeps each fit well under a second
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)  # the same splits for every trial

space = {
    "scaler": ut.Categorical(["standard", "minmax"]),
    "model": ut.Conditional(
        {
            "svc": {"C": ut.Float(1e-3, 1e3, log=True), "gamma": ut.Float(1e-5, 1e0, log=True)},
            "logistic": {"C": ut.Float(1e-4, 1e2, log=True)},
            "knn": {"n_neighbors": ut.Int(1, 40), "weights": ut.Categorical(["uniform", "distance"])},
        }
    ),
}


def accuracy(config):
    scaler = StandardScaler() if config["scaler"] == "standard" else MinMaxScaler()
    if config["model"] == "svc":
        model = SVC(C=config["C"], gamma=config["gamma"])
    elif config["model"] == "logistic":
        model = LogisticRegression(C=config["C"], max_iter=300)
    else:
        model = KNeighborsClassifier(n_neighbors=config["n_neighbors"], weights=config["weights"])
    return cross_val_score(make_pipeline(scaler, model), X, y, cv=cv).mean()


# %% [markdown]
# ## 1. A broad random search
#
# Random search samples the whole space evenly: its trials are the least biased material for
# importance, and a conservative start for narrowing.

# %%
broad = ut.maximize(accuracy, space, backend="optuna:random", n_trials=60, seed=0)
print(f"best accuracy {broad.best_value:.4f} with {broad.best_params}")
broad.trials_dataframe()[["number", "value", "params_model", "params_scaler"]].groupby("params_model").agg(
    trials=("number", "size"), best=("value", "max"), median=("value", "median")
)

# %% [markdown]
# ## 2. Which parameters matter?
#
# `importance()` runs Optuna's fANOVA (the default evaluator) on the study's record. Optuna's
# evaluators can only use trials in which every listed parameter is active, so a conditional
# space gets one block per branch: `all trials` (where the model choice is a parameter of its
# own), then the trials of each model with that model's parameters.

# %%
importance = broad.importance()
importance

# %%
blocks = list(importance.groupby("branch", sort=False))
fig, axes = plt.subplots(1, len(blocks), figsize=(3.2 * len(blocks), 2.6))
for ax, (branch, block) in zip(axes, blocks, strict=True):
    ax.barh(block["parameter"][::-1], block["importance"][::-1])
    ax.set_title(f"{branch} ({block['trials'].iloc[0]} trials)", fontsize=9)
    ax.set_xlim(0, 1)
fig.tight_layout()

# %% [markdown]
# ## 3. Narrow the space to the best trials
#
# `narrow()` fits the space to the top 20% of the trials: the bounding box of their values with
# a 10% margin for numbers (in log scale where the element is log-scaled, on its grid for integers,
# never wider than before), the choices and branches they hold for categoricals and conditionals.
# The result is a `ut.Space`, with a table that says what changed and why.

# %%
narrowed = broad.narrow()
print(narrowed.explanation.attrs["caption"])
narrowed.explanation

# %%
print(narrowed)
print(narrowed.to_dict())  # it serializes like any space (JSON, YAML, `unitune run --space`)

# %% [markdown]
# ## 4. Continue in the narrowed space with another backend
#
# `continue_narrowed` makes a new study on the narrowed space, warm-started with the broad
# study's trials that lie inside it (the others are left out on purpose: the explanation table
# counts them). Here Hyperopt's TPE takes over from Optuna's random search.

# %%
fine = broad.continue_narrowed(narrowed, backend="hyperopt", seed=1)
fine.optimize(accuracy, n_trials=30)
print(f"warm-started with {narrowed.kept} of {narrowed.complete} trials")
print(f"broad:  best accuracy {broad.best_value:.4f} after 60 trials")
print(f"narrow: best accuracy {fine.best_value:.4f} after 30 more, with {fine.best_params}")

# %%
fig, ax = plt.subplots(figsize=(7, 3))
values = [t.value for t in broad.trials] + [t.value for t in fine.trials]
ax.plot(range(len(values)), values, ".", alpha=0.6, label="trial")
ax.plot(range(len(values)), [max(values[: i + 1]) for i in range(len(values))], label="best so far")
ax.axvline(len(broad.trials) - 0.5, color="grey", ls="--", label="narrowed from here")
ax.set_ylim(max(0.0, min(values) - 0.02), 1.0)
ax.set_xlabel("trial")
ax.set_ylabel("accuracy")
ax.legend(loc="lower right")
fig.tight_layout()

# %% [markdown]
# ## 5. Document the tuning
#
# `report(path)` writes one self-contained HTML page (figures embedded as PNG) and a Markdown twin
# with its PNGs beside it: the objective, the space as written and as the backend received it,
# backend and options, versions, seed, budget, storage, timing, failed trials, the best
# configuration, the optimization history, slice plots, importance and a suggested narrowed space.
# For a study in a storage, `unitune report sqlite:///runs.db --study-name NAME` does the same
# from the command line.

# %%
files = fine.report("tuning")
print(files.html, files.markdown, [image.name for image in files.images])
print(files.markdown.read_text().split("## Backend and options")[1].split("## Budget")[0])

# %%
display(Image(filename=str(next(image for image in files.images if "slices" in image.name)), width=720))
