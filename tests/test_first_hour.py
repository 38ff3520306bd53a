"""The first hour of a researcher who knows Optuna: bugs surface at once, start-up phases are visible, tables fit the
terminal, other libraries' space objects are converted or refused, and the small things work."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import optuna
import pytest
import scipy.stats

import unitune as ut
from unitune.cli import main

SIX = {
    "lr": ut.Float(1e-5, 1e-1, log=True),
    "momentum": ut.Float(0.0, 0.99),
    "layers": ut.Int(1, 4),
    "units": ut.Int(16, 1024, log=True),
    "batch": ut.Int(32, 256, step=32),
    "act": ut.Categorical(["relu", "tanh", None]),
}


# -- 1. a bug in the objective ---------------------------------------------------------------------------------------


def test_1_a_bug_in_the_objective_stops_the_study_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="unitune")
    study = ut.Study(SIX, backend="hyperopt", seed=0)
    with pytest.raises(KeyError, match="typo") as info:
        study.optimize(lambda c: c["typo"], n_trials=10)
    assert info.traceback[-1].name == "<lambda>"  # the user's own frame, not unitune's
    (trial,) = study.trials  # one trial, recorded as failed; the study stopped there
    assert trial.state == "failed" and trial.error == "KeyError: 'typo'"
    (record,) = [r for r in caplog.records if r.levelno == logging.DEBUG and "failed with" in r.getMessage()]
    assert "'lr':" in record.getMessage() and record.exc_info is not None


def test_1_catch_keeps_a_flaky_objective_going_with_a_warning_per_failure(caplog: pytest.LogCaptureFixture) -> None:
    def objective(config: dict[str, Any]) -> float:
        if config["layers"] == 1:
            raise MemoryError("out of memory")
        return config["lr"]

    study = ut.minimize(objective, SIX, backend="optuna:random", n_trials=12, seed=0, catch=(MemoryError,))
    failed = [t for t in study.trials if t.state == "failed"]
    assert len(study.trials) == 12 and failed
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        f"trial {t.number} failed: MemoryError: out of memory" for t in failed
    ]


# -- 2. random start-up phases ---------------------------------------------------------------------------------------


def test_2_backends_and_explain_show_the_start_up_phase_and_its_option() -> None:
    table = ut.backends().set_index("backend")
    assert table.loc["hyperopt:tpe", "startup"] == "first 20 random trials (n_startup_jobs)"
    assert table.loc["optuna:tpe", "startup"] == "first 10 random trials (n_startup_trials)"
    assert table.loc["skopt:gp", "startup"] == "first 10 random trials (n_initial_points)"
    assert table.loc["optuna:random", "startup"] == "none"
    explained = ut.explain(SIX, "skopt:gp", backend_options={"n_initial_points": 5})
    assert explained.attrs["caption"] == "skopt:gp: first 5 random trials (n_initial_points)"
    assert str(explained).startswith("skopt:gp: first 5 random trials")


def test_2_the_default_start_up_budgets_are_the_libraries_own() -> None:
    from hyperopt import tpe
    from optuna.samplers import CmaEsSampler, NSGAIISampler, TPESampler

    from unitune.adapters import get_adapter_class
    from unitune.adapters._base import signature_defaults

    optuna_adapter, hyperopt_adapter = get_adapter_class("optuna"), get_adapter_class("hyperopt")
    assert optuna_adapter.startup("tpe").trials == signature_defaults(TPESampler)["n_startup_trials"]  # type: ignore[union-attr]
    assert optuna_adapter.startup("cmaes").trials == signature_defaults(CmaEsSampler)["n_startup_trials"]  # type: ignore[union-attr]
    assert optuna_adapter.startup("nsga2").trials == signature_defaults(NSGAIISampler)["population_size"]  # type: ignore[union-attr]
    assert hyperopt_adapter.startup("tpe").trials == signature_defaults(tpe.suggest)["n_startup_jobs"]  # type: ignore[union-attr]


def test_2_compare_warns_when_the_budget_is_mostly_start_up() -> None:
    with pytest.warns(ut.UnituneWarning, match=r"hyperopt:tpe: its start-up phase is the first 20 random trials"):
        ut.compare("branin", backends=["hyperopt:tpe"], n_trials=15, seeds=1)
    ut.compare("branin", backends=["hyperopt:tpe"], n_trials=15, seeds=1,
               backend_options={"hyperopt:tpe": {"n_startup_jobs": 5}})  # fmt: skip


# -- 4. tables that fit the terminal ---------------------------------------------------------------------------------


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_4_text_forms_fit_100_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    explained = ut.explain(SIX, "hyperopt")
    assert widest(str(explained)) <= 100 and "hp.qloguniform('units'" in str(explained)  # nothing hidden
    assert widest(str(ut.backends())) <= 100 and "n_startup_jobs" in str(ut.backends())
    cmp = ut.compare("branin", backends=["optuna:random", "hyperopt:rand"], n_trials=3, seeds=2)
    summary = cmp.summary()
    assert widest(str(summary)) <= 100 and "rank_overall" in str(summary)
    study = ut.minimize(lambda c: c["lr"], SIX, backend="optuna:random", n_trials=3, seed=0)
    assert widest(str(study.trials_dataframe())) <= 100
    assert type(summary).__mro__[1].__name__ == "DataFrame" and summary.shape[0] == 2  # still a DataFrame


def test_4_the_cli_fits_columns(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["backends"]) == 0
    assert widest(capsys.readouterr().out) <= 80


def test_4_warnings_print_above_the_progress_bar() -> None:
    script = """
