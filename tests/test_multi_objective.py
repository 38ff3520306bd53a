"""Several objectives on every backend: the API, the Pareto front, the record, resume and warm start, explain."""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unitune as ut
from unitune.adapters import backend_names

optuna = pytest.importorskip("optuna")

ZDT1 = ut.problems.get("zdt1_5d")
BACKENDS = [b for b in backend_names() if b != "optuna:cmaes"]
TWO = ["minimize", "minimize"]


def dominates(a: tuple[float, ...], b: tuple[float, ...], directions: list[str]) -> bool:
    signs = [1.0 if d == "minimize" else -1.0 for d in directions]
    x, y = [s * v for s, v in zip(signs, a, strict=True)], [s * v for s, v in zip(signs, b, strict=True)]
    return all(p <= q for p, q in zip(x, y, strict=True)) and any(p < q for p, q in zip(x, y, strict=True))


def brute_front(trials: list[ut.Trial], directions: list[str]) -> list[int]:
    done = [t for t in trials if t.state == "complete" and t.feasible]
    return [t.number for t in done if not any(dominates(o.values, t.values, directions) for o in done)]


def small_options(backend: str) -> dict[str, Any] | None:
    """Short start-up phases, so that 24 trials reach each algorithm's own model or generations."""
    return {
        "optuna:tpe": {"n_startup_trials": 6},
        "optuna:nsga2": {"population_size": 8},
        "optuna:nsga3": {"population_size": 8},
        "hyperopt:tpe": {"n_startup_jobs": 6},
        "skopt:gp": {"n_initial_points": 6, "n_points": 200, "n_restarts_optimizer": 1},
        "skopt:forest": {"n_initial_points": 6, "n_points": 200},
        "skopt:et": {"n_initial_points": 6, "n_points": 200},
        "skopt:gbrt": {"n_initial_points": 6, "n_points": 200},
    }.get(backend)


# -- the Pareto front ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("directions", [["minimize", "minimize"], ["maximize", "minimize", "maximize"]])
def test_best_trials_is_the_brute_force_front_and_optunas(directions: list[str]) -> None:
    rng = random.Random(len(directions))
    grid = [0.0, 0.25, 0.5, 1.0]  # few levels: many ties and duplicates
    study = ut.Study({"x": ut.Float(0, 1)}, backend="optuna:random", directions=directions, seed=0)
    for _ in range(120):
        trial = study.ask()
        study.tell(trial, [rng.choice(grid) for _ in directions])
    front = [t.number for t in study.best_trials]
    assert front == brute_front(study.trials, directions)
    assert front == sorted(t.number for t in study.optuna_study.best_trials)
    values = {t.values for t in study.best_trials}
    assert len(values) < len(front)  # duplicates of a front point are all on the front, as in Optuna


def test_one_objective_best_trials_are_the_ties_of_the_best_value() -> None:
    study = ut.Study({"x": ut.Float(0, 1)}, backend="optuna:random", direction="maximize", seed=0)
    for value in [1, 3, 2, 3]:
        study.tell(study.ask(), value)
    assert [t.number for t in study.best_trials] == [1, 3] and study.best_trial.number == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_returns_a_valid_front_on_zdt1(backend: str) -> None:
    space = {k: ut.Float(0, 1, step=0.25) for k in ZDT1.space} if backend == "optuna:grid" else ZDT1.space
    study = ut.optimize(
        ZDT1.objective, space, directions=list(ZDT1.directions), backend=backend, n_trials=24, seed=0,
        backend_options=small_options(backend),
    )  # fmt: skip
    complete = [t for t in study.trials if t.state == "complete"]
    assert len(complete) == 24 and all(len(t.values) == 2 for t in complete)
    front = study.best_trials
    assert front and [t.number for t in front] == brute_front(study.trials, TWO)
    for a, b in itertools.permutations(front, 2):
        assert not dominates(a.values, b.values, TWO)
    for trial in complete:  # every trial is matched or beaten by the front
        assert any(f.values == trial.values or dominates(f.values, trial.values, TWO) for f in front)
    for trial in front:  # the values are the objective's at the trial's configuration
        assert trial.values == pytest.approx(ZDT1(trial.params))


