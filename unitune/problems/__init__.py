"""Benchmark problems with known optima, written in unitune's space language.

A :class:`Problem` bundles a search space, an objective taking a nested config
dict and, when known, the optimal value and an optimal config. Built in are
synthetic test functions from Surjanovic & Bingham's *Virtual Library of
Simulation Experiments* on their standard domains (parameters ``"x0"``,
``"x1"``, ...), a mixed-type problem, a conditional problem, scikit-learn
tuning tasks on datasets bundled with scikit-learn, and problems whose
evaluation has steps, for pruning (``sgd_digits``, ``mlp_breast_cancer``,
``boosting_breast_cancer``, ``learning_curve``; :attr:`Problem.steps`). Built-in objectives are
module-level functions or small callable objects, so problems pickle into
worker processes. scikit-learn is imported only when a task is evaluated.

Example:
    >>> p = get("branin")
    >>> sorted(p.space), abs(p(p.minimizer) - p.optimum) < 1e-9
    (['x0', 'x1'], True)
"""

from __future__ import annotations

from unitune.problems._fidelity import FIDELITY_DATASETS, FIDELITY_MODELS, fidelity_task, learning_curve
from unitune.problems._problem import Problem
from unitune.problems._sklearn_tasks import SKLEARN_DATASETS, SKLEARN_MODELS, sklearn_task
from unitune.problems._synthetic import (
    ackley,
    branin,
    conditional,
    get,
    goldstein_price,
    hartmann3,
    hartmann6,
    levy,
    mixed,
    names,
    rastrigin,
    rosenbrock,
    six_hump_camel,
    styblinski_tang,
)

__all__ = [
    "FIDELITY_DATASETS",
    "FIDELITY_MODELS",
    "SKLEARN_DATASETS",
    "SKLEARN_MODELS",
    "Problem",
    "ackley",
    "branin",
    "conditional",
    "fidelity_task",
    "get",
    "goldstein_price",
    "hartmann3",
    "hartmann6",
    "learning_curve",
    "levy",
    "mixed",
    "names",
    "rastrigin",
    "rosenbrock",
    "six_hump_camel",
    "sklearn_task",
    "styblinski_tang",
]
