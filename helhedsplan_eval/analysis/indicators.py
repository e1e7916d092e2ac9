"""Indicator functions: record-level data in, yearly series out.

Each function is registered under the id that ``params/criteria.yml`` names, takes a
:class:`~helhedsplan_eval.data.bundle.DataBundle` and the years to compute, and returns an
:class:`~helhedsplan_eval.analysis.status.IndicatorSeries`. Counts of unique people are computed from
pseudonymous ids, de-duplicated across activities and years where the criterion says so.

**Coverage rule (missing years are never zeros).** For a record-level source, a year counts as
delivered when it lies between the plan's first year (or the first record, if earlier) and the
last year with any record; years after the last record are *missing*, not zero. For a **spell
register** (``SPELL_SOURCES``: records with a start and an optional end, e.g. volunteers,
homework-buddy courses, bydelsmødre, pocket-money jobs, Skur 2's regular users) the last covered
year is the last year in which any spell is *active* (an open spell is active up to the last year
computed), not the last year in which one *starts*. A data folder can state coverage explicitly
in ``manifest.yml`` (``coverage: {source: [years]}``), e.g. when a source truly had no records in
its last year. Aggregate sources are delivered for the rows present.

**A baseline is never a silent zero.** Count indicators carry a ``records`` column: the number of
the source's records (for spell registers: active spells) in each year, before any filter, and
``extra['declared_years']``, the years ``manifest.yml`` declares covered. The status engine treats
a baseline year with no records at all as missing unless the manifest declares it covered.

Person counts in notes are written with :func:`~helhedsplan_eval.formatting.fmt_count` and the
evaluation's disclosure threshold (``status.MIN_CELL``): under it they show as "<5".
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis import status as _status
from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.status import IndicatorSeries

PLAN_START = 2017

# spell registers: source -> (start column(s), first non-empty wins; end column or None)
SPELL_SOURCES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "volunteers": (("start_date",), "end_date"),
    "homework_buddies": (("start_date",), "end_date"),
    "bydelsmoedre": (("active_from", "trained_date"), "active_to"),
    "pocket_money_jobs": (("start_date",), "end_date"),
    "skur2_regulars": (("regular_since",), None),
}


def _n(n) -> str:
    """A count of persons in a note, with disclosure control ("<5")."""
    return F.fmt_count(n, _status.MIN_CELL)


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
    ends = df[end_col] if end_col and end_col in df else None
    for i, st in start.items():
        y0 = _year_of(st)
        if y0 is None:
            continue
        y1 = _year_of(ends.at[i]) if ends is not None else None
        y1 = horizon if y1 is None else y1
        for y in range(y0, max(y0, y1) + 1):
            counts[y] = counts.get(y, 0) + 1
    return counts


def covered_years(bundle: DataBundle, source: str, record_years=(), horizon: int | None = None) -> set[int]:
    """The years a source is delivered for (see the module docstring). For a spell register the
    records' spells are read from the bundle's table (``record_years`` is then not needed)."""
    declared = declared_years(bundle, source)
    if declared is not None:
        return declared
    if source in SPELL_SOURCES and bundle.table(source) is not None:
        df = bundle.table(source)
        starts = [_year_of(d) for c in SPELL_SOURCES[source][0] if c in df for d in df[c]]
        starts = [y for y in starts if y is not None]
        if horizon is None:
            horizon = max(starts) if starts else PLAN_START
        active = spell_counts(df, source, horizon)
        if not active:
            return set()
        return set(range(min(min(active), PLAN_START), max(active) + 1))
    ys = [int(y) for y in record_years if y is not None and not (isinstance(y, float) and math.isnan(y))]
    if not ys:
        return set()
    return set(range(min(min(ys), PLAN_START), max(ys) + 1))


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
        return sorted({y for y in df[col].map(_year_of) if y is not None})
    if col and col in df:
        return sorted(covered_years(bundle, name, df[col].map(_year_of)))
    return None


def _year_of(d) -> int | None:
    if d is None:
        return None
    try:
        if pd.isna(d):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(d, (dt.date, pd.Timestamp)):
        return d.year
    return int(str(d)[:4])


def _records(bundle: DataBundle, source: str, record_years, years) -> tuple[dict, dict]:
    """Per year: the number of the source's records (spell registers: active spells), and the
    ``extra`` entry naming the years the manifest declares covered."""
    df = bundle.table(source)
    if source in SPELL_SOURCES and df is not None:
        c = spell_counts(df, source, max(years))
        recs = {y: float(c.get(y, 0)) for y in years}
    else:
        ys = pd.Series([_year_of(v) for v in record_years], dtype=object)
        recs = {y: float((ys == y).sum()) for y in years}
    return recs, {"declared_years": sorted(declared_years(bundle, source) or [])}


def _count_by_year(bundle, source, df, date_col, years, unit="count", name="", mask=None, value_col=None, how="count"):
    yrs = df[date_col].map(_year_of)
    cov = covered_years(bundle, source, yrs, horizon=max(years))
    recs, extra = _records(bundle, source, yrs, years)
    sel = df if mask is None else df[mask]
    sel_years = sel[date_col].map(_year_of)
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
        if missing and any(y >= PLAN_START for y in missing) else []
    return IndicatorSeries(name, unit, _frame(years, value=vals, records=recs), list(years), notes=notes, extra=extra)


# ----------------------------------------------------------------------------- inspector, police, registers

@indicator("complaints_common_areas", sources=("inspector_complaints",))
def complaints_common_areas(bundle: DataBundle, years):
    df = bundle.table("inspector_complaints")
    if df is None:
        return _empty("complaints_common_areas", "count", years, "Inspektørkontorets registreringer er ikke leveret.")
    return _count_by_year(bundle, "inspector_complaints", df, "date", years, name="complaints_common_areas",
                          mask=df["common_area"] == True)  # noqa: E712


@indicator("vandalism_costs", sources=("vandalism_bills",))
def vandalism_costs(bundle: DataBundle, years):
    df = bundle.table("vandalism_bills")
    if df is None:
        return _empty("vandalism_costs", "kr", years, "Inspektørkontorets opgørelse af hærværk er ikke leveret.")
    return _count_by_year(bundle, "vandalism_bills", df, "date", years, unit="kr", name="vandalism_costs",
                          value_col="amount_dkk", how="sum")


@indicator("concern_cases", sources=("infohuset_cases",))
def concern_cases(bundle: DataBundle, years):
    df = bundle.table("infohuset_cases")
    if df is None:
        return _empty("concern_cases", "count", years, "Infohusets opgørelse er ikke leveret.")
    vals = {int(r.year): float(r.cases) for r in df.itertuples()}
    return IndicatorSeries("concern_cases", "count", _frame(years, value=vals), list(years))


def _area_vs(df: pd.DataFrame, years, value_col: str, comp_label: str, with_nd: bool = True):
    area = df[df["population"] == "område"].set_index("year")
    comp = df[df["population"] == comp_label].set_index("year")
    cols = {"value": {int(y): float(v) for y, v in area[value_col].items() if v is not None},
            "comparison": {int(y): float(v) for y, v in comp[value_col].items() if v is not None}}
    if with_nd and "numerator" in area:
        cols["numerator"] = {int(y): float(v) for y, v in area["numerator"].items() if v is not None}
        cols["denominator"] = {int(y): float(v) for y, v in area["denominator"].items() if v is not None}
    if "respondents" in area:
        cols["n"] = {int(y): float(v) for y, v in area["respondents"].items() if v is not None}
    return _frame(years, **cols)


@indicator("register_measure", sources=("register_measures",))
def register_measure(bundle: DataBundle, years, measure: str):
    df = bundle.table("register_measures")
    if df is None:
        return _empty(f"register_measure:{measure}", "pct", years, "LBF/DST-registerdata er ikke leveret.")
    part = df[df["measure"] == measure]
    s = IndicatorSeries(f"register_measure:{measure}", "pct", _area_vs(part, years, "value_pct", "kommune"), list(years))
    if part.empty:
        s.source_missing = True
        s.notes.append(f"Målingen {measure} findes ikke i registerdata.")
    return s


@indicator("police_safety", sources=("police_safety",))
def police_safety(bundle: DataBundle, years):
    df = bundle.table("police_safety")
    if df is None:
        return _empty("police_safety", "pct", years, "Politiets tryghedsindeks er ikke leveret.")
    s = IndicatorSeries("police_safety", "pct", _area_vs(df, years, "share_safe_pct", "politikreds", with_nd=False),
                        list(years))
    miss = [y for y in years if y >= PLAN_START and not s.has(y)]
    if miss:
        s.notes.append(f"Tryghedsundersøgelsen foreligger ikke for {', '.join(map(str, miss))}.")
    return s


@indicator("bkf_measure", sources=("bkf_measures",))
def bkf_measure(bundle: DataBundle, years, measure: str):
    df = bundle.table("bkf_measures")
    unit = "pct" if measure == "dubu" else "rate"
    if df is None:
        return _empty(f"bkf_measure:{measure}", unit, years, "BKF's opgørelse er ikke leveret.")
    part = df[df["measure"] == measure]
    # a no-show rate per 100 children is not a share of persons: no Wilson interval for it
    return IndicatorSeries(f"bkf_measure:{measure}", unit, _area_vs(part, years, "value", "kommune",
                                                                     with_nd=(measure == "dubu")), list(years))


@indicator("youth_public_support", sources=("public_support",))
def youth_public_support(bundle: DataBundle, years):
    df = bundle.table("public_support")
    if df is None:
        return _empty("youth_public_support", "pct", years, "Ledelsescockpittets opgørelse er ikke leveret.")
    return IndicatorSeries("youth_public_support", "pct", _area_vs(df, years, "value_pct", "kommune"), list(years))


@indicator("ung_i_gladsaxe_participants", sources=("ung_i_gladsaxe",))
def ung_i_gladsaxe_participants(bundle: DataBundle, years):
    df = bundle.table("ung_i_gladsaxe")
    if df is None:
        return _empty("ung_i_gladsaxe_participants", "count", years, "Ung i Gladsaxes opgørelse er ikke leveret.")
    part = df[df["activity"] == "dialogprojekt"]
    return IndicatorSeries("ung_i_gladsaxe_participants", "count",
                           _frame(years, value={int(r.year): float(r.participants) for r in part.itertuples()}), list(years))


# ----------------------------------------------------------------------------- logbook

def _events(bundle):
    ev = bundle.table("logbook_events")
    if ev is None:
        return None, None
    ev = ev.copy()
    ev["year"] = ev["date"].map(_year_of)
    return ev, covered_years(bundle, "logbook_events", ev["year"])


def _attendance(bundle):
    ev, cov = _events(bundle)
    at = bundle.table("logbook_attendance")
    if ev is None or at is None:
        return None, None
    m = at.merge(ev[["event_id", "activity", "year"]], on="event_id", how="inner")
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


@indicator("activity_events", sources=("logbook_events",))
def activity_events(bundle, years, activity: str):
    return _event_count(bundle, years, f"activity_events:{activity}", lambda e: e["activity"] == activity)


@indicator("mean_headcount", sources=("logbook_events",))
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


@indicator("unique_participants", sources=("logbook_events", "logbook_attendance"))
def unique_participants(bundle, years, activity: str):
    """Unique registered participants (volunteers excluded) of an activity per year; ``extra`` has
    the sum of headcounts for comparison."""
    m, cov = _attendance(bundle)
    name = f"unique_participants:{activity}"
    if m is None:
        return _empty(name, "count", years, "Logbogen er ikke leveret.")
    sel = m[(m["activity"] == activity) & m["role"].isin(PARTICIPANT_ROLES)]
    ev, _ = _events(bundle)
    vals, heads = {}, {}
    for y in years:
        if y in cov:
            vals[y] = float(sel[sel["year"] == y]["person_id"].nunique())
            heads[y] = float(ev[(ev["activity"] == activity) & (ev["year"] == y)]["headcount"].sum())
    return IndicatorSeries(name, "count", _frame(years, value=vals, headcount_sum=heads), list(years))


@indicator("regular_share", sources=("logbook_events", "logbook_attendance"))
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
    vals = {y: float(sel[sel["year"] == y]["household_id"].nunique()) for y in years if y in cov}
    return IndicatorSeries("course_families", "count", _frame(years, value=vals), list(years), notes=notes)


def _cumulative(name, first_year_of: pd.Series, years, cov, start=PLAN_START):
    """first_year_of: unit -> the year it is first counted. Returns cumulative and new counts."""
    vals, new = {}, {}
    for y in years:
        if y < start or y not in cov:
            continue
        new[y] = float((first_year_of == y).sum())
        vals[y] = float(((first_year_of >= start) & (first_year_of <= y)).sum())
    return _frame(years, value=vals, new=new)


@indicator("active_parents", sources=("logbook_events", "logbook_attendance"))
def active_parents(bundle, years, roles=("forælder",),
                   activities=("foraeldrecafe", "bydelsmoedre", "familiekursus"), alternative_roles=None):
    """Unique persons with one of ``roles`` at the ``activities`` (forældrecafé, bydelsmødre and
    family courses), cumulative from 2017. ``alternative_roles`` ({reading: [roles]}) computes other
    readings beside it, in ``extra['alternative_series']`` (the status engine evaluates them)."""
    m, cov = _attendance(bundle)
    if m is None:
        return _empty("active_parents", "count", years, "Logbogen er ikke leveret.")

    def frame(rs):
        sel = m[m["activity"].isin(tuple(activities)) & m["role"].isin(tuple(rs))]
        sel = sel[sel["year"] >= PLAN_START]
        first = sel.groupby("person_id")["year"].min()
        return _cumulative("active_parents", first, years, cov)

    extra = {}
    if alternative_roles:
        extra["alternative_series"] = {
            reading: IndicatorSeries("active_parents", "count", frame(rs), list(years))
            for reading, rs in alternative_roles.items()}
    return IndicatorSeries("active_parents", "count", frame(roles), list(years), extra=extra)


# ----------------------------------------------------------------------------- bydelsmødre

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
    yrs = bm["trained_date"].map(_year_of)
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
    yrs = v["date"].map(_year_of)
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
    yrs = df["date"].map(_year_of)
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


@indicator("outreach_new_regulars", sources=("skur2_outreach", "skur2_regulars"))
def outreach_new_regulars(bundle, years):
    """Persons visited by the outreach work who became regular users of Skur 2 on or after their
    first visit, counted once, cumulative from 2017."""
    vis, reg = bundle.table("skur2_outreach"), bundle.table("skur2_regulars")
    if vis is None or reg is None:
        return _empty("outreach_new_regulars", "count", years, "Skur 2's registre er ikke leveret.")
    first_visit = vis.groupby("person_id")["date"].min()
    r = reg[reg["person_id"].isin(first_visit.index)].copy()
    r = r[r.apply(lambda x: x["regular_since"] >= first_visit[x["person_id"]], axis=1)] if len(r) else r
    first_year = r.set_index("person_id")["regular_since"].map(_year_of) if len(r) else pd.Series(dtype=float)
    # covered when either register covers the year: the regular users' register is a spell register
    # (regular since …, still regular), so a year with regular users but no outreach visit is covered too
    cov = (covered_years(bundle, "skur2_outreach", vis["date"].map(_year_of), horizon=max(years))
           | covered_years(bundle, "skur2_regulars", horizon=max(years)))
    notes = []
    not_visited = int((~reg["person_id"].isin(first_visit.index)).sum())
    if not_visited:
        notes.append(f"{_n(not_visited)} regelmæssige brugere er ikke kommet via opsøgende besøg og tæller ikke med.")
    return IndicatorSeries("outreach_new_regulars", "count", _cumulative("x", first_year, years, cov), list(years),
                           notes=notes)


# ----------------------------------------------------------------------------- youth

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
    d["year"] = d["end_date"].map(_year_of)
    return _share_by_year(bundle, "pocket_money_jobs", d, years, "pocket_money_moved_on",
                          lambda p: p["moved_on"] == "ja", include_mask=lambda p: p["moved_on"] != "ukendt",
                          note_excluded="Lommepengejobbere med ukendt forløb indgår ikke:")


@indicator("micro_businesses", sources=("micro_businesses",))
def micro_businesses(bundle, years):
    df = bundle.table("micro_businesses")
    if df is None:
        return _empty("micro_businesses", "count", years, "Opgørelsen af mikrovirksomheder er ikke leveret.")
    first = df.set_index("business_id")["founded_date"].map(_year_of)
    cov = covered_years(bundle, "micro_businesses", first)
    return IndicatorSeries("micro_businesses", "count", _cumulative("m", first, years, cov), list(years))


@indicator("leisure_jobs_established", sources=("leisure_jobs",))
def leisure_jobs_established(bundle, years):
    """Leisure jobs and internships established by volunteers ('Frivillige etablerer ...')."""
    df = bundle.table("leisure_jobs")
    if df is None:
        return _empty("leisure_jobs_established", "count", years, "Opgørelsen af fritidsjob er ikke leveret.")
    s = _count_by_year(bundle, "leisure_jobs", df, "established_date", years, name="leisure_jobs_established",
                       mask=df["established_by"] == "frivillig")
    others = int((df["established_by"] != "frivillig").sum())
    if others:
        s.notes.append(f"{_n(others)} job/praktikpladser etableret af andre end frivillige tæller ikke med.")
    return s


@indicator("homework_cafe_regulars", sources=("homework_cafe_visits",))
def homework_cafe_regulars(bundle, years, more_than: int):
    """Unique persons with more than ``more_than`` visits in the year (the catalogue: 3), both
    cafés added up per person."""
    df = bundle.table("homework_cafe_visits")
    if df is None:
        return _empty("homework_cafe_regulars", "count", years, "URK's logbog er ikke leveret.")
    yrs = df["date"].map(_year_of)
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
    for r in df.itertuples():
        two = _add_months(r.start_date, int(min_months))
        end = r.end_date if r.end_date is not None else dt.date(last_year, 12, 31)
        if two <= end:
            reach[r.course_id] = two.year
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
    for y in years:
        if y in cov:
            s, e = dt.date(y, 1, 1), dt.date(y, 12, 31)
            act = df[(df["start_date"] <= e) & (df["end_date"].isna() | df["end_date"].map(lambda d: d is not None and d >= s))]
            vals[y] = float(act["volunteer_id"].nunique())
    return IndicatorSeries("active_volunteers", "count", _frame(years, value=vals, records=recs), list(years),
                           extra=extra)


# ----------------------------------------------------------------------------- assessments

@indicator("assessment", sources=("assessments",))
def assessment(bundle, years, criterion_id: str):
    """Milestones and qualitative assessments: ``extra['history']`` lists every record for the
    criterion (date, assessment, by, rationale, evidence); the evaluators pick the one for the year."""
    df = bundle.table("assessments")
    if df is None:
        return _empty(f"assessment:{criterion_id}", "text", years, "Registret over milepæle og vurderinger er ikke leveret.",
                      history=[])
    part = df[df["criterion_id"] == criterion_id].sort_values("date")
    hist = [dict(date=r.date.isoformat(), assessment=r.assessment, by=r.assessed_by, rationale=r.rationale,
                 evidence=r.evidence) for r in part.itertuples()]
    return IndicatorSeries(f"assessment:{criterion_id}", "text", _frame(years, value={}), list(years),
                           extra={"history": hist})
