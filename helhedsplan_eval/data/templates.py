"""Empty, correctly headed data templates for every source of the data contract.

``write_templates(out_dir)`` writes, for every source in :mod:`.sources`:

* ``out_dir/csv/<source>.csv``: the header row only, semicolon-separated, UTF-8 with BOM (the shape
  Danish Excel opens and saves as "CSV UTF-8"; the validator also reads the comma shape);
* ``out_dir/xlsx/<source>.xlsx``: a first sheet ``data`` with the column names (bold, frozen
  header row, column widths, drop-down lists for coded columns) and a second sheet
  ``Vejledning`` explaining each column (name, type, required, allowed values / range, unit,
  meaning) and which criteria the file feeds.

The two shapes go into separate folders because a data folder may hold only one file per source;
either folder can be copied as the start of a data folder. Used by ``helhedsplan-eval templates DIR``.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from helhedsplan_eval.data.contract_doc import (TYPE_DA, allowed_text, criteria_texts, meaning_text, required_text,
                                                survey_items, survey_scale)
from helhedsplan_eval.data.sources import SOURCES, Source

DATA_SHEET = "data"
GUIDE_SHEET = "Vejledning"
GUIDE_HEADERS = ("Kolonne", "Type", "Påkrævet", "Tilladte værdier / interval", "Enhed", "Betydning")
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_MAX_VALIDATION_ROWS = 5000


def template_columns(src: Source) -> list[str]:
    """The header of a source's template: the contract's columns (+ the survey items for survey_responses)."""
    cols = [c.name for c in src.columns]
    if src.name == "survey_responses":
        cols += [it.id for it in survey_items()]
    return cols


def _guide_rows(src: Source) -> list[tuple[str, ...]]:
    rows = []
    for c in src.columns:
        type_da = TYPE_DA[c.type] + (" (ÅÅÅÅ-MM-DD)" if c.type == "date" else "")
        rows.append((c.name, type_da, required_text(c, "da"), allowed_text(c, "da") or "–", c.unit or "–",
                     meaning_text(c, "da")))
    if src.name == "survey_responses":
        lo, hi, dk = survey_scale()
        for it in survey_items():
            rows.append((it.id, TYPE_DA["int"], "nej (cellen må være tom = ikke besvaret)",
                         f"{lo} til {hi}; {dk} = ved ikke", "–",
                         f"Udsagn: {it.text}" + (" (negativt formuleret)" if it.reverse else "")))
    return rows


def _write_csv(path: Path, columns: list[str]) -> None:
    path.write_bytes((";".join(columns) + "\r\n").encode("utf-8-sig"))


def _list_formula(values) -> str | None:
    """An Excel list-validation formula, or None when a value cannot be expressed in one (commas, quotes)."""
    vals = [str(v) for v in values]
    if any("," in v or '"' in v for v in vals):
        return None
    formula = '"' + ",".join(vals) + '"'
    return formula if len(formula) <= 255 else None


def _write_xlsx(path: Path, src: Source) -> None:
    wb = Workbook()
    _data_sheet(wb.active, src)
    _guide_sheet(wb.create_sheet(GUIDE_SHEET), src)
    _text_never_formula(wb)
    wb.save(path)


def _data_sheet(ws, src: Source) -> None:
    """The empty data sheet: bold, frozen header row, column widths, drop-down lists for coded columns."""
    ws.title = DATA_SHEET
    columns = template_columns(src)
    ws.append(columns)
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        ws.column_dimensions[get_column_letter(j)].width = max(14, len(name) + 4)
    ws.freeze_panes = "A2"
    # drop-down lists for coded columns (validations create no cells, so the sheet stays empty)
    for j, name in enumerate(columns, start=1):
        if name not in {c.name for c in src.columns}:
            continue
        col = src.col(name)
        values = col.allowed if col.allowed is not None else (("ja", "nej") if col.type == "bool" else None)
        formula = _list_formula(values) if values is not None else None
        if formula is None:
            continue
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorTitle="Ugyldig værdi", error=f"Vælg en af: {', '.join(map(str, values))}")
        letter = get_column_letter(j)
        dv.add(f"{letter}2:{letter}{_MAX_VALIDATION_ROWS}")
        ws.add_data_validation(dv)


def _guide_sheet(g, src: Source) -> None:
    """The guide: what the file is, its key and references, one row per column, and the criteria it feeds."""
    g.append([f"{src.title} ({src.name})"])
    g["A1"].font = Font(bold=True, size=13)
    g.append([src.description])
    g.append([f"Fil: {src.name}.csv eller {src.name}.xlsx (kun én af dem). Række 1 er kolonnenavnene; skriv dem "
              "præcis som her. Datoer skrives ÅÅÅÅ-MM-DD; ja/nej-kolonner ja eller nej; tomme celler betyder "
              "'ikke registreret', aldrig 0."])
    g.append(["Påkrævet kilde: ja (uden den kan data ikke bruges)" if src.required else
              "Påkrævet kilde: nej (uden den afventer kriterierne data)"])
    g.append([("Aggregerede tal (som kilden offentliggør dem)" if src.aggregate else
               "Registreringer: én række pr. hændelse/person")])
    if src.key:
        g.append([f"Nøgle (må kun forekomme én gang): {', '.join(src.key)}"])
    for col, other, other_col in src.references:
        g.append([f"Henvisning: hver værdi i '{col}' skal findes i {other}.{other_col}"])
    if any(c.pseudonym for c in src.columns):
        g.append(["Id'er er pseudonymer: samme person har samme id i alle filer og år; aldrig navne eller "
                  "CPR-numre."])
    g.append([])
    header_row = g.max_row + 1
    g.append(list(GUIDE_HEADERS))
    for cell in g[header_row]:
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
    for r in _guide_rows(src):
        g.append(list(r))
    g.append([])
    feeds_row = g.max_row + 1
    g.append(["Filen indgår i succeskriterierne:" if src.feeds else
              "Filen indgår ikke direkte i et succeskriterium (bruges til budgetoversigten)."])
    g.cell(row=feeds_row, column=1).font = _BOLD
    for cid, text in criteria_texts(src.feeds):
        g.append([cid, text])
    for letter, width in zip("ABCDEF", (26, 14, 30, 40, 10, 80)):
        g.column_dimensions[letter].width = width
    for row in g.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _text_never_formula(wb) -> None:
    """Text taken from configuration (e.g. survey item labels) is stored as text, never as a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"


def write_templates(out_dir) -> list[Path]:
    """Write the CSV and xlsx template of every source; returns the files written."""
    out = Path(out_dir)
    (out / "csv").mkdir(parents=True, exist_ok=True)
    (out / "xlsx").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    from helhedsplan_eval.data.contract import with_plan_measures

    for src in map(with_plan_measures, SOURCES.values()):
        csv_path = out / "csv" / f"{src.name}.csv"
        _write_csv(csv_path, template_columns(src))
        xlsx_path = out / "xlsx" / f"{src.name}.xlsx"
        _write_xlsx(xlsx_path, src)
        written += [csv_path, xlsx_path]
    return written


__all__ = ["write_templates", "template_columns", "DATA_SHEET", "GUIDE_SHEET", "GUIDE_HEADERS"]
