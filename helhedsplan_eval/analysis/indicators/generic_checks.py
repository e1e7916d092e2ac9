"""The catalogue's check of a generic indicator's arguments (:mod:`.generic`) against the data contract.

Every name an argument gives must exist in the contract, with a type that suits its use, and every filter value
must be one the source lets through (else the filter would select nothing and the count be a silent 0). The
problems are Danish and name the argument, the value and what is allowed; the caller adds the criterion.
"""

from __future__ import annotations

from helhedsplan_eval.analysis.indicators.arguments import allowed_values, filter_values, listed, value_problem
from helhedsplan_eval.data.sources import SOURCES, Source

# argument -> the column types it accepts, and what it is for (Danish, for the message)
COLUMN_ARGS = {
    "date": (("date", "int"), "en dato- eller årskolonne"),
    "start": (("date",), "en datokolonne"),
    "end": (("date",), "en datokolonne"),
    "column": (("int", "float"), "en talkolonne"),
    "by": (("str",), "en tekstkolonne med enheder (fx afdeling)"),
}
FILTER_ARGS = ("filters", "numerator", "denominator")


def _int_problem(key: str, v, low: int) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool) and v >= low:
        return None
    return f"indicator_args.{key} er {v!r}, men skal være et helt tal ≥ {low}"


def _column_problems(src: Source, args: dict) -> list[str]:
    out = []
    names = [c.name for c in src.columns]
    for key, (types, what) in COLUMN_ARGS.items():
        name = args.get(key)
        if name is None:
            continue
        if name not in names:
            out.append(f"indicator_args.{key} er {name!r}, men kilden {src.name} har ingen sådan kolonne "
                       f"(kolonner: {', '.join(names)})")
        elif src.col(name).type not in types:
            out.append(f"indicator_args.{key} er {name!r}, men skal være {what} i kilden {src.name}")
    person = args.get("person")
    if person is not None and person not in src.id_columns:
        out.append(f"indicator_args.person er {person!r}, men skal være en af kildens pseudonyme id-kolonner "
                   f"({', '.join(src.id_columns) or 'kilden har ingen'})")
    if "date" not in args and "start" not in args and not (src.date_column or src.year_column):
        out.append(f"kilden {src.name} har ingen dato- eller årskolonne; angiv indicator_args.date")
    return out


def _filter_problems(src: Source, key: str, filters, measures) -> list[str]:
    if filters is None:
        return []
    if not isinstance(filters, dict):
        return [f"indicator_args.{key} skal være en mapping kolonne: værdi (eller liste af værdier), "
                "fx {activity: jobcafe}"]
    out = []
    names = [c.name for c in src.columns]
    for col, value in filters.items():
        if col not in names:
            out.append(f"indicator_args.{key}.{col}: kilden {src.name} har ingen kolonne {col!r} "
                       f"(kolonner: {', '.join(names)})")
            continue
        c = src.col(col)
        if c.pseudonym:
            out.append(f"indicator_args.{key}.{col}: der kan ikke filtreres på en pseudonym id-kolonne")
            continue
        allowed = allowed_values(src.name, col, measures)
        for v in filter_values(value):
            why = value_problem(c, v, allowed)
            if why:
                out.append(f"indicator_args.{key}.{col} er {listed([v])}, men kilden {src.name} tillader den ikke "
                           f"({why}); ingen registrering ville blive valgt (tallet ville altid være 0)")
    return out


def check_generic(args: dict, measures=None) -> list[str]:
    """Problems of a generic indicator's arguments (source, columns, filters, numbers)."""
    name = args.get("source")
    if name is None:  # reported by the catalogue's check of the indicator's required arguments
        return []
    src = SOURCES.get(name) if isinstance(name, str) else None
    if src is None:
        return [f"indicator_args.source er {name!r}, men skal være en af datakontraktens kilder "
                f"({', '.join(SOURCES)})"]
    out = _column_problems(src, args)
    for key in FILTER_ARGS:
        out += _filter_problems(src, key, args.get(key), measures)
    for key, low in (("more_than", 0), ("min_days", 1), ("min_months", 1), ("since", 1900)):
        if key in args:
            p = _int_problem(key, args[key], low)
            if p:
                out.append(p)
    for key in ("share", "cumulative"):
        if key in args and not isinstance(args[key], bool):
            out.append(f"indicator_args.{key} er {args[key]!r}, men skal være true eller false")
    if "start" in args and ("min_days" in args) == ("min_months" in args):
        out.append("angiv præcis én af indicator_args.min_days og indicator_args.min_months")
    return out
