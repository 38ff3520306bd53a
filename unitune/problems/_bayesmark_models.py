"""The estimators and the cross-validated loss of the Bayesmark problems (imports scikit-learn).

Imported only when a Bayesmark objective is evaluated. Where Bayesmark's
estimator arguments no longer exist in scikit-learn, the stand-ins here do
what they did (see ``docs/suites.md``):

- ``LogisticRegression(multi_class="ovr")`` (deprecated in scikit-learn 1.5, since removed) is a
  ``OneVsRestClassifier`` around a liblinear ``LogisticRegression``; on
  scikit-learn >= 1.8, where ``penalty`` is deprecated, ``l1_ratio`` picks L1 or L2.
- ``Lasso``/``Ridge(normalize=True)`` (removed in 1.2) is :class:`ColumnNorm`
  before the estimator: each column divided by the L2 norm of its centred
  values, exactly the scaling ``normalize`` applied (ignored, as then, when
  ``fit_intercept=False``).
- ``SVC(probability=True)`` (deprecated in 1.9) is ``CalibratedClassifierCV(SVC(),
  ensemble=False)`` for the log-loss, Platt scaling fitted on 5-fold decision
  values as libsvm did; accuracy uses ``SVC.predict``, which never used the probabilities.
- ``AdaBoostClassifier``'s default ``algorithm="SAMME.R"`` (removed in 1.6) is
  ``"SAMME"``, the only algorithm left; older scikit-learn is told so explicitly.

Every stand-in is used on every supported scikit-learn version, so a problem
is the same function whatever the version.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from unitune.problems._bayesmark_spaces import REGRESSION_DATASETS, bayesmark_space

__all__ = ["ColumnNorm", "cv_loss", "make_estimator"]

Array = npt.NDArray[np.float64]

# The integer parameters of Bayesmark's spaces.
_INT_PARAMS = frozenset(
    {"n_neighbors", "p", "max_depth", "hidden_layer_sizes", "batch_size", "n_estimators", "max_iter"}
)
# Bayesmark's CV_SPLITS and its hold-out fraction.
CV_SPLITS = 5
TEST_SIZE = 0.2
_SCORERS = {"acc": "accuracy", "nll": "neg_log_loss", "mse": "neg_mean_squared_error", "mae": "neg_mean_absolute_error"}
# Bayesmark's fixed (not searched) arguments, classifier then regressor.
_FIXED: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "dt": ({"max_leaf_nodes": None}, {"max_leaf_nodes": None}),
    "rf": ({"n_estimators": 10, "max_leaf_nodes": None}, {"n_estimators": 10, "max_leaf_nodes": None}),
    "mlp_adam": ({"solver": "adam", "early_stopping": True}, {"solver": "adam", "early_stopping": True}),
    "mlp_sgd": (
        {"solver": "sgd", "early_stopping": True, "learning_rate": "invscaling", "nesterovs_momentum": True},
        {
            "activation": "tanh",
            "solver": "sgd",
            "early_stopping": True,
            "learning_rate": "invscaling",
            "nesterovs_momentum": True,
        },
    ),
}
_CLASSES: dict[str, tuple[Any, Any]] = {
    "knn": (KNeighborsClassifier, KNeighborsRegressor),
    "dt": (DecisionTreeClassifier, DecisionTreeRegressor),
    "rf": (RandomForestClassifier, RandomForestRegressor),
    "mlp_adam": (MLPClassifier, MLPRegressor),
    "mlp_sgd": (MLPClassifier, MLPRegressor),
    "ada": (AdaBoostClassifier, AdaBoostRegressor),
}


class ColumnNorm(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Divide each column by the L2 norm of its centred values, as ``normalize=True`` did.

    Followed by an estimator that fits an intercept, this is the preprocessing
    scikit-learn < 1.2 applied for ``Lasso(normalize=True)`` and
    ``Ridge(normalize=True)`` (constant columns are left as they are).

    Example:
        >>> ColumnNorm().fit_transform(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
        [[0.7071067811865475, 5.0], [2.1213203435596424, 5.0]]
    """

    def fit(self, x: Array, y: Any = None) -> ColumnNorm:
        """Learn the norm of each centred column."""
        x = np.asarray(x, dtype=np.float64)
        norms = np.sqrt(np.sum((x - x.mean(axis=0)) ** 2, axis=0))
        self.scale_ = np.where(norms > 0.0, norms, 1.0)
        return self

    def transform(self, x: Array) -> Array:
        """Divide the columns by the learned norms."""
        return np.asarray(x, dtype=np.float64) / self.scale_


