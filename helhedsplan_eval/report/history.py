"""What each annual run reported, kept as history, and what changed since last year's report.

Every run writes its year's board-facing status table in a tidy long format to
``<out>/historik/status_<year>_<run>.csv`` (one row per criterion, measure and year; ``run`` is the
run's start as a UTC instant, ``20200110T120000Z``, so a re-run of the same year is a new version, no run
overwrites another year's file, and runs sort in the order they were made whatever the machine's time zone
(issue 21: local clock times made a run under UTC+14 sort after a later one under UTC). Files written before,
with a local time and no ``Z``, are still read; they sort before every UTC-stamped file of their year, since
they were all written before it). Only board-safe texts are stored: the status label, the value and target as the board
reads them, the yearly figures as :meth:`YearResult.board_series` gives them ("<5", "skjult", ...)
and the data-quality remarks — never a raw count under ``min_cell``.

:func:`changes` compares this year's table with the latest stored report of the previous year:
criteria whose status changed (from → to, with this year's explanation), figures that were restated
because late records changed an earlier year ("rapporteret i 2023: 47, nu: 49") and new warnings. The
differences pass the disclosure layer: a restated count of persons whose revision is 1 … min_cell−1 does not show
both figures, which would give the late-registered persons away (:func:`safe_revision`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helhedsplan_eval import formatting as F
from helhedsplan_eval.catalogue.period import plan_period

HISTORY_DIR = "historik"
COLUMNS = ["evaluation_year", "run", "criterion_id", "measure", "year", "text"]
_FILE = re.compile(r"^status_(\d{4})_(\d{8}T\d{6})(Z?)(?:-(\d+))?\.csv$")
E = html.escape


def history_frame(res, run: str) -> pd.DataFrame:
    """The board-facing status table of ``res`` (an :class:`evaluate.YearResult`) in long format."""
    rows = []
    y = res.year
    for crit in res.catalogue.criteria.values():
        ev = res.board_evaluation(crit.id)
        add = lambda measure, text, year=y: rows.append(  # noqa: E731
            {"evaluation_year": y, "run": run, "criterion_id": crit.id, "measure": measure, "year": year,
             "text": "" if text is None else str(text)})
        add("status", ev.status)
        add("label", ev.label)
        add("value", ev.value_text)
        add("target", ev.target_text)
        add("explanation", ev.explanation)
        try:
            safe = res.board_series(crit)
        except Exception:  # a criterion without a yearly series (milestones, assessments)
            safe = None
        if safe is not None:
            for fy in sorted(safe.text):
                if fy <= y:
                    add("figure", safe.text.get(fy, F.MISSING), fy)
        for w in res.warnings_for(crit):
            add("warning", w)
    return pd.DataFrame(rows, columns=COLUMNS)


def run_id(moment) -> str:
    """The run's id: its start as a UTC instant, ``YYYYMMDDTHHMMSSZ`` (a naive ``moment`` is read as this
    machine's local time)."""
    import datetime as dt

    aware = moment if moment.tzinfo is not None else moment.astimezone()
    return aware.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def write_history(out_root, res, run: str) -> Path:
    """Write ``<out_root>/historik/status_<year>_<run>.csv`` (a new file; never overwrites one)."""
    folder = Path(out_root) / HISTORY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"status_{res.year}_{run}.csv"
    n = 1
    while path.exists():  # two runs of the same year in the same second: keep both
        n += 1
        path = folder / f"status_{res.year}_{run}-{n}.csv"
    df = history_frame(res, run)
    tmp = path.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(path)
    return path


def history_files(history_dir, year: int | None = None) -> list[Path]:
    """The stored reports (of ``year``), oldest first."""
    folder = Path(history_dir)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        m = _FILE.match(p.name)
        if m and (year is None or int(m.group(1)) == year):
            # UTC-stamped ids after the old local ones (written before the change), then by instant and sequence
            out.append((m.group(3) == "Z", m.group(2), int(m.group(4) or 1), p))
    return [p for *_, p in sorted(out)]


def latest_report(history_dir, year: int) -> pd.DataFrame | None:
    """The latest stored report of ``year``, or None."""
    files = history_files(history_dir, year)
    if not files:
        return None
    return pd.read_csv(files[-1], dtype={"text": str}, keep_default_na=False, encoding="utf-8")


