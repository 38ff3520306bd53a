"""Pruning with trials in threads, local worker processes and on a Dask cluster: reports from one worker reach the
pruner that decides about a trial in another. The order is forced with files (no timing assertions)."""

from __future__ import annotations

import concurrent.futures as cf
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import optuna
import pytest

import unitune as ut


def wait_for(path: Path) -> None:
    """Wait until another worker creates ``path`` (a generous bound so that a broken test ends)."""
    deadline = time.monotonic() + 180
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name} never came")
        time.sleep(0.01)


def make_objective(folder: Path) -> Any:
    """Trial 0 reports a good value and passes its rung, then waits while trial 1 reports a bad one.

    Successive halving (reduction factor 2, no bootstrap) prunes trial 1 only if it sees trial 0's
    rung value, which trial 0's report and should_prune wrote while trial 0 was still running.
    """

    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        if trial.number == 0:
            trial.report(0.1, 0)
            trial.report(0.1, 1)
            assert not trial.should_prune()
            (folder / f"reported-{os.getpid()}").touch()
            (folder / "first").touch()
            wait_for(folder / "second")
            return 0.1
        wait_for(folder / "first")
        trial.report(0.5, 0)
        trial.report(0.5, 1)
        decision = trial.should_prune()
        (folder / "second").touch()
        if decision:
            raise ut.TrialPruned()
        return 0.5

    return objective


def pruner() -> optuna.pruners.BasePruner:
    return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, bootstrap_count=0)


def check(study: ut.Study) -> None:
    states = {t.number: str(t.state) for t in study.trials}
    assert states == {0: "complete", 1: "pruned"}
    assert {t.number: t.intermediate for t in study.trials} == {0: {0: 0.1, 1: 0.1}, 1: {0: 0.5, 1: 0.5}}
    record = {t.number: t for t in study.optuna_study.trials}
    assert record[0].system_attrs.get("completed_rung_0") == 0.1  # written by the pruner, in the record


def test_alone_the_second_trial_would_not_be_pruned() -> None:
    """The control: the same reports without trial 0's make no pruning decision."""
    study = ut.Study({"x": ut.Float(0, 1)}, seed=0, pruner=pruner())
    trial = study.ask()
    trial.report(0.5, 0)
    trial.report(0.5, 1)
    assert not trial.should_prune()


def test_threads(tmp_path: Path) -> None:
    with cf.ThreadPoolExecutor(2) as pool:
        study = ut.minimize(
            make_objective(tmp_path), {"x": ut.Float(0, 1)}, n_trials=2, seed=0, pruner=pruner(), executor=pool
        )
    check(study)


def test_local_processes(tmp_path: Path) -> None:
    study = ut.minimize(make_objective(tmp_path), {"x": ut.Float(0, 1)}, n_trials=2, seed=0, pruner=pruner(), n_jobs=2)
    check(study)
    assert not (tmp_path / f"reported-{os.getpid()}").exists()  # the trials ran in other processes


def test_a_process_pool_executor(tmp_path: Path) -> None:
    import multiprocessing

    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        study = ut.minimize(
            make_objective(tmp_path), {"x": ut.Float(0, 1)}, n_trials=2, seed=0, pruner=pruner(), executor=pool
        )
    check(study)


def many_reports(config: dict[str, Any], trial: ut.TrialHandle) -> float:
    for step in range(20):
        trial.report(config["x"] + step, step)
    trial.should_prune()
    for step in range(20, 25):  # reports after the last question: synced before the result
        trial.report(config["x"] + step, step)
    return config["x"]


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_no_report_is_lost(kind: str) -> None:
    pool = cf.ThreadPoolExecutor(3) if kind == "threads" else None
    study = ut.minimize(
        many_reports, {"x": ut.Float(0, 1)}, backend="hyperopt", n_trials=9, seed=0, n_jobs=3, executor=pool
    )
    for trial in study.trials:
        assert trial.intermediate == {step: trial.params["x"] + step for step in range(25)}
    assert [len(t.intermediate_values) for t in study.optuna_study.trials] == [25] * 9
    if pool:
        pool.shutdown()


def pruner_error(config: dict[str, Any], trial: ut.TrialHandle) -> float:
    trial.report(config["x"], 0)
    trial.should_prune()
    return config["x"]


class BrokenPruner(optuna.pruners.BasePruner):
    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        raise RuntimeError("no decision")


def test_a_pruner_error_fails_the_trial_in_its_worker() -> None:
    study = ut.minimize(
        pruner_error, {"x": ut.Float(0, 1)}, n_trials=2, seed=0, n_jobs=2, pruner=BrokenPruner(), catch=Exception
    )
    assert all(t.state == "failed" and "RuntimeError: no decision" in (t.error or "") for t in study.trials)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask(dask_client: Any, tmp_path: Path) -> None:
    study = ut.minimize(
        make_objective(tmp_path),
        {"x": ut.Float(0, 1)},
        n_trials=2,
        seed=0,
        pruner=pruner(),
        executor=dask_client.get_executor(),
        n_jobs=2,
    )
    check(study)
    assert not (tmp_path / f"reported-{os.getpid()}").exists()


def test_dask_keeps_every_report(dask_client: Any) -> None:
    study = ut.minimize(
        many_reports, {"x": ut.Float(0, 1)}, n_trials=4, seed=0, executor=dask_client.get_executor(), n_jobs=2
    )
    assert all(t.intermediate == {s: t.params["x"] + s for s in range(25)} for t in study.trials)


def test_ctrl_c_answers_a_worker_waiting_for_a_decision(tmp_path: Path) -> None:
    """Ctrl-C while another thread's trial waits for should_prune: it gets an error, no thread is left waiting."""

    def objective(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        if trial.number == 0:
            wait_for(tmp_path / "asked")
            raise KeyboardInterrupt
        trial.report(config["x"], 0)
        (tmp_path / "asked").touch()
        trial.should_prune()  # answered, or refused once the study stopped
        return config["x"]

    study = ut.Study({"x": ut.Float(0, 1)}, seed=0, pruner="median")
    with cf.ThreadPoolExecutor(2) as pool, pytest.raises(ut.StudyInterrupted):  # leaving joins the threads
        study.optimize(objective, n_trials=4, executor=pool)
    first = min(study.trials, key=lambda t: t.number)
    assert first.number == 0 and first.state == "failed" and "interrupted" in (first.error or "")
    assert all(t.state.is_finished() for t in study.optuna_study.trials)
