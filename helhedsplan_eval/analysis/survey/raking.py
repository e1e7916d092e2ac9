"""Raking (iterative proportional fitting) of one sample to population margins, optionally
within weight bounds (truncated raking), and Kish's effective sample size.

One reason to change: the raking algorithm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helhedsplan_eval.analysis.survey.config import SurveyDataError


@dataclass
class RakeResult:
    """Raking weights and how they were reached.

    ``converged``: every margin is met within the tolerance. ``bounds_bound``: the plain raking
    solution broke a weight bound, so the weights were trimmed and re-raked (truncated raking);
    ``bounds_met``: the returned weights lie within the bounds. ``problems`` are Danish clauses
    saying why a comparison built on these weights cannot be judged reliably."""

    weights: np.ndarray
    converged: bool
    iterations: int
    max_rel_error: float
    n_at_bound: int = 0
    notes: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    bounds_bound: bool = False
    bounds_met: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(len(self.weights))

    @property
    def n_eff(self) -> float:
        return kish_n_eff(self.weights)

    @property
    def deff(self) -> float:
        return self.n / self.n_eff if self.n_eff > 0 else math.nan

    @property
    def max_weight_share(self) -> float:
        """The largest share of the wave's total weight carried by one respondent."""
        s = float(np.sum(self.weights))
        return float(np.max(self.weights)) / s if self.n and s > 0 else math.nan


def kish_n_eff(w) -> float:
    """Kish's effective sample size (Σw)² / Σw²."""
    w = np.asarray(w, dtype=float)
    s2 = float(np.sum(w * w))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else math.nan


def _bounded_factor(g: np.ndarray, target: float, lo: float, hi: float) -> tuple[float, bool]:
    """The factor f with Σ clip(g·f, lo, hi) = target (g > 0), solved exactly.

    The left side is continuous, non-decreasing and piecewise linear in f with breakpoints lo/g
    and hi/g; the breakpoint bracket is found by sorting and the piece is solved linearly.
    Returns (f, feasible); when ``target`` lies outside [m·lo, m·hi] every weight goes to the
    nearer bound and feasible is False."""
    m = len(g)
    if target <= m * lo:
        return lo / float(np.max(g)), target >= m * lo * (1 - 1e-12)
    if target >= m * hi:
        return hi / float(np.min(g)), target <= m * hi * (1 + 1e-12)
    a, b = lo / g, hi / g
    oa, ob = np.argsort(a), np.argsort(b)
    a_s, b_s = a[oa], b[ob]
    cum_a = np.concatenate([[0.0], np.cumsum(g[oa])])
    cum_b = np.concatenate([[0.0], np.cumsum(g[ob])])

    def pieces(f):
        n_a = np.searchsorted(a_s, f, side="left")    # a_i < f: not held at the lower bound
        n_b = np.searchsorted(b_s, f, side="right")   # b_i <= f: held at the upper bound
        return n_a, n_b, cum_a[n_a] - cum_b[n_b]

    bp = np.unique(np.concatenate([a_s, b_s]))
    n_a, n_b, free = pieces(bp)
    h = lo * (m - n_a) + hi * n_b + bp * free
    j = int(np.searchsorted(h, target, side="left"))
    if j < len(bp) and h[j] == target:
        return float(bp[j]), True
    mid = 0.5 * (bp[j - 1] + bp[j])
    n_a, n_b, free = pieces(np.array([mid]))
    rest = target - lo * (m - n_a[0]) - hi * n_b[0]
    return float(rest / free[0]), True


