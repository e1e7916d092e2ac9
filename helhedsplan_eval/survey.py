"""3B's fællesskabs- og medborgerskabsundersøgelse 2017 vs 2020 (criterion TT-1).

Method (see ``/work/shared/research/survey.md``):

1. Each wave is raked (iterative proportional fitting) to *its own* register margins
   (department, age group, gender), starting from weight 1, with weights bounded to
   0.3-3 times the mean weight N/n. Convergence is checked on every margin; Kish's effective
   sample size ``(Σw)²/Σw²`` and the weighting design effect ``n/n_eff`` are reported.
2. The fællesskab index is the person mean of the declared items (negatively worded items
   reversed, "ved ikke" = missing), computed when at least ``min_answered`` items are answered,
   rescaled to 0-100. Cronbach's alpha per wave is unweighted (it describes the instrument).
3. Weighted means and shares use Taylor-linearised standard errors for a one-stage design
   where each respondent is a PSU (R ``svydesign(ids=~1, weights=~w)``)::

       m = Σ w y / Σ w,  u_i = w_i (y_i - m) / Σ w,  SE = sqrt(n/(n-1) Σ (u_i - ū)²)

   Respondents without an answer are kept with u_i = 0 (domain estimation, as R's
   ``svymean(..., na.rm=TRUE)``). statsmodels ``DescrStatsW``/``CompareMeans``/``freq_weights``
   treat weights as frequency weights and give far too small SEs with survey weights, so they
   are deliberately not used. Share CIs are computed on the logit scale (R ``svyciprop``
   ``method="xlogit"``).
4. The wave difference uses independent samples: SE = sqrt(SE17² + SE20²), t with
   n17 + n20 - 2 degrees of freedom.

**Decision rule** (fixed here, before the 2020 data are seen, and stated in the report):
the local community is "stronger" in 2020 only if the whole 95 % CI of the weighted index
difference 2020 - 2017 lies above 0 (:func:`decide`). The minimum meaningful change
(``params/survey.yml``: ``decision.min_meaningful``, index points) is stated beside it: a change
whose estimate is below it is called small even when the CI lies above 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats as st

from .formatting import MISSING, fmt_count, fmt_number, fmt_pct, fmt_pp
from .paths import params_dir, resolve_path
from .registry import indicator

SOURCES = ("survey_responses", "survey_margins")
BASE_COLUMNS = ("respondent_id", "wave", "department", "age_group", "gender", "mode")
MARGIN_COLUMNS = ("wave", "variable", "category", "population")
WAVE_COLUMNS = ("wave", "invited", "responded", "fieldwork_start", "fieldwork_end")
VARIABLE_LABELS = {"department": "Afdeling", "age_group": "Aldersgruppe", "gender": "Køn"}


class SurveyDataError(ValueError):
    """Invalid survey input; the message names file, row, column, value and what was expected."""


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyConfig:
    """The index and item definition from ``params/survey.yml``."""

    raw: dict

    @property
    def waves(self) -> list[int]:
        return [int(w) for w in self.raw["waves"]]

    @property
    def baseline_wave(self) -> int:
        return int(self.raw["baseline_wave"])

    @property
    def end_wave(self) -> int:
        return int(self.raw["end_wave"])

    @property
    def items(self) -> list[str]:
        return list(self.raw["items"].keys())

    @property
    def index_items(self) -> list[str]:
        return list(self.raw["index"]["items"])

    @property
    def reverse_items(self) -> list[str]:
        return list(self.raw["index"].get("reverse", []))

    @property
    def min_answered(self) -> int:
        return int(self.raw["index"]["min_answered"])

    @property
    def strong_threshold(self) -> float:
        return float(self.raw["index"]["strong_threshold"])

    @property
    def dont_know(self) -> int:
        return int(self.raw["scale"]["dont_know"])

    @property
    def agree_codes(self) -> list[int]:
        return [int(c) for c in self.raw["scale"]["agree_codes"]]

    @property
    def scale_labels(self) -> dict[int, str]:
        return {int(k): v for k, v in self.raw["scale"]["labels"].items()}

    @property
    def level(self) -> float:
        return float(self.raw["decision"]["confidence_level"])

    @property
    def min_meaningful(self) -> float:
        return float(self.raw["decision"]["min_meaningful"])

    @property
    def unit_label(self) -> str:
        return str(self.raw["decision"]["unit_label"])

    @property
    def weight_variables(self) -> list[str]:
        return list(self.raw["weighting"]["variables"])

    @property
    def weight_bounds(self) -> tuple[float, float] | None:
        b = self.raw["weighting"].get("weight_bounds")
        return None if b is None else (float(b[0]), float(b[1]))

    def categories(self, variable: str) -> list[str]:
        return [str(c) for c in self.raw["categories"][variable]]

    def item_text(self, item: str) -> str:
        return self.raw["items"][item]["text"]

    def item_short(self, item: str) -> str:
        return self.raw["items"][item].get("short", item)

    def item_family(self, item: str) -> str:
        return self.raw["items"][item].get("family", "")

    def is_reversed(self, item: str) -> bool:
        return item in self.reverse_items or bool(self.raw["items"][item].get("reverse", False))


def load_config(path: str | Path | None = None) -> SurveyConfig:
    """Read ``params/survey.yml`` (or ``path``) and check that it is internally consistent."""
    p = Path(path) if path is not None else params_dir() / "survey.yml"
    return _load_config_cached(str(p))


@lru_cache(maxsize=8)
def _load_config_cached(path: str) -> SurveyConfig:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    cfg = SurveyConfig(raw)
    unknown = [i for i in cfg.index_items if i not in cfg.items]
    if unknown:
        raise SurveyDataError(f"{path}: index items {unknown} are not declared under 'items'")
    if not 1 <= cfg.min_answered <= len(cfg.index_items):
        raise SurveyDataError(f"{path}: index.min_answered must be between 1 and the number of index items")
    return cfg


# --------------------------------------------------------------------------------------------
# Reading and validation
# --------------------------------------------------------------------------------------------


def _row(idx) -> str:
    """Line number in the CSV file (header is line 1), from a default RangeIndex."""
    try:
        return f"row {int(idx) + 2}"
    except (TypeError, ValueError):
        return f"row {idx}"


def _bad(file: str, idx, column: str, value, expected: str) -> SurveyDataError:
    return SurveyDataError(f"{file}, {_row(idx)}, column '{column}': value {value!r}; expected {expected}")


def _as_int_series(s: pd.Series, file: str, column: str, allow_missing: bool = False) -> pd.Series:
    """Integer values (given as numbers or text) as floats; a clear error for anything else."""
    txt = s.astype("object").map(lambda v: None if (v is None or (not isinstance(v, str) and pd.isna(v)))
                                 else (str(v).strip() or None))
    num = pd.to_numeric(txt, errors="coerce").astype(float)
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
        vals = out[col].astype("object").map(lambda v: (v.strip() or None) if isinstance(v, str) else
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


# --------------------------------------------------------------------------------------------
# Weighting
# --------------------------------------------------------------------------------------------


@dataclass
class RakeResult:
    weights: np.ndarray
    converged: bool
    iterations: int
    max_rel_error: float
    n_at_bound: int = 0
    notes: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(len(self.weights))

    @property
    def n_eff(self) -> float:
        return kish_n_eff(self.weights)

    @property
    def deff(self) -> float:
        return self.n / self.n_eff if self.n_eff > 0 else math.nan


def kish_n_eff(w) -> float:
    """Kish's effective sample size (Σw)² / Σw²."""
    w = np.asarray(w, dtype=float)
    s2 = float(np.sum(w * w))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else math.nan


