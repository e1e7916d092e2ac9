"""One real annual run (2020 on data/sample) shared by the accessibility tests, and the system's Chromium.

:func:`shared_run` runs the annual run once per test session, also under pytest-xdist: the first worker that
creates the lock folder runs it into the shared temporary root, the others wait for its ``done`` file (or its
``failed`` file, whose text is the error). :func:`chromium` finds the system's Chromium (Debian package
``chromium``; ``HELHEDSPLAN_CHROMIUM`` names another) or stops the test: skipped on a developer's machine, with the
reason, and FAILED under CI (``CI=true``), where the browser tests must never be skipped (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
YEAR = 2020
RUN_TIMEOUT = 1800  # seconds a worker waits for another worker's run


def shared_run(tmp_path_factory) -> Path:
    """``<shared tmp>/a11y-run/2020``: the report of one annual run on data/sample (all notebooks)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "a11y-run"
    shared.mkdir(parents=True, exist_ok=True)
    lock, done, failed = shared / "lock", shared / "done", shared / "failed"
    try:
        lock.mkdir()
        mine = True
    except FileExistsError:
        mine = False
    if mine:
        from helhedsplan_eval.run import runner

        try:
            runner.run_year(YEAR, data_dir=SAMPLE, out_root=shared / "out", jobs=2, progress=False)
        except BaseException as exc:
            failed.write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
            raise
        done.write_text("ok", encoding="utf-8")
    waited = 0.0
    while not done.exists():
        if failed.exists():
            pytest.fail(f"the annual run for the accessibility tests failed: {failed.read_text(encoding='utf-8')}")
        if waited > RUN_TIMEOUT:
            pytest.fail("the annual run for the accessibility tests did not finish in another worker")
        time.sleep(0.5)
        waited += 0.5
    return shared / "out" / str(YEAR)


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here (None: they can)."""
    try:
        import playwright  # noqa: F401
        import axe_playwright_python  # noqa: F401
    except ImportError as exc:
        return f"the Python package {exc.name} is not installed (pip install -e '.[dev]')"
    if chromium_path() is None:
        return ("the system's Chromium is not installed (Debian/Ubuntu: sudo apt-get install chromium; "
                "or set HELHEDSPLAN_CHROMIUM to a Chromium/Chrome executable)")
    return None


def chromium_path() -> str | None:
    env = os.environ.get("HELHEDSPLAN_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The Chromium executable, or skip (developer) / fail (CI) with the reason."""
    reason = chromium_missing_reason()
    if reason is None:
        return chromium_path()
    message = f"REAL-BROWSER ACCESSIBILITY TESTS NOT RUN: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (under CI they must run: .ci/run installs Chromium)", pytrace=False)
    pytest.skip(message)
