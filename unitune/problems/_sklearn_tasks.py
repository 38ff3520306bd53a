"""scikit-learn tuning tasks on bundled datasets (scikit-learn is imported only when evaluated)."""

from __future__ import annotations

import functools
import importlib
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ArgumentError
from unitune.problems._problem import Problem, unknown_name
from unitune.space._elements import Categorical, Float, Int

__all__ = ["SKLEARN_DATASETS", "SKLEARN_MODELS", "sklearn_task"]

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]


SKLEARN_MODELS = ("svm", "random_forest", "gradient_boosting", "knn", "mlp", "logistic", "ridge", "random_forest_mixed")
SKLEARN_DATASETS = ("iris", "wine", "breast_cancer", "digits", "diabetes")
_REGRESSION_DATASETS = frozenset({"diabetes"})
# model -> (sklearn module, classifier, regressor, fixed keyword arguments).
_ESTIMATORS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "svm": ("svm", "SVC", "SVR", {}),
    "random_forest": ("ensemble", "RandomForestClassifier", "RandomForestRegressor", {}),
    "gradient_boosting": ("ensemble", "GradientBoostingClassifier", "GradientBoostingRegressor", {}),
    "knn": ("neighbors", "KNeighborsClassifier", "KNeighborsRegressor", {}),
    "mlp": ("neural_network", "MLPClassifier", "MLPRegressor", {"max_iter": 200}),
    "logistic": ("linear_model", "LogisticRegression", "", {"max_iter": 1000}),
    "ridge": ("linear_model", "", "Ridge", {}),
    "random_forest_mixed": ("ensemble", "RandomForestClassifier", "", {}),
}
_SEEDED = frozenset({"random_forest", "gradient_boosting", "mlp", "random_forest_mixed"})
_INT_PARAMS = frozenset({"n_estimators", "max_depth", "n_neighbors", "hidden_units", "min_samples_leaf"})


def _sklearn_space(model: str) -> dict[str, Any]:
    if model in ("svm", "logistic"):
        space = {"C": Float(1e-3, 1e3, log=True)}
        return {**space, "gamma": Float(1e-4, 10.0, log=True)} if model == "svm" else space
    if model == "random_forest":
        return {"n_estimators": Int(10, 200, log=True), "max_depth": Int(1, 20), "max_features": Float(0.1, 1.0)}
    if model == "gradient_boosting":
        return {
            "learning_rate": Float(1e-3, 1.0, log=True),
            "n_estimators": Int(10, 100, log=True),
            "max_depth": Int(1, 5),
        }
    if model == "random_forest_mixed":  # six parameters: three integers, a real, two categoricals
        return {
            "n_estimators": Int(10, 100, log=True),
            "max_depth": Int(2, 16),
            "min_samples_leaf": Int(1, 16, log=True),
            "max_features": Float(0.05, 1.0),
            "criterion": Categorical(["gini", "entropy"]),
            "bootstrap": Categorical([True, False]),
        }
    if model == "knn":
        return {"n_neighbors": Int(1, 30), "weights": Categorical(["uniform", "distance"])}
    if model == "mlp":
        return {
            "hidden_units": Int(4, 256, log=True),
            "alpha": Float(1e-6, 1e-1, log=True),
            "learning_rate_init": Float(1e-4, 1e-1, log=True),
        }
    return {"alpha": Float(1e-3, 1e3, log=True)}  # ridge


def _sk(module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"sklearn.{module}"), name)


@functools.cache
def _load_dataset(dataset: str) -> tuple[Array, Array]:
    import numpy as np

    bunch = _sk("datasets", f"load_{dataset}")()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target)


def _make_estimator(model: str, regression: bool, config: dict[str, Any], seed: int) -> Any:
    module, classifier, regressor, fixed = _ESTIMATORS[model]
    params: dict[str, Any] = {}
    for key in _sklearn_space(model):
        value = config[key]
        if isinstance(value, (str, bool)):
            params[key] = value
        else:
            params[key] = int(value) if key in _INT_PARAMS else float(value)
    if "hidden_units" in params:
        params["hidden_layer_sizes"] = (params.pop("hidden_units"),)
    if model in _SEEDED:
        params["random_state"] = seed
    estimator = _sk(module, regressor if regression else classifier)(**params, **fixed)
    scaler = _sk("preprocessing", "StandardScaler")
    pipe = _sk("pipeline", "make_pipeline")(scaler(), estimator)
    if regression:  # fit on a standardized target; predictions are in original units
        return _sk("compose", "TransformedTargetRegressor")(regressor=pipe, transformer=scaler())
    return pipe


