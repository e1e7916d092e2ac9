"""The synthetic records of the youth and outreach activities: Skur 2, dannelse, leisure, jobs, homework help,
volunteers.

Skur 2 draws from random stream 4, the youth activities from stream 5, each table in a fixed order of draws so that
``data/sample`` is reproduced byte for byte. The spell registers (pocket-money jobs, homework buddies, volunteers)
have a start and an optional end, as the data contract declares.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from helhedsplan_eval.data.sample_base import SEED, _date, _Ids, _rng, _share_rows, _spread_dates


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


def _assessments_and_leisure(rng, yid: _Ids) -> tuple[list[dict], list[dict]]:
    """Dannelse assessments of children and active leisure of youths at risk (shares)."""
    dan, leis = [], []
    cid = _Ids("D", 4)
    for y, (n, k, unassessed) in {2017: (12, 8, 1), 2018: (12, 10, 0), 2019: (11, 9, 1), 2020: (10, 7, 2)}.items():
        for f in _share_rows(rng, n, k):
            dan.append(dict(year=y, child_id=cid.new(), assessment="styrket" if f else "ikke styrket"))
        for _ in range(unassessed):
            dan.append(dict(year=y, child_id=cid.new(), assessment="ikke vurderet"))
    for y, (n, k) in {2017: (25, 8), 2018: (25, 10), 2019: (27, 12), 2020: (25, 9)}.items():
        for f in _share_rows(rng, n, k):
            leis.append(dict(year=y, youth_id=yid.new(), active_leisure="ja" if f else "nej"))
    return dan, leis


def _jobs(rng, yid: _Ids) -> tuple[list[dict], list[dict], list[dict]]:
    """Pocket-money jobs (spells: did the youth move on?), micro businesses and leisure jobs."""
    pm, mb, lj = [], [], []
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
    return pm, mb, lj


def _homework_cafes(rng) -> list[dict]:
    """Homework cafés: 'regulars' unique persons with >3 visits (both cafés added up) and occasional visitors."""
    cafe = []
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
    return cafe


def _buddies_and_volunteers(rng) -> tuple[list[dict], list[dict]]:
    """Homework-buddy courses and the volunteer corps (spell registers)."""
    bud, vol = [], []
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
    return bud, vol


def make_youth(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = _rng(seed, 5)
    yid = _Ids("R", 4)
    dan, leis = _assessments_and_leisure(rng, yid)
    pm, mb, lj = _jobs(rng, yid)
    cafe = _homework_cafes(rng)
    bud, vol = _buddies_and_volunteers(rng)
    visits = pd.DataFrame(cafe).drop_duplicates().sort_values(["date", "cafe", "person_id"]).reset_index(drop=True)
    return {"dannelse_assessments": pd.DataFrame(dan), "risk_group_leisure": pd.DataFrame(leis),
            "pocket_money_jobs": pd.DataFrame(pm), "micro_businesses": pd.DataFrame(mb),
            "leisure_jobs": pd.DataFrame(lj), "homework_cafe_visits": visits,
            "homework_buddies": pd.DataFrame(bud), "volunteers": pd.DataFrame(vol)}
