"""The run's data: read and validated once, refused when unusable, handed to the kernels.

:func:`load_data` reads the data folder with the data contract once per run (the years of ``--all-years`` share
the bundle while the files are unchanged); :func:`check_data` refuses a folder without any of the contract's files,
and validation errors unless ``allow_data_errors``; :func:`_write_bundle_cache` pickles the validated bundle for
the notebooks' kernels (``data.bundle_cache``).
"""

from __future__ import annotations

import os
from pathlib import Path

from helhedsplan_eval.run.errors import RunError, _display_path


_LAST_BUNDLE: dict = {}  # {"key": bundle_cache.cache_key, "bundle": DataBundle}: the years of one run share it


def load_data(data_dir: str | os.PathLike):
    """Load and validate the data folder once (contract.load_bundle). The years of ``--all-years``
    share the bundle, and with it the indicator series computed on it
    (evaluate.cached_series), as long as the files' key (bundle_cache.cache_key: SHA-256 of every
    file, package version, catalogue) is unchanged."""
    from helhedsplan_eval.data.contract import load_bundle

    key = None
    try:
        from helhedsplan_eval.data.bundle_cache import cache_key
        from helhedsplan_eval.catalogue.criteria import load_catalogue

        key = cache_key(Path(data_dir), set(load_catalogue().criteria))
    except Exception:
        key = None
    if key is not None and _LAST_BUNDLE.get("key") == key:
        return _LAST_BUNDLE["bundle"]
    bundle = load_bundle(Path(data_dir))
    _LAST_BUNDLE.clear()
    if key is not None:
        _LAST_BUNDLE.update(key=key, bundle=bundle)
    return bundle


def _write_bundle_cache(bundle) -> Path | None:
    """Pickle the run's validated bundle for the kernels (helhedsplan_eval.data.bundle_cache); None
    when it cannot be written (the notebooks then parse the data themselves)."""
    from helhedsplan_eval.data.bundle_cache import write_cache

    if getattr(bundle, "data_dir", None) is None:
        return None
    try:
        from helhedsplan_eval.catalogue.criteria import load_catalogue

        ids = set(load_catalogue().criteria)
    except Exception:
        ids = None
    try:
        return write_cache(bundle, ids)
    except Exception:  # the cache is an optimisation only
        return None


def check_data(bundle, data_dir: str | os.PathLike, allow_data_errors: bool = False) -> list:
    """Refuse data that cannot be evaluated: no file the contract knows (always) and validation
    errors (unless ``allow_data_errors``). Returns the error issues that were let through."""
    from helhedsplan_eval.data.contract import ERROR, format_report
    from helhedsplan_eval.data.sources import SOURCES

    shown = _display_path(data_dir)
    try:
        known = [p for p in Path(data_dir).iterdir() if p.is_file() and p.stem.lower() in SOURCES
                 and p.suffix.lower() in (".csv", ".xlsx")]
    except OSError:
        known = []
    if not known:
        names = ", ".join(f"{n}.csv" for n in list(SOURCES)[:3])
        raise RunError(
            f"Datamappen {shown} indeholder ingen af datakontraktens filer (fx {names}); er det den rigtige "
            "mappe? Se data/README.md og `helhedsplan-eval validate`. Intet er skrevet.")
    errors = [i for i in bundle.issues if i.severity == ERROR]
    if errors and not allow_data_errors:
        report = format_report(bundle.issues, shown)
        raise RunError(
            f"Data i {shown} har {len(errors)} fejl; rapporten er ikke dannet, og en tidligere rapport er "
            f"uændret.\n{report}\nRet fejlene (helhedsplan-eval validate {shown}), eller kør med "
            "--allow-data-errors for at udgive alligevel (kilder med fejl udelades; deres kriterier "
            "afventer data).")
    return errors


def data_error_summary(errors: list, year: int | None = None) -> list[str]:
    """What ``--allow-data-errors`` publishes over, in Danish for the terminal and the run log: the number of
    errors, the sources left out (file and errors each) and the criteria computed from them. [] without errors."""
    if not errors:
        return []
    from helhedsplan_eval.analysis.all_indicators import load_all
    from helhedsplan_eval.analysis.registry import INDICATOR_SOURCES
    from helhedsplan_eval.catalogue.criteria import load_catalogue
    from helhedsplan_eval.data.sources import feeds_index
    from helhedsplan_eval.formatting import fmt_number

    per_source: dict[str, list] = {}
    for issue in errors:
        per_source.setdefault(issue.source, []).append(issue)
    load_all()
    cat, feeds = load_catalogue(), feeds_index()
    affected = [c.id for c in cat.criteria.values()
                if (set(INDICATOR_SOURCES.get(cat.resolve(c).indicator, ())) | set(feeds.get(c.id, [])))
                & set(per_source)]
    where = f"{year}: " if year is not None else ""
    n_src = len(per_source)
    sources = ", ".join(f"{issues[0].file or name} ({fmt_number(len(issues), 0)} fejl)"
                        for name, issues in sorted(per_source.items()))
    lines = [f"{where}Udgives trods datafejl (--allow-data-errors): {fmt_number(len(errors), 0)} fejl i "
             f"{n_src} {'kilde' if n_src == 1 else 'kilder'}, som er udeladt: {sources}."]
    if affected:
        word = "kriterium bygger" if len(affected) == 1 else "kriterier bygger"
        lines.append(f"{where}{len(affected)} {word} på en udeladt kilde (de viser Afventer data, hvis de ikke "
                     f"har andre data): {', '.join(affected)}.")
    else:
        lines.append(f"{where}Intet succeskriterium bygger på de udeladte kilder.")
    return lines
