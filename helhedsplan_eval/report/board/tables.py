"""Board tables as plain HTML: status badges, the generic table, the criteria table, source names, budget rows.

Cells carry inline styles so that a table looks the same in JupyterLab and on the rendered board pages.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.evaluate import YearResult
from helhedsplan_eval.analysis.status import NOT_MET, OFF_TRACK, UNCERTAIN_SUFFIX, Evaluation
from helhedsplan_eval.catalogue.criteria import Catalogue, Criterion
from helhedsplan_eval.catalogue.period import plan_period
from helhedsplan_eval.report.board.targets import goal_text
from helhedsplan_eval.report.style import badge_style, status_css_class

E = html.escape

#: statuses that need the board's attention: listed first in the overview
ATTENTION = (NOT_MET, OFF_TRACK)


def badge(label: str, status: str) -> str:
    """The status word on its colour (report.style: one place for the badges' colours, each pair at least 4,5:1);
    inline too, for the notebook's own HTML in JupyterLab, where board.css is not loaded."""
    uncertain = " status-usikkert" if str(label).endswith(UNCERTAIN_SUFFIX) else ""
    return (f'<span class="status-badge status {status_css_class(status)}{uncertain}" style="{badge_style(status)}">'
            f'{E(label)}</span>')


def _status_of(ev: Evaluation) -> str:
    return ev.status


def _table(df: pd.DataFrame, uuid: str, caption: str | None = None, escape: bool = True):
    sty = df.style.set_uuid(uuid).hide(axis="index")
    if caption:
        sty = sty.set_caption(caption)
    return sty.set_table_attributes('class="board-table"')


def html_table(rows: list[list[str]], header: list[str], raw_cols: set[int] = frozenset(), cls: str = "board-table",
               widths: dict[int, str] | None = None, caption: str = "", row_header: bool = True,
               caption_hidden: bool = False) -> str:
    """A plain HTML table; cells are escaped except the columns in ``raw_cols`` (already HTML);
    ``widths`` gives a width per column index (e.g. {2: "40%"} for a text column); tables with
    widths span the page. Every cell carries its column name (``data-label``), so that on a phone
    each row can be shown as a card (board.css).

    For screen readers (WCAG 2.1 AA): ``caption`` names the table (``caption_hidden`` keeps it for screen
    readers only, where a heading just above says the same), every column header has ``scope="col"`` and,
    with ``row_header``, the first cell of each row is its header (``<th scope="row">``: the criterion id, the
    year, the area)."""
    widths = widths or {}
    th = "".join(f"<th scope='col' style='text-align:left;padding:4px 6px;border-bottom:2px solid #444"
                 + (f";width:{widths[i]}" if i in widths else "") + f"'>{E(F.soft_hyphens(h))}</th>" for i, h in enumerate(header))
    body = []
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            tag = "th scope='row'" if (i == 0 and row_header) else "td"
            # a short first cell (an id, a year) stays on one line; a long one (a measure's name) wraps
            nowrap = i == 0 and len(re.sub(r"<[^>]+>", "", str(c))) <= 14
            cls_attr = " class='nowrap'" if nowrap else ""
            cells.append(f"<{tag}{cls_attr} data-label='{E(header[i]) if i < len(header) else ''}' style='padding:4px 6px;"
                         "border-bottom:1px solid #ddd;vertical-align:top;text-align:left"
                         + (";white-space:nowrap" if nowrap else "") + f"'>{c if i in raw_cols else E(str(c))}"
                         f"</{tag.split()[0]}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    full = ";width:100%" if widths else ""
    hidden = " class='visually-hidden'" if caption_hidden else ""
    cap = f"<caption{hidden}>{E(caption)}</caption>" if caption else ""
    return (f"<table class='{cls}' style='border-collapse:collapse;margin:8px 0{full}'>{cap}<thead><tr>{th}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def frame_table_html(df: pd.DataFrame | None, table_id: str, caption: str) -> str:
    """A DataFrame (already disclosure-controlled) as an accessible board table: a caption, one header row (the
    index's name over the row headers, ``scope="col"``), the index as row headers (``<th scope="row">``), every
    text escaped; '' for None. Unlike pandas' Styler, no second header row of empty cells for the index name."""
    if df is None:
        return ""
    index_name = df.index.name or (df.index.names[0] if df.index.nlevels == 1 else None) or "Række"
    header = [str(index_name)] + [str(c) for c in df.columns]
    # long words of the texts may break between syllables in a narrow column (a wide table on paper)
    rows = [[F.soft_hyphens(idx)] + [F.MISSING if _missing(v) else F.soft_hyphens(v) for v in r]
            for idx, r in zip(df.index, df.itertuples(index=False))]
    return html_table(rows, header, caption=caption).replace("<table ", f"<table id='{E(table_id)}' ", 1)


def _missing(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def criteria_table_html(cat: Catalogue, res: YearResult, criteria: list[Criterion], year: int,
                        link: bool = False, attention_first: bool = True, caption: str = "") -> str:
    """The criteria with status, value and target (in the same unit); criteria not met or not on
    track first; with ``link`` each id links to its section on the area page."""
    order = list(criteria)
    if attention_first:
        order.sort(key=lambda c: 0 if res.board_evaluation(c.id).status in ATTENTION else 1)
    rows = []
    for c in order:
        ev = res.board_evaluation(c.id)
        cid = (f"<a href='{E(c.area)}.html#{E(c.id)}'>{E(c.id)}</a>" if link else
               f"<a href='#{E(c.id)}'>{E(c.id)}</a>")
        act = cat.activity_name(c) or "Indsatsområdet"
        what = (f"<strong>{E(c.short or act)}</strong><br><span style='font-size:.88em;color:#444'>{E(act)}: "
                f"{E(c.text)}</span>")
        rows.append([cid, what, badge(ev.label, ev.status), E(ev.value_text),
                     E(goal_text(cat.resolve(c), ev, year))])
    label = plan_period().label(year)
    return html_table(rows, ["Id", "Succeskriterium", f"Status {label}", "Værdi", "Mål"], raw_cols={0, 1, 2, 3, 4},
                      cls="board-table criteria-table", widths={0: "10%", 1: "44%", 2: "16%", 3: "13%", 4: "17%"},
                      caption=caption or f"Succeskriterier med status {label}")


def source_names(texts: list[str], issues) -> list[str]:
    """Board texts with the data source's Danish name instead of its file name
    ("police_safety.csv" -> "Politiets tryghedsindeks"): no file names in what the board reads."""
    from helhedsplan_eval.data.sources import SOURCES

    names = {}
    for i in issues:
        src = SOURCES.get(getattr(i, "source", None))
        if src is not None and getattr(i, "file", None):
            names[str(i.file)] = src.title
    out = []
    for t in texts:
        for file, title in sorted(names.items(), key=lambda kv: -len(kv[0])):
            t = t.replace(file, title)
        out.append(t)
    return out


def budget_rows(budget: dict) -> list[list[str]]:
    return [["Landsbyggefonden", F.fmt_kr(budget.get("lbf"))], ["Lokal medfinansiering", F.fmt_kr(budget.get("local"))],
            ["I alt", F.fmt_kr(budget.get("total"))]]