def _logistic(l1: bool, params: dict[str, Any]) -> Any:
    """Bayesmark's liblinear one-vs-rest logistic regression, with L1 ("lasso") or L2 ("linear")."""
    penalty = inspect.signature(LogisticRegression).parameters.get("penalty")
    if penalty is not None and penalty.default == "l2":  # scikit-learn < 1.8
        kind: dict[str, Any] = {"penalty": "l1" if l1 else "l2"}
    else:
        kind = {"l1_ratio": 1.0 if l1 else 0.0}
    return OneVsRestClassifier(LogisticRegression(solver="liblinear", fit_intercept=True, **kind, **params))


def _estimator(model: str, regression: bool, metric: str, params: dict[str, Any]) -> Any:
    if model == "ada" and not regression:
        algorithm = inspect.signature(AdaBoostClassifier).parameters.get("algorithm")
        if algorithm is not None and algorithm.default == "SAMME.R":  # scikit-learn < 1.6
            params["algorithm"] = "SAMME"
    if model in _CLASSES:
        if model in ("mlp_adam", "mlp_sgd"):
            params["hidden_layer_sizes"] = (params["hidden_layer_sizes"],)
        return _CLASSES[model][regression](**_FIXED.get(model, ({}, {}))[regression], **params)
    if model == "svm":
        if regression:
            return SVR(kernel="rbf", **params)
        if metric == "nll":
            return CalibratedClassifierCV(SVC(kernel="rbf", **params), ensemble=False)
        return SVC(kernel="rbf", **params)
    if not regression:
        return _logistic(model == "lasso", params)
    normalize = params.pop("normalize")
    estimator = Lasso(**params) if model == "lasso" else Ridge(solver="auto", **params)
    return make_pipeline(ColumnNorm(), estimator) if normalize and params["fit_intercept"] else estimator


def make_estimator(model: str, regression: bool, metric: str, config: dict[str, Any], seed: int) -> Any:
    """The estimator for ``config``, with ``random_state=seed`` wherever it takes one.

    Example:
        >>> make_estimator("knn", False, "acc", {"n_neighbors": 3, "p": 1}, seed=0)
        KNeighborsClassifier(n_neighbors=3, p=1)
    """
    params: dict[str, Any] = {}
    for key in bayesmark_space(model, regression):
        value = config[key]
        params[key] = value if isinstance(value, bool) else int(value) if key in _INT_PARAMS else float(value)
    estimator = _estimator(model, regression, metric, params)
    seeded = [key for key in estimator.get_params(deep=True) if key.rsplit("__", 1)[-1] == "random_state"]
    return estimator.set_params(**dict.fromkeys(seeded, seed))


@functools.cache
def _training_data(dataset: str, seed: int) -> tuple[Array, Array]:
    from sklearn import datasets

    x, y = getattr(datasets, f"load_{dataset}")(return_X_y=True)
    x_train, _, y_train, _ = train_test_split(
        np.asarray(x, dtype=np.float64), np.asarray(y), test_size=TEST_SIZE, random_state=seed, shuffle=True
    )
    return x_train, y_train


def cv_loss(model: str, dataset: str, metric: str, config: dict[str, Any], seed: int) -> float:
    """Mean loss over Bayesmark's 5 cross-validation folds: 1 - accuracy, log-loss, MSE or MAE.

    Example:
        >>> round(cv_loss("knn", "iris", "acc", {"n_neighbors": 5, "p": 2}, seed=0), 4)
        0.0667
    """
    regression = dataset in REGRESSION_DATASETS
    x, y = _training_data(dataset, seed)
    estimator = make_estimator(model, regression, metric, config, seed)
    folds = KFold(CV_SPLITS) if regression else StratifiedKFold(CV_SPLITS)
    with warnings.catch_warnings():  # as Bayesmark: optimizers try odd settings
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(estimator, x, y, cv=folds, scoring=_SCORERS[metric], error_score="raise")
    score = float(np.mean(scores))
    return 1.0 - score if metric == "acc" else -score
