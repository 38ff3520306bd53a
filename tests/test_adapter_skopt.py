"""The scikit-optimize adapter: exact translation, native equivalence, pending trials, failures."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pytest
from scipy import stats
from sklearn.ensemble import GradientBoostingRegressor
from skopt import Optimizer, forest_minimize, gbrt_minimize, gp_minimize
from skopt.space import Categorical, Integer, Real
from skopt.space import Space as SkSpace
from skopt.utils import normalize_dimensions

import unitune as ut
from unitune.adapters import Outcome, get_adapter_class, parse_backend
from unitune.adapters._skopt import SkoptAdapter
from unitune.adapters._skopt_compat import gbrt_class

ACTS = ["relu", "tanh", "sigmoid"]
MIXED = ut.Space(
    {
        "x": ut.Float(-5.0, 5.0),
        "lr": ut.Float(1e-4, 1.0, log=True),
        "n": ut.Int(0, 2),
        "act": ut.Categorical(ACTS),
    }
)
FAST_GP = {"acq_optimizer": "sampling", "n_points": 500}  # cheaper models for the tests that need no equivalence
FAST_ET = {"n_points": 500}


def done(loss: float | None) -> Outcome:
    """The outcome of a finished trial: complete with ``loss``, or failed (None)."""
    return Outcome.failed() if loss is None else Outcome.complete(loss)


def objective(c: dict[str, Any]) -> float:
    return (c["x"] - 1.0) ** 2 + c["lr"] + c["n"] + ACTS.index(c["act"]) * 0.3


def native_dims() -> list[Any]:
    """Hand-written dimensions: the native expressions explain() reports, with the real strings."""
    return [Real(-5.0, 5.0), Real(1e-4, 1.0, prior="log-uniform"), Real(-0.5, 2.5), Categorical(ACTS)]


def native_config(x: list[Any]) -> dict[str, Any]:
    return {"x": x[0], "lr": x[1], "n": min(max(round(x[2]), 0), 2), "act": x[3]}


def run_adapter(space: ut.Space, algorithm: str, n: int, seed: int = 3, **options: Any) -> list[dict[str, Any]]:
    adapter = SkoptAdapter(space, algorithm, seed=seed, options=options)
    configs = []
    for _ in range(n):
        (s,) = adapter.ask()
        config = space.decode(s.raw)
        configs.append(config)
        adapter.tell(s.token, done(objective(config)))
    return configs


def run_native(minimize: Any, n: int, seed: int = 3, **kwargs: Any) -> list[dict[str, Any]]:
    configs: list[dict[str, Any]] = []

    def fn(x: list[Any]) -> float:
        configs.append(native_config(x))
        return objective(configs[-1])

    minimize(fn, native_dims(), n_calls=n, random_state=seed, **kwargs)
    return configs


def run_optimizer(n: int, seed: int = 3, **kwargs: Any) -> list[dict[str, Any]]:
    opt = Optimizer(native_dims(), random_state=seed, **kwargs)
    configs = []
    for _ in range(n):
        x = opt.ask()
        configs.append(native_config(x))
        opt.tell(x, objective(configs[-1]))
    return configs


# -- registry and translation ------------------------------------------------------------------
def test_registry_and_lazy_import() -> None:
    assert get_adapter_class("skopt") is SkoptAdapter
    assert parse_backend("skopt") == ("skopt", "gp")
    assert set(SkoptAdapter.algorithms) == {"gp", "forest", "et", "gbrt", "random"}
    code = "import sys, unitune.adapters._skopt; print('skopt' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_convert_space_and_explain() -> None:
    space = ut.Space(
        {
            "n": ut.Int(0, 2),
            "k": ut.Int(1, 100, log=True),
            "s": ut.Int(32, 256, step=32),
            "f": ut.Float(0.0, 1.0, step=0.25),
            "c": ut.Float(2.0, 2.0),
            "opt": ut.Conditional({"adam": {"beta": ut.Float(0.8, 0.999)}, "sgd": {}}),
        }
    )
    dims = SkoptAdapter.convert_space(space)
    assert [d.name for d in dims] == list(space.param_keys)
    assert dims[0] == Real(-0.5, 2.5) and dims[1] == Real(0.5, 100.5, prior="log-uniform")
    assert dims[2] == Real(-0.5, 7.5) and dims[3] == Real(-0.5, 4.5)
    assert dims[4] == Categorical([2.0]) and dims[5] == Categorical([0, 1])
    rows = {t.param: t for t in SkoptAdapter.explain(space, "gp")}
    assert rows["n"].native == "Real(-0.5, 2.5) + round" and rows["n"].fidelity == "exact"
    assert rows["k"].native == "Real(0.5, 100.5, prior='log-uniform') + round"
    assert rows["s"].native == "Real(-0.5, 7.5) + round -> 32 + k * 32"
    assert rows["opt"].fidelity == "flattened" and rows["beta"].fidelity == "flattened"
    assert "opt='adam'" in rows["beta"].note
    caps = SkoptAdapter.capabilities("gp")
    assert caps.conditional == "flattened" and caps.batch and "cl_min" in caps.pending and not caps.grid
    assert "worst loss" in caps.failures


def test_integer_categories_transform_like_strings() -> None:
    """skopt maps categories to indices before encoding: indices behave exactly as the strings."""
    (dim,) = normalize_dimensions([Categorical(ACTS)]).dimensions  # one-hot, as every algorithm encodes them
    index_dim = Categorical([0, 1, 2])
    np.testing.assert_array_equal(dim.transform(ACTS), index_dim.transform([0, 1, 2]))
    assert [ACTS.index(v) for v in dim.rvs(50, random_state=1)] == list(index_dim.rvs(50, random_state=1))
    assert [ACTS.index(v) for v in dim.inverse_transform(np.eye(3))] == list(index_dim.inverse_transform(np.eye(3)))


# -- seeded equivalence with hand-written native code ------------------------------------------
def test_gp_equals_gp_minimize_and_optimizer_loop() -> None:
    n = 12  # 10 random points, then 2 from the GP
    mine = run_adapter(MIXED, "gp", n)
    assert mine == run_native(gp_minimize, n)
    assert mine == run_optimizer(n)


@pytest.mark.parametrize(("algorithm", "estimator"), [("forest", "RF"), ("et", "ET")])
def test_forest_equals_forest_minimize(algorithm: str, estimator: str) -> None:
    n = 13
    mine = run_adapter(MIXED, algorithm, n)
    assert mine == run_native(forest_minimize, n, base_estimator=estimator)
    assert mine == run_optimizer(n, base_estimator=estimator, acq_func="EI", acq_optimizer="sampling")


def test_random_equals_dummy_minimize_stream() -> None:
    """dummy_minimize: one seed draw for the (absent) estimator, then Space.rvs from the same state."""
    rng = np.random.RandomState(5)
    rng.randint(0, np.iinfo(np.int32).max)
    space = SkSpace(native_dims())
    native = [native_config(space.rvs(random_state=rng)[0]) for _ in range(30)]
    assert run_adapter(MIXED, "random", 30, seed=5) == native


def test_options_reach_skopt() -> None:
    opts = {"n_initial_points": 5, "acq_func": "EI", "xi": 0.1, "n_points": 300, "acq_optimizer": "sampling"}
    mine = run_adapter(MIXED, "gp", 7, **opts)
    assert mine == run_native(gp_minimize, 7, **opts)


# -- the GP's initial points (the distributions themselves: test_conformance.py)
def test_gp_initial_points_use_the_same_translation() -> None:
    """skopt's own Integer is biased under the GP's normalization; the adapter's Int is not."""
    native = normalize_dimensions([Integer(0, 2)]).rvs(n_samples=3000, random_state=0)
    share_ends = Counter(x[0] for x in native)[0] / 3000
    assert 0.22 < share_ends < 0.28  # 25 / 50 / 25
    space = ut.Space({"n": ut.Int(0, 2)})
    values = []
    for seed in range(200):
        adapter = SkoptAdapter(space, "gp", seed=seed)
        for i in range(10):
            (s,) = adapter.ask()
            values.append(s.raw["n"])
            if i < 9:  # the tenth tell would fit the GP
                adapter.tell(s.token, done(0.0))
    assert set(values) == {0, 1, 2}
    assert stats.chisquare([values.count(k) for k in (0, 1, 2)]).pvalue > 0.001
    assert all(0.30 < values.count(k) / len(values) < 0.36 for k in (0, 1, 2))


