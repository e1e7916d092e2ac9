"""3B's fællesskabs- og medborgerskabsundersøgelse 2017 vs 2020 (criterion TT-1).

Method (see ``/work/shared/research/survey.md``):

1. Each wave is raked (iterative proportional fitting) to *its own* register margins
   (department, age group, gender), starting from weight 1. Raking runs to convergence first;
   only if a weight then lies outside 0.3-3 times the mean weight N/n are the weights trimmed
   and re-raked (truncated raking), so the bounds change nothing when they do not bind.
   Both waves are weighted alike (:func:`plan_weighting`: the same raking variables, the same
   category collapsing from ``params/survey.yml``). Convergence is checked on every margin;
   Kish's effective sample size ``(Σw)²/Σw²`` and the weighting design effect ``n/n_eff`` are
   reported. Raking that misses the margins, a category with residents but no respondents (and
   no collapsing rule), a variable with margins in one wave only, too few respondents in a
   category and one respondent carrying more than ``reliability.max_weight_share`` of the
   weight make the comparison unreliable: :attr:`SurveyAnalysis.unreliable_reason`, the
   indicator's ``extra["unreliable"]`` and :func:`validation_warnings` say why, in Danish.
2. The fællesskab index is the person mean of the declared items (negatively worded items
   reversed, "ved ikke" = missing), computed when at least ``min_answered`` items are answered,
   rescaled to 0-100. Cronbach's alpha per wave is unweighted (it describes the instrument).
3. Weighted means and shares use Taylor-linearised standard errors for a one-stage design
   where each respondent is a PSU (R ``svydesign(ids=~1, weights=~w)``)::

       m = Σ w y / Σ w,  u_i = w_i (y_i - m) / Σ w,  SE = sqrt(n/(n-1) Σ (u_i - ū)²)

   Respondents without an answer are kept with u_i = 0 (domain estimation, as R's
   ``svymean(..., na.rm=TRUE)``). The primary SE is the calibration (raking) SE: u_i/w_i is
   replaced by its residual on the raking margins' dummies before the formula above (the exact
   limit of R's ``svyrecvar`` for ``rake()`` designs). It drives the decision; the fixed-weight
   SE, which overstates the spread after raking, is shown beside it. statsmodels ``DescrStatsW``/``CompareMeans``/``freq_weights``
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

import html
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats as st

from helhedsplan_eval.formatting import MISSING, NBSP, fmt_count, fmt_number, fmt_pct, fmt_pp
from helhedsplan_eval.paths import params_dir, resolve_path
from helhedsplan_eval.analysis.registry import indicator

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

    @property
    def collapse_rules(self) -> dict[str, dict[str, str]]:
        """``weighting.collapse``: per raking variable, category -> the category it is merged into
        when it has too few respondents (applied to every wave alike)."""
        rules = self.raw["weighting"].get("collapse") or {}
        return {str(v): {str(k): str(t) for k, t in (r or {}).items()} for v, r in rules.items()}

    @property
    def min_respondents_per_category(self) -> int:
        return int(self.raw.get("reliability", {}).get("min_respondents_per_category", 10))

    @property
    def max_weight_share(self) -> float:
        return float(self.raw.get("reliability", {}).get("max_weight_share", 0.10))

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
    problems = []
    rules = (raw.get("weighting") or {}).get("collapse") or {}
    if not isinstance(rules, dict):
        problems.append(f"weighting.collapse: værdien {rules!r}; forventet en variabel med regler 'gruppe: nabogruppe'")
        rules = {}
    for var, r in rules.items():
        if var not in cfg.weight_variables:
            problems.append(f"weighting.collapse.{var}: ukendt vægtningsvariabel; forventet en af "
                            f"{cfg.weight_variables}")
            continue
        if not isinstance(r, dict):
            problems.append(f"weighting.collapse.{var}: værdien {r!r}; forventet regler 'gruppe: nabogruppe'")
            continue
        cats = cfg.categories(var)
        for k, t in r.items():
            for which, c in (("gruppen", k), ("nabogruppen", t)):
                if str(c) not in cats:
                    problems.append(f"weighting.collapse.{var}.{k}: {which} {str(c)!r} findes ikke; forventet en af "
                                    f"{cats}")
    rel = raw.get("reliability") or {}
    share = rel.get("max_weight_share", 0.10)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        problems.append(f"reliability.max_weight_share: værdien {share!r}; forventet en andel over 0 og højst 1 "
                        "(fx 0.10)")
    mn = rel.get("min_respondents_per_category", 10)
    if isinstance(mn, bool) or not isinstance(mn, int) or mn < 1:
        problems.append(f"reliability.min_respondents_per_category: værdien {mn!r}; forventet et helt tal ≥ 1")
    if problems:
        raise SurveyDataError(f"{path}: " + "; ".join(problems) + ".")
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
    """Raking weights and how they were reached.

    ``converged``: every margin is met within the tolerance. ``bounds_bound``: the plain raking
    solution broke a weight bound, so the weights were trimmed and re-raked (truncated raking);
    ``bounds_met``: the returned weights lie within the bounds. ``problems`` are Danish clauses
    saying why a comparison built on these weights cannot be judged reliably."""

    weights: np.ndarray
    converged: bool
    iterations: int
    max_rel_error: float
    n_at_bound: int = 0
    notes: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    bounds_bound: bool = False
    bounds_met: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(len(self.weights))

    @property
    def n_eff(self) -> float:
        return kish_n_eff(self.weights)

    @property
    def deff(self) -> float:
        return self.n / self.n_eff if self.n_eff > 0 else math.nan

    @property
    def max_weight_share(self) -> float:
        """The largest share of the wave's total weight carried by one respondent."""
        s = float(np.sum(self.weights))
        return float(np.max(self.weights)) / s if self.n and s > 0 else math.nan


def kish_n_eff(w) -> float:
    """Kish's effective sample size (Σw)² / Σw²."""
    w = np.asarray(w, dtype=float)
    s2 = float(np.sum(w * w))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else math.nan


def _bounded_factor(g: np.ndarray, target: float, lo: float, hi: float) -> tuple[float, bool]:
    """The factor f with Σ clip(g·f, lo, hi) = target (g > 0), solved exactly.

    The left side is continuous, non-decreasing and piecewise linear in f with breakpoints lo/g
    and hi/g; the breakpoint bracket is found by sorting and the piece is solved linearly.
    Returns (f, feasible); when ``target`` lies outside [m·lo, m·hi] every weight goes to the
    nearer bound and feasible is False."""
    m = len(g)
    if target <= m * lo:
        return lo / float(np.max(g)), target >= m * lo * (1 - 1e-12)
    if target >= m * hi:
        return hi / float(np.min(g)), target <= m * hi * (1 + 1e-12)
    a, b = lo / g, hi / g
    oa, ob = np.argsort(a), np.argsort(b)
    a_s, b_s = a[oa], b[ob]
    cum_a = np.concatenate([[0.0], np.cumsum(g[oa])])
    cum_b = np.concatenate([[0.0], np.cumsum(g[ob])])

    def pieces(f):
        n_a = np.searchsorted(a_s, f, side="left")    # a_i < f: not held at the lower bound
        n_b = np.searchsorted(b_s, f, side="right")   # b_i <= f: held at the upper bound
        return n_a, n_b, cum_a[n_a] - cum_b[n_b]

    bp = np.unique(np.concatenate([a_s, b_s]))
    n_a, n_b, free = pieces(bp)
    h = lo * (m - n_a) + hi * n_b + bp * free
    j = int(np.searchsorted(h, target, side="left"))
    if j < len(bp) and h[j] == target:
        return float(bp[j]), True
    mid = 0.5 * (bp[j - 1] + bp[j])
    n_a, n_b, free = pieces(np.array([mid]))
    rest = target - lo * (m - n_a[0]) - hi * n_b[0]
    return float(rest / free[0]), True


