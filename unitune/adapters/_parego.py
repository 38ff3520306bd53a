"""Several objectives and constraints for backends that minimize one loss: ParEGO and a feasibility penalty.

Hyperopt and scikit-optimize minimize one number per trial and know no
constraints. Their adapters tell them one loss per trial computed from the whole
history, again before every ask:

* Several objectives: ParEGO's augmented Chebyshev scalarization (Knowles,
  "ParEGO: a hybrid algorithm with on-line landscape approximation for expensive
  multiobjective optimization problems", IEEE TEC 10(1), 2006). Each objective
  (a loss: maximized ones are negated) is normalized to ``[0, 1]`` by the
  smallest and largest value among the complete trials so far, and a trial's loss
  is ``max_j(w_j * f_j) + rho * sum_j(w_j * f_j)`` with ``rho = 0.05``. The weight
  vector ``w`` is drawn afresh for every ask, uniformly from Knowles's set
  ``{(l_1, ..., l_k) / s : l_j in 0..s, sum l_j = s}`` (``s = 10`` for two
  objectives, 11 vectors; ``s = 4`` for three, 15 vectors; ``s = 3`` beyond), from a
  random stream seeded by the study's seed. Each ask thus searches towards another
  part of the Pareto front with the backend's own model.
* Constraints (each value ``<= 0`` is satisfied): Deb's feasibility rule, the one
  Optuna's constrained TPE and NSGA-II follow, written as a loss. Feasible trials
  keep their loss; an infeasible trial's loss is the worst feasible loss plus its
  total violation ``sum(max(0, c))`` divided by the largest total violation so far,
  times the spread of the feasible losses (1 when they do not spread). Every
  infeasible trial therefore ranks below every feasible one, a smaller violation
  ranks better, and the losses stay on the scale of the feasible ones. Before any
  trial is feasible, the loss is the scaled violation alone.

A trial without losses (failed, or pruned: pruning stops a trial before its
objectives are known) gets None: the adapter tells it as failed.

Example:
    >>> from unitune.adapters import Outcome
    >>> scalarizer = Scalarizer(2, seed=0)
    >>> losses = scalarizer.losses([Outcome.complete(0.0, 1.0), Outcome.complete(1.0, 0.0), Outcome.failed()])
    >>> [round(x, 3) if x is not None else None for x in losses]
    [0.315, 0.735, None]
    >>> weight_vectors(2).shape, weight_vectors(3).shape
    ((11, 2), (15, 3))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from unitune.adapters._outcome import Outcome, TrialState

if TYPE_CHECKING:
    import numpy as np

__all__ = ["RHO", "Scalarizer", "chebyshev", "penalize", "weight_vectors"]

#: Weight of the augmenting sum in the augmented Chebyshev function (Knowles 2006).
RHO = 0.05
#: Steps ``s`` of the weight lattice per number of objectives (Knowles 2006); 3 beyond three objectives.
STEPS = {1: 1, 2: 10, 3: 4}
#: Entropy added to the study's seed for the weights' own random stream (the backend's stream is not touched).
_STREAM = 0x9A7E60


def weight_vectors(k: int) -> np.ndarray:
    """Knowles's evenly spread weight vectors for ``k`` objectives: rows summing to 1, steps of ``1/s``."""
    import itertools

    import numpy as np

    s = STEPS.get(k, 3)
    rows = [c for c in itertools.product(range(s + 1), repeat=k) if sum(c) == s]
    return np.asarray(rows, dtype=float) / s


def chebyshev(losses: np.ndarray, weights: np.ndarray, rho: float = RHO) -> np.ndarray:
    """Augmented Chebyshev function of each row of ``losses`` (normalized per column to ``[0, 1]``).

    Example:
        >>> import numpy as np
        >>> chebyshev(np.array([[0.0, 2.0], [1.0, 0.0]]), np.array([0.5, 0.5])).round(3).tolist()
        [0.525, 0.525]
    """
    import numpy as np

    low, high = losses.min(axis=0), losses.max(axis=0)
    spread = np.where(high > low, high - low, 1.0)
    scaled = (losses - low) / spread * weights
    result: np.ndarray = scaled.max(axis=1) + rho * scaled.sum(axis=1)
    return result


def penalize(losses: np.ndarray, violation: np.ndarray) -> np.ndarray:
    """Deb's feasibility rule as a loss: infeasible rows (``violation > 0``) rank below every feasible one.

    Example:
        >>> import numpy as np
        >>> penalize(np.array([3.0, 1.0, 9.0, 0.5]), np.array([0.0, 0.0, 2.0, 4.0])).tolist()
        [3.0, 1.0, 4.0, 5.0]
    """
    import numpy as np

    infeasible = violation > 0
    if not infeasible.any():
        return losses
    scale = violation / violation[infeasible].max()
    feasible = losses[~infeasible]
    if feasible.size:
        worst, best = feasible.max(), feasible.min()
        spread = worst - best if worst > best else 1.0
        above = np.maximum(worst + spread * scale, np.nextafter(worst, np.inf))  # strictly worse, even when rounded
        penalized: np.ndarray = np.where(infeasible, above, losses)
        return penalized
    scaled: np.ndarray = scale
    return scaled


class Scalarizer:
    """One loss per trial from the losses and constraints of the whole history (see the module docstring).

    Args:
        n_objectives: Losses per complete outcome.
        seed: Seed of the weights' random stream (None: unseeded).
    """

    def __init__(self, n_objectives: int, seed: int | None) -> None:
        import numpy as np

        self.n_objectives = n_objectives
        self.weights = weight_vectors(n_objectives)
        self._rng = np.random.default_rng(None if seed is None else [seed, _STREAM])
        self.last_weights: np.ndarray | None = None

    def losses(self, outcomes: Sequence[Outcome]) -> list[float | None]:
        """The loss of each outcome, with a fresh weight vector (None: no loss, told as failed)."""
        import numpy as np

        complete = [i for i, o in enumerate(outcomes) if o.state is TrialState.COMPLETE and o.losses]
        out: list[float | None] = [None] * len(outcomes)
        if self.n_objectives > 1:
            self.last_weights = self.weights[self._rng.integers(len(self.weights))]
        if not complete:
            return out
        values = np.asarray([outcomes[i].losses for i in complete], dtype=float)
        weights = self.last_weights
        scalar = values[:, 0] if weights is None else chebyshev(values, weights)
        violation = np.asarray([sum(max(0.0, c) for c in outcomes[i].constraints) for i in complete])
        for i, loss in zip(complete, penalize(scalar, violation).tolist(), strict=True):
            out[i] = float(loss)
        return out
