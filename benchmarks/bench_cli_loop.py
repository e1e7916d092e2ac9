"""`helhedsplan-eval run` versus the loop an evaluator would write by hand (issue 13).

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_cli_loop.py --year 2020 --repeat 3
    .venv/bin/python benchmarks/bench_cli_loop.py --all-years --repeat 3

Side by side, alternating in each repetition (so that a busy spell of the machine hits both):

- **hand-written loop** (issue 22's definition): for every notebook (and, with ``--all-years``, every year)
  ``papermill -f params/<year>.yml notebooks/<nb>.ipynb <out>/<nb>.ipynb``, then
  ``jupyter nbconvert --to html --no-input <out>/<nb>.ipynb``, then ``weasyprint <nb>.html <nb>.pdf``, one
  command after another, from the project root, as README's "run one notebook by hand" describes; then the
  year's PDFs merged into one with pypdf (``--without-pdf``: the loop of issue 13, without the last two steps);
- **run**: ``helhedsplan-eval run --year <year>`` (or ``--all-years``) into a temporary folder,
  as a separate process (import, validation, warm kernels, HTML, index, tables, provenance).

Reports wall-clock medians (min–max) and the ratio loop ÷ run, with the machine and the load
average before and after. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
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

from benchmarks.machine import describe_machine, load_average  # noqa: E402


def _notebooks() -> list[tuple[str, str, list[str]]]:
    """(page name, notebook file, papermill -p arguments) per page: the area notebook once per area."""
    from helhedsplan_eval.run.runner import NOTEBOOKS

    return [(s.filename, s.notebook, [a for k, v in s.parameters for a in ("-p", k, str(v))]) for s in NOTEBOOKS]


def _years(all_years: bool, year: int) -> list[int]:
    if not all_years:
        return [year]
    from helhedsplan_eval.run.runner import available_years, plan_range

    start, end = plan_range()
    return [y for y in available_years() if start <= y <= end]


MERGE = ("import sys; from pypdf import PdfWriter; w = PdfWriter(); [w.append(p) for p in sys.argv[2:]]; "
         "w.write(sys.argv[1])")


def hand_loop(years: list[int], out: Path, pdf: bool = True) -> float:
    t0 = time.perf_counter()
    for y in years:
        folder = out / str(y)
        folder.mkdir(parents=True)
        for page, nb, extra in _notebooks():
            target = folder / page
            subprocess.run([str(BIN / "papermill"), "-f", f"params/{y}.yml", *extra, f"notebooks/{nb}", str(target),
                            "--no-progress-bar"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if pdf:
                html = target.with_suffix(".html")
                subprocess.run([str(BIN / "weasyprint"), str(html), str(html.with_suffix(".pdf"))], cwd=ROOT,
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if pdf:
            parts = [str((folder / page).with_suffix(".pdf")) for page, _nb, _extra in _notebooks()]
            subprocess.run([sys.executable, "-c", MERGE, str(folder / f"pakke_{y}.pdf"), *parts], cwd=ROOT,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cli_run(years: list[int], all_years: bool, out: Path, jobs: int | None) -> float:
    cmd = [str(BIN / "helhedsplan-eval"), "run", "--out", str(out)]
    cmd += ["--all-years"] if all_years else ["--year", str(years[0])]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _fmt(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2020)
    ap.add_argument("--all-years", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--json", help="write the raw figures to this file")
    ap.add_argument("--without-pdf", action="store_true", help="the loop without weasyprint and the merge (issue 13)")
    a = ap.parse_args(argv)
    years = _years(a.all_years, a.year)
    load_before = load_average()
    loop_t, run_t = [], []
    for i in range(a.repeat):
        with tempfile.TemporaryDirectory(prefix="bench-loop-") as d:
            loop_t.append(hand_loop(years, Path(d), pdf=not a.without_pdf))
        with tempfile.TemporaryDirectory(prefix="bench-run-") as d:
            run_t.append(cli_run(years, a.all_years, Path(d), a.jobs))
        print(f"  gentagelse {i + 1}: løkke {_fmt(loop_t[-1])} s, run {_fmt(run_t[-1])} s", file=sys.stderr)
    load_after = load_average()
    what = "--all-years" if a.all_years else f"--year {a.year}"
    ml, mr = statistics.median(loop_t), statistics.median(run_t)
    print(f"Machine: {describe_machine()}; load average before {load_before}, after {load_after}")
    print(f"| Mode ({what}, {len(years)} år × {len(_notebooks())} notesbøger) | Median | Min – max |")
    print("|---|---:|---:|")
    steps = "papermill + nbconvert" + ("" if a.without_pdf else " + weasyprint, PDFs merged")
    print(f"| {steps} per notebook (hand-written loop) | {_fmt(ml)} s | "
          f"{_fmt(min(loop_t))} – {_fmt(max(loop_t))} s |")
    print(f"| `helhedsplan-eval run {what}` | {_fmt(mr)} s | {_fmt(min(run_t))} – {_fmt(max(run_t))} s |")
    print(f"Ratio loop / run: {ml / mr:.2f}".replace(".", ","))
    if a.json:
        Path(a.json).write_text(json.dumps({"what": what, "loop": loop_t, "run": run_t, "load_before": load_before,
                                            "load_after": load_after, "machine": describe_machine()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
