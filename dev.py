#!/usr/bin/env python3
"""Set-up and everyday commands, the same on Linux, macOS and Windows.

    python3 dev.py report   # create .venv if missing, install, run the annual report for 2020 on data/sample
    python3 dev.py test     # create .venv if missing, install with test extras, run the whole test suite
    python3 dev.py sync     # after editing a notebook or its paired script outside JupyterLab: jupytext --sync
                            # (pairs whose notebook and script already agree are left alone)
    python3 dev.py lab      # JupyterLab on notebooks/, in the project's environment (Jupytext pairing included)

Which Python is used:
  * inside the project's own conda environment (``conda activate helhedsplan-eval``, created from
    environment.yml; CONDA_DEFAULT_ENV == "helhedsplan-eval") that environment;
  * inside an activated virtualenv (VIRTUAL_ENV, and dev.py runs with its python) that virtualenv;
  * otherwise ./.venv, created if missing. Any other active conda environment, ``base`` included, is left
    alone: nothing is installed into it.
Installation shows pip's progress. Extra arguments after the command are passed on, e.g.
``python3 dev.py report --year 2019`` or ``python3 dev.py test -k status``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
#: The name in environment.yml (tests/test_environment.py checks that they agree).
PROJECT_CONDA_ENV = "helhedsplan-eval"


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(cmd: list[str]) -> int:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def active_environment(environ=None, prefix: str | None = None) -> str | None:
    """Which active environment dev.py may use: "conda" (the project's own conda environment),
    "virtualenv" (an activated virtualenv that this interpreter runs in) or None (use ./.venv)."""
    env = os.environ if environ is None else environ
    prefix = sys.prefix if prefix is None else prefix
    if env.get("CONDA_DEFAULT_ENV") == PROJECT_CONDA_ENV and env.get("CONDA_PREFIX"):
        return "conda"
    venv_dir = env.get("VIRTUAL_ENV")
    if venv_dir and Path(venv_dir).resolve() == Path(prefix).resolve():
        return "virtualenv"
    return None


def python_env() -> Path:
    """The interpreter to use (see the module docstring); ./.venv is created if missing."""
    kind = active_environment()
    if kind is not None:
        print(f"Using the active {kind} environment: {sys.prefix}", flush=True)
        return Path(sys.executable)
    other = os.environ.get("CONDA_DEFAULT_ENV")
    if other:
        print(f"The active conda environment '{other}' is not the project's own ('{PROJECT_CONDA_ENV}'); "
              f"using {VENV} instead (conda users: conda env create -f environment.yml; "
              f"conda activate {PROJECT_CONDA_ENV}).", flush=True)
    py = _venv_python()
    if not py.exists():
        print(f"Creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)
    return py


def install_command(py: Path) -> list:
    """pip install of the package with its test extras; no -q, so pip shows what it downloads and its progress."""
    return [py, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "on", "-e", f"{ROOT}[dev]"]


def ensure_installed(py: Path) -> None:
    stamp = (VENV if py == _venv_python() else Path(sys.prefix)) / ".helhedsplan-eval-installed"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    print("Installing helhedsplan-eval and its dependencies (the first time takes a few minutes) ...", flush=True)
    rc = _run(install_command(py))
    if rc != 0:
        sys.exit(f"Installation failed (pip exit code {rc}).")
    try:
        stamp.write_text("ok\n")
    except OSError:
        pass


#: The internal step of ``sync`` that runs in the project's environment (where jupytext is installed).
SYNC_CHANGED = "--sync-changed"


def _without_version(script: str) -> str:
    return "".join(line for line in script.splitlines(keepends=True)
                   if not line.lstrip("# ").startswith("jupytext_version:"))


def pair_unchanged(ipynb: Path) -> bool:
    """True when the notebook's paired percent script already says what the notebook says: the script jupytext
    would write from the notebook is the one on disk, apart from the line naming the jupytext version that wrote
    it. Such a pair needs no sync (and a newer jupytext must not rewrite its header)."""
    import jupytext

    script = ipynb.with_suffix(".py")
    if not script.is_file():
        return False
    expected = jupytext.writes(jupytext.read(ipynb), fmt="py:percent")
    return _without_version(expected) == _without_version(script.read_text(encoding="utf-8"))


def sync_changed(args: list[str]) -> int:
    """``jupytext --sync`` for the notebooks among ``args`` whose pair differs (the newer file wins); the other
    arguments go to jupytext. Pairs that agree are left alone, byte for byte."""
    notebooks = [a for a in args if a.endswith(".ipynb")]
    options = [a for a in args if not a.endswith(".ipynb")]
    changed = [nb for nb in notebooks if not pair_unchanged(ROOT / nb)]
    for nb in notebooks:
        if nb not in changed:
            print(f"{nb}: notebook and script agree; left alone", flush=True)
    if not changed:
        return 0
    return _run([sys.executable, "-m", "jupytext", "--sync", *changed, *options])


def lab_command(py: Path, rest: list[str]) -> list:
    """JupyterLab with notebooks/ as its root folder, started by the project's interpreter (its kernel imports the
    package; Jupytext's contents manager keeps each .ipynb and its .py in step on save)."""
    return [py, "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT / 'notebooks'}", *rest]


def chromium_path() -> str | None:
    """The system's Chromium for the real-browser accessibility tests (``HELHEDSPLAN_CHROMIUM`` names another)."""
    import shutil

    env = os.environ.get("HELHEDSPLAN_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def missing_chromium() -> str | None:
    """A loud notice when the real-browser tests (tests/test_a11y_browser.py) cannot run here; None when they can.
    Under CI (CI=true) those tests fail instead of being skipped."""
    if chromium_path() is not None:
        return None
    line = "!" * 78
    ci = (" Under CI (CI=true) they FAIL." if os.environ.get("CI", "").lower() == "true"
          else " They are SKIPPED on this machine.")
    return (f"{line}\nChromium is MISSING: the real-browser accessibility tests (axe-core, WCAG 2.1 AA, "
            f"tests/test_a11y_browser.py) DO NOT RUN.{ci}\nInstall it: sudo apt-get install chromium (Debian/Ubuntu), "
            f"or set HELHEDSPLAN_CHROMIUM to a Chromium/Chrome executable.\n{line}")


def main(argv: list[str]) -> int:
    if argv and argv[0] == SYNC_CHANGED:  # (internal) the second half of `sync`, in the project's environment
        return sync_changed(argv[1:])
    if not argv or argv[0] not in ("report", "test", "bench", "sync", "lab"):
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    py = python_env()
    ensure_installed(py)
    if cmd == "report":
        args = rest or ["--year", "2020"]
        return _run([py, "-m", "helhedsplan_eval.cli", "run", *args])
    if cmd == "bench":
        return _run([py, "benchmarks/bench_run.py", *rest])
    if cmd == "sync":  # each notebook and its percent script (notebooks/*.py) that differ: the newer file wins
        notebooks = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))
        return _run([py, Path(__file__).resolve(), SYNC_CHANGED, *notebooks, *rest])
    if cmd == "lab":
        return _run(lab_command(py, rest))
    # test: unit and integration tests, then every notebook through nbval (cells must run; outputs not compared).
    # Both steps always run, and both results are reported, so a failure in one never hides the other.
    no_browser = missing_chromium()
    if no_browser:
        print(no_browser, flush=True)
    rc_unit = _run([py, "-m", "pytest", "-q", "-n", "2", "tests", *rest])
    rc_nb = _run([py, "-m", "pytest", "-q", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
                  "notebooks"])
    import tempfile

    with tempfile.TemporaryDirectory(prefix="example-plan-") as out:  # the second bundled plan's annual report
        rc_ex = _run([py, "-m", "helhedsplan_eval.cli", "run", "--plan", "plans/eksempel-2022-2026", "--year", "2025",
                      "--out", out])
    word = {0: "passed"}
    print(f"\nunit/integration tests: {word.get(rc_unit, f'FAILED (exit {rc_unit})')}; "
          f"notebooks (nbval): {word.get(rc_nb, f'FAILED (exit {rc_nb})')}; "
          f"example plan's report: {word.get(rc_ex, f'FAILED (exit {rc_ex})')}", flush=True)
    if no_browser:
        print(no_browser, flush=True)
    return rc_unit or rc_nb or rc_ex


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
