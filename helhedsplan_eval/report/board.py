"""Board-facing building blocks for the notebooks (Danish text, Danish number formats).

The notebooks only call these functions: every number they show is computed here or in the
modules below, and can be tested without Jupyter. Output is HTML with inline styles (so it
looks the same in JupyterLab and in the rendered board pages) and matplotlib figures.
Status is always shown as colour **and** text.
"""

from __future__ import annotations

import datetime as dt
import html
import platform
from pathlib import Path

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from helhedsplan_eval import __version__  # noqa: E402
from helhedsplan_eval import formatting as F  # noqa: E402
from helhedsplan_eval.catalogue.criteria import KIND_LABELS_DA, Catalogue, Criterion, load_catalogue  # noqa: E402
from helhedsplan_eval.data.contract import ERROR, sha256  # noqa: E402
from helhedsplan_eval.report.disclosure import (board_issue_rows, board_issue_texts, board_text, protect_series,  # noqa: E402
                         safe_evaluation, suppress_counts)
from helhedsplan_eval.analysis.evaluate import YearResult, _truncate, evaluate_year, status_counts, status_frame  # noqa: E402
from helhedsplan_eval.paths import resolve_path  # noqa: E402
from helhedsplan_eval.report.disclosure import HIDDEN  # noqa: E402
from helhedsplan_eval.analysis.status import (ASSESSED, AWAITING, MET, NOT_MET, NOT_YET, OFF_TRACK, ON_TRACK,  # noqa: E402
                     STATUS_COLOURS, STATUSES, Evaluation, IndicatorSeries, evaluate, target_path)

FIRST_PLAN_YEAR, LAST_PLAN_YEAR = 2017, 2020
E = html.escape

COMPARISON_LABELS = {
    "police_safety": "Vestegnens politikreds",
    "register_measure": "Gladsaxe Kommune",
    "bkf_measure": "Gladsaxe Kommune",
    "youth_public_support": "Gladsaxe Kommune",
}


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


class ParameterError(ValueError):
    pass


def _html(s: str):
    from IPython.display import HTML

    return HTML(s)


# ----------------------------------------------------------------------------- parameters, banner

def check_parameters(evaluation_year, data_dir, min_cell=5) -> Path:
    """Check the papermill parameters (papermill checks nothing) and return the data folder.

    Raises :class:`ParameterError` with a Danish message naming every problem."""
    problems = []
    if not isinstance(evaluation_year, int) or isinstance(evaluation_year, bool):
        problems.append(f"evaluation_year skal være et helt tal, ikke {evaluation_year!r}")
    elif not FIRST_PLAN_YEAR <= evaluation_year <= LAST_PLAN_YEAR:
        problems.append(f"evaluation_year skal ligge i {FIRST_PLAN_YEAR}-{LAST_PLAN_YEAR}, ikke {evaluation_year}")
    if not isinstance(min_cell, int) or isinstance(min_cell, bool) or min_cell < 1:
        problems.append(f"min_cell skal være et helt tal ≥ 1, ikke {min_cell!r}")
    path = None
    if not isinstance(data_dir, (str, Path)) or not str(data_dir):
        problems.append(f"data_dir skal være en mappe, ikke {data_dir!r}")
    else:
        path = resolve_path(data_dir)
        if not path.is_dir():
            problems.append(f"datamappen {data_dir} findes ikke")
    if problems:
        raise ParameterError("Ugyldige parametre: " + "; ".join(problems) + ".")
    return path


def is_synthetic(data_dir) -> bool:
    from helhedsplan_eval.data.contract import read_manifest  # checked like data: only a real boolean true ('nej' is not true)

    return read_manifest(resolve_path(data_dir))[0].get("synthetic") is True


SYNTHETIC_TEXT = ("Rapporten bygger på <strong>syntetiske eksempeldata</strong>, ikke på helhedsplanens virkelige "
                  "registreringer. Kun de tal, som aftalen selv angiver (fx basisniveauer for DUBU-sager, "
                  "tandplejeudeblivelser, tryghed og indkomst), er virkelige. Status og tal viser, hvordan rapporten "
                  "virker, og siger intet om Høje Gladsaxe.")


def banner_html(data_dir) -> str:
    if is_synthetic(data_dir):
        return ('<div class="synthetic-banner" role="note" style="border:3px solid #b45309;background:#fef3c7;'
                'padding:12px 16px;margin:8px 0 16px;font-size:1.05em"><strong>OBS: Syntetiske data.</strong> '
                f"{SYNTHETIC_TEXT}</div>")
    return ""


def data_banner(data_dir):
    """Display the 'synthetic data' banner (first screen of every report built on sample data)."""
    return _html(banner_html(data_dir))


