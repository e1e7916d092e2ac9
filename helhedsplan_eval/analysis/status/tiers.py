"""Evaluators for a level held against the baseline year (issue 20): the two-tier target ``two_tier`` ("ikke
højere, helst 10 % lavere") and the ceiling equal to the baseline ``hold_baseline`` ("det lave niveau fastholdes").

Both judge the period mean against the baseline year's level in the data, exactly as ``period_mean_change`` does
(the same baseline and minimum-years rules, the same Poisson interval with ``uncertainty: poisson``), and give no
verdict while the year judged (the evaluation year, at most the period's last) is not delivered, unless the
criterion sets ``min_years``:

* ``two_tier``: ``change`` is the minimum (default 0: not worse than the baseline, in the criterion's direction)
  and decides the status; ``ambition`` (e.g. -0.10: 10 % lower) is judged beside it and shown with it: "Opfyldt –
  målet om 10 % lavere er ikke nået" leads the explanation, the target reads "højst X; helst højst Y", and the
  remaining effort names what the ambition still needs.
* ``hold_baseline`` is an alias: ``two_tier`` with ``change: 0`` and no ambition ("højst 2021-niveauet" for
  ``direction: down``, "mindst …" for ``up``).
"""

from __future__ import annotations

from dataclasses import replace

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status.common import _missing_text, year_label
from helhedsplan_eval.analysis.status.means import eval_period_mean_change
from helhedsplan_eval.analysis.status.types import (AWAITING, MET, NOT_MET, OFF_TRACK, ON_TRACK, Evaluation,
                                                    IndicatorSeries)

_KEYS = ("baseline_year", "uncertainty", "min_years")
_WORDS = {MET: "nået", NOT_MET: "ikke nået", ON_TRACK: "på vej", OFF_TRACK: "ikke på vej"}


def _as_change(crit, change: float):
    """The criterion as a ``period_mean_change`` with the given relative change."""
    params = {k: v for k, v in crit.params.items() if k in _KEYS}
    params["change"] = change
    return replace(crit, kind="period_mean_change", params=params, alternatives=())


def tier_path(crit, s: IndicatorSeries | None) -> dict[int, float]:
    """The minimum's level in every year of the period (baseline × (1 + change)); empty without a baseline."""
    if s is None:
        return {}
    B = s.value(int(crit.params["baseline_year"]))
    if B is None:
        return {}
    m = B * (1 + float(crit.params.get("change", 0)))
    return {y: m for y in range(crit.period_start, crit.period_end + 1)}


def _bound_word(crit, change: float) -> str:
    """"mindst" for a rise or for holding a level that should be high, else "højst"."""
    return "mindst" if change > 0 or (change == 0 and crit.direction == "up") else "højst"


def ambition_words(change: float) -> str:
    """"10 % lavere" / "5 % højere"."""
    return f"{F.fmt_pct(abs(change) * 100, 0)} {'lavere' if change < 0 else 'højere'}"


def _judged_year_missing(crit, s: IndicatorSeries, year: int) -> bool:
    """The coverage rule: the year judged (the evaluation year, at most the period's last) is not delivered, and
    the catalogue does not accept fewer years (``min_years``)."""
    return s.value(min(year, crit.period_end)) is None and "min_years" not in crit.params


def _awaiting_judged_year(ev: Evaluation, y: int) -> Evaluation:
    ev.status, ev.uncertain = AWAITING, False
    ev.value, ev.value_text, ev.interval, ev.remaining, ev.remaining_text = None, F.MISSING, None, None, ""
    ev.missing_years = sorted(set(ev.missing_years) | {y})
    ev.explanation = (f"Der er ikke leveret data for {year_label(y)}, så der gives ingen vurdering; et manglende år tælles "
                      "ikke som 0." + _missing_text([t for t in ev.missing_years if t != y]))
    return ev


def eval_two_tier(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The minimum (``change``, default 0) decides the status; the ``ambition`` is shown beside it."""
    p = crit.params
    change = float(p.get("change", 0))
    ev = eval_period_mean_change(_as_change(crit, change), s, year)
    ev.kind = crit.kind
    if ev.target is not None:
        ev.target_text = (f"{_bound_word(crit, change)} {ev.target_text}"
                          + (f" ({year_label(p['baseline_year'])}-niveauet)" if change == 0 else ""))
    if ev.status in _WORDS and _judged_year_missing(crit, s, year):
        return _awaiting_judged_year(ev, min(year, crit.period_end))
    if "ambition" not in p or ev.status not in _WORDS:
        return ev
    amb = eval_period_mean_change(_as_change(crit, float(p["ambition"])), s, year)
    reached = amb.status in (MET, ON_TRACK)
    final = ev.status in (MET, NOT_MET)
    amb_word = ("nået" if reached else "ikke nået") if final else ("på vej" if reached else "ikke på vej")
    lead = f"{ev.status} – målet om {ambition_words(float(p['ambition']))} er {amb_word}."
    ev.explanation = (f"{lead} {ev.explanation} Ambitionen er et gennemsnit på "
                      f"{_bound_word(crit, float(p['ambition']))} {amb.target_text}.")
    ev.notes.append(lead)
    if amb.target is not None and ev.target is not None:
        ev.target_text = f"{ev.target_text}; helst {_bound_word(crit, float(p['ambition']))} {amb.target_text}"
    if not final and not reached and amb.remaining_text:
        ev.remaining_text = (ev.remaining_text + " For ambitionen: " + amb.remaining_text[0].lower()
                             + amb.remaining_text[1:]).strip()
    return ev


def eval_hold_baseline(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The level of the baseline year is held: ``two_tier`` with ``change: 0`` and no ambition."""
    ev = eval_two_tier(replace(crit, params={k: v for k, v in crit.params.items() if k in _KEYS}), s, year)
    ev.kind = crit.kind
    return ev
