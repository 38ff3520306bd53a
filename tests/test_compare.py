"""compare(): the same budget for every (problem, backend, seed), and the statistics and plots over the runs."""

from __future__ import annotations

import concurrent.futures as cf
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from scipy.stats import wilcoxon

import unitune as ut
from unitune.compare import TIMING_COLUMNS, Comparison
from unitune.compare._multi import aim
from unitune.compare._stats import holm
from unitune.problems import Problem, get, names

BACKENDS = ["optuna:random", "hyperopt:rand", "skopt:random"]
PROBLEMS = ["branin", "hartmann3"]
N_TRIALS = 6
SEEDS = range(4)
COLUMNS = [
    "problem",
    "backend",
    "seed",
    "trial",
    "state",
    "value",
    "best_so_far",
    "regret",
    *TIMING_COLUMNS,
    "last_step",
    "steps",
    "cumulative_steps",
]


def _compare(**kwargs: Any) -> Comparison:
    return ut.compare(PROBLEMS, backends=BACKENDS, n_trials=N_TRIALS, seeds=SEEDS, **kwargs)


def _untimed(cmp: Comparison) -> pd.DataFrame:
    return cmp.trials.drop(columns=list(TIMING_COLUMNS))


@pytest.fixture(scope="module")
def cmp() -> Comparison:
    return _compare()


def _last(trials: pd.DataFrame) -> pd.DataFrame:
    """The last row of every run, by hand."""
    return trials.sort_values("trial").groupby(["problem", "backend", "seed"]).tail(1)


