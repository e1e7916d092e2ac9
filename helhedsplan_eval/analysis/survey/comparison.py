"""The 2017/2020 comparison: both waves weighted alike, index, share with a strong community,
items and robustness checks, and the fixed decision rule (:func:`analyse`, :func:`decide`).

One reason to change: what the comparison computes and how it decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from helhedsplan_eval.formatting import fmt_number
from helhedsplan_eval.analysis.survey.calibration import Calibration
from helhedsplan_eval.analysis.survey.config import SurveyConfig, load_config
from helhedsplan_eval.analysis.survey.danish import _num, _var_da
from helhedsplan_eval.analysis.survey.estimators import (Difference, Estimate, difference, weighted_mean,
                                                         weighted_share)
from helhedsplan_eval.analysis.survey.inference import cohens_h, holm, rank_test
from helhedsplan_eval.analysis.survey.raking import RakeResult
from helhedsplan_eval.analysis.survey.reading import (_tables_from, validate_margins, validate_responses,
                                                      validate_waves)
from helhedsplan_eval.analysis.survey.scores import cronbach_alpha, index_scores, scored_items
from helhedsplan_eval.analysis.survey.weighting import (WeightingPlan, heavy_text, margins_dict, plan_weighting,
                                                        wave_weights)


def decide(diff: float, ci_low: float, ci_high: float, min_meaningful: float, waves=None) -> dict:
    """The fixed decision rule for the survey's criterion (the last wave against the first, ``waves`` from
    survey.yml; the texts name them, or say "den første/sidste måling" without them).

    - "stronger": the whole 95 % CI of last - first lies above 0;
    - "weaker": the whole CI lies below 0;
    - "no_detectable_change": the CI covers 0;
    - "missing": no difference can be computed.
    ``meaningful`` says whether the estimate reaches the minimum meaningful change."""
    if any(math.isnan(x) for x in (diff, ci_low, ci_high)):
        return {"code": "missing", "stronger": False, "meaningful": False,
                "text": "Forskellen kan ikke beregnes endnu."}
    first, last = (f"i {min(waves)}", f"i {max(waves)}") if waves else ("ved den første måling",
                                                                         "ved den sidste måling")
    meaningful = diff >= min_meaningful
    if ci_low > 0:
        code = "stronger"
        text = f"Fællesskabet opleves som stærkere {last} end {first}: hele sikkerhedsintervallet ligger over 0."
        if not meaningful:
            text += (f" Stigningen er dog mindre end den mindste betydningsfulde ændring "
                     f"({fmt_number(min_meaningful, 1)} point).")
    elif ci_high < 0:
        code = "weaker"
        text = f"Fællesskabet opleves som svagere {last} end {first}: hele sikkerhedsintervallet ligger under 0."
    else:
        code = "no_detectable_change"
        since = f"fra {min(waves)} til {max(waves)}" if waves else "fra den første til den sidste måling"
        text = f"Der kan ikke påvises en ændring {since}: sikkerhedsintervallet indeholder 0."
    return {"code": code, "stronger": code == "stronger", "meaningful": bool(meaningful), "text": text}


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

    @cached_property
    def calibration(self) -> Calibration | None:
        """The raking design (:attr:`design`) reduced once for the wave's calibration SEs."""
        design = self.design
        return None if design is None else Calibration.from_groups(design)


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
    items = scored_items(d, cfg)
    return WaveData(wave=wave, data=d, rake=rk, items=items, raw_items=scored_items(d, cfg, reverse=False),
                    index=index_scores(d, cfg, items), margins=mm, groups=groups)


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
            raw = wd.data[item].to_numpy(float)
            answered = ~np.isnan(raw)
            opinion = wd.raw_items[item].to_numpy(float)
            agrees = np.isin(opinion, cfg.agree_codes).astype(float)
            agree = np.where(np.isnan(opinion), np.nan, agrees)
            dk = np.where(answered, (raw == cfg.dont_know).astype(float), np.nan)
            e = weighted_share(agree, wd.weights, cfg.level, wd.calibration)
            e_dk = weighted_share(dk, wd.weights, cfg.level)
            u_agree = float(np.nanmean(agree)) * 100 if not np.isnan(agree).all() else math.nan
            ests[wv] = e
            row.update({f"agree_{wv}": e.value, f"agree_se_{wv}": e.se, f"agree_ci_low_{wv}": e.ci_low,
                        f"agree_ci_high_{wv}": e.ci_high, f"n_{wv}": e.n, f"n_answered_{wv}": int(answered.sum()),
                        f"dk_{wv}": e_dk.value, f"agree_unweighted_{wv}": u_agree,
                        f"agree_all_{wv}": weighted_share(np.where(answered, agrees, np.nan), wd.weights,
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


def _no_survey(cfg: SurveyConfig, evaluation_year: int) -> SurveyAnalysis:
    """The analysis when the survey is not delivered: no figures, 'afventer data'."""
    empty = pd.DataFrame()
    return SurveyAnalysis(cfg, evaluation_year, {}, None, empty, empty,
                          difference(Estimate(math.nan, math.nan, math.nan, math.nan, 0, 0),
                                     Estimate(math.nan, math.nan, math.nan, math.nan, 0, 0)),
                          Difference(math.nan, math.nan, math.nan, math.nan, 0, math.nan),
                          decide(math.nan, math.nan, math.nan, cfg.min_meaningful), math.nan, empty,
                          empty, empty, ["Der er ingen data fra fællesskabsundersøgelsen."],
                          source_missing=True)


def _weighting_problems(waves: dict[int, WaveData], cfg: SurveyConfig, notes: list[str],
                        problems: list[str]) -> None:
    """Add every wave's raking notes and problems (heavy respondents of several waves in one
    clause) and flag waves weighted on different variables."""
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


def _wave_frames(waves: dict[int, WaveData], cfg: SurveyConfig,
                 notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per wave: the index (calibration SE, fixed-weight SE, weighted SD, unweighted mean, design
    effect), the share with a strong community, and Cronbach's alpha (a note when it is low)."""
    irows, srows, arows = {}, {}, {}
    for w, wd in waves.items():
        e = weighted_mean(wd.index, wd.weights, cfg.level, wd.calibration)
        y = wd.index.to_numpy(float)
        ok = ~np.isnan(y)
        sd = (math.sqrt(np.sum(wd.weights[ok] * (y[ok] - e.value) ** 2) / wd.weights[ok].sum())
              if ok.any() else math.nan)
        irows[w] = _estimate_row(e, sd=sd, unweighted=float(np.nanmean(y)) if ok.any() else math.nan,
                                 n_respondents=wd.n, n_eff_wave=wd.rake.n_eff, deff=wd.rake.deff)
        strong = (wd.index >= cfg.strong_threshold).astype(float).where(wd.index.notna())
        srows[w] = _estimate_row(weighted_share(strong, wd.weights, cfg.level, wd.calibration))
        al, (alo, ahi), an = cronbach_alpha(wd.items[cfg.index_items])
        arows[w] = {"alpha": al, "ci_low": alo, "ci_high": ahi, "n": an}
        if not math.isnan(al) and al < float(cfg.raw["index"].get("alpha_warning", 0.7)):
            notes.append(f"{w}: Cronbachs alfa (et mål for, om udsagnene måler det samme) er "
                         f"{_num(al, 2)}, under {_num(cfg.raw['index'].get('alpha_warning', 0.7), 2)}; "
                         "indekset skal læses varsomt.")
    frames = tuple(pd.DataFrame.from_dict(rows, orient="index") for rows in (irows, srows, arows))
    for df_ in frames:
        df_.index.name = "wave"
    return frames


def _row_estimate(df_: pd.DataFrame, w: int) -> Estimate:
    """A wave's row of an estimate frame as an :class:`Estimate` (all NaN for a wave not there)."""
    if w not in df_.index:
        return Estimate(math.nan, math.nan, math.nan, math.nan, 0, 0)
    r = df_.loc[w]
    return Estimate(r["value"], r["se"], r["ci_low"], r["ci_high"], int(r["n"]), int(r["df"]), r["n_eff"],
                    r["se_fixed"])


def analyse(source, evaluation_year: int = 2020, cfg: SurveyConfig | None = None) -> SurveyAnalysis:
    """Everything the notebook and the indicator show, from a DataBundle, a dict of frames or a
    data folder. Waves after ``evaluation_year`` are ignored (not yet due).

    Both waves are weighted alike (:func:`plan_weighting`); every condition that makes the
    comparison unreliable is collected in ``problems`` (see :attr:`SurveyAnalysis.unreliable_reason`)."""
    cfg = cfg or load_config()
    t = _tables_from(source)
    if t["survey_responses"] is None:
        return _no_survey(cfg, evaluation_year)
    notes: list[str] = []
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
    _weighting_problems(waves, cfg, notes, problems)
    a, b = cfg.baseline_wave, cfg.end_wave
    idx_df, strong_df, alpha_df = _wave_frames(waves, cfg, notes)
    idiff = difference(_row_estimate(idx_df, a), _row_estimate(idx_df, b), cfg.level)
    idiff_fixed = difference(_fixed(_row_estimate(idx_df, a)), _fixed(_row_estimate(idx_df, b)), cfg.level)
    sdiff = difference(_row_estimate(strong_df, a), _row_estimate(strong_df, b), cfg.level)
    sdiff.ci_low, sdiff.ci_high = max(sdiff.ci_low, -100.0), min(sdiff.ci_high, 100.0)  # pp of shares
    dec = decide(idiff.diff, idiff.ci_low, idiff.ci_high, cfg.min_meaningful, cfg.waves)
    d = math.nan
    if a in idx_df.index and b in idx_df.index:
        pooled = math.sqrt((idx_df.loc[a, "sd"] ** 2 + idx_df.loc[b, "sd"] ** 2) / 2)
        d = idiff.diff / pooled if pooled > 0 else math.nan
    items = _item_table(waves, cfg, a, b)
    rob = (_robustness(waves, resp, margins, cfg, idiff, plan, idiff_fixed) if (a in waves and b in waves)
           else pd.DataFrame())
    if a in waves and b in waves:
        for item in items[items["dk_change"].abs() > 5].index:
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
        ea = weighted_mean(wa.index, wa.weights, cfg.level, wa.calibration)
        eb = weighted_mean(rew.index, rew.weights, cfg.level, rew.calibration)
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
