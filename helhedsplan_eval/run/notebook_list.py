"""The notebook list: which notebooks the annual run executes, with their page titles, in the front page's order.

The list is data: ``notebooks:`` in ``params/plan.yml``, one entry per board page with ``file`` (the notebook in
the notebooks folder) and ``title`` (the page's Danish title), and optionally ``seconds`` (about how long the
notebook takes: the order on the workers when no earlier report gives the notebooks' times). Adding a page is
adding a notebook and one entry, no code. :func:`load_notebooks` reads and checks the list when a run starts and names every problem at once
(plan.yml, the entry, what was expected); ``NOTEBOOKS`` is the project's list, read when first asked for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from helhedsplan_eval.formatting import short_repr
from helhedsplan_eval.run.errors import UsageError, _display_path, _short
from helhedsplan_eval.run.params import _plan_params_dir, default_notebooks_dir, unknown_keys


@dataclass(frozen=True)
class NotebookSpec:
    """One page of the board report: a notebook file in the notebooks folder and its Danish title."""

    filename: str  # the page's notebook name: its executed copy, log line and page (<stem>.html) are named after it
    title: str
    seconds: float | None = None  # expected seconds (plan.yml): the order on the workers when no report tells
    source: str | None = None  # the notebook file executed, when another than ``filename`` (one per area)
    parameters: tuple = ()  # (name, value) pairs the page's notebook gets besides the year's (area_id)

    @property
    def notebook(self) -> str:
        """The notebook file in the notebooks folder that is executed for this page."""
        return self.source or self.filename

    @property
    def stem(self) -> str:
        return Path(self.filename).stem

    @property
    def html_name(self) -> str:
        return f"{self.stem}.html"


#: The keys of an entry of plan.yml's ``notebooks:`` list: what each must be (Danish, for messages).
NOTEBOOK_KEYS = {
    "file": "notesbogens filnavn i notesbogsmappen, en tekst der ender på .ipynb (fx oversigt.ipynb)",
    "title": "sidens titel på forsiden og i sidehovedet, en ikke-tom tekst (fx Bestyrelsesoversigt)",
}

#: Optional keys of an entry.
OPTIONAL_NOTEBOOK_KEYS = {
    "seconds": "cirka hvor mange sekunder notesbogen tager, et positivt tal (fx 5,5 skrives 5.5); bruges til "
               "rækkefølgen på processerne, når ingen tidligere rapport har tiderne",
    "indicators": "en liste af indikator-id'er (fx [faellesskab_index]): siden findes kun, når et af planens "
                  "succeskriterier (criteria.yml) bruger en af dem",
    "per_area": "true: notesbogen køres én gang pr. indsatsområde i planens areas (siden <område-id>.html med "
                "områdets navn som titel; notesbogen får område-id'et som parameteren area_id)",
}


def load_notebooks(params_dir: str | os.PathLike | None = None,
                   notebooks_dir: str | os.PathLike | None = None) -> list[NotebookSpec]:
    """The pages of the report from plan.yml's ``notebooks:`` list, each notebook checked to exist in
    ``notebooks_dir`` (default: the project's notebooks/). plan.yml is the one beside the year files in
    ``params_dir`` when there is one, else the project's. Raises :class:`UsageError` naming every problem."""
    import yaml

    from helhedsplan_eval.yaml_io import safe_load

    path = _plan_params_dir(params_dir) / "plan.yml"
    source = _display_path(path)
    try:
        raw = safe_load(path.read_text(encoding="utf-8"), source)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{source} kan ikke læses, så notesbogslisten (notebooks:) mangler: {_short(exc)}") from None
    entries = raw.get("notebooks") if isinstance(raw, dict) else None
    areas = raw.get("areas") if isinstance(raw, dict) and isinstance(raw.get("areas"), list) else []
    specs, problems = notebook_specs(entries, source, Path(notebooks_dir or default_notebooks_dir()), areas,
                                     _used_indicators(path.parent / "criteria.yml"))
    if problems:
        raise UsageError(f"Notesbogslisten (notebooks:) i {source} er ugyldig:\n"
                         + "\n".join(f"  - {p}" for p in problems))
    return specs


def _used_indicators(criteria_yml: Path) -> set | None:
    """The indicator ids the plan's criteria use (None when criteria.yml cannot be read: every page is kept)."""
    import yaml

    from helhedsplan_eval.yaml_io import safe_load

    try:
        doc = safe_load(criteria_yml.read_text(encoding="utf-8"), str(criteria_yml))
        return {c.get("indicator") for c in doc["criteria"] if isinstance(c, dict)}
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError):
        return None


