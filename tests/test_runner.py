"""Tests of the annual runner (helhedsplan_eval.run.runner) with tiny throwaway notebooks.

The notebooks in tests/fixtures/notebooks/ are made for these tests:
- alpha.ipynb declares evaluation_year, data_dir, min_cell; shows the year, reads marker.txt
  from data_dir, has a remove-cell, a warning on stderr, a status span, a plot and a markdown image, all shown
  through the package's board functions; and what a researcher adds by hand (a print, a bare DataFrame, a chart
  made with plt.show()), which must stay off the board page;
- beta.ipynb declares only evaluation_year and shows which other parameters leaked in;
- failing.ipynb raises ValueError("forkert input for <year>") in its 4th cell (3rd code cell);
- sleepy.ipynb sleeps 60 s (execution timeout);
- noids.ipynb is saved as nbformat 4.4, without cell ids (ids must still come out fixed).

The status engine is replaced by a fixed table here (runner logic only); the test at the end
uses the real engine when it exists.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helhedsplan_eval.run import runner
from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.run.runner import NotebookSpec, RunError

FIXTURE_NB = Path(__file__).parent / "fixtures" / "notebooks"
ALPHA = NotebookSpec("alpha.ipynb", "Alfa-siden")
BETA = NotebookSpec("beta.ipynb", "Beta-siden")
FAILING = NotebookSpec("failing.ipynb", "Fejlsiden")
SLEEPY = NotebookSpec("sleepy.ipynb", "Søvnig side")
NOIDS = NotebookSpec("noids.ipynb", "Uden id")  # nbformat 4.4: cells saved without ids
YEAR = 2018  # not the notebooks' default (2020), so injection is visible
MARKER = "markør-42\n"

# Known labels of the fake table (shaped like helhedsplan_eval.analysis.evaluate.status_table): Opfyldt 3,
# På vej 1 (usikkert), Ikke på vej 0, Ikke opfyldt 1, Afventer data 1, Ikke aktuel endnu 1,
# Kvalitativ vurdering 1 -> 8 criteria, 1 uncertain.
FAKE_STATUSES = ["Opfyldt", "Opfyldt", "På vej (usikkert)", "Ikke opfyldt", "Afventer data",
                 "Ikke aktuel endnu", "Opfyldt", "Vurdering: Gennemført"]
EXPECTED_COUNTS = {"Opfyldt": 3, "På vej": 1, "Ikke på vej": 0, "Ikke opfyldt": 1,
                   "Afventer data": 1, "Ikke aktuel endnu": 1, "Kvalitativ vurdering": 1}


REAL_LOAD_STATUS_TABLE = runner.load_status_table
REAL_WRITE_STATUS_TABLES = runner.write_status_tables
REAL_LOAD_DATA = runner.load_data
REAL_BOARD_SUMMARY = runner.board_summary_html
REAL_CHECK_DATA = runner.check_data


def _all_counts() -> dict:
    """EXPECTED_COUNTS with 0 for every other status word the engine knows."""
    return {**{s: 0 for s in runner.STATUS_ORDER}, **EXPECTED_COUNTS}


def _fake_status_table(year, data, min_cell=5):
    return pd.DataFrame({
        "Id": [f"K{i}" for i in range(1, len(FAKE_STATUSES) + 1)],
        "Indsatsområde": "Tryghed og trivsel",
        "Status": FAKE_STATUSES,
    })


def _fake_write_status_files(df, out_dir, year, min_cell=5):
    df.to_csv(Path(out_dir) / f"maalopfyldelse_{year}.csv", index=False)
    df.to_excel(Path(out_dir) / f"maalopfyldelse_{year}.xlsx", index=False)


def _patch_status(mp):
    mp.setattr(runner, "load_status_table", _fake_status_table)
    mp.setattr(runner, "write_status_tables", _fake_write_status_files)
    # "Til bestyrelsen" after the counts evaluates the real catalogue (tests/test_board_summary.py)
    mp.setattr(runner, "board_summary_html", lambda year, bundle, min_cell, history_dir: "<h3>Opmærksomhed</h3>")
    # the fixture data folder holds only marker.txt: the contract's validation is tested in
    # tests/test_data_safety.py and in the real-engine test at the end
    mp.setattr(runner, "load_data", lambda data_dir: DataBundle(data_dir=Path(data_dir)))
    mp.setattr(runner, "check_data", lambda bundle, data_dir, allow_data_errors=False: [])


@pytest.fixture(autouse=True)
def fake_status(monkeypatch):
    _patch_status(monkeypatch)


def _make_env(base: Path, extra_yaml: str = "", year: int = YEAR, year_in_yaml: int | None = None) -> dict:
    data = base / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "marker.txt").write_text(MARKER, encoding="utf-8")
    params = base / "params"
    params.mkdir(exist_ok=True)
    (params / f"{year}.yml").write_text(
        f"evaluation_year: {year_in_yaml or year}\ndata_dir: {data}\nmin_cell: 5\n{extra_yaml}", encoding="utf-8"
    )
    return {"data": data, "params": params, "out": base / "outputs"}


def _run(env, specs, jobs=1, year=YEAR, out=None, **kw):
    return runner.run_year(year, out_root=out or env["out"], jobs=jobs, notebooks_dir=FIXTURE_NB,
                           notebooks=specs, params_dir=env["params"], progress=False, **kw)


def _checksums(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


STAMP = re.compile(r'<span class="run-timestamp">[^<]*</span>')


def _unstamped(html: str) -> str:
    return STAMP.sub('<span class="run-timestamp"></span>', html)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One sequential (jobs=1) run of alpha + beta + noids for YEAR, shared by the read-only tests."""
    base = tmp_path_factory.mktemp("first")
    env = _make_env(base)
    with pytest.MonkeyPatch.context() as mp:
        _patch_status(mp)
        folder = _run(env, [ALPHA, BETA, NOIDS], jobs=1)
    return env, folder


