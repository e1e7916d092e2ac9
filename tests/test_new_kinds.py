"""Issue 20's criterion kinds: ratio to the comparison population, two-tier target, ceiling equal to the baseline
and count of units. Every expected number is worked out by hand in the comment beside it.

Wilson 12/200 (z = 1.959964, z² = 3.841459): p = 0,06; 1 + z²/n = 1,0192073; centre = (0,06 + 0,0096036) /
1,0192073 = 0,068292; half = 1,959964 · sqrt(0,06 · 0,94 / 200 + 3,841459 / 160000) / 1,0192073
= 1,959964 · 0,0174932 / 1,0192073 = 0,033640; interval 3,4652 % – 10,1932 %.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml

from helhedsplan_eval.analysis import all_indicators  # noqa: F401  (registers every indicator)
from helhedsplan_eval.analysis import status as S
from helhedsplan_eval.analysis.evaluate import evaluate_year
from helhedsplan_eval.analysis.status import evaluate, target_path
from helhedsplan_eval.analysis.status.units import fill_counts
from helhedsplan_eval.catalogue.criteria import KIND_LABELS_DA, CatalogueError, load_catalogue
from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.data.sources import SOURCES, Col, Source
from tests.test_status import crit, series  # noqa: F401  (the stand-alone criterion and series of the kinds' tests)

NBSP = "\u00a0"
approx = pytest.approx
NEW_KINDS = ("ratio_to_comparison", "two_tier", "hold_baseline", "count_units")




def txt(s: str) -> str:
    return s.replace(NBSP, " ")


def test_new_kinds_have_labels_and_evaluators():
    for k in NEW_KINDS:
        assert k in S.EVALUATORS and KIND_LABELS_DA[k]
    assert KIND_LABELS_DA["ratio_to_comparison"] == "Forhold til sammenligningsgrundlag"


# ============================================================================ ratio_to_comparison

RATIO = dict(max=2.5)
AREA = {2017: 6.0, 2018: 5.0, 2019: 7.5, 2020: 6.0}
COMP = {2017: 2.0, 2018: 2.5, 2019: 2.5, 2020: 2.5}


def rc(params=RATIO, **kw):
    return crit("ratio_to_comparison", params, unit="pct", direction="down", **kw)


def test_ratio_interim_and_final():
    s = series(AREA, "pct", comparison=COMP)
    ev = evaluate(rc(), s, 2018)  # 5,0 / 2,5 = 2,0 ≤ 2,5
    assert ev.status == "På vej" and ev.value == approx(2.0)
    assert txt(ev.value_text) == "2,00 gange" and "højst 2,50 gange" in txt(ev.target_text)
    assert txt(ev.remaining_text) == "Kravet er opfyldt nu; forholdet skal holdes."
    ev = evaluate(rc(), s, 2019)  # 7,5 / 2,5 = 3,0 > 2,5: the area must come down to 2,5 × 2,5 = 6,25
    assert ev.status == "Ikke på vej" and ev.value == approx(3.0) and ev.remaining == approx(1.25)
    assert "skal ned på højst" in txt(ev.remaining_text)
    assert "I 2019 var områdets tal 7,5 % mod 2,5 % i sammenligningsgrundlaget, 3,00 gange så højt" in txt(
        ev.explanation)
    ev = evaluate(rc(), s, 2020)  # 6,0 / 2,5 = 2,4: final
    assert ev.status == "Opfyldt" and ev.value == approx(2.4) and not ev.uncertain
    assert evaluate(rc(), s, 2016).status == "Ikke aktuel endnu"


def test_ratio_at_least_and_annual_scope():
    s = series({2020: 2.0}, "pct", comparison={2020: 2.5})
    ev = evaluate(crit("ratio_to_comparison", {"min": 0.8}, unit="pct"), s, 2020)  # 2,0 / 2,5 = 0,8 ≥ 0,8
    assert ev.status == "Opfyldt" and "mindst 0,80 gange" in txt(ev.target_text)
    s = series(AREA, "pct", comparison=COMP)
    assert evaluate(rc(dict(RATIO, scope="annual")), s, 2019).status == "Ikke opfyldt"  # 3,0 judged on its own


def test_ratio_missing_year_awaits_data_and_names_what_is_missing():
    s = series({2017: 6.0, 2018: 5.0, 2019: 7.5}, "pct", comparison=COMP)  # the area's figures stop in 2019
    ev = evaluate(rc(), s, 2020)
    assert ev.status == "Afventer data" and ev.missing_years == [2020]
    assert "2020 (områdets tal)" in ev.explanation and "tælles ikke som 0" in ev.explanation
    s = series(AREA, "pct", comparison={2017: 2.0, 2018: 2.5})
    ev = evaluate(rc(), s, 2019)
    assert ev.status == "Afventer data" and "2019 (sammenligningsgrundlagets tal)" in ev.explanation
    ev = evaluate(rc(), series({2020: 1.0}, "pct", comparison={2020: 0.0}), 2020)
    assert ev.status == "Kan ikke vurderes"


def test_ratio_interval_from_the_area_share():
    # 12 of 200 = 6,0 %: Wilson 3,4652 % – 10,1932 %, divided by 2,5 %: 1,3861 – 4,0773, which straddles 2,5
    s = series({2020: 6.0}, "pct", comparison={2020: 2.5}, numerator={2020: 12}, denominator={2020: 200})
    ev = evaluate(rc(), s, 2020)
    assert ev.interval == (approx(1.3861, abs=1e-3), approx(4.0773, abs=1e-3))
    assert ev.status == "Opfyldt" and ev.uncertain and ev.label == "Opfyldt (usikkert)"


def test_ratio_target_path_is_k_times_the_comparison():
    s = series(AREA, "pct", comparison=COMP)
    assert target_path(rc(), s) == {2017: approx(5.0), 2018: approx(6.25), 2019: approx(6.25), 2020: approx(6.25)}


# ============================================================================ two_tier and hold_baseline

TT = dict(baseline_year=2017, ambition=-0.10)


def tt(params=TT, direction="down", kind="two_tier"):
    return crit(kind, params, period=(2018, 2020), direction=direction)


def test_two_tier_minimum_decides_ambition_beside():
    s = series({2017: 100, 2018: 95, 2019: 92, 2020: 98})
    ev = evaluate(tt(), s, 2020)  # mean (95 + 92 + 98) / 3 = 95 ≤ 100 (the minimum); not ≤ 90 (the ambition)
    assert ev.status == "Opfyldt" and ev.value == approx(95)
    assert txt(ev.explanation).startswith("Opfyldt – målet om 10 % lavere er ikke nået.")
    assert "højst 100 (2017-niveauet); helst højst 90" in txt(ev.target_text)
    s = series({2017: 100, 2018: 95, 2019: 92, 2020: 80})  # mean 89 ≤ 90: both
    assert txt(evaluate(tt(), s, 2020).explanation).startswith("Opfyldt – målet om 10 % lavere er nået.")
    s = series({2017: 100, 2018: 105, 2019: 104, 2020: 103})  # mean 104 > 100
    ev = evaluate(tt(), s, 2020)
    assert ev.status == "Ikke opfyldt" and txt(ev.explanation).startswith("Ikke opfyldt – målet om 10 % lavere "
                                                                          "er ikke nået.")


def test_two_tier_interim_and_remaining_effort():
    # 2019: 95, 92 so far; the minimum needs 2020 ≤ 3 · 100 − 187 = 113 (latest 92: on track), the ambition
    # 2020 ≤ 3 · 90 − 187 = 83 (latest 92: not on track)
    ev = evaluate(tt(), series({2017: 100, 2018: 95, 2019: 92}), 2019)
    assert ev.status == "På vej" and ev.remaining == approx(113)
    assert txt(ev.explanation).startswith("På vej – målet om 10 % lavere er ikke på vej.")
    assert "For ambitionen: det resterende år (2020) skal ligge på højst 83." in txt(ev.remaining_text)


def test_two_tier_awaits_the_judged_year_and_the_baseline():
    ev = evaluate(tt(), series({2017: 100, 2018: 95, 2019: 92}), 2020)  # the source stops a year early
    assert ev.status == "Afventer data" and ev.missing_years == [2020] and "tælles ikke som 0" in ev.explanation
    ev = evaluate(tt(), series({2018: 95, 2019: 92, 2020: 90}), 2020)  # no baseline
    assert ev.status == "Afventer data" and "Basisårets niveau (2017)" in ev.explanation
    # min_years in the catalogue accepts a final verdict on fewer years: mean (95 + 92) / 2 = 93,5 ≤ 100
    ev = evaluate(tt(dict(TT, min_years=2)), series({2017: 100, 2018: 95, 2019: 92}), 2020)
    assert ev.status == "Opfyldt"


def test_hold_baseline_is_two_tier_without_ambition():
    s = series({2017: 40, 2018: 38, 2019: 41, 2020: 42})  # mean (38 + 41 + 42) / 3 = 40,33 > 40
    hold = evaluate(tt(dict(baseline_year=2017), kind="hold_baseline"), s, 2020)
    assert hold.status == "Ikke opfyldt" and hold.kind == "hold_baseline" and hold.value == approx(121 / 3)
    assert "højst 40 (2017-niveauet)" in txt(hold.target_text)
    plain = evaluate(tt(dict(baseline_year=2017)), s, 2020)
    assert (plain.status, plain.value, plain.explanation) == (hold.status, hold.value, hold.explanation)
    # direction up: "det høje niveau fastholdes" is a floor (mean 40,33 ≥ 40)
    up = evaluate(tt(dict(baseline_year=2017), kind="hold_baseline", direction="up"), s, 2020)
    assert up.status == "Opfyldt" and "mindst 40 (2017-niveauet)" in txt(up.target_text)
    assert target_path(tt(dict(baseline_year=2017), kind="hold_baseline"), s) == {2018: 40, 2019: 40, 2020: 40}
    # the coverage rule: a source that stops a year early gives no verdict
    ev = evaluate(tt(dict(baseline_year=2017), kind="hold_baseline"), series({2017: 40, 2018: 38, 2019: 41}), 2020)
    assert ev.status == "Afventer data" and ev.missing_years == [2020]


# ============================================================================ count_units

UNITS = Source("test_units", "Testafdelinger", "hand-built", (
    Col("date", "date", "d"), Col("person_id", "str", "p", pseudonym=True),
    Col("afdeling", "str", "a", allowed=("A", "B", "C")), Col("kind", "str", "k", allowed=("x", "y"))),
    date_column="date")
# C1: 2 or more x records; C2: 1 or more y records; C3: 2 or more persons; per afdeling and year.
# 2017  A: x p1, x p2        -> C1 C3       (2)   B: x p3, y p3 -> C2 (1)   C: -        -> 0
# 2018  A: x p1, y p1        -> C2          (1)   B: y p4       -> C2 (1)   C: x p5, x p5 -> C1 (1)
# 2019  A: y p1              -> C2          (1)   B: x p2       -> 0        C: -        -> 0
ROWS = [(2017, "p1", "A", "x"), (2017, "p2", "A", "x"), (2017, "p3", "B", "x"), (2017, "p3", "B", "y"),
        (2018, "p1", "A", "x"), (2018, "p1", "A", "y"), (2018, "p4", "B", "y"), (2018, "p5", "C", "x"),
        (2018, "p5", "C", "x"), (2019, "p1", "A", "y"), (2019, "p2", "B", "x")]
PLAN = {"plan": {"period": {"start": 2017, "end": 2020}},
        "areas": [{"id": "a1", "prefix": "A", "name": "Område", "activities": []}]}


def _c(cid, indicator, args, kind="annual_minimum", params=None, **kw):
    d = dict(id=cid, area="a1", activity=None, text="Tekst", source="Kilde", indicator=indicator,
             indicator_args=args, unit="count", direction="up", kind=kind, params=params or {"target": 1})
    d.update(kw)
    return d


def _components():
    return [_c("A-2", "records_per_year", {"source": "test_units", "filters": {"kind": "x"}, "by": "afdeling"},
               params={"target": 2}),
            _c("A-3", "records_per_year", {"source": "test_units", "filters": {"kind": "y"}, "by": "afdeling"}),
            _c("A-4", "persons_per_year", {"source": "test_units", "person": "person_id", "by": "afdeling"},
               params={"target": 2})]


def _count(**params):
    p = {"min_met": 2, "max_units": 0}
    p.update(params)
    return _c("A-1", "units_meeting", {"criteria": ["A-2", "A-3", "A-4"]}, kind="count_units", params=p,
              text="Ingen afdeling opfylder 2 eller flere af kriterierne",
              direction="down")  # a ceiling on the number of units (issue 21: count_units allows only down)


def _catalogue(tmp_path, criteria):
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(PLAN, allow_unicode=True), encoding="utf-8")
    (tmp_path / "criteria.yml").write_text(yaml.safe_dump({"criteria": criteria}, allow_unicode=True),
                                           encoding="utf-8")
    return load_catalogue(tmp_path)


@pytest.fixture()
def units(monkeypatch, tmp_path):
    monkeypatch.setitem(SOURCES, "test_units", UNITS)
    df = pd.DataFrame([(dt.date(y, 3, i + 1), p, a, k) for i, (y, p, a, k) in enumerate(ROWS)],
                      columns=["date", "person_id", "afdeling", "kind"], dtype=object)
    return _catalogue(tmp_path, [_count()] + _components()), DataBundle.from_frames({"test_units": df})


def test_count_units_per_year(units):
    cat, bundle = units
    ev = evaluate_year(2017, bundle, cat).evaluation("A-1")
    assert ev.status == "Ikke på vej" and ev.value == 1  # A meets C1 and C3
    assert "I 2017 opfylder 1 enhed 2 eller flere af de 3 kriterier (enheder med mindst 2: A: 2)" in ev.explanation
    assert ev.remaining_text == "1 enhed mere skal under 2 opfyldte kriterier."
    ev = evaluate_year(2019, bundle, cat).evaluation("A-1")
    assert ev.status == "På vej" and ev.value == 0 and ev.figures == {2017: 1, 2018: 0, 2019: 0}
    assert "(enheder med mindst 2: ingen)" in ev.explanation
    # the board's table: through the disclosure layer, with the count of units and its explanation
    from helhedsplan_eval.analysis.evaluate import status_frame

    res = evaluate_year(2017, bundle, cat)
    row = status_frame(res).set_index("Id").loc["A-1"]
    assert (row["Status"], row["Værdi"], row["Mål"]) == ("Ikke på vej", "1", "højst 0 enheder")
    assert "A: 2" in row["Forklaring"]


def test_count_units_awaits_a_source_that_stops_a_year_early(units):
    cat, bundle = units
    res = evaluate_year(2020, bundle, cat)  # the records stop in 2019: 2020 is missing in every unit
    ev = res.evaluation("A-1")
    assert ev.status == "Afventer data" and "afventer data for mindst én enhed" in ev.explanation
    assert res.evaluation("A-2").status == "Afventer data"
    # the board's copy passes the disclosure layer and names no unit's figures
    board = res.board_evaluation("A-1")
    assert board.status == "Afventer data"


def test_count_units_final_verdict_and_limit(units, tmp_path, monkeypatch):
    cat, bundle = units
    d = tmp_path / "one"
    d.mkdir()
    cat1 = _catalogue(d, [_count(max_units=1)] + _components())
    assert evaluate_year(2017, bundle, cat1).evaluation("A-1").status == "På vej"  # 1 ≤ 1
    d = tmp_path / "closed"
    d.mkdir()
    closed = dict(PLAN, plan={"period": {"start": 2017, "end": 2019}})
    (d / "plan.yml").write_text(yaml.safe_dump(closed, allow_unicode=True), encoding="utf-8")
    (d / "criteria.yml").write_text(yaml.safe_dump({"criteria": [_count()] + _components()}, allow_unicode=True),
                                    encoding="utf-8")
    ev = evaluate_year(2019, bundle, load_catalogue(d)).evaluation("A-1")
    assert ev.status == "Opfyldt" and ev.value == 0  # 2019, the period's last year: no unit meets 2


def test_count_units_catalogue_checks(monkeypatch, tmp_path):
    monkeypatch.setitem(SOURCES, "test_units", UNITS)
    comps = _components()
    comps[2]["indicator_args"] = {"source": "test_units", "person": "person_id"}  # not per unit
    bad = _count(min_met=4)
    bad["indicator_args"] = {"criteria": ["A-2", "A-3", "A-4", "A-9"]}
    with pytest.raises(CatalogueError) as e:
        _catalogue(tmp_path, [bad, _c("A-5", "units_meeting", {"criteria": ["A-2"]})] + comps)
    msg = "\n".join(e.value.problems)
    assert "'A-9', som ikke er et kriterium" in msg
    assert "kriteriet 'A-4' beregnes ikke pr. enhed" in msg
    assert "kind count_units og indicator units_meeting hører sammen" in msg
    d = tmp_path / "m"
    d.mkdir()
    with pytest.raises(CatalogueError) as e:
        _catalogue(d, [_count(min_met=4)] + _components())
    assert "params.min_met er 4, men der er kun 3 kriterier" in "\n".join(e.value.problems)


def test_new_kinds_parameter_checks(tmp_path):
    base = dict(id="A-1", area="a1", activity=None, text="T", source="K", indicator="micro_businesses",
                unit="pct", direction="down")
    bad = [dict(base, id="A-1", kind="ratio_to_comparison", params={"max": 2.5, "min": 1}),
           dict(base, id="A-2", kind="ratio_to_comparison", params={"max": -1}),
           dict(base, id="A-3", kind="two_tier", params={"baseline_year": 2017}),
           dict(base, id="A-4", kind="hold_baseline", params={"baseline_year": 2017, "change": -0.1}),
           dict(base, id="A-5", kind="count_units", indicator="units_meeting", indicator_args={"criteria": ["A-1"]},
                params={"min_met": 1, "max_units": -1})]
    with pytest.raises(CatalogueError) as e:
        _catalogue(tmp_path, bad)
    msg = "\n".join(e.value.problems)
    assert "A-1: kind ratio_to_comparison kræver præcis én af params.max og params.min" in msg
    assert "A-2: params.max er -1, men skal være et tal over 0" in msg
    assert "A-3: kind two_tier kræver params.ambition" in msg and "brug kind hold_baseline" in msg
    assert "A-4: params.change kendes ikke for kind hold_baseline" in msg
    assert "A-5: params.max_units er -1, men skal være et helt tal ≥ 0" in msg


def _unit_series(by: dict, unit="count"):
    s = series({}, unit)
    s.extra = {"by": by}
    return s


def test_count_units_with_a_hidden_share_in_a_unit():
    # m = 2 of 2 criteria, no unit allowed. c2 is a share over 3 persons in each unit: hidden (Skjult), so open.
    c1 = crit("annual_minimum", {"target": 1}, cid="C-1")
    c2 = crit("minimum_share", {"target": 50}, unit="pct", cid="C-2")
    share = {u: series({2020: 100 * n / 3}, "pct", numerator={2020: n}, denominator={2020: 3}) for u, n in
             (("A", 2), ("B", 1))}

    def judge(a_value):
        inputs = {"C-1": (c1, _unit_series({"A": series({2020: a_value}), "B": series({2020: 0})})),
                  "C-2": (c2, _unit_series(share, "pct"))}
        s = series({2020: None})
        s.extra = {"unit_inputs": inputs}
        fill_counts(s, crit("count_units", {"min_met": 2, "max_units": 0}))  # as the evaluation of the year does
        return evaluate(crit("count_units", {"min_met": 2, "max_units": 0}), s, 2020)

    # A meets C-1 (2 ≥ 1) and C-2 is hidden: A may meet both, so the count is 0 or 1 against the limit 0
    ev = judge(2)
    assert ev.status == "Kan ikke vurderes" and "Mellem 0 og 1 enheder" in ev.explanation
    # A misses C-1 (0 < 1): no unit can meet 2 whatever the hidden shares are, so the count is 0
    ev = judge(0)
    assert ev.status == "Opfyldt" and ev.value == 0 and ev.figures == {2017: None, 2018: None, 2019: None, 2020: 0}


def test_two_counts_of_units_over_the_same_criteria(units, tmp_path):
    # the same three criteria, two thresholds; 2017: A meets 2, B 1, C 0 -> one unit meets 2 or more, two meet 1
    _, bundle = units
    d = tmp_path / "two"
    d.mkdir()
    other = _count(min_met=1, max_units=3)
    other["id"] = "A-5"
    cat = _catalogue(d, [_count(), other] + _components())
    res = evaluate_year(2017, bundle, cat)
    assert res.evaluation("A-1").value == 1 and res.evaluation("A-5").value == 2
    assert res.series_for(cat.criteria["A-1"]).value(2017) == 1
    assert res.series_for(cat.criteria["A-5"]).value(2017) == 2


def test_ratio_in_the_board_table(tmp_path):
    # 12 of 200 = 6,0 % against 2,5 %: ratio 2,40 ≤ 2,5; interval 1,3861 – 4,0773 (module docstring) in "gange"
    from helhedsplan_eval.analysis.evaluate import status_frame

    plan = dict(PLAN, register_measures=[{"id": "sigtede_10_17", "name": "Sigtede", "unit": "pct",
                                          "direction": "down"}])
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    c = _c("A-1", "register_measure", {"measure": "sigtede_10_17"}, kind="ratio_to_comparison",
           params={"max": 2.5}, unit="pct", direction="down", years=[2020])
    (tmp_path / "criteria.yml").write_text(yaml.safe_dump({"criteria": [c]}, allow_unicode=True), encoding="utf-8")
    reg = pd.DataFrame([(2020, "sigtede_10_17", "område", 12, 200, 6.0), (2020, "sigtede_10_17", "kommune", None,
                                                                        None, 2.5)],
                       columns=["year", "measure", "population", "numerator", "denominator", "value_pct"])
    res = evaluate_year(2020, DataBundle.from_frames({"register_measures": reg}), load_catalogue(tmp_path))
    row = status_frame(res).set_index("Id").loc["A-1"]
    assert (row["Status"], row["Værdi"]) == ("Opfyldt (usikkert)", "2,40 gange")
    assert row["Usikkerhed (95 %)"] == "1,39 til 4,08 gange"
