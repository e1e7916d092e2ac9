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

from .bundle import DataBundle
from .sources import FIRST_YEAR, LAST_YEAR, SOURCES, Col, Source

ERROR = "fejl"
WARNING = "advarsel"


@dataclass
class Issue:
    severity: str
    source: str
    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", række {self.row}"
        if self.column:
            where += f", kolonne '{self.column}'"
        return f"{self.severity.upper()}: {where}: {self.message}"

    def as_dict(self) -> dict:
        return {"alvor": self.severity, "kilde": self.source, "fil": self.file, "række": self.row,
                "kolonne": self.column, "værdi": self.value, "besked": self.message}


class DataValidationError(Exception):
    """Raised by :func:`load_bundle` with ``strict=True`` when the data folder has errors."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        errs = [i for i in issues if i.severity == ERROR]
        super().__init__(f"{len(errs)} fejl i data:\n" + "\n".join(str(i) for i in errs))


# ----------------------------------------------------------------------------- raw reading

def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


@dataclass
class RawTable:
    frame: pd.DataFrame  # all cells as str ('' = empty); index = row number in the file
    shape: str  # 'csv-komma', 'csv-semikolon', 'xlsx'
    encoding: str | None = None
    problems: list = None  # (row, message) for rows that could not be split into the header's fields


def read_raw(path: Path) -> RawTable:
    """Read a file as text cells, index = the row number a person sees (header = row 1)."""
    if path.suffix.lower() == ".xlsx":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pd.read_excel(path, sheet_name=0, dtype=object, header=0)
        df = df.map(_xlsx_cell) if hasattr(df, "map") else df.applymap(_xlsx_cell)
        df.columns = [str(c).strip() for c in df.columns]
        df.index = range(2, len(df) + 2)
        return RawTable(df, "xlsx")
    text, enc = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    import csv
    from io import StringIO

    reader = csv.reader(StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows, index, problems = [], [], []
    for rec in reader:
        line = reader.line_num
        if header is None:
            header = [str(c).strip() for c in rec]
            continue
        if not rec or all(not str(c).strip() for c in rec):
            continue  # blank line: skipped, but later rows keep their true line numbers
        if len(rec) != len(header):
            problems.append((line, f"rækken har {len(rec)} felter, men overskriften har {len(header)}"))
            continue
        rows.append([str(c).strip() for c in rec])
        index.append(line)
    df = pd.DataFrame(rows, columns=header or [], index=index, dtype=object)
    raw = RawTable(df, "csv-semikolon" if sep == ";" else "csv-komma", enc)
    raw.problems = problems
    return raw


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
                                row, col, str(val)))
        elif check.startswith(("min:", "max:")):
            c = src.col(col)
            issues.append(Issue(ERROR, src.name, fname, f"værdien '{_show(val)}' ligger uden for det tilladte "
                                f"(forventet {c.expected()})", row, col, _show(val)))
        elif check.startswith("daterange:"):
            issues.append(Issue(ERROR, src.name, fname, f"datoen {val} ligger uden for programmets år "
                                f"(forventet {FIRST_YEAR}-{LAST_YEAR})", row, col, str(val)))
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
            issues.append(Issue(ERROR, src.name, fname, f"kontrol '{check}' fejlede for værdien '{val}'", row, col, str(val)))
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

        from .survey import load_config

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
    except Exception as exc:  # unreadable file: report, never crash
        return None, [Issue(ERROR, src.name, fname, f"filen kan ikke læses ({type(exc).__name__}: {exc})")]
    df = raw.frame
    decimal_comma = raw.shape == "csv-semikolon"
    for row, msg in raw.problems or []:
        issues.append(Issue(ERROR, src.name, fname, msg + "; rækken er ikke læst", row))
    names = [c.name for c in src.columns]
    missing = [c.name for c in src.columns if c.required and c.name not in df.columns]
    for m in missing:
        issues.append(Issue(ERROR, src.name, fname, f"kolonnen '{m}' mangler (forventede kolonner: {', '.join(names)})",
                            1, m))
    dupcols = [c for c in df.columns if list(df.columns).count(c) > 1]
    for c in sorted(set(dupcols)):
        issues.append(Issue(ERROR, src.name, fname, f"kolonnen '{c}' står der flere gange", 1, c))
    if not src.extra_columns_allowed:
        for c in df.columns:
            if c not in names and not c.startswith("Unnamed"):
                issues.append(Issue(WARNING, src.name, fname, f"ukendt kolonne '{c}' ignoreres", 1, c))
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
            try:
                vals.append(convert_cell(cell, c, decimal_comma))
            except ValueError as exc:
                issues.append(Issue(ERROR, src.name, fname, f"værdien '{cell}' {exc} (forventet {c.expected()})",
                                    int(row), c.name, cell))
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
                                        f"(kolonne '{other_col}')", int(row), col, str(v)))
        if name == "assessments" and catalogue_ids is not None:
            for row, v in df["criterion_id"].items():
                if v is not None and v not in catalogue_ids:
                    issues.append(Issue(ERROR, name, files[name].name, f"kriteriet '{v}' findes ikke i målkataloget",
                                        int(row), "criterion_id", str(v)))
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
                                            int(row), "total", str(r["total"])))
        # years without records (a warning: missing years are never zeros)
        yrs = _years_of(src, df)
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


def load_bundle(data_dir: str | Path, strict: bool = False, catalogue_ids=None) -> DataBundle:
    """Read every source in ``data_dir``. Sources with errors are left out (their criteria await
    data) unless ``strict`` is set, in which case :class:`DataValidationError` is raised."""
    from .paths import resolve_path

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
            from .catalogue import load_catalogue

            catalogue_ids = set(load_catalogue().criteria)
        except Exception:
            catalogue_ids = None
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
    manifest = {}
    mf = d / "manifest.yml"
    if mf.exists():
        try:
            manifest = yaml.safe_load(mf.read_text(encoding="utf-8")) or {}
            if not isinstance(manifest, dict):
                raise ValueError("ikke en YAML-mapping")
        except Exception as exc:
            manifest = {}
            issues.append(Issue(ERROR, "manifest", "manifest.yml", f"filen kan ikke læses ({exc})"))
    bundle = DataBundle(tables={k: v.reset_index(drop=True) for k, v in tables.items()}, data_dir=d, issues=issues,
                        files=files, manifest=manifest)
    if strict and any(i.severity == ERROR for i in issues):
        raise DataValidationError(issues)
    return bundle


def validate_dir(data_dir) -> list[Issue]:
    return load_bundle(data_dir).issues


def format_report(issues: list[Issue], data_dir) -> str:
    errs = [i for i in issues if i.severity == ERROR]
    warns = [i for i in issues if i.severity == WARNING]
    lines = [f"Validering af {data_dir}: {len(errs)} fejl, {len(warns)} advarsler."]
    for i in errs + warns:
        lines.append("  " + str(i))
    if not errs:
        lines.append("Ingen fejl: data kan bruges.")
    return "\n".join(lines)
