"""Issue 21: one coverage rule for every kind — no verdict without the year it judges.

For every kind the engine knows (``status.EVALUATORS``), a source that stops a year early (2017–2019 delivered,
2020 not) gives *Afventer data* in 2020, while the same source with 2020 delivered gives a verdict (so the test
bites). A new kind fails :func:`test_every_kind_has_a_coverage_case` until it has a case here. The expected
verdicts of the complete sources are worked out by hand in each case's comment.
"""

from __future__ import annotations

import pytest

from helhedsplan_eval.analysis import status as S
from helhedsplan_eval.analysis.status import IndicatorSeries, evaluate
from helhedsplan_eval.catalogue.criteria import Criterion

YEARS = (2017, 2018, 2019, 2020)


def crit(kind, params, direction="up", unit="count"):
    return Criterion(id="T-COV", area="test", activity=None, text="Test", source="Test", kind=kind,
                     indicator="test", unit=unit, direction=direction, params=dict(params), period_start=2017,
                     period_end=2020, years=YEARS)


def ser(values, unit="count", extra=None, **cols):
    s = IndicatorSeries.from_values("test", unit, values, **cols)
    s.extra = dict(extra or {})
    return s


def _cut(d: dict) -> dict:
    """The same column without 2020 (a source that stops a year early)."""
    return {y: (None if y == 2020 else v) for y, v in d.items()}


def _yearly(kind, params, values, direction="up", unit="count", **cols):
    """(criterion, complete series, series without 2020)."""
    c = crit(kind, params, direction, unit)
    return c, ser(values, unit, **cols), ser(_cut(values), unit, **{k: _cut(v) for k, v in cols.items()})


def case_annual_minimum():  # 12 ≥ 10 in 2020 -> Opfyldt
    return _yearly("annual_minimum", {"target": 10}, {2017: 12, 2018: 12, 2019: 12, 2020: 12}) + (S.MET,)


def case_minimum_share():  # 2020: 6 of 10 = 60 % ≥ 50 % -> Opfyldt
    num, den = {y: 6 for y in YEARS}, {y: 10 for y in YEARS}
    return _yearly("minimum_share", {"target": 50}, {y: 60.0 for y in YEARS}, unit="pct",
                   numerator=num, denominator=den) + (S.MET,)


def case_minimum_share_period():  # pooled 24 of 40 = 60 % ≥ 50 % -> Opfyldt
    num, den = {y: 6 for y in YEARS}, {y: 10 for y in YEARS}
    return _yearly("minimum_share", {"target": 50, "scope": "period"}, {y: 60.0 for y in YEARS}, unit="pct",
                   numerator=num, denominator=den) + (S.MET,)


def case_cumulative_total():  # 5 new a year: 20 < 30 in 2020 -> Ikke opfyldt (without 2020 not "15 of 30")
    return _yearly("cumulative_total", {"target": 30}, {2017: 5, 2018: 10, 2019: 15, 2020: 20},
                   new={y: 5 for y in YEARS}) + (S.NOT_MET,)


def case_period_mean_change():  # mean 40 ≤ 50·0,8 = 40 -> Opfyldt
    c = crit("period_mean_change", {"baseline_year": 2016, "change": -0.2}, "down")
    full = {2016: 50, 2017: 40, 2018: 40, 2019: 40, 2020: 40}
    return c, ser(full), ser(_cut(full)), S.MET


def case_period_mean_max():  # mean 2 ≤ 3 -> Opfyldt
    return _yearly("period_mean_max", {"max": 3}, {y: 2 for y in YEARS}, "down") + (S.MET,)


def case_period_mean_max_gap():  # gap 90 − 85 = 5 ≤ 7,5 every year -> Opfyldt
    return _yearly("period_mean_max", {"measure": "gap", "max": 7.5}, {y: 85.0 for y in YEARS}, unit="pct",
                   comparison={y: 90.0 for y in YEARS}) + (S.MET,)


