"""`helhedsplan-eval run --year 2020` against its compute floor (issue 13).

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_floor.py --year 2020 --repeat 3

The floor is (CPU time of executing the notebooks' cells alone + the PDF pack's CPU time) ÷ cores + one kernel
start (issue 22: the floor counts the pack):

- **one kernel start**: wall time from starting a kernel until the heavy imports are done
  (pandas, matplotlib, seaborn, statsmodels, the package; kernel_pool's warm-up);
- **cells alone**: the kernel's own CPU time (user + system, from /proc) while it executes the
  cells of each notebook, on an already warm kernel, with the year's parameters. Two readings:
  *as written* (every notebook parses the data and computes its indicators itself, as under
  plain papermill) and *with the run's shared data* (the bundle and indicator series the run
  computes once, bundle_cache): the run uses the latter, so it is the stricter floor;
- **the pack**: the CPU time of ``build_board_pdf`` (every part laid out, the front page, the merge) in this
  process, on the pages of the run just timed (``bench_pdf.build_once``).

``run`` is timed as a separate process (``helhedsplan-eval run --year 2020``), alternating with
the floor measurement in each repetition. ``--without-pack`` also times the same run with the PDF board pack
switched off (a diagnostic: the loop and the floor make no PDF). Medians of ``--repeat``. Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe_machine, load_average, usable_cores  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_floor(year: int, shared: bool) -> dict:
    """Kernel start (wall) and the cells' CPU seconds per notebook on one warm kernel."""
    from helhedsplan_eval.data import bundle_cache
    from helhedsplan_eval.run import kernel_pool
    from helhedsplan_eval.run import runner

    params = runner.load_params(year)
    nb_dir = runner.default_notebooks_dir()
    declared = runner.declared_parameters(dict.fromkeys(nb_dir / s.notebook for s in runner.NOTEBOOKS))
    data = Path(params["data_dir"])
    params["data_dir"] = str(Path(runner.os.path.relpath(data, nb_dir)))
    env = runner._kernel_env()
    cache = None
    if shared:
        bundle = runner.load_data(data)
        runner.load_status_table(year, bundle, min_cell=int(params.get("min_cell", 5)))
        cache = runner._write_bundle_cache(bundle)
        env[bundle_cache.ENV] = str(cache)
    t0 = time.perf_counter()
    warm = kernel_pool.WarmKernel(env)
    warm.ensure()
    start = time.perf_counter() - t0
    cells = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as d:
            for spec in runner.NOTEBOOKS:
                nb = nb_dir / spec.notebook  # one area notebook serves every area page
                warm.prepare(str(nb_dir), env)
                pid = warm.pid
                c0 = _cpu_seconds(pid)
                kernel_pool.execute(warm, str(nb), str(Path(d) / spec.filename),
                                    {**runner.params_for(params, declared[nb]), **dict(spec.parameters)}, str(nb_dir),
                                    env, 1800)
                cells[spec.filename] = _cpu_seconds(pid) - c0
    finally:
        warm.shutdown()
        if cache is not None:
            bundle_cache.remove_cache(cache)
    return {"kernel_start": start, "cells_cpu": cells}


def cli_run(year: int, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "helhedsplan-eval"), "run", "--year", str(year), "--out", str(out)], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


#: The same command with the PDF board pack switched off (a diagnostic, never a product option): the workers get no
#: part to lay out, the runner assembles nothing. Shows how much of the distance to the floor is the pack.
_WITHOUT_PACK = (
    "import sys; from helhedsplan_eval.run import runner, command; import helhedsplan_eval.report.pdf_assemble as pa; "
    "real = runner._tasks; "
    "runner._tasks = lambda *a, **k: [setattr(t, 'pack', None) or t for t in real(*a, **k)]; "
    "pa.assemble_pack = lambda *a, **k: None; sys.exit(command.main(sys.argv[1:]))"
)


