"""Write the tutorial notebooks, execute them and save them with their outputs.

The notebooks are generated from the cells below, so that their text stays
reviewable as ordinary Python. Run from anywhere::

    python notebooks/build.py                 # write and execute all four notebooks
    python notebooks/build.py 02 04           # only the notebooks whose names start with 02 or 04
    python notebooks/build.py --no-execute    # write them without outputs (for editing)

Each notebook runs in a fresh ``python3`` kernel whose working directory is a
temporary folder, so nothing is written into the repository besides the
notebooks themselves. ``tests/test_notebooks.py`` executes them again.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
KERNEL = "python3"
TIMEOUT = 300  # seconds per cell

Cell = tuple[str, str]


def md(text: str) -> Cell:
    """A Markdown cell."""
    return ("markdown", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    """A code cell."""
    return ("code", textwrap.dedent(text).strip("\n"))


# ----------------------------------------------------------------------------------------------------------------------
# 01 quickstart
# ----------------------------------------------------------------------------------------------------------------------


def quickstart() -> list[Cell]:
    """Cells of ``01_quickstart.ipynb``."""
    return [
        md(
            """
            # 01 · Quickstart: one search space, three optimizers

            `unitune` lets you write a search space and an objective **once** and run them with
            [Optuna](https://optuna.org), [Hyperopt](https://hyperopt.github.io/hyperopt/) or
            [scikit-optimize](https://scikit-optimize.github.io) by changing one argument.
            This notebook covers:

            1. the search-space language (`Float`, `Int`, `Categorical`, `Conditional`, constants, nesting),
            2. `ut.minimize` with one backend, then with several,
            3. a plot of the optimization history,
            4. the results as a pandas `DataFrame`,
            5. the ask/tell loop of `ut.Study`,
            6. `ut.explain` (how each library receives your space) and `ut.backends()` (what each can do).

            Everything runs in a few seconds on a laptop.
            """
        ),
        code(
            """
            %matplotlib inline
            import math
            import warnings

            import matplotlib.pyplot as plt
            import pandas as pd

            import unitune as ut

            warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's notice when ipywidgets is missing
            pd.set_option("display.max_colwidth", 90)
            print("unitune", ut.__version__)
            """
        ),
        md(
            """
            ## 1. A search space is a plain dict

            * `ut.Float(low, high, log=False)` and `ut.Int(low, high, log=False, step=1)`: bounds are **inclusive**.
            * `ut.Categorical([...])`: the choices can be any Python objects (`None`, tuples, estimators, ...);
              the objective receives the very object.
            * `ut.Conditional({label: branch, ...})`: the key receives the chosen label and the chosen
              branch's entries are merged into the same dict. Parameters of the other branches do not exist
              in that trial.
            * plain dicts nest, and anything that is not an element is a **constant** passed through unchanged.

            Here is the space of a small neural network:
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            Parameters get flat dotted names (`optimizer.beta1`), which is how they appear in tables and in
            the stored record; the objective always receives the nested dict. A configuration holds only the
            parameters of the active branch (`beta1` for Adam, `momentum` and `nesterov` for SGD).

            Invalid spaces fail at once, naming the parameter, the rule and the fix:
            """
        ),
        code(
            """
            try:
                ut.Space({"model": {"depth": ut.Int(1, 10, step=4)}})
            except ut.SpaceError as error:
                print(error)
            """
        ),
        md(
            """
            ## 2. An objective and `ut.minimize`

            An objective takes the nested configuration and returns a number. To keep the notebook fast, this
            one is a cheap stand-in for "train the network, return the validation loss": it is smallest
            for a learning rate near 3e-3, two layers of about 128 units, ReLU and Adam with `beta1 = 0.9`.
            """
        ),
        code(
            """
            def validation_loss(config):
                \"\"\"A cheap stand-in for training a network; lower is better.\"\"\"
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
            """
        ),
        md(
            """
            `study.best_params` is the nested configuration, constants included, exactly as the objective
            received it. `ut.maximize` is the same for scores (higher is better).

            ## 3. One argument switches the backend

            `backend` is `"optuna"`, `"hyperopt"`, `"skopt"` (each with its default algorithm) or
            `"library:algorithm"`. `backend_options` goes to the native algorithm: here it makes
            scikit-optimize's random-forest surrogate score 500 random candidates per trial instead of
            10 000, which keeps this notebook fast. With the same `seed`, every run is reproducible.
            """
        ),
        code(
            """
            backends = ["optuna", "optuna:random", "hyperopt", "skopt:forest"]
            studies = {}
            for backend in backends:
                options = {"n_points": 500} if backend == "skopt:forest" else None
                studies[backend] = ut.minimize(
                    validation_loss, space, backend=backend, n_trials=30, seed=0, backend_options=options
                )
                print(f"{backend:14s} best loss {studies[backend].best_value:.4f}")
            """
        ),
        md(
            """
            ## 4. Plot the optimization history

            Every study gives its trials as a `DataFrame` (next section), so a convergence plot is a few lines of
            matplotlib. Left: each trial of the Optuna (TPE) run and its best value so far. Right: the best value
            so far of every backend.
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            One seed per backend says little about which optimizer is better: notebook
            `02_compare_backends` runs several seeds and tests the differences.

            ## 5. The trials as a DataFrame

            `trials_dataframe()` has one row per finished trial: number, state, value, timings and one
            `params_<flat name>` column per parameter (NaN where a parameter was inactive).
            """
        ),
        code(
            """
            frame = study.trials_dataframe()
            frame.head()
            """
        ),
        md("It is a plain pandas `DataFrame`, e.g. how the TPE run split its trials between the two optimizers:"),
        code(
            """
            frame.groupby("params_optimizer.kind")["value"].agg(["count", "min", "median"])
            """
        ),
        md(
            """
            ## 6. Ask and tell

            Research code often needs to own the loop (to train several models at once, to log to an
            experiment tracker, ...). `ut.Study` gives the ask/tell interface of every backend:

            * `study.ask()` proposes one trial; `study.ask(n)` proposes `n` **pending** trials at once, which each
              backend handles its own way (scikit-optimize with its constant-liar strategy);
            * `study.tell(trial, value)` reports the result; a dict with the number under `"value"` also stores
              the other entries as trial attributes; `state="failed"` reports a failure.

            Here with scikit-optimize's random-forest surrogate, starting from 5 random points instead of 10
            (`skopt:gp`, its Gaussian process, works the same way but is slower to fit).
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            ## 7. How each backend receives the space: `ut.explain`

            Translating a space between libraries is where results quietly go wrong (for instance an integer
            in `[1, 4]` given to Hyperopt as `hp.quniform(1, 4, 1)` draws the end points half as often).
            `ut.explain(space, backend)` shows, per parameter, the native expression that unitune uses and
            how faithful it is: `exact`, `flattened` (scikit-optimize has no conditional spaces: every branch is
            sampled, only the active parameters reach the objective), `approximated` or `fallback`.
            """
        ),
        code(
            """
            ut.explain(space, "hyperopt")
            """
        ),
        md("Side by side, the native expression of each library and the fidelity of a few algorithms:"),
        code(
            """
            native = pd.DataFrame({b: ut.explain(space, b).set_index("param")["native"] for b in ["optuna", "skopt"]})
            fidelity = pd.DataFrame(
                {f"{b} fidelity": ut.explain(space, b).set_index("param")["fidelity"] for b in ["optuna:cmaes", "skopt"]}
            )
            native.join(fidelity)
            """
        ),
        md(
            """
            ## 8. What each backend can do: `ut.backends()`

            Every `library:algorithm` with its capabilities: whether conditional spaces are native or flattened,
            whether it proposes batches natively, how it treats pending trials (parallel runs) and failures.
            """
        ),
        code(
            """
            ut.backends()[["backend", "description", "default", "conditional", "batch", "failures"]]
            """
        ),
        md(
            """
            ## Next

            * `02_compare_backends`: benchmark optimizers on the same problems with several seeds and paired tests.
            * `03_sklearn_cross_validation`: `unitune.sklearn.SearchCV`, a drop-in for `GridSearchCV` on any backend.
            * `04_parallel_resume_and_dashboard`: parallel and Dask trials, SQLite storage, resuming,
              warm starts, optuna-dashboard and failing trials.
            """
        ),
    ]


# ----------------------------------------------------------------------------------------------------------------------
# 02 compare backends
# ----------------------------------------------------------------------------------------------------------------------


def compare_backends() -> list[Cell]:
    """Cells of ``02_compare_backends.ipynb``."""
    return [
        md(
            """
            # 02 · Comparing optimizers side by side

            Which optimizer should you use for your problem? One run per optimizer does not tell: the
            differences between seeds are often larger than those between optimizers. `ut.compare` runs every
            (problem, backend, seed) with the same budget and gives

            * a summary table (final best value, regret, ranks, area under the convergence curve, cost per trial),
            * paired statistical tests between backends,
            * convergence plots,
            * every trial in one long-form `DataFrame` for your own analysis.

            The budgets below are tiny (25 trials, 5 seeds) so that the notebook runs in well under a minute;
            use more trials and at least 10 seeds for conclusions you want to publish.
            """
        ),
        code(
            """
            %matplotlib inline
            import warnings

            import numpy as np
            import pandas as pd

            import unitune as ut

            warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's notice when ipywidgets is missing
            pd.set_option("display.precision", 4)
            print(ut.problems.names())
            """
        ),
        md(
            """
            ## 1. Bundled problems

            `ut.problems` holds classic test functions on their standard domains (with known optima), a mixed-type
            and a conditional problem, and scikit-learn tuning tasks on bundled datasets. A `Problem` is a space,
            an objective, and optionally the optimum and a minimizer:
            """
        ),
        code(
            """
            for name in ["branin", "hartmann3"]:
                problem = ut.problems.get(name)
                print(f"{problem.name}: optimum {problem.optimum:.5f}, space {problem.space}")
                print(f"    value at the known minimizer: {problem(problem.minimizer):.5f}")
            """
        ),
        md(
            """
            ## 2. Run the comparison

            Three backends with their default algorithms for Optuna and Hyperopt (both TPE) and
            scikit-optimize's random-forest surrogate (`skopt:forest`, told to score 500 random candidates per
            trial to stay fast). `backend_options` maps each backend string to its options. `n_jobs=2` runs the
            30 runs in two worker processes.
            """
        ),
        code(
            """
            BACKENDS = ["optuna", "hyperopt", "skopt:forest"]
            OPTIONS = {"skopt:forest": {"n_points": 500}}

            cmp = ut.compare(
                ["branin", "hartmann3"],
                backends=BACKENDS,
                n_trials=25,
                seeds=range(5),
                backend_options=OPTIONS,
                n_jobs=2,
            )
            cmp
            """
        ),
        md(
            """
            ## 3. Summary and tests

            `summary()`: per problem and backend, the final best value (mean, median, IQR), the regret
            (distance to the known optimum), the mean rank within the problem across seeds (`rank_mean`) and
            across all problems (`rank_overall`), the AUC (mean regret over the trials: lower means it got
            good early), the backend's own seconds per trial and unitune's overhead in microseconds per trial.
            """
        ),
        code(
            """
            cmp.summary()
            """
        ),
        md(
            """
            Seeds are not data sets. On one problem, runs with different seeds are independent samples:
            `within_problems()` compares every pair of backends by a two-sided Mann-Whitney U test on the final
            regrets, Holm-corrected over the pairs of the problem, with the Vargha-Delaney A12 (the probability
            that a run of `backend_a` ends lower than a run of `backend_b`; 0.5 is no effect).
            """
        ),
        code(
            """
            cmp.within_problems()[["problem", "backend_a", "backend_b", "median_a", "median_b", "p_holm", "a12", "effect"]]
            """
        ),
        md(
            """
            Over several problems, `across_problems()` first makes one score per (problem, backend), the mean over
            the seeds of Bayesmark's normalized score, then runs Friedman's test and Nemenyi and Wilcoxon-Holm
            post-hoc tests over the problems (Demšar 2006). With two problems no such test can reach 0.05: the
            notes say so and the average ranks are reported alone. `cmp.cd_diagram()` draws them.
            """
        ),
        code(
            """
            across = cmp.across_problems()
            print(across.unit)
            print(*across.notes, sep="\\n")
            across.ranks
            """
        ),
        md(
            """
            `scores()`: Bayesmark's normalized score after the whole budget, 0 at the optimum and 1 at the median
            of one random evaluation; `compare` ran 5 seeds of random search (`optuna:random`) for it. The
            leaderboard number is Bayesmark's `100 x (1 - score)`; intervals are bootstrap CIs. `pairwise()`,
            every (problem, seed) pair pooled into one signed-rank test, is kept for reference only.
            `cmp.report("comparison.html")` writes all of this, with figures, as one HTML page and a Markdown twin.
            """
        ),
        code(
            """
            cmp.scores()
            """
        ),
        md(
            """
            For a paper, `cmp.to_markdown()` gives the summary as a Markdown table and `cmp.to_csv(path)` writes
            every trial.

            ## 4. Convergence plot

            `cmp.plot()` returns a matplotlib `Figure`: one panel per problem, the median regret per backend with
            its interquartile band over the seeds (log scale, since the optima are known).
            """
        ),
        code(
            """
            cmp.plot()
            """
        ),
        md(
            """
            ## 5. Your own analysis on the long-form trials table

            `cmp.trials` has one row per trial of every run: problem, backend, seed, trial, state, value,
            best_so_far, regret and timings. Two examples.

            **Regret at several budgets** (median over seeds): which backend is ahead early, which one late?
            """
        ),
        code(
            """
            trials = cmp.trials
            trials.head()
            """
        ),
        code(
            """
            budgets = [5, 10, 15, 20, 25]
            at_budget = trials[trials["trial"].isin([b - 1 for b in budgets])].assign(budget=lambda t: t["trial"] + 1)
            at_budget.pivot_table(index=["problem", "backend"], columns="budget", values="regret", aggfunc="median")
            """
        ),
        md(
            """
            **Time to target**: how many runs got within 0.5 of the optimum within the budget, and how many trials
            they needed (median).
            """
        ),
        code(
            """
            target = 0.5
            reached = trials[trials["regret"] <= target]
            first_hit = reached.groupby(["problem", "backend", "seed"])["trial"].min() + 1
            runs = trials.groupby(["problem", "backend"])["seed"].nunique().rename("runs")
            time_to_target = first_hit.groupby(["problem", "backend"]).agg(reached="count", median_trials="median")
            pd.concat([runs, time_to_target], axis=1).fillna({"reached": 0}).astype({"reached": int})
            """
        ),
        md(
            """
            **The optimizers' own cost**: seconds each backend spent proposing and learning per trial (median).
            Model-based optimizers cost more per trial; whether that matters depends on how long your objective
            takes.
            """
        ),
        code(
            """
            cost = trials.groupby("backend")[["suggest_time", "eval_time"]].median() * 1000
            cost.rename(columns=lambda c: c.replace("_time", " ms per trial"))
            """
        ),
        md(
            """
            ## 6. A problem of your own

            A `Problem` bundles a space, an objective, and (optionally) the optimum, which enables regret. Its
            space can use every element, conditional branches included. Here a toy learning-rate schedule whose
            best configuration we know: a cosine schedule with a peak learning rate of 1e-3 and 3 warm-up epochs.

            For parallel runs, the objective is sent to worker processes; functions defined in a notebook work
            (they are pickled by value).
            """
        ),
        code(
            """
            def schedule_loss(config):
                \"\"\"Made-up validation loss of a learning-rate schedule; its minimum is 0.\"\"\"
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
                n_trials=30,
                seeds=range(5),
                n_jobs=2,
            )
            mine.summary()[["backend", "best_median", "regret_median", "rank_mean", "auc"]]
            """
        ),
        md(
            """
            Random search is the baseline every optimizer should beat. A bare objective works too:
            `ut.compare(objective, space, optimum=..., direction="maximize")`.
            """
        ),
        code(
            """
            fig = mine.plot()
            fig.suptitle("A user-defined problem with a conditional space")
            fig
            """
        ),
    ]


# ----------------------------------------------------------------------------------------------------------------------
# 03 scikit-learn
# ----------------------------------------------------------------------------------------------------------------------


def sklearn_cv() -> list[Cell]:
    """Cells of ``03_sklearn_cross_validation.ipynb``."""
    return [
        md(
            """
            # 03 · scikit-learn: one `SearchCV` for every backend

            `unitune.sklearn.SearchCV` is a scikit-learn estimator (a subclass of scikit-learn's `BaseSearchCV`,
            like `GridSearchCV` and `RandomizedSearchCV`) whose candidates come from any unitune backend. So
            `cv_results_`, `best_estimator_`, pipelines, multi-metric scoring and nested cross-validation work as
            you know them. This notebook:

            1. tunes a `Pipeline` (scaling + SVC) on the breast-cancer dataset,
            2. reads `cv_results_` as a `DataFrame`,
            3. lets a conditional space choose the estimator together with its own hyperparameters,
            4. compares backends on exactly the same cross-validation splits,
            5. estimates the generalization of the whole search with nested cross-validation,
            6. accepts scikit-learn-style `param_distributions` (lists and `scipy.stats`) and `param_grid`.
            """
        ),
        code(
            """
            %matplotlib inline
            import time
            import warnings

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

            warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's notice when ipywidgets is missing
            pd.set_option("display.max_colwidth", 60)

            X, y = load_breast_cancer(return_X_y=True)
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
            cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)  # the same 5 splits for every search
            print(X_train.shape, X_test.shape)
            """
        ),
        md(
            """
            ## 1. A pipeline with scaling and an SVC

            The space's keys are scikit-learn parameter names (`svc__C` for the parameter `C` of the step `svc`).
            `random_state` seeds the backend; `n_trials` is the number of candidates.
            """
        ),
        code(
            """
            pipe = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
            space = {
                "svc__C": ut.Float(1e-2, 1e3, log=True),
                "svc__gamma": ut.Float(1e-5, 1e0, log=True),
            }

            search = SearchCV(pipe, space, backend="optuna", n_trials=25, cv=cv, random_state=0)
            search.fit(X_train, y_train)
            print("best parameters:", search.best_params_)
            print(f"cross-validated accuracy {search.best_score_:.4f}, test accuracy {search.score(X_test, y_test):.4f}")
            """
        ),
        md(
            """
            ## 2. `cv_results_` as a DataFrame

            One row per candidate, in the order the backend proposed them, with the same keys as `GridSearchCV`.
            """
        ),
        code(
            """
            results = pd.DataFrame(search.cv_results_)
            columns = ["param_svc__C", "param_svc__gamma", "mean_test_score", "std_test_score", "rank_test_score"]
            results.sort_values("rank_test_score")[columns].head()
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            ## 3. A conditional space that chooses the estimator

            Keys starting with `_` are **pseudo parameters**: sampled and recorded, but not passed to the
            estimator. A `Conditional` under such a key picks a branch; each branch sets the pipeline step `clf`
            to an estimator (a constant, cloned for every candidate) and samples that estimator's own
            hyperparameters. Branches may reuse names (`clf__C` means different things for the SVC and the logistic
            regression). Categorical choices can be objects too: here the scaling step is either a
            `StandardScaler` or a `MinMaxScaler`.
            """
        ),
        code(
            """
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

            search = SearchCV(model_pipe, model_space, backend="hyperopt", n_trials=20, cv=cv, random_state=0)
            search.fit(X_train, y_train)
            print("best model:", search.study_.best_params["_model"])
            print("best parameters:", search.best_params_)
            print(f"cross-validated accuracy {search.best_score_:.4f}, test accuracy {search.score(X_test, y_test):.4f}")
            """
        ),
        md(
            """
            `search.study_` is the `ut.Study` behind the search: its trials hold the full configurations, pseudo
            parameters included, so you can see how the backend split its budget between the models:
            """
        ),
        code(
            """
            trials = search.study_.trials_dataframe()
            trials.groupby("params__model")["value"].agg(["count", "max", "median"])
            """
        ),
        md(
            """
            ## 4. Comparing backends on the same cross-validation splits

            The splitter has a fixed `random_state`, so every search below scores its candidates on exactly the
            same five folds: differences come from the optimizers, not from the splits. (For conclusions, repeat
            with several `random_state`s of the searches, or use `ut.compare` with
            `ut.problems.sklearn_task`, see notebook 02.)
            """
        ),
        code(
            """
            rows = []
            for backend in ["optuna:random", "optuna", "hyperopt", "skopt:forest"]:
                options = {"n_points": 500} if backend == "skopt:forest" else None
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
            """
        ),
        md(
            """
            ## 5. Nested cross-validation

            The best cross-validated score of a search is optimistically biased: it was selected among many.
            Because `SearchCV` is an ordinary estimator, `cross_val_score` runs the whole search inside each outer
            fold and scores it on data the search never saw.
            """
        ),
        code(
            """
            inner = SearchCV(pipe, space, backend="hyperopt", n_trials=10, cv=3, random_state=0)
            outer = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
            scores = cross_val_score(inner, X, y, cv=outer)
            print("outer-fold accuracies:", scores.round(4))
            print(f"nested CV accuracy: {scores.mean():.4f} ± {scores.std():.4f}")
            """
        ),
        md(
            """
            ## 6. scikit-learn-style `param_distributions` and `param_grid`

            Existing `RandomizedSearchCV` code keeps its `param_distributions`: lists become `Categorical`,
            `scipy.stats.loguniform(a, b)` becomes `Float(a, b, log=True)`, `uniform(loc, scale)` becomes
            `Float(loc, loc + scale)` and `randint(low, high)` becomes `Int(low, high - 1)` (scipy excludes `high`).
            Unitune elements may be mixed in. Then any backend searches it:
            """
        ),
        code(
            """
            param_distributions = {
                "svc__C": stats.loguniform(1e-2, 1e3),
                "svc__gamma": stats.loguniform(1e-5, 1e0),
                "svc__kernel": ["rbf", "sigmoid"],
                "svc__class_weight": [None, "balanced"],
            }
            search = SearchCV(pipe, param_distributions, backend="hyperopt", n_trials=20, cv=cv, random_state=0)
            search.fit(X_train, y_train)
            print(search.best_params_, round(search.best_score_, 4))
            search.study_.space
            """
        ),
        md(
            """
            A list of dicts (as in `GridSearchCV`) becomes a `Conditional` over the pseudo parameter `_grid`. With
            `backend="optuna:grid"`, `SearchCV` evaluates exactly the candidates of `GridSearchCV` (in another
            order), so a grid search can be swapped for a model-based search by changing one argument:
            """
        ),
        code(
            """
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
            """
        ),
    ]


# ----------------------------------------------------------------------------------------------------------------------
# 04 parallel, resume and dashboard
# ----------------------------------------------------------------------------------------------------------------------


def parallel_resume() -> list[Cell]:
    """Cells of ``04_parallel_resume_and_dashboard.ipynb``."""
    return [
        md(
            """
            # 04 · Parallel trials, Dask, storage, resuming, dashboards and failures

            Real tuning jobs run for hours, on several cores or machines, and sometimes crash. This notebook shows

            1. running trials in parallel worker processes (`n_jobs`),
            2. running them on a Dask cluster (`executor=client.get_executor()`),
            3. recording a study durably in SQLite (`storage="sqlite:///..."`) and resuming it after an interruption,
            4. warm-starting one backend with another backend's trials,
            5. reading the record with Optuna's own tools (`optuna.load_study`, `optuna.visualization`,
               optuna-dashboard), whatever backend produced it,
            6. what happens when the objective fails.

            Everything is written into a temporary folder, which is removed at the end.
            """
        ),
        code(
            """
            %matplotlib inline
            import logging
            import os
            import shutil
            import tempfile
            import time
            import warnings

            import matplotlib.pyplot as plt
            import pandas as pd

            import unitune as ut

            warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's notice when ipywidgets is missing
            workdir = tempfile.mkdtemp(prefix="unitune-notebook-")
            url = "sqlite:///" + os.path.join(workdir, "runs.db")
            """
        ),
        md(
            """
            The objective sleeps 0.3 s to stand in for a training run:
            """
        ),
        code(
            """
            space = {"x": ut.Float(-5, 5), "y": ut.Float(-5, 5), "kind": ut.Categorical(["a", "b"])}


            def train(config):
                time.sleep(0.3)  # stands in for a training run
                x, y = config["x"], config["y"]
                return (x - 1) ** 2 + (y + 2) ** 2 + (0.5 if config["kind"] == "b" else 0.0)
            """
        ),
        md(
            """
            ## 1. Parallel trials with `n_jobs`

            `n_jobs=2` keeps two trials in flight in two local worker processes. Ask and tell stay in this
            process; only the objective goes to the workers, and a new trial is asked as soon as one finishes.
            Functions defined in a notebook, lambdas and closures work (they are pickled by value).
            The first parallel run also pays for starting the worker processes.
            """
        ),
        code(
            """
            for n_jobs in [1, 2]:
                start = time.perf_counter()
                study = ut.minimize(train, space, backend="optuna", n_trials=16, n_jobs=n_jobs, seed=0)
                seconds = time.perf_counter() - start
                print(f"n_jobs={n_jobs}: {len(study.trials)} trials in {seconds:.1f} s, best {study.best_value:.3f}")
            """
        ),
        md(
            """
            While trials are in flight, the backend proposes new ones without knowing their results: see the
            `pending` column of `ut.backends()`. For Optuna's TPE, `backend_options={"constant_liar": True}` steers
            new proposals away from the running ones; scikit-optimize uses its constant-liar strategy and
            Hyperopt's TPE treats running trials as bad ones.

            ## 2. A Dask cluster

            `executor=` takes any `concurrent.futures.Executor`. A Dask client's executor sends the trials to the
            cluster's workers: a `LocalCluster` here, a cluster over many machines (SLURM, Kubernetes, ...) in
            the same way.
            """
        ),
        code(
            """
            from distributed import Client, LocalCluster

            with (
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
                Client(cluster) as client,
            ):
                start = time.perf_counter()
                executor = client.get_executor()
                study = ut.minimize(train, space, backend="hyperopt", n_trials=16, executor=executor, n_jobs=2, seed=0)
                print(f"{len(study.trials)} trials on Dask in {time.perf_counter() - start:.1f} s, best {study.best_value:.3f}")
            """
        ),
        md(
            """
            ## 3. Durable storage and resuming

            Every study, whatever its backend, is recorded as an Optuna study: in memory by default, durably with
            `storage=` (an Optuna URL such as `sqlite:///runs.db`, a journal-file path, or a storage object).

            With `load_if_exists=True`, running **the same command again** continues the study: `n_trials` is then
            the study's *total*, the finished trials are replayed into the backend, and a trial that the
            interruption left running is run again with the same parameters.

            To simulate a job that dies after 8 of its 20 trials, a callback stops the first run early:
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            ## 4. Warm start from another backend

            `warm_start=` tells another study's finished trials (any backend, or its `trials_dataframe()`) to a new
            study before its first ask. Here scikit-optimize's Gaussian process starts from the 20 Optuna trials, so
            it fits its model from the first trial on, instead of spending its first 10 trials on random points
            (the options make it maximize the acquisition function over 500 random candidates, which is fast):
            """
        ),
        code(
            """
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
            """
        ),
        md(
            """
            ## 5. Reading the record with Optuna's tools

            The SQLite file is an ordinary Optuna storage: `optuna.load_study` reads it, whichever backend
            proposed the trials. unitune stores the backend, seed and space as study attributes.
            """
        ),
        code(
            """
            import optuna

            for summary in optuna.get_all_study_summaries(url):
                attrs = summary.user_attrs
                print(f"{summary.study_name:12s} {summary.n_trials:3d} trials  backend={attrs['unitune.backend']}")

            record = optuna.load_study(study_name="tpe", storage=url)
            record.trials_dataframe()[["number", "value", "state", "params_x", "params_y", "params_kind"]].tail()
            """
        ),
        md(
            """
            So `optuna.visualization` works on every backend's record. The matplotlib variant renders statically
            (the plotly variant `optuna.visualization.plot_optimization_history` is interactive):
            """
        ),
        code(
            """
            from optuna.visualization.matplotlib import plot_optimization_history

            studies = [optuna.load_study(study_name=name, storage=url) for name in ["tpe", "gp-warm"]]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                ax = plot_optimization_history(studies)
            ax.set_yscale("log")
            ax.figure.set_size_inches(8, 4)
            plt.show()
            """
        ),
        md(
            """
            ### optuna-dashboard

            For a live web view of a running study (Hyperopt and scikit-optimize studies included), install
            [optuna-dashboard](https://github.com/optuna/optuna-dashboard) and point it at the storage:

            ```bash
            pip install optuna-dashboard
            optuna-dashboard sqlite:///runs.db        # then open http://127.0.0.1:8080
            ```

            From the command line, `unitune show sqlite:///runs.db --study-name tpe` prints a summary of a study.

            ## 6. Failing trials

            Objectives fail: a training run diverges, a configuration runs out of memory. An exception raised by
            the objective (any `Exception`, configurable with `catch=`) makes a **failed trial**: it is recorded with
            its error, told to the backend (each its own way: see the `failures` column of `ut.backends()`), and
            the study goes on. Returning NaN or infinity also fails the trial.

            This objective "diverges" for large `x` and returns NaN for very small `y`. unitune logs every failed
            trial as a warning of the `"unitune"` logger; the first line silences them to keep the output short.
            """
        ),
        code(
            """
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
                study = ut.minimize(fragile, space, backend=backend, n_trials=30, seed=0, backend_options=options)
                states = study.trials_dataframe()["state"].value_counts()
                rows.append({"backend": backend, **states.to_dict(), "best": study.best_value})
            pd.DataFrame(rows).fillna(0)
            """
        ),
        md(
            """
            Every backend kept going. How each one learns from failures differs (`ut.backends()`, column
            `failures`), and it shows in how often each returned to the failing region: Optuna's samplers learn
            from complete trials only, so TPE does not learn to avoid it; Hyperopt's TPE ranks failed trials as
            infinitely bad; scikit-optimize, which has no failed state, is told the worst loss seen so far. If a
            region is known to fail, leave it out of the space, or return a large finite penalty.

            The failed trials keep their parameters and the reason (here those of the last study, scikit-optimize):
            """
        ),
        code(
            """
            frame = study.trials_dataframe()
            frame.loc[frame["state"] == "failed", ["number", "params_x", "params_y", "error"]].head()
            """
        ),
        md(
            """
            An exception that is not in `catch` is a bug rather than a bad configuration: it is recorded, then it
            stops the study and propagates, so you see it at once. The trials finished before are kept.
            """
        ),
        code(
            """
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
            """
        ),
        md("Finally, remove the temporary folder with the SQLite file:"),
        code(
            """
            shutil.rmtree(workdir)
            """
        ),
    ]


NOTEBOOKS: dict[str, Callable[[], list[Cell]]] = {
    "01_quickstart.ipynb": quickstart,
    "02_compare_backends.ipynb": compare_backends,
    "03_sklearn_cross_validation.ipynb": sklearn_cv,
    "04_parallel_resume_and_dashboard.ipynb": parallel_resume,
}


def make(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` without outputs; cell ids are stable so that rebuilding gives small diffs."""
    nb = nbformat.v4.new_notebook()
    stem = name.split("_")[0]
    for index, (kind, source) in enumerate(NOTEBOOKS[name]()):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.id = f"nb{stem}-{index:02d}"
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path) -> float:
    """Run every cell of ``nb`` in place in a fresh kernel started in ``cwd``; returns the seconds it took."""
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
    )
    client.execute()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Write (and by default execute) the notebooks."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="prefixes of the notebooks to build (default: all)")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without running them")
    args = parser.parse_args(argv)
    names = [n for n in NOTEBOOKS if not args.only or any(n.startswith(p) for p in args.only)]
    for name in names:
        nb = make(name)
        if not args.no_execute:
            with tempfile.TemporaryDirectory(prefix="unitune-nb-") as cwd:
                seconds = execute(nb, Path(cwd))
            print(f"{name}: executed in {seconds:.1f} s")
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
