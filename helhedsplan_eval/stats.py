"""Small statistical helpers: Wilson score intervals for shares, exact Poisson intervals for counts.

Both are standard and cross-checked in tests against statsmodels
(``proportion_confint(method='wilson')``) and textbook values (Garwood 1936).
"""

from __future__ import annotations

import math

from scipy import stats as _st


def wilson_interval(k: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k successes out of n, as fractions (0-1).

    Returns (nan, nan) when n == 0."""
    if n is None or n <= 0:
        return (math.nan, math.nan)
    z = float(_st.norm.ppf(1 - (1 - level) / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def poisson_interval(count: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count, from the chi-square distribution."""
    if count is None or count < 0 or math.isnan(count):
        return (math.nan, math.nan)
    a = 1 - level
    lo = 0.0 if count == 0 else _st.chi2.ppf(a / 2, 2 * count) / 2
    hi = _st.chi2.ppf(1 - a / 2, 2 * count + 2) / 2
    return (float(lo), float(hi))


def poisson_mean_interval(total: float, n_periods: int, level: float = 0.95) -> tuple[float, float]:
    """Exact interval for the mean rate per period given a total count over n_periods periods."""
    lo, hi = poisson_interval(total, level)
    return (lo / n_periods, hi / n_periods)
