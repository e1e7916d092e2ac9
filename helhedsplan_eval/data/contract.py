"""Reading and validating the data folder: the data contract's entry point.

* :func:`load_bundle` reads every source's file (``<source>.csv`` or ``<source>.xlsx``, see :mod:`.sources`) into a
  validated :class:`~.bundle.DataBundle` and reports all problems at once; errors leave their source out (or stop a
  strict load), warnings do not and are shown in the reports next to the criteria they affect. Messages are Danish.
* :func:`read_source` validates one file: raw text cells (:mod:`.raw`), header and CPR checks, conversion of every
  cell by its declared type with the file's row number kept (:mod:`.cells`), so that a bad cell is reported as
  *file, row, column, value, what was expected*, then the declarative checks (:mod:`.schema`, pandera) and
  whole-row duplicates.
* References between files, the FIT form totals and years without records are checked across the tables here;
  ``manifest.yml`` is read by :mod:`.manifest`; problems are :class:`~.issues.Issue` objects.

The names of those modules are re-exported here, so ``from helhedsplan_eval.data.contract import X`` keeps working.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pandas as pd

from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.data.cell_checks import ambiguous_number_issues, clean_text, normalise_cells
from helhedsplan_eval.data.cells import (_FALSE, _TRUE, CPR_MESSAGE, CPR_PATTERN, CPR_TEXT_MESSAGE,  # noqa: F401
                                         convert_cell, free_text_columns, looks_like_cpr)
from helhedsplan_eval.data.headers import shape_issues
from helhedsplan_eval.data.issues import (ERROR, WARNING, DataValidationError, Issue, coverage_lines,  # noqa: F401
                                          excerpt, format_report, issue_summary)
from helhedsplan_eval.data.manifest import MANIFEST_KEYS, read_manifest  # noqa: F401
from helhedsplan_eval.data.raw import (MAX_FILE_BYTES, XLSX_MAX_UNCOMPRESSED, RawTable, ReadProblem,  # noqa: F401
                                       check_size, read_raw)
from helhedsplan_eval.data.row_checks import exclude_bad_rows, percent_issues, spell_issues
from helhedsplan_eval.data.schema import _schema_issues
from helhedsplan_eval.data import sources as _src
from helhedsplan_eval.data.sources import SOURCES, Col, Source


def _kind_of(p: Path) -> str:
    """What a path that is no regular file is, in Danish."""
    try:
        mode = p.stat().st_mode
    except OSError:
        return "et symbolsk link, der ikke peger på nogen fil"
    if stat.S_ISDIR(mode):
        return "en mappe"
    if stat.S_ISFIFO(mode):
        return "en navngivet pipe (FIFO)"
    return "en særlig fil (fx en enhed eller socket)"


def find_file(data_dir: Path, src: Source) -> tuple[Path | None, list[Issue]]:
    named = [p for p in data_dir.iterdir() if p.stem.lower() == src.name and p.suffix.lower() in (".csv", ".xlsx")]
    hits = sorted(p for p in named if p.is_file())
    if not hits and named:
        p = sorted(named)[0]
        return None, [Issue(ERROR, src.name, p.name, f"{p.name} er {_kind_of(p)}, ikke en datafil; læg kildens data "
                            f"i en almindelig fil {src.name}.csv eller {src.name}.xlsx",
                            category="navnet er ikke en almindelig fil")]
    if len(hits) > 1:
        return None, [Issue(ERROR, src.name, ", ".join(p.name for p in hits),
                            "kilden findes i flere filer; behold kun én (.csv eller .xlsx)")]
    return (hits[0] if hits else None), []


def plan_register_measures() -> tuple[str, ...] | None:
    """The register measures the project's plan declares (``register_measures`` in params/plan.yml), or None when
    the catalogue cannot be read (the list sources.yml took from plan.yml then applies; the catalogue reports its
    errors)."""
    try:
        from helhedsplan_eval.catalogue import load_catalogue

        return tuple(m["id"] for m in load_catalogue().register_measures
                     if isinstance(m, dict) and isinstance(m.get("id"), str))
    except Exception:  # an invalid catalogue is reported where it is loaded
        return None


def with_plan_measures(src: Source) -> Source:
    """The register file's ``measure`` column accepts the plan's ``register_measures`` (params/plan.yml), so that
    a plan declares a new measure without code; other sources as they are (the validator, the contract document
    and the templates all read the register file through this)."""
    if src.name != "register_measures":
        return src
    from dataclasses import replace

    ids = plan_register_measures()
    if ids is None:
        return src
    return replace(src, columns=tuple(replace(c, allowed=ids) if c.name == "measure" else c for c in src.columns))


def with_dynamic_columns(src: Source) -> Source:
    """Columns declared outside sources.yml: the survey's item columns come from params/survey.yml
    (codes scale min..max and the 'ved ikke' code; empty = not answered), and the register file's measures are
    the plan's (:func:`with_plan_measures`)."""
    if src.name == "register_measures":
        return with_plan_measures(src)
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


