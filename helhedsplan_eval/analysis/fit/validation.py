"""What the FIT data hold and what is wrong with them: the data note, the validation issues for
``helhedsplan-eval validate`` and the evaluator's problem table.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import re

import pandas as pd

from helhedsplan_eval.formatting import fmt_count
from helhedsplan_eval.analysis.fit.params import ADMIN_FILE, EN_DASH, FIRST_YEAR
from helhedsplan_eval.analysis.fit.summary import from_bundle


def _years_text(y: int) -> str:
    return str(FIRST_YEAR) if y <= FIRST_YEAR else f"{FIRST_YEAR}{EN_DASH}{y}"


def data_note(bundle, evaluation_year: int, min_cell: int = 5) -> str:
    """One or two Danish sentences on the FIT data behind the figures (no ids, no dates)."""
    fd = from_bundle(bundle)
    if fd is None:
        return "FIT-data (fit_administrations) er ikke leveret; de tre kriterier afventer data."
    y = int(evaluation_year)
    sc = fd.scored[fd.scored["year"] <= y]
    errs = len([p for p in fd.problems if p.severity == "error"])
    warns = len([p for p in fd.problems if p.severity == "warning"])
    if len(sc) == 0:
        return f"Der er endnu ingen FIT-skemaer fra {_years_text(y)} i data (ikke aktuelt endnu)."
    def n(count, one, many):  # "1 advarsel", "<5 advarsler", "7 advarsler"
        shown = fmt_count(count, min_cell)
        return f"{shown} {one if shown == '1' else many}"

    txt = (f"Opgørelsen bygger på {n(len(sc), 'FIT-skema', 'FIT-skemaer')} fra "
           f"{n(sc['family_id'].nunique(), 'familie', 'familier')} i {_years_text(y)}.")
    if errs:
        txt += (f" {n(errs, 'skema', 'skemaer')} er udeladt på grund af fejl i data "
                "(se valideringsrapporten).")
    if warns:
        txt += f" Der er {n(warns, 'advarsel', 'advarsler')} om data."
    total_only = int((sc["score_source"] == "total").sum())
    if total_only:
        txt += (f" {n(total_only, 'skema', 'skemaer')} har kun en samlet score; "
                "de tæller med som den samlede score.")
    return txt


def _file_rows(bundle):
    """Map a problem's row (position + 2 in the bundle's table) to the row a person sees in the
    file: the bundle's tables are renumbered from 0, so blank lines in the file would shift the
    rows; the file is read again (text cells only) to get its row numbers."""
    adm = bundle.table("fit_administrations")
    path = getattr(bundle, "files", {}).get("fit_administrations")
    index = None
    if adm is not None and path is not None and isinstance(adm.index, pd.RangeIndex):
        try:
            from helhedsplan_eval.data.contract import read_raw

            raw = read_raw(path).frame.index
            if len(raw) == len(adm):
                index = [int(x) for x in raw]
        except Exception:  # the contract has reported an unreadable file already
            index = None

    def row(r):
        if index is None or r is None or not 2 <= int(r) < len(index) + 2:
            return r
        return index[int(r) - 2]

    return row


def validation_issues(bundle) -> list:
    """The FIT module's own findings as :class:`helhedsplan_eval.data.contract.Issue` objects, for
    ``helhedsplan-eval validate``: those the data contract does not check itself (a total of 0,
    partial items beside a total, more than one decimal, rater ids that conflict or are missing
    on same-day forms, a self-rating by someone else, referrer forms from the almen group).
    Errors leave the form out of the FIT analysis; warnings keep it."""
    from helhedsplan_eval.data.contract import ERROR, WARNING, Issue

    fd = from_bundle(bundle)
    if fd is None:
        return []
    path = getattr(bundle, "files", {}).get("fit_administrations")
    fname = getattr(path, "name", None) or ADMIN_FILE
    rows = _file_rows(bundle)
    out = []
    for p in fd.problems:
        if p.in_contract:
            continue
        value = None if p.value is None else str(p.value)
        out.append(Issue(ERROR if p.severity == "error" else WARNING, "fit_administrations", fname,
                         f"kolonne '{p.column}': {p.expected}", rows(p.row), p.column, value,
                         category=re.sub(r"\s*\([^)]*\)", "", f"{p.column}: {p.expected.split(';')[0]}")))
    return out


def problem_table(bundle) -> pd.DataFrame:
    """Data problems for the evaluator (not for the board): file, line, column, value, what was expected."""
    fd = from_bundle(bundle)
    if fd is None or not fd.problems:
        return pd.DataFrame(columns=["Fil", "Linje", "Kolonne", "Værdi", "Forventet", "Type"])
    rows = _file_rows(bundle)
    return pd.DataFrame([{"Fil": p.file, "Linje": rows(p.row), "Kolonne": p.column, "Værdi": p.value,
                          "Forventet": p.expected, "Type": "fejl" if p.severity == "error" else "advarsel"}
                         for p in fd.problems])
