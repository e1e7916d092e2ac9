"""Tests for helhedsplan_eval.analysis.survey (criterion TT-1, fællesskabsundersøgelsen 2017/2020).

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

Calibration (raking) SE, the primary one since issue 10: the influence values are projected off
the raking margins. 2020 by hand (balanced 2x2x2, weights 15): department, age and gender main
effects are each +-6,25 around 68,75, so the residuals per cell are -12,5, 25, -25, 12,5, 25,
-37,5, 12,5, 0 (sum of squares 3750); u = e/8, SE² = 8/7 · 3750/64 = 3750/56, SE = 8,183170
(against the fixed-weight 9,149063). 2017 is checked against R's own algorithm (centring within
each margin in turn, iterated), written out in the test.
The tiny fixture is flagged as unreliable (as it must be): 2017 has only 2 men, who carry 25 % of
the weight each, and every raking category has fewer than 10 respondents.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from helhedsplan_eval.analysis import survey as sv
from helhedsplan_eval.data.bundle import DataBundle

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
    from helhedsplan_eval.data.sample_survey import make_survey_tables

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


def test_decision_texts_name_the_plans_own_waves():
    # the waves come from survey.yml: a plan surveying in 2022 and 2025 reads its own years, never another plan's
    assert sv.decide(6.0, 1.0, 11.0, 5.0, [2022, 2025])["text"].startswith(
        "Fællesskabet opleves som stærkere i 2025 end i 2022: ")
    assert sv.decide(-4.0, -7.0, -1.0, 5.0, [2025, 2022])["text"].startswith(
        "Fællesskabet opleves som svagere i 2025 end i 2022: ")
    assert sv.decide(1.0, -1.0, 3.0, 5.0, [2022, 2025])["text"] == (
        "Der kan ikke påvises en ændring fra 2022 til 2025: sikkerhedsintervallet indeholder 0.")
    assert "den første til den sidste måling" in sv.decide(1.0, -1.0, 3.0, 5.0)["text"]


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
    assert r17["se_fixed"] == pytest.approx(math.sqrt(302500 / 1701), rel=1e-10)
    assert r17["se"] == pytest.approx(_backfitted_se(tiny.waves[2017]), rel=1e-9)
    assert r17["se"] < r17["se_fixed"]
    assert r17["unweighted"] == pytest.approx(62.5)
    assert r17["n"] == 7 and r17["df"] == 7
    assert r20["value"] == pytest.approx(68.75)
    assert r20["se_fixed"] == pytest.approx(9.149063, abs=1e-6)
    assert r20["se"] == pytest.approx(math.sqrt(3750 / 56), rel=1e-12)
    assert tiny.strong.loc[2017, "value"] == pytest.approx(400 / 9, rel=1e-12)
    assert tiny.strong.loc[2020, "value"] == pytest.approx(62.5)


def test_tiny_difference_and_decision(tiny):
    d = tiny.index_diff
    assert d.diff == pytest.approx(68.75 - 325 / 6, rel=1e-12)
    se = math.hypot(_backfitted_se(tiny.waves[2017]), math.sqrt(3750 / 56))
    assert d.se == pytest.approx(se, rel=1e-9)
    assert d.df == 14
    t = 2.1447866879169273  # t(0.975, 14)
    assert d.ci_low == pytest.approx(d.diff - t * se, rel=1e-9)
    assert d.ci_high == pytest.approx(d.diff + t * se, rel=1e-9)
    assert tiny.decision["code"] == "no_detectable_change"
    # the fixed-weight difference stays visible beside it
    f = tiny.index_diff_fixed
    assert f.se == pytest.approx(16.17226, abs=1e-5)
    assert f.ci_low == pytest.approx(f.diff - t * 16.172258, abs=1e-4)


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
    assert set(rob.index) == {"weighted", "weighted_fixed_se", "unweighted", "reweighted_to_baseline", "rank_test"}
    assert rob.loc["weighted_fixed_se", "ci_low"] == pytest.approx(tiny.index_diff_fixed.ci_low)


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


def test_headline_states_result_in_danish(tiny, tiny_tables, tmp_path):
    # the tiny fixture is flagged: the headline leads with the reason, then the figures
    h = sv.headline(tiny)
    assert h.startswith("Sammenligningen kan ikke vurderes pålideligt (begrundelsen står nedenfor). ")
    assert "54,2" in h and "68,8" in h and "+14,6 point" in h
    # with thresholds that the 8 respondents meet, the verdict leads
    relaxed = _cfg(tmp_path, reliability={"max_weight_share": 0.5, "min_respondents_per_category": 1})
    h = sv.headline(sv.analyse(tiny_tables, 2020, cfg=relaxed))
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
    pytest.importorskip("helhedsplan_eval.analysis.status")
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
    from helhedsplan_eval.analysis.registry import INDICATOR_SOURCES, INDICATORS

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
    reps, hits, hits_fixed, ratio = 400, 0, 0, []
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
            est[wv] = sv.weighted_mean(s["y"].to_numpy(), w, groups=s[["d", "a"]])
        diff = sv.difference(est[2017], est[2020])
        hits += diff.ci_low <= truth <= diff.ci_high
        fixed = sv.difference(sv._fixed(est[2017]), sv._fixed(est[2020]))
        hits_fixed += diff.diff - 1.96 * fixed.se <= truth <= diff.diff + 1.96 * fixed.se
        ratio.append(fixed.se / diff.se)
    cover = hits / reps
    # the calibration SE (primary) gives nominal coverage; the fixed-weight SE is larger here
    assert 0.92 <= cover <= 0.98, cover
    assert hits_fixed >= hits
    assert np.mean(ratio) > 1.02


# --------------------------------------------------------------------------------------------
# The notebook (notebooks/faellesskabsundersoegelse.ipynb, paired with its .py; tests/test_jupytext_sync.py)
# --------------------------------------------------------------------------------------------


def test_notebook_structure():
    import nbformat

    root = Path(__file__).resolve().parents[1]
    committed = nbformat.read(root / "notebooks" / "faellesskabsundersoegelse.ipynb", as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source == ('evaluation_year: int = 2020  # evaluationsår\n'
                              'data_dir: str = "../data/sample"  # datamappe\n'
                              'min_cell: int = 5  # mindste viste antal personer (diskretionering)\n'
                              'plan_dir: str = "params"  # planmappen (plan.yml, criteria.yml), relativ til projektmappen')
    assert code[1].source.startswith("from helhedsplan_eval.report.board import check_parameters, data_banner")
    assert "check_parameters(evaluation_year, data_dir, min_cell, plan_dir)" in code[1].source
    assert "data_banner(data_dir)" in code[1].source
    for c in code:
        assert "def " not in c.source and "lambda" not in c.source
        assert not c.get("outputs")
        if ".style" in c.source:
            assert "set_uuid(" in c.source
        if "plot_" in c.source:  # an <img> with a meaningful alt text, never matplotlib's "Figur"
            assert "report.figure_html(fig, alt=" in c.source


def test_corrected_item_total_two_items_is_their_correlation():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    r = sv.corrected_item_total(df)
    assert r["a"] == pytest.approx(0.8) and r["b"] == pytest.approx(0.8)  # Pearson r = 8/10


# --------------------------------------------------------------------------------------------
# Helpers for the issue-10 tests
# --------------------------------------------------------------------------------------------


def _cfg(tmp_path, **sections):
    """params/survey.yml with some sections updated (dicts are merged one level deep)."""
    import yaml

    raw = yaml.safe_load((Path(sv.params_dir()) / "survey.yml").read_text(encoding="utf-8"))
    for key, val in sections.items():
        if isinstance(val, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **val}
        else:
            raw[key] = val
    p = tmp_path / f"survey_{len(list(tmp_path.glob('survey_*.yml')))}.yml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return sv.load_config(p)


def _backfitted_se(wd) -> float:
    """R's svyrecvar for rake() designs, written out: centre x/psw within each raking margin in
    turn (unweighted mean, psw = the weights), many rounds; then the linearised SE formula."""
    y = wd.index.to_numpy(float)
    w = wd.weights
    ok = ~np.isnan(y)
    m = np.sum(w[ok] * y[ok]) / w[ok].sum()
    u = np.zeros(len(y))
    u[ok] = w[ok] * (y[ok] - m) / w[ok].sum()
    codes = [pd.factorize(wd.groups[v])[0] for v in wd.rake.variables]
    for _ in range(5000):
        before = u.copy()
        for c in codes:
            u = u - w * (np.bincount(c, weights=u / w) / np.bincount(c))[c]
        if np.max(np.abs(u - before)) < 1e-18:
            break
    n = len(u)
    return math.sqrt(n / (n - 1) * np.sum((u - u.mean()) ** 2))


DEPS = ["3B", "AAB", "ABG", "fsb", "Lejerbo"]
AGES = ["18-29", "30-49", "50-64", "65+"]
POP = {"department": dict(zip(DEPS, [400, 300, 200, 200, 100])),
       "age_group": dict(zip(AGES, [300, 400, 300, 200])),
       "gender": {"kvinde": 600, "mand": 600}}


def _balanced(k=2, shift=0, margin_waves=(2017, 2020)):
    """Two waves, k respondents in every department x age x gender cell (80 per wave for k = 2),
    answers varying by respondent; margins as POP (1.200 residents) for ``margin_waves``."""
    rows, i = [], 0
    for wv in (2017, 2020):
        for dep in DEPS:
            for age in AGES:
                for g in ("kvinde", "mand"):
                    for _ in range(k):
                        i += 1
                        ans = {f"q{j:02d}": 1 + (i + j + (shift if wv == 2020 else 0)) % 5 for j in range(1, 9)}
                        rows.append({"respondent_id": f"X{i:05d}", "wave": wv, "department": dep,
                                     "age_group": age, "gender": g, "mode": "web", **ans})
    margins = [{"wave": wv, "variable": var, "category": c, "population": p}
               for wv in margin_waves for var, m in POP.items() for c, p in m.items()]
    return {"survey_responses": pd.DataFrame(rows), "survey_margins": pd.DataFrame(margins)}


def _drop(tables, wave, keep=0, **where):
    """Remove respondents of ``wave`` matching ``where`` (keeping the first ``keep`` of them)."""
    r = tables["survey_responses"]
    hit = r["wave"] == wave
    for col, val in where.items():
        hit &= r[col] == val
    idx = r.index[hit][keep:]
    return {**tables, "survey_responses": r.drop(index=idx).reset_index(drop=True)}


def _assert_flagged(tables, *phrases, cfg=None):
    an = sv.analyse(tables, 2020, cfg=cfg)
    reason = an.unreliable_reason
    assert reason and reason.startswith("Sammenligningen kan ikke vurderes pålideligt, fordi "), reason
    for ph in phrases:
        assert ph in reason, (ph, reason)
    assert reason.count(".") == 1 and reason.endswith(".")  # one sentence
    # the page shows it: headline, decision text, methods text and the highlighted box
    assert sv.headline(an).startswith("Sammenligningen kan ikke vurderes pålideligt (begrundelsen står nedenfor).")
    assert "kan ikke anvendes pålideligt" in sv.decision_text(an) and reason in sv.methods_text(an)
    assert "Kan ikke vurderes pålideligt" in sv.unreliable_html(an) and html.escape(reason) in sv.unreliable_html(an)
    if cfg is None:
        s = sv.faellesskab_index(DataBundle.from_frames(tables), [2017, 2018, 2019, 2020])
        assert s.extra["unreliable"] == reason
        warn = sv.validation_warnings(DataBundle.from_frames(tables))
        assert any(reason in w_ for w_ in warn)
        ids = set(tables["survey_responses"]["respondent_id"])
        assert not any(i in w_ for w_ in warn for i in ids)
    return an


# --------------------------------------------------------------------------------------------
# Issue 10: bounded raking returns the raking solution when the bounds do not bind
# --------------------------------------------------------------------------------------------


def _two_by_two():
    cells = [("a1", "b1", 8), ("a1", "b2", 1), ("a2", "b1", 10), ("a2", "b2", 8)]
    s = pd.DataFrame([(a, b) for a, b, n in cells for _ in range(n)], columns=["a", "b"])
    return s, {"a": {"a1": 14, "a2": 86}, "b": {"b1": 36, "b2": 64}}


def _cell_weights(res, s):
    return pd.Series(res.weights).groupby([s["a"], s["b"]]).first()


def test_bounded_raking_equals_raking_when_bounds_do_not_bind():
    """Counts 8, 1 / 10, 8; margins 14/86 (a) and 36/64 (b). Raking keeps the odds ratio of the
    sample, so the fitted cell totals m = (x, 14-x / 36-x, 50+x) solve x(50+x) = 6,4(14-x)(36-x),
    i.e. 5,4x² - 370x + 3225,6 = 0, x = 10,2517; weights m/n = 1,2815, 3,7483, 2,5748, 7,5315,
    all inside 0,3-3 times the mean weight 100/27 (1,111-11,111). Clipping after every margin
    step (the old code) gave weights up to 11 % off this solution."""
    s, m = _two_by_two()
    x = (370 - math.sqrt(370 ** 2 - 4 * 5.4 * 3225.6)) / (2 * 5.4)
    expected = {("a1", "b1"): x / 8, ("a1", "b2"): (14 - x) / 1, ("a2", "b1"): (36 - x) / 10,
                ("a2", "b2"): (50 + x) / 8}
    free = sv.rake(s, m, tol=1e-13)
    bounded = sv.rake(s, m, bounds=(0.3, 3.0), tol=1e-13)
    for res in (free, bounded):
        got = _cell_weights(res, s)
        for cell, w in expected.items():
            assert got[cell] == pytest.approx(w, rel=1e-9)
    np.testing.assert_allclose(bounded.weights, free.weights, rtol=1e-9, atol=0)
    assert bounded.converged and not bounded.bounds_bound and bounded.n_at_bound == 0
    lo, hi = 0.3 * 100 / 27, 3.0 * 100 / 27
    assert lo < min(expected.values()) and max(expected.values()) < hi


def test_bounded_raking_trims_and_reweights_only_when_a_bound_breaks():
    """Same table, bounds 0,4-2,5 times 100/27 = 1,4815-9,2593: the raking weight of a1b1
    (1,2815) breaks the lower bound. Held at 1,4815 (8 respondents: 11,852), the margins give the
    rest by hand: a1b2 = 14 - 11,852 = 2,1481; a2b1 = (36 - 11,852)/10 = 2,4148;
    a2b2 = (64 - 2,1481)/8 = 7,7315 (a2: 24,148 + 61,852 = 86). The raking structure holds:
    the unbounded a1b1 factor 2,1481·2,4148/7,7315 = 0,671 lies below the bound."""
    s, m = _two_by_two()
    lo = 0.4 * 100 / 27
    res = sv.rake(s, m, bounds=(0.4, 2.5), tol=1e-13)
    got = _cell_weights(res, s)
    assert res.converged and res.bounds_bound and res.n_at_bound == 8
    assert got[("a1", "b1")] == pytest.approx(lo, rel=1e-12)
    assert got[("a1", "b2")] == pytest.approx(14 - 8 * lo, rel=1e-9)
    assert got[("a2", "b1")] == pytest.approx((36 - 8 * lo) / 10, rel=1e-9)
    assert got[("a2", "b2")] == pytest.approx((64 - (14 - 8 * lo)) / 8, rel=1e-9)


def test_bounded_raking_reports_unreachable_bounds():
    s, m = _two_by_two()
    res = sv.rake(s, m, bounds=(0.5, 1.5), tol=1e-12)  # b2 needs 64 from 9 respondents, at most 9·5,56
    assert not res.converged and res.bounds_bound
    assert np.all(np.isfinite(res.weights))
    assert res.weights.max() <= 1.5 * 100 / 27 * (1 + 1e-12)


def test_rake_result_reports_largest_weight_share():
    s, m = _two_by_two()
    res = sv.rake(s, m, tol=1e-13)
    assert res.max_weight_share == pytest.approx(res.weights.max() / 100)


# --------------------------------------------------------------------------------------------
# Issue 10: flagged, never silently reported
# --------------------------------------------------------------------------------------------


def test_balanced_two_waves_are_reliable():
    t = _balanced()
    an = sv.analyse(t, 2020)
    assert an.problems == [] and an.unreliable_reason is None
    assert all(wd.rake.converged and wd.rake.variables == ["department", "age_group", "gender"]
               for wd in an.waves.values())
    s = sv.faellesskab_index(DataBundle.from_frames(t), [2017, 2018, 2019, 2020])
    assert "unreliable" not in s.extra
    assert sv.validation_warnings(DataBundle.from_frames(t)) == []
    assert sv.unreliable_html(an) == ""


def test_empty_category_is_collapsed_by_rule_in_both_waves():
    t = _drop(_balanced(), 2020, age_group="18-29")   # nobody aged 18-29 answered in 2020
    an = sv.analyse(t, 2020)
    assert an.problems == []
    assert an.plan.collapse == {"age_group": {"18-29": "30-49"}}
    for wv in (2017, 2020):                          # the SAME grouping in both waves
        wd = an.waves[wv]
        assert wd.margins["age_group"] == {"30-49": 700.0, "50-64": 300.0, "65+": 200.0}
        assert set(wd.groups["age_group"]) == {"30-49", "50-64", "65+"}
        assert wd.rake.variables == ["department", "age_group", "gender"]
        merged = wd.weights[(wd.groups["age_group"] == "30-49").to_numpy()].sum()
        assert merged == pytest.approx(700, rel=1e-6)
    assert any("18–29" in n and "30–49" in n and "begge runder" in n for n in an.notes)
    warn = sv.validation_warnings(DataBundle.from_frames(t))
    assert any("18–29" in w_ for w_ in warn)
    tab = sv.margins_table(an)
    assert "30–49 og 18–29" in set(tab["Gruppe"])


def test_empty_category_without_rule_is_flagged_and_dropped_in_both_waves():
    t = _drop(_balanced(), 2020, department="fsb")   # departments have no collapsing rule
    an = _assert_flagged(t, "der er i 2020 ingen svarpersoner i afdeling fsb", "udeladt af vægtningen i begge runder")
    assert all(wd.rake.variables == ["age_group", "gender"] for wd in an.waves.values())


def test_too_few_respondents_in_a_category_is_flagged():
    t = _drop(_balanced(), 2020, keep=3, department="Lejerbo")   # 3 of 16 left
    _assert_flagged(t, "der er i 2020 færre end 10 svarpersoner i afdeling Lejerbo")


def test_one_wave_weighted_and_the_other_not_is_flagged():
    t = _balanced(margin_waves=(2017,))            # no population figures for 2020
    an = _assert_flagged(t, "der mangler befolkningstal for afdeling i 2020", "kan ikke vægtes ens")
    assert all(wd.rake.variables == [] for wd in an.waves.values())   # weighted alike: neither


def test_waves_weighted_differently_is_flagged(monkeypatch):
    t = _balanced()
    real = sv.wave_weights

    def one_sided(sample, margins, cfg=None, label="", variables=None):
        return real(sample, margins, cfg, label=label, variables=None if label == "2017" else [])

    monkeypatch.setattr(sv.comparison, "wave_weights", one_sided)  # where analyse looks it up
    an = sv.analyse(t, 2020)
    assert "runderne er ikke vægtet ens (2017: afdeling, aldersgruppe, køn; 2020: ikke vægtet)" in an.unreliable_reason


def test_one_respondent_carrying_a_large_share_of_the_weight_is_flagged(tmp_path):
    # one 2020 respondent left in ABG (a sixth of the residents); with the category rule relaxed
    # only the weight-share rule fires: that respondent carries 200 of 1.200, about 17 %
    cfg = _cfg(tmp_path, reliability={"max_weight_share": 0.10, "min_respondents_per_category": 1})
    t = _drop(_balanced(), 2020, keep=1, department="ABG")
    an = _assert_flagged(t, "én svarperson bærer i 2020 mere end 10\u00a0% af den samlede vægt", cfg=cfg)
    assert an.waves[2020].rake.converged
    assert an.waves[2020].rake.max_weight_share == pytest.approx(200 / 1200, rel=1e-6)
    assert not any("færre end" in p for p in an.problems)
    assert any("kunne ikke holdes inden for grænserne" in n for n in an.notes)  # bounds unreachable


def test_raking_that_does_not_converge_is_flagged(cfg):
    # department 3B are all 18-29, AAB all 65+: margins 50/50 and 20/80 cannot both hold
    s = pd.DataFrame({"department": ["3B"] * 10 + ["AAB"] * 10, "age_group": ["18-29"] * 10 + ["65+"] * 10,
                      "gender": ["kvinde", "mand"] * 10})
    m = {"department": {"3B": 50, "AAB": 50}, "age_group": {"18-29": 20, "65+": 80},
         "gender": {"kvinde": 50, "mand": 50}}
    res = sv.wave_weights(s, m, cfg, label="2020", variables=["department", "age_group", "gender"])
    assert not res.converged
    assert any("vægtningen af 2020 nåede ikke befolkningstallene" in p for p in res.problems)


def test_non_convergence_reaches_the_comparison(tmp_path):
    cfg = _cfg(tmp_path, weighting={"max_iter": 1})
    t = _drop(_drop(_balanced(), 2020, keep=1, department="Lejerbo", age_group="65+"), 2020, keep=0,
              department="3B", age_group="18-29", gender="mand")
    an = _assert_flagged(t, "nåede ikke befolkningstallene", cfg=cfg)
    assert not an.waves[2020].rake.converged


def test_tiny_fixture_is_flagged(tiny):
    r = tiny.unreliable_reason
    # one clause per rule, waves with the same problem named together
    assert r == ("Sammenligningen kan ikke vurderes pålideligt, fordi der er i 2017 og 2020 færre end 10 "
                 "svarpersoner i afdeling 3B og AAB, i aldersgruppe 18–29 og 65+ og i køn kvinde og mand, så "
                 "vægtene bliver ustabile; én svarperson bærer i 2017 og 2020 mere end 10\u00a0% af den samlede "
                 "vægt.")


def test_wave_weights_alone_flags_a_dropped_variable(cfg):
    s = pd.DataFrame({"department": ["3B", "3B", "AAB", "AAB"], "age_group": ["18-29", "65+", "18-29", "65+"],
                      "gender": ["kvinde", "mand", "kvinde", "mand"]})
    m = {"department": {"3B": 50, "AAB": 40, "fsb": 10}, "age_group": {"18-29": 50, "65+": 50},
         "gender": {"kvinde": 50, "mand": 50}}
    res = sv.wave_weights(s, m, cfg, label="2017")
    assert any("ingen svarpersoner i afdeling fsb" in p for p in res.problems)


def test_validation_warnings_on_the_sample_and_on_broken_data(sample_tables):
    assert sv.validation_warnings(DataBundle.from_frames(sample_tables)) == []
    assert sv.validation_warnings(DataBundle.from_frames({})) == []
    bad = dict(sample_tables)
    bad["survey_responses"] = bad["survey_responses"].assign(department="KAB")
    warn = sv.validation_warnings(DataBundle.from_frames(bad))
    assert len(warn) == 1 and "kan ikke analyseres" in warn[0] and "KAB" not in warn[0]


def test_collapse_rules_are_declared_in_params(cfg):
    assert cfg.collapse_rules["age_group"]["18-29"] == "30-49"
    assert cfg.min_respondents_per_category == 10
    assert cfg.max_weight_share == 0.10


# --------------------------------------------------------------------------------------------
# Issue 10: the calibration SE is primary and drives the decision
# --------------------------------------------------------------------------------------------


def test_calibration_se_equals_rs_iterated_centring(sample_tables):
    an = sv.analyse(sample_tables, 2020)
    for wv, wd in an.waves.items():
        assert an.index.loc[wv, "se"] == pytest.approx(_backfitted_se(wd), rel=1e-9)
        assert an.index.loc[wv, "se"] < an.index.loc[wv, "se_fixed"]


def test_decision_uses_the_calibration_interval(sample_tables):
    an = sv.analyse(sample_tables, 2020)
    s = sv.faellesskab_index(DataBundle.from_frames(sample_tables), [2017, 2018, 2019, 2020])
    assert s.extra["ci_low"] == pytest.approx(an.index_diff.ci_low)
    assert s.extra["se"] == pytest.approx(math.hypot(an.index.loc[2017, "se"], an.index.loc[2020, "se"]))
    assert s.extra["se_fixed"] == pytest.approx(an.index_diff_fixed.se) and s.extra["se_fixed"] > s.extra["se"]
    assert s.extra["se_method"] == "calibration"
    assert s.data.loc[2020, "se"] == pytest.approx(an.index.loc[2020, "se"])
    # both standard errors are visible in the uncertainty table
    tab = sv.uncertainty_table(an)
    assert list(tab.columns[:2]) == [sv.SE_PRIMARY, sv.SE_FIXED]
    assert tab.loc["2020", sv.SE_FIXED] == sv._num(an.index.loc[2020, "se_fixed"], 2)
    assert "Forskel 2020 − 2017" in tab.index
    assert "standardfejl med faste vægte" in sv.methods_text(an).lower()


# --------------------------------------------------------------------------------------------
# Issue 9: every table and text rendered into HTML is escaped
# --------------------------------------------------------------------------------------------


def test_config_text_reaches_the_page_as_text(tmp_path, tiny_tables):
    import yaml

    raw = yaml.safe_load((Path(sv.params_dir()) / "survey.yml").read_text(encoding="utf-8"))
    evil = "<script>alert(1)</script>"
    items = dict(raw["items"])
    items["q01"] = {**items["q01"], "text": evil + " Del af fællesskabet", "short": evil}
    cfg = _cfg(tmp_path, items=items)
    an = sv.analyse(tiny_tables, 2020, cfg=cfg)
    pages = [sv.table_html(f(an), "x") for f in (sv.item_table, sv.summary_table, sv.methods_table,
                                                 sv.department_table, sv.uncertainty_table)]
    pages.append(sv.table_html(sv.margins_table(an), "m", index=False))
    pages.append(sv.table_html(sv.robustness_table(an), "r"))
    an.notes.append(f"Andelen 'ved ikke' til '{evil}' har flyttet sig.")
    pages += [sv.text_html(sv.methods_text(an)), sv.text_html(sv.headline(an)), sv.text_html(sv.decision_text(an)),
              sv.unreliable_html(an), sv.text_html(sv.CAVEATS)]
    page = "".join(pages)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Del af fællesskabet" in pages[0]
    assert "&lt;script&gt;" in pages[7]
    assert sv.text_html("**fed** <b>x</b>\n- punkt") == "<p><strong>fed</strong> &lt;b&gt;x&lt;/b&gt;</p><ul><li>punkt</li></ul>"


# --------------------------------------------------------------------------------------------
# Board language and disclosure on the survey page
# --------------------------------------------------------------------------------------------


def _page_text(an, min_cell=5) -> str:
    parts = [sv.headline(an, min_cell), sv.decision_text(an), sv.methods_text(an, min_cell), sv.CAVEATS]
    for f in (sv.summary_table, sv.item_table, sv.methods_table, sv.department_table, sv.uncertainty_table,
              sv.margins_table):
        parts.append(_all_text(f(an, min_cell)))
    parts.append(_all_text(sv.robustness_table(an)))
    return " ".join(parts)


def test_board_language(sample_tables):
    assert sv._ci_text(39.71, 89.24, pct=True) == "39,7–89,2\u00a0%"
    assert sv._ci_text(-0.64, 6.61) == "−0,6–6,6"
    assert sv._signed(-3.0) == "−3,0" and sv._signed(2.04) == "+2,0"
    an = sv.analyse(sample_tables, 2020)
    txt = _page_text(an)
    for jargon in ("R's", "`", "rake`", "d_z", "Kish", "logit", "linearis", "raking)", "Holm-korrektion"):
        if jargon == "raking)":
            continue
        assert jargon not in txt, jargon
    assert "(kaldet raking)" in txt    # the one technical word is explained where it is used
    assert not re.search(r"(?<![\w\d])-\d", txt)   # no hyphen used as a minus sign
    assert not re.search(r"\d-\d", txt)            # ranges with an en dash
    assert "0–100" in txt


def test_page_shows_no_small_counts(tmp_path):
    # Lejerbo has 3 respondents in 2020 and one answered by telephone
    t = _drop(_balanced(), 2020, keep=3, department="Lejerbo")
    r = t["survey_responses"]
    r.loc[r.index[(r["wave"] == 2020)][0], "mode"] = "telefon"
    an = sv.analyse(t, 2020)
    for min_cell in (5, 10):
        txt = _page_text(an, min_cell)
        dep = sv.department_table(an, min_cell)
        assert dep.loc["Lejerbo", "Antal svar 2020"] == f"<{min_cell}"
        # secondary suppression: the 2020 total is shown, so one more count is hidden
        assert (dep["Antal svar 2020"] == f"<{min_cell}").sum() == 2
        mt = sv.margins_table(an, min_cell)
        lej = mt[(mt["Runde"] == "2020") & (mt["Gruppe"] == "Lejerbo")].iloc[0]
        assert lej["Antal svar"] == f"<{min_cell}" and lej["Svarpersoner, uvægtet"] == sv.MISSING
        assert sv.methods_table(an, min_cell).loc["Svarform", "2020"] == "web, telefon"   # no shares
        for tok in re.findall(r"(?<![\d,.<−+])\d+(?![\d,A-Za-z]| ?%|\u00a0%|–\d)", _all_text(dep) + " ".join(mt.astype(str).to_numpy().ravel())):
            assert not (0 < int(tok) < min_cell), tok
        assert "<script" not in txt


def test_flagged_comparison_gets_the_unjudgeable_status():
    from helhedsplan_eval.analysis import status as stat
    from helhedsplan_eval.catalogue.criteria import load_catalogue

    if not hasattr(stat, "UNJUDGEABLE"):
        pytest.skip("the status engine has no 'cannot be judged' status yet")
    t = _drop(_balanced(), 2020, department="fsb")
    s = sv.faellesskab_index(DataBundle.from_frames(t), [2017, 2018, 2019, 2020])
    ev = stat.evaluate(load_catalogue().criteria["TT-1"], s, 2020)
    assert ev.status == stat.UNJUDGEABLE
    assert ev.explanation.startswith("Sammenligningen kan ikke vurderes pålideligt, fordi der er i 2020 ingen "
                                     "svarpersoner i afdeling fsb")
    # the same data without the flag would have been judged
    ok = sv.faellesskab_index(DataBundle.from_frames(_balanced()), [2017, 2018, 2019, 2020])
    assert stat.evaluate(load_catalogue().criteria["TT-1"], ok, 2020).status != stat.UNJUDGEABLE


def test_collapse_rules_and_thresholds_are_checked(tmp_path):
    with pytest.raises(sv.SurveyDataError) as e:
        _cfg(tmp_path, weighting={"collapse": {"age_group": {"18-29": "30-39"}, "alder": {"a": "b"}}},
             reliability={"max_weight_share": 10, "min_respondents_per_category": "ti"})
    msg = str(e.value)
    assert "weighting.collapse.age_group.18-29: nabogruppen '30-39' findes ikke" in msg
    assert "weighting.collapse.alder: ukendt vægtningsvariabel" in msg
    assert "reliability.max_weight_share: værdien 10" in msg
    assert "reliability.min_respondents_per_category: værdien 'ti'" in msg


def test_bounded_factor_solves_the_clipped_sum_exactly():
    rng = np.random.default_rng(5)
    for _ in range(200):
        m = int(rng.integers(1, 40))
        g = rng.lognormal(0, 1.5, m)
        lo, hi = 0.5, 4.0
        target = float(rng.uniform(m * lo, m * hi))
        f, ok = sv._bounded_factor(g, target, lo, hi)
        assert ok and np.clip(g * f, lo, hi).sum() == pytest.approx(target, rel=1e-12)
    f, ok = sv._bounded_factor(np.array([1.0, 2.0]), 10.0, 0.5, 4.0)   # at most 2·4 = 8
    assert not ok and np.allclose(np.clip(np.array([1.0, 2.0]) * f, 0.5, 4.0), 4.0)


def test_methods_table_says_whether_the_bounds_bound():
    an = sv.analyse(Path(__file__).resolve().parents[1] / "data" / "sample", 2020)
    row = sv.methods_table(an).loc["Vægtgrænserne (0,3–3,0 gange gennemsnitsvægten) nået"]
    # in data/sample the 2017 raking solution lies within the bounds; in 2020 a few weights break
    # the upper bound, are trimmed and the rest re-raked (margins still met)
    assert not an.waves[2017].rake.bounds_bound and row["2017"] == "nej"
    r20 = an.waves[2020].rake
    assert r20.bounds_bound and r20.bounds_met and r20.converged and r20.n_at_bound > 0
    assert row["2020"] == "ja; vægtene er afkortet og tilpasset igen"
    wbar = r20.weights.sum() / r20.n
    assert r20.weights.max() <= 3.0 * wbar * (1 + 1e-12) and r20.weights.min() >= 0.3 * wbar * (1 - 1e-12)


def test_item_answer_counts_never_reveal_a_small_ved_ikke_or_skipped_group(sample_tables):
    """'Antal svar' beside the wave's respondents (methods table) must not give away how many answered
    "ved ikke" or skipped the item when that is 1 … min_cell−1; a real-data check on the sample with a
    threshold high enough to make such groups small."""
    an = sv.analyse(sample_tables, evaluation_year=2020)
    for min_cell in (5, 40):
        table = sv.item_table(an, min_cell=min_cell)
        hidden = 0
        for item, (_, r) in zip(table.index, an.items.iterrows()):
            for w in an.wave_list:
                shown = table.loc[item, f"Antal svar {w}"]
                n, total, answered = r[f"n_{w}"], an.waves[w].n, r[f"n_answered_{w}"]
                gaps = (answered - n, total - n, total - answered)
                if any(0 < g < min_cell for g in gaps):
                    assert shown == sv.HIDDEN_COUNT, (item, w, shown, gaps)
                    hidden += 1
                elif n >= min_cell:
                    assert shown == sv.fmt_count(n, min_cell)
        if min_cell == 40:
            assert hidden > 0  # the check above is not vacuous


# --------------------------------------------------------------------------------------------
# The whole analysis of data/sample, pinned (issue 13: optimising must not change a result)
# --------------------------------------------------------------------------------------------

PIN = Path(__file__).parent / "fixtures" / "survey_pin" / "analyse_sample_2020.json"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def _frame_snapshot(df: pd.DataFrame | None):
    if df is None:
        return None
    return {"index": [str(i) for i in df.index], "columns": [str(c) for c in df.columns],
            "values": {str(c): [v.item() if hasattr(v, "item") else v for v in df[c].tolist()] for c in df.columns}}


def _analysis_snapshot(an) -> dict:
    """Every figure of a SurveyAnalysis as plain JSON values (frames column by column)."""
    return {
        "frames": {name: _frame_snapshot(getattr(an, name)) for name in ("index", "strong", "alpha", "items",
                                                                          "robustness")},
        "differences": {name: {k: float(v) for k, v in vars(getattr(an, name)).items()}
                        for name in ("index_diff", "strong_diff", "index_diff_fixed")},
        "decision": an.decision, "cohens_d": an.cohens_d, "notes": an.notes, "problems": an.problems,
        "plan": {"variables": an.plan.variables, "collapse": an.plan.collapse, "notes": an.plan.notes,
                 "problems": an.plan.problems},
        "waves": {str(w): {"weights": wd.weights.tolist(), "index": wd.index.tolist(),
                           "variables": wd.rake.variables, "iterations": wd.rake.iterations,
                           "converged": wd.rake.converged, "bounds_bound": wd.rake.bounds_bound,
                           "n_at_bound": wd.rake.n_at_bound, "margins": wd.margins, "notes": wd.rake.notes,
                           "problems": wd.rake.problems}
                  for w, wd in an.waves.items()},
    }


def write_pin() -> None:
    """Regenerate the pinned snapshot (deliberately only, when a result is meant to change):
    ``.venv/bin/python -c "import tests.test_survey as t; t.write_pin()"``."""
    import json

    PIN.parent.mkdir(parents=True, exist_ok=True)
    PIN.write_text(json.dumps(_analysis_snapshot(sv.analyse(SAMPLE, evaluation_year=2020)), indent=1,
                              ensure_ascii=False), encoding="utf-8")


def _assert_same(got, want, where="an"):
    """Numbers equal to 1e-12 (relative, or absolute near 0), NaN where NaN; everything else exactly."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), where
        for k in want:
            _assert_same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        if want and all(isinstance(x, float) or (isinstance(x, int) and not isinstance(x, bool)) for x in want) \
                and any(isinstance(x, float) for x in want + got):
            np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=1e-12, atol=1e-12,
                                       equal_nan=True, err_msg=where)
        else:
            for i, (g, w) in enumerate(zip(got, want)):
                _assert_same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and not isinstance(got, bool):
        if math.isnan(want):
            assert math.isnan(got), where
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12), where
    else:
        assert got == want, where


