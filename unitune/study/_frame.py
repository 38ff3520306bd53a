"""Trials as a pandas DataFrame, and back (for warm starts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from unitune.space import conditions_hold
from unitune.study._trial import Trial

if TYPE_CHECKING:
    import pandas as pd

    from unitune.report._table import Table
    from unitune.space import Space

__all__ = ["told_from_dataframe", "trials_dataframe"]

_COLUMNS = ["number", "state", "value", "last_step", "duration", "suggest_time", "tell_time", "error"]


def trials_dataframe(
    space: Space,
    trials: Sequence[Trial],
    value_columns: Sequence[str] = ("value",),
    constraints: Sequence[str] | None = None,
) -> Table:
    """One row per finished trial; parameters as ``params_<flat name>``, NaN where inactive.

    Several objectives have a column each (``value_columns``) instead of ``value``; a study with
    constraints (``constraints``: their names, or empty) adds ``feasible`` and ``constraints_<name or i>``.
    ``last_step`` is the last step a trial reported (where a pruned trial stopped), NaN if none.
    """
    import pandas as pd

    from unitune.report._table import as_table

    names = space.names
    head = _COLUMNS if list(value_columns) == ["value"] else ["number", "state", *value_columns, *_COLUMNS[3:]]
    rows = []
    for trial in trials:
        flat = space.flatten(trial.params)
        row: dict[str, Any] = {c: getattr(trial, c) for c in _COLUMNS if c in head}
        if head is not _COLUMNS:
            values = trial.values or (math.nan,) * len(value_columns)
            row.update(zip(value_columns, values, strict=True))
        if constraints is not None:
            row["feasible"] = trial.feasible if trial.constraints is not None else None
            for i, c in enumerate(trial.constraints or ()):
                row[f"constraints_{constraints[i] if constraints else i}"] = c
        row["state"] = str(trial.state)
        row["last_step"] = math.nan if trial.last_step is None else trial.last_step
        for name in names:
            row[f"params_{name}"] = flat.get(name, math.nan)
        for key, value in trial.user_attrs.items():
            row[f"user_attrs_{key}"] = value
        rows.append(row)
    extra = sorted({c for r in rows for c in r if c.startswith("constraints_")})
    columns = list(head) + (["feasible", *extra] if constraints is not None else []) + [f"params_{n}" for n in names]
    frame = pd.DataFrame(rows, columns=columns + sorted({c for r in rows for c in r} - set(columns)))
    return as_table(frame.sort_values("number", kind="stable").reset_index(drop=True))


def told_from_dataframe(
    space: Space, frame: pd.DataFrame, value_columns: Sequence[str] = ("value",)
) -> tuple[list[tuple[dict[str, Any], tuple[float, ...], tuple[float, ...]]], int]:
    """The complete trials of a frame that fit ``space`` as ``[(raw, values, constraints), ...]``, and how many did not.

    Reads unitune's :meth:`~unitune.Study.trials_dataframe` and Optuna's ``trials_dataframe()``
    (whose choices may be recorded labels ``"i: repr"``; several objectives are ``values_0``, ...
    or ``values_<metric name>`` in both). A parameter's activity comes from the space, so an active
    ``None`` choice (which pandas may store as NaN) is not mistaken for an inactive parameter.
    Constraint values are read from unitune's ``constraints_*`` columns, when there are some.
    """
    from unitune.exceptions import argument_error
    from unitune.study._record import choice_labels, label_index

    missing = [c for c in value_columns if c not in frame.columns]
    if missing:
        raise argument_error(
            "warm_start",
            f"must have the value column(s) {list(value_columns)} of this study's objectives; it lacks {missing}",
            sorted(map(str, frame.columns)),
            "warm-start from a frame of a study with the same objectives",
        )
    labels = {p.key: choice_labels(p.primitive) for p in space.params if p.primitive.kind == "choice"}
    constraint_columns = [c for c in frame.columns if str(c).startswith("constraints_")]
    told: list[tuple[dict[str, Any], tuple[float, ...], tuple[float, ...]]] = []
    skipped = 0
    for _, row in frame.iterrows():
        if str(row.get("state")).lower() != "complete" or any(_is_missing(row.get(c)) for c in value_columns):
            continue
        raw: dict[str, Any] = {}
        try:
            for p in space.params:
                if not conditions_hold(p.conditions, raw):
                    continue
                value = _python(row[f"params_{p.name}"])
                if p.key in labels:
                    raw[p.key] = label_index(labels[p.key], value, p.primitive.options)
                elif p.primitive.kind == "int" and isinstance(value, float) and value.is_integer():
                    raw[p.key] = p.element.encode(int(value))
                else:
                    raw[p.key] = p.element.encode(value)
        except (KeyError, ValueError):
            skipped += 1
            continue
        constraints = tuple(float(row[c]) for c in constraint_columns if not _is_missing(row[c]))
        told.append((raw, tuple(float(row[c]) for c in value_columns), constraints))
    return told, skipped


def _python(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
