"""Sources declared in the plan's configuration: ``sources.yml`` in the plan folder (beside ``plan.yml``).

Each entry declares one source: its file (``<file>.csv`` or ``<file>.xlsx``), its kind of record (:data:`KINDS`),
its columns (type, required, nullable, allowed values listed or taken from ``plan.yml`` by ``allowed_from``,
min/max, unit, Danish description, privacy class) and its key, references and the criteria it feeds. The loader
turns the file into :class:`~.source_types.Source` objects and checks it like ``criteria.yml``: every problem at
once, in Danish, naming the file and line (unknown keys with a suggestion, wrong types, an unknown kind, a column
that the kind or the key names but the source lacks, a CPR column).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helhedsplan_eval.data.source_types import Col, Source
from helhedsplan_eval.yaml_io import read_file

#: kind of record -> Danish label
KINDS = {
    "event": "hændelser (én række pr. hændelse)",
    "spell": "forløb (én række pr. forløb med start og eventuel slut)",
    "person": "personoplysninger (én række pr. person, evt. pr. år)",
    "yearly": "årlige opgørelser",
    "yearly_population": "årlige opgørelser pr. befolkning (område/sammenligning)",
}
TYPES = ("str", "int", "float", "date", "bool")
PRIVACY = ("pseudonym", "free_text")
TOP_KEYS = ("first_year", "sources")
SOURCE_KEYS = ("file", "title", "description", "kind", "columns", "key", "references", "feeds", "required",
               "aggregate", "year_column", "date_column", "record_years", "spell", "independent_rows",
               "extra_columns_allowed", "sensitive")
COLUMN_KEYS = ("name", "type", "description", "required", "nullable", "allowed", "allowed_from", "allowed_extra",
               "min", "max", "unit", "privacy")
#: lists of plan.yml that a column's allowed values can be taken from (and, where the plan folder has a survey.yml,
#: ``survey_waves`` and ``survey_<variable>`` for each of its ``categories``)
PLAN_LISTS = ("activities", "areas", "register_measures")
_AGGREGATE_KINDS = ("yearly", "yearly_population")


class SourcesError(ValueError):
    """``sources.yml`` has problems; ``problems`` lists them all (Danish)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"Fejl i kildeerklæringerne ({len(problems)}):\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Declarations:
    """What a plan folder declares: the sources (in file order), the earliest and latest year a date may have, and
    the labels of the codes taken from plan.yml (code -> Danish name), per plan list."""

    sources: dict[str, Source]
    first_year: int
    last_year: int
    plan_years: tuple[int, ...]
    labels: dict[str, dict] = field(default_factory=dict)


def _unknown(mapping: dict, known, where: str) -> list[str]:
    out = []
    for key in mapping:
        if key not in known:
            hint = difflib.get_close_matches(str(key), list(known), n=1)
            out.append(f"{where}: ukendt nøgle '{key}' (gyldige nøgler: {', '.join(known)})"
                       + (f"; mente du '{hint[0]}'?" if hint else ""))
    return out


