"""Search spaces for :class:`unitune.sklearn.SearchCV`: checks, scikit-learn style conversion, candidates.

Every dict of a space (the space itself, each dict of a list, each branch of a
:class:`~unitune.Conditional`) is read on its own:

* it is **scikit-learn style** when one of its values is a list, a 1-d NumPy
  array or a scipy.stats distribution (an object with ``rvs``). Its values then
  follow scikit-learn's rules: a list, tuple or array lists the values
  (:class:`~unitune.Categorical`; a single value is a constant), a distribution
  becomes a :class:`~unitune.Float` or :class:`~unitune.Int`, and anything else
  (unitune elements, other constants) is kept;
* otherwise it is a **unitune space**, where a tuple or any other value is a constant.

A list of dicts (scikit-learn's list of grids) becomes ``{"_grid": Conditional({"0": ..., "1": ...})}``.
Keys are scikit-learn parameter names (``"C"``, ``"clf__max_depth"``); keys that
start with ``"_"`` are pseudo parameters, sampled but not passed to the estimator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from unitune.exceptions import SpaceError, SpaceTypeError
from unitune.space import (
    Categorical,
    Conditional,
    Space,
    branches_of,
    from_foreign,
    from_scipy,
    is_distribution,
    is_element,
    parameter_error,
)

__all__ = ["GRID_KEY", "candidate", "to_space"]

#: Key of the Conditional that chooses between the dicts of a list of grids.
GRID_KEY = "_grid"


def to_space(space: Any) -> Space:
    """The unitune :class:`Space` of a ``SearchCV`` space (a Space, a dict or a list of dicts).

    Raises:
        SpaceError: naming the parameter, for nested dicts, dotted names and unsupported distributions.
    """
    if isinstance(space, Space):
        _check_flat(space.mapping, "")
        return space
    if isinstance(space, Mapping):
        return Space(_convert_dict(space, ""))
    if isinstance(space, (list, tuple)):
        if not space:
            raise SpaceError("the list of parameter grids is empty. Fix: give at least one dict, e.g. [{'C': [1, 10]}]")
        for i, grid in enumerate(space):
            if not isinstance(grid, (Mapping, Space)):
                raise SpaceTypeError(
                    f"entry {i} of the list of parameter grids must be a dict; received {grid!r} "
                    f"({type(grid).__name__}). Fix: use a list of dicts, e.g. [{{'C': [1, 10]}}, {{'n': [1, 2]}}]"
                )
        grids = [_as_dict(g, f" (in grid {i})") for i, g in enumerate(space)]
        if len(grids) == 1:
            return Space(grids[0])
        return Space({GRID_KEY: Conditional({str(i): g for i, g in enumerate(grids)})})
    raise SpaceTypeError(
        f"space must be a unitune Space, a dict or a list of dicts; received {type(space).__name__}. "
        "Fix: write e.g. {'C': ut.Float(0.01, 100, log=True)} or scikit-learn's {'C': [0.1, 1, 10]}"
    )


def _as_dict(grid: Mapping[str, Any] | Space, where: str) -> Mapping[str, Any]:
    if isinstance(grid, Space):
        _check_flat(grid.mapping, where)
        return grid.mapping
    return _convert_dict(grid, where)


def is_sklearn_style(mapping: Mapping[str, Any]) -> bool:
    """Whether a dict is a scikit-learn ``param_grid``/``param_distributions`` (see the module docstring)."""
    return any(isinstance(v, (list, np.ndarray)) or is_distribution(v) for v in mapping.values())


def _convert_dict(mapping: Mapping[str, Any], where: str) -> dict[str, Any]:
    sklearn_style = is_sklearn_style(mapping)
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{key}{where}"
        if isinstance(key, str) and "." in key:
            raise parameter_error(
                name,
                "scikit-learn parameter names contain no '.'",
                repr(key),
                f"name parameters of nested estimators with '__', e.g. {key.replace('.', '__')!r}",
            )
        branches = branches_of(value)
        if branches is not None:
            value = Conditional(
                {
                    label: _convert_dict(b, f" (in branch {label} of {name})") if isinstance(b, Mapping) else b
                    for label, b in branches.items()
                }
            )
        elif sklearn_style:
            value = _convert_value(name, value)
        _check_value(name, value)
        out[key] = value
    return out


def _check_flat(mapping: Mapping[str, Any], where: str) -> None:
    for key, value in mapping.items():
        name = f"{key}{where}"
        branches = branches_of(value)
        if branches is not None:
            for label, branch in branches.items():
                if isinstance(branch, Mapping):
                    _check_flat(branch, f" (in branch {label} of {name})")
        else:
            _check_value(name, value)


def _check_value(name: str, value: Any) -> None:
    if isinstance(value, (Mapping, Space)):
        raise parameter_error(
            name,
            "a nested dict is not a scikit-learn parameter",
            repr(dict(value.mapping) if isinstance(value, Space) else value),
            "name the parameters of nested estimators with '__' ({'clf__C': ...}, not {'clf': {'C': ...}}); "
            "to search over dict values use Categorical([{...}, {...}])",
        )


def _convert_value(name: str, value: Any) -> Any:
    if is_element(value):
        return value
    element = from_foreign(name, value)
    if element is not None:
        return element
    if is_distribution(value):
        return from_scipy(name, value)
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise parameter_error(
            name, "an array of values must be 1-d", f"an array of shape {value.shape}", "pass a 1-d array"
        )
    if isinstance(value, (list, tuple, np.ndarray)):
        values = value.tolist() if isinstance(value, np.ndarray) else list(value)  # Python numbers, not NumPy's
        if not values:
            raise parameter_error(name, "the list of values is empty", repr(value), "list at least one value")
        if any(is_element(v) or isinstance(v, Space) or is_distribution(v) for v in values):
            raise parameter_error(
                name,
                "a list of values cannot hold unitune elements or distributions",
                repr(value),
                "use the element itself (e.g. 'C': Float(...)), or a list of grids [{...}, {...}]",
                kind=SpaceTypeError,
            )
        if len(values) == 1 and not isinstance(values[0], Mapping):
            return values[0]  # a constant (a dict stays a Categorical: a plain dict would nest)
        return Categorical(values)
    return value


def _holds_estimator(value: Any) -> bool:
    if hasattr(value, "get_params") and not isinstance(value, type):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_holds_estimator(v) for v in value)
    if isinstance(value, Mapping):
        return any(_holds_estimator(v) for v in value.values())
    return False


def candidate(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of one scikit-learn candidate: pseudo parameters dropped, estimators cloned."""
    from sklearn.base import clone

    return {
        key: clone(value, safe=False) if _holds_estimator(value) else value
        for key, value in params.items()
        if not key.startswith("_")
    }
