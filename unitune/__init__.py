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

if _typing.TYPE_CHECKING:
    from unitune import problems
    from unitune.adapters._info import backends, explain
    from unitune.study import Study, Trial, TrialHandle, TrialState, maximize, minimize, optimize

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

#: Imported on first use, so that ``import unitune`` (and a space) stays fast: name -> (module, attribute).
#: ``compare`` is not among them: the subpackage of that name would shadow the function once imported.
_LAZY = {
    "problems": ("unitune.problems", ""),
    "backends": ("unitune.adapters._info", "backends"),
    "explain": ("unitune.adapters._info", "explain"),
    **{name: ("unitune.study", name) for name in ("Study", "Trial", "TrialHandle", "TrialState")},
    **{name: ("unitune.study", name) for name in ("maximize", "minimize", "optimize")},
}


def __getattr__(name: str) -> _typing.Any:
    """The study, the backends' tables and the problems, imported when first used."""
    if name not in _LAZY:
        raise AttributeError(f"module 'unitune' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = _importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
