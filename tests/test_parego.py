"""ParEGO's scalarization and the feasibility penalty that Hyperopt and scikit-optimize are told."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unitune as ut
from unitune.adapters import Outcome
from unitune.adapters._parego import RHO, Scalarizer, chebyshev, penalize, weight_vectors


@pytest.mark.parametrize(("k", "count", "step"), [(2, 11, 0.1), (3, 15, 0.25), (4, 20, 1 / 3)])
def test_weight_vectors_are_knowles_lattice(k: int, count: int, step: float) -> None:
    weights = weight_vectors(k)
    assert weights.shape == (count, k)
    assert np.allclose(weights.sum(axis=1), 1.0) and (weights >= 0).all()
    assert np.allclose(weights / step, np.round(weights / step))
    assert len({tuple(w) for w in weights}) == count


def test_chebyshev_is_knowles_formula_on_normalized_losses() -> None:
    losses = np.array([[2.0, 30.0], [4.0, 10.0], [3.0, 20.0]])
    weights = np.array([0.3, 0.7])
    normalized = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    expected = [max(weights * row) + RHO * sum(weights * row) for row in normalized]
    assert chebyshev(losses, weights).tolist() == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(0, 10)), min_size=1, max_size=30),
)
def test_penalty_ranks_every_infeasible_trial_below_every_feasible_one(rows: list[tuple[float, float]]) -> None:
    losses = np.array([r[0] for r in rows])
    violation = np.array([r[1] for r in rows])
    out = penalize(losses, violation)
    feasible, infeasible = out[violation == 0], out[violation > 0]
    assert np.array_equal(feasible, losses[violation == 0])  # feasible trials keep their loss
    if feasible.size and infeasible.size:
        assert infeasible.min() > feasible.max()
    order = np.argsort(violation[violation > 0], kind="stable")  # less violation, better loss
    assert np.all(np.diff(infeasible[order]) >= 0)
    assert np.all(np.isfinite(out))


def test_scalarizer_draws_seeded_fresh_weights_and_leaves_failures_out() -> None:
    outcomes = [Outcome.complete(0.0, 1.0), Outcome.complete(1.0, 0.0), Outcome.failed(), Outcome.pruned({0: 1.0})]
    first, second = Scalarizer(2, seed=4), Scalarizer(2, seed=4)
    drawn = []
    for _ in range(20):
        a, b = first.losses(outcomes), second.losses(outcomes)
        assert a == b and a[2:] == [None, None]
        drawn.append(tuple(first.last_weights))
    assert len(set(drawn)) > 5  # a fresh vector per call, from the lattice
    assert all(w in {tuple(v) for v in weight_vectors(2)} for w in drawn)


def test_scalarizer_of_one_objective_is_the_loss_with_the_penalty() -> None:
    scalar = Scalarizer(1, seed=0)
    outcomes = [Outcome.complete(3.0, constraints=[-1]), Outcome.complete(1.0, constraints=[0.5])]
    assert scalar.losses(outcomes) == [3.0, 4.0] and scalar.last_weights is None
    assert scalar.losses([Outcome.complete(1.0, constraints=[2.0])]) == [1.0]  # no feasible trial: scaled violation


@pytest.mark.parametrize("backend", ["hyperopt:tpe", "skopt:gp"])
def test_parego_rewrites_what_the_backend_sees_before_each_ask_and_covers_the_front(backend: str) -> None:
    """On a front f2 = 1 - f1, ParEGO's changing weights spread the found trials along it."""
    options = {"n_startup_jobs": 5} if backend.startswith("hyperopt") else {"n_initial_points": 5, "n_points": 300}
    study = ut.Study({"x": ut.Float(0, 1), "y": ut.Float(-1, 1)}, directions=["minimize", "maximize"],
                     backend=backend, seed=0, backend_options=options)  # fmt: skip
    seen = []
    for _ in range(25):
        trial = study.ask()
        adapter = study.adapter  # the losses the backend read for this ask
        told = [d["result"].get("loss") for d in adapter._trials.trials[:-1]] if backend[0] == "h" else adapter._opt.yi
        seen.append(list(told))
        study.tell(trial, (trial.params["x"], -(1 - trial.params["x"] + trial.params["y"] ** 2)))
    later = [losses for losses in seen if len(losses) >= 10]
    assert all(0.0 <= loss <= 1.0 + RHO for losses in later for loss in losses)  # normalized, augmented Chebyshev
    assert len({tuple(losses[:10]) for losses in later}) > 3  # the same trials, told other losses: fresh weights
    xs = sorted(t.params["x"] for t in study.best_trials)
    assert len(xs) >= 4 and xs[-1] - xs[0] > 0.5
