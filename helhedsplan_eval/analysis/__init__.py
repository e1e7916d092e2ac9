"""The analysis: indicators computed from the records, the status engine, FIT, the survey and statistics.

``registry`` holds the indicator functions by name (it imports nothing of the package); ``indicators`` computes
each criterion's yearly series from the bundle; ``all_indicators`` is the one module that imports every module
registering indicators (``indicators``, ``fit``, ``survey``); ``status`` judges a series against its
criterion (one evaluator per kind); ``evaluate`` does that for every criterion of a year; ``fit`` and ``survey`` are the two specialised analyses; ``stats`` the intervals.
Nothing here decides what the board may see: that is :mod:`helhedsplan_eval.report.disclosure`.

May import: :mod:`helhedsplan_eval.catalogue`, :mod:`helhedsplan_eval.data`, :mod:`helhedsplan_eval.formatting`,
:mod:`helhedsplan_eval.paths`; :mod:`.evaluate` also wraps its results for the board with
:mod:`helhedsplan_eval.report.disclosure`, imported inside those wrappers only (``YearResult.board_*``,
``warnings_for``), never at module level (tests/test_house.py ``LAZY_UPWARD``).
"""
