"""Another plan's synthetic sample, made from the default sample by moving it in time.

A plan folder may declare ``sample: {from: data/sample, shift_months: 61, skip: [...]}`` in its ``plan.yml``:
``helhedsplan-eval sample --plan DIR`` then copies the default sample's files, moves every date by
``shift_months`` months (the day kept, or the month's last day) and every year and survey wave by the whole
years of the shift, and leaves out the sources in ``skip`` (e.g. the assessments, whose criterion ids are the
default plan's). The manifest says that the data are synthetic and how they were made. The result is the
same byte for byte every time (the files are read and written as text, row by row).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from pathlib import Path

from helhedsplan_eval.data.sources import SOURCES


def _shift_date(text: str, months: int) -> str:
    d = dt.date.fromisoformat(text[:10])
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1])).isoformat() + text[10:]


def _shift_year(text: str, years: int) -> str:
    return str(int(text) + years)


def _shifters(name: str, months: int) -> dict:
    """column -> function moving one cell (dates by months, years and waves by whole years)."""
    src = SOURCES[name]
    out = {}
    for c in src.columns:
        if c.type == "date":
            out[c.name] = lambda v, m=months: _shift_date(v, m)
        elif c.type == "int" and (c.name in ("year", "wave") or (c.min is not None and c.min >= 1900)):
            out[c.name] = lambda v, y=months // 12: _shift_year(v, y)
    return out


def shift_sample(source_dir, out_dir, months: int, skip=(), description: str = "") -> list[Path]:
    """Write the moved copy of ``source_dir`` into ``out_dir``; returns the files written."""
    src_dir, out = Path(source_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(src_dir.glob("*.csv")):
        name = path.stem
        if name not in SOURCES or name in skip:
            continue
        shift = _shifters(name, months)
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        header = rows[0]
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        for row in rows[1:]:
            w.writerow([shift[h](v) if v and h in shift else v for h, v in zip(header, row)])
        target = out / path.name
        target.write_text(buf.getvalue(), encoding="utf-8", newline="")
        written.append(target)
    written += _generic_rest(src_dir, out, skip)
    manifest = out / "manifest.yml"
    text = description or f"Syntetiske eksempeldata: {src_dir.as_posix()} flyttet {months} måneder frem."
    manifest.write_text("# Data folder manifest (read by helhedsplan-eval)\nsynthetic: true\ndescription: >-\n"
                        + "".join(f"  {line}\n" for line in _wrap(text)), encoding="utf-8")
    written.append(manifest)
    return written


def _generic_rest(src_dir: Path, out: Path, skip) -> list[Path]:
    """Generic synthetic tables (data/sample_generic.py, from the declaration alone) for the sources the plan
    declares that the moved sample does not have, e.g. a source of the plan's own."""
    from helhedsplan_eval.data import sources as declared
    from helhedsplan_eval.data.sample import SEED
    from helhedsplan_eval.data.sample_generic import generic_tables

    missing = [n for n in declared.SOURCES if n not in skip and not (src_dir / f"{n}.csv").is_file()]
    written = []
    for name, df in sorted(generic_tables(declared.SOURCES, declared.PLAN_YEARS, SEED, missing).items()):
        target = out / f"{name}.csv"
        df.to_csv(target, index=False, lineterminator="\n", encoding="utf-8")
        written.append(target)
    return written


def _wrap(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(" ".join(text.split()), 110) or [""]