def _open(path: Path, src: Source) -> tuple[RawTable | None, list[Issue]]:
    """The file's raw text cells, or None and the reason it cannot be read (never an exception)."""
    fname = path.name
    try:
        if path.stat().st_size == 0:
            return None, [Issue(ERROR, src.name, fname, "filen er tom (ingen overskriftsrække)")]
        return read_raw(path), []
    except ReadProblem as exc:
        return None, [Issue(ERROR, src.name, fname, str(exc), category=exc.category)]
    except Exception as exc:  # unreadable file: report, never crash
        return None, [Issue(ERROR, src.name, fname, f"filen kan ikke læses ({type(exc).__name__}: {exc})",
                            category="filen kan ikke læses")]


def _cpr_issues(src: Source, df: pd.DataFrame, fname: str) -> tuple[set, list[Issue]]:
    """CPR-shaped ids and free text, refused wherever they are (also in a file with other errors); the value is
    never repeated. Returns the (row, column) cells and their issues."""
    cpr_cells, issues = set(), []
    for cols, msg in ((src.id_columns, CPR_MESSAGE), (free_text_columns(src), CPR_TEXT_MESSAGE)):
        for c in cols:
            if list(df.columns).count(c) != 1:
                continue
            cells = df[c].tolist()
            shaped = {v for v in set(cells) if looks_like_cpr(v)}  # each distinct value tested once
            if not shaped:
                continue
            for row, cell in zip(df.index, cells):
                if cell in shaped:
                    cpr_cells.add((row, c))
                    issues.append(Issue(ERROR, src.name, fname, msg, int(row), c, None))
    return cpr_cells, issues


def _typed_column(col: Col, cells: pd.Series, cpr_cells: set, decimal_comma: bool, src: str,
                  fname: str) -> tuple[pd.Series, list[Issue]]:
    """One column converted by its declared type; a cell that cannot be converted is None and an issue.
    Each distinct text is converted once (a column repeats few values: years, dates, codes)."""
    cpr_rows = {row for row, c in cpr_cells if c == col.name}  # reported already; never repeated in a later message
    seen: dict[str, tuple] = {}
    vals, issues = [], []
    for row, cell in zip(cells.index, cells.tolist()):
        if cpr_rows and row in cpr_rows:
            vals.append(None)
            continue
        hit = seen.get(cell)
        if hit is None:
            try:
                hit = seen[cell] = (convert_cell(cell, col, decimal_comma), None)
            except ValueError as exc:
                hit = seen[cell] = (None, str(exc))
        if hit[1] is not None:
            issues.append(Issue(ERROR, src, fname, f"værdien '{excerpt(cell)}' {hit[1]} (forventet {col.expected()})",
                                int(row), col.name, cell, category=f"værdien {hit[1]} (forventet {col.expected()})"))
        vals.append(hit[0])
    return pd.Series(vals, index=cells.index, dtype=object), issues


def read_source(path: Path, src: Source) -> tuple[pd.DataFrame | None, list[Issue]]:
    """Read and validate one file. Returns the typed frame (index = file row) and its issues."""
    src = with_dynamic_columns(src)
    fname = path.name
    raw, issues = _open(path, src)
    if raw is None:
        return None, issues
    raw.frame.columns = [clean_text(str(c))[0] for c in raw.frame.columns]
    quiet = set(free_text_columns(src)) | {c.name for c in src.columns if c.type != "str"}  # only ids and codes warn
    raw.frame, clean = normalise_cells(raw.frame, src, fname, quiet=quiet)
    df = raw.frame
    issues, fatal = shape_issues(src, raw, fname)
    issues += clean + [Issue(WARNING, src.name, fname, msg, row, category=msg.split(";")[0] if row is None else
                             "skjulte rækker læses som data") for row, msg in raw.notes or []]
    cpr_cells, cpr = _cpr_issues(src, df, fname)
    issues += cpr
    if fatal:
        return None, issues
    if len(df) == 0:
        issues.append(Issue(WARNING, src.name, fname, "filen har kun overskrifter og ingen rækker"))
    columns: dict[str, pd.Series] = {}
    for c in src.columns:
        if c.name not in df.columns:
            columns[c.name] = pd.Series([None] * len(df), index=df.index, dtype=object)
            continue
        columns[c.name], bad = _typed_column(c, df[c.name], cpr_cells, raw.shape == "csv-semikolon", src.name,
                                             fname)
        issues += bad
    names = [c.name for c in src.columns]
    if src.extra_columns_allowed:
        for c in df.columns:
            if c not in names:
                columns[c] = df[c]
    typed = pd.DataFrame(columns, index=df.index)
    if raw.shape != "xlsx":  # an Excel number cell is a number: only text files can be read two ways
        issues += ambiguous_number_issues(src, df, typed, fname)
    issues += spell_issues(src, typed, fname) + percent_issues(src, typed, fname)
    bad_cells = {(i.row, i.column) for i in issues if i.severity == ERROR and i.row is not None}
    check_df = typed[[c.name for c in src.columns if c.name in df.columns]]
    issues += [i for i in _schema_issues(src, check_df, fname) if (i.row, i.column) not in bad_cells]
    # whole-row duplicates (in addition to duplicate keys)
    dup = df.duplicated(keep="first")
    for row in df.index[dup]:
        issues.append(Issue(ERROR, src.name, fname, "rækken er en dublet af en tidligere række", int(row)))
    return typed, issues


