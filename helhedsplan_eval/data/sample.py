"""The synthetic sample data set (``data/sample/``), deterministic from a seed.

Everything here is **synthetic** except the figures the agreement itself states (e.g. DUBU
12,0 % vs 5,0 %, dental no-shows 30,4 vs 18 per 100, feeling safe 68,4 % vs 78,3 % in 2014 and
71,2 % vs 86,2 % in 2015, 6 cases of concern in 2016, income over 200.000 kr. 53,2 %). It is
sized like Høje Gladsaxe (about 4.100 residents in five housing departments) and built so the
2017-2020 statuses are a realistic mix (met, on track, off track, awaiting data: the police ran
no safety survey in 2020).

Regenerate with ``helhedsplan-eval sample data/sample``; a test checks that this reproduces the
committed files byte for byte. This module writes the folder (:func:`generate`) and makes the register, inspector,
assessment and budget tables; the logbook (:mod:`.sample_logbook`), the youth and outreach activities
(:mod:`.sample_youth`), the FIT forms (:mod:`.sample_fit`) and the community survey (:mod:`.sample_survey`) have
their own generators, built from :mod:`.sample_base`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helhedsplan_eval.data.sample_base import SEED, YEARS, _Ids, _rng, _spread_dates
from helhedsplan_eval.data.sample_logbook import make_bydelsmoedre_visits, make_logbook
from helhedsplan_eval.data.sample_youth import make_skur2, make_youth


def make_inspector(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = _rng(seed, 3)
    rows = []
    cid = _Ids("K", 5)
    for y, n in ((2016, 66), (2017, 60), (2018, 52), (2019, 45), (2020, 44)):
        for d in _spread_dates(rng, y, n):
            rows.append(dict(complaint_id=cid.new(), date=d.isoformat(),
                             category=str(rng.choice(["upassende", "utryghedsskabende"], p=[0.6, 0.4])),
                             common_area="ja"))
        # complaints about other places (flats, parking) are registered but do not count
        for d in _spread_dates(rng, y, int(rng.integers(5, 12))):
            rows.append(dict(complaint_id=cid.new(), date=d.isoformat(), category="upassende", common_area="nej"))
    complaints = pd.DataFrame(rows).sort_values(["date", "complaint_id"]).reset_index(drop=True)
    bills = []
    bid = _Ids("R", 5)
    for y, total in ((2016, 51000), (2017, 48000), (2018, 45000), (2019, 44000), (2020, 46500)):
        n = int(rng.integers(14, 22))
        w = rng.dirichlet(np.ones(n))
        amounts = np.round(w * total, 2)
        amounts[-1] = round(total - amounts[:-1].sum(), 2)
        for d, a in zip(_spread_dates(rng, y, n), amounts):
            bills.append(dict(bill_id=bid.new(), date=d.isoformat(), amount_dkk=f"{a:.2f}"))
    return {"inspector_complaints": complaints,
            "vandalism_bills": pd.DataFrame(bills).sort_values(["date", "bill_id"]).reset_index(drop=True)}


def _shares(rows, measure, area, kommune, den_area, den_kommune, keys=("year", "measure", "population"),
            value_col="value_pct"):
    for y in sorted(area):
        for pop, val, den in (("område", area[y], den_area), ("kommune", kommune[y], den_kommune)):
            num = int(round(val * den / 100))
            r = {"year": y, "measure": measure, "population": pop, "numerator": num, "denominator": den,
                 value_col: f"{val:.1f}"}
            rows.append({k: r[k] for k in (*keys, "numerator", "denominator", value_col)})


def _police_and_bkf() -> tuple[list[dict], list[dict]]:
    """The police safety index and the BKF measures (area vs comparison population)."""
    # police safety index: stated 2014 and 2015; no survey in 2020
    pol = []
    safe = {2014: (68.4, 78.3), 2015: (71.2, 86.2), 2016: (73.0, 85.9), 2017: (77.0, 85.0), 2018: (78.6, 85.3),
            2019: (79.9, 86.1)}
    for y, (a, k) in safe.items():
        pol.append(dict(year=y, population="område", share_safe_pct=f"{a:.1f}", respondents=290 + (y % 7) * 4))
        pol.append(dict(year=y, population="politikreds", share_safe_pct=f"{k:.1f}", respondents=3900 + (y % 5) * 60))
    # BKF: stated DUBU 12,0 vs 5,0 and dental 30,4 vs 18 (school year 2013/14)
    bkf = []
    dubu_a = {2014: 12.3, 2015: 12.2, 2016: 12.0, 2017: 11.3, 2018: 10.2, 2019: 9.2, 2020: 8.4}
    dubu_k = {2014: 5.1, 2015: 5.0, 2016: 5.0, 2017: 5.0, 2018: 5.0, 2019: 5.0, 2020: 5.0}
    for y in sorted(dubu_a):
        for pop, val, den in (("område", dubu_a[y], 1100), ("kommune", dubu_k[y], 15200)):
            bkf.append(dict(year=y, measure="dubu", population=pop, numerator=int(round(val * den / 100)),
                            denominator=den, value=f"{val:.1f}"))
    tand_a = {2014: 30.4, 2015: 29.0, 2016: 28.1, 2017: 27.0, 2018: 26.5, 2019: 26.9, 2020: 25.8}
    tand_k = {2014: 18.0, 2015: 17.8, 2016: 17.5, 2017: 17.6, 2018: 17.4, 2019: 17.7, 2020: 17.2}
    for y in sorted(tand_a):
        for pop, val, den in (("område", tand_a[y], 820), ("kommune", tand_k[y], 11800)):
            bkf.append(dict(year=y, measure="tandpleje", population=pop, numerator=int(round(val * den / 100)),
                            denominator=den, value=f"{val:.1f}"))
    return pol, bkf


def make_registers() -> dict[str, pd.DataFrame]:
    rows: list[dict] = []
    yrs = range(2014, 2021)
    # stated by the agreement: 2,8 % in 2015 (area), ~1 % municipality; the rest synthetic
    _shares(rows, "sigtede_10_17", dict(zip(yrs, (2.6, 2.8, 2.5, 2.3, 2.1, 1.9, 2.0))),
            dict(zip(yrs, (1.0, 1.0, 0.9, 1.0, 0.9, 1.0, 0.9))), 460, 6200)
    # stated: 53,2 % (area); municipality 63,4 (10,2 points higher); 2016 gap 10,5 as in the criterion
    _shares(rows, "indkomst_over_200k", dict(zip(yrs, (52.8, 53.2, 53.6, 54.5, 55.6, 56.9, 58.7))),
            dict(zip(yrs, (63.0, 63.4, 64.1, 64.3, 64.6, 64.9, 65.1))), 3100, 54000)
    _shares(rows, "grundskole_15_64", dict(zip(yrs, (27.0, 26.0, 25.6, 25.1, 24.4, 24.0, 23.5))),
            dict(zip(yrs, (14.2, 14.0, 13.8, 13.6, 13.5, 13.2, 13.0))), 2700, 46000)
    _shares(rows, "grundskole_18_29", dict(zip(yrs, (24.0, 23.0, 22.4, 21.5, 21.0, 20.1, 19.6))),
            dict(zip(yrs, (14.1, 14.0, 13.9, 13.7, 13.4, 13.3, 13.1))), 700, 11500)
    _shares(rows, "videregaaende_18_29", dict(zip(yrs, (18.2, 19.0, 19.1, 19.8, 20.3, 20.5, 21.2))),
            dict(zip(yrs, (20.4, 20.0, 20.2, 20.5, 20.9, 21.1, 21.6))), 700, 11500)
    _shares(rows, "uddannelse_15_17", dict(zip(yrs, (92.5, 93.0, 93.4, 92.8, 93.6, 94.0, 93.1))),
            dict(zip(yrs, (94.1, 94.0, 94.2, 94.3, 94.0, 94.4, 94.2))), 180, 2900)
    _shares(rows, "boern_enlige", dict(zip(yrs, (30.8, 30.4, 30.0, 29.6, 29.1, 28.8, 28.9))),
            dict(zip(yrs, (20.3, 20.1, 20.0, 19.9, 19.8, 19.6, 19.7))), 1050, 15000)
    _shares(rows, "foertidspension", dict(zip(yrs, (1.0, 1.0, 1.0, 1.1, 1.0, 0.9, 0.9))),
            dict(zip(yrs, (0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4))), 3100, 54000)
    reg = pd.DataFrame(rows)
    # the register measure for 18-29-year-olds on public support comes from the ledelsescockpit
    ps_rows: list[dict] = []
    ps_area = {2016: 10.8, 2017: 10.2, 2018: 9.9, 2019: 9.5, 2020: 11.4}
    ps_kom = {2016: 7.3, 2017: 7.1, 2018: 7.0, 2019: 6.9, 2020: 8.9}
    for y in sorted(ps_area):
        for pop, val, den in (("område", ps_area[y], 700), ("kommune", ps_kom[y], 11500)):
            ps_rows.append(dict(year=y, population=pop, numerator=int(round(val * den / 100)), denominator=den,
                                value_pct=f"{val:.1f}"))
    for y in sorted(ps_area):
        for pop, val, den in (("område", ps_area[y], 700), ("kommune", ps_kom[y], 11500)):
            rows.append(dict(year=y, measure="unge_offentlig_forsoergelse", population=pop,
                             numerator=int(round(val * den / 100)), denominator=den, value_pct=f"{val:.1f}"))
    reg = pd.DataFrame(rows).sort_values(["measure", "year", "population"]).reset_index(drop=True)
    pol, bkf = _police_and_bkf()
    return {"register_measures": reg, "police_safety": pd.DataFrame(pol), "bkf_measures": pd.DataFrame(bkf),
            "public_support": pd.DataFrame(ps_rows),
            "infohuset_cases": pd.DataFrame(dict(year=[2016, 2017, 2018, 2019, 2020], cases=[6, 4, 3, 2, 3])),
            "ung_i_gladsaxe": pd.DataFrame(dict(year=list(YEARS), activity=["dialogprojekt"] * 4,
                                                participants=[10, 14, 13, 9]))}


def make_assessments() -> pd.DataFrame:
    return pd.DataFrame([
        dict(criterion_id="TT-KOM-2", date="2017-11-28", assessment="gennemført", assessed_by="Sekretariatet",
             rationale="Kvalitativ undersøgelse med 14 interview blandt beboere, der i tryghedsmålingen svarede utryg.",
             evidence="Notat: Utryghed i Høje Gladsaxe, november 2017"),
        dict(criterion_id="TT-FYS-2", date="2019-10-15", assessment="i gang", assessed_by="Task Force for tryghed og civile fællesskaber",
             rationale="To fokusgrupper i beboerforum; beboerne oplever indflydelse på pladsen ved centret, mindre på stierne.",
             evidence="Referat af fokusgrupper, oktober 2019"),
        dict(criterion_id="TT-FYS-2", date="2020-11-20", assessment="opfyldt", assessed_by="Task Force for tryghed og civile fællesskaber",
             rationale="Deltagerne i beboerforum oplever, at deres forslag er indarbejdet i helhedsplanen for de fysiske rammer.",
             evidence="Referat af fokusgrupper, november 2020"),
        dict(criterion_id="TT-FYS-1", date="2020-12-01", assessment="delvist opfyldt", assessed_by="Sekretariatet",
             rationale="Brugerinterview ved Byens Arena og nyttehaverne er positive; stiforbindelsen er endnu ikke ombygget.",
             evidence="Brugerinterview, efterår 2020 (22 interview)"),
    ])


def make_budget() -> pd.DataFrame:
    rows = []
    yearly = {"tryghed_og_trivsel": (4431000, 3104000), "kriminalpraeventiv_indsats": (4585000, 136000),
              "forebyggelse_og_foraeldreansvar": (1321000, 2342000), "tværgående": (1369000, 0)}
    profile = {2017: 0.22, 2018: 0.26, 2019: 0.27, 2020: 0.23}
    for y, f in profile.items():
        for area, (lbf, lok) in yearly.items():
            rows.append(dict(year=y, area=area, funder="lbf", amount_dkk=f"{round(lbf * f, -3):.2f}"))
            if lok:
                rows.append(dict(year=y, area=area, funder="lokal", amount_dkk=f"{round(lok * f * 0.97, -3):.2f}"))
    return pd.DataFrame(rows)


MANIFEST = """\
# Data folder manifest (read by helhedsplan-eval)
synthetic: true
description: >-
  Syntetiske eksempeldata for Helhedsplan Høje Gladsaxe 2017-2020, dannet af helhedsplan_eval.data.sample
  (seed {seed}). Kun de tal, aftalen selv angiver (fx DUBU 12,0 % mod 5,0 %, tandplejeudeblivelser 30,4 mod 18
  pr. 100 børn, tryghed 68,4 % mod 78,3 % i 2014 og 71,2 % mod 86,2 % i 2015, 6 bekymringssager i 2016,
  indkomst over 200.000 kr. 53,2 %), er virkelige.
