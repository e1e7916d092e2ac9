"""The annual run: execute every notebook for one evaluation year and build the board report.

``run_year(2020)`` reads ``params/2020.yml``, executes the notebooks in ``notebooks/`` with
papermill (in parallel processes by default), renders each executed notebook to a
self-contained Danish HTML page with the ``board`` nbconvert template, writes the front page
``index.html`` with the year's status counts, the goal-attainment table (CSV + Excel) and
``provenance.json``, and swaps the finished folder in as ``outputs/2020``. A failing notebook
fails the whole run; the previous ``outputs/2020`` is then left exactly as it was.

Layout of ``outputs/<year>/``::

    index.html                  front page (links in the fixed order of NOTEBOOKS)
    <notebook>.html             one board page per notebook (no code, no prompts, no scripts)
    maalopfyldelse_<year>.csv   the status table (written by helhedsplan_eval.evaluate)
    maalopfyldelse_<year>.xlsx
    provenance.json             inputs with sha256, versions, parameters, git commit, run time
    notebooks/<notebook>.ipynb  the executed notebooks, for researchers only

Determinism: two runs on the same inputs give byte-identical HTML except the run stamp in
``<span class="run-timestamp">…</span>`` (one per page). Papermill's timing metadata is
stripped from the executed notebooks and the injected parameters cell gets a fixed id.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import difflib
import json
import multiprocessing as mp
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Iterable, Sequence

from . import __version__
from .paths import PACKAGE_DIR, project_root, resolve_path
from .status import STATUSES as STATUS_ORDER
from .status import UNCERTAIN_SUFFIX as _UNCERTAIN

TEMPLATES_DIR = PACKAGE_DIR / "templates"
BOARD_TEMPLATE = "board"
KERNEL_NAME = "python3"
EXECUTION_TIMEOUT = 1800  # seconds per cell
START_TIMEOUT = 120  # seconds for a kernel to start
MAX_JOBS = 4
FIRST_YEAR, LAST_YEAR = 2017, 2020

#: Status words in the order the board reads them (STATUS_ORDER) and the uncertainty mark.
UNCERTAIN_SUFFIX = _UNCERTAIN.strip()  # "(usikkert)"
ASSESSMENT_PREFIX = "Vurdering"  # labels of qualitative assessments: "Vurdering: <label>"

#: Packages whose versions go into provenance.json.
KEY_LIBRARIES = (
    "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "pandera", "babel",
    "openpyxl", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client",
    "jinja2",
)


class RunError(Exception):
    """A run failed for a reason the evaluator can act on; ``str(exc)`` is the plain message."""


@dataclass(frozen=True)
class NotebookSpec:
    """One page of the board report: a notebook file in the notebooks folder and its Danish title."""

    filename: str
    title: str

    @property
    def stem(self) -> str:
        return Path(self.filename).stem

    @property
    def html_name(self) -> str:
        return f"{self.stem}.html"


#: The notebooks of the annual report, in the order of the front page.
NOTEBOOKS: tuple[NotebookSpec, ...] = (
    NotebookSpec("oversigt.ipynb", "Bestyrelsesoversigt"),
    NotebookSpec("tryghed_og_trivsel.ipynb", "Tryghed og trivsel"),
    NotebookSpec("kriminalpraeventiv_indsats.ipynb", "Kriminalpræventiv indsats"),
    NotebookSpec("forebyggelse_og_foraeldreansvar.ipynb", "Forebyggelse og forældreansvar"),
    NotebookSpec("fit_collateral.ipynb", "FIT og collateral scores i familiekurserne"),
    NotebookSpec("faellesskabsundersoegelse.ipynb", "Fællesskabsundersøgelsen 2017/2020"),
)


def default_notebooks_dir() -> Path:
    return project_root() / "notebooks"


def default_params_dir() -> Path:
    return project_root() / "params"


def status_css_class(status: str) -> str:
    """CSS classes for a status word: 'På vej (usikkert)' -> 'status-paa-vej status-usikkert'.

    The classes are defined in templates/board/static/board.css; wrap a status word as
    ``<span class="status {status_css_class(word)}">word</span>``."""
    word = str(status).strip()
    uncertain = word.endswith(UNCERTAIN_SUFFIX)
    if uncertain:
        word = word[: -len(UNCERTAIN_SUFFIX)].strip()
    slug = word.lower().replace("å", "aa").replace("ø", "oe").replace("æ", "ae")
    slug = "-".join(slug.split())
    css = f"status-{slug}"
    return f"{css} status-usikkert" if uncertain else css


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


def params_file(year: int, params_dir: Path | None = None) -> Path:
    return Path(params_dir or default_params_dir()) / f"{year}.yml"


def load_params(year: int, params_dir: Path | None = None, data_dir: str | os.PathLike | None = None) -> dict:
    """The parameters of ``year`` from ``params/<year>.yml`` with an absolute ``data_dir``.

    ``data_dir`` in the YAML is relative to the project root; ``data_dir`` given here (the
    CLI's ``--data``) overrides it and is resolved against the current directory first."""
    from papermill.iorw import read_yaml_file

    path = params_file(year, params_dir)
    if not path.is_file():
        raise RunError(
            f"Parameterfilen {path} findes ikke (no parameter file for {year}); "
            f"opret den med evaluation_year, data_dir og min_cell."
        )
    try:
        params = read_yaml_file(str(path)) or {}
    except Exception as exc:  # yaml.YAMLError and friends
        raise RunError(f"Parameterfilen {path} kan ikke læses (cannot parse YAML): {exc}") from None
    if not isinstance(params, dict):
        raise RunError(f"Parameterfilen {path} skal indeholde nøgle: værdi-par (expected a mapping), fandt {type(params).__name__}.")
    declared_year = params.get("evaluation_year", year)
    if declared_year != year:
        raise RunError(
            f"{path}: evaluation_year er {declared_year!r}, men kørslen gælder {year} "
            f"(evaluation_year does not match the requested year)."
        )
    params["evaluation_year"] = int(year)
    if data_dir is not None:
        resolved = resolve_path(data_dir)
    elif params.get("data_dir") is not None:
        raw = Path(str(params["data_dir"])).expanduser()
        resolved = raw if raw.is_absolute() else (project_root() / raw).resolve()
    else:
        raise RunError(f"{path}: data_dir mangler (missing data_dir) og --data er ikke givet.")
    if not resolved.is_dir():
        raise RunError(f"Datamappen {resolved} findes ikke (data folder not found).")
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
                f"Notesbogen {nb} kan ikke læses (cannot read notebook): {type(exc).__name__}: {_short(exc)}"
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
            also = f" Mente du {hint[0]!r}? (did you mean)" if hint else ""
            problems.append(
                f"{source}: parameteren {key!r} bruges ikke af nogen notesbog "
                f"(declared by no notebook; known: {', '.join(sorted(known)) or 'ingen'}).{also}"
            )
    for nb, decl in declared.items():
        for key, info in decl.items():
            if key not in params:
                continue
            check = _TYPE_CHECKS.get(str(info.get("inferred_type_name", "")).strip())
            if check is not None and params[key] is not None and not check(params[key]):
                problems.append(
                    f"{source}: {key} = {params[key]!r} passer ikke til typen {info['inferred_type_name']} "
                    f"i {nb.name} (wrong type)."
                )
    if problems:
        raise RunError("\n".join(dict.fromkeys(problems)))


def params_for(params: dict, declared: dict) -> dict:
    """Only the parameters one notebook declares."""
    return {k: v for k, v in params.items() if k in declared}


# --------------------------------------------------------------------------------------------
# Executing and rendering one notebook (runs in a worker process, or in-process for jobs=1)
# --------------------------------------------------------------------------------------------


@dataclass
class _Task:
    notebook: str
    title: str
    out_ipynb: str
    out_html: str
    parameters: dict
    cwd: str
    board: dict
    kernel_env: dict
    execution_timeout: int = EXECUTION_TIMEOUT
    start_timeout: int = START_TIMEOUT


@dataclass
class _Result:
    notebook: str
    ok: bool
    seconds: float = 0.0
    message: str = ""
    attempts: int = 1
    error: dict = field(default_factory=dict)


@contextmanager
def _environ(extra: dict):
    """Temporarily set environment variables (the kernel inherits them)."""
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _kernel_env() -> dict:
    """Environment for the kernels: the package importable even when not pip-installed, and a
    fixed hash seed so set/dict-of-str iteration cannot change the order of what a page shows."""
    root = str(PACKAGE_DIR.parent)
    current = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    pythonpath = os.pathsep.join([root] + [p for p in current if p != root])
    return {"PYTHONPATH": pythonpath, "PYTHONHASHSEED": "0"}


@contextmanager
def _kernel_config():
    """Kernel transport: Unix sockets (ipc) on POSIX, where they avoid the TCP port races of
    kernels starting in parallel (papermill #511, jupyter_client #487) and the kernel's
    "running over TCP without encryption" warning; TCP elsewhere (Windows has no ipc).

    jupyter_client names ipc sockets ``kernel-ipc-<n>`` in the *current directory* unless
    ``ip`` is set, so parallel kernels sharing the notebooks folder would collide: each kernel
    gets its own short-lived socket folder (short path: Unix socket paths max ~104 bytes)."""
    from traitlets.config import Config

    c = Config()
    if os.name != "posix":
        yield c
        return
    sock_dir = tempfile.mkdtemp(prefix="hpe-")
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = os.path.join(sock_dir, "k")
    try:
        yield c
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)


