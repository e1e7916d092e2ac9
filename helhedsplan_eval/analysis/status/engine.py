"""The engine: one evaluator per kind (``EVALUATORS``), :func:`evaluate` with the rules every kind shares
(a source not delivered, a figure that cannot be relied on, alternative readings, board-text hygiene), and
:func:`target_path`, the path each plan year should reach for charts and tables."""

from __future__ import annotations

import copy
from typing import Callable

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status.assessments import eval_milestone, eval_qualitative, eval_survey_wave_increase
from helhedsplan_eval.analysis.status.common import _years, tidy_text
from helhedsplan_eval.analysis.status.coverage import apply_coverage
from helhedsplan_eval.analysis.status.counts import eval_annual_minimum, eval_cumulative_total, eval_minimum_share
from helhedsplan_eval.analysis.status.gaps import eval_gap_reduction_rate, eval_gap_target
from helhedsplan_eval.analysis.status.growth import _growth_target, eval_growth, eval_yoy_growth
from helhedsplan_eval.analysis.status.means import eval_period_mean_change, eval_period_mean_max
from helhedsplan_eval.analysis.status.ratio import eval_ratio_to_comparison, ratio_path
from helhedsplan_eval.analysis.status.tiers import eval_hold_baseline, eval_two_tier, tier_path
from helhedsplan_eval.analysis.status.units import eval_count_units
from helhedsplan_eval.analysis.status.types import (AWAITING, COMPONENT, NO_JUDGEMENT, NOT_YET, SUPPRESSED,
                                                    UNJUDGEABLE, Evaluation, IndicatorSeries)


def target_path(crit, s: IndicatorSeries | None) -> dict[int, float]:
    """The target path for the chart and tables: the value each plan year should reach (on the
    gap scale for gap kinds), from the criterion's parameters and, where the target is relative,
    the baseline year's value in the data. Empty for kinds without a numeric path."""
    p = crit.params
    T = crit.period_end
    out: dict[int, float] = {}
    k = crit.kind
    if k in PATHS:
        return PATHS[k](crit, s)
    if k in ("annual_minimum", "minimum_share"):
        return {int(y): float(p["target"]) for y in crit.years}
    if k == "cumulative_total":
        t0 = crit.period_start
        return {y: float(p["target"]) * (y - t0 + 1) / (T - t0 + 1) for y in _years(t0, T)}
    if k == "period_mean_max":
        return {y: float(p.get("max", p.get("min"))) for y in _years(crit.period_start, T)}
    if k in ("period_mean_change", "growth", "yoy_growth"):
        b_year = int(p["baseline_year"])
        B = s.value(b_year) if s is not None else None
        if B is None:
            return out
        if k == "period_mean_change":
            return {y: B * (1 + float(p["change"])) for y in _years(crit.period_start, T)}
        mode = p.get("mode", "compound")
        return {y: _growth_target(B, float(p["rate"]), y, b_year, mode) for y in _years(b_year, T)}
    if k == "gap_target":
        t0, g0, gT = int(p["baseline_year"]), float(p["baseline_gap"]), float(p["target_gap"])
        return {y: g0 + (gT - g0) * (y - t0) / (T - t0) for y in _years(t0, T)}
    if k == "gap_reduction_rate":
        t0, g0, r = int(p["baseline_year"]), float(p["baseline_gap"]), float(p["rate"])
        return {y: g0 - r * (y - t0) for y in _years(t0, T)}
    return out


EVALUATORS: dict[str, Callable] = {
    "annual_minimum": eval_annual_minimum,
    "minimum_share": eval_minimum_share,
    "cumulative_total": eval_cumulative_total,
    "period_mean_change": eval_period_mean_change,
    "period_mean_max": eval_period_mean_max,
    "growth": eval_growth,
    "yoy_growth": eval_yoy_growth,
    "gap_target": eval_gap_target,
    "gap_reduction_rate": eval_gap_reduction_rate,
    "survey_wave_increase": eval_survey_wave_increase,
    "milestone": eval_milestone,
    "qualitative": eval_qualitative,
    # issue 20
    "ratio_to_comparison": eval_ratio_to_comparison,
    "two_tier": eval_two_tier,
    "hold_baseline": eval_hold_baseline,
    "count_units": eval_count_units,
}

# the target paths of the kinds whose module defines them (count_units has none: its limit is a count of units)
PATHS: dict[str, Callable] = {"ratio_to_comparison": ratio_path, "two_tier": tier_path, "hold_baseline": tier_path}


