"""Evaluators for period means: the mean over the period at most / at least a limit
(``period_mean_max``, also on the gap to a comparison population) and a relative change of the mean against a
baseline year (``period_mean_change``), with the remaining effort the remaining years need."""

from __future__ import annotations

import math

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.stats import poisson_mean_interval
from helhedsplan_eval.analysis.status.common import (_base, _baseline_missing, _bounds, _fmt, _figures, _gap,
                                                     _gap_missing_text, _ge, _le, _min_years, _missing_text,
                                                     _no_baseline_records, _span, _straddles, _years, _years_text, year_label)
from helhedsplan_eval.analysis.status.types import (AWAITING, MET, NOT_MET, NOT_YET, OFF_TRACK, ON_TRACK, Evaluation,
                                                    IndicatorSeries)


def _period_stats(crit, s, year, on_gap: bool):
    t0, T = crit.period_start, crit.period_end
    k_years = _years(t0, T)
    judged = [t for t in k_years if t <= year]
    get = (lambda t: _gap(s, t, crit.direction)) if on_gap else s.value
    obs = {t: get(t) for t in judged if get(t) is not None}
    missing = [t for t in judged if t not in obs]
    return k_years, judged, obs, missing


def _mean_remaining_text(need, obs: dict, n_left: int, left_years: list[int], target, up: bool, unit: str,
                         on_gap: bool = False) -> str:
    """The remaining effort for a period mean: the mean the remaining years need, or — when that
    lies outside what a year can reach (a negative count, a share over 100 %, a gap below 0) — that
    the target can no longer be reached and by how much it will be missed at best."""
    lo, hi = _bounds(unit, on_gap)
    yrs = _years_text(left_years)
    if up and need <= (lo if lo is not None else -math.inf):
        return "Målet er sikret, uanset niveauet i de resterende år."
    if (not up and need < lo) or (up and hi is not None and need > hi):
        best_each = lo if not up else hi
        best = (sum(obs.values()) + best_each * n_left) / (len(obs) + n_left)
        short = abs(best - target)
        what = ("selv hvis forskellen lukkes helt (0)" if on_gap else f"selv med {_fmt(best_each, unit)}") + \
            f" i {'hvert af de resterende år' if n_left > 1 else 'det resterende år'} ({yrs})"
        return (f"Målet kan ikke længere nås: {what} bliver gennemsnittet {_fmt(best, unit)} mod målet på "
                f"{'mindst' if up else 'højst'} {_fmt(target, unit)} ({_fmt(short, unit)} "
                f"{'for lidt' if up else 'for meget'}).")
    if n_left == 1:
        return f"Det resterende år ({yrs}) skal ligge på {'mindst' if up else 'højst'} {_fmt(need, unit)}."
    return (f"De resterende år ({yrs}) skal i gennemsnit ligge på {'mindst' if up else 'højst'} "
            f"{_fmt(need, unit)}.")


