"""Executing the notebooks: tasks, the kernels' environment, the worker pool and one line per notebook.

A :class:`_Task` is one notebook to execute and render; :func:`_run_task` runs it on this process's warm kernel
(``kernel_pool``), keeps the cleaned .ipynb and writes its board page (``render``), and names a failing cell the way
a researcher finds it in JupyterLab. :class:`NotebookPool` holds the worker processes (``spawn``), each with one warm
kernel, or one kernel in this process with ``jobs=1``; ``batch`` runs a year's tasks on it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from helhedsplan_eval.paths import PACKAGE_DIR
from helhedsplan_eval.run.errors import RunError, _short
from helhedsplan_eval.run.processes import _worker_init, descendants, kill_descendants, run_marked
from helhedsplan_eval.run.render import _clean_executed, hidden_output_lines, render_page, scrub_paths


EXECUTION_TIMEOUT = 1800  # seconds per cell


START_TIMEOUT = 120  # seconds for a kernel to start


MAX_JOBS = 4


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
    pack: dict | None = None  # the board pack's pages and year: lay this page out as its part (see _pack_part)
    marker: str | None = None  # on a worker: says whether it runs this task (processes.run_marked, crash_state)
    requeued: int = 0  # how often a worker crash (of another notebook) sent this task to a new worker

    @property
    def name(self) -> str:
        """The page's notebook name (its executed copy's file name; one notebook may serve several pages)."""
        return Path(self.out_ipynb).name or Path(self.notebook).name


@dataclass
class _Result:
    notebook: str
    ok: bool
    seconds: float = 0.0
    message: str = ""
    attempts: int = 1
    error: dict = field(default_factory=dict)
    pack_part: dict | None = None  # report.pdf.layout_part's result for this page, when the worker laid it out
    hidden: list = field(default_factory=list)  # "<nb>, celle N: output ikke vist for bestyrelsen" (render_page)


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
    name = task.name
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
                _scrub_failed(task)
                err = _describe_failure(task, exc)
                msg = f"{name}, {err['where']}: {err['ename']}: {err['evalue']}"
                return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
            except Exception as exc:  # kernel start, dead kernel, timeout, unreadable notebook
                warm.replace()  # a hung or dead kernel: kill it, the next notebook gets a new one
                if attempts == 1 and (_is_kernel_start_failure(exc) or isinstance(exc, KernelStartError)):
                    continue  # one retry with a new kernel
                _scrub_failed(task)
                err = {"ename": type(exc).__name__, "evalue": _short(exc)}
                msg = f"{name}: {err['ename']}: {err['evalue']}"
                return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
    try:
        executed = _clean_executed(executed, task.notebook)
        executed = scrub_paths(executed, task.scrub)
        nbformat.write(executed, task.out_ipynb)
        html, hidden = render_page(executed, task.title, task.board, task.cwd)
        Path(task.out_html).write_text(html, encoding="utf-8")
    except Exception as exc:
        err = {"ename": type(exc).__name__, "evalue": _short(exc)}
        msg = f"{name}: HTML-siden kunne ikke dannes: {err['ename']}: {err['evalue']}"
        return _Result(name, False, time.perf_counter() - t0, msg, attempts, err)
    part = _pack_part(task)
    return _Result(name, True, time.perf_counter() - t0, "", attempts, pack_part=part,
                   hidden=hidden_output_lines(name, hidden))


def _pack_part(task: _Task) -> dict | None:
    """Lay this page out as its part of the PDF board pack (report.pdf.layout_part: tagged, numbered on its own),
    here in the worker while the other workers still run notebooks, so that the pack is not laid out on one core
    at the end. Best effort: on any failure the runner lays the part out itself when it puts the pack together,
    and reports what fails then."""
    if not task.pack:
        return None
    try:
        from helhedsplan_eval.report.pdf import layout_part

        out_html = Path(task.out_html)
        return layout_part(out_html.parent, task.pack["year"], out_html.name, task.pack["pages"],
                           bool(task.pack.get("synthetic")), titles=task.pack.get("titles"))
    except Exception:
        return None


def _scrub_failed(task: _Task) -> None:
    """The notebook papermill wrote for a failed notebook (its error banner and traceback, kept in
    ``<out>/<year>.failed``) made like a published one: no run metadata, no absolute path of the machine. Best
    effort: a notebook that cannot be read is left as it is."""
    import nbformat

    try:
        nb = nbformat.read(task.out_ipynb, as_version=4)
        nbformat.write(scrub_paths(_clean_executed(nb), task.scrub), task.out_ipynb)
    except Exception:
        pass


def _resolve_jobs(jobs: int | None, n: int) -> int:
    if jobs is None:
        jobs = min(os.cpu_count() or 1, MAX_JOBS)
    if jobs < 1:
        raise RunError(f"--jobs skal være mindst 1, fik {jobs}.")
    return max(1, min(jobs, n))


#: How worker processes start. On Linux they are forked from the runner: a spawned worker started a new interpreter
#: and imported the runner's modules again (about 0,3 CPU-second each) before it could start its kernel, while the
#: runner read the data on the same two cores. The runner forks them before it starts any thread of its own (the
#: pool's manager thread starts after the workers, concurrent.futures does so for "fork"); each worker then sets
#: its own signal handlers (processes._worker_init). Elsewhere (macOS, Windows) fork is unsafe or missing: spawn.
WORKER_START = "fork" if sys.platform.startswith("linux") else "spawn"


class NotebookPool:
    """The run's notebook executors: ``jobs`` worker processes (:data:`WORKER_START`), each keeping one warm
    kernel (helhedsplan_eval.run.kernel_pool) for every notebook it runs, or, with ``jobs=1``, one warm
    kernel in this process. ``run_cli`` keeps one pool for all years of ``--all-years``.

    :meth:`close` stops the workers and their kernels; :meth:`kill` (interruption, failure) stops
    every process the pool started (:func:`kill_descendants`, sparing what ran before)."""

    def __init__(self, jobs: int | None = None):
        self.jobs = None if jobs is None else max(1, int(jobs))  # None: the first run decides
        self._executor = None
        self._warming: list = []
        self._existing = descendants()  # not ours to stop
        self.generation = 0  # one more each time the workers are stopped: a later executor() starts new ones
        self._markers: str | None = None  # folder of the tasks' marker files (crash_state)
        self._template = None  # the kernels' template process (run.kernel_template), with several workers

    def start_template(self) -> None:
        """Start the kernels' template (run.kernel_template) now, with several workers: it imports what every kernel
        needs while the runner checks and reads; the workers' kernels are its forks."""
        if self.jobs is None or self.jobs < 2 or self._template is not None:
            return
        from helhedsplan_eval.run.kernel_template import start_template

        self._template = start_template(_kernel_env())

    def warm_up(self) -> None:
        """Start the workers and their kernels now, in the background: while the runner loads and
        validates the data and computes the status table, the kernels start. The workers are forked from the
        runner (:data:`WORKER_START`): what it has imported by then (:func:`preload_for_workers`) they do not import
        again."""
        if self.jobs is None or self.jobs < 2 or self._warming and self._executor is not None:
            return
        from helhedsplan_eval.run.kernel_pool import warm_up_process_kernel

        self.start_template()
        import gc

        frozen = WORKER_START == "fork" and self._executor is None
        if frozen:  # the workers are forked below: they inherit what the runner imports now, and what it imported
            preload_for_workers()  # stays out of their full collections
            gc.freeze()
        try:
            ex = self.executor()
            self._warming = [ex.submit(warm_up_process_kernel, _kernel_env(), START_TIMEOUT)
                             for _ in range(self.jobs)]  # the workers are forked here (concurrent.futures, "fork")
        finally:
            if frozen:
                gc.unfreeze()  # the runner itself (or a researcher's session calling run_year) collects as before

    def executor(self):
        if self._executor is None:
            ctx = mp.get_context(WORKER_START)
            template = self._template.address if self._template is not None else None
            self._executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=_worker_init,
                                                 initargs=(template,))
        return self._executor

    def submit(self, task: "_Task"):
        """Queue ``task`` on a worker; returns its future and the generation of the workers it was queued on. A pool
        that a dying worker has broken since the last look takes no work: its workers are stopped, new ones start."""
        from concurrent.futures.process import BrokenProcessPool

        if self._markers is None:
            self._markers = tempfile.mkdtemp(prefix="hpe-tasks-")
        task.marker = os.path.join(self._markers, uuid.uuid4().hex)
        try:
            return self.executor().submit(run_marked, _run_task, task), self.generation
        except BrokenProcessPool:
            self.kill()
            return self.executor().submit(run_marked, _run_task, task), self.generation

    def close(self) -> None:
        self._warming = []
        ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=True, cancel_futures=True)  # workers shut their kernels down on exit
        from helhedsplan_eval.run.kernel_pool import shutdown_process_kernel

        shutdown_process_kernel()
        self._remove_markers()
        self._stop_template()

    def _stop_template(self) -> None:
        template, self._template = self._template, None
        if template is not None:
            template.stop()

    def _remove_markers(self) -> None:
        if self._markers is not None:
            import shutil

            shutil.rmtree(self._markers, ignore_errors=True)
            self._markers = None

    def kill(self) -> None:
        self._warming = []
        self.generation += 1
        ex, self._executor = self._executor, None
        manager = getattr(ex, "_executor_manager_thread", None)  # shutdown(wait=False) forgets it: taken first
        kill_descendants(keep=self._existing)
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)
            _join_manager(manager)
        from helhedsplan_eval.run.kernel_pool import shutdown_process_kernel

        shutdown_process_kernel()
        self._stop_template()

    def __enter__(self) -> "NotebookPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.kill()
            self._remove_markers()


