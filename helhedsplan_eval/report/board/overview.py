"""The board overview: headline counts, all criteria per area, budget, LBF's register measurements
(table and small multiples) and the year's data-quality warnings; and the guide to reading a status."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.evaluate import evaluate_year, status_counts
from helhedsplan_eval.analysis.status import COMPONENT, COMPONENT_NAME, STATUSES
from helhedsplan_eval.catalogue.criteria import Catalogue, load_catalogue
from helhedsplan_eval.catalogue.names import plan_names
from helhedsplan_eval.catalogue.period import plan_period
from helhedsplan_eval.data.contract import ERROR
from helhedsplan_eval.paths import resolve_path
from helhedsplan_eval.report.board.charts import (AREA_STYLE, COMPARISON_STYLE, _chart_theme, _tidy_y_axis,
                                                  _year_ticks, figure_html)
from helhedsplan_eval.report.board.parameters import _html, first_plan_year
from helhedsplan_eval.report.board.tables import badge, criteria_table_html, html_table
from helhedsplan_eval.report.disclosure import board_issue_rows
from helhedsplan_eval.report.reading_guide import STATUS_GUIDE  # noqa: F401  (defined there, for report.pdf)

E = html.escape


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
        names = {COMPONENT: COMPONENT_NAME}
        chips = " ".join(f"{badge(f'{names.get(s, s)}: {counts[s]}', s)}" for s in STATUSES if counts.get(s))
        return (f"<p style='font-size:1.1em'>Status for helhedsplanens <strong>{n} succeskriterier</strong> i "
                f"{plan_period().label(self.year)}:</p><p style='line-height:2'>{chips}</p>"
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
        return html_table(rows, hdr, caption=f"Succeskriterier pr. indsatsområde og status {plan_period().label(self.year)}")

    def criteria_html(self) -> str:
        parts = ["<p>For hvert indsatsområde står de kriterier, der ikke er opfyldt eller ikke er på vej, først. "
                 "Klik på et id for at se kriteriet på indsatsområdets side.</p>"]
        for area in self.cat.areas.values():
            parts.append(f"<h3>{E(area.name)}</h3>"
                         + criteria_table_html(self.cat, self.res, self.cat.by_area(area.id), self.year, link=True,
                                               caption=f"{area.name}: succeskriterier med status {plan_period().label(self.year)}"))
        return "".join(parts)

    def budget_frame(self) -> pd.DataFrame:
        return budget_frame(self.cat, self.res.bundle, self.year)

    def budget_html(self) -> str:
        df = self.budget_frame()
        rows = [[r["Indsatsområde"], F.fmt_kr(r["lbf"]), F.fmt_kr(r["lokal"]), F.fmt_kr(r["total"]),
                 F.fmt_kr(r["forbrug"]) if r["forbrug"] is not None else F.MISSING,
                 (F.fmt_share(100 * r["forbrug"] / r["total"]) if r["forbrug"] is not None and r["total"] else F.MISSING)]
                for _, r in df.iterrows()]
        note = ("<p style='font-size:.9em;color:#555'>Budget efter aftalens afsnit 7 og delaftalerne. Forebyggelse og "
                "forældreansvar: aftalen trykker Landsbyggefondens andel som »1.4713.000 kr.«; rapporten bruger "
                "1.321.000 kr. (3.663.000 − 2.342.000). Forbrug er summeret fra "
                f"{plan_period().label(first_plan_year())} til og med {plan_period().label(self.year)}.</p>")
        return html_table(rows, ["Indsatsområde", "Landsbyggefonden", "Lokal medfinansiering", "I alt",
                                 f"Forbrug {plan_period().label(first_plan_year())}–{plan_period().label(self.year)}", "Andel brugt"],
                          caption="Budget og forbrug pr. indsatsområde (kr.)") + note

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
        names = plan_names()
        for ax, m in zip(axes.flat, measures):
            part = df[df["measure"] == m["id"]]
            # the area and the municipality differ by marker and line style as well as by colour (WCAG 1.4.1)
            for pop, style, label in (("område", AREA_STYLE, names.area_name), ("kommune", COMPARISON_STYLE,
                                                                               names.municipality)):
                p = part[part["population"] == pop].sort_values("year")
                ax.plot(p["year"].astype(int), p["value_pct"].astype(float), label=label, **style)
            title = m["name"] if len(m["name"]) <= 40 else m["name"][:38] + "…"
            ax.set_title(title, fontsize=11)
            ax.set_ylabel("Andel (%)")
            _year_ticks(ax, first, last, max_labels=5)
            _tidy_y_axis(ax, "pct", integer=False, nbins=4)
            ax.axvline(first_plan_year() - 0.5, color="#b45309", linestyle=":", linewidth=1)
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        axes.flat[0].legend()
        sep = "\n" if cols == 1 else " "
        fig.suptitle(f"Registermålinger: {names.area_name} mod {names.municipality}{sep}(prikket linje: planens start)",
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
        names = plan_names()
        alt = (f"Små diagrammer over {n} registermålinger fra Landsbyggefonden, "
               f"{int(df['year'].min())}–{int(df['year'].max())}: andelen i {names.area_name} (blå fuld linje med "
               f"cirkler) mod {names.municipality} (grå stiplet linje med firkanter) for hver måling; tallene står i "
               "tabellen ovenfor.")
        return (figure_html(self.register_chart(3), alt, cls="board-chart chart-wide", tight=False)
                + figure_html(self.register_chart(1), alt, cls="board-chart chart-narrow", tight=False))

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
            rows.append([m["name"], str(last), F.fmt_share(float(a.iloc[0])) if len(a) else F.MISSING,
                         F.fmt_share(float(k.iloc[0])) if len(k) else F.MISSING, feeds.get(m["id"], "følges uden mål")])
        names = plan_names()
        return html_table(rows, ["Måling", "Seneste år", names.area_name, names.municipality, "Succeskriterium"],
                          caption="Landsbyggefondens registermålinger, seneste år")

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
                "afventer data (i opgørelser og vurderinger udelades kun rækken med fejlen). Tabellen tæller problemerne pr. fil, kolonne og slags; de enkelte værdier står kun i "
                "evaluatorens valideringsrapport.</p>"
                + html_table(rows, ["Alvor", "Kilde", "Kolonne", "Problem", "Rækker", "Berører"],
                             caption="Fejl og advarsler i årets data pr. kilde og kolonne", row_header=False))


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


def budget_frame(cat: Catalogue, bundle, year: int) -> pd.DataFrame:
    """Budget per area and funder (the agreement's) and spending from the plan's first year to ``year``."""
    rows = []
    spend = bundle.table("budget_spending")
    for a in cat.areas.values():
        b = a.budget
        spent = {}
        if spend is not None:
            part = spend[(spend["area"] == a.id) & (spend["year"] <= year)]
            spent = part.groupby("funder")["amount_dkk"].sum().to_dict()
        rows.append(dict(Indsatsområde=a.name, lbf=b.get("lbf"), lokal=b.get("local"), total=b.get("total"),
                         forbrug=sum(spent.values()) if spent else None))
    p = cat.plan.get("budget", {})
    alloc_lbf = sum(r["lbf"] for r in rows)
    rows.append(dict(Indsatsområde="Ikke fordelt på indsatsområder (fx sekretariat)", lbf=p.get("lbf") - alloc_lbf,
                     lokal=p.get("local") - sum(r["lokal"] for r in rows), total=p.get("total") - sum(r["total"] for r in rows),
                     forbrug=(spend[(spend["area"] == "tværgående") & (spend["year"] <= year)]["amount_dkk"].sum()
                              if spend is not None else None)))
    rows.append(dict(Indsatsområde="Helhedsplanen i alt", lbf=p.get("lbf"), lokal=p.get("local"), total=p.get("total"),
                     forbrug=(spend[spend["year"] <= year]["amount_dkk"].sum() if spend is not None else None)))
    return pd.DataFrame(rows)

