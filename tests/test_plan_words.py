"""No code names one plan (issue 19): the package, its templates and the notebooks are scanned for the words that
belong to the bundled default plan (its name, area name, municipality, years and area ids, read from params/plan.yml
and criteria.yml). Data, params/ and the sample generators (data/sample*.py) are exempt; what still names the plan
is listed in ALLOWANCES with the reason, and the test fails when an allowance is no longer needed."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "helhedsplan_eval"

# file (relative to the project root) -> why it may still name the default plan
ALLOWANCES: dict[str, str] = {
    "helhedsplan_eval/analysis/indicators/registers.py": "an indicator of this plan's source Ung i Gladsaxe",
    # the FIT and survey analyses are this plan's criteria (FF-FAM-*, TT-1) until their pages read the catalogue
    "helhedsplan_eval/analysis/fit/__init__.py": "the FIT analysis of this plan's family courses",
    "helhedsplan_eval/analysis/fit/params.py": "the FIT analysis of this plan's family courses",
    "helhedsplan_eval/analysis/fit/board.py": "the FIT analysis of this plan's family courses",
    "helhedsplan_eval/analysis/fit/episodes.py": "the FIT analysis of this plan's family courses",
    "helhedsplan_eval/analysis/fit/indicators.py": "the FIT analysis of this plan's family courses",
    "helhedsplan_eval/analysis/fit/summary.py": "the FIT analysis of this plan's family courses",
    "helhedsplan_eval/analysis/fit/charts.py": "the FIT analysis of this plan's family courses",
    "helhedsplan_eval/analysis/survey/__init__.py": "the analysis of this plan's community survey (TT-1)",
    "helhedsplan_eval/analysis/survey/indicator.py": "the analysis of this plan's community survey (TT-1)",
    "helhedsplan_eval/analysis/survey/comparison.py": "the analysis of this plan's community survey (TT-1)",
    "helhedsplan_eval/analysis/survey/texts.py": "the analysis of this plan's community survey (TT-1)",
    "helhedsplan_eval/analysis/survey/merges.py": "the analysis of this plan's community survey (TT-1)",
    "notebooks/fit_collateral.py": "this plan's FIT page",
    "notebooks/faellesskabsundersoegelse.py": "this plan's survey page",
}


# lines that may name the default plan wherever they are, with the reason
ALLOWED_LINES = {
    r"^evaluation_year: int = \d{4}  #": "a papermill default is a literal: the default plan's last year, so that "
                                          "nbval and JupyterLab run the notebook as it is",
}


def forbidden_words() -> list[str]:
    """The default plan's own words: name, area name, municipality (with and without "Kommune"), the plan's id,
    every year from its first baseline year to its last, its area ids."""
    plan_doc = yaml.safe_load((ROOT / "params" / "plan.yml").read_text(encoding="utf-8"))
    plan = plan_doc["plan"]
    from helhedsplan_eval.catalogue.period import plan_period

    period = plan_period(ROOT / "params")
    words = {plan["name"], plan["area_name"], plan["municipality"], plan["id"]}
    words.add(plan["municipality"].replace(" Kommune", ""))
    words |= {str(y) for y in range(period.baseline_start, period.last_year + 1)}
    words |= {a["id"] for a in plan_doc["areas"]}
    crit_doc = yaml.safe_load((ROOT / "params" / "criteria.yml").read_text(encoding="utf-8"))
    words |= {c["area"] for c in crit_doc["criteria"] if c["area"] in {a["id"] for a in plan_doc["areas"]}}
    return sorted(w for w in words if w)


def scanned_files() -> list[Path]:
    files = [p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts
             and not (p.parent.name == "data" and p.name.startswith("sample"))]
    files += [p for p in (PKG / "report" / "templates").rglob("*") if p.suffix in (".j2", ".css", ".json")]
    files += sorted((ROOT / "notebooks").glob("*.py"))
    return sorted(files)


def hits() -> dict[str, list[str]]:
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w])" for w in forbidden_words()))
    out: dict[str, list[str]] = {}
    for p in scanned_files():
        rel = str(p.relative_to(ROOT))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line) and not any(re.search(a, line) for a in ALLOWED_LINES):
                out.setdefault(rel, []).append(f"{rel}:{n}: {line.strip()[:120]}")
    return out


def test_the_forbidden_words_come_from_the_plan():
    words = forbidden_words()
    assert {"Høje Gladsaxe", "Gladsaxe", "2014", "2017", "2020", "tryghed_og_trivsel"} <= set(words)


def test_no_code_names_one_plan():
    found = hits()
    unexplained = [line for rel, lines in found.items() if rel not in ALLOWANCES for line in lines]
    assert not unexplained, "code names one plan (make it plan data):\n" + "\n".join(unexplained)


def test_every_allowance_is_still_needed():
    found = hits()
    stale = [rel for rel in ALLOWANCES if rel not in found]
    assert not stale, f"no longer names the plan; remove from ALLOWANCES: {stale}"
