"""3B's fællesskabs- og medborgerskabsundersøgelse 2017 vs 2020 (criterion TT-1).

Method (see ``/work/shared/research/survey.md``):

1. Each wave is raked (iterative proportional fitting) to *its own* register margins
   (department, age group, gender), starting from weight 1. Raking runs to convergence first;
   only if a weight then lies outside 0.3-3 times the mean weight N/n are the weights trimmed
   and re-raked (truncated raking), so the bounds change nothing when they do not bind.
   Both waves are weighted alike (:func:`plan_weighting`: the same raking variables, the same
   category collapsing from ``params/survey.yml``). Convergence is checked on every margin;
   Kish's effective sample size ``(Σw)²/Σw²`` and the weighting design effect ``n/n_eff`` are
   reported. Raking that misses the margins, a category with residents but no respondents (and
   no collapsing rule), a variable with margins in one wave only, too few respondents in a
   category and one respondent carrying more than ``reliability.max_weight_share`` of the
   weight make the comparison unreliable: :attr:`SurveyAnalysis.unreliable_reason`, the
   indicator's ``extra["unreliable"]`` and :func:`validation_warnings` say why, in Danish.
2. The fællesskab index is the person mean of the declared items (negatively worded items
   reversed, "ved ikke" = missing), computed when at least ``min_answered`` items are answered,
   rescaled to 0-100. Cronbach's alpha per wave is unweighted (it describes the instrument).
3. Weighted means and shares use Taylor-linearised standard errors for a one-stage design
   where each respondent is a PSU (R ``svydesign(ids=~1, weights=~w)``)::

       m = Σ w y / Σ w,  u_i = w_i (y_i - m) / Σ w,  SE = sqrt(n/(n-1) Σ (u_i - ū)²)

   Respondents without an answer are kept with u_i = 0 (domain estimation, as R's
   ``svymean(..., na.rm=TRUE)``). The primary SE is the calibration (raking) SE: u_i/w_i is
   replaced by its residual on the raking margins' dummies before the formula above (the exact
   limit of R's ``svyrecvar`` for ``rake()`` designs). It drives the decision; the fixed-weight
   SE, which overstates the spread after raking, is shown beside it. statsmodels ``DescrStatsW``/``CompareMeans``/``freq_weights``
   treat weights as frequency weights and give far too small SEs with survey weights, so they
   are deliberately not used. Share CIs are computed on the logit scale (R ``svyciprop``
   ``method="xlogit"``).
4. The wave difference uses independent samples: SE = sqrt(SE17² + SE20²), t with
   n17 + n20 - 2 degrees of freedom.

**Decision rule** (fixed here, before the 2020 data are seen, and stated in the report):
the local community is "stronger" in 2020 only if the whole 95 % CI of the weighted index
difference 2020 - 2017 lies above 0 (:func:`decide`). The minimum meaningful change
(``params/survey.yml``: ``decision.min_meaningful``, index points) is stated beside it: a change
whose estimate is below it is called small even when the CI lies above 0.

**Where it lives** (one concern per module; this package re-exports every name, so
``from helhedsplan_eval.analysis import survey; survey.analyse(...)`` keeps working):
``config`` (``params/survey.yml``), ``reading`` (the files and their validation), ``raking`` (IPF, bounds,
Kish), ``weighting`` (both waves weighted alike, with diagnostics), ``scores`` (items, index, alpha),
``calibration`` (the hand-written rake-adjusted SE), ``estimators`` (weighted means/shares, CIs, wave
difference), ``inference`` (rank test, Holm, Cohen's h), ``comparison`` (:func:`analyse` and the decision
rule), ``indicator`` (the registered ``faellesskab_index`` and the ``validate`` warnings; registered on
import), ``danish`` (numbers and labels as the board writes them), ``tables``, ``texts`` and ``charts``
(what the board sees, with disclosure control).

May import: :mod:`helhedsplan_eval.formatting`, :mod:`helhedsplan_eval.paths`, the indicator registry
(:mod:`helhedsplan_eval.analysis.registry`) and, inside :func:`faellesskab_index`, the status engine's
``IndicatorSeries``. The modules import one another by their full path (never this package), in the order
config < danish, reading, raking < weighting, scores, calibration < estimators < inference < comparison <
indicator, tables, texts, charts.
"""

from __future__ import annotations

from helhedsplan_eval.formatting import MISSING, NBSP, fmt_count, fmt_number, fmt_pct, fmt_pp  # noqa: F401
from helhedsplan_eval.paths import params_dir, resolve_path  # noqa: F401
from helhedsplan_eval.analysis.survey.config import (  # noqa: F401
    SOURCES, BASE_COLUMNS, MARGIN_COLUMNS, WAVE_COLUMNS, VARIABLE_LABELS, SurveyDataError, SurveyConfig, load_config,
    _load_config_cached)
from helhedsplan_eval.analysis.survey.reading import (  # noqa: F401
    _row, _bad, _as_int_series, validate_responses, validate_margins, validate_waves, read_survey_tables,
    _tables_from)
from helhedsplan_eval.analysis.survey.raking import (  # noqa: F401
    RakeResult, kish_n_eff, _bounded_factor, _ipf, rake)
from helhedsplan_eval.analysis.survey.weighting import (  # noqa: F401
    margins_dict, WeightingPlan, _resolve, plan_weighting, heavy_text, wave_weights)
from helhedsplan_eval.analysis.survey.scores import (  # noqa: F401
    scored_items, index_scores, cronbach_alpha, corrected_item_total)
from helhedsplan_eval.analysis.survey.calibration import (  # noqa: F401
    _calibration_influence, _se_from_influence, rake_adjusted_se)
from helhedsplan_eval.analysis.survey.estimators import (  # noqa: F401
    Estimate, linearised_mean, weighted_mean, xlogit_ci, korn_graubard_ci, weighted_share, Difference, difference)
from helhedsplan_eval.analysis.survey.inference import (  # noqa: F401
    rank_test, cohens_h, holm)
from helhedsplan_eval.analysis.survey.comparison import (  # noqa: F401
    decide, WaveData, UNRELIABLE_LEAD, SurveyAnalysis, _prepare_wave, _estimate_row, _item_table, _fixed, analyse,
    _robustness)
from helhedsplan_eval.analysis.survey.indicator import (  # noqa: F401
    faellesskab_index, validation_warnings)
from helhedsplan_eval.analysis.survey.danish import (  # noqa: F401
    MINUS, DASH, _num, _pct, _pp, _ci_text, _signed, _var_da, _cat_da)
from helhedsplan_eval.analysis.survey.tables import (  # noqa: F401
    _suppress, summary_table, SE_PRIMARY, SE_FIXED, uncertainty_table, HIDDEN_COUNT, item_table, methods_table,
    margins_table, department_table, robustness_table)
from helhedsplan_eval.analysis.survey.texts import (  # noqa: F401
    headline, table_html, text_html, unreliable_html, decision_text, methods_text, CAVEATS)
from helhedsplan_eval.analysis.survey.charts import (  # noqa: F401
    likert_chart_data, difference_chart_data, LIKERT_COLOURS, WAVE_COLOURS, plot_likert, plot_differences)

