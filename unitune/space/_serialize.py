"""Plain-dict form of a search space, for JSON and YAML files.

Each element is a dict with a ``"type"`` string; any other dict nests::

    lr:        {type: float, low: 1.0e-5, high: 0.1, log: true}
    layers:    {type: int, low: 1, high: 4}
    act:       {type: categorical, choices: [relu, tanh, null]}
    optimizer:
      kind: {type: conditional, branches: {adam: {beta1: {type: float, low: 0.8, high: 0.999}}, sgd: {}}}
    epochs:    {type: constant, value: 10}      # or simply: epochs: 10
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from unitune.exceptions import SpaceError, SpaceTypeError
from unitune.space._elements import Conditional, Element

__all__ = ["space_from_dict", "space_to_dict"]

_FIELDS = ("constant",)  # plus every registered element type


def _types() -> list[str]:
    return sorted([*Element._by_type, *_FIELDS])


def space_to_dict(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The plain-dict form of a space's mapping (see the module docstring)."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, Conditional):
            out[key] = {"type": "conditional", "branches": {k: space_to_dict(b) for k, b in value.branches.items()}}
        elif isinstance(value, Element):
            out[key] = value.to_dict()
        elif isinstance(value, Mapping):
            out[key] = space_to_dict(value)
        else:
            out[key] = {"type": "constant", "value": value}
    return out


def _is_spec(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("type"), str)


def space_from_dict(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The space mapping described by a plain dict (inverse of :func:`space_to_dict`).

    Raises:
        SpaceError: naming the path of a malformed entry.
    """
    if not isinstance(data, Mapping):
        raise SpaceTypeError(
            f"{prefix.rstrip('.') or '<root>'}: a space must be a mapping; received {type(data).__name__}"
        )
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if not _is_spec(value):
            out[key] = space_from_dict(value, path + ".") if isinstance(value, Mapping) else value
            continue
        kind = value["type"]
        if kind not in _types():
            close = difflib.get_close_matches(kind, _types(), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of {_types()}"
            raise SpaceError(f"parameter {path!r}: unknown type {kind!r}. Fix: {hint}")
        cls = Element._by_type.get(kind)
        required, optional = cls.fields if cls is not None else (frozenset({"value"}), frozenset())
        given = set(value) - {"type"}
        if required - given or given - required - optional:
            raise SpaceError(
                f"parameter {path!r}: a {kind!r} entry takes {sorted(required)} and optionally {sorted(optional)}; "
                f"received {sorted(given)}. Fix: add the missing fields, drop the unknown ones."
            )
        args = {k: v for k, v in value.items() if k != "type"}
        if cls is None:
            out[key] = args["value"]
        elif cls is Conditional:
            branches = args["branches"]
            if not isinstance(branches, Mapping):
                raise SpaceTypeError(f"parameter {path!r}: branches must be a mapping; received {branches!r}")
            out[key] = Conditional({k: space_from_dict(b, f"{path}[{k}].") for k, b in branches.items()})
        else:
            out[key] = cls.from_dict(args)
    return out
