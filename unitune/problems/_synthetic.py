"""Synthetic test functions, the mixed and conditional problems, and the problem registry."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from unitune.exceptions import ArgumentError
from unitune.problems._fidelity import FIDELITY
from unitune.problems._problem import Problem, unknown_name
from unitune.problems._sklearn_tasks import sklearn_task
from unitune.space import Categorical, Conditional, Float, Int

# ---------------------------------------------------------------------------
# Synthetic test functions: vector form in unitune.problems._functions (imported at the first call).
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _VectorObjective:
    """Calls the vector function ``unitune.problems._functions.<func>`` with ``config["x0"], config["x1"], ...``."""

    func: str
    dim: int

    def __call__(self, config: dict[str, Any]) -> float:
        from unitune.problems import _functions

        return _functions.call(self.func, [config[f"x{i}"] for i in range(self.dim)])


_H6_XSTAR: tuple[float, ...] = (0.20168951035025645, 0.15001069428146627, 0.47687397629494105)
_H6_XSTAR += (0.2753324280657051, 0.311651616078294, 0.6573005325018642)

# Fixed-dimension functions: (function, bounds, optimum, minimizer, description).
# Minimizers were refined numerically; optima are the exact double-precision
# values there (the literature values, e.g. -3.86278 and -3.32237, are rounded).
_FIXED_SPECS: dict[str, tuple[str, Any, float, Any, str]] = {
    "branin": (
        "branin",
        [(-5.0, 10.0), (0.0, 15.0)],
        5 / (4 * math.pi),
        (math.pi, 2.275),
        "Branin; other minimizers: (-pi, 12.275), (3*pi, 2.475).",
    ),
    "hartmann3": (
        "hartmann3",
        [(0.0, 1.0)] * 3,
        -3.862779787332663,
        (0.11458887133078371, 0.5556488955562107, 0.852546983879289),
        "Hartmann 3-d.",
    ),
    "hartmann6": (
        "hartmann6",
        [(0.0, 1.0)] * 6,
        -3.3223680114155147,
        _H6_XSTAR,
        "Hartmann 6-d.",
    ),
    "six_hump_camel": (
        "six_hump_camel",
        [(-3.0, 3.0), (-2.0, 2.0)],
        -1.0316284534898774,
        (0.08984201394474498, -0.7126564058067623),
        "Six-hump camel; the minimizer reflected through 0 is also optimal.",
    ),
    "goldstein_price": ("goldstein_price", [(-2.0, 2.0)] * 2, 3.0, (0.0, -1.0), "Goldstein-Price."),
}

# Scalable functions: (function, bounds per coordinate, optimum per dimension,
# minimizer coordinate, minimal dim). Styblinski-Tang's minimizer coordinate
# is the root of 4x^3 - 32x + 5 = 0.
_SCALABLE_SPECS: dict[str, tuple[str, Any, float, float, int]] = {
    "rosenbrock": ("rosenbrock", (-5.0, 10.0), 0.0, 1.0, 2),
    "ackley": ("ackley", (-32.768, 32.768), 0.0, 0.0, 1),
    "rastrigin": ("rastrigin", (-5.12, 5.12), 0.0, 0.0, 1),
    "styblinski_tang": ("styblinski_tang", (-5.0, 5.0), -39.16616570377141, -2.903534027771177, 1),
    "levy": ("levy", (-10.0, 10.0), 0.0, 1.0, 1),
}


def _vector_problem(
    name: str,
    func: str,
    bounds: Sequence[tuple[float, float]],
    optimum: float,
    xstar: Sequence[float],
    description: str,
) -> Problem:
    return Problem(
        name=name,
        space={f"x{i}": Float(lo, hi) for i, (lo, hi) in enumerate(bounds)},
        objective=_VectorObjective(func, len(bounds)),
        optimum=optimum,
        minimizer={f"x{i}": float(v) for i, v in enumerate(xstar)},
        description=description,
    )


def _fixed(name: str) -> Problem:
    return _vector_problem(name, *_FIXED_SPECS[name])


def _scalable(name: str, dim: int) -> Problem:
    func, bounds, fstar, xstar, min_dim = _SCALABLE_SPECS[name]
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < min_dim:
        raise ArgumentError(
            f"{name}(dim=...) needs an integer dim >= {min_dim}, got {dim!r}; pass e.g. dim={max(2, min_dim)}."
        )
    desc = f"{name} in {dim} dimensions."
    return _vector_problem(f"{name}{dim}d", func, [bounds] * dim, fstar * dim, [xstar] * dim, desc)


def branin() -> Problem:
    """Branin, x0 in [-5, 10], x1 in [0, 15]; minimum 5/(4 pi) ~ 0.397887.

    Of the three minimizers (-pi, 12.275), (pi, 2.275) and (3 pi, 2.475),
    ``minimizer`` holds (pi, 2.275).

    Example:
        >>> round(branin().optimum, 6)
        0.397887
    """
    return _fixed("branin")


def hartmann3() -> Problem:
    """Hartmann 3-d on [0, 1]^3; minimum -3.86278 at ~(0.1146, 0.5556, 0.8525).

    Example:
        >>> round(hartmann3().optimum, 5)
        -3.86278
    """
    return _fixed("hartmann3")


def hartmann6() -> Problem:
    """Hartmann 6-d on [0, 1]^6; minimum -3.32237 at ~(0.2017, 0.1500, ...).

    Example:
        >>> round(hartmann6().optimum, 5)
        -3.32237
    """
    return _fixed("hartmann6")


def six_hump_camel() -> Problem:
    """Six-hump camel, x0 in [-3, 3], x1 in [-2, 2]; minimum -1.0316 (two points).

    Example:
        >>> round(six_hump_camel().optimum, 4)
        -1.0316
    """
    return _fixed("six_hump_camel")


def goldstein_price() -> Problem:
    """Goldstein-Price on [-2, 2]^2; minimum 3 at (0, -1).

    Example:
        >>> goldstein_price().optimum
        3.0
    """
    return _fixed("goldstein_price")


def rosenbrock(dim: int = 2) -> Problem:
    """Rosenbrock on [-5, 10]^dim (dim >= 2); minimum 0 at (1, ..., 1).

    Example:
        >>> rosenbrock(3).name, rosenbrock(3).optimum
        ('rosenbrock3d', 0.0)
    """
    return _scalable("rosenbrock", dim)


def ackley(dim: int = 2) -> Problem:
    """Ackley on [-32.768, 32.768]^dim; minimum 0 at the origin.

    Example:
        >>> ackley(5).name
        'ackley5d'
    """
    return _scalable("ackley", dim)


def rastrigin(dim: int = 2) -> Problem:
    """Rastrigin on [-5.12, 5.12]^dim; minimum 0 at the origin.

    Example:
        >>> rastrigin().name
        'rastrigin2d'
    """
    return _scalable("rastrigin", dim)


def styblinski_tang(dim: int = 2) -> Problem:
    """Styblinski-Tang on [-5, 5]^dim; minimum -39.16617 dim at (-2.903534, ...).

    Example:
        >>> round(styblinski_tang(2).optimum, 4)
        -78.3323
    """
    return _scalable("styblinski_tang", dim)


def levy(dim: int = 2) -> Problem:
    """Levy on [-10, 10]^dim; minimum 0 at (1, ..., 1).

    Example:
        >>> levy(4).minimizer["x3"]
        1.0
    """
    return _scalable("levy", dim)


# ---------------------------------------------------------------------------
# Mixed and conditional problems.
# ---------------------------------------------------------------------------

_OPTIMIZER_PENALTY = {"adam": 0.0, "rmsprop": 0.5, "sgd": 1.0}
_KERNEL_PENALTY = {"rbf": 0.0, "linear": 0.25}


def _mixed_objective(config: dict[str, Any]) -> float:
    x0, x1, train = float(config["x0"]), float(config["x1"]), config["train"]
    lr, batch = float(train["lr"]), int(train["batch_size"])
    return (
        (x0 - 1.0) ** 2
        + (x1 + 2.0) ** 2
        + 0.5 * (int(config["n_layers"]) - 3) ** 2
        + (math.log10(lr) + 3.0) ** 2
        + 0.25 * (math.log2(batch) - 5.0) ** 2
        + _OPTIMIZER_PENALTY[config["optimizer"]]
    )


def mixed() -> Problem:
    """Mixed float / int / log-int / categorical problem with a nested dict.

    The objective is a sum of non-negative terms that all vanish only at
    ``x0=1, x1=-2, n_layers=3, train={"lr": 1e-3, "batch_size": 32},
    optimizer="adam"``, so the minimum is exactly 0 there.

    Example:
        >>> p = mixed()
        >>> p(p.minimizer)
        0.0
    """
    space = {
        "x0": Float(-5.0, 5.0),
        "x1": Float(-5.0, 5.0),
        "n_layers": Int(1, 8),
        "train": {"lr": Float(1e-5, 1e-1, log=True), "batch_size": Int(1, 1024, log=True)},
        "optimizer": Categorical(["sgd", "adam", "rmsprop"]),
    }
    best = {"x0": 1.0, "x1": -2.0, "n_layers": 3, "optimizer": "adam"}
    best["train"] = {"lr": 1e-3, "batch_size": 32}
    desc = "Mixed-type problem; optimum 0."
    return Problem("mixed", space, _mixed_objective, 0.0, "minimize", best, desc)


def _conditional_objective(config: dict[str, Any]) -> float:
    shared = float(config["shared"])
    if config["kind"] == "a":
        p, q = float(config["p"]), int(config["q"])
        return (shared - 0.25) ** 2 + (p - 0.5) ** 2 + 0.1 * (q - 2) ** 2
    penalty = _KERNEL_PENALTY[config["kernel"]]
    return 0.5 + (shared + 0.5) ** 2 + math.log10(float(config["r"])) ** 2 + penalty


def conditional() -> Problem:
    """Conditional problem: ``kind="a"`` (with p, q) or ``kind="b"`` (r, kernel).

    Branch "a" is ``(shared-0.25)^2 + (p-0.5)^2 + 0.1 (q-2)^2``: global minimum
    0 at ``shared=0.25, p=0.5, q=2``. Branch "b" is ``0.5 + (shared+0.5)^2 +
    log10(r)^2 + (0.25 if kernel == "linear" else 0)``: local minimum 0.5 at
    ``shared=-0.5, r=1, kernel="rbf"``.

    Example:
        >>> p = conditional()
        >>> p(p.minimizer), p({"kind": "b", "r": 1.0, "kernel": "rbf", "shared": -0.5})
        (0.0, 0.5)
    """
    branch_a = {"p": Float(-2.0, 2.0), "q": Int(0, 5)}
    branch_b = {"r": Float(1e-3, 10.0, log=True), "kernel": Categorical(["linear", "rbf"])}
    space = {"kind": Conditional({"a": branch_a, "b": branch_b}), "shared": Float(-1.0, 1.0)}
    best = {"kind": "a", "p": 0.5, "q": 2, "shared": 0.25}
    desc = "Conditional; optimum 0 in branch 'a', local optimum 0.5 in branch 'b'."
    return Problem("conditional", space, _conditional_objective, 0.0, "minimize", best, desc)


# ---------------------------------------------------------------------------
# Registry.
# ---------------------------------------------------------------------------

_OTHER: dict[str, Callable[[], Problem]] = {"mixed": mixed, "conditional": conditional, **FIDELITY}
_SKLEARN_EXAMPLES = ("sklearn:knn:iris", "sklearn:logistic:wine", "sklearn:svm:breast_cancer", "sklearn:ridge:diabetes")
_ND_NAME = re.compile(r"^([a-z_]+?)(\d+)d$")


def names() -> list[str]:
    """Names of the built-in problems, all accepted by :func:`get`.

    Scalable functions are listed in 2-d (any ``"{name}{n}d"`` works) and only
    a few scikit-learn tasks are listed (any ``"sklearn:{model}:{dataset}"``).

    Example:
        >>> "branin" in names() and "rosenbrock2d" in names()
        True
    """
    return [*_FIXED_SPECS, *(f"{n}2d" for n in _SCALABLE_SPECS), *_OTHER, *_SKLEARN_EXAMPLES]


def get(name: str) -> Problem:
    """Build a built-in problem by name.

    Accepts the names from :func:`names`, scalable functions as ``"ackley"``
    (2-d) or ``"ackley10d"``, and ``"sklearn:{model}:{dataset}"`` (5-fold CV).

    Raises:
        ValueError: For an unknown name, with a close-match suggestion.

    Example:
        >>> get("rosenbrock5d").name, get("rosenbrock").name
        ('rosenbrock5d', 'rosenbrock2d')
    """
    key = name.strip().lower().replace("-", "_")
    if key.startswith("sklearn:"):
        parts = key.split(":")
        if len(parts) != 3:
            raise ArgumentError(
                f"Malformed scikit-learn task name {name!r}; use 'sklearn:MODEL:DATASET', e.g. 'sklearn:svm:iris'."
            )
        return sklearn_task(parts[1], parts[2])
    if key in _FIXED_SPECS:
        return _fixed(key)
    if key in _OTHER:
        return _OTHER[key]()
    match = _ND_NAME.match(key)
    base, dim = (match.group(1), int(match.group(2))) if match else (key, 2)
    if base in _SCALABLE_SPECS:
        return _scalable(base, dim)
    raise unknown_name("problem", name, [*names(), *_SCALABLE_SPECS])
