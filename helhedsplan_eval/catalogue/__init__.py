"""The catalogue: the plan and its success criteria as data.

``criteria`` loads and checks ``params/plan.yml`` and ``params/criteria.yml`` (areas, activities, budgets, the 43
criteria with their kind, parameters, periods and recorded readings) into :class:`Catalogue` and
:class:`Criterion`; ``spec`` holds the vocabulary (kinds, their parameters and types, units, Danish labels) and
``checks`` the checks of ``plan.yml`` and of a criterion's parameters; ``period`` the plan's period and years
(:class:`~.period.PlanPeriod`: plan years, their labels, the year of a date, baseline years, the data's bounds) and
``names`` the plan's names as the board reads them (:class:`~.names.PlanNames`). The plan is a folder (the default
``params/``, or ``--plan DIR``: :func:`helhedsplan_eval.paths.use_plan`). What lives here changes when the plan
changes, never when the data or the report does.

May import: the standard library, PyYAML and :mod:`helhedsplan_eval.paths`; it checks indicator names against the
indicators registered in :mod:`helhedsplan_eval.analysis` (``all_indicators.load_all``), imported inside the check
only (tests/test_house.py ``LAZY_UPWARD``).
"""

from helhedsplan_eval.catalogue.criteria import (KIND_LABELS_DA, Catalogue, CatalogueError, Criterion,  # noqa: F401
                                                 load_catalogue)
