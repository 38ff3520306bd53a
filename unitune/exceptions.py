"""Errors and warnings raised by unitune.

Every exception also subclasses the built-in that fits it, so ``except
ValueError`` keeps working for code that does not know unitune::

    UnituneError
    ├── SpaceError (ValueError)           a search space breaks a rule
    │   └── SpaceTypeError (TypeError)    ... a value has the wrong type
    ├── ConfigError (ValueError)          a configuration does not fit its space
    ├── BackendError (ValueError)         unknown backend, algorithm or option
    │   └── BackendNotInstalledError (ImportError)
    ├── ObjectiveError (TypeError)        an objective returned something unusable
    └── StudyError (RuntimeError)         a study cannot do what was asked
    UnituneWarning (UserWarning)

Example:
    >>> import unitune as ut
    >>> try:
    ...     ut.Space({"lr": ut.Float(1.0, 0.1)})
    ... except ValueError as error:
    ...     print(type(error).__name__)
    SpaceError
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "BackendNotInstalledError",
    "ConfigError",
    "ObjectiveError",
    "SpaceError",
    "SpaceTypeError",
    "StudyError",
    "UnituneError",
    "UnituneWarning",
]


class UnituneError(Exception):
    """Base class of every error that unitune raises on purpose."""


class SpaceError(UnituneError, ValueError):
    """A search space breaks a rule; the message names the parameter's path."""


class SpaceTypeError(SpaceError, TypeError):
    """A search-space value has the wrong type (a bool where a number belongs, ...)."""


class ConfigError(UnituneError, ValueError):
    """A configuration does not fit its search space."""


class BackendError(UnituneError, ValueError):
    """An unknown backend or algorithm, or options the backend rejects."""


class BackendNotInstalledError(BackendError, ImportError):
    """The package behind a backend is not installed; the message says how to install it."""


class ObjectiveError(UnituneError, TypeError):
    """An objective returned a value that is not a number."""


class StudyError(UnituneError, RuntimeError):
    """A study cannot do what was asked (no finished trial yet, a stopped study, ...)."""


class UnituneWarning(UserWarning):
    """Something worked, but not quite as asked; the message says what happened."""
