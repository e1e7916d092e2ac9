"""``manifest.yml`` of a data folder: whether the data are synthetic, and each source's declared coverage.

:func:`read_manifest` keeps the valid entries (an invalid entry is left out) and reports every problem, naming the
key and what was expected. A declared coverage wins over the years the records show.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helhedsplan_eval.data.issues import ERROR, Issue
from helhedsplan_eval.data.raw import _mb
from helhedsplan_eval.data import sources as _src
from helhedsplan_eval.data.sources import SOURCES
from helhedsplan_eval.formatting import short_repr
from helhedsplan_eval.yaml_io import ALIAS_PROBLEM, YamlAliasError, safe_load


MANIFEST_KEYS = {
    "synthetic": "true eller false (syntetiske data eller ej)",
    "coverage": "en mapping fra kildenavn til en liste af år",
    "description": "en tekst",
    "seed": "et helt tal",
}


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


FNAME = "manifest.yml"


def _err(key, msg, category=None) -> Issue:
    return Issue(ERROR, "manifest", FNAME, msg, None, key, None, category=category)


def _parse(mf: Path) -> tuple[object, list[Issue]]:
    """The YAML document of ``manifest.yml``, or None and the reason it cannot be read."""
    try:
        raw = mf.read_bytes()
        if len(raw) > 1024 * 1024:
            return None, [_err(None, f"filen fylder {_mb(len(raw))}; en manifest.yml er højst 1 MB")]
        return safe_load(raw.decode("utf-8"), FNAME), []
    except YamlAliasError as exc:
        return None, [_err(None, f"linje {exc.line}: {ALIAS_PROBLEM}", category="YAML-aliasser er ikke tilladt")]
    except UnicodeDecodeError:
        return None, [_err(None, "filen kan ikke læses som UTF-8-tekst")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (linje {mark.line + 1})" if mark is not None else ""
        return None, [_err(None, f"filen er ikke gyldig YAML{where}; forventet fx 'synthetic: false' og "
                                 f"'coverage: {{kilde: {_example_years(2)}}}'",
                           category="filen er ikke gyldig YAML")]


def _example_years(n: int) -> str:
    """The plan's first ``n`` years as a YAML list, for the examples in messages."""
    first = _src.PLAN_YEARS[0] if _src.PLAN_YEARS else 2021
    return "[" + ", ".join(str(first + i) for i in range(n)) + "]"


def _scalar_issue(key: str, val) -> Issue | None:
    """The problem of a ``synthetic``, ``description`` or ``seed`` value, None when it is valid."""
    if key == "synthetic" and not isinstance(val, bool):
        return _err(key, f"'synthetic' er {short_repr(val)}, men skal være true eller false (uden anførselstegn)",
                    category="'synthetic' skal være true eller false")
    if key == "description" and not isinstance(val, str):
        return _err(key, "'description' skal være en tekst")
    if key == "seed" and not _is_int(val):
        return _err(key, f"'seed' er {short_repr(val)}, men skal være et helt tal", category="'seed' skal være et helt tal")
    return None


def _coverage(val) -> tuple[dict | None, list[Issue]]:
    """The declared coverage per source (invalid sources left out), None when it is no mapping."""
    if not isinstance(val, dict):
        return None, [_err("coverage", "'coverage' skal være en mapping fra kildenavn til en liste af år, fx "
                                       f"'coverage: {{logbook_events: {_example_years(3)}}}'",
                           category="'coverage' skal være en mapping")]
    cov, issues = {}, []
    for src_name, years in val.items():
        k = f"coverage.{src_name}"
        if src_name not in SOURCES:
            issues.append(_err(k, f"{short_repr(src_name)} er ikke en kilde i datakontrakten (se data/README.md)",
                               category="ukendt kilde i 'coverage'"))
            continue
        if not isinstance(years, list):
            issues.append(_err(k, f"dækningen af {src_name} skal være en liste af år, fx {_example_years(2)}",
                               category="dækningen skal være en liste af år"))
            continue
        bad = [y for y in years if not _is_int(y) or not _src.FIRST_YEAR <= y <= _src.LAST_YEAR]
        if bad:
            issues.append(_err(k, f"dækningen af {src_name} indeholder {short_repr(bad)[1:-1]}; "
                                  f"forventet hele årstal mellem {_src.FIRST_YEAR} og {_src.LAST_YEAR}",
                               category=f"dækningen skal være hele årstal mellem {_src.FIRST_YEAR} og {_src.LAST_YEAR}"))
            continue
        cov[src_name] = sorted(set(years))
    return cov, issues


def read_manifest(data_dir) -> tuple[dict, list[Issue]]:
    """Read and check ``manifest.yml`` of a data folder. Returns the valid entries (an invalid entry
    is left out) and every problem, naming the key and what was expected."""
    mf = Path(data_dir) / FNAME
    if not mf.exists():
        return {}, []
    doc, issues = _parse(mf)
    if doc is None:
        return {}, issues
    if not isinstance(doc, dict):
        return {}, [_err(None, f"filen skal være en YAML-mapping med nøglerne {', '.join(MANIFEST_KEYS)}, "
                               f"men er en {type(doc).__name__}", category="filen er ikke en YAML-mapping")]
    out: dict = {}
    for key, val in doc.items():
        if key not in MANIFEST_KEYS:
            issues.append(_err(str(key), f"ukendt nøgle {short_repr(key)} (kendte nøgler: {', '.join(MANIFEST_KEYS)})",
                               category="ukendt nøgle"))
        elif key == "coverage":
            if val is None:
                continue
            cov, cov_issues = _coverage(val)
            issues += cov_issues
            if cov is not None:
                out[key] = cov
        else:
            problem = _scalar_issue(key, val)
            if problem is None:
                out[key] = val
            else:
                issues.append(problem)
    return out, issues


def is_synthetic(data_dir) -> bool:
    """Whether the data folder's manifest declares its data synthetic: checked like data, only a real boolean
    true counts ('nej' is not true). The reports built on such data say so on their first screen."""
    from helhedsplan_eval.paths import resolve_path

    return read_manifest(resolve_path(data_dir))[0].get("synthetic") is True
