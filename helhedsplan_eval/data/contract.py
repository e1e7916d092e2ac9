"""Reading and validating the data folder.

* Files: ``<source>.csv`` or ``<source>.xlsx`` in the data folder (see :mod:`.sources`).
* CSV in both common shapes: comma separator with decimal point, and the Danish Excel export
  (semicolon separator, decimal comma, thousands point), encoded UTF-8 with or without BOM, or
  Windows-1252. ``.xlsx``: the first sheet.
* Every cell is converted by its declared type, with the file's row number kept, so that a bad
  cell is reported as *file, row, column, value, what was expected*. Ranges, allowed values,
  missing cells and unique keys are then checked with **pandera** (declarative schemas built
  from :mod:`.sources`; ``lazy=True`` collects every failure at once, with the row index).
  References between files, duplicate rows, unknown columns and years without records are
  checked here.
* All problems are reported at once; errors stop a run, warnings do not and are shown in the
  reports next to the criteria they affect. Messages are in Danish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.data.sources import FIRST_YEAR, LAST_YEAR, SOURCES, Col, Source

ERROR = "fejl"
WARNING = "advarsel"

# Size bounds, checked before a file is parsed (a 1,8 MB .xlsx can expand to 400 MB).
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024  # sum of the uncompressed sizes in the zip directory
MAX_FILE_BYTES = 100 * 1024 * 1024  # a .csv (or .xlsx) file on disk

# A value shaped like a Danish CPR number (ddmmåå-xxxx, with or without the hyphen), also inside an id.
CPR_PATTERN = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
# ... and a CPR number of day 01-09 that a spreadsheet stored as a number, losing its leading zero
_CPR_NO_ZERO = re.compile(r"[1-9](0[1-9]|1[0-2])\d{6}")


def looks_like_cpr(value: str | None) -> bool:
    """True for a value shaped like a Danish CPR number (also inside a longer id, or as a
    9-digit number whose leading zero a spreadsheet dropped)."""
    v = (value or "").strip()
    return bool(CPR_PATTERN.search(v) or _CPR_NO_ZERO.fullmatch(v))
CPR_MESSAGE = ("værdien ligner et CPR-nummer (ddmmåå-xxxx); der må kun bruges pseudonyme id'er (fx P00017), "
               "aldrig CPR-numre")
CPR_TEXT_MESSAGE = ("teksten indeholder noget, der ligner et CPR-nummer (ddmmåå-xxxx); fritekst må ikke indeholde "
                    "CPR-numre, navne eller andre oplysninger om personer")


def free_text_columns(src: Source) -> list[str]:
    """Text columns that are neither ids, keys, references nor coded values (titles, rationales...)."""
    refs = {r[0] for r in src.references}
    return [c.name for c in src.columns if c.type == "str" and not c.pseudonym and c.allowed is None
            and c.name not in src.key and c.name not in refs]


@dataclass
class Issue:
    severity: str
    source: str
    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    category: str | None = None  # the problem without any cell value (for counts shown to the board)

    @property
    def problem(self) -> str:
        """The problem without the cell value: ``category`` when set, else the message with the value
        (and anything quoted) blanked out."""
        if self.category:
            return self.category
        msg = str(self.message)
        if self.value not in (None, ""):
            msg = msg.replace(str(self.value), "…")
        return re.sub(r"'[^']*'", "'…'", msg) if self.value not in (None, "") else msg

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", række {self.row}"
        if self.column:
            label = "nøgle" if self.file.endswith((".yml", ".yaml")) else "kolonne"
            where += f", {label} '{self.column}'"
        return f"{self.severity.capitalize()}: {where}: {self.message}"

    def as_dict(self) -> dict:
        return {"alvor": self.severity, "kilde": self.source, "fil": self.file, "række": self.row,
                "kolonne": self.column, "værdi": self.value, "besked": self.message}


def issue_summary(issues, severity: str | None = None) -> pd.DataFrame:
    """Counts of problems per file, column and problem, without any cell value or row number.

    For the board's data-quality tables: values (which may be pseudonymous ids) stay in the
    ``validate`` output for the evaluator. ``severity`` (``ERROR``/``WARNING``) filters."""
    counts: dict[tuple[str, str, str], int] = {}
    for i in issues:
        if severity is not None and i.severity != severity:
            continue
        key = (i.file, i.column or "", i.problem)
        counts[key] = counts.get(key, 0) + 1
    rows = [{"file": f, "column": c, "problem": p, "count": n} for (f, c, p), n in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["file", "column", "problem", "count"])


class DataValidationError(Exception):
    """Raised by :func:`load_bundle` with ``strict=True`` when the data folder has errors."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        errs = [i for i in issues if i.severity == ERROR]
        super().__init__(f"{len(errs)} fejl i data:\n" + "\n".join(str(i) for i in errs))