def test_several_objectives_are_refused_by_cmaes_before_any_trial(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    with pytest.raises(ut.ArgumentError, match=r"optuna:cmaes.*optimizes one.*Fix: .*optuna:nsga2"):
        ut.optimize(lambda c: (1.0, 2.0), {"x": ut.Float(0, 1)}, directions=TWO, backend="optuna:cmaes",
                    n_trials=3, storage=url, study_name="s")  # fmt: skip
    assert optuna.get_all_study_names(url) == []  # refused before the record was created
    ut.minimize(lambda c: c["x"], {"x": ut.Float(0, 1)}, backend="optuna:cmaes", n_trials=2)  # one objective: fine


def test_the_grid_takes_several_objectives() -> None:
    study = ut.optimize(
        lambda c: (c["n"], -c["n"]), {"n": ut.Int(0, 3)}, directions=TWO, backend="optuna:grid", n_trials=10
    )
    assert sorted(t.params["n"] for t in study.trials) == [0, 1, 2, 3] and len(study.best_trials) == 4


# -- the API -------------------------------------------------------------------------------------------------------


def test_named_objectives_read_from_a_dict_with_attributes() -> None:
    def objective(config: dict[str, Any]) -> dict[str, Any]:
        return {"accuracy": 1 - config["x"], "latency": config["x"] * 10, "epochs": 3}

    study = ut.optimize(objective, {"x": ut.Float(0, 1)}, directions=["maximize", "minimize"],
                        objectives=["accuracy", "latency"], backend="hyperopt", n_trials=6, seed=0)  # fmt: skip
    trial = study.trials[0]
    assert trial.values == (1 - trial.params["x"], trial.params["x"] * 10) and trial.value is None
    assert trial.user_attrs == {"epochs": 3}
    frame = study.trials_dataframe()
    assert list(frame.columns[:4]) == ["number", "state", "values_accuracy", "values_latency"]
    assert "value" not in frame.columns and frame["user_attrs_epochs"].tolist() == [3] * 6
    assert study.optuna_study.metric_names == ["accuracy", "latency"]


def test_unnamed_objectives_as_a_sequence_an_array_or_a_values_dict() -> None:
    study = ut.Study({"x": ut.Float(0, 1)}, directions=TWO, backend="optuna:random", seed=0)
    for result in [(1, 2), [3.0, 4.0], np.array([5.0, 6.0]), {"values": [7, 8], "note": "x"}]:
        study.tell(study.ask(), result)
    assert [t.values for t in study.trials] == [(1, 2), (3, 4), (5, 6), (7, 8)]
    assert study.trials[-1].user_attrs == {"note": "x"}
    assert list(study.trials_dataframe().columns[2:4]) == ["values_0", "values_1"]


BAD = [
    ((1.0, 2.0, 3.0), None, r"returned 3 value\(s\) for 2 objectives.*Fix: return one number per direction"),
    ((1.0,), None, r"returned 1 value\(s\) for 2 objectives"),
    (0.5, None, r"must return 2 numbers .*returned 0.5 \(float\)"),
    ("12", None, r"must return 2 numbers"),
    ((1.0, "fast"), None, r"objective 1 must be a number; the objective returned 'fast' \(str\)"),
    ((1.0, None), None, r"objective 1 must be a number"),
    ((True, 1.0), None, r"objective 0 must be a number"),
    ({"value": 1.0}, None, r"dict without the key 'values'.*name the objectives"),
    ({"accuracy": 1.0, "epochs": 3}, ["accuracy", "latency"], r"lacks the objective\(s\) \['latency'\].*holds"),
    ({"accuracy": 1.0, "latency": [2]}, ["accuracy", "latency"], r"objective 'latency' must be a number"),
]


@pytest.mark.parametrize(("result", "names", "message"), BAD)
def test_bad_return_shapes_are_clear_errors(result: Any, names: list[str] | None, message: str) -> None:
    study = ut.Study({"x": ut.Float(0, 1)}, directions=TWO, objectives=names, backend="optuna:random", seed=0)
    trial = study.ask()
    with pytest.raises(ut.ObjectiveError, match=message):
        study.tell(trial, result)
    assert study.running == [trial]  # not recorded: the caller can tell it failed
    with pytest.raises(ut.ObjectiveError, match=message):  # in a run: the trial fails and the error stops it
        ut.optimize(lambda c: result, {"x": ut.Float(0, 1)}, directions=TWO, objectives=names, n_trials=3)


def test_nan_or_inf_among_the_values_fails_the_trial() -> None:
    study = ut.optimize(lambda c: (c["x"], math.nan if c["x"] > 0.5 else 1.0), {"x": ut.Float(0, 1)},
                        directions=TWO, backend="optuna:random", n_trials=12, seed=0)  # fmt: skip
    failed = [t for t in study.trials if t.state == "failed"]
    assert failed and all("nan" in t.error and t.values is None for t in failed)
    assert all(t.params["x"] <= 0.5 for t in study.best_trials)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "minimize", "directions": TWO}, r"give direction= .* or directions= .*not both"),
        ({"directions": ["minimize", "max"]}, r"directions must list 'minimize' or 'maximize'"),
        ({"directions": []}, r"directions must list"),
        ({"directions": "minimize"}, r"directions must be a list"),
        ({"directions": TWO, "objectives": ["a"]}, r"objectives must name each of the 2 objective"),
        ({"objectives": ["a", "a"]}, r"objectives must list distinct names"),
        ({"objectives": "a"}, r"objectives must be a list of names"),
    ],
)
def test_bad_directions_and_names_are_refused_before_anything(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ut.ArgumentError, match=message):
        ut.Study({"x": ut.Float(0, 1)}, **kwargs)


