"""Metrics per stream and year (:func:`summarise`, :func:`stream_table`), :class:`FitData` and
:func:`prepare` / :func:`from_bundle`, the participation counts.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from helhedsplan_eval.analysis.stats import wilson_interval
from helhedsplan_eval.analysis.fit.params import ADMIN_FILE, CATEGORIES, COLLATERAL_YEARS, COURSE_FILE, DEFAULT_RELIABILITY, DEFAULT_THRESHOLD, MIN_ITEM_SETS_FOR_ALPHA, Problem, SRS_CONCERN, SRS_SCALE
from helhedsplan_eval.analysis.fit.formulas import classify_change, cronbach_alpha, rci_points
from helhedsplan_eval.analysis.fit.scoring import score_administrations
from helhedsplan_eval.analysis.fit.episodes import add_classification, build_episodes, unit_outcomes




def _share(k, n):
    if not n:
        return math.nan, math.nan, math.nan
    lo, hi = wilson_interval(k, n)
    return 100.0 * k / n, 100.0 * lo, 100.0 * hi


def _episode_metrics(ep: pd.DataFrame, a: pd.DataFrame) -> dict:
    """Counts, means, the change's interval and effect sizes over the episodes (``a``: the analysable)."""
    n = len(a)
    m: dict = {
        "n_started": len(ep),
        "n_analysable": n,
        "n_single_score": int((~ep["analysable"].astype(bool)).sum()),
        "n_families": int(ep["family_id"].nunique()),
    }
    intake, last, change = a["intake"].astype(float), a["last"].astype(float), a["change"].astype(float)
    m["mean_intake"] = intake.mean() if n else math.nan
    m["mean_last"] = last.mean() if n else math.nan
    m["mean_change"] = change.mean() if n else math.nan
    m["sd_intake"] = intake.std(ddof=1) if n >= 2 else math.nan
    m["sd_change"] = change.std(ddof=1) if n >= 2 else math.nan
    if n >= 2 and m["sd_change"] > 0:
        ci = _st.ttest_1samp(change.to_numpy(), 0.0).confidence_interval(0.95)
        m["change_ci_low"], m["change_ci_high"] = float(ci.low), float(ci.high)
    elif n >= 2:
        m["change_ci_low"] = m["change_ci_high"] = m["mean_change"]
    else:
        m["change_ci_low"] = m["change_ci_high"] = math.nan
    m["d_intake"] = m["mean_change"] / m["sd_intake"] if n >= 2 and m["sd_intake"] > 0 else math.nan
    m["d_z"] = m["mean_change"] / m["sd_change"] if n >= 2 and m["sd_change"] > 0 else math.nan
    return m


def _unit_shares(units: pd.DataFrame) -> dict:
    """The units and the shares of them improved under the three readings, with Wilson intervals."""
    nu = len(units)
    below = units["below"].astype(bool) if nu else pd.Series(dtype=bool)
    m: dict = {"n_units": nu, "n_units_below": int(below.sum())}
    m["n_units_above"] = nu - m["n_units_below"]
    k_lit = int(units["improved_literal"].astype(bool).sum()) if nu else 0
    k_rel = int(units["improved_reliable"].astype(bool).sum()) if nu else 0
    k_below = int((units.loc[below, "improved_below"] == 1).sum()) if nu else 0
    m["n_improved_literal"] = k_lit
    m["share_improved_literal"], m["literal_ci_low"], m["literal_ci_high"] = _share(k_lit, nu)
    m["n_improved_reliable"] = k_rel
    m["share_improved_reliable"], m["reliable_ci_low"], m["reliable_ci_high"] = _share(k_rel, nu)
    m["n_improved_below"] = k_below
    m["share_improved_below"], m["below_ci_low"], m["below_ci_high"] = _share(k_below, m["n_units_below"])
    return m


