"""Text cells that look alike but differ, and numbers that read two ways.

* :func:`normalise_cells`: every cell of a contract column is put in Unicode NFC and cleared of invisible
  characters (zero-width space and joiners, BOM, soft hyphen, direction marks; a no-break space becomes a space),
  so that ``PÅ1`` written as A + U+030A in one file and as one letter in another, or an id with a zero-width space
  in some rows, is one person. Every change in an id or code column gives one warning per file and column naming
  the rows and what was changed (free text, numbers and dates are cleaned silently: a no-break space is the Danish
  Excel export's thousands separator).
* :func:`ambiguous_number_issues`: a number cell that reads differently with a decimal comma and with a decimal
  point (``3,641``: 3,641 or 3641), in a file whose other numbers show only the other convention, gives a warning
  naming row, column, value and both readings.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from helhedsplan_eval.data.issues import WARNING, Issue, excerpt, row_list
from helhedsplan_eval.data.source_types import Source

INVISIBLE = {"\u200b": "nulbreddemellemrum (U+200B)", "\u200c": "nulbredde-ikke-sammenbinder (U+200C)",
             "\u200d": "nulbreddesammenbinder (U+200D)", "\u2060": "ordsammenbinder (U+2060)",
             "\ufeff": "BOM (U+FEFF)", "\u00ad": "blød bindestreg (U+00AD)", "\u200e": "retningsmærke (U+200E)",
             "\u200f": "retningsmærke (U+200F)", "\u180e": "mongolsk vokalseparator (U+180E)"}
INVISIBLE.update({chr(c): f"retningstegn (U+{c:04X})" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
SPACES = {"\u00a0": "hårdt mellemrum (U+00A0)", "\u202f": "smalt hårdt mellemrum (U+202F)",
          "\u2007": "tal-mellemrum (U+2007)"}
_STRIP = re.compile("[" + "".join(INVISIBLE) + "]")
_SPACE = re.compile("[" + "".join(SPACES) + "]")


def clean_text(s: str) -> tuple[str, list[str]]:
    """``s`` in NFC without invisible characters (no-break spaces as spaces), and what was changed."""
    if s.isascii():
        return s, []
    changes = [f"usynligt tegn fjernet: {name}" for ch, name in INVISIBLE.items() if ch in s]
    changes += [f"{name} skrevet som almindeligt mellemrum" for ch, name in SPACES.items() if ch in s]
    out = _SPACE.sub(" ", _STRIP.sub("", s)).strip()
    nfc = unicodedata.normalize("NFC", out)
    if nfc != out:
        changes.append("skrevet om til Unicode NFC (samme tegn, men fx Å gemt som A + ring over)")
    return nfc, changes


def normalise_cells(df: pd.DataFrame, src: Source, fname: str, quiet: set[str]) -> tuple[pd.DataFrame, list[Issue]]:
    """``df`` with every contract column's cells cleaned (:func:`clean_text`); a warning per column with changes,
    except in the ``quiet`` (free-text) columns."""
    issues = []
    out = df
    for col in (c.name for c in src.columns):
        if list(df.columns).count(col) != 1:
            continue
        cells = df[col].tolist()
        if all(v.isascii() for v in set(cells)):  # nothing to normalise (the common case, checked once per value)
            continue
        seen: dict[str, tuple[str, list[str]]] = {}
        rows, kinds, new = [], [], []
        for row, cell in zip(df.index, cells):
            hit = seen.get(cell)
            if hit is None:
                hit = seen[cell] = clean_text(cell)
            new.append(hit[0])
            if hit[1]:
                rows.append(int(row))
                kinds += [k for k in hit[1] if k not in kinds]
        if not rows:
            continue
        if out is df:
            out = df.copy()
        out[col] = new
        if col in quiet:
            continue
        issues.append(Issue(WARNING, src.name, fname,
                            f"{len(rows)} {'celle' if len(rows) == 1 else 'celler'} er rettet i {row_list(rows)}: "
                            f"{'; '.join(kinds)}; værdierne læses nu som de samme tegn i alle filer",
                            rows[0], col, None, category="usynlige tegn eller anden Unicode-form rettet"))
    return out, issues


_DA = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")  # decimal comma, thousands point
_EN = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")  # decimal point, thousands comma
_NAME = {"da": "komma som decimaltegn", "en": "punktum som decimaltegn"}


def _readings(cell: str) -> tuple[float | None, float | None]:
    t = cell.replace("\u00a0", "").replace(" ", "")
    da = float(t.replace(".", "").replace(",", ".")) if _DA.fullmatch(t) else None
    en = float(t.replace(",", "")) if _EN.fullmatch(t) else None
    return da, en


def _plain(v: float) -> str:
    return f"{v:.12g}".replace(".", ",")


def ambiguous_number_issues(src: Source, raw: pd.DataFrame, typed: pd.DataFrame, fname: str) -> list[Issue]:
    """A warning per ambiguous number (column, value) in a file whose other numbers use only the other convention."""
    evidence: dict[str, tuple[int, str, str]] = {}  # convention -> (row, column, cell) of a first clear example
    ambiguous: dict[tuple[str, str], list[int]] = {}
    for col in (c.name for c in src.columns if c.type in ("int", "float")):
        if col not in raw.columns or list(raw.columns).count(col) != 1:
            continue
        seen: dict[str, tuple] = {}
        for row, cell, value in zip(raw.index, raw[col].tolist(), typed[col].tolist()):
            if not cell or value is None or ("," not in cell and "." not in cell):
                continue
            if cell not in seen:
                seen[cell] = _readings(cell)
            da, en = seen[cell]
            if da is not None and en is None:
                evidence.setdefault("da", (int(row), col, cell))
            elif en is not None and da is None:
                evidence.setdefault("en", (int(row), col, cell))
            elif da is not None and da != en:
                ambiguous.setdefault((col, cell), []).append(int(row))
    issues = []
    for (col, cell), rows in ambiguous.items():
        da, en = _readings(cell)
        used = "da" if typed.at[rows[0], col] == da else "en"
        other = "en" if used == "da" else "da"
        if used in evidence or other not in evidence:
            continue
        erow, ecol, ecell = evidence[other]
        shown = (da, en) if used == "da" else (en, da)
        issues.append(Issue(
            WARNING, src.name, fname,
            f"værdien '{excerpt(cell)}' kan læses som {_plain(shown[0])} ({_NAME[used]}) eller som "
            f"{_plain(shown[1])} ({_NAME[other]}); filen bruger ellers {_NAME[other]} (fx '{excerpt(ecell)}' i række "
            f"{erow}, kolonne '{ecol}'). Den er læst som {_plain(shown[0])} i {row_list(rows)}; kontrollér tallet",
            rows[0], col, cell, category="tallet kan læses på to måder"))
    return issues
