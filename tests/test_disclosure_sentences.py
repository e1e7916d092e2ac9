"""Issue 21: the disclosure sentences agree with what is shown.

Over ALL criteria × evaluation years of the sample data and of the small-count fixture (tests/fixtures/tiny), every
sentence the board reads about a criterion (status, value, explanation, remaining effort, notes, data-quality
remarks) is checked:

* no sentence holds both a "<5" and another count from 1 to 4 (a shown figure next to the mask of a hidden one,
  e.g. "bidrage med <5 nye om året (bedste år hidtil: 1)");
* no "<5" is used as a requirement ("mindst <5", "bidrage med <5");
* a criterion that counts units (``counts: units``: businesses, events) is never masked; one that counts persons
  never shows a count from 1 to 4.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from helhedsplan_eval.analysis.evaluate import evaluate_year
from helhedsplan_eval.catalogue.criteria import load_catalogue
from helhedsplan_eval.report.disclosure import person_based

ROOT = Path(__file__).resolve().parents[1]
SAMPLE, TINY = ROOT / "data" / "sample", ROOT / "tests" / "fixtures" / "tiny"
MASK = "<5"
# a count from 1 to 4 standing alone: not part of a decimal, a date, a range or a year count ("i 1 af 4 år")
SMALL = re.compile(r"(?<![\d,.\-–<])([1-4])(?![\d,.])(?!\s+(?:år\b|af \d+ år))")
REQUIREMENT = re.compile(r"\b(?:mindst|højst|med|på|nå|være)\s+<\d")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:])\s+(?=[A-ZÆØÅ(])", text or "") if s]


def _board_texts(res, cid) -> list[str]:
    ev = res.board_evaluation(cid)
    crit = res.catalogue.criteria[cid]
    return [ev.label, ev.value_text, ev.explanation, ev.remaining_text, *ev.notes, *res.warnings_for(crit)]


def _results():
    for data in (SAMPLE, TINY):
        for year in (2017, 2018, 2019, 2020):
            yield data.name, year, evaluate_year(year, data)


@pytest.fixture(scope="module")
def results():
    return list(_results())


def test_no_sentence_mixes_a_mask_and_a_small_count(results):
    bad = []
    for name, year, res in results:
        for cid in res.catalogue.criteria:
            for text in _board_texts(res, cid):
                for s in _sentences(text):
                    if MASK in s and SMALL.search(s.replace(MASK, "")):
                        bad.append((name, year, cid, s))
    assert bad == []


def test_no_mask_is_used_as_a_requirement(results):
    bad = [(name, year, cid, s) for name, year, res in results for cid in res.catalogue.criteria
           for text in _board_texts(res, cid) for s in _sentences(text) if REQUIREMENT.search(s)]
    assert bad == []


def test_units_are_shown_and_persons_are_masked(results):
    """KP-TAL-2 (micro businesses, ``counts: units``) says "mindst 1" in 2019, not "<5"; a persons criterion's
    remaining effort and best year never show a count from 1 to 4."""
    cat = load_catalogue()
    for name, year, res in results:
        for cid, crit in cat.criteria.items():
            base = cat.resolve(crit)
            ev = res.board_evaluation(cid)
            if not person_based(base):
                assert MASK not in ev.explanation + ev.remaining_text + ev.value_text, (name, year, cid)
            elif base.unit == "persons":
                assert not re.search(r"bedste år hidtil: [1-4]\)", ev.remaining_text), (name, year, cid)
    sample_2019 = next(res for name, year, res in results if name == "sample" and year == 2019)
    assert sample_2019.board_evaluation("KP-TAL-2").remaining_text == (
        "Det resterende år (2020) skal bidrage med mindst 1 (bedste år hidtil: 2).")  # (4 − 3) / 1 = 1


def test_a_share_says_that_its_counts_are_hidden_not_its_figures(results):
    """KP-DAN-1's table shows 66,7 % (2017): its explanation must not say the figures are not shown."""
    for name, year, res in results:
        if name != "sample":
            continue
        ev = res.board_evaluation("KP-DAN-1")
        assert ev.value_text.endswith("%") and "vises derfor ikke" not in ev.explanation
        assert "vises, men ikke antallet af personer bag den (tæller og nævner)" in ev.explanation


def test_the_catalogue_decides_what_counts_persons():
    cat = load_catalogue()
    assert cat.criteria["KP-TAL-2"].counts == "units"  # micro businesses
    assert cat.criteria["TT-AAB-1"].counts == "units"  # events
    assert cat.criteria["TT-FRI-1"].counts == "persons"  # volunteers (unit persons)
    assert cat.criteria["KP-2"].counts == "persons"  # cases of concern: each is a young person (said in the yml)
    assert all(c.counts in ("persons", "units") for c in cat.criteria.values())


def test_counts_is_checked_at_load(tmp_path):
    import yaml

    from helhedsplan_eval.catalogue.criteria import CatalogueError

    (tmp_path / "plan.yml").write_text((ROOT / "params" / "plan.yml").read_text(encoding="utf-8"), encoding="utf-8")
    base = {"area": "tryghed_og_trivsel", "activity": None, "text": "T", "source": "S", "indicator": "active_volunteers",
            "direction": "up", "kind": "annual_minimum", "params": {"target": 5}}
    crits = [dict(copy.deepcopy(base), id="TT-7", unit="count", counts="people"),
             dict(copy.deepcopy(base), id="TT-8", unit="persons", counts="units")]  # copies: YAML without aliases
    (tmp_path / "criteria.yml").write_text(yaml.safe_dump({"criteria": crits}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(tmp_path)
    msg = "\n".join(exc.value.problems)
    assert "TT-7: counts er 'people', men skal være 'persons'" in msg
    assert "TT-8: counts er 'units', men unit er 'persons'" in msg
