"""Issue 21: a survey merge forced by an empty category keeps its warning.

Two waves of 80 respondents (tests/test_survey.py ``_balanced``: 2 in every department × age × gender cell,
margins 1.200 residents); nobody aged 18–29 answers in 2020, so survey.yml merges 18–29 into 30–49 in both waves.
Answers are set by hand for the age groups that matter: all six index items the same value v (q05, reversed as
6 − v, is written as 6 − v so that every item scores v), giving the index (v − 1)/4 · 100.
"""

from __future__ import annotations

import pandas as pd

from helhedsplan_eval.analysis import survey as sv
from helhedsplan_eval.analysis.status import UNJUDGEABLE, evaluate
from helhedsplan_eval.catalogue.criteria import load_catalogue
from helhedsplan_eval.data.bundle import DataBundle
from tests.test_survey import _assert_flagged, _balanced, _drop

ITEMS = [f"q{j:02d}" for j in range(1, 7)]


def _answers(tables, wave, age, per_item):
    """Every respondent of ``wave`` in ``age`` answers items scoring ``per_item`` (a dict item -> score)."""
    r = tables["survey_responses"].copy()
    hit = (r["wave"] == wave) & (r["age_group"] == age)
    for q, v in per_item.items():
        r.loc[hit, q] = 6 - v if q == "q05" else v
    return {**tables, "survey_responses": r}


def _scores(v, first=None):
    d = {q: v for q in ITEMS}
    if first is not None:
        d["q01"] = first
    return d


def _case(young_2017, older_2017):
    t = _balanced()
    t = _answers(t, 2017, "18-29", young_2017)
    t = _answers(t, 2017, "30-49", older_2017)
    return _drop(t, 2020, age_group="18-29")  # nobody aged 18-29 answered in 2020


def test_a_forced_merge_of_groups_that_answer_differently_cannot_be_judged():
    """2017: 18–29 all "helt uenig" (index 0,0), 30–49 all "hverken/eller" (50,0): 50 points apart, more than
    the tolerance of 5 -> flagged, and TT-1 says "Kan ikke vurderes" with the reason."""
    t = _case(_scores(1), _scores(3))
    an = _assert_flagged(t, "aldersgruppe 18–29 havde i 2020 ingen svarpersoner og er lagt sammen med 30–49",
                         "svarede forskelligt", "2017: 0,0 mod 50,0", "mere end de 5,0 point")
    assert an.plan.collapse == {"age_group": {"18-29": "30-49"}}
    s = sv.faellesskab_index(DataBundle.from_frames(t), [2017, 2018, 2019, 2020])
    ev = evaluate(load_catalogue().criteria["TT-1"], s, 2020)
    assert ev.status == UNJUDGEABLE and "svarede forskelligt" in ev.explanation


def test_a_forced_merge_of_groups_that_answer_alike_keeps_the_verdict():
    """2017: 18–29 index 50,0 (all 3), 30–49 54,2 (q01 = 4, the rest 3: mean 19/6 -> (19/6 − 1)/4 · 100 = 54,17):
    4,2 points apart, within the tolerance of 5 -> no problem, and a note says why the merge is harmless."""
    t = _case(_scores(3), _scores(3, first=4))
    an = sv.analyse(t, 2020)
    assert an.problems == [] and an.unreliable_reason is None
    note = next(n for n in an.notes if "svarede de ens" in n)
    assert "2017: 50,0 mod 54,2" in note and "inden for 5,0 point" in note


def test_the_tolerance_is_stated_in_survey_yml():
    assert float(sv.load_config().raw["weighting"]["merge_alike_tolerance"]) == 5.0


def test_a_merge_for_few_respondents_is_not_a_forced_one():
    """3 of 16 respondents aged 18–29 left in 2020: merged for having few, not none -> no forced-merge warning."""
    t = _answers(_answers(_balanced(), 2017, "18-29", _scores(1)), 2017, "30-49", _scores(3))
    t = _drop(t, 2020, keep=3, age_group="18-29")
    an = sv.analyse(t, 2020)
    assert an.plan.collapse == {"age_group": {"18-29": "30-49"}}
    assert not any("svarede forskelligt" in p for p in an.problems) and pd.notna(an.index_diff.diff)
