"""The data contract: one file per source, in the rawest form the source actually delivers.

Each :class:`Source` lists its columns with type, whether required, allowed values or range,
unit and meaning, its unique key, references to other sources, and the criteria it feeds.
``data/README.md`` is generated from this module (``helhedsplan-eval contract``), so the
documentation cannot drift from what the validator checks.
"""

from __future__ import annotations

from helhedsplan_eval.data.source_types import Col, Source, _yes_no  # noqa: F401  (re-exported)

ACTIVITY_CODES = {
    "aabne_tilbud": "Åbne tilbud i fællesarealer",
    "frivilligkorps": "Etablering af frivilligkorps",
    "fysiske_rammer": "Beboerinddragende udvikling af fysiske rammer",
    "kommunikation": "Tryghedsskabende kommunikationsstrategi",
    "skur2": "Skur 2",
    "dannelsesforloeb": "Idræt og bevægelse / Dannelsesforløb",
    "lommepenge": "Lommepengeprojekt",
    "dialogmoeder": "Dialogmøder",
    "dialogprojekt": "Dialogprojekt mellem unge og ældre",
    "talent": "Talentudvikling og iværksætteri",
    "ungementor": "Ungementor og fritidsjobindsats",
    "lektiecafe": "Lektiecafé og lektiekammerater",
    "familiekursus": "Familiekurser",
    "foraeldrecafe": "Forældrecafé",
    "bydelsmoedre": "Bydelsmødre",
    "andet": "Andre arrangementer (fx fester, loppemarked)",
}

ROLES = ("forælder", "barn", "ung", "frivillig", "bydelsmor", "deltager")
REGISTER_MEASURES = ("sigtede_10_17", "indkomst_over_200k", "grundskole_15_64", "grundskole_18_29",
                     "videregaaende_18_29", "uddannelse_15_17", "boern_enlige", "foertidspension",
                     "unge_offentlig_forsoergelse")
AREA_IDS = ("tryghed_og_trivsel", "kriminalpraeventiv_indsats", "forebyggelse_og_foraeldreansvar", "tværgående")

# dates must lie within these years (baseline years 2014-2016 and the plan 2017-2020)
FIRST_YEAR = 2014
LAST_YEAR = 2020


SOURCES: dict[str, Source] = {}


def _add(src: Source):
    SOURCES[src.name] = src


_add(Source(
    "logbook_events", "Helhedsplanens logbog: arrangementer",
    "One row per event the plan holds or supports.",
    (
        Col("event_id", "str", "Unique id of the event."),
        Col("date", "date", "Date of the event."),
        Col("activity", "str", "Activity code (see the list of activity codes).", allowed=tuple(ACTIVITY_CODES)),
        Col("title", "str", "Short title, e.g. 'Forældrecafé: skole-hjem'. No names of persons.", required=False, nullable=True),
        _yes_no("resident_run", "Run by residents (brugerdrevet) rather than staff."),
        _yes_no("common_area", "Held on the estate's common areas (fællesarealer)."),
        Col("headcount", "int", "Number of participants counted at the event (incl. unregistered).", min=0, unit="persons"),
        _yes_no("skur2_participation", "Skur 2's users and staff took part.", required=False, nullable=True),
    ),
    key=("event_id",), date_column="date",
    feeds=("TT-AAB-1", "TT-AAB-2", "TT-SKUR-4", "FF-CAF-1", "FF-CAF-2", "KP-DIA-1", "KP-TAL-1", "FF-3", "FF-FAM-1",
           "FF-CAF-3", "FF-BYD-3"),
    required=True,
))

