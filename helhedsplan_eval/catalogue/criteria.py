"""The målkatalog: success criteria, areas, activities and budgets, read from ``params/``.

The catalogue is data (``params/plan.yml`` and ``params/criteria.yml``) so that another
helhedsplan can evaluate itself by writing its own files. :func:`load_catalogue` checks the
files and reports every problem at once.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any


from helhedsplan_eval.catalogue.checks import (_check_areas, _check_plan, _check_register_measures,  # noqa: F401
                                               _check_value, _is_int, _is_number, _show, check_params,
                                               direction_problems)
from helhedsplan_eval.catalogue.spec import (_EXPECTED_DA, COUNTS, CRITERION_FIELDS,  # noqa: F401
                                             KIND_LABELS_DA, PARAM_SPECS, REQUIRED_PARAMS, UNIT_LABELS_DA,
                                             default_counts)
from helhedsplan_eval.catalogue.period import PlanPeriod
from helhedsplan_eval.paths import params_dir
from helhedsplan_eval.yaml_io import read_file


class CatalogueError(ValueError):
    """The catalogue files contain problems; ``problems`` lists them all."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"Fejl i målkataloget ({len(problems)}):\n" + "\n".join(f"  - {p}" for p in problems))


def _indicator_problems(where: str, name, args, measures=None) -> list[str]:
    """The indicator is registered, knows its arguments, and every value they select is one the data contract
    allows (``measures``: the plan's register measure ids); see analysis/indicators/arguments.py."""
    import inspect

    from helhedsplan_eval.analysis.all_indicators import load_all
    from helhedsplan_eval.analysis.indicators.arguments import arg_problems

    registry = load_all()
    if not isinstance(name, str) or name not in registry:
        return [f"{where}: indicator {_show(name)} er ikke registreret (kendte indikatorer står i "
                "helhedsplan_eval/analysis/indicators/, fit/ og survey/)"]
    if not isinstance(args, dict):
        return [f"{where}: indicator_args skal være en mapping, fx {{activity: foraeldrecafe}}"]
    try:
        sig = inspect.signature(registry[name])
    except (TypeError, ValueError):
        return []
    params = list(sig.parameters.values())[2:]  # after (bundle, years)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return []
    names = {p.name for p in params}
    known = ", ".join(sorted(names)) or "ingen"
    out = [f"{where}: indicator_args.{k} kendes ikke af indikatoren {name} (kendte: {known})"
           for k in args if k not in names]
    out += [f"{where}: indikatoren {name} kræver indicator_args.{p.name}" for p in params
            if p.default is inspect.Parameter.empty and p.name not in args]
    return out + arg_problems(where, name, args, measures)


