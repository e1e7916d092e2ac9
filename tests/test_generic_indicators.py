"""Issue 20: the configurations that gave a silent 0 are catalogue errors, and the generic indicators
parameterised in criteria.yml (helhedsplan_eval/analysis/indicators/generic.py).

The records are built by hand below; every expected figure is counted from them by hand (see the comments).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helhedsplan_eval.analysis import all_indicators  # noqa: F401  (registers every indicator)
from helhedsplan_eval.analysis.indicators import generic as G
from helhedsplan_eval.analysis.indicators import leisure_jobs_established
from helhedsplan_eval.catalogue.criteria import CatalogueError, load_catalogue
from helhedsplan_eval.data import contract
from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.data.sources import SOURCES, Col, Source

ROOT = Path(__file__).resolve().parent.parent
D = dt.date
YEARS = [2016, 2017, 2018, 2019, 2020]

PLAN = {"plan": {"period": {"start": 2017, "end": 2020}},
        "areas": [{"id": "a1", "prefix": "A", "name": "Område",
                   "activities": [{"id": "x", "name": "X"}, {"id": "jobcafe", "name": "Jobcafé"}]}],
        "register_measures": [{"id": "sigtede_10_17", "name": "Sigtede", "unit": "pct", "direction": "down"}]}


def _crit(cid="A-1", **kw):
    d = dict(id=cid, area="a1", activity=None, text="Tekst", source="Kilde", indicator="micro_businesses",
             unit="count", direction="up", kind="annual_minimum", params={"target": 1})
    d.update(kw)
    return d


def _load(tmp_path, criteria, plan=PLAN):
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    (tmp_path / "criteria.yml").write_text(yaml.safe_dump({"criteria": criteria}, allow_unicode=True),
                                           encoding="utf-8")
    return load_catalogue(tmp_path)


def _problems(tmp_path, criteria, plan=PLAN) -> str:
    with pytest.raises(CatalogueError) as e:
        _load(tmp_path, criteria, plan)
    return "\n".join(e.value.problems)


# ============================================================================ 1. no silent 0

def test_activity_code_the_contract_refuses_is_a_catalogue_error(tmp_path):
    # 'jobcafe' is an activity of plan.yml (so criterion.activity accepts it) but not a contract activity code:
    # the validator refuses such rows, so activity_events would count 0 ("Ikke opfyldt, 0")
    msg = _problems(tmp_path, [_crit(activity="jobcafe", indicator="activity_events",
                                     indicator_args={"activity": "jobcafe"})])
    assert "criteria.yml, A-1" in msg and "indicator_args.activity er 'jobcafe'" in msg
    assert "logbook_events" in msg and "'aabne_tilbud'" in msg and "'foraeldrecafe'" in msg
    for name in ("unique_participants", "mean_headcount"):
        assert "'jobcafe'" in _problems(tmp_path, [_crit(indicator=name, indicator_args={"activity": "jobcafe"})])
    assert "'jobcafe'" in _problems(tmp_path, [_crit(indicator="regular_share",
                                                     indicator_args={"activity": "jobcafe", "more_than": 2})])


def test_roles_and_activities_lists_are_checked(tmp_path):
    msg = _problems(tmp_path, [_crit(indicator="active_parents",
                                     indicator_args={"roles": ["forælder", "far"], "activities": ["jobcafe"],
                                                     "alternative_roles": {"med mødre": ["mor"]}})])
    for v in ("'far'", "'jobcafe'", "'mor'"):
        assert v in msg
    assert "'forælder'" in msg  # named among the allowed values, not as a problem
    assert msg.count("\n") == 2  # three problems, all at once


def test_register_measure_must_be_declared_in_plan(tmp_path):
    # refused while plan.yml does not declare it ...
    msg = _problems(tmp_path, [_crit(indicator="register_measure", unit="pct",
                                     indicator_args={"measure": "beskaeftigede_18_64"})])
    assert "indicator_args.measure er 'beskaeftigede_18_64'" in msg and "kun 'sigtede_10_17'" in msg
    # ... accepted once it does: plan.yml's register_measures is what the register file accepts
    plan = dict(PLAN, register_measures=PLAN["register_measures"] + [
        {"id": "beskaeftigede_18_64", "name": "Andel 18-64-årige i beskæftigelse", "unit": "pct", "direction": "up"}])
    cat = _load(tmp_path, [_crit(indicator="register_measure", unit="pct",
                                 indicator_args={"measure": "beskaeftigede_18_64"})], plan)
    assert cat.criteria["A-1"].indicator_args == {"measure": "beskaeftigede_18_64"}


def test_contract_register_file_accepts_the_plans_measures(tmp_path, monkeypatch):
    src = SOURCES["register_measures"]
    # the project's plan: the contract's measures are plan.yml's ids
    ids = tuple(m["id"] for m in load_catalogue().register_measures)
    assert contract.with_dynamic_columns(src).col("measure").allowed == ids
    # a plan that declares a new measure: its rows validate; an undeclared one is refused with the allowed list
    monkeypatch.setattr(contract, "plan_register_measures", lambda: ("beskaeftigede_18_64",))
    f = tmp_path / "register_measures.csv"
    f.write_text("year,measure,population,value_pct\n2018,beskaeftigede_18_64,område,51.5\n"
                 "2018,sigtede_10_17,område,2.0\n", encoding="utf-8")
    df, issues = contract.read_source(f, src)
    errors = [i for i in issues if i.severity == contract.ERROR]
    assert len(errors) == 1 and errors[0].row == 3 and "'beskaeftigede_18_64'" in errors[0].message


def test_bkf_measure_checked(tmp_path):
    msg = _problems(tmp_path, [_crit(indicator="bkf_measure", indicator_args={"measure": "tandlæge"})])
    assert "'tandlæge'" in msg and "'dubu', 'tandpleje'" in msg


def _jobs(n_by: dict) -> DataBundle:
    rows, k = [], 0
    for who, n in n_by.items():
        for i in range(n):
            k += 1
            rows.append({"job_id": f"J{k}", "established_date": D(2018, 1 + i % 12, 1), "type": "fritidsjob",
                         "established_by": who})
    return DataBundle.from_frames({"leisure_jobs": pd.DataFrame(rows)})


def test_jobs_filter_is_an_argument_checked_against_the_contract(tmp_path):
    # 28 jobs set up by the youth mentor: the volunteer filter hidden inside the indicator gave 0; the filter is now
    # an argument, so the criterion says which jobs it counts and the records' 28 are counted
    b = _jobs({"ungementor": 28, "frivillig": 3})
    assert leisure_jobs_established(b, [2018], established_by="ungementor").value(2018) == 28
    assert leisure_jobs_established(b, [2018]).value(2018) == 3  # the default reading (Høje Gladsaxe): volunteers
    assert leisure_jobs_established(b, [2018], established_by=["frivillig", "ungementor"]).value(2018) == 31
    msg = _problems(tmp_path, [_crit(indicator="leisure_jobs_established",
                                     indicator_args={"established_by": "frivillige"})])
    assert "indicator_args.established_by er 'frivillige'" in msg and "'frivillig', 'ungementor', 'andet'" in msg


def test_a_default_filter_the_contract_does_not_allow_is_refused(tmp_path, monkeypatch):
    # a contract whose code for volunteers is 'frivillige': the indicator's default would select nothing
    from dataclasses import replace

    src = SOURCES["leisure_jobs"]
    cols = tuple(replace(c, allowed=("frivillige", "ungementor")) if c.name == "established_by" else c
                 for c in src.columns)
    monkeypatch.setitem(SOURCES, "leisure_jobs", replace(src, columns=cols))
    msg = _problems(tmp_path, [_crit(indicator="leisure_jobs_established")])
    assert "vælger established_by = 'frivillig' (standardværdien af established_by)" in msg
    assert "'frivillige', 'ungementor'" in msg


def _literal_filters(path: Path):
    """(column, literal) of every ``x["col"] == "lit"`` / ``!=`` / ``x["col"].isin((lits))`` in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    consts = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name)}

    def col_of(node):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            return node.slice.value
        return None

    def lits(node):
        node = consts.get(node.id, node) if isinstance(node, ast.Name) else node
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, (ast.Tuple, ast.List)):
            return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return []

    for n in ast.walk(tree):
        if isinstance(n, ast.Compare) and col_of(n.left) and isinstance(n.ops[0], (ast.Eq, ast.NotEq)):
            yield from ((col_of(n.left), v) for v in lits(n.comparators[0]))
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "isin"
                and col_of(n.func.value) and n.args):
            yield from ((col_of(n.func.value), v) for v in lits(n.args[0]))