def _is_kernel_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    markers = ("Kernel didn't respond", "Kernel died before replying", "ZMQError", "Address already in use")
    return any(m in text for m in markers)


def _injected_position(source_nb) -> tuple[int | None, bool]:
    """Where papermill puts the injected parameters cell: (index, replaces_existing)."""
    for i, cell in enumerate(source_nb.cells):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            return i, True
    for i, cell in enumerate(source_nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return i + 1, False
    return 0, False


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_failure(task: _Task, exc) -> dict:
    """Name the failing cell in terms of the source notebook a researcher opens in JupyterLab."""
    import nbformat

    source_nb = nbformat.read(task.notebook, as_version=4)
    inj, replaced = _injected_position(source_nb)
    idx = exc.cell_index
    injected = bool(task.parameters)
    if injected and idx == inj:
        where = "den indsatte parametercelle (injected parameters cell)"
        cell_no = None
    else:
        src_idx = idx - 1 if (injected and not replaced and idx > inj) else idx
        cell_no = src_idx + 1
        code_no = sum(1 for c in source_nb.cells[: src_idx + 1] if c.cell_type == "code")
        first_line = next((ln.strip() for ln in str(exc.source).splitlines() if ln.strip()), "")
        where = f"celle {cell_no} (kodecelle {code_no}, In [{exc.exec_count}])"
        if first_line:
            where += f": `{_short(first_line, 80)}`"
    return {
        "cell_number": cell_no,
        "exec_count": exc.exec_count,
        "ename": exc.ename,
        "evalue": _short(exc.evalue),
        "where": where,
    }


def _clean_executed(nb, source_path: str | os.PathLike | None = None):
    """Strip run-dependent metadata so the kept .ipynb and the HTML are reproducible.

    Cell ids become fixed: the injected parameters cell is ``injected-parameters``; cells the
    source notebook saved without an id (nbformat < 4.5; papermill/nbformat then invent random
    ones) get ``cell-<n>`` by their position in the source notebook."""
    nb.metadata.pop("papermill", None)
    src_ids: list | None = None
    src_had_injected = False
    if source_path is not None:
        with open(source_path, encoding="utf-8") as f:
            src_cells = json.load(f).get("cells", [])
        src_ids = [c.get("id") for c in src_cells]
        src_had_injected = any("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in src_cells)
    k = 0  # position in the source notebook
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
            k += 1 if src_had_injected else 0  # it replaced the source's own injected cell
            continue
        if src_ids is not None and k < len(src_ids):
            cell["id"] = src_ids[k] or f"cell-{k + 1}"
        k += 1
    if src_ids is not None:
        nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 5)), 5)
    return nb