def test_analyse_on_the_sample_is_pinned():
    """survey.analyse on data/sample for 2020, every frame, difference, note and weight, as computed before
    the speed work of issue 13 (tests/fixtures/survey_pin/analyse_sample_2020.json)."""
    import json

    want = json.loads(PIN.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(_analysis_snapshot(sv.analyse(SAMPLE, evaluation_year=2020)), ensure_ascii=False))
    _assert_same(got, want)
    # the pin is not vacuous: the sample's comparison has figures and a decision
    assert want["decision"]["code"] in {"stronger", "weaker", "no_detectable_change"}
    assert len(want["frames"]["items"]["index"]) == 8 and len(want["waves"]["2020"]["weights"]) > 300


# --------------------------------------------------------------------------------------------
# The fast paths of issue 13 agree with the direct computations they replace
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [
    [0.01, 0.04, 0.03, 0.005],
    [0.02, 0.02, 0.02, 0.5],                 # ties
    [1.0, 0.3, 1.0, 0.001, 0.3],             # p = 1 and ties
    [0.4, 0.45, 0.5, 0.9],                   # adjusted values above 1 are capped at 1
    [0.03],
    [0.0, 1e-12, 0.2, 0.2, 0.2, 0.7, 0.049, 0.051],
])
def test_holm_equals_statsmodels_multipletests_holm(p):
    from statsmodels.stats.multitest import multipletests

    np.testing.assert_array_equal(sv.holm(p), multipletests(p, alpha=0.05, method="holm")[1])


