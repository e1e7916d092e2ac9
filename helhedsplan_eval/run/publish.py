"""What a run publishes besides the pages: the front page, provenance.json and the run's log.

:func:`render_index` renders ``index.html`` (status counts, links to the pages in the order of the notebook list,
the tables, the synthetic-data banner, a note when published with data errors); :func:`provenance` is the content
of ``provenance.json`` (inputs with SHA-256, package and library versions, parameters, git commit read from the
``.git`` folder, time of run, per-notebook seconds), with no absolute path of the evaluator's machine.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Sequence

from helhedsplan_eval import __version__
from helhedsplan_eval.analysis.status import COMPONENT, COMPONENT_NAME
from helhedsplan_eval.data.contract import contract_files
from helhedsplan_eval.paths import GENERATOR, TEMPLATES_DIR, project_root
from helhedsplan_eval.report.style import board_css
from helhedsplan_eval.run.errors import RunError
from helhedsplan_eval.run.notebook_list import NotebookSpec
from helhedsplan_eval.run.params import params_for
from helhedsplan_eval.run.render import OUTSIDE_DATA
from helhedsplan_eval.run.status import STATUS_ORDER, status_css_class


#: Packages whose versions go into provenance.json.
KEY_LIBRARIES = (
    "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "pandera", "babel",
    "openpyxl", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client",
    "jinja2",
)


#: The run's log in the published folder: one line per notebook (name, year, seconds, ok/failed).
LOG_NAME = "koerselslog.txt"


def render_index(year: int, specs: Sequence[NotebookSpec], counts: dict[str, int], uncertain: int,
                 run_timestamp: str, min_cell: int = 5, banner: str = "", data_errors: int = 0,
                 summary: str = "") -> str:
    """The front page; ``banner`` is HTML shown first (the synthetic-data notice on sample data);
    ``data_errors`` > 0 says the run was published with data errors (--allow-data-errors); ``summary``: the
    rest of "Til bestyrelsen" after the status counts (run.status.board_summary_html)."""
    import jinja2

    from helhedsplan_eval.formatting import fmt_number

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,
        keep_trailing_newline=True,
    )
    css = board_css()
    total = sum(counts.values())
    rows = [
        {"status": COMPONENT_NAME if s == COMPONENT else s, "css": status_css_class(s), "count": counts[s],
         "count_text": fmt_number(counts[s])}
        for s in STATUS_ORDER if s != COMPONENT or counts[s]  # a plan without components has no such row
    ]
    from helhedsplan_eval.catalogue.names import plan_names
    from helhedsplan_eval.catalogue.period import plan_period

    return env.get_template("index.html.j2").render(
        year=year,
        year_label=plan_period().label(year),
        plan=plan_names(),
        css=css,
        version=__version__,
        min_cell=min_cell,
        total=total,
        total_text=fmt_number(total),
        status_rows=rows,
        uncertain=uncertain,
        uncertain_text=("1 kriterium" if uncertain == 1 else f"{fmt_number(uncertain)} kriterier"),
        csv_name=f"maalopfyldelse_{year}.csv",
        xlsx_name=f"maalopfyldelse_{year}.xlsx",
        pages=[{"href": s.html_name, "title": s.title} for s in specs],
        run_timestamp=run_timestamp,
        banner=banner,
        data_errors=data_errors,
        summary=summary,
        data_errors_text=("1 fejl" if data_errors == 1 else f"{fmt_number(data_errors)} fejl"),
    )


def _synthetic(data_dir) -> bool:
    """Whether the report is built on synthetic data (the banner's condition, without importing the board's
    charts: the runner asks before the notebooks start). Never breaks a run, like :func:`_banner`."""
    if not data_dir:
        return False
    try:
        from helhedsplan_eval.data.manifest import is_synthetic

        return is_synthetic(data_dir)
    except Exception:
        return False


def _banner(data_dir) -> str:
    """The synthetic-data banner for the front page (empty for real data)."""
    if not data_dir:
        return ""
    try:
        from helhedsplan_eval.report.board import banner_html

        return banner_html(data_dir)
    except Exception:  # the banner must never break a run
        return ""


def _sha256(path: Path) -> str:
    from helhedsplan_eval.data.contract import sha256

    return sha256(path)


def _input_files(data_dir: Path) -> list[dict]:
    """Name, size and SHA-256 of the files the contract reads (never anything else of the folder)."""
    return [{"path": p.name, "bytes": p.stat().st_size, "sha256": _sha256(p)} for p in contract_files(data_dir)]


def git_commit(root: Path | None = None) -> dict | None:
    """The checked-out commit, read from the ``.git`` folder's files (no git command is run)."""
    root = Path(root or project_root())
    git = root / ".git"
    try:
        if git.is_file():  # worktree / submodule: "gitdir: <path>"
            target = git.read_text(encoding="utf-8").strip().removeprefix("gitdir:").strip()
            git = (root / target).resolve()
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return {"commit": head, "ref": None}
        ref = head[4:].strip()
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (git, common):
            ref_file = base / ref
            if ref_file.is_file():
                return {"commit": ref_file.read_text(encoding="utf-8").strip(), "ref": ref}
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return {"commit": parts[0], "ref": ref}
        return {"commit": None, "ref": ref}  # branch without commits yet
    except OSError:
        return None


