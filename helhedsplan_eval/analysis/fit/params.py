"""Constants of the FIT analysis (files, streams, scales, thresholds, cut-offs, Danish labels) and :class:`Problem`.

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

from dataclasses import dataclass



ADMIN_FILE = "fit_administrations.csv"
COURSE_FILE = "fit_courses.csv"

STREAMS: dict[str, tuple[str, str]] = {
    "A": ("forælder", "selv"),
    "B": ("forælder", "barn"),
    "C": ("henviser", "barn"),
}
STREAM_LABELS = {
    "A": "Forældrenes egen trivsel (ORS)",
    "B": "Forældrenes vurdering af barnets trivsel",
    "C": "Henviseres vurdering af barnets trivsel (specialgruppen)",
}
STREAM_SHORT = {"A": "Forælder om sig selv", "B": "Forælder om barnet", "C": "Henviser om barnet"}
STREAM_INDICATOR = {"A": "fit_parent_self", "B": "fit_parent_child", "C": "fit_referrer_child"}
STREAM_CRITERION = {"A": "FF-FAM-2", "B": "FF-FAM-3", "C": "FF-FAM-4"}

OUTCOME_SCALES = ("ORS", "CORS")
SRS_SCALE = "SRS"
VALID = {
    "rater": ("forælder", "henviser"),
    "about": ("selv", "barn"),
    "scale": ("ORS", "CORS", "SRS"),
    "group": ("almen", "special"),
}
ITEM_COLS = ("item1", "item2", "item3", "item4")

DEFAULT_THRESHOLD = 5.0  # reliable change on the ORS/CORS, points
DEFAULT_RELIABILITY = 0.93  # ORS Cronbach's alpha (Miller et al. 2003) when the data hold too few item sets
MIN_ITEM_SETS_FOR_ALPHA = 10
CUTOFFS = {"adult": 25.0, "adolescent": 28.0, "child": 32.0}
SRS_CONCERN = 36.0
COLLATERAL_YEARS = (2018, 2019)
STATUS_READING = "reliable"  # "reliable" (default) or "literal"; see the module docstring
FIRST_YEAR = 2017

READING_LABELS = {
    "literal": "bogstavelig læsning (seneste score højere end første)",
    "reliable": "pålidelig forbedring (mindst 5 point)",
    "reliable_below": "pålidelig forbedring blandt dem, der startede under den kliniske grænse",
}
READINGS = tuple(READING_LABELS)
CATEGORY_LABELS = {
    "recovered": "Pålideligt forbedret og kommet over den kliniske grænse",
    "improved": "Pålideligt forbedret uden at krydse den kliniske grænse",
    "unchanged": "Ingen pålidelig ændring",
    "deteriorated": "Pålideligt forværret",
}
READING_SHORT = {
    "reliable": "pålidelig forbedring",
    "literal": "bogstavelig læsning",
    "reliable_below": "pålidelig forbedring, startede under grænsen",
}
UNIT_WORD = {"A": "Forældre", "B": "Forældre", "C": "Henvisere"}
MINUS = "\u2212"
EN_DASH = "\u2013"
CATEGORIES = tuple(CATEGORY_LABELS)
SUPPRESSED = "skjult"


@dataclass(frozen=True)
class Problem:
    """One problem found in the FIT input. ``row`` is the line number in the CSV file (header = 1)."""

    file: str
    row: int | None
    column: str
    value: object
    expected: str
    severity: str = "error"  # "error": the record is left out; "warning": kept
    in_contract: bool = False  # the data contract's validation reports this too (not repeated by validate)

    @property
    def message(self) -> str:
        where = f"{self.file}, linje {self.row}" if self.row is not None else self.file
        kind = "fejl" if self.severity == "error" else "advarsel"
        from helhedsplan_eval.formatting import short_repr

        return f"{where}, kolonne '{self.column}': værdien {short_repr(self.value)} - {self.expected} ({kind})"

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.message
