"""Issue 21, the run and its publication: nothing unchecked on a board page, a clean end whatever ends a run, an
atomic swap, scrubbed failed notebooks, a worker crash that costs only its own notebook, and what
``--allow-data-errors`` published over.

The runs here are as small as they can be: one notebook (a fixture notebook of tests/fixtures/notebooks/, or one
real notebook where the point is the real notebook) on the tiny fixture data.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from helhedsplan_eval.run import runner
from helhedsplan_eval.run.runner import NotebookSpec

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
FIXTURE_NB = ROOT / "tests" / "fixtures" / "notebooks"


def _pdf_text(path: Path) -> str:
    import pypdf

    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


# ------------------------------------------------------------------ 1. only checked output reaches a board page


RAW_CELLS = [
    'print("RÅ-UDSKRIFT", "P00001")',  # what a researcher adds: a print …
    'import pandas as pd\npd.DataFrame({"person_id": ["P00001", "P00002"], "alder": [17, 19]})',  # … a bare frame …
    'import matplotlib.pyplot as plt\nplt.plot([2017, 2018], [3, 4])\nplt.title("HÅNDLAVET")\nplt.show()',  # … a chart
]


def test_a_researchers_cells_stay_off_the_board_page_and_the_pdf(tmp_path, capsys):
    nbs = tmp_path / "nb"
    nbs.mkdir()
    name = "tryghed_og_trivsel.ipynb"  # the area notebook, run for the plan's first area (its area_id default)
    nb = nbformat.read(ROOT / "notebooks" / "indsatsomraade.ipynb", as_version=4)
    n_before = len(nb.cells)
    new = [nbformat.v4.new_code_cell(src) for src in RAW_CELLS]
    for i, cell in enumerate(new):
        cell.id = f"forsker-{i}"
    nb.cells[13:13] = new  # cells 14, 15 and 16 of the notebook the researcher edits
    nbformat.write(nb, nbs / name)

    folder = runner.run_year(2020, data_dir=TINY, out_root=tmp_path / "out", jobs=1, notebooks_dir=nbs,
                             notebooks=[NotebookSpec(name, "Tryghed og trivsel")], progress=False)

    expected = [f"{name}, celle {n}: output ikke vist for bestyrelsen" for n in (14, 15, 16)]
    err = capsys.readouterr().err
    assert [ln for ln in err.splitlines() if "ikke vist" in ln] == [f"2020: {e}" for e in expected]
    log = (folder / runner.LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert [ln for ln in log if "ikke vist" in ln] == [f"2020: {e}" for e in expected]

    page = (folder / "tryghed_og_trivsel.html").read_text(encoding="utf-8")
    pdf = _pdf_text(folder / "bestyrelsespakke_2020.pdf")
    for raw in ("RÅ-UDSKRIFT", "P00001", "person_id", "HÅNDLAVET", 'alt="Figur"'):
        assert raw not in page and raw not in pdf, raw
    assert all(a.startswith("Diagram for ") for a in re.findall(r'<img alt="([^"]*)"', page))  # the package's own
    assert "Succeskriterierne ét for ét" in page and "Tryghed og trivsel" in pdf  # the page itself is all there

    kept = nbformat.read(folder / "notebooks" / name, as_version=4)
    assert len(kept.cells) == n_before + 3 + 1  # + the injected parameters
    outputs = {c.id: c.outputs for c in kept.cells if c.cell_type == "code"}
    assert "RÅ-UDSKRIFT P00001" in str(outputs["forsker-0"])
    assert "P00002" in str(outputs["forsker-1"])
    assert any("image/png" in o.get("data", {}) for o in outputs["forsker-2"])


# ------------------------------------------------------------------ 2. whatever ends a run, the user sees our message

DRIVER = '''
import os, signal, sys, time
from pathlib import Path
from helhedsplan_eval import cli
from helhedsplan_eval.run import command, runner
from helhedsplan_eval.run.notebook_list import NotebookSpec

fixture_nb, data, out, mode = sys.argv[1:5]
real_run_years = command.run_years


def run_years(years, jobs, lines=True, **kwargs):  # the command line's run, on one small fixture notebook
    return real_run_years(years, jobs, lines, notebooks=[NotebookSpec("side.ipynb", "Side")],
                          notebooks_dir=Path(fixture_nb), **kwargs)


def ctrl_c(*args, **kwargs):  # what the terminal does: SIGINT to the whole foreground process group
    os.killpg(os.getpgid(0), signal.SIGINT)
    time.sleep(60)


def read_only(*args, **kwargs):
    raise OSError(30, "Read-only file system", out)


command.run_years = run_years
if mode == "pdf":  # whichever function the runner calls to put the pack together
    import importlib
    for module, name in (("helhedsplan_eval.report.pdf_assemble", "assemble_pack"),
                         ("helhedsplan_eval.report.pdf", "build_board_pdf")):
        try:
            module = importlib.import_module(module)
        except ImportError:
            continue
        if hasattr(module, name):
            setattr(module, name, ctrl_c)
elif mode == "after-notebooks":
    runner.write_status_tables = ctrl_c
elif mode == "read-only":
    runner._make_tmp = read_only

if __name__ == "__main__":
    sys.exit(cli.main(["run", "--year", "2018", "--data", data, "--out", out, "--jobs", "2"]))
'''


def _page(path: Path, *codes: str) -> None:
    """A small board page: the three run parameters, then ``codes`` (default: one line through the package)."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    params = nbformat.v4.new_code_cell('evaluation_year: int = 2020\ndata_dir: str = "data"\nmin_cell: int = 5',
                                       metadata={"tags": ["parameters"]})
    codes = codes or ('from helhedsplan_eval.report import board as report\n'
                      'report.markdown(f"Side for {evaluation_year}")',)
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in codes]
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    nbformat.write(nb, path)