def _hand_holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment written out: sort, multiply by m, m-1, ..., keep monotone, cap at 1."""
    tested = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(tested)
    out = [math.nan] * len(p_values)
    previous = 0.0
    for k, (p, i) in enumerate(tested):
        previous = max(previous, min(1.0, (m - k) * p))
        out[i] = previous
    return out


def _hand_comparison(
    finals: Mapping[tuple[str, str], Sequence[float]],
    *,
    optima: dict[str, float | None] | None = None,
    directions: dict[str, str] | None = None,
) -> Comparison:
    """A Comparison from hand-made runs: ``{(problem, backend): values per seed}``, two trials per run.

    Trial 0 has the final best value and trial 1 a worse one, so the final best is not the last value.
    """
    optima = optima or {}
    directions = directions or {}
    rows = []
    for (problem, backend), values in finals.items():
        sign = -1.0 if directions.get(problem) == "maximize" else 1.0
        optimum = optima.get(problem)
        for seed, best in enumerate(values):
            for trial, value in enumerate([best, best + sign * 10.0]):
                regret = math.nan if optimum is None else sign * (best - optimum)
                rows.append(
                    {
                        "problem": problem,
                        "backend": backend,
                        "seed": seed,
                        "trial": trial,
                        "state": "complete",
                        "value": value,
                        "best_so_far": best,
                        "regret": regret,
                        **dict.fromkeys(TIMING_COLUMNS, 0.0),
                    }
                )
    failures = pd.DataFrame(columns=["problem", "backend", "seed", "error"])
    return Comparison(pd.DataFrame(rows, columns=COLUMNS), failures, optima, directions)


# -- the long-form trials table ------------------------------------------------------------------


def test_trials_is_long_form_with_one_row_per_trial(cmp: Comparison) -> None:
    trials = cmp.trials
    assert list(trials.columns) == COLUMNS
    assert len(trials) == len(PROBLEMS) * len(BACKENDS) * len(SEEDS) * N_TRIALS
    sizes = trials.groupby(["problem", "backend", "seed"]).size()
    assert len(sizes) == len(PROBLEMS) * len(BACKENDS) * len(SEEDS) and set(sizes) == {N_TRIALS}
    for _, run in trials.groupby(["problem", "backend", "seed"]):
        assert list(run["trial"]) == list(range(N_TRIALS))
    assert set(trials["state"]) == {"complete"}
    assert cmp.failures.empty and list(cmp.failures.columns) == ["problem", "backend", "seed", "error"]
    assert cmp.optima == {"branin": get("branin").optimum, "hartmann3": get("hartmann3").optimum}
    assert repr(cmp) == f"Comparison(24 runs, {len(trials)} trials, 0 failed runs)"


def test_best_so_far_is_the_running_minimum_and_regret_its_distance_to_the_optimum(cmp: Comparison) -> None:
    for (problem, _, _), run in cmp.trials.groupby(["problem", "backend", "seed"]):
        run = run.sort_values("trial")
        np.testing.assert_allclose(run["best_so_far"], run["value"].cummin())
        optimum = get(problem).optimum
        assert optimum is not None
        np.testing.assert_allclose(run["regret"], run["value"].cummin() - optimum)
        assert (run["regret"] >= 0).all()


def test_timing_columns_are_measured(cmp: Comparison) -> None:
    trials = cmp.trials
    for column in TIMING_COLUMNS:
        assert trials[column].notna().all() and (trials[column] >= 0).all(), column
    assert (trials["suggest_time"] > 0).all() and (trials["overhead"] > 0).all()
    for _, run in trials.groupby(["problem", "backend", "seed"]):
        wall = run.sort_values("trial")["wall_time"].to_numpy()
        assert (np.diff(wall) > 0).all()  # time since the run started, at the end of each trial
        # a trial's wall time covers at least its own evaluation
        assert (wall >= run.sort_values("trial")["eval_time"].to_numpy()).all()


def test_a_slow_objective_shows_in_eval_time_not_in_suggest_time() -> None:
    import time

    def slow(config: dict[str, Any]) -> float:
        time.sleep(0.02)
        return float(config["x"])

    cmp = ut.compare(slow, {"x": ut.Float(0.0, 1.0)}, backends=["optuna:random"], n_trials=3, seeds=[0])
    assert (cmp.trials["eval_time"] >= 0.02).all()
    assert (cmp.trials["suggest_time"] < 0.02).all() and (cmp.trials["overhead"] < 0.02).all()
    assert cmp.trials["wall_time"].iloc[-1] >= 0.06


# -- summary ---------------------------------------------------------------------------------------


def test_summary_matches_a_hand_computation(cmp: Comparison) -> None:
    summary = cmp.summary()
    assert list(summary.columns) == [
        "problem",
        "backend",
        "runs",
        "best_mean",
        "best_median",
        "best_iqr",
        "regret_mean",
        "regret_median",
        "rank_mean",
        "rank_overall",
        "auc",
        "suggest_time",
        "overhead_us",
        "failed_runs",
    ]
    assert len(summary) == len(PROBLEMS) * len(BACKENDS)
    last = _last(cmp.trials)
    ranks = last.groupby(["problem", "seed"])["regret"].rank()  # lower regret, better (lower) rank
    last = last.assign(rank=ranks)
    for row in summary.itertuples():
        runs = cmp.trials[(cmp.trials["problem"] == row.problem) & (cmp.trials["backend"] == row.backend)]
        ends = last[(last["problem"] == row.problem) & (last["backend"] == row.backend)]
        best = ends["best_so_far"].to_numpy()
        assert row.runs == len(SEEDS) and row.failed_runs == 0
        assert row.best_mean == pytest.approx(best.mean())
        assert row.best_median == pytest.approx(np.median(best))
        assert row.best_iqr == pytest.approx(np.percentile(best, 75) - np.percentile(best, 25))
        assert row.regret_mean == pytest.approx(ends["regret"].mean())
        assert row.regret_median == pytest.approx(ends["regret"].median())
        assert row.rank_mean == pytest.approx(ends["rank"].mean())
        assert row.rank_overall == pytest.approx(last.loc[last["backend"] == row.backend, "rank"].mean())
        assert row.auc == pytest.approx(np.mean([r["regret"].mean() for _, r in runs.groupby("seed")]))
        assert row.suggest_time == pytest.approx(runs["suggest_time"].mean())
        assert row.overhead_us == pytest.approx(runs["overhead"].mean() * 1e6)
        assert 0 < row.overhead_us < 1e5  # unitune's own share: microseconds, not seconds
    # the mean rank of each seed's backends is (1 + n) / 2
    assert summary.groupby("problem")["rank_mean"].mean().tolist() == pytest.approx([2.0, 2.0])


def test_summary_ranks_on_a_constructed_comparison() -> None:
    finals = {
        ("p", "a"): [1, 1, 1, 1, 5, 2, 3],
        ("p", "b"): [2, 2, 2, 2, 5, 1, 3],
        ("p", "c"): [0, 0, 0, 0, 0, 0, 0],
    }
    summary = _hand_comparison(finals).summary().set_index("backend")
    assert summary.loc["a", "rank_mean"] == pytest.approx(16 / 7)
    assert summary.loc["b", "rank_mean"] == pytest.approx(19 / 7)
    assert summary.loc["c", "rank_mean"] == 1.0
    assert summary.loc["a", "best_mean"] == pytest.approx(14 / 7)  # the best so far, not the last value
    assert summary["regret_mean"].isna().all()


def test_rank_overall_averages_over_problems() -> None:
    finals = {("p", "a"): [1, 1], ("p", "b"): [2, 2], ("q", "a"): [5, 5], ("q", "b"): [4, 4]}
    finals[("r", "a")] = [0, 0]
    finals[("r", "b")] = [1, 1]
    summary = _hand_comparison(finals).summary()
    overall = summary.groupby("backend")["rank_overall"].unique()
    assert overall["a"].tolist() == pytest.approx([4 / 3]) and overall["b"].tolist() == pytest.approx([5 / 3])


def test_auc_uses_regret_even_when_a_run_starts_with_failed_trials() -> None:
    """Optimum 1: backend a's first trial failed (NaN); its AUC must still be in regret, like b's."""
    rows = []
    for backend, values in {"a": [math.nan, 3.0, 2.0], "b": [4.0, 3.0, 1.5]}.items():
        best = math.inf
        for trial, value in enumerate(values):
            best = min(best, value) if not math.isnan(value) else best
            so_far = best if math.isfinite(best) else math.nan
            state = "failed" if math.isnan(value) else "complete"
            timing = dict.fromkeys(TIMING_COLUMNS, 0.0)
            rows.append(
                {"problem": "r", "backend": backend, "seed": 0, "trial": trial, "state": state, "value": value}
                | {"best_so_far": so_far, "regret": so_far - 1.0, **timing}
            )
    failures = pd.DataFrame(columns=["problem", "backend", "seed", "error"])
    cmp = Comparison(pd.DataFrame(rows, columns=COLUMNS), failures, {"r": 1.0})
    auc = cmp.summary().set_index("backend")["auc"]
    assert auc["a"] == pytest.approx((2.0 + 1.0) / 2)  # regret over the trials that have one
    assert auc["b"] == pytest.approx((3.0 + 2.0 + 0.5) / 3)
    assert cmp.plot().axes[0].get_yscale() == "log"


# -- pairwise ---------------------------------------------------------------------------------------


def test_pairwise_matches_scipy_wilcoxon_and_holm_by_hand(cmp: Comparison) -> None:
    table = cmp.pairwise()
    assert list(table.columns) == [
        "backend_a",
        "backend_b",
        "n",
        "wins_a",
        "ties",
        "losses_a",
        "median_diff",
        "statistic",
        "p_value",
        "p_holm",
        "significant",
        "unit",
    ]
    assert set(table["unit"]) == {"pooled (problem, seed) pairs"}
    pairs = list(zip(table["backend_a"], table["backend_b"], strict=True))
    ordered = sorted(BACKENDS)
    assert pairs == [(ordered[i], ordered[j]) for i in range(3) for j in range(i + 1, 3)]
    finals = _last(cmp.trials).pivot_table(index=["problem", "seed"], columns="backend", values="regret")
    for row in table.itertuples():
        x, y = finals[row.backend_a].to_numpy(), finals[row.backend_b].to_numpy()
        expected = wilcoxon(x, y, zero_method="zsplit")
        assert row.n == len(PROBLEMS) * len(SEEDS)
        assert row.statistic == pytest.approx(expected.statistic)
        assert row.p_value == pytest.approx(expected.pvalue)
        assert (row.wins_a, row.ties, row.losses_a) == ((x < y).sum(), (x == y).sum(), (x > y).sum())
        assert row.median_diff == pytest.approx(np.median(x - y))
    np.testing.assert_allclose(table["p_holm"], _hand_holm(list(table["p_value"])))
    assert (table["significant"] == (table["p_holm"] < 0.05)).all()
    assert (cmp.pairwise(alpha=1.01)["significant"]).all()


def test_pairwise_wins_ties_losses_on_a_constructed_comparison() -> None:
    finals = {
        ("p", "a"): [1, 1, 1, 1, 5, 2, 3],
        ("p", "b"): [2, 2, 2, 2, 5, 1, 3],
        ("p", "c"): [0, 0, 0, 0, 0, 0, 0],
    }
    table = _hand_comparison(finals).pairwise().set_index(["backend_a", "backend_b"])
    counts = table[["n", "wins_a", "ties", "losses_a"]]
    assert counts.loc[("a", "b")].tolist() == [7, 4, 2, 1]
    assert counts.loc[("a", "c")].tolist() == [7, 0, 0, 7]
    assert counts.loc[("b", "c")].tolist() == [7, 0, 0, 7]
    assert table.loc[("a", "b"), "median_diff"] == -1.0
    expected = wilcoxon(finals[("p", "a")], finals[("p", "b")], zero_method="zsplit")
    assert table.loc[("a", "b"), "p_value"] == pytest.approx(expected.pvalue)
    assert table.loc[("a", "c"), "p_value"] == pytest.approx(wilcoxon([1, 1, 1, 1, 5, 2, 3], [0] * 7).pvalue)


def test_pairwise_when_every_run_ties() -> None:
    table = _hand_comparison({("p", "a"): [1, 2, 3], ("p", "b"): [1, 2, 3]}).pairwise()
    assert table[["wins_a", "ties", "losses_a"]].iloc[0].tolist() == [0, 3, 0]
    assert table["p_value"].iloc[0] == 1.0 and not table["significant"].iloc[0]


def test_pairwise_and_ranks_follow_the_direction_when_the_optimum_is_unknown() -> None:
    finals = {("p", "a"): [1, 1, 1, 1, 5, 2, 3], ("p", "b"): [2, 2, 2, 2, 5, 1, 3]}
    maximized = _hand_comparison(finals, directions={"p": "maximize"})
    row = maximized.pairwise().iloc[0]
    assert (row["wins_a"], row["ties"], row["losses_a"]) == (1, 2, 4)  # higher is better now
    ranks = maximized.summary().set_index("backend")["rank_mean"]
    assert ranks["b"] < ranks["a"]


def test_pairwise_uses_regret_when_the_optimum_is_known() -> None:
    finals = {("q", "a"): [3, 3, 3], ("q", "b"): [2, 2, 4]}
    row = _hand_comparison(finals, optima={"q": 5.0}, directions={"q": "maximize"}).pairwise().iloc[0]
    assert (row["wins_a"], row["ties"], row["losses_a"]) == (2, 0, 1)
    assert row["median_diff"] == -1.0  # regret 2 against 3


@pytest.mark.parametrize(
    "p_values",
    [
        [0.01, 0.04, 0.03],
        [0.04, 0.01, 0.03, 0.2, 0.5],
        [0.3, 0.3, 0.01],  # ties
        [0.6, 0.4],  # capped at 1
        [0.04, math.nan, 0.01, 0.03],  # a pair without a test
        [0.02],
        [],
    ],
)
def test_holm_against_a_hand_computation(p_values: list[float]) -> None:
    np.testing.assert_allclose(holm(p_values), _hand_holm(p_values))


# -- plot --------------------------------------------------------------------------------------------


def test_plot_has_one_log_regret_panel_per_problem_with_a_median_line_and_band_per_backend(cmp: Comparison) -> None:
    from matplotlib.figure import Figure

    figure = cmp.plot()
    assert isinstance(figure, Figure)
    axes = [ax for ax in figure.axes if ax.get_visible()]
    assert len(axes) == len(PROBLEMS)
    for ax, problem in zip(axes, PROBLEMS, strict=True):
        assert ax.get_title().startswith(problem)
        assert ax.get_yscale() == "log"
        assert len(ax.lines) == len(BACKENDS)
        assert len(ax.collections) == len(BACKENDS)  # the IQR bands
        assert [line.get_label() for line in ax.lines] == sorted(BACKENDS)
        for line in ax.lines:
            runs = cmp.trials[(cmp.trials["problem"] == problem) & (cmp.trials["backend"] == line.get_label())]
            median = runs.groupby("trial")["regret"].median().clip(lower=1e-12)
            np.testing.assert_allclose(line.get_xdata(), np.arange(1, N_TRIALS + 1))
            np.testing.assert_allclose(line.get_ydata(), median)
    figure.savefig(io.BytesIO(), format="png")
    assert cmp.plot(log=False).axes[0].get_yscale() == "linear"


def test_plot_without_optimum_is_linear_best_so_far_and_hides_spare_panels() -> None:
    finals = {(p, b): [1.0, 2.0] for p in "pqrs" for b in ("a", "b")}
    figure = _hand_comparison(finals).plot()
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 4  # a 2 x 3 grid: two spare panels hidden
    assert all(ax.get_yscale() == "linear" and len(ax.lines) == 2 for ax in visible)
    assert "best so far" in visible[0].get_ylabel()


# -- markdown and CSV ----------------------------------------------------------------------------------


def test_to_markdown_is_a_table_of_the_summary(cmp: Comparison) -> None:
    text = cmp.to_markdown()
    lines = text.splitlines()
    summary = cmp.summary()
    assert lines[0] == "| " + " | ".join(summary.columns) + " |"
    assert set(lines[1]) <= set("|-") and lines[1].count("---") == len(summary.columns)
    assert len(lines) == 2 + len(summary)
    for line, row in zip(lines[2:], summary.itertuples(), strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[:3] == [row.problem, row.backend, str(row.runs)]
        assert float(cells[3]) == pytest.approx(row.best_mean, rel=1e-3)
    assert cmp.to_markdown(digits=2).splitlines()[2].split("|")[4].strip() == f"{summary['best_mean'].iloc[0]:.2g}"


def test_to_csv_reads_back_with_pandas(cmp: Comparison, tmp_path: Path) -> None:
    path = tmp_path / "trials.csv"
    cmp.to_csv(path)
    back = pd.read_csv(path)
    pdt.assert_frame_equal(back, cmp.trials, check_dtype=False)


# -- reproducibility and parallel runs --------------------------------------------------------------------


def test_the_same_call_gives_the_same_trials_apart_from_timing(cmp: Comparison) -> None:
    again = _compare()
    pdt.assert_frame_equal(_untimed(again), _untimed(cmp))
    other = ut.compare(PROBLEMS, backends=BACKENDS, n_trials=N_TRIALS, seeds=range(10, 14))
    assert not np.allclose(other.trials["value"], cmp.trials["value"])  # the seeds matter: not a vacuous check


def test_n_jobs_runs_in_worker_processes_with_the_same_result(cmp: Comparison, tmp_path: Path) -> None:
    parallel = _compare(n_jobs=2)
    pdt.assert_frame_equal(_untimed(parallel), _untimed(cmp))
    pids = tmp_path / "pids"
    pids.mkdir()
    problem = Problem("where", {"x": ut.Float(0.0, 1.0)}, _PidObjective(str(pids)), optimum=0.0)
    ut.compare(problem, backends=["optuna:random"], n_trials=2, seeds=range(2), n_jobs=2)
    seen = {int(p.name) for p in pids.iterdir()}
    assert seen and os.getpid() not in seen


class _PidObjective:
    """Leaves the id of the process that evaluates it in a folder (picklable: module level)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, config: dict[str, Any]) -> float:
        (Path(self.folder) / str(os.getpid())).touch()
        return float(config["x"])


