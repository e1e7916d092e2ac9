"""Chart data (aggregates only, suppression applied) and the plots the notebook draws.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helhedsplan_eval.formatting import MISSING, fmt_number
from helhedsplan_eval.analysis.fit.params import COLLATERAL_YEARS, DEFAULT_THRESHOLD, EN_DASH, FIRST_YEAR, READINGS, READING_SHORT, STREAMS, STREAM_SHORT, UNIT_WORD
from helhedsplan_eval.analysis.fit.summary import _reading_keys, _share, from_bundle, stream_table
from helhedsplan_eval.analysis.fit.suppression import suppress_groups
from helhedsplan_eval.analysis.fit.board import _is_number_text, _num, _pct, _stream_years, share_row, stream_board_table


def chart_data(bundle, evaluation_year: int, min_cell: int = 5, threshold: float = DEFAULT_THRESHOLD,
               bin_width: float | None = None) -> dict[str, pd.DataFrame]:
    """Aggregated data for the charts (no ids, no dates).

    'intake_last': per stream and year mean intake and mean last over analysable episodes (rows
    with fewer than ``min_cell`` episodes are left out). 'shares': per stream and period (A, B:
    each year; C: 2018-2019 pooled) the share under each reading with its Wilson interval, only
    where the share rests on at least ``min_cell`` parents or referrers (a share of 2 of 3 is
    never a chart point). 'change_hist': counts of change in bins of ``bin_width`` points per
    stream (default 2.5 points from 40 episodes, else 5 points, so that fewer bins are hidden),
    pooled over the years up to the evaluation year (stream C: 2018-2019), with ``suppressed``
    True for hidden bins: primary suppression, and secondary suppression against the totals the
    reader knows (all bins = the analysable episodes; the bins from the reliable-change threshold
    up = the reliable improvements; the bins below it = the rest)."""
    il_cols = ["stream", "Målgruppe", "year", "n", "mean_intake", "mean_last"]
    sh_cols = ["stream", "Målgruppe", "period", "reading", "Læsning", "n", "share", "ci_low", "ci_high"]
    h_cols = ["stream", "Målgruppe", "bin_left", "bin_right", "count", "suppressed"]
    fd = from_bundle(bundle, threshold)
    if fd is None:
        return {"intake_last": pd.DataFrame(columns=il_cols), "shares": pd.DataFrame(columns=sh_cols),
                "change_hist": pd.DataFrame(columns=h_cols), "threshold": threshold,
                "empty_text": {s: "FIT-data er ikke leveret" for s in STREAMS},
                "empty_share_text": {s: "FIT-data er ikke leveret" for s in STREAMS}}
    years = list(range(FIRST_YEAR, int(evaluation_year) + 1))
    il = pd.DataFrame(_intake_last_rows(fd, years, evaluation_year, min_cell), columns=il_cols)
    shares = pd.DataFrame(_share_rows(fd, evaluation_year, min_cell), columns=sh_cols)
    hrows = []
    for s in STREAMS:
        hrows += _hist_rows(fd, s, years, min_cell, threshold, bin_width)
    hist = pd.DataFrame(hrows, columns=h_cols)
    empty, empty_share = _empty_texts(evaluation_year, min_cell)
    return {"intake_last": il, "shares": shares, "change_hist": hist, "threshold": threshold, "empty_text": empty,
            "empty_share_text": empty_share}


def _intake_last_rows(fd, years, evaluation_year: int, min_cell: int) -> list[dict]:
    """Mean intake and last per stream and year, where at least ``min_cell`` episodes are analysable."""
    rows = []
    for s in STREAMS:
        t = stream_table(fd, s, years, include_total=False)
        board = stream_board_table(fd, s, evaluation_year, min_cell)
        for y in years:
            n = t.at[y, "n_analysable"]
            if pd.notna(n) and n >= min_cell:
                # the count beside the chart is the one the table shows (NaN where the table hides it)
                shown = board.at["Forløb med mindst to målinger", str(y)] if str(y) in board.columns else MISSING
                rows.append({"stream": s, "Målgruppe": STREAM_SHORT[s], "year": y,
                             "n": int(n) if _is_number_text(shown) else math.nan,
                             "mean_intake": t.at[y, "mean_intake"], "mean_last": t.at[y, "mean_last"]})
    return rows


def _share_rows(fd, evaluation_year: int, min_cell: int) -> list[dict]:
    """The shares under every reading per stream and period, only where the board table shows them."""
    srows = []
    for s in STREAMS:
        ys = _stream_years(s, evaluation_year)
        if not ys:
            continue
        t = stream_table(fd, s, ys, include_total=True)
        board = stream_board_table(fd, s, evaluation_year, min_cell)
        if s == "C":
            periods = [("i alt", f"2018{EN_DASH}2019" if len(ys) == 2 else "2018 (foreløbigt)",
                        "I alt" if len(ys) == 2 else "2018")]
        else:
            periods = [(y, str(y), str(y)) for y in ys]
        for key, label, col in periods:
            for r in READINGS:
                kk, nk = _reading_keys(r)
                n, k = t.at[key, nk], t.at[key, kk]
                # a point only where the table shows the share (never over fewer than min_cell persons)
                if pd.isna(n) or n < min_cell or not str(board.at[share_row(r, s, fd.threshold), col]).endswith("%"):
                    continue
                share, lo, hi = _share(int(k), int(n))
                srows.append({"stream": s, "Målgruppe": STREAM_SHORT[s], "period": label, "reading": r,
                              "Læsning": READING_SHORT[r], "n": int(n), "share": share, "ci_low": lo,
                              "ci_high": hi})
    return srows


def _hist_rows(fd, s: str, years, min_cell: int, threshold: float, bin_width: float | None) -> list[dict]:
    """The histogram of change of one stream, with primary and secondary suppression of its bins."""
    ep = fd.episodes
    sel = (ep["stream"] == s) & ep["analysable"].astype(bool) & ep["year"].isin(years)
    if s == "C":
        sel &= ep["year"].isin(list(COLLATERAL_YEARS))
    ch = ep.loc[sel, "change"].astype(float).to_numpy()
    if len(ch) < min_cell:
        return []
    width = bin_width or (2.5 if len(ch) >= 40 else 5.0)
    edges = np.arange(-40, 40 + width, width)
    idx = np.clip(np.floor(np.round((ch + 40) / width, 9)).astype(int), 0, len(edges) - 2)
    counts = np.bincount(idx, minlength=len(edges) - 1).astype(float)
    nz = np.nonzero(counts)[0]
    lo_i, hi_i = nz.min(), nz.max()
    bins = list(range(lo_i, hi_i + 1))
    c = pd.DataFrame({"n": counts[lo_i:hi_i + 1]}, index=bins).T
    up = [("n", b) for b in bins if edges[b] >= threshold - 1e-9]
    rest = [("n", b) for b in bins if edges[b] < threshold - 1e-9]
    groups = [[("n", b) for b in bins], up, rest]
    mask = suppress_groups(c, [g for g in groups if g], min_cell).iloc[0].to_numpy()
    return [{"stream": s, "Målgruppe": STREAM_SHORT[s], "bin_left": edges[b], "bin_right": edges[b + 1],
             "count": math.nan if mask[j] else counts[b], "suppressed": bool(mask[j])} for j, b in enumerate(bins)]


def _empty_texts(evaluation_year: int, min_cell: int) -> tuple[dict, dict]:
    """What an empty distribution chart and an empty share chart say, per stream."""
    empty, empty_share = {}, {}
    for s in STREAMS:
        if s == "C" and int(evaluation_year) < COLLATERAL_YEARS[0]:
            empty[s] = empty_share[s] = f"Ikke aktuel endnu (henviseres vurderinger gælder 2018{EN_DASH}2019)"
        else:
            empty[s] = f"Færre end {min_cell} forløb med to målinger {EN_DASH} fordelingen vises ikke"
            empty_share[s] = (f"Færre end {min_cell} {UNIT_WORD[s].lower()} med to målinger {EN_DASH} "
                              "andelen vises ikke")
    return empty, empty_share


def _tick(kind: str = "number"):
    """Danish tick labels with a real minus sign."""
    from matplotlib.ticker import FuncFormatter

    if kind == "pct":
        return FuncFormatter(lambda v, _pos: _pct(v, 0))
    return FuncFormatter(lambda v, _pos: _num(v, 0))


# --------------------------------------------------------------------------------------
# Plots (called by the notebook; Danish labels and ticks)
# --------------------------------------------------------------------------------------


def plot_intake_last(il: pd.DataFrame, ax=None, empty_text: str | None = None):
    """Dumbbell chart: mean first vs mean latest score per stream and year."""
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=(8, 0.6 * max(len(il), 3) + 1.2))
    if il.empty:
        ax.text(0.5, 0.5, empty_text or "For få forløb til at vise gennemsnit", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    il = il.sort_values(["stream", "year"], ascending=[False, False]).reset_index(drop=True)
    labels = [f"{r['Målgruppe']} {r['year']}" + (f" ({fmt_number(r['n'])} forløb)" if pd.notna(r["n"]) else "")
              for _, r in il.iterrows()]
    y = np.arange(len(il))
    ax.hlines(y, il["mean_intake"], il["mean_last"], color="#999999", lw=2, zorder=1)
    # first and latest differ by marker (square, circle) as well as by colour (WCAG 1.4.1)
    ax.scatter(il["mean_intake"], y, color="#8c8c8c", marker="s", s=55, label="Første måling", zorder=2)
    ax.scatter(il["mean_last"], y, color="#1f6fb2", marker="o", s=60, label="Seneste måling", zorder=3)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 40)
    ax.xaxis.set_major_formatter(_tick("number"))
    ax.set_xlabel(f"Gennemsnitlig score (0{EN_DASH}40 point, højere er bedre)")
    ax.legend(loc="lower left", frameon=False)
    ax.set_title("Første og seneste måling pr. målgruppe og år")
    return ax


def plot_shares(shares: pd.DataFrame, stream: str, target: float = 65.0, ax=None, empty_text: str | None = None):
    """The shares under the three readings per period for one stream, with 95 % intervals and
    the 65 % target. Only the rows of ``chart_data()['shares']`` are drawn (never a share over
    fewer than ``min_cell`` persons)."""
    import textwrap

    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=(5, 3.4))
    d = shares[shares["stream"] == stream]
    ax.set_title(STREAM_SHORT[stream])
    if d.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, textwrap.fill(empty_text or "For få personer til at vise andele", 30), ha="center",
                va="center", transform=ax.transAxes, fontsize=10, color="#444444")
        return ax
    periods = list(dict.fromkeys(d["period"]))
    x_of = {p: i for i, p in enumerate(periods)}
    style = {"reliable": ("o", "#1f6fb2", -0.18), "literal": ("s", "#8c8c8c", 0.0),
             "reliable_below": ("^", "#d9822b", 0.18)}
    for r in READINGS:
        dr = d[d["reading"] == r]
        if dr.empty:
            continue
        marker, color, dx = style[r]
        x = np.array([x_of[p] for p in dr["period"]]) + dx
        ax.errorbar(x, dr["share"], yerr=[dr["share"] - dr["ci_low"], dr["ci_high"] - dr["share"]], fmt=marker,
                    color=color, capsize=3, label=READING_SHORT[r].capitalize())
    ax.axhline(target, color="#b22222", ls="--", lw=1, label=f"Mål: {_pct(target, 0)}")
    ax.set_xticks(range(len(periods)), periods)
    ax.set_xlim(-0.6, len(periods) - 0.4)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(_tick("pct"))
    ax.set_ylabel("Andel")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False, fontsize=8, ncol=1)
    return ax


def plot_change_distribution(hist: pd.DataFrame, stream: str, threshold: float = DEFAULT_THRESHOLD,
                             min_cell: int = 5, ax=None, empty_text: str | None = None):
    """Histogram of change for one stream with the reliable-change band; hidden bins hatched at
    a fixed height (``min_cell - 1``), never at their true count."""
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if ax is None:
        _fig, ax = plt.subplots(figsize=(7, 3.2))
    h = hist[hist["stream"] == stream]
    if h.empty:
        ax.set_axis_off()
        ax.set_title(STREAM_SHORT[stream])
        ax.text(0.5, 0.5, textwrap.fill(empty_text or "For få forløb til at vise fordelingen", 30),
                ha="center", va="center", transform=ax.transAxes, fontsize=10, color="#444444")
        return ax
    ax.axvspan(-threshold, threshold, color="#e8e8e8", zorder=0,
               label=f"Ingen pålidelig ændring (under {fmt_number(threshold)} point)")
    shown = h[~h["suppressed"]]
    hidden = h[h["suppressed"]]
    ax.bar(shown["bin_left"], shown["count"], width=shown["bin_right"] - shown["bin_left"], align="edge",
           color="#1f6fb2", edgecolor="white", label="Antal forløb")
    if len(hidden):
        ax.bar(hidden["bin_left"], [min_cell - 1] * len(hidden), width=hidden["bin_right"] - hidden["bin_left"],
               align="edge", color="none", edgecolor="#666666", hatch="//",
               label=f"Færre end {min_cell} eller skjult")
    ax.axvline(0, color="#333333", lw=0.8)
    ax.xaxis.set_major_formatter(_tick("number"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_tick("number"))
    ax.set_xlabel("Ændring fra første til seneste måling (point)")
    ax.set_ylabel("Antal forløb")
    ax.set_title(STREAM_SHORT[stream])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, fontsize=8, ncol=1)
    return ax