def _ipf(groups, g: np.ndarray, bounds, tol: float, max_iter: int):
    """Iterative proportional fitting of ``g`` to the margins in ``groups`` (a list of
    (category codes, population per category)). With ``bounds`` = (lo, hi) in weight units each
    category step solves Σ clip(g·f, lo, hi) = population exactly (truncated raking, Deville &
    Särndal 1992): a weight held at a bound stays there only as long as the margins need it.
    Returns (weights, converged, iterations, max relative margin error)."""
    g = g.astype(float).copy()
    lo, hi = bounds if bounds else (None, None)
    members = [[np.flatnonzero(c == k) for k in range(len(pop))] for c, pop in groups]

    def weights():
        return g if lo is None else np.clip(g, lo, hi)

    def error(w):
        return max(float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(pop)) - pop) / pop))
                   for c, pop in groups)

    err, it = error(weights()), 0
    if err < tol:
        return weights(), True, 0, err
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for it in range(1, max_iter + 1):
            for (c, pop), mem in zip(groups, members):
                if lo is None:
                    sums = np.bincount(c, weights=g, minlength=len(pop))
                    g = g * (pop / sums)[c]
                else:
                    for k, idx in enumerate(mem):
                        f, _ = _bounded_factor(g[idx], float(pop[k]), lo, hi)
                        g[idx] *= f
                    # when the bounds make a margin unreachable the held-back weights drift without
                    # limit; keep them finite (far outside the bounds this changes no weight)
                    g = np.clip(g, lo * 1e-9, hi * 1e9)
            if not np.all(np.isfinite(g)):
                break
            err = error(weights())
            if err < tol:
                break
    w = weights()
    ok = bool(np.all(np.isfinite(w))) and err < tol
    return w, ok, it, err


def rake(sample: pd.DataFrame, margins: dict[str, dict], *, base_weights=None,
         bounds: tuple[float, float] | None = None, tol: float = 1e-8, max_iter: int = 1000) -> RakeResult:
    """Iterative proportional fitting of weights to population margins (R ``rake``).

    ``margins`` maps a column of ``sample`` to ``{category: population count}``; every category
    in the sample needs a population count > 0 and every category with a population count needs
    respondents (:func:`plan_weighting` sees to both).

    ``bounds`` = (lo, hi) keeps each weight within lo..hi times the mean weight N/n. The margins
    are raked to convergence first; when that solution lies within the bounds it is returned
    unchanged (``bounds_bound=False``), so bounded and unbounded raking agree whenever the
    bounds do not bind. Only when a weight really breaks a bound are the weights trimmed and
    re-raked, iterated to convergence (truncated raking, :func:`_ipf`), and ``bounds_bound`` is
    True. If the bounds and the margins cannot both be met, the result has ``converged=False``."""
    n = len(sample)
    w0 = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    groups = []
    for var, pop in margins.items():
        cats = pd.Index([str(k) for k in pop.keys()])
        c = cats.get_indexer(sample[var].astype(str))
        if (c < 0).any():
            raise SurveyDataError(f"raking: category {sample[var].iloc[int(np.argmax(c < 0))]!r} of "
                                  f"{var!r} has no population count")
        groups.append((c, np.array([float(v) for v in pop.values()])))
    if not groups or n == 0:
        return RakeResult(weights=w0, converged=True, iterations=0, max_rel_error=0.0, variables=[])
    w, ok, it, err = _ipf(groups, w0, None, tol, max_iter)
    res = RakeResult(weights=w, converged=ok, iterations=it, max_rel_error=err, variables=list(margins))
    if not bounds:
        return res
    total = float(groups[0][1].sum())
    lo, hi = bounds[0] * total / n, bounds[1] * total / n
    if ok and float(np.min(w)) >= lo and float(np.max(w)) <= hi:
        return res
    wb, okb, itb, errb = _ipf(groups, w, (lo, hi), tol, max_iter)
    at_bound = int(np.sum((wb <= lo * (1 + 1e-12)) | (wb >= hi * (1 - 1e-12))))
    return RakeResult(weights=wb, converged=okb, iterations=it + itb, max_rel_error=errb, n_at_bound=at_bound,
                      variables=list(margins), bounds_bound=True, bounds_met=True)


def margins_dict(margins: pd.DataFrame, wave: int, variables: list[str]) -> dict[str, dict]:
    m = margins[margins["wave"] == wave]
    return {v: dict(zip(m.loc[m["variable"] == v, "category"], m.loc[m["variable"] == v, "population"]))
            for v in variables}


def _var_da(var: str) -> str:
    return VARIABLE_LABELS.get(var, var).lower()


def _cat_da(cat: str) -> str:
    """A category as the board reads it: age ranges with an en dash (18–29)."""
    return str(cat).replace("-", "–")


@dataclass
class WeightingPlan:
    """How both waves are weighted alike: the raking variables used in every wave, the category
    collapsing applied to every wave, notes, and the problems that make the comparison
    unreliable (Danish clauses, no respondent ids, no individual values)."""

    variables: list[str]
    collapse: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def group(self, var: str, cat: str) -> str:
        return self.collapse.get(var, {}).get(str(cat), str(cat))

    def apply(self, sample: pd.DataFrame, margins: dict[str, dict]) -> tuple[pd.DataFrame, dict[str, dict]]:
        """The raking groups of a wave's respondents and the matching (summed) margins."""
        groups = pd.DataFrame(index=sample.index)
        out: dict[str, dict] = {}
        for var in self.variables:
            groups[var] = sample[var].astype(str).map(lambda c, v=var: self.group(v, c))
            merged: dict[str, float] = {}
            for cat, pop in margins.get(var, {}).items():
                if float(pop) > 0:
                    key = self.group(var, str(cat))
                    merged[key] = merged.get(key, 0.0) + float(pop)
            out[var] = merged
        return groups, out


def _resolve(rules: dict[str, str], cat: str) -> str:
    seen = {cat}
    while cat in rules and rules[cat] not in seen:
        cat = rules[cat]
        seen.add(cat)
    return cat


def plan_weighting(resp: pd.DataFrame, margins: pd.DataFrame | None, waves: list[int],
                   cfg: SurveyConfig | None = None) -> WeightingPlan:
    """Decide, for all waves together, which raking variables are used and which categories are
    collapsed, so that the waves are weighted alike.

    - A variable without population counts in one wave (but with them in another) is left out
      of the weighting of every wave, and the comparison is flagged (otherwise one wave would be
      weighted on it and the other not).
    - A category with fewer than ``reliability.min_respondents_per_category`` respondents in any
      wave is merged into its neighbour by the rules in ``weighting.collapse`` (params/survey.yml)
      in every wave, iterated.
    - A category with residents but no respondents and no collapsing rule: the variable is left
      out of the weighting of every wave, and the comparison is flagged.
    - A category with too few respondents and no rule: flagged (the weights become unstable)."""
    cfg = cfg or load_config()
    plan = WeightingPlan(variables=[])
    if margins is None or not waves:
        return plan
    min_n = cfg.min_respondents_per_category
    rules_all = cfg.collapse_rules
    few_by_wave: dict[int, list[str]] = {}
    for var in cfg.weight_variables:
        pops = {w: {str(k): float(v) for k, v in margins_dict(margins, w, [var])[var].items() if float(v) > 0}
                for w in waves}
        have = [w for w in waves if pops[w]]
        if not have:
            plan.notes.append(f"Der er ingen befolkningstal for {_var_da(var)}; der vægtes ikke på "
                              f"{_var_da(var)} i nogen af runderne.")
            continue
        lacking = [w for w in waves if not pops[w]]
        if lacking:
            plan.problems.append(f"der mangler befolkningstal for {_var_da(var)} i "
                                 f"{' og '.join(map(str, lacking))}, så runderne kan ikke vægtes ens "
                                 f"({_var_da(var)} er derfor udeladt af vægtningen i begge runder)")
            continue
        rules = {str(k): str(v) for k, v in rules_all.get(var, {}).items()}
        mapping: dict[str, str] = {}
        counts = {w: resp.loc[resp["wave"] == w, var].astype(str).value_counts() for w in waves}

        def merged_counts(w):
            out: dict[str, int] = {}
            for cat in pops[w]:
                key = mapping.get(cat, cat)
                out[key] = out.get(key, 0)
            for cat, k in counts[w].items():
                key = mapping.get(cat, cat)
                out[key] = out.get(key, 0) + int(k)
            return out

        order = cfg.categories(var)

        def target_of(c):
            """Where a rule sends ``c`` (following merges already made); None when the rule
            leads nowhere useful (no rule, a cycle, or a group without residents in a wave)."""
            if c not in rules or c in mapping:
                return None
            t = _resolve(rules, c)
            while t in mapping:
                t = mapping[t]
            if t == c or not all(any(mapping.get(k, k) == t for k in pops[w]) for w in waves):
                return None
            return t

        while True:
            small = [c for c in order if any(merged_counts(w).get(c, min_n) < min_n for w in waves)
                     and target_of(c) is not None]
            if not small:
                break
            c = small[0]
            target = target_of(c)
            mapping[c] = target
            for k, v in list(mapping.items()):
                if v == c:
                    mapping[k] = target
        for c, t in mapping.items():
            plan.notes.append(f"{VARIABLE_LABELS.get(var, var)}: gruppen {_cat_da(c)} er lagt sammen med "
                              f"{_cat_da(t)} i begge runder, fordi den har færre end {min_n} svarpersoner "
                              "(regel i params/survey.yml).")
        empty = [(w, c) for w in waves for c, k in merged_counts(w).items() if k == 0]
        if empty:
            w, c = empty[0]
            plan.problems.append(f"der er i {w} ingen svarpersoner i {_var_da(var)} {_cat_da(c)}, og der er "
                                 "ingen regel for at lægge gruppen sammen med en anden, så "
                                 f"{_var_da(var)} er udeladt af vægtningen i begge runder")
            continue
        for w in waves:
            few = [c for c, k in merged_counts(w).items() if 0 < k < min_n]
            if few:
                few_by_wave.setdefault(w, []).append(f"{_var_da(var)} {' og '.join(map(_cat_da, few))}")
        if mapping:
            plan.collapse[var] = mapping
        plan.variables.append(var)
    by_groups: dict[tuple, list[int]] = {}
    for w, parts in few_by_wave.items():
        by_groups.setdefault(tuple(parts), []).append(w)
    for parts, ws in by_groups.items():
        groups = ", i ".join(parts[:-1]) + (" og i " if len(parts) > 1 else "") + parts[-1]
        plan.problems.append(f"der er i {' og '.join(map(str, ws))} færre end {min_n} svarpersoner i {groups}, "
                             "så vægtene bliver ustabile")
    return plan


