""""Til bestyrelsen": the board's reading, first on the front page and on the first sheets of the PDF pack.

One section of facts, no advice: the status counts; the criteria that need attention (Ikke opfyldt, Ikke på vej,
Kan ikke vurderes, and those whose status worsened since last year's stored report), one row each with figure,
target, why and since when; what changed since last year (the change page's comparison, report.history); the
data that are missing and the criteria they hold back; the budget. Every figure is the disclosure-controlled
one the pages show (``YearResult.board_evaluation``, ``goal_text``); counts of criteria and amounts in kr. are
not counts of persons.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.evaluate import _truncate
from helhedsplan_eval.analysis.status import (AWAITING, MET, NOT_MET, OFF_TRACK, ON_TRACK, STATUSES, UNJUDGEABLE,
                                              disclosure_threshold, evaluate)
from helhedsplan_eval.analysis.status.common import year_label as _label  # "2025", or "2025/26"
from helhedsplan_eval.report.board.overview import STATUS_GUIDE, budget_frame
from helhedsplan_eval.report.board.parameters import first_plan_year
from helhedsplan_eval.report.board.tables import badge, html_table
from helhedsplan_eval.report.board.targets import goal_text
from helhedsplan_eval.report.history import Changes, changes, history_frame, latest_report

E = html.escape

#: The statuses that put a criterion on the board's list, in the list's order.
ATTENTION_STATUSES = (NOT_MET, OFF_TRACK, UNJUDGEABLE)
#: Better to worse, for "worsened since last year" (statuses outside it are not ranked: no verdict).
_RANK = {MET: 0, ON_TRACK: 1, OFF_TRACK: 2, NOT_MET: 3}


def status_word(label: str) -> str:
    """The status word of a label ("Ikke opfyldt (usikkert)" -> "Ikke opfyldt"); other labels as they are."""
    text = str(label).strip()
    for word in sorted(STATUSES, key=len, reverse=True):
        if text == word or text.startswith(word + " "):
            return word
    return text


def worsened(before: str, now: str) -> bool:
    """Whether a status went from better to worse (Opfyldt → På vej → Ikke på vej → Ikke opfyldt)."""
    b, n = _RANK.get(status_word(before)), _RANK.get(status_word(now))
    return b is not None and n is not None and n > b


@dataclass
class AttentionRow:
    id: str
    area: str
    short: str
    label: str
    status: str
    value: str
    target: str
    why: str
    since: str
    previous: str | None = None  # the label in last year's stored report, when it differs


@dataclass
class BoardSummary:
    year: int
    counts: dict[str, int]
    uncertain: int
    total: int
    attention: list[AttentionRow] = field(default_factory=list)
    changes: Changes | None = None
    awaiting: dict[str, list[str]] = field(default_factory=dict)  # source title -> criterion ids
    budget: list[dict] = field(default_factory=list)


def since_text(history: list[tuple[int, str]], year: int) -> str:
    """``history``: (year, status word) for every plan year up to ``year``. The unbroken run of attention statuses
    that ends this year, grouped by status ("Ikke på vej 2023–2024, Ikke opfyldt 2025"); when the run is only
    this year, last year's status is named ("i 2024: På vej")."""
    run: list[tuple[int, str]] = []
    for y, word in reversed(history):
        if word not in ATTENTION_STATUSES:
            break
        run.insert(0, (y, word))
    groups: list[list] = []
    for y, word in run:
        if groups and groups[-1][0] == word and groups[-1][2] == y - 1:
            groups[-1][2] = y
        else:
            groups.append([word, y, y])
    text = ", ".join(f"{w} {_label(a)}–{_label(b)}" if a != b else f"{w} {_label(a)}" for w, a, b in groups)
    if len(run) == 1:
        before = dict(history).get(year - 1)
        text = f"nyt i {_label(year)}" + (f" (i {_label(year - 1)}: {before})" if before else "")
    return text or F.MISSING


def _status_history(res, crit) -> list[tuple[int, str]]:
    """The criterion's status word in every plan year up to the evaluation year, judged on today's data (as the
    area pages' status history)."""
    base = res.catalogue.resolve(crit)
    s = res.series_for(crit)
    with disclosure_threshold(res.min_cell):
        return [(y, evaluate(base, _truncate(s, y), y).status) for y in range(first_plan_year(), res.year + 1)]