def _lines(text: str) -> dict[tuple, int]:
    """1-based lines of each source entry (i,) and each column entry (i, j) of the document."""
    out: dict[tuple, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    if not isinstance(root, yaml.MappingNode):
        return out
    for k, v in root.value:
        if k.value == "sources" and isinstance(v, yaml.SequenceNode):
            for i, item in enumerate(v.value):
                out[(i,)] = item.start_mark.line + 1
                if isinstance(item, yaml.MappingNode):
                    for ck, cv in item.value:
                        if ck.value == "columns" and isinstance(cv, yaml.SequenceNode):
                            for j, col in enumerate(cv.value):
                                out[(i, j)] = col.start_mark.line + 1
    return out


def survey_lists(survey_doc) -> dict[str, dict]:
    """The lists of survey.yml a column may take its allowed values from: ``survey_waves`` and one
    ``survey_<variable>`` per entry of ``categories`` (value -> value, the values' own types kept)."""
    if not isinstance(survey_doc, dict):
        return {}
    out = {}
    if isinstance(survey_doc.get("waves"), list):
        out["survey_waves"] = {w: str(w) for w in survey_doc["waves"]}
    for var, values in (survey_doc.get("categories") or {}).items():
        if isinstance(values, list):
            out[f"survey_{var}"] = {v: str(v) for v in values}
    return out


def plan_lists(plan_doc: dict) -> dict[str, dict[str, str]]:
    """The lists of plan.yml a column may take its allowed values from: id -> Danish name."""
    areas = [a for a in (plan_doc.get("areas") or []) if isinstance(a, dict)]
    acts = {str(x["id"]): str(x.get("name", x["id"])) for a in areas for x in (a.get("activities") or [])
            if isinstance(x, dict) and "id" in x}
    return {"activities": acts,
            "areas": {str(a["id"]): str(a.get("name", a["id"])) for a in areas if "id" in a},
            "register_measures": {str(m["id"]): str(m.get("name", m["id"]))
                                  for m in (plan_doc.get("register_measures") or []) if isinstance(m, dict) and "id" in m}}


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _str_list(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _allowed(where: str, c: dict, lists: dict, problems: list[str]) -> tuple | None:
    allowed = c.get("allowed")
    if allowed is not None and not (isinstance(allowed, list) and allowed
                                    and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in allowed)):
        problems.append(f"{where}: allowed skal være en ikke-tom liste af tekster eller hele tal, fx [ja, nej]")
        allowed = None
    src = c.get("allowed_from")
    if src is None:
        if "allowed_extra" in c:
            problems.append(f"{where}: allowed_extra bruges kun sammen med allowed_from")
        return tuple(allowed) if allowed else None
    if allowed is not None:
        problems.append(f"{where}: angiv enten allowed eller allowed_from, ikke begge")
    if src not in lists:
        hint = difflib.get_close_matches(str(src), list(lists), n=1)
        problems.append(f"{where}: allowed_from er '{src}'; forventet en af {', '.join(lists)} (lister i plan.yml "
                        "og survey.yml)" + (f"; mente du '{hint[0]}'?" if hint else ""))
        return None
    extra = c.get("allowed_extra") or []
    if isinstance(extra, dict):
        extra = list(extra)
    if not _str_list(extra):
        problems.append(f"{where}: allowed_extra skal være en liste af koder eller en mapping kode: navn")
        extra = []
    values = tuple(lists[src]) + tuple(x for x in extra if x not in lists[src])
    if not values:
        problems.append(f"{where}: allowed_from: {src}, men plan.yml angiver ingen {src}")
        return None
    return values


def _column(where: str, c, lists: dict, problems: list[str]) -> Col | None:
    if not isinstance(c, dict):
        problems.append(f"{where}: en kolonne skal være en mapping med mindst name, type og description")
        return None
    n0 = len(problems)
    problems += _unknown(c, COLUMN_KEYS, where)
    for k in ("name", "type", "description"):
        if not isinstance(c.get(k), str) or not c.get(k):
            problems.append(f"{where}: {k} mangler eller er ikke en tekst")
    if isinstance(c.get("type"), str) and c["type"] not in TYPES:
        hint = difflib.get_close_matches(c["type"], TYPES, n=1)
        problems.append(f"{where}: type er '{c['type']}'; forventet en af {', '.join(TYPES)}"
                        + (f"; mente du '{hint[0]}'?" if hint else ""))
    if isinstance(c.get("name"), str) and "cpr" in c["name"].lower():
        problems.append(f"{where}: kolonnen '{c['name']}' ligner et CPR-nummer; CPR-numre må aldrig indgå i data "
                        "(brug et pseudonymt id med privacy: pseudonym)")
    for k in ("required", "nullable"):
        if k in c and not isinstance(c[k], bool):
            problems.append(f"{where}: {k} skal være true eller false, ikke {c[k]!r}")
    for k in ("min", "max"):
        if c.get(k) is not None and not _is_num(c[k]):
            problems.append(f"{where}: {k} skal være et tal, ikke {c[k]!r}")
    if _is_num(c.get("min")) and _is_num(c.get("max")) and c["min"] > c["max"]:
        problems.append(f"{where}: min ({c['min']}) er større end max ({c['max']})")
    if "unit" in c and not isinstance(c["unit"], str):
        problems.append(f"{where}: unit skal være en tekst")
    if "privacy" in c and c["privacy"] not in PRIVACY:
        problems.append(f"{where}: privacy er {c['privacy']!r}; forventet en af {', '.join(PRIVACY)}")
    if c.get("privacy") == "free_text" and (c.get("type") != "str" or c.get("allowed") or c.get("allowed_from")):
        problems.append(f"{where}: en fritekstkolonne (privacy: free_text) er tekst uden tilladte værdier")
    allowed = _allowed(where, c, lists, problems)
    want = {"int": int, "str": str}.get(c.get("type"))
    wrong = [a for a in allowed or () if want is None or not isinstance(a, want) or isinstance(a, bool)]
    if wrong:
        problems.append(f"{where}: de tilladte værdier {', '.join(map(repr, wrong))} passer ikke til typen "
                        f"{c.get('type')} (tilladte værdier kan angives for tekst og hele tal; skriv en kode i "
                        "anførselstegn, fx '2021', når kolonnen er tekst)")
    if len(problems) > n0:
        return None
    return Col(c["name"], c["type"], c["description"], required=c.get("required", True),
               nullable=c.get("nullable", False), allowed=allowed, min=c.get("min"), max=c.get("max"),
               unit=c.get("unit", ""), pseudonym=c.get("privacy") == "pseudonym")


def _names(where: str, v, label: str, problems: list[str]) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        v = [v]
    if not _str_list(v):
        problems.append(f"{where}: {label} skal være en liste af kolonnenavne")
        return ()
    return tuple(v)


def _spell(where: str, v, problems: list[str]):
    if v is None:
        return None
    if not isinstance(v, dict) or "start" not in v or "end" not in v:
        problems.append(f"{where}: spell skal være {{start: kolonne (eller en liste: den første ikke-tomme gælder), "
                        "end: kolonne}")
        return None
    problems += _unknown(v, ("start", "end"), f"{where}: spell")
    starts = _names(where, v["start"], "spell.start", problems)
    if not isinstance(v["end"], str):
        problems.append(f"{where}: spell.end skal være et kolonnenavn")
        return None
    return (starts, v["end"]) if starts else None


def _references(where: str, v, problems: list[str]) -> tuple:
    out = []
    for r in v or []:
        if not (isinstance(r, dict) and set(r) == {"column", "source", "source_column"}
                and all(isinstance(x, str) for x in r.values())):
            problems.append(f"{where}: en henvisning skal være {{column: ..., source: ..., source_column: ...}}")
            continue
        out.append((r["column"], r["source"], r["source_column"]))
    return tuple(out)


def _kind_problems(where: str, kind: str, s: Source) -> list[str]:
    """A column that the kind, the key, the spell or a reference names must be declared, with the right type."""
    names = {c.name: c for c in s.columns}
    out = []

    def need(col, label, types=None):
        if col is None:
            return
        if col not in names:
            out.append(f"{where}: {label} '{col}' er ikke blandt kildens kolonner ({', '.join(names)})")
        elif types and names[col].type not in types:
            out.append(f"{where}: {label} '{col}' skal have typen {' eller '.join(types)}, ikke {names[col].type}")

    for k in s.key:
        need(k, "nøglekolonnen")
    for col, _, _ in s.references:
        need(col, "henvisningens kolonne")
    need(s.date_column, "date_column", ("date",))
    need(s.year_column, "year_column", ("int",))
    if s.spell:
        for st in s.spell[0]:
            need(st, "forløbets start", ("date",))
        need(s.spell[1], "forløbets slut", ("date",))
    if kind == "spell" and not s.spell:
        out.append(f"{where}: kind: spell kræver spell: {{start: kolonne, end: kolonne}}")
    if kind == "event" and not (s.date_column or s.references):
        out.append(f"{where}: kind: event kræver date_column (eller en henvisning til kilden med datoen)")
    if kind == "person" and not any(names[k].pseudonym for k in s.key if k in names):
        out.append(f"{where}: kind: person kræver et pseudonymt person-id (privacy: pseudonym) i key")
    if kind in _AGGREGATE_KINDS and not s.year_column and not any(
            names[k].type == "int" for k in s.key if k in names):
        out.append(f"{where}: kind: {kind} kræver year_column (eller en heltalskolonne i key, fx en runde)")
    if kind == "yearly_population" and not (names.get("population") and names["population"].allowed):
        out.append(f"{where}: kind: yearly_population kræver en kolonne 'population' med tilladte værdier "
                   "(fx [område, kommune])")
    return out


def _source(where: str, e, lists: dict, plan_years: tuple[int, ...], lines: dict, i: int, path: str,
            problems: list[str]) -> Source | None:
    if not isinstance(e, dict):
        problems.append(f"{where}: en kilde skal være en mapping med mindst file, title, kind og columns")
        return None
    n0 = len(problems)
    problems += _unknown(e, SOURCE_KEYS, where)
    for k in ("file", "title", "description", "kind"):
        if not isinstance(e.get(k), str) or not e.get(k):
            problems.append(f"{where}: {k} mangler eller er ikke en tekst")
    kind = e.get("kind")
    if isinstance(kind, str) and kind not in KINDS:
        hint = difflib.get_close_matches(kind, list(KINDS), n=1)
        problems.append(f"{where}: kind er '{kind}'; forventet en af {', '.join(KINDS)}"
                        + (f"; mente du '{hint[0]}'?" if hint else ""))
    if isinstance(e.get("file"), str) and (Path(e["file"]).suffix or "/" in e["file"]):
        problems.append(f"{where}: file er filens navn uden .csv/.xlsx og uden mappe, fx "
                        f"'{Path(e['file']).stem}'")
    cols_raw = e.get("columns")
    if not isinstance(cols_raw, list) or not cols_raw:
        problems.append(f"{where}: columns skal være en ikke-tom liste af kolonner")
        cols_raw = []
    cols = []
    for j, c in enumerate(cols_raw):
        cw = f"{path}, linje {lines.get((i, j), '?')}: kilden '{e.get('file')}', kolonne {j + 1}"
        col = _column(cw, c, lists, problems)
        if col is not None:
            cols.append(col)
    dup = sorted({c.name for c in cols if sum(d.name == c.name for d in cols) > 1})
    if dup:
        problems.append(f"{where}: kolonnen {', '.join(dup)} er erklæret mere end én gang")
    for k in ("required", "aggregate", "independent_rows", "extra_columns_allowed", "sensitive"):
        if k in e and not isinstance(e[k], bool):
            problems.append(f"{where}: {k} skal være true eller false, ikke {e[k]!r}")
    for k in ("year_column", "date_column"):
        if e.get(k) is not None and not isinstance(e[k], str):
            problems.append(f"{where}: {k} skal være et kolonnenavn")
    ry = e.get("record_years", list(plan_years))
    if not (isinstance(ry, list) and all(_is_int(y) for y in ry)):
        problems.append(f"{where}: record_years skal være en liste af hele årstal")
        ry = []
    feeds = _names(where, e.get("feeds"), "feeds", problems)
    key = _names(where, e.get("key"), "key", problems)
    spell = _spell(where, e.get("spell"), problems)
    refs = _references(where, e.get("references"), problems)
    if len(problems) > n0:
        return None
    agg = kind in _AGGREGATE_KINDS
    s = Source(e["file"], e["title"], e["description"], tuple(cols), key=key, references=refs, feeds=feeds,
               required=e.get("required", False), aggregate=e.get("aggregate", agg), year_column=e.get("year_column"),
               date_column=e.get("date_column"), record_years=tuple(ry), spell=spell,
               independent_rows=e.get("independent_rows", agg),
               extra_columns_allowed=e.get("extra_columns_allowed", False), sensitive=e.get("sensitive", False),
               kind=kind)
    problems += _kind_problems(where, kind, s)
    return s if len(problems) == n0 else None


def _plan_years(plan_doc: dict, path: str, problems: list[str]) -> tuple[int, ...]:
    from helhedsplan_eval.catalogue.period import parse_period  # whole years or dates (plan years)

    try:
        period = parse_period(plan_doc["plan"]["period"], [])
    except (KeyError, TypeError):
        period = None
    if period is None:
        problems.append(f"{path}: plan.period.start/end mangler; kildeerklæringerne bruger planens år")
        return ()
    return period.years


def _read(path: Path, problems: list[str]):
    return read_file(path, problems, missing="filen findes ikke (planens kildeerklæringer)")


def load_declarations(directory: str | Path) -> Declarations:
    """The sources declared in ``directory/sources.yml`` (values taken from ``directory/plan.yml``); every problem at
    once as a :class:`SourcesError`."""
    d = Path(directory)
    problems: list[str] = []
    plan_doc, _ = _read(d / "plan.yml", problems)
    doc, text = _read(d / "sources.yml", problems)
    if problems:
        raise SourcesError(problems)
    path = str(d / "sources.yml")
    plan_doc = plan_doc if isinstance(plan_doc, dict) else {}
    years = _plan_years(plan_doc, str(d / "plan.yml"), problems)
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list):
        raise SourcesError(problems + [f"{path}: filen skal have nøglen sources: en liste af kilder"])
    problems += _unknown(doc, TOP_KEYS, path)
    first = doc.get("first_year", years[0] if years else None)
    if not _is_int(first) or (years and first > years[0]):
        problems.append(f"{path}: first_year skal være et helt årstal, højst planens første år")
    lists = plan_lists(plan_doc)
    if (d / "survey.yml").is_file():
        survey_doc, _ = _read(d / "survey.yml", problems)
        lists.update(survey_lists(survey_doc))
    lines = _lines(text)
    sources: dict[str, Source] = {}
    for i, e in enumerate(doc["sources"]):
        where = f"{path}, linje {lines.get((i,), '?')}: kilden '{e.get('file') if isinstance(e, dict) else i + 1}'"
        s = _source(where, e, lists, years, lines, i, path, problems)
        if s is not None:
            if s.name in sources:
                problems.append(f"{where}: filen '{s.name}' er erklæret mere end én gang")
            sources[s.name] = s
    named = {e.get("file") for e in doc["sources"] if isinstance(e, dict)}  # a broken source: its own problems only
    for s in sources.values():
        for col, other, other_col in s.references:
            if other in named and other not in sources:
                continue
            if other not in sources or other_col not in [c.name for c in sources[other].columns]:
                problems.append(f"{path}: kilden '{s.name}' henviser til {other}.{other_col}, som ikke er erklæret")
    if problems:
        raise SourcesError(problems)
    for e in doc["sources"]:  # the labels of extra codes (allowed_extra: {andet: Andre arrangementer}) join the list's
        for c in e.get("columns") or []:
            if isinstance(c.get("allowed_extra"), dict) and c.get("allowed_from") in lists:
                lists[c["allowed_from"]] = {**lists[c["allowed_from"]], **{str(k): str(v) for k, v in
                                                                           c["allowed_extra"].items()}}
    return Declarations(sources, first, years[-1], years, lists)
