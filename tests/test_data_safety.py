"""Data safety of the annual run and the command line (issue 9, "Data safety").

Every refusal is checked by its exact outcome: the exit code, a Danish message that names the
folder, key or valid range, and every file of the data folder and of the previous report
byte-identical (SHA-256 of every file before and after).

Most tests never start a kernel: the refusals happen before any notebook runs. They work in a
throwaway project laid out as the README describes it (``params/`` with plan.yml, ``data/2020/``
with the data, ``HELHEDSPLAN_ROOT`` pointing there). A few tests run small notebooks (written
here or in tests/fixtures/notebooks/) through the real runner.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from helhedsplan_eval import cli
from helhedsplan_eval.run import runner
from helhedsplan_eval.run.runner import GENERATOR, TMP_MARKER, NotebookSpec, RunError, UsageError

ROOT = Path(runner.__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
BROKEN = ROOT / "tests" / "fixtures" / "broken"
FIXTURE_NB = ROOT / "tests" / "fixtures" / "notebooks"


def tree_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (hidden files too; symlinks by their target)."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[rel + "/"] = "dir"
    return out


def fake_report(folder: Path, year: int = 2020) -> Path:
    """A previous report as the runner leaves it (its provenance.json carries the marker)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text("<p>forrige rapport</p>", encoding="utf-8")
    (folder / "provenance.json").write_text(
        json.dumps({"generator": GENERATOR, "evaluation_year": year}), encoding="utf-8")
    return folder


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root as the README's "Bringing real data" leaves it: data in data/2020/,
    params/2020.yml with data_dir: data/2020. The notebooks folder links to the real notebooks
    (the refusal tests never execute them)."""
    root = tmp_path / "proj"
    (root / "params").mkdir(parents=True)
    for name in ("plan.yml", "criteria.yml", "survey.yml"):
        shutil.copy(ROOT / "params" / name, root / "params" / name)
    for y in range(2017, 2021):
        (root / "params" / f"{y}.yml").write_text(
            f"evaluation_year: {y}\ndata_dir: data/2020\nmin_cell: 5\n", encoding="utf-8")
    shutil.copytree(TINY, root / "data" / "2020")
    (root / "notebooks").symlink_to(ROOT / "notebooks")
    monkeypatch.setenv("HELHEDSPLAN_ROOT", str(root))
    monkeypatch.chdir(root)
    return root


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(project: Path, args: list[str], capsys, *needles: str, code: int = 1) -> str:
    """Run the CLI; it must exit with ``code``, print every needle in a 'Fejl: …' message and
    leave every file of the project (data, params, previous reports) untouched."""
    before = tree_hashes(project)
    rc, out, err = run_cli(args, capsys)
    assert rc == code, (rc, out, err)
    assert err.startswith("Fejl: "), err
    assert "Traceback" not in err and "TypeError" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    assert tree_hashes(project) == before
    return err


# ------------------------------------------------------------------ 1. never write into the data


def test_readme_steps_literally_out_data_is_refused(project, capsys):
    # README: data in data/2020/, data_dir: data/2020 in params/2020.yml; then "--out data"
    err = assert_refused(project, ["run", "--year", "2020", "--out", "data"], capsys,
                         "indeholder datamappen data/2020", "intet er rørt")
    assert not (project / "data" / "2020.failed").exists()


def test_out_is_the_data_folder(project, capsys):
    assert_refused(project, ["run", "--year", "2020", "--out", "data/2020"], capsys,
                   "er eller ligger i datamappen data/2020")


def test_out_inside_the_data_folder(project, capsys):
    assert_refused(project, ["run", "--year", "2020", "--out", "data/2020/rapporter"], capsys,
                   "er eller ligger i datamappen data/2020")
    assert not (project / "data" / "2020" / "rapporter").exists()


def test_out_through_dotdot_and_symlink_is_resolved(project, capsys):
    (project / "genvej").symlink_to(project / "data")
    assert_refused(project, ["run", "--year", "2020", "--out", "outputs/../data"], capsys,
                   "indeholder datamappen data/2020")
    assert_refused(project, ["run", "--year", "2020", "--out", "genvej"], capsys,
                   "indeholder datamappen data/2020")
    assert_refused(project, ["run", "--year", "2020", "--out", "genvej/2020"], capsys,
                   "er eller ligger i datamappen data/2020")


def test_data_given_with_data_and_out_being_its_parent(project, capsys):
    shutil.copytree(TINY, project / "leverancer" / "2020")
    assert_refused(project, ["run", "--year", "2020", "--data", "leverancer/2020", "--out", "leverancer"],
                   capsys, "indeholder datamappen leverancer/2020")


@pytest.mark.parametrize("out,needle", [
    (".", "er selve projektmappen"),
    ("params", "parametermappen params/"),
    ("notebooks", "notesbogsmappen notebooks/"),
])
def test_project_root_params_and_notebooks_are_refused(project, capsys, out, needle):
    # the data lives elsewhere here, so only the protection of the project's own folders applies
    elsewhere = project.parent / "andre_data"
    shutil.copytree(TINY, elsewhere)
    assert_refused(project, ["run", "--year", "2020", "--data", str(elsewhere), "--out", out], capsys, needle)


def test_a_refused_output_folder_starts_no_kernel_and_a_good_run_starts_them_before_reading_the_notebooks(
        project, capsys, monkeypatch):
    # speed (issues 13, 22): the kernels' template starts importing as soon as the cheap checks (year, notebook
    # list, parameter file, output folder) have passed, while papermill reads the notebooks' parameters; the workers
    # are forked after that (they inherit what the runner imported) and start their kernels while the data are read;
    # a refused run starts nothing
    from helhedsplan_eval.run import execute

    events = []
    monkeypatch.setattr(execute.NotebookPool, "start_template", lambda self: events.append("template"))
    monkeypatch.setattr(execute.NotebookPool, "warm_up", lambda self: events.append("warm_up"))
    real = runner.declared_parameters
    monkeypatch.setattr(runner, "declared_parameters", lambda nbs: events.append("parameters") or real(nbs))
    assert_refused(project, ["run", "--year", "2020", "--out", "data/2020"], capsys, "datamappen data/2020")
    assert events == []

    def stop(run):  # after the checks: enough to see the order, nothing executed
        raise runner.RunError("stop here")

    monkeypatch.setattr(runner, "_read_data_and_status", stop)
    rc, _, err = run_cli(["run", "--year", "2020", "--out", str(project / "rapporter")], capsys)
    assert rc == 1 and "stop here" in err
    assert events == ["template", "parameters", "warm_up"]


def test_existing_year_folder_that_is_no_report_is_never_replaced(project, capsys):
    other = project / "andet"
    (other / "2020").mkdir(parents=True)
    (other / "2020" / "vigtigt.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    err = assert_refused(project, ["run", "--year", "2020", "--out", "andet"], capsys,
                         "andet/2020 findes, men er ikke en rapport fra helhedsplan-eval run",
                         f'"generator": "{GENERATOR}"')


def test_year_folder_with_foreign_or_wrong_year_provenance_is_not_a_report(project, capsys):
    out = project / "outputs"
    (out / "2020").mkdir(parents=True)
    (out / "2020" / "provenance.json").write_text(json.dumps({"package": "noget andet"}), encoding="utf-8")
    assert_refused(project, ["run", "--year", "2020"], capsys, "outputs/2020 findes, men er ikke en rapport")
    # a report of another year in the 2020 folder is not "the previous 2020 report" either
    fake_report(out / "2020", year=2019)
    assert not runner.is_report_folder(out / "2020", 2020)
    assert runner.is_report_folder(out / "2020", 2019)
    assert_refused(project, ["run", "--year", "2020"], capsys, "outputs/2020 findes, men er ikke en rapport")


def test_year_folder_that_is_a_symlink_or_a_file_is_refused(project, capsys):
    out = project / "outputs"
    out.mkdir()
    fake_report(project / "et_andet_sted" / "2020")
    (out / "2020").symlink_to(project / "et_andet_sted" / "2020")
    assert_refused(project, ["run", "--year", "2020"], capsys, "symbolsk link")
    (out / "2020").unlink()
    (out / "2020").write_text("en fil", encoding="utf-8")
    assert_refused(project, ["run", "--year", "2020"], capsys, "er ikke en rapportmappe")


# ------------------------------------------------------------------ 2. unusable data is not published


def test_missing_data_folder(project, capsys):
    assert_refused(project, ["run", "--year", "2020", "--data", "data/2021"], capsys,
                   "Datamappen data/2021 findes ikke")


def test_data_folder_that_is_a_file(project, capsys):
    assert_refused(project, ["run", "--year", "2020", "--data", "params/plan.yml"], capsys,
                   "Datamappen params/plan.yml er ikke en mappe")


def test_traversing_data_dir_in_params_is_refused(project, capsys):
    (project / "params" / "2020.yml").write_text(
        "evaluation_year: 2020\ndata_dir: ../../../../../../../../etc\nmin_cell: 5\n", encoding="utf-8")
    fake_report(project / "outputs" / "2020")
    assert_refused(project, ["run", "--year", "2020"], capsys,
                   "Datamappen /etc indeholder ingen af datakontraktens filer")


def test_validation_errors_refuse_the_run_and_keep_the_previous_report(project, capsys):
    (project / "data" / "2020" / "leisure_jobs.csv").write_text(
        "job_id,established_date,type,established_by\nJ1,2017-04-01,fritidsjob,frivillig\n"
        "J2,ikke-en-dato,fritidsjob,frivillig\n", encoding="utf-8")
    fake_report(project / "outputs" / "2020")
    err = assert_refused(project, ["run", "--year", "2020"], capsys,
                         "Data i data/2020 har 1 fejl", "Validering af data/2020: 1 fejl",
                         "Fejl: leisure_jobs.csv, række 3, kolonne 'established_date'",
                         "--allow-data-errors", "tidligere rapport er uændret")


def test_contract_files_are_only_the_sources_and_the_manifest(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "noter.txt").write_text("ikke data", encoding="utf-8")
    (data / "arkiv").mkdir()
    (data / "arkiv" / "leisure_jobs.csv").write_text("gammel", encoding="utf-8")
    (data / ".skjult.csv").write_text("x", encoding="utf-8")
    names = [p.name for p in runner.contract_files(data)]
    assert names == sorted(p.name for p in TINY.iterdir() if p.suffix in (".csv", ".yml"))
    assert "noter.txt" not in names and "arkiv" not in " ".join(names)
    inputs = runner._input_files(data)
    leisure = next(i for i in inputs if i["path"] == "leisure_jobs.csv")
    assert leisure["sha256"] == hashlib.sha256((TINY / "leisure_jobs.csv").read_bytes()).hexdigest()


# ------------------------------------------------------------------ 3. status


def test_status_prints_only_and_uses_the_years_params(project, capsys, monkeypatch):
    from helhedsplan_eval.analysis import evaluate

    (project / "params" / "2019.yml").write_text(
        "evaluation_year: 2019\ndata_dir: data/2020\nmin_cell: 10\n", encoding="utf-8")
    seen = {}
    real = evaluate.evaluate_year

    def spy(year, data, *a, min_cell=5, **kw):
        seen["year"], seen["data"], seen["min_cell"] = year, Path(data.data_dir), min_cell
        return real(year, data, *a, min_cell=min_cell, **kw)

    monkeypatch.setattr(evaluate, "evaluate_year", spy)
    before = tree_hashes(project)
    rc, out, err = run_cli(["status", "--year", "2019"], capsys)
    assert rc == 0, err
    assert seen == {"year": 2019, "data": (project / "data" / "2020").resolve(), "min_cell": 10}
    assert "TT" in out and "Skrevet" not in out
    assert tree_hashes(project) == before  # nothing written anywhere (no outputs/ either)


def test_status_passes_min_cell_to_the_table(project, capsys, monkeypatch):
    (project / "params" / "2020.yml").write_text(
        "evaluation_year: 2020\ndata_dir: data/2020\nmin_cell: 7\n", encoding="utf-8")
    seen = []
    real = runner.status_frame_for
    monkeypatch.setattr(runner, "status_frame_for", lambda res, m: seen.append(m) or real(res, m))
    rc, _, err = run_cli(["status", "--year", "2020"], capsys)
    assert rc == 0, err
    assert seen == [7]


def test_status_writes_only_with_out(project, capsys):
    rc, out, err = run_cli(["status", "--year", "2020", "--out", "tabeller"], capsys)
    assert rc == 0, err
    assert sorted(p.name for p in (project / "tabeller").iterdir()) == [
        "maalopfyldelse_2020.csv", "maalopfyldelse_2020.xlsx"]
    assert "Skrevet" in out


def test_status_refuses_a_run_report_folder_unless_forced(project, capsys):
    report = fake_report(project / "outputs" / "2020")
    (report / "maalopfyldelse_2020.csv").write_text("kørslens tabel", encoding="utf-8")
    assert_refused(project, ["status", "--year", "2020", "--out", "outputs/2020"], capsys,
                   "outputs/2020 er en rapportmappe", "--force")
    rc, _, err = run_cli(["status", "--year", "2020", "--out", "outputs/2020", "--force"], capsys)
    assert rc == 0, err
    assert (report / "maalopfyldelse_2020.csv").read_text(encoding="utf-8-sig").startswith("Id;")


def test_status_refuses_the_data_folder_as_out(project, capsys):
    assert_refused(project, ["status", "--year", "2020", "--out", "data/2020"], capsys,
                   "er eller ligger i datamappen data/2020")


# ------------------------------------------------------------------ 5. years


@pytest.mark.parametrize("command", [["run"], ["status"]])
@pytest.mark.parametrize("year", ["1900", "2016", "2021"])
def test_every_command_refuses_a_year_outside_the_plan(project, capsys, command, year):
    err = assert_refused(project, command + ["--year", year], capsys,
                         f"Året {year} ligger uden for helhedsplanens år; gyldige år er 2017-2020", code=2)


def test_valid_years_come_from_plan_yml(project, capsys):
    plan = project / "params" / "plan.yml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "period: {start: 2017, end: 2020}", "period: {start: 2018, end: 2019}"), encoding="utf-8")
    for command in (["run"], ["status"]):
        assert_refused(project, command + ["--year", "2017"], capsys, "gyldige år er 2018-2019", code=2)


# ------------------------------------------------------------------ 6. parameter files


def test_params_unknown_key_and_wrong_types_all_at_once(project, capsys):
    (project / "params" / "2020.yml").write_text(
        "evaluation_year: '2020'\ndata_dri: data/2020\nmin_cell: fem\n", encoding="utf-8")
    err = assert_refused(project, ["run", "--year", "2020"], capsys,
                         "params/2020.yml: ukendt nøgle 'data_dri' (gyldige nøgler: evaluation_year, data_dir, "
                         "min_cell); mente du 'data_dir'?",
                         "params/2020.yml: evaluation_year = '2020' er ikke et helt år",
                         "params/2020.yml: min_cell = 'fem' er ugyldig", code=2)
    assert err.count("params/2020.yml:") == 3
    # status reads the same file the same way
    assert_refused(project, ["status", "--year", "2020"], capsys, "ukendt nøgle 'data_dri'", code=2)


@pytest.mark.parametrize("content,needle", [
    ("", "params/2020.yml: filen er tom"),
    ("- 2020\n- data/2020\n", "params/2020.yml: filen skal indeholde nøgle: værdi-par (en YAML-mapping), fandt list"),
    ("evaluation_year: 2020\ndata_dir: data/2020\nmin_cell: 0\n", "min_cell = 0 er ugyldig (forventet et helt tal (int) på mindst 1"),
    ("evaluation_year: 2020\ndata_dir: data/2020\nmin_cell: true\n", "min_cell = True er ugyldig"),
    ("evaluation_year: 2020\ndata_dir: 5\nmin_cell: 5\n", "data_dir = 5 er ugyldig (forventet en tekst (str)"),
    ("evaluation_year: 2019\ndata_dir: data/2020\n", "evaluation_year er 2019, men kørslen gælder 2020"),
    ("evaluation_year: 2031\ndata_dir: data/2020\n", "evaluation_year = 2031 ligger uden for helhedsplanens år 2017-2020"),
    ("evaluation_year: [2020\n", "params/2020.yml kan ikke læses som YAML"),
])
def test_params_file_problems_are_named(project, capsys, content, needle):
    (project / "params" / "2020.yml").write_text(content, encoding="utf-8")
    assert_refused(project, ["run", "--year", "2020"], capsys, "params/2020.yml", needle, code=2)


# ------------------------------------------------------------------ 4. leftovers


def test_stale_temporary_folders_of_the_runner_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()

    def tmpdir(name, pid=None, marker=True):
        d = out / name
        d.mkdir()
        (d / "index.html").write_text("halv", encoding="utf-8")
        if marker:
            (d / TMP_MARKER).write_text(json.dumps({"generator": GENERATOR, "pid": pid, "year": 2020}))
        return d

    stale = tmpdir(".2020.tmp-aaaa", pid=dead.pid)
    running = tmpdir(".2020.tmp-bbbb", pid=os.getpid())  # a run still going on
    foreign = tmpdir(".2020.tmp-cccc", marker=False)  # not ours
    other_year = tmpdir(".2019.tmp-dddd", pid=dead.pid)
    old_report = fake_report(out / ".2020.old-eeee")
    fake_report(out / "2020")
    removed = runner.clean_stale_tmp(out, 2020)
    assert sorted(p.name for p in removed) == [".2020.old-eeee", ".2020.tmp-aaaa"]
    assert not stale.exists() and not old_report.exists()
    assert running.exists() and foreign.exists() and other_year.exists()
    assert (out / "2020" / "index.html").exists()


# ------------------------------------------------------------------ runs with small notebooks


def _notebook(path: Path, *codes: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('evaluation_year: int = 2020\ndata_dir: str = "../data/sample"\n'
                                       'min_cell: int = 5')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), params]
    nb.cells += [nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in codes]
    for i, c in enumerate(nb.cells):
        c["id"] = f"c{i}"
    nbformat.write(nb, path)


PLOT = """
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.bar(["2019", "2020"], [3, 4])
plt.show()
"""

LEAK = """
import os, tempfile, traceback
from pathlib import Path
print("data:", Path(data_dir).resolve())
print("cwd:", os.getcwd())
print("home:", Path.home() / "x")
print("tmp:", Path(tempfile.gettempdir()) / "y")
try:
    open(Path(data_dir).resolve() / "findes-ikke.csv")
