# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Fællesskabsundersøgelsen 2017 og 2020
#
# **Succeskriterium (Tryghed og trivsel):** *Det lokale fællesskab opleves som stærkere ved helhedsplanens
# afslutning end ved opstart.* Datakilde: 3Bs fællesskabs- og medborgerskabsundersøgelse 2017 og 2020.

# %% tags=["parameters"]
evaluation_year: int = 2020  # evaluationsår
data_dir: str = "../data/sample"  # datamappe
min_cell: int = 5  # mindste viste antal personer (diskretionering)
plan_dir: str = "params"  # planmappen (plan.yml, criteria.yml), relativ til projektmappen

# %%
from helhedsplan_eval.report.board import check_parameters, data_banner

check_parameters(evaluation_year, data_dir, min_cell, plan_dir)
data_banner(data_dir)

# %%
from IPython.display import display

from helhedsplan_eval.report import board as report
from helhedsplan_eval.analysis import survey
from helhedsplan_eval.data.contract import load_bundle

bundle = load_bundle(data_dir)
an = survey.analyse(bundle, evaluation_year=evaluation_year)

# %% [markdown]
# ## Hovedresultat

# %%
display(report.html(survey.text_html("**" + survey.headline(an, min_cell) + "**")))
display(report.html(survey.unreliable_html(an)))

# %%
from helhedsplan_eval.report.board import criterion_status

criterion_status("TT-1", evaluation_year, data_dir)

# %%
display(report.html(survey.table_html(survey.summary_table(an, min_cell), "faelles-resultat")))

# %%
display(report.html(survey.text_html(survey.decision_text(an))))

# %% [markdown]
# ## Svarene på de enkelte udsagn
#
# Figuren viser, hvordan svarpersonerne fordeler sig fra *helt uenig* (rød, til venstre) til *helt enig*
# (blå, til højre); *hverken enig eller uenig* er delt om midterlinjen. Andelen, der svarede *ved ikke*,
# vises som en grå bjælke til højre. Tallene er vægtet.

# %%
fig = survey.plot_likert(an, min_cell)
display(report.html(report.figure_html(fig, alt=(
    f"Vægtet svarfordeling fra helt uenig til helt enig for hvert udsagn i fællesskabsundersøgelsen til og med "
    f"{evaluation_year}, med andelen, der svarede ved ikke"))))

# %%
display(report.html(survey.table_html(survey.item_table(an, min_cell), "faelles-udsagn")))

# %% [markdown]
# ## Forskelle fra 2017 til 2020
#
# Prikkerne viser fællesskabsindekset og andelen, der er enige i hvert udsagn, med
# 95 %-sikkerhedsinterval. Overlappende intervaller betyder ikke i sig selv, at der ingen forskel er;
# se tabellen ovenfor for forskellen og dens interval.

# %%
fig = survey.plot_differences(an, min_cell)
display(report.html(report.figure_html(fig, alt=(
    "Fællesskabsindekset og andelen enige i hvert udsagn i 2017 og 2020 med 95 %-sikkerhedsinterval "
    "(kriterium TT-1)"))))

# %% [markdown]
# ## Robusthed
#
# Hovedresultatet holdes op mod uvægtede tal, mod 2020-svar vægtet til beboersammensætningen i 2017
# (ændrer resultatet sig, skyldes en del af forskellen, at beboersammensætningen har ændret sig), mod
# den forsigtige usikkerhed med faste vægte og mod en rangtest, der kun bruger svarenes rækkefølge.

# %%
display(report.html(survey.table_html(survey.robustness_table(an), "faelles-robusthed")))

# %% [markdown]
# ## Afdelinger (kun beskrivende)
#
# Tallene for de enkelte afdelinger er ikke en del af succeskriteriet og vises kun, hvor der er nok svar.

# %%
display(report.html(survey.table_html(survey.department_table(an, min_cell), "faelles-afdelinger")))

# %% [markdown]
# ## Metode

# %%
display(report.html(survey.table_html(survey.methods_table(an, min_cell), "faelles-metode")))

# %%
display(report.html(survey.text_html(survey.methods_text(an, min_cell))))

# %% [markdown]
# ### To mål for usikkerheden
#
# Standardfejlen siger, hvor meget et tal ville svinge, hvis undersøgelsen blev gentaget med andre
# svarpersoner; 95 %-sikkerhedsintervallet er tallet plus/minus cirka to standardfejl. Beslutningsreglen
# bruger standardfejlen, der udnytter, at vægtene passer præcist til befolkningstallene for afdeling,
# alder og køn. Den forsigtige standardfejl med faste vægte vises til sammenligning.

# %%
display(report.html(survey.table_html(survey.uncertainty_table(an, min_cell), "faelles-usikkerhed")))

# %% [markdown]
# ### Vægtningsmargener
#
# Andel af beboerne (18 år og derover) og af svarpersonerne før og efter vægtning. Små grupper er
# lagt sammen med en nabogruppe i begge runder efter regler, der er fastlagt på forhånd.

# %%
display(report.html(survey.table_html(survey.margins_table(an, min_cell), "faelles-margener", index=False)))

# %% [markdown]
# ## Forbehold

# %%
display(report.html(survey.text_html(survey.CAVEATS)))
