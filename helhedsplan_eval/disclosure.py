"""Disclosure control for tables the board reads.

* **Primary suppression:** a count of persons from 1 to ``min_cell - 1`` is shown as "<5"
  (0 is shown: an empty cell discloses no person).
* **Secondary suppression:** when a row has a total and exactly one of its cells is
  suppressed, the suppressed cell could be recomputed as total minus the others; the smallest
  other non-zero cell of that row is then suppressed too.
* Percentages whose denominator is under ``min_cell`` are not shown.
"""

from __future__ import annotations

import pandas as pd

from . import formatting as F


def suppress_counts(df: pd.DataFrame, cols: list[str], min_cell: int = 5, total_col: str | None = None) -> pd.DataFrame:
    """Return a copy of ``df`` with ``cols`` (and ``total_col``) formatted as Danish text, small
    counts replaced by "<min_cell>" and secondary suppression applied against ``total_col``."""
    out = df.copy().astype(object)
    hide = pd.DataFrame(False, index=df.index, columns=cols)
    for c in cols:
        v = pd.to_numeric(df[c], errors="coerce")
        hide[c] = (v > 0) & (v < min_cell)
    if total_col is not None:
        for idx in df.index:
            row_hidden = [c for c in cols if hide.at[idx, c]]
            if len(row_hidden) == 1:
                candidates = [(float(df.at[idx, c]), c) for c in cols
                              if not hide.at[idx, c] and pd.notna(df.at[idx, c]) and float(df.at[idx, c]) > 0]
                if candidates:
                    hide.at[idx, min(candidates)[1]] = True
    for c in cols:
        out[c] = [(f"<{min_cell}" if hide.at[i, c] else F.fmt_number(df.at[i, c], 0)) for i in df.index]
    if total_col is not None:
        tv = pd.to_numeric(df[total_col], errors="coerce")
        out[total_col] = [(f"<{min_cell}" if 0 < t < min_cell else F.fmt_number(t, 0)) for t in tv]
    return out


def share_text(num, den, min_cell: int = 5, decimals: int = 1) -> str:
    """'12,4 %' or '–' when the denominator is under ``min_cell`` (or missing)."""
    if den is None or F.is_missing(den) or den < min_cell or num is None or F.is_missing(num):
        return F.MISSING
    return F.fmt_pct(100 * num / den, decimals)
