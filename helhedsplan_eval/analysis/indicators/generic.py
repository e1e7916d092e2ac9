"""Generic indicators, parameterised in ``criteria.yml`` (issue 20): any record-level source of the data contract,
without code.

Every one takes ``source`` (a source of the contract), optional ``filters`` (``{column: value or [values]}``; the
records whose column holds one of the values), optional ``date`` (the date or year column that gives a record its
year; default: the source's own) and optional ``by`` (a column of units, e.g. an afdeling: the same figure per unit
in ``extra['by']``, one :class:`IndicatorSeries` per unit, for the kind ``count_units``):

==========================  =====================================================================================
``records_per_year``        records (events) per year
``persons_per_year``        unique persons (``person``: a pseudonymous id column) per year
``persons_cumulative``      unique persons since ``since`` (default: the plan's first year), cumulative
``frequent_persons``        persons with more than ``more_than`` records in the year (``share: true``: their share
                            of the year's persons)
``records_share``           share of the records (or of the persons, with ``person``) meeting ``numerator`` among
                            those meeting ``denominator`` (both filters, on top of ``filters``)
``column_sum``              sum of a numeric ``column`` per year
``column_mean``             mean of a numeric ``column`` per year (no records: missing, not 0)
``spells_lasting``          spells (``start``, optional ``end``; open spells run to the last year computed) lasting at
                            least ``min_days`` or ``min_months``, counted in the year they reach it
                            (``cumulative: true``: since ``since``)
==========================  =====================================================================================

**The coverage rule of every indicator applies** (:mod:`.common`): years outside the source's covered years are
missing, never 0; a spell register covers the years a spell is active; ``manifest.yml`` may declare coverage; an
aggregate source is delivered for the years it has rows for. Counts carry the ``records`` column (the source's
records per year, before any filter), so that a baseline year without records is missing, not a silent zero. A
unit with no records in a covered year is a true 0.

The arguments are checked when the catalogue loads (:mod:`.generic_checks`).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from helhedsplan_eval.analysis.indicators import common as _common
from helhedsplan_eval.analysis.indicators.arguments import filter_values
from helhedsplan_eval.analysis.indicators.common import (_empty, _frame, _records, _years_list, _years_of,
                                                         covered_years, declared_years)
from helhedsplan_eval.analysis.indicators.generic_checks import check_generic
from helhedsplan_eval.analysis.indicators.youth import _add_months
from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.status import IndicatorSeries
from helhedsplan_eval.data.sources import SOURCES


def _mask(df: pd.DataFrame, filters) -> pd.Series:
    m = pd.Series(True, index=df.index)
    for col, v in (filters or {}).items():
        m &= df[col].isin(filter_values(v))
    return m


def _coverage(bundle, source: str, yrs: pd.Series, horizon: int) -> set[int]:
    declared = declared_years(bundle, source)
    if declared is not None:
        return declared
    if SOURCES[source].aggregate:
        return {int(y) for y in yrs.tolist() if y is not None and not (isinstance(y, float) and math.isnan(y))}
    return covered_years(bundle, source, yrs, horizon=horizon)


def _units(df: pd.DataFrame, source: str, by: str) -> list:
    allowed = SOURCES[source].col(by).allowed
    return list(allowed) if allowed else sorted({v for v in df[by].tolist() if v is not None})


def _generic(bundle, years, name: str, source: str, filters, date, by, unit: str, compute,
             timing=None) -> IndicatorSeries:
    """The shared frame of every generic indicator: read, coverage, records, filter, compute (overall and per
    unit). ``compute(rows, their years, covered years)`` returns the frame's columns as {column: {year: value}};
    ``timing(df)`` (spells) gives the records' years, the covered years and the records per year instead."""
    label = f"{name}:{source}"
    df = bundle.table(source)
    src = SOURCES[source]
    if df is None:
        return _empty(label, unit, years, f"Kilden {src.title} er ikke leveret.")
    if timing is None:
        yrs = _years_of(df[date or src.date_column or src.year_column])
        cov = _coverage(bundle, source, yrs, max(years))
        recs, extra = _records(bundle, source, yrs, years)
    else:
        yrs, cov, recs, extra = timing(df)
    sel = _mask(df, filters)
    s = IndicatorSeries(label, unit, _frame(years, records=recs, **compute(df[sel], yrs[sel], cov)), list(years),
                        extra=extra)
    _note_empty_filter(s, filters, cov)
    missing = [y for y in years if y not in cov and y >= _common.plan_start()]
    if missing:
        s.notes.append(f"Ingen leverede registreringer for {', '.join(map(str, missing))} "
                       "(behandles som manglende, ikke 0).")
    if by:
        s.extra["by_column"] = by
        s.extra["by"] = {}
        for u in _units(df, source, by):
            m = sel & (df[by] == u)
            s.extra["by"][u] = IndicatorSeries(f"{label}:{u}", unit, _frame(years, records=recs,
                                                                            **compute(df[m], yrs[m], cov)),
                                               list(years), extra=dict(extra))
    return s


