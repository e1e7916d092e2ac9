"""Tests for helhedsplan_eval.survey (criterion TT-1, fællesskabsundersøgelsen 2017/2020).

Known answers come from /work/shared/research/survey.md §2 (T1-T7) and from the tiny fixture
``tests/fixtures/tiny/survey_*.csv``, whose answers are worked out by hand below.

Tiny fixture, hand computation
------------------------------
2017: 8 respondents; 3B and AAB 4 each, 18-29 and 65+ 4 each, 6 women and 2 men, arranged so that
each department and each age group holds 3 women and 1 man. Margins: 50/50 on every variable
(N = 100). Raking: department factor 100/8 = 12.5; age factor 1; gender: women 6·12.5 = 75 -> 50
(factor 2/3), men 2·12.5 = 25 -> 50 (factor 2). Weights: women 25/3, men 25; the department and
age margins still hold (3·25/3 + 25 = 50), so IPF stops after one pass.
Kish n_eff = 100² / (6·(25/3)² + 2·25²) = 10000 / 1666.67 = 6; deff = 8/6 = 4/3.
Index (q05 reversed as 6 - x, "ved ikke" = missing, at least 4 of 6 items):
  T17A 75, T17B 50, T17C 100, T17D (man) 25, T17E 75 (4 items: q03 = 9, q06 empty),
  T17F (man) missing (only 3 items), T17G 87.5 (27/6 -> 4.5), T17H 25.
Weighted mean = (25/3·(75+50+100+75+87.5+25) + 25·25) / (25/3·6 + 25) = 4062.5/75 = 325/6 = 54.1667;
unweighted mean = 437.5/7 = 62.5.
Linearised SE: u_i = w_i (y_i - m)/75 (0 for T17F), SE² = 8/7 Σ u_i² = 302500/1701, SE = 13.33554.
Share with index >= 75: women T17A, T17C, T17E, T17G -> 4·25/3 / 75 = 44.44 %.
Item q03 2017: "ved ikke" T17E (25/3 of 100 = 8.33 %); agree (4-5) among the others: T17A, T17C,
T17G -> 25 / (100 - 25/3) = 27.27 %.
2020: 8 respondents, one in each department x age x gender cell, margins 60/60 -> all weights 15,
so weighted = unweighted. Each person answers all index items alike (q05 mirrored):
index 75, 100, 50, 75, 100, 25, 75, 50 -> mean 68.75, sample SD² = 4687.5/7, SE = s/√8 = 9.149063;
identical items per person -> Cronbach's alpha = 1.
Difference 68.75 - 325/6 = 14.5833, SE = √(13.33554² + 9.149063²) = 16.17226, df = 7 + 7 = 14:
the CI covers 0 -> "no_detectable_change".
"""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from helhedsplan_eval import survey as sv
from helhedsplan_eval.bundle import DataBundle

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def cfg():
    return sv.load_config()


@pytest.fixture(scope="module")
def tiny_tables():
    return sv.read_survey_tables(TINY)


@pytest.fixture(scope="module")
def tiny(tiny_tables):
    return sv.analyse(tiny_tables, evaluation_year=2020)


@pytest.fixture(scope="module")
def sample_tables():
    from helhedsplan_eval.sample_survey import make_survey_tables

    return make_survey_tables(np.random.default_rng(20170901))


# --------------------------------------------------------------------------------------------
# T1/T2: raking weights, Kalton & Flores-Cervantes example (R survey tests/kalton.R)
# --------------------------------------------------------------------------------------------

KALTON_SAMPLE = [20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70]
KALTON_POP = [80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125]


def _kalton_frame():
    a = [1, 2, 3, 4] * 3  # a varies fastest (R expand.grid)
    b = [1] * 4 + [2] * 4 + [3] * 4
    cells = pd.DataFrame({"a": a, "b": b, "n": KALTON_SAMPLE, "pop": KALTON_POP})
    sample = cells.loc[cells.index.repeat(cells["n"]), ["a", "b"]].reset_index(drop=True).astype(str)
    return cells, sample


