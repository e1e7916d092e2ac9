"""The run's errors and the plain form of its messages.

:class:`RunError` (exit code 1) and :class:`UsageError` (exit code 2) carry a Danish message the evaluator can act
on; :class:`RunInterrupted` is how SIGTERM/SIGHUP reach the main thread. ``_short`` and ``_display_path`` keep
messages readable: one line of bounded length, paths relative to the project root when inside it.
"""

from __future__ import annotations

import os
from pathlib import Path

from helhedsplan_eval.paths import project_root


class RunError(Exception):
    """A run failed for a reason the evaluator can act on; ``str(exc)`` is the plain message.

    ``exit_code`` is what the command line returns: 1 for a failed run or unusable data,
    2 for a wrong year or a wrong parameter file (like argparse's usage errors)."""

    exit_code = 1


class UsageError(RunError):
    """A year outside the plan, an invalid parameter file or notebook list in plan.yml (exit code 2)."""

    exit_code = 2


class RunInterrupted(KeyboardInterrupt):
    """The run received SIGTERM/SIGHUP; raised in the main thread so that clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _short(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _display_path(path: str | os.PathLike) -> str:
    """A path as the evaluator reads it in messages: relative to the project root when inside it."""
    p = Path(os.path.abspath(path))
    root = project_root()
    try:
        return p.relative_to(root).as_posix() or "."
    except ValueError:
        return str(p)
