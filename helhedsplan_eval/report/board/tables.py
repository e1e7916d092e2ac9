"""Board tables as plain HTML: status badges, the generic table, the criteria table, source names, budget rows.

Cells carry inline styles so that a table looks the same in JupyterLab and on the rendered board pages.
"""

from __future__ import annotations

import html

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.evaluate import YearResult
from helhedsplan_eval.analysis.status import NOT_MET, OFF_TRACK, STATUS_COLOURS, Evaluation
from helhedsplan_eval.catalogue.criteria import Catalogue, Criterion
from helhedsplan_eval.catalogue.period import plan_period
from helhedsplan_eval.report.board.targets import goal_text

E = html.escape

#: statuses that need the board's attention: listed first in the overview
ATTENTION = (NOT_MET, OFF_TRACK)


def badge(label: str, status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#6b7280")
    return (f'<span class="status-badge" style="background:{colour};color:#fff;padding:2px 8px;border-radius:4px;'
            f'white-space:nowrap;font-weight:600">{E(label)}</span>')


def _status_of(ev: Evaluation) -> str:
    return ev.status


def _table(df: pd.DataFrame, uuid: str, caption: str | None = None, escape: bool = True):
    sty = df.style.set_uuid(uuid).hide(axis="index")
    if caption:
        sty = sty.set_caption(caption)
    return sty.set_table_attributes('class="board-table"')


def html_table(rows: list[list[str]], header: list[str], raw_cols: set[int] = frozenset(), cls: str = "board-table",
               widths: dict[int, str] | None = None) -> str:
    """A plain HTML table; cells are escaped except the columns in ``raw_cols`` (already HTML);
    ``widths`` gives a width per column index (e.g. {2: "40%"} for a text column); tables with
    widths span the page. Every cell carries its column name (``data-label``), so that on a phone
    each row can be shown as a card (board.css)."""
    widths = widths or {}
    th = "".join(f"<th style='text-align:left;padding:4px 8px;border-bottom:2px solid #444"
                 + (f";width:{widths[i]}" if i in widths else "") + f"'>{E(h)}</th>" for i, h in enumerate(header))
    body = []
    for r in rows:
        tds = "".join(
            f"<td data-label='{E(header[i]) if i < len(header) else ''}' style='padding:4px 8px;"
            "border-bottom:1px solid #ddd;vertical-align:top"
            + (";white-space:nowrap" if i == 0 else "") + f"'>{c if i in raw_cols else E(str(c))}</td>"
            for i, c in enumerate(r))
        body.append(f"<tr>{tds}</tr>")
    full = ";width:100%" if widths else ""
    return (f"<table class='{cls}' style='border-collapse:collapse;margin:8px 0{full}'><thead><tr>{th}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def criteria_table_html(cat: Catalogue, res: YearResult, criteria: list[Criterion], year: int,
                        link: bool = False, attention_first: bool = True) -> str:
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
    return html_table(rows, ["Id", "Succeskriterium", f"Status {plan_period().label(year)}", "Værdi", "Mål"], raw_cols={0, 1, 2, 3, 4},
                      cls="board-table criteria-table", widths={0: "10%", 1: "44%", 2: "16%", 3: "13%", 4: "17%"})


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
