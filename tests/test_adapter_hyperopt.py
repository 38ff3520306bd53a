"""The hyperopt adapter: exact translation, fmin-identical seeded runs, exact distributions, ask/tell/add."""

from __future__ import annotations

import logging
import math
import subprocess
import sys
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pytest
from scipy import stats

from unitune.adapters import Outcome, get_adapter_class, parse_backend
from unitune.adapters._hyperopt import HyperoptAdapter
from unitune.exceptions import BackendError, StudyError
from unitune.space import Categorical, Conditional, Float, Int, Space

hyperopt = pytest.importorskip("hyperopt")
from hyperopt import Trials, anneal, fmin, hp, rand, tpe  # noqa: E402
from hyperopt.pyll import as_apply, scope  # noqa: E402

ALGOS = {"tpe": tpe.suggest, "rand": rand.suggest, "anneal": anneal.suggest}
ACTS = ["relu", "tanh", None]

MIXED = Space(
    {
        "x": Float(-2.0, 3.0),
        "lr": Float(1e-4, 1.0, log=True),
        "n": Int(1, 10),
        "m": Int(1, 100, log=True),
        "batch": Int(32, 256, step=32),
        "frac": Float(0.0, 1.0, step=0.25),
        "act": Categorical(ACTS),
        "epochs": 5,
    }
)


def done(loss: float | None) -> Outcome:
    """The outcome of a finished trial: complete with ``loss``, or failed (None)."""
    return Outcome.failed() if loss is None else Outcome.complete(loss)


def mixed_native() -> dict[str, Any]:
    """What a hyperopt user writes by hand for MIXED (real choices, ints, grids)."""
    return {
        "x": hp.uniform("x", -2.0, 3.0),
        "lr": hp.loguniform("lr", math.log(1e-4), math.log(1.0)),
        "n": scope.int(hp.quniform("n", 0.5, 10.5, 1)),
        "m": scope.int(hp.qloguniform("m", math.log(0.5), math.log(100.5), 1)),
        "batch": 32 + 32 * scope.int(hp.quniform("batch", -0.5, 7.5, 1)),
        "frac": 0.25 * hp.quniform("frac", -0.5, 4.5, 1),
        "act": hp.choice("act", ACTS),
        "epochs": 5,
    }


COND = Space(
    {
        "x": Float(0.0, 1.0),
        "opt": {
            "kind": Conditional(
                {
                    "adam": {"beta": Float(0.8, 0.999), "eps": Float(1e-8, 1e-4, log=True)},
                    "sgd": {"momentum": Float(0.0, 1.0), "nesterov": Categorical([True, False])},
                    "none": {},
                }
            )
        },
    }
)


def cond_native() -> dict[str, Any]:
    return {
        "x": hp.uniform("x", 0.0, 1.0),
        "opt": hp.choice(
            "opt.kind",
            [
                {
                    "kind": "adam",
                    "beta": hp.uniform("opt.beta", 0.8, 0.999),
                    "eps": hp.loguniform("opt.eps", math.log(1e-8), math.log(1e-4)),
                },
                {
                    "kind": "sgd",
                    "momentum": hp.uniform("opt.momentum", 0.0, 1.0),
                    "nesterov": hp.choice("opt.nesterov", [True, False]),
                },
                {"kind": "none"},
            ],
        ),
    }


def mixed_loss(c: dict[str, Any]) -> float:
    return (c["x"] - 0.5) ** 2 + abs(math.log10(c["lr"]) + 2) + 0.01 * c["n"] + 0.1 * (c["act"] is None)


def cond_loss(c: dict[str, Any]) -> float:
    return (c["x"] - 0.3) ** 2 + c["opt"].get("momentum", 0.5) + (1 - c["opt"].get("beta", 0.9))


def adapter_run(space: Space, algo: str, loss: Any, n: int, seed: int, **kw: Any) -> list[dict[str, Any]]:
    ad = HyperoptAdapter(space, algo, seed=seed, **kw)
    seen = []
    for _ in range(n):
        (s,) = ad.ask(1)
        config = space.decode(s.raw)
        seen.append(config)
        ad.tell(s.token, done(loss(config)))
    return seen


def assert_same(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, float) and not isinstance(b, bool):
        assert b == pytest.approx(a, rel=1e-12, abs=1e-12)
    else:
        assert a is b or (a == b and type(a) is type(b)), (a, b)


# -- the registry and the translation ---------------------------------------------------------------------


def test_registry_does_not_import_hyperopt() -> None:
    code = "import sys, unitune.adapters._hyperopt as m; print('hyperopt' in sys.modules, m.HyperoptAdapter.default)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "tpe"]


