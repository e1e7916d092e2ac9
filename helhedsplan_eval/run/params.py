"""The run's parameters: the plan's years, ``params/<year>.yml`` and what the notebooks declare.

A year must be one of the plan's (``params/plan.yml``, ``plan.period``); ``params/<year>.yml`` holds exactly
``evaluation_year``, ``data_dir`` and ``min_cell`` (every problem named at once, with the file and what was
expected); every key must be declared in some notebook's parameters cell, with a value of the declared type; each
notebook gets only the parameters it declares.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Iterable

from helhedsplan_eval.formatting import short_repr
from helhedsplan_eval.paths import PACKAGE_DIR, project_root, resolve_path
from helhedsplan_eval.run.errors import RunError, UsageError, _display_path, _short


def default_notebooks_dir() -> Path:
    return project_root() / "notebooks"


def default_params_dir() -> Path:
    """The active plan folder (``--plan``; default: the project's params/), see :func:`helhedsplan_eval.paths.params_dir`."""
    from helhedsplan_eval.paths import params_dir

    return params_dir()


def params_file(year: int, params_dir: Path | None = None) -> Path:
    return Path(params_dir or default_params_dir()) / f"{year}.yml"


#: The keys of params/<year>.yml: what each must be (Danish, for messages).
PARAM_KEYS = {
    "evaluation_year": "et helt tal (int): evalueringsåret, som i filnavnet",
    "data_dir": "en tekst (str): datamappen, relativ til projektmappen eller absolut",
    "min_cell": "et helt tal (int) på mindst 1: antal under det vises som \"<min_cell\"",
}


def _plan_params_dir(params_dir: str | os.PathLike | None = None) -> Path:
    """The folder whose plan.yml gives the plan's years: ``params_dir`` if it holds one, else the
    project's params/ (test set-ups may have only <year>.yml files)."""
    for cand in (params_dir, default_params_dir(), PACKAGE_DIR.parent / "params"):
        if cand is not None and (Path(cand) / "plan.yml").is_file():
            return Path(cand)
    return default_params_dir()


def plan_range(params_dir: str | os.PathLike | None = None) -> tuple[int, int]:
    from helhedsplan_eval.paths import plan_years

    try:
        return plan_years(_plan_params_dir(params_dir))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_year(year, params_dir: str | os.PathLike | None = None) -> int:
    """``year`` as int if it is one of the plan's years (params/plan.yml), else :class:`UsageError`."""
    from helhedsplan_eval.paths import year_problem

    plan_range(params_dir)
    problem = year_problem(year, _plan_params_dir(params_dir))
    if problem:
        raise UsageError(problem[0].upper() + problem[1:])
    return int(year)


def unknown_keys(mapping: dict, known, where: str) -> list[str]:
    """One problem per key of ``mapping`` that is not in ``known`` (in its order), with the closest known key as a
    suggestion: "<where>: ukendt nøgle 'titel' (gyldige nøgler: file, title); mente du 'title'?"."""
    known = list(known)
    problems = []
    for key in mapping:
        if key not in known:
            hint = difflib.get_close_matches(str(key), known, n=1)
            also = f"; mente du {hint[0]!r}?" if hint else "."
            problems.append(f"{where}: ukendt nøgle {short_repr(key)} (gyldige nøgler: {', '.join(known)}){also}")
    return problems


def validate_params(raw, year: int, source: str) -> list[str]:
    """Every problem of a parameter file's content at once (file, key, value, what is expected)."""
    if raw is None:
        return [f"{source}: filen er tom; den skal indeholde nøglerne {', '.join(PARAM_KEYS)}."]
    if not isinstance(raw, dict):
        return [f"{source}: filen skal indeholde nøgle: værdi-par (en YAML-mapping), "
                f"fandt {type(raw).__name__}; gyldige nøgler: {', '.join(PARAM_KEYS)}."]
    problems = unknown_keys(raw, PARAM_KEYS, source)
    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)
    if "evaluation_year" in raw:
        v = raw["evaluation_year"]
        start, end = plan_range()
        if not is_int(v):
            problems.append(f"{source}: evaluation_year = {short_repr(v)} er ikke et helt år (forventet et helt tal {start}-{end}).")
        elif not start <= v <= end:
            problems.append(f"{source}: evaluation_year = {v} ligger uden for helhedsplanens år {start}-{end}.")
        elif v != year:
            problems.append(f"{source}: evaluation_year er {short_repr(v)}, men kørslen gælder {year} "
                            "(evaluation_year skal være filens år).")
    if "min_cell" in raw:
        v = raw["min_cell"]
        if not is_int(v) or v < 1:
            problems.append(f"{source}: min_cell = {short_repr(v)} er ugyldig (forventet {PARAM_KEYS['min_cell']}).")
    if "data_dir" in raw:
        v = raw["data_dir"]
        if not isinstance(v, str) or not v.strip():
            problems.append(f"{source}: data_dir = {short_repr(v)} er ugyldig (forventet {PARAM_KEYS['data_dir']}).")
    return problems


