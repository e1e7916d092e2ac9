"""Weighting both waves alike: which raking variables and category collapsing every wave uses
(:func:`plan_weighting`), and raking one wave with the checks the report needs (:func:`wave_weights`):
margin totals, categories without respondents, convergence, weight bounds and heavy weights.

One reason to change: the weighting rules and their diagnostics (Danish notes and problems).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helhedsplan_eval.formatting import fmt_number, fmt_pct
from helhedsplan_eval.analysis.survey.config import VARIABLE_LABELS, SurveyConfig, SurveyDataError, load_config
from helhedsplan_eval.analysis.survey.danish import _cat_da, _var_da
from helhedsplan_eval.analysis.survey.merges import forced_merges, merge_checks
from helhedsplan_eval.analysis.survey.raking import RakeResult, rake


def margins_dict(margins: pd.DataFrame, wave: int, variables: list[str]) -> dict[str, dict]:
    """``{variable: {category: population}}`` of one wave, in the file's order."""
    sel = (margins["wave"] == wave).to_numpy()
    var = margins["variable"].to_numpy()[sel]
    cat, pop = margins["category"].to_numpy()[sel], margins["population"].to_numpy()[sel]
    return {v: dict(zip(cat[var == v].tolist(), pop[var == v].tolist())) for v in variables}


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
            cats = sample[var].astype(str)
            groups[var] = cats.map({c: self.group(var, c) for c in cats.unique()})
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


def _merged_counts(pop: dict[str, float], counts: pd.Series, mapping: dict[str, str]) -> dict[str, int]:
    """Respondents per raking group of one wave after the merges in ``mapping`` (0 for a group with
    residents but no respondents)."""
    out: dict[str, int] = {}
    for cat in pop:
        key = mapping.get(cat, cat)
        out[key] = out.get(key, 0)
    for cat, k in counts.items():
        key = mapping.get(cat, cat)
        out[key] = out.get(key, 0) + int(k)
    return out


def _collapse(order: list[str], rules: dict[str, str], pops: dict[int, dict], counts: dict[int, pd.Series],
              min_n: int) -> dict[str, str]:
    """The category merges of one variable: while a category has fewer than ``min_n`` respondents in
    some wave and its rule leads somewhere useful, merge it (in every wave), following merges made."""
    mapping: dict[str, str] = {}
    waves = list(pops)

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
        small = [c for c in order
                 if any(_merged_counts(pops[w], counts[w], mapping).get(c, min_n) < min_n for w in waves)
                 and target_of(c) is not None]
        if not small:
            return mapping
        c = small[0]
        target = target_of(c)
        mapping[c] = target
        for k, v in list(mapping.items()):
            if v == c:
                mapping[k] = target


def _populations(margins: pd.DataFrame, var: str, waves: list[int], plan: WeightingPlan) -> dict[int, dict] | None:
    """The positive population counts of ``var`` per wave; None (with a note or a problem in ``plan``)
    when a wave has none, so that ``var`` is left out of the weighting of every wave."""
    pops = {w: {str(k): float(v) for k, v in margins_dict(margins, w, [var])[var].items() if float(v) > 0}
            for w in waves}
    if not any(pops[w] for w in waves):
        plan.notes.append(f"Der er ingen befolkningstal for {_var_da(var)}; der vægtes ikke på "
                          f"{_var_da(var)} i nogen af runderne.")
        return None
    lacking = [w for w in waves if not pops[w]]
    if lacking:
        plan.problems.append(f"der mangler befolkningstal for {_var_da(var)} i "
                             f"{' og '.join(map(str, lacking))}, så runderne kan ikke vægtes ens "
                             f"({_var_da(var)} er derfor udeladt af vægtningen i begge runder)")
        return None
    return pops


