"""The plan's period and its years: the one object everything asks which years exist.

``plan.period`` in ``plan.yml`` is either whole years (``{start: 2021, end: 2024}``: calendar plan years) or dates
(``{start: 2022-02-01, end: 2026-01-31}``: a plan year runs from the start's day and month to the day before it a
year later). A plan year is named by the calendar year it starts in (2022 for 1.2.2022-31.1.2023) and labelled the
way the plan says (``year_label``: ``split`` gives "2022/23", ``start`` gives "2022"; default: "2022" for calendar
plan years, "2022/23" otherwise). ``baseline_start`` (optional) is the first baseline plan year before the start the
data may reach back to (default: three plan years before the start).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PERIOD_KEYS = ("start", "end", "baseline_start", "year_label")
YEAR_LABELS = ("start", "split")
DEFAULT_BASELINE_YEARS = 3


@dataclass(frozen=True)
class PlanPeriod:
    """The plan's period: first and last day, the first baseline plan year and how plan years are labelled."""

    start: dt.date
    end: dt.date
    baseline_start: int
    year_label: str = "start"

    @property
    def calendar(self) -> bool:
        """True when plan years are calendar years (the period starts on 1 January)."""
        return (self.start.month, self.start.day) == (1, 1)

    def year_of(self, day) -> int:
        """The plan year a date falls in (named by the calendar year it starts in)."""
        if (day.month, day.day) >= (self.start.month, self.start.day):
            return day.year
        return day.year - 1

    @property
    def first_year(self) -> int:
        return self.start.year

    @property
    def last_year(self) -> int:
        return self.year_of(self.end)

    @property
    def years(self) -> tuple[int, ...]:
        """The plan's own years (evaluation years)."""
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def baseline_years(self) -> tuple[int, ...]:
        """The baseline plan years before the start that the data may hold."""
        return tuple(range(self.baseline_start, self.first_year))

    @property
    def data_years(self) -> tuple[int, int]:
        """(first, last) year the data contract accepts: the first baseline year to the plan's last year."""
        return self.baseline_start, self.last_year

    def year_start(self, year: int) -> dt.date:
        return _on(year, self.start.month, self.start.day)

    def year_end(self, year: int) -> dt.date:
        return self.year_start(year + 1) - dt.timedelta(days=1)

    @property
    def first_date(self) -> dt.date:
        """The first day the data may hold: the first day of the first baseline year."""
        return self.year_start(self.baseline_start)

    @property
    def last_date(self) -> dt.date:
        """The last day the data may hold: the plan's last day."""
        return self.end

    def label(self, year: int) -> str:
        """A plan year as the board reads it: "2021", or "2022/23" for plan years that cross New Year."""
        if self.year_label == "split":
            return f"{year}/{(year + 1) % 100:02d}"
        return str(year)

    def span(self, first: int | None = None, last: int | None = None) -> str:
        """A run of plan years: "2021–2024" (en dash), "2022/23–2025/26"; one year is its label."""
        first = self.first_year if first is None else first
        last = self.last_year if last is None else last
        return self.label(first) if first == last else f"{self.label(first)}–{self.label(last)}"


def _on(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a year without one
        return dt.date(year, 3, 1)


def _as_date(v, first: bool) -> dt.date | None:
    """A whole year (its first or last day) or a date (a ``datetime.date`` or 'YYYY-MM-DD'); None if neither."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return dt.date(v, 1, 1) if first else dt.date(v, 12, 31)
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            return None
    return None


def parse_period(raw, problems: list[str], where: str = "plan.yml: plan.period") -> PlanPeriod | None:
    """``plan.period`` as a :class:`PlanPeriod`, or None with every problem appended (Danish)."""
    example = "{start: 2021, end: 2024} eller {start: 2022-02-01, end: 2026-01-31}"
    if not isinstance(raw, dict):
        problems.append(f"{where} er {raw!r}, men skal være en mapping, fx {example}")
        return None
    n = len(problems)
    for key in raw:
        if key not in PERIOD_KEYS:
            problems.append(f"{where}.{key} kendes ikke{_suggest(key, PERIOD_KEYS)} (kendte nøgler: "
                            f"{', '.join(PERIOD_KEYS)})")
    start, end = (_as_date(raw.get(k), k == "start") for k in ("start", "end"))
    for key, d in (("start", start), ("end", end)):
        if d is None:
            what = "mangler" if key not in raw else f"er {raw.get(key)!r}"
            problems.append(f"{where}.{key} {what}, men skal være et årstal eller en dato (ÅÅÅÅ-MM-DD), fx {example}")
    if start is not None and end is not None:
        if not start.year >= 1990 or not end.year <= 2100:
            problems.append(f"{where}: {start.isoformat()} til {end.isoformat()} ligger ikke mellem 1990 og 2100")
        elif end < start:
            problems.append(f"{where}: end ({end.isoformat()}) ligger før start ({start.isoformat()})")
    label = raw.get("year_label")
    if label is not None and label not in YEAR_LABELS:
        problems.append(f"{where}.year_label er {label!r}, men skal være en af {', '.join(map(repr, YEAR_LABELS))} "
                        "(start: \"2022\", split: \"2022/23\")")
    if len(problems) > n:
        return None
    calendar = (start.month, start.day) == (1, 1)
    base = raw.get("baseline_start", start.year - DEFAULT_BASELINE_YEARS)
    if isinstance(base, bool) or not isinstance(base, int) or not start.year - 30 <= base <= start.year:
        problems.append(f"{where}.baseline_start er {base!r}, men skal være et helt årstal (det første basisår) "
                        f"mellem {start.year - 30} og {start.year}")
        return None
    return PlanPeriod(start, end, base, label or ("start" if calendar else "split"))


def _suggest(word: str, known) -> str:
    """"; mente du 'x'?" for the nearest known word, or ""."""
    import difflib

    hit = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.5)
    return f"; mente du '{hit[0]}'?" if hit else ""


def plan_file(directory: str | os.PathLike | None = None) -> Path:
    """``plan.yml`` of ``directory``; by default the active plan folder's, or the package's own params/ when the
    active folder holds none (a project root with only <år>.yml files, as in test set-ups)."""
    from helhedsplan_eval.paths import PACKAGE_DIR, params_dir

    path = Path(directory or params_dir()) / "plan.yml"
    if directory is None and not path.is_file() and (PACKAGE_DIR.parent / "params" / "plan.yml").is_file():
        return PACKAGE_DIR.parent / "params" / "plan.yml"
    return path


def plan_period(directory: str | os.PathLike | None = None) -> PlanPeriod:
    """The period of the plan in ``directory`` (default: the active plan folder, see
    :func:`helhedsplan_eval.paths.params_dir`); ValueError naming every problem when it cannot be read."""
    path = plan_file(directory)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _read_period(str(path), stamp)


@lru_cache(maxsize=16)
def _read_period(path: str, stamp) -> PlanPeriod:
    import yaml

    from helhedsplan_eval.yaml_io import safe_load

    try:
        with open(path, encoding="utf-8") as fh:
            doc = safe_load(fh, path) or {}
        raw = doc["plan"]["period"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: plan.period kan ikke læses ({type(exc).__name__}: {exc})") from None
    problems: list[str] = []
    period = parse_period(raw, problems)
    if period is None:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return period
