"""Indicators from the activity logbook (events and attendance by pseudonymous id): events, headcounts,
unique and regular participants, families on courses and active parents, cumulative from the plan's first year."""

from __future__ import annotations

from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.status import IndicatorSeries
from helhedsplan_eval.analysis.indicators.common import (_cumulative, _derived, _empty, _frame, _n, _records, _years_of, plan_start,
                                                         covered_years)


def _events(bundle):
    """The logbook's events with their year, and the years the logbook covers (once per pass, see
    :func:`~helhedsplan_eval.analysis.indicators.common.compute_once`)."""
    ev = bundle.table("logbook_events")
    if ev is None:
        return None, None
    return _derived("logbook_events", (ev,), lambda: _events_with_year(bundle, ev))


def _events_with_year(bundle, ev):
    ev = ev.copy()
    ev["year"] = _years_of(ev["date"])
    return ev, covered_years(bundle, "logbook_events", ev["year"])


def _attendance(bundle):
    """The attendance joined to its events (activity, year), and the years the logbook covers."""
    ev, cov = _events(bundle)
    at = bundle.table("logbook_attendance")
    if ev is None or at is None:
        return None, None
    m = _derived("logbook_attendance", (at, ev), lambda: at.merge(ev[["event_id", "activity", "year"]], on="event_id",
                                                                  how="inner"))
    return m, cov


def _event_count(bundle, years, name, mask_fn):
    ev, cov = _events(bundle)
    if ev is None:
        return _empty(name, "count", years, "Logbogen er ikke leveret.")
    sel = ev[mask_fn(ev)]
    vals = {y: float((sel["year"] == y).sum()) for y in years if y in cov}
    recs, extra = _records(bundle, "logbook_events", ev["year"], years)
    return IndicatorSeries(name, "count", _frame(years, value=vals, records=recs), list(years), extra=extra)


@indicator("resident_run_events", sources=("logbook_events",))
def resident_run_events(bundle, years):
    """Resident-run (brugerdrevne) events of any activity."""
    return _event_count(bundle, years, "resident_run_events", lambda e: e["resident_run"] == True)  # noqa: E712


@indicator("common_area_events", sources=("logbook_events",))
def common_area_events(bundle, years):
    """Events held on the common areas (any activity)."""
    return _event_count(bundle, years, "common_area_events", lambda e: e["common_area"] == True)  # noqa: E712


@indicator("skur2_resident_events", sources=("logbook_events",))
def skur2_resident_events(bundle, years):
    """Residents' events in which Skur 2's users and staff took part."""
    return _event_count(bundle, years, "skur2_resident_events", lambda e: e["skur2_participation"] == True)  # noqa: E712


@indicator("activity_events", sources=("logbook_events",),
           filters={"activity": ("logbook_events", "activity")})
def activity_events(bundle, years, activity: str):
    return _event_count(bundle, years, f"activity_events:{activity}", lambda e: e["activity"] == activity)


@indicator("mean_headcount", sources=("logbook_events",),
           filters={"activity": ("logbook_events", "activity")})
def mean_headcount(bundle, years, activity: str):
    ev, cov = _events(bundle)
    name = f"mean_headcount:{activity}"
    if ev is None:
        return _empty(name, "number", years, "Logbogen er ikke leveret.")
    sel = ev[ev["activity"] == activity]
    vals, ns = {}, {}
    for y in years:
        if y in cov:
            part = sel[sel["year"] == y]["headcount"].astype(float)
            ns[y] = float(len(part))
            if len(part):
                vals[y] = float(part.mean())
    return IndicatorSeries(name, "number", _frame(years, value=vals, n=ns), list(years))


PARTICIPANT_ROLES = ("forælder", "barn", "ung", "deltager", "bydelsmor")


@indicator("unique_participants", sources=("logbook_events", "logbook_attendance"),
           filters={"activity": ("logbook_events", "activity")})
