"""Every call into COCO's ``cocoex`` (package ``coco-experiment``), in one place.

``cocoex`` is imported here only, when a BBOB problem is first built or
evaluated. Two of its calls are used:

- ``cocoex.BareProblem("bbob", function, dimension, instance)`` evaluates one
  BBOB function on a NumPy vector, without an observer writing files;
- its ``best_parameter()`` and ``best_value()`` return COCO's optimal point
  and the optimal value f_opt.

Checked on the versions in :data:`CHECKED` (``BareProblem`` first
appears in 2.7; 2.6 has only ``cocoex.Problem._best_parameter("print")``,
which writes the optimal point to a file in the working directory).
``tests/test_suites.py`` compares these optima with that private file, and the
functions with the observed problems of ``cocoex.Suite``, naming the installed
version when they disagree.

A COCO problem wraps C memory and does not pickle: build it inside the
process that evaluates it (:func:`bbob_function` caches one per process).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from unitune.exceptions import BackendNotInstalledError

__all__ = ["CHECKED", "bbob_function", "bbob_optimum", "cocoex_version"]

#: The versions this module was checked on.
CHECKED = "coco-experiment 2.7.1, 2.7.5, 2.8.0, 2.8.2"


def _cocoex() -> Any:
    try:
        import cocoex
    except ImportError as error:
        raise BackendNotInstalledError(
            "the 'bbob' problems need COCO's Python package 'coco-experiment' (import name cocoex), which is "
            "not installed. Fix: pip install 'unitune[bbob]'."
        ) from error
    if not hasattr(cocoex, "BareProblem"):
        raise BackendNotInstalledError(
            f"the 'bbob' problems need coco-experiment >= 2.7 (cocoex.BareProblem); version "
            f"{getattr(cocoex, '__version__', '?')} is installed. Fix: pip install -U 'unitune[bbob]'."
        )
    return cocoex


def cocoex_version() -> str:
    """The installed coco-experiment version (raises if it is missing or too old)."""
    return str(_cocoex().__version__)


def _bare(function: int, dimension: int, instance: int) -> Any:
    # cocoex aborts the whole process on an unknown function: callers validate first.
    return _cocoex().BareProblem("bbob", function, dimension, instance)


@functools.cache
def bbob_function(function: int, dimension: int, instance: int) -> Callable[[Sequence[float]], float]:
    """The BBOB function as a callable on a point, built once per process.

    Example:
        >>> f = bbob_function(1, 2, 1)
        >>> round(f([0.0, 0.0]), 4)
        80.8821
    """
    import numpy as np

    problem = _bare(function, dimension, instance)

    def evaluate(x: Sequence[float]) -> float:
        return float(problem(np.asarray(x, dtype=np.float64)))

    return evaluate


def bbob_optimum(function: int, dimension: int, instance: int) -> tuple[list[float], float]:
    """COCO's optimal point and its value f_opt for one (function, dimension, instance).

    Example:
        >>> x, f_opt = bbob_optimum(1, 2, 1)
        >>> f_opt == bbob_function(1, 2, 1)(x)
        True
    """
    problem = _bare(function, dimension, instance)
    return [float(v) for v in problem.best_parameter()], float(problem.best_value())