def case_growth():  # 130 ≥ 100·1,05⁴ = 121,6 in 2020 -> Opfyldt
    c = crit("growth", {"baseline_year": 2016, "rate": 0.05})
    full = {2016: 100, 2017: 110, 2018: 120, 2019: 130, 2020: 130}
    return c, ser(full), ser(_cut(full)), S.MET


def case_yoy_growth():  # (130/100)^(1/4) − 1 = 6,8 % ≥ 5 % -> Opfyldt
    c = crit("yoy_growth", {"baseline_year": 2016, "rate": 0.05})
    full = {2016: 100, 2017: 110, 2018: 120, 2019: 125, 2020: 130}
    return c, ser(full), ser(_cut(full)), S.MET


def case_gap_target():  # 2020: 14 − 10 = 4 ≤ 5 -> Opfyldt
    return _yearly("gap_target", {"baseline_year": 2016, "baseline_gap": 10, "target_gap": 5},
                   {2017: 19, 2018: 17, 2019: 16, 2020: 14}, "down", "pct",
                   comparison={y: 10.0 for y in YEARS}) + (S.MET,)


def case_gap_reduction_rate():  # 2020: 15 − 10 = 5 ≤ 10 − 1·4 = 6 -> Opfyldt
    return _yearly("gap_reduction_rate", {"baseline_year": 2016, "baseline_gap": 10, "rate": 1},
                   {2017: 19, 2018: 18, 2019: 17, 2020: 15}, "down", "pct",
                   comparison={y: 10.0 for y in YEARS}) + (S.MET,)


def case_survey_wave_increase():  # difference 6,0 with interval 1,2–10,8 above 0 -> Opfyldt
    c = crit("survey_wave_increase", {"start_wave": 2017, "end_wave": 2020}, unit="index")
    x = {"diff": 6.0, "ci_low": 1.2, "ci_high": 10.8}
    return c, ser({2017: 54.2, 2020: 60.2}, "index", x), ser({2017: 54.2, 2020: None}, "index", x), S.MET


def case_milestone():  # due 30.6.2020, not recorded as done, register covers 2020 -> Ikke opfyldt
    c = crit("milestone", {"due": "2020-06-30"}, unit="text")
    h = [{"date": "2019-03-01", "assessment": "i gang"}]
    return (c, ser({}, "text", {"history": h, "covered_years": list(YEARS)}),
            ser({}, "text", {"history": h, "covered_years": [2017, 2018, 2019]}), S.NOT_MET)


def case_ratio_to_comparison():  # 5,0 % against 2,5 %: ratio 2,0 ≤ 2,5 in 2020 -> Opfyldt
    return _yearly("ratio_to_comparison", {"max": 2.5}, {y: 5.0 for y in YEARS}, "down", "pct",
                   comparison={y: 2.5 for y in YEARS}) + (S.MET,)


def case_two_tier():  # mean 90 ≤ 100 (2016), and the ambition 90 (10 % lower) is met too -> Opfyldt
    c = crit("two_tier", {"baseline_year": 2016, "ambition": -0.1}, "down")
    full = {2016: 100, 2017: 90, 2018: 90, 2019: 90, 2020: 90}
    return c, ser(full), ser(_cut(full)), S.MET


def case_hold_baseline():  # mean 90 ≤ 100 (2016) -> Opfyldt
    c = crit("hold_baseline", {"baseline_year": 2016}, "down")
    full = {2016: 100, 2017: 90, 2018: 90, 2019: 90, 2020: 90}
    return c, ser(full), ser(_cut(full)), S.MET


CASES = {
    "annual_minimum": [case_annual_minimum],
    "minimum_share": [case_minimum_share, case_minimum_share_period],
    "cumulative_total": [case_cumulative_total],
    "period_mean_change": [case_period_mean_change],
    "period_mean_max": [case_period_mean_max, case_period_mean_max_gap],
    "growth": [case_growth],
    "yoy_growth": [case_yoy_growth],
    "gap_target": [case_gap_target],
    "gap_reduction_rate": [case_gap_reduction_rate],
    "survey_wave_increase": [case_survey_wave_increase],
    "milestone": [case_milestone],
    "qualitative": [],  # a recorded assessment, never a verdict of the engine: see test_qualitative_...
    "ratio_to_comparison": [case_ratio_to_comparison],
    "two_tier": [case_two_tier],
    "hold_baseline": [case_hold_baseline],
    # its units' counts come from the listed criteria judged per unit (a catalogue and a bundle):
    # tests/test_new_kinds.py::test_count_units_awaits_a_source_that_stops_a_year_early
    "count_units": [],
}


