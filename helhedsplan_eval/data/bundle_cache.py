"""One parse per run: the runner's validated data bundle, handed to the notebooks' kernels.

The annual run loads and validates the data folder once (it must, to refuse unusable data before
any notebook starts). It then pickles that bundle into a private temporary folder (mode 0700,
removed when the run ends) and names the file in the kernels' environment
(``HELHEDSPLAN_BUNDLE_CACHE``). :func:`helhedsplan_eval.data.contract.load_bundle` asks
:func:`cached_bundle` first, which returns the bundle only when its key still matches, recomputed
from the files on disk at that moment: package version, the resolved data folder, name, size and
SHA-256 of every file the contract could read there (and ``manifest.yml``), the catalogue's
criterion ids, the active plan's ``plan.yml`` (its period) and ``survey.yml``. Anything else (no variable, unreadable file, another
folder, a changed file, ``strict=True``) falls through to the ordinary parse, so the cache can
never hand a notebook data other than what it would have read itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

ENV = "HELHEDSPLAN_BUNDLE_CACHE"
PREFIX = "hpe-bundle-"


def cache_key(data_dir, catalogue_ids) -> str:
    """SHA-256 over everything the parsed bundle depends on (see the module docstring)."""
    from helhedsplan_eval import __version__
    from helhedsplan_eval.data.contract import sha256
    from helhedsplan_eval.paths import params_dir
    from helhedsplan_eval.data.sources import SOURCES

    d = Path(data_dir).resolve()
    files = []
    for p in sorted(d.iterdir()):
        if p.is_file() and (p.name == "manifest.yml" or (p.stem.lower() in SOURCES
                                                          and p.suffix.lower() in (".csv", ".xlsx"))):
            files.append([p.name, p.stat().st_size, sha256(p)])
    survey = params_dir() / "survey.yml"
    plan = params_dir() / "plan.yml"  # the plan's period decides which dates and years are valid
    parts = {
        "plan_yml": sha256(plan) if plan.is_file() else None,
        "version": __version__,
        "data_dir": str(d),
        "files": files,
        "catalogue_ids": sorted(catalogue_ids) if catalogue_ids is not None else None,
        "survey_yml": sha256(survey) if survey.is_file() else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def write_cache(bundle, catalogue_ids) -> Path:
    """Pickle ``bundle`` with its key into a new private folder; returns the file. The caller
    removes the folder (:func:`remove_cache`); leftovers of killed runs go on the next call."""
    _remove_stale()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))  # mode 0700
    path = folder / "bundle.pkl"
    with open(path, "wb") as fh:
        pickle.dump({"key": cache_key(bundle.data_dir, catalogue_ids), "bundle": bundle}, fh,
                    protocol=pickle.HIGHEST_PROTOCOL)
    return path


def remove_cache(path) -> None:
    if path is not None and Path(path).parent.name.startswith(PREFIX):
        shutil.rmtree(Path(path).parent, ignore_errors=True)


def _remove_stale() -> None:
    """Remove cache folders of runs that are gone (by the pid in the folder name)."""

    for p in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = p.name[len(PREFIX):].split("-", 1)[0]
        try:
            mine = p.is_dir() and not p.is_symlink() and p.stat().st_uid == os.getuid()
        except (OSError, AttributeError):
            mine = False
        if mine and pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def cached_bundle(data_dir, catalogue_ids):
    """The run's bundle for ``data_dir`` if ``HELHEDSPLAN_BUNDLE_CACHE`` names one whose key still
    matches the files; else None (the caller parses the folder as usual)."""
    path = os.environ.get(ENV)
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            obj = pickle.load(fh)
        if not isinstance(obj, dict) or obj.get("key") != cache_key(data_dir, catalogue_ids):
            return None
    except Exception:  # unreadable, or the folder changed under us: parse as usual
        return None
    bundle = obj["bundle"]
    bundle.from_cache = True
    return bundle


def pid_alive(pid) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        pid = int(pid)
        os.kill(pid, 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
