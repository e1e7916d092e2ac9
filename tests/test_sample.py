"""The committed synthetic sample data (data/sample/) is reproducible and valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from helhedsplan_eval.data.contract import ERROR, format_report, load_bundle

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"

needs_sample = pytest.mark.skipif(not SAMPLE.is_dir() or not any(SAMPLE.glob("*.csv")),
                                  reason="data/sample/ has not been generated yet (the lead generates it with "
                                         "`helhedsplan-eval sample data/sample`)")


@needs_sample
def test_regenerating_the_sample_reproduces_the_committed_files_byte_for_byte(tmp_path):
    from helhedsplan_eval.data.sample import generate

    written = generate(tmp_path)
    new = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    old = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file()}
    assert {p.relative_to(tmp_path).as_posix() for p in written} <= new
    assert new == old, f"only regenerated: {sorted(new - old)}; only committed: {sorted(old - new)}"
    differ = [name for name in sorted(new) if (tmp_path / name).read_bytes() != (SAMPLE / name).read_bytes()]
    assert differ == [], ("regenerating data/sample/ changes these files (run `helhedsplan-eval sample data/sample` "
                          f"and commit, or fix the non-determinism): {differ}")


@needs_sample
def test_the_sample_loads_without_errors():
    b = load_bundle("data/sample")
    errs = [i for i in b.issues if i.severity == ERROR]
    assert errs == [], format_report(b.issues, "data/sample")
    assert b.synthetic
