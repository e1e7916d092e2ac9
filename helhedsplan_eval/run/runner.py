"""The annual run: execute every notebook for one evaluation year and build the board report.

``run_year(2024)`` reads ``params/2024.yml``, executes the notebooks of the notebook list (``notebooks:`` in
``params/plan.yml``) with papermill on warm kernels (in parallel processes by default), renders each executed
notebook to a self-contained Danish HTML page with the ``board`` nbconvert template, writes the front page
``index.html`` with the year's status counts, the goal-attainment table (CSV + Excel), the PDF board pack and
``provenance.json``, and swaps the finished folder in as ``outputs/2024``. A failing notebook fails the whole run;
the previous ``outputs/2024`` is then left exactly as it was.

Layout of ``outputs/<year>/``::

    index.html                  front page (links in the order of the notebook list)
    <notebook>.html             one board page per notebook (no code, no prompts, no scripts)
    tilgaengelighed.html        the accessibility statement (params/tilgaengelighed.yml), linked from every page
    maalopfyldelse_<year>.csv   the status table (written by helhedsplan_eval.analysis.evaluate)
    maalopfyldelse_<year>.xlsx
    bestyrelsespakke_<year>.pdf the printable board pack
    provenance.json             inputs with sha256, versions, parameters, git commit, run time
    koerselslog.txt             one line per notebook (seconds, ok/failed)
    notebooks/<notebook>.ipynb  the executed notebooks, for researchers only

Determinism: two runs on the same inputs give byte-identical HTML except the run stamp in
``<span class="run-timestamp">…</span>`` (one per page). Papermill's timing metadata is
stripped from the executed notebooks and the injected parameters cell gets a fixed id.

This module is the orchestration (:func:`run_year` as a short sequence of named steps, :func:`run_cli`,
:func:`main`); the steps live beside it: ``params`` and ``notebook_list`` (what to run, checked first),
``folders`` (where a run may write, the temporary folder, the swap), ``inputs`` (the data, once), ``status`` (the
status table), ``execute`` and ``processes`` (notebooks on warm kernels, no process left behind), ``render`` (the
kept notebooks and the board pages) and ``publish`` (front page, provenance). Their names stay importable from
here (``runner.X``); the data and status steps are looked up here, so that tests can replace them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from helhedsplan_eval import __version__
from helhedsplan_eval.data.bundle_cache import ENV as _CACHE_ENV
from helhedsplan_eval.data.bundle_cache import remove_cache
from helhedsplan_eval.paths import project_root

# Names of the steps, re-exported: the command line, tests, benchmarks and notebooks use them as runner.X.
from helhedsplan_eval.data.bundle_cache import pid_alive as _pid_alive  # noqa: F401
from helhedsplan_eval.data.contract import contract_files  # noqa: F401
from helhedsplan_eval.paths import BOARD_TEMPLATE, GENERATOR, PACKAGE_DIR, TEMPLATES_DIR  # noqa: F401
from helhedsplan_eval.run.errors import RunError, RunInterrupted, UsageError, _display_path, _short  # noqa: F401
from helhedsplan_eval.run.execute import (  # noqa: F401
    EXECUTION_TIMEOUT, INLINE_BACKEND, MAX_JOBS, START_TIMEOUT, NotebookPool, _describe_failure, _environ,
    _injected_position, _is_kernel_start_failure, _kernel_env, _kernel_stderr_captured, _resolve_jobs, _Result,
    _run_task, _Task, longest_first, progress_line)
from helhedsplan_eval.run.batch import Background as _Background, TaskBatch, _run_tasks, print_note  # noqa: F401
from helhedsplan_eval.run.folders import (  # noqa: F401
    TMP_MARKER, _make_tmp, _protected_folders, _read_provenance, _swap_in, check_output_root, clean_stale_tmp,
    earlier_seconds,
    is_report_folder, keep_failed_notebooks, remove_failed_notebooks)
from helhedsplan_eval.run.inputs import (  # noqa: F401
    _LAST_BUNDLE, _write_bundle_cache, check_data, data_error_summary, load_data)
from helhedsplan_eval.run.notebook_list import NOTEBOOK_KEYS, NotebookSpec, load_notebooks  # noqa: F401
from helhedsplan_eval.run.params import (  # noqa: F401
    _TYPE_CHECKS, PARAM_KEYS, _plan_params_dir, available_years, check_params, check_year, declared_parameters,
    default_notebooks_dir, default_params_dir, load_params, params_file, params_for, plan_parameter, plan_range,
    validate_params)
from helhedsplan_eval.run.processes import (  # noqa: F401
    _children_map, _signals_interrupt, _worker_init, descendants, kill_descendants, signals_deferred)
from helhedsplan_eval.run.publish import (  # noqa: F401
    KEY_LIBRARIES, LOG_NAME, _banner, _input_files, _library_versions, _now_local, _sha256, _shown_data_dir, _synthetic,
    _shown_path, format_run_timestamp, git_commit, provenance, render_index, statement_values, write_statement)
from helhedsplan_eval.run.render import (  # noqa: F401
    OUTSIDE_DATA, _clean_executed, board_outputs, hidden_output_lines, _scrub_text, path_replacements, render_html, scrub_paths)
from helhedsplan_eval.run.status import (  # noqa: F401
    ASSESSMENT_PREFIX, STATUS_ORDER, UNCERTAIN_SUFFIX, board_summary_html, load_status_table, status_counts,
    status_css_class, status_frame_for, status_word, write_status_tables)


def __getattr__(name: str):
    """``NOTEBOOKS``: the project's notebook list (plan.yml), read when asked for (see ``notebook_list``);
    ``run_cli``, ``run_years`` and ``main``: the command line's run (``command``, which builds on this module)."""
    if name == "NOTEBOOKS":
        return tuple(load_notebooks())
    if name in ("run_cli", "run_years", "main"):
        from helhedsplan_eval.run import command

        return getattr(command, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class _Run:
    """One year's run as its steps establish it: what was checked first, then the data and the status table."""

    year: int
    specs: list
    notebooks_dir: Path
    params: dict
    params_path: Path
    declared: dict
    data_dir: Path
    out_root: Path
    started: dt.datetime
    t0: float
    allow_data_errors: bool = False
    bundle: object = None
    data_errors: list = field(default_factory=list)
    table: object = None
    counts: dict = field(default_factory=dict)
    uncertain: int = 0
    shown_params: dict = field(default_factory=dict)
    stamp: str = ""
    banner: str | None = None  # the synthetic-data banner, once known (_write_front)
    log_lines: list = field(default_factory=list)

    @property
    def min_cell(self) -> int:
        return int(self.params.get("min_cell", 5))

    @property
    def final(self) -> Path:
        return self.out_root / str(self.year)

    @property
    def failed_dir(self) -> Path:
        return self.out_root / f"{self.year}.failed"


def run_year(*args, pool: "NotebookPool | None" = None, **kwargs) -> Path:
    """Run the annual report for one year and return the finished ``out_root/<year>`` folder.

    Arguments (:func:`_run_year`): ``year``, ``data_dir`` (overrides the YAML's), ``out_root`` (default
    ``outputs``), ``jobs`` (default min(cores, 4); ``jobs=1`` runs the notebooks one after another in this
    process), ``notebooks_dir``, ``progress``; keyword only: ``notebooks`` (NotebookSpec list; default the
    notebook list of plan.yml), ``params_dir``, ``execution_timeout``, ``allow_data_errors``, ``pool``,
    ``progress_label``, ``progress_lines``. Raises :class:`RunError` with a plain message on failure (a
    :class:`UsageError` for a wrong year, parameter file or notebook list); the previous ``out_root/<year>`` is
    then untouched.

    Before any notebook runs: the year must be one of the plan's (params/plan.yml), the notebook list and the
    parameter file valid, the output folder safe (:func:`check_output_root`: never the data folder, never a
    folder that is not this runner's report) and the data usable (:func:`check_data`; validation errors refuse
    the run unless ``allow_data_errors``).

    ``pool`` (a :class:`NotebookPool`) lets several years share their warm kernels; without it the run has its
    own, whose workers and kernels it stops when it ends (and kills when it fails or is interrupted).
    SIGTERM/SIGHUP interrupt the run from its start: the kernels already warm up while the data are read. One
    line per notebook (:func:`progress_line`, ``progress_label`` e.g. "år 2 af 4") goes to ``LOG_NAME`` in the
    published folder and, with ``progress_lines``, to stdout (the command line does this when stdout is no
    terminal)."""
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
    """The steps of :func:`run_year` (which describes the arguments)."""
    if pool is None:
        pool = NotebookPool()
    run = _prepare_year(year, data_dir, out_root, jobs, notebooks_dir, notebooks=notebooks, params_dir=params_dir,
                        allow_data_errors=allow_data_errors, pool=pool)
    with _signals_interrupt():
        return _build_and_publish(run, pool, progress, progress_label, progress_lines, execution_timeout)


def _prepare_year(year, data_dir, out_root, jobs, notebooks_dir, *, notebooks=None, params_dir=None,
                  allow_data_errors=False, pool: NotebookPool) -> _Run:
    """What comes before any notebook: the checks, the kernels warming up, the data read and judged, the status table."""
    started, t0 = _now_local(), time.perf_counter()

    def warm_up(specs) -> None:  # the kernels' template imports while the notebooks' parameters are checked
        if pool.jobs is None:
            pool.jobs = _resolve_jobs(jobs, len(specs))
        pool.start_template()

    run = _checked_run(year, data_dir, out_root, notebooks_dir, notebooks, params_dir, started, t0, warm_up)
    run.allow_data_errors = allow_data_errors
    pool.warm_up()  # the workers are forked and start their kernels while the data are read
    _read_data_and_status(run)
    run.out_root.mkdir(parents=True, exist_ok=True)
    clean_stale_tmp(run.out_root, run.year)
    _data_dir_for_notebooks(run)
    return run


def _checked_run(year, data_dir, out_root, notebooks_dir, notebooks, params_dir, started, t0,
                 warm_up=None) -> _Run:
    """What is checked before anything is read or written: the year, the notebook list (plan.yml, or the given
    ``notebooks``), the output folder, and the parameter file against what the notebooks declare. ``warm_up(specs)``
    is called once the cheap checks have passed, before the notebooks' parameters are read (papermill)."""
    year = check_year(year, params_dir)
    nb_dir = Path(notebooks_dir or default_notebooks_dir()).resolve()
    if notebooks is None:
        specs = load_notebooks(params_dir, nb_dir)
    else:
        specs = list(notebooks)
        missing = [s.notebook for s in specs if not (nb_dir / s.notebook).is_file()]
        if missing:
            raise RunError(f"Notesbøger mangler i {nb_dir}: {', '.join(missing)}.")
    if not specs:
        raise RunError("Ingen notesbøger at køre.")
    pdir = Path(params_dir) if params_dir else None
    params = load_params(year, pdir, data_dir)
    pfile = params_file(year, pdir)
    data_path = Path(params["data_dir"])
    out = check_output_root(out_root, data_path, year)
    if warm_up is not None:
        warm_up(specs)
    declared = declared_parameters(dict.fromkeys(nb_dir / s.notebook for s in specs))
    check_params(dict(params), declared, source=_display_path(pfile))
    statement_values(pfile.parent)  # params/tilgaengelighed.yml, checked before any notebook runs
    return _Run(year, specs, nb_dir, params, pfile, declared, data_path, out, started, t0)


def _read_data_and_status(run: _Run) -> None:
    """Read and judge the data once and compute the status table (``load_data``, ``check_data`` and
    ``load_status_table`` are looked up in this module: tests replace them)."""
    run.bundle = load_data(run.data_dir)
    run.data_errors = check_data(run.bundle, run.data_dir, run.allow_data_errors)
    for line in data_error_summary(run.data_errors, run.year):  # what --allow-data-errors publishes over
        run.log_lines.append(line)
        print_note(line)
    try:
        run.table = load_status_table(run.year, run.bundle, min_cell=run.min_cell)
    except RunError:
        raise
    except Exception as exc:  # the status engine's own validation messages name file/row/column
        raise RunError(
            f"Statustabellen for {run.year} kunne ikke beregnes: "
            f"{type(exc).__name__}: {_short(exc, 1000)}"
        ) from None
    run.counts, run.uncertain = status_counts(run.table, run.year)


def _data_dir_for_notebooks(run: _Run) -> None:
    """The notebooks get the data folder relative to their working folder when it is inside the project (no
    absolute path of the evaluator's machine in the kept notebooks); provenance.json shows it as _shown_path does."""
    try:
        run.data_dir.relative_to(project_root())
        run.params["data_dir"] = os.path.relpath(run.data_dir, run.notebooks_dir)
    except ValueError:
        pass
    run.shown_params = dict(run.params, data_dir=_shown_data_dir(run.data_dir))


@dataclass
class _Started:
    """A year whose notebooks are queued on the workers (:func:`_start`) and whose report is not yet written
    (:func:`_finish`): its temporary folder, the data cache for its kernels, its batch of notebooks, and those held
    back until the previous year of ``--all-years`` is published (they read its history)."""

    run: _Run
    tmp: Path
    batch: TaskBatch
    label: str = ""
    cache: Path | None = None
    deferred: list = field(default_factory=list)
    front: object = None  # _Background of _write_front, while the notebooks run

    def submit_deferred(self) -> None:
        tasks, self.deferred = self.deferred, []
        self.batch.submit(tasks)

    def release(self) -> None:
        """At the end of the year, published or not: nothing queued starts any more, the cache goes, and so does the
        temporary folder when it was not swapped in (a failed or interrupted run)."""
        self.batch.cancel()
        if self.cache is not None:
            remove_cache(self.cache)
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)