def rake(sample: pd.DataFrame, margins: dict[str, dict], *, base_weights=None,
         bounds: tuple[float, float] | None = None, tol: float = 1e-8, max_iter: int = 1000) -> RakeResult:
    """Iterative proportional fitting of weights to population margins.

    ``margins`` maps a column of ``sample`` to ``{category: population count}``. Every category
    present in the sample must have a population count > 0, and every category with a
    population > 0 must have respondents (checked by :func:`wave_weights`, which says what to
    do). ``bounds`` = (lo, hi) keeps each weight within lo..hi times the mean weight N/n
    (clipped after every margin step, then raking continues; if the bounds make the margins
    unreachable the result has ``converged=False``)."""
    n = len(sample)
    w = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    codes = {}
    for var, pop in margins.items():
        cats = pd.Index(list(pop.keys()))
        c = cats.get_indexer(sample[var].astype(str))
        if (c < 0).any():
            raise SurveyDataError(f"raking: category {sample[var].iloc[int(np.argmax(c < 0))]!r} of "
                                  f"{var!r} has no population count")
        codes[var] = (c, np.array([float(pop[k]) for k in cats]))
    total = float(next(iter(codes.values()))[1].sum())
    wbar = total / n
    lo, hi = (bounds[0] * wbar, bounds[1] * wbar) if bounds else (None, None)
    err = math.inf
    it = 0
    for it in range(1, max_iter + 1):
        for c, pop in codes.values():
            sums = np.bincount(c, weights=w, minlength=len(pop))
            w = w * (pop / sums)[c]
            if bounds:
                w = np.clip(w, lo, hi)
        err = max(float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(pop)) - pop) / pop))
                  for c, pop in codes.values())
        if err < tol:
            break
    at_bound = 0 if not bounds else int(np.sum(np.isclose(w, lo) | np.isclose(w, hi)))
    return RakeResult(weights=w, converged=err < tol, iterations=it, max_rel_error=err,
                      n_at_bound=at_bound, variables=list(margins))


def margins_dict(margins: pd.DataFrame, wave: int, variables: list[str]) -> dict[str, dict]:
    m = margins[margins["wave"] == wave]
    return {v: dict(zip(m.loc[m["variable"] == v, "category"], m.loc[m["variable"] == v, "population"]))
            for v in variables}


def wave_weights(sample: pd.DataFrame, margins: dict[str, dict], cfg: SurveyConfig | None = None,
                 label: str = "") -> RakeResult:
    """Rake one wave's respondents to one set of margins, with the checks the report needs.

    - categories with population 0 are dropped from the margin;
    - a variable whose margin has a category with residents but no respondents, or that has no
      margin at all, is left out of the weighting with a (Danish) note, because IPF cannot reach it;
    - margins whose totals differ by more than ``margin_total_tolerance`` are an error; smaller
      differences are scaled to the first variable's total (note);
    - respondents in a category without a population count are an error."""
    cfg = cfg or load_config()
    notes: list[str] = []
    use: dict[str, dict] = {}
    for var in cfg.weight_variables:
        pop = {str(k): float(v) for k, v in margins.get(var, {}).items() if float(v) > 0}
        if not pop:
            notes.append(f"{label}: ingen befolkningstal for {VARIABLE_LABELS.get(var, var).lower()}; "
                         "der vægtes ikke på denne variabel.")
            continue
        present = set(sample[var].astype(str))
        outside = sorted(present - set(pop))
        if outside:
            raise SurveyDataError(f"survey_margins.csv: wave {label}, variable {var!r}: no population "
                                  f"count for category {outside[0]!r}, which has respondents")
        empty = sorted(set(pop) - present)
        if empty:
            notes.append(f"{label}: ingen svarpersoner i {VARIABLE_LABELS.get(var, var).lower()} "
                         f"{', '.join(empty)}; der vægtes ikke på {VARIABLE_LABELS.get(var, var).lower()}.")
            continue
        use[var] = pop
    if not use:
        w = np.ones(len(sample))
        notes.append(f"{label}: ingen vægtningsmargener; resultaterne er uvægtede.")
        return RakeResult(weights=w, converged=True, iterations=0, max_rel_error=0.0, notes=notes)
    totals = {v: sum(p.values()) for v, p in use.items()}
    first = next(iter(totals.values()))
    tol_total = float(cfg.raw["weighting"].get("margin_total_tolerance", 0.02))
    for v, t in totals.items():
        if abs(t - first) / first > tol_total:
            raise SurveyDataError(f"survey_margins.csv: wave {label}: the population total for {v!r} "
                                  f"({t:.0f}) differs from that for {next(iter(totals))!r} ({first:.0f}) "
                                  f"by more than {tol_total:.0%}; expected the same residents counted "
                                  "three ways")
        if t != first:
            use[v] = {k: x * first / t for k, x in use[v].items()}
            notes.append(f"{label}: befolkningstallet for {VARIABLE_LABELS.get(v, v).lower()} er skaleret "
                         f"til samme total ({fmt_number(first)}).")
    res = rake(sample, use, bounds=cfg.weight_bounds, tol=float(cfg.raw["weighting"]["tolerance"]),
               max_iter=int(cfg.raw["weighting"]["max_iter"]))
    if not res.converged and cfg.weight_bounds is not None:
        # The bounds cannot be met together with the margins: margins win (documented).
        res2 = rake(sample, use, bounds=None, tol=float(cfg.raw["weighting"]["tolerance"]),
                    max_iter=int(cfg.raw["weighting"]["max_iter"]))
        notes.append(f"{label}: vægtene kunne ikke holdes inden for grænserne; der er raket uden grænser.")
        res = res2
    if not res.converged:
        notes.append(f"{label}: rakingen konvergerede ikke (største relative afvigelse "
                     f"{res.max_rel_error:.1e}).")
    res.notes = notes + res.notes
    return res


# --------------------------------------------------------------------------------------------
# Items, index, reliability
# --------------------------------------------------------------------------------------------


def scored_items(df: pd.DataFrame, cfg: SurveyConfig, reverse: bool = True) -> pd.DataFrame:
    """Items as 1-5 floats, "ved ikke" and not answered as NaN, reversed items as 6 - x."""
    x = df[cfg.items].astype(float).where(lambda d: d != cfg.dont_know)
    if reverse:
        top = int(cfg.raw["scale"]["min"]) + int(cfg.raw["scale"]["max"])
        for item in cfg.items:
            if cfg.is_reversed(item):
                x[item] = top - x[item]
    return x


def index_scores(df: pd.DataFrame, cfg: SurveyConfig) -> pd.Series:
    """The 0-100 fællesskab index per respondent (NaN with fewer than ``min_answered`` items)."""
    x = scored_items(df, cfg)[cfg.index_items]
    lo, hi = int(cfg.raw["scale"]["min"]), int(cfg.raw["scale"]["max"])
    a, b = cfg.raw["index"].get("rescale", [0, 100])
    m = x.mean(axis=1, skipna=True)
    m = m.where(x.notna().sum(axis=1) >= cfg.min_answered)
    return (m - lo) / (hi - lo) * (b - a) + a


def cronbach_alpha(items: pd.DataFrame, nan_policy: str = "pairwise", ci: float = 0.95
                   ) -> tuple[float, tuple[float, float], int]:
    """Cronbach's alpha ``k/(k-1) (1 - trace(C)/sum(C))`` with Feldt's CI, unweighted.

    ``nan_policy="pairwise"`` uses the pairwise-complete covariance matrix (as pingouin's default),
    ``"listwise"`` only complete rows. Returns (alpha, (lo, hi), n)."""
    data = items.astype(float).dropna(how="all")
    if nan_policy == "listwise":
        data = data.dropna()
    elif nan_policy != "pairwise":
        raise ValueError("nan_policy must be 'pairwise' or 'listwise'")
    n, k = data.shape
    if k < 2 or n < 3:
        return math.nan, (math.nan, math.nan), n
    c = data.cov()
    total = float(c.to_numpy().sum())
    if not np.isfinite(total) or total <= 0:
        return math.nan, (math.nan, math.nan), n
    alpha = k / (k - 1) * (1 - float(np.trace(c.to_numpy())) / total)
    df1 = n - 1
    df2 = df1 * (k - 1)
    a = 1 - ci
    lo = 1 - (1 - alpha) * st.f.isf(a / 2, df1, df2)
    hi = 1 - (1 - alpha) * st.f.isf(1 - a / 2, df1, df2)
    return float(alpha), (float(lo), float(hi)), int(n)