def test_holm_by_hand_with_ties_and_nan():
    # sorted 0.02, 0.02, 0.5 (m = 3): 0.06, max(0.06, 0.04) = 0.06, max(0.06, 0.5) = 0.5; NaN stays out
    np.testing.assert_allclose(sv.holm([0.5, 0.02, np.nan, 0.02]), [0.5, 0.06, np.nan, 0.06])
    assert np.isnan(sv.holm([np.nan, np.nan])).all() and len(sv.holm([])) == 0


def _lstsq_residual(groups: pd.DataFrame, z: np.ndarray) -> np.ndarray:
    x = np.column_stack([pd.get_dummies(groups[c].astype(str)).to_numpy(float) for c in groups.columns])
    beta, *_ = np.linalg.lstsq(x, z, rcond=None)
    return z - x @ beta


@pytest.mark.parametrize("nested", [False, True])
def test_calibration_projection_equals_least_squares_residual(nested):
    """The per-cell projection of calibration.Calibration gives numpy lstsq's residual on the dummies of
    every margin, also when the margins are nested (a rank deficiency beyond the one per margin)."""
    from helhedsplan_eval.analysis.survey.calibration import Calibration

    rng = np.random.default_rng(5)
    n = 300
    g = pd.DataFrame({"department": rng.choice(["3B", "AAB", "ABG", "Lejerbo"], n),
                      "age_group": rng.choice(["18-29", "30-49", "50-64", "65+"], n),
                      "gender": rng.choice(["kvinde", "mand"], n)})
    if nested:
        g["age_group"] = g["department"].map({"3B": "a", "AAB": "a", "ABG": "b", "Lejerbo": "b"})
    cal = Calibration.from_groups(g)
    for _ in range(3):
        z = rng.normal(size=n) * rng.choice([0.0, 1.0], n)
        np.testing.assert_allclose(cal.residual(z), _lstsq_residual(g, z), rtol=0, atol=1e-13)
    # the SE through a Calibration equals the SE through the groups frame
    y = np.where(rng.random(n) < 0.1, np.nan, rng.integers(1, 6, n).astype(float))
    w = rng.uniform(0.5, 2.0, n)
    assert sv.rake_adjusted_se(y, w, cal, list(g.columns)) == pytest.approx(
        sv.rake_adjusted_se(y, w, g, list(g.columns)), rel=1e-12)
    with pytest.raises(ValueError):
        sv.rake_adjusted_se(y, w, cal, ["department"])