def test_no_indicator_compares_a_column_with_a_value_the_contract_refuses():
    # the class of the jobs case: a value hard-coded in an indicator that no source lets through would count 0
    allowed: dict[str, set] = {}
    for src in SOURCES.values():
        for c in contract.with_dynamic_columns(src).columns:
            if c.allowed is not None:
                allowed.setdefault(c.name, set()).update(c.allowed)
    found, bad = 0, []
    for path in sorted((ROOT / "helhedsplan_eval/analysis/indicators").glob("*.py")):
        for col, v in _literal_filters(path):
            if col in allowed:
                found += 1
                if v not in allowed[col]:
                    bad.append((path.name, col, v))
    assert found >= 10 and not bad, bad


def test_generic_arguments_checked_against_the_contract(tmp_path):
    crit = _crit(indicator="records_per_year", indicator_args={
        "source": "logbook_events", "filters": {"activity": ["jobcafe", "foraeldrecafe"], "resident_run": "ja",
                                                "colour": "rød", "headcount": "mange"}})
    msg = _problems(tmp_path, [crit])
    assert "indicator_args.filters.activity er 'jobcafe'" in msg and "'aabne_tilbud'" in msg
    assert "indicator_args.filters.resident_run er 'ja'" in msg and "true eller false" in msg
    assert "ingen kolonne 'colour'" in msg and "indicator_args.filters.headcount er 'mange'" in msg
    assert "'foraeldrecafe'" not in msg.split("filters.activity er 'jobcafe'")[0]
    msg = _problems(tmp_path, [_crit(indicator="persons_per_year",
                                     indicator_args={"source": "logbook_attendance", "person": "role"})])
    assert "indicator_args.person er 'role'" in msg and "person_id, household_id" in msg
    msg = _problems(tmp_path, [_crit(indicator="column_sum", indicator_args={"source": "jobcentret",
                                                                             "column": "x"})])
    assert "indicator_args.source er 'jobcentret'" in msg and "logbook_events" in msg
    msg = _problems(tmp_path, [_crit(indicator="column_sum", indicator_args={"source": "leisure_jobs",
                                                                             "column": "type"})])
    assert "indicator_args.column er 'type', men skal være en talkolonne" in msg
    msg = _problems(tmp_path, [_crit(indicator="spells_lasting", indicator_args={
        "source": "volunteers", "start": "start_date", "end": "end_date"})])
    assert "præcis én af indicator_args.min_days og indicator_args.min_months" in msg
    ok = _load(tmp_path, [_crit(indicator="records_per_year", indicator_args={
        "source": "logbook_events", "filters": {"activity": "foraeldrecafe", "resident_run": True}})])
    assert ok.criteria["A-1"].indicator == "records_per_year"


