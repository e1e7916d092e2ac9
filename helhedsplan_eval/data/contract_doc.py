"""The English documentation of the data contract (``data/README.md``), generated from :mod:`.sources`.

``data/README.md`` is this module's output; a test checks that the two are equal, so the
documentation cannot drift from what the validator checks. Regenerate it with::

    helhedsplan-eval contract > data/README.md
    # or, without the CLI:
    python -m helhedsplan_eval.data.contract_doc > data/README.md

The column descriptions (type, required, allowed values / range, unit, meaning) are shared with
the spreadsheet templates (:mod:`.templates`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from helhedsplan_eval.data.cells import _FALSE as _BOOL_FALSE  # the spellings convert_cell accepts
from helhedsplan_eval.data.cells import _TRUE as _BOOL_TRUE
from helhedsplan_eval.data.raw import MAX_FILE_BYTES, XLSX_MAX_UNCOMPRESSED
from helhedsplan_eval.data.sources import ACTIVITY_CODES, FIRST_YEAR, LAST_YEAR, SOURCES, Col, Source

TYPE_EN = {"str": "text", "int": "integer", "float": "number", "date": "date", "bool": "yes/no"}
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


def allowed_text(col: Col, lang: str = "en") -> str:
    """Allowed values or range of a column, in English ('en') or Danish ('da')."""
    to = " to " if lang == "en" else " til "
    if col.allowed is not None:
        return ", ".join(str(a) for a in col.allowed)
    if col.type == "bool":
        return "ja, nej" if lang == "da" else "ja / nej (yes / no)"
    if col.type == "date":
        return f"{FIRST_YEAR}-01-01{to}{LAST_YEAR}-12-31"
    if col.min is not None and col.max is not None:
        return f"{_num(col.min)}{to}{_num(col.max)}"
    if col.min is not None:
        return f"≥ {_num(col.min)}"
    if col.max is not None:
        return f"≤ {_num(col.max)}"
    return ""


def required_text(col: Col, lang: str = "en") -> str:
    """Whether the column must exist and whether its cells may be empty."""
    if lang == "da":
        if not col.required:
            return "nej (valgfri kolonne; cellen må være tom)" if col.nullable else "nej (valgfri kolonne)"
        return "ja (kolonnen skal findes, men cellen må være tom)" if col.nullable else "ja"
    if not col.required:
        return "no (optional column; cells may be empty)" if col.nullable else "no (optional column)"
    return "yes (cells may be empty)" if col.nullable else "yes"


def meaning_text(col: Col, lang: str = "en") -> str:
    text = col.description
    if col.pseudonym:
        text += (" Pseudonym: never a name or CPR number." if lang == "en"
                 else " Pseudonym: aldrig et navn eller CPR-nummer.")
    return text


def criteria_texts(ids) -> list[tuple[str, str]]:
    """(criterion id, Danish criterion text) for the ids, text '' when the catalogue cannot be read."""
    try:
        from helhedsplan_eval.catalogue.criteria import load_catalogue

        crit = load_catalogue().criteria
    except Exception:
        crit = {}
    return [(i, " ".join(crit[i].text.split()) if i in crit else "") for i in ids]


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _coverage_rule() -> str:
    """The coverage rule, quoted from the docstring of :mod:`.indicators` (single source of truth)."""
    try:
        from helhedsplan_eval.analysis import indicators

        doc = indicators.__doc__ or ""
    except Exception:
        doc = ""
    m = re.search(r"\*\*Coverage rule[^\n]*(?:\n(?!\s*\n)[^\n]*)*", doc)
    if not m:
        return ("**Coverage rule (missing years are never zeros).** A year without delivered data is shown as "
                "missing, never as 0.")
    text = " ".join(line.strip() for line in m.group(0).splitlines())
    return text.replace("``", "`")


def _source_kind(src: Source) -> str:
    return "aggregates (yearly figures published by the source)" if src.aggregate else "records (one row per event/person/item)"


# ----------------------------------------------------------------------------- markdown

def _intro() -> list[str]:
    """The contract's general part: files, cells, privacy, missing years, errors and how to validate."""
    return [
        "# Data contract",
        "",
        "<!-- Generated by helhedsplan_eval.data.contract_doc from helhedsplan_eval/sources.py. Do not edit by hand: "
        "regenerate with `helhedsplan-eval contract > data/README.md`. -->",
        "",
        "This folder holds the data of the evaluation of *Helhedsplan Høje Gladsaxe 2017-2020*. Every data source "
        "the agreement names delivers **one file per source**, in the rawest form the source actually keeps: "
        "record-level wherever the source keeps records (one row per event, visit, form, bill ...), yearly "
        "aggregates only where the source itself publishes aggregates (then with numerator and denominator where "
        "known). Counts of unique people are computed by the evaluation from the records.",
        "",
        "`data/sample/` is a synthetic sample data set in this format (see its own README).",
        "",
    ] + _files_section() + _cells_section() + _privacy_section() + _missing_years_section() + _errors_section()


