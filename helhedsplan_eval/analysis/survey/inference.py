"""Tests and effect sizes for the wave comparison: the design-based rank test, Holm's adjustment
for the items of a family, Cohen's h.

One reason to change: the robustness test or the multiple-testing correction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helhedsplan_eval.analysis.survey.estimators import difference, weighted_mean


def rank_test(y_a, w_a, y_b, w_b, level: float = 0.95) -> dict:
    """Design-based Wilcoxon-type rank test (port of R ``svyranktest``'s two-group case).

    Weighted mid-ranks over both waves, scaled by the population total; the wave difference in
    weighted mean rank score with linearised SEs. Also the probability of superiority
    P(Y_b > Y_a) + ½ P(Y_b = Y_a) (weighted, 0.5 = no shift).

    Hand-written because no library in the project's dependencies has it: scipy's ``mannwhitneyu`` and
    ``ranksums`` take no sampling weights and no design-based (linearised) variance."""
    y_a, y_b = np.asarray(y_a, float), np.asarray(y_b, float)
    w_a, w_b = np.asarray(w_a, float), np.asarray(w_b, float)
    ka, kb = ~np.isnan(y_a), ~np.isnan(y_b)
    y = np.concatenate([y_a[ka], y_b[kb]])
    w = np.concatenate([w_a[ka], w_b[kb]])
    if len(y) < 4 or ka.sum() < 2 or kb.sum() < 2:
        return {"diff": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                "p_value": math.nan, "prob_superiority": math.nan}
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cum = np.cumsum(ws) - ws / 2
    ranks_sorted = pd.Series(cum).groupby(ys).transform("mean").to_numpy()
    ranks = np.empty_like(ranks_sorted)
    ranks[order] = ranks_sorted
    score = ranks / w.sum()
    ra = np.full(len(y_a), np.nan)
    ra[ka] = score[: ka.sum()]
    rb = np.full(len(y_b), np.nan)
    rb[kb] = score[ka.sum():]
    ea, eb = weighted_mean(ra, w_a, level), weighted_mean(rb, w_b, level)
    d = difference(ea, eb, level)
    # probability of superiority via the baseline distribution (ridit of b relative to a)
    va, wa = y_a[ka], w_a[ka] / w_a[ka].sum()
    ridit = np.array([wa[va < v].sum() + 0.5 * wa[va == v].sum() for v in y_b[kb]])
    ps = float(np.sum(w_b[kb] * ridit) / w_b[kb].sum())
    return {"diff": d.diff, "se": d.se, "ci_low": d.ci_low, "ci_high": d.ci_high,
            "p_value": d.p_value, "prob_superiority": ps}


def cohens_h(p_new: float, p_old: float) -> float:
    """Cohen's h for two proportions (fractions), via statsmodels."""
    from statsmodels.stats.proportion import proportion_effectsize

    if any(math.isnan(x) for x in (p_new, p_old)):
        return math.nan
    return float(proportion_effectsize(p_new, p_old))


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels ``multipletests(method="holm")``, passed explicitly:
    the default "hs" is Holm-Šidák). NaN p-values are left out and stay NaN."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], alpha=0.05, method="holm")[1]
    return out
