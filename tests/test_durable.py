"""compare(storage=...): runs kept in a storage survive a kill -9 and continue exactly; Comparison.load; Dask; bench.

Real processes, real backends, real storages (SQLite and journal files): a comparison is killed
with SIGKILL in a subprocess and run again, and its trials are compared, parameter by parameter,
with those of an uninterrupted run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import pytest

import unitune as ut
from unitune.cli import main
from unitune.compare import TIMING_COLUMNS, Comparison
from unitune.problems import get, suite

pytestmark = pytest.mark.filterwarnings("ignore::unitune.UnituneWarning")

#: A comparison in a script: its objective logs each evaluation and, when STOP_AT is set, blocks
#: at that evaluation (after touching MARK) until it is killed.
JOB = textwrap.dedent(
    """
    import math, os, sys, time
    import unitune as ut
    from unitune.problems import Problem

    count = 0

    def branin(config):
        global count
        count += 1
        with open(os.environ["EVAL_LOG"], "a") as log:
            log.write(f"{config['x']!r} {config['y']!r} {config['k']}\\n")
        if os.environ.get("STOP_AT") and count == int(os.environ["STOP_AT"]):
            open(os.environ["MARK"], "w").close()
            time.sleep(600)
        x, y = config["x"], config["y"]
        shift = 0.0 if config["k"] == "a" else 1.0
        return (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2 + 9.6 * math.cos(x) + 10 + shift

    space = {"x": ut.Float(-5, 10), "y": ut.Float(0, 15), "k": ut.Categorical(["a", "b"])}
    problem = Problem("branin-k", space, branin, optimum=0.397887)
    short = {"optuna:tpe": {"n_startup_trials": 3}, "hyperopt:tpe": {"n_startup_jobs": 3}}
    short["skopt:gp"] = {"n_initial_points": 3}
    ut.compare([problem], backends=["optuna:tpe", "hyperopt:tpe", "skopt:gp"], n_trials=8, seeds=[0, 1],
               backend_options=short, storage=sys.argv[1])
    """
)
N_TRIALS, N_RUNS = 8, 8  # 3 backends x 2 seeds, and the random-search baseline's 2 runs


def _job(tmp_path: Path, storage: str, log: str, **env: str) -> subprocess.Popen[bytes]:
    script = tmp_path / "job.py"
    script.write_text(JOB)
    environment = {**os.environ, "EVAL_LOG": str(tmp_path / log), **env}
    return subprocess.Popen([sys.executable, str(script), storage], env=environment, cwd=tmp_path)


def _runs(storage: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every run study's trials: (params, value, state) in order."""
    out = {}
    for summary in optuna.get_all_study_summaries(storage):
        trials = optuna.load_study(study_name=summary.study_name, storage=storage).trials
        out[summary.study_name] = [(t.params, t.value, t.state.name) for t in trials]
    return out


def _untimed(cmp: Comparison) -> pd.DataFrame:
    return cmp.trials.drop(columns=list(TIMING_COLUMNS))


def test_a_comparison_killed_mid_run_continues_exactly_as_if_uninterrupted(tmp_path: Path) -> None:
    killed, reference = f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'reference.db'}"
    mark = tmp_path / "mark"
    stop_at = N_TRIALS + 7  # the 7th trial of the 2nd run (optuna:tpe, seed 1): past its start-up phase
    victim = _job(tmp_path, killed, "first.log", STOP_AT=str(stop_at), MARK=str(mark))
    uninterrupted = _job(tmp_path, reference, "reference.log")
    deadline = time.monotonic() + 240
    while not mark.exists():
        assert victim.poll() is None and time.monotonic() < deadline, "the job ended before it reached the stop"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL
    before = _runs(killed)
    partial = {name: len(t) for name, t in before.items() if 0 < len(t) < N_TRIALS}
    assert partial == {"branin-k/optuna:tpe/seed=1": 6}  # killed mid-run: 6 trials recorded, the 7th running

    again = _job(tmp_path, killed, "second.log")
    assert again.wait(timeout=300) == 0 and uninterrupted.wait(timeout=300) == 0
    evaluated = (tmp_path / "second.log").read_text().splitlines()
    assert len(evaluated) == N_RUNS * N_TRIALS - (stop_at - 1)  # nothing recorded is evaluated again
    after, expected = _runs(killed), _runs(reference)
    assert set(after) == set(expected) and len(after) == N_RUNS + 1  # the runs and the setup's study
    for name, trials in expected.items():
        assert after[name] == trials, name  # same parameters, values and states, trial by trial
    resumed, whole = Comparison.load(killed), Comparison.load(reference)
    pd.testing.assert_frame_equal(_untimed(resumed), _untimed(whole))
    assert resumed.setup["continued_runs"] == [
        {"problem": "branin-k", "backend": "optuna:tpe", "seed": 1, "recorded": 6, "mode": "replayed"}
    ]
    assert "continued_runs" not in whole.setup