_add(Source(
    "logbook_attendance", "Helhedsplanens logbog: deltagere",
    "One row per registered person per event (pseudonymous ids, the same id for the same person in every file).",
    (
        Col("event_id", "str", "The event (logbook_events.event_id)."),
        Col("person_id", "str", "Pseudonymous person id.", pseudonym=True),
        Col("role", "str", "Role at the event.", allowed=ROLES),
        Col("household_id", "str", "Pseudonymous household id (required for family courses).", required=False,
            nullable=True, pseudonym=True),
    ),
    key=("event_id", "person_id"), references=(("event_id", "logbook_events", "event_id"),),
    feeds=("FF-3", "FF-FAM-1", "FF-CAF-3", "FF-BYD-3", "KP-DIA-1", "KP-TAL-1"), required=True, sensitive=True,
))

_add(Source(
    "inspector_complaints", "Inspektørkontorets registreringer: henvendelser",
    "One row per complaint about inappropriate or insecurity-creating behaviour registered by the chief inspector.",
    (
        Col("complaint_id", "str", "Unique id of the complaint."),
        Col("date", "date", "Date the complaint was received."),
        Col("category", "str", "Kind of behaviour.", allowed=("upassende", "utryghedsskabende")),
        _yes_no("common_area", "Concerns the common areas (fællesområderne)."),
    ),
    key=("complaint_id",), date_column="date", feeds=("TT-2",), record_years=(2017, 2018, 2019, 2020),
))

_add(Source(
    "vandalism_bills", "Inspektørkontorets opgørelse: hærværksregninger",
    "One row per bill concerning vandalism (footnote 17/41: registered manually and summed yearly).",
    (
        Col("bill_id", "str", "Unique id of the bill."),
        Col("date", "date", "Invoice date."),
        Col("amount_dkk", "float", "Amount in kr. incl. VAT.", min=0, unit="kr."),
    ),
    key=("bill_id",), date_column="date", feeds=("KP-3", "KP-LOM-2"),
))

