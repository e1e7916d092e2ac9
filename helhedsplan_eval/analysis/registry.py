"""Registry of indicator functions.

An indicator function takes a :class:`~helhedsplan_eval.data.bundle.DataBundle` and the list of
years to compute, and returns an :class:`~helhedsplan_eval.analysis.status.IndicatorSeries`. Criteria in
``params/criteria.yml`` name their indicator by the id registered here.

The registry imports nothing of the package and knows nothing of its users: a module registers its functions
with :func:`indicator` when it is imported. :mod:`helhedsplan_eval.analysis.all_indicators` is the one place that
imports every registering module (``all_indicators.load_all()`` returns the full registry).
"""

from __future__ import annotations

from typing import Callable

INDICATORS: dict[str, Callable] = {}
INDICATOR_SOURCES: dict[str, tuple[str, ...]] = {}


def indicator(name: str, sources: tuple[str, ...] = ()):
    """Register ``func`` as indicator ``name``; ``sources`` are the data-contract sources it reads."""

    def deco(func):
        if name in INDICATORS:
            raise ValueError(f"indicator {name!r} registered twice")
        INDICATORS[name] = func
        INDICATOR_SOURCES[name] = tuple(sources)
        return func

    return deco
