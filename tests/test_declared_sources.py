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
    assert sources.ACTIVITY_CODES["andet"] == "Andre arrangementer (fx fester, loppemarked)"
    assert sources.ACTIVITY_CODES["lommepenge"] == "Lommepengeprojekt"
