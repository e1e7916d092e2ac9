"""Synthetic (fictitious) data for 3B's fællesskabs- og medborgerskabsundersøgelse 2017 and 2020.

About 4.100 adult residents in the five housing organisations' departments each wave. A random
sample of residents is invited; who answers depends on age, gender and department (older
residents and women answer more often, as in Danish housing surveys), and the feeling of
community also depends on age and department, so the unweighted respondent mean is biased
and weighting matters. The latent sense of community rises modestly from 2017 to 2020
(``TRUE_SHIFT`` standard deviations). Items follow the Danish item bank in the research note;
"ved ikke" (9) shares of 3-10 % and 3-8 % unanswered items. Nothing here describes real people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEPARTMENTS = {  # residents 18+ per department in 2017 and 2020
    "3B": (1400, 1385),
    "AAB": (900, 915),
    "ABG": (700, 690),
    "fsb": (650, 672),
    "Lejerbo": (450, 463),
}
AGE_GROUPS = ["18-29", "30-49", "50-64", "65+"]
AGE_MIX = {  # share of residents by age group within each department
    "3B": [0.24, 0.36, 0.22, 0.18],
    "AAB": [0.28, 0.38, 0.20, 0.14],
    "ABG": [0.18, 0.32, 0.26, 0.24],
    "fsb": [0.26, 0.40, 0.20, 0.14],
    "Lejerbo": [0.15, 0.30, 0.27, 0.28],
}
DEPT_EFFECT = {"3B": 0.0, "AAB": -0.25, "ABG": 0.1, "fsb": -0.15, "Lejerbo": 0.2}
AGE_EFFECT = {"18-29": -0.4, "30-49": -0.1, "50-64": 0.1, "65+": 0.4}
TRUE_SHIFT = 0.15  # latent SDs, 2017 -> 2020 (a modest true increase)

# response propensity (logit scale)
RESP_BASE = {2017: -1.05, 2020: -1.25}
RESP_AGE = {"18-29": -0.8, "30-49": -0.25, "50-64": 0.25, "65+": 0.7}
RESP_DEPT = {"3B": 0.25, "AAB": -0.35, "ABG": 0.1, "fsb": -0.3, "Lejerbo": 0.3}
RESP_WOMAN = 0.25
INVITED = {2017: 1500, 2020: 1500}
FIELDWORK = {2017: ("2017-09-04", "2017-10-06"), 2020: ("2020-09-07", "2020-10-09")}
MODE_MIX = {2017: [0.55, 0.40, 0.05], 2020: [0.30, 0.60, 0.10]}

# items: (loading on the latent trait, centre, P(ved ikke), P(not answered))
ITEMS = {
    "q01": (1.0, 0.2, 0.04, 0.04),
    "q02": (0.9, 0.0, 0.06, 0.04),
    "q03": (0.8, 0.1, 0.09, 0.05),
    "q04": (0.8, 0.3, 0.08, 0.05),
    "q05": (-0.8, -0.2, 0.05, 0.06),  # negatively worded
    "q06": (0.9, -0.1, 0.10, 0.06),
    "q07": (0.5, 0.4, 0.03, 0.03),
    "q08": (0.6, -0.2, 0.07, 0.05),
}
THRESHOLDS = np.array([-1.6, -0.6, 0.2, 1.1])  # cut points for codes 1|2|3|4|5


def _population(rng: np.random.Generator, wave: int) -> pd.DataFrame:
    k = 0 if wave == 2017 else 1
    parts = []
    for dep, sizes in DEPARTMENTS.items():
        n = sizes[k]
        parts.append(pd.DataFrame({
            "department": dep,
            "age_group": rng.choice(AGE_GROUPS, size=n, p=AGE_MIX[dep]),
            "gender": np.where(rng.random(n) < 0.52, "kvinde", "mand"),
        }))
    return pd.concat(parts, ignore_index=True)


def _answers(rng: np.random.Generator, pop: pd.DataFrame, wave: int) -> pd.DataFrame:
    n = len(pop)
    eta = (pop["department"].map(DEPT_EFFECT).to_numpy() + pop["age_group"].map(AGE_EFFECT).to_numpy()
           + (TRUE_SHIFT if wave == 2020 else 0.0) + rng.normal(0, 1, n))
    young = (pop["age_group"] == "18-29").to_numpy()
    out = {}
    for item, (load, centre, p_dk, p_na) in ITEMS.items():
        z = centre + load * eta + rng.normal(0, 0.8, n)
        code = (np.searchsorted(THRESHOLDS, z) + 1).astype(float)
        u = rng.random(n)
        dk = u < p_dk * np.where(young, 1.5, 1.0)
        na = (u >= 0.5) & (u < 0.5 + p_na)
        code[dk] = 9
        code[na] = np.nan
        out[item] = code
    return pd.DataFrame(out)


def make_survey_tables(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """``survey_responses``, ``survey_margins`` and ``survey_waves`` for the 2017 and 2020 waves."""
    responses, margins, waves = [], [], []
    used_ids: set[str] = set()
    for wave in (2017, 2020):
        pop = _population(rng, wave)
        pop = pd.concat([pop, _answers(rng, pop, wave)], axis=1)
        for var in ("department", "age_group", "gender"):
            counts = pop[var].value_counts()
            cats = list(DEPARTMENTS) if var == "department" else (
                AGE_GROUPS if var == "age_group" else ["kvinde", "mand"])
            margins += [{"wave": wave, "variable": var, "category": c, "population": int(counts.get(c, 0))}
                        for c in cats]
        invited = pop.iloc[rng.choice(len(pop), size=INVITED[wave], replace=False)].reset_index(drop=True)
        logit = (RESP_BASE[wave] + invited["age_group"].map(RESP_AGE).to_numpy()
                 + invited["department"].map(RESP_DEPT).to_numpy()
                 + np.where(invited["gender"] == "kvinde", RESP_WOMAN, 0.0))
        answered = rng.random(len(invited)) < 1 / (1 + np.exp(-logit))
        resp = invited[answered].reset_index(drop=True)
        items = list(ITEMS)
        resp = resp[resp[items].notna().any(axis=1)].reset_index(drop=True)
        ids = []
        while len(ids) < len(resp):
            cand = f"S{rng.integers(100000, 999999)}"
            if cand not in used_ids:
                used_ids.add(cand)
                ids.append(cand)
        resp.insert(0, "respondent_id", ids)
        resp.insert(1, "wave", wave)
        resp.insert(5, "mode", rng.choice(["papir", "web", "telefon"], size=len(resp), p=MODE_MIX[wave]))
        for item in items:
            resp[item] = resp[item].astype("Int64")
        responses.append(resp)
        waves.append({"wave": wave, "invited": INVITED[wave], "responded": len(resp),
                      "fieldwork_start": FIELDWORK[wave][0], "fieldwork_end": FIELDWORK[wave][1]})
    return {
        "survey_responses": pd.concat(responses, ignore_index=True),
        "survey_margins": pd.DataFrame(margins),
        "survey_waves": pd.DataFrame(waves),
    }