# ============================================================================ 2. generic indicators

VISITS = Source("test_visits", "Testbesøg", "hand-built", (
    Col("date", "date", "d"), Col("person_id", "str", "p", pseudonym=True),
    Col("afdeling", "str", "a", allowed=("A", "B", "C")), Col("kind", "str", "k", allowed=("café", "lektier")),
    Col("minutes", "float", "m")), date_column="date")
SPELLS = Source("test_spells", "Testforløb", "hand-built", (
    Col("person_id", "str", "p", pseudonym=True), Col("start", "date", "s"), Col("end", "date", "e", nullable=True),
    Col("afdeling", "str", "a", allowed=("A", "B"))), date_column="start")

# person, afdeling, kind, date, minutes: 2017 4 records (p1 three times), 2018 3, none in 2019, 2020 1
VISIT_ROWS = [("p1", "A", "café", D(2017, 1, 10), 30), ("p1", "A", "café", D(2017, 2, 10), 60),
              ("p1", "A", "lektier", D(2017, 3, 1), 90), ("p2", "B", "café", D(2017, 5, 5), 20),
              ("p2", "B", "café", D(2018, 1, 1), 40), ("p3", "A", "café", D(2018, 2, 2), 10),
              ("p3", "A", "café", D(2018, 3, 3), 50), ("p4", "B", "lektier", D(2020, 6, 1), 100)]
