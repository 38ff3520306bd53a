"""The ``unitune`` command: bench, backends, problems, run and show."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import optuna
import pandas as pd
import pytest
import yaml

import unitune as ut
from unitune.adapters import backend_names
from unitune.cli import main
from unitune.cli._run import load_space_file
from unitune.compare import TIMING_COLUMNS
from unitune.problems import names

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BENCH = [
    "bench",
    "--problems",
    "branin,hartmann3",
    "--backends",
    "optuna:random,hyperopt:rand",
    "--trials",
    "5",
    "--seeds",
    "3",
    "--jobs",
    "2",
]
SPACE = ut.Space(
    {
        "x": ut.Float(-2.0, 2.0),
        "n": ut.Int(0, 3),
        "train": {"lr": ut.Float(1e-4, 1e-1, log=True), "act": ut.Categorical(["relu", "tanh"])},
        "epochs": 3,
    }
)
OBJECTIVE = """
    import math

    def objective(config):
        assert config["epochs"] == 3 and config["train"]["act"] in ("relu", "tanh")
        return (config["x"] - 0.5) ** 2 + config["n"] + (math.log10(config["train"]["lr"]) + 2) ** 2

    def score(config):
        return -objective(config)
"""


def _check_bench_output(out: Path, stdout: str) -> None:
    assert sorted(p.name for p in out.iterdir()) == ["convergence.png", "pairwise.md", "summary.md", "trials.csv"]
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 2 * 2 * 3 * 5
    assert {"problem", "backend", "seed", "trial", "value", "best_so_far", "regret", *TIMING_COLUMNS} <= set(
        trials.columns
    )
    assert set(trials["problem"]) == {"branin", "hartmann3"}
    assert set(trials["backend"]) == {"optuna:random", "hyperopt:rand"}
    assert sorted(trials["seed"].unique()) == [0, 1, 2]
    summary = (out / "summary.md").read_text()
    lines = summary.strip().splitlines()
    assert lines[0].startswith("| problem | backend | runs | best_mean")
    assert len(lines) == 2 + 4  # header, rule, one row per (problem, backend)
    assert "rank_overall" in stdout and "hartmann3" in stdout  # the summary is printed
    pairwise = (out / "pairwise.md").read_text().strip().splitlines()
    assert pairwise[0].startswith("| backend_a | backend_b | n | wins_a | ties | losses_a")
    assert len(pairwise) == 3 and "| hyperopt:rand | optuna:random | 6 |" in pairwise[2]
    png = (out / "convergence.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE) and png[-8:-4] == b"IEND"
    from matplotlib.image import imread

    assert imread(out / "convergence.png").ndim == 3


# -- bench ----------------------------------------------------------------------------------------


def test_bench_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    assert main([*BENCH, "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    _check_bench_output(out, stdout)
    assert "convergence.png" in stdout


def test_bench_as_a_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "unitune", *BENCH, "--out", str(out), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    _check_bench_output(out, done.stdout)


def test_bench_is_reproducible_apart_from_timing(tmp_path: Path) -> None:
    args = ["bench", "--problems", "branin", "--backends", "optuna:random", "--trials", "3", "--seeds", "2"]
    for name in ("a", "b"):
        assert main([*args, "--out", str(tmp_path / name), "--no-progress"]) == 0
    a, b = (pd.read_csv(tmp_path / n / "trials.csv").drop(columns=list(TIMING_COLUMNS)) for n in "ab")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("option", "value", "named", "close"),
    [
        ("--backends", "optuna:random,optuan:random", "optuan:random", "optuna:random"),
        ("--backends", "hyperopt:rnd", "hyperopt:rnd", "hyperopt:rand"),
        ("--problems", "branin,hartman3", "hartman3", "hartmann3"),
    ],
)
def test_bench_bad_input_exits_2_naming_it_and_a_close_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, named: str, close: str
) -> None:
    out = tmp_path / "results"
    status = main(["bench", option, value, "--trials", "2", "--seeds", "1", "--out", str(out), "--no-progress"])
    assert status == 2
    captured = capsys.readouterr()
    assert f"'{named}'" in captured.err and f"'{close}'" in captured.err
    assert captured.err.startswith("unitune bench: error:")
    assert not out.exists()  # nothing ran, nothing written


def test_bad_input_exits_2_as_a_subprocess(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "unitune", "bench", "--problems", "brannin", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "'brannin'" in done.stderr and "'branin'" in done.stderr and "Traceback" not in done.stderr


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["nonsense"], ["bench", "--trials", "many"], ["run", "m:f"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2, argv
    assert "--trials" in capsys.readouterr().err


# -- backends, problems, help --------------------------------------------------------------------


def test_backends_prints_the_capability_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    fields = {line.split(":")[0].strip() for line in out.splitlines() if ":" in line}
    assert {"backend", "description", "installed", "conditional", "pending", "failures", "startup"} <= fields
    listed = {line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("backend: ")}
    assert set(backend_names()) <= listed
    assert len(backend_names()) >= 14 and "skopt:gp" in listed and "hyperopt:anneal" in listed


def test_problems_prints_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["problems"]) == 0
    problem_lines, suite_lines = capsys.readouterr().out.split("\n\n")
    lines = problem_lines.splitlines()
    assert [line.split()[0] for line in lines] == names()
    assert "optimum=0.39788" in lines[0] and lines[-1].endswith("optimum=None")
    listed = [line.split()[0] for line in suite_lines.splitlines()[1:] if not line.startswith("   ")]
    assert listed == ["bbob", "bayesmark", "synthetic", "sklearn"]


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ([], ["bench", "backends", "problems", "run", "show", "--help"]),
        (["bench"], ["--problems", "--backends", "--trials", "--seeds", "--jobs", "--out", "--no-progress"]),
        (["backends"], ["capabilit"]),
        (["problems"], ["problems"]),
        (["run"], ["MODULE:FUNCTION", "--space", "--backend", "--trials", "--storage", "--study-name", "--jobs"]),
        (["show"], ["storage", "--study-name", "best trial"]),
    ],
)
def test_help_mentions_the_options(command: list[str], mentions: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for word in mentions:
        assert word in text, (command, word)


def test_help_as_a_subprocess() -> None:
    done = subprocess.run([sys.executable, "-m", "unitune", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "bench" in done.stdout and "usage: unitune" in done.stdout


# -- run and show ---------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A folder holding a user's objective module (a fresh module name) and the space in YAML and JSON."""
    module = f"objective_{uuid.uuid4().hex[:10]}"
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(OBJECTIVE))
    (tmp_path / "space.yaml").write_text(yaml.safe_dump(SPACE.to_dict(), sort_keys=False))
    (tmp_path / "space.json").write_text(json.dumps(SPACE.to_dict(), indent=2))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # run adds the current folder; undo it afterwards
    return module