import unitune as ut
def objective(config):
    if config["n"] == 1:
        raise MemoryError("out of memory")
    return config["x"]
space = {"x": ut.Float(0, 1), "n": ut.Int(0, 3)}
ut.minimize(objective, space, backend="optuna:random", n_trials=12, seed=0, catch=(MemoryError,), progress=True)
import logging
print(logging.getLogger("unitune").handlers, logging.getLogger("unitune").propagate)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [line.split("\r")[-1] for line in result.stderr.split("\n")]
    failures = [line for line in lines if "failed: MemoryError" in line]
    assert failures, result.stderr
    assert all(re.fullmatch(r"trial \d+ failed: MemoryError: out of memory", line) for line in failures)
    assert result.stdout.strip() == "[] True"  # logging given back as it was


def test_4_no_notebook_bar_without_ipywidgets() -> None:
    import importlib.util

    from unitune.study._progress import progress_bar

    with progress_bar(2, "x") as bar:
        module = type(bar).__module__
    widgets = importlib.util.find_spec("ipywidgets") is not None
    assert module.startswith("tqdm.notebook") or module.startswith("tqdm.std") or widgets
    assert widgets or module == "tqdm.std"


# -- 5. other libraries' space objects -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("foreign", "element"),
    [
        (scipy.stats.uniform(1, 4), ut.Float(1.0, 5.0)),
        (scipy.stats.loguniform(1e-4, 1e-1), ut.Float(1e-4, 1e-1, log=True)),
        (scipy.stats.randint(2, 9), ut.Int(2, 8)),
        (optuna.distributions.FloatDistribution(0.0, 1.0, step=0.25), ut.Float(0.0, 1.0, step=0.25)),
        (optuna.distributions.FloatDistribution(1e-3, 1.0, log=True), ut.Float(1e-3, 1.0, log=True)),
        (optuna.distributions.IntDistribution(1, 64, log=True), ut.Int(1, 64, log=True)),
        (optuna.distributions.CategoricalDistribution(["a", "b"]), ut.Categorical(["a", "b"])),
    ],
    ids=["uniform", "loguniform", "randint", "optuna-float-step", "optuna-float-log", "optuna-int", "optuna-cat"],
)
def test_5_unambiguous_foreign_objects_are_converted_everywhere(foreign: Any, element: Any) -> None:
    assert ut.Space({"p": foreign}) == ut.Space({"p": element})
    study = ut.minimize(lambda c: 0.0, {"p": foreign}, backend="optuna:random", n_trials=3, seed=0)
    assert all(ut.Space({"p": element}).validate(t.params) is None for t in study.trials)


