"""The synthetic logbook: events and attendance of the social activities, the bydelsmødre and their visits.

One :class:`_Logbook` builds a year activity by activity, in a fixed order of random draws (stream 1; the visits
use stream 2), so that ``data/sample`` is reproduced byte for byte. Parents keep their pseudonymous id across
activities and years, as the data contract requires.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from helhedsplan_eval.data.sample_base import SEED, YEARS, _date, _Ids, _rng, _spread_dates

# year: resident-run and common-area events, skur2 events, café events, dialogue uniques, talent, course families
PLAN = {
    2017: dict(rr=20, ca=40, skur2=3, cafe=9, dia=62, talent=7, fam=16, new_parents=70),
    2018: dict(rr=22, ca=48, skur2=2, cafe=8, dia=75, talent=9, fam=21, new_parents=56),
    2019: dict(rr=23, ca=52, skur2=1, cafe=10, dia=81, talent=11, fam=23, new_parents=55),
    2020: dict(rr=21, ca=47, skur2=2, cafe=6, dia=48, talent=8, fam=18, new_parents=36),
}
TITLES = ["Loppemarked", "Fællesspisning", "Legetøjsudlån", "Office Outside", "Nyttehaver", "Musik i gården",
          "Sommerfest", "Træning på Byens Arena"]


class _Logbook:
    """The growing logbook: events, attendance rows and the id series, drawn from one random stream."""

    def __init__(self, seed: int):
        self.rng = _rng(seed, 1)
        self.events: list[dict] = []
        self.att: list[dict] = []
        self.eid = _Ids("E", 5)
        self.parents = _Ids("P", 5)
        self.children = _Ids("B", 5)
        self.youths = _Ids("U", 5)
        self.households = _Ids("H", 4)

    def event(self, date, activity, title, resident_run=False, common_area=False, headcount=0, skur2=False):
        e = self.eid.new()
        self.events.append(dict(event_id=e, date=date.isoformat(), activity=activity, title=title,
                                resident_run="ja" if resident_run else "nej",
                                common_area="ja" if common_area else "nej",
                                headcount=int(headcount), skur2_participation="ja" if skur2 else "nej"))
        return e

    def attend(self, e, person, role, household=""):
        self.att.append(dict(event_id=e, person_id=person, role=role, household_id=household))

    def open_events(self, y, p, active_bm):
        """Open activities on common areas and other events (headcount only, now and then a volunteer)."""
        rng = self.rng
        n_other = 14
        kinds = [("aabne_tilbud", True)] * p["ca"] + [("andet", False)] * n_other
        order = rng.permutation(len(kinds))
        rr_idx = set(rng.choice(len(kinds), size=p["rr"], replace=False).tolist())
        sk_idx = set(rng.choice([i for i in range(p["ca"])], size=p["skur2"], replace=False).tolist())
        dates = _spread_dates(rng, y, len(kinds), (1, 12) if y != 2020 else (1, 12))
        for k, i in enumerate(order):
            act, ca = kinds[i]
            e = self.event(dates[k], act, str(rng.choice(TITLES)), resident_run=i in rr_idx, common_area=ca,
                           headcount=int(rng.integers(12, 80)), skur2=i in sk_idx)
            if rng.random() < 0.5 and active_bm:
                self.attend(e, str(rng.choice(active_bm)), "frivillig")

    def cafe(self, y, p, year_parents, hh, active_bm):
        """Forældrecafé: regulars come often, others now and then."""
        rng = self.rng
        regulars = year_parents[: 16]
        occasional = year_parents[16:40]
        for d in _spread_dates(rng, y, p["cafe"]):
            reg = [x for x in regulars if rng.random() < 0.62]
            occ = [x for x in occasional if rng.random() < 0.16]
            e = self.event(d, "foraeldrecafe", "Forældrecafé", headcount=len(reg) + len(occ) + int(rng.integers(4, 12)))
            for x in reg + occ:
                self.attend(e, x, "forælder", hh[x])
            for b in rng.choice(active_bm, size=min(2, len(active_bm)), replace=False):
                self.attend(e, str(b), "frivillig")

    def courses(self, y, fam, hh, active_bm):
        """Familiekurser: two courses a year of 12-15 sessions."""
        rng = self.rng
        half = len(fam) // 2
        for c, members in enumerate((fam[:half], fam[half:])):
            start = dt.date(y, 2 if c == 0 else 8, int(rng.integers(1, 20)))
            kids = {x: self.children.new() for x in members}
            for s in range(int(rng.integers(12, 16))):
                d = start + dt.timedelta(days=7 * s)
                if d.year != y:
                    break
                present = [x for x in members if rng.random() < 0.8]
                e = self.event(d, "familiekursus", "Familiekursus", headcount=2 * len(present))
                for x in present:
                    self.attend(e, x, "forælder", hh[x])
                    if rng.random() < 0.3:
                        self.attend(e, kids[x], "barn", hh[x])
                if rng.random() < 0.4 and active_bm:
                    self.attend(e, str(rng.choice(active_bm)), "frivillig")

    def bydelsmoedre_meetings(self, y, visited, hh, active_bm):
        """Bydelsmødre meetings: active mothers and some visited mothers."""
        rng = self.rng
        for m in range(1, 13 if y != 2020 else 7):
            d = dt.date(y, m, int(rng.integers(1, 28)))
            present = [b for b in active_bm if rng.random() < 0.5]
            guests = [x for x in visited if rng.random() < 0.25]
            e = self.event(d, "bydelsmoedre", "Bydelsmødremøde", headcount=len(present) + len(guests))
            for b in present:
                self.attend(e, b, "bydelsmor")
            for x in guests:
                self.attend(e, x, "forælder", hh[x])

    def dialogue_and_talent(self, y, p):
        """Dialogue meetings (exactly p['dia'] unique participants over 3-5 meetings) and one talent course."""
        rng = self.rng
        people = [self.parents.new() for _ in range(p["dia"] - 10)] + [self.youths.new() for _ in range(10)]
        n_meet = 5 if y != 2020 else 3
        groups = np.array_split(np.array(people), n_meet)
        for g, d in zip(groups, _spread_dates(rng, y, n_meet)):
            e = self.event(d, "dialogmoeder", "Dialogmøde", headcount=len(g) + int(rng.integers(0, 6)))
            for x in g:
                self.attend(e, str(x), "ung" if str(x).startswith("U") else "forælder")
        tal = [self.youths.new() for _ in range(p["talent"])]
        for d in _spread_dates(rng, y, 8, (3, 11)):
            present = [x for x in tal if rng.random() < 0.8] or tal[:1]
            e = self.event(d, "talent", "Talentforløb", headcount=len(present))
            for x in present:
                self.attend(e, x, "ung")

    def year(self, y, parent_pool, bydelsmoedre_ids):
        """Every activity of year ``y``; the parent pool grows by the year's new parents."""
        p = PLAN[y]
        active_bm = [b for yy, ids in bydelsmoedre_ids.items() if yy <= y for b in ids]
        self.open_events(y, p, active_bm)
        new = [self.parents.new() for _ in range(p["new_parents"])]
        returning = [x for x in parent_pool if self.rng.random() < 0.35]
        year_parents = new + returning
        parent_pool += new
        hh = {x: self.households.new() for x in year_parents}
        self.cafe(y, p, year_parents, hh, active_bm)
        self.courses(y, year_parents[40: 40 + p["fam"]], hh, active_bm)
        self.bydelsmoedre_meetings(y, year_parents[40 + p["fam"]:], hh, active_bm)
        self.dialogue_and_talent(y, p)


