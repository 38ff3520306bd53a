"""Bayesmark's search spaces in unitune's space language, and its models, datasets and metrics.

The spaces are those of Bayesmark's ``bayesmark/sklearn_funcs.py`` (``MODELS_CLF``
and ``MODELS_REG``): the same parameters, types, ranges and log scales.
unitune has no ``logit`` scale: a logit-warped real in [low, high] becomes a
:class:`~unitune.Float` over the same range, on a log scale when high <= 0.5
(there the densities of the two scales, 1/(p (1 - p)) and 1/p, differ by less
than a factor of 2) and linear otherwise (no scale of unitune crowds both ends,
or the upper end, as the logit does). Each value stays the estimator's own
argument. ``docs/suites.md`` lists every adaptation.
"""

from __future__ import annotations

from typing import Any

from unitune.space._elements import Categorical, Float, Int

__all__ = [
    "BAYESMARK_DATASETS",
    "BAYESMARK_METRICS",
    "BAYESMARK_MODELS",
    "LOSS_NAMES",
    "REGRESSION_DATASETS",
    "bayesmark_space",
    "logit_replacement",
    "metric_fits",
]

#: Bayesmark's model names ("MLP-adam" is "mlp_adam", ...), in Bayesmark's order.
BAYESMARK_MODELS = ("dt", "mlp_adam", "mlp_sgd", "rf", "svm", "ada", "knn", "lasso", "linear")
#: Bundled datasets (Bayesmark's "breast" is "breast_cancer"; "boston" is gone from scikit-learn).
BAYESMARK_DATASETS = ("breast_cancer", "digits", "iris", "wine", "diabetes")
#: Metrics: accuracy and log-loss for classification, MSE and MAE for regression.
BAYESMARK_METRICS = ("acc", "nll", "mse", "mae")
REGRESSION_DATASETS = frozenset({"diabetes"})
_REGRESSION_METRICS = frozenset({"mse", "mae"})
LOSS_NAMES = {"acc": "1 - accuracy", "nll": "log-loss", "mse": "mean squared error", "mae": "mean absolute error"}


def metric_fits(dataset: str, metric: str) -> bool:
    """Whether ``metric`` applies to ``dataset`` (regression metrics to regression data only).

    Example:
        >>> metric_fits("wine", "acc"), metric_fits("diabetes", "acc")
        (True, False)
    """
    return (dataset in REGRESSION_DATASETS) == (metric in _REGRESSION_METRICS)


def logit_replacement(low: float, high: float) -> Float:
    """What stands for Bayesmark's logit-warped real in [low, high]: log scale if high <= 0.5, else linear.

    Example:
        >>> logit_replacement(0.01, 0.49).log, logit_replacement(0.1, 0.9).log
        (True, False)
    """
    return Float(low, high, log=high <= 0.5)


def _tree_space() -> dict[str, Any]:
    # Bayesmark's dt_cfg and rf_cfg.
    return {
        "max_depth": Int(1, 15),
        "max_features": logit_replacement(0.01, 0.99),
        "min_samples_split": logit_replacement(0.01, 0.99),
        "min_samples_leaf": logit_replacement(0.01, 0.49),
        "min_weight_fraction_leaf": logit_replacement(0.01, 0.49),
        "min_impurity_decrease": Float(0.0, 0.5),
    }


def _mlp_space(solver: str) -> dict[str, Any]:
    # Bayesmark's mlp_adam_cfg and mlp_sgd_cfg.
    space: dict[str, Any] = {
        "hidden_layer_sizes": Int(50, 200),
        "alpha": Float(1e-5, 1e1, log=True),
        "batch_size": Int(10, 250),
        "learning_rate_init": Float(1e-5, 1e-1, log=True),
        "tol": Float(1e-5, 1e-1, log=True),
        "validation_fraction": logit_replacement(0.1, 0.9),
    }
    if solver == "adam":
        space["beta_1"] = logit_replacement(0.5, 0.99)
        space["beta_2"] = logit_replacement(0.9, 1.0 - 1e-6)
        space["epsilon"] = Float(1e-9, 1e-6, log=True)
    else:
        space["power_t"] = logit_replacement(0.1, 0.9)
        space["momentum"] = logit_replacement(0.001, 0.999)
    return space


def _linear_regression_space(lasso: bool) -> dict[str, Any]:
    # Bayesmark's lasso_cfg_reg and linear_cfg_reg.
    space: dict[str, Any] = {
        "alpha": Float(1e-2, 1e2, log=True),
        "fit_intercept": Categorical([False, True]),
        "normalize": Categorical([False, True]),
        "max_iter": Int(10, 5000, log=True),
        "tol": Float(1e-5 if lasso else 1e-4, 1e-1, log=True),
    }
    if lasso:
        space["positive"] = Categorical([False, True])
    return space


def bayesmark_space(model: str, regression: bool) -> dict[str, Any]:
    """Bayesmark's search space of ``model`` (its classifier's, or its regressor's when ``regression``).

    Example:
        >>> sorted(bayesmark_space("knn", regression=False))
        ['n_neighbors', 'p']
    """
    if model == "knn":
        return {"n_neighbors": Int(1, 25), "p": Int(1, 4)}
    if model == "svm":
        return {
            "C": Float(1.0, 1e3, log=True),
            "gamma": Float(1e-4, 1e-3, log=True),
            "tol": Float(1e-5, 1e-1, log=True),
        }
    if model in ("dt", "rf"):
        return _tree_space()
    if model in ("mlp_adam", "mlp_sgd"):
        return _mlp_space(model[4:])
    if model == "ada":
        return {"n_estimators": Int(10, 100), "learning_rate": Float(1e-4, 1e1, log=True)}
    if regression:  # lasso and linear
        return _linear_regression_space(lasso=model == "lasso")
    return {"C": Float(1e-2, 1e2, log=True), "intercept_scaling": Float(1e-2, 1e2, log=True)}
