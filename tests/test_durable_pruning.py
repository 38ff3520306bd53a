"""compare(storage=...) with pruning: pruned runs are stored under their labels, load with their step columns,
and an interrupted pruned run continues exactly (the pruner's state in the record replayed too).

Real backends, real pruners, real SQLite storages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import pytest

import unitune as ut
from unitune.compare import TIMING_COLUMNS, Comparison

pytestmark = pytest.mark.filterwarnings("ignore::unitune.UnituneWarning")

KWARGS: dict[str, Any] = {
    "backends": ["optuna:tpe", "hyperopt:rand"],
    "n_trials": 8,
    "seeds": [0, 1],
    "pruner": [None, "asha"],
    "baseline": None,
    "backend_options": {"optuna:tpe": {"n_startup_trials": 3}},
}
LABELS = {"optuna:tpe", "optuna:tpe+asha", "hyperopt:rand", "hyperopt:rand+asha"}


def _untimed(cmp: Comparison) -> pd.DataFrame:
    return cmp.trials.drop(columns=list(TIMING_COLUMNS))


def test_a_stored_pruned_comparison_equals_one_in_memory_and_loads_with_its_steps(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'pruned.db'}"
    stored = ut.compare("learning_curve", storage=storage, **KWARGS)
    memory = ut.compare("learning_curve", **KWARGS)
    loaded = Comparison.load(storage)
    assert set(loaded.trials["backend"]) == LABELS and (loaded.trials["state"] == "pruned").any()
    pd.testing.assert_frame_equal(loaded.trials, stored.trials)
    pd.testing.assert_frame_equal(_untimed(loaded), _untimed(memory))  # steps, last steps and states included
    pruned = loaded.trials[loaded.trials["state"] == "pruned"]
    assert (pruned["steps"] < ut.problems.get("learning_curve").steps).all()
    columns = ["problem", "backend", "steps", "steps_saved", "quality_cost"]
    pd.testing.assert_frame_equal(loaded.summary()[columns], memory.summary()[columns])
    names = {s.study_name for s in optuna.get_all_study_summaries(storage)}
    assert "learning_curve/hyperopt:rand+asha/seed=1" in names and len(names) == 4 * 2 + 1
    with pytest.raises(ut.StudyError, match="labels"):  # another set of pruners: another comparison
        ut.compare("learning_curve", storage=storage, **{**KWARGS, "pruner": [None, "median"]})


def test_an_interrupted_pruned_run_continues_exactly(tmp_path: Path) -> None:
    whole, cut = f"sqlite:///{tmp_path / 'whole.db'}", f"sqlite:///{tmp_path / 'cut.db'}"
    kwargs = {**KWARGS, "backends": ["optuna:tpe"], "pruner": "asha"}
    reference = ut.compare("learning_curve", storage=whole, **kwargs)
    # the second storage: the same comparison, where seed 1's run was killed after 5 of its 8 trials
    optuna.copy_study(from_study_name="unitune.comparison", from_storage=whole, to_storage=cut)
    name = "learning_curve/optuna:tpe+asha/seed=1"
    source = optuna.load_study(study_name=name, storage=whole)
    target = optuna.create_study(study_name=name, storage=cut)
    for key, value in source.user_attrs.items():
        if key not in ("unitune.compare.done", "unitune.compare.result"):
            target.set_user_attr(key, value)
    target.add_trials(source.trials[:5])
    assert {t.state.name for t in source.trials[:5]} >= {"PRUNED"}
    continued = ut.compare("learning_curve", storage=cut, **kwargs)
    assert continued.setup["continued_runs"] == [
        {"problem": "learning_curve", "backend": "optuna:tpe+asha", "seed": 1, "recorded": 5, "mode": "replayed"}
    ]
    after = optuna.load_study(study_name=name, storage=cut).trials
    assert [(t.params, t.value, t.state, t.intermediate_values) for t in after] == [
        (t.params, t.value, t.state, t.intermediate_values) for t in source.trials
    ]
    pd.testing.assert_frame_equal(_untimed(continued), _untimed(reference))