# s1 26 days; s2 open from 20.11.2017 (2 months on 20.1.2018); s3 1.3.-1.5.2018 (2 months on 1.5.2018);
# s4 1.12.2019-15.1.2020 (46 days, 2 months only on 1.2.2020)
SPELL_ROWS = [("s1", D(2017, 1, 15), D(2017, 2, 10), "A"), ("s2", D(2017, 11, 20), None, "A"),
              ("s3", D(2018, 3, 1), D(2018, 5, 1), "B"), ("s4", D(2019, 12, 1), D(2020, 1, 15), "B")]


@pytest.fixture()
def bundle(monkeypatch):
    monkeypatch.setitem(SOURCES, "test_visits", VISITS)
    monkeypatch.setitem(SOURCES, "test_spells", SPELLS)
    visits = pd.DataFrame(VISIT_ROWS, columns=["person_id", "afdeling", "kind", "date", "minutes"], dtype=object)
    spells = pd.DataFrame(SPELL_ROWS, columns=["person_id", "start", "end", "afdeling"], dtype=object)
    spells["end"] = spells["end"].astype(object).where(spells["end"].notna(), None)
    return DataBundle.from_frames({"test_visits": visits, "test_spells": spells})


def vals(s, col="value", years=YEARS):
    return [None if s._get(y, col) is None else round(s._get(y, col), 4) for y in years]


def test_records_per_year_with_filters_and_missing_years(bundle):
    s = G.records_per_year(bundle, YEARS, "test_visits")
    # 2016 lies before the first record and the plan: missing; 2019 lies between records: a real 0
    assert vals(s) == [None, 4, 3, 0, 1]
    assert vals(s, "records") == [0, 4, 3, 0, 1]
    assert vals(G.records_per_year(bundle, YEARS, "test_visits", filters={"kind": "café"})) == [None, 3, 3, 0, 0]
    assert vals(G.records_per_year(bundle, YEARS, "test_visits", filters={"kind": ["café", "lektier"],
                                                                          "afdeling": "B"})) == [None, 1, 1, 0, 1]
    # the engine asks for 2021, after the last record: missing, never 0
    s = G.records_per_year(bundle, YEARS + [2021], "test_visits")
    assert s.value(2021) is None and any("2021" in n for n in s.notes)
    assert G.records_per_year(DataBundle.from_frames({}), YEARS, "test_visits").source_missing


def test_persons_per_year_and_cumulative(bundle):
    assert vals(G.persons_per_year(bundle, YEARS, "test_visits", "person_id")) == [None, 2, 2, 0, 1]
    s = G.persons_cumulative(bundle, YEARS, "test_visits", "person_id")
    assert vals(s) == [None, 2, 3, 3, 4]  # p1 p2 | p3 | - | p4
    assert vals(s, "new") == [None, 2, 1, 0, 1]
    assert vals(G.persons_cumulative(bundle, YEARS, "test_visits", "person_id", since=2018)) == [None, None, 2, 2, 3]