# -- workarounds: random and gbrt --------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["random", "gbrt"])
def test_random_and_gbrt_run(algorithm: str) -> None:
    adapter = SkoptAdapter(MIXED, algorithm, seed=1)
    for _ in range(20):
        (s,) = adapter.ask()
        config = MIXED.decode(s.raw)
        MIXED.validate(config)
        adapter.tell(s.token, done(objective(config)))
    assert len(adapter._opt.yi) == 20
    assert len(adapter._opt.models) == (algorithm == "gbrt")  # the last model only; random never fits


def test_gbrt_equals_gbrt_minimize_with_the_fixed_estimator() -> None:
    """gbrt_minimize rejects its own estimator on scikit-learn >= 1.6; given the fixed one, it matches."""
    estimator = gbrt_class()(
        base_estimator=GradientBoostingRegressor(n_estimators=30, loss="quantile"),
        n_jobs=1,
        random_state=np.random.RandomState(3),
    )
    assert run_adapter(MIXED, "gbrt", 12) == run_native(gbrt_minimize, 12, base_estimator=estimator)


def test_gbrt_adapter_pickles() -> None:
    adapter = SkoptAdapter(MIXED, "gbrt", seed=0, options={"n_initial_points": 3})
    for _ in range(4):
        (s,) = adapter.ask()
        adapter.tell(s.token, done(objective(MIXED.decode(s.raw))))
    clone = pickle.loads(pickle.dumps(adapter))
    assert clone.ask()[0].raw == adapter.ask()[0].raw