def test_an_executor_runs_the_runs_with_the_same_result(cmp: Comparison) -> None:
    with cf.ThreadPoolExecutor(max_workers=3) as pool:
        threaded = _compare(executor=pool)
    pdt.assert_frame_equal(_untimed(threaded), _untimed(cmp))


# -- failures -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_failed_run_is_reported_not_fatal(n_jobs: int) -> None:
    cmp = ut.compare(
        "branin",
        backends=["optuna:random", "hyperopt:rand"],
        n_trials=4,
        seeds=range(2),
        n_jobs=n_jobs,
        backend_options={"optuna:random": {"bogus": 1}},
    )
    failures = cmp.failures
    assert len(failures) == 2
    assert set(failures["backend"]) == {"optuna:random"} and sorted(failures["seed"]) == [0, 1]
    assert set(failures["problem"]) == {"branin"}
    assert all("BackendError" in e and "bogus" in e for e in failures["error"])
    # the other backend's runs completed
    assert set(cmp.trials["backend"]) == {"hyperopt:rand"} and len(cmp.trials) == 8
    summary = cmp.summary().set_index("backend")
    assert summary.loc["hyperopt:rand", "failed_runs"] == 0 and summary.loc["hyperopt:rand", "runs"] == 2
    assert summary.loc["optuna:random", "failed_runs"] == 2 and summary.loc["optuna:random", "runs"] == 0
    assert "2 failed runs" in repr(cmp)
    assert "optuna:random" in cmp.to_markdown()


