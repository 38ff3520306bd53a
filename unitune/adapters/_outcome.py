"""The outcome of a finished trial, as a backend is told it: one message for every tell.

``Outcome`` carries everything the study knows about a finished trial, in the
backend's terms (losses, which adapters always minimize): its state, one loss
per objective, the intermediate losses reported on the way (pruning), and the
constraint values. Adapters use what their library can take and say in their
:class:`~unitune.adapters.Capabilities` what they do with the rest.

Example:
    >>> Outcome.complete(0.25).loss
    0.25
    >>> Outcome.pruned({0: 0.9, 1: 0.7}).last_intermediate
    0.7
    >>> TrialState.FAILED == "failed"
    True
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Outcome", "TrialState"]


class TrialState(str, enum.Enum):
    """The state of a trial; compares equal to its string (``state == "complete"``).

    Example:
        >>> TrialState("pruned") is TrialState.PRUNED, str(TrialState.COMPLETE)
        (True, 'complete')
    """

    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    PRUNED = "pruned"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return repr(self.value)

    @property
    def finished(self) -> bool:
        """Whether the trial is over (complete, failed or pruned)."""
        return self is not TrialState.RUNNING


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a finished trial tells a backend.

    Attributes:
        state: ``COMPLETE``, ``FAILED`` or ``PRUNED``.
        losses: One minimized loss per objective (the study flips maximized ones); empty unless complete.
        intermediate: ``{step: loss}`` reported during the trial (minimized, like ``losses``).
        constraints: Constraint values; each ``<= 0`` means satisfied (Optuna's convention).
    """

    state: TrialState
    losses: tuple[float, ...] = ()
    intermediate: Mapping[int, float] = field(default_factory=dict)
    constraints: tuple[float, ...] = ()

    @classmethod
    def complete(
        cls,
        *losses: float,
        intermediate: Mapping[int, float] | None = None,
        constraints: Sequence[float] = (),
    ) -> Outcome:
        """A complete trial with its loss(es)."""
        return cls(TrialState.COMPLETE, tuple(losses), dict(intermediate or {}), tuple(constraints))

    @classmethod
    def failed(cls, *, intermediate: Mapping[int, float] | None = None) -> Outcome:
        """A failed trial."""
        return cls(TrialState.FAILED, (), dict(intermediate or {}))

    @classmethod
    def pruned(cls, intermediate: Mapping[int, float] | None = None) -> Outcome:
        """A trial stopped early by a pruner, with the losses it reported."""
        return cls(TrialState.PRUNED, (), dict(intermediate or {}))

    @property
    def loss(self) -> float | None:
        """The first (or only) loss of a complete trial, else None."""
        return self.losses[0] if self.state is TrialState.COMPLETE and self.losses else None

    @property
    def last_intermediate(self) -> float | None:
        """The loss reported at the last step, or None if none was reported."""
        if not self.intermediate:
            return None
        return self.intermediate[max(self.intermediate)]

    @property
    def feasible(self) -> bool:
        """Whether every constraint value is ``<= 0`` (no constraints: feasible)."""
        return all(c <= 0 for c in self.constraints)
