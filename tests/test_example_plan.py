"""The bundled second plan (issue 19): a synthetic plan of the 2019-26 model in plans/eksempel-2022-2026, with
plan years from 1 February and its own sample data. Its annual report runs in CI beside the default plan's
(dev.py test); these tests check its configuration, its sample and its status table."""

from __future__ import annotations

import csv
import filecmp
import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from helhedsplan_eval.catalogue.criteria import load_catalogue, plan_problems
from helhedsplan_eval.catalogue.period import plan_period

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "eksempel-2022-2026"
DATA = ROOT / "data" / "sample-eksempel-2022-2026"


@pytest.fixture(autouse=True, scope="module")
def _the_example_plan_is_active():
    """The example plan is the active plan (its sources.yml declares sources its criteria read) for this module
    only; the plan that was active before is restored afterwards."""
    from helhedsplan_eval.data.sources import load_plan_sources
    from helhedsplan_eval.paths import PLAN_ENV

    before = os.environ.get(PLAN_ENV)
    os.environ[PLAN_ENV] = str(PLAN)
    load_plan_sources()
    yield
    if before is None:
        os.environ.pop(PLAN_ENV, None)
    else:
        os.environ[PLAN_ENV] = before
    load_plan_sources()


def _cli(argv, capsys):
    from helhedsplan_eval.cli import main

    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_the_example_plan_is_the_2019_26_model_with_plan_years_from_february():
    assert plan_problems(PLAN) == []
    cat = load_catalogue(PLAN)
    assert [a.name for a in cat.areas.values()] == ["Uddannelse og livschancer", "Beskæftigelse",
                                                    "Kriminalitetsforebyggelse", "Sammenhængskraft og medborgerskab"]
    assert len(cat.criteria) == 22  # the 15 of the older kinds, and issue 20's seven (UL-5, KF-5, SM-4 - SM-8)
    p = plan_period(PLAN)
    assert [p.label(y) for y in p.years] == ["2022/23", "2023/24", "2024/25", "2025/26"]
    assert {(c.period_start, c.period_end) for c in cat.criteria.values()} <= {(2022, 2025), (2023, 2025)}