# ----------------------------------------------------------------------------- raw reading

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
    df = pd.DataFrame(rows, columns=header or [], index=index, dtype=object)
    return RawTable(df, "xlsx", problems=problems, header_row=header_row)


def read_raw(path: Path) -> RawTable:
    """Read a file as text cells, index = the row number a person sees in Excel (header = row 1).

    A CSV record that spans several physical lines (a quoted cell with a line break) is one row in
    Excel and counts as one row here; a blank line is a (skipped) row of its own."""
    check_size(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    text, enc = _decode(path.read_bytes())
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    sep = ";" if first.count(";") > first.count(",") else ","
    import csv
    from io import StringIO

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
                header = [str(c).strip() for c in rec]
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
    df = pd.DataFrame(rows, columns=header or [], index=index, dtype=object)
    return RawTable(df, "csv-semikolon" if sep == ";" else "csv-komma", enc, problems, header_row)


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


# ----------------------------------------------------------------------------- cell conversion

_TRUE = {"ja", "j", "true", "sand", "1", "yes", "y", "x"}
_FALSE = {"nej", "n", "false", "falsk", "0", "no"}
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})$"), ("d", "m", "y")),
)


def _to_number(s: str, decimal_comma: bool) -> float:
    t = s.replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", t) or "." not in t:
            t = t.replace(".", "").replace(",", ".")
        elif "," in t:
            raise ValueError
    elif "," in t and "." not in t and re.fullmatch(r"-?\d+,\d+", t):
        t = t.replace(",", ".")  # a lone decimal comma in an otherwise comma-free cell
    v = float(t)
    if not math.isfinite(v):
        raise ValueError
    return v


def convert_cell(s: str, col: Col, decimal_comma: bool):
    """Convert one text cell; raises ValueError with a Danish reason."""
    if s == "" or s is None:
        return None
    if col.type == "str":
        return s
    if col.type in ("int", "float"):
        try:
            v = _to_number(s, decimal_comma)
        except ValueError:
            raise ValueError(f"kan ikke læses som {'et helt tal' if col.type == 'int' else 'et tal'}") from None
        if col.type == "int":
            if not float(v).is_integer():
                raise ValueError("skal være et helt tal")
            return int(v)
        return v
    if col.type == "bool":
        low = s.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError("skal være ja eller nej")
    if col.type == "date":
        for pat, order in _DATE_PATTERNS:
            m = pat.match(s)
            if m:
                parts = dict(zip(order, (int(g) for g in m.groups()[:3])))
                try:
                    return dt.date(parts["y"], parts["m"], parts["d"])
                except ValueError:
                    raise ValueError("er ikke en gyldig dato") from None
        raise ValueError("kan ikke læses som en dato (ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ)")
    raise ValueError(f"ukendt type {col.type}")


# ----------------------------------------------------------------------------- schema (pandera)

