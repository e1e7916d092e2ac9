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


#: The environment variable naming the active plan folder (``--plan DIR``); worker processes and kernels inherit it.
PLAN_ENV = "HELHEDSPLAN_PLAN"


def default_plan_dir() -> Path:
    """The bundled default plan: the project's ``params/``."""
    return project_root() / "params"


def params_dir() -> Path:
    """The active plan folder (``plan.yml``, ``criteria.yml``, ``<år>.yml``): ``$HELHEDSPLAN_PLAN`` if set (see
    :func:`use_plan`), else the project's ``params/``."""
    env = os.environ.get(PLAN_ENV)
    if env:
        return resolve_path(env)
    return default_plan_dir()


def use_plan(plan: str | os.PathLike | None) -> Path:
    """Make ``plan`` (a plan folder; None: the default ``params/``) the active plan of this process and of the
    processes it starts; returns the folder."""
    if plan is None or resolve_path(plan) == default_plan_dir():
        os.environ.pop(PLAN_ENV, None)
        return default_plan_dir()
    where = resolve_path(plan)
    os.environ[PLAN_ENV] = str(where)
    return where


def plan_label(plan: str | os.PathLike | None = None) -> str:
    """How messages name a plan folder's plan.yml: relative to the project root where it lies inside it."""
    where = Path(plan) if plan else params_dir()
    try:
        return str((where.resolve() / "plan.yml").relative_to(project_root()))
    except ValueError:
        return str(where / "plan.yml")


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
    """The plan's first and last plan year from ``plan.yml`` (``plan.period``; see
    :class:`helhedsplan_eval.catalogue.period.PlanPeriod`)."""
    from helhedsplan_eval.catalogue.period import plan_period

    period = plan_period(params)
    return period.first_year, period.last_year


def year_problem(year, params: str | os.PathLike | None = None) -> str | None:
    """A Danish message if ``year`` is not one of the plan's years (plan.yml), else None."""
    from helhedsplan_eval.catalogue.period import plan_period

    period = plan_period(params)
    start, end = period.first_year, period.last_year
    if isinstance(year, bool) or not isinstance(year, int) or not start <= year <= end:
        labels = "" if period.calendar else f", planårene {period.span()}"
        return (f"året {year} ligger uden for helhedsplanens år; "
                f"gyldige år er {start}-{end}{labels} ({plan_label(params)}, plan.period).")
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