def test_t1_kalton_raking_weights():
    cells, sample = _kalton_frame()
    margins = {"a": cells.groupby("a")["pop"].sum().rename(str).to_dict(),
               "b": cells.groupby("b")["pop"].sum().rename(str).to_dict()}
    margins = {k: {str(c): v for c, v in m.items()} for k, m in margins.items()}
    res = sv.rake(sample, margins, tol=1e-10)
    assert res.converged
    w = pd.Series(res.weights).groupby([sample["a"], sample["b"]]).first().unstack()
    expected = np.array([[1.81, 1.45, 2.02], [1.08, 0.87, 1.21], [2.20, 1.76, 2.45], [1.83, 1.47, 2.04]])
    np.testing.assert_allclose(w.to_numpy(), expected, atol=0.005 + 1e-12)
    # weights are constant within cells and reproduce both margins
    assert pd.Series(res.weights).groupby([sample["a"], sample["b"]]).nunique().max() == 1
    for var, m in margins.items():
        got = pd.Series(res.weights).groupby(sample[var]).sum()
        for k, v in m.items():
            assert got[k] == pytest.approx(v, rel=1e-8)


def test_t2_poststratification_is_pop_over_sample():
    cells, sample = _kalton_frame()
    sample = sample.assign(ab=sample["a"] + "x" + sample["b"])
    pop = {f"{a}x{b}": p for a, b, p in zip(cells["a"], cells["b"], cells["pop"])}
    res = sv.rake(sample, {"ab": pop})
    w = pd.Series(res.weights).groupby([sample["a"], sample["b"]]).first().unstack()
    # Table A of the R test, exact ratios: a1b3 = 55/40 = 1.375
    expected = np.array([[80 / 20, 40 / 40, 55 / 40], [60 / 50, 150 / 140, 340 / 310],
                         [170 / 100, 60 / 50, 200 / 50], [55 / 30, 165 / 100, 125 / 70]])
    np.testing.assert_allclose(w.to_numpy(), expected, rtol=1e-12)
    printed = np.array([[4.00, 1.00, 1.38], [1.20, 1.07, 1.10], [1.70, 1.20, 4.00], [1.83, 1.65, 1.79]])
    np.testing.assert_allclose(w.to_numpy(), printed, atol=0.0051)


def test_raking_bounds_respected_and_margins_met():
    rng = np.random.default_rng(3)
    n = 400
    s = pd.DataFrame({"d": rng.choice(list("abc"), n, p=[0.5, 0.3, 0.2]),
                      "g": rng.choice(list("xy"), n, p=[0.7, 0.3])})
    margins = {"d": {"a": 1000, "b": 1000, "c": 1000}, "g": {"x": 1500, "y": 1500}}
    free = sv.rake(s, margins)
    wbar = 3000 / n
    assert free.weights.max() > 3.0 * wbar  # unbounded raking exceeds the bound here
    res = sv.rake(s, margins, bounds=(0.3, 3.0))
    assert res.n_at_bound > 0
    assert res.weights.min() >= 0.3 * wbar - 1e-9
    assert res.weights.max() <= 3.0 * wbar + 1e-9
    assert res.converged
    assert pd.Series(res.weights).groupby(s["d"]).sum()["c"] == pytest.approx(1000, rel=1e-6)
    # bounds that cannot be met: reported as not converged
    tight = sv.rake(s, margins, bounds=(0.9, 1.1), max_iter=200)
    assert not tight.converged


def test_wave_weights_drops_unreachable_margin_with_note(cfg):
    s = pd.DataFrame({"department": ["3B", "3B", "AAB", "AAB"], "age_group": ["18-29", "65+", "18-29", "65+"],
                      "gender": ["kvinde", "mand", "kvinde", "mand"]})
    m = {"department": {"3B": 50, "AAB": 40, "fsb": 10}, "age_group": {"18-29": 50, "65+": 50},
         "gender": {"kvinde": 50, "mand": 50}}
    res = sv.wave_weights(s, m, cfg, label="2017")
    assert "department" not in res.variables
    assert any("fsb" in n for n in res.notes)
    assert res.weights.sum() == pytest.approx(100)
    with pytest.raises(sv.SurveyDataError, match="no population count"):
        sv.wave_weights(s, {**m, "gender": {"kvinde": 100}}, cfg, label="2017")
    with pytest.raises(sv.SurveyDataError, match="differs"):
        sv.wave_weights(s, {**m, "gender": {"kvinde": 80, "mand": 80}}, cfg, label="2017")