@dataclass(frozen=True)
class Criterion:
    id: str
    area: str
    activity: str | None
    text: str
    source: str
    kind: str
    indicator: str | None
    unit: str
    direction: str
    params: dict
    period_start: int
    period_end: int
    years: tuple[int, ...]
    indicator_args: dict = field(default_factory=dict)
    linked_to: str | None = None
    text_strategic: str | None = None
    readings: tuple[str, ...] = ()
    chosen_reading: str | None = None
    reason: str | None = None
    alternatives: tuple[dict, ...] = ()
    short: str | None = None  # a short Danish name for chart titles and lists (e.g. "Henvendelser om utryghed")
    counts: str = "units"  # "persons" (suppressed under min_cell) or "units" (shown); see spec.COUNTS
    component_of: str | None = None  # the count_units criterion that counts units meeting this one (issue 20)

    def with_params(self, params: dict) -> "Criterion":
        p = copy.deepcopy(dict(self.params))
        p.update(params)
        return replace(self, params=p, alternatives=())

    @property
    def level(self) -> str:
        return "indsatsområde" if self.activity is None else "aktivitet"

    def as_record(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["years"] = list(self.years)
        d["readings"] = list(self.readings)
        d["alternatives"] = [dict(a) for a in self.alternatives]
        d["kind_label"] = KIND_LABELS_DA.get(self.kind, self.kind)
        return d


@dataclass
class Area:
    id: str
    prefix: str
    name: str
    section: str
    purpose: str
    objectives: list[str]
    budget: dict
    activities: list[dict]
    note: str = ""  # a sentence the plan adds to the area's heading (e.g. an area it chose not to have)

    def activity_name(self, activity_id: str | None) -> str | None:
        for a in self.activities:
            if a["id"] == activity_id:
                return a["name"]
        return None


@dataclass
class Catalogue:
    plan: dict
    areas: dict[str, Area]
    criteria: dict[str, Criterion]
    register_measures: list[dict]
    period: PlanPeriod | None = None  # the plan's period and years (plan.period)

    def by_area(self, area_id: str) -> list[Criterion]:
        return [c for c in self.criteria.values() if c.area == area_id]

    def resolve(self, crit: Criterion) -> Criterion:
        """The criterion that is actually evaluated (the linked area-level one for repeats)."""
        return self.criteria[crit.linked_to] if crit.linked_to else crit

    def activity_name(self, crit: Criterion) -> str | None:
        return self.areas[crit.area].activity_name(crit.activity)

    def records(self) -> list[dict]:
        out = []
        for c in self.criteria.values():
            r = c.as_record()
            area = self.areas[c.area]
            r["area_name"] = area.name
            r["activity_name"] = area.activity_name(c.activity)
            ev = self.resolve(c)
            if c.linked_to:
                for k in ("kind", "indicator", "indicator_args", "unit", "direction", "params", "period_start",
                          "period_end", "years"):
                    r[k] = ev.as_record()[k]
                r["kind_label"] = KIND_LABELS_DA.get(ev.kind, ev.kind)
            out.append(r)
        return out

    def to_json(self) -> str:
        return json.dumps({"plan": self.plan, "criteria": self.records()}, ensure_ascii=False, indent=2, default=str)


def _read_yaml(path: Path, problems: list[str]) -> dict:
    return read_file(path, problems)[0] or {}


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Read ``plan.yml`` and ``criteria.yml`` from ``directory`` (default: the project's params/)."""
    return _load(str(Path(directory) if directory else params_dir()))


def plan_problems(directory: str | Path | None = None) -> list[str]:
    """Every problem of a plan folder's ``plan.yml`` (missing folder or file, unknown keys, wrong types, an impossible
    period), without reading ``criteria.yml``: the check every command makes before it starts."""
    d = Path(directory) if directory else params_dir()
    if not d.is_dir():
        return [f"planmappen {d} findes ikke (en plan er en mappe med plan.yml og criteria.yml)"]
    problems: list[str] = []
    plan_doc = _read_yaml(d / "plan.yml", problems)
    if problems:
        return problems
    _check_plan(plan_doc, problems)
    _check_areas(plan_doc, problems)
    _check_register_measures(plan_doc, problems)
    return problems


@lru_cache(maxsize=8)
def _load(directory: str) -> Catalogue:
    d = Path(directory)
    problems: list[str] = []
    plan_doc = _read_yaml(d / "plan.yml", problems)
    crit_doc = _read_yaml(d / "criteria.yml", problems)
    if problems:
        raise CatalogueError(problems)
    plan, period = _check_plan(plan_doc, problems)
    areas: dict[str, Area] = {}
    for a in _check_areas(plan_doc, problems):
        areas[a["id"]] = Area(id=a["id"], prefix=str(a.get("prefix", "")), name=a["name"],
                              section=str(a.get("section", "")), purpose=" ".join(str(a.get("purpose", "")).split()),
                              objectives=list(a.get("objectives", [])), budget=dict(a.get("budget", {})),
                              activities=list(a.get("activities", [])),
                              note=" ".join(str(a.get("note") or "").split()))
    _check_register_measures(plan_doc, problems)
    if period is None:  # without the plan's years no criterion's period or parameters can be checked
        raise CatalogueError(problems)
    raw = _criteria_entries(crit_doc, problems)
    by_id = {c.get("id"): c for c in raw if isinstance(c.get("id"), str)}
    criteria: dict[str, Criterion] = {}
    for n, c in enumerate(raw, start=1):
        crit = _check_criterion(n, c, areas, by_id, period, problems, _measure_ids(plan_doc))
        if crit is not None:
            criteria[crit.id] = crit
    problems += _unit_problems(criteria) + _component_problems(criteria)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(plan=plan, areas=areas, criteria=criteria,
                     register_measures=list(plan_doc.get("register_measures", []) or []), period=period)


def _measure_ids(plan_doc) -> tuple[str, ...]:
    """The register measures the plan declares (``register_measures`` in plan.yml): the values the register
    file's ``measure`` column accepts."""
    raw = plan_doc.get("register_measures", []) if isinstance(plan_doc, dict) else []
    return tuple(m["id"] for m in raw or [] if isinstance(m, dict) and isinstance(m.get("id"), str))


def _unit_problems(criteria: dict[str, Criterion]) -> list[str]:
    """``count_units`` (issue 20): its indicator is ``units_meeting``, whose criteria exist, are computed per unit
    (``indicator_args.by``) and are not counts of units themselves; ``min_met`` is at most their number."""
    out = []
    for c in criteria.values():
        pair = (c.kind == "count_units", c.indicator == "units_meeting")
        if c.linked_to or pair == (False, False):
            continue
        where = f"criteria.yml, {c.id}"
        if pair != (True, True):
            out.append(f"{where}: kind count_units og indicator units_meeting hører sammen (fundet kind {c.kind}, "
                       f"indicator {c.indicator})")
            continue
        ids = c.indicator_args.get("criteria") or []
        for i in ids:
            other = criteria.get(i)
            if other is None:
                out.append(f"{where}: indicator_args.criteria nævner '{i}', som ikke er et kriterium")
            elif other.kind == "count_units" or "by" not in (criteria[other.linked_to] if other.linked_to
                                                              else other).indicator_args:
                out.append(f"{where}: kriteriet '{i}' beregnes ikke pr. enhed (dets indicator_args mangler 'by', "
                           "fx by: afdeling)")
        m = c.params.get("min_met")
        if _is_int(m) and ids and m > len(ids):
            out.append(f"{where}: params.min_met er {m}, men der er kun {len(ids)} kriterier")
    return out


def _component_problems(criteria: dict[str, Criterion]) -> list[str]:
    """``component_of`` (issue 20) names the count_units criterion whose indicator_args.criteria lists this one."""
    out = []
    for c in (c for c in criteria.values() if c.component_of is not None):
        parent = criteria.get(c.component_of)
        if parent is None or parent.kind != "count_units":
            out.append(f"criteria.yml, {c.id}: component_of er '{c.component_of}', men skal være id'et på et "
                       "kriterium med kind count_units")
        elif c.id not in (parent.indicator_args.get("criteria") or []):
            out.append(f"criteria.yml, {c.id}: component_of er '{c.component_of}', men {c.component_of} nævner "
                       f"ikke {c.id} i indicator_args.criteria")
    return out


def _criteria_entries(crit_doc, problems: list[str]) -> list[dict]:
    """The mappings of criteria.yml's list (malformed entries and repeated ids reported)."""
    if not isinstance(crit_doc, dict) or not isinstance(crit_doc.get("criteria", []), list):
        problems.append("criteria.yml: filen skal være en YAML-mapping med en liste 'criteria'")
        raise CatalogueError(problems)
    raw = crit_doc.get("criteria", [])
    bad_entries = [n for n, c in enumerate(raw, start=1) if not isinstance(c, dict)]
    for n in bad_entries:
        problems.append(f"criteria.yml: element {n} skal være en mapping (id, area, text, ...)")
    raw = [c for c in raw if isinstance(c, dict)]
    ids = [c.get("id") for c in raw]
    for i in {x for x in ids if ids.count(x) > 1 and isinstance(x, str)}:
        problems.append(f"criteria.yml: id {i} står der flere gange")
    return raw


def _entry_problems(where: str, c: dict) -> list[str]:
    """Unknown fields and fields of the wrong type in one entry of criteria.yml."""
    problems = [f"{where}: feltet '{key}' kendes ikke (kendte felter: {', '.join(CRITERION_FIELDS)})"
                for key in c if key not in CRITERION_FIELDS]
    for key in ("id", "area", "text", "source"):
        if not c.get(key):
            problems.append(f"{where}: feltet '{key}' mangler")
        elif not isinstance(c.get(key), str):
            problems.append(f"{where}: {key} er {_show(c.get(key))}, men skal være en tekst")
    for key in ("text_strategic", "chosen_reading", "reason", "component_of"):
        if c.get(key) is not None and not isinstance(c.get(key), str):
            problems.append(f"{where}: {key} skal være en tekst")
    if c.get("readings") is not None and not (isinstance(c["readings"], list)
                                              and all(isinstance(r, str) for r in c["readings"])):
        problems.append(f"{where}: readings skal være en liste af tekster")
    return problems


def _base_of(where: str, c: dict, areas: dict[str, Area], by_id: dict, problems: list[str]) -> dict | None:
    """The entry that is evaluated: ``c`` itself, or the criterion it is linked to; None when the area or the link
    is unusable (reported)."""
    if not isinstance(c.get("area"), str) or c.get("area") not in areas:
        problems.append(f"{where}: ukendt indsatsområde '{c.get('area')}'")
        return None
    act = c.get("activity")
    if act is not None and (not isinstance(act, str) or areas[c["area"]].activity_name(act) is None):
        problems.append(f"{where}: ukendt aktivitet '{act}' i indsatsområdet {c['area']}")
    if not c.get("linked_to"):
        return c
    if not isinstance(c["linked_to"], str) or c["linked_to"] not in by_id:
        problems.append(f"{where}: linked_to '{c['linked_to']}' er ikke et kriterium")
        return None
    base = by_id[c["linked_to"]]
    if base.get("linked_to"):
        problems.append(f"{where}: linked_to '{c['linked_to']}' er selv knyttet til et andet kriterium; "
                        "henvis direkte til det kriterium, der beregnes")
        return None
    return base


def _params_of(where: str, c: dict, base: dict, kind: str, problems: list[str]) -> dict:
    """The parameters the evaluator reads (a linked criterion's come from its base; its own problems are
    reported there)."""
    if base is not c:
        return dict(base.get("params") or {}) if isinstance(base.get("params") or {}, dict) else {}
    params = c.get("params") or {}
    if not isinstance(params, dict):
        problems.append(f"{where}: params skal være en mapping, fx {{target: 8}}")
        params = {}
    params = dict(params)
    for p in REQUIRED_PARAMS[kind]:
        if p not in params:
            problems.append(f"{where}: kind {kind} kræver parameteren '{p}'")
    if kind == "period_mean_max" and not ("max" in params or "min" in params):
        problems.append(f"{where}: kind period_mean_max kræver 'max' eller 'min'")
    return params


def _period_of(where: str, base: dict, own: bool, plan_years: tuple[int, int], problems: list[str]):
    """The criterion's [first, last] year, None when unusable (reported for the entry that declares it)."""
    plan_start, plan_end = plan_years
    period = base.get("period") or [plan_start, plan_end]
    if (not isinstance(period, (list, tuple)) or len(period) != 2
            or not all(_is_int(y) for y in period)):
        if own:
            problems.append(f"{where}: period {period} er ikke [første, sidste] (forventet to hele årstal, "
                            f"fx [{plan_start}, {plan_end}])")
        return None
    if period[0] > period[1]:
        if own:
            problems.append(f"{where}: period {list(period)} er ikke [første, sidste]")
        return None
    if own and not (plan_start <= period[0] and period[1] <= plan_end):
        problems.append(f"{where}: period {list(period)} ligger uden for planens år {plan_start}-{plan_end}")
    return period


def _years_in(where: str, base: dict, own: bool, period, problems: list[str]) -> tuple[int, ...] | None:
    """The years the criterion is measured in (default: every year of its period); None when invalid."""
    yrs = base.get("years")
    if yrs is not None and (not isinstance(yrs, list) or not yrs
                            or not all(_is_int(y) and period[0] <= y <= period[1] for y in yrs)):
        if own:
            problems.append(f"{where}: years er {_show(yrs)}, men skal være en liste af hele årstal i perioden "
                            f"{period[0]}-{period[1]}")
        return None
    return tuple(int(y) for y in (yrs or range(int(period[0]), int(period[1]) + 1)))


def _own_problems(where: str, base: dict, kind: str, data_years: tuple[int, int], measures=None,
                  dates=None) -> list[str]:
    """Direction, unit, indicator and alternative readings of a criterion that is evaluated itself."""
    problems = []
    if base.get("direction") not in ("up", "down"):
        problems.append(f"{where}: direction skal være 'up' eller 'down'")
    unit = base.get("unit", "count")
    if unit not in UNIT_LABELS_DA:
        problems.append(f"{where}: unit er {_show(unit)}, men skal være en af {', '.join(UNIT_LABELS_DA)}")
    counts = base.get("counts", default_counts(unit))
    if counts not in COUNTS:
        problems.append(f"{where}: counts er {_show(counts)}, men skal være 'persons' (tal om personer, skjules under "
                        "min_cell) eller 'units' (fx virksomheder, arrangementer: vises)")
    elif counts == "units" and unit == "persons":
        problems.append(f"{where}: counts er 'units', men unit er 'persons' (et antal personer); skriv counts: persons "
                        "eller en anden unit")
    if not base.get("indicator"):
        problems.append(f"{where}: indicator mangler")
    else:
        problems += _indicator_problems(where, base.get("indicator"), base.get("indicator_args") or {}, measures)
    alts = base.get("alternatives") or []
    if not isinstance(alts, list):
        problems.append(f"{where}: alternatives skal være en liste af {{reading: tekst, params: {{...}}}}")
        alts = ()
    for m, alt in enumerate(alts, start=1):
        if not isinstance(alt, dict) or not isinstance(alt.get("reading"), str) \
                or not isinstance(alt.get("params", {}), dict):
            problems.append(f"{where}: alternatives, element {m} skal have 'reading' (tekst) og 'params' "
                            "(mapping)")
            continue
        problems += check_params(where, kind, alt.get("params", {}), data_years,
                                 label=f"alternatives[{m}].params", partial=True, dates=dates)
    return problems


def _check_criterion(n: int, c: dict, areas: dict[str, Area], by_id: dict, period: PlanPeriod,
                     problems: list[str], measures=None) -> Criterion | None:
    """One entry of criteria.yml as a :class:`Criterion`, or None; every problem is appended to ``problems``."""
    cid = c.get("id") if isinstance(c.get("id"), str) and c.get("id") else f"element {n}"
    where = f"criteria.yml, {cid}"
    problems += _entry_problems(where, c)
    base = _base_of(where, c, areas, by_id, problems)
    if base is None:
        return None
    kind = base.get("kind")
    if not isinstance(kind, str) or kind not in REQUIRED_PARAMS:
        problems.append(f"{where}: ukendt kind '{kind}' (kendte: {', '.join(REQUIRED_PARAMS)})")
        return None
    own = base is c
    params = _params_of(where, c, base, kind, problems)
    plan_period = period
    period = _period_of(where, base, own, (plan_period.first_year, plan_period.last_year), problems)
    if period is None:
        return None
    data_years = plan_period.data_years
    if own:
        problems += check_params(where, kind, params, data_years, dates=(plan_period.first_date, plan_period.end))
    years = _years_in(where, base, own, period, problems)
    if years is None:
        return None
    if own:
        problems += _own_problems(where, base, kind, data_years, measures, (plan_period.first_date, plan_period.end))
        problems += direction_problems(where, kind, base.get("direction"), params)
    return _criterion(cid, c, base, kind, params, period, years)


def _criterion(cid: str, c: dict, base: dict, kind: str, params: dict, period, years) -> Criterion:
    alts = base.get("alternatives") or []
    if not isinstance(alts, list):
        alts = ()
    return Criterion(
        id=cid, area=c["area"], activity=c.get("activity"), text=" ".join(str(c.get("text", "")).split()),
        source=" ".join(str(c.get("source", "")).split()), kind=kind, indicator=base.get("indicator"),
        unit=base.get("unit", "count"), direction=base.get("direction", "up"), params=params,
        period_start=int(period[0]), period_end=int(period[1]), years=years,
        indicator_args=(dict(base.get("indicator_args") or {})
                        if isinstance(base.get("indicator_args") or {}, dict) else {}),
        linked_to=c.get("linked_to"),
        text_strategic=" ".join(str(c["text_strategic"]).split()) if c.get("text_strategic") else None,
        readings=tuple(c.get("readings") or ()) if isinstance(c.get("readings") or (), list) else (),
        chosen_reading=c.get("chosen_reading"),
        reason=" ".join(str(c["reason"]).split()) if c.get("reason") else None,
        alternatives=tuple(a for a in alts if isinstance(a, dict)),
        short=" ".join(str(c["short"]).split()) if c.get("short") else None,
        counts=(base.get("counts") if base.get("counts") in ("persons", "units")
                else default_counts(base.get("unit", "count"))),
        component_of=c.get("component_of") if isinstance(c.get("component_of"), str) else None,
    )