def test_frequent_persons_count_and_share(bundle):
    # more than 1 visit: 2017 p1 (3 visits; p2 1), 2018 p3 (2; p2 1), 2020 p4 has 1
    assert vals(G.frequent_persons(bundle, YEARS, "test_visits", "person_id", 1)) == [None, 1, 1, 0, 0]
    s = G.frequent_persons(bundle, YEARS, "test_visits", "person_id", 1, share=True)
    assert vals(s) == [None, 50.0, 50.0, None, 0.0]  # 2019: nobody came, so no share (not 0 %)
    assert vals(s, "denominator") == [None, 2, 2, 0, 1]


def test_records_share_rows_and_persons(bundle):
    s = G.records_share(bundle, YEARS, "test_visits", numerator={"kind": "lektier"})
    assert vals(s) == [None, 25.0, 0.0, None, 100.0]  # 1 of 4, 0 of 3, none, 1 of 1
    assert vals(s, "numerator") == [None, 1, 0, 0, 1]
    s = G.records_share(bundle, YEARS, "test_visits", numerator={"kind": "lektier"}, person="person_id")
    assert vals(s) == [None, 50.0, 0.0, None, 100.0]  # 2017: p1 of p1, p2
    s = G.records_share(bundle, YEARS, "test_visits", numerator={"kind": "lektier"}, denominator={"afdeling": "A"})
    assert vals(s) == [None, round(100 / 3, 4), 0.0, None, None]  # 2017: 1 of A's 3; 2020: no A records


def test_column_sum_and_mean(bundle):
    assert vals(G.column_sum(bundle, YEARS, "test_visits", "minutes")) == [None, 200, 100, 0, 100]
    s = G.column_mean(bundle, YEARS, "test_visits", "minutes")
    assert vals(s) == [None, 50.0, round(100 / 3, 4), None, 100.0]  # 2019: no records, no mean
    assert vals(s, "n") == [None, 4, 3, 0, 1]


def test_spells_lasting(bundle):
    s = G.spells_lasting(bundle, YEARS, "test_spells", start="start", end="end", min_months=2)
    assert vals(s) == [None, 0, 2, 0, 0]  # s2 and s3 reach two months in 2018; s4 ends before
    assert vals(s, "records") == [0, 2, 2, 2, 2]  # active spells: s1 s2 | s2 s3 | s2 s4 | s2 s4
    s = G.spells_lasting(bundle, YEARS, "test_spells", start="start", end="end", min_months=2, cumulative=True)
    assert vals(s) == [None, 0, 2, 2, 2] and vals(s, "new") == [None, 0, 2, 0, 0]
    s = G.spells_lasting(bundle, YEARS, "test_spells", start="start", end="end", min_days=30)
    assert vals(s) == [None, 1, 1, 1, 0]  # s2 on 20.12.2017, s3 on 31.3.2018, s4 on 31.12.2019
    # the register covers 2021 only while a spell is active: s2 is open, so 2021 is covered
    assert G.spells_lasting(bundle, YEARS + [2021], "test_spells", start="start", end="end",
                            min_days=30).value(2021) == 0


def test_per_afdeling(bundle):
    s = G.records_per_year(bundle, YEARS, "test_visits", by="afdeling")
    assert s.extra["by_column"] == "afdeling" and list(s.extra["by"]) == ["A", "B", "C"]
    assert vals(s.extra["by"]["A"]) == [None, 3, 2, 0, 0]
    assert vals(s.extra["by"]["B"]) == [None, 1, 1, 0, 1]
    assert vals(s.extra["by"]["C"]) == [None, 0, 0, 0, 0]  # no records in covered years: a real 0
    assert vals(s) == [None, 4, 3, 0, 1]
    s = G.persons_per_year(bundle, YEARS, "test_visits", "person_id", by="afdeling")
    assert vals(s.extra["by"]["A"]) == [None, 1, 1, 0, 0]
    s = G.spells_lasting(bundle, YEARS, "test_spells", start="start", end="end", min_days=30, by="afdeling")
    assert vals(s.extra["by"]["A"]) == [None, 1, 0, 0, 0] and vals(s.extra["by"]["B"]) == [None, 0, 1, 1, 0]


