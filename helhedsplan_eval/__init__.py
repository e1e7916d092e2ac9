"""helhedsplan_eval: evaluation suite for helhedsplaner (the plan is configuration: params/ or --plan DIR).

The package reads the records each data source keeps, validates them, computes the
indicators behind the agreement's 43 success criteria, and gives every criterion a
status per evaluation year. Notebooks in ``notebooks/`` only call into this package.

For researchers, one entry point (see the README, "Using the package from Python")::

    import helhedsplan_eval as he
    k = he.criterion("TT-2", data="data/sample")  # year: default the plan's last year
    k.criterion, k.records, k.series, k.evaluation, k.board_evaluation, k.chart()

``criterion`` is imported lazily, so ``import helhedsplan_eval`` loads neither pandas nor matplotlib.
"""

__version__ = "0.1.0"

_LAZY = {"criterion": "api", "CriterionResult": "api", "CriterionArgumentError": "api"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


__all__ = ["__version__", *_LAZY]
