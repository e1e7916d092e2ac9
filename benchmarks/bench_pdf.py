"""Benchmark the PDF board pack (``report.pdf.build_board_pdf``) on a finished run folder.

Usage (from the project root)::

    .venv/bin/helhedsplan-eval run --year 2020 --out /tmp/b_out      # once: a rendered report folder
    .venv/bin/python benchmarks/bench_pdf.py /tmp/b_out/2020 --repeat 3 [--profile 30]

The pages are the ones the folder's front page lists (``index.html``'s page list), in that order, as the
runner passes them. Each repetition builds the pack into a fresh temporary copy of the folder's HTML
pages and times its steps: the parts' HTML (``part_html``), WeasyPrint's layout of every part
(``render``), writing each part as a tagged PDF (PDF/A-3a with the PDF/UA-1 identification) and the
structure-preserving merge (``report.pdf_merge``). Here one process lays out every part in turn; in a run the
workers lay the bilag out beside the notebooks and the runner only the front page and the merge.
``--one-piece`` times the pack laid out in one piece instead (``build_one_piece``, the reference and fallback).
Medians of wall time (and of the process's CPU time, which a busy machine inflates less) are reported with
the number of sheets, the PDF's size and the machine's load.
``--profile N`` adds a cProfile of one more build, sorted by cumulative time (top N lines).

``--charts DATA`` also times the board's chart drawing as the notebooks do it (every criterion chart of the
year and the register small multiples, drawn and encoded by ``figure_html``), in CPU seconds, once with the
image cropped by a second draw (``tight=True``, as before) and once without (``tight=False``, as now).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402  (the benchmarks' shared machine description)


def listed_pages(folder: Path) -> list[str]:
    """The board pages the front page lists, in its order (what the runner passes to the pack)."""
    index = (folder / "index.html").read_text(encoding="utf-8")
    m = re.search(r"<ol class=.page-list.>(.*?)</ol>", index, re.S)
    if not m:
        raise SystemExit(f"{folder}/index.html has no page list: not a report folder of the runner")
    return list(dict.fromkeys(re.findall(r'href="([\w.-]+\.html)"', m.group(1))))


def year_of(folder: Path) -> int:
    return int(folder.name) if folder.name.isdigit() else 2020


def copy_pages(folder: Path, dest: Path, pages: list[str]) -> None:
    for name in ["index.html", *pages]:
        if (folder / name).is_file():
            shutil.copy2(folder / name, dest / name)


def _timed(steps: dict, key: str, func):
    def timed(*a, **k):
        t = time.perf_counter()
        try:
            return func(*a, **k)
        finally:
            steps[key] += time.perf_counter() - t

    return timed


def build_once(folder: Path, year: int, pages: list[str], synthetic: bool, save: Path | None = None,
               one_piece: bool = False) -> dict:
    """One timed ``build_board_pdf`` (or ``build_one_piece``) in a temporary copy of the folder: seconds in total
    and per step (the HTML, WeasyPrint's layout, writing the PDFs, the merge), sheets, bytes."""
    from helhedsplan_eval.report import pdf, pdf_merge

    steps = {"html": 0.0, "layout": 0.0, "write": 0.0, "merge": 0.0, "sheets": 0}
    pack_html, part_html, render_document = pdf.pack_html, pdf.part_html, pdf.render_document
    merge_parts = pdf_merge.merge_parts

    def timed_render_document(*a, **k):
        t = time.perf_counter()
        doc = render_document(*a, **k)
        steps["layout"] += time.perf_counter() - t
        steps["sheets"] += len(doc.pages)
        write_pdf = doc.write_pdf

        def timed_write_pdf(*wa, **wk):
            tw = time.perf_counter()
            try:
                return write_pdf(*wa, **wk)
            finally:
                steps["write"] += time.perf_counter() - tw

        doc.write_pdf = timed_write_pdf
        return doc

    with tempfile.TemporaryDirectory(prefix="bench_pdf_") as tmp:
        work = Path(tmp)
        copy_pages(folder, work, pages)
        pdf.pack_html, pdf.part_html = _timed(steps, "html", pack_html), _timed(steps, "html", part_html)
        pdf.render_document, pdf_merge.merge_parts = timed_render_document, _timed(steps, "merge", merge_parts)
        build = pdf.build_one_piece if one_piece else pdf.build_board_pdf
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            out = build(work, year, pages, synthetic=synthetic)
            total, cpu = time.perf_counter() - t0, time.process_time() - c0
        finally:
            pdf.pack_html, pdf.part_html, pdf.render_document = pack_html, part_html, render_document
            pdf_merge.merge_parts = merge_parts
        if save is not None:
            shutil.copy2(out, save)
        return {**steps, "total": total, "cpu": cpu, "bytes": out.stat().st_size}


def profile_once(folder: Path, year: int, pages: list[str], synthetic: bool, top: int) -> str:
    from helhedsplan_eval.report import pdf

    with tempfile.TemporaryDirectory(prefix="bench_pdf_") as tmp:
        work = Path(tmp)
        copy_pages(folder, work, pages)
        prof = cProfile.Profile()
        prof.enable()
        pdf.build_board_pdf(work, year, pages, synthetic=synthetic)
        prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def chart_seconds(year: int, data_dir: str, tight: bool) -> tuple[int, float, float]:
    """(charts, CPU seconds for the criterion charts, CPU seconds for the register charts)."""
    import matplotlib

    matplotlib.use("Agg")
    from helhedsplan_eval.analysis.evaluate import evaluate_year
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.report import board

    cat = load_catalogue()
    res = evaluate_year(year, data_dir, cat)
    n, t0 = 0, time.process_time()
    for area in cat.areas:
        rep = board.AreaReport(area, year, data_dir, catalogue=cat, result=res)
        for crit in rep.criteria:
            fig = rep.criterion_chart(crit)
            if fig is not None:
                board.figure_html(fig, crit.id, tight=tight)
                n += 1
    t1 = time.process_time()
    ov = board.Overview(year, data_dir, catalogue=cat)
    t2 = time.process_time()
    for cols in (3, 1):
        board.figure_html(ov.register_chart(cols), "register", tight=tight)
    return n, t1 - t0, time.process_time() - t2


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="a finished run folder, e.g. /tmp/b_out/2020")
    ap.add_argument("--year", type=int, default=None, help="evaluation year (default: the folder's name)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-synthetic", action="store_true", help="build without the synthetic-data notice")
    ap.add_argument("--save", type=Path, default=None, help="keep a copy of the built PDF here")
    ap.add_argument("--charts", metavar="DATA", default=None, help="also time chart drawing on this data folder")
    ap.add_argument("--one-piece", action="store_true", help="time the pack laid out in one piece instead")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="also profile one build (top N lines)")
    args = ap.parse_args(argv)
    folder = args.folder.resolve()
    year = args.year or year_of(folder)
    pages = listed_pages(folder)
    synthetic = not args.no_synthetic
    print(f"Machine: {describe_machine()}; load before: {os.getloadavg()[0]:.2f}")
    print(f"Pack {year}: {len(pages)} pages from {folder}")
    runs = []
    for i in range(args.repeat):
        r = build_once(folder, year, pages, synthetic, save=args.save, one_piece=args.one_piece)
        runs.append(r)
        print(f"  run {i + 1}: html {r['html']:.2f} s, layout {r['layout']:.2f} s, write {r['write']:.2f} s, "
              f"merge {r['merge']:.2f} s; "
              f"build_board_pdf {r['total']:.2f} s (CPU {r['cpu']:.2f} s); {r['sheets']} sheets, {r['bytes'] / 1e6:.2f} MB")
    med = {k: statistics.median(r[k] for r in runs) for k in ("html", "layout", "write", "merge", "total", "cpu")}
    print(f"load after: {os.getloadavg()[0]:.2f}")
    print("\n| step | median (s) |\n|---|---:|")
    for k, label in (("html", "the HTML"), ("layout", "WeasyPrint layout" + (" (one piece)" if args.one_piece
                                                                          else " (every part in turn)")),
                     ("write", "write the tagged PDF(s)"), ("merge", "merge the parts (pikepdf)"),
                     ("total", "build_board_pdf, end to end"), ("cpu", "build_board_pdf, CPU time")):
        print(f"| {label} | {med[k]:.2f} |")
    print(f"\n{runs[-1]['sheets']} sheets, {runs[-1]['bytes'] / 1e6:.2f} MB")
    if args.charts:
        chart_seconds(year, args.charts, True)  # warm-up: imports, fonts, the data
        print("\n| charts | criterion charts (CPU s) | register charts (CPU s) |\n|---|---:|---:|")
        for tight in (True, False, True, False):
            n, crit_s, reg_s = chart_seconds(year, args.charts, tight)
            print(f"| {n} charts, tight={tight} | {crit_s:.2f} | {reg_s:.2f} |")
    if args.profile:
        print(profile_once(folder, year, pages, synthetic, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
