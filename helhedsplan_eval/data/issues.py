"""Validation problems: one :class:`Issue` per problem, their counts for the board, and the evaluator's report.

Every check of the data contract (reading a file, converting a cell, the schema, references between files,
``manifest.yml``) reports through :class:`Issue`: severity (:data:`ERROR` stops a run, :data:`WARNING` does not),
source, file, row, column, value and a Danish message. :func:`issue_summary` gives the board counts without any cell
value; :func:`format_report` is what ``helhedsplan-eval validate`` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from helhedsplan_eval.formatting import excerpt, plural  # noqa: F401  (excerpt re-exported for the checks)

ERROR = "fejl"
WARNING = "advarsel"


@dataclass
class Issue:
    severity: str
    source: str
    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    category: str | None = None  # the problem without any cell value (for counts shown to the board)

    @property
    def problem(self) -> str:
        """The problem without the cell value: ``category`` when set, else the message with the value
        (and anything quoted) blanked out."""
        if self.category:
            return self.category
        msg = str(self.message)
        if self.value not in (None, ""):
            msg = msg.replace(str(self.value), "…")
        return re.sub(r"'[^']*'", "'…'", msg) if self.value not in (None, "") else msg

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", række {self.row}"
        if self.column:
            label = "nøgle" if self.file.endswith((".yml", ".yaml")) else "kolonne"
            where += f", {label} '{self.column}'"
        return f"{self.severity.capitalize()}: {where}: {self.message}"

    def as_dict(self) -> dict:
        return {"alvor": self.severity, "kilde": self.source, "fil": self.file, "række": self.row,
                "kolonne": self.column, "værdi": self.value, "besked": self.message}


def issue_summary(issues, severity: str | None = None) -> pd.DataFrame:
    """Counts of problems per file, column and problem, without any cell value or row number.

    For the board's data-quality tables: values (which may be pseudonymous ids) stay in the
    ``validate`` output for the evaluator. ``severity`` (``ERROR``/``WARNING``) filters."""
    counts: dict[tuple[str, str, str], int] = {}
    for i in issues:
        if severity is not None and i.severity != severity:
            continue
        key = (i.file, i.column or "", i.problem)
        counts[key] = counts.get(key, 0) + 1
    rows = [{"file": f, "column": c, "problem": p, "count": n} for (f, c, p), n in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["file", "column", "problem", "count"])


def row_list(rows, shown: int = 10) -> str:
    """'række 4' or 'rækkerne 3, 5 og 7' (the first ``shown``, then how many more)."""
    rows = sorted(set(rows))
    if len(rows) == 1:
        return f"række {rows[0]}"
    head = [str(r) for r in rows[:shown]]
    if len(rows) > shown:
        return f"rækkerne {', '.join(head)} og {len(rows) - shown} flere"
    return f"rækkerne {', '.join(head[:-1])} og {head[-1]}"


class DataValidationError(Exception):
    """Raised by :func:`load_bundle` with ``strict=True`` when the data folder has errors."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        errs = [i for i in issues if i.severity == ERROR]
        super().__init__(f"{len(errs)} fejl i data:\n" + "\n".join(str(i) for i in errs))


def coverage_lines(coverage: dict[str, list[int]]) -> list[str]:
    """'Dækkede år' per source: the years a source counts as delivered (spell registers: the years a
    spell is active in; manifest.yml's coverage where declared). Other years are missing, never 0."""
    def span(ys):
        ys = sorted(ys)
        if not ys:
            return "ingen"
        runs, start = [], ys[0]
        for a, b in zip(ys, ys[1:] + [None]):
            if b != a + 1:
                runs.append(str(start) if start == a else f"{start}–{a}")
                start = b
        return ", ".join(runs)

    return [f"  {name}: {span(ys)}" for name, ys in sorted(coverage.items())]


def format_report(issues: list[Issue], data_dir, coverage: dict[str, list[int]] | None = None) -> str:
    """The evaluator's validation report: every error and warning with file, row, column and value, and,
    when given, each source's covered years (:meth:`DataBundle.coverage`)."""
    errs = [i for i in issues if i.severity == ERROR]
    warns = [i for i in issues if i.severity == WARNING]
    lines = [f"Validering af {data_dir}: {len(errs)} fejl, {plural(len(warns), 'advarsel', 'advarsler')}."]
    for i in errs + warns:
        lines.append("  " + str(i))
    if not errs:
        lines.append("Ingen fejl: data kan bruges.")
    if coverage is not None:
        lines.append("Dækkede år pr. kilde (andre år mangler og tælles ikke som 0):")
        lines += coverage_lines(coverage)
        lines += left_out_lines(issues, coverage)
    return "\n".join(lines)


def left_out_lines(issues, coverage: dict[str, list[int]]) -> list[str]:
    """The sources the coverage list leaves out and why (errors, or no file), and the covered sources that lost
    rows with errors; each names the count, the messages above name the rows."""
    errs: dict[str, int] = {}
    for i in issues:
        if i.severity == ERROR and i.source not in ("-", "manifest"):
            errs[i.source] = errs.get(i.source, 0) + 1
    missing = sorted({i.source for i in issues if i.message.startswith("kilden mangler")} - set(coverage))
    out = [f"  {name}: udeladt, fordi filen har {n} fejl (se ovenfor); dens kriterier afventer data"
           for name, n in sorted(errs.items()) if name not in coverage]
    out += [f"  {name}: {plural(n, 'række', 'rækker')} med fejl er udeladt (se ovenfor); resten bruges"
            for name, n in sorted(errs.items()) if name in coverage]
    out += [f"  {name}: ingen fil; dens kriterier afventer data" for name in missing]
    if out:
        out.insert(0, "Kilder uden dækkede år eller med udeladte rækker:")
    return out