def cli_run_without_pack(year: int, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _WITHOUT_PACK, "--year", str(year), "--out", str(out)], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def pack_cpu(folder: Path, year: int) -> float:
    """CPU seconds of building the PDF pack once in this process from the run folder's pages (bench_pdf)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_pdf import build_once, listed_pages

    from helhedsplan_eval.run import runner

    synthetic = runner._synthetic(Path(runner.load_params(year)["data_dir"]))  # the run's own condition
    return build_once(folder, year, listed_pages(folder), synthetic=synthetic)["cpu"]


def _fmt(x: float, d: int = 1) -> str:
    return f"{x:.{d}f}".replace(".", ",")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2020)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--without-pack", action="store_true",
                    help="also time the run with the PDF pack switched off (diagnostic)")
    a = ap.parse_args(argv)
    cores = usable_cores()
    load_before = load_average()
    runs, floors_plain, floors_shared, starts, cpu_plain, cpu_shared, no_pack, pack = [], [], [], [], [], [], [], []
    for i in range(a.repeat):
        plain = measure_floor(a.year, shared=False)
        shared = measure_floor(a.year, shared=True)
        with tempfile.TemporaryDirectory(prefix="bench-run-") as d:
            runs.append(cli_run(a.year, Path(d)))
            pack.append(pack_cpu(Path(d) / str(a.year), a.year))
        if a.without_pack:
            with tempfile.TemporaryDirectory(prefix="bench-run-") as d:
                no_pack.append(cli_run_without_pack(a.year, Path(d)))
        sp, ss = sum(plain["cells_cpu"].values()), sum(shared["cells_cpu"].values())
        start = statistics.median([plain["kernel_start"], shared["kernel_start"]])
        starts.append(start)
        cpu_plain.append(sp)
        cpu_shared.append(ss)
        floors_plain.append((sp + pack[-1]) / cores + start)
        floors_shared.append((ss + pack[-1]) / cores + start)
        print(f"  gentagelse {i + 1}: run {_fmt(runs[-1])} s; gulv {_fmt(floors_plain[-1])} s (som skrevet), "
              f"{_fmt(floors_shared[-1])} s (fælles data); celler {plain['cells_cpu']}", file=sys.stderr)
    load_after = load_average()
    m = statistics.median
    print(f"Machine: {describe_machine()}; load average before {load_before}, after {load_after}")
    print("| Figure | Median | Min – max |")
    print("|---|---:|---:|")
    print(f"| one kernel start (start + heavy imports, wall) | {_fmt(m(starts))} s | "
          f"{_fmt(min(starts))} – {_fmt(max(starts))} s |")
    print(f"| cells' CPU, as written (each notebook parses and computes) | {_fmt(m(cpu_plain))} s | "
          f"{_fmt(min(cpu_plain))} – {_fmt(max(cpu_plain))} s |")
    print(f"| cells' CPU, with the run's shared data | {_fmt(m(cpu_shared))} s | "
          f"{_fmt(min(cpu_shared))} – {_fmt(max(cpu_shared))} s |")
    print(f"| the PDF pack's CPU (every part, the front page, the merge) | {_fmt(m(pack))} s | "
          f"{_fmt(min(pack))} – {_fmt(max(pack))} s |")
    print(f"| floor as written = (cells + pack) CPU ÷ {cores} + start | {_fmt(m(floors_plain))} s | "
          f"{_fmt(min(floors_plain))} – {_fmt(max(floors_plain))} s |")
    print(f"| floor with shared data | {_fmt(m(floors_shared))} s | "
          f"{_fmt(min(floors_shared))} – {_fmt(max(floors_shared))} s |")
    print(f"| `helhedsplan-eval run --year {a.year}` | {_fmt(m(runs))} s | {_fmt(min(runs))} – {_fmt(max(runs))} s |")
    if no_pack:
        print(f"| the same without the PDF pack (diagnostic) | {_fmt(m(no_pack))} s | "
              f"{_fmt(min(no_pack))} – {_fmt(max(no_pack))} s |")
    print(f"Run / floor as written: {_fmt(m(runs) / m(floors_plain), 2)}; "
          f"run / floor with shared data: {_fmt(m(runs) / m(floors_shared), 2)}")
    if no_pack:
        print(f"Without the pack: run / floor as written: {_fmt(m(no_pack) / m(floors_plain), 2)}")
    if a.json:
        Path(a.json).write_text(json.dumps({"runs": runs, "floor_plain": floors_plain, "floor_shared": floors_shared,
                                            "kernel_start": starts, "cpu_plain": cpu_plain, "cpu_shared": cpu_shared, "pack_cpu": pack,
                                            "cores": cores, "load_before": load_before, "load_after": load_after,
                                            "machine": describe_machine()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