def load_history(history_dir) -> pd.DataFrame:
    """Every stored report, one long table (for researchers)."""
    frames = [pd.read_csv(p, dtype={"text": str}, keep_default_na=False) for p in history_files(history_dir)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


@dataclass
class Changes:
    year: int
    previous_year: int
    previous_run: str | None = None
    status: list[dict] = field(default_factory=list)  # id, short, from, to, why
    revised: list[dict] = field(default_factory=list)  # id, short, year, before, now
    new_warnings: list[dict] = field(default_factory=list)  # id, short, text
    min_cell: int = 5

    @property
    def has_previous(self) -> bool:
        return self.previous_run is not None


def _get(df: pd.DataFrame, measure: str) -> dict:
    part = df[df["measure"] == measure]
    return dict(zip(part["criterion_id"], part["text"]))


def changes(current: pd.DataFrame, previous: pd.DataFrame | None, year: int, catalogue,
            min_cell: int = 5) -> Changes:
    """What changed between last year's report (``previous``) and this year's (``current``), both in
    the long format of :func:`history_frame`. A restated figure passes :func:`disclosure.safe_revision`: when
    both figures together would disclose fewer than ``min_cell`` persons, neither is shown (``before`` and
    ``now`` are None, ``small`` is True)."""
    from helhedsplan_eval.report.disclosure import safe_revision

    ch = Changes(year=year, previous_year=year - 1, min_cell=min_cell)
    if previous is None or previous.empty:
        return ch
    ch.previous_run = str(previous["run"].iloc[0])
    short = {c.id: (c.short or c.id) for c in catalogue.criteria.values()}
    order = {cid: i for i, cid in enumerate(catalogue.criteria)}
    before, now = _get(previous, "label"), _get(current, "label")
    why = _get(current, "explanation")
    for cid in sorted(now, key=lambda c: order.get(c, 999)):
        if cid in before and before[cid] != now[cid]:
            ch.status.append({"id": cid, "short": short.get(cid, cid), "from": before[cid], "to": now[cid],
                              "why": why.get(cid, "")})
    pf = previous[previous["measure"] == "figure"]
    cf = current[current["measure"] == "figure"]
    old = {(r.criterion_id, int(r.year)): r.text for r in pf.itertuples()}
    for r in cf.itertuples():
        key = (r.criterion_id, int(r.year))
        if key in old and int(r.year) < year and old[key] != r.text:
            if old[key] in ("", F.MISSING) and r.text in ("", F.MISSING):
                continue
            crit = catalogue.criteria.get(r.criterion_id)
            shown = safe_revision(catalogue.resolve(crit) if crit is not None else None, old[key], r.text, min_cell)
            ch.revised.append({"id": r.criterion_id, "short": short.get(r.criterion_id, r.criterion_id),
                               "year": int(r.year), "before": shown[0] if shown else None,
                               "now": shown[1] if shown else None, "small": shown is None})
    ch.revised.sort(key=lambda d: (order.get(d["id"], 999), d["year"]))
    pw = set(zip(previous[previous["measure"] == "warning"]["criterion_id"],
                 previous[previous["measure"] == "warning"]["text"]))
    cw = current[current["measure"] == "warning"]
    seen = set()
    for r in cw.itertuples():
        if (r.criterion_id, r.text) not in pw and (r.criterion_id, r.text) not in seen:
            seen.add((r.criterion_id, r.text))
            ch.new_warnings.append({"id": r.criterion_id, "short": short.get(r.criterion_id, r.criterion_id),
                                    "text": r.text})
    return ch


def _run_text(run: str) -> str:
    try:
        import datetime as dt

        stamp = run.split("-")[0]
        d = dt.datetime.strptime(stamp.rstrip("Z"), "%Y%m%dT%H%M%S")
        if stamp.endswith("Z"):  # a UTC instant: shown as the date where the report is read
            d = d.replace(tzinfo=dt.timezone.utc).astimezone()
        return d.strftime("%d.%m.%Y")
    except (ValueError, TypeError):
        return run


def _revised_text(d: dict, p: int, min_cell: int) -> str:
    if d.get("small"):
        return (f"ændret med færre end {min_cell} personer siden rapporten for {p}; tallene vises ikke her, "
                "fordi forskellen ville afsløre enkeltpersoner")
    return f"rapporteret i {p}: {E(d['before'])}, nu: {E(d['now'])}"


def _link(cid: str, catalogue) -> str:
    c = catalogue.criteria.get(cid)
    if c is None:
        return E(cid)
    return f"<a href='{E(c.area)}.html#{E(cid)}'>{E(cid)}</a>"


def changes_html(ch: Changes, catalogue) -> str:
    """The page 'Udvikling siden sidste år' as HTML (Danish)."""
    from helhedsplan_eval.report.board import html_table

    y, p = ch.year, ch.previous_year
    if not ch.has_previous:
        if y <= plan_period().first_year:
            return (f"<p>{y} er helhedsplanens første evalueringsår; der er ingen tidligere rapport at "
                    "sammenligne med.</p>")
        return (f"<p>Der findes ingen gemt rapport for {p}, så udviklingen siden sidste år kan ikke vises. "
                f"Når rapporten for {p} er kørt, viser siden her, hvad der har ændret sig.</p>")
    parts = [f"<p>Siden sammenligner årets rapport med rapporten for {p}, dannet {E(_run_text(ch.previous_run))}.</p>",
             "<h2>Kriterier med ny status</h2>"]
    if ch.status:
        rows = [[_link(d["id"], catalogue), E(d["short"]), E(d["from"]) + " → " + E(d["to"]), E(d["why"])]
                for d in ch.status]
        n = len(ch.status)
        parts.append(f"<p>{n} {'kriterium har' if n == 1 else 'kriterier har'} skiftet status siden {p}.</p>"
                     + html_table(rows, ["Id", "Kriterium", f"Status {p} → {y}", "Hvorfor"], raw_cols={0, 1, 2, 3},
                                  widths={0: "10%", 1: "22%", 2: "22%", 3: "46%"},
                                  caption=f"Kriterier med ny status siden {p}", caption_hidden=True))
    else:
        parts.append(f"<p>Ingen kriterier har skiftet status siden {p}.</p>")
    parts.append("<h2>Reviderede tal</h2>")
    if ch.revised:
        rows = [[_link(d["id"], catalogue), E(d["short"]), str(d["year"]), _revised_text(d, p, ch.min_cell),
                 "Revideret"] for d in ch.revised]
        parts.append("<p>Tal for tidligere år, der er ændret, fordi der er kommet sene eller rettede registreringer. "
                     "Årets rapport bruger de nye tal.</p>"
                     + html_table(rows, ["Id", "Kriterium", "År", "Tallet", "Markering"], raw_cols={0, 1, 3},
                                  widths={0: "10%", 1: "28%", 2: "8%", 3: "40%"},
                                  caption="Reviderede tal for tidligere år", caption_hidden=True))
    else:
        parts.append(f"<p>Ingen tal for tidligere år er ændret siden rapporten for {p}.</p>")
    parts.append("<h2>Nye bemærkninger om datakvaliteten</h2>")
    if ch.new_warnings:
        parts.append("<ul>" + "".join(f"<li>{_link(d['id'], catalogue)} {E(d['short'])}: {E(d['text'])}</li>"
                                      for d in ch.new_warnings) + "</ul>")
    else:
        parts.append(f"<p>Ingen nye bemærkninger siden {p}.</p>")
    return "".join(parts)


class ChangePage:
    """The notebook's entry point: this year's evaluation against the stored report of last year."""

    def __init__(self, year: int, data_dir, history_dir, min_cell: int = 5):
        from helhedsplan_eval.catalogue.criteria import load_catalogue
        from helhedsplan_eval.analysis.evaluate import evaluate_year
        from helhedsplan_eval.paths import resolve_path

        self.cat = load_catalogue()
        self.year = year
        self.res = evaluate_year(year, resolve_path(data_dir), self.cat, min_cell=min_cell)
        self.current = history_frame(self.res, "nu")
        self.previous = latest_report(resolve_path(history_dir), year - 1) if history_dir else None
        self.changes = changes(self.current, self.previous, year, self.cat, min_cell=min_cell)

    def html(self) -> str:
        return changes_html(self.changes, self.cat)

    def show(self):
        from helhedsplan_eval.report.board.output import html

        return html(self.html())


# ----------------------------------------------------------------------------- publishing (runner)

def publish_history(out_root, year: int, bundle, min_cell: int, started) -> Path | None:
    """After a successful run: store the year's board-facing table as history and rewrite
    ``<out_root>/index.html``, the list of every year's report. Never fails the finished run."""
    import sys

    try:
        from helhedsplan_eval.analysis.evaluate import evaluate_year

        res = evaluate_year(year, bundle, min_cell=min_cell)
        path = write_history(out_root, res, run_id(started))
        write_years_index(out_root)
        _refresh_plans_index(Path(out_root))
        return path
    except Exception as exc:  # the report is already published; say what is missing
        print(f"Advarsel: historikken eller oversigten over årene kunne ikke skrives: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return None


def _refresh_plans_index(out_root: Path) -> None:
    """A report of another plan than the default one lies in ``outputs/<plan id>/``: the default plan's
    ``outputs/index.html`` (only if this package wrote it, or there is none) then lists it among the plans."""
    from helhedsplan_eval.paths import default_plan_dir, params_dir, project_root

    parent = out_root.resolve().parent
    if params_dir() != default_plan_dir() and parent == (project_root() / "outputs").resolve():
        write_years_index(parent, plan_dir=default_plan_dir())


def other_plans(root: Path) -> list[dict]:
    """The reports of other plans in ``root``'s subfolders (``outputs/<plan id>/``): name, link, newest year."""
    import json

    out = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not re.fullmatch(r"\d{4}", p.name)):
        index = d / "index.html"
        if d.is_symlink() or not index.is_file() or YEARS_MARKER not in index.read_text(encoding="utf-8",
                                                                                        errors="replace"):
            continue
        years = sorted((y.name for y in d.iterdir() if re.fullmatch(r"\d{4}", y.name)
                        and (y / "provenance.json").is_file()), reverse=True)
        if not years:
            continue
        try:
            prov = json.loads((d / years[0] / "provenance.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        title = (prov.get("plan") or {}).get("title") or d.name
        out.append({"title": title, "href": f"{d.name}/index.html", "years": ", ".join(years)})
    return out


def years_index_html(out_root, plan_dir=None) -> str:
    """``outputs/index.html``: every year's report with its front page, PDF and status counts, and the reports of
    other plans in its subfolders; ``plan_dir``: the plan the folder belongs to (default: the active one)."""
    import json

    import jinja2

    from helhedsplan_eval import __version__
    from helhedsplan_eval.paths import GENERATOR, TEMPLATES_DIR
    from helhedsplan_eval.report.style import board_css

    root = Path(out_root)
    years = []
    label = plan_period(plan_dir).label
    for d in sorted(root.iterdir() if root.is_dir() else [], key=lambda p: p.name, reverse=True):
        if not (d.is_dir() and re.fullmatch(r"\d{4}", d.name)):
            continue
        try:
            prov = json.loads((d / "provenance.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if prov.get("generator") != GENERATOR:
            continue
        counts = prov.get("status_counts") or {}
        summary = ", ".join(f"{n} {k.lower()}" for k, n in counts.items() if n)
        pdf = d / f"bestyrelsespakke_{d.name}.pdf"
        years.append({"year": d.name, "label": label(int(d.name)), "href": f"{d.name}/index.html",
                      "pdf": f"{d.name}/{pdf.name}" if pdf.is_file() else None,
                      "run": prov.get("run", {}).get("run_timestamp_shown", ""), "summary": summary,
                      "history": len(history_files(root / HISTORY_DIR, int(d.name)))})
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)
    css = board_css()
    from helhedsplan_eval.catalogue.names import plan_names

    return env.get_template("years.html.j2").render(years=years, css=css, version=__version__,
                                                    plan=plan_names(plan_dir), plans=other_plans(root))


YEARS_MARKER = 'class="board-report board-years"'


def write_years_index(out_root, plan_dir=None) -> Path | None:
    """Write ``<out_root>/index.html``; an existing index.html that this package did not write is
    left alone (None): a run only ever replaces its own files."""
    out = Path(out_root) / "index.html"
    if out.is_symlink() or (out.exists() and YEARS_MARKER not in out.read_text(encoding="utf-8", errors="replace")):
        return None
    tmp = out.with_suffix(".html.tmp")
    tmp.write_text(years_index_html(out_root, plan_dir), encoding="utf-8")
    tmp.replace(out)
    return out
