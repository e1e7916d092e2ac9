"""The plan's period as configuration (issue 19): dates in plan.period, plan years that cross New Year, baseline
years, due dates, the data contract's years from the plan, plan.yml's unknown keys, and --plan on the commands.

Every expectation is worked out by hand from the small plans written here."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from helhedsplan_eval.catalogue.criteria import CatalogueError, load_catalogue, plan_problems
from helhedsplan_eval.catalogue.period import PlanPeriod, parse_period, plan_period
from helhedsplan_eval.paths import PLAN_ENV, project_root

ROOT = project_root()


def _period(raw) -> tuple[PlanPeriod | None, list[str]]:
    problems: list[str] = []
    return parse_period(raw, problems), problems


# ----------------------------------------------------------------------------- the period object

def test_whole_years_are_calendar_plan_years_with_three_baseline_years():
    p, problems = _period({"start": 2017, "end": 2020})
    assert problems == []
    assert p.calendar and p.start == dt.date(2017, 1, 1) and p.end == dt.date(2020, 12, 31)
    assert p.years == (2017, 2018, 2019, 2020)
    assert p.baseline_years == (2014, 2015, 2016)
    assert p.data_years == (2014, 2020)
    assert p.first_date == dt.date(2014, 1, 1) and p.last_date == dt.date(2020, 12, 31)
    assert [p.label(y) for y in p.years] == ["2017", "2018", "2019", "2020"]
    assert p.span() == "2017–2020"
    assert p.year_of(dt.date(2018, 1, 1)) == 2018 and p.year_of(dt.date(2018, 12, 31)) == 2018


def test_dates_in_period_give_plan_years_that_cross_new_year():
    p, problems = _period({"start": dt.date(2022, 2, 1), "end": "2026-01-31"})
    assert problems == []
    assert not p.calendar
    assert p.years == (2022, 2023, 2024, 2025)  # 1.2.2022-31.1.2023, ..., 1.2.2025-31.1.2026
    assert [p.label(y) for y in p.years] == ["2022/23", "2023/24", "2024/25", "2025/26"]
    assert p.span() == "2022/23–2025/26"
    # a record dated 15 January 2023 lies in the plan year that began 1 February 2022
    assert p.year_of(dt.date(2023, 1, 15)) == 2022
    assert p.label(p.year_of(dt.date(2023, 1, 15))) == "2022/23"
    assert p.year_of(dt.date(2023, 1, 31)) == 2022 and p.year_of(dt.date(2023, 2, 1)) == 2023
    assert p.year_start(2024) == dt.date(2024, 2, 1) and p.year_end(2024) == dt.date(2025, 1, 31)
    assert p.last_date == dt.date(2026, 1, 31)


def test_baseline_years_before_the_start_as_the_plan_declares_them():
    p, problems = _period({"start": "2022-02-01", "end": "2026-01-31", "baseline_start": 2020})
    assert problems == []
    assert p.baseline_years == (2020, 2021)  # plan years 2020/21 and 2021/22
    assert p.first_date == dt.date(2020, 2, 1)
    assert p.data_years == (2020, 2025)


def test_year_label_may_be_chosen():
    p, _ = _period({"start": "2022-02-01", "end": "2026-01-31", "year_label": "start"})
    assert p.label(2022) == "2022"
    p, _ = _period({"start": 2021, "end": 2024, "year_label": "split"})
    assert p.label(2021) == "2021/22"


@pytest.mark.parametrize("raw, expected", [
    ({"start": 2022, "end": 2020}, "plan.yml: plan.period: end (2020-12-31) ligger før start (2022-01-01)"),
    ({"start": "2022-02-30", "end": 2025}, "plan.yml: plan.period.start er '2022-02-30', men skal være et årstal "
                                           "eller en dato (ÅÅÅÅ-MM-DD)"),
    ({"start": 2022}, "plan.yml: plan.period.end mangler"),
    ({"start": 2022, "end": 2025, "slut": 2026}, "plan.yml: plan.period.slut kendes ikke"),
    ({"start": 2022, "end": 2025, "baseline_start": 2023}, "plan.yml: plan.period.baseline_start er 2023"),
    ({"start": 2022, "end": 2025, "year_label": "kort"}, "plan.yml: plan.period.year_label er 'kort'"),
    ([2017, 2020], "plan.yml: plan.period er [2017, 2020], men skal være en mapping"),
])
def test_an_impossible_period_is_named(raw, expected):
    p, problems = _period(raw)
    assert p is None
    assert any(x.startswith(expected) for x in problems), problems


# ----------------------------------------------------------------------------- a small plan folder

def _plan(tmp_path: Path, period, criteria=None, extra_plan=None, extra_top=None, areas=None) -> Path:
    d = tmp_path / "plan"
    d.mkdir(exist_ok=True)
    plan = {"id": "eksempel", "name": "Helhedsplan Eksempel", "period": period}
    plan.update(extra_plan or {})
    doc = {"plan": plan, "areas": areas or [{"id": "a1", "name": "Område 1", "activities": []}]}
    doc.update(extra_top or {})
    (d / "plan.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    crits = criteria if criteria is not None else [
        {"id": "A-1", "area": "a1", "text": "Milepæl", "source": "Logbog", "indicator": "assessment",
         "indicator_args": {"criterion_id": "A-1"}, "kind": "milestone", "unit": "text", "direction": "up",
         "params": {"due": "2026-01-31"}}]
    (d / "criteria.yml").write_text(yaml.safe_dump({"criteria": crits}, allow_unicode=True), encoding="utf-8")
    return d


DATES = {"start": "2022-02-01", "end": "2026-01-31"}


def test_a_due_date_on_the_plans_last_day_is_accepted(tmp_path):
    cat = load_catalogue(_plan(tmp_path, DATES))
    c = cat.criteria["A-1"]
    assert (c.period_start, c.period_end) == (2022, 2025)  # default: the plan's years
    assert str(c.params["due"]) == "2026-01-31"
    assert cat.period.label(c.period_end) == "2025/26"


def test_a_due_date_after_the_plan_is_refused(tmp_path):
    crit = {"id": "A-1", "area": "a1", "text": "Milepæl", "source": "Logbog", "indicator": "assessment",
            "indicator_args": {"criterion_id": "A-1"}, "kind": "milestone", "unit": "text", "direction": "up",
            "params": {"due": "2026-02-01"}}
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(_plan(tmp_path, DATES, criteria=[crit]))
    assert exc.value.problems == ["criteria.yml, A-1: params.due er '2026-02-01', men skal være en dato "
                                  "(ÅÅÅÅ-MM-DD) fra 2019-02-01 til 2026-01-31"]


def test_unknown_plan_yml_keys_are_named_with_a_suggestion(tmp_path):
    d = _plan(tmp_path, DATES, extra_plan={"afdelinger": ["A", "B"]}, extra_top={"plan_years": 4},
              areas=[{"id": "a1", "name": "Område 1", "activities": [], "formaal": "x"}])
    problems = plan_problems(d)
    assert any(p.startswith("plan.yml: plan: nøglen 'afdelinger' kendes ikke") for p in problems), problems
    assert any(p.startswith("plan.yml: nøglen 'plan_years' kendes ikke; mente du 'plan'?") for p in problems), problems
    assert any(p.startswith("plan.yml: areas, a1: nøglen 'formaal' kendes ikke") for p in problems), problems
    assert len(problems) == 3, problems
    with pytest.raises(CatalogueError):
        load_catalogue(d)


def test_wrong_types_in_plan_yml_are_named(tmp_path):
    problems = plan_problems(_plan(tmp_path, DATES, extra_plan={"name": 42, "parties": "Kommunen"}))
    assert "plan.yml: plan.name er 42, men skal være en tekst" in problems
    assert any(p.startswith("plan.yml: plan.parties er 'Kommunen', men skal være en liste") for p in problems)


def test_the_bundled_plans_pass_their_own_checks():
    assert plan_problems(ROOT / "params") == []


# ----------------------------------------------------------------------------- the data contract from the plan

def test_the_data_contract_takes_its_dates_and_years_from_the_plan(tmp_path, monkeypatch):
    from helhedsplan_eval.data import sources
    from helhedsplan_eval.data.contract import read_source

    d = _copy_default_plan(tmp_path, {"start": "2022-02-01", "end": "2026-01-31", "baseline_start": 2019})
    text = (d / "sources.yml").read_text(encoding="utf-8").replace("first_year: 2014", "first_year: 2019")
    (d / "sources.yml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(PLAN_ENV, str(d))
    sources.load_plan_sources()
    try:
        src = sources.SOURCES["inspector_complaints"]
        assert src.record_years == (2022, 2023, 2024, 2025)
        f = tmp_path / "inspector_complaints.csv"
        f.write_text("complaint_id,date,category,common_area\n"
                     "c1,2023-01-15,upassende,ja\n"     # plan year 2022/23
                     "c2,2026-01-31,upassende,ja\n"     # the plan's last day
                     "c3,2026-02-01,upassende,ja\n"     # one day after it
                     "c4,2019-01-31,upassende,ja\n",    # one day before the first baseline year 2019/20
                     encoding="utf-8")
        df, issues = read_source(f, src)
        msgs = {i.row: i.message for i in issues}
        assert msgs[4] == "datoen 2026-02-01 ligger uden for programmets år (forventet 2019-02-01 til 2026-01-31)"
        assert msgs[5] == "datoen 2019-01-31 ligger uden for programmets år (forventet 2019-02-01 til 2026-01-31)"
        assert 2 not in msgs and 3 not in msgs, msgs
    finally:
        monkeypatch.delenv(PLAN_ENV)
        sources.load_plan_sources()


def test_records_are_counted_in_the_plan_year_their_date_falls_in(tmp_path, monkeypatch):
    import pandas as pd

    from helhedsplan_eval.analysis.indicators.common import _years_of

    dates = pd.Series([dt.date(2023, 1, 15), dt.date(2023, 2, 1), dt.date(2022, 2, 1), None], dtype=object)

    def years():
        return [None if pd.isna(y) else int(y) for y in _years_of(dates)]

    assert years() == [2023, 2023, 2022, None]  # the default plan: calendar years
    monkeypatch.setenv(PLAN_ENV, str(_plan(tmp_path, DATES)))
    assert years() == [2022, 2023, 2022, None]


def test_the_default_plan_keeps_its_years():
    p = plan_period(ROOT / "params")
    assert (p.first_year, p.last_year, p.baseline_start, p.calendar) == (2017, 2020, 2014, True)


# ----------------------------------------------------------------------------- --plan on the commands

def _cli(argv, capsys):
    from helhedsplan_eval.cli import main

    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _copy_default_plan(tmp_path: Path, period) -> Path:
    d = tmp_path / "anden_plan"
    shutil.copytree(ROOT / "params", d)
    doc = yaml.safe_load((d / "plan.yml").read_text(encoding="utf-8"))
    doc["plan"]["period"] = period
    (d / "plan.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return d


def test_status_refuses_a_year_outside_the_default_plan(capsys):
    rc, out, err = _cli(["status", "--year", "2025"], capsys)
    assert rc == 2 and out == ""
    assert "Året 2025 ligger uden for helhedsplanens år; gyldige år er 2017-2020 (params/plan.yml, plan.period)." in err


def test_plan_option_decides_the_years_of_status(tmp_path, capsys):
    d = _copy_default_plan(tmp_path, {"start": 2017, "end": 2025, "baseline_start": 2014})
    rc, out, err = _cli(["status", "--plan", str(d), "--year", "2026"], capsys)
    assert rc == 2 and "gyldige år er 2017-2025" in err
    # a year of the other plan is accepted: the refusal is about the missing parameter file, not the year
    rc, out, err = _cli(["status", "--plan", str(d), "--year", "2025"], capsys)
    assert rc == 2 and "uden for helhedsplanens år" not in err and "2025.yml findes ikke" in err
    assert PLAN_ENV not in __import__("os").environ  # the command's plan does not outlive it


def test_plan_option_with_an_unknown_key_stops_every_command(tmp_path, capsys):
    d = _copy_default_plan(tmp_path, {"start": 2017, "end": 2020})
    doc = yaml.safe_load((d / "plan.yml").read_text(encoding="utf-8"))
    doc["plan"]["afdelinger"] = ["A"]
    (d / "plan.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for argv in (["contract"], ["targets"], ["validate", str(ROOT / "data" / "sample")]):
        rc, out, err = _cli([argv[0], "--plan", str(d)] + argv[1:], capsys)
        assert rc == 2 and out == "", argv
        assert "nøglen 'afdelinger' kendes ikke" in err and "Traceback" not in err


def test_plan_option_must_name_a_folder(tmp_path, capsys):
    rc, out, err = _cli(["contract", "--plan", str(tmp_path / "ingen")], capsys)
    assert rc == 2 and "planmappen" in err and "findes ikke" in err


def test_contract_of_another_plan_names_its_dates(tmp_path, capsys):
    d = _copy_default_plan(tmp_path, DATES)
    text = (d / "sources.yml").read_text(encoding="utf-8").replace("first_year: 2014", "first_year: 2019")
    (d / "sources.yml").write_text(text, encoding="utf-8")  # the plan's sources reach back to 2019/20
    rc, out, err = _cli(["contract", "--plan", str(d)], capsys)
    assert rc == 0, err
    assert "Hver dato skal ligge i 2019-02-01 til 2026-01-31 (basisårene 2019/20-2021/22 og planens år " \
           "2022/23-2025/26)." in out


# ----------------------------------------------------------------------------- outputs per plan

def test_reports_of_another_plan_go_to_their_own_folder(tmp_path, monkeypatch):
    from helhedsplan_eval.run.command import default_out_root

    assert default_out_root() == ROOT / "outputs"  # the default plan keeps its paths
    d = _copy_default_plan(tmp_path, DATES)
    doc = yaml.safe_load((d / "plan.yml").read_text(encoding="utf-8"))
    doc["plan"]["id"] = "anden-plan"
    (d / "plan.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(PLAN_ENV, str(d))
    assert default_out_root() == ROOT / "outputs" / "anden-plan"


def test_a_plan_id_must_be_a_folder_name(tmp_path):
    problems = plan_problems(_plan(tmp_path, DATES, extra_plan={"id": "../Min plan"}))
    assert any(p.startswith("plan.yml: plan.id er '../Min plan', men skal være et kort navn") for p in problems)


def test_the_years_index_lists_the_other_plans(tmp_path):
    import json

    from helhedsplan_eval.report.history import YEARS_MARKER, years_index_html

    other = tmp_path / "anden-plan"
    (other / "2023").mkdir(parents=True)
    (other / "2022").mkdir(parents=True)
    (other / "index.html").write_text(f"<body {YEARS_MARKER}>", encoding="utf-8")
    for y in ("2022", "2023"):
        (other / y / "provenance.json").write_text(json.dumps({"plan": {"title": "Helhedsplan Eksempel 2022/23–2025/26"}}),
                                                   encoding="utf-8")
    (tmp_path / "ikke-en-plan").mkdir()  # a folder without a years index is not listed
    page = years_index_html(tmp_path, plan_dir=ROOT / "params")
    assert "<h2>Andre helhedsplaner</h2>" in page
    assert '<a href="anden-plan/index.html">Helhedsplan Eksempel 2022/23–2025/26</a>: evalueringsår 2023, 2022' in page
    assert "ikke-en-plan" not in page
    assert "Andre helhedsplaner" not in years_index_html(tmp_path / "ikke-en-plan", plan_dir=ROOT / "params")


# ----------------------------------------------------------------------------- areas from the plan

def _regroup(tmp_path: Path, groups: dict[str, list[str]]) -> Path:
    """A copy of the default plan whose area-level criteria are regrouped: ``groups`` maps a new area id to the
    prefixes of the criteria it takes (activities move with the area whose criteria name them)."""
    d = _copy_default_plan(tmp_path, {"start": 2017, "end": 2020})
    plan = yaml.safe_load((d / "plan.yml").read_text(encoding="utf-8"))
    crits = yaml.safe_load((d / "criteria.yml").read_text(encoding="utf-8"))
    old = {a["id"]: a for a in plan["areas"]}
    new_areas, where = [], {}
    for n, (aid, prefixes) in enumerate(groups.items(), start=1):
        acts = [act for a in old.values() for act in a["activities"] if any(p == a["prefix"] for p in prefixes)]
        new_areas.append({"id": aid, "prefix": f"O{n}", "name": f"Område {n}", "section": f"{n}",
                          "purpose": "Formål.", "objectives": ["Mål"], "budget": {"total": 1}, "activities": acts})
        for p in prefixes:
            where[p] = aid
    plan["areas"] = new_areas
    for c in crits["criteria"]:
        prefix = c["id"].split("-")[0]
        target = where.get(prefix)
        if target is None:  # a prefix split over two areas: "TT:area" entries pick area-level or activity criteria
            target = where[f"{prefix}:{'area' if c.get('activity') is None else 'activity'}"]
        c["area"] = target
    for a in new_areas:  # activities of a split prefix go with the activity criteria
        for p, aid in where.items():
            if p.endswith(":activity") and aid == a["id"]:
                a["activities"] = old[next(k for k, v in old.items() if v["prefix"] == p.split(":")[0])]["activities"]
    (d / "plan.yml").write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (d / "criteria.yml").write_text(yaml.safe_dump(crits, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return d


@pytest.mark.parametrize("groups, pages", [
    ({"eneste": ["TT", "KP", "FF"]}, ["eneste"]),
    ({"a1": ["TT:area"], "a2": ["TT:activity"], "a3": ["KP:area"], "a4": ["KP:activity"], "a5": ["FF"]},
     ["a1", "a2", "a3", "a4", "a5"]),
], ids=["one_area", "five_areas"])
def test_a_plan_with_one_or_five_areas_gets_one_page_per_area(tmp_path, capsys, groups, pages):
    from helhedsplan_eval.report.board import AreaReport
    from helhedsplan_eval.run.notebook_list import load_notebooks

    d = _regroup(tmp_path, groups)
    cat = load_catalogue(d)
    assert list(cat.areas) == pages and len(cat.criteria) == 43
    specs = load_notebooks(d)
    assert [s.stem for s in specs] == ["oversigt", "udvikling", *pages, "fit_collateral", "faellesskabsundersoegelse"]
    assert [s.title for s in specs if s.source] == [f"Område {n}" for n in range(1, len(pages) + 1)]
    rc, out, err = _cli(["status", "--plan", str(d), "--year", "2020"], capsys)
    assert rc == 0, err
    assert out.count("\n") > 43
    tiny = ROOT / "tests" / "fixtures" / "tiny"
    for area in pages:
        r = AreaReport(area, 2020, tiny, catalogue=cat)
        assert {c.area for c in r.criteria} == {area} and r.criteria
        assert f"# {cat.areas[area].name}" in r.title().text
        assert r.summary_html().count("<tr") >= len(r.criteria)


def test_fit_and_survey_pages_exist_only_where_the_plan_has_such_criteria(tmp_path):
    from helhedsplan_eval.run.notebook_list import load_notebooks

    stems = [s.stem for s in load_notebooks(ROOT / "params")]
    assert "fit_collateral" in stems and "faellesskabsundersoegelse" in stems
    d = _copy_default_plan(tmp_path, {"start": 2017, "end": 2020})
    crits = yaml.safe_load((d / "criteria.yml").read_text(encoding="utf-8"))
    fit = {c["id"] for c in crits["criteria"] if str(c.get("indicator", "")).startswith("fit_")}
    assert fit  # the default plan has FIT criteria
    crits["criteria"] = [c for c in crits["criteria"] if c["id"] not in fit and c.get("linked_to") not in fit]
    (d / "criteria.yml").write_text(yaml.safe_dump(crits, allow_unicode=True, sort_keys=False), encoding="utf-8")
    stems = [s.stem for s in load_notebooks(d)]
    assert "fit_collateral" not in stems and "faellesskabsundersoegelse" in stems
    crits["criteria"] = [c for c in crits["criteria"] if c.get("indicator") != "faellesskab_index"]
    (d / "criteria.yml").write_text(yaml.safe_dump(crits, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [s.stem for s in load_notebooks(d)] == ["oversigt", "udvikling", "tryghed_og_trivsel",
                                                   "kriminalpraeventiv_indsats", "forebyggelse_og_foraeldreansvar"]


def test_an_out_folder_given_for_another_plan_gets_the_plans_own_subfolder(tmp_path, monkeypatch):
    from helhedsplan_eval.run.command import default_out_root

    assert default_out_root(str(tmp_path)) == tmp_path
    monkeypatch.setenv(PLAN_ENV, str(ROOT / "plans" / "eksempel-2022-2026"))
    assert default_out_root(str(tmp_path)) == tmp_path / "eksempel-2022-2026"
    assert default_out_root() == ROOT / "outputs" / "eksempel-2022-2026"
