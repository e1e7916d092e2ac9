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
    maalopfyldelse_<year>.csv   the status table (written by helhedsplan_eval.analysis.evaluate)
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

from helhedsplan_eval import __version__
from helhedsplan_eval.paths import BOARD_TEMPLATE, GENERATOR, PACKAGE_DIR, TEMPLATES_DIR, project_root, resolve_path
from helhedsplan_eval.data.bundle_cache import pid_alive as _pid_alive
from helhedsplan_eval.data.contract import contract_files
from helhedsplan_eval.analysis.status import STATUSES as STATUS_ORDER
from helhedsplan_eval.analysis.status import UNCERTAIN_SUFFIX as _UNCERTAIN

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
    """A run failed for a reason the evaluator can act on; ``str(exc)`` is the plain message.

    ``exit_code`` is what the command line returns: 1 for a failed run or unusable data,
    2 for a wrong year or a wrong parameter file (like argparse's usage errors)."""

    exit_code = 1


class UsageError(RunError):
    """A year outside the plan or an invalid parameter file (exit code 2)."""

    exit_code = 2


class RunInterrupted(KeyboardInterrupt):
    """The run received SIGTERM/SIGHUP; raised in the main thread so that clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


#: Marker file inside the runner's temporary folders (``.<year>.tmp-*``), so that a later run
#: removes its own stale leftovers and nothing else.
TMP_MARKER = ".helhedsplan-eval-tmp"
#: The run's log in the published folder: one line per notebook (name, year, seconds, ok/failed).
LOG_NAME = "koerselslog.txt"
#: Placeholder for a data folder outside the project in the kept notebooks and provenance.json.
OUTSIDE_DATA = "<datamappe uden for projektet>"


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
    NotebookSpec("udvikling.ipynb", "Udvikling siden sidste år"),
    NotebookSpec("tryghed_og_trivsel.ipynb", "Tryghed og trivsel"),
    NotebookSpec("kriminalpraeventiv_indsats.ipynb", "Kriminalpræventiv indsats"),
    NotebookSpec("forebyggelse_og_foraeldreansvar.ipynb", "Forebyggelse og forældreansvar"),
    NotebookSpec("fit_collateral.ipynb", "Trivselsmålinger i familiekurserne (FIT)"),
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
    word = str(status).strip().split(":")[0]  # "Skjult: færre end 5 personer" -> "Skjult"
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


#: The keys of params/<year>.yml: what each must be (Danish, for messages).
PARAM_KEYS = {
    "evaluation_year": "et helt tal (int): evalueringsåret, som i filnavnet",
    "data_dir": "en tekst (str): datamappen, relativ til projektmappen eller absolut",
    "min_cell": "et helt tal (int) på mindst 1: antal under det vises som \"<min_cell\"",
}


def _plan_params_dir(params_dir: str | os.PathLike | None = None) -> Path:
    """The folder whose plan.yml gives the plan's years: ``params_dir`` if it holds one, else the
    project's params/ (test set-ups may have only <year>.yml files)."""
    for cand in (params_dir, default_params_dir(), PACKAGE_DIR.parent / "params"):
        if cand is not None and (Path(cand) / "plan.yml").is_file():
            return Path(cand)
    return default_params_dir()


def plan_range(params_dir: str | os.PathLike | None = None) -> tuple[int, int]:
    from helhedsplan_eval.paths import plan_years

    try:
        return plan_years(_plan_params_dir(params_dir))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_year(year, params_dir: str | os.PathLike | None = None) -> int:
    """``year`` as int if it is one of the plan's years (params/plan.yml), else :class:`UsageError`."""
    from helhedsplan_eval.paths import year_problem

    plan_range(params_dir)
    problem = year_problem(year, _plan_params_dir(params_dir))
    if problem:
        raise UsageError(problem[0].upper() + problem[1:])
    return int(year)


def validate_params(raw, year: int, source: str) -> list[str]:
    """Every problem of a parameter file's content at once (file, key, value, what is expected)."""
    if raw is None:
        return [f"{source}: filen er tom; den skal indeholde nøglerne {', '.join(PARAM_KEYS)}."]
    if not isinstance(raw, dict):
        return [f"{source}: filen skal indeholde nøgle: værdi-par (en YAML-mapping), "
                f"fandt {type(raw).__name__}; gyldige nøgler: {', '.join(PARAM_KEYS)}."]
    problems = []
    for key in raw:
        if key not in PARAM_KEYS:
            hint = difflib.get_close_matches(str(key), list(PARAM_KEYS), n=1)
            also = f"; mente du {hint[0]!r}?" if hint else ""
            problems.append(f"{source}: ukendt nøgle {key!r} (gyldige nøgler: {', '.join(PARAM_KEYS)}){also}")
    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)
    if "evaluation_year" in raw:
        v = raw["evaluation_year"]
        start, end = plan_range()
        if not is_int(v):
            problems.append(f"{source}: evaluation_year = {v!r} er ikke et helt år (forventet et helt tal {start}-{end}).")
        elif not start <= v <= end:
            problems.append(f"{source}: evaluation_year = {v} ligger uden for helhedsplanens år {start}-{end}.")
        elif v != year:
            problems.append(f"{source}: evaluation_year er {v!r}, men kørslen gælder {year} "
                            "(evaluation_year skal være filens år).")
    if "min_cell" in raw:
        v = raw["min_cell"]
        if not is_int(v) or v < 1:
            problems.append(f"{source}: min_cell = {v!r} er ugyldig (forventet {PARAM_KEYS['min_cell']}).")
    if "data_dir" in raw:
        v = raw["data_dir"]
        if not isinstance(v, str) or not v.strip():
            problems.append(f"{source}: data_dir = {v!r} er ugyldig (forventet {PARAM_KEYS['data_dir']}).")
    return problems


