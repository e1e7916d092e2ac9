"""Evaluator for a count of units (``count_units``, issue 20): "ingen afdeling opfylder 3 eller flere af
kriterierne" – at most ``max_units`` units (afdelinger) meet ``min_met`` or more of a listed set of criteria.

The listed criteria (``indicator: units_meeting``, ``indicator_args: {criteria: [ids]}``) are ordinary criteria of
the catalogue whose generic indicator is computed per unit (``by: afdeling``); the evaluation of the year
attaches them to this criterion's series (``extra['unit_inputs']``: {id: (criterion, series)}) and fills its
yearly values with the counts (:func:`fill_counts`). Each listed
criterion is judged for each unit by its own kind with the year's data only, through the same engine (missing
years, baselines, uncertainty and the disclosure threshold included); a unit *meets* it when its status there is
*Opfyldt* or *På vej*.

Coverage: when any listed criterion awaits data (or is not yet due) in any unit, the count is not known and the
status is *Afventer data*, never a verdict. A share hidden in a unit (*Skjult*) or one that cannot be judged leaves
that unit's count open: the verdict stands when it is the same whichever way the open criteria would go, otherwise
the criterion *Kan ikke vurderes*. The explanation names the units that meet ``min_met`` or more and how many they
meet, never a unit's figures (those may rest on a few persons). Final from the period's last year; before it, on
track while the count is within the limit.
"""

from __future__ import annotations

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status.common import _base, year_label
from helhedsplan_eval.analysis.status.types import (AWAITING, MET, NOT_MET, NOT_YET, OFF_TRACK, ON_TRACK, UNJUDGEABLE,
                                                    Evaluation, IndicatorSeries)

MEETS = (MET, ON_TRACK)
WAITING = (AWAITING, NOT_YET)


def unit_statuses(inputs: dict, year: int) -> dict:
    """{unit: {criterion id: status}} of every listed criterion in every unit, judged with data up to ``year``;
    a criterion whose series has no units (its source not delivered) awaits data in every unit."""
    from helhedsplan_eval.analysis.status.engine import _until, evaluate  # the engine imports this module

    units = sorted({u for _, s in inputs.values() for u in ((s.extra or {}).get("by") or {})}, key=str)
    out: dict = {u: {} for u in units}
    for cid, (crit, s) in inputs.items():
        by = (s.extra or {}).get("by") or {}
        for u in units:
            out[u][cid] = evaluate(crit, _until(by[u], year), year).status if u in by else AWAITING
    return out


def count_met(statuses: dict, min_met: int) -> tuple[int, int, dict, list]:
    """(units that surely meet ``min_met`` or more, units that may, {unit: criteria met}, criteria waiting)."""
    lo = hi = 0
    met, waiting = {}, []
    for u, st in statuses.items():
        n = sum(1 for v in st.values() if v in MEETS)
        open_ = sum(1 for v in st.values() if v not in MEETS and v not in (NOT_MET, OFF_TRACK))
        waiting += [c for c, v in st.items() if v in WAITING]
        met[u] = n
        lo += n >= min_met
        hi += n + open_ >= min_met
    return lo, hi, met, sorted(set(waiting))


def yearly_count(inputs: dict, year: int, min_met: int) -> float | None:
    """The number of units meeting ``min_met`` or more of the listed criteria in ``year``, None when it is not
    known (a criterion awaits data, or is open in a unit and could change the count)."""
    if not inputs:
        return None
    lo, hi, _, waiting = count_met(unit_statuses(inputs, year), min_met)
    return float(lo) if lo == hi and not waiting else None


def fill_counts(s: IndicatorSeries, crit) -> None:
    """The series' ``value`` in each year from the criterion's first year: the count of units judged with that
    year's data (missing when not known), so that charts, tables and the coverage rule read it as any series."""
    inputs = (s.extra or {}).get("unit_inputs") or {}
    m = int(crit.params["min_met"])
    s.data = s.data.copy()
    s.data["value"] = [yearly_count(inputs, int(y), m) if int(y) >= crit.period_start else None
                       for y in s.data.index]
    s.data["value"] = s.data["value"].astype(float)


def eval_count_units(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """At most ``max_units`` units meet ``min_met`` or more of the listed criteria."""
    p = crit.params
    k, m = int(p["max_units"]), int(p["min_met"])
    target_text = f"højst {F.fmt_number(k)} {'enhed' if k == 1 else 'enheder'}"
    ev = _base(crit, year, AWAITING, target=float(k), target_text=target_text, path_value=float(k),
               path_text=target_text)
    inputs = (s.extra or {}).get("unit_inputs")
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = f"Kriteriet gælder først fra {year_label(crit.period_start)}."
        return ev
    if not inputs:
        ev.explanation = "Kriterierne pr. enhed er ikke beregnet, så antallet af enheder afventer data."
        return ev
    ev.figures = {y: s.value(y) for y in crit.years if y <= year}
    lo, hi, met, waiting = count_met(unit_statuses(inputs, year), m)
    ev.missing_years = [y for y, v in ev.figures.items() if v is None]
    if waiting:
        ev.explanation = (f"Antallet af enheder, der opfylder {m} eller flere af kriterierne, kan ikke opgøres for "
                          f"{year_label(year)}: {', '.join(waiting)} afventer data for mindst én enhed.")
        return ev
    many = sorted(u for u, n in met.items() if n >= m)
    listing = "; ".join(f"{u}: {met[u]}" for u in many) or "ingen"
    final = year >= crit.period_end
    if lo != hi:
        ev.status = UNJUDGEABLE
        ev.explanation = (f"Mellem {lo} og {hi} enheder opfylder {m} eller flere af kriterierne, fordi et "
                          f"kriterium er skjult eller ikke kan vurderes i en enhed; grænsen er {k}.")
        return ev
    ok = lo <= k
    ev.value, ev.value_text = float(lo), F.fmt_number(lo)
    ev.status = (MET if ok else NOT_MET) if final else (ON_TRACK if ok else OFF_TRACK)
    ev.remaining = float(max(lo - k, 0))
    if not ok:
        ev.remaining_text = (f"{lo - k} {'enhed' if lo - k == 1 else 'enheder'} mere skal under {m} opfyldte "
                             "kriterier.")
    ev.explanation = (f"I {year_label(year)} opfylder {lo} {'enhed' if lo == 1 else 'enheder'} {m} eller flere af de "
                      f"{len(inputs)} kriterier (enheder med mindst {m}: {listing}), mod grænsen på højst {k}.")
    return ev
