"""The suites: BBOB through the real cocoex, Bayesmark through the real scikit-learn, the CLI, workers, Dask."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import unitune as ut
from unitune.cli import main
from unitune.problems import Problem, bayesmark_task, bbob_problem, get, suite, suites
from unitune.problems._bayesmark_models import ColumnNorm, make_estimator
from unitune.problems._coco_compat import CHECKED, cocoex_version
from unitune.space import Categorical, Float, Int, Space

cocoex = pytest.importorskip("cocoex", reason="the bbob suite needs coco-experiment (unitune[bbob])")

BEST_PARAMETER_FILE = "._bbob_problem_best_parameter.txt"


def _x(problem: Problem, x: Any) -> dict[str, float]:
    return {f"x{i}": float(v) for i, v in enumerate(x)}


def _observed_optimum(function: int, dimension: int, instance: int) -> tuple[np.ndarray, float]:
    """COCO's optimum from its suite problem: the private _best_parameter("print") writes it to the working folder."""
    options = f"function_indices: {function} dimensions: {dimension}"
    coco_suite = cocoex.Suite("bbob", f"instances: {instance}", options)
    problem = coco_suite.get_problem_by_function_dimension_instance(function, dimension, instance)
    try:
        problem._best_parameter("print")
        xstar = np.loadtxt(BEST_PARAMETER_FILE, ndmin=1)
    except (AttributeError, OSError, ValueError) as error:
        pytest.fail(
            f"cocoex {cocoex.__version__}: Problem._best_parameter('print') no longer writes {BEST_PARAMETER_FILE} "
            f"({error!r}); unitune.problems._coco_compat was checked on {CHECKED}."
        )
    return xstar, float(problem(xstar))


# -- bbob ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "dimension", "instance"), [(1, 2, 1), (3, 5, 2), (8, 3, 7), (20, 10, 3), (24, 2, 5)]
)
def test_bbob_optimum_is_cocos_value_at_cocos_optimal_point(
    function: int, dimension: int, instance: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = bbob_problem(function, dimension, instance)
    assert problem.optimum is not None and problem.minimizer is not None
    assert problem(problem.minimizer) == problem.optimum
    monkeypatch.chdir(tmp_path)
    xstar, fstar = _observed_optimum(function, dimension, instance)
    version = f"cocoex {cocoex_version()} (checked: {CHECKED})"
    assert list(xstar) == pytest.approx(list(problem.minimizer.values()), abs=1e-12), version
    assert fstar == pytest.approx(problem.optimum, abs=1e-12), version
    # the same function as COCO's observed suite problem, at random points too
    rng = np.random.default_rng(function)
    coco_suite = cocoex.Suite("bbob", f"instances: {instance}", f"function_indices: {function} dimensions: {dimension}")
    observed = coco_suite.get_problem_by_function_dimension_instance(function, dimension, instance)
    for x in rng.uniform(-5, 5, size=(5, dimension)):
        assert problem(_x(problem, x)) == observed(x)


def test_every_bbob_function_has_its_optimum_inside_the_domain_and_below_random_points() -> None:
    problems = suite("bbob", dimensions=2, instances=1)
    assert [p.name for p in problems] == [f"bbob_f{f:03d}_i01_d02" for f in range(1, 25)]
    rng = np.random.default_rng(0)
    points = rng.uniform(-5, 5, size=(100, 2))
    for problem in problems:
        assert problem.optimum is not None and problem.minimizer is not None
        assert sorted(problem.space) == ["x0", "x1"] and problem.direction == "minimize"
        for element in problem.space.values():
            assert isinstance(element, Float) and (element.low, element.high, element.log) == (-5.0, 5.0, False)
        assert all(-5.0 <= v <= 5.0 for v in problem.minimizer.values()), problem.name
        assert min(problem(_x(problem, x)) for x in points) >= problem.optimum, problem.name


def test_bbob_suite_defaults_filters_and_names() -> None:
    default = suite("bbob")
    assert len(default) == 24 * 6 * 5 and len({p.name for p in default}) == len(default)
    assert default[0].name == "bbob_f001_i01_d02" and default[-1].name == "bbob_f024_i05_d40"
    assert len(default[-1].space) == 40
    picked = suite("bbob", functions=[3, 7], dimensions=["5"], instances=range(1, 3))
    assert [p.name for p in picked] == [
        "bbob_f003_i01_d05",
        "bbob_f003_i02_d05",
        "bbob_f007_i01_d05",
        "bbob_f007_i02_d05",
    ]
    assert get("bbob_f003_i02_d05").optimum == picked[1].optimum
    assert bbob_problem(3, 5, 2).optimum != bbob_problem(3, 5, 1).optimum  # instances move the optimum


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({"functions": 25}, r"functions=25 holds 25, which is not valid\. Valid values of functions: 1-24"),
        ({"dimensions": [2, 4]}, r"holds 4.*Valid values of dimensions: 2, 3, 5, 10, 20, 40"),
        ({"instances": 0}, r"instances=0 holds 0.*integers >= 1"),
        ({"dimension": 2}, r"no filter 'dimension'\. Did you mean 'dimensions'\? Its filters: functions, dimensions"),
        ({"functions": []}, r"selects nothing"),
    ],
)
def test_bad_bbob_filters_name_the_filter_and_the_valid_values(filters: dict[str, Any], match: str) -> None:
    with pytest.raises(ut.ArgumentError, match=match):
        suite("bbob", **filters)


