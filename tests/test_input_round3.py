"""Hostile input, round 3 (issue 21, issue 20's bad rows): look-alike ids, impossible spells, ambiguous numbers,
percents written as fractions, and a bad row that leaves out only itself where the rows are independent.

The sample-based cases reproduce the issue's figures: FF-BYD-3 in 2020 is 29 of 44 bydelsmødre (65,9 %) and
FF-3 counts 249 persons in 2020; each is checked again after the id has been written in a look-alike form.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

import helhedsplan_eval as he
from helhedsplan_eval.data.cell_checks import clean_text
from helhedsplan_eval.data.contract import ERROR, WARNING, load_bundle, read_source
from helhedsplan_eval.data.sources import SOURCES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


def sample_copy(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(SAMPLE, d)
    return d


def rows_of(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def warnings_in(issues, fname):
    return [i for i in issues if i.severity == WARNING and i.file == fname]


def errors_in(issues, fname):
    return [i for i in issues if i.severity == ERROR and i.file == fname]


# ============================================================================ look-alike ids

@pytest.mark.parametrize("text,clean,what", [
    ("P1\u200b", "P1", "nulbreddemellemrum (U+200B)"),
    ("\ufeffP1", "P1", "BOM (U+FEFF)"),
    ("P\u200d1", "P1", "nulbreddesammenbinder (U+200D)"),
    ("P\u00ad1", "P1", "blød bindestreg (U+00AD)"),
    ("P\u00a01", "P 1", "hårdt mellemrum (U+00A0)"),
    ("PA\u030a1", "P\u00c51", "Unicode NFC"),
])
def test_clean_text_names_what_it_changed(text, clean, what):
    out, changes = clean_text(text)
    assert out == clean
    assert any(what in c for c in changes), changes
    assert clean_text(clean) == (clean, [])  # already clean: nothing to say


def test_the_same_id_in_nfc_and_nfd_is_one_person(tmp_path):
    """P00004 written 'PÅ0004' with one letter Å everywhere, but as A + U+030A in the attendance file: FF-BYD-3 in
    2020 stays 29 of 44 = 65,909… % (before the fix the bydelsmor split in two and it fell to 28/44 = 63,6 %)."""
    d = sample_copy(tmp_path)
    nfc = "P\u00c50004"
    for f in d.glob("*.csv"):
        new = unicodedata.normalize("NFD", nfc) if f.name == "logbook_attendance.csv" else nfc
        f.write_text(re.sub(r"\bP00004\b", new, f.read_text(encoding="utf-8")), encoding="utf-8")
    bundle = load_bundle(d)
    row = he.criterion("FF-BYD-3", year=2020, data=bundle).series.loc[2020]
    assert (row["numerator"], row["denominator"]) == (29, 44)
    assert row["value"] == pytest.approx(100 * 29 / 44)
    warned = warnings_in(bundle.issues, "logbook_attendance.csv")
    assert len(warned) == 1 and warned[0].column == "person_id"
    assert "Unicode NFC" in warned[0].message and "rækkerne" in warned[0].message
    assert not warnings_in(bundle.issues, "bydelsmoedre.csv")  # NFC already: nothing changed, nothing said


def test_a_zero_width_space_in_six_of_twelve_rows_is_one_person(tmp_path):
    """P00083 has 12 attendance rows; a zero-width space after the id in every second one made two persons:
    FF-3 2020 went from 249 to 250. It stays 249, and the warning names the six rows."""
    d = sample_copy(tmp_path)
    path = d / "logbook_attendance.csv"
    rows = rows_of(path)
    hits = [i for i, r in enumerate(rows) if r[1] == "P00083"]
    assert len(hits) == 12
    changed = hits[1::2]
    for i in changed:
        rows[i][1] = "P00083\u200b"
    write_rows(path, rows)
    bundle = load_bundle(d)
    assert he.criterion("FF-3", year=2020, data=bundle).series.loc[2020, "value"] == 249
    (w,) = warnings_in(bundle.issues, "logbook_attendance.csv")
    excel_rows = [i + 1 for i in changed]  # header = row 1
    assert w.message.startswith("6 celler er rettet i rækkerne " + ", ".join(map(str, excel_rows[:-1]))
                                + f" og {excel_rows[-1]}: usynligt tegn fjernet: nulbreddemellemrum (U+200B)")
    assert str(w).startswith(f"Advarsel: logbook_attendance.csv, række {excel_rows[0]}, kolonne 'person_id'")


def test_invisible_characters_in_free_text_are_removed_without_a_warning(tmp_path):
    p = tmp_path / "logbook_events.csv"
    p.write_text("event_id,date,activity,title,resident_run,common_area,headcount\n"
                 "E1,2018-01-05,andet,Fest\u00a0i\u200bgården,ja,ja,12\n", encoding="utf-8")
    df, issues = read_source(p, SOURCES["logbook_events"])
    assert df.loc[2, "title"] == "Fest igården"
    assert not [i for i in issues if "rettet" in i.message]


# ============================================================================ impossible spells

SPELLS = [name for name, src in SOURCES.items() if src.spell is not None]


def test_every_spell_register_of_the_indicators_is_declared_as_a_spell():
    from helhedsplan_eval.analysis.indicators import SPELL_SOURCES

    for name, (starts, end) in SPELL_SOURCES.items():
        if end is not None:
            assert SOURCES[name].spell == (starts, end), name


@pytest.mark.parametrize("name", SPELLS)
def test_an_end_before_its_start_is_an_error_naming_the_row(tmp_path, name):
    d = sample_copy(tmp_path)
    src = SOURCES[name]
    starts, end = src.spell
    path = d / f"{name}.csv"
    rows = rows_of(path)
    head = rows[0]
    start_col = next(s for s in starts if rows[1][head.index(s)])
    start = dt.date.fromisoformat(rows[1][head.index(start_col)])
    stop = start - dt.timedelta(days=365)
    rows[1][head.index(end)] = stop.isoformat()
    write_rows(path, rows)
    bundle = load_bundle(d)
    errs = [i for i in errors_in(bundle.issues, path.name) if "før startdatoen" in i.message]
    assert len(errs) == 1, [str(i) for i in bundle.issues if i.file == path.name]
    assert str(errs[0]) == (f"Fejl: {name}.csv, række 2, kolonne '{end}': slutdatoen {stop.isoformat()} ('{end}') "
                            f"ligger før startdatoen {start.isoformat()} ('{start_col}'); forventet en slutdato på "
                            "eller efter startdatoen")
    assert name not in bundle.tables  # a spell register's rows are not independent: the source is left out


def test_tt_fri_1_with_an_impossible_spell_awaits_data_instead_of_falling_by_one(tmp_path):
    d = sample_copy(tmp_path)
    with open(d / "volunteers.csv", "a", encoding="utf-8") as fh:
        fh.write("V9999,2019-03-01,2018-03-01\n")
    k = he.criterion("TT-FRI-1", year=2020, data=load_bundle(d))
    assert k.evaluation.status == "Afventer data"


# ============================================================================ ambiguous numbers

def test_a_thousands_comma_in_a_decimal_point_file_is_warned_with_both_readings(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text('bill_id,date,amount_dkk\nB1,2018-01-05,1234.50\nB2,2018-01-06,"3,641"\nB3,2018-01-07,200\n',
                 encoding="utf-8")
    df, issues = read_source(p, SOURCES["vandalism_bills"])
    assert df.loc[3, "amount_dkk"] == pytest.approx(3.641)  # the documented reading is kept ...
    (w,) = [i for i in issues if i.severity == WARNING]
    assert str(w) == ("Advarsel: vandalism_bills.csv, række 3, kolonne 'amount_dkk': værdien '3,641' kan læses som "
                      "3,641 (komma som decimaltegn) eller som 3641 (punktum som decimaltegn); filen bruger ellers "
                      "punktum som decimaltegn (fx '1234.50' i række 2, kolonne 'amount_dkk'). Den er læst som 3,641 "
                      "i række 3; kontrollér tallet")  # ... and both readings are named


def test_a_thousands_point_in_a_semicolon_file_with_decimal_points_is_warned(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text("bill_id;date;amount_dkk\nB1;2018-01-05;12.50\nB2;2018-01-06;3.641\nB3;2018-01-07;3.641\n",
                 encoding="utf-8")
    df, issues = read_source(p, SOURCES["vandalism_bills"])
    assert df.loc[3, "amount_dkk"] == 3641
    (w,) = [i for i in issues if i.severity == WARNING]
    assert "kan læses som 3641 (komma som decimaltegn) eller som 3,641 (punktum som decimaltegn)" in w.message
    assert "i rækkerne 3 og 4" in w.message


@pytest.mark.parametrize("body", [
    'B1,2018-01-05,"12,50"\nB2,2018-01-06,"3,641"\n',  # the file itself uses a decimal comma
    'B1,2018-01-05,200\nB2,2018-01-06,"3,641"\n',  # no other evidence either way
    'B1,2018-01-05,1234.50\nB2,2018-01-06,3641\n',  # nothing ambiguous
])
def test_no_warning_where_the_file_does_not_contradict_the_reading(tmp_path, body):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text("bill_id,date,amount_dkk\n" + body, encoding="utf-8")
    _, issues = read_source(p, SOURCES["vandalism_bills"])
    assert not issues


# ============================================================================ percents given as fractions

PERCENT_COLUMNS = [(name, c.name) for name, src in SOURCES.items() for c in src.columns if c.unit == "%"]


def test_the_contract_declares_percent_columns():
    assert ("police_safety", "share_safe_pct") in PERCENT_COLUMNS and len(PERCENT_COLUMNS) >= 3


@pytest.mark.parametrize("name,col", PERCENT_COLUMNS)
def test_a_fraction_among_percents_is_an_error_naming_the_row(tmp_path, name, col):
    d = sample_copy(tmp_path)
    path = d / f"{name}.csv"
    rows = rows_of(path)
    j = rows[0].index(col)
    value = float(rows[3][j])
    rows[3][j] = f"{value / 100:.4g}"
    write_rows(path, rows)
    bundle = load_bundle(d)
    errs = errors_in(bundle.issues, path.name)
    assert [(i.row, i.column) for i in errs] == [(4, col)]
    assert "ligner en andel (0-1) og ikke procent" in errs[0].message
    assert errs[0].message.endswith("rækken er udeladt, resten af filen bruges")
    assert len(bundle.tables[name]) == len(rows) - 2  # the other rows are used


def test_the_fraction_message_has_hand_computed_figures(tmp_path):
    p = tmp_path / "police_safety.csv"
    p.write_text("year,population,share_safe_pct\n2017,område,78.1\n2018,område,0.799\n2019,område,81.2\n"
                 "2017,politikreds,0.9\n2018,politikreds,0.8\n", encoding="utf-8")
    _, issues = read_source(p, SOURCES["police_safety"])
    (e,) = issues  # the police district's series is all fractions: nothing to compare it with
    assert e.row == 3
    assert e.message == ("værdien 0,799 ligner en andel (0-1) og ikke procent: de øvrige værdier i samme serie "
                         "ligger mellem 78,1 og 81,2; skriv procent (fx 79,9 for 0,799)")


def test_tt_4_keeps_its_status_when_one_year_is_a_fraction(tmp_path):
    """The issue's case: 0.799 for 79,9 in 2019 turned TT-4 from 'Opfyldt, 7,0 procentpoint' into 'Ikke opfyldt,
    33,3 procentpoint' ((8,0 + 6,7 + (86,1 - 0,799)) / 3). Now that row is an error and left out, so 2019 is missing:
    the mean gap of 2017-2018 is (85,0 - 77,0 + 85,3 - 78,6) / 2 = 7,35, shown as 7,4, within the 7,5 target."""
    d = sample_copy(tmp_path)
    path = d / "police_safety.csv"
    before = he.criterion("TT-4", year=2020, data=load_bundle(SAMPLE)).evaluation
    assert before.status == "Opfyldt" and "for 2017–2019 er 7,0\u00a0procentpoint" in before.explanation
    rows = rows_of(path)
    j = rows[0].index("share_safe_pct")
    (last,) = [i for i, r in enumerate(rows) if r[:2] == ["2019", "område"]]
    assert rows[last][j] == "79.9"
    rows[last][j] = "0.799"
    write_rows(path, rows)
    after = he.criterion("TT-4", year=2020, data=load_bundle(d)).evaluation
    assert after.status == "Opfyldt" and "for 2017–2018 er 7,4\u00a0procentpoint" in after.explanation


# ============================================================================ a bad row leaves out only itself

def test_an_unknown_criterion_leaves_out_its_row_and_the_assessments_are_used(tmp_path):
    d = sample_copy(tmp_path)
    with open(d / "assessments.csv", "a", encoding="utf-8") as fh:
        fh.write("TT-KOM-9,2019-05-01,opfyldt,Sekretariatet,Ukendt kriterium,\n")
    bundle = load_bundle(d)
    n = len(rows_of(SAMPLE / "assessments.csv")) - 1
    (e,) = errors_in(bundle.issues, "assessments.csv")
    assert e.message == ("kriteriet 'TT-KOM-9' findes ikke i målkataloget; rækken er udeladt, resten af filen "
                         "bruges")
    assert e.row == n + 2
    assert len(bundle.tables["assessments"]) == n
    base = load_bundle(SAMPLE)
    for cid in SOURCES["assessments"].feeds:
        assert (he.criterion(cid, year=2020, data=bundle).evaluation.status
                == he.criterion(cid, year=2020, data=base).evaluation.status != "Afventer data")


def test_a_row_error_in_a_record_source_still_leaves_out_the_source(tmp_path):
    """Records are not independent: leaving out one attendance row would lower a count without a word."""
    d = sample_copy(tmp_path)
    with open(d / "inspector_complaints.csv", "a", encoding="utf-8") as fh:
        fh.write("K9999,2019-05-01,larm,ja\n")
    bundle = load_bundle(d)
    assert "inspector_complaints" not in bundle.tables
    assert not any("rækken er udeladt" in i.message for i in bundle.issues)


def test_a_register_row_with_an_error_leaves_out_that_row_only(tmp_path):
    p = tmp_path / "register_measures.csv"
    rows = rows_of(SAMPLE / "register_measures.csv")
    rows[2][rows[0].index("value_pct")] = "mange"
    write_rows(p, rows)
    d = tmp_path
    bundle = load_bundle(d)
    (e,) = errors_in(bundle.issues, "register_measures.csv")
    assert e.row == 3 and e.message.endswith("; rækken er udeladt, resten af filen bruges")
    assert len(bundle.tables["register_measures"]) == len(rows) - 2


# ============================================================================ YAML: no anchors or aliases

from helhedsplan_eval.yaml_io import ALIAS_PROBLEM, YamlAliasError, safe_load  # noqa: E402

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def test_the_loader_refuses_an_alias_bomb_at_its_first_anchor_without_expanding_it():
    with pytest.raises(YamlAliasError) as exc:
        safe_load("coverage:\n  ok: 1\n" + BOMB, "manifest.yml")
    assert str(exc.value) == f"manifest.yml, linje 3: {ALIAS_PROBLEM}"
    assert safe_load("a: [1, 2]\nb: {c: d}\n") == {"a": [1, 2], "b": {"c": "d"}}


def test_a_manifest_alias_bomb_gives_one_short_message_naming_file_and_line(tmp_path):
    (tmp_path / "manifest.yml").write_text("synthetic: true\ncoverage:\n  x: 1\n" + BOMB, encoding="utf-8")
    from helhedsplan_eval.data.contract import read_manifest

    manifest, issues = read_manifest(tmp_path)
    assert manifest == {}
    (i,) = issues
    assert str(i) == f"Fejl: manifest.yml: linje 4: {ALIAS_PROBLEM}"


@pytest.fixture
def params_copy(tmp_path):
    d = tmp_path / "params"
    shutil.copytree(ROOT / "params", d)
    return d


def _with_anchor(path: Path) -> int:
    """Append a top-level key with an anchor and one with its alias; the anchor's line number."""
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    line = text.count("\n") + 1
    path.write_text(text + "x_anker: &a 1\nx_alias: *a\n", encoding="utf-8")
    return line


