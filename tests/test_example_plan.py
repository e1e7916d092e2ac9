"""The bundled second plan (issue 19): a synthetic plan of the 2019-26 model in plans/eksempel-2022-2026, with
plan years from 1 February and its own sample data. Its annual report runs in CI beside the default plan's
(dev.py test); these tests check its configuration, its sample and its status table."""

from __future__ import annotations

import filecmp
from pathlib import Path

from helhedsplan_eval.catalogue.criteria import load_catalogue, plan_problems
from helhedsplan_eval.catalogue.period import plan_period

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "plans" / "eksempel-2022-2026"
DATA = ROOT / "data" / "sample-eksempel-2022-2026"


def _cli(argv, capsys):
    from helhedsplan_eval.cli import main

    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_the_example_plan_is_the_2019_26_model_with_plan_years_from_february():
    assert plan_problems(PLAN) == []
    cat = load_catalogue(PLAN)
    assert [a.name for a in cat.areas.values()] == ["Uddannelse og livschancer", "Beskæftigelse",
                                                    "Kriminalitetsforebyggelse", "Sammenhængskraft og medborgerskab"]
    assert len(cat.criteria) == 15
    p = plan_period(PLAN)
    assert [p.label(y) for y in p.years] == ["2022/23", "2023/24", "2024/25", "2025/26"]
    assert {(c.period_start, c.period_end) for c in cat.criteria.values()} <= {(2022, 2025), (2023, 2025)}


def test_its_sample_is_made_again_byte_for_byte(tmp_path, capsys):
    rc, out, err = _cli(["sample", "--plan", str(PLAN), str(tmp_path / "s")], capsys)
    assert rc == 0, err
    made = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert made == sorted(p.name for p in DATA.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(DATA, tmp_path / "s", made, shallow=False)
    assert not mismatch and not errors
    assert "synthetic: true" in (DATA / "manifest.yml").read_text(encoding="utf-8")
    # a date moved 61 months: the default sample's first event, 8 January 2017, is 8 February 2022
    assert "E00001,2022-02-08," in (DATA / "logbook_events.csv").read_text(encoding="utf-8")


def test_its_data_validate_and_its_status_table_names_it(capsys):
    rc, out, err = _cli(["validate", "--plan", str(PLAN), str(DATA)], capsys)
    assert rc == 0 and "0 fejl" in out
    rc, out, err = _cli(["status", "--plan", str(PLAN), "--year", "2025"], capsys)
    assert rc == 0, err
    assert "syntetiske eksempeldata - tallene siger intet om Eksempelparken" in out
    assert "Gladsaxe" not in out and "Afventer data" not in out
    rc, out, err = _cli(["status", "--plan", str(PLAN), "--year", "2020"], capsys)
    assert rc == 2 and "gyldige år er 2022-2025, planårene 2022/23–2025/26" in err


def test_its_configuration_names_no_word_of_the_default_plan():
    import re

    words = ("Høje", "Gladsaxe", "Vestegn", "3B")
    for f in sorted(PLAN.glob("*.yml")):
        text = f.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert not [w for w in words if re.search(rf"\b{w}\b", body)], f.name
