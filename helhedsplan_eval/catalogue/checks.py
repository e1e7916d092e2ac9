"""Checks of ``plan.yml`` and of one criterion's parameters, each reporting every problem in Danish.

The functions append to (or return) a list of problems rather than raising, so that :func:`.criteria.load_catalogue`
can report all problems of both files at once.
"""

from __future__ import annotations

import re

from helhedsplan_eval.formatting import excerpt, short_repr
from helhedsplan_eval.catalogue.period import PlanPeriod, _suggest, parse_period
from helhedsplan_eval.catalogue.spec import (_EXPECTED_DA, DIRECTION_SUGGESTIONS_DA, KIND_DIRECTIONS, PARAM_SPECS,
                                            UNIT_LABELS_DA)

#: The keys plan.yml knows, per level; any other key is named with a suggestion (a typo would be dropped silently).
PLAN_FILE_KEYS = ("plan", "areas", "register_measures", "notebooks")
PLAN_KEYS = ("id", "name", "area_name", "municipality", "police_district", "period", "parties", "purpose", "budget",
             "not_chosen_areas", "police_comparison", "sample")
AREA_KEYS = ("id", "prefix", "name", "section", "purpose", "objectives", "budget", "activities", "note")
BUDGET_KEYS = ("lbf", "local", "total", "note", "readings", "chosen", "reason")
ACTIVITY_KEYS = ("id", "name", "cfbu")
MEASURE_KEYS = ("id", "name", "unit", "direction", "source", "stated")
# texts of plan: that the board reads (type checked)
PLAN_TEXTS = ("id", "name", "area_name", "municipality", "police_district", "purpose", "police_comparison")


def _unknown_keys(where: str, mapping, known, problems: list[str]) -> None:
    """Every key of ``mapping`` that is not in ``known``, named with the nearest known key."""
    if not isinstance(mapping, dict):
        return
    for key in mapping:
        if key not in known:
            problems.append(f"{where}: nøglen '{key}' kendes ikke{_suggest(key, known)} "
                            f"(kendte nøgler: {', '.join(known)})")


def _check_texts(where: str, plan: dict, problems: list[str]) -> None:
    for key in PLAN_TEXTS:
        if key in plan and not (isinstance(plan[key], str) and plan[key].strip()):
            problems.append(f"{where}.{key} er {_show(plan[key])}, men skal være en tekst")
    pid = plan.get("id")
    if isinstance(pid, str) and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", pid):
        problems.append(f"{where}.id er {_show(pid)}, men skal være et kort navn af små bogstaver (a-z), tal, - og _, "
                        "fx hoejvang-2022-2026 (rapporterne lægges i outputs/<id>/)")
    sample = plan.get("sample")
    if sample is not None and not (isinstance(sample, dict) and isinstance(sample.get("from"), str)
                                   and isinstance(sample.get("shift_months"), int)):
        problems.append(f"{where}.sample er {_show(sample)}, men skal være {{from: data/sample, shift_months: 61, "
                        "skip: [...]}} (planens syntetiske eksempeldata: standardeksemplet flyttet i tid)")
    else:
        _unknown_keys(f"{where}.sample", sample or {}, ("from", "shift_months", "skip"), problems)
    parties = plan.get("parties", [])
    if not (isinstance(parties, list) and all(isinstance(p, str) and p.strip() for p in parties)):
        problems.append(f"{where}.parties er {_show(parties)}, men skal være en liste af tekster (parternes navne)")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    import math

    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