PROBLEMS = ["branin", "hartmann3"]
KWARGS: dict[str, Any] = {
    "backends": ["optuna:tpe", "hyperopt:rand", "skopt:random"],
    "n_trials": 5,
    "seeds": [0, 1],
    "baseline": "optuna:random",
    "backend_options": {"optuna:tpe": {"n_startup_trials": 2}, "skopt:random": {"bogus": 1}},
}


def test_load_rebuilds_the_comparison_and_equals_a_run_in_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:///{tmp_path / 'bench.db'}"
    stored = ut.compare(PROBLEMS, storage=storage, **KWARGS)
    memory = ut.compare(PROBLEMS, **KWARGS)
    loaded = Comparison.load(storage)
    for cmp in (stored, loaded):  # everything, timings included, comes back from the storage
        pd.testing.assert_frame_equal(cmp.trials, stored.trials)
        pd.testing.assert_frame_equal(cmp.failures, stored.failures)
        assert cmp.baseline is not None and stored.baseline is not None
        pd.testing.assert_frame_equal(cmp.baseline, stored.baseline)
        assert (cmp.optima, cmp.directions, cmp.setup) == (stored.optima, stored.directions, stored.setup)
    pd.testing.assert_frame_equal(_untimed(loaded), _untimed(memory))  # the same runs as without a storage
    assert memory.baseline is not None and loaded.baseline is not None
    pd.testing.assert_frame_equal(
        loaded.baseline.drop(columns=list(TIMING_COLUMNS)), memory.baseline.drop(columns=list(TIMING_COLUMNS))
    )
    pd.testing.assert_frame_equal(loaded.failures, memory.failures)
    assert len(loaded.failures) == 4 and set(loaded.failures["backend"]) == {"skopt:random"}
    assert {k: v for k, v in loaded.setup.items() if k != "storage"} == memory.setup
    assert loaded.setup["storage"] == storage
    assert (loaded.trials[["suggest_time", "eval_time", "wall_time"]] > 0).all().all()
    pd.testing.assert_frame_equal(loaded.scores(), memory.scores())
    files = loaded.report(tmp_path / "report")
    assert "sqlite:///" in files.markdown.read_text()

    # called again: the finished runs are loaded (the failed ones run again), and the bar says so
    again = ut.compare(PROBLEMS, storage=storage, progress=True, **KWARGS)
    pd.testing.assert_frame_equal(again.trials, stored.trials)
    bar = capsys.readouterr().err
    assert "12/16 [00:00<?" in bar and "compare: 100%" in bar and "16/16" in bar and "failed=4" in bar


@pytest.mark.parametrize(
    ("storage", "message"),
    [
        ("sqlite:/bench.db", r"storage looks like a URL without '//'.*Fix: write sqlite:///bench.db"),
        ("no-such-folder/bench.log", r"storage is a journal-file path in a folder that does not exist"),
        (3, r"storage must be None, an Optuna storage URL"),
    ],
)
def test_compare_and_load_refuse_a_storage_that_cannot_be_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, storage: Any, message: str
) -> None:
    monkeypatch.chdir(tmp_path)  # the same rule as a study's storage, before any run or file
    with pytest.raises(ut.ArgumentError, match=message):
        ut.compare("branin", backends=["optuna:random"], n_trials=2, seeds=[0], storage=storage)
    with pytest.raises(ut.ArgumentError, match=message):
        Comparison.load(storage)
    assert list(tmp_path.iterdir()) == []


def test_load_of_a_comparison_stopped_before_its_baseline_ran(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'early.db'}"
    kwargs: dict[str, Any] = {"backends": ["optuna:tpe"], "n_trials": 3, "seeds": [0, 1], "baseline": "optuna:random"}
    done = ut.compare("branin", storage=storage, **kwargs)
    for seed in (0, 1):  # as when the comparison is killed before the random-search baseline's runs
        optuna.delete_study(study_name=f"branin/optuna:random/seed={seed}", storage=storage)
    with pytest.warns(ut.UnituneWarning, match="2 of 4 runs have not finished"):
        loaded = Comparison.load(storage)
    pd.testing.assert_frame_equal(_untimed(loaded), _untimed(done))
    assert loaded.baseline is not None and loaded.baseline.empty
    assert loaded.normalized()["score"].isna().all()  # no baseline run, no clip value: NaN, as without a baseline
    assert list(loaded.final()["backend"]) == ["optuna:tpe"] * 2