def _awaiting(res) -> dict[str, list[str]]:
    """Source title -> the criteria awaiting its data (status Afventer data)."""
    from helhedsplan_eval.analysis.registry import INDICATOR_SOURCES
    from helhedsplan_eval.data.sources import SOURCES, feeds_index

    out: dict[str, list[str]] = {}
    for crit in res.catalogue.criteria.values():
        if res.board_evaluation(crit.id).status != AWAITING:
            continue
        base = res.catalogue.resolve(crit)
        srcs = sorted(set(INDICATOR_SOURCES.get(base.indicator, ())) | set(feeds_index().get(crit.id, [])))
        names = [SOURCES[s].title if s in SOURCES else s for s in srcs] or ["(ingen kilde angivet)"]
        for name in names:
            out.setdefault(name, []).append(crit.id)
    return out


def board_summary(res, history_dir=None) -> BoardSummary:
    """The board's reading for ``res`` (an evaluated year); ``history_dir``: the stored reports (outputs/historik)
    that the change page compares with."""
    cat, year = res.catalogue, res.year
    evs = {cid: res.board_evaluation(cid) for cid in cat.criteria}
    counts = {s: sum(1 for ev in evs.values() if ev.status == s) for s in STATUSES}
    previous = latest_report(history_dir, year - 1) if history_dir else None
    ch = changes(history_frame(res, "nu"), previous, year, cat, min_cell=res.min_cell)
    moved = {d["id"]: d for d in ch.status}
    rows = []
    for crit in cat.criteria.values():
        ev = evs[crit.id]
        before = moved.get(crit.id)
        if ev.status not in ATTENTION_STATUSES and not (before and worsened(before["from"], before["to"])):
            continue
        rows.append(AttentionRow(
            id=crit.id, area=crit.area, short=crit.short or crit.id, label=ev.label, status=ev.status,
            value=ev.value_text, target=goal_text(cat.resolve(crit), ev, year), why=ev.explanation,
            since=since_text(_status_history(res, crit), year), previous=before["from"] if before else None))
    order = {s: i for i, s in enumerate(ATTENTION_STATUSES)}
    rows.sort(key=lambda r: order.get(r.status, len(order)))
    return BoardSummary(year=year, counts=counts, uncertain=sum(int(ev.uncertain) for ev in evs.values()),
                        total=len(evs), attention=rows, changes=ch, awaiting=_awaiting(res),
                        budget=budget_frame(cat, res.bundle, year).to_dict("records"))


# ----------------------------------------------------------------------------- HTML


def _n(n: int, one: str, many: str) -> str:
    return f"{F.fmt_number(n)} {one if n == 1 else many}"


def _unbroken_word(label: str) -> str:
    """The label with its status word unbreakable ("Ikke\u00a0opfyldt (usikkert)"): on paper the attention table's
    badge may wrap (report.pdf), but only before "(usikkert)"."""
    word = status_word(label)
    return word.replace(" ", "\u00a0") + label[len(word):] if label.startswith(word) else label


def attention_html(s: BoardSummary) -> str:
    if not s.attention:
        return f"<p>Ingen kriterier er ikke opfyldt, ikke på vej, kan ikke vurderes eller har fået dårligere status i {_label(s.year)}.</p>"
    rows = []
    for r in s.attention:
        since = r.since
        if r.previous and (r.status not in ATTENTION_STATUSES or since.startswith("nyt i")):
            since = f"{since.split(' (')[0]} (rapporten for {_label(s.year - 1)}: {r.previous})" if r.status in \
                ATTENTION_STATUSES else f"rapporten for {_label(s.year - 1)}: {r.previous}"
        rows.append([f"<a href='{E(r.area)}.html#{E(r.id)}'>{E(r.id)}</a>", E(r.short),
                     E(r.value), E(r.target), badge(_unbroken_word(r.label), r.status), E(r.why), E(since)])
    n = len(s.attention)
    return (f"<p>{_n(n, 'kriterium', 'kriterier')} er ikke opfyldt, ikke på vej, kan ikke vurderes eller har fået "
            f"dårligere status siden {_label(s.year - 1)}. Tallene er årets; »Siden« er kriteriets status år for år, "
            "vurderet på årets data.</p>"
            + html_table(rows, ["Id", "Målepunkt", "Tal", "Mål", "Status", "Bemærkning", "Siden"],
                         raw_cols={0, 1, 2, 3, 4, 5, 6}, cls="board-table attention-table",
                         widths={0: "7%", 1: "13%", 2: "8%", 3: "13%", 4: "11%", 5: "32%", 6: "16%"},
                         caption="Kriterier, der kræver opmærksomhed", caption_hidden=True))


