"""Evaluate every criterion of the catalogue for an evaluation year: the målopfyldelse table.

:class:`YearResult` also offers the board view of its evaluations (``board_evaluation``, ``board_series``,
``warnings_for``) and :func:`status_frame` builds the board's table: both pass the disclosure layer
(:mod:`helhedsplan_eval.report.disclosure`), which lies in a higher layer and is therefore imported inside those
functions only (listed in tests/test_house.py ``LAZY_UPWARD``).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.catalogue.criteria import Catalogue, Criterion, load_catalogue
from helhedsplan_eval.data.contract import ERROR, load_bundle
from helhedsplan_eval.analysis.indicators.common import compute_once
from helhedsplan_eval.analysis.registry import INDICATORS, sources_of
from helhedsplan_eval.data.sources import feeds_index
from helhedsplan_eval.analysis.status import (AWAITING, NOT_YET, STATUSES, Evaluation, IndicatorSeries, as_component,
                                             evaluate)
from helhedsplan_eval.analysis.status.common import DEFAULT_MIN_CELL, year_label
from helhedsplan_eval.analysis.status.units import fill_counts

if TYPE_CHECKING:
    from helhedsplan_eval.report.disclosure import SafeSeries



@dataclass
class YearResult:
    year: int
    catalogue: Catalogue
    bundle: DataBundle
    evaluations: dict[str, Evaluation]
    series: dict[str, IndicatorSeries] = field(default_factory=dict)
    min_cell: int = DEFAULT_MIN_CELL

    def evaluation(self, criterion_id: str) -> Evaluation:
        """The status engine's evaluation (all figures; for the evaluator and tests, not for the board)."""
        return self.evaluations[criterion_id]

    def board_evaluation(self, criterion_id: str) -> Evaluation:
        """The evaluation as the board may see it: passed through the disclosure layer."""
        from helhedsplan_eval.report.disclosure import safe_evaluation

        crit = self.catalogue.criteria[criterion_id]
        return safe_evaluation(self.catalogue.resolve(crit), self.evaluations[criterion_id], self.series_for(crit),
                               self.min_cell)

    def board_series(self, crit: Criterion, year: int | None = None) -> SafeSeries:
        """The criterion's yearly figures, target path included, as the board may see them (tables, charts)."""
        from helhedsplan_eval.analysis.status import target_path
        from helhedsplan_eval.report.disclosure import protect_series

        base = self.catalogue.resolve(crit)
        s = self.series_for(crit)
        return protect_series(base, s, self.year if year is None else year, self.min_cell,
                              path=target_path(base, s) if s is not None else None)

    def series_for(self, crit: Criterion) -> IndicatorSeries | None:
        return self.series.get(series_key(self.catalogue.resolve(crit)))

    def warnings_for(self, crit: Criterion) -> list[str]:
        """Data-quality remarks for the board: problems counted per file, column and kind (never a cell
        value), and the indicator's notes through the disclosure layer's text check."""
        from helhedsplan_eval.report.disclosure import board_issue_texts, board_text

        base = self.catalogue.resolve(crit)
        srcs = set(sources_of(base.indicator, base.indicator_args)) | set(feeds_index().get(crit.id, []))
        out = board_issue_texts([i for i in self.bundle.issues if i.source in srcs])
        s = self.series_for(crit)
        if s is not None:
            out += [board_text(n, self.min_cell) for n in s.notes]
        return list(dict.fromkeys(out))


def series_key(crit: Criterion) -> str:
    key = crit.indicator + (json.dumps(crit.indicator_args, sort_keys=True) if crit.indicator_args else "")
    if crit.kind == "count_units":  # its series holds counts for its own min_met (attach_units)
        key += json.dumps(crit.params, sort_keys=True)
    return key


def compute_series(crit: Criterion, bundle: DataBundle, last_year: int | None = None,
                   first_year: int | None = None) -> IndicatorSeries:
    """The criterion's indicator series for every year from ``first_year`` to ``last_year`` (defaults: the plan's
    first baseline year and its last year; the plan: the active plan folder, ``plan.period``)."""
    from helhedsplan_eval.analysis.all_indicators import load_all  # every registering module (lazy: FIT, survey)
    from helhedsplan_eval.catalogue.period import plan_period

    load_all()
    func = INDICATORS.get(crit.indicator)
    if func is None:
        raise KeyError(f"criterion {crit.id}: no indicator registered as '{crit.indicator}'")
    period = plan_period()
    first = period.baseline_start if first_year is None else first_year
    years = list(range(first, (period.last_year if last_year is None else last_year) + 1))
    return func(bundle, years, **crit.indicator_args)