@pytest.mark.parametrize("fname", ["plan.yml", "criteria.yml", "survey.yml", "2020.yml"])
def test_every_yaml_the_user_writes_refuses_aliases_naming_file_and_line(params_copy, fname):
    from helhedsplan_eval.analysis.survey.config import load_config
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.run.notebook_list import load_notebooks
    from helhedsplan_eval.run.params import load_params

    line = _with_anchor(params_copy / fname)
    loaders = {"plan.yml": [lambda: load_catalogue(params_copy), lambda: load_notebooks(params_copy)],
               "criteria.yml": [lambda: load_catalogue(params_copy)],
               "survey.yml": [lambda: load_config(params_copy / "survey.yml")],
               "2020.yml": [lambda: load_params(2020, params_dir=params_copy)]}[fname]
    for load in loaders:
        with pytest.raises(Exception) as exc:
            load()
        msg = str(exc.value)
        assert f"{fname}, linje {line}: {ALIAS_PROBLEM}" in msg, msg
        assert len(msg) < 400


def test_a_huge_bad_value_is_never_repeated_whole(tmp_path):
    (tmp_path / "manifest.yml").write_text("synthetic: '" + "x" * 100_000 + "'\n", encoding="utf-8")
    from helhedsplan_eval.data.contract import read_manifest

    (i,) = read_manifest(tmp_path)[1]
    assert len(i.message) < 300 and "xxx...xxx" in i.message
    (tmp_path / "vandalism_bills.csv").write_text("bill_id,date,amount_dkk\nB1,2018-01-05," + "9x" * 50_000 + "\n",
                                                  encoding="utf-8")
    (e,) = read_source(tmp_path / "vandalism_bills.csv", SOURCES["vandalism_bills"])[1]
    assert len(e.message) < 300 and "… (100.000 tegn)" in e.message