def _files_section() -> list[str]:
    """File names, CSV shapes, encodings, .xlsx, size limits, row numbers and column names."""
    return [
        "## Files",
        "",
        "* **File name**: `<source>.csv` or `<source>.xlsx`, e.g. `logbook_events.csv`, all in one folder. "
        "Give each source **one** file: having both `x.csv` and `x.xlsx` is an error. Other files in the "
        "folder are ignored, except `manifest.yml` (below).",
        "* **CSV, two shapes** (detected from the header row):",
        "  * comma-separated with decimal point: `B1,2018-01-05,1234.50`;",
        "  * the Danish Excel export: semicolon-separated with decimal comma and optional thousands points: "
        "`B1;05-01-2018;1.234,50`.",
        "  Spaces inside numbers are ignored. A cell containing the separator must be quoted (`\"0-1,5\"`).",
        "* **Encodings**: UTF-8 with or without BOM, or Windows-1252 (the older Danish Excel default). "
        "`æ`, `ø` and `å` are read correctly in all three. A file saved as UTF-16 (Excel's \"Unicode text\") is "
        "refused with a message naming UTF-16: save it as \"CSV UTF-8\" or as the Danish Excel CSV instead.",
        "* **`.xlsx`**: the first sheet is read; its first non-blank row holds the column names. Excel's own date "
        "and number cells are understood (a formula cell gives its last calculated value). An old `.xls` file, a "
        "password-protected workbook or a CSV renamed to `.xlsx` is refused with a message saying so.",
        f"* **Size**: a file may be at most {MAX_FILE_BYTES // 2**20} MB on disk, and an `.xlsx` at most "
        f"{XLSX_MAX_UNCOMPRESSED // 2**20} MB unpacked (checked from the zip directory before the workbook is opened).",
        "* **Row numbers** in messages are the rows a person sees in Excel: the header is row 1, the first data "
        "row is row 2. A CSV record whose quoted cell holds a line break spans several lines in the file but is "
        "one row in Excel, and is counted as one row; a blank line is a row of its own (skipped, but counted). "
        "In an `.xlsx` the row number is the sheet's own row number, blank rows included.",
        "* **Column names** are written exactly as below (lower case, English). Column order does not matter. "
        "An unknown column is ignored with a warning (except in the survey files, which carry their item columns).",
        "",
    ]


