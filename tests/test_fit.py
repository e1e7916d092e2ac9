"""Tests for helhedsplan_eval.analysis.fit (FIT / collateral scores, criteria FF-FAM-2, -3, -4).

Known answers T1-T16 come from the research note /work/shared/research/fit.md, section 2.

The tiny fixture (tests/fixtures/tiny/fit_*.csv) was designed by hand; its expected answers
(all computed by hand from the scores in the file):

Stream A, parent about self (cut-off 25, threshold 5 points):
  2017 (C001): P00001 15 -> (20) -> 27 (+12, recovered; the middle form is listed last in the
               file), P00002 22 -> 26 (+4, not reliable), P00003 30 -> 36 (total-only forms, +6,
               improved from above the cut-off), P00004 20 -> 14 (-6, deteriorated), P00005 18
               only (single score), P00006 20 -> 25 (+5 exactly, recovered: T13 convention).
               started 6, analysable 5, single 1; literal 4/5 = 80 %; reliable 3/5 = 60 %;
               recovered 2, improved 1, unchanged 1, deteriorated 1; intake >= cut-off: 1;
               mean intake 107/5 = 21.4, mean last 128/5 = 25.6, mean change 4.2.
  2018 (C002): 10->18 (+8), 24->24 (0), 28->29.5 (+1.5), 16->23.2 (+7.2), 19->12 (-7)
               literal 3/5 = 60 %; reliable 2/5 = 40 %.
  2019 (C003): P00012 14 -> 21 (+7); P00014 single; (P00013 20 -> 30 ends 20.01.2020 -> 2020)
               started 2, analysable 1; literal 1/1, reliable 1/1.
  2020: P00013 +10, 12->20 +8, 26->33 +7, 18->19 +1, 21->26.5 +5.5
               literal 5/5 = 100 %; reliable 4/5 = 80 %.
Stream B, parent about child (cut-off 32 for children):
  2017: 25->31 (+6, improved), 28->33 (+5, recovered), 30->29 (-1; intake total-only, age
        missing), 26->28 (+2): literal 3/4, reliable 2/4.
  2018, 2019: no parent-about-child forms (other streams have data) -> 0 started, value NaN.
  2020: 22->29 (+7, 2019-09-05 to 2020-01-20), 24->24.5: literal 2/2, reliable 1/2.
Stream C, referrer about child (specialgruppe; only episodes whose last rating is dated
2018-2019 count; an episode keeps its intake across 1 January):
  2017: P00101 20 -> 26 -> ignored.
  2018: +6, +2, -2 -> analysable 3, literal 2, reliable 1.
  2019: P00112 +10, P00114 +6 -> analysable 2, literal 2, reliable 2. P00113 20 (2019-09-10)
        then 27 (2020-01-20) is one episode (+7) of 2020, the year of its last rating: ignored.
  pooled 2018-2019: analysable 5, literal 4/5 = 80 %, reliable 3/5 = 60 %.
  2020: P00115 +10, P00116 +1 -> ignored.
Specialgruppe families per year: 2017: 1 (F0001), 2018: 3, 2019: 3, 2020: 3 (F0013 in Jan.,
F0015, F0016).
SRS: 2017 two sessions 38 and 35 -> mean 36.5, 50 % under 36; 2018 one session 39.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helhedsplan_eval.analysis import fit
from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.analysis.registry import INDICATORS

TINY = Path(__file__).parent / "fixtures" / "tiny"
YEARS = [2017, 2018, 2019, 2020]


# ----------------------------------------------------------------------------- helpers

def read_tiny():
    adm = pd.read_csv(TINY / "fit_administrations.csv", dtype=str, keep_default_na=False)
    courses = pd.read_csv(TINY / "fit_courses.csv", dtype=str, keep_default_na=False)
    return adm, courses


@pytest.fixture(scope="module")
def tiny_fd():
    adm, courses = read_tiny()
    return fit.prepare(adm, courses)


@pytest.fixture(scope="module")
def tiny_bundle():
    adm, courses = read_tiny()
    return DataBundle.from_frames({"fit_administrations": adm, "fit_courses": courses})


_counter = [0]


def form(person, date, total="", items=("", "", "", ""), stream="A", course="C900", family=None,
         scale=None, group="almen", age=""):
    """One administration row as the CSV holds it (strings)."""
    _counter[0] += 1
    rater, about = fit.STREAMS[stream] if stream in fit.STREAMS else ("forælder", "selv")
    scale = scale or ("SRS" if stream == "SRS" else ("ORS" if stream == "A" else "CORS"))
    return {
        "administration_id": f"X{_counter[0]:05d}", "course_id": course, "family_id": family or "F" + person[1:],
        "rated_person_id": person, "rater": rater, "about": about, "scale": scale, "date": date,
        "item1": str(items[0]), "item2": str(items[1]), "item3": str(items[2]), "item4": str(items[3]),
        "total": str(total), "group": group, "rated_age": str(age),
    }


def frame(rows):
    return pd.DataFrame(rows)


def episodes_from_pairs(pairs, stream="A", year=2018, group="almen"):
    """Administrations for intake/last pairs (total-only forms), one person each."""
    rows = []
    for i, (a, b) in enumerate(pairs):
        p = f"P{9000 + i:05d}"
        rows.append(form(p, f"{year}-02-01", a, stream=stream, group=group))
        if b is not None:
            rows.append(form(p, f"{year}-05-01", b, stream=stream, group=group))
    return frame(rows)


# ----------------------------------------------------------------------------- T1-T5 formulas

def test_t1_rci_jacobson_truax_example():
    assert fit.rci_points(7.5, 0.80) == pytest.approx(9.296925484568419, abs=1e-9)


def test_t2_rci():
    assert fit.rci_points(5.2, 0.83) == pytest.approx(5.942797, abs=1e-6)


def test_t3_strict_classification_by_rci():
    cls = fit.classify_change(np.arange(-5, 6), 2, strict=True)
    assert list(cls).count("deterioration") == 3
    assert list(cls).count("no_change") == 5
    assert list(cls).count("improvement") == 3


def test_t4_rci_has_sqrt2():
    rci = fit.rci_points(7.0, 0.93)
    assert rci == pytest.approx(5.133, abs=1e-3)
    assert rci / math.sqrt(2) == pytest.approx(3.630, abs=1e-3)  # the buggy variant without sqrt(2)


def test_t5_csc_cutoff():
    assert fit.csc_cutoff(m_clin=20, sd_clin=8, m_nonclin=30, sd_nonclin=6) == pytest.approx(25.714, abs=1e-3)


# ----------------------------------------------------------------------------- T6-T7 metrics

def test_t6_effect_sizes():
    adm = episodes_from_pairs(list(zip([10, 15, 20, 25, 30], [18, 20, 24, 26, 32])))
    fd = fit.prepare(adm)
    m = fit.stream_table(fd, "A", [2018]).loc[2018]
    assert m["mean_change"] == pytest.approx(4.0)
    assert m["sd_intake"] == pytest.approx(7.9057, abs=1e-4)
    assert m["sd_change"] == pytest.approx(2.7386, abs=1e-4)
    assert m["d_intake"] == pytest.approx(0.5060, abs=1e-4)
    assert m["d_z"] == pytest.approx(1.4606, abs=1e-4)
    # 95 % t-interval of the mean change: 4 +/- t(0.975, 4) * 2.7386 / sqrt(5) = 4 +/- 3.4004
    assert m["change_ci_low"] == pytest.approx(0.5996, abs=1e-3)
    assert m["change_ci_high"] == pytest.approx(7.4004, abs=1e-3)


def test_t7_thirteen_of_twenty_meets_target_but_uncertain():
    pairs = [(20, 26)] * 13 + [(20, 20)] * 7
    bundle = DataBundle.from_frames({"fit_administrations": episodes_from_pairs(pairs)})
    s = fit.fit_parent_self(bundle, [2018])
    assert s.data.at[2018, "value"] == pytest.approx(65.0)
    assert (s.data.at[2018, "numerator"], s.data.at[2018, "denominator"]) == (13, 20)
    status = pytest.importorskip("helhedsplan_eval.analysis.status")
    catalogue = pytest.importorskip("helhedsplan_eval.catalogue.criteria")
    crit = catalogue.load_catalogue().criteria["FF-FAM-2"]
    ev = status.evaluate(crit, s, 2018)
    assert ev.status == "Opfyldt"
    assert ev.uncertain
    assert ev.interval[0] == pytest.approx(43.3, abs=0.05)
    assert ev.interval[1] == pytest.approx(81.9, abs=0.05)


# ----------------------------------------------------------------------------- T8-T14 categories

@pytest.mark.parametrize(
    "intake,last,cutoff,expected",
    [
        (15, 27, 25, "recovered"),      # T8
        (15, 22, 25, "improved"),       # T9
        (22, 26, 25, "unchanged"),      # T10 (crosses the cut-off, but +4 is not reliable)
        (30, 36, 25, "improved"),       # T11 reliable improvement from a non-clinical start
        (20, 14, 25, "deteriorated"),   # T12
        (20, 25, 25, "recovered"),      # T13 with the inclusive rule change >= 5, last >= cut-off
        (28, 33, 32, "recovered"),      # T14 child CORS
    ],
)
def test_t8_t14_jacobson_truax_categories(intake, last, cutoff, expected):
    assert fit.jt_category(intake, last, cutoff, 5.0)[0] == expected


def test_t13_strict_rule_is_not_reliable():
    assert fit.classify_change(5.0, 5.0, strict=True)[0] == "no_change"
    assert fit.classify_change(5.0, 5.0, strict=False)[0] == "improvement"
    # binary noise of one-decimal sums does not flip the rule: 25.3 - 20.3 is 5
    assert fit.classify_change(25.3 - 20.3, 5.0)[0] == "improvement"


def test_age_appropriate_cutoffs():
    assert fit.cutoff_for_age(35, "A") == 25
    assert fit.cutoff_for_age(17, "A") == 28
    assert fit.cutoff_for_age(13, "B") == 28
    assert fit.cutoff_for_age(9, "B") == 32
    assert fit.cutoff_for_age(3, "C") == 32
    assert fit.cutoff_for_age(None, "A") == 25
    assert fit.cutoff_for_age(float("nan"), "B") == 32


# ----------------------------------------------------------------------------- T15-T16 scoring

def test_t15_total_only_record():
    scored, problems = fit.score_administrations(frame([form("P00001", "2018-01-01", 30)]))
    assert problems == []
    r = scored.iloc[0]
    assert r["score"] == 30 and r["score_source"] == "total"
    assert [r[f"item{j}_scored"] for j in range(1, 5)] == [7.5, 7.5, 7.5, 7.5]
    assert fit.items_from_total(30) == (7.5, 7.5, 7.5, 7.5)


def test_t16_single_score_episode_excluded_but_counted():
    adm = episodes_from_pairs([(20, 26), (18, None)])
    fd = fit.prepare(adm)
    m = fit.stream_table(fd, "A", [2018]).loc[2018]
    assert (m["n_started"], m["n_analysable"], m["n_single_score"]) == (2, 1, 1)
    assert m["n_improved_reliable"] == 1 and m["share_improved_reliable"] == 100.0


def test_items_are_summed():
    scored, problems = fit.score_administrations(frame([form("P1", "2018-01-01", "", (7.5, 6, 8.2, 5))]))
    assert problems == []
    assert scored.iloc[0]["score"] == pytest.approx(26.7)
    assert scored.iloc[0]["score_source"] == "items"


def test_missing_item_is_never_zero():
    rows = [
        form("P1", "2018-02-01", 20),
        form("P1", "2018-05-01", 26),
        form("P1", "2018-05-20", "", (7, 7, 7, "")),  # latest form, item4 missing, no total
    ]
    scored, problems = fit.score_administrations(frame(rows))
    assert len(scored) == 2  # the incomplete form has no score at all (not 21)
    assert len(problems) == 1
    p = problems[0]
    assert p.severity == "error" and p.row == 4 and p.column == "item4"
    assert "aldrig som 0" in p.message and "fit_administrations.csv" in p.message
    fd = fit.prepare(frame(rows))
    ep = fd.episodes.iloc[0]
    assert ep["last"] == 26 and ep["change"] == 6  # read as 0 it would have been 21 and +1


def test_partial_items_with_total_use_total():
    scored, problems = fit.score_administrations(frame([form("P1", "2018-01-01", 24, (6, 6, "", ""))]))
    assert scored.iloc[0]["score"] == 24 and scored.iloc[0]["score_source"] == "total"
    assert [p.severity for p in problems] == ["warning"]


@pytest.mark.parametrize(
    "row,column",
    [
        (dict(items=(11, 5, 5, 5)), "item1"),
        (dict(items=(5, -1, 5, 5)), "item2"),
        (dict(total=41), "total"),
        (dict(total="abc"), "total"),
        (dict(items=(5, 5, 5, 5), total=30), "total"),  # does not match the item sum 20
    ],
)
def test_out_of_range_values_are_reported_and_left_out(row, column):
    r = form("P1", "2018-01-01", row.get("total", ""), row.get("items", ("", "", "", "")))
    scored, problems = fit.score_administrations(frame([r]))
    assert len(scored) == 0
    errs = [p for p in problems if p.severity == "error"]
    assert errs and errs[0].column == column and errs[0].row == 2
    assert "linje 2" in errs[0].message and column in errs[0].message


def test_invalid_categories_and_dates_are_reported():
    rows = [form("P1", "2018-01-01", 20), form("P2", "not a date", 20), form("P3", "2018-01-01", 20)]
    rows[0]["rater"] = "lærer"
    rows[2]["rater"], rows[2]["about"] = "henviser", "selv"
    scored, problems = fit.score_administrations(frame(rows))
    assert len(scored) == 0
    cols = {(p.row, p.column) for p in problems}
    assert (2, "rater") in cols and (3, "date") in cols and (4, "about") in cols


def test_more_than_one_decimal_is_a_warning_only():
    scored, problems = fit.score_administrations(frame([form("P1", "2018-01-01", "", (5.25, 5, 5, 5))]))
    assert len(scored) == 1 and [p.severity for p in problems] == ["warning"]


def test_srs_never_enters_an_episode():
    rows = [form("P1", "2018-02-01", 20), form("P1", "2018-05-01", 28), form("P1", "2018-05-02", 10, stream="SRS")]
    fd = fit.prepare(frame(rows))
    assert len(fd.episodes) == 1 and fd.episodes.iloc[0]["last"] == 28


# ----------------------------------------------------------------------------- tiny fixture

def test_tiny_fixture_is_clean(tiny_fd):
    assert tiny_fd.problems == []


def _counts(fd, stream, year):
    m = fit.stream_table(fd, stream, YEARS).loc[year]
    return (m["n_started"], m["n_analysable"], m["n_single_score"], m["n_improved_literal"], m["n_improved_reliable"])


@pytest.mark.parametrize(
    "stream,year,expected",
    [
        ("A", 2017, (6, 5, 1, 4, 3)),
        ("A", 2018, (5, 5, 0, 3, 2)),
        ("A", 2019, (2, 1, 1, 1, 1)),
        ("A", 2020, (5, 5, 0, 5, 4)),
        ("B", 2017, (4, 4, 0, 3, 2)),
        ("B", 2018, (0, 0, 0, 0, 0)),
        ("B", 2019, (0, 0, 0, 0, 0)),
        ("B", 2020, (2, 2, 0, 2, 1)),
        ("C", 2018, (3, 3, 0, 2, 1)),
        ("C", 2019, (2, 2, 0, 2, 2)),  # issue 10: P00113's 2019 intake now closes in 2020
    ],
)
def test_tiny_counts(tiny_fd, stream, year, expected):
    assert _counts(tiny_fd, stream, year) == expected


def test_tiny_stream_a_2017_details(tiny_fd):
    m = fit.stream_table(tiny_fd, "A", YEARS).loc[2017]
    assert m["mean_intake"] == pytest.approx(21.4)
    assert m["mean_last"] == pytest.approx(25.6)
    assert m["mean_change"] == pytest.approx(4.2)
    assert (m["n_recovered"], m["n_improved"], m["n_unchanged"], m["n_deteriorated"]) == (2, 1, 1, 1)
    assert m["n_intake_at_or_above_cutoff"] == 1
    assert m["share_improved_literal"] == pytest.approx(80.0)
    assert m["share_improved_reliable"] == pytest.approx(60.0)


def test_intake_is_first_by_date_not_file_order(tiny_fd):
    ep = tiny_fd.episodes.set_index(["stream", "rated_person_id"]).loc[("A", "P00001")]
    assert (ep["n_scores"], ep["intake"], ep["last"]) == (3, 15, 27)


def test_episode_counts_in_year_of_last_score(tiny_fd):
    ep = tiny_fd.episodes.set_index(["stream", "rated_person_id"])
    assert ep.loc[("A", "P00013"), "year"] == 2020
    assert ep.loc[("B", "P00113"), "year"] == 2020


def test_stream_c_outside_years_are_not_applicable(tiny_fd):
    t = fit.stream_table(tiny_fd, "C", YEARS)
    assert t.loc[[2017, 2020], "n_started"].isna().all()
    pooled = t.loc["i alt"]
    assert (pooled["n_analysable"], pooled["n_improved_literal"], pooled["n_improved_reliable"]) == (5, 4, 3)


def test_collateral_ratings_outside_2018_2019_are_ignored(tiny_bundle):
    s = fit.fit_referrer_child(tiny_bundle, YEARS)
    assert s.data.loc[[2017, 2020], "value"].isna().all()
    assert s.data.at[2018, "numerator"] == 1 and s.data.at[2018, "denominator"] == 3
    assert s.data.at[2019, "numerator"] == 2 and s.data.at[2019, "denominator"] == 2
    # issue 10: P00113's January-2020 rating closes its episode (intake kept): one episode of
    # 2020 (+7), outside the criterion; episodes wholly outside 2018-2019 exist but do not count
    ep = fit.from_bundle(tiny_bundle).episodes.set_index(["stream", "rated_person_id"])
    assert (ep.loc[("C", "P00113"), "n_scores"], ep.loc[("C", "P00113"), "change"]) == (2, 7)
    assert ep.loc[("C", "P00113"), "year"] == 2020
    assert ep.loc[("C", "P00101"), "year"] == 2017 and ep.loc[("C", "P00115"), "year"] == 2020
    # Changing every rating outside 2018-2019 changes nothing
    adm, courses = read_tiny()
    c_rows = (adm["rater"] == "henviser") & ~adm["date"].str[:4].isin(["2018", "2019"])
    adm2 = adm.copy()
    adm2.loc[c_rows, ["item1", "item2", "item3", "item4"]] = ""
    adm2.loc[c_rows, "total"] = "1"
    s2 = fit.fit_referrer_child(DataBundle.from_frames({"fit_administrations": adm2, "fit_courses": courses}), YEARS)
    pd.testing.assert_frame_equal(s.data, s2.data)


def test_referrer_ratings_from_almengruppe_are_dropped_with_a_warning():
    rows = [form("P1", "2018-02-01", 20, stream="C", group="almen"),
            form("P1", "2018-05-01", 30, stream="C", group="almen")]
    fd = fit.prepare(frame(rows))
    assert len(fd.episodes) == 0
    assert [p.severity for p in fd.problems] == ["warning", "warning"]


def test_tiny_indicator_series_both_readings(tiny_bundle):
    s = fit.fit_parent_self(tiny_bundle, YEARS)
    assert s.indicator == "fit_parent_self" and s.unit == "pct" and not s.source_missing
    assert fit.STATUS_READING == "reliable"
    assert s.data.at[2017, "value"] == pytest.approx(60.0)
    assert s.data.at[2018, "value"] == pytest.approx(40.0)
    assert s.data.at[2020, "value"] == pytest.approx(80.0)
    lit = s.extra["readings"]["literal"]
    assert lit[2017] == {"numerator": 4, "denominator": 5}
    assert lit[2018] == {"numerator": 3, "denominator": 5}
    assert lit[2020] == {"numerator": 5, "denominator": 5}
    assert s.extra["readings"]["reliable"][2017] == {"numerator": 3, "denominator": 5}
    literal = fit.fit_parent_self(tiny_bundle, YEARS, reading="literal")
    assert literal.data.at[2017, "value"] == pytest.approx(80.0)


def test_stream_without_data_in_a_year_is_missing_not_zero(tiny_bundle):
    s = fit.fit_parent_child(tiny_bundle, YEARS)
    assert s.data.loc[[2018, 2019], "value"].isna().all()
    assert s.data.loc[[2018, 2019], "denominator"].isna().all()
    assert s.data.at[2017, "value"] == pytest.approx(50.0)
    assert s.data.at[2020, "value"] == pytest.approx(50.0)


def test_year_without_any_data_is_missing(tiny_bundle):
    s = fit.fit_parent_self(tiny_bundle, YEARS + [2021])
    assert math.isnan(s.data.at[2021, "value"])
    t = fit.stream_table(fit.from_bundle(tiny_bundle), "A", [2021], include_total=False)
    assert t["n_started"].isna().all()


def test_all_episodes_single_score():
    bundle = DataBundle.from_frames({"fit_administrations": episodes_from_pairs([(20, None)] * 6)})
    s = fit.fit_parent_self(bundle, [2018])
    assert math.isnan(s.data.at[2018, "value"]) and math.isnan(s.data.at[2018, "denominator"])
    assert s.extra["n_single_score"][2018] == 6
    assert any("kun én måling" in n for n in s.notes)
    tables = fit.board_tables(bundle, 2018)
    assert tables["stream_A"].loc["Forløb med kun én måling (frafald)", "2018"] == "6"
    status = pytest.importorskip("helhedsplan_eval.analysis.status")
    catalogue = pytest.importorskip("helhedsplan_eval.catalogue.criteria")
    ev = status.evaluate(catalogue.load_catalogue().criteria["FF-FAM-2"], s, 2018)
    assert ev.status == "Afventer data"


def test_source_missing():
    s = fit.fit_parent_child(DataBundle.from_frames({}), YEARS)
    assert s.source_missing and s.data["value"].isna().all()
    assert fit.board_tables(DataBundle.from_frames({}), 2020) == {}


def test_specialgruppe_size_and_srs(tiny_fd):
    assert fit.specialgruppe_size(tiny_fd, YEARS).to_dict() == {2017: 1, 2018: 3, 2019: 3, 2020: 3}
    srs = fit.srs_summary(tiny_fd, YEARS)
    assert srs.at[2017, "mean_srs"] == pytest.approx(36.5)
    assert srs.at[2017, "share_under_36"] == pytest.approx(50.0)
    assert srs.at[2018, "n_sessions"] == 1 and srs.at[2019, "n_sessions"] == 0


def test_indicators_registered():
    for name in ("fit_parent_self", "fit_parent_child", "fit_referrer_child"):
        assert INDICATORS[name] is getattr(fit, name)


def test_reliability_falls_back_to_standard_with_few_item_sets(tiny_fd):
    m = fit.stream_table(tiny_fd, "A", [2017]).loc[2017]
    assert m["reliability_source"] == "standard" and m["reliability"] == fit.DEFAULT_RELIABILITY
    # intake 15, 22, 30, 20, 20: SD = sqrt(119.2 / 4) = 5.4589; RCI = 1.96 * 1.4142 * 5.4589 * sqrt(0.07) = 4.0033
    assert m["rci_data"] == pytest.approx(4.0033, abs=1e-3)


def test_cronbach_alpha_known_value():
    # items = person level + item offsets: no error variance -> alpha = 1; textbook 3x3 example below
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 4, 5], "c": [1, 3, 2, 4]})
    # var(a)=var(b)=1.6667, var(c)=1.6667, total = [4, 8, 9, 13] var = 13.6667 -> 1.5*(1-5/13.6667)
    assert fit.cronbach_alpha(x) == pytest.approx(1.5 * (1 - 5.0 / 13.666667), abs=1e-5)


# ----------------------------------------------------------------------------- status via the catalogue

def test_tiny_statuses_via_catalogue(tiny_bundle):
    status = pytest.importorskip("helhedsplan_eval.analysis.status")
    catalogue = pytest.importorskip("helhedsplan_eval.catalogue.criteria")
    crits = catalogue.load_catalogue().criteria
    ev = status.evaluate(crits["FF-FAM-2"], fit.fit_parent_self(tiny_bundle, YEARS), 2017)
    assert ev.status == "Ikke opfyldt" and ev.value == pytest.approx(60.0) and ev.uncertain
    ev = status.evaluate(crits["FF-FAM-2"], fit.fit_parent_self(tiny_bundle, YEARS, reading="literal"), 2017)
    assert ev.status == "Opfyldt" and ev.value == pytest.approx(80.0)
    ev = status.evaluate(crits["FF-FAM-4"], fit.fit_referrer_child(tiny_bundle, YEARS), 2017)
    assert ev.status == "Ikke aktuel endnu"
    ev = status.evaluate(crits["FF-FAM-4"], fit.fit_referrer_child(tiny_bundle, YEARS), 2020)
    assert ev.value == pytest.approx(60.0) and ev.status == "Ikke opfyldt"
    ev = status.evaluate(crits["FF-FAM-4"], fit.fit_referrer_child(tiny_bundle, YEARS, reading="literal"), 2020)
    assert ev.value == pytest.approx(80.0) and ev.status == "Opfyldt"


def test_status_table(tiny_bundle):
    pytest.importorskip("helhedsplan_eval.analysis.status")
    t = fit.status_table(tiny_bundle, 2020)
    assert list(t.index) == ["FF-FAM-2", "FF-FAM-3", "FF-FAM-4"]
    assert t.loc["FF-FAM-4", "Status (pålidelig forbedring)"].startswith("Ikke opfyldt")
    assert t.loc["FF-FAM-4", "Status (bogstavelig læsning)"].startswith("Opfyldt")
    assert "nan" not in t.to_string().lower()


# ----------------------------------------------------------------------------- disclosure control

def test_secondary_suppression_row_and_column():
    counts = pd.DataFrame({"2018": [3, 6, 7], "2019": [8, 9, 10]}, index=["a", "b", "c"])
    mask = fit.secondary_suppression(counts, 5)
    assert mask.at["a", "2018"]  # primary
    assert mask.values.sum() >= 2
    # no row or column with exactly one hidden cell remains
    assert all(mask.sum(axis=1) != 1) and all(mask.sum(axis=0) != 1)


def test_secondary_suppression_zeros_never_hidden():
    counts = pd.DataFrame({"x": [2, 0, 12]}, index=["a", "b", "c"])
    mask = fit.secondary_suppression(counts, 5)
    assert mask.at["a", "x"] and not mask.at["b", "x"] and mask.at["c", "x"]


def _all_strings(tables):
    for name, t in tables.items():
        yield name, t.to_string() + " " + " ".join(map(str, t.columns)) + " " + " ".join(map(str, t.index))


def test_board_tables_have_no_ids_dates_or_nan(tiny_bundle):
    adm, _ = read_tiny()
    ids = set(adm["family_id"]) | set(adm["rated_person_id"]) | set(adm["course_id"]) | set(adm["administration_id"])
    for year in YEARS:
        tables = fit.board_tables(tiny_bundle, year)
        assert tables
        for name, text in _all_strings(tables):
            assert "nan" not in text.lower(), name
            assert not any(i in text for i in ids), name
            assert "-02-01" not in text and ".2017" not in text, name


def test_board_tables_suppress_small_counts(tiny_bundle):
    tables = fit.board_tables(tiny_bundle, 2020)
    a = tables["stream_A"]
    assert a.loc["Forløb med kun én måling (frafald)", "2017"] == "<5"
    # issue 10: started 6 beside analysable 5 would give the single-score count away (6 - 5 = 1)
    assert a.loc["Forløb påbegyndt", "2017"] == "skjult"
    # 2019 has one analysable episode: no share, no mean
    assert a.loc["Andel med pålidelig forbedring (mindst 5 point)", "2019"] == "–"
    assert a.loc["Gns. første måling (0–40 point)", "2019"] == "–"
    assert a.loc["Andel med pålidelig forbedring (mindst 5 point)", "2017"] == "60,0\u00a0%"
    assert a.loc["Andel med højere seneste score (bogstavelig læsning)", "2017"] == "80,0\u00a0%"
    cats = tables["categories_A"]
    for col in cats.columns:  # every cell 1-4 is hidden; no column or row leaves exactly one hidden
        assert not any(v.isdigit() and 0 < int(v) < 5 for v in cats[col])
    # the B stream of 2017 (4 analysable) shows no share
    assert tables["stream_B"].loc["Andel med pålidelig forbedring (mindst 5 point)", "2017"] == "–"
    r = tables["readings"]
    assert r.loc["FF-FAM-4", "Bogstavelig læsning"] == "80,0\u00a0%"
    assert r.loc["FF-FAM-4", "Pålidelig forbedring"] == "60,0\u00a0%"
    assert r.loc["FF-FAM-4", "Opgjort for"] == "2018\u20132019 samlet"  # issue 10: ranges with an en dash


def test_board_tables_2017_collateral_not_yet(tiny_bundle):
    tables = fit.board_tables(tiny_bundle, 2017)
    assert tables["stream_C"].empty
    assert tables["readings"].loc["FF-FAM-4", "Pålidelig forbedring"] == "ikke aktuel endnu"
    txt = fit.collateral_applicability(fit.from_bundle(tiny_bundle), 2017)
    assert "ikke aktuelt endnu" in txt and "<5" in txt


def test_chart_data_aggregates_only(tiny_bundle):
    cd = fit.chart_data(tiny_bundle, 2020)
    il = cd["intake_last"]
    assert set(il["n"]) and il["n"].min() >= 5
    row = il[(il["stream"] == "A") & (il["year"] == 2017)].iloc[0]
    assert row["mean_intake"] == pytest.approx(21.4) and row["mean_last"] == pytest.approx(25.6)
    h = cd["change_hist"]
    shown = h[~h["suppressed"]]
    assert ((shown["count"] == 0) | (shown["count"] >= 5)).all()
    assert h["suppressed"].any()
    assert not any(c in h.columns for c in ("rated_person_id", "family_id", "date"))


# ----------------------------------------------------------------------------- synthetic sample

def test_sample_is_deterministic_and_exercises_every_path():
    from helhedsplan_eval.data.sample_fit import make_fit_tables

    a = make_fit_tables(np.random.default_rng(7))
    b = make_fit_tables(np.random.default_rng(7))
    pd.testing.assert_frame_equal(a["fit_administrations"], b["fit_administrations"])
    pd.testing.assert_frame_equal(a["fit_courses"], b["fit_courses"])
    adm = a["fit_administrations"]
    assert adm["administration_id"].is_unique and a["fit_courses"]["course_id"].is_unique
    assert adm["date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert ((adm["item1"] == "") & (adm["total"] != "")).any()  # total-only forms
    fd = fit.prepare(adm, a["fit_courses"])
    assert [p for p in fd.problems if p.severity == "error"] == []
    ep = fd.episodes
    years = fd.scored.groupby("year")["family_id"].nunique()
    assert all(15 <= years[y] <= 30 for y in YEARS)
    assert (~ep["analysable"]).any()
    assert (ep["intake"] >= ep["cutoff"]).any()
    assert (ep["category"] == "deteriorated").any() and (ep["category"] == "recovered").any()
    sg = fit.specialgruppe_size(fd, YEARS)
    assert sg[2017] < sg[2018] < sg[2019] <= sg[2020]
    ref = fd.scored[fd.scored["rater"] == "henviser"]
    assert set(ref["year"]) == set(YEARS)  # referrer ratings in every year, so 2018-2019 matters
    assert (fd.scored["scale"] == "SRS").any()


# ----------------------------------------------------------------------------- notebook (jupytext pair)

def test_notebook_builder_parameters_and_thinness():
    import nbformat

    nb = nbformat.read(Path(__file__).parents[1] / "notebooks" / "fit_collateral.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["parameters"]
    assert code[0].source == (
        'evaluation_year: int = 2020  # evaluationsår\n'
        'data_dir: str = "../data/sample"  # datamappe\n'
        'min_cell: int = 5  # mindste viste antal personer (diskretionering)\n'
        'plan_dir: str = "params"  # planmappen (plan.yml, criteria.yml), relativ til projektmappen'
    )
    assert "from helhedsplan_eval.report.board import check_parameters, data_banner" in code[1].source
    assert "check_parameters(evaluation_year, data_dir, min_cell, plan_dir)" in code[1].source
    assert "data_banner(data_dir)" in code[1].source
    assert not any("def " in c.source or "lambda" in c.source for c in code)
    assert all(', "fit-' in c.source for c in code if "report.table(" in c.source)  # fixed uuids
    # every chart reaches the page as an <img> with a meaningful alt text (not matplotlib's "Figur")
    charts = [c for c in code if "plt.subplots" in c.source]
    assert len(charts) == 3
    assert all("report.figure_html(fig, alt=" in c.source and "evaluation_year" in c.source for c in charts)
    assert len({c.id for c in nb.cells}) == len(nb.cells)


# ----------------------------------------------------------------------------- issue 10: raters are part of an episode

def rated(person, date, total, rater_id="", stream="B", course="C900", group="special", admin=None):
    r = form(person, date, total, stream=stream, course=course, family="F0900", group=group)
    r["rater_id"] = rater_id
    if admin:
        r["administration_id"] = admin
    return r


def test_two_parents_rating_one_child_are_two_episodes():
    # the issue's example: mother 20 -> 22, father 30 -> 31 about the same child in the same course
    rows = [rated("P0100", "2018-02-01", 20, "M1"), rated("P0100", "2018-02-01", 30, "F1"),
            rated("P0100", "2018-05-01", 22, "M1"), rated("P0100", "2018-05-01", 31, "F1")]
    fd = fit.prepare(frame(rows))
    assert fd.problems == []
    ep = fd.episodes.sort_values("change")
    assert list(ep["change"]) == [1, 2] and list(ep["intake"]) == [30, 20]
    assert list(ep["category"]) == ["unchanged", "unchanged"]  # neither reliable
    m = fit.stream_table(fd, "B", [2018]).loc[2018]
    assert (m["n_analysable"], m["n_units"], m["n_improved_literal"], m["n_improved_reliable"]) == (2, 2, 2, 0)
    assert m["n_deteriorated_reliable"] == 0  # today: one "deteriorated" episode 30 -> 22
    s = fit.fit_parent_child(DataBundle.from_frames({"fit_administrations": frame(rows)}), [2018])
    assert (s.data.at[2018, "numerator"], s.data.at[2018, "denominator"]) == (0, 2)
    assert s.extra["readings"]["literal"][2018] == {"numerator": 2, "denominator": 2}


def test_without_rater_id_same_day_forms_form_one_episode_with_a_warning():
    rows = [rated("P0100", "2018-02-01", 20), rated("P0100", "2018-02-01", 30),
            rated("P0100", "2018-05-01", 22), rated("P0100", "2018-05-01", 31)]
    fd = fit.prepare(frame(rows))
    assert len(fd.episodes) == 1 and fd.episodes.iloc[0]["n_scores"] == 4
    warns = [p for p in fd.problems if p.column == "rater_id"]
    assert [p.severity for p in warns] == ["warning", "warning"] and {p.row for p in warns} == {3, 5}
    assert "rater_id" in warns[0].message and "mor og far" in warns[0].message


def test_blank_rater_id_joins_the_only_named_rater_or_is_left_out():
    one = [rated("P0100", "2018-02-01", 20, "M1"), rated("P0100", "2018-05-01", 27, "")]
    fd = fit.prepare(frame(one))
    assert fd.problems == [] and len(fd.episodes) == 1 and fd.episodes.iloc[0]["change"] == 7
    two = one + [rated("P0100", "2018-02-02", 30, "F1"), rated("P0100", "2018-05-02", 31, "F1")]
    fd = fit.prepare(frame(two))
    errs = [p for p in fd.problems if p.severity == "error"]
    assert [(p.row, p.column) for p in errs] == [(3, "rater_id")]
    assert "2 forskellige bedømmere" in errs[0].message
    assert sorted(fd.episodes["n_scores"]) == [1, 2]  # M1: intake only; F1: 30 -> 31


def test_self_rating_with_another_rater_id_is_an_error():
    r = form("P0001", "2018-02-01", 20)
    r["rater_id"] = "P0002"
    scored, problems = fit.score_administrations(frame([r]))
    assert len(scored) == 0 and [(p.row, p.column, p.severity) for p in problems] == [(2, "rater_id", "error")]
    r["rater_id"] = "P0001"
    scored, problems = fit.score_administrations(frame([r]))
    assert len(scored) == 1 and problems == []


def test_a_referrer_rating_several_children_counts_once():
    # R1 rates three children in 2018: +6, +6, -2 (mean +3,33: not reliable, but an increase);
    # R2 rates one child: +8. Units (referrers): 2; literal 2/2, reliable 1/2 (episodes: 3 of 4).
    rows = []
    for child, (a, b), rid in [("P0201", (20, 26), "R1"), ("P0202", (18, 24), "R1"), ("P0203", (22, 20), "R1"),
                               ("P0204", (15, 23), "R2")]:
        rows += [rated(child, "2018-02-01", a, rid, stream="C"), rated(child, "2018-06-01", b, rid, stream="C")]
    fd = fit.prepare(frame(rows))
    m = fit.stream_table(fd, "C", [2018]).loc[2018]
    assert (m["n_analysable"], m["n_units"]) == (4, 2)
    assert (m["n_improved_literal"], m["n_improved_reliable"]) == (2, 1)
    assert m["n_improved"] + m["n_recovered"] == 3  # episode-level categories are kept
    s = fit.fit_referrer_child(DataBundle.from_frames({"fit_administrations": frame(rows)}), [2018, 2019])
    assert (s.data.at[2018, "numerator"], s.data.at[2018, "denominator"]) == (1, 2)


def test_a_referrer_counts_once_in_2018_2019_in_the_year_of_its_latest_episode():
    # R1: 2018 episode +6, 2019 episode +2 -> one unit of 2019 with mean +4 (not reliable);
    # R2: 2018 episode +7 -> unit of 2018, reliable. Pooled: 1 of 2 referrers (not 1 + 1 of 3).
    rows = [rated("P0301", "2018-02-01", 20, "R1", stream="C"), rated("P0301", "2018-06-01", 26, "R1", stream="C"),
            rated("P0302", "2019-02-01", 20, "R1", stream="C"), rated("P0302", "2019-06-01", 22, "R1", stream="C"),
            rated("P0303", "2018-02-01", 20, "R2", stream="C"), rated("P0303", "2018-06-01", 27, "R2", stream="C")]
    s = fit.fit_referrer_child(DataBundle.from_frames({"fit_administrations": frame(rows)}), YEARS)
    assert (s.data.at[2018, "numerator"], s.data.at[2018, "denominator"]) == (1, 1)
    assert (s.data.at[2019, "numerator"], s.data.at[2019, "denominator"]) == (0, 1)
    assert s.extra["readings"]["literal"][2019] == {"numerator": 1, "denominator": 1}


# ----------------------------------------------------------------------------- issue 10: dates, order, zeros

def test_referrer_episode_crossing_new_year_keeps_its_intake():
    # intake 2017-11-01 (20), closing 2018-03-01 (27): one episode of 2018, +7, reliable
    # intake 2019-09-10 (18), closing 2020-01-20 (25): one episode of 2020, outside FF-FAM-4, named in a note
    rows = [rated("P0401", "2017-11-01", 20, stream="C"), rated("P0401", "2018-03-01", 27, stream="C"),
            rated("P0402", "2018-04-01", 20, stream="C"), rated("P0402", "2018-08-01", 21, stream="C"),
            rated("P0403", "2019-09-10", 18, stream="C"), rated("P0403", "2020-01-20", 25, stream="C")]
    bundle = DataBundle.from_frames({"fit_administrations": frame(rows)})
    ep = fit.from_bundle(bundle).episodes.set_index("rated_person_id")
    assert (ep.at["P0401", "intake"], ep.at["P0401", "last"], ep.at["P0401", "year"]) == (20, 27, 2018)
    assert (ep.at["P0403", "n_scores"], ep.at["P0403", "year"]) == (2, 2020)
    s = fit.fit_referrer_child(bundle, YEARS)
    assert (s.data.at[2018, "numerator"], s.data.at[2018, "denominator"]) == (1, 2)
    assert s.extra["n_single_score"][2018] == 0
    assert math.isnan(s.data.at[2020, "denominator"])
    assert any("<5 henviserforløb begyndte senest i 2019" in n for n in s.notes)


def test_forms_on_the_same_date_follow_the_administration_number():
    # A9 (20) and A10 (27) on the same day: A9 is the intake (as text 'A10' < 'A9' would reverse it)
    rows = [form("P0501", "2018-03-01", 27), form("P0501", "2018-03-01", 20)]
    rows[0]["administration_id"], rows[1]["administration_id"] = "A10", "A9"
    fd = fit.prepare(frame(rows))
    e = fd.episodes.iloc[0]
    assert (e["intake"], e["last"], e["change"]) == (20, 27, 7)
    assert sorted(["A10", "A9", "A1", "B2"], key=fit.natural_key) == ["A1", "A9", "A10", "B2"]


def test_a_total_of_zero_is_a_warning_and_kept():
    rows = [form("P0601", "2018-02-01", 0), form("P0601", "2018-05-01", "", (0, 0, 0, 0)),
            form("P0601", "2018-06-01", 12)]
    scored, problems = fit.score_administrations(frame(rows))
    assert len(scored) == 3 and list(scored["score"]) == [0, 0, 12]
    assert [(p.row, p.column, p.severity) for p in problems] == [(2, "total", "warning"),
                                                                 (3, "item1-item4", "warning")]
    assert "0 ikke står for manglende svar" in problems[0].message
    fd = fit.prepare(frame(rows))
    assert fd.episodes.iloc[0]["change"] == 12


# ----------------------------------------------------------------------------- issue 10: sensitivity reading

# Ten parents in 2018 (adult cut-off 25, threshold 5). Below the cut-off at intake: P1 15->22 (+7),
# P2 18->20 (+2), P3 20->26 (+6), P4 10->16 (+6), P5 24->30 (+6), P6 22->21 (-1); at or above it:
# P7 30->36 (+6), P8 28->29 (+1), P9 26->32 (+6), P10 27->28 (+1).
# Any increase: 9/10 = 90 %; reliable improvement: P1, P3, P4, P5, P7, P9 = 6/10 = 60 %;
# reliable improvement among the 6 who started below the cut-off: P1, P3, P4, P5 = 4/6 = 66,7 %.
# FF-FAM-2 (65 %, annual): reliable -> Ikke opfyldt; below the cut-off -> Opfyldt: the reading decides.
SENS_PAIRS = [(15, 22), (18, 20), (20, 26), (10, 16), (24, 30), (22, 21), (30, 36), (28, 29), (26, 32), (27, 28)]


@pytest.fixture(scope="module")
def sens_bundle():
    return DataBundle.from_frames({"fit_administrations": episodes_from_pairs(SENS_PAIRS)})


def test_sensitivity_reading_hand_computed(sens_bundle):
    m = fit.stream_table(fit.from_bundle(sens_bundle), "A", [2018]).loc[2018]
    assert (m["n_units"], m["n_units_below"], m["n_units_above"]) == (10, 6, 4)
    assert (m["n_improved_literal"], m["n_improved_reliable"], m["n_improved_below"]) == (9, 6, 4)
    assert m["share_improved_below"] == pytest.approx(200 / 3)
    lo, hi = fit.wilson_interval(4, 6)
    assert (m["below_ci_low"], m["below_ci_high"]) == pytest.approx((100 * lo, 100 * hi))
    s = fit.fit_parent_self(sens_bundle, [2018], reading="reliable_below")
    assert (s.data.at[2018, "numerator"], s.data.at[2018, "denominator"]) == (4, 6)
    assert s.extra["readings"]["reliable_below"][2018] == {"numerator": 4, "denominator": 6}


def test_sensitivity_reading_in_tables_and_status(sens_bundle):
    pytest.importorskip("helhedsplan_eval.analysis.status")
    r = fit.board_tables(sens_bundle, 2018)["readings"].loc["FF-FAM-2"]
    assert (r["Bogstavelig læsning"], r["Pålidelig forbedring"]) == ("90,0\u00a0%", "60,0\u00a0%")
    assert r["Pålidelig forbedring blandt dem, der startede under grænsen"] == "66,7\u00a0%"
    a = fit.board_tables(sens_bundle, 2018)["stream_A"]
    assert a.loc["Andel med pålidelig forbedring blandt forældre, der startede under grænsen", "2018"] == "66,7\u00a0%"
    st = fit.status_table(sens_bundle, 2018)
    row = st.loc["FF-FAM-2"]
    assert row["Status (pålidelig forbedring)"].startswith("Ikke opfyldt")
    assert row["Status (bogstavelig læsning)"].startswith("Opfyldt")
    assert row["Status (pålidelig forbedring, startede under grænsen)"].startswith("Opfyldt")
    assert row["Andel (pålidelig forbedring, startede under grænsen)"] == "66,7\u00a0%"
    assert row["Antal i andelen"] == "10 forældre"
    txt = fit.reading_sensitivity_text(st)
    assert "FF-FAM-2: læsningen afgør status" in txt and "Ikke opfyldt" in txt


def test_sensitivity_share_hidden_under_min_cell(sens_bundle):
    # 6 parents started below the cut-off: with min_cell 7 the share is neither shown nor plotted
    r = fit.board_tables(sens_bundle, 2018, min_cell=7)["readings"].loc["FF-FAM-2"]
    assert r["Pålidelig forbedring blandt dem, der startede under grænsen"] == "–"
    assert r["Pålidelig forbedring"] == "60,0\u00a0%"
    sh = fit.chart_data(sens_bundle, 2018, min_cell=7)["shares"]
    assert set(sh.loc[sh["stream"] == "A", "reading"]) == {"literal", "reliable"}


# ----------------------------------------------------------------------------- issue 10: disclosure per channel

def _cell_value(text):
    """A count as shown, or None when hidden ('<5', 'skjult', '–')."""
    return int(text.replace(".", "")) if fit._is_number_text(text) else None


def _recover(table: pd.DataFrame, groups) -> list:
    """Try to work out hidden cells: every group whose cells add up (first cell = sum of the rest)
    and that has exactly one hidden cell gives that cell away. Returns the recovered cells."""
    got = []
    for total, *parts in groups:
        cells = [total] + parts
        vals = {c: _cell_value(table.at[c]) for c in cells}
        hidden = [c for c in cells if vals[c] is None and table.at[c] != "–"]
        if len(hidden) == 1:
            got.append(hidden[0])
    return got


def _small_dropout_bundle():
    # 2018: 7 parents start, 2 drop out after one form (the count to protect), 5 analysable;
    # 2019: 8 parents, all analysable
    pairs18 = [(20, 26), (18, 25), (22, 23), (15, 21), (30, 31), (19, None), (21, None)]
    rows = list(episodes_from_pairs(pairs18, year=2018).to_dict("records"))
    rows += list(episodes_from_pairs([(20, 27)] * 8, year=2019).assign(
        rated_person_id=lambda d: d["rated_person_id"].str.replace("P0", "Q0")).to_dict("records"))
    return DataBundle.from_frames({"fit_administrations": frame(rows)})


def test_disclosure_table_channel_small_count_cannot_be_recovered():
    t = fit.board_tables(_small_dropout_bundle(), 2019)["stream_A"]
    st, an, si = "Forløb påbegyndt", "Forløb med mindst to målinger", "Forløb med kun én måling (frafald)"
    un = fit._units_label("A")
    ab = "Forløb, der startede på eller over den kliniske grænse"
    assert t.at[si, "2018"] == "<5"
    groups = []
    for col in ["2018", "2019", "I alt"]:
        groups += [[(st, col), (an, col), (si, col)]]
    for row in [st, an, si, un, ab]:
        groups.append([(row, "I alt"), (row, "2018"), (row, "2019")])
    stacked = t.stack()
    assert _recover(stacked, groups) == []
    # and the plain attempt: started - analysable in 2018 is not available
    assert _cell_value(t.at[st, "2018"]) is None or _cell_value(t.at[an, "2018"]) is None
    # the episodes that started below the cut-off (not shown) do not follow from analysable - at/above:
    # 2018: 20, 18, 22, 15 below and 30 at/above the cut-off 25 -> 4 below would be 5 - 1
    for col in ["2018", "2019", "I alt"]:
        a, b = _cell_value(t.at[an, col]), _cell_value(t.at[ab, col])
        if a is not None and b is not None:
            assert a - b == 0 or a - b >= 5, col
    assert _cell_value(t.at[an, "2018"]) == 5 and _cell_value(t.at[ab, "2018"]) is None
    # the analysable count is never quoted elsewhere when the table hides it
    cats = fit.board_tables(_small_dropout_bundle(), 2019)["categories_A"]
    for col in cats.columns:
        vals = [_cell_value(v) for v in cats[col]]
        if None in vals:
            assert vals.count(None) >= 2, col


def test_disclosure_chart_channel_share_of_2_of_3_is_no_point_and_hidden_bins_stay_hidden():
    import matplotlib

    matplotlib.use("Agg")
    # 2018: 3 parents, 2 improved reliably -> no share, no mean, no point; 2019: 11 parents
    rows = list(episodes_from_pairs([(20, 26), (18, 25), (22, 23)], year=2018).to_dict("records"))
    rows += list(episodes_from_pairs([(20, 26)] * 5 + [(20, 21)] * 5 + [(20, 13)], year=2019)
                 .assign(rated_person_id=lambda d: d["rated_person_id"].str.replace("P0", "Q0")).to_dict("records"))
    bundle = DataBundle.from_frames({"fit_administrations": frame(rows)})
    cd = fit.chart_data(bundle, 2019)
    a = cd["shares"][cd["shares"]["stream"] == "A"]
    assert "2018" not in set(a["period"]) and set(a["period"]) == {"2019"}
    assert not ((cd["shares"]["n"] < 5)).any()
    assert 2018 not in set(cd["intake_last"]["year"])
    ax = fit.plot_shares(cd["shares"], "A")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019"]
    # histogram of the 14 changes (2018: +6, +7, +1; 2019: 5 x +6, 5 x +1, -7) in 5-point bins:
    # [-10,-5): 1, [-5,0): 0, [0,5): 6, [5,10): 7. The bin of 1 is hidden; shown alone it would
    # follow from the total (14 analysable episodes) - 6 - 7, so the bin of 6 is hidden too
    h = cd["change_hist"][cd["change_hist"]["stream"] == "A"]
    assert list(h["bin_left"]) == [-10, -5, 0, 5]
    assert list(h["suppressed"]) == [True, False, True, False]
    shown = h[~h["suppressed"]]
    assert ((shown["count"] == 0) | (shown["count"] >= 5)).all()
    n_hidden = int(h["suppressed"].sum())
    assert h["count"].isna().sum() == n_hidden
    up = h[h["bin_left"] >= 5]
    assert int(up["suppressed"].sum()) != 1 and int(h[h["bin_left"] < 5]["suppressed"].sum()) != 1
    # a hidden bin is drawn at a fixed height, never at its count
    ax = fit.plot_change_distribution(cd["change_hist"], "A")
    heights = sorted(round(p.get_height(), 6) for p in ax.patches if p.get_hatch())
    assert heights and set(heights) == {4.0}


def test_disclosure_text_channel_says_less_than_min_cell():
    status = pytest.importorskip("helhedsplan_eval.analysis.status")
    # three referrers rate one child each in 2018 -> "<5", never "3", in every sentence
    rows = []
    for i, (a, b) in enumerate([(20, 26), (18, 20), (22, 30)]):
        rows += [rated(f"P07{i:02d}", "2018-02-01", a, f"R{i}", stream="C"),
                 rated(f"P07{i:02d}", "2018-06-01", b, f"R{i}", stream="C")]
    bundle = DataBundle.from_frames({"fit_administrations": frame(rows)})
    fd = fit.from_bundle(bundle)
    txt = fit.collateral_applicability(fd, 2019)
    assert "<5 henvisende samarbejdspartnere" in txt and " 3 " not in txt
    # 3 parents in 2018 ("<5"), 8 in 2019, 11 in all: the table must hide the total (11 - 8 = 3)
    # and keep the judged year; the status text quotes only what the table shows
    rows = list(episodes_from_pairs([(20, 26), (18, 25), (22, 23)], year=2018).to_dict("records"))
    rows += list(episodes_from_pairs([(20, 27)] * 7 + [(20, 21)], year=2019)
                 .assign(rated_person_id=lambda d: d["rated_person_id"].str.replace("P0", "Q0")).to_dict("records"))
    small18 = DataBundle.from_frames({"fit_administrations": frame(rows)})
    table = fit.board_tables(small18, 2019)["stream_A"]
    assert [table.at[fit._units_label("A"), c] for c in ("2018", "2019", "I alt")] == ["<5", "8", "skjult"]
    st_a = fit.status_table(small18, 2019).loc["FF-FAM-2"]
    assert st_a["Antal i andelen"] == "8 forældre" and "11" not in st_a["Forklaring"]
    assert fit.board_tables(small18, 2019)["readings"].at["FF-FAM-2", "Antal i andelen"] == "8 forældre"
    assert table.at["Andel med pålidelig forbedring (mindst 5 point)", "I alt"] == "–"  # 9 of 11 would give 11
    st = fit.status_table(bundle, 2019)
    assert st.at["FF-FAM-4", "Antal i andelen"] == "<5 henvisere"
    assert st.at["FF-FAM-4", "Andel (pålidelig forbedring)"] == "–"
    assert not any(ch in st.at["FF-FAM-4", "Forklaring"] for ch in "123")
    assert "Ikke opfyldt" not in st.at["FF-FAM-4", "Status (pålidelig forbedring)"]  # 2 of 3 gives no verdict
    # the run's min_cell reaches the indicator's notes: 7 specialgruppe families show as "<10"
    rows2 = [rated(f"P08{i:02d}", "2018-02-01", 20, stream="C") for i in range(7)]
    with status.disclosure_threshold(10):
        s = fit.fit_referrer_child(DataBundle.from_frames({"fit_administrations": frame(rows2)}), YEARS)
    note = next(n for n in s.notes if n.startswith("Familier i specialgruppen"))
    assert "2018: <10" in note and "7" not in note
    dn = fit.data_note(DataBundle.from_frames({"fit_administrations": frame(rows2)}), 2018, min_cell=10)
    assert "<10 FIT-skemaer" in dn and not re.search(r"(?<!\d)7(?!\d)", dn)
    assert "2017\u20132018" in dn


# ----------------------------------------------------------------------------- issue 10: board language

def test_board_language_danish_minus_and_ranges():
    # all parents deteriorate: negative means and a negative interval
    bundle = DataBundle.from_frames({"fit_administrations": episodes_from_pairs(
        [(30, 24), (28, 25), (26, 20), (31, 29), (27, 20), (29, 27)])})
    tables = fit.board_tables(bundle, 2018)
    a = tables["stream_A"]
    # changes -6, -3, -6, -2, -7, -2: mean -26/6 = -4.33
    assert a.at["Gns. ændring (point)", "2018"] == "\u22124,3"
    ci = a.at["95 %-konfidensinterval for ændringen (point)", "2018"]
    assert ci.startswith("\u2212") and " til \u2212" in ci
    # a share interval: Wilson(13, 20) = 43,3-81,9 % -> "43–82 %"
    assert fit.fmt_range(43.29, 81.88, 0, pct=True) == "43\u201382\u00a0%"
    assert fit.fmt_range(39.66, 89.24, 1, pct=True) == "39,7\u201389,2\u00a0%"
    text = " ".join(t.to_string() + " " + " ".join(map(str, t.index)) + " " + " ".join(map(str, t.columns))
                    + " " + str(t.index.name) for t in tables.values())
    for word in ("cut-off", "recovered", "d_z", "collateral", "Jacobson-Truax", "0-40"):
        assert word not in text, word
    assert not re.search(r"(?<![\w\u2212])-\d", text)  # no hyphen used as a minus sign
    for cell in (tables["stream_A"].loc["95 %-konfidensinterval (mindst 5 point)"]):
        assert cell == "–" or "\u2013" in cell


def test_reading_sensitivity_text_names_readings_without_a_verdict():
    st = pd.DataFrame({
        "Status (pålidelig forbedring)": ["Ikke opfyldt (usikkert)", "Opfyldt", "Afventer data"],
        "Status (bogstavelig læsning)": ["Opfyldt", "Opfyldt", "Afventer data"],
        "Status (pålidelig forbedring, startede under grænsen)": ["Ikke opfyldt", "Afventer data", "Afventer data"],
    }, index=["FF-FAM-2", "FF-FAM-3", "FF-FAM-4"])
    lines = fit.reading_sensitivity_text(st).splitlines()
    assert lines[0].startswith("- FF-FAM-2: læsningen afgør status. Med pålidelig forbedring (den valgte læsning) "
                               "er status Ikke opfyldt; med bogstavelig læsning ville den være Opfyldt")
    assert lines[1] == ("- FF-FAM-3: læsningerne giver samme status (Opfyldt). Med pålidelig forbedring, "
                        "startede under grænsen kan status ikke vurderes (Afventer data).")
    assert lines[2] == "- FF-FAM-4: ingen af læsningerne giver en vurdering endnu (Afventer data)."


def test_a_parent_counts_once_per_year():
    # Stream A: parent P0901 in two courses ending in 2018: +2 (C1) and +10 (C2) -> one parent,
    # mean +6, reliable; parent P0902: +1. Parents 2 (episodes 3): literal 2/2, reliable 1/2.
    # Stream B: parent M9 rates two children: +4 and +7 -> one parent, mean +5,5, reliable; father
    # F9 rates one of them: +3. Parents 2 (episodes 3): reliable 1/2 (episodes: 1 of 3).
    rows = [form("P0901", "2018-02-01", 20, course="C1"), form("P0901", "2018-05-01", 22, course="C1"),
            form("P0901", "2018-08-01", 20, course="C2"), form("P0901", "2018-11-01", 30, course="C2"),
            form("P0902", "2018-02-01", 20, course="C1"), form("P0902", "2018-05-01", 21, course="C1")]
    rows += [rated("P0911", "2018-02-01", 20, "M9", group="almen"), rated("P0911", "2018-05-01", 24, "M9", group="almen"),
             rated("P0912", "2018-02-01", 20, "M9", group="almen"), rated("P0912", "2018-05-01", 27, "M9", group="almen"),
             rated("P0911", "2018-02-02", 25, "F9", group="almen"), rated("P0911", "2018-05-02", 28, "F9", group="almen")]
    fd = fit.prepare(frame(rows))
    a = fit.stream_table(fd, "A", [2018]).loc[2018]
    assert (a["n_analysable"], a["n_units"], a["n_improved_literal"], a["n_improved_reliable"]) == (3, 2, 2, 1)
    b = fit.stream_table(fd, "B", [2018]).loc[2018]
    assert (b["n_analysable"], b["n_units"], b["n_improved_reliable"]) == (3, 2, 1)
    assert b["n_improved"] + b["n_recovered"] == 1  # per episode only the +7 is reliable


def test_validation_issues_for_validate_with_the_files_row_numbers(tmp_path):
    from helhedsplan_eval.data.contract import ERROR, WARNING, load_bundle

    header = ",".join(["administration_id", "course_id", "family_id", "rated_person_id", "rater", "about", "scale",
                       "date", "item1", "item2", "item3", "item4", "total", "group", "rated_age", "rater_id"])
    lines = [header,
             "A1,C1,F1,P1,forælder,selv,ORS,2018-02-01,,,,,0,almen,30,",        # row 2: total 0 -> warning
             "",                                                                # row 3: blank line
             "A2,C1,F1,P1,forælder,selv,ORS,2018-06-01,,,,,12,almen,30,P2",     # row 4: self-rating by P2 -> error
             "A3,C1,F1,P5,forælder,barn,CORS,2018-02-01,,,,,20,almen,3,",       # rows 5, 6: two forms on one day
             "A4,C1,F1,P5,forælder,barn,CORS,2018-02-01,,,,,30,almen,3,"]       # about one child, no rater_id
    (tmp_path / "fit_administrations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "fit_courses.csv").write_text("course_id,start_date,end_date,age_band\nC1,2018-01-15,,0-1,5\n"
                                              .replace("0-1,5", '"0-1,5"'), encoding="utf-8")
    bundle = load_bundle(tmp_path)
    got = [(i.severity, i.row, i.column) for i in fit.validation_issues(bundle)]
    assert got == [(WARNING, 2, "total"), (ERROR, 4, "rater_id"), (WARNING, 6, "rater_id")]
    assert all(i.file == "fit_administrations.csv" for i in fit.validation_issues(bundle))
    assert "P2" not in str(fit.validation_issues(bundle)[1])  # no pseudonym in the message
    pt = fit.problem_table(bundle)
    assert list(pt["Linje"]) == [2, 4, 6]  # the file's rows, also after the blank row 3


def test_stream_tables_are_made_once_per_data_set_and_every_caller_gets_its_own_copy(tiny_bundle, monkeypatch):
    # FitData.memo (speed, issue 13): the FIT page asked for 56 stream tables, 12 of them different
    from helhedsplan_eval.analysis.fit import board as fit_board
    from helhedsplan_eval.analysis.fit import summary as fit_summary

    fd = fit.prepare(tiny_bundle.table("fit_administrations"), tiny_bundle.table("fit_courses"))
    fresh = fit.prepare(tiny_bundle.table("fit_administrations"), tiny_bundle.table("fit_courses"))
    made = {"stream": 0, "board": 0}
    real_stream, real_board = fit_summary._stream_table, fit_board._stream_board_table

    def stream(*a, **k):
        made["stream"] += 1
        return real_stream(*a, **k)

    def board(*a, **k):
        made["board"] += 1
        return real_board(*a, **k)

    monkeypatch.setattr(fit_summary, "_stream_table", stream)
    monkeypatch.setattr(fit_board, "_stream_board_table", board)
    first = fit_summary.stream_table(fd, "A", [2017, 2018, 2019, 2020])
    first["n_started"] = -1.0  # a caller changing its table changes nobody else's
    again = fit_summary.stream_table(fd, "A", [2017, 2018, 2019, 2020])
    assert made["stream"] == 1
    pd.testing.assert_frame_equal(again, real_stream(fresh, "A", [2017, 2018, 2019, 2020], True))
    fit_summary.stream_table(fd, "A", [2017, 2018, 2019, 2020], include_total=False)
    fit_summary.stream_table(fd, "B", [2017, 2018, 2019, 2020])
    assert made["stream"] == 3  # other arguments, other tables

    t1 = fit_board.stream_board_table(fd, "A", 2019, 5)
    t1.iloc[0, 0] = "changed"
    t2 = fit_board.stream_board_table(fd, "A", 2019, 5)
    assert made["board"] == 1
    pd.testing.assert_frame_equal(t2, real_board(fresh, "A", 2019, 5))
    fit_board.stream_board_table(fd, "A", 2019, 10)
    assert made["board"] == 2  # another threshold for small counts, another table
    assert fit.prepare(tiny_bundle.table("fit_administrations"))._memo == {}  # a new data set starts empty
