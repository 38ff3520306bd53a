"""The shared contract: every registered backend:algorithm, the same behaviour through Study."""

from __future__ import annotations

import math

import pytest

import unitune as ut
from unitune.adapters import backend_names

ALL = backend_names()
NOT_GRID = [b for b in ALL if not b.endswith(":grid")]

MIXED = {
    "x": ut.Float(-2.0, 2.0),
    "lr": ut.Float(1e-4, 1e-1, log=True),
    "n": ut.Int(0, 2),
    "units": ut.Int(1, 64, log=True),
    "batch": ut.Int(32, 128, step=32),
    "act": ut.Categorical(["relu", "tanh", None]),
    "obj": ut.Categorical([(1, 2), {"a": 1}]),
    "epochs": 3,
}
FINITE = {
    "n": ut.Int(0, 2),
    "step": ut.Float(0.0, 1.0, step=0.5),
    "act": ut.Categorical(["relu", None]),
    "kind": ut.Conditional({"a": {"p": ut.Int(1, 2)}, "b": {}}),
}
CONDITIONAL = {
    "model": {
        "kind": ut.Conditional(
            {
                "svm": {"C": ut.Float(1e-3, 1e3, log=True), "kernel": ut.Categorical(["rbf", "linear"])},
                "tree": {"depth": ut.Int(1, 8), "inner": ut.Conditional({"x": {"q": ut.Float(0, 1)}, "y": {}})},
            }
        ),
        "shared": ut.Int(0, 3),
    }
}


def _space_for(backend: str) -> dict[str, object]:
    return FINITE if backend.endswith(":grid") else MIXED


def _objective(config: dict[str, object]) -> float:
    return float(sum(v for v in config.values() if isinstance(v, (int, float)) and not isinstance(v, bool)))


@pytest.mark.parametrize("backend", ALL)
def test_values_fit_the_space_with_python_types(backend: str) -> None:
    space = ut.Space(_space_for(backend))
    seen = []

    def objective(config: dict[str, object]) -> float:
        space.validate(config)
        seen.append(config)
        return _objective(config)

    study = ut.minimize(objective, space, backend=backend, n_trials=12, seed=0)
    assert len(study.trials) == len(seen) > 0
    for config in seen:
        for name, value in space.flatten(config).items():
            assert type(value) in (int, float, bool, str, type(None), tuple, dict), (name, type(value))
        if "obj" in config:
            assert any(config["obj"] is choice for choice in MIXED["obj"].choices)  # type: ignore[attr-defined]
    assert study.best_value == min(t.value for t in study.trials if t.value is not None)


@pytest.mark.parametrize("backend", NOT_GRID)
def test_conditional_only_active_branch_reaches_objective(backend: str) -> None:
    space = ut.Space(CONDITIONAL)
    seen = []

    def objective(config: dict[str, object]) -> float:
        space.validate(config)  # rejects any parameter of an inactive branch
        seen.append(config)
        model = config["model"]
        assert isinstance(model, dict)
        return float(model["shared"])

    ut.minimize(objective, space, backend=backend, n_trials=16, seed=3)
    kinds = {c["model"]["kind"] for c in seen}  # type: ignore[index]
    assert kinds <= {"svm", "tree"} and len(seen) == 16
    for config in seen:
        model = config["model"]
        assert isinstance(model, dict)
        expected = {"kind", "shared"} | ({"C", "kernel"} if model["kind"] == "svm" else {"depth", "inner"})
        if model.get("inner") == "x":
            expected.add("q")
        assert set(model) == expected


@pytest.mark.parametrize("backend", NOT_GRID)
def test_same_seed_same_run_different_seed_different_run(backend: str) -> None:
    def run(seed: int) -> list[dict[str, object]]:
        study = ut.minimize(_objective, MIXED, backend=backend, n_trials=6, seed=seed)
        return [t.params for t in study.trials]

    first = run(1)
    assert run(1) == first
    assert run(2) != first


