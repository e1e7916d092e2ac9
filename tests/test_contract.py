"""Data-contract tests: every broken input in tests/fixtures/broken/ gives its message.

Each fixture folder is a tiny hand-written data folder (most hold one file). The expected
messages are written out by hand below: file, row (header = row 1, first data row = row 2, as
in Excel), column, value and a fragment of the Danish message. A test also checks that the file
has *no other* errors, so a wrong extra message fails as well.

Folders named ``bug_*`` exposed defects in ``contract.py`` found in review (blank lines shifting
row numbers, decimal points in semicolon files, ragged rows, repeated headers, inf/nan, a broken
manifest, cross-file checks hidden by other errors); they are fixed and these tests keep them fixed.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from helhedsplan_eval.data.contract import (ERROR, WARNING, DataValidationError, format_report, load_bundle,
                                       read_source)
from helhedsplan_eval.data.sources import SOURCES, feeds_index

BROKEN = Path(__file__).parent / "fixtures" / "broken"
REQUIRED = {name for name, s in SOURCES.items() if s.required}


def bundle_of(case: str):
    return load_bundle(BROKEN / case)


def errors_in(issues, fname: str):
    return [i for i in issues if i.severity == ERROR and i.file == fname]


def warnings_in(issues, fname: str):
    return [i for i in issues if i.severity == WARNING and i.file == fname]


def has(issues, *, file, row=None, column=None, value=None, contains="", severity=ERROR) -> bool:
    for i in issues:
        if i.severity != severity or i.file != file or contains not in i.message:
            continue
        if row is not None and i.row != row:
            continue
        if column is not None and i.column != column:
            continue
        if value is not None and i.value != value:
            continue
        return True
    return False


# ----------------------------------------------------------------------------- one message per case
# (case, file, [(row, column, value, message fragment), ...]) -- the file's complete list of errors.
CASES = [
    ("missing_column", "vandalism_bills.csv", [(1, "amount_dkk", None, "kolonnen 'amount_dkk' mangler")]),
    ("wrong_type", "logbook_events.csv", [(3, "headcount", "mange", "kan ikke læses som et helt tal")]),
    ("fit_item_out_of_range", "fit_administrations.csv",
     [(3, "item2", "11", "ligger uden for det tilladte (forventet et tal mellem 0 og 10)")]),
    ("fit_total_out_of_range", "fit_administrations.csv",
     [(2, "total", "41", "ligger uden for det tilladte (forventet et tal mellem 0 og 40)")]),
    ("negative_amount", "vandalism_bills.csv", [(3, "amount_dkk", "-250", "(forventet et tal ≥ 0)")]),
    ("unknown_activity", "logbook_events.csv", [(2, "activity", "yoga", "værdien 'yoga' er ikke tilladt")]),
    ("dangling_attendance", "logbook_attendance.csv",
     [(4, "event_id", "E9", "'E9' findes ikke i logbook_events.csv")]),
    ("dangling_fit_course", "fit_administrations.csv", [(3, "course_id", "C9", "'C9' findes ikke i fit_courses.csv")]),
    ("dangling_bydelsmor", "bydelsmoedre_visits.csv",
     [(3, "bydelsmor_id", "P099", "'P099' findes ikke i bydelsmoedre.csv")]),
    ("unknown_criterion", "assessments.csv",
     [(3, "criterion_id", "TT-KOM-9", "kriteriet 'TT-KOM-9' findes ikke i målkataloget")]),
    ("duplicate_key", "inspector_complaints.csv",
     [(3, "complaint_id", "K2", "nøglen (complaint_id) findes mere end én gang"),
      (4, "complaint_id", "K2", "nøglen (complaint_id) findes mere end én gang")]),
    ("duplicate_row", "skur2_outreach.csv",
     [(2, "visit_id", "V1", "nøglen (visit_id) findes mere end én gang"),
      (4, "visit_id", "V1", "nøglen (visit_id) findes mere end én gang"),
      (4, None, None, "rækken er en dublet af en tidligere række")]),
    ("duplicate_composite_key", "homework_cafe_visits.csv",
     [(2, "date, cafe, person_id", None, "nøglen (date, cafe, person_id) findes mere end én gang"),
      (4, "date, cafe, person_id", None, "nøglen (date, cafe, person_id) findes mere end én gang"),
      (4, None, None, "rækken er en dublet")]),
    ("date_out_of_range", "inspector_complaints.csv",
     [(2, "date", "2013-12-31", "ligger uden for programmets år (forventet 2014-2020)"),
      (4, "date", "2021-01-02", "ligger uden for programmets år (forventet 2014-2020)")]),
    ("invalid_date", "vandalism_bills.csv", [(3, "date", "2019-02-30", "er ikke en gyldig dato")]),
    ("empty_file", "vandalism_bills.csv", [(None, None, None, "filen er tom")]),
    ("csv_and_xlsx", "infohuset_cases.csv, infohuset_cases.xlsx",
     [(None, None, None, "kilden findes i flere filer; behold kun én")]),
    ("fit_neither_total_nor_items", "fit_administrations.csv",
     [(3, "total", None, "hverken total eller alle fire items er udfyldt")]),
    ("fit_total_mismatch", "fit_administrations.csv",
     [(2, "total", None, "total 30 passer ikke med summen af items (26)")]),
    ("bool_maybe", "logbook_events.csv", [(3, "resident_run", "måske", "skal være ja eller nej")]),
    ("share_out_of_range", "register_measures.csv",
     [(3, "value_pct", "101", "(forventet et tal mellem 0 og 100)")]),
    ("year_out_of_range", "infohuset_cases.csv",
     [(2, "year", "2012", "(forventet et helt tal mellem 2014 og 2020)")]),
    ("empty_required_cell", "skur2_outreach.csv", [(3, "person_id", "", "cellen er tom, men skal udfyldes")]),
    ("wave_not_allowed", "survey_margins.csv", [(3, "wave", "2018", "værdien '2018' er ikke tilladt")]),
]


@pytest.mark.parametrize("case,fname,expected", CASES, ids=[c[0] for c in CASES])
def test_broken_fixture_gives_its_message(case, fname, expected):
    issues = bundle_of(case).issues
    errs = errors_in(issues, fname)
    assert len(errs) == len(expected), "\n".join(map(str, errs))
    for row, column, value, fragment in expected:
        assert has(errs, file=fname, row=row, column=column, value=value, contains=fragment), (
            f"expected {fname} row {row} column {column} value {value!r}: {fragment!r}; got:\n"
            + "\n".join(map(str, errs)))
        # the printed line names file, row and column the way a user reads it
        if row is not None:
            line = next(str(i) for i in errs if i.row == row and fragment in i.message)
            assert line.startswith(f"Fejl: {fname}, række {row}")
            if column is not None:
                assert f"kolonne '{column}'" in line
    # a file with errors is not used, except that a source of independent rows (yearly aggregates, assessments)
    # leaves out only the rows with errors and says so
    stem = fname.split(",")[0].rsplit(".", 1)[0]
    from helhedsplan_eval.data.sources import SOURCES

    src = SOURCES.get(stem)
    tables = bundle_of(case).tables
    if src is not None and src.independent_rows and all(r is not None for r, *_ in expected):
        bad = {r for r, *_ in expected}
        assert stem in tables
        assert all("rækken er udeladt, resten af filen bruges" in i.message for i in errs)
        raw = (BROKEN / case / fname).read_text(encoding="utf-8").splitlines()
        assert len(tables[stem]) == len([ln for ln in raw[1:] if ln.strip()]) - len(bad)
    else:
        assert stem not in tables


def test_there_are_at_least_22_broken_fixtures():
    cases = [p for p in BROKEN.iterdir() if p.is_dir()]
    assert len(cases) >= 22
    assert all(any(p.iterdir()) for p in cases)


def test_dangling_fit_course_uses_the_course_file_but_not_the_forms():
    b = bundle_of("dangling_fit_course")
    assert "fit_courses" in b.tables and "fit_administrations" not in b.tables


# ----------------------------------------------------------------------------- files that must load

def test_semicolon_decimal_comma_thousands_points_loads_with_the_right_numbers():
    b = bundle_of("semicolon_decimal_comma")
    assert errors_in(b.issues, "vandalism_bills.csv") == []
    df = b.table("vandalism_bills")
    assert list(df["bill_id"]) == ["B1", "B2", "B3", "B4"]
    assert list(df["amount_dkk"]) == [1234.5, 17288000.0, 250.0, 99.95]
    assert list(df["date"]) == [dt.date(2018, 1, 5), dt.date(2019, 2, 28), dt.date(2020, 12, 31), dt.date(2017, 7, 1)]


def test_windows_1252_with_danish_letters_loads():
    raw = (BROKEN / "windows_1252" / "logbook_attendance.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):  # the fixture really is not UTF-8
        raw.decode("utf-8")
    b = bundle_of("windows_1252")
    assert [i for i in b.issues if i.severity == ERROR] == []
    att = b.table("logbook_attendance")
    assert list(att["role"]) == ["forælder", "frivillig"]
    ev = b.table("logbook_events")
    assert list(ev["title"]) == ["Forældrecafé på Søborg", "Loppemarked i gården"]


def test_utf8_with_bom_loads_and_the_first_column_is_recognised():
    assert (BROKEN / "utf8_bom" / "logbook_events.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    b = bundle_of("utf8_bom")
    assert [i for i in b.issues if i.severity == ERROR] == []
    assert list(b.table("logbook_events")["event_id"]) == ["E1", "E2", "E3"]
    assert list(b.table("logbook_events")["resident_run"]) == [False, True, False]
    assert list(b.table("logbook_attendance")["role"]) == ["forælder", "frivillig", "forælder"]


def test_header_only_is_a_warning_not_an_error():
    b = bundle_of("header_only")
    assert errors_in(b.issues, "vandalism_bills.csv") == []
    assert has(b.issues, file="vandalism_bills.csv", severity=WARNING, contains="kun overskrifter")
    assert len(b.table("vandalism_bills")) == 0


def test_unknown_extra_column_is_a_warning_and_ignored():
    b = bundle_of("unknown_extra_column")
    assert errors_in(b.issues, "vandalism_bills.csv") == []
    assert has(b.issues, file="vandalism_bills.csv", severity=WARNING, row=1, column="kommentar",
               contains="ukendt kolonne 'kommentar' ignoreres")
    df = b.table("vandalism_bills")
    assert "kommentar" not in df.columns
    assert list(df["amount_dkk"]) == [1200.0]


# ----------------------------------------------------------------------------- xlsx

def _xlsx(path: Path, rows) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_xlsx_loads_with_excel_dates_numbers_and_booleans(tmp_path):
    _xlsx(tmp_path / "vandalism_bills.xlsx", [
        ("bill_id", "date", "amount_dkk"),
        ("B1", dt.datetime(2018, 1, 5), 1234.5),   # Excel date and number cells
        ("B2", "31.12.2019", 250),                 # typed as text by a person
        (7, dt.date(2017, 3, 1), "99,95"),         # a numeric id, a decimal comma typed as text
    ])
    _xlsx(tmp_path / "skur2_outreach.xlsx", [
        ("visit_id", "date", "person_id", "followed_by_visit"),
        ("V1", dt.date(2018, 4, 1), "U1", True),
        ("V2", dt.date(2018, 4, 2), "U2", "nej"),
    ])
    b = load_bundle(tmp_path)
    assert errors_in(b.issues, "vandalism_bills.xlsx") == []
    assert errors_in(b.issues, "skur2_outreach.xlsx") == []
    df = b.table("vandalism_bills")
    assert list(df["bill_id"]) == ["B1", "B2", "7"]
    assert list(df["date"]) == [dt.date(2018, 1, 5), dt.date(2019, 12, 31), dt.date(2017, 3, 1)]
    assert list(df["amount_dkk"]) == [1234.5, 250.0, 99.95]
    assert list(b.table("skur2_outreach")["followed_by_visit"]) == [True, False]


def test_xlsx_bad_cell_is_reported_with_the_excel_row_number(tmp_path):
    shutil.copy(BROKEN / "fit_item_out_of_range" / "fit_courses.csv", tmp_path / "fit_courses.csv")
    header = ("administration_id", "course_id", "family_id", "rated_person_id", "rater", "about", "scale", "date",
              "item1", "item2", "item3", "item4", "total", "group")
    _xlsx(tmp_path / "fit_administrations.xlsx", [
        header,
        ("A1", "C1", "F1", "P1", "forælder", "selv", "ORS", dt.date(2018, 2, 1), 5, 5, 5, 5, 20, "almen"),
        ("A2", "C1", "F1", "P1", "forælder", "selv", "ORS", dt.date(2018, 3, 1), 5, 6, 6, 6, 23, "almen"),
        ("A3", "C1", "F1", "P1", "forælder", "selv", "ORS", dt.date(2018, 4, 1), 5, 6, "syv", 6, None, "almen"),
    ])
    df, issues = read_source(tmp_path / "fit_administrations.xlsx", SOURCES["fit_administrations"])
    errs = [i for i in issues if i.severity == ERROR]
    assert len(errs) == 1, errs
    e = errs[0]
    assert (e.file, e.row, e.column, e.value) == ("fit_administrations.xlsx", 4, "item3", "syv")
    assert "kan ikke læses som et tal" in e.message and "mellem 0 og 10" in e.message
    assert str(e).startswith("Fejl: fit_administrations.xlsx, række 4, kolonne 'item3'")


# ----------------------------------------------------------------------------- missing sources

def test_missing_required_source_is_an_error():
    b = bundle_of("required_missing")
    assert has(b.issues, file="logbook_attendance.csv", contains="kilden mangler og er påkrævet")
    assert errors_in(b.issues, "logbook_events.csv") == []
    with pytest.raises(DataValidationError) as exc:
        load_bundle(BROKEN / "required_missing", strict=True)
    assert "logbook_attendance.csv" in str(exc.value)


def test_missing_optional_sources_are_warnings_only():
    b = bundle_of("optional_missing")
    assert [str(i) for i in b.issues if i.severity == ERROR] == []
    for name, src in SOURCES.items():
        if src.required:
            continue
        w = [i for i in b.issues if i.source == name]
        assert len(w) == 1 and w[0].severity == WARNING, (name, w)
        assert "kilden mangler" in w[0].message and "afventer data" in w[0].message
    assert set(b.tables) == REQUIRED
    assert "Ingen fejl" in format_report(b.issues, "x")


@pytest.fixture(scope="module")
def sample_without_two_sources(tmp_path_factory):
    from helhedsplan_eval.data.sample import generate

    d = tmp_path_factory.mktemp("sample_missing")
    generate(d)
    for name in ("infohuset_cases", "vandalism_bills"):
        (d / f"{name}.csv").unlink()
    return d


def test_missing_optional_source_makes_its_criteria_await_data(sample_without_two_sources):
    from helhedsplan_eval.analysis.evaluate import evaluate_year

    res = evaluate_year(2020, sample_without_two_sources)
    missing = {"infohuset_cases", "vandalism_bills"}
    only_from_missing = [cid for cid, srcs in feeds_index().items() if set(srcs) <= missing]
    assert {"KP-2", "KP-3", "KP-LOM-2"} <= set(only_from_missing)
    for cid in only_from_missing:
        ev = res.evaluations[cid]
        assert ev.status == "Afventer data", (cid, ev.status, ev.explanation)
        crit = res.catalogue.criteria[cid]
        assert any("kilden mangler" in w for w in res.warnings_for(crit)), (cid, res.warnings_for(crit))
    # the rest of the year is still evaluated
    assert sum(ev.status != "Afventer data" for ev in res.evaluations.values()) > 10


# ----------------------------------------------------------------------------- many problems at once

def test_all_problems_of_a_multi_error_file_are_reported_at_once():
    b = bundle_of("multi_error")
    errs = errors_in(b.issues, "logbook_events.csv")
    expected = [
        (3, "date", "er ikke en gyldig dato"),
        (4, "activity", "er ikke tilladt"),
        (5, "headcount", "ligger uden for det tilladte"),
        (6, "resident_run", "skal være ja eller nej"),
        (7, "common_area", "cellen er tom"),
        (8, "date", "uden for programmets år"),
        (9, "headcount", "skal være et helt tal"),
        (2, "event_id", "findes mere end én gang"),
        (10, "event_id", "findes mere end én gang"),
        (11, "event_id", "findes mere end én gang"),
        (12, "event_id", "findes mere end én gang"),
        (12, None, "rækken er en dublet"),
    ]
    assert len(errs) == 12, "\n".join(map(str, errs))
    for row, col, frag in expected:
        assert has(errs, file="logbook_events.csv", row=row, column=col, contains=frag), (row, col, frag)
    assert has(b.issues, file="logbook_events.csv", severity=WARNING, row=1, column="note", contains="ukendt kolonne")
    report = format_report([i for i in b.issues if i.source == "logbook_events"], "multi_error")
    assert report.splitlines()[0].startswith("Validering af multi_error: 12 fejl, ")
    assert sum(line.startswith("  Fejl: logbook_events.csv") for line in report.splitlines()) == 12
    assert "Traceback" not in report


# ----------------------------------------------------------------------------- never raises

def test_load_bundle_never_raises_on_garbage(tmp_path):
    rnd = random.Random(20170101)
    (tmp_path / "vandalism_bills.csv").write_bytes(bytes(rnd.randrange(256) for _ in range(3000)))
    (tmp_path / "inspector_complaints.csv").write_bytes(b"complaint_id,date\x00,category\n\x00\x00\x01\xff\xfe")
    (tmp_path / "infohuset_cases.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    with zipfile.ZipFile(tmp_path / "police_safety.xlsx", "w") as z:
        z.writestr("hello.txt", "a zip, but not a workbook")
    openpyxl.Workbook().save(tmp_path / "public_support.xlsx")  # an empty sheet
    (tmp_path / "skur2_outreach.csv").write_text('visit_id,date,person_id,followed_by_visit\n"V1,2018-01-01,P1\n')
    (tmp_path / "skur2_regulars.csv").write_bytes(b"\xef\xbb\xbf")  # only a BOM
    (tmp_path / "leisure_jobs.csv").write_text("\n\n\n")
    (tmp_path / "micro_businesses.csv").write_text(  # ragged rows
        "business_id,founded_date,participants\nB1\nB2,2018-01-01,3,4,5,6\n,,\n")
    (tmp_path / "budget_spending.csv").write_text("year;area;funder;amount_dkk\n2018;tværgående\n2018,lbf,3\n")
    (tmp_path / "ung_i_gladsaxe.csv").write_bytes("year,activity,participants\n2018,x,1\n".encode("utf-16"))
    (tmp_path / "volunteers.csv").write_text("x" * 100_000)
    (tmp_path / "risk_group_leisure.csv").write_text("year,youth_id,active_leisure\n2018,Y1\n2019,Y2,ja,ja\n")
    garbage = ["vandalism_bills", "inspector_complaints", "infohuset_cases", "police_safety", "public_support",
               "skur2_outreach", "skur2_regulars", "leisure_jobs", "micro_businesses", "budget_spending",
               "ung_i_gladsaxe", "volunteers", "risk_group_leisure"]
    b = load_bundle(tmp_path)  # must not raise
    for name in garbage:
        assert any(i.severity == ERROR and i.source == name for i in b.issues), name
        assert name not in b.tables
    report = format_report(b.issues, tmp_path)
    assert "Traceback" not in report


def test_load_bundle_on_a_missing_folder_reports_instead_of_raising(tmp_path):
    b = load_bundle(tmp_path / "does_not_exist")
    assert len(b.issues) == 1 and "datamappen findes ikke" in b.issues[0].message


# ----------------------------------------------------------------------------- defects found in review (fixed)

def test_bug_row_numbers_after_a_blank_line():
    errs = errors_in(bundle_of("bug_blank_line_row_number").issues, "vandalism_bills.csv")
    assert has(errs, file="vandalism_bills.csv", row=4, column="amount_dkk", value="-5")


def test_bug_semicolon_file_with_decimal_points_is_not_misread():
    b = bundle_of("bug_semicolon_point_decimal")
    errs = errors_in(b.issues, "vandalism_bills.csv")
    df = b.table("vandalism_bills")
    loaded_right = df is not None and list(df["amount_dkk"]) == [1234.5, 7.5]
    reported = has(errs, file="vandalism_bills.csv", row=2, column="amount_dkk")
    assert loaded_right or reported


def test_bug_row_with_an_extra_field_is_reported_as_such():
    errs = errors_in(bundle_of("bug_ragged_extra_field").issues, "vandalism_bills.csv")
    assert [i.row for i in errs] == [2], "\n".join(map(str, errs))
    assert not any(i.column == "date" for i in errs)


def test_bug_repeated_column_name_is_an_error():
    errs = errors_in(bundle_of("bug_duplicate_header").issues, "vandalism_bills.csv")
    assert has(errs, file="vandalism_bills.csv", row=1, column="amount_dkk")


def test_bug_non_finite_numbers_are_rejected():
    errs = errors_in(bundle_of("bug_non_finite_number").issues, "vandalism_bills.csv")
    assert has(errs, file="vandalism_bills.csv", row=2, column="amount_dkk", value="inf")
    assert has(errs, file="vandalism_bills.csv", row=3, column="amount_dkk", value="nan")


def test_bug_broken_manifest_is_reported_not_raised():
    b = bundle_of("bug_garbage_manifest")
    assert any(i.file == "manifest.yml" and i.severity == ERROR for i in b.issues)


def test_bug_cross_file_checks_run_even_when_the_file_has_other_errors():
    errs = errors_in(bundle_of("bug_cross_checks_hidden").issues, "fit_administrations.csv")
    assert has(errs, file="fit_administrations.csv", row=2, column="item1", value="11")
    assert has(errs, file="fit_administrations.csv", row=3, column="course_id", value="C9")
    assert has(errs, file="fit_administrations.csv", row=4, column="total", contains="passer ikke")
    assert has(errs, file="fit_administrations.csv", row=5, column="total", contains="hverken total")


def test_bug_all_problems_of_one_row_are_reported():
    errs = errors_in(bundle_of("bug_row_errors_hidden").issues, "logbook_events.csv")
    assert {(i.row, i.column) for i in errs} == {(2, "date"), (2, "activity"), (2, "headcount")}


# ----------------------------------------------------------------------------- the contract documentation

def test_data_readme_is_generated_from_the_contract():
    from helhedsplan_eval.data.contract_doc import contract_markdown

    readme = Path(__file__).resolve().parent.parent / "data" / "README.md"
    assert readme.exists(), "data/README.md is missing: run `helhedsplan-eval contract > data/README.md`"
    text = readme.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert text.rstrip("\n") == contract_markdown().rstrip("\n"), (
        "data/README.md differs from the data contract in params/sources.yml; regenerate it with "
        "`helhedsplan-eval contract > data/README.md` (or `python -m helhedsplan_eval.data.contract_doc > data/README.md`)")


def test_contract_markdown_documents_every_source_and_column():
    from helhedsplan_eval.data.contract_doc import contract_markdown

    md = contract_markdown()
    for name, src in SOURCES.items():
        assert f"## `{name}`: {src.title}" in md
        section = md.split(f"## `{name}`: ")[1].split("\n## ")[0]
        for c in src.columns:
            assert f"| `{c.name}` |" in section, (name, c.name)
        for cid in src.feeds:
            assert f"* **{cid}**" in section, (name, cid)
        if src.key:
            assert "**Nøgle** (entydig pr. række): " + ", ".join(f"`{k}`" for k in src.key) in section
        assert "* **Rækker med fejl**: " + ("kun rækken udelades" if src.independent_rows
                                              else "hele kilden udelades") in section
        if src.spell is not None:
            assert f"* **Forløb**: `{src.spell[1]}` må ikke ligge før" in section
    # the rules a data supplier needs
    for phrase in ("semikolonsepareret med decimalkomma", "Windows-1252", "UTF-8 med eller uden BOM", ".xlsx",
                   "ÅÅÅÅ-MM-DD", "pseudonymer", "Dækningsreglen", "aldrig nul", "helhedsplan-eval validate MAPPE",
                   "**Fejl**", "**Advarsler**", "sep=,", "Unicode NFC", "ikke som andel (0,799)", "&navn"):
        assert phrase in md, phrase
    # the evaluator is Danish: none of the generator's former English words is left
    for english in ("Required", "Meaning", "Allowed values", "One row per", "yes (cells may be empty)", "Feeds",
                    " the ", " and ", " of "):
        assert english not in md, english
    fit = md.split("## `fit_administrations`: ")[1].split("\n## ")[0]
    assert "| `item1` | tal | ja (kolonnen skal findes, men cellen må være tom) | 0 til 10 |" in fit
    assert "| `total` | tal | ja (kolonnen skal findes, men cellen må være tom) | 0 til 40 |" in fit
    assert "hver `course_id` skal findes i `fit_courses.course_id`" in fit


def test_bug_reference_to_a_file_with_errors_does_not_claim_it_is_missing():
    b = bundle_of("bug_reference_to_erroneous_source")
    assert has(b.issues, file="fit_courses.csv", row=2, column="age_band", value="0-1")
    assert not any("fit_courses mangler" in i.message for i in b.issues), [str(i) for i in b.issues]


def test_survey_item_codes_are_validated_from_survey_yml(tmp_path):
    """The item columns of survey_responses are declared in params/survey.yml (codes 1-5 and 9 = ved ikke);
    a code outside them is an error naming file, row, column and value; an empty cell is 'not answered'."""
    (tmp_path / "survey_responses.csv").write_text(
        "respondent_id,wave,department,age_group,gender,mode,q01,q02,q03,q04,q05,q06,q07,q08\n"
        "A1,2017,3B,18-29,kvinde,web,1,2,3,4,5,9,,7\n"
        "A2,2017,AAB,65+,mand,papir,5,5,5,5,1,1,4,0\n", encoding="utf-8")
    df, issues = read_source(tmp_path / "survey_responses.csv", SOURCES["survey_responses"])
    errs = sorted((i.row, i.column, i.value) for i in issues if i.severity == "fejl")
    assert errs == [(2, "q08", "7"), (3, "q08", "0")]
    assert all("forventet en af '1', '2', '3', '4', '5', '9'" in i.message for i in issues if i.severity == "fejl")


# ----------------------------------------------------------------------------- speed without weaker checks (issue 13)

def test_schema_precheck_agrees_with_pandera_on_every_table(monkeypatch):
    """``schema._passes`` lets a table skip pandera only when pandera would find nothing in it: on every table of
    every broken fixture and of the sample, the pre-check passes exactly when pandera reports no failure."""
    from helhedsplan_eval.data import schema

    seen = []
    real = schema._passes
    monkeypatch.setattr(schema, "_passes", lambda src, df: seen.append((src, df.copy())) or real(src, df))
    folders = sorted(p for p in BROKEN.iterdir() if p.is_dir()) + [Path(__file__).parent.parent / "data" / "sample"]
    for folder in folders:
        load_bundle(folder, catalogue_ids=set())
    assert len(seen) > 60  # 29 sample tables and every broken fixture's
    outcomes = []
    for src, df in seen:
        found = schema._pandera_issues(src, df, f"{src.name}.csv")
        assert real(src, df) == (found == []), (src.name, found)
        outcomes.append(found == [])
    assert True in outcomes and False in outcomes  # both paths were exercised


def test_fit_form_totals_are_checked_row_by_row(tmp_path):
    """The FIT form rules in the cross checks (hand-made forms): a form with neither total nor all items, a total
    that disagrees with the items by more than 0,05, and forms that are fine."""
    import shutil

    for name in ("fit_courses", "fit_administrations"):
        shutil.copy(Path(__file__).parent.parent / "data" / "sample" / f"{name}.csv", tmp_path)
    adm = tmp_path / "fit_administrations.csv"
    lines = adm.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, ln.split(","))) for ln in lines[1:4]]
    rows[0].update(item1="5", item2="5", item3="5", item4="5", total="20.04")  # within 0,05: fine
    rows[1].update(item1="5", item2="5", item3="5", item4="", total="")  # neither total nor all items
    rows[2].update(item1="5", item2="5", item3="5", item4="5", total="21")  # 20 vs 21
    adm.write_text("\n".join([lines[0]] + [",".join(r[h] for h in header) for r in rows]) + "\n", encoding="utf-8")
    errs = [(i.row, i.column, i.message) for i in load_bundle(tmp_path, catalogue_ids=set()).issues
            if i.severity == ERROR and i.file == "fit_administrations.csv"]
    assert errs == [(3, "total", "hverken total eller alle fire items er udfyldt"),
                    (4, "total", "total 21 passer ikke med summen af items (20)")]
