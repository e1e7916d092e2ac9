"""'Til bestyrelsen' (issue 22): the board's reading first, facts only, every figure the disclosure-controlled one.

Hand-computed on data/sample 2020 and on hand-made status histories; the summary inside a real run's front page and
PDF is checked in tests/test_board_pack.py (the module fixture with two runs).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from helhedsplan_eval.analysis.evaluate import evaluate_year
from helhedsplan_eval.analysis.status import MET, NOT_MET, OFF_TRACK, ON_TRACK, UNJUDGEABLE
from helhedsplan_eval.catalogue.criteria import load_catalogue
from helhedsplan_eval.report import history
from helhedsplan_eval.report.board import summary as S

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def test_since_groups_the_unbroken_run_of_attention_statuses():
    h = [(2017, ON_TRACK), (2018, OFF_TRACK), (2019, OFF_TRACK), (2020, NOT_MET)]
    assert S.since_text(h, 2020) == "Ikke på vej 2018–2019, Ikke opfyldt 2020"
    assert S.since_text([(2017, NOT_MET), (2018, MET), (2019, NOT_MET)], 2019) == "nyt i 2019 (i 2018: Opfyldt)"
    assert S.since_text([(2017, UNJUDGEABLE)], 2017) == "nyt i 2017"
    assert S.since_text([(2017, NOT_MET), (2018, NOT_MET)], 2018) == "Ikke opfyldt 2017–2018"
    assert S.since_text([(2017, MET)], 2017) == "–"


@pytest.mark.parametrize("before, now, worse", [
    ("Opfyldt", "På vej", True), ("På vej (usikkert)", "Ikke opfyldt", True), ("Ikke på vej", "På vej", False),
    ("Opfyldt", "Afventer data", False), ("Vurdering: Opfyldt", "Ikke opfyldt", False),
    ("Ikke opfyldt (usikkert)", "Ikke opfyldt", False)])
def test_worsened_ranks_the_verdicts_only(before, now, worse):
    assert S.worsened(before, now) is worse


@pytest.fixture(scope="module")
def sample_2020():
    return evaluate_year(2020, SAMPLE, load_catalogue())


def _frame(year, rows):
    return pd.DataFrame([dict(evaluation_year=year, run="20200301T100000", criterion_id=c, measure=m, year=year, text=t)
                         for c, m, t in rows], columns=history.COLUMNS)


def test_attention_lists_the_verdicts_that_need_the_board(sample_2020):
    res = sample_2020
    s = S.board_summary(res, None)
    attention = {cid for cid in res.catalogue.criteria
                 if res.board_evaluation(cid).status in (NOT_MET, OFF_TRACK, UNJUDGEABLE)}
    assert {r.id for r in s.attention} == attention
    assert len(attention) == 22  # data/sample 2020: 22 Ikke opfyldt, none Ikke på vej or Kan ikke vurderes
    for r in s.attention:  # the figures are the disclosure-controlled ones the pages show
        ev = res.board_evaluation(r.id)
        assert (r.value, r.why, r.label) == (ev.value_text, ev.explanation, ev.label)
    # "since" is the area page's status history of the criterion (judged on this year's data)
    from helhedsplan_eval.report.board import AreaReport

    area = AreaReport("kriminalpraeventiv_indsats", 2020, SAMPLE)
    kp1 = [(y, ev.status) for y, ev in area.history(area.cat.criteria["KP-1"])]
    assert kp1 == [(2017, OFF_TRACK), (2018, OFF_TRACK), (2019, OFF_TRACK), (2020, NOT_MET)]
    assert {r.id: r for r in s.attention}["KP-1"].since == "Ikke på vej 2017–2019, Ikke opfyldt 2020"


def test_a_criterion_whose_status_worsened_since_last_years_report_is_listed(tmp_path):
    res = evaluate_year(2019, SAMPLE, load_catalogue())
    now = {cid: res.board_evaluation(cid).label for cid in res.catalogue.criteria}
    worse = next(cid for cid, lab in now.items() if lab == ON_TRACK)  # På vej in 2019 ...
    rows = [(cid, "label", MET if cid == worse else lab) for cid, lab in now.items()]  # ... Opfyldt in 2018's report
    (tmp_path / "historik").mkdir()
    _frame(2018, rows).to_csv(tmp_path / "historik" / "status_2018_20200301T100000.csv", index=False)
    s = S.board_summary(res, tmp_path / "historik")
    assert [d["id"] for d in s.changes.status] == [worse]
    attention = {cid for cid in res.catalogue.criteria
                 if res.board_evaluation(cid).status in (NOT_MET, OFF_TRACK, UNJUDGEABLE)}
    assert {r.id for r in s.attention} == attention | {worse}
    assert s.attention[-1].id == worse and s.attention[-1].previous == MET  # verdicts first, then the worsened
    page = S.summary_html(s)
    assert "rapporten for 2018: Opfyldt" in page
    assert f"1 kriterium har skiftet status siden rapporten for 2018. Heraf 1 til dårligere ({worse})." in \
        re.sub(r"<[^>]+>", "", page)


def test_summary_html_states_facts_without_advice(sample_2020):
    s = S.board_summary(sample_2020, None)
    page = S.summary_html(s)
    text = re.sub(r"<[^>]+>", " ", page)
    for word in (r"\bbør\b", "anbefal", "foreslå", r"\bskal\b", "overvej"):  # no advice ("børns" is no "bør")
        assert not re.search(word, text.lower()), word
    assert "Der findes ingen gemt rapport for 2019" in text
    assert "Ingen kriterier afventer data i 2020." in text
    # budget, params/plan.yml: 17.288.000 kr.; spending 2017-2020 in data/sample: 16.780.000 kr. = 97,1 %
    assert "17.288.000 kr." in text.replace("\xa0", " ") and "97,1 %" in text.replace("\xa0", " ")
    assert text.count("Sådan læses status") == 1 and "class='status-guide'" in page
    assert "<a href='kriminalpraeventiv_indsats.html#KP-1'>KP-1</a>" in page
    # on paper the attention table's badge may wrap (report.pdf), but only before "(usikkert)"
    assert "Ikke\u00a0opfyldt (usikkert)</span>" in page and "Ikke\u00a0opfyldt</span>" in page


def test_awaiting_names_the_source_and_the_criteria_it_holds_back(tmp_path):
    # without the survey, the survey criteria await its data
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    gone = [p for p in data.iterdir() if p.name.startswith("survey")]
    assert gone
    for p in gone:
        p.unlink()
    res = evaluate_year(2020, data, load_catalogue())
    s = S.board_summary(res, None)
    held = {cid for ids in s.awaiting.values() for cid in ids}
    assert held == {cid for cid in res.catalogue.criteria if res.board_evaluation(cid).status == "Afventer data"}
    assert held and all(not name.endswith(".csv") for name in s.awaiting)  # source names, not file names
    assert "afventer" in S.awaiting_html(s)


def test_til_bestyrelsen_fits_on_at_most_four_a4_sheets(sample_2020, tmp_path):
    """Issue 22: "Til bestyrelsen" on 2–4 A4 pages. The pack's front part (the front page, laid out as the runner
    lays it out, report.pdf.render_part) of the 2020 sample, whose 22 attention criteria made it 5 sheets, is at
    most 4. The shipped font lays it out, so no machine font decides the count."""
    from helhedsplan_eval.report.board import banner_html
    from helhedsplan_eval.report.pdf import render_part
    from helhedsplan_eval.run.notebook_list import load_notebooks
    from helhedsplan_eval.run.publish import render_index
    from helhedsplan_eval.run.status import status_counts, status_frame_for

    specs = load_notebooks()
    counts, uncertain = status_counts(status_frame_for(sample_2020, 5))
    banner = banner_html(SAMPLE)
    assert banner  # synthetic sample: the notice is on the page and on every sheet, as in a run
    page = render_index(2020, specs, counts, uncertain, "07.12.2026 kl. 05:07", banner=banner,
                        summary=S.summary_html(S.board_summary(sample_2020, None)))
    assert "22 kriterier er ikke opfyldt" in page  # one row each
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    pages = [s.html_name for s in specs]
    # the bilag's numbers of sheets as the runner writes them into the list of bilag ("(21 sider)")
    doc = render_part(tmp_path, 2020, "index.html", pages, synthetic=True, sheets={Path(p).stem: 21 for p in pages})
    text = [" ".join(b.text for b in _text_boxes(p._page_box)) for p in doc.pages]
    assert "Til bestyrelsen" in text[0] and "Sådan læses status" in " ".join(text)
    assert f"Bilag {len(pages)}" in text[-1]  # the list of bilag closes the front part
    assert len(doc.pages) <= 4, f"»Til bestyrelsen« fills {len(doc.pages)} A4 sheets"


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", []) or []:
        yield from _text_boxes(child)