def preload_for_workers() -> None:
    """(In the runner, before the workers are forked.) Import what every worker imports for its first notebook:
    papermill and the warm engine, the board's HTML exporter (its templates compiled), WeasyPrint and pikepdf for
    the pack's parts, and the pack's modules. Forked workers inherit them: about 1 CPU-second less per worker, on
    the two cores the notebooks need. The runner needs them itself for the front page and the merge."""
    if WORKER_START != "fork":
        return
    try:
        import pikepdf  # noqa: F401
        import weasyprint  # noqa: F401

        import helhedsplan_eval.report.pdf_assemble  # noqa: F401
        import helhedsplan_eval.report.pdf_merge  # noqa: F401
        from helhedsplan_eval.run.kernel_pool import _register_engine
        from helhedsplan_eval.run.render import _exporter

        _register_engine()
        _exporter()
    except Exception:  # each is imported again where it is used, and fails there with its message
        pass


def _join_manager(thread, timeout: float = 10.0) -> None:
    """Wait (bounded) for a killed executor's manager thread to end (taken from the executor before its
    ``shutdown(wait=False)``, which drops the reference). It closes the executor's wake-up pipe as it ends;
    concurrent.futures' exit handler writes to that pipe, and on Python 3.11 the two race: an interrupted run printed
    "Exception ignored in … OSError: [Errno 9] Bad file descriptor" after our message. And while it marks the queued
    futures broken it must not meet the runner cancelling them (an interrupted ``--all-years`` cancels the next
    year's): on Python 3.11 that printed "Exception in thread … InvalidStateError: CANCELLED" to the terminal."""
    if thread is not None and thread.is_alive():
        thread.join(timeout)


def progress_line(res: "_Result", year: int, label: str = "") -> str:
    """One line per notebook for logs and non-terminal output:
    '2024 (år 2 af 4): oversigt.ipynb – ok, 3,4 s' or '… – fejlede, 1,2 s'."""
    secs = f"{res.seconds:.1f}".replace(".", ",")
    where = f"{year} ({label})" if label else str(year)
    return f"{where}: {res.notebook} – {'ok' if res.ok else 'fejlede'}, {secs} s"


def longest_first(tasks: list[_Task], seconds: dict[str, float]) -> list[_Task]:
    """The tasks in the order that keeps the workers busy to the end: the notebooks that took longest in an earlier
    run first (longest processing time first), a notebook without an earlier time before all of them (it may be
    the longest), ties in the given order. ``seconds``: notebook file name -> seconds."""
    def key(item):
        i, task = item
        s = seconds.get(task.name)
        return (0, 0.0, i) if s is None else (1, -float(s), i)

    return [t for _, t in sorted(enumerate(tasks), key=key)]
