"""The survey page's Danish texts: the headline, the decision rule with this year's result, the
methods box, the caveats, and their HTML (every text escaped, so nothing from the configuration or the
data can become markup).

One reason to change: what the board reads in words.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from helhedsplan_eval.analysis.survey.comparison import SurveyAnalysis
from helhedsplan_eval.formatting import soft_hyphens
from helhedsplan_eval.analysis.survey.danish import DASH, _ci_text, _num, _pp, _share, _signed


def headline(an: SurveyAnalysis, min_cell: int = 5) -> str:
    """The one Danish sentence (or two) the board reads first."""
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    if an.source_missing or not an.waves:
        return "Der er endnu ingen data fra fællesskabsundersøgelsen (afventer data)."
    if an.evaluation_year < b:
        if a in an.index.index and an.index.loc[a, "n"] >= min_cell:
            r = an.index.loc[a]
            return (f"Sammenligningen med {b} er ikke aktuel endnu. Ved opstarten i {a} var fællesskabsindekset "
                    f"{_num(r['value'], 1)} på en skala fra 0 til 100 "
                    f"({_share(an.strong.loc[a, 'value'])} oplevede et stærkt fællesskab).")
        return f"Sammenligningen med {b} er ikke aktuel endnu, og der er for få svar fra {a} til at vise et tal."
    if not an.has_comparison:
        return (f"Der er endnu ikke data fra begge runder ({a} og {b}), så udviklingen kan ikke vurderes "
                "(afventer data).")
    if min(an.index.loc[a, "n"], an.index.loc[b, "n"]) < min_cell:
        return "Der er for få svar til at vise resultatet."
    ia, ib = an.index.loc[a], an.index.loc[b]
    sa, sb = an.strong.loc[a], an.strong.loc[b]
    d = an.index_diff
    figures = (f"fællesskabsindekset gik fra {_num(ia['value'], 1)} i {a} til {_num(ib['value'], 1)} i {b} "
               f"({_signed(d.diff)} point, 95 %-sikkerhedsinterval {_ci_text(d.ci_low, d.ci_high)} point), og "
               f"andelen af beboere, der oplever et stærkt fællesskab, gik fra {_share(sa['value'])} til "
               f"{_share(sb['value'])} ({_pp(an.strong_diff.diff, 1, signed=True)}).")
    weighted = " Tallene er vægtet, så svarpersonerne svarer til beboersammensætningen."
    if an.unreliable_reason:
        return (f"Sammenligningen kan ikke vurderes pålideligt (begrundelsen står nedenfor). Med det forbehold: "
                f"{figures}{weighted}")
    verdict = {"stronger": "Fællesskabet opleves som stærkere ved helhedsplanens afslutning end ved opstarten",
               "weaker": "Fællesskabet opleves som svagere ved helhedsplanens afslutning end ved opstarten",
               "no_detectable_change": "Der kan ikke påvises en ændring i fællesskabet fra opstarten til "
                                       "helhedsplanens afslutning"}[an.decision["code"]]
    return f"{verdict}: {figures}{weighted}"


# HTML for the page: every table and text goes through html.escape (config text such as item
# labels must reach the page as text, never as markup).

#: each board table's caption (WCAG 2.1 AA: a table is named), by its id
TABLE_CAPTIONS = {
    "faelles-resultat": "Hovedresultat pr. runde med 95 %-sikkerhedsinterval",
    "faelles-udsagn": "Svarene på de enkelte udsagn",
    "faelles-robusthed": "Robusthed: forskellen med andre analyser",
    "faelles-afdelinger": "Afdelinger (kun beskrivende)",
    "faelles-metode": "Metode pr. runde",
    "faelles-usikkerhed": "To mål for usikkerheden",
    "faelles-margener": "Vægtningsmargener",
}


def table_html(df: pd.DataFrame, table_id: str, index: bool = True, caption: str | None = None) -> str:
    """A board table as HTML; every header and cell is escaped. The table has a caption (``caption``, else
    :data:`TABLE_CAPTIONS` by id), column headers with ``scope="col"`` and, with ``index``, the index as row
    headers; the corner header is the index's name (never an empty header cell)."""
    E = html.escape
    if df is None or df.empty:
        return "<p><em>Ingen data at vise.</em></p>"
    cols = ([df.index.name or "Oplysning"] if index else []) + [str(c) for c in df.columns]
    head = "".join(f"<th scope='col'>{E(soft_hyphens(c))}</th>" for c in cols)
    body = []
    for idx, r in df.iterrows():
        cells = ([f"<th scope='row'>{E(str(idx))}</th>"] if index else []) + [f"<td>{E(str(v))}</td>" for v in r]
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = caption or TABLE_CAPTIONS.get(table_id, "")
    cap_html = f"<caption>{E(cap)}</caption>" if cap else ""
    return (f"<table id='{E(table_id)}' class='board-table'>{cap_html}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def text_html(md: str) -> str:
    """The module's Danish texts (paragraphs, '- ' bullets, **bold**) as HTML; everything is
    escaped first, so no text from the configuration or the data can become markup."""
    import re

    out, items = [], []

    def inline(s):
        return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(s))

    def flush():
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for block in md.split("\n"):
        line = block.strip()
        if line.startswith("- "):
            items.append(line[2:])
        else:
            flush()
            if line:
                out.append(f"<p>{inline(line)}</p>")
    flush()
    return "".join(out)


