"""Indicator functions on small record-level data sets (issue 10: coverage, baselines, thresholds).

Every expected value is worked out by hand in the comment next to it. Data sets are built with
``DataBundle.from_frames`` in the shape the contract loads them (dates as ``datetime.date``, empty
cells as ``None``); without a ``manifest`` unless a test is about the manifest.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helhedsplan_eval.analysis import indicators as I
from helhedsplan_eval.analysis import status as S
from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.catalogue.criteria import load_catalogue
from helhedsplan_eval.data.contract import format_report, load_bundle
from helhedsplan_eval.analysis.evaluate import _truncate, compute_series, evaluate_year

TINY = Path(__file__).parent / "fixtures" / "tiny"
D = dt.date
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def frames(**tables) -> DataBundle:
    return DataBundle.from_frames({k: pd.DataFrame(v) for k, v in tables.items()})


def evaluate(cat, cid, bundle, year):
    c = cat.criteria[cid]
    s = compute_series(c, bundle)
    return S.evaluate(c, _truncate(s, year), year), s


def txt(ev) -> str:
    return ev.explanation.replace(NBSP, " ")


def values(s, years=range(2016, 2021)):
    return {y: s.value(y) for y in years}


# ============================================================================ spell registers

VOLUNTEERS = {  # nobody joins in 2019 or 2020
    "volunteer_id": ["W1", "W2", "W3"],
    "start_date": [D(2016, 5, 1), D(2017, 3, 1), D(2018, 1, 1)],
    "end_date": [None, D(2018, 6, 30), None],
}


def test_volunteers_covered_while_a_spell_is_active(cat):
    # active: 2016 W1; 2017 W1,W2; 2018 W1,W2,W3; 2019 W1,W3; 2020 W1,W3. Years with no new volunteer
    # (2019, 2020) are covered because volunteers are active in them (before: "ikke leveret data for 2020")
    b = frames(volunteers=VOLUNTEERS)
    ev, s = evaluate(cat, "TT-FRI-1", b, 2020)
    assert values(s) == {2016: 1, 2017: 2, 2018: 3, 2019: 2, 2020: 2}
    assert s.value(2015) is None  # before the first spell: missing, not 0
    # average growth (2/2)^(1/3) - 1 = 0 % < 5 % -> its real (missed) status
    assert ev.status == "Ikke opfyldt" and ev.value == 2
    assert "ikke leveret" not in txt(ev)
    assert "(2018: 50,0 %; 2019: −33,3 %; 2020: 0,0 %); under målet i 2019, 2020." in txt(ev)
    # the records column counts active spells; nothing is declared in a manifest
    assert s._get(2019, "records") == 2 and s.extra["declared_years"] == []


def test_spell_years_and_coverage():
    df = pd.DataFrame(VOLUNTEERS)
    assert I.spell_counts(df, "volunteers", 2020) == {2016: 1, 2017: 2, 2018: 3, 2019: 2, 2020: 2}
    b = frames(volunteers=VOLUNTEERS)
    assert I.covered_years(b, "volunteers", horizon=2020) == {2016, 2017, 2018, 2019, 2020}
    # every spell closed in 2018: 2019 and 2020 are not covered (nobody was active: the register ends)
    closed = dict(VOLUNTEERS, end_date=[D(2018, 12, 31), D(2018, 6, 30), D(2018, 3, 1)])
    assert I.covered_years(frames(volunteers=closed), "volunteers", horizon=2020) == {2016, 2017, 2018}
    # the manifest still wins
    b = frames(volunteers=VOLUNTEERS)
    b.manifest = {"coverage": {"volunteers": [2018, 2019]}}
    assert I.covered_years(b, "volunteers", horizon=2020) == {2018, 2019}


BUDDIES = {
    "course_id": ["LK1", "LK2"],
    "buddy_id": ["W1", "W1"],
    "pupil_id": ["K1", "K2"],
    # LK1 15.1.-15.3.2017: exactly 2 months (2017); LK2 1.11.2019-10.1.2020 reaches 2 months on 1.1.2020
    "start_date": [D(2017, 1, 15), D(2019, 11, 1)],
    "end_date": [D(2017, 3, 15), D(2020, 1, 10)],
}


def test_course_since_november_2019_counts_in_january_2020(cat):
    # no course starts in 2020, but LK2 is active in it -> 2020 is covered and LK2 counts there:
    # cumulative 1, 1, 1, 2 (before: 2020 missing)
    b = frames(homework_buddies=BUDDIES)
    ev, s = evaluate(cat, "KP-LEK-2", b, 2020)
    assert values(s, range(2017, 2021)) == {2017: 1, 2018: 1, 2019: 1, 2020: 2}
    assert ev.status == "Ikke opfyldt" and ev.value == 2  # 2 of 10
    # a still-running course started 20.11.2019 reaches 2 months on 20.1.2020 as well
    running = dict(BUDDIES, start_date=[D(2017, 1, 15), D(2019, 11, 20)], end_date=[D(2017, 3, 15), None])
    s = compute_series(cat.criteria["KP-LEK-2"], frames(homework_buddies=running))
    assert values(s, range(2017, 2021)) == {2017: 1, 2018: 1, 2019: 1, 2020: 2}


def test_new_regulars_need_the_outreach_register_for_the_year(cat):
    # visits: X1 2017, X2 2018, none later; regular users (open spells): X1 since 1.6.2017, X2 since 1.3.2020.
    # Issue 21: a new regular must have been visited first, so a year the outreach register does not cover is
    # missing, however long the regular users' spells run: 2017 X1 -> 1, 2018 1, 2019 and 2020 missing, and
    # TT-SKUR-3 awaits data in 2020 instead of counting the missing years as no new users.
    tables = dict(skur2_outreach={"visit_id": ["V1", "V2"], "date": [D(2017, 2, 1), D(2018, 5, 1)],
                                  "person_id": ["X1", "X2"], "followed_by_visit": [True, True]},
                  skur2_regulars={"person_id": ["X1", "X2"], "regular_since": [D(2017, 6, 1), D(2020, 3, 1)]})
    ev, s = evaluate(cat, "TT-SKUR-3", frames(**tables), 2020)
    assert values(s, range(2017, 2021)) == {2017: 1, 2018: 1, 2019: None, 2020: None}
    assert ev.status == "Afventer data" and "Der er ikke leveret data for 2020" in txt(ev)
    # when nobody was visited in 2019-2020, manifest.yml says so: cumulative 1, 1, 1, 2 (X2 in 2020), 2 of 30
    b = frames(**tables)
    b.manifest = {"coverage": {"skur2_outreach": [2017, 2018, 2019, 2020]}}
    ev, s = evaluate(cat, "TT-SKUR-3", b, 2020)
    assert values(s, range(2017, 2021)) == {2017: 1, 2018: 1, 2019: 1, 2020: 2}
    assert ev.status == "Ikke opfyldt"


def test_min_months_is_catalogue_data(cat):
    assert cat.criteria["KP-LEK-2"].indicator_args == {"min_months": 2}
    b = frames(homework_buddies=BUDDIES)
    # 3 months: LK1 would need 15.4.2017 (ended 15.3.), LK2 1.2.2020 (ended 10.1.) -> none
    s = I.homework_buddy_courses(b, list(range(2017, 2021)), min_months=3)
    assert values(s, range(2017, 2021)) == {2017: 0, 2018: 0, 2019: 0, 2020: 0}


def test_validate_reports_covered_years(tmp_path):
    # the tiny fixture without its manifest line for volunteers: W1 active from 2016, open -> 2016-2020
    d = tmp_path / "tiny"
    shutil.copytree(TINY, d)
    man = yaml.safe_load((d / "manifest.yml").read_text(encoding="utf-8"))
    del man["coverage"]["volunteers"]
    (d / "manifest.yml").write_text(yaml.safe_dump(man, allow_unicode=True), encoding="utf-8")
    b = load_bundle(d)
    report = format_report(b.issues, d, coverage=b.coverage())
    lines = report.splitlines()
    assert "Dækkede år pr. kilde (andre år mangler og tælles ikke som 0):" in lines
    assert "  volunteers: 2016–2020" in lines  # spells, not starts (starts: 2016-2020 here too)
    assert "  homework_buddies: 2017–2020" in lines  # declared in the manifest
    assert "  bydelsmoedre_visits: 2017" in lines  # declared: one year
    cov = I.source_coverage(b, horizon=2020)
    assert cov["volunteers"] == [2016, 2017, 2018, 2019, 2020]


def test_validate_no_warning_for_a_year_with_only_running_spells(tmp_path):
    # pocket-money jobs: J1 starts 2018 and runs through 2020; no job starts in 2019 or 2020
    (tmp_path / "pocket_money_jobs.csv").write_text(
        "job_id,person_id,start_date,end_date,moved_on\nJ1,Y1,2017-02-01,2017-06-30,ja\n"
        "J2,Y2,2018-03-01,,ukendt\n", encoding="utf-8")
    b = load_bundle(tmp_path)
    warns = [i.message for i in b.issues if i.source == "pocket_money_jobs"]
    assert not any("ingen registreringer for 2019" in w or "ingen registreringer for 2020" in w for w in warns), warns


# ============================================================================ baseline never a silent zero

def complaints(dates, common=None):
    common = common if common is not None else [True] * len(dates)
    return {"complaint_id": [f"K{i}" for i in range(len(dates))], "date": dates,
            "category": ["upassende"] * len(dates), "common_area": common}


def test_baseline_year_without_records_is_missing(cat):
    # complaints only from 2018: 2017 lies inside the covered range (2017-2020) with 0, but the source has
    # no record at all in 2017 -> the baseline is missing, not 0 ("20 % fewer than nothing")
    b = frames(inspector_complaints=complaints([D(2018, 3, 1), D(2019, 5, 1), D(2019, 6, 1), D(2020, 2, 1)]))
    ev, s = evaluate(cat, "TT-2", b, 2019)
    assert s.value(2017) == 0 and s._get(2017, "records") == 0
    assert ev.status == "Afventer data" and ev.missing_years == [2017]
    assert "Kilden har ingen registreringer i basisåret 2017, så basisniveauet mangler (det sættes ikke til 0)" \
        in txt(ev)
    assert "manifest.yml" in txt(ev)


def test_baseline_declared_in_manifest_is_a_real_zero(cat):
    # declared covered: B = 0, a decrease means 0 on average; 2018-2019: (1 + 2)/2 = 1,5 -> Ikke på vej.
    # At best 0 in 2020: 3/3 = 1 against 0 -> "kan ikke længere nås", 1 too many
    b = frames(inspector_complaints=complaints([D(2018, 3, 1), D(2019, 5, 1), D(2019, 6, 1), D(2020, 2, 1)]))
    b.manifest = {"coverage": {"inspector_complaints": [2017, 2018, 2019, 2020]}}
    ev, _ = evaluate(cat, "TT-2", b, 2019)
    assert ev.status == "Ikke på vej" and ev.value == 1.5
    assert "0 (basisniveauet er allerede 0)" in txt(ev)
    assert ev.remaining_text.replace(NBSP, " ") == (
        "Målet kan ikke længere nås: selv med 0 i det resterende år (2020) bliver gennemsnittet 1 mod målet på "
        "højst 0 (1 for meget).")


def test_baseline_with_records_but_none_counted_is_zero(cat):
    # one complaint in 2017, not about the common areas: the source was kept that year, the count is a real 0
    b = frames(inspector_complaints=complaints([D(2017, 4, 1), D(2018, 3, 1)], common=[False, True]))
    ev, s = evaluate(cat, "TT-2", b, 2018)
    assert s.value(2017) == 0 and s._get(2017, "records") == 1
    assert ev.status != "Afventer data" and "basisåret" not in txt(ev)


def test_volunteer_baseline_without_active_spell_is_missing(cat):
    # volunteers start in 2018: in 2017 nobody was active, the register has nothing for 2017 -> missing
    vol = {"volunteer_id": ["W1", "W2"], "start_date": [D(2018, 1, 1), D(2019, 1, 1)], "end_date": [None, None]}
    ev, s = evaluate(cat, "TT-FRI-1", frames(volunteers=vol), 2019)
    assert s.value(2017) == 0 and s._get(2017, "records") == 0
    assert ev.status == "Afventer data" and "ingen registreringer i basisåret 2017" in txt(ev)


# ============================================================================ thresholds are catalogue data

def test_homework_cafe_threshold_from_catalogue(cat):
    assert cat.criteria["KP-LEK-1"].indicator_args == {"more_than": 3}
    # A: 4 visits (2 in each café), B: 3 visits in 2017
    visits = {"person_id": ["A"] * 4 + ["B"] * 3,
              "cafe": ["grundskole", "grundskole", "ungdomsuddannelse", "ungdomsuddannelse"] + ["grundskole"] * 3,
              "date": [D(2017, m, 1) for m in (1, 2, 3, 4, 1, 2, 3)]}
    b = frames(homework_cafe_visits=visits)
    ev, s = evaluate(cat, "KP-LEK-1", b, 2017)
    assert s.value(2017) == 1  # more than 3 visits: A only
    assert I.homework_cafe_regulars(b, [2017], more_than=2).value(2017) == 2  # another plan's threshold


def test_regular_share_threshold_from_catalogue(cat):
    assert cat.criteria["FF-CAF-3"].indicator_args == {"activity": "foraeldrecafe", "more_than": 3}


# ============================================================================ FF-3: the two readings

def test_ff3_bydelsmoedre_counted_and_other_reading_beside(cat):
    # tiny fixture 2019: P1,P2,P3 (2017), P4,P5 (2018), P7 and the bydelsmor M1 (2019) -> 7; without M1 -> 6.
    # Path 2019: 200·3/4 = 150 -> both "Ikke på vej"; the other reading's figure is shown beside
    c = cat.criteria["FF-3"]
    assert c.indicator_args["roles"] == ["forælder", "bydelsmor"]
    assert c.chosen_reading and c.reason and len(c.readings) == 2
    res = evaluate_year(2019, load_bundle(TINY))
    ev = res.evaluations["FF-3"]
    assert ev.value == 7 and ev.status == "Ikke på vej"
    assert ev.alternative == {"reading": "uden bydelsmødrene selv", "status": "Ikke på vej", "value_text": "6"}
    assert "Med den alternative læsning (uden bydelsmødrene selv) er tallet 6, og status er den samme." in txt(ev)


# ============================================================================ disclosure in notes

def test_notes_do_not_quote_small_person_counts():
    # 2017: 2 children not assessed (-> "<5"), 2018: 6 not assessed (-> 6)
    rows = ([(2017, f"A{i}", "styrket") for i in range(5)] + [(2017, f"B{i}", "ikke vurderet") for i in range(2)]
            + [(2018, f"C{i}", "styrket") for i in range(5)] + [(2018, f"D{i}", "ikke vurderet") for i in range(6)])
    df = pd.DataFrame(rows, columns=["year", "child_id", "assessment"])
    s = I.dannelse_strengthened(DataBundle.from_frames({"dannelse_assessments": df}), [2017, 2018])
    assert s.notes == ["Børn, der ikke er vurderet, indgår ikke i andelen: 2017: <5, 2018: 6."]
    with S.disclosure_threshold(10):
        s = I.dannelse_strengthened(DataBundle.from_frames({"dannelse_assessments": df}), [2017, 2018])
    assert s.notes == ["Børn, der ikke er vurderet, indgår ikke i andelen: 2017: <10, 2018: <10."]


def test_validate_command_prints_covered_years(capsys):
    from helhedsplan_eval.cli import main

    rc = main(["validate", str(TINY)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Dækkede år pr. kilde (andre år mangler og tælles ikke som 0):" in out
    assert "  homework_buddies: 2017–2020" in out


def test_registry_knows_nothing_of_its_users():
    """Issue 11: the registry imports nothing of the package (no circle registry ↔ indicators); the one list of
    registering modules is analysis/all_indicators.py, and it registers the core, FIT and survey indicators."""
    import ast

    from helhedsplan_eval.analysis import all_indicators, registry

    tree = ast.parse(Path(registry.__file__).read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and m.startswith("helhedsplan_eval")], imported
    assert not hasattr(registry, "load_all")
    reg = all_indicators.load_all()
    assert {"active_parents", "fit_parent_self", "faellesskab_index"} <= set(reg)
    assert reg is registry.INDICATORS


@pytest.mark.parametrize("values", [
    [D(2017, 3, 1), D(2018, 1, 1), D(2017, 3, 1)],  # all dates: int64, as the direct map gives
    [D(2017, 3, 1), None, D(2019, 12, 31), float("nan")],  # missing dates: None and NaN
    [pd.Timestamp("2018-05-01"), D(2018, 5, 1), "2020-01-02", None],  # mixed types, a date as text
    [pd.NaT, None],  # nothing but missing values
])
def test_years_of_is_the_direct_map(values):
    """Issue 13: ``_years_of`` computes each distinct value's year once; it must give exactly what
    ``col.map(_year_of)`` gives: values, dtype, index and name."""
    col = pd.Series(values, index=[10 + i for i in range(len(values))], name="date", dtype=object)
    pd.testing.assert_series_equal(I._years_of(col), col.map(I._year_of))
    assert I._years_list(col) == [I._year_of(v) for v in col]


def test_spell_counts_with_shared_and_open_spells():
    """Spells counted per (start year, end year) pair give the same counts as one by one: three spells
    2017–2018 (two share the pair), one open from 2019 (active to the horizon 2020), one ending before it
    starts (counted in its start year), one without a start (not counted).
    The counts are worked out in the comment below."""
    df = pd.DataFrame({
        "start_date": [D(2017, 1, 5), D(2017, 6, 1), D(2017, 2, 1), D(2019, 3, 1), D(2017, 8, 1), None],
        "end_date": [D(2018, 3, 1), D(2018, 9, 1), D(2018, 1, 1), None, D(2016, 1, 1), D(2018, 1, 1)],
    })
    # 2017: rows 0, 1, 2, 4 -> 4; 2018: rows 0, 1, 2 -> 3; 2019: row 3 -> 1; 2020: row 3 -> 1
    assert I.spell_counts(df, "volunteers", 2020) == {2017: 4, 2018: 3, 2019: 1, 2020: 1}


def test_compute_once_shares_derived_tables_only_inside_the_block():
    """Issue 13: inside ``compute_once`` the logbook's events (with their year) are derived once per pass and
    shared; outside every call derives its own; a bundle whose table is replaced gets a new derivation."""
    from helhedsplan_eval.analysis.indicators import logbook

    events = pd.DataFrame({"event_id": ["E1", "E2"], "date": [D(2017, 5, 1), D(2018, 6, 1)],
                           "activity": ["foraeldrecafe", "foraeldrecafe"]})
    bundle = DataBundle.from_frames({"logbook_events": events})
    assert logbook._events(bundle)[0] is not logbook._events(bundle)[0]
    with I.compute_once():
        first, cov = logbook._events(bundle)
        assert logbook._events(bundle)[0] is first
        assert list(first["year"]) == [2017, 2018] and cov == {2017, 2018}
        bundle.tables["logbook_events"] = events.iloc[:1].copy()
        again, cov2 = logbook._events(bundle)
        assert again is not first and list(again["year"]) == [2017] and cov2 == {2017}
    assert I.common._DERIVED is None


def test_outreach_new_regulars_counts_only_regulars_since_their_first_visit():
    """P1: first visit 1.3.2017, regular from 1.6.2017 -> counted in 2017. P2: regular from 1.1.2018, before
    the first visit 1.5.2018 -> not counted. P3: visited 1.1.2018, regular from 1.2.2019 -> 2019. P4: never
    visited -> not counted, named in a note ("<5"). Coverage needs both registers (issue 21): the outreach register's
    last record is from 2018, so 2019 and 2020 are missing (a person visited in 2019 could have become regular),
    although the regular users' open spells reach 2020: cumulative 1, 1, –, – and new 1, 0, –, –. With the
    outreach register declared covered to 2020 in manifest.yml: 1, 1, 2, 2 and 1, 0, 1, 0."""
    vis = pd.DataFrame({"visit_id": ["V1", "V2", "V3", "V4"], "person_id": ["P1", "P2", "P3", "P1"],
                        "date": [D(2017, 3, 1), D(2018, 5, 1), D(2018, 1, 1), D(2018, 2, 1)],
                        "followed_by_visit": [True, False, True, True]})
    reg = pd.DataFrame({"person_id": ["P1", "P2", "P3", "P4"],
                        "regular_since": [D(2017, 6, 1), D(2018, 1, 1), D(2019, 2, 1), D(2018, 3, 1)]})
    s = I.outreach_new_regulars(DataBundle.from_frames({"skur2_outreach": vis, "skur2_regulars": reg}),
                                [2017, 2018, 2019, 2020])
    assert [s.value(y) for y in (2017, 2018, 2019, 2020)] == [1.0, 1.0, None, None]
    declared = DataBundle.from_frames({"skur2_outreach": vis, "skur2_regulars": reg},
                                      manifest={"coverage": {"skur2_outreach": [2017, 2018, 2019, 2020]}})
    s = I.outreach_new_regulars(declared, [2017, 2018, 2019, 2020])
    assert [s.value(y) for y in (2017, 2018, 2019, 2020)] == [1.0, 1.0, 2.0, 2.0]
    assert [s._get(y, "new") for y in (2017, 2018, 2019, 2020)] == [1.0, 0.0, 1.0, 0.0]
    assert s.notes == ["<5 regelmæssige brugere er ikke kommet via opsøgende besøg og tæller ikke med."]


def test_first_date_is_the_groupby_minimum():
    """Issue 13: ``_first_date`` ranks the distinct dates once instead of comparing them group by group; it must
    equal ``groupby(key)[date].min()``: a's first date is 1.5.2017, b has none (NaN), c's is 1.1.2019."""
    from helhedsplan_eval.analysis.indicators.community import _first_date

    df = pd.DataFrame({"p": ["a", "a", "b", "c", "c"], "d": [D(2018, 1, 2), D(2017, 5, 1), None, D(2019, 1, 1), None]},
                      dtype=object)
    got = _first_date(df, "p", "d")
    pd.testing.assert_series_equal(got, df.groupby("p")["d"].min())
    assert got["a"] == D(2017, 5, 1) and pd.isna(got["b"]) and got["c"] == D(2019, 1, 1)
