"""The data templates (helhedsplan_eval.data.templates): every template loads through the validator
with only the header-only warning, and a filled-in row validates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from helhedsplan_eval.data.contract import ERROR, read_source
from helhedsplan_eval.data.sources import SOURCES, Col
from helhedsplan_eval.data.templates import GUIDE_HEADERS, GUIDE_SHEET, template_columns, write_templates


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    written = write_templates(out)
    assert len(written) == 2 * len(SOURCES)
    assert all(p.exists() for p in written)
    return out


def test_one_csv_and_one_xlsx_per_source_in_separate_folders(templates):
    assert sorted(p.stem for p in (templates / "csv").glob("*.csv")) == sorted(SOURCES)
    assert sorted(p.stem for p in (templates / "xlsx").glob("*.xlsx")) == sorted(SOURCES)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_template_loads_with_only_the_header_only_warning(templates, name, kind):
    df, issues = read_source(templates / kind / f"{name}.{kind}", SOURCES[name])
    assert [i.message for i in issues] == ["filen har kun overskrifter og ingen rækker"]
    assert df is not None and len(df) == 0
    assert [c.name for c in SOURCES[name].columns] == list(df.columns)[: len(SOURCES[name].columns)]


def test_csv_template_is_the_danish_excel_shape(templates):
    raw = (templates / "csv" / "vandalism_bills.csv").read_bytes()
    assert raw == b"\xef\xbb\xbfbill_id;date;amount_dkk\r\n"


def test_survey_template_carries_the_item_columns_from_params():
    cols = template_columns(SOURCES["survey_responses"])
    assert cols[:6] == ["respondent_id", "wave", "department", "age_group", "gender", "mode"]
    assert cols[6:] == [f"q{i:02d}" for i in range(1, 9)]  # q01-q08 in params/survey.yml


def test_xlsx_layout_and_guide_sheet(templates):
    wb = openpyxl.load_workbook(templates / "xlsx" / "logbook_events.xlsx")
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == [c.name for c in SOURCES["logbook_events"].columns]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert all(ws.column_dimensions[chr(ord("A") + j)].width >= len(h) for j, h in enumerate(header))
    assert ws.max_row == 1
    # a drop-down for the activity code
    assert any("foraeldrecafe" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)

    g = wb[GUIDE_SHEET]
    assert wb.sheetnames[1] == GUIDE_SHEET
    rows = [[c for c in r] for r in g.iter_rows(values_only=True)]
    h = next(i for i, r in enumerate(rows) if tuple(r[:6]) == GUIDE_HEADERS)
    by_col = {r[0]: r for r in rows[h + 1:] if r[0] in header}
    assert set(by_col) == set(header)
    assert by_col["headcount"][1] == "heltal" and by_col["headcount"][3] == "≥ 0" and by_col["headcount"][4] == "personer"
    # the guide's "Betydning" column is Danish (issue 21)
    assert by_col["headcount"][5] == "Antal deltagere talt ved arrangementet (også ikke-registrerede)."
    assert by_col["date"][3] == "2014-01-01 til 2020-12-31"
    assert by_col["title"][2].startswith("nej")
    assert by_col["event_id"][2] == "ja"
    assert "foraeldrecafe" in by_col["activity"][3]
    assert by_col["resident_run"][3] == "ja, nej"
    fed = {r[0] for r in rows if r[0]}
    assert set(SOURCES["logbook_events"].feeds) <= fed


def test_guide_marks_pseudonyms(templates):
    g = openpyxl.load_workbook(templates / "xlsx" / "logbook_attendance.xlsx")[GUIDE_SHEET]
    person = next(r for r in g.iter_rows(values_only=True) if r[0] == "person_id")
    assert "Pseudonym" in person[5] and "CPR" in person[5]


# ----------------------------------------------------------------------------- a filled row validates

def _example(col: Col, for_csv: bool):
    """A valid cell for ``col``, chosen by hand from its declared type and range."""
    if col.allowed is not None:
        return col.allowed[0]
    if col.type == "str":
        return "X1"
    if col.type == "bool":
        return "ja"
    if col.type == "date":
        return "2018-06-15" if for_csv else dt.date(2018, 6, 15)
    if col.type == "int":
        return int(max(col.min or 0, 2017 if col.name == "year" else 0))
    if col.type == "float":
        return "2,5" if for_csv else 2.5  # decimal comma in the semicolon CSV shape
    raise AssertionError(col.type)


def _expected(col: Col, v):
    if col.type == "float":
        return 2.5
    if col.type == "date":
        return dt.date(2018, 6, 15)
    if col.type == "bool":
        return True
    return v


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_filled_template_row_validates(templates, tmp_path, name):
    src = SOURCES[name]
    cols = template_columns(src)
    extra = [c for c in cols if c not in {c.name for c in src.columns}]
    # CSV: append one row to the template, keeping its shape
    csv_path = tmp_path / f"{name}.csv"
    cells = [str(_example(src.col(c), True)) for c in cols if c not in extra] + ["4"] * len(extra)
    csv_path.write_bytes((templates / "csv" / f"{name}.csv").read_bytes() + (";".join(cells) + "\r\n").encode("utf-8"))
    df, issues = read_source(csv_path, src)
    assert issues == [], [str(i) for i in issues]
    for c in src.columns:
        assert df[c.name].iloc[0] == _expected(c, _example(c, True)), c.name
    # xlsx: fill the first sheet of the template
    wb = openpyxl.load_workbook(templates / "xlsx" / f"{name}.xlsx")
    wb.worksheets[0].append([_example(src.col(c), False) for c in cols if c not in extra] + [4] * len(extra))
    x_path = tmp_path / f"{name}.xlsx"
    wb.save(x_path)
    df, issues = read_source(x_path, src)
    assert issues == [], [str(i) for i in issues]
    for c in src.columns:
        assert df[c.name].iloc[0] == _expected(c, _example(c, False)), c.name


def test_a_bad_row_in_a_filled_template_is_reported(templates, tmp_path):
    wb = openpyxl.load_workbook(templates / "xlsx" / "vandalism_bills.xlsx")
    wb.worksheets[0].append(["B1", dt.date(2018, 1, 1), -10])
    wb.save(tmp_path / "vandalism_bills.xlsx")
    _, issues = read_source(tmp_path / "vandalism_bills.xlsx", SOURCES["vandalism_bills"])
    errs = [i for i in issues if i.severity == ERROR]
    assert [(i.row, i.column, i.value) for i in errs] == [(2, "amount_dkk", "-10")]