def test_a_raising_objective_makes_failed_trials_not_a_failed_run() -> None:
    def sometimes(config: dict[str, Any]) -> float:
        if config["x"] > 0.5:
            raise RuntimeError("boom")
        return float(config["x"])

    cmp = ut.compare(
        sometimes, {"x": ut.Float(0.0, 1.0)}, backends=["optuna:random"], n_trials=12, seeds=[0], optimum=0.0
    )
    trials = cmp.trials
    assert cmp.failures.empty and len(trials) == 12
    failed = trials[trials["state"] == "failed"]
    assert 0 < len(failed) < 12 and failed["value"].isna().all()
    done = trials[trials["state"] == "complete"]
    assert (done["value"] <= 0.5).all()
    best = trials["best_so_far"].dropna()
    assert (np.diff(best) <= 0).all() and best.iloc[-1] == done["value"].min()


def test_unknown_backend_fails_before_anything_runs() -> None:
    calls: list[int] = []

    def counted(config: dict[str, Any]) -> float:
        calls.append(1)
        return float(config["x"])

    with pytest.raises(ut.BackendError, match="optuna:random"):
        ut.compare(counted, {"x": ut.Float(0.0, 1.0)}, backends=["optuna:random", "optuan:random"], n_trials=2)
    assert calls == []