def _board_copy(nb):
    """The notebook as the board may see it: no error tracebacks, no warnings on stderr."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [
            o for o in cell.get("outputs", [])
            if o.get("output_type") != "error"
            and not (o.get("output_type") == "stream" and o.get("name") == "stderr")
        ]
    return nb


def render_html(nb, title: str, board: dict, nb_dir: str | os.PathLike | None = None) -> str:
    """Render an executed notebook to the self-contained board HTML page; ``nb_dir`` is the
    folder relative to which markdown images are found and embedded."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.CSSHTMLHeaderPreprocessor.enabled = False  # Pygments CSS: no code is shown
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "parameters", "injected-parameters"}
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    exporter = HTMLExporter(
        config=c,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=BOARD_TEMPLATE,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code="da",
    )
    nb = _board_copy(nb)
    nb.metadata["title"] = f"{title} – {board['year']}"
    resources = {"board": board, "metadata": {"name": title, "path": str(nb_dir or ".")}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


@contextmanager
def _kernel_stderr_captured():
    """Send what kernels write to stderr (e.g. 'KeyboardInterrupt caught in kernel' at shutdown)
    to a temporary file instead of the evaluator's terminal; restored after the notebook."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. under pytest capture)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)


def _run_task(task: _Task) -> _Result:
    """Execute one notebook with papermill, keep the cleaned .ipynb, render its HTML page."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    name = Path(task.notebook).name
    attempts = 0
    with _environ(task.kernel_env):
        while True:
            attempts += 1
            try:
                with _kernel_config() as kernel_config, _kernel_stderr_captured():
                    executed = pm.execute_notebook(
                        task.notebook,
                        task.out_ipynb,
                        parameters=task.parameters,
                        kernel_name=KERNEL_NAME,
                        cwd=task.cwd,
                        progress_bar=False,
                        log_output=False,
                        request_save_on_cell_execute=False,
                        start_timeout=task.start_timeout,
                        execution_timeout=task.execution_timeout,
                        config=kernel_config,
                    )
                break
            except PapermillExecutionError as exc:
                err = _describe_failure(task, exc)
                msg = f"{name}, {err['where']}: {err['ename']}: {err['evalue']}"
                return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
            except Exception as exc:  # kernel start, dead kernel, timeout, unreadable notebook
                if attempts == 1 and _is_kernel_start_failure(exc):
                    continue  # one retry: parallel kernel starts can race for ports
                err = {"ename": type(exc).__name__, "evalue": _short(exc)}
                msg = f"{name}: {err['ename']}: {err['evalue']}"
                return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
    try:
        executed = _clean_executed(executed, task.notebook)
        nbformat.write(executed, task.out_ipynb)
        html = render_html(executed, task.title, task.board, task.cwd)
        Path(task.out_html).write_text(html, encoding="utf-8")
    except Exception as exc:
        err = {"ename": type(exc).__name__, "evalue": _short(exc)}
        msg = f"{name}: HTML-siden kunne ikke dannes (rendering failed): {err['ename']}: {err['evalue']}"
        return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
    return _Result(name, True, time.perf_counter() - t0, "", attempts)


# --------------------------------------------------------------------------------------------
# Status table, index page, provenance
# --------------------------------------------------------------------------------------------


def load_status_table(year: int, data_dir: Path):
    """The year's status table from the status engine (one row per success criterion)."""
    from .evaluate import status_table

    return status_table(year, data_dir)


def write_status_tables(df, out_dir: Path, year: int) -> None:
    """Write ``maalopfyldelse_<year>.csv`` and ``.xlsx`` into ``out_dir`` (status engine's writer)."""
    from .evaluate import write_status_files

    write_status_files(df, out_dir, year)


def status_word(label: str) -> str | None:
    """The status word of a label in the status table: 'På vej (usikkert)' -> 'På vej',
    'Vurdering: Gennemført' -> 'Kvalitativ vurdering'; None if it is no known status."""
    text = str(label).strip()
    for word in sorted(STATUS_ORDER, key=len, reverse=True):
        if text == word or text.startswith(word + " "):
            return word
    if text.startswith(ASSESSMENT_PREFIX) and "Kvalitativ vurdering" in STATUS_ORDER:
        return "Kvalitativ vurdering"
    return None


def status_counts(df, year: int | None = None) -> tuple[dict[str, int], int]:
    """Counts per status word (in STATUS_ORDER) of the status table, and how many are "(usikkert)".

    Reads the column ``Status`` (the table of helhedsplan_eval.evaluate; ``status`` also works);
    a ``year``/``År`` column, when present, restricts the rows to ``year``."""
    if df is None or len(df) == 0:
        return {s: 0 for s in STATUS_ORDER}, 0
    if year is not None:
        for ycol in ("year", "evaluation_year", "År", "år"):
            if ycol in df.columns:
                df = df[df[ycol] == year]
                break
    col = next((c for c in ("Status", "status") if c in df.columns), None)
    if col is None:
        raise RunError(
            "Statustabellen mangler kolonnen 'Status' (status table has no 'Status' column); "
            f"kolonner: {', '.join(map(str, df.columns))}."
        )
    counts = {s: 0 for s in STATUS_ORDER}
    uncertain = 0
    unknown = []
    for label in df[col].astype(str):
        word = status_word(label)
        if word is None:
            unknown.append(label)
            continue
        counts[word] += 1
        uncertain += label.strip().endswith(UNCERTAIN_SUFFIX)
    if unknown:
        raise RunError(f"Ukendte statusord i statustabellen (unknown status words): {sorted(set(unknown))}.")
    return counts, uncertain


def render_index(year: int, specs: Sequence[NotebookSpec], counts: dict[str, int], uncertain: int,
                 run_timestamp: str, min_cell: int = 5, banner: str = "") -> str:
    """The front page; ``banner`` is HTML shown first (the synthetic-data notice on sample data)."""
    import jinja2

    from .formatting import fmt_number

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,
        keep_trailing_newline=True,
    )
    css = (TEMPLATES_DIR / BOARD_TEMPLATE / "static" / "board.css").read_text(encoding="utf-8")
    total = sum(counts.values())
    rows = [
        {"status": s, "css": status_css_class(s), "count": counts[s], "count_text": fmt_number(counts[s])}
        for s in STATUS_ORDER
    ]
    return env.get_template("index.html.j2").render(
        year=year,
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
    )