except OSError:
    traceback.print_exc()
"""


CACHE = """
from helhedsplan_eval.data.contract import load_bundle
b = load_bundle(data_dir)
print("fra cache:", getattr(b, "from_cache", False), "; kilder:", len(b.tables), "; fejl:",
      sum(i.severity == "fejl" for i in b.issues))
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One run with --allow-data-errors on a copy of the tiny data with one error and extra files,
    MPLBACKEND=Agg in the environment, stale leftovers in the output folder, and a previous report."""
    base = tmp_path_factory.mktemp("published")
    data = base / "data"
    shutil.copytree(TINY, data)
    (data / "leisure_jobs.csv").write_text(
        "job_id,established_date,type,established_by\nJ1,2017-04-01,fritidsjob,frivillig\n"
        "J2,ikke-en-dato,fritidsjob,frivillig\n", encoding="utf-8")
    (data / "noter.txt").write_text("ikke en kilde", encoding="utf-8")
    nbs = base / "nb"
    nbs.mkdir()
    _notebook(nbs / "plot.ipynb", PLOT)
    _notebook(nbs / "leak.ipynb", LEAK)
    _notebook(nbs / "cache.ipynb", CACHE)
    params = base / "params"
    params.mkdir()
    (params / "2020.yml").write_text(f"evaluation_year: 2020\ndata_dir: {data}\nmin_cell: 5\n", encoding="utf-8")
    out = base / "outputs"
    fake_report(out / "2020")
    stale = out / ".2020.tmp-stale"
    stale.mkdir()
    (stale / TMP_MARKER).write_text(json.dumps({"generator": GENERATOR, "pid": 999999999}), encoding="utf-8")
    data_before = tree_hashes(data)
    specs = [NotebookSpec("plot.ipynb", "Figur"), NotebookSpec("leak.ipynb", "Stier"),
             NotebookSpec("cache.ipynb", "Cache")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")
        with pytest.raises(RunError, match="har 1 fejl"):  # without the flag: refused
            runner.run_year(2020, out_root=out, jobs=1, notebooks_dir=nbs, notebooks=specs,
                            params_dir=params, progress=False)
        assert stale.exists()  # the refusal came before anything was touched
        folder = runner.run_year(2020, out_root=out, jobs=1, notebooks_dir=nbs, notebooks=specs,
                                 params_dir=params, progress=False, allow_data_errors=True)
    assert tree_hashes(data) == data_before
    return {"base": base, "data": data, "out": out, "folder": folder, "stale": stale}


def test_allow_data_errors_publishes_and_says_so(published):
    index = (published["folder"] / "index.html").read_text(encoding="utf-8")
    assert "Udgivet med datafejl" in index and "1 fejl" in index and "--allow-data-errors" in index
    prov = json.loads((published["folder"] / "provenance.json").read_text(encoding="utf-8"))
    assert prov["generator"] == GENERATOR
    assert prov["data_errors"] == {"published_with_errors": True, "allow_data_errors": True, "errors": 1,
                                   "sources_left_out": ["leisure_jobs"]}
    # only the contract's files are hashed: not noter.txt
    assert [i["path"] for i in prov["inputs"]] == [p.name for p in runner.contract_files(published["data"])]
    assert "noter.txt" not in json.dumps(prov)


def test_run_removes_its_stale_temp_folders_and_replaces_only_its_report(published):
    assert not published["stale"].exists()
    assert sorted(p.name for p in published["out"].iterdir()) == ["2020", "historik", "index.html"]  # issue 12
    assert "forrige rapport" not in (published["folder"] / "index.html").read_text(encoding="utf-8")


def test_charts_are_images_even_with_mplbackend_agg(published):
    # a chart made by hand is kept in the notebook (as an image, not "<Figure size …>") and never reaches the
    # board page (issue 21: only the package's marked outputs do)
    kept = nbformat.read(published["folder"] / "notebooks" / "plot.ipynb", as_version=4)
    outputs = [o for c in kept.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert not any("<Figure size" in str(o.get("data", {}).get("text/plain", "")) and "image/png" not in o.get("data", {})
                   for o in outputs)
    html = (published["folder"] / "plot.html").read_text(encoding="utf-8")
    assert "<Figure size" not in html and "<img" not in html


def _texts(folder: Path):
    """(name, text) of every output file, xlsx unzipped; embedded images removed."""
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            text = p.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text)
        text = re.sub(r'"image/png": "[^"]*"', "", text)
        yield p.relative_to(folder).as_posix(), text


def test_no_absolute_paths_of_the_machine_in_any_output(published):
    folder = published["folder"]
    leak_nb = (folder / "notebooks" / "leak.ipynb").read_text(encoding="utf-8")
    assert "data:" in leak_nb and "findes-ikke.csv" in leak_nb  # the paths were printed, then made safe
    forbidden = [str(ROOT), str(published["base"]), str(Path.home()) + "/", tempfile.gettempdir() + "/"]
    for name, text in _texts(folder):
        for f in forbidden:
            assert f not in text, (name, f)


def test_index_says_what_the_notebooks_folder_is(published):
    index = (published["folder"] / "index.html").read_text(encoding="utf-8")
    assert "Mappen notebooks" in index and "til analytikere og forskere" in index
    assert "ikke til bestyrelsen" in index


def test_data_inside_the_project_is_given_to_notebooks_relative(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    (params / "2018.yml").write_text("evaluation_year: 2018\ndata_dir: tests/fixtures/tiny\nmin_cell: 5\n")
    folder = runner.run_year(2018, out_root=tmp_path / "out", jobs=1, notebooks_dir=FIXTURE_NB,
                             notebooks=[NotebookSpec("alpha.ipynb", "Alfa")], params_dir=params, progress=False)
    injected = [c.source for c in nbformat.read(folder / "notebooks" / "alpha.ipynb", as_version=4).cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "data_dir = \"../tiny\"" in injected[0]  # relative to the notebooks' folder
    assert "absolut sti: False" in (folder / "alpha.html").read_text(encoding="utf-8")
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert prov["data_dir"] == "tests/fixtures/tiny"
    assert prov["parameters"]["values"]["data_dir"] == "tests/fixtures/tiny"
    assert prov["parameters"]["file"] == "<uden for projektet>/2018.yml"


# ------------------------------------------------------------------ 4. no process survives


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_run_with_a_kernel(tmp_path):
    """A run in its own process (and process group) whose first notebook never ends; returns once
    a kernel is running: (process, output folder, hashes of the output folder, process tree)."""
    params = tmp_path / "params"
    params.mkdir()
    (params / "2018.yml").write_text(f"evaluation_year: 2018\ndata_dir: {TINY}\nmin_cell: 5\n")
    nbs = tmp_path / "nb"
    nbs.mkdir()
    _notebook(nbs / "forever.ipynb", "import time\nwhile True:\n    time.sleep(0.5)")  # never ends by itself
    _notebook(nbs / "plot.ipynb", PLOT)
    out = tmp_path / "out"
    fake_report(out / "2018", year=2018)
    before = tree_hashes(out)
    script = textwrap.dedent(f"""
        import sys
        from helhedsplan_eval.run import runner
        from helhedsplan_eval.run.runner import NotebookSpec
        try:
            runner.run_year(2018, out_root={str(out)!r}, jobs=2, notebooks_dir={str(nbs)!r},
                            notebooks=[NotebookSpec("forever.ipynb", "F"), NotebookSpec("plot.ipynb", "P")],
                            params_dir={str(params)!r}, progress=False)
        except runner.RunInterrupted as exc:
            sys.exit(128 + exc.signum)
        sys.exit(0)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kernels: list[int] = []
    try:
        for _ in range(1200):  # until a kernel runs (poll, no timing assert)
            tree = runner.descendants(proc.pid)
            # a kernel is started as ipykernel, or through the stub that the template's fork stands behind
            kernels = [p for p in tree if _is_kernel(_cmdline(p))] if tree else []
            # the kernels warm up while the data are read: wait for the run's temporary folder too
            if (kernels and any(out.glob(".2018.tmp-*"))) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert kernels, "no kernel started"
        time.sleep(1.0)
        return proc, out, before, runner.descendants(proc.pid)
    except BaseException:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        raise


