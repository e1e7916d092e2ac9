"""Sources declared in the plan's configuration (params/sources.yml): loading, checks, the generic sample."""

from __future__ import annotations

from helhedsplan_eval.data.declared import load_declarations
from helhedsplan_eval.data.source_types import Col
from helhedsplan_eval.paths import params_dir


def test_the_plan_folder_declares_the_sources_of_the_contract():
    """Golden: what params/sources.yml declared when it was generated from the former Python declarations (the
    comparison was exact, field by field, for all 29 sources, before those were deleted)."""
    from helhedsplan_eval.data import sources

    decl = load_declarations(params_dir())
    assert decl.sources == sources.SOURCES
    assert len(decl.sources) == 29
    assert list(decl.sources)[:3] == ["logbook_events", "logbook_attendance", "inspector_complaints"]
    assert (sources.FIRST_YEAR, sources.LAST_YEAR, sources.PLAN_YEARS) == (2014, 2020, (2017, 2018, 2019, 2020))
    ev = decl.sources["logbook_events"]
    assert ev.kind == "event" and ev.required and ev.key == ("event_id",) and ev.date_column == "date"
    assert ev.col("activity").allowed[:2] == ("aabne_tilbud", "frivilligkorps")
    assert ev.col("activity").allowed[-1] == "andet" and len(ev.col("activity").allowed) == 16
    assert ev.col("headcount") == Col("headcount", "int", "Antal deltagere talt ved arrangementet (også "
                                      "ikke-registrerede).", min=0, unit="personer")
    byd = decl.sources["bydelsmoedre"]
    assert byd.kind == "spell" and byd.spell == (("active_from", "trained_date"), "active_to")
    assert byd.record_years == () and byd.sensitive and byd.col("person_id").pseudonym
    reg = decl.sources["register_measures"]
    assert reg.kind == "yearly_population" and reg.aggregate and reg.independent_rows
    assert reg.col("year").min == 2010 and reg.col("measure").allowed[0] == "sigtede_10_17"
    budget = decl.sources["budget_spending"]
    assert budget.aggregate and not budget.independent_rows
    assert budget.col("area").allowed == ("tryghed_og_trivsel", "kriminalpraeventiv_indsats",
                                          "forebyggelse_og_foraeldreansvar", "tværgående")
    assert decl.sources["inspector_complaints"].record_years == (2017, 2018, 2019, 2020)  # the plan's years
    assert decl.sources["bydelsmoedre_visits"].references == (("bydelsmor_id", "bydelsmoedre", "person_id"),)
    survey = decl.sources["survey_responses"]
    assert survey.col("wave").allowed == (2017, 2020)  # allowed_from: survey_waves (params/survey.yml)
    assert survey.col("department").allowed == ("3B", "AAB", "ABG", "fsb", "Lejerbo")
    assert sources.ACTIVITY_CODES["andet"] == "Andre arrangementer (fx fester, loppemarked)"
    assert sources.ACTIVITY_CODES["lommepenge"] == "Lommepengeprojekt"


# --- a small invented plan -------------------------------------------------------------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from helhedsplan_eval.data.declared import SourcesError  # noqa: E402

PLAN = """plan:
  id: lille-plan
  name: Lille plan
  period: {start: 2021, end: 2023}
areas:
  - id: trivsel
    name: Trivsel
    activities:
      - {id: cafe, name: Café}
      - {id: fodbold, name: Fodbold}
register_measures:
  - {id: beskaeftigelse, name: Beskæftigelsesfrekvens, unit: pct, direction: up}
"""

SOURCES_YML = """first_year: 2019
sources:
  - file: events
    title: Logbog
    description: Én række pr. arrangement.
    kind: event
    key: [event_id]
    date_column: date
    columns:
      - {name: event_id, type: str, description: Id.}
      - {name: date, type: date, description: Dato.}
      - {name: activity, type: str, allowed_from: activities, allowed_extra: {andet: Andet}, description: Aktivitet.}
      - {name: person_id, type: str, privacy: pseudonym, description: Deltageren.}
      - {name: headcount, type: int, min: 0, max: 40, unit: personer, description: Deltagere.}
      - {name: note, type: str, required: false, nullable: true, privacy: free_text, description: Note.}
  - file: mentors
    title: Mentorforløb
    description: Én række pr. forløb.
    kind: spell
    key: [spell_id]
    date_column: start_date
    spell: {start: start_date, end: end_date}
    sensitive: true
    columns:
      - {name: spell_id, type: str, description: Id.}
      - {name: person_id, type: str, privacy: pseudonym, description: Den unge.}
      - {name: start_date, type: date, description: Start.}
      - {name: end_date, type: date, nullable: true, description: 'Slut (tom, mens det løber).'}
      - {name: active, type: bool, description: Aktiv.}
  - file: registers
    title: Registertal
    description: Andele for området og kommunen.
    kind: yearly_population
    key: [year, measure, population]
    year_column: year
    columns:
      - {name: year, type: int, min: 2019, max: 2023, description: År.}
      - {name: measure, type: str, allowed_from: register_measures, description: Mål.}
      - {name: population, type: str, allowed: [område, kommune], description: Befolkning.}
      - {name: numerator, type: int, required: false, nullable: true, min: 0, description: Tæller.}
      - {name: denominator, type: int, required: false, nullable: true, min: 0, description: Nævner.}
      - {name: value_pct, type: float, min: 0, max: 100, unit: '%', description: Andel.}
"""