def test_generic_indicator_from_the_catalogue_equals_the_coded_one(tmp_path):
    # a criterion written only in YAML counts what the coded indicator counts, on the project's sample data
    from helhedsplan_eval.analysis.evaluate import compute_series

    cat = _load(tmp_path, [_crit(indicator="records_per_year", indicator_args={
        "source": "leisure_jobs", "filters": {"established_by": "frivillig"}})])
    b = contract.load_bundle(ROOT / "data/sample")
    generic = compute_series(cat.criteria["A-1"], b, 2020)
    coded = leisure_jobs_established(b, list(range(2014, 2021)))
    assert generic.data["value"].tolist()[3:] == coded.data["value"].tolist()[3:] == [16.0, 21.0, 24.0, 12.0]


def test_readme_examples_of_the_generic_indicators_pass_the_check():
    from helhedsplan_eval.analysis.registry import INDICATOR_CHECKS

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("### Generic indicators (no code)")[1].split("```yaml")[1].split("```")[0]
    pairs = re.findall(r"indicator: (\w+).*\nindicator_args: (\{.*\})", block)
    assert {name for name, _ in pairs} >= {"records_per_year", "persons_per_year", "persons_cumulative",
                                           "frequent_persons", "records_share", "column_sum", "spells_lasting"}
    for name, args in pairs:
        args = yaml.safe_load(args)
        if args["source"] == "my_source":  # the per-afdeling example names a source of another plan
            continue
        assert INDICATOR_CHECKS[name](args, None) == [], (name, args)


def test_data_quality_of_a_generic_criterions_source_reaches_its_criterion(tmp_path):
    # a generic indicator is registered without sources: the source its arguments name is the one it reads
    from helhedsplan_eval.analysis.evaluate import evaluate_year
    from helhedsplan_eval.analysis.registry import sources_of
    from helhedsplan_eval.data.issues import Issue

    assert sources_of("records_per_year", {"source": "leisure_jobs"}) == ("leisure_jobs",)
    assert sources_of("register_measure", {"measure": "x"}) == ("register_measures",)
    cat = _load(tmp_path, [_crit(indicator="records_per_year", indicator_args={"source": "leisure_jobs"})])
    b = _jobs({"frivillig": 6})
    b.issues = [Issue(contract.WARNING, "leisure_jobs", "leisure_jobs.csv", "ukendt kolonne 'x' ignoreres", 1, "x",
                      category="ukendt kolonne ignoreres")]
    res = evaluate_year(2018, b, cat)
    assert res.evaluation("A-1").value == 6
    assert any("leisure_jobs" in w or "ukendt kolonne" in w for w in res.warnings_for(cat.criteria["A-1"]))


def test_contract_document_and_templates_list_the_plans_measures(tmp_path, monkeypatch):
    from helhedsplan_eval.data.contract_doc import contract_markdown
    from helhedsplan_eval.data.templates import write_templates

    monkeypatch.setattr(contract, "plan_register_measures", lambda: ("beskaeftigede_18_64", "sigtede_10_17"))
    doc = contract_markdown()
    assert "beskaeftigede_18_64, sigtede_10_17" in doc
    write_templates(tmp_path)
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "xlsx" / "register_measures.xlsx")
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("beskaeftigede_18_64" in c for c in cells)


def test_a_filter_that_selects_nothing_says_so(bundle):
    # 2020 has one record (p4, lektier): the café filter selects none of it, and the series says why it is 0
    s = G.records_per_year(bundle, YEARS, "test_visits", filters={"kind": "café"})
    assert s.value(2020) == 0
    assert any("Filtret (kind = café) vælger ingen af kildens registreringer i 2020" in n for n in s.notes)
    # 2019 has no records at all: a 0 of the source, not of the filter (covered between records), no such note
    assert not any("2019" in n for n in s.notes)
    assert not G.records_per_year(bundle, YEARS, "test_visits").notes
