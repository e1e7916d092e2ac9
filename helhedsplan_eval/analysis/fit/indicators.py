"""The three FIT indicators (FF-FAM-2, -3, -4) as :class:`IndicatorSeries`, registered with ``@indicator``.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import math

import pandas as pd

from helhedsplan_eval.formatting import fmt_count
from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.fit.params import COLLATERAL_YEARS, DEFAULT_THRESHOLD, EN_DASH, READINGS, READING_LABELS, STATUS_READING, STREAM_INDICATOR
from helhedsplan_eval.analysis.fit.summary import _reading_keys, from_bundle, specialgruppe_size, stream_table




def _series_cls():
    from helhedsplan_eval.analysis.status import IndicatorSeries  # written by the lead; imported lazily

    return IndicatorSeries


def _missing_series(stream: str, years, note: str):
    years = [int(y) for y in years]
    data = pd.DataFrame({"value": math.nan, "numerator": math.nan, "denominator": math.nan},
                        index=pd.Index(years, name="year"))
    return _series_cls()(indicator=STREAM_INDICATOR[stream], unit="pct", data=data,
                         expected_years=_expected_years(stream, years), notes=[note],
                         extra={"readings": {}, "status_reading": STATUS_READING}, source_missing=True)


def _min_cell_now() -> int:
    """The disclosure threshold in force (the status engine's, set by the run's ``min_cell``)."""
    try:
        from helhedsplan_eval.analysis import status

        return int(status.MIN_CELL)
    except Exception:  # pragma: no cover - the engine is always there in the package
        return 5


def _expected_years(stream: str, years) -> list[int]:
    years = [int(y) for y in years]
    return [y for y in years if y in COLLATERAL_YEARS] if stream == "C" else years


def _reading_data(tab: pd.DataFrame, years: list[int], reading: str) -> pd.DataFrame:
    """The series' data under one reading: numerator, denominator, value (%) and n per year."""
    k_key, n_key = _reading_keys(reading)
    data = pd.DataFrame(index=pd.Index(years, name="year"))
    n = tab[n_key].reindex(years).astype(float)
    k = tab[k_key].reindex(years).astype(float)
    ok = n > 0
    data["numerator"] = k.where(ok)
    data["denominator"] = n.where(ok)
    data["value"] = (100.0 * k / n).where(ok)
    data["n"] = n.where(ok)
    return data


def _all_readings(tab: pd.DataFrame, years: list[int]) -> dict:
    """Numerator and denominator per year under every reading (None where no unit counts)."""
    readings = {}
    for r in READINGS:
        kk, nk = _reading_keys(r)
        rok = tab[nk].reindex(years).astype(float) > 0
        readings[r] = {
            int(y): {
                "numerator": None if not rok.get(y, False) else int(tab.at[y, kk]),
                "denominator": None if not rok.get(y, False) else int(tab.at[y, nk]),
            }
            for y in years
        }
    return readings


def _base_notes(stream: str, reading: str, other: str, years, started, single, ok) -> list[str]:
    notes = [
        f"Statusen bygger på {READING_LABELS[reading]}; {READING_LABELS[other]} vises ved siden af.",
        "Et forløb tæller med i året for seneste måling; forløb med kun én måling indgår ikke i andelen.",
        ("Andelen er regnet af henvisende samarbejdspartnere: hver tæller én gang i 2018" + EN_DASH + "2019 med "
         "den gennemsnitlige ændring for de børn, de har vurderet." if stream == "C" else
         "Andelen er regnet af forældre: hver tæller én gang pr. år med den gennemsnitlige ændring for sine "
         "forløb; vurderer to forældre samme barn, tæller de hver for sig."),
    ]
    for y in years:
        if pd.notna(started.get(y)) and started.get(y) > 0 and not ok.get(y, False):
            notes.append(f"{y}: ingen forløb med mindst to målinger ({fmt_count(single.get(y), _min_cell_now())} "
                         "med kun én måling).")
    return notes


