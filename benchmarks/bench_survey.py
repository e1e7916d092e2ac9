"""How the community-survey analysis grows with the answers (issue 13): ``survey.analyse`` for 2020.

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_survey.py --scales 1 10 100 --repeat 3

For each scale k the sample's survey answers are replicated k times in memory, as
``bench_status.py`` does (copy i gets ``~i`` appended to every respondent id; the margins stay as
they are). Timed per scale, medians of ``--repeat``: one ``survey.analyse(bundle, 2020)`` on a
freshly built bundle (validation, weighting, estimates, item table, robustness checks), wall-clock
and CPU time of the process (the CPU figure is less sensitive to a busy machine). Reading the files is not
included. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_status import scaled_bundle  # noqa: E402
from benchmarks.machine import describe_machine, load_average  # noqa: E402


def _fmt(x: float, d: int = 2) -> str:
    return f"{x:.{d}f}".replace(".", ",")


def time_scale(base, k: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, answer rows) of one analyse at scale ``k``."""
    from helhedsplan_eval.analysis import survey

    b = scaled_bundle(base, k)
    t0, c0 = time.perf_counter(), time.process_time()
    survey.analyse(b, evaluation_year=2020)
    return time.perf_counter() - t0, time.process_time() - c0, len(b.table("survey_responses"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, metavar="K",
                    help="instead of timing, print a cProfile of one analyse at scale K")
    a = ap.parse_args(argv)
    from helhedsplan_eval.analysis import survey
    from helhedsplan_eval.data.contract import load_bundle

    base = load_bundle(a.data)
    survey.analyse(scaled_bundle(base, 1), evaluation_year=2020)  # imports and first-call costs out of the figures
    if a.profile:
        import cProfile
        import pstats

        b = scaled_bundle(base, a.profile)
        cProfile.runctx("survey.analyse(b, evaluation_year=2020)", globals(), {"survey": survey, "b": b},
                        "/tmp/bench_survey.prof")
        pstats.Stats("/tmp/bench_survey.prof").sort_stats("cumulative").print_stats(35)
        return 0
    load_before = load_average()
    rows = []
    for k in a.scales:
        times, cpus, n = [], [], 0
        for _ in range(a.repeat):
            t, c, n = time_scale(base, k)
            times.append(t)
            cpus.append(c)
        rows.append((k, n, statistics.median(times), min(times), max(times), statistics.median(cpus)))
        print(f"  ×{k}: {n} svar, {_fmt(rows[-1][2], 3)} s", file=sys.stderr)
    print(f"Machine: {describe_machine()}; load average before {load_before}, after {load_average()}")
    print("| Answers (× sample) | Answer rows | survey.analyse 2020, wall (median, min – max) | CPU (median) |")
    print("|---:|---:|---:|---:|")
    for k, n, med, lo, hi, cpu in rows:
        print(f"| × {k} | {n:,}".replace(",", ".") + f" | {_fmt(med, 3)} s ({_fmt(lo, 3)} – {_fmt(hi, 3)}) | "
              f"{_fmt(cpu, 3)} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