# ============================================================================ CSV: a negative number in text

@pytest.mark.parametrize("value,written", [
    ("-0,6 til 6,6", "\u22120,6 til 6,6"),
    ("-2,4 til -0,1", "\u22122,4 til \u22120,1"),
    ("-2+3", "\u22122+3"),  # a typographic minus is no operator: text, not a formula
    ("-3,5", "-3,5"),  # a plain number stays a number
    ("-A1+3", "'-A1+3"),  # formula injection keeps its guard ...
    ("=1+1", "'=1+1"), ("+A1", "'+A1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\n=1"),
])
def test_a_text_cell_starting_with_a_negative_number_gets_a_typographic_minus(tmp_path, value, written):
    import csv as csv_mod

    import openpyxl
    import pandas as pd

    from helhedsplan_eval.report.safe_io import write_csv, write_xlsx

    df = pd.DataFrame({"Usikkerhed (95 %)": [value]})
    write_csv(df, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as fh:
        assert list(csv_mod.reader(fh, delimiter=";"))[1] == [written]
    write_xlsx(df, tmp_path / "t.xlsx", "Ark")
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx").active["A2"]
    assert cell.data_type == "s"  # the workbook stores text as text: no guard needed there


# ============================================================================ smaller: sep=, FIFO, sheets, padding, hidden rows

def test_excels_sep_line_is_used_and_skipped_with_a_note(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text("sep=,\nbill_id,date,amount_dkk\nB1,2018-01-05,100.5\nB2,2018-01-06,x\n", encoding="utf-8")
    df, issues = read_source(p, SOURCES["vandalism_bills"])
    assert list(df["amount_dkk"])[:1] == [100.5]
    assert [str(i) for i in issues] == [
        "Advarsel: vandalism_bills.csv: første linje 'sep=,' er Excels angivelse af skilletegnet; den er brugt og "
        "ikke læst som data (rækkenumrene er Excels, hvor linjen ikke vises)",
        "Fejl: vandalism_bills.csv, række 3, kolonne 'amount_dkk': værdien 'x' kan ikke læses som et tal "
        "(forventet et tal ≥ 0)"]  # Excel hides the sep line: the header is its row 1


def test_a_semicolon_sep_line_with_a_decimal_comma(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text('"sep=;"\nbill_id;date;amount_dkk\nB1;05-01-2018;1.234,50\n', encoding="utf-8")
    df, issues = read_source(p, SOURCES["vandalism_bills"])
    assert list(df["amount_dkk"]) == [1234.5] and [i.severity for i in issues] == [WARNING]


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_folder_or_fifo_named_like_a_source_is_named_for_what_it_is(tmp_path, kind):
    import os

    target = tmp_path / "vandalism_bills.csv"
    if kind == "folder":
        target.mkdir()
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this OS")
        os.mkfifo(target)
    bundle = load_bundle(tmp_path)
    (e,) = [i for i in bundle.issues if i.source == "vandalism_bills"]
    what = "en mappe" if kind == "folder" else "en navngivet pipe (FIFO)"
    assert str(e) == (f"Fejl: vandalism_bills.csv: vandalism_bills.csv er {what}, ikke en datafil; læg kildens "
                      "data i en almindelig fil vandalism_bills.csv eller vandalism_bills.xlsx")


def test_data_on_the_second_sheet_says_only_the_first_is_read(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Forside"
    wb.active["A1"] = "Hærværk 2018"
    ws = wb.create_sheet("Data")
    ws.append(["bill_id", "date", "amount_dkk"])
    ws.append(["B1", "2018-01-05", 100])
    wb.save(tmp_path / "vandalism_bills.xlsx")
    _, issues = read_source(tmp_path / "vandalism_bills.xlsx", SOURCES["vandalism_bills"])
    errs = [i for i in issues if i.severity == ERROR]
    assert len(errs) == 3
    assert errs[0].message == ("kolonnen 'bill_id' mangler (forventede kolonner: bill_id, date, amount_dkk); kun det "
                               "første regneark ('Forside') læses, og filen har også arket 'Data': læg data i det "
                               "første ark")


def test_an_export_padded_to_16384_columns_gives_one_warning(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    pad = 16384 - 3
    named = ",".join(f"Kolonne{j}" for j in range(4, 4 + 20))
    p.write_text("bill_id,date,amount_dkk," + named + "," * (pad - 20) + "\n"
                 + "B1,2018-01-05,100" + "," * pad + "\n", encoding="utf-8")
    df, issues = read_source(p, SOURCES["vandalism_bills"])
    assert list(df.columns) == ["bill_id", "date", "amount_dkk"]
    assert [str(i) for i in issues] == [
        "Advarsel: vandalism_bills.csv, række 1: 20 ukendte kolonner ignoreres: 'Kolonne4', 'Kolonne5', 'Kolonne6', "
        "'Kolonne7', 'Kolonne8' og 15 flere"]


def test_hidden_xlsx_rows_are_read_and_named(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["bill_id", "date", "amount_dkk"])
    for n in range(1, 6):
        ws.append([f"B{n}", "2018-01-05", 100 * n])
    ws.row_dimensions[3].hidden = True
    ws.row_dimensions[5].hidden = True
    wb.save(tmp_path / "vandalism_bills.xlsx")
    df, issues = read_source(tmp_path / "vandalism_bills.xlsx", SOURCES["vandalism_bills"])
    assert len(df) == 5
    assert [str(i) for i in issues] == ["Advarsel: vandalism_bills.xlsx, række 3: Rækkerne 3 og 5 er skjult i Excel, "
                                        "men læses som data; vis dem og kontrollér dem, eller slet dem"]


# ============================================================================ messages

@pytest.mark.parametrize("header,meant", [("Dato", "date"), ("DATE", "date"), ("Beløb", "amount_dkk"),
                                          ("amount dkk", "amount_dkk"), ("bill-id", "bill_id")])
def test_a_misnamed_column_gives_one_message_with_mente_du(tmp_path, header, meant):
    cols = ["bill_id", "date", "amount_dkk"]
    p = tmp_path / "vandalism_bills.csv"
    p.write_text(",".join(header if c == meant else c for c in cols) + "\nB1,2018-01-05,100\n", encoding="utf-8")
    _, issues = read_source(p, SOURCES["vandalism_bills"])
    assert [str(i) for i in issues] == [
        f"Fejl: vandalism_bills.csv, række 1, kolonne '{meant}': kolonnen '{meant}' mangler; filen har kolonnen "
        f"'{header}' – mente du '{meant}'? Omdøb overskriften"]


def test_an_optional_column_misnamed_is_a_warning_with_mente_du(tmp_path):
    p = tmp_path / "logbook_events.csv"
    p.write_text("event_id,date,activity,Titel,resident_run,common_area,headcount\n"
                 "E1,2018-01-05,andet,Fest,ja,ja,12\n", encoding="utf-8")
    _, issues = read_source(p, SOURCES["logbook_events"])
    assert [str(i) for i in issues] == [
        "Advarsel: logbook_events.csv, række 1, kolonne 'Titel': ukendt kolonne 'Titel' ignoreres; mente du 'title'?"]


def test_the_date_message_has_one_clean_phrase(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text("bill_id,date,amount_dkk\nB1,i går,100\n", encoding="utf-8")
    (e,) = read_source(p, SOURCES["vandalism_bills"])[1]
    assert e.message == ("værdien 'i går' kan ikke læses som en dato (forventet en dato som ÅÅÅÅ-MM-DD eller "
                         "DD-MM-ÅÅÅÅ)")


@pytest.mark.parametrize("warns,word", [(0, "0 advarsler"), (1, "1 advarsel"), (2, "2 advarsler")])
def test_validate_counts_warnings_in_danish(warns, word):
    from helhedsplan_eval.data.contract import Issue, format_report

    issues = [Issue(WARNING, "x", "x.csv", "besked") for _ in range(warns)]
    assert format_report(issues, "d").splitlines()[0] == f"Validering af d: 0 fejl, {word}."


def test_validate_names_the_sources_it_left_out_of_the_covered_years(tmp_path, capsys):
    from helhedsplan_eval.cli import main

    d = sample_copy(tmp_path)
    with open(d / "volunteers.csv", "a", encoding="utf-8") as fh:
        fh.write("V9999,2019-03-01,2018-03-01\n")
    with open(d / "assessments.csv", "a", encoding="utf-8") as fh:
        fh.write("TT-KOM-9,2019-05-01,opfyldt,Sekretariatet,x,\n")
    (d / "leisure_jobs.csv").unlink()
    assert main(["validate", str(d)]) == 1
    out = capsys.readouterr().out
    tail = out.split("Kilder uden dækkede år eller med udeladte rækker:\n", 1)[1].splitlines()
    assert tail[:3] == [
        "  volunteers: udeladt, fordi filen har 1 fejl (se ovenfor); dens kriterier afventer data",
        "  assessments: 1 række med fejl er udeladt (se ovenfor); resten bruges",
        "  leisure_jobs: ingen fil; dens kriterier afventer data"]


def test_the_boards_problem_count_says_the_row_was_left_out(tmp_path):
    from helhedsplan_eval.data.contract import issue_summary

    d = sample_copy(tmp_path)
    with open(d / "assessments.csv", "a", encoding="utf-8") as fh:
        fh.write("TT-KOM-9,2019-05-01,opfyldt,Sekretariatet,x,\n")
    s = issue_summary(load_bundle(d).issues, severity=ERROR)
    assert s.to_dict("records") == [{"file": "assessments.csv", "column": "criterion_id",
                                     "problem": "kriteriet findes ikke i målkataloget; rækken er udeladt",
                                     "count": 1}]


def test_a_no_break_space_in_a_danish_number_is_read_without_a_warning(tmp_path):
    p = tmp_path / "vandalism_bills.csv"
    p.write_text("bill_id;date;amount_dkk\nB1;05-01-2018;1\u00a0234,50\n", encoding="utf-8")
    df, issues = read_source(p, SOURCES["vandalism_bills"])
    assert list(df["amount_dkk"]) == [1234.5] and not issues


def test_the_package_reads_yaml_only_through_the_safe_loader():
    pattern = re.compile(r"yaml\.(safe_load|load|full_load|unsafe_load|load_all|safe_load_all)\(")
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "helhedsplan_eval").rglob("*.py"))
            if p.name != "yaml_io.py"
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not hits, hits


def test_a_reference_with_an_invisible_character_still_finds_its_row(tmp_path):
    (tmp_path / "logbook_events.csv").write_text(
        "event_id,date,activity,title,resident_run,common_area,headcount\nE1,2018-01-05,andet,Fest,ja,ja,12\n",
        encoding="utf-8")
    (tmp_path / "logbook_attendance.csv").write_text(
        "event_id,person_id,role,household_id\nE1\u200b,P1,deltager,\nE1,P2,deltager,\n", encoding="utf-8")
    bundle = load_bundle(tmp_path)
    assert not errors_in(bundle.issues, "logbook_attendance.csv")
    assert list(bundle.tables["logbook_attendance"]["event_id"]) == ["E1", "E1"]
    (w,) = warnings_in(bundle.issues, "logbook_attendance.csv")
    assert (w.row, w.column) == (2, "event_id") and "nulbreddemellemrum" in w.message