def test_bad_bbob_problems_and_missing_cocoex(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        ut.ArgumentError, match=r"function=\.\.\.\) must be an integer from 1 to 24; received 0"
    ) as info:
        bbob_problem(0, 2)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ut.ArgumentError, match="dimension"):
        bbob_problem(1, 4)
    with pytest.raises(ut.ArgumentError, match=r"Malformed BBOB problem name 'bbob_f1_d2'.*bbob_fFFF_iII_dDD"):
        get("bbob_f1_d2")
    monkeypatch.setitem(sys.modules, "cocoex", None)  # as if coco-experiment were not installed
    with pytest.raises(ut.BackendNotInstalledError, match=r"pip install 'unitune\[bbob\]'"):
        bbob_problem(1, 2)


# -- bayesmark -------------------------------------------------------------------------------------------

# Bayesmark's own api_config dicts (bayesmark/sklearn_funcs.py), for the spaces that differ by task.
_TREES = {
    "max_depth": ("int", "linear", (1, 15)),
    "min_samples_split": ("real", "logit", (0.01, 0.99)),
    "min_samples_leaf": ("real", "logit", (0.01, 0.49)),
    "min_weight_fraction_leaf": ("real", "logit", (0.01, 0.49)),
    "max_features": ("real", "logit", (0.01, 0.99)),
    "min_impurity_decrease": ("real", "linear", (0.0, 0.5)),
}
_MLP = {
    "hidden_layer_sizes": ("int", "linear", (50, 200)),
    "alpha": ("real", "log", (1e-5, 1e1)),
    "batch_size": ("int", "linear", (10, 250)),
    "learning_rate_init": ("real", "log", (1e-5, 1e-1)),
    "tol": ("real", "log", (1e-5, 1e-1)),
    "validation_fraction": ("real", "logit", (0.1, 0.9)),
}
_LINEAR_CLF = {"C": ("real", "log", (1e-2, 1e2)), "intercept_scaling": ("real", "log", (1e-2, 1e2))}
_LINEAR_REG = {
    "alpha": ("real", "log", (1e-2, 1e2)),
    "fit_intercept": ("bool", None, None),
    "normalize": ("bool", None, None),
    "max_iter": ("int", "log", (10, 5000)),
}
BAYESMARK_CLF = {
    "knn": {"n_neighbors": ("int", "linear", (1, 25)), "p": ("int", "linear", (1, 4))},
    "svm": {
        "C": ("real", "log", (1.0, 1e3)),
        "gamma": ("real", "log", (1e-4, 1e-3)),
        "tol": ("real", "log", (1e-5, 1e-1)),
    },
    "dt": _TREES,
    "rf": _TREES,
    "mlp_adam": {
        **_MLP,
        "beta_1": ("real", "logit", (0.5, 0.99)),
        "beta_2": ("real", "logit", (0.9, 1.0 - 1e-6)),
        "epsilon": ("real", "log", (1e-9, 1e-6)),
    },
    "mlp_sgd": {
        **_MLP,
        "power_t": ("real", "logit", (0.1, 0.9)),
        "momentum": ("real", "logit", (0.001, 0.999)),
    },
    "ada": {"n_estimators": ("int", "linear", (10, 100)), "learning_rate": ("real", "log", (1e-4, 1e1))},
    "lasso": _LINEAR_CLF,
    "linear": _LINEAR_CLF,
}
BAYESMARK_REG = {
    **BAYESMARK_CLF,
    "lasso": {**_LINEAR_REG, "tol": ("real", "log", (1e-5, 1e-1)), "positive": ("bool", None, None)},
    "linear": {**_LINEAR_REG, "tol": ("real", "log", (1e-4, 1e-1))},
}


