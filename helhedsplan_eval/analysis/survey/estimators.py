"""Design-based estimators: weighted means and shares with Taylor-linearised standard errors
(fixed-weight and calibration), their confidence intervals, and the difference of two independent waves.

One reason to change: the estimators and their intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

from helhedsplan_eval.analysis.survey.calibration import Calibration, rake_adjusted_se
from helhedsplan_eval.analysis.survey.raking import kish_n_eff


@dataclass
class Estimate:
    """A weighted estimate with its linearised SE and CI. Shares are in percent units."""

    value: float
    se: float
    ci_low: float
    ci_high: float
    n: int          # respondents with an answer (the estimate's own base)
    df: int         # design degrees of freedom (all respondents of the wave - 1)
    n_eff: float = math.nan
    se_fixed: float = math.nan   # linearised SE treating the weights as fixed (shown beside ``se``)


def linearised_mean(y, w) -> tuple[float, float, int, int]:
    """Weighted mean and its Taylor-linearised SE (each respondent a PSU, with replacement).

    NaN in ``y`` = not in the domain (u_i = 0), as R ``svymean(na.rm=TRUE)``.
    Returns (mean, se, n_answered, df) with df = n_all - 1."""
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    keep = w > 0
    y, w = y[keep], w[keep]
    n_all = len(y)
    ok = ~np.isnan(y)
    n_ok = int(ok.sum())
    if n_ok == 0 or n_all < 2:
        return math.nan, math.nan, n_ok, max(n_all - 1, 0)
    sw = w[ok].sum()
    m = float(np.sum(w[ok] * y[ok]) / sw)
    u = np.zeros(n_all)
    u[ok] = w[ok] * (y[ok] - m) / sw
    se = math.sqrt(n_all / (n_all - 1) * float(np.sum((u - u.mean()) ** 2)))
    return m, se, n_ok, n_all - 1


def weighted_mean(y, w, level: float = 0.95, groups: pd.DataFrame | Calibration | None = None) -> Estimate:
    """Weighted mean with a 95 % CI. With ``groups`` (the raking categories of the respondents,
    one column per margin, or the wave's :class:`~.calibration.Calibration` built from them once) the
    SE accounts for the raking (calibration SE, the primary one); the fixed-weight linearised SE is
    kept in ``se_fixed``."""
    m, se, n, df = linearised_mean(y, w)
    if math.isnan(m) or df < 1:
        return Estimate(m, se, math.nan, math.nan, n, df, se_fixed=se)
    se_fixed = se
    if groups is not None and groups.shape[1] > 0:
        se = rake_adjusted_se(y, w, groups, list(groups.columns))
    t = st.t.ppf(1 - (1 - level) / 2, df)
    ok = ~np.isnan(np.asarray(y, dtype=float))
    return Estimate(m, se, m - t * se, m + t * se, n, df, kish_n_eff(np.asarray(w, dtype=float)[ok]), se_fixed)


def xlogit_ci(p: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """CI for a proportion on the logit scale (R ``svyciprop(method="xlogit")``), as fractions."""
    if not (0 < p < 1) or not np.isfinite(se) or df < 1:
        return math.nan, math.nan
    t = st.t.ppf(1 - (1 - level) / 2, df)
    lg = math.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return 1 / (1 + math.exp(-(lg - half))), 1 / (1 + math.exp(-(lg + half)))


def korn_graubard_ci(p: float, se: float, n: int, df: float, level: float = 0.95) -> tuple[float, float]:
    """Korn-Graubard (design-adjusted Clopper-Pearson) CI, used only when p is 0 or 1."""
    a = 1 - level
    n_eff = n if (p <= 0 or p >= 1 or se <= 0) else min(n, p * (1 - p) / se ** 2)
    if df >= 1:
        n_eff *= (st.norm.ppf(1 - a / 2) / st.t.ppf(1 - a / 2, df)) ** 2
    x = p * n_eff
    lo = 0.0 if x <= 0 else float(st.beta.ppf(a / 2, x, n_eff - x + 1))
    hi = 1.0 if x >= n_eff else float(st.beta.ppf(1 - a / 2, x + 1, n_eff - x))
    return lo, hi


def weighted_share(indicator_values, w, level: float = 0.95, groups: pd.DataFrame | Calibration | None = None
                   ) -> Estimate:
    """Weighted share (percent units) of a 0/1 variable (NaN = no answer) with an xlogit CI;
    ``groups`` as in :func:`weighted_mean` (calibration SE)."""
    p, se, n, df = linearised_mean(indicator_values, w)
    if math.isnan(p):
        return Estimate(math.nan, math.nan, math.nan, math.nan, n, df)
    se_fixed = se
    if groups is not None and groups.shape[1] > 0:
        se = rake_adjusted_se(indicator_values, w, groups, list(groups.columns))
    if 0 < p < 1:
        lo, hi = xlogit_ci(p, se, df, level)
    else:
        lo, hi = korn_graubard_ci(p, se, n, df, level)
    ok = ~np.isnan(np.asarray(indicator_values, dtype=float))
    return Estimate(100 * p, 100 * se, 100 * lo, 100 * hi, n, df,
                    kish_n_eff(np.asarray(w, dtype=float)[ok]), 100 * se_fixed)


@dataclass
class Difference:
    diff: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    p_value: float


def difference(a: Estimate, b: Estimate, level: float = 0.95) -> Difference:
    """b - a for two independent waves: SE = sqrt(SEa² + SEb²), t with dfa + dfb degrees of freedom
    (= n_a + n_b - 2)."""
    if any(math.isnan(x) for x in (a.value, b.value, a.se, b.se)):
        return Difference(math.nan, math.nan, math.nan, math.nan, 0, math.nan)
    d = b.value - a.value
    se = math.hypot(a.se, b.se)
    df = int(a.df + b.df)
    t = st.t.ppf(1 - (1 - level) / 2, df)
    p = float(2 * st.t.sf(abs(d) / se, df)) if se > 0 else (1.0 if d == 0 else 0.0)
    return Difference(d, se, d - t * se, d + t * se, df, p)