def _cells_section() -> list[str]:
    """Dates, booleans, numbers, empty cells and allowed values."""
    true_words = ", ".join(f"`{w}`" for w in sorted(set(_BOOL_TRUE) - {"ja"}))
    false_words = ", ".join(f"`{w}`" for w in sorted(set(_BOOL_FALSE) - {"nej"}))
    return [
        "## Cells",
        "",
        f"* **Dates**: `YYYY-MM-DD` (preferred), or `DD-MM-YYYY`, `DD.MM.YYYY`, `DD/MM/YYYY`; a time after an ISO "
        f"date is ignored. Every date must lie in {FIRST_YEAR}-{LAST_YEAR} (baseline years {FIRST_YEAR}-2016 "
        f"and the plan 2017-{LAST_YEAR}).",
        f"* **Yes/no (booleans)**: `ja` or `nej`. Also accepted (any case): {true_words} for yes; "
        f"{false_words} for no. An Excel TRUE/FALSE cell works too.",
        "* **Integers** must be whole numbers; **numbers** may have decimals.",
        "* **Empty cells**: an empty cell means *not recorded*. Where a column allows empty cells, an empty cell "
        "is never read as 0 (e.g. a FIT item that was not scored is left empty, never 0).",
        "* **Allowed values** are written exactly as listed (they are codes, e.g. activity codes).",
        "",
    ]


def _privacy_section() -> list[str]:
    """Pseudonymous ids and the CPR check."""
    return [
        "## Privacy: ids are pseudonyms",
        "",
        "Person, family, household and similar ids are **pseudonyms**: the same person has the same id in every "
        "file and every year (so people can be de-duplicated across activities and years), but an id is never a "
        "name, a CPR number or anything else that identifies the person outside the data. A value shaped like a "
        "CPR number (`ddmmyy-xxxx` or `ddmmyyxxxx`, also inside a longer id, or a 9-digit number whose leading zero a "
        "spreadsheet dropped) in an id column is an error; the "
        "message names file, row and column but never repeats the value. Free-text columns (titles, "
        "rationales) hold no names of persons (a CPR-shaped number in them is an error too). Reports show only "
        "aggregates; counts under 5 are shown as \"<5\".",
        "",
    ]


def _missing_years_section() -> list[str]:
    """The coverage rule and manifest.yml."""
    return [
        "## Missing years are never zeros",
        "",
        _coverage_rule(),
        "",
        "A source that is missing entirely makes the criteria it feeds show *Afventer data* (awaiting data); it is "
        "never counted as zero.",
        "",
        "`manifest.yml` (optional) describes the folder: `synthetic: true` marks synthetic data, and "
        "`coverage: {source: [years]}` states explicitly which years a source covers. It is checked like the "
        "data: the only keys are `synthetic` (`true` or `false`, a YAML boolean: `nej`, `\"yes\"` or `1` is an "
        f"error), `coverage` (a known source name mapped to a list of whole years {FIRST_YEAR}-{LAST_YEAR}), "
        "`description` (text) and `seed` (a whole number); anything else is an error naming the key.",
        "",
    ]


def _errors_section() -> list[str]:
    """What is an error, what a warning, and how to validate."""
    return [
        "## Errors and warnings",
        "",
        "All problems are reported at once, each with file, row, column, value and what was expected (messages "
        "are in Danish).",
        "",
        "* **Errors** (*fejl*) make the file unusable until corrected: a required column is missing, a cell "
        "cannot be read as its type (text in a number column, an impossible date such as 2019-02-30), a value "
        "outside the allowed values or range, an empty cell where a value is required, a duplicate key or a "
        "duplicate row, a reference to an id that does not exist in the other file, an assessment of an unknown "
        "criterion id, a FIT form with neither a total nor all four items or with a total that disagrees with "
        "the items, two files for one source, an empty (0-byte) or unreadable file, and a missing *required* "
        "source. A source with errors is left out of the evaluation (its criteria await data).",
        "* **Warnings** (*advarsler*) do not stop a run and are shown in the reports next to the criteria they "
        "affect: an unknown column (ignored), a file with a header but no rows, a missing optional source, a "
        "year without records, a reference that cannot be checked because the other file is missing.",
        "",
        "## How to validate",
        "",
        "```",
        "helhedsplan-eval validate DIR",
        "```",
        "",
        "prints every problem and exits with a non-zero status if there are errors. "
        "`helhedsplan-eval templates DIR` writes an empty, correctly headed file per source (CSV and `.xlsx`, "
        "the latter with a sheet *Vejledning* explaining every column).",
        "",
    ]