def _data_rci(a: pd.DataFrame, units: pd.DataFrame, sd_intake: float, default_reliability: float) -> dict:
    """The Jacobson-Truax RCI from the data (alpha of the intake items, or the standard value) and
    the share of units improving beyond it."""
    m: dict = {}
    items = a.loc[a["intake_complete"].astype(bool), [f"intake_item{j}" for j in range(1, 5)]]
    alpha = cronbach_alpha(items) if len(items) >= MIN_ITEM_SETS_FOR_ALPHA else math.nan
    if np.isfinite(alpha) and 0 < alpha < 1:
        m["reliability"], m["reliability_source"] = alpha, "data"
    else:
        m["reliability"], m["reliability_source"] = default_reliability, "standard"
    m["rci_data"] = rci_points(sd_intake, m["reliability"]) if len(a) >= 2 else math.nan
    nu = len(units)
    if np.isfinite(m["rci_data"]) and nu:
        k_rci = int((classify_change(units["change"], m["rci_data"], strict=True) == "improvement").sum())
        m["n_improved_rci_data"] = k_rci
        m["share_improved_rci_data"] = _share(k_rci, nu)[0]
    else:
        m["n_improved_rci_data"], m["share_improved_rci_data"] = (math.nan, math.nan)
    return m


def summarise(ep: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD,
              default_reliability: float = DEFAULT_RELIABILITY, units: pd.DataFrame | None = None) -> dict:
    """All metrics of the spec for one set of episodes (one stream, one year or a pooled period).

    Counts, means, effect sizes and categories are per episode; the shares that the criteria
    judge (``n_units``, ``n_improved_*``, ``share_*``) are per unit (parent or referrer, see
    :func:`unit_outcomes`); ``units`` defaults to the units of ``ep``. The keys' order is the
    order of the columns of :func:`stream_table`."""
    ep = add_classification(ep, threshold) if "category" not in ep else ep
    if units is None:
        units = unit_outcomes(ep, threshold)
    a = ep[ep["analysable"].astype(bool)]
    m = _episode_metrics(ep, a)
    m.update(_unit_shares(units))
    m["n_unchanged_reliable"] = int((a["change_class"] == "no_change").sum())
    m["n_deteriorated_reliable"] = int((a["change_class"] == "deterioration").sum())
    m["threshold"] = threshold
    m.update(_data_rci(a, units, m["sd_intake"], default_reliability))
    for c in CATEGORIES:
        m[f"n_{c}"] = int((a["category"] == c).sum())
    m["n_intake_at_or_above_cutoff"] = int((a["intake"] >= a["cutoff"]).sum())
    m["n_intake_below_cutoff"] = len(a) - m["n_intake_at_or_above_cutoff"]
    return m


def _reading_keys(reading: str) -> tuple[str, str]:
    """(numerator key, denominator key) of a reading in :func:`summarise`'s metrics."""
    if reading == "literal":
        return "n_improved_literal", "n_units"
    if reading == "reliable":
        return "n_improved_reliable", "n_units"
    if reading == "reliable_below":
        return "n_improved_below", "n_units_below"
    raise ValueError(f"unknown reading {reading!r}; expected 'literal', 'reliable' or 'reliable_below'")


