"""The indicator of the assessments source: milestones and qualitative assessments, every record for a
criterion, from which the evaluators pick the one for the year."""

from __future__ import annotations

from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.status import IndicatorSeries
from helhedsplan_eval.analysis.indicators.common import _empty, _frame, _years_of, covered_years


@indicator("assessment", sources=("assessments",))
def assessment(bundle, years, criterion_id: str):
    """Milestones and qualitative assessments: ``extra['history']`` lists every record for the
    criterion (date, assessment, by, rationale, evidence); the evaluators pick the one for the year.
    ``extra['covered_years']``: the years the register covers (all criteria's records, or manifest.yml), so that a
    milestone is not judged missed in a year the register does not reach (issue 21)."""
    df = bundle.table("assessments")
    if df is None:
        return _empty(f"assessment:{criterion_id}", "text", years, "Registret over milepæle og vurderinger er ikke leveret.",
                      history=[])
    part = df[df["criterion_id"] == criterion_id].sort_values("date")
    hist = [dict(date=r.date.isoformat(), assessment=r.assessment, by=r.assessed_by, rationale=r.rationale,
                 evidence=r.evidence) for r in part.itertuples()]
    cov = sorted(covered_years(bundle, "assessments", _years_of(df["date"]), horizon=max(years)))
    return IndicatorSeries(f"assessment:{criterion_id}", "text", _frame(years, value={}), list(years),
                           extra={"history": hist, "covered_years": cov})