def _banner(data_dir) -> str:
    """The synthetic-data banner for the front page (empty for real data)."""
    if not data_dir:
        return ""
    try:
        from .report import banner_html

        return banner_html(data_dir)
    except Exception:  # the banner must never break a run
        return ""


def _sha256(path: Path) -> str:
    from .contract import sha256

    return sha256(path)


def _input_files(data_dir: Path) -> list[dict]:
    files = []
    for p in sorted(Path(data_dir).rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(data_dir).parts):
            files.append({"path": p.relative_to(data_dir).as_posix(), "bytes": p.stat().st_size, "sha256": _sha256(p)})
    return files


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


# --------------------------------------------------------------------------------------------
# The annual run
# --------------------------------------------------------------------------------------------


def _resolve_jobs(jobs: int | None, n: int) -> int:
    if jobs is None:
        jobs = min(os.cpu_count() or 1, MAX_JOBS)
    if jobs < 1:
        raise RunError(f"--jobs skal være mindst 1 (jobs must be >= 1), fik {jobs}.")
    return max(1, min(jobs, n))


def _run_tasks(tasks: list[_Task], jobs: int, progress: bool, year: int) -> list[_Result]:
    from tqdm.auto import tqdm

    results: list[_Result] = []
    bar = tqdm(total=len(tasks), desc=f"{year}: notesbøger", unit="nb", disable=not progress, file=sys.stderr)
    try:
        if jobs == 1:
            for task in tasks:
                bar.set_postfix_str(Path(task.notebook).name, refresh=False)
                res = _run_task(task)
                results.append(res)
                bar.update(1)
                if not res.ok:
                    break  # fail fast: the run cannot succeed any more
            return results
        ctx = mp.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            pending = {pool.submit(_run_task, t) for t in tasks}
            failed = False
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    if fut.cancelled():
                        continue
                    try:
                        res = fut.result()
                    except Exception as exc:  # worker crashed (BrokenProcessPool, pickling)
                        res = _Result("?", False, 0.0, f"arbejdsprocessen fejlede (worker failed): {type(exc).__name__}: {_short(exc)}")
                    results.append(res)
                    bar.update(1)
                    if not res.ok and not failed:
                        failed = True
                        for other in pending:
                            other.cancel()  # not yet started: skip
        return results
    finally:
        bar.close()


