"""Charts for the board: a criterion against its comparison population and target path, the shared axis
helpers (Danish labels, distinct ticks), the chart theme, alt texts and the figure as an inline PNG <img>."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status import IndicatorSeries, target_path
from helhedsplan_eval.catalogue.criteria import Criterion
from helhedsplan_eval.catalogue.names import plan_names
from helhedsplan_eval.catalogue.period import plan_period
from helhedsplan_eval.report.board.parameters import first_plan_year, last_plan_year
from helhedsplan_eval.report.disclosure import protect_series

E = html.escape

def comparison_labels() -> dict[str, str]:
    """The comparison population of each indicator that has one, named as the active plan names it (plan.yml)."""
    names = plan_names()
    return {"police_safety": names.police, "register_measure": names.municipality,
            "bkf_measure": names.municipality, "youth_public_support": names.municipality}


def area_label() -> str:
    """The label of the area's own series in charts and tables: the plan's area name."""
    return plan_names().area_name


def __getattr__(name: str):
    if name == "COMPARISON_LABELS":  # older name: the active plan's labels when asked
        return comparison_labels()
    raise AttributeError(name)


#: every series differs by marker and line style as well as by colour (WCAG 1.4.1): the area solid with circles,
#: the comparison population dashed with squares, the target path dash-dotted with diamonds
AREA_STYLE = {"color": "#1d4ed8", "marker": "o", "linestyle": "-"}
COMPARISON_STYLE = {"color": "#6b7280", "marker": "s", "linestyle": "--"}
PATH_STYLE = {"color": "#b45309", "marker": "D", "markersize": 5, "linestyle": (0, (6, 2, 1, 2))}

#: y-axis labels per catalogue unit (what is measured, with the unit)
AXIS_LABELS = {
    "pct": "Andel (%)",
    "pp": "Forskel (procentpoint)",
    "count": "Antal",
    "persons": "Antal personer",
    "kr": "Kroner",
    "rate": "Antal pr. 100",
    "index": "Indeks (0–100)",
    "number": "Gennemsnit",
}
#: chart text sizes: at least the page's small print once the image is scaled to the page
CHART_RC = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "xtick.labelsize": 10.5,
            "ytick.labelsize": 10.5, "legend.fontsize": 10, "figure.titlesize": 12}


def _axis_label(crit: Criterion, gap: bool = False) -> str:
    """The y-axis label: what is measured, with its unit (Danish)."""
    if gap:
        return "Forskel (procentpoint)"
    return AXIS_LABELS.get(crit.unit, "Værdi")


def _tidy_y_axis(ax, kind_fmt: str, integer: bool, nbins: int = 5) -> None:
    """Even, distinct tick labels: a 1-2-2,5-5 step locator and as many decimals as the steps need."""
    from matplotlib.ticker import FixedLocator, MaxNLocator

    loc = MaxNLocator(nbins=nbins, integer=integer, steps=[1, 2, 2.5, 5, 10])
    lo, hi = ax.get_ylim()
    ticks = [t for t in loc.tick_values(lo, hi) if lo - 1e-9 <= t <= hi + 1e-9]
    decimals = 0
    while decimals < 3 and len({F.fmt_number(t, decimals) for t in ticks}) < len(ticks):
        decimals += 1
    if not integer and decimals == 0 and any(abs(t - round(t)) > 1e-9 for t in ticks):
        decimals = 1
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(F.tick_formatter(kind_fmt, decimals))


def _year_ticks(ax, first: int, last: int, max_labels: int = 8) -> None:
    """One label per whole year (every second year when there are many), never repeated."""
    from matplotlib.ticker import FuncFormatter

    step = 1 if last - first + 1 <= max_labels else 2
    ax.set_xticks(list(range(first, last + 1, step)))
    period = plan_period()  # the plan's label ("2025/26"); calendar plan years keep the year itself
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: period.label(int(round(v)))))
    ax.set_xlim(first - 0.4, last + 0.4)


def _chart_theme():
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", rc=CHART_RC)


def criterion_chart(crit: Criterion, s: IndicatorSeries | None, year: int, min_cell: int = 5, safe=None,
                    shown: Criterion | None = None):
    """A chart of the area against the comparison population and the target path up to the plan's last year,
    with the evaluation year marked; None for kinds without a series.

    ``crit`` is the evaluated criterion, ``shown`` the one whose card the chart belongs to (its id and
    short name are the title: TT-KOM-1's card shows TT-KOM-1, not TT-4). Every point comes from the
    disclosure layer (:func:`disclosure.protect_series`): years whose value is hidden are not
    plotted, and a path derived from a hidden baseline is not drawn."""
    if s is None or crit.kind in ("milestone", "qualitative", "survey_wave_increase"):
        return None
    shown = shown or crit
    if safe is None:
        safe = protect_series(crit, s, year, min_cell, path=target_path(crit, s))
    d = safe.frame().set_index("year")
    if d["value"].notna().sum() == 0:
        return None
    _chart_theme()
    path = {y: v for y, v in safe.path.items() if v is not None}
    gap_kind = crit.kind in ("gap_target", "gap_reduction_rate") or crit.params.get("measure") == "gap"
    has_cmp = d["comparison"].notna().any()
    if gap_kind and has_cmp:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.9))
    else:
        fig, ax1 = plt.subplots(figsize=(6.5, 3.9))
        ax2 = None
    yrs = _plot_series(ax1, ax2, d, crit, has_cmp)
    if path:
        py = sorted(path)
        label = "Målsti" if len(py) > 1 else "Mål"
        (ax2 if ax2 is not None else ax1).plot(py, [path[y] for y in py], label=label, **PATH_STYLE)
    all_years = yrs + [int(y) for y in d.index if bool(d.at[y, "hidden"])] + [int(y) for y in path]
    _finish_axes(ax1, ax2, crit, year, first=min(all_years + [first_plan_year()]), gap_kind=gap_kind)
    title = shown.short or shown.text
    if len(title) > 60:
        title = title[:58] + "…"
    if safe.hidden:
        title += f"\n(år med færre end {min_cell} personer vises ikke)"
    ax1.set_title(title)
    fig.suptitle(f"{shown.id}", x=0.02, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig


def _plot_series(ax1, ax2, d: pd.DataFrame, crit: Criterion, has_cmp: bool) -> list[int]:
    """The area's values (and the comparison's) on ``ax1``, the gap on ``ax2`` if given; the years plotted."""
    yrs = [int(y) for y in d.index if pd.notna(d.at[y, "value"])]
    vals = [float(d.at[y, "value"]) for y in yrs]
    ax1.plot(yrs, vals, label=area_label(), **AREA_STYLE)
    if has_cmp:
        cy = [int(y) for y in d.index if pd.notna(d.at[y, "comparison"])]
        ax1.plot(cy, [float(d.at[y, "comparison"]) for y in cy],
                 label=comparison_labels().get(crit.indicator, "Sammenligning"), **COMPARISON_STYLE)
    if ax2 is not None:
        gy = [y for y in yrs if pd.notna(d.at[y, "comparison"])]
        gaps = [((d.at[y, "comparison"] - d.at[y, "value"]) if crit.direction == "up" else (d.at[y, "value"] - d.at[y, "comparison"]))
                for y in gy]
        ax2.plot(gy, gaps, label="Forskel", **AREA_STYLE)
        ax2.set_title("Forskel til sammenligningen")
        ax2.set_ylabel(_axis_label(crit, gap=True))
    return yrs


def _finish_axes(ax1, ax2, crit: Criterion, year: int, first: int, gap_kind: bool) -> None:
    """Evaluation-year marker, year ticks, axis labels, legends and tidy y ticks on both axes."""
    unit = crit.unit
    kind_fmt = "pct" if unit == "pct" else ("kr" if unit == "kr" else "number")
    for ax in [a for a in (ax1, ax2) if a is not None]:
        ax.axvline(year, color="#111", linestyle=":", linewidth=1)
        _year_ticks(ax, first, last_plan_year())
        ax.set_xlabel("År (prikket linje: evalueringsåret)")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best")
    ax1.set_ylabel(_axis_label(crit))
    _tidy_y_axis(ax1, kind_fmt, integer=unit in ("count", "persons", "kr") and not gap_kind)
    if ax2 is not None:
        _tidy_y_axis(ax2, "number", integer=False)


def chart_alt_text(shown: Criterion, crit: Criterion, fig, year: int, status_label: str) -> str:
    """What the chart shows, for the image's alt text: criterion, measure, years, status."""
    area = area_label()
    years = sorted({int(round(x)) for ax in fig.axes for ln in ax.get_lines() if ln.get_label() == area
                    for x in ln.get_xdata()})
    span = plan_period().span(years[0], years[-1]) if years else ""  # the plan's labels ("2022/23–2025/26")
    labels = {ln.get_label() for ax in fig.axes for ln in ax.get_lines()}
    parts = [f"Diagram for {shown.id} ({shown.short or shown.text}): {_axis_label(crit).lower()} i {area} {span}"]
    others = [lab for lab in labels if lab not in (area, "Forskel") and not lab.startswith("_")
              and lab not in ("Mål", "Målsti")]
    if others:
        parts.append(f" sammenlignet med {', '.join(sorted(others))}")
    if "Målsti" in labels:
        parts.append(f", med målstien frem til {plan_period().label(last_plan_year())}")
    elif "Mål" in labels:
        parts.append(", med målet")
    parts.append(f". Status {plan_period().label(year)}: {status_label}.")
    return "".join(parts)


