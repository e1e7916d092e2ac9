"""The header row of a data file: missing, repeated, unknown and misspelt columns.

A column the contract expects but the file names differently (``Dato`` for ``date``, ``Start Date`` for
``start_date``, ``beløb`` for ``amount_dkk``) gives **one** message with a suggestion ("mente du 'date'?"), found
case-insensitively, through Danish names of the contract's columns, or as a close match (:func:`column_hint`).
Many unknown columns (an export padded to 16 384 columns) give one warning, not one each; columns without a name
and without data are ignored silently. An ``.xlsx`` that lacks columns says that only its first sheet is read and
names the others.
"""

from __future__ import annotations

import difflib
import re

from helhedsplan_eval.data.issues import ERROR, WARNING, Issue, excerpt
from helhedsplan_eval.data.source_types import Source

# Danish (and common spreadsheet) names of the contract's column names, normalised (lower case, '_' for spaces)
DANISH_NAMES = {
    "dato": "date", "år": "year", "aar": "year", "årstal": "year", "kategori": "category", "rolle": "role",
    "aktivitet": "activity", "titel": "title", "beløb": "amount_dkk", "beloeb": "amount_dkk", "beløb_kr": "amount_dkk",
    "deltagere": "participants", "antal_deltagere": "participants", "startdato": "start_date",
    "slutdato": "end_date", "befolkning": "population", "værdi": "value",
    "vaerdi": "value", "mål": "measure", "måling": "measure", "bølge": "wave", "runde": "wave",
    "person": "person_id", "person_id": "person_id", "personid": "person_id", "id": "person_id",
    "husstand": "household_id", "familie": "family_id", "familie_id": "family_id", "kursus": "course_id",
    "hold": "course_id", "afdeling": "department", "aldersgruppe": "age_group", "køn": "gender",
    "antal": "headcount", "fremmødte": "headcount", "sager": "cases", "kriterium": "criterion_id",
    "vurdering": "assessment", "begrundelse": "rationale", "dokumentation": "evidence", "vurderet_af": "assessed_by",
    "andel_pct": "value_pct", "procent": "value_pct", "tæller": "numerator", "nævner": "denominator",
    "frivillig": "volunteer_id", "frivillig_id": "volunteer_id", "besøg": "visit_id", "besøgsdato": "date",
}


def _norm(name: str) -> str:
    return re.sub(r"[\s\-.]+", "_", str(name).strip().lower()).strip("_")


def column_hint(name: str, wanted: list[str]) -> str | None:
    """The contract column in ``wanted`` that the file's header ``name`` most likely means, or None."""
    n = _norm(name)
    for w in wanted:
        if n == _norm(w):
            return w
    if DANISH_NAMES.get(n) in wanted:
        return DANISH_NAMES[n]
    close = difflib.get_close_matches(n, wanted, n=1, cutoff=0.8)
    return close[0] if close else None


def _names(columns, limit: int = 5) -> str:
    shown = ", ".join(f"'{excerpt(c, 40)}'" for c in columns[:limit])
    return shown + (f" og {len(columns) - limit} flere" if len(columns) > limit else "")


def _sheet_note(raw) -> str:
    sheets = getattr(raw, "sheets", None) or []
    if raw.shape != "xlsx" or len(sheets) < 2:
        return ""
    return (f"; kun det første regneark ('{excerpt(sheets[0], 40)}') læses, og filen har også "
            f"{'arket' if len(sheets) == 2 else 'arkene'} {_names(sheets[1:])}: læg data i det første ark")


def shape_issues(src: Source, raw, fname: str) -> tuple[list[Issue], bool]:
    """Rows that could not be split, missing, repeated and unknown columns; True when the table cannot be typed."""
    df, hrow = raw.frame, raw.header_row
    issues = [Issue(ERROR, src.name, fname, msg + "; rækken er ikke læst", row,
                    category="rækken har et andet antal felter end overskriften; rækken er ikke læst")
              for row, msg in raw.problems or []]
    names = [c.name for c in src.columns]
    cols = [str(c) for c in df.columns]
    unknown = [c for c in cols if c not in names and not c.startswith("Unnamed")]
    missing = [c.name for c in src.columns if c.required and c.name not in cols]
    used: set[str] = set()
    note = _sheet_note(raw)
    for m in missing:
        hint = next((u for u in unknown[:50] if u not in used and column_hint(u, [m])), None)
        if hint is not None:
            used.add(hint)
            msg = f"kolonnen '{m}' mangler; filen har kolonnen '{excerpt(hint, 40)}' – mente du '{m}'? Omdøb overskriften"
        else:
            msg = f"kolonnen '{m}' mangler (forventede kolonner: {', '.join(names)}){note}"
        issues.append(Issue(ERROR, src.name, fname, msg, hrow, m, category="kolonnen mangler"))
    dupcols = sorted({c for c in cols if cols.count(c) > 1})
    for c in dupcols:
        issues.append(Issue(ERROR, src.name, fname, f"kolonnen '{excerpt(c, 40)}' står der flere gange", hrow, c,
                            category="kolonnen står der flere gange"))
    if not src.extra_columns_allowed:
        issues += _unknown_issues(src, [u for u in unknown if u not in used], names, cols, fname, hrow)
    return issues, bool(missing or dupcols)


def _unknown_issues(src: Source, unknown: list[str], names: list[str], cols: list[str], fname: str,
                    hrow: int) -> list[Issue]:
    """A warning per unknown column (with a suggestion where one fits), or one warning for many."""
    absent = [n for n in names if n not in cols]
    hinted = [(u, column_hint(u, absent) if len(unknown) <= 50 else None) for u in unknown]
    plain = [u for u, h in hinted if h is None]
    issues = [Issue(WARNING, src.name, fname, f"ukendt kolonne '{excerpt(u, 40)}' ignoreres; mente du '{h}'?", hrow,
                    u, category="ukendt kolonne ignoreres") for u, h in hinted if h is not None]
    if len(plain) > 5:
        return issues + [Issue(WARNING, src.name, fname, f"{len(plain)} ukendte kolonner ignoreres: {_names(plain)}",
                               hrow, None, category="ukendte kolonner ignoreres")]
    return issues + [Issue(WARNING, src.name, fname, f"ukendt kolonne '{excerpt(u, 40)}' ignoreres", hrow, u,
                           category="ukendt kolonne ignoreres") for u in plain]
