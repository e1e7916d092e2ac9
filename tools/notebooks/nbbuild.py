"""Shared by the notebook builders in this folder: one way to assemble and write a notebook.

Every notebook gets the same kernelspec (``python3``), fixed cell ids (so diffs and rendered HTML
stay stable) and is validated before it is written without outputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def make_notebook(cells: Iterable[tuple[str, str, str, Iterable[str] | None]]) -> nbformat.NotebookNode:
    """``cells``: (kind 'md' or 'code', cell id, source, tags or None)."""
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for kind, cell_id, src, tags in cells:
        cell = new_markdown_cell(src) if kind == "md" else new_code_cell(src)
        cell.id = cell_id
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