@pytest.mark.parametrize("dataset", ["wine", "diabetes"])
def test_bayesmark_spaces_are_bayesmarks_own(dataset: str) -> None:
    configs = BAYESMARK_REG if dataset == "diabetes" else BAYESMARK_CLF
    metric = "mse" if dataset == "diabetes" else "acc"
    for model, api_config in configs.items():
        space = bayesmark_task(model, dataset, metric).space
        assert sorted(space) == sorted(api_config), model
        for name, (kind, scale, bounds) in api_config.items():
            element = space[name]
            if kind == "bool":
                assert isinstance(element, Categorical) and list(element.choices) == [False, True]
                continue
            assert isinstance(element, Int if kind == "int" else Float), (model, name)
            assert (element.low, element.high) == bounds, (model, name)
            # logit has no unitune scale: log where the range stays below 0.5, linear otherwise
            log = scale == "log" or (scale == "logit" and bounds[1] <= 0.5)
            assert element.log == log, (model, name)


def test_bayesmark_suite_filters_and_metrics() -> None:
    everything = suite("bayesmark")
    assert len(everything) == 9 * (4 * 2 + 2) and len({p.name for p in everything}) == len(everything)
    assert all(p.optimum is None and p.direction == "minimize" for p in everything)
    wine = suite("bayesmark", datasets="wine", metrics="acc")
    assert [p.name for p in wine][:2] == ["bayesmark:dt:wine:acc", "bayesmark:mlp_adam:wine:acc"]
    assert {p.name for p in suite("bayesmark", models="MLP-sgd", datasets="diabetes")} == {
        "bayesmark:mlp_sgd:diabetes:mse",
        "bayesmark:mlp_sgd:diabetes:mae",
    }
    with pytest.raises(ut.ArgumentError, match=r"select no problem; acc and nll apply to the classification"):
        suite("bayesmark", datasets="diabetes", metrics="acc")
    with pytest.raises(ut.ArgumentError, match=r"'brest'.*Did you mean 'breast_cancer'\?.*breast_cancer, digits"):
        suite("bayesmark", datasets=["wine", "brest"])
    with pytest.raises(ut.ArgumentError, match=r"metric 'acc' does not fit the regression dataset 'diabetes'"):
        bayesmark_task("knn", "diabetes", "acc")
    with pytest.raises(ut.ArgumentError, match=r"Unknown model 'rff'\. Did you mean 'rf'\?"):
        get("bayesmark:rff:wine:acc")
    with pytest.raises(ut.ArgumentError, match=r"Unknown suite 'bayes'\. Did you mean 'bayesmark'"):
        suite("bayes")