# --------------------------------------------------------------------------------------------
# T3: linearised SE identities, and the DescrStatsW pitfall
# --------------------------------------------------------------------------------------------


def test_t3_linearised_se_equals_statsmodels_sandwich():
    import statsmodels.api as sm

    rng = np.random.default_rng(42)
    n = 300
    y = rng.normal(3, 1.2, n)
    w = rng.uniform(0.5, 4.0, n)
    w = w / w.sum() * 4100
    m, se, nn, df = sv.linearised_mean(y, w)
    ones = np.ones(n)
    wls = sm.WLS(y, ones, weights=w).fit(cov_type="HC1")
    glm = sm.GLM(y, ones, var_weights=w).fit(cov_type="HC0")
    assert m == pytest.approx(wls.params[0], rel=1e-10)
    assert se == pytest.approx(wls.bse[0], rel=1e-10)
    assert se == pytest.approx(glm.bse[0] * math.sqrt(n / (n - 1)), rel=1e-10)
    assert (nn, df) == (n, n - 1)


def test_t3_pitfall_descrstatsw_is_too_small():
    from statsmodels.stats.weightstats import DescrStatsW

    rng = np.random.default_rng(7)
    n, N = 300, 4100
    y = rng.normal(3, 1.2, n)
    w = rng.uniform(0.5, 4.0, n)
    w = w / w.sum() * N
    _, se, _, _ = sv.linearised_mean(y, w)
    wrong = DescrStatsW(y, weights=w).std_mean
    assert se / wrong > 0.8 * math.sqrt(N / n)  # about sqrt(N/n) = 3.7 times too small


def test_equal_weights_se_is_sd_over_root_n():
    y = np.array([75, 100, 50, 75, 100, 25, 75, 50], float)
    _, se, _, _ = sv.linearised_mean(y, np.full(8, 15.0))
    assert se == pytest.approx(math.sqrt(4687.5 / 7 / 8), rel=1e-12)


def test_domain_estimation_keeps_nonrespondents_with_zero_influence():
    # y missing for one of 4: n_all = 4 in the n/(n-1) factor (as R svymean(na.rm=TRUE))
    y = np.array([1.0, 2.0, 3.0, np.nan])
    m, se, n, df = sv.linearised_mean(y, np.ones(4))
    u = (np.array([1, 2, 3]) - 2) / 3
    assert m == 2
    assert se == pytest.approx(math.sqrt(4 / 3 * np.sum(u ** 2)), rel=1e-12)
    assert (n, df) == (3, 3)


# --------------------------------------------------------------------------------------------
# T4: xlogit CI
# --------------------------------------------------------------------------------------------


def test_t4_xlogit_ci():
    lo, hi = sv.xlogit_ci(0.41454475536249225, 0.03201585146346002, 299)
    assert lo == pytest.approx(0.3532436312, rel=1e-6)
    assert hi == pytest.approx(0.4786115806, rel=1e-6)


def test_share_ci_at_boundary_is_finite():
    e = sv.weighted_share(np.ones(20), np.ones(20))
    assert e.value == 100 and e.ci_high == 100 and 70 < e.ci_low < 100


# --------------------------------------------------------------------------------------------
# T5: Cronbach's alpha
# --------------------------------------------------------------------------------------------

# pingouin's "cronbach_alpha" example data set (15 subjects x 10 items), from
# raphaelvallat/pingouin, pingouin/datasets/cronbach_alpha.csv, transposed to wide form.
PINGOUIN_ALPHA = {
    "Q1": [3, 5, 7, 2, 6, 1, 4, 2, 6, 5, 4, 4, 5, 6, 4],
    "Q2": [2, 4, 3, 4, 5, 2, 3, 4, 5, 4, 3, 2, 5, 5, 3],
    "Q3": [4, 6, 5, 3, 6, 3, 5, 4, 5, 6, 5, 3, 6, 5, 5],
    "Q4": [1, 3, 5, 3, 5, 4, 3, 3, 5, 4, 2, 2, 2, 4, 5],
    "Q5": [4, 5, 6, 2, 4, 2, 5, 7, 1, 3, 5, 5, 3, 2, 3],
    "Q6": [5, 1, 4, 2, 4, 5, 2, 2, 6, 5, 3, 3, 3, 2, 1],
    "Q7": [1, 2, 3, 2, 4, 2, 1, 2, 5, 3, 2, 4, 2, 1, 3],
    "Q8": [4, 5, 3, 6, 6, 3, 2, 4, 2, 1, 3, 2, 4, 4, 2],
    "Q9": [3, 5, 6, 6, 7, 5, 4, 6, 3, 7, 4, 3, 4, 6, 3],
    "Q10": [2, 5, 5, 3, 5, 2, 3, 5, 2, 2, 1, 4, 5, 5, 4],
}


