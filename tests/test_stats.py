"""helhedsplan_eval.analysis.stats: Wilson and exact Poisson intervals come from statsmodels; they agree with the
closed-form formulas the package used to hand-write (kept here as the reference) to 1e-9, and with textbook
values."""

from __future__ import annotations

import math

import pytest
from pytest import approx
from scipy import stats as st

from helhedsplan_eval.analysis import stats

LEVELS = (0.80, 0.90, 0.95, 0.99)


def wilson_closed_form(k, n, level=0.95):
    """Wilson (1927) score interval, written out (the package's former hand-written code)."""
    z = float(st.norm.ppf(1 - (1 - level) / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def garwood_closed_form(count, level=0.95):
    """Exact (Garwood 1936) Poisson interval from chi-square quantiles (the former hand-written code)."""
    a = 1 - level
    lo = 0.0 if count == 0 else st.chi2.ppf(a / 2, 2 * count) / 2
    return lo, st.chi2.ppf(1 - a / 2, 2 * count + 2) / 2


WILSON_CASES = [(0, 1), (1, 1), (0, 20), (1, 29), (3, 7), (15, 148), (81, 263), (50, 100), (99, 100),
                (1000, 1000), (2.5, 7.3), (12345, 54321)]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("k,n", WILSON_CASES)
def test_wilson_from_statsmodels_agrees_with_the_closed_form(k, n, level):
    assert stats.wilson_interval(k, n, level) == approx(wilson_closed_form(k, n, level), abs=1e-9, rel=0)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 6, 10, 20.5, 47.5, 100, 1000, 12345])
def test_exact_poisson_from_statsmodels_agrees_with_the_closed_form(count, level):
    lo, hi = stats.poisson_interval(count, level)
    ref_lo, ref_hi = garwood_closed_form(count, level)
    assert lo == approx(ref_lo, abs=1e-9, rel=1e-12) and hi == approx(ref_hi, abs=1e-9, rel=1e-12)


def test_textbook_values():
    # Wilson: Newcombe (1998), table I; Garwood: the classic table (0 -> 3.689, 1 -> 0.0253-5.572, 10 -> 4.795-18.39)
    assert stats.wilson_interval(81, 263) == approx((0.2553, 0.3662), abs=5e-5)
    assert stats.wilson_interval(0, 20) == approx((0.0, 0.1611), abs=5e-5)
    assert stats.poisson_interval(0) == approx((0.0, 3.6889), abs=5e-5)
    assert stats.poisson_interval(1) == approx((0.0253, 5.5716), abs=5e-5)
    assert stats.poisson_interval(10) == approx((4.7954, 18.3904), abs=5e-5)


def test_bounds_and_edge_cases():
    lo, hi = stats.wilson_interval(0, 5)
    assert lo == 0.0 and 0 < hi < 1
    lo, hi = stats.wilson_interval(5, 5)
    assert 0 < lo < 1 and hi == 1.0
    for bad in (0, None, -1):
        assert all(math.isnan(v) for v in stats.wilson_interval(0, bad))
    for bad in (None, -1, math.nan):
        assert all(math.isnan(v) for v in stats.poisson_interval(bad))
    assert all(isinstance(v, float) for v in stats.wilson_interval(3, 7) + stats.poisson_interval(3))


def test_poisson_mean_interval_divides_the_total_interval():
    # 141 events over 3 years: the interval of the mean is the total's interval / 3
    lo, hi = stats.poisson_mean_interval(141, 3)
    ref_lo, ref_hi = garwood_closed_form(141)
    assert (lo, hi) == approx((ref_lo / 3, ref_hi / 3), abs=1e-9)
    assert lo < 47 < hi


@pytest.mark.parametrize("level", LEVELS)
def test_the_libraries_agree_with_the_closed_forms(level):
    # the evidence for replacing the hand-written code: statsmodels itself, called directly
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.rates import confint_poisson

    for k, n in WILSON_CASES:
        lib = proportion_confint(k, n, alpha=1 - level, method="wilson")
        assert tuple(map(float, lib)) == approx(wilson_closed_form(k, n, level), abs=1e-9, rel=0)
    for count in (0, 1, 5, 47.5, 1000):
        lib = confint_poisson(count, 1, method="exact-c", alpha=1 - level)
        assert tuple(map(float, lib)) == approx(garwood_closed_form(count, level), abs=1e-9, rel=1e-12)


def test_cached_intervals_are_the_computed_ones():
    """Issue 13: the intervals are memoised (the status engine asks for the same numbers every year); a cached
    answer is the computed one, and an int and a float count are kept apart (typed cache)."""
    stats.wilson_interval.cache_clear()
    first = stats.wilson_interval(15, 148)
    assert stats.wilson_interval(15, 148) == first == approx(wilson_closed_form(15, 148), abs=1e-9)
    assert stats.wilson_interval(15.0, 148.0) == approx(first, abs=1e-12)
    assert stats.wilson_interval.cache_info().hits == 1
    assert stats.poisson_interval(4) == approx(garwood_closed_form(4), abs=1e-9)
    lo, hi = stats.poisson_interval(float("nan"))
    assert math.isnan(lo) and math.isnan(hi)
