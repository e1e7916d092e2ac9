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
# argument -> (source, column) whose allowed values the argument's value(s) must be among (issue 20: an activity
# code or measure the contract refuses would otherwise select no records and give a silent 0)
INDICATOR_FILTERS: dict[str, dict[str, tuple[str, str]]] = {}
# a function (args, register measure ids) -> problems, for indicators whose arguments name sources and columns
INDICATOR_CHECKS: dict[str, Callable] = {}


def indicator(name: str, sources: tuple[str, ...] = (), filters: dict[str, tuple[str, str]] | None = None,
              check: Callable | None = None):
    """Register ``func`` as indicator ``name``; ``sources`` are the data-contract sources it reads; ``filters``
    the arguments that select records by a column's value, and ``check`` a check of the arguments (both read by
    the catalogue when it loads: :mod:`helhedsplan_eval.analysis.indicators.arguments`)."""

    def deco(func):
        if name in INDICATORS:
            raise ValueError(f"indicator {name!r} registered twice")
        INDICATORS[name] = func
        INDICATOR_SOURCES[name] = tuple(sources)
        if filters:
            INDICATOR_FILTERS[name] = dict(filters)
        if check is not None:
            INDICATOR_CHECKS[name] = check
        return func

    return deco


def sources_of(name: str, args: dict | None = None) -> tuple[str, ...]:
    """The data-contract sources an indicator reads: those it was registered with, and for a generic indicator
    (issue 20) the ``source`` its arguments name."""
    srcs = tuple(INDICATOR_SOURCES.get(name, ()))
    src = (args or {}).get("source")
    return srcs + ((src,) if isinstance(src, str) and src not in srcs else ())
