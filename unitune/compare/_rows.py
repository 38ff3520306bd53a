"""The trials table of a comparison: one row per trial, built the same way from a live run and from a storage.

A run's trials reduce to *entries*: the trial's state and value, its timings
(``suggest_time``, ``eval_time``, ``overhead``, ``wall_time``) and the last step it
reported (``last_step``). A run in memory makes them as it goes; a run in a storage
keeps the timings in each trial's user attribute :data:`TIMING_KEY`, so that
:func:`run_rows` gives the same rows whether the comparison was just run or loaded.
A finished stored run also keeps its rows (:func:`pack`), which is what a comparison
is loaded from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from unitune.adapters import TrialState
from unitune.compare._fidelity import STEP_COLUMNS

if TYPE_CHECKING:
    import optuna
    import pandas as pd

    from unitune.study import Trial

__all__ = [
    "FAILURE_COLUMNS",
    "ROW_COLUMNS",
    "TIMING_KEY",
    "entry_of_frozen",
    "failure_frame",
    "pack",
    "run_frame",
    "run_rows",
    "trial_of_frozen",
    "trials_frame",
    "unpack",
]

#: The user attribute of a stored trial that holds its timings (seconds).
TIMING_KEY = "unitune.timing"
_TIMINGS = ("suggest_time", "eval_time", "overhead", "wall_time")
_RUN = ("problem", "backend", "seed")
ROW_COLUMNS = [*_RUN, "trial", "state", "value", "best_so_far", "regret", *_TIMINGS, *STEP_COLUMNS]
_PACKED = ROW_COLUMNS[4:]  # what a finished run stores of its rows (the run's keys and the trial number aside)
#: Whether a trial met its constraints: a column of the rows of problems with constraints or several objectives.
FEASIBLE = "feasible"
FAILURE_COLUMNS = ["problem", "backend", "seed", "error"]
_STATES = {"COMPLETE": TrialState.COMPLETE, "FAIL": TrialState.FAILED, "PRUNED": TrialState.PRUNED}


def entry_of_frozen(frozen: optuna.trial.FrozenTrial) -> dict[str, Any]:
    """The entry of a finished stored trial (timings NaN where the record has none).

    Example:
        >>> import optuna
        >>> trial = optuna.trial.create_trial(value=2.0, user_attrs={TIMING_KEY: {"eval_time": 0.5}})
        >>> entry = entry_of_frozen(trial)
        >>> entry["state"], entry["value"], entry["eval_time"], math.isnan(entry["wall_time"]), entry["last_step"]
        ('complete', 2.0, 0.5, True, nan)
    """
    state = _STATES[frozen.state.name]
    timing = frozen.user_attrs.get(TIMING_KEY) or {}
    values = frozen.values if state is TrialState.COMPLETE else None
    value = values[0] if values is not None and len(values) == 1 else math.nan  # several: scored by rescore
    last = max(frozen.intermediate_values) if frozen.intermediate_values else math.nan
    entry: dict[str, Any] = {"state": state, "value": float(value), "last_step": float(last)}
    for key in _TIMINGS:
        got = timing.get(key)
        entry[key] = math.nan if got is None else float(got)
    return entry


def trial_of_frozen(frozen: optuna.trial.FrozenTrial) -> Trial:
    """A finished stored trial as a unitune :class:`~unitune.study.Trial` (its number, state, values and constraints).

    Example:
        >>> import optuna
        >>> trial = trial_of_frozen(optuna.trial.create_trial(values=[1.0, 2.0], params={}, distributions={}))
        >>> trial.state, trial.values, trial.value, trial.feasible
        ('complete', (1.0, 2.0), None, True)
    """
    from unitune.adapters._optuna_compat import trial_constraints
    from unitune.study import Trial

    state = _STATES[frozen.state.name]
    values = tuple(frozen.values) if state is TrialState.COMPLETE and frozen.values is not None else None
    value = values[0] if values is not None and len(values) == 1 else None
    return Trial(
        frozen.number,
        dict(frozen.params),
        state=state,
        value=value,
        intermediate=dict(frozen.intermediate_values),
        values=values,
        constraints=trial_constraints(frozen) if values is not None else None,
    )


def pack(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """A run's rows as strict-JSON columns (what a finished run stores beside its trials); NaN becomes None.

    Example:
        >>> rows = run_rows("p", "b", 0, "minimize", 0.0, [{"state": TrialState.FAILED, "value": math.nan,
        ...                 "last_step": math.nan, **dict.fromkeys(_TIMINGS, 0.1)}])
        >>> packed = pack(rows)
        >>> packed["state"], packed["value"], packed["steps"], str(unpack(packed, "p", "b", 0)) == str(rows)
        (['failed'], [None], [1], True)
    """
    packed: dict[str, list[Any]] = {"state": [str(row["state"]) for row in rows]}
    for key in [*_PACKED[1:], *([FEASIBLE] if rows and FEASIBLE in rows[0] else [])]:
        packed[key] = [None if isinstance(r[key], float) and math.isnan(r[key]) else r[key] for r in rows]
    return packed


def unpack(columns: Mapping[str, Sequence[Any]], problem: str, backend: str, seed: int) -> list[dict[str, Any]]:
    """The rows of one run from :func:`pack`'s columns."""
    states = columns["state"]
    values = {key: [math.nan if v is None else v for v in columns[key]] for key in _PACKED[1:]}
    if FEASIBLE in columns:  # None where a trial has no feasibility (not complete, or no constraints)
        values[FEASIBLE] = list(columns[FEASIBLE])
    return [
        {
            "problem": problem,
            "backend": backend,
            "seed": seed,
            "trial": i,
            "state": TrialState(state),
            **{key: column[i] for key, column in values.items()},
        }
        for i, state in enumerate(states)
    ]


