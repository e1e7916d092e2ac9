"""Notebook parameters and the first screen: the papermill parameter check and the synthetic-data banner."""

from __future__ import annotations

from pathlib import Path

from helhedsplan_eval.data.manifest import is_synthetic  # noqa: F401  (the data layer's rule, re-exported here)
from helhedsplan_eval.paths import argument_problems, plan_years



def first_plan_year() -> int:
    """The active plan's first year (plan.yml, ``plan.period``): the catalogue is data."""
    return plan_years()[0]


def last_plan_year() -> int:
    """The active plan's last year (plan.yml, ``plan.period``)."""
    return plan_years()[1]


def __getattr__(name: str):
    """``FIRST_PLAN_YEAR`` / ``LAST_PLAN_YEAR``: the active plan's years when asked (older name)."""
    if name == "FIRST_PLAN_YEAR":
        return first_plan_year()
    if name == "LAST_PLAN_YEAR":
        return last_plan_year()
    if name == "SYNTHETIC_TEXT":
        return synthetic_text()
    raise AttributeError(name)


class ParameterError(ValueError):
    pass


def _html(s: str):
    """The building blocks' HTML as the notebook shows it, with the board's mark (see :mod:`.output`)."""
    from helhedsplan_eval.report.board.output import html

    return html(s)


def check_parameters(evaluation_year, data_dir, min_cell=5, plan_dir=None) -> Path:
    """Check the papermill parameters (papermill checks nothing), make ``plan_dir`` (a plan folder; None or
    "params": the project's params/) the notebook's plan, and return the data folder.

    Raises :class:`ParameterError` with a Danish message naming every problem."""
    if plan_dir is not None:
        from helhedsplan_eval.paths import resolve_path, use_plan

        if not isinstance(plan_dir, (str, Path)) or not (resolve_path(plan_dir) / "plan.yml").is_file():
            raise ParameterError(f"Ugyldige parametre: plan_dir skal være en planmappe med plan.yml, ikke {plan_dir!r}.")
        use_plan(plan_dir)
    problems, path = argument_problems(evaluation_year, min_cell, data_dir)  # the API's check too
    if problems:
        raise ParameterError("Ugyldige parametre: " + "; ".join(problems) + ".")
    return path


def synthetic_text() -> str:
    """The synthetic-data notice, naming the active plan's area."""
    import html

    from helhedsplan_eval.catalogue.names import plan_names

    return ("Rapporten bygger på <strong>syntetiske eksempeldata</strong>, ikke på helhedsplanens virkelige "
            "registreringer. Kun de tal, som aftalen selv angiver (fx basisniveauer for DUBU-sager, "
            "tandplejeudeblivelser, tryghed og indkomst), er virkelige. Status og tal viser, hvordan rapporten "
            f"virker, og siger intet om {html.escape(plan_names().area_name)}.")


def banner_html(data_dir) -> str:
    if is_synthetic(data_dir):
        return ('<div class="synthetic-banner" role="note" style="border:3px solid #b45309;background:#fef3c7;'
                'padding:12px 16px;margin:8px 0 16px;font-size:1.05em"><strong>OBS: Syntetiske data.</strong> '
                f"{synthetic_text()}</div>")
    return ""


def data_banner(data_dir):
    """Display the 'synthetic data' banner (first screen of every report built on sample data)."""
    return _html(banner_html(data_dir))