def test_t5_cronbach_alpha_pingouin_example():
    a, (lo, hi), n = sv.cronbach_alpha(pd.DataFrame(PINGOUIN_ALPHA))
    assert a == pytest.approx(0.591719, abs=5e-7)
    assert (round(lo, 3), round(hi, 3)) == (0.195, 0.840)
    assert n == 15


def test_t5_cronbach_alpha_hand_example_and_identical_items():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [1, 3, 2, 5, 4]})
    a, _, _ = sv.cronbach_alpha(df)
    assert a == pytest.approx(1.5 * (1 - 7.5 / 17), rel=1e-9)
    assert a == pytest.approx(0.838235, abs=1e-6)
    same = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [1, 2, 3, 4, 5]})
    assert sv.cronbach_alpha(same)[0] == pytest.approx(1.0)


def test_cronbach_alpha_pairwise_vs_listwise():
    df = pd.DataFrame(PINGOUIN_ALPHA)
    # without missing values the two policies agree
    assert sv.cronbach_alpha(df, "pairwise")[0] == pytest.approx(sv.cronbach_alpha(df, "listwise")[0])
    miss = df.astype(float).copy()
    miss.iloc[0, 0] = np.nan
    a_list, _, n_list = sv.cronbach_alpha(miss, "listwise")
    assert n_list == 14
    assert a_list == pytest.approx(sv.cronbach_alpha(df.iloc[1:])[0])


# --------------------------------------------------------------------------------------------
# T6/T7: Holm and Cohen's h
# --------------------------------------------------------------------------------------------


def test_t6_holm_explicit_not_holm_sidak():
    from statsmodels.stats.multitest import multipletests

    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(sv.holm(p), [0.03, 0.06, 0.06, 0.02], rtol=1e-9)
    # the statsmodels default is Holm-Sidak, which would give other numbers
    np.testing.assert_allclose(multipletests(p)[1], [0.029701, 0.0591, 0.0591, 0.0198505], rtol=1e-5)
    # NaN p-values stay NaN and do not count in the family
    np.testing.assert_allclose(sv.holm([0.01, np.nan, 0.04]), [0.02, np.nan, 0.04])


def test_t7_cohens_h():
    assert sv.cohens_h(0.5, 0.4) == pytest.approx(0.2013579, abs=1e-7)


# --------------------------------------------------------------------------------------------
# Rank test, raking-adjusted SE
# --------------------------------------------------------------------------------------------


def test_rank_test_probability_of_superiority_matches_mann_whitney():
    rng = np.random.default_rng(11)
    a = rng.integers(1, 6, 40).astype(float)
    b = rng.integers(2, 6, 35).astype(float)
    r = sv.rank_test(a, np.ones(40), b, np.ones(35))
    u = st.mannwhitneyu(b, a).statistic
    assert r["prob_superiority"] == pytest.approx(u / (40 * 35), rel=1e-12)
    # equal weights: mean rank score difference = difference in mean mid-ranks / N
    ranks = st.rankdata(np.concatenate([a, b]))
    assert r["diff"] == pytest.approx((ranks[40:].mean() - ranks[:40].mean()) / 75, rel=1e-12)


def test_rake_adjusted_se_vanishes_when_y_is_explained_by_margins():
    s = pd.DataFrame({"department": ["a"] * 30 + ["b"] * 20})
    y = np.where(s["department"] == "a", 40.0, 70.0)
    w = np.where(s["department"] == "a", 2.0, 3.0)
    assert sv.linearised_mean(y, w)[1] > 1
    assert sv.rake_adjusted_se(y, w, s, ["department"]) == pytest.approx(0, abs=1e-9)


