"""Episodes (course x rated person x rater x stream), their raters, units and classification.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helhedsplan_eval.analysis.fit.params import ADMIN_FILE, COLLATERAL_YEARS, DEFAULT_THRESHOLD, ITEM_COLS, Problem
from helhedsplan_eval.analysis.fit.formulas import _clean_delta, classify_change, cutoff_for_age, jt_category



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
    from two raters (e.g. mother and father), which only ``rater_id`` can tell apart."""
    problems: list[Problem] = []
    df = df.copy()
    df["rater_key"] = df["rater_id"].astype(str)
    own = df["stream"] == "A"
    df.loc[own, "rater_key"] = df.loc[own, "rated_person_id"].astype(str)
    keep = np.ones(len(df), dtype=bool)
    grp = ["stream", "course_id", "rated_person_id"]
    for _key, idx in df[~own].groupby(grp, sort=False, dropna=False).groups.items():
        sub = df.loc[idx]
        known = sorted(set(sub["rater_key"]) - {""})
        blank = sub.index[sub["rater_key"] == ""]
        if len(known) == 1:
            df.loc[blank, "rater_key"] = known[0]
        elif len(known) > 1:
            for i in blank:
                problems.append(Problem(ADMIN_FILE, int(df.at[i, "_line"]), "rater_id", None,
                                        f"tom, men {len(known)} forskellige bedømmere har vurderet samme person i "
                                        "samme kursus; skemaet kan ikke placeres i et forløb og er udeladt"))
                keep[df.index.get_loc(i)] = False
        else:
            dup = sub[sub.duplicated("date", keep="first")]
            for line in dup["_line"]:
                problems.append(Problem(ADMIN_FILE, int(line), "rater_id", None,
                                        "to skemaer samme dag om samme person i samme kursus uden rater_id; er de "
                                        "udfyldt af to forskellige (fx mor og far), skal rater_id angives, ellers "
                                        "lægges de i ét forløb", "warning"))
    return df[keep], problems


def build_episodes(scored: pd.DataFrame, collateral_years=COLLATERAL_YEARS) -> tuple[pd.DataFrame, list[Problem]]:
    """Episodes per course x rated person x rater x stream from scored ORS/CORS forms.

    Forms are ordered by date, then by the number in the administration id (natural order), then
    by file line. Stream C keeps only specialgruppe forms (others: warning, left out); all of its
    forms build episodes, whatever their year, so an episode that crosses 1 January keeps its
    intake. Which episodes count for FF-FAM-4 is decided by the episode's year (its last score),
    see :func:`stream_table`. ``collateral_years`` is kept for backward compatibility."""
    problems: list[Problem] = []
    if scored is None or len(scored) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    df = scored[scored["stream"].notna()].copy()
    if "rater_id" not in df:
        df["rater_id"] = ""
    if "_admin_order" not in df:
        df["_admin_order"] = 0
    is_c = df["stream"] == "C"
    almen_c = is_c & (df["group"] != "special")
    for line in df.loc[almen_c, "_line"]:
        problems.append(Problem(ADMIN_FILE, int(line), "group", "almen",
                                "collateral scores fra henvisere findes kun for specialgruppen; rækken er udeladt",
                                "warning"))
    df = df[~almen_c]
    if len(df) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    df, p2 = _resolve_raters(df)
    problems.extend(p2)
    if len(df) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    df = df.sort_values(EPISODE_KEY + ["date", "_admin_order", "_line"], kind="mergesort")
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
    ep["special"] = g["group"].agg(lambda s: bool((s == "special").any()))
    ep["rated_age"] = g["rated_age"].agg(lambda s: s.dropna().iloc[0] if s.notna().any() else np.nan)
    ep = ep.reset_index()
    ep["cutoff"] = [cutoff_for_age(a, s) for a, s in zip(ep["rated_age"], ep["stream"])]
    ep["intake_complete"] = first["item_complete"].to_numpy()
    for j, c in enumerate(ITEM_COLS, start=1):
        ep[f"intake_item{j}"] = first[c + "_scored"].to_numpy()
    # the agreement's unit: the parent (A), the rating parent (B), the referring partner (C);
    # without a rater id each episode is its own rater, as before
    ep["unit_id"] = np.where(ep["rater_key"] != "", ep["stream"] + "|" + ep["rater_key"],
                             ep["stream"] + "|" + ep["course_id"].astype(str) + "|" + ep["rated_person_id"].astype(str))
    return ep[EPISODE_COLUMNS], problems


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