def unreliable_html(an: SurveyAnalysis) -> str:
    """A highlighted box with the reason the comparison cannot be judged reliably ('' if it can)."""
    if not an.unreliable_reason or not an.has_comparison or an.evaluation_year < an.cfg.end_wave:
        return ""
    return ("<div class='survey-unreliable' role='note' style='border:3px solid #b45309;background:#fef3c7;"
            "padding:10px 14px;margin:8px 0'><strong>Kan ikke vurderes pålideligt.</strong> "
            f"{html.escape(an.unreliable_reason)}</div>")


def decision_text(an: SurveyAnalysis) -> str:
    """The decision rule as stated in the report, with this year's result (Danish; bold as **)."""
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    rule = (f"**Beslutningsregel (fastlagt før {b}-data):** Fællesskabet regnes kun for stærkere, hvis hele "
            f"95 %-sikkerhedsintervallet for forskellen i det vægtede fællesskabsindeks ({b} minus {a}) ligger "
            f"over 0. Den mindste ændring, der regnes for betydningsfuld, er {_num(cfg.min_meaningful, 0)} "
            f"point på skalaen 0{DASH}100 (for andelen med stærkt fællesskab "
            f"{_pp(cfg.raw['decision'].get('min_meaningful_share_pp', 5), 0)}).")
    if an.evaluation_year < b:
        return rule + f"\n\nSammenligningen er ikke aktuel endnu: den afsluttende måling foretages i {b}."
    if not an.has_comparison:
        return rule + "\n\nBegge målinger skal foreligge, før reglen kan anvendes (afventer data)."
    d = an.index_diff
    res = (f"\n\n**Resultat:** forskellen er {_signed(d.diff)} point (95 %-sikkerhedsinterval "
           f"{_ci_text(d.ci_low, d.ci_high)} point). {an.decision['text']}")
    if an.decision["code"] != "missing":
        size = ("når" if an.decision["meaningful"] else "når ikke")
        res += (f" Ændringen {size} den mindste betydningsfulde ændring på "
                f"{_num(cfg.min_meaningful, 0)} point. Effektstørrelse (forskellen målt i forhold til, hvor "
                f"meget svarene spreder sig; 0,2 regnes for lille): {_num(an.cohens_d, 2)}.")
    if an.unreliable_reason:
        res += ("\n\n**Reglen kan ikke anvendes pålideligt på disse data**, fordi vægtningen har de problemer, "
                "der er nævnt under hovedresultatet og i metodeafsnittet.")
    return rule + res


