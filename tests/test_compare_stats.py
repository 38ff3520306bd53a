"""Benchmark statistics: Demšar's worked example, the edge-case policy, Bayesmark's score, Mann-Whitney/A12, bootstrap,
rank over time and ECDF, each against a hand computation; and compare()'s random-search baseline."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scikit_posthocs
from scipy.stats import friedmanchisquare, mannwhitneyu, wilcoxon

import unitune as ut
from unitune.compare import TIMING_COLUMNS, Comparison
from unitune.compare._across import across_problems, critical_difference
from unitune.compare._scores import bootstrap_mean
from unitune.compare._within import a12_magnitude, median_ci, within_problems

COLUMNS = ["problem", "backend", "seed", "trial", "state", "value", "best_so_far", "regret", *TIMING_COLUMNS]
NO_FAILURES = pd.DataFrame(columns=["problem", "backend", "seed", "error"])

# Demšar (2006), Table 6: AUC of four C4.5 variants on 14 data sets (higher is better).
# The paper ranks voting's printed tie 0.975 / 0.975 as C4.5+cf 2, C4.5+m+cf 3 (unrounded values differ):
# 0.9752 / 0.9748 break it the same way. Every other printed tie is a tie (average ranks).
DEMSAR_BACKENDS = ["C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf"]
DEMSAR_AUC = [
    [0.763, 0.768, 0.771, 0.798],  # adult (sample)
    [0.599, 0.591, 0.590, 0.569],  # breast cancer
    [0.954, 0.971, 0.968, 0.967],  # breast cancer wisconsin
    [0.628, 0.661, 0.654, 0.657],  # cmc
    [0.882, 0.888, 0.886, 0.898],  # ionosphere
    [0.936, 0.931, 0.916, 0.931],  # iris
    [0.661, 0.668, 0.609, 0.685],  # liver disorders
    [0.583, 0.583, 0.563, 0.625],  # lung cancer
    [0.775, 0.838, 0.866, 0.875],  # lymphography
    [1.000, 1.000, 1.000, 1.000],  # mushroom
    [0.940, 0.962, 0.965, 0.962],  # primary tumor
    [0.619, 0.666, 0.614, 0.669],  # rheum
    [0.972, 0.981, 0.9752, 0.9748],  # voting (printed 0.975 / 0.975)
    [0.957, 0.978, 0.946, 0.970],  # wine
]


def demsar_losses() -> pd.DataFrame:
    return -pd.DataFrame(DEMSAR_AUC, columns=DEMSAR_BACKENDS)  # lower is better


# -- across problems: Demšar's worked example ---------------------------------------------------------------


def test_demsar_worked_example_ranks_friedman_iman_davenport_and_cd() -> None:
    result = across_problems(demsar_losses(), alpha=0.05)
    assert [round(result.ranks[b], 3) for b in DEMSAR_BACKENDS] == [3.143, 2.000, 2.893, 1.964]
    omnibus = result.omnibus.set_index("statistic")["value"]
    chi2_f = omnibus["Friedman chi2_F (Demšar 2006, no tie correction)"]
    f_f = omnibus["Iman-Davenport F_F from chi2_F (Demšar 2006)"]
    assert round(chi2_f, 2) == 9.28
    assert round(f_f, 2) == 3.69
    assert round(result.cd, 2) == 1.25 and round(critical_difference(4, 14, 0.05), 2) == 1.25
    # the tie-corrected statistic is scipy's, and it differs (the example has ties)
    scipy_chi2 = friedmanchisquare(*np.array(DEMSAR_AUC).T).statistic
    assert omnibus["Friedman chi2 (tie-corrected, scipy)"] == pytest.approx(scipy_chi2)
    assert abs(scipy_chi2 - chi2_f) > 0.5
    decides = result.omnibus[result.omnibus["decides"]]
    assert list(decides["statistic"]) == ["Iman-Davenport F_F from the tie-corrected chi2"]
    assert result.rejected and result.notes == []
    # Nemenyi's p-values are scikit-posthocs'; at alpha 0.05 no pair differs by more than CD = 1.25
    expected = scikit_posthocs.posthoc_nemenyi_friedman(demsar_losses())
    for row in result.nemenyi.itertuples():
        assert row.p_value == pytest.approx(expected.loc[row.backend_a, row.backend_b])
        assert row.significant == (row.rank_diff > result.cd)
    assert not result.nemenyi["significant"].any()


def test_demsar_at_alpha_010_c45_is_worse_than_the_two_m_variants() -> None:
    """Demšar, section 3.2.4: with CD = 1.12 at alpha 0.10, C4.5 is worse than C4.5+m and C4.5+m+cf."""
    result = across_problems(demsar_losses(), alpha=0.10)
    assert round(result.cd, 2) == 1.12
    significant = {frozenset((r.backend_a, r.backend_b)) for r in result.nemenyi.itertuples() if r.significant}
    assert significant == {frozenset(("C4.5", "C4.5+m")), frozenset(("C4.5", "C4.5+m+cf"))}


def test_wilcoxon_across_problems_is_scipys_with_holm() -> None:
    result = across_problems(demsar_losses())
    table = result.wilcoxon
    assert len(table) == 6
    losses = demsar_losses()
    p_values = []
    for row in table.itertuples():
        expected = wilcoxon(losses[row.backend_a] - losses[row.backend_b], zero_method="zsplit")
        assert row.p_value == pytest.approx(expected.pvalue) and row.statistic == pytest.approx(expected.statistic)
        diff = losses[row.backend_a] - losses[row.backend_b]
        assert (row.wins_a, row.ties, row.losses_a) == ((diff < 0).sum(), (diff == 0).sum(), (diff > 0).sum())
        p_values.append(row.p_value)
    order = np.argsort(p_values)
    holm = np.maximum.accumulate([min(1.0, (6 - i) * p_values[j]) for i, j in enumerate(order)])
    np.testing.assert_allclose(table["p_holm"].to_numpy()[order], holm)


# -- across problems: the edge-case policy -------------------------------------------------------------------


def test_two_backends_get_the_wilcoxon_test_only() -> None:
    result = across_problems(demsar_losses()[["C4.5", "C4.5+m+cf"]])
    assert result.omnibus.empty and result.nemenyi.empty and math.isnan(result.cd)
    assert len(result.wilcoxon) == 1
    assert result.wilcoxon["p_holm"].iloc[0] == pytest.approx(result.wilcoxon["p_value"].iloc[0])
    assert any("Two backends" in note for note in result.notes)


def test_too_few_problems_report_ranks_only_and_say_why() -> None:
    two = demsar_losses().iloc[:2]  # (3!)^(1-2) = 1/6 and 2^(1-2) = 1/2: no test can reach 0.05
    result = across_problems(two[["C4.5", "C4.5+m", "C4.5+cf"]])
    assert result.omnibus.empty and result.nemenyi.empty and result.wilcoxon.empty
    assert result.ranks.notna().all() and len(result.notes) == 2
    assert "(k!)^(1-N) = 0.167" in result.notes[0] and "2^(1-N) = 0.5" in result.notes[1]
    # three problems suffice for Friedman with k = 3 (1/36 < 0.05), not for Wilcoxon (1/4)
    three = across_problems(demsar_losses().iloc[:3][["C4.5", "C4.5+m", "C4.5+cf"]])
    assert len(three.omnibus) == 4 and three.wilcoxon.empty
    six = across_problems(demsar_losses().iloc[:6][["C4.5", "C4.5+m"]])  # 2^-5 < 0.05
    assert len(six.wilcoxon) == 1


def test_incomplete_blocks_are_dropped_with_a_note() -> None:
    losses = demsar_losses()
    losses.loc[3, "C4.5+cf"] = np.nan
    result = across_problems(losses)
    assert len(result.scores) == 13 and 3 not in result.scores.index
    assert result.notes[0].startswith("Dropped 1 problem(s)")
    np.testing.assert_allclose(
        result.ranks[DEMSAR_BACKENDS], across_problems(losses.drop(index=3)).ranks[DEMSAR_BACKENDS]
    )


def test_no_friedman_rejection_means_no_significant_nemenyi_pair() -> None:
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.normal(size=(8, 4)), columns=list("abcd"))
    result = across_problems(noise)
    assert not result.rejected and not result.nemenyi["significant"].any()
    assert any("does not reject" in note for note in result.notes)


def _trial_rows(
    problem: str, backend: str, seed: int, values: list[float], optimum: float | None
) -> list[dict[str, Any]]:
    rows, best = [], math.inf
    for trial, value in enumerate(values):
        best = min(best, value)
        regret = math.nan if optimum is None else best - optimum
        rows.append(
            {"problem": problem, "backend": backend, "seed": seed, "trial": trial, "state": "complete"}
            | {"value": value, "best_so_far": best, "regret": regret, "suggest_time": 0.5, "eval_time": 1.5}
            | {"overhead": 0.0, "wall_time": 0.0, "cum_time": 2.0 * (trial + 1)}
        )
    return rows


def test_a_failed_run_counts_as_the_worst_loss_in_every_test() -> None:
    rows = []
    for seed in range(3):
        rows += _trial_rows("p", "a", seed, [5.0, 1.0 + seed], optimum=0.0)
        rows += _trial_rows("p", "b", seed, [5.0, 2.0 + seed], optimum=0.0)
    failures = pd.DataFrame([{"problem": "p", "backend": "b", "seed": 3, "error": "RuntimeError: boom"}])
    rows += _trial_rows("p", "a", 3, [5.0, 4.0], optimum=0.0)
    cmp = Comparison(pd.DataFrame(rows, columns=COLUMNS), failures, {"p": 0.0})
    final = cmp.final_losses().set_index(["backend", "seed"])["loss"]
    assert final[("b", 3)] == math.inf and final[("a", 3)] == 4.0
    matrix, unit = cmp.blocks()  # no baseline: median final loss
    assert "median final loss" in unit
    assert matrix.loc["p", "b"] == pytest.approx(np.median([2.0, 3.0, 4.0, math.inf]))
    table = cmp.within_problems()
    assert table["n_b"].iloc[0] == 4
    assert table["a12"].iloc[0] == pytest.approx(
        np.mean([x < y for x in [1, 2, 3, 4] for y in [2, 3, 4, math.inf]]) + 0.5 * 3 / 16
    )


# -- within one problem: Mann-Whitney U, Holm, A12, bootstrap ----------------------------------------------------


def _runs(samples: dict[str, list[float]], problem: str = "p") -> pd.DataFrame:
    rows = [
        {"problem": problem, "backend": b, "seed": i, "loss": v} for b, vs in samples.items() for i, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


def test_mann_whitney_a12_and_holm_against_hand_computations() -> None:
    samples = {"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [6.0, 7.0, 8.0, 9.0, 10.0], "c": [1.0, 3.0, 3.0, 7.0, 11.0]}
    table, notes = within_problems(_runs(samples))
    assert notes == []
    rows = table.set_index(["backend_a", "backend_b"])
    # a against b: a always lower, U = 0, exact two-sided p = 2 / C(10, 5) = 2/252
    assert rows.loc[("a", "b"), "U"] == 0.0
    assert rows.loc[("a", "b"), "p_value"] == pytest.approx(2 / 252)
    assert rows.loc[("a", "b"), "a12"] == 1.0 and rows.loc[("a", "b"), "effect"] == "large"
    # A12 by counting: P(a < c) + 0.5 P(a = c)
    for x_name, y_name in itertools.combinations("abc", 2):
        x, y = samples[x_name], samples[y_name]
        hand = sum((xi < yi) + 0.5 * (xi == yi) for xi in x for yi in y) / (len(x) * len(y))
        assert rows.loc[(x_name, y_name), "a12"] == pytest.approx(hand)
        expected = mannwhitneyu(x, y, alternative="two-sided")
        assert rows.loc[(x_name, y_name), "p_value"] == pytest.approx(expected.pvalue)
    # Holm over the three pairs of the problem, by hand
    p = rows["p_value"].to_numpy()
    order = np.argsort(p)
    hand_holm = np.maximum.accumulate([min(1.0, (3 - i) * p[j]) for i, j in enumerate(order)])
    np.testing.assert_allclose(rows["p_holm"].to_numpy()[order], hand_holm)
    assert list(rows["significant"]) == list(rows["p_holm"] < 0.05)
    assert rows.loc[("a", "c"), "median_a"] == 3.0 and rows.loc[("a", "c"), "median_b"] == 3.0


def test_mann_whitney_holm_is_per_problem_and_small_samples_are_not_tested() -> None:
    runs = pd.concat(
        [
            _runs({"a": [1.0, 2.0, 3.0, 4.0], "b": [5.0, 6.0, 7.0, 8.0]}, "p"),
            _runs({"a": [1.0, 2.0], "b": [3.0, 4.0]}, "q"),
        ]
    )
    table, notes = within_problems(runs)
    p_row, q_row = table.iloc[0], table.iloc[1]
    assert p_row["p_holm"] == pytest.approx(p_row["p_value"]) and p_row["p_value"] == pytest.approx(
        2 / 70
    )  # one pair on p: Holm changes nothing
    assert math.isnan(q_row["p_value"]) and not q_row["significant"] and q_row["a12"] == 1.0
    assert len(notes) == 1 and "2/C(4,2) = 0.333" in notes[0]


@pytest.mark.parametrize(("a12", "label"), [(0.5, "negligible"), (0.44, "small"), (0.64, "medium"), (0.71, "large")])
def test_a12_magnitudes(a12: float, label: str) -> None:
    assert a12_magnitude(a12) == label


def _exact_bootstrap_median_quantiles(values: list[float], confidence: float) -> tuple[float, float]:
    """The percentile interval of the median from the exact bootstrap distribution (odd n, distinct values).

    The median of a resample of n draws is <= the k-th smallest value x_k when at least (n+1)/2 draws are <= x_k:
    a binomial tail with success probability k/n.
    """
    n = len(values)
    ordered = sorted(values)
    need = (n + 1) // 2
    cdf = [
        sum(math.comb(n, j) * (k / n) ** j * (1 - k / n) ** (n - j) for j in range(need, n + 1))
        for k in range(1, n + 1)
    ]
    tail = (1 - confidence) / 2
    low = next(ordered[k] for k in range(n) if cdf[k] >= tail)
    high = next(ordered[k] for k in range(n) if cdf[k] >= 1 - tail)
    return low, high


def test_bootstrap_interval_of_the_median_against_the_exact_bootstrap_distribution() -> None:
    values = [3.0, 9.0, 1.0, 7.0, 4.0, 12.0, 5.0]
    low, high = _exact_bootstrap_median_quantiles(values, 0.9)
    table = median_ci(_runs({"a": values}), confidence=0.9, n_resamples=20000)
    row = table.iloc[0]
    assert row["median"] == 5.0 and row["runs"] == 7
    assert (row["ci_low"], row["ci_high"]) == (low, high) == (3.0, 9.0)


def test_bootstrap_median_with_failed_runs_and_constant_data() -> None:
    table = median_ci(_runs({"a": [1.0, 2.0, math.inf, math.inf, math.inf], "b": [2.0, 2.0], "c": [4.0]}))
    rows = table.set_index("backend")
    assert rows.loc["a", "median"] == math.inf and rows.loc["a", "ci_high"] == math.inf
    assert rows.loc["a", "ci_low"] <= 2.0
    assert (rows.loc["b", "ci_low"], rows.loc["b", "ci_high"]) == (2.0, 2.0)
    assert math.isnan(rows.loc["c", "ci_low"])  # one run: no interval


def test_stratified_bootstrap_of_the_mean_over_problems_against_the_exact_distribution() -> None:
    """Samples [0, 1] and [0, 2]: each resample mean is 0 / mid / max w.p. 1/4, 1/2, 1/4, the statistic their average.

    P(statistic = 0) = P(statistic = 1.5) = 1/16 > 2.5 %, so the exact 95 % percentile interval is [0, 1.5].
    """
    point, low, high = bootstrap_mean([np.array([0.0, 1.0]), np.array([0.0, 2.0])], 0.95)
    assert point == 0.75 and (low, high) == (0.0, 1.5)
    assert all(math.isnan(v) for v in bootstrap_mean([np.array([0.3])])[1:])  # one value: no interval


# -- Bayesmark's normalized score on a hand-computed toy ------------------------------------------------------


def _toy(reference_optimum: float | None) -> Comparison:
    """Two problems, two backends, two seeds, three trials; a random baseline of two seeds."""
    rows, baseline = [], []
    values = {
        ("p", "a"): [[6.0, 3.0, 2.0], [5.0, 5.0, 1.0]],
        ("p", "b"): [[4.0, 4.0, 4.0], [9.0, 8.0, 7.0]],
        ("q", "a"): [[1.0, 0.5, 0.5], [2.0, 2.0, 2.0]],
        ("q", "b"): [[3.0, 1.0, 0.0], [1.0, 1.0, 1.0]],
    }
    optima = {"p": reference_optimum, "q": reference_optimum}
    for (problem, backend), runs in values.items():
        for seed, run in enumerate(runs):
            rows += _trial_rows(problem, backend, seed, run, optima[problem])
    random = {"p": [[8.0, 6.0, 10.0], [7.0, 12.0, 9.0]], "q": [[4.0, 2.0, 6.0], [3.0, 5.0, 8.0]]}
    for problem, runs in random.items():
        for seed, run in enumerate(runs):
            baseline += _trial_rows(problem, "rand", seed, run, optima[problem])
    return Comparison(
        pd.DataFrame(rows, columns=COLUMNS),
        NO_FAILURES,
        optima,
        baseline=pd.DataFrame(baseline, columns=COLUMNS),
        setup={"baseline": "rand"},
    )


def test_bayesmark_score_on_a_hand_computed_toy_with_known_optima() -> None:
    cmp = _toy(0.0)
    refs = cmp.references().set_index("problem")
    # clip: Bayesmark's median x_(ceil(n/2)) of all 6 random evaluations: p -> 3rd of 6,7,8,9,10,12 = 8
    assert refs.loc["p", "clip"] == 8.0 and refs.loc["q", "clip"] == 4.0  # q: 2,3,4,5,6,8 -> 4
    assert refs.loc["p", "opt"] == 0.0 and refs.loc["p", "opt_source"] == "known optimum"
    scores = cmp.scores(by_problem=True).set_index(["problem", "backend"])["score"]
    # final best / clip, clipped at 1, averaged over the seeds
    assert scores[("p", "a")] == pytest.approx((2 / 8 + 1 / 8) / 2)
    assert scores[("p", "b")] == pytest.approx((4 / 8 + 7 / 8) / 2)
    assert scores[("q", "a")] == pytest.approx((0.5 / 4 + 2 / 4) / 2)
    assert scores[("q", "b")] == pytest.approx((0 / 4 + 1 / 4) / 2)
    assert scores[("p", "rand")] == pytest.approx((6 / 8 + 7 / 8) / 2)
    overall = cmp.scores().set_index("backend")
    a = ((2 / 8 + 1 / 8) / 2 + (0.5 / 4 + 2 / 4) / 2) / 2
    assert overall.loc["a", "score"] == pytest.approx(a)
    assert overall.loc["a", "leaderboard"] == pytest.approx(100 * (1 - a))
    assert overall.loc["a", "ci_low"] <= a <= overall.loc["a", "ci_high"]
    assert overall.loc["rand", "baseline"] and not overall.loc["a", "baseline"]
    # the per-trial score is clipped at 1: p/b seed 1 starts at 9 > clip 8
    per_trial = cmp.normalized().set_index(["problem", "backend", "seed", "trial"])["score"]
    assert per_trial[("p", "b", 1, 0)] == 1.0 and per_trial[("p", "a", 0, 1)] == pytest.approx(3 / 8)
    matrix, unit = cmp.blocks()
    assert "mean normalized score (Bayesmark)" in unit
    assert matrix.loc["p", "b"] == pytest.approx(scores[("p", "b")])


def test_bayesmark_score_with_the_best_value_found_as_the_reference() -> None:
    cmp = _toy(None)  # optimum unknown: opt is the best value any run found (q: 0.0 by b, p: 1.0 by a), padded
    refs = cmp.references().set_index("problem")
    assert refs.loc["p", "opt"] == pytest.approx(1.0) and refs.loc["p", "opt"] < 1.0
    assert refs.loc["q", "opt"] < 0.0 and refs.loc["q", "opt"] == pytest.approx(0.0, abs=1e-300)
    assert refs.loc["p", "opt_source"].startswith("best value found")
    scores = cmp.scores(by_problem=True).set_index(["problem", "backend"])["score"]
    assert scores[("p", "a")] == pytest.approx(((2 - 1) / 7 + 0.0) / 2)
    assert scores[("p", "b")] == pytest.approx(((4 - 1) / 7 + (7 - 1) / 7) / 2)
    known = _toy(0.0)
    forced = known.references("best_found").set_index("problem")
    assert forced.loc["p", "opt"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="reference"):
        known.references("bogus")


# -- views: rank over time, ECDF, time axis ------------------------------------------------------------------------


def test_rank_over_time_on_a_constructed_table() -> None:
    rows = []
    rows += _trial_rows("p", "a", 0, [3.0, 1.0, 1.0], optimum=0.0)
    rows += _trial_rows("p", "b", 0, [2.0, 2.0, 0.5], optimum=0.0)
    rows += _trial_rows("p", "a", 1, [1.0, 1.0, 1.0], optimum=0.0)
    rows += _trial_rows("p", "b", 1, [1.0, 0.5, 0.5], optimum=0.0)
    cmp = Comparison(pd.DataFrame(rows, columns=COLUMNS), NO_FAILURES, {"p": 0.0})
    ranks = cmp.rank_over_time().pivot(index="trial", columns="backend", values="rank")
    # trial 0: seed 0 a=3 > b=2 (a 2nd), seed 1 tie (1.5 each); trial 1: seed 0 a first, seed 1 b first; trial 2: b, b
    np.testing.assert_allclose(ranks["a"], [(2 + 1.5) / 2, (1 + 2) / 2, 2.0])
    np.testing.assert_allclose(ranks["b"], [(1 + 1.5) / 2, (2 + 1) / 2, 1.0])


def test_ecdf_on_a_constructed_table_by_trials_and_by_time() -> None:
    rows = []
    rows += _trial_rows("p", "a", 0, [10.0, 1.0, 0.01], optimum=0.0)  # cum_time 2, 4, 6
    rows += _trial_rows("p", "a", 1, [0.5, 0.5, 0.5], optimum=0.0)
    cmp = Comparison(pd.DataFrame(rows, columns=COLUMNS), NO_FAILURES, {"p": 0.0})
    targets = [1.0, 0.1, 0.001]
    reached = cmp.runtimes(targets).set_index(["seed", "target"])
    assert reached.loc[(0, 1.0), "evals"] == 2 and reached.loc[(0, 0.1), "evals"] == 3
    assert reached.loc[(0, 0.001), "evals"] == math.inf and reached.loc[(1, 1.0), "evals"] == 1
    assert reached.loc[(0, 0.1), "time"] == 6.0 and reached.loc[(1, 1.0), "time"] == 2.0
    by_trials = cmp.ecdf(targets, "trials")
    # 6 (seed, target) pairs: reached within 1 trial: (1, 1.0); within 2: + (0, 1.0); within 3: + (0, 0.1)
    np.testing.assert_allclose(by_trials["fraction"], [1 / 6, 2 / 6, 3 / 6])
    by_time = cmp.ecdf(targets, "time")
    assert by_time["budget"].iloc[0] == pytest.approx(2.0) and by_time["budget"].iloc[-1] == pytest.approx(6.0)
    assert by_time["fraction"].iloc[0] == pytest.approx(1 / 6) and by_time["fraction"].iloc[-1] == pytest.approx(3 / 6)
    with pytest.raises(ValueError, match="x must be"):
        cmp.ecdf(targets, "seconds")


def test_cum_time_is_the_running_sum_of_suggestion_and_evaluation_time() -> None:
    rows = _trial_rows("p", "a", 0, [3.0, 2.0, 1.0], optimum=0.0)
    frame = pd.DataFrame(rows, columns=COLUMNS).drop(columns="cum_time")
    frame.loc[1, "eval_time"] = 10.0
    cmp = Comparison(frame, NO_FAILURES, {"p": 0.0})
    np.testing.assert_allclose(cmp.trials["cum_time"], [2.0, 12.5, 14.5])


# -- compare(): the random-search baseline, the time axis --------------------------------------------------------------


def test_compare_runs_the_baseline_when_it_is_not_a_compared_backend() -> None:
    cmp = ut.compare("branin", backends=["hyperopt:rand", "skopt:random"], n_trials=5, seeds=range(3))
    assert cmp.setup["baseline"] == "optuna:random" and "run with seeds [0, 1, 2]" in cmp.setup["baseline_source"]
    assert cmp.baseline is not None and set(cmp.baseline["backend"]) == {"optuna:random"}
    assert sorted(cmp.baseline["seed"].unique()) == [0, 1, 2] and len(cmp.baseline) == 15
    assert set(cmp.trials["backend"]) == {"hyperopt:rand", "skopt:random"}  # not a compared backend
    native = ut.minimize(
        ut.problems.get("branin"), ut.problems.get("branin").space, backend="optuna:random", n_trials=5, seed=1
    )
    run = cmp.baseline[cmp.baseline["seed"] == 1]
    np.testing.assert_allclose(run["value"], [t.value for t in native.trials])
    clip = cmp.references().loc[0, "clip"]
    assert clip == np.quantile(cmp.baseline["value"], 0.5, method="inverted_cdf")
    scores = cmp.scores()
    assert set(scores["backend"]) == {"hyperopt:rand", "skopt:random", "optuna:random"}
    assert scores["score"].between(0, 1).all()
    assert "n_trials=5" in cmp.setup["call"] and "baseline='optuna:random'" in cmp.setup["call"]


def test_compare_reuses_a_compared_baseline_and_baseline_none_has_no_score() -> None:
    reused = ut.compare("branin", backends=["optuna:random", "hyperopt:rand"], n_trials=4, seeds=range(2))
    assert reused.baseline is not None
    pd.testing.assert_frame_equal(
        reused.baseline.reset_index(drop=True),
        reused.trials[reused.trials["backend"] == "optuna:random"].reset_index(drop=True),
    )
    assert not reused.scores()["baseline"].any()  # no extra row: the baseline is a compared backend
    none = ut.compare("branin", backends=["hyperopt:rand"], n_trials=4, seeds=range(2), baseline=None)
    assert none.baseline is None and none.scores()["score"].isna().all()
    assert "median final loss" in none.blocks()[1]
    with pytest.raises(ut.BackendError, match="optuan"):
        ut.compare("branin", backends=["hyperopt:rand"], n_trials=2, baseline="optuan:random")


def test_convergence_over_time_puts_each_run_on_its_own_clock() -> None:
    rows = _trial_rows("p", "a", 0, [3.0, 2.0, 1.0], optimum=0.0)  # cum_time 2, 4, 6
    rows += _trial_rows("p", "b", 0, [3.0, 0.5, 0.5], optimum=0.0)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.loc[frame["backend"] == "b", "cum_time"] *= 10  # b is ten times slower per trial
    cmp = Comparison(frame, NO_FAILURES, {"p": 0.0})
    ax = cmp.plot(x="time").axes[0]
    assert ax.get_xscale() == "log" and "time" in ax.get_xlabel()
    lines = {line.get_label(): line for line in ax.lines}
    x = lines["a"].get_xdata()
    assert x[0] == pytest.approx(2.0) and x[-1] == pytest.approx(60.0)
    a, b = lines["a"].get_ydata(), lines["b"].get_ydata()
    at = np.searchsorted(x, 10.0)  # by 10 s, a is done (regret 1) and b has not finished its first trial
    assert a[at] == 1.0 and np.isnan(b[at])
    assert b[np.searchsorted(x, 30.0)] == 3.0
    assert np.isnan(b[0]) and b[-1] == 0.5  # nothing to draw before b's first trial ends at 20 s
    with pytest.raises(ValueError, match="x must be"):
        cmp.plot(x="seconds")
