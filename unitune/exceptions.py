"""Errors and warnings raised by unitune.

Every exception also subclasses the built-in that fits it, so ``except
ValueError`` keeps working for code that does not know unitune::

    UnituneError
    ├── ArgumentError (ValueError)        an argument of a unitune call breaks a rule
    │   └── ArgumentTypeError (TypeError) ... it has the wrong type
    ├── SpaceError (ValueError)           a search space breaks a rule
    │   └── SpaceTypeError (TypeError)    ... a value has the wrong type
    ├── ConfigError (ValueError)          a configuration does not fit its space
    ├── BackendError (ValueError)         unknown backend, algorithm or option
    │   └── BackendNotInstalledError (ImportError)
    ├── ObjectiveError (TypeError)        an objective returned something unusable
    ├── UnknownNameError (KeyError)       no parameter (or study) of that name
    ├── StudyError (RuntimeError)         a study cannot do what was asked
    │   └── NoCompleteTrialError (ValueError) no trial completed: no best value
    └── TrialPruned                       not an error: an objective raises it to stop its trial early
    UnituneWarning (UserWarning)
    StudyInterrupted (KeyboardInterrupt)  Ctrl-C stopped a study; .study holds it, every finished trial kept

``StudyInterrupted`` is the one exception outside ``UnituneError``: it must not be
caught by ``except Exception``, so that one Ctrl-C stops a whole script.

Every message says what rule failed, what was received and how to fix it.

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
    "ArgumentError",
    "ArgumentTypeError",
    "BackendError",
    "BackendNotInstalledError",
    "ConfigError",
    "NoCompleteTrialError",
    "ObjectiveError",
    "SpaceError",
    "SpaceTypeError",
    "StudyError",
    "StudyInterrupted",
    "TrialPruned",
    "UnituneError",
    "UnituneWarning",
    "UnknownNameError",
]


class UnituneError(Exception):
    """Base class of every error that unitune raises on purpose.

    Example:
        >>> import unitune as ut
        >>> issubclass(ut.SpaceError, ut.UnituneError) and issubclass(ut.SpaceError, ValueError)
        True
    """


class ArgumentError(UnituneError, ValueError):
    """An argument of a unitune call breaks a rule (a direction, a trial count, a problem name, ...).

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.Study({"x": ut.Float(0, 1)}, direction="max")
        ... except ValueError as error:
        ...     print(type(error).__name__)
        ArgumentError
    """


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of a unitune call has the wrong type.

    Example:
        >>> import unitune as ut
        >>> issubclass(ut.ArgumentTypeError, TypeError) and issubclass(ut.ArgumentTypeError, ut.ArgumentError)
        True
    """


def argument_error(
    name: str, rule: str, received: object, fix: str, *, kind: type[ArgumentError] = ArgumentError
) -> ArgumentError:
    """The error for argument ``name``, in the one message style: rule, what was received, the fix.

    Example:
        >>> print(argument_error("n_trials", "must be an int >= 0", -1, "pass e.g. n_trials=50"))
        n_trials must be an int >= 0; received -1. Fix: pass e.g. n_trials=50.
    """
    return kind(f"{name} {rule}; received {received!r}. Fix: {fix}.")


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


class NoCompleteTrialError(StudyError, ValueError):
    """No trial has completed, so there is no best trial or value (a ValueError, as in Optuna).

    Example:
        >>> import unitune as ut
        >>> issubclass(ut.NoCompleteTrialError, ValueError) and issubclass(ut.NoCompleteTrialError, ut.StudyError)
        True
    """


class TrialPruned(UnituneError):
    """Raised by an objective to end its trial as pruned, like ``optuna.TrialPruned`` (which unitune accepts too).

    A pruned trial is neither complete nor failed: it is recorded with the values it reported,
    and its backend is told so (or a documented stand-in, see :func:`unitune.backends`).

    Example:
        >>> import unitune as ut
        >>> def objective(config, trial):
        ...     for step in range(10):
        ...         trial.report(config["x"] * (10 - step), step)
        ...         if trial.should_prune():
        ...             raise ut.TrialPruned()
        ...     return config["x"]
        >>> study = ut.minimize(objective, {"x": ut.Float(0, 1)}, backend="optuna:random",
        ...                     n_trials=8, seed=0, pruner="median")
        >>> sorted({str(t.state) for t in study.trials})
        ['complete', 'pruned']
    """


class UnknownNameError(UnituneError, KeyError):
    """No parameter (or study) has that name; the message lists the known ones.

    Example:
        >>> import unitune as ut
        >>> try:
        ...     ut.Space({"x": ut.Float(0, 1)}).is_active("y", {"x": 0.5})
        ... except KeyError as error:
        ...     print(type(error).__name__)
        UnknownNameError
    """

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0]) if self.args else ""


class StudyInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a study; ``error.study`` holds it, with every finished trial.

    Its running trials are recorded as failed ("interrupted"). It is a ``KeyboardInterrupt``, so one
    Ctrl-C stops a script that runs several studies (and a whole ``compare()``); in a notebook,
    ``study = error.study`` (or ``sys.last_value.study``) gets the study back.

    Example:
        >>> import unitune as ut
        >>> def objective(config):
        ...     raise KeyboardInterrupt  # what Ctrl-C does
        >>> try:
        ...     ut.minimize(objective, {"x": ut.Float(0, 1)}, n_trials=5)
        ... except ut.StudyInterrupted as error:
        ...     print(len(error.study.trials), error.study.trials[0].error)
        1 interrupted (KeyboardInterrupt)
    """

    def __init__(self, study: object, message: str = "") -> None:
        super().__init__(message or "the study was interrupted; error.study holds it, with every finished trial")
        self.study = study


class UnituneWarning(UserWarning):
    """Something worked, but not quite as asked; the message says what happened.

    Example:
        >>> import unitune as ut
        >>> issubclass(ut.UnituneWarning, UserWarning)
        True
    """
