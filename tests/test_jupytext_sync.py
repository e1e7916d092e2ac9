"""The notebooks are the researcher's source: every ``notebooks/<name>.ipynb`` is paired with a Jupytext
percent-format script ``notebooks/<name>.py``, both are committed, and they must say the same thing.

A researcher may edit either file in JupyterLab (with the Jupytext extension both are saved together) or run
``jupytext --sync notebooks/*.ipynb`` after editing one of them by hand. These tests fail when the two drift
apart, when an ``.ipynb`` is committed with outputs, or when a notebook grows its own functions (logic belongs
in the package).
"""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("*.ipynb"))
SCRIPTS = sorted(NOTEBOOKS.glob("*.py"))
FIX = "run `python3 dev.py sync` (= jupytext --sync notebooks/*.ipynb; the newer file wins)"


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    """What a reader sees of each cell: kind, source (without trailing blank lines) and tags."""
    return [(c.cell_type, c.source.rstrip("\n"), list(c.metadata.get("tags", []))) for c in nb.cells]


def test_there_are_notebooks_and_every_one_has_a_script_and_vice_versa():
    assert len(IPYNB) >= 5  # overview, change page, the area notebook (run once per area), FIT, survey
    assert {p.stem for p in IPYNB} == {p.stem for p in SCRIPTS}, (
        "each notebook needs its paired percent script and each script its notebook; "
        "pair a new notebook with `jupytext --set-formats ipynb,py:percent notebooks/<name>.ipynb`")


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_pair_is_declared_in_the_notebook_and_the_script(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    script = path.with_suffix(".py").read_text(encoding="utf-8")
    assert "#     formats: ipynb,py:percent" in script
    assert "# %%" in script  # percent format, readable as a plain script


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_pair_in_sync(path):
    from_ipynb = jupytext.read(path)
    from_script = jupytext.read(path.with_suffix(".py"))
    a, b = _cells(from_ipynb), _cells(from_script)
    assert len(a) == len(b), f"{path.name}: {len(a)} cells, {path.with_suffix('.py').name}: {len(b)}; {FIX}"
    for i, (ca, cb) in enumerate(zip(a, b)):
        assert ca == cb, f"{path.name}, cell {i + 1} differs from the paired script; {FIX}"


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code":
            assert c.outputs == [], f"{path.name}, cell {i + 1} has outputs; clear them before committing"
            assert c.execution_count is None, f"{path.name}, cell {i + 1} has an execution count"


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_parameters_cell_first_code_cell_with_the_run_parameters(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "papermill and the runner need one 'parameters' cell first"
    names = {n.target.id for n in ast.parse(code[0].source).body if isinstance(n, ast.AnnAssign)}
    assert {"evaluation_year", "data_dir", "min_cell"} <= names


@pytest.mark.parametrize("path", IPYNB, ids=lambda p: p.stem)
def test_notebook_is_thin_no_function_or_class_definitions(path):
    nb = nbformat.read(path, as_version=4)
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        tree = ast.parse(c.source)
        defs = [type(n).__name__ for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
        assert defs == [], f"{path.name}, cell {i + 1} defines {defs}: put the logic in the package"


def test_cell_ids_unique_and_stable():
    for path in IPYNB:
        nb = nbformat.read(path, as_version=4)
        ids = [c.id for c in nb.cells]
        assert len(set(ids)) == len(ids), path.name


def test_sync_test_detects_a_changed_script(tmp_path):
    # the check above can fail: an edit to the script alone is seen as a difference
    src = IPYNB[0]
    nb = jupytext.read(src)
    nb.cells[0].source += "\n\nEn ny sætning."
    jupytext.write(nb, tmp_path / "x.py", fmt="py:percent")
    assert _cells(jupytext.read(tmp_path / "x.py")) != _cells(jupytext.read(src))


@pytest.mark.parametrize("edited", ["py", "ipynb"])
def test_an_edit_to_either_file_survives_a_sync(tmp_path, edited):
    # the researcher's round trip: edit one file of a pair, sync (what JupyterLab's Jupytext does on save,
    # or `python3 dev.py sync`), and the change is in both files; the other cells keep their ids
    import os
    import shutil

    from jupytext.cli import jupytext as jupytext_cli

    name = "indsatsomraade"
    for ext in ("ipynb", "py"):
        shutil.copy(NOTEBOOKS / f"{name}.{ext}", tmp_path / f"{name}.{ext}")
    ids_before = [c.id for c in nbformat.read(tmp_path / f"{name}.ipynb", as_version=4).cells]
    target = tmp_path / f"{name}.{edited}"
    nb = jupytext.read(target)
    nb.cells.append(nbformat.v4.new_code_cell("k.evaluation.interval  # ny analyse"))
    jupytext.write(nb, target)
    t = max(p.stat().st_mtime for p in tmp_path.iterdir()) + 10
    os.utime(target, (t, t))  # the edited file is the newer one
    jupytext_cli(["--sync", str(tmp_path / f"{name}.ipynb")])
    for ext in ("ipynb", "py"):
        cells = _cells(jupytext.read(tmp_path / f"{name}.{ext}"))
        assert cells[-1] == ("code", "k.evaluation.interval  # ny analyse", []), ext
        assert cells[:-1] == _cells(jupytext.read(NOTEBOOKS / f"{name}.ipynb")), ext
    ids_after = [c.id for c in nbformat.read(tmp_path / f"{name}.ipynb", as_version=4).cells]
    assert ids_after[:-1] == ids_before


# ----------------------------------------------------------------------------- dev.py sync and dev.py lab (issue 21)


def _dev():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dev_sync_leaves_pairs_that_agree_alone_and_syncs_the_edited_one(tmp_path):
    # a newer jupytext must not rewrite the header of every script: only a pair whose files differ is synced
    import os
    import re
    import shutil
    import subprocess
    import sys

    for name in ("oversigt", "udvikling"):
        for ext in ("ipynb", "py"):
            shutil.copy(NOTEBOOKS / f"{name}.{ext}", tmp_path / f"{name}.{ext}")
        script = tmp_path / f"{name}.py"  # as an older jupytext wrote it
        script.write_text(re.sub(r"jupytext_version: \S+", "jupytext_version: 1.16.0",
                                 script.read_text(encoding="utf-8")), encoding="utf-8")
    edited = tmp_path / "udvikling.py"
    edited.write_text(edited.read_text(encoding="utf-8") + '\n# %%\nprint("ny celle")\n', encoding="utf-8")
    t = max(p.stat().st_mtime for p in tmp_path.iterdir()) + 10
    os.utime(edited, (t, t))  # the edited script is the newer file
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.stem == "oversigt"}

    proc = subprocess.run([sys.executable, str(ROOT / "dev.py"), "--sync-changed",
                           str(tmp_path / "oversigt.ipynb"), str(tmp_path / "udvikling.ipynb")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.stem == "oversigt"} == before  # left alone
    assert "oversigt.ipynb: notebook and script agree; left alone" in proc.stdout
    cells = _cells(jupytext.read(tmp_path / "udvikling.ipynb"))
    assert cells[-1] == ("code", 'print("ny celle")', [])  # the edit reached the notebook
    assert _cells(jupytext.read(edited)) == cells


def test_every_committed_pair_agrees_so_sync_leaves_it_alone():
    dev = _dev()
    assert all(dev.pair_unchanged(p) for p in IPYNB)


def test_dev_lab_starts_jupyterlab_on_the_notebooks_folder_with_the_projects_python():
    import subprocess
    import sys

    dev = _dev()
    cmd = [str(c) for c in dev.lab_command(Path("/env/bin/python"), ["--no-browser"])]
    assert cmd == ["/env/bin/python", "-m", "jupyterlab", f"--ServerApp.root_dir={NOTEBOOKS}", "--no-browser"]
    assert subprocess.run([sys.executable, "-m", "jupyterlab", "--version"], capture_output=True,
                          timeout=300).returncode == 0  # a declared dependency: there in the project's environment
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 dev.py lab" in readme