def notebook_specs(entries, source: str, notebooks_dir: Path, areas=(),
                   used_indicators: set | None = None) -> tuple[list[NotebookSpec], list[str]]:
    """The valid entries of a ``notebooks:`` list as :class:`NotebookSpec`, and every problem of the list; an entry
    with ``per_area: true`` gives one page per area of ``areas`` (plan.yml's), an entry with ``indicators`` a page
    only when the plan's criteria use one of them (``used_indicators``; None: always)."""
    if not isinstance(entries, list) or not entries:
        return [], [f"{source}: notebooks skal være en ikke-tom liste med én side pr. element, hvert med "
                    f"nøglerne {', '.join(NOTEBOOK_KEYS)} (fandt {_short(repr(entries), 80)})."]
    specs: list[NotebookSpec] = []
    problems: list[str] = []
    pages: dict[str, str] = {}  # page stem -> where it was first given
    for n, entry in enumerate(entries, 1):
        named = isinstance(entry, dict) and isinstance(entry.get("file"), str)
        where = f"{source}: notebooks, element {n}" + (f" ({entry['file']})" if named else "")
        found = _entry_problems(entry, where, notebooks_dir)
        if found:
            problems += found
            continue
        seconds = float(entry["seconds"]) if "seconds" in entry else None
        if "indicators" in entry and used_indicators is not None and not set(entry["indicators"]) & used_indicators:
            continue  # the plan has no criterion this page shows (e.g. no FIT or survey criteria)
        if entry.get("per_area") is True:
            new = [NotebookSpec(f"{a['id']}.ipynb", str(a["name"]).strip(), seconds, source=entry["file"],
                                parameters=(("area_id", a["id"]),))
                   for a in areas if isinstance(a, dict) and isinstance(a.get("id"), str) and a.get("name")]
            if not new:
                problems.append(f"{where}: per_area kræver mindst ét indsatsområde i plan.yml (areas).")
        else:
            new = [NotebookSpec(entry["file"], entry["title"].strip(), seconds)]
        for spec in new:
            if spec.stem in pages:
                problems.append(f"{where}: siden {spec.html_name} står allerede i {pages[spec.stem]}; "
                                "hver notesbog må kun stå én gang.")
                continue
            pages[spec.stem] = f"element {n}"
            specs.append(spec)
    return specs, problems


def _entry_problems(entry, where: str, notebooks_dir: Path) -> list[str]:
    """What is wrong with one entry of the list (unknown or missing keys, wrong values, a missing notebook)."""
    if not isinstance(entry, dict):
        return [f"{where}: skal være en mapping med nøglerne {', '.join(NOTEBOOK_KEYS)}, "
                f"fandt {type(entry).__name__} {_short(repr(entry), 80)}."]
    problems = unknown_keys(entry, {**NOTEBOOK_KEYS, **OPTIONAL_NOTEBOOK_KEYS}, where)
    ind = entry.get("indicators")
    if "indicators" in entry and not (isinstance(ind, list) and ind and all(isinstance(i, str) for i in ind)):
        problems.append(f"{where}: indicators = {_short(repr(ind), 60)} er ugyldig "
                        f"(forventet {OPTIONAL_NOTEBOOK_KEYS['indicators']}).")
    if "per_area" in entry and not isinstance(entry["per_area"], bool):
        problems.append(f"{where}: per_area = {_short(repr(entry['per_area']), 40)} er ugyldig "
                        f"(forventet true eller false: {OPTIONAL_NOTEBOOK_KEYS['per_area']}).")
    for key, what in NOTEBOOK_KEYS.items():
        if key == "title" and entry.get("per_area") is True and key not in entry:
            continue  # one page per area, titled with the area's name
        if key not in entry:
            problems.append(f"{where}: nøglen {key} mangler (forventet {what}).")
        elif not isinstance(entry[key], str) or not entry[key].strip():
            problems.append(f"{where}: {key} = {short_repr(entry[key])} er ugyldig (forventet {what}).")
    if "seconds" in entry:
        value = entry["seconds"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
            problems.append(f"{where}: seconds = {_short(repr(value), 40)} er ugyldig "
                            f"(forventet {OPTIONAL_NOTEBOOK_KEYS['seconds']}).")
    file = entry.get("file")
    if isinstance(file, str) and file.strip():
        if Path(file).name != file or not file.endswith(".ipynb"):
            problems.append(f"{where}: file = {short_repr(file)} er ugyldig (forventet {NOTEBOOK_KEYS['file']}).")
        elif not (notebooks_dir / file).is_file():
            problems.append(f"{where}: notesbogen {file} findes ikke i {_display_path(notebooks_dir)}.")
    return problems


def __getattr__(name: str):
    """``NOTEBOOKS``: the project's notebook list (plan.yml), read when asked for, so that importing the runner
    never fails on a broken plan.yml (the run then says what is wrong)."""
    if name == "NOTEBOOKS":
        return tuple(load_notebooks())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