def run_year(
    year: int,
    data_dir: str | os.PathLike | None = None,
    out_root: str | os.PathLike = Path("outputs"),
    jobs: int | None = None,
    notebooks_dir: str | os.PathLike | None = None,
    progress: bool = True,
    *,
    notebooks: Sequence[NotebookSpec] | None = None,
    params_dir: str | os.PathLike | None = None,
    execution_timeout: int = EXECUTION_TIMEOUT,
) -> Path:
    """Run the annual report for ``year`` and return the finished ``out_root/<year>`` folder.

    ``data_dir`` overrides the YAML's ``data_dir``; ``jobs`` defaults to min(cores, 4), ``jobs=1``
    runs the notebooks one after another in this process. ``notebooks``/``notebooks_dir``/
    ``params_dir`` exist for tests. Raises :class:`RunError` with a plain message on failure;
    the previous ``out_root/<year>`` is then untouched."""
    started = _now_local()
    t0 = time.perf_counter()
    year = int(year)
    specs = list(NOTEBOOKS if notebooks is None else notebooks)
    nb_dir = Path(notebooks_dir or default_notebooks_dir()).resolve()
    missing = [s.filename for s in specs if not (nb_dir / s.filename).is_file()]
    if missing:
        raise RunError(f"Notesbøger mangler i {nb_dir} (notebooks not found): {', '.join(missing)}.")
    if not specs:
        raise RunError("Ingen notesbøger at køre (no notebooks).")

    params = load_params(year, Path(params_dir) if params_dir else None, data_dir)
    pfile = params_file(year, Path(params_dir) if params_dir else None)
    declared = declared_parameters(nb_dir / s.filename for s in specs)
    try:
        source = str(pfile.relative_to(project_root()))
    except ValueError:
        source = str(pfile)
    check_params({k: v for k, v in params.items()}, declared, source=source)

    data_path = Path(params["data_dir"])
    try:
        df = load_status_table(year, data_path)
    except RunError:
        raise
    except Exception as exc:  # the status engine's own validation messages name file/row/column
        raise RunError(
            f"Statustabellen for {year} kunne ikke beregnes (status table failed): "
            f"{type(exc).__name__}: {_short(exc, 1000)}"
        ) from None
    counts, uncertain = status_counts(df, year)

    out_root = Path(out_root).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    final = out_root / str(year)
    failed_dir = out_root / f"{year}.failed"
    tmp = Path(tempfile.mkdtemp(prefix=f".{year}.tmp-", dir=out_root))
    tmp.chmod(0o755)  # mkdtemp gives 0700; the report folder is meant to be shared
    swapped = False
    try:
        (tmp / "notebooks").mkdir()
        stamp = format_run_timestamp(started)
        tasks = []
        for spec in specs:
            nb_path = nb_dir / spec.filename
            board = {
                "year": year,
                "title": spec.title,
                "version": __version__,
                "run_timestamp": stamp,
                "pages": [{"href": s.html_name, "title": s.title, "current": s == spec} for s in specs],
            }
            tasks.append(_Task(
                notebook=str(nb_path),
                title=spec.title,
                out_ipynb=str(tmp / "notebooks" / spec.filename),
                out_html=str(tmp / spec.html_name),
                parameters=params_for(params, declared[nb_path]),
                cwd=str(nb_dir),
                board=board,
                kernel_env=_kernel_env(),
                execution_timeout=execution_timeout,
            ))
        n_jobs = _resolve_jobs(jobs, len(tasks))
        results = _run_tasks(tasks, n_jobs, progress, year)
        failures = [r for r in results if not r.ok]
        if failures:
            try:  # keep the executed notebooks (with papermill's error banner) for inspection
                if failed_dir.exists():
                    shutil.rmtree(failed_dir)
                shutil.move(str(tmp / "notebooks"), str(failed_dir))
            except OSError:
                pass
            if final.exists():
                kept = f"{final} er uændret (previous report unchanged)"
            else:
                kept = f"der er ikke skrevet nogen rapport i {final} (no report written)"
            lines = [f"Kørslen for {year} fejlede (run failed); {kept}."]
            lines += [f"  - {r.message}" for r in failures]
            lines.append(f"  De udførte notesbøger ligger i {failed_dir} (executed notebooks kept there).")
            raise RunError("\n".join(lines))

        try:
            write_status_tables(df, tmp, year)
        except Exception as exc:
            raise RunError(
                f"Målopfyldelsestabellen kunne ikke skrives (writing the status files failed): "
                f"{type(exc).__name__}: {_short(exc, 1000)}"
            ) from None
        min_cell = int(params.get("min_cell", 5))
        (tmp / "index.html").write_text(
            render_index(year, specs, counts, uncertain, stamp, min_cell=min_cell,
                         banner=_banner(params.get("data_dir"))), encoding="utf-8"
        )
        by_name = {r.notebook: r for r in results}
        finished = _now_local()
        provenance = {
            "package": "helhedsplan-eval",
            "version": __version__,
            "evaluation_year": year,
            "run": {
                "started": started.isoformat(timespec="seconds"),
                "finished": finished.isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - t0, 2),
                "jobs": n_jobs,
                "run_timestamp_shown": stamp,
            },
            "python": sys.version.split()[0],
            "python_implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "libraries": _library_versions(),
            "git": git_commit(),
            "parameters": {
                "file": source,
                "file_sha256": _sha256(pfile),
                "values": params,
                "per_notebook": {nb.name: params_for(params, d) for nb, d in declared.items()},
            },
            "data_dir": str(data_path),
            "inputs": _input_files(data_path),
            "notebooks": [
                {
                    "file": s.filename,
                    "title": s.title,
                    "sha256": _sha256(nb_dir / s.filename),
                    "seconds": round(by_name[s.filename].seconds, 2),
                    "html": s.html_name,
                }
                for s in specs
            ],
            "status_counts": counts,
            "status_uncertain": uncertain,
        }
        (tmp / "provenance.json").write_text(
            json.dumps(provenance, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )

        _swap_in(tmp, final)
        swapped = True
        if failed_dir.exists():
            shutil.rmtree(failed_dir, ignore_errors=True)
        return final
    finally:
        if not swapped and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp``: the old folder is moved aside first, restored if the new one
    cannot be moved in, and removed only once the new one is in place."""
    old = None
    try:
        if final.exists():
            old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
            final.rename(old)
        tmp.rename(final)
    except OSError as exc:
        if old is not None and not final.exists():
            try:
                old.rename(final)
            except OSError:
                pass
        raise RunError(
            f"{final} kunne ikke erstattes (could not replace the report folder): {exc}. "
            "Er en fil derfra åben, fx regnearket i Excel? Luk den og kør igen."
        ) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def available_years(params_dir: Path | None = None) -> list[int]:
    """Years with a ``params/<year>.yml``."""
    pdir = Path(params_dir or default_params_dir())
    return sorted(int(p.stem) for p in pdir.glob("*.yml") if p.stem.isdigit() and len(p.stem) == 4)


def run_cli(year: int | None, data: str | None, out: str | None, jobs: int | None, all_years: bool) -> int:
    """Entry point for ``helhedsplan-eval run``; returns the process exit code."""
    years = available_years() if all_years else ([int(year)] if year is not None else [])
    if not years:
        print("Angiv --year ÅR eller --all-years (give --year YEAR or --all-years).", file=sys.stderr)
        return 2
    out_root = Path(out) if out else project_root() / "outputs"
    status = 0
    for y in years:
        t0 = time.perf_counter()
        try:
            folder = run_year(y, data_dir=data, out_root=out_root, jobs=jobs, progress=sys.stderr.isatty())
        except RunError as exc:
            print(f"FEJL (error): {exc}", file=sys.stderr)
            status = 1
            continue
        except KeyboardInterrupt:
            print("Afbrudt (interrupted); tidligere rapporter er uændrede.", file=sys.stderr)
            return 130
        seconds = time.perf_counter() - t0
        secs = f"{seconds:.1f}".replace(".", ",")
        print(f"Færdig (done) {y}: {folder / 'index.html'} ({secs} s)")
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helhedsplan_eval.runner --year 2020`` (the package CLI calls run_cli)."""
    ap = argparse.ArgumentParser(prog="helhedsplan-eval run", description="Kør årsrapporten (run the annual report).")
    ap.add_argument("--year", type=int)
    ap.add_argument("--data")
    ap.add_argument("--out")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--all-years", action="store_true")
    a = ap.parse_args(argv)
    return run_cli(a.year, a.data, a.out, a.jobs, a.all_years)


if __name__ == "__main__":
    raise SystemExit(main())
