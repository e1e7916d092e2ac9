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
# # Udvikling siden sidste år
#
# Hvad har ændret sig siden sidste års rapport: kriterier med ny status, tal for tidligere år, der er rettet
# efter sene registreringer, og nye bemærkninger om datakvaliteten.

# %% tags=["parameters"]
evaluation_year: int = 2020  # evalueringsår
data_dir: str = "../data/sample"  # datamappe
min_cell: int = 5  # mindste viste antal personer (diskretionering)
plan_dir: str = "params"  # planmappen (plan.yml, criteria.yml), relativ til projektmappen
history_dir: str = "../outputs/historik"  # mappen med tidligere års gemte rapporter

# %%
from helhedsplan_eval.report import board as report
from helhedsplan_eval.report.history import ChangePage

data_path = report.check_parameters(evaluation_year, data_dir, min_cell, plan_dir)
report.data_banner(data_path)

# %%
ChangePage(evaluation_year, data_path, history_dir, min_cell).show()