def heavy_text(waves: str, limit: float) -> str:
    return f"én svarperson bærer i {waves} mere end {fmt_pct(100 * limit, 0)} af den samlede vægt"


def wave_weights(sample: pd.DataFrame, margins: dict[str, dict], cfg: SurveyConfig | None = None,
                 label: str = "", variables: list[str] | None = None) -> RakeResult:
    """Rake one wave's respondents to one set of margins, with the checks the report needs.

    ``variables`` (from :func:`plan_weighting`) are the raking variables every wave uses; without
    it the wave is checked on its own: a variable without a margin, or whose margin has a category
    with residents but no respondents, is left out (with a note and a problem, because the other
    wave may be weighted on it).

    - categories with population 0 are dropped from the margin;
    - margins whose totals differ by more than ``margin_total_tolerance`` are an error; smaller
      differences are scaled to the first variable's total (note);
    - respondents in a category without a population count are an error;
    - raking that does not reach the margins, and one respondent carrying more than
      ``reliability.max_weight_share`` of the weight, are problems."""
    cfg = cfg or load_config()
    notes: list[str] = []
    problems: list[str] = []
    use: dict[str, dict] = {}
    for var in (cfg.weight_variables if variables is None else variables):
        pop = {str(k): float(v) for k, v in margins.get(var, {}).items() if float(v) > 0}
        if not pop:
            notes.append(f"{label}: ingen befolkningstal for {_var_da(var)}; der vægtes ikke på denne variabel.")
            continue
        present = set(sample[var].astype(str))
        outside = sorted(present - set(pop))
        if outside:
            raise SurveyDataError(f"survey_margins.csv: wave {label}, variable {var!r}: no population "
                                  f"count for category {outside[0]!r}, which has respondents")
        empty = sorted(set(pop) - present)
        if empty:
            notes.append(f"{label}: ingen svarpersoner i {_var_da(var)} {', '.join(map(_cat_da, empty))}; "
                         f"der vægtes ikke på {_var_da(var)}.")
            problems.append(f"der er i {label} ingen svarpersoner i {_var_da(var)} {_cat_da(empty[0])}, så "
                            f"{_var_da(var)} indgår ikke i vægtningen af denne runde")
            continue
        use[var] = pop
    if not use:
        w = np.ones(len(sample))
        notes.append(f"{label}: ingen vægtningsmargener; resultaterne er uvægtede.")
        return RakeResult(weights=w, converged=True, iterations=0, max_rel_error=0.0, notes=notes,
                          problems=problems)
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
            notes.append(f"{label}: befolkningstallet for {_var_da(v)} er skaleret til samme total "
                         f"({fmt_number(first)}).")
    tol = float(cfg.raw["weighting"]["tolerance"])
    max_iter = int(cfg.raw["weighting"]["max_iter"])
    res = rake(sample, use, bounds=cfg.weight_bounds, tol=tol, max_iter=max_iter)
    if res.bounds_bound and res.converged:
        notes.append(f"{label}: nogle vægte ville overskride vægtgrænserne; de er afkortet, og de øvrige "
                     "vægte er tilpasset igen, så befolkningstallene stadig passer.")
    if not res.converged and cfg.weight_bounds is not None:
        # The bounds cannot be met together with the margins: margins win (documented).
        res2 = rake(sample, use, bounds=None, tol=tol, max_iter=max_iter)
        if res2.converged:
            notes.append(f"{label}: vægtene kunne ikke holdes inden for grænserne og samtidig passe til "
                         "befolkningstallene; der er vægtet uden grænser.")
            res2.bounds_bound, res2.bounds_met = True, False
        res = res2
    if not res.converged:
        notes.append(f"{label}: vægtningen nåede ikke befolkningstallene (største afvigelse "
                     f"{fmt_pct(100 * res.max_rel_error, 1)}).")
        problems.append(f"vægtningen af {label} nåede ikke befolkningstallene (en margen afviger stadig "
                        f"{fmt_pct(100 * res.max_rel_error, 1)} efter {res.iterations} gennemløb)")
    limit = cfg.max_weight_share
    if res.n and res.max_weight_share > limit:
        problems.append(heavy_text(label, limit))
    res.notes = notes + res.notes
    res.problems = problems + res.problems
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
    se_fixed: float = math.nan   # linearised SE treating the weights as fixed (shown beside ``se``)


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


def _calibration_influence(u: np.ndarray, w: np.ndarray, groups: pd.DataFrame | None) -> np.ndarray:
    """Influence values adjusted for raking: ``u/w`` is replaced by its residual from an (unweighted,
    base weights 1) least-squares fit on the dummies of every raking margin, then multiplied by
    ``w`` again. This is the limit of R's ``svyrecvar`` for ``rake()`` designs, which centres
    ``x/psw`` within each margin in turn (10 rounds); here the projection is exact."""
    if groups is None or groups.shape[1] == 0:
        return u
    cols = [pd.get_dummies(groups[c].astype(str)).to_numpy(float) for c in groups.columns]
    x = np.column_stack(cols)
    z = u / w
    beta, *_ = np.linalg.lstsq(x, z, rcond=None)
    return w * (z - x @ beta)


def _se_from_influence(u: np.ndarray) -> float:
    n = len(u)
    return math.sqrt(n / (n - 1) * float(np.sum((u - u.mean()) ** 2)))


def weighted_mean(y, w, level: float = 0.95, groups: pd.DataFrame | None = None) -> Estimate:
    """Weighted mean with a 95 % CI. With ``groups`` (the raking categories of the respondents,
    one column per margin) the SE accounts for the raking (calibration SE, the primary one);
    the fixed-weight linearised SE is kept in ``se_fixed``."""
    m, se, n, df = linearised_mean(y, w)
    if math.isnan(m) or df < 1:
        return Estimate(m, se, math.nan, math.nan, n, df, se_fixed=se)
    se_fixed = se
    if groups is not None and groups.shape[1] > 0:
        se = rake_adjusted_se(y, w, groups, list(groups.columns))
    t = st.t.ppf(1 - (1 - level) / 2, df)
    ok = ~np.isnan(np.asarray(y, dtype=float))
    return Estimate(m, se, m - t * se, m + t * se, n, df, kish_n_eff(np.asarray(w, dtype=float)[ok]), se_fixed)


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