def test_its_sample_is_made_again_byte_for_byte(tmp_path, capsys):
    rc, out, err = _cli(["sample", "--plan", str(PLAN), str(tmp_path / "s")], capsys)
    assert rc == 0, err
    made = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert made == sorted(p.name for p in DATA.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(DATA, tmp_path / "s", made, shallow=False)
    assert not mismatch and not errors
    assert "synthetic: true" in (DATA / "manifest.yml").read_text(encoding="utf-8")
    # a date moved 61 months: the default sample's first event, 8 January 2017, is 8 February 2022
    assert "E00001,2022-02-08," in (DATA / "logbook_events.csv").read_text(encoding="utf-8")


def test_its_data_validate_and_its_status_table_names_it(capsys):
    rc, out, err = _cli(["validate", "--plan", str(PLAN), str(DATA)], capsys)
    assert rc == 0 and "0 fejl" in out
    rc, out, err = _cli(["status", "--plan", str(PLAN), "--year", "2025"], capsys)
    assert rc == 0, err
    assert "syntetiske eksempeldata - tallene siger intet om Eksempelparken" in out
    assert "Gladsaxe" not in out and "Afventer data" not in out
    rc, out, err = _cli(["status", "--plan", str(PLAN), "--year", "2020"], capsys)
    assert rc == 2 and "gyldige år er 2022-2025, planårene 2022/23–2025/26" in err


def test_its_configuration_names_no_word_of_the_default_plan():
    import re

    words = ("Høje", "Gladsaxe", "Vestegn", "3B")
    for f in sorted(PLAN.glob("*.yml")):
        text = f.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert not [w for w in words if re.search(rf"\b{w}\b", body)], f.name


# ============================================================================ issue 20: every new kind and source
# The expected values below are counted by hand from the sample's CSV rows with the csv module (no code of the
# package): a record's plan year is its calendar year, or the year before for a date in January (plan years run
# 1 February - 31 January).

NEW_KINDS = {"ratio_to_comparison", "two_tier", "hold_baseline", "count_units"}
SOURCE_KINDS = {"event", "spell", "person", "yearly", "yearly_population"}


@pytest.fixture(scope="module")
def year2025():
    """The example plan's 2025/26 evaluation on its sample."""
    from helhedsplan_eval.analysis import all_indicators  # noqa: F401  (registers every indicator)
    from helhedsplan_eval.analysis.evaluate import evaluate_year
    from helhedsplan_eval.data.contract import load_bundle

    return evaluate_year(2025, load_bundle(DATA), load_catalogue(PLAN))


def _rows(name):
    with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _plan_year(date: str) -> int:
    y, m = int(date[:4]), int(date[5:7])
    return y - 1 if m == 1 else y


def test_the_example_plan_uses_every_new_kind_every_kind_of_source_and_by_afdeling():
    from helhedsplan_eval.analysis import all_indicators  # noqa: F401
    from helhedsplan_eval.analysis.registry import sources_of
    from helhedsplan_eval.data.declared import load_declarations

    cat = load_catalogue(PLAN)
    assert NEW_KINDS <= {c.kind for c in cat.criteria.values()}
    decl = load_declarations(PLAN)
    used = {s for c in cat.criteria.values() for s in sources_of(c.indicator, c.indicator_args)}
    assert {decl.sources[s].kind for s in used if s in decl.sources} == SOURCE_KINDS
    generic = {c.indicator for c in cat.criteria.values()}
    assert {"records_per_year", "persons_per_year", "frequent_persons", "column_sum"} <= generic
    by = sorted(c.id for c in cat.criteria.values() if (c.indicator_args or {}).get("by") == "afdeling")
    assert by == ["SM-6", "SM-7", "SM-8"]


def test_hold_baseline_UL_5_by_hand(year2025):
    # persons with more than 10 visits in a plan year to the café for ungdomsuddannelser:
    # 2022/23: 9, 2023/24: 7, 2024/25: 11, 2025/26: 5 (awk/csv count of homework_cafe_visits.csv).
    # Period 2023-2025: mean (7 + 11 + 5) / 3 = 23 / 3 = 7,67 < 9 (the 2022/23 level to hold) -> Ikke opfyldt.
    visits = Counter((_plan_year(r["date"]), r["person_id"]) for r in _rows("homework_cafe_visits")
                     if r["cafe"] == "ungdomsuddannelse")
    frequent = Counter(y for (y, _), n in visits.items() if n > 10)
    assert {y: frequent[y] for y in (2022, 2023, 2024, 2025)} == {2022: 9, 2023: 7, 2024: 11, 2025: 5}
    ev = year2025.evaluation("UL-5")
    assert ev.figures == {2022: 9, 2023: 7, 2024: 11, 2025: 5}
    assert ev.value == pytest.approx(23 / 3) and ev.status == "Ikke opfyldt"
    assert ev.target_text.startswith("mindst 9")


def test_ratio_to_comparison_KF_5_by_hand(year2025):
    # register_measures.csv, sigtede_10_17, 2025: område 2,0 % (9 of 460), kommune 0,9 %: 2,0 / 0,9 = 2,222 <= 2,5
    # -> Opfyldt in the period's last year. Wilson 9/460 (p = 0,01957, z² = 3,8415): centre (0,01957 + 0,004175) /
    # 1,008351 = 0,023546, half 1,96 · sqrt(0,01957 · 0,98043 / 460 + 3,8415 / 846400) / 1,008351 = 0,013220:
    # 1,033 % - 3,677 %, ÷ 0,9 = 1,147 - 4,085 gange, which straddles 2,5: uncertain.
    rows = {r["population"]: float(r["value_pct"]) for r in _rows("register_measures")
            if r["measure"] == "sigtede_10_17" and r["year"] == "2025"}
    assert rows == {"område": 2.0, "kommune": 0.9}
    ev = year2025.evaluation("KF-5")
    assert ev.status == "Opfyldt" and ev.value == pytest.approx(2.0 / 0.9)
    assert ev.interval == (pytest.approx(1.1474, abs=1e-3), pytest.approx(4.0846, abs=1e-3))
    assert "2,22 gange så højt, mod kravet om højst 2,50 gange" in ev.explanation
    assert "omfatter grænsen" in ev.explanation


def test_two_tier_SM_4_by_hand(year2025):
    # inspector_complaints.csv, category utryghedsskabende, per plan year: 2022/23: 21, 2023/24: 18, 2024/25: 19,
    # 2025/26: 16. Mean 2023-2025 = 53 / 3 = 17,67 <= 21 (the minimum: not higher than 2022/23) -> Opfyldt; the
    # ambition 10 % lower is 21 · 0,9 = 18,9, and 17,67 <= 18,9: reached.
    n = Counter(_plan_year(r["date"]) for r in _rows("inspector_complaints") if r["category"] == "utryghedsskabende")
    assert [n[y] for y in (2022, 2023, 2024, 2025)] == [21, 18, 19, 16]
    ev = year2025.evaluation("SM-4")
    assert ev.status == "Opfyldt" and ev.value == pytest.approx(53 / 3)
    assert ev.explanation.replace("\u00a0", " ").startswith("Opfyldt – målet om 10 % lavere er nået.")
    assert "helst højst 18,9" in ev.target_text


# afdeling_registreringer.csv (generic synthetic rows) per plan year and afdeling: udsættelser (U), husordenssager
# (H) and households moving out (F); an afdeling meets SM-6/7/8 with 2 or more of U/H/F:
#            Afd. 1        Afd. 2        Afd. 3        Afd. 4       afdelinger meeting 2 or more
# 2022/23   U2 H1 F1 -1   U1 H0 F0 -0   U0 H1 F1 -0   U1 H1 F2 -1   0
# 2023/24   U1 H1 F2 -1   U1 H0 F1 -0   U3 H1 F0 -1   U1 H1 F1 -0   0
# 2024/25   U2 H1 F0 -1   U1 H1 F1 -0   U0 H3 F0 -1   U3 H1 F0 -1   0
# 2025/26   U1 H0 F0 -0   U2 H1 F2 -2   U0 H2 F0 -1   U1 H0 F0 -0   1 (Afdeling 2)
# Totals over the afdelinger (the area-level series of SM-6/7/8): U 4, 6, 6, 4; H 3, 3, 6, 3; F 4, 4, 1, 2.
def test_count_units_SM_5_per_afdeling_by_hand(year2025):
    met = defaultdict(Counter)  # (year, afdeling) -> {criterion: count}
    homes = defaultdict(set)
    for r in _rows("afdeling_registreringer"):
        key = (_plan_year(r["date"]), r["afdeling"])
        if r["type"] == "fraflytning":
            homes[key].add(r["household_id"])
        else:
            met[key][r["type"]] += 1
    meeting = Counter()
    for y in (2022, 2023, 2024, 2025):
        for a in ("Afdeling 1", "Afdeling 2", "Afdeling 3", "Afdeling 4"):
            n = (met[y, a]["udsættelse"] >= 2) + (met[y, a]["husordenssag"] >= 2) + (len(homes[y, a]) >= 2)
            meeting[y] += n >= 2
    assert [meeting[y] for y in (2022, 2023, 2024, 2025)] == [0, 0, 0, 1]
    ev = year2025.evaluation("SM-5")
    assert ev.figures == {2022: 0, 2023: 0, 2024: 0, 2025: 1}
    assert ev.status == "Ikke opfyldt" and ev.value == 1  # the period's last year: final, 1 > 0
    assert "(enheder med mindst 2: Afdeling 2: 2)" in ev.explanation
    assert year2025.evaluation("SM-6").figures == {2022: 4, 2023: 6, 2024: 6, 2025: 4}
    assert year2025.evaluation("SM-7").figures == {2022: 3, 2023: 3, 2024: 6, 2025: 3}
    assert year2025.evaluation("SM-8").figures == {2022: 4, 2023: 4, 2024: 1, 2025: 2}


def test_the_board_sees_the_new_criteria_through_the_disclosure_layer(year2025):
    from helhedsplan_eval.analysis.evaluate import status_frame

    table = status_frame(year2025).set_index("Id")
    assert (table.loc["SM-5", "Status"], table.loc["SM-5", "Værdi"], table.loc["SM-5", "Mål"]) == \
        ("Ikke opfyldt", "1", "højst 0 enheder")
    assert table.loc["SM-8", "Værdi"] == "<5"  # 2 households: under min_cell 5
    assert not any("P00" in str(v) for v in table.to_numpy().ravel())  # no pseudonymous id reaches the board


def test_tables_and_charts_label_a_plan_year_by_the_plans_label(year2025):
    # plan years from 1 February: 2025 is "2025/26" in the board's table heading and on a chart's year axis
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helhedsplan_eval.report.board.charts import _year_ticks
    from helhedsplan_eval.report.board.tables import criteria_table_html

    crits = [year2025.catalogue.criteria["SM-4"]]
    html = criteria_table_html(year2025.catalogue, year2025, crits, 2025)
    assert "Status 2025/26" in html and "Status 2025<" not in html
    fig, ax = plt.subplots()
    _year_ticks(ax, 2021, 2025)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]
    plt.close(fig)