#: Attribute of a DataBundle holding its computed indicator series (see :func:`cached_series`).
SERIES_CACHE_ATTR = "_series_cache"


def cached_series(crit: Criterion, bundle: DataBundle, last_year: int | None = None,
                  first_year: int | None = None) -> IndicatorSeries:
    """``compute_series`` once per bundle: every indicator series covers all years up to
    ``last_year``, so the years of a run (and ``--all-years``) share one computation.

    The series are kept on the bundle itself (attribute ``_series_cache``), keyed by the indicator,
    its arguments, ``last_year`` and the disclosure threshold. The runner pickles its bundle after
    computing the status table (helhedsplan_eval.data.bundle_cache, keyed by the data files' SHA-256 and
    the package version), so every notebook of the run receives the series already computed.
    Callers get a deep copy: nothing they change reaches the next caller."""
    from helhedsplan_eval.analysis import status as _status

    if last_year is None or first_year is None:
        from helhedsplan_eval.catalogue.period import plan_period

        period = plan_period()
        last_year = period.last_year if last_year is None else last_year
        first_year = period.baseline_start if first_year is None else first_year
    cache = bundle.__dict__.setdefault(SERIES_CACHE_ATTR, {})
    key = (series_key(crit), int(first_year), int(last_year), int(_status.MIN_CELL))
    s = cache.get(key)
    if s is None:
        s = cache[key] = compute_series(crit, bundle, last_year, first_year)
    return copy.deepcopy(s)


def attach_units(s: IndicatorSeries, crit: Criterion, cat: Catalogue, series: dict) -> None:
    """Give a ``count_units`` criterion's series its listed criteria and their per-unit series
    (``extra['unit_inputs']``: {id: (criterion evaluated, its series)}) and its yearly counts of units."""
    inputs = {}
    for cid in crit.indicator_args.get("criteria", []):
        base = cat.resolve(cat.criteria[cid])
        inputs[cid] = (base, series[series_key(base)])
    s.extra = dict(s.extra or {}, unit_inputs=inputs)
    fill_counts(s, crit)


def _truncate(s: IndicatorSeries, year: int) -> IndicatorSeries:
    """Never let a judgement for ``year`` see later years' data: a copy of the series for reading (it may share
    its rows with ``s``). A numeric index in year order is cut by position; any other by comparison."""
    t = copy.copy(s)
    idx = s.data.index
    if idx.dtype.kind in "iuf" and idx.is_monotonic_increasing and not idx.hasnans:
        n = int(idx.searchsorted(year, side="right"))
        t.data = s.data if n == len(idx) else s.data.iloc[:n]
    else:
        t.data = s.data.loc[idx <= year]
    return t


def evaluate_year(year: int, data: str | Path | DataBundle, catalogue: Catalogue | None = None,
                  min_cell: int = 5) -> YearResult:
    """Evaluate every criterion for ``year`` (data: a folder or a loaded bundle); ``min_cell`` is the
    disclosure threshold (counts of persons under it show as "<min_cell")."""
    from helhedsplan_eval.analysis.status import disclosure_threshold

    with disclosure_threshold(min_cell):
        return _evaluate_year(year, data, catalogue, int(min_cell))


def _evaluate_year(year: int, data, catalogue: Catalogue | None, min_cell: int = DEFAULT_MIN_CELL) -> YearResult:
    cat = catalogue or load_catalogue()
    bundle = data if isinstance(data, DataBundle) else load_bundle(data, catalogue_ids=set(cat.criteria))
    series: dict[str, IndicatorSeries] = {}
    evals: dict[str, Evaluation] = {}
    last = max(cat.period.last_year, year)
    own = [crit for crit in cat.criteria.values() if not crit.linked_to]
    with compute_once():  # tables derived from the bundle are shared by the indicators of this pass
        for crit in own:
            key = series_key(crit)
            if key not in series:
                series[key] = cached_series(crit, bundle, last, cat.period.baseline_start)
        for crit in own:
            if crit.kind == "count_units":  # its listed criteria, judged per unit (analysis/status/units.py)
                attach_units(series[series_key(crit)], crit, cat, series)
            # a component of a count of units has no verdict of its own on the board ("Indgår i <id>")
            evals[crit.id] = as_component(crit, evaluate(crit, _truncate(series[series_key(crit)], year), year))
    for crit in cat.criteria.values():
        if crit.linked_to:
            ev = copy.deepcopy(evals[crit.linked_to])
            ev.criterion_id = crit.id
            ev.notes = list(ev.notes) + [f"Samme kriterium som {crit.linked_to}; beregnes én gang."]
            evals[crit.id] = ev
    return YearResult(year, cat, bundle, evals, series, min_cell)


