"""The neutral transform: every element reduces, once, to a :class:`Primitive`.

A primitive is what a backend needs to sample one parameter, and nothing about
the element it came from:

* ``real``: a real interval ``[low, high]``, linear or log, optionally on the
  grid ``low + k * step``;
* ``int``: the integers ``low, low + step, ..., high``, optionally log-scaled;
* ``choice``: one of ``n`` options (categorical choices, a conditional's labels).

Backends that sample on a line and round (Hyperopt, scikit-optimize) use the
primitive's *coordinate*: a grid's index ``k`` uniform on ``[-0.5, n + 0.5]``,
an integer uniform on ``[low - 0.5, high + 0.5]`` (log-uniform for ``log=True``),
a real as itself. :meth:`Primitive.interval`, :meth:`Primitive.to_coordinate`
and :meth:`Primitive.from_coordinate` are that mapping, written once.

The *raw* value of a parameter is what adapters and the record exchange: a
Python ``float`` or ``int`` on the grid and inside the bounds, or a choice's
index. :meth:`Primitive.snap` makes any backend number a raw value;
:meth:`Primitive.decode` and :meth:`Primitive.encode` go between raw values and
what the objective receives.

Example:
    >>> p = Primitive("int", 32, 256, step=32)
    >>> p.stepped, p.n_steps, p.interval
    (True, 7, (-0.5, 7.5))
    >>> p.from_coordinate(2.4), p.to_coordinate(96)
    (96, 2.0)
    >>> Primitive("real", 0.0, 1.0, step=0.1).snap(0.30000000000000004)
    0.3
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Primitive"]

Kind = Literal["real", "int", "choice"]


@dataclass(frozen=True, eq=False)
class Primitive:
    """The neutral form of one parameter (see the module docstring).

    Attributes:
        kind: ``"real"``, ``"int"`` or ``"choice"``.
        low: Lower bound (a choice: 0).
        high: Upper bound, inclusive (a choice: ``n - 1``).
        log: Log scale (real and int).
        step: Grid step (real: None for a continuum; int: 1 or more; choice: None).
        options: A choice's options, in order (the objects the objective receives).
        labels: Names a backend shows instead of the indices (a conditional's labels), or None.
    """

    kind: Kind
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    step: float | None = None
    options: tuple[Any, ...] = ()
    labels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind == "int" and self.step is None:  # an integer range steps by 1 unless told otherwise
            object.__setattr__(self, "step", 1)

    @classmethod
    def choice(cls, options: tuple[Any, ...], *, labels: tuple[str, ...] | None = None) -> Primitive:
        """A choice among ``options`` (raw values are their indices)."""
        return cls("choice", 0, len(options) - 1, options=tuple(options), labels=labels)

    # -- shape ----------------------------------------------------------------------------------
    @property
    def n(self) -> int | None:
        """Number of values: options of a choice, points of a grid, None for a continuum."""
        if self.kind == "choice":
            return len(self.options)
        if self.step is None:
            return 1 if self.fixed else None
        return self.n_steps + 1

    @property
    def n_steps(self) -> int:
        """Number of steps between ``low`` and ``high`` (0 for a continuum)."""
        if self.kind == "choice":
            return len(self.options) - 1
        if self.step is None:
            return 0
        if self.kind == "int":
            return (int(self.high) - int(self.low)) // int(self.step)
        return round((float(self.high) - float(self.low)) / float(self.step))

    @property
    def stepped(self) -> bool:
        """Values on a grid coded by its index ``k`` (a real with a step, an int with a step above 1)."""
        return self.kind != "choice" and self.step is not None and (self.kind == "real" or int(self.step) != 1)

    @property
    def fixed(self) -> bool:
        """A real interval with ``low == high``: a constant for backends that need ``low < high``."""
        return self.kind == "real" and self.step is None and float(self.low) == float(self.high)

    @property
    def categories(self) -> list[Any]:
        """What a backend lists as the categories of a choice: the labels, else the indices."""
        return list(self.labels) if self.labels is not None else list(range(len(self.options)))

    # -- the coordinate line of backends that sample and round ----------------------------------
    @property
    def rounded(self) -> bool:
        """Whether the coordinate is rounded to an integer (ints and grids)."""
        return self.kind == "int" or self.stepped

    @property
    def interval(self) -> tuple[float, float]:
        """The coordinate interval sampled uniformly (log-uniformly if :attr:`log`) before rounding.

        A grid's index k on ``[-0.5, n_steps + 0.5]``; an integer on ``[low - 0.5, high + 0.5]``
        (every integer equally likely: no half-weight ends); a real on ``[low, high]``.
        """
        if self.stepped or self.kind == "choice":
            return -0.5, self.n_steps + 0.5
        if self.kind == "int":
            return int(self.low) - 0.5, int(self.high) + 0.5
        return float(self.low), float(self.high)

    def to_coordinate(self, raw: Any) -> float:
        """A raw value's coordinate: the index of a grid point or a choice, else the value (a float)."""
        if self.kind == "choice":
            return float(int(raw))
        if self.stepped:
            return float(round((float(raw) - float(self.low)) / float(self.step)))  # type: ignore[arg-type]
        return float(raw)

    def from_coordinate(self, x: Any) -> Any:
        """The raw value at coordinate ``x`` (rounded, on the grid, clipped to the bounds)."""
        if self.stepped:
            return self.at(round(float(x)))
        return self.snap(x)

    # -- raw values -----------------------------------------------------------------------------
    def at(self, k: int) -> Any:
        """The ``k``-th value (``k`` clipped to ``0..n_steps``): grid point ``low + k * step`` or index ``k``.

        Real grid points are rounded to the decimals of ``low`` and ``step``, so ``step=0.1``
        gives ``0.3``, not ``0.30000000000000004``.
        """
        k = min(max(int(k), 0), self.n_steps)
        if self.kind == "choice":
            return k
        if self.kind == "int":
            return int(self.low) + k * int(self.step or 1)
        low, step = float(self.low), float(self.step or 0.0)
        value = _decimal_round(low + k * step, low, step)
        return float(min(max(value, low), float(self.high)))

    def snap(self, x: Any) -> Any:
        """Any number as a raw value: a Python int or float, on the grid, inside the bounds; a choice's index."""
        if self.kind == "choice":
            return min(max(round(float(x)), 0), len(self.options) - 1)
        if self.kind == "int":
            low, step = int(self.low), int(self.step or 1)
            if isinstance(x, numbers.Integral):  # exact, also above 2**53
                k = (int(x) - low + step // 2) // step
            elif step == 1:  # round(x) itself, as the backends' own rounding does
                k = round(float(x)) - low
            else:
                k = round((float(x) - low) / step)
            return self.at(k)
        if self.step is not None:
            return self.at(round((float(x) - float(self.low)) / float(self.step)))
        return min(max(float(x), float(self.low)), float(self.high))

    def values(self) -> list[Any]:
        """Every raw value of a finite primitive, in order.

        Raises:
            ValueError: for a continuum (a real interval without step, ``low < high``).
        """
        if self.kind == "real" and self.step is None:
            if self.fixed:
                return [float(self.low)]
            raise ValueError("a real interval without step has infinitely many values")
        return [self.at(k) for k in range(self.n_steps + 1)]

    def sample(self, gen: np.random.Generator) -> Any:
        """One reference draw (a raw value): the distribution every backend must reproduce."""
        if self.kind == "choice":
            return int(gen.integers(len(self.options)))
        if self.kind == "int" and self.log:
            lo, hi = self.interval
            return self.snap(round(math.exp(gen.uniform(math.log(lo), math.log(hi)))))
        if self.rounded:
            return self.at(int(gen.integers(self.n_steps + 1)))
        if self.log:
            return math.exp(gen.uniform(math.log(float(self.low)), math.log(float(self.high))))
        return float(gen.uniform(float(self.low), float(self.high)))

    # -- values the objective receives ------------------------------------------------------------
    def decoder(self) -> Callable[[Any], Any]:
        """``decode`` specialised once for this primitive (it runs for every parameter of every trial)."""
        if self.kind == "choice":
            return functools.partial(_pick, self.options)
        if self.kind == "real" and self.step is None:
            return functools.partial(_clip, float(self.low), float(self.high))
        if self.kind == "int" and int(self.step or 1) == 1:
            return functools.partial(_int_clip, self, int(self.low), int(self.high))
        return self.snap

    def decode(self, raw: Any) -> Any:
        """What the objective receives for a raw value: the option object, or the snapped number."""
        return self.options[int(raw)] if self.kind == "choice" else self.snap(raw)

    def encode(self, value: Any, what: str = "") -> Any:
        """The raw value of what the objective receives (inverse of :meth:`decode`).

        Raises:
            ValueError: if ``value`` is not a value of this primitive (the message, naming ``what``, says why).
        """
        problem = self.problem(value, what)
        if problem:
            raise ValueError(problem)
        if self.kind == "choice":
            return self.index(value)
        return int(value) if self.kind == "int" else float(value)

    def index(self, value: Any) -> int:
        """Position of ``value`` among a choice's options: the very object first, then an equal one.

        Raises:
            ValueError: if ``value`` is not among the options.
        """
        for i, option in enumerate(self.options):
            if option is value:
                return i
        for i, option in enumerate(self.options):
            if type(option) is type(value) and _safe_eq(option, value):
                return i
        raise ValueError(f"{value!r} is not one of {list(self.options)!r}")

    def problem(self, value: Any, what: str = "") -> str | None:
        """Why ``value`` is not a value of this primitive (``what`` names it in the message), or None."""
        if self.kind == "choice":
            try:
                self.index(value)
            except ValueError:
                kind = "the labels" if self.labels is not None else ""
                return f"{value!r} is not one of {kind + ' ' if kind else ''}{list(self.options)!r}"
            return None
        what = what or f"[{self.low!r}, {self.high!r}]"
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return f"expected a number for {what}, got {value!r} ({type(value).__name__})"
        if self.kind == "int" and not isinstance(value, numbers.Integral):
            return f"expected an int for {what}, got {value!r}"
        if self.kind == "int":
            inside = int(self.low) <= int(value) <= int(self.high)  # type: ignore[call-overload]
            on_grid = not (int(value) - int(self.low)) % int(self.step or 1)  # type: ignore[call-overload]
        else:
            inside = float(self.low) <= float(value) <= float(self.high)
            k = 0.0 if self.step is None else (float(value) - float(self.low)) / float(self.step)
            on_grid = abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))
        if not inside:
            return f"{value!r} is outside {what}"
        return None if on_grid else f"{value!r} is not on the grid of {what}"


def _decimal_round(value: float, low: float, step: float) -> float:
    """``value`` rounded to the decimals that ``low`` and ``step`` are written with (if at most 15)."""
    digits = 0
    for x in (low, step):
        mantissa, _, exponent = repr(float(x)).partition("e")
        digits = max(digits, len(mantissa.partition(".")[2].rstrip("0")) - int(exponent or 0))
    return round(value, digits) if digits <= 15 else value


def _safe_eq(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays and other objects whose == is not a bool
        return False


def _clip(low: float, high: float, raw: Any) -> float:
    return min(max(float(raw), low), high)


def _pick(options: tuple[Any, ...], raw: Any) -> Any:
    return options[int(raw)]


def _int_clip(primitive: Primitive, low: int, high: int, raw: Any) -> Any:
    if type(raw) is int:
        return min(max(raw, low), high)
    return primitive.snap(raw)
