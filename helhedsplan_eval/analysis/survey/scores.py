"""Items, the fællesskab index and reliability: scored items (reversed where declared, "ved ikke"
as missing), the 0-100 index per respondent, Cronbach's alpha and corrected item-total correlations.

One reason to change: how answers become scores.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as st

from helhedsplan_eval.analysis.survey.config import SurveyConfig


def scored_items(df: pd.DataFrame, cfg: SurveyConfig, reverse: bool = True) -> pd.DataFrame:
    """Items as 1-5 floats, "ved ikke" and not answered as NaN, reversed items as 6 - x."""
    x = df[cfg.items].to_numpy(dtype=float, copy=True)
    x[x == cfg.dont_know] = np.nan
    if reverse:
        top = int(cfg.raw["scale"]["min"]) + int(cfg.raw["scale"]["max"])
        for j, item in enumerate(cfg.items):
            if cfg.is_reversed(item):
                x[:, j] = top - x[:, j]
    return pd.DataFrame(x, index=df.index, columns=pd.Index(cfg.items))


def index_scores(df: pd.DataFrame, cfg: SurveyConfig, scored: pd.DataFrame | None = None) -> pd.Series:
    """The 0-100 fællesskab index per respondent (NaN with fewer than ``min_answered`` items).
    ``scored``: :func:`scored_items` of ``df`` when already at hand."""
    x = (scored_items(df, cfg) if scored is None else scored)[cfg.index_items].to_numpy(float)
    lo, hi = int(cfg.raw["scale"]["min"]), int(cfg.raw["scale"]["max"])
    a, b = cfg.raw["index"].get("rescale", [0, 100])
    answered = (~np.isnan(x)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(answered >= cfg.min_answered, np.where(np.isnan(x), 0.0, x).sum(axis=1) / answered, np.nan)
    return pd.Series((m - lo) / (hi - lo) * (b - a) + a, index=df.index)


def cronbach_alpha(items: pd.DataFrame, nan_policy: str = "pairwise", ci: float = 0.95
                   ) -> tuple[float, tuple[float, float], int]:
    """Cronbach's alpha ``k/(k-1) (1 - trace(C)/sum(C))`` with Feldt's CI, unweighted.

    ``nan_policy="pairwise"`` uses the pairwise-complete covariance matrix (as pingouin's default),
    ``"listwise"`` only complete rows. Returns (alpha, (lo, hi), n)."""
    data = items.astype(float).dropna(how="all")
    if nan_policy == "listwise":
        data = data.dropna()
    elif nan_policy != "pairwise":
        raise ValueError("nan_policy must be 'pairwise' or 'listwise'")
    n, k = data.shape
    if k < 2 or n < 3:
        return math.nan, (math.nan, math.nan), n
    c = data.cov()
    total = float(c.to_numpy().sum())
    if not np.isfinite(total) or total <= 0:
        return math.nan, (math.nan, math.nan), n
    alpha = k / (k - 1) * (1 - float(np.trace(c.to_numpy())) / total)
    df1 = n - 1
    df2 = df1 * (k - 1)
    a = 1 - ci
    lo = 1 - (1 - alpha) * st.f.isf(a / 2, df1, df2)
    hi = 1 - (1 - alpha) * st.f.isf(1 - a / 2, df1, df2)
    return float(alpha), (float(lo), float(hi)), int(n)


def corrected_item_total(items: pd.DataFrame) -> pd.Series:
    """Corrected item-total correlation (item against the sum of the other items)."""
    x = items.astype(float)
    out = {}
    for c in x.columns:
        rest = x.drop(columns=c).mean(axis=1) * (x.shape[1] - 1)
        out[c] = x[c].corr(rest)
    return pd.Series(out)
