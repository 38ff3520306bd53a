"""The :class:`Problem` record shared by built-in and user-defined benchmark problems."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unitune.exceptions import ArgumentError, ArgumentTypeError

__all__ = ["Problem", "unknown_name"]


@dataclass(frozen=True)
class Problem:
    """An optimization problem: a search space plus an objective.

    Attributes:
        name: Identifier, e.g. ``"branin"`` or ``"rosenbrock5d"``.
        space: Search space (dict of name -> space element, constant or dict).
        objective: Maps a nested config dict to a float. Use a module-level
            function or a picklable callable object (not a lambda) if the
            problem must be sent to worker processes. The objective of a problem
            with ``steps`` takes ``(config, trial)`` and reports each step to the
            trial handle (``trial=None``: it runs every step).
        optimum: Known optimal objective value, or ``None`` if unknown.
        direction: ``"minimize"`` or ``"maximize"``.
        minimizer: One known optimal config (the argmax when maximizing).
        description: Free-text description.
        steps: The step budget (epochs, boosting stages) of a problem whose
            evaluation has steps, reported one by one; None for the others.

    Example:
        >>> def square(config):
        ...     return config["x"] ** 2
        >>> from unitune import Float
        >>> problem = Problem("square", {"x": Float(-1.0, 1.0)}, square, optimum=0.0)
        >>> problem({"x": 0.5})
        0.25
    """

    name: str
    space: Mapping[str, Any]
    objective: Callable[..., float]
    optimum: float | None = None
    direction: str = "minimize"
    minimizer: Mapping[str, Any] | None = None
    description: str = ""
    steps: int | None = None

    def __post_init__(self) -> None:
        """Validate ``direction`` and ``objective``."""
        if self.direction not in ("minimize", "maximize"):
            raise ArgumentError(
                f"Problem.direction must be 'minimize' or 'maximize', got "
                f"{self.direction!r}; pass direction='minimize' (lower is better) "
                "or direction='maximize' (higher is better)."
            )
        if not callable(self.objective):
            raise ArgumentTypeError(
                "Problem.objective must be callable, got "
                f"{type(self.objective).__name__}; pass a function taking a "
                "config dict and returning a float."
            )

    def __call__(self, config: Mapping[str, Any], trial: Any = None) -> float:
        """Evaluate the objective on ``config`` and return a float.

        A problem with ``steps`` reports each step to ``trial`` (a trial handle) and may raise
        :class:`unitune.TrialPruned`; without one it runs every step.
        """
        if self.steps is None and trial is None:
            return float(self.objective(dict(config)))
        return float(self.objective(dict(config), trial))


def unknown_name(what: str, value: str, known: Sequence[str]) -> ArgumentError:
    """The error for an unknown name, with a close match and the known names."""
    close = difflib.get_close_matches(value, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ArgumentError(f"Unknown {what} {value!r}.{hint} Known {what}s: {', '.join(known)}.")
