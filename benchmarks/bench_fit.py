"""How FIT's preparation grows with the records (issue 13): ``fit.prepare`` and its three steps.

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_fit.py --scales 1 10 100 --repeat 3

For each scale k the sample's FIT forms are replicated k times as in ``bench_status.py`` (copy i gets
``~i`` appended to every id), then timed (wall clock and CPU time), medians of ``--repeat``: ``fit.prepare`` as a whole (scoring,
course check, episodes with their raters, classification) and, separately, ``score_administrations``,
``_resolve_raters`` and ``build_episodes`` (which includes ``_resolve_raters``). ``--profile K`` prints
the cProfile top 25 (cumulative) of ``fit.prepare`` at scale K instead. Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_status import _fmt, scaled_bundle  # noqa: E402
from benchmarks.machine import describe_machine, load_average  # noqa: E402


def _median_time(fn, repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds (CPU time is less disturbed by a busy machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def time_scale(base, k: int, repeat: int) -> dict:
    from helhedsplan_eval.analysis import fit

    b = scaled_bundle(base, k)
    adm, courses = b.table("fit_administrations"), b.table("fit_courses")
    scored, _ = fit.score_administrations(adm)
    outcome = scored[scored["stream"].notna() & ~((scored["stream"] == "C") & (scored["group"] != "special"))]
    return {
        "rows": len(adm),
        "prepare": _median_time(lambda: fit.prepare(adm, courses), repeat),
        "score_administrations": _median_time(lambda: fit.score_administrations(adm), repeat),
        "_resolve_raters": _median_time(lambda: fit._resolve_raters(outcome), repeat),
        "build_episodes": _median_time(lambda: fit.build_episodes(scored), repeat),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", type=int, default=None, metavar="K")
    a = ap.parse_args(argv)
    from helhedsplan_eval.analysis import fit
    from helhedsplan_eval.data.contract import load_bundle

    base = load_bundle(a.data)
    if a.profile:
        b = scaled_bundle(base, a.profile)
        adm, courses = b.table("fit_administrations"), b.table("fit_courses")
        pr = cProfile.Profile()
        pr.runcall(fit.prepare, adm, courses)
        pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
        return 0
    fit.prepare(base.table("fit_administrations"), base.table("fit_courses"))  # first-call costs out
    load_before = load_average()
    rows = [(k, time_scale(base, k, a.repeat)) for k in a.scales]
    print(f"Machine: {describe_machine()}; load average before {load_before}, after {load_average()}")
    print("| Forms (× sample) | Rows | fit.prepare | score_administrations | _resolve_raters | build_episodes |")
    print("|---:|---:|---:|---:|---:|---:|")
    for k, r in rows:
        print(f"| × {k} | {r['rows']:,}".replace(",", ".") + " | "
              + " | ".join(f"{_fmt(r[c][0], 3)} s (CPU {_fmt(r[c][1], 3)} s)" for c in ("prepare", "score_administrations", "_resolve_raters",
                                                           "build_episodes")) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
