"""unitune.sklearn.SearchCV: a scikit-learn BaseSearchCV driven by any unitune backend."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.model_selection._search import BaseSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

import unitune as ut
from unitune.adapters import get_adapter_class
from unitune.sklearn import SearchCV
from unitune.sklearn._convert import GRID_KEY, to_space

X, Y = load_iris(return_X_y=True)
CV = KFold(3, shuffle=True, random_state=0)
SVC_SPACE = {"C": ut.Float(0.01, 100, log=True), "kernel": ut.Categorical(["linear", "rbf"])}
SVC_GRID = {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}


@pytest.fixture(autouse=True)
def _one_blas_thread() -> Iterator[None]:
    """Small fits are much slower with several BLAS threads fighting for few cores."""
    with threadpool_limits(1):
        yield


def _skopt_adapter_exists() -> bool:
    try:
        get_adapter_class("skopt")
    except ModuleNotFoundError as error:
        if error.name == "unitune.adapters._skopt":
            return False
        raise
    return True


BACKENDS = [
    "optuna:tpe",
    "optuna:random",
    "hyperopt:tpe",
    pytest.param("skopt:gp", marks=pytest.mark.skipif(not _skopt_adapter_exists(), reason="no skopt adapter yet")),
]


def _key(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


def _scores(search: BaseSearchCV) -> dict[tuple[tuple[str, str], ...], float]:
    results = search.cv_results_
    return {_key(p): float(s) for p, s in zip(results["params"], results["mean_test_score"], strict=True)}


class Flaky(ClassifierMixin, BaseEstimator):
    """Predicts the first class; ``mode`` "always" fails every fit, "partly" when sample 0 is in the training set."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode

    def fit(self, X: Any, y: Any) -> Flaky:
        if self.mode == "always" or (self.mode == "partly" and np.min(X) == 0):
            raise ValueError(f"Flaky fails ({self.mode})")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> Any:
        return np.full(len(X), self.classes_[0])


NON_FINITE = pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite:UserWarning")
FLAKY_X = np.arange(30.0).reshape(-1, 1)
FLAKY_Y = np.arange(30) % 2


# -- the estimator contract ---------------------------------------------------------------------------------