def _check_value(v, spec, years: tuple[int, int], dates=None) -> str | None:
    """None if ``v`` matches ``spec``, else what was expected (Danish). ``dates``: (first, last) day a date may
    have (the plan's data period); without it a date's year must lie in ``years``."""
    if isinstance(spec, tuple):
        return None if v in spec else "en af " + ", ".join(f"'{a}'" for a in spec)
    if spec == "number":
        return None if _is_number(v) else _EXPECTED_DA["number"]
    if spec == "share":
        return None if _is_number(v) and 0 <= v <= 100 else _EXPECTED_DA["share"]
    if spec == "int":
        return None if _is_int(v) and v >= 1 else "et helt tal ≥ 1"
    if spec == "count":
        return None if _is_int(v) and v >= 0 else "et helt tal ≥ 0"
    if spec == "positive":
        return None if _is_number(v) and v > 0 else "et tal over 0"
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
        if dates is not None:
            return (None if dates[0] <= d <= dates[1]
                    else f"en dato (ÅÅÅÅ-MM-DD) fra {dates[0].isoformat()} til {dates[1].isoformat()}")
        return (None if years[0] <= d.year <= years[1]
                else f"en dato (ÅÅÅÅ-MM-DD) i årene {years[0]}-{years[1]}")
    if spec == "str":
        return None if isinstance(v, str) and v.strip() else _EXPECTED_DA["str"]
    return None


def _show(v) -> str:
    """A value for a message, bounded (formatting.short_repr): never a whole bad value, however large."""
    if isinstance(v, (str, list, tuple, dict, set)):
        return short_repr(v)
    return excerpt(str(v))


def check_params(where: str, kind: str, params: dict, years: tuple[int, int], label: str = "params",
                 partial: bool = False, dates=None) -> list[str]:
    """Problems of one criterion's ``params`` against its kind (all at once). ``partial``: an
    alternative reading's params, which only override some keys."""
    spec = PARAM_SPECS.get(kind, {})
    problems = []
    for key, v in params.items():
        if key not in spec:
            known = ", ".join(spec) or "ingen"
            problems.append(f"{where}: {label}.{key} kendes ikke for kind {kind} (kendte parametre: {known})")
            continue
        exp = _check_value(v, spec[key], years, dates)
        if exp:
            problems.append(f"{where}: {label}.{key} er {_show(v)}, men skal være {exp}")
    if not partial:
        problems += _new_kind_problems(where, kind, params, label)
        if kind == "period_mean_max" and "max" in params and "min" in params:
            problems.append(f"{where}: {label} har både 'max' og 'min'; angiv kun én af dem")
        if kind == "period_mean_max" and ("baseline" in params) != ("baseline_year" in params):
            problems.append(f"{where}: {label}.baseline og {label}.baseline_year skal angives sammen")
        sw, ew = params.get("start_wave"), params.get("end_wave")
        if _is_int(sw) and _is_int(ew) and sw >= ew:
            problems.append(f"{where}: {label}.start_wave ({sw}) skal ligge før end_wave ({ew})")
    return problems


def _new_kind_problems(where: str, kind: str, params: dict, label: str) -> list[str]:
    """The combined parameters of issue 20's kinds (each parameter's type is checked by ``PARAM_SPECS``)."""
    if kind == "ratio_to_comparison" and ("max" in params) == ("min" in params):
        return [f"{where}: kind ratio_to_comparison kræver præcis én af {label}.max og {label}.min"]
    if kind == "two_tier" and "ambition" not in params:
        return [f"{where}: kind two_tier kræver {label}.ambition (fx -0.10 for '10 % lavere'); uden ambition: "
                "brug kind hold_baseline"]
    if kind == "two_tier" and _is_number(params.get("ambition")) and _is_number(params.get("change", 0)):
        amb, ch = params["ambition"], params.get("change", 0)
        if amb == ch:
            return [f"{where}: {label}.ambition skal være mere end minimumsmålet ({label}.change = {ch})"]
    return []