def _shown(v) -> str:
    return ("ja" if v else "nej") if isinstance(v, bool) else str(v)


def _note_empty_filter(s: IndicatorSeries, filters, cov) -> None:
    """A 0 is never silent: the years in which the filters select none of the source's records say so."""
    if not filters or "records" not in s.data.columns:
        return
    empty = [int(y) for y in s.data.index if y in cov and s._get(y, "records") and s.value(y) == 0]
    if empty:
        desc = ", ".join(f"{c} = {' eller '.join(map(_shown, filter_values(v)))}" for c, v in filters.items())
        s.notes.append(f"Filtret ({desc}) vælger ingen af kildens registreringer i {', '.join(map(str, empty))}; "
                       "tallet 0 kommer af filtret, ikke af manglende data.")


def _per_year(years, cov, f) -> dict:
    return {y: f(y) for y in years if y in cov}


@indicator("records_per_year", check=check_generic)
def records_per_year(bundle, years, source: str, filters=None, date=None, by=None):
    """Records (events) per year."""
    def compute(rows, ry, cov):
        return {"value": _per_year(years, cov, lambda y: float((ry == y).sum()))}
    return _generic(bundle, years, "records_per_year", source, filters, date, by, "count", compute)


@indicator("persons_per_year", check=check_generic)
def persons_per_year(bundle, years, source: str, person: str, filters=None, date=None, by=None):
    """Unique persons per year."""
    def compute(rows, ry, cov):
        per = rows[person].groupby(ry.to_numpy()).nunique() if len(rows) else pd.Series(dtype=float)
        return {"value": _per_year(years, cov, lambda y: float(per.get(y, 0)))}
    return _generic(bundle, years, "persons_per_year", source, filters, date, by, "count", compute)


@indicator("persons_cumulative", check=check_generic)
def persons_cumulative(bundle, years, source: str, person: str, filters=None, date=None, by=None, since=None):
    """Unique persons since ``since`` (default: the plan's first year), each counted in the year first seen;
    ``new``: the persons first counted that year."""
    start = int(since if since is not None else _common.plan_start())

    def compute(rows, ry, cov):
        keep = [y is not None and y >= start for y in ry.tolist()]
        first = pd.Series(ry[keep].to_numpy(), index=rows[person][keep].to_numpy()).groupby(level=0).min() \
            if any(keep) else pd.Series(dtype=float)
        inside = [y for y in years if y in cov and y >= start]
        return {"value": {y: float((first <= y).sum()) for y in inside},
                "new": {y: float((first == y).sum()) for y in inside}}
    return _generic(bundle, years, "persons_cumulative", source, filters, date, by, "count", compute)


@indicator("frequent_persons", check=check_generic)
def frequent_persons(bundle, years, source: str, person: str, more_than: int, filters=None, date=None, by=None,
                     share: bool = False):
    """Persons with more than ``more_than`` records in the year; ``share``: their share (%) of the year's
    persons, with numerator and denominator (Wilson interval)."""
    def compute(rows, ry, cov):
        num, den = {}, {}
        for y in years:
            if y in cov:
                c = rows[(ry == y).to_numpy()].groupby(person).size()
                num[y], den[y] = float((c > int(more_than)).sum()), float(len(c))
        if not share:
            return {"value": num, "persons": den}
        return {"value": {y: 100 * num[y] / den[y] for y in num if den[y]}, "numerator": num, "denominator": den}
    return _generic(bundle, years, "frequent_persons", source, filters, date, by, "pct" if share else "count",
                    compute)


@indicator("records_share", check=check_generic)
def records_share(bundle, years, source: str, numerator: dict, denominator=None, filters=None, person=None,
                  date=None, by=None):
    """Share (%) of the records meeting ``numerator`` among those meeting ``denominator`` (with ``person``: of
    the persons with such a record); numerator and denominator columns for the Wilson interval."""
    def compute(rows, ry, cov):
        in_den = _mask(rows, denominator)
        in_num = in_den & _mask(rows, numerator)
        num, den = {}, {}
        for y in years:
            if y in cov:
                this = (ry == y).to_numpy()
                if person:
                    den[y] = float(rows[person][this & in_den.to_numpy()].nunique())
                    num[y] = float(rows[person][this & in_num.to_numpy()].nunique())
                else:
                    den[y], num[y] = float((this & in_den.to_numpy()).sum()), float((this & in_num.to_numpy()).sum())
        return {"value": {y: 100 * num[y] / den[y] for y in num if den[y]}, "numerator": num, "denominator": den}
    return _generic(bundle, years, "records_share", source, filters, date, by, "pct", compute)