# ------------------------------------------------------------------ parameters (no kernel needed)


def test_unknown_yaml_key_fails_before_any_notebook_runs(tmp_path):
    env = _make_env(tmp_path, extra_yaml="min_cel: 3\n")
    with pytest.raises(RunError) as err:
        _run(env, [ALPHA, BETA])
    msg = str(err.value)
    assert "'min_cel'" in msg and "min_cell" in msg  # names the key and suggests the right one
    assert not (env["out"] / str(YEAR)).exists()
    assert not any(env["out"].glob(".*")) if env["out"].exists() else True


def test_wrong_parameter_type_fails(tmp_path):
    env = _make_env(tmp_path)
    (env["params"] / f"{YEAR}.yml").write_text(
        f"evaluation_year: {YEAR}\ndata_dir: {env['data']}\nmin_cell: fem\n", encoding="utf-8")
    with pytest.raises(RunError, match=r"min_cell = 'fem'.*int"):
        _run(env, [ALPHA])


def test_year_in_yaml_must_match(tmp_path):
    env = _make_env(tmp_path, year_in_yaml=2019)
    with pytest.raises(RunError, match="evaluation_year er 2019"):
        _run(env, [BETA])


def test_missing_params_file_and_missing_data_dir(tmp_path):
    env = _make_env(tmp_path)
    with pytest.raises(RunError, match=r"2017\.yml findes ikke"):
        _run(env, [BETA], year=2017)
    with pytest.raises(RunError, match="Datamappen .* findes ikke"):
        _run(env, [BETA], data_dir=tmp_path / "nowhere")


def test_missing_notebook_is_named(tmp_path):
    env = _make_env(tmp_path)
    with pytest.raises(RunError, match="findes_ikke.ipynb"):
        _run(env, [BETA, NotebookSpec("findes_ikke.ipynb", "X")])


def test_params_only_declared_keys_and_absolute_data_dir(tmp_path, monkeypatch):
    env = _make_env(tmp_path)
    params = runner.load_params(YEAR, env["params"])
    assert Path(params["data_dir"]).is_absolute()
    declared = runner.declared_parameters([FIXTURE_NB / "alpha.ipynb", FIXTURE_NB / "beta.ipynb"])
    assert runner.params_for(params, declared[FIXTURE_NB / "beta.ipynb"]) == {"evaluation_year": YEAR}
    assert set(runner.params_for(params, declared[FIXTURE_NB / "alpha.ipynb"])) == {
        "evaluation_year", "data_dir", "min_cell"}
    # --data overrides the YAML; a relative path is resolved against the current directory
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(tmp_path)
    assert runner.load_params(YEAR, env["params"], data_dir="other")["data_dir"] == str(other.resolve())


def test_yaml_data_dir_is_relative_to_project_root(tmp_path, monkeypatch):
    (tmp_path / "params").mkdir()
    (tmp_path / "data" / "sample").mkdir(parents=True)
    (tmp_path / "params" / "2019.yml").write_text("evaluation_year: 2019\ndata_dir: data/sample\n")
    monkeypatch.setenv("HELHEDSPLAN_ROOT", str(tmp_path))
    monkeypatch.chdir(FIXTURE_NB)  # somewhere else entirely
    params = runner.load_params(2019)
    assert params["data_dir"] == str((tmp_path / "data" / "sample").resolve())


def test_project_params_files_match_the_notebook_parameters():
    root = Path(runner.__file__).resolve().parents[2]
    for year in range(2017, 2021):
        text = (root / "params" / f"{year}.yml").read_text(encoding="utf-8")
        from papermill.iorw import read_yaml_file

        values = read_yaml_file(str(root / "params" / f"{year}.yml"))
        assert values["evaluation_year"] == year, text
        assert set(values) == {"evaluation_year", "data_dir", "min_cell"}
        assert values["min_cell"] == 5
    assert runner.available_years(root / "params") == [2017, 2018, 2019, 2020]


# ------------------------------------------------------------------ a successful run


