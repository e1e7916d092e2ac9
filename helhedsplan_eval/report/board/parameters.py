"""Notebook parameters and the first screen: the papermill parameter check and the synthetic-data banner."""

from __future__ import annotations

from pathlib import Path

from helhedsplan_eval.data.manifest import is_synthetic  # noqa: F401  (the data layer's rule, re-exported here)
from helhedsplan_eval.paths import argument_problems, plan_years

#: The plan's years, from params/plan.yml (``plan.period``): the catalogue is data.
FIRST_PLAN_YEAR, LAST_PLAN_YEAR = plan_years()


class ParameterError(ValueError):
    pass


def _html(s: str):
    """The building blocks' HTML as the notebook shows it, with the board's mark (see :mod:`.output`)."""
    from helhedsplan_eval.report.board.output import html

    return html(s)


def check_parameters(evaluation_year, data_dir, min_cell=5) -> Path:
    """Check the papermill parameters (papermill checks nothing) and return the data folder.

    Raises :class:`ParameterError` with a Danish message naming every problem."""
    problems, path = argument_problems(evaluation_year, min_cell, data_dir)  # the API's check too
    if problems:
        raise ParameterError("Ugyldige parametre: " + "; ".join(problems) + ".")
    return path


SYNTHETIC_TEXT = ("Rapporten bygger på <strong>syntetiske eksempeldata</strong>, ikke på helhedsplanens virkelige "
                  "registreringer. Kun de tal, som aftalen selv angiver (fx basisniveauer for DUBU-sager, "
                  "tandplejeudeblivelser, tryghed og indkomst), er virkelige. Status og tal viser, hvordan rapporten "
                  "virker, og siger intet om Høje Gladsaxe.")


def banner_html(data_dir) -> str:
    if is_synthetic(data_dir):
        return ('<div class="synthetic-banner" role="note" style="border:3px solid #b45309;background:#fef3c7;'
                'padding:12px 16px;margin:8px 0 16px;font-size:1.05em"><strong>OBS: Syntetiske data.</strong> '
                f"{SYNTHETIC_TEXT}</div>")
    return ""


def data_banner(data_dir):
    """Display the 'synthetic data' banner (first screen of every report built on sample data)."""
    return _html(banner_html(data_dir))
