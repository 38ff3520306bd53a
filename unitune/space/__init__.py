"""The neutral search-space language.

A space is a plain dict: elements (:class:`Float`, :class:`Int`,
:class:`Categorical`, :class:`Conditional`) are sampled, plain dicts nest,
anything else is a constant. :class:`Space` checks the rules, names every
parameter by its flat dotted path and converts between the nested
configuration an objective receives and the flat, raw form backends use.

Example:
    >>> space = Space({
    ...     "lr": Float(1e-5, 1e-1, log=True),
    ...     "optimizer": {"kind": Conditional({"adam": {"beta1": Float(0.8, 0.999)}, "sgd": {}})},
    ...     "epochs": 10,
    ... })
    >>> space.names
    ('lr', 'optimizer.kind', 'optimizer.beta1')
    >>> space.is_active("optimizer.beta1", {"lr": 0.01, "optimizer": {"kind": "sgd"}, "epochs": 10})
    False
"""

from __future__ import annotations

from unitune.space._elements import (
    Categorical,
    Conditional,
    Element,
    Float,
    Int,
    branches_of,
    is_element,
    parameter_error,
)
from unitune.space._foreign import from_foreign, from_scipy, is_distribution
from unitune.space._narrow import Change, Narrowing, describe, narrow_space
from unitune.space._space import Condition, Param, Space, SpaceLike, as_space, conditions_hold
from unitune.space._transform import Primitive

__all__ = [
    "Categorical",
    "Change",
    "Condition",
    "Conditional",
    "Element",
    "Float",
    "Int",
    "Narrowing",
    "Param",
    "Primitive",
    "Space",
    "SpaceLike",
    "as_space",
    "branches_of",
    "conditions_hold",
    "describe",
    "from_foreign",
    "from_scipy",
    "is_distribution",
    "is_element",
    "narrow_space",
    "parameter_error",
]
