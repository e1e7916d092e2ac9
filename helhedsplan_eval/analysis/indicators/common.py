"""Shared by every indicator family: the coverage rule (which years a source is delivered for, spell
registers included), the ``records`` per year that keep a baseline from being a silent zero, and the builders of
yearly frames, counts and cumulative totals (see the package docstring for the rules)."""

from __future__ import annotations

import datetime as dt
import math
from contextlib import contextmanager

import numpy as np
import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status import IndicatorSeries
from helhedsplan_eval.analysis.status import common as _status_common
from helhedsplan_eval.data.bundle import DataBundle



def plan_start() -> int:
    """The plan's first year (plan.yml, ``plan.period``, of the active plan folder)."""
    from helhedsplan_eval.catalogue.period import plan_period

    return plan_period().first_year


def _date_year():
    """The plan year of a date (``PlanPeriod.year_of``), or None where plan years are calendar years."""
    from helhedsplan_eval.catalogue.period import plan_period

    period = plan_period()
    return None if period.calendar else period.year_of

# spell registers: source -> (start column(s), first non-empty wins; end column or None)
SPELL_SOURCES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "volunteers": (("start_date",), "end_date"),
    "homework_buddies": (("start_date",), "end_date"),
    "bydelsmoedre": (("active_from", "trained_date"), "active_to"),
    "pocket_money_jobs": (("start_date",), "end_date"),
    "skur2_regulars": (("regular_since",), None),
}


# tables derived from a bundle's tables while :func:`compute_once` is active (None: not active)
_DERIVED: dict | None = None


@contextmanager
def compute_once():
    """Within the block, a table derived from the bundle (the logbook's events with their year, the attendance
    joined to its events) is computed once and shared by every indicator that reads it (issue 13); outside,
    every call derives its own. The derived tables are only read, never changed, by the indicators."""
    global _DERIVED
    outer = _DERIVED
    if outer is None:
        _DERIVED = {}
    try:
        yield
    finally:
        if outer is None:
            _DERIVED = None


def _derived(name: str, sources: tuple, make):
    """``make()``, or inside :func:`compute_once` the result already made from the same source tables (the very
    same objects)."""
    if _DERIVED is None:
        return make()
    hit = _DERIVED.get(name)
    if hit is not None and len(hit[0]) == len(sources) and all(a is b for a, b in zip(hit[0], sources)):
        return hit[1]
    out = make()
    _DERIVED[name] = (sources, out)
    return out


def _n(n) -> str:
    """A count of persons in a note, with disclosure control ("<5")."""
    return F.fmt_count(n, _status_common.MIN_CELL)


def _empty(name: str, unit: str, years, note: str | None = None, **extra) -> IndicatorSeries:
    df = pd.DataFrame({"value": [math.nan] * len(years)}, index=pd.Index(list(years), name="year"))
    return IndicatorSeries(name, unit, df, list(years), notes=[note] if note else [], extra=extra, source_missing=True)


def _frame(years, **cols) -> pd.DataFrame:
    idx = pd.Index(list(years), name="year")
    df = pd.DataFrame(index=idx)
    for k, v in cols.items():
        df[k] = [v.get(y, math.nan) if isinstance(v, dict) else math.nan for y in idx]
    return df


def declared_years(bundle: DataBundle, source: str) -> set[int] | None:
    """The years ``manifest.yml`` declares covered for ``source`` (None: not declared)."""
    cov = (bundle.manifest or {}).get("coverage", {}) or {}
    if source in cov:
        return {int(y) for y in (cov[source] or [])}
    return None


def spell_counts(df: pd.DataFrame, source: str, horizon: int) -> dict[int, int]:
    """Year -> number of spells of a spell register active at some time in the year. An open spell
    (no end) is active up to ``horizon``; a spell whose end lies before its start counts in its start year."""
    starts, end_col = SPELL_SOURCES[source]
    start = None
    for c in starts:
        if c in df:
            col = df[c]
            start = col if start is None else start.where(start.notna(), col)
    counts: dict[int, int] = {}
    if start is None:
        return counts
    ends = _years_list(df[end_col]) if end_col and end_col in df else None
    # spells with the same (start year, end year) are counted together; in order of first occurrence, so the
    # years enter ``counts`` in the order the rows would add them
    pairs: dict[tuple[int, int], int] = {}
    for i, y0 in enumerate(_years_list(start)):
        if y0 is None:
            continue
        y1 = ends[i] if ends is not None else None
        key = (y0, horizon if y1 is None else y1)
        pairs[key] = pairs.get(key, 0) + 1
    for (y0, y1), n in pairs.items():
        for y in range(y0, max(y0, y1) + 1):
            counts[y] = counts.get(y, 0) + n
    return counts


def covered_years(bundle: DataBundle, source: str, record_years=(), horizon: int | None = None) -> set[int]:
    """The years a source is delivered for (see the module docstring). For a spell register the
    records' spells are read from the bundle's table (``record_years`` is then not needed)."""
    declared = declared_years(bundle, source)
    if declared is not None:
        return declared
    if source in SPELL_SOURCES and bundle.table(source) is not None:
        df = bundle.table(source)
        starts = [y for c in SPELL_SOURCES[source][0] if c in df for y in _years_list(df[c])]
        starts = [y for y in starts if y is not None]
        if horizon is None:
            horizon = max(starts) if starts else plan_start()
        active = spell_counts(df, source, horizon)
        if not active:
            return set()
        return set(range(min(min(active), plan_start()), max(active) + 1))
    if isinstance(record_years, pd.Series) and record_years.dtype.kind in "iuf":  # numbers: only the extremes
        ys = record_years.dropna()
        if not len(ys):
            return set()
        return set(range(min(int(ys.min()), plan_start()), int(ys.max()) + 1))
    ys = [int(y) for y in record_years if y is not None and not (isinstance(y, float) and math.isnan(y))]
    if not ys:
        return set()
    return set(range(min(min(ys), plan_start()), max(ys) + 1))


