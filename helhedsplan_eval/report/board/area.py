"""The intervention-area report: header, summary, one card per criterion (figures per year, chart), activity
figures and data quality; and the status of a single criterion for notebooks that show one."""

from __future__ import annotations

import html

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.evaluate import YearResult, _truncate, evaluate_year, status_frame
from helhedsplan_eval.analysis.status import ASSESSED, COMPONENT, COMPONENT_NAME, NOT_YET, Evaluation, as_component, evaluate
from helhedsplan_eval.catalogue.criteria import KIND_LABELS_DA, Catalogue, Criterion, load_catalogue
from helhedsplan_eval.catalogue.period import plan_period
from helhedsplan_eval.paths import resolve_path
from helhedsplan_eval.report.board.charts import (area_label, chart_alt_text, comparison_labels, criterion_chart,
                                                  figure_html)
from helhedsplan_eval.report.board.parameters import ParameterError, _html, first_plan_year
from helhedsplan_eval.report.board.tables import badge, budget_rows, criteria_table_html, html_table, source_names
from helhedsplan_eval.report.board.targets import _span, goal_text
from helhedsplan_eval.report.disclosure import HIDDEN, board_issue_texts, safe_evaluation, suppress_counts

E = html.escape


def example_criterion(criteria) -> str | None:
    """The first area-level criterion with figures year by year (not qualitative, a milestone or a survey
    comparison), else the first criterion."""
    skip = ("qualitative", "milestone", "survey_wave_increase")
    for c in criteria:
        if not c.linked_to and c.activity is None and c.kind not in skip:
            return c.id
    return criteria[0].id if criteria else None


