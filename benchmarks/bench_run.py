"""Benchmark the annual run: a plain sequential papermill loop versus the runner.

Usage (from the project root)::

    PYTHONPATH=. python benchmarks/bench_run.py --year 2020 --repeat 3 [--jobs N] [--data DIR]

Three modes, each repeated ``--repeat`` times in fresh temporary folders, medians reported:

- ``papermill loop``: ``papermill.execute_notebook`` on every notebook, one after another
  (execution only: what one would write without the runner);
- ``runner jobs=1``: ``run_year(..., jobs=1)``: execution + board HTML + index + tables +
  provenance, one notebook after another in this process;
- ``runner jobs=N``: the same in N spawn worker processes (default: min(cores, 4)).

The slowest single notebook (median of its papermill-loop times) is the floor: no parallel
schedule can finish the notebooks faster than that. Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_model, usable_cores  # noqa: E402  (the benchmarks' shared machine description)


def plain_papermill_loop(year: int, data_dir, notebooks_dir: Path, out: Path) -> dict[str, float]:
    """Execute every notebook with papermill, sequentially; seconds per notebook."""
    import papermill as pm

    from helhedsplan_eval.run import runner

    params = runner.load_params(year, data_dir=data_dir)
    declared = runner.declared_parameters(dict.fromkeys(notebooks_dir / s.notebook for s in runner.NOTEBOOKS))
    times = {}
    with runner._environ(runner._kernel_env()):  # same kernel environment as the runner (package importable)
        for spec in runner.NOTEBOOKS:
            nb = notebooks_dir / spec.notebook  # one area notebook serves every area page
            t0 = time.perf_counter()
            pm.execute_notebook(str(nb), str(out / spec.filename),
                                parameters={**runner.params_for(params, declared[nb]), **dict(spec.parameters)},
                                kernel_name="python3", cwd=str(notebooks_dir), progress_bar=False,
                                log_output=False, execution_timeout=runner.EXECUTION_TIMEOUT)
            times[spec.filename] = time.perf_counter() - t0
    return times


def timed_runner(year: int, data_dir, jobs: int, out: Path) -> float:
    from helhedsplan_eval.run import runner

    t0 = time.perf_counter()
    runner.run_year(year, data_dir=data_dir, out_root=out, jobs=jobs, progress=False)
    return time.perf_counter() - t0


def fmt(x: float) -> str:
    return f"{x:.1f}"


def main(argv=None) -> int:
    from helhedsplan_eval.run import runner

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--year", type=int, default=2020)
    ap.add_argument("--data", default=None, help="data folder (default: data_dir of params/<year>.yml)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None, help="parallel workers (default: min(cores, 4))")
    a = ap.parse_args(argv)

    nb_dir = runner.default_notebooks_dir()
    jobs = runner._resolve_jobs(a.jobs, len(runner.NOTEBOOKS))
    loop_totals, seq_totals, par_totals = [], [], []
    per_nb: dict[str, list[float]] = {s.filename: [] for s in runner.NOTEBOOKS}
    for i in range(a.repeat):
        # alternate the order so warm caches do not favour one mode
        modes = ["loop", "seq", "par"] if i % 2 == 0 else ["par", "seq", "loop"]
        for mode in modes:
            with tempfile.TemporaryDirectory(prefix="hpe-bench-") as tmp:
                tmp = Path(tmp)
                if mode == "loop":
                    t0 = time.perf_counter()
                    times = plain_papermill_loop(a.year, a.data, nb_dir, tmp)
                    loop_totals.append(time.perf_counter() - t0)
                    for k, v in times.items():
                        per_nb[k].append(v)
                elif mode == "seq":
                    seq_totals.append(timed_runner(a.year, a.data, 1, tmp))
                else:
                    par_totals.append(timed_runner(a.year, a.data, jobs, tmp))
        print(f"repetition {i + 1}/{a.repeat}: loop {fmt(loop_totals[-1])} s, runner jobs=1 "
              f"{fmt(seq_totals[-1])} s, runner jobs={jobs} {fmt(par_totals[-1])} s", file=sys.stderr)

    med = statistics.median
    loop_m, seq_m, par_m = med(loop_totals), med(seq_totals), med(par_totals)
    nb_meds = {k: med(v) for k, v in per_nb.items()}
    slowest = max(nb_meds, key=nb_meds.get)

    print(f"Annual run {a.year}, {len(runner.NOTEBOOKS)} notebooks, {a.repeat} repetitions (medians).\n")
    print(f"Machine: {cpu_model()}, {usable_cores()} usable cores (os.cpu_count() = {os.cpu_count()}), "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}.\n")
    print("| Mode | Median wall time (s) | Min - max (s) | Relative to papermill loop |")
    print("|---|---:|---:|---:|")
    for label, vals in (("papermill loop, sequential (execution only)", loop_totals),
                        ("runner, jobs=1 (execution + HTML + index + tables)", seq_totals),
                        (f"runner, jobs={jobs} (parallel, spawn)", par_totals)):
        print(f"| {label} | {fmt(med(vals))} | {fmt(min(vals))} - {fmt(max(vals))} | {med(vals) / loop_m:.2f} |")
    print(f"\nSpeed-up of the parallel runner: {seq_m / par_m:.2f}x over runner jobs=1, "
          f"{loop_m / par_m:.2f}x over the plain papermill loop.")
    print(f"Floor (slowest single notebook, {slowest}): {fmt(nb_meds[slowest])} s; "
          f"sum of notebooks: {fmt(sum(nb_meds.values()))} s; ideal with {jobs} workers "
          f"max(floor, sum / {jobs}) = {fmt(max(nb_meds[slowest], sum(nb_meds.values()) / jobs))} s.\n")
    print("| Notebook | Median execution (s) |")
    print("|---|---:|")
    for spec in runner.NOTEBOOKS:
        print(f"| {spec.filename} | {fmt(nb_meds[spec.filename])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
