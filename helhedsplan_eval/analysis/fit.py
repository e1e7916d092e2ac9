"""FIT (ORS/CORS/SRS) and collateral scores from the family courses (familiekurser).

Three success criteria of the agreement rest on Feedback Informed Treatment forms that the
Gladsaxe Familie- og Ungecenter collects around the family courses:

* ``FF-FAM-2`` / indicator ``fit_parent_self`` - stream A: the parent rates themself (ORS);
* ``FF-FAM-3`` / indicator ``fit_parent_child`` - stream B: the parent rates the child (ORS/CORS
  collateral);
* ``FF-FAM-4`` / indicator ``fit_referrer_child`` - stream C: the referring professional rates the
  child (collateral), specialgruppe only, 2018 and 2019 pooled (agreement footnote 21).

Scoring (research note ``fit.md`` section 1)
-------------------------------------------
Four items of 0-10 (one decimal) add up to a total of 0-40; higher is better. A record with
only a total is accepted and its items are set to total/4 (OpenFIT import rule, T15). A missing
item is never read as 0: a form with an item missing and no total has no score and is reported
as a problem. Values outside the ranges are reported (file, line, column, value, what was
expected) and the record is left out. SRS (session alliance) forms are process information and
never enter an outcome episode.

Episodes
--------
One episode per course x rated person x rater x stream, from the ORS/CORS forms only. The rater
is the optional column ``rater_id``: two parents rating the same child in one course are two
episodes. Absent or blank means "the one rater" (as before the column existed): a blank form
joins the only rater named for that course, person and stream; when two or more are named it
cannot be placed and is left out (error); without any rater id, two forms on the same date
about the same child get a warning (they may come from two raters). A self-rating (stream A)
is rated by the parent: its ``rater_id`` must be blank or the parent's own id.

Intake is the first form, last the most recent, ordered by date, then by the number in the
administration id (natural order: ``A10`` after ``A9``), then by file line. An episode is
analysable with at least two scores (OpenFIT: "no progression defined" with one score, T16);
single-score episodes are counted as attrition and left out of every change metric and share.
A total of 0 is kept with a warning (0 must never stand for a missing answer).

**Year rule.** An episode belongs to the calendar year of its last (closing) score, in every
stream. Episodes are built from all forms, whatever their year, so an episode that crosses 1
January keeps its intake: a referrer episode from November 2017 to March 2018 is a 2018
episode with its 2017 intake. FF-FAM-4 ("henvisende samarbejdspartnere i 2018 og 2019") uses
the referrer episodes whose closing rating is dated 2018 or 2019, from the specialgruppe only
(collateral scores exist only there); an episode that starts in 2019 and closes in January
2020 is a 2020 episode, outside the criterion, and the indicator's notes say how many there are.

Units (what the 65 % is a share of)
-----------------------------------
The agreement counts parents for FF-FAM-2 ("65 % af forældrene") and FF-FAM-3 ("65 % af de
forældre ... oplever øget trivsel hos deres børn") and referring partners for FF-FAM-4 ("65 %
af de henvisende samarbejdspartnere"). So the shares are over units: the parent (A), the
rating parent (B, ``rater_id``), the referring partner (C, ``rater_id``). A unit with several
analysable episodes in a year (a parent rating two children, a referrer rating several)
counts once, with the mean change of its episodes. Without a rater id each episode is its own
unit (the rater cannot be known), which is the count used before. FF-FAM-4 pools 2018 and 2019,
so a referrer counts once: all its 2018-2019 episodes count in the year of its latest one.
Counts of episodes, means, effect sizes and the Jacobson-Truax categories stay per episode.

Readings of "oplever øget trivsel" - which one drives the status
----------------------------------------------------------------
Both are computed and shown everywhere, side by side:

* literal reading ("bogstavelig læsning"): the last score is higher than the intake score
  (any increase, ``last > intake``);
* reliable reading ("pålidelig forbedring"): the increase is at least the reliable-change
  threshold, by default 5 points (``change >= 5``), the RCI quoted for the ORS in PCOMS
  practice. Beside it the Jacobson-Truax RCI computed from the data (baseline SD of the
  stream's intake scores, Cronbach's alpha of the intake items or 0.93 when there are too few
  complete item sets) and the share improving beyond that RCI;
* sensitivity reading ("pålidelig forbedring blandt dem, der startede under den kliniske
  grænse", ``reliable_below``): the reliable reading among the units who started below the
  clinical cut-off only. Parents who start at a non-clinical level have little room to improve
  (OpenFIT: intake is often high for referred families), so this shows how much the verdict
  depends on who joined the course. Shown beside the other two, never used for the status.

**The reliable reading drives the status.** Reasons: (1) the forms are 10 cm visual analogue
lines; a change of a few points lies within the measurement error of the instrument, so under
the literal reading about half of the families whose well-being did not change at all would
still count as "improved", and the 65 % target would sit only 15 points above pure chance;
(2) the 65 % target matches the PCOMS benchmark band for "reliable and/or clinically
significant change" (65.6 % benchmarking study, 67.5 % RCTs; research note section 3), which is
what the FIT method the family centre uses calls improvement; (3) the agreement leaves the
processing and interpretation to the family centre's FIT practice, where reliable change is
the standard reading. The literal share is never hidden: the board tables and the indicator
``extra["readings"]`` carry it for every year, and the notebook names the reading used. The
status table evaluates all three readings with the status engine and
:func:`reading_sensitivity_text` says, per criterion, whether the reading decides the status.
The choice is the module constant :data:`STATUS_READING`; changing it to ``"literal"`` switches
the indicators.

Conventions
-----------
* Fixed threshold: ``change >= threshold`` is reliable improvement, ``change <= -threshold``
  reliable deterioration (T13: 20 -> 25 is reliable and, with cutoff 25, recovered). The
  data-driven Jacobson-Truax RCI is a continuous value and uses the strict rule of Jacobson &
  Truax / CECPfuns (``|change| > RCI``, T3).
* Cut-offs (score at or above = non-clinical): adult (18+) 25, adolescent (13-17) 28, child
  (under 13) 32. The course children are 0-6 years; the CORS/YCORS has no validated cutoff
  under 6, so the child cutoff 32 is used for them and the board text says so. Missing age:
  adult for stream A, child for streams B and C.
* Jacobson-Truax categories (on the fixed threshold): recovered (reliable improvement from
  below the cutoff to at or above it), improved (other reliable improvement), unchanged,
  deteriorated (reliable deterioration).

Disclosure control for board tables, charts and texts
-----------------------------------------------------
Counts of 1 to ``min_cell - 1`` show as "<5"; means and effect sizes over fewer than
``min_cell`` episodes and shares over fewer than ``min_cell`` units show as "–" and are never
chart points. Secondary suppression (:func:`suppress_groups`) hides further cells ("skjult")
wherever a hidden count could be worked out from what the reader sees: started = analysable +
single-score, units = below + at/above the cut-off, analysable episodes ~ units (linked), 'I alt'
= the sum of the years, the Jacobson-Truax categories against the analysable episodes and the
reliable improvements (known from the share), and the histogram bins against the same totals.
Counts quoted outside the stream tables (the readings and status tables, the collateral
sentence, the chart labels) are taken from the stream table as shown, so a count it hides is
hidden everywhere; the status explanation then gives the share without counts. The
indicators' notes use the disclosure threshold in force (the status engine's ``MIN_CELL``, set
by the run's ``min_cell``). The status engine gives no verdict over fewer than ``min_cell``
units. No ids, dates or free text leave this module through :func:`board_tables` /
:func:`chart_data` / :func:`status_table`; :func:`problem_table` (file, line, value) is for the
evaluator only and must not go into board HTML.

Board language: Danish throughout; English terms only with a Danish explanation; a real minus
sign (U+2212) and ranges with an en dash ("39,7–89,2 %", :func:`fmt_range`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from scipy import stats as _st

from helhedsplan_eval.formatting import MISSING, NBSP, fmt_count, fmt_number, fmt_pct
from helhedsplan_eval.analysis.registry import indicator
from helhedsplan_eval.analysis.stats import wilson_interval

# --------------------------------------------------------------------------------------
# Constants and parameters
# --------------------------------------------------------------------------------------

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
        return f"{where}, kolonne '{self.column}': værdien {self.value!r} - {self.expected} ({kind})"

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.message


# --------------------------------------------------------------------------------------
# Formulas (research note section 3; tested against T1-T5)
# --------------------------------------------------------------------------------------


def rci_points(sd: float, reliability: float, conf: float = 0.95) -> float:
    """Jacobson-Truax reliable change index in raw points: z * sqrt(2) * SD1 * sqrt(1 - r).

    Hand-written because no library in the project's dependencies (scipy, statsmodels) implements the
    Jacobson-Truax (1991) reliable change index; it is one published formula, checked against worked
    examples in tests/test_fit.py (T1-T4)."""
    if sd is None or reliability is None or not np.isfinite(sd) or not np.isfinite(reliability):
        return math.nan
    if not 0 <= reliability < 1 or sd < 0:
        return math.nan
    z = NormalDist().inv_cdf(1 - (1 - conf) / 2)
    return z * math.sqrt(2) * sd * math.sqrt(1 - reliability)


def csc_cutoff(m_clin: float, sd_clin: float, m_nonclin: float, sd_nonclin: float) -> float:
    """Jacobson-Truax criterion c: (SD_clin*M_nonclin + SD_nonclin*M_clin) / (SD_clin + SD_nonclin)."""
    return (sd_clin * m_nonclin + sd_nonclin * m_clin) / (sd_clin + sd_nonclin)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of complete item rows (k/(k-1) * (1 - sum var_i / var_total)); NaN if < 2 rows."""
    x = items.dropna()
    k = x.shape[1]
    if len(x) < 2 or k < 2:
        return math.nan
    var_total = x.sum(axis=1).var(ddof=1)
    if not var_total > 0:
        return math.nan
    return k / (k - 1) * (1 - x.var(ddof=1).sum() / var_total)


def _clean_delta(delta):
    """Changes are sums of one-decimal values; round away binary noise before comparing."""
    return np.round(np.asarray(delta, dtype=float), 6)


def classify_change(delta, threshold: float = DEFAULT_THRESHOLD, strict: bool = False) -> np.ndarray:
    """'improvement' / 'no_change' / 'deterioration' for each change.

    ``strict=False`` (fixed 5-point rule): change >= threshold is improvement.
    ``strict=True`` (Jacobson-Truax / CECPfuns): change must exceed the RCI."""
    d = _clean_delta(np.atleast_1d(delta))
    t = round(float(threshold), 6)
    up = d > t if strict else d >= t
    down = d < -t if strict else d <= -t
    out = np.where(up, "improvement", np.where(down, "deterioration", "no_change"))
    out = np.where(np.isnan(d), None, out)
    return out