def _build_and_publish(run: _Run, pool: NotebookPool, progress: bool, progress_label: str, progress_lines: bool,
                       execution_timeout: int) -> Path:
    """Execute the notebooks into a temporary folder, write the report's other files there and swap it in; the
    temporary folder and the bundle cache never outlive the run."""
    return _finish(_start(run, pool, progress, progress_label, progress_lines, execution_timeout))


def _start(run: _Run, pool: NotebookPool, progress: bool, label: str, lines: bool, execution_timeout: int,
           defer_history: bool = False) -> _Started:
    """Queue the year's notebooks on ``pool`` (the longest first, :func:`_ordered`), each writing into a new
    temporary folder; with ``defer_history`` the notebooks that read the run history are held back
    (:meth:`_Started.submit_deferred`). One line per notebook goes into the run's log (and to stdout with
    ``lines``) as its result is collected."""
    def on_result(res):
        line = progress_line(res, run.year, label)
        run.log_lines.append(line)
        if lines:
            print(line, flush=True)
        for note in res.hidden:  # outputs left off the board page: in the log and always on the terminal
            note = f"{run.year}{f' ({label})' if label else ''}: {note}"
            run.log_lines.append(note)
            print_note(note)

    started = _Started(run, _make_tmp(run.out_root, run.year), TaskBatch(pool, run.year, progress, on_result), label)
    try:
        (started.tmp / "notebooks").mkdir()
        started.cache = _write_bundle_cache(run.bundle)
        run.stamp = format_run_timestamp(run.started)
        tasks = _ordered(run, _tasks(run, started.tmp, started.cache, execution_timeout), pool)
        started.deferred = [t for t in tasks if defer_history and "history_dir" in t.parameters]
        started.batch.submit([t for t in tasks if t not in started.deferred])
        return started
    except BaseException:
        started.release()
        raise


