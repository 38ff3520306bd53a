"""Narrowing a search space to the region of its best configurations.

The rule is the bounding box of Perrone et al. (2019, "Learning search spaces for
Bayesian optimization", NeurIPS): the smallest box that holds the best
configurations seen so far, widened here by a margin. Per parameter:

* a number (``Float``, ``Int``): the range of the top configurations, widened on each
  side by ``margin`` times the original width, measured in the parameter's own scale
  (log for ``log=True``), clipped to the original bounds, then rounded outward (onto
  the ``step`` grid, to whole numbers, or to three significant digits of the width);
  log scale and step are kept, so the new range is never wider than the old one;
* a ``Categorical``: the choices the top configurations hold, in their original order
  (the very objects);
* a ``Conditional``: the branches the top configurations chose, each narrowed by the
  same rules; the parameters of the other branches are dropped;
* a parameter to fix: a one-value element of the same kind (``Float(v, v)``, ``Int(v, v)``,
  ``Categorical([v])``, a ``Conditional`` with one branch), so that it stays a parameter of
  the space: the record keeps its column, and a configuration with another value does
  not fit the narrowed space.

Elements of other classes are kept as they are. Raw values (see
:mod:`unitune.space._transform`) are the input: numbers, and indices of choices.

Example:
    >>> from unitune.space import Float, Int, Space
    >>> space = Space({"x": Float(0.0, 10.0), "n": Int(1, 100, log=True)})
    >>> result = narrow_space(space, [{"x": 2.0, "n": 4}, {"x": 3.0, "n": 9}], margin=0.1)
    >>> result.space.mapping
    {'x': Float(1.0, 4.0), 'n': Int(2, 15, log=True)}
    >>> [c.why for c in result.changes][0]
    'bounding box of the top configurations, widened by 10% of the range'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unitune.exceptions import ConfigError
from unitune.space._compile import Param
from unitune.space._element import Element
from unitune.space._elements import Categorical, Conditional, Float, Int
from unitune.space._space import Space
from unitune.space._transform import Primitive

__all__ = ["Change", "Narrowing", "describe", "narrow_space"]

_DIGITS = 3  # significant digits of a continuous range's width kept when its bounds are rounded outward


@dataclass(frozen=True)
class Change:
    """What narrowing did to one parameter.

    Attributes:
        key: The parameter's unique key in the original space.
        before: The element as it was.
        after: The new element, or None if the parameter was dropped (its branch was).
        seen: What the top configurations hold (a range, or the choices), as text.
        fraction: The share of the parameter's range kept, in its own scale (log for
            ``log=True``; points of a grid, choices, branches); 0 when dropped.
        why: The rule that made ``after``.
        inside: Of the configurations given as ``trials``, how many have this parameter
            active with a value inside ``after``.
        active: Of those configurations, how many have this parameter active.
        fixed: Whether the parameter was fixed to one value on request (it is no longer searched).
    """

    key: str
    before: Element
    after: Element | None
    seen: str
    fraction: float
    why: str
    inside: int = 0
    active: int = 0
    fixed: bool = False


@dataclass(frozen=True)
class Narrowing:
    """The narrowed space, a :class:`Change` per parameter of the original, and the trials that fit.

    Attributes:
        space: The narrowed space.
        changes: One entry per parameter of the original space, in its order.
        inside: How many of the configurations given as ``trials`` are configurations of ``space``.
        volume: The share of the original space that the narrowed one covers: the chance that a
            configuration drawn uniformly from the original space (log-uniformly where ``log=True``,
            each branch of a ``Conditional`` equally likely, as random search draws) lies in the
            narrowed space. Parameters fixed on request do not count: they are no longer searched.
    """

    space: Space
    changes: tuple[Change, ...]
    inside: int = 0
    volume: float = 1.0


def narrow_space(
    space: Space,
    top: Sequence[Mapping[str, Any]],
    *,
    margin: float = 0.1,
    fix: Mapping[str, tuple[Any, str]] | None = None,
    trials: Sequence[Mapping[str, Any]] = (),
) -> Narrowing:
    """The space fitted to the top configurations (see the module docstring).

    Args:
        space: The space to narrow.
        top: Raw assignments ``{key: raw value}`` of the best configurations (at least one);
            a key is absent where its parameter is inactive.
        margin: Widening on each side, as a fraction of the parameter's original width (>= 0).
        fix: ``{key: (raw value, reason)}``: parameters to fix to that value (from the best trial).
        trials: Raw assignments of every trial to check against the new space (counted in
            :attr:`Narrowing.inside` and in each change's ``inside``).

    Raises:
        ValueError: if ``top`` is empty or ``margin`` is negative.
    """
    if not top:
        raise ValueError("narrowing needs at least one top configuration")
    if not margin >= 0:
        raise ValueError(f"margin must be >= 0; received {margin!r}")
    rewriter = _Rewriter(iter(space.params), list(top), float(margin), dict(fix or {}))
    new = Space(rewriter.mapping(space.mapping))
    changes = [_count(change, space, trials) for change in rewriter.changes]
    inside = sum(1 for raw in trials if _fits(new, space, raw))
    volume = _volume(space.mapping, iter(space.params), {c.key: c for c in changes})
    return Narrowing(new, tuple(changes), inside, volume)


class _Rewriter:
    """Walks a space's mapping in the order its parameters were compiled, rebuilding each element."""

    def __init__(
        self, params: Iterator[Param], top: list[Mapping[str, Any]], margin: float, fix: dict[str, tuple[Any, str]]
    ) -> None:
        self.params = params
        self.top = top
        self.margin = margin
        self.fix = fix
        self.changes: list[Change] = []

    def mapping(self, mapping: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in mapping.items():
            if isinstance(value, Element):
                out[key] = self.element(self._next(value), value)
            elif isinstance(value, Mapping):
                out[key] = self.mapping(value)
            else:
                out[key] = value
        return out

    def _next(self, element: Element) -> Param:
        param = next(self.params)
        assert param.element is element, "the walk follows the order in which the space compiled its parameters"
        return param

    def element(self, p: Param, element: Element) -> Element:
        values = [raw[p.key] for raw in self.top if p.key in raw]
        if p.key in self.fix and (type(element) in (Float, Int, Categorical) or isinstance(element, Conditional)):
            value, reason = self.fix[p.key]
            return self.fixed(p, element, value, reason, values)
        if not values:  # its branch is kept but no top configuration reaches it (a deeper branch): unchanged
            self._change(p, element, element, "-", 1.0, "no top configuration has it active: unchanged")
            return self.descend(p, element, keep=None)
        if isinstance(element, Conditional):
            labels = [element.labels[i] for i in sorted(set(int(v) for v in values))]
            full = len(labels) == len(element.labels)
            why = "every branch is chosen by a top configuration" if full else "the branches the top ones chose"
            return self.branches(p, element, labels, why)
        if type(element) is Categorical:
            kept = sorted(set(int(v) for v in values))
            new = Categorical([element.choices[i] for i in kept])
            full = len(kept) == len(element.choices)
            why = "every choice appears among the top configurations" if full else "the choices the top ones hold"
            seen = _choices([element.choices[i] for i in kept])
            self._change(p, element, new, seen, len(kept) / len(element.choices), why)
            return new
        if type(element) in (Float, Int):
            return self.numeric(p, element, values)
        why = f"a {type(element).__name__} is kept as it is"
        self._change(p, element, element, _span(p.primitive, values), 1.0, why)
        return element

    def branches(self, p: Param, element: Conditional, labels: list[str], why: str, fixed: bool = False) -> Element:
        """The Conditional with only ``labels`` (each branch narrowed), its change listed before its branches'."""
        self._change(p, element, None, _choices(labels), len(labels) / len(element.labels), why, fixed)
        index = len(self.changes) - 1
        new = self.descend(p, element, keep=set(labels))
        self.changes[index] = dataclasses.replace(self.changes[index], after=new)
        return new

    def descend(self, p: Param, element: Element, keep: set[str] | None) -> Element:
        """A Conditional rebuilt with its kept branches narrowed (None: all), the others' parameters dropped."""
        if not isinstance(element, Conditional):
            return element
        branches: dict[str, Any] = {}
        for label, branch in element.branches.items():
            if keep is None or label in keep:
                branches[label] = self.mapping(branch)
            else:
                self.drop(branch, f"in branch {label!r} of {p.name!r}, which no top configuration chose")
        return Conditional(branches)

    def drop(self, mapping: Mapping[str, Any], why: str) -> None:
        for value in mapping.values():
            if isinstance(value, Element):
                p = self._next(value)
                self._change(p, value, None, "-", 0.0, why)
                if isinstance(value, Conditional):
                    for branch in value.branches.values():
                        self.drop(branch, why)
            elif isinstance(value, Mapping):
                self.drop(value, why)

    def fixed(self, p: Param, element: Element, raw: Any, reason: str, values: list[Any]) -> Element:
        prim = p.primitive
        new: Element
        if isinstance(element, Conditional):
            return self.branches(p, element, [element.labels[int(raw)]], reason, fixed=True)
        if type(element) is Categorical:
            new = Categorical([element.choices[int(raw)]])
            self._change(p, element, new, _choices([element.choices[int(raw)]]), 1 / len(element.choices), reason, True)
            return new
        value = prim.snap(raw)
        new = Int(int(value), int(value)) if type(element) is Int else Float(float(value), float(value))
        seen = _span(prim, values) if values else "-"
        self._change(p, element, new, seen, _fraction(prim, new.primitive()), reason, fixed=True)
        return new

    def numeric(self, p: Param, element: Element, values: list[Any]) -> Element:
        prim = p.primitive
        lo, hi = _box(prim, [float(v) for v in values], self.margin)
        if prim.kind == "int":
            new: Element = Int(int(lo), int(hi), log=prim.log, step=int(prim.step or 1))
        else:
            new = Float(lo, hi, log=prim.log, step=prim.step)
        if new.primitive().low == prim.low and new.primitive().high == prim.high:
            new, why = element, "the top configurations, with the margin, span the whole range: unchanged"
        else:
            scale = " (in log scale)" if prim.log else ""
            why = f"bounding box of the top configurations, widened by {self.margin:.0%} of the range{scale}"
        self._change(p, element, new, _span(prim, values), _fraction(prim, new.primitive()), why)
        return new

    def _change(
        self,
        p: Param,
        before: Element,
        after: Element | None,
        seen: str,
        fraction: float,
        why: str,
        fixed: bool = False,
    ) -> None:
        self.changes.append(Change(p.key, before, after, seen, fraction, why, fixed=fixed))


def _volume(mapping: Mapping[str, Any], params: Iterator[Param], changes: Mapping[str, Change]) -> float:
    """The share of ``mapping``'s volume kept (see :attr:`Narrowing.volume`), walking params in compile order."""
    volume = 1.0
    for value in mapping.values():
        if isinstance(value, Mapping):
            volume *= _volume(value, params, changes)
        elif isinstance(value, Element):
            change = changes[next(params).key]
            if isinstance(value, Conditional):
                kept = set(change.after.labels) if isinstance(change.after, Conditional) else set()
                shares = [(_volume(b, params, changes), label in kept) for label, b in value.branches.items()]
                inside = [share for share, keep in shares if keep]
                volume *= sum(inside) / (len(inside) if change.fixed else len(shares))
            elif not change.fixed:
                volume *= change.fraction
    return volume


def _box(prim: Primitive, values: list[float], margin: float) -> tuple[Any, Any]:
    """The bounds of the widened bounding box of ``values``, inside the primitive's, rounded outward."""
    low, high = float(prim.low), float(prim.high)
    scale = math.log if prim.log else float
    inverse = math.exp if prim.log else float
    pad = margin * (scale(high) - scale(low))
    lo = inverse(scale(min(values)) - pad) if pad else min(values)
    hi = inverse(scale(max(values)) + pad) if pad else max(values)
    lo, hi = max(low, min(lo, min(values))), min(high, max(hi, max(values)))
    if prim.stepped:  # onto the grid, outward
        step = float(prim.step or 1)
        return prim.at(math.floor((lo - low) / step + 1e-9)), prim.at(math.ceil((hi - low) / step - 1e-9))
    if prim.kind == "int":
        return max(int(low), math.floor(lo)), min(int(high), math.ceil(hi))
    lo, hi = _round_down(lo, hi - lo, prim.log), _round_up(hi, hi - lo, prim.log)
    return max(low, min(lo, min(values))), min(high, max(hi, max(values)))


def _quantum(value: float, width: float, log: bool) -> tuple[float, int]:
    """The rounding unit: three significant digits of the width (of the value itself on a log scale)."""
    size = abs(value) if log else width
    if not size > 0 or not math.isfinite(size):
        return 0.0, 0
    exponent = math.floor(math.log10(size)) - (_DIGITS - 1)
    return 10.0**exponent, -exponent


def _round_down(value: float, width: float, log: bool) -> float:
    unit, digits = _quantum(value, width, log)
    return value if unit == 0 else round(math.floor(value / unit) * unit, max(digits, 0))


def _round_up(value: float, width: float, log: bool) -> float:
    unit, digits = _quantum(value, width, log)
    return value if unit == 0 else round(math.ceil(value / unit) * unit, max(digits, 0))


def _fraction(old: Primitive, new: Primitive) -> float:
    """The share of ``old``'s range that ``new`` keeps, in the scale the primitive is sampled in."""
    if old.kind == "choice" or old.stepped or (old.kind == "int" and not old.log):
        return (new.n or 1) / (old.n or 1)  # points of a grid, integers, choices
    scale = math.log if old.log else float
    (a, b), (c, d) = old.interval, new.interval  # an integer's: [low - 0.5, high + 0.5]
    if new.fixed:
        return 0.0
    width = scale(b) - scale(a)
    return 1.0 if width == 0 else (scale(d) - scale(c)) / width


def _span(prim: Primitive, values: list[Any]) -> str:
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    if prim.kind == "choice":
        return _choices([prim.options[int(v)] for v in sorted(set(int(v) for v in values))])
    return f"[{lo:.4g}, {hi:.4g}]" if lo != hi else f"{lo:.4g}"


def describe(element: Element | None) -> str:
    """A short text for an element in a table: a ``Conditional`` by its labels, others by their ``repr``.

    Example:
        >>> describe(Conditional({"adam": {"beta1": Float(0.8, 0.999)}, "sgd": {}})), describe(None)
        ("Conditional('adam' | 'sgd')", 'dropped')
    """
    if element is None:
        return "dropped"
    if isinstance(element, Conditional):
        return "Conditional(" + " | ".join(repr(label) for label in element.labels) + ")"
    text = repr(element)
    return text if len(text) <= 100 else text[:97] + "..."


def _choices(options: Sequence[Any]) -> str:
    text = ", ".join(repr(o) for o in options)
    return "{" + (text if len(text) <= 80 else text[:77] + "...") + "}"


def _count(change: Change, old: Space, trials: Sequence[Mapping[str, Any]]) -> Change:
    """``change`` with the number of ``trials`` that have the parameter active, and inside ``after``."""
    active = inside = 0
    element = old.param(change.key).element
    for raw in trials:
        if change.key not in raw:
            continue
        active += 1
        if change.after is not None and change.after.problem(element.decode(raw[change.key])) is None:
            inside += 1
    return dataclasses.replace(change, inside=inside, active=active)


def _fits(new: Space, old: Space, raw: Mapping[str, Any]) -> bool:
    try:
        new.encode(old.decode(raw))
    except ConfigError:
        return False
    return True
