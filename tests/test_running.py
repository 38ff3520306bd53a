"""Running studies for real: parallel trials, the record, resume, failures, interrupts."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import math
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import optuna
import pytest

import unitune as ut
from unitune.study._record import open_storage

SPACE = {"x": ut.Float(-2.0, 2.0), "n": ut.Int(0, 3), "act": ut.Categorical(["relu", None])}
BACKENDS = ["optuna", "hyperopt", "skopt:forest"]


def square(config: dict[str, object]) -> float:
    x = config["x"]
    assert isinstance(x, float)
    return x * x + float(config["n"])  # type: ignore[arg-type]


# -- parallel -------------------------------------------------------------------------------


def test_n_jobs_runs_lambdas_and_closures_in_worker_processes() -> None:
    offset = 0.5
    study = ut.minimize(
        lambda c: (c["x"] - offset) ** 2 + os.getpid() * 0, SPACE, backend="optuna", n_trials=8, n_jobs=2, seed=0
    )
    assert len(study.trials) == 8 and all(t.state == "complete" for t in study.trials)


def test_worker_processes_are_really_used() -> None:
    study = ut.minimize(
        lambda c: {"value": c["x"], "pid": os.getpid()}, SPACE, backend="hyperopt", n_trials=8, n_jobs=2, seed=0
    )
    pids = {t.user_attrs["pid"] for t in study.trials}
    assert os.getpid() not in pids and len(pids) >= 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_trial_is_asked_as_soon_as_one_finishes(backend: str) -> None:
    """Trial 0 blocks until 5 other trials have finished: impossible in lock-step batches of 2."""
    release = threading.Event()
    finished: list[int] = []
    in_flight = {"now": 0, "max": 0}
    lock = threading.Lock()

    def objective(config: dict[str, object]) -> float:
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
            first = not finished and not release.is_set() and in_flight.get("first") is None
            in_flight["first"] = 1
        if first:
            assert release.wait(timeout=30), "other trials did not run while trial 0 was running"
        with lock:
            in_flight["now"] -= 1
        return square(config)

    def callback(study: ut.Study, trial: ut.Trial) -> None:
        finished.append(trial.number)
        if len(finished) >= 5:
            release.set()

    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        study = ut.minimize(objective, SPACE, backend=backend, n_trials=8, executor=pool, callbacks=[callback], seed=0)
    assert len(study.trials) == 8 and all(t.state == "complete" for t in study.trials)
    assert finished.index(0) >= 5
    assert in_flight["max"] == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_process_pool_executor_takes_lambdas(backend: str) -> None:
    with cf.ProcessPoolExecutor(max_workers=2) as pool:
        study = ut.minimize(lambda c: c["x"] ** 2, SPACE, backend=backend, n_trials=6, executor=pool, seed=0)
    assert [t.state for t in study.trials] == ["complete"] * 6


def _kill_on_high_x(config: dict[str, object]) -> float:
    x = config["x"]
    assert isinstance(x, float)
    if x > 1.2:
        os._exit(3)
    return x


def test_a_dying_worker_costs_its_trial_only() -> None:
    study = ut.minimize(_kill_on_high_x, SPACE, backend="optuna:random", n_trials=16, n_jobs=2, seed=0)
    assert len(study.trials) == 16
    for trial in study.trials:
        died = trial.params["x"] > 1.2  # type: ignore[operator]
        assert (trial.state == "failed") == died, trial
        if died:
            assert "worker process died" in (trial.error or "")
    assert any(t.state == "failed" for t in study.trials)


@pytest.fixture(scope="module")
def dask_client():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask_cluster_through_get_executor(dask_client) -> None:  # type: ignore[no-untyped-def]
    offset = 0.25
    study = ut.minimize(
        lambda c: {"value": (c["x"] - offset) ** 2, "pid": os.getpid()},
        SPACE,
        backend="hyperopt",
        n_trials=8,
        executor=dask_client.get_executor(),
        n_jobs=2,
        seed=0,
    )
    assert [t.state for t in study.trials] == ["complete"] * 8
    assert os.getpid() not in {t.user_attrs["pid"] for t in study.trials}


def test_dask_killed_worker_costs_its_trial_only(dask_client) -> None:  # type: ignore[no-untyped-def]
    study = ut.minimize(
        _kill_on_high_x, SPACE, backend="optuna:random", n_trials=10, executor=dask_client.get_executor(), seed=0
    )
    assert len(study.trials) == 10
    for trial in study.trials:
        assert (trial.state == "failed") == (trial.params["x"] > 1.2)  # type: ignore[operator]


# -- the record -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["hyperopt", "skopt"])
def test_sqlite_record_reads_back_with_optuna(backend: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    study = ut.minimize(square, SPACE, backend=backend, n_trials=12, seed=0, storage=url, study_name="s")
    frame = optuna.load_study(study_name="s", storage=url).trials_dataframe()
    assert len(frame) == 12
    assert list(frame["value"]) == [t.value for t in sorted(study.trials, key=lambda t: t.number)]
    ours = study.trials_dataframe()
    for name in ("x", "n", "act"):
        assert list(frame[f"params_{name}"]) == list(ours[f"params_{name}"])
    figure = optuna.visualization.plot_optimization_history(optuna.load_study(study_name="s", storage=url))
    assert list(figure.data[0].y) == list(frame["value"])


def test_journal_file_and_storage_object(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.log")
    ut.minimize(square, SPACE, backend="optuna:random", n_trials=4, seed=0, storage=path, study_name="j")
    assert len(optuna.load_study(study_name="j", storage=open_storage(path)).trials) == 4
    storage = optuna.storages.InMemoryStorage()
    ut.minimize(square, SPACE, backend="optuna:random", n_trials=3, seed=0, storage=storage, study_name="m")
    assert len(optuna.load_study(study_name="m", storage=storage).trials) == 3


def test_existing_study_name_needs_load_if_exists(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    ut.minimize(square, SPACE, n_trials=2, seed=0, storage=url, study_name="dup")
    with pytest.raises(
        ut.StudyError, match=r"already holds a study named 'dup', with 2 trial\(s\).*load_if_exists=True"
    ):
        ut.Study(SPACE, storage=url, study_name="dup")
    assert len(ut.Study(SPACE, storage=url, study_name="dup", load_if_exists=True).trials) == 2


def test_objects_as_choices_are_recorded_as_readable_labels() -> None:
    class Model:
        def __repr__(self) -> str:
            return "Model(depth=3)"

    model = Model()
    space = {"model": ut.Categorical([model, (1, 2), None]), "flag": ut.Categorical([True, 1])}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study = ut.minimize(lambda c: 0.0, space, backend="optuna:random", n_trials=12, seed=0)
    recorded = study.optuna_study.trials
    labels = {t.params["model"] for t in recorded}
    assert labels <= {"0: Model(depth=3)", "1: (1, 2)", "2: None"} and len(labels) > 1
    assert {t.params["flag"] for t in recorded} <= {"0: True", "1: 1"}
    for ours, theirs in zip(study.trials, recorded, strict=True):
        index = int(theirs.params["model"].split(":")[0])
        assert ours.params["model"] is space["model"].choices[index]  # type: ignore[attr-defined]


def test_each_finished_trial_is_recorded_before_the_next_ask(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    counts = []

    def objective(config: dict[str, object]) -> float:
        finished = [t for t in optuna.load_study(study_name="r", storage=url).trials if t.state.is_finished()]
        counts.append(len(finished))
        return square(config)

    ut.minimize(objective, SPACE, backend="skopt:random", n_trials=5, seed=0, storage=url, study_name="r")
    assert counts == [0, 1, 2, 3, 4]


# -- resume and warm start ----------------------------------------------------------------------

RESUME_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import unitune as ut

    url, backend, marker = sys.argv[1:4]
    calls = 0

    def objective(config):
        global calls
        calls += 1
        if calls == 6 and not os.path.exists(marker):
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)  # killed mid-trial
        return (config["x"] - 0.3) ** 2 + config["n"]

    space = {"x": ut.Float(-2.0, 2.0), "n": ut.Int(0, 3)}
    study = ut.minimize(objective, space, backend=backend, n_trials=12, seed=0,
                        storage=url, study_name="resume", load_if_exists=True)
    print("finished", len(study.trials), "evaluated", calls)
    """
)