def test_registry_entry() -> None:
    assert get_adapter_class("hyperopt") is HyperoptAdapter
    assert parse_backend("hyperopt") == ("hyperopt", "tpe")
    assert set(HyperoptAdapter.algorithms) == {"tpe", "rand", "anneal"}
    assert parse_backend("hyperopt:anneal") == ("hyperopt", "anneal")


def test_convert_space_is_the_hand_written_graph() -> None:
    native = HyperoptAdapter.convert_space(MIXED)
    expected = {
        "x": hp.uniform("x", -2.0, 3.0),
        "lr": hp.loguniform("lr", math.log(1e-4), 0.0),
        "n": hp.quniform("n", 0.5, 10.5, 1),
        "m": hp.qloguniform("m", math.log(0.5), math.log(100.5), 1),
        "batch": hp.quniform("batch", -0.5, 7.5, 1),
        "frac": hp.quniform("frac", -0.5, 4.5, 1),
        "act": hp.choice("act", [0, 1, 2]),
    }
    assert str(as_apply(native)) == str(as_apply(expected))
    cond = HyperoptAdapter.convert_space(COND)
    assert set(cond) == {"x", "opt.kind"}
    adam = {  # branch dicts hold the branch's parameters under their keys
        "opt.beta": hp.uniform("opt.beta", 0.8, 0.999),
        "opt.eps": hp.loguniform("opt.eps", math.log(1e-8), math.log(1e-4)),
    }
    sgd = {"opt.momentum": hp.uniform("opt.momentum", 0.0, 1.0), "opt.nesterov": hp.choice("opt.nesterov", [0, 1])}
    expected_cond = {"x": hp.uniform("x", 0.0, 1.0), "opt.kind": hp.choice("opt.kind", [adam, sgd, {}])}
    assert str(as_apply(cond)) == str(as_apply(expected_cond))


def test_tpe_and_rand_receive_the_same_translation() -> None:
    for space in (MIXED, COND):
        graphs = {str(as_apply(HyperoptAdapter(space, a, seed=0).native)) for a in ALGOS}
        assert len(graphs) == 1


def test_explain_and_capabilities() -> None:
    rows = {r.param: r for r in HyperoptAdapter.explain(MIXED, "tpe")}
    assert list(rows) == list(MIXED.param_keys)
    assert all(r.fidelity == "exact" for r in rows.values())
    assert rows["n"].native == "hp.quniform('n', 0.5, 10.5, 1)"
    assert rows["batch"].native == "hp.quniform('batch', -0.5, 7.5, 1)"
    assert "low + k*step" in rows["batch"].note
    assert rows["m"].native.startswith("hp.qloguniform('m', ")
    assert rows["act"].native == "hp.choice('act', [0, 1, 2])"
    assert rows["lr"].element == "Float(0.0001, 1.0, log=True)"
    cond = {r.param: r for r in HyperoptAdapter.explain(COND, "rand")}
    assert cond["opt.kind"].native.startswith("hp.choice('opt.kind', [")
    for algo in ALGOS:
        caps = HyperoptAdapter.capabilities(algo)
        assert (caps.conditional, caps.batch, caps.grid) == ("native", False, False)
        assert "fail" in caps.failures
    assert "ignored" in HyperoptAdapter.capabilities("rand").pending
    assert "infinite loss" in HyperoptAdapter.capabilities("tpe").pending


# -- seeded equivalence with hyperopt.fmin ----------------------------------------------------------------------


@pytest.mark.parametrize("algo", list(ALGOS))
@pytest.mark.parametrize(
    ("space", "native", "loss"),
    [(MIXED, mixed_native, mixed_loss), (COND, cond_native, cond_loss)],
    ids=["mixed", "conditional"],
)
def test_same_configurations_as_fmin(algo: str, space: Space, native: Any, loss: Any) -> None:
    n, seed = 40, 7
    received: list[dict[str, Any]] = []

    def fn(config: dict[str, Any]) -> float:
        received.append(config)
        return float(loss(config))

    fmin(fn, native(), algo=ALGOS[algo], max_evals=n, rstate=np.random.default_rng(seed), trials=Trials(),
         show_progressbar=False)  # fmt: skip
    ours = adapter_run(space, algo, loss, n, seed)
    assert len(received) == len(ours) == n
    for theirs, mine in zip(received, ours, strict=True):
        assert_same(theirs, mine)
    assert len({repr(c) for c in ours}) > n // 2  # the runs really explore


