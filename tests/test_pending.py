"""Other workers' running trials reach each backend as pending trials (Adapter.add_pending / drop_pending)."""

from __future__ import annotations

import pytest

import unitune as ut
from unitune.adapters import Outcome, get_adapter_class

SPACE = ut.Space({"x": ut.Float(-1.0, 1.0), "kind": ut.Conditional({"a": {"n": ut.Int(0, 3)}, "b": {}})})
RAW = {"x": 0.25, "kind": 0, "n": 2}


def _adapter(backend: str) -> ut.adapters.Adapter:  # type: ignore[name-defined]
    library, _, algorithm = backend.partition(":")
    return get_adapter_class(library)(SPACE, algorithm, seed=0)


def test_optuna_sees_another_workers_trial_as_running_then_as_finished() -> None:
    adapter = _adapter("optuna:tpe")
    adapter.add_pending("w1", RAW)
    running = [t for t in adapter.study.trials if t.state.name == "RUNNING"]  # type: ignore[attr-defined]
    assert [t.params for t in running] == [{"x": 0.25, "kind": "a", "n": 2}]
    adapter.drop_pending("w1")
    adapter.add(RAW, Outcome.complete(0.5))
    states = [t.state.name for t in adapter.study.trials]  # type: ignore[attr-defined]
    assert states == ["FAIL", "COMPLETE"]  # the stand-in is skipped by the samplers; the outcome is told
    assert len(adapter.ask(1)) == 1


def test_hyperopt_lists_another_workers_trial_as_a_running_document() -> None:
    from hyperopt import JOB_STATE_DONE, JOB_STATE_RUNNING

    adapter = _adapter("hyperopt:tpe")
    adapter.add_pending("w1", RAW)
    docs = adapter._trials.trials  # type: ignore[attr-defined]
    assert [(d["state"], d["misc"]["vals"]["n"]) for d in docs] == [(JOB_STATE_RUNNING, [2])]
    adapter.drop_pending("w1")
    adapter.add(RAW, Outcome.complete(0.5))
    assert [d["state"] for d in adapter._trials.trials] == [JOB_STATE_DONE]  # type: ignore[attr-defined]
    assert len(adapter.ask(1)) == 1


def test_skopt_lies_about_another_workers_point() -> None:
    adapter = _adapter("skopt:gp")
    adapter.add_many([({"x": i / 10, "kind": 1}, Outcome.complete(i / 10)) for i in range(-5, 6)])
    adapter.add_pending("w1", RAW)
    liar = adapter._liar(fit=False)  # type: ignore[attr-defined]
    assert len(liar.Xi) == 12 and liar.Xi[-1][0] == pytest.approx(0.25)  # told at min(yi), like its own
    adapter.drop_pending("w1")
    assert len(adapter._liar(fit=False).Xi) == 11  # type: ignore[attr-defined]
    assert len(adapter.ask(1)) == 1


@pytest.mark.parametrize("backend", ["optuna:tpe", "optuna:random", "hyperopt:rand", "skopt:random"])
def test_capabilities_say_how_other_workers_trials_are_used(backend: str) -> None:
    library, _, algorithm = backend.partition(":")
    text = get_adapter_class(library).capabilities(algorithm).others_running
    assert ("ignore" in text) == (algorithm in ("random", "rand"))
    assert "others_running" in ut.backends().columns