def _best(stdout: str) -> float:
    line = next(line for line in stdout.splitlines() if line.startswith("best value:"))
    return float(line.split(":", 1)[1])


@pytest.mark.parametrize("space_file", ["space.yaml", "space.json"])
def test_run_tunes_a_user_objective(project: str, space_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", f"{project}:objective", "--space", space_file, "--backend", "hyperopt", "--trials", "20"]
    assert main([*argv, "--seed", "0", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "20 complete" in out
    best = _best(out)
    params_line = next(line for line in out.splitlines() if line.startswith("best params:"))
    assert "'train': {" in params_line and "'epochs': 3" in params_line
    # the same as the Python API with the same seed
    module = __import__(project)
    study = ut.minimize(module.objective, SPACE, backend="hyperopt", n_trials=20, seed=0)
    assert best == pytest.approx(study.best_value)


def test_run_maximize(project: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", f"{project}:score", "--space", "space.yaml", "--backend", "optuna:random", "--trials", "8"]
    assert main([*argv, "--direction", "maximize", "--seed", "1", "--no-progress"]) == 0
    module = __import__(project)
    study = ut.maximize(module.score, SPACE, backend="optuna:random", n_trials=8, seed=1)
    assert _best(capsys.readouterr().out) == pytest.approx(study.best_value)


def test_run_twice_continues_the_stored_study_to_the_total_then_show(
    project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = "sqlite:///runs.db"
    argv = ["run", f"{project}:objective", "--space", "space.yaml", "--backend", "hyperopt"]
    argv += ["--storage", storage, "--study-name", "x", "--seed", "0", "--no-progress"]
    assert main([*argv, "--trials", "6"]) == 0
    assert "6 complete" in capsys.readouterr().out
    assert main([*argv, "--trials", "10"]) == 0
    out = capsys.readouterr().out
    assert "10 complete" in out
    stored = optuna.load_study(study_name="x", storage=storage)
    assert len(stored.trials) == 10 and stored.best_value == pytest.approx(_best(out))
    assert main([*argv, "--trials", "10"]) == 0  # already there: nothing more runs
    assert len(optuna.load_study(study_name="x", storage=storage).trials) == 10
    capsys.readouterr()

    for show in (["show", storage], ["show", storage, "--study-name", "x"]):
        assert main(show) == 0
        shown = capsys.readouterr().out
        assert "study 'x'" in shown and "hyperopt:tpe" in shown and "minimize" in shown
        assert "10 complete" in shown
        best = stored.best_trial
        assert f"best trial #{best.number}: value {best.value}" in shown
        assert f"  x = {best.params['x']!r}" in shown and "train.lr" in shown


def test_run_with_jobs(project: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", f"{project}:objective", "--space", "space.json", "--backend", "optuna:random", "--trials", "6"]
    assert main([*argv, "--jobs", "2", "--storage", "sqlite:///jobs.db", "--study-name", "j", "--no-progress"]) == 0
    assert "6 complete" in capsys.readouterr().out
    trials = optuna.load_study(study_name="j", storage="sqlite:///jobs.db").trials
    assert len(trials) == 6 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)


def test_show_errors(project: str, capsys: pytest.CaptureFixture[str]) -> None:
    storage = "sqlite:///two.db"
    for name in ("first", "second"):
        argv = ["run", f"{project}:objective", "--space", "space.yaml", "--backend", "optuna:random"]
        assert main([*argv, "--trials", "2", "--storage", storage, "--study-name", name, "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["show", storage]) == 2
    err = capsys.readouterr().err
    assert "2 studies" in err and "--study-name" in err
    assert main(["show", storage, "--study-name", "secnd"]) == 2
    err = capsys.readouterr().err
    assert "'secnd'" in err and "'second'" in err and err.startswith("unitune show: error:")


def test_show_a_journal_file(project: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", f"{project}:objective", "--space", "space.yaml", "--backend", "optuna:random", "--trials", "3"]
    assert main([*argv, "--storage", "runs.log", "--study-name", "journal", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["show", "runs.log"]) == 0
    assert "study 'journal'" in capsys.readouterr().out


# -- bad space files and objectives --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        ("space.yaml", "x: {type: float, low: 0, high: 1}\nn: [1, 2\ny: 3\n", ["space.yaml", "line 3"]),
        ("space.yaml", "x: {type: float, low: 0, high: 1}\n  bad indent: 1\n", ["line 2"]),
        ("space.json", '{\n  "x": {"type": "float", "low": 0 "high": 1}\n}\n', ["space.json", "line 2"]),
        ("space.yaml", "lr: {type: float, low: 1, high: 0}\n", ["'lr'"]),
        ("space.json", '{"lr": {"type": "float", "low": 1, "high": 0}}', ["'lr'"]),
        ("space.yaml", "model:\n  depth: {type: itn, low: 1, high: 3}\n", ["'model.depth'", "'int'"]),
        ("space.yaml", "opt: {type: float, low: 0}\n", ["'opt'", "high"]),
    ],
)
def test_a_bad_space_file_is_an_error_with_the_line_or_the_parameter(
    project: str, capsys: pytest.CaptureFixture[str], file: str, text: str, expected: list[str]
) -> None:
    Path(file).write_text(text)
    with pytest.raises(ut.SpaceError) as error:
        load_space_file(file)
    for part in expected:
        assert part in str(error.value)
    assert main(["run", f"{project}:objective", "--space", file, "--trials", "2", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("unitune run: error:") and all(part in err for part in expected)
    assert "Traceback" not in err


def test_space_files_round_trip_space_to_dict(project: str) -> None:
    assert load_space_file("space.yaml").to_dict() == SPACE.to_dict()
    assert load_space_file("space.json").to_dict() == SPACE.to_dict()


@pytest.mark.parametrize(
    ("spec", "space", "expected"),
    [
        ("{module}", "space.yaml", "MODULE:FUNCTION"),
        ("{module}:nope", "space.yaml", "'nope'"),
        ("no_such_module_here:objective", "space.yaml", "no_such_module_here"),
        ("{module}:objective", "missing.yaml", "missing.yaml"),
    ],
)
def test_a_bad_objective_or_missing_file_exits_2(
    project: str, capsys: pytest.CaptureFixture[str], spec: str, space: str, expected: str
) -> None:
    assert main(["run", spec.format(module=project), "--space", space, "--trials", "2", "--no-progress"]) == 2
    assert expected in capsys.readouterr().err


def test_run_as_a_subprocess(project: str, tmp_path: Path) -> None:
    argv = ["run", f"{project}:objective", "--space", "space.yaml", "--backend", "hyperopt", "--trials", "5"]
    done = subprocess.run(
        [sys.executable, "-m", "unitune", *argv, "--storage", "sqlite:///sub.db", "--study-name", "s"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "5 complete" in done.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "unitune", "show", "sqlite:///sub.db"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert shown.returncode == 0 and "study 's'" in shown.stdout and "best trial #" in shown.stdout
