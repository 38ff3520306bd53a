"""Problems whose evaluation has steps: deterministic, picklable, report each step, stop when pruned."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import unitune as ut
from unitune import problems

NAMES = ["sgd_digits", "mlp_breast_cancer", "boosting_breast_cancer", "learning_curve"]


class Recorder(ut.TrialHandle):
    """A handle that records the reports and prunes at a given step."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.number, self.params = 0, {}
        self.reports: dict[int, float] = {}
        self.stop_at = stop_at

    def report(self, value: float, step: int) -> None:
        self.reports[step] = value

    def should_prune(self) -> bool:
        return self.stop_at is not None and max(self.reports) >= self.stop_at


def config_of(problem: problems.Problem, seed: int = 0) -> dict[str, Any]:
    return ut.Space(problem.space).sample(seed)


@pytest.mark.parametrize("name", NAMES)
def test_a_problem_with_steps_reports_each_step_and_is_deterministic(name: str) -> None:
    problem = problems.get(name)
    assert name in problems.names() and problem.steps is not None and problem.steps >= 10
    config = config_of(problem)
    recorder = Recorder()
    final = problem(config, recorder)
    assert sorted(recorder.reports) == list(range(problem.steps))
    assert final == recorder.reports[problem.steps - 1] == problem(config)  # the same without a handle, and again
    assert pickle.loads(pickle.dumps(problem))(config) == final
    if problem.optimum is not None:
        assert problem(problem.minimizer) == pytest.approx(problem.optimum, abs=1e-12)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["sgd_digits", "learning_curve"])
def test_a_problem_with_steps_stops_when_pruned(name: str) -> None:
    problem = problems.get(name)
    recorder = Recorder(stop_at=2)
    with pytest.raises(ut.TrialPruned):
        problem(config_of(problem), recorder)
    assert sorted(recorder.reports) == [0, 1, 2]


def test_learning_curve_misleads_early_as_training_does() -> None:
    problem = problems.learning_curve()
    fast = {"x": 0.3, "lr": 1.0, "optimizer": "adam"}
    slow = dict(problem.minimizer)  # type: ignore[arg-type]
    early, late = {}, {}
    for config, out in ((fast, early), (slow, late)):
        recorder = Recorder()
        problem(config, recorder)
        out.update(recorder.reports)
    assert early[2] < late[2] and early[problem.steps - 1] > late[problem.steps - 1]  # type: ignore[operator]


def test_fidelity_tasks_refuse_bad_arguments() -> None:
    with pytest.raises(ut.ArgumentError, match="Did you mean 'mlp'"):
        problems.fidelity_task("mpl", "digits")
    with pytest.raises(ut.ArgumentError, match="steps"):
        problems.fidelity_task("sgd", "digits", steps=0)
    assert problems.fidelity_task("mlp", "digits", steps=3).name == "mlp_digits"


def test_a_study_prunes_a_problem_with_steps() -> None:
    problem = problems.get("learning_curve")
    study = ut.minimize(problem.objective, problem.space, backend="optuna:tpe", n_trials=20, seed=0, pruner="median")
    assert "pruned" in {str(t.state) for t in study.trials}
    assert all(t.last_step == problem.steps - 1 for t in study.trials if t.state == "complete")  # type: ignore[operator]
