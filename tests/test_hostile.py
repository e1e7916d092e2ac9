"""Hostile and malformed input (issue 9): every case asserts the exact outcome.

Groups: CPR-shaped ids; row numbers as Excel shows them; size bounds (zip bomb, huge CSV);
encodings and files that are not what their suffix says; manifest.yml, criteria.yml and plan.yml
validated like data; CSV/xlsx formula injection; problem counts for the board without values.
Big inputs are built at run time in tmp_path (a sparse file, a zip of zeros), never committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from helhedsplan_eval.data import contract
from helhedsplan_eval.catalogue.criteria import PARAM_SPECS, REQUIRED_PARAMS, CatalogueError, load_catalogue
from helhedsplan_eval.data.contract import (CPR_MESSAGE, ERROR, MAX_FILE_BYTES, XLSX_MAX_UNCOMPRESSED, format_report,
                                       issue_summary, load_bundle, read_manifest, read_source)
from helhedsplan_eval.report.safe_io import is_formula_like, write_csv, write_xlsx
from helhedsplan_eval.data.sources import SOURCES

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).parent / "fixtures" / "broken"


def errors(issues, fname=None):
    return [i for i in issues if i.severity == ERROR and (fname is None or i.file == fname)]


def csv_cells(path: Path) -> list[list[str]]:
    """The cells of a semicolon CSV written by safe_io, as a spreadsheet program splits them."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def read(path: Path, source: str):
    return read_source(path, SOURCES[source])


