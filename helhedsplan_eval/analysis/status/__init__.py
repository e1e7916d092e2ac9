"""The status engine: one evaluator per kind of success criterion (a subpackage).

Every evaluator takes a criterion (from the catalogue), the yearly indicator series and an
evaluation year, and returns an :class:`Evaluation`: the figures used, the target and the
target-path value for the year, the status, the remaining effort and a one-sentence Danish
explanation.

Rules shared by all kinds (documented in the README, tested in ``tests/test_status.py``):

* **Precedence.** *Ikke aktuel endnu* (the criterion cannot be judged this year: its period
  has not started, the survey wave or milestone is not due) → *Afventer data* (a value the
  judgement needs is not delivered) → final (*Opfyldt* / *Ikke opfyldt* once the target
  period has closed) → interim (*På vej* / *Ikke på vej* against a target path).
* **Target path.** Interim judgements follow peers.md §2: the ratio R of achieved to
  required progress, on track from R ≥ 0,95 (Statistics Canada / Open SDG thresholds); for
  period means, on track when the level of the latest year, held for the remaining years,
  reaches the target.
* **Missing years are never zeros.** A missing year is named in the explanation. Period means
  are taken over the years delivered; a final judgement needs at least half of the period's
  years (``min_years``), else *Afventer data*. **No verdict without the year it judges** (:mod:`.coverage`,
  applied to every kind by :func:`evaluate`): when the judged year (the evaluation year, once the period has
  closed its last year) is not delivered, the status is *Afventer data*, except for a cumulative total already
  reached, a period kind whose catalogue entry sets ``min_years``, and an interim gap (register lag).
* **Uncertainty.** Shares carry a Wilson interval, small incident counts an exact Poisson
  interval (where the criterion declares ``uncertainty: poisson``). When the interval
  straddles the target (or the path value), the label says "(usikkert)".
* **Gaps** to a comparison population are measured in the unfavourable direction
  (``direction: up`` → comparison − area; ``down`` → area − comparison), so a smaller gap is
  always better and a gap may change sign.

Layout: :mod:`.types` (status words, :class:`IndicatorSeries`, :class:`Evaluation`), :mod:`.common` (the
disclosure threshold, comparisons, formatting, missing-data texts, uncertainty), one module per family of kinds
(:mod:`.counts`, :mod:`.means`, :mod:`.growth`, :mod:`.gaps`, :mod:`.assessments`, and issue 20's :mod:`.ratio`,
:mod:`.tiers`, :mod:`.units`) and :mod:`.engine`
(``EVALUATORS``, :func:`evaluate`, :func:`target_path`). Every name is re-exported here, so
``from helhedsplan_eval.analysis import status; status.evaluate(...)`` keeps working; ``status.MIN_CELL`` is
read from :mod:`.common` at the time of the call (see :func:`disclosure_threshold`).
"""

from __future__ import annotations

from helhedsplan_eval.analysis.status import common as _common
from helhedsplan_eval.analysis.status.assessments import (ASSESSMENT_LABELS, eval_milestone, eval_qualitative,
                                                          eval_survey_wave_increase)
from helhedsplan_eval.analysis.status.common import (EPS, _base, _baseline_missing, _baseline_missing_text, _bounds, _fmt, _fmt_obs,
                                                     _figures, _gap, _gap_missing_text, _ge, _le, _min_years,
                                                     _missing_text, _no_baseline_records, _span, _straddles, _whole,
                                                     _years, disclosure_threshold, tidy_text)
from helhedsplan_eval.analysis.status.counts import eval_annual_minimum, eval_cumulative_total, eval_minimum_share
from helhedsplan_eval.analysis.status.engine import EVALUATORS, _until, as_component, evaluate, target_path
from helhedsplan_eval.analysis.status.gaps import _latest_gap, eval_gap_reduction_rate, eval_gap_target
from helhedsplan_eval.analysis.status.growth import _growth_target, eval_growth, eval_yoy_growth
from helhedsplan_eval.analysis.status.means import (_mean_remaining_text, _period_stats, eval_period_mean_change,
                                                    eval_period_mean_max)
from helhedsplan_eval.analysis.status.types import (ASSESSED, AWAITING, COMPONENT, COMPONENT_NAME, MET, NO_JUDGEMENT, NOT_MET, NOT_YET, OFF_TRACK,
                                                    ON_TRACK, ON_TRACK_RATIO, STATUS_COLOURS, STATUSES, SUPPRESSED,
                                                    UNCERTAIN_SUFFIX, UNJUDGEABLE, Evaluation, IndicatorSeries)


def __getattr__(name: str):
    """``status.MIN_CELL``: the disclosure threshold in force now (it changes inside
    :func:`disclosure_threshold`, so it is looked up, not copied)."""
    if name == "MIN_CELL":
        return _common.MIN_CELL
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ASSESSED", "ASSESSMENT_LABELS", "AWAITING", "COMPONENT", "COMPONENT_NAME", "EPS", "EVALUATORS", "Evaluation", "IndicatorSeries", "MET",
           "NO_JUDGEMENT", "NOT_MET", "NOT_YET", "OFF_TRACK", "ON_TRACK", "ON_TRACK_RATIO", "STATUSES",
           "STATUS_COLOURS", "SUPPRESSED", "UNCERTAIN_SUFFIX", "UNJUDGEABLE", "as_component", "disclosure_threshold",
           "eval_annual_minimum", "eval_cumulative_total", "eval_gap_reduction_rate", "eval_gap_target",
           "eval_growth", "eval_milestone", "eval_minimum_share", "eval_period_mean_change", "eval_period_mean_max",
           "eval_qualitative", "eval_survey_wave_increase", "eval_yoy_growth", "evaluate", "target_path",
           "tidy_text"]
