"""The catalogue's check of an indicator's arguments against the data contract (issue 20: no silent 0).

An indicator that selects records by a column's value (an activity code, a register measure, who set up a job)
counts 0 when the value is one the contract never lets through: the records that would match are refused by the
validator, or never written. Such an argument is therefore a catalogue error, naming the criterion, the value and
the values the source allows. Two kinds of indicator are checked:

* the indicators registered with ``filters`` (``{argument: (source, column)}``): the argument's value(s), or its
  default where the criterion does not give it (a filter hard-coded as a default is checked too);
* the indicators registered with ``check`` (the generic indicators, :mod:`.generic`): a function that checks the
  source, the columns and the filter values their arguments name.

The register file's measures are the plan's (``register_measures`` in ``plan.yml``): :func:`allowed_values` takes
them from the catalogue being loaded, and the contract's validator from the project's plan
(:func:`helhedsplan_eval.data.contract.with_dynamic_columns`).
"""

from __future__ import annotations

import inspect

from helhedsplan_eval.analysis.registry import INDICATOR_CHECKS, INDICATOR_FILTERS, INDICATORS
from helhedsplan_eval.data.sources import SOURCES, Col

REGISTER_SOURCE = ("register_measures", "measure")


def _show(v) -> str:
    return f"'{v}'" if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)


def listed(values) -> str:
    return ", ".join(_show(a) for a in values)


def filter_values(v) -> list:
    """The values an argument selects: one value, a list of values, or a mapping of readings to lists."""
    if isinstance(v, dict):
        return [x for vs in v.values() for x in filter_values(vs)]
    if isinstance(v, (list, tuple, set)):
        return list(v)
    return [v]


def allowed_values(source: str, column: str, register_measures=None) -> tuple | None:
    """The values the contract lets through in ``source.column`` (None: any value of the column's type)."""
    if (source, column) == REGISTER_SOURCE and register_measures is not None:
        return tuple(register_measures)
    src = SOURCES.get(source)
    if src is None:
        return None
    try:
        return src.col(column).allowed
    except KeyError:
        return None


def is_allowed(v, allowed) -> bool:
    """``v`` is one of ``allowed`` (true is not 1, 'ja' is not true)."""
    return any(v == a and isinstance(v, bool) == isinstance(a, bool) and isinstance(v, str) == isinstance(a, str)
               for a in allowed)


def value_problem(col: Col, v, allowed) -> str | None:
    """What is wrong with selecting ``col == v`` (None: fine): a value outside the allowed values, or of another
    type than the column's."""
    if allowed is not None:
        return None if is_allowed(v, allowed) else f"tilladte værdier: {listed(allowed)}"
    if col.type == "bool":
        return None if isinstance(v, bool) else "kolonnen er ja/nej: skriv true eller false"
    if col.type in ("int", "float"):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        return None if ok else "kolonnen er et tal"
    if col.type == "str":
        return None if isinstance(v, str) and v.strip() else "kolonnen er en tekst"
    return "kolonnen er en dato; filtrér på en kolonne med koder, ja/nej eller tal"


def arg_problems(where: str, name: str, args: dict, register_measures=None) -> list[str]:
    """Problems of a criterion's ``indicator_args`` against the contract (all at once, Danish)."""
    out: list[str] = []
    func = INDICATORS.get(name)
    defaults = {}
    if func is not None:
        try:
            defaults = {p.name: p.default for p in inspect.signature(func).parameters.values()
                        if p.default is not inspect.Parameter.empty}
        except (TypeError, ValueError):
            defaults = {}
    for arg, (source, column) in INDICATOR_FILTERS.get(name, {}).items():
        given = arg in args
        value = args.get(arg, defaults.get(arg))
        if value is None:
            continue
        allowed = allowed_values(source, column, register_measures)
        if allowed is None:
            continue
        for v in filter_values(value):
            if is_allowed(v, allowed):
                continue
            what = (f"indicator_args.{arg} er {_show(v)}" if given else
                    f"indikatoren {name} vælger {column} = {_show(v)} (standardværdien af {arg})")
            out.append(f"{where}: {what}, men kilden {source} tillader i kolonnen {column} "
                       + (f"kun {listed(allowed)}" if allowed else "ingen værdier (plan.yml erklærer ingen)")
                       + "; ingen registrering ville blive talt (tallet ville altid være 0)")
    check = INDICATOR_CHECKS.get(name)
    if check is not None and isinstance(args, dict):
        out += [f"{where}: {p}" for p in check(args, register_measures)]
    return out