def test_single_best_is_an_error_that_points_to_best_trials() -> None:
    study = ut.optimize(lambda c: (c["x"], 1 - c["x"]), {"x": ut.Float(0, 1)}, directions=TWO, n_trials=3)
    for attribute in ("best_trial", "best_params", "best_value", "direction"):
        with pytest.raises(ut.StudyError, match="best_trials" if attribute != "direction" else "directions"):
            getattr(study, attribute)
    assert study.directions == TWO and "directions=['minimize', 'minimize']" in repr(study)
    with pytest.raises(ut.ArgumentTypeError, match="did you mean 'directions'"):
        ut.optimize(lambda c: (1, 2), {"x": ut.Float(0, 1)}, direction=TWO, n_trials=1)  # type: ignore[call-arg]


def test_explain_and_backends_say_how_each_backend_handles_several_objectives() -> None:
    table = ut.backends().set_index("backend")
    assert table.loc["optuna:nsga3", "objectives"].startswith("native")
    assert table.loc["hyperopt:tpe", "objectives"].startswith("fallback: ParEGO")
    assert table.loc["skopt:gp", "objectives"].startswith("fallback: ParEGO")
    assert table.loc["optuna:cmaes", "objectives"].startswith("single only")
    space = {"x": ut.Float(0, 1)}
    rows = {b: ut.explain(space, b, directions=TWO).set_index("param").loc["(objectives)"] for b in BACKENDS}
    assert {b for b, r in rows.items() if r.fidelity == "fallback"} == {
        "hyperopt:tpe", "hyperopt:anneal", "skopt:gp", "skopt:forest", "skopt:et", "skopt:gbrt"
    }  # fmt: skip
    assert "Knowles" in rows["skopt:gp"].native
    assert ut.explain(space, "optuna:cmaes", directions=TWO).iloc[-1].fidelity == "refused"
    assert "(objectives)" not in set(ut.explain(space, "optuna").param)  # one objective: no row


# -- the record, resume, warm start ----------------------------------------------------------------------------------