seed: {seed}
"""

README = """\
# data/sample: synthetic sample data

**This data is synthetic.** It was generated by `helhedsplan_eval.data.sample` (seed {seed}) and is regenerated
byte for byte by `helhedsplan-eval sample data/sample` (a test checks this). Only the figures the agreement
itself states are real: DUBU 12,0 % vs 5,0 %; dental no-shows 30,4 vs 18 per 100 children (2013/14);
feeling safe 68,4 % vs 78,3 % (2014) and 71,2 % vs 86,2 % (2015); 10-17-year-olds charged 2,8 % (2015) vs
about 1 %; 6 cases of concern (2016); income over 200.000 kr. 53,2 % (10,2 points below the municipality);
12 bydelsmødre trained in 2016. Everything else is invented, with a realistic mix of met, on-track and
off-track criteria, and with the police safety survey missing for 2020 (there was none that year).

Every report built from this folder says on its first screen that the data is synthetic (`manifest.yml`
has `synthetic: true`). The file formats are documented in `data/README.md`.
"""


def _declared_only(tables: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """The hand-made tables of the sources the plan declares, and a generic table (made from its declaration) for
    every declared source without a hand-made generator."""
    from helhedsplan_eval.data import sources as declared
    from helhedsplan_eval.data.sample_generic import generic_tables

    kept = {n: t for n, t in tables.items() if n in declared.SOURCES}
    missing = [n for n in declared.SOURCES if n not in kept]
    if missing:
        kept.update(generic_tables(declared.SOURCES, declared.PLAN_YEARS, seed, missing))
    return kept


def generate(out_dir: str | Path, seed: int = SEED) -> list[Path]:
    """Write the sample data set to ``out_dir``; returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pd.DataFrame] = {}
    lb = make_logbook(seed)
    tables.update(lb)
    tables["bydelsmoedre_visits"] = make_bydelsmoedre_visits(lb["bydelsmoedre"], seed)
    tables.update(make_inspector(seed))
    tables.update(make_registers())
    tables.update(make_skur2(seed))
    tables.update(make_youth(seed))
    tables["assessments"] = make_assessments()
    tables["budget_spending"] = make_budget()
    try:
        from helhedsplan_eval.data.sample_fit import make_fit_tables

        tables.update(make_fit_tables(_rng(seed, 10)))
    except ImportError:
        pass
    try:
        from helhedsplan_eval.data.sample_survey import make_survey_tables

        tables.update(make_survey_tables(_rng(seed, 11)))
    except ImportError:
        pass
    tables = _declared_only(tables, seed)
    written = []
    for name, df in sorted(tables.items()):
        p = out / f"{name}.csv"
        df.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        written.append(p)
    (out / "manifest.yml").write_text(MANIFEST.format(seed=seed), encoding="utf-8")
    (out / "README.md").write_text(README.format(seed=seed), encoding="utf-8")
    return written + [out / "manifest.yml", out / "README.md"]