@pytest.mark.parametrize("backend", ALL)
def test_failing_objective_is_a_failed_trial_and_the_study_goes_on(backend: str) -> None:
    calls = []

    def objective(config: dict[str, object]) -> float:
        calls.append(config)
        if len(calls) % 3 == 0:
            raise RuntimeError("boom")
        return _objective(config)

    study = ut.minimize(objective, _space_for(backend), backend=backend, n_trials=9, seed=0, catch=(RuntimeError,))
    failed = [t for t in study.trials if t.state == "failed"]
    assert len(study.trials) == len(calls)
    assert failed and all("RuntimeError: boom" in (t.error or "") for t in failed)
    assert all(t.state == "complete" for t in study.trials if t not in failed)


@pytest.mark.parametrize("backend", NOT_GRID)
def test_ask_n_gives_distinct_pending_trials(backend: str) -> None:
    study = ut.Study(MIXED, backend=backend, seed=0)
    trials = study.ask(4)
    assert len(trials) == 4
    assert len({repr(sorted(t.params.items(), key=str)) for t in trials}) == 4
    for trial in trials:
        study.tell(trial, _objective(trial.params))
    assert [t.state for t in study.trials] == ["complete"] * 4
    assert study.ask().number == 4


@pytest.mark.parametrize("backend", ALL)
def test_maximize_flips_the_direction(backend: str) -> None:
    study = ut.maximize(_objective, _space_for(backend), backend=backend, n_trials=8, seed=0)
    values = [t.value for t in study.trials if t.value is not None]
    assert study.best_value == max(values)
    assert study.optuna_study.best_value == max(values)


@pytest.mark.parametrize("backend", ALL)
def test_nan_and_inf_are_failed_trials_with_a_reason(backend: str) -> None:
    results = iter([math.nan, math.inf, 1.0] * 10)
    study = ut.minimize(lambda c: next(results), _space_for(backend), backend=backend, n_trials=3, seed=0)
    assert [t.state for t in study.trials] == ["failed", "failed", "complete"]
    assert "nan" in (study.trials[0].error or "") and "inf" in (study.trials[1].error or "")


@pytest.mark.parametrize("backend", ALL)
def test_no_backend_chatter(backend: str, capfd: pytest.CaptureFixture[str]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ut.minimize(_objective, _space_for(backend), backend=backend, n_trials=12, seed=0)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_grid_enumerates_every_configuration_once() -> None:
    space = ut.Space(FINITE)
    study = ut.minimize(_objective, space, backend="optuna:grid", n_trials=1000, seed=0)
    got = sorted(repr(sorted(t.params.items())) for t in study.trials)
    want = sorted(repr(sorted(c.items())) for c in space.grid())
    assert got == want


def test_explain_reports_every_parameter_for_every_backend() -> None:
    for backend in NOT_GRID:
        table = ut.explain(CONDITIONAL, backend)
        assert list(table["param"]) == list(ut.Space(CONDITIONAL).param_keys), backend
        assert set(table["fidelity"]) <= {"exact", "flattened", "approximated", "fallback"}
        assert table["native"].str.len().min() > 0
    cmaes = ut.explain(MIXED, "optuna:cmaes").set_index("param")
    assert cmaes.loc["act", "fidelity"] == "fallback"


def test_backends_table_lists_every_algorithm() -> None:
    table = ut.backends()
    assert set(table["backend"]) == set(ALL)
    required = {"optuna:tpe", "optuna:random", "optuna:cmaes", "optuna:nsga2", "optuna:qmc", "optuna:grid"}
    required |= {"hyperopt:tpe", "hyperopt:rand", "hyperopt:anneal"}
    required |= {"skopt:gp", "skopt:forest", "skopt:et", "skopt:gbrt", "skopt:random"}
    assert required <= set(ALL)
    assert table.set_index("backend").loc["skopt:gp", "conditional"] == "flattened"
    assert table.set_index("backend").loc["hyperopt:tpe", "conditional"] == "native"
    assert table["installed"].all()
