"""Several objectives: the directions of a study, the values an objective returns, and Pareto fronts.

A study has one direction per objective. An objective of a study with several
returns a sequence of numbers (one per objective, in order), or a dict: with
``objectives=["accuracy", "latency"]`` naming them, a dict holding those keys
(other entries become trial attributes, as with one objective); without names,
a dict with the sequence under ``"values"``. Named objectives may come as a
sequence too, in the order of their names.

The best trials of a study are its Pareto front, as Optuna defines it: the
complete (and feasible, when the study has constraints) trials that no other
such trial dominates; a trial dominates another when it is at least as good in
every objective and better in one. Trials with equal values are all on the front.

Example:
    >>> read_values([0.5, 3], n_objectives=2)
    ((0.5, 3.0), {})
    >>> read_values({"accuracy": 0.9, "latency": 12, "epochs": 3}, n_objectives=2, names=["accuracy", "latency"])
    ((0.9, 12.0), {'epochs': 3})
    >>> front_mask([[1, 2], [2, 1], [2, 2], [1, 2]], ["minimize", "minimize"]).tolist()
    [True, True, False, True]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from unitune.adapters import TrialState
from unitune.exceptions import ArgumentError, ArgumentTypeError, ObjectiveError, argument_error
from unitune.study._values import unpack

if TYPE_CHECKING:
    import numpy as np

    from unitune.study._trial import Trial

__all__ = [
    "judge",
    "VALUES_KEY",
    "best_of",
    "best_trials",
    "check_backend",
    "check_directions",
    "front_mask",
    "read_values",
    "value_columns",
]

#: Key of the objective values when an objective of several returns a dict without named objectives.
VALUES_KEY = "values"
_DIRECTIONS = ("minimize", "maximize")


def check_directions(
    direction: str | None, directions: Sequence[str] | None, objectives: Sequence[str] | None
) -> tuple[list[str], list[str] | None]:
    """``(directions, names)`` of a study from its arguments, checked before anything is built.

    ``direction`` is for one objective, ``directions`` for one or several (one of the two);
    ``objectives`` names them (as many names as directions; without directions, all minimized).

    Raises:
        ArgumentError: naming the argument, what it received and the fix.

    Example:
        >>> check_directions(None, ["minimize", "maximize"], None)
        (['minimize', 'maximize'], None)
        >>> check_directions(None, None, ["error", "size"])
        (['minimize', 'minimize'], ['error', 'size'])
    """
    if direction is not None and directions is not None:
        raise ArgumentError(
            f"give direction= (one objective) or directions= (one per objective), not both; received "
            f"direction={direction!r} and directions={directions!r}. Fix: drop one of them"
        )
    names = _check_names(objectives)
    if directions is None:
        single = "minimize" if direction is None else direction
        if single not in _DIRECTIONS:
            raise argument_error("direction", "must be 'minimize' or 'maximize'", single, "use one of those two")
        found = [single] * (len(names) if names is not None else 1)
    else:
        if isinstance(directions, str) or not isinstance(directions, Sequence):
            raise argument_error(
                "directions",
                "must be a list of 'minimize'/'maximize', one per objective",
                directions,
                "pass e.g. directions=['minimize', 'maximize']",
                kind=ArgumentTypeError,
            )
        found = list(directions)
        bad = [d for d in found if d not in _DIRECTIONS]
        if not found or bad:
            raise argument_error(
                "directions",
                "must list 'minimize' or 'maximize' for each objective (at least one)",
                directions,
                "pass e.g. directions=['minimize', 'maximize']",
            )
    if names is not None and len(names) != len(found):
        raise argument_error(
            "objectives",
            f"must name each of the {len(found)} objective(s) given by the directions",
            list(names),
            f"give {len(found)} names, or as many directions as names",
        )
    return found, names


def _check_names(objectives: Sequence[str] | None) -> list[str] | None:
    if objectives is None:
        return None
    if isinstance(objectives, str) or not all(isinstance(n, str) and n for n in objectives):
        raise argument_error(
            "objectives",
            "must be a list of names (non-empty strings), one per objective",
            objectives,
            "pass e.g. objectives=['accuracy', 'latency']",
            kind=ArgumentTypeError,
        )
    names = list(objectives)
    if not names or len(set(names)) != len(names):
        raise argument_error("objectives", "must list distinct names", names, "give each objective its own name")
    return names


def judge(
    result: Any, n_objectives: int, names: Sequence[str] | None = None
) -> tuple[TrialState, tuple[float, ...], dict[str, Any], str | None]:
    """``(state, values, attributes, reason)`` of an objective's result: complete, or failed with the reason.

    NaN, infinite values and ints beyond float's range make a failed trial that says what was returned.

    Example:
        >>> judge({"value": float("nan"), "note": 1}, 1)
        ('failed', (nan,), {'note': 1}, 'the objective returned nan')
    """
    try:
        values, attrs = read_values(result, n_objectives, names)
    except OverflowError:  # an int beyond float's range
        text = str(result) if len(str(result)) < 40 else f"{str(result)[:20]}...({len(str(result))} digits)"
        return TrialState.FAILED, (math.inf,), {}, f"the objective returned {text}, too large for a float"
    if not all(math.isfinite(v) for v in values):
        shown = values[0] if len(values) == 1 else list(values)
        return TrialState.FAILED, values, attrs, f"the objective returned {shown!r}"
    return TrialState.COMPLETE, values, attrs, None


def read_values(
    result: Any, n_objectives: int, names: Sequence[str] | None = None
) -> tuple[tuple[float, ...], dict[str, Any]]:
    """``(values, attributes)`` from what an objective returned (see the module docstring).

    Raises:
        ObjectiveError: for a wrong number of values, a missing name or a value that is not a number.
        OverflowError: for an int beyond float's range (the study records a failed trial).
    """
    if names is None and n_objectives == 1:
        value, found = unpack(result)
        return (value,), found
    attrs: dict[str, Any] = {}
    if names is not None and isinstance(result, Mapping):
        missing = [n for n in names if n not in result]
        if missing:
            raise ObjectiveError(
                f"the objective's dict lacks the objective(s) {missing}; it holds {sorted(map(str, result))}. "
                f"Fix: return every one of {list(names)}"
            )
        attrs = {str(k): v for k, v in result.items() if k not in names}
        raw = [result[n] for n in names]
        labels = [repr(n) for n in names]
    else:
        if isinstance(result, Mapping):
            if VALUES_KEY not in result:
                raise ObjectiveError(
                    f"the objective returned a dict without the key {VALUES_KEY!r}: {sorted(map(str, result))}. "
                    f"Fix: return a sequence of {n_objectives} numbers, a dict with them under {VALUES_KEY!r}, or "
                    "name the objectives (objectives=[...]) and return a dict holding those names"
                )
            attrs = {str(k): v for k, v in result.items() if k != VALUES_KEY}
            result = result[VALUES_KEY]
        raw = _sequence(result, n_objectives)
        labels = [str(i) for i in range(len(raw))]
    return tuple(_number(v, label) for v, label in zip(raw, labels, strict=True)), attrs


def _sequence(result: Any, n_objectives: int) -> list[Any]:
    if hasattr(result, "tolist") and not isinstance(result, (str, bytes)):  # NumPy arrays, torch tensors
        result = result.tolist()
    if isinstance(result, (str, bytes, Mapping)) or not isinstance(result, Sequence):
        raise ObjectiveError(
            f"the objective must return {n_objectives} numbers (one per objective); it returned {result!r} "
            f"({type(result).__name__}). Fix: return a list or tuple such as ({', '.join(['...'] * n_objectives)})"
        )
    if len(result) != n_objectives:
        raise ObjectiveError(
            f"the objective returned {len(result)} value(s) for {n_objectives} objectives: {list(result)!r}. "
            f"Fix: return one number per direction ({n_objectives})"
        )
    return list(result)


def _number(value: Any, label: str) -> float:
    if type(value) is float or type(value) is int:
        return float(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    if hasattr(value, "item") and getattr(value, "size", None) == 1 and kind in ("f", "i", "u"):
        return float(value.item())  # 0-d arrays, one-element tensors
    raise ObjectiveError(
        f"objective {label} must be a number; the objective returned {value!r} ({type(value).__name__}). "
        "Fix: return floats"
    )


def front_mask(losses: Any, directions: Sequence[str]) -> np.ndarray:
    """Which rows of ``losses`` (one column per objective, in the objectives' own directions) are non-dominated.

    Rows with equal values are all kept, as in Optuna's ``Study.best_trials``; computed with moocore.
    """
    import moocore
    import numpy as np

    points = np.asarray(losses, dtype=float).reshape(len(losses), len(directions))
    if not len(points):
        return np.zeros(0, dtype=bool)
    mask: np.ndarray = moocore.is_nondominated(points, maximise=[d == "maximize" for d in directions], keep_weakly=True)
    return mask


def check_backend(backend: str, objectives: str, directions: Sequence[str]) -> None:
    """Refuse, before anything is built, several objectives for an algorithm that optimizes one.

    ``objectives`` is the algorithm's :attr:`~unitune.adapters.Capabilities.objectives`.
    """
    if len(directions) > 1 and objectives.startswith("single only"):
        raise argument_error(
            "directions",
            f"has {len(directions)} objectives, but backend {backend!r} optimizes one ({objectives})",
            list(directions),
            "use a backend with several objectives (unitune.backends(), column 'objectives'), e.g. "
            "'optuna:nsga2' or 'optuna:tpe', or give one direction",
        )


def best_of(trials: Sequence[Trial], direction: str) -> Trial:
    """The trial with the best value (the first one on ties), among complete trials of one objective."""
    sign = 1.0 if direction == "minimize" else -1.0
    return min(trials, key=lambda t: (sign * t.value, t.number))  # type: ignore[operator]


def best_trials(trials: Sequence[Trial], directions: Sequence[str]) -> list[Trial]:
    """The complete, feasible trials on the Pareto front (with one objective: those of the best value), by number."""
    done = [t for t in trials if t.state == "complete" and t.values is not None and t.feasible]
    if not done:
        return []
    if len(directions) == 1:
        best = best_of(done, directions[0]).value
        front = [t for t in done if t.value == best]
    else:
        mask = front_mask([t.values for t in done], directions)
        front = [t for t, keep in zip(done, mask.tolist(), strict=True) if keep]
    return sorted(front, key=lambda t: t.number)


def value_columns(directions: Sequence[str], names: Sequence[str] | None) -> list[str]:
    """The frame columns of the objectives: ``value`` for one, ``values_0``, ... or ``values_<name>`` for several.

    Example:
        >>> value_columns(["minimize"], None), value_columns(["minimize", "maximize"], ["error", "speed"])
        (['value'], ['values_error', 'values_speed'])
    """
    if len(directions) == 1:
        return ["value"]
    return [f"values_{n}" for n in (names if names is not None else range(len(directions)))]
