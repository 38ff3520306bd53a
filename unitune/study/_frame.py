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


def trials_dataframe(space: Space, trials: Sequence[Trial]) -> Table:
    """One row per finished trial; parameters as ``params_<flat name>``, NaN where inactive.

    ``last_step`` is the last step a trial reported (where a pruned trial stopped), NaN if none.
    """
    import pandas as pd

    from unitune.report._table import as_table

    names = space.names
    rows = []
    for trial in trials:
        flat = space.flatten(trial.params)
        row: dict[str, Any] = {c: getattr(trial, c) for c in _COLUMNS}
        row["state"] = str(trial.state)
        row["last_step"] = math.nan if trial.last_step is None else trial.last_step
        for name in names:
            row[f"params_{name}"] = flat.get(name, math.nan)
        for key, value in trial.user_attrs.items():
            row[f"user_attrs_{key}"] = value
        rows.append(row)
    columns = _COLUMNS + [f"params_{n}" for n in names]
    frame = pd.DataFrame(rows, columns=columns + sorted({c for r in rows for c in r} - set(columns)))
    return as_table(frame.sort_values("number", kind="stable").reset_index(drop=True))


def told_from_dataframe(space: Space, frame: pd.DataFrame) -> tuple[list[tuple[dict[str, Any], float]], int]:
    """``([(raw, value), ...], skipped)``: the complete trials of a frame that fit ``space``, and how many did not.

    Reads unitune's :meth:`~unitune.Study.trials_dataframe` and Optuna's ``trials_dataframe()``
    (whose choices may be recorded labels ``"i: repr"``). A parameter's activity comes from
    the space, so an active ``None`` choice (which pandas may store as NaN) is not mistaken for
    an inactive parameter.
    """
    from unitune.study._record import choice_labels, label_index

    labels = {p.key: choice_labels(p.primitive) for p in space.params if p.primitive.kind == "choice"}
    told: list[tuple[dict[str, Any], float]] = []
    skipped = 0
    for _, row in frame.iterrows():
        if str(row.get("state")).lower() != "complete" or _is_missing(row.get("value")):
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
        told.append((raw, float(row["value"])))
    return told, skipped


def _python(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
