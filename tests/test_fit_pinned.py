"""``fit.prepare`` pinned (issue 13): its output must not change when the code is made faster.

The expected outputs under ``tests/fixtures/fit_pinned/`` were written by the loop-based code of
``fit.prepare`` (before the vectorisation, commit of this file) and are compared in full: every
column of the scored forms and of the classified episodes (dtype and every value, floats exactly)
and every problem (file, line, column, value, expected, severity, in_contract), in order.

Two inputs:

- the sample (``data/sample``, read by the data contract, so with the bundle's dtypes), and
- ``messy_administrations.csv``: the sample's forms twice (ids ``~0``/``~1``) as text, with rater
  ids (one named rater, two conflicting raters, none; self-ratings by the parent and by someone
  else) and damaged cells (decimal commas, text, out-of-range items and totals, more than one
  decimal, partial items, totals of 0, bad dates and codes, referrer forms from the almen group,
  a form about "selv" by a referrer), so that every branch of scoring and rater resolution runs.

Regenerate (only when a change of result is intended, and say so in the commit):
``.venv/bin/python tests/test_fit_pinned.py --regenerate``.
"""

from __future__ import annotations

import difflib
import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helhedsplan_eval.analysis import fit

HERE = Path(__file__).parent
PINNED = HERE / "fixtures" / "fit_pinned"
SAMPLE = HERE.parent / "data" / "sample"


def canonical_frame(df: pd.DataFrame) -> str:
    """Columns, dtypes and every value as text (object cells by repr, so None, nan and '' differ)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(repr)
    head = "dtypes: " + ",".join(f"{c}={df[c].dtype}" for c in df.columns) + "\n"
    return head + out.to_csv(index=True, na_rep="<NA>", lineterminator="\n")


def canonical_problems(problems) -> str:
    return "".join(f"{p.file}|{p.row}|{p.column}|{p.value!r}|{p.expected}|{p.severity}|{p.in_contract}\n"
                   for p in problems)


def canonical(fd) -> dict[str, str]:
    return {"scored": canonical_frame(fd.scored), "episodes": canonical_frame(fd.episodes),
            "problems": canonical_problems(fd.problems)}


def sample_inputs():
    from helhedsplan_eval.data.contract import load_bundle

    b = load_bundle(SAMPLE)
    return b.table("fit_administrations"), b.table("fit_courses")


def messy_inputs():
    adm = pd.read_csv(PINNED / "messy_administrations.csv", dtype=str, keep_default_na=False)
    courses = pd.read_csv(SAMPLE / "fit_courses.csv", dtype=str, keep_default_na=False)
    return adm, courses


def make_messy() -> pd.DataFrame:
    """The messy input (written once to the fixture; see the module docstring)."""
    base = pd.read_csv(SAMPLE / "fit_administrations.csv", dtype=str, keep_default_na=False)
    parts = []
    for i in range(2):
        part = base.copy()
        for c in ("administration_id", "family_id", "rated_person_id"):
            part[c] = part[c] + f"~{i}"
        parts.append(part)
    df = pd.concat(parts, ignore_index=True)
    rater_ids = []
    for i, r in df.iterrows():
        kind = sum(map(ord, r["rated_person_id"])) % 3
        if r["about"] == "selv":
            rater_ids.append({0: "", 1: r["rated_person_id"], 2: "Pother" if i % 9 == 0 else ""}[kind])
        elif kind == 0:
            rater_ids.append("R1" + r["family_id"] if i % 2 else "")
        elif kind == 1:
            rater_ids.append(["", "R1" + r["family_id"], "R2" + r["family_id"]][i % 3])
        else:
            rater_ids.append("")
    df["rater_id"] = rater_ids
    damage = [
        (13, "item1", "7,5"), (17, "item2", "abc"), (19, "item3", "11"), (23, "item4", "3.25"),
        (29, "item2", ""), (31, "total", "41"), (37, "total", "0"), (41, "date", "2018-13-40"),
        (43, "rater", "x"), (47, "group", ""), (53, "total", "zz"), (59, "scale", "ORS "),
        (61, "about", "selv"), (67, "item1", "-1"), (71, "group", "almen"), (73, "rated_age", "tolv"),
    ]
    for i in range(len(df)):
        for step, col, val in damage:
            if i % step == 0 and i // step % 4 == 1:
                df.at[i, col] = val
    zero = df.index[df.index % 97 == 5]
    df.loc[zero, ["item1", "item2", "item3", "item4", "total"]] = ["0", "0", "0", "0", ""]
    partial = df.index[df.index % 89 == 7]
    df.loc[partial, ["item4", "total"]] = ["", "24"]
    twins = df[(df.index % 7 == 3) & (df["rater_id"] == "")].copy()  # a second form on the same day
    twins["administration_id"] = twins["administration_id"] + "b"
    twins["total"] = "20"
    return pd.concat([df, twins], ignore_index=True)


CASES = {"sample": sample_inputs, "messy": messy_inputs}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("part", ["scored", "episodes", "problems"])
def test_prepare_output_is_pinned(case, part):
    adm, courses = CASES[case]()
    got = canonical(fit.prepare(adm, courses))[part]
    want = gzip.decompress((PINNED / f"{case}_{part}.txt.gz").read_bytes()).decode("utf-8")
    if got != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "pinned", "now"))[:40])
        pytest.fail(f"fit.prepare({case}) {part} changed:\n{diff}")


def test_messy_input_exercises_every_branch():
    """The messy input reaches the paths it is there for (so the pin means something)."""
    adm, courses = messy_inputs()
    fd = fit.prepare(adm, courses)
    text = canonical_problems(fd.problems)
    for needle in ("forskellige bedømmere", "to skemaer samme dag", "selvvurdering", "kun for specialgruppen",
                   "en henviser vurderer kun barnet", "højst én decimal", "delvise items", "score på 0",
                   "stemmer ikke med summen", "mangler:", "forventet en dato", "forventet et tal fra 0 til 10"):
        assert needle in text, needle
    ep = fd.episodes
    assert set(ep["stream"]) == {"A", "B", "C"}
    assert (ep["rater_key"] != "").any() and (ep["rater_key"] == "").any()
    assert ep["analysable"].any() and not ep["analysable"].all()


def test_admin_order_is_the_natural_order_of_the_ids():
    """Hand-ordered: A1 < a2 < A9 < A10 < B2 (digits read as numbers, case ignored); A3~9 < A3~10."""
    from helhedsplan_eval.analysis.fit.scoring import _natural_ranks

    ids = np.array(["A10", "A9", "A1", "B2", "a2", "A10"], dtype=object)
    assert list(_natural_ranks(ids)) == [3, 2, 0, 4, 1, 3]
    assert list(_natural_ranks(np.array(["A3~10", "A3~9", "A3"], dtype=object))) == [2, 1, 0]
    long = "9" * 25  # beyond int64: still read as a number
    assert list(_natural_ranks(np.array([long, "8" * 24, "A"], dtype=object))) == [1, 0, 2]


def regenerate() -> None:
    PINNED.mkdir(parents=True, exist_ok=True)
    if not (PINNED / "messy_administrations.csv").exists():
        make_messy().to_csv(PINNED / "messy_administrations.csv", index=False)
    for case, inputs in CASES.items():
        for part, text in canonical(fit.prepare(*inputs())).items():
            (PINNED / f"{case}_{part}.txt.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


if __name__ == "__main__" and "--regenerate" in sys.argv:
    regenerate()
