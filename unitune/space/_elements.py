"""The leaves of a search space: ``Float``, ``Int``, ``Categorical``, ``Conditional``.

Elements only hold what the user wrote. The rules are checked by
:class:`unitune.Space`, which knows each element's path and so can name it in
the error; ``Space`` is built by every function that takes a space.

Each element reduces, once, to a neutral :class:`~unitune.space._transform.Primitive`
(:meth:`Element.primitive`): backends, the record and the reference sampler
only ever see primitives, so a new kind of element is one new subclass here.

Example:
    >>> Int(32, 256, step=32).primitive().n_steps
    7
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

from unitune.exceptions import SpaceTypeError
from unitune.space._element import Element
from unitune.space._rules import check_bounds, check_flags, check_number, parameter_error
from unitune.space._transform import Primitive, _safe_eq

__all__ = ["Categorical", "Conditional", "Element", "Float", "Int", "branches_of", "is_element", "parameter_error"]

PRIMITIVES = (type(None), bool, int, float, str)


@dataclass(frozen=True, repr=False)
class Float(Element):
    """A real number in ``[low, high]`` (both bounds inclusive).

    Args:
        low: Lower bound.
        high: Upper bound.
        log: Sample uniformly in ``log`` space (needs ``low > 0``).
        step: Restrict to the grid ``low + k * step``; must divide ``high - low``.

    Example:
        >>> Float(1e-5, 1e-1, log=True)
        Float(1e-05, 0.1, log=True)
    """

    low: float
    high: float
    _: KW_ONLY
    log: bool = False
    step: float | None = None

    def __repr__(self) -> str:
        extra = (", log=True" if self.log is True else "") + (f", step={self.step!r}" if self.step is not None else "")
        return f"Float({self.low!r}, {self.high!r}{extra})"

    def _check(self, path: str) -> None:
        for what in ("low", "high"):
            check_number(path, what, getattr(self, what), "Float")
        check_flags(path, "Float", self.log, self.step)
        low, high = float(self.low), float(self.high)
        check_bounds(path, "Float", self.low, self.high, self.log)
        if not math.isfinite(high - low):  # every backend computes with the width: it must be a float
            raise parameter_error(
                path, "Float needs a finite width high - low", repr(self), "rescale the parameter (e.g. log=True)"
            )
        if self.step is not None:
            if self.log:
                raise parameter_error(
                    path, "Float cannot have both step and log=True", repr(self), "drop step or set log=False"
                )
            n = (high - low) / float(self.step)
            if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)):
                good = Primitive("real", low, high, step=float(self.step)).at(math.floor(n))
                raise parameter_error(
                    path, "Float step must divide high - low (bounds are inclusive)", repr(self), f"use high={good!r}"
                )

    def primitive(self) -> Primitive:
        """A real interval, linear or log, on the grid of ``step`` if given."""
        step = None if self.step is None else float(self.step)
        return Primitive("real", float(self.low), float(self.high), self.log, step)

    type_name: ClassVar[str] = "float"
    fields: ClassVar[tuple[frozenset[str], frozenset[str]]] = (frozenset({"low", "high"}), frozenset({"log", "step"}))

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "float", "low": ..., "high": ...[, "log": True][, "step": ...]}``."""
        out: dict[str, Any] = {"type": "float", "low": float(self.low), "high": float(self.high)}
        if self.log:
            out["log"] = True
        if self.step is not None:
            out["step"] = self.step
        return out

    @property
    def n_steps(self) -> int:
        """Number of grid steps between ``low`` and ``high`` (0 without ``step``)."""
        return self.primitive().n_steps

    def grid_value(self, k: int) -> float:
        """The ``k``-th grid point ``low + k * step``, clipped to the bounds, in the decimals of low and step."""
        value: float = self.primitive().at(k)
        return value