def test_every_kind_has_a_coverage_case():
    assert set(CASES) == set(S.EVALUATORS)


@pytest.mark.parametrize("make", [f for fs in CASES.values() for f in fs], ids=lambda f: f.__name__[5:])
def test_a_source_that_stops_a_year_early_awaits_data(make):
    c, full, cut, verdict = make()
    assert evaluate(c, full, 2020).status == verdict  # the complete source gives the hand-computed verdict
    ev = evaluate(c, cut, 2020)
    assert ev.status == S.AWAITING, (ev.status, ev.explanation)
    assert ev.label == "Afventer data" and not ev.uncertain
    assert "2020" in ev.explanation and ev.remaining_text == ""


@pytest.mark.parametrize("make", [f for k, fs in CASES.items() for f in fs
                                  if k not in ("gap_target", "gap_reduction_rate", "survey_wave_increase",
                                               "milestone")],
                         ids=lambda f: f.__name__[5:])
def test_an_interim_year_not_delivered_awaits_data(make):
    """The same rule in an interim year: 2019 judged, the source stops in 2018. (Gaps come from registers
    published with a lag and are judged on the latest year, named; the survey and milestones have no interim.)"""
    c, full, _, _ = make()
    cut = full.data.copy()
    cut.loc[cut.index >= 2019, :] = float("nan")
    if "value" in cut and 2016 in cut.index:
        cut.loc[2016, "value"] = full.data.loc[2016, "value"]
    s = IndicatorSeries(full.indicator, full.unit, cut, list(full.expected_years), extra=dict(full.extra))
    ev = evaluate(c, s, 2019)
    assert ev.status == S.AWAITING, (ev.status, ev.explanation)
    assert "2019" in ev.explanation


def test_a_cumulative_total_already_met_stays_met():
    """The one verdict a missing year cannot change: 31 ≥ 30 by 2019 (a cumulative total cannot fall)."""
    c = crit("cumulative_total", {"target": 30})
    ev = evaluate(c, ser({2017: 10, 2018: 20, 2019: 31, 2020: None}, new={2017: 10, 2018: 10, 2019: 11}), 2020)
    assert ev.status == S.MET


def test_min_years_in_the_catalogue_allows_a_final_verdict_on_fewer_years():
    """TT-4's way: ``min_years: 2`` says the period mean may rest on the years measured (the police survey was
    not carried out in 2020): mean of 2, 2, 2 = 2 ≤ 3 -> Opfyldt, and 2020 is named as missing."""
    c = crit("period_mean_max", {"max": 3, "min_years": 2}, "down")
    ev = evaluate(c, ser({2017: 2, 2018: 2, 2019: 2, 2020: None}), 2020)
    assert ev.status == S.MET and ev.missing_years == [2020]
    assert "Der mangler data for 2020" in ev.explanation


def test_qualitative_from_a_register_that_stops_early_gives_no_verdict():
    """A qualitative criterion shows the latest recorded assessment with its date, never an engine verdict."""
    c = crit("qualitative", {"due_year": 2020}, unit="text")
    h = [{"date": "2019-05-01", "assessment": "i gang", "by": "Styregruppen", "rationale": "Arbejdet er i gang."}]
    ev = evaluate(c, ser({}, "text", {"history": h, "covered_years": [2017, 2018, 2019]}), 2020)
    assert ev.status not in (S.MET, S.NOT_MET, S.ON_TRACK, S.OFF_TRACK)
    assert ev.label == "Vurdering: I gang" and "01.05.2019" in ev.explanation
