#!/usr/bin/env python3
"""Set-up and everyday commands, the same on Linux, macOS and Windows.

    python3 dev.py report   # create .venv if missing, install, run the annual report for 2020 on data/sample
    python3 dev.py test     # create .venv if missing, install with test extras, run the whole test suite

Inside an activated conda environment or virtualenv (CONDA_PREFIX / VIRTUAL_ENV set) the active
interpreter is used instead of .venv. Extra arguments after the command are passed on, e.g.
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


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(cmd: list[str]) -> int:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def python_env() -> Path:
    """The interpreter to use: the active conda env / virtualenv, else ./.venv (created if missing)."""
    if os.environ.get("CONDA_PREFIX") or os.environ.get("VIRTUAL_ENV"):
        return Path(sys.executable)
    py = _venv_python()
    if not py.exists():
        print(f"Creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(VENV)
    return py


def ensure_installed(py: Path) -> None:
    stamp = (VENV if py == _venv_python() else Path(sys.prefix)) / ".helhedsplan-eval-installed"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    rc = _run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f"{ROOT}[dev]"])
    if rc != 0:
        sys.exit(f"Installation failed (pip exit code {rc}).")
    try:
        stamp.write_text("ok\n")
    except OSError:
        pass


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("report", "test", "bench"):
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
    # test: unit and integration tests, then every notebook through nbval (cells must run; outputs not compared).
    # Both steps always run, and both results are reported, so a failure in one never hides the other.
    rc_unit = _run([py, "-m", "pytest", "-q", "-n", "2", "tests", *rest])
    rc_nb = _run([py, "-m", "pytest", "-q", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
                  "notebooks"])
    word = {0: "passed"}
    print(f"\nunit/integration tests: {word.get(rc_unit, f'FAILED (exit {rc_unit})')}; "
          f"notebooks (nbval): {word.get(rc_nb, f'FAILED (exit {rc_nb})')}", flush=True)
    return rc_unit or rc_nb


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
