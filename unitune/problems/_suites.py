"""Benchmark suites: named, filterable lists of problems (``bbob``, ``bayesmark``, ``synthetic``, ``sklearn``)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from unitune.exceptions import ArgumentError
from unitune.problems._bayesmark import bayesmark_task
from unitune.problems._bayesmark_spaces import BAYESMARK_DATASETS, BAYESMARK_METRICS, BAYESMARK_MODELS, metric_fits
from unitune.problems._bbob import BBOB_DIMENSIONS, BBOB_FUNCTIONS, bbob_problem
from unitune.problems._problem import Problem, unknown_name
from unitune.problems._sklearn_tasks import SKLEARN_DATASETS, SKLEARN_MODELS, sklearn_task
from unitune.problems._synthetic import FIXED_FUNCTIONS, OTHER_PROBLEMS, SCALABLE_FUNCTIONS, synthetic_problem

__all__ = ["suite", "suites"]

Selection = Mapping[str, tuple[Any, ...]]


@dataclass(frozen=True)
class _Filter:
    """One filter of a suite: its valid values (None: any integer >= ``minimum``) and its default."""

    default: tuple[Any, ...]
    valid: tuple[Any, ...] | None = None
    minimum: int = 1

    def valid_text(self) -> str:
        return f"integers >= {self.minimum}" if self.valid is None else _listing(self.valid)

    def describe(self) -> str:
        default = "all" if self.default == self.valid else _listing(self.default)
        return f"{self.valid_text()} (default: {default})"


def _listing(values: tuple[Any, ...]) -> str:
    """``"1-24"`` for a run of consecutive integers, else the values separated by commas."""
    if (
        len(values) > 2
        and all(isinstance(v, int) for v in values)
        and list(values) == list(range(values[0], values[-1] + 1))
    ):
        return f"{values[0]}-{values[-1]}"
    return ", ".join(map(str, values))


@dataclass(frozen=True)
class _Suite:
    description: str
    filters: dict[str, _Filter]
    build: Callable[[Selection], list[Problem]]
    empty: str = ""  # why filters can select nothing


def _bbob(s: Selection) -> list[Problem]:
    # COCO's order: dimension, then function, then instance.
    return [bbob_problem(f, d, i) for d in s["dimensions"] for f in s["functions"] for i in s["instances"]]


def _bayesmark(s: Selection) -> list[Problem]:
    combos = [(m, d, x) for d in s["datasets"] for m in s["models"] for x in s["metrics"] if metric_fits(d, x)]
    return [bayesmark_task(m, d, x) for m, d, x in combos]


def _synthetic(s: Selection) -> list[Problem]:
    problems: list[Problem] = []
    for name in s["functions"]:
        dims = s["dimensions"] if name in SCALABLE_FUNCTIONS else [None]
        problems.extend(synthetic_problem(name, d) for d in dims)
    return problems


def _sklearn(s: Selection) -> list[Problem]:
    problems = []
    for model in s["models"]:
        for dataset in s["datasets"]:
            try:
                problems.append(sklearn_task(model, dataset))
            except ArgumentError:  # a classification-only model on a regression dataset, or the reverse
                continue
    return problems


_FUNCTIONS = tuple(BBOB_FUNCTIONS)
_SYNTHETIC = (*FIXED_FUNCTIONS, *SCALABLE_FUNCTIONS, *OTHER_PROBLEMS)
_SUITES: dict[str, _Suite] = {
    "bbob": _Suite(
        "COCO's 24 noiseless BBOB functions on [-5, 5]^d, optimum f_opt known (needs unitune[bbob]).",
        {
            "functions": _Filter(_FUNCTIONS, _FUNCTIONS),
            "dimensions": _Filter(BBOB_DIMENSIONS, BBOB_DIMENSIONS),
            "instances": _Filter((1, 2, 3, 4, 5)),
        },
        _bbob,
    ),
    "bayesmark": _Suite(
        "Bayesmark's scikit-learn models and search spaces on bundled datasets; optimum unknown.",
        {
            "models": _Filter(BAYESMARK_MODELS, BAYESMARK_MODELS),
            "datasets": _Filter(BAYESMARK_DATASETS, BAYESMARK_DATASETS),
            "metrics": _Filter(BAYESMARK_METRICS, BAYESMARK_METRICS),
        },
        _bayesmark,
        "acc and nll apply to the classification datasets, mse and mae to diabetes",
    ),
    "synthetic": _Suite(
        "Test functions with known optima, and the mixed and conditional problems.",
        {
            "functions": _Filter(_SYNTHETIC, _SYNTHETIC),
            "dimensions": _Filter((2, 5, 10), minimum=2),  # of the scalable functions
        },
        _synthetic,
    ),
    "sklearn": _Suite(
        "unitune's scikit-learn tasks (5-fold CV on bundled datasets), with random_forest_mixed; optimum unknown.",
        {
            "models": _Filter(SKLEARN_MODELS, SKLEARN_MODELS),
            "datasets": _Filter(SKLEARN_DATASETS, SKLEARN_DATASETS),
        },
        _sklearn,
        "logistic and random_forest_mixed are for classification datasets, ridge for diabetes only",
    ),
}


def _select(suite_name: str, key: str, spec: _Filter, raw: Any) -> tuple[Any, ...]:
    items = [raw] if isinstance(raw, (str, int)) or not isinstance(raw, Iterable) else list(raw)
    selected: list[Any] = []
    for item in items:
        value: Any = item
        integers = spec.valid is None or isinstance(spec.valid[0], int)
        if integers:
            text = str(item).strip()
            is_int = isinstance(item, int) and not isinstance(item, bool)
            value = item if is_int else int(text) if text.isdigit() else None
        else:
            value = str(item).strip().lower().replace("-", "_")
        ok = value is not None and (value >= spec.minimum if spec.valid is None else value in spec.valid)
        if not ok:
            words = [] if integers else [str(v) for v in spec.valid or ()]
            close = difflib.get_close_matches(str(value), words, n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ArgumentError(
                f"suite {suite_name!r}: filter {key}={raw!r} holds {item!r}, which is not valid.{hint} "
                f"Valid values of {key}: {spec.valid_text()}."
            )
        if value not in selected:
            selected.append(value)
    if not selected:
        raise ArgumentError(f"suite {suite_name!r}: filter {key}={raw!r} selects nothing; pass at least one value.")
    # the suite's order, whatever the order of the filter: the same filters give the same list
    return tuple(sorted(selected) if spec.valid is None else (v for v in spec.valid if v in selected))


def suite(name: str, **filters: Any) -> list[Problem]:
    """The problems of a benchmark suite, optionally filtered.

    Suites (see :func:`suites` for their filters and defaults):

    - ``"bbob"``: COCO's 24 noiseless BBOB functions (``pip install 'unitune[bbob]'``);
      filters ``functions`` (1-24), ``dimensions`` (2, 3, 5, 10, 20, 40), ``instances`` (default 1-5).
    - ``"bayesmark"``: Bayesmark's model families and search spaces on bundled
      datasets; filters ``models``, ``datasets``, ``metrics`` (acc, nll, mse, mae).
    - ``"synthetic"``: the test functions with known optima (scalable ones in
      ``dimensions``, default 2, 5, 10) and the mixed and conditional problems; filter ``functions``.
    - ``"sklearn"``: unitune's scikit-learn tasks, among them the six-parameter
      mixed ``random_forest_mixed``; filters ``models``, ``datasets``.

    Args:
        name: The suite's name.
        **filters: Each filter is one value or a list of values, e.g. ``dimensions=[2, 5]``.

    Returns:
        The problems, each named so that :func:`unitune.problems.get` builds it again.

    Raises:
        ArgumentError: For an unknown suite, filter or value, or filters that select no problem.

    Example:
        >>> [p.name for p in suite("synthetic", functions=["branin", "levy"], dimensions=[2, 5])]
        ['branin', 'levy2d', 'levy5d']
        >>> len(suite("bayesmark", datasets="wine", metrics="acc"))
        9
    """
    key = str(name).strip().lower()
    if key not in _SUITES:
        raise unknown_name("suite", str(name), list(_SUITES))
    spec = _SUITES[key]
    for filter_name in filters:
        if filter_name not in spec.filters:
            close = difflib.get_close_matches(filter_name, list(spec.filters), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ArgumentError(
                f"suite {key!r} has no filter {filter_name!r}.{hint} Its filters: {', '.join(spec.filters)}."
            )
    selection = {f: _select(key, f, fs, filters[f]) if f in filters else fs.default for f, fs in spec.filters.items()}
    problems = spec.build(selection)
    if not problems:
        chosen = ", ".join(f"{f}={filters[f]!r}" for f in filters)
        raise ArgumentError(f"suite {key!r}: the filters {chosen} select no problem; {spec.empty}.")
    return problems


def suites() -> dict[str, str]:
    """The suites: name -> what they hold, their filters, valid values and defaults.

    Example:
        >>> list(suites())
        ['bbob', 'bayesmark', 'synthetic', 'sklearn']
    """
    return {
        name: f"{s.description} Filters: " + "; ".join(f"{f}: {fs.describe()}" for f, fs in s.filters.items()) + "."
        for name, s in _SUITES.items()
    }