@dataclass
class FitData:
    """Scored forms, episodes (classified) and problems of one data set."""

    scored: pd.DataFrame
    episodes: pd.DataFrame
    courses: pd.DataFrame | None
    problems: list[Problem]
    threshold: float = DEFAULT_THRESHOLD
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: tuple, compute):
        """``compute()`` once per ``key`` for this data set, a copy for every caller. The board functions ask for
        the same stream tables many times (the FIT page's 56 stream tables are 12 different ones); the tables of
        a FitData are never changed in place (from_bundle already shares one FitData by identity)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key].copy()

    @property
    def years_with_data(self) -> set[int]:
        """Calendar years in which any form (of any kind) was administered."""
        if len(self.scored) == 0:
            return set()
        return {int(y) for y in self.scored["year"].dropna().unique()}


def prepare(administrations: pd.DataFrame | None, courses: pd.DataFrame | None = None,
            threshold: float = DEFAULT_THRESHOLD) -> FitData:
    """Score, validate and build classified episodes from the two FIT tables."""
    scored, problems = score_administrations(administrations)
    if courses is not None and len(scored):
        known = set(courses["course_id"].astype(str))
        unknown = ~scored["course_id"].astype(str).isin(known)
        for line, val in zip(scored.loc[unknown, "_line"], scored.loc[unknown, "course_id"]):
            problems.append(Problem(ADMIN_FILE, int(line), "course_id", val,
                                    f"findes ikke i {COURSE_FILE}", "warning", in_contract=True))
    ep, p2 = build_episodes(scored)
    problems.extend(p2)
    ep = add_classification(ep, threshold)
    return FitData(scored=scored, episodes=ep, courses=courses, problems=problems, threshold=threshold)


def from_bundle(bundle, threshold: float = DEFAULT_THRESHOLD) -> FitData | None:
    """FitData from a DataBundle, or None when ``fit_administrations`` was not delivered."""
    adm = bundle.table("fit_administrations")
    if adm is None:
        return None
    courses = bundle.table("fit_courses")
    # the board functions ask for the same data many times; tables are never changed in place here
    for a, c, t, fd in _PREPARED:
        if a is adm and c is courses and t == threshold:
            return fd
    fd = prepare(adm, courses, threshold)
    _PREPARED.insert(0, (adm, courses, threshold, fd))
    del _PREPARED[4:]
    return fd


_PREPARED: list = []  # the last few (administrations, courses, threshold, FitData), by object identity


def stream_table(fd: FitData, stream: str, years, include_total: bool = True) -> pd.DataFrame:
    """Numeric metrics (columns) for one stream by year (index), plus a pooled 'i alt' row.

    A year in which no form of any kind exists is missing (all NaN), not zero. Stream C rows
    outside 2018-2019 are NaN (not applicable); its pooled row covers 2018-2019 only. Computed once per
    data set and arguments (:meth:`FitData.memo`)."""
    key = ("stream_table", stream, tuple(int(y) for y in years), bool(include_total), float(fd.threshold))
    return fd.memo(key, lambda: _stream_table(fd, stream, years, include_total))


def _stream_table(fd: FitData, stream: str, years, include_total: bool) -> pd.DataFrame:
    rows = {}
    ep_s = fd.episodes[fd.episodes["stream"] == stream]
    units = unit_outcomes(ep_s, fd.threshold)
    have = fd.years_with_data
    pooled_years = []
    for y in years:
        y = int(y)
        if stream == "C" and y not in COLLATERAL_YEARS:
            rows[y] = {}
            continue
        if y not in have:
            rows[y] = {}
            continue
        pooled_years.append(y)
        rows[y] = summarise(ep_s[ep_s["year"] == y], fd.threshold, units=units[units["unit_year"] == y])
    if include_total:
        label = "i alt"
        rows[label] = (summarise(ep_s[ep_s["year"].isin(pooled_years)], fd.threshold,
                                 units=units[units["unit_year"].isin(pooled_years)]) if pooled_years else {})
    out = pd.DataFrame.from_dict(rows, orient="index")
    template = summarise(ep_s.iloc[0:0], fd.threshold).keys()
    return out.reindex(columns=list(template))


def specialgruppe_size(fd: FitData, years) -> pd.Series:
    """Number of distinct families with any specialgruppe form in each year (NaN: no data that year)."""
    s = fd.scored
    out = {}
    have = fd.years_with_data
    for y in years:
        if int(y) not in have:
            out[int(y)] = math.nan
        else:
            sub = s[(s["year"] == int(y)) & (s["group"] == "special")]
            out[int(y)] = float(sub["family_id"].nunique())
    return pd.Series(out, name="specialgruppe_familier", dtype=float)


def srs_summary(fd: FitData, years) -> pd.DataFrame:
    """SRS (session alliance): sessions, families, mean total and share of sessions under 36, by year."""
    s = fd.scored[fd.scored["scale"].astype("object") == SRS_SCALE]
    have = fd.years_with_data
    rows = {}
    for y in years:
        y = int(y)
        if y not in have:
            rows[y] = {"n_sessions": math.nan, "n_families": math.nan, "mean_srs": math.nan, "share_under_36": math.nan}
            continue
        sub = s[s["year"] == y]
        n = len(sub)
        rows[y] = {
            "n_sessions": float(n),
            "n_families": float(sub["family_id"].nunique()),
            "mean_srs": sub["score"].mean() if n else math.nan,
            "share_under_36": 100.0 * (sub["score"] < SRS_CONCERN).sum() / n if n else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def courses_per_year(fd: FitData, years) -> pd.Series:
    """Number of courses starting in each year (NaN when the course list is missing)."""
    c = fd.courses
    if c is None:
        return pd.Series({int(y): math.nan for y in years}, dtype=float)
    start = pd.to_datetime(c["start_date"], errors="coerce", format="ISO8601")
    return pd.Series({int(y): float((start.dt.year == int(y)).sum()) for y in years}, dtype=float)
