"""The survey's charts: the weighted answer distribution (diverging Likert bars) and the
index/agreement per wave with CIs (dot and whisker), and the data behind each.

One reason to change: what the charts show and how they look.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helhedsplan_eval.formatting import fmt_count
from helhedsplan_eval.analysis.survey.comparison import SurveyAnalysis
from helhedsplan_eval.analysis.survey.danish import DASH, _pct


def likert_chart_data(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Weighted answer distribution per item and wave (percent of those with an opinion), plus
    the weighted % "ved ikke" of those who answered. Items/waves under ``min_cell`` answers are
    left out."""
    if not an.waves:
        return pd.DataFrame()
    cfg = an.cfg
    rows = []
    for item in cfg.items:
        for w in an.wave_list:
            wd = an.waves[w]
            raw = wd.raw_items[item].to_numpy(float)
            ok = ~np.isnan(raw)
            n = int(ok.sum())
            if n < min_cell:
                continue
            ww = wd.weights[ok]
            row = {"item": item, "label": cfg.item_short(item), "wave": w, "n": n}
            for code in range(int(cfg.raw["scale"]["min"]), int(cfg.raw["scale"]["max"]) + 1):
                row[code] = 100 * ww[raw[ok] == code].sum() / ww.sum()
            ans = wd.data[item].notna().to_numpy()
            dk = (wd.data[item] == cfg.dont_know).to_numpy()
            row["dk"] = 100 * wd.weights[dk].sum() / wd.weights[ans].sum()
            row["agree"] = sum(row[c] for c in cfg.agree_codes)
            rows.append(row)
    return pd.DataFrame(rows)


def difference_chart_data(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Dot-and-whisker data: % agreeing per item and wave with its 95 % CI, index on top (scaled
    0-100). Items/waves under ``min_cell`` answers are left out."""
    if not an.waves:
        return pd.DataFrame()
    rows = []
    for w in an.wave_list:
        r = an.index.loc[w]
        if r["n"] >= min_cell:
            rows.append({"item": "index", "label": f"Fællesskabsindeks (0{DASH}100)", "wave": w, "value": r["value"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": int(r["n"])})
    for item, r in an.items.iterrows():
        for w in an.wave_list:
            if r[f"n_{w}"] >= min_cell:
                rows.append({"item": item, "label": r["short"] + " (% enige)", "wave": w, "value": r[f"agree_{w}"],
                             "ci_low": r[f"agree_ci_low_{w}"], "ci_high": r[f"agree_ci_high_{w}"],
                             "n": int(r[f"n_{w}"])})
    return pd.DataFrame(rows)


LIKERT_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#d9d9d9", 4: "#67a9cf", 5: "#2166ac"}  # RdBu, colour-blind safe
#: the answers differ by pattern as well as by colour (WCAG 1.4.1): each its own pattern, the neutral one plain
LIKERT_HATCHES = {1: "xx", 2: "//", 3: "", 4: "\\\\", 5: ".."}
WAVE_COLOURS = {0: "#999999", 1: "#2166ac"}
#: the waves differ by marker as well as by colour
WAVE_MARKERS = {0: "s", 1: "o"}


def plot_likert(an: SurveyAnalysis, min_cell: int = 5, ax=None):
    """Diverging stacked bars per item and wave (neutral split across 0; "ved ikke" as a grey
    bar to the right). Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    d = likert_chart_data(an, min_cell)
    if d.empty:
        fig, ax = plt.subplots(figsize=(8, 1.5)) if ax is None else (ax.figure, ax)
        ax.text(0.5, 0.5, "For få svar til at vise fordelingen" if an.waves else "Ingen data endnu",
                ha="center", va="center")
        ax.set_axis_off()
        return fig
    order = (d[d["wave"] == d["wave"].max()].sort_values("agree", ascending=False)["item"].tolist())
    order += [i for i in d["item"].unique() if i not in order]
    labels, ys = [], []
    rows = []
    y = 0.0
    for item in order:
        for w in sorted(d.loc[d["item"] == item, "wave"], reverse=True):
            rows.append((y, d[(d["item"] == item) & (d["wave"] == w)].iloc[0]))
            labels.append(f"{an.cfg.item_short(item)} – {w}")
            ys.append(y)
            y += 1
        y += 0.6
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 0.42 * len(rows) + 1.5))
    else:
        fig = ax.figure
    names = an.cfg.scale_labels
    for yy, r in rows:
        left = -(r[1] + r[2] + r[3] / 2)
        for code in (1, 2, 3, 4, 5):
            ax.barh(yy, r[code], left=left, color=LIKERT_COLOURS[code], edgecolor="white", height=0.8,
                    hatch=LIKERT_HATCHES[code], label=names[code] if yy == rows[0][0] else None)
            left += r[code]
        ax.barh(yy, r["dk"], left=105, color="#bdbdbd", height=0.8,
                label=names[an.cfg.dont_know] if yy == rows[0][0] else None)
        ax.text(105 + r["dk"] + 1, yy, f"n = {fmt_count(r['n'], min_cell)}", va="center", fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.set_xlim(-100, 130)
    ax.set_xticks([-100, -50, 0, 50, 100])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _pct(abs(v), 0)))  # shares on both sides
    ax.set_xlabel("Andel af svarpersoner med en holdning (vægtet); 'ved ikke' til højre")
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(rows) > 6 else -0.3), ncol=3, fontsize=8,
              frameon=False)
    ax.set_title("Svarfordeling pr. udsagn og runde")
    fig.tight_layout()
    return fig


def plot_differences(an: SurveyAnalysis, min_cell: int = 5, ax=None):
    """Dot-and-whisker chart: index and % agreeing per item, baseline vs end wave, with 95 % CIs."""
    import matplotlib.pyplot as plt

    from helhedsplan_eval.formatting import tick_formatter

    d = difference_chart_data(an, min_cell)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.5 * max(d["item"].nunique() if not d.empty else 0, 2) + 1.5))
    else:
        fig = ax.figure
    if d.empty:
        ax.text(0.5, 0.5, "For få svar til at vise resultatet" if an.waves else "Ingen data endnu",
                ha="center", va="center")
        ax.set_axis_off()
        return fig
    items = list(dict.fromkeys(d["item"]))
    waves = sorted(d["wave"].unique())
    offs = {w: (i - (len(waves) - 1) / 2) * 0.25 for i, w in enumerate(waves)}
    for i, w in enumerate(waves):
        s = d[d["wave"] == w]
        ypos = [items.index(it) + offs[w] for it in s["item"]]
        ax.errorbar(s["value"], ypos, xerr=[s["value"] - s["ci_low"], s["ci_high"] - s["value"]],
                    fmt=WAVE_MARKERS[min(i, 1)], color=WAVE_COLOURS[min(i, 1)], capsize=3, label=str(w))
    labels = [d.loc[d["item"] == it, "label"].iloc[0] for it in items]
    ax.set_yticks(range(len(items)), labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(tick_formatter("number"))
    ax.set_xlabel(f"Indeks (0{DASH}100) og andel enige i procent, vægtet, med 95 %-sikkerhedsinterval")
    ax.invert_yaxis()
    ax.legend(title="Runde", fontsize=8)
    ax.set_title("Fællesskabsindeks og enighed pr. udsagn")
    fig.tight_layout()
    return fig
