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

import yaml

from helhedsplan_eval.paths import params_dir

REQUIRED_PARAMS = {
    "annual_minimum": ("target",),
    "minimum_share": ("target",),
    "cumulative_total": ("target",),
    "period_mean_change": ("baseline_year", "change"),
    "period_mean_max": (),
    "growth": ("baseline_year", "rate"),
    "yoy_growth": ("baseline_year", "rate"),
    "gap_target": ("baseline_year", "baseline_gap", "target_gap"),
    "gap_reduction_rate": ("baseline_year", "baseline_gap", "rate"),
    "survey_wave_increase": (),
    "milestone": ("due",),
    "qualitative": (),
}

KIND_LABELS_DA = {
    "annual_minimum": "Årligt minimum",
    "minimum_share": "Mindsteandel",
    "cumulative_total": "Samlet antal over perioden",
    "period_mean_change": "Periodegennemsnit mod basisår",
    "period_mean_max": "Periodegennemsnit højst",
    "growth": "Vækst mod basisår",
    "yoy_growth": "Årlig vækst",
    "gap_target": "Forskel til sammenligningsgrundlag i slutåret",
    "gap_reduction_rate": "Forskel mindskes pr. år",
    "survey_wave_increase": "Stigning mellem to surveymålinger",
    "milestone": "Milepæl",
    "qualitative": "Kvalitativ vurdering",
}

UNIT_LABELS_DA = {
    "pct": "procent",
    "pp": "procentpoint",
    "count": "antal",
    "persons": "antal personer",
    "kr": "kr.",
    "rate": "pr. 100 børn",
    "index": "indeks 0-100",
    "number": "gennemsnit",
    "text": "tekst",
}


# The parameters each kind's evaluator (status.py) reads, with their type: "number" (int or float),
# "int", "year" (a whole year within the data years), "bool", "date" (YYYY-MM-DD) or a tuple of the
# allowed words. A key not listed for its kind is an error (a typo would otherwise be ignored).
PARAM_SPECS: dict[str, dict[str, Any]] = {
    "annual_minimum": {"target": "number", "target_alt": "number", "uncertainty": ("poisson", "none")},
    "minimum_share": {"target": "share", "scope": ("annual", "period"), "min_years": "int"},
    "cumulative_total": {"target": "number"},
    "period_mean_change": {"baseline_year": "year", "change": "number", "uncertainty": ("poisson", "none"),
                           "min_years": "int"},
    "period_mean_max": {"max": "number", "min": "number", "measure": ("gap",), "uncertainty": ("poisson", "none"),
                        "min_years": "int", "baseline": "number", "baseline_year": "year"},
    "growth": {"baseline_year": "year", "rate": "number", "mode": ("compound", "linear")},
    "yoy_growth": {"baseline_year": "year", "rate": "number", "rule": ("average", "every_year")},
    "gap_target": {"baseline_year": "year", "baseline_gap": "number", "target_gap": "number", "yearly": "bool"},
    "gap_reduction_rate": {"baseline_year": "year", "baseline_gap": "number", "rate": "number"},
    "survey_wave_increase": {"start_wave": "year", "end_wave": "year"},
    "milestone": {"due": "date"},
    "qualitative": {"due_year": "year"},
}

# fields of an entry in criteria.yml
CRITERION_FIELDS = ("id", "area", "activity", "text", "text_strategic", "source", "indicator", "indicator_args", "unit",
                    "direction", "kind", "params", "period", "years", "linked_to", "readings", "chosen_reading",
                    "reason", "alternatives", "short")
FIRST_DATA_YEAR = 2014  # the first baseline year the data contract accepts

_EXPECTED_DA = {"number": "et tal", "int": "et helt tal", "year": "et årstal (helt tal)", "bool": "true eller false",
                "date": "en dato (ÅÅÅÅ-MM-DD)", "share": "et tal mellem 0 og 100 (procent)", "str": "en tekst"}