def _pandera_schema(src: Source, present: list[str]):
    import pandera.pandas as pa

    cols = {}
    for c in src.columns:
        if c.name not in present:
            continue
        checks = []
        if c.allowed is not None:
            allowed = list(c.allowed)
            checks.append(pa.Check.isin(allowed, error=f"allowed:{c.name}"))
        if c.min is not None:
            checks.append(pa.Check.ge(c.min, error=f"min:{c.name}"))
        if c.max is not None:
            checks.append(pa.Check.le(c.max, error=f"max:{c.name}"))
        if c.type == "date":
            checks.append(pa.Check(lambda s: s.map(lambda d: FIRST_YEAR <= d.year <= LAST_YEAR),
                                   element_wise=False, error=f"daterange:{c.name}"))
        cols[c.name] = pa.Column(object, checks=checks, nullable=c.nullable, required=False, coerce=False)
    key = [k for k in src.key if k in present]
    return pa.DataFrameSchema(cols, unique=key if len(key) == len(src.key) and key else None, strict=False)


def _schema_issues(src: Source, df: pd.DataFrame, fname: str) -> list[Issue]:
    import pandera.errors as pe

    issues: list[Issue] = []
    schema = _pandera_schema(src, list(df.columns))
    try:
        schema.validate(df, lazy=True)
        return issues
    except pe.SchemaErrors as exc:
        fc = exc.failure_cases
    seen_unique_rows: set = set()
    for rec in fc.to_dict("records"):
        check = str(rec.get("check"))
        col = rec.get("column")
        idx = rec.get("index")
        val = rec.get("failure_case")
        row = int(idx) if idx is not None and not pd.isna(idx) else None
        if check.startswith("allowed:"):
            c = src.col(col)
            issues.append(Issue(ERROR, src.name, fname, f"værdien '{val}' er ikke tilladt (forventet {c.expected()})",
                                row, col, str(val), category=f"værdien er ikke tilladt (forventet {c.expected()})"))
        elif check.startswith(("min:", "max:")):
            c = src.col(col)
            issues.append(Issue(ERROR, src.name, fname, f"værdien '{_show(val)}' ligger uden for det tilladte "
                                f"(forventet {c.expected()})", row, col, _show(val),
                                category=f"værdien ligger uden for det tilladte (forventet {c.expected()})"))
        elif check.startswith("daterange:"):
            issues.append(Issue(ERROR, src.name, fname, f"datoen {val} ligger uden for programmets år "
                                f"(forventet {FIRST_YEAR}-{LAST_YEAR})", row, col, str(val),
                                category=f"datoen ligger uden for programmets år "
                                         f"(forventet {FIRST_YEAR}-{LAST_YEAR})"))
        elif "not_nullable" in check or check == "not_nullable":
            issues.append(Issue(ERROR, src.name, fname, "cellen er tom, men skal udfyldes", row, col, ""))
        elif "unique" in check or "duplicates" in check:
            if row in seen_unique_rows:
                continue
            seen_unique_rows.add(row)
            keytxt = ", ".join(src.key)
            issues.append(Issue(ERROR, src.name, fname, f"nøglen ({keytxt}) findes mere end én gang", row,
                                ", ".join(src.key), str(val)))
        else:
            issues.append(Issue(ERROR, src.name, fname, f"kontrol '{check}' fejlede for værdien '{val}'", row, col,
                                str(val), category=f"kontrol '{check}' fejlede"))
    return issues


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ----------------------------------------------------------------------------- one source

def find_file(data_dir: Path, src: Source) -> tuple[Path | None, list[Issue]]:
    hits = sorted(p for p in data_dir.iterdir() if p.is_file() and p.stem.lower() == src.name
                  and p.suffix.lower() in (".csv", ".xlsx"))
    if len(hits) > 1:
        return None, [Issue(ERROR, src.name, ", ".join(p.name for p in hits),
                            "kilden findes i flere filer; behold kun én (.csv eller .xlsx)")]
    return (hits[0] if hits else None), []


def with_dynamic_columns(src: Source) -> Source:
    """Columns declared outside sources.py: the survey's item columns come from params/survey.yml
    (codes scale min..max and the 'ved ikke' code; empty = not answered)."""
    if src.name != "survey_responses":
        return src
    try:
        from dataclasses import replace

        from helhedsplan_eval.analysis.survey import load_config

        cfg = load_config()
        sc = cfg.raw["scale"]
        codes = tuple(range(int(sc["min"]), int(sc["max"]) + 1)) + (int(sc["dont_know"]),)
        extra = tuple(Col(name, "int", str(item.get("text", name)), required=True, nullable=True, allowed=codes)
                      for name, item in cfg.raw["items"].items())
    except Exception:  # no usable survey.yml: the survey module reports it when it analyses the data
        return src
    return replace(src, columns=src.columns + extra)


