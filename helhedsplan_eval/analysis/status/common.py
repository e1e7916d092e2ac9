"""Helpers every evaluator shares: the disclosure threshold in force (``MIN_CELL``), comparisons that
tolerate floating-point error, the formatting of targets and observed values, the texts for missing years and
missing baselines, the interval check for "(usikkert)" and the board-text hygiene.

``MIN_CELL`` lives here and only here: :func:`disclosure_threshold` sets it for the duration of an evaluation,
so modules read it as ``common.MIN_CELL`` at call time, never by ``from … import MIN_CELL``.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import lru_cache

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status.types import Evaluation, IndicatorSeries
from helhedsplan_eval.catalogue.period import plan_period

# ----------------------------------------------------------------------------- helpers

DEFAULT_MIN_CELL = 5  # the disclosure threshold unless a run says otherwise (report.disclosure has the same)
MIN_CELL = DEFAULT_MIN_CELL  # disclosure control: counts of persons under it are shown as "<5"


@contextmanager
def disclosure_threshold(min_cell: int):
    """Evaluate with another disclosure threshold (the notebooks' ``min_cell`` parameter)."""
    global MIN_CELL
    old, MIN_CELL = MIN_CELL, int(min_cell)
    try:
        yield
    finally:
        MIN_CELL = old


EPS = 1e-9  # comparisons with a target tolerate floating-point error (8000·1,05³ = 9261,000000000002)


def _ge(a: float, b: float) -> bool:
    return a >= b - EPS * max(1.0, abs(b))


def _le(a: float, b: float) -> bool:
    return a <= b + EPS * max(1.0, abs(b))


def _whole(x) -> bool:
    return abs(float(x) - round(float(x))) < 1e-9


@lru_cache(maxsize=8192, typed=True)  # pure; the same targets are written every year (issue 13)
def _fmt(x, unit: str) -> str:
    """A target or path value."""
    if unit in ("persons", "count"):
        return F.fmt_number(x, 0 if _whole(x) else 1)
    return F.fmt_value(x, unit)


def _fmt_obs(x, unit: str) -> str:
    """An observed value: a count of persons under 5 is shown as "<5"."""
    return _fmt_obs_at(x, unit, MIN_CELL)


@lru_cache(maxsize=8192, typed=True)
def _fmt_obs_at(x, unit: str, min_cell: int) -> str:
    if unit == "persons":
        return F.fmt_count(x, min_cell)
    return F.fmt_value(x, unit)


def _years(a: int, b: int) -> list[int]:
    return list(range(int(a), int(b) + 1))


def _gap(series: IndicatorSeries, year: int, direction: str) -> float | None:
    v, c = series.value(year), series.comparison(year)
    if v is None or c is None:
        return None
    return (c - v) if direction == "up" else (v - c)


def _missing_text(years: list[int]) -> str:
    if not years:
        return ""
    ys = _years_text(years)
    return f" Der mangler data for {ys}; de indgår ikke (de tælles ikke som 0)."


def _straddles(interval, threshold) -> bool:
    if interval is None or threshold is None:
        return False
    lo, hi = interval
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return False
    return bool(lo < threshold < hi or (lo <= threshold <= hi and lo != hi))


def _base(crit, year, status, **kw) -> Evaluation:
    return Evaluation(criterion_id=crit.id, year=year, kind=crit.kind, status=status, min_cell=MIN_CELL, **kw)


def year_label(year) -> str:
    """A plan year as a sentence names it: the active plan's label ("2025", or "2025/26" where plan years
    cross New Year; see :meth:`~helhedsplan_eval.catalogue.period.PlanPeriod.label`)."""
    return plan_period().label(int(year))


def _years_text(years) -> str:
    """Plan years in a sentence: "2023, 2024" (or "2023/24, 2024/25")."""
    return ", ".join(year_label(y) for y in years)


def _span(a: int, b: int) -> str:
    """A period: "2023–2025" (en dash), "2023/24–2025/26"; one year is just its label ("2022")."""
    return plan_period().span(int(a), int(b))


_MINUS = __import__("re").compile(r"(?<![\w.,])-(?=\d)")


def tidy_text(text: str) -> str:
    """Board text hygiene: a real minus sign "−" before negative numbers (not in "2023–2025" or
    dates), and no "kr.." where a sentence ends after an amount."""
    if not text:
        return text
    text = _MINUS.sub("\u2212", text)
    return text.replace("kr..", "kr.").replace("kr. .", "kr.")


def _bounds(unit: str, on_gap: bool = False) -> tuple[float, float | None]:
    """The range a yearly value can take: shares 0–100 %, counts, amounts and rates ≥ 0. A gap is
    taken as at best closed (0): a target that needs the area to do better than the comparison
    population on average is not an actionable demand."""
    if on_gap:
        return 0.0, None
    if unit in ("pct", "percent", "%"):
        return 0.0, 100.0
    return 0.0, None


def _no_baseline_records(s: IndicatorSeries, year: int) -> bool:
    """True when the source had no records at all in ``year`` and the manifest does not declare the
    year covered: a baseline there would be a silent zero."""
    if "records" not in s.data.columns:
        return False
    r = s._get(year, "records")
    return r is not None and r == 0 and int(year) not in set((s.extra or {}).get("declared_years", ()))


def _baseline_missing_text(s: IndicatorSeries, b_year: int) -> str:
    if _no_baseline_records(s, b_year):
        return (f"Kilden har ingen registreringer i basisåret {year_label(b_year)}, så basisniveauet mangler (det sættes ikke "
                f"til 0); erklær året dækket i manifest.yml, hvis der reelt ikke var noget at registrere.")
    return f"Basisårets niveau ({year_label(b_year)}) er ikke leveret, så målet kan ikke fastlægges."


def _baseline_missing(ev: Evaluation, s: IndicatorSeries, t0: int) -> Evaluation:
    """*Afventer data*: the baseline year's level is missing (never a silent zero)."""
    ev.missing_years = [t0]
    ev.figures[t0] = None
    ev.explanation = _baseline_missing_text(s, t0)
    return ev


def _gap_missing_text(s: IndicatorSeries, years: list[int]) -> str:
    """Which series is missing in each year a gap cannot be computed: the area's, the comparison
    population's, or both."""
    if not years:
        return ""
    area_only = [y for y in years if s.value(y) is None and s.comparison(y) is not None]
    comp_only = [y for y in years if s.value(y) is not None and s.comparison(y) is None]
    both = [y for y in years if s.value(y) is None and s.comparison(y) is None]
    parts = []
    if comp_only:
        parts.append(f"sammenligningsgrundlagets tal mangler for {_years_text(comp_only)} "
                     "(områdets tal foreligger)")
    if area_only:
        parts.append(f"områdets tal mangler for {_years_text(area_only)} "
                     "(sammenligningsgrundlagets tal foreligger)")
    if both:
        parts.append(f"både områdets og sammenligningsgrundlagets tal mangler for {_years_text(both)}")
    txt = "; ".join(parts)
    return f" Forskellen kan ikke beregnes, hvor et tal mangler: {txt}; de år indgår ikke (de tælles ikke som 0)."


def _figures(series: IndicatorSeries, years) -> tuple[dict, dict]:
    return ({y: series.value(y) for y in years}, {y: series.comparison(y) for y in years})


def _min_years(crit, k: int) -> int:
    return int(crit.params.get("min_years", math.ceil(k / 2)))
