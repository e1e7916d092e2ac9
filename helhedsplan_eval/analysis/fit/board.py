"""Board tables of the FIT analysis (Danish, strings, suppression applied, no ids or dates).

Part of :mod:`helhedsplan_eval.analysis.fit` (see its docstring for the method)."""

from __future__ import annotations

import math
import re

import pandas as pd

from helhedsplan_eval.formatting import MISSING, NBSP, SHARE_DECIMALS, fmt_count, fmt_number, fmt_pct, fmt_share
from helhedsplan_eval.analysis.fit.params import CATEGORIES, CATEGORY_LABELS, COLLATERAL_YEARS, DEFAULT_THRESHOLD, EN_DASH, FIRST_YEAR, MINUS, STREAMS, STREAM_CRITERION, STREAM_SHORT, SUPPRESSED, UNIT_WORD
from helhedsplan_eval.analysis.fit.summary import FitData, courses_per_year, from_bundle, specialgruppe_size, srs_summary, stream_table
from helhedsplan_eval.analysis.fit.suppression import _fmt_counts_with_mask, suppress_groups




def _col_label(c) -> str:
    if c == "i alt":
        return "I alt"
    return str(c)


def _fmt_ci(lo, hi, d=1, pct=False):
    return fmt_range(lo, hi, SHARE_DECIMALS if pct else d, pct=pct)


def _signed(text: str) -> str:
    """A real minus sign (U+2212) instead of the hyphen for negative numbers."""
    return MINUS + text[1:] if text.startswith("-") else text


def _num(x, d: int = 1) -> str:
    return _signed(fmt_number(x, d))


def _pct(x, d: int = 0) -> str:
    return _signed(fmt_pct(x, d))


def _share(x) -> str:
    """An observed share: the one rule every board channel uses (formatting.fmt_share)."""
    return _signed(fmt_share(x))


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


def _board_counts(t: pd.DataFrame, cols: list[str], stream: str, min_cell: int) -> dict[str, dict]:
    """The count rows of a stream's board table, with primary and secondary suppression."""
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
    return {lab: {col: shown.at[lab, col] for col in cols} for lab in labels[:5]}


def _board_metrics(rows: dict, m: pd.Series, col: str, stream: str, threshold: float, min_cell: int) -> None:
    """The means, intervals, effect sizes and shares of one column (``m``: its metrics) of a
    stream's board table; nothing over fewer than ``min_cell`` episodes or units, and no share
    whose denominator the table hides."""
    thr = fmt_number(threshold, 0)

    def small(key):
        n = m.get(key)
        return pd.isna(n) or n < min_cell

    def num(key, d=1):
        return MISSING if small("n_analysable") else _num(m.get(key), d)

    def den_hidden(den):
        # a share whose denominator the table hides would give the denominator away (70 % -> 10)
        return small(den) or (den == "n_units" and not _is_number_text(rows[_units_label(stream)][col]))

    def pct(key, den="n_units"):
        return MISSING if den_hidden(den) else _share(m.get(key))

    def ci(lo, hi, den="n_units"):
        return MISSING if den_hidden(den) else fmt_range(m.get(lo), m.get(hi), SHARE_DECIMALS, pct=True)

    cells = {
        "Gns. første måling (0–40 point)": num("mean_intake"),
        "Gns. seneste måling (0–40 point)": num("mean_last"),
        "Gns. ændring (point)": num("mean_change"),
        "95 %-konfidensinterval for ændringen (point)": (
            MISSING if small("n_analysable") else fmt_range(m.get("change_ci_low"), m.get("change_ci_high"), 1)),
        "Effektstørrelse: ændringen delt med spredningen ved start": num("d_intake", 2),
        "Effektstørrelse: ændringen delt med spredningen af ændringerne": num("d_z", 2),
        share_row("literal", stream, threshold): pct("share_improved_literal"),
        share_row("reliable", stream, threshold): pct("share_improved_reliable"),
        f"95 %-konfidensinterval (mindst {thr} point)": ci("reliable_ci_low", "reliable_ci_high"),
        share_row("reliable_below", stream, threshold): pct("share_improved_below", "n_units_below"),
        "95 %-konfidensinterval (startede under grænsen)": ci("below_ci_low", "below_ci_high", "n_units_below"),
        "Grænse for pålidelig ændring beregnet ud fra data (point)": num("rci_data"),
        "Skemaets pålidelighed brugt i beregningen (Cronbachs alfa)": (
            MISSING if small("n_analysable") else f"{_num(m.get('reliability'), 2)} "
            f"({'fra data' if m.get('reliability_source') == 'data' else 'standardværdi'})"),
        "Andel forbedret mere end den beregnede grænse": pct("share_improved_rci_data"),
    }
    for label, cell in cells.items():
        rows.setdefault(label, {})[col] = cell


def stream_board_table(fd: FitData, stream: str, evaluation_year: int, min_cell: int = 5) -> pd.DataFrame:
    """Board table for one stream: Danish metric labels as rows, years (and 'I alt') as columns.

    The counts (episodes started, analysable, single-score; units and how many started below
    and at or above the clinical cut-off) get primary and secondary suppression: started =
    analysable + single-score, units = below + above, and 'I alt' = the sum of the years.
    Means and effect sizes over fewer than ``min_cell`` episodes and shares over fewer than
    ``min_cell`` units are not shown ("–"). Made once per data set and arguments (FitData.memo): the
    other tables and charts ask for it to show the same counts (:func:`_shown_count`)."""
    key = ("stream_board_table", stream, int(evaluation_year), int(min_cell))
    return fd.memo(key, lambda: _stream_board_table(fd, stream, evaluation_year, min_cell))


def _stream_board_table(fd: FitData, stream: str, evaluation_year: int, min_cell: int) -> pd.DataFrame:
    years = _stream_years(stream, evaluation_year)
    if not years:
        return pd.DataFrame()
    t = stream_table(fd, stream, years, include_total=len(years) > 1)
    cols = [_col_label(c) for c in t.index]
    rows = _board_counts(t, cols, stream, min_cell)
    for c, col in zip(t.index, cols):
        _board_metrics(rows, t.loc[c], col, stream, fd.threshold, min_cell)
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
            "Andel sessioner under 36 point": MISSING if small else _share(r["share_under_36"]),
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