def test_a_baseline_whose_runs_all_failed_leaves_the_comparison_usable() -> None:
    kwargs: dict[str, Any] = {"backends": ["optuna:tpe"], "n_trials": 3, "seeds": [0], "baseline": "skopt:random"}
    cmp = ut.compare("branin", backend_options={"skopt:random": {"bogus": 1}}, **kwargs)
    assert cmp.baseline is not None and cmp.baseline.empty
    assert cmp.setup["baseline_failed_runs"] == 1 and len(cmp.trials) == 3
    assert cmp.normalized()["score"].isna().all()


def test_load_reads_each_finished_run_from_its_result_attribute_or_else_from_its_trials(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'runs.db'}"
    kwargs: dict[str, Any] = {"backends": ["optuna:random", "hyperopt:rand"], "n_trials": 4, "seeds": [0, 1]}
    cmp = ut.compare(["branin", "hartmann3"], storage=storage, baseline=None, **kwargs)
    runs = [s for s in optuna.get_all_study_summaries(storage) if s.study_name != "unitune.comparison"]
    assert len(runs) == 8
    for summary in runs:  # each finished run keeps its trials' states, values and timings as columns
        result = summary.user_attrs["unitune.compare.result"]
        trials = optuna.load_study(study_name=summary.study_name, storage=storage).trials
        assert result["value"] == [t.value for t in trials]
        assert result["wall_time"] == [t.user_attrs["unitune.timing"]["wall_time"] for t in trials]
    for summary in runs[::2]:  # a storage without the attribute (written before it existed): its trials are read
        optuna.load_study(study_name=summary.study_name, storage=storage).set_user_attr("unitune.compare.result", None)
    pd.testing.assert_frame_equal(Comparison.load(storage).trials, cmp.trials)


def test_a_storage_keeps_one_comparison_and_says_what_differs(tmp_path: Path) -> None:
    storage = str(tmp_path / "journal.log")  # a journal file
    with pytest.raises(ut.ArgumentError, match="holds no comparison"):
        Comparison.load(storage)
    ut.compare("branin", backends=["optuna:random"], n_trials=3, seeds=[0], storage=storage)
    with pytest.raises(ut.StudyError, match=r"another comparison \(n_trials: stored 3, now 4.*Fix: run"):
        ut.compare("branin", backends=["optuna:random"], n_trials=4, seeds=[0], storage=storage)
    with pytest.raises(ut.ArgumentError, match="storage"):
        ut.compare(
            "branin", backends=["optuna:random"], n_trials=3, storage=optuna.storages.InMemoryStorage(), n_jobs=2
        )
    with pytest.raises(ut.ArgumentTypeError, match="storage"):
        ut.compare("branin", backends=["optuna:random"], n_trials=3, storage=3.5)


def test_a_run_whose_worker_died_is_recorded_and_runs_again_on_the_next_call(tmp_path: Path) -> None:
    flag = tmp_path / "die"
    flag.touch()

    def fragile(config: dict[str, Any]) -> float:
        if config["x"] > 0.8 and flag.exists():
            os._exit(3)  # the worker process dies (as when the system kills it for its memory)
        return float(config["x"] ** 2)

    problem = ut.problems.Problem("fragile", {"x": ut.Float(0, 1)}, fragile, optimum=0.0)
    storage = f"sqlite:///{tmp_path / 'fragile.db'}"
    kwargs: dict[str, Any] = {"backends": ["optuna:random", "hyperopt:rand"], "n_trials": 6, "seeds": [0, 1, 2]}
    kwargs["baseline"] = None
    first = ut.compare([problem], storage=storage, n_jobs=2, **kwargs)
    assert len(first.failures) > 0 and all("terminated" in e for e in first.failures["error"])
    pd.testing.assert_frame_equal(Comparison.load(storage).failures, first.failures)
    flag.unlink()
    second = ut.compare([problem], storage=storage, n_jobs=2, **kwargs)
    assert second.failures.empty and len(second.trials) == 2 * 3 * 6
    pd.testing.assert_frame_equal(_untimed(second), _untimed(ut.compare([problem], **kwargs)))
    assert {c["mode"] for c in second.setup.get("continued_runs", [])} <= {"replayed"}


def test_a_run_study_created_by_an_attempt_that_died_at_once_is_taken_over(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'early.db'}"
    kwargs: dict[str, Any] = {"backends": ["optuna:random"], "n_trials": 3, "seeds": [0], "baseline": None}
    ut.compare("branin", storage=storage, **kwargs)
    optuna.delete_study(study_name="branin/optuna:random/seed=0", storage=storage)
    optuna.create_study(study_name="branin/optuna:random/seed=0", storage=storage)  # killed before its attributes
    again = ut.compare("branin", storage=storage, **kwargs)
    assert again.failures.empty and len(again.trials) == 3
    pd.testing.assert_frame_equal(_untimed(again), _untimed(ut.compare("branin", **kwargs)))


