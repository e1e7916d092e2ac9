"""The status engine's vocabulary and data types: the status words (with their report colours), the
yearly :class:`IndicatorSeries` an evaluator reads and the :class:`Evaluation` it returns."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from helhedsplan_eval import formatting as F

MET = "Opfyldt"
ON_TRACK = "På vej"
OFF_TRACK = "Ikke på vej"
NOT_MET = "Ikke opfyldt"
AWAITING = "Afventer data"
NOT_YET = "Ikke aktuel endnu"
ASSESSED = "Kvalitativ vurdering"
SUPPRESSED = "Skjult"  # a share over fewer than min_cell persons: hidden, not missing
UNJUDGEABLE = "Kan ikke vurderes"  # the figure exists but cannot be relied on (series.extra["unreliable"])
COMPONENT = "Indgår i"  # a component of a count of units (criteria.yml component_of): no verdict of its own
COMPONENT_NAME = "Indgår i et andet kriterium"  # COMPONENT where criteria are counted by status (no id to name)

STATUSES = (MET, ON_TRACK, OFF_TRACK, NOT_MET, AWAITING, NOT_YET, ASSESSED, SUPPRESSED, UNJUDGEABLE, COMPONENT)
# statuses that are no judgement of the figure: they never carry "(usikkert)"
NO_JUDGEMENT = (AWAITING, NOT_YET, ASSESSED, SUPPRESSED, UNJUDGEABLE, COMPONENT)
UNCERTAIN_SUFFIX = " (usikkert)"
ON_TRACK_RATIO = 0.95

# the badges' background colours in every report (colour is always paired with the status text); the text on
# them is white, on NOT_YET dark (report.style.STATUS_TEXT_COLOURS): every pair at least 4,5:1 (WCAG 2.1 AA)
STATUS_COLOURS = {
    MET: "#1a7f37",
    ON_TRACK: "#4d7c0f",
    OFF_TRACK: "#b45309",
    NOT_MET: "#b42318",
    AWAITING: "#6b7280",
    NOT_YET: "#9ca3af",
    ASSESSED: "#2563eb",
    SUPPRESSED: "#4b5563",
    UNJUDGEABLE: "#7c3aed",
    COMPONENT: "#475569",
}


def _cell(v) -> float | None:
    """One cell as ``IndicatorSeries._get`` returns it: a float, or None when missing or not a number."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


@dataclass
class IndicatorSeries:
    """Yearly values of one indicator.

    ``data`` is indexed by year with column ``value`` (NaN = not delivered) and optional
    ``numerator``, ``denominator``, ``comparison``, ``n``, ``se``, ``ci_low``, ``ci_high``,
    ``new`` (for cumulative totals: units first counted that year).
    """

    indicator: str
    unit: str
    data: pd.DataFrame
    expected_years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    source_missing: bool = False

    def value(self, year: int) -> float | None:
        return self._get(year, "value")

    def comparison(self, year: int) -> float | None:
        return self._get(year, "comparison")

    def _get(self, year: int, col: str) -> float | None:
        if self.__dict__.get("_cells_of") is self.data:  # an indexed copy (see ``indexed``)
            cells = self._cells.get(col)
            return None if cells is None else cells.get(year)
        if col not in self.data.columns or year not in self.data.index:
            return None
        return _cell(self.data.at[year, col])

    def indexed(self) -> "IndicatorSeries":
        """A shallow copy whose look-ups (``value``, ``comparison``, ``_get``) read every cell from a table built
        once instead of one pandas look-up each (issue 13: the status engine reads a series some twenty times per
        evaluation). The cells hold exactly what ``_get`` returns. For a series that is only read, as in
        :func:`~helhedsplan_eval.analysis.status.evaluate`; a copy whose ``data`` is replaced falls back to pandas."""
        data = self.data
        if not (data.index.is_unique and data.columns.is_unique):
            return self
        fast = copy.copy(self)
        years = data.index.tolist()
        cells = data.to_numpy(dtype=object)  # one conversion for all columns; each cell as ``data.at`` gives it
        fast._cells = {col: {y: _cell(v) for y, v in zip(years, cells[:, j])} for j, col in enumerate(data.columns)}
        fast._cells_of = data
        return fast

    def has(self, year: int) -> bool:
        return self.value(year) is not None

    def missing_years(self, years) -> list[int]:
        return [y for y in years if not self.has(y)]

    @classmethod
    def from_values(cls, indicator: str, unit: str, values: dict, expected_years=None, **cols) -> "IndicatorSeries":
        """Convenience constructor: ``values`` {year: value or None}; extra columns as dicts."""
        years = sorted(set(values) | set().union(*[set(c) for c in cols.values()]) if cols else set(values))
        df = pd.DataFrame(index=pd.Index(years, name="year"))
        df["value"] = [values.get(y, math.nan) if values.get(y) is not None else math.nan for y in years]
        for name, col in cols.items():
            df[name] = [col.get(y, math.nan) if col.get(y) is not None else math.nan for y in years]
        return cls(indicator=indicator, unit=unit, data=df, expected_years=list(expected_years or years))


@dataclass
class Evaluation:
    criterion_id: str
    year: int
    kind: str
    status: str
    uncertain: bool = False
    value: float | None = None
    value_text: str = F.MISSING
    target: float | None = None
    target_text: str = F.MISSING
    path_value: float | None = None
    path_text: str = F.MISSING
    remaining: float | None = None
    remaining_text: str = ""
    explanation: str = ""
    interval: tuple[float, float] | None = None
    missing_years: list[int] = field(default_factory=list)
    figures: dict[int, float | None] = field(default_factory=dict)
    comparison_figures: dict[int, float | None] = field(default_factory=dict)
    ratio: float | None = None
    reading: str | None = None
    alternative: dict | None = None
    notes: list[str] = field(default_factory=list)
    min_cell: int = 5

    @property
    def label(self) -> str:
        if self.status == ASSESSED:
            return self.notes_label or ASSESSED
        if self.status == SUPPRESSED:
            return f"{SUPPRESSED}: færre end {self.min_cell} personer"
        if self.status == COMPONENT:  # "Indgår i <id>" (the count of units it is part of)
            return f"{COMPONENT} {self.component_of}"
        return self.status + (UNCERTAIN_SUFFIX if self.uncertain else "")

    notes_label: str | None = None
    component_of: str | None = None  # with status COMPONENT: the count_units criterion it is part of

    def as_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["label"] = self.label
        return d
