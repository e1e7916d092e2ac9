"""Indicators of the bydelsmødre (trained, families visited, volunteering) and of Skur 2's outreach work
(visits, follow-up, new regular users)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.status import IndicatorSeries
from helhedsplan_eval.analysis.indicators.common import (_count_by_year, _cumulative, _empty, _frame, _n, _records, _years_of, covered_years)


from helhedsplan_eval.analysis.indicators.logbook import _attendance


def _bm_active(bm: pd.DataFrame, y: int) -> pd.DataFrame:
    start, end = dt.date(y, 1, 1), dt.date(y, 12, 31)
    af = bm["active_from"].where(bm["active_from"].notna(), bm["trained_date"])
    at = bm["active_to"]
    mask = (af <= end) & (at.isna() | (at.map(lambda d: d is not None and d >= start)))
    return bm[mask.fillna(False).astype(bool)]


@indicator("bydelsmoedre_trained", sources=("bydelsmoedre",))
def bydelsmoedre_trained(bundle, years):
    bm = bundle.table("bydelsmoedre")
    if bm is None:
        return _empty("bydelsmoedre_trained", "count", years, "Registret over bydelsmødre er ikke leveret.")
    yrs = _years_of(bm["trained_date"])
    cov = covered_years(bundle, "bydelsmoedre", yrs, horizon=max(years))
    vals = {y: float((yrs == y).sum()) for y in years if y in cov}
    recs, extra = _records(bundle, "bydelsmoedre", yrs, years)
    return IndicatorSeries("bydelsmoedre_trained", "count", _frame(years, value=vals, records=recs), list(years),
                           extra=extra)


@indicator("bydelsmoedre_visited_families", sources=("bydelsmoedre_visits",))
def bydelsmoedre_visited_families(bundle, years):
    v = bundle.table("bydelsmoedre_visits")
    if v is None:
        return _empty("bydelsmoedre_visited_families", "count", years, "Bydelsmødrenes besøgslogbog er ikke leveret.")
    yrs = _years_of(v["date"])
    cov = covered_years(bundle, "bydelsmoedre_visits", yrs)
    vals = {y: float(v[yrs == y]["family_id"].nunique()) for y in years if y in cov}
    return IndicatorSeries("bydelsmoedre_visited_families", "count", _frame(years, value=vals), list(years))


@indicator("bydelsmoedre_volunteering", sources=("bydelsmoedre", "logbook_events", "logbook_attendance"))
def bydelsmoedre_volunteering(bundle, years):
    """Share of the year's active bydelsmødre who volunteered at another activity that year."""
    bm = bundle.table("bydelsmoedre")
    m, cov = _attendance(bundle)
    if bm is None or m is None:
        return _empty("bydelsmoedre_volunteering", "pct", years, "Bydelsmødreregistret eller logbogen er ikke leveret.")
    vol = m[(m["role"] == "frivillig") & (m["activity"] != "bydelsmoedre")]
    num, den, val = {}, {}, {}
    for y in years:
        if y not in cov:
            continue
        active = set(_bm_active(bm, y)["person_id"])
        den[y] = float(len(active))
        num[y] = float(len(active & set(vol[vol["year"] == y]["person_id"])))
        if den[y]:
            val[y] = 100 * num[y] / den[y]
    return IndicatorSeries("bydelsmoedre_volunteering", "pct", _frame(years, value=val, numerator=num, denominator=den),
                           list(years))


# ----------------------------------------------------------------------------- Skur 2

@indicator("outreach_visits", sources=("skur2_outreach",))
def outreach_visits(bundle, years):
    df = bundle.table("skur2_outreach")
    if df is None:
        return _empty("outreach_visits", "count", years, "Skur 2's register over opsøgende besøg er ikke leveret.")
    return _count_by_year(bundle, "skur2_outreach", df, "date", years, name="outreach_visits")


@indicator("outreach_followed_share", sources=("skur2_outreach",))
def outreach_followed_share(bundle, years):
    df = bundle.table("skur2_outreach")
    if df is None:
        return _empty("outreach_followed_share", "pct", years, "Skur 2's register over opsøgende besøg er ikke leveret.")
    yrs = _years_of(df["date"])
    cov = covered_years(bundle, "skur2_outreach", yrs)
    num, den, val = {}, {}, {}
    for y in years:
        if y in cov:
            part = df[yrs == y]
            den[y] = float(len(part))
            num[y] = float((part["followed_by_visit"] == True).sum())  # noqa: E712
            if den[y]:
                val[y] = 100 * num[y] / den[y]
    return IndicatorSeries("outreach_followed_share", "pct", _frame(years, value=val, numerator=num, denominator=den),
                           list(years))


def _first_date(df: pd.DataFrame, key: str, date_col: str) -> pd.Series:
    """``df.groupby(key)[date_col].min()`` for a column of date objects, without comparing dates group by
    group: the distinct dates are ranked once (``factorize(sort=True)``), the groups take the minimum rank, and the
    rank is turned back into its date (a group without a date gets NaN, as from ``min``)."""
    codes, uniques = pd.factorize(df[date_col], sort=True)
    ranks = pd.Series(np.where(codes < 0, np.nan, codes), index=df.index)
    first = ranks.groupby(df[key]).min()
    dates = np.empty(len(first), dtype=object)
    known = first.notna().to_numpy()
    dates[known] = np.asarray(uniques, dtype=object)[first[known].astype(np.int64).to_numpy()]
    dates[~known] = np.nan
    return pd.Series(dates, index=first.index, name=date_col)


@indicator("outreach_new_regulars", sources=("skur2_outreach", "skur2_regulars"))
def outreach_new_regulars(bundle, years):
    """Persons visited by the outreach work who became regular users of Skur 2 on or after their
    first visit, counted once, cumulative from the plan's first year."""
    vis, reg = bundle.table("skur2_outreach"), bundle.table("skur2_regulars")
    if vis is None or reg is None:
        return _empty("outreach_new_regulars", "count", years, "Skur 2's registre er ikke leveret.")
    first_visit = _first_date(vis, "person_id", "date")
    r = reg[reg["person_id"].isin(first_visit.index)].copy()
    if len(r):  # became regular on or after the first visit (dates compared element by element)
        r = r[(r["regular_since"] >= r["person_id"].map(first_visit)).to_numpy(dtype=bool)]
    first_year = _years_of(r.set_index("person_id")["regular_since"]) if len(r) else pd.Series(dtype=float)
    # covered only when BOTH registers cover the year (issue 21): a new regular must have been visited first, so
    # a year without the outreach register's records is missing, not a year without new regulars (the regular
    # users' register is a spell register whose open spells reach every later year and cannot decide it)
    cov = (covered_years(bundle, "skur2_outreach", _years_of(vis["date"]), horizon=max(years))
           & covered_years(bundle, "skur2_regulars", horizon=max(years)))
    notes = []
    not_visited = int((~reg["person_id"].isin(first_visit.index)).sum())
    if not_visited:
        notes.append(f"{_n(not_visited)} regelmæssige brugere er ikke kommet via opsøgende besøg og tæller ikke med.")
    return IndicatorSeries("outreach_new_regulars", "count", _cumulative("x", first_year, years, cov), list(years),
                           notes=notes)
