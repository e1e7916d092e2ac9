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
# # Trivselsmålinger i familiekurserne (FIT)
#
# Denne side viser, hvordan det går med de tre succeskriterier for familiekurserne, der måles med
# FIT-skemaer: forældrenes egen trivsel, forældrenes vurdering af barnets trivsel og de henvisende
# samarbejdspartneres vurdering af barnets trivsel. Når en anden end barnet selv vurderer barnets
# trivsel på skemaet, kaldes det i aftalen og på engelsk en *collateral score*.

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
import matplotlib.pyplot as plt
import seaborn as sns
from IPython.display import display

from helhedsplan_eval.analysis import fit
from helhedsplan_eval.report import board as report
from helhedsplan_eval.data.contract import load_bundle

sns.set_theme(style="whitegrid", context="notebook")
bundle = load_bundle(data_dir)
tables = fit.board_tables(bundle, evaluation_year, min_cell)
charts = fit.chart_data(bundle, evaluation_year, min_cell)
fd = fit.from_bundle(bundle)
report.markdown(fit.data_note(bundle, evaluation_year, min_cell))

# %% [markdown]
# ## Hvad er FIT?
#
# Feedback Informed Treatment (FIT) er et dialog- og effektmålingsredskab. Ved samtalerne markerer
# forælderen på fire linjer fra 0 til 10, hvordan det går (personligt, i familien, socialt og
# generelt); summen giver en score fra 0 til 40, hvor højere er bedre. Skemaet hedder ORS (for
# børn CORS). Den første og den seneste måling i et forløb sammenlignes. Samme skema bruges, når
# forælderen eller den henvisende fagperson vurderer barnets trivsel. Efter sessionerne vurderer
# forælderen også samarbejdet på et andet skema (SRS), som her kun vises som procesoplysning.

# %% [markdown]
# ## Succeskriterierne og deres status
#
# Aftalen siger, at 65 % skal *opleve øget trivsel*. Det kan læses på flere måder, og de vises alle:
#
# * **Pålidelig forbedring** (bruges til status): den seneste score er mindst 5 point højere end
#   den første. Fem point er den grænse, FIT-metoden bruger for en ændring, der er større end
#   skemaets måleusikkerhed, og målet på 65 % svarer til det niveau, FIT-studier rapporterer for
#   pålidelig forbedring.
# * **Bogstavelig læsning**: den seneste score er blot højere end den første. Her tæller også
#   små udsving, som kan skyldes tilfældigheder, så andelen bliver højere.
# * **Pålidelig forbedring blandt dem, der startede under den kliniske grænse**: kun de
#   forældre (eller børn), hvis trivsel ved start lå under den grænse, hvor trivslen svarer til
#   almindeligt niveau. Den, der allerede trives ved start, har mindre plads til at forbedre sig;
#   linjen viser, hvor meget resultatet afhænger af, hvem der deltog. Den bruges ikke til status.
#
# **Læsningen kan afgøre status.** Hvis andelen ligger mellem de tre læsninger og målet på 65 %,
# giver de forskellig status. Tabellen viser derfor status efter hver læsning, og teksten under
# den siger for hvert kriterium, om læsningen gør en forskel.
#
# Andelen er regnet af de personer, aftalen taler om: forældrene (de to første kriterier) og de
# henvisende samarbejdspartnere (det tredje). Har en forælder eller en henviser vurderet flere
# børn, tæller personen én gang med den gennemsnitlige ændring; vurderer to forældre samme barn,
# tæller de hver for sig. Et forløb tæller med i det år, hvor den seneste måling er foretaget,
# også når det begyndte året før. Forløb med kun én måling kan ikke vise en udvikling og indgår
# ikke i andelen, men vises som frafald nedenfor.

# %%
status = fit.status_table(bundle, evaluation_year, min_cell)
display(report.table(status.drop(columns=["Læsning brugt til status", "Forklaring"]), "fit-status", "FIT-kriterierne og deres status efter de tre læsninger"))
display(report.markdown(fit.reading_sensitivity_text(status)))
report.markdown("\n".join(f"- **{cid}:** {text}" for cid, text in status["Forklaring"].items()))

