"""Reading and validating the survey files (``survey_responses``, ``survey_margins``,
``survey_waves``) against the data contract, with errors that name file, row, column and value.

One reason to change: the survey files' contract.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helhedsplan_eval.paths import resolve_path
from helhedsplan_eval.analysis.survey.config import (BASE_COLUMNS, MARGIN_COLUMNS, WAVE_COLUMNS, SurveyConfig,
                                                     SurveyDataError, load_config)


def _row(idx) -> str:
    """Line number in the CSV file (header is line 1), from a default RangeIndex."""
    try:
        return f"row {int(idx) + 2}"
    except (TypeError, ValueError):
        return f"row {idx}"


def _bad(file: str, idx, column: str, value, expected: str) -> SurveyDataError:
    return SurveyDataError(f"{file}, {_row(idx)}, column '{column}': value {value!r}; expected {expected}")


_ONE_TYPE = {"string", "empty", "integer", "floating", "boolean"}


def _per_distinct(s: pd.Series, func) -> tuple[np.ndarray, np.ndarray]:
    """``func`` called once per distinct value of ``s`` (answers repeat a handful of codes), every
    missing value (None, NaN, NA) as None: returns (code of each row, result per code), code -1 being
    the missing values' result (the last). Values of mixed types are mapped one by one (``factorize``
    would take 3, 3.0 and True for one value)."""
    if pd.api.types.infer_dtype(s, skipna=True) not in _ONE_TYPE:
        mapped = np.empty(len(s) + 1, dtype=object)
        mapped[:-1] = [func(v) for v in s.astype("object")]
        mapped[-1] = func(None)
        return np.arange(len(s)), mapped
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, v in enumerate(uniques):
        mapped[i] = func(v)
    mapped[-1] = func(None)
    return codes, mapped


def _map_values(s: pd.Series, func) -> pd.Series:
    """``s.astype(object).map(func)``, with ``func`` called once per distinct value."""
    codes, mapped = _per_distinct(s, func)
    return pd.Series(mapped[codes], index=s.index, dtype=object)


def _as_int_series(s: pd.Series, file: str, column: str, allow_missing: bool = False) -> pd.Series:
    """Integer values (given as numbers or text) as floats; a clear error for anything else."""
    codes, txt_u = _per_distinct(s, lambda v: None if (v is None or (not isinstance(v, str) and pd.isna(v)))
                                 else (str(v).strip() or None))
    num_u = pd.to_numeric(pd.Series(txt_u, dtype=object), errors="coerce").astype(float).to_numpy()
    txt = pd.Series(txt_u[codes], index=s.index, dtype=object)
    num = pd.Series(num_u[codes], index=s.index, dtype=float)
    bad = (txt.notna() & num.isna()) | (num.notna() & (num % 1 != 0))
    if not allow_missing:
        bad |= num.isna()
    if bad.any():
        i = bad[bad].index[0]
        raise _bad(file, i, column, s.loc[i], "a whole number" + ("" if allow_missing else " (not empty)"))
    return num


def validate_responses(df: pd.DataFrame, cfg: SurveyConfig | None = None,
                       file: str = "survey_responses.csv") -> pd.DataFrame:
    """Check ``survey_responses`` against the data contract and return a clean copy
    (``wave`` int, categories str, items float with NaN for "not answered", 9 kept as 9)."""
    cfg = cfg or load_config()
    missing = [c for c in (*BASE_COLUMNS, *cfg.items) if c not in df.columns and c != "mode"]
    if missing:
        raise SurveyDataError(f"{file}: missing column(s) {missing}; expected columns "
                              f"{list(BASE_COLUMNS) + cfg.items} ('mode' may be left out)")
    out = df.reset_index(drop=True).copy()
    if "mode" not in out.columns:
        out["mode"] = None
    ids = out["respondent_id"]
    if ids.isna().any():
        i = ids[ids.isna()].index[0]
        raise _bad(file, i, "respondent_id", None, "a pseudonymous respondent id (not empty)")
    out["respondent_id"] = ids.astype(str).str.strip()
    out["wave"] = _as_int_series(out["wave"], file, "wave").astype(int)
    bad = ~out["wave"].isin(cfg.waves)
    if bad.any():
        i = bad[bad].index[0]
        raise _bad(file, i, "wave", int(out.loc[i, "wave"]), f"one of {cfg.waves}")
    for col in ("department", "age_group", "gender", "mode"):
        allowed = cfg.categories(col)
        vals = _map_values(out[col], lambda v: (v.strip() or None) if isinstance(v, str) else
                           (None if pd.isna(v) else v))
        bad = ~vals.isin(allowed)
        if col == "mode":  # optional in the data contract
            bad &= vals.notna()
        if bad.any():
            i = bad[bad].index[0]
            raise _bad(file, i, col, out.loc[i, col], f"one of {allowed}" + (" or empty" if col == "mode" else ""))
        out[col] = vals.astype("object") if col == "mode" else vals.astype(str)
    dup = out.duplicated(["respondent_id", "wave"], keep="first")
    if dup.any():
        i = dup[dup].index[0]
        raise _bad(file, i, "respondent_id", "(pseudonym)", "each respondent at most once per wave "
                   f"(a duplicate in wave {int(out.loc[i, 'wave'])})")
    valid = {*range(int(cfg.raw['scale']['min']), int(cfg.raw['scale']['max']) + 1), cfg.dont_know}
    for item in cfg.items:
        v = _as_int_series(out[item], file, item, allow_missing=True)
        bad = v.notna() & ~v.isin(valid)
        if bad.any():
            i = bad[bad].index[0]
            raise _bad(file, i, item, out.loc[i, item], f"one of {sorted(valid)} or empty (not answered)")
        out[item] = v
    return out


def validate_margins(df: pd.DataFrame, cfg: SurveyConfig | None = None,
                     file: str = "survey_margins.csv") -> pd.DataFrame:
    cfg = cfg or load_config()
    missing = [c for c in MARGIN_COLUMNS if c not in df.columns]
    if missing:
        raise SurveyDataError(f"{file}: missing column(s) {missing}; expected {list(MARGIN_COLUMNS)}")
    out = df.reset_index(drop=True)[list(MARGIN_COLUMNS)].copy()
    out["wave"] = _as_int_series(out["wave"], file, "wave").astype(int)
    bad = ~out["wave"].isin(cfg.waves)
    if bad.any():
        i = bad[bad].index[0]
        raise _bad(file, i, "wave", int(out.loc[i, "wave"]), f"one of {cfg.waves}")
    out["variable"] = out["variable"].astype(str).str.strip()
    bad = ~out["variable"].isin(cfg.weight_variables)
    if bad.any():
        i = bad[bad].index[0]
        raise _bad(file, i, "variable", out.loc[i, "variable"], f"one of {cfg.weight_variables}")
    out["category"] = out["category"].astype(str).str.strip()
    for i, r in out.iterrows():
        allowed = cfg.categories(r["variable"])
        if r["category"] not in allowed:
            raise _bad(file, i, "category", r["category"], f"for variable {r['variable']!r} one of {allowed}")
    out["population"] = _as_int_series(out["population"], file, "population")
    bad = out["population"] < 0
    if bad.any():
        i = bad[bad].index[0]
        raise _bad(file, i, "population", out.loc[i, "population"], "a count of residents >= 0")
    dup = out.duplicated(["wave", "variable", "category"])
    if dup.any():
        i = dup[dup].index[0]
        raise _bad(file, i, "category", out.loc[i, "category"], "each wave/variable/category once")
    return out


def validate_waves(df: pd.DataFrame, file: str = "survey_waves.csv") -> pd.DataFrame:
    missing = [c for c in WAVE_COLUMNS if c not in df.columns]
    if missing:
        raise SurveyDataError(f"{file}: missing column(s) {missing}; expected {list(WAVE_COLUMNS)}")
    out = df.reset_index(drop=True)[list(WAVE_COLUMNS)].copy()
    out["wave"] = _as_int_series(out["wave"], file, "wave").astype(int)
    for c in ("invited", "responded"):
        out[c] = _as_int_series(out[c], file, c, allow_missing=True)
    for c in ("fieldwork_start", "fieldwork_end"):
        d = pd.to_datetime(out[c], errors="coerce", format="%Y-%m-%d")
        bad = d.isna() & out[c].notna()
        if bad.any():
            i = bad[bad].index[0]
            raise _bad(file, i, c, out.loc[i, c], "a date as YYYY-MM-DD")
        out[c] = d
    bad = out["responded"] > out["invited"]
    if bad.any():
        i = bad[bad].index[0]
        raise _bad(file, i, "responded", out.loc[i, "responded"], "at most the number invited")
    return out


def read_survey_tables(data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Read the survey CSV files of a data folder (missing files are simply absent).

    Values are read as text and checked by :func:`validate_responses` etc. in :func:`analyse`."""
    d = resolve_path(data_dir)
    out = {}
    for name in ("survey_responses", "survey_margins", "survey_waves"):
        f = d / f"{name}.csv"
        if f.exists():
            out[name] = pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""])
    return out


def _tables_from(source) -> dict[str, pd.DataFrame | None]:
    """Accept a DataBundle, a dict of frames, or a data folder path."""
    if isinstance(source, (str, Path)):
        source = read_survey_tables(source)
    if isinstance(source, dict):
        return {n: source.get(n) for n in ("survey_responses", "survey_margins", "survey_waves")}
    out = {n: source.table(n) for n in ("survey_responses", "survey_margins", "survey_waves")}
    data_dir = getattr(source, "data_dir", None)
    if out["survey_waves"] is None and data_dir is not None and (Path(data_dir) / "survey_waves.csv").exists():
        # survey_waves (response rates, fieldwork) is optional and not part of the shared contract
        out["survey_waves"] = pd.read_csv(Path(data_dir) / "survey_waves.csv", dtype=str,
                                          keep_default_na=False, na_values=[""])
    return out
