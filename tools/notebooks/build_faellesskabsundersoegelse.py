"""Build ``notebooks/faellesskabsundersoegelse.ipynb`` (Fællesskabsundersøgelsen 2017/2020).

Run from the project root::

    python tools/notebooks/build_faellesskabsundersoegelse.py

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
from IPython.display import HTML, display

from helhedsplan_eval import survey
from helhedsplan_eval.contract import load_bundle

bundle = load_bundle(data_dir)
an = survey.analyse(bundle, evaluation_year=evaluation_year)"""),
    ("md", "h-result", "## Hovedresultat"),
    ("code", "headline", """display(HTML(survey.text_html("**" + survey.headline(an, min_cell) + "**")))
display(HTML(survey.unreliable_html(an)))"""),
    ("code", "status", """from helhedsplan_eval.report import criterion_status

criterion_status("TT-1", evaluation_year, data_dir)"""),
    ("code", "summary", """display(HTML(survey.table_html(survey.summary_table(an, min_cell), "faelles-resultat")))"""),
    ("code", "decision", """display(HTML(survey.text_html(survey.decision_text(an))))"""),
    ("md", "h-likert", """## Svarene på de enkelte udsagn

Figuren viser, hvordan svarpersonerne fordeler sig fra *helt uenig* (rød, til venstre) til *helt enig*
(blå, til højre); *hverken enig eller uenig* er delt om midterlinjen. Andelen, der svarede *ved ikke*,
vises som en grå bjælke til højre. Tallene er vægtet."""),
    ("code", "likert", """fig = survey.plot_likert(an, min_cell)
plt.show()"""),
    ("code", "items", """display(HTML(survey.table_html(survey.item_table(an, min_cell), "faelles-udsagn")))"""),
    ("md", "h-diff", """## Forskelle fra 2017 til 2020

Prikkerne viser fællesskabsindekset og andelen, der er enige i hvert udsagn, med
95 %-sikkerhedsinterval. Overlappende intervaller betyder ikke i sig selv, at der ingen forskel er;
se tabellen ovenfor for forskellen og dens interval."""),
    ("code", "diffplot", """fig = survey.plot_differences(an, min_cell)
plt.show()"""),
    ("md", "h-robust", """## Robusthed

Hovedresultatet holdes op mod uvægtede tal, mod 2020-svar vægtet til beboersammensætningen i 2017
(ændrer resultatet sig, skyldes en del af forskellen, at beboersammensætningen har ændret sig), mod
den forsigtige usikkerhed med faste vægte og mod en rangtest, der kun bruger svarenes rækkefølge."""),
    ("code", "robust", """display(HTML(survey.table_html(survey.robustness_table(an), "faelles-robusthed")))"""),
    ("md", "h-dept", """## Afdelinger (kun beskrivende)

Tallene for de enkelte afdelinger er ikke en del af succeskriteriet og vises kun, hvor der er nok svar."""),
    ("code", "dept", """display(HTML(survey.table_html(survey.department_table(an, min_cell), "faelles-afdelinger")))"""),
    ("md", "h-methods", "## Metode"),
    ("code", "methods", """display(HTML(survey.table_html(survey.methods_table(an, min_cell), "faelles-metode")))"""),
    ("code", "methods-text", """display(HTML(survey.text_html(survey.methods_text(an, min_cell))))"""),
    ("md", "h-uncertainty", """### To mål for usikkerheden

Standardfejlen siger, hvor meget et tal ville svinge, hvis undersøgelsen blev gentaget med andre
svarpersoner; 95 %-sikkerhedsintervallet er tallet plus/minus cirka to standardfejl. Beslutningsreglen
bruger standardfejlen, der udnytter, at vægtene passer præcist til befolkningstallene for afdeling,
alder og køn. Den forsigtige standardfejl med faste vægte vises til sammenligning."""),
    ("code", "uncertainty", """display(HTML(survey.table_html(survey.uncertainty_table(an, min_cell), "faelles-usikkerhed")))"""),
    ("md", "h-margins", """### Vægtningsmargener

Andel af beboerne (18 år og derover) og af svarpersonerne før og efter vægtning. Små grupper er
lagt sammen med en nabogruppe i begge runder efter regler, der er fastlagt på forhånd."""),
    ("code", "margins", """display(HTML(survey.table_html(survey.margins_table(an, min_cell), "faelles-margener", index=False)))"""),
    ("md", "h-caveats", "## Forbehold"),
    ("code", "caveats", """display(HTML(survey.text_html(survey.CAVEATS)))"""),
]


def build() -> nbformat.NotebookNode:
    return make_notebook((kind, f"faelles-{cid}", src, ["parameters"] if cid == "parameters" else None)
                         for kind, cid, src in CELLS)


def main() -> Path:
    return write(build(), OUT)


if __name__ == "__main__":
    print(main())
