"""Evaluators for growth against a baseline year: a level that must grow by a rate each year
(``growth``: compound or linear reading) and at least a rate of growth every year (``yoy_growth``: average
annual growth, or every single year)."""

from __future__ import annotations

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status.common import (_base, _baseline_missing, _fmt, _fmt_obs, _figures, _ge,
                                                     _missing_text, _no_baseline_records, _years, _years_text, year_label)
from helhedsplan_eval.analysis.status.types import (AWAITING, MET, NOT_MET, NOT_YET, OFF_TRACK, ON_TRACK,
                                                    ON_TRACK_RATIO, Evaluation, IndicatorSeries)


def _growth_target(B, rate, t, t0, mode):
    return B * (1 + rate) ** (t - t0) if mode == "compound" else B * (1 + rate * (t - t0))


MODE_DA = {"compound": "renters rente", "linear": "lineært"}


def _growth_judge(v, B, rate, y, t0, T, mode):
    """(status, target for year ``y``, ratio of achieved to required progress) under one reading."""
    tgt = _growth_target(B, rate, y, t0, mode)
    if v is None:
        return AWAITING, tgt, None
    if B == 0:
        ok = v > 0
        return ((MET if ok else NOT_MET) if y >= T else (ON_TRACK if ok else OFF_TRACK)), tgt, None
    r = (v - B) / (tgt - B) if tgt != B else None
    if y >= T:
        return (MET if _ge(v, tgt) else NOT_MET), tgt, r
    return (ON_TRACK if _ge(v, tgt) or (r is not None and _ge(r, ON_TRACK_RATIO)) else OFF_TRACK), tgt, r


