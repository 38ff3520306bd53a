"""Bayesmark's scikit-learn tuning problems: its models, search spaces, metrics and splits, on bundled datasets.

The spaces are in ``_bayesmark_spaces``; the estimators and the loss in
``_bayesmark_models``, imported (with scikit-learn) only when an objective is
evaluated. What had to change for today's scikit-learn and for unitune's space
is listed in ``docs/suites.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unitune.exceptions import ArgumentError
from unitune.problems._bayesmark_spaces import (
    BAYESMARK_DATASETS,
    BAYESMARK_METRICS,
    BAYESMARK_MODELS,
    LOSS_NAMES,
    REGRESSION_DATASETS,
    bayesmark_space,
    metric_fits,
)
from unitune.problems._problem import Problem, unknown_name

__all__ = ["bayesmark_task"]


@dataclass(frozen=True)
class _BayesmarkObjective:
    """Bayesmark's cross-validated loss of ``model`` on ``dataset`` (deterministic: fixed splits and seeds)."""

    model: str
    dataset: str
    metric: str
    seed: int

    def __call__(self, config: dict[str, Any]) -> float:
        from unitune.problems._bayesmark_models import cv_loss

        return cv_loss(self.model, self.dataset, self.metric, config, self.seed)


def _canonical(what: str, value: Any, known: tuple[str, ...]) -> str:
    key = str(value).strip().lower().replace("-", "_")
    if key not in known:
        raise unknown_name(what, str(value), known)
    return key


def bayesmark_task(model: str, dataset: str, metric: str = "acc", *, seed: int = 0) -> Problem:
    """One of Bayesmark's scikit-learn tuning problems: a model, a bundled dataset and a metric.

    As in Bayesmark, 20% of the data is held out (shuffled with ``seed``; the
    held-out part is not used) and the loss is the mean over 5 unshuffled
    cross-validation folds of the rest (stratified for classification). The
    features are not rescaled. Unlike Bayesmark, every estimator that takes a
    ``random_state`` gets ``seed``, so the objective is a deterministic function.
    The loss is minimized: ``1 - accuracy`` (Bayesmark reports ``-accuracy``:
    the same ordering and the same normalized scores), the log-loss, the mean
    squared error or the mean absolute error (in the target's units).

    Args:
        model: One of :data:`BAYESMARK_MODELS`.
        dataset: One of :data:`BAYESMARK_DATASETS`.
        metric: ``"acc"`` or ``"nll"`` for classification (all but diabetes),
            ``"mse"`` or ``"mae"`` for regression (diabetes).
        seed: The shuffling before the hold-out split and every estimator's ``random_state``.

    Returns:
        A minimization problem named ``"bayesmark:{model}:{dataset}:{metric}"`` (optimum unknown).

    Raises:
        ArgumentError: For an unknown model, dataset or metric, or a metric that does not fit the dataset.

    Example:
        >>> p = bayesmark_task("knn", "iris", "acc")
        >>> p.name, 0.0 <= p({"n_neighbors": 5, "p": 2}) < 0.1
        ('bayesmark:knn:iris:acc', True)
    """
    model = _canonical("model", model, BAYESMARK_MODELS)
    dataset = _canonical("dataset", dataset, BAYESMARK_DATASETS)
    metric = _canonical("metric", metric, BAYESMARK_METRICS)
    regression = dataset in REGRESSION_DATASETS
    if not metric_fits(dataset, metric):
        kind, fits = ("regression", "'mse' or 'mae'") if regression else ("classification", "'acc' or 'nll'")
        raise ArgumentError(
            f"metric {metric!r} does not fit the {kind} dataset {dataset!r}; use metric={fits} with this dataset."
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ArgumentError(f"bayesmark_task(seed=...) must be an integer; received {seed!r}.")
    return Problem(
        name=f"bayesmark:{model}:{dataset}:{metric}",
        space=bayesmark_space(model, regression),
        objective=_BayesmarkObjective(model, dataset, metric, seed),
        description=f"Bayesmark {model} on {dataset}: 5-fold CV {LOSS_NAMES[metric]} (seed={seed}).",
    )
