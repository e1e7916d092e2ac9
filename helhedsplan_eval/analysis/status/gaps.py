"""Evaluators for the gap to a comparison population: a gap that falls to a target by the period's end
(``gap_target``, optionally year by year) and a gap that shrinks by a rate a year (``gap_reduction_rate``).
The gap's interval comes from the Wilson interval of the area's share."""

from __future__ import annotations

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.stats import wilson_interval
from helhedsplan_eval.analysis.status.common import (_base, _fmt, _figures, _gap, _gap_missing_text, _ge, _le,
                                                     _straddles, _years, _years_text, year_label)
from helhedsplan_eval.analysis.status.types import (AWAITING, MET, NOT_MET, NOT_YET, OFF_TRACK, ON_TRACK,
                                                    ON_TRACK_RATIO, Evaluation, IndicatorSeries)


def _latest_gap(crit, s, year):
    """The gap in the evaluation year, or the latest earlier year with data (register lag)."""
    for t in range(year, crit.period_start - 2, -1):
        g = _gap(s, t, crit.direction)
        if g is not None:
            return t, g
    return None, None


def _gap_interval(crit, s: IndicatorSeries, t: int) -> tuple[float, float] | None:
    """The gap's 95 % interval in year ``t`` from the Wilson interval of the area's share (None without
    numerator and denominator)."""
    num, den = s._get(t, "numerator"), s._get(t, "denominator")
    if num is None or not den:
        return None
    lo, hi = wilson_interval(num, den)
    c = s.comparison(t)
    return (c - 100 * hi, c - 100 * lo) if crit.direction == "up" else (100 * lo - c, 100 * hi - c)


def _figures_text(crit, s: IndicatorSeries, t: int) -> str:
    """"X mod Y": the area's and the comparison population's figures in year ``t``."""
    return f"{_fmt(s.value(t), crit.unit)} mod {_fmt(s.comparison(t), crit.unit)}"


def _gap_start(crit, s: IndicatorSeries, year: int, T: int, **kw):
    """The opening every gap kind shares: the evaluation with the figures, *Ikke aktuel endnu* before the period,
    the latest gap and the years whose gap cannot be computed. Returns (ev, t, g, missing text); ``t`` is None when
    the evaluation is already final (not yet due)."""
    p = crit.params
    years = _years(int(p["baseline_year"]), T)
    figs, comp = _figures(s, years)
    ev = _base(crit, year, AWAITING, figures=figs, comparison_figures=comp, **kw)
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = (f"Perioden begynder i {year_label(crit.period_start)}; forskellen var "
                          f"{F.fmt_pp(float(p['baseline_gap']))} ved start.")
        return ev, None, None, ""
    t, g = _latest_gap(crit, s, min(year, T))
    ev.missing_years = [y for y in _years(crit.period_start, min(year, T)) if _gap(s, y, crit.direction) is None]
    return ev, t, g, _gap_missing_text(s, ev.missing_years)


