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
        objective: Maps a nested config dict to a float (a tuple of floats with ``directions``). Use a module-level
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
        directions: One direction per objective, for a problem with several: the objective then
            returns one value per objective, and ``direction`` and ``optimum`` are not used.
        constraints: The constraint values of a configuration, ``constraints(config) -> [c0, ...]``
            (each ``<= 0`` when satisfied); ``optimum`` is then the best feasible value.
        reference_point: The point up to which hypervolumes are measured (several objectives), in
            the objectives' own units: worse than every point of the front that counts.
        front_hypervolume: The hypervolume of the true Pareto front up to ``reference_point``.
        front: ``front(n)``: about ``n`` points of the true Pareto front (tuples of objective values).

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
    objective: Callable[..., Any]
    optimum: float | None = None
    direction: str = "minimize"
    minimizer: Mapping[str, Any] | None = None
    description: str = ""
    steps: int | None = None
    directions: tuple[str, ...] | None = None
    constraints: Callable[[dict[str, Any]], Sequence[float]] | None = None
    reference_point: tuple[float, ...] | None = None
    front_hypervolume: float | None = None
    front: Callable[[int], list[tuple[float, ...]]] | None = None

    def __post_init__(self) -> None:
        """Validate ``direction``, ``objective``, ``directions`` and ``reference_point``."""
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
        if self.directions is not None:
            if len(self.directions) < 2 or any(d not in ("minimize", "maximize") for d in self.directions):
                raise ArgumentError(
                    f"Problem.directions must list 'minimize' or 'maximize' for each of two or more objectives; "
                    f"received {self.directions!r}. Fix: e.g. directions=('minimize', 'minimize'), or use direction"
                )
            if self.reference_point is not None and len(self.reference_point) != len(self.directions):
                raise ArgumentError(
                    f"Problem.reference_point must have one coordinate per objective ({len(self.directions)}); "
                    f"received {self.reference_point!r}. Fix: give {len(self.directions)} numbers"
                )

    @property
    def n_objectives(self) -> int:
        """How many objectives the problem has."""
        return 1 if self.directions is None else len(self.directions)

    def __call__(self, config: Mapping[str, Any], trial: Any = None) -> Any:
        """Evaluate the objective on ``config``: a float, or a tuple of floats for several objectives.

        A problem with ``steps`` reports each step to ``trial`` (a trial handle) and may raise
        :class:`unitune.TrialPruned`; without one it runs every step.
        """
        if self.steps is None and trial is None:
            result = self.objective(dict(config))
        else:
            result = self.objective(dict(config), trial)
        if self.directions is not None:
            return tuple(float(v) for v in result)
        return float(result)


def unknown_name(what: str, value: str, known: Sequence[str]) -> ArgumentError:
    """The error for an unknown name, with a close match and the known names."""
    close = difflib.get_close_matches(value, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ArgumentError(f"Unknown {what} {value!r}.{hint} Known {what}s: {', '.join(known)}.")
