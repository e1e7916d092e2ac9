"""run.imports: the run does not pay for rfc3987_syntax's grammar at start-up, and an IRI check still gets the real
module's answer (the stand-in imports it on first use)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("rfc3987_syntax") is None,
                                reason="rfc3987_syntax is not installed: nothing to defer")


def _python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_run_imports_nbformat_papermill_and_nbconvert_without_the_grammar():
    code = ("import helhedsplan_eval.run.runner, helhedsplan_eval.run.execute, nbformat, papermill, nbconvert, sys;"
            "print(sorted(m for m in sys.modules if m.startswith('rfc3987_syntax')))")
    assert _python(code) == "['rfc3987_syntax']"  # the stand-in only, not rfc3987_syntax.syntax_helpers


def test_without_the_stand_in_jsonschema_would_import_the_grammar():
    # the evidence for the stand-in: a plain import of nbformat builds the grammar
    code = "import nbformat, sys; print('rfc3987_syntax.syntax_helpers' in sys.modules)"
    assert _python(code) == "True"


@pytest.mark.parametrize("value, expected", [("http://eksempel.dk/sø?x=1#a", True), ("ikke en iri ::", False),
                                             ("", False)])
def test_an_iri_check_gets_the_real_modules_answer(value, expected):
    code = (f"import helhedsplan_eval.run, sys, jsonschema; v = {value!r};"
            "from jsonschema import FormatChecker;"
            "deferred = FormatChecker().conforms(v, 'iri');"
            "assert not getattr(sys.modules['rfc3987_syntax'], '_helhedsplan_stand_in', False);"  # real one now
            "import rfc3987_syntax; print(deferred, rfc3987_syntax.is_valid_syntax('iri', v))")
    assert _python(code) == f"{expected} {expected}"


def test_an_already_imported_module_is_left_alone():
    code = ("import rfc3987_syntax, sys; from helhedsplan_eval.run.imports import defer_rfc3987_syntax;"
            "print(defer_rfc3987_syntax(), sys.modules['rfc3987_syntax'] is rfc3987_syntax)")
    assert _python(code) == "False True"
