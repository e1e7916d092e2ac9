"""Tests for the status engine (helhedsplan_eval.analysis.status), stats and formatting.

Every expected number is a literal worked out by hand (the arithmetic is in the comment next to
it); none is computed with the engine's own formula. Criteria come from the catalogue (so the
tests also pin the catalogue's encoding of the agreement) or from the small ``crit`` helper;
series are tiny ``IndicatorSeries.from_values`` fixtures.

Wilson hand arithmetic uses z = 1.959964, z² = 3.841459:
  centre = (p + z²/2n) / (1 + z²/n),  half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
Garwood (exact Poisson 95 %) table values: 0 -> (0, 3.689), 1 -> (0.0253, 5.572),
5 -> (1.6235, 11.668), 10 -> (4.795, 18.390).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis import status as S
from helhedsplan_eval.catalogue.criteria import Criterion, load_catalogue
from helhedsplan_eval.analysis.stats import poisson_interval, poisson_mean_interval, wilson_interval
from helhedsplan_eval.analysis.status import IndicatorSeries, evaluate

NBSP = "\u00a0"
approx = pytest.approx


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def crit(kind, params, *, period=(2017, 2020), years=None, unit="count", direction="up", cid="T-1"):
    """A stand-alone criterion for one evaluator."""
    return Criterion(id=cid, area="test", activity=None, text="Testkriterium", source="Test", kind=kind,
                     indicator="test", unit=unit, direction=direction, params=dict(params),
                     period_start=period[0], period_end=period[1],
                     years=tuple(years or range(period[0], period[1] + 1)))


def series(values, unit="count", **cols):
    return IndicatorSeries.from_values("test", unit, values, **cols)


def txt(ev) -> str:
    """The explanation with no-break spaces as plain spaces, for phrase checks."""
    return ev.explanation.replace(NBSP, " ")


def rtxt(ev) -> str:
    return ev.remaining_text.replace(NBSP, " ")


# Kinds with tests in this module; a new kind in status.EVALUATORS fails test_every_kind_is_tested.
TESTED_KINDS = {
    "annual_minimum", "minimum_share", "cumulative_total", "period_mean_change", "period_mean_max",
    "growth", "yoy_growth", "gap_target", "gap_reduction_rate", "survey_wave_increase", "milestone",
    "qualitative",
    # issue 20's kinds: tested in tests/test_new_kinds.py
    "ratio_to_comparison", "two_tier", "hold_baseline", "count_units",
}


def test_every_kind_is_tested():
    assert set(S.EVALUATORS) == TESTED_KINDS


def test_status_vocabulary():
    assert S.STATUSES[:6] == ("Opfyldt", "På vej", "Ikke på vej", "Ikke opfyldt", "Afventer data",
                              "Ikke aktuel endnu")


# ============================================================================ annual_minimum

AM = dict(target=20)


def test_annual_minimum_not_started():
    ev = evaluate(crit("annual_minimum", AM), series({2017: 25}), 2016)
    assert ev.status == "Ikke aktuel endnu"
    assert ev.target == 20
    assert "gælder først fra 2017" in ev.explanation


def test_annual_minimum_interim_year_judged_on_its_own():
    # 2017: 22 >= 20 met; 2018: 18 < 20 -> the year 2018 is not met (each year stands alone)
    ev = evaluate(crit("annual_minimum", AM), series({2017: 22, 2018: 18}), 2018)
    assert ev.status == "Ikke opfyldt"
    assert ev.value == 18 and ev.target == 20 and ev.path_value == 20
    assert ev.remaining == 20
    assert ev.remaining_text == "Hvert af årene 2019, 2020 skal nå mindst 20."
    assert "I 2018 var tallet 18 mod målet på mindst 20" in txt(ev)
    assert "målet er nået i 1 af 2 år med data" in txt(ev)
    assert ev.figures == {2017: 22, 2018: 18, 2019: None, 2020: None}


def test_annual_minimum_target_met_exactly_final():
    ev = evaluate(crit("annual_minimum", AM), series({2017: 21, 2018: 20, 2019: 30, 2020: 20}), 2020)
    assert ev.status == "Opfyldt" and ev.label == "Opfyldt"
    assert ev.value == 20
    assert ev.remaining is None and ev.remaining_text == ""
    assert "målet er nået i 4 af 4 år med data" in txt(ev)


def test_annual_minimum_after_period_judges_last_year():
    ev = evaluate(crit("annual_minimum", AM), series({2017: 21, 2018: 20, 2019: 30, 2020: 19}), 2021)
    assert ev.status == "Ikke opfyldt" and ev.value == 19


def test_annual_minimum_missing_year_inside_is_named_not_zero():
    # 2018 missing: 2 of 2 delivered years met (a zero would have made it 2 of 3)
    ev = evaluate(crit("annual_minimum", AM), series({2017: 25, 2018: None, 2019: 21}), 2019)
    assert ev.status == "Opfyldt"
    assert ev.missing_years == [2018]
    assert "målet er nået i 2 af 2 år med data" in txt(ev)
    assert "Der mangler data for 2018" in txt(ev) and "tælles ikke som 0" in txt(ev)


def test_annual_minimum_missing_last_year_awaits():
    ev = evaluate(crit("annual_minimum", AM), series({2017: 25, 2018: 22, 2019: 21, 2020: None}), 2020)
    assert ev.status == "Afventer data"
    assert ev.value is None
    assert ev.missing_years == [2020]
    assert "Der er ikke leveret data for 2020" in txt(ev)


def test_annual_minimum_poisson_small_count_uncertain():
    # target 3, count 5: Garwood(5) = (1.6235, 11.668) contains 3 -> "Opfyldt (usikkert)"
    c = crit("annual_minimum", dict(target=3, uncertainty="poisson"))
    ev = evaluate(c, series({2017: 5}), 2017)
    assert ev.status == "Opfyldt" and ev.uncertain
    assert ev.label == "Opfyldt (usikkert)"
    assert ev.interval == approx((1.6235, 11.668), abs=1e-3)
    assert "Poisson" in ev.explanation
    # count 0: Garwood(0) = (0, 3.689) contains 3 -> "Ikke opfyldt (usikkert)"
    ev0 = evaluate(c, series({2017: 0}), 2017)
    assert ev0.label == "Ikke opfyldt (usikkert)"
    assert ev0.interval == approx((0.0, 3.689), abs=1e-3)
    # count 12: lower Garwood limit is about 6.2 > 3 -> certain
    ev12 = evaluate(c, series({2017: 12}), 2017)
    assert ev12.label == "Opfyldt" and not ev12.uncertain


def test_annual_minimum_without_poisson_has_no_interval():
    ev = evaluate(crit("annual_minimum", dict(target=3)), series({2017: 5}), 2017)
    assert ev.interval is None and ev.label == "Opfyldt"


def test_annual_minimum_range_reading_named(cat):
    # KP-TAL-1 'Minimum 8-10': 9 meets 8 but not 10
    ev = evaluate(cat.criteria["KP-TAL-1"], series({2017: 9}), 2017)
    assert ev.status == "Opfyldt" and ev.target == 8
    assert "Læst som 10 ville målet ikke være nået" in txt(ev)  # issue 10: word order


def test_annual_minimum_single_year_criterion(cat):
    # FF-BYD-2: 60 families in 2017 only; exactly 60 is met and later years do not matter
    c = cat.criteria["FF-BYD-2"]
    ev = evaluate(c, series({2017: 60, 2018: 3, 2019: None}), 2020)
    assert ev.status == "Opfyldt" and ev.value == 60 and ev.target == 60
    assert "I 2017 var tallet 60" in txt(ev)
    assert ev.missing_years == []


def test_annual_minimum_small_person_count_shown_as_under_5(cat):
    # KP-DIA-1 counts persons: 3 participants are shown as "<5" (disclosure control); 0 stays 0
    c = cat.criteria["KP-DIA-1"]
    assert c.unit == "persons" and c.params["target"] == 70
    ev = evaluate(c, series({2017: 3}), 2017)
    assert ev.status == "Ikke opfyldt" and ev.value == 3
    assert ev.value_text == "<5"
    assert "I 2017 var tallet <5 mod målet på mindst 70" in txt(ev)
    ev = evaluate(c, series({2017: 0}), 2017)
    assert ev.value_text == "0"
    ev = evaluate(c, series({2017: 71}), 2017)
    assert ev.value_text == "71" and ev.status == "Opfyldt"


# ============================================================================ minimum_share, annual

def share_series(num, den):
    years = sorted(set(num) | set(den))
    values = {y: (100 * num[y] / den[y] if num.get(y) is not None and den.get(y) else None) for y in years}
    return series(values, unit="pct", numerator=num, denominator=den)


SH = dict(target=65, scope="annual")


def test_minimum_share_not_started():
    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2017: 7}, {2017: 10}), 2016)
    assert ev.status == "Ikke aktuel endnu"


def test_minimum_share_wilson_straddles_target():
    # 7/10 = 70 %. Wilson: p=.7, z²/n=.3841459, centre=(.7+.1920730)/1.3841459=.644489,
    # half=1.959964·sqrt(.021+.0096036)/1.3841459=.247711 -> (39,68 %, 89,22 %), contains 65 -> usikkert.
    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2018: 7}, {2018: 10}), 2018)
    assert ev.status == "Opfyldt"  # annual scope: each year is final, never "På vej"
    assert ev.uncertain and ev.label == "Opfyldt (usikkert)"
    assert ev.value == approx(70.0)
    assert ev.interval == approx((39.678, 89.221), abs=0.01)
    assert ev.target == 65 and ev.path_value == 65
    assert ev.target_text == f"65{NBSP}%"
    assert "Andelen var i 2018 70,0 % (7 af 10; 95 %-sikkerhedsinterval 39,7 %–89,2 %)" in txt(ev)  # issue 10: en dash
    assert "intervallet omfatter målet, så resultatet er usikkert" in txt(ev)


def test_minimum_share_met_exactly():
    # 13/20 = 65,0 % exactly: met (the interval around a point on the target always straddles it)
    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2019: 13}, {2019: 20}), 2019)
    assert ev.status == "Opfyldt" and ev.value == 65.0
    assert ev.label == "Opfyldt (usikkert)"


def test_minimum_share_certain_met_and_not_met():
    # 90/100: centre=(.9+.0192073)/1.0384146=.885160, half=1.959964·sqrt(.0009+.000096)/1.0384146=.059566
    # -> (82,56 %, 94,47 %), wholly above 65
    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2018: 90}, {2018: 100}), 2018)
    assert ev.label == "Opfyldt"
    assert ev.interval == approx((82.56, 94.47), abs=0.01)
    # 3/20 = 15 %: upper Wilson limit about 36 % < 65
    ev2 = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2018: 3}, {2018: 20}), 2018)
    assert ev2.label == "Ikke opfyldt" and ev2.value == approx(15.0)


def test_minimum_share_zero_denominator_awaits():
    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2018: 0}, {2018: 0}), 2018)
    assert ev.status == "Afventer data" and ev.value is None
    assert ev.missing_years == [2017, 2018]  # 2017 not in the series at all, 2018 with nobody counted
    assert "ingen i nævneren" in ev.explanation


def test_minimum_share_missing_year_named():
    s = share_series({2017: None, 2018: 18}, {2017: None, 2018: 20})  # 18/20 = 90 %
    ev = evaluate(crit("minimum_share", SH, unit="pct"), s, 2018)
    assert ev.status == "Opfyldt" and ev.value == approx(90.0)
    assert ev.missing_years == [2017]
    assert "Der mangler data for 2017" in txt(ev)


def test_minimum_share_small_denominator_suppressed():
    # 3 of 4 = 75 %: neither the share nor a status over fewer than 5 persons (a status would disclose
    # individual results) -> Skjult (issue 10: suppressed is not missing), no value
    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2018: 3}, {2018: 4}), 2018)
    assert ev.status == "Skjult" and ev.label == "Skjult: færre end 5 personer"
    assert ev.value is None and ev.value_text == "–"
    assert "75" not in ev.explanation and "færre end 5 personer" in ev.explanation
    # 5 persons is enough to show the share: 4/5 = 80,0 %; the numerator 4 is not written out (not even as
    # "<5 af 5", which next to the share would give it away): only the total is named
    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2018: 4}, {2018: 5}), 2018)
    assert ev.status == "Opfyldt"
    assert ev.value_text == f"80,0{NBSP}%" and "(5 personer i alt;" in ev.explanation and "<5 af" not in ev.explanation


def test_minimum_share_small_denominator_leaves_nothing_behind(cat):
    # FF-FAM-4 in 2018 with 3 of 4: Wilson(3, 4) = (30,06 %, 95,44 %) identifies k = 3; the needed share
    # (0,65·8 - 3)/4 = 55 % identifies it too
    ev = evaluate(cat.criteria["FF-FAM-4"], share_series({2018: 3}, {2018: 4}), 2018)
    assert ev.status == "Skjult"  # issue 10: its own status word, not "Afventer data"
    assert ev.label == "Skjult: færre end 5 personer"
    assert ev.interval is None
    assert ev.remaining is None and ev.remaining_text == ""


# ============================================================================ minimum_share, period (FF-FAM-4)

def test_minimum_share_period_catalogue_encoding(cat):
    c = cat.criteria["FF-FAM-4"]
    assert (c.kind, c.params["target"], c.params["scope"]) == ("minimum_share", 65, "period")
    assert c.years == (2018, 2019)


def test_minimum_share_period_not_yet(cat):
    ev = evaluate(cat.criteria["FF-FAM-4"], share_series({2017: 10}, {2017: 10}), 2017)
    assert ev.status == "Ikke aktuel endnu"
    assert "gælder først fra 2018" in ev.explanation


def test_minimum_share_period_interim(cat):
    # 2018: 12/20 = 60 % < 65 -> Ikke på vej. Wilson(12, 20) = (38,66 %, 78,12 %) contains 65 -> usikkert.
    # Remaining: with 20 more ratings in 2019, (0,65·40 - 12)/20 = (26 - 12)/20 = 70 %.
    ev = evaluate(cat.criteria["FF-FAM-4"], share_series({2018: 12}, {2018: 20}), 2018)
    assert ev.status == "Ikke på vej" and ev.label == "Ikke på vej (usikkert)"
    assert ev.value == approx(60.0)
    assert ev.interval == approx((38.66, 78.12), abs=0.01)
    assert ev.remaining == approx(70.0)
    assert rtxt(ev) == "Med samme antal deltagere skal andelen i 2019 i gennemsnit være mindst 70,0 %."
    assert "samlet for 2018 60,0 % (12 af 20" in txt(ev)  # issue 10: no "2018-2018"


def test_minimum_share_period_remaining_impossible(cat):
    # 2/20 = 10 %: (0,65·40 - 2)/20 = 24/20 = 120 % > 100 %
    ev = evaluate(cat.criteria["FF-FAM-4"], share_series({2018: 2}, {2018: 20}), 2018)
    assert ev.status == "Ikke på vej"
    assert ev.remaining == approx(120.0)
    # issue 10: never ask for the impossible; at best (all 20 in 2019 succeed) (2 + 20)/40 = 55,0 %, 10 pp short
    assert rtxt(ev) == ("Målet kan ikke længere nås med samme antal deltagere: selv hvis alle i 2019 når målet, "
                        "bliver andelen 55,0 % mod målet på mindst 65 % (10,0 procentpoint for lidt).")


def test_minimum_share_period_final_pools_only_period_years(cat):
    # pooled 2018-2019: (12 + 15)/(20 + 20) = 27/40 = 67,5 % >= 65 -> Opfyldt.
    # Wilson(27, 40): z²/n=.0960365, centre=(.675+.0480182)/1.0960365=.659673,
    # half=1.959964·sqrt(.0054844+.0006002)/1.0960365=.139488 -> (52,02 %, 79,92 %) contains 65 -> usikkert.
    # 2017 (100/100) and 2020 (0/50) lie outside the criterion's years and are ignored.
    s = share_series({2017: 100, 2018: 12, 2019: 15, 2020: 0}, {2017: 100, 2018: 20, 2019: 20, 2020: 50})
    ev = evaluate(cat.criteria["FF-FAM-4"], s, 2020)
    assert ev.status == "Opfyldt" and ev.label == "Opfyldt (usikkert)"
    assert ev.value == approx(67.5)
    assert ev.interval == approx((52.02, 79.92), abs=0.01)
    assert ev.remaining is None
    assert "samlet for 2018–2019 67,5 % (27 af 40" in txt(ev)


def test_minimum_share_period_final_with_last_year_missing(cat):
    # 2019, the last year, not delivered: no verdict on 2018 alone (issue 21: one coverage rule for every kind)
    s = share_series({2018: 12, 2019: None}, {2018: 20, 2019: None})
    ev = evaluate(cat.criteria["FF-FAM-4"], s, 2019)
    assert ev.status == "Afventer data" and ev.value is None
    assert ev.missing_years == [2019]
    assert "Der er ikke leveret data for 2019, periodens sidste år" in txt(ev)


def test_minimum_share_period_final_needs_half_the_years():
    c = crit("minimum_share", dict(target=65, scope="period"), unit="pct")
    s = share_series({2017: 18, 2018: None, 2019: None, 2020: None}, {2017: 20, 2018: None, 2019: None, 2020: None})
    ev = evaluate(c, s, 2020)
    assert ev.status == "Afventer data"


# ============================================================================ cumulative_total

CT = dict(target=30)


def test_cumulative_not_started():
    ev = evaluate(crit("cumulative_total", CT), series({2017: 5}), 2016)
    assert ev.status == "Ikke aktuel endnu" and "Perioden begynder først i 2017" in ev.explanation


def test_cumulative_interim_on_path():
    # path 2018 = 30·2/4 = 15; 15/15 = 1 >= 0,95; need (30-15)/2 = 7,5 a year <= best year 9 -> På vej
    s = series({2017: 6, 2018: 15}, new={2017: 6, 2018: 9})
    ev = evaluate(crit("cumulative_total", CT), s, 2018)
    assert ev.status == "På vej"
    assert ev.path_value == 15 and ev.ratio == approx(1.0)
    assert ev.remaining == approx(7.5)
    assert ev.remaining_text == "De resterende år (2019–2020) skal i gennemsnit bidrage med mindst 7,5 om året (bedste år hidtil: 9)."
    assert "I alt 15 i 2017–2018 (målstien for 2018 er 15)" in txt(ev)


def test_cumulative_interim_behind_path():
    # 12/15 = 0,8 < 0,95 -> Ikke på vej
    ev = evaluate(crit("cumulative_total", CT), series({2017: 6, 2018: 12}, new={2017: 6, 2018: 6}), 2018)
    assert ev.status == "Ikke på vej" and ev.ratio == approx(0.8)
    assert ev.remaining == approx(9.0)  # (30 - 12)/2


def test_cumulative_interim_needed_pace_above_best_year():
    # target 80, 2017: 19; path 80/4 = 20, R = 19/20 = 0,95 (on the threshold, passes);
    # need (80-19)/3 = 20,33 a year > best year 19 -> Ikke på vej
    ev = evaluate(crit("cumulative_total", dict(target=80)), series({2017: 19}, new={2017: 19}), 2017)
    assert ev.ratio == approx(0.95)
    assert ev.status == "Ikke på vej"
    assert ev.remaining == approx(20.3333, abs=1e-3)
    assert "overstiger det bedste år hidtil" in txt(ev)


def test_cumulative_met_early_and_exactly():
    ev = evaluate(crit("cumulative_total", CT), series({2017: 10, 2018: 20, 2019: 31}), 2019)
    assert ev.status == "Opfyldt"
    ev = evaluate(crit("cumulative_total", CT), series({2017: 10, 2018: 20, 2019: 25, 2020: 30}), 2020)
    assert ev.status == "Opfyldt" and ev.value == 30
    ev = evaluate(crit("cumulative_total", CT), series({2017: 10, 2018: 20, 2019: 25, 2020: 29}), 2020)
    assert ev.status == "Ikke opfyldt"


def test_cumulative_missing_year_inside_is_lower_bound():
    # path 2019 = 30·3/4 = 22,5; 23/22,5 = 1,022 -> På vej
    ev = evaluate(crit("cumulative_total", CT), series({2017: 8, 2018: None, 2019: 23}), 2019)
    assert ev.status == "På vej" and ev.path_value == approx(22.5)
    assert ev.missing_years == [2018]
    assert "Der mangler data for 2018" in txt(ev) and "nedre grænse" in txt(ev)


def test_cumulative_small_person_count_shown_as_under_5(cat):
    # TT-SKUR-3 (30 regular users, persons): 4 so far is shown as "<5"; path 2017 = 30/4 = 7,5
    c = cat.criteria["TT-SKUR-3"]
    ev = evaluate(c, series({2017: 4}, new={2017: 4}), 2017)
    assert ev.value_text == "<5" and ev.path_value == approx(7.5)
    assert "I alt <5 i 2017 (" in txt(ev)  # issue 10: no "2017-2017"
    assert ev.status == "Ikke på vej"  # 4/7,5 = 0,53 < 0,95


def test_cumulative_best_year_of_persons_suppressed(cat):
    # TT-SKUR-3: new regulars 3 (2017) and 2 (2018), 5 in all
    ev = evaluate(cat.criteria["TT-SKUR-3"], series({2017: 3, 2018: 5}, new={2017: 3, 2018: 2}), 2018)
    assert ev.remaining == approx(12.5)  # (30 - 5)/2
    # issue 21: a best year of fewer than 5 persons is left out, not masked next to the requirement
    assert ev.remaining_text == "De resterende år (2019–2020) skal i gennemsnit bidrage med mindst 12,5 om året."


def test_cumulative_missing_last_year_awaits():
    ev = evaluate(crit("cumulative_total", CT), series({2017: 8, 2018: 15, 2019: 23, 2020: None}), 2020)
    assert ev.status == "Afventer data" and "Der er ikke leveret data for 2020" in txt(ev)


# ============================================================================ period_mean_change (TT-2)

def test_period_mean_change_catalogue_encoding(cat):
    c = cat.criteria["TT-2"]
    assert (c.period_start, c.period_end) == (2018, 2020)
    assert c.params["baseline_year"] == 2017 and c.params["change"] == -0.20


def test_period_mean_change_before_baseline_and_in_baseline_year(cat):
    c = cat.criteria["TT-2"]
    ev = evaluate(c, series({2017: 50}), 2016)
    assert ev.status == "Ikke aktuel endnu" and "Basisåret 2017 er ikke nået" in ev.explanation
    # 2017: baseline 50 -> target 50·0,8 = 40, the period 2018-2020 has not started
    ev = evaluate(c, series({2017: 50}), 2017)
    assert ev.status == "Ikke aktuel endnu"
    assert ev.target == approx(40.0)
    assert "målet for gennemsnittet i 2018–2020 er højst 40 (20 % under 2017-niveauet 50)" in txt(ev)


def test_period_mean_change_interim_on_and_off_track():
    c = crit("period_mean_change", dict(baseline_year=2017, change=-0.20), period=(2018, 2020), direction="down")
    # 2018 = 38: the rest must average (40·3 - 38)/2 = 41; 38 <= 41 held -> På vej
    ev = evaluate(c, series({2017: 50, 2018: 38}), 2018)
    assert ev.status == "På vej" and ev.remaining == approx(41.0) and ev.value == 38
    assert "højst 41" in rtxt(ev)
    # 2018 = 42: (120 - 42)/2 = 39; 42 > 39 -> Ikke på vej
    ev = evaluate(c, series({2017: 50, 2018: 42}), 2018)
    assert ev.status == "Ikke på vej" and ev.remaining == approx(39.0)
    assert "nås målet ikke" in txt(ev)


def test_period_mean_change_final_met_exactly():
    # mean(44, 40, 36) = 40 = 50·0,8 -> Opfyldt; relative change 40/50 - 1 = -20 %
    c = crit("period_mean_change", dict(baseline_year=2017, change=-0.20), period=(2018, 2020), direction="down")
    ev = evaluate(c, series({2017: 50, 2018: 44, 2019: 40, 2020: 36}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(40.0) and ev.target == approx(40.0)
    assert "Gennemsnittet for 2018–2020 er 40 (−20 % i forhold til 2017)" in txt(ev)  # issue 10: en dash, real minus


def test_period_mean_change_missing_year_inside_and_too_few_years():
    c = crit("period_mean_change", dict(baseline_year=2017, change=-0.20), period=(2018, 2020), direction="down")
    # 2019 missing: mean over delivered years (44 + 36)/2 = 40 (a zero would give 26,7)
    ev = evaluate(c, series({2017: 50, 2018: 44, 2019: None, 2020: 36}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(40.0)
    assert ev.missing_years == [2019] and "Der mangler data for 2019" in txt(ev)
    # last year missing: no final verdict on the years before it (issue 21), unless the catalogue sets min_years
    ev = evaluate(c, series({2017: 50, 2018: 44, 2019: 42, 2020: None}), 2020)
    assert ev.status == "Afventer data" and ev.missing_years == [2020]
    # with min_years: 2 the catalogue accepts 2 of 3 years: mean(44, 42) = 43 > 40
    c2 = crit("period_mean_change", dict(baseline_year=2017, change=-0.20, min_years=2), period=(2018, 2020),
              direction="down")
    ev = evaluate(c2, series({2017: 50, 2018: 44, 2019: 42, 2020: None}), 2020)
    assert ev.status == "Ikke opfyldt" and ev.value == approx(43.0)
    assert ev.missing_years == [2020]
    # only 1 of 3 years -> Afventer data
    ev = evaluate(c, series({2017: 50, 2018: 30, 2019: None, 2020: None}), 2020)
    assert ev.status == "Afventer data" and "Kun 1 af 3 år har data" in txt(ev)


def test_period_mean_change_not_yet_precedes_awaiting(cat):
    # TT-2 in 2017: the period 2018-2020 has not started, and the 2017 level is not delivered yet
    ev = evaluate(cat.criteria["TT-2"], series({2017: None}), 2017)
    assert ev.status == "Ikke aktuel endnu"


def test_period_mean_change_baseline_missing():
    c = crit("period_mean_change", dict(baseline_year=2017, change=-0.20), period=(2018, 2020), direction="down")
    ev = evaluate(c, series({2017: None, 2018: 30}), 2018)
    assert ev.status == "Afventer data" and ev.missing_years == [2017]
    assert "Basisårets niveau (2017)" in ev.explanation


def test_period_mean_change_baseline_zero():
    up = crit("period_mean_change", dict(baseline_year=2017, change=0.20), period=(2018, 2020))
    # baseline 0: +20 % is undefined; read as "mean above 0": mean(0, 1, 0) = 1/3 > 0
    ev = evaluate(up, series({2017: 0, 2018: 0, 2019: 1, 2020: 0}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(1 / 3)
    assert "basisniveauet er 0" in txt(ev)
    down = crit("period_mean_change", dict(baseline_year=2017, change=-0.20), period=(2018, 2020), direction="down")
    assert evaluate(down, series({2017: 0, 2018: 0, 2019: 0, 2020: 0}), 2020).status == "Opfyldt"
    assert evaluate(down, series({2017: 0, 2018: 0, 2019: 1, 2020: 0}), 2020).status == "Ikke opfyldt"


def test_period_mean_change_poisson_uncertain():
    # baseline 6, -50 % -> target 3; 2018 = 5: Garwood(5) = (1,62, 11,67) contains 3 -> usikkert;
    # need (3·3 - 5)/2 = 2 < 5 -> Ikke på vej
    c = crit("period_mean_change", dict(baseline_year=2017, change=-0.5, uncertainty="poisson"),
             period=(2018, 2020), direction="down")
    ev = evaluate(c, series({2017: 6, 2018: 5}), 2018)
    assert ev.label == "Ikke på vej (usikkert)"
    assert ev.interval == approx((1.6235, 11.668), abs=1e-3)
    assert ev.remaining == approx(2.0)
    assert "Poisson" in ev.explanation


def test_period_mean_change_increase_already_secured():
    # baseline 10, +20 % -> target 12; 2018 = 40: the rest need (12·3 - 40)/2 = -2, i.e. anything will do
    c = crit("period_mean_change", dict(baseline_year=2017, change=0.20), period=(2018, 2020))
    ev = evaluate(c, series({2017: 10, 2018: 40}), 2018)
    assert ev.status == "På vej" and ev.remaining == approx(-2.0)
    assert "ikke muligt" not in ev.remaining_text


# ============================================================================ period_mean_max (TT-4, KP-2)

def police(values: dict, comp=90.0, **cols):
    return series(values, unit="pct", comparison={y: comp for y in values}, **cols)


def test_period_mean_max_not_started(cat):
    ev = evaluate(cat.criteria["TT-4"], police({2017: 80}), 2016)
    assert ev.status == "Ikke aktuel endnu"


def test_period_mean_max_gap_interim(cat):
    c = cat.criteria["TT-4"]  # direction up: gap = comparison - area
    # 2017: 90 - 80 = 10; the other 3 years must average (7,5·4 - 10)/3 = 6,667; 10 held -> Ikke på vej
    ev = evaluate(c, police({2017: 80}), 2017)
    assert ev.status == "Ikke på vej"
    assert ev.value == approx(10.0) and ev.remaining == approx(6.6667, abs=1e-3)
    assert ev.value_text == f"10,0{NBSP}procentpoint"
    assert "højst 6,7 procentpoint" in rtxt(ev)
    # 2018: 90 - 85 = 5; mean 7,5; need (30 - 15)/2 = 7,5; 5 <= 7,5 -> På vej
    ev = evaluate(c, police({2017: 80, 2018: 85}), 2018)
    assert ev.status == "På vej" and ev.value == approx(7.5) and ev.remaining == approx(7.5)


def test_period_mean_max_final_exact_with_missing_years(cat):
    # no police survey in 2019 and 2020: mean over 2017-2018 = (10 + 5)/2 = 7,5 = max -> Opfyldt (2 >= min_years 2)
    ev = evaluate(cat.criteria["TT-4"], police({2017: 80, 2018: 85, 2019: None, 2020: None}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(7.5)
    assert ev.missing_years == [2019, 2020]
    assert "Gennemsnittet af forskellen for 2017–2018 er 7,5 procentpoint mod målet på højst 7,5 procentpoint" in txt(ev)
    assert "områdets tal mangler for 2019, 2020 (sammenligningsgrundlagets tal foreligger)" in txt(ev)  # issue 10


def test_period_mean_max_final_too_few_years(cat):
    ev = evaluate(cat.criteria["TT-4"], police({2017: 80, 2018: None, 2019: None, 2020: None}), 2020)
    assert ev.status == "Afventer data" and "Kun 1 af 4 år har data" in txt(ev)


def test_period_mean_max_gap_changes_sign(cat):
    # gaps 10, -2 (area above the police district), 4 -> mean 12/3 = 4 <= 7,5
    ev = evaluate(cat.criteria["TT-4"], police({2017: 80, 2018: 92, 2019: 86, 2020: None}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(4.0)
    assert ev.comparison_figures[2018] == 90


def test_period_mean_max_gap_interval_from_n(cat):
    # var = 80·20/100 + 85·15/100 = 16 + 12,75 = 28,75; se = sqrt(28,75)/2 = 2,68095;
    # 7,5 ± 1,96·2,68095 = (2,245, 12,755) contains 7,5 -> På vej (usikkert)
    s = police({2017: 80, 2018: 85}, n={2017: 100, 2018: 100})
    ev = evaluate(cat.criteria["TT-4"], s, 2018)
    assert ev.interval == approx((2.2453, 12.7547), abs=1e-3)
    assert ev.label == "På vej (usikkert)"


def test_period_mean_max_poisson(cat):
    c = cat.criteria["KP-2"]
    assert c.params["max"] == 3 and c.params["uncertainty"] == "poisson"
    # 2 + 3 = 5 cases in 2 years: mean 2,5; Garwood(5)/2 = (0,812, 5,834) contains 3 -> usikkert;
    # need (3·4 - 5)/2 = 3,5; latest 3 <= 3,5 -> På vej
    ev = evaluate(c, series({2017: 2, 2018: 3}), 2018)
    assert ev.value == approx(2.5) and ev.remaining == approx(3.5)
    assert ev.interval == approx((0.8117, 5.8342), abs=1e-3)
    assert ev.label == "På vej (usikkert)"
    # final: mean(2, 3, 4, 3) = 3 -> met exactly; Garwood(12)/4 about (1,55, 5,24) contains 3
    ev = evaluate(c, series({2017: 2, 2018: 3, 2019: 4, 2020: 3}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(3.0) and ev.uncertain


def test_period_mean_max_minimum_variant():
    c = crit("period_mean_max", dict(min=50))
    # 2017 = 40: the rest must average (50·4 - 40)/3 = 53,33; 40 < 53,33 -> Ikke på vej
    ev = evaluate(c, series({2017: 40}), 2017)
    assert ev.status == "Ikke på vej" and ev.remaining == approx(53.333, abs=1e-3)
    ev = evaluate(c, series({2017: 40, 2018: 60, 2019: 50, 2020: 50}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(50.0)  # (40+60+50+50)/4


# ============================================================================ growth (TT-AAB-1)

def test_growth_catalogue_encoding(cat):
    c = cat.criteria["TT-AAB-1"]
    assert c.params == {"baseline_year": 2017, "rate": 0.05, "mode": "compound"}
    assert c.period_end == 2020


def test_growth_baseline_year_not_yet(cat):
    ev = evaluate(cat.criteria["TT-AAB-1"], series({2017: 200}), 2017)
    assert ev.status == "Ikke aktuel endnu"
    assert "2017 er basisår med 200; væksten måles fra 2018" in ev.explanation


def test_growth_interim_readings_differ(cat):
    # B = 1000. 2019 compound path 1000·1,05² = 1102,5, linear 1000·1,10 = 1100. Value 1096:
    # compound R = 96/102,5 = 0,9366 < 0,95 -> Ikke på vej; linear R = 96/100 = 0,96 -> På vej
    ev = evaluate(cat.criteria["TT-AAB-1"], series({2017: 1000, 2018: 1040, 2019: 1096}), 2019)
    assert ev.status == "Ikke på vej"
    assert ev.path_value == approx(1102.5) and ev.ratio == approx(0.93659, abs=1e-4)
    assert ev.target == approx(1157.625)  # 1000·1,05³
    assert ev.alternative["status"] == "På vej" and ev.alternative["target"] == approx(1100.0)
    assert "ville status være På vej" in txt(ev) and "Regnet lineært" in txt(ev)
    assert ev.remaining == approx(1157.625)
    assert ev.remaining_text == "I 2020 skal tallet være mindst 1.157,6."
    assert "I 2019 var tallet 1.096 mod 1.102,5" in txt(ev)


def test_growth_final_readings_differ(cat):
    # 2020: compound 231,525, linear 200·1,15 = 230. Value 231: compound Ikke opfyldt, linear Opfyldt
    ev = evaluate(cat.criteria["TT-AAB-1"], series({2017: 200, 2018: 210, 2019: 220, 2020: 231}), 2020)
    assert ev.status == "Ikke opfyldt"
    assert ev.target_text == "231,5"  # 200·1,05³ = 231,525
    assert "ville status være Opfyldt" in txt(ev)
    assert "I 2020 var tallet 231 mod 231,5, som 5 % vækst om året fra 2017 (200) kræver (renters rente)" in txt(ev)
    assert ev.remaining is None


def test_growth_readings_agree_no_alternative(cat):
    ev = evaluate(cat.criteria["TT-AAB-1"], series({2017: 200, 2018: 210, 2019: 221, 2020: 240}), 2020)
    assert ev.status == "Opfyldt" and ev.alternative is None
    assert "Regnet" not in ev.explanation


def test_growth_linear_chosen_names_compound():
    c = crit("growth", dict(baseline_year=2017, rate=0.05, mode="linear"), period=(2018, 2020))
    ev = evaluate(c, series({2017: 200, 2020: 231}), 2020)
    assert ev.status == "Opfyldt" and ev.target == approx(230.0)
    assert "Regnet renters rente (231,5) ville status være Ikke opfyldt" in txt(ev)


def test_growth_interim_exact_path_on_track():
    # 400·1,05 = 420 in 2018 -> on the path -> På vej
    c = crit("growth", dict(baseline_year=2017, rate=0.05, mode="compound"), period=(2018, 2020))
    ev = evaluate(c, series({2017: 400, 2018: 420}), 2018)
    assert ev.status == "På vej" and ev.ratio == approx(1.0)


def test_growth_final_met_exactly():
    c = crit("growth", dict(baseline_year=2017, rate=0.05, mode="compound"), period=(2018, 2020))
    ev = evaluate(c, series({2017: 8000, 2020: 9261}), 2020)
    assert ev.status == "Opfyldt"


def test_growth_integer_target_shown_without_decimals(cat):
    ev = evaluate(cat.criteria["TT-AAB-1"], series({2017: 200, 2018: 210, 2019: 220, 2020: 231}), 2020)
    assert "Regnet lineært (230) ville status være Opfyldt" in txt(ev)


def test_growth_baseline_zero(cat):
    ev = evaluate(cat.criteria["TT-AAB-1"], series({2017: 0, 2018: 1, 2019: 2, 2020: 3}), 2020)
    assert ev.status == "Opfyldt"
    assert "Basisniveauet er 0" in ev.explanation and "'over 0'" in ev.explanation
    ev = evaluate(cat.criteria["TT-AAB-1"], series({2017: 0, 2018: 1, 2019: 2, 2020: 0}), 2020)
    assert ev.status == "Ikke opfyldt"


def test_growth_missing_years(cat):
    c = cat.criteria["TT-AAB-1"]
    ev = evaluate(c, series({2017: 200, 2018: 210, 2019: None, 2020: 240}), 2020)
    assert ev.status == "Opfyldt" and ev.missing_years == [2019]
    assert "Der mangler data for 2019" in txt(ev)
    ev = evaluate(c, series({2017: 200, 2018: 210, 2019: 221, 2020: None}), 2020)
    assert ev.status == "Afventer data" and "Der er ikke leveret data for 2020" in txt(ev)
    ev = evaluate(c, series({2017: None, 2018: 210}), 2018)
    assert ev.status == "Afventer data" and ev.missing_years == [2017]


# ============================================================================ yoy_growth (TT-FRI-1)

def test_yoy_not_yet(cat):
    assert evaluate(cat.criteria["TT-FRI-1"], series({2017: 20}), 2017).status == "Ikke aktuel endnu"


def test_yoy_interim(cat):
    c = cat.criteria["TT-FRI-1"]
    # 20 -> 21: 5,0 %, R = 1 -> På vej; path 21; to reach 20·1,05³ = 23,1525 in 2020 the yearly growth
    # must be (23,1525/21)^(1/2) - 1 = 1,1025^(1/2) - 1 = 5,0 %
    ev = evaluate(c, series({2017: 20, 2018: 21}), 2018)
    assert ev.status == "På vej"
    assert ev.path_value == approx(21.0) and ev.remaining == approx(5.0)
    assert rtxt(ev) == "For at nå 23,2 i 2020 skal væksten være 5,0 % om året."  # 20·1,05³ = 23,15
    assert ev.target == approx(5.0) and ev.target_text == f"5{NBSP}%"
    # 20 -> 21 -> 21: average (21/20)^(1/2) - 1 = 2,47 %, R = 0,49 -> Ikke på vej; 2019 weak (0,0 %)
    ev = evaluate(c, series({2017: 20, 2018: 21, 2019: 21}), 2019)
    assert ev.status == "Ikke på vej" and ev.ratio == approx(0.4939, abs=1e-3)
    assert "under målet i 2019" in txt(ev)


def test_yoy_final_met_with_a_weak_year(cat):
    # 20, 21, 22, 24: 5,0 %, 22/21-1 = 4,76 %, 24/22-1 = 9,09 %; average (24/20)^(1/3)-1 = 6,27 % >= 5 %
    ev = evaluate(cat.criteria["TT-FRI-1"], series({2017: 20, 2018: 21, 2019: 22, 2020: 24}), 2020)
    assert ev.status == "Opfyldt"
    assert ("Den gennemsnitlige årlige vækst fra 2017 til 2020 er 6,3 % mod målet på 5 % "
            "(2018: 5,0 %; 2019: 4,8 %; 2020: 9,1 %); under målet i 2019.") in txt(ev)


def test_yoy_final_not_met(cat):
    # 20 -> 23 over 3 years: 1,15^(1/3) - 1 = 4,77 % < 5 %
    ev = evaluate(cat.criteria["TT-FRI-1"], series({2017: 20, 2018: 21, 2019: 22, 2020: 23}), 2020)
    assert ev.status == "Ikke opfyldt" and ev.ratio == approx(0.9538, abs=1e-3)


def test_yoy_missing_year_inside(cat):
    # 2019 missing: 2020's growth is the yearly average over two years, (24/21)^(1/2) - 1 = 6,9 %
    ev = evaluate(cat.criteria["TT-FRI-1"], series({2017: 20, 2018: 21, 2019: None, 2020: 24}), 2020)
    assert ev.status == "Opfyldt" and ev.missing_years == [2019]
    assert "(2018: 5,0 %; 2020: 6,9 %)" in txt(ev)
    assert "Der mangler data for 2019" in txt(ev)


def test_yoy_drop_to_zero_does_not_crash(cat):
    # 20 volunteers in 2017, none in 2018: growth -100 %, R = -1/0,05 = -20 -> Ikke på vej
    ev = evaluate(cat.criteria["TT-FRI-1"], series({2017: 20, 2018: 0}), 2018)
    assert ev.status == "Ikke på vej" and ev.ratio == approx(-20.0)


def test_yoy_small_person_count_suppressed(cat):
    ev = evaluate(cat.criteria["TT-FRI-1"], series({2017: 2, 2018: 3}), 2018)
    assert ev.value_text == "<5"


def test_yoy_missing_last_year_and_baseline_zero(cat):
    c = cat.criteria["TT-FRI-1"]
    assert evaluate(c, series({2017: 20, 2018: 21, 2019: 22, 2020: None}), 2020).status == "Afventer data"
    ev = evaluate(c, series({2017: 0, 2018: 2, 2019: 3, 2020: 4}), 2020)
    assert ev.status == "Opfyldt" and "'over 0'" in ev.explanation


# ============================================================================ gap_target (FF-1, KP-MEN-2)

def dubu(area: dict, comp: dict, **cols):
    return series(area, unit="pct", comparison=comp, **cols)


def test_gap_target_catalogue_encoding(cat):
    c = cat.criteria["FF-1"]
    assert c.params == {"baseline_year": 2016, "baseline_gap": 7.0, "target_gap": 3.5}
    assert c.direction == "down"


def test_gap_target_after_period_uses_end_year(cat):
    # 2020: 8,5 - 5 = 3,5 <= 3,5 met; 2021: 10 - 5 = 5 (after the plan) must not decide
    ev = evaluate(cat.criteria["FF-1"], dubu({2020: 8.5, 2021: 10}, {2020: 5, 2021: 5}), 2021)
    assert ev.status == "Opfyldt" and ev.value == approx(3.5)


def test_gap_target_not_started(cat):
    ev = evaluate(cat.criteria["FF-1"], dubu({2016: 12}, {2016: 5}), 2016)
    assert ev.status == "Ikke aktuel endnu"
    assert "forskellen var 7,0 procentpoint ved start" in txt(ev)


def test_gap_target_interim_on_path_exactly(cat):
    # path 2018 = 7 + (3,5 - 7)·(2018 - 2016)/4 = 7 - 1,75 = 5,25; gap 16,25 - 11 = 5,25 -> på stien, R = 1
    ev = evaluate(cat.criteria["FF-1"], dubu({2017: 17, 2018: 16.25}, {2017: 11, 2018: 11}), 2018)
    assert ev.status == "På vej"
    assert ev.value == approx(5.25) and ev.path_value == approx(5.25) and ev.ratio == approx(1.0)
    assert ev.target == 3.5
    # remaining (5,25 - 3,5)/2 = 0,875 a year -> "0,9" (half-up)
    assert ev.remaining == approx(0.875)
    assert rtxt(ev) == "Forskellen skal mindskes med 0,9 procentpoint om året frem til 2020."
    assert ("Forskellen var 5,3 procentpoint i 2018 (16,3 % mod 11,0 %) mod målstiens 5,3 procentpoint "
            "på vej fra 7,0 procentpoint til 3,5 procentpoint i 2020") in txt(ev)


def test_gap_target_interim_off_track(cat):
    # gap 17 - 11,5 = 5,5; R = (7 - 5,5)/(7 - 5,25) = 1,5/1,75 = 0,857 < 0,95
    ev = evaluate(cat.criteria["FF-1"], dubu({2018: 17}, {2018: 11.5}), 2018)
    assert ev.status == "Ikke på vej"
    assert ev.ratio == approx(0.857143, abs=1e-5)
    assert ev.remaining == approx(1.0)  # (5,5 - 3,5)/2


def test_gap_target_register_lag(cat):
    # evaluation 2019, latest register year 2018: judged on 2018 against the 2018 path
    ev = evaluate(cat.criteria["FF-1"], dubu({2017: 17, 2018: 16.25, 2019: None}, {2017: 11, 2018: 11, 2019: None}), 2019)
    assert ev.status == "På vej" and ev.path_value == approx(5.25)
    assert "(seneste tal er fra 2018)" in ev.explanation


def test_gap_target_final_exact_and_final_missing(cat):
    c = cat.criteria["FF-1"]
    # 2020: 8,5 - 5 = 3,5 = target -> Opfyldt
    ev = evaluate(c, dubu({2019: 10, 2020: 8.5}, {2019: 5, 2020: 5}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(3.5)
    assert ("Forskellen var 3,5 procentpoint i 2020 (8,5 % mod 5,0 %) mod målet på højst 3,5 procentpoint "
            "(fra 7,0 procentpoint).") in txt(ev)
    ev = evaluate(c, dubu({2019: 10, 2020: 8.6}, {2019: 5, 2020: 5}), 2020)
    assert ev.status == "Ikke opfyldt"
    # 2020 not delivered: no final judgement on 2019's figure
    ev = evaluate(c, dubu({2019: 8, 2020: None}, {2019: 5, 2020: None}), 2020)
    assert ev.status == "Afventer data"
    assert "Tallet for 2020 er ikke leveret endnu" in txt(ev)


def test_gap_target_changes_sign(cat):
    # 2020: 4 - 5 = -1 (the area is now below the municipality) -> Opfyldt, sign change named
    ev = evaluate(cat.criteria["FF-1"], dubu({2020: 4}, {2020: 5}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(-1.0)
    assert "skiftet fortegn" in ev.explanation


def test_gap_target_wilson_straddles(cat):
    # 12/100: centre=(.12+.0192073)/1.0384146=.134058, half=1.959964·sqrt(.001056+.000096)/1.0384146=.064064
    # -> (7,00 %, 19,81 %); gap interval (7,00 - 8,5, 19,81 - 8,5) = (-1,50, 11,31) contains 3,5
    s = dubu({2020: 12}, {2020: 8.5}, numerator={2020: 12}, denominator={2020: 100})
    ev = evaluate(cat.criteria["FF-1"], s, 2020)
    assert ev.status == "Opfyldt" and ev.label == "Opfyldt (usikkert)"
    assert ev.interval == approx((-1.5006, 11.3121), abs=1e-3)
    assert "Usikkerheden på områdets andel omfatter målet" in txt(ev)


def test_gap_target_no_data(cat):
    ev = evaluate(cat.criteria["FF-1"], dubu({2017: None}, {2017: None}), 2018)
    assert ev.status == "Afventer data" and ev.value is None


def test_gap_target_missing_year_named(cat):
    ev = evaluate(cat.criteria["FF-1"], dubu({2017: 17, 2018: None, 2019: 15}, {2017: 11, 2018: None, 2019: 11}), 2019)
    assert ev.missing_years == [2018]
    # issue 10: say which series is missing
    assert "både områdets og sammenligningsgrundlagets tal mangler for 2018" in ev.explanation


def test_gap_target_baseline_zero():
    # a gap that should stay at 0 (0 -> 0): the path is 0 every year, R is undefined (g0 = path);
    # 0,5 above the path -> Ikke på vej, on it -> På vej
    c = crit("gap_target", dict(baseline_year=2016, baseline_gap=0.0, target_gap=0.0), unit="pct", direction="down")
    ev = evaluate(c, dubu({2018: 10.5}, {2018: 10}), 2018)
    assert ev.status == "Ikke på vej" and ev.path_value == 0 and ev.ratio is None
    assert evaluate(c, dubu({2018: 10}, {2018: 10}), 2018).status == "På vej"


def test_gap_yearly_fails_when_gap_grows(cat):
    c = cat.criteria["KP-MEN-2"]
    assert c.params["yearly"] is True and c.params["baseline_gap"] == 3.5 and c.params["target_gap"] == 2.0
    # path 2018 = 3,5 - 1,5·2/4 = 2,75. Gaps: 2017 10 - 7,5 = 2,5; 2018 10,125 - 7,5 = 2,625.
    # 2,625 is below the path (R = 0,875/0,75 = 1,17) but larger than 2017's 2,5 -> Ikke på vej
    ev = evaluate(c, dubu({2017: 10, 2018: 10.125}, {2017: 7.5, 2018: 7.5}), 2018)
    assert ev.path_value == approx(2.75) and ev.ratio == approx(1.16667, abs=1e-4)
    assert ev.status == "Ikke på vej"
    assert "forskellen blev ikke mindre end året før" in txt(ev)
    # shrinking to 9,75 - 7,5 = 2,25 -> På vej
    ev = evaluate(c, dubu({2017: 10, 2018: 9.75}, {2017: 7.5, 2018: 7.5}), 2018)
    assert ev.status == "På vej"


def test_gap_yearly_first_year_compares_with_baseline(cat):
    # 2017: 10,5 - 7,5 = 3 < baseline 3,5 and <= path 3,125 -> På vej
    ev = evaluate(cat.criteria["KP-MEN-2"], dubu({2017: 10.5}, {2017: 7.5}), 2017)
    assert ev.status == "På vej" and ev.path_value == approx(3.125)
    # 2017: 11,25 - 7,5 = 3,75 > 3,5 -> Ikke på vej
    ev = evaluate(cat.criteria["KP-MEN-2"], dubu({2017: 11.25}, {2017: 7.5}), 2017)
    assert ev.status == "Ikke på vej"


def test_gap_yearly_final_requires_every_year(cat):
    # gaps 2,5 (2017), 2,625 (2018, grew), 2,25 (2019), 1,75 (2020 <= 2): the gap did not shrink every year
    ev = evaluate(cat.criteria["KP-MEN-2"],
                  dubu({2017: 10, 2018: 10.125, 2019: 9.75, 2020: 9.25}, {y: 7.5 for y in range(2017, 2021)}), 2020)
    assert ev.status == "Ikke opfyldt"
    assert "2018" in ev.explanation


# ============================================================================ gap_reduction_rate (TT-3)

def income(area: dict, comp: float = 63.4, **cols):
    return series(area, unit="pct", comparison={y: comp for y in area}, **cols)


def test_gap_rate_catalogue_encoding(cat):
    c = cat.criteria["TT-3"]
    assert c.params == {"baseline_year": 2016, "baseline_gap": 10.5, "rate": 1.0}
    assert c.alternatives[0]["params"] == {"baseline_gap": 10.2}


def test_gap_rate_not_started_and_no_data(cat):
    c = cat.criteria["TT-3"]
    ev = evaluate(c, income({2016: 53}), 2016)
    assert ev.status == "Ikke aktuel endnu"
    assert ev.target == approx(6.5)  # 10,5 - 1·4
    # only the baseline year delivered -> nothing after the baseline
    ev = evaluate(c, income({2016: 53, 2017: None}), 2017)
    assert ev.status == "Afventer data"


def test_gap_rate_interim_and_alternative_reading(cat):
    # 2018: 63,4 - 55 = 8,4; average reduction (10,5 - 8,4)/2 = 1,05 >= 1 -> På vej, R = 1,05;
    # path 10,5 - 2 = 8,5; remaining (8,4 - 6,5)/2 = 0,95 a year.
    # Alternative baseline 10,2: (10,2 - 8,4)/2 = 0,9, R = 0,9 < 0,95 -> Ikke på vej, named.
    ev = evaluate(cat.criteria["TT-3"], income({2017: 54, 2018: 55}), 2018)
    assert ev.status == "På vej"
    assert ev.value == approx(8.4) and ev.path_value == approx(8.5) and ev.ratio == approx(1.05)
    assert ev.remaining == approx(0.95)
    assert ev.reading == "basisforskel 10,5 procentpoint"
    assert ev.alternative == {"reading": "basisforskel 10,2 procentpoint (problemteksten)", "status": "Ikke på vej"}
    assert ("Forskellen er 8,4 procentpoint i 2018 (55,0 % mod 63,4 %), i gennemsnit 1,1 procentpoint mindre om "
            "året siden 2016 (10,5 procentpoint), mod kravet om mindst 1,0 procentpoint om året") in txt(ev)
    assert ("Med den alternative læsning (basisforskel 10,2 procentpoint (problemteksten)) ville status være "
            "Ikke på vej.") in ev.explanation


def test_gap_rate_final_exact(cat):
    # 2020: 56,5 - 50 = 6,5; (10,5 - 6,5)/4 = 1,0 exactly -> Opfyldt;
    # under 10,2: (10,2 - 6,5)/4 = 0,925 < 1 -> Ikke opfyldt, named
    ev = evaluate(cat.criteria["TT-3"], income({2020: 50}, comp=56.5), 2020)
    assert ev.status == "Opfyldt" and ev.ratio == approx(1.0)
    assert ev.alternative["status"] == "Ikke opfyldt"


def test_gap_rate_final_missing_and_sign_change(cat):
    c = cat.criteria["TT-3"]
    ev = evaluate(c, income({2019: 56, 2020: None}), 2020)
    assert ev.status == "Afventer data" and "Tallet for 2020 er ikke leveret endnu" in txt(ev)
    # area above the municipality: 63,4 - 65 = -1,6; (10,5 + 1,6)/4 = 3,025 a year -> Opfyldt
    ev = evaluate(c, income({2020: 65}), 2020)
    assert ev.status == "Opfyldt" and ev.value == approx(-1.6)


def test_gap_rate_wilson_straddles_path(cat):
    # 55/100: centre=(.55+.0192073)/1.0384146=.548151, half=1.959964·sqrt(.002475+.000096)/1.0384146=.095708
    # -> (45,24 %, 64,39 %); gap (63,4 - 64,39, 63,4 - 45,24) = (-0,99, 18,16) contains the path 8,5
    s = income({2018: 55}, numerator={2018: 55}, denominator={2018: 100})
    ev = evaluate(cat.criteria["TT-3"], s, 2018)
    assert ev.interval == approx((-0.986, 18.156), abs=0.01)
    assert ev.label == "På vej (usikkert)"


def test_gap_rate_missing_year_named(cat):
    ev = evaluate(cat.criteria["TT-3"], income({2017: 54, 2018: None, 2019: 56}), 2019)
    assert ev.missing_years == [2018]
    # issue 10: the area's value is missing, the municipality's (income() fills it) is there
    assert "områdets tal mangler for 2018 (sammenligningsgrundlagets tal foreligger)" in ev.explanation


# ============================================================================ survey_wave_increase (TT-1)

def survey(v2017=54.2, v2020=60.2, **extra):
    s = series({2017: v2017, 2020: v2020}, unit="index")
    s.extra = dict(extra)
    return s


def test_survey_not_yet_before_2020(cat):
    c = cat.criteria["TT-1"]
    ev = evaluate(c, survey(v2020=None), 2016)
    assert ev.status == "Ikke aktuel endnu"
    assert ev.explanation == "Sammenligningen kan først laves med målingen i 2020."
    ev = evaluate(c, survey(v2017=54.1667, v2020=None, unit_label="point"), 2019)
    assert ev.status == "Ikke aktuel endnu"
    assert ev.explanation == "Sammenligningen kan først laves med målingen i 2020; 2017-målingen gav 54,2 point."


def test_survey_met_only_when_ci_above_zero(cat):
    c = cat.criteria["TT-1"]
    ev = evaluate(c, survey(diff=6.0, ci_low=1.2, ci_high=10.8), 2020)
    assert ev.status == "Opfyldt"
    assert ev.value == 6.0 and ev.value_text == "6,0 point" and ev.interval == (1.2, 10.8)
    assert ev.explanation == ("Forskellen 2020 − 2017 er 6,0 point (95 %-sikkerhedsinterval 1,2 til 10,8); "
                              "intervallet ligger over 0, så fællesskabet opleves som stærkere.")
    # lower limit exactly 0 is not above 0
    ev = evaluate(c, survey(diff=5.0, ci_low=0.0, ci_high=10.0), 2020)
    assert ev.status == "Ikke opfyldt"


def test_survey_three_explanations(cat):
    c = cat.criteria["TT-1"]
    down = evaluate(c, survey(diff=-6.0, ci_low=-10.8, ci_high=-1.2, min_meaningful=5), 2020)
    assert down.status == "Ikke opfyldt" and "data viser et fald" in down.explanation
    ruled_out = evaluate(c, survey(diff=0.5, ci_low=-2.0, ci_high=3.0, min_meaningful=5), 2020)
    assert ruled_out.status == "Ikke opfyldt"
    assert "kan udelukke en stigning på 5,0 point eller mere" in ruled_out.explanation
    unclear = evaluate(c, survey(diff=14.6, ci_low=-20.1, ci_high=49.3, min_meaningful=5), 2020)
    assert unclear.status == "Ikke opfyldt"
    assert "kan ikke vise en stigning – men heller ikke udelukke en" in unclear.explanation
    # without a declared meaningful size, a CI covering 0 cannot rule anything out
    no_mm = evaluate(c, survey(diff=0.5, ci_low=-2.0, ci_high=3.0), 2020)
    assert "kan ikke vise en stigning" in no_mm.explanation


def test_survey_second_wave_missing(cat):
    ev = evaluate(cat.criteria["TT-1"], survey(v2020=None), 2020)
    assert ev.status == "Afventer data" and ev.missing_years == [2020]
    assert "Der mangler data for 2020" in ev.explanation


def test_survey_source_missing(cat):
    s = survey(v2017=None, v2020=None)
    s.source_missing = True
    assert evaluate(cat.criteria["TT-1"], s, 2018).status == "Ikke aktuel endnu"
    ev = evaluate(cat.criteria["TT-1"], s, 2020)
    assert ev.status == "Afventer data" and "Datakilden er ikke leveret" in ev.explanation


# ============================================================================ milestone (TT-KOM-2)

def assessments(history=None, source_missing=False):
    s = series({}, unit="text")
    s.extra = {"history": history or []}
    s.source_missing = source_missing
    return s


def test_milestone_done_in_time(cat):
    c = cat.criteria["TT-KOM-2"]
    assert c.params["due"] == "2017-12-31"
    h = [dict(date="2017-10-01", assessment="i gang", by="Sekretariatet"),
         dict(date="2017-11-20", assessment="gennemført", by="Styregruppen", evidence="Undersøgelsesrapport"),
         dict(date="2018-03-01", assessment="gennemført", by="Sekretariatet")]
    ev = evaluate(c, assessments(h), 2017)
    assert ev.status == "Opfyldt" and ev.value_text == "20.11.2017"
    assert ev.target_text == "senest 31.12.2017"
    assert ev.explanation == "Gennemført 20.11.2017 (Styregruppen) inden fristen. Dokumentation: Undersøgelsesrapport."


def test_milestone_done_early_and_on_the_day(cat):
    c = dataclasses.replace(cat.criteria["TT-KOM-2"], params={"due": "2018-12-31"})
    ev = evaluate(c, assessments([dict(date="2017-06-01", assessment="gennemført")]), 2017)
    assert ev.status == "Opfyldt"  # done a year before it was due
    ev = evaluate(cat.criteria["TT-KOM-2"], assessments([dict(date="2017-12-31", assessment="Opfyldt")]), 2017)
    assert ev.status == "Opfyldt"


def test_milestone_done_late(cat):
    c = cat.criteria["TT-KOM-2"]
    s = assessments([dict(date="2018-02-01", assessment="gennemført")])
    ev = evaluate(c, s, 2017)
    assert ev.status == "Ikke opfyldt"
    assert ev.explanation == "Milepælen er ikke registreret som gennemført; fristen var 31.12.2017."
    ev = evaluate(c, s, 2018)
    assert ev.status == "Ikke opfyldt"
    assert ev.explanation == "Gennemført 01.02.2018, efter fristen 31.12.2017."


def test_milestone_not_done(cat):
    c = cat.criteria["TT-KOM-2"]
    ev = evaluate(c, assessments([]), 2016)
    assert ev.status == "Ikke aktuel endnu" and "senest 31.12.2017" in ev.explanation
    assert evaluate(c, assessments([]), 2017).status == "Ikke opfyldt"
    assert evaluate(c, assessments([dict(date="2017-05-01", assessment="i gang")]), 2020).status == "Ikke opfyldt"


def test_milestone_source_missing(cat):
    ev = evaluate(cat.criteria["TT-KOM-2"], assessments(source_missing=True), 2018)
    assert ev.status == "Afventer data"
    assert evaluate(cat.criteria["TT-KOM-2"], assessments(source_missing=True), 2016).status == "Ikke aktuel endnu"


# ============================================================================ qualitative (TT-FYS-1)

QH = [dict(date="2018-06-01", assessment="i gang", by="Beboerforum", rationale="Arbejdet med pladsen er startet."),
      dict(date="2020-11-30", assessment="opfyldt", by="Styregruppen", rationale="Brugerne bruger pladsen.",
           evidence="Interviewnotat 2020")]


def test_qualitative_picked_by_year(cat):
    c = cat.criteria["TT-FYS-1"]
    ev = evaluate(c, assessments(QH), 2017)
    assert ev.status == "Ikke aktuel endnu" and "vurderes senest 2020" in ev.explanation
    ev = evaluate(c, assessments(QH), 2019)
    assert ev.status == "Kvalitativ vurdering" and ev.label == "Vurdering: I gang"
    assert ev.explanation.startswith("Beboerforum vurderede 01.06.2018: I gang.")
    ev = evaluate(c, assessments(QH), 2020)
    assert ev.label == "Vurdering: Opfyldt" and ev.value_text == "Opfyldt"
    assert ev.explanation == ("Styregruppen vurderede 30.11.2020: Opfyldt. Begrundelse: Brugerne bruger pladsen. "
                              "Dokumentation: Interviewnotat 2020.")


def test_qualitative_missing_assessment(cat):
    ev = evaluate(cat.criteria["TT-FYS-1"], assessments([]), 2020)
    assert ev.status == "Afventer data" and ev.explanation == "Vurderingen for 2020 er ikke registreret."
    ev = evaluate(cat.criteria["TT-FYS-1"], assessments(QH, source_missing=True), 2020)
    assert ev.status == "Afventer data" and "Datakilden er ikke leveret" in ev.explanation


# ============================================================================ target_path

def test_target_path_values(cat):
    C = cat.criteria
    assert S.target_path(C["TT-SKUR-1"], None) == {2017: 70, 2018: 70, 2019: 70, 2020: 70}
    assert S.target_path(C["FF-FAM-4"], None) == {2018: 65, 2019: 65}
    # 30 over 4 years, linear: 7,5; 15; 22,5; 30
    assert S.target_path(C["TT-SKUR-3"], None) == approx({2017: 7.5, 2018: 15, 2019: 22.5, 2020: 30})
    assert S.target_path(C["TT-4"], None) == {2017: 7.5, 2018: 7.5, 2019: 7.5, 2020: 7.5}
    # 50 in 2017, 20 % fewer: 40 in each year of 2018-2020; without the baseline no path
    assert S.target_path(C["TT-2"], series({2017: 50})) == approx({2018: 40, 2019: 40, 2020: 40})
    assert S.target_path(C["TT-2"], series({2017: None})) == {}
    # 400·1,05^k: 400, 420, 441, 463,05
    assert S.target_path(C["TT-AAB-1"], series({2017: 400})) == approx({2017: 400, 2018: 420, 2019: 441,
                                                                       2020: 463.05})
    # 7 -> 3,5 from 2016 to 2020: -0,875 a year
    assert S.target_path(C["FF-1"], None) == approx({2016: 7, 2017: 6.125, 2018: 5.25, 2019: 4.375, 2020: 3.5})
    # 10,5 - 1 a year from 2016
    assert S.target_path(C["TT-3"], None) == approx({2016: 10.5, 2017: 9.5, 2018: 8.5, 2019: 7.5, 2020: 6.5})
    for cid in ("TT-1", "TT-KOM-2", "TT-FYS-1"):
        assert S.target_path(C[cid], None) == {}


# ============================================================================ whole source missing

@pytest.mark.parametrize("cid", ["TT-SKUR-1", "TT-SKUR-2", "TT-SKUR-3", "TT-2", "KP-2", "TT-AAB-1", "TT-FRI-1",
                                 "FF-1", "TT-3"])
def test_source_missing_awaits_data(cat, cid):
    s = series({})
    s.source_missing = True
    ev = evaluate(cat.criteria[cid], s, 2019)
    assert ev.status == "Afventer data" and not ev.uncertain
    assert ev.explanation == "Datakilden er ikke leveret, så kriteriet afventer data."
    assert ev.label == "Afventer data"
    # before the criterion applies it stays "Ikke aktuel endnu"
    assert evaluate(cat.criteria[cid], s, 2015).status == "Ikke aktuel endnu"


def test_source_missing_overrides_a_computed_status(cat):
    s = series({2017: 80, 2018: 90})
    s.source_missing = True
    ev = evaluate(cat.criteria["TT-SKUR-1"], s, 2018)
    assert ev.status == "Afventer data"


def test_evaluation_as_dict_is_json_serialisable():
    import json

    ev = evaluate(crit("minimum_share", SH, unit="pct"), share_series({2018: 7}, {2018: 10}), 2018)
    json.dumps(ev.as_dict())


def test_evaluation_as_dict_has_label(cat):
    ev = evaluate(cat.criteria["TT-SKUR-1"], series({2017: 75}), 2017)
    d = ev.as_dict()
    assert d["label"] == "Opfyldt" and d["criterion_id"] == "TT-SKUR-1" and d["kind"] == "annual_minimum"


# ============================================================================ stats

@pytest.mark.parametrize("k,n", [(0, 1), (0, 20), (1, 29), (7, 10), (12, 20), (27, 40), (81, 263), (15, 148),
                                 (50, 50), (999, 1000), (3, 4)])
def test_wilson_matches_statsmodels(k, n):
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert wilson_interval(k, n) == approx((lo, hi), abs=1e-9)


def test_wilson_textbook_values():
    # Newcombe (1998), Stat Med 17:857, Table I, method 3 (score): 81/263, 15/148, 0/20, 1/29
    assert wilson_interval(81, 263) == approx((0.2553, 0.3662), abs=5e-5)
    assert wilson_interval(15, 148) == approx((0.0624, 0.1605), abs=5e-5)
    assert wilson_interval(0, 20) == approx((0.0, 0.1611), abs=5e-5)
    assert wilson_interval(1, 29) == approx((0.0061, 0.1718), abs=5e-5)


def test_wilson_empty_denominator():
    lo, hi = wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


def test_poisson_garwood_table():
    assert poisson_interval(0) == approx((0.0, 3.689), abs=1e-3)
    assert poisson_interval(1) == approx((0.0253, 5.572), abs=1e-3)
    assert poisson_interval(5) == approx((1.623, 11.668), abs=1e-3)
    assert poisson_interval(10) == approx((4.795, 18.390), abs=1e-3)
    assert all(math.isnan(x) for x in poisson_interval(float("nan")))
    assert all(math.isnan(x) for x in poisson_interval(-1))


def test_poisson_mean_interval():
    # 10 events over 2 years: Garwood(10)/2 = (2,398, 9,195)
    assert poisson_mean_interval(10, 2) == approx((2.3977, 9.1952), abs=1e-3)


# ============================================================================ formatting

def test_formatting_numbers():
    assert F.fmt_number(1234) == "1.234"
    assert F.fmt_number(1234.5, 1) == "1.234,5"
    assert F.fmt_number(17288000) == "17.288.000"
    assert F.fmt_pct(12.4) == f"12,4{NBSP}%"
    assert F.fmt_pct(65, 0) == f"65{NBSP}%"
    assert F.fmt_pp(3.5) == f"3,5{NBSP}procentpoint"
    assert F.fmt_pp(3.5, signed=True) == f"+3,5{NBSP}procentpoint"
    assert F.fmt_pp(-1.6, signed=True) == f"-1,6{NBSP}procentpoint"
    assert F.fmt_kr(17288000) == f"17.288.000{NBSP}kr."


def test_formatting_half_up_rounding():
    assert F.fmt_number(2.25, 1) == "2,3"  # round(2.25, 1) would give 2.2 (half-even)
    assert F.fmt_number(2.675, 2) == "2,68"  # binary 2.67499999... rounds to 2.67 with round()
    assert F.fmt_number(0.5) == "1"
    assert F.fmt_number(-2.25, 1) == "-2,3"
    assert F.fmt_number(-0.04, 1) == "0,0"  # no "-0,0"


def test_formatting_dates_counts_missing():
    assert F.fmt_date(dt.date(2020, 12, 31)) == "31.12.2020"
    assert F.fmt_date("2020-12-31") == "31.12.2020"
    assert F.fmt_date(dt.datetime(2017, 1, 5, 13, 0)) == "05.01.2017"
    assert F.fmt_count(3) == "<5"
    assert F.fmt_count(1) == "<5"
    assert F.fmt_count(0) == "0"
    assert F.fmt_count(5) == "5"
    assert F.fmt_count(1234) == "1.234"
    for f in (F.fmt_number, F.fmt_pct, F.fmt_pp, F.fmt_kr, F.fmt_count, F.fmt_date):
        assert f(None) == "–"
    for f in (F.fmt_number, F.fmt_pct, F.fmt_pp, F.fmt_kr, F.fmt_count):
        assert f(float("nan")) == "–"
    assert F.MISSING == "–"


def test_formatting_value_by_unit():
    assert F.fmt_value(12.44, "pct") == f"12,4{NBSP}%"
    assert F.fmt_value(3.5, "pp") == f"3,5{NBSP}procentpoint"
    assert F.fmt_value(17288000, "kr") == f"17.288.000{NBSP}kr."
    assert F.fmt_value(7.5, "count") == "8"
    assert F.fmt_value(30.44, "rate") == "30,4"
    assert F.fmt_value(float("nan"), "pct") == "–"


def test_tick_formatter():
    fmt = F.tick_formatter("pct", 0)
    assert fmt(12, 0) == f"12{NBSP}%"
    assert F.tick_formatter("kr")(1500000, 0) == f"1.500.000{NBSP}kr."
    assert F.tick_formatter()(1234.0, 0) == "1.234"


# ============================================================================ issue 10: no silent verdicts

# ---- remaining effort never asks for the impossible (one test per kind that can run out of room)

def test_remaining_impossible_period_mean_max_count(cat):
    # KP-2: at most 3 on average 2017-2020; 6 + 6 + 5 = 17 by 2019 -> need (3·4 - 17)/1 = -5 cases in 2020.
    # At best 0 in 2020: 17/4 = 4,25 -> "4,3", 1,25 over the target -> "1,3 for meget"
    ev = evaluate(cat.criteria["KP-2"], series({2016: 6, 2017: 6, 2018: 6, 2019: 5}), 2019)
    assert ev.status == "Ikke på vej" and ev.remaining == approx(-5.0)
    assert rtxt(ev) == ("Målet kan ikke længere nås: selv med 0 i det resterende år (2020) bliver gennemsnittet "
                        "4,3 mod målet på højst 3 (1,3 for meget).")
    assert "−" not in rtxt(ev) and "-" not in rtxt(ev)
    # the stated starting level is catalogue data (6 cases in 2016) and named in the explanation
    assert cat.criteria["KP-2"].params["baseline"] == 6 and cat.criteria["KP-2"].params["baseline_year"] == 2016
    assert "mod målet på højst 3 (fra 6 i 2016)" in txt(ev)


def test_remaining_impossible_period_mean_max_gap(cat):
    # TT-4: gaps 86 - 71 = 15, 86 - 72 = 14, 86 - 74 = 12 -> sum 41; need (7,5·4 - 41)/1 = -11.
    # At best the gap is closed (0) in 2020: 41/4 = 10,25 -> "10,3"; 2,75 over -> "2,8"
    s = police({2017: 71, 2018: 72, 2019: 74}, comp=86.0)
    ev = evaluate(cat.criteria["TT-4"], s, 2019)
    assert ev.status == "Ikke på vej" and ev.remaining == approx(-11.0)
    assert rtxt(ev) == ("Målet kan ikke længere nås: selv hvis forskellen lukkes helt (0) i det resterende år (2020) "
                        "bliver gennemsnittet 10,3 procentpoint mod målet på højst 7,5 procentpoint "
                        "(2,8 procentpoint for meget).")


def test_ff2_target_path_start_reading(cat):
    # FF-2 (no-shows per 100 children, gap area - municipality). Chosen path from 2014 (the year 12,4 was
    # measured): 2018 = 12,4 - 6,2·4/6 = 8,267; the alternative from the plan's start, 2016: 12,4 - 6,2·2/4 = 9,3.
    # Gap 2018 = 30 - 21 = 9: above the chosen path, R = 3,4/4,133 = 0,823 -> Ikke på vej; below the other -> På vej
    c = cat.criteria["FF-2"]
    assert c.params["baseline_year"] == 2014 and [a["params"] for a in c.alternatives] == [{"baseline_year": 2016}]
    ev = evaluate(c, dubu({2018: 30}, {2018: 21}), 2018)
    assert ev.path_value == approx(8.2667, abs=1e-4) and ev.ratio == approx(0.8226, abs=1e-4)
    assert ev.status == "Ikke på vej"
    assert ev.alternative == {"reading": "målstien starter ved planens start (12,4 i 2016)", "status": "På vej"}
    assert "(målstien starter ved planens start (12,4 i 2016)) ville status være På vej." in txt(ev)
    # both readings end at 6,2 in 2020: the final status is the same, so no alternative is named
    ev = evaluate(c, dubu({2020: 26}, {2020: 20}), 2020)
    assert ev.status == "Opfyldt" and ev.alternative is None


def test_remaining_one_year_left_wording(cat):
    # TT-2: 2017 = 50 -> 40; 2018 + 2019 = 45 + 40 = 85 -> 2020 needs 40·3 - 85 = 35
    ev = evaluate(cat.criteria["TT-2"], series({2017: 50, 2018: 45, 2019: 40}), 2019)
    assert rtxt(ev) == "Det resterende år (2020) skal ligge på højst 35."


def test_remaining_impossible_period_mean_change(cat):
    # TT-2: 2017 = 50 -> target 40; 70 + 60 = 130 by 2019 -> need (40·3 - 130)/1 = -10.
    # At best 0 in 2020: 130/3 = 43,33 -> "43,3", 3,33 over -> "3,3 for meget"
    ev = evaluate(cat.criteria["TT-2"], series({2017: 50, 2018: 70, 2019: 60}), 2019)
    assert ev.status == "Ikke på vej" and ev.remaining == approx(-10.0)
    assert rtxt(ev) == ("Målet kan ikke længere nås: selv med 0 i det resterende år (2020) bliver gennemsnittet "
                        "43,3 mod målet på højst 40 (3,3 for meget).")


def test_remaining_impossible_gap_target_yearly(cat):
    # KP-MEN-2 ("år for år"): gaps 2017 10 - 7,5 = 2,5; 2018 10,125 - 7,5 = 2,625 (grew); 2019 9,7 - 7,5 = 2,2.
    # 2019 is below the path 3,5 - 1,5·3/4 = 2,375 and below 2018, but 2018 grew: that cannot be undone
    s = dubu({2017: 10, 2018: 10.125, 2019: 9.7}, {2017: 7.5, 2018: 7.5, 2019: 7.5})
    ev = evaluate(cat.criteria["KP-MEN-2"], s, 2019)
    assert ev.path_value == approx(2.375) and ev.value == approx(2.2)
    assert ev.status == "Ikke på vej"
    assert rtxt(ev) == ("Målet kan ikke længere nås: forskellen blev ikke mindre år for år (ikke i 2018). "
                        "Forskellen skal stadig ned på højst 2,0 procentpoint i 2020, 0,2 procentpoint om året.")


def test_remaining_impossible_gap_reduction_rate():
    # a gap of 2 in 2016 reduced by 1 a year would be -2 in 2020: past a closed gap. At best 2/4 = 0,5 a year,
    # 0,5 short of 1,0
    c = crit("gap_reduction_rate", dict(baseline_year=2016, baseline_gap=2.0, rate=1.0), unit="pct")
    ev = evaluate(c, income({2018: 63.4}), 2018)  # gap 63,4 - 63,4 = 0 = the path 2 - 1·2: closed already
    assert ev.status == "På vej" and ev.target == approx(-2.0) and ev.path_value == approx(0.0)
    assert rtxt(ev) == ("Målet kan ikke længere nås som en lukning af forskellen: selv hvis forskellen lukkes helt "
                        "(0) i 2020, er den i gennemsnit mindsket med 0,5 procentpoint om året mod kravet om "
                        "1,0 procentpoint (0,5 procentpoint for lidt).")


def test_remaining_impossible_yoy_growth_every_year_reading(cat):
    # TT-FRI-1: 20, 20, 25, 26. Average growth (26/20)^(1/3) - 1 = 1,3^(1/3) - 1 = 9,14 % >= 5 % -> Opfyldt;
    # the reading "every single year" fails on 2018 (0 %): evaluated beside it and named
    c = cat.criteria["TT-FRI-1"]
    assert c.params["rule"] == "average"
    assert [a["params"] for a in c.alternatives] == [{"rule": "every_year"}]
    s = series({2017: 20, 2018: 20, 2019: 25, 2020: 26}, unit="persons")
    ev = evaluate(c, s, 2020)
    assert ev.status == "Opfyldt" and ev.ratio == approx(0.091393 / 0.05, abs=1e-4)
    assert ev.alternative == {"reading": "mindst 5 % vækst hvert eneste år", "status": "Ikke opfyldt"}
    assert "(mindst 5 % vækst hvert eneste år) ville status være Ikke opfyldt" in txt(ev)
    # interim under the every-year reading: 2018 was weak, so the target can no longer be reached
    every = c.with_params({"rule": "every_year"})
    ev = evaluate(every, s, 2019)
    assert ev.status == "Ikke på vej"
    assert rtxt(ev) == "Målet kan ikke længere nås: væksten var under 5 % i 2018, og hvert år skal nå den."
    ev = evaluate(every, series({2017: 20, 2018: 21, 2019: 23}, unit="persons"), 2019)  # 5 %, 9,5 %
    assert ev.status == "På vej" and rtxt(ev) == "Hvert af årene 2020 skal have en vækst på mindst 5 %."


@pytest.mark.parametrize("kind,params,values", [
    # no upper bound on a count: the remaining effort is a level to reach, never impossible
    ("annual_minimum", dict(target=70), {2017: 1, 2018: 2}),
    ("cumulative_total", dict(target=200), {2017: 1, 2018: 2}),
    ("growth", dict(baseline_year=2017, rate=0.05), {2017: 100, 2018: 1}),
    ("yoy_growth", dict(baseline_year=2017, rate=0.05), {2017: 100, 2018: 1}),
])
def test_remaining_never_negative_for_unbounded_kinds(kind, params, values):
    ev = evaluate(crit(kind, params), series(values), 2018)
    assert ev.status in ("Ikke opfyldt", "Ikke på vej")
    assert ev.remaining_text and "-" not in ev.remaining_text and "−" not in ev.remaining_text
    assert "ikke muligt" not in ev.remaining_text


# ---- Skjult and Kan ikke vurderes

def test_suppressed_status_word_and_colour():
    assert S.SUPPRESSED == "Skjult" and S.UNJUDGEABLE == "Kan ikke vurderes"
    assert S.SUPPRESSED in S.STATUSES and S.UNJUDGEABLE in S.STATUSES
    assert S.SUPPRESSED in S.STATUS_COLOURS and S.UNJUDGEABLE in S.STATUS_COLOURS


def test_suppressed_label_follows_min_cell():
    # 8 of 9 = 88,9 % over 9 persons: shown with min_cell 5, hidden with min_cell 10
    c = crit("minimum_share", dict(target=50, scope="annual"), unit="pct")
    s = share_series({2018: 8}, {2018: 9})
    assert evaluate(c, s, 2018).status == "Opfyldt"
    with S.disclosure_threshold(10):
        ev = evaluate(c, s, 2018)
    assert ev.status == "Skjult" and ev.label == "Skjult: færre end 10 personer"
    assert ev.value is None and "88" not in ev.explanation and "Data er leveret" in ev.explanation


@pytest.mark.parametrize("cid,s,year", [
    ("TT-1", "survey", 2020),
    ("TT-2", "counts", 2019),
    ("FF-1", "gap", 2019),
])
def test_unreliable_series_cannot_be_judged(cat, cid, s, year):
    reason = "vægtningen af 2020-målingen konvergerede ikke (marginerne afviger stadig)"
    if s == "survey":
        ser = survey(diff=6.0, ci_low=1.2, ci_high=10.8)
    elif s == "counts":
        ser = series({2017: 50, 2018: 30, 2019: 30})
    else:
        ser = dubu({2019: 15}, {2019: 11})
    ser.extra = dict(ser.extra or {}, unreliable=reason)
    ev = evaluate(cat.criteria[cid], ser, year)
    assert ev.status == "Kan ikke vurderes" and ev.label == "Kan ikke vurderes"
    assert txt(ev).startswith("Kriteriet kan ikke vurderes pålideligt: " + reason + ". Uden dette forbehold "
                              "ville status have været ")
    assert ev.remaining_text == "" and not ev.uncertain
    # a reason given as a whole sentence (the survey module's) is used as it is
    ser.extra["unreliable"] = "Sammenligningen kan ikke vurderes pålideligt, fordi vægtningen ikke konvergerede."
    ev = evaluate(cat.criteria[cid], ser, year)
    assert txt(ev).startswith("Sammenligningen kan ikke vurderes pålideligt, fordi vægtningen ikke konvergerede. "
                              "Uden dette forbehold")
    # before the criterion is due, "Ikke aktuel endnu" still comes first
    if cid == "TT-1":
        assert evaluate(cat.criteria[cid], ser, 2019).status == "Ikke aktuel endnu"


# ---- "(usikkert)" means the same in every kind: interval straddles target/path -> label says so

@pytest.mark.parametrize("case", ["annual_minimum", "minimum_share", "period_mean_change", "period_mean_max",
                                  "gap_target", "gap_reduction_rate", "survey_wave_increase"])
def test_uncertain_rule_per_kind(cat, case):
    if case == "annual_minimum":
        # target 3: Garwood(5) = (1,62, 11,67) straddles 3; Garwood(12) lower limit 6,2 > 3
        c = crit("annual_minimum", dict(target=3, uncertainty="poisson"))
        wide, narrow = evaluate(c, series({2017: 5}), 2017), evaluate(c, series({2017: 12}), 2017)
    elif case == "minimum_share":
        # 7/10: Wilson (39,7 %, 89,2 %) straddles 65; 90/100: (82,6 %, 94,5 %) does not
        c = crit("minimum_share", dict(target=65, scope="annual"), unit="pct")
        wide = evaluate(c, share_series({2018: 7}, {2018: 10}), 2018)
        narrow = evaluate(c, share_series({2018: 90}, {2018: 100}), 2018)
    elif case == "period_mean_change":
        # baseline 6, -50 % -> 3; 2018 = 5: Garwood(5) straddles 3; baseline 60 -> 30; 2018 = 50: Garwood(50)
        # is about (37,1, 65,9) > 30
        c = crit("period_mean_change", dict(baseline_year=2017, change=-0.5, uncertainty="poisson"),
                 period=(2018, 2020), direction="down")
        wide = evaluate(c, series({2017: 6, 2018: 5}), 2018)
        narrow = evaluate(c, series({2017: 60, 2018: 50}), 2018)
    elif case == "period_mean_max":
        # KP-2: 2 + 3 = 5 in 2 years: Garwood(5)/2 = (0,81, 5,83) straddles 3; 0 + 0: (0, 1,84) does not
        c = cat.criteria["KP-2"]
        wide = evaluate(c, series({2017: 2, 2018: 3}), 2018)
        narrow = evaluate(c, series({2017: 0, 2018: 0}), 2018)
    elif case == "gap_target":
        # FF-1 2020: 12/100 -> gap interval (-1,50, 11,31) straddles 3,5; 1200/10000 -> Wilson about
        # (11,37 %, 12,65 %) -> gap (2,87, 4,15) straddles 3,5 too, so use 1000/10000: gap about (0,91, 2,09)
        c = cat.criteria["FF-1"]
        wide = evaluate(c, dubu({2020: 12}, {2020: 8.5}, numerator={2020: 12}, denominator={2020: 100}), 2020)
        narrow = evaluate(c, dubu({2020: 10}, {2020: 8.5}, numerator={2020: 1000}, denominator={2020: 10000}),
                          2020)
    elif case == "gap_reduction_rate":
        # TT-3 2018 path 8,5: 55/100 -> gap (-0,99, 18,16) straddles; 5500/10000 -> gap about (7,43, 9,37)
        # straddles too, so use 5600/10000 (gap 7,4): Wilson about (55,03 %, 56,97 %) -> gap (6,43, 8,37)
        c = cat.criteria["TT-3"]
        wide = evaluate(c, income({2018: 55}, numerator={2018: 55}, denominator={2018: 100}), 2018)
        narrow = evaluate(c, income({2018: 56}, numerator={2018: 5600}, denominator={2018: 10000}), 2018)
    else:
        # TT-1: CI (-2,0, 3,0) straddles the target 0 -> "Ikke opfyldt (usikkert)" (issue 10's example);
        # (1,2, 10,8) lies above it -> "Opfyldt"; (-10,8, -1,2) below -> "Ikke opfyldt"
        c = cat.criteria["TT-1"]
        wide = evaluate(c, survey(diff=0.5, ci_low=-2.0, ci_high=3.0), 2020)
        narrow = evaluate(c, survey(diff=6.0, ci_low=1.2, ci_high=10.8), 2020)
        below = evaluate(c, survey(diff=-6.0, ci_low=-10.8, ci_high=-1.2), 2020)
        assert below.label == "Ikke opfyldt"
        assert wide.label == "Ikke opfyldt (usikkert)"
    assert wide.interval is not None and wide.uncertain and wide.label.endswith(" (usikkert)"), wide.label
    assert narrow.interval is not None and not narrow.uncertain and "(usikkert)" not in narrow.label, narrow.label
    assert wide.status in (S.MET, S.NOT_MET, S.ON_TRACK, S.OFF_TRACK)


@pytest.mark.parametrize("kind,params,values", [
    ("cumulative_total", dict(target=10), {2017: 2, 2018: 5}),
    ("growth", dict(baseline_year=2017, rate=0.05), {2017: 2, 2018: 3}),
    ("yoy_growth", dict(baseline_year=2017, rate=0.05), {2017: 2, 2018: 3}),
])
def test_kinds_without_interval_never_uncertain(kind, params, values):
    ev = evaluate(crit(kind, params), series(values), 2018)
    assert ev.interval is None and not ev.uncertain and "(usikkert)" not in ev.label


# ---- which series is missing in a gap

def test_gap_says_comparison_is_missing(cat):
    # FF-1 2019: the area's 15 % is there, the municipality's value is not; 2018 has both (16 - 11 = 5)
    s = dubu({2018: 16, 2019: 15}, {2018: 11, 2019: None})
    ev = evaluate(cat.criteria["FF-1"], s, 2019)
    assert ev.missing_years == [2017, 2019]
    assert ("sammenligningsgrundlagets tal mangler for 2019 (områdets tal foreligger)" in txt(ev))
    assert "både områdets og sammenligningsgrundlagets tal mangler for 2017" in txt(ev)
    assert "(seneste tal er fra 2018)" in txt(ev)
    # and vice versa: the area's value missing, the comparison there
    s = dubu({2018: 16, 2019: None}, {2018: 11, 2019: 11})
    ev = evaluate(cat.criteria["FF-1"], s, 2019)
    assert "områdets tal mangler for 2019 (sammenligningsgrundlagets tal foreligger)" in txt(ev)


def test_gap_period_mean_no_gap_at_all_names_the_series(cat):
    s = police({2017: 71, 2018: 72}, comp=None)
    s.data["comparison"] = math.nan
    ev = evaluate(cat.criteria["TT-4"], s, 2018)
    assert ev.status == "Afventer data"
    assert "sammenligningsgrundlagets tal mangler for 2017, 2018 (områdets tal foreligger)" in txt(ev)


# ---- baseline never a silent zero (series level; the data-level cases are in test_indicators.py)

@pytest.mark.parametrize("cid,year", [("TT-2", 2019), ("TT-AAB-1", 2019), ("TT-FRI-1", 2019)])
def test_baseline_year_without_records_is_missing(cat, cid, year):
    # value 0 in 2017, but the source had no records at all that year and the manifest does not declare it
    s = series({2017: 0, 2018: 4, 2019: 5}, records={2017: 0, 2018: 4, 2019: 5})
    ev = evaluate(cat.criteria[cid], s, year)
    assert ev.status == "Afventer data" and ev.missing_years == [2017] and ev.figures[2017] is None
    assert "Kilden har ingen registreringer i basisåret 2017, så basisniveauet mangler (det sættes ikke til 0)" \
        in txt(ev)
    # declared covered in manifest.yml -> a real 0
    s.extra = {"declared_years": [2017, 2018, 2019, 2020]}
    ev = evaluate(cat.criteria[cid], s, year)
    assert ev.status != "Afventer data" and "basisåret 2017" not in txt(ev)


# ---- Danish text

def test_danish_text_hygiene():
    assert S._span(2017, 2017) == "2017" and S._span(2018, 2020) == "2018–2020"
    assert S.tidy_text("på højst -2 sager (-3,0 procentpoint); 2018-2020; 31.12.2020") == \
        "på højst −2 sager (−3,0 procentpoint); 2018-2020; 31.12.2020"
    assert S.tidy_text("i alt 1.000 kr..") == "i alt 1.000 kr."
    # a kr. amount at the end of a sentence: KP-3 (vandalism costs), 2017 = 100.000 kr -> target 90.000 kr
    ev = evaluate(crit("period_mean_change", dict(baseline_year=2017, change=-0.10), period=(2018, 2020),
                       unit="kr", direction="down"), series({2017: 100000, 2018: 80000}, unit="kr"), 2018)
    assert "kr.." not in ev.explanation and "kr.." not in ev.remaining_text
    assert rtxt(ev) == "De resterende år (2019, 2020) skal i gennemsnit ligge på højst 95.000 kr."


def test_default_disclosure_threshold_agrees_with_the_disclosure_layer():
    """The engine keeps its own default threshold (analysis may not import report at module level): it must be
    the disclosure layer's."""
    from helhedsplan_eval.analysis.status import common
    from helhedsplan_eval.report import disclosure

    assert common.DEFAULT_MIN_CELL == disclosure.DEFAULT_MIN_CELL == 5
    assert S.MIN_CELL == 5
    with S.disclosure_threshold(3):
        assert S.MIN_CELL == 3 and common.MIN_CELL == 3
    assert S.MIN_CELL == 5