@pytest.mark.parametrize("backend", ["optuna", "hyperopt", "skopt"])
def test_resume_after_sigkill_finishes_the_same_study(backend: str, tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(RESUME_SCRIPT)
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    args = [sys.executable, str(script), url, backend, str(tmp_path / "killed")]
    first = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert first.returncode == -9, first.stderr
    before = optuna.load_study(study_name="resume", storage=url).trials
    assert [t.state.name for t in before] == ["COMPLETE"] * 5 + ["RUNNING"]
    second = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "finished 12 evaluated 7" in second.stdout
    after = optuna.load_study(study_name="resume", storage=url).trials
    assert [t.state.name for t in after] == ["COMPLETE"] * 12
    assert [t.number for t in after] == list(range(12))
    assert after[5].params == before[5].params  # the interrupted trial ran again, same parameters
    assert [t.params for t in after[:5]] == [t.params for t in before[:5]]
    configs = [tuple(sorted(t.params.items())) for t in after]
    assert len(set(configs)) == 12  # nothing evaluated twice


@pytest.mark.parametrize(("source", "target"), [("optuna", "hyperopt"), ("hyperopt", "skopt"), ("skopt", "optuna")])
def test_warm_start_from_another_backend_changes_the_first_ask(source: str, target: str) -> None:
    donor = ut.minimize(
        square, SPACE, backend=f"{source}" if source != "optuna" else "optuna:random", n_trials=25, seed=1
    )
    options = {"n_initial_points": 5} if target == "skopt" else {}
    options = {"n_startup_trials": 5} if target == "optuna" else options
    options = {"n_startup_jobs": 5} if target == "hyperopt" else options
    cold = ut.Study(SPACE, backend=target, seed=0, backend_options=options).ask().params
    warm = ut.Study(SPACE, backend=target, seed=0, backend_options=options, warm_start=donor)
    first = warm.ask().params
    assert first != cold
    assert warm.trials == []  # told to the backend, not recorded as this study's trials
    from_frame = ut.Study(SPACE, backend=target, seed=0, backend_options=options, warm_start=donor.trials_dataframe())
    assert from_frame.ask().params == first  # the same trials, told from the DataFrame


# -- failures ------------------------------------------------------------------------------------


def test_catch_chooses_which_exceptions_fail_a_trial() -> None:
    calls = []

    def objective(config: dict[str, object]) -> float:
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("bad value")
        if len(calls) == 4:
            raise KeyError("stop here")
        return 1.0

    study = ut.Study(SPACE, backend="hyperopt", seed=0)
    with pytest.raises(KeyError, match="stop here"):
        study.optimize(objective, n_trials=10, catch=(ValueError,))
    assert [t.state for t in study.trials] == ["complete", "failed", "complete", "failed"]
    assert study.trials[1].error == "ValueError: bad value"
    assert [t.state.name for t in study.optuna_study.trials] == ["COMPLETE", "FAIL", "COMPLETE", "FAIL"]
    assert study.optuna_study.trials[3].system_attrs["fail_reason"].startswith("KeyError")


def test_dict_results_keep_extra_entries_as_attributes() -> None:
    study = ut.minimize(lambda c: {"value": c["x"], "accuracy": 0.9}, SPACE, backend="skopt:random", n_trials=3)
    assert all(t.user_attrs == {"accuracy": 0.9} for t in study.trials)
    assert study.optuna_study.trials[0].user_attrs == {"accuracy": 0.9}


@pytest.mark.parametrize("bad", ["0.5", None, [1.0], {"loss": 1.0}, True])
def test_a_result_that_is_not_a_number_is_a_type_error_saying_what_was_returned(bad: object) -> None:
    study = ut.Study(SPACE, backend="optuna", seed=0)
    with pytest.raises(TypeError, match="returned"):
        study.optimize(lambda c: bad, n_trials=3)
    assert [t.state for t in study.trials] == ["failed"]


def test_numpy_results_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    study = ut.minimize(lambda c: np.float32(c["x"]), SPACE, n_trials=2, seed=0)
    assert all(type(t.value) is float for t in study.trials)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_keyboard_interrupt_stops_cleanly_and_keeps_finished_trials(n_jobs: int) -> None:
    calls = []

    def objective(config: dict[str, object]) -> float:
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return square(config)

    study = ut.Study(SPACE, backend="optuna", seed=0)
    executor = cf.ThreadPoolExecutor(n_jobs) if n_jobs > 1 else None
    with pytest.raises(ut.StudyInterrupted) as info:  # re-raised, so a script stops; the study rides along
        study.optimize(objective, n_trials=20, executor=executor)
    assert info.value.study is study
    states = [t.state for t in study.trials]
    assert states.count("complete") >= 4 and len(study.trials) < 20
    assert all(
        "interrupted" in (t.error or "") or "KeyboardInterrupt" in (t.error or "")
        for t in study.trials
        if t.state == "failed"
    )
    assert math.isfinite(study.best_value)
    assert all(t.state.is_finished() for t in study.optuna_study.trials)
    study.optimize(square, n_trials=2)  # still usable
    if executor:
        executor.shutdown()


def test_sigint_to_a_running_process_keeps_the_study(tmp_path: Path) -> None:
    script = tmp_path / "sigint.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, signal, sys, time
            import unitune as ut

            def objective(config):
                if config["i"] == 0:
                    pass
                time.sleep(0.05)
                return config["x"]

            def callback(study, trial):
                if len(study.trials) == 3:
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(1)

            try:
                ut.minimize(objective, {"x": ut.Float(0, 1), "i": 0}, n_trials=50, callbacks=[callback], seed=0)
            except ut.StudyInterrupted as error:
                study = error.study
            print("kept", len(study.trials), study.best_value <= 1)
            """
        )
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "kept 3 True" in result.stdout


def test_timeout_stops_asking() -> None:
    study = ut.minimize(lambda c: c["x"], SPACE, n_trials=None, timeout=0.5, seed=0)
    assert len(study.trials) >= 1


def test_callbacks_and_stop() -> None:
    def callback(study: ut.Study, trial: ut.Trial) -> None:
        if trial.number == 3:
            study.stop()

    study = ut.minimize(square, SPACE, backend="hyperopt", n_trials=20, callbacks=[callback], seed=0)
    assert len(study.trials) == 4


def test_progress_bar_shows_the_best_value(capsys: pytest.CaptureFixture[str]) -> None:
    ut.minimize(square, SPACE, n_trials=5, progress=True, seed=0)
    err = capsys.readouterr().err
    assert "5/5" in err and "best=" in err


def test_logging_goes_through_the_unitune_logger_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ut.minimize(lambda c: 1 / 0, SPACE, backend="hyperopt", n_trials=2, seed=0, catch=(ZeroDivisionError,))
    ours = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert ours and all(r.name == "unitune" for r in ours)
    assert "ZeroDivisionError" in ours[0].getMessage()