def load_params(year: int, params_dir: Path | None = None, data_dir: str | os.PathLike | None = None) -> dict:
    """The parameters of ``year`` from ``params/<year>.yml`` with an absolute ``data_dir``.

    ``data_dir`` in the YAML is relative to the project root; ``data_dir`` given here (the
    CLI's ``--data``) overrides it and is resolved against the current directory first.
    Raises :class:`UsageError` naming every problem of the file at once."""
    import yaml

    from helhedsplan_eval.yaml_io import safe_load

    path = params_file(year, params_dir)
    source = _display_path(path)
    if not path.is_file():
        raise UsageError(
            f"Parameterfilen {source} findes ikke; "
            f"opret den med evaluation_year, data_dir og min_cell."
        )
    try:
        raw = safe_load(path.read_text(encoding="utf-8"), source)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UsageError(f"Parameterfilen {source} kan ikke læses som YAML: {_short(exc)}") from None
    problems = validate_params(raw, int(year), source)
    if problems:
        raise UsageError("Parameterfilen er ugyldig:\n" + "\n".join(f"  - {p}" for p in problems))
    params = dict(raw)
    params["evaluation_year"] = int(year)
    params.setdefault("min_cell", 5)
    if data_dir is not None:
        resolved = resolve_path(data_dir)
        given = str(data_dir)
    elif params.get("data_dir") is not None:
        raw_dir = Path(str(params["data_dir"])).expanduser()
        resolved = raw_dir if raw_dir.is_absolute() else (project_root() / raw_dir)
        given = str(params["data_dir"])
    else:
        raise UsageError(f"{source}: data_dir mangler, og --data er ikke givet "
                         f"(gyldige nøgler: {', '.join(PARAM_KEYS)}).")
    resolved = Path(os.path.abspath(resolved)).resolve()
    if not resolved.exists():
        raise RunError(f"Datamappen {given} findes ikke ({_display_path(resolved)}).")
    if not resolved.is_dir():
        raise RunError(f"Datamappen {given} er ikke en mappe ({_display_path(resolved)}).")
    params["data_dir"] = str(resolved)
    return params


def declared_parameters(notebooks: Iterable[Path]) -> dict[Path, dict]:
    """``{notebook: {name: {"inferred_type_name", "default", "help"}}}`` from each parameters cell."""
    import papermill as pm

    out = {}
    for nb in notebooks:
        try:
            out[Path(nb)] = dict(pm.inspect_notebook(str(nb)))
        except Exception as exc:  # not JSON, not a notebook
            raise RunError(
                f"Notesbogen {nb} kan ikke læses: {type(exc).__name__}: {_short(exc)}"
            ) from None
    return out


_TYPE_CHECKS = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}


def check_params(params: dict, declared: dict[Path, dict], source: str = "parameterfilen") -> None:
    """Fail on a key no notebook declares (papermill would only warn) and on a value whose type
    contradicts a notebook's annotation (``min_cell: int = 5`` given ``"fem"``)."""
    known = set().union(*(set(d) for d in declared.values())) if declared else set()
    problems = []
    for key in params:
        if key not in known:
            hint = difflib.get_close_matches(key, sorted(known), n=1)
            also = f" Mente du {hint[0]!r}?" if hint else ""
            problems.append(
                f"{source}: parameteren {short_repr(key)} bruges ikke af nogen notesbog "
                f"(parametre, notesbøgerne kender: {', '.join(sorted(known)) or 'ingen'}).{also}"
            )
    for nb, decl in declared.items():
        for key, info in decl.items():
            if key not in params:
                continue
            check = _TYPE_CHECKS.get(str(info.get("inferred_type_name", "")).strip())
            if check is not None and params[key] is not None and not check(params[key]):
                problems.append(
                    f"{source}: {key} = {short_repr(params[key])} passer ikke til typen {info['inferred_type_name']} "
                    f"i {nb.name}."
                )
    if problems:
        raise RunError("\n".join(dict.fromkeys(problems)))


def params_for(params: dict, declared: dict) -> dict:
    """Only the parameters one notebook declares."""
    return {k: v for k, v in params.items() if k in declared}


def available_years(params_dir: Path | None = None) -> list[int]:
    """Years with a ``params/<year>.yml``."""
    pdir = Path(params_dir or default_params_dir())
    return sorted(int(p.stem) for p in pdir.glob("*.yml") if p.stem.isdigit() and len(p.stem) == 4)


def plan_parameter(declared: dict) -> dict:
    """``plan_dir`` for a notebook that declares it, when the run's plan is not the default params/ (whose notebooks'
    own default it is: the default plan's notebooks get the same parameters as before)."""
    from helhedsplan_eval.paths import default_plan_dir, params_dir

    if "plan_dir" not in declared or params_dir() == default_plan_dir():
        return {}
    return {"plan_dir": str(params_dir())}
