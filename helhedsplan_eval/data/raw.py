"""Reading a data file as text cells, before any type is known.

* Files: ``<source>.csv`` or ``<source>.xlsx``. Size bounds are checked before a file is parsed (a 1,8 MB .xlsx can
  expand to 400 MB), and a file that is not what its name says (UTF-16 text, an old .xls, a zip that is no workbook)
  is refused with a Danish reason (:class:`ReadProblem`).
* CSV in both common shapes: comma separator with decimal point, and the Danish Excel export (semicolon separator,
  decimal comma, thousands point), encoded UTF-8 with or without BOM, or Windows-1252. ``.xlsx``: the first sheet.
* Every row keeps the row number a person sees in Excel, so that a problem can be reported as *file, row, column*.
* Also read, with a note (:attr:`RawTable.notes`, shown as warnings): Excel's ``sep=,`` first line (it names the
  separator and is skipped; Excel does not show it, so row numbers stay Excel's), hidden rows of an ``.xlsx``
  (read as data, named). Columns without a name and without data (an export padded to 16 384 columns) are dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import warnings
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pandas as pd

# Size bounds, checked before a file is parsed (a 1,8 MB .xlsx can expand to 400 MB).
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024  # sum of the uncompressed sizes in the zip directory
MAX_FILE_BYTES = 100 * 1024 * 1024  # a .csv (or .xlsx) file on disk


class ReadProblem(ValueError):
    """A file that cannot be read as data; the message is the Danish reason shown to the user,
    ``category`` the same without row numbers or sizes (default: the message up to its first ';')."""

    def __init__(self, message: str, category: str | None = None):
        super().__init__(message)
        self.category = category or message.split(";")[0]


_SAVE_AS = "gem filen som «CSV UTF-8 (kommasepareret)» eller som «CSV (semikolonsepareret)» fra dansk Excel"


def _looks_utf16(raw: bytes) -> str | None:
    """'LE' or 'BE' when the bytes look like UTF-16 text (BOM, or NUL bytes in every other position)."""
    if raw.startswith(b"\xff\xfe"):
        return "LE"
    if raw.startswith(b"\xfe\xff"):
        return "BE"
    head = raw[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "LE"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "BE"
    return None


def _decode(raw: bytes) -> tuple[str, str]:
    """Decode a CSV file: UTF-8 (with or without BOM) or Windows-1252; anything else is a ReadProblem."""
    bo = _looks_utf16(raw)
    if bo:
        raise ReadProblem(f"filen er gemt som UTF-16 ({bo}, «Unicode-tekst»), som ikke kan læses; {_SAVE_AS}")
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise ReadProblem("filen begynder som UTF-8, men indeholder ugyldige tegn; " + _SAVE_AS) from None
    if b"\x00" in raw[:65536]:
        raise ReadProblem("filen indeholder binære data og er ikke en CSV-tekstfil; " + _SAVE_AS)
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ReadProblem("filen kan hverken læses som UTF-8 eller Windows-1252 og er sandsynligvis ikke en "
                          "CSV-tekstfil; " + _SAVE_AS) from None


@dataclass
class RawTable:
    frame: pd.DataFrame  # all cells as str ('' = empty); index = row number in the file
    shape: str  # 'csv-komma', 'csv-semikolon', 'xlsx'
    encoding: str | None = None
    problems: list = None  # (row, message) for rows that could not be split into the header's fields
    header_row: int = 1  # the row number of the header (1 unless blank rows precede it)
    notes: list = None  # (row or None, message): read, but the evaluator should know (shown as warnings)
    sheets: list = None  # an .xlsx's sheet names, the one read first


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def check_size(path: Path) -> None:
    """Refuse a file too large to read safely, before it is parsed (raises :class:`ReadProblem`)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadProblem(f"filen fylder {_mb(size)}, mere end grænsen på {_mb(MAX_FILE_BYTES)}; del den op "
                          "eller kontrollér, at det er den rigtige fil",
                          category=f"filen er større end grænsen på {_mb(MAX_FILE_BYTES)}")
    if path.suffix.lower() != ".xlsx":
        return
    import zipfile

    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadProblem("filen er i det gamle Excel-format (.xls) eller er beskyttet med adgangskode; gem den "
                          "som «Excel-projektmappe (.xlsx)» uden adgangskode eller som CSV")
    if not zipfile.is_zipfile(path):
        if head[:1] in (b"\xff", b"\xfe") or (head and all(32 <= b < 127 or b in (9, 10, 13) for b in head)):
            raise ReadProblem("filen er ikke en Excel-fil, men ser ud til at være tekst (CSV) med endelsen .xlsx; "
                              "omdøb den til .csv eller gem den som «Excel-projektmappe (.xlsx)»")
        raise ReadProblem("filen er ikke en gyldig Excel-fil (.xlsx); gem den som «Excel-projektmappe (.xlsx)» "
                          "eller som CSV")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ReadProblem("filen er ikke en gyldig Excel-fil (.xlsx); den er beskadiget eller ufuldstændig") from None
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise ReadProblem(f"Excel-filen fylder {_mb(total)} udpakket, mere end grænsen på "
                          f"{_mb(XLSX_MAX_UNCOMPRESSED)}; gem dataarket alene som .xlsx eller CSV",
                          category=f"Excel-filen er udpakket større end grænsen på {_mb(XLSX_MAX_UNCOMPRESSED)}")
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise ReadProblem("filen er en zip-fil, men ikke en Excel-projektmappe (.xlsx)")


