"""Indicator functions: record-level data in, yearly series out.

Each function is registered under the id that ``params/criteria.yml`` names, takes a
:class:`~helhedsplan_eval.data.bundle.DataBundle` and the years to compute, and returns an
:class:`~helhedsplan_eval.analysis.status.IndicatorSeries`. Counts of unique people are computed from
pseudonymous ids, de-duplicated across activities and years where the criterion says so.

**Coverage rule (missing years are never zeros).** For a record-level source, a year counts as
delivered when it lies between the plan's first year (or the first record, if earlier) and the
last year with any record; years after the last record are *missing*, not zero. For a **spell
register** (``SPELL_SOURCES``: records with a start and an optional end, e.g. volunteers,
homework-buddy courses, bydelsmødre, pocket-money jobs, Skur 2's regular users) the last covered
year is the last year in which any spell is *active* (an open spell is active up to the last year
computed), not the last year in which one *starts*. A data folder can state coverage explicitly
in ``manifest.yml`` (``coverage: {source: [years]}``), e.g. when a source truly had no records in
its last year. Aggregate sources are delivered for the rows present.

**A baseline is never a silent zero.** Count indicators carry a ``records`` column: the number of
the source's records (for spell registers: active spells) in each year, before any filter, and
``extra['declared_years']``, the years ``manifest.yml`` declares covered. The status engine treats
a baseline year with no records at all as missing unless the manifest declares it covered.

Person counts in notes are written with :func:`~helhedsplan_eval.formatting.fmt_count` and the
evaluation's disclosure threshold (``status.MIN_CELL``): under it they show as "<5".

Layout (issue 11): :mod:`.common` holds the coverage rule and the shared builders; one module per source family
registers its indicators on import (:mod:`.registers`, :mod:`.logbook`, :mod:`.community`, :mod:`.youth`,
:mod:`.assessments`, and the generic indicators parameterised in ``criteria.yml``, :mod:`.generic`, whose arguments
:mod:`.generic_checks` checks). :mod:`.arguments` checks every indicator's arguments against the data contract when
the catalogue loads (issue 20: no silent 0). Importing this package imports them all; every name is re-exported here.
"""

from __future__ import annotations

from helhedsplan_eval.analysis.indicators.common import (SPELL_SOURCES, _count_by_year, _cumulative,
                                                         _empty, _frame, _n, _records, _source_years, _year_of, _years_list, _years_of, compute_once,
                                                         covered_years, declared_years, plan_start, source_coverage, spell_counts)
from helhedsplan_eval.analysis.indicators.registers import (_area_vs, bkf_measure, complaints_common_areas,
                                                            concern_cases, police_safety, register_measure,
                                                            ung_i_gladsaxe_participants, vandalism_costs,
                                                            youth_public_support)
from helhedsplan_eval.analysis.indicators.logbook import (active_parents, activity_events, _attendance,
                                                          common_area_events, course_families, _event_count, _events,
                                                          mean_headcount, PARTICIPANT_ROLES, regular_share,
                                                          resident_run_events, skur2_resident_events,
                                                          unique_participants)
from helhedsplan_eval.analysis.indicators.community import (_bm_active, bydelsmoedre_trained,
                                                            bydelsmoedre_visited_families, bydelsmoedre_volunteering,
                                                            outreach_followed_share, outreach_new_regulars,
                                                            outreach_visits)
from helhedsplan_eval.analysis.indicators.youth import (active_volunteers, _add_months, dannelse_strengthened,
                                                        homework_buddy_courses, homework_cafe_regulars,
                                                        leisure_jobs_established, micro_businesses,
                                                        pocket_money_moved_on, risk_group_active_leisure,
                                                        _share_by_year)
from helhedsplan_eval.analysis.indicators.assessments import assessment
from helhedsplan_eval.analysis.indicators.generic import (column_mean, column_sum, frequent_persons,  # noqa: F401
                                                          persons_cumulative, persons_per_year, records_per_year,
                                                          records_share, spells_lasting, units_meeting)
