"""helhedsplan_eval: evaluation suite for Helhedsplan Høje Gladsaxe 2017-2020.

The package reads the records each data source keeps, validates them, computes the
indicators behind the agreement's 43 success criteria, and gives every criterion a
status per evaluation year. Notebooks in ``notebooks/`` only call into this package.
"""

__version__ = "0.1.0"
