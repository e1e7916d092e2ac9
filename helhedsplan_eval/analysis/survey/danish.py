"""How the survey writes numbers, ranges and variable/category names for the board (Danish, real
minus sign, en dash for ranges).

One reason to change: the board's wording of figures.
"""

from __future__ import annotations

import math

from helhedsplan_eval.formatting import MISSING, NBSP, fmt_number, fmt_pct, fmt_pp, fmt_share
from helhedsplan_eval.analysis.survey.config import VARIABLE_LABELS


MINUS = "\u2212"   # the real minus sign
DASH = "\u2013"    # en dash for ranges


def _num(x, decimals: int = 0) -> str:
    """Danish number with a real minus sign."""
    return fmt_number(x, decimals).replace("-", MINUS)


def _pct(x, decimals: int = 1) -> str:
    return fmt_pct(x, decimals).replace("-", MINUS)


def _share(x) -> str:
    """An observed share: the one rounding every board channel uses (formatting.fmt_share)."""
    return fmt_share(x).replace("-", MINUS)


def _pp(x, decimals: int = 1, signed: bool = False) -> str:
    return fmt_pp(x, decimals, signed=signed).replace("-", MINUS)


def _ci_text(lo, hi, decimals=1, pp=False, pct=False) -> str:
    """A range as the board writes it: '39,7–89,2 %', '−2,1–5,3 procentpoint'."""
    if any(x is None or math.isnan(x) for x in (lo, hi)):
        return MISSING
    s = f"{_num(lo, decimals)}{DASH}{_num(hi, decimals)}"
    return s + (f"{NBSP}procentpoint" if pp else (f"{NBSP}%" if pct else ""))


def _signed(x, decimals=1) -> str:
    if x is None or math.isnan(x):
        return MISSING
    s = _num(x, decimals)
    return ("+" + s) if round(x, decimals) > 0 else s


def _var_da(var: str) -> str:
    return VARIABLE_LABELS.get(var, var).lower()


def _cat_da(cat: str) -> str:
    """A category as the board reads it: age ranges with an en dash (18–29)."""
    return str(cat).replace("-", "–")
