"""Indicators of the youth work: dannelse assessments, the risk group's leisure, pocket-money jobs, micro
businesses, leisure jobs, the homework café, homework buddies and volunteers."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from helhedsplan_eval.catalogue.period import plan_period
from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.status import IndicatorSeries
from helhedsplan_eval.analysis.indicators.common import (_count_by_year, _cumulative, _empty, _frame, _n, _records, _years_of, covered_years)


def _share_by_year(bundle, source, df, years, name, yes_mask, include_mask=None, note_excluded=None):
    yrs = df["year"].astype(int)
    cov = covered_years(bundle, source, yrs, horizon=max(years))
    num, den, val = {}, {}, {}
    excluded = {}
    for y in years:
        if y not in cov:
            continue
        part = df[yrs == y]
        inc = part if include_mask is None else part[include_mask(part)]
        excluded[y] = len(part) - len(inc)
        den[y] = float(len(inc))
        num[y] = float(yes_mask(inc).sum())
        if den[y]:
            val[y] = 100 * num[y] / den[y]
    notes = []
    if note_excluded and any(excluded.values()):
        notes.append(note_excluded + " " + ", ".join(f"{y}: {_n(n)}" for y, n in excluded.items() if n) + ".")
    return IndicatorSeries(name, "pct", _frame(years, value=val, numerator=num, denominator=den), list(years), notes=notes)


@indicator("dannelse_strengthened", sources=("dannelse_assessments",))
def dannelse_strengthened(bundle, years):
    df = bundle.table("dannelse_assessments")
    if df is None:
        return _empty("dannelse_strengthened", "pct", years, "Det koordinerende forums statusopgørelser er ikke leveret.")
    return _share_by_year(bundle, "dannelse_assessments", df, years, "dannelse_strengthened",
                          lambda p: p["assessment"] == "styrket",
                          include_mask=lambda p: p["assessment"] != "ikke vurderet",
                          note_excluded="Børn, der ikke er vurderet, indgår ikke i andelen:")


@indicator("risk_group_active_leisure", sources=("risk_group_leisure",))
def risk_group_active_leisure(bundle, years):
    df = bundle.table("risk_group_leisure")
    if df is None:
        return _empty("risk_group_active_leisure", "pct", years, "Opgørelsen af risikogruppens fritidsliv er ikke leveret.")
    return _share_by_year(bundle, "risk_group_leisure", df, years, "risk_group_active_leisure",
                          lambda p: p["active_leisure"] == True)  # noqa: E712


@indicator("pocket_money_moved_on", sources=("pocket_money_jobs",))
def pocket_money_moved_on(bundle, years):
    """Jobs ended in the year; share who moved on to a leisure job ('ukendt' excluded, noted)."""
    df = bundle.table("pocket_money_jobs")
    if df is None:
        return _empty("pocket_money_moved_on", "pct", years, "Opgørelsen af lommepengejob er ikke leveret.")
    d = df[df["end_date"].notna()].copy()
    d["year"] = _years_of(d["end_date"])
    return _share_by_year(bundle, "pocket_money_jobs", d, years, "pocket_money_moved_on",
                          lambda p: p["moved_on"] == "ja", include_mask=lambda p: p["moved_on"] != "ukendt",
                          note_excluded="Lommepengejobbere med ukendt forløb indgår ikke:")


@indicator("micro_businesses", sources=("micro_businesses",))
def micro_businesses(bundle, years):
    df = bundle.table("micro_businesses")
    if df is None:
        return _empty("micro_businesses", "count", years, "Opgørelsen af mikrovirksomheder er ikke leveret.")
    first = _years_of(df.set_index("business_id")["founded_date"])
    cov = covered_years(bundle, "micro_businesses", first)
    return IndicatorSeries("micro_businesses", "count", _cumulative("m", first, years, cov), list(years))


@indicator("leisure_jobs_established", sources=("leisure_jobs",),
           filters={"established_by": ("leisure_jobs", "established_by")})
def leisure_jobs_established(bundle, years, established_by="frivillig"):
    """Leisure jobs and internships established by ``established_by`` (one code or a list; the default: volunteers,
    'Frivillige etablerer ...'). The filter is an argument so that the catalogue checks it against the contract's
    allowed values: a code the contract refuses would count 0 whatever the records hold (issue 20)."""
    df = bundle.table("leisure_jobs")
    if df is None:
        return _empty("leisure_jobs_established", "count", years, "Opgørelsen af fritidsjob er ikke leveret.")
    by = [established_by] if isinstance(established_by, str) else list(established_by)
    chosen = df["established_by"].isin(by)
    s = _count_by_year(bundle, "leisure_jobs", df, "established_date", years, name="leisure_jobs_established",
                       mask=chosen)
    others = int((~chosen).sum())
    if others:
        who = "frivillige" if by == ["frivillig"] else "de valgte (" + ", ".join(by) + ")"
        s.notes.append(f"{_n(others)} job/praktikpladser etableret af andre end {who} tæller ikke med.")
    return s


@indicator("homework_cafe_regulars", sources=("homework_cafe_visits",))
def homework_cafe_regulars(bundle, years, more_than: int):
    """Unique persons with more than ``more_than`` visits in the year (the catalogue: 3), both
    cafés added up per person."""
    df = bundle.table("homework_cafe_visits")
    if df is None:
        return _empty("homework_cafe_regulars", "count", years, "URK's logbog er ikke leveret.")
    yrs = _years_of(df["date"])
    cov = covered_years(bundle, "homework_cafe_visits", yrs)
    vals, users = {}, {}
    for y in years:
        if y in cov:
            c = df[yrs == y].groupby("person_id").size()
            vals[y] = float((c > int(more_than)).sum())
            users[y] = float(len(c))
    return IndicatorSeries("homework_cafe_regulars", "count", _frame(years, value=vals, users=users), list(years))


def _add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    import calendar

    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


@indicator("homework_buddy_courses", sources=("homework_buddies",))
def homework_buddy_courses(bundle, years, min_months: int):
    """Courses that lasted at least ``min_months`` months (the catalogue: 2), counted in the year they
    reached that length; cumulative. A course still running counts once it has reached it within the
    years computed. The register is a spell register: a year is covered when a course is active in it."""
    df = bundle.table("homework_buddies")
    if df is None:
        return _empty("homework_buddy_courses", "count", years, "Logbogen over lektiekammerater er ikke leveret.")
    reach = {}
    last_year = max(years)
    period = plan_period()
    for r in df.itertuples():
        two = _add_months(r.start_date, int(min_months))
        end = r.end_date if r.end_date is not None else period.year_end(last_year)
        if two <= end:
            reach[r.course_id] = period.year_of(two)
    first = pd.Series(reach, dtype=float)
    cov = covered_years(bundle, "homework_buddies", horizon=last_year)
    return IndicatorSeries("homework_buddy_courses", "count", _cumulative("b", first, years, cov), list(years))


@indicator("active_volunteers", sources=("volunteers",))
def active_volunteers(bundle, years):
    """Volunteers active at any time in the year (start ≤ 31.12 and no end or end ≥ 1.1)."""
    df = bundle.table("volunteers")
    if df is None:
        return _empty("active_volunteers", "count", years, "Frivilligkoordinatorens logbog er ikke leveret.")
    cov = covered_years(bundle, "volunteers", horizon=max(years))
    recs, extra = _records(bundle, "volunteers", (), years)
    vals = {}
    period = plan_period()
    for y in years:
        if y in cov:
            s, e = period.year_start(y), period.year_end(y)
            act = df[(df["start_date"] <= e) & (df["end_date"].isna() | (df["end_date"] >= s))]
            vals[y] = float(act["volunteer_id"].nunique())
    return IndicatorSeries("active_volunteers", "count", _frame(years, value=vals, records=recs), list(years),
                           extra=extra)
