# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tryghed og trivsel
#
# Indsatsområde 5.1 i den strategiske samarbejdsaftale.

# %% tags=["parameters"]
evaluation_year: int = 2020  # evaluationsår
data_dir: str = "../data/sample"  # datamappe
min_cell: int = 5  # mindste viste antal personer (diskretionering)

# %%
from helhedsplan_eval.report import board as report
from helhedsplan_eval.report.board import STATUS_GUIDE
from IPython.display import Markdown

data_path = report.check_parameters(evaluation_year, data_dir, min_cell)
report.data_banner(data_path)

# %%
r = report.AreaReport("tryghed_og_trivsel", evaluation_year, data_path, min_cell)
report.markdown(f"Evalueringsår: **{evaluation_year}**")

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
#
# For hvert kriterium: aftalens tekst, datakilden, tallene år for år, målet og målstien, status med forklaring og den indsats, der resterer. Figurerne viser Høje Gladsaxe mod sammenligningsgrundlaget og målstien frem til 2020; den prikkede lodrette linje markerer evalueringsåret.

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

k = he.criterion("TT-2", year=evaluation_year, data=data_path, min_cell=min_cell)
Markdown(f"**{k.criterion.id}:** {k.criterion.text}")

# %% tags=["remove-cell"]
k.records.get("inspector_complaints")  # kildens rækker (None, hvis kilden ikke er leveret)

# %% tags=["remove-cell"]
k.series  # indikatoren år for år til og med evalueringsåret

# %% tags=["remove-cell"]
Markdown(f"**Status:** {k.evaluation.label}\n\n**Forklaring:** {k.evaluation.explanation}\n\n"
         f"**Resterende indsats:** {k.evaluation.remaining_text or 'ingen'}")

# %% tags=["remove-cell"]
fig = k.chart()  # bestyrelsens figur (None for kriterier uden årlig figur)