# %%
report.table(tables["readings"], "fit-readings", "Andelene efter de tre læsninger pr. kriterium") if tables else report.markdown("FIT-data er ikke leveret.")

# %% [markdown]
# Figuren viser andelene efter de tre læsninger med 95 %-sikkerhedsinterval og målet på 65 %.
# Andele over færre end 5 personer vises ikke.

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), sharey=True)
for ax, stream in zip(axes, fit.STREAMS):
    fit.plot_shares(charts["shares"], stream, ax=ax, empty_text=charts["empty_share_text"][stream])
plt.tight_layout()
display(report.html(report.figure_html(fig, alt=(
    f"Andel med pålideligt forbedret trivsel pr. år til og med {evaluation_year} efter tre læsninger, "
    "med 95 %-sikkerhedsinterval og målet på 65 % (FF-FAM-2 forældrenes egen trivsel, FF-FAM-3 barnets "
    "trivsel vurderet af forældrene, FF-FAM-4 barnets trivsel vurderet af henviserne)"))))

# %% [markdown]
# ## Specialgruppen og kriteriet om henviseres vurdering
#
# Henvisende samarbejdspartnere vurderer kun barnets trivsel for familier i specialgruppen, og
# kriteriet gælder kun 2018 og 2019 samlet. Et forløb, der begynder i 2017 og slutter i 2018, tæller
# med i 2018; et forløb, der slutter i 2020, tæller ikke med. Ifølge aftalen vurderes ved udgangen
# af 2017 ud fra specialgruppens omfang, om kriteriet er relevant.

# %%
display(report.markdown(fit.collateral_applicability(fd, evaluation_year, min_cell)))
report.table(tables["participation"], "fit-participation", "Specialgruppens deltagelse pr. år") if tables else None

# %% [markdown]
# ## Første og seneste måling
#
# Figuren viser den gennemsnitlige første og seneste score for hver målgruppe og hvert år.
# Gennemsnit over færre end 5 forløb vises ikke.

# %%
fig, ax = plt.subplots(figsize=(8, 0.55 * max(len(charts["intake_last"]), 3) + 1.5))
fit.plot_intake_last(charts["intake_last"], ax=ax, empty_text="For få forløb til at vise gennemsnit")
plt.tight_layout()
display(report.html(report.figure_html(fig, alt=(
    f"Gennemsnitlig første og seneste trivselsscore (0–40 point) pr. målgruppe og år til og med {evaluation_year}"))))

# %% [markdown]
# ## Hvor meget ændrer scoren sig?
#
# Fordelingen af ændringen fra første til seneste måling for alle år til og med evaluationsåret.
# Det grå bånd er ændringer under 5 point, som ikke regnes for en pålidelig ændring. Skraverede
# søjler dækker over færre end 5 forløb (eller er skjult, så et lille tal ikke kan regnes ud); de
# tegnes i samme højde uanset det rigtige antal.

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), sharey=True)
for ax, stream in zip(axes, fit.STREAMS):
    fit.plot_change_distribution(charts["change_hist"], stream, charts["threshold"], min_cell, ax=ax,
                                 empty_text=charts["empty_text"][stream])
plt.tight_layout()
display(report.html(report.figure_html(fig, alt=(
    "Fordeling af ændringen i trivselsscore fra første til seneste måling pr. målgruppe, alle år til og med "
    f"{evaluation_year}; ændringer under 5 point regnes ikke for pålidelige"))))