def _finish(started: _Started) -> Path:
    """Collect the year's notebooks, write the report's other files into its temporary folder and swap it in; the
    temporary folder and the bundle cache never outlive the run."""
    run, tmp = started.run, started.tmp
    try:
        # the front page, status tables and statement while the notebooks run (the previous year of --all-years is
        # published by now: the summary compares with it)
        started.front = _Background(_write_front, run, tmp)
        started.submit_deferred()
        results = started.batch.collect()
        failures = [r for r in results if not r.ok]
        if failures:
            _refuse_failed_run(run, tmp, failures)
        started.front.result()
        _write_report(run, tmp, results, started.batch.pool.jobs, started.label)
        # the folder may have appeared while the notebooks ran: check again before replacing
        check_output_root(run.out_root, run.data_dir, run.year)
        _publish(run, tmp)
        return run.final
    finally:
        if started.front is not None:
            started.front.join()  # nothing writes into the temporary folder while it is removed
        started.release()  # the cache, and the temporary folder unless it was swapped in


def _publish(run: _Run, tmp: Path) -> None:
    """Swap the finished report in (the old one removed only once the new one is in place), store its table as
    history and remove an earlier failed run's notebooks. Ctrl-C and SIGTERM wait until all of it is done: an
    interruption leaves the complete old report or the complete new one, never half of either; the interruption
    that was held back then says that the new report was published (``KeyboardInterrupt.published``)."""
    from helhedsplan_eval.report.history import publish_history  # the year's table as history, outputs/index.html

    swapped = False
    try:
        with signals_deferred():
            _swap_in(tmp, run.final)
            swapped = True
            publish_history(run.out_root, run.year, run.bundle, run.min_cell, run.started)
            remove_failed_notebooks(run.failed_dir)
    except KeyboardInterrupt as exc:
        if swapped:
            exc.published = run.final
        raise