def _overview() -> list[str]:
    lines = ["## Sources at a glance", "",
             "| File | Source | Required | Kind | Feeds criteria |",
             "|---|---|---|---|---|"]
    for src in SOURCES.values():
        lines.append(f"| `{src.name}` | {_md_cell(src.title)} | {'yes' if src.required else 'no'} | "
                     f"{'aggregates' if src.aggregate else 'records'} | "
                     f"{', '.join(src.feeds) if src.feeds else '–'} |")
    lines.append("")
    return lines


def _column_table(src: Source) -> list[str]:
    from helhedsplan_eval.data.contract import with_plan_measures  # the contract imports nothing of this module

    src = with_plan_measures(src)
    lines = ["| Column | Type | Required | Allowed values / range | Unit | Meaning |",
             "|---|---|---|---|---|---|"]
    for c in src.columns:
        lines.append(f"| `{c.name}` | {TYPE_EN[c.type]} | {required_text(c)} | {_md_cell(allowed_text(c)) or '–'} | "
                     f"{_md_cell(c.unit) or '–'} | {_md_cell(meaning_text(c))} |")
    if src.name == "survey_responses":
        lo, hi, dk = survey_scale()
        for it in survey_items():
            lines.append(f"| `{it.id}` | integer | no (cells may be empty) | {lo} to {hi}, {dk} = ved ikke "
                         f"(don't know); empty = not answered | – | Item (params/survey.yml): "
                         f"{_md_cell(it.text)}{' (negatively worded)' if it.reverse else ''} |")
    return lines


def _source_section(src: Source) -> list[str]:
    lines = [f"## `{src.name}`: {src.title}", "", src.description, "",
             f"* **File**: `{src.name}.csv` or `{src.name}.xlsx`",
             f"* **Required**: {'yes: without it the data folder has an error' if src.required else 'no: without it, the criteria it feeds await data'}",
             f"* **Kind**: {_source_kind(src)}"]
    if src.key:
        lines.append(f"* **Key** (unique per row): {', '.join(f'`{k}`' for k in src.key)}")
    for col, other, other_col in src.references:
        lines.append(f"* **Reference**: every `{col}` must exist in `{other}.{other_col}`")
    if src.name == "assessments":
        lines.append("* **Reference**: every `criterion_id` must be an id of the criterion catalogue "
                     "(`params/criteria.yml`)")
    if src.name == "fit_administrations":
        lines.append("* **Rule**: each row has a `total` or all four items; when both are given, the total equals "
                     "the sum of the items (within 0.05)")
    if src.extra_columns_allowed:
        lines.append("* **Extra columns** are kept (not warned about)")
    if src.record_years and (src.date_column or src.year_column):
        by = src.date_column or src.year_column
        lines.append(f"* **Years expected to have rows** (by `{by}`): {', '.join(map(str, src.record_years))} "
                     "(a year without rows gives a warning)")
    if src.sensitive:
        lines.append("* **Sensitive**: holds pseudonymous person-level data; reports show only aggregates")
    lines.append("")
    lines += _column_table(src)
    lines.append("")
    if src.name == "logbook_events":
        lines += ["Activity codes (`activity`):", "", "| Code | Activity |", "|---|---|"]
        lines += [f"| `{k}` | {_md_cell(v)} |" for k, v in ACTIVITY_CODES.items()]
        lines.append("")
    if src.feeds:
        lines += ["Feeds the criteria:", ""]
        for cid, text in criteria_texts(src.feeds):
            lines.append(f"* **{cid}**" + (f": {text}" if text else ""))
    else:
        lines.append("Feeds no success criterion directly (used for the budget overview).")
    lines.append("")
    return lines


def contract_markdown() -> str:
    """The full data-contract documentation (English Markdown), ending with one newline."""
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
