"""Locating the project's folders (params/, data/, notebooks/) robustly.

Notebooks run with the notebook folder as working directory (papermill, nbval, JupyterLab),
the CLI runs wherever the evaluator stands. Relative paths are therefore resolved against,
in turn: the current directory and the project root (the folder that holds ``params/``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: HTML templates and the board stylesheet (nbconvert template ``board``).
TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"
BOARD_TEMPLATE = "board"
#: The marker field of provenance.json that makes a folder "a report of this runner": only such a
#: folder is ever replaced by a run.
GENERATOR = "helhedsplan-eval run"


def project_root() -> Path:
    """The project root: ``$HELHEDSPLAN_ROOT`` if set, else the parent of the package folder
    when it holds ``params/``, else the current directory."""
    env = os.environ.get("HELHEDSPLAN_ROOT")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parent
    if (candidate / "params").is_dir():
        return candidate
    return Path.cwd().resolve()


def params_dir() -> Path:
    return project_root() / "params"


def resolve_path(path: str | os.PathLike) -> Path:
    """Resolve a user-given path: absolute as is; relative against the cwd if it exists there,
    otherwise against the project root."""
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    if (Path.cwd() / p).exists():
        return (Path.cwd() / p).resolve()
    return (project_root() / p).resolve()


def plan_years(params: str | os.PathLike | None = None) -> tuple[int, int]:
    """The plan's first and last year from ``params/plan.yml`` (``plan.period.start``/``end``)."""
    import yaml

    path = Path(params or params_dir()) / "plan.yml"
    try:
        from helhedsplan_eval.yaml_io import safe_load

        data = safe_load(path.read_text(encoding="utf-8"), str(path)) or {}
        period = data["plan"]["period"]
        start, end = int(period["start"]), int(period["end"])
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: plan.period.start/end kan ikke læses ({type(exc).__name__}: {exc})") from None
    return start, end


def year_problem(year, params: str | os.PathLike | None = None) -> str | None:
    """A Danish message if ``year`` is not one of the plan's years (params/plan.yml), else None."""
    start, end = plan_years(params)
    if isinstance(year, bool) or not isinstance(year, int) or not start <= year <= end:
        return (f"året {year} ligger uden for helhedsplanens år; "
                f"gyldige år er {start}-{end} (params/plan.yml, plan.period).")
    return None


def argument_problems(year, min_cell, data, data_name: str = "data_dir", year_name: str = "evaluation_year",
                      accept=()) -> tuple[list[str], object]:
    """The one check of (year, min_cell, data folder) that notebooks (papermill parameters) and the researcher API
    share: every problem as a Danish sentence, and the data folder resolved (or ``data`` itself when it is an
    instance of one of ``accept``, e.g. an already loaded bundle)."""
    from helhedsplan_eval.formatting import short_repr

    problems = []
    if isinstance(year, bool) or not isinstance(year, int):
        problems.append(f"{year_name} skal være et helt tal (et af planens år), ikke {short_repr(year)}")
    elif problem := year_problem(year):
        problems.append(f"{year_name}: {problem.rstrip('.')}")
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        problems.append(f"min_cell skal være et helt tal ≥ 1, ikke {short_repr(min_cell)}")
    where = data
    if not (accept and isinstance(data, tuple(accept))):
        if isinstance(data, bool) or not isinstance(data, (str, os.PathLike)) or not str(data):
            problems.append(f"{data_name} skal være en datamappe, ikke {short_repr(data)}")
        else:
            where = resolve_path(data)
            if not where.is_dir():
                problems.append(f"datamappen {data} findes ikke ({where})")
    return problems, where


def is_within(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """True if ``path`` is ``folder`` or lies inside it (both resolved: symlinks and '..')."""
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or f in p.parents