def _is_kernel(cmdline: str) -> bool:
    return "ipykernel" in cmdline or "kernel_stub" in cmdline


def _cmdline(pid: int) -> str:
    """A process's command line, or "" when it has already ended (it may end between listing and reading)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def _wait_until_gone(pids) -> list[int]:
    for _ in range(600):  # dead processes may stay zombies until init reaps them
        if not any(_alive(p) for p in pids):
            break
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_sigkill_of_the_runner_takes_workers_and_kernels_along_and_next_run_cleans_up(tmp_path):
    proc, out, before, tree = _start_run_with_a_kernel(tmp_path)
    proc.kill()  # no chance to clean up: the workers die with their parent and take their kernels
    proc.wait()
    try:
        assert _wait_until_gone(tree) == []
    finally:
        for p in tree:
            if _alive(p):
                os.kill(p, signal.SIGKILL)
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".2018.tmp-")]
    assert len(leftovers) == 1  # killed before it could remove its temporary folder …
    assert [p.name for p in runner.clean_stale_tmp(out, 2018)] == leftovers  # … which the next run removes
    assert tree_hashes(out) == before


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_sigterm_kills_workers_and_kernels_and_keeps_the_previous_report(tmp_path):
    proc, out, before, tree = _start_run_with_a_kernel(tmp_path)
    try:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=300)  # without the clean-up the run would never end
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert rc == 128 + signal.SIGTERM
    assert _wait_until_gone(tree) == []  # workers and kernels (in their own sessions) are gone

    def group_exists() -> bool:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    for _ in range(200):  # dead members may stay zombies until init reaps them
        if not group_exists():
            break
        time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
    assert tree_hashes(out) == before  # previous report untouched, temp folder removed


# ------------------------------------------------------------------ 9. each source parsed once per run


def test_the_notebooks_reuse_the_runs_parsed_bundle_and_the_cache_is_removed(published):
    from helhedsplan_eval.data.bundle_cache import PREFIX
    from helhedsplan_eval.data.contract import load_bundle

    fresh = load_bundle(published["data"])
    kept = (published["folder"] / "notebooks" / "cache.ipynb").read_text(encoding="utf-8")  # printed: not on the page
    assert f"fra cache: True ; kilder: {len(fresh.tables)} ; fejl: 1" in kept
    assert not list(Path(tempfile.gettempdir()).glob(f"{PREFIX}{os.getpid()}-*"))


@pytest.fixture
def cached_tiny(tmp_path, monkeypatch):
    from helhedsplan_eval.data import bundle_cache
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.data.contract import load_bundle

    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    ids = set(load_catalogue().criteria)
    bundle = load_bundle(data, catalogue_ids=ids)
    path = bundle_cache.write_cache(bundle, ids)
    monkeypatch.setenv(bundle_cache.ENV, str(path))
    yield data, bundle, ids
    bundle_cache.remove_cache(path)
    assert not path.parent.exists()


def _count_parses(monkeypatch):
    from helhedsplan_eval.data import contract

    calls = []
    real = contract.read_source
    monkeypatch.setattr(contract, "read_source", lambda *a, **k: calls.append(a[0].name) or real(*a, **k))
    return calls


def test_bundle_cache_hit_parses_nothing(cached_tiny, monkeypatch):
    from helhedsplan_eval.data.contract import load_bundle

    data, bundle, ids = cached_tiny
    calls = _count_parses(monkeypatch)
    hit = load_bundle(data, catalogue_ids=ids)
    assert calls == [] and hit.from_cache
    assert sorted(hit.tables) == sorted(bundle.tables)
    for name, df in bundle.tables.items():
        assert hit.tables[name].equals(df), name
    # no cache for strict loading, another catalogue or another folder
    load_bundle(data, catalogue_ids=ids, strict=True)
    load_bundle(data, catalogue_ids=ids - {sorted(ids)[0]})
    other = data.parent / "andre"
    shutil.copytree(data, other)
    assert not getattr(load_bundle(other, catalogue_ids=ids), "from_cache", False)
    assert len(calls) == 3 * len(bundle.files)


def test_bundle_cache_is_ignored_when_a_file_changed(cached_tiny, monkeypatch):
    from helhedsplan_eval.data.contract import load_bundle

    data, bundle, ids = cached_tiny
    (data / "leisure_jobs.csv").write_text(
        "job_id,established_date,type,established_by\nJ9,2018-01-01,fritidsjob,frivillig\n", encoding="utf-8")
    calls = _count_parses(monkeypatch)
    fresh = load_bundle(data, catalogue_ids=ids)
    assert not getattr(fresh, "from_cache", False) and "leisure_jobs.csv" in calls
    assert list(fresh.tables["leisure_jobs"]["job_id"]) == ["J9"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_kill_descendants_spares_processes_it_was_told_to_keep():
    keep = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        existing = runner.descendants()  # (whatever else this test process runs is left alone too)
        assert keep.pid in existing
        new = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        killed = runner.kill_descendants(keep=existing)
        assert killed == [new.pid]
        assert new.wait(timeout=60) == -signal.SIGTERM
        assert keep.poll() is None
    finally:
        keep.kill()
        keep.wait()