def _column_stat(how: str):
    def func(bundle, years, source: str, column: str, filters=None, date=None, by=None):
        def compute(rows, ry, cov):
            vals, ns = {}, {}
            nums = pd.to_numeric(rows[column], errors="coerce")
            for y in years:
                if y in cov:
                    part = nums[(ry == y).to_numpy()].dropna()
                    ns[y] = float(len(part))
                    if how == "sum":
                        vals[y] = float(part.sum())
                    elif len(part):
                        vals[y] = float(part.mean())
            return {"value": vals, "n": ns}
        return _generic(bundle, years, f"column_{how}", source, filters, date, by,
                        "number" if how == "mean" else "count", compute)
    func.__name__ = f"column_{how}"
    func.__doc__ = f"The {how} of a numeric ``column`` per year" + (" (no records: missing, not 0)." if how == "mean"
                                                                    else ".")
    return func


column_sum = indicator("column_sum", check=check_generic)(_column_stat("sum"))
column_mean = indicator("column_mean", check=check_generic)(_column_stat("mean"))


def _plan_year_end(year: int) -> dt.date:
    """The last day of the plan year ``year`` (31 December for calendar plan years)."""
    from helhedsplan_eval.catalogue.period import plan_period

    return plan_period().year_end(year)


def _reach_year(start, end, horizon_end: dt.date, min_days, min_months):
    """The year a spell from ``start`` to ``end`` (None: open) reaches the duration, or None."""
    if start is None:
        return None
    due = _add_months(start, int(min_months)) if min_months else start + dt.timedelta(days=int(min_days))
    stop = end if end is not None else horizon_end
    return _common._year_of(due, _common._date_year()) if due <= stop else None  # the plan year it falls in


@indicator("spells_lasting", check=check_generic)
def spells_lasting(bundle, years, source: str, start: str, end=None, min_days=None, min_months=None, filters=None,
                   by=None, cumulative: bool = False, since=None):
    """Spells lasting at least ``min_days`` / ``min_months``, counted in the year they reach it (``cumulative``:
    the running total since ``since``). The source covers the years in which any spell is active; ``records`` are
    the spells active in each year."""
    horizon = max(years)
    first_year = int(since if since is not None else _common.plan_start())

    def timing(df):
        ends = df[end].tolist() if end else [None] * len(df)
        reach = [_reach_year(a, b, _plan_year_end(horizon), min_days, min_months)
                 for a, b in zip(df[start].tolist(), ends)]
        active = _active_spells(df, start, end, horizon)
        declared = declared_years(bundle, source)
        cov = declared if declared is not None else (
            set(range(min(min(active), _common.plan_start()), max(active) + 1)) if active else set())
        recs = {y: float(active.get(y, 0)) for y in years}
        return (pd.Series(reach, index=df.index, dtype=object), cov, recs,
                {"declared_years": sorted(declared or [])})

    def compute(rows, ry, cov):
        got = [y for y in ry.tolist() if y is not None]
        if not cumulative:
            return {"value": _per_year(years, cov, lambda y: float(sum(1 for g in got if g == y)))}
        inside = [y for y in years if y in cov and y >= first_year]
        return {"value": {y: float(sum(1 for g in got if first_year <= g <= y)) for y in inside},
                "new": {y: float(sum(1 for g in got if g == y)) for y in inside}}
    return _generic(bundle, years, "spells_lasting", source, filters, None, by, "count", compute, timing)


def _active_spells(df: pd.DataFrame, start: str, end, last: int) -> dict[int, int]:
    """Year -> spells active at some time in it (an open spell up to ``last``; an end before the start: the start
    year)."""
    ends = _years_list(df[end]) if end else [None] * len(df)
    out: dict[int, int] = {}
    for y0, y1 in zip(_years_list(df[start]), ends):
        if y0 is not None:
            for y in range(y0, max(y0, last if y1 is None else y1) + 1):
                out[y] = out.get(y, 0) + 1
    return out


def _check_units(args: dict, measures=None) -> list[str]:
    ids = args.get("criteria")
    if not (isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids)):
        return [f"indicator_args.criteria er {ids!r}, men skal være en liste af kriterie-id'er"]
    return []


@indicator("units_meeting", check=_check_units)
def units_meeting(bundle, years, criteria: list):
    """The series of a ``count_units`` criterion: no figures of its own; the evaluation of the year attaches the
    listed criteria and their per-unit series (``extra['unit_inputs']``, see analysis/status/units.py)."""
    return IndicatorSeries("units_meeting", "count", _frame(years, value={}), list(years),
                           extra={"criteria": list(criteria)})
