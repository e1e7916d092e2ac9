"""The researcher's entry point: one criterion, all the way down.

    >>> import helhedsplan_eval as he
    >>> k = he.criterion("TT-2", data="data/sample")  # the plan's last year
    >>> k.evaluation.status, k.series, k.records["complaints"], k.chart()

:func:`criterion` evaluates the year exactly as the annual run does (:func:`evaluate.evaluate_year`, same
catalogue, same data contract, same disclosure threshold) and returns a :class:`CriterionResult` that holds the
catalogue entry, the source records the indicator is computed from, the indicator series, the full evaluation
and the evaluation as the board sees it, plus the board's chart. Nothing here computes anything of its own:
it only gathers what the package already computes, so a figure found here is the figure in the report.

Problems with the arguments (an unknown criterion, a year outside the plan, a data folder that does not exist)
raise :class:`CriterionArgumentError` with a Danish message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily at run time: ``import helhedsplan_eval`` stays light
    import pandas as pd

    from helhedsplan_eval.data.bundle import DataBundle
    from helhedsplan_eval.catalogue.criteria import Criterion
    from helhedsplan_eval.analysis.evaluate import YearResult
    from helhedsplan_eval.analysis.status import Evaluation, IndicatorSeries

DEFAULT_DATA = "data/sample"


class CriterionArgumentError(ValueError):
    """An argument of :func:`criterion` that cannot be used; the message is Danish and names the value."""


@dataclass
class CriterionResult:
    """One criterion for one evaluation year.

    ``criterion``          the catalogue entry (:class:`catalogue.Criterion`, from ``params/criteria.yml``)
    ``records``            ``{source name: DataFrame}``: the validated tables of the data-contract sources the
                           criterion is computed from (all rows of each delivered source; a source that was not
                           delivered or had errors is absent and named in ``missing_sources``)
    ``series``             the indicator per year up to the evaluation year as a DataFrame (index ``year``;
                           ``value`` and, where the indicator has them, ``numerator``, ``denominator``,
                           ``comparison``, ``ci_low``, ``ci_high``, ...) -- not disclosure-controlled
    ``evaluation``         the status engine's :class:`status.Evaluation` (``status``, ``label``,
                           ``explanation``, ``remaining_text``, ``interval``, ...) with every figure; its status
                           already respects ``min_cell`` (``Skjult``), its texts and figures are not controlled
    ``board_evaluation``   the same evaluation as the board sees it (through :mod:`disclosure`)
    ``chart()``            the board's chart of the criterion (matplotlib figure, or None for kinds without one)
    """

    criterion: "Criterion"
    year: int
    min_cell: int
    records: dict[str, "pd.DataFrame"]
    missing_sources: list[str]
    indicator_series: "IndicatorSeries | None"
    evaluation: "Evaluation"
    result: "YearResult" = field(repr=False)

    @property
    def series(self) -> "pd.DataFrame":
        """The indicator per year up to the evaluation year (what the judgement for ``year`` sees)."""
        import pandas as pd

        s = self.indicator_series
        if s is None:
            return pd.DataFrame(columns=["value"]).rename_axis("year")
        return s.data.loc[s.data.index <= self.year].rename_axis("year").copy()

    @property
    def board_evaluation(self) -> "Evaluation":
        """The evaluation as the board may see it (``YearResult.board_evaluation``: small counts hidden)."""
        return self.result.board_evaluation(self.criterion.id)

    @property
    def board_series(self) -> "pd.DataFrame":
        """The yearly figures and target path as the board's tables and chart show them."""
        return self.result.board_series(self.criterion).frame()

    @property
    def status(self) -> str:
        """The board's status label, e.g. ``"På vej"`` or ``"Ikke opfyldt (usikkert)"``."""
        return self.board_evaluation.label

    @property
    def warnings(self) -> list[str]:
        """Data-quality remarks for this criterion, as the board page lists them."""
        return self.result.warnings_for(self.criterion)

    def chart(self):
        """The board's chart (:func:`report.criterion_chart`): area vs comparison population and target path,
        every point through the disclosure layer; ``None`` for kinds without a yearly series."""
        from helhedsplan_eval.report.board import criterion_chart

        res = self.result
        return criterion_chart(res.catalogue.resolve(self.criterion), res.series_for(self.criterion), self.year,
                               self.min_cell, safe=res.board_series(self.criterion))

    def summary(self) -> dict[str, Any]:
        """The board's reading in one dict (Danish text, Danish number formats)."""
        ev = self.board_evaluation
        return {"id": self.criterion.id, "år": self.year, "status": ev.label, "værdi": ev.value_text,
                "mål": ev.target_text, "forklaring": ev.explanation, "resterende indsats": ev.remaining_text}

    def __repr__(self) -> str:
        return (f"<CriterionResult {self.criterion.id} {self.year}: {self.status}; "
                f"sources {sorted(self.records)}>")