def _drive(tmp_path: Path, mode: str):
    """Run ``helhedsplan-eval run`` in its own process group (as a terminal would), interrupted or failing where
    ``mode`` says; returns (exit code, stdout, stderr, output folder)."""
    import subprocess
    import sys

    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    nbs = tmp_path / "nb"
    nbs.mkdir()
    _page(nbs / "side.ipynb")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(driver), str(nbs), str(TINY), str(out), mode],
                          capture_output=True, text=True, timeout=300, start_new_session=True, cwd=ROOT)
    return proc.returncode, proc.stdout, proc.stderr, out


@pytest.mark.parametrize("mode", ["pdf", "after-notebooks"])
def test_ctrl_c_in_the_last_steps_ends_with_only_our_message(tmp_path, mode):
    rc, _, err, out = _drive(tmp_path, mode)
    assert rc == 130
    assert err.strip() == "Afbrudt; tidligere rapporter er uændrede.", err  # no resource_tracker, no KeyError
    assert not (out / "2018").exists() and not list(out.glob(".2018.*"))


def test_a_read_only_output_folder_ends_with_only_our_message(tmp_path):
    rc, _, err, out = _drive(tmp_path, "read-only")
    assert rc == 1
    assert err.strip() == f"Fejl: {out} kan kun læses.", err


# ------------------------------------------------------------------ 3. the swap of a new report is atomic for signals