COLUMNS = ["Id", "Indsatsområde", "Aktivitet", "Succeskriterium", "Datakilde", "Status", "Værdi", "Mål",
           "Målsti i året", "Usikkerhed (95 %)", "Forklaring", "Resterende indsats", "Manglende år", "Læsning",
           "Datakvalitet"]


def status_frame(res: YearResult, min_cell: int | None = None) -> pd.DataFrame:
    """The målopfyldelse table as the board receives it (CSV, xlsx, pages): every evaluation passes the
    disclosure layer with the run's ``min_cell`` (default: the one the result was evaluated with)."""
    if min_cell is not None and int(min_cell) != res.min_cell:
        res = copy.copy(res)
        res.min_cell = int(min_cell)
    rows = []
    cat = res.catalogue
    for crit in cat.criteria.values():
        ev = res.board_evaluation(crit.id)
        base = cat.resolve(crit)
        lo_hi = F.MISSING
        if ev.interval and all(v is not None for v in ev.interval):
            unit = "pp" if base.kind in ("gap_target", "gap_reduction_rate") or base.params.get("measure") == "gap" else base.unit
            if base.kind == "survey_wave_increase":
                lo_hi = f"{F.fmt_number(ev.interval[0], 1)} til {F.fmt_number(ev.interval[1], 1)}"
            elif base.kind == "ratio_to_comparison":  # a ratio: "1,39 til 4,08 gange"
                lo_hi = f"{F.fmt_number(ev.interval[0], 2)} til {F.fmt_number(ev.interval[1], 2)} gange"
            else:
                lo_hi = f"{F.fmt_value(ev.interval[0], unit)} til {F.fmt_value(ev.interval[1], unit)}"
        rows.append({
            "Id": crit.id,
            "Indsatsområde": cat.areas[crit.area].name,
            "Aktivitet": cat.activity_name(crit) or "(indsatsområdet)",
            "Succeskriterium": crit.text,
            "Datakilde": crit.source,
            "Status": ev.label,
            "Værdi": ev.value_text,
            "Mål": ev.target_text,
            "Målsti i året": ev.path_text,
            "Usikkerhed (95 %)": lo_hi,
            "Forklaring": ev.explanation,
            "Resterende indsats": ev.remaining_text or F.MISSING,
            "Manglende år": ", ".join(map(year_label, ev.missing_years)) or F.MISSING,
            "Læsning": base.chosen_reading or F.MISSING,
            "Datakvalitet": " ".join(res.warnings_for(crit)) or F.MISSING,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def status_table(year: int, data_dir, min_cell: int = DEFAULT_MIN_CELL) -> pd.DataFrame:
    """The målopfyldelse table for ``year`` (Danish columns, formatted text, disclosure-controlled)."""
    return status_frame(evaluate_year(year, data_dir, min_cell=min_cell))


def status_counts(res_or_df, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Counts per status word (labels' base word) per area."""
    df = res_or_df if isinstance(res_or_df, pd.DataFrame) else status_frame(res_or_df)
    base = df["Status"].map(lambda s: next((w for w in sorted(STATUSES, key=len, reverse=True) if s.startswith(w)),
                                           "Kvalitativ vurdering" if s.startswith("Vurdering") else s))
    t = pd.crosstab(df["Indsatsområde"], base)
    order = [s for s in STATUSES if s in t.columns]
    t = t[order]
    t.loc["I alt"] = t.sum()
    return t


def write_status_files(df: pd.DataFrame, out_dir, year: int) -> list[Path]:
    """Write ``maalopfyldelse_<year>.csv`` (semicolon, UTF-8 with BOM: opens in Danish Excel) and ``.xlsx``."""
    from helhedsplan_eval.report.safe_io import write_csv, write_xlsx  # text is never written as a formula

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = write_csv(df, out / f"maalopfyldelse_{year}.csv")
    widths = {"A": 11, "B": 26, "C": 30, "D": 60, "E": 30, "F": 22, "K": 80}
    xlsx = write_xlsx(df, out / f"maalopfyldelse_{year}.xlsx", f"Målopfyldelse {year}", widths)
    return [csv, xlsx]


def has_errors(bundle: DataBundle) -> bool:
    return any(i.severity == ERROR for i in bundle.issues)


__all__ = ["evaluate_year", "status_table", "status_frame", "write_status_files", "status_counts", "YearResult",
           "AWAITING", "NOT_YET"]