class CatalogueError(ValueError):
    """The catalogue files contain problems; ``problems`` lists them all."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"Fejl i målkataloget ({len(problems)}):\n" + "\n".join(f"  - {p}" for p in problems))


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    import math

    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


def _check_value(v, spec, years: tuple[int, int]) -> str | None:
    """None if ``v`` matches ``spec``, else what was expected (Danish)."""
    if isinstance(spec, tuple):
        return None if v in spec else "en af " + ", ".join(f"'{a}'" for a in spec)
    if spec == "number":
        return None if _is_number(v) else _EXPECTED_DA["number"]
    if spec == "share":
        return None if _is_number(v) and 0 <= v <= 100 else _EXPECTED_DA["share"]
    if spec == "int":
        return None if _is_int(v) and v >= 1 else "et helt tal ≥ 1"
    if spec == "year":
        return (None if _is_int(v) and years[0] <= v <= years[1]
                else f"et årstal (helt tal) mellem {years[0]} og {years[1]}")
    if spec == "bool":
        return None if isinstance(v, bool) else _EXPECTED_DA["bool"]
    if spec == "date":
        import datetime as dt

        if isinstance(v, dt.date):
            d = v
        else:
            try:
                d = dt.date.fromisoformat(str(v))
            except ValueError:
                return _EXPECTED_DA["date"]
        return (None if years[0] <= d.year <= years[1]
                else f"en dato (ÅÅÅÅ-MM-DD) i årene {years[0]}-{years[1]}")
    if spec == "str":
        return None if isinstance(v, str) and v.strip() else _EXPECTED_DA["str"]
    return None


def _show(v) -> str:
    return repr(v) if isinstance(v, str) else str(v)


def check_params(where: str, kind: str, params: dict, years: tuple[int, int], label: str = "params",
                 partial: bool = False) -> list[str]:
    """Problems of one criterion's ``params`` against its kind (all at once). ``partial``: an
    alternative reading's params, which only override some keys."""
    spec = PARAM_SPECS.get(kind, {})
    problems = []
    for key, v in params.items():
        if key not in spec:
            known = ", ".join(spec) or "ingen"
            problems.append(f"{where}: {label}.{key} kendes ikke for kind {kind} (kendte parametre: {known})")
            continue
        exp = _check_value(v, spec[key], years)
        if exp:
            problems.append(f"{where}: {label}.{key} er {_show(v)}, men skal være {exp}")
    if not partial:
        if kind == "period_mean_max" and "max" in params and "min" in params:
            problems.append(f"{where}: {label} har både 'max' og 'min'; angiv kun én af dem")
        if kind == "period_mean_max" and ("baseline" in params) != ("baseline_year" in params):
            problems.append(f"{where}: {label}.baseline og {label}.baseline_year skal angives sammen")
        sw, ew = params.get("start_wave"), params.get("end_wave")
        if _is_int(sw) and _is_int(ew) and sw >= ew:
            problems.append(f"{where}: {label}.start_wave ({sw}) skal ligge før end_wave ({ew})")
    return problems


def _check_plan(plan_doc, problems: list[str]) -> tuple[dict, int, int]:
    """Basic checks of plan.yml; returns (plan mapping, first year, last year)."""
    if not isinstance(plan_doc, dict):
        problems.append("plan.yml: filen skal være en YAML-mapping med 'plan', 'areas' og 'register_measures'")
        return {}, 2017, 2020
    plan = plan_doc.get("plan", {})
    if not isinstance(plan, dict):
        problems.append("plan.yml: 'plan' skal være en mapping (name, period, budget, ...)")
        plan = {}
    start, end = 2017, 2020
    period = plan.get("period", {"start": 2017, "end": 2020})
    if not isinstance(period, dict) or not _is_int(period.get("start")) or not _is_int(period.get("end")):
        problems.append(f"plan.yml: plan.period er {_show(period)}, men skal være {{start: årstal, end: årstal}} "
                        "med hele årstal")
    elif not FIRST_DATA_YEAR <= period["start"] <= period["end"] <= 2100:
        problems.append(f"plan.yml: plan.period {period['start']}-{period['end']} skal have start ≤ end og "
                        f"start ≥ {FIRST_DATA_YEAR}")
    else:
        start, end = period["start"], period["end"]
    budget = plan.get("budget", {})
    if not isinstance(budget, dict):
        problems.append("plan.yml: plan.budget skal være en mapping (lbf, local, total)")
    else:
        for k in ("lbf", "local", "total"):
            if k in budget and not (_is_number(budget[k]) and budget[k] >= 0):
                problems.append(f"plan.yml: plan.budget.{k} er {_show(budget[k])}, men skal være et tal ≥ 0 (kr.)")
    for key in ("areas", "register_measures"):
        if key in plan_doc and not isinstance(plan_doc[key], list):
            problems.append(f"plan.yml: '{key}' skal være en liste")
    return plan, start, end