def _small_run(out: Path, nbs: Path, year: int = 2020) -> Path:
    return runner.run_year(year, data_dir=TINY, out_root=out, jobs=1, notebooks_dir=nbs,
                           notebooks=[NotebookSpec("side.ipynb", "Side")], progress=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def old_report(tmp_path_factory):
    """A published 2020 report of the small page, and the notebooks folder it was made from."""
    base = tmp_path_factory.mktemp("swap")
    nbs = base / "nb"
    nbs.mkdir()
    _page(nbs / "side.ipynb")
    folder = _small_run(base / "out", nbs)
    return base / "out", nbs, _files(folder)


def _signal_at(monkeypatch, step: str, signum) -> list:
    """Send ``signum`` to this process at ``step`` of publishing (just before the step does its work)."""
    import os
    import shutil as shutil_module

    from helhedsplan_eval.report import history

    sent = []

    def fire(what):
        if what == step and not sent:
            sent.append(what)
            os.kill(os.getpid(), signum)

    real_rename, real_rmtree = Path.rename, shutil_module.rmtree
    real_history, real_failed = history.publish_history, runner.remove_failed_notebooks

    def rename(self, target):
        fire("old aside" if self.name == "2020" else "new in" if self.name.startswith(".2020.tmp-") else "")
        return real_rename(self, target)

    def rmtree(path, *args, **kwargs):
        fire("old removed" if Path(path).name.startswith(".2020.old-") else "")
        return real_rmtree(path, *args, **kwargs)

    def publish_history(*args, **kwargs):
        fire("history")
        return real_history(*args, **kwargs)

    def remove_failed(*args, **kwargs):
        fire("failed notebooks")
        return real_failed(*args, **kwargs)

    monkeypatch.setattr(Path, "rename", rename)
    monkeypatch.setattr(shutil_module, "rmtree", rmtree)
    monkeypatch.setattr(history, "publish_history", publish_history)
    monkeypatch.setattr(runner, "remove_failed_notebooks", remove_failed)
    return sent


@pytest.mark.parametrize("step,signame", [("old aside", "SIGINT"), ("new in", "SIGINT"), ("old removed", "SIGINT"),
                                          ("history", "SIGTERM"), ("failed notebooks", "SIGINT")])
def test_an_interruption_at_any_step_of_publishing_leaves_one_complete_report(old_report, tmp_path, monkeypatch,
                                                                              step, signame):
    import signal

    out_old, nbs, old_files = old_report
    out = tmp_path / "out"
    shutil.copytree(out_old, out)
    sent = _signal_at(monkeypatch, step, getattr(signal, signame))
    with pytest.raises(KeyboardInterrupt) as info:  # SIGTERM arrives as RunInterrupted, a KeyboardInterrupt
        _small_run(out, nbs)
    assert sent == [step]
    monkeypatch.undo()
    # the new report is complete: every file of a report, the new run's own provenance, nothing of the old left
    new_files = _files(out / "2020")
    assert set(new_files) == set(old_files)
    assert new_files["provenance.json"] != old_files["provenance.json"]
    assert sorted(p.name for p in out.iterdir()) == ["2020", "historik", "index.html"]  # no .2020.old-*/.tmp-*
    assert len(list((out / "historik").glob("status_2020_*.csv"))) == 2  # its history was stored too
    assert info.value.published == out / "2020"


def test_an_exception_while_the_new_report_moves_in_restores_the_old_one(old_report, tmp_path, monkeypatch):
    # not a signal (those wait): anything raised between moving the old report aside and moving the new one in
    out_old, nbs, old_files = old_report
    out = tmp_path / "out"
    shutil.copytree(out_old, out)
    real_rename = Path.rename

    def rename(self, target):
        if self.name.startswith(".2020.tmp-"):
            raise KeyboardInterrupt
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        _small_run(out, nbs)
    monkeypatch.undo()
    assert _files(out / "2020") == old_files
    assert sorted(p.name for p in out.iterdir()) == ["2020", "historik", "index.html"]


# ------------------------------------------------------------------ 4. a failed run's kept notebooks are scrubbed


def test_the_failed_runs_kept_notebooks_carry_no_absolute_path(tmp_path):
    data = tmp_path / "data"  # outside the project: shown as a placeholder
    shutil.copytree(TINY, data)
    nbs = tmp_path / "nb"
    nbs.mkdir()
    _page(nbs / "side.ipynb", 'from pathlib import Path\nprint("data:", Path(data_dir).resolve(), Path.cwd())\n'
                              'open(Path(data_dir).resolve() / "findes-ikke.csv")')
    with pytest.raises(runner.RunError, match="FileNotFoundError"):
        runner.run_year(2020, data_dir=data, out_root=tmp_path / "out", jobs=1, notebooks_dir=nbs,
                        notebooks=[NotebookSpec("side.ipynb", "Side")], progress=False)
    kept = tmp_path / "out" / "2020.failed" / "side.ipynb"
    text = kept.read_text(encoding="utf-8")
    assert "findes-ikke.csv" in text and "<datamappe uden for projektet>" in text  # the error is there, made safe
    for absolute in (str(tmp_path), str(ROOT), str(Path.home()) + "/"):
        assert absolute not in text, absolute
    nb = nbformat.read(kept, as_version=4)
    assert "papermill" not in nb.metadata and all("papermill" not in c.metadata for c in nb.cells)


# ------------------------------------------------------------------ 5. a worker crash costs only its own notebook


def test_a_worker_crash_costs_only_its_notebook_not_the_year_queued_behind_it(tmp_path, capsys):
    from helhedsplan_eval.run import command

    nbs = tmp_path / "nb"
    nbs.mkdir()
    _page(nbs / "side.ipynb")
    # kills the worker running it (the kernel's parent may be the kernels' template: JPY_PARENT_PID is the process
    # that asked for the kernel, the worker)
    _page(nbs / "nedbrud.ipynb", "import os, signal\nif evaluation_year == 2019:\n"
                                 "    os.kill(int(os.environ['JPY_PARENT_PID']), signal.SIGKILL)")
    out = tmp_path / "out"
    specs = [NotebookSpec("nedbrud.ipynb", "Nedbrud"), NotebookSpec("side.ipynb", "Side")]
    status = command.run_years([2019, 2020], 2, lines=True, data_dir=TINY, out_root=out, notebooks=specs,
                               notebooks_dir=nbs)  # pipelined: 2020's notebooks are queued behind 2019's
    captured = capsys.readouterr()
    assert status == 1
    failures = [ln.strip() for ln in captured.err.splitlines() if ln.strip().startswith("- ")]
    assert len(failures) == 1 and failures[0].startswith(
        "- nedbrud.ipynb: arbejdsprocessen stoppede uventet, mens notesbogen kørte (BrokenProcessPool"), captured.err
    assert not (out / "2019").exists()
    assert (out / "2020" / "index.html").is_file()  # the year behind it was published
    log = (out / "2020" / runner.LOG_NAME).read_text(encoding="utf-8")
    assert "nedbrud.ipynb – ok" in log and "side.ipynb – ok" in log
    assert "Færdig 2020 (år 2 af 2)" in captured.out


# ------------------------------------------------------------------ 6. what --allow-data-errors published over


def test_allow_data_errors_says_on_the_terminal_what_it_published_over(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "leisure_jobs.csv").write_text(  # two rows with an error each; the source then feeds no criterion
        "job_id,established_date,type,established_by\nJ1,2017-04-01,fritidsjob,frivillig\n"
        "J2,ikke-en-dato,fritidsjob,frivillig\nJ3,2018-13-01,fritidsjob,frivillig\n", encoding="utf-8")
    nbs = tmp_path / "nb"
    nbs.mkdir()
    _page(nbs / "side.ipynb")
    folder = runner.run_year(2020, data_dir=data, out_root=tmp_path / "out", jobs=1, notebooks_dir=nbs,
                             notebooks=[NotebookSpec("side.ipynb", "Side")], progress=False, allow_data_errors=True)
    expected = [
        "2020: Udgives trods datafejl (--allow-data-errors): 2 fejl i 1 kilde, som er udeladt: "
        "leisure_jobs.csv (2 fejl).",
        # params/criteria.yml: KP-MEN-1 is the one criterion whose indicator (leisure_jobs_established) reads it
        "2020: 1 kriterium bygger på en udeladt kilde (de viser Afventer data, hvis de ikke har andre data): KP-MEN-1.",
    ]
    assert [ln for ln in capsys.readouterr().err.splitlines() if "datafejl" in ln or "udeladt kilde" in ln] == expected
    log = (folder / runner.LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert log[:2] == expected
