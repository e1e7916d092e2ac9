"""Generate the overview and the three intervention-area notebooks (thin shells over the package).

Run from the project root: ``python tools/notebooks/build_core_notebooks.py``. The notebooks are committed
without outputs; every number they show comes from ``helhedsplan_eval.report``.
"""

from pathlib import Path

import sys

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbbuild import NOTEBOOKS, make_notebook, write  # noqa: E402

PARAMS = """evaluation_year: int = 2020  # evaluationsår
data_dir: str = "../data/sample"  # datamappe
min_cell: int = 5  # mindste viste antal personer (diskretionering)"""
CHECK = """from helhedsplan_eval import report
from helhedsplan_eval.report import STATUS_GUIDE
from IPython.display import Markdown

data_path = report.check_parameters(evaluation_year, data_dir, min_cell)
report.data_banner(data_path)"""


def _nb(cells):
    return make_notebook((kind, f"cell-{i:02d}", src, tags) for i, (kind, src, tags) in enumerate(cells))


def area(area_id: str, title: str, intro: str):
    return _nb([
        ("md", f"# {title}\n\n{intro}", None),
        ("code", PARAMS, ["parameters"]),
        ("code", CHECK, None),
        ("code", f'r = report.AreaReport("{area_id}", evaluation_year, data_path, min_cell)\n'
                 'Markdown(f"Evalueringsår: **{evaluation_year}**")', None),
        ("code", "r.header()", None),
        ("md", "## Status for indsatsområdets succeskriterier", None),
        ("code", "r.summary()", None),
        ("code", "Markdown(STATUS_GUIDE)", None),
        ("md", "## Succeskriterierne ét for ét\n\nFor hvert kriterium: aftalens tekst, datakilden, tallene år for år, "
               "målet og målstien, status med forklaring og den indsats, der resterer. Figurerne viser Høje Gladsaxe "
               "mod sammenligningsgrundlaget og målstien frem til 2020; den prikkede lodrette linje markerer "
               "evalueringsåret.", None),
        ("code", "r.show_criteria()", None),
        ("md", "## Aktiviteter i tal", None),
        ("code", "r.activities()", None),
        ("md", "## Datakvalitet og aftalens uklarheder", None),
        ("code", "r.quality()", None),
        ("code", "report.provenance(data_path, evaluation_year=evaluation_year, min_cell=min_cell)", None),
    ])


def overview():
    return _nb([
        ("md", "# Bestyrelsesoversigt\n\nHelhedsplan Høje Gladsaxe 2017-2020: hvor står hvert af aftalens "
               "succeskriterier?", None),
        ("code", PARAMS, ["parameters"]),
        ("code", CHECK, None),
        ("code", "o = report.Overview(evaluation_year, data_path, min_cell)\no.headline()", None),
        ("code", "Markdown(STATUS_GUIDE)", None),
        ("md", "## Status pr. indsatsområde", None),
        ("code", "o.counts()", None),
        ("md", "## Alle succeskriterier", None),
        ("code", "o.criteria()", None),
        ("md", "## Budget pr. indsatsområde og finansieringskilde", None),
        ("code", "o.budget()", None),
        ("md", "## Landsbyggefondens registermålinger\n\nAftalens afsnit 4: bestyrelsen følger de centralt "
               "genererede målinger, også dem, der ikke indgår i et succeskriterium.", None),
        ("code", "o.registers()", None),
        ("md", "## Årets datakvalitet", None),
        ("code", "o.quality()", None),
        ("code", "report.provenance(data_path, evaluation_year=evaluation_year, min_cell=min_cell)", None),
    ])


def main():
    nbdir = NOTEBOOKS
    books = {
        "oversigt": overview(),
        "tryghed_og_trivsel": area("tryghed_og_trivsel", "Tryghed og trivsel",
                                   "Indsatsområde 5.1 i den strategiske samarbejdsaftale."),
        "kriminalpraeventiv_indsats": area("kriminalpraeventiv_indsats", "Kriminalpræventiv indsats",
                                           "Indsatsområde 5.2 i den strategiske samarbejdsaftale."),
        "forebyggelse_og_foraeldreansvar": area("forebyggelse_og_foraeldreansvar", "Forebyggelse og forældreansvar",
                                                "Indsatsområde 5.4 i den strategiske samarbejdsaftale. (5.3 Uddannelse "
                                                "og beskæftigelse er bevidst ikke valgt.)"),
    }
    for name, nb in books.items():
        print("wrote", write(nb, nbdir / f"{name}.ipynb"))


if __name__ == "__main__":
    main()
