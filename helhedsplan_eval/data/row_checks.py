"""Checks of one row against the contract's declarations, and which rows or sources an error leaves out.

* :func:`spell_issues`: a spell (``Source.spell``: start column(s), end column) that ends before it starts is an
  error naming file, row, both columns and both dates (every spell source: volunteers, courses, jobs ...).
* :func:`percent_issues`: a value in a percent column (``unit='%'``) that looks like a fraction (0 < v ≤ 1) while
  the other values of its series (the same key apart from the year) lie at 5 % or more is an error naming the
  row: ``0.799`` written for 79,9 % would otherwise turn a status around.
* :func:`exclude_bad_rows`: which tables survive their errors. In a source whose rows are figures of their own
  (``Source.independent_rows``: yearly aggregates, assessments) a row with an error is left out, its message says
  so, and the rest of the file is used; any other error leaves the whole source out (its criteria await data),
  because a missing record would silently lower a count.
"""

from __future__ import annotations

import pandas as pd

from helhedsplan_eval.data.issues import ERROR, Issue
from helhedsplan_eval.data.source_types import Source
from helhedsplan_eval.formatting import fmt_number

ROW_LEFT_OUT = "; rækken er udeladt, resten af filen bruges"


def spell_issues(src: Source, df: pd.DataFrame, fname: str) -> list[Issue]:
    """An error for every row whose end date lies before its start date."""
    if src.spell is None:
        return []
    starts, end = src.spell
    if end not in df.columns or not any(s in df.columns for s in starts):
        return []
    issues = []
    present = [s for s in starts if s in df.columns]
    for row, stop, *begins in zip(df.index, df[end].tolist(), *(df[s].tolist() for s in present)):
        first = next(((s, b) for s, b in zip(present, begins) if b is not None), None)
        if stop is None or first is None or stop >= first[1]:
            continue
        start_col, begin = first
        issues.append(Issue(ERROR, src.name, fname,
                            f"slutdatoen {stop.isoformat()} ('{end}') ligger før startdatoen "
                            f"{begin.isoformat()} ('{start_col}'); forventet en slutdato på eller efter "
                            f"startdatoen", int(row), end, stop.isoformat(),
                            category=f"slutdatoen ('{end}') ligger før startdatoen ('{start_col}')"))
    return issues


def _series_key(src: Source) -> list[str]:
    return [k for k in src.key if k != src.year_column]


def percent_issues(src: Source, df: pd.DataFrame, fname: str, low: float = 5.0) -> list[Issue]:
    """An error for every percent value that looks like a fraction (0 < v ≤ 1) beside percents of its series."""
    issues = []
    for col in (c for c in src.columns if c.unit == "%" and c.name in df.columns):
        keys = [k for k in _series_key(src) if k in df.columns]
        groups = df.groupby(keys, dropna=False, sort=False) if keys else [((), df)]
        for _, part in groups:
            vals = part[col.name]
            whole = [v for v in vals if v is not None and v > 1]
            if not whole:  # every value of the series is a fraction: nothing to compare with
                continue
            lo, hi = min(whole), max(whole)
            if sorted(whole)[len(whole) // 2] < low:
                continue
            for row, v in vals.items():
                if v is None or not 0 < v <= 1:
                    continue
                issues.append(Issue(
                    ERROR, src.name, fname,
                    f"værdien {fmt_number(v, 3)} ligner en andel (0-1) og ikke procent: de øvrige værdier i samme "
                    f"serie ligger mellem {fmt_number(lo, 1)} og {fmt_number(hi, 1)}; skriv procent (fx "
                    f"{fmt_number(v * 100, 1)} for {fmt_number(v, 3)})", int(row), col.name, str(v),
                    category="værdien ligner en andel (0-1) og ikke procent"))
    return issues


def exclude_bad_rows(tables: dict[str, pd.DataFrame], issues: list[Issue], sources: dict[str, Source]) -> None:
    """Leave out, in place, the rows with errors of independent-row sources, and every other source with an
    error; the message of an error whose row is left out says so. (A header error leaves no table: only data
    rows and rows that could not be split carry a row number here.)"""
    by_source: dict[str, list[Issue]] = {}
    for i in issues:
        if i.severity == ERROR:
            by_source.setdefault(i.source, []).append(i)
    for name, errs in by_source.items():
        src = sources.get(name)
        df = tables.get(name)
        if df is None:
            continue
        if src is None or not src.independent_rows or any(i.row is None for i in errs):
            tables.pop(name)
            continue
        bad = {i.row for i in errs}
        for i in errs:
            if i.row in df.index and not i.message.endswith(ROW_LEFT_OUT):
                i.category = i.problem + "; rækken er udeladt"  # the board's table says so too
                i.message += ROW_LEFT_OUT
        tables[name] = df.loc[[r for r in df.index if r not in bad]]
