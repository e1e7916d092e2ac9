"""The catalogue's vocabulary: the kinds of criterion, their parameters, units and labels.

Each kind names the evaluator in :mod:`helhedsplan_eval.analysis.status` that judges it; :data:`PARAM_SPECS` lists
the parameters that evaluator reads, with their type, so that :mod:`.checks` can refuse a typo instead of ignoring
it. The Danish labels are what the board reads.
"""

from __future__ import annotations

from typing import Any

REQUIRED_PARAMS = {
    "annual_minimum": ("target",),
    "minimum_share": ("target",),
    "cumulative_total": ("target",),
    "period_mean_change": ("baseline_year", "change"),
    "period_mean_max": (),
    "growth": ("baseline_year", "rate"),
    "yoy_growth": ("baseline_year", "rate"),
    "gap_target": ("baseline_year", "baseline_gap", "target_gap"),
    "gap_reduction_rate": ("baseline_year", "baseline_gap", "rate"),
    "survey_wave_increase": (),
    "milestone": ("due",),
    "qualitative": (),
    # issue 20
    "ratio_to_comparison": (),
    "two_tier": ("baseline_year",),
    "hold_baseline": ("baseline_year",),
    "count_units": ("min_met", "max_units"),
}

KIND_LABELS_DA = {
    "annual_minimum": "Årligt minimum",
    "minimum_share": "Mindsteandel",
    "cumulative_total": "Samlet antal over perioden",
    "period_mean_change": "Periodegennemsnit mod basisår",
    "period_mean_max": "Periodegennemsnit højst",
    "growth": "Vækst mod basisår",
    "yoy_growth": "Årlig vækst",
    "gap_target": "Forskel til sammenligningsgrundlag i slutåret",
    "gap_reduction_rate": "Forskel mindskes pr. år",
    "survey_wave_increase": "Stigning mellem to surveymålinger",
    "milestone": "Milepæl",
    "qualitative": "Kvalitativ vurdering",
    "ratio_to_comparison": "Forhold til sammenligningsgrundlag",
    "two_tier": "Mindstemål med ambition",
    "hold_baseline": "Niveauet fra basisåret fastholdes",
    "count_units": "Antal enheder, der opfylder kriterier",
}

UNIT_LABELS_DA = {
    "pct": "procent",
    "pp": "procentpoint",
    "count": "antal",
    "persons": "antal personer",
    "kr": "kr.",
    "rate": "pr. 100 børn",
    "index": "indeks 0-100",
    "number": "gennemsnit",
    "text": "tekst",
}


# The parameters each kind's evaluator (analysis/status/) reads, with their type: "number" (int or float),
# "int" (≥ 1), "count" (a whole number ≥ 0), "positive" (a number > 0),
# "year" (a whole year within the data years), "bool", "date" (YYYY-MM-DD) or a tuple of the
# allowed words. A key not listed for its kind is an error (a typo would otherwise be ignored).
PARAM_SPECS: dict[str, dict[str, Any]] = {
    "annual_minimum": {"target": "number", "target_alt": "number", "uncertainty": ("poisson", "none")},
    "minimum_share": {"target": "share", "scope": ("annual", "period"), "min_years": "int"},
    "cumulative_total": {"target": "number"},
    "period_mean_change": {"baseline_year": "year", "change": "number", "uncertainty": ("poisson", "none"),
                           "min_years": "int"},
    "period_mean_max": {"max": "number", "min": "number", "measure": ("gap",), "uncertainty": ("poisson", "none"),
                        "min_years": "int", "baseline": "number", "baseline_year": "year"},
    "growth": {"baseline_year": "year", "rate": "number", "mode": ("compound", "linear")},
    "yoy_growth": {"baseline_year": "year", "rate": "number", "rule": ("average", "every_year")},
    "gap_target": {"baseline_year": "year", "baseline_gap": "number", "target_gap": "number", "yearly": "bool"},
    "gap_reduction_rate": {"baseline_year": "year", "baseline_gap": "number", "rate": "number"},
    "survey_wave_increase": {"start_wave": "year", "end_wave": "year"},
    "milestone": {"due": "date"},
    "qualitative": {"due_year": "year"},
    "ratio_to_comparison": {"max": "positive", "min": "positive", "scope": ("end", "annual")},
    "two_tier": {"baseline_year": "year", "change": "number", "ambition": "number",
                 "uncertainty": ("poisson", "none"), "min_years": "int"},
    "hold_baseline": {"baseline_year": "year", "uncertainty": ("poisson", "none"), "min_years": "int"},
    "count_units": {"min_met": "int", "max_units": "count"},
}

