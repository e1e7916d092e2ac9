"""Every module that registers indicators, imported in one place.

The registry (:mod:`.registry`) knows nothing of its users: a module registers its indicator functions with the
``@indicator`` decorator when it is imported. This module is the one list of those modules (the core indicators,
the FIT analysis and the community survey), so that whoever needs the whole registry (the status table, the
catalogue's check of indicator names, the researcher API) imports it from here; a new family of indicators is
added to the imports below. Importing this module costs the imports of all three; callers import it lazily.
"""

from __future__ import annotations

from typing import Callable

from helhedsplan_eval.analysis import fit, indicators, survey  # noqa: F401  (each registers its indicators)
from helhedsplan_eval.analysis.registry import INDICATORS

REGISTERING_MODULES = (indicators, fit, survey)


def load_all() -> dict[str, Callable]:
    """The registry with every indicator registered (the modules above are imported with this module)."""
    return INDICATORS