def test_ridits_equal_the_direct_sums():
    from helhedsplan_eval.analysis.survey.inference import _ridits

    rng = np.random.default_rng(8)
    va = rng.integers(1, 6, 60).astype(float)
    wa = rng.uniform(0.2, 3.0, 60)
    wa /= wa.sum()
    vb = np.concatenate([rng.integers(0, 7, 40).astype(float), [2.5]])
    direct = np.array([wa[va < v].sum() + 0.5 * wa[va == v].sum() for v in vb])
    np.testing.assert_allclose(_ridits(va, wa, vb), direct, rtol=0, atol=1e-15)
    # by hand: values 1, 2, 2 with weights ½, ¼, ¼ -> ridit of 2 = ½ + ½·½ = 0,75; of 0 = 0; of 3 = 1
    np.testing.assert_allclose(_ridits(np.array([1.0, 2, 2]), np.array([0.5, 0.25, 0.25]), np.array([2.0, 0, 3])),
                               [0.75, 0.0, 1.0])


def test_integer_parsing_per_distinct_value_equals_the_elementwise_rule():
    from helhedsplan_eval.analysis.survey.reading import _map_values

    s = pd.Series([" 3", "3", 3, 3.0, None, np.nan, pd.NA, "", "  ", "9", "x", 2.5, "4 "], dtype=object)

    def rule(v):
        return None if (v is None or (not isinstance(v, str) and pd.isna(v))) else (str(v).strip() or None)

    assert _map_values(s, rule).tolist() == [rule(v) for v in s]
    assert _map_values(pd.Series([], dtype=object), rule).tolist() == []
    ok = sv._as_int_series(pd.Series([" 3", 4, None, "", "9"], dtype=object), "f.csv", "q01", allow_missing=True)
    np.testing.assert_array_equal(ok.to_numpy(), [3.0, 4.0, np.nan, np.nan, 9.0])
    with pytest.raises(sv.SurveyDataError, match=r"row 4, column 'q01': value 2\.5"):
        sv._as_int_series(pd.Series(["1", 4, 2.5]), "f.csv", "q01", allow_missing=True)
    with pytest.raises(sv.SurveyDataError, match=r"row 3, column 'q01': value 'x'"):
        sv._as_int_series(pd.Series(["1", "x"]), "f.csv", "q01", allow_missing=True)