# -- what compare accepts -------------------------------------------------------------------------------


def quadratic(config: dict[str, Any]) -> float:
    return float((config["x"] - 0.25) ** 2)


def test_a_bare_objective_with_its_space() -> None:
    cmp = ut.compare(quadratic, {"x": ut.Float(-1.0, 1.0)}, backends=["optuna:random"], n_trials=3, seeds=[0, 1])
    assert set(cmp.trials["problem"]) == {"quadratic"}
    assert cmp.trials["regret"].isna().all()
    summary = cmp.summary()
    assert summary["regret_mean"].isna().all() and summary["regret_median"].isna().all()
    assert summary["best_mean"].notna().all()
    assert cmp.optima == {"quadratic": None}
    with pytest.raises(ValueError, match="space"):
        ut.compare(quadratic, backends=["optuna:random"], n_trials=2)


def test_a_bare_objective_with_a_known_optimum_gets_regret() -> None:
    cmp = ut.compare(quadratic, {"x": ut.Float(-1.0, 1.0)}, backends=["hyperopt:rand"], n_trials=3, optimum=0.0)
    np.testing.assert_allclose(cmp.trials["regret"], cmp.trials["best_so_far"])


def test_a_problem_a_name_and_a_list_of_both() -> None:
    kwargs: dict[str, Any] = {"backends": ["optuna:random"], "n_trials": 2, "seeds": [0]}
    assert set(ut.compare(get("levy"), **kwargs).trials["problem"]) == {"levy2d"}
    assert set(ut.compare("six_hump_camel", **kwargs).trials["problem"]) == {"six_hump_camel"}
    problem = Problem("square", {"x": ut.Float(-1.0, 1.0)}, quadratic, optimum=0.0)
    mixed = ut.compare([problem, "branin", get("rosenbrock3d")], **kwargs)
    assert set(mixed.trials["problem"]) == {"square", "branin", "rosenbrock3d"}
    assert mixed.optima["square"] == 0.0 and mixed.trials["regret"].notna().all()
    with pytest.raises(ValueError, match="distinct"):
        ut.compare(["branin", "branin"], **kwargs)
    with pytest.raises(ValueError, match="'branin'"):
        ut.compare("brannin", **kwargs)
    with pytest.raises(TypeError):
        ut.compare([42], **kwargs)