def load_params(year: int, params_dir: Path | None = None, data_dir: str | os.PathLike | None = None) -> dict:
    """The parameters of ``year`` from ``params/<year>.yml`` with an absolute ``data_dir``.

    ``data_dir`` in the YAML is relative to the project root; ``data_dir`` given here (the
    CLI's ``--data``) overrides it and is resolved against the current directory first.
    Raises :class:`UsageError` naming every problem of the file at once."""
    import yaml

    path = params_file(year, params_dir)
    source = _display_path(path)
    if not path.is_file():
        raise UsageError(
            f"Parameterfilen {source} findes ikke; "
            f"opret den med evaluation_year, data_dir og min_cell."
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UsageError(f"Parameterfilen {source} kan ikke læses som YAML: {_short(exc)}") from None
    problems = validate_params(raw, int(year), source)
    if problems:
        raise UsageError("Parameterfilen er ugyldig:\n" + "\n".join(f"  - {p}" for p in problems))
    params = dict(raw)
    params["evaluation_year"] = int(year)
    params.setdefault("min_cell", 5)
    if data_dir is not None:
        resolved = resolve_path(data_dir)
        given = str(data_dir)
    elif params.get("data_dir") is not None:
        raw_dir = Path(str(params["data_dir"])).expanduser()
        resolved = raw_dir if raw_dir.is_absolute() else (project_root() / raw_dir)
        given = str(params["data_dir"])
    else:
        raise UsageError(f"{source}: data_dir mangler, og --data er ikke givet "
                         f"(gyldige nøgler: {', '.join(PARAM_KEYS)}).")
    resolved = Path(os.path.abspath(resolved)).resolve()
    if not resolved.exists():
        raise RunError(f"Datamappen {given} findes ikke ({_display_path(resolved)}).")
    if not resolved.is_dir():
        raise RunError(f"Datamappen {given} er ikke en mappe ({_display_path(resolved)}).")
    params["data_dir"] = str(resolved)
    return params


def _display_path(path: str | os.PathLike) -> str:
    """A path as the evaluator reads it in messages: relative to the project root when inside it."""
    p = Path(os.path.abspath(path))
    root = project_root()
    try:
        return p.relative_to(root).as_posix() or "."
    except ValueError:
        return str(p)


def declared_parameters(notebooks: Iterable[Path]) -> dict[Path, dict]:
    """``{notebook: {name: {"inferred_type_name", "default", "help"}}}`` from each parameters cell."""
    import papermill as pm

    out = {}
    for nb in notebooks:
        try:
            out[Path(nb)] = dict(pm.inspect_notebook(str(nb)))
        except Exception as exc:  # not JSON, not a notebook
            raise RunError(
                f"Notesbogen {nb} kan ikke læses: {type(exc).__name__}: {_short(exc)}"
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
            also = f" Mente du {hint[0]!r}?" if hint else ""
            problems.append(
                f"{source}: parameteren {key!r} bruges ikke af nogen notesbog "
                f"(parametre, notesbøgerne kender: {', '.join(sorted(known)) or 'ingen'}).{also}"
            )
    for nb, decl in declared.items():
        for key, info in decl.items():
            if key not in params:
                continue
            check = _TYPE_CHECKS.get(str(info.get("inferred_type_name", "")).strip())
            if check is not None and params[key] is not None and not check(params[key]):
                problems.append(
                    f"{source}: {key} = {params[key]!r} passer ikke til typen {info['inferred_type_name']} "
                    f"i {nb.name}."
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
    scrub: list = field(default_factory=list)  # (absolute path, replacement) pairs, see scrub_paths


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


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _kernel_env() -> dict:
    """Environment for the kernels: the package importable even when not pip-installed, a fixed
    hash seed so set/dict-of-str iteration cannot change the order of what a page shows, and
    matplotlib's inline backend."""
    root = str(PACKAGE_DIR.parent)
    current = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    pythonpath = os.pathsep.join([root] + [p for p in current if p != root])
    # Charts must reach the page whatever the evaluator's MPLBACKEND is: with e.g. MPLBACKEND=Agg
    # the kernel would show "<Figure size …>" text instead of the image.
    return {"PYTHONPATH": pythonpath, "PYTHONHASHSEED": "0", "MPLBACKEND": INLINE_BACKEND}


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
        where = "den indsatte parametercelle"
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
    # the kept copy is an output, not a source: without the pairing a researcher who opens and saves it in
    # JupyterLab does not get a stray Jupytext .py beside it
    nb.metadata.pop("jupytext", None)
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


def path_replacements(data_dir: str | os.PathLike | None = None, extra: Sequence[tuple[str, str]] = ()) -> list:
    """``(path, replacement)`` pairs that make the evaluator's absolute paths disappear from kept
    notebooks: the data folder (relative to the project, or a placeholder when outside it), the
    project root (paths become relative to it), the home folder (``~``) and the temp folder."""
    pairs: list[tuple[str, str]] = list(extra)
    root = project_root()
    if data_dir is not None:
        data = Path(data_dir).resolve()
        try:
            rel = data.relative_to(root).as_posix()
        except ValueError:
            rel = None
        if rel is None:
            pairs.append((str(data), OUTSIDE_DATA))
    pairs.append((str(root), "."))
    home = Path.home()
    if str(home) not in ("/", ""):
        pairs.append((str(home), "~"))
    for tmp in {tempfile.gettempdir(), os.path.realpath(tempfile.gettempdir())}:
        if tmp not in ("/", ""):
            pairs.append((tmp, "<tmp>"))
    # longest first, so that a folder inside another is replaced as a whole
    return sorted(dict.fromkeys(pairs), key=lambda kv: len(kv[0]), reverse=True)


_PATH_END = r"""(?=$|[/\\\s'"`),:;\]}>|]|\x1b)"""


def _scrub_text(text: str, pairs) -> str:
    import re

    for old, new in pairs:
        if old not in text:
            continue
        if new == ".":  # inside the project root: relative paths
            text = re.sub(re.escape(old) + r"[/\\]", "", text)
        text = re.sub(re.escape(old) + _PATH_END, lambda m: new, text)
    return text


def scrub_paths(nb, pairs):
    """The executed notebook with the absolute paths of ``pairs`` replaced in every text: cell
    sources, text outputs, tracebacks, metadata (images and other binary outputs are left as is)."""
    if not pairs:
        return nb

    def walk(obj, key=None):
        if isinstance(obj, str):
            return _scrub_text(obj, pairs)
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        if isinstance(obj, dict):
            for k in list(obj):
                if isinstance(k, str) and k.startswith("image/") and k != "image/svg+xml":
                    continue
                obj[k] = walk(obj[k], k)
            return obj
        return obj

    for cell in nb.cells:
        walk(cell)
    walk(nb.metadata)
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
    """Execute one notebook with papermill on this process's warm kernel (kernel_pool: reset to a
    fresh namespace first), keep the cleaned .ipynb, render its HTML page. After a failure or a
    timeout the kernel is killed and the next notebook gets a new one."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from helhedsplan_eval.run.kernel_pool import KernelStartError, execute, process_kernel

    t0 = time.perf_counter()
    name = Path(task.notebook).name
    attempts = 0
    warm = process_kernel(task.kernel_env, task.start_timeout)
    with _environ(task.kernel_env):
        while True:
            attempts += 1
            try:
                with _kernel_stderr_captured():
                    executed = execute(warm, task.notebook, task.out_ipynb, task.parameters, task.cwd,
                                       task.kernel_env, task.execution_timeout, task.start_timeout)
                break
            except PapermillExecutionError as exc:
                warm.replace()  # the next notebook must not inherit a half-run kernel
                err = _describe_failure(task, exc)
                msg = f"{name}, {err['where']}: {err['ename']}: {err['evalue']}"
                return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
            except Exception as exc:  # kernel start, dead kernel, timeout, unreadable notebook
                warm.replace()  # a hung or dead kernel: kill it, the next notebook gets a new one
                if attempts == 1 and (_is_kernel_start_failure(exc) or isinstance(exc, KernelStartError)):
                    continue  # one retry with a new kernel
                err = {"ename": type(exc).__name__, "evalue": _short(exc)}
                msg = f"{name}: {err['ename']}: {err['evalue']}"
                return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
    try:
        executed = _clean_executed(executed, task.notebook)
        executed = scrub_paths(executed, task.scrub)
        nbformat.write(executed, task.out_ipynb)
        html = render_html(executed, task.title, task.board, task.cwd)
        Path(task.out_html).write_text(html, encoding="utf-8")
    except Exception as exc:
        err = {"ename": type(exc).__name__, "evalue": _short(exc)}
        msg = f"{name}: HTML-siden kunne ikke dannes: {err['ename']}: {err['evalue']}"
        return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
    return _Result(name, True, time.perf_counter() - t0, "", attempts)


# --------------------------------------------------------------------------------------------
# Status table, index page, provenance
# --------------------------------------------------------------------------------------------


def load_status_table(year: int, data, min_cell: int = 5):
    """The year's status table from the status engine (one row per success criterion); ``data``
    is a data folder or an already loaded bundle, ``min_cell`` the run's disclosure threshold."""
    from helhedsplan_eval.analysis.evaluate import evaluate_year

    return status_frame_for(evaluate_year(year, data, min_cell=min_cell), min_cell)


def status_frame_for(res, min_cell: int):
    """``evaluate.status_frame(res, min_cell=…)``: the table with the run's disclosure threshold."""
    from helhedsplan_eval.analysis.evaluate import status_frame

    return status_frame(res, min_cell=min_cell)


def write_status_tables(df, out_dir: Path, year: int, min_cell: int = 5) -> None:
    """Write ``maalopfyldelse_<year>.csv`` and ``.xlsx`` into ``out_dir`` (status engine's writer).
    ``df`` is already built with the run's ``min_cell``."""
    from helhedsplan_eval.analysis.evaluate import write_status_files

    write_status_files(df, out_dir, year)


def status_word(label: str) -> str | None:
    """The status word of a label in the status table: 'På vej (usikkert)' -> 'På vej',
    'Vurdering: Gennemført' -> 'Kvalitativ vurdering'; None if it is no known status."""
    text = str(label).strip()
    for word in sorted(STATUS_ORDER, key=len, reverse=True):
        if text == word or text.startswith(word + " ") or text.startswith(word + ":"):
            return word
    if text.startswith(ASSESSMENT_PREFIX) and "Kvalitativ vurdering" in STATUS_ORDER:
        return "Kvalitativ vurdering"
    return None


def status_counts(df, year: int | None = None) -> tuple[dict[str, int], int]:
    """Counts per status word (in STATUS_ORDER) of the status table, and how many are "(usikkert)".

    Reads the column ``Status`` (the table of helhedsplan_eval.analysis.evaluate; ``status`` also works);
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
            "Statustabellen mangler kolonnen 'Status'; "
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
        raise RunError(f"Ukendte statusord i statustabellen: {sorted(set(unknown))}.")
    return counts, uncertain


def render_index(year: int, specs: Sequence[NotebookSpec], counts: dict[str, int], uncertain: int,
                 run_timestamp: str, min_cell: int = 5, banner: str = "", data_errors: int = 0) -> str:
    """The front page; ``banner`` is HTML shown first (the synthetic-data notice on sample data);
    ``data_errors`` > 0 says the run was published with data errors (--allow-data-errors)."""
    import jinja2

    from helhedsplan_eval.formatting import fmt_number

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
        data_errors=data_errors,
        data_errors_text=("1 fejl" if data_errors == 1 else f"{fmt_number(data_errors)} fejl"),
    )


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


# --------------------------------------------------------------------------------------------
# Data safety: where a run may write, what it may replace, which data it accepts
# --------------------------------------------------------------------------------------------


def _protected_folders() -> dict[Path, str]:
    """Folders of the project a report must never be written into (``is`` or ``inside``)."""
    root = project_root()
    return {
        root / "params": "parametermappen params/",
        root / "notebooks": "notesbogsmappen notebooks/",
        PACKAGE_DIR: "programmets mappe helhedsplan_eval/",
        root / ".git": "git-mappen .git/",
    }


def check_output_root(out_root: str | os.PathLike, data_dir: str | os.PathLike | None, year: int | None = None,
                      what: str = "Outputmappen") -> Path:
    """The resolved output folder if a run may write into it, else :class:`RunError`.

    Refused: the data folder itself, a folder inside it or one that contains it (symlinks and
    '..' resolved), the project root, params/, notebooks/, the package and .git; and, when
    ``year`` is given, an existing ``<out>/<year>`` that is not a report of this runner."""
    from helhedsplan_eval.paths import is_within

    given = str(out_root)
    out = Path(os.path.abspath(Path(out_root).expanduser())).resolve()
    shown = f"{given} ({_display_path(out)})" if given != _display_path(out) else given
    if out.exists() and not out.is_dir():
        raise RunError(f"{what} {shown} er ikke en mappe; intet er skrevet.")
    if data_dir is not None:
        data = Path(data_dir).resolve()
        if is_within(out, data):
            raise RunError(
                f"{what} {shown} er eller ligger i datamappen {_display_path(data)}; en kørsel skriver "
                "aldrig i datamappen. Vælg en anden --out (fx outputs); intet er rørt.")
        if is_within(data, out):
            raise RunError(
                f"{what} {shown} indeholder datamappen {_display_path(data)}; en kørsel skriver aldrig "
                "i en mappe over datamappen. Vælg en anden --out (fx outputs); intet er rørt.")
    if out == project_root():
        raise RunError(f"{what} {shown} er selve projektmappen; vælg en anden --out (fx outputs); intet er rørt.")
    for folder, name in _protected_folders().items():
        if is_within(out, folder):
            raise RunError(f"{what} {shown} er eller ligger i {name}; vælg en anden --out (fx outputs); "
                           "intet er rørt.")
    if year is not None:
        final = out / str(year)
        if final.is_symlink() or (final.exists() and not final.is_dir()):
            raise RunError(f"{final} findes og er ikke en rapportmappe (en fil eller et symbolsk link); "
                           "en kørsel erstatter kun sine egne rapporter. Intet er rørt.")
        if final.exists() and not is_report_folder(final, year):
            raise RunError(
                f"{_display_path(final)} findes, men er ikke en rapport fra helhedsplan-eval run (ingen "
                f"provenance.json med \"generator\": \"{GENERATOR}\"); en kørsel erstatter kun sine egne "
                "rapporter. Vælg en anden --out, eller flyt mappen selv. Intet er rørt.")
    return out


def _read_provenance(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_report_folder(folder: str | os.PathLike, year: int | None = None) -> bool:
    """True if ``folder`` is a report this runner wrote: a real folder (no symlink) whose
    provenance.json carries ``"generator": "helhedsplan-eval run"`` (and ``year``, if given)."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return False
    prov = _read_provenance(folder)
    if not prov or prov.get("generator") != GENERATOR:
        return False
    return year is None or prov.get("evaluation_year") == year


def _make_tmp(out_root: Path, year: int) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=f".{year}.tmp-", dir=out_root))
    tmp.chmod(0o755)  # mkdtemp gives 0700; the report folder is meant to be shared
    (tmp / TMP_MARKER).write_text(
        json.dumps({"generator": GENERATOR, "pid": os.getpid(), "year": year}) + "\n", encoding="utf-8")
    return tmp




def clean_stale_tmp(out_root: str | os.PathLike, year: int) -> list[Path]:
    """Remove this runner's leftover ``.<year>.tmp-*`` and ``.<year>.old-*`` folders in ``out_root``
    (from a killed run): only folders with the runner's marker whose process is gone."""
    removed = []
    out_root = Path(out_root)
    if not out_root.is_dir():
        return removed
    for p in sorted(out_root.glob(f".{year}.tmp-*")) + sorted(out_root.glob(f".{year}.old-*")):
        if p.is_symlink() or not p.is_dir():
            continue
        if p.name.startswith(f".{year}.tmp-"):
            try:
                info = json.loads((p / TMP_MARKER).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # not ours
            if not isinstance(info, dict) or info.get("generator") != GENERATOR or _pid_alive(info.get("pid")):
                continue
        elif not (is_report_folder(p, year) and is_report_folder(out_root / str(year), year)):
            continue  # an old report is removed only once a newer one is in place
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


_LAST_BUNDLE: dict = {}  # {"key": bundle_cache.cache_key, "bundle": DataBundle}: the years of one run share it


def load_data(data_dir: str | os.PathLike):
    """Load and validate the data folder once (contract.load_bundle). The years of ``--all-years``
    share the bundle, and with it the indicator series computed on it
    (evaluate.cached_series), as long as the files' key (bundle_cache.cache_key: SHA-256 of every
    file, package version, catalogue) is unchanged."""
    from helhedsplan_eval.data.contract import load_bundle

    key = None
    try:
        from helhedsplan_eval.data.bundle_cache import cache_key
        from helhedsplan_eval.catalogue.criteria import load_catalogue

        key = cache_key(Path(data_dir), set(load_catalogue().criteria))
    except Exception:
        key = None
    if key is not None and _LAST_BUNDLE.get("key") == key:
        return _LAST_BUNDLE["bundle"]
    bundle = load_bundle(Path(data_dir))
    _LAST_BUNDLE.clear()
    if key is not None:
        _LAST_BUNDLE.update(key=key, bundle=bundle)
    return bundle


def _write_bundle_cache(bundle) -> Path | None:
    """Pickle the run's validated bundle for the kernels (helhedsplan_eval.data.bundle_cache); None
    when it cannot be written (the notebooks then parse the data themselves)."""
    from helhedsplan_eval.data.bundle_cache import write_cache

    if getattr(bundle, "data_dir", None) is None:
        return None
    try:
        from helhedsplan_eval.catalogue.criteria import load_catalogue

        ids = set(load_catalogue().criteria)
    except Exception:
        ids = None
    try:
        return write_cache(bundle, ids)
    except Exception:  # the cache is an optimisation only
        return None




def check_data(bundle, data_dir: str | os.PathLike, allow_data_errors: bool = False) -> list:
    """Refuse data that cannot be evaluated: no file the contract knows (always) and validation
    errors (unless ``allow_data_errors``). Returns the error issues that were let through."""
    from helhedsplan_eval.data.contract import ERROR, format_report
    from helhedsplan_eval.data.sources import SOURCES

    shown = _display_path(data_dir)
    try:
        known = [p for p in Path(data_dir).iterdir() if p.is_file() and p.stem.lower() in SOURCES
                 and p.suffix.lower() in (".csv", ".xlsx")]
    except OSError:
        known = []
    if not known:
        names = ", ".join(f"{n}.csv" for n in list(SOURCES)[:3])
        raise RunError(
            f"Datamappen {shown} indeholder ingen af datakontraktens filer (fx {names}); er det den rigtige "
            "mappe? Se data/README.md og `helhedsplan-eval validate`. Intet er skrevet.")
    errors = [i for i in bundle.issues if i.severity == ERROR]
    if errors and not allow_data_errors:
        report = format_report(bundle.issues, shown)
        raise RunError(
            f"Data i {shown} har {len(errors)} fejl; rapporten er ikke dannet, og en tidligere rapport er "
            f"uændret.\n{report}\nRet fejlene (helhedsplan-eval validate {shown}), eller kør med "
            "--allow-data-errors for at udgive alligevel (kilder med fejl udelades; deres kriterier "
            "afventer data).")
    return errors


# --------------------------------------------------------------------------------------------
# Child processes: no worker or kernel outlives the run
# --------------------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    """``{ppid: [pid, …]}`` of every process, read from /proc (Linux); empty elsewhere."""
    out: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        out.setdefault(int(fields[1]), []).append(int(name))
    return out


def descendants(pid: int | None = None) -> list[int]:
    """Every process below ``pid`` (default: this one): workers, kernels and what they started."""
    pid = os.getpid() if pid is None else pid
    children = _children_map()
    found, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        if p in found:
            continue
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def kill_descendants(pid: int | None = None, grace: float = 3.0, keep: Iterable[int] = ()) -> list[int]:
    """SIGTERM every descendant except those in ``keep`` (processes that existed before the run,
    when run_year is called inside a larger program), and the process group of each kernel, which
    jupyter_client starts in its own session; then SIGKILL what is left after ``grace`` seconds."""
    import signal

    keep = set(keep)
    procs = [p for p in descendants(pid) if p not in keep]
    if not procs or os.name != "posix":
        return procs
    groups = set()
    for p in procs:
        try:
            if os.getpgid(p) == p:  # a session/group leader of its own: a kernel
                groups.add(p)
        except OSError:
            pass
    for p in procs:
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_pid_alive(p) for p in procs):
        time.sleep(0.05)
    for g in groups:
        try:
            os.killpg(g, signal.SIGKILL)
        except OSError:
            pass
    for p in procs:
        if _pid_alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    return procs


@contextmanager
def _signals_interrupt():
    """In the main thread: SIGTERM and SIGHUP raise :class:`RunInterrupted` (like Ctrl-C raises
    KeyboardInterrupt), so that the run's clean-up (children, temporary folder) always runs."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise RunInterrupted(signum)

    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            saved[sig] = signal.signal(sig, handler)
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for sig, old in saved.items():
            try:
                signal.signal(sig, old)
            except (OSError, ValueError):
                pass


def _worker_init() -> None:
    """In each worker process: die with the parent (Linux PR_SET_PDEATHSIG), and on SIGTERM take
    the kernel(s) this worker started along."""
    import signal

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def on_term(signum, frame):
        kill_descendants(grace=1.0)
        os._exit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it then terminates us
    except (OSError, ValueError):
        pass


# --------------------------------------------------------------------------------------------
# The annual run
# --------------------------------------------------------------------------------------------


def _resolve_jobs(jobs: int | None, n: int) -> int:
    if jobs is None:
        jobs = min(os.cpu_count() or 1, MAX_JOBS)
    if jobs < 1:
        raise RunError(f"--jobs skal være mindst 1, fik {jobs}.")
    return max(1, min(jobs, n))


class NotebookPool:
    """The run's notebook executors: ``jobs`` worker processes (``spawn``), each keeping one warm
    kernel (helhedsplan_eval.run.kernel_pool) for every notebook it runs, or, with ``jobs=1``, one warm
    kernel in this process. ``run_cli`` keeps one pool for all years of ``--all-years``.

    :meth:`close` stops the workers and their kernels; :meth:`kill` (interruption, failure) stops
    every process the pool started (helper A's :func:`kill_descendants`, sparing what ran before)."""

    def __init__(self, jobs: int | None = None):
        self.jobs = None if jobs is None else max(1, int(jobs))  # None: the first run decides
        self._executor = None
        self._warming: list = []
        self._existing = descendants()  # not ours to stop

    def warm_up(self) -> None:
        """Start the workers and their kernels now, in the background: while the runner loads and
        validates the data and computes the status table, the kernels start and import."""
        if self.jobs is None or self.jobs < 2 or self._warming and self._executor is not None:
            return
        from helhedsplan_eval.run.kernel_pool import warm_up_process_kernel

        ex = self.executor()
        self._warming = [ex.submit(warm_up_process_kernel, _kernel_env(), START_TIMEOUT) for _ in range(self.jobs)]

    def executor(self):
        if self._executor is None:
            ctx = mp.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=_worker_init)
        return self._executor

    def close(self) -> None:
        self._warming = []
        ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=True, cancel_futures=True)  # workers shut their kernels down on exit
        from helhedsplan_eval.run.kernel_pool import shutdown_process_kernel

        shutdown_process_kernel()

    def kill(self) -> None:
        self._warming = []
        ex, self._executor = self._executor, None
        kill_descendants(keep=self._existing)
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)
        from helhedsplan_eval.run.kernel_pool import shutdown_process_kernel

        shutdown_process_kernel()

    def __enter__(self) -> "NotebookPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.kill()