# --------------------------------------------------------------------------------------------
# Decision rule
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("diff,lo,hi,code,meaningful", [
    (6.0, 1.0, 11.0, "stronger", True),
    (2.0, 0.5, 3.5, "stronger", False),
    (1.0, -1.0, 3.0, "no_detectable_change", False),
    (-4.0, -7.0, -1.0, "weaker", False),
    (float("nan"), float("nan"), float("nan"), "missing", False),
])
def test_decision_rule(diff, lo, hi, code, meaningful):
    d = sv.decide(diff, lo, hi, 5.0)
    assert d["code"] == code
    assert d["meaningful"] == meaningful
    assert d["stronger"] == (code == "stronger")


def test_decision_rule_ci_touching_zero_is_not_stronger():
    assert sv.decide(3.0, 0.0, 6.0, 5.0)["code"] == "no_detectable_change"


# --------------------------------------------------------------------------------------------
# Tiny fixture: hand-computed answers (see module docstring)
# --------------------------------------------------------------------------------------------


def test_tiny_weights_and_kish(tiny):
    w17 = tiny.waves[2017]
    women = (w17.data["gender"] == "kvinde").to_numpy()
    np.testing.assert_allclose(w17.weights[women], 25 / 3, rtol=1e-12)
    np.testing.assert_allclose(w17.weights[~women], 25.0, rtol=1e-12)
    assert w17.rake.converged and w17.rake.iterations == 1
    assert w17.rake.n_eff == pytest.approx(6.0)
    assert w17.rake.deff == pytest.approx(4 / 3)
    np.testing.assert_allclose(tiny.waves[2020].weights, 15.0, rtol=1e-12)


def test_tiny_index_scores(tiny):
    idx = dict(zip(tiny.waves[2017].data["respondent_id"], tiny.waves[2017].index))
    assert idx["T17A"] == 75 and idx["T17B"] == 50 and idx["T17C"] == 100 and idx["T17D"] == 25
    assert idx["T17E"] == 75          # 4 items answered (q03 "ved ikke", q06 empty)
    assert math.isnan(idx["T17F"])    # only 3 items answered < min_answered = 4
    assert idx["T17G"] == 87.5 and idx["T17H"] == 25


def test_tiny_weighted_index_and_se(tiny):
    r17, r20 = tiny.index.loc[2017], tiny.index.loc[2020]
    assert r17["value"] == pytest.approx(325 / 6, rel=1e-12)
    assert r17["se"] == pytest.approx(math.sqrt(302500 / 1701), rel=1e-10)
    assert r17["unweighted"] == pytest.approx(62.5)
    assert r17["n"] == 7 and r17["df"] == 7
    assert r20["value"] == pytest.approx(68.75)
    assert r20["se"] == pytest.approx(9.149063, abs=1e-6)
    assert tiny.strong.loc[2017, "value"] == pytest.approx(400 / 9, rel=1e-12)
    assert tiny.strong.loc[2020, "value"] == pytest.approx(62.5)


def test_tiny_difference_and_decision(tiny):
    d = tiny.index_diff
    assert d.diff == pytest.approx(68.75 - 325 / 6, rel=1e-12)
    assert d.se == pytest.approx(16.17226, abs=1e-5)
    assert d.df == 14
    t = 2.1447866879169273  # t(0.975, 14)
    assert d.ci_low == pytest.approx(d.diff - t * 16.172258, abs=1e-4)
    assert d.ci_high == pytest.approx(d.diff + t * 16.172258, abs=1e-4)
    assert tiny.decision["code"] == "no_detectable_change"


def test_tiny_items(tiny):
    it = tiny.items
    assert it.loc["q01", "agree_2017"] == pytest.approx(100 / 3)
    assert it.loc["q03", "dk_2017"] == pytest.approx(100 / 12)
    assert it.loc["q03", "agree_2017"] == pytest.approx(25 / (100 - 25 / 3) * 100)
    assert it.loc["q03", "n_2017"] == 7 and it.loc["q03", "n_answered_2017"] == 8
    assert tiny.alpha.loc[2020, "alpha"] == pytest.approx(1.0)
    # Holm is applied within the fællesskab family only
    fam = it[it["family"] == "faellesskab"]
    np.testing.assert_allclose(fam["p_holm"], sv.holm(fam["p_value"]))


