"""Imports the run defers: what a dependency imports at start-up but the run never uses.

``jsonschema`` (under ``nbformat``, so under papermill and nbconvert) imports ``rfc3987_syntax`` when it is
installed (JupyterLab's ``jupyter-events`` installs it) to offer "iri" format checks, and that module builds its
grammar when imported: about 1,4 CPU-seconds in the runner and again in every worker, for a check nbformat never
asks for (it validates notebooks without format checks). :func:`defer_rfc3987_syntax` puts a stand-in module in
its place whose ``is_valid_syntax`` imports the real module on first use and hands the call on, so a program that
does check IRIs gets exactly the real answer, only later.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

_NAME = "rfc3987_syntax"


def _real_module():
    """The real ``rfc3987_syntax``, imported now (the stand-in steps aside for good)."""
    current = sys.modules.get(_NAME)
    if current is not None and not getattr(current, "_helhedsplan_stand_in", False):
        return current
    sys.modules.pop(_NAME, None)
    return importlib.import_module(_NAME)


def defer_rfc3987_syntax() -> bool:
    """Put the stand-in for ``rfc3987_syntax`` in ``sys.modules`` unless the real module is already imported or is
    not installed. Returns whether the stand-in is in place."""
    current = sys.modules.get(_NAME)
    if current is not None:
        return bool(getattr(current, "_helhedsplan_stand_in", False))
    try:
        if importlib.util.find_spec(_NAME) is None:
            return False
    except (ImportError, ValueError):
        return False
    stand_in = types.ModuleType(_NAME, "Stand-in for rfc3987_syntax: the real module is imported on first use.")
    stand_in._helhedsplan_stand_in = True

    def is_valid_syntax(*args, **kwargs):
        return _real_module().is_valid_syntax(*args, **kwargs)

    def __getattr__(name: str):  # any other public name: the real module's (the import system's questions
        if name.startswith("__"):  # such as ``__path__`` are answered by the stand-in, without the import)
            raise AttributeError(name)
        return getattr(_real_module(), name)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = __getattr__
    sys.modules[_NAME] = stand_in
    return True
