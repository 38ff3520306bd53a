"""The Optuna adapter: seeded runs identical to hand-written Optuna, exact distributions, grid, ask/tell/add."""

from __future__ import annotations

import logging
import math
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from native import ACTS, optuna_samplers
from native import optuna_conditional as cond_native
from native import optuna_mixed as mixed_native
from native import run_optuna as native_run
from scipy import stats

import unitune as ut
from unitune.adapters import Outcome, get_adapter_class, parse_backend
from unitune.adapters._optuna import OptunaAdapter
from unitune.exceptions import StudyError

optuna = pytest.importorskip("optuna")
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution  # noqa: E402
from optuna.trial import TrialState  # noqa: E402

SAMPLERS = optuna_samplers()
# trials per run (TPE: past its 10 startup trials; NSGA-II: several generations of 10) and default options
RUNS: dict[str, tuple[int, dict[str, Any]]] = {
    "tpe": (30, {}),
    "random": (30, {}),
    "cmaes": (30, {}),
    "qmc": (30, {}),
    "nsga2": (60, {"population_size": 10}),
}

MIXED = ut.Space(
    {
        "x": ut.Float(-2.0, 3.0),
        "lr": ut.Float(1e-5, 1e-1, log=True),
        "n": ut.Int(1, 10),
        "m": ut.Int(1, 100, log=True),
        "batch": ut.Int(32, 256, step=32),
        "frac": ut.Float(0.0, 1.0, step=0.1),
        "act": ut.Categorical(ACTS),
        "epochs": 5,
    }
)


def done(loss: float | None) -> Outcome:
    """The outcome of a finished trial: complete with ``loss``, or failed (None)."""
    return Outcome.failed() if loss is None else Outcome.complete(loss)


def mixed_loss(c: dict[str, Any]) -> float:
    return (
        (c["x"] - 0.5) ** 2
        + abs(math.log10(c["lr"]) + 2)
        + 0.01 * c["n"]
        + 0.001 * c["m"]
        + c["batch"] / 256
        + abs(c["frac"] - 0.3)
        + 0.1 * (c["act"] is None)
    )


COND = ut.Space(
    {
        "x": ut.Float(0.0, 1.0),
        "opt": {
            "kind": ut.Conditional(
                {
                    "adam": {"lr": ut.Float(1e-4, 1e-1, log=True), "beta": ut.Float(0.8, 0.999)},
                    "sgd": {
                        "lr": ut.Float(1e-3, 1.0, log=True),
                        "nesterov": ut.Categorical([True, False]),
                        "sched": ut.Conditional(
                            {
                                "step": {"gamma": ut.Float(0.1, 0.9, step=0.1)},
                                "cosine": {"t_max": ut.Int(10, 100, log=True)},
                                "none": {},
                            }
                        ),
                    },
                    "none": {},
                }
            )
        },
        "units": ut.Int(16, 128, step=16),
    }
)


def cond_loss(c: dict[str, Any]) -> float:
    o = c["opt"]
    return (
        (c["x"] - 0.3) ** 2
        + abs(math.log10(o.get("lr", 0.1)) + 2)
        + (1 - o.get("beta", 0.9))
        + o.get("gamma", 0.5)
        + o.get("t_max", 50) / 100
        + c["units"] / 128
    )


CASES = [(MIXED, mixed_native, mixed_loss), (COND, cond_native, cond_loss)]