def _bydelsmoedre_table(bydelsmoedre_ids: dict[int, list[str]]) -> pd.DataFrame:
    bm_rows = []
    for yy, ids in bydelsmoedre_ids.items():
        for i, b in enumerate(ids):
            trained_d = dt.date(yy, 5 if yy != 2016 else 4, 10 + i % 15)
            active_to = ""
            if yy == 2016 and i < 3:
                active_to = dt.date(2018, 12, 31).isoformat()
            bm_rows.append(dict(person_id=b, trained_date=trained_d.isoformat(),
                                active_from=trained_d.isoformat(), active_to=active_to))
    return pd.DataFrame(bm_rows)


def make_logbook(seed: int = SEED) -> dict[str, pd.DataFrame]:
    lb = _Logbook(seed)
    # bydelsmødre: 12 trained in 2016, then yearly cohorts (used for volunteering at café/courses)
    bydelsmoedre_ids = {2016: [lb.parents.new() for _ in range(12)]}
    trained = {2017: 10, 2018: 8, 2019: 11, 2020: 6}
    for y, n in trained.items():
        bydelsmoedre_ids[y] = [lb.parents.new() for _ in range(n)]
    parent_pool: list[str] = []
    for y in YEARS:
        lb.year(y, parent_pool, bydelsmoedre_ids)
    ev = pd.DataFrame(lb.events).sort_values(["date", "event_id"]).reset_index(drop=True)
    at = pd.DataFrame(lb.att).drop_duplicates(["event_id", "person_id"]).reset_index(drop=True)
    return {"logbook_events": ev, "logbook_attendance": at, "bydelsmoedre": _bydelsmoedre_table(bydelsmoedre_ids)}


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
