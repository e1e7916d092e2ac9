"""The published formulas: Jacobson-Truax RCI and criterion c, Cronbach's alpha, change classes and
categories, the age-appropriate cut-off, the natural order of ids and the total-only import rule.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import math
import re
from statistics import NormalDist

import numpy as np
import pandas as pd

from helhedsplan_eval.analysis.fit.params import CUTOFFS, DEFAULT_THRESHOLD




def rci_points(sd: float, reliability: float, conf: float = 0.95) -> float:
    """Jacobson-Truax reliable change index in raw points: z * sqrt(2) * SD1 * sqrt(1 - r).

    Hand-written because no library in the project's dependencies (scipy, statsmodels) implements the
    Jacobson-Truax (1991) reliable change index; it is one published formula, checked against worked
    examples in tests/test_fit.py (T1-T4)."""
    if sd is None or reliability is None or not np.isfinite(sd) or not np.isfinite(reliability):
        return math.nan
    if not 0 <= reliability < 1 or sd < 0:
        return math.nan
    z = NormalDist().inv_cdf(1 - (1 - conf) / 2)
    return z * math.sqrt(2) * sd * math.sqrt(1 - reliability)


def csc_cutoff(m_clin: float, sd_clin: float, m_nonclin: float, sd_nonclin: float) -> float:
    """Jacobson-Truax criterion c: (SD_clin*M_nonclin + SD_nonclin*M_clin) / (SD_clin + SD_nonclin)."""
    return (sd_clin * m_nonclin + sd_nonclin * m_clin) / (sd_clin + sd_nonclin)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of complete item rows (k/(k-1) * (1 - sum var_i / var_total)); NaN if < 2 rows."""
    x = items.dropna()
    k = x.shape[1]
    if len(x) < 2 or k < 2:
        return math.nan
    var_total = x.sum(axis=1).var(ddof=1)
    if not var_total > 0:
        return math.nan
    return k / (k - 1) * (1 - x.var(ddof=1).sum() / var_total)


def _clean_delta(delta):
    """Changes are sums of one-decimal values; round away binary noise before comparing."""
    return np.round(np.asarray(delta, dtype=float), 6)


def classify_change(delta, threshold: float = DEFAULT_THRESHOLD, strict: bool = False) -> np.ndarray:
    """'improvement' / 'no_change' / 'deterioration' for each change.

    ``strict=False`` (fixed 5-point rule): change >= threshold is improvement.
    ``strict=True`` (Jacobson-Truax / CECPfuns): change must exceed the RCI."""
    d = _clean_delta(np.atleast_1d(delta))
    t = round(float(threshold), 6)
    up = d > t if strict else d >= t
    down = d < -t if strict else d <= -t
    out = np.where(up, "improvement", np.where(down, "deterioration", "no_change"))
    out = np.where(np.isnan(d), None, out)
    return out


def jt_category(intake, last, cutoff, threshold: float = DEFAULT_THRESHOLD, strict: bool = False) -> np.ndarray:
    """Jacobson-Truax category per episode: recovered / improved / unchanged / deteriorated."""
    intake = np.atleast_1d(np.asarray(intake, dtype=float))
    last = np.atleast_1d(np.asarray(last, dtype=float))
    cutoff = np.broadcast_to(np.asarray(cutoff, dtype=float), intake.shape)
    cls = classify_change(last - intake, threshold, strict)
    crossed = (intake < cutoff) & (last >= cutoff)
    out = np.where(
        cls == "improvement",
        np.where(crossed, "recovered", "improved"),
        np.where(cls == "deterioration", "deteriorated", "unchanged"),
    )
    return np.where(pd.isna(cls), None, out)


def cutoff_for_age(age, stream: str) -> float:
    """Age-appropriate clinical cut-off; missing age -> adult for stream A, child for B/C."""
    if age is None or (isinstance(age, float) and math.isnan(age)) or pd.isna(age):
        return CUTOFFS["adult"] if stream == "A" else CUTOFFS["child"]
    age = float(age)
    if age >= 18:
        return CUTOFFS["adult"]
    if age >= 13:
        return CUTOFFS["adolescent"]
    return CUTOFFS["child"]


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key that reads the digits in an id as a number: 'A10' after 'A9', not after 'A1'."""
    parts = _DIGITS.split(str(text))
    parts[1::2] = map(int, parts[1::2])
    parts[0::2] = map(str.lower, parts[0::2])
    return tuple(parts)


def items_from_total(total: float) -> tuple[float, float, float, float]:
    """OpenFIT import rule for a total-only record: each item is total/4 (T15)."""
    return (total / 4.0,) * 4
