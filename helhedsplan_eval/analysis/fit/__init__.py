"""FIT (ORS/CORS/SRS) and collateral scores from the family courses (familiekurser).

Three success criteria of the agreement rest on Feedback Informed Treatment forms that the
Gladsaxe Familie- og Ungecenter collects around the family courses:

* ``FF-FAM-2`` / indicator ``fit_parent_self`` - stream A: the parent rates themself (ORS);
* ``FF-FAM-3`` / indicator ``fit_parent_child`` - stream B: the parent rates the child (ORS/CORS
  collateral);
* ``FF-FAM-4`` / indicator ``fit_referrer_child`` - stream C: the referring professional rates the
  child (collateral), specialgruppe only, 2018 and 2019 pooled (agreement footnote 21).

Scoring (research note ``fit.md`` section 1)
-------------------------------------------
Four items of 0-10 (one decimal) add up to a total of 0-40; higher is better. A record with
only a total is accepted and its items are set to total/4 (OpenFIT import rule, T15). A missing
item is never read as 0: a form with an item missing and no total has no score and is reported
as a problem. Values outside the ranges are reported (file, line, column, value, what was
expected) and the record is left out. SRS (session alliance) forms are process information and
never enter an outcome episode.

Episodes
--------
One episode per course x rated person x rater x stream, from the ORS/CORS forms only. The rater
is the optional column ``rater_id``: two parents rating the same child in one course are two
episodes. Absent or blank means "the one rater" (as before the column existed): a blank form
joins the only rater named for that course, person and stream; when two or more are named it
cannot be placed and is left out (error); without any rater id, two forms on the same date
about the same child get a warning (they may come from two raters). A self-rating (stream A)
is rated by the parent: its ``rater_id`` must be blank or the parent's own id.

Intake is the first form, last the most recent, ordered by date, then by the number in the
administration id (natural order: ``A10`` after ``A9``), then by file line. An episode is
analysable with at least two scores (OpenFIT: "no progression defined" with one score, T16);
single-score episodes are counted as attrition and left out of every change metric and share.
A total of 0 is kept with a warning (0 must never stand for a missing answer).

**Year rule.** An episode belongs to the calendar year of its last (closing) score, in every
stream. Episodes are built from all forms, whatever their year, so an episode that crosses 1
January keeps its intake: a referrer episode from November 2017 to March 2018 is a 2018
episode with its 2017 intake. FF-FAM-4 ("henvisende samarbejdspartnere i 2018 og 2019") uses
the referrer episodes whose closing rating is dated 2018 or 2019, from the specialgruppe only
(collateral scores exist only there); an episode that starts in 2019 and closes in January
2020 is a 2020 episode, outside the criterion, and the indicator's notes say how many there are.

Units (what the 65 % is a share of)
-----------------------------------
The agreement counts parents for FF-FAM-2 ("65 % af forældrene") and FF-FAM-3 ("65 % af de
forældre ... oplever øget trivsel hos deres børn") and referring partners for FF-FAM-4 ("65 %
af de henvisende samarbejdspartnere"). So the shares are over units: the parent (A), the
rating parent (B, ``rater_id``), the referring partner (C, ``rater_id``). A unit with several
analysable episodes in a year (a parent rating two children, a referrer rating several)
counts once, with the mean change of its episodes. Without a rater id each episode is its own
unit (the rater cannot be known), which is the count used before. FF-FAM-4 pools 2018 and 2019,
so a referrer counts once: all its 2018-2019 episodes count in the year of its latest one.
Counts of episodes, means, effect sizes and the Jacobson-Truax categories stay per episode.

Readings of "oplever øget trivsel" - which one drives the status
----------------------------------------------------------------
Both are computed and shown everywhere, side by side:

* literal reading ("bogstavelig læsning"): the last score is higher than the intake score
  (any increase, ``last > intake``);
* reliable reading ("pålidelig forbedring"): the increase is at least the reliable-change
  threshold, by default 5 points (``change >= 5``), the RCI quoted for the ORS in PCOMS
  practice. Beside it the Jacobson-Truax RCI computed from the data (baseline SD of the
  stream's intake scores, Cronbach's alpha of the intake items or 0.93 when there are too few
  complete item sets) and the share improving beyond that RCI;
* sensitivity reading ("pålidelig forbedring blandt dem, der startede under den kliniske
  grænse", ``reliable_below``): the reliable reading among the units who started below the
  clinical cut-off only. Parents who start at a non-clinical level have little room to improve
  (OpenFIT: intake is often high for referred families), so this shows how much the verdict
  depends on who joined the course. Shown beside the other two, never used for the status.

**The reliable reading drives the status.** Reasons: (1) the forms are 10 cm visual analogue
lines; a change of a few points lies within the measurement error of the instrument, so under
the literal reading about half of the families whose well-being did not change at all would
still count as "improved", and the 65 % target would sit only 15 points above pure chance;
(2) the 65 % target matches the PCOMS benchmark band for "reliable and/or clinically
significant change" (65.6 % benchmarking study, 67.5 % RCTs; research note section 3), which is
what the FIT method the family centre uses calls improvement; (3) the agreement leaves the
processing and interpretation to the family centre's FIT practice, where reliable change is
the standard reading. The literal share is never hidden: the board tables and the indicator
``extra["readings"]`` carry it for every year, and the notebook names the reading used. The
status table evaluates all three readings with the status engine and
:func:`reading_sensitivity_text` says, per criterion, whether the reading decides the status.
The choice is the constant :data:`STATUS_READING` (in ``params``); changing it to ``"literal"`` switches
the indicators.

Conventions
-----------
* Fixed threshold: ``change >= threshold`` is reliable improvement, ``change <= -threshold``
  reliable deterioration (T13: 20 -> 25 is reliable and, with cutoff 25, recovered). The
  data-driven Jacobson-Truax RCI is a continuous value and uses the strict rule of Jacobson &
  Truax / CECPfuns (``|change| > RCI``, T3).
* Cut-offs (score at or above = non-clinical): adult (18+) 25, adolescent (13-17) 28, child
  (under 13) 32. The course children are 0-6 years; the CORS/YCORS has no validated cutoff
  under 6, so the child cutoff 32 is used for them and the board text says so. Missing age:
  adult for stream A, child for streams B and C.
* Jacobson-Truax categories (on the fixed threshold): recovered (reliable improvement from
  below the cutoff to at or above it), improved (other reliable improvement), unchanged,
  deteriorated (reliable deterioration).

Disclosure control for board tables, charts and texts
-----------------------------------------------------
Counts of 1 to ``min_cell - 1`` show as "<5"; means and effect sizes over fewer than
``min_cell`` episodes and shares over fewer than ``min_cell`` units show as "–" and are never
chart points. Secondary suppression (:func:`suppress_groups`) hides further cells ("skjult")
wherever a hidden count could be worked out from what the reader sees: started = analysable +
single-score, units = below + at/above the cut-off, analysable episodes ~ units (linked), 'I alt'
= the sum of the years, the Jacobson-Truax categories against the analysable episodes and the
reliable improvements (known from the share), and the histogram bins against the same totals.
Counts quoted outside the stream tables (the readings and status tables, the collateral
sentence, the chart labels) are taken from the stream table as shown, so a count it hides is
hidden everywhere; the status explanation then gives the share without counts. The
indicators' notes use the disclosure threshold in force (the status engine's ``MIN_CELL``, set
by the run's ``min_cell``). The status engine gives no verdict over fewer than ``min_cell``
units. No ids, dates or free text leave this module through :func:`board_tables` /
:func:`chart_data` / :func:`status_table`; :func:`problem_table` (file, line, value) is for the
evaluator only and must not go into board HTML.

Board language: Danish throughout; English terms only with a Danish explanation; a real minus
sign (U+2212) and ranges with an en dash ("39,7–89,2 %", :func:`fmt_range`).

Modules
-------
``params`` (constants, labels, :class:`Problem`) < ``formulas`` (RCI, alpha, categories) < ``scoring``
(forms) < ``episodes`` (episodes, raters, units) < ``summary`` (metrics, :class:`FitData`,
:func:`prepare`) < ``indicators`` (the three registered indicators); ``suppression`` (count tables) <
``board`` (board tables) < ``verdicts`` (status under the readings), ``charts`` (chart data, plots);
``validation`` (data note, issues, problem table). Every public name (and the private helpers the tests
use) is re-exported here, so ``from helhedsplan_eval.analysis import fit; fit.prepare(...)`` works as
before, and importing this package registers the indicators.
"""