@dataclass(frozen=True)
class _SklearnObjective:
    """Cross-validated loss of ``model`` on ``dataset`` with fixed folds."""

    model: str
    dataset: str
    cv: int
    seed: int

    def __call__(self, config: dict[str, Any]) -> float:
        x, y = _load_dataset(self.dataset)
        regression = self.dataset in _REGRESSION_DATASETS
        estimator = _make_estimator(self.model, regression, config, self.seed)
        splitter = _sk("model_selection", "KFold" if regression else "StratifiedKFold")
        folds = splitter(n_splits=self.cv, shuffle=True, random_state=self.seed)
        scoring = "neg_mean_squared_error" if regression else "accuracy"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _sk("exceptions", "ConvergenceWarning"))
            scores = _sk("model_selection", "cross_val_score")(estimator, x, y, cv=folds, scoring=scoring)
        mean = float(scores.mean())
        return -mean if regression else 1.0 - mean


def sklearn_task(model: str, dataset: str, *, cv: int = 5, seed: int = 0) -> Problem:
    """Tune a scikit-learn model by k-fold cross-validation on a bundled dataset.

    Classification datasets (iris, wine, breast_cancer, digits) use the loss
    ``1 - mean accuracy`` over StratifiedKFold; diabetes (regression) uses the
    mean squared error over KFold with each model's regressor counterpart
    ("logistic" and "random_forest_mixed" are classification-only, "ridge"
    regression-only). "random_forest_mixed" is a random forest with six mixed
    parameters: three integers (two on a log scale), a real and two
    categoricals (``criterion``, ``bootstrap``). Folds are
    shuffled with ``random_state=seed`` and fixed, so a config always gets the
    same loss. Inputs are standardized; for regression the target is too
    during fitting, but the MSE is in original units. One evaluation takes
    well under a second for most pairs, seconds for random forests and MLPs,
    and up to tens of seconds for gradient boosting on digits (10 classes).

    Args:
        model: One of :data:`SKLEARN_MODELS`.
        dataset: One of :data:`SKLEARN_DATASETS`.
        cv: Number of folds (>= 2).
        seed: Seeds the fold shuffling and the models' randomness.

    Returns:
        A minimization problem named ``"sklearn:{model}:{dataset}"`` whose
        optimum is unknown (``None``).

    Raises:
        ArgumentError: For an unknown or mismatched model/dataset or a bad ``cv``.

    Example:
        >>> p = sklearn_task("knn", "iris", cv=3)
        >>> sorted(p.space), 0.0 <= p({"n_neighbors": 5, "weights": "uniform"}) < 0.2
        (['n_neighbors', 'weights'], True)
    """
    if model not in SKLEARN_MODELS:
        raise unknown_name("model", model, SKLEARN_MODELS)
    if dataset not in SKLEARN_DATASETS:
        raise unknown_name("dataset", dataset, SKLEARN_DATASETS)
    regression = dataset in _REGRESSION_DATASETS
    if not _ESTIMATORS[model][2 if regression else 1]:
        task = "regression" if regression else "classification"
        fitting = [m for m in SKLEARN_MODELS if _ESTIMATORS[m][2 if regression else 1]]
        raise ArgumentError(
            f"Model {model!r} does not fit the {task} dataset {dataset!r}; use one of the {task} models "
            f"{', '.join(fitting)} instead."
        )
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise ArgumentError(f"sklearn_task(cv=...) must be an integer >= 2, got {cv!r}; pass e.g. cv=5.")
    loss = "mean squared error" if regression else "1 - accuracy"
    return Problem(
        name=f"sklearn:{model}:{dataset}",
        space=_sklearn_space(model),
        objective=_SklearnObjective(model, dataset, cv, seed),
        description=f"{model} on {dataset}: {cv}-fold CV {loss} (seed={seed}).",
    )