def _check(criterion_id, year, data, min_cell):
    """(catalogue, data path or bundle): every argument problem at once, in Danish (the notebooks' check,
    :func:`paths.argument_problems`, plus the criterion id)."""
    from helhedsplan_eval.data.bundle import DataBundle
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.paths import argument_problems

    cat = load_catalogue()
    problems = []
    if criterion_id not in cat.criteria:
        problems.append(f"kriteriet {criterion_id!r} findes ikke i {_criteria_label()}; "
                        f"kendte id'er: {', '.join(cat.criteria)}")
    more, where = argument_problems(year, min_cell, data, data_name="data", year_name="year",
                                    accept=(DataBundle,))
    problems += more
    if problems:
        raise CriterionArgumentError("Ugyldige argumenter: " + "; ".join(problems) + ".")
    return cat, where


def _criteria_label() -> str:
    from helhedsplan_eval.paths import plan_label

    return plan_label().replace("plan.yml", "criteria.yml")


def criterion(criterion_id: str, year: int | None = None, data: "str | Path | DataBundle" = DEFAULT_DATA,
              min_cell: int = 5, plan: "str | Path | None" = None) -> CriterionResult:
    """Evaluate one criterion for ``year`` (default: the plan's last year) on ``data`` (a data folder, relative to
    the current directory or the project root, or a :class:`DataBundle` already loaded) with disclosure threshold
    ``min_cell``. ``plan``: a plan folder (plan.yml, criteria.yml; default: the active plan, normally the project's
    params/); it becomes the active plan of this process, as ``--plan`` does for a command.

    The whole year is evaluated with :func:`evaluate.evaluate_year`, the function the annual run uses, so the
    status is the report's status (linked criteria and alternative readings included)."""
    from helhedsplan_eval.data.bundle import DataBundle
    from helhedsplan_eval.data.contract import load_bundle
    from helhedsplan_eval.analysis.evaluate import evaluate_year
    from helhedsplan_eval.analysis.all_indicators import load_all
    from helhedsplan_eval.analysis.registry import sources_of
    from helhedsplan_eval.data.sources import feeds_index

    if plan is not None:
        from helhedsplan_eval.paths import resolve_path, use_plan

        if not (resolve_path(plan) / "plan.yml").is_file():
            raise CriterionArgumentError(f"Ugyldige argumenter: plan skal være en planmappe med plan.yml, ikke {plan!r}.")
        use_plan(plan)
    if year is None:
        from helhedsplan_eval.paths import plan_years

        year = plan_years()[1]
    cat, where = _check(criterion_id, year, data, min_cell)
    bundle = where if isinstance(where, DataBundle) else load_bundle(where, catalogue_ids=set(cat.criteria))
    res = evaluate_year(year, bundle, cat, min_cell=min_cell)
    crit = cat.criteria[criterion_id]
    base = cat.resolve(crit)
    load_all()
    names = list(sources_of(base.indicator, base.indicator_args))
    for cid in dict.fromkeys((crit.id, base.id)):
        names += feeds_index().get(cid, [])
    names = list(dict.fromkeys(names))
    records = {n: bundle.table(n) for n in names if bundle.table(n) is not None}
    return CriterionResult(criterion=crit, year=year, min_cell=min_cell, records=records,
                           missing_sources=[n for n in names if n not in records],
                           indicator_series=res.series_for(crit), evaluation=res.evaluation(crit.id), result=res)


__all__ = ["criterion", "CriterionResult", "CriterionArgumentError"]
