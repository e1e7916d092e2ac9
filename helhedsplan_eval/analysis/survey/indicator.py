"""The registered indicator ``faellesskab_index`` (criterion TT-1) and the survey's warnings for
``helhedsplan-eval validate``. Importing this module registers the indicator.

One reason to change: what the status engine and ``validate`` get from the survey.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.survey.comparison import analyse
from helhedsplan_eval.analysis.survey.config import SOURCES, SurveyDataError, load_config


@indicator("faellesskab_index", sources=SOURCES)
def faellesskab_index(bundle, years):
    """Weighted fællesskab index per wave (0-100) and the 2020 - 2017 difference.

    ``data`` is indexed by the wave years (2017, 2020); a wave not in the data, or after the
    last of ``years``, has NaN values (never 0). ``se``/``ci_*`` are the calibration (raking)
    ones, which drive the decision; ``se_fixed`` is the fixed-weight SE. ``extra`` holds the
    difference, its CI, the minimum meaningful change and the decision (kind
    ``survey_wave_increase``), and ``extra["unreliable"]`` (one Danish sentence) when the
    comparison cannot be judged reliably (weighting problems, :func:`analyse`)."""
    from helhedsplan_eval.analysis.status import IndicatorSeries

    cfg = load_config()
    years = [int(y) for y in years] if years is not None else cfg.waves
    last = max(years) if years else cfg.end_wave
    cols = ["value", "se", "ci_low", "ci_high", "n", "se_fixed"]
    data = pd.DataFrame(np.nan, index=pd.Index(cfg.waves, name="year"), columns=cols)
    extra = {"diff": math.nan, "ci_low": math.nan, "ci_high": math.nan,
             "min_meaningful": cfg.min_meaningful, "unit_label": cfg.unit_label}
    missing = bundle.table("survey_responses") is None or bundle.table("survey_margins") is None
    notes: list[str] = []
    if bundle.table("survey_responses") is not None:
        an = analyse(bundle, evaluation_year=last, cfg=cfg)
        for w in an.index.index:
            r = an.index.loc[w]
            data.loc[w, cols] = [r["value"], r["se"], r["ci_low"], r["ci_high"], r["n"], r["se_fixed"]]
        extra.update({"diff": an.index_diff.diff, "ci_low": an.index_diff.ci_low,
                      "ci_high": an.index_diff.ci_high, "se": an.index_diff.se,
                      "se_method": "calibration",
                      "se_fixed": an.index_diff_fixed.se if an.index_diff_fixed else math.nan,
                      "p_value": an.index_diff.p_value, "decision": an.decision["code"],
                      "decision_text": an.decision["text"], "meaningful": an.decision["meaningful"]})
        if an.has_comparison and an.unreliable_reason:
            extra["unreliable"] = an.unreliable_reason
        notes.extend(an.notes)
        if bundle.table("survey_margins") is None:
            notes.append("Uden befolkningstal er indekset beregnet uvægtet.")
    return IndicatorSeries(indicator="faellesskab_index", unit="indeks", data=data,
                           expected_years=list(cfg.waves), notes=notes, extra=extra,
                           source_missing=bool(missing))


def validation_warnings(bundle, evaluation_year: int | None = None) -> list[str]:
    """Danish warnings about the survey for ``helhedsplan-eval validate``: every reason the
    2017/2020 comparison cannot be judged reliably, and the weighting notes (collapsed categories,
    trimmed weights). No respondent ids and no values of individuals. Empty when the survey is
    not delivered (the contract reports missing sources) or nothing is wrong."""
    try:
        if bundle.table("survey_responses") is None:
            return []
    except Exception:  # noqa: BLE001 - not a bundle we can read: nothing to add
        return []
    cfg = load_config()
    year = cfg.end_wave if evaluation_year is None else int(evaluation_year)
    try:
        an = analyse(bundle, evaluation_year=year, cfg=cfg)
    except SurveyDataError:
        return ["Fællesskabsundersøgelsen kan ikke analyseres, fordi data ikke passer til kontrakten "
                "(se fejlene for survey_responses/survey_margins)."]
    out = []
    if an.unreliable_reason:
        out.append("Fællesskabsundersøgelsen: " + an.unreliable_reason)
    keep = list(an.plan.notes if an.plan else []) + [n for n in an.notes if "kunne ikke holdes inden for" in n]
    out.extend(f"Fællesskabsundersøgelsen: {n}" for n in dict.fromkeys(keep))
    return out