def _cross_checks(tables: dict[str, pd.DataFrame], files: dict[str, Path], catalogue_ids, prior=()) -> list[Issue]:
    """Checks across files and rows: references, assessed criteria, FIT form totals, years without records."""
    issues: list[Issue] = []
    for name, df in tables.items():
        fname = files[name].name
        issues += _reference_issues(name, df, tables, files)
        if name == "assessments" and catalogue_ids is not None:
            for row, v in zip(df.index, df["criterion_id"].tolist()):
                if v is not None and v not in catalogue_ids:
                    issues.append(Issue(ERROR, name, fname, f"kriteriet '{excerpt(v)}' findes ikke i målkataloget",
                                        int(row), "criterion_id", str(v),
                                        category="kriteriet findes ikke i målkataloget"))
        if name == "fit_administrations":
            issues += _fit_form_issues(df, fname, prior)
        issues += _missing_year_issues(SOURCES[name], df, fname)
    return issues


def _reference_issues(name: str, df: pd.DataFrame, tables: dict[str, pd.DataFrame], files: dict[str, Path]):
    issues = []
    for col, other, other_col in SOURCES[name].references:
        if other not in tables:
            issues.append(Issue(WARNING, name, files[name].name, f"henvisningen til {other} kan ikke kontrolleres, "
                                f"fordi {other} mangler", None, col))
            continue
        known = set(tables[other][other_col].dropna())
        for row, v in zip(df.index, df[col].tolist()):
            if v is not None and v not in known:
                issues.append(Issue(ERROR, name, files[name].name, f"'{excerpt(v)}' findes ikke i {files[other].name} "
                                    f"(kolonne '{other_col}')", int(row), col, str(v),
                                    category=f"findes ikke i {files[other].name} (kolonne '{other_col}')"))
    return issues


def _fit_form_issues(df: pd.DataFrame, fname: str, prior) -> list[Issue]:
    """A FIT form needs a total or all four items, and a total that agrees with its items (rows whose items or
    total are already in error are skipped)."""
    name = "fit_administrations"
    bad = {i.row for i in prior if i.source == name and i.severity == ERROR and i.column in
           ("item1", "item2", "item3", "item4", "total")}
    cols = [df[c].tolist() if c in df.columns else [None] * len(df) for c in ("item1", "item2", "item3", "item4")]
    totals = df["total"].tolist() if "total" in df.columns else [None] * len(df)
    issues = []
    for row, total, *items in zip(df.index, totals, *cols):
        if row in bad:
            continue
        if total is None and any(x is None for x in items):
            issues.append(Issue(ERROR, name, fname, "hverken total eller alle fire items er udfyldt", int(row), "total"))
        elif total is not None and all(x is not None for x in items):
            s = sum(items)
            if abs(s - total) > 0.05:
                issues.append(Issue(ERROR, name, fname, f"total {total:g} passer ikke med summen af items ({s:g})",
                                    int(row), "total", str(total), category="total passer ikke med summen af items"))
    return issues


def _missing_year_issues(src: Source, df: pd.DataFrame, fname: str) -> list[Issue]:
    """A warning per year without records (missing years are never zeros); a spell register (start + optional
    end) covers the years a spell is active in."""
    from helhedsplan_eval.analysis.indicators import SPELL_SOURCES, spell_counts

    yrs = _years_of(src, df)
    if src.name in SPELL_SOURCES and len(df):
        yrs = set(spell_counts(df, src.name, max(src.record_years or (_src.LAST_YEAR,))))
    if yrs is None or not len(df):
        return []
    return [Issue(WARNING, src.name, fname, f"ingen registreringer for {y}") for y in src.record_years if y not in yrs]


def _years_of(src: Source, df: pd.DataFrame):
    if src.year_column and src.year_column in df:
        return set(int(v) for v in df[src.year_column].dropna())
    if src.date_column and src.date_column in df:
        from helhedsplan_eval.catalogue.period import plan_period

        year_of = plan_period().year_of  # the plan year a date falls in
        return set(year_of(d) for d in df[src.date_column].dropna())
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
    from helhedsplan_eval.paths import resolve_path

    _src.check_declarations()  # a plan whose sources.yml has problems is refused with all of them
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
    exclude_bad_rows(tables, issues, SOURCES)  # an error leaves out its row (independent rows) or its source
    manifest, mf_issues = read_manifest(d)
    issues += mf_issues
    bundle = DataBundle(tables={k: v.reset_index(drop=True) for k, v in tables.items()}, data_dir=d, issues=issues,
                        files=files, manifest=manifest)
    from helhedsplan_eval.analysis.fit import validation_issues as fit_issues  # checks the contract cannot express (one rater per form…)

    bundle.issues.extend(fit_issues(bundle))
    if strict and any(i.severity == ERROR for i in issues):
        raise DataValidationError(issues)
    return bundle


def validate_dir(data_dir) -> list[Issue]:
    return load_bundle(data_dir).issues


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
