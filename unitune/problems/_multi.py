"""Problems with several objectives (known Pareto fronts) and with constraints (known constrained optima).

Several objectives, every variable in ``[0, 1]`` (parameters ``"x0"``, ``"x1"``, ...), all minimized:

* ZDT1, ZDT2, ZDT3 (Zitzler, Deb & Thiele, "Comparison of multiobjective evolutionary
  algorithms: empirical results", Evolutionary Computation 8(2), 2000), two objectives,
  30 variables by default (``"zdt1_5d"``: 5). Fronts at ``g = 1``: ``f2 = 1 - sqrt(f1)`` (convex),
  ``1 - f1**2`` (concave), ``1 - sqrt(f1) - f1 sin(10 pi f1)`` (five disconnected pieces).
* DTLZ2 (Deb, Thiele, Laumanns & Zitzler, "Scalable test problems for evolutionary
  multiobjective optimization", 2005), three objectives, 12 variables by default
  (``"dtlz2_5d"``: 5): the front is the unit sphere's positive octant.

Each has a stated reference point, the one BoTorch's test problems use: ``(11, 11)`` for
ZDT, ``(1.1, 1.1, 1.1)`` for DTLZ2. ``front_hypervolume`` is the hypervolume of the true
front up to it: ``121 - 1/3`` (ZDT1), ``121 - 2/3`` (ZDT2), ``1.1**3 - pi/6`` (DTLZ2) in
closed form; ZDT3's is the integral of its front's running minimum, computed once by the
trapezoidal rule on 8 million points (it moves by 1e-10 from 2 million to 8 million).

Constrained problems of the constrained Bayesian optimization literature, each value of
``constraints(config)`` ``<= 0`` when satisfied; ``optimum`` is the best feasible value,
found numerically (a grid of 801 x 801 points refined by SLSQP) and checked in the tests:

* ``constrained_branin``: Branin on its usual domain, inside the disk
  ``(x0 - 2.5)**2 + (x1 - 7.5)**2 <= 50`` (Gelbart, Snoek & Adams, "Bayesian optimization
  with unknown constraints", UAI 2014); the constraint leaves one of Branin's three minima.
* ``gardner1``: ``cos(2 x0) cos(x1) + sin(x0)`` with ``cos(x0 + x1) <= 0.5`` on ``[0, 6]**2``,
  and ``gardner2``: ``sin(x0) + x1`` with ``sin(x0) sin(x1) <= -0.95`` (Gardner et al.,
  "Bayesian optimization with inequality constraints", ICML 2014); the second's optimum
  lies on its constraint: ``asin(0.95) - 1`` at ``(3 pi / 2, asin(0.95))``.
* ``gramacy``: ``x0 + x1`` on ``[0, 1]**2`` with two constraints, one sinusoidal (Gramacy et
  al., "Modeling an augmented Lagrangian for blackbox constrained optimization",
  Technometrics 2016), optimum 0.599788 on the sinusoidal constraint (the paper rounds it).

Example:
    >>> p = multi_problem("zdt1", 5)
    >>> p.name, p.directions, p.reference_point
    ('zdt1_5d', ('minimize', 'minimize'), (11.0, 11.0))
    >>> [round(v, 6) for v in p({"x0": 0.25, "x1": 0, "x2": 0, "x3": 0, "x4": 0})]
    [0.25, 0.5]
    >>> c = constrained_problem("gardner2")
    >>> c.constraints(c.minimizer)[0] <= 1e-12, round(c.optimum, 6)
    (True, 0.253236)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from unitune.exceptions import ArgumentError
from unitune.problems._problem import Problem
from unitune.space import Float

__all__ = ["CONSTRAINED_PROBLEMS", "MULTI_PROBLEMS", "constrained_problem", "multi_problem"]

#: Problems with several objectives -> (objectives, default variables, description).
MULTI_PROBLEMS: dict[str, tuple[int, int, str]] = {
    "zdt1": (2, 30, "ZDT1: two objectives, convex front f2 = 1 - sqrt(f1)"),
    "zdt2": (2, 30, "ZDT2: two objectives, concave front f2 = 1 - f1**2"),
    "zdt3": (2, 30, "ZDT3: two objectives, front in five disconnected pieces"),
    "dtlz2": (3, 12, "DTLZ2: three objectives, front on the unit sphere"),
}
_ZDT3_HYPERVOLUME = 128.7781161307  # reference (11, 11); see the module docstring


def _zdt_g(x: Sequence[float]) -> float:
    return 1.0 + 9.0 * sum(x[1:]) / (len(x) - 1)


def _zdt_h(kind: str, f1: float, g: float) -> float:
    r = f1 / g
    if kind == "zdt1":
        return 1.0 - math.sqrt(r)
    if kind == "zdt2":
        return 1.0 - r * r
    return 1.0 - math.sqrt(r) - r * math.sin(10.0 * math.pi * f1)


def _dtlz2(x: Sequence[float], m: int) -> tuple[float, ...]:
    g = sum((v - 0.5) ** 2 for v in x[m - 1 :])
    angles = [v * math.pi / 2 for v in x[: m - 1]]
    out = []
    for i in range(m):
        f = 1.0 + g
        for a in angles[: m - 1 - i]:
            f *= math.cos(a)
        if i > 0:
            f *= math.sin(angles[m - 1 - i])
        out.append(f)
    return tuple(out)


@dataclass(frozen=True)
class _MultiObjective:
    """The vector of objectives of ``kind`` at ``config["x0"], config["x1"], ...`` (picklable)."""

    kind: str
    dim: int

    def __call__(self, config: dict[str, Any]) -> tuple[float, ...]:
        x = [float(config[f"x{i}"]) for i in range(self.dim)]
        if self.kind == "dtlz2":
            return _dtlz2(x, MULTI_PROBLEMS["dtlz2"][0])
        g = _zdt_g(x)
        return (x[0], g * _zdt_h(self.kind, x[0], g))


@dataclass(frozen=True)
class _Front:
    """Points of the true Pareto front of ``kind`` (picklable): ``front(n)`` gives about ``n`` of them."""

    kind: str

    def __call__(self, n: int) -> list[tuple[float, ...]]:
        if self.kind == "dtlz2":
            side = max(2, math.isqrt(n))
            grid = [(i / (side - 1), j / (side - 1)) for i in range(side) for j in range(side)]
            return [_dtlz2([a, b, 0.5], 3) for a, b in grid]
        points: list[tuple[float, ...]] = [(i / (n - 1), _zdt_h(self.kind, i / (n - 1), 1.0)) for i in range(n)]
        if self.kind != "zdt3":
            return points
        best, kept = math.inf, list[tuple[float, ...]]()  # ZDT3's curve: keep the points below every point left of them
        for f1, f2 in points:
            if f2 < best:
                best = f2
                kept.append((f1, f2))
        return kept


def _hypervolume(kind: str) -> float:
    if kind == "zdt1":
        return 121.0 - 1.0 / 3.0
    if kind == "zdt2":
        return 121.0 - 2.0 / 3.0
    if kind == "zdt3":
        return _ZDT3_HYPERVOLUME
    return 1.1**3 - math.pi / 6.0


def multi_problem(kind: str, dim: int | None = None) -> Problem:
    """A problem with several objectives: ``"zdt1"``, ``"zdt2"``, ``"zdt3"`` or ``"dtlz2"`` in ``dim`` variables.

    Raises:
        ArgumentError: for an unknown kind, or fewer variables than the problem needs.
    """
    if kind not in MULTI_PROBLEMS:
        raise ArgumentError(f"unknown problem {kind!r}. Fix: use one of {sorted(MULTI_PROBLEMS)}")
    m, default, description = MULTI_PROBLEMS[kind]
    n = default if dim is None else dim
    if n < m:
        raise ArgumentError(f"{kind} needs at least {m} variables; received {n}. Fix: e.g. '{kind}_5d'")
    name = kind if dim is None else f"{kind}_{n}d"
    return Problem(
        name,
        {f"x{i}": Float(0.0, 1.0) for i in range(n)},
        _MultiObjective(kind, n),
        directions=("minimize",) * m,
        reference_point=(11.0, 11.0) if kind.startswith("zdt") else (1.1,) * m,
        front_hypervolume=_hypervolume(kind),
        front=_Front(kind),
        description=f"{description}; {n} variables in [0, 1]",
    )


# -- constrained problems ------------------------------------------------------------------------------------------


def _branin(x0: float, x1: float) -> float:
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x1 - b * x0**2 + c * x0 - 6) ** 2 + 10 * (1 - t) * math.cos(x0) + 10


def _value(kind: str, x0: float, x1: float) -> float:
    if kind == "constrained_branin":
        return _branin(x0, x1)
    if kind == "gardner1":
        return math.cos(2 * x0) * math.cos(x1) + math.sin(x0)
    if kind == "gardner2":
        return math.sin(x0) + x1
    return x0 + x1


def _constraint_values(kind: str, x0: float, x1: float) -> list[float]:
    if kind == "constrained_branin":
        return [(x0 - 2.5) ** 2 + (x1 - 7.5) ** 2 - 50.0]
    if kind == "gardner1":
        return [math.cos(x0) * math.cos(x1) - math.sin(x0) * math.sin(x1) - 0.5]
    if kind == "gardner2":
        return [math.sin(x0) * math.sin(x1) + 0.95]
    return [
        1.5 - x0 - 2 * x1 - 0.5 * math.sin(2 * math.pi * (x0**2 - 2 * x1)),
        x0**2 + x1**2 - 1.5,
    ]


@dataclass(frozen=True)
class _Constrained:
    """The objective (``part="value"``) or the constraint values (``part="constraints"``) of ``kind``; picklable."""

    kind: str
    part: str

    def __call__(self, config: dict[str, Any]) -> Any:
        x0, x1 = float(config["x0"]), float(config["x1"])
        return _value(self.kind, x0, x1) if self.part == "value" else _constraint_values(self.kind, x0, x1)


#: Constrained problems -> (bounds of x0 and x1, optimum, minimizer, description).
CONSTRAINED_PROBLEMS: dict[str, tuple[tuple[tuple[float, float], ...], float, tuple[float, float], str]] = {
    "constrained_branin": (
        ((-5.0, 10.0), (0.0, 15.0)),
        5 / (4 * math.pi),
        (math.pi, 2.275),
        "Branin inside a disk (Gelbart et al. 2014); the minimum at (pi, 2.275) is feasible",
    ),
    "gardner1": (
        ((0.0, 6.0), (0.0, 6.0)),
        -2.0,
        (3 * math.pi / 2, 0.0),
        "cos(2 x0) cos(x1) + sin(x0) s.t. cos(x0 + x1) <= 0.5 (Gardner et al. 2014)",
    ),
    "gardner2": (
        ((0.0, 6.0), (0.0, 6.0)),
        math.asin(0.95) - 1.0,
        (3 * math.pi / 2, math.asin(0.95)),
        "sin(x0) + x1 s.t. sin(x0) sin(x1) <= -0.95 (Gardner et al. 2014); optimum on the constraint",
    ),
    "gramacy": (
        ((0.0, 1.0), (0.0, 1.0)),
        0.5997880520100639,
        (0.19512268859678752, 0.4046653634132764),
        "x0 + x1 s.t. two constraints, one sinusoidal (Gramacy et al. 2016); optimum on the sinusoidal one",
    ),
}


def constrained_problem(kind: str) -> Problem:
    """A constrained problem: ``"constrained_branin"``, ``"gardner1"``, ``"gardner2"`` or ``"gramacy"``.

    Raises:
        ArgumentError: for an unknown kind.
    """
    if kind not in CONSTRAINED_PROBLEMS:
        raise ArgumentError(f"unknown problem {kind!r}. Fix: use one of {sorted(CONSTRAINED_PROBLEMS)}")
    bounds, optimum, minimizer, description = CONSTRAINED_PROBLEMS[kind]
    return Problem(
        kind,
        {f"x{i}": Float(*b) for i, b in enumerate(bounds)},
        _Constrained(kind, "value"),
        optimum=optimum,
        minimizer={"x0": minimizer[0], "x1": minimizer[1]},
        constraints=_Constrained(kind, "constraints"),
        description=description,
    )
