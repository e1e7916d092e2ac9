"""Sources declared in the plan's configuration (params/sources.yml): loading, checks, the generic sample."""

from __future__ import annotations

import dataclasses

from helhedsplan_eval.data.declared import load_declarations
from helhedsplan_eval.paths import params_dir


def test_yaml_reproduces_the_python_declarations():
    from helhedsplan_eval.data.sources import SOURCES

    decl = load_declarations(params_dir())
    assert list(decl.sources) == list(SOURCES)
    for name, src in SOURCES.items():
        assert dataclasses.replace(decl.sources[name], kind="") == src, name