def _tasks(run: _Run, tmp: Path, cache: Path | None, execution_timeout: int) -> list[_Task]:
    """One task per notebook: its declared parameters (and ``history_dir`` when it asks for it), its board page
    context, the kernels' environment (with this run's bundle cache) and the paths to scrub."""
    kernel_env = _kernel_env()
    if cache is not None:  # the notebooks reuse this run's parsed data (bundle_cache)
        kernel_env[_CACHE_ENV] = str(cache)
    scrub = path_replacements(run.data_dir, extra=[(str(tmp), "."), (str(run.out_root), "<outputmappe>")])
    pack = {"year": run.year, "pages": [s.html_name for s in run.specs], "synthetic": _synthetic(run.data_dir),
            "titles": {s.html_name: s.title for s in run.specs}}
    tasks = []
    for spec in run.specs:
        nb_path = run.notebooks_dir / spec.notebook
        declared = run.declared[nb_path]
        history = {"history_dir": str(run.out_root / "historik")} if "history_dir" in declared else {}
        history.update(plan_parameter(declared))
        history.update({k: v for k, v in spec.parameters if k in declared})  # the page's own (area_id)
        board = {
            "year": run.year,
            "title": spec.title,
            "version": __version__,
            "run_timestamp": run.stamp,
            "pages": [{"href": s.html_name, "title": s.title, "current": s == spec} for s in run.specs],
        }
        tasks.append(_Task(
            notebook=str(nb_path),
            title=spec.title,
            out_ipynb=str(tmp / "notebooks" / spec.filename),
            out_html=str(tmp / spec.html_name),
            parameters=dict(params_for(run.params, declared), **history),
            cwd=str(run.notebooks_dir),
            board=board,
            kernel_env=kernel_env,
            execution_timeout=execution_timeout,
            scrub=scrub,
            pack=pack,
        ))
    return tasks


