"""Evaluators for counts and shares: a yearly minimum (``annual_minimum``), a share of persons
(``minimum_share``, Wilson interval, disclosure control) and a cumulative total over the period
(``cumulative_total``)."""

from __future__ import annotations

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.stats import poisson_interval, wilson_interval
from helhedsplan_eval.analysis.status import common as C
from helhedsplan_eval.analysis.status.common import (_base, _fmt, _fmt_obs, _figures, _ge, _min_years, _missing_text,
                                                     _span, _straddles, _years, _years_text, year_label)
from helhedsplan_eval.analysis.status.types import (AWAITING, MET, NOT_MET, NOT_YET, OFF_TRACK, ON_TRACK,
                                                    ON_TRACK_RATIO, SUPPRESSED, Evaluation, IndicatorSeries)


def eval_annual_minimum(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """At least ``target`` (count or mean) in each applicable year; each year is judged on its own."""
    p = crit.params
    target = float(p["target"])
    years = [int(y) for y in crit.years]
    unit = crit.unit
    figs, _ = _figures(s, years)
    if year < min(years):
        return _base(crit, year, NOT_YET, target=target, target_text=_fmt(target, unit), figures=figs,
                     explanation=f"Kriteriet gælder først fra {year_label(min(years))}.")
    y = min(year, max(years))
    judged = [t for t in years if t <= y]
    missing = s.missing_years(judged)
    met_years = [t for t in judged if s.has(t) and _ge(s.value(t), target)]
    seen = [t for t in judged if s.has(t)]
    v = s.value(y)
    ev = _base(crit, year, AWAITING, target=target, target_text=_fmt(target, unit), path_value=target,
               path_text=_fmt(target, unit), figures=figs, missing_years=missing)
    if v is None:
        ev.explanation = f"Der er ikke leveret data for {year_label(y)}, så året kan ikke vurderes." + _missing_text(
            [t for t in missing if t != y])
        return ev
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    if p.get("uncertainty") == "poisson":
        ev.interval = poisson_interval(v)
        ev.uncertain = _straddles(ev.interval, target)
    ev.status = MET if _ge(v, target) else NOT_MET
    left = [t for t in years if t > y]
    ev.remaining = target if left else None
    ev.remaining_text = (f"Hvert af årene {_years_text(left)} skal nå mindst {_fmt(target, unit)}."
                         if left else "")
    verb = "nået" if _ge(v, target) else "ikke nået"
    alt = p.get("target_alt")
    alt_txt = ""
    if alt is not None:
        alt_txt = (f" Læst som {_fmt(alt, unit)} ville målet "
                   f"{'være nået' if _ge(v, float(alt)) else 'ikke være nået'}.")
    ev.explanation = (f"I {year_label(y)} var tallet {_fmt_obs(v, unit)} mod målet på mindst {_fmt(target, unit)}, så årets mål er "
                      f"{verb}; målet er nået i {len(met_years)} af {len(seen)} år med data.{alt_txt}"
                      + _missing_text(missing))
    if ev.uncertain:
        ev.explanation += " Tallet er lille, og usikkerheden (Poisson) omfatter målet."
    return ev


def _share_nd(s: IndicatorSeries, t: int) -> tuple[float, float] | None:
    """(numerator, denominator) of a share in year ``t``; None when nobody is in the denominator."""
    num, den = s._get(t, "numerator"), s._get(t, "denominator")
    if den is None or den <= 0 or num is None:
        return None
    return num, den


def eval_minimum_share(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """A share (numerator/denominator, in percent) of at least ``target``; Wilson interval.

    ``scope: annual`` judges each year on its own; ``scope: period`` pools numerator and
    denominator over the applicable years (interim: På vej / Ikke på vej on the pooled share so
    far; final once the last applicable year has passed)."""
    p = crit.params
    target = float(p["target"])
    years = [int(y) for y in crit.years]
    scope = p.get("scope", "annual")
    figs, _ = _figures(s, years)
    base = dict(target=target, target_text=F.fmt_pct(target, 0), path_value=target,
                path_text=F.fmt_pct(target, 0), figures=figs)
    if year < min(years):
        return _base(crit, year, NOT_YET, explanation=f"Kriteriet gælder først fra {year_label(min(years))}.", **base)
    y = min(year, max(years))
    nds = {t: _share_nd(s, t) for t in set(years) | {y}}
    judged = [t for t in years if t <= y]
    missing = [t for t in judged if nds[t] is None]
    ev = _base(crit, year, AWAITING, missing_years=missing, **base)
    pooled = _pooled_share(ev, nds, years, judged, y, scope, missing)
    if pooled is None:
        return ev
    k, n = pooled
    share = 100.0 * k / n
    # years whose share rests on fewer than C.MIN_CELL persons are not shown in the figures
    small = {t for t in years if nds[t] is not None and nds[t][1] < C.MIN_CELL}
    ev.figures = {t: (None if t in small else v) for t, v in ev.figures.items()}
    lo, hi = wilson_interval(k, n)
    ev.value, ev.value_text = share, F.fmt_share(share)
    ev.interval = (100 * lo, 100 * hi)
    ev.uncertain = _straddles(ev.interval, target)
    final = scope == "annual" or year >= max(years)
    met = _ge(share, target)
    n_years = len([t for t in judged if nds[t] is not None])
    if final and scope == "period" and n_years < _min_years(crit, len(years)):
        ev.status = AWAITING
        ev.explanation = (f"Kun {n_years} af {len(years)} år har data, for lidt til en endelig vurdering."
                          + _missing_text(missing))
        return ev
    if final:
        ev.status = MET if met else NOT_MET
    else:
        ev.status = ON_TRACK if met else OFF_TRACK
        _share_remaining(ev, k, n, n_years, [t for t in years if t > year], target)
    scope_txt = f"i {year_label(y)}" if scope == "annual" else f"samlet for {_span(min(years), y)}"
    if n < C.MIN_CELL:
        return _suppressed_share(ev, small, scope_txt, target, missing)
    ev.explanation = _share_text(ev, k, n, share, scope_txt, target, missing)
    return ev


def _pooled_share(ev: Evaluation, nds: dict, years: list[int], judged: list[int], y: int, scope: str,
                  missing: list[int]) -> tuple[float, float] | None:
    """(numerator, denominator) the judgement rests on: the year's (``scope: annual``) or the sum over the
    period so far (``scope: period``); None, with the explanation set, when there is none."""
    if scope == "annual":
        if nds[y] is None:
            ev.explanation = (f"Der er ingen opgørelse (ingen i nævneren) for {year_label(y)}, så året kan ikke vurderes."
                              + _missing_text([t for t in missing if t != y]))
            return None
        return nds[y]
    have = [nds[t] for t in judged if nds[t] is not None]
    if not have:
        ev.explanation = ("Der er endnu ingen opgørelse i kriteriets periode "
                          f"({_span(min(years), max(years))})." + _missing_text(missing))
        return None
    return sum(h[0] for h in have), sum(h[1] for h in have)


def _share_remaining(ev: Evaluation, k: float, n: float, n_years: int, left: list[int], target: float) -> None:
    """The share the remaining years' participants need, assuming as many participants per year as so far."""
    per_year = n / max(1, n_years)
    n_left = per_year * len(left)
    need = (target / 100 * (n + n_left) - k) / n_left * 100 if n_left else None
    if need is None:
        return
    ev.remaining = max(0.0, need)
    if need > 100:
        best = 100.0 * (k + n_left) / (n + n_left)
        ev.remaining_text = (f"Målet kan ikke længere nås med samme antal deltagere: selv hvis alle i "
                             f"{_years_text(left)} når målet, bliver andelen {F.fmt_share(best)} mod "
                             f"målet på mindst {F.fmt_pct(target, 0)} ({F.fmt_pp(target - best)} for lidt).")
    else:
        ev.remaining_text = (f"Med samme antal deltagere skal andelen i {_years_text(left)} i "
                             f"gennemsnit være mindst {F.fmt_share(max(0.0, need))}.")


def _suppressed_share(ev: Evaluation, small: set[int], scope_txt: str, target: float,
                      missing: list[int]) -> Evaluation:
    """Disclosure control: neither share nor status over fewer than ``MIN_CELL`` persons."""
    ev.value, ev.value_text = None, F.MISSING
    ev.interval, ev.uncertain, ev.remaining, ev.remaining_text = None, False, None, ""
    ev.figures = {t: (None if t in small else v) for t, v in ev.figures.items()}
    ev.status = SUPPRESSED
    ev.explanation = (f"Andelen {scope_txt} vises ikke og vurderes ikke, fordi færre end {C.MIN_CELL} personer indgår "
                      f"(målet er mindst {F.fmt_pct(target, 0)}); status ville afsløre enkeltpersoners resultat. "
                      "Data er leveret; tallet er skjult af hensyn til diskretion." + _missing_text(missing))
    return ev


def _share_text(ev: Evaluation, k: float, n: float, share: float, scope_txt: str, target: float,
                missing: list[int]) -> str:
    """The explanation of a shown share: the share, the counts, the interval and the target."""
    ci_txt = f"95 %-sikkerhedsinterval {F.fmt_share(ev.interval[0])}–{F.fmt_share(ev.interval[1])}"
    # a numerator under 5 is not written out as "<5 af n" next to the share, which would give it away
    count_txt = (f"{F.fmt_count(k, C.MIN_CELL)} af {F.fmt_count(n, C.MIN_CELL)}" if (k == 0 or k >= C.MIN_CELL)
                 else f"{F.fmt_count(n, C.MIN_CELL)} personer i alt")
    return (f"Andelen var {scope_txt} {F.fmt_share(share)} ({count_txt}; {ci_txt}) "
            f"mod målet på mindst {F.fmt_pct(target, 0)}"
            + (", og intervallet omfatter målet, så resultatet er usikkert." if ev.uncertain else ".")
            + _missing_text(missing))


def eval_cumulative_total(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """At least ``target`` units (unique persons, courses, businesses) over the period.

    ``value`` is the cumulative total up to and including the year, ``new`` the units first
    counted that year. Interim: on track when cumulative ≥ 0,95 × the linear path and the
    needed yearly amount does not exceed the best year so far (peers.md §2)."""
    p = crit.params
    target = float(p["target"])
    t0, T = crit.period_start, crit.period_end
    unit = crit.unit
    years = _years(t0, T)
    figs, _ = _figures(s, years)
    base = dict(target=target, target_text=_fmt(target, unit), figures=figs)
    if year < t0:
        return _base(crit, year, NOT_YET, explanation=f"Perioden begynder først i {year_label(t0)}.", **base)
    y = min(year, T)
    judged = _years(t0, y)
    missing = s.missing_years(judged)
    path = target * (y - t0 + 1) / (T - t0 + 1)
    ev = _base(crit, year, AWAITING, path_value=path, path_text=_fmt(path, unit), missing_years=missing, **base)
    v = s.value(y)
    if v is None:
        earlier = [(t, s.value(t)) for t in judged if t < y and s.has(t)]
        if earlier and _ge(earlier[-1][1], target):  # a cumulative total cannot fall: met stays met
            t_met, v_met = earlier[-1]
            ev.status, ev.value, ev.value_text = MET, v_met, _fmt_obs(v_met, unit)
            ev.explanation = (f"Målet på {_fmt(target, unit)} var nået i {year_label(t_met)} ({_fmt_obs(v_met, unit)} i alt); "
                              f"data for {year_label(y)} er ikke leveret." + _missing_text([t for t in missing if t != y]))
            return ev
        ev.explanation = f"Der er ikke leveret data for {year_label(y)}." + _missing_text([t for t in missing if t != y])
        return ev
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    ev.ratio = v / path if path else None
    left = T - y
    news = [s._get(t, "new") for t in judged if s._get(t, "new") is not None]
    best = max(news) if news else None
    if _ge(v, target):
        ev.status = MET
        why = f"målet på {_fmt(target, unit)} er nået"
    elif y >= T:
        ev.status = NOT_MET
        why = f"målet på {_fmt(target, unit)} blev ikke nået"
    else:
        need = (target - v) / left
        ev.remaining = need
        ev.remaining_text = _cumulative_remaining(crit, need, best, y, T)
        ok = ev.ratio >= ON_TRACK_RATIO and (best is None or need <= best)
        ev.status = ON_TRACK if ok else OFF_TRACK
        why = (f"målstien for {year_label(y)} er {_fmt(path, unit)}"
               + ("" if ok else (", og det nødvendige antal pr. år overstiger det bedste år hidtil"
                                 if ev.ratio >= ON_TRACK_RATIO else "")))
    ev.explanation = (f"I alt {_fmt_obs(v, unit)} i {_span(t0, y)} ({why})." + _missing_text(missing)
                      + (" Når et år mangler, er totalen en nedre grænse." if missing else ""))
    return ev


def _cumulative_remaining(crit, need: float, best: float | None, y: int, T: int) -> str:
    """The yearly amount the remaining years need, a requirement, never "<5" (issue 21), with the best year so far
    when that is not a count of fewer than ``MIN_CELL`` persons (it is then left out, not masked, so that no
    sentence mixes a shown and a hidden count)."""
    unit = crit.unit
    persons = unit == "persons" or getattr(crit, "counts", "units") == "persons"
    show_best = best is not None and not (persons and 0 < round(best) < C.MIN_CELL)
    best_txt = f" (bedste år hidtil: {_fmt(best, unit)})" if show_best else ""
    if T - y == 1:
        return f"Det resterende år ({year_label(T)}) skal bidrage med mindst {_fmt(need, unit)}{best_txt}."
    return (f"De resterende år ({_span(y + 1, T)}) skal i gennemsnit bidrage med mindst {_fmt(need, unit)} om året"
            f"{best_txt}.")