@dataclass(frozen=True, repr=False)
class Int(Element):
    """An integer in ``[low, high]`` (both bounds inclusive).

    With ``log=True`` each integer ``k`` has the probability that a log-uniform
    draw on ``[low - 0.5, high + 0.5]`` rounds to ``k``.

    Args:
        low: Lower bound (an int).
        high: Upper bound (an int).
        log: Log-uniform (needs ``low >= 1`` and ``step == 1``).
        step: Restrict to ``low + k * step``; must divide ``high - low``.

    Example:
        >>> Int(32, 256, step=32)
        Int(32, 256, step=32)
    """

    low: int
    high: int
    _: KW_ONLY
    log: bool = False
    step: int = 1

    def __repr__(self) -> str:
        extra = (", log=True" if self.log is True else "") + (f", step={self.step!r}" if self.step != 1 else "")
        return f"Int({self.low!r}, {self.high!r}{extra})"

    def _check(self, path: str) -> None:
        for what in ("low", "high", "step"):
            value = getattr(self, what)
            check_number(path, what, value, "Int")
            if not isinstance(value, numbers.Integral):
                raise parameter_error(
                    path,
                    f"Int {what} must be an integer",
                    f"{what}={value!r}",
                    "use whole numbers, or Float(...) for a real range",
                    kind=SpaceTypeError,
                )
        check_flags(path, "Int", self.log, self.step)
        check_bounds(path, "Int", self.low, self.high, self.log)
        if self.log and self.step != 1:
            raise parameter_error(
                path, "Int cannot have both step and log=True", repr(self), "drop step or set log=False"
            )
        if (int(self.high) - int(self.low)) % int(self.step):
            good = int(self.low) + (int(self.high) - int(self.low)) // int(self.step) * int(self.step)
            raise parameter_error(
                path, "Int step must divide high - low (bounds are inclusive)", repr(self), f"use high={good}"
            )

    def primitive(self) -> Primitive:
        """The integers ``low, low + step, ..., high``, optionally log-scaled."""
        return Primitive("int", int(self.low), int(self.high), self.log, int(self.step))

    type_name: ClassVar[str] = "int"
    fields: ClassVar[tuple[frozenset[str], frozenset[str]]] = (frozenset({"low", "high"}), frozenset({"log", "step"}))

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "int", "low": ..., "high": ...[, "log": True][, "step": ...]}``."""
        out: dict[str, Any] = {"type": "int", "low": int(self.low), "high": int(self.high)}
        if self.log:
            out["log"] = True
        if self.step != 1:
            out["step"] = int(self.step)
        return out

    @property
    def n_steps(self) -> int:
        """Number of steps between ``low`` and ``high``."""
        return self.primitive().n_steps

    def grid_value(self, k: int) -> int:
        """The ``k``-th grid point ``low + k * step``."""
        value: int = self.primitive().at(k)
        return value


@dataclass(frozen=True, repr=False, eq=False)
class Categorical(Element):
    """One of ``choices``, each equally likely; any Python objects.

    The objective receives the very object from ``choices`` (not a copy, not
    a string), so estimators, ``None``, tuples and dicts all work.

    Example:
        >>> Categorical(["relu", "tanh", None])
        Categorical(['relu', 'tanh', None])
    """

    choices: tuple[Any, ...]

    def __init__(self, choices: Iterable[Any]) -> None:
        if isinstance(choices, (str, bytes, Mapping)) or not isinstance(choices, Iterable):
            object.__setattr__(self, "choices", choices)
        else:
            object.__setattr__(self, "choices", tuple(choices))

    def __repr__(self) -> str:
        return (
            f"Categorical({list(self.choices)!r})"
            if isinstance(self.choices, tuple)
            else f"Categorical({self.choices!r})"
        )

    def __eq__(self, other: object) -> bool:
        if (
            not isinstance(other, Categorical)
            or not isinstance(other.choices, tuple)
            or not isinstance(self.choices, tuple)
        ):
            return NotImplemented if not isinstance(other, Categorical) else self.choices is other.choices
        return len(self.choices) == len(other.choices) and all(
            a is b or (type(a) is type(b) and _safe_eq(a, b)) for a, b in zip(self.choices, other.choices, strict=True)
        )

    def __hash__(self) -> int:
        return hash(("Categorical", len(self.choices) if isinstance(self.choices, tuple) else 0))

    def _check(self, path: str) -> None:
        if not isinstance(self.choices, tuple):
            raise parameter_error(
                path,
                "Categorical choices must be a list or tuple",
                f"{self.choices!r} ({type(self.choices).__name__})",
                "wrap them in a list, e.g. Categorical(['a', 'b'])",
                kind=SpaceTypeError,
            )
        if not self.choices:
            raise parameter_error(
                path, "Categorical needs at least one choice", "[]", "list the choices, or use a constant"
            )
        seen: set[tuple[type, Any]] = set()
        for choice in self.choices:
            if isinstance(choice, PRIMITIVES):
                if (type(choice), choice) in seen and not (isinstance(choice, float) and math.isnan(choice)):
                    raise parameter_error(
                        path,
                        "Categorical choices must be distinct",
                        repr(list(self.choices)),
                        f"remove the repeated {choice!r}",
                    )
                seen.add((type(choice), choice))

    def primitive(self) -> Primitive:
        """A choice among the objects of ``choices`` (raw values are their indices)."""
        return Primitive.choice(self.choices)

    type_name: ClassVar[str] = "categorical"
    fields: ClassVar[tuple[frozenset[str], frozenset[str]]] = (frozenset({"choices"}), frozenset())

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "categorical", "choices": [...]}``."""
        return {"type": "categorical", "choices": list(self.choices)}

    @classmethod
    def from_dict(cls, fields: Mapping[str, Any]) -> Categorical:
        """``Categorical(fields["choices"])``."""
        return cls(fields["choices"])

    def index(self, value: Any) -> int:
        """Position of ``value`` in ``choices``: the very object first, then an equal one.

        Raises:
            ValueError: if ``value`` is not among the choices.
        """
        return self.primitive().index(value)


