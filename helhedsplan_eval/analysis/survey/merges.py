"""Merges forced by an empty category keep their warning (issue 21).

When a raking category has residents but no respondents in one wave (no 18–29-year-olds answered in 2020),
``weighting.collapse`` in params/survey.yml merges it into its neighbour in both waves. The merged comparison is
only as good as the assumption that the two groups answer alike: in 2017 18–29 averaging 8 and 30–49 averaging 50
made a merged difference of +10,4 "Opfyldt" where nothing changed within any group. So a merge forced by an empty
category is a problem of the comparison (*Kan ikke vurderes*, with the reason on the page), unless every wave that
has both groups shows their fællesskab index alike: unweighted means within
``weighting.merge_alike_tolerance`` index points (survey.yml). A merge made because a category has *few*
respondents (but some in every wave) is not forced by emptiness and keeps its note only.
"""

from __future__ import annotations

import pandas as pd

from helhedsplan_eval.formatting import fmt_number
from helhedsplan_eval.analysis.survey.config import SurveyConfig
from helhedsplan_eval.analysis.survey.danish import _cat_da, _var_da
from helhedsplan_eval.analysis.survey.scores import index_scores


def forced_merges(mapping: dict[str, str], pops: dict[int, dict], counts: dict[int, pd.Series]) -> list[tuple]:
    """(category, merged into, waves in which it has residents but no respondents) for every merge that an empty
    category forced."""
    out = []
    for c, t in mapping.items():
        empty = [w for w in pops if float(pops[w].get(c, 0)) > 0 and int(counts[w].get(c, 0)) == 0]
        if empty:
            out.append((c, t, empty))
    return out


def _group_means(resp: pd.DataFrame, cfg: SurveyConfig, var: str, c: str, t: str, mapping: dict[str, str],
                 wave: int) -> tuple[float, float] | None:
    """Unweighted mean index of category ``c`` and of the rest of the group it joined, in ``wave``."""
    d = resp[resp["wave"] == wave]
    if not len(d):
        return None
    idx = index_scores(d, cfg).to_numpy(float)
    cats = d[var].astype(str).to_numpy()
    groups = pd.Series(cats).map(lambda k: mapping.get(k, k)).to_numpy()
    own, rest = idx[cats == c], idx[(groups == t) & (cats != c)]
    own, rest = own[~pd.isna(own)], rest[~pd.isna(rest)]
    if not len(own) or not len(rest):
        return None
    return float(own.mean()), float(rest.mean())


def merge_checks(var: str, forced: list[tuple], mapping: dict[str, str], resp: pd.DataFrame, cfg: SurveyConfig,
                 waves: list[int]) -> tuple[list[str], list[str]]:
    """(notes, problems) of the forced merges of one raking variable (Danish clauses, no respondent values)."""
    tol = (cfg.raw.get("weighting") or {}).get("merge_alike_tolerance")
    notes, problems = [], []
    for c, t, empty in forced:
        lead = (f"{_var_da(var)} {_cat_da(c)} havde i {' og '.join(map(str, empty))} ingen svarpersoner og er lagt "
                f"sammen med {_cat_da(t)} i begge runder")
        means = {w: _group_means(resp, cfg, var, c, t, mapping, w) for w in waves if w not in empty}
        means = {w: m for w, m in means.items() if m is not None}
        if not means:
            problems.append(lead + ", og ingen runde har svar fra begge grupper, så det kan ikke ses, om de svarer ens")
            continue
        far = {w: m for w, m in means.items() if tol is None or abs(m[0] - m[1]) > float(tol)}
        txt = "; ".join(f"{w}: {fmt_number(a, 1)} mod {fmt_number(b, 1)}" for w, (a, b) in (far or means).items())
        limit = ("" if tol is None else f", mere end de {fmt_number(float(tol), 1)} point, som tolerancen "
                 "merge_alike_tolerance i survey-parametrene tillader")
        if far:
            problems.append(f"{lead}, men de to grupper svarede forskelligt, hvor begge har svaret (fællesskabsindeks "
                            f"i gennemsnit {txt}{limit})")
        else:
            notes.append(lead[0].upper() + lead[1:] + f"; hvor begge har svaret, svarede de ens (fællesskabsindeks "
                         f"i gennemsnit {txt}, inden for {fmt_number(float(tol), 1)} point), så sammenlægningen "
                         "ændrer ikke vurderingen.")
    return notes, problems
