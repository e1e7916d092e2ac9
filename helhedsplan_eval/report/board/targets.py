"""Target wording: the target as the board reads it, with direction and unit ("højst 48 i gennemsnit 2023–2025")."""

from __future__ import annotations

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status import Evaluation
from helhedsplan_eval.analysis.status.common import _span, year_label
from helhedsplan_eval.catalogue.criteria import Criterion
from helhedsplan_eval.report.board.parameters import first_plan_year, last_plan_year


def goal_text(crit: Criterion, ev: Evaluation, year: int) -> str:
    """The target as the board reads it: direction and unit in the same unit as the value shown next to
    it ("højst 48 i gennemsnit 2023–2025", "mindst 70 om året", "mindst 46,3 personer (≥ 5 % om året)").

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
        return f"mindst {t}{persons} ({rate} om året fra {year_label(p.get('baseline_year'))})"
    if k == "period_mean_change":
        word = "højst" if crit.direction == "down" else "mindst"
        return f"{word} {t}{persons} i gennemsnit {per}"
    if k == "period_mean_max":
        if p.get("measure") == "gap":
            return f"forskel højst {t} i gennemsnit {per}"
        return f"højst {t}{persons} i gennemsnit {per}"
    if k == "gap_target":
        extra = f"; målsti {year_label(year)}: {path}" if path and path != t and year < crit.period_end else ""
        return f"forskel højst {t} i {year_label(crit.period_end)}{extra}"
    if k == "gap_reduction_rate":
        return f"forskel højst {t} ({F.fmt_number(float(p.get('rate', 0)), 1)} procentpoint mindre om året)"
    if k in ("annual_minimum", "minimum_share"):
        years = sorted(int(y) for y in crit.years)
        base = f"mindst {t}{persons}"
        if years == list(range(crit.period_start, crit.period_end + 1)) and len(years) > 1:
            every = " om året" if k == "annual_minimum" else " hvert år"
            if (crit.period_start, crit.period_end) != (first_plan_year(), last_plan_year()):
                every += f" {per}"
            return base + every
        when = " og ".join([", ".join(map(year_label, years[:-1])), year_label(years[-1])]) if len(years) > 1 \
            else year_label(years[0])
        only = " (gælder kun det år)" if len(years) == 1 else " (gælder kun de år)"
        return f"{base} i {when}" + (only if year > years[-1] else "")
    if k == "cumulative_total":
        return f"mindst {t}{persons} i alt {per}"
    return t