def run_rows(
    problem: str,
    backend: str,
    seed: int,
    direction: str,
    optimum: float | None,
    entries: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """One row per trial of one run: the entries with the best value so far and the regret.

    ``overhead`` is the run's mean of unitune's own time per trial (as ``Study.overhead``
    divided by the trials).
    """
    sign = 1.0 if direction == "minimize" else -1.0
    overheads = [e["overhead"] for e in entries if not math.isnan(e["overhead"])]
    overhead = sum(overheads) / len(overheads) if overheads else math.nan
    best = math.inf
    rows = []
    spent = 0
    for i, entry in enumerate(entries):
        value = entry["value"]
        if not math.isnan(value):
            best = min(best, sign * value)
        best_so_far = sign * best if math.isfinite(best) else math.nan
        regret = math.nan
        if optimum is not None and math.isfinite(best):
            regret = max(0.0, sign * (best_so_far - optimum))
        last = entry["last_step"]
        steps = 1 if math.isnan(last) else int(last) + 1  # a trial that reported no step ran one
        spent += steps
        rows.append(
            {
                "problem": problem,
                "backend": backend,
                "seed": seed,
                "trial": i,
                "state": entry["state"],
                "value": value,
                "best_so_far": best_so_far,
                "regret": regret,
                "suggest_time": entry["suggest_time"],
                "eval_time": entry["eval_time"],
                "overhead": overhead,
                "wall_time": entry["wall_time"],
                "last_step": last,
                "steps": steps,
                "cumulative_steps": spent,
            }
        )
    return rows


def run_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One run's rows as a frame (a frame holds a run's trials in a fraction of the rows' memory)."""
    import pandas as pd

    columns = list(ROW_COLUMNS)
    if rows and FEASIBLE in rows[0]:
        columns.insert(columns.index("regret") + 1, FEASIBLE)
    frame: pd.DataFrame = pd.DataFrame(rows, columns=columns)
    return frame


def trials_frame(chunks: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The long-form trials table from per-run frames, sorted by run and trial."""
    import pandas as pd

    frames = [f for f in chunks if len(f)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ROW_COLUMNS)
    if FEASIBLE in frame.columns:  # some problems have constraints or several objectives: beside the scores
        columns = list(ROW_COLUMNS)
        columns.insert(columns.index("regret") + 1, FEASIBLE)
        frame = frame[columns]
    ordered: pd.DataFrame = frame.sort_values(["problem", "backend", "seed", "trial"], kind="stable")
    reset: pd.DataFrame = ordered.reset_index(drop=True)
    return reset


def failure_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The failed runs: problem, backend, seed, error."""
    import pandas as pd

    frame: pd.DataFrame = pd.DataFrame(rows, columns=FAILURE_COLUMNS)
    return frame
