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
# # Bestyrelsesoversigt

# %% tags=["parameters"]
evaluation_year: int = 2020  # evaluationsår
data_dir: str = "../data/sample"  # datamappe
min_cell: int = 5  # mindste viste antal personer (diskretionering)
plan_dir: str = "params"  # planmappen (plan.yml, criteria.yml), relativ til projektmappen

# %%
from helhedsplan_eval.report import board as report
from helhedsplan_eval.report.board import STATUS_GUIDE
from IPython.display import display

data_path = report.check_parameters(evaluation_year, data_dir, min_cell, plan_dir)
display(report.markdown(f"{report.plan_names().title}: hvor står hvert af aftalens succeskriterier?"))
report.data_banner(data_path)

# %%
o = report.Overview(evaluation_year, data_path, min_cell)
o.headline()

# %%
report.markdown(STATUS_GUIDE)

# %% [markdown]
# ## Status pr. indsatsområde

# %%
o.counts()

# %% [markdown]
# ## Alle succeskriterier

# %%
o.criteria()

# %% [markdown]
# ## Budget pr. indsatsområde og finansieringskilde

# %%
o.budget()

# %% [markdown]
# ## Landsbyggefondens registermålinger
#
# Aftalens afsnit 4: bestyrelsen følger de centralt genererede målinger, også dem, der ikke indgår i et succeskriterium.

# %%
o.registers()

# %% [markdown]
# ## Årets datakvalitet

# %%
o.quality()

# %%
report.provenance(data_path, evaluation_year=evaluation_year, min_cell=min_cell)