class AreaReport:
    """Everything an intervention-area notebook shows, for one evaluation year."""

    def __init__(self, area_id: str, year: int, data_dir, min_cell: int = 5, catalogue: Catalogue | None = None,
                 result: YearResult | None = None):
        self.cat = catalogue or load_catalogue()
        if not area_id and self.cat.areas:  # a notebook run without area_id: the plan's first area
            area_id = next(iter(self.cat.areas))
        if area_id not in self.cat.areas:
            raise ParameterError(f"ukendt indsatsområde '{area_id}' (planens indsatsområder: "
                                 f"{', '.join(self.cat.areas)})")
        self.area = self.cat.areas[area_id]
        self.year = year
        self.min_cell = min_cell
        self.data_dir = resolve_path(data_dir)
        self.res = result or evaluate_year(year, self.data_dir, self.cat, min_cell=min_cell)
        self.criteria = self.cat.by_area(area_id)

    # --- header
    def title(self):
        """The page's heading: the area's name, its section of the agreement and the plan's note on it (plan.yml)."""
        from helhedsplan_eval.report.board.output import markdown

        a = self.area
        lines = f"# {a.name}"
        if a.section:
            lines += f"\n\nIndsatsområde {a.section} i den strategiske samarbejdsaftale."
            if a.note:
                lines += f" {a.note}"
        elif a.note:
            lines += f"\n\n{a.note}"
        return markdown(lines)

    def criteria_intro(self):
        """What the criteria section shows, naming the plan's area and last year."""
        from helhedsplan_eval.report.board.output import markdown

        period = plan_period()
        return markdown("For hvert kriterium: aftalens tekst, datakilden, tallene år for år, målet og målstien, status "
                        "med forklaring og den indsats, der resterer. Figurerne viser "
                        f"{area_label()} mod sammenligningsgrundlaget og målstien frem til "
                        f"{period.label(period.last_year)}; den prikkede lodrette linje markerer evalueringsåret.")

    def example_id(self) -> str | None:
        """A criterion of the area with figures year by year (for the notebook's 'Gå videre' section)."""
        return example_criterion(self.criteria)

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
                f"<h3>Budget {plan_period().span()}</h3>{html_table(budget_rows(b), ['Finansiering', 'Beløb'], caption='Budget', caption_hidden=True)}{reading}")

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
        words = {ASSESSED: "med kvalitativ vurdering", COMPONENT: COMPONENT_NAME.lower()}
        count_txt = ", ".join(f"{n} {words.get(s, E(s.lower()))}"
                              for s, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        return (f"<p><strong>{len(self.criteria)} succeskriterier i {plan_period().label(self.year)}:</strong> {count_txt}. "
                "Kriterier, der ikke er opfyldt eller ikke er på vej, står først.</p>"
                + criteria_table_html(self.cat, self.res, self.criteria, self.year,
                                      caption=f"{self.area.name}: succeskriterier med status {plan_period().label(self.year)}"))

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
            for y in range(first_plan_year(), self.year + 1):
                out.append((y, as_component(crit, evaluate(base, _truncate(s, y), y))))
        return out

    def figures_rows(self, crit: Criterion) -> tuple[list[str], list[list[str]]]:
        """The criterion's figures per year as the board sees them (through the disclosure layer)."""
        base = self.cat.resolve(crit)
        s = self.res.series_for(crit)
        safe = self.res.board_series(crit)
        hist = dict(self.history(crit))
        years = [y for y in range(plan_period().baseline_start, self.year + 1)
                 if (s is not None and s.has(y)) or y >= first_plan_year()]
        has_cmp = s is not None and "comparison" in s.data.columns and s.data["comparison"].notna().any()
        gap_kind = base.kind in ("gap_target", "gap_reduction_rate") or base.params.get("measure") == "gap"
        unit = base.unit
        header = ["År", area_label()]
        if has_cmp:
            header += [comparison_labels().get(base.indicator, "Sammenligning"), "Forskel"]
        header += ["Målsti / mål", "Status i året"]
        rows = []
        for y in years:
            v = safe.value.get(y)
            row = [plan_period().label(y), safe.text.get(y, F.MISSING)]
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
                # a target for given years only (60 families in the first year): later years are not judged again
                when = _span(applies[0], applies[-1])  # one year is its label
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
                 f"<p><strong>Status {plan_period().label(self.year)}:</strong> {badge(ev.label, ev.status)}</p>",
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
            parts.append(html_table(rows, header, raw_cols={len(header) - 1}, caption=f"{crit.id}: tal pr. år",
                                    caption_hidden=True))
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
        return figure_html(fig, alt, tight=False)  # laid out by tight_layout: one draw, not two

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
        sup["År"] = df["År"].map(plan_period().label)
        rows = sup[["Aktivitet", "År", "Arrangementer", "Optalte deltagere i alt", "Deltagelser", "Unikke personer"]].astype(str).values.tolist()
        return ("<p>Arrangementer og deltagere efter helhedsplanens logbog. <em>Deltagelser</em> og <em>unikke personer</em> "
                f"tæller registrerede personer (pseudonymer); tal under {self.min_cell} vises som &lt;{self.min_cell}.</p>"
                + html_table(rows, ["Aktivitet", "År", "Arrangementer", "Optalte deltagere i alt", "Deltagelser",
                                    "Unikke personer"], caption="Arrangementer og deltagere pr. aktivitet og år"))

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
        from helhedsplan_eval.analysis.registry import sources_of

        for c in self.criteria:
            srcs |= set(sources_of(self.cat.resolve(c).indicator, self.cat.resolve(c).indicator_args))
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
    return (f"<div class='criterion-status'><p><strong>Status {plan_period().label(year)} for {E(crit.id)}:</strong> "
            f"{badge(ev.label, ev.status)}</p><p>{E(ev.explanation)}</p>{rest}</div>")


def criterion_status(criterion_id: str, year: int, data_dir, min_cell: int = 5):
    return _html(criterion_status_html(criterion_id, year, data_dir, min_cell))


def activity_summary(bundle, activities: list[str], year: int) -> pd.DataFrame | None:
    """Events, counted participants, registered participations and unique persons per activity
    and year (the plan's first year to ``year``), from the logbook."""
    ev = bundle.table("logbook_events")
    at = bundle.table("logbook_attendance")
    if ev is None:
        return None
    ev = ev.copy()
    ev["År"] = ev["date"].map(plan_period().year_of)  # the plan year (the calendar year for calendar plan years)
    ev = ev[ev["activity"].isin(activities) & (ev["År"] >= first_plan_year()) & (ev["År"] <= year)]
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
