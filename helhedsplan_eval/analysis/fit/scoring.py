"""Scoring and validating the administered forms (items, totals, codes, dates, rater ids).

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helhedsplan_eval.formatting import fmt_number
from helhedsplan_eval.analysis.fit.params import ADMIN_FILE, ITEM_COLS, OUTCOME_SCALES, Problem, STREAMS, VALID
from helhedsplan_eval.analysis.fit.formulas import _DIGITS, items_from_total, natural_key


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


def _per_value(values: np.ndarray, fn) -> tuple[np.ndarray, list]:
    """(codes, results): ``fn`` of every distinct value once (values equal in Python share a
    result); ``results[codes]`` gives the result of every cell."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return codes, [fn(u) for u in uniques]


def _column(df: pd.DataFrame, name: str) -> np.ndarray:
    """The cells of a column as Python objects (what ``row.get(name)`` gives; None when absent)."""
    if name not in df:
        return np.full(len(df), None, dtype=object)
    return df[name].to_numpy(dtype=object)


def _text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(``str(v).strip()``, :func:`_is_blank`) of every cell; a text column once per distinct text."""
    values = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        codes, blanks = _per_value(values, _is_blank)
        return np.array([str(v).strip() for v in values], dtype=object), np.array(blanks, dtype=bool)[codes]
    codes, uniques = pd.factorize(values)  # missing cells: code -1
    strip = np.array([u.strip() for u in uniques] + [""], dtype=object)
    out, na = strip[codes], codes < 0
    out[na] = np.array([str(v).strip() for v in values[na]] + [None], dtype=object)[:-1]
    return out, na | (strip[codes] == "")


def _stripped(values: np.ndarray) -> np.ndarray:
    return _text(values)[0]


class _Findings:
    """Problems found row by row, kept with their row and the order of the checks, so that the
    list reads as a row-by-row pass would give it (row, then check)."""

    def __init__(self, n: int):
        self.rows: list[tuple] = []
        self.error = np.zeros(n, dtype=bool)

    def add(self, mask, order: int, column, values, expected, severity: str = "error", in_contract: bool = False):
        """One finding per row in ``mask``; ``column``/``values``/``expected`` are one value for all
        rows or a callable of the row."""
        for i in np.flatnonzero(mask):
            pick = (lambda x: x(i) if callable(x) else x)
            self.rows.append((int(i), order, pick(column), pick(values), pick(expected), severity, in_contract))
            if severity == "error":
                self.error[i] = True

    def problems(self, file: str, lines: np.ndarray) -> list[Problem]:
        return [Problem(file, int(lines[i]), col, val, exp, sev, inc)
                for i, _o, col, val, exp, sev, inc in sorted(self.rows, key=lambda r: (r[0], r[1]))]


def _line_numbers(adm: pd.DataFrame) -> np.ndarray:
    """Line numbers as a person sees them: the bundle's index is the Excel row (header = 1); a
    plain frame (0, 1, 2, ...) gets row = position + 2."""
    if isinstance(adm.index, pd.RangeIndex) and adm.index.start == 0 and adm.index.step == 1:
        return np.arange(len(adm)) + 2
    lines = pd.to_numeric(pd.Series(adm.index), errors="coerce").fillna(-1).astype(int).to_numpy()
    return np.arange(len(adm)) + 2 if (lines < 1).any() else lines


def _check_codes(df: pd.DataFrame, dates, found: _Findings) -> None:
    """The coded columns (rater, about, scale, group), the date, and no referrer rating themself."""
    for order, (col, allowed) in enumerate(VALID.items()):
        raw = _column(df, col)
        text, blank = _text(raw)
        bad = blank | ~np.isin(text, list(allowed))
        found.add(bad, order, col, lambda i, raw=raw, blank=blank: None if blank[i] else raw[i],
                  f"forventet en af {', '.join(allowed)}", in_contract=True)
    no_date = np.ones(len(df), dtype=bool) if dates is None else dates.isna().to_numpy()
    found.add(no_date, 4, "date", _column(df, "date").__getitem__, "forventet en dato på formen ÅÅÅÅ-MM-DD",
              in_contract=True)
    about = _column(df, "about")
    referrer_self = (_stripped(_column(df, "rater")) == "henviser") & (_stripped(about) == "selv")
    found.add(referrer_self, 5, "about", about.__getitem__, "en henviser vurderer kun barnet (forventet 'barn')")


def _read_number(df: pd.DataFrame, col: str, order: int, top: float, found: _Findings,
                 decimals: bool) -> np.ndarray:
    """A numeric column as floats (NaN: blank or rejected), its problems reported."""
    raw = _column(df, col)
    codes, parsed = _per_value(raw, _to_float)
    f = np.array([x for x, _ok in parsed], dtype=float)[codes]
    ok = np.array([ok for _x, ok in parsed], dtype=bool)[codes]
    found.add(~ok, order, col, raw.__getitem__, f"forventet et tal fra 0 til {top:g} eller tom", in_contract=True)
    given = ok & ~np.isnan(f)
    with np.errstate(invalid="ignore"):
        out = given & ~((f >= 0) & (f <= top))
    found.add(out, order, col, raw.__getitem__, f"forventet et tal fra 0 til {top:g}", in_contract=True)
    if decimals:
        with np.errstate(invalid="ignore"):
            fine = np.abs(f * 10 - np.round(f * 10)) > 1e-6
        found.add(given & ~out & fine, order, col, raw.__getitem__,
                  "højst én decimal forventet (mm på en 10 cm-linje)", "warning")
    f[out] = math.nan
    return f


def _score(df: pd.DataFrame, found: _Findings):
    """Score per form: the sum of four items, else the total (items = total/4, OpenFIT rule T15)."""
    items = np.column_stack([_read_number(df, c, 6 + j, 10, found, True) for j, c in enumerate(ITEM_COLS)])
    total = _read_number(df, "total", 10, 40, found, False)
    raw_total = _column(df, "total")
    n_given = (~np.isnan(items)).sum(axis=1)
    full = n_given == 4
    s = ((items[:, 0] + items[:, 1]) + items[:, 2]) + items[:, 3]
    has_total = ~np.isnan(total)
    mismatch = full & has_total & (np.abs(np.where(full & has_total, s - total, 0)) > 0.05 + 1e-9)
    found.add(mismatch, 11, "total", raw_total.__getitem__,
              lambda i: f"stemmer ikke med summen af de fire items ({fmt_number(float(s[i]), 1)})", in_contract=True)
    by_total = ~full & has_total
    found.add(by_total & (n_given > 0), 11, "item1-item4", lambda i: f"{n_given[i]} af 4 items",
              "delvise items ignoreret; totalen er brugt", "warning")
    neither = ~full & ~has_total
    found.add(neither, 11, lambda i: ",".join(c for c, x in zip(ITEM_COLS, items[i]) if math.isnan(x))
              if n_given[i] else "total", None,
              "mangler: en score kræver alle fire items eller en total (et manglende item tælles aldrig som 0)",
              in_contract=True)
    scores = np.where(full, s, np.where(by_total, total, math.nan))
    source = np.where(full, "items", np.where(by_total, "total", None)).astype(object)
    items_out = np.where(full[:, None], items, np.where(by_total[:, None], total[:, None] / 4.0, math.nan))
    found.add(~found.error & (scores == 0), 12, lambda i: "total" if source[i] == "total" or has_total[i]
              else "item1-item4", 0, "en samlet score på 0 er usædvanlig; kontrollér, at 0 ikke står for manglende "
              "svar (skemaet tæller med)", "warning")
    return scores, source, full, items_out


def _check_self_rater(df: pd.DataFrame, found: _Findings) -> None:
    """A self-rating ('selv') is rated by the parent: ``rater_id`` blank or the rated person's id."""
    rid, rid_blank = _text(_column(df, "rater_id"))
    other = ~rid_blank & (_stripped(_column(df, "about")) == "selv") \
        & (rid != _stripped(_column(df, "rated_person_id")))
    found.add(other, 13, "rater_id", "(pseudonym)", "ved en selvvurdering ('selv') skal rater_id være tom eller "
              "den samme som rated_person_id")