def test_the_activity_table_counts_events_by_plan_year(year2025):
    # logbook_events.csv, activity foraeldrecafe: events dated in January belong to the plan year before
    from helhedsplan_eval.data.contract import load_bundle
    from helhedsplan_eval.report.board.area import activity_summary

    n = Counter(_plan_year(r["date"]) for r in _rows("logbook_events") if r["activity"] == "foraeldrecafe")
    df = activity_summary(load_bundle(DATA), ["foraeldrecafe"], 2025)
    assert dict(zip(df["År"], df["Arrangementer"])) == {y: n[y] for y in (2022, 2023, 2024, 2025) if n[y]}
    assert year2025.evaluation("UL-4").figures[2025] == n[2025]  # the criterion counts the same plan year


# ============================================================================ issue 19: plan-year labels in sentences
# a four-digit year that is not the start of a "2025/26" label (nor part of a number such as 12.025)
BARE_YEAR = __import__("re").compile(r"(?<![\d/.,])(?:19|20)\d\d(?![\d/])")


def test_status_texts_name_a_plan_year_by_the_plans_label(year2025):
    from helhedsplan_eval.report.board.targets import goal_text

    cat = year2025.catalogue
    for cid, crit in cat.criteria.items():
        for ev in (year2025.evaluation(cid), year2025.board_evaluation(cid)):
            texts = (ev.explanation, ev.target_text, ev.remaining_text, ev.path_text,
                     goal_text(cat.resolve(crit), ev, 2025))
            assert not [t for t in texts if BARE_YEAR.search(t or "")], (cid, texts)
    # SM-5, by hand from the afdeling table above: in 2025/26 one afdeling (Afdeling 2) meets 2 of the 3 criteria
    assert year2025.evaluation("SM-5").explanation == ("I 2025/26 opfylder 1 enhed 2 eller flere af de 3 kriterier "
                                                      "(enheder med mindst 2: Afdeling 2: 2), mod grænsen på højst 0.")


