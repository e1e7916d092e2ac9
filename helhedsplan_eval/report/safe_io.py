"""Writing tables for spreadsheet programs without formula injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel and LibreOffice when a CSV file is opened, and openpyxl itself stores a Python
string starting with ``=`` as a formula. Text from the data (e.g. an ``assessed_by`` of
``=HYPERLINK("http://x","y")``) must never become a live formula in a file the board opens, so:

* :func:`write_csv` (semicolon, UTF-8 with BOM: opens directly in Danish Excel) prefixes such
  cells with a single quote ``'`` (the OWASP recommendation). Plain numbers written as text
  (``-3,5`` or ``-3,5 %``) are left alone: a spreadsheet reads them as numbers, never as formulas.
  Text that starts with a negative number (``-0,6 til 6,6``, an interval) gets the typographic minus
  U+2212 for its negative numbers instead: correct Danish typography, read as text, and no stray quote
  in the cell the board reads.
  A carriage return inside a cell is written as a line feed (so the cell is quoted and stays one cell).
* :func:`write_xlsx` writes every text cell with the cell type *string*, so nothing is a formula.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)*(?:\s?%)?$")
_SIGN_MINUS = re.compile(r"(?<![\w.,-])-(?=\d)")  # a hyphen-minus that is a number's sign
MINUS = "\u2212"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(value) -> bool:
    """True for text a spreadsheet could take as a formula (numbers written as text are not)."""
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _PLAIN_NUMBER.match(value))


def neutralise(value):
    """The CSV form of one cell: text starting with a negative number gets typographic minus signs, other
    formula-like text a leading single quote; a carriage return
    becomes a line feed (pandas would not quote a cell with a bare CR, which splits the row)."""
    if not isinstance(value, str):
        return value
    if is_formula_like(value) and _SIGN_MINUS.match(value):
        value = _SIGN_MINUS.sub(MINUS, value)  # '-0,6 til -0,1' -> '−0,6 til −0,1': text, not a formula
    out = "'" + value if is_formula_like(value) else value
    return out.replace("\r\n", "\n").replace("\r", "\n")


def _neutral_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in df.columns]
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(neutralise)
    return out


def write_csv(df: pd.DataFrame, path) -> Path:
    """Write ``df`` as semicolon-separated UTF-8 with BOM, no index; formula-like text is neutralised."""
    path = Path(path)
    _neutral_frame(df).to_csv(path, index=False, sep=";", encoding="utf-8-sig", lineterminator="\n")
    return path


def _sheet_title(name: str) -> str:
    t = _SHEET_FORBIDDEN.sub(" ", str(name)).strip("'") or "Ark1"
    return t[:31]


def _cell_value(v):
    if v is None:
        return None
    if isinstance(v, float) and pd.isna(v):
        return None
    if v is pd.NaT:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        try:
            return v.item()
        except (ValueError, AttributeError):
            pass
    return v


def set_text_safe(cell, value) -> None:
    """Assign ``value`` to an openpyxl cell; a string is always stored as text, never as a formula. A carriage
    return becomes a line feed, as in the CSV (whether XML keeps a CR depends on openpyxl's XML library)."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_xlsx(df: pd.DataFrame, path, sheet_name: str, widths: dict | None = None) -> Path:
    """Write ``df`` to one sheet (bold header, no index). Every text cell is stored as a string
    (never a formula). ``widths`` maps column letters (``"A"``) to widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(sheet_name)
    bold = Font(bold=True)
    for j, name in enumerate(df.columns, start=1):
        cell = ws.cell(row=1, column=j)
        set_text_safe(cell, str(name))
        cell.font = bold
    for i, rec in enumerate(df.itertuples(index=False, name=None), start=2):
        for j, v in enumerate(rec, start=1):
            set_text_safe(ws.cell(row=i, column=j), _cell_value(v))
    for col, w in (widths or {}).items():
        ws.column_dimensions[col].width = w
    wb.save(path)
    return path


__all__ = ["write_csv", "write_xlsx", "is_formula_like", "neutralise", "set_text_safe", "FORMULA_PREFIXES"]