def _ipf(groups, g: np.ndarray, bounds, tol: float, max_iter: int):
    """Iterative proportional fitting of ``g`` to the margins in ``groups`` (a list of
    (category codes, population per category)). With ``bounds`` = (lo, hi) in weight units each
    category step solves Σ clip(g·f, lo, hi) = population exactly (truncated raking, Deville &
    Särndal 1992): a weight held at a bound stays there only as long as the margins need it.
    Returns (weights, converged, iterations, max relative margin error)."""
    g = g.astype(float).copy()
    lo, hi = bounds if bounds else (None, None)
    members = [[np.flatnonzero(c == k) for k in range(len(pop))] for c, pop in groups]

    def weights():
        return g if lo is None else np.clip(g, lo, hi)

    def error(w):
        return max(float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(pop)) - pop) / pop))
                   for c, pop in groups)

    err, it = error(weights()), 0
    if err < tol:
        return weights(), True, 0, err
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for it in range(1, max_iter + 1):
            for (c, pop), mem in zip(groups, members):
                if lo is None:
                    sums = np.bincount(c, weights=g, minlength=len(pop))
                    g = g * (pop / sums)[c]
                else:
                    for k, idx in enumerate(mem):
                        f, _ = _bounded_factor(g[idx], float(pop[k]), lo, hi)
                        g[idx] *= f
                    # when the bounds make a margin unreachable the held-back weights drift without
                    # limit; keep them finite (far outside the bounds this changes no weight)
                    g = np.clip(g, lo * 1e-9, hi * 1e9)
            if not np.all(np.isfinite(g)):
                break
            err = error(weights())
            if err < tol:
                break
    w = weights()
    ok = bool(np.all(np.isfinite(w))) and err < tol
    return w, ok, it, err


def rake(sample: pd.DataFrame, margins: dict[str, dict], *, base_weights=None,
         bounds: tuple[float, float] | None = None, tol: float = 1e-8, max_iter: int = 1000) -> RakeResult:
    """Iterative proportional fitting of weights to population margins (R ``rake``).

    ``margins`` maps a column of ``sample`` to ``{category: population count}``; every category
    in the sample needs a population count > 0 and every category with a population count needs
    respondents (:func:`plan_weighting` sees to both).

    ``bounds`` = (lo, hi) keeps each weight within lo..hi times the mean weight N/n. The margins
    are raked to convergence first; when that solution lies within the bounds it is returned
    unchanged (``bounds_bound=False``), so bounded and unbounded raking agree whenever the
    bounds do not bind. Only when a weight really breaks a bound are the weights trimmed and
    re-raked, iterated to convergence (truncated raking, :func:`_ipf`), and ``bounds_bound`` is
    True. If the bounds and the margins cannot both be met, the result has ``converged=False``."""
    n = len(sample)
    w0 = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    groups = []
    for var, pop in margins.items():
        cats = pd.Index([str(k) for k in pop.keys()])
        c = cats.get_indexer(sample[var].astype(str))
        if (c < 0).any():
            raise SurveyDataError(f"raking: category {sample[var].iloc[int(np.argmax(c < 0))]!r} of "
                                  f"{var!r} has no population count")
        groups.append((c, np.array([float(v) for v in pop.values()])))
    if not groups or n == 0:
        return RakeResult(weights=w0, converged=True, iterations=0, max_rel_error=0.0, variables=[])
    w, ok, it, err = _ipf(groups, w0, None, tol, max_iter)
    res = RakeResult(weights=w, converged=ok, iterations=it, max_rel_error=err, variables=list(margins))
    if not bounds:
        return res
    total = float(groups[0][1].sum())
    lo, hi = bounds[0] * total / n, bounds[1] * total / n
    if ok and float(np.min(w)) >= lo and float(np.max(w)) <= hi:
        return res
    wb, okb, itb, errb = _ipf(groups, w, (lo, hi), tol, max_iter)
    at_bound = int(np.sum((wb <= lo * (1 + 1e-12)) | (wb >= hi * (1 - 1e-12))))
    return RakeResult(weights=wb, converged=okb, iterations=it + itb, max_rel_error=errb, n_at_bound=at_bound,
                      variables=list(margins), bounds_bound=True, bounds_met=True)