def _clean_codes(values) -> np.ndarray:
    """None for a blank cell, else the text stripped."""
    text, blank = _text(values)
    return np.where(blank, None, text).astype(object)


def _natural_ranks(ids: np.ndarray) -> np.ndarray:
    """The rank of every id among the distinct ids in natural order (:func:`natural_key`): the ids
    are cut into text and number parts once, and the parts sorted column by column (texts in lower
    case, numbers as numbers, a missing part first, as a shorter tuple sorts first). Ids whose keys
    are equal ('A1', 'a01') are ranked in order of first appearance."""
    uniq = pd.unique(ids)
    parts = [_DIGITS.split(str(u)) for u in uniq]
    table = pd.DataFrame(parts)
    cols = {}
    for j in table.columns:
        if j % 2:
            digits = table[j].dropna()
            if len(digits) and digits.str.len().max() > 18:  # beyond int64: the key itself
                order = sorted(range(len(uniq)), key=lambda i: natural_key(uniq[i]))
                break
            cols[j] = pd.to_numeric(table[j]).fillna(-1).astype(np.int64)
        else:
            cols[j] = table[j].fillna("").str.lower()
    else:
        keys = pd.DataFrame(cols)
        order = keys.sort_values(list(keys.columns), kind="mergesort").index.to_numpy() if len(keys.columns) \
            else np.arange(len(uniq))
    rank = np.empty(len(uniq), dtype=int)
    rank[np.asarray(order)] = np.arange(len(uniq))
    return rank[pd.Index(uniq).get_indexer(ids)]


