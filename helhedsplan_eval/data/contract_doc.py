"""The Danish documentation of the data contract (``data/README.md``), generated from :mod:`.sources`.

``data/README.md`` is this module's output; a test checks that the two are equal, so the
documentation cannot drift from what the validator checks. Regenerate it with::

    helhedsplan-eval contract > data/README.md
    # or, without the CLI:
    python -m helhedsplan_eval.data.contract_doc > data/README.md

The column descriptions (type, required, allowed values / range, unit, meaning) are shared with
the spreadsheet templates (:mod:`.templates`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from helhedsplan_eval.data.cells import _FALSE as _BOOL_FALSE  # the spellings convert_cell accepts
from helhedsplan_eval.data.cells import _TRUE as _BOOL_TRUE
from helhedsplan_eval.data.raw import MAX_FILE_BYTES, XLSX_MAX_UNCOMPRESSED
from helhedsplan_eval.data import sources as _src
from helhedsplan_eval.data.sources import ACTIVITY_CODES, SOURCES, Col, Source

TYPE_DA = {"str": "tekst", "int": "heltal", "float": "tal", "date": "dato", "bool": "ja/nej"}


@dataclass(frozen=True)
class SurveyItem:
    id: str
    text: str
    reverse: bool = False


def _survey_doc() -> dict:
    from helhedsplan_eval.paths import params_dir
    from helhedsplan_eval.yaml_io import safe_load

    path = params_dir() / "survey.yml"
    return safe_load(path.read_text(encoding="utf-8"), "params/survey.yml") or {}


def survey_items() -> list[SurveyItem]:
    """The item columns of ``survey_responses`` declared in ``params/survey.yml`` (empty if unreadable)."""
    try:
        doc = _survey_doc()
        items = doc.get("items") or {}
        return [SurveyItem(str(k), str((v or {}).get("text", "")), bool((v or {}).get("reverse", False)))
                for k, v in items.items()]
    except Exception:
        return []


def survey_scale() -> tuple[int, int, int]:
    """(min, max, don't-know code) of the survey's answer scale."""
    try:
        doc = _survey_doc()
        sc = doc.get("scale") or {}
        return int(sc.get("min", 1)), int(sc.get("max", 5)), int(sc.get("dont_know", 9))
    except Exception:
        return 1, 5, 9


def _num(x: float) -> str:
    return f"{x:g}"


def allowed_text(col: Col, lang: str = "da") -> str:
    """Allowed values or range of a column (Danish; ``lang`` is kept for callers that pass it)."""
    if col.allowed is not None:
        return ", ".join(str(a) for a in col.allowed)
    if col.type == "bool":
        return "ja, nej"
    if col.type == "date":
        from helhedsplan_eval.data.schema import date_bounds

        lo, hi = date_bounds()
        return f"{lo.isoformat()} til {hi.isoformat()}"
    if col.min is not None and col.max is not None:
        return f"{_num(col.min)} til {_num(col.max)}"
    if col.min is not None:
        return f"≥ {_num(col.min)}"
    if col.max is not None:
        return f"≤ {_num(col.max)}"
    return ""


def required_text(col: Col, lang: str = "da") -> str:
    """Whether the column must exist and whether its cells may be empty (Danish)."""
    if not col.required:
        return "nej (valgfri kolonne; cellen må være tom)" if col.nullable else "nej (valgfri kolonne)"
    return "ja (kolonnen skal findes, men cellen må være tom)" if col.nullable else "ja"


def meaning_text(col: Col, lang: str = "da") -> str:
    text = col.description
    if col.pseudonym:
        text += " Pseudonym: aldrig et navn eller CPR-nummer."
    if col.unit == "%":
        text += " Skrives i procent (79,9), ikke som andel (0,799)."
    return text


def criteria_texts(ids) -> list[tuple[str, str]]:
    """(criterion id, Danish criterion text) for the ids, text '' when the catalogue cannot be read."""
    try:
        from helhedsplan_eval.catalogue.criteria import load_catalogue

        crit = load_catalogue().criteria
    except Exception:
        crit = {}
    return [(i, " ".join(crit[i].text.split()) if i in crit else "") for i in ids]


def _plan_name() -> str:
    try:
        from helhedsplan_eval.catalogue.criteria import load_catalogue

        return str(load_catalogue().plan.get("name") or "helhedsplanen")
    except Exception:
        return "helhedsplanen"


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _source_kind(src: Source) -> str:
    return ("opgørelser (årlige tal, som kilden selv offentliggør)" if src.aggregate
            else "registreringer (én række pr. hændelse/person/enhed)")


# ----------------------------------------------------------------------------- markdown

def _intro() -> list[str]:
    """The contract's general part: files, cells, privacy, missing years, errors and how to validate."""
    return [
        "# Datakontrakt",
        "",
        "<!-- Dannet af helhedsplan_eval.data.contract_doc ud fra params/sources.yml og params/plan.yml. Ret ikke i hånden: "
        "dan filen igen med `helhedsplan-eval contract > data/README.md`. -->",
        "",
        f"Denne mappe rummer data til evalueringen af *{_plan_name()}*. Hver datakilde, aftalen nævner, leverer "
        "**én fil pr. kilde** i den mest rå form, kilden faktisk har: på rækkeniveau overalt, hvor kilden "
        "registrerer enkeltstående hændelser (én række pr. arrangement, besøg, skema, regning ...), og årlige "
        "opgørelser kun, hvor kilden selv offentliggør opgørelser (så med tæller og nævner, hvor de kendes). "
        "Antal unikke personer beregner evalueringen selv ud fra registreringerne.",
        "",
        "`data/sample/` er et syntetisk eksempeldatasæt i dette format (se dets egen README).",
        "",
    ] + _files_section() + _cells_section() + _privacy_section() + _missing_years_section() + _errors_section()


def _files_section() -> list[str]:
    """File names, CSV shapes, encodings, .xlsx, size limits, row numbers and column names."""
    return [
        "## Filer",
        "",
        "* **Filnavn**: `<kilde>.csv` eller `<kilde>.xlsx`, fx `logbook_events.csv`, alle i én mappe. Giv hver "
        "kilde **én** fil: både `x.csv` og `x.xlsx` er en fejl, og det er en mappe eller en anden særlig fil med "
        "en kildes navn også. Andre filer i mappen ignoreres, undtagen `manifest.yml` (se nedenfor).",
        "* **CSV, to former** (genkendt ud fra overskriftsrækken):",
        f"  * kommasepareret med decimalpunktum: `B1,{_src.PLAN_YEARS[0] + 1}-01-05,1234.50`;",
        "  * dansk Excel-eksport: semikolonsepareret med decimalkomma og eventuelt tusindtalspunktum: "
        f"`B1;05-01-{_src.PLAN_YEARS[0] + 1};1.234,50`.",
        "  Mellemrum i tal ignoreres. En celle, der indeholder skilletegnet, skal stå i anførselstegn (`\"0-1,5\"`). "
        "En første linje `sep=,` eller `sep=;` (Excels angivelse af skilletegnet) bruges og springes over, med en "
        "advarsel. Et tal, der kan læses på to måder (`3,641` er 3,641 med decimalkomma, men 3641 med "
        "tusindtalskomma), giver en advarsel med begge læsninger, når filens øvrige tal kun bruger den anden "
        "skrivemåde.",
        "* **Tegnsæt**: UTF-8 med eller uden BOM, eller Windows-1252 (ældre dansk Excels standard). `æ`, `ø` og "
        "`å` læses rigtigt i alle tre. En fil gemt som UTF-16 (Excels \"Unicode-tekst\") afvises med en besked, "
        "der nævner UTF-16: gem den i stedet som \"CSV UTF-8\" eller som dansk Excel-CSV.",
        "* **`.xlsx`**: det første regneark læses; dets første ikke-tomme række rummer kolonnenavnene. Mangler "
        "der kolonner, og har filen flere ark, nævner beskeden arkene. Excels egne dato- og talceller forstås "
        "(en formelcelle giver sin senest beregnede værdi). Skjulte rækker læses som data og nævnes i en advarsel. "
        "En gammel `.xls`-fil, en adgangskodebeskyttet projektmappe eller en CSV omdøbt til `.xlsx` afvises med "
        "en besked, der siger det.",
        f"* **Størrelse**: en fil må højst fylde {MAX_FILE_BYTES // 2**20} MB på disken og en `.xlsx` højst "
        f"{XLSX_MAX_UNCOMPRESSED // 2**20} MB udpakket (kontrolleret i zip-indholdsfortegnelsen, før projektmappen "
        "åbnes).",
        "* **Rækkenumre** i beskederne er de rækker, man ser i Excel: overskriften er række 1, første datarække "
        "er række 2. En CSV-post, hvis celle i anførselstegn rummer et linjeskift, fylder flere linjer i filen, "
        "men er én række i Excel og tælles som én række; en tom linje er en række for sig (springes over, men "
        "tælles med). I en `.xlsx` er rækkenummeret arkets eget, tomme rækker medregnet.",
        "* **Kolonnenavne** skrives præcis som nedenfor (små bogstaver, engelske navne). Kolonnernes rækkefølge er "
        "ligegyldig. En ukendt kolonne ignoreres med en advarsel (undtagen i spørgeskemafilerne, der har deres "
        "udsagnskolonner); ligner den en af kontraktens kolonner (`Dato` for `date`), foreslår beskeden navnet. "
        "Mange ukendte kolonner giver én samlet advarsel, og kolonner uden navn og uden data ignoreres.",
        "",
    ]


def _label(year: int) -> str:
    """A year as the plan labels it ("2022/23" for plan years from 1 February), when the sources are the plan's."""
    from helhedsplan_eval.catalogue.period import plan_period

    period = plan_period()
    return period.label(year) if period.last_year == _src.LAST_YEAR else str(year)


def _date_range_text() -> str:
    from helhedsplan_eval.data.schema import date_range_text

    return date_range_text()


def _cells_section() -> list[str]:
    """Dates, booleans, numbers, empty cells and allowed values."""
    true_words = ", ".join(f"`{w}`" for w in sorted(set(_BOOL_TRUE) - {"ja"}))
    false_words = ", ".join(f"`{w}`" for w in sorted(set(_BOOL_FALSE) - {"nej"}))
    return [
        "## Celler",
        "",
        f"* **Datoer**: `ÅÅÅÅ-MM-DD` (foretrukket) eller `DD-MM-ÅÅÅÅ`, `DD.MM.ÅÅÅÅ`, `DD/MM/ÅÅÅÅ`; et klokkeslæt "
        f"efter en ISO-dato ignoreres. Hver dato skal ligge i {_date_range_text()} (basisårene "
        f"{_label(_src.FIRST_YEAR)}-{_label(_src.PLAN_YEARS[0] - 1)} og planens år {_label(_src.PLAN_YEARS[0])}-"
        f"{_label(_src.LAST_YEAR)}). En slutdato før sin startdato (fx `end_date` før "
        "`start_date`) er en fejl.",
        f"* **Ja/nej**: `ja` eller `nej`. Også godtaget (store eller små bogstaver): {true_words} for ja; "
        f"{false_words} for nej. En Excel-celle med SAND/FALSK virker også.",
        "* **Heltal** skal være hele tal; **tal** må have decimaler. En **procentkolonne** (enhed %) skrives i "
        "procent: en værdi mellem 0 og 1, hvor seriens øvrige værdier ligger på 5 % eller mere, er en fejl "
        "(`0.799` for 79,9 %).",
        "* **Tomme celler**: en tom celle betyder *ikke registreret*. Hvor en kolonne tillader tomme celler, læses "
        "en tom celle aldrig som 0 (fx efterlades et FIT-item, der ikke er scoret, tomt, aldrig 0).",
        "* **Tilladte værdier** skrives præcis som angivet (de er koder, fx aktivitetskoder).",
        "* **Usynlige tegn**: hver celle læses i Unicode NFC og uden usynlige tegn (nulbreddemellemrum, BOM, "
        "blød bindestreg; et hårdt mellemrum bliver et almindeligt). `Å` skrevet som A + ring er altså det samme "
        "id som `Å`; en advarsel nævner fil, kolonne og rækker, hvor et id er rettet.",
        "",
    ]


def _privacy_section() -> list[str]:
    """Pseudonymous ids and the CPR check."""
    return [
        "## Privatliv: id'er er pseudonymer",
        "",
        "Person-, familie-, husstands- og lignende id'er er **pseudonymer**: samme person har samme id i alle "
        "filer og alle år (så personer kan tælles én gang på tværs af aktiviteter og år), men et id er aldrig et "
        "navn, et CPR-nummer eller andet, der identificerer personen uden for data. En værdi formet som et "
        "CPR-nummer (`ddmmåå-xxxx` eller `ddmmååxxxx`, også inde i et længere id, eller et tal med 9 cifre, hvis "
        "foranstillede nul et regneark har fjernet) i en id-kolonne er en fejl; beskeden nævner fil, række og "
        "kolonne, men gentager aldrig værdien. Fritekstkolonner (titler, begrundelser) rummer ingen navne på "
        "personer (et CPR-formet tal i dem er også en fejl). Rapporterne viser kun opgørelser; antal under 5 "
        "vises som \"<5\".",
        "",
    ]


def _missing_years_section() -> list[str]:
    """The coverage rule and manifest.yml."""
    return [
        "## Manglende år er aldrig nul",
        "",
        "**Dækningsreglen (manglende år er aldrig nul).** For en kilde med registreringer tæller et år som "
        "leveret, når det ligger mellem planens første år (eller den første registrering, hvis den er tidligere) "
        "og det sidste år med en registrering; år efter den sidste registrering *mangler* og er ikke 0. For et "
        "**forløbsregister** (registreringer med en start og en eventuel slutdato, fx frivillige, "
        "lektiekammeratforløb, bydelsmødre, lommepengejob, Skur 2's regelmæssige brugere) er det sidste dækkede "
        "år det sidste år, hvor et forløb er *aktivt* (et åbent forløb er aktivt til og med det sidste beregnede "
        "år), ikke det sidste år, hvor et begynder. En datamappe kan angive dækningen udtrykkeligt i "
        "`manifest.yml` (`coverage: {kilde: [år]}`), fx når en kilde reelt ingen registreringer havde i sit "
        "sidste år. Opgørelseskilder er leveret for de rækker, der findes.",
        "",
        "En kilde, der mangler helt, får de kriterier, den leverer til, til at vise *Afventer data*; den tælles "
        "aldrig som nul.",
        "",
        "`manifest.yml` (valgfri) beskriver mappen: `synthetic: true` markerer syntetiske data, og "
        "`coverage: {kilde: [år]}` angiver udtrykkeligt, hvilke år en kilde dækker. Den kontrolleres som data: "
        "de eneste nøgler er `synthetic` (`true` eller `false`, en YAML-boolesk værdi: `nej`, `\"yes\"` eller `1` "
        f"er en fejl), `coverage` (et kendt kildenavn med en liste af hele årstal {_src.FIRST_YEAR}-{_src.LAST_YEAR}), "
        "`description` (tekst) og `seed` (et helt tal); alt andet er en fejl, der nævner nøglen. YAML-ankre og "
        "-aliasser (`&navn`, `*navn`) er ikke tilladt i `manifest.yml` eller i nogen anden YAML-fil, brugeren "
        "skriver (`params/*.yml`).",
        "",
    ]


def _errors_section() -> list[str]:
    """What is an error, what a warning, and how to validate."""
    return [
        "## Fejl og advarsler",
        "",
        "Alle problemer meldes på én gang, hver med fil, række, kolonne, værdi og hvad der var forventet.",
        "",
        "* **Fejl** gør filen ubrugelig, til den er rettet: en påkrævet kolonne mangler, en celle kan ikke læses "
        f"som sin type (tekst i en talkolonne, en umulig dato som {_src.PLAN_YEARS[0] + 2}-02-30), en værdi uden for "
        "de tilladte "
        "værdier eller intervallet, en tom celle, hvor der kræves en værdi, en dobbelt nøgle eller en dobbelt "
        "række, en henvisning til et id, der ikke findes i den anden fil, en vurdering af et ukendt kriterie-id, "
        "et FIT-skema uden både total og alle fire items eller med en total, der ikke passer med dens items, en "
        "slutdato før startdatoen, en procent skrevet som andel, to filer til én kilde, en tom (0 byte) eller "
        "ulæselig fil og en manglende *påkrævet* kilde. En kilde med fejl udelades af evalueringen (dens "
        "kriterier afventer data). **Undtagelse**: i en kilde, hvis rækker er tal hver for sig (årlige "
        "opgørelser og vurderinger: se *Rækker med fejl* ved kilden), udelades kun rækken med fejlen, beskeden "
        "siger det, og resten af filen bruges.",
        "* **Advarsler** stopper ikke en kørsel og vises i rapporterne ved de kriterier, de berører: en ukendt "
        "kolonne (ignoreres), en fil med overskrifter, men ingen rækker, en manglende valgfri kilde, et år uden "
        "registreringer, en henvisning, der ikke kan kontrolleres, fordi den anden fil mangler, et rettet id, "
        "et tal, der kan læses på to måder, skjulte rækker.",
        "",
        "## Sådan kontrolleres data",
        "",
        "```",
        "helhedsplan-eval validate MAPPE",
        "```",
        "",
        "skriver alle problemer og slutter med en status forskellig fra 0, hvis der er fejl; til sidst står de "
        "år, hver kilde dækker, og de kilder, der er udeladt, med årsagen. "
        "`helhedsplan-eval templates MAPPE` skriver en tom fil med de rigtige overskrifter pr. kilde (CSV og "
        "`.xlsx`, den sidste med et ark *Vejledning*, der forklarer hver kolonne).",
        "",
    ]


def _overview() -> list[str]:
    lines = ["## Kilderne i overblik", "",
             "| Fil | Kilde | Påkrævet | Slags | Leverer til kriterierne |",
             "|---|---|---|---|---|"]
    for src in SOURCES.values():
        lines.append(f"| `{src.name}` | {_md_cell(src.title)} | {'ja' if src.required else 'nej'} | "
                     f"{'opgørelser' if src.aggregate else 'registreringer'} | "
                     f"{', '.join(src.feeds) if src.feeds else '–'} |")
    lines.append("")
    return lines


def _column_table(src: Source) -> list[str]:
    from helhedsplan_eval.data.contract import with_plan_measures  # the contract imports nothing of this module

    src = with_plan_measures(src)
    lines = ["| Kolonne | Type | Påkrævet | Tilladte værdier / interval | Enhed | Betydning |",
             "|---|---|---|---|---|---|"]
    for c in src.columns:
        lines.append(f"| `{c.name}` | {TYPE_DA[c.type]} | {required_text(c)} | {_md_cell(allowed_text(c)) or '–'} | "
                     f"{_md_cell(c.unit) or '–'} | {_md_cell(meaning_text(c))} |")
    if src.name == "survey_responses":
        lo, hi, dk = survey_scale()
        for it in survey_items():
            lines.append(f"| `{it.id}` | heltal | nej (cellen må være tom) | {lo} til {hi}, {dk} = ved ikke; "
                         f"tom = ikke besvaret | – | Udsagn (params/survey.yml): "
                         f"{_md_cell(it.text)}{' (negativt formuleret)' if it.reverse else ''} |")
    return lines


def _source_section(src: Source) -> list[str]:
    lines = [f"## `{src.name}`: {src.title}", "", src.description, "",
             f"* **Fil**: `{src.name}.csv` eller `{src.name}.xlsx`",
             f"* **Påkrævet**: {'ja: uden den har datamappen en fejl' if src.required else 'nej: uden den afventer de kriterier, den leverer til, data'}",
             f"* **Slags**: {_source_kind(src)}"]
    if src.key:
        lines.append(f"* **Nøgle** (entydig pr. række): {', '.join(f'`{k}`' for k in src.key)}")
    for col, other, other_col in src.references:
        lines.append(f"* **Henvisning**: hver `{col}` skal findes i `{other}.{other_col}`")
    if src.name == "assessments":
        lines.append("* **Henvisning**: hver `criterion_id` skal være et id i målkataloget (`params/criteria.yml`)")
    if src.name == "fit_administrations":
        lines.append("* **Regel**: hver række har en `total` eller alle fire items; er begge givet, er totalen lig "
                     "med summen af de fire items (inden for 0,05)")
    if src.spell is not None:
        starts, end = src.spell
        begin = f"`{starts[0]}`" + "".join(f" eller, hvis den er tom, `{s}`" for s in starts[1:])
        lines.append(f"* **Forløb**: `{end}` må ikke ligge før {begin}")
    lines.append("* **Rækker med fejl**: " + ("kun rækken udelades; resten af filen bruges" if src.independent_rows
                                               else "hele kilden udelades, til fejlen er rettet"))
    if src.extra_columns_allowed:
        lines.append("* **Ekstra kolonner** beholdes (uden advarsel)")
    if src.record_years and (src.date_column or src.year_column):
        by = src.date_column or src.year_column
        lines.append(f"* **År, der forventes rækker for** (efter `{by}`): {', '.join(map(str, src.record_years))} "
                     "(et år uden rækker giver en advarsel)")
    if src.sensitive:
        lines.append("* **Følsom**: rummer pseudonyme data om personer; rapporterne viser kun opgørelser")
    lines.append("")
    lines += _column_table(src)
    lines.append("")
    for col in [c for c in src.columns if ACTIVITY_CODES and c.allowed == tuple(ACTIVITY_CODES)]:
        lines += [f"Aktivitetskoder (`{col.name}`):", "", "| Kode | Aktivitet |", "|---|---|"]
        lines += [f"| `{k}` | {_md_cell(v)} |" for k, v in ACTIVITY_CODES.items()]
        lines.append("")
    if src.feeds:
        lines += ["Leverer til kriterierne:", ""]
        for cid, text in criteria_texts(src.feeds):
            lines.append(f"* **{cid}**" + (f": {text}" if text else ""))
    else:
        lines.append("Leverer ikke direkte til et succeskriterium (bruges til budgetoversigten).")
    lines.append("")
    return lines


def contract_markdown() -> str:
    """The full data-contract documentation (Danish Markdown), ending with one newline."""
    lines = _intro() + _overview()
    for src in SOURCES.values():
        lines += _source_section(src)
    text = "\n".join(lines)
    return text.rstrip("\n") + "\n"


if __name__ == "__main__":  # python -m helhedsplan_eval.data.contract_doc > data/README.md
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if out is not None:
        out.write(contract_markdown().encode("utf-8"))
    else:  # pragma: no cover
        sys.stdout.write(contract_markdown())