def test_same_as_fmin_with_tpe_options() -> None:
    received: list[dict[str, Any]] = []

    def fn(config: dict[str, Any]) -> float:
        received.append(config)
        return mixed_loss(config)

    algo = hyperopt.partial(tpe.suggest, n_startup_jobs=5, gamma=0.3, n_EI_candidates=10)
    fmin(fn, mixed_native(), algo=algo, max_evals=15, rstate=np.random.default_rng(1), trials=Trials(),
         show_progressbar=False)  # fmt: skip
    options = {"n_startup_jobs": 5, "gamma": 0.3, "n_EI_candidates": 10}
    ours = adapter_run(MIXED, "tpe", mixed_loss, 15, 1, options=options)
    for theirs, mine in zip(received, ours, strict=True):
        assert_same(theirs, mine)


# -- supports and types (the distributions are tested once for every backend in test_conformance.py)

STATS = Space(
    {
        "i3": Int(0, 2),
        "i5": Int(1, 5),
        "ilog": Int(1, 100, log=True),
        "istep": Int(10, 50, step=10),
        "fstep": Float(-1.0, 1.0, step=0.5),
        "flog": Float(1e-3, 10.0, log=True),
        "cat": Categorical(["a", "b", "c", "d"]),
    }
)


def test_raw_values_are_python_numbers() -> None:
    ad = HyperoptAdapter(MIXED, "tpe", seed=0, options={"n_startup_jobs": 3})
    for _ in range(6):
        (s,) = ad.ask()
        assert all(type(v) in (int, float) for v in s.raw.values())
        ad.tell(s.token, done(mixed_loss(MIXED.decode(s.raw))))


def test_conditional_samples_only_the_active_branch() -> None:
    ad = HyperoptAdapter(COND, "rand", seed=5)
    kinds = Counter()
    for s in ad.ask(600):
        kind = COND.param("opt.kind").element.labels[s.raw["opt.kind"]]
        kinds[kind] += 1
        assert set(s.raw) == set(COND.active_keys(s.raw))
        branch = {"adam": {"opt.beta", "opt.eps"}, "sgd": {"opt.momentum", "opt.nesterov"}, "none": set()}[kind]
        assert set(s.raw) == {"x", "opt.kind"} | branch
    assert stats.chisquare([kinds[k] for k in ("adam", "sgd", "none")]).pvalue > 0.001


def test_tpe_values_stay_on_the_supports() -> None:
    seen = adapter_run(STATS, "tpe", lambda c: abs(c["i5"] - 2) + math.log(c["flog"]) ** 2, 45, 3)
    for c in seen:
        assert c["i3"] in (0, 1, 2) and c["i5"] in range(1, 6) and 1 <= c["ilog"] <= 100
        assert c["istep"] in (10, 20, 30, 40, 50) and c["fstep"] in (-1.0, -0.5, 0.0, 0.5, 1.0)
        assert 1e-3 <= c["flog"] <= 10.0 and c["cat"] in "abcd"
    assert Counter(c["i5"] for c in seen[20:]).most_common(1)[0][0] == 2  # TPE did its job


# -- ask / tell / add ---------------------------------------------------------------------------------------------


def test_failures_then_more_asks() -> None:
    ad = HyperoptAdapter(MIXED, "tpe", seed=0, options={"n_startup_jobs": 4})
    for i in range(10):
        (s,) = ad.ask()
        ad.tell(s.token, done(None if i % 2 else mixed_loss(MIXED.decode(s.raw))))
    statuses = Counter(t["result"]["status"] for t in ad._trials.trials)
    assert statuses == {"ok": 5, "fail": 5}
    assert len(ad.ask(3)) == 3
    with pytest.raises(StudyError, match="already told"):
        ad.tell(0, done(1.0))  # already told


def test_pending_trials() -> None:
    # rand: pending trials change nothing, asking 5 at once equals asking/telling one by one
    a = HyperoptAdapter(MIXED, "rand", seed=11)
    b = HyperoptAdapter(MIXED, "rand", seed=11)
    batch = [s.raw for s in a.ask(5)]
    one_by_one = []
    for _ in range(5):
        (s,) = b.ask()
        one_by_one.append(s.raw)
        b.tell(s.token, done(1.0))
    assert batch == one_by_one
    assert [t["state"] for t in a._trials.trials] == [hyperopt.JOB_STATE_RUNNING] * 5
    # tpe: pending trials are observations of infinite loss, so they do change the next proposal
    space = Space({"x": Float(0.0, 1.0)})
    proposals = []
    for pending in (0, 5):
        ad = HyperoptAdapter(space, "tpe", seed=1)
        for _ in range(25):
            (s,) = ad.ask()
            ad.tell(s.token, done((s.raw["x"] - 0.1) ** 2))
        ad.ask(pending)
        ad._rstate = np.random.default_rng(99)
        proposals.append(ad.ask()[0].raw["x"])
    assert proposals[0] != proposals[1]