def weighted_share(indicator_values, w, level: float = 0.95, groups: pd.DataFrame | None = None) -> Estimate:
    """Weighted share (percent units) of a 0/1 variable (NaN = no answer) with an xlogit CI;
    ``groups`` as in :func:`weighted_mean` (calibration SE)."""
    p, se, n, df = linearised_mean(indicator_values, w)
    if math.isnan(p):
        return Estimate(math.nan, math.nan, math.nan, math.nan, n, df)
    se_fixed = se
    if groups is not None and groups.shape[1] > 0:
        se = rake_adjusted_se(indicator_values, w, groups, list(groups.columns))
    if 0 < p < 1:
        lo, hi = xlogit_ci(p, se, df, level)
    else:
        lo, hi = korn_graubard_ci(p, se, n, df, level)
    ok = ~np.isnan(np.asarray(indicator_values, dtype=float))
    return Estimate(100 * p, 100 * se, 100 * lo, 100 * hi, n, df,
                    kish_n_eff(np.asarray(w, dtype=float)[ok]), 100 * se_fixed)


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


def rake_adjusted_se(y, w, sample: pd.DataFrame, variables: list[str]) -> float:
    """SE of a weighted mean that accounts for raking (calibration SE; R ``rake()`` designs):
    the influence values are projected off the raking margins (:func:`_calibration_influence`).
    Raking makes the weighted margins exact, so the part of ``y`` explained by the margins carries
    no sampling error; the fixed-weight SE ignores that and overstates the spread. This SE drives
    the decision rule.

    Hand-written because no library in the project's dependencies has it: statsmodels and scipy have no
    survey-design variance for calibrated (raked) weights; R's ``survey`` package is the reference it ports."""
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = ~np.isnan(y)
    n = len(y)
    if ok.sum() == 0 or n < 2:
        return math.nan
    m = np.sum(w[ok] * y[ok]) / w[ok].sum()
    u = np.zeros(n)
    u[ok] = w[ok] * (y[ok] - m) / w[ok].sum()
    groups = sample[list(variables)].reset_index(drop=True) if variables else None
    return _se_from_influence(_calibration_influence(u, w, groups))


def rank_test(y_a, w_a, y_b, w_b, level: float = 0.95) -> dict:
    """Design-based Wilcoxon-type rank test (port of R ``svyranktest``'s two-group case).

    Weighted mid-ranks over both waves, scaled by the population total; the wave difference in
    weighted mean rank score with linearised SEs. Also the probability of superiority
    P(Y_b > Y_a) + ½ P(Y_b = Y_a) (weighted, 0.5 = no shift).

    Hand-written because no library in the project's dependencies has it: scipy's ``mannwhitneyu`` and
    ``ranksums`` take no sampling weights and no design-based (linearised) variance."""
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
    margins: dict                 # the margins raked to (after category collapsing)
    groups: pd.DataFrame | None = None   # raking category of each respondent, one column per margin

    @property
    def weights(self) -> np.ndarray:
        return self.rake.weights

    @property
    def n(self) -> int:
        return len(self.data)

    @property
    def design(self) -> pd.DataFrame | None:
        """The raking groups actually used (None when the wave is unweighted)."""
        if self.groups is None or not self.rake.variables:
            return None
        return self.groups[self.rake.variables].reset_index(drop=True)


UNRELIABLE_LEAD = "Sammenligningen kan ikke vurderes pålideligt, fordi "


@dataclass
class SurveyAnalysis:
    cfg: SurveyConfig
    evaluation_year: int
    waves: dict[int, WaveData]
    waves_info: pd.DataFrame | None
    index: pd.DataFrame           # per wave: value/se (calibration)/se_fixed/ci/n/n_eff/sd
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
    problems: list[str] = field(default_factory=list)   # why the comparison is unreliable (Danish)
    plan: WeightingPlan | None = None
    index_diff_fixed: Difference | None = None          # the same difference with fixed-weight SEs

    @property
    def has_comparison(self) -> bool:
        return self.cfg.baseline_wave in self.waves and self.cfg.end_wave in self.waves

    @property
    def wave_list(self) -> list[int]:
        return sorted(self.waves)

    @property
    def unreliable_reason(self) -> str | None:
        """One Danish sentence saying why the comparison cannot be judged reliably (None if it can)."""
        if not self.problems:
            return None
        return UNRELIABLE_LEAD + "; ".join(dict.fromkeys(self.problems)) + "."


def _prepare_wave(resp: pd.DataFrame, margins_df: pd.DataFrame, wave: int, cfg: SurveyConfig,
                  plan: WeightingPlan | None = None, margins_wave: int | None = None) -> WaveData:
    d = resp[resp["wave"] == wave].reset_index(drop=True)
    mw = wave if margins_wave is None else margins_wave
    m = margins_dict(margins_df, mw, cfg.weight_variables) if margins_df is not None else {}
    label = str(wave) if mw == wave else f"{wave} (befolkningstal fra {mw})"
    if plan is None:
        groups, mm = d[cfg.weight_variables].astype(str), m
        rk = wave_weights(d, m, cfg, label=label)
    else:
        groups, mm = plan.apply(d, m)
        rk = wave_weights(groups, mm, cfg, label=label, variables=plan.variables)
    return WaveData(wave=wave, data=d, rake=rk, items=scored_items(d, cfg),
                    raw_items=scored_items(d, cfg, reverse=False), index=index_scores(d, cfg), margins=mm,
                    groups=groups)


def _estimate_row(est: Estimate, **extra) -> dict:
    return {"value": est.value, "se": est.se, "se_fixed": est.se_fixed, "ci_low": est.ci_low,
            "ci_high": est.ci_high, "n": est.n, "n_eff": est.n_eff, "df": est.df, **extra}


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
            e = weighted_share(agree, wd.weights, cfg.level, wd.design)
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


def _fixed(e: Estimate) -> Estimate:
    """The same estimate with the fixed-weight SE (for the comparison shown beside the primary)."""
    return Estimate(e.value, e.se_fixed, math.nan, math.nan, e.n, e.df, e.n_eff, e.se_fixed)


def analyse(source, evaluation_year: int = 2020, cfg: SurveyConfig | None = None) -> SurveyAnalysis:
    """Everything the notebook and the indicator show, from a DataBundle, a dict of frames or a
    data folder. Waves after ``evaluation_year`` are ignored (not yet due).

    Both waves are weighted alike (:func:`plan_weighting`); every condition that makes the
    comparison unreliable is collected in ``problems`` (see :attr:`SurveyAnalysis.unreliable_reason`)."""
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
    plan = plan_weighting(resp, margins, wave_years, cfg)
    notes.extend(plan.notes)
    problems: list[str] = list(plan.problems)
    waves = {w: _prepare_wave(resp, margins, w, cfg, plan) for w in wave_years}
    heavy = []
    for w, wd in waves.items():
        notes.extend(wd.rake.notes)
        for p in wd.rake.problems:
            if p == heavy_text(str(w), cfg.max_weight_share):
                heavy.append(str(w))
            else:
                problems.append(p)
    if heavy:
        problems.append(heavy_text(" og ".join(heavy), cfg.max_weight_share))
    used = {w: tuple(wd.rake.variables) for w, wd in waves.items()}
    if len(set(used.values())) > 1:
        problems.append("runderne er ikke vægtet ens (" + "; ".join(
            f"{w}: " + (", ".join(_var_da(v) for v in vs) or "ikke vægtet") for w, vs in used.items()) + ")")
    a, b = cfg.baseline_wave, cfg.end_wave
    # index and share with a strong community, per wave
    irows, srows, arows = {}, {}, {}
    for w, wd in waves.items():
        e = weighted_mean(wd.index, wd.weights, cfg.level, wd.design)
        y = wd.index.to_numpy(float)
        ok = ~np.isnan(y)
        sd = (math.sqrt(np.sum(wd.weights[ok] * (y[ok] - e.value) ** 2) / wd.weights[ok].sum())
              if ok.any() else math.nan)
        irows[w] = _estimate_row(e, sd=sd, unweighted=float(np.nanmean(y)) if ok.any() else math.nan,
                                 n_respondents=wd.n, n_eff_wave=wd.rake.n_eff, deff=wd.rake.deff)
        strong = (wd.index >= cfg.strong_threshold).astype(float).where(wd.index.notna())
        srows[w] = _estimate_row(weighted_share(strong, wd.weights, cfg.level, wd.design))
        al, (alo, ahi), an = cronbach_alpha(wd.items[cfg.index_items])
        arows[w] = {"alpha": al, "ci_low": alo, "ci_high": ahi, "n": an}
        if not math.isnan(al) and al < float(cfg.raw["index"].get("alpha_warning", 0.7)):
            notes.append(f"{w}: Cronbachs alfa (et mål for, om udsagnene måler det samme) er "
                         f"{_num(al, 2)}, under {_num(cfg.raw['index'].get('alpha_warning', 0.7), 2)}; "
                         "indekset skal læses varsomt.")
    idx_df = pd.DataFrame.from_dict(irows, orient="index")
    strong_df = pd.DataFrame.from_dict(srows, orient="index")
    alpha_df = pd.DataFrame.from_dict(arows, orient="index")
    for df_ in (idx_df, strong_df, alpha_df):
        df_.index.name = "wave"

    def est(df_, w):
        if w not in df_.index:
            return Estimate(math.nan, math.nan, math.nan, math.nan, 0, 0)
        r = df_.loc[w]
        return Estimate(r["value"], r["se"], r["ci_low"], r["ci_high"], int(r["n"]), int(r["df"]), r["n_eff"],
                        r["se_fixed"])

    idiff = difference(est(idx_df, a), est(idx_df, b), cfg.level)
    idiff_fixed = difference(_fixed(est(idx_df, a)), _fixed(est(idx_df, b)), cfg.level)
    sdiff = difference(est(strong_df, a), est(strong_df, b), cfg.level)
    sdiff.ci_low, sdiff.ci_high = max(sdiff.ci_low, -100.0), min(sdiff.ci_high, 100.0)  # pp of shares
    dec = decide(idiff.diff, idiff.ci_low, idiff.ci_high, cfg.min_meaningful)
    d = math.nan
    if a in idx_df.index and b in idx_df.index:
        pooled = math.sqrt((idx_df.loc[a, "sd"] ** 2 + idx_df.loc[b, "sd"] ** 2) / 2)
        d = idiff.diff / pooled if pooled > 0 else math.nan
    items = _item_table(waves, cfg, a, b)
    rob = (_robustness(waves, resp, margins, cfg, idiff, plan, idiff_fixed) if (a in waves and b in waves)
           else pd.DataFrame())
    if a in waves and b in waves:
        big = items[items["dk_change"].abs() > 5]
        for item in big.index:
            notes.append(f"Andelen 'ved ikke' til '{cfg.item_short(item)}' har flyttet sig mere end 5 "
                         "procentpoint; se også andelen enige blandt alle svarpersoner.")
    return SurveyAnalysis(cfg, evaluation_year, waves, info, idx_df, strong_df, idiff, sdiff, dec, d,
                          alpha_df, items, rob, notes, problems=problems, plan=plan, index_diff_fixed=idiff_fixed)