_add(Source(
    "infohuset_cases", "Vestegnens Politi, Infohuset: bekymringssager",
    "Yearly number of cases of concern about radicalisation for the area (the police publish counts only).",
    (
        Col("year", "int", "Calendar year.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("cases", "int", "Number of cases of concern.", min=0, unit="cases"),
    ),
    key=("year",), year_column="year", feeds=("KP-2",), aggregate=True, independent_rows=True,
))

_add(Source(
    "register_measures", "LBF boligsociale data / Danmarks Statistik",
    "Register-based shares for the area and the municipality (aggregates published by LBF/DST).",
    (
        Col("year", "int", "Year the figure refers to.", min=FIRST_YEAR - 4, max=LAST_YEAR),
        Col("measure", "str", "Measure id.", allowed=REGISTER_MEASURES),
        Col("population", "str", "Area or municipality.", allowed=("område", "kommune")),
        Col("numerator", "int", "Persons with the characteristic.", required=False, nullable=True, min=0),
        Col("denominator", "int", "Persons in the population.", required=False, nullable=True, min=0),
        Col("value_pct", "float", "The share in percent (0-100).", min=0, max=100, unit="%"),
    ),
    key=("year", "measure", "population"), year_column="year", feeds=("KP-1", "TT-3"), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "police_safety", "Politiets tryghedsindeks: grundlæggende tryghed",
    "Share who feel safe in their neighbourhood, area and police district; one survey a year (none in 2020).",
    (
        Col("year", "int", "Survey year.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("population", "str", "Area or police district.", allowed=("område", "politikreds")),
        Col("share_safe_pct", "float", "Share who feel safe, percent.", min=0, max=100, unit="%"),
        Col("respondents", "int", "Number of respondents.", required=False, nullable=True, min=0),
    ),
    key=("year", "population"), year_column="year", feeds=("TT-4", "TT-KOM-1"), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "bkf_measures", "Gladsaxe Kommune, BKF",
    "DUBU cases among under-19s (percent) and dental no-shows per 100 children offered a consultation, for the "
    "area and the municipality. School years are stored under the year they end (2013/14 -> 2014).",
    (
        Col("year", "int", "Year (school year: the year it ends).", min=FIRST_YEAR - 2, max=LAST_YEAR),
        Col("measure", "str", "dubu: share of under-19s with an active DUBU case; tandpleje: no-shows per 100 children.",
            allowed=("dubu", "tandpleje")),
        Col("population", "str", "Area or municipality.", allowed=("område", "kommune")),
        Col("numerator", "int", "Children with a case / number of no-shows.", required=False, nullable=True, min=0),
        Col("denominator", "int", "Children under 19 / children offered a consultation.", required=False, nullable=True, min=0),
        Col("value", "float", "Percent (dubu) or per 100 children (tandpleje).", min=0, max=1000),
    ),
    key=("year", "measure", "population"), year_column="year", feeds=("FF-1", "FF-2"), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "public_support", "Gladsaxe Kommunes ledelsescockpit: unge på offentlig forsørgelse",
    "Share of 18-29-year-olds on public income support, area and municipality, yearly average.",
    (
        Col("year", "int", "Year.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("population", "str", "Area or municipality.", allowed=("område", "kommune")),
        Col("numerator", "int", "18-29-year-olds on public support.", required=False, nullable=True, min=0),
        Col("denominator", "int", "18-29-year-olds.", required=False, nullable=True, min=0),
        Col("value_pct", "float", "Share in percent.", min=0, max=100, unit="%"),
    ),
    key=("year", "population"), year_column="year", feeds=("KP-MEN-2",), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "fit_courses", "Gladsaxe Familie- og Ungecenter: familiekurser",
    "One row per family course (hold).",
    (
        Col("course_id", "str", "Unique id of the course."),
        Col("start_date", "date", "First session."),
        Col("end_date", "date", "Last session.", nullable=True),
        Col("age_band", "str", "Children's age band.", allowed=("0-1,5", "1,5-6")),
    ),
    key=("course_id",), date_column="start_date", feeds=("FF-FAM-2", "FF-FAM-3", "FF-FAM-4"), sensitive=True,
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "fit_administrations", "Gladsaxe Familie- og Ungecenter: FIT-skemaer (ORS/CORS/SRS)",
    "One row per administered FIT form. Items 0-10 (one decimal), total 0-40; records with only a total are "
    "allowed; a missing item is empty, never 0.",
    (
        Col("administration_id", "str", "Unique id of the administration."),
        Col("course_id", "str", "The course (fit_courses.course_id)."),
        Col("family_id", "str", "Pseudonymous family id.", pseudonym=True),
        Col("rated_person_id", "str", "Pseudonym of the person whose well-being is rated.", pseudonym=True),
        Col("rater", "str", "Who filled in the form.", allowed=("forælder", "henviser")),
        Col("about", "str", "Whom the rating is about.", allowed=("selv", "barn")),
        Col("scale", "str", "Form.", allowed=("ORS", "CORS", "SRS")),
        Col("date", "date", "Date of the session."),
        Col("item1", "float", "Item 1 (0-10).", nullable=True, min=0, max=10),
        Col("item2", "float", "Item 2 (0-10).", nullable=True, min=0, max=10),
        Col("item3", "float", "Item 3 (0-10).", nullable=True, min=0, max=10),
        Col("item4", "float", "Item 4 (0-10).", nullable=True, min=0, max=10),
        Col("total", "float", "Total (0-40); may be empty when all four items are given.", nullable=True, min=0, max=40),
        Col("group", "str", "almen or special group.", allowed=("almen", "special")),
        Col("rated_age", "int", "Age in years of the rated person.", required=False, nullable=True, min=0, max=110),
        # issue 10 (FIT): optional rater id; absent or blank = one rater per course, rated person and stream
        Col("rater_id", "str", "Pseudonym of the person who filled in the form (the parent's person id; for a "
            "referrer, the referring partner). Two parents rating the same child are two episodes. Optional: "
            "absent or empty means one rater per course, rated person and kind of rating.",
            required=False, nullable=True, pseudonym=True),
    ),
    key=("administration_id",), references=(("course_id", "fit_courses", "course_id"),), date_column="date",
    feeds=("FF-FAM-2", "FF-FAM-3", "FF-FAM-4"), sensitive=True,
))

_add(Source(
    "skur2_outreach", "Gladsaxe Kommune, Boligsocial Enhed: opsøgende besøg (Skur 2)",
    "One row per outreach visit to a single person.",
    (
        Col("visit_id", "str", "Unique id of the visit."),
        Col("date", "date", "Date of the visit."),
        Col("person_id", "str", "Pseudonym (probandnummer) of the person visited.", pseudonym=True),
        _yes_no("followed_by_visit", "The person afterwards visited Skur 2."),
    ),
    key=("visit_id",), date_column="date", feeds=("TT-SKUR-1", "TT-SKUR-2", "TT-SKUR-3"), sensitive=True,
))

_add(Source(
    "skur2_regulars", "Gladsaxe Kommune, Boligsocial Enhed: regelmæssige brugere af Skur 2",
    "One row per person who became a regular user of Skur 2, with the date.",
    (
        Col("person_id", "str", "Pseudonym (same as in skur2_outreach).", pseudonym=True),
        Col("regular_since", "date", "Date the person became a regular user."),
    ),
    key=("person_id",), date_column="regular_since", feeds=("TT-SKUR-3",), sensitive=True,
))

_add(Source(
    "ung_i_gladsaxe", "Opgørelser fra Ung i Gladsaxe",
    "Yearly participant counts reported by Ung i Gladsaxe (aggregates only).",
    (
        Col("year", "int", "Year.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("activity", "str", "Activity.", allowed=("dialogprojekt",)),
        Col("participants", "int", "Number of participants.", min=0),
    ),
    key=("year", "activity"), year_column="year", feeds=("KP-DUA-1",), aggregate=True, independent_rows=True,
))

_add(Source(
    "dannelse_assessments", "Statusopgørelser i det koordinerende forum (Dannelsesforløbet)",
    "The coordinating forum's yearly assessment of each child in the Dannelsesforløb risk group.",
    (
        Col("year", "int", "School year's end year of the assessment.", min=2017, max=LAST_YEAR),
        Col("child_id", "str", "Pseudonymous child id.", pseudonym=True),
        Col("assessment", "str", "Social competences strengthened?", allowed=("styrket", "ikke styrket", "ikke vurderet")),
    ),
    key=("year", "child_id"), year_column="year", feeds=("KP-DAN-1",), sensitive=True,
))

_add(Source(
    "risk_group_leisure", "Helhedsplanens logbog: risikogruppens fritidsliv",
    "One row per young person in the area's risk group per year: active leisure life (regular club/sport) or not.",
    (
        Col("year", "int", "Year.", min=2017, max=LAST_YEAR),
        Col("youth_id", "str", "Pseudonymous id.", pseudonym=True),
        _yes_no("active_leisure", "Has an active leisure life (regular club or sport)."),
    ),
    key=("year", "youth_id"), year_column="year", feeds=("KP-DAN-2",), sensitive=True,
))

_add(Source(
    "pocket_money_jobs", "Helhedsplanens logbog: lommepengejob",
    "One row per pocket-money job; whether the young person moved on to a leisure job afterwards.",
    (
        Col("job_id", "str", "Unique id."),
        Col("person_id", "str", "Pseudonymous id.", pseudonym=True),
        Col("start_date", "date", "Start."),
        Col("end_date", "date", "End (empty while running).", nullable=True),
        Col("moved_on", "str", "Moved on to a leisure job.", allowed=("ja", "nej", "ukendt")),
    ),
    key=("job_id",), date_column="start_date", feeds=("KP-LOM-1",), sensitive=True,
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "micro_businesses", "Helhedsplanens logbog: mikrovirksomheder",
    "One row per micro business founded by participants in Talentudvikling og iværksætteri.",
    (
        Col("business_id", "str", "Unique id."),
        Col("founded_date", "date", "Date founded."),
        Col("participants", "int", "Young people involved.", required=False, nullable=True, min=0),
    ),
    key=("business_id",), date_column="founded_date", feeds=("KP-TAL-2",), record_years=(),
))

_add(Source(
    "leisure_jobs", "Helhedsplanens logbog: fritidsjob og praktikpladser",
    "One row per leisure job or internship established.",
    (
        Col("job_id", "str", "Unique id."),
        Col("established_date", "date", "Date established."),
        Col("type", "str", "Kind of position.", allowed=("fritidsjob", "praktikplads")),
        Col("established_by", "str", "Who established it.", allowed=("frivillig", "ungementor", "andet")),
    ),
    key=("job_id",), date_column="established_date", feeds=("KP-MEN-1",),
))

_add(Source(
    "homework_cafe_visits", "URK's logbog: lektiecaféer",
    "One row per visit of a person to one of the two homework cafés.",
    (
        Col("date", "date", "Date of the visit."),
        Col("cafe", "str", "Which café.", allowed=("grundskole", "ungdomsuddannelse")),
        Col("person_id", "str", "Pseudonymous id.", pseudonym=True),
    ),
    key=("date", "cafe", "person_id"), date_column="date", feeds=("KP-LEK-1",), sensitive=True,
))

_add(Source(
    "homework_buddies", "Helhedsplanens logbog: lektiekammeratforløb",
    "One row per homework-buddy course (1:1).",
    (
        Col("course_id", "str", "Unique id."),
        Col("buddy_id", "str", "Pseudonym of the volunteer buddy.", pseudonym=True),
        Col("pupil_id", "str", "Pseudonym of the pupil.", pseudonym=True),
        Col("start_date", "date", "Start."),
        Col("end_date", "date", "End (empty while running).", nullable=True),
    ),
    key=("course_id",), date_column="start_date", feeds=("KP-LEK-2",), sensitive=True, record_years=(),
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "volunteers", "Frivilligkoordinators logbog",
    "One row per volunteer engagement in the volunteer corps.",
    (
        Col("volunteer_id", "str", "Pseudonymous id (same as person_id in the logbook).", pseudonym=True),
        Col("start_date", "date", "Start of the engagement."),
        Col("end_date", "date", "End (empty while active).", nullable=True),
    ),
    key=("volunteer_id", "start_date"), date_column="start_date", feeds=("TT-FRI-1",), sensitive=True, record_years=(),
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "bydelsmoedre", "Helhedsplanens logbog: bydelsmødre",
    "One row per bydelsmor: when trained and when active.",
    (
        Col("person_id", "str", "Pseudonymous id (same as in the logbook).", pseudonym=True),
        Col("trained_date", "date", "Date the course was completed."),
        Col("active_from", "date", "Active from.", nullable=True),
        Col("active_to", "date", "Active to (empty while active).", nullable=True),
    ),
    key=("person_id",), date_column="trained_date", feeds=("FF-BYD-1", "FF-BYD-3"), sensitive=True, record_years=(),
    spell=(("active_from", "trained_date"), "active_to"),
))

_add(Source(
    "bydelsmoedre_visits", "Bydelsmødrenes logbog: besøgte familier",
    "One row per visit by a bydelsmor to a family.",
    (
        Col("visit_id", "str", "Unique id."),
        Col("date", "date", "Date."),
        Col("bydelsmor_id", "str", "The bydelsmor (bydelsmoedre.person_id).", pseudonym=True),
        Col("family_id", "str", "Pseudonymous family id.", pseudonym=True),
    ),
    key=("visit_id",), references=(("bydelsmor_id", "bydelsmoedre", "person_id"),), date_column="date",
    feeds=("FF-BYD-2",), sensitive=True, record_years=(2017,),
))

_add(Source(
    "assessments", "Milepæle og kvalitative vurderinger",
    "One row per recorded milestone or qualitative assessment: which criterion, by whom (a role or body, not a "
    "person's name), when, the assessment, its rationale and the evidence (e.g. a report's title).",
    (
        Col("criterion_id", "str", "Catalogue id, e.g. TT-KOM-2."),
        Col("date", "date", "Date of the assessment or of completion."),
        Col("assessment", "str", "Result.", allowed=("gennemført", "opfyldt", "delvist opfyldt", "ikke opfyldt", "i gang")),
        Col("assessed_by", "str", "Role or body that assessed, e.g. 'Task Force for tryghed'."),
        Col("rationale", "str", "Short rationale."),
        Col("evidence", "str", "Evidence: title of report, interview round, minutes.", nullable=True),
    ),
    key=("criterion_id", "date"), date_column="date", feeds=("TT-FYS-1", "TT-FYS-2", "TT-KOM-2"), record_years=(),
    independent_rows=True,
))

_add(Source(
    "survey_responses", "3B's fællesskabs- og medborgerskabsundersøgelse: besvarelser",
    "One row per respondent and wave; items coded 1-5 (1 = helt uenig ... 5 = helt enig), 9 = ved ikke, empty = "
    "not answered. The item columns are declared in params/survey.yml.",
    (
        Col("respondent_id", "str", "Pseudonymous respondent id.", pseudonym=True),
        Col("wave", "int", "Survey wave.", allowed=(2017, 2020)),
        Col("department", "str", "Housing department.", allowed=("3B", "AAB", "ABG", "fsb", "Lejerbo")),
        Col("age_group", "str", "Age group.", allowed=("18-29", "30-49", "50-64", "65+")),
        Col("gender", "str", "Gender.", allowed=("kvinde", "mand")),
        Col("mode", "str", "Mode of answering.", required=False, nullable=True, allowed=("papir", "web", "telefon")),
    ),
    key=("respondent_id", "wave"), feeds=("TT-1",), sensitive=True, extra_columns_allowed=True, record_years=(),
))

_add(Source(
    "survey_margins", "3B's fællesskabs- og medborgerskabsundersøgelse: befolkningsfordelinger",
    "Population margins per wave (residents 18+) used for weighting.",
    (
        Col("wave", "int", "Survey wave.", allowed=(2017, 2020)),
        Col("variable", "str", "Margin variable.", allowed=("department", "age_group", "gender")),
        Col("category", "str", "Category of the variable."),
        Col("population", "int", "Residents 18+ in the category.", min=0),
    ),
    key=("wave", "variable", "category"), feeds=("TT-1",), aggregate=True, extra_columns_allowed=True, record_years=(),
))

_add(Source(
    "survey_waves", "3B's fællesskabs- og medborgerskabsundersøgelse: indsamling",
    "One row per wave: invited, responded and fieldwork dates (for the response rate in the methods box).",
    (
        Col("wave", "int", "Survey wave.", allowed=(2017, 2020)),
        Col("invited", "int", "Residents invited.", min=0),
        Col("responded", "int", "Residents who answered.", min=0),
        Col("fieldwork_start", "date", "First day of fieldwork.", nullable=True),
        Col("fieldwork_end", "date", "Last day of fieldwork.", nullable=True),
    ),
    key=("wave",), feeds=("TT-1",), aggregate=True, record_years=(), spell=(("fieldwork_start",), "fieldwork_end"),
))

_add(Source(
    "budget_spending", "Budget og forbrug pr. indsatsområde",
    "Yearly spending per intervention area and funder.",
    (
        Col("year", "int", "Year.", min=2017, max=LAST_YEAR),
        Col("area", "str", "Intervention area id, or 'tværgående' for the secretariat.", allowed=AREA_IDS),
        Col("funder", "str", "Funder.", allowed=("lbf", "lokal")),
        Col("amount_dkk", "float", "Amount spent in kr.", min=0, unit="kr."),
    ),
    key=("year", "area", "funder"), year_column="year", feeds=(), aggregate=True,
))


def feeds_index() -> dict[str, list[str]]:
    """criterion id -> the sources that feed it."""
    out: dict[str, list[str]] = {}
    for s in SOURCES.values():
        for c in s.feeds:
            out.setdefault(c, []).append(s.name)
    return out
