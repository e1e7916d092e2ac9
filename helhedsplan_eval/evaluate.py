"""Evaluate every criterion of the catalogue for an evaluation year: the målopfyldelse table."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import formatting as F
from .bundle import DataBundle
from .catalogue import Catalogue, Criterion, load_catalogue
from .contract import ERROR, load_bundle
from .registry import INDICATORS, INDICATOR_SOURCES, load_all
from .sources import feeds_index
from .status import AWAITING, NOT_YET, STATUSES, Evaluation, IndicatorSeries, evaluate

FIRST_DATA_YEAR = 2014


@dataclass
class YearResult:
    year: int
    catalogue: Catalogue
    bundle: DataBundle
    evaluations: dict[str, Evaluation]
    series: dict[str, IndicatorSeries] = field(default_factory=dict)

    def evaluation(self, criterion_id: str) -> Evaluation:
        return self.evaluations[criterion_id]

    def series_for(self, crit: Criterion) -> IndicatorSeries | None:
        return self.series.get(series_key(self.catalogue.resolve(crit)))

    def warnings_for(self, crit: Criterion) -> list[str]:
        base = self.catalogue.resolve(crit)
        srcs = set(INDICATOR_SOURCES.get(base.indicator, ())) | set(feeds_index().get(crit.id, []))
        out = [str(i.message) if i.row is None else str(i) for i in self.bundle.issues if i.source in srcs]
        s = self.series_for(crit)
        if s is not None:
            out += list(s.notes)
        return list(dict.fromkeys(out))


def series_key(crit: Criterion) -> str:
    return crit.indicator + (json.dumps(crit.indicator_args, sort_keys=True) if crit.indicator_args else "")


def compute_series(crit: Criterion, bundle: DataBundle, last_year: int = 2020) -> IndicatorSeries:
    load_all()
    func = INDICATORS.get(crit.indicator)
    if func is None:
        raise KeyError(f"criterion {crit.id}: no indicator registered as '{crit.indicator}'")
    years = list(range(FIRST_DATA_YEAR, last_year + 1))
    return func(bundle, years, **crit.indicator_args)


def _truncate(s: IndicatorSeries, year: int) -> IndicatorSeries:
    """Never let a judgement for ``year`` see later years' data."""
    t = copy.copy(s)
    t.data = s.data.loc[s.data.index <= year]
    return t


def evaluate_year(year: int, data: str | Path | DataBundle, catalogue: Catalogue | None = None,
                  min_cell: int = 5) -> YearResult:
    """Evaluate every criterion for ``year`` (data: a folder or a loaded bundle); ``min_cell`` is the
    disclosure threshold (counts of persons under it show as "<min_cell")."""
    from .status import disclosure_threshold

    with disclosure_threshold(min_cell):
        return _evaluate_year(year, data, catalogue)


def _evaluate_year(year: int, data, catalogue: Catalogue | None) -> YearResult:
    cat = catalogue or load_catalogue()
    bundle = data if isinstance(data, DataBundle) else load_bundle(data, catalogue_ids=set(cat.criteria))
    series: dict[str, IndicatorSeries] = {}
    evals: dict[str, Evaluation] = {}
    last = max(int(cat.plan.get("period", {}).get("end", 2020)), year)
    for crit in cat.criteria.values():
        if crit.linked_to:
            continue
        key = series_key(crit)
        if key not in series:
            series[key] = compute_series(crit, bundle, last)
        evals[crit.id] = evaluate(crit, _truncate(series[key], year), year)
    for crit in cat.criteria.values():
        if crit.linked_to:
            ev = copy.deepcopy(evals[crit.linked_to])
            ev.criterion_id = crit.id
            ev.notes = list(ev.notes) + [f"Samme kriterium som {crit.linked_to}; beregnes én gang."]
            evals[crit.id] = ev
    return YearResult(year, cat, bundle, evals, series)


COLUMNS = ["Id", "Indsatsområde", "Aktivitet", "Succeskriterium", "Datakilde", "Status", "Værdi", "Mål",
           "Målsti i året", "Usikkerhed (95 %)", "Forklaring", "Resterende indsats", "Manglende år", "Læsning",
           "Datakvalitet"]


def status_frame(res: YearResult) -> pd.DataFrame:
    rows = []
    cat = res.catalogue
    for crit in cat.criteria.values():
        ev = res.evaluations[crit.id]
        base = cat.resolve(crit)
        lo_hi = F.MISSING
        if ev.interval and all(v is not None for v in ev.interval):
            unit = "pp" if base.kind in ("gap_target", "gap_reduction_rate") or base.params.get("measure") == "gap" else base.unit
            if base.kind == "survey_wave_increase":
                lo_hi = f"{F.fmt_number(ev.interval[0], 1)} til {F.fmt_number(ev.interval[1], 1)}"
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
            "Manglende år": ", ".join(map(str, ev.missing_years)) or F.MISSING,
            "Læsning": base.chosen_reading or F.MISSING,
            "Datakvalitet": " ".join(res.warnings_for(crit)) or F.MISSING,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def status_table(year: int, data_dir) -> pd.DataFrame:
    """The målopfyldelse table for ``year`` (Danish columns, formatted text)."""
    return status_frame(evaluate_year(year, data_dir))


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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"maalopfyldelse_{year}.csv"
    df.to_csv(csv, index=False, sep=";", encoding="utf-8-sig", lineterminator="\n")
    xlsx = out / f"maalopfyldelse_{year}.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, sheet_name=f"Målopfyldelse {year}")
        ws = xw.sheets[f"Målopfyldelse {year}"]
        widths = {"A": 11, "B": 26, "C": 30, "D": 60, "E": 30, "F": 22, "K": 80}
        for col, w in widths.items():
            ws.column_dimensions[col].width = w
    return [csv, xlsx]


def has_errors(bundle: DataBundle) -> bool:
    return any(i.severity == ERROR for i in bundle.issues)


__all__ = ["evaluate_year", "status_table", "status_frame", "write_status_files", "status_counts", "YearResult",
           "AWAITING", "NOT_YET"]