def _robustness(waves, resp, margins, cfg, idiff: Difference, plan: WeightingPlan | None = None,
                idiff_fixed: Difference | None = None) -> pd.DataFrame:
    a, b = cfg.baseline_wave, cfg.end_wave
    wa, wb = waves[a], waves[b]
    rows = [{"check": "weighted", "label": "Vægtet (primær analyse)", "diff": idiff.diff,
             "ci_low": idiff.ci_low, "ci_high": idiff.ci_high, "p_value": idiff.p_value, "unit": "point"}]
    if idiff_fixed is not None:
        rows.append({"check": "weighted_fixed_se", "label": "Vægtet, usikkerhed beregnet med faste vægte",
                     "diff": idiff_fixed.diff, "ci_low": idiff_fixed.ci_low, "ci_high": idiff_fixed.ci_high,
                     "p_value": idiff_fixed.p_value, "unit": "point"})
    ua = weighted_mean(wa.index, np.ones(wa.n), cfg.level)
    ub = weighted_mean(wb.index, np.ones(wb.n), cfg.level)
    du = difference(ua, ub, cfg.level)
    rows.append({"check": "unweighted", "label": "Uvægtet", "diff": du.diff, "ci_low": du.ci_low,
                 "ci_high": du.ci_high, "p_value": du.p_value, "unit": "point"})
    if margins is not None:
        rew = _prepare_wave(resp, margins, b, cfg, plan, margins_wave=a)
        ea = weighted_mean(wa.index, wa.weights, cfg.level, wa.design)
        eb = weighted_mean(rew.index, rew.weights, cfg.level, rew.design)
        dr = difference(ea, eb, cfg.level)
        rows.append({"check": "reweighted_to_baseline",
                     "label": f"{b} vægtet til beboersammensætningen i {a}", "diff": dr.diff,
                     "ci_low": dr.ci_low, "ci_high": dr.ci_high, "p_value": dr.p_value, "unit": "point"})
    rt = rank_test(wa.index, wa.weights, wb.index, wb.weights, cfg.level)
    rows.append({"check": "rank_test", "label": "Rangtest: bruger kun svarenes rækkefølge (forskel i "
                                                "gennemsnitlig rangplacering, 0–1)",
                 "diff": rt["diff"], "ci_low": rt["ci_low"], "ci_high": rt["ci_high"],
                 "p_value": rt["p_value"], "unit": "rangscore",
                 "prob_superiority": rt["prob_superiority"]})
    return pd.DataFrame(rows).set_index("check")


# --------------------------------------------------------------------------------------------
# The registered indicator and the validate warnings
# --------------------------------------------------------------------------------------------


@indicator("faellesskab_index", sources=SOURCES)
def faellesskab_index(bundle, years):
    """Weighted fællesskab index per wave (0-100) and the 2020 - 2017 difference.

    ``data`` is indexed by the wave years (2017, 2020); a wave not in the data, or after the
    last of ``years``, has NaN values (never 0). ``se``/``ci_*`` are the calibration (raking)
    ones, which drive the decision; ``se_fixed`` is the fixed-weight SE. ``extra`` holds the
    difference, its CI, the minimum meaningful change and the decision (kind
    ``survey_wave_increase``), and ``extra["unreliable"]`` (one Danish sentence) when the
    comparison cannot be judged reliably (weighting problems, :func:`analyse`)."""
    from helhedsplan_eval.analysis.status import IndicatorSeries

    cfg = load_config()
    years = [int(y) for y in years] if years is not None else cfg.waves
    last = max(years) if years else cfg.end_wave
    cols = ["value", "se", "ci_low", "ci_high", "n", "se_fixed"]
    data = pd.DataFrame(np.nan, index=pd.Index(cfg.waves, name="year"), columns=cols)
    extra = {"diff": math.nan, "ci_low": math.nan, "ci_high": math.nan,
             "min_meaningful": cfg.min_meaningful, "unit_label": cfg.unit_label}
    missing = bundle.table("survey_responses") is None or bundle.table("survey_margins") is None
    notes: list[str] = []
    if bundle.table("survey_responses") is not None:
        an = analyse(bundle, evaluation_year=last, cfg=cfg)
        for w in an.index.index:
            r = an.index.loc[w]
            data.loc[w, cols] = [r["value"], r["se"], r["ci_low"], r["ci_high"], r["n"], r["se_fixed"]]
        extra.update({"diff": an.index_diff.diff, "ci_low": an.index_diff.ci_low,
                      "ci_high": an.index_diff.ci_high, "se": an.index_diff.se,
                      "se_method": "calibration",
                      "se_fixed": an.index_diff_fixed.se if an.index_diff_fixed else math.nan,
                      "p_value": an.index_diff.p_value, "decision": an.decision["code"],
                      "decision_text": an.decision["text"], "meaningful": an.decision["meaningful"]})
        if an.has_comparison and an.unreliable_reason:
            extra["unreliable"] = an.unreliable_reason
        notes.extend(an.notes)
        if bundle.table("survey_margins") is None:
            notes.append("Uden befolkningstal er indekset beregnet uvægtet.")
    return IndicatorSeries(indicator="faellesskab_index", unit="indeks", data=data,
                           expected_years=list(cfg.waves), notes=notes, extra=extra,
                           source_missing=bool(missing))