@pytest.fixture
def silent_optuna() -> Iterator[None]:
    """Optuna's own logging off for the native runs, restored afterwards."""
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def adapter_run(space: ut.Space, algo: str, loss: Any, n: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    """The unitune adapter loop: ask one, evaluate the decoded configuration, tell."""
    adapter = OptunaAdapter(space, algo, seed=seed, options=options)
    configs = []
    for _ in range(n):
        (s,) = adapter.ask(1)
        configs.append(space.decode(s.raw))
        adapter.tell(s.token, done(float(loss(configs[-1]))))
    return configs


def minimize_run(space: ut.Space, algo: str, loss: Any, n: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    def objective(config: dict[str, Any]) -> float:
        received.append(config)
        return float(loss(config))

    study = ut.minimize(objective, space, backend=f"optuna:{algo}", seed=seed, n_trials=n, backend_options=options)
    assert [t.params for t in study.trials] == received
    return received


def assert_same(a: Any, b: Any) -> None:
    """Same configuration: same keys, same types, the very choices, bit-identical floats.

    Only grid values of a Float with step may differ, by unitune's decimal rounding (0.3, not 0.30000000000000004).
    """
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), (a, b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, float):
        assert type(b) is float and (b == a or b == round(a, 10) == pytest.approx(a, rel=1e-12, abs=1e-12)), (a, b)
    else:
        assert a is b or (a == b and type(a) is type(b)), (a, b)


def assert_same_runs(theirs: list[dict[str, Any]], mine: list[dict[str, Any]], n: int) -> None:
    assert len(theirs) == len(mine) == n
    for a, b in zip(theirs, mine, strict=True):
        assert_same(a, b)


# -- the registry and the translation -----------------------------------------------------------------------


def test_registry_does_not_import_optuna() -> None:
    code = "import sys, unitune.adapters._optuna as m; print('optuna' in sys.modules, m.OptunaAdapter.default)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "tpe"]


def test_registry_entry() -> None:
    assert get_adapter_class("optuna") is OptunaAdapter
    assert parse_backend("optuna") == ("optuna", "tpe")
    assert set(OptunaAdapter.algorithms) == {"tpe", "random", "cmaes", "nsga2", "nsga3", "qmc", "grid"}
    assert parse_backend("optuna:nsga2") == ("optuna", "nsga2")


def test_convert_space_is_the_hand_written_distributions() -> None:
    assert OptunaAdapter.convert_space(MIXED) == {
        "x": FloatDistribution(-2.0, 3.0),
        "lr": FloatDistribution(1e-5, 1e-1, log=True),
        "n": IntDistribution(1, 10),
        "m": IntDistribution(1, 100, log=True),
        "batch": IntDistribution(32, 256, step=32),
        "frac": FloatDistribution(0.0, 1.0, step=0.1),
        "act": CategoricalDistribution([0, 1, 2]),  # indices; Optuna's samplers work on indices anyway
    }
    cond = OptunaAdapter.convert_space(COND)
    assert list(cond) == list(COND.param_keys)
    assert cond["opt.kind"] == CategoricalDistribution(["adam", "sgd", "none"])
    assert cond["opt.sched"] == CategoricalDistribution(["step", "cosine", "none"])
    assert cond["opt.lr[kind=adam]"] == FloatDistribution(1e-4, 1e-1, log=True)
    assert cond["opt.lr[kind=sgd]"] == FloatDistribution(1e-3, 1.0, log=True)
    assert cond["opt.nesterov"] == CategoricalDistribution([0, 1])
    assert cond["opt.t_max"] == IntDistribution(10, 100, log=True)


def test_every_algorithm_receives_the_same_translation() -> None:
    for space in (MIXED, COND):
        expected = OptunaAdapter.convert_space(space)
        for algo in SAMPLERS:
            assert OptunaAdapter(space, algo, seed=0).native == expected, algo
    finite = ut.Space({"a": ut.Int(0, 2), "c": ut.Categorical(["u", None])})
    assert OptunaAdapter(finite, "grid", seed=0).native == OptunaAdapter(finite, "tpe", seed=0).native


def test_explain_and_capabilities() -> None:
    rows = {r.param: r for r in OptunaAdapter.explain(MIXED, "tpe")}
    assert list(rows) == list(MIXED.param_keys)
    assert all(r.fidelity == "exact" for r in rows.values())
    assert rows["lr"].native == "trial.suggest_float('lr', 1e-05, 0.1, log=True)"
    assert rows["m"].native == "trial.suggest_int('m', 1, 100, log=True)"
    assert rows["batch"].native == "trial.suggest_int('batch', 32, 256, step=32)"
    assert rows["frac"].native == "trial.suggest_float('frac', 0.0, 1.0, step=0.1)"
    assert rows["act"].native == "trial.suggest_categorical('act', [0, 1, 2])"
    assert "index" in rows["act"].note
    cond = {r.param: r for r in OptunaAdapter.explain(COND, "random")}
    assert cond["opt.kind"].native == "trial.suggest_categorical('opt.kind', ['adam', 'sgd', 'none'])"
    assert cond["opt.lr[kind=sgd]"].native == "trial.suggest_float('opt.lr[kind=sgd]', 0.001, 1.0, log=True)"
    for algo in OptunaAdapter.algorithms:
        caps = OptunaAdapter.capabilities(algo)
        assert (caps.batch, caps.grid) == (False, algo == "grid")
        # one truth: backends() says fallback exactly where explain() marks a branch's parameters fallback
        fidelity = {r.fidelity for r in OptunaAdapter.explain(COND, algo) if r.param.startswith("opt.lr")}
        assert caps.conditional.startswith("fallback") == (fidelity == {"fallback"}), algo
    assert "constant_liar" in OptunaAdapter.capabilities("tpe").pending
    assert "not proposed again" in OptunaAdapter.capabilities("grid").pending


# -- seeded equivalence with hand-written Optuna ------------------------------------------------------------


@pytest.mark.usefixtures("silent_optuna")
@pytest.mark.parametrize("algo", list(RUNS))
@pytest.mark.parametrize(("space", "native", "loss"), CASES, ids=["mixed", "conditional"])
def test_same_configurations_as_hand_written_optuna(algo: str, space: ut.Space, native: Any, loss: Any) -> None:
    n, options = RUNS[algo]
    seed = 7
    theirs = native_run(algo, native, loss, n, seed, **options)
    assert_same_runs(theirs, adapter_run(space, algo, loss, n, seed, **options), n)
    assert_same_runs(theirs, minimize_run(space, algo, loss, n, seed, **options), n)
    assert len({repr(c) for c in theirs}) > n // 2  # the runs really explore


@pytest.mark.usefixtures("silent_optuna")
@pytest.mark.parametrize(
    ("algo", "options", "case"),
    [
        ("tpe", {"n_startup_trials": 5, "multivariate": True}, 0),
        ("tpe", {"n_startup_trials": 5, "multivariate": True, "group": True, "constant_liar": True}, 1),
        ("tpe", {"n_startup_trials": 3, "n_ei_candidates": 8, "constant_liar": False}, 1),
        ("cmaes", {"n_startup_trials": 4, "popsize": 6}, 0),
        ("qmc", {"qmc_type": "halton", "scramble": True}, 0),
        ("nsga2", {"population_size": 8, "mutation_prob": 0.3, "crossover_prob": 0.8}, 1),
    ],
    ids=["tpe-multivariate", "tpe-group", "tpe-ei", "cmaes-popsize", "qmc-halton", "nsga2-probs"],
)
def test_same_as_hand_written_optuna_with_options(algo: str, options: dict[str, Any], case: int) -> None:
    space, native, loss = CASES[case]
    n = 24
    theirs = native_run(algo, native, loss, n, 3, **options)
    assert_same_runs(theirs, adapter_run(space, algo, loss, n, 3, **options), n)
    assert_same_runs(theirs, minimize_run(space, algo, loss, n, 3, **options), n)


@pytest.mark.usefixtures("silent_optuna")
def test_grid_order_is_that_of_a_hand_written_grid_sampler() -> None:
    space = ut.Space({"a": ut.Int(0, 2), "f": ut.Float(0.0, 1.0, step=0.5), "c": ut.Categorical(ACTS)})
    real = {"a": [0, 1, 2], "f": [0.0, 0.5, 1.0], "c": ACTS}

    def native(trial: optuna.Trial) -> dict[str, Any]:
        return {k: trial.suggest_categorical(k, v) for k, v in real.items()}

    sampler = optuna.samplers.GridSampler(real, seed=5)
    theirs = native_run("grid", native, lambda c: c["a"], 100, 5, sampler=sampler)  # stops when done
    mine = adapter_run(space, "grid", lambda c: c["a"], 27, 5)
    assert_same_runs(theirs, mine, 27)


# -- supports and types (the distributions are tested once for every backend in test_conformance.py)

BLOB, ROW = {"k": 1}, [1, 2]
STATS = ut.Space(
    {
        "i3": ut.Int(0, 2),
        "i5": ut.Int(1, 5),
        "ilog": ut.Int(1, 100, log=True),
        "istep": ut.Int(10, 50, step=10),
        "fstep": ut.Float(-1.0, 1.0, step=0.5),
        "flog": ut.Float(1e-3, 10.0, log=True),
        "cat": ut.Categorical(["a", "b", "c", "d"]),
        "obj": ut.Categorical([BLOB, ROW, None, "s"]),
    }
)


def test_conditional_samples_only_the_active_branch() -> None:
    adapter = OptunaAdapter(COND, "random", seed=5)
    kinds: Counter[str] = Counter()
    scheds: Counter[str] = Counter()
    for _ in range(900):
        (s,) = adapter.ask()
        adapter.tell(s.token, done(0.0))
        assert set(s.raw) == set(COND.active_keys(s.raw))
        config = COND.decode(s.raw)
        kind = config["opt"]["kind"]
        kinds[kind] += 1
        branch = {
            "adam": {"opt.lr[kind=adam]", "opt.beta"},
            "sgd": {"opt.lr[kind=sgd]", "opt.nesterov", "opt.sched"},
            "none": set(),
        }[kind]
        if kind == "sgd":
            sched = config["opt"]["sched"]
            scheds[sched] += 1
            branch |= {"step": {"opt.gamma"}, "cosine": {"opt.t_max"}, "none": set()}[sched]
        assert set(s.raw) == {"x", "opt.kind", "units"} | branch
        COND.validate(config)
    assert stats.chisquare([kinds[k] for k in ("adam", "sgd", "none")]).pvalue > 0.001
    assert stats.chisquare([scheds[k] for k in ("step", "cosine", "none")]).pvalue > 0.001
    trials = adapter.study.trials
    assert all(set(t.params) == set(t.distributions) for t in trials)  # Optuna too sees only the active ones


def test_tpe_values_stay_on_the_supports() -> None:
    def loss(c: dict[str, Any]) -> float:
        return abs(c["i5"] - 2) + math.log(c["flog"]) ** 2 + (c["obj"] is not None)

    adapter = OptunaAdapter(STATS, "tpe", seed=3)
    seen = []
    for _ in range(45):
        (s,) = adapter.ask()
        assert all(type(v) in (int, float) for v in s.raw.values())
        c = STATS.decode(s.raw)
        seen.append(c)
        adapter.tell(s.token, done(loss(c)))
    for c in seen:
        assert c["i3"] in (0, 1, 2) and c["i5"] in range(1, 6) and 1 <= c["ilog"] <= 100
        assert c["istep"] in (10, 20, 30, 40, 50) and c["fstep"] in (-1.0, -0.5, 0.0, 0.5, 1.0)
        assert 1e-3 <= c["flog"] <= 10.0 and c["cat"] in "abcd"
        assert any(c["obj"] is ch for ch in (BLOB, ROW, None, "s"))
        assert type(c["ilog"]) is int and type(c["fstep"]) is float
    assert Counter(c["i5"] for c in seen[20:]).most_common(1)[0][0] == 2  # TPE did its job
    assert sum(c["obj"] is None for c in seen[20:]) > 12


# -- grid ----------------------------------------------------------------------------------------------------

FINITE = ut.Space(
    {
        "a": ut.Int(0, 2),
        "f": ut.Float(0.0, 1.0, step=0.5),
        "c": ut.Categorical([BLOB, None]),
        "d": ut.Float(2.0, 2.0),
        "k": 7,
    }
)
FINITE_COND = ut.Space(
    {
        "n": ut.Int(1, 2),
        "model": ut.Conditional(
            {
                "tree": {"depth": ut.Int(2, 6, step=2)},
                "linear": {
                    "penalty": ut.Conditional({"l1": {}, "l2": {"alpha": ut.Categorical([0.1, 1.0])}}),
                },
                "dummy": {},
            }
        ),
    }
)


def run_grid(adapter: OptunaAdapter, space: ut.Space, limit: int = 1000) -> list[dict[str, Any]]:
    seen = []
    for _ in range(limit):
        got = adapter.ask(1)
        if not got:
            break
        config = space.decode(got[0].raw)
        seen.append(config)
        adapter.tell(got[0].token, done(float(len(seen))))
    return seen


def canonical(configs: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(sorted(c.items())) for c in configs)


@pytest.mark.parametrize("space", [FINITE, FINITE_COND], ids=["flat", "conditional"])
def test_grid_enumerates_every_configuration_once_then_stops(space: ut.Space) -> None:
    adapter = OptunaAdapter(space, "grid", seed=1)
    seen = run_grid(adapter, space)
    want = list(space.grid())
    assert len(seen) == len(want) == space.grid_size()
    assert canonical(seen) == canonical(want)
    assert adapter.ask(1) == [] and adapter.ask(3) == []  # exhausted
    assert len(adapter.study.trials) == len(want)
    if space is FINITE:
        assert sum(c["c"] is BLOB for c in seen) == 9  # the very object


def test_grid_through_minimize_stops_at_the_grid() -> None:
    study = ut.minimize(lambda c: float(c["n"]), FINITE_COND, backend="optuna:grid", n_trials=100, seed=0)
    assert canonical([t.params for t in study.trials]) == canonical(list(FINITE_COND.grid()))


def test_grid_needs_a_finite_space_before_any_suggestion() -> None:
    space = {"a": ut.Int(0, 2), "lr": ut.Float(1e-3, 1.0)}
    with pytest.raises(ut.SpaceError, match="'lr'") as info:
        OptunaAdapter(ut.Space(space), "grid", seed=0)
    assert "step" in str(info.value)
    calls = []
    with pytest.raises(ut.SpaceError, match="'lr'"):
        ut.minimize(calls.append, space, backend="optuna:grid", n_trials=3)
    assert calls == []
    OptunaAdapter(ut.Space({"lr": ut.Float(0.5, 0.5)}), "grid")  # a single value is finite


def test_grid_pending_points_are_distinct() -> None:
    adapter = OptunaAdapter(FINITE, "grid", seed=2)
    batch = adapter.ask(3)
    assert len({repr(sorted(s.raw.items())) for s in batch}) == 3
    assert all(t.state == TrialState.RUNNING for t in adapter.study.trials)
    for s in batch:
        adapter.tell(s.token, done(0.0))
    rest = run_grid(adapter, FINITE)
    assert canonical([FINITE.decode(s.raw) for s in batch] + rest) == canonical(list(FINITE.grid()))


def test_grid_never_proposes_a_running_point() -> None:
    space = ut.Space({"a": ut.Int(0, 2)})
    adapter = OptunaAdapter(space, "grid", seed=0)
    running = [s.raw for s in adapter.ask(3)]  # the whole grid is in flight
    more = adapter.ask(2)  # Capabilities.pending: "running grid points are not proposed again"
    assert [s.raw for s in more if s.raw in running] == []


@pytest.mark.parametrize("space", [FINITE, FINITE_COND], ids=["flat", "conditional"])
def test_grid_after_add_proposes_only_the_rest(space: ut.Space) -> None:
    want = list(space.grid())
    adapter = OptunaAdapter(space, "grid", seed=0)
    replayed = want[-2:]  # e.g. a resumed study replays its finished trials
    for config in replayed:
        adapter.add(space.encode(config), done(1.0))
    proposed = run_grid(adapter, space, limit=50)
    assert [c for c in proposed if c in replayed] == []
    assert canonical(replayed + proposed) == canonical(want)


# -- ask / tell / add ---------------------------------------------------------------------------------------


def test_add_puts_the_trials_in_the_sampler_study() -> None:
    adapter = OptunaAdapter(MIXED, "tpe", seed=0)
    rng = np.random.default_rng(0)
    raws = [MIXED.encode(MIXED.sample(rng)) for _ in range(12)]
    adapter.add_many([(raw, done(float(i))) for i, raw in enumerate(raws)])
    adapter.add(raws[0], done(None))
    trials = adapter.study.trials
    assert len(trials) == 13
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 12 + [TrialState.FAIL]
    assert [t.value for t in trials] == [float(i) for i in range(12)] + [None]
    assert [t.params for t in trials[:12]] == raws  # categoricals as indices, as the adapter suggests them
    assert trials[0].distributions == {k: OptunaAdapter.convert_space(MIXED)[k] for k in raws[0]}
    (s,) = adapter.ask()
    assert s.token == 13
    MIXED.validate(MIXED.decode(s.raw))

    cond = OptunaAdapter(COND, "random", seed=0)
    config = {"x": 0.5, "opt": {"kind": "sgd", "lr": 0.01, "nesterov": False, "sched": "cosine", "t_max": 20},
              "units": 32}  # fmt: skip
    cond.add(COND.encode(config), done(0.25))
    (t,) = cond.study.trials
    assert t.params == {"x": 0.5, "opt.kind": "sgd", "opt.lr[kind=sgd]": 0.01, "opt.nesterov": 1,
                        "opt.sched": "cosine", "opt.t_max": 20, "units": 32}  # fmt: skip
    assert t.value == 0.25


def test_added_trials_feed_tpe() -> None:
    space = ut.Space({"x": ut.Float(0.0, 1.0), "k": ut.Categorical(["u", "v"])})

    def loss(raw: dict[str, Any]) -> float:
        return (raw["x"] - 0.1) ** 2 + 0.5 * raw["k"]

    for seed in (0, 1):
        adapter = OptunaAdapter(space, "tpe", seed=seed)
        rng = np.random.default_rng(seed)
        xs0, ks0 = rng.uniform(0, 1, 30), rng.integers(0, 2, 30)
        added = [{"x": float(x), "k": int(k)} for x, k in zip(xs0, ks0, strict=True)]
        adapter.add_many([(raw, done(loss(raw))) for raw in added])
        xs, ks = [], []
        for _ in range(20):  # 30 finished trials: TPE's startup is over, it models them
            (s,) = adapter.ask()
            xs.append(s.raw["x"])
            ks.append(s.raw["k"])
            adapter.tell(s.token, done(loss(s.raw)))
        # TPE models the added trials from its first ask on (alone, its first 10 asks would be random)
        distance = np.abs(np.array(xs) - 0.1)
        assert np.median(distance[:10]) < 0.12 and np.median(distance) < 0.1  # uniform: 0.4
        assert ks[:10].count(0) >= 7 and ks.count(0) >= 15


def test_failures_are_told_as_failed() -> None:
    adapter = OptunaAdapter(MIXED, "tpe", seed=0, options={"n_startup_trials": 3})
    for i in range(10):
        (s,) = adapter.ask()
        loss = [None, float("nan")][i % 2] if i % 3 == 0 else mixed_loss(MIXED.decode(s.raw))
        adapter.tell(s.token, done(loss))
    states = Counter(t.state for t in adapter.study.trials)
    assert states == {TrialState.COMPLETE: 6, TrialState.FAIL: 4}
    assert adapter.study.trials[0].state == TrialState.FAIL and adapter.study.trials[0].value is None
    assert len(adapter.ask(3)) == 3
    with pytest.raises(StudyError, match="already told"):
        adapter.tell(0, done(1.0))  # already told


def test_failed_trial_in_a_study_is_failed_in_the_sampler_study() -> None:
    study = ut.Study(MIXED, backend="optuna:tpe", seed=0)
    trial = study.ask()
    study.tell(trial, state="failed", error="boom")
    study.tell(study.ask(), 1.0)
    assert [t.state for t in study.adapter.study.trials] == [TrialState.FAIL, TrialState.COMPLETE]


def test_tpe_pending_trials_follow_constant_liar() -> None:
    space = ut.Space({"x": ut.Float(0.0, 1.0)})
    proposals = {}
    for liar in (False, True):
        for pending in (0, 4):
            adapter = OptunaAdapter(space, "tpe", seed=1, options={"constant_liar": liar})
            for _ in range(15):
                (s,) = adapter.ask()
                adapter.tell(s.token, done((s.raw["x"] - 0.1) ** 2))
            adapter.ask(pending)
            adapter.sampler._rng.rng.seed(99)  # type: ignore[attr-defined]
            proposals[liar, pending] = adapter.ask()[0].raw["x"]
    assert proposals[False, 0] == proposals[False, 4]  # running trials ignored
    assert proposals[True, 0] != proposals[True, 4]  # running trials are taken into account


def test_unknown_option_rejected_before_any_suggestion() -> None:
    with pytest.raises(ut.BackendError, match="n_startup'") as info:
        OptunaAdapter(MIXED, "tpe", seed=0, options={"n_startup": 5})
    assert "n_startup_trials" in str(info.value) and "TPESampler" in str(info.value)
    with pytest.raises(ut.BackendError, match="population_size"):
        OptunaAdapter(MIXED, "random", options={"population_size": 5})
    with pytest.raises(ut.BackendError, match="search_space"):  # the adapter builds the grid itself
        OptunaAdapter(FINITE, "grid", options={"search_space": {"a": [0]}})
    calls: list[Any] = []
    with pytest.raises(ut.BackendError, match="sigma"):
        ut.minimize(calls.append, MIXED, backend="optuna:cmaes", n_trials=3, backend_options={"sigma": 1.0})
    assert calls == []


@pytest.fixture
def optuna_log() -> Iterator[list[logging.LogRecord]]:
    """Records of Optuna's loggers (which do not propagate to the root logger) at any level."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger("optuna")
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.INFO)
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        optuna.logging.set_verbosity(before)


def test_no_chatter_during_a_tpe_run(
    optuna_log: list[logging.LogRecord], caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.WARNING):
        for space, _, loss in CASES:
            adapter_run(space, "tpe", loss, 30, 0)
        minimize_run(COND, "tpe", cond_loss, 30, 0)
    assert [r for r in optuna_log if r.levelno >= logging.WARNING] == []
    assert caplog.records == []
    assert capfd.readouterr() == ("", "")


def independently_sampled(space: ut.Space, algo: str, loss: Callable[[dict[str, Any]], float], n: int) -> set[str]:
    """Run ``n`` trials; the keys the sampler handed to its independent (random) sampler after its first trial."""
    adapter = OptunaAdapter(space, algo, seed=0)
    inner = adapter.sampler._independent_sampler  # type: ignore[attr-defined]
    sample = inner.sample_independent
    keys: set[str] = set()

    def spy(study: Any, trial: Any, name: str, distribution: Any) -> Any:
        if trial.number > 0:
            keys.add(name)
        return sample(study, trial, name, distribution)

    inner.sample_independent = spy
    for _ in range(n):
        (s,) = adapter.ask()
        adapter.tell(s.token, done(float(loss(space.decode(s.raw)))))
    return keys


def fallback_rows(space: ut.Space, algo: str) -> set[str]:
    table = ut.explain(space, f"optuna:{algo}")
    return set(table.loc[table.fidelity == "fallback", "param"])


@pytest.mark.parametrize("algo", ["cmaes", "qmc"])
def test_relative_samplers_silent_with_categoricals(
    algo: str, optuna_log: list[logging.LogRecord], capfd: pytest.CaptureFixture[str]
) -> None:
    filters = list(warnings.filters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        independent = {id(space): independently_sampled(space, algo, loss, 30) for space, _, loss in CASES}
        OptunaAdapter(MIXED, algo).ask(3)  # unseeded too
    assert warnings.filters == filters
    assert [r for r in optuna_log if r.levelno >= logging.WARNING] == []
    assert capfd.readouterr() == ("", "")
    # what the silenced warnings would have said, explain reports
    for space, _, _ in CASES:
        assert independent[id(space)] <= fallback_rows(space, algo)
    if algo == "cmaes":
        assert independent[id(MIXED)] == fallback_rows(MIXED, algo) == {"act"}
        assert {"opt.kind", "opt.nesterov", "opt.sched", "opt.beta"} <= fallback_rows(COND, algo)
        assert {"opt.kind", "opt.nesterov", "opt.sched"} <= independent[id(COND)]


@pytest.mark.parametrize(
    "algo",
    ["cmaes", "qmc"],
)
def test_explain_fallback_is_what_the_sampler_does(algo: str) -> None:
    assert independently_sampled(MIXED, algo, mixed_loss, 25) == fallback_rows(MIXED, algo)
