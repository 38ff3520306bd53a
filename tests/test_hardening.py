"""Nothing silent: one test per item of the hardening issue (resume checks, recorded choices, warm starts,
mutated configurations, sub-spaces in choices, Ctrl-C, huge results, clear errors, the CLI, YAML files, the live
record). Each failed before its fix."""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest

import unitune as ut
from unitune.cli import main

SPACE = {"x": ut.Float(-2.0, 2.0), "n": ut.Int(0, 3), "act": ut.Categorical(["relu", None])}


def square(config: dict[str, Any]) -> float:
    return float(config["x"]) ** 2 + config["n"]


def stored(tmp_path: Path, **kwargs: Any) -> str:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    ut.minimize(square, SPACE, n_trials=4, seed=0, storage=url, study_name="s", **kwargs)
    return url


# -- 1. resuming with another direction, backend or space ------------------------------------------------------------


def test_1_resume_with_another_direction_is_refused(tmp_path: Path) -> None:
    url = stored(tmp_path)
    with pytest.raises(ut.StudyError, match=r"stored with direction 'minimize', not 'maximize'.*another study_name"):
        ut.maximize(square, SPACE, n_trials=6, storage=url, study_name="s", load_if_exists=True)
    assert len(optuna.load_study(study_name="s", storage=url).trials) == 4  # nothing was run


def test_1_resume_with_another_backend_is_refused_unless_allowed(tmp_path: Path) -> None:
    url = stored(tmp_path)
    with pytest.raises(ut.StudyError, match=r"the backend is 'hyperopt:tpe', the stored study's is 'optuna:tpe'"):
        ut.minimize(square, SPACE, backend="hyperopt", n_trials=6, storage=url, study_name="s", load_if_exists=True)
    study = ut.minimize(
        square,
        SPACE,
        backend="hyperopt",
        n_trials=6,
        storage=url,
        study_name="s",
        load_if_exists=True,
        allow_changes=True,
    )
    assert len(study.trials) == 6
    reopened = ut.Study(SPACE, backend="hyperopt", storage=url, study_name="s", load_if_exists=True)
    assert len(reopened.trials) == 6  # the stored setup now names the new backend


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({**SPACE, "z": ut.Float(0.0, 1.0)}, r"parameter 'z' was added"),
        ({"x": SPACE["x"], "n": SPACE["n"]}, r"parameter 'act' was removed"),
        ({**SPACE, "x": ut.Float(-1.0, 1.0)}, r"parameter 'x' changed from real \[-2.0, 2.0\] to real \[-1.0, 1.0\]"),
    ],
    ids=["added", "removed", "narrower"],
)
def test_1_resume_with_a_changed_space_says_what_changed(tmp_path: Path, changed: dict[str, Any], message: str) -> None:
    url = stored(tmp_path)
    with pytest.raises(ut.StudyError, match=message + r".*allow_changes=True"):
        ut.Study(changed, storage=url, study_name="s", load_if_exists=True)
    with pytest.warns(ut.UnituneWarning, match=r"recorded trial\(s\) do not fit the space"):
        study = ut.Study(changed, storage=url, study_name="s", load_if_exists=True, allow_changes=True)
    space = ut.Space(changed)
    assert all(space.validate(t.params) is None for t in study.trials)  # only what fits was told
    study.optimize(lambda c: 0.0, n_trials=2)


def test_1_a_change_optunas_storage_cannot_record_is_refused_even_when_allowed(tmp_path: Path) -> None:
    url = stored(tmp_path)
    changed = {**SPACE, "act": ut.Categorical(["relu"])}
    with pytest.raises(ut.StudyError, match=r"parameter 'act' changed from a choice of 2 to a choice of 1"):
        ut.Study(changed, storage=url, study_name="s", load_if_exists=True)
    with pytest.raises(ut.StudyError, match=r"Optuna's storage records a parameter only as it first recorded it"):
        ut.Study(changed, storage=url, study_name="s", load_if_exists=True, allow_changes=True)


def test_1_a_study_unitune_did_not_create_continues_from_its_recorded_trials(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'native.db'}"
    native = optuna.create_study(study_name="native", storage=url, sampler=optuna.samplers.RandomSampler(seed=0))
    native.optimize(lambda t: t.suggest_float("x", -2.0, 2.0) ** 2 + t.suggest_int("n", 0, 3), n_trials=5)
    native.optimize(lambda t: t.suggest_float("x", -9.0, 9.0), n_trials=2)  # another range: does not fit
    space = {"x": ut.Float(-2.0, 2.0), "n": ut.Int(0, 3)}
    with pytest.warns(ut.UnituneWarning, match=r"2 recorded trial\(s\) do not fit the space.*5 were told"):
        study = ut.Study(space, storage=url, study_name="native", load_if_exists=True)
    assert len(study.trials) == 5


