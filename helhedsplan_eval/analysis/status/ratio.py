"""Evaluator for a ratio to the comparison population (``ratio_to_comparison``, issue 20): "andelen … må højst være
2,5 gange så høj som i kommunen" (``max: 2.5``), or at least k times (``min: k``).

The ratio is the area's value divided by the comparison population's in the same year. ``scope: end`` (default)
judges the last applicable year finally and earlier years as on or off track (on track when the year's ratio
already meets the limit); ``scope: annual`` judges every applicable year on its own. The evaluation year's value
and comparison must both be delivered (a source that stops a year early gives *Afventer data*; the years a ratio
cannot be computed are named, never taken as 0). The interval is the Wilson interval of the area's share divided by
the comparison (taken as known, being a whole municipality). The target path for charts is k × the comparison: the
highest (lowest) level of the area that meets the limit each year.
"""

from __future__ import annotations

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.stats import wilson_interval
from helhedsplan_eval.analysis.status.common import _base, _fmt, _figures, _ge, _le, _straddles, year_label
from helhedsplan_eval.analysis.status.types import (AWAITING, MET, NOT_MET, NOT_YET, OFF_TRACK, ON_TRACK, UNJUDGEABLE,
                                                    Evaluation, IndicatorSeries)


def _limit(p: dict) -> tuple[float, bool]:
    """(k, True when k is a ceiling)."""
    return (float(p["max"]), True) if "max" in p else (float(p["min"]), False)


def fmt_ratio(r: float) -> str:
    return f"{F.fmt_number(r, 2)} gange"


def ratio_path(crit, s: IndicatorSeries | None) -> dict[int, float]:
    """k × the comparison population's value, each applicable year with a comparison (the chart's target line)."""
    if s is None:
        return {}
    k, _ = _limit(crit.params)
    return {int(y): k * s.comparison(y) for y in crit.years if s.comparison(y) is not None}


def _missing(s: IndicatorSeries, years) -> tuple[list[int], str]:
    miss = [y for y in years if s.value(y) is None or s.comparison(y) is None]
    if not miss:
        return [], ""
    parts = []
    for y in miss:
        who = ("områdets og sammenligningsgrundlagets tal" if s.value(y) is None and s.comparison(y) is None else
               "områdets tal" if s.value(y) is None else "sammenligningsgrundlagets tal")
        parts.append(f"{year_label(y)} ({who})")
    return miss, (f" Forholdet kan ikke beregnes for {', '.join(parts)}; de år indgår ikke (de tælles ikke som 0).")


def _interval(s: IndicatorSeries, y: int, c: float) -> tuple[float, float] | None:
    num, den = s._get(y, "numerator"), s._get(y, "denominator")
    if num is None or not den or not c:
        return None
    lo, hi = wilson_interval(num, den)
    return 100 * lo / c, 100 * hi / c


def eval_ratio_to_comparison(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The area's value is at most (``max``) / at least (``min``) k times the comparison population's."""
    p = crit.params
    k, ceiling = _limit(p)
    years = [int(y) for y in crit.years]
    word = "højst" if ceiling else "mindst"
    target_text = f"{word} {fmt_ratio(k)} sammenligningsgrundlagets niveau"
    figs, comp = _figures(s, years)
    ev = _base(crit, year, AWAITING, target=k, target_text=target_text, path_value=k, path_text=fmt_ratio(k),
               figures=figs, comparison_figures=comp)
    if year < min(years):
        ev.status = NOT_YET
        ev.explanation = f"Kriteriet gælder først fra {year_label(min(years))}."
        return ev
    y = min(year, max(years))
    ev.missing_years, miss_txt = _missing(s, [t for t in years if t <= y])
    v, c = s.value(y), s.comparison(y)
    if v is None or c is None:
        ev.explanation = f"Forholdet for {year_label(y)} kan ikke beregnes, fordi et tal mangler." + miss_txt
        return ev
    if c <= 0:
        ev.status = UNJUDGEABLE
        ev.explanation = f"Sammenligningsgrundlagets tal for {year_label(y)} er 0, så forholdet kan ikke beregnes."
        return ev
    r = v / c
    ev.value, ev.value_text = r, fmt_ratio(r)
    ev.interval = _interval(s, y, c)
    ev.uncertain = _straddles(ev.interval, k)
    ok = _le(r, k) if ceiling else _ge(r, k)
    final = p.get("scope", "end") == "annual" or y >= max(years)
    ev.status = (MET if ok else NOT_MET) if final else (ON_TRACK if ok else OFF_TRACK)
    limit_value = k * c
    ev.remaining = (v - limit_value) if ceiling else (limit_value - v)
    if ok:
        ev.remaining_text = "" if final else "Kravet er opfyldt nu; forholdet skal holdes."
    else:
        ev.remaining_text = (f"Områdets tal skal {'ned' if ceiling else 'op'} på {word} {_fmt(limit_value, crit.unit)} "
                             f"({F.fmt_number(k, 2)} × {_fmt(c, crit.unit)}) med sammenligningsgrundlagets niveau fra "
                             f"{year_label(y)}, {_fmt(abs(ev.remaining), 'pp' if crit.unit == 'pct' else crit.unit)} "
                             f"{'lavere' if ceiling else 'højere'} end nu.")
    ev.explanation = (f"I {year_label(y)} var områdets tal {_fmt(v, crit.unit)} mod {_fmt(c, crit.unit)} i "
                      f"sammenligningsgrundlaget, {fmt_ratio(r)} så {'højt' if r >= 1 else 'lavt'}, mod kravet om "
                      f"{word} {fmt_ratio(k)}." + miss_txt)
    if ev.uncertain:
        ev.explanation += " Usikkerheden på områdets andel omfatter grænsen."
    return ev
