"""Issue 21: one rounding for shares. The FIT table showed FF-FAM-2/3/4 as 66 % / 45 % / 64 % while the overview
and the FIT text showed 65,5 % / 45,5 % / 64,3 %. Every board channel now formats an observed share with
``formatting.fmt_share`` (one decimal); this test renders the same shares through each channel.

Hand-computed (sample data, 2020, chosen reading "pålidelig forbedring"): FF-FAM-2 19 of 29 = 65,517 % -> 65,5 %;
FF-FAM-3 10 of 22 = 45,45 % -> 45,5 %; FF-FAM-4 (2018–2019 pooled) 9 of 14 = 64,29 % -> 64,3 %.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis import fit
from helhedsplan_eval.analysis.evaluate import evaluate_year, status_frame, write_status_files
from helhedsplan_eval.data.contract import load_bundle

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
NB = "\u00a0"
EXPECTED = {"FF-FAM-2": f"65,5{NB}%", "FF-FAM-3": f"45,5{NB}%", "FF-FAM-4": f"64,3{NB}%"}


@pytest.fixture(scope="module")
def channels(tmp_path_factory):
    bundle = load_bundle(SAMPLE)
    res = evaluate_year(2020, bundle)
    overview = status_frame(res).set_index("Id")
    out = tmp_path_factory.mktemp("csv")
    paths = write_status_files(status_frame(res), out, 2020)
    csv_path = next(p for p in paths if p.suffix == ".csv")
    sep = ";" if ";" in csv_path.read_text(encoding="utf-8-sig").splitlines()[0] else ","
    csv = pd.read_csv(csv_path, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False).set_index("Id")
    status = fit.status_table(bundle, 2020, 5)
    readings = fit.board_tables(bundle, 2020, 5)["readings"]
    return res, overview, csv, status, readings


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_the_same_share_reads_the_same_in_every_channel(channels, cid):
    res, overview, csv, status, readings = channels
    want = EXPECTED[cid]
    assert F.fmt_share(res.evaluation(cid).value) == want
    assert res.board_evaluation(cid).value_text == want  # area page and overview card
    assert overview.loc[cid, "Værdi"] == want  # målopfyldelse table
    assert csv.loc[cid, "Værdi"] == want  # målopfyldelse CSV
    assert status.loc[cid, "Andel (pålidelig forbedring)"] == want  # FIT status table
    assert readings.loc[cid, "Pålidelig forbedring"] == want  # FIT readings table
    assert f"{want} (" in status.loc[cid, "Forklaring"]  # FIT text
    assert res.board_evaluation(cid).explanation.count("%") == 0 or f" {want} (" in res.board_evaluation(
        cid).explanation  # the area page's text: the same share, or none (its counts hidden in an earlier year)


def test_fmt_share_is_one_decimal():
    assert F.fmt_share(65.517) == f"65,5{NB}%" and F.fmt_share(60) == f"60,0{NB}%" and F.fmt_share(None) == "–"
