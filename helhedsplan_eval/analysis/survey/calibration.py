"""The rake-adjusted (calibration) standard error, hand-written (see :func:`rake_adjusted_se` for why).

The raking design of a wave (the dummies of every raking margin) is reduced once, to its raking cells
and an orthonormal basis over them (:class:`Calibration`); every estimate of the wave then projects its
influence values off the margins with a sum per cell instead of a least-squares fit on n rows each.

One reason to change: how the raking enters the standard error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Calibration:
    """The raking design of one wave's respondents, reduced for projecting influence values off the
    margins' dummies (the least-squares residual of :func:`_calibration_influence`).

    The dummy matrix X (n × p, every category of every margin) has one distinct row per raking cell
    (a combination of categories), so with ``cell`` the cell of each respondent, C the cells' dummy
    rows and D their respondent counts, X = S·C and XᵀX = Cᵀ·D·C. The thin SVD of D^½·C = U·Σ·Vᵀ
    (cells × p: tiny) has X's singular values, and the columns of S·D^-½·U are an orthonormal basis of
    X's column space. Columns are kept with the rank cut-off of ``numpy.linalg.lstsq``
    (σ > σ_max·eps·max(n, p)), so the residual equals lstsq's; ``cell_basis`` is D^-½·U for them.
    Behaves like the groups frame where :func:`weighted_mean` asks for ``shape`` and ``columns``."""

    variables: tuple[str, ...]
    cell: np.ndarray          # the raking cell of each respondent (0 … cells - 1)
    cell_basis: np.ndarray    # cells × rank

    @classmethod
    def from_groups(cls, groups: pd.DataFrame) -> Calibration:
        """From the raking category of each respondent, one column per margin."""
        names = tuple(str(c) for c in groups.columns)
        n = len(groups)
        if not names or n == 0:
            return cls(names, np.zeros(n, dtype=np.intp), np.zeros((0, 0)))
        codes = [pd.factorize(groups[c].astype(str))[0] for c in groups.columns]
        key = np.zeros(n, dtype=np.int64)
        for c in codes:
            key = key * (int(c.max()) + 1) + c
        cell, _ = pd.factorize(key)
        counts = np.bincount(cell).astype(float)
        first = np.unique(cell, return_index=True)[1]
        dummies = np.column_stack([np.eye(int(c.max()) + 1)[c[first]] for c in codes])   # C: cells × p
        u, s, _ = np.linalg.svd(np.sqrt(counts)[:, None] * dummies, full_matrices=False)
        rank = int(np.sum(s > s[0] * np.finfo(float).eps * max(n, dummies.shape[1])))
        return cls(names, cell, u[:, :rank] / np.sqrt(counts)[:, None])

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.cell), len(self.variables))

    @property
    def columns(self) -> list[str]:
        return list(self.variables)

    def residual(self, z: np.ndarray) -> np.ndarray:
        """``z`` minus its least-squares fit on the margins' dummies: z - Q·Qᵀ·z with Q = S·cell_basis."""
        if self.cell_basis.shape[1] == 0:
            return z
        coef = self.cell_basis.T @ np.bincount(self.cell, weights=z, minlength=self.cell_basis.shape[0])
        return z - (self.cell_basis @ coef)[self.cell]


def _calibration_influence(u: np.ndarray, w: np.ndarray, groups: pd.DataFrame | Calibration | None) -> np.ndarray:
    """Influence values adjusted for raking: ``u/w`` is replaced by its residual from an (unweighted,
    base weights 1) least-squares fit on the dummies of every raking margin, then multiplied by
    ``w`` again. This is the limit of R's ``svyrecvar`` for ``rake()`` designs, which centres
    ``x/psw`` within each margin in turn (10 rounds); here the projection is exact. ``groups`` is
    the raking category of each respondent (one column per margin) or its :class:`Calibration`."""
    if groups is None or groups.shape[1] == 0:
        return u
    cal = groups if isinstance(groups, Calibration) else Calibration.from_groups(groups)
    return w * cal.residual(u / w)


def _se_from_influence(u: np.ndarray) -> float:
    n = len(u)
    return math.sqrt(n / (n - 1) * float(np.sum((u - u.mean()) ** 2)))


def rake_adjusted_se(y, w, sample: pd.DataFrame | Calibration, variables: list[str]) -> float:
    """SE of a weighted mean that accounts for raking (calibration SE; R ``rake()`` designs):
    the influence values are projected off the raking margins (:func:`_calibration_influence`).
    Raking makes the weighted margins exact, so the part of ``y`` explained by the margins carries
    no sampling error; the fixed-weight SE ignores that and overstates the spread. This SE drives
    the decision rule. ``sample`` holds the raking variables of the respondents, or is the wave's
    :class:`Calibration` (built once per wave; then ``variables`` must be its variables).

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
    if isinstance(sample, Calibration):
        if list(variables) != sample.columns:
            raise ValueError(f"rake_adjusted_se: variables {list(variables)} are not those of the calibration "
                             f"{sample.columns}")
        groups = sample if variables else None
    else:
        groups = sample[list(variables)].reset_index(drop=True) if variables else None
    return _se_from_influence(_calibration_influence(u, w, groups))