def test_tiny_robustness(tiny):
    rob = tiny.robustness
    assert rob.loc["unweighted", "diff"] == pytest.approx(68.75 - 62.5)
    # 2020 margins are proportional to 2017's (50/50 everywhere): reweighting changes nothing
    assert rob.loc["reweighted_to_baseline", "diff"] == pytest.approx(tiny.index_diff.diff)
    assert set(rob.index) == {"weighted", "unweighted", "reweighted_to_baseline", "rank_test"}


def test_before_end_wave_only_baseline(tiny_tables):
    an = sv.analyse(tiny_tables, evaluation_year=2018)
    assert list(an.waves) == [2017]
    assert math.isnan(an.index_diff.diff)
    assert an.decision["code"] == "missing"
    h = sv.headline(an)
    assert "ikke aktuel endnu" in h and "54,2" in h


def test_missing_end_wave_is_nan_not_zero(tiny_tables):
    t = dict(tiny_tables)
    t["survey_responses"] = t["survey_responses"][t["survey_responses"]["wave"] == "2017"]
    an = sv.analyse(t, evaluation_year=2020)
    assert 2020 not in an.index.index
    assert math.isnan(an.index_diff.diff)
    assert "afventer data" in sv.headline(an)


# --------------------------------------------------------------------------------------------
# Board tables: Danish, disclosure control, never "nan"
# --------------------------------------------------------------------------------------------


def _all_text(df: pd.DataFrame) -> str:
    return " ".join(map(str, df.columns)) + " " + " ".join(map(str, df.index)) + " " + \
        " ".join(df.astype(str).to_numpy().ravel())


def test_board_tables_have_no_nan_and_suppress_small_groups(tiny):
    for min_cell in (5, 10):
        for f in (sv.summary_table, sv.item_table, sv.methods_table, sv.margins_table, sv.department_table):
            df = f(tiny, min_cell=min_cell)
            assert not re.search(r"\bnan\b", _all_text(df).lower()), f.__name__
        txt = _all_text(sv.item_table(tiny, min_cell=min_cell))
        if min_cell == 10:   # every item has fewer than 10 answers: no percentages at all
            assert "%" not in txt.replace("95 %", "")
            assert "<10" in txt
    dep = sv.department_table(tiny)
    assert (dep.filter(like="Indeks") == "for få svar").all().all()
    assert not re.search(r"\bnan\b", _all_text(sv.robustness_table(tiny)).lower())
    assert "T17A" not in _all_text(sv.item_table(tiny)) + _all_text(sv.methods_table(tiny))


def test_headline_states_result_in_danish(tiny):
    h = sv.headline(tiny)
    assert h.startswith("Der kan ikke påvises en ændring")
    assert "54,2" in h and "68,8" in h and "+14,6 point" in h


def test_chart_data_and_plots(tiny):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lk = sv.likert_chart_data(tiny)
    np.testing.assert_allclose(lk[[1, 2, 3, 4, 5]].sum(axis=1), 100)
    assert set(lk["wave"]) == {2017, 2020}
    assert lk[(lk["item"] == "q08") & (lk["wave"] == 2017)].empty is False
    dd = sv.difference_chart_data(tiny, min_cell=7)
    assert not ((dd["n"] < 7).any())
    for f in (sv.plot_likert, sv.plot_differences):
        fig = f(tiny)
        assert fig is not None
        plt.close(fig)


# --------------------------------------------------------------------------------------------
# Input validation: clear messages
# --------------------------------------------------------------------------------------------


def test_validation_messages_name_file_row_column_value(tiny_tables, cfg):
    r = tiny_tables["survey_responses"].copy()
    r.loc[2, "q04"] = "6"
    with pytest.raises(sv.SurveyDataError) as e:
        sv.validate_responses(r, cfg)
    msg = str(e.value)
    assert "survey_responses.csv" in msg and "row 4" in msg and "'q04'" in msg and "'6'" in msg and "expected" in msg
    r = tiny_tables["survey_responses"].copy()
    r.loc[0, "department"] = "KAB"
    with pytest.raises(sv.SurveyDataError, match="row 2, column 'department': value 'KAB'"):
        sv.validate_responses(r, cfg)
    r = tiny_tables["survey_responses"].copy()
    r.loc[1, "wave"] = "2019"
    with pytest.raises(sv.SurveyDataError, match="column 'wave'"):
        sv.validate_responses(r, cfg)
    r = tiny_tables["survey_responses"].drop(columns=["q02"])
    with pytest.raises(sv.SurveyDataError, match="missing column"):
        sv.validate_responses(r, cfg)
    r = tiny_tables["survey_responses"].copy()
    r.loc[1, "respondent_id"] = r.loc[0, "respondent_id"]
    with pytest.raises(sv.SurveyDataError, match="once per wave"):
        sv.validate_responses(r, cfg)
    m = tiny_tables["survey_margins"].copy()
    m.loc[0, "population"] = "mange"
    with pytest.raises(sv.SurveyDataError, match="survey_margins.csv, row 2, column 'population'"):
        sv.validate_margins(m, cfg)