def test_storage_round_trip_and_plot_pareto_front_on_a_hyperopt_study(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    url = f"sqlite:///{tmp_path / 'runs.db'}"

    def objective(config: dict[str, Any]) -> dict[str, float]:
        return {"error": ZDT1(config)[0], "size": ZDT1(config)[1]}

    kwargs: dict[str, Any] = {"directions": TWO, "objectives": ["error", "size"], "backend": "hyperopt",
                              "storage": url, "study_name": "mo", "seed": 0}  # fmt: skip
    study = ut.optimize(objective, ZDT1.space, n_trials=12, **kwargs)
    loaded = optuna.load_study(study_name="mo", storage=url)
    assert loaded.directions == [optuna.study.StudyDirection.MINIMIZE] * 2 and loaded.metric_names == ["error", "size"]
    assert [tuple(t.values) for t in loaded.trials] == [t.values for t in study.trials]
    assert sorted(t.number for t in loaded.best_trials) == [t.number for t in study.best_trials]
    figure = optuna.visualization.plot_pareto_front(loaded)
    plotted = sum(len(trace.x) for trace in figure.data if trace.x is not None)
    assert plotted == 12 and figure.layout.xaxis.title.text == "error"

    before = [(t.number, t.values) for t in study.trials]  # (a stored study sees later trials)
    resumed = ut.optimize(objective, ZDT1.space, n_trials=20, load_if_exists=True, **kwargs)
    assert len(resumed.trials) == 20  # the recorded trials are read back with their values
    assert [(t.number, t.values) for t in resumed.trials[:12]] == before
    assert [t.number for t in resumed.best_trials] == brute_front(resumed.trials, TWO)
    with pytest.raises(ut.StudyError, match=r"stored with direction \['minimize', 'minimize'\], not 'minimize'"):
        ut.minimize(lambda c: 1.0, ZDT1.space, storage=url, study_name="mo", load_if_exists=True, n_trials=1)


@pytest.mark.parametrize("backend", ["optuna:tpe", "hyperopt:tpe", "skopt:forest"])
def test_warm_start_from_a_study_and_from_its_frame(backend: str) -> None:
    source = ut.optimize(ZDT1.objective, ZDT1.space, directions=TWO, backend="optuna:random", n_trials=10, seed=3)
    options = small_options(backend)
    fresh = ut.Study(ZDT1.space, directions=TWO, backend=backend, seed=0, backend_options=options).ask().params
    asked = []
    for start in (source, source.trials_dataframe()):
        study = ut.Study(ZDT1.space, directions=TWO, backend=backend, warm_start=start, seed=0, backend_options=options)
        asked.append(study.ask().params)  # past the 6 start-up trials: the backend's model uses the 10 told
    assert asked[0] == asked[1] != fresh
    with pytest.raises(ut.ArgumentError, match="warm_start must hold trials with 3 objective"):
        ut.Study(ZDT1.space, directions=[*TWO, "minimize"], warm_start=source)
    with pytest.raises(ut.ArgumentError, match=r"warm_start must have the value column\(s\) \['values_a'"):
        ut.Study(ZDT1.space, directions=TWO, objectives=["a", "b"], warm_start=source.trials_dataframe())


def test_optuna_tells_maximized_values_in_their_own_sign() -> None:
    study = ut.optimize(lambda c: (c["x"], c["x"] * 2), {"x": ut.Float(0, 1)}, directions=["minimize", "maximize"],
                        backend="optuna:tpe", n_trials=4, seed=0)  # fmt: skip
    inner = study.adapter.study
    assert inner.directions[1] == optuna.study.StudyDirection.MAXIMIZE
    assert [tuple(t.values) for t in inner.trials] == [t.values for t in study.trials]


def test_unitune_show_prints_the_pareto_front(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from unitune.cli import main

    url = f"sqlite:///{tmp_path / 's.db'}"
    study = ut.optimize(lambda c: (c["x"], c["x"] * (1 - c["x"])), {"x": ut.Float(0, 1)}, directions=TWO,
                        backend="skopt:random", n_trials=6, seed=0, storage=url, study_name="s")  # fmt: skip
    assert main(["show", url]) == 0
    out = capsys.readouterr().out
    assert "directions minimize, minimize" in out and f"Pareto front: {len(study.best_trials)} trial(s)" in out
    assert all(f"#{t.number}: values" in out for t in study.best_trials)


@pytest.mark.parametrize("backend", ["hyperopt:tpe", "skopt:forest", "optuna:nsga2"])
def test_several_objectives_and_constraints_with_trials_in_flight(backend: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    kwargs: dict[str, Any] = {"directions": TWO, "backend": backend, "seed": 0, "n_trials": 16,
                              "backend_options": small_options(backend),
                              "constraints": lambda config, result: [config["x0"] - 0.7]}  # fmt: skip
    with ThreadPoolExecutor(2) as pool:
        study = ut.optimize(ZDT1.objective, ZDT1.space, executor=pool, **kwargs)
    processes = ut.optimize(ZDT1.objective, ZDT1.space, n_jobs=2, **kwargs)
    for run in (study, processes):
        assert len(run.trials) == 16 and all(t.state == "complete" for t in run.trials)
        # best_trials are by number; trials finish in any order when several are in flight
        assert [t.number for t in run.best_trials] == sorted(brute_front(run.trials, TWO))
        assert all(t.params["x0"] <= 0.7 for t in run.best_trials)