def corrected_item_total(items: pd.DataFrame) -> pd.Series:
    """Corrected item-total correlation (item against the sum of the other items)."""
    x = items.astype(float)
    out = {}
    for c in x.columns:
        rest = x.drop(columns=c).mean(axis=1) * (x.shape[1] - 1)
        out[c] = x[c].corr(rest)
    return pd.Series(out)


# --------------------------------------------------------------------------------------------
# Design-based estimators
# --------------------------------------------------------------------------------------------


@dataclass
class Estimate:
    """A weighted estimate with its linearised SE and CI. Shares are in percent units."""

    value: float
    se: float
    ci_low: float
    ci_high: float
    n: int          # respondents with an answer (the estimate's own base)
    df: int         # design degrees of freedom (all respondents of the wave - 1)
    n_eff: float = math.nan


def linearised_mean(y, w) -> tuple[float, float, int, int]:
    """Weighted mean and its Taylor-linearised SE (each respondent a PSU, with replacement).

    NaN in ``y`` = not in the domain (u_i = 0), as R ``svymean(na.rm=TRUE)``.
    Returns (mean, se, n_answered, df) with df = n_all - 1."""
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    keep = w > 0
    y, w = y[keep], w[keep]
    n_all = len(y)
    ok = ~np.isnan(y)
    n_ok = int(ok.sum())
    if n_ok == 0 or n_all < 2:
        return math.nan, math.nan, n_ok, max(n_all - 1, 0)
    sw = w[ok].sum()
    m = float(np.sum(w[ok] * y[ok]) / sw)
    u = np.zeros(n_all)
    u[ok] = w[ok] * (y[ok] - m) / sw
    se = math.sqrt(n_all / (n_all - 1) * float(np.sum((u - u.mean()) ** 2)))
    return m, se, n_ok, n_all - 1


def weighted_mean(y, w, level: float = 0.95) -> Estimate:
    m, se, n, df = linearised_mean(y, w)
    if math.isnan(m) or df < 1:
        return Estimate(m, se, math.nan, math.nan, n, df)
    t = st.t.ppf(1 - (1 - level) / 2, df)
    ok = ~np.isnan(np.asarray(y, dtype=float))
    return Estimate(m, se, m - t * se, m + t * se, n, df, kish_n_eff(np.asarray(w, dtype=float)[ok]))


def xlogit_ci(p: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """CI for a proportion on the logit scale (R ``svyciprop(method="xlogit")``), as fractions."""
    if not (0 < p < 1) or not np.isfinite(se) or df < 1:
        return math.nan, math.nan
    t = st.t.ppf(1 - (1 - level) / 2, df)
    lg = math.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return 1 / (1 + math.exp(-(lg - half))), 1 / (1 + math.exp(-(lg + half)))


def korn_graubard_ci(p: float, se: float, n: int, df: float, level: float = 0.95) -> tuple[float, float]:
    """Korn-Graubard (design-adjusted Clopper-Pearson) CI, used only when p is 0 or 1."""
    a = 1 - level
    n_eff = n if (p <= 0 or p >= 1 or se <= 0) else min(n, p * (1 - p) / se ** 2)
    if df >= 1:
        n_eff *= (st.norm.ppf(1 - a / 2) / st.t.ppf(1 - a / 2, df)) ** 2
    x = p * n_eff
    lo = 0.0 if x <= 0 else float(st.beta.ppf(a / 2, x, n_eff - x + 1))
    hi = 1.0 if x >= n_eff else float(st.beta.ppf(1 - a / 2, x + 1, n_eff - x))
    return lo, hi


def weighted_share(indicator_values, w, level: float = 0.95) -> Estimate:
    """Weighted share (percent units) of a 0/1 variable (NaN = no answer) with an xlogit CI."""
    p, se, n, df = linearised_mean(indicator_values, w)
    if math.isnan(p):
        return Estimate(math.nan, math.nan, math.nan, math.nan, n, df)
    if 0 < p < 1:
        lo, hi = xlogit_ci(p, se, df, level)
    else:
        lo, hi = korn_graubard_ci(p, se, n, df, level)
    ok = ~np.isnan(np.asarray(indicator_values, dtype=float))
    return Estimate(100 * p, 100 * se, 100 * lo, 100 * hi, n, df,
                    kish_n_eff(np.asarray(w, dtype=float)[ok]))


@dataclass
class Difference:
    diff: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    p_value: float


def difference(a: Estimate, b: Estimate, level: float = 0.95) -> Difference:
    """b - a for two independent waves: SE = sqrt(SEa² + SEb²), t with dfa + dfb degrees of freedom
    (= n_a + n_b - 2)."""
    if any(math.isnan(x) for x in (a.value, b.value, a.se, b.se)):
        return Difference(math.nan, math.nan, math.nan, math.nan, 0, math.nan)
    d = b.value - a.value
    se = math.hypot(a.se, b.se)
    df = int(a.df + b.df)
    t = st.t.ppf(1 - (1 - level) / 2, df)
    p = float(2 * st.t.sf(abs(d) / se, df)) if se > 0 else (1.0 if d == 0 else 0.0)
    return Difference(d, se, d - t * se, d + t * se, df, p)


def rake_adjusted_se(y, w, sample: pd.DataFrame, variables: list[str], rounds: int = 20) -> float:
    """SE of a weighted mean that accounts for raking (R ``rake()`` designs): the influence
    values are centred within each raking margin, iterated. Reported as a footnote only."""
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = ~np.isnan(y)
    n = len(y)
    if ok.sum() == 0 or n < 2:
        return math.nan
    m = np.sum(w[ok] * y[ok]) / w[ok].sum()
    u = np.zeros(n)
    u[ok] = w[ok] * (y[ok] - m) / w[ok].sum()
    # svyrecvar works on x/psw with psw = 1/w; x = u here, so centre u/w weighted by w, i.e.
    # u <- u - w * ave_w(u / w) within each category.
    for _ in range(rounds):
        for v in variables:
            g = sample[v].astype(str).to_numpy()
            r = pd.Series(u / w).groupby(g).transform("mean").to_numpy()
            u = u - w * r
    return math.sqrt(n / (n - 1) * float(np.sum((u - u.mean()) ** 2)))


def rank_test(y_a, w_a, y_b, w_b, level: float = 0.95) -> dict:
    """Design-based Wilcoxon-type rank test (port of R ``svyranktest``'s two-group case).

    Weighted mid-ranks over both waves, scaled by the population total; the wave difference in
    weighted mean rank score with linearised SEs. Also the probability of superiority
    P(Y_b > Y_a) + ½ P(Y_b = Y_a) (weighted, 0.5 = no shift)."""
    y_a, y_b = np.asarray(y_a, float), np.asarray(y_b, float)
    w_a, w_b = np.asarray(w_a, float), np.asarray(w_b, float)
    ka, kb = ~np.isnan(y_a), ~np.isnan(y_b)
    y = np.concatenate([y_a[ka], y_b[kb]])
    w = np.concatenate([w_a[ka], w_b[kb]])
    if len(y) < 4 or ka.sum() < 2 or kb.sum() < 2:
        return {"diff": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                "p_value": math.nan, "prob_superiority": math.nan}
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cum = np.cumsum(ws) - ws / 2
    ranks_sorted = pd.Series(cum).groupby(ys).transform("mean").to_numpy()
    ranks = np.empty_like(ranks_sorted)
    ranks[order] = ranks_sorted
    score = ranks / w.sum()
    ra = np.full(len(y_a), np.nan)
    ra[ka] = score[: ka.sum()]
    rb = np.full(len(y_b), np.nan)
    rb[kb] = score[ka.sum():]
    ea, eb = weighted_mean(ra, w_a, level), weighted_mean(rb, w_b, level)
    d = difference(ea, eb, level)
    # probability of superiority via the baseline distribution (ridit of b relative to a)
    va, wa = y_a[ka], w_a[ka] / w_a[ka].sum()
    ridit = np.array([wa[va < v].sum() + 0.5 * wa[va == v].sum() for v in y_b[kb]])
    ps = float(np.sum(w_b[kb] * ridit) / w_b[kb].sum())
    return {"diff": d.diff, "se": d.se, "ci_low": d.ci_low, "ci_high": d.ci_high,
            "p_value": d.p_value, "prob_superiority": ps}


def cohens_h(p_new: float, p_old: float) -> float:
    """Cohen's h for two proportions (fractions), via statsmodels."""
    from statsmodels.stats.proportion import proportion_effectsize

    if any(math.isnan(x) for x in (p_new, p_old)):
        return math.nan
    return float(proportion_effectsize(p_new, p_old))


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels ``multipletests(method="holm")``, passed explicitly:
    the default "hs" is Holm-Šidák). NaN p-values are left out and stay NaN."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], alpha=0.05, method="holm")[1]
    return out