def _ordered(run: _Run, tasks: list[_Task], pool: NotebookPool) -> list[_Task]:
    """On several workers the notebooks that took longest in an earlier report start first (one worker is not left
    with the long ones at the end), or, without an earlier report, those plan.yml expects to take longest (its
    ``seconds``); on one worker they run in the plan's order."""
    if pool.jobs and pool.jobs > 1:
        seconds = earlier_seconds(run.out_root, run.year)
        if not seconds:
            seconds = {s.filename: s.seconds for s in getattr(run, "specs", ()) if s.seconds is not None}
        return longest_first(tasks, seconds)
    return tasks


def _refuse_failed_run(run: _Run, tmp: Path, failures: list[_Result]) -> None:
    """Raise the failed run's :class:`RunError`: the previous report is untouched, the executed notebooks are kept
    in ``<out>/<year>.failed`` for inspection, and each failure is named."""
    kept_nb = keep_failed_notebooks(tmp, run.failed_dir)
    if run.final.exists():
        kept = f"{run.final} er uændret"
    else:
        kept = f"der er ikke skrevet nogen rapport i {run.final}"
    lines = [f"Kørslen for {run.year} fejlede; {kept}."]
    lines += [f"  - {r.message}" for r in failures]
    if kept_nb is not None:
        lines.append(f"  De udførte notesbøger ligger i {kept_nb}.")
    raise RunError("\n".join(lines))