def test_mode_is_optional(tiny_tables, cfg):
    out = sv.validate_responses(tiny_tables["survey_responses"].drop(columns=["mode"]), cfg)
    assert out["mode"].isna().all()
    an = sv.analyse({**tiny_tables, "survey_responses": tiny_tables["survey_responses"].drop(columns=["mode"])})
    assert sv.methods_table(an).loc["Svarform"].tolist() == [sv.MISSING, sv.MISSING]
    assert an.index.loc[2017, "value"] == pytest.approx(325 / 6)


def test_validation_accepts_numeric_frames(tiny_tables, cfg):
    r = tiny_tables["survey_responses"].copy()
    r["wave"] = r["wave"].astype(int)
    for q in cfg.items:
        r[q] = pd.to_numeric(r[q]).astype("Int64")
    out = sv.validate_responses(r, cfg)
    assert out["q05"].isna().sum() == 1 and (out["q03"] == 9).sum() == 1


# --------------------------------------------------------------------------------------------
# The registered indicator
# --------------------------------------------------------------------------------------------


def test_indicator_series(tiny_tables):
    pytest.importorskip("helhedsplan_eval.status")
    b = DataBundle.from_frames(tiny_tables)
    s = sv.faellesskab_index(b, [2017, 2018, 2019, 2020])
    assert list(s.data.index) == [2017, 2020]
    assert s.data.loc[2017, "value"] == pytest.approx(325 / 6)
    assert s.data.loc[2020, "n"] == 8
    assert s.extra["diff"] == pytest.approx(68.75 - 325 / 6)
    assert s.extra["min_meaningful"] == 5.0 and "indekspoint" in s.extra["unit_label"]
    assert not s.source_missing
    early = sv.faellesskab_index(b, [2017, 2018])
    assert math.isnan(early.data.loc[2020, "value"]) and math.isnan(early.extra["diff"])
    gone = sv.faellesskab_index(DataBundle.from_frames({}), [2017, 2020])
    assert gone.source_missing and gone.data["value"].isna().all()


def test_indicator_registered():
    from helhedsplan_eval.registry import INDICATOR_SOURCES, INDICATORS

    assert INDICATORS["faellesskab_index"] is sv.faellesskab_index
    assert INDICATOR_SOURCES["faellesskab_index"] == ("survey_responses", "survey_margins")


# --------------------------------------------------------------------------------------------
# Synthetic sample data
# --------------------------------------------------------------------------------------------


def test_sample_tables_follow_contract(sample_tables, cfg):
    r = sv.validate_responses(sample_tables["survey_responses"], cfg)
    m = sv.validate_margins(sample_tables["survey_margins"], cfg)
    w = sv.validate_waves(sample_tables["survey_waves"])
    n = r.groupby("wave").size()
    assert set(n.index) == {2017, 2020} and (n > 250).all() and (n < 700).all()
    pop = m[m["variable"] == "department"].groupby("wave")["population"].sum()
    assert ((pop > 3900) & (pop < 4300)).all()
    assert (w["responded"] == n.loc[w["wave"]].to_numpy()).all()
    dk = (r[cfg.items] == 9).mean()
    assert (dk > 0.01).all() and (dk < 0.2).all()
    # non-response skewed by age: 65+ over-represented among respondents
    r17, m17 = r[r["wave"] == 2017], m[(m["wave"] == 2017) & (m["variable"] == "age_group")]
    assert (r17["age_group"] == "65+").mean() > m17.set_index("category")["population"]["65+"] / m17["population"].sum()


