"""Compiling a space's mapping: its parameters, their flat names and unique keys, conditions, constants.

Before compiling, :func:`normalize` reads other libraries' space objects
(:mod:`unitune.space._foreign`) and refuses sub-spaces hidden where they would
not be sampled (inside lists, inside ``Categorical`` choices).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from unitune.exceptions import SpaceTypeError
from unitune.space._elements import Categorical, Conditional, Element, parameter_error
from unitune.space._foreign import from_foreign
from unitune.space._transform import Primitive

__all__ = ["Condition", "Param", "compile_entries", "normalize"]


@dataclass(frozen=True)
class Condition:
    """``param`` (a Conditional's key) must hold ``label`` (at position ``index``)."""

    key: str
    name: str
    label: str
    index: int


@dataclass(frozen=True)
class Param:
    """One sampled parameter of a space.

    Attributes:
        name: Flat dotted path, e.g. ``"optimizer.beta1"`` (DataFrame columns).
        key: Unique name given to backends and the record; equal to ``name``
            unless two branches reuse a name, then ``"name[kind=label]"``.
        element: The element as written (a Conditional's raw value is its label's index).
        conditions: The (conditional, label) pairs that must hold for it to be active.
        primitive: The neutral primitive the element reduces to: all that backends and the record see.
    """

    name: str
    key: str
    element: Element
    conditions: tuple[Condition, ...]
    primitive: Primitive = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "primitive", self.element.primitive())

    @property
    def path(self) -> tuple[str, ...]:
        """The nested path of the parameter in a configuration."""
        return tuple(self.name.split("."))

    @property
    def branching(self) -> bool:
        """Whether the parameter is a Conditional (its value picks the branch that is active)."""
        return isinstance(self.element, Conditional)


@dataclass(frozen=True)
class _Entry:
    kind: str  # "param", "const" or "dict"
    name: str
    conditions: tuple[Condition, ...]
    param: Param | None = None
    value: Any = None


def _branch_names(branch: Mapping[str, Any]) -> set[str]:
    names = {k for k in branch if isinstance(k, str)}
    for value in branch.values():
        if isinstance(value, Conditional) and isinstance(value.branches, Mapping):
            for sub in value.branches.values():
                if isinstance(sub, Mapping):
                    names |= _branch_names(sub)
    return names


def compile_entries(mapping: Mapping[str, Any]) -> list[_Entry]:
    """The entries of a normalized mapping: every dict, parameter and constant, in order.

    Names reused by two branches get unique keys ``"name[kind=label]"``.

    Raises:
        SpaceError: naming the path of the first rule broken.
    """
    entries: list[_Entry] = []
    _compile(entries, mapping, (), (), frozenset())
    counts: dict[str, int] = {}
    for e in entries:
        if e.param is not None:
            counts[e.name] = counts.get(e.name, 0) + 1
    if any(n > 1 for n in counts.values()):  # compile again, with unique keys
        entries = []
        _compile(entries, mapping, (), (), frozenset(), counts)
    return entries


