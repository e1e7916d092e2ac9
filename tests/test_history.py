"""Issue 21: the change page ("udvikling", report/history.py) through the disclosure layer, and run ids that sort
by an unambiguous UTC instant. Histories are built by hand; clocks are injected or set with ``time.tzset``."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from helhedsplan_eval.catalogue.criteria import load_catalogue
from helhedsplan_eval.report import history

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny"


def frame(run, rows):
    return pd.DataFrame([dict(evaluation_year=y, run=run, criterion_id=c, measure=m, year=fy, text=t)
                         for y, c, m, fy, t in rows], columns=history.COLUMNS)


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


# ----------------------------------------------------------------------------- restated figures

def test_a_restated_person_count_by_fewer_than_5_shows_neither_figure():
    """The issue's run: TT-FRI-1 (volunteers, persons) 2019 reported as 44, now 46 -> the board could subtract the
    2 late-registered persons; neither figure is shown. Restated by 5 (44 -> 49) both are shown, and so is a
    count of units (TT-AAB-1, events) restated by 2."""
    cat = load_catalogue()
    prev = frame("20200115T090000Z", [(2019, "TT-FRI-1", "figure", 2019, "44"), (2019, "FF-3", "figure", 2018, "148"),
                                      (2019, "TT-AAB-1", "figure", 2018, "10")])
    cur = frame("nu", [(2020, "TT-FRI-1", "figure", 2019, "46"), (2020, "FF-3", "figure", 2018, "153"),
                       (2020, "TT-AAB-1", "figure", 2018, "12")])
    ch = history.changes(cur, prev, 2020, cat)
    got = {d["id"]: (d["before"], d["now"], d["small"]) for d in ch.revised}
    assert got == {"TT-FRI-1": (None, None, True), "FF-3": ("148", "153", False), "TT-AAB-1": ("10", "12", False)}
    page = _text(history.changes_html(ch, cat))
    assert "44" not in page and "46" not in page
    assert "ændret med færre end 5 personer siden rapporten for 2019; tallene vises ikke her" in page
    assert "rapporteret i 2019: 148, nu: 153" in page and "rapporteret i 2019: 10, nu: 12" in page


def test_the_threshold_is_the_runs_min_cell():
    """With min_cell 10, a restatement by 5 persons (148 -> 153) is hidden too; by 10 (148 -> 158) it is not."""
    cat = load_catalogue()
    prev = frame("20200115T090000Z", [(2019, "FF-3", "figure", 2018, "148"), (2019, "FF-3", "figure", 2017, "86")])
    cur = frame("nu", [(2020, "FF-3", "figure", 2018, "153"), (2020, "FF-3", "figure", 2017, "96")])
    ch = history.changes(cur, prev, 2020, cat, min_cell=10)
    assert [(d["year"], d["before"], d["now"]) for d in ch.revised] == [(2017, "86", "96"), (2018, None, None)]
    assert "færre end 10 personer" in _text(history.changes_html(ch, cat))


def test_a_masked_figure_is_not_parsed_as_a_count():
    """"<5" -> "7" or "skjult" -> "9": no count to subtract on either side of the disclosure rule's test."""
    from helhedsplan_eval.report.disclosure import safe_revision

    crit = load_catalogue().criteria["TT-FRI-1"]
    assert safe_revision(crit, "<5", "7") == ("<5", "7")
    assert safe_revision(crit, "1.234", "1.236") is None  # Danish thousands: 1234 -> 1236, 2 persons
    assert safe_revision(crit, "65,5 %", "66,0 %") == ("65,5 %", "66,0 %")


# ----------------------------------------------------------------------------- run ids

def test_run_ids_are_utc_instants_so_a_far_east_run_sorts_first(tmp_path):
    """A run at 10:00 UTC made under Pacific/Kiritimati (UTC+14, local 00:00 the next day), then one at 12:00 UTC
    under UTC: by local clock the first sorted last ("20200111T000000" > "20200110T120000")."""
    from helhedsplan_eval.analysis.evaluate import evaluate_year

    first = dt.datetime(2020, 1, 11, 0, 0, tzinfo=ZoneInfo("Pacific/Kiritimati"))
    later = dt.datetime(2020, 1, 10, 12, 0, tzinfo=dt.timezone.utc)
    assert history.run_id(first) == "20200110T100000Z" and history.run_id(later) == "20200110T120000Z"
    res = evaluate_year(2019, TINY)
    p1 = history.write_history(tmp_path, res, history.run_id(first))
    p2 = history.write_history(tmp_path, res, history.run_id(later))
    assert history.history_files(tmp_path / "historik", 2019) == [p1, p2]
    assert history.latest_report(tmp_path / "historik", 2019)["run"].iloc[0] == "20200110T120000Z"


@pytest.fixture
def tz():
    """Set the process's time zone for one test (time.tzset), restored afterwards."""
    old = os.environ.get("TZ")

    def set_tz(name):
        os.environ["TZ"] = name
        time.tzset()

    yield set_tz
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_a_naive_clock_is_read_in_the_machines_zone(tz):
    """The runner's clock under TZ=Pacific/Kiritimati and under TZ=UTC: the same instant, the same id."""
    tz("Pacific/Kiritimati")
    far_east = history.run_id(dt.datetime(2020, 1, 11, 0, 0))  # local midnight = 10:00 UTC the day before
    tz("UTC")
    assert far_east == "20200110T100000Z" == history.run_id(dt.datetime(2020, 1, 10, 10, 0))
    assert history.run_id(dt.datetime(2020, 1, 10, 10, 0).astimezone()) == far_east


def test_old_history_files_are_still_read_and_sort_before_utc_ones(tmp_path):
    """Files written before (a local time, no Z) are read and come before the UTC-stamped ones of their year; a
    re-run in the same second keeps its sequence number."""
    folder = tmp_path / "historik"
    folder.mkdir()
    names = ["status_2019_20200110T120000Z.csv", "status_2019_20200111T000000.csv",
             "status_2019_20200110T120000Z-2.csv", "status_2019_20191231T235959.csv"]
    for n in names:
        frame(n[12:-4], [(2019, "TT-2", "label", 2019, "Opfyldt")]).to_csv(folder / n, index=False)
    assert [p.name for p in history.history_files(folder, 2019)] == [
        "status_2019_20191231T235959.csv", "status_2019_20200111T000000.csv",
        "status_2019_20200110T120000Z.csv", "status_2019_20200110T120000Z-2.csv"]
    assert len(history.load_history(folder)) == 4


def test_the_page_shows_the_previous_runs_date_where_it_is_read(tz):
    tz("Europe/Copenhagen")
    assert history._run_text("20191231T233000Z") == "01.01.2020"  # 00:30 in Copenhagen
    assert history._run_text("20191231T120000") == "31.12.2019"  # an old local id as it is
