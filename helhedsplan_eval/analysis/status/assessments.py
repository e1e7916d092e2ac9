"""Evaluators for what is not a yearly figure: the survey's wave-to-wave comparison
(``survey_wave_increase``: the decision rule on the difference's interval), milestones due by a date
(``milestone``) and qualitative assessments recorded with rationale and evidence (``qualitative``)."""

from __future__ import annotations

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.status.common import _base, _figures, _missing_text, _straddles
from helhedsplan_eval.analysis.status.types import (ASSESSED, AWAITING, MET, NOT_MET, NOT_YET, Evaluation,
                                                    IndicatorSeries)


def eval_survey_wave_increase(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """Wave 2 (``end_wave``) vs wave 1 (``start_wave``): met only when the 95 % CI of the
    difference lies above 0 (decision rule fixed here; the survey module computes the CI)."""
    p = crit.params
    w1, w2 = int(p.get("start_wave", crit.period_start)), int(p.get("end_wave", crit.period_end))
    x = s.extra or {}
    unit_label = x.get("unit_label", "point")
    figs, _ = _figures(s, [w1, w2])
    ev = _base(crit, year, AWAITING, figures=figs, target=0.0, target_text="> 0")
    if year < w2:
        ev.status = NOT_YET
        b = s.value(w1)
        ev.explanation = (f"Sammenligningen kan først laves med målingen i {w2}"
                          + (f"; {w1}-målingen gav {F.fmt_number(b, 1)} {unit_label}." if b is not None and year >= w1
                             else "."))
        return ev
    d, lo, hi = x.get("diff"), x.get("ci_low"), x.get("ci_high")
    if s.value(w1) is None or s.value(w2) is None or d is None or lo is None or hi is None:
        ev.missing_years = [w for w in (w1, w2) if s.value(w) is None]
        ev.explanation = "Begge målinger skal foreligge, før kriteriet kan vurderes." + _missing_text(ev.missing_years)
        return ev
    mm = x.get("min_meaningful")
    ev.value, ev.value_text = d, f"{F.fmt_number(d, 1)} {unit_label}"
    ev.interval = (lo, hi)
    ci = f"95 %-sikkerhedsinterval {F.fmt_number(lo, 1)} til {F.fmt_number(hi, 1)}"
    ev.uncertain = _straddles(ev.interval, 0.0)  # the README's rule, as in every kind
    if lo > 0:
        ev.status = MET
        why = "intervallet ligger over 0, så fællesskabet opleves som stærkere"
    else:
        ev.status = NOT_MET
        if hi < 0:
            why = "intervallet ligger under 0, så data viser et fald"
        elif mm is not None and hi < mm:
            why = (f"intervallet omfatter 0, og data kan udelukke en stigning på {F.fmt_number(mm, 1)} {unit_label} "
                   "eller mere")
        else:
            why = "intervallet omfatter 0, så data kan ikke vise en stigning – men heller ikke udelukke en"
    ev.explanation = f"Forskellen {w2} − {w1} er {F.fmt_number(d, 1)} {unit_label} ({ci}); {why}."
    if ev.uncertain:
        ev.explanation += " Intervallet omfatter målet (en stigning over 0), så resultatet er usikkert."
    return ev


def eval_milestone(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """A milestone due by ``due`` (ISO date). ``extra`` from the assessments source:
    ``done_date`` (ISO or None), ``by``, ``evidence``, ``covered_years`` (the register's years; a milestone not
    recorded as done is *Afventer data*, not missed, while the register does not reach the due year)."""
    p = crit.params
    due = str(p["due"])
    due_year = int(due[:4])
    x = dict(s.extra or {})
    if "history" in x:  # records from the assessments source: the first completion counts
        done_recs = [h for h in x["history"] if str(h.get("assessment")).lower() in ("gennemført", "opfyldt")]
        if done_recs:
            first = min(done_recs, key=lambda h: h["date"])
            x.update(done_date=first["date"], by=first.get("by"), evidence=first.get("evidence"))
    done = x.get("done_date")
    ev = _base(crit, year, AWAITING, target_text=f"senest {F.fmt_date(due)}")
    if s.source_missing and year >= due_year:
        ev.explanation = "Kilden for milepæle og vurderinger er ikke leveret."
        return ev
    if done and int(str(done)[:4]) <= year:
        ok = str(done)[:10] <= due[:10]
        ev.status = MET if ok else NOT_MET
        ev.value_text = F.fmt_date(done)
        ev.explanation = (f"Gennemført {F.fmt_date(done)}" + (f" ({x['by']})" if x.get("by") else "")
                          + (" inden fristen." if ok else f", efter fristen {F.fmt_date(due)}.")
                          + (f" Dokumentation: {x['evidence']}." if x.get("evidence") else ""))
        return ev
    cov = x.get("covered_years")
    if year < due_year:
        ev.status = NOT_YET
        ev.explanation = f"Milepælen skal være nået senest {F.fmt_date(due)}."
    elif cov is not None and due_year not in set(cov):  # the register does not reach the due year (issue 21)
        ev.explanation = (f"Registret over milepæle har ingen registreringer for {due_year}, så det kan ikke afgøres, "
                          f"om milepælen blev nået inden fristen {F.fmt_date(due)}; et manglende år tælles ikke "
                          "som 'ikke gennemført'.")
    else:
        ev.status = NOT_MET
        ev.explanation = f"Milepælen er ikke registreret som gennemført; fristen var {F.fmt_date(due)}."
    return ev


ASSESSMENT_LABELS = {
    "opfyldt": "Opfyldt",
    "delvist opfyldt": "Delvist opfyldt",
    "ikke opfyldt": "Ikke opfyldt",
    "i gang": "I gang",
}


def eval_qualitative(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """A qualitative assessment recorded by a person or body, with rationale and evidence.

    ``extra``: ``assessment`` (one of ``ASSESSMENT_LABELS``), ``by``, ``date``, ``rationale``,
    ``evidence`` — the latest assessment dated in or before the evaluation year."""
    p = crit.params
    due_year = int(p.get("due_year", crit.period_end))
    x = dict(s.extra or {})
    if "history" in x:  # the latest assessment dated in or before the evaluation year
        hist = [h for h in x["history"] if int(str(h["date"])[:4]) <= year]
        x = dict(max(hist, key=lambda h: h["date"])) if hist else {}
    ev = _base(crit, year, AWAITING, target_text=f"vurderes senest {due_year}")
    a = x.get("assessment")
    if a:
        ev.status = ASSESSED
        lab = ASSESSMENT_LABELS.get(str(a).lower(), str(a))
        ev.notes_label = f"Vurdering: {lab}"
        ev.value_text = lab
        ev.explanation = (f"{x.get('by', 'Ukendt')} vurderede {F.fmt_date(x['date']) if x.get('date') else ''}: {lab}. "
                          f"Begrundelse: {x.get('rationale', '–')}"
                          + (f" Dokumentation: {x['evidence']}." if x.get("evidence") else ""))
        return ev
    if year < due_year:
        ev.status = NOT_YET
        ev.explanation = f"Der foreligger endnu ingen vurdering; kriteriet vurderes senest {due_year}."
    else:
        ev.explanation = f"Vurderingen for {due_year} er ikke registreret."
    return ev
