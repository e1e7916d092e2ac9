"""Episodes (course x rated person x rater x stream), their raters, units and classification.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helhedsplan_eval.analysis.fit.params import (
    ADMIN_FILE, COLLATERAL_YEARS, CUTOFFS, DEFAULT_THRESHOLD, ITEM_COLS, Problem,
)
from helhedsplan_eval.analysis.fit.formulas import _clean_delta, classify_change, jt_category

EPISODE_COLUMNS = [
    "stream", "course_id", "rated_person_id", "rater_key", "unit_id", "family_id", "n_scores", "intake", "last",
    "change", "year", "intake_year", "analysable", "special", "rated_age", "cutoff", "intake_complete",
    "intake_item1", "intake_item2", "intake_item3", "intake_item4",
]
EPISODE_KEY = ["stream", "course_id", "rated_person_id", "rater_key"]


def _resolve_raters(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Give every outcome form its ``rater_key``.

    A blank ``rater_id`` means "the one rater" of that course, rated person and stream: when the
    other forms of that group name exactly one rater, the blank forms are theirs; when they name
    two or more, a blank form cannot be placed and is left out (error). Forms about the parent's
    own well-being are rated by the parent (key = the parent's id). Without any rater id, two
    forms on the same date about the same child in the same course get a warning: they may come
    from two raters (e.g. mother and father), which only ``rater_id`` can tell apart. Problems
    are listed group by group (in the order the groups first occur), form by form within a group."""
    df = df.copy()
    df["rater_key"] = df["rater_id"].astype(str)
    own = df["stream"] == "A"
    df.loc[own, "rater_key"] = df.loc[own, "rated_person_id"].astype(str)
    keep = np.ones(len(df), dtype=bool)
    others = df[~own]
    if len(others) == 0:
        return df[keep], []
    gid = others.groupby(["stream", "course_id", "rated_person_id"], sort=False, dropna=False).ngroup().to_numpy()
    key = others["rater_key"].to_numpy(dtype=object)
    named = key != ""
    n_known = pd.Series(key[named]).groupby(gid[named]).nunique().reindex(range(gid.max() + 1), fill_value=0)
    n_known = n_known.to_numpy()
    one_name = pd.Series(key[named]).groupby(gid[named]).first().reindex(range(gid.max() + 1)).to_numpy(dtype=object)
    pos = np.flatnonzero(~own.to_numpy())  # positions of ``others`` in ``df``
    fill = ~named & (n_known[gid] == 1)
    df.iloc[pos[fill], df.columns.get_loc("rater_key")] = one_name[gid[fill]]
    found = []
    conflict = ~named & (n_known[gid] > 1)
    for j in np.flatnonzero(conflict):
        found.append((gid[j], j, Problem(ADMIN_FILE, int(others["_line"].iat[j]), "rater_id", None,
                                         f"tom, men {n_known[gid[j]]} forskellige bedømmere har vurderet samme "
                                         "person i samme kursus; skemaet kan ikke placeres i et forløb og er udeladt")))
    keep[pos[conflict]] = False
    unnamed = n_known[gid] == 0
    twin = unnamed & pd.DataFrame({"g": gid, "d": others["date"].to_numpy()}).duplicated(keep="first").to_numpy()
    for j in np.flatnonzero(twin):
        found.append((gid[j], j, Problem(ADMIN_FILE, int(others["_line"].iat[j]), "rater_id", None,
                                         "to skemaer samme dag om samme person i samme kursus uden rater_id; er de "
                                         "udfyldt af to forskellige (fx mor og far), skal rater_id angives, ellers "
                                         "lægges de i ét forløb", "warning")))
    return df[keep], [p for _g, _j, p in sorted(found, key=lambda f: (f[0], f[1]))]


