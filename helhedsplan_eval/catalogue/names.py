"""The plan's names as the board reads them, from ``plan.yml`` (``plan.name``, ``area_name``, ``municipality``,
``police_comparison``, ``parties``, ``period``): page titles, the PDF's title and running header, chart labels and CLI
texts ask here, so that no code names one plan."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlanNames:
    id: str
    name: str  # as plan.yml writes it
    area_name: str  # the housing area ("boligområdet"), the label of its series in charts and tables
    municipality: str
    police: str  # the comparison population of the police's survey (default: the police district)
    span: str  # the plan's years: "2021–2024", "2022/23–2025/26"
    parties: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """"Helhedsplan <area>" (without the years)."""
        return f"Helhedsplan {self.area_name}"

    @property
    def title(self) -> str:
        """"Helhedsplan <area> <first year>–<last year>": the programme line of every page."""
        return f"{self.short} {self.span}"


def plan_names(directory: str | os.PathLike | None = None) -> PlanNames:
    """The names of the plan in ``directory`` (default: the active plan folder)."""
    from helhedsplan_eval.catalogue.period import plan_file, plan_period

    path = plan_file(directory)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _names(str(path), stamp, plan_period(path.parent).span())


def _names(path: str, stamp, span: str) -> PlanNames:
    key = (path, stamp, span)
    hit = _CACHE.get(key)
    if hit is None:
        hit = _CACHE[key] = _read(path, span)
    return hit


_CACHE: dict = {}


def _read(path: str, span: str) -> PlanNames:
    import yaml

    from helhedsplan_eval.yaml_io import safe_load

    try:
        with open(path, encoding="utf-8") as fh:
            plan = (safe_load(fh, path) or {}).get("plan") or {}
    except (OSError, AttributeError, yaml.YAMLError):
        plan = {}

    def text(key, default):
        v = plan.get(key)
        return " ".join(v.split()) if isinstance(v, str) and v.strip() else default

    name = text("name", "Helhedsplanen")
    area = text("area_name", name)
    municipality = text("municipality", "kommunen")
    parties = plan.get("parties") if isinstance(plan.get("parties"), list) else []
    return PlanNames(id=text("id", Path(path).parent.name), name=name, area_name=area, municipality=municipality,
                     police=text("police_comparison", text("police_district", "politikredsen")), span=span,
                     parties=tuple(str(p) for p in parties))
