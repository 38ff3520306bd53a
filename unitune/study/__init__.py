"""Study, Trial, minimize(), maximize() and optimize() (several objectives): one API over every backend.

Example:
    >>> import unitune as ut
    >>> study = ut.minimize(lambda c: (c["x"] - 1) ** 2, {"x": ut.Float(-3, 3)},
    ...                     backend="optuna:random", n_trials=20, seed=0)
    >>> len(study.trials), study.best_value < 1
    (20, True)
"""

from __future__ import annotations

from unitune.study._api import maximize, minimize, optimize
from unitune.study._handle import TrialHandle
from unitune.study._pruning import PRUNERS
from unitune.study._shared import shared_storage
from unitune.study._study import Study
from unitune.study._trial import Trial, TrialState
from unitune.study._values import VALUE_KEY

__all__ = [
    "PRUNERS",
    "VALUE_KEY",
    "Study",
    "Trial",
    "TrialHandle",
    "TrialState",
    "maximize",
    "minimize",
    "optimize",
    "shared_storage",
]