def figure_html(fig, alt: str, cls: str = "board-chart", tight: bool = True) -> str:
    """The figure as an inline PNG <img> with its alt text (independent of the notebook's backend).

    ``tight`` crops the image to what is drawn (``bbox_inches="tight"``), which draws the figure twice;
    the board's own charts are laid out with ``tight_layout`` already and pass ``tight=False``. The PNG is
    compressed with zlib level 1, not Pillow's default 6: the same pixels, about 10 % more bytes, and a
    third of the encoding time, which was more than half of the cost of a chart (benchmarks/bench_pdf.py
    ``--charts``). An opaque chart is written as RGB, not RGBA (:func:`png_bytes`)."""
    import base64

    dpi = 150
    data = png_bytes(fig, dpi, tight)
    plt.close(fig)
    w = int.from_bytes(data[16:20], "big")
    h = int.from_bytes(data[20:24], "big")
    css_w, css_h = round(w * 100 / dpi), round(h * 100 / dpi)
    b64 = base64.b64encode(data).decode("ascii")
    return (f"<figure class='{E(cls)}' style='margin:8px 0'><img alt=\"{E(alt)}\" width='{css_w}' height='{css_h}' "
            f"style='max-width:100%;height:auto' src='data:image/png;base64,{b64}'></figure>")


