"""The synthetic test functions of :mod:`unitune.problems`, in vector form (NumPy is imported here).

Example:
    >>> import numpy as np
    >>> round(branin(np.array([np.pi, 2.275])), 6)
    0.397887
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def branin(x: Array) -> float:
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    quad = (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2
    return float(quad + 10 * (1 - t) * np.cos(x[0]) + 10)


_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H3_A = np.array([[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]])
_H6_A = np.array(
    [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def _hartmann(x: Array, a: Array, p: Array) -> float:
    return float(-(_H_ALPHA @ np.exp(-np.sum(a * (x - p) ** 2, axis=1))))


def hartmann3(x: Array) -> float:
    return _hartmann(x, _H3_A, _H3_P)


def hartmann6(x: Array) -> float:
    return _hartmann(x, _H6_A, _H6_P)


def rosenbrock(x: Array) -> float:
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1.0) ** 2))


def ackley(x: Array) -> float:
    a, b, c = 20.0, 0.2, 2 * math.pi
    e1 = np.exp(-b * np.sqrt(np.mean(x**2)))
    return float(-a * e1 - np.exp(np.mean(np.cos(c * x))) + a + math.e)


def rastrigin(x: Array) -> float:
    return float(10.0 * x.size + np.sum(x**2 - 10.0 * np.cos(2 * math.pi * x)))


def styblinski_tang(x: Array) -> float:
    return float(0.5 * np.sum(x**4 - 16.0 * x**2 + 5.0 * x))


def levy(x: Array) -> float:
    w = 1.0 + (x - 1.0) / 4.0
    mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + np.sin(2 * math.pi * w[-1]) ** 2)
    return float(np.sin(math.pi * w[0]) ** 2 + mid + tail)


def six_hump_camel(x: Array) -> float:
    a, b = x[0], x[1]
    return float((4 - 2.1 * a**2 + a**4 / 3) * a**2 + a * b + (-4 + 4 * b**2) * b**2)


def goldstein_price(x: Array) -> float:
    a, b = x[0], x[1]
    f1 = 1 + (a + b + 1) ** 2 * (19 - 14 * a + 3 * a**2 - 14 * b + 6 * a * b + 3 * b**2)
    g = 18 - 32 * a + 12 * a**2 + 48 * b - 36 * a * b + 27 * b**2
    return float(f1 * (30 + (2 * a - 3 * b) ** 2 * g))


_FIXED = (branin, hartmann3, hartmann6, six_hump_camel, goldstein_price)
_BY_NAME = {f.__name__: f for f in (*_FIXED, rosenbrock, ackley, rastrigin, styblinski_tang, levy)}


def call(name: str, values: list[float]) -> float:
    """``name``'s value at the point ``values`` (a Python float).

    Example:
        >>> call("rosenbrock", [1.0, 1.0, 1.0])
        0.0
    """
    return float(_BY_NAME[name](np.array(values, dtype=np.float64)))
