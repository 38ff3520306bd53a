"""Trials as a pandas DataFrame, and back (for warm starts)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from unitune.study._trial import Trial, TrialState

if TYPE_CHECKING:
    import pandas as pd

    from unitune.space import Space

__all__ = ["trials_dataframe", "trials_from_dataframe"]

_COLUMNS = ["number", "state", "value", "duration", "suggest_time", "tell_time", "error"]


def trials_dataframe(space: Space, trials: Sequence[Trial]) -> pd.DataFrame:
    """One row per finished trial; parameters as ``params_<flat name>``, NaN where inactive."""
    import pandas as pd

    names = space.names
    rows = []
    for trial in trials:
        flat = space.flatten(trial.params)
        row: dict[str, Any] = {c: getattr(trial, c) for c in _COLUMNS}
        row["state"] = str(trial.state)
        for name in names:
            row[f"params_{name}"] = flat.get(name, math.nan)
        for key, value in trial.user_attrs.items():
            row[f"user_attrs_{key}"] = value
        rows.append(row)
    columns = _COLUMNS + [f"params_{n}" for n in names]
    frame = pd.DataFrame(rows, columns=columns + sorted({c for r in rows for c in r} - set(columns)))
    ordered: pd.DataFrame = frame.sort_values("number", kind="stable").reset_index(drop=True)
    return ordered


def trials_from_dataframe(frame: pd.DataFrame) -> Iterator[Trial]:
    """Finished trials from a :func:`trials_dataframe` (or Optuna's ``trials_dataframe()``)."""
    from unitune.space._space import _put

    state_ok = {"complete", "COMPLETE"}
    params = [c for c in frame.columns if str(c).startswith("params_")]
    for _, row in frame.iterrows():
        flat = {c[len("params_") :]: row[c] for c in params if not _is_missing(row[c])}
        config: dict[str, Any] = {}
        for name, value in flat.items():
            _put(config, name, value.item() if hasattr(value, "item") else value)
        state = TrialState.COMPLETE if str(row.get("state")) in state_ok else TrialState.FAILED
        result: Any = row.get("value")
        number: Any = row.get("number", -1)
        yield Trial(int(number), config, state=state, value=None if _is_missing(result) else float(result))


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