# -- pending, batches, failures, warm start ----------------------------------------------------
def model_phase_adapter(algorithm: str = "gp", **options: Any) -> SkoptAdapter:
    adapter = SkoptAdapter(MIXED, algorithm, seed=0, options={**options, "n_initial_points": 5})
    for _ in range(5):
        (s,) = adapter.ask()
        adapter.tell(s.token, done(objective(MIXED.decode(s.raw))))
    return adapter


def test_plain_skopt_repeats_a_pending_point() -> None:
    opt = Optimizer(native_dims(), "ET", n_initial_points=2, acq_optimizer="sampling", random_state=0)
    for _ in range(2):
        x = opt.ask()
        opt.tell(x, objective(native_config(x)))
    assert opt.ask() == opt.ask()  # why the adapter asks through a constant liar


def test_pending_ask_gives_a_new_point_and_keeps_the_optimizer() -> None:
    adapter = model_phase_adapter(**FAST_GP)
    (first,) = adapter.ask()
    told = list(adapter._opt.Xi)
    (second,) = adapter.ask()
    assert second.raw != first.raw
    assert adapter._opt.Xi == told  # the liar is a copy
    adapter.tell(first.token, done(1.0))
    adapter.tell(second.token, done(2.0))
    assert len(adapter._opt.yi) == 7


def test_liar_fits_once() -> None:
    adapter = model_phase_adapter(**FAST_GP)
    adapter.ask()
    adapter.ask()
    liar = adapter._liar(fit=True)
    assert len(liar.models) == 1 and len(liar.Xi) == 7 and liar.yi[-1] == min(adapter._opt.yi)


def test_batches_are_distinct() -> None:
    adapter = model_phase_adapter("et", **FAST_ET)
    batch = adapter.ask(4)
    again = adapter.ask(4)  # skopt would return its cached batch
    points = {tuple(sorted(s.raw.items())) for s in batch + again}
    assert len(points) == 8
    assert adapter.ask(0) == []
    for s in batch + again:
        adapter.tell(s.token, done(0.5))


def test_failure_is_told_as_worst_and_not_repeated() -> None:
    adapter = model_phase_adapter(**FAST_GP)
    (s,) = adapter.ask()
    adapter.tell(s.token, done(None))
    assert adapter._opt.yi[-1] == max(adapter._opt.yi[:-1])
    assert adapter.ask()[0].raw != s.raw
    with pytest.raises(ut.StudyError):
        adapter.tell(s.token, done(1.0))


def test_first_failures_wait_for_a_loss() -> None:
    adapter = SkoptAdapter(MIXED, "et", seed=0, options={"initial_point_generator": "lhs"})
    (s,) = adapter.ask()
    adapter.tell(s.token, done(None))
    (t,) = adapter.ask()  # the lhs design moves on
    assert t.raw != s.raw and adapter._opt.yi == []
    adapter.tell(t.token, done(float("nan")))
    (u,) = adapter.ask()
    adapter.tell(u.token, done(2.0))
    assert adapter._opt.yi == [2.0, 2.0, 2.0]


def test_add_many_fits_once_then_asks() -> None:
    space = ut.Space({"x": ut.Float(0.0, 1.0), "opt": ut.Conditional({"a": {"k": ut.Int(1, 9)}, "b": {}})})
    trials = [(space.encode(space.sample(i)), done(float(i))) for i in range(11)]
    trials.append(({"x": 0.5, "opt": 1}, done(None)))
    adapter = SkoptAdapter(space, "gp", seed=0, options=FAST_GP)
    adapter.add_many(trials)
    assert len(adapter._opt.models) == 1 and adapter._opt.yi[-1] == 10.0
    assert adapter._opt.Xi[-1] == [0.5, 1, 1.0]  # the inactive k holds its low bound
    adapter.add({"x": 0.25, "opt": 0, "k": 3}, done(0.0))
    (s,) = adapter.ask()
    space.validate(space.decode(s.raw))


def test_unknown_option_raises_before_asking() -> None:
    with pytest.raises(ut.BackendError, match="n_initial") as info:
        SkoptAdapter(MIXED, "gp", options={"n_initial": 3})
    assert "n_initial_points" in str(info.value) and "kappa" in str(info.value)
    with pytest.raises(ut.BackendError, match="no options"):
        SkoptAdapter(MIXED, "random", options={"xi": 0.1})
    with pytest.raises(ut.BackendError, match="acq_func"):
        SkoptAdapter(MIXED, "forest", options={"acq_func": "nope"})


def test_gp_loop_is_silent() -> None:
    space = ut.Space({"a": ut.Categorical(["x", "y"]), "b": ut.Categorical([1, 2, 3])})  # repeats are certain
    filters = list(warnings.filters)
    adapter = SkoptAdapter(space, "gp", seed=0, options=FAST_GP)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(30):
            (s,) = adapter.ask()
            adapter.tell(s.token, done(float(s.raw["a"] + s.raw["b"])))
    assert caught == []
    assert warnings.filters == filters
