"""The researcher API: ``helhedsplan_eval.criterion(id, year=, data=)`` and the README example that uses it.

Known answers are hand-computed from tests/fixtures/tiny (inspector_complaints.csv: common-area complaints
2017: K1-K5 = 5 (K6 is not in a common area), 2018: K7-K10 = 4, 2019: K11-K13 = 3, 2020: K14-K18 = 5).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import helhedsplan_eval as he  # noqa: E402
from helhedsplan_eval.data.contract import load_bundle  # noqa: E402
from helhedsplan_eval.analysis.evaluate import evaluate_year  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def tiny_bundle():
    return load_bundle(TINY)


def test_tt2_known_answers_on_the_tiny_fixture(tiny_bundle):
    k = he.criterion("TT-2", year=2020, data=tiny_bundle)
    # the catalogue entry
    assert k.criterion.id == "TT-2" and k.criterion.kind == "period_mean_change"
    assert k.criterion.text.startswith("Inspektørkontoret modtager")
    # the records it is computed from: the whole complaints file, 18 rows, one not in a common area
    assert list(k.records) == ["inspector_complaints"] and k.missing_sources == []
    rec = k.records["inspector_complaints"]
    assert len(rec) == 18 and int((rec["common_area"] == True).sum()) == 17  # noqa: E712
    # the series: hand-counted common-area complaints per year
    assert isinstance(k.series, pd.DataFrame) and k.series.index.name == "year"
    assert {y: k.series.at[y, "value"] for y in (2017, 2018, 2019, 2020)} == {2017: 5, 2018: 4, 2019: 3, 2020: 5}
    # the evaluation: target mean <= 0.8 * 5 = 4; mean 2018-2020 = (4 + 3 + 5) / 3 = 4 -> met, Poisson-uncertain
    assert k.evaluation.status == "Opfyldt" and k.evaluation.uncertain
    assert k.evaluation.value == pytest.approx(4.0) and k.evaluation.target == pytest.approx(4.0)
    assert k.status == "Opfyldt (usikkert)" == k.board_evaluation.label
    assert "2018–2020" in k.evaluation.explanation


def test_series_stops_at_the_evaluation_year(tiny_bundle):
    k = he.criterion("TT-2", year=2018, data=tiny_bundle)
    assert k.series.index.max() == 2018
    # mean so far 4; the remaining two years must average (4*3 - 4)/2 = 4; latest 4 <= 4 -> on track
    assert k.status == "På vej (usikkert)"
    assert k.evaluation.remaining_text  # interim years always say what remains


@pytest.mark.parametrize("cid", ["TT-2", "KP-2", "FF-1", "FF-FAM-2", "TT-1"])
def test_same_status_as_the_annual_table(tiny_bundle, cid):
    # the API gathers what the run computes: the board's status and texts are identical
    res = evaluate_year(2019, tiny_bundle)
    k = he.criterion(cid, year=2019, data=tiny_bundle)
    board = res.board_evaluation(cid)
    assert (k.board_evaluation.label, k.board_evaluation.explanation, k.board_evaluation.remaining_text) == (
        board.label, board.explanation, board.remaining_text)
    assert k.evaluation.status == res.evaluation(cid).status


def test_chart_is_the_board_chart(tiny_bundle):
    k = he.criterion("TT-2", year=2020, data=tiny_bundle)
    fig = k.chart()
    try:
        ax = fig.axes[0]
        line = next(ln for ln in ax.get_lines() if ln.get_label() == "Høje Gladsaxe")
        assert dict(zip(map(int, line.get_xdata()), map(float, line.get_ydata())))[2019] == 3.0
        assert fig._suptitle.get_text() == "TT-2"
    finally:
        plt.close(fig)
    assert he.criterion("TT-1", year=2020, data=tiny_bundle).chart() is None  # survey waves: no yearly chart


def test_board_evaluation_hides_small_person_counts(tiny_bundle):
    # a share over fewer than min_cell persons gets "Skjult" and no figures for the board; the researcher's
    # series keeps the figures
    k_open = he.criterion("FF-FAM-2", year=2019, data=tiny_bundle, min_cell=1)
    k_hidden = he.criterion("FF-FAM-2", year=2019, data=tiny_bundle, min_cell=10_000)
    # tiny fixture, parents' own ORS: 2019 has one analysable parent, reliably improved: 1/1 = 100 %
    assert k_open.status == "Opfyldt (usikkert)" and k_open.board_evaluation.value_text == "100,0\u00a0%"
    assert k_hidden.status == "Skjult: færre end 10000 personer"
    assert k_hidden.board_series["value"].isna().all() and k_hidden.board_series["hidden"].any()
    pd.testing.assert_frame_equal(k_hidden.series, k_open.series)
    assert (k_hidden.series.at[2019, "numerator"], k_hidden.series.at[2019, "denominator"]) == (1, 1)


def test_missing_source_is_named(tmp_path):
    (tmp_path / "manifest.yml").write_text("synthetic: true\n", encoding="utf-8")
    (tmp_path / "infohuset_cases.csv").write_text((TINY / "infohuset_cases.csv").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    k = he.criterion("TT-2", year=2020, data=tmp_path)
    assert k.records == {} and k.missing_sources == ["inspector_complaints"]
    assert k.status == "Afventer data"


def test_argument_problems_all_at_once_in_danish():
    with pytest.raises(he.CriterionArgumentError) as exc:
        he.criterion("TT-99", year=2031, data="ingen/saadan/mappe", min_cell=0)
    msg = str(exc.value)
    assert "kriteriet 'TT-99' findes ikke" in msg and "TT-2" in msg
    assert "året 2031" in msg and "2017-2020" in msg
    assert "min_cell" in msg and "datamappen ingen/saadan/mappe findes ikke" in msg


def test_import_is_light():
    code = ("import sys, helhedsplan_eval as he; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'numpy', 'helhedsplan_eval.api') if m in sys.modules)); "
            "print(callable(he.criterion))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "True"
    with pytest.raises(AttributeError):
        he.no_such_thing  # noqa: B018


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Using the package from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README section 'Using the package from Python' needs a ```python block"
    return blocks[0]


def test_readme_example_runs_verbatim(tmp_path):
    # run from another folder: data="data/sample" resolves against the project root
    (tmp_path / "example.py").write_text(_readme_example(), encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Opfyldt" in proc.stdout and "Inspektørkontoret" in proc.stdout
    assert (tmp_path / "TT-2.png").stat().st_size > 1000


def test_area_notebook_ends_with_gaa_videre_through_the_api():
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "indsatsomraade.ipynb", as_version=4)  # run once per area of the plan
    heads = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Gå videre")]
    assert len(heads) == 1, "one 'Gå videre' section"
    tail = nb.cells[heads[0]:]
    assert all("remove-cell" in c.metadata.get("tags", []) for c in tail), "raw records stay off the board page"
    code = "\n".join(c.source for c in tail if c.cell_type == "code")
    assert "he.criterion(r.example_id(), year=evaluation_year, data=data_path, min_cell=min_cell)" in code, \
        "the section calls the researcher API with the notebook's parameters"
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.report.board.area import example_criterion

    cat = load_catalogue()
    examples = [example_criterion(cat.by_area(a)) for a in cat.areas]  # each area's own, with yearly figures
    assert [cat.criteria[e].area for e in examples] == list(cat.areas)
    assert examples == ["TT-2", "KP-1", "FF-1"]  # TT-1 is the survey comparison, so TT-2
    for shown in ("k.records", "k.series", "k.evaluation.label", "k.evaluation.explanation",
                  "k.evaluation.remaining_text", "k.chart()"):
        assert shown in code


def test_notebooks_and_the_api_check_their_arguments_alike(tmp_path):
    """One check (paths.argument_problems) behind report.board.check_parameters and helhedsplan_eval.criterion."""
    import pytest

    import helhedsplan_eval as he
    from helhedsplan_eval.report import board

    with pytest.raises(board.ParameterError) as nb:
        board.check_parameters("2020", str(tmp_path / "nope"), 0)
    with pytest.raises(he.CriterionArgumentError) as api:
        he.criterion("TT-2", year="2020", data=str(tmp_path / "nope"), min_cell=0)
    for msg, year_name in ((str(nb.value), "evaluation_year"), (str(api.value), "year")):
        assert f"{year_name} skal være et helt tal (et af planens år), ikke '2020'" in msg
        assert "min_cell skal være et helt tal ≥ 1, ikke 0" in msg
        assert "datamappen " in msg and "nope findes ikke" in msg
    with pytest.raises(board.ParameterError, match="året 2031 ligger uden for helhedsplanens år; gyldige år er 2017-2020"):
        board.check_parameters(2031, str(tmp_path), 5)
    assert board.check_parameters(2019, str(tmp_path), 5) == tmp_path.resolve()
    assert (board.FIRST_PLAN_YEAR, board.LAST_PLAN_YEAR) == (2017, 2020)  # from params/plan.yml