def validation_warnings(bundle, evaluation_year: int | None = None) -> list[str]:
    """Danish warnings about the survey for ``helhedsplan-eval validate``: every reason the
    2017/2020 comparison cannot be judged reliably, and the weighting notes (collapsed categories,
    trimmed weights). No respondent ids and no values of individuals. Empty when the survey is
    not delivered (the contract reports missing sources) or nothing is wrong."""
    try:
        if bundle.table("survey_responses") is None:
            return []
    except Exception:  # noqa: BLE001 - not a bundle we can read: nothing to add
        return []
    cfg = load_config()
    year = cfg.end_wave if evaluation_year is None else int(evaluation_year)
    try:
        an = analyse(bundle, evaluation_year=year, cfg=cfg)
    except SurveyDataError:
        return ["Fællesskabsundersøgelsen kan ikke analyseres, fordi data ikke passer til kontrakten "
                "(se fejlene for survey_responses/survey_margins)."]
    out = []
    if an.unreliable_reason:
        out.append("Fællesskabsundersøgelsen: " + an.unreliable_reason)
    keep = list(an.plan.notes if an.plan else []) + [n for n in an.notes if "kunne ikke holdes inden for" in n]
    out.extend(f"Fællesskabsundersøgelsen: {n}" for n in dict.fromkeys(keep))
    return out


# --------------------------------------------------------------------------------------------
# Board-ready tables (Danish headers, disclosure control) and chart data
# --------------------------------------------------------------------------------------------

MINUS = "\u2212"   # the real minus sign
DASH = "\u2013"    # en dash for ranges


def _num(x, decimals: int = 0) -> str:
    """Danish number with a real minus sign."""
    return fmt_number(x, decimals).replace("-", MINUS)


def _pct(x, decimals: int = 1) -> str:
    return fmt_pct(x, decimals).replace("-", MINUS)


def _pp(x, decimals: int = 1, signed: bool = False) -> str:
    return fmt_pp(x, decimals, signed=signed).replace("-", MINUS)


def _ci_text(lo, hi, decimals=1, pp=False, pct=False) -> str:
    """A range as the board writes it: '39,7–89,2 %', '−2,1–5,3 procentpoint'."""
    if any(x is None or math.isnan(x) for x in (lo, hi)):
        return MISSING
    s = f"{_num(lo, decimals)}{DASH}{_num(hi, decimals)}"
    return s + (f"{NBSP}procentpoint" if pp else (f"{NBSP}%" if pct else ""))


def _signed(x, decimals=1) -> str:
    if x is None or math.isnan(x):
        return MISSING
    s = _num(x, decimals)
    return ("+" + s) if round(x, decimals) > 0 else s


def _suppress(counts: dict, min_cell: int) -> dict:
    """Counts as text with primary ('<5') and secondary suppression: when exactly one count of
    a group whose total is shown elsewhere is hidden, the smallest other non-zero count is hidden
    too, so the hidden one cannot be recovered as total minus the rest."""
    hide = {k: 0 < v < min_cell for k, v in counts.items()}
    if sum(hide.values()) == 1:
        others = sorted((v, k) for k, v in counts.items() if not hide[k] and v > 0)
        if others:
            hide[others[0][1]] = True
    return {k: (f"<{min_cell}" if hide[k] else fmt_count(v, min_cell)) for k, v in counts.items()}


def headline(an: SurveyAnalysis, min_cell: int = 5) -> str:
    """The one Danish sentence (or two) the board reads first."""
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    if an.source_missing or not an.waves:
        return "Der er endnu ingen data fra fællesskabsundersøgelsen (afventer data)."
    if an.evaluation_year < b:
        if a in an.index.index and an.index.loc[a, "n"] >= min_cell:
            r = an.index.loc[a]
            return (f"Sammenligningen med {b} er ikke aktuel endnu. Ved opstarten i {a} var fællesskabsindekset "
                    f"{_num(r['value'], 1)} på en skala fra 0 til 100 "
                    f"({_pct(an.strong.loc[a, 'value'], 0)} oplevede et stærkt fællesskab).")
        return f"Sammenligningen med {b} er ikke aktuel endnu, og der er for få svar fra {a} til at vise et tal."
    if not an.has_comparison:
        return (f"Der er endnu ikke data fra begge runder ({a} og {b}), så udviklingen kan ikke vurderes "
                "(afventer data).")
    if min(an.index.loc[a, "n"], an.index.loc[b, "n"]) < min_cell:
        return "Der er for få svar til at vise resultatet."
    ia, ib = an.index.loc[a], an.index.loc[b]
    sa, sb = an.strong.loc[a], an.strong.loc[b]
    d = an.index_diff
    figures = (f"fællesskabsindekset gik fra {_num(ia['value'], 1)} i {a} til {_num(ib['value'], 1)} i {b} "
               f"({_signed(d.diff)} point, 95 %-sikkerhedsinterval {_ci_text(d.ci_low, d.ci_high)} point), og "
               f"andelen af beboere, der oplever et stærkt fællesskab, gik fra {_pct(sa['value'], 1)} til "
               f"{_pct(sb['value'], 1)} ({_pp(an.strong_diff.diff, 1, signed=True)}).")
    weighted = " Tallene er vægtet, så svarpersonerne svarer til beboersammensætningen."
    if an.unreliable_reason:
        return (f"Sammenligningen kan ikke vurderes pålideligt (begrundelsen står nedenfor). Med det forbehold: "
                f"{figures}{weighted}")
    verdict = {"stronger": "Fællesskabet opleves som stærkere ved helhedsplanens afslutning end ved opstarten",
               "weaker": "Fællesskabet opleves som svagere ved helhedsplanens afslutning end ved opstarten",
               "no_detectable_change": "Der kan ikke påvises en ændring i fællesskabet fra opstarten til "
                                       "helhedsplanens afslutning"}[an.decision["code"]]
    return f"{verdict}: {figures}{weighted}"


def summary_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Index and share with a strong community per wave, with the difference (Danish headers)."""
    if not an.waves:
        return pd.DataFrame()
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    waves = an.wave_list
    rows = []
    for label, df_, diff, pct in ((f"Fællesskabsindeks (0{DASH}100)", an.index, an.index_diff, False),
                                  (f"Andel med stærkt fællesskab (indeks ≥ {_num(cfg.strong_threshold)})",
                                   an.strong, an.strong_diff, True)):
        row = {"Mål": label}
        for w in waves:
            r = df_.loc[w]
            ok = r["n"] >= min_cell
            row[f"{w}"] = (_pct(r["value"], 1) if pct else _num(r["value"], 1)) if ok else MISSING
            row[f"95 %-sikkerhedsinterval {w}"] = _ci_text(r["ci_low"], r["ci_high"], pct=pct) if ok else MISSING
        if an.has_comparison and an.evaluation_year >= b:
            ok = min(df_.loc[a, "n"], df_.loc[b, "n"]) >= min_cell
            row["Forskel"] = ((_pp(diff.diff, 1, signed=True) if pct else _signed(diff.diff) + " point")
                              if ok else MISSING)
            row["95 %-sikkerhedsinterval for forskellen"] = (
                _ci_text(diff.ci_low, diff.ci_high, pp=pct) if ok else MISSING)
        rows.append(row)
    return pd.DataFrame(rows).set_index("Mål")


SE_PRIMARY = "Standardfejl, der udnytter befolkningstallene (bruges)"
SE_FIXED = "Standardfejl med faste vægte (til sammenligning)"


def uncertainty_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Both standard errors of the index, per wave and for the difference, with the interval each
    gives: the calibration SE (primary, drives the decision) and the fixed-weight SE."""
    if not an.waves:
        return pd.DataFrame()
    cfg = an.cfg
    t = {}
    rows = []
    for w in an.wave_list:
        r = an.index.loc[w]
        ok = r["n"] >= min_cell
        df_ = int(r["df"])
        tq = st.t.ppf(1 - (1 - cfg.level) / 2, df_) if df_ >= 1 else math.nan
        t[w] = tq
        rows.append({"Fællesskabsindeks": str(w),
                     SE_PRIMARY: _num(r["se"], 2) if ok else MISSING,
                     SE_FIXED: _num(r["se_fixed"], 2) if ok else MISSING,
                     "95 %-sikkerhedsinterval (bruges)": _ci_text(r["ci_low"], r["ci_high"]) if ok else MISSING,
                     "95 %-sikkerhedsinterval med faste vægte": (
                         _ci_text(r["value"] - tq * r["se_fixed"], r["value"] + tq * r["se_fixed"]) if ok else MISSING)})
    a, b = cfg.baseline_wave, cfg.end_wave
    if an.has_comparison and an.evaluation_year >= b and an.index_diff_fixed is not None:
        ok = min(an.index.loc[a, "n"], an.index.loc[b, "n"]) >= min_cell
        d, f = an.index_diff, an.index_diff_fixed
        rows.append({"Fællesskabsindeks": f"Forskel {b} {MINUS} {a}",
                     SE_PRIMARY: _num(d.se, 2) if ok else MISSING,
                     SE_FIXED: _num(f.se, 2) if ok else MISSING,
                     "95 %-sikkerhedsinterval (bruges)": _ci_text(d.ci_low, d.ci_high) if ok else MISSING,
                     "95 %-sikkerhedsinterval med faste vægte": _ci_text(f.ci_low, f.ci_high) if ok else MISSING})
    return pd.DataFrame(rows).set_index("Fællesskabsindeks")


