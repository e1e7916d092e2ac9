"""The coverage rule every kind shares (issue 21): **no verdict without the year it judges**.

Each kind judges one year: an annual kind the evaluation year (or the last applicable year), a period kind
(cumulative totals, period means, pooled shares, growth, gaps) the evaluation year within its period and, once
the period has closed, the period's last year; the survey comparison its end wave. When that year's figure is
not delivered, the status is *Afventer data*: a missing year is never read as 0 (no new persons), and a
period's verdict is never given on the years before it. The one exception is a verdict the missing year cannot
change: a cumulative total that has already reached its target (a cumulative total cannot fall). A period
kind whose catalogue entry sets ``min_years`` explicitly says that fewer years suffice for the final verdict
(e.g. a survey not carried out in the period's last year); its final verdict then rests on
the years delivered, at least ``min_years`` of them, and names the missing ones. Gaps to a comparison
population come from registers published with a lag: an interim gap is judged on the latest year with both
figures, and the explanation names that year ("seneste tal er fra 2023"); the final verdict needs the last year.

:func:`apply_coverage` enforces the rule after the kind's evaluator, so a kind that forgets it (or a new kind)
still obeys it; :data:`JUDGED` says, per kind, which year is judged and what "delivered" means. A kind not
listed judges ``min(year, period_end)`` and needs its ``value`` there.
"""

from __future__ import annotations

from typing import Callable

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status.common import _gap, _missing_text, year_label
from helhedsplan_eval.analysis.status.types import AWAITING, MET, NO_JUDGEMENT, Evaluation, IndicatorSeries

GAP_KINDS = ("gap_target", "gap_reduction_rate")
NO_YEARLY_FIGURE = ("milestone", "qualitative")  # dated records, not a yearly series (see eval_milestone)


def judged_year(crit, year: int) -> int | None:
    """The year whose figure the judgement for evaluation year ``year`` needs (None: the kind has no yearly
    figure)."""
    k, p = crit.kind, crit.params
    if k in NO_YEARLY_FIGURE:
        return None
    if k == "survey_wave_increase":
        return int(p.get("end_wave", crit.period_end))
    if k in ("annual_minimum", "minimum_share", "ratio_to_comparison"):
        return min(year, max(int(y) for y in crit.years))
    return min(year, crit.period_end)


def _share_delivered(s: IndicatorSeries, y: int) -> bool:
    den, num = s._get(y, "denominator"), s._get(y, "numerator")
    if den is None and num is None:  # a share given as a value only
        return s.has(y)
    return den is not None and den > 0 and num is not None


def delivered(crit, s: IndicatorSeries, y: int) -> bool:
    """Whether the figure of year ``y`` is delivered, as the kind reads it."""
    if crit.kind in GAP_KINDS or (crit.kind == "period_mean_max" and crit.params.get("measure") == "gap"):
        return _gap(s, y, crit.direction) is not None
    if crit.kind == "ratio_to_comparison":
        return s.has(y) and s.comparison(y) is not None
    if crit.kind == "minimum_share":
        return _share_delivered(s, y)
    return s.has(y)


# verdicts that the missing judged year cannot change: kind -> test on the evaluation
CERTAIN: dict[str, Callable[[Evaluation], bool]] = {
    "cumulative_total": lambda ev: ev.status == MET,
}


def apply_coverage(crit, s: IndicatorSeries, year: int, ev: Evaluation) -> Evaluation:
    """*Afventer data* for a verdict whose judged year is not delivered (see the module docstring)."""
    if ev.status in NO_JUDGEMENT:
        return ev
    y = judged_year(crit, year)
    final = year >= crit.period_end
    if y is None or delivered(crit, s, y) or CERTAIN.get(crit.kind, lambda e: False)(ev):
        return ev
    if final and "min_years" in (crit.params or {}):  # the catalogue accepts a final verdict on fewer years
        return ev
    if not final and crit.kind in GAP_KINDS:  # register lag: an interim gap is judged on the latest year, named
        return ev
    ev.status, ev.uncertain = AWAITING, False
    ev.value, ev.value_text, ev.interval, ev.ratio = None, F.MISSING, None, None
    ev.remaining, ev.remaining_text, ev.alternative = None, "", None
    ev.missing_years = sorted(set(ev.missing_years) | {y})
    what = ", periodens sidste år, så der gives ingen endelig vurdering" if final else ", så året kan ikke vurderes"
    ev.explanation = (f"Der er ikke leveret data for {year_label(y)}" + what
                      + "; et manglende år tælles ikke som 0."
                      + _missing_text([t for t in ev.missing_years if t != y]))
    return ev
