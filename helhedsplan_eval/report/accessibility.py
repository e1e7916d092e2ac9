"""The tilgængelighedserklæring (accessibility statement): ``tilgaengelighed.html`` beside the report's pages.

Danish public bodies must publish an accessibility statement for each website (webtilgængelighedsloven, WCAG 2.1
AA) and review it at least once a year. The evaluator fills in ``params/tilgaengelighed.yml`` (publisher, contact,
compliance, dates, their own review, known problems); what the tool itself knows (the standard, how the pages are
tested, what the charts and tables give) is written here. Until a field is filled in, the page shows it as a
clearly marked placeholder, "[Udfyldes af evaluator: ...]", and says at the top that the statement is not finished.
"""

from __future__ import annotations

import html
from pathlib import Path

from helhedsplan_eval.paths import TEMPLATES_DIR, params_dir

STATEMENT_FILE = "tilgaengelighed.yml"
STATEMENT_PAGE = "tilgaengelighed.html"
#: the fields the evaluator completes, with what the placeholder asks for
FIELDS = {
    "publisher": "hvem der offentliggør rapporten",
    "website": "hvor rapporten offentliggøres",
    "compliance": "»fuldt ud«, »delvist« eller »ikke«",
    "contact": "e-mail eller telefon til spørgsmål om tilgængelighed",
    "statement_date": "dato for erklæringen",
    "last_review": "dato for seneste gennemgang",
    "manual_review": "evaluatorens egen gennemgang: hvem, hvornår og hvordan",
}
COMPLIANCE = {"fuldt ud": "overholder fuldt ud", "delvist": "overholder delvist", "ikke": "overholder ikke"}


class StatementError(ValueError):
    """params/tilgaengelighed.yml cannot be used; the message names every problem (Danish)."""


def load_statement(params: str | Path | None = None) -> dict:
    """The evaluator's fields from ``params/tilgaengelighed.yml`` (every field None if the file is missing);
    :class:`StatementError` names every problem at once."""
    import yaml

    from helhedsplan_eval.yaml_io import safe_load

    path = Path(params or params_dir()) / STATEMENT_FILE
    values: dict = {k: None for k in FIELDS} | {"known_issues": []}
    if not path.is_file():
        return values
    try:
        data = safe_load(path.read_text(encoding="utf-8"), name=path.name)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StatementError(f"{path.name}: filen kan ikke læses som YAML ({type(exc).__name__}).") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise StatementError(f"{path.name}: filen skal være en YAML-mapping med felterne {', '.join(values)}.")
    problems = [f"{path.name}: ukendt felt '{k}' (kendte felter: {', '.join(values)})" for k in data if k not in values]
    for key in FIELDS:
        v = data.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (str, int, float))):
            problems.append(f"{path.name}: '{key}' skal være en tekst, ikke {type(v).__name__}")
        elif v is not None:
            values[key] = str(v).strip() or None
    issues = data.get("known_issues") or []
    if not isinstance(issues, list) or not all(isinstance(i, str) for i in issues):
        problems.append(f"{path.name}: 'known_issues' skal være en liste af tekster (én pr. punkt)")
    else:
        values["known_issues"] = [i.strip() for i in issues if i.strip()]
    if values["compliance"] is not None and values["compliance"] not in COMPLIANCE:
        problems.append(f"{path.name}: 'compliance' er »{values['compliance'][:40]}«, men skal være "
                        "»fuldt ud«, »delvist« eller »ikke«")
    if problems:
        raise StatementError("\n".join(problems))
    return values


def plan_name(params: str | Path | None = None) -> str:
    """The plan's name from ``params/plan.yml`` (``plan.name``)."""
    import yaml

    from helhedsplan_eval.yaml_io import safe_load

    try:
        data = safe_load((Path(params or params_dir()) / "plan.yml").read_text(encoding="utf-8"), name="plan.yml") or {}
        return str(data["plan"]["name"])
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return "helhedsplanen"


def _field(values: dict, key: str) -> str:
    v = values.get(key)
    if v is None:
        return f'<span class="placeholder">[Udfyldes af evaluator: {html.escape(FIELDS[key])}]</span>'
    return html.escape(v)


def statement_html(year: int, plan_name: str, version: str, css: str, values: dict, run_timestamp: str = "") -> str:
    """The statement page (Danish), self-contained like the report's other pages."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False)
    unfinished = [k for k in FIELDS if values.get(k) is None]
    fields = {k: _field(values, k) for k in FIELDS}
    compliance = COMPLIANCE.get(values.get("compliance") or "", None)
    return env.get_template("tilgaengelighed.html.j2").render(
        year=year, plan=html.escape(plan_name), version=html.escape(version), css=css, f=fields,
        compliance=html.escape(compliance) if compliance else fields["compliance"], unfinished=bool(unfinished),
        known_issues=[html.escape(i) for i in values.get("known_issues") or []],
        run_timestamp=html.escape(run_timestamp), website_given=values.get("website") is not None)


def write_statement(folder: Path, year: int, plan_name: str, version: str, css: str, values: dict,
                    run_timestamp: str = "") -> Path:
    out = Path(folder) / STATEMENT_PAGE
    out.write_text(statement_html(year, plan_name, version, css, values, run_timestamp), encoding="utf-8")
    return out