def test_import_unitune_does_not_import_sklearn_and_unitune_sklearn_uses_the_real_one() -> None:
    code = (
        "import sys, unitune; assert 'sklearn' not in sys.modules and 'unitune.sklearn' not in sys.modules; "
        "import unitune.sklearn, sklearn.model_selection._search as s; "
        "assert issubclass(unitune.sklearn.SearchCV, s.BaseSearchCV); print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_constructor_stores_arguments_as_given_and_clone_get_set_params_work() -> None:
    options = {"n_startup_trials": 2}
    search = SearchCV(SVC(), SVC_SPACE, backend="nonsense", n_trials=-3, backend_options=options, batch_size="x")
    assert search.backend == "nonsense" and search.n_trials == -3 and search.batch_size == "x"
    assert search.backend_options is options and search.space is SVC_SPACE
    params = search.get_params()
    assert params["estimator__C"] == 1.0 and params["space"] is SVC_SPACE
    twin = clone(search)
    assert twin.get_params(deep=False).keys() == search.get_params(deep=False).keys()
    assert twin.space == SVC_SPACE and twin.space is not SVC_SPACE
    twin.set_params(n_trials=4, estimator__C=2.0, backend="optuna:random")
    assert (twin.n_trials, twin.estimator.C, twin.backend) == (4, 2.0, "optuna:random")


@parametrize_with_checks(
    [SearchCV(LogisticRegression(), {"C": ut.Float(0.1, 10, log=True)}, n_trials=3, cv=3, random_state=0)],
    expected_failed_checks=lambda estimator: {},  # every check that applies to a meta-estimator passes
)
def test_scikit_learn_estimator_checks(estimator: SearchCV, check: Any) -> None:
    with warnings.catch_warnings():  # the checks that fit on bad data expect an error, not these warnings
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", "(Scoring failed|One or more of the test scores)", UserWarning)
        check(estimator)


# -- backends, attributes, reproducibility ----------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_gives_scikit_learn_results_and_the_study(backend: str) -> None:
    search = SearchCV(SVC(), SVC_SPACE, backend=backend, n_trials=6, cv=CV, random_state=0).fit(X, Y)
    results = search.cv_results_
    assert len(results["params"]) == 6 and search.n_splits_ == 3 and search.refit_time_ >= 0
    assert sorted(search.best_params_) == ["C", "kernel"]
    assert search.best_score_ == pytest.approx(np.max(results["mean_test_score"]))
    assert search.best_params_ == results["params"][search.best_index_]
    check_is_fitted(search.best_estimator_)
    assert search.best_params_["C"] == search.best_estimator_.C
    assert search.score(X, Y) > 0.9 and search.predict(X).shape == Y.shape
    study = search.study_
    assert isinstance(study, ut.Study) and study.direction == "maximize" and study.backend == backend
    assert [t.params for t in study.trials] == results["params"]  # candidate i is trial i
    assert [t.value for t in study.trials] == pytest.approx(list(results["mean_test_score"]))
    assert study.best_value == pytest.approx(search.best_score_)

    again = clone(search).fit(X, Y)
    assert again.cv_results_["params"] == results["params"]  # same random_state, same candidates
    assert list(again.cv_results_["mean_test_score"]) == pytest.approx(list(results["mean_test_score"]))


def test_random_state_forms() -> None:
    def candidates(random_state: Any) -> list[dict[str, Any]]:
        search = SearchCV(SVC(), SVC_SPACE, backend="optuna:random", n_trials=4, cv=3, random_state=random_state)
        return list(search.fit(X, Y).cv_results_["params"])

    assert candidates(1) == candidates(1) != candidates(2)
    assert candidates(np.random.RandomState(5)) == candidates(np.random.RandomState(5))
    assert len(candidates(None)) == 4
    with pytest.raises(TypeError, match="random_state must be"):
        candidates("zero")


def test_batches_and_n_jobs_give_the_same_results_in_order() -> None:
    one = SearchCV(SVC(), SVC_SPACE, backend="optuna:random", n_trials=7, cv=CV, random_state=3).fit(X, Y)
    batched = clone(one).set_params(batch_size=3, n_jobs=2).fit(X, Y)
    assert batched.cv_results_["params"] == one.cv_results_["params"]  # random sampling ignores pending trials
    assert list(batched.cv_results_["mean_test_score"]) == pytest.approx(list(one.cv_results_["mean_test_score"]))
    assert [t.number for t in batched.study_.trials] == list(range(7))


# -- parity with GridSearchCV ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "grid",
    [
        SVC_GRID,
        [{"kernel": ["linear"], "C": [0.1, 1, 10]}, {"kernel": ["rbf"], "C": [1, 10], "gamma": [0.1, 1.0]}],
    ],
    ids=["dict", "list-of-dicts"],
)
def test_optuna_grid_evaluates_exactly_grid_search_cv_candidates(grid: Any) -> None:
    reference = GridSearchCV(SVC(), grid, cv=CV).fit(X, Y)
    search = SearchCV(SVC(), grid, backend="optuna:grid", n_trials=100, cv=CV).fit(X, Y)
    expected, got = _scores(reference), _scores(search)
    assert len(search.cv_results_["params"]) == len(reference.cv_results_["params"])  # the grid ends the search
    assert got.keys() == expected.keys()
    for key, score in expected.items():
        assert got[key] == pytest.approx(score)
    assert search.best_score_ == pytest.approx(reference.best_score_)
    best = {k for k, s in expected.items() if s == pytest.approx(reference.best_score_)}
    assert _key(search.best_params_) in best and _key(reference.best_params_) in best
    assert set(search.cv_results_) == set(reference.cv_results_)
    if isinstance(grid, list):  # inactive parameters are masked, as in GridSearchCV
        results = search.cv_results_
        linear = np.array([p["kernel"] == "linear" for p in results["params"]])
        assert (results["param_gamma"].mask == linear).all()


