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

# %% [markdown] tags=["remove-cell"]
# Et indsatsområde i helhedsplanen. Kørslen kører notesbogen én gang pr. indsatsområde i planens `plan.yml`
# (parameteren `area_id`); uden `area_id` viser den planens første indsatsområde.
# (Cellen vises kun i notesbogen, ikke på bestyrelsens side.)

# %% tags=["parameters"]
evaluation_year: int = 2020  # evaluationsår
data_dir: str = "../data/sample"  # datamappe
min_cell: int = 5  # mindste viste antal personer (diskretionering)
plan_dir: str = "params"  # planmappen (plan.yml, criteria.yml), relativ til projektmappen
area_id: str = ""  # indsatsområdets id i plan.yml (tom: planens første)

# %%
from helhedsplan_eval.catalogue.period import plan_period
from helhedsplan_eval.report import board as report
from helhedsplan_eval.report.board import STATUS_GUIDE
from IPython.display import Markdown, display

data_path = report.check_parameters(evaluation_year, data_dir, min_cell, plan_dir)
r = report.AreaReport(area_id, evaluation_year, data_path, min_cell)
display(r.title())
report.data_banner(data_path)

# %%
report.markdown(f"Evalueringsår: **{plan_period().label(evaluation_year)}**")

# %%
r.header()

# %% [markdown]
# ## Status for indsatsområdets succeskriterier

# %%
r.summary()

# %%
report.markdown(STATUS_GUIDE)

# %% [markdown]
# ## Succeskriterierne ét for ét

# %%
r.criteria_intro()

# %%
r.show_criteria()

# %% [markdown]
# ## Aktiviteter i tal

# %%
r.activities()

# %% [markdown]
# ## Datakvalitet og aftalens uklarheder

# %%
r.quality()

# %%
report.provenance(data_path, evaluation_year=evaluation_year, min_cell=min_cell)

# %% [markdown] tags=["remove-cell"]
# ## Gå videre
#
# Vil du se nærmere på ét succeskriterium, giver `helhedsplan_eval.criterion` det hele, beregnet præcis som
# på siden ovenfor: kriteriet fra kataloget, rækkerne i den datakilde, det er beregnet af, indikatoren år for
# år, vurderingen (status, forklaring og resterende indsats) og figuren. Skift id'et ud med et andet af
# indsatsområdets kriterier. `k.evaluation` har alle tal; `k.board_evaluation` er det, bestyrelsen ser.
# Afsnittet vises kun i notesbogen, ikke på bestyrelsens side (cellerne har tagget `remove-cell`), fordi
# rækkerne er rådata.

# %% tags=["remove-cell"]
import helhedsplan_eval as he

k = he.criterion(r.example_id(), year=evaluation_year, data=data_path, min_cell=min_cell)
Markdown(f"**{k.criterion.id}:** {k.criterion.text}")

# %% tags=["remove-cell"]
next(iter(k.records.values()), None)  # rækkerne i kriteriets første leverede kilde (None: ingen leveret)

# %% tags=["remove-cell"]
k.series  # indikatoren år for år til og med evalueringsåret

# %% tags=["remove-cell"]
Markdown(f"**Status:** {k.evaluation.label}\n\n**Forklaring:** {k.evaluation.explanation}\n\n"
         f"**Resterende indsats:** {k.evaluation.remaining_text or 'ingen'}")

# %% tags=["remove-cell"]
fig = k.chart()  # bestyrelsens figur (None for kriterier uden årlig figur)
