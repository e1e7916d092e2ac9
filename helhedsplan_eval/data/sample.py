"""The synthetic sample data set (``data/sample/``), deterministic from a seed.

Everything here is **synthetic** except the figures the agreement itself states (e.g. DUBU
12,0 % vs 5,0 %, dental no-shows 30,4 vs 18 per 100, feeling safe 68,4 % vs 78,3 % in 2014 and
71,2 % vs 86,2 % in 2015, 6 cases of concern in 2016, income over 200.000 kr. 53,2 %). It is
sized like Høje Gladsaxe (about 4.100 residents in five housing departments) and built so the
2017-2020 statuses are a realistic mix (met, on track, off track, awaiting data: the police ran
no safety survey in 2020).

Regenerate with ``helhedsplan-eval sample data/sample``; a test checks that this reproduces the
committed files byte for byte.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20170101
YEARS = (2017, 2018, 2019, 2020)


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _date(rng, year: int, month_lo: int = 1, month_hi: int = 12) -> dt.date:
    m = int(rng.integers(month_lo, month_hi + 1))
    d = int(rng.integers(1, 29))
    return dt.date(year, m, d)


def _spread_dates(rng, year: int, n: int, months=(1, 12)) -> list[dt.date]:
    return sorted(_date(rng, year, *months) for _ in range(n))


class _Ids:
    def __init__(self, prefix: str, width: int = 5):
        self.prefix, self.width, self.n = prefix, width, 0

    def new(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:0{self.width}d}"


# ----------------------------------------------------------------------------- logbook

def make_logbook(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = _rng(seed, 1)
    events, att = [], []
    eid = _Ids("E", 5)
    parents = _Ids("P", 5)
    children = _Ids("B", 5)
    youths = _Ids("U", 5)
    households = _Ids("H", 4)

    def event(date, activity, title, resident_run=False, common_area=False, headcount=0, skur2=False):
        e = eid.new()
        events.append(dict(event_id=e, date=date.isoformat(), activity=activity, title=title,
                           resident_run="ja" if resident_run else "nej", common_area="ja" if common_area else "nej",
                           headcount=int(headcount), skur2_participation="ja" if skur2 else "nej"))
        return e

    # bydelsmødre: 12 trained in 2016, then yearly cohorts (used for volunteering at café/courses)
    bydelsmoedre_ids = {2016: [parents.new() for _ in range(12)]}
    trained = {2017: 10, 2018: 8, 2019: 11, 2020: 6}
    for y, n in trained.items():
        bydelsmoedre_ids[y] = [parents.new() for _ in range(n)]

    plan = {
        # year: (resident-run, common-area events, skur2 events, café events, dialogue uniques, talent, course families)
        2017: dict(rr=20, ca=40, skur2=3, cafe=9, dia=62, talent=7, fam=16, new_parents=70),
        2018: dict(rr=22, ca=48, skur2=2, cafe=8, dia=75, talent=9, fam=21, new_parents=56),
        2019: dict(rr=23, ca=52, skur2=1, cafe=10, dia=81, talent=11, fam=23, new_parents=55),
        2020: dict(rr=21, ca=47, skur2=2, cafe=6, dia=48, talent=8, fam=18, new_parents=36),
    }
    parent_pool: list[str] = []
    for y in YEARS:
        p = plan[y]
        active_bm = [b for yy, ids in bydelsmoedre_ids.items() if yy <= y for b in ids]
        # --- open activities on common areas and other events (headcount only)
        n_other = 14
        kinds = [("aabne_tilbud", True)] * p["ca"] + [("andet", False)] * n_other
        order = rng.permutation(len(kinds))
        rr_idx = set(rng.choice(len(kinds), size=p["rr"], replace=False).tolist())
        sk_idx = set(rng.choice([i for i in range(p["ca"])], size=p["skur2"], replace=False).tolist())
        dates = _spread_dates(rng, y, len(kinds), (1, 12) if y != 2020 else (1, 12))
        titles = ["Loppemarked", "Fællesspisning", "Legetøjsudlån", "Office Outside", "Nyttehaver", "Musik i gården",
                  "Sommerfest", "Træning på Byens Arena"]
        for k, i in enumerate(order):
            act, ca = kinds[i]
            e = event(dates[k], act, str(rng.choice(titles)), resident_run=i in rr_idx, common_area=ca,
                      headcount=int(rng.integers(12, 80)), skur2=i in sk_idx)
            if rng.random() < 0.5 and active_bm:
                att.append(dict(event_id=e, person_id=str(rng.choice(active_bm)), role="frivillig", household_id=""))
        # --- parents: pool grows by new_parents a year (unique parents across activities)
        new = [parents.new() for _ in range(p["new_parents"])]
        returning = [x for x in parent_pool if rng.random() < 0.35]
        year_parents = new + returning
        parent_pool += new
        hh = {x: households.new() for x in year_parents}
        # --- forældrecafé: regulars come often, others now and then
        regulars = year_parents[: 16]
        occasional = year_parents[16:40]
        for d in _spread_dates(rng, y, p["cafe"]):
            reg = [x for x in regulars if rng.random() < 0.62]
            occ = [x for x in occasional if rng.random() < 0.16]
            e = event(d, "foraeldrecafe", "Forældrecafé", headcount=len(reg) + len(occ) + int(rng.integers(4, 12)))
            for x in reg + occ:
                att.append(dict(event_id=e, person_id=x, role="forælder", household_id=hh[x]))
            for b in rng.choice(active_bm, size=min(2, len(active_bm)), replace=False):
                att.append(dict(event_id=e, person_id=str(b), role="frivillig", household_id=""))
        # --- familiekurser: two courses a year of 12-15 sessions
        fam = year_parents[40: 40 + p["fam"]]
        half = len(fam) // 2
        for c, members in enumerate((fam[:half], fam[half:])):
            start = dt.date(y, 2 if c == 0 else 8, int(rng.integers(1, 20)))
            kids = {x: children.new() for x in members}
            for s in range(int(rng.integers(12, 16))):
                d = start + dt.timedelta(days=7 * s)
                if d.year != y:
                    break
                present = [x for x in members if rng.random() < 0.8]
                e = event(d, "familiekursus", "Familiekursus", headcount=2 * len(present))
                for x in present:
                    att.append(dict(event_id=e, person_id=x, role="forælder", household_id=hh[x]))
                    if rng.random() < 0.3:
                        att.append(dict(event_id=e, person_id=kids[x], role="barn", household_id=hh[x]))
                if rng.random() < 0.4 and active_bm:
                    att.append(dict(event_id=e, person_id=str(rng.choice(active_bm)), role="frivillig", household_id=""))
        # --- bydelsmødre meetings: active mothers and some visited mothers
        visited = year_parents[40 + p["fam"]:]
        for m in range(1, 13 if y != 2020 else 7):
            d = dt.date(y, m, int(rng.integers(1, 28)))
            present = [b for b in active_bm if rng.random() < 0.5]
            guests = [x for x in visited if rng.random() < 0.25]
            e = event(d, "bydelsmoedre", "Bydelsmødremøde", headcount=len(present) + len(guests))
            for b in present:
                att.append(dict(event_id=e, person_id=b, role="bydelsmor", household_id=""))
            for x in guests:
                att.append(dict(event_id=e, person_id=x, role="forælder", household_id=hh[x]))
        # --- dialogue meetings: exactly p['dia'] unique participants over 4-5 meetings
        people = [parents.new() for _ in range(p["dia"] - 10)] + [youths.new() for _ in range(10)]
        n_meet = 5 if y != 2020 else 3
        groups = np.array_split(np.array(people), n_meet)
        for g, d in zip(groups, _spread_dates(rng, y, n_meet)):
            e = event(d, "dialogmoeder", "Dialogmøde", headcount=len(g) + int(rng.integers(0, 6)))
            for x in g:
                att.append(dict(event_id=e, person_id=str(x), role="ung" if str(x).startswith("U") else "forælder",
                                household_id=""))
        # --- talent development: one course a year
        tal = [youths.new() for _ in range(p["talent"])]
        for d in _spread_dates(rng, y, 8, (3, 11)):
            present = [x for x in tal if rng.random() < 0.8] or tal[:1]
            e = event(d, "talent", "Talentforløb", headcount=len(present))
            for x in present:
                att.append(dict(event_id=e, person_id=x, role="ung", household_id=""))
    ev = pd.DataFrame(events).sort_values(["date", "event_id"]).reset_index(drop=True)
    at = pd.DataFrame(att).drop_duplicates(["event_id", "person_id"]).reset_index(drop=True)
    bm_rows = []
    for yy, ids in bydelsmoedre_ids.items():
        for i, b in enumerate(ids):
            trained_d = dt.date(yy, 5 if yy != 2016 else 4, 10 + i % 15)
            active_to = ""
            if yy == 2016 and i < 3:
                active_to = dt.date(2018, 12, 31).isoformat()
            bm_rows.append(dict(person_id=b, trained_date=trained_d.isoformat(),
                                active_from=trained_d.isoformat(), active_to=active_to))
    return {"logbook_events": ev, "logbook_attendance": at, "bydelsmoedre": pd.DataFrame(bm_rows)}


def make_bydelsmoedre_visits(bm: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    rng = _rng(seed, 2)
    ids = bm["person_id"].tolist()
    fams = _Ids("F9", 4)
    rows = []
    vid = _Ids("BV", 5)
    for y, n_fam in ((2017, 64), (2018, 58), (2019, 61), (2020, 40)):
        active = bm[bm["trained_date"].str[:4].astype(int) <= y]["person_id"].tolist()
        for _ in range(n_fam):
            f = fams.new()
            b = str(rng.choice(active or ids))
            for _ in range(int(rng.integers(1, 4))):
                rows.append(dict(visit_id=vid.new(), date=_date(rng, y).isoformat(), bydelsmor_id=b, family_id=f))
    return pd.DataFrame(rows).sort_values(["date", "visit_id"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- inspector, police, registers

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
    return {"register_measures": reg, "police_safety": pd.DataFrame(pol), "bkf_measures": pd.DataFrame(bkf),
            "public_support": pd.DataFrame(ps_rows),
            "infohuset_cases": pd.DataFrame(dict(year=[2016, 2017, 2018, 2019, 2020], cases=[6, 4, 3, 2, 3])),
            "ung_i_gladsaxe": pd.DataFrame(dict(year=list(YEARS), activity=["dialogprojekt"] * 4,
                                                participants=[10, 14, 13, 9]))}


# ----------------------------------------------------------------------------- other registers

def make_skur2(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = _rng(seed, 4)
    visits, regulars = [], []
    vid = _Ids("S", 5)
    pid = _Ids("X", 4)
    pool: list[str] = []
    plan = {2017: (64, 20, 6), 2018: (72, 26, 8), 2019: (78, 30, 9), 2020: (58, 19, 5)}
    for y, (n, followed, new_regular) in plan.items():
        persons = [pid.new() for _ in range(int(n * 0.6))] + [str(x) for x in rng.choice(pool, size=n - int(n * 0.6))] \
            if pool else [pid.new() for _ in range(n)]
        persons = list(persons)
        pool += [p for p in persons if p not in pool]
        flags = np.array([True] * followed + [False] * (n - followed))
        rng.shuffle(flags)
        dates = _spread_dates(rng, y, n)
        for p, f, d in zip(persons, flags, dates):
            visits.append(dict(visit_id=vid.new(), date=d.isoformat(), person_id=p, followed_by_visit="ja" if f else "nej"))
        followed_people = [p for p, f in zip(persons, flags) if f]
        already = {r["person_id"] for r in regulars}
        cand = [p for p in dict.fromkeys(followed_people) if p not in already]
        for p in cand[:new_regular]:
            regulars.append(dict(person_id=p, regular_since=_date(rng, y, 6, 12).isoformat()))
    # two long-time regulars who were never visited (they do not count for TT-SKUR-3)
    regulars.append(dict(person_id="X9001", regular_since="2016-03-01"))
    regulars.append(dict(person_id="X9002", regular_since="2018-09-14"))
    return {"skur2_outreach": pd.DataFrame(visits).sort_values(["date", "visit_id"]).reset_index(drop=True),
            "skur2_regulars": pd.DataFrame(regulars)}


def _share_rows(rng, n, k):
    flags = np.array([True] * k + [False] * (n - k))
    rng.shuffle(flags)
    return flags


def make_youth(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = _rng(seed, 5)
    dan, leis, pm, mb, lj, cafe, bud, vol = [], [], [], [], [], [], [], []
    cid = _Ids("D", 4)
    for y, (n, k, unassessed) in {2017: (12, 8, 1), 2018: (12, 10, 0), 2019: (11, 9, 1), 2020: (10, 7, 2)}.items():
        for f in _share_rows(rng, n, k):
            dan.append(dict(year=y, child_id=cid.new(), assessment="styrket" if f else "ikke styrket"))
        for _ in range(unassessed):
            dan.append(dict(year=y, child_id=cid.new(), assessment="ikke vurderet"))
    yid = _Ids("R", 4)
    for y, (n, k) in {2017: (25, 8), 2018: (25, 10), 2019: (27, 12), 2020: (25, 9)}.items():
        for f in _share_rows(rng, n, k):
            leis.append(dict(year=y, youth_id=yid.new(), active_leisure="ja" if f else "nej"))
    jid, lid = _Ids("L", 4), _Ids("J", 4)
    for y, (n, k, unk) in {2017: (15, 12, 1), 2018: (16, 15, 0), 2019: (15, 13, 2), 2020: (10, 9, 1)}.items():
        for f in _share_rows(rng, n, k):
            s = _date(rng, y, 1, 8)
            pm.append(dict(job_id=jid.new(), person_id=yid.new(), start_date=s.isoformat(),
                           end_date=(s + dt.timedelta(days=90)).isoformat(), moved_on="ja" if f else "nej"))
        for _ in range(unk):
            s = _date(rng, y, 1, 8)
            pm.append(dict(job_id=jid.new(), person_id=yid.new(), start_date=s.isoformat(),
                           end_date=(s + dt.timedelta(days=90)).isoformat(), moved_on="ukendt"))
    for y, n in {2018: 1, 2019: 2, 2020: 1}.items():
        for i in range(n):
            mb.append(dict(business_id=f"M{y}{i + 1}", founded_date=_date(rng, y, 3, 11).isoformat(),
                           participants=int(rng.integers(2, 5))))
    for y, n in {2017: 16, 2018: 21, 2019: 24, 2020: 12}.items():
        by = ["frivillig"] * n + ["ungementor"] * 3  # only those established by volunteers count
        for d, b in zip(_spread_dates(rng, y, len(by)), rng.permutation(by)):
            lj.append(dict(job_id=lid.new(), established_date=d.isoformat(),
                           type=str(rng.choice(["fritidsjob", "praktikplads"], p=[0.7, 0.3])), established_by=str(b)))
    # homework cafés: 'regulars' unique persons with >3 visits (both cafés added up)
    pid = _Ids("C", 4)
    for y, n_reg in {2017: 44, 2018: 52, 2019: 57, 2020: 41}.items():
        regs = [pid.new() for _ in range(n_reg)]
        occ = [pid.new() for _ in range(30)]
        weeks = 40 if y != 2020 else 28
        for p in regs:
            k = int(rng.integers(4, 20))
            split = int(rng.integers(0, k + 1)) if rng.random() < 0.3 else k
            cafe_main = "grundskole" if rng.random() < 0.7 else "ungdomsuddannelse"
            wk = rng.choice(weeks, size=k, replace=False)
            for j, w in enumerate(sorted(wk)):
                c = cafe_main if j < split else ("ungdomsuddannelse" if cafe_main == "grundskole" else "grundskole")
                d = dt.date(y, 1, 4) + dt.timedelta(days=7 * int(w) + (0 if c == "grundskole" else 2))
                cafe.append(dict(date=d.isoformat(), cafe=c, person_id=p))
        for p in occ:
            k = int(rng.integers(1, 4))
            for w in sorted(rng.choice(weeks, size=k, replace=False)):
                cafe.append(dict(date=(dt.date(y, 1, 4) + dt.timedelta(days=7 * int(w))).isoformat(),
                                 cafe="grundskole", person_id=p))
    bid = _Ids("LK", 3)
    for y, specs in {2017: [(90, None), (70, None), (30, None)], 2018: [(120, None)] * 3,
                     2019: [(75, None)] * 4 + [(40, None)], 2020: [(100, None), (65, None)]}.items():
        for days, _ in specs:
            s = _date(rng, y, 1, 9)
            bud.append(dict(course_id=bid.new(), buddy_id=f"V{int(rng.integers(100, 999))}",
                            pupil_id=f"E{int(rng.integers(1000, 9999))}", start_date=s.isoformat(),
                            end_date=(s + dt.timedelta(days=days)).isoformat()))
    vid = _Ids("V", 4)
    active_targets = {2017: 40, 2018: 43, 2019: 44, 2020: 47}
    current: list[dict] = []
    for y, target in active_targets.items():
        # everyone active at some point in year y counts; end some, add new
        still = [v for v in current if v["end_date"] == ""]
        n_new = target - len(still)
        for _ in range(n_new):
            v = dict(volunteer_id=vid.new(), start_date=_date(rng, y, 1, 10).isoformat(), end_date="")
            vol.append(v)
            current.append(v)
        active_now = [v for v in current if v["end_date"] == ""]
        for v in rng.choice(active_now, size=5 if y < 2020 else 0, replace=False) if y < 2020 else []:
            v["end_date"] = dt.date(y, 12, 31).isoformat()
    return {"dannelse_assessments": pd.DataFrame(dan), "risk_group_leisure": pd.DataFrame(leis),
            "pocket_money_jobs": pd.DataFrame(pm), "micro_businesses": pd.DataFrame(mb),
            "leisure_jobs": pd.DataFrame(lj),
            "homework_cafe_visits": pd.DataFrame(cafe).drop_duplicates().sort_values(["date", "cafe", "person_id"]).reset_index(drop=True),
            "homework_buddies": pd.DataFrame(bud), "volunteers": pd.DataFrame(vol)}


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
    written = []
    for name, df in sorted(tables.items()):
        p = out / f"{name}.csv"
        df.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        written.append(p)
    (out / "manifest.yml").write_text(MANIFEST.format(seed=seed), encoding="utf-8")
    (out / "README.md").write_text(README.format(seed=seed), encoding="utf-8")
    return written + [out / "manifest.yml", out / "README.md"]
