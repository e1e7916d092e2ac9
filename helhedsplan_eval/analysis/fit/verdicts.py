"""The status of FF-FAM-2/3/4 under the three readings, and whether the reading decides it.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import pandas as pd

from helhedsplan_eval.formatting import MISSING, fmt_share
from helhedsplan_eval.analysis.fit.params import EN_DASH, FIRST_YEAR, READINGS, READING_SHORT, STATUS_READING, STREAMS, STREAM_CRITERION, UNIT_WORD
from helhedsplan_eval.analysis.fit.summary import from_bundle
from helhedsplan_eval.analysis.fit.indicators import stream_series
from helhedsplan_eval.analysis.fit.board import _is_number_text, _pct, _shown_count, _units_label, _units_text, share_row


def _judged_years(crit, y: int) -> list[int]:
    """The years a criterion is judged on in the evaluation year (annual: the one year; pooled: all so far)."""
    judged = [t for t in crit.years if t <= y]
    if crit.params.get("scope", "annual") == "annual":
        judged = [min(y, max(crit.years))] if judged else []
    return judged


def _explanation(ev, crit, s: str, hide: bool, judged, shown, min_cell: int) -> str:
    """The status explanation, without a count that the tables hide."""
    if hide:
        return f"Færre end {min_cell} {UNIT_WORD[s].lower()} indgår; andelen vises ikke af hensyn til diskretionen."
    if judged and not _is_number_text(shown) and ev.value is not None:
        # the table hides this count (a small number elsewhere could be worked out from it), so the
        # explanation must not quote it either
        return (f"Status er vurderet mod målet på mindst {_pct(float(crit.params['target']), 0)}"
                + ("; intervallet omfatter målet, så resultatet er usikkert" if ev.uncertain else "")
                + f". Antallet af {UNIT_WORD[s].lower()} og andelen vises ikke, så "
                "små tal i tabellerne ikke kan regnes ud.")
    return ev.explanation


def _status_row(bundle, crit, s: str, y: int, years, order, min_cell: int) -> dict:
    """One criterion's row: its status and share under every reading, the count and the explanation."""
    from helhedsplan_eval.analysis.status import evaluate

    judged = _judged_years(crit, y)
    row = {"Kriterium": crit.id, "Succeskriterium": crit.text,
           "Opgjort for": (MISSING if not judged else str(judged[0]) if len(judged) == 1
                           else f"{judged[0]}{EN_DASH}{judged[-1]} samlet")}
    fd = from_bundle(bundle)
    for j, r in enumerate(order):
        series = stream_series(bundle, years, s, reading=r)
        ev = evaluate(crit, series, y)
        den = float(series.data["denominator"].reindex(judged).fillna(0).sum())
        hide = 0 < den < min_cell
        row[f"Status ({READING_SHORT[r]})"] = ev.label
        cell = None if fd is None else _shown_count(fd, s, y, min_cell, share_row(r, s, fd.threshold))
        # the share as the stream table shows it (hidden there when its denominator is hidden)
        row[f"Andel ({READING_SHORT[r]})"] = (MISSING if hide or ev.value is None or cell is None
                                              or not str(cell).endswith("%") else fmt_share(ev.value))
        if j == 0:
            shown = None if fd is None else _shown_count(fd, s, y, min_cell, _units_label(s))
            row["Antal i andelen"] = _units_text(shown, s) if judged else MISSING
            row["Forklaring"] = _explanation(ev, crit, s, hide, judged, shown, min_cell)
    row["Læsning brugt til status"] = READING_SHORT[STATUS_READING]
    return row


def status_table(bundle, evaluation_year: int, min_cell: int = 5, catalogue=None) -> pd.DataFrame:
    """Status of FF-FAM-2/3/4 under the three readings (the one used first), via the status
    engine and its disclosure threshold set to ``min_cell``.

    Shares and the engine's explanation are hidden when the denominator is 1..min_cell-1."""
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.analysis.status import disclosure_threshold

    cat = catalogue or load_catalogue()
    y = int(evaluation_year)
    years = list(range(FIRST_YEAR, max(y, FIRST_YEAR) + 1))
    order = [STATUS_READING] + [r for r in READINGS if r != STATUS_READING]
    with disclosure_threshold(min_cell):
        rows = [_status_row(bundle, cat.criteria[STREAM_CRITERION[s]], s, y, years, order, min_cell)
                for s in STREAMS]
    cols = ["Kriterium", "Succeskriterium", "Opgjort for", "Antal i andelen"]
    for r in order:
        cols += [f"Status ({READING_SHORT[r]})", f"Andel ({READING_SHORT[r]})"]
    cols += ["Læsning brugt til status", "Forklaring"]
    return pd.DataFrame(rows)[cols].set_index("Kriterium")


def reading_sensitivity_text(status: pd.DataFrame) -> str:
    """Danish sentences (one per criterion) saying whether the reading decides the status,
    from :func:`status_table`. Status words only: no counts. Readings without a verdict (too
    few persons, awaiting data) are named as such, not as a different verdict."""
    verdicts = ("Opfyldt", "Ikke opfyldt", "På vej", "Ikke på vej")
    out = []
    used = READING_SHORT[STATUS_READING]
    for cid, row in status.iterrows():
        words = {r: str(row[f"Status ({READING_SHORT[r]})"]).split(" (")[0] for r in READINGS}
        judged = {r: w for r, w in words.items() if w in verdicts}
        rest = {r: w for r, w in words.items() if w not in verdicts}
        if not judged:
            out.append(f"{cid}: ingen af læsningerne giver en vurdering endnu ({words[STATUS_READING]}).")
            continue
        if len(set(judged.values())) == 1:
            txt = (f"{cid}: {'alle tre læsninger' if not rest else 'læsningerne'} giver samme status "
                   f"({next(iter(judged.values()))}).")
        else:
            others = "; ".join(f"med {READING_SHORT[r]} ville den være {w}" for r, w in judged.items()
                               if r != STATUS_READING)
            first = (f"Med {used} (den valgte læsning) er status {judged[STATUS_READING]}; "
                     if STATUS_READING in judged else "")
            txt = f"{cid}: læsningen afgør status. {first}{others}."
        if rest:
            txt += " " + "; ".join(f"Med {READING_SHORT[r]} kan status ikke vurderes ({w})" for r, w in rest.items()) + "."
        out.append(txt)
    return "\n".join(f"- {t}" for t in out)
