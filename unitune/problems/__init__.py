"""Benchmark problems and suites, written in unitune's space language.

A :class:`Problem` bundles a search space, an objective taking a nested config
dict and, when known, the optimal value and an optimal config. Built in are
synthetic test functions from Surjanovic & Bingham's *Virtual Library of
Simulation Experiments* on their standard domains (parameters ``"x0"``,
``"x1"``, ...), a mixed-type problem, a conditional problem, scikit-learn
tuning tasks on datasets bundled with scikit-learn, and problems whose
evaluation has steps, for pruning (``sgd_digits``, ``mlp_breast_cancer``,
``boosting_breast_cancer``, ``learning_curve``; :attr:`Problem.steps`).
:func:`suite` returns the benchmark suites: COCO's BBOB functions (``"bbob"``,
needs ``unitune[bbob]``), Bayesmark's scikit-learn problems (``"bayesmark"``),
the synthetic problems (``"synthetic"``) and the scikit-learn tasks
(``"sklearn"``). Problems with several objectives and known Pareto fronts
(ZDT1-3, DTLZ2: :func:`multi_problem`) and constrained problems with known optima
(:func:`constrained_problem`) serve the comparison of such studies. Built-in
objectives are module-level functions or small callable objects, so problems
pickle into worker processes. scikit-learn and COCO are imported only when a
problem is evaluated.

Example:
    >>> p = get("branin")
    >>> sorted(p.space), abs(p(p.minimizer) - p.optimum) < 1e-9
    (['x0', 'x1'], True)
    >>> [p.name for p in suite("bbob", functions=[1, 24], dimensions=2, instances=1)]
    ['bbob_f001_i01_d02', 'bbob_f024_i01_d02']
"""

from __future__ import annotations

from unitune.problems._bayesmark import bayesmark_task
from unitune.problems._bayesmark_spaces import BAYESMARK_DATASETS, BAYESMARK_METRICS, BAYESMARK_MODELS
from unitune.problems._bbob import BBOB_DIMENSIONS, BBOB_FUNCTIONS, bbob_problem
from unitune.problems._fidelity import FIDELITY_DATASETS, FIDELITY_MODELS, fidelity_task, learning_curve
from unitune.problems._multi import constrained_problem, multi_problem
from unitune.problems._problem import Problem
from unitune.problems._registry import get, names
from unitune.problems._sklearn_tasks import SKLEARN_DATASETS, SKLEARN_MODELS, sklearn_task
from unitune.problems._suites import suite, suites
from unitune.problems._synthetic import (
    ackley,
    branin,
    conditional,
    goldstein_price,
    hartmann3,
    hartmann6,
    levy,
    mixed,
    rastrigin,
    rosenbrock,
    six_hump_camel,
    styblinski_tang,
)

__all__ = [
    "BAYESMARK_DATASETS",
    "BAYESMARK_METRICS",
    "BAYESMARK_MODELS",
    "BBOB_DIMENSIONS",
    "BBOB_FUNCTIONS",
    "FIDELITY_DATASETS",
    "FIDELITY_MODELS",
    "SKLEARN_DATASETS",
    "SKLEARN_MODELS",
    "Problem",
    "ackley",
    "bayesmark_task",
    "bbob_problem",
    "branin",
    "conditional",
    "fidelity_task",
    "constrained_problem",
    "get",
    "goldstein_price",
    "hartmann3",
    "hartmann6",
    "learning_curve",
    "levy",
    "mixed",
    "multi_problem",
    "names",
    "rastrigin",
    "rosenbrock",
    "six_hump_camel",
    "sklearn_task",
    "styblinski_tang",
    "suite",
    "suites",
]