def progress_line(res: "_Result", year: int, label: str = "") -> str:
    """One line per notebook for logs and non-terminal output:
    '2020 (år 2 af 4): oversigt.ipynb – ok, 3,4 s' or '… – fejlede, 1,2 s'."""
    secs = f"{res.seconds:.1f}".replace(".", ",")
    where = f"{year} ({label})" if label else str(year)
    return f"{where}: {res.notebook} – {'ok' if res.ok else 'fejlede'}, {secs} s"


def _run_tasks(tasks: list[_Task], jobs: int, progress: bool, year: int, pool: NotebookPool | None = None,
               on_result=None) -> list[_Result]:
    """Run the notebooks on ``pool`` (a new one for this call when None), fail fast; ``on_result``
    is called with each result as it arrives."""
    from tqdm.auto import tqdm

    results: list[_Result] = []
    bar = tqdm(total=len(tasks), desc=f"{year}: notesbøger", unit="nb", disable=not progress, file=sys.stderr)
    own = pool is None
    if own:
        pool = NotebookPool(jobs)

    def record(res):
        results.append(res)
        bar.update(1)
        if on_result is not None:
            on_result(res)

    try:
        if pool.jobs == 1:
            for task in tasks:
                bar.set_postfix_str(Path(task.notebook).name, refresh=False)
                res = _run_task(task)
                record(res)
                if not res.ok:
                    break  # fail fast: the run cannot succeed any more
        else:
            ex = pool.executor()
            pending = {ex.submit(_run_task, t) for t in tasks}
            failed = False
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    if fut.cancelled():
                        continue
                    try:
                        res = fut.result()
                    except Exception as exc:  # worker crashed (BrokenProcessPool, pickling)
                        res = _Result("?", False, 0.0,
                                      f"arbejdsprocessen fejlede: {type(exc).__name__}: {_short(exc)}")
                        pool.kill()  # a broken pool cannot run the next year: start afresh
                    record(res)
                    if not res.ok and not failed:
                        failed = True
                        for other in pending:
                            other.cancel()  # not yet started: skip
        if own:
            pool.close()
        return results
    except BaseException:
        # interrupted (Ctrl-C, SIGTERM) or failed: no worker and no kernel may survive the run
        pool.kill()
        raise
    finally:
        bar.close()


