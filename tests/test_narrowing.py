"""study.narrow(): a space fitted to the best trials; study.continue_narrowed(): a new study in it."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
import yaml

import unitune as ut
from unitune.cli._run import load_space_file
from unitune.space import Primitive

SPACE = {
    "x": ut.Float(-5.0, 5.0),
    "lr": ut.Float(1e-5, 1e-1, log=True),
    "batch": ut.Int(32, 512, step=32),
    "units": ut.Int(4, 1024, log=True),
    "ratio": ut.Float(0.0, 1.0, step=0.05),
    "act": ut.Categorical(["relu", "tanh", "gelu", None]),
    "epochs": 10,
}


def objective(c: dict[str, Any]) -> float:
    return (
        (c["x"] - 1.3) ** 2
        + (math.log10(c["lr"]) + 3) ** 2
        + ((c["batch"] - 128) / 128) ** 2
        + (math.log2(c["units"]) - 6) ** 2 / 4
        + (c["ratio"] - 0.35) ** 2
        + {"relu": 0.0, "tanh": 1.0, "gelu": 0.2, None: 3.0}[c["act"]]
    )


def inside(prim: Primitive, value: Any) -> bool:
    return float(prim.low) <= float(value) <= float(prim.high)


@pytest.mark.parametrize("backend", ["optuna:random", "hyperopt", "skopt:random"])
@pytest.mark.parametrize("seed", [0, 1])
def test_narrowing_never_widens_keeps_grids_and_log_scale_and_holds_the_best_trial(backend: str, seed: int) -> None:
    study = ut.minimize(objective, SPACE, backend=backend, n_trials=40, seed=seed)
    narrowed = study.narrow(quantile=0.25, margin=0.1)
    old, new = ut.Space(SPACE), narrowed
    assert new.param_keys == old.param_keys and new.mapping["epochs"] == 10
    for p in old.params:
        a, b = p.primitive, new.param(p.key).primitive
        assert b.kind == a.kind and b.log == a.log, p.key  # log scale kept
        if a.kind == "choice":
            assert set(b.options) <= set(a.options) and b.options == tuple(o for o in a.options if o in b.options)
            continue
        assert a.low <= b.low <= b.high <= a.high, (p.key, a, b)  # never wider
        if a.step is not None:  # on the same grid
            assert b.step == a.step, p.key
            assert math.isclose(((b.low - a.low) / a.step) % 1, 0, abs_tol=1e-9) or math.isclose(
                ((b.low - a.low) / a.step) % 1, 1, abs_tol=1e-9
            ), p.key
    best = study.best_trial
    assert new.encode(best.params) is not None  # the best configuration fits the narrowed space
    top = sorted((t for t in study.trials if t.value is not None), key=lambda t: t.value)[: narrowed.top]
    assert narrowed.top == 10
    for trial in top:  # every top trial does: the bounding box holds them
        new.encode(trial.params)
    assert 0 < narrowed.volume <= 1
    assert narrowed.kept == sum(1 for t in study.trials if _fits(new, t.params))


def _fits(space: ut.Space, config: dict[str, Any]) -> bool:
    try:
        space.encode(config)
    except ut.ConfigError:
        return False
    return True


def test_the_rule_on_given_configurations_margin_rounding_and_grids() -> None:
    space = {"x": ut.Float(0.0, 10.0), "n": ut.Int(1, 100, log=True), "k": ut.Int(0, 100, step=10)}
    narrowed = ut.space.narrow_space(
        ut.Space(space), [{"x": 2.0, "n": 4, "k": 20}, {"x": 3.0, "n": 9, "k": 30}], margin=0.1
    )
    # x: [2, 3] widened by 1.0 (10% of 10) on each side; n: log-scale box [4, 9] widened by 10% of ln(100)
    # (a factor 1.585) and rounded outward to integers; k: [20, 30] widened by 10 and kept on the grid of 10
    assert narrowed.space.mapping == {
        "x": ut.Float(1.0, 4.0),
        "n": ut.Int(2, 15, log=True),
        "k": ut.Int(10, 40, step=10),
    }
    # the share kept, in the scale each is drawn in: a log-scaled integer over [low - 0.5, high + 0.5] in log
    log_share = (math.log(15.5) - math.log(1.5)) / (math.log(100.5) - math.log(0.5))
    assert [c.fraction for c in narrowed.changes] == pytest.approx([0.3, log_share, 4 / 11])
    assert narrowed.volume == pytest.approx(0.3 * log_share * 4 / 11)
    zero = ut.space.narrow_space(ut.Space(space), [{"x": 2.0, "n": 4, "k": 20}], margin=0.0)
    assert zero.space.mapping == {"x": ut.Float(2.0, 2.0), "n": ut.Int(4, 4, log=True), "k": ut.Int(20, 20, step=10)}
    wide = ut.space.narrow_space(ut.Space(space), [{"x": 0.0, "n": 1, "k": 0}, {"x": 10.0, "n": 100, "k": 100}])
    assert wide.space.mapping == space and all("unchanged" in c.why for c in wide.changes)


CONDITIONAL = {
    "model": ut.Conditional(
        {
            "tree": {"depth": ut.Int(1, 20), "criterion": ut.Categorical(["gini", "entropy", "log_loss"])},
            "linear": {"alpha": ut.Float(1e-4, 10.0, log=True)},
            "knn": {"k": ut.Int(1, 50)},
        }
    ),
    "scale": ut.Categorical([True, False]),
}


def conditional_objective(c: dict[str, Any]) -> float:
    if c["model"] == "tree":
        return abs(c["depth"] - 6) / 10 + (0.0 if c["criterion"] != "log_loss" else 1.0) + (0 if c["scale"] else 0.05)
    if c["model"] == "linear":
        return 0.5 + abs(math.log10(c["alpha"]) + 2) / 4
    return 2.0 + c["k"] / 50


def test_conditionals_keep_the_branches_the_top_trials_chose_and_categoricals_their_choices() -> None:
    study = ut.minimize(conditional_objective, CONDITIONAL, backend="hyperopt:rand", n_trials=80, seed=3)
    narrowed = study.narrow(quantile=0.1, margin=0.05)
    top = sorted(study.trials, key=lambda t: t.value)[: narrowed.top]
    chosen = {t.params["model"] for t in top}
    assert set(narrowed.mapping["model"].labels) == chosen and "knn" not in chosen
    if "tree" in chosen:
        criteria = [t.params["criterion"] for t in top if t.params["model"] == "tree"]
        assert narrowed.mapping["model"].branches["tree"]["criterion"] == ut.Categorical(
            [c for c in ["gini", "entropy", "log_loss"] if c in criteria]
        )
    table = narrowed.explanation
    rows = {r["parameter"]: r for r in table.to_dict("records")}
    assert rows["k"]["after"] == "dropped" and "'knn'" in rows["k"]["why"]
    assert rows["model"]["why"] == "the branches the top ones chose"
    assert list(table["parameter"]) == ["model", "depth", "criterion", "alpha", "k", "scale"]
    for t in top:
        narrowed.encode(t.params)
    # the volume: a uniform draw of the original space picks each branch with chance 1/3
    tree = narrowed.mapping["model"].branches.get("tree")
    assert 0 < narrowed.volume < 2 / 3 + 1e-9 and (tree is not None or narrowed.volume <= 1 / 3 + 1e-9)


def test_fix_unimportant_fixes_parameters_to_the_best_trials_value() -> None:
    space = {"x": ut.Float(-2, 2), "y": ut.Float(0, 10), "noise": ut.Float(-1, 1), "flag": ut.Categorical(["a", "b"])}
    study = ut.minimize(
        lambda c: abs(c["x"] - 0.3) + abs(c["y"] - 6) / 2.5, space, backend="optuna:random", n_trials=60, seed=0
    )
    importance = study.importance()
    low = set(importance[importance["importance"] < 0.05]["parameter"])
    assert {"noise", "flag"} <= low and not {"x", "y"} & low
    narrowed = study.narrow(fix_unimportant=0.05)
    best = study.best_params
    assert narrowed.mapping["noise"] == ut.Float(best["noise"], best["noise"])
    assert narrowed.mapping["flag"] == ut.Categorical([best["flag"]])
    rows = {r["parameter"]: r for r in narrowed.explanation.to_dict("records")}
    assert rows["noise"]["why"].startswith("fixed to the best trial's value: fANOVA importance")
    assert "not counting 2 fixed parameter(s): noise, flag" in narrowed.explanation.attrs["caption"]
    narrowed.encode(best)


def test_too_few_complete_trials_is_a_clear_error_and_bad_options_name_themselves() -> None:
    study = ut.Study(SPACE, seed=0)
    for i in range(12):
        trial = study.ask()
        study.tell(trial, objective(trial.params) if i < 9 else None, state="complete" if i < 9 else "failed")
    with pytest.raises(ut.StudyError, match=r"min_trials=20 .* has 9 \(and 3 failed\)\. Fix: run more trials"):
        study.narrow()
    assert len(study.narrow(min_trials=5).explanation) == len(ut.Space(SPACE).params)
    for options, match in [
        ({"quantile": 0}, r"quantile.*\(0, 1\]"),
        ({"quantile": 1.5}, "quantile"),
        ({"margin": -0.1}, "margin.*>= 0"),
        ({"min_trials": 0}, "min_trials.*>= 1"),
        ({"fix_unimportant": 1.0}, r"fix_unimportant.*\(0, 1\)"),
    ]:
        with pytest.raises(ut.ArgumentError, match=match):
            study.narrow(**{"min_trials": 5, **options})
    with pytest.raises(ut.ArgumentTypeError, match=r"quantile.*number"):
        study.narrow(quantile="top")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="quantille"):
        study.narrow(quantille=0.2)  # type: ignore[call-arg]


def test_the_explanation_table_says_old_and_new_ranges_why_and_how_many_trials_are_kept() -> None:
    study = ut.minimize(objective, SPACE, backend="optuna:random", n_trials=50, seed=4)
    narrowed = study.narrow()
    table = narrowed.explanation
    assert list(table.columns) == ["parameter", "before", "after", "top trials", "range kept", "trials inside", "why"]
    rows = {r["parameter"]: r for r in table.to_dict("records")}
    assert rows["lr"]["before"] == "Float(1e-05, 0.1, log=True)"
    assert rows["lr"]["after"] == repr(narrowed.mapping["lr"])
    assert "bounding box" in rows["x"]["why"]
    for key, row in rows.items():
        inside_count = sum(
            1 for t in study.trials if narrowed.param(key).element.problem(study.space.flatten(t.params)[key]) is None
        )
        assert row["trials inside"] == f"{inside_count}/50", key
    caption = table.attrs["caption"]
    assert "Perrone et al. 2019" in caption and f"{narrowed.kept} of the 50 complete trials" in caption
    assert "top 20% of 50 complete trials (10 trials" in caption
    assert (narrowed.kept, narrowed.complete, narrowed.top) == (table.attrs["kept"], 50, 10)
    text = table.to_text()  # prints in a terminal
    assert "parameter" in text and "bounding box" in text


def test_the_narrowed_space_serializes_like_any_space(tmp_path: Any) -> None:
    study = ut.minimize(conditional_objective, CONDITIONAL, backend="optuna:random", n_trials=40, seed=0)
    narrowed = study.narrow()
    data = narrowed.to_dict()
    assert ut.Space.from_dict(data) == narrowed
    path = tmp_path / "narrowed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert ut.Space(load_space_file(path)) == narrowed  # `unitune run --space narrowed.yaml` reads it
    plain = ut.Space(narrowed)  # a plain Space of the same mapping
    assert plain == narrowed and type(plain) is ut.Space


def test_continuing_warm_starts_with_exactly_the_trials_inside_on_another_backend() -> None:
    broad = ut.minimize(objective, SPACE, backend="hyperopt:rand", n_trials=40, seed=0)
    narrowed = broad.narrow()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # leaving the others out is the point: no warning
        fine = broad.continue_narrowed(narrowed, backend="optuna:tpe", seed=5)
    told = fine.adapter.study.trials  # the Optuna adapter's own study: what its sampler was told
    inside_trials = [t for t in broad.trials if _fits(narrowed, t.params)]
    assert len(told) == narrowed.kept == len(inside_trials) > 0
    assert narrowed.kept < 40
    assert sorted(t.value for t in told) == sorted(t.value for t in inside_trials)
    assert fine.space == narrowed and fine.backend == "optuna:tpe" and len(fine.trials) == 0
    fine.optimize(objective, n_trials=15)
    assert all(_fits(narrowed, t.params) for t in fine.trials)
    assert fine.optuna_study.user_attrs["unitune.warm_start"] == {
        "study": broad.study_name,
        "trials": narrowed.kept,
        "narrowed": True,
    }


def test_continuing_asks_what_a_study_warm_started_with_the_inside_trials_asks() -> None:
    broad = ut.minimize(objective, SPACE, backend="optuna:random", n_trials=40, seed=1)
    narrowed = broad.narrow(quantile=0.3)
    fine = broad.continue_narrowed(narrowed, backend="hyperopt", seed=7)
    frame = broad.trials_dataframe()
    keep = [t.number for t in broad.trials if _fits(narrowed, t.params)]
    reference = ut.Study(narrowed, backend="hyperopt", seed=7, warm_start=frame[frame["number"].isin(keep)])
    assert [fine.ask().params for _ in range(5)] == [reference.ask().params for _ in range(5)]


def test_continuing_by_default_narrows_and_keeps_the_backend_its_options_and_direction() -> None:
    broad = ut.maximize(
        lambda c: -objective(c),
        SPACE,
        backend="optuna:tpe",
        backend_options={"n_startup_trials": 5},
        n_trials=30,
        seed=0,
    )
    fine = broad.continue_narrowed()
    assert fine.backend == "optuna:tpe" and fine.direction == "maximize" and fine.seed == 0
    assert fine.optuna_study.user_attrs["unitune.backend_options"] == {"n_startup_trials": 5}
    assert fine.space == broad.narrow()


def test_several_objectives_narrow_by_target_and_continue_with_their_directions() -> None:
    def two(c: dict[str, Any]) -> dict[str, float]:
        return {"error": objective(c), "speed": c["batch"] / 512}

    study = ut.optimize(
        two,
        SPACE,
        directions=["minimize", "maximize"],
        objectives=["error", "speed"],
        backend="optuna:random",
        n_trials=40,
        seed=0,
    )
    with pytest.raises(ut.ArgumentError, match="target="):
        study.narrow()
    fast = study.narrow(target="speed")  # maximized: the largest batches are the top trials
    top = sorted(study.trials, key=lambda t: -t.values[1])[: fast.top]
    assert fast.param("batch").primitive.low <= min(t.params["batch"] for t in top)
    assert fast.param("batch").primitive.high == 512
    accurate = study.narrow(target=lambda t: t.values[0])
    assert accurate == study.narrow(target="error")
    fine = study.continue_narrowed(fast, backend="hyperopt")
    assert fine.directions == ["minimize", "maximize"] and fine.objectives == ["error", "speed"]
    fine.optimize(two, n_trials=5)
    assert all(_fits(fast, t.params) for t in fine.trials) and fine.best_trials


def test_with_constraints_feasible_trials_are_the_top_trials_and_the_constraints_carry_over() -> None:
    def constrained(c: dict[str, Any]) -> dict[str, float]:
        return {"value": objective(c), "excess": c["x"] - 0.0}  # feasible: x <= 0 (the optimum x=1.3 is not)

    study = ut.minimize(constrained, SPACE, constraints=["excess"], backend="optuna:random", n_trials=40, seed=0)
    narrowed = study.narrow(quantile=0.2, margin=0.0)
    feasible = sorted((t for t in study.trials if t.feasible), key=lambda t: t.value)[: narrowed.top]
    assert len(feasible) == narrowed.top == 8
    assert narrowed.param("x").primitive.high <= 0.0 + 1e-9  # fitted to feasible trials only
    assert narrowed.encode(study.best_trial.params)
    fine = study.continue_narrowed(narrowed, backend="skopt:random")
    fine.optimize(constrained, n_trials=3)
    assert all(t.constraints is not None for t in fine.trials)
