"""Pruning on every backend: the objective's trial handle, ut.TrialPruned, pruner=, the stand-ins told to Hyperopt and
scikit-optimize (checked in their own records), durable storage, resume after a kill, Ctrl-C, failures, frames."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import optuna
import pytest

import unitune as ut
from unitune.study._handle import takes_trial

SPACE = {"x": ut.Float(0.0, 4.0), "rate": ut.Float(0.1, 1.0)}
STEPS = 8


def loss_at(config: dict[str, Any], step: int) -> float:
    return (config["x"] - 1.0) ** 2 + 3.0 * math.exp(-config["rate"] * (step + 1))


def pruning_objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
    for step in range(STEPS):
        trial.report(loss_at(config, step), step)
        if trial.should_prune():
            raise ut.TrialPruned()
    return loss_at(config, STEPS - 1)


def median() -> optuna.pruners.BasePruner:
    return optuna.pruners.MedianPruner(n_startup_trials=3)


# -- the objective's signature -----------------------------------------------------------------------------------


class TwoArguments:
    def __call__(self, config: dict[str, Any], trial: Any) -> float:
        return 0.0


def two(config: dict[str, Any], trial: Any, extra: int = 0) -> float:
    return 0.0


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        (lambda c: 0.0, False),
        (lambda c, t: 0.0, True),
        (lambda c, t=None: 0.0, False),
        (lambda c, *args: 0.0, False),
        (lambda c, *, t: 0.0, False),
        (TwoArguments(), True),
        (functools.partial(two, extra=1), True),
        (functools.partial(two, trial=None), False),
        (abs, False),
    ],
)
def test_a_second_positional_parameter_without_default_gets_a_trial(objective: Any, expected: bool) -> None:
    assert takes_trial(objective) is expected


def test_one_argument_objectives_and_defaults_keep_working() -> None:
    seen: list[Any] = []
    study = ut.minimize(lambda c, t=None: seen.append(t) or c["x"], SPACE, n_trials=3, seed=0, pruner="median")
    assert seen == [None, None, None] and len(study.trials) == 3


def test_the_handle_has_number_params_and_the_study_sees_the_reports() -> None:
    handles: list[Any] = []

    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        handles.append((trial.number, trial.params, isinstance(trial, ut.TrialHandle)))
        trial.report(0.5, 0)
        trial.report(0.25, 3)
        return 0.25

    study = ut.minimize(objective, SPACE, backend="hyperopt:rand", n_trials=3, seed=0)
    assert [h[0] for h in handles] == [0, 1, 2] and all(h[2] for h in handles)
    assert [h[1] for h in handles] == [t.params for t in study.trials]
    assert all(t.intermediate == {0: 0.5, 3: 0.25} and t.last_step == 3 for t in study.trials)
    assert all(t.intermediate_values == {0: 0.5, 3: 0.25} for t in study.optuna_study.trials)


# -- pruned trials ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raised", [ut.TrialPruned, optuna.TrialPruned])
def test_trial_pruned_ends_the_trial_as_pruned_never_failed(raised: type[Exception]) -> None:
    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        trial.report(config["x"], 0)
        if trial.number % 2:
            raise raised()
        return config["x"]

    finished: list[str] = []
    study = ut.minimize(
        objective, SPACE, n_trials=6, seed=0, catch=(), callbacks=[lambda s, t: finished.append(str(t.state))]
    )
    assert finished == ["complete", "pruned"] * 3  # catch=() does not stop the study on a pruned trial
    pruned = [t for t in study.trials if t.state == "pruned"]
    assert all(t.value is None and t.error is None and t.last_step == 0 for t in pruned)
    record = {t.number: t for t in study.optuna_study.trials}
    for t in pruned:  # recorded as Optuna records a pruned trial: with its last reported value
        assert record[t.number].state == optuna.trial.TrialState.PRUNED
        assert record[t.number].value == t.intermediate[0]


def test_a_one_argument_objective_may_raise_trial_pruned_too() -> None:
    study = ut.minimize(lambda c: (_ for _ in ()).throw(ut.TrialPruned()), SPACE, backend="skopt:random", n_trials=2)
    assert [str(t.state) for t in study.trials] == ["pruned", "pruned"]


def test_a_failure_after_reports_is_failed_with_its_reports() -> None:
    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        trial.report(1.0, 0)
        raise ValueError("diverged")

    study = ut.minimize(objective, SPACE, n_trials=2, seed=0, pruner="median", catch=ValueError)
    assert all(t.state == "failed" and t.intermediate == {0: 1.0} for t in study.trials)
    assert all("diverged" in (t.error or "") for t in study.trials)


def test_reports_follow_optunas_rules() -> None:
    study = ut.Study(SPACE, seed=0, pruner="median")
    trial = study.ask()
    with pytest.raises(ut.ArgumentTypeError, match="value must be a number"):
        trial.report("high", 0)  # type: ignore[arg-type]
    with pytest.raises(ut.ArgumentTypeError, match="step must be an int"):
        trial.report(0.5, 1.5)  # type: ignore[arg-type]
    with pytest.raises(ut.ArgumentError, match="step must be >= 0"):
        trial.report(0.5, -1)
    trial.report(0.5, 0)
    with pytest.warns(ut.UnituneWarning, match="step 0 was already reported; the first value is kept"):
        trial.report(0.9, 0)
    assert trial.intermediate == {0: 0.5}
    study.tell(trial, state="pruned")
    with pytest.raises(ut.StudyError, match="not running"):
        trial.report(0.1, 1)
    with pytest.raises(ut.StudyError, match="not running"):
        trial.should_prune()


def test_ask_and_tell_prune_with_any_backend() -> None:
    study = ut.Study(SPACE, backend="hyperopt:tpe", seed=0, pruner=median())
    for _ in range(12):
        trial = study.ask()
        for step in range(STEPS):
            trial.report(loss_at(trial.params, step), step)
            if trial.should_prune():
                study.tell(trial, state="pruned")
                break
        else:
            study.tell(trial, loss_at(trial.params, STEPS - 1))
    states = [str(t.state) for t in study.trials]
    assert "pruned" in states and states[:3] == ["complete"] * 3  # n_startup_trials=3


# -- pruner= ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pruner", "kind", "match"),
    [
        ("medain", ut.ArgumentError, "did you mean 'median'"),
        ("percentile", ut.ArgumentError, r"needs arguments.*PercentilePruner\(25.0\)"),
        ("patient", ut.ArgumentError, r"needs arguments.*PatientPruner"),
        ("threshold", ut.ArgumentError, r"needs arguments.*ThresholdPruner"),
        (optuna.pruners.MedianPruner, ut.ArgumentTypeError, r"not a class.*MedianPruner\(...\)"),
        (0.5, ut.ArgumentTypeError, "short name"),
    ],
)
def test_bad_pruners_are_refused_before_any_backend_is_called(pruner: Any, kind: type[Exception], match: str) -> None:
    with pytest.raises(kind, match=match):
        ut.Study(SPACE, backend="no-such-backend", pruner=pruner)  # the pruner is checked first
    with pytest.raises(kind, match=match):
        ut.minimize(pruning_objective, SPACE, n_trials=1, pruner=pruner)


@pytest.mark.parametrize("name", ["median", "asha", "successive_halving", "hyperband", "wilcoxon", "nop", "ASHA"])
def test_short_names_make_optunas_pruners(name: str) -> None:
    study = ut.Study(SPACE, pruner=name)
    expected = ut.study.PRUNERS[name.lower()]
    assert type(study.pruner).__name__ == expected and type(study.optuna_study.pruner).__name__ == expected


def test_several_objectives_cannot_be_pruned(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mo.db'}"
    with pytest.raises(ut.ArgumentError, match="one objective only"):  # before the record or a backend exists
        ut.Study(SPACE, directions=["minimize", "minimize"], pruner="median", storage=url, study_name="mo")
    assert optuna.get_all_study_names(url) == []
    study = ut.Study(SPACE, directions=["minimize", "minimize"], pruner=None)
    assert study.pruner is None


def test_no_pruner_records_reports_and_never_prunes() -> None:
    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        decisions.append(trial.should_prune())
        trial.report(config["x"], 0)
        decisions.append(trial.should_prune())
        return config["x"]

    decisions: list[bool] = []
    study = ut.minimize(objective, SPACE, n_trials=10, seed=0)
    assert decisions == [False] * 20 and all(len(t.intermediate) == 1 for t in study.trials)
    assert not study._record.live  # type: ignore[attr-defined]  # no pruner: the record stays plain objects


# -- backends without a pruned state: the stand-in reaches them ------------------------------------------------


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_hyperopt_tpe_is_told_the_last_reported_value_of_pruned_trials(direction: str) -> None:
    sign = 1.0 if direction == "minimize" else -1.0

    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        return sign * pruning_objective(config, _Signed(trial, sign))

    run = ut.minimize if direction == "minimize" else ut.maximize
    study = run(objective, SPACE, backend="hyperopt:tpe", n_trials=30, seed=0, pruner=median())
    pruned = [t for t in study.trials if t.state == "pruned"]
    assert pruned and len(study.trials) == 30
    docs = {doc["tid"]: doc for doc in study.adapter._trials.trials}  # type: ignore[attr-defined]
    assert len(docs) == 30 and all(doc["result"]["status"] == "ok" for doc in docs.values())  # none lost
    for trial in study.trials:  # the adapter's trial ids follow the asks: 0, 1, ...
        loss = docs[trial.number]["result"]["loss"]
        told = trial.intermediate[trial.last_step] if trial.state == "pruned" else trial.value  # type: ignore[index]
        assert loss == pytest.approx(sign * told)  # hyperopt minimizes: the study flips a maximized value
        assert trial.last_step is not None
        assert (trial.last_step < STEPS - 1) == (trial.state == "pruned")


def test_skopt_gp_is_told_the_last_reported_value_of_pruned_trials() -> None:
    study = ut.minimize(pruning_objective, SPACE, backend="skopt:gp", n_trials=16, seed=0, pruner=median())
    pruned = [t for t in study.trials if t.state == "pruned"]
    assert pruned and len(study.trials) == 16
    yi = list(study.adapter._opt.yi)  # type: ignore[attr-defined]
    told = [t.intermediate[t.last_step] if t.state == "pruned" else t.value for t in study.trials]  # type: ignore[index]
    assert yi == pytest.approx(told)  # every trial, in order: the stand-in for the pruned ones


def test_a_pruned_trial_that_reported_nothing_is_a_failure_for_hyperopt() -> None:
    study = ut.minimize(lambda c: (_ for _ in ()).throw(ut.TrialPruned()), SPACE, backend="hyperopt", n_trials=2)
    statuses = [doc["result"]["status"] for doc in study.adapter._trials.trials]  # type: ignore[attr-defined]
    assert statuses == ["fail", "fail"]


def test_explain_and_backends_say_how_pruned_trials_are_told() -> None:
    table = ut.backends().set_index("backend")["pruned"]
    assert table["optuna:tpe"].startswith("told as pruned") and table["hyperopt:tpe"].startswith("stand-in")
    assert table["skopt:gp"].startswith("stand-in")
    rows = {b: ut.explain(SPACE, b, pruner="hyperband").iloc[-1] for b in ("optuna", "hyperopt", "skopt")}
    assert [rows[b]["fidelity"] for b in rows] == ["exact", "fallback", "fallback"]
    assert "last reported loss" in rows["hyperopt"]["native"] and "last reported" in rows["skopt"]["note"]
    assert len(ut.explain(SPACE, "optuna")) == 2  # without a pruner: one row per parameter, as before


# -- storage, resume, interrupts, timeouts, frames -------------------------------------------------------------


@pytest.mark.parametrize("backend", ["optuna", "hyperopt", "skopt:forest"])
def test_durable_storage_keeps_pruned_trials_and_their_values_for_a_resumed_study(backend: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    kwargs: dict[str, Any] = {"backend": backend, "seed": 0, "storage": url, "study_name": "p", "pruner": median()}
    first = ut.minimize(pruning_objective, SPACE, n_trials=12, **kwargs)
    stored = optuna.load_study(study_name="p", storage=url).trials  # what optuna-dashboard reads
    assert [t.state.name.lower() for t in stored] == [str(t.state) for t in first.trials]
    assert [t.intermediate_values for t in stored] == [t.intermediate for t in first.trials]
    assert "PRUNED" in {t.state.name for t in stored}
    before = [(t.number, str(t.state), t.intermediate) for t in first.trials]  # (a stored study sees later trials)
    again = ut.minimize(pruning_objective, SPACE, n_trials=20, load_if_exists=True, **kwargs)
    assert [(t.number, str(t.state), t.intermediate) for t in again.trials[:12]] == before
    assert len(again.trials) == 20


KILL_SCRIPT = textwrap.dedent(
    """
    import math, os, signal, sys
    import unitune as ut

    url, backend, marker = sys.argv[1:4]

    def objective(config, trial):
        for step in range(8):
            trial.report((config["x"] - 1.0) ** 2 + 3.0 * math.exp(-config["rate"] * (step + 1)), step)
            if trial.number == 8 and step == 3 and not os.path.exists(marker):
                open(marker, "w").close()
                os.kill(os.getpid(), signal.SIGKILL)  # killed mid-trial, after 4 reports
            if trial.should_prune():
                raise ut.TrialPruned()
        return (config["x"] - 1.0) ** 2

    space = {"x": ut.Float(0.0, 4.0), "rate": ut.Float(0.1, 1.0)}
    study = ut.minimize(objective, space, backend=backend, n_trials=14, seed=0, storage=url, study_name="k",
                        load_if_exists=True, pruner="median")
    print("states", ",".join(str(t.state) for t in sorted(study.trials, key=lambda t: t.number)))
    """
)


@pytest.mark.parametrize("backend", ["optuna", "hyperopt"])
def test_pruned_trials_survive_a_kill_and_the_study_resumes(backend: str, tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT)
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    args = [sys.executable, str(script), url, backend, str(tmp_path / "killed")]
    first = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert first.returncode == -9, first.stderr
    before = optuna.load_study(study_name="k", storage=url).trials
    assert before[8].state.name == "RUNNING" and sorted(before[8].intermediate_values) == [0, 1, 2, 3]
    assert "PRUNED" in {t.state.name for t in before[:8]}
    second = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    after = optuna.load_study(study_name="k", storage=url).trials
    assert len(after) == 14 and all(t.state.is_finished() for t in after)
    assert "FAIL" not in {t.state.name for t in after}
    kept = [(t.state, t.intermediate_values) for t in after[:8]]
    assert kept == [(t.state, t.intermediate_values) for t in before[:8]]
    assert after[8].params == before[8].params  # the killed trial ran again


@pytest.mark.parametrize("executor", ["sequential", "threads"])
def test_ctrl_c_keeps_pruned_trials_pruned(executor: str) -> None:
    import concurrent.futures as cf

    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        if trial.number == 9:
            raise KeyboardInterrupt
        return pruning_objective(config, trial)

    pool = cf.ThreadPoolExecutor(1) if executor == "threads" else None
    study = ut.Study(SPACE, seed=0, pruner=median())
    with pytest.raises(ut.StudyInterrupted):
        study.optimize(objective, n_trials=20, executor=pool)
    states = [str(t.state) for t in sorted(study.trials, key=lambda t: t.number)]
    assert len(states) == 10 and states[9] == "failed" and "pruned" in states[:9] and "failed" not in states[:9]
    assert all(t.state.is_finished() for t in study.optuna_study.trials)
    if pool:
        pool.shutdown()


def test_a_timeout_ends_the_study_between_trials_pruned_or_complete() -> None:
    study = ut.minimize(pruning_objective, SPACE, n_trials=None, timeout=0.3, seed=0, pruner=median())
    assert study.trials and {str(t.state) for t in study.trials} <= {"complete", "pruned"}


def test_trials_dataframe_has_the_state_and_the_step_a_trial_stopped_at() -> None:
    study = ut.minimize(pruning_objective, SPACE, n_trials=20, seed=0, pruner=median())
    frame = study.trials_dataframe().set_index("number")
    for trial in study.trials:
        assert frame.loc[trial.number, "state"] == str(trial.state)
        assert frame.loc[trial.number, "last_step"] == trial.last_step
    assert (frame.loc[frame["state"] == "pruned", "last_step"] < STEPS - 1).all()
    assert (frame.loc[frame["state"] == "complete", "last_step"] == STEPS - 1).all()


CRASH_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import unitune as ut

    first = ut.Study({"x": ut.Float(0.0, 4.0), "rate": ut.Float(0.1, 1.0)}, seed=0, storage=sys.argv[1],
                     study_name="s")
    for _ in range(4):
        trial = first.ask()
        for step in range(4):
            trial.report(1.0, step)
        first.tell(trial, 1.0)
    crashed = first.ask()
    for step in range(4):
        crashed.report(100.0, step)
    print(crashed.number, flush=True)
    os._exit(0)  # the process dies: the trial stays RUNNING with four steps
    """
)


def test_a_trial_run_again_after_a_crash_is_judged_on_its_own_reports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT)
    done = subprocess.run([sys.executable, str(script), url], capture_output=True, text=True, timeout=300, check=True)
    crashed = int(done.stdout.split()[-1])
    pruner = optuna.pruners.ThresholdPruner(upper=50.0)
    again = ut.Study(SPACE, seed=0, storage=url, study_name="s", load_if_exists=True, pruner=pruner)
    rerun = again.ask()
    assert rerun.number == crashed and rerun.intermediate == {}
    rerun.report(1.0, 0)
    assert not rerun.should_prune()  # the dead run's 100.0 at step 3 is not this run's


class _Signed(ut.TrialHandle):
    """A handle that reports sign * value (the objective of a maximized study reports the maximized value)."""

    def __init__(self, inner: ut.TrialHandle, sign: float) -> None:
        self.inner, self.sign, self.number, self.params = inner, sign, inner.number, inner.params

    def report(self, value: float, step: int) -> None:
        self.inner.report(self.sign * value, step)

    def should_prune(self) -> bool:
        return self.inner.should_prune()