def _plan(tmp_path: Path, sources_yml: str = SOURCES_YML) -> Path:
    d = tmp_path / "plan"
    d.mkdir(exist_ok=True)
    (d / "plan.yml").write_text(PLAN, encoding="utf-8")
    (d / "sources.yml").write_text(sources_yml, encoding="utf-8")
    return d


def test_an_invented_plan_declares_three_kinds(tmp_path):
    decl = load_declarations(_plan(tmp_path))
    assert list(decl.sources) == ["events", "mentors", "registers"]
    assert (decl.first_year, decl.last_year, decl.plan_years) == (2019, 2023, (2021, 2022, 2023))
    ev, sp, reg = decl.sources.values()
    assert ev.col("activity").allowed == ("cafe", "fodbold", "andet")
    assert decl.labels["activities"] == {"cafe": "Café", "fodbold": "Fodbold", "andet": "Andet"}
    assert ev.record_years == (2021, 2022, 2023) and not ev.aggregate and ev.col("person_id").pseudonym
    assert sp.spell == (("start_date",), "end_date") and sp.kind == "spell"
    assert reg.aggregate and reg.independent_rows and reg.col("measure").allowed == ("beskaeftigelse",)


def test_generic_sample_validates_against_its_own_contract(tmp_path):
    from helhedsplan_eval.data import sources
    from helhedsplan_eval.data.contract import ERROR, load_bundle
    from helhedsplan_eval.data.sample_generic import generic_tables

    decl = load_declarations(_plan(tmp_path))
    tables = generic_tables(decl.sources, decl.plan_years, seed=7)
    again = generic_tables(decl.sources, decl.plan_years, seed=7)
    assert all(tables[n].equals(again[n]) for n in tables)  # seeded and deterministic
    data = tmp_path / "data"
    data.mkdir()
    for name, df in tables.items():
        df.to_csv(data / f"{name}.csv", index=False)
    reg = tables["registers"]
    assert len(reg) == 3 * 2  # one row per plan year (2021-2023, the default record_years) and population
    ms = tables["mentors"]
    closed = ms[ms["end_date"] != ""]
    assert (closed["end_date"] >= closed["start_date"]).all()
    try:
        sources.use_declarations(decl)
        bundle = load_bundle(data)
    finally:
        sources.load_plan_sources()
    errors = [i for i in bundle.issues if i.severity == ERROR]
    assert errors == []
    assert set(bundle.tables) >= {"events", "mentors", "registers"}
    assert len(bundle.tables["events"]) == 36  # 12 a year in 2021-2023
    assert "logbook_events" in sources.SOURCES  # the project's own declarations are back


def _problems(tmp_path, text) -> list[str]:
    with pytest.raises(SourcesError) as exc:
        load_declarations(_plan(tmp_path, text))
    return exc.value.problems


def test_unknown_key_and_kind_get_a_suggestion_with_file_and_line(tmp_path):
    text = SOURCES_YML.replace("    kind: spell", "    kind: spel").replace(
        "{name: event_id, type: str, description: Id.}", "{name: event_id, type: str, descripton: Id.}")
    problems = _problems(tmp_path, text)
    path = str(tmp_path / "plan" / "sources.yml")
    assert any(p.startswith(f"{path}, linje 16: kilden 'mentors'") and "kind er 'spel'" in p
               and "mente du 'spell'?" in p for p in problems), problems
    assert any(f"{path}, linje 10: kilden 'events', kolonne 1" in p and "ukendt nøgle 'descripton'" in p
               and "mente du 'description'?" in p for p in problems), problems