# %% [markdown]
# ## Nøgletal pr. målgruppe
#
# Tabellerne viser deltagelse, frafald, gennemsnit, ændring og de tre læsninger af kriteriet.
# Effektstørrelserne måler ændringen i forhold til, hvor forskellige deltagerne er: den første
# deler ændringen med spredningen ved start, den anden med spredningen af ændringerne (den bliver
# større, når alle ændrer sig nogenlunde ens). Grænsen "beregnet ud fra data" er den grænse for
# en pålidelig ændring, som Jacobson og Truax' metode giver ud fra spredningen ved start og
# skemaets pålidelighed (Cronbachs alfa, et mål for, hvor godt skemaets fire spørgsmål hænger
# sammen); den vises ved siden af den faste grænse på 5 point.

# %% [markdown]
# ### Forældrenes egen trivsel (FF-FAM-2)

# %%
report.table(tables["stream_A"], "fit-stream-a", "Forældrenes egen trivsel: nøgletal pr. år") if tables else report.markdown("FIT-data er ikke leveret.")

# %%
report.table(tables["categories_A"], "fit-categories-a", "Forældrenes egen trivsel: udviklingen i forløbene") if tables else None

# %% [markdown]
# ### Forældrenes vurdering af barnets trivsel (FF-FAM-3)

# %%
report.table(tables["stream_B"], "fit-stream-b", "Forældrenes vurdering af barnets trivsel: nøgletal pr. år") if tables else report.markdown("FIT-data er ikke leveret.")

# %%
report.table(tables["categories_B"], "fit-categories-b", "Forældrenes vurdering af barnets trivsel: udviklingen i forløbene") if tables else None

# %% [markdown]
# ### Henviseres vurdering af barnets trivsel (FF-FAM-4, specialgruppen)

# %%
(report.markdown("Ikke aktuel endnu: kriteriet gælder 2018 og 2019.") if evaluation_year < 2018
 else report.table(tables["stream_C"], "fit-stream-c", "Henviseres vurdering af barnets trivsel: nøgletal") if tables else report.markdown("FIT-data er ikke leveret."))

# %%
(None if evaluation_year < 2018 or not tables
 else report.table(tables["categories_C"], "fit-categories-c", "Henviseres vurdering af barnets trivsel: udviklingen i forløbene"))

# %% [markdown]
# Inddelingen af forløbene følger Jacobson og Truax: et forløb kan være pålideligt forbedret og
# kommet over den kliniske grænse, pålideligt forbedret uden at krydse grænsen, uden pålidelig
# ændring eller pålideligt forværret. Den kliniske grænse (på engelsk *cut-off*) er den score, hvor
# trivslen svarer til almindeligt, ikke-behandlingskrævende niveau: 25 for voksne, 28 for unge
# 13–17 år og 32 for børn. Der findes ingen valideret grænse for børn under 6 år; her bruges
# børnegrænsen 32. Den, der starter over grænsen, kan forbedre sig, men ikke krydse den.

# %% [markdown]
# ## Samarbejdet ved sessionerne (SRS)
#
# SRS er forælderens vurdering af samarbejdet efter en session (0–40). En score under 36 er et
# signal om, at samarbejdet bør drøftes. Tallene er procesoplysninger og indgår ikke i
# succeskriterierne.

# %%
report.table(tables["srs"], "fit-srs", "Samarbejdet ved sessionerne (SRS) pr. år") if tables else report.markdown("FIT-data er ikke leveret.")

# %% [markdown]
# ## Om tallene
#
# * Kun samlede tal vises. Antal under 5 vises som "<5", og andele over færre end 5 personer samt
#   gennemsnit og effektstørrelser over færre end 5 forløb vises hverken i tabeller eller figurer
#   ("–"). Hvor et lille tal ellers kan regnes ud fra andre tal på siden, er flere felter skjult
#   ("skjult").
# * "I alt" lægger årene sammen; en forælder med forløb i to år tæller i begge år.
# * Et skema med et manglende spørgsmål og ingen samlet score tælles ikke med; et manglende svar
#   regnes aldrig som 0. Skemaer fra samme dag ordnes efter deres løbenummer.
# * Gladsaxe Familie- og Ungecenter indsamler og bearbejder FIT-data; data er pseudonymiserede.