def _check_areas(plan_doc, problems: list[str]) -> list[dict]:
    """The valid area entries of plan.yml (every problem reported)."""
    raw = plan_doc.get("areas", []) if isinstance(plan_doc, dict) else []
    if not isinstance(raw, list):
        return []
    out, seen = [], set()
    for n, a in enumerate(raw, start=1):
        if not isinstance(a, dict):
            problems.append(f"plan.yml: areas, element {n} skal være en mapping (id, name, activities, ...)")
            continue
        aid = a.get("id")
        where = f"plan.yml: areas, {aid if isinstance(aid, str) else f'element {n}'}"
        ok = True
        for k in ("id", "name"):
            if not isinstance(a.get(k), str) or not a.get(k).strip():
                if k in a:
                    problems.append(f"{where}: '{k}' er {_show(a.get(k))}, men skal være en tekst")
                else:
                    problems.append(f"{where}: '{k}' mangler")
                ok = False
        if isinstance(aid, str) and aid in seen:
            problems.append(f"{where}: id '{aid}' står der flere gange")
            ok = False
        seen.add(aid)
        acts = a.get("activities", [])
        if not isinstance(acts, list):
            problems.append(f"{where}: 'activities' skal være en liste")
            ok = False
        else:
            for m, act in enumerate(acts, start=1):
                if not (isinstance(act, dict) and isinstance(act.get("id"), str) and isinstance(act.get("name"), str)):
                    problems.append(f"{where}: activities, element {m} skal have 'id' og 'name' som tekst")
                    ok = False
        budget = a.get("budget", {})
        if not isinstance(budget, dict):
            problems.append(f"{where}: 'budget' skal være en mapping (lbf, local, total)")
            ok = False
        else:
            for k in ("lbf", "local", "total"):
                if k in budget and not (_is_number(budget[k]) and budget[k] >= 0):
                    problems.append(f"{where}: budget.{k} er {_show(budget[k])}, men skal være et tal ≥ 0 (kr.)")
                    ok = False
        if not isinstance(a.get("objectives", []), list):
            problems.append(f"{where}: 'objectives' skal være en liste")
            ok = False
        if ok:
            out.append(a)
    return out


def _check_register_measures(plan_doc, problems: list[str]) -> None:
    raw = plan_doc.get("register_measures", []) if isinstance(plan_doc, dict) else []
    if not isinstance(raw, list):
        return
    for n, m in enumerate(raw, start=1):
        if not isinstance(m, dict) or not isinstance(m.get("id"), str):
            problems.append(f"plan.yml: register_measures, element {n} skal være en mapping med 'id'")
            continue
        where = f"plan.yml: register_measures, {m['id']}"
        if m.get("unit") is not None and m.get("unit") not in UNIT_LABELS_DA:
            problems.append(f"{where}: unit er {_show(m.get('unit'))}, men skal være en af "
                            f"{', '.join(UNIT_LABELS_DA)}")
        if m.get("direction") is not None and m.get("direction") not in ("up", "down"):
            problems.append(f"{where}: direction er {_show(m.get('direction'))}, men skal være 'up' eller 'down'")


