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
    ├── ProblemError (ValueError)         unknown benchmark problem, suite or suite filter
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
    "ProblemError",
    "SpaceError",
    "SpaceTypeError",
    "StudyError",
    "UnituneError",
    "UnituneWarning",
]


class UnituneError(Exception):
    """Base class of every error that unitune raises on purpose.

    Example:
        >>> import unitune as ut
        >>> issubclass(ut.SpaceError, ut.UnituneError) and issubclass(ut.SpaceError, ValueError)
        True
    """


class SpaceError(UnituneError, ValueError):
    """A search space breaks a rule; the message names the parameter's path.

    Example:
        >>> import unitune as ut
        >>> ut.Space({"n": ut.Int(0, 5, step=2)})
        Traceback (most recent call last):
        ...
        unitune.exceptions.SpaceError: parameter 'n': Int step must divide high - low ... Fix: use high=4.
    """


class SpaceTypeError(SpaceError, TypeError):
    """A search-space value has the wrong type (a bool where a number belongs, ...).

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.Space({"x": ut.Float(True, 2.0)})
        ... except TypeError as error:
        ...     print(type(error).__name__)
        SpaceTypeError
    """


class ConfigError(UnituneError, ValueError):
    """A configuration does not fit its search space.

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.Space({"n": ut.Int(0, 3)}).validate({"n": 9})
        ... except ut.ConfigError as error:
        ...     print(error)
        configuration does not fit the space:
          - 'n': 9 is outside Int(0, 3)
    """


class BackendError(UnituneError, ValueError):
    """An unknown backend or algorithm, or options the backend rejects.

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.Study({"x": ut.Float(0, 1)}, backend="hyperopt:tpee")
        ... except ut.BackendError as error:
        ...     print(str(error).split("?")[0])
        unknown algorithm of 'hyperopt' 'hyperopt:tpee'. Fix: did you mean 'hyperopt:tpe'
    """


class BackendNotInstalledError(BackendError, ImportError):
    """The package behind a backend is not installed; the message says how to install it.

    Example:
        >>> import unitune as ut
        >>> issubclass(ut.BackendNotInstalledError, ImportError)
        True
    """


class ObjectiveError(UnituneError, TypeError):
    """An objective returned a value that is not a number.

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.minimize(lambda c: "0.5", {"x": ut.Float(0, 1)}, n_trials=1)
        ... except TypeError as error:
        ...     print(str(error).split(".")[0])
        the objective must return a number; it returned '0
    """


class ProblemError(UnituneError, ValueError):
    """An unknown benchmark problem, suite, suite filter or filter value; the message lists the valid ones.

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.problems.get("brannin")
        ... except ut.ProblemError as error:
        ...     print(str(error).split("?")[0])
        Unknown problem 'brannin'. Did you mean 'branin'
    """


class StudyError(UnituneError, RuntimeError):
    """A study cannot do what was asked (no finished trial yet, a stopped study, ...).

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.Study({"x": ut.Float(0, 1)}).best_value
        ... except ut.StudyError as error:
        ...     print(error)
        no trial has completed yet, so there is no best trial
    """


class UnituneWarning(UserWarning):
    """Something worked, but not quite as asked; the message says what happened.

    Example:
        >>> import unitune as ut
        >>> issubclass(ut.UnituneWarning, UserWarning)
        True
    """
