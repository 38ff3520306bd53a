"""Compare optimizers side by side: every (problem, backend, seed) on the same budget.

Example:
    >>> import unitune as ut
    >>> cmp = ut.compare("branin", backends=["optuna:random", "hyperopt:rand"], n_trials=5, seeds=range(2))
    >>> cmp.trials.groupby("backend").size().to_dict()
    {'hyperopt:rand': 10, 'optuna:random': 10}
    >>> list(cmp.summary().columns[:4])
    ['problem', 'backend', 'runs', 'best_mean']
"""

from __future__ import annotations

from unitune.compare._across import AcrossProblems
from unitune.compare._compare import compare
from unitune.compare._comparison import TIMING_COLUMNS, Comparison

__all__ = ["TIMING_COLUMNS", "AcrossProblems", "Comparison", "compare"]