def _xlsx(path: Path, rows: dict[int, tuple]) -> Path:
    """A workbook whose first sheet has ``rows`` at the given Excel row numbers (others left blank)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, values in rows.items():
        for j, v in enumerate(values, start=1):
            ws.cell(row=r, column=j, value=v)
    wb.save(path)
    return path


# ============================================================================ 1. CPR-shaped ids

ID_COLUMNS = [(name, col) for name, src in SOURCES.items() for col in src.id_columns]


def test_every_source_with_person_ids_declares_them():
    assert len(ID_COLUMNS) >= 15
    assert ("bydelsmoedre_visits", "bydelsmor_id") in ID_COLUMNS
    assert ("logbook_attendance", "person_id") in ID_COLUMNS


@pytest.mark.parametrize("source,column", ID_COLUMNS, ids=[f"{s}.{c}" for s, c in ID_COLUMNS])
def test_cpr_shaped_value_is_refused_in_every_id_column(tmp_path, source, column):
    src = SOURCES[source]
    header = [c.name for c in src.columns]
    row = ["" for _ in header]
    row[header.index(column)] = "010190-1234"
    p = tmp_path / f"{source}.csv"
    p.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    _, issues = read(p, source)
    cpr = [i for i in issues if i.message == CPR_MESSAGE]
    assert [(i.row, i.column, i.severity) for i in cpr] == [(2, column, ERROR)]
    # the value is never repeated: not in the message, the value field, the printed line or the summary
    for i in issues:
        assert "010190" not in str(i) and "1234" not in (i.value or "")
    assert "010190" not in issue_summary(issues).to_csv()


@pytest.mark.parametrize("value", ["0101901234", "010190-1234", " 010190-1234 ", "fam-010190-1234", "P3112999999"])
def test_cpr_shapes_with_and_without_hyphen_spaces_or_prefix(tmp_path, value):
    p = tmp_path / "skur2_regulars.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["person_id", "regular_since"])
        w.writerow(["P1", "2018-01-01"])
        w.writerow([value, "2018-02-01"])
    _, issues = read(p, "skur2_regulars")
    errs = errors(issues)
    assert [(i.row, i.column) for i in errs] == [(3, "person_id")]
    msg = str(errs[0])
    assert msg == ("Fejl: skur2_regulars.csv, række 3, kolonne 'person_id': værdien ligner et CPR-nummer "
                   "(ddmmåå-xxxx); der må kun bruges pseudonyme id'er (fx P00017), aldrig CPR-numre")
    assert value.strip() not in msg and errs[0].value is None


@pytest.mark.parametrize("value", ["P00017", "F12", "12345", "01019012345", "2018-01-05"])
def test_pseudonyms_and_other_digit_strings_are_not_taken_for_cpr(tmp_path, value):
    p = tmp_path / "skur2_regulars.csv"
    p.write_text(f"person_id,regular_since\n{value},2018-01-01\n", encoding="utf-8")
    df, issues = read(p, "skur2_regulars")
    assert errors(issues) == []
    assert list(df["person_id"]) == [value]


def test_cpr_typed_as_a_number_in_excel_is_refused(tmp_path):
    p = _xlsx(tmp_path / "skur2_regulars.xlsx", {1: ("person_id", "regular_since"),
                                                 2: (1512901234, dt.date(2018, 1, 1))})
    _, issues = read(p, "skur2_regulars")
    assert [(i.row, i.column, i.message) for i in errors(issues)] == [(2, "person_id", CPR_MESSAGE)]


@pytest.mark.parametrize("number,refused", [(101901234, True), (912991234, True), (123456789, False),
                                           (113456789, False)])
def test_cpr_whose_leading_zero_excel_dropped_is_refused(tmp_path, number, refused):
    """0101901234 typed into Excel as a number is stored as 101901234 (day 01-09 loses its zero)."""
    p = _xlsx(tmp_path / "skur2_regulars.xlsx", {1: ("person_id", "regular_since"),
                                                 2: (number, dt.date(2018, 1, 1))})
    _, issues = read(p, "skur2_regulars")
    assert [(i.row, i.column, i.message) for i in errors(issues)] == ([(2, "person_id", CPR_MESSAGE)] if refused else [])


def test_cpr_in_a_reference_is_not_repeated_by_the_cross_check(tmp_path):
    shutil.copy(BROKEN / "dangling_bydelsmor" / "bydelsmoedre.csv", tmp_path)
    (tmp_path / "bydelsmoedre_visits.csv").write_text(
        "visit_id,date,bydelsmor_id,family_id\nV1,2017-03-02,P010,F1\nV2,2017-04-11,240385-4321,F2\n",
        encoding="utf-8")
    b = load_bundle(tmp_path)
    errs = errors(b.issues, "bydelsmoedre_visits.csv")
    assert [(i.row, i.column, i.message) for i in errs] == [(3, "bydelsmor_id", CPR_MESSAGE)]
    report = format_report(b.issues, tmp_path)
    assert "240385" not in report and "bydelsmoedre_visits" not in b.tables


# ============================================================================ 2. row numbers = Excel rows

def test_a_record_spanning_three_lines_is_one_row(tmp_path):
    p = tmp_path / "logbook_events.csv"
    p.write_text("event_id,date,activity,title,resident_run,common_area,headcount,skur2_participation\n"
                 'E1,2018-03-01,foraeldrecafe,"Café\nmed\ntema",nej,nej,12,nej\n'
                 "E2,2018-05-03,aabne_tilbud,Loppemarked,ja,ja,mange,\n", encoding="utf-8")
    df, issues = read(p, "logbook_events")
    errs = errors(issues)
    assert [(i.row, i.column, i.value) for i in errs] == [(3, "headcount", "mange")]  # physical line 5
    assert list(df.index) == [2, 3]
    assert df.loc[2, "title"] == "Café\nmed\ntema"


def test_multi_line_record_and_blank_line_together_in_a_danish_excel_file(tmp_path):
    p = tmp_path / "logbook_events.csv"
    p.write_bytes(("event_id;date;activity;title;resident_run;common_area;headcount;skur2_participation\r\n"
                   'E1;05-01-2018;foraeldrecafe;"Café\r\npå to linjer";nej;nej;12;nej\r\n'
                   "\r\n"
                   "E2;06-01-2018;andet;Fest;ja;ja;-5;\r\n").encode("cp1252"))
    df, issues = read(p, "logbook_events")
    assert [(i.row, i.column, i.value) for i in errors(issues)] == [(4, "headcount", "-5")]
    assert df.loc[2, "title"] == "Café\r\npå to linjer"


def test_ragged_row_after_a_multi_line_record_is_reported_at_its_excel_row(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text('bill_id,date,amount_dkk\nB1,2018-01-05,"5\n"\nB2,2018-01-06,7,8\n', encoding="utf-8")
    _, issues = read(p, "vandalism_bills")
    errs = errors(issues)
    assert [i.row for i in errs] == [3]
    assert "rækken har 4 felter, men overskriften har 3" in errs[0].message


def test_blank_line_fixture_still_counts_the_blank_row():
    errs = errors(load_bundle(BROKEN / "bug_blank_line_row_number").issues, "vandalism_bills.csv")
    assert [(i.row, i.column, i.value) for i in errs] == [(4, "amount_dkk", "-5")]


def test_multi_line_fixture_gives_the_excel_row():
    errs = errors(load_bundle(BROKEN / "bug_multiline_record_row_number").issues, "logbook_events.csv")
    assert [(i.row, i.column, i.value) for i in errs] == [(4, "date", "2019-02-30")]


def test_xlsx_blank_rows_keep_the_excel_row_numbers(tmp_path):
    p = _xlsx(tmp_path / "vandalism_bills.xlsx", {3: ("bill_id", "date", "amount_dkk"),
                                                  4: ("B1", dt.date(2018, 1, 5), 5),
                                                  7: ("B2", dt.date(2018, 1, 6), "fem")})
    df, issues = read(p, "vandalism_bills")
    errs = errors(issues)
    assert [(i.row, i.column, i.value) for i in errs] == [(7, "amount_dkk", "fem")]
    assert str(errs[0]).startswith("Fejl: vandalism_bills.xlsx, række 7, kolonne 'amount_dkk'")


def test_xlsx_missing_column_is_reported_at_the_header_row(tmp_path):
    p = _xlsx(tmp_path / "vandalism_bills.xlsx", {2: ("bill_id", "date"), 3: ("B1", dt.date(2018, 1, 5))})
    _, issues = read(p, "vandalism_bills")
    assert [(i.row, i.column) for i in errors(issues)] == [(2, "amount_dkk")]


def test_xlsx_cells_beyond_the_header_are_a_ragged_row(tmp_path):
    p = _xlsx(tmp_path / "vandalism_bills.xlsx", {1: ("bill_id", "date", "amount_dkk"),
                                                  2: ("B1", dt.date(2018, 1, 5), 5, None, "x")})
    _, issues = read(p, "vandalism_bills")
    errs = errors(issues)
    assert [i.row for i in errs] == [2] and "rækken har 5 udfyldte felter, men overskriften har 3" in errs[0].message


def test_row_number_rule_is_stated_in_the_data_readme():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "er én række i Excel" in readme and "en tom linje er en række for sig" in readme


# ============================================================================ 3. size bounds

def test_size_bounds_are_100_mb():
    assert XLSX_MAX_UNCOMPRESSED == 100 * 1024 * 1024
    assert MAX_FILE_BYTES == 100 * 1024 * 1024


def test_zip_bomb_xlsx_is_refused_from_the_zip_directory_before_openpyxl(tmp_path, monkeypatch):
    p = tmp_path / "vandalism_bills.xlsx"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(101):
                fh.write(block)
    assert p.stat().st_size < 1024 * 1024  # small on disk

    def never(*a, **k):
        raise AssertionError("openpyxl must not be called on a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    df, issues = read(p, "vandalism_bills")
    assert df is None
    assert [str(i) for i in issues] == [
        "Fejl: vandalism_bills.xlsx: Excel-filen fylder 101,0 MB udpakket, mere end grænsen på 100,0 MB; "
        "gem dataarket alene som .xlsx eller CSV"]


def test_huge_csv_is_refused_before_it_is_read(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    with open(p, "wb") as fh:
        fh.write(b"bill_id,date,amount_dkk\n")
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    df, issues = read(p, "vandalism_bills")
    assert df is None and len(issues) == 1
    assert issues[0].message.startswith("filen fylder 100,0 MB, mere end grænsen på 100,0 MB")
    assert issues[0].category == "filen er større end grænsen på 100,0 MB"


def test_size_problem_in_a_data_folder_excludes_only_that_source(tmp_path):
    shutil.copy(BROKEN / "dangling_bydelsmor" / "bydelsmoedre.csv", tmp_path)
    with open(tmp_path / "vandalism_bills.csv", "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 10)
    b = load_bundle(tmp_path)
    assert "bydelsmoedre" in b.tables and "vandalism_bills" not in b.tables
    assert any(i.file == "vandalism_bills.csv" and "grænsen" in i.message for i in errors(b.issues))


# ============================================================================ 4. encodings and wrong formats

CSV_TEXT = "bill_id,date,amount_dkk\nB1,2018-01-05,5\n"


@pytest.mark.parametrize("encoding,order", [("utf-16", "LE"), ("utf-16-le", "LE"), ("utf-16-be", "BE")],
                         ids=["bom", "le-no-bom", "be-no-bom"])
def test_utf16_is_named_with_what_to_do(tmp_path, encoding, order):
    p = tmp_path / "vandalism_bills.csv"
    p.write_bytes(CSV_TEXT.encode(encoding))
    df, issues = read(p, "vandalism_bills")
    assert df is None and len(issues) == 1
    m = issues[0].message
    assert m.startswith(f"filen er gemt som UTF-16 ({order}")
    assert "CSV UTF-8" in m and "dansk Excel" in m


def test_utf16_be_with_bom(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_bytes(b"\xfe\xff" + CSV_TEXT.encode("utf-16-be"))
    _, issues = read(p, "vandalism_bills")
    assert issues[0].message.startswith("filen er gemt som UTF-16 (BE")


def test_binary_garbage_csv(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_bytes(bytes(range(256)) * 4)
    _, issues = read(p, "vandalism_bills")
    assert [i.message.split(";")[0] for i in issues] == ["filen indeholder binære data og er ikke en CSV-tekstfil"]


def test_csv_with_a_field_over_the_csv_module_limit_is_reported_not_raised(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text('bill_id,date,amount_dkk\n"' + "x" * 200_000 + '",2018-01-05,5\n', encoding="utf-8")
    _, issues = read(p, "vandalism_bills")
    assert len(issues) == 1 and "CSV-filen kan ikke opdeles i felter i række 2" in issues[0].message
    assert issues[0].category == "CSV-filen kan ikke opdeles i felter"  # no row number in the board's count


@pytest.mark.parametrize("content,expected", [
    (CSV_TEXT.encode(), "filen er ikke en Excel-fil, men ser ud til at være tekst (CSV) med endelsen .xlsx"),
    (bytes(range(200, 256)) * 10, "filen er ikke en gyldig Excel-fil (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "filen er i det gamle Excel-format (.xls)"),
    (b"PK\x03\x04 this is not a workbook", "filen er ikke en gyldig Excel-fil (.xlsx)"),
], ids=["csv-renamed", "binary", "xls-or-encrypted", "truncated-zip"])
def test_file_with_xlsx_suffix_that_is_not_a_workbook(tmp_path, content, expected):
    p = tmp_path / "vandalism_bills.xlsx"
    p.write_bytes(content)
    df, issues = read(p, "vandalism_bills")
    assert df is None and len(issues) == 1
    assert issues[0].message.startswith(expected), issues[0].message
    assert "Error" not in issues[0].message and "Traceback" not in issues[0].message


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "vandalism_bills.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hej")
    _, issues = read(p, "vandalism_bills")
    assert [i.message for i in issues] == ["filen er en zip-fil, men ikke en Excel-projektmappe (.xlsx)"]


def test_workbook_with_a_broken_sheet_is_reported_without_exception_text(tmp_path):
    p = tmp_path / "vandalism_bills.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<not-a-workbook")
    _, issues = read(p, "vandalism_bills")
    assert len(issues) == 1 and issues[0].message.startswith("Excel-filen kan ikke åbnes")


# ============================================================================ 5a. manifest.yml

def _manifest(tmp_path, text: str):
    (tmp_path / "manifest.yml").write_text(text, encoding="utf-8")
    return read_manifest(tmp_path)


@pytest.mark.parametrize("text,shown", [("synthetic: nej", "'nej'"), ('synthetic: "yes"', "'yes'"),
                                        ("synthetic: 1", "1"), ("synthetic: sand", "'sand'")])
def test_synthetic_must_be_a_real_boolean(tmp_path, text, shown):
    m, issues = _manifest(tmp_path, text)
    assert m == {}
    assert [str(i) for i in issues] == [
        f"Fejl: manifest.yml, nøgle 'synthetic': 'synthetic' er {shown}, men skal være true eller false "
        "(uden anførselstegn)"]


def test_synthetic_nej_does_not_mark_the_data_synthetic(tmp_path):
    (tmp_path / "manifest.yml").write_text("synthetic: nej\n", encoding="utf-8")
    b = load_bundle(tmp_path)
    assert b.synthetic is False
    assert any(i.file == "manifest.yml" and i.column == "synthetic" for i in errors(b.issues))


def test_valid_manifest_is_kept(tmp_path):
    m, issues = _manifest(tmp_path, "synthetic: true\nseed: 7\ndescription: Test\n"
                                    "coverage:\n  logbook_events: [2019, 2017, 2018]\n")
    assert issues == []
    assert m == {"synthetic": True, "seed": 7, "description": "Test", "coverage": {"logbook_events": [2017, 2018, 2019]}}


def test_coverage_problems_are_all_reported_and_valid_entries_kept(tmp_path):
    m, issues = _manifest(tmp_path, "coverage:\n  logbook_events: [2017, '2018', 1999]\n  spøgelse: [2017]\n"
                                    "  vandalism_bills: 2018\n  volunteers: [2017, 2018]\n  skur2_outreach: [true]\n")
    assert m == {"coverage": {"volunteers": [2017, 2018]}}
    got = {(i.column, i.message) for i in issues}
    assert got == {
        ("coverage.logbook_events", "dækningen af logbook_events indeholder '2018', 1999; forventet hele årstal "
                                    "mellem 2014 og 2020"),
        ("coverage.spøgelse", "'spøgelse' er ikke en kilde i datakontrakten (se data/README.md)"),
        ("coverage.vandalism_bills", "dækningen af vandalism_bills skal være en liste af år, fx [2017, 2018]"),
        ("coverage.skur2_outreach", "dækningen af skur2_outreach indeholder True; forventet hele årstal mellem "
                                    "2014 og 2020"),
    }


def test_coverage_must_be_a_mapping(tmp_path):
    _, issues = _manifest(tmp_path, "coverage: [2017, 2018]\n")
    assert [(i.column, i.category) for i in issues] == [("coverage", "'coverage' skal være en mapping")]


def test_unknown_manifest_key_is_named(tmp_path):
    m, issues = _manifest(tmp_path, "synthetc: true\n")
    assert m == {}
    assert [i.message for i in issues] == [
        "ukendt nøgle 'synthetc' (kendte nøgler: synthetic, coverage, description, seed)"]


@pytest.mark.parametrize("text,fragment", [("- a\n- b\n", "men er en list"), ("coverage: [\n", "ikke gyldig YAML"),
                                           ("seed: syv\n", "'seed' er 'syv', men skal være et helt tal")])
def test_manifest_shapes(tmp_path, text, fragment):
    _, issues = _manifest(tmp_path, text)
    assert len(issues) == 1 and fragment in issues[0].message and issues[0].severity == ERROR


# ============================================================================ 5b. criteria.yml and plan.yml

PLAN = {"plan": {"period": {"start": 2017, "end": 2020}},
        "areas": [{"id": "a1", "prefix": "A", "name": "Område", "activities": [{"id": "x", "name": "X"}]}]}


def _crit(cid="A-1", **kw):
    d = dict(id=cid, area="a1", activity=None, text="Tekst", source="Kilde", indicator="micro_businesses",
             unit="count", direction="up", kind="annual_minimum", params={"target": 8})
    d.update(kw)
    return d


def _catalogue_problems(tmp_path, criteria, plan=PLAN) -> list[str]:
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    (tmp_path / "criteria.yml").write_text(yaml.safe_dump({"criteria": criteria}, allow_unicode=True),
                                           encoding="utf-8")
    try:
        load_catalogue(tmp_path)
    except CatalogueError as exc:
        return exc.problems
    return []


def test_valid_catalogue_has_no_problems(tmp_path):
    assert _catalogue_problems(tmp_path, [_crit()]) == []


def test_target_otte_names_criterion_key_and_expectation(tmp_path):
    assert _catalogue_problems(tmp_path, [_crit(params={"target": "otte"})]) == [
        "criteria.yml, A-1: params.target er 'otte', men skal være et tal"]


@pytest.mark.parametrize("kind,params,expected", [
    ("growth", {"baseline_year": "2016", "rate": 0.05}, "params.baseline_year er '2016', men skal være et årstal"),
    ("growth", {"baseline_year": 1990, "rate": 0.05}, "params.baseline_year er 1990, men skal være et årstal (helt tal) "
                                                      "mellem 2014 og 2020"),
    ("growth", {"baseline_year": 2016, "rate": 0.05, "mode": "eksponentiel"},
     "params.mode er 'eksponentiel', men skal være en af 'compound', 'linear'"),
    ("minimum_share", {"target": 150}, "params.target er 150, men skal være et tal mellem 0 og 100 (procent)"),
    ("minimum_share", {"target": 65, "scope": "år"}, "params.scope er 'år', men skal være en af 'annual', 'period'"),
    ("gap_target", {"baseline_year": 2016, "baseline_gap": 7, "target_gap": 5, "yearly": "ja"},
     "params.yearly er 'ja', men skal være true eller false"),
    ("milestone", {"due": "31/12/2018"}, "params.due er '31/12/2018', men skal være en dato (ÅÅÅÅ-MM-DD)"),
    ("qualitative", {"due_year": 2030}, "params.due_year er 2030, men skal være et årstal (helt tal) mellem 2014 og 2020"),
    ("annual_minimum", {"target": True}, "params.target er True, men skal være et tal"),
    ("period_mean_max", {"measure": "gap", "max": 7.5, "min_years": 0}, "params.min_years er 0, men skal være et helt tal ≥ 1"),
    ("annual_minimum", {"target": 8, "taget": 9}, "params.taget kendes ikke for kind annual_minimum"),
    ("annual_minimum", {"target": 8, "uncertainty": "poison"}, "params.uncertainty er 'poison'"),
], ids=["year-as-text", "year-out-of-range", "mode", "share-over-100", "scope", "bool", "date", "due-year",
        "bool-as-number", "min-years", "typo-key", "uncertainty"])
def test_params_are_checked_against_their_kind(tmp_path, kind, params, expected):
    problems = _catalogue_problems(tmp_path, [_crit(kind=kind, params=params)])
    assert len(problems) == 1, problems
    assert problems[0].startswith("criteria.yml, A-1: " + expected), problems


def test_every_kind_has_a_parameter_spec_covering_its_required_parameters():
    assert set(PARAM_SPECS) == set(REQUIRED_PARAMS)
    for kind, req in REQUIRED_PARAMS.items():
        assert set(req) <= set(PARAM_SPECS[kind]), kind


def test_period_must_be_two_integer_years_within_the_plan(tmp_path):
    problems = _catalogue_problems(tmp_path, [_crit("A-1", period=["2017", 2020]), _crit("A-2", period=[2016, 2020]),
                                              _crit("A-3", period=[2017])])
    assert problems == [
        "criteria.yml, A-1: period ['2017', 2020] er ikke [første, sidste] (forventet to hele årstal, fx [2017, 2020])",
        "criteria.yml, A-2: period [2016, 2020] ligger uden for planens år 2017-2020",
        "criteria.yml, A-3: period [2017] er ikke [første, sidste] (forventet to hele årstal, fx [2017, 2020])",
    ]


def test_years_must_lie_in_the_period(tmp_path):
    assert _catalogue_problems(tmp_path, [_crit(period=[2018, 2020], years=[2017, 2020])]) == [
        "criteria.yml, A-1: years er [2017, 2020], men skal være en liste af hele årstal i perioden 2018-2020"]


def test_unit_indicator_and_indicator_args(tmp_path):
    problems = _catalogue_problems(tmp_path, [
        _crit("A-1", unit="stk"),
        _crit("A-2", indicator="findes_ikke"),
        _crit("A-3", indicator="activity_events"),
        _crit("A-4", indicator="activity_events", indicator_args={"activity": "foraeldrecafe", "aktivitet": "y"}),
    ])
    assert problems == [
        "criteria.yml, A-1: unit er 'stk', men skal være en af pct, pp, count, persons, kr, rate, index, number, text",
        "criteria.yml, A-2: indicator 'findes_ikke' er ikke registreret (kendte indikatorer står i "
        "helhedsplan_eval/analysis/indicators/, fit/ og survey/)",
        "criteria.yml, A-3: indikatoren activity_events kræver indicator_args.activity",
        "criteria.yml, A-4: indicator_args.aktivitet kendes ikke af indikatoren activity_events (kendte: activity)",
    ]


def test_alternative_reading_params_are_checked(tmp_path):
    problems = _catalogue_problems(tmp_path, [
        _crit("A-1", alternatives=[{"reading": "otte", "params": {"target": "otte"}}]),
        _crit("A-2", alternatives=[{"params": {"target": 7}}]),
    ])
    assert problems == [
        "criteria.yml, A-1: alternatives[1].params.target er 'otte', men skal være et tal",
        "criteria.yml, A-2: alternatives, element 1 skal have 'reading' (tekst) og 'params' (mapping)",
    ]


def test_structural_garbage_is_reported_not_raised(tmp_path):
    problems = _catalogue_problems(tmp_path, [
        _crit("A-1", params=["target", 8]),
        "ikke en mapping",
        _crit("A-3", farve="rød"),
        _crit("A-4", period_mean_max=None, kind="period_mean_max", params={"max": 2, "min": 1}),
    ])
    assert problems[0] == "criteria.yml: element 2 skal være en mapping (id, area, text, ...)"
    assert "criteria.yml, A-1: params skal være en mapping, fx {target: 8}" in problems
    assert "criteria.yml, A-1: kind annual_minimum kræver parameteren 'target'" in problems
    assert any(p.startswith("criteria.yml, A-3: feltet 'farve' kendes ikke") for p in problems)
    assert any(p.startswith("criteria.yml, A-4: feltet 'period_mean_max' kendes ikke") for p in problems)
    assert "criteria.yml, A-4: params har både 'max' og 'min'; angiv kun én af dem" in problems
    assert len(problems) == 6, problems


def test_plan_yml_basics(tmp_path):
    plan = {"plan": {"period": {"start": "2017", "end": 2020}, "budget": {"lbf": "mange"}},
            "areas": [{"id": "a1", "name": "Område", "budget": {"total": -5}, "activities": [{"id": "x"}]},
                      "ikke en mapping", {"name": "Uden id"}],
            "register_measures": [{"id": "m1", "unit": "stk", "direction": "op"}]}
    problems = _catalogue_problems(tmp_path, [], plan=plan)
    assert problems == [
        "plan.yml: plan.period.start er '2017', men skal være et årstal eller en dato (ÅÅÅÅ-MM-DD), fx "
        "{start: 2021, end: 2024} eller {start: 2022-02-01, end: 2026-01-31}",
        "plan.yml: plan.budget.lbf er 'mange', men skal være et tal ≥ 0 (kr.)",
        "plan.yml: areas, a1: activities, element 1 skal have 'id' og 'name' som tekst",
        "plan.yml: areas, a1: budget.total er -5, men skal være et tal ≥ 0 (kr.)",
        "plan.yml: areas, element 2 skal være en mapping (id, name, activities, ...)",
        "plan.yml: areas, element 3: 'id' mangler",
        "plan.yml: register_measures, m1: unit er 'stk', men skal være en af pct, pp, count, persons, kr, rate, index, "
        "number, text",
        "plan.yml: register_measures, m1: direction er 'op', men skal være 'up' eller 'down'",
    ]


def test_targets_command_lists_all_problems_and_exits_non_zero(tmp_path, capsys):
    from helhedsplan_eval.cli import main

    _catalogue_problems(tmp_path, [_crit("A-1", params={"target": "otte"}), _crit("A-2", unit="stk")])
    code = main(["targets", "--params", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0
    assert "A-1: params.target er 'otte', men skal være et tal" in err
    assert "A-2: unit er 'stk'" in err
    assert "TypeError" not in err and "Traceback" not in err and "ValueError" not in err


def test_project_catalogue_passes_its_own_checks():
    cat = load_catalogue()
    assert len(cat.criteria) >= 1 and all(c.kind for c in cat.criteria.values())  # loads without a problem


# ============================================================================ 6. formula injection

@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-A1+3", "@SUM(A1)",
                                   "\t=1+1", "\r=1+1"], ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_formula_like_text_is_written_as_text(tmp_path, value):
    import pandas as pd

    df = pd.DataFrame({"Id": ["A-1"], "Forklaring": [value], "Tal": [3]})
    write_csv(df, tmp_path / "t.csv")
    write_xlsx(df, tmp_path / "t.xlsx", "Ark")
    rows = csv_cells(tmp_path / "t.csv")
    assert rows[1] == ["A-1", "'" + value.replace("\r", "\n"), "3"]  # a bare CR would split the row
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    # (XML itself turns a CR into a line feed; the cell is text either way)
    assert ws["B2"].value == value.replace("\r", "\n") and ws["B2"].data_type == "s"
    assert ws["C2"].value == 3 and ws["C2"].data_type == "n"


@pytest.mark.parametrize("value,formula_like", [("-3,5 %", False), ("-12", False), ("+2,0", False), ("Opfyldt", False),
                                                ("-2,0 procentpoint", True), ("=1", True), ("", False)])
def test_numbers_written_as_text_are_not_prefixed(value, formula_like):
    assert is_formula_like(value) is formula_like


def test_xlsx_writer_sheet_name_widths_and_bold_header(tmp_path):
    import pandas as pd

    write_xlsx(pd.DataFrame({"Id": ["x"]}), tmp_path / "t.xlsx", "Mål/opfyldelse [2020]: en meget lang arkfane",
               widths={"A": 42})
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb.active
    assert ws.title == "Mål opfyldelse  2020   en meget"[:31] and len(ws.title) <= 31
    assert ws.column_dimensions["A"].width == 42 and ws["A1"].font.bold


def test_hyperlink_in_assessed_by_is_no_formula_in_the_status_files(tmp_path):
    from helhedsplan_eval.analysis.evaluate import evaluate_year, status_frame, write_status_files

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", data)
    p = data / "assessments.csv"
    text = p.read_text(encoding="utf-8")
    assert ",Sekretariatet," in text
    p.write_text(text.replace(",Sekretariatet,", ',"=HYPERLINK(""http://x"",""y"")",'), encoding="utf-8")
    res = evaluate_year(2020, data)
    assert not errors(res.bundle.issues, "assessments.csv")
    df = status_frame(res)
    assert df["Forklaring"].str.startswith('=HYPERLINK("http://x","y")').any()
    csv_path, xlsx_path = write_status_files(df, tmp_path / "out", 2020)
    cells = [c for row in csv_cells(csv_path) for c in row]
    hits = [c for c in cells if c.lstrip("'").startswith("=HYPERLINK")]
    assert hits and all(c.startswith("'=HYPERLINK") for c in hits)
    assert not any(c.startswith("=") for c in cells)
    ws = openpyxl.load_workbook(xlsx_path).active
    hl = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hl and all(c.data_type != "f" and c.data_type == "s" for c in hl)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


# ============================================================================ 7. counts for the board, no values

def test_issue_summary_of_an_unknown_bydelsmor_id_has_no_value():
    issues = load_bundle(BROKEN / "dangling_bydelsmor").issues
    assert any(i.value == "P099" for i in issues)  # the evaluator's validate output keeps the value
    s = issue_summary(issues, severity=ERROR)
    assert list(s.columns) == ["file", "column", "problem", "count"]
    assert s[s["file"] == "bydelsmoedre_visits.csv"].to_dict("records") == [{"file": "bydelsmoedre_visits.csv", "column": "bydelsmor_id",
                                     "problem": "findes ikke i bydelsmoedre.csv (kolonne 'person_id')", "count": 1}]
    assert "P099" not in s.to_csv()


def test_issue_summary_counts_per_file_column_and_problem(tmp_path):
    (tmp_path / "vandalism_bills.csv").write_text(
        "bill_id,date,amount_dkk\nB1,2018-01-05,mange\nB2,2018-01-06,få\nB3,2018-01-07,-4\nB4,2018-02-30,5\n",
        encoding="utf-8")
    _, issues = read(tmp_path / "vandalism_bills.csv", "vandalism_bills")
    s = issue_summary(issues)
    assert s.to_dict("records") == [
        {"file": "vandalism_bills.csv", "column": "amount_dkk",
         "problem": "værdien kan ikke læses som et tal (forventet et tal ≥ 0)", "count": 2},
        {"file": "vandalism_bills.csv", "column": "amount_dkk",
         "problem": "værdien ligger uden for det tilladte (forventet et tal ≥ 0)", "count": 1},
        {"file": "vandalism_bills.csv", "column": "date", "problem": "værdien er ikke en gyldig dato "
         "(forventet en dato som ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ)", "count": 1},
    ]
    text = s.to_csv()
    for v in ("mange", "få", "-4", "2018-02-30", "B1"):
        assert v not in text


def test_issue_without_category_never_shows_its_value_in_the_summary():
    from helhedsplan_eval.data.contract import Issue

    i = Issue(ERROR, "bydelsmoedre_visits", "bydelsmoedre_visits.csv", "ukendt bydelsmor_id 'BM-SECRET-77'", 4,
              "bydelsmor_id", "BM-SECRET-77")
    assert i.category is None and i.problem == "ukendt bydelsmor_id '…'"
    assert "SECRET" not in issue_summary([i]).to_csv()


def test_issue_summary_of_no_issues_is_empty_with_the_columns():
    s = issue_summary([])
    assert s.empty and list(s.columns) == ["file", "column", "problem", "count"]


def test_categories_of_reference_and_allowed_value_problems_hold_no_value():
    issues = load_bundle(BROKEN / "unknown_activity").issues + load_bundle(BROKEN / "unknown_criterion").issues
    cats = {i.problem for i in errors(issues)}
    assert "værdien er ikke tilladt (forventet en af " in next(iter(c for c in cats if c.startswith("værdien")))
    assert "kriteriet findes ikke i målkataloget; rækken er udeladt" in cats  # an assessment row is left out alone
    assert not any("yoga" in c or "TT-KOM-9" in c for c in cats)


def test_report_banner_follows_the_checked_manifest(tmp_path):
    from helhedsplan_eval.report.board import banner_html, is_synthetic

    (tmp_path / "manifest.yml").write_text("synthetic: nej\n", encoding="utf-8")
    assert is_synthetic(tmp_path) is False and banner_html(tmp_path) == ""
    (tmp_path / "manifest.yml").write_text("synthetic: true\n", encoding="utf-8")
    assert is_synthetic(tmp_path) is True and "Syntetiske data" in banner_html(tmp_path)


def test_free_text_columns_are_the_titles_and_rationales():
    from helhedsplan_eval.data.contract import free_text_columns

    got = {name: free_text_columns(src) for name, src in SOURCES.items() if free_text_columns(src)}
    assert got == {"logbook_events": ["title"], "assessments": ["assessed_by", "rationale", "evidence"]}


def test_cpr_in_a_free_text_column_is_refused_without_repeating_it(tmp_path):
    from helhedsplan_eval.data.contract import CPR_TEXT_MESSAGE

    p = tmp_path / "assessments.csv"
    p.write_text("criterion_id,date,assessment,assessed_by,rationale,evidence\n"
                 "TT-KOM-2,2017-11-28,gennemført,Sekretariatet,Interview med 14 beboere,Notat 2017-11\n"
                 "TT-FYS-2,2019-10-15,i gang,Task Force,Samtale med beboer 0203701234 om stien,\n",
                 encoding="utf-8")
    _, issues = read(p, "assessments")
    errs = errors(issues)
    assert [(i.row, i.column, i.message, i.value) for i in errs] == [(3, "rationale", CPR_TEXT_MESSAGE, None)]
    assert "0203701234" not in str(errs[0])


def test_templates_store_config_text_as_text_not_formulas(tmp_path, monkeypatch):
    from helhedsplan_eval.data import templates as templates_xlsx
    from helhedsplan_eval.data.contract_doc import survey_items

    items = survey_items()
    evil = '=HYPERLINK("http://x","y")'
    hostile = [type(it)(**{**it.__dict__, "id": evil, "text": evil}) if i == 0 else it for i, it in enumerate(items)]
    monkeypatch.setattr(templates_xlsx, "survey_items", lambda: hostile)
    templates_xlsx._write_xlsx(tmp_path / "survey_responses.xlsx", SOURCES["survey_responses"])
    wb = openpyxl.load_workbook(tmp_path / "survey_responses.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("HYPERLINK" in str(c.value) for c in cells)
    assert not any(c.data_type == "f" for c in cells)
