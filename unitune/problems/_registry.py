"""Problems by name: :func:`names` lists the built-in ones, :func:`get` builds any of them."""

from __future__ import annotations

import re

from unitune.exceptions import ArgumentError
from unitune.problems._bayesmark import bayesmark_task
from unitune.problems._bbob import parse_bbob_name
from unitune.problems._fidelity import FIDELITY
from unitune.problems._multi import CONSTRAINED_PROBLEMS, MULTI_PROBLEMS, constrained_problem, multi_problem
from unitune.problems._problem import Problem, unknown_name
from unitune.problems._sklearn_tasks import sklearn_task
from unitune.problems._synthetic import FIXED_FUNCTIONS, OTHER_PROBLEMS, SCALABLE_FUNCTIONS, synthetic_problem

__all__ = ["get", "names"]

_EXAMPLES = (
    "sklearn:knn:iris",
    "sklearn:logistic:wine",
    "sklearn:svm:breast_cancer",
    "sklearn:ridge:diabetes",
    "sklearn:random_forest_mixed:breast_cancer",
    "bayesmark:rf:wine:acc",
)
_ND_NAME = re.compile(r"^([a-z_]+?)(\d+)d$")
_MULTI_NAME = re.compile(r"^(zdt[123]|dtlz2)(?:_(\d+)d)?$")


def names() -> list[str]:
    """Names of the built-in problems, all accepted by :func:`get`.

    Scalable functions are listed in 2-d (any ``"{name}{n}d"`` works), problems with several
    objectives with their default number of variables (any ``"zdt1_5d"`` or ``"dtlz2_5d"`` works),
    and only a few scikit-learn and Bayesmark tasks are listed (any
    ``"sklearn:{model}:{dataset}"`` and ``"bayesmark:{model}:{dataset}:{metric}"``).
    The suites (:func:`unitune.problems.suite`) hold many more; :func:`get`
    also builds BBOB problems by COCO's id, e.g. ``"bbob_f001_i01_d02"``.

    Example:
        >>> "branin" in names() and "rosenbrock2d" in names()
        True
    """
    return [
        *FIXED_FUNCTIONS,
        *(f"{n}2d" for n in SCALABLE_FUNCTIONS),
        *OTHER_PROBLEMS,
        *FIDELITY,  # evaluated in steps (pruning)
        *MULTI_PROBLEMS,  # several objectives; any "{name}_{n}d" too
        *CONSTRAINED_PROBLEMS,
        *_EXAMPLES,
    ]


def _task(key: str, name: str, form: str, example: str) -> list[str]:
    parts = key.split(":")
    if len(parts) != form.count(":") + 1:
        raise ArgumentError(f"Malformed problem name {name!r}; use {form!r}, e.g. {example!r}.")
    return parts[1:]


def get(name: str) -> Problem:
    """Build a built-in problem by name.

    Accepts the names from :func:`names`, scalable functions as ``"ackley"``
    (2-d) or ``"ackley10d"``, ``"sklearn:{model}:{dataset}"`` (5-fold CV),
    ``"bayesmark:{model}:{dataset}:{metric}"`` and COCO's BBOB problem ids
    ``"bbob_f{function:03d}_i{instance:02d}_d{dimension:02d}"`` (needs
    ``unitune[bbob]``): every name a suite gives its problems.

    Raises:
        ArgumentError: For an unknown name, with a close-match suggestion.

    Example:
        >>> get("rosenbrock5d").name, get("rosenbrock").name
        ('rosenbrock5d', 'rosenbrock2d')
    """
    key = name.strip().lower().replace("-", "_")
    if key.startswith("sklearn:"):
        return sklearn_task(*_task(key, name, "sklearn:MODEL:DATASET", "sklearn:svm:iris"))
    if key.startswith("bayesmark:"):
        return bayesmark_task(*_task(key, name, "bayesmark:MODEL:DATASET:METRIC", "bayesmark:rf:wine:acc"))
    if key.startswith("bbob"):
        problem = parse_bbob_name(key)
        if problem is None:
            form = "bbob_fFFF_iII_dDD"
            raise ArgumentError(f"Malformed BBOB problem name {name!r}; use {form!r}, e.g. 'bbob_f001_i01_d02'.")
        return problem
    if key in FIDELITY:
        return FIDELITY[key]()
    if key in FIXED_FUNCTIONS or key in OTHER_PROBLEMS:
        return synthetic_problem(key)
    multi = _MULTI_NAME.match(key)
    if multi:
        return multi_problem(multi.group(1), None if multi.group(2) is None else int(multi.group(2)))
    if key in CONSTRAINED_PROBLEMS:
        return constrained_problem(key)
    match = _ND_NAME.match(key)
    base, dim = (match.group(1), int(match.group(2))) if match else (key, 2)
    if base in SCALABLE_FUNCTIONS:
        return synthetic_problem(base, dim)
    raise unknown_name("problem", name, [*names(), *SCALABLE_FUNCTIONS])