def eval_gap_target(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The gap to the comparison population falls from ``baseline_gap`` (stated, year
    ``baseline_year``) to at most ``target_gap`` by ``period_end``; linear target path; interim
    R_lin = (g0 − g_t)/(g0 − p_t) ≥ 0,95. With ``yearly: true`` ("år for år") the gap must also
    shrink from the previous year with data."""
    p = crit.params
    g0 = float(p["baseline_gap"])
    t0 = int(p["baseline_year"])
    gT = float(p["target_gap"])
    T = crit.period_end
    ev, t, g, miss_txt = _gap_start(crit, s, year, T, target=gT, target_text=F.fmt_pp(gT))
    if ev.status == NOT_YET:
        return ev
    if g is None:
        ev.explanation = "Forskellen kan endnu ikke beregnes for noget år i perioden." + miss_txt
        return ev
    t_eff = min(t, T)
    path = g0 + (gT - g0) * (t_eff - t0) / (T - t0)
    ev.path_value, ev.path_text = path, F.fmt_pp(path)
    ev.value, ev.value_text = g, F.fmt_pp(g)
    ev.ratio = (g0 - g) / (g0 - path) if g0 != path else None
    interval = _gap_interval(crit, s, t)
    if interval is not None:
        ev.interval = interval
        ev.uncertain = _straddles(ev.interval, gT if t >= T else path)
    fig_txt = _figures_text(crit, s, t)
    shrink_ok, grew = _year_by_year(crit, s, t0, g0, t, g) if p.get("yearly") else (True, [])
    if t >= T:
        ok = _le(g, gT) and not grew
        ev.status = MET if ok else NOT_MET
        ev.explanation = (f"Forskellen var {F.fmt_pp(g)} i {year_label(t)} ({fig_txt}) mod målet på højst {F.fmt_pp(gT)} "
                          f"(fra {F.fmt_pp(g0)})"
                          + (f"; men den blev ikke mindre år for år (ikke i {_years_text(grew)})" if grew else "")
                          + "." + miss_txt)
    elif year >= T:
        ev.status = AWAITING
        ev.explanation = (f"Tallet for {year_label(T)} er ikke leveret endnu; i {year_label(t)} var forskellen {F.fmt_pp(g)} ({fig_txt}) "
                          f"mod målstiens {F.fmt_pp(path)}." + miss_txt)
        return ev
    else:
        on = (_le(g, path) or (ev.ratio is not None and _ge(ev.ratio, ON_TRACK_RATIO))) and shrink_ok and not grew
        ev.status = ON_TRACK if on else OFF_TRACK
        _gap_target_remaining(ev, g, gT, T, t, grew)
        lag_txt = f" (seneste tal er fra {year_label(t)})" if t != year else ""
        ev.explanation = (f"Forskellen var {F.fmt_pp(g)} i {year_label(t)}{lag_txt} ({fig_txt}) mod målstiens {F.fmt_pp(path)} "
                          f"på vej fra {F.fmt_pp(g0)} til {F.fmt_pp(gT)} i {year_label(T)}"
                          + ("" if shrink_ok else "; forskellen blev ikke mindre end året før") + "." + miss_txt)
    if g < 0:
        ev.explanation += " Området ligger nu bedre end sammenligningsgrundlaget (forskellen har skiftet fortegn)."
    if ev.uncertain:
        ev.explanation += " Usikkerheden på områdets andel omfatter målet."
    return ev


def _year_by_year(crit, s: IndicatorSeries, t0: int, g0: float, t: int, g: float) -> tuple[bool, list[int]]:
    """"År for år": whether the latest gap is smaller than the previous year's with data, and the years in
    which the gap did not shrink from the year before (from the stated baseline)."""
    grew: list[int] = []
    prev_gap = g0
    for u in range(t0 + 1, t + 1):
        gu = _gap(s, u, crit.direction)
        if gu is None:
            continue
        if not gu < prev_gap:
            grew.append(u)
        prev_gap = gu
    prev = [(u, _gap(s, u, crit.direction)) for u in range(t - 1, t0 - 1, -1) if _gap(s, u, crit.direction) is not None]
    shrink_ok = True
    if prev:
        shrink_ok = g < prev[0][1]
    elif t > t0:
        shrink_ok = g < g0
    return shrink_ok, grew


def _gap_target_remaining(ev: Evaluation, g: float, gT: float, T: int, t: int, grew: list[int]) -> None:
    """The yearly reduction still needed to reach the target gap, or why it can no longer be reached."""
    ev.remaining = (g - gT) / (T - t)
    if grew:  # "år for år": a year in which the gap did not shrink cannot be undone
        ev.remaining_text = (f"Målet kan ikke længere nås: forskellen blev ikke mindre år for år (ikke i "
                             f"{_years_text(grew)}). Forskellen skal stadig ned på højst {F.fmt_pp(gT)} "
                             f"i {year_label(T)}, {F.fmt_pp(max(ev.remaining, 0))} om året.")
    elif gT < 0:
        ev.remaining_text = (f"Målet kan ikke længere nås som en lukning af forskellen: det kræver, at området i "
                             f"{year_label(T)} ligger {F.fmt_pp(-gT)} bedre end sammenligningsgrundlaget.")
    else:
        ev.remaining_text = (f"Forskellen skal mindskes med {F.fmt_pp(max(ev.remaining, 0))} om året frem til {year_label(T)}."
                             if ev.remaining > 0 else "Målet er allerede nået; niveauet skal holdes.")


def eval_gap_reduction_rate(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The gap (stated ``baseline_gap`` in ``baseline_year``) shrinks by at least ``rate``
    percentage points a year on average: g_t ≤ g0 − rate·(t − t0)."""
    p = crit.params
    g0 = float(p["baseline_gap"])
    t0 = int(p["baseline_year"])
    rate = float(p["rate"])
    T = crit.period_end
    gT = g0 - rate * (T - t0)
    ev, t, g, miss_txt = _gap_start(crit, s, year, T, target=gT, target_text=F.fmt_pp(gT))
    if ev.status == NOT_YET:
        return ev
    if g is None or t <= t0:
        ev.explanation = "Forskellen kan endnu ikke beregnes for noget år efter basisåret." + miss_txt
        return ev
    path = g0 - rate * (t - t0)
    ev.path_value, ev.path_text = path, F.fmt_pp(path)
    ev.value, ev.value_text = g, F.fmt_pp(g)
    avg = (g0 - g) / (t - t0)
    ev.ratio = avg / rate
    interval = _gap_interval(crit, s, t)
    if interval is not None:
        ev.interval = interval
        ev.uncertain = _straddles(ev.interval, path)
    core = (f"Forskellen er {F.fmt_pp(g)} i {year_label(t)} ({_figures_text(crit, s, t)}), i gennemsnit {F.fmt_pp(avg)} mindre "
            f"om året siden {year_label(t0)} ({F.fmt_pp(g0)}), mod kravet om mindst {F.fmt_pp(rate)} om året")
    if t >= T:
        ev.status = MET if _ge(avg, rate) else NOT_MET
        ev.explanation = core + "." + miss_txt
    elif year >= T:
        ev.explanation = f"Tallet for {year_label(T)} er ikke leveret endnu. " + core + "." + miss_txt
        return ev
    else:
        ev.status = ON_TRACK if _ge(ev.ratio, ON_TRACK_RATIO) else OFF_TRACK
        _reduction_remaining(ev, g, g0, gT, rate, T, t, t0)
        ev.explanation = core + (f" (seneste tal er fra {year_label(t)})." if t != year else ".") + miss_txt
    if ev.uncertain:
        ev.explanation += " Usikkerheden på områdets andel omfatter målstien."
    return ev


def _reduction_remaining(ev: Evaluation, g: float, g0: float, gT: float, rate: float, T: int, t: int,
                         t0: int) -> None:
    """The yearly reduction the remaining years need, or why the rate can no longer be reached."""
    need = (g - gT) / (T - t)
    ev.remaining = need
    if gT < 0:  # the required reduction goes past a closed gap
        ev.remaining_text = (f"Målet kan ikke længere nås som en lukning af forskellen: selv hvis forskellen "
                             f"lukkes helt (0) i {year_label(T)}, er den i gennemsnit mindsket med "
                             f"{F.fmt_pp(g0 / (T - t0))} om året mod kravet om {F.fmt_pp(rate)} "
                             f"({F.fmt_pp(rate - g0 / (T - t0))} for lidt).")
    elif need <= 0:
        ev.remaining_text = f"Målet for {year_label(T)} ({F.fmt_pp(gT)}) er allerede nået; niveauet skal holdes."
    else:
        ev.remaining_text = (f"Frem til {year_label(T)} skal forskellen mindskes med {F.fmt_pp(need)} om året for at nå "
                             f"{F.fmt_pp(gT)}.")
