"""Scoring and validating the administered forms (items, totals, codes, dates, rater ids).

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helhedsplan_eval.formatting import fmt_number
from helhedsplan_eval.analysis.fit.params import ADMIN_FILE, ITEM_COLS, OUTCOME_SCALES, Problem, STREAMS, VALID
from helhedsplan_eval.analysis.fit.formulas import items_from_total, natural_key




def _is_blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _to_float(v):
    """(value, ok): blank -> (nan, True); numeric (also '7,5') -> (float, True); else (nan, False)."""
    if _is_blank(v):
        return math.nan, True
    if isinstance(v, str):
        v = v.strip().replace(",", ".")
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan, False
    if not math.isfinite(f):
        return math.nan, False
    return f, True


def _has_more_than_one_decimal(x: float) -> bool:
    return abs(x * 10 - round(x * 10)) > 1e-6


def score_administrations(adm: pd.DataFrame, file: str = ADMIN_FILE) -> tuple[pd.DataFrame, list[Problem]]:
    """Score and validate every administered form.

    Returns the usable rows with added columns ``score`` (0-40), ``score_source`` ('items' or
    'total'), ``item_complete`` (all four items given), ``stream`` ('A'/'B'/'C'/None for SRS),
    ``date`` (Timestamp), ``year``; and the list of problems. Rows with an error are left out."""
    problems: list[Problem] = []
    if adm is None or len(adm) == 0:
        cols = list(adm.columns) if adm is not None else []
        empty = pd.DataFrame(columns=cols + ["score", "score_source", "item_complete", "stream", "year"])
        return empty, problems
    # line numbers as a person sees them: the bundle's index is the Excel row (header = 1); a plain
    # frame (0, 1, 2, ...) gets row = position + 2
    if isinstance(adm.index, pd.RangeIndex) and adm.index.start == 0 and adm.index.step == 1:
        lines = np.arange(len(adm)) + 2
    else:
        lines = pd.to_numeric(pd.Series(adm.index), errors="coerce").fillna(-1).astype(int).to_numpy()
        if (lines < 1).any():
            lines = np.arange(len(adm)) + 2
    df = adm.reset_index(drop=True).copy()
    keep = np.ones(len(df), dtype=bool)
    scores = np.full(len(df), np.nan)
    source = np.array([None] * len(df), dtype=object)
    complete = np.zeros(len(df), dtype=bool)
    items_out = np.full((len(df), 4), np.nan)
    dates = pd.to_datetime(df["date"], errors="coerce", format="ISO8601") if "date" in df else None

    def err(i, col, val, expected, severity="error", in_contract=False):
        problems.append(Problem(file, int(lines[i]), col, val, expected, severity, in_contract))
        if severity == "error":
            keep[i] = False

    for i in range(len(df)):
        row = df.iloc[i]
        for col, allowed in VALID.items():
            val = row.get(col)
            if _is_blank(val) or str(val).strip() not in allowed:
                err(i, col, None if _is_blank(val) else val, f"forventet en af {', '.join(allowed)}",
                    in_contract=True)
        if dates is None or pd.isna(dates.iloc[i]):
            err(i, "date", row.get("date"), "forventet en dato på formen ÅÅÅÅ-MM-DD", in_contract=True)
        if str(row.get("rater")).strip() == "henviser" and str(row.get("about")).strip() == "selv":
            err(i, "about", row.get("about"), "en henviser vurderer kun barnet (forventet 'barn')")
        items = []
        for c in ITEM_COLS:
            f, ok = _to_float(row.get(c))
            if not ok:
                err(i, c, row.get(c), "forventet et tal fra 0 til 10 eller tom", in_contract=True)
            elif not math.isnan(f):
                if not 0 <= f <= 10:
                    err(i, c, row.get(c), "forventet et tal fra 0 til 10", in_contract=True)
                    f = math.nan
                elif _has_more_than_one_decimal(f):
                    err(i, c, row.get(c), "højst én decimal forventet (mm på en 10 cm-linje)", "warning")
            items.append(f)
        total, ok = _to_float(row.get("total"))
        if not ok:
            err(i, "total", row.get("total"), "forventet et tal fra 0 til 40 eller tom", in_contract=True)
        elif not math.isnan(total) and not 0 <= total <= 40:
            err(i, "total", row.get("total"), "forventet et tal fra 0 til 40", in_contract=True)
            total = math.nan
        given = [x for x in items if not math.isnan(x)]
        if len(given) == 4:
            s = float(sum(items))
            complete[i] = True
            items_out[i] = items
            if not math.isnan(total) and abs(s - total) > 0.05 + 1e-9:
                err(i, "total", row.get("total"), f"stemmer ikke med summen af de fire items ({fmt_number(s, 1)})",
                    in_contract=True)
            scores[i], source[i] = s, "items"
        elif not math.isnan(total):
            scores[i], source[i] = total, "total"
            items_out[i] = items_from_total(total)
            if given:
                err(i, "item1-item4", f"{len(given)} af 4 items", "delvise items ignoreret; totalen er brugt", "warning")
        else:
            missing = [c for c, x in zip(ITEM_COLS, items) if math.isnan(x)]
            err(
                i,
                ",".join(missing) if given else "total",
                None,
                "mangler: en score kræver alle fire items eller en total (et manglende item tælles aldrig som 0)",
                in_contract=True,
            )
        if keep[i] and scores[i] == 0:
            err(i, "total" if source[i] == "total" or not math.isnan(total) else "item1-item4", 0,
                "en samlet score på 0 er usædvanlig; kontrollér, at 0 ikke står for manglende svar "
                "(skemaet tæller med)", "warning")
        rid = row.get("rater_id")
        if not _is_blank(rid) and str(row.get("about")).strip() == "selv" \
                and str(rid).strip() != str(row.get("rated_person_id")).strip():
            err(i, "rater_id", "(pseudonym)", "ved en selvvurdering ('selv') skal rater_id være tom eller "
                "den samme som rated_person_id")
    df["score"] = scores
    df["score_source"] = source
    df["item_complete"] = complete
    for j, c in enumerate(ITEM_COLS):
        df[c + "_scored"] = items_out[:, j]
    df["date"] = dates
    df["year"] = dates.dt.year if dates is not None else np.nan
    rater = df["rater"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    about = df["about"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    scale = df["scale"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    stream = np.array([None] * len(df), dtype=object)
    for key, (r, a) in STREAMS.items():
        stream[((rater == r) & (about == a) & scale.isin(OUTCOME_SCALES)).to_numpy()] = key
    df["stream"] = stream
    df["group"] = df["group"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    df["rated_age"] = pd.to_numeric(df.get("rated_age"), errors="coerce")
    df["rater_id"] = (df["rater_id"].astype("object") if "rater_id" in df else pd.Series([None] * len(df)))
    df["rater_id"] = df["rater_id"].map(lambda v: "" if _is_blank(v) else str(v).strip())
    df["_line"] = lines
    ids = df["administration_id"].astype("object").map(lambda v: "" if _is_blank(v) else str(v).strip())
    rank = {a: r for r, a in enumerate(sorted(set(ids), key=natural_key))}
    df["_admin_order"] = ids.map(rank).astype(int)
    out = df.loc[keep].reset_index(drop=True)
    return out, problems
