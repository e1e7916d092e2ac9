"""One cell at a time: converting a text cell by its declared type, and refusing CPR-shaped values.

:func:`convert_cell` turns a text cell into ``str``/``int``/``float``/``bool``/``date`` (or ``None`` when empty) and
raises ``ValueError`` with a Danish reason otherwise; the spellings it accepts are documented in ``data/README.md``
(:mod:`helhedsplan_eval.data.contract_doc` reads ``_TRUE``/``_FALSE``). :func:`looks_like_cpr` finds values shaped
like a Danish CPR number, which the contract refuses wherever they appear.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from helhedsplan_eval.data.sources import Col, Source

# A value shaped like a Danish CPR number (ddmmåå-xxxx, with or without the hyphen), also inside an id.
CPR_PATTERN = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")
# ... and a CPR number of day 01-09 that a spreadsheet stored as a number, losing its leading zero
_CPR_NO_ZERO = re.compile(r"[1-9](0[1-9]|1[0-2])\d{6}")


def looks_like_cpr(value: str | None) -> bool:
    """True for a value shaped like a Danish CPR number (also inside a longer id, or as a
    9-digit number whose leading zero a spreadsheet dropped)."""
    v = (value or "").strip()
    return bool(CPR_PATTERN.search(v) or _CPR_NO_ZERO.fullmatch(v))


CPR_MESSAGE = ("værdien ligner et CPR-nummer (ddmmåå-xxxx); der må kun bruges pseudonyme id'er (fx P00017), "
               "aldrig CPR-numre")
CPR_TEXT_MESSAGE = ("teksten indeholder noget, der ligner et CPR-nummer (ddmmåå-xxxx); fritekst må ikke indeholde "
                    "CPR-numre, navne eller andre oplysninger om personer")


def free_text_columns(src: Source) -> list[str]:
    """Text columns that are neither ids, keys, references nor coded values (titles, rationales...)."""
    refs = {r[0] for r in src.references}
    return [c.name for c in src.columns if c.type == "str" and not c.pseudonym and c.allowed is None
            and c.name not in src.key and c.name not in refs]


# Spellings of yes and no (data/README.md lists them, read from here by contract_doc)
_TRUE = {"ja", "j", "true", "sand", "1", "yes", "y", "x"}
_FALSE = {"nej", "n", "false", "falsk", "0", "no"}
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})$"), ("d", "m", "y")),
)


def _to_number(s: str, decimal_comma: bool) -> float:
    t = s.replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", t) or "." not in t:
            t = t.replace(".", "").replace(",", ".")
        elif "," in t:
            raise ValueError
    elif "," in t and "." not in t and re.fullmatch(r"-?\d+,\d+", t):
        t = t.replace(",", ".")  # a lone decimal comma in an otherwise comma-free cell
    v = float(t)
    if not math.isfinite(v):
        raise ValueError
    return v


def convert_cell(s: str, col: Col, decimal_comma: bool):
    """Convert one text cell; raises ValueError with a Danish reason."""
    if s == "" or s is None:
        return None
    if col.type == "str":
        return s
    if col.type in ("int", "float"):
        try:
            v = _to_number(s, decimal_comma)
        except ValueError:
            raise ValueError(f"kan ikke læses som {'et helt tal' if col.type == 'int' else 'et tal'}") from None
        if col.type == "int":
            if not float(v).is_integer():
                raise ValueError("skal være et helt tal")
            return int(v)
        return v
    if col.type == "bool":
        low = s.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError("skal være ja eller nej")
    if col.type == "date":
        for pat, order in _DATE_PATTERNS:
            m = pat.match(s)
            if m:
                parts = dict(zip(order, (int(g) for g in m.groups()[:3])))
                try:
                    return dt.date(parts["y"], parts["m"], parts["d"])
                except ValueError:
                    raise ValueError("er ikke en gyldig dato") from None
        raise ValueError("kan ikke læses som en dato")
    raise ValueError(f"ukendt type {col.type}")