def run_year(*args, pool: "NotebookPool | None" = None, **kwargs) -> Path:
    """Run the annual report for one year (arguments: :func:`_run_year`); without ``pool`` the run
    has its own :class:`NotebookPool`, whose workers and kernels it stops when it ends (and kills
    when it fails or is interrupted). SIGTERM/SIGHUP interrupt the run from its start: the
    kernels already warm up while the data are read."""
    with _signals_interrupt():
        if pool is not None:
            return _run_year(*args, pool=pool, **kwargs)
        with NotebookPool() as own:
            return _run_year(*args, pool=own, **kwargs)


def _run_year(
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
    allow_data_errors: bool = False,
    pool: "NotebookPool | None" = None,
    progress_label: str = "",
    progress_lines: bool = False,
) -> Path:
    """Run the annual report for ``year`` and return the finished ``out_root/<year>`` folder.

    ``data_dir`` overrides the YAML's ``data_dir``; ``jobs`` defaults to min(cores, 4), ``jobs=1``
    runs the notebooks one after another in this process. ``notebooks``/``notebooks_dir``/
    ``params_dir`` exist for tests. Raises :class:`RunError` with a plain message on failure;
    the previous ``out_root/<year>`` is then untouched.

    Before any notebook runs: the year must be one of the plan's (params/plan.yml), the parameter
    file valid, the output folder safe (:func:`check_output_root`: never the data folder, never a
    folder that is not this runner's report) and the data usable (:func:`check_data`; validation
    errors refuse the run unless ``allow_data_errors``).

    ``pool`` (a :class:`NotebookPool`) lets several years share their warm kernels; without it the
    run makes its own. One line per notebook (:func:`progress_line`, ``progress_label`` e.g.
    "år 2 af 4") goes to ``LOG_NAME`` in the published folder and, with ``progress_lines``, to
    stdout (the command line does this when stdout is no terminal)."""
    started = _now_local()
    t0 = time.perf_counter()
    year = check_year(year, params_dir)
    specs = list(NOTEBOOKS if notebooks is None else notebooks)
    nb_dir = Path(notebooks_dir or default_notebooks_dir()).resolve()
    missing = [s.filename for s in specs if not (nb_dir / s.filename).is_file()]
    if missing:
        raise RunError(f"Notesbøger mangler i {nb_dir}: {', '.join(missing)}.")
    if not specs:
        raise RunError("Ingen notesbøger at køre.")

    params = load_params(year, Path(params_dir) if params_dir else None, data_dir)
    pfile = params_file(year, Path(params_dir) if params_dir else None)
    declared = declared_parameters(nb_dir / s.filename for s in specs)
    source = _display_path(pfile)
    check_params({k: v for k, v in params.items()}, declared, source=source)
    min_cell = int(params.get("min_cell", 5))

    data_path = Path(params["data_dir"])
    out_root = check_output_root(out_root, data_path, year)
    final = out_root / str(year)
    failed_dir = out_root / f"{year}.failed"

    if pool is None:
        pool = NotebookPool()
    if pool.jobs is None:
        pool.jobs = _resolve_jobs(jobs, len(specs))
    pool.warm_up()  # kernels start while the data are read and judged

    bundle = load_data(data_path)
    data_errors = check_data(bundle, data_path, allow_data_errors)
    try:
        df = load_status_table(year, bundle, min_cell=min_cell)
    except RunError:
        raise
    except Exception as exc:  # the status engine's own validation messages name file/row/column
        raise RunError(
            f"Statustabellen for {year} kunne ikke beregnes: "
            f"{type(exc).__name__}: {_short(exc, 1000)}"
        ) from None
    counts, uncertain = status_counts(df, year)

    out_root.mkdir(parents=True, exist_ok=True)
    clean_stale_tmp(out_root, year)
    # the notebooks get the data folder relative to their working folder when it is inside the
    # project (no absolute path of the evaluator's machine in the kept notebooks)
    try:
        data_path.relative_to(project_root())
        params["data_dir"] = os.path.relpath(data_path, nb_dir)
    except ValueError:
        pass
    shown_params = dict(params, data_dir=_shown_data_dir(data_path))
    with _signals_interrupt():
        tmp = _make_tmp(out_root, year)
        swapped = False
        cache = None
        try:
            (tmp / "notebooks").mkdir()
            cache = _write_bundle_cache(bundle)
            kernel_env = _kernel_env()
            if cache is not None:  # the notebooks reuse this run's parsed data (bundle_cache)
                from helhedsplan_eval.data.bundle_cache import ENV

                kernel_env[ENV] = str(cache)
            stamp = format_run_timestamp(started)
            scrub = path_replacements(data_path, extra=[(str(tmp), "."), (str(out_root), "<outputmappe>")])
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
                    parameters=dict(params_for(params, declared[nb_path]),
                                    **({"history_dir": str(out_root / "historik")}
                                       if "history_dir" in declared[nb_path] else {})),
                    cwd=str(nb_dir),
                    board=board,
                    kernel_env=kernel_env,
                    execution_timeout=execution_timeout,
                    scrub=scrub,
                ))
            n_jobs = pool.jobs
            log_lines: list[str] = []

            def on_result(res):
                line = progress_line(res, year, progress_label)
                log_lines.append(line)
                if progress_lines:
                    print(line, flush=True)

            results = _run_tasks(tasks, n_jobs, progress, year, pool=pool, on_result=on_result)
            failures = [r for r in results if not r.ok]
            if failures:
                kept_nb = None
                try:  # keep the executed notebooks (with papermill's error banner) for inspection
                    if failed_dir.exists() and (failed_dir / TMP_MARKER).is_file() and not failed_dir.is_symlink():
                        shutil.rmtree(failed_dir)
                    if not failed_dir.exists():
                        (tmp / "notebooks" / TMP_MARKER).write_text(GENERATOR + "\n", encoding="utf-8")
                        shutil.move(str(tmp / "notebooks"), str(failed_dir))
                        kept_nb = failed_dir
                except OSError:
                    pass
                if final.exists():
                    kept = f"{final} er uændret"
                else:
                    kept = f"der er ikke skrevet nogen rapport i {final}"
                lines = [f"Kørslen for {year} fejlede; {kept}."]
                lines += [f"  - {r.message}" for r in failures]
                if kept_nb is not None:
                    lines.append(f"  De udførte notesbøger ligger i {kept_nb}.")
                raise RunError("\n".join(lines))

            try:
                write_status_tables(df, tmp, year, min_cell=min_cell)
            except Exception as exc:
                raise RunError(
                    f"Målopfyldelsestabellen kunne ikke skrives: "
                    f"{type(exc).__name__}: {_short(exc, 1000)}"
                ) from None
            (tmp / "index.html").write_text(
                render_index(year, specs, counts, uncertain, stamp, min_cell=min_cell,
                             banner=_banner(data_path), data_errors=len(data_errors)), encoding="utf-8"
            )
            try:  # the printable board pack, built from the rendered (disclosure-controlled) pages
                from helhedsplan_eval.report.pdf import build_board_pdf

                build_board_pdf(tmp, year, [s.html_name for s in specs], synthetic=bool(_banner(data_path)))
            except Exception as exc:
                raise RunError(f"PDF-bestyrelsespakken kunne ikke dannes: {type(exc).__name__}: {_short(exc, 1000)}") from None
            by_name = {r.notebook: r for r in results}
            finished = _now_local()
            provenance = {
                "generator": GENERATOR,
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
                    "file": _shown_path(pfile),
                    "file_sha256": _sha256(pfile),
                    "values": shown_params,
                    "per_notebook": {nb.name: params_for(shown_params, d) for nb, d in declared.items()},
                },
                "data_dir": shown_params["data_dir"],
                "data_errors": {
                    "published_with_errors": bool(data_errors),
                    "allow_data_errors": bool(allow_data_errors),
                    "errors": len(data_errors),
                    "sources_left_out": sorted({i.source for i in data_errors}),
                },
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
            secs = f"{time.perf_counter() - t0:.1f}".replace(".", ",")
            log_lines.append(f"{year}{f' ({progress_label})' if progress_label else ''}: færdig, "
                             f"{len(results)} notesbøger, {secs} s i alt ({n_jobs} parallelle kerner)")
            (tmp / LOG_NAME).write_text("\n".join(log_lines) + "\n", encoding="utf-8")
            (tmp / TMP_MARKER).unlink()

            # the folder may have appeared while the notebooks ran: check again before replacing
            check_output_root(out_root, data_path, year)
            _swap_in(tmp, final)
            swapped = True
            from helhedsplan_eval.report.history import publish_history  # the year's table as history, and outputs/index.html

            publish_history(out_root, year, bundle, min_cell, started)
            if failed_dir.exists() and (failed_dir / TMP_MARKER).is_file() and not failed_dir.is_symlink():
                shutil.rmtree(failed_dir, ignore_errors=True)
            return final
        finally:
            if cache is not None:
                from helhedsplan_eval.data.bundle_cache import remove_cache

                remove_cache(cache)
            if not swapped and tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


