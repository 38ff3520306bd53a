"""unitune: one search space and one API over Optuna, Hyperopt and scikit-optimize.

Example:
    >>> import unitune as ut
    >>> space = ut.Space({"x": ut.Float(-5.0, 5.0), "n": ut.Int(1, 3)})
    >>> space.names
    ('x', 'n')
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from unitune._version import __version__
from unitune.adapters._info import backends, explain
from unitune.compare import Comparison, compare
from unitune.exceptions import (
    ArgumentError,
    ArgumentTypeError,
    BackendError,
    BackendNotInstalledError,
    ConfigError,
    NoCompleteTrialError,
    ObjectiveError,
    SpaceError,
    SpaceTypeError,
    StudyError,
    StudyInterrupted,
    TrialPruned,
    UnituneError,
    UnituneWarning,
    UnknownNameError,
)
from unitune.space import Categorical, Conditional, Float, Int, Space
from unitune.study import Study, Trial, TrialHandle, TrialState, maximize, minimize, optimize

if _typing.TYPE_CHECKING:
    from unitune import problems

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BackendError",
    "BackendNotInstalledError",
    "Categorical",
    "Comparison",
    "Conditional",
    "ConfigError",
    "Float",
    "Int",
    "NoCompleteTrialError",
    "ObjectiveError",
    "Space",
    "SpaceError",
    "SpaceTypeError",
    "Study",
    "StudyError",
    "StudyInterrupted",
    "Trial",
    "TrialHandle",
    "TrialPruned",
    "TrialState",
    "UnituneError",
    "UnituneWarning",
    "UnknownNameError",
    "__version__",
    "backends",
    "compare",
    "explain",
    "maximize",
    "minimize",
    "optimize",
    "problems",
]

#: Subpackages imported on first use, so that ``import unitune`` stays fast (a module, so never shadowed).
_LAZY = ("problems",)


def __getattr__(name: str) -> _typing.Any:
    """``ut.problems``, imported when first used."""
    if name not in _LAZY:
        raise AttributeError(f"module 'unitune' has no attribute {name!r}")
    return _importlib.import_module(f"unitune.{name}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
