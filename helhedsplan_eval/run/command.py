"""The command line's run (``helhedsplan-eval run``): one year or ``--all-years`` on one pool of warm kernels.

:func:`run_years` pipelines the years: a year's notebooks are queued before the previous year's report is written
(runner's ``_start`` / ``_finish``), so the workers do not wait for the runner between years.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from helhedsplan_eval.paths import project_root
from helhedsplan_eval.run.errors import RunError, RunInterrupted, UsageError
from helhedsplan_eval.run.execute import EXECUTION_TIMEOUT, NotebookPool, _resolve_jobs
from helhedsplan_eval.run.notebook_list import load_notebooks
from helhedsplan_eval.run.params import available_years, plan_range
from helhedsplan_eval.run.processes import _signals_interrupt
from helhedsplan_eval.run.runner import _finish, _prepare_year, _start, _Started


def default_out_root(out: str | None = None) -> Path:
    """``<out>/`` (default ``outputs/``) for the default plan (params/), ``<out>/<plan id>/`` for any other, so that
    reports of different plans never overwrite each other (their years, history and index)."""
    from helhedsplan_eval.catalogue.names import plan_names
    from helhedsplan_eval.paths import default_plan_dir, params_dir

    root = Path(out) if out else project_root() / "outputs"
    return root if params_dir() == default_plan_dir() else root / plan_names().id


def run_cli(year: int | None, data: str | None, out: str | None, jobs: int | None, all_years: bool,
            allow_data_errors: bool = False) -> int:
    """Entry point for ``helhedsplan-eval run``; returns the process exit code (0 done, 1 a failed
    run or unusable data, 2 a wrong year, parameter file or notebook list, 130/143 interrupted)."""
    years = available_years() if all_years else ([year] if year is not None else [])
    if not years:
        print("Fejl: angiv --year ÅR eller --all-years.", file=sys.stderr)
        return 2
    if all_years:
        start, end = plan_range()
        years = [y for y in years if start <= y <= end]
    try:
        n_jobs = _resolve_jobs(jobs, len(load_notebooks()))
    except RunError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return exc.exit_code
    out_root = default_out_root(out)
    return run_years(years, n_jobs, lines=not sys.stdout.isatty(), data_dir=data, out_root=out_root,
                     allow_data_errors=allow_data_errors)


def run_years(years: Sequence[int], jobs: int, lines: bool = True, **kwargs) -> int:
    """Run the years one after another on one pool of warm kernels, each year's report published before the next
    year's; returns the exit code of :func:`run_cli`. ``kwargs`` go to :func:`_prepare_year` (``data_dir``,
    ``out_root``, ``allow_data_errors``, ``notebooks``, ``params_dir``, ``notebooks_dir``).

    Pipelined: a year's notebooks are queued on the workers before the previous year's report is written, so that
    the workers never wait for the runner between years; a notebook that reads the run history (the change page:
    ``history_dir``) is held back until the previous year is published. A year that fails is reported and the
    others go on; a wrong year, parameter file or notebook list (exit 2) stops the run after the year in progress."""
    status, previous, current = 0, None, None
    pool = NotebookPool(jobs)  # warm kernels shared by every year of the run
    try:
        with _signals_interrupt():
            for i, y in enumerate(years, 1):
                label = f"år {i} af {len(years)}" if len(years) > 1 else ""
                current = None
                try:
                    current = _start_year(y, label, pool, lines, defer_history=previous is not None, **kwargs)
                except RunError as exc:
                    status = _finish_year(previous, status)
                    previous = None
                    print(f"Fejl: {exc}", file=sys.stderr)
                    status = max(status, exc.exit_code)
                    if isinstance(exc, UsageError):
                        return status
                    continue
                status = _finish_year(previous, status)
                previous, current = current, None
                previous[0].submit_deferred()
            last, previous = previous, None
            return _finish_year(last, status)
    except BaseException as exc:  # interrupted, or an unexpected error: no worker, kernel or queued year survives
        pool.kill()
        for started in (previous, current):  # queued, not published: their temporary folders go
            if started is not None:
                started[0].release()
        if not isinstance(exc, KeyboardInterrupt):
            raise
        published = getattr(exc, "published", None)  # the interruption waited until a new report was in place
        if published is not None:
            print(f"Afbrudt, efter at den nye rapport var lagt i {published}; andre rapporter er uændrede.",
                  file=sys.stderr)
        else:
            print("Afbrudt; tidligere rapporter er uændrede.", file=sys.stderr)
        return 128 + exc.signum if isinstance(exc, RunInterrupted) else 130
    finally:
        pool.close()


def _start_year(year: int, label: str, pool: NotebookPool, lines: bool, defer_history: bool = False,
                **kwargs) -> tuple[_Started, float]:
    """Prepare one year of the command line's run and queue its notebooks; returns it with its start time."""
    t0 = time.perf_counter()
    run = _prepare_year(year, kwargs.pop("data_dir", None), kwargs.pop("out_root", Path("outputs")), pool.jobs,
                        kwargs.pop("notebooks_dir", None), pool=pool, **kwargs)
    progress = sys.stderr.isatty() and not lines
    return _start(run, pool, progress, label, lines, EXECUTION_TIMEOUT, defer_history), t0


def _finish_year(started: "tuple[_Started, float] | None", status: int) -> int:
    """Write and publish a started year's report with its 'Færdig' line (seconds in Danish), or its error; returns
    the run's exit code so far."""
    if started is None:
        return status
    year, t0 = started[0].run.year, started[1]
    try:
        folder = _finish(started[0])
    except RunError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return max(status, exc.exit_code)
    secs = f"{time.perf_counter() - t0:.1f}".replace(".", ",")
    label = started[0].label
    print(f"Færdig {year}{f' ({label})' if label else ''}: {folder / 'index.html'} ({secs} s)", flush=True)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helhedsplan_eval.run.command --year 2024`` (the package CLI calls run_cli)."""
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
