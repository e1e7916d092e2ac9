"""Where a run may write: the output folder's checks, the runner's own report folders, temporary folders, the swap.

:func:`check_output_root` refuses the data folder (inside, above or itself), the project root, params/,
notebooks/, the package and .git, and an existing ``<out>/<year>`` that is no report of this runner
(:func:`is_report_folder`: its provenance.json carries ``GENERATOR``). A run builds its report in a marked
temporary folder (:func:`_make_tmp`), which a later run removes when its process is gone (:func:`clean_stale_tmp`),
and swaps it in atomically (:func:`_swap_in`: the previous report is restored if the new one cannot move in).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from helhedsplan_eval.data.bundle_cache import pid_alive as _pid_alive
from helhedsplan_eval.paths import GENERATOR, PACKAGE_DIR, project_root
from helhedsplan_eval.run.errors import RunError, _display_path


#: Marker file inside the runner's temporary folders (``.<year>.tmp-*``), so that a later run
#: removes its own stale leftovers and nothing else.
TMP_MARKER = ".helhedsplan-eval-tmp"


def _protected_folders() -> dict[Path, str]:
    """Folders of the project a report must never be written into (``is`` or ``inside``)."""
    root = project_root()
    return {
        root / "params": "parametermappen params/",
        root / "notebooks": "notesbogsmappen notebooks/",
        PACKAGE_DIR: "programmets mappe helhedsplan_eval/",
        root / ".git": "git-mappen .git/",
    }


def check_output_root(out_root: str | os.PathLike, data_dir: str | os.PathLike | None, year: int | None = None,
                      what: str = "Outputmappen") -> Path:
    """The resolved output folder if a run may write into it, else :class:`RunError`.

    Refused: the data folder itself, a folder inside it or one that contains it (symlinks and
    '..' resolved), the project root, params/, notebooks/, the package and .git; and, when
    ``year`` is given, an existing ``<out>/<year>`` that is not a report of this runner."""
    from helhedsplan_eval.paths import is_within

    given = str(out_root)
    out = Path(os.path.abspath(Path(out_root).expanduser())).resolve()
    shown = f"{given} ({_display_path(out)})" if given != _display_path(out) else given
    if out.exists() and not out.is_dir():
        raise RunError(f"{what} {shown} er ikke en mappe; intet er skrevet.")
    if data_dir is not None:
        data = Path(data_dir).resolve()
        if is_within(out, data):
            raise RunError(
                f"{what} {shown} er eller ligger i datamappen {_display_path(data)}; en kørsel skriver "
                "aldrig i datamappen. Vælg en anden --out (fx outputs); intet er rørt.")
        if is_within(data, out):
            raise RunError(
                f"{what} {shown} indeholder datamappen {_display_path(data)}; en kørsel skriver aldrig "
                "i en mappe over datamappen. Vælg en anden --out (fx outputs); intet er rørt.")
    if out == project_root():
        raise RunError(f"{what} {shown} er selve projektmappen; vælg en anden --out (fx outputs); intet er rørt.")
    for folder, name in _protected_folders().items():
        if is_within(out, folder):
            raise RunError(f"{what} {shown} er eller ligger i {name}; vælg en anden --out (fx outputs); "
                           "intet er rørt.")
    if year is not None:
        final = out / str(year)
        if final.is_symlink() or (final.exists() and not final.is_dir()):
            raise RunError(f"{final} findes og er ikke en rapportmappe (en fil eller et symbolsk link); "
                           "en kørsel erstatter kun sine egne rapporter. Intet er rørt.")
        if final.exists() and not is_report_folder(final, year):
            raise RunError(
                f"{_display_path(final)} findes, men er ikke en rapport fra helhedsplan-eval run (ingen "
                f"provenance.json med \"generator\": \"{GENERATOR}\"); en kørsel erstatter kun sine egne "
                "rapporter. Vælg en anden --out, eller flyt mappen selv. Intet er rørt.")
    return out


def _read_provenance(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def earlier_seconds(out_root: Path, year: int) -> dict[str, float]:
    """Seconds per notebook file in the newest earlier report of this runner in ``out_root``: the year's own if
    there is one, else another year's (the notebooks take about as long every year); {} when there is none."""
    folders = [out_root / str(year)] + sorted((p for p in out_root.glob("[0-9][0-9][0-9][0-9]") if p.name != str(year)),
                                              key=lambda p: p.name, reverse=True)
    for folder in folders:
        if not is_report_folder(folder):
            continue
        rows = (_read_provenance(folder) or {}).get("notebooks")
        if isinstance(rows, list):
            return {r["file"]: float(r["seconds"]) for r in rows
                    if isinstance(r, dict) and isinstance(r.get("file"), str)
                    and isinstance(r.get("seconds"), (int, float)) and not isinstance(r.get("seconds"), bool)}
    return {}


