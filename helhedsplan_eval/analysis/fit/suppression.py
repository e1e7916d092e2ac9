"""Primary and secondary suppression of count tables (cells a reader could work out are hidden).

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import pandas as pd

from helhedsplan_eval.formatting import MISSING, fmt_count
from helhedsplan_eval.analysis.fit.params import SUPPRESSED




def secondary_suppression(counts: pd.DataFrame, min_cell: int = 5, rows_sum: bool = True,
                          cols_sum: bool = True, initial: pd.DataFrame | None = None) -> pd.DataFrame:
    """Boolean mask of cells to hide in a table of counts whose rows and/or columns add up to
    totals the reader can see (a total may itself be a cell of the row, e.g. an 'I alt' column).

    Primary: counts 1..min_cell-1 (plus ``initial``, cells already hidden for other reasons).
    Secondary: while a row (or column) has exactly one hidden cell, also hide its smallest
    other non-zero cell (zeros are never hidden). NaN cells are ignored."""
    groups = []
    if rows_sum:
        groups += [[(r, col) for col in counts.columns] for r in counts.index]
    if cols_sum:
        groups += [[(r, col) for r in counts.index] for col in counts.columns]
    return suppress_groups(counts, groups, min_cell, initial=initial)


def suppress_groups(counts: pd.DataFrame, groups, min_cell: int = 5,
                    initial: pd.DataFrame | None = None, prefer=()) -> pd.DataFrame:
    """Boolean mask of cells to hide in a table of counts, given groups of cells that the reader
    can tie together: cells that add up to a total shown elsewhere (or in the group itself, e.g.
    started = analysable + single-score, or an 'I alt' column).

    Primary: counts 1..min_cell-1 (plus ``initial``). Secondary: while a group has exactly one
    hidden cell, its smallest other non-zero cell is hidden too (zeros are never hidden), taking
    cells in the rows or columns of ``prefer`` (totals) first, a cell in both first of all. Each group is a list of (row label,
    column label) cells; NaN cells are ignored. A group of two cells links them: both are shown
    or both hidden."""
    c = counts.astype(float)
    mask = ((c > 0) & (c < min_cell)).fillna(False).astype(bool)
    if initial is not None:
        mask = mask | initial.reindex_like(mask).fillna(False).astype(bool)
    changed = True
    while changed:
        changed = False
        for grp in groups:
            hidden = [cell for cell in grp if mask.at[cell[0], cell[1]]]
            if len(hidden) != 1:
                continue
            cand = [(-((r in prefer) + (k in prefer)), c.at[r, k], j) for j, (r, k) in enumerate(grp)
                    if not mask.at[r, k] and c.at[r, k] > 0]
            if cand:
                r, k = grp[min(cand)[2]]
                mask.at[r, k] = True
                changed = True
    return mask


def _fmt_counts_with_mask(counts: pd.DataFrame, mask: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    out = pd.DataFrame(index=counts.index, columns=counts.columns, dtype=object)
    for r in counts.index:
        for col in counts.columns:
            v = counts.at[r, col]
            if pd.isna(v):
                out.at[r, col] = MISSING
            elif mask.at[r, col]:
                out.at[r, col] = fmt_count(v, min_cell) if 0 < v < min_cell else SUPPRESSED
            else:
                out.at[r, col] = fmt_count(v, min_cell)
    return out
