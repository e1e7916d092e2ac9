"""The declarative checks of one table: ranges, allowed values, missing cells and unique keys, with **pandera**.

The schema is built from :mod:`helhedsplan_eval.data.sources`; ``lazy=True`` collects every failure at once, with
the row index, and :func:`_schema_issues` turns each failure case into a Danish :class:`~.issues.Issue`.

Most tables pass every check, and pandera's machinery costs more than the checks themselves (about 15 ms a table,
plus half a second to import it). :func:`_passes` therefore first evaluates the very same conditions with the same
pandas operations pandera applies (nulls dropped before a check, ``isin``, ``>=``, ``<=``, the date range, the key's
``duplicated``); only a table where one of them fails, or that cannot be evaluated, goes through pandera, which then
reports every failure. ``tests/test_contract.py`` checks on every broken fixture that a table :func:`_passes` accepts
is one pandera finds nothing in.
"""

from __future__ import annotations

import pandas as pd

from helhedsplan_eval.data.issues import ERROR, Issue, excerpt
from helhedsplan_eval.data import sources as _src
from helhedsplan_eval.data.sources import Source



def date_bounds():
    """The first and last day a date may have: the first day of the first year sources.yml allows (a plan year, which
    may start on another day than 1 January: plan.yml's period) to the plan's last day."""
    import datetime as dt

    from helhedsplan_eval.catalogue.period import plan_period

    period = plan_period()
    if _src.LAST_YEAR and period.last_year != _src.LAST_YEAR:  # sources declared for another plan's years
        return dt.date(_src.FIRST_YEAR, 1, 1), dt.date(_src.LAST_YEAR, 12, 31)
    return period.year_start(_src.FIRST_YEAR or period.baseline_start), period.end


def date_range_text() -> str:
    """The days a date may have, as messages write them: "2021-2027" for calendar plan years, else two dates."""
    lo, hi = date_bounds()
    if (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31):
        return f"{_src.FIRST_YEAR}-{_src.LAST_YEAR}"
    return f"{lo.isoformat()} til {hi.isoformat()}"


def _in_dates():
    lo, hi = date_bounds()
    return lambda d: lo <= (d.date() if hasattr(d, "date") and callable(d.date) else d) <= hi

def _pandera_schema(src: Source, present: list[str]):
    import pandera.pandas as pa

    cols = {}
    for c in src.columns:
        if c.name not in present:
            continue
        checks = []
        if c.allowed is not None:
            allowed = list(c.allowed)
            checks.append(pa.Check.isin(allowed, error=f"allowed:{c.name}"))
        if c.min is not None:
            checks.append(pa.Check.ge(c.min, error=f"min:{c.name}"))
        if c.max is not None:
            checks.append(pa.Check.le(c.max, error=f"max:{c.name}"))
        if c.type == "date":
            checks.append(pa.Check(lambda s, ok=_in_dates(): s.map(ok),
                                   element_wise=False, error=f"daterange:{c.name}"))
        cols[c.name] = pa.Column(object, checks=checks, nullable=c.nullable, required=False, coerce=False)
    key = [k for k in src.key if k in present]
    return pa.DataFrameSchema(cols, unique=key if len(key) == len(src.key) and key else None, strict=False)


def _passes(src: Source, df: pd.DataFrame) -> bool:
    """True when every check of :func:`_pandera_schema` holds for ``df`` (so pandera would report nothing);
    False when one fails or cannot be evaluated."""
    try:
        for c in src.columns:
            if c.name not in df.columns:
                continue
            s = df[c.name]
            values = s.dropna()
            if not c.nullable and len(values) != len(s):
                return False
            if c.allowed is not None and not values.isin(list(c.allowed)).all():
                return False
            if c.min is not None and not (values >= c.min).all():
                return False
            if c.max is not None and not (values <= c.max).all():
                return False
            if c.type == "date" and not values.map(_in_dates()).all():
                return False
        key = [k for k in src.key if k in df.columns]
        if key and len(key) == len(src.key) and df.duplicated(subset=key, keep=False).any():
            return False
    except Exception:  # a check that cannot be evaluated is pandera's to report
        return False
    return True


def _schema_issues(src: Source, df: pd.DataFrame, fname: str) -> list[Issue]:
    """Every failure of the table's declarative checks, as Danish issues (none when :func:`_passes`)."""
    return [] if _passes(src, df) else _pandera_issues(src, df, fname)


def _pandera_issues(src: Source, df: pd.DataFrame, fname: str) -> list[Issue]:
    import pandera.errors as pe

    issues: list[Issue] = []
    schema = _pandera_schema(src, list(df.columns))
    try:
        schema.validate(df, lazy=True)
        return issues
    except pe.SchemaErrors as exc:
        fc = exc.failure_cases
    seen_unique_rows: set = set()
    for rec in fc.to_dict("records"):
        check = str(rec.get("check"))
        col = rec.get("column")
        idx = rec.get("index")
        val = rec.get("failure_case")
        row = int(idx) if idx is not None and not pd.isna(idx) else None
        if check.startswith("allowed:"):
            c = src.col(col)
            issues.append(Issue(ERROR, src.name, fname, f"værdien '{excerpt(str(val))}' er ikke tilladt (forventet {c.expected()})",
                                row, col, str(val), category=f"værdien er ikke tilladt (forventet {c.expected()})"))
        elif check.startswith(("min:", "max:")):
            c = src.col(col)
            issues.append(Issue(ERROR, src.name, fname, f"værdien '{_show(val)}' ligger uden for det tilladte "
                                f"(forventet {c.expected()})", row, col, _show(val),
                                category=f"værdien ligger uden for det tilladte (forventet {c.expected()})"))
        elif check.startswith("daterange:"):
            issues.append(Issue(ERROR, src.name, fname, f"datoen {val} ligger uden for programmets år "
                                f"(forventet {date_range_text()})", row, col, str(val),
                                category=f"datoen ligger uden for programmets år "
                                         f"(forventet {date_range_text()})"))
        elif "not_nullable" in check or check == "not_nullable":
            issues.append(Issue(ERROR, src.name, fname, "cellen er tom, men skal udfyldes", row, col, ""))
        elif "unique" in check or "duplicates" in check:
            if row in seen_unique_rows:
                continue
            seen_unique_rows.add(row)
            keytxt = ", ".join(src.key)
            issues.append(Issue(ERROR, src.name, fname, f"nøglen ({keytxt}) findes mere end én gang", row,
                                ", ".join(src.key), str(val)))
        else:
            issues.append(Issue(ERROR, src.name, fname, f"kontrol '{check}' fejlede for værdien '{excerpt(str(val))}'", row, col,
                                str(val), category=f"kontrol '{check}' fejlede"))
    return issues


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