# --------------------------------------------------------------------------------------------
# Decision rule
# --------------------------------------------------------------------------------------------


def decide(diff: float, ci_low: float, ci_high: float, min_meaningful: float) -> dict:
    """The fixed decision rule for TT-1.

    - "stronger": the whole 95 % CI of 2020 - 2017 lies above 0;
    - "weaker": the whole CI lies below 0;
    - "no_detectable_change": the CI covers 0;
    - "missing": no difference can be computed.
    ``meaningful`` says whether the estimate reaches the minimum meaningful change."""
    if any(math.isnan(x) for x in (diff, ci_low, ci_high)):
        return {"code": "missing", "stronger": False, "meaningful": False,
                "text": "Forskellen kan ikke beregnes endnu."}
    meaningful = diff >= min_meaningful
    if ci_low > 0:
        code = "stronger"
        text = ("Fællesskabet opleves som stærkere i 2020 end i 2017: hele sikkerhedsintervallet "
                "ligger over 0.")
        if not meaningful:
            text += (f" Stigningen er dog mindre end den mindste betydningsfulde ændring "
                     f"({fmt_number(min_meaningful, 1)} point).")
    elif ci_high < 0:
        code = "weaker"
        text = "Fællesskabet opleves som svagere i 2020 end i 2017: hele sikkerhedsintervallet ligger under 0."
    else:
        code = "no_detectable_change"
        text = ("Der kan ikke påvises en ændring fra 2017 til 2020: sikkerhedsintervallet "
                "indeholder 0.")
    return {"code": code, "stronger": code == "stronger", "meaningful": bool(meaningful), "text": text}


# --------------------------------------------------------------------------------------------
# Analysis of both waves
# --------------------------------------------------------------------------------------------


@dataclass
class WaveData:
    wave: int
    data: pd.DataFrame            # validated responses of the wave
    rake: RakeResult
    items: pd.DataFrame           # scored items (reversed where declared)
    raw_items: pd.DataFrame       # items as worded (1-5, NaN for DK / not answered)
    index: pd.Series              # 0-100
    margins: dict

    @property
    def weights(self) -> np.ndarray:
        return self.rake.weights

    @property
    def n(self) -> int:
        return len(self.data)


@dataclass
class SurveyAnalysis:
    cfg: SurveyConfig
    evaluation_year: int
    waves: dict[int, WaveData]
    waves_info: pd.DataFrame | None
    index: pd.DataFrame           # per wave: mean/se/ci/n/n_eff (+ se_rake, sd)
    strong: pd.DataFrame          # per wave: share with index >= threshold (percent units)
    index_diff: Difference
    strong_diff: Difference
    decision: dict
    cohens_d: float
    alpha: pd.DataFrame           # per wave: alpha, ci_low, ci_high, n
    items: pd.DataFrame           # per item: shares agreeing, DK, differences, Holm
    robustness: pd.DataFrame
    notes: list[str]
    source_missing: bool = False

    @property
    def has_comparison(self) -> bool:
        return self.cfg.baseline_wave in self.waves and self.cfg.end_wave in self.waves

    @property
    def wave_list(self) -> list[int]:
        return sorted(self.waves)


def _prepare_wave(resp: pd.DataFrame, margins_df: pd.DataFrame, wave: int, cfg: SurveyConfig,
                  margins_wave: int | None = None) -> WaveData:
    d = resp[resp["wave"] == wave].reset_index(drop=True)
    mw = wave if margins_wave is None else margins_wave
    m = margins_dict(margins_df, mw, cfg.weight_variables) if margins_df is not None else {}
    label = str(wave) if mw == wave else f"{wave} (margener {mw})"
    rk = wave_weights(d, m, cfg, label=label)
    return WaveData(wave=wave, data=d, rake=rk, items=scored_items(d, cfg),
                    raw_items=scored_items(d, cfg, reverse=False), index=index_scores(d, cfg), margins=m)


def _estimate_row(est: Estimate, **extra) -> dict:
    return {"value": est.value, "se": est.se, "ci_low": est.ci_low, "ci_high": est.ci_high,
            "n": est.n, "n_eff": est.n_eff, "df": est.df, **extra}


def _item_table(waves: dict[int, WaveData], cfg: SurveyConfig, a: int | None, b: int | None) -> pd.DataFrame:
    rows = []
    for item in cfg.items:
        row = {"item": item, "text": cfg.item_text(item), "short": cfg.item_short(item),
               "family": cfg.item_family(item), "reversed": cfg.is_reversed(item)}
        ests = {}
        for wv, wd in waves.items():
            raw = wd.data[item]
            answered = raw.notna()
            opinion = wd.raw_items[item]
            agree = opinion.isin(cfg.agree_codes).astype(float).where(opinion.notna())
            dk = (raw == cfg.dont_know).astype(float).where(answered)
            e = weighted_share(agree, wd.weights, cfg.level)
            e_dk = weighted_share(dk, wd.weights, cfg.level)
            u_agree = float(agree.mean()) * 100 if agree.notna().any() else math.nan
            ests[wv] = e
            row.update({f"agree_{wv}": e.value, f"agree_se_{wv}": e.se, f"agree_ci_low_{wv}": e.ci_low,
                        f"agree_ci_high_{wv}": e.ci_high, f"n_{wv}": e.n, f"n_answered_{wv}": int(answered.sum()),
                        f"dk_{wv}": e_dk.value, f"agree_unweighted_{wv}": u_agree,
                        f"agree_all_{wv}": weighted_share(
                            opinion.isin(cfg.agree_codes).astype(float).where(answered), wd.weights,
                            cfg.level).value})
        if a in ests and b in ests:
            d = difference(ests[a], ests[b], cfg.level)
            row.update({"diff": d.diff, "diff_ci_low": max(d.ci_low, -100.0), "diff_ci_high": min(d.ci_high, 100.0),
                        "p_value": d.p_value,
                        "cohens_h": cohens_h(ests[b].value / 100, ests[a].value / 100),
                        "dk_change": row[f"dk_{b}"] - row[f"dk_{a}"]})
        else:
            row.update({"diff": math.nan, "diff_ci_low": math.nan, "diff_ci_high": math.nan,
                        "p_value": math.nan, "cohens_h": math.nan, "dk_change": math.nan})
        rows.append(row)
    out = pd.DataFrame(rows).set_index("item")
    out["p_holm"] = math.nan
    for fam, idx in out.groupby("family").groups.items():
        out.loc[idx, "p_holm"] = holm(out.loc[idx, "p_value"].to_numpy())
    out["significant_holm"] = out["p_holm"] < (1 - cfg.level)
    return out


