"""The disclosure layer: nothing derivable about fewer than ``min_cell`` persons in any board output.

Unit tests build series by hand; the channel tests run the real evaluation of the bundled sample with a
high threshold (``min_cell=25``), which makes many of its groups "small", and then try to recover every
hidden count from each output channel (page HTML, chart data, CSV, xlsx): the value itself, the remaining
effort computed from it, growth rates and target paths computed from it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from helhedsplan_eval import formatting as F
from helhedsplan_eval.catalogue.criteria import load_catalogue
from helhedsplan_eval.data.contract import Issue
from helhedsplan_eval.report.disclosure import (HIDDEN, board_issue_rows, board_issue_texts, board_text, protect_series,
                                         safe_evaluation, suppress_counts)
from helhedsplan_eval.analysis.status import IndicatorSeries, evaluate, target_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CAT = load_catalogue()


def crit(cid):
    return CAT.resolve(CAT.criteria[cid])


def series(indicator, unit, values, **cols):
    return IndicatorSeries.from_values(indicator, unit, values, **cols)


# ----------------------------------------------------------------------------- protect_series

def test_annual_person_counts_primary_suppression():
    c = crit("FF-FAM-1")  # annual minimum of families
    s = series("course_families", "persons", {2017: 3, 2018: 0, 2019: 12, 2020: 4})
    safe = protect_series(c, s, 2020, 5)
    assert safe.hidden == {2017, 2020}
    assert safe.text == {2017: "<5", 2018: "0", 2019: "12", 2020: "<5"}
    assert safe.value[2017] is None and safe.value[2019] == 12
    frame = safe.frame()
    assert frame.loc[frame.year == 2017, "value"].isna().all()  # not a chart point


def test_cumulative_increment_under_threshold_is_hidden_secondarily():
    c = crit("FF-3")  # cumulative unique parents
    # increments: 2017 +12, 2018 +2 (hidden), 2019 +9 (vs last shown 12 → 23, shown), 2020 +1 (hidden)
    s = series("active_parents", "persons", {2017: 12, 2018: 14, 2019: 23, 2020: 24})
    safe = protect_series(c, s, 2020, 5)
    assert safe.hidden == {2018, 2020}
    assert safe.text[2018] == HIDDEN and safe.text[2020] == HIDDEN
    shown = sorted(v for v in safe.value.values() if v is not None)
    diffs = [b - a for a, b in zip([0] + shown, shown)]
    assert all(d == 0 or d >= 5 for d in diffs), diffs


def test_share_with_small_denominator_hidden_and_small_numerator_tight():
    c = crit("FF-CAF-3")
    s = series("regular_share", "pct", {2017: 66.7, 2018: 33.3, 2019: 50.0},
               numerator={2017: 2, 2018: 2, 2019: 10}, denominator={2017: 3, 2018: 6, 2019: 20})
    safe = protect_series(c, s, 2019, 5)
    assert safe.hidden == {2017}            # 2 of 3: the share itself is not shown
    assert safe.tight == {2018}             # 2 of 6: the share is shown, its counts are not
    assert safe.value[2017] is None and safe.value[2018] == pytest.approx(33.3)


def test_path_from_hidden_baseline_is_hidden():
    c = crit("TT-FRI-1")  # yearly growth of volunteers from 2017
    s = series("active_volunteers", "persons", {2017: 3, 2018: 6, 2019: 9, 2020: 12})
    safe = protect_series(c, s, 2020, 5, path=target_path(c, s))
    assert safe.path_hidden and safe.path == {}
    assert safe.frame()["path"].isna().all()


# ----------------------------------------------------------------------------- safe_evaluation

def _texts(ev) -> str:
    return " | ".join(str(x) for x in (ev.value_text, ev.target_text, ev.path_text, ev.explanation,
                                        ev.remaining_text, ev.interval, ev.notes, ev.alternative))


def _numbers(text: str) -> set[str]:
    """The numbers in a text, apart from the threshold itself ("<5", "færre end 5")."""
    text = re.sub(r"<\d+|færre end \d+|under \d+ personer", "", text)
    return set(re.findall(r"−?-?\d[\d.]*(?:,\d+)?", text))


def _derived(k: float, target: float | None, rate: float | None, later: list[float]) -> set[str]:
    """The figures a reader could use to solve back for the hidden count k."""
    out = set()
    cands = []
    if target is not None:
        for n in (1, 2, 3, 4):
            cands.append((target - k) / n)
    if rate is not None:
        for t in (1, 2, 3):
            cands.append(k * (1 + rate) ** t)
        for v in later:
            for t in (1, 2, 3):
                cands.append(100 * ((v / k) ** (1 / t) - 1))
    for x in cands:
        for d in (0, 1):
            out.add(F.fmt_number(x, d))
    return {x for x in out if x not in ("0", "0,0")}


@pytest.mark.parametrize("cid,values,hidden", [
    ("TT-FRI-1", {2017: 3, 2018: 9, 2019: 11, 2020: 12}, 3),        # baseline 3: growth rates/path reveal it
    ("FF-FAM-1", {2017: 25, 2018: 22, 2019: 21, 2020: 4}, 4),       # "16 more" would reveal 4
    ("FF-3", {2017: 50, 2018: 100, 2019: 150, 2020: 153}, 3),       # +3 new parents in 2020
    ("KP-TAL-1", {2017: 9, 2018: 12, 2019: 2, 2020: 10}, 2),
])
def test_no_derived_figure_reveals_a_hidden_count(cid, values, hidden):
    c = crit(cid)
    s = series(c.indicator, c.unit, values)
    for year in (2019, 2020):
        ev = safe_evaluation(c, evaluate(c, s, year), s, 5)
        text = _texts(ev)
        target = c.params.get("target")
        rate = c.params.get("rate")
        later = [v for y, v in values.items() if v != hidden]
        leaks = _derived(hidden, float(target) if target else None, float(rate) if rate else None, later)
        if c.kind == "cumulative_total":
            leaks |= {F.fmt_number(values[2020], 0), F.fmt_number((c.params["target"] - values[2020]), 0)}
        found = leaks & _numbers(text)
        assert not found, (cid, year, found, text)


def test_share_explanation_does_not_pair_share_with_its_denominator():
    c = crit("FF-CAF-3")
    s = series("regular_share", "pct", {2017: 33.3, 2018: 60.0, 2019: 60.0, 2020: 60.0},
               numerator={2017: 2, 2018: 12, 2019: 12, 2020: 12}, denominator={2017: 6, 2018: 20, 2019: 20, 2020: 20})
    ev = safe_evaluation(c, evaluate(c, s, 2017), s, 5)
    assert "6 personer" not in ev.explanation and "2 af" not in ev.explanation
    assert ev.interval is None
    assert ev.value_text == F.fmt_pct(33.3)  # the share itself may be shown (denominator ≥ 5)


def test_safe_evaluation_leaves_unaffected_criteria_alone():
    c = crit("FF-FAM-1")
    s = series(c.indicator, c.unit, {2017: 25, 2018: 22, 2019: 21, 2020: 30})
    ev = evaluate(c, s, 2020)
    safe = safe_evaluation(c, ev, s, 5)
    assert safe.explanation == ev.explanation and safe.value_text == ev.value_text


def test_threshold_is_a_parameter():
    c = crit("FF-FAM-1")
    s = series(c.indicator, c.unit, {2017: 25, 2018: 22, 2019: 21, 2020: 7})
    assert safe_evaluation(c, evaluate(c, s, 2020), s, 5).value_text == "7"
    assert safe_evaluation(c, evaluate(c, s, 2020), s, 10).value_text == "<10"


# ----------------------------------------------------------------------------- texts and messages

@pytest.mark.parametrize("text,expected", [
    ("Udelukket: 2017: 1, 2019: 2.", "Udelukket: 2017: <5, 2019: <5."),
    ("3 personer mangler", "<5 personer mangler"),
    ("12 personer mangler; 2018: 7", "12 personer mangler; 2018: 7"),
    ("2018: 3,5 %", "2018: 3,5 %"),
    ("De resterende 3 år", "De resterende 3 år"),
])
def test_board_text_masks_quoted_small_counts(text, expected):
    assert board_text(text, 5) == expected


def test_board_issue_rows_never_quote_values():
    issues = [Issue("fejl", "bydelsmoedre_visits", "bydelsmoedre_visits.csv", "ukendt bydelsmor_id 'BM-SECRET-77'",
                    row=4, column="bydelsmor_id", value="BM-SECRET-77"),
              Issue("fejl", "bydelsmoedre_visits", "bydelsmoedre_visits.csv", "ukendt bydelsmor_id 'BM-OTHER-12'",
                    row=9, column="bydelsmor_id", value="BM-OTHER-12")]
    rows = board_issue_rows(issues)
    assert len(rows) == 1 and rows[0][-1] == "2"
    flat = " ".join(board_issue_texts(issues)) + " ".join(" ".join(r) for r in rows)
    assert "SECRET" not in flat and "OTHER" not in flat and "række 4" not in flat


def test_suppress_counts_secondary():
    df = pd.DataFrame({"a": [3, 10], "b": [7, 12], "total": [10, 22]})
    out = suppress_counts(df, ["a", "b"], 5, total_col="total")
    assert list(out["a"]) == ["<5", "10"] and list(out["b"]) == ["<5", "12"]


# ----------------------------------------------------------------------------- every channel, on real data

MIN = 25


@dataclass
class Hidden:
    cid: str
    year: int
    k: float


@pytest.fixture(scope="module")
def sample_result():
    from helhedsplan_eval.analysis.evaluate import evaluate_year

    return evaluate_year(2020, SAMPLE, min_cell=MIN)


def _hidden_cells(res) -> list[Hidden]:
    out = []
    for c in res.catalogue.criteria.values():
        s = res.series_for(c)
        if s is None:
            continue
        safe = res.board_series(c)
        for y in safe.hidden:
            k = s.value(y)
            if s.data.columns.isin(["denominator"]).any():
                k = s._get(y, "denominator")
            out.append(Hidden(c.id, y, k))
    return out


def test_sample_has_hidden_cells_at_this_threshold(sample_result):
    cells = _hidden_cells(sample_result)
    assert len({h.cid for h in cells}) >= 5  # the channel tests below are not vacuous


def test_chart_data_has_no_hidden_point(sample_result):
    for c in sample_result.catalogue.criteria.values():
        s = sample_result.series_for(c)
        if s is None:
            continue
        frame = sample_result.board_series(c).frame()
        for _, r in frame[frame["hidden"]].iterrows():
            assert math.isnan(r["value"]), (c.id, r["year"])
        if sample_result.board_series(c).path_hidden:
            assert frame["path"].isna().all()


def _criterion_cells(df: pd.DataFrame, cid: str) -> str:
    row = df[df["Id"] == cid]
    return " | ".join(str(v) for v in row.iloc[0].tolist())


def test_csv_and_xlsx_use_the_runs_threshold_and_reveal_nothing(sample_result, tmp_path):
    from helhedsplan_eval.analysis.evaluate import status_frame, write_status_files

    df = status_frame(sample_result)
    write_status_files(df, tmp_path, 2020)
    csv = pd.read_csv(tmp_path / "maalopfyldelse_2020.csv", sep=";", encoding="utf-8-sig", dtype=str).fillna("")
    wb = openpyxl.load_workbook(tmp_path / "maalopfyldelse_2020.xlsx")
    ws = wb.active
    xrows = [[("" if c.value is None else str(c.value)) for c in r] for r in ws.iter_rows()]
    xdf = pd.DataFrame(xrows[1:], columns=xrows[0])
    for h in _hidden_cells(sample_result):
        c = sample_result.catalogue.criteria[h.cid]
        base = sample_result.catalogue.resolve(c)
        if h.year != 2020 and base.kind not in ("growth", "yoy_growth"):
            continue
        for table in (csv, xdf):
            cells = _criterion_cells(table, h.cid)
            value_cell = table.loc[table["Id"] == h.cid, "Værdi"].iloc[0]
            if base.unit == "persons":
                assert value_cell in (f"<{MIN}", HIDDEN), (h, value_cell)
            target = base.params.get("target")
            if target is not None and h.k is not None:
                leaks = {F.fmt_number((float(target) - h.k) / n, d) for n in (1, 2, 3) for d in (0, 1)}
                leaks -= {"0", "0,0"}
                assert not (leaks & _numbers(table.loc[table["Id"] == h.cid, "Resterende indsats"].iloc[0])), (h, cells)


def test_pages_show_no_hidden_count(sample_result):
    from helhedsplan_eval.report.board import AreaReport

    for area in sample_result.catalogue.areas:
        r = AreaReport(area, 2020, SAMPLE, min_cell=MIN, catalogue=sample_result.catalogue, result=sample_result)
        for c in r.criteria:
            s = sample_result.series_for(c)
            if s is None:
                continue
            safe = sample_result.board_series(c)
            header, rows = r.figures_rows(c)
            for row in rows:
                y = int(row[0])
                if y in safe.hidden:
                    assert row[1] in (f"<{MIN}", HIDDEN), (c.id, row)
            html = r.criterion_html(c)
            assert "personer i alt" not in html or not safe.tight
        act = r.activity_html()
        for tr in re.findall(r"<tr>(.*?)</tr>", act)[1:]:
            cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", tr)]
            for person_cell in cells[3:6]:  # counted attendees, participations, unique persons
                assert not re.fullmatch(r"\d+", person_cell) or int(person_cell) == 0 or int(person_cell) >= MIN, cells


def test_status_table_takes_the_threshold_it_is_given(sample_result):
    """A table built from a result evaluated at 5 but published with min_cell 25 hides at 25."""
    from helhedsplan_eval.analysis.evaluate import evaluate_year, status_frame

    res5 = evaluate_year(2020, SAMPLE, min_cell=5)
    df = status_frame(res5, min_cell=MIN)
    checked = 0
    for h in _hidden_cells(sample_result):
        base = sample_result.catalogue.resolve(sample_result.catalogue.criteria[h.cid])
        if h.year == 2020 and base.unit == "persons" and base.kind == "annual_minimum":
            assert df.loc[df["Id"] == h.cid, "Værdi"].iloc[0] == f"<{MIN}", h
            checked += 1
    assert checked >= 2


# ----------------------------------------------------------------------------- a real run's outputs

TINY = ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The annual run for 2020 on the tiny fixture, whose groups are small (min_cell 5)."""
    from helhedsplan_eval.run import runner

    out = tmp_path_factory.mktemp("out")
    runner.run_year(2020, data_dir=TINY, out_root=out, jobs=2, progress=False)
    return out / "2020"


