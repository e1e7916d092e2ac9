"""Synthetic FIT data for the family courses (fit_courses, fit_administrations).

Deterministic for a given ``numpy.random.Generator``. About 20 families a year in 2017-2020,
three courses a year (one per age band plus an autumn course; the autumn course of 2017, 2018
and 2019 runs into January of the next year, so some episodes count in the following year).
Every path of :mod:`helhedsplan_eval.analysis.fit` is exercised:

* forms with items and total, items only, and total only (about 15 %);
* single-score episodes (parents who drop out after the first session);
* families above the cut-off at intake (resourceful "almen" families) and some that deteriorate;
* a specialgruppe that grows from about 15 % of the families in 2017 to about 60 % in 2020,
  with referrer (collateral) ratings in every year 2017-2020, so that the 2018-2019 restriction
  of FF-FAM-4 matters (including referrer ratings in January 2018 and 2020 that close episodes
  begun the year before: an episode counts in the year of its closing rating);
* SRS forms after each measured session, a few of them under 36.

Ids are pseudonyms: families ``F0001``, persons ``P00001``, courses ``C001``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

YEARS = (2017, 2018, 2019, 2020)
SPECIAL_SHARE = {2017: 0.15, 2018: 0.35, 2019: 0.5, 2020: 0.6}
FAMILIES_PER_YEAR = {2017: 19, 2018: 21, 2019: 20, 2020: 22}
# yearly mean gain on the parent's own ORS (the course matures over the years)
GAIN = {2017: 4.0, 2018: 5.0, 2019: 6.0, 2020: 6.5}

ADMIN_COLUMNS = ["administration_id", "course_id", "family_id", "rated_person_id", "rater", "about", "scale",
                 "date", "item1", "item2", "item3", "item4", "total", "group", "rated_age"]


def _fmt1(x: float) -> str:
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _items(rng: np.random.Generator, total: float) -> list[float]:
    """Four one-decimal items (0-10) around total/4 with item-level spread; their sum is the total."""
    base = np.clip(total / 4 + rng.normal(0, 1.0, 4), 0, 10)
    items = np.round(base, 1)
    return [float(x) for x in items]


def _courses(year: int) -> list[tuple[str, dt.date, dt.date, str]]:
    spring_small = (dt.date(year, 2, 1), dt.date(year, 5, 31), "0-1,5")
    spring_big = (dt.date(year, 3, 1), dt.date(year, 6, 20), "1,5-6")
    if year < 2020:
        autumn = (dt.date(year, 9, 15), dt.date(year + 1, 1, 25), "1,5-6")
    else:
        autumn = (dt.date(year, 8, 20), dt.date(year, 12, 10), "1,5-6")
    return [spring_small, spring_big, autumn]


class _Forms:
    """The FIT administrations being written: one row per form, numbered in the order they are drawn."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.rows: list[list] = []
        self.admin_no = 0

    def add(self, course_id, fam, person, rater, about, scale, date, total, group, age, mode):
        self.admin_no += 1
        total = float(np.clip(round(total, 1), 0, 40))
        if mode == "total":
            items = ["", "", "", ""]
            tot = _fmt1(total)
        else:
            its = _items(self.rng, total)
            items = [_fmt1(x) for x in its]
            tot = _fmt1(round(sum(its), 1)) if mode == "both" else ""
        self.rows.append([f"A{self.admin_no:05d}", course_id, fam, person, rater, about, scale, date.isoformat(),
                          *items, tot, group, "" if age is None else str(int(age))])

    def mode(self):
        """How the form was filled in: total only (about 15 %), items only, or both."""
        u = self.rng.random()
        return "total" if u < 0.15 else ("items" if u < 0.35 else "both")

    def parents_about_themselves(self, cid, fam, parents, dates, special, group, year):
        """Stream A: each parent's ORS about themself and an SRS after each measured session."""
        rng = self.rng
        for pid, page in parents:
            intake = rng.normal(17 if special else 25, 6)
            if rng.random() < 0.12:
                intake = rng.uniform(30, 37)  # resourceful family, above cut-off
            gain = rng.normal(GAIN[year] + (2 if special else 0), 5.5)
            gain = min(gain, 39.5 - intake)
            for j, d in enumerate(dates):
                frac = j / max(1, len(dates) - 1)
                self.add(cid, fam, pid, "forælder", "selv", "ORS", d,
                         np.clip(intake + frac * gain + rng.normal(0, 1), 1, 40), group, page, self.mode())
                self.add(cid, fam, pid, "forælder", "selv", "SRS", d,
                         np.clip(rng.normal(38.0, 2.0), 20, 40), group, page,
                         "both" if rng.random() < 0.7 else "total")

    def about_the_child(self, cid, fam, child, dates, points, dropout, special, group, year):
        """Stream B: the first parent about the child; stream C: the referrer (specialgruppe only), intake and end."""
        rng = self.rng
        c_intake = rng.normal(22 if special else 28, 5)
        c_gain = min(rng.normal(GAIN[year] - 0.5, 5), 39.5 - c_intake)
        for j, d in enumerate(dates):
            frac = j / max(1, len(dates) - 1)
            self.add(cid, fam, child[0], "forælder", "barn", "CORS", d,
                     np.clip(c_intake + frac * c_gain + rng.normal(0, 1), 1, 40), group, child[1],
                     self.mode() if rng.random() > 0.05 else "total")
        if not special:
            return
        r_intake = rng.normal(20, 5)
        r_gain = min(rng.normal(GAIN[year] + 1, 5), 39.5 - r_intake)
        r_dates = [points[0] + dt.timedelta(days=7)]
        if not dropout or rng.random() < 0.5:
            r_dates.append(points[-1])
        for j, d in enumerate(r_dates):
            self.add(cid, fam, child[0], "henviser", "barn", "CORS", d,
                     np.clip(r_intake + j * r_gain, 1, 40), group,
                     None if rng.random() < 0.1 else child[1], "both")

    def family(self, year: int, fam: str, course, person_no: int) -> int:
        """One family's forms on ``course``; returns the last person number used."""
        rng = self.rng
        cid, start, end, band = course
        special = rng.random() < SPECIAL_SHARE[year]
        group = "special" if special else "almen"
        n_parents = 2 if rng.random() < 0.3 else 1
        parents = []
        for _ in range(n_parents):
            person_no += 1
            parents.append((f"P{person_no:05d}", int(rng.integers(19, 46))))
        person_no += 1
        child_age = int(rng.integers(0, 2)) if band == "0-1,5" else int(rng.integers(2, 7))
        child = (f"P{person_no:05d}", child_age)
        span = (end - start).days
        points = [start + dt.timedelta(days=int(f * span)) for f in (0.0, 0.35, 0.7, 1.0)]
        points[-1] = end - dt.timedelta(days=3)
        dropout = rng.random() < 0.1
        n_meas = 1 if dropout else int(rng.integers(2, 5))
        dates = [points[0]] + points[-(n_meas - 1):] if n_meas > 1 else [points[0]]
        self.parents_about_themselves(cid, fam, parents, dates, special, group, year)
        self.about_the_child(cid, fam, child, dates, points, dropout, special, group, year)
        return person_no


def make_fit_tables(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Return ``{"fit_courses": ..., "fit_administrations": ...}`` with ISO date strings."""
    course_rows = []
    forms = _Forms(rng)
    fam_no = person_no = course_no = 0
    for year in YEARS:
        courses = []
        for start, end, band in _courses(year):
            course_no += 1
            cid = f"C{course_no:03d}"
            course_rows.append([cid, start.isoformat(), end.isoformat(), band])
            courses.append((cid, start, end, band))
        for k in range(FAMILIES_PER_YEAR[year]):
            fam_no += 1
            person_no = forms.family(year, f"F{fam_no:04d}", courses[k % 3], person_no)
    courses = pd.DataFrame(course_rows, columns=["course_id", "start_date", "end_date", "age_band"])
    adm = pd.DataFrame(forms.rows, columns=ADMIN_COLUMNS)
    adm = adm.sort_values(["date", "administration_id"], kind="mergesort").reset_index(drop=True)
    return {"fit_courses": courses, "fit_administrations": adm}