def analyse(source, evaluation_year: int = 2020, cfg: SurveyConfig | None = None) -> SurveyAnalysis:
    """Everything the notebook and the indicator show, from a DataBundle, a dict of frames or a
    data folder. Waves after ``evaluation_year`` are ignored (not yet due)."""
    cfg = cfg or load_config()
    t = _tables_from(source)
    notes: list[str] = []
    empty = pd.DataFrame()
    if t["survey_responses"] is None:
        return SurveyAnalysis(cfg, evaluation_year, {}, None, empty, empty,
                              difference(Estimate(math.nan, math.nan, math.nan, math.nan, 0, 0),
                                         Estimate(math.nan, math.nan, math.nan, math.nan, 0, 0)),
                              Difference(math.nan, math.nan, math.nan, math.nan, 0, math.nan),
                              decide(math.nan, math.nan, math.nan, cfg.min_meaningful), math.nan, empty,
                              empty, empty, ["Der er ingen data fra fællesskabsundersøgelsen."],
                              source_missing=True)
    resp = validate_responses(t["survey_responses"], cfg)
    margins = validate_margins(t["survey_margins"], cfg) if t["survey_margins"] is not None else None
    if margins is None:
        notes.append("Der er ingen befolkningstal (survey_margins); resultaterne er uvægtede.")
    info = validate_waves(t["survey_waves"]) if t["survey_waves"] is not None else None
    wave_years = [w for w in cfg.waves if w <= evaluation_year and (resp["wave"] == w).any()]
    waves = {w: _prepare_wave(resp, margins, w, cfg) for w in wave_years}
    for wd in waves.values():
        notes.extend(wd.rake.notes)
    a, b = cfg.baseline_wave, cfg.end_wave
    # index and share with a strong community, per wave
    irows, srows, arows = {}, {}, {}
    for w, wd in waves.items():
        e = weighted_mean(wd.index, wd.weights, cfg.level)
        y = wd.index.to_numpy(float)
        ok = ~np.isnan(y)
        sd = (math.sqrt(np.sum(wd.weights[ok] * (y[ok] - e.value) ** 2) / wd.weights[ok].sum())
              if ok.any() else math.nan)
        irows[w] = _estimate_row(e, sd=sd, se_rake=rake_adjusted_se(y, wd.weights, wd.data, wd.rake.variables),
                                 unweighted=float(np.nanmean(y)) if ok.any() else math.nan,
                                 n_respondents=wd.n, n_eff_wave=wd.rake.n_eff, deff=wd.rake.deff)
        strong = (wd.index >= cfg.strong_threshold).astype(float).where(wd.index.notna())
        srows[w] = _estimate_row(weighted_share(strong, wd.weights, cfg.level))
        al, (alo, ahi), an = cronbach_alpha(wd.items[cfg.index_items])
        arows[w] = {"alpha": al, "ci_low": alo, "ci_high": ahi, "n": an}
        if not math.isnan(al) and al < float(cfg.raw["index"].get("alpha_warning", 0.7)):
            notes.append(f"{w}: Cronbachs alfa er {fmt_number(al, 2)} (under "
                         f"{fmt_number(cfg.raw['index'].get('alpha_warning', 0.7), 2)}); indekset skal læses varsomt.")
    idx_df = pd.DataFrame.from_dict(irows, orient="index")
    strong_df = pd.DataFrame.from_dict(srows, orient="index")
    alpha_df = pd.DataFrame.from_dict(arows, orient="index")
    for df_ in (idx_df, strong_df, alpha_df):
        df_.index.name = "wave"

    def est(df_, w):
        if w not in df_.index:
            return Estimate(math.nan, math.nan, math.nan, math.nan, 0, 0)
        r = df_.loc[w]
        return Estimate(r["value"], r["se"], r["ci_low"], r["ci_high"], int(r["n"]), int(r["df"]), r["n_eff"])

    idiff = difference(est(idx_df, a), est(idx_df, b), cfg.level)
    sdiff = difference(est(strong_df, a), est(strong_df, b), cfg.level)
    sdiff.ci_low, sdiff.ci_high = max(sdiff.ci_low, -100.0), min(sdiff.ci_high, 100.0)  # pp of shares
    dec = decide(idiff.diff, idiff.ci_low, idiff.ci_high, cfg.min_meaningful)
    d = math.nan
    if a in idx_df.index and b in idx_df.index:
        pooled = math.sqrt((idx_df.loc[a, "sd"] ** 2 + idx_df.loc[b, "sd"] ** 2) / 2)
        d = idiff.diff / pooled if pooled > 0 else math.nan
    items = _item_table(waves, cfg, a, b)
    rob = _robustness(waves, resp, margins, cfg, idiff) if (a in waves and b in waves) else pd.DataFrame()
    if a in waves and b in waves:
        big = items[items["dk_change"].abs() > 5]
        for item in big.index:
            notes.append(f"Andelen 'ved ikke' til '{cfg.item_short(item)}' har flyttet sig mere end 5 "
                         "procentpoint; se også andelen enige blandt alle svarpersoner.")
    return SurveyAnalysis(cfg, evaluation_year, waves, info, idx_df, strong_df, idiff, sdiff, dec, d,
                          alpha_df, items, rob, notes)


def _robustness(waves, resp, margins, cfg, idiff: Difference) -> pd.DataFrame:
    a, b = cfg.baseline_wave, cfg.end_wave
    wa, wb = waves[a], waves[b]
    rows = [{"check": "weighted", "label": "Vægtet (primær analyse)", "diff": idiff.diff,
             "ci_low": idiff.ci_low, "ci_high": idiff.ci_high, "p_value": idiff.p_value, "unit": "point"}]
    ua = weighted_mean(wa.index, np.ones(wa.n), cfg.level)
    ub = weighted_mean(wb.index, np.ones(wb.n), cfg.level)
    du = difference(ua, ub, cfg.level)
    rows.append({"check": "unweighted", "label": "Uvægtet", "diff": du.diff, "ci_low": du.ci_low,
                 "ci_high": du.ci_high, "p_value": du.p_value, "unit": "point"})
    if margins is not None:
        rew = _prepare_wave(resp, margins, b, cfg, margins_wave=a)
        ea = weighted_mean(wa.index, wa.weights, cfg.level)
        eb = weighted_mean(rew.index, rew.weights, cfg.level)
        dr = difference(ea, eb, cfg.level)
        rows.append({"check": "reweighted_to_baseline",
                     "label": f"{b} vægtet til {a}-beboersammensætningen", "diff": dr.diff,
                     "ci_low": dr.ci_low, "ci_high": dr.ci_high, "p_value": dr.p_value, "unit": "point"})
    rt = rank_test(wa.index, wa.weights, wb.index, wb.weights, cfg.level)
    rows.append({"check": "rank_test", "label": "Rangtest (ordinal, forskel i gennemsnitlig rangscore)",
                 "diff": rt["diff"], "ci_low": rt["ci_low"], "ci_high": rt["ci_high"],
                 "p_value": rt["p_value"], "unit": "rangscore",
                 "prob_superiority": rt["prob_superiority"]})
    return pd.DataFrame(rows).set_index("check")


# --------------------------------------------------------------------------------------------
# The registered indicator
# --------------------------------------------------------------------------------------------


@indicator("faellesskab_index", sources=SOURCES)
def faellesskab_index(bundle, years):
    """Weighted fællesskab index per wave (0-100) and the 2020 - 2017 difference.

    ``data`` is indexed by the wave years (2017, 2020); a wave not in the data, or after the
    last of ``years``, has NaN values (never 0). ``extra`` holds the difference, its CI, the
    minimum meaningful change and the decision (kind ``survey_wave_increase``)."""
    from .status import IndicatorSeries

    cfg = load_config()
    years = [int(y) for y in years] if years is not None else cfg.waves
    last = max(years) if years else cfg.end_wave
    cols = ["value", "se", "ci_low", "ci_high", "n"]
    data = pd.DataFrame(np.nan, index=pd.Index(cfg.waves, name="year"), columns=cols)
    extra = {"diff": math.nan, "ci_low": math.nan, "ci_high": math.nan,
             "min_meaningful": cfg.min_meaningful, "unit_label": cfg.unit_label}
    missing = bundle.table("survey_responses") is None or bundle.table("survey_margins") is None
    notes: list[str] = []
    if bundle.table("survey_responses") is not None:
        an = analyse(bundle, evaluation_year=last, cfg=cfg)
        for w in an.index.index:
            r = an.index.loc[w]
            data.loc[w, cols] = [r["value"], r["se"], r["ci_low"], r["ci_high"], r["n"]]
        extra.update({"diff": an.index_diff.diff, "ci_low": an.index_diff.ci_low,
                      "ci_high": an.index_diff.ci_high, "se": an.index_diff.se,
                      "p_value": an.index_diff.p_value, "decision": an.decision["code"],
                      "decision_text": an.decision["text"], "meaningful": an.decision["meaningful"]})
        notes.extend(an.notes)
        if bundle.table("survey_margins") is None:
            notes.append("Uden befolkningstal er indekset beregnet uvægtet.")
    return IndicatorSeries(indicator="faellesskab_index", unit="indeks", data=data,
                           expected_years=list(cfg.waves), notes=notes, extra=extra,
                           source_missing=bool(missing))