def png_bytes(fig, dpi: int, tight: bool) -> bytes:
    """The figure as PNG (zlib level 1, no metadata but the resolution), cropped to what is drawn if ``tight``.

    An opaque figure (every pixel's alpha 255, as the board's charts are) is written as 8-bit RGB instead of
    RGBA: the same picture, and the PDF board pack stores an RGB PNG's compressed data as it is, where an RGBA
    PNG is decoded, split into colour and alpha, and compressed twice by WeasyPrint (report.pdf.png_passthrough).
    Agg draws into the canvas's renderer, whose size (after cropping) gives the raw buffer's shape; if that does
    not add up, matplotlib writes its own (RGBA) PNG."""
    import io

    import numpy as np
    from PIL import Image

    _drop_placeholder_layout(fig)
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=dpi, bbox_inches="tight" if tight else None)
    renderer = getattr(fig.canvas, "renderer", None)
    w, h = (int(getattr(renderer, "width", 0)), int(getattr(renderer, "height", 0)))
    if w and h and len(raw.getbuffer()) == w * h * 4:
        rgba = np.frombuffer(raw.getbuffer(), dtype=np.uint8).reshape(h, w, 4)
        image = (Image.fromarray(np.ascontiguousarray(rgba[..., :3])) if rgba[..., 3].min() == 255
                 else Image.fromarray(rgba, "RGBA"))
        out = io.BytesIO()
        image.save(out, format="png", compress_level=1, dpi=(dpi, dpi))
        return out.getvalue()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None, metadata={"Software": None},
                pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _drop_placeholder_layout(fig) -> None:
    """A figure laid out by ``fig.tight_layout()`` keeps a placeholder layout engine that lays out nothing, but
    with any engine set ``savefig`` draws the whole figure once more without output before drawing it (about a
    tenth of a board chart's cost). Without the placeholder the picture is the same (tests/test_pdf_images.py)."""
    import matplotlib as mpl
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine) and not mpl.rcParams["figure.autolayout"] \
            and not mpl.rcParams["figure.constrained_layout.use"]:
        fig.set_layout_engine(None)
