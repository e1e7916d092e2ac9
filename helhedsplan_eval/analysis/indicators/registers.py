"""Indicators from the inspector's office, the police's safety index and the registers (LBF/DST, BKF,
the management cockpit, Ung i Gladsaxe): the area against its comparison population, year by year."""

from __future__ import annotations

import pandas as pd

from helhedsplan_eval.data.bundle import DataBundle
from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.status import IndicatorSeries
from helhedsplan_eval.analysis.indicators.common import (_count_by_year, _empty, _frame, plan_start)


@indicator("complaints_common_areas", sources=("inspector_complaints",))
def complaints_common_areas(bundle: DataBundle, years):
    df = bundle.table("inspector_complaints")
    if df is None:
        return _empty("complaints_common_areas", "count", years, "Inspektørkontorets registreringer er ikke leveret.")
    return _count_by_year(bundle, "inspector_complaints", df, "date", years, name="complaints_common_areas",
                          mask=df["common_area"] == True)  # noqa: E712


@indicator("vandalism_costs", sources=("vandalism_bills",))
def vandalism_costs(bundle: DataBundle, years):
    df = bundle.table("vandalism_bills")
    if df is None:
        return _empty("vandalism_costs", "kr", years, "Inspektørkontorets opgørelse af hærværk er ikke leveret.")
    return _count_by_year(bundle, "vandalism_bills", df, "date", years, unit="kr", name="vandalism_costs",
                          value_col="amount_dkk", how="sum")


@indicator("concern_cases", sources=("infohuset_cases",))
def concern_cases(bundle: DataBundle, years):
    df = bundle.table("infohuset_cases")
    if df is None:
        return _empty("concern_cases", "count", years, "Infohusets opgørelse er ikke leveret.")
    vals = {int(r.year): float(r.cases) for r in df.itertuples()}
    return IndicatorSeries("concern_cases", "count", _frame(years, value=vals), list(years))


def _area_vs(df: pd.DataFrame, years, value_col: str, comp_label: str, with_nd: bool = True):
    area = df[df["population"] == "område"].set_index("year")
    comp = df[df["population"] == comp_label].set_index("year")
    cols = {"value": {int(y): float(v) for y, v in area[value_col].items() if v is not None},
            "comparison": {int(y): float(v) for y, v in comp[value_col].items() if v is not None}}
    if with_nd and "numerator" in area:
        cols["numerator"] = {int(y): float(v) for y, v in area["numerator"].items() if v is not None}
        cols["denominator"] = {int(y): float(v) for y, v in area["denominator"].items() if v is not None}
    if "respondents" in area:
        cols["n"] = {int(y): float(v) for y, v in area["respondents"].items() if v is not None}
    return _frame(years, **cols)


@indicator("register_measure", sources=("register_measures",),
           filters={"measure": ("register_measures", "measure")})
def register_measure(bundle: DataBundle, years, measure: str):
    df = bundle.table("register_measures")
    if df is None:
        return _empty(f"register_measure:{measure}", "pct", years, "LBF/DST-registerdata er ikke leveret.")
    part = df[df["measure"] == measure]
    s = IndicatorSeries(f"register_measure:{measure}", "pct", _area_vs(part, years, "value_pct", "kommune"), list(years))
    if part.empty:
        s.source_missing = True
        s.notes.append(f"Målingen {measure} findes ikke i registerdata.")
    return s


@indicator("police_safety", sources=("police_safety",))
def police_safety(bundle: DataBundle, years):
    df = bundle.table("police_safety")
    if df is None:
        return _empty("police_safety", "pct", years, "Politiets tryghedsindeks er ikke leveret.")
    s = IndicatorSeries("police_safety", "pct", _area_vs(df, years, "share_safe_pct", "politikreds", with_nd=False),
                        list(years))
    miss = [y for y in years if y >= plan_start() and not s.has(y)]
    if miss:
        s.notes.append(f"Tryghedsundersøgelsen foreligger ikke for {', '.join(map(str, miss))}.")
    return s


@indicator("bkf_measure", sources=("bkf_measures",),
           filters={"measure": ("bkf_measures", "measure")})
def bkf_measure(bundle: DataBundle, years, measure: str):
    df = bundle.table("bkf_measures")
    unit = "pct" if measure == "dubu" else "rate"
    if df is None:
        return _empty(f"bkf_measure:{measure}", unit, years, "BKF's opgørelse er ikke leveret.")
    part = df[df["measure"] == measure]
    # a no-show rate per 100 children is not a share of persons: no Wilson interval for it
    return IndicatorSeries(f"bkf_measure:{measure}", unit, _area_vs(part, years, "value", "kommune",
                                                                     with_nd=(measure == "dubu")), list(years))


@indicator("youth_public_support", sources=("public_support",))
def youth_public_support(bundle: DataBundle, years):
    df = bundle.table("public_support")
    if df is None:
        return _empty("youth_public_support", "pct", years, "Ledelsescockpittets opgørelse er ikke leveret.")
    return IndicatorSeries("youth_public_support", "pct", _area_vs(df, years, "value_pct", "kommune"), list(years))


@indicator("ung_i_gladsaxe_participants", sources=("ung_i_gladsaxe",))
def ung_i_gladsaxe_participants(bundle: DataBundle, years):
    df = bundle.table("ung_i_gladsaxe")
    if df is None:
        return _empty("ung_i_gladsaxe_participants", "count", years, "Ung i Gladsaxes opgørelse er ikke leveret.")
    part = df[df["activity"] == "dialogprojekt"]
    return IndicatorSeries("ung_i_gladsaxe_participants", "count",
                           _frame(years, value={int(r.year): float(r.participants) for r in part.itertuples()}), list(years))