def test_maximize_a_bare_objective() -> None:
    def score(config: dict[str, Any]) -> float:
        return -float((config["x"] - 0.3) ** 2)

    backends = ["optuna:random", "hyperopt:rand"]
    cmp = ut.compare(
        score, {"x": ut.Float(0.0, 1.0)}, backends=backends, n_trials=6, seeds=range(3), direction="maximize"
    )
    for _, run in cmp.trials.groupby(["backend", "seed"]):
        np.testing.assert_allclose(run["best_so_far"], run["value"].cummax())
    assert cmp.directions == {"score": "maximize"}
    finals = _last(cmp.trials).pivot_table(index="seed", columns="backend", values="best_so_far")
    # rank 1 goes to the higher final value
    ranks = cmp.final().pivot_table(index="seed", columns="backend", values="rank")
    higher = finals["optuna:random"] > finals["hyperopt:rand"]
    np.testing.assert_array_equal(ranks["optuna:random"] == 1.0, higher)
    row = cmp.pairwise().iloc[0]  # hyperopt:rand against optuna:random
    assert row["wins_a"] == int((finals["hyperopt:rand"] > finals["optuna:random"]).sum())
    # with a known maximum, regret is the distance below it
    known = ut.compare(
        score, {"x": ut.Float(0.0, 1.0)}, backends=["optuna:random"], n_trials=4, direction="maximize", optimum=0.0
    )
    np.testing.assert_allclose(known.trials["regret"], -known.trials["best_so_far"])


