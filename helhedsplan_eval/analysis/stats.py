"""Statistical intervals, from libraries: Wilson score intervals for shares (statsmodels
``proportion_confint(method="wilson")``) and exact (Garwood) Poisson intervals for counts (statsmodels
``confint_poisson(method="exact-c")``). tests/test_stats.py shows that both agree with the closed-form formulas
the package used to hand-write to 1e-9, and with textbook values.

Hand-written statistics remain only where no library in the project's dependencies provides them, each with the
reason in its docstring: the calibration (rake-adjusted) standard error and the design-based rank test
(:func:`survey.rake_adjusted_se`, :func:`survey.rank_test`) and the Jacobson-Truax reliable change index
(:func:`fit.rci_points`).
"""

from __future__ import annotations

import math
from functools import lru_cache


@lru_cache(maxsize=4096, typed=True)  # pure: the status engine asks for the same numbers every year
def wilson_interval(k: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k successes out of n, as fractions (0-1); (nan, nan) when n is 0 or missing."""
    if n is None or n <= 0:
        return (math.nan, math.nan)
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
    return (float(max(0.0, lo)), float(min(1.0, hi)))


@lru_cache(maxsize=4096, typed=True)
def poisson_interval(count: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count; (nan, nan) for a missing or negative count."""
    if count is None or count < 0 or math.isnan(count):
        return (math.nan, math.nan)
    from statsmodels.stats.rates import confint_poisson

    lo, hi = confint_poisson(count, 1, method="exact-c", alpha=1 - level)
    return (0.0 if count == 0 else float(lo), float(hi))


def poisson_mean_interval(total: float, n_periods: int, level: float = 0.95) -> tuple[float, float]:
    """Exact interval for the mean rate per period given a total count over n_periods periods."""
    lo, hi = poisson_interval(total, level)
    return (lo / n_periods, hi / n_periods)