def _plan_variable(plan: WeightingPlan, var: str, resp: pd.DataFrame, pops: dict[int, dict], cfg: SurveyConfig,
                   few_by_wave: dict[int, list[str]]) -> None:
    """Collapse the categories of one raking variable alike in every wave and add it to ``plan``,
    or leave it out (with a problem) when a group still has residents but no respondents."""
    waves, min_n = list(pops), cfg.min_respondents_per_category
    rules = {str(k): str(v) for k, v in cfg.collapse_rules.get(var, {}).items()}
    counts = {w: resp.loc[resp["wave"] == w, var].astype(str).value_counts() for w in waves}
    mapping = _collapse(cfg.categories(var), rules, pops, counts, min_n)
    for c, t in mapping.items():
        plan.notes.append(f"{VARIABLE_LABELS.get(var, var)}: gruppen {_cat_da(c)} er lagt sammen med "
                          f"{_cat_da(t)} i begge runder, fordi den har færre end {min_n} svarpersoner "
                          "(regel i params/survey.yml).")
    notes, problems = merge_checks(var, forced_merges(mapping, pops, counts), mapping, resp, cfg, waves)
    plan.notes.extend(notes)
    plan.problems.extend(problems)
    merged = {w: _merged_counts(pops[w], counts[w], mapping) for w in waves}
    empty = [(w, c) for w in waves for c, k in merged[w].items() if k == 0]
    if empty:
        w, c = empty[0]
        plan.problems.append(f"der er i {w} ingen svarpersoner i {_var_da(var)} {_cat_da(c)}, og der er "
                             "ingen regel for at lægge gruppen sammen med en anden, så "
                             f"{_var_da(var)} er udeladt af vægtningen i begge runder")
        return
    for w in waves:
        few = [c for c, k in merged[w].items() if 0 < k < min_n]
        if few:
            few_by_wave.setdefault(w, []).append(f"{_var_da(var)} {' og '.join(map(_cat_da, few))}")
    if mapping:
        plan.collapse[var] = mapping
    plan.variables.append(var)


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
    few_by_wave: dict[int, list[str]] = {}
    for var in cfg.weight_variables:
        pops = _populations(margins, var, waves, plan)
        if pops is not None:
            _plan_variable(plan, var, resp, pops, cfg, few_by_wave)
    by_groups: dict[tuple, list[int]] = {}
    for w, parts in few_by_wave.items():
        by_groups.setdefault(tuple(parts), []).append(w)
    for parts, ws in by_groups.items():
        groups = ", i ".join(parts[:-1]) + (" og i " if len(parts) > 1 else "") + parts[-1]
        plan.problems.append(f"der er i {' og '.join(map(str, ws))} færre end {cfg.min_respondents_per_category} "
                             f"svarpersoner i {groups}, så vægtene bliver ustabile")
    return plan


def heavy_text(waves: str, limit: float) -> str:
    return f"én svarperson bærer i {waves} mere end {fmt_pct(100 * limit, 0)} af den samlede vægt"


def _usable_margins(sample: pd.DataFrame, margins: dict[str, dict], variables: list[str], label: str,
                    notes: list[str], problems: list[str]) -> dict[str, dict]:
    """The margins of ``variables`` the wave can be raked to (categories with residents only); a
    variable without a margin, or with a category that has residents but no respondents, is left
    out (note; problem for the latter). Respondents in a category without residents are an error."""
    use: dict[str, dict] = {}
    for var in variables:
        pop = {str(k): float(v) for k, v in margins.get(var, {}).items() if float(v) > 0}
        if not pop:
            notes.append(f"{label}: ingen befolkningstal for {_var_da(var)}; der vægtes ikke på denne variabel.")
            continue
        present = set(sample[var].astype(str).unique())
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
    return use


def _same_totals(use: dict[str, dict], cfg: SurveyConfig, label: str, notes: list[str]) -> dict[str, dict]:
    """Margins scaled to the first variable's total (note); totals further apart than
    ``margin_total_tolerance`` are an error."""
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
    return use


def _rake_checked(sample: pd.DataFrame, use: dict[str, dict], cfg: SurveyConfig, label: str,
                  notes: list[str], problems: list[str]) -> RakeResult:
    """Rake within the weight bounds; when bounds and margins cannot both hold, the margins win
    (documented). Raking that misses the margins and a too heavy respondent are problems."""
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
    return res


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
    use = _usable_margins(sample, margins, cfg.weight_variables if variables is None else variables, label,
                          notes, problems)
    if not use:
        w = np.ones(len(sample))
        notes.append(f"{label}: ingen vægtningsmargener; resultaterne er uvægtede.")
        return RakeResult(weights=w, converged=True, iterations=0, max_rel_error=0.0, notes=notes,
                          problems=problems)
    res = _rake_checked(sample, _same_totals(use, cfg, label, notes), cfg, label, notes, problems)
    res.notes = notes + res.notes
    res.problems = problems + res.problems
    return res
