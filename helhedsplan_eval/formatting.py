"""Danish number formatting for everything the board reads, independent of OS locales.

babel ships the CLDR data, so ``da_DK`` works in containers without OS locales. Numbers are
rounded half-up on their decimal value (``Decimal.quantize``), not half-even on the binary
value, so 2,25 shows as "2,3" as a person would round it. Missing values (None, NaN) show
as an en dash "–", never "nan".
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_decimal

MISSING = "–"
NBSP = "\u00a0"
LOCALE = "da_DK"


def is_missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return False


def _round(x: float, decimals: int) -> Decimal:
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)


def fmt_number(x, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (decimals=1); 1234 -> '1.234'."""
    if is_missing(x):
        return MISSING
    d = _round(x, decimals)
    if d == 0:
        d = abs(d)  # no "-0"
    return _format_rounded(d, decimals)


@lru_cache(maxsize=4096)
def _format_rounded(d: Decimal, decimals: int) -> str:
    """Babel's Danish pattern for an already rounded value (memoised: the report formats the same few
    numbers over and over, and babel's formatter is the slow part of judging a criterion)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(d, format=pattern, locale=LOCALE)


def fmt_pct(x, decimals: int = 1) -> str:
    """A value in percent units: 12.4 -> '12,4 %' (no-break space before %)."""
    if is_missing(x):
        return MISSING
    return f"{fmt_number(x, decimals)}{NBSP}%"


SHARE_DECIMALS = 1  # one rounding for observed shares everywhere the board looks (issue 21)


def fmt_share(x) -> str:
    """An observed share in percent as every board channel shows it — the status table and overview, the FIT
    tables and texts, the survey tables, the målopfyldelse CSV: one decimal ('65,5 %'), so that a share never
    reads 66 % in one place and 65,5 % in another. Targets keep the form the catalogue gives them ('65 %'),
    chart axes their ticks."""
    return fmt_pct(x, SHARE_DECIMALS)


def fmt_pp(x, decimals: int = 1, signed: bool = False) -> str:
    """Percentage points: 3.5 -> '3,5 procentpoint'."""
    if is_missing(x):
        return MISSING
    s = fmt_number(x, decimals)
    if signed and _round(x, decimals) > 0:
        s = "+" + s
    return f"{s}{NBSP}procentpoint"


def fmt_kr(x, decimals: int = 0) -> str:
    """17288000 -> '17.288.000 kr.'"""
    if is_missing(x):
        return MISSING
    return f"{fmt_number(x, decimals)}{NBSP}kr."


def fmt_date(d) -> str:
    """A date as the board writes it: 31.12.2024."""
    if d is None or (not isinstance(d, (_dt.date, str)) and is_missing(d)):
        return MISSING
    if isinstance(d, str):
        d = _dt.date.fromisoformat(d[:10])
    if isinstance(d, _dt.datetime):
        d = d.date()
    return d.strftime("%d.%m.%Y")


def fmt_count(n, min_cell: int = 5) -> str:
    """A count of people or records with disclosure control: under ``min_cell`` -> '<5'.

    Zero is shown as 0 (an empty cell discloses nothing about a person)."""
    if is_missing(n):
        return MISSING
    n = int(round(float(n)))
    if 0 < n < min_cell:
        return f"<{min_cell}"
    return fmt_number(n, 0)


def fmt_value(x, unit: str, decimals: int | None = None) -> str:
    """Format a value in the unit an indicator declares (see params/criteria.yml)."""
    if unit in ("pct", "percent", "%"):
        return fmt_share(x) if decimals is None else fmt_pct(x, decimals)
    if unit in ("pp", "procentpoint"):
        return fmt_pp(x, 1 if decimals is None else decimals)
    if unit in ("kr", "dkk"):
        return fmt_kr(x, 0 if decimals is None else decimals)
    if unit in ("count", "antal", "persons", "personer"):
        return fmt_number(x, 0 if decimals is None else decimals)
    return fmt_number(x, 1 if decimals is None else decimals)


def tick_formatter(kind: str = "number", decimals: int = 0):
    """A matplotlib FuncFormatter giving Danish tick labels ('number', 'pct', 'kr', 'year')."""
    from matplotlib.ticker import FuncFormatter

    funcs = {
        "number": lambda v, _pos: fmt_number(v, decimals),
        "pct": lambda v, _pos: fmt_pct(v, decimals),
        "kr": lambda v, _pos: fmt_kr(v, decimals),
        "year": lambda v, _pos: str(int(round(v))),  # years carry no thousands separator
    }
    return FuncFormatter(funcs[kind])


def plural(n: int, singular: str, plural_form: str) -> str:
    """``n`` and the Danish noun in the right number: "1 advarsel", "2 advarsler", "0 advarsler"."""
    return f"{n} {singular if n == 1 else plural_form}"


def excerpt(value, limit: int = 80) -> str:
    """``value`` as text for a message, at most ``limit`` characters (then cut with "…" and the full length):
    a bad value is never repeated whole (a 300 MB YAML value, a cell of a 100 MB file)."""
    text = value if isinstance(value, str) else repr(value) if not isinstance(value, (int, float)) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} tegn)".replace(",", ".")


def short_repr(value, limit: int = 80) -> str:
    """A bounded ``repr`` of ``value`` for a message: strings cut at ``limit`` characters, at most five items of a
    list or mapping, three levels deep (never the whole of a bad value, however large or nested)."""
    import reprlib

    r = reprlib.Repr()
    r.maxstring = r.maxother = limit
    r.maxlist = r.maxtuple = r.maxdict = r.maxset = r.maxfrozenset = 5
    r.maxlevel = 3
    return excerpt(r.repr(value), 2 * limit)


SOFT_HYPHEN = "\u00ad"


@lru_cache(maxsize=1)
def _danish_hyphenator():
    import pyphen

    return pyphen.Pyphen(lang="da_DK")


def soft_hyphens(text: str, min_len: int = 13) -> str:
    """``text`` with soft hyphens (U+00AD) at the Danish syllable breaks (pyphen's dictionary) of every word of at
    least ``min_len`` letters: a column too narrow for the word ("95 %-sikkerhedsinterval" in a table header
    on paper or a phone) breaks it with a hyphen between syllables instead of anywhere, and where the word fits
    nothing shows. For headers, not for figures or ids."""
    import re

    hyph = _danish_hyphenator()
    return re.sub(rf"[^\W\d_]{{{min_len},}}", lambda m: hyph.inserted(m.group(0), hyphen=SOFT_HYPHEN), str(text))
