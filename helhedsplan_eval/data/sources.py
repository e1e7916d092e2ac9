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
    "Én række pr. arrangement, som helhedsplanen holder eller støtter.",
    (
        Col("event_id", "str", "Arrangementets entydige id."),
        Col("date", "date", "Arrangementets dato."),
        Col("activity", "str", "Aktivitetskode (se listen over aktivitetskoder).", allowed=tuple(ACTIVITY_CODES)),
        Col("title", "str", "Kort titel, fx 'Forældrecafé: skole-hjem'. Ingen navne på personer.", required=False, nullable=True),
        _yes_no("resident_run", "Drevet af beboere (brugerdrevet) og ikke af medarbejdere."),
        _yes_no("common_area", "Holdt på boligområdets fællesarealer."),
        Col("headcount", "int", "Antal deltagere talt ved arrangementet (også ikke-registrerede).", min=0, unit="personer"),
        _yes_no("skur2_participation", "Skur 2's brugere og medarbejdere deltog.", required=False, nullable=True),
    ),
    key=("event_id",), date_column="date",
    feeds=("TT-AAB-1", "TT-AAB-2", "TT-SKUR-4", "FF-CAF-1", "FF-CAF-2", "KP-DIA-1", "KP-TAL-1", "FF-3", "FF-FAM-1",
           "FF-CAF-3", "FF-BYD-3"),
    required=True,
))

_add(Source(
    "logbook_attendance", "Helhedsplanens logbog: deltagere",
    "Én række pr. registreret person pr. arrangement (pseudonyme id'er: samme id for samme person i alle filer).",
    (
        Col("event_id", "str", "Arrangementet (logbook_events.event_id)."),
        Col("person_id", "str", "Pseudonymt person-id.", pseudonym=True),
        Col("role", "str", "Rolle ved arrangementet.", allowed=ROLES),
        Col("household_id", "str", "Pseudonymt husstands-id (påkrævet ved familiekurser).", required=False,
            nullable=True, pseudonym=True),
    ),
    key=("event_id", "person_id"), references=(("event_id", "logbook_events", "event_id"),),
    feeds=("FF-3", "FF-FAM-1", "FF-CAF-3", "FF-BYD-3", "KP-DIA-1", "KP-TAL-1"), required=True, sensitive=True,
))

_add(Source(
    "inspector_complaints", "Inspektørkontorets registreringer: henvendelser",
    "Én række pr. henvendelse om upassende eller utryghedsskabende adfærd, registreret af chefinspektøren.",
    (
        Col("complaint_id", "str", "Henvendelsens entydige id."),
        Col("date", "date", "Datoen, henvendelsen blev modtaget."),
        Col("category", "str", "Slags adfærd.", allowed=("upassende", "utryghedsskabende")),
        _yes_no("common_area", "Drejer sig om fællesområderne."),
    ),
    key=("complaint_id",), date_column="date", feeds=("TT-2",), record_years=(2017, 2018, 2019, 2020),
))

_add(Source(
    "vandalism_bills", "Inspektørkontorets opgørelse: hærværksregninger",
    "Én række pr. regning vedrørende hærværk (fodnote 17/41: registreres manuelt og summeres årligt).",
    (
        Col("bill_id", "str", "Regningens entydige id."),
        Col("date", "date", "Fakturadato."),
        Col("amount_dkk", "float", "Beløb i kr. inkl. moms.", min=0, unit="kr."),
    ),
    key=("bill_id",), date_column="date", feeds=("KP-3", "KP-LOM-2"),
))