# -- spaces: scikit-learn style, pseudo parameters, estimators ---------------------------------------------


def test_sklearn_style_conversion() -> None:
    space = to_space(
        {
            "a": [1, 2, 3],
            "b": ["only"],
            "c": stats.uniform(1, 4),
            "d": stats.loguniform(1e-3, 1),
            "e": stats.reciprocal(1e-2, 10),
            "f": stats.randint(1, 5),
            "g": (1, 2),
            "h": ut.Float(0, 1),
            "i": np.array([0.5, 1.5]),
            "j": [{"x": 1}],
        }
    )
    elements = {p.name: p.element for p in space.params}
    assert elements["a"] == ut.Categorical([1, 2, 3]) and "b" not in elements
    assert elements["c"] == ut.Float(1.0, 5.0) and elements["d"] == ut.Float(1e-3, 1.0, log=True)
    assert elements["e"] == ut.Float(1e-2, 10.0, log=True)
    assert elements["f"] == ut.Int(1, 4)  # scipy's randint excludes high
    assert elements["g"] == ut.Categorical([1, 2]) and elements["h"] == ut.Float(0, 1)
    assert elements["i"] == ut.Categorical([0.5, 1.5]) and elements["j"] == ut.Categorical([{"x": 1}])
    assert space.mapping["b"] == "only"
    # without lists or distributions it is a unitune space: tuples are constants
    assert to_space({"g": (1, 2), "h": ut.Int(0, 1)}).mapping["g"] == (1, 2)
    grids = to_space([{"C": [1, 10]}, {"n": stats.randint(0, 2), "k": "const"}])
    assert grids.names == (GRID_KEY, "C", "n")
    assert to_space([{"C": [1, 10]}]).names == ("C",)


