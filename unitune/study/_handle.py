"""The trial handle an objective gets as its second argument: ``report``, ``should_prune``, ``number``.

An objective with a second positional parameter without a default,
``objective(config, trial)``, gets a handle — the same shape as Optuna's trial
for pruning, so Optuna code ports by renaming::

    def objective(config, trial):
        for epoch in range(20):
            loss = train_one_epoch(config)
            trial.report(loss, epoch)
            if trial.should_prune():
                raise unitune.TrialPruned()
        return loss

In the calling process the handle calls the study directly
(:class:`LocalHandle`); in a thread, a worker process or a Dask worker it sends
each report and question to the study's thread through a link
(:mod:`unitune.study._channel`), so every decision sees every trial's reports.

Example:
    >>> takes_trial(lambda config, trial: 0.0), takes_trial(lambda config, verbose=False: 0.0)
    (True, False)
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from unitune.study._pruning import check_report, is_pruned, warn_repeated

if TYPE_CHECKING:
    from unitune.study._trial import Trial

__all__ = ["LocalHandle", "Pruned", "RemoteHandle", "TrialHandle", "call_with_trial", "takes_trial"]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def takes_trial(objective: Callable[..., Any]) -> bool:
    """Whether ``objective`` has a second positional parameter without a default (it gets a trial handle).

    Example:
        >>> def objective(config, trial): ...
        >>> takes_trial(objective), takes_trial(lambda config: 0.0)
        (True, False)
    """
    try:
        params = [p for p in inspect.signature(objective).parameters.values() if p.kind in _POSITIONAL]
    except (TypeError, ValueError):  # a builtin without a signature: one argument, as before
        return False
    return len(params) >= 2 and params[1].default is inspect.Parameter.empty


class TrialHandle(abc.ABC):
    """What an objective ``objective(config, trial)`` gets as ``trial``: report values, ask whether to stop.

    Attributes:
        number: The trial's number in the study (also a good checkpoint name).
        params: The configuration the objective receives.

    Example:
        >>> import unitune as ut
        >>> def objective(config, trial):
        ...     trial.report(config["x"], step=0)
        ...     return config["x"]
        >>> study = ut.minimize(objective, {"x": ut.Float(0, 1)}, backend="optuna:random", n_trials=2, seed=0)
        >>> study.trials[0].intermediate == {0: study.trials[0].value}
        True
    """

    __slots__ = ()
    number: int
    params: dict[str, Any]

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report the objective's value at ``step`` (an epoch, an iteration; from 0), as ``optuna.Trial.report``.

        A step reported twice keeps its first value (with a warning), as in Optuna.
        """

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Whether the study's pruner stops this trial now (then raise :class:`unitune.TrialPruned`)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(number={self.number})"


class LocalHandle(TrialHandle):
    """The handle of a trial run in the study's own thread: direct calls."""

    __slots__ = ("_trial", "number", "params")

    def __init__(self, trial: Trial) -> None:
        self._trial = trial
        self.number = trial.number
        self.params = trial.params

    def report(self, value: float, step: int) -> None:
        """Record ``value`` at ``step`` (see :meth:`TrialHandle.report`)."""
        self._trial.report(value, step)

    def should_prune(self) -> bool:
        """The pruner's decision now (see :meth:`TrialHandle.should_prune`)."""
        return self._trial.should_prune()


class Link(Protocol):
    """How a handle away from the study's thread reaches it (see :mod:`unitune.study._channel`)."""

    def send(self, message: list[Any]) -> None:
        """Send a message that needs no answer (a report)."""
        ...

    def ask(self, message: list[Any]) -> Any:
        """Send a message and wait for the study's answer."""
        ...


class RemoteHandle(TrialHandle):
    """The handle of a trial run in a thread, a process or a Dask worker: messages to the study's thread.

    Reports are sent without waiting; ``should_prune`` waits for the decision, which the study
    makes after every report sent before it. When the objective ends, :func:`call_with_trial`
    waits until the study has recorded the last reports, so none arrives after the trial's result.
    """

    __slots__ = ("_link", "_steps", "_unsynced", "number", "params")

    def __init__(self, number: int, params: dict[str, Any], link: Link) -> None:
        self.number = number
        self.params = params
        self._link = link
        self._steps: set[int] = set()
        self._unsynced = False

    def __getstate__(self) -> dict[str, Any]:
        return {"number": self.number, "params": self.params, "link": self._link}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["number"], state["params"], state["link"])  # type: ignore[misc]

    def report(self, value: float, step: int) -> None:
        """Send ``value`` at ``step`` to the study (see :meth:`TrialHandle.report`)."""
        value, step = check_report(value, step)
        if step in self._steps:
            warn_repeated(self.number, step)
            return
        self._steps.add(step)
        self._link.send(["report", self.number, value, step])
        self._unsynced = True

    def should_prune(self) -> bool:
        """Ask the study's pruner (see :meth:`TrialHandle.should_prune`)."""
        return bool(self._answer(["prune", self.number, None, None]))

    def sync(self) -> None:
        """Wait until the study has recorded every report sent so far."""
        if self._unsynced:
            self._answer(["sync", self.number, None, None])

    def _answer(self, message: list[Any]) -> Any:
        answer = self._link.ask(message)
        self._unsynced = False
        if isinstance(answer, str):  # the study could not answer: its error, raised in the objective
            from unitune.exceptions import StudyError

            raise StudyError(answer)
        return answer


class Pruned:
    """The result of a trial that ended as pruned, as sent back from a worker (an exception may not pickle)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Pruned()"


def call_with_trial(objective: Callable[..., Any], params: dict[str, Any], handle: TrialHandle) -> Any:
    """Run ``objective(params, handle)`` in a worker: a pruned trial returns :class:`Pruned`; reports are synced."""
    try:
        return objective(params, handle)
    except BaseException as error:
        if is_pruned(error):
            return Pruned()
        raise
    finally:
        if isinstance(handle, RemoteHandle):
            handle.sync()