# --------------------------------------------------------------------------------------------
# Board-ready tables (Danish headers, disclosure control) and chart data
# --------------------------------------------------------------------------------------------


def _ci_text(lo, hi, decimals=1, pp=False) -> str:
    if any(math.isnan(x) for x in (lo, hi)):
        return MISSING
    f = (lambda x: fmt_number(x, decimals))
    s = f"{f(lo)} til {f(hi)}"
    return s + (" procentpoint" if pp else "")


def _signed(x, decimals=1) -> str:
    if x is None or math.isnan(x):
        return MISSING
    s = fmt_number(x, decimals)
    return ("+" + s) if round(x, decimals) > 0 else s


def headline(an: SurveyAnalysis, min_cell: int = 5) -> str:
    """The one Danish sentence the board reads first."""
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    if an.source_missing or not an.waves:
        return "Der er endnu ingen data fra fællesskabsundersøgelsen (afventer data)."
    if an.evaluation_year < b:
        if a in an.index.index and an.index.loc[a, "n"] >= min_cell:
            r = an.index.loc[a]
            return (f"Sammenligningen med {b} er ikke aktuel endnu. Ved opstarten i {a} var fællesskabsindekset "
                    f"{fmt_number(r['value'], 1)} på en skala fra 0 til 100 "
                    f"({fmt_pct(an.strong.loc[a, 'value'], 0)} oplevede et stærkt fællesskab).")
        return f"Sammenligningen med {b} er ikke aktuel endnu, og der er for få svar fra {a} til at vise et tal."
    if not an.has_comparison:
        return (f"Der er endnu ikke data fra begge runder ({a} og {b}), så udviklingen kan ikke vurderes "
                "(afventer data).")
    if min(an.index.loc[a, "n"], an.index.loc[b, "n"]) < min_cell:
        return "Der er for få svar til at vise resultatet."
    ia, ib = an.index.loc[a], an.index.loc[b]
    sa, sb = an.strong.loc[a], an.strong.loc[b]
    d = an.index_diff
    verdict = {"stronger": "Fællesskabet opleves som stærkere ved helhedsplanens afslutning end ved opstarten",
               "weaker": "Fællesskabet opleves som svagere ved helhedsplanens afslutning end ved opstarten",
               "no_detectable_change": "Der kan ikke påvises en ændring i fællesskabet fra opstarten til "
                                       "helhedsplanens afslutning"}[an.decision["code"]]
    return (f"{verdict}: fællesskabsindekset gik fra "
            f"{fmt_number(ia['value'], 1)} i {a} til {fmt_number(ib['value'], 1)} i {b} "
            f"({_signed(d.diff)} point, 95 %-sikkerhedsinterval {_ci_text(d.ci_low, d.ci_high)}), og andelen "
            f"af beboere, der oplever et stærkt fællesskab, gik fra {fmt_pct(sa['value'], 1)} til "
            f"{fmt_pct(sb['value'], 1)} ({fmt_pp(an.strong_diff.diff, 1, signed=True)}). "
            "Tallene er vægtet, så svarpersonerne svarer til beboersammensætningen.")


def summary_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Index and share with a strong community per wave, with the difference (Danish headers)."""
    if not an.waves:
        return pd.DataFrame()
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    waves = an.wave_list
    rows = []
    for label, df_, diff, pct in (("Fællesskabsindeks (0-100)", an.index, an.index_diff, False),
                                  (f"Andel med stærkt fællesskab (indeks ≥ {fmt_number(cfg.strong_threshold)})",
                                   an.strong, an.strong_diff, True)):
        row = {"Mål": label}
        for w in waves:
            r = df_.loc[w]
            ok = r["n"] >= min_cell
            row[f"{w}"] = (fmt_pct(r["value"], 1) if pct else fmt_number(r["value"], 1)) if ok else MISSING
            row[f"95 %-sikkerhedsinterval {w}"] = _ci_text(r["ci_low"], r["ci_high"]) if ok else MISSING
        if an.has_comparison and an.evaluation_year >= b:
            ok = min(df_.loc[a, "n"], df_.loc[b, "n"]) >= min_cell
            row["Forskel"] = ((fmt_pp(diff.diff, 1, signed=True) if pct else _signed(diff.diff) + " point")
                              if ok else MISSING)
            row["95 %-sikkerhedsinterval for forskellen"] = _ci_text(diff.ci_low, diff.ci_high, pp=pct) if ok else MISSING
        rows.append(row)
    return pd.DataFrame(rows).set_index("Mål")


def item_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Per item: weighted % agreeing and % "ved ikke" per wave, difference with CI, Holm p.
    Percentages over fewer than ``min_cell`` answers are suppressed."""
    if not an.waves:
        return pd.DataFrame()
    cfg = an.cfg
    it = an.items
    rows = []
    cmp_ = an.has_comparison and an.evaluation_year >= cfg.end_wave
    for item, r in it.iterrows():
        row = {"Udsagn": r["text"] + (" (negativt formuleret)" if r["reversed"] else "")}
        ok_all = True
        for w in an.wave_list:
            ok = r[f"n_{w}"] >= min_cell
            ok_dk = r[f"n_answered_{w}"] >= min_cell
            ok_all &= bool(ok)
            row[f"Enige {w}"] = fmt_pct(r[f"agree_{w}"], 0) if ok else MISSING
            row[f"Ved ikke {w}"] = fmt_pct(r[f"dk_{w}"], 0) if ok_dk else MISSING
            row[f"Antal svar {w}"] = fmt_count(r[f"n_{w}"], min_cell)
        if cmp_:
            row["Forskel"] = fmt_pp(r["diff"], 0, signed=True) if ok_all else MISSING
            row["95 %-sikkerhedsinterval"] = _ci_text(r["diff_ci_low"], r["diff_ci_high"], 0) if ok_all else MISSING
            row["Signifikant efter Holm-korrektion"] = (
                MISSING if (not ok_all or math.isnan(r["p_holm"])) else ("ja" if r["significant_holm"] else "nej"))
        rows.append(row)
    return pd.DataFrame(rows).set_index("Udsagn")