def test_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    ut.compare("branin", backends=["optuna:random"], n_trials=2, seeds=[0, 1], progress=True)
    assert "compare" in capsys.readouterr().err


# -- every built-in problem ---------------------------------------------------------------------------------

CHEAP = [n for n in names() if not n.startswith("sklearn:")]


@pytest.mark.parametrize("name", [*CHEAP, "sklearn:knn:iris"])
def test_every_problem_runs_under_compare(name: str) -> None:
    backends = ["optuna:random"] if name.startswith("sklearn:") else ["optuna:random", "hyperopt:rand"]
    cmp = ut.compare(name, backends=backends, n_trials=3, seeds=[0])
    problem = get(name)
    trials = cmp.trials
    assert cmp.failures.empty and len(trials) == 3 * len(backends)
    assert set(trials["state"]) == {"complete"} and np.isfinite(trials["value"]).all()
    optimum, direction = aim(problem)  # several objectives: the true front's hypervolume, maximized
    if optimum is None:
        assert trials["regret"].isna().all()
    else:
        sign = 1.0 if direction == "minimize" else -1.0
        counted = trials[trials["feasible"].astype(bool)] if "feasible" in trials else trials  # constraints
        assert (trials["regret"].dropna() >= 0).all() and (sign * (counted["value"] - optimum) >= -1e-9).all()
    assert len(cmp.summary()) == len(backends)
