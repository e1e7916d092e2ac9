"""The building blocks every synthetic-sample generator shares: the seed, the years, random streams, dates, ids.

Each generator draws from its own stream (``_rng(seed, stream)``), so that changing one table never changes
another; the draws of a stream happen in a fixed order, which keeps ``data/sample`` byte for byte reproducible.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

SEED = 20170101
YEARS = (2017, 2018, 2019, 2020)


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _date(rng, year: int, month_lo: int = 1, month_hi: int = 12) -> dt.date:
    m = int(rng.integers(month_lo, month_hi + 1))
    d = int(rng.integers(1, 29))
    return dt.date(year, m, d)


def _spread_dates(rng, year: int, n: int, months=(1, 12)) -> list[dt.date]:
    return sorted(_date(rng, year, *months) for _ in range(n))


class _Ids:
    def __init__(self, prefix: str, width: int = 5):
        self.prefix, self.width, self.n = prefix, width, 0

    def new(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:0{self.width}d}"


def _share_rows(rng, n, k):
    flags = np.array([True] * k + [False] * (n - k))
    rng.shuffle(flags)
    return flags