def test_bayesmark_losses_follow_its_splits_and_metrics() -> None:
    from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    config = {"n_neighbors": 7, "p": 1}
    x, y = _load("wine")
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.2, random_state=0, shuffle=True)
    accuracy = cross_val_score(KNeighborsClassifier(n_neighbors=7, p=1), x_train, y_train, cv=StratifiedKFold(5))
    assert bayesmark_task("knn", "wine", "acc")(config) == pytest.approx(1.0 - accuracy.mean(), abs=1e-12)
    assert bayesmark_task("knn", "wine", "nll")(config) > 0.0
    mse, mae = (bayesmark_task("knn", "diabetes", m)(config) for m in ("mse", "mae"))
    assert mse >= mae**2 > 100.0  # in the target's units; Jensen's inequality per fold and on the means


def _load(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets

    return getattr(datasets, f"load_{dataset}")(return_X_y=True)  # type: ignore[no-any-return]


def test_every_stochastic_bayesmark_estimator_gets_the_seed() -> None:
    for dataset, metric in (("iris", "nll"), ("diabetes", "mse")):
        for model in ut.problems.BAYESMARK_MODELS:
            space = Space(bayesmark_task(model, dataset, metric).space)
            for sample in range(4):  # normalize=True makes a pipeline, sometimes
                estimator = make_estimator(model, dataset == "diabetes", metric, space.sample(sample), seed=11)
                params = estimator.get_params(deep=True)
                seeds = {k: v for k, v in params.items() if k.rsplit("__", 1)[-1] == "random_state"}
                assert all(v == 11 for v in seeds.values()), (model, seeds)
                if model in ("dt", "rf", "mlp_adam", "mlp_sgd", "ada"):
                    assert seeds, model


# A deterministic objective, checked in this process and in a fresh one: MLPs, a forest, boosting.
DETERMINISM = [
    ("mlp_adam", "iris", "nll"),
    ("rf", "wine", "acc"),
    ("ada", "diabetes", "mae"),
    ("mlp_sgd", "wine", "acc"),
]
FRESH = """
import sys
from unitune.problems import bayesmark_task
from unitune.space import Space
for model, dataset, metric in {cases!r}:
    p = bayesmark_task(model, dataset, metric)
    print(repr(p(Space(p.space).sample(3))))
"""


def test_bayesmark_objectives_are_deterministic_also_in_a_fresh_process() -> None:
    here = []
    for model, dataset, metric in DETERMINISM:
        problem = bayesmark_task(model, dataset, metric)
        config = Space(problem.space).sample(3)
        first, second = problem(config), problem(dict(config))
        assert first == second, problem.name
        here.append(first)
    done = subprocess.run(
        [sys.executable, "-c", FRESH.format(cases=DETERMINISM)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert [float(line) for line in done.stdout.split()] == here


def test_normalize_stand_in_is_the_old_scaling() -> None:
    """ColumnNorm + Lasso(alpha) equals the documented rewrite: StandardScaler + Lasso(alpha * sqrt(n))."""
    from sklearn.linear_model import Lasso
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = _load("diabetes")
    x = x * np.arange(1, 11)  # columns of different scales
    ours = make_pipeline(ColumnNorm(), Lasso(alpha=0.05, tol=1e-10, max_iter=100_000)).fit(x, y)
    documented = make_pipeline(StandardScaler(), Lasso(alpha=0.05 * np.sqrt(len(y)), tol=1e-10, max_iter=100_000))
    np.testing.assert_allclose(ours.predict(x), documented.fit(x, y).predict(x), rtol=1e-7)
    unnormalized = Lasso(alpha=0.05).fit(x, y).predict(x)
    assert not np.allclose(ours.predict(x), unnormalized)


# -- synthetic and sklearn suites ----------------------------------------------------------------------------


def test_synthetic_suite_has_known_optima() -> None:
    problems = suite("synthetic")
    assert len(problems) == 5 + 5 * 3 + 2
    for problem in problems:
        assert problem.optimum is not None and problem.minimizer is not None, problem.name
        assert problem(problem.minimizer) == pytest.approx(problem.optimum, abs=1e-9)
    assert [p.name for p in suite("synthetic", functions="rosenbrock", dimensions=[3, 20])] == [
        "rosenbrock3d",
        "rosenbrock20d",
    ]
    with pytest.raises(ut.ArgumentError, match="integers >= 2"):
        suite("synthetic", dimensions=1)


def test_random_forest_mixed_is_a_six_parameter_mixed_problem_in_the_sklearn_suite() -> None:
    problem = get("sklearn:random_forest_mixed:breast_cancer")
    kinds = sorted(type(e).__name__ for e in problem.space.values())
    assert kinds == ["Categorical", "Categorical", "Float", "Int", "Int", "Int"]
    config = Space(problem.space).sample(0)
    assert 0.0 <= problem(config) == problem(config) < 0.2
    assert problem({**config, "criterion": "entropy", "bootstrap": False}) != problem(
        {**config, "criterion": "gini", "bootstrap": True}
    )
    names = [p.name for p in suite("sklearn")]
    assert "sklearn:random_forest_mixed:breast_cancer" in names and "sklearn:ridge:diabetes" in names
    assert "sklearn:random_forest_mixed:diabetes" not in names and "sklearn:logistic:diabetes" not in names
    assert [p.name for p in suite("sklearn", models="random_forest_mixed", datasets=["wine", "diabetes"])] == [
        "sklearn:random_forest_mixed:wine"
    ]


def test_get_builds_every_suite_problem_by_name() -> None:
    for problem in [*suite("synthetic"), *suite("bayesmark"), *suite("sklearn"), *suite("bbob", instances=[1, 9])]:
        again = get(problem.name)
        assert again.name == problem.name and again.optimum == problem.optimum
        assert sorted(again.space) == sorted(problem.space)


def test_filters_select_in_the_suites_order() -> None:
    assert suite("bbob", functions=[7, 3], dimensions=2, instances=[2, 1]) == suite(
        "bbob", functions=[3, 7], dimensions=2, instances=[1, 2]
    )
    assert [p.name for p in suite("synthetic", functions=["levy", "branin"], dimensions=[5, 2])] == [
        "branin",
        "levy2d",
        "levy5d",
    ]


def test_the_python_blocks_of_the_suites_page_run() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "suites.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert blocks
    namespace: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, "docs/suites.md", "exec"), namespace)
    assert namespace["cmp"].failures.empty and len(namespace["cmp"].trials) == 4 * 2 * 5


def test_suites_are_described_with_their_filters() -> None:
    described = suites()
    assert list(described) == ["bbob", "bayesmark", "synthetic", "sklearn"]
    assert "functions: 1-24" in described["bbob"] and "instances: integers >= 1 (default: 1-5)" in described["bbob"]
    assert "metrics: acc, nll, mse, mae" in described["bayesmark"]


LIGHT = """
import json, sys
import unitune
suites = [unitune.problems.suite(name) for name in ("bayesmark", "sklearn")]
unitune.problems.get("bayesmark:mlp_adam:digits:nll")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & {"cocoex", "sklearn", "numpy", "scipy"})))
"""


def test_building_the_suites_imports_neither_scikit_learn_nor_cocoex() -> None:
    done = subprocess.run([sys.executable, "-c", LIGHT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]"]


# -- workers, compare, Dask, CLI ---------------------------------------------------------------------------

MIXED_BAG = [
    "bbob_f008_i02_d03",
    "bayesmark:knn:iris:nll",
    "bayesmark:mlp_sgd:wine:acc",
    "sklearn:random_forest_mixed:wine",
]


def _evaluate(problem: Problem, config: dict[str, Any]) -> float:
    return problem(config)


def test_suite_problems_pickle_and_evaluate_in_a_spawned_worker() -> None:
    problems = [get(name) for name in MIXED_BAG]
    configs = [Space(p.space).sample(1) for p in problems]
    local = [
        p(c) for p, c in zip(problems, configs, strict=True)
    ]  # the parent has built COCO's object: it must not travel
    for problem in problems:
        assert pickle.loads(pickle.dumps(problem)).name == problem.name
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = list(pool.map(_evaluate, problems, configs))
    assert remote == local


def test_compare_runs_suite_problems_on_every_backend() -> None:
    problems = [*suite("bbob", functions=[1, 21], dimensions=2, instances=1), get("bayesmark:dt:wine:nll")]
    short = {"optuna": {"n_startup_trials": 2}, "hyperopt": {"n_startup_jobs": 2}, "skopt": {"n_initial_points": 2}}
    cmp = ut.compare(problems, backends=["optuna", "hyperopt", "skopt"], n_trials=4, seeds=[0], backend_options=short)
    trials = cmp.trials
    assert cmp.failures.empty and len(trials) == 3 * 3 * 4
    assert set(trials["state"]) == {"complete"} and np.isfinite(trials["value"]).all()
    bbob = trials[trials["problem"].str.startswith("bbob")]
    assert (bbob["regret"] >= 0).all() and trials.loc[trials["problem"].str.startswith("bayes"), "regret"].isna().all()


def test_a_suite_runs_on_a_dask_cluster_as_it_runs_here(dask_client) -> None:  # type: ignore[no-untyped-def]
    problems = [*suite("bbob", functions=[1, 15], dimensions=2, instances=2), get("bayesmark:knn:wine:acc")]
    kwargs: dict[str, Any] = {"backends": ["optuna:random", "hyperopt:tpe"], "n_trials": 5, "seeds": [0, 1]}
    kwargs["backend_options"] = {"hyperopt:tpe": {"n_startup_jobs": 2}}
    remote = ut.compare(problems, executor=dask_client.get_executor(), **kwargs)
    local = ut.compare(problems, **kwargs)
    assert remote.failures.empty and len(remote.trials) == 3 * 2 * 2 * 5
    keys = ["problem", "backend", "seed", "trial"]
    columns = [*keys, "value", "best_so_far", "regret"]
    pd.testing.assert_frame_equal(
        remote.trials.sort_values(keys)[columns].reset_index(drop=True),
        local.trials.sort_values(keys)[columns].reset_index(drop=True),
    )


def test_bench_runs_a_filtered_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["bench", "--suite", "bbob", "--filter", "functions=1,2", "--filter", "dimensions=2", "--filter"]
    argv += ["instances=1-2", "--backends", "optuna:random", "--trials", "3", "--seeds", "1", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    trials = pd.read_csv(out / "trials.csv")
    expected = ["bbob_f001_i01_d02", "bbob_f001_i02_d02", "bbob_f002_i01_d02", "bbob_f002_i02_d02"]
    assert sorted(trials["problem"].unique()) == expected and len(trials) == 4 * 3
    assert "bbob_f002_i02_d02" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--suite", "bbob", "--filter", "dimension=2"], "no filter 'dimension'. Did you mean 'dimensions'?"),
        (["--suite", "bbob", "--filter", "dimensions"], "--filter 'dimensions': use KEY=VALUE[,VALUE...]"),
        (["--suite", "bbob", "--problems", "branin"], "pass either --problems or --suite, not both"),
        (["--filter", "dimensions=2"], "--filter narrows a suite; pass --suite NAME as well"),
        (["--suite", "bayesmrk"], "Did you mean 'bayesmark'?"),
    ],
)
def test_bench_suite_errors_exit_2_and_name_the_option(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", *extra, "--trials", "2", "--seeds", "1", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unitune bench: error:") and message in err
    assert not (tmp_path / "o").exists()


def test_bench_help_mentions_the_suite_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--suite SUITE" in text and "--filter KEY=VALUES" in text and "instances=1-3" in text