def eval_growth(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """``rate`` more each year relative to the baseline year: target_t = B·(1+r)^(t−t0) (compound,
    chosen) or B·(1+r·(t−t0)) (linear). Interim: on track when the level reaches 0,95 of the
    required progress; final: the end year's level reaches the end target. When the two
    readings give different statuses, the explanation says so."""
    p = crit.params
    rate = float(p["rate"])
    t0 = int(p["baseline_year"])
    mode = p.get("mode", "compound")
    T = crit.period_end
    unit = crit.unit
    figs, _ = _figures(s, _years(t0, T))
    B = s.value(t0)
    ev = _base(crit, year, AWAITING, figures=figs)
    if year <= t0:
        ev.status = NOT_YET
        ev.explanation = (f"{year_label(t0)} er basisår" + (f" med {_fmt(B, unit)}" if B is not None else "") +
                          f"; væksten måles fra {year_label(t0 + 1)}.")
        return ev
    if B is None or _no_baseline_records(s, t0):
        return _baseline_missing(ev, s, t0)
    y = min(year, T)
    missing = s.missing_years(_years(t0 + 1, y))
    ev.missing_years = missing
    v = s.value(y)
    status, tgt, r = _growth_judge(v, B, rate, y, t0, T, mode)
    other = "linear" if mode == "compound" else "compound"
    o_status, o_tgt, _ = _growth_judge(v, B, rate, y, t0, T, other)
    ev.target = _growth_target(B, rate, T, t0, mode)
    ev.target_text = _fmt(ev.target, unit)
    ev.path_value, ev.path_text = tgt, _fmt(tgt, unit)
    ev.ratio = r
    if v is None:
        ev.explanation = f"Der er ikke leveret data for {year_label(y)}." + _missing_text([t for t in missing if t != y])
        return ev
    ev.status = status
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    ev.explanation = (f"I {year_label(y)} var tallet {_fmt_obs(v, unit)} mod {_fmt(tgt, unit)}, som {F.fmt_pct(rate * 100, 0)} "
                      f"vækst om året fra {year_label(t0)} ({_fmt(B, unit)}) kræver ({MODE_DA[mode]}).")
    if o_status != status:
        ev.alternative = {"reading": MODE_DA[other], "status": o_status, "target": o_tgt}
        ev.explanation += f" Regnet {MODE_DA[other]} ({_fmt(o_tgt, unit)}) ville status være {o_status}."
    if B == 0:
        ev.explanation += " Basisniveauet er 0, så procentvis vækst er udefineret; kriteriet læses som 'over 0'."
    if y < T:
        ev.remaining = ev.target
        ev.remaining_text = f"I {year_label(T)} skal tallet være mindst {_fmt(ev.target, unit)}."
    ev.explanation += _missing_text(missing)
    return ev


def eval_yoy_growth(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """At least ``rate`` growth every year. Each year's growth is shown; the status follows the
    average annual growth (CAGR) from the baseline year: interim on track when CAGR ≥ 0,95·rate,
    final met when CAGR over the whole period ≥ rate (a documented choice: a single weak year can
    be made up for)."""
    p = crit.params
    rate = float(p["rate"])
    t0 = int(p["baseline_year"])
    T = crit.period_end
    unit = crit.unit
    figs, _ = _figures(s, _years(t0, T))
    B = s.value(t0)
    ev = _base(crit, year, AWAITING, figures=figs, target=rate * 100, target_text=F.fmt_pct(rate * 100, 0))
    if year <= t0:
        ev.status = NOT_YET
        ev.explanation = f"{year_label(t0)} er basisår; den årlige vækst måles fra {year_label(t0 + 1)}."
        return ev
    if B is None or _no_baseline_records(s, t0):
        return _baseline_missing(ev, s, t0)
    y = min(year, T)
    missing = s.missing_years(_years(t0 + 1, y))
    ev.missing_years = missing
    v = s.value(y)
    if v is None:
        ev.explanation = f"Der er ikke leveret data for {year_label(y)}." + _missing_text([t for t in missing if t != y])
        return ev
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    yoy = _yearly_growth(s, t0, B, y)
    path = B * (1 + rate) ** (y - t0)
    ev.path_value, ev.path_text = path, _fmt(path, unit)
    if B <= 0:
        ok = v > 0
        ev.status = (MET if ok else NOT_MET) if y >= T else (ON_TRACK if ok else OFF_TRACK)
        ev.explanation = f"Basisåret {year_label(t0)} har {_fmt(B, unit)}, så procentvis vækst er udefineret; kriteriet læses som 'over 0'."
        return ev
    cagr = (v / B) ** (1 / (y - t0)) - 1
    ev.ratio = cagr / rate
    weak = [t for t, g in yoy if g is not None and not _ge(g, rate)]
    every_year = p.get("rule", "average") == "every_year"
    if every_year:  # the reading "at least the rate in every single year": one weak year decides it
        _yoy_every_year(ev, weak, rate, y, T)
    elif y >= T:
        ev.status = MET if _ge(cagr, rate) else NOT_MET
    else:
        ev.status = ON_TRACK if _ge(ev.ratio, ON_TRACK_RATIO) else OFF_TRACK
        _yoy_remaining(ev, v, B * (1 + rate) ** (T - t0), y, T, unit)
    yoy_txt = "; ".join(f"{year_label(t)}: {F.fmt_pct(g * 100)}" for t, g in yoy if g is not None)
    ev.explanation = (f"Den gennemsnitlige årlige vækst fra {year_label(t0)} til {year_label(y)} er {F.fmt_pct(cagr * 100)} mod målet på "
                      f"{F.fmt_pct(rate * 100, 0)} ({yoy_txt})"
                      + (f"; under målet i {_years_text(weak)}." if weak else ".") + _missing_text(missing))
    if every_year:
        ev.explanation += (" Kriteriet læses her som mindst " + F.fmt_pct(rate * 100, 0) + " vækst hvert eneste år"
                           + (f", og det er ikke nået i {_years_text(weak)}." if weak else
                              ", og det er nået i hvert år med data."))
    return ev


def _yearly_growth(s: IndicatorSeries, t0: int, B: float, y: int) -> list[tuple[int, float | None]]:
    """Each delivered year's growth from the previous delivered year (annualised over a gap), from ``t0``."""
    yoy = []
    prev_t, prev_v = t0, B
    for t in _years(t0 + 1, y):
        if s.has(t):
            g = ((s.value(t) / prev_v) ** (1 / (t - prev_t)) - 1) if prev_v > 0 else None
            yoy.append((t, g))
            prev_t, prev_v = t, s.value(t)
    return yoy


def _yoy_every_year(ev: Evaluation, weak: list[int], rate: float, y: int, T: int) -> None:
    """Status and remaining effort under the reading "at least the rate in every single year"."""
    ok = not weak
    ev.status = (MET if ok else NOT_MET) if y >= T else (ON_TRACK if ok else OFF_TRACK)
    if y < T and weak:
        ev.remaining_text = (f"Målet kan ikke længere nås: væksten var under {F.fmt_pct(rate * 100, 0)} i "
                             f"{_years_text(weak)}, og hvert år skal nå den.")
    elif y < T:
        ev.remaining = rate * 100
        ev.remaining_text = (f"Hvert af årene {_years_text(_years(y + 1, T))} skal have en vækst på "
                             f"mindst {F.fmt_pct(rate * 100, 0)}.")


def _yoy_remaining(ev: Evaluation, v: float, end_target: float, y: int, T: int, unit: str) -> None:
    """The yearly growth the remaining years need to reach the end target (average reading)."""
    if v <= 0:
        ev.remaining, ev.remaining_text = None, f"I {year_label(T)} skal tallet være mindst {_fmt(end_target, unit)}."
    elif _ge(v, end_target):
        ev.remaining, ev.remaining_text = 0.0, f"Niveauet for {year_label(T)} ({_fmt(end_target, unit)}) er allerede nået; det skal holdes."
    else:
        need = (end_target / v) ** (1 / (T - y)) - 1
        ev.remaining = need * 100
        ev.remaining_text = (f"For at nå {_fmt(end_target, unit)} i {year_label(T)} skal væksten være "
                             f"{F.fmt_pct(need * 100)} om året.")
