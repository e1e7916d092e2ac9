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
    ridit = _ridits(y_a[ka], w_a[ka] / w_a[ka].sum(), y_b[kb])
    ps = float(np.sum(w_b[kb] * ridit) / w_b[kb].sum())
    return {"diff": d.diff, "se": d.se, "ci_low": d.ci_low, "ci_high": d.ci_high,
            "p_value": d.p_value, "prob_superiority": ps}


def cohens_h(p_new: float, p_old: float) -> float:
    """Cohen's h for two proportions (fractions), via statsmodels."""
    from statsmodels.stats.proportion import proportion_effectsize

    if any(math.isnan(x) for x in (p_new, p_old)):
        return math.nan
    return float(proportion_effectsize(p_new, p_old))


def _ridits(va: np.ndarray, wa: np.ndarray, vb: np.ndarray) -> np.ndarray:
    """For each value of ``vb``: the weight share of ``va`` below it plus half the share equal to it
    (``wa`` sums to 1), from the sorted values and cumulative weights (n log n, not n_a × n_b)."""
    order = np.argsort(va, kind="stable")
    vs = va[order]
    cum = np.concatenate([[0.0], np.cumsum(wa[order])])
    below = cum[np.searchsorted(vs, vb, side="left")]
    upto = cum[np.searchsorted(vs, vb, side="right")]
    return below + 0.5 * (upto - below)


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values (Holm's step-down, not the Holm-Šidák that statsmodels ``multipletests``
    uses by default): sorted ascending, the i-th smallest (i = 0, 1, …) times m - i, a running
    maximum, capped at 1; NaN p-values are left out of the family and stay NaN.

    Computed directly with numpy, the same operations as ``multipletests(p, method="holm")[1]`` (a
    test checks they agree), because statsmodels runs ``gc.collect()`` on every Holm call (~0,1 s)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        q = p[ok]
        order = np.argsort(q)
        adjusted = np.maximum.accumulate(q[order] * np.arange(len(q), 0, -1))
        adjusted[adjusted > 1] = 1
        res = np.empty_like(adjusted)
        res[order] = adjusted
        out[ok] = res
    return out