@dataclass(frozen=True, repr=False, eq=False)
class Conditional(Element):
    """A choice between labelled sub-spaces.

    The key that holds the ``Conditional`` receives the chosen label, and the
    chosen branch's entries are merged into the same dict. Branches may nest
    and may reuse names; a branch entry may not collide with a sibling.

    Example:
        >>> Conditional({"adam": {"beta1": Float(0.8, 0.999)}, "sgd": {}})
        Conditional({'adam': {'beta1': Float(0.8, 0.999)}, 'sgd': {}})
    """

    branches: Mapping[str, Mapping[str, Any]]

    def __init__(self, branches: Mapping[str, Mapping[str, Any]]) -> None:
        object.__setattr__(self, "branches", dict(branches) if isinstance(branches, Mapping) else branches)

    def __repr__(self) -> str:
        return f"Conditional({self.branches!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Conditional):
            return NotImplemented
        if isinstance(self.branches, Mapping) and isinstance(other.branches, Mapping):  # label order = raw indices
            return list(self.branches) == list(other.branches) and bool(self.branches == other.branches)
        return bool(self.branches == other.branches)

    def __hash__(self) -> int:
        return hash(("Conditional", tuple(self.branches) if isinstance(self.branches, Mapping) else 0))

    @property
    def labels(self) -> tuple[str, ...]:
        """The branch labels, in order."""
        return tuple(self.branches)

    def primitive(self) -> Primitive:
        """A choice among the labels; backends that show categories show the labels."""
        return Primitive.choice(self.labels, labels=self.labels)

    type_name: ClassVar[str] = "conditional"
    fields: ClassVar[tuple[frozenset[str], frozenset[str]]] = (frozenset({"branches"}), frozenset())

    def _check(self, path: str) -> None:
        if not isinstance(self.branches, Mapping):
            raise parameter_error(
                path,
                "Conditional takes a dict of {label: sub-space}",
                f"{self.branches!r} ({type(self.branches).__name__})",
                "write Conditional({'a': {...}, 'b': {...}})",
                kind=SpaceTypeError,
            )
        if not self.branches:
            raise parameter_error(
                path, "Conditional needs at least one branch", "{}", "add branches: Conditional({'a': {...}})"
            )
        for label, branch in self.branches.items():
            if not isinstance(label, str) or not label:
                raise parameter_error(
                    path,
                    "Conditional branch labels must be non-empty strings",
                    repr(label),
                    "use string labels such as 'adam'",
                    kind=SpaceTypeError,
                )
            if not isinstance(branch, Mapping):
                raise parameter_error(
                    path,
                    f"Conditional branch {label!r} must be a dict of parameters",
                    f"{branch!r} ({type(branch).__name__})",
                    "use {} for a branch without parameters",
                    kind=SpaceTypeError,
                )


def is_element(value: Any) -> bool:
    """Whether ``value`` is a sampled element of a space (``Float``, ``Int``, ``Categorical``, ``Conditional``, ...).

    Example:
        >>> is_element(Float(0, 1)), is_element([0, 1])
        (True, False)
    """
    return isinstance(value, Element)


def branches_of(value: Any) -> Mapping[str, Any] | None:
    """The branches of a ``Conditional`` (``{label: sub-space}``), None for any other value.

    Example:
        >>> branches_of(Conditional({"a": {}, "b": {"x": Float(0, 1)}}))
        {'a': {}, 'b': {'x': Float(0, 1)}}
    """
    if isinstance(value, Conditional) and isinstance(value.branches, Mapping):
        return value.branches
    return None