def source_coverage(bundle: DataBundle, horizon: int | None = None) -> dict[str, list[int]]:
    """Covered years of every delivered record-level source (for ``validate``): spell registers by
    active spells, other sources by their records' years, or as ``manifest.yml`` declares."""
    from helhedsplan_eval.data.sources import SOURCES

    out: dict[str, list[int]] = {}
    for name, src in SOURCES.items():
        df = bundle.table(name)
        if df is None:
            continue
        try:
            ys = _source_years(bundle, name, src, df, horizon)
        except (KeyError, TypeError, ValueError):  # a table the contract let through in an odd shape: no line
            continue
        if ys is not None:
            out[name] = ys
    return out


def _source_years(bundle, name, src, df, horizon) -> list[int] | None:
    """One source's covered years (None: the source has no year or date column)."""
    if name in SPELL_SOURCES:
        return sorted(covered_years(bundle, name, horizon=horizon))
    col = src.year_column or src.date_column
    if declared_years(bundle, name) is not None:
        return sorted(declared_years(bundle, name))
    if src.aggregate and col and col in df:  # aggregates: delivered for the rows present
        return sorted({y for y in _years_of(df[col]) if y is not None})
    if col and col in df:
        return sorted(covered_years(bundle, name, _years_of(df[col])))
    return None


def _year_of(d, date_year=None) -> int | None:
    """The year of a year or a date; a date's plan year with ``date_year`` (see :func:`_date_year`)."""
    if d is None:
        return None
    try:
        if pd.isna(d):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(d, (dt.date, pd.Timestamp)):
        return d.year if date_year is None else date_year(d)
    return int(str(d)[:4])


def _years_array(values) -> np.ndarray:
    """``[_year_of(v) for v in values]`` as an object array, with ``_year_of`` called once per distinct value
    (a date column of 100 000 records holds a few thousand distinct dates): the values are factorised (equal
    values share a code, missing ones (None, NaN, NaT) get none and the year None) and each code's year is taken."""
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(list(values), dtype=object)
    if not len(arr):
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(arr)
    per_code = np.empty(len(uniques) + 1, dtype=object)
    date_year = _date_year()
    per_code[:-1] = [_year_of(u, date_year) for u in uniques]
    per_code[-1] = None  # code -1: a missing value
    return per_code[codes]


def _years_list(values) -> list:
    """``[_year_of(v) for v in values]``, computed once per distinct value (see :func:`_years_array`)."""
    return _years_array(values).tolist()


def _identity(x):
    return x


def _years_of(col: pd.Series) -> pd.Series:
    """``col.map(_year_of)`` (same values, index, name and dtype), computed once per distinct value. Whole years
    without a missing one come back as int64, as from the map; otherwise the years are passed through
    ``Series.map`` once more (identity) so that pandas infers the dtype exactly as the direct map does."""
    if col.dtype != object or not len(col):
        date_year = _date_year()
        return col.map(_year_of) if date_year is None else col.map(lambda d: _year_of(d, date_year))
    years = _years_array(col)
    if all(type(y) is int for y in set(years.tolist())):
        return pd.Series(years.astype(np.int64), index=col.index, name=col.name)
    return pd.Series(years, index=col.index, name=col.name, dtype=object).map(_identity)


def _records(bundle: DataBundle, source: str, record_years, years) -> tuple[dict, dict]:
    """Per year: the number of the source's records (spell registers: active spells), and the
    ``extra`` entry naming the years the manifest declares covered."""
    df = bundle.table(source)
    if source in SPELL_SOURCES and df is not None:
        c = spell_counts(df, source, max(years))
        recs = {y: float(c.get(y, 0)) for y in years}
    else:
        ys = pd.Series(_years_list(record_years), dtype=object)
        recs = {y: float((ys == y).sum()) for y in years}
    return recs, {"declared_years": sorted(declared_years(bundle, source) or [])}


def _count_by_year(bundle, source, df, date_col, years, unit="count", name="", mask=None, value_col=None, how="count"):
    yrs = _years_of(df[date_col])
    cov = covered_years(bundle, source, yrs, horizon=max(years))
    recs, extra = _records(bundle, source, yrs, years)
    sel = df if mask is None else df[mask]
    sel_years = _years_of(sel[date_col])
    vals = {}
    for y in years:
        if y not in cov:
            continue
        part = sel[sel_years == y]
        if how == "count":
            vals[y] = float(len(part))
        elif how == "sum":
            vals[y] = float(pd.to_numeric(part[value_col]).sum())
        elif how == "mean":
            vals[y] = float(pd.to_numeric(part[value_col]).mean()) if len(part) else math.nan
    missing = [y for y in years if y not in cov]
    notes = [f"Ingen leverede registreringer for {', '.join(map(str, missing))} (behandles som manglende, ikke 0)."] \
        if missing and any(y >= plan_start() for y in missing) else []
    return IndicatorSeries(name, unit, _frame(years, value=vals, records=recs), list(years), notes=notes, extra=extra)


def _cumulative(name, first_year_of: pd.Series, years, cov, start=None):
    """first_year_of: unit -> the year it is first counted (from ``start``, default the plan's first year).
    Returns cumulative and new counts."""
    start = plan_start() if start is None else start
    vals, new = {}, {}
    for y in years:
        if y < start or y not in cov:
            continue
        new[y] = float((first_year_of == y).sum())
        vals[y] = float(((first_year_of >= start) & (first_year_of <= y)).sum())
    return _frame(years, value=vals, new=new)