# -- 2. choices whose repr changes between runs ----------------------------------------------------------------------


def test_2_choices_recorded_with_a_memory_address_resume(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'f.db'}"
    script = textwrap.dedent(
        """
        import sys, unitune as ut
        def relu(x): return x
        def tanh(x): return x
        space = {"act": ut.Categorical([relu, tanh]), "x": ut.Float(0, 1)}
        study = ut.minimize(lambda c: c["x"], space, n_trials=int(sys.argv[2]), seed=0,
                            storage=sys.argv[1], study_name="f", load_if_exists=True)
        print(len(study.trials), sorted({t.params["act"].__name__ for t in study.trials}))
        """
    )
    for total in (3, 6):  # two interpreters: the functions live at other addresses
        result = subprocess.run([sys.executable, "-c", script, url, str(total)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{total} ")
    labels = {t.params["act"] for t in optuna.load_study(study_name="f", storage=url).trials}
    assert labels <= {"0: <function relu>", "1: <function tanh>"}  # no memory address: the same in every run


# -- 3. warm starts --------------------------------------------------------------------------------------------------


def test_3_warm_start_from_a_frame_tells_active_none_choices() -> None:
    donor = ut.minimize(square, SPACE, backend="optuna:random", n_trials=10, seed=3)
    assert any(t.params["act"] is None for t in donor.trials)
    frame = donor.trials_dataframe()
    study = ut.Study(SPACE, backend="hyperopt", seed=0, warm_start=frame)
    assert len(study.adapter._trials.trials) == 10  # every trial told, None choices included


def test_3_warm_start_from_optunas_own_frame_with_object_choices() -> None:
    class Model:
        def __init__(self, depth: int) -> None:
            self.depth = depth

    space = {"model": ut.Categorical([Model(1), Model(2)]), "x": ut.Float(0.0, 1.0)}
    donor = ut.minimize(lambda c: c["x"] + c["model"].depth, space, backend="optuna:random", n_trials=8, seed=0)
    frame = donor.optuna_study.trials_dataframe()
    study = ut.Study(space, backend="hyperopt", seed=0, warm_start=frame)
    assert len(study.adapter._trials.trials) == 8


def test_3_warm_start_warns_with_the_count_it_could_not_tell() -> None:
    donor = ut.minimize(square, SPACE, backend="optuna:random", n_trials=10, seed=3)
    narrow = {**SPACE, "x": ut.Float(0.0, 2.0)}
    outside = sum(t.params["x"] < 0 for t in donor.trials)
    with pytest.warns(
        ut.UnituneWarning, match=rf"{outside} complete trial\(s\) do not fit .* {10 - outside} were told"
    ):
        ut.Study(narrow, backend="optuna", seed=0, warm_start=donor)
    with pytest.warns(ut.UnituneWarning, match=rf"{outside} complete trial\(s\)"):
        ut.Study(narrow, backend="optuna", seed=0, warm_start=donor.trials_dataframe())


# -- 4. an objective that changes its configuration ------------------------------------------------------------------


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_4_a_mutating_objective_changes_neither_the_trials_nor_the_record(n_jobs: int) -> None:
    shared = [1, 2]
    space = {"x": ut.Float(0.0, 1.0), "layers": [64, 32], "obj": ut.Categorical([shared])}

    def objective(config: dict[str, Any]) -> float:
        value = config["x"]
        config["x"] = 99.0
        config["layers"].append(0)
        config["new"] = 1
        return value

    executor = cf.ThreadPoolExecutor(2) if n_jobs == 2 else None
    study = ut.minimize(objective, space, n_trials=4, seed=0, executor=executor)
    assert all(
        0 <= t.params["x"] <= 1 and t.params["layers"] == [64, 32] and "new" not in t.params for t in study.trials
    )
    assert study.best_params["x"] == study.best_value
    assert ut.Space(space).mapping["layers"] == [64, 32]
    assert all(t.params["obj"] is shared for t in study.trials)  # choices stay the very objects


# -- 5. sub-spaces inside Categorical choices ------------------------------------------------------------------------


def test_5_elements_inside_categorical_choices_are_refused_with_the_conditional_to_write() -> None:
    space = {
        "model": ut.Categorical(
            [{"kind": "svm", "C": ut.Float(0.1, 10, log=True)}, {"kind": "tree", "depth": ut.Int(1, 9)}]
        )
    }
    with pytest.raises(ut.SpaceTypeError, match=r"parameter 'model': elements inside Categorical choices") as info:
        ut.minimize(lambda c: 0.0, space, n_trials=1)
    assert "Conditional({'svm': {'C': Float(0.1, 10, log=True)}, 'tree': {'depth': Int(1, 9)}})" in str(info.value)


# -- 6. Ctrl-C -------------------------------------------------------------------------------------------------------


def test_6_one_ctrl_c_stops_a_loop_over_backends_and_keeps_the_study() -> None:
    ran = []
    calls: list[int] = []

    def objective(config: dict[str, Any]) -> float:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return square(config)

    for backend in ["optuna", "hyperopt", "skopt"]:
        try:
            ut.minimize(objective, SPACE, backend=backend, n_trials=10, seed=0)
        except ut.StudyInterrupted as error:
            ran.append(backend)
            kept = error.study
            break
    assert ran == ["optuna"]  # the loop stopped at the first Ctrl-C
    assert [t.state for t in kept.trials] == ["complete", "complete", "failed"]
    assert kept.trials[-1].error == "interrupted (KeyboardInterrupt)"


def test_6_one_ctrl_c_stops_a_whole_comparison() -> None:
    calls = []

    def objective(config: dict[str, Any]) -> float:
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return square(config)

    with pytest.raises(KeyboardInterrupt):
        ut.compare(objective, SPACE, backends=["optuna:random", "hyperopt:rand"], n_trials=3, seeds=[0, 1])
    assert len(calls) == 4  # no run started after the interrupt


# -- 7. results too large for a float --------------------------------------------------------------------------------


def test_7_a_result_beyond_floats_range_is_a_failed_trial(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'big.db'}"
    calls: list[int] = []

    def objective(config: dict[str, Any]) -> int:
        calls.append(1)
        return 10**400 if len(calls) % 2 else config["n"]

    study = ut.minimize(objective, SPACE, n_trials=6, seed=0, storage=url)
    failed = [t for t in study.trials if t.state == "failed"]
    assert failed and all("too large for a float" in (t.error or "") for t in failed)
    assert all(t.state.is_finished() for t in optuna.load_study(study_name=study.study_name, storage=url).trials)


# -- 8. an existing study name ---------------------------------------------------------------------------------------


def test_8_an_existing_study_name_says_how_many_trials_and_how_to_continue(tmp_path: Path) -> None:
    url = stored(tmp_path)
    with pytest.raises(ut.StudyError, match=r"already holds a study named 's', with 4 trial\(s\).*load_if_exists=True"):
        ut.Study(SPACE, storage=url, study_name="s")


# -- 9. bad arguments, each a clear error before any backend is called -----------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"storage": 3}, ut.ArgumentTypeError, r"storage must be None, an Optuna storage URL"),
        ({"storage": "sqlite:/x.db"}, ut.ArgumentError, r"looks like a URL without '//'.*sqlite:///x.db"),
        ({"seed": -1}, ut.ArgumentError, r"seed must be an int in \[0, 2\*\*32\)"),
        ({"seed": 2**40}, ut.ArgumentError, r"seed must be an int in \[0, 2\*\*32\)"),
        ({"seed": "0"}, ut.ArgumentTypeError, r"seed must be an int or None"),
        ({"backend_options": {"n_startup_trials": "ten"}}, ut.BackendError, r"'n_startup_trials' .* must be an int"),
    ],
    ids=["storage-int", "storage-typo", "seed-negative", "seed-huge", "seed-str", "option-type"],
)
def test_9_bad_study_arguments(kwargs: dict[str, Any], error: type[Exception], message: str, tmp_path: Path) -> None:
    with pytest.raises(error, match=message):
        ut.Study(SPACE, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_9_numpy_ints_are_accepted_everywhere() -> None:
    study = ut.minimize(square, SPACE, n_trials=np.int64(2), seed=np.int64(3), n_jobs=np.int64(1))
    assert len(study.trials) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"timeout": "x"}, ut.ArgumentTypeError, r"timeout must be a number of seconds"),
        ({"timeout": -1}, ut.ArgumentError, r"timeout must be a finite number of seconds > 0"),
        ({"timeout": math.nan}, ut.ArgumentError, r"timeout must be a finite number of seconds > 0"),
        ({"n_trials": 2.0}, ut.ArgumentTypeError, r"n_trials must be an int"),
        ({"n_jobs": 0}, ut.ArgumentError, r"n_jobs must be >= 1 \(or -1\)"),
    ],
)
def test_9_bad_run_arguments(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    study = ut.Study(SPACE)
    with pytest.raises(error, match=message):
        study.optimize(square, **{"n_trials": 3, **kwargs})
    assert study.trials == [] and study.running == []


def test_9_a_float_range_wider_than_a_float_is_refused() -> None:
    with pytest.raises(ut.SpaceError, match=r"parameter 'x': Float needs a finite width high - low"):
        ut.Space({"x": ut.Float(-1e308, 1e308)})


def test_9_an_unpicklable_objective_fails_once_before_the_first_trial() -> None:
    lock = threading.Lock()
    study = ut.Study(SPACE)
    with pytest.raises(ut.ArgumentError, match=r"the objective cannot be sent to worker processes.*ThreadPoolExecutor"):
        study.optimize(lambda c: 0.0 if lock else 1.0, n_trials=4, n_jobs=2)
    assert study.trials == [] and study.running == []


def test_9_compare_takes_a_number_of_seeds_like_the_cli() -> None:
    cmp = ut.compare("branin", backends=["optuna:random"], n_trials=2, seeds=3)
    assert sorted(cmp.trials["seed"].unique()) == [0, 1, 2]
    with pytest.raises(ut.ArgumentError, match=r"seeds must be >= 1"):
        ut.compare("branin", backends=["optuna:random"], n_trials=2, seeds=0)
    with pytest.raises(ut.ArgumentError, match=r"n_trials must be an int >= 1"):
        ut.compare("branin", backends=["optuna:random"], n_trials=0)


# -- 10. the command line --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_10_show_of_a_missing_storage_is_an_error_and_creates_nothing(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / ("missing.db" if kind == "sqlite" else "missing.log")
    storage = f"sqlite:///{path}" if kind == "sqlite" else str(path)
    assert main(["show", storage]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not path.exists()


@pytest.mark.parametrize("flag", ["--trials", "--seeds"])
def test_10_bench_with_nothing_to_run_is_an_error(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["bench", "--backends", "optuna:random", flag, "0", "--out", str(out), "--no-progress"]) == 2
    assert ">= 1" in capsys.readouterr().err and not out.exists()


# -- 11. unitune run does not shadow installed packages --------------------------------------------------------------


def test_11_run_imports_the_objective_without_shadowing_installed_packages(tmp_path: Path) -> None:
    (tmp_path / "optuna.py").write_text("raise SystemExit('the local optuna.py was imported')\n")
    (tmp_path / "train.py").write_text("def objective(config):\n    return config['x'] ** 2\n")
    (tmp_path / "space.json").write_text(json.dumps({"x": {"type": "float", "low": -1, "high": 1}}))
    command = Path(sys.executable).parent / "unitune"  # the installed command, as a user runs it
    result = subprocess.run(
        [str(command), "run", "train:objective", "--space", "space.json", "--trials", "3", "--no-progress"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "best value" in result.stdout


# -- 12. YAML space files --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x: &a {type: float, low: 0, high: 1}\ny: *a\n",
        "a: &a [*a]\n",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)),
    ],
    ids=["alias", "recursive", "billion-laughs"],
)
def test_12_yaml_aliases_are_refused_with_a_clear_error(text: str, tmp_path: Path) -> None:
    from unitune.cli._run import load_space_file

    path = tmp_path / "space.yaml"
    path.write_text(text)
    with pytest.raises(ut.SpaceError, match=r"space.yaml: line \d+, column \d+: aliases \(\*\w+\) are not allowed"):
        load_space_file(path)


# -- 13. the live record ---------------------------------------------------------------------------------------------


def test_13_optuna_study_is_built_once_and_stays_in_step() -> None:
    study = ut.minimize(square, SPACE, backend="hyperopt", n_trials=3, seed=0)
    live = study.optuna_study
    assert study.optuna_study is live and len(live.trials) == 3
    study.optimize(square, n_trials=2)
    assert study.optuna_study is live and len(live.trials) == 5
    assert [t.value for t in live.trials] == [t.value for t in sorted(study.trials, key=lambda t: t.number)]


def test_13_frames_of_failed_and_complete_trials_keep_their_states() -> None:
    study = ut.minimize(lambda c: math.nan if c["n"] == 0 else c["n"], SPACE, n_trials=6, seed=1)
    frame = study.trials_dataframe()
    assert set(frame["state"]) <= {"complete", "failed"} and isinstance(frame, pd.DataFrame)