# ----------------------------------------------------------------------------- small HTML helpers

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
    return html_table(rows, ["Id", "Succeskriterium", f"Status {year}", "Værdi", "Mål"], raw_cols={0, 1, 2, 3, 4},
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


# ----------------------------------------------------------------------------- target wording

def _span(a, b) -> str:
    return f"{a}–{b}" if a != b else str(a)


def goal_text(crit: Criterion, ev: Evaluation, year: int) -> str:
    """The target as the board reads it: direction and unit in the same unit as the value shown next to
    it ("højst 48 i gennemsnit 2018–2020", "mindst 70 om året", "mindst 46,3 personer (≥ 5 % om året)").

    ``crit`` is the evaluated criterion. Texts the disclosure layer replaced (no numeric target) and
    kinds with their own wording (milestones, assessments) are kept as they are."""
    t = ev.target_text
    if ev.target is None or not t or t == F.MISSING or crit.kind in ("milestone", "qualitative"):
        return t or F.MISSING
    p = crit.params
    per = _span(crit.period_start, crit.period_end)
    persons = " personer" if crit.unit == "persons" else ""
    k = crit.kind
    path = ev.path_text if ev.path_text and any(ch.isdigit() for ch in ev.path_text) else None  # not "skjult"
    if not any(ch.isdigit() for ch in t):
        return t
    if k == "survey_wave_increase":
        return f"højere end i {p.get('start_wave', crit.period_start)} (stigning over 0)"
    if k == "yoy_growth":
        rate = F.fmt_pct(100 * float(p.get("rate", 0)), 0)
        return f"mindst {path}{persons} (≥ {rate} om året)" if path else f"≥ {rate} om året"
    if k == "growth":
        rate = F.fmt_pct(100 * float(p.get("rate", 0)), 0)
        return f"mindst {t}{persons} ({rate} om året fra {p.get('baseline_year')})"
    if k == "period_mean_change":
        word = "højst" if crit.direction == "down" else "mindst"
        return f"{word} {t}{persons} i gennemsnit {per}"
    if k == "period_mean_max":
        if p.get("measure") == "gap":
            return f"forskel højst {t} i gennemsnit {per}"
        return f"højst {t}{persons} i gennemsnit {per}"
    if k == "gap_target":
        extra = f"; målsti {year}: {path}" if path and path != t and year < crit.period_end else ""
        return f"forskel højst {t} i {crit.period_end}{extra}"
    if k == "gap_reduction_rate":
        return f"forskel højst {t} ({F.fmt_number(float(p.get('rate', 0)), 1)} procentpoint mindre om året)"
    if k in ("annual_minimum", "minimum_share"):
        years = sorted(int(y) for y in crit.years)
        base = f"mindst {t}{persons}"
        if years == list(range(crit.period_start, crit.period_end + 1)) and len(years) > 1:
            every = " om året" if k == "annual_minimum" else " hvert år"
            if (crit.period_start, crit.period_end) != (FIRST_PLAN_YEAR, LAST_PLAN_YEAR):
                every += f" {per}"
            return base + every
        when = " og ".join([", ".join(map(str, years[:-1])), str(years[-1])]) if len(years) > 1 else str(years[0])
        only = " (gælder kun det år)" if len(years) == 1 else " (gælder kun de år)"
        return f"{base} i {when}" + (only if year > years[-1] else "")
    if k == "cumulative_total":
        return f"mindst {t}{persons} i alt {per}"
    return t


#: statuses that need the board's attention: listed first in the overview
ATTENTION = (NOT_MET, OFF_TRACK)


# ----------------------------------------------------------------------------- area report

class AreaReport:
    """Everything an intervention-area notebook shows, for one evaluation year."""

    def __init__(self, area_id: str, year: int, data_dir, min_cell: int = 5, catalogue: Catalogue | None = None,
                 result: YearResult | None = None):
        self.cat = catalogue or load_catalogue()
        if area_id not in self.cat.areas:
            raise ParameterError(f"ukendt indsatsområde '{area_id}'")
        self.area = self.cat.areas[area_id]
        self.year = year
        self.min_cell = min_cell
        self.data_dir = resolve_path(data_dir)
        self.res = result or evaluate_year(year, self.data_dir, self.cat, min_cell=min_cell)
        self.criteria = self.cat.by_area(area_id)

    # --- header
    def header_html(self) -> str:
        a = self.area
        objectives = "".join(f"<li>{E(o)}</li>" for o in a.objectives)
        b = a.budget
        reading = ""
        if b.get("readings"):
            reading = (f"<p style='font-size:.9em;color:#555'>Budgettal for Landsbyggefonden: aftalen trykker "
                       f"»1.4713.000 kr.«, som ikke er et gyldigt beløb. Rapporten bruger {E(str(b.get('chosen')))} "
                       f"(områdets samlede budget minus den lokale medfinansiering).</p>")
        return (f"<h2>Formål</h2><p>{E(a.purpose)}</p><h3>Målsætninger</h3><ul>{objectives}</ul>"
                f"<h3>Budget 2017–2020</h3>{html_table(budget_rows(b), ['Finansiering', 'Beløb'])}{reading}")

    def header(self):
        return _html(self.header_html())

    # --- summary
    def summary_frame(self) -> pd.DataFrame:
        df = status_frame(self.res)
        df = df[df["Id"].isin([c.id for c in self.criteria])]
        return df[["Id", "Aktivitet", "Succeskriterium", "Status", "Værdi", "Mål"]].reset_index(drop=True)

    def summary_html(self) -> str:
        counts = {}
        for c in self.criteria:
            st = self.res.evaluations[c.id].status
            counts[st] = counts.get(st, 0) + 1
        count_txt = ", ".join(f"{n} {E(s.lower()) if s != ASSESSED else 'med kvalitativ vurdering'}"
                              for s, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        return (f"<p><strong>{len(self.criteria)} succeskriterier i {self.year}:</strong> {count_txt}. "
                "Kriterier, der ikke er opfyldt eller ikke er på vej, står først.</p>"
                + criteria_table_html(self.cat, self.res, self.criteria, self.year))

    def summary(self):
        return _html(self.summary_html())

    # --- one criterion
    def history(self, crit: Criterion) -> list[tuple[int, Evaluation]]:
        """The criterion's status in every plan year up to the evaluation year (kept, never overwritten)."""
        base = self.cat.resolve(crit)
        s = self.res.series_for(crit)
        out = []
        from helhedsplan_eval.analysis.status import disclosure_threshold

        with disclosure_threshold(self.min_cell):
            for y in range(FIRST_PLAN_YEAR, self.year + 1):
                out.append((y, evaluate(base, _truncate(s, y), y)))
        return out

    def figures_rows(self, crit: Criterion) -> tuple[list[str], list[list[str]]]:
        """The criterion's figures per year as the board sees them (through the disclosure layer)."""
        base = self.cat.resolve(crit)
        s = self.res.series_for(crit)
        safe = self.res.board_series(crit)
        hist = dict(self.history(crit))
        years = [y for y in range(2014, self.year + 1)
                 if (s is not None and s.has(y)) or y >= FIRST_PLAN_YEAR]
        has_cmp = s is not None and "comparison" in s.data.columns and s.data["comparison"].notna().any()
        gap_kind = base.kind in ("gap_target", "gap_reduction_rate") or base.params.get("measure") == "gap"
        unit = base.unit
        header = ["År", "Høje Gladsaxe"]
        if has_cmp:
            header += [COMPARISON_LABELS.get(base.indicator, "Sammenligning"), "Forskel"]
        header += ["Målsti / mål", "Status i året"]
        rows = []
        for y in years:
            v = safe.value.get(y)
            row = [str(y), safe.text.get(y, F.MISSING)]
            if has_cmp:
                c = safe.comparison.get(y)
                g = None if (v is None or c is None) else ((c - v) if base.direction == "up" else (v - c))
                row += [F.fmt_value(c, unit) if c is not None else F.MISSING, F.fmt_pp(g) if g is not None else F.MISSING]
            pv = safe.path.get(y)
            if safe.path_hidden and y >= int(base.params.get("baseline_year", 0)):
                row.append(HIDDEN)
            else:
                row.append(F.fmt_value(pv, "pp" if gap_kind else ("count" if unit == "persons" else unit))
                           if pv is not None else F.MISSING)
            ev = hist.get(y)
            applies = sorted(int(v) for v in base.years)
            if ev is not None and applies and y > applies[-1] and base.kind not in ("cumulative_total",) \
                    and y > base.period_end:
                # a target for given years only (60 families in 2017): later years are not judged again
                when = _span(applies[0], applies[-1]) if len(applies) > 1 else str(applies[0])
                row.append(badge(f"Ikke aktuel (målet gælder {when})", NOT_YET))
            else:
                row.append(badge(ev.label, ev.status) if ev is not None else "")
            rows.append(row)
        return header, rows

    def criterion_html(self, crit: Criterion) -> str:
        ev = self.res.board_evaluation(crit.id)
        base = self.cat.resolve(crit)
        act = self.cat.activity_name(crit) or "Indsatsområdet"
        header, rows = self.figures_rows(crit)
        parts = [f"<section class='criterion' id='{E(crit.id)}' style='border-top:1px solid #ccc;margin-top:18px;padding-top:6px'>",
                 f"<h3>{E(crit.id)} · {E(crit.short or act)}</h3>",
                 f"<p style='color:#444;margin:0'>{E(act)}</p>",
                 f"<p style='font-size:1.05em'><em>»{E(crit.text)}«</em></p>",
                 f"<p><strong>Status {self.year}:</strong> {badge(ev.label, ev.status)}</p>",
                 f"<p>{E(ev.explanation)}</p>"]
        if ev.remaining_text:
            parts.append(f"<p><strong>Resterende indsats:</strong> {E(ev.remaining_text)}</p>")
        parts.append(f"<p style='color:#444'><strong>Datakilde:</strong> {E(crit.source)} · "
                     f"<strong>Type:</strong> {E(KIND_LABELS_DA.get(base.kind, base.kind))} · "
                     f"<strong>Mål:</strong> {E(goal_text(base, ev, self.year))}</p>")
        if crit.linked_to:
            parts.append(f"<p style='color:#444'>Samme mål som {E(crit.linked_to)} på indsatsområdeniveau; "
                         "det beregnes én gang.</p>")
        if base.kind not in ("milestone", "qualitative"):
            parts.append(html_table(rows, header, raw_cols={len(header) - 1}))
        notes = source_names(self.res.warnings_for(crit), self.res.bundle.issues)
        if base.readings or base.chosen_reading:
            rd = "".join(f"<li>{E(r)}</li>" for r in base.readings)
            parts.append(f"<details><summary>Aftalens formulering og den valgte læsning</summary><ul>{rd}</ul>"
                         f"<p><strong>Valgt:</strong> {E(base.chosen_reading or '–')}. {E(base.reason or '')}</p></details>")
        elif base.reason:
            parts.append(f"<p style='font-size:.9em;color:#555'>Opgørelse: {E(base.reason)}</p>")
        if crit.text_strategic and crit.text_strategic != crit.text:
            parts.append(f"<p style='font-size:.9em;color:#555'>Den strategiske aftales ordlyd: »{E(crit.text_strategic)}«</p>")
        if notes:
            parts.append("<div class='data-quality' style='background:#f3f4f6;padding:6px 10px'><strong>Datakvalitet:</strong><ul>"
                         + "".join(f"<li>{E(n)}</li>" for n in notes) + "</ul></div>")
        parts.append("</section>")
        return "".join(parts)

    def criterion_chart(self, crit: Criterion):
        """The chart on ``crit``'s card: the evaluated (possibly linked) criterion's figures, titled with
        ``crit``'s own id and short name."""
        return criterion_chart(self.cat.resolve(crit), self.res.series_for(crit), self.year, self.min_cell,
                               safe=self.res.board_series(crit), shown=crit)

    def criterion_chart_html(self, crit: Criterion) -> str:
        """The card's chart as an <img> with a Danish alt text (criterion, years, status); '' without chart."""
        fig = self.criterion_chart(crit)
        if fig is None:
            return ""
        ev = self.res.board_evaluation(crit.id)
        alt = chart_alt_text(crit, self.cat.resolve(crit), fig, self.year, ev.label)
        return figure_html(fig, alt)

    def show_criteria(self):
        """Display every criterion of the area: card, figures and chart (as an image with alt text)."""
        from IPython.display import display

        for crit in self.criteria:
            html_ = self.criterion_html(crit)
            chart = self.criterion_chart_html(crit)
            if chart:  # the chart inside the criterion's section, kept together with it where it fits
                html_ = html_[: -len("</section>")] + chart + "</section>"
            display(_html(html_))

    # --- activities
    def activity_frame(self) -> pd.DataFrame | None:
        return activity_summary(self.res.bundle, [a["id"] for a in self.area.activities], self.year)

    def activity_html(self) -> str:
        df = self.activity_frame()
        if df is None or df.empty:
            return "<p>Logbogen har ingen arrangementer for indsatsområdets aktiviteter.</p>"
        names = {a["id"]: a["name"] for a in self.area.activities}
        df = df.copy()
        df["Aktivitet"] = df["activity"].map(names)
        sup = suppress_counts(df, ["Optalte deltagere i alt", "Deltagelser", "Unikke personer"], self.min_cell)
        sup["Arrangementer"] = df["Arrangementer"].map(lambda v: F.fmt_number(v, 0))
        rows = sup[["Aktivitet", "År", "Arrangementer", "Optalte deltagere i alt", "Deltagelser", "Unikke personer"]].astype(str).values.tolist()
        return ("<p>Arrangementer og deltagere efter helhedsplanens logbog. <em>Deltagelser</em> og <em>unikke personer</em> "
                f"tæller registrerede personer (pseudonymer); tal under {self.min_cell} vises som &lt;{self.min_cell}.</p>"
                + html_table(rows, ["Aktivitet", "År", "Arrangementer", "Optalte deltagere i alt", "Deltagelser",
                                    "Unikke personer"]))

    def activities(self):
        return _html(self.activity_html())

    # --- data quality
    def quality_html(self) -> str:
        items = []
        for c in self.criteria:
            ev = self.res.evaluations[c.id]
            if ev.missing_years:
                items.append(f"{c.id}: mangler data for {', '.join(map(str, ev.missing_years))}.")
        srcs = set()
        from helhedsplan_eval.analysis.registry import INDICATOR_SOURCES

        for c in self.criteria:
            srcs |= set(INDICATOR_SOURCES.get(self.cat.resolve(c).indicator, ()))
        items += source_names(board_issue_texts([i for i in self.res.bundle.issues if i.source in srcs]),
                              self.res.bundle.issues)
        for c in self.criteria:
            if c.readings:
                items.append(f"{c.id}: aftalen kan læses på flere måder; valgt: {c.chosen_reading}.")
        if not items:
            return "<p>Ingen bemærkninger til datakvaliteten.</p>"
        return "<ul>" + "".join(f"<li>{E(x)}</li>" for x in dict.fromkeys(items)) + "</ul>"

    def quality(self):
        return _html(self.quality_html())


def criterion_status_html(criterion_id: str, year: int, data_dir, min_cell: int = 5) -> str:
    """One criterion's status for the year (badge with the status word, explanation, remaining effort),
    computed through the status engine; for notebooks that show a single criterion."""
    from helhedsplan_eval.data.contract import load_bundle
    from helhedsplan_eval.analysis.evaluate import compute_series

    cat = load_catalogue()
    crit = cat.criteria[criterion_id]
    base = cat.resolve(crit)
    bundle = load_bundle(resolve_path(data_dir), catalogue_ids=set(cat.criteria))
    s = compute_series(base, bundle)
    ev = safe_evaluation(base, evaluate(base, _truncate(s, year), year), s, min_cell)
    rest = f"<p><strong>Resterende indsats:</strong> {E(ev.remaining_text)}</p>" if ev.remaining_text else ""
    return (f"<div class='criterion-status'><p><strong>Status {year} for {E(crit.id)}:</strong> "
            f"{badge(ev.label, ev.status)}</p><p>{E(ev.explanation)}</p>{rest}</div>")


def criterion_status(criterion_id: str, year: int, data_dir, min_cell: int = 5):
    return _html(criterion_status_html(criterion_id, year, data_dir, min_cell))


# ----------------------------------------------------------------------------- charts

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
    step = 1 if last - first + 1 <= max_labels else 2
    ax.set_xticks(list(range(first, last + 1, step)))
    ax.xaxis.set_major_formatter(F.tick_formatter("year"))
    ax.set_xlim(first - 0.4, last + 0.4)


def _chart_theme():
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", rc=CHART_RC)


def criterion_chart(crit: Criterion, s: IndicatorSeries | None, year: int, min_cell: int = 5, safe=None,
                    shown: Criterion | None = None):
    """A chart of the area against the comparison population and the target path up to 2020,
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
    unit = crit.unit
    kind_fmt = "pct" if unit == "pct" else ("kr" if unit == "kr" else "number")
    if gap_kind and has_cmp:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.9))
    else:
        fig, ax1 = plt.subplots(figsize=(6.5, 3.9))
        ax2 = None
    yrs = [int(y) for y in d.index if pd.notna(d.at[y, "value"])]
    vals = [float(d.at[y, "value"]) for y in yrs]
    ax1.plot(yrs, vals, marker="o", color="#1d4ed8", label="Høje Gladsaxe")
    if has_cmp:
        cy = [int(y) for y in d.index if pd.notna(d.at[y, "comparison"])]
        ax1.plot(cy, [float(d.at[y, "comparison"]) for y in cy], marker="s", color="#6b7280",
                 label=COMPARISON_LABELS.get(crit.indicator, "Sammenligning"))
    target_ax = ax2 if ax2 is not None else ax1
    if ax2 is not None:
        gy = [y for y in yrs if pd.notna(d.at[y, "comparison"])]
        gaps = [((d.at[y, "comparison"] - d.at[y, "value"]) if crit.direction == "up" else (d.at[y, "value"] - d.at[y, "comparison"]))
                for y in gy]
        ax2.plot(gy, gaps, marker="o", color="#1d4ed8", label="Forskel")
        ax2.set_title("Forskel til sammenligningen")
        ax2.set_ylabel(_axis_label(crit, gap=True))
    if path:
        py = sorted(path)
        label = "Målsti" if len(py) > 1 else "Mål"
        target_ax.plot(py, [path[y] for y in py], linestyle="--", marker="D", markersize=5, color="#b45309",
                       label=label)
    all_years = yrs + [int(y) for y in d.index if bool(d.at[y, "hidden"])] + [int(y) for y in path]
    first = min(all_years + [FIRST_PLAN_YEAR])
    for ax in [a for a in (ax1, ax2) if a is not None]:
        ax.axvline(year, color="#111", linestyle=":", linewidth=1)
        _year_ticks(ax, first, LAST_PLAN_YEAR)
        ax.set_xlabel("År (prikket linje: evalueringsåret)")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best")
    ax1.set_ylabel(_axis_label(crit))
    _tidy_y_axis(ax1, kind_fmt, integer=unit in ("count", "persons", "kr") and not gap_kind)
    if ax2 is not None:
        _tidy_y_axis(ax2, "number", integer=False)
    title = shown.short or shown.text
    if len(title) > 60:
        title = title[:58] + "…"
    if safe.hidden:
        title += f"\n(år med færre end {min_cell} personer vises ikke)"
    ax1.set_title(title)
    fig.suptitle(f"{shown.id}", x=0.02, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig


def chart_alt_text(shown: Criterion, crit: Criterion, fig, year: int, status_label: str) -> str:
    """What the chart shows, for the image's alt text: criterion, measure, years, status."""
    years = sorted({int(round(x)) for ax in fig.axes for ln in ax.get_lines() if ln.get_label() == "Høje Gladsaxe"
                    for x in ln.get_xdata()})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    labels = {ln.get_label() for ax in fig.axes for ln in ax.get_lines()}
    parts = [f"Diagram for {shown.id} ({shown.short or shown.text}): {_axis_label(crit).lower()} i Høje Gladsaxe {span}"]
    others = [lab for lab in labels if lab not in ("Høje Gladsaxe", "Forskel") and not lab.startswith("_")
              and lab not in ("Mål", "Målsti")]
    if others:
        parts.append(f" sammenlignet med {', '.join(sorted(others))}")
    if "Målsti" in labels:
        parts.append(", med målstien frem til 2020")
    elif "Mål" in labels:
        parts.append(", med målet")
    parts.append(f". Status {year}: {status_label}.")
    return "".join(parts)


def figure_html(fig, alt: str, cls: str = "board-chart") -> str:
    """The figure as an inline PNG <img> with its alt text (independent of the notebook's backend)."""
    import base64
    import io

    buf = io.BytesIO()
    dpi = 150
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = buf.getvalue()
    w = int.from_bytes(data[16:20], "big")
    h = int.from_bytes(data[20:24], "big")
    css_w, css_h = round(w * 100 / dpi), round(h * 100 / dpi)
    b64 = base64.b64encode(data).decode("ascii")
    return (f"<figure class='{E(cls)}' style='margin:8px 0'><img alt=\"{E(alt)}\" width='{css_w}' height='{css_h}' "
            f"style='max-width:100%;height:auto' src='data:image/png;base64,{b64}'></figure>")


# ----------------------------------------------------------------------------- activities

def activity_summary(bundle, activities: list[str], year: int) -> pd.DataFrame | None:
    """Events, counted participants, registered participations and unique persons per activity
    and year (2017 to ``year``), from the logbook."""
    ev = bundle.table("logbook_events")
    at = bundle.table("logbook_attendance")
    if ev is None:
        return None
    ev = ev.copy()
    ev["År"] = ev["date"].map(lambda d: d.year)
    ev = ev[ev["activity"].isin(activities) & (ev["År"] >= FIRST_PLAN_YEAR) & (ev["År"] <= year)]
    g = ev.groupby(["activity", "År"]).agg(Arrangementer=("event_id", "count"),
                                            **{"Optalte deltagere i alt": ("headcount", "sum")}).reset_index()
    if at is not None:
        m = at.merge(ev[["event_id", "activity", "År"]], on="event_id")
        a = m.groupby(["activity", "År"]).agg(Deltagelser=("person_id", "count"),
                                              **{"Unikke personer": ("person_id", "nunique")}).reset_index()
        g = g.merge(a, on=["activity", "År"], how="left").fillna({"Deltagelser": 0, "Unikke personer": 0})
    else:
        g["Deltagelser"] = 0
        g["Unikke personer"] = 0
    order = {a: i for i, a in enumerate(activities)}
    g = g.sort_values(by=["activity", "År"], key=lambda c: c.map(order) if c.name == "activity" else c)
    return g.reset_index(drop=True)


# ----------------------------------------------------------------------------- overview

class Overview:
    """The board overview: all criteria on one page."""

    def __init__(self, year: int, data_dir, min_cell: int = 5, catalogue: Catalogue | None = None):
        self.cat = catalogue or load_catalogue()
        self.year = year
        self.min_cell = min_cell
        self.data_dir = resolve_path(data_dir)
        self.res = evaluate_year(year, self.data_dir, self.cat, min_cell=min_cell)

    def headline_html(self) -> str:
        n = len(self.cat.criteria)
        counts: dict[str, int] = {}
        unc = 0
        for ev in self.res.evaluations.values():
            counts[ev.status] = counts.get(ev.status, 0) + 1
            unc += int(ev.uncertain)
        chips = " ".join(f"{badge(f'{s}: {counts[s]}', s)}" for s in STATUSES if counts.get(s))
        return (f"<p style='font-size:1.1em'>Status for helhedsplanens <strong>{n} succeskriterier</strong> i "
                f"{self.year}:</p><p style='line-height:2'>{chips}</p>"
                f"<p>{unc} af vurderingerne er markeret <em>(usikkert)</em>, fordi usikkerheden omfatter målet.</p>")

    def counts_frame(self) -> pd.DataFrame:
        t = status_counts(self.res)
        t.index.name = "Indsatsområde"
        return t.reset_index()

    def counts_html(self) -> str:
        df = self.counts_frame()
        cols = list(df.columns)
        rows = [[str(r[c]) for c in cols] for _, r in df.iterrows()]
        hdr = [c if c == "Indsatsområde" else c for c in cols]
        return html_table(rows, hdr)

    def criteria_html(self) -> str:
        parts = ["<p>For hvert indsatsområde står de kriterier, der ikke er opfyldt eller ikke er på vej, først. "
                 "Klik på et id for at se kriteriet på indsatsområdets side.</p>"]
        for area in self.cat.areas.values():
            parts.append(f"<h3>{E(area.name)}</h3>"
                         + criteria_table_html(self.cat, self.res, self.cat.by_area(area.id), self.year, link=True))
        return "".join(parts)

    def budget_frame(self) -> pd.DataFrame:
        rows = []
        spend = self.res.bundle.table("budget_spending")
        for a in self.cat.areas.values():
            b = a.budget
            spent = {}
            if spend is not None:
                part = spend[(spend["area"] == a.id) & (spend["year"] <= self.year)]
                spent = part.groupby("funder")["amount_dkk"].sum().to_dict()
            rows.append(dict(Indsatsområde=a.name, lbf=b.get("lbf"), lokal=b.get("local"), total=b.get("total"),
                             forbrug=sum(spent.values()) if spent else None))
        p = self.cat.plan.get("budget", {})
        alloc_lbf = sum(r["lbf"] for r in rows)
        rows.append(dict(Indsatsområde="Ikke fordelt på indsatsområder (fx sekretariat)", lbf=p.get("lbf") - alloc_lbf,
                         lokal=p.get("local") - sum(r["lokal"] for r in rows), total=p.get("total") - sum(r["total"] for r in rows),
                         forbrug=(spend[(spend["area"] == "tværgående") & (spend["year"] <= self.year)]["amount_dkk"].sum()
                                  if spend is not None else None)))
        rows.append(dict(Indsatsområde="Helhedsplanen i alt", lbf=p.get("lbf"), lokal=p.get("local"), total=p.get("total"),
                         forbrug=(spend[spend["year"] <= self.year]["amount_dkk"].sum() if spend is not None else None)))
        return pd.DataFrame(rows)

    def budget_html(self) -> str:
        df = self.budget_frame()
        rows = [[r["Indsatsområde"], F.fmt_kr(r["lbf"]), F.fmt_kr(r["lokal"]), F.fmt_kr(r["total"]),
                 F.fmt_kr(r["forbrug"]) if r["forbrug"] is not None else F.MISSING,
                 (F.fmt_pct(100 * r["forbrug"] / r["total"]) if r["forbrug"] is not None and r["total"] else F.MISSING)]
                for _, r in df.iterrows()]
        note = ("<p style='font-size:.9em;color:#555'>Budget efter aftalens afsnit 7 og delaftalerne. Forebyggelse og "
                "forældreansvar: aftalen trykker Landsbyggefondens andel som »1.4713.000 kr.«; rapporten bruger "
                "1.321.000 kr. (3.663.000 − 2.342.000). Forbrug er summeret fra "
                f"{FIRST_PLAN_YEAR} til og med {self.year}.</p>")
        return html_table(rows, ["Indsatsområde", "Landsbyggefonden", "Lokal medfinansiering", "I alt",
                                 f"Forbrug {FIRST_PLAN_YEAR}–{self.year}", "Andel brugt"]) + note

    def register_frame(self) -> pd.DataFrame | None:
        reg = self.res.bundle.table("register_measures")
        if reg is None:
            return None
        reg = reg[reg["year"] <= self.year]
        names = {m["id"]: m["name"] for m in self.cat.register_measures}
        out = reg.assign(Måling=reg["measure"].map(names).fillna(reg["measure"]))
        return out

    def register_chart(self, cols: int = 3):
        df = self.register_frame()
        if df is None or df.empty:
            return None
        _chart_theme()
        measures = [m for m in self.cat.register_measures if m["id"] in set(df["measure"])]
        n = len(measures)
        rows = (n + cols - 1) // cols
        width = 12 if cols > 1 else 4.6
        fig, axes = plt.subplots(rows, cols, figsize=(width, 3.3 * rows), squeeze=False)
        first, last = int(df["year"].min()), int(df["year"].max())
        for ax, m in zip(axes.flat, measures):
            part = df[df["measure"] == m["id"]]
            for pop, colour, label in (("område", "#1d4ed8", "Høje Gladsaxe"), ("kommune", "#6b7280", "Gladsaxe Kommune")):
                p = part[part["population"] == pop].sort_values("year")
                ax.plot(p["year"].astype(int), p["value_pct"].astype(float), marker="o", color=colour, label=label)
            title = m["name"] if len(m["name"]) <= 40 else m["name"][:38] + "…"
            ax.set_title(title, fontsize=11)
            ax.set_ylabel("Andel (%)")
            _year_ticks(ax, first, last, max_labels=5)
            _tidy_y_axis(ax, "pct", integer=False, nbins=4)
            ax.axvline(FIRST_PLAN_YEAR - 0.5, color="#b45309", linestyle=":", linewidth=1)
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        axes.flat[0].legend()
        sep = "\n" if cols == 1 else " "
        fig.suptitle(f"Registermålinger: Høje Gladsaxe mod Gladsaxe Kommune{sep}(prikket linje: planens start)",
                     x=0.01, ha="left")
        top_in = 0.75 if cols == 1 else 0.45  # room for the title above the first row
        fig.tight_layout(rect=(0, 0, 1, 1 - top_in / (3.3 * rows)))
        return fig

    def register_chart_html(self) -> str:
        """The small multiples as images with alt text: three columns on a wide screen and on paper,
        one column on a phone (board.css shows the one that fits)."""
        df = self.register_frame()
        if df is None or df.empty:
            return ""
        n = len({m["id"] for m in self.cat.register_measures} & set(df["measure"]))
        alt = (f"Små diagrammer over {n} registermålinger fra Landsbyggefonden, "
               f"{int(df['year'].min())}–{int(df['year'].max())}: andelen i Høje Gladsaxe (blå) mod Gladsaxe "
               "Kommune (grå) for hver måling; tallene står i tabellen ovenfor.")
        return (figure_html(self.register_chart(3), alt, cls="board-chart chart-wide")
                + figure_html(self.register_chart(1), alt, cls="board-chart chart-narrow"))

    def register_html(self) -> str:
        df = self.register_frame()
        if df is None:
            return "<p>Registerdata (LBF/DST) er ikke leveret.</p>"
        feeds = {"sigtede_10_17": "KP-1", "indkomst_over_200k": "TT-3", "unge_offentlig_forsoergelse": "KP-MEN-2 (via ledelsescockpittet)"}
        rows = []
        for m in self.cat.register_measures:
            p = df[df["measure"] == m["id"]]
            if p.empty:
                rows.append([m["name"], F.MISSING, F.MISSING, F.MISSING, feeds.get(m["id"], "–")])
                continue
            last = int(p["year"].max())
            a = p[(p["year"] == last) & (p["population"] == "område")]["value_pct"]
            k = p[(p["year"] == last) & (p["population"] == "kommune")]["value_pct"]
            rows.append([m["name"], str(last), F.fmt_pct(float(a.iloc[0])) if len(a) else F.MISSING,
                         F.fmt_pct(float(k.iloc[0])) if len(k) else F.MISSING, feeds.get(m["id"], "følges uden mål")])
        return html_table(rows, ["Måling", "Seneste år", "Høje Gladsaxe", "Gladsaxe Kommune", "Succeskriterium"])

    def quality_html(self) -> str:
        issues = self.res.bundle.issues
        if not issues:
            return "<p>Ingen fejl eller advarsler i årets data.</p>"
        from helhedsplan_eval.data.sources import SOURCES

        by_file = {}
        for i in issues:
            by_file.setdefault(i.file, SOURCES.get(i.source))
        rows = []
        for sev, file, col, problem, n in board_issue_rows(issues):
            src = by_file.get(file)
            feeds = ", ".join(src.feeds) if src else "–"
            rows.append([sev, (src.title if src else file), col, problem, n, feeds or "–"])
        errs = sum(1 for i in issues if i.severity == ERROR)
        warns = len(issues) - errs
        return (f"<p>{errs} fejl og {warns} {'advarsel' if warns == 1 else 'advarsler'}. Kilder med fejl indgår ikke; deres kriterier "
                "afventer data. Tabellen tæller problemerne pr. fil, kolonne og slags; de enkelte værdier står kun i "
                "evaluatorens valideringsrapport.</p>"
                + html_table(rows, ["Alvor", "Kilde", "Kolonne", "Problem", "Rækker", "Berører"]))


    # display wrappers for the notebook
    def headline(self):
        return _html(self.headline_html())

    def counts(self):
        return _html(self.counts_html())

    def criteria(self):
        return _html(self.criteria_html())

    def budget(self):
        return _html(self.budget_html())

    def registers(self):
        """Display the register table and the small-multiples chart (images with alt text)."""
        return _html(self.register_html() + self.register_chart_html())

    def quality(self):
        return _html(self.quality_html())


STATUS_GUIDE = """**Sådan læses status**

- **Opfyldt** / **Ikke opfyldt**: målet er nået / ikke nået. For mål, der gælder hvert år, vurderes året for sig; for mål over en periode er svaret endeligt, når perioden er slut.
- **På vej** / **Ikke på vej**: perioden er ikke slut. Vurderingen sammenligner det opnåede med målstien: *på vej* kræver mindst 95 % af den fremgang, der skulle være nået på dette tidspunkt (samme metode som Statistics Canada og Open SDG bruger).
- **Afventer data**: tallene, vurderingen kræver, er ikke leveret. Manglende år tælles aldrig som 0.
- **Ikke aktuel endnu**: kriteriet kan ikke vurderes i år (perioden er ikke begyndt, målingen eller fristen ligger senere).
- **Skjult**: tallet bygger på så få personer (færre end rapportens grænse, normalt 5), at det ville kunne afsløre enkeltpersoner; det vises derfor ikke og vurderes ikke. Det betyder ikke, at data mangler.
- **Kan ikke vurderes**: tallet findes, men kan ikke bruges til en pålidelig vurdering (fx når vægtningen af en spørgeskemaundersøgelse ikke lykkes); årsagen står ved kriteriet.
- **(usikkert)**: tallene er så små, at den statistiske usikkerhed (95 %-interval) omfatter målet.
- Kvalitative kriterier viser den registrerede vurdering med begrundelse og dokumentation.

Farverne gentager kun teksten; status står altid med ord.
"""


# ----------------------------------------------------------------------------- provenance

PARAM_NAMES_DA = {"evaluation_year": "evalueringsår", "min_cell": "mindste viste antal personer"}


def provenance_html(data_dir, **params) -> str:
    """Closing provenance note: input files with checksums, package version and the run's settings in
    Danish (the time of the run stands once, in the page footer)."""
    d = resolve_path(data_dir)
    from helhedsplan_eval.data.contract import contract_files  # the files the contract reads, never anything else of the folder

    files = sorted(contract_files(d))
    rows = [[p.name, sha256(p)[:16]] for p in files]
    ptxt = ", ".join(f"{PARAM_NAMES_DA.get(k, k.replace('_', ' '))} {v}" for k, v in params.items() if k != "data_dir")
    return (f"<h2>Dokumentation af kørslen</h2><p>helhedsplan-eval {E(__version__)} · Python {E(platform.python_version())} · "
            f"indstillinger: {E(ptxt)} · datamappe: {E(d.name)}. Tidspunktet for kørslen står nederst på siden.</p>"
            "<details class='provenance-files'><summary>Inputfiler og kontrolsummer (SHA-256, de første 16 tegn)</summary>"
            + html_table(rows, ["Fil", "SHA-256"]) + "</details>")


def provenance(data_dir, **params):
    return _html(provenance_html(data_dir, **params))
