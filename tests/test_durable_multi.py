"""compare(storage=...) with several objectives and constraints: the stored runs keep every value and constraint,
load with the same scores (hypervolume, feasibility) as in memory, and an interrupted run continues exactly.

Real backends, real SQLite storages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import pytest

import unitune as ut
from unitune.adapters._optuna_compat import trial_constraints
from unitune.compare import TIMING_COLUMNS, Comparison

pytestmark = pytest.mark.filterwarnings("ignore::unitune.UnituneWarning")

KWARGS: dict[str, Any] = {
    "backends": ["optuna:tpe", "hyperopt:rand"],
    "n_trials": 8,
    "seeds": [0, 1],
    "baseline": "optuna:random",
    "backend_options": {"optuna:tpe": {"n_startup_trials": 3}},
}


def _untimed(cmp: Comparison) -> pd.DataFrame:
    return cmp.trials.drop(columns=list(TIMING_COLUMNS))


def test_stored_runs_of_several_objectives_and_constraints_load_with_the_scores_of_a_run_in_memory(
    tmp_path: Path,
) -> None:
    storage = f"sqlite:///{tmp_path / 'multi.db'}"
    problems = ["zdt1", "constrained_branin", "branin"]
    stored = ut.compare(problems, storage=storage, **KWARGS)
    memory = ut.compare(problems, **KWARGS)
    loaded = Comparison.load(storage)
    pd.testing.assert_frame_equal(loaded.trials, stored.trials)
    pd.testing.assert_frame_equal(_untimed(loaded), _untimed(memory))  # hypervolumes, feasibility, regrets
    assert loaded.baseline is not None and memory.baseline is not None
    pd.testing.assert_frame_equal(
        loaded.baseline.drop(columns=list(TIMING_COLUMNS)), memory.baseline.drop(columns=list(TIMING_COLUMNS))
    )
    assert (loaded.optima, loaded.directions) == (memory.optima, memory.directions)
    assert loaded.directions["zdt1"] == "maximize" and set(loaded.trials["feasible"].dropna()) == {True, False}
    pd.testing.assert_frame_equal(loaded.scores(), memory.scores())
    assert len(loaded.feasibility()) == 2  # constrained_branin: one row per backend
    pd.testing.assert_frame_equal(loaded.feasibility(), memory.feasibility())
    # the stored trials keep every objective's value and the constraint values
    zdt1 = optuna.load_study(study_name="zdt1/optuna:tpe/seed=0", storage=storage)
    assert len(zdt1.directions) == 2 and all(len(t.values) == 2 for t in zdt1.trials)
    branin = optuna.load_study(study_name="constrained_branin/hyperopt:rand/seed=1", storage=storage).trials
    assert all(trial_constraints(t) is not None for t in branin)


@pytest.mark.parametrize("problem", ["zdt1", "constrained_branin"])
def test_an_interrupted_run_of_several_objectives_or_constraints_continues_exactly(
    tmp_path: Path, problem: str
) -> None:
    whole, cut = f"sqlite:///{tmp_path / 'whole.db'}", f"sqlite:///{tmp_path / 'cut.db'}"
    kwargs = {**KWARGS, "backends": ["optuna:tpe"], "baseline": None}
    reference = ut.compare(problem, storage=whole, **kwargs)
    # the second storage: the same comparison, where seed 1's run was killed after 5 of its 8 trials
    optuna.copy_study(from_study_name="unitune.comparison", from_storage=whole, to_storage=cut)
    name = f"{problem}/optuna:tpe/seed=1"
    source = optuna.load_study(study_name=name, storage=whole)
    target = optuna.create_study(study_name=name, storage=cut, directions=source.directions)
    for key, value in source.user_attrs.items():
        if key not in ("unitune.compare.done", "unitune.compare.result"):
            target.set_user_attr(key, value)
    target.add_trials(source.trials[:5])
    continued = ut.compare(problem, storage=cut, **kwargs)
    assert continued.setup["continued_runs"] == [
        {"problem": problem, "backend": "optuna:tpe", "seed": 1, "recorded": 5, "mode": "replayed"}
    ]
    after = optuna.load_study(study_name=name, storage=cut).trials
    assert [(t.params, t.values, trial_constraints(t)) for t in after] == [
        (t.params, t.values, trial_constraints(t)) for t in source.trials
    ]
    pd.testing.assert_frame_equal(_untimed(continued), _untimed(reference))