def test_wrong_types_are_named(tmp_path):
    text = (SOURCES_YML.replace("sensitive: true", "sensitive: ja")
            .replace("{name: active, type: bool,", "{name: active, type: boolean,")
            .replace("max: 40, unit", "max: fyrre, unit"))
    problems = _problems(tmp_path, text)
    assert any("sensitive skal være true eller false, ikke 'ja'" in p for p in problems), problems
    assert any("type er 'boolean'" in p and "mente du 'bool'?" in p for p in problems), problems
    assert any("max skal være et tal, ikke 'fyrre'" in p for p in problems), problems


def test_a_column_the_kind_names_must_be_declared(tmp_path):
    text = SOURCES_YML.replace("spell: {start: start_date, end: end_date}", "spell: {start: start_date, end: slut}")
    problems = _problems(tmp_path, text)
    assert any("kilden 'mentors'" in p and "forløbets slut 'slut' er ikke blandt kildens kolonner" in p
               for p in problems), problems
    text = SOURCES_YML.replace("    spell: {start: start_date, end: end_date}\n", "")
    assert any("kind: spell kræver spell" in p for p in _problems(tmp_path, text))
    text = SOURCES_YML.replace("allowed: [område, kommune]", "allowed_from: areas").replace(
        "{name: population,", "{name: pop,").replace("[year, measure, population]", "[year, measure, pop]")
    assert any("kind: yearly_population kræver en kolonne 'population'" in p for p in _problems(tmp_path, text))


def test_cpr_columns_unknown_plan_lists_and_aliases_are_refused(tmp_path):
    text = SOURCES_YML.replace("{name: person_id, type: str, privacy: pseudonym, description: Den unge.}",
                               "{name: cpr_nr, type: str, description: Den unge.}").replace(
        "allowed_from: register_measures", "allowed_from: register")
    problems = _problems(tmp_path, text)
    assert any("'cpr_nr' ligner et CPR-nummer" in p for p in problems), problems
    assert any("allowed_from er 'register'" in p and "mente du 'register_measures'?" in p for p in problems)
    text = SOURCES_YML.replace("allowed: [område, kommune]", "allowed: [område, 2020]")
    assert any("de tilladte værdier 2020 passer ikke til typen str" in p for p in _problems(tmp_path, text))
    text = SOURCES_YML.replace("title: Logbog", "title: &t Logbog").replace("title: Mentorforløb", "title: *t")
    problems = _problems(tmp_path, text)
    assert len(problems) == 1 and "aliasser" in problems[0] and "linje" in problems[0]


def test_commands_refuse_a_broken_sources_file_with_exit_2(tmp_path):
    root = tmp_path / "root"
    (root / "params").mkdir(parents=True)
    for f in params_dir().iterdir():
        if f.suffix == ".yml":
            (root / "params" / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    text = (root / "params" / "sources.yml").read_text(encoding="utf-8")
    (root / "params" / "sources.yml").write_text(text.replace("kind: spell", "kind: forloeb", 1), encoding="utf-8")
    code = "import sys; from helhedsplan_eval.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**__import__("os").environ, "HELHEDSPLAN_ROOT": str(root)}
    r = subprocess.run([sys.executable, "-c", code, "contract"], capture_output=True, text=True, env=env)
    assert r.returncode == 2, r.stderr
    assert "kildeerklæringerne (sources.yml) har 1 problem(er)" in r.stderr
    assert "kind er 'forloeb'" in r.stderr and "Traceback" not in r.stderr


def test_sample_command_makes_generic_data_for_another_plan(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "params").symlink_to(_plan(tmp_path), target_is_directory=True)
    code = "import sys; from helhedsplan_eval.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**__import__("os").environ, "HELHEDSPLAN_ROOT": str(root)}
    r = subprocess.run([sys.executable, "-c", code, "sample", str(tmp_path / "out")], capture_output=True, text=True,
                       env=env)
    assert r.returncode == 0, r.stderr
    csvs = sorted(p.name for p in (tmp_path / "out").glob("*.csv"))
    assert csvs == ["events.csv", "mentors.csv", "registers.csv"]
    first = (tmp_path / "out" / "registers.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first == "year,measure,population,numerator,denominator,value_pct"


def test_the_readme_example_of_a_source_loads(tmp_path):
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n# params/sources.yml\n", 1)[1].split("```", 1)[0]
    decl = load_declarations(_plan(tmp_path, block))
    src = decl.sources["mentor_spells"]
    assert src.kind == "spell" and src.spell == (("start_date",), "end_date") and src.sensitive
    assert src.col("activity").allowed == ("cafe", "fodbold", "andet") and src.col("person_id").pseudonym
    assert src.col("hours") == Col("hours", "float", "Timer.", required=False, nullable=True, min=0, max=500,
                                   unit="timer")