def jt_category(intake, last, cutoff, threshold: float = DEFAULT_THRESHOLD, strict: bool = False) -> np.ndarray:
    """Jacobson-Truax category per episode: recovered / improved / unchanged / deteriorated."""
    intake = np.atleast_1d(np.asarray(intake, dtype=float))
    last = np.atleast_1d(np.asarray(last, dtype=float))
    cutoff = np.broadcast_to(np.asarray(cutoff, dtype=float), intake.shape)
    cls = classify_change(last - intake, threshold, strict)
    crossed = (intake < cutoff) & (last >= cutoff)
    out = np.where(
        cls == "improvement",
        np.where(crossed, "recovered", "improved"),
        np.where(cls == "deterioration", "deteriorated", "unchanged"),
    )
    return np.where(pd.isna(cls), None, out)


def cutoff_for_age(age, stream: str) -> float:
    """Age-appropriate clinical cut-off; missing age -> adult for stream A, child for B/C."""
    if age is None or (isinstance(age, float) and math.isnan(age)) or pd.isna(age):
        return CUTOFFS["adult"] if stream == "A" else CUTOFFS["child"]
    age = float(age)
    if age >= 18:
        return CUTOFFS["adult"]
    if age >= 13:
        return CUTOFFS["adolescent"]
    return CUTOFFS["child"]


def natural_key(text: str) -> tuple:
    """Sort key that reads the digits in an id as a number: 'A10' after 'A9', not after 'A1'."""
    parts = re.split(r"(\d+)", str(text))
    return tuple(int(p) if j % 2 else p.lower() for j, p in enumerate(parts))


def items_from_total(total: float) -> tuple[float, float, float, float]:
    """OpenFIT import rule for a total-only record: each item is total/4 (T15)."""
    return (total / 4.0,) * 4


# --------------------------------------------------------------------------------------
# Scoring and validation
# --------------------------------------------------------------------------------------


def _is_blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _to_float(v):
    """(value, ok): blank -> (nan, True); numeric (also '7,5') -> (float, True); else (nan, False)."""
    if _is_blank(v):
        return math.nan, True
    if isinstance(v, str):
        v = v.strip().replace(",", ".")
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan, False
    if not math.isfinite(f):
        return math.nan, False
    return f, True


def _has_more_than_one_decimal(x: float) -> bool:
    return abs(x * 10 - round(x * 10)) > 1e-6