# ============================================================================ issue 20: components of a count of units
COMPONENTS = ("SM-6", "SM-7", "SM-8")


def test_the_criteria_a_count_of_units_counts_read_indgaar_i_on_the_board(year2025):
    from helhedsplan_eval.analysis.evaluate import status_counts, status_frame
    from helhedsplan_eval.report.board.summary import board_summary

    cat = year2025.catalogue
    assert {c.id: c.component_of for c in cat.criteria.values() if c.component_of} == dict.fromkeys(COMPONENTS, "SM-5")
    table = status_frame(year2025).set_index("Id")
    assert [table.loc[c, "Status"] for c in COMPONENTS] == ["Indgår i SM-5"] * 3
    # the figures still pass the disclosure layer: the area's totals in 2025/26 are U 4, H 3, F 2 (table above)
    assert [table.loc[c, "Værdi"] for c in COMPONENTS] == ["4", "3", "<5"]
    assert "Opfyldt" not in " ".join(table.loc[c, "Forklaring"] for c in COMPONENTS)
    assert status_counts(year2025).loc["I alt", "Indgår i"] == 3  # a status of its own, not Opfyldt
    summary = board_summary(year2025)
    assert summary.counts["Indgår i"] == 3
    assert not {r.id for r in summary.attention} & set(COMPONENTS)
    # the count of units still judges each afdeling by the components' own statuses
    assert year2025.evaluation("SM-5").value == 1 and year2025.evaluation("SM-5").status == "Ikke opfyldt"


def test_component_of_names_a_count_of_units_that_lists_it(tmp_path):
    import shutil

    from helhedsplan_eval.catalogue.criteria import CatalogueError

    plan = tmp_path / "plan"
    shutil.copytree(PLAN, plan)
    f = plan / "criteria.yml"
    text = f.read_text(encoding="utf-8")
    head = "  area: sammenhaengskraft_og_medborgerskab\n"
    text = text.replace(f"- id: SM-6\n{head}  component_of: SM-5\n", f"- id: SM-6\n{head}  component_of: SM-4\n")
    text = text.replace(f"- id: SM-4\n{head}", f"- id: SM-4\n{head}  component_of: SM-5\n")
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        load_catalogue(plan)
    assert e.value.problems == [
        "criteria.yml, SM-4: component_of er 'SM-5', men SM-5 nævner ikke SM-4 i indicator_args.criteria",
        "criteria.yml, SM-6: component_of er 'SM-4', men skal være id'et på et kriterium med kind count_units"]


def test_the_safety_net_masks_a_small_count_quoted_after_a_plan_year_label():
    from helhedsplan_eval.report.disclosure import board_text

    assert board_text("det seneste år (2025/26: 3)") == "det seneste år (2025/26: <5)"
    assert board_text("det seneste år (2025/26: 12)") == "det seneste år (2025/26: 12)"


def test_the_front_page_counts_the_components_under_a_neutral_word(year2025):
    from helhedsplan_eval.analysis.evaluate import status_frame
    from helhedsplan_eval.run.publish import render_index
    from helhedsplan_eval.run.status import status_counts

    counts, uncertain = status_counts(status_frame(year2025))
    assert counts["Indgår i"] == 3
    html = render_index(2025, [], counts, uncertain, "2026-01-01 12:00")
    assert 'status-indgaar-i">Indgår i et andet kriterium</span></th><td class="count num">3</td>' in html
    assert "<h3>Status 2025/26</h3>" in html


def test_a_components_target_is_a_units_limit(year2025):
    from helhedsplan_eval.report.board.targets import goal_text

    ev = year2025.board_evaluation("SM-6")
    assert (ev.target_text, ev.path_text) == ("2 pr. afdeling", "2 pr. afdeling")
    assert goal_text(year2025.catalogue.criteria["SM-6"], ev, 2025) == "mindst 2 pr. afdeling om året"