def changes_summary_html(s: BoardSummary) -> str:
    ch, p = s.changes, _label(s.year - 1)
    if ch is None or not ch.has_previous:
        if s.year <= first_plan_year():
            return f"<p>{_label(s.year)} er helhedsplanens første evalueringsår; der er ingen tidligere rapport.</p>"
        return f"<p>Der findes ingen gemt rapport for {p} at sammenligne med.</p>"
    worse = [d["id"] for d in ch.status if worsened(d["from"], d["to"])]
    better = [d["id"] for d in ch.status if worsened(d["to"], d["from"])]
    other = [d["id"] for d in ch.status if d["id"] not in worse and d["id"] not in better]
    out = [f"{_n(len(ch.status), 'kriterium har', 'kriterier har')} skiftet status siden rapporten for {p}."]
    moves = [f"{F.fmt_number(len(ids))} til {what} ({E(', '.join(ids))})"
             for ids, what in ((better, "bedre"), (worse, "dårligere"), (other, "en anden")) if ids]
    if moves:
        out.append("Heraf " + (", ".join(moves[:-1]) + " og " + moves[-1] if len(moves) > 1 else moves[0]) + ".")
    out.append(f"{_n(len(ch.revised), 'tal', 'tal')} for tidligere år er revideret, og der er "
               f"{_n(len(ch.new_warnings), 'ny bemærkning', 'nye bemærkninger')} om datakvaliteten.")
    return "<p>" + " ".join(out) + " Detaljerne står på siden »Udvikling siden sidste år«.</p>"


def awaiting_html(s: BoardSummary) -> str:
    if not s.awaiting:
        return f"<p>Ingen kriterier afventer data i {_label(s.year)}.</p>"
    rows = [[E(src), E(", ".join(ids))] for src, ids in s.awaiting.items()]
    n = len({i for ids in s.awaiting.values() for i in ids})
    return (f"<p>{_n(n, 'kriterium afventer', 'kriterier afventer')} data, der ikke er leveret for {_label(s.year)}:</p>"
            + html_table(rows, ["Datakilde", "Kriterier, der afventer den"], cls="board-table awaiting-table",
                         widths={0: "45%", 1: "55%"}, caption_hidden=True,
                         caption="Datakilder, der ikke er leveret, og de kriterier, der afventer dem"))


def budget_summary_html(s: BoardSummary) -> str:
    if not s.budget:
        return ""
    total = s.budget[-1]
    spent = total.get("forbrug")
    share = F.fmt_pct(100 * spent / total["total"]) if spent is not None and total.get("total") else F.MISSING
    text = (f"<p>Budgettet er {F.fmt_kr(total.get('total'))} i alt ({F.fmt_kr(total.get('lbf'))} fra "
            f"Landsbyggefonden og {F.fmt_kr(total.get('lokal'))} i lokal medfinansiering). ")
    text += (f"Forbruget {_label(first_plan_year())}–{_label(s.year)} er {F.fmt_kr(spent)}, {share} af budgettet.</p>" if spent is not None
             else "Der er ikke leveret forbrugstal.</p>")
    rows = [[r["Indsatsområde"], F.fmt_kr(r["total"]),
             F.fmt_kr(r["forbrug"]) if r["forbrug"] is not None else F.MISSING,
             F.fmt_pct(100 * r["forbrug"] / r["total"]) if r["forbrug"] is not None and r["total"] else F.MISSING]
            for r in s.budget]
    return text + html_table(rows, ["Indsatsområde", "Budget", f"Forbrug {_label(first_plan_year())}–{_label(s.year)}", "Andel brugt"],
                             cls="board-table budget-summary", caption="Budget og forbrug pr. indsatsområde",
                             caption_hidden=True)


def guide_html() -> str:
    """"Sådan læses status" (report.board.STATUS_GUIDE, without its own heading) once, for the whole report: the
    area pages' copies are not printed in the pack (report.pdf)."""
    def inline(t: str) -> str:
        t = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", E(t))
        return re.sub(r"\*(.+?)\*", r"<em>\1</em>", t)

    lines = [ln for ln in STATUS_GUIDE.splitlines()[1:] if ln.strip()]
    items = "".join(f"<li>{inline(ln[2:])}</li>" for ln in lines if ln.startswith("- "))
    rest = "".join(f"<p>{inline(ln)}</p>" for ln in lines if not ln.startswith("- "))
    return f"<div class='status-guide'><ul>{items}</ul>{rest}</div>"


def summary_html(s: BoardSummary) -> str:
    """"Til bestyrelsen" after its status counts (the front page shows those from the run's status table): the
    criteria that need attention, the change since last year, missing data, the budget and the reading guide."""
    return (f"<h3>Kriterier, der kræver opmærksomhed</h3>{attention_html(s)}"
            f"<h3>Ændret siden {_label(s.year - 1)}</h3>{changes_summary_html(s)}"
            f"<h3>Manglende data</h3>{awaiting_html(s)}"
            f"<h3>Budget</h3>{budget_summary_html(s)}"
            f"<h3>Sådan læses status</h3>{guide_html()}")