def _section(page: str, cid: str) -> str:
    m = re.search(rf"<section[^>]*id=['\"]{re.escape(cid)}['\"].*?</section>", page, flags=re.S)
    return m.group(0) if m else ""


def _year_cells(section: str) -> dict[int, str]:
    out = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", section, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", tr, flags=re.S)]
        if len(cells) >= 2 and re.fullmatch(r"\d{4}", cells[0]):
            out[int(cells[0])] = cells[1]
    return out


@pytest.mark.notebooks
def test_rendered_run_reveals_no_hidden_count(tiny_run):
    import html as html_lib

    from helhedsplan_eval.analysis.evaluate import evaluate_year

    res = evaluate_year(2020, TINY, min_cell=5)
    pages = {p.name: html_lib.unescape(p.read_text(encoding="utf-8")) for p in tiny_run.glob("*.html")}
    area_pages = [pages[f"{a}.html"] for a in res.catalogue.areas if f"{a}.html" in pages]
    assert len(area_pages) == 3
    csv = pd.read_csv(tiny_run / "maalopfyldelse_2020.csv", sep=";", encoding="utf-8-sig", dtype=str).fillna("")
    ws = openpyxl.load_workbook(tiny_run / "maalopfyldelse_2020.xlsx").active
    xrows = [[("" if c.value is None else str(c.value)) for c in r] for r in ws.iter_rows()]
    xlsx = pd.DataFrame(xrows[1:], columns=xrows[0])
    checked = 0
    for c in res.catalogue.criteria.values():
        s = res.series_for(c)
        if s is None:
            continue
        base = res.catalogue.resolve(c)
        safe = res.board_series(c)
        if not safe.hidden:
            continue
        section = next((_section(p, c.id) for p in area_pages if _section(p, c.id)), "")
        assert section, c.id
        cells = _year_cells(section)
        for y in safe.hidden:
            if y in cells:
                assert cells[y] in ("<5", HIDDEN, F.MISSING), (c.id, y, cells[y])
                checked += 1
        target = base.params.get("target")
        k = s.value(2020)
        if 2020 in safe.hidden and target is not None and k is not None and base.unit == "persons":
            leaks = {F.fmt_number((float(target) - k) / n, d) for n in (1, 2, 3) for d in (0, 1)} - {"0", "0,0"}
            text = re.sub(r"<[^>]+>", " ", section)
            for table in (csv, xlsx):
                row = " ".join(table.loc[table["Id"] == c.id].iloc[0].tolist())
                assert table.loc[table["Id"] == c.id, "Værdi"].iloc[0] in ("<5", HIDDEN), c.id
                assert not (leaks & _numbers(row)), (c.id, leaks & _numbers(row))
            assert not (leaks & _numbers(text)), (c.id, leaks & _numbers(text))
    assert checked >= 5


def test_alternative_count_beside_the_chosen_one_does_not_reveal_a_small_difference():
    """FF-3 counts parents with the bydelsmødre (chosen) and without them (shown beside it): a difference of
    1–4 is the number of bydelsmødre counted, a count of persons."""
    c = crit("FF-3")
    chosen = series("active_parents", "persons", {2017: 60, 2018: 120, 2019: 180, 2020: 230})
    without = series("active_parents", "persons", {2017: 57, 2018: 117, 2019: 177, 2020: 227})
    chosen.extra["alternative_series"] = {"uden bydelsmødrene selv": without}
    assert "227" in evaluate(c, chosen, 2020).explanation  # the engine names the other count
    ev = evaluate(c, chosen, 2020)
    safe = safe_evaluation(c, ev, chosen, 5)
    assert "227" not in safe.explanation and "227" not in str(safe.alternative)
    far = series("active_parents", "persons", {2017: 40, 2018: 100, 2019: 150, 2020: 200})
    chosen.extra["alternative_series"] = {"uden bydelsmødrene selv": far}
    ev2 = evaluate(c, chosen, 2020)
    assert safe_evaluation(c, ev2, chosen, 5).explanation == ev2.explanation  # a difference of 30: shown