def _outcome_forms(scored: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The ORS/CORS forms that build episodes; referrer forms from the almen group are left out (warning)."""
    df = scored[scored["stream"].notna()].copy()
    if "rater_id" not in df:
        df["rater_id"] = ""
    if "_admin_order" not in df:
        df["_admin_order"] = 0
    almen_c = (df["stream"] == "C") & (df["group"] != "special")
    problems = [Problem(ADMIN_FILE, int(line), "group", "almen",
                        "collateral scores fra henvisere findes kun for specialgruppen; rækken er udeladt", "warning")
                for line in df.loc[almen_c, "_line"]]
    return df[~almen_c], problems


def _cutoffs(age: pd.Series, stream: pd.Series) -> np.ndarray:
    """:func:`cutoff_for_age` for whole columns."""
    age = age.astype(float).to_numpy()
    missing = np.where(stream.to_numpy(dtype=object) == "A", CUTOFFS["adult"], CUTOFFS["child"])
    with np.errstate(invalid="ignore"):
        known = np.where(age >= 18, CUTOFFS["adult"], np.where(age >= 13, CUTOFFS["adolescent"], CUTOFFS["child"]))
    return np.where(np.isnan(age), missing, known)


def _episode_frame(df: pd.DataFrame) -> pd.DataFrame:
    """One row per episode from its forms: intake (first form), last, change, year, unit."""
    df = df.sort_values(EPISODE_KEY + ["date", "_admin_order", "_line"], kind="mergesort")
    df["_special"] = df["group"] == "special"
    g = df.groupby(EPISODE_KEY, sort=True, dropna=False)
    first = g.head(1).set_index(EPISODE_KEY)
    lastrow = g.tail(1).set_index(EPISODE_KEY)
    ep = pd.DataFrame(index=first.index)
    ep["family_id"] = first["family_id"]
    ep["n_scores"] = g.size()
    ep["intake"] = first["score"].astype(float)
    ep["last"] = lastrow["score"].astype(float)
    ep["year"] = lastrow["year"].astype(int)
    ep["intake_year"] = first["year"].astype(int)
    ep["analysable"] = ep["n_scores"] >= 2
    ep["change"] = np.where(ep["analysable"], _clean_delta(ep["last"] - ep["intake"]), np.nan)
    ep.loc[~ep["analysable"], "last"] = np.nan
    ep["special"] = g["_special"].any()
    ep["rated_age"] = g["rated_age"].first()  # the first age given, in the order of the forms
    ep = ep.reset_index()
    ep["cutoff"] = _cutoffs(ep["rated_age"], ep["stream"])
    ep["intake_complete"] = first["item_complete"].to_numpy()
    for j, c in enumerate(ITEM_COLS, start=1):
        ep[f"intake_item{j}"] = first[c + "_scored"].to_numpy()
    # the agreement's unit: the parent (A), the rating parent (B), the referring partner (C);
    # without a rater id each episode is its own rater, as before
    ep["unit_id"] = np.where(ep["rater_key"] != "", ep["stream"] + "|" + ep["rater_key"],
                             ep["stream"] + "|" + ep["course_id"].astype(str) + "|" + ep["rated_person_id"].astype(str))
    return ep[EPISODE_COLUMNS]


def build_episodes(scored: pd.DataFrame, collateral_years=COLLATERAL_YEARS) -> tuple[pd.DataFrame, list[Problem]]:
    """Episodes per course x rated person x rater x stream from scored ORS/CORS forms.

    Forms are ordered by date, then by the number in the administration id (natural order), then
    by file line. Stream C keeps only specialgruppe forms (others: warning, left out); all of its
    forms build episodes, whatever their year, so an episode that crosses 1 January keeps its
    intake. Which episodes count for FF-FAM-4 is decided by the episode's year (its last score),
    see :func:`stream_table`. ``collateral_years`` is kept for backward compatibility."""
    if scored is None or len(scored) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), []
    df, problems = _outcome_forms(scored)
    if len(df) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    df, p2 = _resolve_raters(df)
    problems.extend(p2)
    if len(df) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    return _episode_frame(df), problems


def assign_unit_years(ep: pd.DataFrame, collateral_years=COLLATERAL_YEARS) -> pd.Series:
    """The year in which an episode's unit (parent or referrer) is counted.

    Streams A and B are judged year by year: the episode's year. FF-FAM-4 pools 2018 and 2019,
    so a referring partner must count once: its analysable episodes of 2018-2019 all count in
    the year of its latest one (so a 2018 interim judgement sees only the referrers whose
    ratings all ended in 2018)."""
    uy = ep["year"].astype(float).copy()
    sel = (ep["stream"] == "C") & ep["analysable"].astype(bool) & ep["year"].isin(list(collateral_years))
    if sel.any():
        latest = ep.loc[sel].groupby("unit_id")["year"].transform("max")
        uy.loc[sel] = latest.astype(float)
    return uy


def unit_outcomes(ep: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per counted unit (stream, unit, unit year) from its analysable episodes.

    A unit with several episodes (a parent rating two children, a referrer rating several)
    counts once, with the mean change of its episodes. 'below' units had at least one episode
    starting below the clinical cut-off; their sensitivity outcome uses the mean change of
    those episodes only."""
    cols = ["stream", "unit_id", "unit_year", "n_episodes", "change", "below", "change_below",
            "improved_literal", "improved_reliable", "improved_below"]
    a = ep[ep["analysable"].astype(bool)]
    if len(a) == 0:
        return pd.DataFrame(columns=cols)
    a = a.assign(_below=(a["intake"].astype(float) < a["cutoff"].astype(float)),
                 _chg=a["change"].astype(float))
    a = a.assign(_chg_below=a["_chg"].where(a["_below"]))
    g = a.groupby(["stream", "unit_id", "unit_year"], sort=True)
    u = pd.DataFrame({
        "n_episodes": g.size(),
        "change": g["_chg"].mean(),
        "below": g["_below"].any(),
        "change_below": g["_chg_below"].mean(),
    }).reset_index()
    u["improved_literal"] = _clean_delta(u["change"]) > 0
    u["improved_reliable"] = classify_change(u["change"], threshold) == "improvement"
    u["improved_below"] = np.where(u["below"], classify_change(u["change_below"].fillna(0), threshold)
                                   == "improvement", np.nan)
    return u[cols]


def add_classification(ep: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Add literal/reliable flags and the Jacobson-Truax category to analysable episodes."""
    ep = ep.copy()
    a = ep["analysable"].astype(bool)
    ep["improved_literal"] = np.where(a, ep["change"] > 0, np.nan)
    cls = classify_change(ep["change"], threshold)
    ep["change_class"] = np.where(a, cls, None)
    ep["improved_reliable"] = np.where(a, cls == "improvement", np.nan)
    ep["category"] = np.where(a, jt_category(ep["intake"], ep["last"], ep["cutoff"], threshold), None)
    if "unit_id" not in ep:  # episodes built elsewhere: each episode is its own unit
        ep["unit_id"] = [f"{s}|{c}|{p}" for s, c, p in zip(ep["stream"], ep["course_id"], ep["rated_person_id"])]
    ep["unit_year"] = assign_unit_years(ep)
    return ep
