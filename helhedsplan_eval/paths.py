"""Locating the project's folders (params/, data/, notebooks/) robustly.

Notebooks run with the notebook folder as working directory (papermill, nbval, JupyterLab),
the CLI runs wherever the evaluator stands. Relative paths are therefore resolved against,
in turn: the current directory and the project root (the folder that holds ``params/``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


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