from __future__ import annotations

from helhedsplan_eval.analysis.fit.params import (  # noqa: F401
    ADMIN_FILE,
    CATEGORIES,
    CATEGORY_LABELS,
    COLLATERAL_YEARS,
    COURSE_FILE,
    CUTOFFS,
    DEFAULT_RELIABILITY,
    DEFAULT_THRESHOLD,
    EN_DASH,
    FIRST_YEAR,
    ITEM_COLS,
    MINUS,
    MIN_ITEM_SETS_FOR_ALPHA,
    OUTCOME_SCALES,
    Problem,
    READINGS,
    READING_LABELS,
    READING_SHORT,
    SRS_CONCERN,
    SRS_SCALE,
    STATUS_READING,
    STREAMS,
    STREAM_CRITERION,
    STREAM_INDICATOR,
    STREAM_LABELS,
    STREAM_SHORT,
    SUPPRESSED,
    UNIT_WORD,
    VALID,
)
from helhedsplan_eval.analysis.fit.formulas import (  # noqa: F401
    _clean_delta,
    classify_change,
    cronbach_alpha,
    csc_cutoff,
    cutoff_for_age,
    items_from_total,
    jt_category,
    natural_key,
    rci_points,
)
from helhedsplan_eval.analysis.fit.scoring import (  # noqa: F401
    _has_more_than_one_decimal,
    _is_blank,
    _to_float,
    score_administrations,
)
from helhedsplan_eval.analysis.fit.episodes import (  # noqa: F401
    EPISODE_COLUMNS,
    EPISODE_KEY,
    _resolve_raters,
    add_classification,
    assign_unit_years,
    build_episodes,
    unit_outcomes,
)
from helhedsplan_eval.analysis.fit.summary import (  # noqa: F401
    FitData,
    _PREPARED,
    _reading_keys,
    _share,
    courses_per_year,
    from_bundle,
    prepare,
    specialgruppe_size,
    srs_summary,
    stream_table,
    summarise,
)
from helhedsplan_eval.analysis.fit.indicators import (  # noqa: F401
    _expected_years,
    _min_cell_now,
    _missing_series,
    _series_cls,
    fit_parent_child,
    fit_parent_self,
    fit_referrer_child,
    stream_series,
)
from helhedsplan_eval.analysis.fit.suppression import (  # noqa: F401
    _fmt_counts_with_mask,
    secondary_suppression,
    suppress_groups,
)
from helhedsplan_eval.analysis.fit.board import (  # noqa: F401
    _col_label,
    _fmt_ci,
    _is_number_text,
    _num,
    _pct,
    _shown_count,
    _signed,
    _stream_years,
    _units_label,
    _units_text,
    board_tables,
    category_board_table,
    collateral_applicability,
    fmt_range,
    participation_board_table,
    readings_board_table,
    share_row,
    srs_board_table,
    stream_board_table,
)
from helhedsplan_eval.analysis.fit.verdicts import (  # noqa: F401
    reading_sensitivity_text,
    status_table,
)
from helhedsplan_eval.analysis.fit.validation import (  # noqa: F401
    _file_rows,
    _years_text,
    data_note,
    problem_table,
    validation_issues,
)
from helhedsplan_eval.analysis.fit.charts import (  # noqa: F401
    _tick,
    chart_data,
    plot_change_distribution,
    plot_intake_last,
    plot_shares,
)
from helhedsplan_eval.analysis.stats import wilson_interval  # noqa: F401  (fit.wilson_interval, as before)