@pytest.mark.parametrize(
    ("make", "equivalent"),
    [
        (lambda: __import__("hyperopt").hp.uniform("x", 0, 1), "hp.uniform(label, a, b) -> ut.Float(a, b)"),
        (lambda: __import__("skopt").space.Real(0, 1), "Real(a, b) -> ut.Float(a, b)"),
        (lambda: scipy.stats.norm(0, 1), "scipy.stats.uniform(loc, scale)"),
    ],
    ids=["hyperopt", "skopt", "scipy-norm"],
)
def test_5_ambiguous_foreign_objects_are_refused_with_the_unitune_equivalent(make: Any, equivalent: str) -> None:
    with pytest.raises(ut.SpaceTypeError, match=r"parameter 'x'") as info:
        ut.minimize(lambda c: 0.0, {"x": make()}, n_trials=1)
    assert equivalent in str(info.value)


def test_5_a_plain_list_stays_a_constant() -> None:
    study = ut.minimize(lambda c: 0.0, {"x": ut.Float(0, 1), "layers": [64, 32]}, n_trials=2, seed=0)
    assert all(t.params["layers"] == [64, 32] for t in study.trials)


# -- 6. smaller things -----------------------------------------------------------------------------------------------


def test_6_pending_text_says_what_this_optuna_does() -> None:
    from optuna.samplers import TPESampler

    from unitune.adapters._base import signature_defaults

    pending = ut.backends().set_index("backend").loc["optuna:tpe", "pending"]
    if signature_defaults(TPESampler)["constant_liar"]:
        assert "TPESampler's default, constant_liar=True" in pending
    else:
        assert "backend_options={'constant_liar': True}" in pending


def test_6_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"unitune {ut.__version__}"


def test_6_run_takes_backend_options_and_a_timeout(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("def objective(config):\n    return config['x'] ** 2\n")
    (tmp_path / "space.json").write_text('{"x": {"type": "float", "low": -1, "high": 1}}')
    command = [str(Path(sys.executable).parent / "unitune"), "run", "train:objective", "--space", "space.json"]
    result = subprocess.run(
        [*command, "--backend", "hyperopt", "--backend-options", '{"n_startup_jobs": 3}', "--timeout", "30",
         "--trials", "5", "--no-progress"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "100"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    bad = subprocess.run(
        [*command, "--backend-options", "n_startup_jobs=3", "--trials", "2"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and "--backend-options must be a JSON object" in bad.stderr


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ut.minimize(lambda c: 0.0, SIX, n_trails=3), r"minimize\(\) has no argument 'n_trails'.*'n_trials'"),
        (lambda: ut.Study(SIX, backnd="optuna"), r"Study\(\) has no argument 'backnd'.*'backend'"),
        (lambda: ut.compare("branin", backend=["optuna"]), r"compare\(\) has no argument 'backend'.*'backends'"),
        (lambda: ut.Study(SIX).optimize(lambda c: 0.0, n_trial=2), r"optimize\(\) has no argument 'n_trial'"),
    ],
)
def test_6_a_mistyped_keyword_gets_a_did_you_mean(call: Any, message: str) -> None:
    with pytest.raises(ut.ArgumentTypeError, match=message):
        call()


def test_6_trial_number_reaches_the_objective_for_checkpoints(tmp_path: Path) -> None:
    def train(config: dict[str, Any], trial: ut.TrialHandle) -> float:
        (tmp_path / f"checkpoint-{trial.number}.txt").write_text(repr(config["x"]))  # named by the trial
        return config["x"] ** 2

    study = ut.minimize(train, {"x": ut.Float(-1, 1)}, backend="hyperopt:rand", n_trials=4, seed=0, n_jobs=2)
    for trial in study.trials:
        assert (tmp_path / f"checkpoint-{trial.number}.txt").read_text() == repr(trial.params["x"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"checkpoint-{n}.txt" for n in range(4)]