@pytest.mark.parametrize(
    ("space", "match"),
    [
        ({"C": stats.norm(0, 1)}, r"'C'.*scipy.stats.norm.*uniform"),
        ({"C": stats.loguniform(1e-3, 1, loc=1)}, r"'C'.*loc"),
        ({"C": []}, r"'C'.*empty"),
        ({"C": [ut.Float(0, 1)]}, r"'C'.*cannot hold unitune elements"),
        ({"clf": {"C": ut.Float(0, 1)}}, r"'clf'.*nested dict.*'__'"),
        ({"_m": ut.Conditional({"a": {"clf": {"C": 1}}})}, r"'clf \(in branch a of _m\)'.*nested dict"),
        (ut.Space({"clf": {"C": ut.Float(0, 1)}}), r"'clf'.*nested dict"),
        ({"clf.C": [1, 2]}, r"no '\.'.*'clf__C'"),
        ([], "empty"),
        ([{"C": [1]}, 3], "entry 1"),
        ("C", "a unitune Space, a dict or a list of dicts"),
    ],
)
def test_bad_spaces_are_refused_at_fit_with_the_parameter_named(space: Any, match: str) -> None:
    search = SearchCV(SVC(), space, n_trials=2)  # no validation in __init__
    with pytest.raises(ut.SpaceError, match=match):
        search.fit(X, Y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_distributions_are_sampled_in_their_scikit_learn_ranges() -> None:
    space = {"C": stats.loguniform(0.1, 10), "max_iter": stats.randint(50, 52), "tol": stats.uniform(1e-4, 1e-3)}
    search = SearchCV(LogisticRegression(), space, backend="optuna:random", n_trials=8, cv=3, random_state=0)
    params = search.fit(X, Y).cv_results_["params"]
    assert {p["max_iter"] for p in params} <= {50, 51}
    assert all(0.1 <= p["C"] <= 10 and 1e-4 <= p["tol"] <= 1.1e-3 for p in params)


def test_conditional_chooses_an_estimator_with_its_own_parameters() -> None:
    svc, tree = SVC(), DecisionTreeClassifier(random_state=0)
    space = {
        "_model": ut.Conditional(
            {
                "svm": {"clf": svc, "clf__C": ut.Float(0.01, 100, log=True)},
                "tree": {"clf": tree, "clf__max_depth": ut.Int(1, 6)},
            }
        )
    }
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    search = SearchCV(pipe, space, backend="optuna:random", n_trials=8, cv=CV, random_state=1).fit(X, Y)
    results = search.cv_results_
    kinds = [type(p["clf"]) for p in results["params"]]
    assert set(kinds) == {SVC, DecisionTreeClassifier}
    for params, trial in zip(results["params"], search.study_.trials, strict=True):
        assert "_model" not in params and trial.params["_model"] in ("svm", "tree")  # pseudo parameter dropped
        assert set(params) == {"clf", "clf__C"} if isinstance(params["clf"], SVC) else {"clf", "clf__max_depth"}
        assert params["clf"] is not svc and params["clf"] is not tree  # a fresh clone per candidate
    assert len({id(p["clf"]) for p in results["params"]}) == len(results["params"])
    is_svc = np.array([k is SVC for k in kinds])
    assert (results["param_clf__C"].mask == ~is_svc).all() and (results["param_clf__max_depth"].mask == is_svc).all()
    for original in (svc, tree):
        with pytest.raises(NotFittedError):
            check_is_fitted(original)
    best = search.best_estimator_.named_steps["clf"]
    assert type(best) is type(search.best_params_["clf"]) and best is not search.best_params_["clf"]
    check_is_fitted(best)


def test_categorical_estimators_and_a_conditional_on_a_real_parameter() -> None:
    choices = [SVC(), DecisionTreeClassifier(max_depth=2, random_state=0)]
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    search = SearchCV(pipe, {"clf": ut.Categorical(choices)}, backend="optuna:grid", n_trials=10, cv=CV).fit(X, Y)
    assert sorted(type(p["clf"]).__name__ for p in search.cv_results_["params"]) == ["DecisionTreeClassifier", "SVC"]
    assert all(p["clf"] is not c for p in search.cv_results_["params"] for c in choices)

    space = {"kernel": ut.Conditional({"rbf": {"gamma": ut.Float(1e-3, 1.0, log=True)}, "linear": {}})}
    search = SearchCV(SVC(), space, backend="optuna:random", n_trials=6, cv=CV, random_state=0).fit(X, Y)
    for params in search.cv_results_["params"]:
        assert set(params) == ({"kernel", "gamma"} if params["kernel"] == "rbf" else {"kernel"})


# -- scoring, refit, failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(("refit", "told"), [("f1", "f1"), (False, "acc"), ("callable", "acc")])
def test_multimetric_scoring_tells_the_refit_scorer_or_the_first(refit: Any, told: str) -> None:
    if refit == "callable":

        def refit(results: dict[str, Any]) -> int:
            return int(np.argmin(results["mean_test_f1"]))

    scoring = {"acc": "accuracy", "f1": "f1_macro"}
    search = SearchCV(SVC(), SVC_SPACE, n_trials=4, cv=CV, scoring=scoring, refit=refit, random_state=0).fit(X, Y)
    values = [t.value for t in search.study_.trials]
    assert values == pytest.approx(list(search.cv_results_[f"mean_test_{told}"]))
    assert search.multimetric_
    if refit is False:
        assert not hasattr(search, "best_params_")
    elif callable(refit):
        assert search.best_index_ == np.argmin(search.cv_results_["mean_test_f1"])
    else:
        assert search.best_score_ == pytest.approx(max(search.cv_results_["mean_test_f1"]))


def _flaky_search(**kwargs: Any) -> SearchCV:
    space = {"mode": ut.Categorical(["ok", "partly", "always"])}
    return SearchCV(Flaky(), space, backend="optuna:grid", n_trials=10, cv=KFold(3), **kwargs)


@NON_FINITE
def test_nan_scores_are_told_as_failed_trials() -> None:
    with pytest.warns(FitFailedWarning):
        search = _flaky_search(batch_size=3).fit(FLAKY_X, FLAKY_Y)  # one batch: GridSearchCV's behaviour
    results = search.cv_results_
    by_mode = {p["mode"]: s for p, s in zip(results["params"], results["mean_test_score"], strict=True)}
    assert by_mode["ok"] == 0.5 and np.isnan(by_mode["partly"]) and np.isnan(by_mode["always"])
    trials = {t.params["mode"]: t for t in search.study_.trials}
    assert trials["ok"].state == "complete" and trials["ok"].value == 0.5
    assert trials["partly"].state == "failed" and "failed on 2 of 3 folds" in str(trials["partly"].error)
    assert trials["always"].state == "failed" and "failed on 3 of 3 folds" in str(trials["always"].error)
    assert search.best_params_ == {"mode": "ok"}


@NON_FINITE
@pytest.mark.filterwarnings(r"ignore:\s*\d+ fits failed out of a total:sklearn.exceptions.FitFailedWarning")
def test_a_batch_whose_every_fit_fails_is_told_as_failed_and_left_out() -> None:
    with pytest.warns(FitFailedWarning, match=r"every fit of trial\(s\) \[\d\] failed"):
        search = _flaky_search().fit(FLAKY_X, FLAKY_Y)
    modes = [p["mode"] for p in search.cv_results_["params"]]
    assert sorted(modes) == ["ok", "partly"]
    failed = [t for t in search.study_.trials if t.state == "failed"]
    assert sorted(t.params["mode"] for t in failed) == ["always", "partly"]
    always = next(t for t in failed if t.params["mode"] == "always")
    assert "Flaky fails (always)" in str(always.error)


@NON_FINITE
def test_error_score_raise_and_all_failed() -> None:
    with pytest.raises(ValueError, match="Flaky fails"):
        _flaky_search(error_score="raise").fit(FLAKY_X, FLAKY_Y)
    search = SearchCV(Flaky("always"), {"_x": ut.Int(0, 1)}, backend="optuna:grid", n_trials=5, cv=KFold(3))
    with pytest.raises(ValueError, match="every candidate failed"), pytest.warns(FitFailedWarning):
        search.fit(FLAKY_X, FLAKY_Y)
    assert [t.state for t in search.study_.trials] == ["failed", "failed"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_trials": 0}, ValueError, "n_trials must be an int >= 1"),
        ({"batch_size": 1.5}, ValueError, "batch_size must be an int >= 1"),
        ({"backend": "optunaa"}, ut.BackendError, "unknown backend 'optunaa'"),
        ({"backend_options": 3}, TypeError, "backend_options must be a dict"),
        ({"backend_options": {"nope": 1}}, ut.BackendError, "unknown option"),
    ],
)
def test_bad_arguments_are_refused_at_fit(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    search = SearchCV(SVC(), SVC_SPACE, **kwargs)
    with pytest.raises(error, match=match):
        search.fit(X, Y)


# -- composition ------------------------------------------------------------------------------------------


def test_inside_a_pipeline_nested_cross_validation_and_pickle() -> None:
    inner = SearchCV(SVC(), SVC_SPACE, n_trials=3, cv=3, random_state=0)
    pipe = Pipeline([("scale", StandardScaler()), ("search", inner)]).fit(X, Y)
    assert pipe.score(X, Y) > 0.9 and isinstance(pipe.named_steps["search"].study_, ut.Study)
    assert inner.get_params()["estimator"] is pipe.get_params()["search__estimator"]

    outer = clone(inner)
    scores = cross_val_score(outer, X, Y, cv=KFold(3, shuffle=True, random_state=1))
    assert scores.shape == (3,) and scores.min() > 0.8
    assert not hasattr(outer, "study_")  # cross_val_score fits clones

    fitted = pipe.named_steps["search"]
    copy = pickle.loads(pickle.dumps(fitted))
    assert (copy.predict(X) == fitted.predict(X)).all() and len(copy.study_.trials) == 3