def test_a_backend_that_proposes_something_else_is_reseeded_and_said_so(tmp_path: Path) -> None:
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    kwargs: dict[str, Any] = {"backends": ["optuna:tpe"], "n_trials": 6, "seeds": [0, 1], "baseline": None}
    kwargs["backend_options"] = {"optuna:tpe": {"n_startup_trials": 2}}
    ut.compare("branin", storage=first, **kwargs)
    # the second storage: the same comparison, where seed 0's run recorded three trials of seed 1's
    optuna.copy_study(from_study_name="unitune.comparison", from_storage=first, to_storage=second)
    source = optuna.load_study(study_name="branin/optuna:tpe/seed=0", storage=first)
    target = optuna.create_study(study_name="branin/optuna:tpe/seed=0", storage=second)
    for key, value in source.user_attrs.items():
        if key != "unitune.compare.done":
            target.set_user_attr(key, value)
    target.add_trials(optuna.load_study(study_name="branin/optuna:tpe/seed=1", storage=first).trials[:3])
    with pytest.warns(ut.UnituneWarning, match=r"seed=0' was interrupted and could not be continued exactly"):
        cmp = ut.compare("branin", storage=second, **kwargs)
    (event,) = cmp.setup["continued_runs"]
    assert (event["seed"], event["recorded"], event["mode"]) == (0, 3, "reseeded")
    assert "trial 0: the backend, seeded again, proposed" in event["reason"]
    run = optuna.load_study(study_name="branin/optuna:tpe/seed=0", storage=second).trials
    assert len(run) == 6 and all(t.state.name == "COMPLETE" for t in run)
    assert [t.params for t in run[:3]] == [t.params for t in target.trials[:3]]
    assert cmp.failures.empty and len(cmp.trials) == 12
    assert "1 reseeded (not deterministic)" in cmp.report(tmp_path / "report").markdown.read_text()


def test_a_suite_on_a_dask_cluster_streams_its_runs_to_a_storage(tmp_path: Path, dask_client) -> None:  # type: ignore[no-untyped-def]
    problems = [*suite("bbob", functions=[1, 15], dimensions=2, instances=1), get("bayesmark:knn:wine:acc")]
    kwargs: dict[str, Any] = {"backends": ["optuna:random", "hyperopt:tpe"], "n_trials": 5, "seeds": [0, 1]}
    kwargs["backend_options"] = {"hyperopt:tpe": {"n_startup_jobs": 2}}
    storage = str(tmp_path / "suite.journal")
    remote = ut.compare(problems, executor=dask_client.get_executor(), storage=storage, **kwargs)
    local = ut.compare(problems, **kwargs)
    assert remote.failures.empty and len(remote.trials) == 3 * 2 * 2 * 5
    pd.testing.assert_frame_equal(_untimed(remote), _untimed(local))
    pd.testing.assert_frame_equal(Comparison.load(storage).trials, remote.trials)
    names = {
        s.study_name
        for s in optuna.get_all_study_summaries(
            optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(storage))
        )
    }
    assert "bbob_f015_i01_d02/hyperopt:tpe/seed=1" in names and len(names) == 3 * 2 * 2 + 1


def _count(database: Path) -> int:
    try:
        with sqlite3.connect(database) as connection:
            return int(connection.execute("select count(*) from trials").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0


def test_bench_with_a_storage_resumes_after_a_kill(tmp_path: Path) -> None:
    database = tmp_path / "bench.db"
    argv = ["--problems", "branin,hartmann3", "--backends", "optuna:tpe,hyperopt:rand", "--trials", "12"]
    argv += ["--seeds", "3", "--no-progress"]
    command = [sys.executable, "-m", "unitune", "bench", *argv, "--storage", "sqlite:///bench.db", "--out", "out"]
    first = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while _count(database) < 20:
        assert first.poll() is None and time.monotonic() < deadline, "bench ended before it was killed"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL
    assert _count(database) < 2 * 3 * 3 * 12  # killed before the end
    subprocess.run(command, cwd=tmp_path, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert main(["bench", *argv, "--out", str(tmp_path / "memory")]) == 0  # uninterrupted, in memory
    resumed = pd.read_csv(tmp_path / "out" / "trials.csv").drop(columns=list(TIMING_COLUMNS))
    whole = pd.read_csv(tmp_path / "memory" / "trials.csv").drop(columns=list(TIMING_COLUMNS))
    pd.testing.assert_frame_equal(resumed, whole)
    assert main(["report", f"sqlite:///{database}", "--out", str(tmp_path / "report")]) == 0
    text = (tmp_path / "report" / "report.md").read_text()
    assert "unitune bench --problems branin,hartmann3" in text and "bench.db" in text
