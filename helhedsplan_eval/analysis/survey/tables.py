"""Board-ready survey tables (Danish headers) with disclosure control: small counts hidden
(primary and secondary suppression), percentages over too few answers left out.

One reason to change: what the board's tables show.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats as st

from helhedsplan_eval.formatting import MISSING, fmt_count
from helhedsplan_eval.analysis.survey.comparison import SurveyAnalysis
from helhedsplan_eval.analysis.survey.config import VARIABLE_LABELS
from helhedsplan_eval.analysis.survey.danish import DASH, MINUS, _cat_da, _ci_text, _num, _pp, _share, _signed, _var_da
from helhedsplan_eval.analysis.survey.estimators import weighted_mean


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
            row[f"{w}"] = (_share(r["value"]) if pct else _num(r["value"], 1)) if ok else MISSING
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
            row[f"Enige {w}"] = _share(r[f"agree_{w}"]) if ok else MISSING
            row[f"Ved ikke {w}"] = _share(r[f"dk_{w}"]) if ok_dk else MISSING
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
            mode_txt = ", ".join(f"{m} {_share(100 * modes.get(m, 0) / wd.n)}" for m in used)
        out[str(w)] = {
            "Inviterede": fmt_count(inv, min_cell) if not math.isnan(inv) else MISSING,
            "Svarpersoner": fmt_count(wd.n, min_cell),
            "Svarprocent": _share(resp_rate) if wd.n >= min_cell else MISSING,
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
                             "Beboere": _share(100 * pop.get(cat, 0) / tot) if tot else MISSING,
                             "Svarpersoner, uvægtet": _share(100 * counts[cat] / wd.n) if ok else MISSING,
                             "Svarpersoner, vægtet": (_share(100 * wd.weights[mask].sum() / wd.weights.sum())
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