def _add_columns(df: pd.DataFrame, dates, scored, lines: np.ndarray) -> None:
    """The scoring's columns: score, source, items, date and year, stream, cleaned codes, order keys."""
    scores, source, complete, items_out = scored
    df["score"] = scores
    df["score_source"] = source
    df["item_complete"] = complete
    for j, c in enumerate(ITEM_COLS):
        df[c + "_scored"] = items_out[:, j]
    df["date"] = dates
    df["year"] = dates.dt.year if dates is not None else np.nan
    rater, about, scale = (_clean_codes(df[c].astype("object")) for c in ("rater", "about", "scale"))
    stream = np.array([None] * len(df), dtype=object)
    for key, (r, a) in STREAMS.items():
        stream[(rater == r) & (about == a) & np.isin(scale, OUTCOME_SCALES)] = key
    df["stream"] = stream
    df["group"] = _clean_codes(df["group"].astype("object"))
    df["rated_age"] = pd.to_numeric(df.get("rated_age"), errors="coerce")
    rid = _clean_codes(df["rater_id"].astype("object")) if "rater_id" in df else np.full(len(df), None, object)
    df["rater_id"] = np.where(pd.isna(rid), "", rid).astype(object)
    df["_line"] = lines
    ids = _clean_codes(df["administration_id"].astype("object"))
    ids = np.where(pd.isna(ids), "", ids).astype(object)
    df["_admin_order"] = _natural_ranks(ids)


def score_administrations(adm: pd.DataFrame, file: str = ADMIN_FILE) -> tuple[pd.DataFrame, list[Problem]]:
    """Score and validate every administered form.

    Returns the usable rows with added columns ``score`` (0-40), ``score_source`` ('items' or
    'total'), ``item_complete`` (all four items given), ``stream`` ('A'/'B'/'C'/None for SRS),
    ``date`` (Timestamp), ``year``; and the list of problems. Rows with an error are left out.
    Problems are listed row by row, in the order of the checks."""
    if adm is None or len(adm) == 0:
        cols = list(adm.columns) if adm is not None else []
        empty = pd.DataFrame(columns=cols + ["score", "score_source", "item_complete", "stream", "year"])
        return empty, []
    lines = _line_numbers(adm)
    df = adm.reset_index(drop=True).copy()
    dates = pd.to_datetime(df["date"], errors="coerce", format="ISO8601") if "date" in df else None
    found = _Findings(len(df))
    _check_codes(df, dates, found)
    scored = _score(df, found)
    _check_self_rater(df, found)
    _add_columns(df, dates, scored, lines)
    out = df.loc[~found.error].reset_index(drop=True)
    return out, found.problems(file, lines)