def test_parameters_are_injected(first_run):
    env, folder = first_run
    alpha = (folder / "alpha.html").read_text(encoding="utf-8")
    beta = (folder / "beta.html").read_text(encoding="utf-8")
    assert f"Evalueringsår: <strong>{YEAR}</strong>" in alpha
    assert "Datamarkør: markør-42; absolut sti: True" in alpha
    assert "Udeladte parametre til stede: []" in beta  # beta got no data_dir / min_cell
    injected = [c for c in nbformat.read(folder / "notebooks" / "beta.ipynb", as_version=4).cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f"evaluation_year = {YEAR}" in injected[0].source
    assert "min_cell" not in injected[0].source


def test_output_folder_layout_and_provenance(first_run):
    env, folder = first_run
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert names == {
        "index.html", "alpha.html", "beta.html", "noids.html", "provenance.json",
        "tilgaengelighed.html",  # issue 22: the accessibility statement, linked from every page
        f"bestyrelsespakke_{YEAR}.pdf",  # issue 12: the printable board pack of every run
        f"maalopfyldelse_{YEAR}.csv", f"maalopfyldelse_{YEAR}.xlsx",
        "notebooks/alpha.ipynb", "notebooks/beta.ipynb", "notebooks/noids.ipynb",
        runner.LOG_NAME,  # issue 13: one line per notebook in the published folder
    }
    # no temp folders left (beside the year: the run history and the list of all years, issue 12)
    assert not [p for p in folder.parent.iterdir() if p.name not in (str(YEAR), "historik", "index.html")]
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert prov["evaluation_year"] == YEAR
    assert prov["generator"] == "helhedsplan-eval run"  # the marker that makes the folder replaceable
    assert prov["inputs"] == []  # only files the contract reads are hashed: marker.txt is not one
    # the data folder lies outside the project: no absolute path of the machine is recorded
    assert prov["parameters"]["values"] == {"evaluation_year": YEAR, "min_cell": 5,
                                            "data_dir": "<datamappe uden for projektet>/data"}
    assert prov["data_errors"] == {"published_with_errors": False, "allow_data_errors": False,
                                   "errors": 0, "sources_left_out": []}
    assert prov["parameters"]["per_notebook"]["beta.ipynb"] == {"evaluation_year": YEAR}
    assert prov["libraries"]["papermill"] and prov["libraries"]["pandas"]
    assert prov["python"].count(".") == 2
    assert [n["file"] for n in prov["notebooks"]] == ["alpha.ipynb", "beta.ipynb", "noids.ipynb"]
    assert prov["status_counts"] == _all_counts()
    assert "started" in prov["run"] and "seconds" in prov["run"]
    df = pd.read_csv(folder / f"maalopfyldelse_{YEAR}.csv")
    assert list(df["Status"]) == FAKE_STATUSES


def test_index_page_links_in_order_and_counts(first_run):
    _, folder = first_run
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in html
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', html)
    # numbered as the bilag are in the PDF pack's page numbers ("Bilag 2 · Beta-siden · Side 1 af 3")
    assert links == [("alpha.html", "Bilag 1 · Alfa-siden"), ("beta.html", "Bilag 2 · Beta-siden"),
                     ("noids.html", "Bilag 3 · Uden id")]
    rows = re.findall(r'<span class="status [^"]+">([^<]+)</span></t[dh]><td class="count num">(\d+)</td>', html)
    shown = [s for s in runner.STATUS_ORDER if s != "Indgår i"]  # a component's row only when a plan has one
    assert dict((s, int(n)) for s, n in rows) == {s: n for s, n in _all_counts().items() if s in shown}
    assert [s for s, _ in rows] == shown
    assert "(8 i alt)" in html and "Heraf er 1 kriterium" in html
    assert f'href="maalopfyldelse_{YEAR}.xlsx"' in html


def _all_pages(folder):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


def test_html_is_self_contained_and_has_no_code(first_run):
    _, folder = first_run
    pages = _all_pages(folder)
    assert set(pages) == {"index.html", "alpha.html", "beta.html", "noids.html", "tilgaengelighed.html"}
    for name, html in pages.items():
        assert '<html lang="da">' in html, name
        assert "<script" not in html, name
        assert "http://" not in html and "https://" not in html, name
        for target in re.findall(r'(?:src|href)="([^"]*)"', html):
            assert target.startswith("data:") or re.fullmatch(r"[\w.-]+\.(html|csv|xlsx|pdf)", target), (name, target)
        assert "Traceback" not in html, name
        assert len(STAMP.findall(html)) == 1, name
        # no prompts
        assert "In&nbsp;[" not in html and "Out[" not in html and "jp-InputPrompt jp-InputArea-prompt" not in html
        assert "jp-OutputPrompt jp-OutputArea-prompt" not in html, name
        # no input code of any cell
        for snippet in ("display(report", "import ", "warnings.warn", "evaluation_year: int",
                        "evaluation_year = ", "plt.show", "globals()", "set_uuid"):
            assert snippet not in html, (name, snippet)
    alpha = pages["alpha.html"]
    assert "SKJULT-MARKØR" not in alpha  # remove-cell
    assert "ADVARSEL-MARKØR" not in alpha  # stderr warnings are not for the board
    images = _images(alpha)
    assert images[0]["alt"] == "Logo" and images[0]["src"].startswith("data:image/png;base64,")  # markdown image
    assert images[1]["alt"] == "Antal deltagere pr. år"  # the chart, embedded
    assert images[1]["src"].startswith("data:image/png;base64,")
    assert '<span class="status status-opfyldt">Opfyldt</span>' in alpha
    assert "<title>Alfa-siden – 2018</title>" in alpha
    assert [a["href"] for a in _tags(alpha, "a") if a.get("aria-current") == "page"] == ["alpha.html"]


def _tags(page: str, name: str) -> list[dict]:
    """Each ``name`` element of a page as its attributes (in any order)."""
    from html.parser import HTMLParser

    found = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == name:
                found.append(dict(attrs))

    Tags().feed(page)
    return found


def _images(page: str) -> list[dict]:
    return _tags(page, "img")


def test_only_the_packages_outputs_reach_the_board_page(first_run):
    # issue 21: a print, a bare DataFrame and a chart made by hand stay in the kept notebook, off the page and the
    # PDF, and the run log names each cell (numbered as in the source notebook: alpha's cells 7, 10 and 11)
    import pypdf

    _, folder = first_run
    alpha = (folder / "alpha.html").read_text(encoding="utf-8")
    for raw in ("stdout-markør", "RÅ-MARKØR-1", "person_id", 'alt="Figur"', "Gammel notesbog"):
        assert raw not in alpha and raw not in (folder / "noids.html").read_text(encoding="utf-8"), raw
    assert [i.get("alt") for i in _images(alpha)] == ["Logo", "Antal deltagere pr. år"]
    pdf = "".join(p.extract_text() for p in pypdf.PdfReader(folder / f"bestyrelsespakke_{YEAR}.pdf").pages)
    assert "Datamarkør: markør-42" in pdf and "Udeladte parametre til stede" in pdf
    assert "stdout-markør" not in pdf and "RÅ-MARKØR-1" not in pdf and "Gammel notesbog" not in pdf
    kept = nbformat.read(folder / "notebooks" / "alpha.ipynb", as_version=4)
    outputs = {c.id: c.outputs for c in kept.cells if c.cell_type == "code"}
    assert "stdout-markør" in str(outputs["a-warn"]) and "RÅ-MARKØR-1" in str(outputs["a-raw-frame"])
    assert any("image/png" in o.get("data", {}) for o in outputs["a-raw-chart"])
    log = (folder / runner.LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert [ln for ln in log if "ikke vist" in ln] == [
        f"{YEAR}: alpha.ipynb, celle {n}: output ikke vist for bestyrelsen" for n in (7, 10, 11)] + [
        f"{YEAR}: noids.ipynb, celle 3: output ikke vist for bestyrelsen"]


def test_executed_notebooks_are_kept_without_run_metadata(first_run):
    _, folder = first_run
    nb = nbformat.read(folder / "notebooks" / "alpha.ipynb", as_version=4)
    assert "papermill" not in nb.metadata
    for cell in nb.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    ids = [c.id for c in nb.cells]
    assert ids[:3] == ["a-title", "a-params", "injected-parameters"]
    old = nbformat.read(folder / "notebooks" / "noids.ipynb", as_version=4)
    assert [c.id for c in old.cells] == ["cell-1", "injected-parameters", "cell-2", "cell-3"]
    assert 'id="cell-id=cell-2"' in (folder / "noids.html").read_text(encoding="utf-8")
    # researchers keep everything, warnings and removed cells included
    text = (folder / "notebooks" / "alpha.ipynb").read_text(encoding="utf-8")
    assert "ADVARSEL-MARKØR" in text and "SKJULT-MARKØR" in text


def test_rerun_in_parallel_gives_identical_html_except_stamp(first_run, tmp_path):
    env, folder1 = first_run
    folder2 = _run(env, [ALPHA, BETA, NOIDS], jobs=2, out=tmp_path / "out2")
    pages1, pages2 = _all_pages(folder1), _all_pages(folder2)
    assert set(pages1) == set(pages2)
    for name in pages1:
        assert _unstamped(pages1[name]) == _unstamped(pages2[name]), name
    for nb_name in ("alpha.ipynb", "beta.ipynb", "noids.ipynb"):
        # executed notebooks: same cells and fixed ids, no run metadata
        a = nbformat.read(folder1 / "notebooks" / nb_name, as_version=4)
        b = nbformat.read(folder2 / "notebooks" / nb_name, as_version=4)
        assert a.metadata == b.metadata
        assert [(c.id, c.source) for c in a.cells] == [(c.id, c.source) for c in b.cells]
        # (outputs may differ: text/plain reprs carry memory addresses, warnings the kernel's pid)


def test_rerun_replaces_previous_report(first_run, tmp_path):
    env, folder1 = first_run
    out = tmp_path / "out"
    shutil.copytree(folder1, out / str(YEAR))
    (out / str(YEAR) / "stale.html").write_text("gammel", encoding="utf-8")
    folder = _run(env, [ALPHA], jobs=1, out=out)
    assert not (folder / "stale.html").exists() and not (folder / "beta.html").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([str(YEAR), "historik", "index.html"])  # issue 12


# ------------------------------------------------------------------ failures


def test_failing_notebook_names_cell_and_keeps_previous_outputs(first_run, tmp_path):
    _, folder1 = first_run
    env = first_run[0]
    out = tmp_path / "out"
    shutil.copytree(folder1, out / str(YEAR))
    before = _checksums(out / str(YEAR))
    with pytest.raises(RunError) as err:
        _run(env, [ALPHA, FAILING, BETA], jobs=2, out=out)
    msg = str(err.value)
    assert "failing.ipynb" in msg
    assert "celle 4 (kodecelle 3" in msg  # 4th cell of the notebook, 3rd code cell
    assert f"ValueError: forkert input for {YEAR}" in msg
    assert "Traceback" not in msg and 'File "' not in msg
    assert "er uændret" in msg
    assert _checksums(out / str(YEAR)) == before  # byte for byte
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # temp folder removed
    assert (out / f"{YEAR}.failed" / "failing.ipynb").is_file()  # kept for the researcher


def test_failing_notebook_without_previous_report_sequential(tmp_path):
    env = _make_env(tmp_path)
    with pytest.raises(RunError, match=r"failing\.ipynb.*ValueError: forkert input"):
        _run(env, [FAILING, ALPHA], jobs=1)
    assert not (env["out"] / str(YEAR)).exists()
    assert "alpha.ipynb" not in {p.name for p in (env["out"] / f"{YEAR}.failed").iterdir()}  # fail fast


def test_cell_timeout_fails_with_notebook_name(tmp_path):
    env = _make_env(tmp_path)
    with pytest.raises(RunError, match=r"sleepy\.ipynb") as err:
        _run(env, [SLEEPY, ALPHA], jobs=1, execution_timeout=2)
    assert "Traceback" not in str(err.value)


def test_status_engine_failure_is_a_plain_error(tmp_path, monkeypatch):
    env = _make_env(tmp_path)

    def broken(year, data, min_cell=5):
        raise ValueError("registre.csv, række 7, kolonne 'alder': 'abc' er ikke et tal")

    monkeypatch.setattr(runner, "load_status_table", broken)
    with pytest.raises(RunError, match="række 7, kolonne 'alder'"):
        _run(env, [ALPHA])
    assert not (env["out"] / str(YEAR)).exists()


def test_run_cli_returns_nonzero_with_plain_message(capsys):
    assert runner.run_cli(None, None, None, None, False) == 2
    assert runner.run_cli(1999, None, None, None, False) == 2  # outside the plan's years (issue 9)
    err = capsys.readouterr().err
    assert "Fejl: " in err and "2017-2020" in err and "Traceback" not in err


# ------------------------------------------------------------------ small pieces


@pytest.mark.parametrize("word,css", [
    ("Opfyldt", "status-opfyldt"),
    ("På vej", "status-paa-vej"),
    ("Ikke på vej", "status-ikke-paa-vej"),
    ("Ikke opfyldt", "status-ikke-opfyldt"),
    ("Afventer data", "status-afventer-data"),
    ("Ikke aktuel endnu", "status-ikke-aktuel-endnu"),
    ("På vej (usikkert)", "status-paa-vej status-usikkert"),
    ("Kvalitativ vurdering", "status-kvalitativ-vurdering"),
])
def test_status_css_class(word, css):
    assert runner.status_css_class(word) == css
    from helhedsplan_eval.report.style import board_css as page_css

    board_css = page_css()  # board.css with the status colours (report.style), as every page gets it
    for cls in css.split():
        assert f".{cls} " in board_css or f".{cls}{{" in board_css


def test_status_counts_filters_year_and_rejects_unknown_words():
    df = pd.DataFrame({"year": [2019, 2020, 2020], "status": ["Opfyldt", "Opfyldt", "Ikke på vej (usikkert)"]})
    counts, uncertain = runner.status_counts(df, 2020)
    assert counts["Opfyldt"] == 1 and counts["Ikke på vej"] == 1 and uncertain == 1
    assert sum(counts.values()) == 2
    assert runner.status_word("Vurdering: Delvist gennemført") == "Kvalitativ vurdering"
    assert runner.status_word("Ikke opfyldt (usikkert)") == "Ikke opfyldt"
    assert runner.status_word("Opfyldtx") is None
    with pytest.raises(RunError, match="Opfyld"):
        runner.status_counts(pd.DataFrame({"status": ["Opfyld"]}), None)


def test_git_commit_read_from_files(tmp_path):
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    assert runner.git_commit(tmp_path) == {"commit": None, "ref": "refs/heads/main"}
    (git / "packed-refs").write_text("# pack-refs with: peeled\n" + "a" * 40 + " refs/heads/main\n")
    assert runner.git_commit(tmp_path)["commit"] == "a" * 40
    (git / "refs" / "heads" / "main").write_text("b" * 40 + "\n")
    assert runner.git_commit(tmp_path)["commit"] == "b" * 40
    (git / "HEAD").write_text("c" * 40 + "\n")
    assert runner.git_commit(tmp_path) == {"commit": "c" * 40, "ref": None}
    assert runner.git_commit(tmp_path / "no-repo") is None


def test_swap_in_restores_previous_folder_when_the_new_one_cannot_move(tmp_path):
    final = tmp_path / str(YEAR)
    final.mkdir()
    (final / "index.html").write_text("forrige", encoding="utf-8")
    with pytest.raises(RunError, match="kunne ikke erstattes"):
        runner._swap_in(tmp_path / ".missing-tmp", final)
    assert (final / "index.html").read_text(encoding="utf-8") == "forrige"
    assert sorted(p.name for p in tmp_path.iterdir()) == [str(YEAR)]


def test_kernel_start_failures_are_recognised():
    assert runner._is_kernel_start_failure(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not runner._is_kernel_start_failure(ValueError("forkert input"))


# ------------------------------------------------------------------ the real status engine


def test_real_status_engine_feeds_index_and_tables(tmp_path, monkeypatch):
    try:
        from helhedsplan_eval.analysis import evaluate
    except ModuleNotFoundError:
        pytest.skip("TODO: helhedsplan_eval.analysis.evaluate (status_table, write_status_files) not written yet")
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    if not tiny.is_dir():
        pytest.skip("TODO: tests/fixtures/tiny not there yet")
    monkeypatch.setattr(runner, "load_status_table", REAL_LOAD_STATUS_TABLE)
    monkeypatch.setattr(runner, "write_status_tables", REAL_WRITE_STATUS_TABLES)
    monkeypatch.setattr(runner, "load_data", REAL_LOAD_DATA)
    monkeypatch.setattr(runner, "check_data", REAL_CHECK_DATA)
    monkeypatch.setattr(runner, "board_summary_html", REAL_BOARD_SUMMARY)
    env = _make_env(tmp_path, year=2020)
    folder = _run(env, [ALPHA], jobs=1, year=2020, data_dir=tiny)
    df = evaluate.status_table(2020, tiny)
    if "year" in df.columns:
        df = df[df["year"] == 2020]
    assert (folder / "maalopfyldelse_2020.csv").is_file() and (folder / "maalopfyldelse_2020.xlsx").is_file()
    html = (folder / "index.html").read_text(encoding="utf-8")
    shown = sum(int(n) for n in re.findall(r'<td class="count num">(\d+)</td>', html))
    assert shown == len(df)


# ------------------------------------------------------------------ compute once per run (issue 13)

TINY = Path(__file__).parent / "fixtures" / "tiny"


def _labels(res) -> dict:
    return {cid: (ev.status, ev.label, ev.value_text, ev.explanation) for cid, ev in res.evaluations.items()}


def test_each_indicator_series_is_computed_once_for_all_years(monkeypatch):
    from helhedsplan_eval.analysis import evaluate
    from helhedsplan_eval.data.contract import load_bundle

    bundle = load_bundle(TINY)
    calls = []
    real = evaluate.compute_series
    monkeypatch.setattr(evaluate, "compute_series", lambda crit, b, *years: calls.append(
        evaluate.series_key(crit)) or real(crit, b, *years))
    results = [evaluate.evaluate_year(y, bundle) for y in range(2017, 2021)]
    distinct = {evaluate.series_key(c) for c in results[0].catalogue.criteria.values() if not c.linked_to}
    assert sorted(calls) == sorted(distinct)  # once each, not once per year
    monkeypatch.setattr(evaluate, "compute_series", real)
    for y, res in zip(range(2017, 2021), results):  # the same answers as a fresh computation
        assert _labels(res) == _labels(evaluate.evaluate_year(y, load_bundle(TINY)))


def test_a_caller_changing_its_series_does_not_change_the_next_callers(monkeypatch):
    from helhedsplan_eval.analysis import evaluate
    from helhedsplan_eval.data.contract import load_bundle

    bundle = load_bundle(TINY)
    crit = next(c for c in evaluate.load_catalogue().criteria.values() if not c.linked_to)
    first = evaluate.cached_series(crit, bundle)
    expected = first.data.copy()
    first.data.iloc[:, :] = -1
    first.notes.append("ændret")
    second = evaluate.cached_series(crit, bundle)
    pd.testing.assert_frame_equal(second.data, expected)
    assert "ændret" not in second.notes


def test_the_runs_bundle_hands_its_series_to_the_notebooks(tmp_path, monkeypatch):
    """The runner computes the status table, then pickles the bundle (bundle_cache): a notebook's
    evaluate_year on the cached bundle computes no indicator again."""
    from helhedsplan_eval.data import bundle_cache
    from helhedsplan_eval.analysis import evaluate
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.data.contract import load_bundle

    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    ids = set(load_catalogue().criteria)
    bundle = load_bundle(data, catalogue_ids=ids)
    REAL_LOAD_STATUS_TABLE(2019, bundle)
    path = bundle_cache.write_cache(bundle, ids)
    try:
        monkeypatch.setenv(bundle_cache.ENV, str(path))
        calls = []
        monkeypatch.setattr(evaluate, "compute_series", lambda *a, **k: calls.append(a) or 1 / 0)
        res = evaluate.evaluate_year(2020, data)
        assert getattr(res.bundle, "from_cache", False) and calls == []
        # a changed file: the cache no longer matches, the folder is parsed and computed afresh
        (data / "volunteers.csv").write_text((data / "volunteers.csv").read_text(encoding="utf-8") + "\n",
                                             encoding="utf-8")
        assert bundle_cache.cached_bundle(data, ids) is None
    finally:
        bundle_cache.remove_cache(path)


def test_runner_loads_an_unchanged_folder_once_per_run(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    first = REAL_LOAD_DATA(data)
    assert REAL_LOAD_DATA(data) is first  # the next year of --all-years
    path = data / "volunteers.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert REAL_LOAD_DATA(data) is not first  # a changed file is read again


# ------------------------------------------------------------------ progress lines and the log (issue 13)


def test_progress_lines_go_to_stdout_and_to_the_log_of_the_published_folder(tmp_path, monkeypatch, capsys):
    _patch_status(monkeypatch)
    env = _make_env(tmp_path)
    pool = runner.NotebookPool(1)
    try:
        folder = runner.run_year(YEAR, out_root=env["out"], jobs=1, notebooks_dir=FIXTURE_NB,
                                 notebooks=[ALPHA, BETA], params_dir=env["params"], progress=False,
                                 pool=pool, progress_label="år 2 af 4", progress_lines=True)
        first_kernel = kernel_pool_starts()
        runner.run_year(YEAR, out_root=env["out"], jobs=1, notebooks_dir=FIXTURE_NB, notebooks=[BETA, ALPHA],
                        params_dir=env["params"], progress=False, pool=pool)
        assert kernel_pool_starts() == first_kernel == 1  # the second year reused the warm kernel
    finally:
        pool.close()
    out = capsys.readouterr().out.splitlines()
    assert [re.sub(r"\d+,\d s$", "N s", ln) for ln in out] == [
        f"{YEAR} (år 2 af 4): alpha.ipynb – ok, N s",
        f"{YEAR} (år 2 af 4): beta.ipynb – ok, N s",
    ]  # the second call did not ask for lines on stdout
    log = (env["out"] / str(YEAR) / runner.LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert log[0] == f"{YEAR}: beta.ipynb – " + log[0].split(" – ")[1]  # the published (second) run's log
    assert log[0].split(" – ")[1].startswith("ok, ")
    assert log[1].startswith(f"{YEAR}: alpha.ipynb – ok, ")
    assert log[-1].startswith(f"{YEAR}: færdig, 2 notesbøger")
    del folder


def kernel_pool_starts() -> int:
    from helhedsplan_eval.run import kernel_pool

    k = kernel_pool._PROCESS_KERNEL
    return 0 if k is None else k.starts


def test_a_failed_notebook_is_logged_as_failed(tmp_path, monkeypatch, capsys):
    _patch_status(monkeypatch)
    env = _make_env(tmp_path)
    with pytest.raises(RunError):
        runner.run_year(YEAR, out_root=env["out"], jobs=1, notebooks_dir=FIXTURE_NB, notebooks=[ALPHA, FAILING],
                        params_dir=env["params"], progress=False, progress_lines=True)
    out = capsys.readouterr().out
    assert re.fullmatch(rf"{YEAR}: alpha\.ipynb – ok, \d+,\d s\n{YEAR}: failing\.ipynb – fejlede, \d+,\d s\n", out)


def test_kept_notebooks_lose_the_jupytext_pairing_and_papermill_metadata():
    """An executed copy is an output: opened and saved in JupyterLab it must not write a paired .py."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    nb.metadata["papermill"] = {"input_path": "/home/someone/x.ipynb"}
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    out = runner._clean_executed(nb)
    assert "jupytext" not in out.metadata and "papermill" not in out.metadata


# ------------------------------------------------------------------ the notebook list is data (issue 11)

PROJECT_PLAN = Path(__file__).resolve().parents[1] / "params" / "plan.yml"


def _plan_with_notebooks(params: Path, entries) -> Path:
    """params/plan.yml as the project's, with ``entries`` as its notebooks: list."""
    import yaml

    plan = yaml.safe_load(PROJECT_PLAN.read_text(encoding="utf-8"))
    plan["notebooks"] = entries
    path = params / "plan.yml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _extra_notebook(path: Path) -> None:
    """A page nobody wrote code for: it declares the three parameters and shows two of them."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    params = 'evaluation_year: int = 2020\ndata_dir: str = "data"\nmin_cell: int = 5'
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell('from helhedsplan_eval.report import board as report\n'
                                          'report.markdown(f"Ekstra-markør {evaluation_year}, min_cell {min_cell}")')]
    nbformat.write(nb, path)


def test_the_projects_notebook_list_comes_from_plan_yml():
    from helhedsplan_eval.run.notebook_list import load_notebooks

    specs = load_notebooks()
    assert specs[0] == NotebookSpec("oversigt.ipynb", "Bestyrelsesoversigt", 4.0)
    assert len(specs) == 7 and tuple(specs) == runner.NOTEBOOKS
    assert all(s.seconds and s.seconds > 0 for s in specs)  # the order of a first run on two workers
    assert all((runner.default_notebooks_dir() / s.notebook).is_file() for s in specs)
    # one area notebook, run once per area of plan.yml, each page named and titled after its area
    areas = [s for s in specs if s.source == "indsatsomraade.ipynb"]
    assert [(s.html_name, s.title, s.parameters) for s in areas] == [
        ("tryghed_og_trivsel.html", "Tryghed og trivsel", (("area_id", "tryghed_og_trivsel"),)),
        ("kriminalpraeventiv_indsats.html", "Kriminalpræventiv indsats", (("area_id", "kriminalpraeventiv_indsats"),)),
        ("forebyggelse_og_foraeldreansvar.html", "Forebyggelse og forældreansvar",
         (("area_id", "forebyggelse_og_foraeldreansvar"),))]


def test_a_page_added_in_plan_yml_runs_without_code(tmp_path):
    env = _make_env(tmp_path)
    nbs = tmp_path / "nb"
    nbs.mkdir()
    shutil.copy(FIXTURE_NB / "beta.ipynb", nbs / "beta.ipynb")
    _extra_notebook(nbs / "ekstra.ipynb")
    _plan_with_notebooks(env["params"], [{"file": "beta.ipynb", "title": "Beta-siden"},
                                         {"file": "ekstra.ipynb", "title": "Ekstra side"}])
    folder = runner.run_year(YEAR, out_root=env["out"], jobs=1, notebooks_dir=nbs, params_dir=env["params"],
                             progress=False)  # no notebooks=: the list of plan.yml
    assert f"Ekstra-markør {YEAR}, min_cell 5" in (folder / "ekstra.html").read_text(encoding="utf-8")
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', (folder / "index.html").read_text(encoding="utf-8"))
    assert links == [("beta.html", "Bilag 1 · Beta-siden"), ("ekstra.html", "Bilag 2 · Ekstra side")]
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert [n["file"] for n in prov["notebooks"]] == ["beta.ipynb", "ekstra.ipynb"]


def test_a_broken_notebook_entry_is_refused_with_exit_2(tmp_path, monkeypatch, capsys):
    root = tmp_path / "proj"
    env = _make_env(root)
    (root / "notebooks").mkdir()
    shutil.copy(FIXTURE_NB / "beta.ipynb", root / "notebooks" / "beta.ipynb")
    _extra_notebook(root / "notebooks" / "ekstra.ipynb")
    _plan_with_notebooks(env["params"], [{"file": "beta.ipynb", "title": "Beta-siden"},
                                         {"file": "ekstra.ipynb", "titel": "Ekstra side"},
                                         {"file": "mangler.ipynb", "title": "Findes ikke"}])
    monkeypatch.setenv("HELHEDSPLAN_ROOT", str(root))
    assert runner.run_cli(YEAR, None, None, 1, False) == 2
    err = capsys.readouterr().err
    assert "Notesbogslisten (notebooks:) i params/plan.yml er ugyldig" in err
    assert ("params/plan.yml: notebooks, element 2 (ekstra.ipynb): ukendt nøgle 'titel' (gyldige nøgler: "
            "file, title, seconds, indicators, per_area); mente du 'title'?") in err
    assert "params/plan.yml: notebooks, element 2 (ekstra.ipynb): nøglen title mangler" in err
    assert ("params/plan.yml: notebooks, element 3 (mangler.ipynb): notesbogen mangler.ipynb findes ikke i "
            "notebooks") in err
    assert "element 1" not in err and "Traceback" not in err
    assert not env["out"].exists() and not (root / "outputs").exists()  # refused before anything was written
    with pytest.raises(runner.UsageError, match=r"element 2 \(ekstra\.ipynb\)") as exc:  # run_year alike
        runner.run_year(YEAR, out_root=env["out"], jobs=1, params_dir=env["params"], progress=False)
    assert exc.value.exit_code == 2


@pytest.mark.parametrize("entries,needle", [
    (None, "notebooks skal være en ikke-tom liste"),
    ([], "notebooks skal være en ikke-tom liste"),
    (["beta.ipynb"], "element 1: skal være en mapping med nøglerne file, title, fandt str 'beta.ipynb'"),
    ([{"file": "beta.ipynb", "title": ""}], "element 1 (beta.ipynb): title = '' er ugyldig"),
    ([{"file": "../beta.ipynb", "title": "B"}], "file = '../beta.ipynb' er ugyldig"),
    ([{"file": "beta.py", "title": "B"}], "file = 'beta.py' er ugyldig"),
    ([{"file": "beta.ipynb", "title": "B"}, {"file": "beta.ipynb", "title": "C"}],
     "element 2 (beta.ipynb): siden beta.html står allerede i element 1"),
    ([{"file": "beta.ipynb", "title": "B", "seconds": "hurtig"}], "element 1 (beta.ipynb): seconds = 'hurtig' er ugyldig"),
    ([{"file": "beta.ipynb", "title": "B", "seconds": True}], "seconds = True er ugyldig (forventet cirka hvor mange"),
    ([{"file": "beta.ipynb", "title": "B", "seconds": 0}], "seconds = 0 er ugyldig"),
    ([{"file": "beta.ipynb", "title": "B", "seconds": -2.5}], "seconds = -2.5 er ugyldig"),
    ([{"file": "beta.ipynb", "title": "B", "seconds": float("inf")}], "seconds = inf er ugyldig"),
    ([{"file": "beta.ipynb", "title": "B", "second": 3}], "ukendt nøgle 'second' (gyldige nøgler: file, title, "
                                                             "seconds, indicators, per_area); mente du 'seconds'?"),
])
def test_notebook_list_problems_are_named(entries, needle):
    from helhedsplan_eval.run.notebook_list import notebook_specs

    specs, problems = notebook_specs(entries, "params/plan.yml", FIXTURE_NB)
    assert any(needle in p for p in problems), problems
    assert len(problems) == 1


# ---- issue 13: the notebooks that took longest last time start first (longest processing time first)

def _task(name: str) -> "runner._Task":
    return runner._Task(notebook=f"/nb/{name}", title=name, out_ipynb="", out_html="", parameters={}, cwd="",
                        board={}, kernel_env={}, execution_timeout=1, scrub=[])


def test_longest_first_orders_by_earlier_seconds_and_puts_unknown_notebooks_first():
    tasks = [_task(n) for n in ("a.ipynb", "b.ipynb", "c.ipynb", "new.ipynb", "d.ipynb")]
    order = runner.longest_first(tasks, {"a.ipynb": 1.0, "b.ipynb": 5.5, "c.ipynb": 3.0, "d.ipynb": 5.5})
    # new.ipynb has no earlier time (it may be the longest); b and d tie at 5,5 s and keep their order
    assert [Path(t.notebook).name for t in order] == ["new.ipynb", "b.ipynb", "d.ipynb", "c.ipynb", "a.ipynb"]
    assert runner.longest_first(tasks, {}) == tasks  # nothing known: the plan's order


def _report(folder: Path, year: int, seconds: dict, generator: str = runner.GENERATOR) -> None:
    folder.mkdir(parents=True)
    rows = [{"file": f, "seconds": s} for f, s in seconds.items()]
    (folder / "provenance.json").write_text(
        json.dumps({"generator": generator, "evaluation_year": year, "notebooks": rows}), encoding="utf-8")


def test_earlier_seconds_come_from_the_years_own_report_else_the_newest_other_year(tmp_path):
    assert runner.earlier_seconds(tmp_path, 2020) == {}
    _report(tmp_path / "2018", 2018, {"a.ipynb": 2.0})
    _report(tmp_path / "2019", 2019, {"a.ipynb": 3.0, "b.ipynb": "x", "c.ipynb": True})  # junk values are ignored
    assert runner.earlier_seconds(tmp_path, 2020) == {"a.ipynb": 3.0}
    _report(tmp_path / "2020", 2020, {"a.ipynb": 4.0})
    assert runner.earlier_seconds(tmp_path, 2020) == {"a.ipynb": 4.0}
    # a folder that is not this runner's report is never read
    _report(tmp_path / "2017", 2017, {"a.ipynb": 9.0}, generator="someone else")
    assert runner.earlier_seconds(tmp_path, 2017) == {"a.ipynb": 4.0}


def test_the_run_submits_the_longest_notebooks_first_on_several_workers_only(tmp_path, monkeypatch):
    from types import SimpleNamespace

    _report(tmp_path / "2019", 2019, {"a.ipynb": 1.0, "b.ipynb": 9.0})
    run = SimpleNamespace(out_root=tmp_path, year=2020, log_lines=[])
    tasks = [_task("a.ipynb"), _task("b.ipynb")]
    seen = [[Path(t.notebook).name for t in runner._ordered(run, tasks, SimpleNamespace(jobs=jobs))] for jobs in (2, 1)]
    assert seen == [["b.ipynb", "a.ipynb"], ["a.ipynb", "b.ipynb"]]


def test_without_an_earlier_report_the_plans_expected_seconds_order_the_notebooks(tmp_path):
    # a first run (no report in the output folder) takes plan.yml's seconds, longest first; a notebook without them
    # first (it may be the longest); an earlier report's times win over the plan's; one worker: the plan's order
    from types import SimpleNamespace
    from helhedsplan_eval.run.notebook_list import notebook_specs

    entries = [{"file": "alpha.ipynb", "title": "A", "seconds": 1},
               {"file": "beta.ipynb", "title": "B", "seconds": 7.5},
               {"file": "gamma.ipynb", "title": "C"},
               {"file": "delta.ipynb", "title": "D", "seconds": 3}]
    nbs = tmp_path / "nb"
    nbs.mkdir()
    for e in entries:
        (nbs / e["file"]).write_text("{}", encoding="utf-8")
    specs, problems = notebook_specs(entries, "params/plan.yml", nbs)
    assert problems == [] and [s.seconds for s in specs] == [1.0, 7.5, None, 3.0]
    run = SimpleNamespace(out_root=tmp_path / "out", year=2020, specs=specs)
    tasks = [_task(e["file"]) for e in entries]

    def order(jobs):
        return [Path(t.notebook).name for t in runner._ordered(run, tasks, SimpleNamespace(jobs=jobs))]

    assert order(2) == ["gamma.ipynb", "beta.ipynb", "delta.ipynb", "alpha.ipynb"]
    assert order(1) == ["alpha.ipynb", "beta.ipynb", "gamma.ipynb", "delta.ipynb"]
    _report(tmp_path / "out" / "2019", 2019, {"alpha.ipynb": 9.0, "beta.ipynb": 1.0, "gamma.ipynb": 2.0,
                                               "delta.ipynb": 3.0})
    assert order(2) == ["alpha.ipynb", "delta.ipynb", "gamma.ipynb", "beta.ipynb"]