def test_sample_weighting_matters(sample_tables):
    an = sv.analyse(sample_tables, 2020)
    assert abs(an.index.loc[2017, "value"] - an.index.loc[2017, "unweighted"]) > 1.0
    assert all(wd.rake.converged for wd in an.waves.values())
    assert (an.alpha["alpha"] > 0.7).all()
    assert set(an.decision) >= {"code", "text"}


# --------------------------------------------------------------------------------------------
# Simulation: the 95 % CI of the difference covers the true difference about 95 % of the time
# --------------------------------------------------------------------------------------------


def test_ci_of_difference_covers_truth_about_95_percent():
    rng = np.random.default_rng(2024)
    deps, ages = ["3B", "AAB", "ABG"], ["18-29", "30-49", "65+"]
    mu_dep = {"3B": 0.0, "AAB": -4.0, "ABG": 3.0}
    mu_age = {"18-29": -6.0, "30-49": 0.0, "65+": 7.0}
    resp_dep = {"3B": 0.30, "AAB": 0.15, "ABG": 0.25}    # response propensity = dep x age factors
    resp_age = {"18-29": 0.4, "30-49": 0.7, "65+": 1.0}
    shift, sd = 3.0, 18.0
    comp = {2017: {"3B": [400, 500, 300], "AAB": [350, 300, 250], "ABG": [200, 300, 400]},
            2020: {"3B": [450, 500, 250], "AAB": [400, 300, 200], "ABG": [250, 300, 350]}}
    cells = {wv: [(d, a, comp[wv][d][j]) for d in deps for j, a in enumerate(ages)] for wv in comp}

    def true_mean(wv):
        tot = sum(c for _, _, c in cells[wv])
        return sum(c * (mu_dep[d] + mu_age[a]) for d, a, c in cells[wv]) / tot + (shift if wv == 2020 else 0)

    truth = true_mean(2020) - true_mean(2017)
    margins = {wv: {"d": {d: sum(c for dd, _, c in cells[wv] if dd == d) for d in deps},
                    "a": {a: sum(c for _, aa, c in cells[wv] if aa == a) for a in ages}} for wv in comp}
    reps, hits = 400, 0
    t0 = time.time()
    for _ in range(reps):
        est = {}
        for wv in (2017, 2020):
            parts = []
            for d, a, c in cells[wv]:
                k = rng.binomial(c, resp_dep[d] * resp_age[a])
                y = 50 + mu_dep[d] + mu_age[a] + (shift if wv == 2020 else 0) + rng.normal(0, sd, k)
                parts.append(pd.DataFrame({"d": d, "a": a, "y": y}))
            s = pd.concat(parts, ignore_index=True)
            w = sv.rake(s, margins[wv]).weights
            est[wv] = sv.weighted_mean(s["y"].to_numpy(), w)
        diff = sv.difference(est[2017], est[2020])
        hits += diff.ci_low <= truth <= diff.ci_high
    cover = hits / reps
    assert 0.92 <= cover <= 0.98, cover
    assert time.time() - t0 < 20


# --------------------------------------------------------------------------------------------
# The notebook (built by tools/notebooks/build_faellesskabsundersoegelse.py)
# --------------------------------------------------------------------------------------------


def test_notebook_structure():
    import importlib.util

    import nbformat

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "build_faelles", root / "tools" / "notebooks" / "build_faellesskabsundersoegelse.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    built = mod.build()
    committed = nbformat.read(root / "notebooks" / "faellesskabsundersoegelse.ipynb", as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], "rebuild the notebook"
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source == ('evaluation_year: int = 2020  # evaluationsår\n'
                              'data_dir: str = "../data/sample"  # datamappe\n'
                              'min_cell: int = 5  # mindste viste antal personer (diskretionering)')
    assert code[1].source.startswith("from helhedsplan_eval.report import check_parameters, data_banner")
    assert "check_parameters(evaluation_year, data_dir, min_cell)" in code[1].source
    assert "data_banner(data_dir)" in code[1].source
    for c in code:
        assert "def " not in c.source and "lambda" not in c.source
        assert not c.get("outputs")
        if ".style" in c.source:
            assert "set_uuid(" in c.source
        if "plot_" in c.source:
            assert c.source.rstrip().endswith("plt.show()")


def test_corrected_item_total_two_items_is_their_correlation():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    r = sv.corrected_item_total(df)
    assert r["a"] == pytest.approx(0.8) and r["b"] == pytest.approx(0.8)  # Pearson r = 8/10