def _compile(
    entries: list[_Entry],
    mapping: Mapping[str, Any],
    prefix: tuple[str, ...],
    conds: tuple[Condition, ...],
    taken: frozenset[str],
    counts: Mapping[str, int] | None = None,
) -> None:
    where = ".".join(prefix) or "<root>"
    for key in mapping:
        if not isinstance(key, str):
            raise parameter_error(
                f"{where}", "names must be strings", repr(key), f"use str({key!r}) as the name", kind=SpaceTypeError
            )
        if not key or "." in key:
            fix = f"nest dicts instead, e.g. {{{key.split('.')[0]!r}: {{...}}}}" if key else "give it a name"
            raise parameter_error(
                ".".join((*prefix, key)), "names must be non-empty and contain no '.'", repr(key), fix
            )
    own = set(mapping)
    cond_names = {
        k: set().union(*(_branch_names(b) for b in v.branches.values() if isinstance(b, Mapping)))
        for k, v in mapping.items()
        if isinstance(v, Conditional) and isinstance(v.branches, Mapping) and v.branches
    }
    for key, value in mapping.items():
        name = ".".join((*prefix, key))
        if isinstance(value, Element):
            value._check(name)
            key_ = name
            if counts and counts[name] > 1:
                key_ = f"{name}[{_tags(conds)}]"
            param = Param(name, key_, value, conds)
            entries.append(_Entry("param", name, conds, param))
            if isinstance(value, Conditional):
                others = set().union(*(n for k, n in cond_names.items() if k != key))
                outside = own | taken | others
                for index, (label, branch) in enumerate(value.branches.items()):
                    clash = sorted(_branch_names(branch) & outside)
                    if clash:
                        sibling = f"sibling {'.'.join((*prefix, clash[0]))!r}"
                        if clash[0] not in own | taken:  # it comes from another Conditional's branch
                            owner = next(k for k, n in cond_names.items() if k != key and clash[0] in n)
                            sibling += f" (from a branch of {'.'.join((*prefix, owner))!r})"
                        raise parameter_error(
                            name,
                            f"branch {label!r} defines {clash[0]!r}, which collides with {sibling}",
                            repr(value),
                            "rename one of them (two branches may reuse a name, a branch and a sibling may not)",
                        )
                    cond = Condition(key_, name, label, index)
                    _compile(entries, branch, prefix, (*conds, cond), frozenset(outside), counts)
        elif isinstance(value, Mapping):
            entries.append(_Entry("dict", name, conds))
            _compile(entries, value, (*prefix, key), conds, frozenset(), counts)
        else:
            if isinstance(value, (list, tuple)) and any(_holds_elements(v) for v in value):
                raise parameter_error(
                    name,
                    "elements inside lists are not sampled",
                    repr(value),
                    "use a dict of named parameters, e.g. {'a': Float(...), 'b': Float(...)}",
                    kind=SpaceTypeError,
                )
            entries.append(_Entry("const", name, conds, value=value))


def _tags(conds: tuple[Condition, ...]) -> str:
    return ",".join(f"{c.name.rsplit('.', 1)[-1]}={c.label}" for c in conds)


def _holds_elements(value: Any) -> bool:
    """Whether ``value`` is an element or a dict or list holding one (so it would not be sampled)."""
    if isinstance(value, Element):
        return True
    if isinstance(value, Mapping):
        return any(_holds_elements(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_elements(v) for v in value)
    return False


def normalize(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``mapping`` with other libraries' space objects converted, and hidden sub-spaces refused.

    Raises:
        SpaceTypeError: for a foreign object without an equivalent, or a ``Categorical`` whose
            choices hold elements (with the same space written with ``Conditional``).
    """
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Conditional) and isinstance(value.branches, Mapping):
            value = Conditional(
                {
                    label: normalize(branch, prefix) if isinstance(branch, Mapping) else branch
                    for label, branch in value.branches.items()
                }
            )
        elif isinstance(value, Categorical) and isinstance(value.choices, tuple):
            if any(_holds_elements(c) for c in value.choices):
                raise parameter_error(
                    name,
                    "elements inside Categorical choices are not sampled",
                    repr(value),
                    f"write the choices as branches of a Conditional: {_as_conditional(value.choices)}",
                    kind=SpaceTypeError,
                )
        elif isinstance(value, Mapping):
            value = normalize(value, f"{name}.")
        elif not isinstance(value, Element):
            value = from_foreign(name, value) or value
        out[key] = value
    return out


def _as_conditional(choices: tuple[Any, ...]) -> str:
    """The Conditional that a Categorical over sub-spaces means (its labels taken from string entries)."""
    branches = []
    for i, choice in enumerate(choices):
        if isinstance(choice, Mapping):
            label = next((v for v in choice.values() if isinstance(v, str)), str(i))
            rest = {k: v for k, v in choice.items() if not (isinstance(v, str) and v == label)}
            branches.append(f"{label!r}: {rest!r}")
        else:
            branches.append(f"{str(i)!r}: {{'value': {choice!r}}}")
    return "Conditional({" + ", ".join(branches) + "})"
