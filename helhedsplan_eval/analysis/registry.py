"""Registry of indicator functions.

An indicator function takes a :class:`~helhedsplan_eval.data.bundle.DataBundle` and the list of
years to compute, and returns an :class:`~helhedsplan_eval.analysis.status.IndicatorSeries`. Criteria in
``params/criteria.yml`` name their indicator by the id registered here.
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


def load_all() -> dict[str, Callable]:
    """Import every module that registers indicators and return the registry."""
    from helhedsplan_eval.analysis import indicators  # noqa: F401  (registers the core indicators)

    for mod in ("fit", "survey"):
        try:
            __import__(f"{__package__}.{mod}")
        except ModuleNotFoundError as exc:  # module not written yet
            if exc.name != f"{__package__}.{mod}":
                raise
    return INDICATORS