def read_source(path: Path, src: Source) -> tuple[pd.DataFrame | None, list[Issue]]:
    """Read and validate one file. Returns the typed frame (index = file row) and its issues."""
    src = with_dynamic_columns(src)
    fname = path.name
    issues: list[Issue] = []
    try:
        if path.stat().st_size == 0:
            return None, [Issue(ERROR, src.name, fname, "filen er tom (ingen overskriftsrække)")]
        raw = read_raw(path)
    except ReadProblem as exc:
        return None, [Issue(ERROR, src.name, fname, str(exc), category=exc.category)]
    except Exception as exc:  # unreadable file: report, never crash
        return None, [Issue(ERROR, src.name, fname, f"filen kan ikke læses ({type(exc).__name__}: {exc})",
                            category="filen kan ikke læses")]
    df = raw.frame
    hrow = raw.header_row
    decimal_comma = raw.shape == "csv-semikolon"
    for row, msg in raw.problems or []:
        issues.append(Issue(ERROR, src.name, fname, msg + "; rækken er ikke læst", row,
                            category="rækken har et andet antal felter end overskriften; rækken er ikke læst"))
    names = [c.name for c in src.columns]
    missing = [c.name for c in src.columns if c.required and c.name not in df.columns]
    for m in missing:
        issues.append(Issue(ERROR, src.name, fname, f"kolonnen '{m}' mangler (forventede kolonner: {', '.join(names)})",
                            hrow, m, category="kolonnen mangler"))
    dupcols = [c for c in df.columns if list(df.columns).count(c) > 1]
    for c in sorted(set(dupcols)):
        issues.append(Issue(ERROR, src.name, fname, f"kolonnen '{c}' står der flere gange", hrow, c,
                            category="kolonnen står der flere gange"))
    if not src.extra_columns_allowed:
        for c in df.columns:
            if c not in names and not c.startswith("Unnamed"):
                issues.append(Issue(WARNING, src.name, fname, f"ukendt kolonne '{c}' ignoreres", hrow, c,
                                    category="ukendt kolonne ignoreres"))
    # CPR-shaped ids are refused wherever they are, also in a file with other errors; the value is never repeated
    cpr_cells = set()
    for cols, msg in ((src.id_columns, CPR_MESSAGE), (free_text_columns(src), CPR_TEXT_MESSAGE)):
        for c in cols:
            if list(df.columns).count(c) != 1:
                continue
            for row, cell in df[c].items():
                if looks_like_cpr(cell):
                    cpr_cells.add((row, c))
                    issues.append(Issue(ERROR, src.name, fname, msg, int(row), c, None))
    if missing or dupcols:
        return None, issues
    if len(df) == 0:
        issues.append(Issue(WARNING, src.name, fname, "filen har kun overskrifter og ingen rækker"))
    typed = pd.DataFrame(index=df.index)
    for c in src.columns:
        if c.name not in df.columns:
            typed[c.name] = pd.Series([None] * len(df), index=df.index, dtype=object)
            continue
        vals = []
        for row, cell in df[c.name].items():
            if (row, c.name) in cpr_cells:  # reported above; never repeated in a later message
                vals.append(None)
                continue
            try:
                vals.append(convert_cell(cell, c, decimal_comma))
            except ValueError as exc:
                issues.append(Issue(ERROR, src.name, fname, f"værdien '{cell}' {exc} (forventet {c.expected()})",
                                    int(row), c.name, cell, category=f"værdien {exc} (forventet {c.expected()})"))
                vals.append(None)
        typed[c.name] = pd.Series(vals, index=df.index, dtype=object)
    if src.extra_columns_allowed:
        for c in df.columns:
            if c not in names:
                typed[c] = df[c]
    bad_cells = {(i.row, i.column) for i in issues if i.severity == ERROR and i.row is not None}
    check_df = typed[[c.name for c in src.columns if c.name in df.columns]]
    issues += [i for i in _schema_issues(src, check_df, fname) if (i.row, i.column) not in bad_cells]
    # whole-row duplicates (in addition to duplicate keys)
    dup = df.duplicated(keep="first")
    for row in df.index[dup]:
        issues.append(Issue(ERROR, src.name, fname, "rækken er en dublet af en tidligere række", int(row)))
    return typed, issues


