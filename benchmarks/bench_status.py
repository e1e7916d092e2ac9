"""How the status engine grows with the records (issue 13): all criteria for 2017–2020.

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_status.py --scales 1 10 100 --repeat 3

For each scale k the sample's record-level sources are replicated k times in memory (copy i gets
``~i`` appended to every pseudonymous id and every ``*_id`` key or reference column, so there are k times as many
persons, events, courses and answers; the aggregate sources — registers, police index, survey
margins — stay as they are). Timed per scale, medians of ``--repeat``:

- **cold**: ``evaluate_year`` for 2017, 2018, 2019 and 2020 on a freshly built bundle (every
  indicator series computed once, then every criterion judged for each year);
- **warm**: the same four years again on that bundle (series already computed: the judging alone).

Loading/validating the files is not included (``helhedsplan-eval validate`` measures that). Not a test.

``--parts`` also times, per scale, what the cold pass is made of: the core indicators (analysis/indicators/), the
FIT indicators, the survey indicator (each series once, as in the cold pass) and the judging alone (the warm
pass), so that a slow figure names its owner.
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

from benchmarks.machine import describe_machine, load_average  # noqa: E402

YEARS = (2017, 2018, 2019, 2020)


def scaled_bundle(base, k: int):
    """``base`` with every record-level table replicated ``k`` times (ids made distinct)."""
    import pandas as pd

    from helhedsplan_eval.data.bundle import DataBundle
    from helhedsplan_eval.data.sources import SOURCES

    tables = {}
    for name, df in base.tables.items():
        src = SOURCES.get(name)
        if k == 1 or src is None or src.aggregate or df is None or len(df) == 0:
            tables[name] = df.copy() if df is not None else df
            continue
        id_cols = {c.name for c in src.columns if c.pseudonym}
        id_cols |= {c for c in set(src.key) | {col for col, _, _ in src.references} if c == "id" or c.endswith("_id")}
        id_cols = [c for c in id_cols if c in df.columns and (df[c].dtype == object or str(df[c].dtype) == "string")]
        parts = []
        for i in range(k):
            part = df.copy()
            for c in id_cols:
                part[c] = part[c].where(part[c].isna(), part[c].astype(str) + f"~{i}")
            parts.append(part)
        tables[name] = pd.concat(parts, ignore_index=True)
    return DataBundle(tables=tables, data_dir=base.data_dir, issues=list(base.issues), files=dict(base.files),
                      manifest=dict(base.manifest))


def records(bundle) -> int:
    from helhedsplan_eval.data.sources import SOURCES

    return sum(len(df) for n, df in bundle.tables.items()
               if df is not None and n in SOURCES and not SOURCES[n].aggregate)


def time_scale(base, k: int) -> tuple[float, float, int]:
    from helhedsplan_eval.analysis.evaluate import evaluate_year

    b = scaled_bundle(base, k)
    t0 = time.perf_counter()
    for y in YEARS:
        evaluate_year(y, b)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    for y in YEARS:
        evaluate_year(y, b)
    warm = time.perf_counter() - t0
    return cold, warm, records(b)


def time_parts(base, k: int) -> dict[str, float]:
    """Seconds of the cold pass by part: core, FIT and survey indicators (each series once, derived tables
    shared as in ``evaluate_year``)."""
    from helhedsplan_eval.analysis.evaluate import compute_series, series_key
    from helhedsplan_eval.analysis.indicators import compute_once
    from helhedsplan_eval.catalogue.criteria import load_catalogue

    b = scaled_bundle(base, k)
    parts = {"core": 0.0, "FIT": 0.0, "survey": 0.0}
    seen = set()
    with compute_once():
        for crit in load_catalogue().criteria.values():
            key = series_key(crit)
            if crit.linked_to or key in seen:
                continue
            seen.add(key)
            part = "FIT" if crit.indicator.startswith("fit_") else (
                "survey" if crit.indicator == "faellesskab_index" else "core")
            t0 = time.perf_counter()
            compute_series(crit, b, max(YEARS))
            parts[part] += time.perf_counter() - t0
    return parts


def _fmt(x: float, d: int = 2) -> str:
    return f"{x:.{d}f}".replace(".", ",")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parts", action="store_true", help="also time the cold pass by part (core, FIT, survey)")
    a = ap.parse_args(argv)
    from helhedsplan_eval.data.contract import load_bundle
    from helhedsplan_eval.analysis.evaluate import evaluate_year

    base = load_bundle(a.data)
    evaluate_year(2020, scaled_bundle(base, 1))  # imports and first-call costs out of the figures
    load_before = load_average()
    rows = []
    parts: dict[int, dict[str, float]] = {}
    for k in a.scales:
        cold, warm, n = [], [], 0
        for _ in range(a.repeat):
            c, w, n = time_scale(base, k)
            cold.append(c)
            warm.append(w)
        rows.append((k, n, statistics.median(cold), statistics.median(warm), min(cold), max(cold)))
        print(f"  ×{k}: {n} poster, kold {_fmt(rows[-1][2])} s, varm {_fmt(rows[-1][3])} s", file=sys.stderr)
        if a.parts:
            runs = [time_parts(base, k) for _ in range(a.repeat)]
            parts[k] = {p: statistics.median(r[p] for r in runs) for p in runs[0]}
    print(f"Machine: {describe_machine()}; load average before {load_before}, after {load_average()}")
    print("| Records (× sample) | Record rows | All criteria 2017–2020, cold (median, min – max) | "
          "Judging only, warm | Growth of cold vs × 1 |")
    print("|---:|---:|---:|---:|---:|")
    base_cold = rows[0][2]
    for k, n, c, w, lo, hi in rows:
        print(f"| × {k} | {n:,}".replace(",", ".") + f" | {_fmt(c)} s ({_fmt(lo)} – {_fmt(hi)}) | {_fmt(w)} s | "
              f"{_fmt(c / base_cold, 1)}× |")
    if parts:
        print()
        print("| Records (× sample) | Core indicators | FIT indicators | Survey indicator | Judging (warm) |")
        print("|---:|---:|---:|---:|---:|")
        for k, n, c, w, lo, hi in rows:
            p = parts[k]
            print(f"| × {k} | {_fmt(p['core'])} s | {_fmt(p['FIT'])} s | {_fmt(p['survey'])} s | {_fmt(w)} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