HIDDEN_COUNT = "skjult"


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
            row[f"Enige {w}"] = _pct(r[f"agree_{w}"], 0) if ok else MISSING
            row[f"Ved ikke {w}"] = _pct(r[f"dk_{w}"], 0) if ok_dk else MISSING
            # the methods table shows the wave's respondents: a count beside it whose difference (those who
            # answered "ved ikke" or skipped the item) is 1 … min_cell−1 would give that small group away
            n, total = r[f"n_{w}"], an.waves[w].n
            gaps = (r[f"n_answered_{w}"] - n, total - n, total - r[f"n_answered_{w}"])
            row[f"Antal svar {w}"] = (HIDDEN_COUNT if any(0 < g < min_cell for g in gaps)
                                      else fmt_count(n, min_cell))
        if cmp_:
            row["Forskel"] = _pp(r["diff"], 0, signed=True) if ok_all else MISSING
            row["95 %-sikkerhedsinterval"] = _ci_text(r["diff_ci_low"], r["diff_ci_high"], 0, pp=True) if ok_all else MISSING
            row["Sikker forskel, når der tages højde for, at mange udsagn testes (Holm)"] = (
                MISSING if (not ok_all or math.isnan(r["p_holm"])) else ("ja" if r["significant_holm"] else "nej"))
        rows.append(row)
    return pd.DataFrame(rows).set_index("Udsagn")


def methods_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Methods box per wave: invited, respondents, response rate, effective n, design effect,
    alpha, fieldwork period, answer modes."""
    if not an.waves:
        return pd.DataFrame()
    from helhedsplan_eval.formatting import fmt_date

    wb = an.cfg.weight_bounds
    bounds_label = (f"Vægtgrænserne ({_num(wb[0], 1)}{DASH}{_num(wb[1], 1)} gange gennemsnitsvægten) nået"
                    if wb else "Vægtgrænser")
    out = {}
    for w in an.wave_list:
        wd = an.waves[w]
        info = (an.waves_info.set_index("wave").loc[w]
                if an.waves_info is not None and w in set(an.waves_info["wave"]) else None)
        inv = info["invited"] if info is not None else math.nan
        resp_rate = 100 * wd.n / inv if (info is not None and inv and not math.isnan(inv)) else math.nan
        al = an.alpha.loc[w] if w in an.alpha.index else None
        modes = wd.data["mode"].value_counts()
        used = [m for m in an.cfg.categories("mode") if modes.get(m, 0) > 0]
        if wd.n < min_cell or not used:
            mode_txt = MISSING
        elif any(modes.get(m, 0) < min_cell for m in used):   # a share would reveal a small count
            mode_txt = ", ".join(used)
        else:
            mode_txt = ", ".join(f"{m} {_pct(100 * modes.get(m, 0) / wd.n, 0)}" for m in used)
        out[str(w)] = {
            "Inviterede": fmt_count(inv, min_cell) if not math.isnan(inv) else MISSING,
            "Svarpersoner": fmt_count(wd.n, min_cell),
            "Svarprocent": _pct(resp_rate, 0) if wd.n >= min_cell else MISSING,
            "Effektivt antal svar (hvor mange uvægtede svar vægtningen svarer til)": (
                _num(wd.rake.n_eff, 0) if wd.n >= min_cell else MISSING),
            "Tab af præcision ved vægtningen (designeffekt; 1 = intet tab)": (
                _num(wd.rake.deff, 2) if wd.n >= min_cell else MISSING),
            "Cronbachs alfa (om udsagnene måler det samme; 1 = helt)": (
                _num(al["alpha"], 2) if al is not None and al["n"] >= min_cell else MISSING),
            "Indsamlingsperiode": (f"{fmt_date(info['fieldwork_start'].date())}{DASH}"
                                   f"{fmt_date(info['fieldwork_end'].date())}"
                                   if info is not None and pd.notna(info["fieldwork_start"]) else MISSING),
            "Svarform": mode_txt,
            "Vægtet efter": ", ".join(_var_da(v) for v in wd.rake.variables) or "ikke vægtet",
            bounds_label: (
                "nej" if not wd.rake.bounds_bound else
                ("ja; vægtene er afkortet og tilpasset igen" if wd.rake.bounds_met else
                 "ja; grænserne kunne ikke overholdes")),
        }
    return pd.DataFrame(out)


def margins_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Weighting margins (after category collapsing): population share, unweighted and weighted
    respondent share per wave. A share or count that would reveal fewer than ``min_cell``
    respondents is not shown."""
    if not an.waves:
        return pd.DataFrame()
    rows = []
    for w in an.wave_list:
        wd = an.waves[w]
        grp = wd.groups if wd.groups is not None else wd.data
        for var in an.cfg.weight_variables:
            if var not in grp.columns:
                continue
            pop = wd.margins.get(var, {})
            tot = sum(pop.values())
            labels = list(dict.fromkeys([an.plan.group(var, c) if an.plan else c for c in an.cfg.categories(var)]))
            cats = [c for c in labels if c in pop or (grp[var] == c).any()]
            counts = {c: int((grp[var] == c).sum()) for c in cats}
            shown = _suppress(counts, min_cell)
            merged = an.plan.collapse.get(var, {}) if an.plan else {}
            for cat in cats:
                mask = (grp[var] == cat).to_numpy()
                ok = wd.n >= min_cell and not shown[cat].startswith("<")
                name = " og ".join(_cat_da(c) for c in [cat] + [k for k, v in merged.items() if v == cat])
                rows.append({"Runde": str(w), "Variabel": VARIABLE_LABELS[var], "Gruppe": name,
                             "Beboere": _pct(100 * pop.get(cat, 0) / tot, 0) if tot else MISSING,
                             "Svarpersoner, uvægtet": _pct(100 * counts[cat] / wd.n, 0) if ok else MISSING,
                             "Svarpersoner, vægtet": (_pct(100 * wd.weights[mask].sum() / wd.weights.sum(), 0)
                                                      if ok else MISSING),
                             "Antal svar": shown[cat]})
    return pd.DataFrame(rows)


def department_table(an: SurveyAnalysis, min_cell: int = 5) -> pd.DataFrame:
    """Index per department and wave, descriptive only. Shown only with n >= min_group_n and
    n_eff >= min_group_n_eff (otherwise "for få svar"); counts never below ``min_cell``."""
    if not an.waves:
        return pd.DataFrame()
    rep = an.cfg.raw["reporting"]
    min_n = max(int(rep["min_group_n"]), min_cell)
    min_eff = float(rep["min_group_n_eff"])
    deps = an.cfg.categories("department")
    rows = {dep: {"Afdeling": dep} for dep in deps}
    for w in an.wave_list:
        wd = an.waves[w]
        counts = {}
        for dep in deps:
            mask = (wd.data["department"] == dep).to_numpy()
            y = wd.index.to_numpy(float)[mask]
            e = weighted_mean(y, wd.weights[mask], an.cfg.level)
            show = e.n >= min_n and e.n_eff >= min_eff
            rows[dep][f"Indeks {w}"] = _num(e.value, 1) if show else "for få svar"
            counts[dep] = e.n
        shown = _suppress(counts, min_cell)
        for dep in deps:
            rows[dep][f"Antal svar {w}"] = shown[dep]
    return pd.DataFrame(list(rows.values())).set_index("Afdeling")


def robustness_table(an: SurveyAnalysis) -> pd.DataFrame:
    if an.robustness.empty:
        return pd.DataFrame()
    rows = []
    for _, r in an.robustness.iterrows():
        dec = 3 if r["unit"] == "rangscore" else 1
        rows.append({"Analyse": r["label"], f"Forskel {an.cfg.end_wave} {MINUS} {an.cfg.baseline_wave}":
                     _signed(r["diff"], dec),
                     "95 %-sikkerhedsinterval": _ci_text(r["ci_low"], r["ci_high"], dec),
                     "Intervallet ligger over 0": "ja" if r["ci_low"] > 0 else "nej"})
    return pd.DataFrame(rows).set_index("Analyse")