def test_indexed_series_reads_what_pandas_reads():
    """Issue 13: ``IndicatorSeries.indexed`` reads every cell from a table built once; each read must equal the
    pandas look-up: numbers, NaN and None (missing), text (not a number), absent years and columns; a copy
    whose data is replaced (truncation) reads the new data."""
    import pandas as pd

    df = pd.DataFrame({"value": [1.5, math.nan, 3.0], "comparison": [None, "x", 2],
                       "numerator": [1, 2, 3]}, index=pd.Index([2017, 2018, 2019], name="year"))
    s = IndicatorSeries("i", "pct", df)
    fast = s.indexed()
    for y in (2016, 2017, 2018, 2019, 2017.0):
        for col in ("value", "comparison", "numerator", "denominator"):
            assert fast._get(y, col) == s._get(y, col), (y, col)
    assert [fast.value(y) for y in (2017, 2018, 2019)] == [1.5, None, 3.0]
    assert fast.comparison(2019) == 2.0 and fast.comparison(2018) is None
    cut = S._until(fast, 2018)
    assert cut.value(2019) is None and cut.value(2017) == 1.5
    dup = IndicatorSeries("i", "pct", pd.DataFrame({"value": [1.0, 2.0]}, index=[2017, 2017]))
    assert dup.indexed() is dup  # no table for an index with repeated years: pandas decides