def methods_text(an: SurveyAnalysis, min_cell: int = 5) -> str:
    """The methods box as Danish text with '- ' bullets and **bold** (numbers in :func:`methods_table`)."""
    cfg = an.cfg
    lo, hi = cfg.weight_bounds or (math.nan, math.nan)
    lines = [
        "- **Vægtning:** Hver runde er vægtet til sin egen beboersammensætning fordelt på afdeling, "
        "aldersgruppe og køn (beboere på 18 år og derover), så svarpersonerne svarer til beboersammensætningen. "
        "Vægtene findes ved skiftevis at tilpasse dem til hver af de tre fordelinger, indtil alle tre passer "
        f"(kaldet raking). Ingen vægt må være under {_num(lo, 1)} eller over {_num(hi, 1)} gange "
        "gennemsnitsvægten; grænserne bruges kun, hvis en vægt faktisk ville overskride dem, og så tilpasses "
        "de øvrige vægte igen, så fordelingerne stadig passer. Begge runder vægtes på samme måde: små grupper "
        f"(færre end {cfg.min_respondents_per_category} svarpersoner i en af runderne) lægges sammen med en "
        "nabogruppe efter faste regler i begge runder. Det effektive antal svar viser, hvor mange uvægtede "
        "svar vægtningen svarer til.",
        f"- **Fællesskabsindeks:** gennemsnit af de {len(cfg.index_items)} udsagn om fællesskab (det negativt "
        f"formulerede udsagn er vendt), omregnet til 0{DASH}100; beregnes for svarpersoner, der har svaret på "
        f"mindst {cfg.min_answered} af dem. 'Ved ikke' tæller ikke med i gennemsnit og andele, men vises for sig. "
        f"'Stærkt fællesskab' betyder et indeks på mindst {_num(cfg.strong_threshold)}.",
        "- **Usikkerhed:** 95 %-sikkerhedsintervallerne tager højde for vægtningen; for andele beregnes de, så "
        "de altid ligger mellem 0 og 100 %. De to runder er uafhængige stikprøver. Beslutningsreglen bruger "
        "den standardfejl, der udnytter, at vægtene er gjort til at passe præcist til befolkningstallene: den "
        "del af svarene, som afdeling, alder og køn forklarer, er dermed kendt og ikke usikker. I simulationer "
        "rammer denne standardfejl den faktiske usikkerhed, mens standardfejlen med faste vægte overvurderer "
        "den med 8–20 %. Den forsigtige standardfejl med faste vægte vises ved siden af i tabellen over "
        "usikkerhed.",
        "- **Mange udsagn:** Når mange udsagn testes på én gang, vil nogle vise en forskel ved et tilfælde. En "
        "forskel for et enkelt udsagn kaldes derfor kun sikker, hvis den holder efter en korrektion for antallet "
        "af fællesskabsudsagn (Holms metode). Indekset er det ene, forudbestemte hovedmål.",
        f"- **Diskretion:** Grupper med færre end {min_cell} svar vises ikke; afdelingstal vises kun med "
        f"mindst {cfg.raw['reporting']['min_group_n']} svar og er kun beskrivende.",
    ]
    for w in an.wave_list:
        r = an.alpha.loc[w] if w in an.alpha.index else None
        if r is not None and r["n"] >= min_cell and not math.isnan(r["alpha"]):
            lines.append(f"- **Cronbachs alfa {w}** (om udsagnene måler det samme; over 0,7 regnes for "
                         f"tilstrækkeligt): {_num(r['alpha'], 2)} (95 %-interval "
                         f"{_ci_text(r['ci_low'], r['ci_high'], 2)}).")
    if an.unreliable_reason:
        lines.append(f"- **Kan ikke vurderes pålideligt:** {an.unreliable_reason}")
    for n in an.notes:
        lines.append(f"- {n}")
    return "\n".join(lines)


CAVEATS = (
    "- **COVID-19:** Målingen i 2020 blev gennemført under covid-19-pandemien. Nedlukning og afstand kan have "
    "påvirket, hvordan beboerne oplever fællesskabet, uafhængigt af helhedsplanen.\n"
    "- **Svarprocent og svarform:** Svarprocenten og fordelingen på papir, web og telefon er ikke den samme i de "
    "to runder. Vægtningen retter kun for skævheder i afdeling, alder og køn, ikke for andre forskelle mellem "
    "dem, der svarer, og dem, der ikke gør.\n"
    "- **Intet sammenligningsområde:** Der er ingen sammenlignelig måling fra et område uden helhedsplan. En "
    "ændring falder sammen med helhedsplanen, men det er ikke vist, at den skyldes helhedsplanen. Til "
    "sammenligning faldt den sociale sammenhængskraft i VIVE's måling 2018–2021 på tværs af områder med "
    "helhedsplan."
)