def test_add_feeds_tpe() -> None:
    space = Space({"x": Float(0.0, 1.0), "k": Categorical(["u", "v"])})
    ad = HyperoptAdapter(space, "tpe", seed=0)
    rng = np.random.default_rng(0)
    ad.add_many([({"x": float(x), "k": 0}, done((float(x) - 0.1) ** 2)) for x in rng.uniform(0, 1, 15)])
    for x in rng.uniform(0, 1, 15):
        ad.add({"x": float(x), "k": 1}, done((float(x) - 0.1) ** 2 + 0.5))
    xs, ks = [], []
    for _ in range(20):  # 30 finished trials: TPE's startup is over, it models them
        (s,) = ad.ask()
        xs.append(s.raw["x"])
        ks.append(s.raw["k"])
        ad.tell(s.token, done((s.raw["x"] - 0.1) ** 2 + 0.5 * s.raw["k"]))
    assert np.median(np.abs(np.array(xs) - 0.1)) < 0.15  # uniform would give 0.25+
    assert ks.count(0) >= 14


def test_listed_trials_are_what_refresh_builds() -> None:
    # the adapter appends what it inserts instead of calling Trials.refresh() per trial (O(n) each)
    ad = HyperoptAdapter(COND, "tpe", seed=2, options={"n_startup_jobs": 3})
    ad.add({"x": 0.5, "opt.kind": 2}, done(None))
    for i in range(12):
        suggestions = ad.ask(2)
        ad.tell(suggestions[0].token, done(None if i % 3 else 1.0 / (i + 1)))
    listed = list(ad._trials.trials)
    ad._trials.refresh()
    assert listed == ad._trials.trials and [t["tid"] for t in listed] == list(range(25))
    assert Counter(t["state"] for t in listed) == {hyperopt.JOB_STATE_DONE: 13, hyperopt.JOB_STATE_RUNNING: 12}


def test_add_builds_hyperopts_own_documents() -> None:
    asked = HyperoptAdapter(COND, "rand", seed=4)
    added = HyperoptAdapter(COND, "rand", seed=4)
    for s in asked.ask(40):
        added.add(s.raw, done(1.0))
    for a, b in zip(asked._trials.trials, added._trials.trials, strict=True):
        assert a["tid"] == b["tid"] and a["misc"]["idxs"] == b["misc"]["idxs"]
        assert a["misc"]["vals"] == b["misc"]["vals"]  # inactive: [], ints as floats, steps as indices
        assert b["state"] == hyperopt.JOB_STATE_DONE and b["result"] == {"loss": 1.0, "status": "ok"}
    added.add({"x": 0.5, "opt.kind": 2}, done(None))
    assert added._trials.trials[-1]["result"] == {"status": "fail"}
    assert len(added.ask(2)) == 2


def test_add_stores_indices_and_floats() -> None:
    ad = HyperoptAdapter(MIXED, "tpe", seed=0)
    ad.add({"x": 0.5, "lr": 0.01, "n": 3, "m": 7, "batch": 96, "frac": 0.75, "act": 2}, done(0.3))
    vals = ad._trials.trials[-1]["misc"]["vals"]
    assert vals == {"x": [0.5], "lr": [0.01], "n": [3.0], "m": [7.0], "batch": [2.0], "frac": [3.0], "act": [2]}


def test_unknown_option_rejected_before_any_suggestion() -> None:
    with pytest.raises(BackendError, match="n_startup") as info:
        HyperoptAdapter(MIXED, "tpe", seed=0, options={"n_startup": 5})
    assert "n_startup_jobs" in str(info.value)
    with pytest.raises(BackendError, match="gamma"):
        HyperoptAdapter(MIXED, "rand", options={"gamma": 0.2})
    ad = HyperoptAdapter(MIXED, "anneal", seed=0, options={"avg_best_idx": 3.0, "shrink_coef": 0.2})
    assert len(ad.ask(2)) == 2


def test_degenerate_and_empty_spaces() -> None:
    space = Space({"a": Float(1.0, 1.0), "b": Int(3, 3), "c": Categorical(["z"]), "x": Float(0.0, 1.0)})
    for algo in ALGOS:
        seen = adapter_run(space, algo, lambda c: c["x"], 25, 0)
        assert all(c["a"] == 1.0 and c["b"] == 3 and c["c"] == "z" for c in seen)
    assert adapter_run(Space({"k": 1}), "tpe", lambda c: 0.0, 3, 0) == [{"k": 1}] * 3


def test_no_chatter_at_warning_level(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        adapter_run(COND, "tpe", cond_loss, 30, 0)
    assert caplog.records == [] and caught == []
    with caplog.at_level(logging.INFO, logger="hyperopt"):
        adapter_run(COND, "tpe", cond_loss, 25, 0)
    assert [r for r in caplog.records if r.name.startswith("hyperopt")] == []