def _library_versions() -> dict:
    versions = {}
    for name in KEY_LIBRARIES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _now_local() -> dt.datetime:
    return dt.datetime.now().astimezone()


def format_run_timestamp(moment: dt.datetime) -> str:
    """'26.11.2025 kl. 14:05' (the one part of the HTML that differs between runs)."""
    return f"{moment:%d.%m.%Y} kl. {moment:%H:%M}"


def _shown_path(path: Path) -> str:
    """A path as provenance.json records it: relative to the project root, or a placeholder with
    the last name when it lies outside the project (no absolute path of the machine)."""
    try:
        return Path(path).resolve().relative_to(project_root()).as_posix() or "."
    except ValueError:
        return f"{OUTSIDE_DATA if Path(path).is_dir() else '<uden for projektet>'}/{Path(path).name}"


_shown_data_dir = _shown_path



def provenance(*, year: int, started: dt.datetime, finished: dt.datetime, seconds: float, jobs: int, stamp: str,
               params_path: Path, shown_params: dict, declared: dict, data_dir: Path, data_errors: list,
               allow_data_errors: bool, specs: Sequence[NotebookSpec], notebooks_dir: Path,
               notebook_seconds: dict[str, float], counts: dict[str, int], uncertain: int) -> dict:
    """The content of provenance.json (``shown_params``: the parameters with the data folder as :func:`_shown_path`
    gives it; ``declared``: each notebook's declared parameters; ``notebook_seconds``: seconds per notebook file)."""
    return {
        "generator": GENERATOR,
        "package": "helhedsplan-eval",
        "version": __version__,
        "evaluation_year": year,
        "run": {
            "started": started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "seconds": round(seconds, 2),
            "jobs": jobs,
            "run_timestamp_shown": stamp,
        },
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "libraries": _library_versions(),
        "git": git_commit(),
        "parameters": _parameters_record(params_path, shown_params, declared),
        "data_dir": shown_params["data_dir"],
        "data_errors": {
            "published_with_errors": bool(data_errors),
            "allow_data_errors": bool(allow_data_errors),
            "errors": len(data_errors),
            "sources_left_out": sorted({i.source for i in data_errors}),
        },
        "inputs": _input_files(data_dir),
        "notebooks": [
            {
                "file": s.filename,
                "title": s.title,
                "sha256": _sha256(notebooks_dir / s.notebook),
                "seconds": round(notebook_seconds[s.filename], 2),
                "html": s.html_name,
            }
            for s in specs
        ],
        "status_counts": counts,
        "status_uncertain": uncertain,
        "plan": _plan_record(),
    }


def _plan_record() -> dict:
    """Which plan the report evaluates: its id, name and plan.yml (shown path, SHA-256)."""
    from helhedsplan_eval.catalogue.names import plan_names
    from helhedsplan_eval.paths import params_dir

    names = plan_names()
    plan_yml = params_dir() / "plan.yml"
    return {"id": names.id, "name": names.name, "title": names.title, "file": _shown_path(plan_yml),
            "file_sha256": _sha256(plan_yml)}


def _parameters_record(params_path: Path, shown_params: dict, declared: dict) -> dict:
    """The parameter file (shown path, SHA-256), its values and what each notebook got of them."""
    return {
        "file": _shown_path(params_path),
        "file_sha256": _sha256(params_path),
        "values": shown_params,
        "per_notebook": {nb.name: params_for(shown_params, d) for nb, d in declared.items()},
    }


def statement_values(params_dir: Path) -> dict:
    """params/tilgaengelighed.yml's fields (report.accessibility); a RunError naming every problem."""
    from helhedsplan_eval.report.accessibility import StatementError, load_statement

    try:
        return load_statement(params_dir)
    except StatementError as exc:
        raise RunError(f"Tilgængelighedserklæringen kan ikke dannes:\n{exc}") from None


def write_statement(folder: Path, year: int, params_dir: Path, stamp: str) -> Path:
    """The tilgængelighedserklæring (tilgaengelighed.html) beside the pages, linked from every page's footer."""
    from helhedsplan_eval.report import accessibility

    return accessibility.write_statement(folder, year, accessibility.plan_name(params_dir), __version__, board_css(),
                                         statement_values(params_dir), stamp)