def _check_plan(plan_doc, problems: list[str]) -> tuple[dict, PlanPeriod | None]:
    """Basic checks of plan.yml; returns (plan mapping, the plan's period or None when it is unusable)."""
    if not isinstance(plan_doc, dict):
        problems.append("plan.yml: filen skal være en YAML-mapping med 'plan', 'areas' og 'register_measures'")
        return {}, None
    _unknown_keys("plan.yml", plan_doc, PLAN_FILE_KEYS, problems)
    plan = plan_doc.get("plan", {})
    if not isinstance(plan, dict):
        problems.append("plan.yml: 'plan' skal være en mapping (name, period, budget, ...)")
        plan = {}
    _unknown_keys("plan.yml: plan", plan, PLAN_KEYS, problems)
    _check_texts("plan.yml: plan", plan, problems)
    if "period" not in plan:
        problems.append("plan.yml: plan.period mangler, fx {start: 2022-02-01, end: 2026-01-31}")
        period = None
    else:
        period = parse_period(plan["period"], problems)
    budget = plan.get("budget", {})
    if not isinstance(budget, dict):
        problems.append("plan.yml: plan.budget skal være en mapping (lbf, local, total)")
    else:
        _unknown_keys("plan.yml: plan.budget", budget, BUDGET_KEYS, problems)
        for k in ("lbf", "local", "total"):
            if k in budget and not (_is_number(budget[k]) and budget[k] >= 0):
                problems.append(f"plan.yml: plan.budget.{k} er {_show(budget[k])}, men skal være et tal ≥ 0 (kr.)")
    for key in ("areas", "register_measures"):
        if key in plan_doc and not isinstance(plan_doc[key], list):
            problems.append(f"plan.yml: '{key}' skal være en liste")
    return plan, period


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
        _unknown_keys(where, a, AREA_KEYS, problems)
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
                else:
                    _unknown_keys(f"{where}: activities, {act['id']}", act, ACTIVITY_KEYS, problems)
        budget = a.get("budget", {})
        if not isinstance(budget, dict):
            problems.append(f"{where}: 'budget' skal være en mapping (lbf, local, total)")
            ok = False
        else:
            _unknown_keys(f"{where}: budget", budget, BUDGET_KEYS, problems)
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
        _unknown_keys(where, m, MEASURE_KEYS, problems)
        if m.get("unit") is not None and m.get("unit") not in UNIT_LABELS_DA:
            problems.append(f"{where}: unit er {_show(m.get('unit'))}, men skal være en af "
                            f"{', '.join(UNIT_LABELS_DA)}")
        if m.get("direction") is not None and m.get("direction") not in ("up", "down"):
            problems.append(f"{where}: direction er {_show(m.get('direction'))}, men skal være 'up' eller 'down'")


def direction_problems(where: str, kind: str, direction, params: dict) -> list[str]:
    """A direction that contradicts its kind (issue 21: "højst 80 om året" written as ``annual_minimum`` with
    ``direction: down`` had its status reversed): the kind's allowed directions (``KIND_DIRECTIONS``), and for
    ``period_mean_change`` the sign of ``change``, for ``period_mean_max`` on the level ``max`` (down) or ``min``
    (up). The message names criterion, kind and direction and says what to write instead."""
    if direction not in ("up", "down") or kind not in KIND_DIRECTIONS:
        return []
    allowed = KIND_DIRECTIONS[kind]
    if direction not in allowed:
        hint = DIRECTION_SUGGESTIONS_DA.get(kind, f"skriv direction: {allowed[0]}")
        return [f"{where}: direction '{direction}' passer ikke med kind {kind}, som kun kan vurdere direction "
                f"{' eller '.join(repr(a) for a in allowed)} (med '{direction}' ville status blive vendt om); {hint}"]
    p = params or {}
    if kind == "period_mean_change" and _is_number(p.get("change")) and p.get("change") != 0:
        want = "up" if p["change"] > 0 else "down"
        if direction != want:
            return [f"{where}: direction '{direction}' passer ikke med kind {kind} og change {p['change']} "
                    f"({'en stigning' if want == 'up' else 'et fald'}); skriv direction: {want}"]
    if kind in ("period_mean_max", "ratio_to_comparison") and p.get("measure") != "gap" and ("max" in p) != ("min" in p):
        want = "down" if "max" in p else "up"
        if direction != want:
            key = "max" if "max" in p else "min"
            return [f"{where}: direction '{direction}' passer ikke med kind {kind} og params.{key} "
                    f"({'et loft' if key == 'max' else 'et gulv'}); skriv direction: {want}"
                    + (", eller brug params.min for et gulv" if key == "max" else ", eller brug params.max for et loft")]
    return []