# The directions each kind can judge ("up": more is better, "down": less is better). A kind that only judges
# "at least" (a minimum, a share, a total, growth, a survey increase) refuses "down": written with "down", its
# status would be reversed. Some kinds fix the direction by a parameter as well (see DIRECTION_BY_PARAM).
KIND_DIRECTIONS: dict[str, tuple[str, ...]] = {
    "annual_minimum": ("up",),
    "minimum_share": ("up",),
    "cumulative_total": ("up",),
    "period_mean_change": ("up", "down"),
    "period_mean_max": ("up", "down"),
    "growth": ("up",),
    "yoy_growth": ("up",),
    "gap_target": ("up", "down"),
    "gap_reduction_rate": ("up", "down"),
    "survey_wave_increase": ("up",),
    "milestone": ("up", "down"),
    "qualitative": ("up", "down"),
    "ratio_to_comparison": ("up", "down"),
    "two_tier": ("up", "down"),
    "hold_baseline": ("up", "down"),
    "count_units": ("down",),
}

# What to write instead when a direction contradicts the kind (Danish, for the catalogue check's message).
DIRECTION_SUGGESTIONS_DA = {
    "annual_minimum": "et loft ('højst N om året') skrives som kind period_mean_max med params {max: N} og "
                      "direction: down, eller som kind annual_minimum med direction: up, hvis målet er 'mindst'",
    "minimum_share": "en andel, der skal ned, skrives som kind period_mean_max med params {max: N} og direction: down",
    "cumulative_total": "et loft over perioden skrives som kind period_mean_max med params {max: N} og "
                        "direction: down",
    "growth": "et fald skrives som kind period_mean_change med en negativ change (fx -0.2) og direction: down",
    "yoy_growth": "et fald skrives som kind period_mean_change med en negativ change (fx -0.2) og direction: down",
    "survey_wave_increase": "kind survey_wave_increase måler kun en stigning; skriv direction: up",
    "count_units": "kind count_units er et loft ('højst max_units enheder'); skriv direction: down",
}

# fields of an entry in criteria.yml
CRITERION_FIELDS = ("id", "area", "activity", "text", "text_strategic", "source", "indicator", "indicator_args", "unit",
                    "direction", "kind", "params", "period", "years", "linked_to", "readings", "chosen_reading",
                    "reason", "alternatives", "short", "counts", "component_of")

# What a criterion's counts are about (issue 21): "persons" (suppressed under min_cell everywhere the board looks:
# value, target path, remaining effort, best year, chart) or "units" (businesses, events, visits, cases of an
# amount: shown as they are). Default by unit; a count of something else than persons says so in criteria.yml.
COUNTS = ("persons", "units")
PERSON_UNITS = ("persons", "pct")  # a share is a share of persons: its numerator and denominator are persons


def default_counts(unit: str) -> str:
    """``counts`` when criteria.yml does not say: persons for a count of persons and for shares, else units."""
    return "persons" if unit in PERSON_UNITS else "units"

_EXPECTED_DA = {"number": "et tal", "int": "et helt tal", "year": "et årstal (helt tal)", "bool": "true eller false",
                "date": "en dato (ÅÅÅÅ-MM-DD)", "share": "et tal mellem 0 og 100 (procent)", "str": "en tekst"}

_TYPE_MD = {"number": "number", "int": "whole number", "year": "year", "bool": "true/false", "date": "YYYY-MM-DD",
            "share": "percent 0–100", "str": "text"}


def kinds_markdown() -> str:
    """README "Adding a criterion": one row per kind with its id, Danish label, parameters (required ones in
    bold, with their type or allowed words) and the directions it allows; tests/test_catalogue.py checks that
    the README holds exactly this table."""
    rows = ["| kind | Danish label | params (**required**) | direction |", "|---|---|---|---|"]
    for kind, spec in PARAM_SPECS.items():
        params = []
        for key, typ in spec.items():
            t = " \\| ".join(f"`{w}`" for w in typ) if isinstance(typ, tuple) else _TYPE_MD.get(typ, typ)
            name = f"**`{key}`**" if key in REQUIRED_PARAMS.get(kind, ()) else f"`{key}`"
            params.append(f"{name} ({t})")
        dirs = " or ".join(f"`{d}`" for d in KIND_DIRECTIONS.get(kind, ("up", "down")))
        rows.append(f"| `{kind}` | {KIND_LABELS_DA.get(kind, kind)} | {', '.join(params) or '–'} | {dirs} |")
    return "\n".join(rows)
