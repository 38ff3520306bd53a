"""Constraints of a study: where their values come from, how they are checked, what feasible means.

A constraint value ``<= 0`` is satisfied (Optuna's convention); a trial is
feasible when every value is. ``constraints=`` of a study is either

* a function ``constraints(config, result) -> [c0, c1, ...]`` of the trial's
  configuration and of what the objective returned (a number, a sequence or a
  dict, as returned), or
* a name, or a list of names, of entries of the objective's dict result that hold
  the values (``{"accuracy": 0.93, "memory_excess": -1.5}`` with
  ``constraints=["memory_excess"]``); those entries are kept as trial attributes too.

In an ask/tell loop, ``study.tell(trial, value, constraints=[...])`` gives the
values directly. Only complete trials have constraint values.

Example:
    >>> spec = Constraints(lambda config, result: [config["x"] - 0.5])
    >>> spec.evaluate({"x": 0.75}, 1.0)
    (0.25,)
    >>> Constraints(["memory"]).evaluate({}, {"value": 1.0, "memory": -2})
    (-2.0,)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from unitune.exceptions import ArgumentTypeError, ObjectiveError, argument_error

__all__ = ["Constraints", "ConstraintsLike", "violation"]

#: What ``constraints=`` accepts: a function of (configuration, result), or the names of dict-result entries.
ConstraintsLike = Callable[[dict[str, Any], Any], Sequence[float]] | str | Sequence[str]


class Constraints:
    """The constraints of a study (see the module docstring).

    Raises:
        ArgumentTypeError: for anything else than a function or names.
    """

    def __init__(self, spec: ConstraintsLike) -> None:
        self.function: Callable[[dict[str, Any], Any], Sequence[float]] | None = None
        self.names: list[str] | None = None
        if isinstance(spec, str):
            spec = [spec]
        if callable(spec):
            self.function = spec
        elif isinstance(spec, Sequence) and spec and all(isinstance(n, str) and n for n in spec):
            if len(set(spec)) != len(spec):
                raise argument_error("constraints", "must list distinct names", list(spec), "name each once")
            self.names = list(spec)
        else:
            raise argument_error(
                "constraints",
                "must be a function of (config, result) returning the constraint values, or the names of entries "
                "of the objective's dict result that hold them",
                spec,
                "pass e.g. constraints=lambda config, result: [result['memory'] - 4.0], "
                "or constraints=['memory_excess']",
                kind=ArgumentTypeError,
            )

    def evaluate(self, config: dict[str, Any], result: Any, given: Sequence[float] | None = None) -> tuple[float, ...]:
        """The constraint values of a complete trial: ``given`` (from ``tell``), else from the function or the result.

        Raises:
            ObjectiveError: if the values are missing, not numbers or NaN (or the function raised).
        """
        if given is not None:
            values, where = given, "tell(constraints=...)"
        elif self.function is not None:
            where = "the constraints function"
            try:
                values = self.function(config, result)
            except Exception as error:
                raise ObjectiveError(f"{where} raised {type(error).__name__}: {error}") from error
        else:
            assert self.names is not None
            where = "the objective's result"
            if not isinstance(result, Mapping) or any(n not in result for n in self.names):
                held = sorted(map(str, result)) if isinstance(result, Mapping) else f"{result!r}"
                raise ObjectiveError(
                    f"the constraints {self.names} are read from the objective's dict result; it returned {held}. "
                    f"Fix: return a dict holding {self.names} (each value <= 0 when satisfied)"
                )
            values = [result[n] for n in self.names]
        return _check(values, where, self.names)


def _check(values: Any, where: str, names: Sequence[str] | None) -> tuple[float, ...]:
    if hasattr(values, "tolist") and not isinstance(values, (str, bytes)):
        values = values.tolist()
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = [values]
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence):
        raise ObjectiveError(
            f"{where} must give a sequence of constraint values (each <= 0 when satisfied); received {values!r}. "
            "Fix: return a list of floats"
        )
    if names is not None and len(values) != len(names):
        raise ObjectiveError(
            f"{where} gave {len(values)} constraint value(s) for the {len(names)} constraints {list(names)}. "
            "Fix: give one value per constraint"
        )
    out = []
    for i, value in enumerate(values):
        label = repr(names[i]) if names is not None else str(i)
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(float(value)):
            raise ObjectiveError(
                f"constraint {label} from {where} must be a number (not NaN); received {value!r}. "
                "Fix: give a float, <= 0 when the constraint is satisfied"
            )
        out.append(float(value))
    return tuple(out)


def violation(constraints: Sequence[float] | None) -> float:
    """The total violation ``sum(max(0, c))`` (0 for a feasible trial, or one without constraints).

    Example:
        >>> violation([-1.0, 0.5, 2.0]), violation(None)
        (2.5, 0.0)
    """
    return float(sum(max(0.0, c) for c in constraints or ()))