_add(Source(
    "infohuset_cases", "Vestegnens Politi, Infohuset: bekymringssager",
    "Årligt antal bekymringssager om radikalisering i området (politiet offentliggør kun antal).",
    (
        Col("year", "int", "Kalenderår.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("cases", "int", "Antal bekymringssager.", min=0, unit="sager"),
    ),
    key=("year",), year_column="year", feeds=("KP-2",), aggregate=True, independent_rows=True,
))

_add(Source(
    "register_measures", "LBF boligsociale data / Danmarks Statistik",
    "Registerbaserede andele for området og kommunen (opgørelser offentliggjort af LBF/DST).",
    (
        Col("year", "int", "Året, tallet gælder.", min=FIRST_YEAR - 4, max=LAST_YEAR),
        Col("measure", "str", "Målets id.", allowed=REGISTER_MEASURES),
        Col("population", "str", "Område eller kommune.", allowed=("område", "kommune")),
        Col("numerator", "int", "Personer med kendetegnet.", required=False, nullable=True, min=0),
        Col("denominator", "int", "Personer i befolkningen.", required=False, nullable=True, min=0),
        Col("value_pct", "float", "Andelen i procent (0-100).", min=0, max=100, unit="%"),
    ),
    key=("year", "measure", "population"), year_column="year", feeds=("KP-1", "TT-3"), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "police_safety", "Politiets tryghedsindeks: grundlæggende tryghed",
    "Andelen, der føler sig trygge i deres nabolag, i området og i politikredsen; én måling om året (ingen i 2020).",
    (
        Col("year", "int", "Målingens år.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("population", "str", "Område eller politikreds.", allowed=("område", "politikreds")),
        Col("share_safe_pct", "float", "Andelen, der føler sig trygge, i procent.", min=0, max=100, unit="%"),
        Col("respondents", "int", "Antal svarpersoner.", required=False, nullable=True, min=0),
    ),
    key=("year", "population"), year_column="year", feeds=("TT-4", "TT-KOM-1"), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "bkf_measures", "Gladsaxe Kommune, BKF",
    "DUBU-sager blandt under 19-årige (procent) og udeblivelser fra tandplejen pr. 100 børn, der har fået tilbudt"
    " en tid, for området og kommunen. Skoleår gemmes under det år, de slutter (2013/14 -> 2014).",
    (
        Col("year", "int", "År (skoleår: det år, det slutter).", min=FIRST_YEAR - 2, max=LAST_YEAR),
        Col("measure", "str", "dubu: andel af under 19-årige med en aktiv DUBU-sag; tandpleje: udeblivelser pr. 100 børn.",
            allowed=("dubu", "tandpleje")),
        Col("population", "str", "Område eller kommune.", allowed=("område", "kommune")),
        Col("numerator", "int", "Børn med en sag / antal udeblivelser.", required=False, nullable=True, min=0),
        Col("denominator", "int", "Børn under 19 år / børn, der har fået tilbudt en tid.", required=False, nullable=True, min=0),
        Col("value", "float", "Procent (dubu) eller pr. 100 børn (tandpleje).", min=0, max=1000),
    ),
    key=("year", "measure", "population"), year_column="year", feeds=("FF-1", "FF-2"), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "public_support", "Gladsaxe Kommunes ledelsescockpit: unge på offentlig forsørgelse",
    "Andelen af 18-29-årige på offentlig forsørgelse, område og kommune, årligt gennemsnit.",
    (
        Col("year", "int", "År.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("population", "str", "Område eller kommune.", allowed=("område", "kommune")),
        Col("numerator", "int", "18-29-årige på offentlig forsørgelse.", required=False, nullable=True, min=0),
        Col("denominator", "int", "18-29-årige.", required=False, nullable=True, min=0),
        Col("value_pct", "float", "Andel i procent.", min=0, max=100, unit="%"),
    ),
    key=("year", "population"), year_column="year", feeds=("KP-MEN-2",), aggregate=True,
    independent_rows=True,
))

_add(Source(
    "fit_courses", "Gladsaxe Familie- og Ungecenter: familiekurser",
    "Én række pr. familiekursus (hold).",
    (
        Col("course_id", "str", "Kursets entydige id."),
        Col("start_date", "date", "Første gang."),
        Col("end_date", "date", "Sidste gang.", nullable=True),
        Col("age_band", "str", "Børnenes aldersgruppe.", allowed=("0-1,5", "1,5-6")),
    ),
    key=("course_id",), date_column="start_date", feeds=("FF-FAM-2", "FF-FAM-3", "FF-FAM-4"), sensitive=True,
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "fit_administrations", "Gladsaxe Familie- og Ungecenter: FIT-skemaer (ORS/CORS/SRS)",
    "Én række pr. udfyldt FIT-skema. Items 0-10 (én decimal), total 0-40; rækker med kun en total er tilladt; et "
    "manglende item er tomt, aldrig 0.",
    (
        Col("administration_id", "str", "Skemaets entydige id."),
        Col("course_id", "str", "Kurset (fit_courses.course_id)."),
        Col("family_id", "str", "Pseudonymt familie-id.", pseudonym=True),
        Col("rated_person_id", "str", "Pseudonym for den person, hvis trivsel vurderes.", pseudonym=True),
        Col("rater", "str", "Hvem der udfyldte skemaet.", allowed=("forælder", "henviser")),
        Col("about", "str", "Hvem vurderingen handler om.", allowed=("selv", "barn")),
        Col("scale", "str", "Skema.", allowed=("ORS", "CORS", "SRS")),
        Col("date", "date", "Datoen for gangen."),
        Col("item1", "float", "Item 1 (0-10).", nullable=True, min=0, max=10),
        Col("item2", "float", "Item 2 (0-10).", nullable=True, min=0, max=10),
        Col("item3", "float", "Item 3 (0-10).", nullable=True, min=0, max=10),
        Col("item4", "float", "Item 4 (0-10).", nullable=True, min=0, max=10),
        Col("total", "float", "Total (0-40); må være tom, når alle fire items er udfyldt.", nullable=True, min=0, max=40),
        Col("group", "str", "Almen eller speciel gruppe.", allowed=("almen", "special")),
        Col("rated_age", "int", "Alder i år for den vurderede person.", required=False, nullable=True, min=0, max=110),
        # issue 10 (FIT): optional rater id; absent or blank = one rater per course, rated person and stream
        Col("rater_id", "str", "Pseudonym for den, der udfyldte skemaet (forælderens person-id; for en henviser den henvisende "
            "samarbejdspartner). To forældre, der vurderer det samme barn, er to forløb. Valgfri: mangler "
            "kolonnen eller er cellen tom, regnes med én vurderer pr. kursus, vurderet person og slags vurdering.",
            required=False, nullable=True, pseudonym=True),
    ),
    key=("administration_id",), references=(("course_id", "fit_courses", "course_id"),), date_column="date",
    feeds=("FF-FAM-2", "FF-FAM-3", "FF-FAM-4"), sensitive=True,
))

_add(Source(
    "skur2_outreach", "Gladsaxe Kommune, Boligsocial Enhed: opsøgende besøg (Skur 2)",
    "Én række pr. opsøgende besøg hos én person.",
    (
        Col("visit_id", "str", "Besøgets entydige id."),
        Col("date", "date", "Besøgets dato."),
        Col("person_id", "str", "Pseudonym (probandnummer) for den besøgte person.", pseudonym=True),
        _yes_no("followed_by_visit", "Personen besøgte bagefter Skur 2."),
    ),
    key=("visit_id",), date_column="date", feeds=("TT-SKUR-1", "TT-SKUR-2", "TT-SKUR-3"), sensitive=True,
))

_add(Source(
    "skur2_regulars", "Gladsaxe Kommune, Boligsocial Enhed: regelmæssige brugere af Skur 2",
    "Én række pr. person, der blev regelmæssig bruger af Skur 2, med datoen.",
    (
        Col("person_id", "str", "Pseudonym (samme som i skur2_outreach).", pseudonym=True),
        Col("regular_since", "date", "Datoen, personen blev regelmæssig bruger."),
    ),
    key=("person_id",), date_column="regular_since", feeds=("TT-SKUR-3",), sensitive=True,
))

_add(Source(
    "ung_i_gladsaxe", "Opgørelser fra Ung i Gladsaxe",
    "Årlige deltagertal indberettet af Ung i Gladsaxe (kun opgørelser).",
    (
        Col("year", "int", "År.", min=FIRST_YEAR, max=LAST_YEAR),
        Col("activity", "str", "Aktivitet.", allowed=("dialogprojekt",)),
        Col("participants", "int", "Antal deltagere.", min=0),
    ),
    key=("year", "activity"), year_column="year", feeds=("KP-DUA-1",), aggregate=True, independent_rows=True,
))

_add(Source(
    "dannelse_assessments", "Statusopgørelser i det koordinerende forum (Dannelsesforløbet)",
    "Det koordinerende forums årlige vurdering af hvert barn i Dannelsesforløbets risikogruppe.",
    (
        Col("year", "int", "Slutåret for det skoleår, vurderingen gælder.", min=2017, max=LAST_YEAR),
        Col("child_id", "str", "Pseudonymt barne-id.", pseudonym=True),
        Col("assessment", "str", "Er de sociale kompetencer styrket?", allowed=("styrket", "ikke styrket", "ikke vurderet")),
    ),
    key=("year", "child_id"), year_column="year", feeds=("KP-DAN-1",), sensitive=True,
))

_add(Source(
    "risk_group_leisure", "Helhedsplanens logbog: risikogruppens fritidsliv",
    "Én række pr. ung i områdets risikogruppe pr. år: aktivt fritidsliv (fast klub eller sport) eller ej.",
    (
        Col("year", "int", "År.", min=2017, max=LAST_YEAR),
        Col("youth_id", "str", "Pseudonymt id.", pseudonym=True),
        _yes_no("active_leisure", "Har et aktivt fritidsliv (fast klub eller sport)."),
    ),
    key=("year", "youth_id"), year_column="year", feeds=("KP-DAN-2",), sensitive=True,
))

_add(Source(
    "pocket_money_jobs", "Helhedsplanens logbog: lommepengejob",
    "Én række pr. lommepengejob; om den unge bagefter gik videre til et fritidsjob.",
    (
        Col("job_id", "str", "Entydigt id."),
        Col("person_id", "str", "Pseudonymt id.", pseudonym=True),
        Col("start_date", "date", "Start."),
        Col("end_date", "date", "Slut (tom, mens det løber).", nullable=True),
        Col("moved_on", "str", "Gik videre til et fritidsjob.", allowed=("ja", "nej", "ukendt")),
    ),
    key=("job_id",), date_column="start_date", feeds=("KP-LOM-1",), sensitive=True,
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "micro_businesses", "Helhedsplanens logbog: mikrovirksomheder",
    "Én række pr. mikrovirksomhed startet af deltagere i Talentudvikling og iværksætteri.",
    (
        Col("business_id", "str", "Entydigt id."),
        Col("founded_date", "date", "Startdato."),
        Col("participants", "int", "Antal unge, der er med.", required=False, nullable=True, min=0),
    ),
    key=("business_id",), date_column="founded_date", feeds=("KP-TAL-2",), record_years=(),
))

_add(Source(
    "leisure_jobs", "Helhedsplanens logbog: fritidsjob og praktikpladser",
    "Én række pr. etableret fritidsjob eller praktikplads.",
    (
        Col("job_id", "str", "Entydigt id."),
        Col("established_date", "date", "Dato for etablering."),
        Col("type", "str", "Slags plads.", allowed=("fritidsjob", "praktikplads")),
        Col("established_by", "str", "Hvem der etablerede den.", allowed=("frivillig", "ungementor", "andet")),
    ),
    key=("job_id",), date_column="established_date", feeds=("KP-MEN-1",),
))

_add(Source(
    "homework_cafe_visits", "URK's logbog: lektiecaféer",
    "Én række pr. besøg af en person i en af de to lektiecaféer.",
    (
        Col("date", "date", "Besøgets dato."),
        Col("cafe", "str", "Hvilken café.", allowed=("grundskole", "ungdomsuddannelse")),
        Col("person_id", "str", "Pseudonymt id.", pseudonym=True),
    ),
    key=("date", "cafe", "person_id"), date_column="date", feeds=("KP-LEK-1",), sensitive=True,
))

_add(Source(
    "homework_buddies", "Helhedsplanens logbog: lektiekammeratforløb",
    "Én række pr. lektiekammeratforløb (1:1).",
    (
        Col("course_id", "str", "Entydigt id."),
        Col("buddy_id", "str", "Pseudonym for den frivillige lektiekammerat.", pseudonym=True),
        Col("pupil_id", "str", "Pseudonym for eleven.", pseudonym=True),
        Col("start_date", "date", "Start."),
        Col("end_date", "date", "Slut (tom, mens det løber).", nullable=True),
    ),
    key=("course_id",), date_column="start_date", feeds=("KP-LEK-2",), sensitive=True, record_years=(),
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "volunteers", "Frivilligkoordinators logbog",
    "Én række pr. frivilligt engagement i frivilligkorpset.",
    (
        Col("volunteer_id", "str", "Pseudonymt id (samme som person_id i logbogen).", pseudonym=True),
        Col("start_date", "date", "Engagementets start."),
        Col("end_date", "date", "Slut (tom, mens engagementet er aktivt).", nullable=True),
    ),
    key=("volunteer_id", "start_date"), date_column="start_date", feeds=("TT-FRI-1",), sensitive=True, record_years=(),
    spell=(("start_date",), "end_date"),
))

_add(Source(
    "bydelsmoedre", "Helhedsplanens logbog: bydelsmødre",
    "Én række pr. bydelsmor: hvornår hun blev uddannet, og hvornår hun var aktiv.",
    (
        Col("person_id", "str", "Pseudonymt id (samme som i logbogen).", pseudonym=True),
        Col("trained_date", "date", "Datoen, uddannelsen blev afsluttet."),
        Col("active_from", "date", "Aktiv fra.", nullable=True),
        Col("active_to", "date", "Aktiv til (tom, mens hun er aktiv).", nullable=True),
    ),
    key=("person_id",), date_column="trained_date", feeds=("FF-BYD-1", "FF-BYD-3"), sensitive=True, record_years=(),
    spell=(("active_from", "trained_date"), "active_to"),
))

_add(Source(
    "bydelsmoedre_visits", "Bydelsmødrenes logbog: besøgte familier",
    "Én række pr. besøg af en bydelsmor hos en familie.",
    (
        Col("visit_id", "str", "Entydigt id."),
        Col("date", "date", "Dato."),
        Col("bydelsmor_id", "str", "Bydelsmoren (bydelsmoedre.person_id).", pseudonym=True),
        Col("family_id", "str", "Pseudonymt familie-id.", pseudonym=True),
    ),
    key=("visit_id",), references=(("bydelsmor_id", "bydelsmoedre", "person_id"),), date_column="date",
    feeds=("FF-BYD-2",), sensitive=True, record_years=(2017,),
))

_add(Source(
    "assessments", "Milepæle og kvalitative vurderinger",
    "Én række pr. registreret milepæl eller kvalitativ vurdering: hvilket kriterium, af hvem (en rolle eller et "
    "organ, ikke en persons navn), hvornår, vurderingen, dens begrundelse og dokumentationen (fx en rapports "
    "titel).",
    (
        Col("criterion_id", "str", "Id i målkataloget, fx TT-KOM-2."),
        Col("date", "date", "Datoen for vurderingen eller for gennemførelsen."),
        Col("assessment", "str", "Resultat.", allowed=("gennemført", "opfyldt", "delvist opfyldt", "ikke opfyldt", "i gang")),
        Col("assessed_by", "str", "Rolle eller organ, der vurderede, fx 'Task Force for tryghed'."),
        Col("rationale", "str", "Kort begrundelse."),
        Col("evidence", "str", "Dokumentation: rapportens titel, interviewrunde, referat.", nullable=True),
    ),
    key=("criterion_id", "date"), date_column="date", feeds=("TT-FYS-1", "TT-FYS-2", "TT-KOM-2"), record_years=(),
    independent_rows=True,
))

_add(Source(
    "survey_responses", "3B's fællesskabs- og medborgerskabsundersøgelse: besvarelser",
    "Én række pr. svarperson og runde; udsagn kodet 1-5 (1 = helt uenig ... 5 = helt enig), 9 = ved ikke, tom = "
    "ikke besvaret. Udsagnskolonnerne er angivet i params/survey.yml.",
    (
        Col("respondent_id", "str", "Pseudonymt svarperson-id.", pseudonym=True),
        Col("wave", "int", "Undersøgelsens runde.", allowed=(2017, 2020)),
        Col("department", "str", "Boligorganisation.", allowed=("3B", "AAB", "ABG", "fsb", "Lejerbo")),
        Col("age_group", "str", "Aldersgruppe.", allowed=("18-29", "30-49", "50-64", "65+")),
        Col("gender", "str", "Køn.", allowed=("kvinde", "mand")),
        Col("mode", "str", "Svarform.", required=False, nullable=True, allowed=("papir", "web", "telefon")),
    ),
    key=("respondent_id", "wave"), feeds=("TT-1",), sensitive=True, extra_columns_allowed=True, record_years=(),
))

_add(Source(
    "survey_margins", "3B's fællesskabs- og medborgerskabsundersøgelse: befolkningsfordelinger",
    "Befolkningsfordelinger pr. runde (beboere på 18 år og derover) til vægtningen.",
    (
        Col("wave", "int", "Undersøgelsens runde.", allowed=(2017, 2020)),
        Col("variable", "str", "Fordelingens variabel.", allowed=("department", "age_group", "gender")),
        Col("category", "str", "Variablens kategori."),
        Col("population", "int", "Beboere på 18 år og derover i kategorien.", min=0),
    ),
    key=("wave", "variable", "category"), feeds=("TT-1",), aggregate=True, extra_columns_allowed=True, record_years=(),
))

_add(Source(
    "survey_waves", "3B's fællesskabs- og medborgerskabsundersøgelse: indsamling",
    "Én række pr. runde: inviterede, svarpersoner og indsamlingens datoer (til svarprocenten i metodeboksen).",
    (
        Col("wave", "int", "Undersøgelsens runde.", allowed=(2017, 2020)),
        Col("invited", "int", "Inviterede beboere.", min=0),
        Col("responded", "int", "Beboere, der svarede.", min=0),
        Col("fieldwork_start", "date", "Indsamlingens første dag.", nullable=True),
        Col("fieldwork_end", "date", "Indsamlingens sidste dag.", nullable=True),
    ),
    key=("wave",), feeds=("TT-1",), aggregate=True, record_years=(), spell=(("fieldwork_start",), "fieldwork_end"),
))

_add(Source(
    "budget_spending", "Budget og forbrug pr. indsatsområde",
    "Årligt forbrug pr. indsatsområde og finansieringskilde.",
    (
        Col("year", "int", "År.", min=2017, max=LAST_YEAR),
        Col("area", "str", "Indsatsområdets id, eller 'tværgående' for sekretariatet.", allowed=AREA_IDS),
        Col("funder", "str", "Finansieringskilde.", allowed=("lbf", "lokal")),
        Col("amount_dkk", "float", "Forbrugt beløb i kr.", min=0, unit="kr."),
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
