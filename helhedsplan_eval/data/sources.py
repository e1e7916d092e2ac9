"""The data contract's sources, as the plan declares them: one file per source, in the rawest form the source
actually delivers.

The sources are data, not code: ``sources.yml`` in the plan folder (``params/sources.yml``) declares each one with
its kind of record, its columns (type, whether required, allowed values or range, unit, meaning, privacy class), its
unique key, references to other sources and the criteria it feeds; :mod:`.declared` reads and checks it. This
module holds the loaded declarations (:data:`SOURCES`, the years a date may have, the activity codes from
``plan.yml``). ``data/README.md`` is generated from them (``helhedsplan-eval contract``), so the documentation
cannot drift from what the validator checks.
"""

from __future__ import annotations

from helhedsplan_eval.data.declared import Declarations, SourcesError, load_declarations
from helhedsplan_eval.data.source_types import Col, Source, _yes_no  # noqa: F401  (re-exported)
from helhedsplan_eval.paths import params_dir

#: the declared sources, in the order of sources.yml (filled in place by :func:`use_declarations`)
SOURCES: dict[str, Source] = {}
#: activity code -> Danish name (plan.yml's activities and the extra codes sources.yml allows)
ACTIVITY_CODES: dict[str, str] = {}
#: dates must lie within these years (sources.yml first_year: the baseline; plan.yml: the plan's last year)
FIRST_YEAR = 0
LAST_YEAR = 0
#: the plan's years (plan.yml plan.period)
PLAN_YEARS: tuple[int, ...] = ()
#: the problems of sources.yml when it could not be loaded (reported by :func:`check_declarations`)
SOURCE_PROBLEMS: list[str] = []


def use_declarations(decl: Declarations) -> None:
    """Make ``decl`` the project's sources (in place: every module sees the same dict)."""
    global FIRST_YEAR, LAST_YEAR, PLAN_YEARS
    SOURCES.clear()
    SOURCES.update(decl.sources)
    ACTIVITY_CODES.clear()
    ACTIVITY_CODES.update(decl.labels.get("activities", {}))
    FIRST_YEAR, LAST_YEAR, PLAN_YEARS = decl.first_year, decl.last_year, decl.plan_years
    SOURCE_PROBLEMS.clear()


def load_plan_sources(directory=None) -> None:
    """Load the sources of the plan folder ``directory`` (default: the project's params/); problems are kept for
    :func:`check_declarations` instead of raised, so that importing the package never fails."""
    try:
        use_declarations(load_declarations(directory or params_dir()))
    except SourcesError as exc:
        SOURCES.clear()
        SOURCE_PROBLEMS[:] = exc.problems


def check_declarations() -> None:
    """Raise :class:`SourcesError` if the plan's sources.yml could not be loaded."""
    if SOURCE_PROBLEMS:
        raise SourcesError(list(SOURCE_PROBLEMS))


def feeds_index() -> dict[str, list[str]]:
    """criterion id -> the sources that feed it."""
    out: dict[str, list[str]] = {}
    for s in SOURCES.values():
        for c in s.feeds:
            out.setdefault(c, []).append(s.name)
    return out


load_plan_sources()