def _read_xlsx(path: Path) -> RawTable:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise ReadProblem(f"Excel-filen kan ikke åbnes ({type(exc).__name__}); gem den igen som "
                              "«Excel-projektmappe (.xlsx)» eller som CSV") from None
        try:
            if not wb.worksheets:
                raise ReadProblem("Excel-filen har intet regneark")
            ws = wb.worksheets[0]
            sheets = list(wb.sheetnames)
            hidden = _hidden_rows(ws)
            ws.reset_dimensions()
            header: list[str] | None = None
            header_row = 1
            rows, index, problems = [], [], []
            for rownum, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_xlsx_cell(v) for v in values]
                if not any(cells):
                    continue  # blank row: skipped, later rows keep their Excel row numbers
                if header is None:
                    while cells and cells[-1] == "":
                        cells.pop()
                    header = [c if c else f"Unnamed: {j}" for j, c in enumerate(cells)]
                    header_row = rownum
                    continue
                if len(cells) > len(header):
                    if any(cells[len(header):]):
                        n = len(cells) - next(k for k, c in enumerate(reversed(cells)) if c)
                        problems.append((rownum, f"rækken har {n} udfyldte felter, men overskriften har "
                                                 f"{len(header)}"))
                        continue
                    cells = cells[:len(header)]
                cells += [""] * (len(header) - len(cells))
                rows.append(cells)
                index.append(rownum)
        finally:
            wb.close()
    df = _drop_empty_unnamed(pd.DataFrame(rows, columns=header or [], index=index, dtype=object))
    shown = [r for r in hidden if r in set(index)]
    notes = [(shown[0], f"{_rows(shown)} er skjult i Excel, men læses som data; vis dem og kontrollér dem, eller "
                        "slet dem")] if shown else []
    return RawTable(df, "xlsx", problems=problems, header_row=header_row, notes=notes, sheets=sheets)


def _rows(rows: list[int]) -> str:
    from helhedsplan_eval.data.issues import row_list

    text = row_list(rows)
    return text[0].upper() + text[1:]


def _hidden_rows(ws) -> list[int]:
    """The row numbers an .xlsx sheet marks hidden (read from the sheet's XML; [] when it cannot be read)."""
    from xml.etree.ElementTree import iterparse

    out = []
    try:
        with ws._get_source() as src:  # the read-only sheet's XML stream
            for _, el in iterparse(src):
                if el.tag.rsplit("}", 1)[-1] == "row":
                    if el.get("hidden") in ("1", "true") and el.get("r"):
                        out.append(int(el.get("r")))
                    el.clear()
    except Exception:  # a hint only: never a reason not to read the sheet
        return []
    return out


def _drop_empty_unnamed(df: pd.DataFrame) -> pd.DataFrame:
    """Without the columns that have neither a name nor data."""
    unnamed = [str(c).startswith("Unnamed: ") for c in df.columns]
    if not any(unnamed):
        return df
    filled = (df.to_numpy(dtype=object) != "").any(axis=0) if len(df) else [False] * df.shape[1]
    keep = [j for j, (u, f) in enumerate(zip(unnamed, filled)) if not u or f]
    return df if len(keep) == df.shape[1] else df.iloc[:, keep]


_SEP_LINE = re.compile(r'^"?sep=(.)"?[,;]*\s*$', re.IGNORECASE)


def read_raw(path: Path) -> RawTable:
    """Read a file as text cells, index = the row number a person sees in Excel (header = row 1).

    A CSV record that spans several physical lines (a quoted cell with a line break) is one row in
    Excel and counts as one row here; a blank line is a (skipped) row of its own."""
    check_size(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    text, enc = _decode(path.read_bytes())
    notes, sep = [], None
    head, _, rest = text.partition("\n")
    m = _SEP_LINE.match(head.strip())
    if m:
        sep, text = m.group(1), rest
        notes.append((None, f"første linje '{head.strip()}' er Excels angivelse af skilletegnet; den er brugt og "
                            "ikke læst som data (rækkenumrene er Excels, hvor linjen ikke vises)"))
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    sep = sep or (";" if first.count(";") > first.count(",") else ",")
    reader = csv.reader(StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    header_row = 1
    rows, index, problems = [], [], []
    rownum = 0
    try:
        for rec in reader:
            rownum += 1  # the Excel row: one per record, however many lines it spans
            blank = not rec or all(not str(c).strip() for c in rec)
            if header is None:
                if blank:
                    continue
                header = [str(c).strip() or f"Unnamed: {j}" for j, c in enumerate(rec)]
                header_row = rownum
                continue
            if blank:
                continue  # blank line: skipped, but later rows keep their true row numbers
            if len(rec) != len(header):
                problems.append((rownum, f"rækken har {len(rec)} felter, men overskriften har {len(header)}"))
                continue
            rows.append([str(c).strip() for c in rec])
            index.append(rownum)
    except csv.Error as exc:
        raise ReadProblem(f"CSV-filen kan ikke opdeles i felter i række {rownum + 1} ({exc}); kontrollér "
                          "anførselstegn i cellerne", category="CSV-filen kan ikke opdeles i felter") from None
    df = _drop_empty_unnamed(pd.DataFrame(rows, columns=header or [], index=index, dtype=object))
    return RawTable(df, "csv-semikolon" if sep == ";" else "csv-komma", enc, problems, header_row, notes)


def _xlsx_cell(x):
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    if isinstance(x, (dt.datetime, pd.Timestamp)):
        return x.strftime("%Y-%m-%d")
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    if isinstance(x, bool):
        return "ja" if x else "nej"
    return str(x).strip()