def unique_participants(bundle, years, activity: str):
    """Unique registered participants (volunteers excluded) of an activity per year; ``extra`` has
    the sum of headcounts for comparison."""
    m, cov = _attendance(bundle)
    name = f"unique_participants:{activity}"
    if m is None:
        return _empty(name, "count", years, "Logbogen er ikke leveret.")
    sel = m[(m["activity"] == activity) & m["role"].isin(PARTICIPANT_ROLES)]
    ev, _ = _events(bundle)
    people = sel.groupby("year")["person_id"].nunique()  # per year at once; a year without rows: 0
    headcounts = ev[ev["activity"] == activity].groupby("year")["headcount"].sum()
    vals = {y: float(people.get(y, 0)) for y in years if y in cov}
    heads = {y: float(headcounts.get(y, 0)) for y in years if y in cov}
    return IndicatorSeries(name, "count", _frame(years, value=vals, headcount_sum=heads), list(years))


@indicator("regular_share", sources=("logbook_events", "logbook_attendance"),
           filters={"activity": ("logbook_events", "activity")})
def regular_share(bundle, years, activity: str, more_than: int):
    """Share of the year's unique participants who came to more than ``more_than`` events."""
    m, cov = _attendance(bundle)
    name = f"regular_share:{activity}"
    if m is None:
        return _empty(name, "pct", years, "Logbogen er ikke leveret.")
    sel = m[(m["activity"] == activity) & m["role"].isin(PARTICIPANT_ROLES)]
    num, den, val = {}, {}, {}
    for y in years:
        if y not in cov:
            continue
        counts = sel[sel["year"] == y].groupby("person_id")["event_id"].nunique()
        den[y] = float(len(counts))
        num[y] = float((counts > more_than).sum())
        if den[y]:
            val[y] = 100 * num[y] / den[y]
    return IndicatorSeries(name, "pct", _frame(years, value=val, numerator=num, denominator=den), list(years))


@indicator("course_families", sources=("logbook_events", "logbook_attendance"))
def course_families(bundle, years):
    """Unique households with someone at a family-course session in the year."""
    m, cov = _attendance(bundle)
    if m is None:
        return _empty("course_families", "count", years, "Logbogen er ikke leveret.")
    sel = m[(m["activity"] == "familiekursus") & m["role"].isin(("forælder", "barn"))].copy()
    notes = []
    no_hh = sel["household_id"].isna() | (sel["household_id"] == "")
    if no_hh.any():
        notes.append(f"{_n(no_hh.sum())} deltagelser i familiekurser mangler husstands-id; personen tælles da som sin egen husstand.")
        sel.loc[no_hh, "household_id"] = "person:" + sel.loc[no_hh, "person_id"]
    households = sel.groupby("year")["household_id"].nunique()
    vals = {y: float(households.get(y, 0)) for y in years if y in cov}
    return IndicatorSeries("course_families", "count", _frame(years, value=vals), list(years), notes=notes)


@indicator("active_parents", sources=("logbook_events", "logbook_attendance"),
           filters={"roles": ("logbook_attendance", "role"), "activities": ("logbook_events", "activity"),
                    "alternative_roles": ("logbook_attendance", "role")})
def active_parents(bundle, years, roles=("forælder",),
                   activities=("foraeldrecafe", "bydelsmoedre", "familiekursus"), alternative_roles=None):
    """Unique persons with one of ``roles`` at the ``activities`` (forældrecafé, bydelsmødre and
    family courses), cumulative from the plan's first year. ``alternative_roles`` ({reading: [roles]}) computes other
    readings beside it, in ``extra['alternative_series']`` (the status engine evaluates them)."""
    m, cov = _attendance(bundle)
    if m is None:
        return _empty("active_parents", "count", years, "Logbogen er ikke leveret.")

    def frame(rs):
        sel = m[m["activity"].isin(tuple(activities)) & m["role"].isin(tuple(rs))]
        sel = sel[sel["year"] >= plan_start()]
        first = sel.groupby("person_id")["year"].min()
        return _cumulative("active_parents", first, years, cov)

    extra = {}
    if alternative_roles:
        extra["alternative_series"] = {
            reading: IndicatorSeries("active_parents", "count", frame(rs), list(years))
            for reading, rs in alternative_roles.items()}
    return IndicatorSeries("active_parents", "count", frame(roles), list(years), extra=extra)
