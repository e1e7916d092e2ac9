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

from .paths import params_dir

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


class CatalogueError(ValueError):
    """The catalogue files contain problems; ``problems`` lists them all."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Problems in the criterion catalogue:\n" + "\n".join(f"  - {p}" for p in problems))


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
        problems.append(f"{path}: file not found")
    except yaml.YAMLError as exc:
        problems.append(f"{path}: not valid YAML ({exc})")
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
    areas: dict[str, Area] = {}
    for a in plan_doc.get("areas", []):
        try:
            areas[a["id"]] = Area(id=a["id"], prefix=a.get("prefix", ""), name=a["name"], section=str(a.get("section", "")),
                                  purpose=" ".join(str(a.get("purpose", "")).split()),
                                  objectives=list(a.get("objectives", [])), budget=dict(a.get("budget", {})),
                                  activities=list(a.get("activities", [])))
        except KeyError as exc:
            problems.append(f"plan.yml: area {a!r} lacks {exc}")
    raw = crit_doc.get("criteria", [])
    ids = [c.get("id") for c in raw]
    for i in {x for x in ids if ids.count(x) > 1}:
        problems.append(f"criteria.yml: id {i} appears more than once")
    by_id = {c.get("id"): c for c in raw}
    criteria: dict[str, Criterion] = {}
    for n, c in enumerate(raw, start=1):
        cid = c.get("id") or f"entry {n}"
        where = f"criteria.yml, {cid}"
        for key in ("id", "area", "text", "source"):
            if not c.get(key):
                problems.append(f"{where}: missing field '{key}'")
        if c.get("area") not in areas:
            problems.append(f"{where}: unknown area '{c.get('area')}'")
            continue
        act = c.get("activity")
        if act is not None and areas[c["area"]].activity_name(act) is None:
            problems.append(f"{where}: unknown activity '{act}' in area {c['area']}")
        base = c
        if c.get("linked_to"):
            if c["linked_to"] not in by_id:
                problems.append(f"{where}: linked_to '{c['linked_to']}' is not a criterion")
                continue
            base = by_id[c["linked_to"]]
        kind = base.get("kind")
        if kind not in REQUIRED_PARAMS:
            problems.append(f"{where}: unknown kind '{kind}' (known: {', '.join(REQUIRED_PARAMS)})")
            continue
        params = dict(base.get("params") or {})
        for p in REQUIRED_PARAMS[kind]:
            if p not in params:
                problems.append(f"{where}: kind {kind} needs parameter '{p}'")
        if kind == "period_mean_max" and not ("max" in params or "min" in params):
            problems.append(f"{where}: kind period_mean_max needs 'max' or 'min'")
        period = base.get("period") or [plan_doc.get("plan", {}).get("period", {}).get("start", 2017),
                                        plan_doc.get("plan", {}).get("period", {}).get("end", 2020)]
        if len(period) != 2 or int(period[0]) > int(period[1]):
            problems.append(f"{where}: period {period} is not [first, last]")
            continue
        years = tuple(int(y) for y in (base.get("years") or range(int(period[0]), int(period[1]) + 1)))
        if base.get("direction") not in ("up", "down"):
            problems.append(f"{where}: direction must be 'up' or 'down'")
        if not base.get("indicator"):
            problems.append(f"{where}: missing indicator")
        criteria[cid] = Criterion(
            id=cid, area=c["area"], activity=act, text=" ".join(str(c.get("text", "")).split()),
            source=" ".join(str(c.get("source", "")).split()), kind=kind, indicator=base.get("indicator"),
            unit=base.get("unit", "count"), direction=base.get("direction", "up"), params=params,
            period_start=int(period[0]), period_end=int(period[1]), years=years,
            indicator_args=dict(base.get("indicator_args") or {}), linked_to=c.get("linked_to"),
            text_strategic=" ".join(str(c["text_strategic"]).split()) if c.get("text_strategic") else None,
            readings=tuple(c.get("readings") or ()), chosen_reading=c.get("chosen_reading"),
            reason=" ".join(str(c["reason"]).split()) if c.get("reason") else None,
            alternatives=tuple(base.get("alternatives") or ()),
        )
    if problems:
        raise CatalogueError(problems)
    return Catalogue(plan=plan_doc.get("plan", {}), areas=areas, criteria=criteria,
                     register_measures=list(plan_doc.get("register_measures", [])))