# HTML for the page: every table and text goes through html.escape (config text such as item
# labels must reach the page as text, never as markup).

def table_html(df: pd.DataFrame, table_id: str, index: bool = True) -> str:
    """A board table as HTML; every header and cell is escaped."""
    E = html.escape
    if df is None or df.empty:
        return "<p><em>Ingen data at vise.</em></p>"
    cols = ([df.index.name or ""] if index else []) + [str(c) for c in df.columns]
    head = "".join(f"<th>{E(c)}</th>" for c in cols)
    body = []
    for idx, r in df.iterrows():
        cells = ([f"<th scope='row'>{E(str(idx))}</th>"] if index else []) + [f"<td>{E(str(v))}</td>" for v in r]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table id='{E(table_id)}' class='board-table'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def text_html(md: str) -> str:
    """The module's Danish texts (paragraphs, '- ' bullets, **bold**) as HTML; everything is
    escaped first, so no text from the configuration or the data can become markup."""
    import re

    out, items = [], []

    def inline(s):
        return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(s))

    def flush():
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for block in md.split("\n"):
        line = block.strip()
        if line.startswith("- "):
            items.append(line[2:])
        else:
            flush()
            if line:
                out.append(f"<p>{inline(line)}</p>")
    flush()
    return "".join(out)


def unreliable_html(an: SurveyAnalysis) -> str:
    """A highlighted box with the reason the comparison cannot be judged reliably ('' if it can)."""
    if not an.unreliable_reason or not an.has_comparison or an.evaluation_year < an.cfg.end_wave:
        return ""
    return ("<div class='survey-unreliable' role='note' style='border:3px solid #b45309;background:#fef3c7;"
            "padding:10px 14px;margin:8px 0'><strong>Kan ikke vurderes pålideligt.</strong> "
            f"{html.escape(an.unreliable_reason)}</div>")


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
            rows.append({"item": "index", "label": f"Fællesskabsindeks (0{DASH}100)", "wave": w, "value": r["value"],
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
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _pct(abs(v), 0)))  # shares on both sides
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

    from helhedsplan_eval.formatting import tick_formatter

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
    ax.set_xlabel(f"Indeks (0{DASH}100) og andel enige i procent, vægtet, med 95 %-sikkerhedsinterval")
    ax.invert_yaxis()
    ax.legend(title="Runde", fontsize=8)
    ax.set_title("Fællesskabsindeks og enighed pr. udsagn")
    fig.tight_layout()
    return fig


def decision_text(an: SurveyAnalysis) -> str:
    """The decision rule as stated in the report, with this year's result (Danish; bold as **)."""
    cfg = an.cfg
    a, b = cfg.baseline_wave, cfg.end_wave
    rule = (f"**Beslutningsregel (fastlagt før {b}-data):** Fællesskabet regnes kun for stærkere, hvis hele "
            f"95 %-sikkerhedsintervallet for forskellen i det vægtede fællesskabsindeks ({b} minus {a}) ligger "
            f"over 0. Den mindste ændring, der regnes for betydningsfuld, er {_num(cfg.min_meaningful, 0)} "
            f"point på skalaen 0{DASH}100 (for andelen med stærkt fællesskab "
            f"{_pp(cfg.raw['decision'].get('min_meaningful_share_pp', 5), 0)}).")
    if an.evaluation_year < b:
        return rule + f"\n\nSammenligningen er ikke aktuel endnu: den afsluttende måling foretages i {b}."
    if not an.has_comparison:
        return rule + "\n\nBegge målinger skal foreligge, før reglen kan anvendes (afventer data)."
    d = an.index_diff
    res = (f"\n\n**Resultat:** forskellen er {_signed(d.diff)} point (95 %-sikkerhedsinterval "
           f"{_ci_text(d.ci_low, d.ci_high)} point). {an.decision['text']}")
    if an.decision["code"] != "missing":
        size = ("når" if an.decision["meaningful"] else "når ikke")
        res += (f" Ændringen {size} den mindste betydningsfulde ændring på "
                f"{_num(cfg.min_meaningful, 0)} point. Effektstørrelse (forskellen målt i forhold til, hvor "
                f"meget svarene spreder sig; 0,2 regnes for lille): {_num(an.cohens_d, 2)}.")
    if an.unreliable_reason:
        res += ("\n\n**Reglen kan ikke anvendes pålideligt på disse data**, fordi vægtningen har de problemer, "
                "der er nævnt under hovedresultatet og i metodeafsnittet.")
    return rule + res


def methods_text(an: SurveyAnalysis, min_cell: int = 5) -> str:
    """The methods box as Danish text with '- ' bullets and **bold** (numbers in :func:`methods_table`)."""
    cfg = an.cfg
    lo, hi = cfg.weight_bounds or (math.nan, math.nan)
    lines = [
        "- **Vægtning:** Hver runde er vægtet til sin egen beboersammensætning fordelt på afdeling, "
        "aldersgruppe og køn (beboere på 18 år og derover), så svarpersonerne svarer til beboersammensætningen. "
        "Vægtene findes ved skiftevis at tilpasse dem til hver af de tre fordelinger, indtil alle tre passer "
        f"(kaldet raking). Ingen vægt må være under {_num(lo, 1)} eller over {_num(hi, 1)} gange "
        "gennemsnitsvægten; grænserne bruges kun, hvis en vægt faktisk ville overskride dem, og så tilpasses "
        "de øvrige vægte igen, så fordelingerne stadig passer. Begge runder vægtes på samme måde: små grupper "
        f"(færre end {cfg.min_respondents_per_category} svarpersoner i en af runderne) lægges sammen med en "
        "nabogruppe efter faste regler i begge runder. Det effektive antal svar viser, hvor mange uvægtede "
        "svar vægtningen svarer til.",
        f"- **Fællesskabsindeks:** gennemsnit af de {len(cfg.index_items)} udsagn om fællesskab (det negativt "
        f"formulerede udsagn er vendt), omregnet til 0{DASH}100; beregnes for svarpersoner, der har svaret på "
        f"mindst {cfg.min_answered} af dem. 'Ved ikke' tæller ikke med i gennemsnit og andele, men vises for sig. "
        f"'Stærkt fællesskab' betyder et indeks på mindst {_num(cfg.strong_threshold)}.",
        "- **Usikkerhed:** 95 %-sikkerhedsintervallerne tager højde for vægtningen; for andele beregnes de, så "
        "de altid ligger mellem 0 og 100 %. De to runder er uafhængige stikprøver. Beslutningsreglen bruger "
        "den standardfejl, der udnytter, at vægtene er gjort til at passe præcist til befolkningstallene: den "
        "del af svarene, som afdeling, alder og køn forklarer, er dermed kendt og ikke usikker. I simulationer "
        "rammer denne standardfejl den faktiske usikkerhed, mens standardfejlen med faste vægte overvurderer "
        "den med 8–20 %. Den forsigtige standardfejl med faste vægte vises ved siden af i tabellen over "
        "usikkerhed.",
        "- **Mange udsagn:** Når mange udsagn testes på én gang, vil nogle vise en forskel ved et tilfælde. En "
        "forskel for et enkelt udsagn kaldes derfor kun sikker, hvis den holder efter en korrektion for antallet "
        "af fællesskabsudsagn (Holms metode). Indekset er det ene, forudbestemte hovedmål.",
        f"- **Diskretion:** Grupper med færre end {min_cell} svar vises ikke; afdelingstal vises kun med "
        f"mindst {cfg.raw['reporting']['min_group_n']} svar og er kun beskrivende.",
    ]
    for w in an.wave_list:
        r = an.alpha.loc[w] if w in an.alpha.index else None
        if r is not None and r["n"] >= min_cell and not math.isnan(r["alpha"]):
            lines.append(f"- **Cronbachs alfa {w}** (om udsagnene måler det samme; over 0,7 regnes for "
                         f"tilstrækkeligt): {_num(r['alpha'], 2)} (95 %-interval "
                         f"{_ci_text(r['ci_low'], r['ci_high'], 2)}).")
    if an.unreliable_reason:
        lines.append(f"- **Kan ikke vurderes pålideligt:** {an.unreliable_reason}")
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
    "sammenligning faldt den sociale sammenhængskraft i VIVE's måling 2018–2021 på tværs af områder med "
    "helhedsplan."
)