def methods_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Methods box per wave: invited, respondents, response rate, effective n, design effect,
    alpha, fieldwork period, answer modes."""
    if not an.waves:
        return pd.DataFrame()
    from .formatting import fmt_date

    out = {}
    for w in an.wave_list:
        wd = an.waves[w]
        info = (an.waves_info.set_index("wave").loc[w]
                if an.waves_info is not None and w in set(an.waves_info["wave"]) else None)
        inv = info["invited"] if info is not None else math.nan
        resp_rate = 100 * wd.n / inv if (info is not None and inv and not math.isnan(inv)) else math.nan
        al = an.alpha.loc[w] if w in an.alpha.index else None
        modes = wd.data["mode"].value_counts()
        mode_txt = ", ".join(f"{m} {fmt_pct(100 * modes.get(m, 0) / wd.n, 0)}" for m in an.cfg.categories("mode")
                             if modes.get(m, 0) > 0) if wd.n >= min_cell else MISSING
        mode_txt = mode_txt or MISSING
        out[str(w)] = {
            "Inviterede": fmt_count(inv, min_cell) if not math.isnan(inv) else MISSING,
            "Svarpersoner": fmt_count(wd.n, min_cell),
            "Svarprocent": fmt_pct(resp_rate, 0),
            "Effektivt antal svar (Kish)": fmt_number(wd.rake.n_eff, 0) if wd.n >= min_cell else MISSING,
            "Designeffekt af vægtningen": fmt_number(wd.rake.deff, 2) if wd.n >= min_cell else MISSING,
            "Cronbachs alfa (fællesskabsindeks)": (
                fmt_number(al["alpha"], 2) if al is not None and al["n"] >= min_cell else MISSING),
            "Indsamlingsperiode": (f"{fmt_date(info['fieldwork_start'].date())}-{fmt_date(info['fieldwork_end'].date())}"
                                   if info is not None and pd.notna(info["fieldwork_start"]) else MISSING),
            "Svarform": mode_txt,
            "Vægtet efter": ", ".join(VARIABLE_LABELS[v].lower() for v in wd.rake.variables) or "ikke vægtet",
        }
    return pd.DataFrame(out)


def margins_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Weighting margins: population share, unweighted and weighted respondent share per wave."""
    if not an.waves:
        return pd.DataFrame()
    rows = []
    for w in an.wave_list:
        wd = an.waves[w]
        for var in an.cfg.weight_variables:
            pop = wd.margins.get(var, {})
            tot = sum(pop.values())
            for cat in an.cfg.categories(var):
                if cat not in pop and not (wd.data[var] == cat).any():
                    continue
                mask = (wd.data[var] == cat).to_numpy()
                n = int(mask.sum())
                rows.append({"Runde": str(w), "Variabel": VARIABLE_LABELS[var], "Gruppe": cat,
                             "Beboere": fmt_pct(100 * pop.get(cat, 0) / tot, 0) if tot else MISSING,
                             "Svarpersoner, uvægtet": fmt_pct(100 * n / wd.n, 0) if wd.n >= min_cell else MISSING,
                             "Svarpersoner, vægtet": (fmt_pct(100 * wd.weights[mask].sum() / wd.weights.sum(), 0)
                                                      if wd.n >= min_cell else MISSING),
                             "Antal svar": fmt_count(n, min_cell)})
    return pd.DataFrame(rows)


def department_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Index per department and wave, descriptive only. Shown only with n >= min_group_n and
    n_eff >= min_group_n_eff (otherwise "for få svar"); never below ``min_cell``."""
    if not an.waves:
        return pd.DataFrame()
    rep = an.cfg.raw["reporting"]
    min_n = max(int(rep["min_group_n"]), min_cell)
    min_eff = float(rep["min_group_n_eff"])
    rows = []
    for dep in an.cfg.categories("department"):
        row = {"Afdeling": dep}
        for w in an.wave_list:
            wd = an.waves[w]
            mask = (wd.data["department"] == dep).to_numpy()
            y = wd.index.to_numpy(float)[mask]
            e = weighted_mean(y, wd.weights[mask], an.cfg.level)
            show = e.n >= min_n and e.n_eff >= min_eff
            row[f"Indeks {w}"] = fmt_number(e.value, 1) if show else "for få svar"
            row[f"Antal svar {w}"] = fmt_count(e.n, min_cell)
        rows.append(row)
    return pd.DataFrame(rows).set_index("Afdeling")


def robustness_table(an: SurveyAnalysis) -> pd.DataFrame:
    if an.robustness.empty:
        return pd.DataFrame()
    rows = []
    for _, r in an.robustness.iterrows():
        dec = 3 if r["unit"] == "rangscore" else 1
        rows.append({"Analyse": r["label"], "Forskel 2020-2017": _signed(r["diff"], dec),
                     "95 %-sikkerhedsinterval": _ci_text(r["ci_low"], r["ci_high"], dec),
                     "Intervallet ligger over 0": "ja" if r["ci_low"] > 0 else "nej"})
    return pd.DataFrame(rows).set_index("Analyse")


def likert_chart_data(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Weighted answer distribution per item and wave (percent of those with an opinion), plus
    the weighted % "ved ikke" of those who answered. Items/waves under ``min_cell`` answers are
    left out."""
    if not an.waves:
        return pd.DataFrame()
    cfg = an.cfg
    rows = []
    for item in cfg.items:
        for w in an.wave_list:
            wd = an.waves[w]
            raw = wd.raw_items[item].to_numpy(float)
            ok = ~np.isnan(raw)
            n = int(ok.sum())
            if n < min_cell:
                continue
            ww = wd.weights[ok]
            row = {"item": item, "label": cfg.item_short(item), "wave": w, "n": n}
            for code in range(int(cfg.raw["scale"]["min"]), int(cfg.raw["scale"]["max"]) + 1):
                row[code] = 100 * ww[raw[ok] == code].sum() / ww.sum()
            ans = wd.data[item].notna().to_numpy()
            dk = (wd.data[item] == cfg.dont_know).to_numpy()
            row["dk"] = 100 * wd.weights[dk].sum() / wd.weights[ans].sum()
            row["agree"] = sum(row[c] for c in cfg.agree_codes)
            rows.append(row)
    return pd.DataFrame(rows)


def difference_chart_data(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Dot-and-whisker data: % agreeing per item and wave with its 95 % CI, index on top (scaled
    0-100). Items/waves under ``min_cell`` answers are left out."""
    if not an.waves:
        return pd.DataFrame()
    rows = []
    for w in an.wave_list:
        r = an.index.loc[w]
        if r["n"] >= min_cell:
            rows.append({"item": "index", "label": "Fællesskabsindeks (0-100)", "wave": w, "value": r["value"],
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": int(r["n"])})
    for item, r in an.items.iterrows():
        for w in an.wave_list:
            if r[f"n_{w}"] >= min_cell:
                rows.append({"item": item, "label": r["short"] + " (% enige)", "wave": w, "value": r[f"agree_{w}"],
                             "ci_low": r[f"agree_ci_low_{w}"], "ci_high": r[f"agree_ci_high_{w}"],
                             "n": int(r[f"n_{w}"])})
    return pd.DataFrame(rows)


LIKERT_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#d9d9d9", 4: "#67a9cf", 5: "#2166ac"}  # RdBu, colour-blind safe
WAVE_COLOURS = {0: "#999999", 1: "#2166ac"}


def plot_likert(an: SurveyAnalysis, min_cell: int = 5, ax=None):
    """Diverging stacked bars per item and wave (neutral split across 0; "ved ikke" as a grey
    bar to the right). Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    d = likert_chart_data(an, min_cell)
    if d.empty:
        fig, ax = plt.subplots(figsize=(8, 1.5)) if ax is None else (ax.figure, ax)
        ax.text(0.5, 0.5, "For få svar til at vise fordelingen" if an.waves else "Ingen data endnu",
                ha="center", va="center")
        ax.set_axis_off()
        return fig
    order = (d[d["wave"] == d["wave"].max()].sort_values("agree", ascending=False)["item"].tolist())
    order += [i for i in d["item"].unique() if i not in order]
    labels, ys = [], []
    rows = []
    y = 0.0
    for item in order:
        for w in sorted(d.loc[d["item"] == item, "wave"], reverse=True):
            rows.append((y, d[(d["item"] == item) & (d["wave"] == w)].iloc[0]))
            labels.append(f"{an.cfg.item_short(item)} – {w}")
            ys.append(y)
            y += 1
        y += 0.6
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 0.42 * len(rows) + 1.5))
    else:
        fig = ax.figure
    names = an.cfg.scale_labels
    for yy, r in rows:
        left = -(r[1] + r[2] + r[3] / 2)
        for code in (1, 2, 3, 4, 5):
            ax.barh(yy, r[code], left=left, color=LIKERT_COLOURS[code], edgecolor="white", height=0.8,
                    label=names[code] if yy == rows[0][0] else None)
            left += r[code]
        ax.barh(yy, r["dk"], left=105, color="#bdbdbd", height=0.8,
                label=names[an.cfg.dont_know] if yy == rows[0][0] else None)
        ax.text(105 + r["dk"] + 1, yy, f"n = {fmt_count(r['n'], min_cell)}", va="center", fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.set_xlim(-100, 130)
    ax.set_xticks([-100, -50, 0, 50, 100])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_pct(abs(v), 0)))  # shares on both sides
    ax.set_xlabel("Andel af svarpersoner med en holdning (vægtet); 'ved ikke' til højre")
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(rows) > 6 else -0.3), ncol=6, fontsize=8,
              frameon=False)
    ax.set_title("Svarfordeling pr. udsagn og runde")
    fig.tight_layout()
    return fig