def _cross_checks(tables: dict[str, pd.DataFrame], files: dict[str, Path], catalogue_ids, prior=()) -> list[Issue]:
    issues: list[Issue] = []
    for name, df in tables.items():
        src = SOURCES[name]
        for col, other, other_col in src.references:
            if other not in tables:
                issues.append(Issue(WARNING, name, files[name].name, f"henvisningen til {other} kan ikke kontrolleres, "
                                    f"fordi {other} mangler", None, col))
                continue
            known = set(tables[other][other_col].dropna())
            for row, v in df[col].items():
                if v is not None and v not in known:
                    issues.append(Issue(ERROR, name, files[name].name, f"'{v}' findes ikke i {files[other].name} "
                                        f"(kolonne '{other_col}')", int(row), col, str(v),
                                        category=f"findes ikke i {files[other].name} (kolonne '{other_col}')"))
        if name == "assessments" and catalogue_ids is not None:
            for row, v in df["criterion_id"].items():
                if v is not None and v not in catalogue_ids:
                    issues.append(Issue(ERROR, name, files[name].name, f"kriteriet '{v}' findes ikke i målkataloget",
                                        int(row), "criterion_id", str(v),
                                        category="kriteriet findes ikke i målkataloget"))
        if name == "fit_administrations":
            bad = {i.row for i in prior if i.source == name and i.severity == ERROR and i.column in
                   ("item1", "item2", "item3", "item4", "total")}
            for row, r in df.iterrows():
                if row in bad:
                    continue
                items = [r.get(f"item{i}") for i in range(1, 5)]
                if r.get("total") is None and any(x is None for x in items):
                    issues.append(Issue(ERROR, name, files[name].name, "hverken total eller alle fire items er udfyldt",
                                        int(row), "total"))
                elif r.get("total") is not None and all(x is not None for x in items):
                    s = sum(items)
                    if abs(s - r["total"]) > 0.05:
                        issues.append(Issue(ERROR, name, files[name].name,
                                            f"total {r['total']:g} passer ikke med summen af items ({s:g})",
                                            int(row), "total", str(r["total"]),
                                            category="total passer ikke med summen af items"))
        # years without records (a warning: missing years are never zeros)
        yrs = _years_of(src, df)
        # --- helper E (issue 10): a spell register (start + optional end) covers the years a spell is active in
        from helhedsplan_eval.analysis.indicators import SPELL_SOURCES, spell_counts

        if name in SPELL_SOURCES and len(df):
            yrs = set(spell_counts(df, name, max(src.record_years or (LAST_YEAR,))))
        # --- end helper E
        if yrs is not None and len(df):
            for y in src.record_years:
                if y not in yrs:
                    issues.append(Issue(WARNING, name, files[name].name, f"ingen registreringer for {y}"))
    return issues


def _years_of(src: Source, df: pd.DataFrame):
    if src.year_column and src.year_column in df:
        return set(int(v) for v in df[src.year_column].dropna())
    if src.date_column and src.date_column in df:
        return set(d.year for d in df[src.date_column].dropna())
    return None


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


