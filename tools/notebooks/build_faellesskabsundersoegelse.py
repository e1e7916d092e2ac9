"""Build ``notebooks/faellesskabsundersoegelse.ipynb`` (Fællesskabsundersøgelsen 2017/2020).

Run from the project root::

    /work/venv/bin/python tools/notebooks/build_faellesskabsundersoegelse.py

The notebook is thin: it loads the data, calls :mod:`helhedsplan_eval.survey` and displays the
results. It defines no functions; every number it shows is computed (and tested) in the package.
Cell ids are fixed so that rebuilding gives an identical file.
"""

from __future__ import annotations

from pathlib import Path

import sys

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbbuild import make_notebook, write  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "notebooks" / "faellesskabsundersoegelse.ipynb"

PARAMETERS = '''evaluation_year: int = 2020  # evaluationsår
data_dir: str = "../data/sample"  # datamappe
min_cell: int = 5  # mindste viste antal personer (diskretionering)'''

CELLS = [
    ("md", "title", """# Fællesskabsundersøgelsen 2017 og 2020

**Succeskriterium (Tryghed og trivsel):** *Det lokale fællesskab opleves som stærkere ved helhedsplanens
afslutning end ved opstart.* Datakilde: 3Bs fællesskabs- og medborgerskabsundersøgelse 2017 og 2020."""),
    ("code", "parameters", PARAMETERS),
    ("code", "check", """from helhedsplan_eval.report import check_parameters, data_banner

check_parameters(evaluation_year, data_dir, min_cell)
data_banner(data_dir)"""),
    ("code", "load", """import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from helhedsplan_eval import survey
from helhedsplan_eval.contract import load_bundle

bundle = load_bundle(data_dir)
an = survey.analyse(bundle, evaluation_year=evaluation_year)"""),
    ("md", "h-result", "## Hovedresultat"),
    ("code", "headline", """display(Markdown("**" + survey.headline(an, min_cell) + "**"))"""),
    ("code", "status", """from helhedsplan_eval.report import criterion_status

criterion_status("TT-1", evaluation_year, data_dir)"""),
    ("code", "summary", """survey.summary_table(an, min_cell).style.set_uuid("faelles-resultat")"""),
    ("code", "decision", """display(Markdown(survey.decision_text(an)))"""),
    ("md", "h-likert", """## Svarene på de enkelte udsagn

Figuren viser, hvordan svarpersonerne fordeler sig fra *helt uenig* (rød, til venstre) til *helt enig*
(blå, til højre); *hverken enig eller uenig* er delt om midterlinjen. Andelen, der svarede *ved ikke*,
vises som en grå bjælke til højre. Tallene er vægtet."""),
    ("code", "likert", """fig = survey.plot_likert(an, min_cell)
plt.show()"""),
    ("code", "items", """survey.item_table(an, min_cell).style.set_uuid("faelles-udsagn")"""),
    ("md", "h-diff", """## Forskelle fra 2017 til 2020

Prikkerne viser fællesskabsindekset og andelen, der er enige i hvert udsagn, med
95 %-sikkerhedsinterval. Overlappende intervaller betyder ikke i sig selv, at der ingen forskel er;
se tabellen ovenfor for forskellen og dens interval."""),
    ("code", "diffplot", """fig = survey.plot_differences(an, min_cell)
plt.show()"""),
    ("md", "h-robust", """## Robusthed

Hovedresultatet holdes op mod uvægtede tal, mod 2020-svar vægtet til beboersammensætningen i 2017
(ændrer resultatet sig, skyldes en del af forskellen, at beboersammensætningen har ændret sig), og mod
en rangtest, der kun bruger svarenes rækkefølge."""),
    ("code", "robust", """survey.robustness_table(an).style.set_uuid("faelles-robusthed")"""),
    ("md", "h-dept", """## Afdelinger (kun beskrivende)

Tallene for de enkelte afdelinger er ikke en del af succeskriteriet og vises kun, hvor der er nok svar."""),
    ("code", "dept", """survey.department_table(an, min_cell).style.set_uuid("faelles-afdelinger")"""),
    ("md", "h-methods", "## Metode"),
    ("code", "methods", """survey.methods_table(an, min_cell).style.set_uuid("faelles-metode")"""),
    ("code", "methods-text", """display(Markdown(survey.methods_text(an, min_cell)))"""),
    ("md", "h-margins", """### Vægtningsmargener

Andel af beboerne (18 år og derover) og af svarpersonerne før og efter vægtning."""),
    ("code", "margins", """survey.margins_table(an, min_cell).style.set_uuid("faelles-margener").hide(axis="index")"""),
    ("md", "h-caveats", "## Forbehold"),
    ("code", "caveats", """display(Markdown(survey.CAVEATS))"""),
]


def build() -> nbformat.NotebookNode:
    return make_notebook((kind, f"faelles-{cid}", src, ["parameters"] if cid == "parameters" else None)
                         for kind, cid, src in CELLS)


def main() -> Path:
    return write(build(), OUT)


if __name__ == "__main__":
    print(main())