def eval_period_mean_max(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The mean over the period (of the value, or of the gap when ``on: gap``) is at most ``max``
    (``direction: down``) or at least ``min`` (``up``)."""
    p = crit.params
    on_gap = p.get("measure") == "gap"
    limit = float(p["max"] if "max" in p else p["min"])
    lower_better = "max" in p
    unit = "pp" if on_gap else crit.unit
    k_years, judged, obs, missing = _period_stats(crit, s, year, on_gap)
    figs, comp = _figures(s, k_years)
    ev = _base(crit, year, AWAITING, target=limit, target_text=_fmt(limit, unit), path_value=limit,
               path_text=_fmt(limit, unit), figures=figs, comparison_figures=comp, missing_years=missing)
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = f"Perioden {_span(crit.period_start, crit.period_end)} er ikke begyndt."
        return ev
    what = "forskellen" if on_gap else "niveauet"
    miss_txt = _gap_missing_text(s, missing) if on_gap else _missing_text(missing)
    if not obs:
        ev.explanation = f"Der er endnu ingen data i perioden {_span(crit.period_start, crit.period_end)}." + miss_txt
        return ev
    mean = sum(obs.values()) / len(obs)
    ev.value, ev.value_text = mean, _fmt(mean, unit)
    ok = mean <= limit if lower_better else mean >= limit
    cmp_word = "højst" if lower_better else "mindst"
    _mean_interval(ev, p, s, obs, mean, limit, on_gap)
    span = _span(min(obs), max(obs))
    base_txt = _stated_baseline_text(ev, p, s, unit, on_gap)
    lead = (f"Gennemsnittet af {what} for {span} er {_fmt(mean, unit)} mod målet på {cmp_word} "
            f"{_fmt(limit, unit)}{base_txt}")
    if year >= crit.period_end:
        if len(obs) < _min_years(crit, len(k_years)):
            ev.explanation = (f"Kun {len(obs)} af {len(k_years)} år har data, for lidt til en endelig vurdering."
                              + miss_txt)
            return ev
        ev.status = MET if ok else NOT_MET
        ev.explanation = lead + "." + miss_txt
    else:
        on_track = _mean_max_interim(ev, k_years, obs, year, limit, lower_better, unit, on_gap, ok)
        latest = obs[max(obs)]
        ev.explanation = (lead + f"; det seneste år ({year_label(max(obs))}: {_fmt(latest, unit)}) "
                          + ("holder kursen, hvis niveauet fastholdes." if on_track else
                             "er ikke nok, hvis niveauet fastholdes.") + miss_txt)
    if ev.uncertain:
        ev.explanation += " Usikkerheden omfatter målet."
    return ev


def _mean_interval(ev: Evaluation, p: dict, s: IndicatorSeries, obs: dict, mean: float, limit: float,
                   on_gap: bool) -> None:
    """The mean's interval: exact Poisson for small counts (``uncertainty: poisson``); for a mean gap with the
    respondents per year (``n``), the normal interval of the mean of the years' shares."""
    if p.get("uncertainty") == "poisson" and not on_gap:
        ev.interval = poisson_mean_interval(sum(obs.values()), len(obs))
        ev.uncertain = _straddles(ev.interval, limit)
    elif on_gap and "n" in s.data.columns:
        var = 0.0
        for t in obs:
            v, n = s.value(t), s._get(t, "n")
            if n is None or n <= 0:
                return
            var += (v * (100 - v)) / n
        se = math.sqrt(var) / len(obs)
        ev.interval = (mean - 1.96 * se, mean + 1.96 * se)
        ev.uncertain = _straddles(ev.interval, limit)


def _stated_baseline_text(ev: Evaluation, p: dict, s: IndicatorSeries, unit: str, on_gap: bool) -> str:
    """" (fra X i år)" for a stated starting level (e.g. 6 cases in the baseline year), with a note when the data differ."""
    if not ("baseline" in p and "baseline_year" in p):
        return ""
    b_year, b_val = int(p["baseline_year"]), float(p["baseline"])
    b_data = None if on_gap else s.value(b_year)
    if b_data is not None and not math.isclose(b_data, b_val):
        ev.notes.append(f"Data for {year_label(b_year)} viser {_fmt(b_data, unit)}, aftalen angiver {_fmt(b_val, unit)}.")
    return f" (fra {_fmt(b_val, unit)} i {year_label(b_year)})"


def _mean_max_interim(ev: Evaluation, k_years: list[int], obs: dict, year: int, limit: float, lower_better: bool,
                      unit: str, on_gap: bool, ok: bool) -> bool:
    """Interim status of a period mean: on track when the latest year's level, held for the remaining years,
    reaches the target; sets the status and the remaining effort and returns whether it is on track."""
    left_years = [t for t in k_years if t > year]
    n_left = len(left_years)
    latest = obs[max(obs)]
    if n_left:
        need = (limit * (len(obs) + n_left) - sum(obs.values())) / n_left
        ev.remaining = need
        ev.remaining_text = _mean_remaining_text(need, obs, n_left, left_years, limit, not lower_better, unit, on_gap)
        on_track = latest <= need if lower_better else latest >= need
    else:
        on_track = ok
    ev.status = ON_TRACK if on_track else OFF_TRACK
    return on_track


def eval_period_mean_change(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The mean over the period is ``change`` (e.g. -0.20) relative to the baseline year's level.

    A baseline of 0 makes a relative change undefined: an increase then means any mean above 0,
    a decrease means a mean of 0 (documented reading)."""
    p = crit.params
    change = float(p["change"])
    b_year = int(p["baseline_year"])
    unit = crit.unit
    k_years = _years(crit.period_start, crit.period_end)
    figs, _ = _figures(s, [b_year] + k_years)
    B = s.value(b_year)
    ev = _base(crit, year, AWAITING, figures=figs)
    if year < b_year:
        ev.status = NOT_YET
        ev.explanation = f"Basisåret {year_label(b_year)} er ikke nået."
        return ev
    if B is None or _no_baseline_records(s, b_year):
        _baseline_missing(ev, s, b_year)
        if year < crit.period_start:  # not yet due takes precedence over awaiting data
            ev.status = NOT_YET
        return ev
    target = B * (1 + change)
    up = change > 0 or (change == 0 and crit.direction == "up")  # a change of 0 holds the level (two_tier)
    ev.target, ev.target_text = target, _fmt(target, unit)
    ev.path_value, ev.path_text = target, _fmt(target, unit)
    goal = _change_goal(B, change, b_year, target, unit, up)
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = (f"{year_label(b_year)} er basisår med {_fmt(B, unit)}; målet for gennemsnittet i "
                          f"{_span(crit.period_start, crit.period_end)} er {goal}.")
        return ev
    judged = [t for t in k_years if t <= year]
    obs = {t: s.value(t) for t in judged if s.has(t)}
    missing = [t for t in judged if t not in obs]
    ev.missing_years = missing
    if not obs:
        ev.explanation = f"Der er endnu ingen data i perioden {_span(crit.period_start, crit.period_end)}." + _missing_text(missing)
        return ev
    mean = sum(obs.values()) / len(obs)
    ev.value, ev.value_text = mean, _fmt(mean, unit)
    if p.get("uncertainty") == "poisson":
        ev.interval = poisson_mean_interval(sum(obs.values()), len(obs))
        ev.uncertain = _straddles(ev.interval, target)
    rel = (mean / B - 1) * 100 if B else None
    rel_txt = f" ({F.fmt_pct(rel, 0) if rel is not None else F.MISSING} i forhold til {year_label(b_year)})" if rel is not None else ""
    lead = f"Gennemsnittet for {_span(min(obs), max(obs))} er {_fmt(mean, unit)}{rel_txt} mod målet på {goal}"
    if year >= crit.period_end:
        if len(obs) < _min_years(crit, len(k_years)):
            ev.explanation = (f"Kun {len(obs)} af {len(k_years)} år har data, for lidt til en endelig vurdering."
                              + _missing_text(missing))
            return ev
        ev.status = MET if _meets_change(mean, B, target, up) else NOT_MET
        ev.explanation = lead + "." + _missing_text(missing)
    else:
        _change_interim(ev, k_years, obs, year, mean, B, target, up, unit, lead, missing)
    if ev.uncertain:
        ev.explanation += " Tallene er små, og usikkerheden (Poisson) omfatter målet."
    return ev


def _change_goal(B: float, change: float, b_year: int, target: float, unit: str, up: bool = False) -> str:
    """The goal in words: "mindst X (20 % over 2021-niveauet Y)", "højst X (2021-niveauet)" for a change of 0,
    or the reading of a baseline of 0."""
    pct_txt = F.fmt_pct(abs(change) * 100, 0)
    if change == 0:
        return f"{'mindst' if up else 'højst'} {_fmt(target, unit)} ({year_label(b_year)}-niveauet)"
    if B == 0:
        return ("over 0 (basisniveauet er 0, så en procentvis stigning er udefineret)" if change > 0 else
                "0 (basisniveauet er allerede 0)")
    return (f"mindst {_fmt(target, unit)} ({pct_txt} over {year_label(b_year)}-niveauet {_fmt(B, unit)})" if change > 0 else
            f"højst {_fmt(target, unit)} ({pct_txt} under {year_label(b_year)}-niveauet {_fmt(B, unit)})")


def _meets_change(m: float, B: float, target: float, up: bool) -> bool:
    """A mean meets the relative change (a baseline of 0: above 0 for an increase, 0 for a decrease)."""
    if B == 0:
        return m > 0 if up else m == 0
    return _ge(m, target) if up else _le(m, target)


def _change_interim(ev: Evaluation, k_years: list[int], obs: dict, year: int, mean: float, B: float,
                    target: float, up: bool, unit: str, lead: str, missing: list[int]) -> None:
    """Interim judgement of a relative change: the latest level, held, against what the remaining years need."""
    left_years = [t for t in k_years if t > year]
    n_left = len(left_years)
    need = (target * (len(obs) + n_left) - sum(obs.values())) / n_left
    latest = obs[max(obs)]
    on_track = (latest >= need) if up else (latest <= need)
    if B == 0:
        on_track = _meets_change(mean, B, target, up)
    ev.status = ON_TRACK if on_track else OFF_TRACK
    ev.remaining = need
    ev.remaining_text = _mean_remaining_text(need, obs, n_left, left_years, target, up, unit)
    ev.explanation = (lead + f"; fortsætter niveauet fra {year_label(max(obs))} ({_fmt(latest, unit)}), "
                      + ("nås målet." if on_track else "nås målet ikke.") + _missing_text(missing))
