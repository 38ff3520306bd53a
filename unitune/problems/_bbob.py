"""COCO's 24 noiseless BBOB functions as problems (``pip install 'unitune[bbob]'``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from unitune.exceptions import ArgumentError
from unitune.problems._problem import Problem
from unitune.space._elements import Float

__all__ = ["BBOB_DIMENSIONS", "BBOB_FUNCTIONS", "bbob_problem", "parse_bbob_name"]

#: The 24 noiseless BBOB functions, by number (Hansen et al., 2009, "Real-parameter
#: black-box optimization benchmarking 2009: noiseless functions definitions").
BBOB_FUNCTIONS: dict[int, str] = {
    1: "sphere",
    2: "separable ellipsoid",
    3: "separable Rastrigin",
    4: "Bueche-Rastrigin",
    5: "linear slope",
    6: "attractive sector",
    7: "step ellipsoid",
    8: "Rosenbrock",
    9: "rotated Rosenbrock",
    10: "ellipsoid",
    11: "discus",
    12: "bent cigar",
    13: "sharp ridge",
    14: "different powers",
    15: "Rastrigin",
    16: "Weierstrass",
    17: "Schaffer F7",
    18: "ill-conditioned Schaffer F7",
    19: "composite Griewank-Rosenbrock",
    20: "Schwefel",
    21: "Gallagher 101 peaks",
    22: "Gallagher 21 peaks",
    23: "Katsuura",
    24: "Lunacek bi-Rastrigin",
}
#: The dimensions of COCO's "bbob" suite.
BBOB_DIMENSIONS = (2, 3, 5, 10, 20, 40)
_NAME = re.compile(r"^bbob_f(\d+)_i(\d+)_d(\d+)$")


@dataclass(frozen=True)
class _BbobObjective:
    """Evaluates a BBOB function; the COCO object is built in the evaluating process (it does not pickle)."""

    function: int
    dimension: int
    instance: int

    def __call__(self, config: dict[str, Any]) -> float:
        from unitune.problems._coco_compat import bbob_function

        evaluate = bbob_function(self.function, self.dimension, self.instance)
        return evaluate([float(config[f"x{i}"]) for i in range(self.dimension)])


def _check(what: str, value: Any, valid: Any, rule: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in valid:
        raise ArgumentError(f"bbob_problem({what}=...) must be {rule}; received {value!r}.")
    return value


def bbob_problem(function: int, dimension: int, instance: int = 1) -> Problem:
    """One noiseless BBOB function of COCO on its domain [-5, 5]^dimension.

    Parameters are named ``x0``, ``x1``, ... like the synthetic problems. The
    optimum is COCO's f_opt and the minimizer COCO's optimal point, so regret
    is ``f - f_opt`` as in COCO's own post-processing. The COCO object is
    built lazily, once per process that evaluates the problem, so the problem
    pickles into worker processes and Dask workers.

    Args:
        function: The BBOB function number, 1 to 24 (see :data:`BBOB_FUNCTIONS`).
        dimension: One of COCO's dimensions 2, 3, 5, 10, 20, 40.
        instance: COCO's instance number (>= 1): it sets the optimum's place and value.

    Returns:
        A minimization problem named like COCO's problem id, e.g. ``"bbob_f003_i01_d02"``.

    Raises:
        ArgumentError: For a function, dimension or instance outside those ranges.
        BackendNotInstalledError: If coco-experiment is not installed.

    Example:
        >>> p = bbob_problem(3, 2, instance=1)
        >>> p.name, sorted(p.space), p(p.minimizer) == p.optimum
        ('bbob_f003_i01_d02', ['x0', 'x1'], True)
    """
    _check("function", function, BBOB_FUNCTIONS, "an integer from 1 to 24")
    _check("dimension", dimension, BBOB_DIMENSIONS, "one of COCO's dimensions 2, 3, 5, 10, 20, 40")
    if isinstance(instance, bool) or not isinstance(instance, int) or instance < 1:
        raise ArgumentError(f"bbob_problem(instance=...) must be an integer >= 1; received {instance!r}.")
    from unitune.problems._coco_compat import bbob_optimum

    xstar, fstar = bbob_optimum(function, dimension, instance)
    return Problem(
        name=f"bbob_f{function:03d}_i{instance:02d}_d{dimension:02d}",
        space={f"x{i}": Float(-5.0, 5.0) for i in range(dimension)},
        objective=_BbobObjective(function, dimension, instance),
        optimum=fstar,
        minimizer={f"x{i}": v for i, v in enumerate(xstar)},
        description=f"BBOB f{function} ({BBOB_FUNCTIONS[function]}), instance {instance}, in {dimension}-d (COCO).",
    )


def parse_bbob_name(name: str) -> Problem | None:
    """The problem named by a COCO problem id such as ``"bbob_f001_i01_d05"``, or None if not such a name.

    Example:
        >>> parse_bbob_name("bbob_f024_i02_d05").optimum == bbob_problem(24, 5, 2).optimum
        True
    """
    match = _NAME.match(name)
    if match is None:
        return None
    function, instance, dimension = (int(group) for group in match.groups())
    return bbob_problem(function, dimension, instance)