def _shown_path(path: Path) -> str:
    """A path as provenance.json records it: relative to the project root, or a placeholder with
    the last name when it lies outside the project (no absolute path of the machine)."""
    try:
        return Path(path).resolve().relative_to(project_root()).as_posix() or "."
    except ValueError:
        return f"{OUTSIDE_DATA if Path(path).is_dir() else '<uden for projektet>'}/{Path(path).name}"


_shown_data_dir = _shown_path


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
            f"{final} kunne ikke erstattes: {exc}. "
            "Er en fil derfra åben, fx regnearket i Excel? Luk den og kør igen."
        ) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def available_years(params_dir: Path | None = None) -> list[int]:
    """Years with a ``params/<year>.yml``."""
    pdir = Path(params_dir or default_params_dir())
    return sorted(int(p.stem) for p in pdir.glob("*.yml") if p.stem.isdigit() and len(p.stem) == 4)


def run_cli(year: int | None, data: str | None, out: str | None, jobs: int | None, all_years: bool,
            allow_data_errors: bool = False) -> int:
    """Entry point for ``helhedsplan-eval run``; returns the process exit code (0 done, 1 a failed
    run or unusable data, 2 a wrong year or parameter file, 130/143 interrupted)."""
    years = available_years() if all_years else ([year] if year is not None else [])
    if not years:
        print("Fejl: angiv --year ÅR eller --all-years.", file=sys.stderr)
        return 2
    if all_years:
        start, end = plan_range()
        years = [y for y in years if start <= y <= end]
    out_root = Path(out) if out else project_root() / "outputs"
    status = 0
    try:
        n_jobs = _resolve_jobs(jobs, len(NOTEBOOKS))
    except RunError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return exc.exit_code
    lines = not sys.stdout.isatty()
    pool = NotebookPool(n_jobs)  # warm kernels shared by every year of the run
    try:
        for i, y in enumerate(years, 1):
            t0 = time.perf_counter()
            label = f"år {i} af {len(years)}" if len(years) > 1 else ""
            try:
                folder = run_year(y, data_dir=data, out_root=out_root, jobs=n_jobs,
                                  progress=sys.stderr.isatty() and not lines, allow_data_errors=allow_data_errors,
                                  pool=pool, progress_label=label, progress_lines=lines)
            except RunError as exc:
                print(f"Fejl: {exc}", file=sys.stderr)
                status = max(status, exc.exit_code)
                if isinstance(exc, UsageError):
                    return status
                continue
            except KeyboardInterrupt as exc:
                pool.kill()  # no worker or kernel survives an interruption
                print("Afbrudt; tidligere rapporter er uændrede.", file=sys.stderr)
                return 128 + exc.signum if isinstance(exc, RunInterrupted) else 130
            seconds = time.perf_counter() - t0
            secs = f"{seconds:.1f}".replace(".", ",")
            print(f"Færdig {y}{f' ({label})' if label else ''}: {folder / 'index.html'} ({secs} s)", flush=True)
    finally:
        pool.close()
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helhedsplan_eval.run.runner --year 2020`` (the package CLI calls run_cli)."""
    ap = argparse.ArgumentParser(prog="helhedsplan-eval run", description="Kør årsrapporten (run the annual report).")
    ap.add_argument("--year", type=int, help="evalueringsåret (et af helhedsplanens år)")
    ap.add_argument("--data", help="datamappe (standard: data_dir i params/<år>.yml)")
    ap.add_argument("--out", help="mappe til rapporterne (standard: outputs)")
    ap.add_argument("--jobs", type=int, help="antal parallelle processer")
    ap.add_argument("--all-years", action="store_true", help="kør alle år med en params/<år>.yml")
    ap.add_argument("--allow-data-errors", action="store_true",
                    help="udgiv selv om data har valideringsfejl (forsiden siger det)")
    a = ap.parse_args(argv)
    return run_cli(a.year, a.data, a.out, a.jobs, a.all_years, a.allow_data_errors)


if __name__ == "__main__":
    raise SystemExit(main())
