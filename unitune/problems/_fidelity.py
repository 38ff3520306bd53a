"""Problems whose evaluation has steps (epochs, boosting stages): for pruning and multi-fidelity comparisons.

Each objective takes ``(config, trial)``, so a study passes it a trial handle
(``ut.minimize(problem.objective, problem.space, pruner="asha")``): it trains step
by step, reports the validation loss after each step and stops when the pruner
says so (``unitune.TrialPruned``). With ``trial=None`` — ``problem(config)`` — it
trains the whole step budget (:attr:`Problem.steps`) and returns the final loss.
Every problem is deterministic (fixed splits and ``random_state``) and picklable.

* ``sgd_digits``, ``mlp_breast_cancer``, ``boosting_breast_cancer`` (and any
  :func:`fidelity_task`): scikit-learn models trained incrementally on a bundled
  dataset — ``SGDClassifier`` and ``MLPClassifier`` by ``partial_fit`` (one epoch a
  step), ``GradientBoostingClassifier`` by ``warm_start`` (trees added each step) —
  scored by the validation error ``1 - accuracy`` on a fixed stratified 25 % split.
* ``learning_curve``: a cheap closed-form learning curve in which fast learners
  (a high learning rate, Adam) look best early and settle worse, so pruning can
  be wrong, as with real training.

Example:
    >>> p = learning_curve()
    >>> p.steps, round(p({"x": 0.3, "lr": 0.05, "optimizer": "sgd"}), 4)
    (50, 0.0187)
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ArgumentError, TrialPruned
from unitune.problems._problem import Problem, unknown_name
from unitune.space._elements import Categorical, Conditional, Float, Int

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]

__all__ = ["FIDELITY", "FIDELITY_DATASETS", "FIDELITY_MODELS", "fidelity_task", "learning_curve"]

FIDELITY_MODELS = ("sgd", "mlp", "boosting")
FIDELITY_DATASETS = ("digits", "breast_cancer")
_STEPS = {"sgd": 30, "mlp": 30, "boosting": 20}
_TREES_PER_STEP = 5


def _run_steps(loss_at: Callable[[int], float], steps: int, trial: Any) -> float:
    """Report ``loss_at(step)`` for each step to ``trial`` (if any), stop when it says so; the last loss."""
    loss = math.nan
    for step in range(steps):
        loss = loss_at(step)
        if trial is not None:
            trial.report(loss, step)
            if trial.should_prune():
                raise TrialPruned(f"pruned at step {step}")
    return loss


# -- scikit-learn models trained step by step ------------------------------------------------------------------


def _space(model: str) -> dict[str, Any]:
    if model == "sgd":
        return {
            "alpha": Float(1e-6, 1e-1, log=True),
            "loss": Categorical(["hinge", "log_loss", "modified_huber"]),
            "schedule": Conditional({"optimal": {}, "constant": {"eta0": Float(1e-4, 1.0, log=True)}}),
        }
    if model == "mlp":
        return {
            "hidden_units": Int(4, 128, log=True),
            "alpha": Float(1e-6, 1e-1, log=True),
            "learning_rate_init": Float(1e-4, 1e-1, log=True),
            "batch_size": Categorical([32, 64, 128]),
        }
    return {"learning_rate": Float(1e-3, 1.0, log=True), "max_depth": Int(1, 5), "subsample": Float(0.5, 1.0)}


@functools.cache
def _split(dataset: str, seed: int) -> tuple[Array, Array, Array, Array]:
    """Standardized train and validation sets (75/25, stratified, shuffled with ``seed``)."""
    import numpy as np
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = getattr(datasets, f"load_{dataset}")(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(
        np.asarray(x, dtype=np.float64), np.asarray(y), test_size=0.25, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_valid), y_train, y_valid


def _model(model: str, config: dict[str, Any], seed: int) -> Any:
    if model == "sgd":
        from sklearn.linear_model import SGDClassifier

        schedule = str(config["schedule"])
        return SGDClassifier(
            alpha=float(config["alpha"]),
            loss=str(config["loss"]),
            learning_rate=schedule,
            eta0=float(config.get("eta0", 0.01)),  # unused by the "optimal" schedule
            random_state=seed,
        )
    if model == "mlp":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(int(config["hidden_units"]),),
            alpha=float(config["alpha"]),
            learning_rate_init=float(config["learning_rate_init"]),
            batch_size=int(config["batch_size"]),
            random_state=seed,
        )
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(
        learning_rate=float(config["learning_rate"]),
        max_depth=int(config["max_depth"]),
        subsample=float(config["subsample"]),
        n_estimators=_TREES_PER_STEP,
        warm_start=True,
        random_state=seed,
    )


@dataclass(frozen=True)
class _IncrementalTask:
    """Validation error of ``model`` on ``dataset`` after each training step."""

    model: str
    dataset: str
    steps: int
    seed: int

    def __call__(self, config: dict[str, Any], trial: Any) -> float:
        import numpy as np
        from sklearn.exceptions import ConvergenceWarning

        x_train, x_valid, y_train, y_valid = _split(self.dataset, self.seed)
        estimator = _model(self.model, config, self.seed)
        classes = np.unique(y_train)

        def loss_at(step: int) -> float:
            if self.model == "boosting":
                estimator.set_params(n_estimators=_TREES_PER_STEP * (step + 1))
                estimator.fit(x_train, y_train)
            else:
                estimator.partial_fit(x_train, y_train, classes=classes)
            return 1.0 - float(estimator.score(x_valid, y_valid))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return _run_steps(loss_at, self.steps, trial)


def fidelity_task(model: str, dataset: str, *, steps: int | None = None, seed: int = 0) -> Problem:
    """A scikit-learn model trained step by step on a bundled dataset, scored by its validation error.

    Args:
        model: ``"sgd"`` (``SGDClassifier``, one ``partial_fit`` epoch a step), ``"mlp"``
            (``MLPClassifier``, likewise) or ``"boosting"`` (``GradientBoostingClassifier``,
            5 more trees a step).
        dataset: ``"digits"`` or ``"breast_cancer"``.
        steps: The step budget (default: 30 epochs, 20 boosting steps).
        seed: Seeds the split and the model.

    Returns:
        A minimization problem named ``"{model}_{dataset}"`` with ``steps`` set; its
        objective takes ``(config, trial)`` (a trial handle, or None for the whole budget).

    Raises:
        ArgumentError: for an unknown model or dataset, or ``steps < 1``.

    Example:
        >>> p = fidelity_task("sgd", "breast_cancer", steps=3)
        >>> p.name, p.steps, 0.0 <= p({"alpha": 1e-4, "loss": "hinge", "schedule": "optimal"}) < 0.2
        ('sgd_breast_cancer', 3, True)
    """
    if model not in FIDELITY_MODELS:
        raise unknown_name("model", model, FIDELITY_MODELS)
    if dataset not in FIDELITY_DATASETS:
        raise unknown_name("dataset", dataset, FIDELITY_DATASETS)
    steps = _STEPS[model] if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ArgumentError(f"fidelity_task(steps=...) must be an int >= 1; received {steps!r}. Fix: pass steps=30")
    unit = f"{_TREES_PER_STEP} trees" if model == "boosting" else "one epoch"
    return Problem(
        name=f"{model}_{dataset}",
        space=_space(model),
        objective=_IncrementalTask(model, dataset, steps, seed),
        steps=steps,
        description=f"{model} on {dataset}: validation error after each of {steps} steps ({unit} a step; seed={seed}).",
    )


# -- a synthetic learning curve --------------------------------------------------------------------------------

_CURVE_STEPS = 50
_CURVE_OPTIMUM = 0.018379254843237533  # refined numerically (Nelder-Mead from a grid of starts, per optimizer)


@dataclass(frozen=True)
class _LearningCurve:
    """loss(step) = floor + (1 - floor) * exp(-rate * (step + 1)) + a small damped wiggle."""

    steps: int = _CURVE_STEPS

    def __call__(self, config: dict[str, Any], trial: Any) -> float:
        x, lr, adam = float(config["x"]), float(config["lr"]), config["optimizer"] == "adam"
        floor = (x - 0.3) ** 2 + 0.3 * lr + (0.02 if adam else 0.0)  # fast learners settle worse
        rate = 0.5 * math.sqrt(lr) * (2.0 if adam else 1.0)

        def loss_at(step: int) -> float:
            wiggle = 0.005 * math.sin(3.0 * step + 10.0 * x) * math.exp(-0.1 * step)
            return floor + (1.0 - floor) * math.exp(-rate * (step + 1)) + wiggle

        return _run_steps(loss_at, self.steps, trial)


def learning_curve() -> Problem:
    """A cheap learning curve with 50 steps: a quality ``x``, a learning rate, and SGD or Adam.

    The final loss is lowest for a moderate learning rate with SGD; a high rate or Adam
    learns faster and settles worse, so early steps mislead (as in real training) and
    pruners can stop the eventual winner. The optimum is known.

    Example:
        >>> p = learning_curve()
        >>> p(p.minimizer) - p.optimum < 1e-12
        True
    """
    return Problem(
        name="learning_curve",
        space={"x": Float(0.0, 1.0), "lr": Float(1e-3, 1.0, log=True), "optimizer": Categorical(["sgd", "adam"])},
        objective=_LearningCurve(),
        optimum=_CURVE_OPTIMUM,
        minimizer={"x": 0.2998693310247544, "lr": 0.04455313045414819, "optimizer": "sgd"},
        steps=_CURVE_STEPS,
        description="Synthetic learning curve (50 steps): fast learners look best early and settle worse.",
    )


#: The problems with steps, by name (``unitune.problems.get`` builds them).
FIDELITY: dict[str, Callable[[], Problem]] = {
    "sgd_digits": lambda: fidelity_task("sgd", "digits"),
    "mlp_breast_cancer": lambda: fidelity_task("mlp", "breast_cancer"),
    "boosting_breast_cancer": lambda: fidelity_task("boosting", "breast_cancer"),
    "learning_curve": learning_curve,
}
