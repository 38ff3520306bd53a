"""Warm starts: the finished trials of another study, or of a trials table, told to a new study's backend.

A warm start tells the backend trials it did not run (``Adapter.add_many``); they are
not recorded as trials of the new study. Complete trials only, and only those that fit
the new space: the others are counted and said in a warning.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from unitune.adapters import Outcome, TrialState
from unitune.exceptions import ConfigError, UnituneWarning, argument_error
from unitune.study._objectives import value_columns
from unitune.study._results import Results

if TYPE_CHECKING:
    import pandas as pd

    from unitune.study._study import Study

__all__ = ["warm_outcomes"]

Told = list[tuple[dict[str, Any], tuple[float, ...], tuple[float, ...]]]


def warm_outcomes(
    study: Study, source: Study | pd.DataFrame, *, warn: bool = True
) -> list[tuple[dict[str, Any], Outcome]]:
    """What ``study``'s backend is told for a warm start from ``source``: ``[(raw, outcome), ...]``.

    ``warn=False``: no warning for the trials that do not fit (``Study.continue_narrowed``
    leaves them out on purpose and counts them in its explanation table).

    Raises:
        ArgumentError: ``source`` is a study with another number of objectives.
    """
    from unitune.study._frame import told_from_dataframe

    if isinstance(source, Results):  # a Study
        told, skipped = _from_study(study, source)
    else:
        told, skipped = told_from_dataframe(study.space, source, value_columns(study.directions, study.objectives))
    if skipped and warn:
        warnings.warn(
            f"warm start: {skipped} complete trial(s) do not fit this study's space and were not told "
            f"to {study.backend}; {len(told)} were told",
            UnituneWarning,
            stacklevel=4,
        )
    constrained = study.constrained
    return [
        (raw, Outcome.complete(*study.losses(values), constraints=constraints if constrained else ()))
        for raw, values, constraints in told
    ]


def _from_study(study: Study, source: Results) -> tuple[Told, int]:
    if len(source.directions) != len(study.directions):
        raise argument_error(
            "warm_start",
            f"must hold trials with {len(study.directions)} objective value(s), as this study",
            source,
            "warm-start from a study with as many objectives",
        )
    told: Told = []
    skipped = 0
    for trial in source.trials:
        if trial.state is not TrialState.COMPLETE or trial.values is None:
            continue
        try:
            told.append((study.space.encode(trial.params), trial.values, trial.constraints or ()))
        except ConfigError:
            skipped += 1
    return told, skipped