def evaluate(crit, series: IndicatorSeries, year: int) -> Evaluation:
    """Evaluate one criterion for one evaluation year, including its alternative readings.

    A whole source that was not delivered gives *Afventer data* (or *Ikke aktuel endnu* before
    the criterion applies)."""
    func = EVALUATORS[crit.kind]
    series = series.indexed()  # read-only from here: one table of cells instead of a pandas look-up per read
    ev = apply_coverage(crit, series, year, func(crit, series, year))
    unreliable = (series.extra or {}).get("unreliable")
    if series.source_missing and ev.status not in (NOT_YET,):
        ev.status = AWAITING
        ev.uncertain = False
        ev.explanation = "Datakilden er ikke leveret, så kriteriet afventer data."
    elif unreliable and ev.status not in (NOT_YET, AWAITING, SUPPRESSED):
        # the figure exists but cannot be relied on (e.g. survey weighting failed): no verdict
        reason = str(unreliable).strip().rstrip(".")
        lead = reason if reason[:1].isupper() else f"Kriteriet kan ikke vurderes pålideligt: {reason}"
        ev.explanation = f"{lead}. Uden dette forbehold ville status have været {ev.label}. " + ev.explanation
        ev.status = UNJUDGEABLE
        ev.remaining, ev.remaining_text = None, ""
    if ev.status in NO_JUDGEMENT:
        ev.uncertain = False
    ev.reading = getattr(crit, "chosen_reading", None)
    for alt in getattr(crit, "alternatives", []) or []:
        alt_series = series
        if alt.get("series"):  # another reading of the indicator, computed beside it (extra['alternative_series'])
            alt_series = (series.extra or {}).get("alternative_series", {}).get(alt["series"])
            if alt_series is None:
                continue
            alt_series = _until(alt_series, year).indexed()
        alt_crit = crit.with_params(alt.get("params", {}))
        alt_ev = func(alt_crit, alt_series, year)
        if ev.status in (AWAITING, NOT_YET, SUPPRESSED, UNJUDGEABLE):
            continue
        info = {"reading": alt.get("reading"), "status": alt_ev.status}
        if alt.get("series"):  # another count: always shown beside the chosen one
            info["value_text"] = alt_ev.value_text
            ev.alternative = info
        if alt_ev.status != ev.status:
            ev.alternative = info
            val = f" ({alt_ev.value_text})" if alt.get("series") and alt_ev.value_text != F.MISSING else ""
            ev.explanation += (f" Med den alternative læsning ({alt.get('reading')}) ville status være "
                               f"{alt_ev.status}{val}.")
        elif alt.get("series") and alt_ev.value_text != ev.value_text:
            ev.explanation += (f" Med den alternative læsning ({alt.get('reading')}) er tallet {alt_ev.value_text}, "
                               f"og status er den samme.")
    ev.explanation = tidy_text(ev.explanation)
    ev.remaining_text = tidy_text(ev.remaining_text)
    for f_ in ("value_text", "target_text", "path_text"):
        setattr(ev, f_, tidy_text(getattr(ev, f_)))
    return ev


def _until(s: IndicatorSeries, year: int) -> IndicatorSeries:
    """The series without years after ``year`` (a judgement never sees later data)."""

    t = copy.copy(s)
    t.data = s.data.loc[s.data.index <= year]
    return t


def as_component(crit, ev: Evaluation) -> Evaluation:
    """A component of a count of units (``component_of`` in criteria.yml) as the board reads it: status *Indgår i
    <id>*, no verdict of its own. Its own status would only say whether the sign it stands for is present in the
    area's total ("Opfyldt": 2 or more udsættelser), not whether a goal is met; the count of units judges it per
    unit. Figures and target are kept and pass the disclosure layer as any criterion's. Others are returned as they
    are."""
    parent = getattr(crit, "component_of", None)
    if not parent:
        return ev
    out = copy.copy(ev)
    out.status, out.component_of, out.uncertain = COMPONENT, parent, False
    out.remaining, out.remaining_text, out.alternative = None, "", None
    by = (getattr(crit, "indicator_args", None) or {}).get("by") or "enhed"
    for name in ("target_text", "path_text"):  # the limit is a unit's: "mindst 2 pr. afdeling"
        text = getattr(ev, name)
        setattr(out, name, f"{text} pr. {by}" if text and text != F.MISSING else text)
    out.explanation = (f"Kriteriet vurderes ikke for sig: det opgøres pr. {by} og indgår i {parent}, som tæller de "
                       "enheder, der opfylder flere af kriterierne. Tallet her er summen for hele området.")
    return out
