"""The rake-adjusted (calibration) standard error, hand-written (see :func:`rake_adjusted_se` for why).

One reason to change: how the raking enters the standard error.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _calibration_influence(u: np.ndarray, w: np.ndarray, groups: pd.DataFrame | None) -> np.ndarray:
    """Influence values adjusted for raking: ``u/w`` is replaced by its residual from an (unweighted,
    base weights 1) least-squares fit on the dummies of every raking margin, then multiplied by
    ``w`` again. This is the limit of R's ``svyrecvar`` for ``rake()`` designs, which centres
    ``x/psw`` within each margin in turn (10 rounds); here the projection is exact."""
    if groups is None or groups.shape[1] == 0:
        return u
    cols = [pd.get_dummies(groups[c].astype(str)).to_numpy(float) for c in groups.columns]
    x = np.column_stack(cols)
    z = u / w
    beta, *_ = np.linalg.lstsq(x, z, rcond=None)
    return w * (z - x @ beta)


def _se_from_influence(u: np.ndarray) -> float:
    n = len(u)
    return math.sqrt(n / (n - 1) * float(np.sum((u - u.mean()) ** 2)))


def rake_adjusted_se(y, w, sample: pd.DataFrame, variables: list[str]) -> float:
    """SE of a weighted mean that accounts for raking (calibration SE; R ``rake()`` designs):
    the influence values are projected off the raking margins (:func:`_calibration_influence`).
    Raking makes the weighted margins exact, so the part of ``y`` explained by the margins carries
    no sampling error; the fixed-weight SE ignores that and overstates the spread. This SE drives
    the decision rule.

    Hand-written because no library in the project's dependencies has it: statsmodels and scipy have no
    survey-design variance for calibrated (raked) weights; R's ``survey`` package is the reference it ports."""
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = ~np.isnan(y)
    n = len(y)
    if ok.sum() == 0 or n < 2:
        return math.nan
    m = np.sum(w[ok] * y[ok]) / w[ok].sum()
    u = np.zeros(n)
    u[ok] = w[ok] * (y[ok] - m) / w[ok].sum()
    groups = sample[list(variables)].reset_index(drop=True) if variables else None
    return _se_from_influence(_calibration_influence(u, w, groups))