def plot_differences(an: SurveyAnalysis, min_cell: int = 5, ax=None):
    """Dot-and-whisker chart: index and % agreeing per item, baseline vs end wave, with 95 % CIs."""
    import matplotlib.pyplot as plt

    from .formatting import tick_formatter

    d = difference_chart_data(an, min_cell)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.5 * max(d["item"].nunique() if not d.empty else 0, 2) + 1.5))
    else:
        fig = ax.figure
    if d.empty:
        ax.text(0.5, 0.5, "For få svar til at vise resultatet" if an.waves else "Ingen data endnu",
                ha="center", va="center")
        ax.set_axis_off()
        return fig
    items = list(dict.fromkeys(d["item"]))
    waves = sorted(d["wave"].unique())
    offs = {w: (i - (len(waves) - 1) / 2) * 0.25 for i, w in enumerate(waves)}
    for i, w in enumerate(waves):
        s = d[d["wave"] == w]
        ypos = [items.index(it) + offs[w] for it in s["item"]]
        ax.errorbar(s["value"], ypos, xerr=[s["value"] - s["ci_low"], s["ci_high"] - s["value"]], fmt="o",
                    color=WAVE_COLOURS[min(i, 1)], capsize=3, label=str(w))
    labels = [d.loc[d["item"] == it, "label"].iloc[0] for it in items]
    ax.set_yticks(range(len(items)), labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(tick_formatter("number"))
    ax.set_xlabel("Indeks (0-100) og andel enige i procent, vægtet, med 95 %-sikkerhedsinterval")
    ax.invert_yaxis()
    ax.legend(title="Runde", fontsize=8)
    ax.set_title("Fællesskabsindeks og enighed pr. udsagn")
    fig.tight_layout()
    return fig


def decision_text(an: SurveyAnalysis) -> str:
    """The decision rule as stated in the report, with this year's result (Danish Markdown)."""
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    rule = (f"**Beslutningsregel (fastlagt før {b}-data):** Fællesskabet regnes kun for stærkere, hvis hele "
            f"95 %-sikkerhedsintervallet for forskellen i det vægtede fællesskabsindeks ({b} minus {a}) ligger "
            f"over 0. Den mindste ændring, der regnes for betydningsfuld, er {fmt_number(cfg.min_meaningful, 0)} "
            f"point på skalaen 0-100 (for andelen med stærkt fællesskab "
            f"{fmt_pp(cfg.raw['decision'].get('min_meaningful_share_pp', 5), 0)}).")
    if an.evaluation_year < b:
        return rule + f"\n\nSammenligningen er ikke aktuel endnu: den afsluttende måling foretages i {b}."
    if not an.has_comparison:
        return rule + "\n\nBegge målinger skal foreligge, før reglen kan anvendes (afventer data)."
    d = an.index_diff
    res = (f"\n\n**Resultat:** forskellen er {_signed(d.diff)} point (95 %-sikkerhedsinterval "
           f"{_ci_text(d.ci_low, d.ci_high)}). {an.decision['text']}")
    if an.decision["code"] != "missing":
        size = ("når" if an.decision["meaningful"] else "når ikke")
        res += (f" Ændringen {size} den mindste betydningsfulde ændring på "
                f"{fmt_number(cfg.min_meaningful, 0)} point. Effektstørrelse (Cohens d): "
                f"{fmt_number(an.cohens_d, 2)}.")
    return rule + res


def methods_text(an: SurveyAnalysis, min_cell: int = 5) -> str:
    """The methods box as Danish Markdown (the numbers are in :func:`methods_table`)."""
    cfg = an.cfg
    lines = [
        "- **Vægtning:** Hver runde er vægtet (raking) til sin egen beboersammensætning fordelt på afdeling, "
        "aldersgruppe og køn (beboere på 18 år og derover), så svarpersonerne svarer til beboersammensætningen. "
        f"Vægtene er begrænset til {fmt_number(cfg.weight_bounds[0], 1)}-{fmt_number(cfg.weight_bounds[1], 1)} "
        "gange gennemsnitsvægten. Det effektive antal svar (Kish) viser, hvor mange uvægtede svar vægtningen "
        "svarer til.",
        f"- **Fællesskabsindeks:** gennemsnit af de {len(cfg.index_items)} udsagn om fællesskab (det negativt "
        "formulerede udsagn er vendt), omregnet til 0-100; beregnes for svarpersoner, der har svaret på mindst "
        f"{cfg.min_answered} af dem. 'Ved ikke' tæller ikke med i gennemsnit og andele, men vises for sig. "
        f"'Stærkt fællesskab' betyder et indeks på mindst {fmt_number(cfg.strong_threshold)}.",
        "- **Usikkerhed:** 95 %-sikkerhedsintervaller tager højde for vægtningen (lineariserede "
        "standardfejl; for andele beregnet på logit-skala). De to runder er uafhængige stikprøver.",
        "- **Mange udsagn:** Forskelle for de enkelte udsagn markeres kun som signifikante, hvis de holder efter "
        "Holm-korrektion inden for fællesskabsudsagnene. Indekset er det ene, forudbestemte hovedmål.",
        f"- **Diskretionering:** Grupper med færre end {min_cell} svar vises ikke; afdelingstal vises kun med "
        f"mindst {cfg.raw['reporting']['min_group_n']} svar og er kun beskrivende.",
    ]
    for w in an.wave_list:
        r = an.alpha.loc[w] if w in an.alpha.index else None
        if r is not None and r["n"] >= min_cell and not math.isnan(r["alpha"]):
            lines.append(f"- **Cronbachs alfa {w}:** {fmt_number(r['alpha'], 2)} (95 %-interval "
                         f"{fmt_number(r['ci_low'], 2)}-{fmt_number(r['ci_high'], 2)}).")
    if not an.index.empty and "se_rake" in an.index.columns:
        parts = [f"{w}: {fmt_number(an.index.loc[w, 'se_rake'], 2)} mod {fmt_number(an.index.loc[w, 'se'], 2)}"
                 for w in an.wave_list if an.index.loc[w, "n"] >= min_cell]
        if parts:
            lines.append("- **Note:** Standardfejlen, der også udnytter vægtningsmargenerne (som R's `rake`), er "
                         "mindre end den viste, forsigtige standardfejl (" + "; ".join(parts) + ").")
    for n in an.notes:
        lines.append(f"- {n}")
    return "\n".join(lines)


CAVEATS = (
    "- **COVID-19:** Målingen i 2020 blev gennemført under covid-19-pandemien. Nedlukning og afstand kan have "
    "påvirket, hvordan beboerne oplever fællesskabet, uafhængigt af helhedsplanen.\n"
    "- **Svarprocent og svarform:** Svarprocenten og fordelingen på papir, web og telefon er ikke den samme i de "
    "to runder. Vægtningen retter kun for skævheder i afdeling, alder og køn, ikke for andre forskelle mellem "
    "dem, der svarer, og dem, der ikke gør.\n"
    "- **Intet sammenligningsområde:** Der er ingen sammenlignelig måling fra et område uden helhedsplan. En "
    "ændring falder sammen med helhedsplanen, men det er ikke vist, at den skyldes helhedsplanen. Til "
    "sammenligning faldt den sociale sammenhængskraft i VIVE's måling 2018-2021 på tværs af områder med "
    "helhedsplan."
)