def score_administrations(adm: pd.DataFrame, file: str = ADMIN_FILE) -> tuple[pd.DataFrame, list[Problem]]:
    """Score and validate every administered form.

    Returns the usable rows with added columns ``score`` (0-40), ``score_source`` ('items' or
    'total'), ``item_complete`` (all four items given), ``stream`` ('A'/'B'/'C'/None for SRS),
    ``date`` (Timestamp), ``year``; and the list of problems. Rows with an error are left out."""
    problems: list[Problem] = []
    if adm is None or len(adm) == 0:
        cols = list(adm.columns) if adm is not None else []
        empty = pd.DataFrame(columns=cols + ["score", "score_source", "item_complete", "stream", "year"])
        return empty, problems
    # line numbers as a person sees them: the bundle's index is the Excel row (header = 1); a plain
    # frame (0, 1, 2, ...) gets row = position + 2
    if isinstance(adm.index, pd.RangeIndex) and adm.index.start == 0 and adm.index.step == 1:
        lines = np.arange(len(adm)) + 2
    else:
        lines = pd.to_numeric(pd.Series(adm.index), errors="coerce").fillna(-1).astype(int).to_numpy()
        if (lines < 1).any():
            lines = np.arange(len(adm)) + 2
    df = adm.reset_index(drop=True).copy()
    keep = np.ones(len(df), dtype=bool)
    scores = np.full(len(df), np.nan)
    source = np.array([None] * len(df), dtype=object)
    complete = np.zeros(len(df), dtype=bool)
    items_out = np.full((len(df), 4), np.nan)
    dates = pd.to_datetime(df["date"], errors="coerce", format="ISO8601") if "date" in df else None

    def err(i, col, val, expected, severity="error", in_contract=False):
        problems.append(Problem(file, int(lines[i]), col, val, expected, severity, in_contract))
        if severity == "error":
            keep[i] = False

    for i in range(len(df)):
        row = df.iloc[i]
        for col, allowed in VALID.items():
            val = row.get(col)
            if _is_blank(val) or str(val).strip() not in allowed:
                err(i, col, None if _is_blank(val) else val, f"forventet en af {', '.join(allowed)}",
                    in_contract=True)
        if dates is None or pd.isna(dates.iloc[i]):
            err(i, "date", row.get("date"), "forventet en dato på formen ÅÅÅÅ-MM-DD", in_contract=True)
        if str(row.get("rater")).strip() == "henviser" and str(row.get("about")).strip() == "selv":
            err(i, "about", row.get("about"), "en henviser vurderer kun barnet (forventet 'barn')")
        items = []
        for c in ITEM_COLS:
            f, ok = _to_float(row.get(c))
            if not ok:
                err(i, c, row.get(c), "forventet et tal fra 0 til 10 eller tom", in_contract=True)
            elif not math.isnan(f):
                if not 0 <= f <= 10:
                    err(i, c, row.get(c), "forventet et tal fra 0 til 10", in_contract=True)
                    f = math.nan
                elif _has_more_than_one_decimal(f):
                    err(i, c, row.get(c), "højst én decimal forventet (mm på en 10 cm-linje)", "warning")
            items.append(f)
        total, ok = _to_float(row.get("total"))
        if not ok:
            err(i, "total", row.get("total"), "forventet et tal fra 0 til 40 eller tom", in_contract=True)
        elif not math.isnan(total) and not 0 <= total <= 40:
            err(i, "total", row.get("total"), "forventet et tal fra 0 til 40", in_contract=True)
            total = math.nan
        given = [x for x in items if not math.isnan(x)]
        if len(given) == 4:
            s = float(sum(items))
            complete[i] = True
            items_out[i] = items
            if not math.isnan(total) and abs(s - total) > 0.05 + 1e-9:
                err(i, "total", row.get("total"), f"stemmer ikke med summen af de fire items ({fmt_number(s, 1)})",
                    in_contract=True)
            scores[i], source[i] = s, "items"
        elif not math.isnan(total):
            scores[i], source[i] = total, "total"
            items_out[i] = items_from_total(total)
            if given:
                err(i, "item1-item4", f"{len(given)} af 4 items", "delvise items ignoreret; totalen er brugt", "warning")
        else:
            missing = [c for c, x in zip(ITEM_COLS, items) if math.isnan(x)]
            err(
                i,
                ",".join(missing) if given else "total",
                None,
                "mangler: en score kræver alle fire items eller en total (et manglende item tælles aldrig som 0)",
                in_contract=True,
            )
        if keep[i] and scores[i] == 0:
            err(i, "total" if source[i] == "total" or not math.isnan(total) else "item1-item4", 0,
                "en samlet score på 0 er usædvanlig; kontrollér, at 0 ikke står for manglende svar "
                "(skemaet tæller med)", "warning")
        rid = row.get("rater_id")
        if not _is_blank(rid) and str(row.get("about")).strip() == "selv" \
                and str(rid).strip() != str(row.get("rated_person_id")).strip():
            err(i, "rater_id", "(pseudonym)", "ved en selvvurdering ('selv') skal rater_id være tom eller "
                "den samme som rated_person_id")
    df["score"] = scores
    df["score_source"] = source
    df["item_complete"] = complete
    for j, c in enumerate(ITEM_COLS):
        df[c + "_scored"] = items_out[:, j]
    df["date"] = dates
    df["year"] = dates.dt.year if dates is not None else np.nan
    rater = df["rater"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    about = df["about"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    scale = df["scale"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    stream = np.array([None] * len(df), dtype=object)
    for key, (r, a) in STREAMS.items():
        stream[((rater == r) & (about == a) & scale.isin(OUTCOME_SCALES)).to_numpy()] = key
    df["stream"] = stream
    df["group"] = df["group"].astype("object").map(lambda v: None if _is_blank(v) else str(v).strip())
    df["rated_age"] = pd.to_numeric(df.get("rated_age"), errors="coerce")
    df["rater_id"] = (df["rater_id"].astype("object") if "rater_id" in df else pd.Series([None] * len(df)))
    df["rater_id"] = df["rater_id"].map(lambda v: "" if _is_blank(v) else str(v).strip())
    df["_line"] = lines
    ids = df["administration_id"].astype("object").map(lambda v: "" if _is_blank(v) else str(v).strip())
    rank = {a: r for r, a in enumerate(sorted(set(ids), key=natural_key))}
    df["_admin_order"] = ids.map(rank).astype(int)
    out = df.loc[keep].reset_index(drop=True)
    return out, problems


# --------------------------------------------------------------------------------------
# Episodes
# --------------------------------------------------------------------------------------

EPISODE_COLUMNS = [
    "stream", "course_id", "rated_person_id", "rater_key", "unit_id", "family_id", "n_scores", "intake", "last",
    "change", "year", "intake_year", "analysable", "special", "rated_age", "cutoff", "intake_complete",
    "intake_item1", "intake_item2", "intake_item3", "intake_item4",
]
EPISODE_KEY = ["stream", "course_id", "rated_person_id", "rater_key"]


def _resolve_raters(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Give every outcome form its ``rater_key``.

    A blank ``rater_id`` means "the one rater" of that course, rated person and stream: when the
    other forms of that group name exactly one rater, the blank forms are theirs; when they name
    two or more, a blank form cannot be placed and is left out (error). Forms about the parent's
    own well-being are rated by the parent (key = the parent's id). Without any rater id, two
    forms on the same date about the same child in the same course get a warning: they may come
    from two raters (e.g. mother and father), which only ``rater_id`` can tell apart."""
    problems: list[Problem] = []
    df = df.copy()
    df["rater_key"] = df["rater_id"].astype(str)
    own = df["stream"] == "A"
    df.loc[own, "rater_key"] = df.loc[own, "rated_person_id"].astype(str)
    keep = np.ones(len(df), dtype=bool)
    grp = ["stream", "course_id", "rated_person_id"]
    for _key, idx in df[~own].groupby(grp, sort=False, dropna=False).groups.items():
        sub = df.loc[idx]
        known = sorted(set(sub["rater_key"]) - {""})
        blank = sub.index[sub["rater_key"] == ""]
        if len(known) == 1:
            df.loc[blank, "rater_key"] = known[0]
        elif len(known) > 1:
            for i in blank:
                problems.append(Problem(ADMIN_FILE, int(df.at[i, "_line"]), "rater_id", None,
                                        f"tom, men {len(known)} forskellige bedømmere har vurderet samme person i "
                                        "samme kursus; skemaet kan ikke placeres i et forløb og er udeladt"))
                keep[df.index.get_loc(i)] = False
        else:
            dup = sub[sub.duplicated("date", keep="first")]
            for line in dup["_line"]:
                problems.append(Problem(ADMIN_FILE, int(line), "rater_id", None,
                                        "to skemaer samme dag om samme person i samme kursus uden rater_id; er de "
                                        "udfyldt af to forskellige (fx mor og far), skal rater_id angives, ellers "
                                        "lægges de i ét forløb", "warning"))
    return df[keep], problems


def build_episodes(scored: pd.DataFrame, collateral_years=COLLATERAL_YEARS) -> tuple[pd.DataFrame, list[Problem]]:
    """Episodes per course x rated person x rater x stream from scored ORS/CORS forms.

    Forms are ordered by date, then by the number in the administration id (natural order), then
    by file line. Stream C keeps only specialgruppe forms (others: warning, left out); all of its
    forms build episodes, whatever their year, so an episode that crosses 1 January keeps its
    intake. Which episodes count for FF-FAM-4 is decided by the episode's year (its last score),
    see :func:`stream_table`. ``collateral_years`` is kept for backward compatibility."""
    problems: list[Problem] = []
    if scored is None or len(scored) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    df = scored[scored["stream"].notna()].copy()
    if "rater_id" not in df:
        df["rater_id"] = ""
    if "_admin_order" not in df:
        df["_admin_order"] = 0
    is_c = df["stream"] == "C"
    almen_c = is_c & (df["group"] != "special")
    for line in df.loc[almen_c, "_line"]:
        problems.append(Problem(ADMIN_FILE, int(line), "group", "almen",
                                "collateral scores fra henvisere findes kun for specialgruppen; rækken er udeladt",
                                "warning"))
    df = df[~almen_c]
    if len(df) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    df, p2 = _resolve_raters(df)
    problems.extend(p2)
    if len(df) == 0:
        return pd.DataFrame(columns=EPISODE_COLUMNS), problems
    df = df.sort_values(EPISODE_KEY + ["date", "_admin_order", "_line"], kind="mergesort")
    g = df.groupby(EPISODE_KEY, sort=True, dropna=False)
    first = g.head(1).set_index(EPISODE_KEY)
    lastrow = g.tail(1).set_index(EPISODE_KEY)
    ep = pd.DataFrame(index=first.index)
    ep["family_id"] = first["family_id"]
    ep["n_scores"] = g.size()
    ep["intake"] = first["score"].astype(float)
    ep["last"] = lastrow["score"].astype(float)
    ep["year"] = lastrow["year"].astype(int)
    ep["intake_year"] = first["year"].astype(int)
    ep["analysable"] = ep["n_scores"] >= 2
    ep["change"] = np.where(ep["analysable"], _clean_delta(ep["last"] - ep["intake"]), np.nan)
    ep.loc[~ep["analysable"], "last"] = np.nan
    ep["special"] = g["group"].agg(lambda s: bool((s == "special").any()))
    ep["rated_age"] = g["rated_age"].agg(lambda s: s.dropna().iloc[0] if s.notna().any() else np.nan)
    ep = ep.reset_index()
    ep["cutoff"] = [cutoff_for_age(a, s) for a, s in zip(ep["rated_age"], ep["stream"])]
    ep["intake_complete"] = first["item_complete"].to_numpy()
    for j, c in enumerate(ITEM_COLS, start=1):
        ep[f"intake_item{j}"] = first[c + "_scored"].to_numpy()
    # the agreement's unit: the parent (A), the rating parent (B), the referring partner (C);
    # without a rater id each episode is its own rater, as before
    ep["unit_id"] = np.where(ep["rater_key"] != "", ep["stream"] + "|" + ep["rater_key"],
                             ep["stream"] + "|" + ep["course_id"].astype(str) + "|" + ep["rated_person_id"].astype(str))
    return ep[EPISODE_COLUMNS], problems


def assign_unit_years(ep: pd.DataFrame, collateral_years=COLLATERAL_YEARS) -> pd.Series:
    """The year in which an episode's unit (parent or referrer) is counted.

    Streams A and B are judged year by year: the episode's year. FF-FAM-4 pools 2018 and 2019,
    so a referring partner must count once: its analysable episodes of 2018-2019 all count in
    the year of its latest one (so a 2018 interim judgement sees only the referrers whose
    ratings all ended in 2018)."""
    uy = ep["year"].astype(float).copy()
    sel = (ep["stream"] == "C") & ep["analysable"].astype(bool) & ep["year"].isin(list(collateral_years))
    if sel.any():
        latest = ep.loc[sel].groupby("unit_id")["year"].transform("max")
        uy.loc[sel] = latest.astype(float)
    return uy


def unit_outcomes(ep: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per counted unit (stream, unit, unit year) from its analysable episodes.

    A unit with several episodes (a parent rating two children, a referrer rating several)
    counts once, with the mean change of its episodes. 'below' units had at least one episode
    starting below the clinical cut-off; their sensitivity outcome uses the mean change of
    those episodes only."""
    cols = ["stream", "unit_id", "unit_year", "n_episodes", "change", "below", "change_below",
            "improved_literal", "improved_reliable", "improved_below"]
    a = ep[ep["analysable"].astype(bool)]
    if len(a) == 0:
        return pd.DataFrame(columns=cols)
    a = a.assign(_below=(a["intake"].astype(float) < a["cutoff"].astype(float)),
                 _chg=a["change"].astype(float))
    a = a.assign(_chg_below=a["_chg"].where(a["_below"]))
    g = a.groupby(["stream", "unit_id", "unit_year"], sort=True)
    u = pd.DataFrame({
        "n_episodes": g.size(),
        "change": g["_chg"].mean(),
        "below": g["_below"].any(),
        "change_below": g["_chg_below"].mean(),
    }).reset_index()
    u["improved_literal"] = _clean_delta(u["change"]) > 0
    u["improved_reliable"] = classify_change(u["change"], threshold) == "improvement"
    u["improved_below"] = np.where(u["below"], classify_change(u["change_below"].fillna(0), threshold)
                                   == "improvement", np.nan)
    return u[cols]


def add_classification(ep: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Add literal/reliable flags and the Jacobson-Truax category to analysable episodes."""
    ep = ep.copy()
    a = ep["analysable"].astype(bool)
    ep["improved_literal"] = np.where(a, ep["change"] > 0, np.nan)
    cls = classify_change(ep["change"], threshold)
    ep["change_class"] = np.where(a, cls, None)
    ep["improved_reliable"] = np.where(a, cls == "improvement", np.nan)
    ep["category"] = np.where(a, jt_category(ep["intake"], ep["last"], ep["cutoff"], threshold), None)
    if "unit_id" not in ep:  # episodes built elsewhere: each episode is its own unit
        ep["unit_id"] = [f"{s}|{c}|{p}" for s, c, p in zip(ep["stream"], ep["course_id"], ep["rated_person_id"])]
    ep["unit_year"] = assign_unit_years(ep)
    return ep


# --------------------------------------------------------------------------------------
# Summaries per stream and year
# --------------------------------------------------------------------------------------


def _share(k, n):
    if not n:
        return math.nan, math.nan, math.nan
    lo, hi = wilson_interval(k, n)
    return 100.0 * k / n, 100.0 * lo, 100.0 * hi


def summarise(ep: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD,
              default_reliability: float = DEFAULT_RELIABILITY, units: pd.DataFrame | None = None) -> dict:
    """All metrics of the spec for one set of episodes (one stream, one year or a pooled period).

    Counts, means, effect sizes and categories are per episode; the shares that the criteria
    judge (``n_units``, ``n_improved_*``, ``share_*``) are per unit (parent or referrer, see
    :func:`unit_outcomes`); ``units`` defaults to the units of ``ep``."""
    ep = add_classification(ep, threshold) if "category" not in ep else ep
    if units is None:
        units = unit_outcomes(ep, threshold)
    a = ep[ep["analysable"].astype(bool)]
    n = len(a)
    m: dict = {
        "n_started": len(ep),
        "n_analysable": n,
        "n_single_score": int((~ep["analysable"].astype(bool)).sum()),
        "n_families": int(ep["family_id"].nunique()),
    }
    intake, last, change = a["intake"].astype(float), a["last"].astype(float), a["change"].astype(float)
    m["mean_intake"] = intake.mean() if n else math.nan
    m["mean_last"] = last.mean() if n else math.nan
    m["mean_change"] = change.mean() if n else math.nan
    m["sd_intake"] = intake.std(ddof=1) if n >= 2 else math.nan
    m["sd_change"] = change.std(ddof=1) if n >= 2 else math.nan
    if n >= 2 and m["sd_change"] > 0:
        ci = _st.ttest_1samp(change.to_numpy(), 0.0).confidence_interval(0.95)
        m["change_ci_low"], m["change_ci_high"] = float(ci.low), float(ci.high)
    elif n >= 2:
        m["change_ci_low"] = m["change_ci_high"] = m["mean_change"]
    else:
        m["change_ci_low"] = m["change_ci_high"] = math.nan
    m["d_intake"] = m["mean_change"] / m["sd_intake"] if n >= 2 and m["sd_intake"] > 0 else math.nan
    m["d_z"] = m["mean_change"] / m["sd_change"] if n >= 2 and m["sd_change"] > 0 else math.nan
    nu = len(units)
    below = units["below"].astype(bool) if nu else pd.Series(dtype=bool)
    m["n_units"] = nu
    m["n_units_below"] = int(below.sum())
    m["n_units_above"] = nu - m["n_units_below"]
    k_lit = int(units["improved_literal"].astype(bool).sum()) if nu else 0
    k_rel = int(units["improved_reliable"].astype(bool).sum()) if nu else 0
    k_below = int((units.loc[below, "improved_below"] == 1).sum()) if nu else 0
    m["n_improved_literal"] = k_lit
    m["share_improved_literal"], m["literal_ci_low"], m["literal_ci_high"] = _share(k_lit, nu)
    m["n_improved_reliable"] = k_rel
    m["share_improved_reliable"], m["reliable_ci_low"], m["reliable_ci_high"] = _share(k_rel, nu)
    m["n_improved_below"] = k_below
    m["share_improved_below"], m["below_ci_low"], m["below_ci_high"] = _share(k_below, m["n_units_below"])
    m["n_unchanged_reliable"] = int((a["change_class"] == "no_change").sum())
    m["n_deteriorated_reliable"] = int((a["change_class"] == "deterioration").sum())
    m["threshold"] = threshold
    # Jacobson-Truax RCI from the data
    items = a.loc[a["intake_complete"].astype(bool), [f"intake_item{j}" for j in range(1, 5)]]
    alpha = cronbach_alpha(items) if len(items) >= MIN_ITEM_SETS_FOR_ALPHA else math.nan
    if np.isfinite(alpha) and 0 < alpha < 1:
        m["reliability"], m["reliability_source"] = alpha, "data"
    else:
        m["reliability"], m["reliability_source"] = default_reliability, "standard"
    m["rci_data"] = rci_points(m["sd_intake"], m["reliability"]) if n >= 2 else math.nan
    if np.isfinite(m["rci_data"]) and nu:
        k_rci = int((classify_change(units["change"], m["rci_data"], strict=True) == "improvement").sum())
        m["n_improved_rci_data"] = k_rci
        m["share_improved_rci_data"] = _share(k_rci, nu)[0]
    else:
        m["n_improved_rci_data"], m["share_improved_rci_data"] = (math.nan, math.nan)
    for c in CATEGORIES:
        m[f"n_{c}"] = int((a["category"] == c).sum())
    m["n_intake_at_or_above_cutoff"] = int((a["intake"] >= a["cutoff"]).sum())
    m["n_intake_below_cutoff"] = n - m["n_intake_at_or_above_cutoff"]
    return m


def _reading_keys(reading: str) -> tuple[str, str]:
    """(numerator key, denominator key) of a reading in :func:`summarise`'s metrics."""
    if reading == "literal":
        return "n_improved_literal", "n_units"
    if reading == "reliable":
        return "n_improved_reliable", "n_units"
    if reading == "reliable_below":
        return "n_improved_below", "n_units_below"
    raise ValueError(f"unknown reading {reading!r}; expected 'literal', 'reliable' or 'reliable_below'")


@dataclass
class FitData:
    """Scored forms, episodes (classified) and problems of one data set."""

    scored: pd.DataFrame
    episodes: pd.DataFrame
    courses: pd.DataFrame | None
    problems: list[Problem]
    threshold: float = DEFAULT_THRESHOLD

    @property
    def years_with_data(self) -> set[int]:
        """Calendar years in which any form (of any kind) was administered."""
        if len(self.scored) == 0:
            return set()
        return {int(y) for y in self.scored["year"].dropna().unique()}


def prepare(administrations: pd.DataFrame | None, courses: pd.DataFrame | None = None,
            threshold: float = DEFAULT_THRESHOLD) -> FitData:
    """Score, validate and build classified episodes from the two FIT tables."""
    scored, problems = score_administrations(administrations)
    if courses is not None and len(scored):
        known = set(courses["course_id"].astype(str))
        unknown = ~scored["course_id"].astype(str).isin(known)
        for line, val in zip(scored.loc[unknown, "_line"], scored.loc[unknown, "course_id"]):
            problems.append(Problem(ADMIN_FILE, int(line), "course_id", val,
                                    f"findes ikke i {COURSE_FILE}", "warning", in_contract=True))
    ep, p2 = build_episodes(scored)
    problems.extend(p2)
    ep = add_classification(ep, threshold)
    return FitData(scored=scored, episodes=ep, courses=courses, problems=problems, threshold=threshold)


def from_bundle(bundle, threshold: float = DEFAULT_THRESHOLD) -> FitData | None:
    """FitData from a DataBundle, or None when ``fit_administrations`` was not delivered."""
    adm = bundle.table("fit_administrations")
    if adm is None:
        return None
    courses = bundle.table("fit_courses")
    # the board functions ask for the same data many times; tables are never changed in place here
    for a, c, t, fd in _PREPARED:
        if a is adm and c is courses and t == threshold:
            return fd
    fd = prepare(adm, courses, threshold)
    _PREPARED.insert(0, (adm, courses, threshold, fd))
    del _PREPARED[4:]
    return fd


_PREPARED: list = []  # the last few (administrations, courses, threshold, FitData), by object identity


def stream_table(fd: FitData, stream: str, years, include_total: bool = True) -> pd.DataFrame:
    """Numeric metrics (columns) for one stream by year (index), plus a pooled 'i alt' row.

    A year in which no form of any kind exists is missing (all NaN), not zero. Stream C rows
    outside 2018-2019 are NaN (not applicable); its pooled row covers 2018-2019 only."""
    rows = {}
    ep_s = fd.episodes[fd.episodes["stream"] == stream]
    units = unit_outcomes(ep_s, fd.threshold)
    have = fd.years_with_data
    pooled_years = []
    for y in years:
        y = int(y)
        if stream == "C" and y not in COLLATERAL_YEARS:
            rows[y] = {}
            continue
        if y not in have:
            rows[y] = {}
            continue
        pooled_years.append(y)
        rows[y] = summarise(ep_s[ep_s["year"] == y], fd.threshold, units=units[units["unit_year"] == y])
    if include_total:
        label = "i alt"
        rows[label] = (summarise(ep_s[ep_s["year"].isin(pooled_years)], fd.threshold,
                                 units=units[units["unit_year"].isin(pooled_years)]) if pooled_years else {})
    out = pd.DataFrame.from_dict(rows, orient="index")
    template = summarise(ep_s.iloc[0:0], fd.threshold).keys()
    return out.reindex(columns=list(template))


def specialgruppe_size(fd: FitData, years) -> pd.Series:
    """Number of distinct families with any specialgruppe form in each year (NaN: no data that year)."""
    s = fd.scored
    out = {}
    have = fd.years_with_data
    for y in years:
        if int(y) not in have:
            out[int(y)] = math.nan
        else:
            sub = s[(s["year"] == int(y)) & (s["group"] == "special")]
            out[int(y)] = float(sub["family_id"].nunique())
    return pd.Series(out, name="specialgruppe_familier", dtype=float)


def srs_summary(fd: FitData, years) -> pd.DataFrame:
    """SRS (session alliance): sessions, families, mean total and share of sessions under 36, by year."""
    s = fd.scored[fd.scored["scale"].astype("object") == SRS_SCALE]
    have = fd.years_with_data
    rows = {}
    for y in years:
        y = int(y)
        if y not in have:
            rows[y] = {"n_sessions": math.nan, "n_families": math.nan, "mean_srs": math.nan, "share_under_36": math.nan}
            continue
        sub = s[s["year"] == y]
        n = len(sub)
        rows[y] = {
            "n_sessions": float(n),
            "n_families": float(sub["family_id"].nunique()),
            "mean_srs": sub["score"].mean() if n else math.nan,
            "share_under_36": 100.0 * (sub["score"] < SRS_CONCERN).sum() / n if n else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def courses_per_year(fd: FitData, years) -> pd.Series:
    """Number of courses starting in each year (NaN when the course list is missing)."""
    c = fd.courses
    if c is None:
        return pd.Series({int(y): math.nan for y in years}, dtype=float)
    start = pd.to_datetime(c["start_date"], errors="coerce", format="ISO8601")
    return pd.Series({int(y): float((start.dt.year == int(y)).sum()) for y in years}, dtype=float)


# --------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------


def _series_cls():
    from helhedsplan_eval.analysis.status import IndicatorSeries  # written by the lead; imported lazily

    return IndicatorSeries


def _missing_series(stream: str, years, note: str):
    years = [int(y) for y in years]
    data = pd.DataFrame({"value": math.nan, "numerator": math.nan, "denominator": math.nan},
                        index=pd.Index(years, name="year"))
    return _series_cls()(indicator=STREAM_INDICATOR[stream], unit="pct", data=data,
                         expected_years=_expected_years(stream, years), notes=[note],
                         extra={"readings": {}, "status_reading": STATUS_READING}, source_missing=True)


def _min_cell_now() -> int:
    """The disclosure threshold in force (the status engine's, set by the run's ``min_cell``)."""
    try:
        from helhedsplan_eval.analysis import status

        return int(status.MIN_CELL)
    except Exception:  # pragma: no cover - the engine is always there in the package
        return 5


def _expected_years(stream: str, years) -> list[int]:
    years = [int(y) for y in years]
    return [y for y in years if y in COLLATERAL_YEARS] if stream == "C" else years


def stream_series(bundle, years, stream: str, reading: str = STATUS_READING,
                  threshold: float = DEFAULT_THRESHOLD):
    """IndicatorSeries for one stream: the chosen reading in ``data``, both readings in extra."""
    years = [int(y) for y in years]
    fd = from_bundle(bundle, threshold)
    if fd is None:
        return _missing_series(stream, years, "FIT-data (fit_administrations) er ikke leveret.")
    tab = stream_table(fd, stream, years, include_total=False)
    k_key, n_key = _reading_keys(reading)
    other = "literal" if reading != "literal" else "reliable"
    data = pd.DataFrame(index=pd.Index(years, name="year"))
    n = tab[n_key].reindex(years).astype(float)
    k = tab[k_key].reindex(years).astype(float)
    ok = n > 0
    data["numerator"] = k.where(ok)
    data["denominator"] = n.where(ok)
    data["value"] = (100.0 * k / n).where(ok)
    data["n"] = n.where(ok)
    readings = {}
    for r in READINGS:
        kk, nk = _reading_keys(r)
        rok = tab[nk].reindex(years).astype(float) > 0
        readings[r] = {
            int(y): {
                "numerator": None if not rok.get(y, False) else int(tab.at[y, kk]),
                "denominator": None if not rok.get(y, False) else int(tab.at[y, nk]),
            }
            for y in years
        }
    started = tab["n_started"].reindex(years)
    single = tab["n_single_score"].reindex(years)
    notes = [
        f"Statusen bygger på {READING_LABELS[reading]}; {READING_LABELS[other]} vises ved siden af.",
        "Et forløb tæller med i året for seneste måling; forløb med kun én måling indgår ikke i andelen.",
        ("Andelen er regnet af henvisende samarbejdspartnere: hver tæller én gang i 2018" + EN_DASH + "2019 med "
         "den gennemsnitlige ændring for de børn, de har vurderet." if stream == "C" else
         "Andelen er regnet af forældre: hver tæller én gang pr. år med den gennemsnitlige ændring for sine "
         "forløb; vurderer to forældre samme barn, tæller de hver for sig."),
    ]
    for y in years:
        if pd.notna(started.get(y)) and started.get(y) > 0 and not ok.get(y, False):
            notes.append(f"{y}: ingen forløb med mindst to målinger ({fmt_count(single.get(y), _min_cell_now())} "
                         "med kun én måling).")
    extra = {
        "readings": readings,
        "status_reading": reading,
        "other_reading": other,
        "threshold": threshold,
        "n_started": {int(y): (None if pd.isna(started.get(y)) else int(started.get(y))) for y in years},
        "n_single_score": {int(y): (None if pd.isna(single.get(y)) else int(single.get(y))) for y in years},
        "problems": len([p for p in fd.problems if p.severity == "error"]),
    }
    if stream == "C":
        ep = fd.episodes
        crossing = int((ep["analysable"].astype(bool) & (ep["stream"] == "C") & (ep["year"] > COLLATERAL_YEARS[-1])
                        & (ep["intake_year"] <= COLLATERAL_YEARS[-1])).sum())
        if crossing and max(years) > COLLATERAL_YEARS[-1]:
            notes.append(f"{fmt_count(crossing, _min_cell_now())} henviserforløb begyndte senest i "
                         f"{COLLATERAL_YEARS[-1]}, men sluttede senere; et forløb tæller i året for den seneste "
                         "vurdering, så de indgår ikke i kriteriet.")
        sg = specialgruppe_size(fd, years)
        extra["specialgruppe_families"] = {int(y): (None if pd.isna(v) else int(v)) for y, v in sg.items()}
        extra["collateral_years"] = list(COLLATERAL_YEARS)
        notes.append("Kriteriet gælder kun specialgruppen og kun 2018 og 2019 samlet; "
                     "henviservurderinger fra andre år indgår ikke.")
        sizes = "; ".join(f"{y}: {fmt_count(v, _min_cell_now())}" for y, v in sg.items() if pd.notna(v))
        if sizes:
            notes.append(f"Familier i specialgruppen pr. år: {sizes}.")
        for y in years:
            if y not in COLLATERAL_YEARS:
                data.loc[y, ["value", "numerator", "denominator", "n"]] = math.nan
    return _series_cls()(indicator=STREAM_INDICATOR[stream], unit="pct", data=data,
                         expected_years=_expected_years(stream, years), notes=notes, extra=extra,
                         source_missing=False)


@indicator("fit_parent_self", sources=("fit_administrations", "fit_courses"))
def fit_parent_self(bundle, years, reading: str = STATUS_READING, threshold: float = DEFAULT_THRESHOLD):
    """FF-FAM-2: share of parents (ORS about themselves) whose well-being increased."""
    return stream_series(bundle, years, "A", reading=reading, threshold=threshold)


@indicator("fit_parent_child", sources=("fit_administrations", "fit_courses"))
def fit_parent_child(bundle, years, reading: str = STATUS_READING, threshold: float = DEFAULT_THRESHOLD):
    """FF-FAM-3: share of parent-rated child episodes with increased well-being."""
    return stream_series(bundle, years, "B", reading=reading, threshold=threshold)


@indicator("fit_referrer_child", sources=("fit_administrations", "fit_courses"))
def fit_referrer_child(bundle, years, reading: str = STATUS_READING, threshold: float = DEFAULT_THRESHOLD):
    """FF-FAM-4: share of referrer-rated child episodes (specialgruppe, 2018-2019) with increased well-being."""
    return stream_series(bundle, years, "C", reading=reading, threshold=threshold)


# --------------------------------------------------------------------------------------
# Disclosure control
# --------------------------------------------------------------------------------------


def secondary_suppression(counts: pd.DataFrame, min_cell: int = 5, rows_sum: bool = True,
                          cols_sum: bool = True, initial: pd.DataFrame | None = None) -> pd.DataFrame:
    """Boolean mask of cells to hide in a table of counts whose rows and/or columns add up to
    totals the reader can see (a total may itself be a cell of the row, e.g. an 'I alt' column).

    Primary: counts 1..min_cell-1 (plus ``initial``, cells already hidden for other reasons).
    Secondary: while a row (or column) has exactly one hidden cell, also hide its smallest
    other non-zero cell (zeros are never hidden). NaN cells are ignored."""
    groups = []
    if rows_sum:
        groups += [[(r, col) for col in counts.columns] for r in counts.index]
    if cols_sum:
        groups += [[(r, col) for r in counts.index] for col in counts.columns]
    return suppress_groups(counts, groups, min_cell, initial=initial)


def suppress_groups(counts: pd.DataFrame, groups, min_cell: int = 5,
                    initial: pd.DataFrame | None = None, prefer=()) -> pd.DataFrame:
    """Boolean mask of cells to hide in a table of counts, given groups of cells that the reader
    can tie together: cells that add up to a total shown elsewhere (or in the group itself, e.g.
    started = analysable + single-score, or an 'I alt' column).

    Primary: counts 1..min_cell-1 (plus ``initial``). Secondary: while a group has exactly one
    hidden cell, its smallest other non-zero cell is hidden too (zeros are never hidden), taking
    cells in the rows or columns of ``prefer`` (totals) first, a cell in both first of all. Each group is a list of (row label,
    column label) cells; NaN cells are ignored. A group of two cells links them: both are shown
    or both hidden."""
    c = counts.astype(float)
    mask = ((c > 0) & (c < min_cell)).fillna(False).astype(bool)
    if initial is not None:
        mask = mask | initial.reindex_like(mask).fillna(False).astype(bool)
    changed = True
    while changed:
        changed = False
        for grp in groups:
            hidden = [cell for cell in grp if mask.at[cell[0], cell[1]]]
            if len(hidden) != 1:
                continue
            cand = [(-((r in prefer) + (k in prefer)), c.at[r, k], j) for j, (r, k) in enumerate(grp)
                    if not mask.at[r, k] and c.at[r, k] > 0]
            if cand:
                r, k = grp[min(cand)[2]]
                mask.at[r, k] = True
                changed = True
    return mask


def _fmt_counts_with_mask(counts: pd.DataFrame, mask: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    out = pd.DataFrame(index=counts.index, columns=counts.columns, dtype=object)
    for r in counts.index:
        for col in counts.columns:
            v = counts.at[r, col]
            if pd.isna(v):
                out.at[r, col] = MISSING
            elif mask.at[r, col]:
                out.at[r, col] = fmt_count(v, min_cell) if 0 < v < min_cell else SUPPRESSED
            else:
                out.at[r, col] = fmt_count(v, min_cell)
    return out


# --------------------------------------------------------------------------------------
# Board tables and chart data (aggregates only; Danish)
# --------------------------------------------------------------------------------------


def _col_label(c) -> str:
    if c == "i alt":
        return "I alt"
    return str(c)


def _fmt_ci(lo, hi, d=1, pct=False):
    return fmt_range(lo, hi, 0 if pct else d, pct=pct)


def _signed(text: str) -> str:
    """A real minus sign (U+2212) instead of the hyphen for negative numbers."""
    return MINUS + text[1:] if text.startswith("-") else text


def _num(x, d: int = 1) -> str:
    return _signed(fmt_number(x, d))


def _pct(x, d: int = 0) -> str:
    return _signed(fmt_pct(x, d))


def fmt_range(lo, hi, decimals: int = 1, pct: bool = False) -> str:
    """An interval as the board reads it: '39,7–89,2 %' (en dash, the unit once). With a negative
    bound: '−3,1 til 2,0' (an en dash next to a minus sign is easily misread)."""
    if pd.isna(lo) or pd.isna(hi):
        return MISSING
    a, b = _num(lo, decimals), _num(hi, decimals)
    sep = " til " if (a.startswith(MINUS) or b.startswith(MINUS)) else EN_DASH
    return f"{a}{sep}{b}" + (f"{NBSP}%" if pct else "")


def _is_number_text(text) -> bool:
    """True for a count as the board shows it in full ('7', '1.234'), not '<5', 'skjult' or '–'."""
    return text is not None and re.fullmatch(r"\d{1,3}(\.\d{3})*", str(text)) is not None


def _units_text(shown, stream: str) -> str:
    """'29 forældre', '<5 henvisere', 'skjult' or '–' from a count as the table shows it."""
    if shown is None or shown == MISSING:
        return MISSING
    if shown == SUPPRESSED:
        return SUPPRESSED
    return f"{shown} {UNIT_WORD[stream].lower()}"


def _units_label(stream: str) -> str:
    return f"{UNIT_WORD[stream]}, som andelene regnes af (mindst to målinger)"


def share_row(reading: str, stream: str, threshold: float = DEFAULT_THRESHOLD) -> str:
    """The row label of a reading's share in :func:`stream_board_table`."""
    if reading == "literal":
        return "Andel med højere seneste score (bogstavelig læsning)"
    if reading == "reliable":
        return f"Andel med pålidelig forbedring (mindst {fmt_number(threshold, 0)} point)"
    return f"Andel med pålidelig forbedring blandt {UNIT_WORD[stream].lower()}, der startede under grænsen"


def _shown_count(fd: FitData, stream: str, evaluation_year: int, min_cell: int, row: str) -> str | None:
    """The count as the stream's board table shows it for the criterion's column (the
    evaluation year; for stream C the 2018-2019 total), so that other tables and charts never
    show a number that the table hides. None when the stream has no table yet."""
    t = stream_board_table(fd, stream, evaluation_year, min_cell)
    if t.empty:
        return None
    col = ("I alt" if "I alt" in t.columns else t.columns[-1]) if stream == "C" else str(int(evaluation_year))
    return t.at[row, col] if col in t.columns else None


def stream_board_table(fd: FitData, stream: str, evaluation_year: int, min_cell: int = 5) -> pd.DataFrame:
    """Board table for one stream: Danish metric labels as rows, years (and 'I alt') as columns.

    The counts (episodes started, analysable, single-score; units and how many started below
    and at or above the clinical cut-off) get primary and secondary suppression: started =
    analysable + single-score, units = below + above, and 'I alt' = the sum of the years.
    Means and effect sizes over fewer than ``min_cell`` episodes and shares over fewer than
    ``min_cell`` units are not shown ("–")."""
    years = _stream_years(stream, evaluation_year)
    if not years:
        return pd.DataFrame()
    t = stream_table(fd, stream, years, include_total=len(years) > 1)
    thr = fmt_number(fd.threshold, 0)
    cols = [_col_label(c) for c in t.index]
    count_rows = [
        ("Forløb påbegyndt", "n_started"),
        ("Forløb med mindst to målinger", "n_analysable"),
        ("Forløb med kun én måling (frafald)", "n_single_score"),
        (_units_label(stream), "n_units"),
        ("Forløb, der startede på eller over den kliniske grænse", "n_intake_at_or_above_cutoff"),
        ("(not shown) analysable episodes below the cut-off", "n_intake_below_cutoff"),
    ]
    labels = [lab for lab, _ in count_rows]
    counts = pd.DataFrame({col: [t.loc[c].get(k) for _, k in count_rows] for c, col in zip(t.index, cols)},
                          index=labels, dtype=float)
    groups = []
    for col in cols:
        groups.append([(labels[0], col), (labels[1], col), (labels[2], col)])
        # analysable = at/above + below the cut-off; the 'below' count is not shown but is part of
        # the suppression, so that 'at/above' never gives a small 'below' away
        groups.append([(labels[1], col), (labels[4], col), (labels[5], col)])
        # units and analysable episodes are (nearly) the same number: shown or hidden together
        groups.append([(labels[1], col), (labels[3], col)])
    if "I alt" in cols:
        groups += [[(lab, col) for col in cols] for lab in labels]
    # hide totals first: the started count, and (A, B) the 'I alt' column, so that the judged year
    # keeps its count; for C the pooled 'I alt' is the judged figure, so a year is hidden instead
    mask = suppress_groups(counts, groups, min_cell, prefer={labels[0]} | ({"I alt"} if stream != "C" else set()))
    shown = _fmt_counts_with_mask(counts, mask, min_cell)
    labels = labels[:5]
    rows: dict[str, dict] = {lab: {col: shown.at[lab, col] for col in cols} for lab in labels}
    den_label = {"n_units": labels[3]}
    for c, col in zip(t.index, cols):
        m = t.loc[c]

        def small(key):
            n = m.get(key)
            return pd.isna(n) or n < min_cell

        def num(key, d=1):
            return MISSING if small("n_analysable") else _num(m.get(key), d)

        def den_hidden(den):
            # a share whose denominator the table hides would give the denominator away (70 % -> 10)
            return small(den) or (den in den_label and not _is_number_text(rows[den_label[den]][col]))

        def pct(key, den="n_units"):
            return MISSING if den_hidden(den) else _pct(m.get(key), 0)

        def ci(lo, hi, den="n_units"):
            return MISSING if den_hidden(den) else fmt_range(m.get(lo), m.get(hi), 0, pct=True)

        rows.setdefault("Gns. første måling (0–40 point)", {})[col] = num("mean_intake")
        rows.setdefault("Gns. seneste måling (0–40 point)", {})[col] = num("mean_last")
        rows.setdefault("Gns. ændring (point)", {})[col] = num("mean_change")
        rows.setdefault("95 %-konfidensinterval for ændringen (point)", {})[col] = (
            MISSING if small("n_analysable") else fmt_range(m.get("change_ci_low"), m.get("change_ci_high"), 1))
        rows.setdefault("Effektstørrelse: ændringen delt med spredningen ved start", {})[col] = num("d_intake", 2)
        rows.setdefault("Effektstørrelse: ændringen delt med spredningen af ændringerne", {})[col] = num("d_z", 2)
        rows.setdefault(share_row("literal", stream, fd.threshold), {})[col] = pct("share_improved_literal")
        rows.setdefault(share_row("reliable", stream, fd.threshold), {})[col] = pct("share_improved_reliable")
        rows.setdefault(f"95 %-konfidensinterval (mindst {thr} point)", {})[col] = ci("reliable_ci_low",
                                                                                     "reliable_ci_high")
        rows.setdefault(share_row("reliable_below", stream, fd.threshold), {})[col] = pct("share_improved_below",
                                                                                       "n_units_below")
        rows.setdefault("95 %-konfidensinterval (startede under grænsen)", {})[col] = ci(
            "below_ci_low", "below_ci_high", "n_units_below")
        rows.setdefault("Grænse for pålidelig ændring beregnet ud fra data (point)", {})[col] = num("rci_data")
        rows.setdefault("Skemaets pålidelighed brugt i beregningen (Cronbachs alfa)", {})[col] = (
            MISSING if small("n_analysable") else f"{_num(m.get('reliability'), 2)} "
            f"({'fra data' if m.get('reliability_source') == 'data' else 'standardværdi'})")
        rows.setdefault("Andel forbedret mere end den beregnede grænse", {})[col] = pct("share_improved_rci_data")
    out = pd.DataFrame(rows).T
    out.index.name = "Nøgletal"
    return out


def category_board_table(fd: FitData, stream: str, evaluation_year: int, min_cell: int = 5) -> pd.DataFrame:
    """Jacobson-Truax categories of the episodes (rows) by year (columns, plus 'I alt'), with
    primary and secondary suppression. The reader knows each column's total (the analysable
    episodes), the reliable improvements (recovered + improved, from the share) and so the rest
    (unchanged + deteriorated), and each row's 'I alt'; all these groups are protected. A year
    with fewer than ``min_cell`` analysable episodes has all its non-zero cells hidden."""
    years = _stream_years(stream, evaluation_year)
    if not years:
        return pd.DataFrame()
    t = stream_table(fd, stream, years, include_total=False)
    labels = [CATEGORY_LABELS[c] for c in CATEGORIES]
    counts = pd.DataFrame({str(y): [t.at[y, f"n_{c}"] for c in CATEGORIES] for y in years},
                          index=labels, dtype=float)
    if len(years) > 1:
        counts["I alt"] = counts.sum(axis=1, min_count=1)
    cols = list(counts.columns)
    initial = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    for y in years:
        n = t.at[y, "n_analysable"]
        if pd.notna(n) and n < min_cell:
            initial[str(y)] = counts[str(y)] > 0
    groups = []
    for col in cols:
        groups.append([(lab, col) for lab in labels])
        groups.append([(labels[0], col), (labels[1], col)])
        groups.append([(labels[2], col), (labels[3], col)])
    if "I alt" in cols:
        groups += [[(lab, col) for col in cols] for lab in labels]
    mask = suppress_groups(counts, groups, min_cell, initial=initial)
    out = _fmt_counts_with_mask(counts, mask, min_cell)
    out.index.name = "Udvikling i forløbene (Jacobson og Truax' inddeling)"
    return out


def _stream_years(stream: str, evaluation_year: int) -> list[int]:
    years = list(range(FIRST_YEAR, int(evaluation_year) + 1))
    return [y for y in years if y in COLLATERAL_YEARS] if stream == "C" else years


def readings_board_table(fd: FitData, evaluation_year: int, min_cell: int = 5) -> pd.DataFrame:
    """The three readings side by side for the three criteria: streams A and B for the
    evaluation year, stream C pooled over 2018-2019 (as far as the evaluation year reaches)."""
    rows = []
    below_col = "Pålidelig forbedring blandt dem, der startede under grænsen"
    for s in STREAMS:
        row = {"Kriterium": STREAM_CRITERION[s], "Målgruppe": STREAM_SHORT[s]}
        if s == "C":
            years = _stream_years(s, evaluation_year)
            row["Opgjort for"] = f"2018{EN_DASH}2019 samlet" if len(years) == 2 else "2018 (foreløbigt)"
            if not years:
                row.update({"Opgjort for": f"2018{EN_DASH}2019 samlet", "Antal i andelen": MISSING,
                            "Bogstavelig læsning": "ikke aktuel endnu",
                            "Pålidelig forbedring": "ikke aktuel endnu", below_col: "ikke aktuel endnu"})
                rows.append(row)
                continue
            m = stream_table(fd, s, years, include_total=True).loc["i alt"]
        else:
            m = stream_table(fd, s, [evaluation_year], include_total=False).loc[int(evaluation_year)]
            row["Opgjort for"] = str(evaluation_year)
        n = m.get("n_units")
        shown = _shown_count(fd, s, evaluation_year, min_cell, _units_label(s))
        row["Antal i andelen"] = MISSING if pd.isna(n) else _units_text(shown, s)
        for r, name in (("literal", "Bogstavelig læsning"), ("reliable", "Pålidelig forbedring"),
                        ("reliable_below", below_col)):
            cell = _shown_count(fd, s, evaluation_year, min_cell, share_row(r, s, fd.threshold))
            row[name] = MISSING if cell is None else cell
        rows.append(row)
    return pd.DataFrame(rows).set_index("Kriterium")


def srs_board_table(fd: FitData, evaluation_year: int, min_cell: int = 5) -> pd.DataFrame:
    years = list(range(FIRST_YEAR, int(evaluation_year) + 1))
    s = srs_summary(fd, years)
    out = {}
    for y in years:
        r = s.loc[y]
        small = pd.isna(r["n_families"]) or r["n_families"] < min_cell
        out[str(y)] = {
            "Sessioner med vurdering af samarbejdet": fmt_count(r["n_sessions"], min_cell),
            "Familier": fmt_count(r["n_families"], min_cell),
            "Gns. vurdering af samarbejdet (0–40 point)": MISSING if small else _num(r["mean_srs"], 1),
            "Andel sessioner under 36 point": MISSING if small else _pct(r["share_under_36"], 0),
        }
    df = pd.DataFrame(out)
    df.index.name = "Samarbejdet ved sessionerne (SRS)"
    return df


def participation_board_table(fd: FitData, evaluation_year: int, min_cell: int = 5) -> pd.DataFrame:
    years = list(range(FIRST_YEAR, int(evaluation_year) + 1))
    cp = courses_per_year(fd, years)
    sg = specialgruppe_size(fd, years)
    have = fd.years_with_data
    fams = {}
    for y in years:
        fams[y] = (math.nan if y not in have else
                   float(fd.scored.loc[fd.scored["year"] == y, "family_id"].nunique()))
    df = pd.DataFrame({
        str(y): {
            "Kurser startet": fmt_number(cp[y], 0) if pd.notna(cp[y]) else MISSING,
            "Familier med FIT-målinger": fmt_count(fams[y], min_cell),
            "Heraf familier i specialgruppen": fmt_count(sg[y], min_cell),
        } for y in years
    })
    df.index.name = "Deltagelse"
    return df


def collateral_applicability(fd: FitData | None, evaluation_year: int, min_cell: int = 5) -> str:
    """One Danish sentence on whether FF-FAM-4 applies in the evaluation year."""
    y = int(evaluation_year)
    if fd is None:
        return "FIT-data er ikke leveret, så specialgruppens omfang kan ikke vurderes."
    sg = specialgruppe_size(fd, [2017, 2018, 2019])
    size17 = sg.get(2017)
    s17 = "ukendt (ingen data for 2017)" if pd.isna(size17) else f"{fmt_count(size17, min_cell)} familier"
    if y < 2018:
        return (f"Kriteriet om henviseres vurdering gælder først for 2018 og 2019 (ikke aktuelt endnu). "
                f"Specialgruppen talte i 2017 {s17}; ifølge aftalen vurderes ved udgangen af 2017 ud fra "
                f"specialgruppens omfang, om kriteriet er relevant.")
    years = [yy for yy in COLLATERAL_YEARS if yy <= y]
    m = stream_table(fd, "C", years, include_total=True).loc["i alt"]
    n = 0 if pd.isna(m.get("n_units")) else int(m.get("n_units"))
    if n == 0:
        return (f"Specialgruppen talte i 2017 {s17}. Der er endnu ingen henviservurderinger med mindst to "
                f"målinger fra 2018{EN_DASH}2019, så kriteriet kan ikke opgøres.")
    period = "2018" if y == 2018 else f"2018{EN_DASH}2019"
    shown = _shown_count(fd, "C", y, min_cell, _units_label("C"))
    if not _is_number_text(shown) and shown != f"<{min_cell}":
        shown = "et antal (skjult, så små tal ikke kan regnes ud)"
    txt = (f"Specialgruppen talte i 2017 {s17}. I {period} har {shown} henvisende "
           f"samarbejdspartnere vurderet et barn mindst to gange, ")
    txt += ("så kriteriet kan opgøres." if n >= min_cell else
            f"færre end {min_cell}, så andelen vises ikke af hensyn til diskretionen.")
    if y == 2018:
        txt += f" Kriteriet gøres op samlet for 2018 og 2019; 2018 er et foreløbigt tal."
    return txt


def board_tables(bundle, evaluation_year: int, min_cell: int = 5,
                 threshold: float = DEFAULT_THRESHOLD) -> dict[str, pd.DataFrame]:
    """Board-ready tables (Danish headers, strings, suppression applied, no ids or dates).

    Keys: 'readings', 'participation', 'stream_A', 'stream_B', 'stream_C', 'categories_A', ...,
    'srs'. Empty dict when the FIT source is missing."""
    fd = from_bundle(bundle, threshold)
    if fd is None:
        return {}
    out = {
        "readings": readings_board_table(fd, evaluation_year, min_cell),
        "participation": participation_board_table(fd, evaluation_year, min_cell),
    }
    for s in STREAMS:
        out[f"stream_{s}"] = stream_board_table(fd, s, evaluation_year, min_cell)
        out[f"categories_{s}"] = category_board_table(fd, s, evaluation_year, min_cell)
    out["srs"] = srs_board_table(fd, evaluation_year, min_cell)
    return out


def status_table(bundle, evaluation_year: int, min_cell: int = 5, catalogue=None) -> pd.DataFrame:
    """Status of FF-FAM-2/3/4 under the three readings (the one used first), via the status
    engine and its disclosure threshold set to ``min_cell``.

    Shares and the engine's explanation are hidden when the denominator is 1..min_cell-1."""
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.analysis.status import disclosure_threshold, evaluate

    cat = catalogue or load_catalogue()
    y = int(evaluation_year)
    years = list(range(FIRST_YEAR, max(y, FIRST_YEAR) + 1))
    order = [STATUS_READING] + [r for r in READINGS if r != STATUS_READING]
    rows = []
    with disclosure_threshold(min_cell):
        for s in STREAMS:
            crit = cat.criteria[STREAM_CRITERION[s]]
            row = {"Kriterium": crit.id, "Succeskriterium": crit.text}
            scope = crit.params.get("scope", "annual")
            judged = [t for t in crit.years if t <= y]
            if scope == "annual":
                judged = [min(y, max(crit.years))] if judged else []
            row["Opgjort for"] = (MISSING if not judged else str(judged[0]) if len(judged) == 1
                                  else f"{judged[0]}{EN_DASH}{judged[-1]} samlet")
            first = None
            for r in order:
                series = stream_series(bundle, years, s, reading=r)
                ev = evaluate(crit, series, y)
                dens = series.data["denominator"].reindex(judged)
                den = float(dens.fillna(0).sum())
                hide = 0 < den < min_cell
                row[f"Status ({READING_SHORT[r]})"] = ev.label
                fd = from_bundle(bundle)
                cell = None if fd is None else _shown_count(fd, s, y, min_cell, share_row(r, s, fd.threshold))
                # the share as the stream table shows it (hidden there when its denominator is hidden)
                row[f"Andel ({READING_SHORT[r]})"] = (MISSING if hide or ev.value is None or cell is None
                                                      or not str(cell).endswith("%") else _pct(ev.value, 0))
                if first is None:
                    first = ev
                    shown = None if fd is None else _shown_count(fd, s, y, min_cell, _units_label(s))
                    row["Antal i andelen"] = _units_text(shown, s) if judged else MISSING
                    if hide:
                        row["Forklaring"] = (f"Færre end {min_cell} {UNIT_WORD[s].lower()} indgår; andelen vises "
                                             "ikke af hensyn til diskretionen.")
                    elif judged and not _is_number_text(shown) and ev.value is not None:
                        # the table hides this count (a small number elsewhere could be worked out from
                        # it), so the explanation must not quote it either
                        row["Forklaring"] = (f"Status er vurderet mod målet på mindst "
                                             f"{_pct(float(crit.params['target']), 0)}"
                                             + ("; intervallet omfatter målet, så resultatet er usikkert"
                                                if ev.uncertain else "")
                                             + f". Antallet af {UNIT_WORD[s].lower()} og andelen vises ikke, så "
                                             "små tal i tabellerne ikke kan regnes ud.")
                    else:
                        row["Forklaring"] = ev.explanation
            row["Læsning brugt til status"] = READING_SHORT[STATUS_READING]
            rows.append(row)
    cols = ["Kriterium", "Succeskriterium", "Opgjort for", "Antal i andelen"]
    for r in order:
        cols += [f"Status ({READING_SHORT[r]})", f"Andel ({READING_SHORT[r]})"]
    cols += ["Læsning brugt til status", "Forklaring"]
    return pd.DataFrame(rows)[cols].set_index("Kriterium")


def reading_sensitivity_text(status: pd.DataFrame) -> str:
    """Danish sentences (one per criterion) saying whether the reading decides the status,
    from :func:`status_table`. Status words only: no counts. Readings without a verdict (too
    few persons, awaiting data) are named as such, not as a different verdict."""
    verdicts = ("Opfyldt", "Ikke opfyldt", "På vej", "Ikke på vej")
    out = []
    used = READING_SHORT[STATUS_READING]
    for cid, row in status.iterrows():
        words = {r: str(row[f"Status ({READING_SHORT[r]})"]).split(" (")[0] for r in READINGS}
        judged = {r: w for r, w in words.items() if w in verdicts}
        rest = {r: w for r, w in words.items() if w not in verdicts}
        if not judged:
            out.append(f"{cid}: ingen af læsningerne giver en vurdering endnu ({words[STATUS_READING]}).")
            continue
        if len(set(judged.values())) == 1:
            txt = (f"{cid}: {'alle tre læsninger' if not rest else 'læsningerne'} giver samme status "
                   f"({next(iter(judged.values()))}).")
        else:
            others = "; ".join(f"med {READING_SHORT[r]} ville den være {w}" for r, w in judged.items()
                               if r != STATUS_READING)
            first = (f"Med {used} (den valgte læsning) er status {judged[STATUS_READING]}; "
                     if STATUS_READING in judged else "")
            txt = f"{cid}: læsningen afgør status. {first}{others}."
        if rest:
            txt += " " + "; ".join(f"Med {READING_SHORT[r]} kan status ikke vurderes ({w})" for r, w in rest.items()) + "."
        out.append(txt)
    return "\n".join(f"- {t}" for t in out)


def _years_text(y: int) -> str:
    return str(FIRST_YEAR) if y <= FIRST_YEAR else f"{FIRST_YEAR}{EN_DASH}{y}"


def data_note(bundle, evaluation_year: int, min_cell: int = 5) -> str:
    """One or two Danish sentences on the FIT data behind the figures (no ids, no dates)."""
    fd = from_bundle(bundle)
    if fd is None:
        return "FIT-data (fit_administrations) er ikke leveret; de tre kriterier afventer data."
    y = int(evaluation_year)
    sc = fd.scored[fd.scored["year"] <= y]
    errs = len([p for p in fd.problems if p.severity == "error"])
    warns = len([p for p in fd.problems if p.severity == "warning"])
    if len(sc) == 0:
        return f"Der er endnu ingen FIT-skemaer fra {_years_text(y)} i data (ikke aktuelt endnu)."
    txt = (f"Opgørelsen bygger på {fmt_count(len(sc), min_cell)} FIT-skemaer fra "
           f"{fmt_count(sc['family_id'].nunique(), min_cell)} familier i {_years_text(y)}.")
    if errs:
        txt += (f" {fmt_count(errs, min_cell)} skemaer er udeladt på grund af fejl i data "
                "(se valideringsrapporten).")
    if warns:
        txt += f" Der er {fmt_count(warns, min_cell)} advarsler om data."
    total_only = int((sc["score_source"] == "total").sum())
    if total_only:
        txt += (f" {fmt_count(total_only, min_cell)} skemaer har kun en samlet score; "
                "de tæller med som den samlede score.")
    return txt


def _file_rows(bundle):
    """Map a problem's row (position + 2 in the bundle's table) to the row a person sees in the
    file: the bundle's tables are renumbered from 0, so blank lines in the file would shift the
    rows; the file is read again (text cells only) to get its row numbers."""
    adm = bundle.table("fit_administrations")
    path = getattr(bundle, "files", {}).get("fit_administrations")
    index = None
    if adm is not None and path is not None and isinstance(adm.index, pd.RangeIndex):
        try:
            from helhedsplan_eval.data.contract import read_raw

            raw = read_raw(path).frame.index
            if len(raw) == len(adm):
                index = [int(x) for x in raw]
        except Exception:  # the contract has reported an unreadable file already
            index = None

    def row(r):
        if index is None or r is None or not 2 <= int(r) < len(index) + 2:
            return r
        return index[int(r) - 2]

    return row


def validation_issues(bundle) -> list:
    """The FIT module's own findings as :class:`helhedsplan_eval.data.contract.Issue` objects, for
    ``helhedsplan-eval validate``: those the data contract does not check itself (a total of 0,
    partial items beside a total, more than one decimal, rater ids that conflict or are missing
    on same-day forms, a self-rating by someone else, referrer forms from the almen group).
    Errors leave the form out of the FIT analysis; warnings keep it."""
    from helhedsplan_eval.data.contract import ERROR, WARNING, Issue

    fd = from_bundle(bundle)
    if fd is None:
        return []
    path = getattr(bundle, "files", {}).get("fit_administrations")
    fname = getattr(path, "name", None) or ADMIN_FILE
    rows = _file_rows(bundle)
    out = []
    for p in fd.problems:
        if p.in_contract:
            continue
        value = None if p.value is None else str(p.value)
        out.append(Issue(ERROR if p.severity == "error" else WARNING, "fit_administrations", fname,
                         f"kolonne '{p.column}': {p.expected}", rows(p.row), p.column, value,
                         category=re.sub(r"\s*\([^)]*\)", "", f"{p.column}: {p.expected.split(';')[0]}")))
    return out


def problem_table(bundle) -> pd.DataFrame:
    """Data problems for the evaluator (not for the board): file, line, column, value, what was expected."""
    fd = from_bundle(bundle)
    if fd is None or not fd.problems:
        return pd.DataFrame(columns=["Fil", "Linje", "Kolonne", "Værdi", "Forventet", "Type"])
    rows = _file_rows(bundle)
    return pd.DataFrame([{"Fil": p.file, "Linje": rows(p.row), "Kolonne": p.column, "Værdi": p.value,
                          "Forventet": p.expected, "Type": "fejl" if p.severity == "error" else "advarsel"}
                         for p in fd.problems])


def chart_data(bundle, evaluation_year: int, min_cell: int = 5, threshold: float = DEFAULT_THRESHOLD,
               bin_width: float | None = None) -> dict[str, pd.DataFrame]:
    """Aggregated data for the charts (no ids, no dates).

    'intake_last': per stream and year mean intake and mean last over analysable episodes (rows
    with fewer than ``min_cell`` episodes are left out). 'shares': per stream and period (A, B:
    each year; C: 2018-2019 pooled) the share under each reading with its Wilson interval, only
    where the share rests on at least ``min_cell`` parents or referrers (a share of 2 of 3 is
    never a chart point). 'change_hist': counts of change in bins of ``bin_width`` points per
    stream (default 2.5 points from 40 episodes, else 5 points, so that fewer bins are hidden),
    pooled over the years up to the evaluation year (stream C: 2018-2019), with ``suppressed``
    True for hidden bins: primary suppression, and secondary suppression against the totals the
    reader knows (all bins = the analysable episodes; the bins from the reliable-change threshold
    up = the reliable improvements; the bins below it = the rest)."""
    il_cols = ["stream", "Målgruppe", "year", "n", "mean_intake", "mean_last"]
    sh_cols = ["stream", "Målgruppe", "period", "reading", "Læsning", "n", "share", "ci_low", "ci_high"]
    h_cols = ["stream", "Målgruppe", "bin_left", "bin_right", "count", "suppressed"]
    fd = from_bundle(bundle, threshold)
    if fd is None:
        return {"intake_last": pd.DataFrame(columns=il_cols), "shares": pd.DataFrame(columns=sh_cols),
                "change_hist": pd.DataFrame(columns=h_cols), "threshold": threshold,
                "empty_text": {s: "FIT-data er ikke leveret" for s in STREAMS},
                "empty_share_text": {s: "FIT-data er ikke leveret" for s in STREAMS}}
    years = list(range(FIRST_YEAR, int(evaluation_year) + 1))
    rows = []
    for s in STREAMS:
        t = stream_table(fd, s, years, include_total=False)
        board = stream_board_table(fd, s, evaluation_year, min_cell)
        for y in years:
            n = t.at[y, "n_analysable"]
            if pd.notna(n) and n >= min_cell:
                # the count beside the chart is the one the table shows (NaN where the table hides it)
                shown = board.at["Forløb med mindst to målinger", str(y)] if str(y) in board.columns else MISSING
                rows.append({"stream": s, "Målgruppe": STREAM_SHORT[s], "year": y,
                             "n": int(n) if _is_number_text(shown) else math.nan,
                             "mean_intake": t.at[y, "mean_intake"], "mean_last": t.at[y, "mean_last"]})
    il = pd.DataFrame(rows, columns=il_cols)
    srows = []
    for s in STREAMS:
        ys = _stream_years(s, evaluation_year)
        if not ys:
            continue
        t = stream_table(fd, s, ys, include_total=True)
        board = stream_board_table(fd, s, evaluation_year, min_cell)
        if s == "C":
            periods = [("i alt", f"2018{EN_DASH}2019" if len(ys) == 2 else "2018 (foreløbigt)",
                        "I alt" if len(ys) == 2 else "2018")]
        else:
            periods = [(y, str(y), str(y)) for y in ys]
        for key, label, col in periods:
            for r in READINGS:
                kk, nk = _reading_keys(r)
                n, k = t.at[key, nk], t.at[key, kk]
                # a point only where the table shows the share (never over fewer than min_cell persons)
                if pd.isna(n) or n < min_cell or not str(board.at[share_row(r, s, fd.threshold), col]).endswith("%"):
                    continue
                share, lo, hi = _share(int(k), int(n))
                srows.append({"stream": s, "Målgruppe": STREAM_SHORT[s], "period": label, "reading": r,
                              "Læsning": READING_SHORT[r], "n": int(n), "share": share, "ci_low": lo,
                              "ci_high": hi})
    shares = pd.DataFrame(srows, columns=sh_cols)
    hrows = []
    for s in STREAMS:
        ep = fd.episodes
        sel = (ep["stream"] == s) & ep["analysable"].astype(bool) & ep["year"].isin(years)
        if s == "C":
            sel &= ep["year"].isin(list(COLLATERAL_YEARS))
        ch = ep.loc[sel, "change"].astype(float).to_numpy()
        if len(ch) < min_cell:
            continue
        width = bin_width or (2.5 if len(ch) >= 40 else 5.0)
        edges = np.arange(-40, 40 + width, width)
        idx = np.clip(np.floor(np.round((ch + 40) / width, 9)).astype(int), 0, len(edges) - 2)
        counts = np.bincount(idx, minlength=len(edges) - 1).astype(float)
        nz = np.nonzero(counts)[0]
        lo_i, hi_i = nz.min(), nz.max()
        bins = list(range(lo_i, hi_i + 1))
        c = pd.DataFrame({"n": counts[lo_i:hi_i + 1]}, index=bins).T
        up = [("n", b) for b in bins if edges[b] >= threshold - 1e-9]
        rest = [("n", b) for b in bins if edges[b] < threshold - 1e-9]
        groups = [[("n", b) for b in bins], up, rest]
        mask = suppress_groups(c, [g for g in groups if g], min_cell).iloc[0].to_numpy()
        for j, b in enumerate(bins):
            hrows.append({"stream": s, "Målgruppe": STREAM_SHORT[s], "bin_left": edges[b],
                          "bin_right": edges[b + 1],
                          "count": math.nan if mask[j] else counts[b], "suppressed": bool(mask[j])})
    hist = pd.DataFrame(hrows, columns=h_cols)
    empty, empty_share = {}, {}
    for s in STREAMS:
        if s == "C" and int(evaluation_year) < COLLATERAL_YEARS[0]:
            empty[s] = empty_share[s] = f"Ikke aktuel endnu (henviseres vurderinger gælder 2018{EN_DASH}2019)"
        else:
            empty[s] = f"Færre end {min_cell} forløb med to målinger {EN_DASH} fordelingen vises ikke"
            empty_share[s] = (f"Færre end {min_cell} {UNIT_WORD[s].lower()} med to målinger {EN_DASH} "
                              "andelen vises ikke")
    return {"intake_last": il, "shares": shares, "change_hist": hist, "threshold": threshold, "empty_text": empty,
            "empty_share_text": empty_share}


def _tick(kind: str = "number"):
    """Danish tick labels with a real minus sign."""
    from matplotlib.ticker import FuncFormatter

    if kind == "pct":
        return FuncFormatter(lambda v, _pos: _pct(v, 0))
    return FuncFormatter(lambda v, _pos: _num(v, 0))


# --------------------------------------------------------------------------------------
# Plots (called by the notebook; Danish labels and ticks)
# --------------------------------------------------------------------------------------


def plot_intake_last(il: pd.DataFrame, ax=None, empty_text: str | None = None):
    """Dumbbell chart: mean first vs mean latest score per stream and year."""
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=(8, 0.6 * max(len(il), 3) + 1.2))
    if il.empty:
        ax.text(0.5, 0.5, empty_text or "For få forløb til at vise gennemsnit", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    il = il.sort_values(["stream", "year"], ascending=[False, False]).reset_index(drop=True)
    labels = [f"{r['Målgruppe']} {r['year']}" + (f" ({fmt_number(r['n'])} forløb)" if pd.notna(r["n"]) else "")
              for _, r in il.iterrows()]
    y = np.arange(len(il))
    ax.hlines(y, il["mean_intake"], il["mean_last"], color="#999999", lw=2, zorder=1)
    ax.scatter(il["mean_intake"], y, color="#8c8c8c", s=60, label="Første måling", zorder=2)
    ax.scatter(il["mean_last"], y, color="#1f6fb2", s=60, label="Seneste måling", zorder=3)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 40)
    ax.xaxis.set_major_formatter(_tick("number"))
    ax.set_xlabel(f"Gennemsnitlig score (0{EN_DASH}40 point, højere er bedre)")
    ax.legend(loc="lower left", frameon=False)
    ax.set_title("Første og seneste måling pr. målgruppe og år")
    return ax


def plot_shares(shares: pd.DataFrame, stream: str, target: float = 65.0, ax=None, empty_text: str | None = None):
    """The shares under the three readings per period for one stream, with 95 % intervals and
    the 65 % target. Only the rows of ``chart_data()['shares']`` are drawn (never a share over
    fewer than ``min_cell`` persons)."""
    import textwrap

    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=(5, 3.4))
    d = shares[shares["stream"] == stream]
    ax.set_title(STREAM_SHORT[stream])
    if d.empty:
        ax.set_axis_off()
        ax.text(0.5, 0.5, textwrap.fill(empty_text or "For få personer til at vise andele", 30), ha="center",
                va="center", transform=ax.transAxes, fontsize=10, color="#444444")
        return ax
    periods = list(dict.fromkeys(d["period"]))
    x_of = {p: i for i, p in enumerate(periods)}
    style = {"reliable": ("o", "#1f6fb2", -0.18), "literal": ("s", "#8c8c8c", 0.0),
             "reliable_below": ("^", "#d9822b", 0.18)}
    for r in READINGS:
        dr = d[d["reading"] == r]
        if dr.empty:
            continue
        marker, color, dx = style[r]
        x = np.array([x_of[p] for p in dr["period"]]) + dx
        ax.errorbar(x, dr["share"], yerr=[dr["share"] - dr["ci_low"], dr["ci_high"] - dr["share"]], fmt=marker,
                    color=color, capsize=3, label=READING_SHORT[r].capitalize())
    ax.axhline(target, color="#b22222", ls="--", lw=1, label=f"Mål: {_pct(target, 0)}")
    ax.set_xticks(range(len(periods)), periods)
    ax.set_xlim(-0.6, len(periods) - 0.4)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(_tick("pct"))
    ax.set_ylabel("Andel")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False, fontsize=8, ncol=1)
    return ax


def plot_change_distribution(hist: pd.DataFrame, stream: str, threshold: float = DEFAULT_THRESHOLD,
                             min_cell: int = 5, ax=None, empty_text: str | None = None):
    """Histogram of change for one stream with the reliable-change band; hidden bins hatched at
    a fixed height (``min_cell - 1``), never at their true count."""
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if ax is None:
        _fig, ax = plt.subplots(figsize=(7, 3.2))
    h = hist[hist["stream"] == stream]
    if h.empty:
        ax.set_axis_off()
        ax.set_title(STREAM_SHORT[stream])
        ax.text(0.5, 0.5, textwrap.fill(empty_text or "For få forløb til at vise fordelingen", 30),
                ha="center", va="center", transform=ax.transAxes, fontsize=10, color="#444444")
        return ax
    ax.axvspan(-threshold, threshold, color="#e8e8e8", zorder=0,
               label=f"Ingen pålidelig ændring (under {fmt_number(threshold)} point)")
    shown = h[~h["suppressed"]]
    hidden = h[h["suppressed"]]
    ax.bar(shown["bin_left"], shown["count"], width=shown["bin_right"] - shown["bin_left"], align="edge",
           color="#1f6fb2", edgecolor="white", label="Antal forløb")
    if len(hidden):
        ax.bar(hidden["bin_left"], [min_cell - 1] * len(hidden), width=hidden["bin_right"] - hidden["bin_left"],
               align="edge", color="none", edgecolor="#666666", hatch="//",
               label=f"Færre end {min_cell} eller skjult")
    ax.axvline(0, color="#333333", lw=0.8)
    ax.xaxis.set_major_formatter(_tick("number"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_tick("number"))
    ax.set_xlabel("Ændring fra første til seneste måling (point)")
    ax.set_ylabel("Antal forløb")
    ax.set_title(STREAM_SHORT[stream])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, fontsize=8, ncol=1)
    return ax