def _indicator_problems(where: str, name, args) -> list[str]:
    import inspect

    from helhedsplan_eval.analysis.registry import load_all

    registry = load_all()
    if not isinstance(name, str) or name not in registry:
        return [f"{where}: indicator {_show(name)} er ikke registreret (kendte indikatorer står i "
                "helhedsplan_eval/indicators.py, fit.py og survey.py)"]
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
    return out


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
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh) or {}
    except FileNotFoundError:
        problems.append(f"{path}: filen findes ikke")
    except yaml.YAMLError as exc:
        problems.append(f"{path}: er ikke gyldig YAML ({exc})")
    return {}


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Read ``plan.yml`` and ``criteria.yml`` from ``directory`` (default: the project's params/)."""
    return _load(str(Path(directory) if directory else params_dir()))


@lru_cache(maxsize=8)
def _load(directory: str) -> Catalogue:
    d = Path(directory)
    problems: list[str] = []
    plan_doc = _read_yaml(d / "plan.yml", problems)
    crit_doc = _read_yaml(d / "criteria.yml", problems)
    if problems:
        raise CatalogueError(problems)
    plan, plan_start, plan_end = _check_plan(plan_doc, problems)
    data_years = (FIRST_DATA_YEAR, plan_end)
    areas: dict[str, Area] = {}
    for a in _check_areas(plan_doc, problems):
        areas[a["id"]] = Area(id=a["id"], prefix=str(a.get("prefix", "")), name=a["name"],
                              section=str(a.get("section", "")), purpose=" ".join(str(a.get("purpose", "")).split()),
                              objectives=list(a.get("objectives", [])), budget=dict(a.get("budget", {})),
                              activities=list(a.get("activities", [])))
    _check_register_measures(plan_doc, problems)
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
    by_id = {c.get("id"): c for c in raw if isinstance(c.get("id"), str)}
    criteria: dict[str, Criterion] = {}
    for n, c in enumerate(raw, start=1):
        cid = c.get("id") if isinstance(c.get("id"), str) and c.get("id") else f"element {n}"
        where = f"criteria.yml, {cid}"
        for key in c:
            if key not in CRITERION_FIELDS:
                problems.append(f"{where}: feltet '{key}' kendes ikke (kendte felter: {', '.join(CRITERION_FIELDS)})")
        for key in ("id", "area", "text", "source"):
            if not c.get(key):
                problems.append(f"{where}: feltet '{key}' mangler")
            elif not isinstance(c.get(key), str):
                problems.append(f"{where}: {key} er {_show(c.get(key))}, men skal være en tekst")
        for key in ("text_strategic", "chosen_reading", "reason"):
            if c.get(key) is not None and not isinstance(c.get(key), str):
                problems.append(f"{where}: {key} skal være en tekst")
        if c.get("readings") is not None and not (isinstance(c["readings"], list)
                                                  and all(isinstance(r, str) for r in c["readings"])):
            problems.append(f"{where}: readings skal være en liste af tekster")
        if not isinstance(c.get("area"), str) or c.get("area") not in areas:
            problems.append(f"{where}: ukendt indsatsområde '{c.get('area')}'")
            continue
        act = c.get("activity")
        if act is not None and (not isinstance(act, str) or areas[c["area"]].activity_name(act) is None):
            problems.append(f"{where}: ukendt aktivitet '{act}' i indsatsområdet {c['area']}")
        base = c
        if c.get("linked_to"):
            if not isinstance(c["linked_to"], str) or c["linked_to"] not in by_id:
                problems.append(f"{where}: linked_to '{c['linked_to']}' er ikke et kriterium")
                continue
            base = by_id[c["linked_to"]]
            if base.get("linked_to"):
                problems.append(f"{where}: linked_to '{c['linked_to']}' er selv knyttet til et andet kriterium; "
                                "henvis direkte til det kriterium, der beregnes")
                continue
        kind = base.get("kind")
        if not isinstance(kind, str) or kind not in REQUIRED_PARAMS:
            problems.append(f"{where}: ukendt kind '{kind}' (kendte: {', '.join(REQUIRED_PARAMS)})")
            continue
        if base is not c:  # a linked criterion is evaluated by its base; its own problems are reported there
            params = dict(base.get("params") or {}) if isinstance(base.get("params") or {}, dict) else {}
        else:
            params = c.get("params") or {}
            if not isinstance(params, dict):
                problems.append(f"{where}: params skal være en mapping, fx {{target: 8}}")
                params = {}
            params = dict(params)
        own = base is c
        if own:
            for p in REQUIRED_PARAMS[kind]:
                if p not in params:
                    problems.append(f"{where}: kind {kind} kræver parameteren '{p}'")
            if kind == "period_mean_max" and not ("max" in params or "min" in params):
                problems.append(f"{where}: kind period_mean_max kræver 'max' eller 'min'")
        period = base.get("period") or [plan_start, plan_end]
        if (not isinstance(period, (list, tuple)) or len(period) != 2
                or not all(_is_int(y) for y in period)):
            if own:
                problems.append(f"{where}: period {period} er ikke [første, sidste] (forventet to hele årstal, "
                                f"fx [{plan_start}, {plan_end}])")
            continue
        if period[0] > period[1]:
            if own:
                problems.append(f"{where}: period {list(period)} er ikke [første, sidste]")
            continue
        if own and not (plan_start <= period[0] and period[1] <= plan_end):
            problems.append(f"{where}: period {list(period)} ligger uden for planens år {plan_start}-{plan_end}")
        if own:
            problems += check_params(where, kind, params, data_years)
        yrs = base.get("years")
        if yrs is not None and (not isinstance(yrs, list) or not yrs
                                or not all(_is_int(y) and period[0] <= y <= period[1] for y in yrs)):
            if own:
                problems.append(f"{where}: years er {_show(yrs)}, men skal være en liste af hele årstal i perioden "
                                f"{period[0]}-{period[1]}")
            continue
        years = tuple(int(y) for y in (yrs or range(int(period[0]), int(period[1]) + 1)))
        if own and base.get("direction") not in ("up", "down"):
            problems.append(f"{where}: direction skal være 'up' eller 'down'")
        unit = base.get("unit", "count")
        if own and unit not in UNIT_LABELS_DA:
            problems.append(f"{where}: unit er {_show(unit)}, men skal være en af {', '.join(UNIT_LABELS_DA)}")
        if not base.get("indicator"):
            if own:
                problems.append(f"{where}: indicator mangler")
        elif own:
            problems += _indicator_problems(where, base.get("indicator"), base.get("indicator_args") or {})
        alts = base.get("alternatives") or []
        if own:
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
                                         label=f"alternatives[{m}].params", partial=True)
        criteria[cid] = Criterion(
            id=cid, area=c["area"], activity=act, text=" ".join(str(c.get("text", "")).split()),
            source=" ".join(str(c.get("source", "")).split()), kind=kind, indicator=base.get("indicator"),
            unit=unit, direction=base.get("direction", "up"), params=params,
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
        )
    if problems:
        raise CatalogueError(problems)
    return Catalogue(plan=plan, areas=areas, criteria=criteria,
                     register_measures=list(plan_doc.get("register_measures", []) or []))