def _collateral_part(fd, years: list[int], data: pd.DataFrame, notes: list[str], extra: dict) -> None:
    """Stream C (FF-FAM-4): notes on episodes crossing into 2020 and the specialgruppe's size, and
    no value outside 2018-2019."""
    ep = fd.episodes
    crossing = int((ep["analysable"].astype(bool) & (ep["stream"] == "C") & (ep["year"] > COLLATERAL_YEARS[-1])
                    & (ep["intake_year"] <= COLLATERAL_YEARS[-1])).sum())
    if crossing and max(years) > COLLATERAL_YEARS[-1]:
        notes.append(f"{fmt_count(crossing, _min_cell_now())} henviserforløb begyndte senest i "
                     f"{COLLATERAL_YEARS[-1]}, men sluttede senere; et forløb tæller i året for den seneste "
                     "vurdering, så de indgår ikke i kriteriet.")
    sg = specialgruppe_size(fd, years)
    extra["specialgruppe_families"] = {int(y): (None if pd.isna(v) else int(v)) for y, v in sg.items()}
    extra["collateral_years"] = list(COLLATERAL_YEARS)
    notes.append("Kriteriet gælder kun specialgruppen og kun 2018 og 2019 samlet; "
                 "henviservurderinger fra andre år indgår ikke.")
    sizes = "; ".join(f"{y}: {fmt_count(v, _min_cell_now())}" for y, v in sg.items() if pd.notna(v))
    if sizes:
        notes.append(f"Familier i specialgruppen pr. år: {sizes}.")
    for y in years:
        if y not in COLLATERAL_YEARS:
            data.loc[y, ["value", "numerator", "denominator", "n"]] = math.nan


def stream_series(bundle, years, stream: str, reading: str = STATUS_READING,
                  threshold: float = DEFAULT_THRESHOLD):
    """IndicatorSeries for one stream: the chosen reading in ``data``, both readings in extra."""
    years = [int(y) for y in years]
    fd = from_bundle(bundle, threshold)
    if fd is None:
        return _missing_series(stream, years, "FIT-data (fit_administrations) er ikke leveret.")
    tab = stream_table(fd, stream, years, include_total=False)
    other = "literal" if reading != "literal" else "reliable"
    data = _reading_data(tab, years, reading)
    started = tab["n_started"].reindex(years)
    single = tab["n_single_score"].reindex(years)
    notes = _base_notes(stream, reading, other, years, started, single, data["denominator"].notna())
    extra = {
        "readings": _all_readings(tab, years),
        "status_reading": reading,
        "other_reading": other,
        "threshold": threshold,
        "n_started": {int(y): (None if pd.isna(started.get(y)) else int(started.get(y))) for y in years},
        "n_single_score": {int(y): (None if pd.isna(single.get(y)) else int(single.get(y))) for y in years},
        "problems": len([p for p in fd.problems if p.severity == "error"]),
    }
    if stream == "C":
        _collateral_part(fd, years, data, notes, extra)
    return _series_cls()(indicator=STREAM_INDICATOR[stream], unit="pct", data=data,
                         expected_years=_expected_years(stream, years), notes=notes, extra=extra,
                         source_missing=False)


@indicator("fit_parent_self", sources=("fit_administrations", "fit_courses"))
def fit_parent_self(bundle, years, reading: str = STATUS_READING, threshold: float = DEFAULT_THRESHOLD):
    """FF-FAM-2: share of parents (ORS about themselves) whose well-being increased."""
    return stream_series(bundle, years, "A", reading=reading, threshold=threshold)


@indicator("fit_parent_child", sources=("fit_administrations", "fit_courses"))
def fit_parent_child(bundle, years, reading: str = STATUS_READING, threshold: float = DEFAULT_THRESHOLD):
    """FF-FAM-3: share of parent-rated child episodes with increased well-being."""
    return stream_series(bundle, years, "B", reading=reading, threshold=threshold)


@indicator("fit_referrer_child", sources=("fit_administrations", "fit_courses"))
def fit_referrer_child(bundle, years, reading: str = STATUS_READING, threshold: float = DEFAULT_THRESHOLD):
    """FF-FAM-4: share of referrer-rated child episodes (specialgruppe, 2018-2019) with increased well-being."""
    return stream_series(bundle, years, "C", reading=reading, threshold=threshold)