def _write_front(run: _Run, tmp: Path) -> None:
    """(A thread of the runner, while the workers run the notebooks: :class:`_Background`.) What the report needs
    of neither notebook nor part, into ``tmp``: the status tables, the front page with »Til bestyrelsen« and the
    accessibility statement. ``write_status_tables`` is looked up in this module (tests replace it)."""
    try:
        write_status_tables(run.table, tmp, run.year, min_cell=run.min_cell)
    except Exception as exc:
        raise RunError(
            f"Målopfyldelsestabellen kunne ikke skrives: "
            f"{type(exc).__name__}: {_short(exc, 1000)}"
        ) from None
    run.banner = _banner(run.data_dir)
    try:  # after the previous year's run stored its table (history), which the summary compares with
        summary = board_summary_html(run.year, run.bundle, run.min_cell, run.out_root / "historik")
    except Exception as exc:
        raise RunError(f"Afsnittet »Til bestyrelsen« kunne ikke dannes: {type(exc).__name__}: {_short(exc, 1000)}") from None
    (tmp / "index.html").write_text(
        render_index(run.year, run.specs, run.counts, run.uncertain, run.stamp, min_cell=run.min_cell,
                     banner=run.banner, data_errors=len(run.data_errors), summary=summary), encoding="utf-8"
    )
    write_statement(tmp, run.year, run.params_path.parent, run.stamp)


def _write_report(run: _Run, tmp: Path, results: list[_Result], jobs: int, label: str) -> None:
    """The PDF board pack, provenance.json and the run's log, into ``tmp`` (the front matter is there already:
    :func:`_write_front`)."""
    banner = run.banner
    try:  # the printable board pack: the parts the workers laid out, the front page here, merged
        from helhedsplan_eval.report.pdf_assemble import assemble_pack

        parts = {r.pack_part["name"]: r.pack_part for r in results if r.pack_part}
        assemble_pack(tmp, run.year, [s.html_name for s in run.specs], synthetic=bool(banner), parts=parts,
                      titles={s.html_name: s.title for s in run.specs})
    except Exception as exc:
        raise RunError(f"PDF-bestyrelsespakken kunne ikke dannes: {type(exc).__name__}: {_short(exc, 1000)}") from None
    record = provenance(
        year=run.year, started=run.started, finished=_now_local(), seconds=time.perf_counter() - run.t0, jobs=jobs,
        stamp=run.stamp, params_path=run.params_path, shown_params=run.shown_params, declared=run.declared,
        data_dir=run.data_dir, data_errors=run.data_errors, allow_data_errors=run.allow_data_errors,
        specs=run.specs, notebooks_dir=run.notebooks_dir, notebook_seconds={r.notebook: r.seconds for r in results},
        counts=run.counts, uncertain=run.uncertain)
    (tmp / "provenance.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    secs = f"{time.perf_counter() - run.t0:.1f}".replace(".", ",")
    run.log_lines.append(f"{run.year}{f' ({label})' if label else ''}: færdig, "
                         f"{len(results)} notesbøger, {secs} s i alt ({jobs} parallelle kerner)")
    (tmp / LOG_NAME).write_text("\n".join(run.log_lines) + "\n", encoding="utf-8")
    (tmp / TMP_MARKER).unlink()
