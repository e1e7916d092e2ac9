"""Plausible synthetic records for any declared source, made from its declaration alone (``sources.yml``).

Used by ``helhedsplan-eval sample`` for every source without a hand-made generator (another plan's sources). The
records follow the declaration: each column's type, allowed values and range; dates in the plan's years; a spell
ends after it starts (an open spell has an empty end); pseudonymous person ids come from a small pool, so the same
person recurs; a reference takes its values from the referenced source; keys are unique. Yearly aggregates get one
row per year and combination of the coded key columns (e.g. each population). Deterministic from the seed: each
source draws from its own stream, numbered by its place in the declarations.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from helhedsplan_eval.data.sample_base import _rng
from helhedsplan_eval.data.source_types import Col, Source

EVENTS_PER_YEAR = 12
PERSON_POOL = 25
_STREAM0 = 100  # streams below are the hand-made generators'


def _number(rng, col: Col, lo_default: float = 0, span: float = 50):
    lo = col.min if col.min is not None else lo_default
    hi = col.max if col.max is not None else lo + span
    if col.unit == "%":  # a share in percent: never a value that looks like a proportion (0-1)
        lo, hi = max(lo, 5), min(hi, 95)
    if col.type == "int":
        return int(rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1))
    return round(float(rng.uniform(lo, hi)), 1)


def _date(rng, year: int) -> dt.date:
    return dt.date(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))


def _cell(rng, src: Source, col: Col, year: int, n: int, refs: dict):
    if col.name in refs:
        return str(rng.choice(refs[col.name]))
    if col.allowed:
        v = col.allowed[int(rng.integers(len(col.allowed)))]
        return v.item() if hasattr(v, "item") else v
    if col.name == src.year_column:
        return year
    if col.type == "bool":
        return "ja" if rng.random() < 0.5 else "nej"
    if col.type == "date":
        return _date(rng, year).isoformat()
    if col.type in ("int", "float"):
        return _number(rng, col)
    if col.pseudonym:
        return f"P{int(rng.integers(1, PERSON_POOL + 1)):04d}"
    if col.name in src.key:
        return f"{src.name[:3].upper()}{n:05d}"
    return f"Eksempel {n}"  # free text: never a name, never a number shaped like a CPR


def _spell_cells(rng, src: Source, row: dict, year: int, last_year: int) -> None:
    starts, end = src.spell
    start = _date(rng, year)
    row[starts[0]] = start.isoformat()
    for other in starts[1:]:  # a fallback start lies at or before the first
        row[other] = (start - dt.timedelta(days=int(rng.integers(0, 60)))).isoformat()
    stop = start + dt.timedelta(days=int(rng.integers(30, 400)))
    open_ok = src.col(end).nullable
    if open_ok and (rng.random() < 0.25 or stop.year > last_year):
        row[end] = ""
    else:
        row[end] = min(stop, dt.date(last_year, 12, 31)).isoformat()


def _years_of(src: Source, years: tuple[int, ...]) -> list[int]:
    ys = list(src.record_years or years)
    col = src.col(src.year_column) if src.year_column else None
    if col is not None:
        ys = [y for y in ys if (col.min is None or y >= col.min) and (col.max is None or y <= col.max)]
    return ys or list(years)


def _aggregate_rows(rng, src: Source, years: list[int], refs: dict) -> list[dict]:
    coded = [src.col(k) for k in src.key if k != src.year_column and src.col(k).allowed]
    combos = list(itertools.product(*[c.allowed for c in coded])) or [()]
    rows = []
    for y in years:
        for n, combo in enumerate(combos):
            row = {c.name: _cell(rng, src, c, y, len(rows) + 1, refs) for c in src.columns}
            row.update({c.name: (v.item() if hasattr(v, "item") else v) for c, v in zip(coded, combo)})
            _fraction_parts(rng, src, row)
            rows.append(row)
    return rows


def _fraction_parts(rng, src: Source, row: dict) -> None:
    """numerator <= denominator where a source declares both, and a percent column their share."""
    names = {c.name for c in src.columns}
    if {"numerator", "denominator"} <= names:
        den = int(rng.integers(100, 1000))
        row["denominator"], row["numerator"] = den, int(rng.integers(den // 10, 9 * den // 10 + 1))
        for c in src.columns:
            if c.unit == "%" and c.name not in src.key:
                row[c.name] = round(100 * row["numerator"] / den, 1)


def generic_table(src: Source, years: tuple[int, ...], seed: int, stream: int,
                  refs: dict | None = None) -> pd.DataFrame:
    """Synthetic records for ``src`` in ``years`` (the plan's), as the text cells of a CSV."""
    rng = _rng(seed, _STREAM0 + stream)
    refs = refs or {}
    ys = _years_of(src, years)
    if src.aggregate or src.kind in ("yearly", "yearly_population"):
        rows = _aggregate_rows(rng, src, ys, refs)
    else:
        rows = []
        for y in ys:
            for _ in range(EVENTS_PER_YEAR):
                row = {c.name: _cell(rng, src, c, y, len(rows) + 1, refs) for c in src.columns}
                if src.spell:
                    _spell_cells(rng, src, row, y, max(years))
                rows.append(row)
    df = pd.DataFrame(rows, columns=[c.name for c in src.columns])
    if src.key:
        df = df.drop_duplicates(subset=list(src.key)).reset_index(drop=True)
    if src.date_column and not src.aggregate:
        df = df.sort_values([src.date_column, *src.key], kind="stable").reset_index(drop=True)
    return df


def generic_tables(sources: dict[str, Source], years: tuple[int, ...], seed: int,
                   names=None) -> dict[str, pd.DataFrame]:
    """Generic tables for the sources ``names`` (default: all), referenced sources first."""
    order = list(sources)
    out: dict[str, pd.DataFrame] = {}

    def make(name: str, depth: int = 0) -> pd.DataFrame:
        if name not in out:
            src = sources[name]
            refs = {}
            for col, other, other_col in src.references:
                if other in sources and depth < len(sources):
                    values = make(other, depth + 1)[other_col].dropna().astype(str).tolist()
                    refs[col] = values or ["X1"]
            out[name] = generic_table(src, years, seed, order.index(name), refs)
        return out[name]

    for name in (names if names is not None else order):
        make(name)
    return {n: out[n] for n in (names if names is not None else order)}
