"""The status engine: one evaluator per kind of success criterion.

Every evaluator takes a criterion (from the catalogue), the yearly indicator series and an
evaluation year, and returns an :class:`Evaluation`: the figures used, the target and the
target-path value for the year, the status, the remaining effort and a one-sentence Danish
explanation.

Rules shared by all kinds (documented in the README, tested in ``tests/test_status.py``):

* **Precedence.** *Ikke aktuel endnu* (the criterion cannot be judged this year: its period
  has not started, the survey wave or milestone is not due) → *Afventer data* (a value the
  judgement needs is not delivered) → final (*Opfyldt* / *Ikke opfyldt* once the target
  period has closed) → interim (*På vej* / *Ikke på vej* against a target path).
* **Target path.** Interim judgements follow peers.md §2: the ratio R of achieved to
  required progress, on track from R ≥ 0,95 (Statistics Canada / Open SDG thresholds); for
  period means, on track when the level of the latest year, held for the remaining years,
  reaches the target.
* **Missing years are never zeros.** A missing year is named in the explanation. Period means
  are taken over the years delivered; a final judgement needs at least half of the period's
  years (``min_years``), else *Afventer data*.
* **Uncertainty.** Shares carry a Wilson interval, small incident counts an exact Poisson
  interval (where the criterion declares ``uncertainty: poisson``). When the interval
  straddles the target (or the path value), the label says "(usikkert)".
* **Gaps** to a comparison population are measured in the unfavourable direction
  (``direction: up`` → comparison − area; ``down`` → area − comparison), so a smaller gap is
  always better and a gap may change sign.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.analysis.stats import poisson_interval, poisson_mean_interval, wilson_interval

MET = "Opfyldt"
ON_TRACK = "På vej"
OFF_TRACK = "Ikke på vej"
NOT_MET = "Ikke opfyldt"
AWAITING = "Afventer data"
NOT_YET = "Ikke aktuel endnu"
ASSESSED = "Kvalitativ vurdering"
SUPPRESSED = "Skjult"  # a share over fewer than min_cell persons: hidden, not missing
UNJUDGEABLE = "Kan ikke vurderes"  # the figure exists but cannot be relied on (series.extra["unreliable"])

STATUSES = (MET, ON_TRACK, OFF_TRACK, NOT_MET, AWAITING, NOT_YET, ASSESSED, SUPPRESSED, UNJUDGEABLE)
# statuses that are no judgement of the figure: they never carry "(usikkert)"
NO_JUDGEMENT = (AWAITING, NOT_YET, ASSESSED, SUPPRESSED, UNJUDGEABLE)
UNCERTAIN_SUFFIX = " (usikkert)"
ON_TRACK_RATIO = 0.95

# colour classes for reports (colour is always paired with the status text)
STATUS_COLOURS = {
    MET: "#1a7f37",
    ON_TRACK: "#4c9a2a",
    OFF_TRACK: "#c77700",
    NOT_MET: "#b42318",
    AWAITING: "#6b7280",
    NOT_YET: "#9ca3af",
    ASSESSED: "#2563eb",
    SUPPRESSED: "#4b5563",
    UNJUDGEABLE: "#7c3aed",
}


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
        if col not in self.data.columns or year not in self.data.index:
            return None
        v = self.data.at[year, col]
        try:
            v = float(v)
        except (TypeError, ValueError):
            return None
        return None if math.isnan(v) else v

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
        return self.status + (UNCERTAIN_SUFFIX if self.uncertain else "")

    notes_label: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["label"] = self.label
        return d


# ----------------------------------------------------------------------------- helpers

MIN_CELL = 5  # disclosure control: counts of persons under 5 are shown as "<5"


@contextmanager
def disclosure_threshold(min_cell: int):
    """Evaluate with another disclosure threshold (the notebooks' ``min_cell`` parameter)."""
    global MIN_CELL
    old, MIN_CELL = MIN_CELL, int(min_cell)
    try:
        yield
    finally:
        MIN_CELL = old


EPS = 1e-9  # comparisons with a target tolerate floating-point error (8000·1,05³ = 9261,000000000002)


def _ge(a: float, b: float) -> bool:
    return a >= b - EPS * max(1.0, abs(b))


def _le(a: float, b: float) -> bool:
    return a <= b + EPS * max(1.0, abs(b))


def _whole(x) -> bool:
    return abs(float(x) - round(float(x))) < 1e-9


def _fmt(x, unit: str) -> str:
    """A target or path value."""
    if unit in ("persons", "count"):
        return F.fmt_number(x, 0 if _whole(x) else 1)
    return F.fmt_value(x, unit)


def _fmt_obs(x, unit: str) -> str:
    """An observed value: a count of persons under 5 is shown as "<5"."""
    if unit == "persons":
        return F.fmt_count(x, MIN_CELL)
    return F.fmt_value(x, unit)


def _years(a: int, b: int) -> list[int]:
    return list(range(int(a), int(b) + 1))


def _gap(series: IndicatorSeries, year: int, direction: str) -> float | None:
    v, c = series.value(year), series.comparison(year)
    if v is None or c is None:
        return None
    return (c - v) if direction == "up" else (v - c)


def _missing_text(years: list[int]) -> str:
    if not years:
        return ""
    ys = ", ".join(str(y) for y in years)
    return f" Der mangler data for {ys}; de indgår ikke (de tælles ikke som 0)."


def _straddles(interval, threshold) -> bool:
    if interval is None or threshold is None:
        return False
    lo, hi = interval
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return False
    return bool(lo < threshold < hi or (lo <= threshold <= hi and lo != hi))


def _base(crit, year, status, **kw) -> Evaluation:
    return Evaluation(criterion_id=crit.id, year=year, kind=crit.kind, status=status, min_cell=MIN_CELL, **kw)


def _span(a: int, b: int) -> str:
    """A period: "2018–2020" (en dash); one year is just "2017"."""
    a, b = int(a), int(b)
    return str(a) if a == b else f"{a}–{b}"


_MINUS = __import__("re").compile(r"(?<![\w.,])-(?=\d)")


def tidy_text(text: str) -> str:
    """Board text hygiene: a real minus sign "−" before negative numbers (not in "2018–2020" or
    dates), and no "kr.." where a sentence ends after an amount."""
    if not text:
        return text
    text = _MINUS.sub("\u2212", text)
    return text.replace("kr..", "kr.").replace("kr. .", "kr.")


def _bounds(unit: str, on_gap: bool = False) -> tuple[float, float | None]:
    """The range a yearly value can take: shares 0–100 %, counts, amounts and rates ≥ 0. A gap is
    taken as at best closed (0): a target that needs the area to do better than the comparison
    population on average is not an actionable demand."""
    if on_gap:
        return 0.0, None
    if unit in ("pct", "percent", "%"):
        return 0.0, 100.0
    return 0.0, None


def _no_baseline_records(s: IndicatorSeries, year: int) -> bool:
    """True when the source had no records at all in ``year`` and the manifest does not declare the
    year covered: a baseline there would be a silent zero."""
    if "records" not in s.data.columns:
        return False
    r = s._get(year, "records")
    return r is not None and r == 0 and int(year) not in set((s.extra or {}).get("declared_years", ()))


def _baseline_missing_text(s: IndicatorSeries, b_year: int) -> str:
    if _no_baseline_records(s, b_year):
        return (f"Kilden har ingen registreringer i basisåret {b_year}, så basisniveauet mangler (det sættes ikke "
                f"til 0); erklær året dækket i manifest.yml, hvis der reelt ikke var noget at registrere.")
    return f"Basisårets niveau ({b_year}) er ikke leveret, så målet kan ikke fastlægges."


def _gap_missing_text(s: IndicatorSeries, years: list[int]) -> str:
    """Which series is missing in each year a gap cannot be computed: the area's, the comparison
    population's, or both."""
    if not years:
        return ""
    area_only = [y for y in years if s.value(y) is None and s.comparison(y) is not None]
    comp_only = [y for y in years if s.value(y) is not None and s.comparison(y) is None]
    both = [y for y in years if s.value(y) is None and s.comparison(y) is None]
    parts = []
    if comp_only:
        parts.append(f"sammenligningsgrundlagets tal mangler for {', '.join(map(str, comp_only))} "
                     "(områdets tal foreligger)")
    if area_only:
        parts.append(f"områdets tal mangler for {', '.join(map(str, area_only))} "
                     "(sammenligningsgrundlagets tal foreligger)")
    if both:
        parts.append(f"både områdets og sammenligningsgrundlagets tal mangler for {', '.join(map(str, both))}")
    txt = "; ".join(parts)
    return f" Forskellen kan ikke beregnes, hvor et tal mangler: {txt}; de år indgår ikke (de tælles ikke som 0)."


def _figures(series: IndicatorSeries, years) -> tuple[dict, dict]:
    return ({y: series.value(y) for y in years}, {y: series.comparison(y) for y in years})


def _min_years(crit, k: int) -> int:
    return int(crit.params.get("min_years", math.ceil(k / 2)))


# ----------------------------------------------------------------------------- kinds

def eval_annual_minimum(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """At least ``target`` (count or mean) in each applicable year; each year is judged on its own."""
    p = crit.params
    target = float(p["target"])
    years = [int(y) for y in crit.years]
    unit = crit.unit
    figs, _ = _figures(s, years)
    if year < min(years):
        return _base(crit, year, NOT_YET, target=target, target_text=_fmt(target, unit), figures=figs,
                     explanation=f"Kriteriet gælder først fra {min(years)}.")
    y = min(year, max(years))
    judged = [t for t in years if t <= y]
    missing = s.missing_years(judged)
    met_years = [t for t in judged if s.has(t) and _ge(s.value(t), target)]
    seen = [t for t in judged if s.has(t)]
    v = s.value(y)
    ev = _base(crit, year, AWAITING, target=target, target_text=_fmt(target, unit), path_value=target,
               path_text=_fmt(target, unit), figures=figs, missing_years=missing)
    if v is None:
        ev.explanation = f"Der er ikke leveret data for {y}, så året kan ikke vurderes." + _missing_text(
            [t for t in missing if t != y])
        return ev
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    if p.get("uncertainty") == "poisson":
        ev.interval = poisson_interval(v)
        ev.uncertain = _straddles(ev.interval, target)
    ev.status = MET if _ge(v, target) else NOT_MET
    left = [t for t in years if t > y]
    ev.remaining = target if left else None
    ev.remaining_text = (f"Hvert af årene {', '.join(map(str, left))} skal nå mindst {_fmt(target, unit)}."
                         if left else "")
    verb = "nået" if _ge(v, target) else "ikke nået"
    alt = p.get("target_alt")
    alt_txt = ""
    if alt is not None:
        alt_txt = (f" Læst som {_fmt(alt, unit)} ville målet "
                   f"{'være nået' if _ge(v, float(alt)) else 'ikke være nået'}.")
    ev.explanation = (f"I {y} var tallet {_fmt_obs(v, unit)} mod målet på mindst {_fmt(target, unit)}, så årets mål er "
                      f"{verb}; målet er nået i {len(met_years)} af {len(seen)} år med data.{alt_txt}"
                      + _missing_text(missing))
    if ev.uncertain:
        ev.explanation += " Tallet er lille, og usikkerheden (Poisson) omfatter målet."
    return ev


def eval_minimum_share(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """A share (numerator/denominator, in percent) of at least ``target``; Wilson interval.

    ``scope: annual`` judges each year on its own; ``scope: period`` pools numerator and
    denominator over the applicable years (interim: På vej / Ikke på vej on the pooled share so
    far; final once the last applicable year has passed)."""
    p = crit.params
    target = float(p["target"])
    years = [int(y) for y in crit.years]
    scope = p.get("scope", "annual")
    figs, _ = _figures(s, years)
    base = dict(target=target, target_text=F.fmt_pct(target, 0), path_value=target,
                path_text=F.fmt_pct(target, 0), figures=figs)
    if year < min(years):
        return _base(crit, year, NOT_YET, explanation=f"Kriteriet gælder først fra {min(years)}.", **base)

    def nd(t):
        num, den = s._get(t, "numerator"), s._get(t, "denominator")
        if den is None or den <= 0 or num is None:
            return None
        return num, den

    if scope == "annual":
        y = min(year, max(years))
        judged = [t for t in years if t <= y]
        missing = [t for t in judged if nd(t) is None]
        ev = _base(crit, year, AWAITING, missing_years=missing, **base)
        if nd(y) is None:
            ev.explanation = (f"Der er ingen opgørelse (ingen i nævneren) for {y}, så året kan ikke vurderes."
                              + _missing_text([t for t in missing if t != y]))
            return ev
        k, n = nd(y)
    else:
        y = min(year, max(years))
        judged = [t for t in years if t <= y]
        missing = [t for t in judged if nd(t) is None]
        ev = _base(crit, year, AWAITING, missing_years=missing, **base)
        have = [nd(t) for t in judged if nd(t) is not None]
        if not have:
            ev.explanation = ("Der er endnu ingen opgørelse i kriteriets periode "
                              f"({_span(min(years), max(years))})." + _missing_text(missing))
            return ev
        k, n = sum(h[0] for h in have), sum(h[1] for h in have)
    share = 100.0 * k / n
    # years whose share rests on fewer than MIN_CELL persons are not shown in the figures
    small = {t for t in years if nd(t) is not None and nd(t)[1] < MIN_CELL}
    ev.figures = {t: (None if t in small else v) for t, v in ev.figures.items()}
    lo, hi = wilson_interval(k, n)
    ev.value, ev.value_text = share, F.fmt_pct(share)
    ev.interval = (100 * lo, 100 * hi)
    ev.uncertain = _straddles(ev.interval, target)
    final = scope == "annual" or year >= max(years)
    met = _ge(share, target)
    n_years = len([t for t in judged if nd(t) is not None])
    if final and scope == "period" and n_years < _min_years(crit, len(years)):
        ev.status = AWAITING
        ev.explanation = (f"Kun {n_years} af {len(years)} år har data, for lidt til en endelig vurdering."
                          + _missing_text(missing))
        return ev
    if final:
        ev.status = MET if met else NOT_MET
    else:
        ev.status = ON_TRACK if met else OFF_TRACK
        left = [t for t in years if t > year]
        # needed share among the remaining years' participants, assuming as many as so far per year
        per_year = n / max(1, len([t for t in judged if nd(t) is not None]))
        n_left = per_year * len(left)
        need = (target / 100 * (n + n_left) - k) / n_left * 100 if n_left else None
        if need is not None:
            ev.remaining = max(0.0, need)
            if need > 100:
                best = 100.0 * (k + n_left) / (n + n_left)
                ev.remaining_text = (f"Målet kan ikke længere nås med samme antal deltagere: selv hvis alle i "
                                     f"{', '.join(map(str, left))} når målet, bliver andelen {F.fmt_pct(best)} mod "
                                     f"målet på mindst {F.fmt_pct(target, 0)} ({F.fmt_pp(target - best)} for lidt).")
            else:
                ev.remaining_text = (f"Med samme antal deltagere skal andelen i {', '.join(map(str, left))} i "
                                     f"gennemsnit være mindst {F.fmt_pct(max(0.0, need))}.")
    scope_txt = f"i {y}" if scope == "annual" else f"samlet for {_span(min(years), y)}"
    if n < MIN_CELL:  # disclosure control: neither share nor status over fewer than 5 persons
        ev.value, ev.value_text = None, F.MISSING
        ev.interval, ev.uncertain, ev.remaining, ev.remaining_text = None, False, None, ""
        ev.figures = {t: (None if t in small else v) for t, v in ev.figures.items()}
        ev.status = SUPPRESSED
        ev.explanation = (f"Andelen {scope_txt} vises ikke og vurderes ikke, fordi færre end {MIN_CELL} personer indgår "
                          f"(målet er mindst {F.fmt_pct(target, 0)}); status ville afsløre enkeltpersoners resultat. "
                          "Data er leveret; tallet er skjult af hensyn til diskretion." + _missing_text(missing))
        return ev
    ci_txt = f"95 %-sikkerhedsinterval {F.fmt_pct(ev.interval[0])}–{F.fmt_pct(ev.interval[1])}"
    # a numerator under 5 is not written out as "<5 af n" next to the share, which would give it away
    count_txt = (f"{F.fmt_count(k, MIN_CELL)} af {F.fmt_count(n, MIN_CELL)}" if (k == 0 or k >= MIN_CELL)
                 else f"{F.fmt_count(n, MIN_CELL)} personer i alt")
    ev.explanation = (f"Andelen var {scope_txt} {F.fmt_pct(share)} ({count_txt}; {ci_txt}) "
                      f"mod målet på mindst {F.fmt_pct(target, 0)}"
                      + (", og intervallet omfatter målet, så resultatet er usikkert." if ev.uncertain else ".")
                      + _missing_text(missing))
    return ev


def eval_cumulative_total(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """At least ``target`` units (unique persons, courses, businesses) over the period.

    ``value`` is the cumulative total up to and including the year, ``new`` the units first
    counted that year. Interim: on track when cumulative ≥ 0,95 × the linear path and the
    needed yearly amount does not exceed the best year so far (peers.md §2)."""
    p = crit.params
    target = float(p["target"])
    t0, T = crit.period_start, crit.period_end
    unit = crit.unit
    years = _years(t0, T)
    figs, _ = _figures(s, years)
    base = dict(target=target, target_text=_fmt(target, unit), figures=figs)
    if year < t0:
        return _base(crit, year, NOT_YET, explanation=f"Perioden begynder først i {t0}.", **base)
    y = min(year, T)
    judged = _years(t0, y)
    missing = s.missing_years(judged)
    path = target * (y - t0 + 1) / (T - t0 + 1)
    ev = _base(crit, year, AWAITING, path_value=path, path_text=_fmt(path, unit), missing_years=missing, **base)
    v = s.value(y)
    if v is None:
        earlier = [(t, s.value(t)) for t in judged if t < y and s.has(t)]
        if earlier and _ge(earlier[-1][1], target):  # a cumulative total cannot fall: met stays met
            t_met, v_met = earlier[-1]
            ev.status, ev.value, ev.value_text = MET, v_met, _fmt_obs(v_met, unit)
            ev.explanation = (f"Målet på {_fmt(target, unit)} var nået i {t_met} ({_fmt_obs(v_met, unit)} i alt); "
                              f"data for {y} er ikke leveret." + _missing_text([t for t in missing if t != y]))
            return ev
        ev.explanation = f"Der er ikke leveret data for {y}." + _missing_text([t for t in missing if t != y])
        return ev
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    ev.ratio = v / path if path else None
    left = T - y
    news = [s._get(t, "new") for t in judged if s._get(t, "new") is not None]
    best = max(news) if news else None
    if _ge(v, target):
        ev.status = MET
        why = f"målet på {_fmt(target, unit)} er nået"
    elif y >= T:
        ev.status = NOT_MET
        why = f"målet på {_fmt(target, unit)} blev ikke nået"
    else:
        need = (target - v) / left
        ev.remaining = need
        ev.remaining_text = (f"De resterende {left} år skal i gennemsnit bidrage med {_fmt(need, unit)} nye om året"
                             + (f" (bedste år hidtil: {_fmt_obs(best, unit)})." if best is not None else "."))
        ok = ev.ratio >= ON_TRACK_RATIO and (best is None or need <= best)
        ev.status = ON_TRACK if ok else OFF_TRACK
        why = (f"målstien for {y} er {_fmt(path, unit)}"
               + ("" if ok else (", og det nødvendige antal pr. år overstiger det bedste år hidtil"
                                 if ev.ratio >= ON_TRACK_RATIO else "")))
    ev.explanation = (f"I alt {_fmt_obs(v, unit)} i {_span(t0, y)} ({why})." + _missing_text(missing)
                      + (" Når et år mangler, er totalen en nedre grænse." if missing else ""))
    return ev


def _period_stats(crit, s, year, on_gap: bool):
    t0, T = crit.period_start, crit.period_end
    k_years = _years(t0, T)
    judged = [t for t in k_years if t <= year]
    get = (lambda t: _gap(s, t, crit.direction)) if on_gap else s.value
    obs = {t: get(t) for t in judged if get(t) is not None}
    missing = [t for t in judged if t not in obs]
    return k_years, judged, obs, missing


def _mean_remaining_text(need, obs: dict, n_left: int, left_years: list[int], target, up: bool, unit: str,
                         on_gap: bool = False) -> str:
    """The remaining effort for a period mean: the mean the remaining years need, or — when that
    lies outside what a year can reach (a negative count, a share over 100 %, a gap below 0) — that
    the target can no longer be reached and by how much it will be missed at best."""
    lo, hi = _bounds(unit, on_gap)
    yrs = ", ".join(map(str, left_years))
    if up and need <= (lo if lo is not None else -math.inf):
        return "Målet er sikret, uanset niveauet i de resterende år."
    if (not up and need < lo) or (up and hi is not None and need > hi):
        best_each = lo if not up else hi
        best = (sum(obs.values()) + best_each * n_left) / (len(obs) + n_left)
        short = abs(best - target)
        what = ("selv hvis forskellen lukkes helt (0)" if on_gap else f"selv med {_fmt(best_each, unit)}") + \
            f" i {'hvert af de resterende år' if n_left > 1 else 'det resterende år'} ({yrs})"
        return (f"Målet kan ikke længere nås: {what} bliver gennemsnittet {_fmt(best, unit)} mod målet på "
                f"{'mindst' if up else 'højst'} {_fmt(target, unit)} ({_fmt(short, unit)} "
                f"{'for lidt' if up else 'for meget'}).")
    if n_left == 1:
        return f"Det resterende år ({yrs}) skal ligge på {'mindst' if up else 'højst'} {_fmt(need, unit)}."
    return (f"De resterende år ({yrs}) skal i gennemsnit ligge på {'mindst' if up else 'højst'} "
            f"{_fmt(need, unit)}.")


def eval_period_mean_max(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The mean over the period (of the value, or of the gap when ``on: gap``) is at most ``max``
    (``direction: down``) or at least ``min`` (``up``)."""
    p = crit.params
    on_gap = p.get("measure") == "gap"
    limit = float(p["max"] if "max" in p else p["min"])
    lower_better = "max" in p
    unit = "pp" if on_gap else crit.unit
    k_years, judged, obs, missing = _period_stats(crit, s, year, on_gap)
    figs, comp = _figures(s, k_years)
    ev = _base(crit, year, AWAITING, target=limit, target_text=_fmt(limit, unit), path_value=limit,
               path_text=_fmt(limit, unit), figures=figs, comparison_figures=comp, missing_years=missing)
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = f"Perioden {_span(crit.period_start, crit.period_end)} er ikke begyndt."
        return ev
    what = "forskellen" if on_gap else "niveauet"
    miss_txt = _gap_missing_text(s, missing) if on_gap else _missing_text(missing)
    if not obs:
        ev.explanation = f"Der er endnu ingen data i perioden {_span(crit.period_start, crit.period_end)}." + miss_txt
        return ev
    mean = sum(obs.values()) / len(obs)
    ev.value, ev.value_text = mean, _fmt(mean, unit)
    ok = mean <= limit if lower_better else mean >= limit
    cmp_word = "højst" if lower_better else "mindst"
    if p.get("uncertainty") == "poisson" and not on_gap:
        ev.interval = poisson_mean_interval(sum(obs.values()), len(obs))
        ev.uncertain = _straddles(ev.interval, limit)
    elif on_gap and "n" in s.data.columns:
        var = 0.0
        okn = True
        for t in obs:
            v, n = s.value(t), s._get(t, "n")
            if n is None or n <= 0:
                okn = False
                break
            var += (v * (100 - v)) / n
        if okn:
            se = math.sqrt(var) / len(obs)
            ev.interval = (mean - 1.96 * se, mean + 1.96 * se)
            ev.uncertain = _straddles(ev.interval, limit)
    final = year >= crit.period_end
    span = _span(min(obs), max(obs))
    base_txt = ""
    if "baseline" in p and "baseline_year" in p:  # a stated starting level (KP-2: 6 cases in 2016)
        b_year, b_val = int(p["baseline_year"]), float(p["baseline"])
        base_txt = f" (fra {_fmt(b_val, unit)} i {b_year})"
        b_data = None if on_gap else s.value(b_year)
        if b_data is not None and not math.isclose(b_data, b_val):
            ev.notes.append(f"Data for {b_year} viser {_fmt(b_data, unit)}, aftalen angiver {_fmt(b_val, unit)}.")
    if final:
        if len(obs) < _min_years(crit, len(k_years)):
            ev.explanation = (f"Kun {len(obs)} af {len(k_years)} år har data, for lidt til en endelig vurdering."
                              + miss_txt)
            return ev
        ev.status = MET if ok else NOT_MET
        ev.explanation = (f"Gennemsnittet af {what} for {span} er {_fmt(mean, unit)} mod målet på {cmp_word} "
                          f"{_fmt(limit, unit)}{base_txt}." + miss_txt)
    else:
        left = [t for t in k_years if t > year] + [t for t in missing]
        n_left = len([t for t in k_years if t > year])
        latest = obs[max(obs)]
        if n_left:
            need = (limit * (len(obs) + n_left) - sum(obs.values())) / n_left
            ev.remaining = need
            ev.remaining_text = _mean_remaining_text(need, obs, n_left, [t for t in k_years if t > year], limit,
                                                     not lower_better, unit, on_gap)
            on_track = latest <= need if lower_better else latest >= need
        else:
            on_track = ok
        ev.status = ON_TRACK if on_track else OFF_TRACK
        ev.explanation = (f"Gennemsnittet af {what} for {span} er {_fmt(mean, unit)} mod målet på {cmp_word} "
                          f"{_fmt(limit, unit)}{base_txt}; det seneste år ({max(obs)}: {_fmt(latest, unit)}) "
                          + ("holder kursen, hvis niveauet fastholdes." if on_track else
                             "er ikke nok, hvis niveauet fastholdes.") + miss_txt)
        del left
    if ev.uncertain:
        ev.explanation += " Usikkerheden omfatter målet."
    return ev


def eval_period_mean_change(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The mean over the period is ``change`` (e.g. -0.20) relative to the baseline year's level.

    A baseline of 0 makes a relative change undefined: an increase then means any mean above 0,
    a decrease means a mean of 0 (documented reading)."""
    p = crit.params
    change = float(p["change"])
    b_year = int(p["baseline_year"])
    unit = crit.unit
    k_years = _years(crit.period_start, crit.period_end)
    figs, _ = _figures(s, [b_year] + k_years)
    B = s.value(b_year)
    ev = _base(crit, year, AWAITING, figures=figs)
    if year < b_year:
        ev.status = NOT_YET
        ev.explanation = f"Basisåret {b_year} er ikke nået."
        return ev
    if B is None or _no_baseline_records(s, b_year):
        ev.missing_years = [b_year]
        ev.figures[b_year] = None
        ev.explanation = _baseline_missing_text(s, b_year)
        if year < crit.period_start:  # not yet due takes precedence over awaiting data
            ev.status = NOT_YET
        return ev
    target = B * (1 + change)
    up = change > 0
    ev.target, ev.target_text = target, _fmt(target, unit)
    ev.path_value, ev.path_text = target, _fmt(target, unit)
    pct_txt = F.fmt_pct(abs(change) * 100, 0)
    goal = (f"mindst {_fmt(target, unit)} ({pct_txt} over {b_year}-niveauet {_fmt(B, unit)})" if up else
            f"højst {_fmt(target, unit)} ({pct_txt} under {b_year}-niveauet {_fmt(B, unit)})")
    if B == 0:
        goal = ("over 0 (basisniveauet er 0, så en procentvis stigning er udefineret)" if up else
                "0 (basisniveauet er allerede 0)")
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = (f"{b_year} er basisår med {_fmt(B, unit)}; målet for gennemsnittet i "
                          f"{_span(crit.period_start, crit.period_end)} er {goal}.")
        return ev
    judged = [t for t in k_years if t <= year]
    obs = {t: s.value(t) for t in judged if s.has(t)}
    missing = [t for t in judged if t not in obs]
    ev.missing_years = missing
    if not obs:
        ev.explanation = f"Der er endnu ingen data i perioden {_span(crit.period_start, crit.period_end)}." + _missing_text(missing)
        return ev
    mean = sum(obs.values()) / len(obs)
    ev.value, ev.value_text = mean, _fmt(mean, unit)

    def meets(m):
        if B == 0:
            return m > 0 if up else m == 0
        return _ge(m, target) if up else _le(m, target)

    if p.get("uncertainty") == "poisson":
        ev.interval = poisson_mean_interval(sum(obs.values()), len(obs))
        ev.uncertain = _straddles(ev.interval, target)
    span = _span(min(obs), max(obs))
    rel = (mean / B - 1) * 100 if B else None
    rel_txt = f" ({F.fmt_pct(rel, 0) if rel is not None else F.MISSING} i forhold til {b_year})" if rel is not None else ""
    if year >= crit.period_end:
        if len(obs) < _min_years(crit, len(k_years)):
            ev.explanation = (f"Kun {len(obs)} af {len(k_years)} år har data, for lidt til en endelig vurdering."
                              + _missing_text(missing))
            return ev
        ev.status = MET if meets(mean) else NOT_MET
        ev.explanation = f"Gennemsnittet for {span} er {_fmt(mean, unit)}{rel_txt} mod målet på {goal}." + _missing_text(missing)
    else:
        n_left = len([t for t in k_years if t > year])
        need = (target * (len(obs) + n_left) - sum(obs.values())) / n_left
        latest = obs[max(obs)]
        on_track = (latest >= need) if up else (latest <= need)
        if B == 0:
            on_track = meets(mean)
        ev.status = ON_TRACK if on_track else OFF_TRACK
        ev.remaining = need
        ev.remaining_text = _mean_remaining_text(need, obs, n_left, [t for t in k_years if t > year], target, up, unit)
        ev.explanation = (f"Gennemsnittet for {span} er {_fmt(mean, unit)}{rel_txt} mod målet på {goal}; "
                          f"fortsætter niveauet fra {max(obs)} ({_fmt(latest, unit)}), "
                          + ("nås målet." if on_track else "nås målet ikke.") + _missing_text(missing))
    if ev.uncertain:
        ev.explanation += " Tallene er små, og usikkerheden (Poisson) omfatter målet."
    return ev


def _growth_target(B, rate, t, t0, mode):
    return B * (1 + rate) ** (t - t0) if mode == "compound" else B * (1 + rate * (t - t0))


def eval_growth(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """``rate`` more each year relative to the baseline year: target_t = B·(1+r)^(t−t0) (compound,
    chosen) or B·(1+r·(t−t0)) (linear). Interim: on track when the level reaches 0,95 of the
    required progress; final: the end year's level reaches the end target. When the two
    readings give different statuses, the explanation says so."""
    p = crit.params
    rate = float(p["rate"])
    t0 = int(p["baseline_year"])
    mode = p.get("mode", "compound")
    T = crit.period_end
    unit = crit.unit
    years = _years(t0, T)
    figs, _ = _figures(s, years)
    B = s.value(t0)
    ev = _base(crit, year, AWAITING, figures=figs)
    if year <= t0:
        ev.status = NOT_YET
        ev.explanation = (f"{t0} er basisår" + (f" med {_fmt(B, unit)}" if B is not None else "") +
                          f"; væksten måles fra {t0 + 1}.")
        return ev
    if B is None or _no_baseline_records(s, t0):
        ev.missing_years = [t0]
        ev.figures[t0] = None
        ev.explanation = _baseline_missing_text(s, t0)
        return ev
    y = min(year, T)
    missing = s.missing_years(_years(t0 + 1, y))
    ev.missing_years = missing
    v = s.value(y)

    def judge(m):
        tgt = _growth_target(B, rate, y, t0, m)
        if v is None:
            return AWAITING, tgt, None
        if B == 0:
            ok = v > 0
            return ((MET if ok else NOT_MET) if y >= T else (ON_TRACK if ok else OFF_TRACK)), tgt, None
        r = (v - B) / (tgt - B) if tgt != B else None
        if y >= T:
            return (MET if _ge(v, tgt) else NOT_MET), tgt, r
        return (ON_TRACK if _ge(v, tgt) or (r is not None and _ge(r, ON_TRACK_RATIO)) else OFF_TRACK), tgt, r

    status, tgt, r = judge(mode)
    other = "linear" if mode == "compound" else "compound"
    o_status, o_tgt, _ = judge(other)
    ev.target = _growth_target(B, rate, T, t0, mode)
    ev.target_text = _fmt(ev.target, unit)
    ev.path_value, ev.path_text = tgt, _fmt(tgt, unit)
    ev.ratio = r
    if v is None:
        ev.explanation = f"Der er ikke leveret data for {y}." + _missing_text([t for t in missing if t != y])
        return ev
    ev.status = status
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    mode_da = {"compound": "renters rente", "linear": "lineært"}
    ev.explanation = (f"I {y} var tallet {_fmt_obs(v, unit)} mod {_fmt(tgt, unit)}, som {F.fmt_pct(rate * 100, 0)} "
                      f"vækst om året fra {t0} ({_fmt(B, unit)}) kræver ({mode_da[mode]}).")
    if o_status != status:
        ev.alternative = {"reading": mode_da[other], "status": o_status, "target": o_tgt}
        ev.explanation += f" Regnet {mode_da[other]} ({_fmt(o_tgt, unit)}) ville status være {o_status}."
    if B == 0:
        ev.explanation += " Basisniveauet er 0, så procentvis vækst er udefineret; kriteriet læses som 'over 0'."
    if y < T:
        ev.remaining = ev.target
        ev.remaining_text = f"I {T} skal tallet være mindst {_fmt(ev.target, unit)}."
    ev.explanation += _missing_text(missing)
    return ev


def eval_yoy_growth(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """At least ``rate`` growth every year. Each year's growth is shown; the status follows the
    average annual growth (CAGR) from the baseline year: interim on track when CAGR ≥ 0,95·rate,
    final met when CAGR over the whole period ≥ rate (a documented choice: a single weak year can
    be made up for)."""
    p = crit.params
    rate = float(p["rate"])
    t0 = int(p["baseline_year"])
    T = crit.period_end
    unit = crit.unit
    years = _years(t0, T)
    figs, _ = _figures(s, years)
    B = s.value(t0)
    ev = _base(crit, year, AWAITING, figures=figs, target=rate * 100, target_text=F.fmt_pct(rate * 100, 0))
    if year <= t0:
        ev.status = NOT_YET
        ev.explanation = f"{t0} er basisår; den årlige vækst måles fra {t0 + 1}."
        return ev
    if B is None or _no_baseline_records(s, t0):
        ev.missing_years = [t0]
        ev.figures[t0] = None
        ev.explanation = _baseline_missing_text(s, t0)
        return ev
    y = min(year, T)
    missing = s.missing_years(_years(t0 + 1, y))
    ev.missing_years = missing
    v = s.value(y)
    if v is None:
        ev.explanation = f"Der er ikke leveret data for {y}." + _missing_text([t for t in missing if t != y])
        return ev
    ev.value, ev.value_text = v, _fmt_obs(v, unit)
    yoy = []
    prev_t, prev_v = t0, B
    for t in _years(t0 + 1, y):
        if s.has(t):
            g = ((s.value(t) / prev_v) ** (1 / (t - prev_t)) - 1) if prev_v > 0 else None
            yoy.append((t, g))
            prev_t, prev_v = t, s.value(t)
    path = B * (1 + rate) ** (y - t0)
    ev.path_value, ev.path_text = path, _fmt(path, unit)
    if B <= 0:
        ok = v > 0
        ev.status = (MET if ok else NOT_MET) if y >= T else (ON_TRACK if ok else OFF_TRACK)
        ev.explanation = f"Basisåret {t0} har {_fmt(B, unit)}, så procentvis vækst er udefineret; kriteriet læses som 'over 0'."
        return ev
    cagr = (v / B) ** (1 / (y - t0)) - 1
    ev.ratio = cagr / rate
    weak = [t for t, g in yoy if g is not None and not _ge(g, rate)]
    end_target = B * (1 + rate) ** (T - t0)
    every_year = p.get("rule", "average") == "every_year"
    if every_year:  # the reading "at least the rate in every single year": one weak year decides it
        ok = not weak
        ev.status = (MET if ok else NOT_MET) if y >= T else (ON_TRACK if ok else OFF_TRACK)
        if y < T and weak:
            ev.remaining_text = (f"Målet kan ikke længere nås: væksten var under {F.fmt_pct(rate * 100, 0)} i "
                                 f"{', '.join(map(str, weak))}, og hvert år skal nå den.")
        elif y < T:
            ev.remaining = rate * 100
            ev.remaining_text = (f"Hvert af årene {', '.join(map(str, _years(y + 1, T)))} skal have en vækst på "
                                 f"mindst {F.fmt_pct(rate * 100, 0)}.")
    elif y >= T:
        ev.status = MET if _ge(cagr, rate) else NOT_MET
    else:
        ev.status = ON_TRACK if _ge(ev.ratio, ON_TRACK_RATIO) else OFF_TRACK
        if v <= 0:
            ev.remaining, ev.remaining_text = None, f"I {T} skal tallet være mindst {_fmt(end_target, unit)}."
        elif _ge(v, end_target):
            ev.remaining, ev.remaining_text = 0.0, f"Niveauet for {T} ({_fmt(end_target, unit)}) er allerede nået; det skal holdes."
        else:
            need = (end_target / v) ** (1 / (T - y)) - 1
            ev.remaining = need * 100
            ev.remaining_text = (f"For at nå {_fmt(end_target, unit)} i {T} skal væksten være "
                                 f"{F.fmt_pct(need * 100)} om året.")
    yoy_txt = "; ".join(f"{t}: {F.fmt_pct(g * 100)}" for t, g in yoy if g is not None)
    ev.explanation = (f"Den gennemsnitlige årlige vækst fra {t0} til {y} er {F.fmt_pct(cagr * 100)} mod målet på "
                      f"{F.fmt_pct(rate * 100, 0)} ({yoy_txt})"
                      + (f"; under målet i {', '.join(map(str, weak))}." if weak else ".") + _missing_text(missing))
    if every_year:
        ev.explanation += (" Kriteriet læses her som mindst " + F.fmt_pct(rate * 100, 0) + " vækst hvert eneste år"
                           + (f", og det er ikke nået i {', '.join(map(str, weak))}." if weak else
                              ", og det er nået i hvert år med data."))
    return ev


def _latest_gap(crit, s, year):
    """The gap in the evaluation year, or the latest earlier year with data (register lag)."""
    for t in range(year, crit.period_start - 2, -1):
        g = _gap(s, t, crit.direction)
        if g is not None:
            return t, g
    return None, None


def eval_gap_target(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The gap to the comparison population falls from ``baseline_gap`` (stated, year
    ``baseline_year``) to at most ``target_gap`` by ``period_end``; linear target path; interim
    R_lin = (g0 − g_t)/(g0 − p_t) ≥ 0,95. With ``yearly: true`` ("år for år") the gap must also
    shrink from the previous year with data."""
    p = crit.params
    g0 = float(p["baseline_gap"])
    t0 = int(p["baseline_year"])
    gT = float(p["target_gap"])
    T = crit.period_end
    years = _years(t0, T)
    figs, comp = _figures(s, years)
    ev = _base(crit, year, AWAITING, figures=figs, comparison_figures=comp, target=gT,
               target_text=F.fmt_pp(gT))
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = f"Perioden begynder i {crit.period_start}; forskellen var {F.fmt_pp(g0)} ved start."
        return ev
    t, g = _latest_gap(crit, s, min(year, T))
    ev.missing_years = [y for y in _years(crit.period_start, min(year, T)) if _gap(s, y, crit.direction) is None]
    miss_txt = _gap_missing_text(s, ev.missing_years)
    if g is None:
        ev.explanation = "Forskellen kan endnu ikke beregnes for noget år i perioden." + miss_txt
        return ev
    t_eff = min(t, T)
    path = g0 + (gT - g0) * (t_eff - t0) / (T - t0)
    ev.path_value, ev.path_text = path, F.fmt_pp(path)
    ev.value, ev.value_text = g, F.fmt_pp(g)
    ev.ratio = (g0 - g) / (g0 - path) if g0 != path else None
    num, den = s._get(t, "numerator"), s._get(t, "denominator")
    if num is not None and den:
        lo, hi = wilson_interval(num, den)
        c = s.comparison(t)
        ev.interval = ((c - 100 * hi, c - 100 * lo) if crit.direction == "up" else (100 * lo - c, 100 * hi - c))
        ev.uncertain = _straddles(ev.interval, gT if t >= T else path)
    lag_txt = f" (seneste tal er fra {t})" if t != year else ""
    area, cmpv = s.value(t), s.comparison(t)
    fig_txt = f"{_fmt(area, crit.unit)} mod {_fmt(cmpv, crit.unit)}"
    shrink_ok = True
    grew: list[int] = []
    if p.get("yearly"):
        prev_gap = g0
        for u in range(t0 + 1, t + 1):
            gu = _gap(s, u, crit.direction)
            if gu is None:
                continue
            if not gu < prev_gap:
                grew.append(u)
            prev_gap = gu
        prev = [(u, _gap(s, u, crit.direction)) for u in range(t - 1, t0 - 1, -1) if _gap(s, u, crit.direction) is not None]
        if prev:
            shrink_ok = g < prev[0][1]
        elif t > t0:
            shrink_ok = g < g0
    if t >= T:
        ok = _le(g, gT) and not grew
        ev.status = MET if ok else NOT_MET
        ev.explanation = (f"Forskellen var {F.fmt_pp(g)} i {t} ({fig_txt}) mod målet på højst {F.fmt_pp(gT)} "
                          f"(fra {F.fmt_pp(g0)})"
                          + (f"; men den blev ikke mindre år for år (ikke i {', '.join(map(str, grew))})" if grew else "")
                          + "." + miss_txt)
    else:
        if year >= T:
            ev.status = AWAITING
            ev.explanation = (f"Tallet for {T} er ikke leveret endnu; i {t} var forskellen {F.fmt_pp(g)} ({fig_txt}) "
                              f"mod målstiens {F.fmt_pp(path)}." + miss_txt)
            return ev
        on = (_le(g, path) or (ev.ratio is not None and _ge(ev.ratio, ON_TRACK_RATIO))) and shrink_ok and not grew
        ev.status = ON_TRACK if on else OFF_TRACK
        ev.remaining = (g - gT) / (T - t)
        if grew:  # "år for år": a year in which the gap did not shrink cannot be undone
            ev.remaining_text = (f"Målet kan ikke længere nås: forskellen blev ikke mindre år for år (ikke i "
                                 f"{', '.join(map(str, grew))}). Forskellen skal stadig ned på højst {F.fmt_pp(gT)} "
                                 f"i {T}, {F.fmt_pp(max(ev.remaining, 0))} om året.")
        elif gT < 0:
            ev.remaining_text = (f"Målet kan ikke længere nås som en lukning af forskellen: det kræver, at området i "
                                 f"{T} ligger {F.fmt_pp(-gT)} bedre end sammenligningsgrundlaget.")
        else:
            ev.remaining_text = (f"Forskellen skal mindskes med {F.fmt_pp(max(ev.remaining, 0))} om året frem til {T}."
                                 if ev.remaining > 0 else "Målet er allerede nået; niveauet skal holdes.")
        ev.explanation = (f"Forskellen var {F.fmt_pp(g)} i {t}{lag_txt} ({fig_txt}) mod målstiens {F.fmt_pp(path)} "
                          f"på vej fra {F.fmt_pp(g0)} til {F.fmt_pp(gT)} i {T}"
                          + ("" if shrink_ok else "; forskellen blev ikke mindre end året før") + "." + miss_txt)
    if g < 0:
        ev.explanation += " Området ligger nu bedre end sammenligningsgrundlaget (forskellen har skiftet fortegn)."
    if ev.uncertain:
        ev.explanation += " Usikkerheden på områdets andel omfatter målet."
    return ev


def eval_gap_reduction_rate(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """The gap (stated ``baseline_gap`` in ``baseline_year``) shrinks by at least ``rate``
    percentage points a year on average: g_t ≤ g0 − rate·(t − t0)."""
    p = crit.params
    g0 = float(p["baseline_gap"])
    t0 = int(p["baseline_year"])
    rate = float(p["rate"])
    T = crit.period_end
    years = _years(t0, T)
    figs, comp = _figures(s, years)
    ev = _base(crit, year, AWAITING, figures=figs, comparison_figures=comp)
    gT = g0 - rate * (T - t0)
    ev.target, ev.target_text = gT, F.fmt_pp(gT)
    if year < crit.period_start:
        ev.status = NOT_YET
        ev.explanation = f"Perioden begynder i {crit.period_start}; forskellen var {F.fmt_pp(g0)} ved start."
        return ev
    t, g = _latest_gap(crit, s, min(year, T))
    ev.missing_years = [y for y in _years(crit.period_start, min(year, T)) if _gap(s, y, crit.direction) is None]
    miss_txt = _gap_missing_text(s, ev.missing_years)
    if g is None or t <= t0:
        ev.explanation = "Forskellen kan endnu ikke beregnes for noget år efter basisåret." + miss_txt
        return ev
    path = g0 - rate * (t - t0)
    ev.path_value, ev.path_text = path, F.fmt_pp(path)
    ev.value, ev.value_text = g, F.fmt_pp(g)
    avg = (g0 - g) / (t - t0)
    ev.ratio = avg / rate
    area, cmpv = s.value(t), s.comparison(t)
    fig_txt = f"{_fmt(area, crit.unit)} mod {_fmt(cmpv, crit.unit)}"
    num, den = s._get(t, "numerator"), s._get(t, "denominator")
    if num is not None and den:
        lo, hi = wilson_interval(num, den)
        c = s.comparison(t)
        ev.interval = ((c - 100 * hi, c - 100 * lo) if crit.direction == "up" else (100 * lo - c, 100 * hi - c))
        ev.uncertain = _straddles(ev.interval, path)
    core = (f"Forskellen er {F.fmt_pp(g)} i {t} ({fig_txt}), i gennemsnit {F.fmt_pp(avg)} mindre om året siden "
            f"{t0} ({F.fmt_pp(g0)}), mod kravet om mindst {F.fmt_pp(rate)} om året")
    if t >= T:
        ev.status = MET if _ge(avg, rate) else NOT_MET
        ev.explanation = core + "." + miss_txt
    elif year >= T:
        ev.explanation = f"Tallet for {T} er ikke leveret endnu. " + core + "." + miss_txt
        return ev
    else:
        ev.status = ON_TRACK if _ge(ev.ratio, ON_TRACK_RATIO) else OFF_TRACK
        need = (g - gT) / (T - t)
        ev.remaining = need
        if gT < 0:  # the required reduction goes past a closed gap
            ev.remaining_text = (f"Målet kan ikke længere nås som en lukning af forskellen: selv hvis forskellen "
                                 f"lukkes helt (0) i {T}, er den i gennemsnit mindsket med "
                                 f"{F.fmt_pp(g0 / (T - t0))} om året mod kravet om {F.fmt_pp(rate)} "
                                 f"({F.fmt_pp(rate - g0 / (T - t0))} for lidt).")
        elif need <= 0:
            ev.remaining_text = f"Målet for {T} ({F.fmt_pp(gT)}) er allerede nået; niveauet skal holdes."
        else:
            ev.remaining_text = (f"Frem til {T} skal forskellen mindskes med {F.fmt_pp(need)} om året for at nå "
                                 f"{F.fmt_pp(gT)}.")
        ev.explanation = core + (f" (seneste tal er fra {t})." if t != year else ".") + miss_txt
    if ev.uncertain:
        ev.explanation += " Usikkerheden på områdets andel omfatter målstien."
    return ev


def eval_survey_wave_increase(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """Wave 2 (``end_wave``) vs wave 1 (``start_wave``): met only when the 95 % CI of the
    difference lies above 0 (decision rule fixed here; the survey module computes the CI)."""
    p = crit.params
    w1, w2 = int(p.get("start_wave", crit.period_start)), int(p.get("end_wave", crit.period_end))
    x = s.extra or {}
    unit_label = x.get("unit_label", "point")
    figs, _ = _figures(s, [w1, w2])
    ev = _base(crit, year, AWAITING, figures=figs, target=0.0, target_text="> 0")
    if year < w2:
        ev.status = NOT_YET
        b = s.value(w1)
        ev.explanation = (f"Sammenligningen kan først laves med målingen i {w2}"
                          + (f"; {w1}-målingen gav {F.fmt_number(b, 1)} {unit_label}." if b is not None and year >= w1
                             else "."))
        return ev
    d, lo, hi = x.get("diff"), x.get("ci_low"), x.get("ci_high")
    if s.value(w1) is None or s.value(w2) is None or d is None or lo is None or hi is None:
        ev.missing_years = [w for w in (w1, w2) if s.value(w) is None]
        ev.explanation = "Begge målinger skal foreligge, før kriteriet kan vurderes." + _missing_text(ev.missing_years)
        return ev
    mm = x.get("min_meaningful")
    ev.value, ev.value_text = d, f"{F.fmt_number(d, 1)} {unit_label}"
    ev.interval = (lo, hi)
    ci = f"95 %-sikkerhedsinterval {F.fmt_number(lo, 1)} til {F.fmt_number(hi, 1)}"
    ev.uncertain = _straddles(ev.interval, 0.0)  # the README's rule, as in every kind
    if lo > 0:
        ev.status = MET
        why = "intervallet ligger over 0, så fællesskabet opleves som stærkere"
    else:
        ev.status = NOT_MET
        if hi < 0:
            why = "intervallet ligger under 0, så data viser et fald"
        elif mm is not None and hi < mm:
            why = (f"intervallet omfatter 0, og data kan udelukke en stigning på {F.fmt_number(mm, 1)} {unit_label} "
                   "eller mere")
        else:
            why = "intervallet omfatter 0, så data kan ikke vise en stigning – men heller ikke udelukke en"
    ev.explanation = f"Forskellen {w2} − {w1} er {F.fmt_number(d, 1)} {unit_label} ({ci}); {why}."
    if ev.uncertain:
        ev.explanation += " Intervallet omfatter målet (en stigning over 0), så resultatet er usikkert."
    return ev


def eval_milestone(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """A milestone due by ``due`` (ISO date). ``extra`` from the assessments source:
    ``done_date`` (ISO or None), ``by``, ``evidence``."""
    p = crit.params
    due = str(p["due"])
    due_year = int(due[:4])
    x = dict(s.extra or {})
    if "history" in x:  # records from the assessments source: the first completion counts
        done_recs = [h for h in x["history"] if str(h.get("assessment")).lower() in ("gennemført", "opfyldt")]
        if done_recs:
            first = min(done_recs, key=lambda h: h["date"])
            x.update(done_date=first["date"], by=first.get("by"), evidence=first.get("evidence"))
    done = x.get("done_date")
    ev = _base(crit, year, AWAITING, target_text=f"senest {F.fmt_date(due)}")
    if s.source_missing and year >= due_year:
        ev.explanation = "Kilden for milepæle og vurderinger er ikke leveret."
        return ev
    if done and int(str(done)[:4]) <= year:
        ok = str(done)[:10] <= due[:10]
        ev.status = MET if ok else NOT_MET
        ev.value_text = F.fmt_date(done)
        ev.explanation = (f"Gennemført {F.fmt_date(done)}" + (f" ({x['by']})" if x.get("by") else "")
                          + (" inden fristen." if ok else f", efter fristen {F.fmt_date(due)}.")
                          + (f" Dokumentation: {x['evidence']}." if x.get("evidence") else ""))
        return ev
    if year < due_year:
        ev.status = NOT_YET
        ev.explanation = f"Milepælen skal være nået senest {F.fmt_date(due)}."
    else:
        ev.status = NOT_MET
        ev.explanation = f"Milepælen er ikke registreret som gennemført; fristen var {F.fmt_date(due)}."
    return ev


ASSESSMENT_LABELS = {
    "opfyldt": "Opfyldt",
    "delvist opfyldt": "Delvist opfyldt",
    "ikke opfyldt": "Ikke opfyldt",
    "i gang": "I gang",
}


def eval_qualitative(crit, s: IndicatorSeries, year: int) -> Evaluation:
    """A qualitative assessment recorded by a person or body, with rationale and evidence.

    ``extra``: ``assessment`` (one of ``ASSESSMENT_LABELS``), ``by``, ``date``, ``rationale``,
    ``evidence`` — the latest assessment dated in or before the evaluation year."""
    p = crit.params
    due_year = int(p.get("due_year", crit.period_end))
    x = dict(s.extra or {})
    if "history" in x:  # the latest assessment dated in or before the evaluation year
        hist = [h for h in x["history"] if int(str(h["date"])[:4]) <= year]
        x = dict(max(hist, key=lambda h: h["date"])) if hist else {}
    ev = _base(crit, year, AWAITING, target_text=f"vurderes senest {due_year}")
    a = x.get("assessment")
    if a:
        ev.status = ASSESSED
        lab = ASSESSMENT_LABELS.get(str(a).lower(), str(a))
        ev.notes_label = f"Vurdering: {lab}"
        ev.value_text = lab
        ev.explanation = (f"{x.get('by', 'Ukendt')} vurderede {F.fmt_date(x['date']) if x.get('date') else ''}: {lab}. "
                          f"Begrundelse: {x.get('rationale', '–')}"
                          + (f" Dokumentation: {x['evidence']}." if x.get("evidence") else ""))
        return ev
    if year < due_year:
        ev.status = NOT_YET
        ev.explanation = f"Der foreligger endnu ingen vurdering; kriteriet vurderes senest {due_year}."
    else:
        ev.explanation = f"Vurderingen for {due_year} er ikke registreret."
    return ev


def target_path(crit, s: IndicatorSeries | None) -> dict[int, float]:
    """The target path for the chart and tables: the value each plan year should reach (on the
    gap scale for gap kinds), from the criterion's parameters and, where the target is relative,
    the baseline year's value in the data. Empty for kinds without a numeric path."""
    p = crit.params
    T = crit.period_end
    out: dict[int, float] = {}
    k = crit.kind
    if k in ("annual_minimum", "minimum_share"):
        return {int(y): float(p["target"]) for y in crit.years}
    if k == "cumulative_total":
        t0 = crit.period_start
        return {y: float(p["target"]) * (y - t0 + 1) / (T - t0 + 1) for y in _years(t0, T)}
    if k == "period_mean_max":
        return {y: float(p.get("max", p.get("min"))) for y in _years(crit.period_start, T)}
    if k in ("period_mean_change", "growth", "yoy_growth"):
        b_year = int(p["baseline_year"])
        B = s.value(b_year) if s is not None else None
        if B is None:
            return out
        if k == "period_mean_change":
            return {y: B * (1 + float(p["change"])) for y in _years(crit.period_start, T)}
        mode = p.get("mode", "compound")
        return {y: _growth_target(B, float(p["rate"]), y, b_year, mode) for y in _years(b_year, T)}
    if k == "gap_target":
        t0, g0, gT = int(p["baseline_year"]), float(p["baseline_gap"]), float(p["target_gap"])
        return {y: g0 + (gT - g0) * (y - t0) / (T - t0) for y in _years(t0, T)}
    if k == "gap_reduction_rate":
        t0, g0, r = int(p["baseline_year"]), float(p["baseline_gap"]), float(p["rate"])
        return {y: g0 - r * (y - t0) for y in _years(t0, T)}
    return out


EVALUATORS: dict[str, Callable] = {
    "annual_minimum": eval_annual_minimum,
    "minimum_share": eval_minimum_share,
    "cumulative_total": eval_cumulative_total,
    "period_mean_change": eval_period_mean_change,
    "period_mean_max": eval_period_mean_max,
    "growth": eval_growth,
    "yoy_growth": eval_yoy_growth,
    "gap_target": eval_gap_target,
    "gap_reduction_rate": eval_gap_reduction_rate,
    "survey_wave_increase": eval_survey_wave_increase,
    "milestone": eval_milestone,
    "qualitative": eval_qualitative,
}


def evaluate(crit, series: IndicatorSeries, year: int) -> Evaluation:
    """Evaluate one criterion for one evaluation year, including its alternative readings.

    A whole source that was not delivered gives *Afventer data* (or *Ikke aktuel endnu* before
    the criterion applies)."""
    func = EVALUATORS[crit.kind]
    ev = func(crit, series, year)
    unreliable = (series.extra or {}).get("unreliable")
    if series.source_missing and ev.status not in (NOT_YET,):
        ev.status = AWAITING
        ev.uncertain = False
        ev.explanation = "Datakilden er ikke leveret, så kriteriet afventer data."
    elif unreliable and ev.status not in (NOT_YET, AWAITING, SUPPRESSED):
        # the figure exists but cannot be relied on (e.g. survey weighting failed): no verdict
        reason = str(unreliable).strip().rstrip(".")
        lead = reason if reason[:1].isupper() else f"Kriteriet kan ikke vurderes pålideligt: {reason}"
        ev.explanation = f"{lead}. Uden dette forbehold ville status have været {ev.label}. " + ev.explanation
        ev.status = UNJUDGEABLE
        ev.remaining, ev.remaining_text = None, ""
    if ev.status in NO_JUDGEMENT:
        ev.uncertain = False
    ev.reading = getattr(crit, "chosen_reading", None)
    for alt in getattr(crit, "alternatives", []) or []:
        alt_series = series
        if alt.get("series"):  # another reading of the indicator, computed beside it (extra['alternative_series'])
            alt_series = (series.extra or {}).get("alternative_series", {}).get(alt["series"])
            if alt_series is None:
                continue
            alt_series = _until(alt_series, year)
        alt_crit = crit.with_params(alt.get("params", {}))
        alt_ev = func(alt_crit, alt_series, year)
        if ev.status in (AWAITING, NOT_YET, SUPPRESSED, UNJUDGEABLE):
            continue
        info = {"reading": alt.get("reading"), "status": alt_ev.status}
        if alt.get("series"):  # another count: always shown beside the chosen one
            info["value_text"] = alt_ev.value_text
            ev.alternative = info
        if alt_ev.status != ev.status:
            ev.alternative = info
            val = f" ({alt_ev.value_text})" if alt.get("series") and alt_ev.value_text != F.MISSING else ""
            ev.explanation += (f" Med den alternative læsning ({alt.get('reading')}) ville status være "
                               f"{alt_ev.status}{val}.")
        elif alt.get("series") and alt_ev.value_text != ev.value_text:
            ev.explanation += (f" Med den alternative læsning ({alt.get('reading')}) er tallet {alt_ev.value_text}, "
                               f"og status er den samme.")
    ev.explanation = tidy_text(ev.explanation)
    ev.remaining_text = tidy_text(ev.remaining_text)
    for f_ in ("value_text", "target_text", "path_text"):
        setattr(ev, f_, tidy_text(getattr(ev, f_)))
    return ev


def _until(s: IndicatorSeries, year: int) -> IndicatorSeries:
    """The series without years after ``year`` (a judgement never sees later data)."""
    import copy

    t = copy.copy(s)
    t.data = s.data.loc[s.data.index <= year]
    return t