MANIFEST_KEYS = {
    "synthetic": "true eller false (syntetiske data eller ej)",
    "coverage": "en mapping fra kildenavn til en liste af år",
    "description": "en tekst",
    "seed": "et helt tal",
}


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def read_manifest(data_dir) -> tuple[dict, list[Issue]]:
    """Read and check ``manifest.yml`` of a data folder. Returns the valid entries (an invalid entry
    is left out) and every problem, naming the key and what was expected."""
    mf = Path(data_dir) / "manifest.yml"
    fname = "manifest.yml"
    if not mf.exists():
        return {}, []

    def err(key, msg, category=None):
        return Issue(ERROR, "manifest", fname, msg, None, key, None, category=category)

    try:
        raw = mf.read_bytes()
        if len(raw) > 1024 * 1024:
            return {}, [err(None, f"filen fylder {_mb(len(raw))}; en manifest.yml er højst 1 MB")]
        doc = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return {}, [err(None, "filen kan ikke læses som UTF-8-tekst")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (linje {mark.line + 1})" if mark is not None else ""
        return {}, [err(None, f"filen er ikke gyldig YAML{where}; forventet fx 'synthetic: false' og "
                              "'coverage: {kilde: [2017, 2018]}'",
                        category="filen er ikke gyldig YAML")]
    if doc is None:
        return {}, []
    if not isinstance(doc, dict):
        return {}, [err(None, f"filen skal være en YAML-mapping med nøglerne {', '.join(MANIFEST_KEYS)}, "
                              f"men er en {type(doc).__name__}", category="filen er ikke en YAML-mapping")]
    issues: list[Issue] = []
    out: dict = {}
    for key, val in doc.items():
        if key not in MANIFEST_KEYS:
            issues.append(err(str(key), f"ukendt nøgle '{key}' (kendte nøgler: {', '.join(MANIFEST_KEYS)})",
                              category="ukendt nøgle"))
            continue
        if key == "synthetic":
            if isinstance(val, bool):
                out[key] = val
            else:
                issues.append(err(key, f"'synthetic' er {val!r}, men skal være true eller false (uden anførselstegn)",
                                  category="'synthetic' skal være true eller false"))
        elif key == "description":
            if isinstance(val, str):
                out[key] = val
            else:
                issues.append(err(key, "'description' skal være en tekst"))
        elif key == "seed":
            if _is_int(val):
                out[key] = val
            else:
                issues.append(err(key, f"'seed' er {val!r}, men skal være et helt tal",
                                  category="'seed' skal være et helt tal"))
        elif key == "coverage":
            if val is None:
                continue
            if not isinstance(val, dict):
                issues.append(err(key, "'coverage' skal være en mapping fra kildenavn til en liste af år, fx "
                                       "'coverage: {logbook_events: [2017, 2018, 2019]}'",
                                  category="'coverage' skal være en mapping"))
                continue
            cov = {}
            for src_name, years in val.items():
                k = f"coverage.{src_name}"
                if src_name not in SOURCES:
                    issues.append(err(k, f"'{src_name}' er ikke en kilde i datakontrakten (se data/README.md)",
                                      category="ukendt kilde i 'coverage'"))
                    continue
                if not isinstance(years, list):
                    issues.append(err(k, f"dækningen af {src_name} skal være en liste af år, fx [2017, 2018]",
                                      category="dækningen skal være en liste af år"))
                    continue
                bad = [y for y in years if not _is_int(y) or not FIRST_YEAR <= y <= LAST_YEAR]
                if bad:
                    issues.append(err(k, f"dækningen af {src_name} indeholder {', '.join(repr(b) for b in bad)}; "
                                         f"forventet hele årstal mellem {FIRST_YEAR} og {LAST_YEAR}",
                                      category=f"dækningen skal være hele årstal mellem {FIRST_YEAR} og "
                                               f"{LAST_YEAR}"))
                    continue
                cov[src_name] = sorted(set(years))
            out[key] = cov
    return out, issues


def load_bundle(data_dir: str | Path, strict: bool = False, catalogue_ids=None) -> DataBundle:
    """Read every source in ``data_dir``. Sources with errors are left out (their criteria await
    data) unless ``strict`` is set, in which case :class:`DataValidationError` is raised."""
    from helhedsplan_eval.paths import resolve_path

    d = resolve_path(data_dir)
    issues: list[Issue] = []
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    if not d.is_dir():
        issues.append(Issue(ERROR, "-", str(d), "datamappen findes ikke"))
        if strict:
            raise DataValidationError(issues)
        return DataBundle(data_dir=d, issues=issues)
    if catalogue_ids is None:
        try:
            from helhedsplan_eval.catalogue.criteria import load_catalogue

            catalogue_ids = set(load_catalogue().criteria)
        except Exception:
            catalogue_ids = None
    from helhedsplan_eval.data.bundle_cache import cached_bundle  # the annual run's parsed bundle, only if the files still match

    cached = None if strict else cached_bundle(d, catalogue_ids)
    if cached is not None:
        return cached
    for name, src in SOURCES.items():
        path, found_issues = find_file(d, src)
        issues += found_issues
        if path is None:
            if not found_issues:
                sev = ERROR if src.required else WARNING
                issues.append(Issue(sev, name, f"{name}.csv", "kilden mangler; kriterier, der bygger på den, afventer data"
                                    if not src.required else "kilden mangler og er påkrævet"))
            continue
        files[name] = path
        df, iss = read_source(path, src)
        issues += iss
        if df is not None:
            tables[name] = df
    issues += _cross_checks(tables, files, catalogue_ids, prior=list(issues))
    # a source with reference errors is not used
    for name in {i.source for i in issues if i.severity == ERROR}:
        tables.pop(name, None)
    manifest, mf_issues = read_manifest(d)
    issues += mf_issues
    bundle = DataBundle(tables={k: v.reset_index(drop=True) for k, v in tables.items()}, data_dir=d, issues=issues,
                        files=files, manifest=manifest)
    from helhedsplan_eval.analysis.fit import validation_issues as fit_issues  # checks the contract cannot express (one rater per form…)

    bundle.issues.extend(fit_issues(bundle))
    if strict and any(i.severity == ERROR for i in issues):
        raise DataValidationError(issues)
    return bundle


def coverage_lines(coverage: dict[str, list[int]]) -> list[str]:
    """'Dækkede år' per source: the years a source counts as delivered (spell registers: the years a
    spell is active in; manifest.yml's coverage where declared). Other years are missing, never 0."""
    def span(ys):
        ys = sorted(ys)
        if not ys:
            return "ingen"
        runs, start = [], ys[0]
        for a, b in zip(ys, ys[1:] + [None]):
            if b != a + 1:
                runs.append(str(start) if start == a else f"{start}–{a}")
                start = b
        return ", ".join(runs)

    return [f"  {name}: {span(ys)}" for name, ys in sorted(coverage.items())]
# --- end helper E


def validate_dir(data_dir) -> list[Issue]:
    return load_bundle(data_dir).issues


def format_report(issues: list[Issue], data_dir, coverage: dict[str, list[int]] | None = None) -> str:
    """The evaluator's validation report: every error and warning with file, row, column and value, and,
    when given, each source's covered years (:meth:`DataBundle.coverage`)."""
    errs = [i for i in issues if i.severity == ERROR]
    warns = [i for i in issues if i.severity == WARNING]
    lines = [f"Validering af {data_dir}: {len(errs)} fejl, {len(warns)} advarsler."]
    for i in errs + warns:
        lines.append("  " + str(i))
    if not errs:
        lines.append("Ingen fejl: data kan bruges.")
    if coverage:
        lines.append("Dækkede år pr. kilde (andre år mangler og tælles ikke som 0):")
        lines += coverage_lines(coverage)
    return "\n".join(lines)


def contract_files(data_dir: str | os.PathLike) -> list[Path]:
    """The files the contract reads in ``data_dir``: one per source (contract.find_file) and
    ``manifest.yml``; never anything else of the folder."""
    from helhedsplan_eval.data.sources import SOURCES

    d = Path(data_dir)
    files = []
    for src in SOURCES.values():
        try:
            path, _ = find_file(d, src)
        except OSError:
            path = None
        if path is not None:
            files.append(path)
    if (d / "manifest.yml").is_file():
        files.append(d / "manifest.yml")
    return sorted(set(files), key=lambda p: p.name)
