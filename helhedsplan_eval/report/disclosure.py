"""Disclosure control: the one layer every board-facing number passes through.

The board pages, their chart data, the målopfyldelse CSV/xlsx and the index receive the status engine's
results only through the functions here, parameterised by the run's ``min_cell`` (5 by default):

* **Primary suppression.** A count of persons from 1 to ``min_cell - 1`` is shown as "<5" (0 is shown:
  an empty cell discloses no person). Shares over fewer than ``min_cell`` persons are not shown.
* **Secondary suppression.** When a total and all but one of its parts are shown, the hidden part could be
  recomputed; another part is hidden too (:func:`suppress_counts`). For cumulative person totals the
  yearly increase is itself a count of persons: a year's total is hidden when it exceeds the last shown
  total by 1 to ``min_cell - 1`` (:func:`protect_series`).
* **Derived figures.** Growth rates, target paths and targets computed from a hidden baseline, remaining
  effort computed from a hidden value, intervals, numerators and denominators next to a share whose
  numerator (or complement) is under ``min_cell``: none of these are shown; the explanation then states
  the status without figures and says why (:func:`safe_evaluation`).
* **Messages.** Data-quality texts for the board are counts per file, column and problem, never cell
  values (:func:`board_issue_rows`); free texts get a last safety net that masks small counts quoted as
  "2022: 1" or "3 personer" (:func:`board_text`).

A criterion counts persons when the catalogue says ``counts: persons`` (the default for unit ``persons`` and for
shares; e.g. cases of concern, where each case is a young person); ``counts: units`` (businesses, events) is shown
as it is, and no sentence mixes the two. Shares are detected from the series' numerator and denominator columns.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.catalogue.period import plan_period

DEFAULT_MIN_CELL = 5
HIDDEN = "skjult"
# kinds whose target / target path is computed from a data value (the baseline year's level)
DATA_PATH_KINDS = ("period_mean_change", "growth", "yoy_growth", "two_tier", "hold_baseline")
PERIOD_MEAN_KINDS = ("period_mean_change", "period_mean_max", "two_tier", "hold_baseline")


def small(n, min_cell: int = DEFAULT_MIN_CELL) -> bool:
    """True for a count that must not be shown: 1 … min_cell−1 (after rounding to a whole number)."""
    if n is None or F.is_missing(n):
        return False
    k = int(round(float(n)))
    return 0 < k < min_cell


def fmt_count(n, min_cell: int = DEFAULT_MIN_CELL) -> str:
    """A count of persons for the board: "<5" for 1–4, else the Danish number."""
    return F.fmt_count(n, min_cell)


def person_based(crit) -> bool:
    """Whether the criterion's counts are about persons (and so fall under primary suppression): the catalogue's
    ``counts`` field (``persons`` or ``units``, defaulted by unit at load)."""
    counts = getattr(crit, "counts", None)
    if counts in ("persons", "units"):
        return counts == "persons"
    return crit.unit in ("persons", "personer")


def _is_share(series) -> bool:
    return series is not None and {"numerator", "denominator"} <= set(series.data.columns)


# ----------------------------------------------------------------------------- tables

def suppress_counts(df: pd.DataFrame, cols: list[str], min_cell: int = DEFAULT_MIN_CELL,
                    total_col: str | None = None) -> pd.DataFrame:
    """Return a copy of ``df`` with ``cols`` (and ``total_col``) formatted as Danish text, small
    counts replaced by "<min_cell>" and secondary suppression applied against ``total_col``."""
    out = df.copy().astype(object)
    hide = pd.DataFrame(False, index=df.index, columns=cols)
    for c in cols:
        hide[c] = [small(v, min_cell) for v in pd.to_numeric(df[c], errors="coerce")]
    if total_col is not None:
        for idx in df.index:
            row_hidden = [c for c in cols if hide.at[idx, c]]
            if len(row_hidden) == 1:
                candidates = [(float(df.at[idx, c]), c) for c in cols
                              if not hide.at[idx, c] and pd.notna(df.at[idx, c]) and float(df.at[idx, c]) > 0]
                if candidates:
                    hide.at[idx, min(candidates)[1]] = True
    for c in cols:
        out[c] = [(f"<{min_cell}" if hide.at[i, c] else F.fmt_number(df.at[i, c], 0)) for i in df.index]
    if total_col is not None:
        tv = pd.to_numeric(df[total_col], errors="coerce")
        out[total_col] = [(f"<{min_cell}" if small(t, min_cell) else F.fmt_number(t, 0)) for t in tv]
    return out


def share_text(num, den, min_cell: int = DEFAULT_MIN_CELL, decimals: int = 1) -> str:
    """'12,4 %' or '–' when the denominator is under ``min_cell`` (or missing)."""
    if den is None or F.is_missing(den) or den < min_cell or num is None or F.is_missing(num):
        return F.MISSING
    return F.fmt_share(100 * num / den) if decimals == F.SHARE_DECIMALS else F.fmt_pct(100 * num / den, decimals)


# ----------------------------------------------------------------------------- series

@dataclass
class SafeSeries:
    """A criterion's yearly figures as the board may see them.

    ``value``/``comparison``/``path`` hold the numbers a table or chart may show (None where hidden or
    missing); ``text`` the value as the board reads it ("<5", "skjult", "–" or the number); ``hidden``
    the years whose value is protected; ``tight`` the share years whose numerator or complement is a
    small count (the share is shown, its counts and interval are not); ``path_hidden`` whether the target
    path is derived from a hidden value."""

    years: list[int]
    value: dict[int, float | None]
    text: dict[int, str]
    comparison: dict[int, float | None] = field(default_factory=dict)
    path: dict[int, float | None] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)
    tight: set[int] = field(default_factory=set)
    path_hidden: bool = False

    def frame(self) -> pd.DataFrame:
        """The chart data: one row per year with the shown value, comparison and path (NaN where hidden)."""
        rows = [{"year": y, "value": self.value.get(y), "comparison": self.comparison.get(y),
                 "path": self.path.get(y), "hidden": y in self.hidden} for y in self.years]
        return pd.DataFrame(rows, columns=["year", "value", "comparison", "path", "hidden"]).astype(
            {"value": float, "comparison": float, "path": float})


def _value_text(v, unit: str) -> str:
    if v is None:
        return F.MISSING
    if unit in ("persons", "count"):
        return F.fmt_number(v, 0 if float(v).is_integer() else 1)
    return F.fmt_value(v, unit)


def protect_series(crit, series, year: int, min_cell: int = DEFAULT_MIN_CELL, path: dict | None = None) -> SafeSeries:
    """The board-safe figures of ``series`` up to ``year`` (see the module docstring for the rules)."""
    if series is None:
        return SafeSeries([], {}, {})
    d = series.data.loc[series.data.index <= year]
    years = [int(y) for y in d.index]
    vals = {y: series.value(y) for y in years}
    comp = {y: series.comparison(y) for y in years}
    hidden: set[int] = set()
    tight: set[int] = set()
    if _is_share(series):
        for y in years:
            num, den = series._get(y, "numerator"), series._get(y, "denominator")
            if den is not None and den > 0 and den < min_cell:
                hidden.add(y)
            elif num is not None and den is not None and (small(num, min_cell) or small(den - num, min_cell)):
                tight.add(y)
    elif person_based(crit):
        if crit.kind == "cumulative_total":
            last_shown = 0.0
            for y in years:
                v = vals[y]
                if v is None:
                    continue
                if small(v - last_shown, min_cell) or small(v, min_cell):
                    hidden.add(y)
                else:
                    last_shown = v
        else:
            hidden = {y for y in years if small(vals[y], min_cell)}
    pth = dict(path or {})
    path_hidden = False
    if crit.kind in DATA_PATH_KINDS and int(crit.params.get("baseline_year", -1)) in hidden:
        path_hidden, pth = True, {}
    text = {}
    for y in years:
        v = vals[y]
        if y in hidden:
            text[y] = fmt_count(v, min_cell) if small(v, min_cell) else HIDDEN
        else:
            text[y] = _value_text(v, crit.unit)
    shown = {y: (None if y in hidden else vals[y]) for y in years}
    return SafeSeries(years, shown, text, comp, {y: pth.get(y) for y in years if pth.get(y) is not None},
                      hidden, tight, path_hidden)


# ----------------------------------------------------------------------------- evaluations

_GENERIC = {
    "Opfyldt": "Målet er nået.",
    "Ikke opfyldt": "Målet er ikke nået.",
    "På vej": "Udviklingen følger målstien.",
    "Ikke på vej": "Udviklingen følger ikke målstien.",
}


def _sensitive(crit, ev, safe: SafeSeries, min_cell: int, series=None) -> tuple[bool, bool]:
    """(figures of the evaluation rest on a hidden or tight cell, the evaluation's own value is hidden)."""
    used = set(ev.figures) | {ev.year}
    used = {y for y in used if y <= ev.year}
    hit = bool(used & (safe.hidden | safe.tight)) or _alternative_reveals(crit, ev, series, min_cell)
    value_hidden = False
    if crit.kind in PERIOD_MEAN_KINDS:
        # the mean of a period with a hidden year gives that year away (mean × years − the years shown)
        value_hidden = any(y >= crit.period_start for y in used & safe.hidden)
    elif crit.kind in ("annual_minimum", "cumulative_total", "growth", "yoy_growth"):
        y = min(ev.year, crit.period_end) if crit.kind != "annual_minimum" else min(ev.year, max(crit.years))
        value_hidden = y in safe.hidden
    return hit, value_hidden


def _alternative_reveals(crit, ev, series, min_cell: int) -> bool:
    """A person count evaluated under another reading (e.g. FF-3's parents without the bydelsmødre) is
    shown beside the chosen one; the difference is itself a count of persons."""
    alts = ((series.extra or {}).get("alternative_series") or {}) if series is not None else {}
    if not person_based(crit) or not alts:
        return False
    for alt in alts.values():
        for y in set(ev.figures) | {ev.year}:
            v, a = series.value(y), alt.value(y)
            if v is not None and a is not None and (small(abs(v - a), min_cell) or small(a, min_cell)):
                return True
    return False


def safe_evaluation(crit, ev, series, min_cell: int = DEFAULT_MIN_CELL, safe: SafeSeries | None = None):
    """A copy of ``ev`` that discloses nothing about fewer than ``min_cell`` persons.

    Figures that rest on a hidden value (the value itself, the remaining effort, the interval, rates,
    paths and targets computed from a hidden baseline) are replaced by words; the explanation then states
    the status and why figures are missing. Notes pass :func:`board_text`."""
    out = copy.deepcopy(ev)
    out.notes = [board_text(n, min_cell) for n in out.notes]
    # the safety net for counts of persons quoted in a text; a criterion counting units (businesses, events) shows
    # its counts, so its own sentences are not masked ("bidrage med 1 om året" is a requirement, not a person)
    net = (lambda t: board_text(t, min_cell)) if (person_based(crit) or _is_share(series)) else (lambda t: t)
    if series is None or crit.kind in ("milestone", "qualitative", "survey_wave_increase"):
        out.explanation = board_text(out.explanation, min_cell)
        out.remaining_text = board_text(out.remaining_text, min_cell)
        return out
    safe = safe or protect_series(crit, series, ev.year, min_cell)
    hit, value_hidden = _sensitive(crit, ev, safe, min_cell, series)
    out.figures = {y: (None if y in safe.hidden else v) for y, v in out.figures.items()}
    if not hit:
        out.explanation = net(out.explanation)
        out.remaining_text = net(out.remaining_text)
        return out
    if value_hidden:
        y = min(ev.year, crit.period_end)
        out.value = None
        out.value_text = safe.text.get(y, HIDDEN) if crit.kind not in PERIOD_MEAN_KINDS else HIDDEN
    out.interval = None
    out.ratio = None
    out.remaining = None
    out.figures = {y: v for y, v in out.figures.items()}
    if crit.kind in DATA_PATH_KINDS and safe.path_hidden:
        out.path_value, out.path_text = None, HIDDEN
        if crit.kind != "yoy_growth":  # yoy_growth's target is the rate itself, which discloses nothing
            out.target, out.target_text = None, _relative_target_text(crit)
    if out.alternative:
        out.alternative = {k: v for k, v in out.alternative.items() if k in ("reading", "status")}
    base = _GENERIC.get(out.status)
    why = " " + _hidden_what(crit, ev, safe, min_cell, value_hidden)
    if base is not None:
        out.explanation = base + why
    else:
        out.explanation = board_text(out.explanation, min_cell) + why
    if out.remaining_text:
        out.remaining_text = ("Den resterende indsats vises ikke, fordi den ville afsløre et antal under "
                              f"{min_cell} personer.")
    return out


def _years_text(years) -> str:
    ys = [plan_period().label(int(y)) for y in sorted(years)]  # the plan's labels ("2025/26")
    return ys[0] if len(ys) == 1 else ", ".join(ys[:-1]) + " og " + ys[-1]


def _hidden_what(crit, ev, safe: SafeSeries, min_cell: int, value_hidden: bool) -> str:
    """Exactly what the board does not see, and why (issue 21: a share's table shows 66,7 %, so "the figures are
    not shown" would be untrue; what is hidden is the counts behind it)."""
    used = {y for y in set(ev.figures) | {ev.year} if y <= ev.year}
    hidden, tight = sorted(used & safe.hidden), sorted(used & safe.tight)
    share = _is_share_safe(safe)
    parts = []
    if hidden and not share and any(safe.text.get(y) != HIDDEN for y in hidden):
        parts.append(f"antallet for {_years_text(hidden)} vises kun som under {min_cell}")
    elif hidden:
        parts.append(f"{'andelen' if share else 'tallet'} for {_years_text(hidden)} vises ikke")
    if tight:
        parts.append(f"andelen for {_years_text(tight)} vises, men ikke antallet af personer bag den (tæller og "
                     "nævner) eller sikkerhedsintervallet")
    if value_hidden and crit.kind in PERIOD_MEAN_KINDS:
        shown = [y for y in used - safe.hidden if y >= crit.period_start and safe.value.get(y) is not None]
        parts.append("gennemsnittet vises ikke" + (" (sammen med de viste år ville det afsløre et skjult år)" if shown
                                                   else ""))
    if ev.remaining_text:
        parts.append("den resterende indsats vises ikke (den ville afsløre et skjult tal)")
    if not parts:  # an alternative reading's count would give a hidden difference away
        parts.append("den alternative læsnings tal vises ikke (forskellen til det valgte tal er et lille antal)")
    txt = "; ".join(parts)
    return txt[0].upper() + txt[1:] + f". Det skyldes diskretion: tallene bygger på færre end {min_cell} personer."


def _is_share_safe(safe: SafeSeries) -> bool:
    return all(t == HIDDEN or t == F.MISSING or "%" in t for t in safe.text.values())


def _relative_target_text(crit) -> str:
    p = crit.params
    base = plan_period().label(int(p["baseline_year"])) if "baseline_year" in p else None
    if crit.kind in ("two_tier", "hold_baseline") and not p.get("change"):
        return f"{'mindst' if crit.direction == 'up' else 'højst'} {base}-niveauet"
    if crit.kind in ("period_mean_change", "two_tier"):
        ch = float(p["change"]) * 100
        return f"{F.fmt_pct(abs(ch), 0)} {'over' if ch > 0 else 'under'} {base}-niveauet"
    if crit.kind in ("growth", "yoy_growth"):
        return f"≥ {F.fmt_pct(float(p['rate']) * 100, 0)} om året fra {base}"
    return HIDDEN


# ----------------------------------------------------------------------------- restated figures (change page)

_COUNT_TEXT = re.compile(r"\d{1,3}(?:\.\d{3})*")


def _count_of(text: str) -> int | None:
    """A whole count as the board reads it ("46", "1.234"); None for anything else ("<5", "65,5 %", "skjult")."""
    t = str(text).strip()
    return int(t.replace(".", "")) if _COUNT_TEXT.fullmatch(t) else None


def safe_revision(crit, before: str, now: str, min_cell: int = DEFAULT_MIN_CELL) -> tuple[str, str] | None:
    """A restated figure as the change page may show it: (before, now), or None when showing both would
    disclose a count under ``min_cell``: a count of persons restated by 1 … min_cell−1 ("rapporteret i 2023: 44,
    nu: 46" gives away 2 late-registered persons). Figures of criteria that count units are shown."""
    if crit is not None and person_based(crit):
        b, n = _count_of(before), _count_of(now)
        if b is not None and n is not None and small(abs(n - b), min_cell):
            return None
    return before, now


# ----------------------------------------------------------------------------- texts and messages

_NUM = r"(\d{1,3})"
_PERSON_WORDS = ("personer", "person", "deltagere", "deltager", "familier", "familie", "forældre", "unge", "børn",
                 "barn", "frivillige", "bydelsmødre", "bydelsmor", "kursister", "episoder", "respondenter",
                 "besvarelser", "mødre", "fædre", "henvisere", "nye")
_YEAR_COUNT = re.compile(r"\b((?:19|20)\d\d(?:/\d\d)?): " + _NUM + r"\b(?![,.]\d)(?!\s*%)")
_COUNT_WORD = re.compile(r"(?<![\d,.<])" + _NUM + r"(\s+(?:" + "|".join(_PERSON_WORDS) + r")\b)")


def board_text(text: str, min_cell: int = DEFAULT_MIN_CELL) -> str:
    """A last safety net for free texts the board reads: counts of 1 … min_cell−1 quoted as
    "2022: 1", "2022/23: 1" or "3 personer" become "<5"."""
    if not text:
        return text

    def year_sub(m):
        return f"{m.group(1)}: <{min_cell}" if small(int(m.group(2)), min_cell) else m.group(0)

    def word_sub(m):
        return f"<{min_cell}{m.group(2)}" if small(int(m.group(1)), min_cell) else m.group(0)

    return _COUNT_WORD.sub(word_sub, _YEAR_COUNT.sub(year_sub, text))


def board_issue_rows(issues) -> list[list[str]]:
    """Data-quality problems as the board sees them: one row per severity, file, column and problem with
    the number of rows affected; never a cell value or a row number (those stay in ``validate``)."""
    counter: Counter = Counter()
    for i in issues:
        problem = getattr(i, "category", None) or _strip_values(i)
        counter[(i.severity, i.file, i.column or "", problem)] += 1
    rows = []
    for (sev, file, col, problem), n in sorted(counter.items(), key=lambda kv: (kv[0][0] != "fejl", kv[0][1:])):
        rows.append([sev, file, col or F.MISSING, problem, F.fmt_number(n, 0)])
    return rows


def board_issue_texts(issues) -> list[str]:
    """One line per file/column/problem: 'fil, kolonne 'x': problem (3 rækker)'."""
    out = []
    for sev, file, col, problem, n in board_issue_rows(issues):
        where = file + (f", kolonne '{col}'" if col != F.MISSING else "")
        rows = "" if n == "1" else f" ({n} rækker)"
        out.append(f"{sev.capitalize()}: {where}: {problem}{rows}")
    return out


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»|»[^«]*«")


def _strip_values(issue) -> str:
    """The problem text of an issue without the cell value it quotes."""
    msg = str(issue.message)
    if issue.value not in (None, ""):
        msg = msg.replace(str(issue.value), "…")
    return _QUOTED.sub("'…'", msg)


__all__ = ["suppress_counts", "share_text", "protect_series", "safe_evaluation", "board_text", "board_issue_rows",
           "board_issue_texts", "SafeSeries", "person_based", "small", "fmt_count", "HIDDEN", "safe_revision"]
