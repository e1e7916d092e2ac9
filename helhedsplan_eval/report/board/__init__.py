"""Board-facing building blocks for the notebooks (Danish text, Danish number formats).

The notebooks only call these functions (``from helhedsplan_eval.report import board as report``;
``report.AreaReport(...)``): every number they show is computed here or in the modules below, and can be
tested without Jupyter. Output is HTML with inline styles (so it looks the same in JupyterLab and in the
rendered board pages) and matplotlib figures. Status is always shown as colour **and** text.

One module per concern, all names re-exported here:

- :mod:`.output`: the board's mark on what a notebook shows (``html``, ``markdown``, ``table``): the annual run
  puts only marked outputs on a board page;
- :mod:`.parameters`: the papermill parameter check and the synthetic-data banner;
- :mod:`.tables`: status badges, the generic HTML table, the criteria table, source names, budget rows;
- :mod:`.targets`: the target in words and units (``goal_text``);
- :mod:`.charts`: the criterion chart, axis helpers, alt texts, figures as inline PNG images;
- :mod:`.area`: the intervention-area report (``AreaReport``), activity figures, one criterion's status;
- :mod:`.overview`: the board overview (``Overview``) and the guide to reading a status;
- :mod:`.provenance`: the closing provenance note.
"""

from __future__ import annotations

from helhedsplan_eval.analysis.evaluate import _truncate  # noqa: F401  (kept reachable as before the split)
from helhedsplan_eval.report.board.area import (AreaReport, activity_summary, criterion_status,  # noqa: F401
                                                criterion_status_html)
from helhedsplan_eval.report.board.charts import (AXIS_LABELS, CHART_RC, COMPARISON_LABELS, _axis_label,  # noqa: F401
                                                  area_label, comparison_labels,
                                                  _chart_theme, _tidy_y_axis, _year_ticks, chart_alt_text,
                                                  criterion_chart, figure_html)
from helhedsplan_eval.report.board.output import (BOARD_KEY, BOARD_MARK, BoardOutput, html,  # noqa: F401
                                                  is_board_output, markdown, table)
from helhedsplan_eval.report.board.overview import STATUS_GUIDE, Overview  # noqa: F401
from helhedsplan_eval.report.board.parameters import (FIRST_PLAN_YEAR, LAST_PLAN_YEAR, SYNTHETIC_TEXT,  # noqa: F401
                                                      ParameterError, _html, banner_html, check_parameters,
                                                      data_banner, is_synthetic, synthetic_text)
from helhedsplan_eval.catalogue.names import plan_names  # noqa: F401  (the page titles of notebooks)
from helhedsplan_eval.report.board.provenance import PARAM_NAMES_DA, provenance, provenance_html  # noqa: F401
from helhedsplan_eval.report.board.tables import (ATTENTION, E, _status_of, _table, badge,  # noqa: F401
                                                  budget_rows, criteria_table_html, html_table, source_names)
from helhedsplan_eval.report.board.targets import _span, goal_text  # noqa: F401