def is_report_folder(folder: str | os.PathLike, year: int | None = None) -> bool:
    """True if ``folder`` is a report this runner wrote: a real folder (no symlink) whose
    provenance.json carries ``"generator": "helhedsplan-eval run"`` (and ``year``, if given)."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return False
    prov = _read_provenance(folder)
    if not prov or prov.get("generator") != GENERATOR:
        return False
    return year is None or prov.get("evaluation_year") == year


def _make_tmp(out_root: Path, year: int) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=f".{year}.tmp-", dir=out_root))
    tmp.chmod(0o755)  # mkdtemp gives 0700; the report folder is meant to be shared
    (tmp / TMP_MARKER).write_text(
        json.dumps({"generator": GENERATOR, "pid": os.getpid(), "year": year}) + "\n", encoding="utf-8")
    return tmp


def clean_stale_tmp(out_root: str | os.PathLike, year: int) -> list[Path]:
    """Remove this runner's leftover ``.<year>.tmp-*`` and ``.<year>.old-*`` folders in ``out_root``
    (from a killed run): only folders with the runner's marker whose process is gone."""
    removed = []
    out_root = Path(out_root)
    if not out_root.is_dir():
        return removed
    for p in sorted(out_root.glob(f".{year}.tmp-*")) + sorted(out_root.glob(f".{year}.old-*")):
        if p.is_symlink() or not p.is_dir():
            continue
        if p.name.startswith(f".{year}.tmp-"):
            try:
                info = json.loads((p / TMP_MARKER).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # not ours
            if not isinstance(info, dict) or info.get("generator") != GENERATOR or _pid_alive(info.get("pid")):
                continue
        elif not (is_report_folder(p, year) and is_report_folder(out_root / str(year), year)):
            continue  # an old report is removed only once a newer one is in place
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp``: the old folder is moved aside first, restored if the new one cannot be moved in
    (or the move is interrupted), and removed only once the new one is in place. The caller holds Ctrl-C and
    SIGTERM back across it (runner ``_publish``), so that it never stops half way."""
    old = None
    try:
        if final.exists():
            old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
            final.rename(old)
        tmp.rename(final)
    except BaseException as exc:
        if old is not None and not final.exists():
            try:
                old.rename(final)
            except OSError:
                pass
        if not isinstance(exc, OSError):
            raise
        raise RunError(
            f"{final} kunne ikke erstattes: {exc}. "
            "Er en fil derfra åben, fx regnearket i Excel? Luk den og kør igen."
        ) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def keep_failed_notebooks(tmp: Path, failed_dir: Path) -> Path | None:
    """Move a failed run's executed notebooks (with papermill's error banner) from ``tmp`` to ``failed_dir``
    (``<out>/<year>.failed``, marked as the runner's) for inspection; None when they cannot be kept there."""
    try:
        remove_failed_notebooks(failed_dir, ignore_errors=False)
        if not failed_dir.exists():
            (tmp / "notebooks" / TMP_MARKER).write_text(GENERATOR + "\n", encoding="utf-8")
            shutil.move(str(tmp / "notebooks"), str(failed_dir))
            return failed_dir
    except OSError:
        pass
    return None


def remove_failed_notebooks(failed_dir: Path, ignore_errors: bool = True) -> None:
    """Remove an earlier failed run's kept notebooks, if the folder is the runner's own (marked, no symlink)."""
    if failed_dir.exists() and (failed_dir / TMP_MARKER).is_file() and not failed_dir.is_symlink():
        shutil.rmtree(failed_dir, ignore_errors=ignore_errors)
